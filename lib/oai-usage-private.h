/* oai-usage-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "oai-usage.h"

G_BEGIN_DECLS

OaiUsage *oai_usage_new_from_json (JsonObject  *object,
                                   const char  *path,
                                   GError     **error);

G_END_DECLS
