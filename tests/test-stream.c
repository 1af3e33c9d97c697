/* test-stream.c: streamed calls against recorded and broken streams
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <json-glib/json-glib.h>
#include <openai-glib.h>

#include "mock-server.h"
#include "test-util.h"

typedef struct
{
  MockServer *server;
  OaiClient *client;
} Fixture;

typedef struct
{
  GString *content;
  GString *refusal;
  GPtrArray *tool_ids;          /* by index */
  GPtrArray *tool_names;
  GPtrArray *tool_args;         /* GString */
  guint deltas;
  guint usage_signals;
  guint content_notifies;
  guint deltas_after_cancel;
  guint cancel_at_delta;        /* 0: never */
  GCancellable *cancellable;
  gint64 first_delta_time;
  gint64 done_time;
  OaiChatResponse *response;
  GError *error;
  gboolean done;
} Run;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->server = mock_server_new ();
  f->client = oai_client_new ("sk-stream-test");
  g_object_set (f->client, "base-url", mock_server_get_base_url (f->server),
                "retry-base-delay", 0.01, "retry-max-delay", 0.02, NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  mock_assert_finalized (g_steal_pointer (&f->client));
  mock_server_free (f->server);
}

static void
run_clear (Run *run)
{
  g_string_free (run->content, TRUE);
  g_string_free (run->refusal, TRUE);
  g_ptr_array_unref (run->tool_ids);
  g_ptr_array_unref (run->tool_names);
  g_ptr_array_unref (run->tool_args);
  g_clear_object (&run->response);
  g_clear_error (&run->error);
  g_clear_object (&run->cancellable);
}

static void
string_free0 (gpointer s)
{
  if (s)
    g_string_free (s, TRUE);
}

static void
run_init (Run *run)
{
  memset (run, 0, sizeof *run);
  run->content = g_string_new (NULL);
  run->refusal = g_string_new (NULL);
  run->tool_ids = g_ptr_array_new_with_free_func (g_free);
  run->tool_names = g_ptr_array_new_with_free_func (g_free);
  run->tool_args = g_ptr_array_new_with_free_func (string_free0);
  run->cancellable = g_cancellable_new ();
}

static void
count_delta (Run *run)
{
  if (g_cancellable_is_cancelled (run->cancellable))
    run->deltas_after_cancel++;
  run->deltas++;
  if (run->first_delta_time == 0)
    run->first_delta_time = g_get_monotonic_time ();
  if (run->cancel_at_delta != 0 && run->deltas == run->cancel_at_delta)
    g_cancellable_cancel (run->cancellable);
}

static void
content_delta_cb (OaiChatStream *stream,
                  const char    *text,
                  Run           *run)
{
  g_assert_true (*text != '\0');
  /* The message already holds the delta. */
  g_assert_true (g_str_has_suffix (oai_message_get_content (oai_chat_stream_get_message (stream)), text));
  g_string_append (run->content, text);
  count_delta (run);
}

static void
refusal_delta_cb (OaiChatStream *stream,
                  const char    *text,
                  Run           *run)
{
  g_string_append (run->refusal, text);
  count_delta (run);
}

static void
tool_call_delta_cb (OaiChatStream *stream,
                    guint          index,
                    const char    *id,
                    const char    *name,
                    const char    *arguments_delta,
                    Run           *run)
{
  if (index >= run->tool_args->len)
    {
      g_ptr_array_set_size (run->tool_ids, index + 1);
      g_ptr_array_set_size (run->tool_names, index + 1);
      g_ptr_array_set_size (run->tool_args, index + 1);
    }
  if (g_ptr_array_index (run->tool_args, index) == NULL)
    {
      /* The first delta of a call names it; later ones do not. */
      g_ptr_array_index (run->tool_ids, index) = g_strdup (id);
      g_ptr_array_index (run->tool_names, index) = g_strdup (name);
      g_ptr_array_index (run->tool_args, index) = g_string_new (NULL);
    }
  else
    {
      g_assert_null (id);
      g_assert_null (name);
    }
  g_string_append (g_ptr_array_index (run->tool_args, index), arguments_delta);
  count_delta (run);
}

