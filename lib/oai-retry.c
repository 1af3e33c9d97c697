/* oai-retry.c: backoff, Retry-After and x-should-retry
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>

#include "oai-error.h"
#include "oai-retry-private.h"

/* Parses a non-negative decimal number of seconds or milliseconds, nothing else. */
static gboolean
parse_number (const char *text,
              double     *value)
{
  char *end = NULL;
  double v;

  if (text == NULL)
    return FALSE;
  while (g_ascii_isspace (*text))
    text++;
  if (!g_ascii_isdigit (*text) && *text != '.')
    return FALSE;

  v = g_ascii_strtod (text, &end);
  while (end && g_ascii_isspace (*end))
    end++;
  if (end == text || end == NULL || *end != '\0' || !isfinite (v) || v < 0)
    return FALSE;

  *value = v;
  return TRUE;
}

/*
 * oai_retry_parse_http_date:
 * @text: an HTTP date in the preferred IMF-fixdate form, "Sun, 06 Nov 1994 08:49:37 GMT"
 *
 * Also accepts the obsolete RFC 850 form "Sunday, 06-Nov-94 08:49:37 GMT" and
 * asctime's "Sun Nov  6 08:49:37 1994", as RFC 9110 asks recipients to.
 */
gboolean
oai_retry_parse_http_date (const char *text,
                           gint64     *unix_time)
{
  static const char months[12][4] = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
  };
  char wday[16], mon[4], tz[8];
  int day, year, hour, min, sec, month = -1;
  g_autoptr(GDateTime) dt = NULL;

  if (text == NULL)
    return FALSE;

  if (sscanf (text, "%15[A-Za-z], %2d %3s %4d %2d:%2d:%2d %7s",
              wday, &day, mon, &year, &hour, &min, &sec, tz) == 8)
    ;
  else if (sscanf (text, "%15[A-Za-z], %2d-%3s-%2d %2d:%2d:%2d %7s",
                   wday, &day, mon, &year, &hour, &min, &sec, tz) == 8)
    year += year < 70 ? 2000 : 1900;
  else if (sscanf (text, "%15[A-Za-z] %3s %2d %2d:%2d:%2d %4d",
                   wday, mon, &day, &hour, &min, &sec, &year) == 7)
    strcpy (tz, "GMT");
  else
    return FALSE;

  if (strcmp (tz, "GMT") != 0 && strcmp (tz, "UTC") != 0)
    return FALSE;

  for (int i = 0; i < 12; i++)
    if (g_ascii_strcasecmp (mon, months[i]) == 0)
      month = i + 1;
  if (month < 0)
    return FALSE;

  dt = g_date_time_new_utc (year, month, day, hour, min, sec);
  if (dt == NULL)
    return FALSE;

  *unix_time = g_date_time_to_unix (dt);
  return TRUE;
}

/*
 * oai_retry_parse_retry_after:
 * @retry_after_ms: (nullable): the `retry-after-ms` header, milliseconds
 * @retry_after: (nullable): the `retry-after` header, seconds or an HTTP date
 * @now: the current time, for the date form
 * @delay_ms: (out): the wait the server asked for, capped at %OAI_RETRY_AFTER_MAX_MS
 *
 * `retry-after-ms` takes precedence. A missing, unparsable, zero or past value
 * means the server gave no usable hint and the backoff schedule applies.
 *
 * Returns: %TRUE if the server asked for a wait
 */
gboolean
oai_retry_parse_retry_after (const char *retry_after_ms,
                             const char *retry_after,
                             GDateTime  *now,
                             guint      *delay_ms)
{
  double ms = -1;
  double value;

  if (parse_number (retry_after_ms, &value))
    ms = value;
  else if (parse_number (retry_after, &value))
    ms = value * 1000.0;
  else if (retry_after != NULL)
    {
      gint64 when;

      if (oai_retry_parse_http_date (retry_after, &when))
        ms = (double) (when - g_date_time_to_unix (now)) * 1000.0;
    }

  if (!(ms > 0))
    return FALSE;

  *delay_ms = (guint) MIN (ceil (ms), (double) OAI_RETRY_AFTER_MAX_MS);
  return TRUE;
}

/*
 * oai_retry_backoff_ms:
 * @retry_index: 0 for the first retry
 * @random01: a random number in [0, 1)
 *
 * `min (base * 2^n, max)`, less up to a quarter at random so that many clients
 * failing together do not come back together.
 */
guint
oai_retry_backoff_ms (guint  retry_index,
                      double base_delay,
                      double max_delay,
                      double random01)
{
  double delay = base_delay * pow (2.0, MIN (retry_index, 62));

  delay = MIN (delay, max_delay);
  delay = MAX (delay, 0.0);
  delay *= 1.0 - 0.25 * CLAMP (random01, 0.0, 1.0);

  return (guint) (delay * 1000.0 + 0.5);
}

/*
 * oai_retry_decide:
 * @error: why the last attempt failed
 * @hints: (nullable): headers of the failed answer
 * @retries_done: how many retries this call has made so far
 * @delay_ms: (out): how long to wait before the next attempt
 *
 * The one place that decides whether a call tries again. A server's
 * `x-should-retry` overrides the taxonomy; cancellation is never retried.
 *
 * Returns: %TRUE to retry after @delay_ms
 */
gboolean
oai_retry_decide (const GError        *error,
                  const OaiRetryHints *hints,
                  guint                retries_done,
                  guint                max_retries,
                  double               base_delay,
                  double               max_delay,
                  double               random01,
                  GDateTime           *now,
                  guint               *delay_ms)
{
  gboolean retry;

  if (error == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return FALSE;
  if (retries_done >= max_retries)
    return FALSE;

  retry = oai_error_is_retryable (error);
  if (hints != NULL && hints->x_should_retry != NULL)
    {
      if (g_ascii_strcasecmp (hints->x_should_retry, "true") == 0)
        retry = TRUE;
      else if (g_ascii_strcasecmp (hints->x_should_retry, "false") == 0)
        retry = FALSE;
    }

  if (!retry)
    return FALSE;

  if (hints == NULL ||
      !oai_retry_parse_retry_after (hints->retry_after_ms, hints->retry_after, now, delay_ms))
    *delay_ms = oai_retry_backoff_ms (retries_done, base_delay, max_delay, random01);

  return TRUE;
}
