/* bench-chat.c: request throughput and memory per in-flight call of openai-glib
 *
 *   bench-chat --url BASE_URL --requests N --concurrency C [--warmup W]
 *   bench-chat --url SLOW_BASE_URL --memory-inflight K [--warmup-url FAST_BASE_URL]
 *
 * Throughput mode runs N non-streaming chat calls through one OaiClient on the
 * default main context, keeping at most C in flight: C are started at once
 * and every completion callback starts the next one. W warm-up calls (same
 * client, same concurrency) run first and are not timed.
 *
 * Memory mode starts K calls at once against a server that delays its
 * answers, lets the main context run until they are all sent (at least
 * --settle-ms, then until the number of open sockets is stable for 500 ms, at
 * most --settle-max-ms), and reports the growth of VmRSS divided by K; then it
 * cancels them.
 *
 * Both modes end with one machine-readable line starting with "RESULT ",
 * which bench/run-throughput reads.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openai-glib.h>

#define MODEL "gpt-4o-mini"
#define PROMPT "Say hello"

typedef struct
{
  OaiClient *client;
  GCancellable *cancellable;
  GMainLoop *loop;
  guint total;
  guint concurrency;
  guint started;
  guint completed;
  guint failures;
  guint cancelled;
  gboolean expect_cancel;
} Batch;

static void start_one (Batch *batch);

static void
on_chat_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Batch *batch = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(OaiChatResponse) response = oai_client_chat_finish (OAI_CLIENT (source), result, &error);

  batch->completed++;

  if (response == NULL)
    {
      if (batch->expect_cancel && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        batch->cancelled++;
      else
        {
          if (batch->failures++ < 5)
            g_printerr ("bench-chat: call failed: %s\n", error->message);
        }
    }
  else if (oai_chat_response_get_content (response) == NULL)
    {
      if (batch->failures++ < 5)
        g_printerr ("bench-chat: answer without content\n");
    }

  if (batch->started < batch->total && !batch->expect_cancel)
    start_one (batch);
  else if (batch->completed == batch->total)
    g_main_loop_quit (batch->loop);
}

static void
start_one (Batch *batch)
{
  g_autoptr(OaiChatRequest) request = oai_chat_request_new (MODEL);

  oai_chat_request_add_message (request, OAI_ROLE_USER, PROMPT);
  batch->started++;
  oai_client_chat_async (batch->client, request, batch->cancellable, on_chat_done, batch);
}

/* Runs @total calls with at most @concurrency in flight; returns the failures. */
static guint
run_batch (OaiClient *client,
           guint      total,
           guint      concurrency)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Batch batch = { 0 };

  if (total == 0)
    return 0;

  batch.client = client;
  batch.loop = loop;
  batch.total = total;
  batch.concurrency = concurrency;

  for (guint i = 0; i < concurrency && batch.started < total; i++)
    start_one (&batch);
  g_main_loop_run (loop);

  return batch.failures;
}

static long
read_vm_rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "\nVmRSS:");
  if (line == NULL)
    return -1;

  return strtol (line + strlen ("\nVmRSS:"), NULL, 10);
}

/* Open sockets: the connections the client holds (and the listening ones, none here). */
static int
count_sockets (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  const char *name;
  int n = 0;

  if (dir == NULL)
    return -1;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/fd", name, NULL);
      g_autofree char *target = g_file_read_link (path, NULL);

      if (target != NULL && g_str_has_prefix (target, "socket:"))
        n++;
    }

  return n;
}

static void
iterate_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      /* Wakes up at least every 10 ms to look at the clock. */
      GSource *tick = g_timeout_source_new (10);

      g_source_set_dummy_callback (tick);
      g_source_attach (tick, NULL);
      g_main_context_iteration (NULL, TRUE);
      g_source_destroy (tick);
      g_source_unref (tick);
    }
}

/* Runs the main context for at least @min_ms, then until the number of open
 * sockets has not changed for 500 ms (every call that can go out is out), but
 * no longer than @max_ms. Returns the milliseconds waited. */
static guint
settle (guint min_ms,
        guint max_ms)
{
  gint64 start = g_get_monotonic_time ();
  gint64 last_change = start;
  int last = count_sockets ();

  for (;;)
    {
      gint64 now;
      int n;

      iterate_for (100);
      now = g_get_monotonic_time ();
      n = count_sockets ();
      if (n != last)
        {
          last = n;
          last_change = now;
        }
      if (now - start >= (gint64) max_ms * 1000)
        break;
      if (now - start >= (gint64) min_ms * 1000 && now - last_change >= 500 * 1000)
        break;
    }

  return (g_get_monotonic_time () - start) / 1000;
}

