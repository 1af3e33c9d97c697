/* oai-call.c: one call, the road every request travels
 *
 * A call owns a GTask and walks it through send, classify, retry, read and
 * settle, then reports and completes the task exactly once, whatever happens
 * first: an answer, a failure, the time-out, or the caller's cancellable.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>
#include <stdarg.h>

#include <json-glib/json-glib.h>

#include "oai-call-private.h"
#include "oai-chat-response-private.h"
#include "oai-chat-stream-private.h"
#include "oai-client-private.h"
#include "oai-context-private.h"
#include "oai-cost-tracker-private.h"
#include "oai-enums.h"
#include "oai-error-private.h"
#include "oai-json-private.h"
#include "oai-message-private.h"
#include "oai-model-table-private.h"
#include "oai-rate-limiter-private.h"
#include "oai-request-record-private.h"
#include "oai-retry-private.h"

/* Answers are read straight into one growing buffer, sized from Content-Length
 * when the server gives it: no allocation per read. */
#define READ_CHUNK_SIZE 16384

typedef struct
{
  OaiClient *client;
  OaiChatStream *stream;        /* NULL for a call that does not stream */
  gboolean list_models;         /* GET /models instead of a chat */
  GTask *task;                  /* our own reference, dropped when the call ends */
  GMainContext *context;

  char *model;
  OaiChatRequest *sent;         /* the caller's request, or a trimmed copy of it */
  OaiContextStrategy strategy;
  guint n_dropped;
  gboolean trimmed_before_sending;
  gboolean trimmed_for_server;  /* once only: an unchanged request is never resent */
  GBytes *body;
  GUri *uri;
  char *api_key;
  char *organization;
  char *project;
  char *idempotency_key;
  guint max_retries;
  double base_delay;
  double max_delay;
  double timeout;
  gint64 started;

  guint attempts;
  SoupMessage *msg;
  GCancellable *attempt_cancellable;
  GInputStream *body_stream;
  GByteArray *buffer;           /* its len is the capacity; filled is what holds data */
  gsize filled;
  gsize expected;
  GSource *timeout_source;
  GSource *backoff_source;
  GSource *cancel_source;
  guint status;
  char *request_id;
  OaiRateLimiter *limiter;
  OaiRateTicket *ticket;        /* this attempt's place in the limiter */
  gboolean ticket_granted;
  guint estimate;               /* the tokens the limiter counts for each attempt */
  gint64 last_activity;         /* a stream times out after silence, not length */
  gboolean reading_stream;      /* this attempt's body goes to the stream */
  gboolean timed_out;
  gboolean finished;
} OaiCall;

static void send_attempt     (OaiCall *call);
static void read_more        (OaiCall *call);
static void stream_read_more (OaiCall *call);
static void stream_complete  (OaiCall *call);
static OaiUsage *estimate_usage (OaiCall *call);

static void
destroy_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static void
oai_call_free (OaiCall *call)
{
  destroy_source (&call->timeout_source);
  destroy_source (&call->backoff_source);
  destroy_source (&call->cancel_source);
  g_clear_object (&call->attempt_cancellable);
  g_clear_object (&call->body_stream);
  g_clear_object (&call->msg);
  g_clear_pointer (&call->buffer, g_byte_array_unref);
  g_clear_pointer (&call->body, g_bytes_unref);
  g_clear_object (&call->sent);
  g_clear_pointer (&call->uri, g_uri_unref);
  g_clear_pointer (&call->context, g_main_context_unref);
  g_clear_pointer (&call->model, g_free);
  if (call->api_key != NULL)
    memset (call->api_key, 0, strlen (call->api_key));
  g_clear_pointer (&call->api_key, g_free);
  g_clear_pointer (&call->organization, g_free);
  g_clear_pointer (&call->project, g_free);
  g_clear_pointer (&call->idempotency_key, g_free);
  g_clear_pointer (&call->request_id, g_free);
  g_clear_object (&call->stream);
  g_clear_object (&call->limiter);
  g_clear_object (&call->client);
  g_free (call);
}

static GSource *
attach_timeout (OaiCall     *call,
                guint        ms,
                GSourceFunc  func)
{
  GSource *source = g_timeout_source_new (ms);

  g_source_set_callback (source, func, call, NULL);
  g_source_set_static_name (source, "[openai-glib] call timer");
  g_source_attach (source, call->context);

  return source;
}

static double
elapsed (OaiCall *call)
{
  return (g_get_monotonic_time () - call->started) / (double) G_USEC_PER_SEC;
}

/* Server messages can quote what they were sent; the key never leaves us. */
static void
redact_error (OaiCall *call,
              GError  *error)
{
  char *clean = oai_redact_secret (error->message, call->api_key);

  g_free (error->message);
  error->message = clean;
}

static void
report_alert (OaiCall      *call,
              const GError *error)
{
  if (error->domain != OAI_ERROR)
    return;

  switch (error->code)
    {
    case OAI_ERROR_AUTHENTICATION:
      oai_client_emit_alert (call->client, OAI_ALERT_AUTHENTICATION, error->message);
      break;
    case OAI_ERROR_RATE_LIMITED:
      oai_client_emit_alert (call->client, OAI_ALERT_RATE_LIMITED, error->message);
      break;
    case OAI_ERROR_QUOTA_EXCEEDED:
      oai_client_emit_alert (call->client, OAI_ALERT_QUOTA_EXCEEDED, error->message);
      break;
    default:
      break;
    }
}

/* One structured log line: the message for people, the fields for journald
 * and other writers. @pairs are key, value, …, NULL. */
static void
log_structured (GLogLevelFlags  level,
                const char     *message,
                ...)
{
  GLogField fields[24];
  gsize n = 0;
  va_list args;
  const char *key;

  fields[n++] = (GLogField) { "GLIB_DOMAIN", G_LOG_DOMAIN, -1 };
  fields[n++] = (GLogField) { "MESSAGE", message, -1 };

  va_start (args, message);
  while ((key = va_arg (args, const char *)) != NULL && n < G_N_ELEMENTS (fields))
    {
      const char *value = va_arg (args, const char *);
      fields[n++] = (GLogField) { key, value ? value : "", -1 };
    }
  va_end (args);

  g_log_structured_array (level, fields, n);
}

