/* oai-message-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "oai-message.h"

G_BEGIN_DECLS

void        oai_message_to_json       (OaiMessage   *self,
                                       JsonBuilder  *builder);
OaiMessage *oai_message_new_from_json (JsonObject   *object,
                                       const char   *path,
                                       GError      **error);
void        oai_message_append_content (OaiMessage   *self,
                                       const char   *text,
                                       gsize         len);
const char *oai_role_to_string        (OaiRole       role);
gboolean    oai_role_from_string      (const char   *text,
                                       OaiRole      *role);

G_END_DECLS