static void
usage_cb (OaiChatStream *stream,
          OaiUsage      *usage,
          Run           *run)
{
  g_assert_true (OAI_IS_USAGE (usage));
  run->usage_signals++;
}

static void
notify_content_cb (OaiMessage *message,
                   GParamSpec *pspec,
                   Run        *run)
{
  run->content_notifies++;
}

static void
run_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Run *run = user_data;

  run->response = oai_chat_stream_run_finish (OAI_CHAT_STREAM (object), result, &run->error);
  run->done_time = g_get_monotonic_time ();
  run->done = TRUE;
}

static OaiChatStream *
run_stream (Fixture *f,
            Run     *run)
{
  g_autoptr(OaiChatRequest) request = oai_chat_request_new ("gpt-4o");
  OaiChatStream *stream;

  oai_chat_request_add_message (request, OAI_ROLE_USER, "What's the weather in San Francisco?");
  stream = oai_client_stream_chat (f->client, request);
  g_signal_connect (stream, "content-delta", G_CALLBACK (content_delta_cb), run);
  g_signal_connect (stream, "refusal-delta", G_CALLBACK (refusal_delta_cb), run);
  g_signal_connect (stream, "tool-call-delta", G_CALLBACK (tool_call_delta_cb), run);
  g_signal_connect (stream, "usage", G_CALLBACK (usage_cb), run);
  g_signal_connect (oai_chat_stream_get_message (stream), "notify::content",
                    G_CALLBACK (notify_content_cb), run);

  oai_chat_stream_run_async (stream, run->cancellable, run_done_cb, run);
  while (!run->done)
    g_main_context_iteration (NULL, TRUE);

  return stream;
}

static char *
load (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", "streams", name, NULL);
  g_autoptr(GError) error = NULL;
  char *data = NULL;

  g_file_get_contents (path, &data, NULL, &error);
  g_assert_no_error (error);
  return data;
}

static const char *
nullable_string (JsonObject *object,
                 const char *name)
{
  JsonNode *node = json_object_get_member (object, name);
  return node && !JSON_NODE_HOLDS_NULL (node) ? json_node_get_string (node) : NULL;
}

