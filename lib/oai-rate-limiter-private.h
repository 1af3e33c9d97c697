/* oai-rate-limiter-private.h: what a call asks of the limiter
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "oai-rate-limiter.h"

G_BEGIN_DECLS

typedef struct _OaiRateTicket OaiRateTicket;

/* Called on the acquiring thread's main context when the request may go. */
typedef void (*OaiRateReadyFunc) (OaiRateTicket *ticket,
                                  gpointer       user_data);

typedef struct
{
  /* The server's x-ratelimit-* headers, or NULL. */
  const char *limit_requests;
  const char *limit_tokens;
  const char *remaining_requests;
  const char *remaining_tokens;
  const char *reset_requests;
  const char *reset_tokens;
} OaiRateHeaders;

OaiRateTicket *oai_rate_limiter_acquire        (OaiRateLimiter       *self,
                                                guint                 tokens,
                                                int                   priority,
                                                OaiRateReadyFunc      func,
                                                gpointer              user_data);
void           oai_rate_ticket_cancel          (OaiRateTicket        *ticket);
void           oai_rate_ticket_release         (OaiRateTicket        *ticket,
                                                int                   actual_tokens);
void           oai_rate_limiter_update         (OaiRateLimiter       *self,
                                                const OaiRateHeaders *headers);
void           oai_rate_limiter_pause          (OaiRateLimiter       *self,
                                                guint                 delay_ms);
gboolean       oai_rate_parse_duration         (const char           *text,
                                                double               *seconds);

G_END_DECLS
