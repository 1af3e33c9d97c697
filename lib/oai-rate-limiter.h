/* oai-rate-limiter.h: keeping a program under its requests and tokens per minute
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(OAI_INSIDE) && !defined(OAI_COMPILATION)
# error "Only <openai-glib.h> can be included directly."
#endif

#include <glib-object.h>

#include "oai-version-macros.h"

G_BEGIN_DECLS

#define OAI_TYPE_RATE_LIMITER (oai_rate_limiter_get_type ())

OAI_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (OaiRateLimiter, oai_rate_limiter, OAI, RATE_LIMITER, GObject)

OAI_AVAILABLE_IN_ALL
OaiRateLimiter *oai_rate_limiter_new                        (guint           requests_per_minute,
                                                             guint           tokens_per_minute) G_GNUC_WARN_UNUSED_RESULT;
OAI_AVAILABLE_IN_ALL
OaiRateLimiter *oai_rate_limiter_new_with_redis                 (guint           requests_per_minute,
                                                             guint           tokens_per_minute,
                                                             const char     *redis_address,
                                                             const char     *key,
                                                             GError        **error) G_GNUC_WARN_UNUSED_RESULT;
OAI_AVAILABLE_IN_ALL
gboolean        oai_rate_limiter_get_shared                 (OaiRateLimiter *self);
OAI_AVAILABLE_IN_ALL
guint           oai_rate_limiter_get_requests_per_minute    (OaiRateLimiter *self);
OAI_AVAILABLE_IN_ALL
void            oai_rate_limiter_set_requests_per_minute    (OaiRateLimiter *self,
                                                             guint           requests_per_minute);
OAI_AVAILABLE_IN_ALL
guint           oai_rate_limiter_get_tokens_per_minute      (OaiRateLimiter *self);
OAI_AVAILABLE_IN_ALL
void            oai_rate_limiter_set_tokens_per_minute      (OaiRateLimiter *self,
                                                             guint           tokens_per_minute);
OAI_AVAILABLE_IN_ALL
guint           oai_rate_limiter_get_max_concurrent         (OaiRateLimiter *self);
OAI_AVAILABLE_IN_ALL
void            oai_rate_limiter_set_max_concurrent         (OaiRateLimiter *self,
                                                             guint           max_concurrent);
OAI_AVAILABLE_IN_ALL
guint           oai_rate_limiter_get_default_completion_tokens (OaiRateLimiter *self);
OAI_AVAILABLE_IN_ALL
void            oai_rate_limiter_set_default_completion_tokens (OaiRateLimiter *self,
                                                                guint           tokens);
OAI_AVAILABLE_IN_ALL
guint           oai_rate_limiter_get_queued                 (OaiRateLimiter *self);

G_END_DECLS
