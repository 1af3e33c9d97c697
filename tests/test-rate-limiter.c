/* test-rate-limiter.c: start times at the server respect the limits
 *
 * Only lower bounds on waits are asserted: a slow machine can only make the
 * requests later, never earlier, so these tests cannot be flaky that way.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdlib.h>

#include <glib/gstdio.h>
#include <openai-glib.h>

#include "mock-server.h"
#include "oai-rate-limiter-private.h"

/* Under valgrind (the leak check of tools/run-tests) connections take so
 * long to set up that arrival times say nothing of the limiter: the flows
 * still run, the timing asserts are left out. */
static gboolean
timing_meaningful (void)
{
  return g_getenv ("OAI_TEST_UNDER_VALGRIND") == NULL;
}

#define assert_at_least(value, bound) \
  G_STMT_START { if (timing_meaningful ()) g_assert_cmpfloat ((value), >=, (bound)); } G_STMT_END

typedef struct
{
  MockServer *server;
  OaiClient *client;
  OaiRateLimiter *limiter;
  guint done;
  GPtrArray *errors;
  GArray *delays;
} Fixture;

static void
delayed_cb (OaiRateLimiter *limiter,
            guint           delay_ms,
            Fixture        *f)
{
  g_array_append_val (f->delays, delay_ms);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->server = mock_server_new ();
  f->client = oai_client_new ("sk-limit-test");
  g_object_set (f->client, "base-url", mock_server_get_base_url (f->server),
                "retry-base-delay", 0.01, "retry-max-delay", 0.02, NULL);
  f->errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  f->delays = g_array_new (FALSE, FALSE, sizeof (guint));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  mock_assert_finalized (g_steal_pointer (&f->client));
  if (f->limiter != NULL)
    mock_assert_finalized (g_steal_pointer (&f->limiter));
  mock_server_free (f->server);
  g_ptr_array_unref (f->errors);
  g_array_unref (f->delays);
}

static void
use_limiter (Fixture        *f,
             OaiRateLimiter *limiter)
{
  f->limiter = limiter;
  oai_client_set_rate_limiter (f->client, limiter);
  g_signal_connect (limiter, "request-delayed", G_CALLBACK (delayed_cb), f);
}

static void
done_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Fixture *f = user_data;
  GError *error = NULL;
  g_autoptr(OaiChatResponse) response = oai_client_chat_finish (OAI_CLIENT (object), result, &error);

  if (error != NULL)
    g_ptr_array_add (f->errors, error);
  f->done++;
}

static OaiChatRequest *
request_with (int max_tokens,
              int priority)
{
  OaiChatRequest *request = oai_chat_request_new ("gpt-4o-mini");

  oai_chat_request_add_message (request, OAI_ROLE_USER, "Say hello");
  oai_chat_request_set_max_tokens (request, max_tokens);
  oai_chat_request_set_priority (request, priority);
  return request;
}

static void
start (Fixture         *f,
       OaiChatRequest  *request,
       GCancellable    *cancellable)
{
  oai_client_chat_async (f->client, request, cancellable, done_cb, f);
}

static void
wait_for (Fixture *f,
          guint    n)
{
  while (f->done < n)
    g_main_context_iteration (NULL, TRUE);
}

static double
arrival (Fixture *f,
         guint    i)
{
  return mock_server_get_request (f->server, i)->time / (double) G_USEC_PER_SEC;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

/* Arrival times in order: connections set up at different speeds can swap
 * two requests sent at once. */
static GArray *
sorted_arrivals (Fixture *f)
{
  GArray *times = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint i = 0; i < mock_server_get_n_requests (f->server); i++)
    {
      double t = arrival (f, i);
      g_array_append_val (times, t);
    }
  g_array_sort (times, compare_doubles);
  return times;
}

static void
test_durations (void)
{
  static const struct { const char *text; double seconds; } good[] = {
    { "1s", 1 }, { "6m0s", 360 }, { "18m43.156s", 1123.156 }, { "0.65s", 0.65 },
    { "39ms", 0.039 }, { "1h2m", 3720 }, { "0s", 0 },
  };
  static const char *bad[] = { "", "s", "5x", "-1s", "1s2", "ms", NULL };
  double seconds;

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_assert_true (oai_rate_parse_duration (good[i].text, &seconds));
      g_assert_cmpfloat_with_epsilon (seconds, good[i].seconds, 1e-9);
    }
  for (guint i = 0; bad[i] != NULL; i++)
    g_assert_false (oai_rate_parse_duration (bad[i], &seconds));
  g_assert_false (oai_rate_parse_duration (NULL, &seconds));
}

