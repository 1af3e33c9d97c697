/* confab-application.c: the application, its actions and its client
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <openai-glib.h>

#include "confab-application.h"
#include "confab-window.h"

struct _ConfabApplication
{
  AdwApplication parent_instance;

  OaiClient *client;
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

static void
confab_application_activate (GApplication *app)
{
  ConfabApplication *self = CONFAB_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (confab_window_new (ADW_APPLICATION (app), self->client));

  gtk_window_present (window);
}

static void
confab_application_startup (GApplication *app)
{
  ConfabApplication *self = CONFAB_APPLICATION (app);
  static const char *quit_accels[] = { "<primary>q", NULL };
  static const char *new_accels[] = { "<primary>n", NULL };
  static const char *stop_accels[] = { "Escape", NULL };

  G_APPLICATION_CLASS (confab_application_parent_class)->startup (app);

  /* OPENAI_API_KEY and OPENAI_BASE_URL point Confab at any compatible server. */
  self->client = oai_client_new_from_environment ();

  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.new-chat", new_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.stop", stop_accels);
}

static void
confab_application_dispose (GObject *object)
{
  ConfabApplication *self = CONFAB_APPLICATION (object);

  g_clear_object (&self->client);

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
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
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
                         "comments", _("Chat with OpenAI models and any compatible server"),
                         "license-type", GTK_LICENSE_GPL_3_0,
                         NULL);
}

static void
confab_application_init (ConfabApplication *self)
{
  static const GActionEntry entries[] = {
    { "quit", quit_action },
    { "about", about_action },
  };

  g_action_map_add_action_entries (G_ACTION_MAP (self), entries, G_N_ELEMENTS (entries), self);
}
