/* oai-chat-stream-private.h: what a streaming call does with its stream
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "oai-chat-stream.h"
#include "oai-client.h"

G_BEGIN_DECLS

OaiChatStream   *oai_chat_stream_new            (OaiClient      *client,
                                                 OaiChatRequest *request);
void             oai_chat_stream_begin_attempt  (OaiChatStream  *self,
                                                 GCancellable   *cancellable);
gboolean         oai_chat_stream_feed           (OaiChatStream  *self,
                                                 const char     *data,
                                                 gsize           len,
                                                 GError        **error);
gboolean         oai_chat_stream_end            (OaiChatStream  *self,
                                                 GError        **error);
gboolean         oai_chat_stream_get_emitted    (OaiChatStream  *self);
gboolean         oai_chat_stream_get_stopped    (OaiChatStream  *self);
void             oai_chat_stream_set_partial_usage (OaiChatStream *self,
                                                    OaiUsage      *usage);
OaiChatResponse *oai_chat_stream_build_response (OaiChatStream  *self);
void             oai_chat_stream_set_estimated_usage (OaiChatStream *self,
                                                      OaiUsage      *usage);
OaiChatResponse *oai_chat_stream_replay         (OaiChatStream   *self,
                                                 OaiChatResponse *response);

G_END_DECLS
