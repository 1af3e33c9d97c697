/* oai-chat-stream.c: a chat answer as it is generated
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "oai-call-private.h"
#include "oai-chat-response-private.h"
#include "oai-chat-stream-private.h"
#include "oai-chunk-scanner-private.h"
#include "oai-error-private.h"
#include "oai-json-private.h"
#include "oai-message-private.h"
#include "oai-sse-parser-private.h"
#include "oai-usage-private.h"

/* More parallel tool calls than this in one answer is not an answer. */
#define MAX_TOOL_CALLS 1024

/**
 * OaiChatStream:
 *
 * A streamed chat call: the answer arrives as deltas while the model
 * generates it. Create one with [method@Oai.Client.stream_chat], connect to
 * its signals, then run it:
 *
 * ```c
 * g_autoptr(OaiChatStream) stream = oai_client_stream_chat (client, request);
 *
 * g_signal_connect (stream, "content-delta", G_CALLBACK (on_delta), NULL);
 * oai_chat_stream_run_async (stream, cancellable, on_done, NULL);
 * ```
 *
 * The signals are emitted on the thread-default main context of the caller
 * of [method@Oai.ChatStream.run_async] as the bytes arrive.
 * [method@Oai.ChatStream.get_message] is the answer as it grows: its
 * [property@Oai.Message:content] notifies at every delta, so a widget bound
 * to it follows the stream.
 *
 * Failures before the first delta are retried like any call. A stream cut
 * after content arrived fails with %OAI_ERROR_STREAM_INTERRUPTED, and the
 * message keeps what had arrived. Once cancelled, a stream emits nothing more.
 */
struct _OaiChatStream
{
  GObject parent_instance;

  OaiClient *client;
  OaiChatRequest *request;
  OaiMessage *message;

  /* One attempt's state */
  OaiSseParser *parser;
  GCancellable *cancellable;
  GError *error;
  char *id;
  char *model;
  gint64 created;
  char *finish_reason;
  OaiUsage *usage;
  GString *refusal;
  GPtrArray *tool_calls;        /* OaiToolCall by index, holes NULL */
  GPtrArray *tool_arguments;    /* GString by index */
  OaiStreamChunk scanned;       /* the common chunk, read without json-glib */

  guint started : 1;
  guint done : 1;               /* [DONE] arrived */
  guint emitted : 1;            /* a delta went out: no retry from here */
  guint stopped : 1;            /* cancelled: nothing more goes out */
  guint ending : 1;             /* the server closed: a last event may be cut */
};

G_DEFINE_FINAL_TYPE (OaiChatStream, oai_chat_stream, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_REQUEST,
  PROP_MESSAGE,
  PROP_FINISH_REASON,
  N_PROPS
};

enum {
  CONTENT_DELTA,
  REFUSAL_DELTA,
  TOOL_CALL_DELTA,
  USAGE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static gboolean on_event (const char *event,
                          const char *data,
                          gsize       len,
                          gpointer    user_data);

static void
object_unref_nullable (gpointer object)
{
  if (object != NULL)
    g_object_unref (object);
}

static void
string_free (gpointer s)
{
  if (s != NULL)
    g_string_free (s, TRUE);
}

static void
oai_chat_stream_dispose (GObject *object)
{
  OaiChatStream *self = OAI_CHAT_STREAM (object);

  g_clear_object (&self->client);
  g_clear_object (&self->request);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->usage);

  G_OBJECT_CLASS (oai_chat_stream_parent_class)->dispose (object);
}

static void
oai_chat_stream_finalize (GObject *object)
{
  OaiChatStream *self = OAI_CHAT_STREAM (object);

  g_clear_object (&self->message);
  g_clear_pointer (&self->parser, oai_sse_parser_free);
  g_clear_error (&self->error);
  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->model, g_free);
  g_clear_pointer (&self->finish_reason, g_free);
  string_free (g_steal_pointer (&self->refusal));
  g_clear_pointer (&self->tool_calls, g_ptr_array_unref);
  g_clear_pointer (&self->tool_arguments, g_ptr_array_unref);
  oai_stream_chunk_clear (&self->scanned);

  G_OBJECT_CLASS (oai_chat_stream_parent_class)->finalize (object);
}

