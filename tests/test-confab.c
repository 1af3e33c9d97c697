/* test-confab.c: Confab's window driven against the mock server
 *
 * Needs a display: the test command runs it under Xvfb.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <adwaita.h>
#include <openai-glib.h>

#include "confab-window.h"
#include "mock-server.h"

typedef struct
{
  MockServer *server;
  OaiClient *client;
  ConfabWindow *window;
} Fixture;

static GtkWidget *
find_widget (GtkWidget *root,
             GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type);
      if (found)
        return found;
    }

  return NULL;
}

static void
wait_until_idle (Fixture *f)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (confab_window_get_busy (f->window) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (confab_window_get_busy (f->window));
}

static void
type_and_send (Fixture    *f,
               const char *text)
{
  GtkWidget *entry = find_widget (GTK_WIDGET (f->window), GTK_TYPE_ENTRY);

  g_assert_nonnull (entry);
  gtk_editable_set_text (GTK_EDITABLE (entry), text);
  /* Enter in the entry activates the default widget, the Send button. */
  g_signal_emit_by_name (entry, "activate");
}

/* A streamed answer in three deltas. */
static void
queue_streamed_answer (Fixture    *f,
                       const char *a,
                       const char *b,
                       const char *c,
                       guint       delay_ms)
{
  g_autofree char *body = g_strdup_printf (
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"%s\"}}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"%s\"}}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"%s\"},\"finish_reason\":\"stop\"}]}\n\n"
    "data: [DONE]\n\n", a, b, c);
  MockStream options = { 1 << 20, 1 << 20, 1, delay_ms, -1, FALSE, FALSE };

  /* One event per write when paced. */
  if (delay_ms > 0)
    options.chunk_min = options.chunk_max = strstr (body, "\n\n") - body + 2;
  mock_server_queue_stream (f->server, body, &options);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->server = mock_server_new ();
  f->client = oai_client_new ("sk-ui-test");
  g_object_set (f->client, "base-url", mock_server_get_base_url (f->server),
                "retry-base-delay", 0.01, "retry-max-delay", 0.02, NULL);
  f->window = g_object_ref_sink (confab_window_new (NULL, f->client));
  gtk_window_present (GTK_WINDOW (f->window));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  g_clear_object (&f->window);
  g_clear_object (&f->client);
  mock_server_free (f->server);
}

static void
test_send_and_answer (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(OaiMessage) answer = NULL;
  GListModel *messages = confab_window_get_messages (f->window);
  GtkWidget *list;
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  queue_streamed_answer (f, "Hello from the mock server, ", "shown in ", "Confab", 300);
  type_and_send (f, "Hello, Confab");

  g_assert_true (confab_window_get_busy (f->window));
  /* The answer's row is there at once, and grows while the stream runs. */
  g_assert_cmpuint (g_list_model_get_n_items (messages), ==, 2);
  answer = g_list_model_get_item (messages, 1);
  while (g_strcmp0 (oai_message_get_content (answer), "Hello from the mock server, ") != 0 &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (oai_message_get_content (answer), ==, "Hello from the mock server, ");
  g_assert_true (confab_window_get_busy (f->window));
  wait_until_idle (f);

  g_assert_cmpuint (g_list_model_get_n_items (messages), ==, 2);
  g_assert_cmpint (oai_message_get_role (answer), ==, OAI_ROLE_ASSISTANT);
  g_assert_cmpstr (oai_message_get_content (answer), ==, "Hello from the mock server, shown in Confab");

  /* Both messages are rows of the conversation on screen. */
  list = find_widget (GTK_WIDGET (f->window), GTK_TYPE_LIST_BOX);
  g_assert_nonnull (gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), 1));
  g_assert_null (gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), 2));

  /* The request carried the conversation. */
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (mock_server_get_request (f->server, 0)->body, NULL),
                                  g_bytes_get_size (mock_server_get_request (f->server, 0)->body),
                                  "Hello, Confab"));
}

static void
test_error_is_shown (Fixture       *f,
                     gconstpointer  data)
{
  mock_server_queue (f->server, 401,
                     "{\"error\":{\"message\":\"Incorrect API key provided\",\"code\":\"invalid_api_key\"}}",
                     0, NULL);
  type_and_send (f, "Hello?");
  wait_until_idle (f);

  g_assert_nonnull (strstr (confab_window_get_status (f->window), "refused the API key"));
  /* The question stays; no answer was invented. */
  g_assert_cmpuint (g_list_model_get_n_items (confab_window_get_messages (f->window)), ==, 1);
}

static void
test_retry_is_shown (Fixture       *f,
                     gconstpointer  data)
{
  g_object_set (f->client, "retry-base-delay", 1.0, "retry-max-delay", 1.0, NULL);
  mock_server_queue (f->server, 503, "{}", 0, NULL);
  queue_streamed_answer (f, "Better ", "late than ", "never", 0);
  type_and_send (f, "Hello?");

  while (confab_window_get_status (f->window) == NULL ||
         strstr (confab_window_get_status (f->window), "attempt 2 of 3") == NULL)
    g_main_context_iteration (NULL, TRUE);
  wait_until_idle (f);
  g_assert_cmpuint (g_list_model_get_n_items (confab_window_get_messages (f->window)), ==, 2);
}

static void
test_stop (Fixture       *f,
           gconstpointer  data)
{
  mock_server_queue_action (f->server, MOCK_HANG);
  type_and_send (f, "Tell me a long story");
  g_assert_true (confab_window_get_busy (f->window));
  while (mock_server_get_n_requests (f->server) < 1)
    g_main_context_iteration (NULL, FALSE);

  /* Escape, or the Stop button. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.stop", NULL));
  wait_until_idle (f);
  g_assert_cmpstr (confab_window_get_status (f->window), ==, "Stopped");

  /* The window works again after a stop. */
  queue_streamed_answer (f, "Once ", "upon a ", "time", 0);
  type_and_send (f, "Short one then");
  wait_until_idle (f);
  g_assert_cmpuint (g_list_model_get_n_items (confab_window_get_messages (f->window)), ==, 3);
}

int
main (int argc, char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add ("/confab/window/send-and-answer", Fixture, NULL, fixture_setup, test_send_and_answer, fixture_teardown);
  g_test_add ("/confab/window/error-is-shown", Fixture, NULL, fixture_setup, test_error_is_shown, fixture_teardown);
  g_test_add ("/confab/window/retry-is-shown", Fixture, NULL, fixture_setup, test_retry_is_shown, fixture_teardown);
  g_test_add ("/confab/window/stop", Fixture, NULL, fixture_setup, test_stop, fixture_teardown);

  return g_test_run ();
}
