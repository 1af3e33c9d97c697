/* oai-client-private.h: what a call needs of its client
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "oai-client.h"

G_BEGIN_DECLS

/* Requests larger or answers longer than this are refused rather than held in memory. */
#define OAI_MAX_RESPONSE_SIZE (64 * 1024 * 1024)

SoupSession *oai_client_get_session          (OaiClient        *self);
void         oai_client_emit_retrying        (OaiClient        *self,
                                              guint             attempt,
                                              const GError     *error,
                                              guint             delay_ms);
void         oai_client_emit_request_finished (OaiClient       *self,
                                              OaiRequestRecord *record);
void         oai_client_emit_context_trimmed (OaiClient     *self,
                                              OaiChatRequest   *sent,
                                              guint             n_dropped,
                                              gboolean          summarized);
void         oai_client_note_attempt         (OaiClient     *self,
                                              gboolean          server_error);
void         oai_client_emit_alert           (OaiClient        *self,
                                              OaiAlertKind      kind,
                                              const char       *message);

G_END_DECLS
