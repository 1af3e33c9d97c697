/* test-client.c: the call pipeline against the mock server
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <openai-glib.h>

#include "mock-server.h"
#include "test-util.h"

/* The client's limit on answers, OAI_MAX_RESPONSE_SIZE. */
#define OAI_MAX_RESPONSE_SIZE_FOR_TEST (64 * 1024 * 1024)

#define TEST_KEY "sk-test-0123456789abcdefSECRET"

typedef struct
{
  MockServer *server;
  OaiClient *client;
  GPtrArray *records;           /* OaiRequestRecord */
  GArray *retry_attempts;       /* guint */
  GArray *retry_delays;         /* guint */
  GPtrArray *alerts;            /* "kind:message" */
  GCancellable *cancel_on_retry;
} Fixture;

static void
record_cb (OaiClient        *client,
           OaiRequestRecord *record,
           Fixture          *f)
{
  g_ptr_array_add (f->records, g_object_ref (record));
}

static void
retrying_cb (OaiClient    *client,
             guint         attempt,
             const GError *error,
             guint         delay_ms,
             Fixture      *f)
{
  g_assert_nonnull (error);
  g_array_append_val (f->retry_attempts, attempt);
  g_array_append_val (f->retry_delays, delay_ms);
  if (f->cancel_on_retry != NULL)
    g_cancellable_cancel (f->cancel_on_retry);
}

static void
alert_cb (OaiClient    *client,
          OaiAlertKind  kind,
          const char   *message,
          Fixture      *f)
{
  g_autofree char *name = g_enum_to_string (OAI_TYPE_ALERT_KIND, kind);

  g_ptr_array_add (f->alerts, g_strdup_printf ("%s:%s", name, message));
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->server = mock_server_new ();
  f->client = oai_client_new (TEST_KEY);
  g_object_set (f->client,
                "base-url", mock_server_get_base_url (f->server),
                "retry-base-delay", 0.01,
                "retry-max-delay", 0.04,
                /* The server-error rate has a test of its own. */
                "error-rate-window", 100000,
                NULL);
  f->records = g_ptr_array_new_with_free_func (g_object_unref);
  f->retry_attempts = g_array_new (FALSE, FALSE, sizeof (guint));
  f->retry_delays = g_array_new (FALSE, FALSE, sizeof (guint));
  f->alerts = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (f->client, "request-finished", G_CALLBACK (record_cb), f);
  g_signal_connect (f->client, "retrying", G_CALLBACK (retrying_cb), f);
  g_signal_connect (f->client, "alert", G_CALLBACK (alert_cb), f);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  mock_assert_finalized (g_steal_pointer (&f->client));
  g_clear_pointer (&f->server, mock_server_free);
  g_ptr_array_unref (f->records);
  g_array_unref (f->retry_attempts);
  g_array_unref (f->retry_delays);
  g_ptr_array_unref (f->alerts);
  g_clear_object (&f->cancel_on_retry);
}

static OaiChatRequest *
hello_request (void)
{
  OaiChatRequest *request = oai_chat_request_new ("gpt-4o-mini");
  oai_chat_request_add_message (request, OAI_ROLE_USER, "Say hello");
  return request;
}

static OaiChatResponse *
run_chat (Fixture       *f,
          GCancellable  *cancellable,
          GError       **error)
{
  g_autoptr(OaiChatRequest) request = hello_request ();

  return test_run_chat (f->client, request, cancellable, error);
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static char *
load_fixture (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", name, NULL);
  g_autoptr(GError) error = NULL;
  char *data = NULL;

  g_file_get_contents (path, &data, NULL, &error);
  g_assert_no_error (error);
  return data;
}

static void
test_success (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *body = mock_chat_completion ("Hello there!");
  g_autoptr(GError) error = NULL;
  g_autoptr(OaiChatResponse) response = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  MockRequest *request;
  OaiRequestRecord *record;
  JsonObject *sent;

  g_object_set (f->client, "organization", "org-test", "project", "proj_test", NULL);
  mock_server_queue (f->server, 200, body, 0, "x-request-id", "req_success", NULL);

  response = run_chat (f, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (oai_chat_response_get_content (response), ==, "Hello there!");
  g_assert_null (oai_chat_response_get_refusal (response));
  g_assert_cmpstr (oai_chat_response_get_id (response), ==, "chatcmpl-test");
  g_assert_cmpstr (oai_chat_response_get_model (response), ==, "gpt-4o-mini-2024-07-18");
  g_assert_cmpstr (oai_chat_response_get_finish_reason (response), ==, "stop");
  g_assert_cmpstr (oai_chat_response_get_request_id (response), ==, "req_success");
  g_assert_cmpuint (oai_chat_response_get_attempts (response), ==, 1);
  g_assert_cmpfloat (oai_chat_response_get_latency (response), >, 0.0);
  g_assert_cmpuint (oai_usage_get_total_tokens (oai_chat_response_get_usage (response)), ==, 21);

  /* What went over the wire. */
  g_assert_cmpuint (mock_server_get_n_requests (f->server), ==, 1);
  request = mock_server_get_request (f->server, 0);
  g_assert_cmpstr (request->method, ==, "POST");
  g_assert_cmpstr (request->path, ==, "/v1/chat/completions");
  g_assert_cmpstr (soup_message_headers_get_one (request->headers, "Authorization"), ==,
                   "Bearer " TEST_KEY);
  g_assert_cmpstr (soup_message_headers_get_one (request->headers, "OpenAI-Organization"), ==,
                   "org-test");
  g_assert_cmpstr (soup_message_headers_get_one (request->headers, "OpenAI-Project"), ==,
                   "proj_test");
  g_assert_cmpstr (soup_message_headers_get_content_type (request->headers, NULL), ==,
                   "application/json");
  g_assert_true (g_str_has_prefix (soup_message_headers_get_one (request->headers, "User-Agent"),
                                   "openai-glib/"));
  g_assert_true (g_str_has_prefix (soup_message_headers_get_one (request->headers, "Idempotency-Key"),
                                   "oai-glib-"));
  g_assert_cmpstr (soup_message_headers_get_one (request->headers, "X-Retry-Count"), ==, "0");

  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (request->body, NULL),
                                             g_bytes_get_size (request->body), NULL));
  sent = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (sent, "model"), ==, "gpt-4o-mini");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (sent, "messages")), ==, 1);

  /* The record and the tracker. */
  g_assert_cmpuint (f->records->len, ==, 1);
  record = g_ptr_array_index (f->records, 0);
  g_assert_true (oai_request_record_get_succeeded (record));
  g_assert_cmpstr (oai_request_record_get_model (record), ==, "gpt-4o-mini");
  g_assert_cmpuint (oai_request_record_get_status (record), ==, 200);
  g_assert_cmpuint (oai_request_record_get_attempts (record), ==, 1);
  g_assert_cmpstr (oai_request_record_get_request_id (record), ==, "req_success");
  g_assert_cmpstr (oai_request_record_get_finish_reason (record), ==, "stop");
  g_assert_cmpuint (oai_usage_get_prompt_tokens (oai_request_record_get_usage (record)), ==, 9);
  g_assert_cmpfloat (oai_request_record_get_latency (record), >, 0.0);
  g_assert_cmpuint (oai_cost_tracker_get_request_count (oai_client_get_cost_tracker (f->client)), ==, 1);
  g_assert_cmpuint (oai_cost_tracker_get_prompt_tokens (oai_client_get_cost_tracker (f->client)), ==, 9);
  g_assert_cmpuint (oai_cost_tracker_get_completion_tokens (oai_client_get_cost_tracker (f->client)), ==, 12);
  g_assert_cmpuint (f->alerts->len, ==, 0);
}

