/* test-confab.c: Confab's window driven against the mock server
 *
 * Needs a display: the test command runs it under Xvfb. With
 * CONFAB_SCREENSHOT=file.png, /confab/window/screenshot also saves the window
 * as it looks with a streamed conversation (the metainfo's screenshot).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <math.h>
#include <glib/gstdio.h>
#include <adwaita.h>
#include <openai-glib.h>

#include "confab-application.h"
#include "confab-markdown-view.h"
#include "confab-message-row.h"
#include "confab-window.h"
#include "mock-server.h"

#define MODELS "{\"object\":\"list\",\"data\":[{\"id\":\"gpt-4o-mini\",\"object\":\"model\"}," \
               "{\"id\":\"gpt-4o\",\"object\":\"model\"},{\"id\":\"mock-model\",\"object\":\"model\"}]}"

typedef struct
{
  MockServer *server;
  OaiClient *client;
  OaiCostTracker *tracker;
  char *dir;
  char *db_path;
  ConfabStore *store;
  ConfabWindow *window;
} Fixture;

/* Widgets */

static void
collect_widgets (GtkWidget *root,
                 GType      type,
                 GPtrArray *found)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    g_ptr_array_add (found, root);

  for (GtkWidget *child = gtk_widget_get_first_child (root); child;
       child = gtk_widget_get_next_sibling (child))
    collect_widgets (child, type, found);
}

static GPtrArray *
find_widgets (gpointer root,
              GType    type)
{
  GPtrArray *found = g_ptr_array_new ();

  collect_widgets (GTK_WIDGET (root), type, found);
  return found;
}

static GtkWidget *
find_widget (gpointer root,
             GType    type)
{
  g_autoptr(GPtrArray) found = find_widgets (root, type);

  return found->len > 0 ? g_ptr_array_index (found, 0) : NULL;
}

/* The row showing @message, if it is on screen. */
static ConfabMessageRow *
find_row (Fixture    *f,
          OaiMessage *message)
{
  g_autoptr(GPtrArray) rows = find_widgets (f->window, CONFAB_TYPE_MESSAGE_ROW);

  for (guint i = 0; i < rows->len; i++)
    if (confab_message_row_get_message (g_ptr_array_index (rows, i)) == message)
      return g_ptr_array_index (rows, i);
  return NULL;
}

static GtkStack *
main_stack (Fixture *f)
{
  g_autoptr(GPtrArray) stacks = find_widgets (f->window, GTK_TYPE_STACK);

  for (guint i = 0; i < stacks->len; i++)
    if (gtk_stack_get_child_by_name (g_ptr_array_index (stacks, i), "welcome") != NULL)
      return g_ptr_array_index (stacks, i);
  g_assert_not_reached ();
}

/* Waiting, with generous bounds */

typedef gboolean (*Condition) (Fixture *f, gconstpointer data);

static void
wait_for (Fixture       *f,
          Condition      condition,
          gconstpointer  data)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (!condition (f, data) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
  if (!condition (f, data))
    g_test_message ("Still waiting; status: %s, banner: %s", confab_window_get_status (f->window),
                    confab_window_get_banner (f->window));
  g_assert_true (condition (f, data));
}

static gboolean
is_idle (Fixture *f, gconstpointer data)
{
  return !confab_window_get_busy (f->window);
}

static gboolean
status_contains (Fixture *f, gconstpointer data)
{
  const char *status = confab_window_get_status (f->window);
  return status != NULL && strstr (status, data) != NULL;
}

static gboolean
content_is (Fixture *f, gconstpointer data)
{
  GListModel *messages = confab_window_get_messages (f->window);
  guint n = g_list_model_get_n_items (messages);
  g_autoptr(OaiMessage) last = n ? g_list_model_get_item (messages, n - 1) : NULL;

  return last != NULL && g_strcmp0 (oai_message_get_content (last), data) == 0;
}

static gboolean
has_model (Fixture *f, gconstpointer data)
{
  GtkDropDown *dropdown = GTK_DROP_DOWN (find_widget (f->window, GTK_TYPE_DROP_DOWN));
  GListModel *models = gtk_drop_down_get_model (dropdown);

  for (guint i = 0; i < g_list_model_get_n_items (models); i++)
    if (g_str_equal (gtk_string_list_get_string (GTK_STRING_LIST (models), i), data))
      return TRUE;
  return FALSE;
}

static gboolean
label_contains (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) labels = find_widgets (f->window, GTK_TYPE_LABEL);

  for (guint i = 0; i < labels->len; i++)
    if (strstr (gtk_label_get_label (g_ptr_array_index (labels, i)), data) != NULL)
      return TRUE;
  return FALSE;
}

static void
wait_until_idle (Fixture *f)
{
  wait_for (f, is_idle, NULL);
}

