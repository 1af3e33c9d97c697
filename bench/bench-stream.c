/* bench-stream.c: streaming throughput of openai-glib
 *
 *   bench-stream --url BASE_URL [--runs R] [--warmup W]
 *                [--expect-chunks N] [--expect-bytes B]
 *
 * Streams one chat answer R times in a row through one OaiClient on the
 * default main context, after W untimed warm-up runs (default 1). A
 * "content-delta" handler counts the deltas and sums the bytes of their text.
 * Every run reports the deltas per second, the content's megabytes (10^6
 * bytes) per second, the wall time from the start of the call to its
 * completion, the CPU time (user + system, getrusage) the process used
 * meanwhile and how long the first delta took to come; then the best run
 * (the most deltas per second).
 *
 * Every run, warm-up included, is checked: the call must succeed, the count
 * of deltas and bytes must match --expect-chunks and --expect-bytes when
 * given, and the assembled answer must be as long as the deltas. A mismatch
 * exits with status 1.
 *
 * Every run and the best end with a machine-readable line starting with
 * "RESULT ", which bench/run-streaming reads.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <openai-glib.h>

#define MODEL "gpt-4o"
#define PROMPT "Write a long answer"

typedef struct
{
  GMainLoop *loop;
  gint64 first_delta;           /* monotonic time of the first delta */
  guint64 deltas;
  guint64 bytes;
  OaiChatResponse *response;
  GError *error;
} Run;

typedef struct
{
  guint64 deltas;
  guint64 bytes;
  double seconds;
  double cpu_seconds;
  double first_delta_seconds;
  gboolean ok;
} RunResult;

static void
on_content_delta (OaiChatStream *stream,
                  const char    *text,
                  gpointer       user_data)
{
  Run *run = user_data;

  if (run->deltas == 0)
    run->first_delta = g_get_monotonic_time ();
  run->deltas++;
  run->bytes += strlen (text);
}

static void
on_stream_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Run *run = user_data;

  run->response = oai_chat_stream_run_finish (OAI_CHAT_STREAM (source), result, &run->error);
  g_main_loop_quit (run->loop);
}

static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
         usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

/* Streams the answer once; returns FALSE (with a message) on any error or mismatch. */
static gboolean
stream_once (OaiClient  *client,
             gint64      expect_chunks,
             gint64      expect_bytes,
             RunResult  *out)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(OaiChatRequest) request = oai_chat_request_new (MODEL);
  g_autoptr(OaiChatStream) stream = NULL;
  Run run = { 0 };
  const char *content;
  gsize content_len;
  double cpu0, cpu1;
  gint64 t0, t1;
  gboolean ok = TRUE;

  oai_chat_request_add_message (request, OAI_ROLE_USER, PROMPT);
  run.loop = loop;

  cpu0 = cpu_seconds ();
  t0 = g_get_monotonic_time ();

  stream = oai_client_stream_chat (client, request);
  g_signal_connect (stream, "content-delta", G_CALLBACK (on_content_delta), &run);
  oai_chat_stream_run_async (stream, NULL, on_stream_done, &run);
  g_main_loop_run (loop);

  t1 = g_get_monotonic_time ();
  cpu1 = cpu_seconds ();

  out->deltas = run.deltas;
  out->bytes = run.bytes;
  out->seconds = (t1 - t0) / (double) G_USEC_PER_SEC;
  out->cpu_seconds = cpu1 - cpu0;
  out->first_delta_seconds = run.deltas > 0 ? (run.first_delta - t0) / (double) G_USEC_PER_SEC : 0;

  if (run.response == NULL)
    {
      g_printerr ("bench-stream: the stream failed after %" G_GUINT64_FORMAT " deltas: %s\n",
                  run.deltas, run.error->message);
      g_clear_error (&run.error);
      out->ok = FALSE;
      return FALSE;
    }

  content = oai_chat_response_get_content (run.response);
  content_len = content != NULL ? strlen (content) : 0;
  if (expect_chunks >= 0 && run.deltas != (guint64) expect_chunks)
    {
      g_printerr ("bench-stream: %" G_GUINT64_FORMAT " deltas, expected %" G_GINT64_FORMAT "\n",
                  run.deltas, expect_chunks);
      ok = FALSE;
    }
  if (expect_bytes >= 0 && run.bytes != (guint64) expect_bytes)
    {
      g_printerr ("bench-stream: %" G_GUINT64_FORMAT " bytes of content, expected %" G_GINT64_FORMAT "\n",
                  run.bytes, expect_bytes);
      ok = FALSE;
    }
  if (content_len != run.bytes)
    {
      g_printerr ("bench-stream: the answer holds %" G_GSIZE_FORMAT " bytes, the deltas %" G_GUINT64_FORMAT "\n",
                  content_len, run.bytes);
      ok = FALSE;
    }
  if (g_strcmp0 (oai_chat_response_get_finish_reason (run.response), "stop") != 0)
    {
      g_printerr ("bench-stream: finish reason %s, expected stop\n",
                  oai_chat_response_get_finish_reason (run.response));
      ok = FALSE;
    }

  g_clear_object (&run.response);
  out->ok = ok;
  return ok;
}

