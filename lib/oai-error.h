/* oai-error.h: the openai-glib error taxonomy
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(OAI_INSIDE) && !defined(OAI_COMPILATION)
# error "Only <openai-glib.h> can be included directly."
#endif

#include <glib.h>

#include "oai-version-macros.h"

G_BEGIN_DECLS

/**
 * OAI_ERROR:
 *
 * The error domain of openai-glib. Errors in it carry an #OaiError code.
 */
#define OAI_ERROR (oai_error_quark ())

/**
 * OaiError:
 * @OAI_ERROR_RATE_LIMITED: HTTP 429 `rate_limit_exceeded`; retried, honouring
 *   `retry-after-ms` and `retry-after`
 * @OAI_ERROR_QUOTA_EXCEEDED: HTTP 429 `insufficient_quota`; not retried
 * @OAI_ERROR_SERVER: HTTP 5xx; retried
 * @OAI_ERROR_TIMEOUT: no answer within the client's timeout (or HTTP 408); retried
 * @OAI_ERROR_CONNECTION: the connection was refused, reset or dropped, or name
 *   resolution or TLS failed; retried
 * @OAI_ERROR_CONFLICT: HTTP 409; retried
 * @OAI_ERROR_CONTEXT_LENGTH_EXCEEDED: HTTP 400 `context_length_exceeded`; retried
 *   only after trimming the history
 * @OAI_ERROR_INVALID_REQUEST: any other HTTP 400, 413 or 422, or a request that
 *   cannot be built; not retried
 * @OAI_ERROR_AUTHENTICATION: HTTP 401; not retried, raises an alert
 * @OAI_ERROR_PERMISSION_DENIED: HTTP 403; not retried
 * @OAI_ERROR_NOT_FOUND: HTTP 404, e.g. `model_not_found`; not retried
 * @OAI_ERROR_INVALID_RESPONSE: a body or stream that is not what the API promises
 * @OAI_ERROR_STREAM_INTERRUPTED: a stream cut after content arrived
 * @OAI_ERROR_BUDGET_EXCEEDED: the cost tracker's hard budget would be passed
 * @OAI_ERROR_FAILED: anything else
 *
 * Error codes of the %OAI_ERROR domain. Use oai_error_is_retryable() rather than
 * a list of codes of your own to decide whether trying again can help.
 */
typedef enum {
  OAI_ERROR_RATE_LIMITED,
  OAI_ERROR_QUOTA_EXCEEDED,
  OAI_ERROR_SERVER,
  OAI_ERROR_TIMEOUT,
  OAI_ERROR_CONNECTION,
  OAI_ERROR_CONFLICT,
  OAI_ERROR_CONTEXT_LENGTH_EXCEEDED,
  OAI_ERROR_INVALID_REQUEST,
  OAI_ERROR_AUTHENTICATION,
  OAI_ERROR_PERMISSION_DENIED,
  OAI_ERROR_NOT_FOUND,
  OAI_ERROR_INVALID_RESPONSE,
  OAI_ERROR_STREAM_INTERRUPTED,
  OAI_ERROR_BUDGET_EXCEEDED,
  OAI_ERROR_FAILED,
} OaiError;

OAI_AVAILABLE_IN_ALL
GQuark   oai_error_quark        (void);
OAI_AVAILABLE_IN_ALL
gboolean oai_error_is_retryable (const GError *error);

G_END_DECLS