/* Driving the window */

static void
type_and_send (Fixture    *f,
               const char *text)
{
  GtkWidget *composer = find_widget (f->window, GTK_TYPE_TEXT_VIEW);

  g_assert_nonnull (composer);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (composer)), text, -1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.send", NULL));
}

static char *
composer_text (Fixture *f)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (find_widget (f->window, GTK_TYPE_TEXT_VIEW)));
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

/* A streamed answer in three deltas, with usage at the end. */
static void
queue_streamed_answer (Fixture    *f,
                       const char *a,
                       const char *b,
                       const char *c,
                       guint       delay_ms)
{
  g_autofree char *body = g_strdup_printf (
    "data: {\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"%s\"}}]}\n\n"
    "data: {\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"%s\"}}]}\n\n"
    "data: {\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"%s\"},\"finish_reason\":\"stop\"}]}\n\n"
    "data: {\"model\":\"gpt-4o-mini\",\"choices\":[],\"usage\":{\"prompt_tokens\":1200,\"completion_tokens\":300,\"total_tokens\":1500}}\n\n"
    "data: [DONE]\n\n", a, b, c);
  MockStream options = { 1 << 20, 1 << 20, 1, delay_ms, -1, FALSE, FALSE };

  /* One event per write when paced. */
  if (delay_ms > 0)
    options.chunk_min = options.chunk_max = strstr (body, "\n\n") - body + 2;
  mock_server_queue_stream (f->server, body, &options);
}

static void
open_window (Fixture *f)
{
  f->window = g_object_ref_sink (confab_window_new (NULL, f->client, f->store));
  gtk_window_present (GTK_WINDOW (f->window));
}

static void
close_window (Fixture *f)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  g_clear_object (&f->window);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->server = mock_server_new ();
  mock_server_set_models (f->server, MODELS);
  f->client = oai_client_new ("sk-ui-test");
  f->tracker = oai_cost_tracker_new ();
  g_object_set (f->client, "base-url", mock_server_get_base_url (f->server),
                "retry-base-delay", 0.01, "retry-max-delay", 0.02,
                "cost-tracker", f->tracker, NULL);
  f->dir = g_dir_make_tmp ("confab-ui-XXXXXX", &error);
  g_assert_no_error (error);
  f->db_path = g_build_filename (f->dir, "confab", "conversations.db", NULL);
  f->store = confab_store_new (f->db_path, &error);
  g_assert_no_error (error);

  open_window (f);
  /* The window asks the server for its models as it opens. */
  wait_for (f, has_model, "mock-model");
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->window != NULL)
    close_window (f);
  g_clear_object (&f->store);
  g_clear_object (&f->client);
  g_clear_object (&f->tracker);
  mock_server_free (f->server);
  remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->db_path);
}

/* Tests */

static void
test_send_and_answer (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(OaiMessage) answer = NULL;
  GListModel *messages = confab_window_get_messages (f->window);
  ConfabMessageRow *row;
  MockRequest *request;

  g_assert_cmpstr (gtk_stack_get_visible_child_name (main_stack (f)), ==, "empty");
  oai_cost_tracker_set_monthly_budget (f->tracker, 0.01);
  queue_streamed_answer (f, "Hello from the **mock server**, ", "shown in ", "Confab", 300);
  type_and_send (f, "Hello, Confab");

  g_assert_true (confab_window_get_busy (f->window));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (main_stack (f)), ==, "chat");
  /* The answer's row is there at once, and grows while the stream runs. */
  g_assert_cmpuint (g_list_model_get_n_items (messages), ==, 2);
  answer = g_list_model_get_item (messages, 1);
  wait_for (f, content_is, "Hello from the **mock server**, ");
  g_assert_true (confab_window_get_busy (f->window));
  wait_until_idle (f);

  g_assert_cmpuint (g_list_model_get_n_items (messages), ==, 2);
  g_assert_cmpint (oai_message_get_role (answer), ==, OAI_ROLE_ASSISTANT);
  g_assert_cmpstr (oai_message_get_content (answer), ==, "Hello from the **mock server**, shown in Confab");

  /* Both messages are rows on screen; the answer's is Markdown, with its
   * tokens and cost (gpt-4o-mini: 1200 × $0.15 + 300 × $0.60 per million). */
  g_assert_nonnull (find_row (f, g_list_model_get_item (messages, 0)));
  g_object_unref (g_list_model_get_item (messages, 0));
  row = find_row (f, answer);
  g_assert_nonnull (row);
  g_assert_nonnull (strstr (confab_message_row_get_info (row), "1200 → 300 tokens"));
  g_assert_nonnull (strstr (confab_message_row_get_info (row), "$0.0004"));
  g_assert_true (label_contains (f, "<b>mock server</b>"));
  g_assert_cmpfloat_with_epsilon (confab_conversation_get_cost (confab_window_get_conversation (f->window)),
                                  0.00036, 1e-9);

  /* The request carried the conversation and the chosen model. */
  request = mock_server_get_request (f->server, 0);
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (request->body, NULL), g_bytes_get_size (request->body),
                                  "Hello, Confab"));
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (request->body, NULL), g_bytes_get_size (request->body),
                                  "\"stream\":true"));

  /* The header's spending button: this conversation, and the month against
   * its budget. */
  g_assert_true (label_contains (f, "of the monthly budget of $0.0100"));
  g_assert_true (label_contains (f, "4 % of the monthly budget"));

  /* It is saved, titled after the question, and listed. */
  g_assert_cmpuint (g_list_model_get_n_items (confab_store_get_conversations (f->store)), ==, 1);
  g_assert_cmpstr (confab_conversation_get_title (confab_window_get_conversation (f->window)), ==, "Hello, Confab");
  g_assert_true (label_contains (f, "Hello, Confab"));
}