static void
test_no_key_no_header (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OaiChatResponse) response = NULL;

  oai_client_set_api_key (f->client, NULL);
  response = run_chat (f, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (soup_message_headers_get_one (mock_server_get_request (f->server, 0)->headers,
                                               "Authorization"));
}

static void
test_key_white_space (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OaiChatResponse) response = NULL;

  /* A key read from a file keeps its newline: it is not part of the key. */
  oai_client_set_api_key (f->client, "  sk-from-a-file\n");
  g_assert_cmpstr (oai_client_get_api_key (f->client), ==, "sk-from-a-file");
  oai_client_set_organization (f->client, "org-1\r\n");
  mock_server_queue (f->server, 200, "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"}}]}", 0, NULL);
  response = run_chat (f, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (soup_message_headers_get_one (mock_server_get_request (f->server, 0)->headers, "Authorization"),
                   ==, "Bearer sk-from-a-file");
  g_assert_cmpstr (soup_message_headers_get_one (mock_server_get_request (f->server, 0)->headers,
                                                 "OpenAI-Organization"), ==, "org-1");

  /* One inside it cannot be sent: a clear error, no request, no critical from
   * libsoup, and the key is not quoted. */
  oai_client_set_api_key (f->client, "sk-first-line\r\nX-Injected: 1");
  g_clear_object (&response);
  response = run_chat (f, NULL, &error);
  g_assert_null (response);
  g_assert_error (error, OAI_ERROR, OAI_ERROR_AUTHENTICATION);
  g_assert_null (strstr (error->message, "sk-first-line"));
  g_assert_false (oai_error_is_retryable (error));
  g_assert_cmpuint (mock_server_get_n_requests (f->server), ==, 1);
  g_clear_error (&error);

  oai_client_set_api_key (f->client, "sk-fine");
  oai_client_set_project (f->client, "proj\n2");
  response = run_chat (f, NULL, &error);
  g_assert_error (error, OAI_ERROR, OAI_ERROR_INVALID_REQUEST);
  g_assert_cmpuint (mock_server_get_n_requests (f->server), ==, 1);
}

typedef struct
{
  guint status;
  const char *body;           /* or a fixture file name starting with '@' */
  const char *header;
  const char *header_value;
  OaiError code;
  gboolean retried;
  const char *in_message;
} TaxonomyRow;

static const TaxonomyRow taxonomy[] = {
  { 429, "{\"error\":{\"message\":\"Rate limit reached for gpt-4o\",\"type\":\"tokens\",\"param\":null,"
         "\"code\":\"rate_limit_exceeded\"}}", "retry-after-ms", "5",
    OAI_ERROR_RATE_LIMITED, TRUE, "Rate limit reached for gpt-4o" },
  { 429, "{\"error\":{\"message\":\"You exceeded your current quota\",\"type\":\"insufficient_quota\","
         "\"param\":null,\"code\":\"insufficient_quota\"}}", NULL, NULL,
    OAI_ERROR_QUOTA_EXCEEDED, FALSE, "You exceeded your current quota" },
  { 500, "@error-500-server_error.json", NULL, NULL, OAI_ERROR_SERVER, TRUE,
    "The server had an error processing your request" },
  { 502, "<html>Bad Gateway</html>", NULL, NULL, OAI_ERROR_SERVER, TRUE, "Bad Gateway" },
  { 503, "{\"error\":{\"message\":\"Service Unavailable\"}}", NULL, NULL, OAI_ERROR_SERVER, TRUE,
    "Service Unavailable" },
  { 504, "", NULL, NULL, OAI_ERROR_SERVER, TRUE, "HTTP 504" },
  { 409, "{\"error\":{\"message\":\"Conflict on resource\"}}", NULL, NULL, OAI_ERROR_CONFLICT, TRUE,
    "Conflict on resource" },
  { 400, "{\"error\":{\"message\":\"This model's maximum context length is 128000 tokens. However, "
         "your messages resulted in 130412 tokens. Please reduce the length of the messages.\","
         "\"type\":\"invalid_request_error\",\"param\":\"messages\",\"code\":\"context_length_exceeded\"}}",
    NULL, NULL, OAI_ERROR_CONTEXT_LENGTH_EXCEEDED, FALSE, "maximum context length is 128000" },
  { 400, "{\"error\":{\"message\":\"'messages' must contain the word 'json'\",\"type\":"
         "\"invalid_request_error\",\"param\":\"messages\",\"code\":null}}", NULL, NULL,
    OAI_ERROR_INVALID_REQUEST, FALSE, "must contain the word" },
  { 422, "{\"detail\":[{\"msg\":\"field required\"}]}", NULL, NULL, OAI_ERROR_INVALID_REQUEST,
    FALSE, "HTTP 422" },
  { 401, "@error-401-invalid_api_key.json", "Www-Authenticate", "Bearer realm=\"OpenAI API\"",
    OAI_ERROR_AUTHENTICATION, FALSE, "Incorrect API key provided" },
  { 403, "{\"error\":{\"message\":\"Project does not have access to model\",\"code\":"
         "\"model_not_allowed\"}}", NULL, NULL, OAI_ERROR_PERMISSION_DENIED, FALSE,
    "does not have access" },
  { 404, "{\"error\":{\"message\":\"The model `gpt-9` does not exist\",\"type\":"
         "\"invalid_request_error\",\"code\":\"model_not_found\"}}", NULL, NULL,
    OAI_ERROR_NOT_FOUND, FALSE, "code model_not_found" },
  { 200, "{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}", NULL, NULL,
    OAI_ERROR_SERVER, TRUE, "overloaded" },
  { 418, "{\"error\":{\"message\":\"teapot\"}}", NULL, NULL, OAI_ERROR_FAILED, FALSE, "teapot" },
};

