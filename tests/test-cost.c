/* test-cost.c: prices, budgets, the ledger behind a tracker, logs and alerts
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <math.h>

#include <glib/gstdio.h>
#include <openai-glib.h>

#include "mock-server.h"
#include "test-util.h"

static OaiUsage *
big_usage (void)
{
  /* A million prompt tokens, a fifth of them cached; half a million
   * completion tokens, a fifth of them reasoning. */
  return g_object_new (OAI_TYPE_USAGE,
                       "prompt-tokens", 1000000,
                       "cached-tokens", 200000,
                       "completion-tokens", 500000,
                       "reasoning-tokens", 100000,
                       NULL);
}

static void
test_price_table (void)
{
  /* Computed by hand from data/models.json: 0.8 M input + 0.2 M cached input
   * (at the input rate where the model has no cached rate) + 0.5 M output;
   * reasoning tokens are in the output, billed once. */
  static const struct { const char *model; double cost; } table[] = {
    { "gpt-5", 6.025 },
    { "gpt-5-mini", 1.205 },
    { "gpt-5-nano", 0.241 },
    { "gpt-4.1", 5.7 },
    { "gpt-4.1-mini-2025-04-14", 1.14 },
    { "gpt-4.1-nano", 0.285 },
    { "gpt-4o", 7.25 },
    { "gpt-4o-2024-08-06", 7.25 },
    { "gpt-4o-mini", 0.435 },
    { "gpt-4o-mini-2024-07-18", 0.435 },
    { "chatgpt-4o-latest", 12.5 },
    { "o1", 43.5 },
    { "o1-mini", 3.19 },
    { "o3", 5.7 },
    { "o3-mini-2025-01-31", 3.19 },
    { "o4-mini", 3.135 },
    { "gpt-4-turbo-2024-04-09", 25.0 },
    { "gpt-4-32k-0613", 120.0 },
    { "gpt-4-1106-preview", 25.0 },
    { "gpt-4-0125-preview", 25.0 },
    { "gpt-4-0613", 60.0 },
    { "gpt-3.5-turbo-0125", 1.25 },
  };
  g_autoptr(OaiCostTracker) tracker = oai_cost_tracker_new ();
  g_autoptr(OaiUsage) usage = big_usage ();

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      double cost = oai_cost_tracker_cost_for (tracker, table[i].model, usage);

      g_test_message ("%s", table[i].model);
      g_assert_cmpfloat_with_epsilon (cost, table[i].cost, 1e-9);
    }

  /* Never priced as another model. */
  g_assert_true (isnan (oai_cost_tracker_cost_for (tracker, "gpt-4o-audio-preview", usage)));
  g_assert_true (isnan (oai_cost_tracker_cost_for (tracker, "llama3.1:8b", usage)));
  g_assert_true (isnan (oai_cost_tracker_cost_for (tracker, NULL, usage)));
}