static void
oai_chat_stream_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  OaiChatStream *self = OAI_CHAT_STREAM (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;
    case PROP_REQUEST:
      g_value_set_object (value, self->request);
      break;
    case PROP_MESSAGE:
      g_value_set_object (value, self->message);
      break;
    case PROP_FINISH_REASON:
      g_value_set_string (value, self->finish_reason);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
oai_chat_stream_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  OaiChatStream *self = OAI_CHAT_STREAM (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      self->client = g_value_dup_object (value);
      break;
    case PROP_REQUEST:
      self->request = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
oai_chat_stream_class_init (OaiChatStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = oai_chat_stream_dispose;
  object_class->finalize = oai_chat_stream_finalize;
  object_class->get_property = oai_chat_stream_get_property;
  object_class->set_property = oai_chat_stream_set_property;

  /**
   * OaiChatStream:client:
   *
   * The client the stream's call goes through.
   */
  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, OAI_TYPE_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * OaiChatStream:request:
   *
   * What the stream asks.
   */
  properties[PROP_REQUEST] =
    g_param_spec_object ("request", NULL, NULL, OAI_TYPE_CHAT_REQUEST,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * OaiChatStream:message:
   *
   * The assistant's message as it grows.
   */
  properties[PROP_MESSAGE] =
    g_param_spec_object ("message", NULL, NULL, OAI_TYPE_MESSAGE,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * OaiChatStream:finish-reason:
   *
   * Why the answer ended, once the server said.
   */
  properties[PROP_FINISH_REASON] =
    g_param_spec_string ("finish-reason", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * OaiChatStream::content-delta:
   * @self: the stream
   * @text: the new text
   *
   * Emitted for every piece of the answer's text, after it was appended to
   * the message.
   */
  signals[CONTENT_DELTA] =
    g_signal_new ("content-delta", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * OaiChatStream::refusal-delta:
   * @self: the stream
   * @text: the new text of the refusal
   *
   * Emitted for every piece of a refusal. A refusal is an answer, not an error.
   */
  signals[REFUSAL_DELTA] =
    g_signal_new ("refusal-delta", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * OaiChatStream::tool-call-delta:
   * @self: the stream
   * @index: which tool call of the answer
   * @id: (nullable): the call's id, in its first delta only
   * @name: (nullable): the function's name, in its first delta only
   * @arguments_delta: the new piece of the arguments, possibly empty
   *
   * Emitted for every piece of a tool call.
   */
  signals[TOOL_CALL_DELTA] =
    g_signal_new ("tool-call-delta", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 4,
                  G_TYPE_UINT,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * OaiChatStream::usage:
   * @self: the stream
   * @usage: the tokens the answer used
   *
   * Emitted when the usage chunk at the end of the stream arrives.
   */
  signals[USAGE] =
    g_signal_new ("usage", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, OAI_TYPE_USAGE);
}

static void
oai_chat_stream_init (OaiChatStream *self)
{
  self->message = oai_message_new (OAI_ROLE_ASSISTANT, NULL);
  self->tool_calls = g_ptr_array_new_with_free_func (object_unref_nullable);
  self->tool_arguments = g_ptr_array_new_with_free_func (string_free);
  oai_stream_chunk_init (&self->scanned);
}

OaiChatStream *
oai_chat_stream_new (OaiClient      *client,
                     OaiChatRequest *request)
{
  return g_object_new (OAI_TYPE_CHAT_STREAM, "client", client, "request", request, NULL);
}

/* Nothing goes out once the caller cancelled, even from the chunk at hand. */
static gboolean
may_emit (OaiChatStream *self)
{
  if (self->cancellable != NULL && g_cancellable_is_cancelled (self->cancellable))
    self->stopped = TRUE;

  return !self->stopped;
}

void
oai_chat_stream_begin_attempt (OaiChatStream *self,
                               GCancellable  *cancellable)
{
  /* A retry happens only before anything was emitted: start afresh. */
  g_assert (!self->emitted);

  g_set_object (&self->cancellable, cancellable);
  g_clear_pointer (&self->parser, oai_sse_parser_free);
  self->parser = oai_sse_parser_new (on_event, self);
  g_clear_error (&self->error);
  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->model, g_free);
  self->created = 0;
  self->done = FALSE;
  self->ending = FALSE;
  self->stopped = FALSE;
  if (self->finish_reason != NULL)
    {
      g_clear_pointer (&self->finish_reason, g_free);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FINISH_REASON]);
    }
  if (self->usage != NULL)
    {
      g_clear_object (&self->usage);
    }
}

static gboolean
handle_tool_call (OaiChatStream  *self,
                  JsonNode       *node,
                  const char     *path,
                  GError        **error)
{
  g_autofree char *function_path = g_strdup_printf ("%s.function", path);
  const char *id = NULL, *name = NULL, *arguments = NULL;
  JsonObject *object, *function;
  gint64 index = -1;
  OaiToolCall *call;
  GString *args;
  gboolean first = FALSE;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return oai_json_fail (error, path, NULL, "an object");
  object = json_node_get_object (node);

  if (!oai_json_get_optional_int (object, path, "index", &index, error) ||
      !oai_json_get_optional_string (object, path, "id", &id, error) ||
      !oai_json_get_optional_object (object, path, "function", &function, error))
    return FALSE;
  if (function != NULL &&
      (!oai_json_get_optional_string (function, function_path, "name", &name, error) ||
       !oai_json_get_optional_string (function, function_path, "arguments", &arguments, error)))
    return FALSE;
  if (index < 0 || index >= MAX_TOOL_CALLS)
    return oai_json_fail (error, path, "index", "a tool call index");

  if ((guint) index >= self->tool_calls->len)
    {
      g_ptr_array_set_size (self->tool_calls, index + 1);
      g_ptr_array_set_size (self->tool_arguments, index + 1);
    }

  if (!may_emit (self))
    return TRUE;

  call = g_ptr_array_index (self->tool_calls, index);
  if (call == NULL)
    {
      call = oai_tool_call_new (id, name, "");
      g_ptr_array_index (self->tool_calls, index) = call;
      g_ptr_array_index (self->tool_arguments, index) = g_string_new (NULL);
      oai_message_add_tool_call (self->message, call);
      first = TRUE;
    }
  else
    {
      /* Some servers repeat them; the first ones stand. */
      if (oai_tool_call_get_id (call) == NULL && id != NULL)
        oai_tool_call_set_id (call, id);
      if (oai_tool_call_get_name (call) == NULL && name != NULL)
        oai_tool_call_set_name (call, name);
    }

  args = g_ptr_array_index (self->tool_arguments, index);
  if (arguments != NULL)
    {
      g_string_append (args, arguments);
      oai_tool_call_set_arguments (call, args->str);
    }

  self->emitted = TRUE;
  g_signal_emit (self, signals[TOOL_CALL_DELTA], 0, (guint) index,
                 first ? oai_tool_call_get_id (call) : NULL,
                 first ? oai_tool_call_get_name (call) : NULL,
                 arguments != NULL ? arguments : "");

  return TRUE;
}

static gboolean
handle_choice (OaiChatStream  *self,
               JsonObject     *choice,
               const char     *path,
               GError        **error)
{
  g_autofree char *delta_path = g_strdup_printf ("%s.delta", path);
  const char *content = NULL, *refusal = NULL, *finish_reason = NULL;
  JsonObject *delta;
  JsonArray *tool_calls = NULL;

  if (!oai_json_get_optional_object (choice, path, "delta", &delta, error) ||
      !oai_json_get_optional_string (choice, path, "finish_reason", &finish_reason, error))
    return FALSE;
  if (delta != NULL &&
      (!oai_json_get_optional_string (delta, delta_path, "content", &content, error) ||
       !oai_json_get_optional_string (delta, delta_path, "refusal", &refusal, error) ||
       !oai_json_get_optional_array (delta, delta_path, "tool_calls", &tool_calls, error)))
    return FALSE;

  if (content != NULL && *content != '\0' && may_emit (self))
    {
      oai_message_append_content (self->message, content, strlen (content));
      self->emitted = TRUE;
      g_signal_emit (self, signals[CONTENT_DELTA], 0, content);
    }

  if (refusal != NULL && *refusal != '\0' && may_emit (self))
    {
      if (self->refusal == NULL)
        self->refusal = g_string_new (NULL);
      g_string_append (self->refusal, refusal);
      oai_message_set_refusal (self->message, self->refusal->str);
      self->emitted = TRUE;
      g_signal_emit (self, signals[REFUSAL_DELTA], 0, refusal);
    }

  for (guint i = 0; tool_calls != NULL && i < json_array_get_length (tool_calls); i++)
    {
      g_autofree char *call_path = g_strdup_printf ("%s.tool_calls[%u]", delta_path, i);

      if (!handle_tool_call (self, json_array_get_element (tool_calls, i), call_path, error))
        return FALSE;
    }

  if (finish_reason != NULL && g_strcmp0 (finish_reason, self->finish_reason) != 0)
    {
      g_free (self->finish_reason);
      self->finish_reason = g_strdup (finish_reason);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FINISH_REASON]);
    }

  return TRUE;
}

static gboolean
handle_chunk (OaiChatStream  *self,
              const char     *data,
              gsize           len,
              GError        **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  const char *id = NULL, *model = NULL;
  JsonObject *chunk, *usage;
  JsonArray *choices;
  JsonNode *error_node;
  gint64 created = 0;

  if (!json_parser_load_from_data (parser, data, len, &local_error))
    {
      /* An unfinished last event is a cut stream, not garbage. */
      if (self->ending)
        {
          g_set_error_literal (error, OAI_ERROR,
                               self->emitted ? OAI_ERROR_STREAM_INTERRUPTED : OAI_ERROR_CONNECTION,
                               "The stream was cut in the middle of an event");
          return FALSE;
        }
      g_set_error (error, OAI_ERROR, OAI_ERROR_INVALID_RESPONSE,
                   "Invalid stream from the server: an event is not JSON (%s)",
                   local_error->message);
      return FALSE;
    }
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return oai_json_fail (error, "chunk", NULL, "a JSON object");
  chunk = json_node_get_object (json_parser_get_root (parser));

  /* An error in the middle of a stream, after HTTP 200. */
  error_node = json_object_get_member (chunk, "error");
  if (error_node != NULL && !JSON_NODE_HOLDS_NULL (error_node))
    {
      g_autoptr(GBytes) bytes = g_bytes_new_static (data, len);

      *error = oai_error_new_from_body (bytes, 200, NULL);
      if (*error == NULL)
        g_set_error_literal (error, OAI_ERROR, OAI_ERROR_FAILED,
                             "The server reported an error in the stream");
      return FALSE;
    }

  if (!oai_json_get_optional_string (chunk, "chunk", "id", &id, error) ||
      !oai_json_get_optional_string (chunk, "chunk", "model", &model, error) ||
      !oai_json_get_optional_int (chunk, "chunk", "created", &created, error) ||
      !oai_json_get_optional_array (chunk, "chunk", "choices", &choices, error) ||
      !oai_json_get_optional_object (chunk, "chunk", "usage", &usage, error))
    return FALSE;

  if (self->id == NULL && id != NULL && *id != '\0')
    self->id = g_strdup (id);
  if (self->model == NULL && model != NULL && *model != '\0')
    self->model = g_strdup (model);
  if (self->created == 0)
    self->created = created;

  for (guint i = 0; choices != NULL && i < json_array_get_length (choices); i++)
    {
      g_autofree char *path = g_strdup_printf ("chunk.choices[%u]", i);
      JsonNode *node = json_array_get_element (choices, i);
      JsonObject *choice;
      gint64 index = 0;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return oai_json_fail (error, path, NULL, "an object");
      choice = json_node_get_object (node);
      if (!oai_json_get_optional_int (choice, path, "index", &index, error))
        return FALSE;

      /* The answer is the first choice, as for a call that does not stream. */
      if (index == 0 && !handle_choice (self, choice, path, error))
        return FALSE;
    }

  if (usage != NULL)
    {
      g_autoptr(OaiUsage) parsed = oai_usage_new_from_json (usage, "chunk.usage", error);

      if (parsed == NULL)
        return FALSE;
      if (may_emit (self))
        {
          g_set_object (&self->usage, parsed);
          g_signal_emit (self, signals[USAGE], 0, parsed);
        }
    }

  return TRUE;
}

/* The same effects as handle_chunk () for the one shape the scanner reads. */
static void
apply_scanned (OaiChatStream *self)
{
  OaiStreamChunk *chunk = &self->scanned;

  if (self->id == NULL && chunk->has_id && chunk->id->len > 0)
    self->id = g_strndup (chunk->id->str, chunk->id->len);
  if (self->model == NULL && chunk->has_model && chunk->model->len > 0)
    self->model = g_strndup (chunk->model->str, chunk->model->len);
  if (self->created == 0)
    self->created = chunk->created;

  if (chunk->has_content && chunk->content->len > 0 && may_emit (self))
    {
      oai_message_append_content (self->message, chunk->content->str, chunk->content->len);
      self->emitted = TRUE;
      g_signal_emit (self, signals[CONTENT_DELTA], 0, chunk->content->str);
    }

  if (chunk->has_finish_reason && g_strcmp0 (chunk->finish_reason->str, self->finish_reason) != 0)
    {
      g_free (self->finish_reason);
      self->finish_reason = g_strndup (chunk->finish_reason->str, chunk->finish_reason->len);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FINISH_REASON]);
    }
}

static gboolean
on_event (const char *event,
          const char *data,
          gsize       len,
          gpointer    user_data)
{
  OaiChatStream *self = user_data;

  /* Whatever follows [DONE] is not part of the answer. */
  if (self->done)
    return TRUE;

  if (len == 6 && memcmp (data, "[DONE]", 6) == 0)
    {
      self->done = TRUE;
      return TRUE;
    }

  /* An "error" event is always read in full. */
  if (strcmp (event, "message") == 0 && oai_stream_chunk_scan (&self->scanned, data, len))
    apply_scanned (self);
  else if (!handle_chunk (self, data, len, &self->error))
    return FALSE;

  return !self->stopped;
}

/*
 * oai_chat_stream_feed:
 * @data: bytes of the event stream, split anywhere
 *
 * Returns: %FALSE with @error set for an event that is not a chunk, or an
 *   error the server sent inside the stream
 */
gboolean
oai_chat_stream_feed (OaiChatStream  *self,
                      const char     *data,
                      gsize           len,
                      GError        **error)
{
  if (self->error == NULL && !self->stopped)
    oai_sse_parser_feed (self->parser, data, len);

  if (self->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&self->error));
      return FALSE;
    }

  return TRUE;
}

