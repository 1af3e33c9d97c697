/* oai-retry-private.h: the retry policy, one place for every call
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A server may ask for a longer wait than this; we do not let one answer stall a
 * call for more than a minute. */
#define OAI_RETRY_AFTER_MAX_MS 60000

typedef struct
{
  /* Header values of the failed answer, or NULL. */
  const char *x_should_retry;
  const char *retry_after_ms;
  const char *retry_after;
} OaiRetryHints;

gboolean oai_retry_parse_retry_after (const char    *retry_after_ms,
                                      const char    *retry_after,
                                      GDateTime     *now,
                                      guint         *delay_ms);
gboolean oai_retry_parse_http_date   (const char    *text,
                                      gint64        *unix_time);
guint    oai_retry_backoff_ms        (guint          retry_index,
                                      double         base_delay,
                                      double         max_delay,
                                      double         random01);
gboolean oai_retry_decide            (const GError  *error,
                                      const OaiRetryHints *hints,
                                      guint          retries_done,
                                      guint          max_retries,
                                      double         base_delay,
                                      double         max_delay,
                                      double         random01,
                                      GDateTime     *now,
                                      guint         *delay_ms);

G_END_DECLS