static void
test_rpm (Fixture       *f,
          gconstpointer  data)
{
  g_autoptr(OaiChatRequest) request = request_with (10, 0);

  /* 120 a minute: two at once (a second's worth), then one every 0.5 s. */
  use_limiter (f, oai_rate_limiter_new (120, 0));
  for (guint i = 0; i < 6; i++)
    start (f, request, NULL);
  g_assert_cmpuint (oai_rate_limiter_get_queued (f->limiter), ==, 4);
  wait_for (f, 6);

  g_assert_cmpuint (f->errors->len, ==, 0);
  g_assert_cmpuint (mock_server_get_n_requests (f->server), ==, 6);
  {
    g_autoptr(GArray) t = sorted_arrivals (f);

    /* The limiter lets them go at exact times; the network adds a little. */
    for (guint i = 2; i < 6; i++)
      assert_at_least (g_array_index (t, double, i) - g_array_index (t, double, 0), (i - 1) * 0.5 - 0.1);
  }
  g_assert_cmpuint (oai_rate_limiter_get_queued (f->limiter), ==, 0);

  /* The waits were announced. */
  g_assert_cmpuint (f->delays->len, ==, 4);
  g_assert_cmpuint (g_array_index (f->delays, guint, 0), >, 0);
}

static void
test_tpm (Fixture       *f,
          gconstpointer  data)
{
  g_autoptr(OaiChatRequest) request = request_with (1500, 0);
  /* The server reports as many tokens as were estimated: no refund. */
  const char *body = "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"long\"},"
                     "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":12,"
                     "\"completion_tokens\":1500}}";

  /* 60,000 a minute: 1,000 a second at most; each request counts about
   * 1,510, more than a second's worth: it waits for a full budget. */
  use_limiter (f, oai_rate_limiter_new (0, 60000));
  mock_server_set_default (f->server, 200, body, 0, NULL);
  for (guint i = 0; i < 3; i++)
    start (f, request, NULL);
  wait_for (f, 3);

  g_assert_cmpuint (f->errors->len, ==, 0);
  assert_at_least (arrival (f, 1) - arrival (f, 0), 1.4);
  assert_at_least (arrival (f, 2) - arrival (f, 1), 1.4);
}

static void
test_refund (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(OaiChatRequest) request = request_with (1500, 0);

  /* The same estimate, but the answers are short (21 tokens): the usage
   * reported gives the budget back, and the requests follow each other. */
  use_limiter (f, oai_rate_limiter_new (0, 60000));
  for (guint i = 0; i < 3; i++)
    {
      start (f, request, NULL);
      wait_for (f, i + 1);
    }
  /* Without the refund each would wait a full 1.5 s; with it, hardly. */
  if (timing_meaningful ())
    {
      g_assert_cmpfloat (arrival (f, 1) - arrival (f, 0), <, 1.2);
      g_assert_cmpfloat (arrival (f, 2) - arrival (f, 1), <, 1.2);
    }
}

static void
test_max_concurrent (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(OaiChatRequest) request = request_with (10, 0);
  g_autofree char *body = mock_chat_completion ("slow");

  use_limiter (f, oai_rate_limiter_new (0, 0));
  oai_rate_limiter_set_max_concurrent (f->limiter, 2);
  mock_server_set_default (f->server, 200, body, 300, NULL);
  for (guint i = 0; i < 6; i++)
    start (f, request, NULL);
  wait_for (f, 6);

  g_assert_cmpuint (f->errors->len, ==, 0);
  g_assert_cmpuint (mock_server_get_max_in_flight (f->server), ==, 2);
}

static void
test_headers (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(OaiChatRequest) request = request_with (10, 0);
  g_autofree char *body = mock_chat_completion ("hi");

  /* Created knowing nothing: the server tells the limits, and that the
   * requests are spent for a second. */
  use_limiter (f, oai_rate_limiter_new (0, 0));
  mock_server_queue (f->server, 200, body, 0,
                     "x-ratelimit-limit-requests", "600",
                     "x-ratelimit-limit-tokens", "150000",
                     "x-ratelimit-remaining-requests", "0",
                     "x-ratelimit-reset-requests", "1s",
                     "x-ratelimit-remaining-tokens", "149000",
                     "x-ratelimit-reset-tokens", "6m0s",
                     NULL);
  start (f, request, NULL);
  wait_for (f, 1);
  g_assert_cmpuint (oai_rate_limiter_get_requests_per_minute (f->limiter), ==, 600);
  g_assert_cmpuint (oai_rate_limiter_get_tokens_per_minute (f->limiter), ==, 150000);

  start (f, request, NULL);
  wait_for (f, 2);
  assert_at_least (arrival (f, 1) - arrival (f, 0), 0.9);
}

