/* confab-window.c: the conversation window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "confab-window.h"

struct _ConfabWindow
{
  AdwApplicationWindow parent_instance;

  OaiClient *client;
  GSettings *settings;
  GListStore *messages;         /* OaiMessage */
  GCancellable *cancellable;
  char *status;
  gulong retrying_id;

  /* Template widgets */
  AdwToastOverlay *toast_overlay;
  GtkStack *stack;
  GtkListBox *message_list;
  GtkScrolledWindow *scroller;
  GtkEntry *prompt_entry;
  GtkButton *send_button;
  GtkButton *stop_button;
  GtkLabel *status_label;
  GtkSpinner *spinner;
};

G_DEFINE_FINAL_TYPE (ConfabWindow, confab_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_status (ConfabWindow *self,
            const char   *status)
{
  g_free (self->status);
  self->status = g_strdup (status);
  gtk_label_set_label (self->status_label, status ? status : "");
}

static void
update_busy (ConfabWindow *self)
{
  gboolean busy = self->cancellable != NULL;

  gtk_widget_set_sensitive (GTK_WIDGET (self->send_button), !busy);
  gtk_widget_set_visible (GTK_WIDGET (self->stop_button), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.send", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.stop", busy);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
refusal_changed_cb (OaiMessage *message,
                    GParamSpec *pspec,
                    GtkLabel   *label)
{
  if (oai_message_get_refusal (message) == NULL)
    return;
  gtk_label_set_label (label, oai_message_get_refusal (message));
  gtk_widget_add_css_class (GTK_WIDGET (label), "warning");
}

static GtkWidget *
create_message_row (gpointer item,
                    gpointer user_data)
{
  OaiMessage *message = item;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  GtkWidget *author = gtk_label_new (NULL);
  GtkWidget *text = gtk_label_new (NULL);
  gboolean mine = oai_message_get_role (message) == OAI_ROLE_USER;

  gtk_label_set_label (GTK_LABEL (author), mine ? _("You") : _("Assistant"));
  gtk_widget_add_css_class (author, "caption-heading");
  gtk_widget_add_css_class (author, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (author), 0);

  /* The label follows the message as a stream grows it; a refusal is an
   * answer too, shown in its own style. */
  g_object_bind_property (message, "content", text, "label", G_BINDING_SYNC_CREATE);
  g_signal_connect_object (message, "notify::refusal", G_CALLBACK (refusal_changed_cb), text, 0);
  refusal_changed_cb (message, NULL, GTK_LABEL (text));

  gtk_label_set_wrap (GTK_LABEL (text), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (text), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (text), TRUE);
  gtk_label_set_xalign (GTK_LABEL (text), 0);

  gtk_box_append (GTK_BOX (box), author);
  gtk_box_append (GTK_BOX (box), text);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 9);
  gtk_widget_set_margin_bottom (box, 9);

  return box;
}

static void
show_error (ConfabWindow *self,
            const GError *error)
{
  g_autofree char *title = NULL;

  if (g_error_matches (error, OAI_ERROR, OAI_ERROR_AUTHENTICATION))
    title = g_strdup (_("The server refused the API key. Set OPENAI_API_KEY and start Confab again."));
  else
    title = g_strdup (error->message);

  set_status (self, title);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (title));
}

static void
stream_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(ConfabWindow) self = user_data;
  OaiChatStream *stream = OAI_CHAT_STREAM (object);
  OaiMessage *message = oai_chat_stream_get_message (stream);
  g_autoptr(GError) error = NULL;
  g_autoptr(OaiChatResponse) response = oai_chat_stream_run_finish (stream, result, &error);
  gboolean empty = oai_message_get_content (message) == NULL &&
                   oai_message_get_refusal (message) == NULL;

  g_clear_object (&self->cancellable);
  update_busy (self);

  if (response != NULL)
    {
      set_status (self, NULL);
      return;
    }

  /* What arrived before a stop or a cut stays; an empty answer goes. */
  if (empty)
    {
      guint position;

      if (g_list_store_find (self->messages, message, &position))
        g_list_store_remove (self->messages, position);
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    set_status (self, _("Stopped"));
  else
    show_error (self, error);
}

static void
retrying_cb (OaiClient    *client,
             guint         attempt,
             const GError *error,
             guint         delay_ms,
             ConfabWindow *self)
{
  g_autofree char *status = NULL;

  /* Translators: the first number is seconds, the others attempts. */
  status = g_strdup_printf (_("Retrying in %.0f s (attempt %u of %u)"),
                            delay_ms / 1000.0, attempt,
                            oai_client_get_max_retries (client) + 1);
  set_status (self, status);
}

