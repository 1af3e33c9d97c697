/* oai-request-record-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "oai-request-record.h"

G_BEGIN_DECLS

void oai_request_record_set_cost (OaiRequestRecord *self,
                                  double            cost);

G_END_DECLS
