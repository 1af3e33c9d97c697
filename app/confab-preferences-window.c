/* confab-preferences-window.c: the API key, the server, chat defaults and the budget
 *
 * Settings go to GSettings, where the application picks them up. The API key
 * is the exception: it goes to the keyring and to the client, never to
 * GSettings.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "confab-preferences-window.h"
#include "confab-secrets.h"

struct _ConfabPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  OaiClient *client;
  GSettings *settings;
  GCancellable *status_cancellable;

  /* Template widgets */
  AdwActionRow *env_key_row;
  AdwPasswordEntryRow *api_key_row;
  AdwActionRow *stored_key_row;
  AdwPreferencesGroup *server_group;
  AdwEntryRow *base_url_row;
  AdwEntryRow *organization_row;
  AdwEntryRow *project_row;
  AdwEntryRow *default_model_row;
  AdwComboRow *context_strategy_row;
  GtkTextView *system_prompt_view;
  GtkSpinButton *budget_spin;
  AdwActionRow *hard_limit_row;
  GtkSwitch *hard_limit_switch;
};

G_DEFINE_FINAL_TYPE (ConfabPreferencesWindow, confab_preferences_window,
                     ADW_TYPE_PREFERENCES_WINDOW)

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* In the order of the labels in the template's combo row. */
static const char * const context_strategy_nicks[] = {
  "none",
  "sliding-window",
  "summarize",
};

/* A stored key matters only when OPENAI_API_KEY does not override it. */
static const char *
environment_api_key (void)
{
  const char *key = g_getenv ("OPENAI_API_KEY");

  return key != NULL && *key != '\0' ? key : NULL;
}

static void
show_toast (ConfabPreferencesWindow *self,
            const char              *title,
            AdwToastPriority         priority)
{
  AdwToast *toast = adw_toast_new (title);

  adw_toast_set_priority (toast, priority);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), toast);
}

static void
status_lookup_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  ConfabPreferencesWindow *self;
  g_autoptr(GError) error = NULL;
  g_autofree char *subtitle = NULL;
  char *api_key;
  gboolean stored;

  api_key = confab_secrets_lookup_finish (result, &error);
  stored = api_key != NULL;
  /* Only whether there is a key matters here. */
  secret_password_free (api_key);

  /* The window may be gone: it cancels its lookups when disposed. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = CONFAB_PREFERENCES_WINDOW (user_data);

  if (error != NULL)
    subtitle = g_strdup (error->message);
  else if (stored)
    subtitle = g_strdup_printf (_("A key for %s is in the keyring"),
                                oai_client_get_base_url (self->client));
  else
    subtitle = g_strdup_printf (_("No key is stored for %s"),
                                oai_client_get_base_url (self->client));

  adw_action_row_set_subtitle (self->stored_key_row, subtitle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "preferences.remove-key", stored);
}

static void
refresh_key_status (ConfabPreferencesWindow *self)
{
  g_cancellable_cancel (self->status_cancellable);
  g_clear_object (&self->status_cancellable);
  self->status_cancellable = g_cancellable_new ();

  adw_action_row_set_subtitle (self->stored_key_row, _("Checking the keyring…"));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "preferences.remove-key", FALSE);

  confab_secrets_lookup_async (oai_client_get_base_url (self->client), self->status_cancellable,
                               status_lookup_cb, self);
}

/* Keyring calls finish even when the window closes first: the client still
 * gets its key, and a disposed window shows nothing. */
typedef struct
{
  ConfabPreferencesWindow *self;
  OaiClient *client;
  SecretValue *api_key;         /* wiped when unreffed */
} KeyData;

static KeyData *
key_data_new (ConfabPreferencesWindow *self,
              SecretValue             *api_key)
{
  KeyData *data = g_new0 (KeyData, 1);

  data->self = g_object_ref (self);
  data->client = g_object_ref (self->client);
  data->api_key = api_key;

  return data;
}

static void
key_data_free (KeyData *data)
{
  g_clear_object (&data->self);
  g_clear_object (&data->client);
  g_clear_pointer (&data->api_key, secret_value_unref);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KeyData, key_data_free)

static gboolean
is_disposed (ConfabPreferencesWindow *self)
{
  return self->client == NULL;
}

static void
store_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(KeyData) data = user_data;
  ConfabPreferencesWindow *self = data->self;
  g_autoptr(GError) error = NULL;
  gboolean stored;

  stored = confab_secrets_store_finish (result, &error);
  /* A keyring that fails must not cost the user the key they typed. */
  oai_client_set_api_key (data->client, secret_value_get_text (data->api_key));

  if (is_disposed (self))
    return;

  if (!stored)
    {
      g_debug ("Could not store the API key: %s", error->message);
      show_toast (self,
                  _("The key could not be saved to the keyring and is used for this session only"),
                  ADW_TOAST_PRIORITY_HIGH);
      return;
    }

  show_toast (self, _("API key saved to the keyring"), ADW_TOAST_PRIORITY_NORMAL);
  refresh_key_status (self);
}