static const char *error_name (const GError *error);

/* The attempt is over: its slot in the limiter is free, its tokens counted. */
static void
release_ticket (OaiCall  *call,
                OaiUsage *usage)
{
  if (call->ticket == NULL)
    return;

  if (call->ticket_granted)
    oai_rate_ticket_release (call->ticket, usage ? (int) oai_usage_get_total_tokens (usage) : -1);
  else
    oai_rate_ticket_cancel (call->ticket);
  call->ticket = NULL;
  call->ticket_granted = FALSE;
}

/* The line every call leaves: model, tokens, cost, latency, finish reason. */
static void
log_call (OaiCall         *call,
          OaiChatResponse *response,
          const GError    *error,
          OaiUsage        *usage,
          double           cost,
          double           latency)
{
  char prompt[16], cached[16], completion[16], reasoning[16], attempts[16], status[16];
  char cost_text[32], latency_text[32];
  g_autofree char *message = NULL;
  const char *finish_reason = response ? oai_chat_response_get_finish_reason (response) : NULL;

  g_snprintf (prompt, sizeof prompt, "%u", usage ? oai_usage_get_prompt_tokens (usage) : 0);
  g_snprintf (cached, sizeof cached, "%u", usage ? oai_usage_get_cached_tokens (usage) : 0);
  g_snprintf (completion, sizeof completion, "%u", usage ? oai_usage_get_completion_tokens (usage) : 0);
  g_snprintf (reasoning, sizeof reasoning, "%u", usage ? oai_usage_get_reasoning_tokens (usage) : 0);
  g_snprintf (attempts, sizeof attempts, "%u", call->attempts);
  g_snprintf (status, sizeof status, "%u", call->status);
  if (isnan (cost))
    g_strlcpy (cost_text, "unknown", sizeof cost_text);
  else
    g_ascii_formatd (cost_text, sizeof cost_text, "%.6f", cost);
  g_ascii_formatd (latency_text, sizeof latency_text, "%.3f", latency);

  if (error == NULL)
    message = g_strdup_printf ("chat %s: %s prompt (%s cached) + %s completion (%s reasoning) tokens, "
                               "$%s, %s s, finish %s, %s attempt(s), request %s",
                               call->model, prompt, cached, completion, reasoning, cost_text,
                               latency_text, finish_reason ? finish_reason : "-", attempts,
                               call->request_id ? call->request_id : "-");
  else
    message = g_strdup_printf ("chat %s failed (%s) after %s attempt(s), %s s: %s",
                               call->model, error_name (error), attempts, latency_text,
                               error->message);

  log_structured (G_LOG_LEVEL_INFO, message,
                  "OAI_MODEL", call->model,
                  "OAI_PROMPT_TOKENS", prompt,
                  "OAI_CACHED_TOKENS", cached,
                  "OAI_COMPLETION_TOKENS", completion,
                  "OAI_REASONING_TOKENS", reasoning,
                  "OAI_COST", cost_text,
                  "OAI_LATENCY", latency_text,
                  "OAI_FINISH_REASON", finish_reason,
                  "OAI_ATTEMPTS", attempts,
                  "OAI_STATUS", status,
                  "OAI_REQUEST_ID", call->request_id,
                  "OAI_RESULT", error ? error_name (error) : "ok",
                  NULL);
}

/* Step 8: the record, the log line and the task's single completion. */
static void
finish (OaiCall         *call,
        OaiChatResponse *response,
        GError          *error)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(OaiRequestRecord) record = NULL;
  g_autoptr(OaiUsage) partial_usage = NULL;
  double partial_cost = NAN;
  OaiUsage *usage = response ? oai_chat_response_get_usage (response) : NULL;
  double latency = elapsed (call);

  g_assert (!call->finished);
  call->finished = TRUE;
  task = g_steal_pointer (&call->task);

  destroy_source (&call->timeout_source);
  destroy_source (&call->backoff_source);
  destroy_source (&call->cancel_source);
  /* Stops whatever libsoup is still doing; its callback will find us finished. */
  if (call->attempt_cancellable != NULL)
    g_cancellable_cancel (call->attempt_cancellable);

  if (response != NULL)
    {
      oai_client_note_attempt (call->client, FALSE);
      oai_chat_response_set_call_info (response, call->request_id, call->attempts, latency);
      oai_chat_response_set_dropped_messages (response, call->n_dropped);
      if (usage != NULL)
        oai_chat_response_set_cost (response,
                                    oai_cost_tracker_record (oai_client_get_cost_tracker (call->client),
                                                             oai_chat_response_get_model (response)
                                                             ? oai_chat_response_get_model (response)
                                                             : call->model,
                                                             usage, call->request_id, "ok"));
    }
  else if (call->stream != NULL && oai_chat_stream_get_emitted (call->stream))
    {
      /* The API bills what it generated, cut or cancelled: count it. */
      OaiUsage *streamed = oai_chat_stream_get_usage (call->stream);

      partial_usage = streamed ? g_object_ref (streamed) : estimate_usage (call);
      oai_chat_stream_set_partial_usage (call->stream, partial_usage);
      partial_cost = oai_cost_tracker_record (oai_client_get_cost_tracker (call->client), call->model,
                                              partial_usage, call->request_id, "interrupted");
    }

  if (response == NULL)
    redact_error (call, error);
  log_call (call, response, error, usage ? usage : partial_usage,
            response ? oai_chat_response_get_cost (response) : partial_cost, latency);

  record = g_object_new (OAI_TYPE_REQUEST_RECORD,
                         "model", call->model,
                         "status", call->status,
                         "attempts", call->attempts,
                         "latency", latency,
                         "request-id", call->request_id,
                         "finish-reason", response ? oai_chat_response_get_finish_reason (response) : NULL,
                         "usage", usage ? usage : partial_usage,
                         "error", error,
                         NULL);
  oai_request_record_set_cost (record, response ? oai_chat_response_get_cost (response) : partial_cost);
  release_ticket (call, usage ? usage : partial_usage);
  oai_client_emit_request_finished (call->client, record);

  if (response != NULL)
    g_task_return_pointer (task, response, g_object_unref);
  else
    g_task_return_error (task, error);
}

