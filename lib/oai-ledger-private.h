/* oai-ledger-private.h: a persistent spend ledger in SQLite
 *
 * One row per API call: when, which model, how many tokens, what it cost.
 * Knows nothing of HTTP or of the client.
 *
 * A ledger is used from one thread at a time (it may move between threads,
 * but calls must not overlap). Several processes may open the same file and
 * write to it at once: SQLite's locks and a busy timeout serialise them.
 *
 * Days and months are UTC, so that every process, whatever its time zone,
 * agrees on which day and which month a call belongs to.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _OaiLedger OaiLedger;

typedef struct
{
  gint64      time;                   /* unix microseconds, UTC */
  const char *model;
  const char *request_id;             /* nullable */
  guint       prompt_tokens;
  guint       cached_tokens;
  guint       completion_tokens;
  guint       reasoning_tokens;
  double      cost;                   /* US dollars; NaN (or infinite) when unknown */
  gboolean    estimated;              /* the usage was counted locally */
  const char *status;                 /* "ok", "interrupted", … */
} OaiLedgerEntry;

/* A row of oai_ledger_spend_by_day() or oai_ledger_spend_by_model(). */
typedef struct
{
  char    *key;                       /* the day, "YYYY-MM-DD" in UTC, or the model */
  double   cost;                      /* the sum of the known costs */
  guint64  requests;                  /* every call, whether its cost is known or not */
  guint64  unknown_cost_requests;     /* the calls whose cost is unknown */
  guint64  prompt_tokens;
  guint64  completion_tokens;
} OaiLedgerSpend;

G_GNUC_WARN_UNUSED_RESULT
OaiLedger  *oai_ledger_open           (const char            *path,
                                       GError               **error);
void        oai_ledger_free           (OaiLedger             *self);
const char *oai_ledger_get_path       (OaiLedger             *self);
gboolean    oai_ledger_record         (OaiLedger             *self,
                                       const OaiLedgerEntry  *entry,
                                       GError               **error);
double      oai_ledger_sum_cost       (OaiLedger             *self,
                                       gint64                 from_time,
                                       gint64                 to_time,
                                       GError               **error);
gboolean    oai_ledger_month_to_date  (OaiLedger             *self,
                                       GDateTime             *now,
                                       double                *cost,
                                       GError               **error);
G_GNUC_WARN_UNUSED_RESULT
GPtrArray  *oai_ledger_spend_by_day   (OaiLedger             *self,
                                       gint64                 from_time,
                                       gint64                 to_time,
                                       GError               **error);
G_GNUC_WARN_UNUSED_RESULT
GPtrArray  *oai_ledger_spend_by_model (OaiLedger             *self,
                                       gint64                 from_time,
                                       gint64                 to_time,
                                       GError               **error);
void        oai_ledger_spend_free     (OaiLedgerSpend        *spend);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OaiLedger, oai_ledger_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OaiLedgerSpend, oai_ledger_spend_free)

G_END_DECLS