static void
api_key_apply_cb (ConfabPreferencesWindow *self)
{
  const char *start = gtk_editable_get_text (GTK_EDITABLE (self->api_key_row));
  const char *end;
  KeyData *data;

  /* Keys are often pasted with a stray space or newline. */
  while (g_ascii_isspace (*start))
    start++;
  end = start + strlen (start);
  while (end > start && g_ascii_isspace (end[-1]))
    end--;
  if (end == start)
    return;

  data = key_data_new (self, secret_value_new (start, end - start, "text/plain"));

  /* The row's buffer wipes the text it drops. */
  gtk_editable_set_text (GTK_EDITABLE (self->api_key_row), "");

  confab_secrets_store_async (oai_client_get_base_url (self->client),
                              secret_value_get_text (data->api_key),
                              NULL, store_cb, data);
}

static void
clear_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(KeyData) data = user_data;
  ConfabPreferencesWindow *self = data->self;
  g_autoptr(GError) error = NULL;
  gboolean cleared;

  cleared = confab_secrets_clear_finish (result, &error);
  if (cleared)
    oai_client_set_api_key (data->client, environment_api_key ());

  if (is_disposed (self))
    return;

  if (!cleared)
    {
      g_debug ("Could not remove the API key: %s", error->message);
      show_toast (self, _("The key could not be removed from the keyring"),
                  ADW_TOAST_PRIORITY_HIGH);
      refresh_key_status (self);
      return;
    }

  show_toast (self, _("API key removed from the keyring"), ADW_TOAST_PRIORITY_NORMAL);
  refresh_key_status (self);
}

static void
remove_key_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  ConfabPreferencesWindow *self = CONFAB_PREFERENCES_WINDOW (widget);

  gtk_widget_action_set_enabled (widget, "preferences.remove-key", FALSE);
  confab_secrets_clear_async (oai_client_get_base_url (self->client), NULL,
                              clear_cb, key_data_new (self, NULL));
}

/* Empty stands for api.openai.com; anything else must be an http(s) URL
 * with a host. */
static gboolean
is_valid_base_url (const char *text)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;
  const char *host;

  if (*text == '\0')
    return TRUE;

  uri = g_uri_parse (text, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL)
    return FALSE;

  scheme = g_uri_get_scheme (uri);
  host = g_uri_get_host (uri);

  return (g_ascii_strcasecmp (scheme, "http") == 0 || g_ascii_strcasecmp (scheme, "https") == 0) &&
         host != NULL && *host != '\0';
}

static char *
base_url_row_text (ConfabPreferencesWindow *self)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->base_url_row))));
}

static void
base_url_apply_cb (ConfabPreferencesWindow *self)
{
  g_autofree char *text = base_url_row_text (self);

  if (!is_valid_base_url (text))
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->base_url_row), "error");
      return;
    }

  gtk_widget_remove_css_class (GTK_WIDGET (self->base_url_row), "error");
  g_settings_set_string (self->settings, "base-url", text);
}

static void
base_url_changed_cb (ConfabPreferencesWindow *self)
{
  g_autofree char *text = NULL;

  /* Flag a bad address on apply, but clear the flag as soon as it is fixed. */
  if (!gtk_widget_has_css_class (GTK_WIDGET (self->base_url_row), "error"))
    return;

  text = base_url_row_text (self);
  if (is_valid_base_url (text))
    gtk_widget_remove_css_class (GTK_WIDGET (self->base_url_row), "error");
}

static void
settings_base_url_changed_cb (ConfabPreferencesWindow *self)
{
  g_autofree char *saved = g_settings_get_string (self->settings, "base-url");
  g_autofree char *text = base_url_row_text (self);

  if (g_strcmp0 (saved, text) != 0)
    gtk_editable_set_text (GTK_EDITABLE (self->base_url_row), saved);
}

static gboolean
context_strategy_get_mapping (GValue   *value,
                              GVariant *variant,
                              gpointer  user_data)
{
  const char *nick = g_variant_get_string (variant, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (context_strategy_nicks); i++)
    {
      if (g_str_equal (nick, context_strategy_nicks[i]))
        {
          g_value_set_uint (value, i);
          return TRUE;
        }
    }

  return FALSE;
}

static GVariant *
context_strategy_set_mapping (const GValue       *value,
                              const GVariantType *expected_type,
                              gpointer            user_data)
{
  guint selected = g_value_get_uint (value);

  if (selected >= G_N_ELEMENTS (context_strategy_nicks))
    return NULL;

  return g_variant_new_string (context_strategy_nicks[selected]);
}

