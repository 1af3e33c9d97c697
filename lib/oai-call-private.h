/* oai-call-private.h: one call, the road every request travels
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "oai-chat-stream.h"
#include "oai-client.h"

G_BEGIN_DECLS

void oai_call_start (OaiClient           *client,
                     gpointer             source_object,
                     OaiChatRequest      *request,
                     OaiChatStream       *stream,
                     GCancellable        *cancellable,
                     gpointer             source_tag,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data);

/* A call of the library's own (a summary) that must not manage its context. */
void oai_call_start_plain (OaiClient           *client,
                           OaiChatRequest      *request,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data);

void oai_call_start_models (OaiClient           *client,
                            GCancellable        *cancellable,
                            gpointer             source_tag,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data);

G_END_DECLS
