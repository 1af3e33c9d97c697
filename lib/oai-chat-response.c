/* oai-chat-response.c: the answer of a chat completion
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>

#include "oai-chat-response-private.h"
#include "oai-error.h"
#include "oai-json-private.h"
#include "oai-message-private.h"
#include "oai-usage-private.h"

/**
 * OaiChatResponse:
 *
 * The answer to a chat request: the assistant's message, why it stopped, the
 * tokens it used, and facts about the call that produced it (the server's
 * request id, how many attempts it took, how long, what it cost).
 *
 * A refusal is an answer like any other: [method@Oai.ChatResponse.get_refusal]
 * holds it, and [method@Oai.ChatResponse.get_finish_reason] may be
 * `content_filter`.
 */
struct _OaiChatResponse
{
  GObject parent_instance;

  char *id;
  char *model;
  gint64 created;
  char *finish_reason;
  OaiMessage *message;
  OaiUsage *usage;
  char *request_id;
  guint attempts;
  double cost;
  double latency;
  guint dropped_messages;
};

G_DEFINE_FINAL_TYPE (OaiChatResponse, oai_chat_response, G_TYPE_OBJECT)

static void
oai_chat_response_finalize (GObject *object)
{
  OaiChatResponse *self = OAI_CHAT_RESPONSE (object);

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->model, g_free);
  g_clear_pointer (&self->finish_reason, g_free);
  g_clear_pointer (&self->request_id, g_free);
  g_clear_object (&self->message);
  g_clear_object (&self->usage);

  G_OBJECT_CLASS (oai_chat_response_parent_class)->finalize (object);
}

static void
oai_chat_response_class_init (OaiChatResponseClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = oai_chat_response_finalize;
}

static void
oai_chat_response_init (OaiChatResponse *self)
{
  self->attempts = 1;
  self->cost = NAN;
}

/*
 * oai_chat_response_new_from_json:
 * @root: the parsed body of a chat completion
 *
 * Takes the first choice. Anything that is not the shape the API promises is
 * %OAI_ERROR_INVALID_RESPONSE naming what was wrong, never an empty answer.
 */
OaiChatResponse *
oai_chat_response_new_from_json (JsonNode  *root,
                                 GError   **error)
{
  g_autoptr(OaiChatResponse) self = NULL;
  const char *id, *model, *finish_reason;
  JsonObject *object, *choice, *message, *usage;
  JsonArray *choices;
  JsonNode *choice_node;
  gint64 created = 0;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return oai_json_fail (error, "the body", NULL, "a JSON object"), NULL;
  object = json_node_get_object (root);

  if (!oai_json_get_optional_string (object, "response", "id", &id, error) ||
      !oai_json_get_optional_string (object, "response", "model", &model, error) ||
      !oai_json_get_optional_int (object, "response", "created", &created, error) ||
      !oai_json_get_optional_array (object, "response", "choices", &choices, error) ||
      !oai_json_get_optional_object (object, "response", "usage", &usage, error))
    return NULL;

  if (choices == NULL)
    return oai_json_fail (error, "response", "choices", "an array"), NULL;
  if (json_array_get_length (choices) == 0)
    return oai_json_fail (error, "response", "choices", "a non-empty array"), NULL;

  choice_node = json_array_get_element (choices, 0);
  if (!JSON_NODE_HOLDS_OBJECT (choice_node))
    return oai_json_fail (error, "response.choices[0]", NULL, "an object"), NULL;
  choice = json_node_get_object (choice_node);

  if (!oai_json_get_optional_object (choice, "response.choices[0]", "message", &message, error) ||
      !oai_json_get_optional_string (choice, "response.choices[0]", "finish_reason",
                                     &finish_reason, error))
    return NULL;
  if (message == NULL)
    return oai_json_fail (error, "response.choices[0]", "message", "an object"), NULL;

  self = g_object_new (OAI_TYPE_CHAT_RESPONSE, NULL);
  self->id = g_strdup (id);
  self->model = g_strdup (model);
  self->created = created;
  self->finish_reason = g_strdup (finish_reason);

  self->message = oai_message_new_from_json (message, "response.choices[0].message", error);
  if (self->message == NULL)
    return NULL;

  if (usage != NULL)
    {
      self->usage = oai_usage_new_from_json (usage, "response.usage", error);
      if (self->usage == NULL)
        return NULL;
    }

  return g_steal_pointer (&self);
}

/* The answer a stream assembled; it shares the stream's message. */
OaiChatResponse *
oai_chat_response_new_for_stream (const char *id,
                                  const char *model,
                                  gint64      created,
                                  const char *finish_reason,
                                  OaiMessage *message,
                                  OaiUsage   *usage)
{
  OaiChatResponse *self = g_object_new (OAI_TYPE_CHAT_RESPONSE, NULL);

  self->id = g_strdup (id);
  self->model = g_strdup (model);
  self->created = created;
  self->finish_reason = g_strdup (finish_reason);
  self->message = g_object_ref (message);
  self->usage = usage ? g_object_ref (usage) : NULL;

  return self;
}

void
oai_chat_response_set_call_info (OaiChatResponse *self,
                                 const char      *request_id,
                                 guint            attempts,
                                 double           latency)
{
  g_free (self->request_id);
  self->request_id = g_strdup (request_id);
  self->attempts = attempts;
  self->latency = latency;
}

void
oai_chat_response_set_dropped_messages (OaiChatResponse *self,
                                        guint            n_dropped)
{
  self->dropped_messages = n_dropped;
}

