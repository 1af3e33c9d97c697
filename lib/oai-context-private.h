/* oai-context-private.h: fitting a conversation into a model's context window
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "oai-chat-request.h"
#include "oai-tokenizer.h"

G_BEGIN_DECLS

/* Words the library speaks to the model when it summarizes for the caller. */
#define OAI_SUMMARY_INSTRUCTIONS \
  "Summarize the conversation below for the assistant that will continue it. " \
  "Keep facts, names, numbers, decisions and open questions; leave out pleasantries. " \
  "Write at most 200 words, in the conversation's language."
#define OAI_SUMMARY_PREFIX "Summary of the earlier part of the conversation: "

/* What a summary may cost of the budget, its instructions aside. */
#define OAI_SUMMARY_RESERVE 400

gsize           oai_context_count            (OaiTokenizer    *tokenizer,
                                              OaiChatRequest  *request);
OaiChatRequest *oai_context_trim             (OaiChatRequest  *request,
                                              OaiTokenizer    *tokenizer,
                                              gsize            budget,
                                              GListStore     **dropped,
                                              guint           *insert_at,
                                              GError         **error);
char           *oai_context_transcript       (GListModel      *messages);
gboolean        oai_context_parse_limit      (const char      *message,
                                              gsize           *limit);

G_END_DECLS