static void
test_markdown (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(OaiMessage) answer = NULL;
  ConfabMessageRow *row;
  GtkWidget *view;

  queue_streamed_answer (f, "# Steps\\n\\n1. Install\\n2. Run\\n\\n", "```sh\\nmeson setup _build\\n", "```\\n", 0);
  type_and_send (f, "How do I build it?");
  wait_until_idle (f);

  answer = g_list_model_get_item (confab_window_get_messages (f->window), 1);
  row = find_row (f, answer);
  g_assert_nonnull (row);
  view = find_widget (row, CONFAB_TYPE_MARKDOWN_VIEW);
  g_assert_nonnull (view);
  /* A heading, two list items and a code block. */
  g_assert_cmpuint (confab_markdown_view_get_n_blocks (CONFAB_MARKDOWN_VIEW (view)), ==, 4);
  g_assert_true (label_contains (f, "meson setup _build"));
}

static void
test_refusal (Fixture       *f,
              gconstpointer  data)
{
  static const char body[] =
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"refusal\":\"I can't help \"}}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"refusal\":\"with that.\"},\"finish_reason\":\"stop\"}]}\n\n"
    "data: [DONE]\n\n";
  MockStream options = { 1 << 20, 1 << 20, 1, 0, -1, FALSE, FALSE };

  mock_server_queue_stream (f->server, body, &options);
  type_and_send (f, "Something not allowed");
  wait_until_idle (f);

  /* A refusal is an answer, shown as one, with no error. */
  g_assert_cmpuint (g_list_model_get_n_items (confab_window_get_messages (f->window)), ==, 2);
  g_assert_true (label_contains (f, "I can't help with that."));
  g_assert_null (confab_window_get_banner (f->window));
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

  /* The banner says what happened and offers the way out. */
  g_assert_nonnull (confab_window_get_banner (f->window));
  g_assert_nonnull (strstr (confab_window_get_banner (f->window), "refused the API key"));
  g_assert_cmpstr (confab_window_get_banner_action (f->window), ==, "app.preferences");
  /* The question stays; no answer was invented. */
  g_assert_cmpuint (g_list_model_get_n_items (confab_window_get_messages (f->window)), ==, 1);

  /* A new key takes the banner away. */
  oai_client_set_api_key (f->client, "sk-ui-test-2");
  g_assert_null (confab_window_get_banner (f->window));
}

static void
test_retry_is_shown (Fixture       *f,
                     gconstpointer  data)
{
  mock_server_queue (f->server, 429, "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\"}}", 0,
                     "retry-after-ms", "2500", NULL);
  queue_streamed_answer (f, "Better ", "late than ", "never", 0);
  type_and_send (f, "Hello?");

  /* The server's wait, rounded up, and the attempt to come. */
  wait_for (f, status_contains, "Retrying in 3 s (attempt 2 of 3)");
  wait_until_idle (f);
  g_assert_cmpuint (g_list_model_get_n_items (confab_window_get_messages (f->window)), ==, 2);
  g_assert_true (content_is (f, "Better late than never"));
  g_assert_null (confab_window_get_status (f->window));
}

