/* oai-chat-response-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "oai-chat-response.h"

G_BEGIN_DECLS

OaiChatResponse *oai_chat_response_new_from_json (JsonNode         *root,
                                                  GError          **error);
OaiChatResponse *oai_chat_response_new_for_stream (const char       *id,
                                                  const char       *model,
                                                  gint64            created,
                                                  const char       *finish_reason,
                                                  OaiMessage       *message,
                                                  OaiUsage         *usage);
void             oai_chat_response_set_call_info (OaiChatResponse  *self,
                                                  const char       *request_id,
                                                  guint             attempts,
                                                  double            latency);
void             oai_chat_response_set_dropped_messages (OaiChatResponse *self,
                                                        guint            n_dropped);
void             oai_chat_response_set_cost      (OaiChatResponse  *self,
                                                  double            cost);

G_END_DECLS
