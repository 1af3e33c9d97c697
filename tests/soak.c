/* soak.c: thousands of calls, streamed and not, through one client, against a
 * server that fails at random, with cancellations at random points
 *
 *   soak [CALLS]   (default $OAI_SOAK_CALLS, else 2000; 10000 for the full run)
 *
 * Checks that every call finishes exactly once, with an answer or an error of
 * the taxonomy (or a cancellation); that memory and open files stay flat;
 * and that the ledger's total is the sum of the costs the calls reported,
 * streams cut after content included. Prints TAP.
 */

#include <stdlib.h>
#include <math.h>

#include <glib/gstdio.h>
#include <openai-glib.h>


#define CONCURRENCY 32

typedef struct
{
  OaiClient *client;
  GRand *rand;
  guint total;
  guint started;
  guint finished;
  guint in_flight;
  guint *completions;           /* per call: how many times it finished */
  guint answers, errors, cancelled;
  double reported_cost;
  GHashTable *error_kinds;
} Soak;

typedef struct
{
  Soak *soak;
  guint index;
  GCancellable *cancellable;
  OaiChatStream *stream;
} Call;

static const char *stream_body =
  "data: {\"id\":\"c\",\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"}}]}\n\n"
  "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\" there\"},\"finish_reason\":\"stop\"}]}\n\n"
  "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2}}\n\n"
  "data: [DONE]\n\n";

/* One random answer of the script, as JSON (see tests/oai-mock-server.c). */
static void
add_random_answer (GString *script,
                   GRand   *rand)
{
  g_autofree char *escaped_stream = g_strescape (stream_body, NULL);
  guint roll = g_rand_int_range (rand, 0, 100);

  if (script->str[script->len - 1] != '[')
    g_string_append_c (script, ',');

  if (roll < 40)
    g_string_append (script, "{\"content\":\"A fine answer\"}");
  else if (roll < 60)
    g_string_append_printf (script, "{\"action\":\"stream\",\"body\":\"%s\",\"chunk_max\":64,"
                            "\"seed\":%u,\"crlf\":%s}", escaped_stream, g_rand_int (rand) % 100000,
                            roll % 2 ? "false" : "true");
  else if (roll < 66)
    g_string_append_printf (script, "{\"status\":%u,\"body\":\"{\\\"error\\\":{}}\"}", 500 + roll % 4);
  else if (roll < 71)
    g_string_append (script, "{\"status\":429,\"body\":\"{}\",\"headers\":{\"retry-after-ms\":\"5\"}}");
  else if (roll < 76)
    g_string_append (script, "{\"action\":\"drop\"}");
  else if (roll < 80)
    g_string_append (script, "{\"action\":\"truncate\"}");
  else if (roll < 85)
    /* A stream cut after its first delta. */
    g_string_append_printf (script, "{\"action\":\"stream\",\"body\":\"%s\",\"chunk_max\":64,"
                            "\"cut_at\":120}", escaped_stream);
  else if (roll < 90)
    g_string_append (script, "{\"body\":\"{\\\"choices\\\": [ garbage\"}");
  else if (roll < 95)
    g_string_append (script, "{\"content\":\"slow\",\"delay_ms\":400}");   /* past the timeout */
  else
    g_string_append (script, "{\"status\":401,\"body\":\"{}\"}");
}

static void start_next (Soak *soak);

static void
record_cb (OaiClient        *client,
           OaiRequestRecord *record,
           Soak             *soak)
{
  /* Answers and streams cut after content are billed: the ledger has them. */
  if (!isnan (oai_request_record_get_cost (record)))
    soak->reported_cost += oai_request_record_get_cost (record);
}