/*
 * oai_chat_stream_end:
 *
 * The server closed the stream. It is complete when it said [DONE] or gave a
 * finish reason (some compatible servers send no [DONE]).
 *
 * Returns: %FALSE with @error set to %OAI_ERROR_STREAM_INTERRUPTED if content
 *   had arrived, or to %OAI_ERROR_CONNECTION (which may be retried) if
 *   nothing had
 */
gboolean
oai_chat_stream_end (OaiChatStream  *self,
                     GError        **error)
{
  self->ending = TRUE;
  if (self->error == NULL && !self->stopped)
    oai_sse_parser_finish (self->parser);

  if (self->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&self->error));
      return FALSE;
    }

  if (self->done || self->finish_reason != NULL || self->stopped)
    return TRUE;

  if (self->emitted)
    g_set_error_literal (error, OAI_ERROR, OAI_ERROR_STREAM_INTERRUPTED,
                         "The stream ended before the answer was complete");
  else
    g_set_error_literal (error, OAI_ERROR, OAI_ERROR_CONNECTION,
                         "The stream ended before any answer arrived");
  return FALSE;
}

gboolean
oai_chat_stream_get_emitted (OaiChatStream *self)
{
  return self->emitted;
}

gboolean
oai_chat_stream_get_stopped (OaiChatStream *self)
{
  return self->stopped;
}

