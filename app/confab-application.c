/* confab-application.c: the application, its actions and its client
 *
 * The application owns what outlives a window: the client (configured from
 * GSettings, the environment and the keyring), the spending ledger and the
 * conversation database.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <openai-glib.h>

#include "confab-application.h"
#include "confab-preferences-window.h"
#include "confab-secrets.h"
#include "confab-store.h"
#include "confab-window.h"

struct _ConfabApplication
{
  AdwApplication parent_instance;

  GSettings *settings;
  OaiClient *client;
  OaiCostTracker *tracker;
  ConfabStore *store;
  GCancellable *key_cancellable;
  GPtrArray *notices;           /* what the first window must say */
};

G_DEFINE_FINAL_TYPE (ConfabApplication, confab_application, ADW_TYPE_APPLICATION)

ConfabApplication *
confab_application_new (void)
{
  return g_object_new (CONFAB_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/io/github/openaiglib/Confab",
                       NULL);
}

static const char *
getenv_nonempty (const char *name)
{
  const char *value = g_getenv (name);
  return value != NULL && *value != '\0' ? value : NULL;
}

/**
 * confab_configure_client:
 * @client: the client
 * @tracker: (nullable): its cost tracker
 * @settings: Confab's settings
 *
 * Applies the settings to the client. The environment wins where it says
 * something: OPENAI_BASE_URL, OPENAI_ORG_ID and OPENAI_PROJECT_ID.
 */
void
confab_configure_client (OaiClient      *client,
                         OaiCostTracker *tracker,
                         GSettings      *settings)
{
  g_autofree char *base_url = g_settings_get_string (settings, "base-url");
  g_autofree char *organization = g_settings_get_string (settings, "organization");
  g_autofree char *project = g_settings_get_string (settings, "project");

  if (getenv_nonempty ("OPENAI_BASE_URL") == NULL)
    oai_client_set_base_url (client, *base_url ? base_url : NULL);
  if (getenv_nonempty ("OPENAI_ORG_ID") == NULL)
    oai_client_set_organization (client, *organization ? organization : NULL);
  if (getenv_nonempty ("OPENAI_PROJECT_ID") == NULL)
    oai_client_set_project (client, *project ? project : NULL);
  oai_client_set_context_strategy (client, g_settings_get_enum (settings, "context-strategy"));

  if (tracker != NULL)
    {
      oai_cost_tracker_set_monthly_budget (tracker, g_settings_get_double (settings, "monthly-budget"));
      oai_cost_tracker_set_hard_limit (tracker, g_settings_get_boolean (settings, "hard-limit"));
    }
}

static void
add_notice (ConfabApplication *self,
            const char        *text)
{
  g_ptr_array_add (self->notices, g_strdup (text));
}

static void
key_found_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(ConfabApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  char *key = confab_secrets_lookup_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (error != NULL)
    g_message ("No API key from the keyring: %s", error->message);

  if (key != NULL)
    {
      oai_client_set_api_key (self->client, key);
      secret_password_free (key);
    }
}

/* The key of the server in use: from the environment, else the keyring. */
static void
load_key (ConfabApplication *self)
{
  if (getenv_nonempty ("OPENAI_API_KEY") != NULL)
    return;

  g_cancellable_cancel (self->key_cancellable);
  g_clear_object (&self->key_cancellable);
  self->key_cancellable = g_cancellable_new ();
  oai_client_set_api_key (self->client, NULL);
  confab_secrets_lookup_async (oai_client_get_base_url (self->client), self->key_cancellable,
                               key_found_cb, g_object_ref (self));
}

static void
settings_changed_cb (GSettings         *settings,
                     const char        *key,
                     ConfabApplication *self)
{
  g_autofree char *old_url = NULL;

  /* The window's size is saved in the same schema, on every resize. */
  if (g_str_has_prefix (key, "window-"))
    return;

  old_url = g_strdup (oai_client_get_base_url (self->client));
  confab_configure_client (self->client, self->tracker, settings);
  if (g_strcmp0 (old_url, oai_client_get_base_url (self->client)) != 0)
    load_key (self);
}

static void
open_store (ConfabApplication *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = confab_store_default_path ();

  self->store = confab_store_new (path, &error);
  if (self->store == NULL)
    {
      g_autofree char *text = NULL;

      /* Chatting still works; nothing is kept. */
      text = g_strdup_printf (_("Conversations cannot be saved: %s"), error->message);
      add_notice (self, text);
      self->store = confab_store_new (NULL, NULL);
    }
  else if (confab_store_get_set_aside_path (self->store) != NULL)
    {
      g_autofree char *text = NULL;

      text = g_strdup_printf (_("The conversation database could not be read, so a new one was started. "
                                "The old file was kept as %s."),
                              confab_store_get_set_aside_path (self->store));
      add_notice (self, text);
    }
}