static gboolean
on_cancelled (GCancellable *cancellable,
              gpointer      user_data)
{
  OaiCall *call = user_data;

  if (!call->finished)
    finish (call, NULL, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                             "The call was cancelled"));

  return G_SOURCE_REMOVE;
}

static gboolean
on_backoff_done (gpointer user_data)
{
  OaiCall *call = user_data;

  g_clear_pointer (&call->backoff_source, g_source_unref);
  send_attempt (call);

  return G_SOURCE_REMOVE;
}

/* Context management: a request too long for the model is trimmed by the
 * client's strategy, before sending when the model's window is known, and once
 * more when a server still says it is too long. */

static OaiTokenizer *
tokenizer_for (OaiCall *call)
{
  OaiTokenizer *tokenizer = oai_tokenizer_new_for_model (call->model, NULL);

  /* A local server's model: o200k_base counts close enough to trim by. */
  return tokenizer ? tokenizer : oai_tokenizer_new ("o200k_base", NULL);
}

/* What to leave for the answer when deciding what fits. */
static gsize
answer_reserve (OaiCall            *call,
                const OaiModelInfo *info)
{
  int max_tokens = oai_chat_request_get_max_tokens (call->sent);

  if (max_tokens >= 0)
    return max_tokens;
  return info ? MIN (info->max_output, 4096) : 1024;
}

static gboolean
rebuild_body (OaiCall  *call,
              GError  **error)
{
  char *json = oai_chat_request_to_json (call->sent, call->stream != NULL, error);

  if (json == NULL)
    return FALSE;
  g_clear_pointer (&call->body, g_bytes_unref);
  call->body = g_bytes_new_take (json, strlen (json));
  return TRUE;
}

static void
apply_trim (OaiCall        *call,
            OaiChatRequest *trimmed,
            guint           n_dropped,
            gboolean        summarized)
{
  g_autoptr(GError) error = NULL;

  g_set_object (&call->sent, trimmed);
  call->n_dropped += n_dropped;
  if (!rebuild_body (call, &error))
    {
      finish (call, NULL, g_steal_pointer (&error));
      return;
    }

  g_info ("chat %s: left %u message(s) out of the conversation%s", call->model, n_dropped,
          summarized ? ", with a summary" : "");
  oai_client_emit_context_trimmed (call->client, call->sent, n_dropped, summarized);
  if (!call->finished)
    send_attempt (call);
}

typedef struct
{
  OaiCall *call;
  GTask *task;
  OaiChatRequest *trimmed;
  guint n_dropped;
  guint insert_at;
} Summary;

static void
summary_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Summary *summary = user_data;
  OaiCall *call = summary->call;
  g_autoptr(GError) error = NULL;
  g_autoptr(OaiChatResponse) response = oai_client_chat_finish (OAI_CLIENT (object), result, &error);
  const char *text = response ? oai_chat_response_get_content (response) : NULL;
  gboolean summarized = FALSE;

  if (!call->finished)
    {
      /* Without a summary the sliding window still gets the call through. */
      if (text != NULL && *text != '\0')
        {
          g_autofree char *content = g_strconcat (OAI_SUMMARY_PREFIX, text, NULL);
          g_autoptr(OaiMessage) message = oai_message_new (OAI_ROLE_SYSTEM, content);
          GListStore *messages = G_LIST_STORE (oai_chat_request_get_messages (summary->trimmed));

          g_list_store_insert (messages, MIN (summary->insert_at,
                                              g_list_model_get_n_items (G_LIST_MODEL (messages))),
                               message);
          summarized = TRUE;
        }
      else if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_info ("chat %s: could not summarize the dropped turns: %s", call->model, error->message);

      apply_trim (call, summary->trimmed, summary->n_dropped, summarized);
    }

  g_object_unref (summary->trimmed);
  g_object_unref (summary->task);
  g_free (summary);
}

static void
summarize (OaiCall        *call,
           OaiTokenizer   *tokenizer,
           gsize           budget,
           OaiChatRequest *trimmed,
           GListModel     *dropped,
           guint           insert_at)
{
  g_autoptr(OaiChatRequest) request = oai_chat_request_new (call->model);
  g_autoptr(GListStore) recent = g_list_store_new (OAI_TYPE_MESSAGE);
  g_autofree char *transcript = NULL;
  Summary *summary = g_new0 (Summary, 1);
  gsize tokens = 0;
  guint n = g_list_model_get_n_items (dropped);

  /* What is dropped may be more than the model can read at once: the summary
   * covers the newest of it that fits. */
  for (guint i = n; i > 0; i--)
    {
      g_autoptr(OaiMessage) message = g_list_model_get_item (dropped, i - 1);
      const char *content = oai_message_get_content (message);

      tokens += 4 + (content ? oai_tokenizer_count (tokenizer, content, -1) : 0);
      if (tokens > budget && g_list_model_get_n_items (G_LIST_MODEL (recent)) > 0)
        break;
      g_list_store_insert (recent, 0, message);
    }
  transcript = oai_context_transcript (G_LIST_MODEL (recent));

  oai_chat_request_add_message (request, OAI_ROLE_SYSTEM, OAI_SUMMARY_INSTRUCTIONS);
  oai_chat_request_add_message (request, OAI_ROLE_USER, transcript);
  oai_chat_request_set_max_tokens (request, OAI_SUMMARY_RESERVE);

  summary->call = call;
  summary->task = g_object_ref (call->task);
  summary->trimmed = g_object_ref (trimmed);
  summary->n_dropped = g_list_model_get_n_items (dropped);
  summary->insert_at = insert_at;

  /* A plain call: the summary is not itself trimmed or summarized. */
  oai_call_start_plain (call->client, request, g_task_get_cancellable (call->task),
                        summary_done_cb, summary);
}

/*
 * trim_and_send:
 * @budget: the tokens the request may take
 * @server_error: (transfer full) (nullable): the server's context-length error,
 *   which stands when trimming cannot change the request
 */