static void
test_stop (Fixture       *f,
           gconstpointer  data)
{
  static const char body[] =
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Once upon a time\"}}]}\n\n";
  MockStream options = { 1 << 20, 1 << 20, 1, 0, -1, TRUE, FALSE };
  g_autoptr(OaiMessage) answer = NULL;
  ConfabMessageInfo info;

  /* The start of a story, then the server goes quiet. */
  mock_server_queue_stream (f->server, body, &options);
  type_and_send (f, "Tell me a long story");
  wait_for (f, content_is, "Once upon a time");
  g_assert_true (confab_window_get_busy (f->window));

  /* Escape, or the Stop button. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.stop", NULL));
  wait_until_idle (f);
  g_assert_cmpstr (confab_window_get_status (f->window), ==, "Stopped");
  g_assert_null (confab_window_get_banner (f->window));

  /* What arrived stays, marked stopped, with the estimated cost billed. */
  g_assert_cmpuint (g_list_model_get_n_items (confab_window_get_messages (f->window)), ==, 2);
  answer = g_list_model_get_item (confab_window_get_messages (f->window), 1);
  g_assert_cmpstr (oai_message_get_content (answer), ==, "Once upon a time");
  g_assert_true (confab_conversation_get_message_info (confab_window_get_conversation (f->window), answer, &info));
  g_assert_cmpstr (info.finish_reason, ==, "stopped");
  g_assert_true (info.estimated);
  g_assert_cmpuint (info.completion_tokens, >, 0);
  g_assert_nonnull (strstr (confab_message_row_get_info (find_row (f, answer)), "stopped"));

  /* The window works again after a stop. */
  queue_streamed_answer (f, "The ", "end", ".", 0);
  type_and_send (f, "Short one then");
  wait_until_idle (f);
  g_assert_cmpuint (g_list_model_get_n_items (confab_window_get_messages (f->window)), ==, 4);
}

