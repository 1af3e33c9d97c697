/* oai-request-record.h: what one call did, for observers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(OAI_INSIDE) && !defined(OAI_COMPILATION)
# error "Only <openai-glib.h> can be included directly."
#endif

#include <glib-object.h>

#include "oai-version-macros.h"
#include "oai-usage.h"

G_BEGIN_DECLS

#define OAI_TYPE_REQUEST_RECORD (oai_request_record_get_type ())

OAI_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (OaiRequestRecord, oai_request_record, OAI, REQUEST_RECORD, GObject)

OAI_AVAILABLE_IN_ALL
const char   *oai_request_record_get_model         (OaiRequestRecord *self);
OAI_AVAILABLE_IN_ALL
guint         oai_request_record_get_status        (OaiRequestRecord *self);
OAI_AVAILABLE_IN_ALL
guint         oai_request_record_get_attempts      (OaiRequestRecord *self);
OAI_AVAILABLE_IN_ALL
double        oai_request_record_get_latency       (OaiRequestRecord *self);
OAI_AVAILABLE_IN_ALL
const char   *oai_request_record_get_request_id    (OaiRequestRecord *self);
OAI_AVAILABLE_IN_ALL
const char   *oai_request_record_get_finish_reason (OaiRequestRecord *self);
OAI_AVAILABLE_IN_ALL
OaiUsage     *oai_request_record_get_usage         (OaiRequestRecord *self);
OAI_AVAILABLE_IN_ALL
double        oai_request_record_get_cost          (OaiRequestRecord *self);
OAI_AVAILABLE_IN_ALL
const GError *oai_request_record_get_error         (OaiRequestRecord *self);
OAI_AVAILABLE_IN_ALL
gboolean      oai_request_record_get_succeeded     (OaiRequestRecord *self);

G_END_DECLS
