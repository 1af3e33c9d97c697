/* oai-spend.h: one row of spend, by day or by model
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

#define OAI_TYPE_SPEND (oai_spend_get_type ())

OAI_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (OaiSpend, oai_spend, OAI, SPEND, GObject)

OAI_AVAILABLE_IN_ALL
const char *oai_spend_get_key                   (OaiSpend *self);
OAI_AVAILABLE_IN_ALL
double      oai_spend_get_cost                  (OaiSpend *self);
OAI_AVAILABLE_IN_ALL
guint64     oai_spend_get_requests              (OaiSpend *self);
OAI_AVAILABLE_IN_ALL
guint64     oai_spend_get_unknown_cost_requests (OaiSpend *self);
OAI_AVAILABLE_IN_ALL
guint64     oai_spend_get_prompt_tokens         (OaiSpend *self);
OAI_AVAILABLE_IN_ALL
guint64     oai_spend_get_completion_tokens     (OaiSpend *self);

G_END_DECLS
