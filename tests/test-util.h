/* test-util.h: what the library's tests share besides the mock server
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <openai-glib.h>

G_BEGIN_DECLS

/* A GAsyncReadyCallback that keeps the result in the GAsyncResult * that
 * user_data points to. */
void             test_store_result_cb (GObject       *object,
                                       GAsyncResult  *result,
                                       gpointer       user_data);

/* One chat call, run to its end on the thread-default main context. */
OaiChatResponse *test_run_chat        (OaiClient      *client,
                                       OaiChatRequest *request,
                                       GCancellable   *cancellable,
                                       GError        **error);

G_END_DECLS