static void
trim_and_send (OaiCall *call,
               gsize    budget,
               GError  *server_error)
{
  g_autoptr(OaiTokenizer) tokenizer = tokenizer_for (call);
  g_autoptr(GListStore) dropped = NULL;
  g_autoptr(OaiChatRequest) trimmed = NULL;
  g_autoptr(GError) error = NULL;
  gboolean summary = call->strategy == OAI_CONTEXT_STRATEGY_SUMMARIZE;
  guint insert_at = 0;

  if (summary)
    budget = budget > OAI_SUMMARY_RESERVE * 2 ? budget - OAI_SUMMARY_RESERVE : budget / 2;

  trimmed = oai_context_trim (call->sent, tokenizer, budget, &dropped, &insert_at, &error);
  if (trimmed == NULL)
    {
      if (server_error != NULL)
        finish (call, NULL, server_error);
      else if (error != NULL)
        finish (call, NULL, g_steal_pointer (&error));
      else
        send_attempt (call);
      return;
    }
  g_clear_error (&server_error);

  if (summary)
    summarize (call, tokenizer, budget, trimmed, G_LIST_MODEL (dropped), insert_at);
  else
    apply_trim (call, trimmed, g_list_model_get_n_items (G_LIST_MODEL (dropped)), FALSE);
}

/* Before sending: trim what is sure not to fit a model of the table. */
static void
prepare_and_send (OaiCall *call)
{
  OaiModelInfo info;

  if (call->strategy == OAI_CONTEXT_STRATEGY_NONE || !oai_model_table_lookup (call->model, &info))
    {
      send_attempt (call);
      return;
    }

  call->trimmed_before_sending = TRUE;
  trim_and_send (call, info.context_window - MIN (answer_reserve (call, &info),
                                                  info.context_window / 2),
                 NULL);
}

/* The server says the request is too long: trim to the limit it names, once. */
static gboolean
trim_for_server (OaiCall *call,
                 GError  *error)
{
  OaiModelInfo info;
  gboolean known = oai_model_table_lookup (call->model, &info);
  gsize limit;

  if (call->strategy == OAI_CONTEXT_STRATEGY_NONE || call->trimmed_for_server ||
      !g_error_matches (error, OAI_ERROR, OAI_ERROR_CONTEXT_LENGTH_EXCEEDED))
    return FALSE;

  if (!oai_context_parse_limit (error->message, &limit))
    {
      if (!known)
        return FALSE;
      limit = info.context_window;
    }

  call->trimmed_for_server = TRUE;
  trim_and_send (call, limit - MIN (answer_reserve (call, known ? &info : NULL), limit / 2), error);
  return TRUE;
}

static const char *
error_name (const GError *error)
{
  GEnumClass *klass;
  GEnumValue *value;

  if (error->domain != OAI_ERROR)
    return g_quark_to_string (error->domain);

  klass = g_type_class_ref (OAI_TYPE_ERROR);
  value = g_enum_get_value (klass, error->code);
  g_type_class_unref (klass);
  return value ? value->value_nick : "error";
}

/* Step 5: the one place that decides between another attempt and failure. */
static void
attempt_failed (OaiCall *call,
                GError  *error)
{
  SoupMessageHeaders *headers = NULL;
  OaiRetryHints hints = { 0 };
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  guint delay_ms = 0;

  destroy_source (&call->timeout_source);
  redact_error (call, error);
  report_alert (call, error);
  oai_client_note_attempt (call->client, g_error_matches (error, OAI_ERROR, OAI_ERROR_SERVER));
  if (call->finished)
    {
      /* An alert handler cancelled the call. */
      g_error_free (error);
      return;
    }

  if (call->status != 0)
    {
      headers = soup_message_get_response_headers (call->msg);
      hints.x_should_retry = soup_message_headers_get_one (headers, "x-should-retry");
      hints.retry_after_ms = soup_message_headers_get_one (headers, "retry-after-ms");
      hints.retry_after = soup_message_headers_get_one (headers, "retry-after");
    }

  /* A rate limit holds back every queued request, not only this one: the
   * pause comes before this attempt's slot is given back. */
  if (call->limiter != NULL && g_error_matches (error, OAI_ERROR, OAI_ERROR_RATE_LIMITED))
    {
      guint pause_ms;

      if (!oai_retry_parse_retry_after (hints.retry_after_ms, hints.retry_after, now, &pause_ms))
        pause_ms = oai_retry_backoff_ms (call->attempts - 1, call->base_delay, call->max_delay, 0.0);
      oai_rate_limiter_pause (call->limiter, pause_ms);
    }
  release_ticket (call, NULL);

  if (trim_for_server (call, error))
    return;

  if (!oai_retry_decide (error, &hints, call->attempts - 1, call->max_retries,
                         call->base_delay, call->max_delay, g_random_double (), now, &delay_ms))
    {
      finish (call, NULL, error);
      return;
    }

  {
    char attempt[16], status[16], delay[16];
    g_autofree char *message = NULL;

    g_snprintf (attempt, sizeof attempt, "%u", call->attempts);
    g_snprintf (status, sizeof status, "%u", call->status);
    g_snprintf (delay, sizeof delay, "%u", delay_ms);
    message = g_strdup_printf ("chat %s: attempt %s failed (%s, HTTP %s): retrying in %s ms: %s",
                               call->model, attempt, error_name (error), status, delay,
                               error->message);
    log_structured (G_LOG_LEVEL_INFO, message,
                    "OAI_MODEL", call->model,
                    "OAI_ERROR_TYPE", error_name (error),
                    "OAI_STATUS", status,
                    "OAI_ATTEMPT", attempt,
                    "OAI_DELAY_MS", delay,
                    "OAI_REQUEST_ID", call->request_id,
                    NULL);
  }

  oai_client_emit_retrying (call->client, call->attempts + 1, error, delay_ms);
  g_error_free (error);

  /* A handler of ::retrying may have cancelled the call. */
  if (!call->finished)
    call->backoff_source = attach_timeout (call, delay_ms, on_backoff_done);
}

static void
transport_failed (OaiCall      *call,
                  const GError *error)
{
  if (call->timed_out)
    attempt_failed (call, g_error_new (OAI_ERROR, OAI_ERROR_TIMEOUT,
                                       "No answer within %g s (attempt %u)",
                                       call->timeout, call->attempts));
  else
    attempt_failed (call, oai_error_new_from_transport (error, call->request_id));
}

/* The ids of a /models answer, sorted. */
static int
g_strcmp0_ptr (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(char * const *) a, *(char * const *) b);
}