/**
 * oai_chat_response_get_dropped_messages:
 * @self: a response
 *
 * The client's [property@Oai.Client:context-strategy] may leave the oldest
 * turns of a conversation too long for the model out of the request it sends.
 *
 * Returns: how many messages of the request were left out, 0 if none
 */
guint
oai_chat_response_get_dropped_messages (OaiChatResponse *self)
{
  g_return_val_if_fail (OAI_IS_CHAT_RESPONSE (self), 0);
  return self->dropped_messages;
}

void
oai_chat_response_set_cost (OaiChatResponse *self,
                            double           cost)
{
  self->cost = cost;
}

/**
 * oai_chat_response_get_id:
 * @self: a response
 *
 * Returns: (nullable): the completion's id, e.g. "chatcmpl-…"
 */
const char *
oai_chat_response_get_id (OaiChatResponse *self)
{
  g_return_val_if_fail (OAI_IS_CHAT_RESPONSE (self), NULL);
  return self->id;
}

/**
 * oai_chat_response_get_model:
 * @self: a response
 *
 * Returns: (nullable): the model that answered, often a dated snapshot of the
 *   one asked for
 */
const char *
oai_chat_response_get_model (OaiChatResponse *self)
{
  g_return_val_if_fail (OAI_IS_CHAT_RESPONSE (self), NULL);
  return self->model;
}

/**
 * oai_chat_response_get_created:
 * @self: a response
 *
 * Returns: when the answer was created, in seconds since 1970, or 0 if unknown
 */
gint64
oai_chat_response_get_created (OaiChatResponse *self)
{
  g_return_val_if_fail (OAI_IS_CHAT_RESPONSE (self), 0);
  return self->created;
}

/**
 * oai_chat_response_get_message:
 * @self: a response
 *
 * Returns: (transfer none): the assistant's message, to append to the
 *   conversation
 */
OaiMessage *
oai_chat_response_get_message (OaiChatResponse *self)
{
  g_return_val_if_fail (OAI_IS_CHAT_RESPONSE (self), NULL);
  return self->message;
}

/**
 * oai_chat_response_get_content:
 * @self: a response
 *
 * Returns: (nullable): the text of the answer
 */
const char *
oai_chat_response_get_content (OaiChatResponse *self)
{
  g_return_val_if_fail (OAI_IS_CHAT_RESPONSE (self), NULL);
  return oai_message_get_content (self->message);
}

/**
 * oai_chat_response_get_refusal:
 * @self: a response
 *
 * Returns: (nullable): why the model declined to answer, if it did
 */
const char *
oai_chat_response_get_refusal (OaiChatResponse *self)
{
  g_return_val_if_fail (OAI_IS_CHAT_RESPONSE (self), NULL);
  return oai_message_get_refusal (self->message);
}

/**
 * oai_chat_response_get_finish_reason:
 * @self: a response
 *
 * Returns: (nullable): why the answer ended: `stop`, `length`, `tool_calls` or
 *   `content_filter`
 */
const char *
oai_chat_response_get_finish_reason (OaiChatResponse *self)
{
  g_return_val_if_fail (OAI_IS_CHAT_RESPONSE (self), NULL);
  return self->finish_reason;
}

/**
 * oai_chat_response_get_tool_calls:
 * @self: a response
 *
 * Returns: (transfer none): the tool calls of the answer, a list of
 *   [class@Oai.ToolCall]
 */
GListModel *
oai_chat_response_get_tool_calls (OaiChatResponse *self)
{
  g_return_val_if_fail (OAI_IS_CHAT_RESPONSE (self), NULL);
  return oai_message_get_tool_calls (self->message);
}

/**
 * oai_chat_response_get_usage:
 * @self: a response
 *
 * Returns: (transfer none) (nullable): the tokens used, or %NULL if a server
 *   reported none
 */
OaiUsage *
oai_chat_response_get_usage (OaiChatResponse *self)
{
  g_return_val_if_fail (OAI_IS_CHAT_RESPONSE (self), NULL);
  return self->usage;
}

/**
 * oai_chat_response_get_request_id:
 * @self: a response
 *
 * Returns: (nullable): the server's `x-request-id`, to quote to its support
 */
const char *
oai_chat_response_get_request_id (OaiChatResponse *self)
{
  g_return_val_if_fail (OAI_IS_CHAT_RESPONSE (self), NULL);
  return self->request_id;
}

/**
 * oai_chat_response_get_attempts:
 * @self: a response
 *
 * Returns: how many attempts the call made; 1 when the first one answered
 */
guint
oai_chat_response_get_attempts (OaiChatResponse *self)
{
  g_return_val_if_fail (OAI_IS_CHAT_RESPONSE (self), 0);
  return self->attempts;
}

/**
 * oai_chat_response_get_cost:
 * @self: a response
 *
 * The cost needs a price for the model from the cost tracker's price table.
 *
 * Returns: what the answer cost in US dollars, or NaN when it is unknown
 */
double
oai_chat_response_get_cost (OaiChatResponse *self)
{
  g_return_val_if_fail (OAI_IS_CHAT_RESPONSE (self), NAN);
  return self->cost;
}

/**
 * oai_chat_response_get_latency:
 * @self: a response
 *
 * Returns: seconds from the start of the call to the answer, retries included
 */
double
oai_chat_response_get_latency (OaiChatResponse *self)
{
  g_return_val_if_fail (OAI_IS_CHAT_RESPONSE (self), 0.0);
  return self->latency;
}
