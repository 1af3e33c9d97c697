/* test-retry.c: backoff schedule, Retry-After forms and x-should-retry
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <openai-glib.h>
#include "oai-retry-private.h"

static GDateTime *
fixed_now (void)
{
  /* Sun, 06 Nov 1994 08:49:37 GMT */
  return g_date_time_new_utc (1994, 11, 6, 8, 49, 37);
}

static void
test_backoff_schedule (void)
{
  /* min (base * 2^n, max), no jitter at random = 0 */
  static const guint expected[] = { 500, 1000, 2000, 4000, 8000, 8000, 8000 };

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpuint (oai_retry_backoff_ms (i, 0.5, 8.0, 0.0), ==, expected[i]);

  /* Jitter takes off at most a quarter. */
  g_assert_cmpuint (oai_retry_backoff_ms (0, 0.5, 8.0, 1.0), ==, 375);
  g_assert_cmpuint (oai_retry_backoff_ms (4, 0.5, 8.0, 0.5), ==, 7000);
  for (guint i = 0; i < 1000; i++)
    {
      guint ms = oai_retry_backoff_ms (2, 0.5, 8.0, g_random_double ());
      g_assert_cmpuint (ms, >=, 1500);
      g_assert_cmpuint (ms, <=, 2000);
    }

  /* Huge retry counts neither overflow nor pass the maximum. */
  g_assert_cmpuint (oai_retry_backoff_ms (1000, 0.5, 8.0, 0.0), ==, 8000);
  g_assert_cmpuint (oai_retry_backoff_ms (3, 0.0, 8.0, 0.0), ==, 0);
}

static void
test_retry_after_forms (void)
{
  g_autoptr(GDateTime) now = fixed_now ();
  guint ms = 0;

  g_assert_true (oai_retry_parse_retry_after ("150", NULL, now, &ms));
  g_assert_cmpuint (ms, ==, 150);
  g_assert_true (oai_retry_parse_retry_after ("12.5", NULL, now, &ms));
  g_assert_cmpuint (ms, ==, 13);

  g_assert_true (oai_retry_parse_retry_after (NULL, "2", now, &ms));
  g_assert_cmpuint (ms, ==, 2000);
  g_assert_true (oai_retry_parse_retry_after (NULL, " 0.65 ", now, &ms));
  g_assert_cmpuint (ms, ==, 650);

  /* retry-after-ms wins over retry-after. */
  g_assert_true (oai_retry_parse_retry_after ("40", "30", now, &ms));
  g_assert_cmpuint (ms, ==, 40);
  /* …unless it is unusable. */
  g_assert_true (oai_retry_parse_retry_after ("soon", "3", now, &ms));
  g_assert_cmpuint (ms, ==, 3000);

  /* The three HTTP date forms, 5 s after now. */
  g_assert_true (oai_retry_parse_retry_after (NULL, "Sun, 06 Nov 1994 08:49:42 GMT", now, &ms));
  g_assert_cmpuint (ms, ==, 5000);
  g_assert_true (oai_retry_parse_retry_after (NULL, "Sunday, 06-Nov-94 08:49:42 GMT", now, &ms));
  g_assert_cmpuint (ms, ==, 5000);
  g_assert_true (oai_retry_parse_retry_after (NULL, "Sun Nov  6 08:49:42 1994", now, &ms));
  g_assert_cmpuint (ms, ==, 5000);

  /* Capped at a minute. */
  g_assert_true (oai_retry_parse_retry_after (NULL, "3600", now, &ms));
  g_assert_cmpuint (ms, ==, OAI_RETRY_AFTER_MAX_MS);
  g_assert_true (oai_retry_parse_retry_after ("99999999999", NULL, now, &ms));
  g_assert_cmpuint (ms, ==, OAI_RETRY_AFTER_MAX_MS);
  g_assert_true (oai_retry_parse_retry_after (NULL, "Mon, 07 Nov 1994 08:49:37 GMT", now, &ms));
  g_assert_cmpuint (ms, ==, OAI_RETRY_AFTER_MAX_MS);

  /* No usable hint: the backoff schedule applies. */
  g_assert_false (oai_retry_parse_retry_after (NULL, NULL, now, &ms));
  g_assert_false (oai_retry_parse_retry_after ("0", NULL, now, &ms));
  g_assert_false (oai_retry_parse_retry_after ("-5", "-1", now, &ms));
  g_assert_false (oai_retry_parse_retry_after (NULL, "1e400", now, &ms));
  g_assert_false (oai_retry_parse_retry_after (NULL, "nan", now, &ms));
  g_assert_false (oai_retry_parse_retry_after (NULL, "5s", now, &ms));
  g_assert_false (oai_retry_parse_retry_after (NULL, "Sun, 06 Nov 1994 08:49:30 GMT", now, &ms));
  g_assert_false (oai_retry_parse_retry_after (NULL, "Sun, 06 Nov 1994 08:49:42 PST", now, &ms));
  g_assert_false (oai_retry_parse_retry_after (NULL, "Sun, 06 Foo 1994 08:49:42 GMT", now, &ms));
  g_assert_false (oai_retry_parse_retry_after (NULL, "Sun, 31 Feb 1994 08:49:42 GMT", now, &ms));
  g_assert_false (oai_retry_parse_retry_after (NULL, "", now, &ms));
}