static void
finished (Call         *call,
          gpointer      response,
          const GError *error)
{
  Soak *soak = call->soak;

  soak->completions[call->index]++;
  soak->finished++;
  soak->in_flight--;

  if (response != NULL)
    soak->answers++;
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    soak->cancelled++;
  else
    {
      g_autofree char *name = NULL;

      if (error->domain != OAI_ERROR)
        g_error ("call %u ended with an error outside the taxonomy: %s (%s)", call->index,
                 error->message, g_quark_to_string (error->domain));
      name = g_enum_to_string (OAI_TYPE_ERROR, error->code);
      g_hash_table_replace (soak->error_kinds, g_strdup (name),
                            GINT_TO_POINTER (GPOINTER_TO_INT (g_hash_table_lookup (soak->error_kinds, name)) + 1));
      soak->errors++;
    }

  g_clear_object (&call->cancellable);
  g_clear_object (&call->stream);
  g_free (call);
  start_next (soak);
}

static void
chat_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OaiChatResponse) response = oai_client_chat_finish (OAI_CLIENT (object), result, &error);

  finished (user_data, response, error);
}

static void
stream_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OaiChatResponse) response = oai_chat_stream_run_finish (OAI_CHAT_STREAM (object), result, &error);

  finished (user_data, response, error);
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
start_next (Soak *soak)
{
  while (soak->started < soak->total && soak->in_flight < CONCURRENCY)
    {
      g_autoptr(OaiChatRequest) request = oai_chat_request_new ("gpt-4o-mini");
      Call *call = g_new0 (Call, 1);

      call->soak = soak;
      call->index = soak->started++;
      call->cancellable = g_cancellable_new ();
      soak->in_flight++;
      oai_chat_request_add_message (request, OAI_ROLE_USER, "Say hello");

      /* One call in ten is cancelled, at a random point. */
      if (g_rand_int_range (soak->rand, 0, 10) == 0)
        {
          GSource *source = g_timeout_source_new (g_rand_int_range (soak->rand, 0, 50));
          g_source_set_callback (source, cancel_cb, g_object_ref (call->cancellable), g_object_unref);
          g_source_attach (source, NULL);
          g_source_unref (source);
        }

      if (g_rand_boolean (soak->rand))
        {
          call->stream = oai_client_stream_chat (soak->client, request);
          oai_chat_stream_run_async (call->stream, call->cancellable, stream_done_cb, call);
        }
      else
        oai_client_chat_async (soak->client, request, call->cancellable, chat_done_cb, call);
    }
}

static gsize
rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;
  line = strstr (status, "VmRSS:");
  return line ? strtoul (line + 6, NULL, 10) : 0;
}

static guint
open_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  while (dir && g_dir_read_name (dir))
    n++;
  return n;
}

