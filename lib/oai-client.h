/* oai-client.h: the connection to an OpenAI-compatible server
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(OAI_INSIDE) && !defined(OAI_COMPILATION)
# error "Only <openai-glib.h> can be included directly."
#endif

#include <gio/gio.h>

#include "oai-version-macros.h"
#include "oai-chat-request.h"
#include "oai-chat-response.h"
#include "oai-chat-stream.h"
#include "oai-cost-tracker.h"
#include "oai-rate-limiter.h"
#include "oai-request-record.h"

G_BEGIN_DECLS

/**
 * OaiAlertKind:
 * @OAI_ALERT_AUTHENTICATION: the server refused the API key
 * @OAI_ALERT_RATE_LIMITED: the server answered 429 for a rate limit
 * @OAI_ALERT_QUOTA_EXCEEDED: the account has no quota left (billing)
 * @OAI_ALERT_SERVER_ERROR_RATE: more than 1 % of the last requests (see
 *   [property@Oai.Client:error-rate-window]) failed with a server error
 * @OAI_ALERT_BUDGET_WARNING: the month's spend reached 80 % of the budget
 * @OAI_ALERT_BUDGET_EXCEEDED: the month's spend reached the budget
 *
 * What a person must look at, as [signal@Oai.Client::alert] reports it.
 */
typedef enum {
  OAI_ALERT_AUTHENTICATION,
  OAI_ALERT_RATE_LIMITED,
  OAI_ALERT_QUOTA_EXCEEDED,
  OAI_ALERT_SERVER_ERROR_RATE,
  OAI_ALERT_BUDGET_WARNING,
  OAI_ALERT_BUDGET_EXCEEDED,
} OaiAlertKind;

/**
 * OaiContextStrategy:
 * @OAI_CONTEXT_STRATEGY_NONE: send the conversation as it is; a conversation
 *   too long for the model fails with %OAI_ERROR_CONTEXT_LENGTH_EXCEEDED
 * @OAI_CONTEXT_STRATEGY_SLIDING_WINDOW: keep the system and developer messages
 *   and the newest turns that fit, dropping whole turns (a user message with
 *   the answers and tool results that follow it)
 * @OAI_CONTEXT_STRATEGY_SUMMARIZE: like the sliding window, but the dropped
 *   turns are replaced by a summary that the client asks the model to write
 *
 * What the client does with a conversation too long for the model's context
 * window (see [property@Oai.Client:context-strategy]).
 */
typedef enum {
  OAI_CONTEXT_STRATEGY_NONE,
  OAI_CONTEXT_STRATEGY_SLIDING_WINDOW,
  OAI_CONTEXT_STRATEGY_SUMMARIZE,
} OaiContextStrategy;

/**
 * OAI_DEFAULT_BASE_URL:
 *
 * The base URL of the OpenAI API.
 */
#define OAI_DEFAULT_BASE_URL "https://api.openai.com/v1"

#define OAI_TYPE_CLIENT (oai_client_get_type ())

OAI_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (OaiClient, oai_client, OAI, CLIENT, GObject)

OAI_AVAILABLE_IN_ALL
OaiClient       *oai_client_new                  (const char           *api_key) G_GNUC_WARN_UNUSED_RESULT;
OAI_AVAILABLE_IN_ALL
OaiClient       *oai_client_new_from_environment (void) G_GNUC_WARN_UNUSED_RESULT;
OAI_AVAILABLE_IN_ALL
const char      *oai_client_get_api_key          (OaiClient            *self);
OAI_AVAILABLE_IN_ALL
void             oai_client_set_api_key          (OaiClient            *self,
                                                  const char           *api_key);
OAI_AVAILABLE_IN_ALL
const char      *oai_client_get_base_url         (OaiClient            *self);
OAI_AVAILABLE_IN_ALL
void             oai_client_set_base_url         (OaiClient            *self,
                                                  const char           *base_url);