static void
check_against_recording (Run           *run,
                         OaiChatStream *stream,
                         JsonObject    *expected)
{
  OaiChatResponse *response = run->response;
  OaiMessage *message = oai_chat_response_get_message (response);
  JsonArray *calls = json_object_get_array_member (expected, "tool_calls");
  JsonNode *usage_node = json_object_get_member (expected, "usage");
  GListModel *tool_calls = oai_chat_response_get_tool_calls (response);

  g_assert_cmpstr (oai_chat_response_get_content (response), ==, nullable_string (expected, "content"));
  g_assert_cmpstr (oai_chat_response_get_refusal (response), ==, nullable_string (expected, "refusal"));
  g_assert_cmpstr (oai_chat_response_get_finish_reason (response), ==,
                   nullable_string (expected, "finish_reason"));
  g_assert_cmpstr (oai_chat_response_get_id (response), ==, nullable_string (expected, "id"));
  g_assert_cmpstr (oai_chat_response_get_model (response), ==, nullable_string (expected, "model"));
  g_assert_true (message == oai_chat_stream_get_message (stream));

  /* What the signals said adds up to the answer. */
  g_assert_cmpuint (run->deltas, ==, json_object_get_int_member (expected, "deltas"));
  g_assert_cmpstr (run->content->str, ==, oai_message_get_content (message) ? oai_message_get_content (message) : "");
  g_assert_cmpstr (run->refusal->str, ==, oai_message_get_refusal (message) ? oai_message_get_refusal (message) : "");

  g_assert_cmpuint (g_list_model_get_n_items (tool_calls), ==, json_array_get_length (calls));
  for (guint i = 0; i < json_array_get_length (calls); i++)
    {
      JsonObject *call = json_array_get_object_element (calls, i);
      g_autoptr(OaiToolCall) got = g_list_model_get_item (tool_calls, i);

      g_assert_cmpstr (oai_tool_call_get_id (got), ==, nullable_string (call, "id"));
      g_assert_cmpstr (oai_tool_call_get_name (got), ==, nullable_string (call, "name"));
      g_assert_cmpstr (oai_tool_call_get_arguments (got), ==, nullable_string (call, "arguments"));
      g_assert_cmpstr (oai_tool_call_get_id (got), ==, g_ptr_array_index (run->tool_ids, i));
      g_assert_cmpstr (oai_tool_call_get_name (got), ==, g_ptr_array_index (run->tool_names, i));
      g_assert_cmpstr (oai_tool_call_get_arguments (got), ==,
                       ((GString *) g_ptr_array_index (run->tool_args, i))->str);
    }

  if (usage_node == NULL || JSON_NODE_HOLDS_NULL (usage_node))
    g_assert_null (oai_chat_response_get_usage (response));
  else
    {
      JsonObject *u = json_node_get_object (usage_node);
      OaiUsage *usage = oai_chat_response_get_usage (response);

      g_assert_nonnull (usage);
      g_assert_cmpuint (oai_usage_get_prompt_tokens (usage), ==, json_object_get_int_member (u, "prompt_tokens"));
      g_assert_cmpuint (oai_usage_get_completion_tokens (usage), ==, json_object_get_int_member (u, "completion_tokens"));
      g_assert_cmpuint (oai_usage_get_total_tokens (usage), ==, json_object_get_int_member (u, "total_tokens"));
      g_assert_cmpuint (oai_usage_get_cached_tokens (usage), ==, json_object_get_int_member (u, "cached_tokens"));
      g_assert_cmpuint (oai_usage_get_reasoning_tokens (usage), ==, json_object_get_int_member (u, "reasoning_tokens"));
      g_assert_false (oai_usage_get_estimated (usage));
      g_assert_cmpuint (run->usage_signals, ==, 1);
      g_assert_true (usage == oai_chat_stream_get_usage (stream));
    }
}

static void
test_recorded (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *expected_path = g_test_build_filename (G_TEST_DIST, "fixtures", "streams",
                                                          "expected.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GList) names = NULL;
  JsonObject *all;
  guint n_runs = 0;

  json_parser_load_from_file (parser, expected_path, &error);
  g_assert_no_error (error);
  all = json_node_get_object (json_parser_get_root (parser));
  names = json_object_get_members (all);
  g_assert_cmpuint (g_list_length (names), ==, 14);

  for (GList *l = names; l != NULL; l = l->next)
    {
      g_autofree char *body = load (l->data);
      JsonObject *expected = json_object_get_object_member (all, l->data);

      /* Whole, byte by byte, at random boundaries, and with CRLF line endings. */
      for (guint variant = 0; variant < 6; variant++)
        {
          MockStream options = { 1, 64, g_test_rand_int (), 0, -1, FALSE, FALSE };
          g_autoptr(OaiChatStream) stream = NULL;
          Run run;

          if (variant == 0)
            options.chunk_min = options.chunk_max = 1 << 20;
          else if (variant == 1)
            options.chunk_max = 1;
          else if (variant >= 4)
            options.crlf = TRUE;

          g_test_message ("%s, variant %u (seed %u)", (char *) l->data, variant, options.seed);
          mock_server_queue_stream (f->server, body, &options);

          run_init (&run);
          stream = run_stream (f, &run);
          g_assert_no_error (run.error);
          check_against_recording (&run, stream, expected);
          g_assert_cmpuint (oai_chat_response_get_attempts (run.response), ==, 1);
          run_clear (&run);
          n_runs++;
        }
    }

  /* The requests asked for a stream with usage. */
  {
    MockRequest *request = mock_server_get_request (f->server, 0);
    const char *body = g_bytes_get_data (request->body, NULL);

    g_assert_nonnull (g_strstr_len (body, g_bytes_get_size (request->body), "\"stream\":true"));
    g_assert_nonnull (g_strstr_len (body, g_bytes_get_size (request->body),
                                    "\"stream_options\":{\"include_usage\":true}"));
    g_assert_cmpstr (soup_message_headers_get_one (request->headers, "Accept"), ==, "text/event-stream");
  }
  g_assert_cmpuint (mock_server_get_n_requests (f->server), ==, n_runs);
  g_assert_cmpuint (oai_cost_tracker_get_request_count (oai_client_get_cost_tracker (f->client)), ==, n_runs);
}

static const char *two_deltas =
  "data: {\"id\":\"c1\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n"
  "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"}}]}\n\n"
  "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" world\"}}]}\n\n";