static void
test_taxonomy (Fixture       *f,
               gconstpointer  data)
{
  oai_client_set_max_retries (f->client, 1);

  for (guint i = 0; i < G_N_ELEMENTS (taxonomy); i++)
    {
      const TaxonomyRow *row = &taxonomy[i];
      g_autofree char *body = row->body[0] == '@' ? load_fixture (row->body + 1) : g_strdup (row->body);
      g_autoptr(GError) error = NULL;
      g_autoptr(OaiChatResponse) response = NULL;
      guint before = mock_server_get_n_requests (f->server);
      OaiRequestRecord *record;

      g_test_message ("row %u: HTTP %u", i, row->status);
      mock_server_set_default (f->server, row->status, body, 0,
                               "x-request-id", "req_taxonomy",
                               row->header ? row->header : "X-Nothing",
                               row->header_value ? row->header_value : "",
                               NULL);
      g_array_set_size (f->retry_attempts, 0);
      g_ptr_array_set_size (f->alerts, 0);

      response = run_chat (f, NULL, &error);
      g_assert_null (response);
      g_assert_error (error, OAI_ERROR, (int) row->code);
      g_assert_cmpint (oai_error_is_retryable (error), ==, row->retried);
      if (strstr (error->message, row->in_message) == NULL)
        g_error ("“%s” lacks “%s”", error->message, row->in_message);
      g_assert_nonnull (strstr (error->message, "request req_taxonomy"));

      /* Retryable rows were tried twice (max-retries 1), the others once. */
      g_assert_cmpuint (mock_server_get_n_requests (f->server) - before, ==, row->retried ? 2 : 1);
      g_assert_cmpuint (f->retry_attempts->len, ==, row->retried ? 1 : 0);

      record = g_ptr_array_index (f->records, f->records->len - 1);
      g_assert_false (oai_request_record_get_succeeded (record));
      g_assert_error ((GError *) oai_request_record_get_error (record), OAI_ERROR, (int) row->code);
      g_assert_cmpuint (oai_request_record_get_status (record), ==, row->status);
      g_assert_cmpuint (oai_request_record_get_attempts (record), ==, row->retried ? 2 : 1);

      if (row->code == OAI_ERROR_AUTHENTICATION)
        {
          g_assert_cmpuint (f->alerts->len, ==, 1);
          g_assert_true (g_str_has_prefix (g_ptr_array_index (f->alerts, 0), "OAI_ALERT_AUTHENTICATION:"));
        }
      else if (row->code == OAI_ERROR_RATE_LIMITED)
        {
          /* Every hit raises an alert, not only the last. */
          g_assert_cmpuint (f->alerts->len, ==, 2);
          g_assert_true (g_str_has_prefix (g_ptr_array_index (f->alerts, 0), "OAI_ALERT_RATE_LIMITED:"));
        }
      else if (row->code == OAI_ERROR_QUOTA_EXCEEDED)
        {
          g_assert_cmpuint (f->alerts->len, ==, 1);
          g_assert_true (g_str_has_prefix (g_ptr_array_index (f->alerts, 0), "OAI_ALERT_QUOTA_EXCEEDED:"));
        }
      else
        g_assert_cmpuint (f->alerts->len, ==, 0);
    }
}

