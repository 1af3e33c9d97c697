/* oai-chat-response.h: the answer of a chat completion
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(OAI_INSIDE) && !defined(OAI_COMPILATION)
# error "Only <openai-glib.h> can be included directly."
#endif

#include <gio/gio.h>

#include "oai-version-macros.h"
#include "oai-message.h"
#include "oai-usage.h"

G_BEGIN_DECLS

#define OAI_TYPE_CHAT_RESPONSE (oai_chat_response_get_type ())

OAI_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (OaiChatResponse, oai_chat_response, OAI, CHAT_RESPONSE, GObject)

OAI_AVAILABLE_IN_ALL
const char *oai_chat_response_get_id            (OaiChatResponse *self);
OAI_AVAILABLE_IN_ALL
const char *oai_chat_response_get_model         (OaiChatResponse *self);
OAI_AVAILABLE_IN_ALL
gint64      oai_chat_response_get_created       (OaiChatResponse *self);
OAI_AVAILABLE_IN_ALL
OaiMessage *oai_chat_response_get_message       (OaiChatResponse *self);
OAI_AVAILABLE_IN_ALL
const char *oai_chat_response_get_content       (OaiChatResponse *self);
OAI_AVAILABLE_IN_ALL
const char *oai_chat_response_get_refusal       (OaiChatResponse *self);
OAI_AVAILABLE_IN_ALL
const char *oai_chat_response_get_finish_reason (OaiChatResponse *self);
OAI_AVAILABLE_IN_ALL
GListModel *oai_chat_response_get_tool_calls    (OaiChatResponse *self);
OAI_AVAILABLE_IN_ALL
OaiUsage   *oai_chat_response_get_usage         (OaiChatResponse *self);
OAI_AVAILABLE_IN_ALL
const char *oai_chat_response_get_request_id    (OaiChatResponse *self);
OAI_AVAILABLE_IN_ALL
guint       oai_chat_response_get_attempts      (OaiChatResponse *self);
OAI_AVAILABLE_IN_ALL
double      oai_chat_response_get_cost          (OaiChatResponse *self);
OAI_AVAILABLE_IN_ALL
guint       oai_chat_response_get_dropped_messages (OaiChatResponse *self);
OAI_AVAILABLE_IN_ALL
double      oai_chat_response_get_latency       (OaiChatResponse *self);

G_END_DECLS
