/* oai-cost-tracker.h: what the calls of a client cost
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(OAI_INSIDE) && !defined(OAI_COMPILATION)
# error "Only <openai-glib.h> can be included directly."
#endif

#include <glib-object.h>

#include "oai-version-macros.h"
#include "oai-spend.h"
#include "oai-usage.h"

G_BEGIN_DECLS

#define OAI_TYPE_COST_TRACKER (oai_cost_tracker_get_type ())

OAI_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (OaiCostTracker, oai_cost_tracker, OAI, COST_TRACKER, GObject)

OAI_AVAILABLE_IN_ALL
OaiCostTracker *oai_cost_tracker_new                   (void) G_GNUC_WARN_UNUSED_RESULT;
OAI_AVAILABLE_IN_ALL
OaiCostTracker *oai_cost_tracker_new_with_ledger       (const char     *path,
                                                        GError        **error) G_GNUC_WARN_UNUSED_RESULT;
OAI_AVAILABLE_IN_ALL
const char     *oai_cost_tracker_get_ledger_path       (OaiCostTracker *self);
OAI_AVAILABLE_IN_ALL
gboolean        oai_cost_tracker_load_prices           (OaiCostTracker *self,
                                                        const char     *path,
                                                        GError        **error);
OAI_AVAILABLE_IN_ALL
void            oai_cost_tracker_set_price             (OaiCostTracker *self,
                                                        const char     *model,
                                                        double          input,
                                                        double          cached_input,
                                                        double          output);
OAI_AVAILABLE_IN_ALL
double          oai_cost_tracker_cost_for              (OaiCostTracker *self,
                                                        const char     *model,
                                                        OaiUsage       *usage);
OAI_AVAILABLE_IN_ALL
double          oai_cost_tracker_add_usage             (OaiCostTracker *self,
                                                        const char     *model,
                                                        OaiUsage       *usage);
OAI_AVAILABLE_IN_ALL
char          **oai_cost_tracker_dup_models            (OaiCostTracker *self);
OAI_AVAILABLE_IN_ALL
double          oai_cost_tracker_get_total_cost        (OaiCostTracker *self);
OAI_AVAILABLE_IN_ALL
double          oai_cost_tracker_get_model_cost        (OaiCostTracker *self,
                                                        const char     *model);
OAI_AVAILABLE_IN_ALL
double          oai_cost_tracker_get_month_to_date     (OaiCostTracker *self);
OAI_AVAILABLE_IN_ALL
GListModel     *oai_cost_tracker_get_spend_by_day      (OaiCostTracker *self,
                                                        GDateTime      *from,
                                                        GDateTime      *to,
                                                        GError        **error) G_GNUC_WARN_UNUSED_RESULT;
OAI_AVAILABLE_IN_ALL
GListModel     *oai_cost_tracker_get_spend_by_model    (OaiCostTracker *self,
                                                        GDateTime      *from,
                                                        GDateTime      *to,
                                                        GError        **error) G_GNUC_WARN_UNUSED_RESULT;
OAI_AVAILABLE_IN_ALL
double          oai_cost_tracker_get_monthly_budget    (OaiCostTracker *self);
OAI_AVAILABLE_IN_ALL
void            oai_cost_tracker_set_monthly_budget    (OaiCostTracker *self,
                                                        double          budget);
OAI_AVAILABLE_IN_ALL
gboolean        oai_cost_tracker_get_hard_limit        (OaiCostTracker *self);
OAI_AVAILABLE_IN_ALL
void            oai_cost_tracker_set_hard_limit        (OaiCostTracker *self,
                                                        gboolean        hard_limit);
OAI_AVAILABLE_IN_ALL
guint64         oai_cost_tracker_get_request_count     (OaiCostTracker *self);
OAI_AVAILABLE_IN_ALL
guint64         oai_cost_tracker_get_prompt_tokens     (OaiCostTracker *self);
OAI_AVAILABLE_IN_ALL
guint64         oai_cost_tracker_get_completion_tokens (OaiCostTracker *self);
OAI_AVAILABLE_IN_ALL
guint64         oai_cost_tracker_get_cached_tokens     (OaiCostTracker *self);
OAI_AVAILABLE_IN_ALL
guint64         oai_cost_tracker_get_reasoning_tokens  (OaiCostTracker *self);

G_END_DECLS