/* For a stream that ended without a usage chunk: counted locally, marked
 * estimated, and announced like the server's. */
void
oai_chat_stream_set_estimated_usage (OaiChatStream *self,
                                     OaiUsage      *usage)
{
  if (!may_emit (self))
    return;

  g_set_object (&self->usage, usage);
  g_signal_emit (self, signals[USAGE], 0, usage);
}

/* For a stream cut or cancelled after content: what was billed for it, kept
 * for get_usage () without a signal, since nothing is emitted after the end. */
void
oai_chat_stream_set_partial_usage (OaiChatStream *self,
                                   OaiUsage      *usage)
{
  if (self->usage == NULL)
    g_set_object (&self->usage, usage);
}

OaiChatResponse *
oai_chat_stream_build_response (OaiChatStream *self)
{
  return oai_chat_response_new_for_stream (self->id, self->model, self->created,
                                           self->finish_reason, self->message, self->usage);
}

/*
 * oai_chat_stream_replay:
 * @response: a whole answer, from a server that ignored `stream: true`
 *
 * Emits the answer as one delta of each kind, so that callers of a stream
 * need no second code path for such servers.
 *
 * Returns: (transfer full) (nullable): the stream's answer, or %NULL if the
 *   caller cancelled meanwhile
 */
OaiChatResponse *
oai_chat_stream_replay (OaiChatStream   *self,
                        OaiChatResponse *response)
{
  OaiMessage *message = oai_chat_response_get_message (response);
  GListModel *calls = oai_message_get_tool_calls (message);
  const char *content = oai_message_get_content (message);
  const char *refusal = oai_message_get_refusal (message);
  OaiUsage *usage = oai_chat_response_get_usage (response);

  self->id = g_strdup (oai_chat_response_get_id (response));
  self->model = g_strdup (oai_chat_response_get_model (response));
  self->created = oai_chat_response_get_created (response);

  if (content != NULL && *content != '\0' && may_emit (self))
    {
      oai_message_append_content (self->message, content, strlen (content));
      self->emitted = TRUE;
      g_signal_emit (self, signals[CONTENT_DELTA], 0, content);
    }
  if (refusal != NULL && *refusal != '\0' && may_emit (self))
    {
      oai_message_set_refusal (self->message, refusal);
      self->emitted = TRUE;
      g_signal_emit (self, signals[REFUSAL_DELTA], 0, refusal);
    }
  for (guint i = 0; i < g_list_model_get_n_items (calls) && may_emit (self); i++)
    {
      g_autoptr(OaiToolCall) call = g_list_model_get_item (calls, i);
      g_autoptr(OaiToolCall) copy = oai_tool_call_new (oai_tool_call_get_id (call),
                                                       oai_tool_call_get_name (call),
                                                       oai_tool_call_get_arguments (call));

      oai_message_add_tool_call (self->message, copy);
      self->emitted = TRUE;
      g_signal_emit (self, signals[TOOL_CALL_DELTA], 0, i, oai_tool_call_get_id (copy),
                     oai_tool_call_get_name (copy),
                     oai_tool_call_get_arguments (copy) ? oai_tool_call_get_arguments (copy) : "");
    }

  if (oai_chat_response_get_finish_reason (response) != NULL)
    {
      self->finish_reason = g_strdup (oai_chat_response_get_finish_reason (response));
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FINISH_REASON]);
    }
  if (usage != NULL && may_emit (self))
    {
      g_set_object (&self->usage, usage);
      g_signal_emit (self, signals[USAGE], 0, usage);
    }

  if (self->stopped)
    return NULL;

  return oai_chat_stream_build_response (self);
}

