/* oai-call-private.h: one call, the road every request travels
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "oai-client.h"

G_BEGIN_DECLS

void oai_call_start (OaiClient           *client,
                     OaiChatRequest      *request,
                     GCancellable        *cancellable,
                     gpointer             source_tag,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data);

G_END_DECLS