static void
test_interrupted (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(OaiChatStream) stream = NULL;
  MockStream options = { 1, 16, 7, 0, -1, FALSE, FALSE };
  Run run;

  /* Cut after content: the partial answer stays, and nothing is retried. */
  mock_server_queue_stream (f->server, two_deltas, &options);
  run_init (&run);
  stream = run_stream (f, &run);
  g_assert_error (run.error, OAI_ERROR, OAI_ERROR_STREAM_INTERRUPTED);
  g_assert_false (oai_error_is_retryable (run.error));
  g_assert_cmpstr (oai_message_get_content (oai_chat_stream_get_message (stream)), ==, "Hello world");
  g_assert_cmpstr (run.content->str, ==, "Hello world");
  g_assert_cmpuint (mock_server_get_n_requests (f->server), ==, 1);
  run_clear (&run);
  g_clear_object (&stream);

  /* Cut in the middle of an event after content. */
  {
    g_autofree char *recorded = load ("openai-python-e2aad469.sse");
    MockStream cut = { 1, 512, 3, 0, (gssize) strlen (recorded) / 2, FALSE, FALSE };

    mock_server_queue_stream (f->server, recorded, &cut);
    run_init (&run);
    stream = run_stream (f, &run);
    g_assert_error (run.error, OAI_ERROR, OAI_ERROR_STREAM_INTERRUPTED);
    g_assert_cmpuint (run.content->len, >, 0);
    g_assert_cmpstr (oai_message_get_content (oai_chat_stream_get_message (stream)), ==, run.content->str);
    run_clear (&run);
  }
}

static void
test_retried_before_content (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *recorded = load ("openai-python-e2aad469.sse");
  g_autoptr(OaiChatStream) stream = NULL;
  MockStream cut_early = { 1, 16, 1, 0, 20, FALSE, FALSE };
  MockStream whole = { 64, 512, 2, 0, -1, FALSE, FALSE };
  MockStream role_only = { 64, 512, 2, 0, 0, FALSE, FALSE };
  const char *first_event_end = strstr (recorded, "\n\n");
  Run run;

  /* An HTTP error, a connection dropped, a stream cut inside its first event,
   * a stream cut after an event with no content: all before any delta, so
   * each is retried, and the retry's answer is whole. */
  role_only.cut_at = first_event_end - recorded + 2;
  mock_server_queue (f->server, 503, "{\"error\":{\"message\":\"overloaded\"}}", 0, NULL);
  mock_server_queue_action (f->server, MOCK_DROP);
  mock_server_queue_stream (f->server, recorded, &cut_early);
  mock_server_queue_stream (f->server, recorded, &role_only);
  mock_server_queue_stream (f->server, recorded, &whole);
  g_object_set (f->client, "max-retries", 4, NULL);

  run_init (&run);
  stream = run_stream (f, &run);
  g_assert_no_error (run.error);
  g_assert_cmpuint (oai_chat_response_get_attempts (run.response), ==, 5);
  g_assert_true (g_str_has_prefix (run.content->str, "I'm unable to provide real-time weather"));
  g_assert_cmpstr (run.content->str, ==, oai_chat_response_get_content (run.response));
  run_clear (&run);
}

