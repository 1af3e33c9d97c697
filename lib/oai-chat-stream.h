/* oai-chat-stream.h: a chat answer as it is generated
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(OAI_INSIDE) && !defined(OAI_COMPILATION)
# error "Only <openai-glib.h> can be included directly."
#endif

#include <gio/gio.h>

#include "oai-version-macros.h"
#include "oai-chat-request.h"
#include "oai-chat-response.h"

G_BEGIN_DECLS

#define OAI_TYPE_CHAT_STREAM (oai_chat_stream_get_type ())

OAI_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (OaiChatStream, oai_chat_stream, OAI, CHAT_STREAM, GObject)

OAI_AVAILABLE_IN_ALL
void             oai_chat_stream_run_async         (OaiChatStream        *self,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
OAI_AVAILABLE_IN_ALL
OaiChatResponse *oai_chat_stream_run_finish        (OaiChatStream        *self,
                                                    GAsyncResult         *result,
                                                    GError              **error) G_GNUC_WARN_UNUSED_RESULT;
OAI_AVAILABLE_IN_ALL
OaiChatRequest  *oai_chat_stream_get_request       (OaiChatStream        *self);
OAI_AVAILABLE_IN_ALL
OaiMessage      *oai_chat_stream_get_message       (OaiChatStream        *self);
OAI_AVAILABLE_IN_ALL
const char      *oai_chat_stream_get_finish_reason (OaiChatStream        *self);
OAI_AVAILABLE_IN_ALL
OaiUsage        *oai_chat_stream_get_usage         (OaiChatStream        *self);

G_END_DECLS