static void
test_interrupted_and_retry (Fixture       *f,
                            gconstpointer  data)
{
  static const char body[] =
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"The first half\"}}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\" and the sec";
  MockStream options = { 1 << 20, 1 << 20, 1, 0, -1, FALSE, FALSE };

  /* The connection closes in the middle of an event. */
  mock_server_queue_stream (f->server, body, &options);
  type_and_send (f, "Tell me both halves");
  wait_until_idle (f);

  /* The partial answer stays, and the banner offers Retry. */
  g_assert_true (content_is (f, "The first half"));
  g_assert_nonnull (confab_window_get_banner (f->window));
  g_assert_nonnull (strstr (confab_window_get_banner (f->window), "cut off"));
  g_assert_cmpstr (confab_window_get_banner_action (f->window), ==, "win.regenerate");

  /* Retry replaces the cut answer with a whole one. */
  queue_streamed_answer (f, "The first half", " and the second", " half.", 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.regenerate", NULL));
  g_assert_null (confab_window_get_banner (f->window));
  wait_until_idle (f);
  g_assert_cmpuint (g_list_model_get_n_items (confab_window_get_messages (f->window)), ==, 2);
  g_assert_true (content_is (f, "The first half and the second half."));
}

static void
test_edit_and_regenerate (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *text = NULL;
  MockRequest *request;

  queue_streamed_answer (f, "Paris", "", "", 0);
  type_and_send (f, "Capital of Frnace?");
  wait_until_idle (f);

  /* Regenerate asks the same question again. */
  queue_streamed_answer (f, "Paris, ", "of course", "", 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.regenerate", NULL));
  wait_until_idle (f);
  g_assert_cmpuint (g_list_model_get_n_items (confab_window_get_messages (f->window)), ==, 2);
  g_assert_true (content_is (f, "Paris, of course"));
  request = mock_server_get_request (f->server, 1);
  g_assert_null (g_strstr_len (g_bytes_get_data (request->body, NULL), g_bytes_get_size (request->body), "Paris"));

  /* Edit takes the question back into the composer; the conversation keeps
   * it until the edited one is sent. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.edit-last", NULL));
  text = composer_text (f);
  g_assert_cmpstr (text, ==, "Capital of Frnace?");
  g_assert_cmpuint (g_list_model_get_n_items (confab_window_get_messages (f->window)), ==, 2);
  g_assert_nonnull (strstr (confab_window_get_status (f->window), "Editing"));

  queue_streamed_answer (f, "Paris", " again", "", 0);
  type_and_send (f, "Capital of France?");
  wait_until_idle (f);
  g_assert_cmpuint (g_list_model_get_n_items (confab_window_get_messages (f->window)), ==, 2);
  request = mock_server_get_request (f->server, 2);
  g_assert_null (g_strstr_len (g_bytes_get_data (request->body, NULL), g_bytes_get_size (request->body), "Frnace"));
  g_assert_true (content_is (f, "Paris again"));
}

/* An answer still streaming when its conversation is left, deleted or its
 * window closed: it stops, keeps what arrived, and touches nothing else. */
static void
test_leave_while_streaming (Fixture       *f,
                            gconstpointer  data)
{
  static const char body[] =
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Half an answer\"}}]}\n\n";
  MockStream options = { 1 << 20, 1 << 20, 1, 0, -1, TRUE, FALSE };
  g_autoptr(ConfabConversation) first = NULL;
  GListModel *conversations = confab_store_get_conversations (f->store);
  g_autoptr(GError) error = NULL;

  /* Left for a new chat: the new one is not busy, and says nothing of it. */
  mock_server_queue_stream (f->server, body, &options);
  type_and_send (f, "First question");
  wait_for (f, content_is, "Half an answer");
  first = g_object_ref (confab_window_get_conversation (f->window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.new-chat", NULL));
  g_assert_false (confab_window_get_busy (f->window));
  for (guint i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_null (confab_window_get_status (f->window));
  g_assert_null (confab_window_get_banner (f->window));
  g_assert_cmpuint (g_list_model_get_n_items (confab_conversation_get_messages (first)), ==, 2);

  /* Deleted while it streams: it does not come back when the answer ends. */
  mock_server_queue_stream (f->server, body, &options);
  type_and_send (f, "Second question");
  wait_for (f, content_is, "Half an answer");
  g_assert_cmpuint (g_list_model_get_n_items (conversations), ==, 2);
  confab_window_delete_conversation (f->window, confab_window_get_conversation (f->window));
  for (guint i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (g_list_model_get_n_items (conversations), ==, 1);

  /* The window closed while it streams: what arrived is in the database. */
  mock_server_queue_stream (f->server, body, &options);
  type_and_send (f, "Third question");
  wait_for (f, content_is, "Half an answer");
  close_window (f);
  g_clear_object (&f->store);
  f->store = confab_store_new (f->db_path, &error);
  g_assert_no_error (error);
  conversations = confab_store_get_conversations (f->store);
  g_assert_cmpuint (g_list_model_get_n_items (conversations), ==, 2);
  {
    g_autoptr(ConfabConversation) third = g_list_model_get_item (conversations, 0);
    g_autoptr(OaiMessage) answer = NULL;

    g_assert_cmpstr (confab_conversation_get_title (third), ==, "Third question");
    g_assert_true (confab_store_load_messages (f->store, third, &error));
    g_assert_cmpuint (g_list_model_get_n_items (confab_conversation_get_messages (third)), ==, 2);
    answer = g_list_model_get_item (confab_conversation_get_messages (third), 1);
    g_assert_cmpstr (oai_message_get_content (answer), ==, "Half an answer");
  }
  open_window (f);
}

static void
test_persistence (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OaiMessage) answer = NULL;
  ConfabConversation *conversation;
  GListModel *conversations;
  ConfabMessageInfo info;

  queue_streamed_answer (f, "Remember ", "this", ".", 0);
  type_and_send (f, "Something to remember");
  wait_until_idle (f);
  queue_streamed_answer (f, "Second ", "chat", ".", 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.new-chat", NULL));
  g_assert_cmpuint (g_list_model_get_n_items (confab_window_get_messages (f->window)), ==, 0);
  type_and_send (f, "Another conversation");
  wait_until_idle (f);

  /* Closed, and opened again from the file. */
  close_window (f);
  g_clear_object (&f->store);
  f->store = confab_store_new (f->db_path, &error);
  g_assert_no_error (error);
  g_assert_null (confab_store_get_set_aside_path (f->store));
  open_window (f);

  conversations = confab_store_get_conversations (f->store);
  g_assert_cmpuint (g_list_model_get_n_items (conversations), ==, 2);
  g_assert_true (label_contains (f, "Something to remember"));
  g_assert_true (label_contains (f, "Another conversation"));

  /* The older one, chosen in the sidebar, has its messages and costs. */
  conversation = g_list_model_get_item (conversations, 1);
  g_object_unref (conversation);
  g_assert_cmpstr (confab_conversation_get_title (conversation), ==, "Something to remember");
  confab_window_select_conversation (f->window, conversation);
  g_assert_true (confab_window_get_conversation (f->window) == conversation);
  g_assert_cmpuint (g_list_model_get_n_items (confab_window_get_messages (f->window)), ==, 2);
  g_assert_true (content_is (f, "Remember this."));
  answer = g_list_model_get_item (confab_window_get_messages (f->window), 1);
  g_assert_true (confab_conversation_get_message_info (conversation, answer, &info));
  g_assert_cmpuint (info.prompt_tokens, ==, 1200);
  g_assert_cmpuint (info.completion_tokens, ==, 300);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (main_stack (f)), ==, "chat");

  /* And it goes on where it stopped. */
  queue_streamed_answer (f, "Still ", "here", ".", 0);
  type_and_send (f, "Are you still there?");
  wait_until_idle (f);
  g_assert_cmpuint (g_list_model_get_n_items (confab_window_get_messages (f->window)), ==, 4);
  {
    MockRequest *request = mock_server_get_request (f->server, 2);
    g_assert_nonnull (g_strstr_len (g_bytes_get_data (request->body, NULL), g_bytes_get_size (request->body),
                                    "Remember this."));
  }
}

static void
test_delete (Fixture       *f,
             gconstpointer  data)
{
  GListModel *conversations = confab_store_get_conversations (f->store);

  queue_streamed_answer (f, "Soon ", "gone", ".", 0);
  type_and_send (f, "Delete me");
  wait_until_idle (f);
  g_assert_cmpuint (g_list_model_get_n_items (conversations), ==, 1);

  confab_window_delete_conversation (f->window, confab_window_get_conversation (f->window));
  g_assert_cmpuint (g_list_model_get_n_items (conversations), ==, 0);
  g_assert_null (confab_window_get_conversation (f->window));
  g_assert_cmpuint (g_list_model_get_n_items (confab_window_get_messages (f->window)), ==, 0);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (main_stack (f)), ==, "empty");

  /* Gone from the file too. */
  close_window (f);
  g_clear_object (&f->store);
  f->store = confab_store_new (f->db_path, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (confab_store_get_conversations (f->store)), ==, 0);
}

static void
test_first_run (Fixture       *f,
                gconstpointer  data)
{
  close_window (f);
  oai_client_set_api_key (f->client, NULL);
  oai_client_set_base_url (f->client, NULL);
  open_window (f);

  /* No key for api.openai.com: the welcome page, and nothing to send. */
  g_assert_cmpstr (gtk_stack_get_visible_child_name (main_stack (f)), ==, "welcome");
  g_assert_true (label_contains (f, "API key"));
  type_and_send (f, "Hello?");
  g_assert_cmpuint (g_list_model_get_n_items (confab_window_get_messages (f->window)), ==, 0);

  /* A key (from Preferences, or the keyring at start) opens the chat. */
  oai_client_set_api_key (f->client, "sk-now-set");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (main_stack (f)), ==, "empty");

  /* So does a local server, which needs none. */
  oai_client_set_api_key (f->client, NULL);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (main_stack (f)), ==, "welcome");
  oai_client_set_base_url (f->client, mock_server_get_base_url (f->server));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (main_stack (f)), ==, "empty");
}

static void
test_models (Fixture       *f,
             gconstpointer  data)
{
  GtkDropDown *dropdown = GTK_DROP_DOWN (find_widget (f->window, GTK_TYPE_DROP_DOWN));
  MockRequest *request;

  /* The server's list (the fixture waited for it), with the default model
   * selected. */
  g_assert_true (has_model (f, "gpt-4o"));
  g_assert_cmpstr (gtk_string_object_get_string (gtk_drop_down_get_selected_item (dropdown)), ==, "gpt-4o-mini");

  /* Choosing one sends with it, and remembers it. */
  g_assert_true (has_model (f, "mock-model"));
  for (guint i = 0; i < g_list_model_get_n_items (gtk_drop_down_get_model (dropdown)); i++)
    if (g_str_equal (gtk_string_list_get_string (GTK_STRING_LIST (gtk_drop_down_get_model (dropdown)), i),
                     "mock-model"))
      gtk_drop_down_set_selected (dropdown, i);
  queue_streamed_answer (f, "Hi", "", "", 0);
  type_and_send (f, "Which model?");
  wait_until_idle (f);
  request = mock_server_get_request (f->server, 0);
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (request->body, NULL), g_bytes_get_size (request->body),
                                  "\"model\":\"mock-model\""));
  g_assert_cmpstr (confab_conversation_get_model (confab_window_get_conversation (f->window)), ==, "mock-model");

  /* A server without /models: the price table's models. */
  close_window (f);
  mock_server_set_models (f->server, NULL);
  mock_server_set_default (f->server, 404, "{\"error\":{\"message\":\"Not found\"}}", 0, NULL);
  open_window (f);
  wait_for (f, has_model, "gpt-4.1");
  g_assert_false (has_model (f, "mock-model") && g_list_model_get_n_items (gtk_drop_down_get_model (
                    GTK_DROP_DOWN (find_widget (f->window, GTK_TYPE_DROP_DOWN)))) == 3);
}