static void
test_retry_then_success (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OaiChatResponse) response = NULL;
  const char *key;

  mock_server_queue (f->server, 500, "{\"error\":{\"message\":\"boom\"}}", 0, NULL);
  mock_server_queue (f->server, 503, "", 0, NULL);

  response = run_chat (f, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (oai_chat_response_get_attempts (response), ==, 3);
  g_assert_cmpuint (mock_server_get_n_requests (f->server), ==, 3);

  /* ::retrying before each wait, with the coming attempt and a backoff delay:
   * 10 ms then 20 ms, less up to a quarter. */
  g_assert_cmpuint (f->retry_attempts->len, ==, 2);
  g_assert_cmpuint (g_array_index (f->retry_attempts, guint, 0), ==, 2);
  g_assert_cmpuint (g_array_index (f->retry_attempts, guint, 1), ==, 3);
  g_assert_cmpuint (g_array_index (f->retry_delays, guint, 0), >=, 7);
  g_assert_cmpuint (g_array_index (f->retry_delays, guint, 0), <=, 10);
  g_assert_cmpuint (g_array_index (f->retry_delays, guint, 1), >=, 15);
  g_assert_cmpuint (g_array_index (f->retry_delays, guint, 1), <=, 20);

  /* One idempotency key for the whole call, and the retry count. */
  key = soup_message_headers_get_one (mock_server_get_request (f->server, 0)->headers, "Idempotency-Key");
  for (guint i = 0; i < 3; i++)
    {
      MockRequest *request = mock_server_get_request (f->server, i);
      g_autofree char *count = g_strdup_printf ("%u", i);

      g_assert_cmpstr (soup_message_headers_get_one (request->headers, "Idempotency-Key"), ==, key);
      g_assert_cmpstr (soup_message_headers_get_one (request->headers, "X-Retry-Count"), ==, count);
    }

  /* A new call gets a new key. */
  g_clear_object (&response);
  response = run_chat (f, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (soup_message_headers_get_one (mock_server_get_request (f->server, 3)->headers,
                                                 "Idempotency-Key"), !=, key);
}

static void
test_backoff_capped (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OaiChatResponse) response = NULL;

  g_object_set (f->client, "max-retries", 4, "retry-base-delay", 0.01, "retry-max-delay", 0.02, NULL);
  mock_server_set_default (f->server, 500, "{}", 0, NULL);

  response = run_chat (f, NULL, &error);
  g_assert_error (error, OAI_ERROR, OAI_ERROR_SERVER);
  g_assert_cmpuint (mock_server_get_n_requests (f->server), ==, 5);
  g_assert_cmpuint (f->retry_delays->len, ==, 4);
  /* 10, 20, 20, 20 ms less jitter: never above the maximum. */
  for (guint i = 0; i < 4; i++)
    g_assert_cmpuint (g_array_index (f->retry_delays, guint, i), <=, 20);
  g_assert_cmpuint (g_array_index (f->retry_delays, guint, 3), >=, 15);
}

static void
test_retry_after (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OaiChatResponse) response = NULL;

  mock_server_queue (f->server, 429, "{\"error\":{\"code\":\"rate_limit_exceeded\"}}", 0,
                     "retry-after-ms", "120", "retry-after", "30", NULL);
  mock_server_queue (f->server, 503, "", 0, "retry-after", "1", NULL);

  response = run_chat (f, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (f->retry_delays->len, ==, 2);
  /* retry-after-ms wins over retry-after, and both over the backoff schedule. */
  g_assert_cmpuint (g_array_index (f->retry_delays, guint, 0), ==, 120);
  g_assert_cmpuint (g_array_index (f->retry_delays, guint, 1), ==, 1000);
  g_assert_cmpfloat (oai_chat_response_get_latency (response), >=, 1.1);
}

static void
test_retry_after_date (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OaiChatResponse) response = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) later = g_date_time_add_seconds (now, 2);
  g_autofree char *date = g_date_time_format (later, "%a, %d %b %Y %H:%M:%S GMT");

  mock_server_queue (f->server, 429, "{}", 0, "retry-after", date, NULL);
  response = run_chat (f, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (f->retry_delays->len, ==, 1);
  /* Whole seconds: between 1 and 2 s depending on where in the second we are. */
  g_assert_cmpuint (g_array_index (f->retry_delays, guint, 0), >=, 1000);
  g_assert_cmpuint (g_array_index (f->retry_delays, guint, 0), <=, 2000);
}

static void
test_retry_after_capped (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OaiChatResponse) response = NULL;
  g_autoptr(GTimer) timer = g_timer_new ();

  /* The server asks for an hour; we wait at most a minute, and the wait is
   * cancellable: cancel as soon as it starts. */
  f->cancel_on_retry = g_cancellable_new ();
  mock_server_queue (f->server, 429, "{}", 0, "retry-after", "3600", NULL);

  response = run_chat (f, f->cancel_on_retry, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (g_array_index (f->retry_delays, guint, 0), ==, 60000);
  g_assert_cmpfloat (g_timer_elapsed (timer, NULL), <, 30.0);
  g_assert_cmpuint (mock_server_get_n_requests (f->server), ==, 1);

  /* The cancelled call was reported too. */
  g_assert_cmpuint (f->records->len, ==, 1);
  g_assert_error ((GError *) oai_request_record_get_error (g_ptr_array_index (f->records, 0)),
                  G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_x_should_retry (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OaiChatResponse) response = NULL;

  /* "true" retries what the table would not… */
  mock_server_queue (f->server, 400, "{\"error\":{\"message\":\"flaky\"}}", 0,
                     "x-should-retry", "true", NULL);
  response = run_chat (f, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mock_server_get_n_requests (f->server), ==, 2);

  /* …and "false" stops what it would. */
  g_clear_object (&response);
  mock_server_queue (f->server, 503, "{\"error\":{\"message\":\"down for good\"}}", 0,
                     "x-should-retry", "false", NULL);
  response = run_chat (f, NULL, &error);
  g_assert_error (error, OAI_ERROR, OAI_ERROR_SERVER);
  g_assert_cmpuint (mock_server_get_n_requests (f->server), ==, 3);
}

static void
test_cancel_during_request (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OaiChatResponse) response = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GTimer) timer = g_timer_new ();

  mock_server_queue_action (f->server, MOCK_HANG);
  g_timeout_add (100, cancel_cb, cancellable);

  response = run_chat (f, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpfloat (g_timer_elapsed (timer, NULL), <, 10.0);
  g_assert_cmpuint (f->records->len, ==, 1);
  g_assert_cmpuint (f->retry_attempts->len, ==, 0);

  /* The client still works after a cancelled call. */
  g_clear_error (&error);
  response = run_chat (f, NULL, &error);
  g_assert_no_error (error);
}

static void
test_cancel_during_backoff (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OaiChatResponse) response = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GTimer) timer = g_timer_new ();

  g_object_set (f->client, "retry-base-delay", 30.0, "retry-max-delay", 30.0, NULL);
  mock_server_queue (f->server, 500, "{}", 0, NULL);
  g_timeout_add (300, cancel_cb, cancellable);

  response = run_chat (f, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (f->retry_attempts->len, ==, 1);
  g_assert_cmpuint (g_array_index (f->retry_delays, guint, 0), >=, 22500);
  g_assert_cmpfloat (g_timer_elapsed (timer, NULL), <, 15.0);
  g_assert_cmpuint (mock_server_get_n_requests (f->server), ==, 1);
}