/* The hard limit means nothing without a budget. */
static gboolean
budget_to_sensitive_mapping (GValue   *value,
                        GVariant *variant,
                        gpointer  user_data)
{
  g_value_set_boolean (value, g_variant_get_double (variant) > 0);
  return TRUE;
}

static void
confab_preferences_window_constructed (GObject *object)
{
  ConfabPreferencesWindow *self = CONFAB_PREFERENCES_WINDOW (object);
  GtkEditable *key_text;

  G_OBJECT_CLASS (confab_preferences_window_parent_class)->constructed (object);

  /* Non-pageable memory, wiped when freed, for what is typed as the key. */
  key_text = gtk_editable_get_delegate (GTK_EDITABLE (self->api_key_row));
  if (GTK_IS_TEXT (key_text))
    {
      g_autoptr(GtkEntryBuffer) buffer = gtk_password_entry_buffer_new ();
      gtk_text_set_buffer (GTK_TEXT (key_text), buffer);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->env_key_row), environment_api_key () != NULL);
  if (g_getenv ("OPENAI_BASE_URL") != NULL && *g_getenv ("OPENAI_BASE_URL") != '\0')
    adw_preferences_group_set_description (self->server_group,
                                           _("OPENAI_BASE_URL is set and overrides the server address."));

  settings_base_url_changed_cb (self);
  g_signal_connect_object (self->settings, "changed::base-url",
                           G_CALLBACK (settings_base_url_changed_cb), self, G_CONNECT_SWAPPED);

  g_settings_bind (self->settings, "organization", self->organization_row, "text",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "project", self->project_row, "text",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "default-model", self->default_model_row, "text",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "system-prompt",
                   gtk_text_view_get_buffer (self->system_prompt_view), "text",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_with_mapping (self->settings, "context-strategy",
                                self->context_strategy_row, "selected",
                                G_SETTINGS_BIND_DEFAULT,
                                context_strategy_get_mapping, context_strategy_set_mapping,
                                NULL, NULL);
  g_settings_bind (self->settings, "monthly-budget", self->budget_spin, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "hard-limit", self->hard_limit_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_with_mapping (self->settings, "monthly-budget", self->hard_limit_row, "sensitive",
                                G_SETTINGS_BIND_GET,
                                budget_to_sensitive_mapping, NULL, NULL, NULL);

  /* Keys are per server, so the stored key follows the client's server. */
  g_signal_connect_object (self->client, "notify::base-url",
                           G_CALLBACK (refresh_key_status), self, G_CONNECT_SWAPPED);
  refresh_key_status (self);
}

static void
confab_preferences_window_dispose (GObject *object)
{
  ConfabPreferencesWindow *self = CONFAB_PREFERENCES_WINDOW (object);

  g_cancellable_cancel (self->status_cancellable);
  g_clear_object (&self->status_cancellable);
  g_clear_object (&self->client);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (confab_preferences_window_parent_class)->dispose (object);
}

static void
confab_preferences_window_get_property (GObject    *object,
                                        guint       prop_id,
                                        GValue     *value,
                                        GParamSpec *pspec)
{
  ConfabPreferencesWindow *self = CONFAB_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;

    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_preferences_window_set_property (GObject      *object,
                                        guint         prop_id,
                                        const GValue *value,
                                        GParamSpec   *pspec)
{
  ConfabPreferencesWindow *self = CONFAB_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      self->client = g_value_dup_object (value);
      break;

    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_preferences_window_class_init (ConfabPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = confab_preferences_window_constructed;
  object_class->dispose = confab_preferences_window_dispose;
  object_class->get_property = confab_preferences_window_get_property;
  object_class->set_property = confab_preferences_window_set_property;

  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL,
                         OAI_TYPE_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL,
                         G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_install_action (widget_class, "preferences.remove-key", NULL,
                                   remove_key_action);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/openaiglib/Confab/confab-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, env_key_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, api_key_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, stored_key_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, server_group);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, base_url_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, organization_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, project_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, default_model_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, context_strategy_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, system_prompt_view);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, budget_spin);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, hard_limit_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, hard_limit_switch);
  gtk_widget_class_bind_template_callback (widget_class, api_key_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, base_url_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, base_url_changed_cb);
}

static void
confab_preferences_window_init (ConfabPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * confab_preferences_window_new:
 * @parent: (nullable): the window the preferences belong to
 * @client: the client the API key is set on
 * @settings: Confab's settings
 *
 * Returns: (transfer none): a new preferences window
 */
ConfabPreferencesWindow *
confab_preferences_window_new (GtkWindow *parent,
                               OaiClient *client,
                               GSettings *settings)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (OAI_IS_CLIENT (client), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  return g_object_new (CONFAB_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       "client", client,
                       "settings", settings,
                       NULL);
}