static void
test_user_prices (void)
{
  g_autoptr(OaiCostTracker) tracker = oai_cost_tracker_new ();
  g_autoptr(OaiUsage) usage = big_usage ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("oai-prices-XXXXXX", NULL);
  g_autofree char *good = g_build_filename (dir, "prices.json", NULL);
  g_autofree char *bad = g_build_filename (dir, "bad.json", NULL);
  g_autofree char *partial = g_build_filename (dir, "partial.json", NULL);

  /* A local server's models, free; then one of them priced. */
  oai_cost_tracker_set_price (tracker, "*", 0, NAN, 0);
  g_assert_cmpfloat (oai_cost_tracker_cost_for (tracker, "llama3.1:8b", usage), ==, 0);
  oai_cost_tracker_set_price (tracker, "llama3.1:8b", 1, 0.5, 2);
  g_assert_cmpfloat_with_epsilon (oai_cost_tracker_cost_for (tracker, "llama3.1:8b", usage),
                                  0.8 + 0.1 + 1.0, 1e-9);

  /* A file overrides the shipped table and extends it. */
  g_assert_true (g_file_set_contents (good,
                                      "{\"models\": {\"gpt-4o\": {\"input\": 1, \"output\": 2},"
                                      " \"my-model\": {\"input\": 3, \"cached_input\": 1, \"output\": 4}}}",
                                      -1, NULL));
  g_assert_true (oai_cost_tracker_load_prices (tracker, good, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (oai_cost_tracker_cost_for (tracker, "gpt-4o-2024-08-06", usage),
                                  1.0 + 1.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (oai_cost_tracker_cost_for (tracker, "my-model", usage),
                                  2.4 + 0.2 + 2.0, 1e-9);

  /* The models it can price: the table's families and the user's, sorted, not "*". */
  {
    g_auto(GStrv) models = oai_cost_tracker_dup_models (tracker);
    guint n = g_strv_length (models);

    g_assert_true (g_strv_contains ((const char * const *) models, "gpt-4o"));
    g_assert_true (g_strv_contains ((const char * const *) models, "gpt-4o-mini"));
    g_assert_true (g_strv_contains ((const char * const *) models, "my-model"));
    g_assert_true (g_strv_contains ((const char * const *) models, "llama3.1:8b"));
    g_assert_false (g_strv_contains ((const char * const *) models, "*"));
    g_assert_false (g_strv_contains ((const char * const *) models, "gpt-4o-2024-08-06"));
    for (guint i = 1; i < n; i++)
      g_assert_cmpint (strcmp (models[i - 1], models[i]), <, 0);
  }

  /* Bad files: a clear error, and no price of theirs taken. */
  g_assert_true (g_file_set_contents (bad, "{\"models\": [", -1, NULL));
  g_assert_false (oai_cost_tracker_load_prices (tracker, bad, &error));
  g_assert_error (error, OAI_ERROR, OAI_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, bad));
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (partial,
                                      "{\"models\": {\"gpt-4o\": {\"input\": 9, \"output\": 9},"
                                      " \"broken\": {\"input\": \"cheap\"}}}", -1, NULL));
  g_assert_false (oai_cost_tracker_load_prices (tracker, partial, &error));
  g_assert_error (error, OAI_ERROR, OAI_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "broken"));
  g_clear_error (&error);
  g_assert_cmpfloat_with_epsilon (oai_cost_tracker_cost_for (tracker, "gpt-4o", usage), 2.0, 1e-9);

  g_assert_false (oai_cost_tracker_load_prices (tracker, "/nonexistent/prices.json", &error));
  g_assert_error (error, OAI_ERROR, OAI_ERROR_FAILED);

  g_unlink (good);
  g_unlink (bad);
  g_unlink (partial);
  g_rmdir (dir);
}

typedef struct
{
  MockServer *server;
  OaiClient *client;
  GPtrArray *alerts;
  GPtrArray *records;
  char *dir;
} Fixture;

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
record_cb (OaiClient        *client,
           OaiRequestRecord *record,
           Fixture          *f)
{
  g_ptr_array_add (f->records, g_object_ref (record));
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->server = mock_server_new ();
  f->client = oai_client_new ("sk-cost-test-SECRET-0123456789");
  g_object_set (f->client, "base-url", mock_server_get_base_url (f->server),
                "retry-base-delay", 0.01, "retry-max-delay", 0.02, NULL);
  f->alerts = g_ptr_array_new_with_free_func (g_free);
  f->records = g_ptr_array_new_with_free_func (g_object_unref);
  f->dir = g_dir_make_tmp ("oai-cost-XXXXXX", NULL);
  g_signal_connect (f->client, "alert", G_CALLBACK (alert_cb), f);
  g_signal_connect (f->client, "request-finished", G_CALLBACK (record_cb), f);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)) != NULL)
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
  mock_assert_finalized (g_steal_pointer (&f->client));
  mock_server_free (f->server);
  g_ptr_array_unref (f->alerts);
  g_ptr_array_unref (f->records);
  remove_tree (f->dir);
  g_free (f->dir);
}

static OaiChatResponse *
run_chat (Fixture  *f,
          GError  **error)
{
  g_autoptr(OaiChatRequest) request = oai_chat_request_new ("gpt-4o-mini");

  oai_chat_request_add_message (request, OAI_ROLE_USER, "Say hello");
  return test_run_chat (f->client, request, NULL, error);
}