static void
test_cancel_before_start (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OaiChatResponse) response = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  g_cancellable_cancel (cancellable);
  response = run_chat (f, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (mock_server_get_n_requests (f->server), ==, 0);
}

static void
test_timeout (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OaiChatResponse) response = NULL;
  g_autoptr(GTimer) timer = g_timer_new ();
  g_autofree char *slow = mock_chat_completion ("too late");

  g_object_set (f->client, "timeout", 0.3, "max-retries", 1, NULL);
  mock_server_set_default (f->server, 200, slow, 5000, NULL);

  response = run_chat (f, NULL, &error);
  g_assert_error (error, OAI_ERROR, OAI_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "0.3 s"));
  g_assert_cmpuint (f->retry_attempts->len, ==, 1);
  g_assert_cmpuint (mock_server_get_n_requests (f->server), ==, 2);
  g_assert_cmpfloat (g_timer_elapsed (timer, NULL), <, 4.5);

  /* A timed-out attempt followed by a quick answer succeeds. */
  g_clear_error (&error);
  mock_server_queue (f->server, 200, slow, 5000, NULL);
  mock_server_queue (f->server, 200, slow, 0, NULL);
  response = run_chat (f, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (oai_chat_response_get_attempts (response), ==, 2);
}

static void
test_connection_refused (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OaiChatResponse) response = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autofree char *url = NULL;

  /* A port that was free a moment ago and has no listener now. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  address = g_inet_socket_address_new (loopback, 0);
  g_socket_bind (socket, address, TRUE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  url = g_strdup_printf ("http://127.0.0.1:%u/v1",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_socket_close (socket, NULL);

  oai_client_set_base_url (f->client, url);
  response = run_chat (f, NULL, &error);
  g_assert_error (error, OAI_ERROR, OAI_ERROR_CONNECTION);
  g_assert_cmpuint (f->retry_attempts->len, ==, 2);
  g_assert_cmpuint (oai_request_record_get_status (g_ptr_array_index (f->records, 0)), ==, 0);
}

static void
test_dropped_connection (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OaiChatResponse) response = NULL;

  mock_server_queue_action (f->server, MOCK_DROP);
  mock_server_queue_action (f->server, MOCK_TRUNCATE);

  response = run_chat (f, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (oai_chat_response_get_attempts (response), ==, 3);
  g_assert_cmpuint (f->retry_attempts->len, ==, 2);

  /* Both failures are connection errors when nothing is left to retry. */
  oai_client_set_max_retries (f->client, 0);
  for (guint i = 0; i < 2; i++)
    {
      g_clear_error (&error);
      g_clear_object (&response);
      mock_server_queue_action (f->server, i == 0 ? MOCK_DROP : MOCK_TRUNCATE);
      response = run_chat (f, NULL, &error);
      g_assert_error (error, OAI_ERROR, OAI_ERROR_CONNECTION);
    }
}

static void
test_malformed (Fixture       *f,
                gconstpointer  data)
{
  static const char *bodies[] = {
    "",
    "not json at all",
    "{\"choices\": [",
    "[]",
    "{\"id\":\"x\"}",
    "{\"choices\":[]}",
    "{\"choices\":[{\"message\":{\"content\":5}}]}",
    "{\"choices\":[{\"message\":{\"content\":\"ok\"}}],\"usage\":{\"prompt_tokens\":\"many\"}}",
    "\xff\xfe{}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(OaiChatResponse) response = NULL;
      guint before = mock_server_get_n_requests (f->server);

      mock_server_queue (f->server, 200, bodies[i], 0, "x-request-id", "req_bad", NULL);
      response = run_chat (f, NULL, &error);
      g_assert_null (response);
      g_assert_error (error, OAI_ERROR, OAI_ERROR_INVALID_RESPONSE);
      g_assert_nonnull (strstr (error->message, "req_bad"));
      /* Not retried: the same request would get the same answer. */
      g_assert_cmpuint (mock_server_get_n_requests (f->server) - before, ==, 1);
    }
}

static void
test_answer_sizes (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GString) long_text = g_string_new (NULL);
  g_autofree char *big = NULL;
  g_autofree char *small = mock_chat_completion ("chunked answer");
  g_autofree char *too_big = NULL;

  /* 1 MiB of content: read in one go from its Content-Length. */
  for (guint i = 0; long_text->len < 1024 * 1024; i++)
    g_string_append_printf (long_text, "word%u ", i);
  big = mock_chat_completion (long_text->str);
  mock_server_queue (f->server, 200, big, 0, NULL);
  /* No Content-Length: read chunk by chunk. */
  mock_server_queue (f->server, 200, small, 0, "Transfer-Encoding", "chunked", NULL);
  /* Past the limit: refused, not held in memory. */
  too_big = g_malloc (OAI_MAX_RESPONSE_SIZE_FOR_TEST + 2);
  memset (too_big, ' ', OAI_MAX_RESPONSE_SIZE_FOR_TEST + 1);
  too_big[OAI_MAX_RESPONSE_SIZE_FOR_TEST + 1] = '\0';
  mock_server_queue (f->server, 200, too_big, 0, NULL);
  g_clear_pointer (&too_big, g_free);

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(OaiChatResponse) response = run_chat (f, NULL, &error);

      if (i == 0)
        {
          g_assert_no_error (error);
          g_assert_cmpstr (oai_chat_response_get_content (response), ==, long_text->str);
        }
      else if (i == 1)
        {
          g_assert_no_error (error);
          g_assert_cmpstr (oai_chat_response_get_content (response), ==, "chunked answer");
        }
      else
        {
          g_assert_error (error, OAI_ERROR, OAI_ERROR_INVALID_RESPONSE);
          g_assert_nonnull (strstr (error->message, "larger than 64 MiB"));
        }
    }
}