static void
test_429_pauses_queue (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(OaiChatRequest) request = request_with (10, 0);

  use_limiter (f, oai_rate_limiter_new (0, 0));
  oai_rate_limiter_set_max_concurrent (f->limiter, 1);
  mock_server_queue (f->server, 429, "{\"error\":{\"code\":\"rate_limit_exceeded\"}}", 0,
                     "retry-after-ms", "800", NULL);
  for (guint i = 0; i < 3; i++)
    start (f, request, NULL);
  wait_for (f, 3);

  /* Nothing reached the server during the pause the 429 asked for. */
  g_assert_cmpuint (f->errors->len, ==, 0);
  g_assert_cmpuint (mock_server_get_n_requests (f->server), ==, 4);
  for (guint i = 1; i < 4; i++)
    assert_at_least (arrival (f, i) - arrival (f, 0), 0.7);
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
test_cancel_queued (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(OaiChatRequest) request = request_with (10, 0);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GTimer) timer = g_timer_new ();

  /* One a second: the second waits, and is cancelled while it does. */
  use_limiter (f, oai_rate_limiter_new (60, 0));
  start (f, request, NULL);
  start (f, request, cancellable);
  g_assert_cmpuint (oai_rate_limiter_get_queued (f->limiter), ==, 1);
  g_timeout_add (100, cancel_cb, cancellable);
  wait_for (f, 2);

  g_assert_cmpuint (f->errors->len, ==, 1);
  g_assert_error ((GError *) g_ptr_array_index (f->errors, 0), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  if (timing_meaningful ())
    g_assert_cmpfloat (g_timer_elapsed (timer, NULL), <, 0.9);
  g_assert_cmpuint (oai_rate_limiter_get_queued (f->limiter), ==, 0);
  g_assert_cmpuint (mock_server_get_n_requests (f->server), ==, 1);
}

static void
test_priority (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(OaiChatRequest) normal = request_with (10, 0);
  g_autoptr(OaiChatRequest) urgent = request_with (11, 5);
  g_autofree char *body = mock_chat_completion ("slow");
  MockRequest *second;

  use_limiter (f, oai_rate_limiter_new (0, 0));
  oai_rate_limiter_set_max_concurrent (f->limiter, 1);
  mock_server_set_default (f->server, 200, body, 200, NULL);
  start (f, normal, NULL);
  start (f, normal, NULL);
  start (f, urgent, NULL);
  wait_for (f, 3);

  /* The urgent request, queued last, went second. */
  second = mock_server_get_request (f->server, 1);
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (second->body, NULL), g_bytes_get_size (second->body),
                                  "\"max_completion_tokens\":11"));
}

/* A Redis server of the test's own, on a socket in a scratch directory. */
typedef struct
{
  GSubprocess *process;
  char *dir;
  char *address;
} Redis;

static gboolean
redis_start (Redis *redis)
{
  const char *server = g_getenv ("OAI_REDIS_SERVER");
  g_autofree char *socket = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline;

  if (server == NULL || !g_file_test (server, G_FILE_TEST_IS_EXECUTABLE))
    return FALSE;

  redis->dir = g_dir_make_tmp ("oai-redis-XXXXXX", NULL);
  socket = g_build_filename (redis->dir, "redis.sock", NULL);
  redis->address = g_strconcat ("unix:", socket, NULL);
  redis->process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error,
                                     server, "--port", "0", "--unixsocket", socket,
                                     "--unixsocketperm", "700", "--save", "", "--appendonly", "no",
                                     "--dir", redis->dir, NULL);
  g_assert_no_error (error);

  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(OaiRateLimiter) probe = oai_rate_limiter_new_with_redis (1, 0, redis->address, "probe", NULL);
      if (probe != NULL)
        return TRUE;
      g_usleep (20000);
    }
  g_error ("redis-server did not start on %s", socket);
}

static void
redis_stop (Redis *redis)
{
  if (redis->process != NULL)
    {
      g_subprocess_force_exit (redis->process);
      g_subprocess_wait (redis->process, NULL, NULL);
      g_clear_object (&redis->process);
    }
  if (redis->dir != NULL)
    {
      g_autofree char *socket = g_build_filename (redis->dir, "redis.sock", NULL);
      g_unlink (socket);
      g_rmdir (redis->dir);
    }
  g_clear_pointer (&redis->dir, g_free);
  g_clear_pointer (&redis->address, g_free);
}