static void
test_response_cost (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OaiChatResponse) response = run_chat (f, &error);
  OaiCostTracker *tracker = oai_client_get_cost_tracker (f->client);
  /* The mock's answer: gpt-4o-mini-2024-07-18, 9 prompt and 12 completion tokens. */
  double expected = (9 * 0.15 + 12 * 0.60) / 1e6;

  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (oai_chat_response_get_cost (response), expected, 1e-15);
  g_assert_cmpfloat_with_epsilon (oai_request_record_get_cost (g_ptr_array_index (f->records, 0)),
                                  expected, 1e-15);
  g_assert_cmpfloat_with_epsilon (oai_cost_tracker_get_total_cost (tracker), expected, 1e-15);
  g_assert_cmpfloat_with_epsilon (oai_cost_tracker_get_model_cost (tracker, "gpt-4o-mini-2024-07-18"),
                                  expected, 1e-15);
  g_assert_cmpfloat_with_epsilon (oai_cost_tracker_get_month_to_date (tracker), expected, 1e-15);
}

static void
test_budget (Fixture       *f,
             gconstpointer  data)
{
  OaiCostTracker *tracker = oai_client_get_cost_tracker (f->client);

  /* 21 tokens at $0.10 each: $2.10 a call; the prompt alone about $0.90. */
  oai_cost_tracker_set_price (tracker, "gpt-4o-mini", 100000, NAN, 100000);
  g_object_set (tracker, "monthly-budget", 5.0, "hard-limit", TRUE, NULL);

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(OaiChatResponse) response = run_chat (f, &error);
      g_assert_no_error (error);
    }
  g_assert_cmpfloat_with_epsilon (oai_cost_tracker_get_month_to_date (tracker), 4.2, 1e-9);
  /* 80 %: a warning, once. */
  g_assert_cmpuint (f->alerts->len, ==, 1);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (f->alerts, 0), "OAI_ALERT_BUDGET_WARNING:"));

  /* The next prompt would pass the budget: refused, and not sent. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(OaiChatResponse) response = run_chat (f, &error);

    g_assert_error (error, OAI_ERROR, OAI_ERROR_BUDGET_EXCEEDED);
    g_assert_nonnull (strstr (error->message, "$5.00"));
    g_assert_cmpuint (mock_server_get_n_requests (f->server), ==, 2);
    g_assert_cmpuint (oai_request_record_get_attempts (g_ptr_array_index (f->records, 2)), ==, 0);
  }

  /* Without the hard limit the call goes, and passing the budget is told. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(OaiChatResponse) response = NULL;

    oai_cost_tracker_set_hard_limit (tracker, FALSE);
    response = run_chat (f, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (f->alerts->len, ==, 2);
    g_assert_true (g_str_has_prefix (g_ptr_array_index (f->alerts, 1), "OAI_ALERT_BUDGET_EXCEEDED:"));
  }
}

static void
test_ledger (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "spend", "ledger.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(OaiCostTracker) first = oai_cost_tracker_new_with_ledger (path, &error);
  g_autoptr(OaiCostTracker) second = NULL;
  double one_call = (9 * 0.15 + 12 * 0.60) / 1e6;

  g_assert_no_error (error);
  g_assert_cmpstr (oai_cost_tracker_get_ledger_path (first), ==, path);
  oai_client_set_cost_tracker (f->client, first);

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(OaiChatResponse) response = run_chat (f, &error);
      g_assert_no_error (error);
    }
  g_assert_cmpfloat_with_epsilon (oai_cost_tracker_get_month_to_date (first), 3 * one_call, 1e-12);

  /* Another tracker on the same file, as another process would open it,
   * sees the month's spend, and adds to it for both. */
  second = oai_cost_tracker_new_with_ledger (path, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (oai_cost_tracker_get_month_to_date (second), 3 * one_call, 1e-12);
  oai_client_set_cost_tracker (f->client, second);
  {
    g_autoptr(OaiChatResponse) response = run_chat (f, &error);
    g_assert_no_error (error);
  }
  g_assert_cmpfloat_with_epsilon (oai_cost_tracker_get_month_to_date (second), 4 * one_call, 1e-12);
  oai_client_set_cost_tracker (f->client, NULL);
  g_assert_cmpfloat_with_epsilon (oai_cost_tracker_get_month_to_date (first), 4 * one_call, 1e-12);
  /* The spend by day and by model, for an app to show. */
  {
    g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
    g_autoptr(GDateTime) from = g_date_time_add_days (now, -1);
    g_autoptr(GDateTime) to = g_date_time_add_seconds (now, 60);
    g_autoptr(GListModel) by_day = oai_cost_tracker_get_spend_by_day (first, from, to, &error);
    g_autoptr(GListModel) by_model = oai_cost_tracker_get_spend_by_model (first, from, to, &error);
    g_autoptr(OaiSpend) model_row = NULL;
    g_autoptr(OaiCostTracker) memory = oai_cost_tracker_new ();
    g_autoptr(GListModel) none = NULL;
    double sum = 0;
    guint64 requests = 0;

    g_assert_no_error (error);
    for (guint i = 0; i < g_list_model_get_n_items (by_day); i++)
      {
        g_autoptr(OaiSpend) row = g_list_model_get_item (by_day, i);
        sum += oai_spend_get_cost (row);
        requests += oai_spend_get_requests (row);
      }
    g_assert_cmpfloat_with_epsilon (sum, 4 * one_call, 1e-12);
    g_assert_cmpuint (requests, ==, 4);

    g_assert_cmpuint (g_list_model_get_n_items (by_model), ==, 1);
    model_row = g_list_model_get_item (by_model, 0);
    g_assert_cmpstr (oai_spend_get_key (model_row), ==, "gpt-4o-mini-2024-07-18");
    g_assert_cmpuint (oai_spend_get_prompt_tokens (model_row), ==, 36);
    g_assert_cmpuint (oai_spend_get_completion_tokens (model_row), ==, 48);
    g_assert_cmpuint (oai_spend_get_unknown_cost_requests (model_row), ==, 0);

    none = oai_cost_tracker_get_spend_by_day (memory, from, to, &error);
    g_assert_null (none);
    g_assert_error (error, OAI_ERROR, OAI_ERROR_FAILED);
    g_clear_error (&error);
  }

  /* The ledger (its write-ahead log included) holds no trace of the key. */
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *file = g_strconcat (path, i ? "-wal" : "", NULL);
      g_autofree char *bytes = NULL;
      gsize len = 0;

      if (!g_file_get_contents (file, &bytes, &len, NULL))
        continue;
      g_assert_cmpuint (len, >, 0);
      g_assert_null (g_strstr_len (bytes, len, "SECRET"));
      g_assert_null (g_strstr_len (bytes, len, "sk-cost-test"));
    }

  /* The session totals stay each tracker's own. */
  g_assert_cmpuint (oai_cost_tracker_get_request_count (first), ==, 3);
  g_assert_cmpuint (oai_cost_tracker_get_request_count (second), ==, 1);
}