static void
test_refusal (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OaiChatResponse) response = NULL;

  mock_server_queue (f->server, 200,
                     "{\"id\":\"chatcmpl-r\",\"object\":\"chat.completion\",\"model\":\"gpt-4o\","
                     "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,"
                     "\"refusal\":\"I'm sorry, I cannot assist with that request.\"},"
                     "\"finish_reason\":\"content_filter\"}],\"usage\":{\"prompt_tokens\":20,"
                     "\"completion_tokens\":10,\"total_tokens\":30}}", 0, NULL);

  response = run_chat (f, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (oai_chat_response_get_refusal (response), ==,
                   "I'm sorry, I cannot assist with that request.");
  g_assert_null (oai_chat_response_get_content (response));
  g_assert_cmpstr (oai_chat_response_get_finish_reason (response), ==, "content_filter");
  g_assert_true (oai_request_record_get_succeeded (g_ptr_array_index (f->records, 0)));
}

static void
count_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  guint *done = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(OaiChatResponse) response = oai_client_chat_finish (OAI_CLIENT (object), result, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (oai_chat_response_get_content (response), ==, "Hello from the mock server");
  (*done)++;
}

static void
test_concurrent (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(OaiChatRequest) request = hello_request ();
  g_autofree char *body = mock_chat_completion ("Hello from the mock server");
  guint done = 0;

  mock_server_set_default (f->server, 200, body, 200, NULL);
  for (guint i = 0; i < 50; i++)
    oai_client_chat_async (f->client, request, NULL, count_done_cb, &done);
  while (done < 50)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpuint (mock_server_get_n_requests (f->server), ==, 50);
  g_assert_cmpuint (f->records->len, ==, 50);
  /* The calls really ran side by side, not one after the other. */
  g_assert_cmpuint (mock_server_get_max_in_flight (f->server), >=, 10);
}

static void
test_connection_reuse (Fixture       *f,
                       gconstpointer  data)
{
  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(OaiChatResponse) response = run_chat (f, NULL, &error);
      g_assert_no_error (error);
    }

  for (guint i = 1; i < 5; i++)
    g_assert_cmpuint (mock_server_get_request (f->server, i)->remote_port, ==,
                      mock_server_get_request (f->server, 0)->remote_port);
}

typedef struct
{
  OaiClient *client;
  GError *error;
  OaiChatResponse *response;
} ThreadData;

static gpointer
blocking_thread (gpointer user_data)
{
  ThreadData *td = user_data;
  g_autoptr(OaiChatRequest) request = hello_request ();

  td->response = oai_client_chat (td->client, request, NULL, &td->error);
  return NULL;
}

static void
test_blocking (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(OaiChatRequest) request = hello_request ();

  /* No main loop runs here: the blocking call drives its own. */
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(OaiChatResponse) response = oai_client_chat (f->client, request, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (oai_chat_response_get_content (response), ==, "Hello from the mock server");
    }
  /* …and reuses its connection from one call to the next. */
  g_assert_cmpuint (mock_server_get_request (f->server, 2)->remote_port, ==,
                    mock_server_get_request (f->server, 0)->remote_port);
  g_assert_cmpuint (f->records->len, ==, 3);

  /* Errors and retries behave the same. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(OaiChatResponse) response = NULL;

    mock_server_queue (f->server, 500, "{}", 0, NULL);
    mock_server_queue (f->server, 401, "{\"error\":{\"message\":\"bad key\"}}", 0, NULL);
    response = oai_client_chat (f->client, request, NULL, &error);
    g_assert_error (error, OAI_ERROR, OAI_ERROR_AUTHENTICATION);
    g_assert_cmpuint (f->retry_attempts->len, ==, 1);
  }

  /* From another thread too, two at once. */
  {
    ThreadData td[2] = { { f->client }, { f->client } };
    GThread *threads[2];

    for (guint i = 0; i < 2; i++)
      threads[i] = g_thread_new ("chat", blocking_thread, &td[i]);
    for (guint i = 0; i < 2; i++)
      {
        g_thread_join (threads[i]);
        g_assert_no_error (td[i].error);
        g_assert_nonnull (td[i].response);
        g_object_unref (td[i].response);
      }
  }
}

static void
test_invalid_setup (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OaiChatResponse) response = NULL;
  g_autoptr(OaiChatRequest) request = oai_chat_request_new ("");
  g_autoptr(GAsyncResult) result = NULL;

  oai_client_set_base_url (f->client, "ftp://example.invalid/v1");
  response = run_chat (f, NULL, &error);
  g_assert_error (error, OAI_ERROR, OAI_ERROR_INVALID_REQUEST);
  g_assert_nonnull (strstr (error->message, "ftp://example.invalid/v1"));

  g_clear_error (&error);
  oai_client_set_base_url (f->client, "not a url");
  response = run_chat (f, NULL, &error);
  g_assert_error (error, OAI_ERROR, OAI_ERROR_INVALID_REQUEST);

  g_clear_error (&error);
  oai_client_set_base_url (f->client, mock_server_get_base_url (f->server));
  oai_client_chat_async (f->client, request, NULL, test_store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  response = oai_client_chat_finish (f->client, result, &error);
  g_assert_error (error, OAI_ERROR, OAI_ERROR_INVALID_REQUEST);
  g_assert_cmpuint (mock_server_get_n_requests (f->server), ==, 0);
  g_assert_cmpuint (oai_request_record_get_attempts (g_ptr_array_index (f->records, 2)), ==, 0);

  /* A request too large to send is refused before it is sent. */
  {
    g_autoptr(OaiChatRequest) huge = oai_chat_request_new ("gpt-4o-mini");
    g_autofree char *text = g_malloc (OAI_MAX_RESPONSE_SIZE_FOR_TEST + 1);
    g_autoptr(GAsyncResult) huge_result = NULL;

    memset (text, 'a', OAI_MAX_RESPONSE_SIZE_FOR_TEST);
    text[OAI_MAX_RESPONSE_SIZE_FOR_TEST] = '\0';
    oai_chat_request_add_message (huge, OAI_ROLE_USER, text);
    g_clear_error (&error);
    oai_client_chat_async (f->client, huge, NULL, test_store_result_cb, &huge_result);
    while (huge_result == NULL)
      g_main_context_iteration (NULL, TRUE);
    response = oai_client_chat_finish (f->client, huge_result, &error);
    g_assert_error (error, OAI_ERROR, OAI_ERROR_INVALID_REQUEST);
    g_assert_nonnull (strstr (error->message, "larger than 64 MiB"));
    g_assert_cmpuint (mock_server_get_n_requests (f->server), ==, 0);
  }
}

