/* oai-rate-redis-private.h: one account's rate budgets, shared through Redis
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _OaiRateRedis OaiRateRedis;

OaiRateRedis *oai_rate_redis_connect (const char    *address,
                                      const char    *key,
                                      GError       **error);
void          oai_rate_redis_free    (OaiRateRedis  *self);
gboolean      oai_rate_redis_take    (OaiRateRedis  *self,
                                      guint          rpm,
                                      guint          tpm,
                                      guint          tokens,
                                      double        *wait_seconds,
                                      GError       **error);
gboolean      oai_rate_redis_adjust  (OaiRateRedis  *self,
                                      guint          tpm,
                                      double         tokens,
                                      GError       **error);
gboolean      oai_rate_redis_pause   (OaiRateRedis  *self,
                                      double         seconds,
                                      GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OaiRateRedis, oai_rate_redis_free)

G_END_DECLS