/* A second process of the same account: N calls through a shared limiter. */
static int
run_worker (const char *address,
            const char *url,
            int         n,
            const char *key)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OaiRateLimiter) limiter = oai_rate_limiter_new_with_redis (120, 0, address, key, &error);
  g_autoptr(OaiClient) client = NULL;
  g_autoptr(OaiChatRequest) request = request_with (10, 0);
  Fixture f = { 0 };

  if (limiter == NULL)
    {
      g_printerr ("worker: %s\n", error->message);
      return 1;
    }
  client = oai_client_new ("sk-worker");
  g_object_set (client, "base-url", url, "rate-limiter", limiter, NULL);
  f.client = client;
  f.errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  for (int i = 0; i < n; i++)
    start (&f, request, NULL);
  wait_for (&f, n);

  if (f.errors->len > 0)
    {
      g_printerr ("worker: %s\n", ((GError *) g_ptr_array_index (f.errors, 0))->message);
      return 1;
    }
  g_ptr_array_unref (f.errors);
  return 0;
}

static void
test_shared_two_processes (Fixture       *f,
                           gconstpointer  data)
{
  Redis redis = { 0 };
  GSubprocess *workers[2];
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) t = NULL;
  const char *self_exe = g_getenv ("OAI_TEST_SELF");

  if (!redis_start (&redis))
    {
      g_test_skip ("redis-server is not installed");
      return;
    }
  g_assert_nonnull (self_exe);

  /* Two processes, one account, 120 requests a minute between them. */
  for (guint i = 0; i < 2; i++)
    {
      workers[i] = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, self_exe, "--worker",
                                     redis.address, mock_server_get_base_url (f->server), "4",
                                     "account-1", NULL);
      g_assert_no_error (error);
    }
  for (guint i = 0; i < 2; i++)
    {
      g_assert_true (g_subprocess_wait_check (workers[i], NULL, &error));
      g_assert_no_error (error);
      g_object_unref (workers[i]);
    }

  /* Together they kept the pace of one: two at once, then one every 0.5 s. */
  g_assert_cmpuint (mock_server_get_n_requests (f->server), ==, 8);
  t = sorted_arrivals (f);
  for (guint i = 2; i < 8; i++)
    assert_at_least (g_array_index (t, double, i) - g_array_index (t, double, 0), (i - 1) * 0.5 - 0.1);

  redis_stop (&redis);
}

static void
test_shared_redis_gone (Fixture       *f,
                        gconstpointer  data)
{
  Redis redis = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(OaiChatRequest) request = request_with (10, 0);
  g_autoptr(GTimer) timer = g_timer_new ();

  if (!redis_start (&redis))
    {
      g_test_skip ("redis-server is not installed");
      return;
    }

  use_limiter (f, oai_rate_limiter_new_with_redis (6000, 0, redis.address, "account-2", &error));
  g_assert_no_error (error);
  g_assert_true (oai_rate_limiter_get_shared (f->limiter));
  start (f, request, NULL);
  wait_for (f, 1);

  /* Redis goes away: the calls go on, limited locally, and say so. */
  redis_stop (&redis);
  for (guint i = 0; i < 3; i++)
    start (f, request, NULL);
  wait_for (f, 4);
  g_assert_cmpuint (f->errors->len, ==, 0);
  g_assert_false (oai_rate_limiter_get_shared (f->limiter));
  g_assert_cmpuint (mock_server_get_n_requests (f->server), ==, 4);
  if (timing_meaningful ())
    g_assert_cmpfloat (g_timer_elapsed (timer, NULL), <, 30.0);

  /* An unreachable Redis at creation is a clear error. */
  g_clear_error (&error);
  g_assert_null (oai_rate_limiter_new_with_redis (60, 0, "unix:/nonexistent/redis.sock", "k", &error));
  g_assert_error (error, OAI_ERROR, OAI_ERROR_CONNECTION);
}

int
main (int argc, char *argv[])
{
  if (argc == 6 && g_str_equal (argv[1], "--worker"))
    return run_worker (argv[2], argv[3], atoi (argv[4]), argv[5]);

  g_setenv ("OAI_TEST_SELF", argv[0], TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/oai/rate-limiter/durations", test_durations);

#define ADD(path, func) \
  g_test_add ("/oai/rate-limiter/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("rpm", test_rpm);
  ADD ("tpm", test_tpm);
  ADD ("refund", test_refund);
  ADD ("max-concurrent", test_max_concurrent);
  ADD ("headers", test_headers);
  ADD ("429-pauses-queue", test_429_pauses_queue);
  ADD ("cancel-queued", test_cancel_queued);
  ADD ("priority", test_priority);
  ADD ("shared-two-processes", test_shared_two_processes);
  ADD ("shared-redis-gone", test_shared_redis_gone);

#undef ADD

  return g_test_run ();
}
