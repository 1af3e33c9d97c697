/* test-util.c: what the library's tests share besides the mock server
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "test-util.h"

void
test_store_result_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

OaiChatResponse *
test_run_chat (OaiClient       *client,
               OaiChatRequest  *request,
               GCancellable    *cancellable,
               GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  oai_client_chat_async (client, request, cancellable, test_store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return oai_client_chat_finish (client, result, error);
}