static gboolean
token_label_is (Fixture *f, gconstpointer data)
{
  return label_contains (f, data);
}

static void
test_token_count (Fixture       *f,
                  gconstpointer  data)
{
  GtkWidget *composer = find_widget (f->window, GTK_TYPE_TEXT_VIEW);

  /* "Hello world" is 2 tokens for gpt-4o-mini (o200k_base). */
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (composer)), "Hello world", -1);
  wait_for (f, token_label_is, "2 tokens · 2 with the conversation");

  /* After a turn, the conversation counts too, as the server will: "Hello
   * world" and "Hi" are 3 tokens, each message adds 4 of framing and the
   * answer's priming 3 (tiktoken's cookbook count), 14 in all. */
  queue_streamed_answer (f, "Hi", "", "", 0);
  type_and_send (f, "Hello world");
  wait_until_idle (f);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (composer)), "Hello world", -1);
  wait_for (f, token_label_is, "2 tokens · 16 with the conversation");
}

static void
test_long_conversation (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 10000; i++)
    {
      g_autofree char *text = g_strdup_printf ("Message number %u", i);
      g_autoptr(OaiMessage) message = oai_message_new (i % 2 ? OAI_ROLE_ASSISTANT : OAI_ROLE_USER, text);

      confab_conversation_append (conversation, message);
    }
  g_assert_true (confab_store_save (f->store, conversation, &error));
  g_assert_no_error (error);

  confab_window_select_conversation (f->window, conversation);
  g_assert_cmpuint (g_list_model_get_n_items (confab_window_get_messages (f->window)), ==, 10000);
  for (guint i = 0; i < 10; i++)
    g_main_context_iteration (NULL, FALSE);

  /* The view makes rows for what is on screen, not for 10,000 messages. */
  rows = find_widgets (f->window, CONFAB_TYPE_MESSAGE_ROW);
  g_assert_cmpuint (rows->len, >, 0);
  g_assert_cmpuint (rows->len, <, 400);
}