static void
test_in_band_error (Fixture       *f,
                    gconstpointer  data)
{
  static const char *error_event =
    "data: {\"error\":{\"message\":\"The server had an error while processing your request. Sorry about that!\","
    "\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n";
  g_autofree char *after_content = g_strconcat (two_deltas, error_event, NULL);
  g_autofree char *recorded = load ("pydantic-ai-2.sse");
  g_autoptr(OaiChatStream) stream = NULL;
  Run run;

  /* After content: the server's error, with its message; the content stays. */
  mock_server_queue_stream (f->server, after_content, NULL);
  run_init (&run);
  stream = run_stream (f, &run);
  g_assert_error (run.error, OAI_ERROR, OAI_ERROR_SERVER);
  g_assert_nonnull (strstr (run.error->message, "The server had an error while processing"));
  g_assert_cmpstr (oai_message_get_content (oai_chat_stream_get_message (stream)), ==, "Hello world");
  g_assert_cmpuint (mock_server_get_n_requests (f->server), ==, 1);
  run_clear (&run);
  g_clear_object (&stream);

  /* Before content: retried like an HTTP 500. */
  mock_server_queue_stream (f->server, error_event, NULL);
  mock_server_queue_stream (f->server, recorded, NULL);
  run_init (&run);
  stream = run_stream (f, &run);
  g_assert_no_error (run.error);
  g_assert_cmpstr (oai_chat_response_get_content (run.response), ==, "The capital of the UK is London.");
  g_assert_cmpuint (oai_chat_response_get_attempts (run.response), ==, 2);
  run_clear (&run);
  g_clear_object (&stream);

  /* A quota error inside the stream is not retried. */
  mock_server_queue_stream (f->server,
                            "data: {\"error\":{\"message\":\"You exceeded your current quota\","
                            "\"type\":\"insufficient_quota\",\"code\":\"insufficient_quota\"}}\n\n", NULL);
  run_init (&run);
  stream = run_stream (f, &run);
  g_assert_error (run.error, OAI_ERROR, OAI_ERROR_QUOTA_EXCEEDED);
  run_clear (&run);
}

static void
test_garbage (Fixture       *f,
              gconstpointer  data)
{
  static const char *bodies[] = {
    "data: {not json}\n\n",
    "data: [1,2]\n\n",
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":42}}]}\n\n",
    "data: {\"choices\":{}}\n\n",
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":-1}]}}]}\n\n",
    "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":\"x\"}}\n\n",
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\xff\xfe\"}}]}\n\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(OaiChatStream) stream = NULL;
      g_autofree char *body = g_strconcat (two_deltas, bodies[i], "data: [DONE]\n\n", NULL);
      guint before = mock_server_get_n_requests (f->server);
      Run run;

      g_test_message ("garbage %u", i);
      mock_server_queue_stream (f->server, i % 2 ? body : bodies[i], NULL);
      run_init (&run);
      stream = run_stream (f, &run);
      g_assert_error (run.error, OAI_ERROR, OAI_ERROR_INVALID_RESPONSE);
      g_assert_cmpuint (mock_server_get_n_requests (f->server) - before, ==, 1);
      run_clear (&run);
    }
}

static void
test_keep_alive_and_endings (Fixture       *f,
                             gconstpointer  data)
{
  static const char *body =
    ": OPENROUTER PROCESSING\r\n\r\n"
    "event: message\rdata: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"caf\xC3\xA9\"}}]}\r\r"
    ": keep-alive\n\n"
    "id: 7\nretry: 3000\ndata:{\"choices\":[{\"index\":0,\"delta\":{\"content\":\" \xF0\x9F\x98\x80\"},"
    "\"finish_reason\":\"stop\"}]}\n\n"
    "data: [DONE]";
  g_autoptr(OaiChatStream) stream = NULL;
  MockStream bytewise = { 1, 1, 1, 0, -1, FALSE, FALSE };
  Run run;

  mock_server_queue_stream (f->server, body, &bytewise);
  run_init (&run);
  stream = run_stream (f, &run);
  g_assert_no_error (run.error);
  g_assert_cmpstr (oai_chat_response_get_content (run.response), ==, "caf\xC3\xA9 \xF0\x9F\x98\x80");
  g_assert_cmpstr (oai_chat_response_get_finish_reason (run.response), ==, "stop");
  g_assert_cmpuint (run.content_notifies, ==, 2);
  run_clear (&run);
}