static void
test_decide (void)
{
  g_autoptr(GDateTime) now = fixed_now ();
  g_autoptr(GError) server = g_error_new_literal (OAI_ERROR, OAI_ERROR_SERVER, "boom");
  g_autoptr(GError) invalid = g_error_new_literal (OAI_ERROR, OAI_ERROR_INVALID_REQUEST, "bad");
  g_autoptr(GError) cancelled = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "stop");
  OaiRetryHints hints = { 0 };
  guint ms = 0;

  g_assert_true (oai_retry_decide (server, NULL, 0, 2, 0.5, 8.0, 0.0, now, &ms));
  g_assert_cmpuint (ms, ==, 500);
  g_assert_true (oai_retry_decide (server, NULL, 1, 2, 0.5, 8.0, 0.0, now, &ms));
  g_assert_cmpuint (ms, ==, 1000);
  /* max-retries reached */
  g_assert_false (oai_retry_decide (server, NULL, 2, 2, 0.5, 8.0, 0.0, now, &ms));
  g_assert_false (oai_retry_decide (server, NULL, 0, 0, 0.5, 8.0, 0.0, now, &ms));

  g_assert_false (oai_retry_decide (invalid, NULL, 0, 2, 0.5, 8.0, 0.0, now, &ms));
  g_assert_false (oai_retry_decide (cancelled, NULL, 0, 2, 0.5, 8.0, 0.0, now, &ms));

  /* x-should-retry overrides the table, either way, in any case. */
  hints.x_should_retry = "true";
  g_assert_true (oai_retry_decide (invalid, &hints, 0, 2, 0.5, 8.0, 0.0, now, &ms));
  hints.x_should_retry = "FALSE";
  g_assert_false (oai_retry_decide (server, &hints, 0, 2, 0.5, 8.0, 0.0, now, &ms));
  hints.x_should_retry = "maybe";
  g_assert_true (oai_retry_decide (server, &hints, 0, 2, 0.5, 8.0, 0.0, now, &ms));
  /* …but never past max-retries, and never for a cancellation. */
  hints.x_should_retry = "true";
  g_assert_false (oai_retry_decide (server, &hints, 2, 2, 0.5, 8.0, 0.0, now, &ms));
  g_assert_false (oai_retry_decide (cancelled, &hints, 0, 2, 0.5, 8.0, 0.0, now, &ms));

  /* Retry-After replaces the backoff delay. */
  hints.x_should_retry = NULL;
  hints.retry_after_ms = "1234";
  g_assert_true (oai_retry_decide (server, &hints, 0, 2, 0.5, 8.0, 0.0, now, &ms));
  g_assert_cmpuint (ms, ==, 1234);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/oai/retry/backoff-schedule", test_backoff_schedule);
  g_test_add_func ("/oai/retry/retry-after-forms", test_retry_after_forms);
  g_test_add_func ("/oai/retry/decide", test_decide);

  return g_test_run ();
}