static char **
parse_models (JsonNode  *root,
              GError   **error)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  JsonArray *data;

  if (!JSON_NODE_HOLDS_OBJECT (root))
    return oai_json_fail (error, "the body", NULL, "a JSON object"), NULL;
  if (!oai_json_get_optional_array (json_node_get_object (root), "models", "data", &data, error))
    return NULL;
  if (data == NULL)
    return oai_json_fail (error, "models", "data", "an array"), NULL;

  for (guint i = 0; i < json_array_get_length (data); i++)
    {
      g_autofree char *path = g_strdup_printf ("models.data[%u]", i);
      JsonNode *node = json_array_get_element (data, i);
      const char *id;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return oai_json_fail (error, path, NULL, "an object"), NULL;
      if (!oai_json_get_optional_string (json_node_get_object (node), path, "id", &id, error))
        return NULL;
      if (id == NULL)
        return oai_json_fail (error, path, "id", "a string"), NULL;
      g_ptr_array_add (ids, g_strdup (id));
    }

  g_ptr_array_sort (ids, g_strcmp0_ptr);
  g_ptr_array_add (ids, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&ids), FALSE);
}

static void
finish_models (OaiCall  *call,
               char    **ids)
{
  g_autoptr(GTask) task = NULL;

  call->finished = TRUE;
  task = g_steal_pointer (&call->task);
  destroy_source (&call->timeout_source);
  destroy_source (&call->backoff_source);
  destroy_source (&call->cancel_source);
  if (call->attempt_cancellable != NULL)
    g_cancellable_cancel (call->attempt_cancellable);

  g_task_return_pointer (task, ids, (GDestroyNotify) g_strfreev);
}

/* Step 4 for a complete body. */
static void
body_complete (OaiCall *call,
               GBytes  *body)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  OaiChatResponse *response;

  destroy_source (&call->timeout_source);

  if (!SOUP_STATUS_IS_SUCCESSFUL (call->status))
    {
      attempt_failed (call, oai_error_new_from_http (call->status, body, call->request_id));
      return;
    }

  root = oai_json_parse_bytes (body, &error);
  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root) &&
      json_object_has_member (json_node_get_object (root), "error") &&
      !json_object_has_member (json_node_get_object (root), "choices"))
    {
      attempt_failed (call, oai_error_new_from_body (body, call->status, call->request_id));
      return;
    }

  if (call->list_models)
    {
      char **ids = root ? parse_models (root, &error) : NULL;

      if (ids == NULL)
        {
          if (call->request_id != NULL)
            g_prefix_error (&error, "Request %s: ", call->request_id);
          finish (call, NULL, g_steal_pointer (&error));
        }
      else
        finish_models (call, ids);
      return;
    }

  response = root ? oai_chat_response_new_from_json (root, &error) : NULL;
  if (response == NULL)
    {
      if (call->request_id != NULL)
        g_prefix_error (&error, "Request %s: ", call->request_id);
      finish (call, NULL, g_steal_pointer (&error));
      return;
    }

  if (call->stream != NULL)
    {
      g_autoptr(OaiChatResponse) whole = response;

      response = oai_chat_stream_replay (call->stream, whole);
      if (response == NULL)
        {
          finish (call, NULL, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                   "The call was cancelled"));
          return;
        }
    }

  finish (call, response, NULL);
}


static void
on_closed (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  OaiCall *call = g_task_get_task_data (task);
  g_autoptr(GBytes) body = NULL;

  g_input_stream_close_finish (G_INPUT_STREAM (object), result, NULL);
  g_clear_object (&call->body_stream);
  if (call->finished)
    return;

  if (call->reading_stream)
    {
      stream_complete (call);
      return;
    }

  g_byte_array_set_size (call->buffer, call->filled);
  body = g_byte_array_free_to_bytes (g_steal_pointer (&call->buffer));
  body_complete (call, body);
}

static void
on_read (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  OaiCall *call = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, &error);

  if (call->finished)
    return;

  if (n < 0)
    {
      g_clear_object (&call->body_stream);
      g_clear_pointer (&call->buffer, g_byte_array_unref);
      transport_failed (call, error);
      return;
    }

  if (n == 0)
    {
      g_byte_array_set_size (call->buffer, call->filled);
      /* Closing hands the connection back to libsoup's pool before the call
       * completes, so a call started from our callback can reuse it. The
       * answer is complete: cancelling now would only cost the connection. */
      g_clear_object (&call->attempt_cancellable);
      g_input_stream_close_async (call->body_stream, G_PRIORITY_DEFAULT, NULL, on_closed,
                                  g_object_ref (call->task));
      return;
    }

  call->filled += n;
  if (call->filled > OAI_MAX_RESPONSE_SIZE)
    {
      g_clear_object (&call->body_stream);
      finish (call, NULL, g_error_new (OAI_ERROR, OAI_ERROR_INVALID_RESPONSE,
                                       "The answer is larger than %u MiB",
                                       OAI_MAX_RESPONSE_SIZE / (1024 * 1024)));
      return;
    }

  read_more (call);
}

static void
read_more (OaiCall *call)
{
  gsize want;

  /* All of a declared length at once; then a small read that finds the end
   * (or more, when the body was compressed); unknown lengths in chunks. */
  if (call->expected > call->filled)
    want = call->expected - call->filled;
  else
    want = call->expected > 0 ? 256 : READ_CHUNK_SIZE;
  want = MIN (want, (gsize) OAI_MAX_RESPONSE_SIZE + 1 - call->filled);

  if (call->buffer->len < call->filled + want)
    g_byte_array_set_size (call->buffer, call->filled + want);

  g_input_stream_read_async (call->body_stream, call->buffer->data + call->filled, want,
                             G_PRIORITY_DEFAULT, call->attempt_cancellable, on_read,
                             g_object_ref (call->task));
}

/* Step 6 for a stream: bytes to the stream as they come, deltas out at once. */
static void
stream_failed (OaiCall *call,
               GError  *error)
{
  /* Before the first delta a stream fails like any call and may be retried;
   * after it, retrying would repeat what the caller already has. */
  if (oai_chat_stream_get_emitted (call->stream))
    {
      destroy_source (&call->timeout_source);
      finish (call, NULL, error);
    }
  else
    attempt_failed (call, error);
}

