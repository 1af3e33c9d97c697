/* confab-message-row.c: one message of the conversation view
 *
 * A row is recycled by the list view: bind () points it at a message, unbind ()
 * lets go, so a conversation of any length costs only the rows on screen.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "confab-format.h"
#include "confab-markdown-view.h"
#include "confab-message-row.h"

struct _ConfabMessageRow
{
  GtkWidget parent_instance;

  OaiMessage *message;
  GBinding *content_binding;
  gulong refusal_id;

  GtkWidget *author;
  GtkWidget *info;
  GtkWidget *content;
  GtkWidget *refusal;
};

G_DEFINE_FINAL_TYPE (ConfabMessageRow, confab_message_row, GTK_TYPE_WIDGET)

static void
update_refusal (ConfabMessageRow *self)
{
  const char *refusal = oai_message_get_refusal (self->message);

  /* A refusal is an answer: shown as what the model said, styled apart. */
  gtk_label_set_label (GTK_LABEL (self->refusal), refusal ? refusal : "");
  gtk_widget_set_visible (self->refusal, refusal != NULL);
}

static char *
describe_info (const ConfabMessageInfo *info)
{
  g_autofree char *prompt = confab_format_tokens (info->prompt_tokens);
  g_autofree char *completion = confab_format_tokens (info->completion_tokens);
  g_autofree char *cost = confab_format_cost (info->cost);
  g_autofree char *tokens = NULL;
  const char *ending = NULL;

  if (info->estimated)
    /* Translators: tokens sent → tokens received, counted by Confab. */
    tokens = g_strdup_printf (_("about %s → %s tokens"), prompt, completion);
  else
    /* Translators: tokens sent → tokens received. */
    tokens = g_strdup_printf (_("%s → %s tokens"), prompt, completion);

  if (g_strcmp0 (info->finish_reason, "length") == 0)
    ending = _("cut at the length limit");
  else if (g_strcmp0 (info->finish_reason, "interrupted") == 0)
    ending = _("interrupted");
  else if (g_strcmp0 (info->finish_reason, "stopped") == 0)
    ending = _("stopped");
  else if (g_strcmp0 (info->finish_reason, "content_filter") == 0)
    ending = _("filtered");

  if (ending != NULL)
    return g_strdup_printf ("%s · %s · %s", tokens, cost, ending);
  return g_strdup_printf ("%s · %s", tokens, cost);
}

void
confab_message_row_bind (ConfabMessageRow   *self,
                         OaiMessage         *message,
                         ConfabConversation *conversation)
{
  ConfabMessageInfo info;
  OaiRole role;

  g_return_if_fail (CONFAB_IS_MESSAGE_ROW (self));
  g_return_if_fail (OAI_IS_MESSAGE (message));

  confab_message_row_unbind (self);
  self->message = g_object_ref (message);
  role = oai_message_get_role (message);

  gtk_label_set_label (GTK_LABEL (self->author),
                       role == OAI_ROLE_USER ? _("You") :
                       role == OAI_ROLE_ASSISTANT ? _("Assistant") :
                       role == OAI_ROLE_SYSTEM ? _("Instructions") : _("Tool"));
  gtk_widget_remove_css_class (GTK_WIDGET (self), "user");
  gtk_widget_remove_css_class (GTK_WIDGET (self), "assistant");
  gtk_widget_add_css_class (GTK_WIDGET (self), role == OAI_ROLE_USER ? "user" : "assistant");

  /* The view follows the message while a stream grows it. */
  self->content_binding = g_object_bind_property (message, "content", self->content, "markdown",
                                                  G_BINDING_SYNC_CREATE);
  self->refusal_id = g_signal_connect_swapped (message, "notify::refusal",
                                               G_CALLBACK (update_refusal), self);
  update_refusal (self);

  if (conversation != NULL && confab_conversation_get_message_info (conversation, message, &info))
    {
      g_autofree char *text = describe_info (&info);

      gtk_label_set_label (GTK_LABEL (self->info), text);
      gtk_widget_set_visible (self->info, TRUE);
    }
  else
    {
      gtk_label_set_label (GTK_LABEL (self->info), "");
      gtk_widget_set_visible (self->info, FALSE);
    }
}

void
confab_message_row_unbind (ConfabMessageRow *self)
{
  g_return_if_fail (CONFAB_IS_MESSAGE_ROW (self));

  if (self->message == NULL)
    return;

  g_clear_pointer (&self->content_binding, g_binding_unbind);
  g_clear_signal_handler (&self->refusal_id, self->message);
  g_clear_object (&self->message);
}

OaiMessage *
confab_message_row_get_message (ConfabMessageRow *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE_ROW (self), NULL);
  return self->message;
}

/* What the row says of the message's tokens and cost; for tests. */
const char *
confab_message_row_get_info (ConfabMessageRow *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE_ROW (self), NULL);
  return gtk_label_get_label (GTK_LABEL (self->info));
}

static void
confab_message_row_dispose (GObject *object)
{
  ConfabMessageRow *self = CONFAB_MESSAGE_ROW (object);
  GtkWidget *child;

  confab_message_row_unbind (self);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (confab_message_row_parent_class)->dispose (object);
}

static void
confab_message_row_class_init (ConfabMessageRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_message_row_dispose;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "messagerow");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
confab_message_row_init (ConfabMessageRow *self)
{
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);

  gtk_orientable_set_orientation (GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))),
                                  GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (gtk_widget_get_layout_manager (GTK_WIDGET (self))), 4);

  self->author = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->author), 0);
  gtk_widget_add_css_class (self->author, "heading");
  gtk_box_append (GTK_BOX (header), self->author);

  self->info = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->info), 1);
  gtk_label_set_ellipsize (GTK_LABEL (self->info), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (self->info, TRUE);
  gtk_widget_add_css_class (self->info, "caption");
  gtk_widget_add_css_class (self->info, "dim-label");
  gtk_widget_add_css_class (self->info, "numeric");
  gtk_box_append (GTK_BOX (header), self->info);
  gtk_widget_set_parent (header, GTK_WIDGET (self));
  /* A screen reader announces each message by its author. */
  gtk_accessible_update_relation (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                  self->author, NULL, -1);

  self->content = GTK_WIDGET (confab_markdown_view_new ());
  gtk_widget_set_parent (self->content, GTK_WIDGET (self));

  self->refusal = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->refusal), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (self->refusal), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (self->refusal), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->refusal), 0);
  gtk_widget_add_css_class (self->refusal, "refusal");
  gtk_widget_add_css_class (self->refusal, "warning");
  gtk_widget_set_visible (self->refusal, FALSE);
  gtk_widget_set_parent (self->refusal, GTK_WIDGET (self));
}

GtkWidget *
confab_message_row_new (void)
{
  return g_object_new (CONFAB_TYPE_MESSAGE_ROW, NULL);
}