static gboolean
is_folded (Fixture *f, gconstpointer data)
{
  return adw_leaflet_get_folded (ADW_LEAFLET (find_widget (f->window, ADW_TYPE_LEAFLET))) == GPOINTER_TO_INT (data);
}

static void
test_narrow (Fixture       *f,
             gconstpointer  data)
{
  AdwLeaflet *leaflet = ADW_LEAFLET (find_widget (f->window, ADW_TYPE_LEAFLET));

  queue_streamed_answer (f, "Narrow ", "is ", "fine", 0);
  type_and_send (f, "Does it fit a phone?");
  wait_until_idle (f);

  /* A phone-sized window shows one pane at a time. */
  gtk_window_set_default_size (GTK_WINDOW (f->window), 360, 640);
  wait_for (f, is_folded, GINT_TO_POINTER (TRUE));
  g_assert_cmpstr (adw_leaflet_get_visible_child_name (leaflet), ==, "content");

  /* Back to the list, and a conversation chosen there comes forward. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-conversations", NULL));
  g_assert_cmpstr (adw_leaflet_get_visible_child_name (leaflet), ==, "sidebar");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.new-chat", NULL));
  g_assert_cmpstr (adw_leaflet_get_visible_child_name (leaflet), ==, "content");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-conversations", NULL));
  confab_window_select_conversation (f->window,
                                     g_list_model_get_item (confab_store_get_conversations (f->store), 0));
  g_object_unref (confab_window_get_conversation (f->window));
  g_assert_cmpstr (adw_leaflet_get_visible_child_name (leaflet), ==, "content");
  g_assert_true (content_is (f, "Narrow is fine"));

  /* Wide again: both panes. */
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1000, 700);
  wait_for (f, is_folded, GINT_TO_POINTER (FALSE));
}

static gboolean
spinner_stopped (Fixture *f, gconstpointer data)
{
  return !gtk_spinner_get_spinning (GTK_SPINNER (find_widget (f->window, GTK_TYPE_SPINNER)));
}

/* Confab as a person starts it: the application, its own data directory
 * (XDG_DATA_HOME is this test's), OPENAI_BASE_URL and OPENAI_API_KEY. */