static void
on_stream_read (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  OaiCall *call = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, &error);

  if (call->finished)
    return;

  if (n < 0)
    {
      g_clear_object (&call->body_stream);
      if (call->timed_out)
        stream_failed (call, g_error_new (OAI_ERROR, oai_chat_stream_get_emitted (call->stream)
                                                     ? OAI_ERROR_STREAM_INTERRUPTED : OAI_ERROR_TIMEOUT,
                                          "The stream was silent for %g s (attempt %u)",
                                          call->timeout, call->attempts));
      else if (oai_chat_stream_get_emitted (call->stream))
        stream_failed (call, g_error_new (OAI_ERROR, OAI_ERROR_STREAM_INTERRUPTED,
                                          "The stream was cut before the answer was complete: %s",
                                          error->message));
      else
        transport_failed (call, error);
      return;
    }

  if (n == 0)
    {
      g_clear_object (&call->attempt_cancellable);
      g_input_stream_close_async (call->body_stream, G_PRIORITY_DEFAULT, NULL, on_closed,
                                  g_object_ref (call->task));
      return;
    }

  call->last_activity = g_get_monotonic_time ();
  if (!oai_chat_stream_feed (call->stream, (const char *) call->buffer->data, n, &error))
    {
      g_clear_object (&call->body_stream);
      if (call->request_id != NULL)
        g_prefix_error (&error, "Request %s: ", call->request_id);
      /* Undecodable JSON would be the same on a retry. */
      if (g_error_matches (error, OAI_ERROR, OAI_ERROR_INVALID_RESPONSE))
        {
          destroy_source (&call->timeout_source);
          finish (call, NULL, g_steal_pointer (&error));
        }
      else
        stream_failed (call, g_steal_pointer (&error));
      return;
    }

  /* A handler cancelled: end now, without waiting for the cancellable's source. */
  if (oai_chat_stream_get_stopped (call->stream))
    {
      g_clear_object (&call->body_stream);
      finish (call, NULL, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                               "The call was cancelled"));
      return;
    }

  stream_read_more (call);
}

static void
stream_read_more (OaiCall *call)
{
  g_input_stream_read_async (call->body_stream, call->buffer->data, call->buffer->len,
                             G_PRIORITY_DEFAULT, call->attempt_cancellable, on_stream_read,
                             g_object_ref (call->task));
}

/* The server sent no usage chunk: count what was sent and what came back. */
static OaiUsage *
estimate_usage (OaiCall *call)
{
  g_autoptr(OaiTokenizer) tokenizer = tokenizer_for (call);
  g_autoptr(OaiUsage) usage = NULL;
  OaiMessage *message = oai_chat_stream_get_message (call->stream);
  GListModel *calls = oai_message_get_tool_calls (message);
  const char *content = oai_message_get_content (message);
  const char *refusal = oai_message_get_refusal (message);
  gsize completion = 0;

  if (content != NULL)
    completion += oai_tokenizer_count (tokenizer, content, -1);
  if (refusal != NULL)
    completion += oai_tokenizer_count (tokenizer, refusal, -1);
  for (guint i = 0; i < g_list_model_get_n_items (calls); i++)
    {
      g_autoptr(OaiToolCall) tool_call = g_list_model_get_item (calls, i);

      if (oai_tool_call_get_name (tool_call) != NULL)
        completion += oai_tokenizer_count (tokenizer, oai_tool_call_get_name (tool_call), -1);
      if (oai_tool_call_get_arguments (tool_call) != NULL)
        completion += oai_tokenizer_count (tokenizer, oai_tool_call_get_arguments (tool_call), -1);
    }

  usage = g_object_new (OAI_TYPE_USAGE,
                        "prompt-tokens", (guint) oai_tokenizer_count_request (tokenizer, call->sent),
                        "completion-tokens", (guint) completion,
                        "estimated", TRUE,
                        NULL);
  return g_steal_pointer (&usage);
}

static void
stream_complete (OaiCall *call)
{
  g_autoptr(GError) error = NULL;

  destroy_source (&call->timeout_source);

  if (!oai_chat_stream_end (call->stream, &error))
    {
      if (call->request_id != NULL)
        g_prefix_error (&error, "Request %s: ", call->request_id);
      stream_failed (call, g_steal_pointer (&error));
      return;
    }

  if (oai_chat_stream_get_usage (call->stream) == NULL)
    {
      g_autoptr(OaiUsage) usage = estimate_usage (call);
      oai_chat_stream_set_estimated_usage (call->stream, usage);
    }

  if (oai_chat_stream_get_stopped (call->stream))
    {
      finish (call, NULL, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                               "The call was cancelled"));
      return;
    }

  finish (call, oai_chat_stream_build_response (call->stream), NULL);
}

static void
on_sent (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  OaiCall *call = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  SoupMessageHeaders *headers;

  if (call->finished)
    return;

  if (stream == NULL)
    {
      transport_failed (call, error);
      return;
    }

  call->status = soup_message_get_status (call->msg);
  headers = soup_message_get_response_headers (call->msg);
  if (call->limiter != NULL)
    {
      OaiRateHeaders rate = {
        soup_message_headers_get_one (headers, "x-ratelimit-limit-requests"),
        soup_message_headers_get_one (headers, "x-ratelimit-limit-tokens"),
        soup_message_headers_get_one (headers, "x-ratelimit-remaining-requests"),
        soup_message_headers_get_one (headers, "x-ratelimit-remaining-tokens"),
        soup_message_headers_get_one (headers, "x-ratelimit-reset-requests"),
        soup_message_headers_get_one (headers, "x-ratelimit-reset-tokens"),
      };
      oai_rate_limiter_update (call->limiter, &rate);
    }
  g_free (call->request_id);
  call->request_id = g_strdup (soup_message_headers_get_one (headers, "x-request-id"));

  if (!g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN))
    g_debug ("<- HTTP %u for %s (attempt %u, request %s)", call->status, call->model,
             call->attempts, call->request_id ? call->request_id : "-");

  call->body_stream = g_steal_pointer (&stream);
  call->last_activity = g_get_monotonic_time ();

  /* An error answer is read whole and classified, stream or not; so is the
   * whole JSON answer of a server that ignores `stream: true`. */
  if (call->stream != NULL && SOUP_STATUS_IS_SUCCESSFUL (call->status) &&
      g_strcmp0 (soup_message_headers_get_content_type (headers, NULL), "application/json") != 0)
    {
      call->reading_stream = TRUE;
      g_clear_pointer (&call->buffer, g_byte_array_unref);
      call->buffer = g_byte_array_sized_new (READ_CHUNK_SIZE);
      g_byte_array_set_size (call->buffer, READ_CHUNK_SIZE);
      stream_read_more (call);
      return;
    }

  call->filled = 0;
  call->expected = soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH
                   ? (gsize) MIN (soup_message_headers_get_content_length (headers),
                                  (goffset) OAI_MAX_RESPONSE_SIZE)
                   : 0;
  g_clear_pointer (&call->buffer, g_byte_array_unref);
  call->buffer = g_byte_array_new ();
  read_more (call);
}