/* Lets cancelled operations finish and idle connections close. */
static void
settle (void)
{
  for (guint i = 0; i < 50; i++)
    {
      g_usleep (10000);
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
}

static void
run_round (Soak  *soak,
           guint  calls)
{
  soak->total += calls;
  start_next (soak);
  while (soak->finished < soak->total)
    g_main_context_iteration (NULL, TRUE);
}

int
main (int argc, char *argv[])
{
  const char *env = g_getenv ("OAI_SOAK_CALLS");
  guint calls = argc > 1 ? atoi (argv[1]) : env ? atoi (env) : 2000;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GDataInputStream) server_out = NULL;
  g_autofree char *base_url = NULL;
  g_autoptr(GString) script = g_string_new ("{\"answers\":[");
  g_autofree char *script_path = NULL;
  g_autofree char *dir = g_dir_make_tmp ("oai-soak-XXXXXX", NULL);
  g_autofree char *ledger = g_build_filename (dir, "ledger.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(OaiCostTracker) tracker = NULL;
  Soak soak = { 0 };
  gsize rss_warm, rss_end;
  guint fds_warm, fds_end;
  guint warm = MAX (calls / 10, 100);
  guint test = 0, once = 0;
  gboolean ok_once, ok_memory, ok_files, equal;
  GHashTableIter iter;
  gpointer key, value;

  soak.rand = g_rand_new_with_seed (20261128);

  /* The server in a process of its own, so that only the client's memory
   * and files are measured. Retries take answers too: plenty of them. */
  for (guint i = 0; i < (calls + warm) * 3; i++)
    add_random_answer (script, soak.rand);
  g_string_append (script, "],\"default\":{\"content\":\"fine\"}}");
  script_path = g_build_filename (dir, "script.json", NULL);
  g_assert_true (g_file_set_contents (script_path, script->str, script->len, NULL));
  server = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                             g_getenv ("OAI_MOCK_SERVER") ? g_getenv ("OAI_MOCK_SERVER") : MOCK_SERVER_PATH,
                             "--no-record", script_path, NULL);
  g_assert_no_error (error);
  server_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  base_url = g_data_input_stream_read_line_utf8 (server_out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (base_url);
  soak.client = oai_client_new ("sk-soak-SECRET");
  soak.completions = g_new0 (guint, calls + warm + 1);
  soak.error_kinds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  tracker = oai_cost_tracker_new_with_ledger (ledger, &error);
  g_assert_no_error (error);
  g_object_set (soak.client,
                "base-url", base_url,
                "cost-tracker", tracker,
                "timeout", 0.2,
                "retry-base-delay", 0.001,
                "retry-max-delay", 0.005,
                "max-retries", 2,
                NULL);
  g_signal_connect (soak.client, "request-finished", G_CALLBACK (record_cb), &soak);

  g_print ("1..5\n");

  /* A warm-up, then two rounds: caches, pools and SQLite's pages fill up in
   * the first; in the second nothing may grow with the number of calls. */
  run_round (&soak, warm);
  run_round (&soak, calls / 2);
  settle ();
  rss_warm = rss_kib ();
  fds_warm = open_fds ();
  run_round (&soak, calls / 2);
  settle ();
  rss_end = rss_kib ();
  fds_end = open_fds ();

  for (guint i = 0; i < soak.total; i++)
    once += soak.completions[i] == 1;
  ok_once = once == soak.total;
  /* Half the calls ran between the two measures: 2 KiB a call would be a leak. */
  ok_memory = rss_end <= rss_warm + (calls / 2) * 2;
  ok_files = fds_end <= fds_warm + CONCURRENCY;
  g_print ("%s %u every call finished exactly once (%u of %u)\n",
           once == soak.total ? "ok" : "not ok", ++test, once, soak.total);
  g_print ("ok %u every failure is in the taxonomy: %u answers, %u errors, %u cancelled\n", ++test,
           soak.answers, soak.errors, soak.cancelled);
  g_hash_table_iter_init (&iter, soak.error_kinds);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_print ("#   %s: %d\n", (char *) key, GPOINTER_TO_INT (value));

  g_print ("%s %u memory flat: %" G_GSIZE_FORMAT " KiB, then %" G_GSIZE_FORMAT " KiB %u calls later\n",
           ok_memory ? "ok" : "not ok", ++test, rss_warm, rss_end, calls / 2);
  g_print ("%s %u open files flat: %u after warm-up, %u at the end\n",
           ok_files ? "ok" : "not ok", ++test, fds_warm, fds_end);

  {
    double ledger_total = oai_cost_tracker_get_month_to_date (tracker);
    equal = fabs (ledger_total - soak.reported_cost) < 1e-9 &&
                     fabs (oai_cost_tracker_get_total_cost (tracker) - soak.reported_cost) < 1e-9;

    g_print ("%s %u the ledger's total ($%.6f) is the sum of the costs reported ($%.6f)\n",
             equal ? "ok" : "not ok", ++test, ledger_total, soak.reported_cost);
  }

  g_object_unref (soak.client);
  g_output_stream_close (g_subprocess_get_stdin_pipe (server), NULL, NULL);
  g_subprocess_wait (server, NULL, NULL);
  g_unlink (script_path);
  g_rand_free (soak.rand);
  g_free (soak.completions);
  g_hash_table_unref (soak.error_kinds);
  g_clear_object (&tracker);
  g_unlink (ledger);
  {
    g_autofree char *wal = g_strconcat (ledger, "-wal", NULL);
    g_autofree char *shm = g_strconcat (ledger, "-shm", NULL);
    g_unlink (wal);
    g_unlink (shm);
  }
  g_rmdir (dir);

  return ok_once && ok_memory && ok_files && equal ? 0 : 1;
}
