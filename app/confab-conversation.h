/* confab-conversation.h: one conversation, its messages and what they cost
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <openai-glib.h>

G_BEGIN_DECLS

/**
 * ConfabMessageInfo:
 * @prompt_tokens: the tokens of the request that produced the message
 * @completion_tokens: the tokens of the message
 * @cost: US dollars; NaN when unknown (an unpriced model)
 * @estimated: whether the usage was estimated locally (a stream cut or stopped)
 * @finish_reason: (nullable): an interned string; "interrupted" for a cut stream
 *
 * What is known about how an assistant message was produced.
 */
typedef struct {
  guint prompt_tokens;
  guint completion_tokens;
  double cost;
  gboolean estimated;
  const char *finish_reason;
} ConfabMessageInfo;

#define CONFAB_TYPE_CONVERSATION (confab_conversation_get_type ())

G_DECLARE_FINAL_TYPE (ConfabConversation, confab_conversation, CONFAB, CONVERSATION, GObject)

ConfabConversation *confab_conversation_new              (void) G_GNUC_WARN_UNUSED_RESULT;
gint64              confab_conversation_get_id           (ConfabConversation      *self);
const char         *confab_conversation_get_title        (ConfabConversation      *self);
void                confab_conversation_set_title        (ConfabConversation      *self,
                                                          const char              *title);
const char         *confab_conversation_get_model        (ConfabConversation      *self);
void                confab_conversation_set_model        (ConfabConversation      *self,
                                                          const char              *model);
GDateTime          *confab_conversation_get_updated      (ConfabConversation      *self);
GListModel         *confab_conversation_get_messages     (ConfabConversation      *self);
void                confab_conversation_append           (ConfabConversation      *self,
                                                          OaiMessage              *message);
void                confab_conversation_truncate         (ConfabConversation      *self,
                                                          guint                    n_keep);
void                confab_conversation_message_changed  (ConfabConversation      *self,
                                                          OaiMessage              *message);
void                confab_conversation_set_message_info (ConfabConversation      *self,
                                                          OaiMessage              *message,
                                                          const ConfabMessageInfo *info);
gboolean            confab_conversation_get_message_info (ConfabConversation      *self,
                                                          OaiMessage              *message,
                                                          ConfabMessageInfo       *info);
double              confab_conversation_get_cost         (ConfabConversation      *self);
gboolean            confab_conversation_get_loaded       (ConfabConversation      *self);

char               *confab_conversation_title_from_text  (const char              *text)
                                                          G_GNUC_WARN_UNUSED_RESULT;

/* < private >
 * For ConfabStore only: what it needs to save a conversation and to build
 * one from its rows. */

/* No message changed since the last save. */
#define CONFAB_CONVERSATION_CLEAN G_MAXUINT

ConfabConversation *confab_conversation_new_stored        (gint64                   id,
                                                           const char              *title,
                                                           const char              *model,
                                                           gint64                   updated_usec,
                                                           double                   cost)
                                                           G_GNUC_WARN_UNUSED_RESULT;
gint64              confab_conversation_get_updated_usec  (ConfabConversation      *self);
gint64              confab_conversation_get_saved_usec    (ConfabConversation      *self);
gboolean            confab_conversation_get_needs_save    (ConfabConversation      *self);
guint               confab_conversation_get_dirty_from    (ConfabConversation      *self);
void                confab_conversation_mark_saved        (ConfabConversation      *self,
                                                           gint64                   id);
void                confab_conversation_mark_unsaved      (ConfabConversation      *self);
void                confab_conversation_set_stored_messages (ConfabConversation    *self,
                                                             OaiMessage           **messages,
                                                             guint                  n_messages,
                                                             guint                  dirty_from);
void                confab_message_attach_info            (OaiMessage              *message,
                                                           const ConfabMessageInfo *info);
const ConfabMessageInfo *confab_message_peek_info         (OaiMessage              *message);

G_END_DECLS
