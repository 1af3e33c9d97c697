/* oai-cost-tracker-private.h: what a call tells its tracker
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "oai-chat-request.h"
#include "oai-cost-tracker.h"

G_BEGIN_DECLS

double   oai_cost_tracker_record       (OaiCostTracker  *self,
                                        const char      *model,
                                        OaiUsage        *usage,
                                        const char      *request_id,
                                        const char      *status);
gboolean oai_cost_tracker_check_budget (OaiCostTracker  *self,
                                        OaiChatRequest  *request,
                                        GError         **error);

G_END_DECLS