/* @kind: "warmup", "run" or "best" */
static void
print_run (const char      *kind,
           guint            index,
           const RunResult *r)
{
  g_autofree char *label = g_str_equal (kind, "warmup") ? g_strdup_printf ("warm-up %u", index)
                         : g_str_equal (kind, "run") ? g_strdup_printf ("run %u", index)
                         : g_strdup_printf ("best (%u)", index);
  double chunks_per_s = r->deltas / r->seconds;
  double mb_per_s = r->bytes / r->seconds / 1e6;
  double cpu_per_100k = r->deltas > 0 ? r->cpu_seconds * 100000.0 / r->deltas : 0;

  printf ("  %-10s %8" G_GUINT64_FORMAT " chunks %9" G_GUINT64_FORMAT " bytes  %7.3f s wall  %7.3f s CPU"
          "  %10.1f chunks/s  %6.3f MB/s  %6.3f CPU s/100k  first after %5.1f ms  %s\n",
          label, r->deltas, r->bytes, r->seconds, r->cpu_seconds, chunks_per_s, mb_per_s,
          cpu_per_100k, r->first_delta_seconds * 1000, r->ok ? "ok" : "MISMATCH");
  printf ("RESULT client=openai-glib kind=%s index=%u chunks=%" G_GUINT64_FORMAT " bytes=%" G_GUINT64_FORMAT
          " seconds=%.6f cpu_seconds=%.6f chunks_per_s=%.1f mb_per_s=%.4f cpu_per_100k=%.4f"
          " first_delta_ms=%.1f ok=%d\n",
          kind, index, r->deltas, r->bytes, r->seconds,
          r->cpu_seconds, chunks_per_s, mb_per_s, cpu_per_100k, r->first_delta_seconds * 1000,
          r->ok ? 1 : 0);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(OaiClient) client = NULL;
  g_autofree char *url = NULL;
  g_autofree RunResult *results = NULL;
  int runs = 3;
  int warmup = 1;
  gint64 expect_chunks = -1;
  gint64 expect_bytes = -1;
  guint best = 0;
  gboolean ok = TRUE;
  GOptionEntry entries[] = {
    { "url", 0, 0, G_OPTION_ARG_STRING, &url, "Base URL of the server, e.g. http://127.0.0.1:8080/v1", "URL" },
    { "runs", 'r', 0, G_OPTION_ARG_INT, &runs, "Timed runs (default 3)", "R" },
    { "warmup", 'w', 0, G_OPTION_ARG_INT, &warmup, "Untimed runs first (default 1)", "W" },
    { "expect-chunks", 0, 0, G_OPTION_ARG_INT64, &expect_chunks, "The content deltas every run must get", "N" },
    { "expect-bytes", 0, 0, G_OPTION_ARG_INT64, &expect_bytes, "The bytes of content every run must get", "B" },
    { NULL }
  };

  context = g_option_context_new ("- openai-glib streaming benchmark");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-stream: %s\n", error->message);
      return 2;
    }
  if (url == NULL || runs < 1 || warmup < 0)
    {
      g_printerr ("bench-stream: need --url, a positive --runs and a --warmup of 0 or more\n");
      return 2;
    }

  client = oai_client_new ("sk-bench");
  g_object_set (client,
                "base-url", url,
                "max-retries", 0,
                NULL);

  printf ("openai-glib " OAI_VERSION_S " against %s\n", url);

  for (int i = 0; i < warmup; i++)
    {
      RunResult r = { 0 };

      if (!stream_once (client, expect_chunks, expect_bytes, &r))
        {
          g_printerr ("bench-stream: warm-up run %d failed\n", i + 1);
          return EXIT_FAILURE;
        }
      print_run ("warmup", i + 1, &r);
    }

  results = g_new0 (RunResult, runs);
  for (int i = 0; i < runs; i++)
    {
      if (!stream_once (client, expect_chunks, expect_bytes, &results[i]))
        ok = FALSE;
      print_run ("run", i + 1, &results[i]);
      if (results[i].deltas / results[i].seconds > results[best].deltas / results[best].seconds)
        best = i;
    }

  print_run ("best", best + 1, &results[best]);

  return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