static void
test_end_without_done (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *with_finish =
    g_strconcat (two_deltas, "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n", NULL);
  g_autoptr(OaiChatStream) stream = NULL;
  Run run;

  OaiUsage *usage;

  /* Some servers close after the finish reason, with no [DONE] and no usage:
   * the usage is counted locally, and says so. */
  mock_server_queue_stream (f->server, with_finish, NULL);
  run_init (&run);
  stream = run_stream (f, &run);
  g_assert_no_error (run.error);
  g_assert_cmpstr (oai_chat_response_get_content (run.response), ==, "Hello world");
  usage = oai_chat_response_get_usage (run.response);
  g_assert_nonnull (usage);
  g_assert_true (oai_usage_get_estimated (usage));
  /* "Hello world" is 2 tokens in o200k_base; the question and the framing
   * of one user message, more. */
  g_assert_cmpuint (oai_usage_get_completion_tokens (usage), ==, 2);
  g_assert_cmpuint (oai_usage_get_prompt_tokens (usage), >, 8);
  g_assert_cmpuint (run.usage_signals, ==, 1);
  g_assert_true (oai_chat_stream_get_usage (stream) == usage);
  run_clear (&run);
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GString) body = g_string_new (NULL);
  g_autoptr(OaiChatStream) stream = NULL;
  MockStream options = { 1 << 20, 1 << 20, 1, 0, -1, TRUE, FALSE };
  Run run;

  /* Many deltas in one read, then the server holds the stream open. */
  for (guint i = 0; i < 50; i++)
    g_string_append_printf (body, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"%u \"}}]}\n\n", i);
  mock_server_queue_stream (f->server, body->str, &options);

  run_init (&run);
  run.cancel_at_delta = 3;
  stream = run_stream (f, &run);
  g_assert_error (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* Not one delta after the cancellation, though the read held 47 more. */
  g_assert_cmpuint (run.deltas, ==, 3);
  g_assert_cmpuint (run.deltas_after_cancel, ==, 0);
  g_assert_cmpstr (oai_message_get_content (oai_chat_stream_get_message (stream)), ==, "0 1 2 ");
  /* What was billed for it stays readable, estimated, without a usage signal. */
  g_assert_nonnull (oai_chat_stream_get_usage (stream));
  g_assert_true (oai_usage_get_estimated (oai_chat_stream_get_usage (stream)));
  g_assert_cmpuint (oai_usage_get_completion_tokens (oai_chat_stream_get_usage (stream)), >=, 3);
  g_assert_cmpuint (run.usage_signals, ==, 0);
  run_clear (&run);
  g_clear_object (&stream);

  /* Cancelled while waiting for more of a silent stream. */
  options.hang = TRUE;
  mock_server_queue_stream (f->server, two_deltas, &options);
  run_init (&run);
  g_timeout_add_once (300, (GSourceOnceFunc) g_cancellable_cancel, run.cancellable);
  stream = run_stream (f, &run);
  g_assert_error (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpstr (run.content->str, ==, "Hello world");
  g_assert_cmpuint (run.deltas_after_cancel, ==, 0);
  run_clear (&run);
}

static void
test_pacing (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GString) body = g_string_new (NULL);
  g_autoptr(OaiChatStream) stream = NULL;
  MockStream options = { 0, 0, 1, 150, -1, FALSE, FALSE };
  Run run;

  /* One event per write, 150 ms apart: the deltas must arrive as they are
   * sent, not when the stream ends. */
  for (guint i = 0; i < 10; i++)
    g_string_append_printf (body, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"%u\"}}]}\n\n", i);
  g_string_append (body, "data: [DONE]\n\n");
  options.chunk_min = options.chunk_max = strstr (body->str, "\n\n") - body->str + 2;
  mock_server_queue_stream (f->server, body->str, &options);

  g_object_set (f->client, "timeout", 1.0, NULL);
  run_init (&run);
  stream = run_stream (f, &run);
  g_assert_no_error (run.error);
  g_assert_cmpstr (run.content->str, ==, "0123456789");
  g_assert_cmpint (run.done_time - run.first_delta_time, >=, 1000 * 1000);
  /* The whole stream took longer than the timeout: it is a limit on silence. */
  g_assert_cmpfloat (oai_chat_response_get_latency (run.response), >, 1.2);
  run_clear (&run);
}