static GString *captured_log;

/* Captures every message while a test wants them; warnings still go out and fail. */
static GLogWriterOutput
capture_writer_or_default (GLogLevelFlags   level,
                           const GLogField *fields,
                           gsize            n_fields,
                           gpointer         user_data)
{
  if (captured_log == NULL)
    return g_log_writer_default (level, fields, n_fields, user_data);

  for (gsize i = 0; i < n_fields; i++)
    if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
      {
        g_string_append_len (captured_log, fields[i].value,
                             fields[i].length < 0 ? (gssize) strlen (fields[i].value) : fields[i].length);
        g_string_append_c (captured_log, '\n');
      }

  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    return g_log_writer_default (level, fields, n_fields, user_data);
  return G_LOG_WRITER_HANDLED;
}

static void
test_key_never_leaks (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OaiChatResponse) response = NULL;

  captured_log = g_string_new (NULL);
  g_log_set_debug_enabled (TRUE);

  /* A server that quotes the key back, as OpenAI's 401 does with a masked one. */
  mock_server_queue (f->server, 401,
                     "{\"error\":{\"message\":\"Incorrect API key provided: " TEST_KEY ". You can "
                     "find your API key at https://platform.openai.com/account/api-keys.\","
                     "\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}", 0, NULL);
  mock_server_queue (f->server, 500, "{\"error\":{\"message\":\"echo " TEST_KEY "\"}}", 0, NULL);
  response = run_chat (f, NULL, &error);
  g_assert_error (error, OAI_ERROR, OAI_ERROR_AUTHENTICATION);
  g_assert_null (strstr (error->message, TEST_KEY));
  g_assert_nonnull (strstr (error->message, "Incorrect API key provided: [REDACTED]."));
  g_assert_null (strstr (g_ptr_array_index (f->alerts, 0), TEST_KEY));
  g_assert_null (strstr (g_ptr_array_index (f->alerts, 0), "SECRET"));

  g_clear_error (&error);
  g_object_set (f->client, "max-retries", 1, NULL);
  response = run_chat (f, NULL, &error);
  g_assert_no_error (error);

  g_log_set_debug_enabled (FALSE);

  /* The debug log shows the request with the key redacted. */
  g_assert_nonnull (strstr (captured_log->str, "Authorization: Bearer [REDACTED]"));
  g_assert_nonnull (strstr (captured_log->str, "Idempotency-Key"));
  g_assert_null (strstr (captured_log->str, TEST_KEY));
  g_assert_null (strstr (captured_log->str, "SECRET"));
  g_string_free (g_steal_pointer (&captured_log), TRUE);
}

static void
test_server_error_rate (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *ok = mock_chat_completion ("fine");

  /* Over the last 200 requests: 2 server errors are 1 %, not above it… */
  g_object_set (f->client, "error-rate-window", 200, "max-retries", 0, NULL);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(OaiChatResponse) response = NULL;

      mock_server_queue (f->server, 503, "{}", 0, NULL);
      response = run_chat (f, NULL, &error);
      g_assert_error (error, OAI_ERROR, OAI_ERROR_SERVER);
    }
  g_assert_cmpuint (f->alerts->len, ==, 0);

  /* …a third is: one alert, not one per error. */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(OaiChatResponse) response = NULL;

      mock_server_queue (f->server, 500, "{}", 0, NULL);
      response = run_chat (f, NULL, &error);
    }
  g_assert_cmpuint (f->alerts->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (f->alerts, 0), ==,
                   "OAI_ALERT_SERVER_ERROR_RATE:3 of the last 200 requests failed with a server error");

  /* Once the errors leave the window, the rate is back to normal, and a new
   * rise raises a new alert. */
  g_object_set (f->client, "error-rate-window", 100, NULL);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(OaiChatResponse) response = NULL;

      mock_server_queue (f->server, 502, "{}", 0, NULL);
      response = run_chat (f, NULL, &error);
    }
  g_assert_cmpuint (f->alerts->len, ==, 2);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (f->alerts, 1), "OAI_ALERT_SERVER_ERROR_RATE:2 of the last 100"));
}

static void
models_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static char **
list_models (Fixture  *f,
             GError  **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  oai_client_list_models_async (f->client, NULL, models_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return oai_client_list_models_finish (f->client, result, error);
}

static void
test_list_models (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) ids = NULL;
  MockRequest *request;

  /* Through the same road: a server error is retried. */
  mock_server_queue (f->server, 502, "", 0, NULL);
  mock_server_queue (f->server, 200,
                     "{\"object\":\"list\",\"data\":[{\"id\":\"gpt-4o-mini\",\"object\":\"model\"},"
                     "{\"id\":\"dall-e-3\"},{\"id\":\"gpt-4o\"}]}", 0, NULL);
  ids = list_models (f, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (ids), ==, 3);
  g_assert_cmpstr (ids[0], ==, "dall-e-3");
  g_assert_cmpstr (ids[1], ==, "gpt-4o");
  g_assert_cmpstr (ids[2], ==, "gpt-4o-mini");
  request = mock_server_get_request (f->server, 1);
  g_assert_cmpstr (request->method, ==, "GET");
  g_assert_cmpstr (request->path, ==, "/v1/models");
  g_assert_cmpstr (soup_message_headers_get_one (request->headers, "Authorization"), ==, "Bearer " TEST_KEY);

  /* Answers that are not lists of models. */
  for (guint i = 0; i < 3; i++)
    {
      static const char *bodies[] = { "[]", "{\"data\":{}}", "{\"data\":[{\"name\":\"x\"}]}" };
      g_auto(GStrv) none = NULL;

      g_clear_error (&error);
      mock_server_queue (f->server, 200, bodies[i], 0, NULL);
      none = list_models (f, &error);
      g_assert_null (none);
      g_assert_error (error, OAI_ERROR, OAI_ERROR_INVALID_RESPONSE);
    }

  g_clear_error (&error);
  mock_server_queue (f->server, 401, "{\"error\":{\"message\":\"bad key\"}}", 0, NULL);
  g_assert_null (list_models (f, &error));
  g_assert_error (error, OAI_ERROR, OAI_ERROR_AUTHENTICATION);
}