static void
test_application (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(ConfabApplication) app = NULL;
  g_autofree char *data_dir = g_build_filename (g_get_user_data_dir (), "confab", NULL);
  g_autofree char *db = g_build_filename (data_dir, "conversations.db", NULL);
  g_autoptr(GError) error = NULL;
  ConfabWindow *window;
  GStatBuf st;

  close_window (f);
  g_assert_cmpint (g_mkdir_with_parents (data_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (db, "this is not a database", -1, NULL));
  g_setenv ("OPENAI_BASE_URL", mock_server_get_base_url (f->server), TRUE);
  g_setenv ("OPENAI_API_KEY", "sk-from-environment", TRUE);

  app = confab_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (app));
  window = CONFAB_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_assert_nonnull (window);
  f->window = g_object_ref (window);

  /* The unreadable database is reported and set aside, not lost. */
  g_assert_nonnull (confab_window_get_banner (window));
  g_assert_nonnull (strstr (confab_window_get_banner (window), "could not be read"));
  g_assert_nonnull (strstr (confab_window_get_banner (window), "conversations.db.corrupt-"));

  /* Ctrl+? shows the shortcuts, from gtk/help-overlay.ui. */
  g_assert_nonnull (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window)));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL));

  /* It talks to the server the environment names, with its key. */
  queue_streamed_answer (f, "Hello ", "from the ", "environment", 0);
  type_and_send (f, "Hello?");
  wait_until_idle (f);
  g_assert_true (content_is (f, "Hello from the environment"));
  g_assert_cmpstr (soup_message_headers_get_one (mock_server_get_request (f->server, 0)->headers, "Authorization"),
                   ==, "Bearer sk-from-environment");
  wait_for (f, spinner_stopped, NULL);

  /* Its files are the owner's alone. */
  g_assert_cmpint (g_stat (db, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (data_dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&f->window);
  g_unsetenv ("OPENAI_BASE_URL");
  g_unsetenv ("OPENAI_API_KEY");
}

/* The metainfo's screenshot: a real conversation, streamed from the mock
 * server into the window, rendered to a PNG. */
static void
test_screenshot (Fixture       *f,
                 gconstpointer  data)
{
  const char *path = g_getenv ("CONFAB_SCREENSHOT");
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GskRenderer *renderer;
  int width, height;

  if (path == NULL)
    {
      g_test_skip ("Set CONFAB_SCREENSHOT to a file to take the screenshot");
      return;
    }

  gtk_window_set_default_size (GTK_WINDOW (f->window), 1000, 700);
  queue_streamed_answer (f, "Rust in the Linux kernel", "", "", 0);
  type_and_send (f, "Suggest a title for a talk on memory safety");
  wait_until_idle (f);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.new-chat", NULL));
  queue_streamed_answer (f,
                         "Here is a small, safe way to read a file line by line in C with GLib:\\n\\n",
                         "```c\\ng_autoptr(GFile) file = g_file_new_for_path (path);\\n"
                         "g_autoptr(GFileInputStream) in = g_file_read (file, NULL, &error);\\n"
                         "g_autoptr(GDataInputStream) data = g_data_input_stream_new (G_INPUT_STREAM (in));\\n"
                         "char *line;\\n\\nwhile ((line = g_data_input_stream_read_line_utf8 (data, NULL, NULL, &error)))\\n"
                         "  {\\n    g_print (\\\"%s\\\\n\\\", line);\\n    g_free (line);\\n  }\\n```\\n\\n",
                         "- **`g_autoptr`** frees the objects when they go out of scope.\\n"
                         "- `read_line_utf8` checks that each line is valid UTF-8.\\n"
                         "- Errors land in `error`: check it after the loop.", 120);
  type_and_send (f, "How do I read a text file line by line in C with GLib?");
  wait_until_idle (f);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (find_widget (f->window, GTK_TYPE_TEXT_VIEW))),
                            "And in Python?", -1);
  for (guint i = 0; i < 50; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
    }

  width = gtk_widget_get_width (GTK_WIDGET (f->window));
  height = gtk_widget_get_height (GTK_WIDGET (f->window));
  paintable = gtk_widget_paintable_new (GTK_WIDGET (f->window));
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  renderer = gtk_native_get_renderer (GTK_NATIVE (f->window));
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
}

int
main (int argc, char *argv[])
{
  g_autofree char *home = g_dir_make_tmp ("confab-home-XXXXXX", NULL);
  g_autofree char *data_home = g_build_filename (home, "data", NULL);
  int status;

  /* This test's own data directory, before GLib reads it. */
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_unsetenv ("OPENAI_API_KEY");
  g_unsetenv ("OPENAI_BASE_URL");
  g_unsetenv ("CONFAB_MODEL");

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  /* What AdwApplication loads for the app. */
  {
    g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

    gtk_css_provider_load_from_resource (css, "/io/github/openaiglib/Confab/style.css");
    gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  }

#define ADD(name, func) g_test_add ("/confab/window/" name, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("send-and-answer", test_send_and_answer);
  ADD ("markdown", test_markdown);
  ADD ("refusal", test_refusal);
  ADD ("error-is-shown", test_error_is_shown);
  ADD ("retry-is-shown", test_retry_is_shown);
  ADD ("stop", test_stop);
  ADD ("interrupted-and-retry", test_interrupted_and_retry);
  ADD ("edit-and-regenerate", test_edit_and_regenerate);
  ADD ("leave-while-streaming", test_leave_while_streaming);
  ADD ("persistence", test_persistence);
  ADD ("delete", test_delete);
  ADD ("first-run", test_first_run);
  ADD ("models", test_models);
  ADD ("token-count", test_token_count);
  ADD ("long-conversation", test_long_conversation);
  ADD ("narrow", test_narrow);
  ADD ("application", test_application);
  ADD ("screenshot", test_screenshot);
#undef ADD

  status = g_test_run ();
  remove_tree (home);
  return status;
}