static void
open_ledger (ConfabApplication *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), "confab", "spending.db", NULL);

  self->tracker = oai_cost_tracker_new_with_ledger (path, &error);
  if (self->tracker == NULL)
    {
      g_autofree char *text = NULL;

      text = g_strdup_printf (_("Spending is counted for this session only: %s"), error->message);
      add_notice (self, text);
      self->tracker = oai_cost_tracker_new ();
    }
}

static void
confab_application_activate (GApplication *app)
{
  ConfabApplication *self = CONFAB_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    {
      g_autoptr(GString) text = g_string_new (NULL);

      window = GTK_WINDOW (confab_window_new (ADW_APPLICATION (app), self->client, self->store));
      /* One banner says everything that went wrong at start. */
      for (guint i = 0; i < self->notices->len; i++)
        g_string_append_printf (text, "%s%s", i > 0 ? "\n" : "", (char *) g_ptr_array_index (self->notices, i));
      if (text->len > 0)
        confab_window_show_banner (CONFAB_WINDOW (window), text->str, NULL, NULL);
    }

  gtk_window_present (window);
}

static void
confab_application_startup (GApplication *app)
{
  ConfabApplication *self = CONFAB_APPLICATION (app);
  static const struct { const char *action; const char *accels[3]; } accels[] = {
    { "app.quit", { "<primary>q", NULL } },
    { "app.preferences", { "<primary>comma", NULL } },
    { "win.new-chat", { "<primary>n", NULL } },
    { "win.stop", { "Escape", NULL } },
    { "win.regenerate", { "<primary>r", NULL } },
    { "win.show-conversations", { "<primary>l", NULL } },
  };

  G_APPLICATION_CLASS (confab_application_parent_class)->startup (app);

  self->settings = g_settings_new (APP_ID);

  /* OPENAI_API_KEY and OPENAI_BASE_URL point Confab at any compatible server;
   * Preferences does the same for good. */
  self->client = oai_client_new_from_environment ();
  open_ledger (self);
  open_store (self);
  oai_client_set_cost_tracker (self->client, self->tracker);
  confab_configure_client (self->client, self->tracker, self->settings);
  g_signal_connect (self->settings, "changed", G_CALLBACK (settings_changed_cb), self);
  load_key (self);

  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (app), accels[i].action, accels[i].accels);
}

static void
confab_application_shutdown (GApplication *app)
{
  ConfabApplication *self = CONFAB_APPLICATION (app);

  g_cancellable_cancel (self->key_cancellable);

  G_APPLICATION_CLASS (confab_application_parent_class)->shutdown (app);
}

static void
confab_application_dispose (GObject *object)
{
  ConfabApplication *self = CONFAB_APPLICATION (object);

  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->key_cancellable);
  g_clear_object (&self->client);
  g_clear_object (&self->tracker);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->notices, g_ptr_array_unref);

  G_OBJECT_CLASS (confab_application_parent_class)->dispose (object);
}

static void
confab_application_class_init (ConfabApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = confab_application_dispose;
  app_class->activate = confab_application_activate;
  app_class->startup = confab_application_startup;
  app_class->shutdown = confab_application_shutdown;
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  ConfabApplication *self = user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  ConfabPreferencesWindow *preferences;

  preferences = confab_preferences_window_new (window, self->client, self->settings);
  gtk_window_present (GTK_WINDOW (preferences));
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  static const char *developers[] = { "The openai-glib developers", NULL };
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (user_data));

  adw_show_about_window (window,
                         "application-name", _("Confab"),
                         "application-icon", APP_ID,
                         "developer-name", _("The openai-glib developers"),
                         "version", PACKAGE_VERSION,
                         "developers", developers,
                         "translator-credits", _("translator-credits"),
                         "comments", _("Chat with OpenAI models and any compatible server"),
                         "license-type", GTK_LICENSE_GPL_3_0,
                         NULL);
}

static void
confab_application_init (ConfabApplication *self)
{
  static const GActionEntry entries[] = {
    { "quit", quit_action },
    { "preferences", preferences_action },
    { "about", about_action },
  };

  self->notices = g_ptr_array_new_with_free_func (g_free);
  g_action_map_add_action_entries (G_ACTION_MAP (self), entries, G_N_ELEMENTS (entries), self);
}