static void
test_bad_ledger (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *garbage = g_build_filename (f->dir, "garbage.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(OaiCostTracker) tracker = NULL;
  g_autoptr(OaiChatResponse) response = NULL;
  g_autofree char *after = NULL;

  g_assert_true (g_file_set_contents (garbage, "this is not a database, it is a letter", -1, NULL));
  tracker = oai_cost_tracker_new_with_ledger (garbage, &error);
  g_assert_null (tracker);
  g_assert_error (error, OAI_ERROR, OAI_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, garbage));
  g_clear_error (&error);

  /* Untouched, and the client keeps working with its tracker in memory. */
  g_assert_true (g_file_get_contents (garbage, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, "this is not a database, it is a letter");
  response = run_chat (f, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (oai_cost_tracker_get_request_count (oai_client_get_cost_tracker (f->client)), ==, 1);
}

static GString *captured;

static GLogWriterOutput
capture_writer (GLogLevelFlags   level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  if (captured == NULL)
    return g_log_writer_default (level, fields, n_fields, user_data);

  for (gsize i = 0; i < n_fields; i++)
    {
      g_autofree char *value = g_strndup (fields[i].value, fields[i].length < 0
                                          ? strlen (fields[i].value) : (gsize) fields[i].length);
      g_string_append_printf (captured, "%s=%s\n", fields[i].key, value);
    }
  g_string_append (captured, "--\n");

  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    return g_log_writer_default (level, fields, n_fields, user_data);
  return G_LOG_WRITER_HANDLED;
}

static void
test_logs (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OaiChatResponse) response = NULL;

  captured = g_string_new (NULL);
  g_log_set_debug_enabled (TRUE);

  mock_server_queue (f->server, 503, "{\"error\":{\"message\":\"busy\"}}", 0, "x-request-id", "req_busy", NULL);
  mock_server_queue (f->server, 200, "{\"id\":\"c\",\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"message\":"
                     "{\"role\":\"assistant\",\"content\":\"hi\"},\"finish_reason\":\"stop\"}],\"usage\":"
                     "{\"prompt_tokens\":1000,\"completion_tokens\":100,\"prompt_tokens_details\":"
                     "{\"cached_tokens\":200},\"completion_tokens_details\":{\"reasoning_tokens\":40}}}",
                     0, "x-request-id", "req_ok", NULL);
  response = run_chat (f, &error);
  g_assert_no_error (error);

  g_log_set_debug_enabled (FALSE);

  /* One line for the retry, with the error type, status and attempt… */
  g_assert_nonnull (strstr (captured->str, "OAI_ERROR_TYPE=server\nOAI_STATUS=503\nOAI_ATTEMPT=1\n"));
  /* …and one for the call, with model, tokens, cost, latency, finish reason. */
  g_assert_nonnull (strstr (captured->str,
                            "OAI_MODEL=gpt-4o-mini\nOAI_PROMPT_TOKENS=1000\nOAI_CACHED_TOKENS=200\n"
                            "OAI_COMPLETION_TOKENS=100\nOAI_REASONING_TOKENS=40\nOAI_COST=0.000195\n"));
  g_assert_nonnull (strstr (captured->str, "OAI_FINISH_REASON=stop\nOAI_ATTEMPTS=2\nOAI_STATUS=200\n"
                                           "OAI_REQUEST_ID=req_ok\nOAI_RESULT=ok\n"));
  g_assert_nonnull (strstr (captured->str, "OAI_LATENCY="));
  g_assert_nonnull (strstr (captured->str, "MESSAGE=chat gpt-4o-mini: 1000 prompt (200 cached)"));
  /* The key appears nowhere. */
  g_assert_null (strstr (captured->str, "SECRET"));

  g_string_free (g_steal_pointer (&captured), TRUE);
}

static void
test_interrupted_stream_billed (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(OaiChatRequest) request = oai_chat_request_new ("gpt-4o-mini");
  g_autoptr(OaiChatStream) stream = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(OaiChatResponse) response = NULL;
  OaiCostTracker *tracker = oai_client_get_cost_tracker (f->client);
  OaiRequestRecord *record;

  /* Content, then the connection is cut: what was generated is billed. */
  mock_server_queue_stream (f->server,
                            "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello world\"}}]}\n\n",
                            NULL);
  oai_chat_request_add_message (request, OAI_ROLE_USER, "Say hello");
  stream = oai_client_stream_chat (f->client, request);
  oai_chat_stream_run_async (stream, NULL, test_store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  response = oai_chat_stream_run_finish (stream, result, &error);

  g_assert_error (error, OAI_ERROR, OAI_ERROR_STREAM_INTERRUPTED);
  g_assert_cmpuint (oai_cost_tracker_get_request_count (tracker), ==, 1);
  g_assert_cmpuint (oai_cost_tracker_get_completion_tokens (tracker), ==, 2);
  record = g_ptr_array_index (f->records, 0);
  g_assert_true (oai_usage_get_estimated (oai_request_record_get_usage (record)));
  g_assert_cmpfloat (oai_request_record_get_cost (record), >, 0);
  g_assert_cmpfloat_with_epsilon (oai_request_record_get_cost (record),
                                  oai_cost_tracker_get_total_cost (tracker), 1e-15);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_log_set_writer_func (capture_writer, NULL, NULL);

  g_test_add_func ("/oai/cost/price-table", test_price_table);
  g_test_add_func ("/oai/cost/user-prices", test_user_prices);

#define ADD(path, func) \
  g_test_add ("/oai/cost/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("response-cost", test_response_cost);
  ADD ("budget", test_budget);
  ADD ("ledger", test_ledger);
  ADD ("bad-ledger", test_bad_ledger);
  ADD ("logs", test_logs);
  ADD ("interrupted-stream-billed", test_interrupted_stream_billed);

#undef ADD

  return g_test_run ();
}