OAI_AVAILABLE_IN_ALL
const char      *oai_client_get_organization     (OaiClient            *self);
OAI_AVAILABLE_IN_ALL
void             oai_client_set_organization     (OaiClient            *self,
                                                  const char           *organization);
OAI_AVAILABLE_IN_ALL
const char      *oai_client_get_project          (OaiClient            *self);
OAI_AVAILABLE_IN_ALL
void             oai_client_set_project          (OaiClient            *self,
                                                  const char           *project);
OAI_AVAILABLE_IN_ALL
double           oai_client_get_timeout          (OaiClient            *self);
OAI_AVAILABLE_IN_ALL
void             oai_client_set_timeout          (OaiClient            *self,
                                                  double                timeout);
OAI_AVAILABLE_IN_ALL
guint            oai_client_get_max_retries      (OaiClient            *self);
OAI_AVAILABLE_IN_ALL
void             oai_client_set_max_retries      (OaiClient            *self,
                                                  guint                 max_retries);
OAI_AVAILABLE_IN_ALL
double           oai_client_get_retry_base_delay (OaiClient            *self);
OAI_AVAILABLE_IN_ALL
void             oai_client_set_retry_base_delay (OaiClient            *self,
                                                  double                delay);
OAI_AVAILABLE_IN_ALL
double           oai_client_get_retry_max_delay  (OaiClient            *self);
OAI_AVAILABLE_IN_ALL
void             oai_client_set_retry_max_delay  (OaiClient            *self,
                                                  double                delay);
OAI_AVAILABLE_IN_ALL
OaiContextStrategy oai_client_get_context_strategy (OaiClient          *self);
OAI_AVAILABLE_IN_ALL
void             oai_client_set_context_strategy (OaiClient            *self,
                                                  OaiContextStrategy    strategy);
OAI_AVAILABLE_IN_ALL
guint            oai_client_get_error_rate_window (OaiClient           *self);
OAI_AVAILABLE_IN_ALL
void             oai_client_set_error_rate_window (OaiClient           *self,
                                                   guint                window);
OAI_AVAILABLE_IN_ALL
OaiCostTracker  *oai_client_get_cost_tracker     (OaiClient            *self);
OAI_AVAILABLE_IN_ALL
void             oai_client_set_cost_tracker     (OaiClient            *self,
                                                  OaiCostTracker       *tracker);
OAI_AVAILABLE_IN_ALL
OaiRateLimiter  *oai_client_get_rate_limiter     (OaiClient            *self);
OAI_AVAILABLE_IN_ALL
void             oai_client_set_rate_limiter     (OaiClient            *self,
                                                  OaiRateLimiter       *limiter);
OAI_AVAILABLE_IN_ALL
void             oai_client_chat_async           (OaiClient            *self,
                                                  OaiChatRequest       *request,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
OAI_AVAILABLE_IN_ALL
OaiChatResponse *oai_client_chat_finish          (OaiClient            *self,
                                                  GAsyncResult         *result,
                                                  GError              **error) G_GNUC_WARN_UNUSED_RESULT;
OAI_AVAILABLE_IN_ALL
OaiChatResponse *oai_client_chat                 (OaiClient            *self,
                                                  OaiChatRequest       *request,
                                                  GCancellable         *cancellable,
                                                  GError              **error) G_GNUC_WARN_UNUSED_RESULT;

OAI_AVAILABLE_IN_ALL
void             oai_client_list_models_async    (OaiClient            *self,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
OAI_AVAILABLE_IN_ALL
char           **oai_client_list_models_finish   (OaiClient            *self,
                                                  GAsyncResult         *result,
                                                  GError              **error) G_GNUC_WARN_UNUSED_RESULT;
OAI_AVAILABLE_IN_ALL
OaiChatStream   *oai_client_stream_chat          (OaiClient            *self,
                                                  OaiChatRequest       *request) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
