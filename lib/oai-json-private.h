/* oai-json-private.h: defensive reading of JSON answers
 *
 * Every getter accepts an absent member or null as "not given" and rejects any
 * other type with OAI_ERROR_INVALID_RESPONSE naming the path of the member.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

gboolean  oai_json_fail                 (GError      **error,
                                         const char   *path,
                                         const char   *name,
                                         const char   *expected);
JsonNode *oai_json_parse_bytes          (GBytes       *bytes,
                                         GError      **error);
gboolean  oai_json_get_optional_string  (JsonObject   *object,
                                         const char   *path,
                                         const char   *name,
                                         const char  **value,
                                         GError      **error);
gboolean  oai_json_get_optional_int     (JsonObject   *object,
                                         const char   *path,
                                         const char   *name,
                                         gint64       *value,
                                         GError      **error);
gboolean  oai_json_get_optional_object  (JsonObject   *object,
                                         const char   *path,
                                         const char   *name,
                                         JsonObject  **value,
                                         GError      **error);
gboolean  oai_json_get_optional_array   (JsonObject   *object,
                                         const char   *path,
                                         const char   *name,
                                         JsonArray   **value,
                                         GError      **error);
JsonNode *oai_json_parse_string         (const char   *json,
                                         const char   *what,
                                         GError      **error);

G_END_DECLS
