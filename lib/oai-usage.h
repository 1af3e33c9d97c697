/* oai-usage.h: token counts of one answer
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

#define OAI_TYPE_USAGE (oai_usage_get_type ())

OAI_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (OaiUsage, oai_usage, OAI, USAGE, GObject)

OAI_AVAILABLE_IN_ALL
guint    oai_usage_get_prompt_tokens     (OaiUsage *self);
OAI_AVAILABLE_IN_ALL
guint    oai_usage_get_completion_tokens (OaiUsage *self);
OAI_AVAILABLE_IN_ALL
guint    oai_usage_get_total_tokens      (OaiUsage *self);
OAI_AVAILABLE_IN_ALL
guint    oai_usage_get_cached_tokens     (OaiUsage *self);
OAI_AVAILABLE_IN_ALL
guint    oai_usage_get_reasoning_tokens  (OaiUsage *self);
OAI_AVAILABLE_IN_ALL
gboolean oai_usage_get_estimated         (OaiUsage *self);

G_END_DECLS