static int
run_throughput (OaiClient  *client,
                const char *url,
                guint       requests,
                guint       concurrency,
                guint       warmup)
{
  gint64 t0, t1;
  guint failures;
  double seconds, rps;

  if (warmup > 0)
    {
      guint warmup_failures = run_batch (client, warmup, concurrency);

      if (warmup_failures > 0)
        {
          g_printerr ("bench-chat: %u of %u warm-up calls failed\n", warmup_failures, warmup);
          return EXIT_FAILURE;
        }
    }

  t0 = g_get_monotonic_time ();
  failures = run_batch (client, requests, concurrency);
  t1 = g_get_monotonic_time ();

  seconds = (t1 - t0) / (double) G_USEC_PER_SEC;
  rps = requests / seconds;

  printf ("openai-glib " OAI_VERSION_S " against %s\n", url);
  printf ("  concurrency      %u\n", concurrency);
  printf ("  requests         %u (after %u warm-up)\n", requests, warmup);
  printf ("  total time       %.3f s\n", seconds);
  printf ("  requests/second  %.1f\n", rps);
  printf ("  failures         %u\n", failures);
  printf ("RESULT client=openai-glib mode=throughput concurrency=%u requests=%u seconds=%.6f rps=%.1f failures=%u\n",
          concurrency, requests, seconds, rps, failures);

  return failures == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

static int
run_memory (OaiClient  *client,
            const char *url,
            const char *warmup_url,
            guint       inflight,
            guint       warmup,
            guint       settle_ms,
            guint       settle_max_ms)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Batch batch = { 0 };
  long before, during;
  int sockets;
  guint waited_ms;
  double per_request;

  /* Pay for lazy initialisation (types, libsoup, json-glib) before the baseline. */
  if (warmup_url != NULL && warmup > 0)
    {
      guint failures;

      g_object_set (client, "base-url", warmup_url, NULL);
      failures = run_batch (client, warmup, 8);
      if (failures > 0)
        {
          g_printerr ("bench-chat: %u of %u warm-up calls failed\n", failures, warmup);
          return EXIT_FAILURE;
        }
      g_object_set (client, "base-url", url, NULL);
    }

  batch.client = client;
  batch.cancellable = cancellable;
  batch.loop = loop;
  batch.total = inflight;
  batch.concurrency = inflight;
  batch.expect_cancel = TRUE;

  before = read_vm_rss_kib ();
  for (guint i = 0; i < inflight; i++)
    start_one (&batch);

  /* Let them all go out; the server holds its answers for longer than this. */
  waited_ms = settle (settle_ms, MAX (settle_ms, settle_max_ms));
  during = read_vm_rss_kib ();
  sockets = count_sockets ();

  g_cancellable_cancel (cancellable);
  if (batch.completed < batch.total)
    g_main_loop_run (loop);

  per_request = (during - before) / (double) inflight;

  printf ("openai-glib " OAI_VERSION_S " against %s\n", url);
  printf ("  in flight                  %u (cancelled %u, other outcomes %u)\n",
          inflight, batch.cancelled, batch.completed - batch.cancelled);
  printf ("  open sockets in flight     %d (measured after %u ms)\n", sockets, waited_ms);
  printf ("  VmRSS before               %ld KiB\n", before);
  printf ("  VmRSS in flight            %ld KiB\n", during);
  printf ("  per in-flight request      %.2f KiB\n", per_request);
  printf ("RESULT client=openai-glib mode=memory inflight=%u rss_before_kib=%ld rss_inflight_kib=%ld kib_per_request=%.2f sockets=%d settle_ms=%u failures=%u\n",
          inflight, before, during, per_request, sockets, waited_ms, batch.completed - batch.cancelled);

  /* A call that completed before the cancellation means the server did not
   * hold its answers: the figure would be meaningless. */
  return batch.cancelled == inflight ? EXIT_SUCCESS : EXIT_FAILURE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(OaiClient) client = NULL;
  g_autofree char *url = NULL;
  g_autofree char *warmup_url = NULL;
  int requests = 1000;
  int concurrency = 1;
  int warmup = -1;
  int memory_inflight = 0;
  int settle_ms = 1000;
  int settle_max_ms = 3500;
  gboolean limiter = FALSE;
  GOptionEntry entries[] = {
    { "limiter", 0, 0, G_OPTION_ARG_NONE, &limiter, "Through a rate limiter that never binds (its own overhead)", NULL },
    { "url", 0, 0, G_OPTION_ARG_STRING, &url, "Base URL of the server, e.g. http://127.0.0.1:8080/v1", "URL" },
    { "requests", 'n', 0, G_OPTION_ARG_INT, &requests, "Number of timed calls (default 1000)", "N" },
    { "concurrency", 'c', 0, G_OPTION_ARG_INT, &concurrency, "Calls in flight at once (default 1)", "C" },
    { "warmup", 'w', 0, G_OPTION_ARG_INT, &warmup, "Untimed calls first (default N/10, at most 1000)", "W" },
    { "memory-inflight", 'm', 0, G_OPTION_ARG_INT, &memory_inflight, "Memory mode: calls held in flight at once", "K" },
    { "warmup-url", 0, 0, G_OPTION_ARG_STRING, &warmup_url, "Memory mode: a fast server for the warm-up calls", "URL" },
    { "settle-ms", 0, 0, G_OPTION_ARG_INT, &settle_ms, "Memory mode: at least this long to let the calls go out (default 1000)", "MS" },
    { "settle-max-ms", 0, 0, G_OPTION_ARG_INT, &settle_max_ms, "Memory mode: at most this long, if connections are still opening (default 3500)", "MS" },
    { NULL }
  };

  context = g_option_context_new ("- openai-glib request benchmark");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-chat: %s\n", error->message);
      return 2;
    }
  if (url == NULL || requests < 1 || concurrency < 1 || memory_inflight < 0 || settle_ms < 0 || settle_max_ms < 0)
    {
      g_printerr ("bench-chat: need --url, and positive --requests and --concurrency\n");
      return 2;
    }
  if (warmup < 0)
    warmup = MIN (requests / 10, 1000);

  client = oai_client_new ("sk-bench");
  g_object_set (client,
                "base-url", url,
                "max-retries", 0,
                NULL);
  if (limiter)
    {
      /* Limits no benchmark reaches: every call is estimated, queued and
       * admitted, none waits. */
      g_autoptr(OaiRateLimiter) never = oai_rate_limiter_new (G_MAXUINT / 2, G_MAXUINT / 2);
      oai_client_set_rate_limiter (client, never);
    }

  if (memory_inflight > 0)
    return run_memory (client, url, warmup_url, memory_inflight, warmup_url ? MAX (warmup, 1) : 0,
                       settle_ms, settle_max_ms);

  return run_throughput (client, url, requests, concurrency, warmup);
}