static void
send_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);
  g_autoptr(OaiChatRequest) request = NULL;
  g_autoptr(OaiMessage) message = NULL;
  g_autoptr(OaiChatStream) stream = NULL;
  g_autofree char *text = NULL;
  const char *env_model = g_getenv ("CONFAB_MODEL");
  g_autofree char *model = NULL;
  guint n;

  if (self->cancellable != NULL)
    return;

  text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->prompt_entry))));
  if (*text == '\0')
    return;

  message = oai_message_new (OAI_ROLE_USER, text);
  g_list_store_append (self->messages, message);
  gtk_editable_set_text (GTK_EDITABLE (self->prompt_entry), "");
  gtk_stack_set_visible_child_name (self->stack, "chat");

  if (env_model != NULL && *env_model != '\0')
    model = g_strdup (env_model);
  else
    model = g_settings_get_string (self->settings, "default-model");
  request = oai_chat_request_new (model);
  n = g_list_model_get_n_items (G_LIST_MODEL (self->messages));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(OaiMessage) m = g_list_model_get_item (G_LIST_MODEL (self->messages), i);
      oai_chat_request_append_message (request, m);
    }

  /* The answer's row is there from the start and grows with the stream. */
  stream = oai_client_stream_chat (self->client, request);
  g_list_store_append (self->messages, oai_chat_stream_get_message (stream));

  self->cancellable = g_cancellable_new ();
  update_busy (self);
  set_status (self, _("Waiting for the answer…"));
  oai_chat_stream_run_async (stream, self->cancellable, stream_done_cb, g_object_ref (self));
}

static void
stop_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

static void
new_chat_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_list_store_remove_all (self->messages);
  gtk_stack_set_visible_child_name (self->stack, "empty");
  set_status (self, NULL);
  gtk_widget_grab_focus (GTK_WIDGET (self->prompt_entry));
}

static void
confab_window_constructed (GObject *object)
{
  ConfabWindow *self = CONFAB_WINDOW (object);

  G_OBJECT_CLASS (confab_window_parent_class)->constructed (object);

  self->settings = g_settings_new (APP_ID);
  g_settings_bind (self->settings, "window-width", self, "default-width", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-height", self, "default-height", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-maximized", self, "maximized", G_SETTINGS_BIND_DEFAULT);

  if (self->client == NULL)
    self->client = oai_client_new_from_environment ();
  self->retrying_id = g_signal_connect (self->client, "retrying", G_CALLBACK (retrying_cb), self);

  if (oai_client_get_api_key (self->client) == NULL &&
      g_str_equal (oai_client_get_base_url (self->client), OAI_DEFAULT_BASE_URL))
    set_status (self, _("No API key: set OPENAI_API_KEY, or OPENAI_BASE_URL for a local server."));
}

static void
confab_window_dispose (GObject *object)
{
  ConfabWindow *self = CONFAB_WINDOW (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_signal_handler (&self->retrying_id, self->client);
  g_clear_object (&self->client);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_WINDOW);

  G_OBJECT_CLASS (confab_window_parent_class)->dispose (object);
}

static void
confab_window_finalize (GObject *object)
{
  ConfabWindow *self = CONFAB_WINDOW (object);

  g_clear_object (&self->messages);
  g_clear_pointer (&self->status, g_free);

  G_OBJECT_CLASS (confab_window_parent_class)->finalize (object);
}

static void
confab_window_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  ConfabWindow *self = CONFAB_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->cancellable != NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_window_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  ConfabWindow *self = CONFAB_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      self->client = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_window_class_init (ConfabWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = confab_window_constructed;
  object_class->dispose = confab_window_dispose;
  object_class->finalize = confab_window_finalize;
  object_class->get_property = confab_window_get_property;
  object_class->set_property = confab_window_set_property;

  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, OAI_TYPE_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/openaiglib/Confab/confab-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, message_list);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, scroller);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, prompt_entry);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, send_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, stop_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, status_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, spinner);

  gtk_widget_class_install_action (widget_class, "win.send", NULL, send_action);
  gtk_widget_class_install_action (widget_class, "win.stop", NULL, stop_action);
  gtk_widget_class_install_action (widget_class, "win.new-chat", NULL, new_chat_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "win.send", NULL);
}

static void
prompt_activate_cb (ConfabWindow *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.send", NULL);
}

static void
confab_window_init (ConfabWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->messages = g_list_store_new (OAI_TYPE_MESSAGE);
  gtk_list_box_bind_model (self->message_list, G_LIST_MODEL (self->messages),
                           create_message_row, NULL, NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.stop", FALSE);
  /* Enter sends. */
  g_signal_connect_swapped (self->prompt_entry, "activate", G_CALLBACK (prompt_activate_cb), self);
}

ConfabWindow *
confab_window_new (AdwApplication *application,
                   OaiClient      *client)
{
  return g_object_new (CONFAB_TYPE_WINDOW,
                       "application", application,
                       "client", client,
                       NULL);
}

GListModel *
confab_window_get_messages (ConfabWindow *self)
{
  g_return_val_if_fail (CONFAB_IS_WINDOW (self), NULL);
  return G_LIST_MODEL (self->messages);
}

const char *
confab_window_get_status (ConfabWindow *self)
{
  g_return_val_if_fail (CONFAB_IS_WINDOW (self), NULL);
  return self->status;
}

gboolean
confab_window_get_busy (ConfabWindow *self)
{
  g_return_val_if_fail (CONFAB_IS_WINDOW (self), FALSE);
  return self->cancellable != NULL;
}