static void
test_tls_verified (void)
{
  g_autofree char *cert_path = g_test_build_filename (G_TEST_DIST, "fixtures", "tls", "cert.pem", NULL);
  g_autofree char *key_path = g_test_build_filename (G_TEST_DIST, "fixtures", "tls", "key.pem", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) cert = g_tls_certificate_new_from_files (cert_path, key_path, &error);
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(OaiClient) client = oai_client_new (TEST_KEY);
  g_autoptr(OaiChatRequest) request = hello_request ();
  g_autoptr(OaiChatResponse) response = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *url = NULL;
  GSList *uris;

  g_assert_no_error (error);
  server = soup_server_new ("tls-certificate", cert, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY | SOUP_SERVER_LISTEN_HTTPS, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  url = g_strdup_printf ("https://127.0.0.1:%d/v1", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  /* A self-signed certificate is refused: verification is never off. */
  g_object_set (client, "base-url", url, "max-retries", 0, NULL);
  oai_client_chat_async (client, request, NULL, test_store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  response = oai_client_chat_finish (client, result, &error);
  g_assert_null (response);
  g_assert_error (error, OAI_ERROR, OAI_ERROR_CONNECTION);
  g_assert_nonnull (strstr (error->message, "TLS certificate"));
  g_assert_null (strstr (error->message, TEST_KEY));
}

static void
test_environment (void)
{
  g_autoptr(OaiClient) client = NULL;

  g_setenv ("OPENAI_API_KEY", "sk-env", TRUE);
  g_setenv ("OPENAI_BASE_URL", "http://127.0.0.1:9/v1/", TRUE);
  g_setenv ("OPENAI_ORG_ID", "org-env", TRUE);
  g_setenv ("OPENAI_PROJECT_ID", "proj_env", TRUE);
  client = oai_client_new_from_environment ();
  g_assert_cmpstr (oai_client_get_api_key (client), ==, "sk-env");
  g_assert_cmpstr (oai_client_get_base_url (client), ==, "http://127.0.0.1:9/v1");
  g_assert_cmpstr (oai_client_get_organization (client), ==, "org-env");
  g_assert_cmpstr (oai_client_get_project (client), ==, "proj_env");
  g_clear_object (&client);

  g_unsetenv ("OPENAI_API_KEY");
  g_setenv ("OPENAI_BASE_URL", "", TRUE);
  g_unsetenv ("OPENAI_ORG_ID");
  g_unsetenv ("OPENAI_PROJECT_ID");
  client = oai_client_new_from_environment ();
  g_assert_null (oai_client_get_api_key (client));
  g_assert_cmpstr (oai_client_get_base_url (client), ==, "https://api.openai.com/v1");
  g_assert_cmpfloat (oai_client_get_timeout (client), ==, 600.0);
  g_assert_cmpuint (oai_client_get_max_retries (client), ==, 2);
  g_assert_cmpfloat (oai_client_get_retry_base_delay (client), ==, 0.5);
  g_assert_cmpfloat (oai_client_get_retry_max_delay (client), ==, 8.0);
  g_assert_nonnull (oai_client_get_cost_tracker (client));

  /* The tracker is never NULL. */
  g_object_set (client, "cost-tracker", NULL, NULL);
  g_assert_nonnull (oai_client_get_cost_tracker (client));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/oai/client/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("success", test_success);
  ADD ("no-key-no-header", test_no_key_no_header);
  ADD ("key-white-space", test_key_white_space);
  ADD ("taxonomy", test_taxonomy);
  ADD ("retry-then-success", test_retry_then_success);
  ADD ("backoff-capped", test_backoff_capped);
  ADD ("retry-after", test_retry_after);
  ADD ("retry-after-date", test_retry_after_date);
  ADD ("retry-after-capped", test_retry_after_capped);
  ADD ("x-should-retry", test_x_should_retry);
  ADD ("cancel-during-request", test_cancel_during_request);
  ADD ("cancel-during-backoff", test_cancel_during_backoff);
  ADD ("cancel-before-start", test_cancel_before_start);
  ADD ("timeout", test_timeout);
  ADD ("connection-refused", test_connection_refused);
  ADD ("dropped-connection", test_dropped_connection);
  ADD ("malformed", test_malformed);
  ADD ("answer-sizes", test_answer_sizes);
  ADD ("refusal", test_refusal);
  ADD ("concurrent", test_concurrent);
  ADD ("connection-reuse", test_connection_reuse);
  ADD ("blocking", test_blocking);
  ADD ("invalid-setup", test_invalid_setup);
  ADD ("key-never-leaks", test_key_never_leaks);
  ADD ("server-error-rate", test_server_error_rate);
  ADD ("list-models", test_list_models);
  g_test_add_func ("/oai/client/environment", test_environment);
  g_test_add_func ("/oai/client/tls-verified", test_tls_verified);

#undef ADD

  g_log_set_writer_func (capture_writer_or_default, NULL, NULL);
  return g_test_run ();
}