static gboolean
on_timeout (gpointer user_data)
{
  OaiCall *call = user_data;
  gint64 silence = g_get_monotonic_time () - call->last_activity;
  gint64 limit = (gint64) (call->timeout * G_USEC_PER_SEC);

  g_clear_pointer (&call->timeout_source, g_source_unref);

  /* A stream that keeps sending is alive, however long it runs. */
  if (call->reading_stream && silence < limit)
    {
      call->timeout_source = attach_timeout (call, (guint) ((limit - silence) / 1000 + 1),
                                             on_timeout);
      return G_SOURCE_REMOVE;
    }

  call->timed_out = TRUE;
  g_cancellable_cancel (call->attempt_cancellable);

  return G_SOURCE_REMOVE;
}

static void
log_request (OaiCall            *call,
             SoupMessageHeaders *headers)
{
  g_autoptr(GString) s = NULL;
  SoupMessageHeadersIter iter;
  const char *name, *value;
  g_autofree char *uri = NULL;

  if (g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN))
    return;

  uri = g_uri_to_string_partial (call->uri, G_URI_HIDE_PASSWORD);
  s = g_string_new (NULL);
  g_string_append_printf (s, "-> POST %s (attempt %u)", uri, call->attempts);
  soup_message_headers_iter_init (&iter, headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    g_string_append_printf (s, "\n  %s: %s", name,
                            g_ascii_strcasecmp (name, "Authorization") == 0 ? "Bearer [REDACTED]"
                                                                            : value);
  g_debug ("%s", s->str);
}

static void send_now (OaiCall *call);

static void
admitted_cb (OaiRateTicket *ticket,
             gpointer       user_data)
{
  OaiCall *call = user_data;

  call->ticket_granted = TRUE;
  send_now (call);
}

/* Step 2: admission, each attempt a request the limits count. */
static void
send_attempt (OaiCall *call)
{
  if (call->limiter == NULL)
    {
      send_now (call);
      return;
    }

  if (call->estimate == 0)
    {
      g_autoptr(OaiTokenizer) tokenizer = tokenizer_for (call);
      int max_tokens = oai_chat_request_get_max_tokens (call->sent);

      call->estimate = oai_tokenizer_count_request (tokenizer, call->sent) +
                       (max_tokens >= 0 ? (guint) max_tokens
                                        : oai_rate_limiter_get_default_completion_tokens (call->limiter));
    }

  call->ticket = oai_rate_limiter_acquire (call->limiter, call->estimate,
                                           oai_chat_request_get_priority (call->sent),
                                           admitted_cb, call);
}

/* Step 3: one attempt. */
static void
send_now (OaiCall *call)
{
  SoupMessageHeaders *headers;
  g_autofree char *retry_count = NULL;

  call->attempts++;
  call->status = 0;
  call->timed_out = FALSE;
  call->reading_stream = FALSE;
  g_clear_object (&call->attempt_cancellable);
  call->attempt_cancellable = g_cancellable_new ();
  if (call->stream != NULL)
    oai_chat_stream_begin_attempt (call->stream, g_task_get_cancellable (call->task));

  g_clear_object (&call->msg);
  call->msg = soup_message_new_from_uri (call->list_models ? SOUP_METHOD_GET : SOUP_METHOD_POST,
                                         call->uri);
  headers = soup_message_get_request_headers (call->msg);
  /* libsoup opens a new connection for every POST unless told the request may
   * be sent twice; the Idempotency-Key makes that true, and keeps calls from
   * paying a TCP (and TLS) handshake each. */
  soup_message_add_flags (call->msg, SOUP_MESSAGE_IDEMPOTENT);

  if (call->api_key != NULL && *call->api_key != '\0')
    {
      g_autofree char *auth = g_strconcat ("Bearer ", call->api_key, NULL);
      soup_message_headers_replace (headers, "Authorization", auth);
      memset (auth, 0, strlen (auth));
    }
  if (call->organization != NULL)
    soup_message_headers_replace (headers, "OpenAI-Organization", call->organization);
  if (call->project != NULL)
    soup_message_headers_replace (headers, "OpenAI-Project", call->project);
  soup_message_headers_replace (headers, "Accept",
                                call->stream ? "text/event-stream" : "application/json");
  soup_message_headers_replace (headers, "Idempotency-Key", call->idempotency_key);
  retry_count = g_strdup_printf ("%u", call->attempts - 1);
  soup_message_headers_replace (headers, "X-Retry-Count", retry_count);
  if (call->body != NULL)
    soup_message_set_request_body_from_bytes (call->msg, "application/json", call->body);

  log_request (call, headers);

  call->timeout_source = attach_timeout (call, (guint) MIN (ceil (call->timeout * 1000.0),
                                                            (double) G_MAXUINT),
                                         on_timeout);

  soup_session_send_async (oai_client_get_session (call->client), call->msg,
                           G_PRIORITY_DEFAULT, call->attempt_cancellable,
                           on_sent, g_object_ref (call->task));
}

static GUri *
parse_endpoint (const char  *base_url,
                const char  *path,
                GError     **error)
{
  g_autofree char *url = g_strconcat (base_url, path, NULL);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GUri) uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, &local_error);

  if (uri == NULL ||
      (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 &&
       g_strcmp0 (g_uri_get_scheme (uri), "https") != 0) ||
      g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_set_error (error, OAI_ERROR, OAI_ERROR_INVALID_REQUEST,
                   "The base URL “%s” is not an http or https URL", base_url);
      return NULL;
    }

  return g_steal_pointer (&uri);
}