static void
test_silence_times_out (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(OaiChatStream) stream = NULL;
  MockStream hang = { 1, 64, 1, 0, -1, TRUE, FALSE };
  Run run;

  g_object_set (f->client, "timeout", 0.3, "max-retries", 1, NULL);

  /* Silent before any content: a time-out, retried. */
  mock_server_queue_stream (f->server, ": waiting\n\n", &hang);
  mock_server_queue_stream (f->server, two_deltas, &hang);
  run_init (&run);
  stream = run_stream (f, &run);
  /* Silent after content: interrupted, kept. */
  g_assert_error (run.error, OAI_ERROR, OAI_ERROR_STREAM_INTERRUPTED);
  g_assert_cmpstr (run.content->str, ==, "Hello world");
  g_assert_cmpuint (mock_server_get_n_requests (f->server), ==, 2);
  run_clear (&run);
}

static void
test_server_ignores_stream (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *body = mock_chat_completion ("A whole answer at once");
  g_autoptr(OaiChatStream) stream = NULL;
  Run run;

  /* Some compatible servers answer plain JSON to stream: true. */
  mock_server_queue (f->server, 200, body, 0, "Content-Type", "application/json", NULL);
  run_init (&run);
  stream = run_stream (f, &run);
  g_assert_no_error (run.error);
  g_assert_cmpstr (run.content->str, ==, "A whole answer at once");
  g_assert_cmpuint (run.deltas, ==, 1);
  g_assert_cmpuint (run.usage_signals, ==, 1);
  g_assert_cmpstr (oai_chat_response_get_content (run.response), ==, "A whole answer at once");
  g_assert_true (oai_chat_response_get_message (run.response) == oai_chat_stream_get_message (stream));
  g_assert_cmpuint (oai_usage_get_total_tokens (oai_chat_response_get_usage (run.response)), ==, 21);
  run_clear (&run);
}

static void
test_run_once (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(OaiChatStream) stream = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(OaiChatResponse) response = NULL;
  g_autofree char *recorded = load ("pydantic-ai-2.sse");
  Run run;

  mock_server_queue_stream (f->server, recorded, NULL);
  run_init (&run);
  stream = run_stream (f, &run);
  g_assert_no_error (run.error);
  run_clear (&run);

  /* A stream is one call: running it again is an error, and sends nothing. */
  oai_chat_stream_run_async (stream, NULL, test_store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  response = oai_chat_stream_run_finish (stream, result, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PENDING);
  g_assert_cmpuint (mock_server_get_n_requests (f->server), ==, 1);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/oai/stream/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("recorded", test_recorded);
  ADD ("interrupted", test_interrupted);
  ADD ("retried-before-content", test_retried_before_content);
  ADD ("in-band-error", test_in_band_error);
  ADD ("garbage", test_garbage);
  ADD ("keep-alive-and-endings", test_keep_alive_and_endings);
  ADD ("end-without-done", test_end_without_done);
  ADD ("cancel", test_cancel);
  ADD ("pacing", test_pacing);
  ADD ("silence-times-out", test_silence_times_out);
  ADD ("run-once", test_run_once);
  ADD ("server-ignores-stream", test_server_ignores_stream);

#undef ADD

  return g_test_run ();
}
