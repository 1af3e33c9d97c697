/* oai-error-private.h: turning HTTP answers and transport failures into OaiError
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "oai-error.h"

G_BEGIN_DECLS

/* What a failed HTTP answer said, for the retry policy and the request record. */
GError *oai_error_new_from_http      (guint         status,
                                      GBytes       *body,
                                      const char   *request_id);
GError *oai_error_new_from_body      (GBytes       *body,
                                      guint         status,
                                      const char   *request_id);
GError *oai_error_new_from_transport (const GError *error,
                                      const char   *request_id);
char   *oai_redact_secret            (const char   *text,
                                      const char   *secret);

G_END_DECLS
