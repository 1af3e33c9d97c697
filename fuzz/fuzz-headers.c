/* fuzz-headers.c: rate-limit reset times and Retry-After values */

#include "oai-rate-limiter-private.h"
#include "oai-retry-private.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  char *text = g_strndup ((const char *) data, size);
  GDateTime *now = g_date_time_new_from_unix_utc (1700000000);
  double seconds;
  guint ms;
  gint64 when;

  if (oai_rate_parse_duration (text, &seconds))
    g_assert (seconds >= 0);
  if (oai_retry_parse_retry_after (text, NULL, now, &ms))
    g_assert (ms > 0 && ms <= OAI_RETRY_AFTER_MAX_MS);
  if (oai_retry_parse_retry_after (NULL, text, now, &ms))
    g_assert (ms > 0 && ms <= OAI_RETRY_AFTER_MAX_MS);
  oai_retry_parse_http_date (text, &when);

  g_date_time_unref (now);
  g_free (text);
  return 0;
}