/**
 * oai_chat_stream_run_async:
 * @self: a stream that has not run yet
 * @cancellable: (nullable): to stop the stream at any moment
 * @callback: (scope async): called when the answer is complete or the call failed
 * @user_data: data for @callback
 *
 * Sends the request with `stream: true` and emits the deltas as they arrive.
 * A stream runs once.
 */
void
oai_chat_stream_run_async (OaiChatStream       *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (OAI_IS_CHAT_STREAM (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  if (self->started)
    {
      g_task_report_new_error (self, callback, user_data, oai_chat_stream_run_async,
                               G_IO_ERROR, G_IO_ERROR_PENDING,
                               "The stream has already run; make a new one");
      return;
    }
  self->started = TRUE;

  oai_call_start (self->client, self, self->request, self, cancellable,
                  oai_chat_stream_run_async, callback, user_data);
}

/**
 * oai_chat_stream_run_finish:
 * @self: a stream
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Ends a stream. On failure, [method@Oai.ChatStream.get_message] still holds
 * what had arrived.
 *
 * Returns: (transfer full): the assembled answer, or %NULL with @error set
 */
OaiChatResponse *
oai_chat_stream_run_finish (OaiChatStream  *self,
                            GAsyncResult   *result,
                            GError        **error)
{
  g_return_val_if_fail (OAI_IS_CHAT_STREAM (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * oai_chat_stream_get_request:
 * @self: a stream
 *
 * Returns: (transfer none): what the stream asks
 */
OaiChatRequest *
oai_chat_stream_get_request (OaiChatStream *self)
{
  g_return_val_if_fail (OAI_IS_CHAT_STREAM (self), NULL);
  return self->request;
}

/**
 * oai_chat_stream_get_message:
 * @self: a stream
 *
 * Returns: (transfer none): the assistant's message so far
 */
OaiMessage *
oai_chat_stream_get_message (OaiChatStream *self)
{
  g_return_val_if_fail (OAI_IS_CHAT_STREAM (self), NULL);
  return self->message;
}

/**
 * oai_chat_stream_get_finish_reason:
 * @self: a stream
 *
 * Returns: (nullable): why the answer ended, once known
 */
const char *
oai_chat_stream_get_finish_reason (OaiChatStream *self)
{
  g_return_val_if_fail (OAI_IS_CHAT_STREAM (self), NULL);
  return self->finish_reason;
}

/**
 * oai_chat_stream_get_usage:
 * @self: a stream
 *
 * Returns: (transfer none) (nullable): the tokens used, once the usage chunk
 *   arrived; after a stream cut or cancelled once content arrived, the usage
 *   billed for it (estimated locally when the server sent none)
 */
OaiUsage *
oai_chat_stream_get_usage (OaiChatStream *self)
{
  g_return_val_if_fail (OAI_IS_CHAT_STREAM (self), NULL);
  return self->usage;
}