static gboolean
has_control_chars (const char *value)
{
  for (const char *p = value; p != NULL && *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      return TRUE;
  return FALSE;
}

/* A header value with a line break would be refused by libsoup (with a
 * critical, and the header dropped): the call fails instead, saying which
 * setting is wrong and never quoting it, since it may be the key. */
static gboolean
check_credentials (OaiCall  *call,
                   GError  **error)
{
  if (has_control_chars (call->api_key))
    {
      g_set_error_literal (error, OAI_ERROR, OAI_ERROR_AUTHENTICATION,
                           "The API key contains a line break or another control character, "
                           "so it cannot be sent; check how it was copied");
      return FALSE;
    }
  if (has_control_chars (call->organization) || has_control_chars (call->project))
    {
      g_set_error_literal (error, OAI_ERROR, OAI_ERROR_INVALID_REQUEST,
                           "The organization or project contains a line break or another "
                           "control character, so it cannot be sent");
      return FALSE;
    }
  return TRUE;
}

/* What every call takes from its client when it starts: a snapshot, so that
 * changing the client later does not change the call. */
static OaiCall *
call_new (OaiClient           *client,
          gpointer             source_object,
          const char          *model,
          GCancellable        *cancellable,
          gpointer             source_tag,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  OaiCall *call = g_new0 (OaiCall, 1);
  g_autofree char *uuid = g_uuid_string_random ();

  call->client = g_object_ref (client);
  call->task = g_task_new (source_object, cancellable, callback, user_data);
  g_task_set_source_tag (call->task, source_tag);
  g_task_set_task_data (call->task, call, (GDestroyNotify) oai_call_free);
  call->context = g_main_context_ref_thread_default ();
  call->started = g_get_monotonic_time ();
  call->model = g_strdup (model);
  call->api_key = g_strdup (oai_client_get_api_key (client));
  call->organization = g_strdup (oai_client_get_organization (client));
  call->project = g_strdup (oai_client_get_project (client));
  call->max_retries = oai_client_get_max_retries (client);
  call->base_delay = oai_client_get_retry_base_delay (client);
  call->max_delay = oai_client_get_retry_max_delay (client);
  call->timeout = oai_client_get_timeout (client);
  call->idempotency_key = g_strconcat ("oai-glib-", uuid, NULL);

  if (cancellable != NULL)
    {
      call->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (call->cancel_source, G_SOURCE_FUNC (on_cancelled), call, NULL);
      g_source_set_static_name (call->cancel_source, "[openai-glib] call cancelled");
      g_source_attach (call->cancel_source, call->context);
    }

  return call;
}

static void
oai_call_start_full (OaiClient           *client,
                     gpointer             source_object,
                     OaiChatRequest      *request,
                     OaiChatStream       *stream,
                     gboolean             manage_context,
                     GCancellable        *cancellable,
                     gpointer             source_tag,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  OaiCall *call = call_new (client, source_object, oai_chat_request_get_model (request),
                            cancellable, source_tag, callback, user_data);
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  gsize json_len;

  call->stream = stream ? g_object_ref (stream) : NULL;
  /* A snapshot of the conversation: changing the request later changes nothing. */
  call->sent = oai_chat_request_copy (request);
  call->strategy = manage_context ? oai_client_get_context_strategy (client)
                                  : OAI_CONTEXT_STRATEGY_NONE;
  if (oai_client_get_rate_limiter (client) != NULL)
    call->limiter = g_object_ref (oai_client_get_rate_limiter (client));

  call->uri = parse_endpoint (oai_client_get_base_url (client), "/chat/completions", &error);
  if (call->uri != NULL && check_credentials (call, &error))
    json = oai_chat_request_to_json (request, stream != NULL, &error);

  if (json != NULL && strlen (json) > OAI_MAX_RESPONSE_SIZE)
    g_set_error (&error, OAI_ERROR, OAI_ERROR_INVALID_REQUEST,
                 "The request is larger than %u MiB", OAI_MAX_RESPONSE_SIZE / (1024 * 1024));

  /* Step 1: a hard budget refuses before anything is sent. */
  if (error == NULL)
    oai_cost_tracker_check_budget (oai_client_get_cost_tracker (client), call->sent, &error);

  /* Nothing is sent for a call cancelled before it started. */
  if (error == NULL && g_cancellable_is_cancelled (cancellable))
    g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "The call was cancelled");

  if (error != NULL)
    {
      finish (call, NULL, g_steal_pointer (&error));
      return;
    }

  json_len = strlen (json);
  call->body = g_bytes_new_take (g_steal_pointer (&json), json_len);
  prepare_and_send (call);
}

void
oai_call_start (OaiClient           *client,
                gpointer             source_object,
                OaiChatRequest      *request,
                OaiChatStream       *stream,
                GCancellable        *cancellable,
                gpointer             source_tag,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  oai_call_start_full (client, source_object, request, stream, TRUE, cancellable,
                       source_tag, callback, user_data);
}

void
oai_call_start_plain (OaiClient           *client,
                      OaiChatRequest      *request,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  oai_call_start_full (client, client, request, NULL, FALSE, cancellable,
                       oai_client_chat_async, callback, user_data);
}

/*
 * oai_call_start_models:
 *
 * GET /models through the same road: retries, time-outs, cancellation.
 */
void
oai_call_start_models (OaiClient           *client,
                       GCancellable        *cancellable,
                       gpointer             source_tag,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  OaiCall *call = call_new (client, client, "(models)", cancellable, source_tag, callback,
                            user_data);
  g_autoptr(GError) error = NULL;

  call->list_models = TRUE;

  call->uri = parse_endpoint (oai_client_get_base_url (client), "/models", &error);
  if (error == NULL)
    check_credentials (call, &error);
  if (error == NULL && g_cancellable_is_cancelled (cancellable))
    g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "The call was cancelled");
  if (error != NULL)
    {
      finish (call, NULL, g_steal_pointer (&error));
      return;
    }

  send_now (call);
}
