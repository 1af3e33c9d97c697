/* oai-chat-request.c: what to send to /chat/completions
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "oai-chat-request.h"
#include "oai-error.h"
#include "oai-json-private.h"
#include "oai-message-private.h"
#include "oai-util-private.h"

/**
 * OaiChatRequest:
 *
 * A chat completion request: the model, the messages, and the options of the
 * call. Fields this class has no property for can be passed through with
 * [method@Oai.ChatRequest.set_extra], so every option of the API and of
 * compatible servers is reachable.
 *
 * ```c
 * g_autoptr(OaiChatRequest) request = oai_chat_request_new ("gpt-4o-mini");
 * oai_chat_request_add_message (request, OAI_ROLE_USER, "Hello!");
 * ```
 */
struct _OaiChatRequest
{
  GObject parent_instance;

  char *model;
  int max_tokens;
  int priority;
  double temperature;
  GListStore *messages;
  GPtrArray *tools;             /* JsonNode, complete tool objects */
  JsonNode *response_format;
  JsonObject *extra;
  guint include_usage : 1;
};

G_DEFINE_FINAL_TYPE (OaiChatRequest, oai_chat_request, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_MODEL,
  PROP_MAX_TOKENS,
  PROP_TEMPERATURE,
  PROP_INCLUDE_USAGE,
  PROP_PRIORITY,
  PROP_MESSAGES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
oai_chat_request_finalize (GObject *object)
{
  OaiChatRequest *self = OAI_CHAT_REQUEST (object);

  g_clear_pointer (&self->model, g_free);
  g_clear_object (&self->messages);
  g_clear_pointer (&self->tools, g_ptr_array_unref);
  g_clear_pointer (&self->response_format, json_node_unref);
  g_clear_pointer (&self->extra, json_object_unref);

  G_OBJECT_CLASS (oai_chat_request_parent_class)->finalize (object);
}

static void
oai_chat_request_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  OaiChatRequest *self = OAI_CHAT_REQUEST (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      g_value_set_string (value, self->model);
      break;
    case PROP_MAX_TOKENS:
      g_value_set_int (value, self->max_tokens);
      break;
    case PROP_TEMPERATURE:
      g_value_set_double (value, self->temperature);
      break;
    case PROP_INCLUDE_USAGE:
      g_value_set_boolean (value, self->include_usage);
      break;
    case PROP_PRIORITY:
      g_value_set_int (value, self->priority);
      break;
    case PROP_MESSAGES:
      g_value_set_object (value, self->messages);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
oai_chat_request_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  OaiChatRequest *self = OAI_CHAT_REQUEST (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      oai_chat_request_set_model (self, g_value_get_string (value));
      break;
    case PROP_MAX_TOKENS:
      oai_chat_request_set_max_tokens (self, g_value_get_int (value));
      break;
    case PROP_TEMPERATURE:
      oai_chat_request_set_temperature (self, g_value_get_double (value));
      break;
    case PROP_INCLUDE_USAGE:
      oai_chat_request_set_include_usage (self, g_value_get_boolean (value));
      break;
    case PROP_PRIORITY:
      oai_chat_request_set_priority (self, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
oai_chat_request_class_init (OaiChatRequestClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = oai_chat_request_finalize;
  object_class->get_property = oai_chat_request_get_property;
  object_class->set_property = oai_chat_request_set_property;

  /**
   * OaiChatRequest:model:
   *
   * The model to ask, e.g. "gpt-4o-mini".
   */
  properties[PROP_MODEL] = g_param_spec_string ("model", NULL, NULL, NULL, flags);

  /**
   * OaiChatRequest:max-tokens:
   *
   * The most tokens the answer may have, sent as `max_completion_tokens`;
   * -1 leaves it to the server. Servers that only know the older `max_tokens`
   * can be given it with [method@Oai.ChatRequest.set_extra].
   */
  properties[PROP_MAX_TOKENS] =
    g_param_spec_int ("max-tokens", NULL, NULL, -1, G_MAXINT, -1, flags);

  /**
   * OaiChatRequest:temperature:
   *
   * Sampling temperature from 0 to 2; NaN (the default) leaves it to the server.
   * GObject refuses NaN as a property value: unset it with
   * [method@Oai.ChatRequest.set_temperature].
   */
  properties[PROP_TEMPERATURE] =
    g_param_spec_double ("temperature", NULL, NULL, 0.0, 2.0, 1.0, flags);
  /* "Unset" is NaN, which g_param_spec_double() refuses as a default. */
  G_PARAM_SPEC_DOUBLE (properties[PROP_TEMPERATURE])->default_value = NAN;

  /**
   * OaiChatRequest:include-usage:
   *
   * Whether a streamed answer ends with a usage chunk
   * (`stream_options.include_usage`). Non-streaming answers always carry usage.
   */
  properties[PROP_INCLUDE_USAGE] =
    g_param_spec_boolean ("include-usage", NULL, NULL, TRUE, flags);

  /**
   * OaiChatRequest:priority:
   *
   * Where the request stands in a rate limiter's queue: higher goes first,
   * equal ones in order of arrival. It is not sent to the server.
   */
  properties[PROP_PRIORITY] =
    g_param_spec_int ("priority", NULL, NULL, G_MININT, G_MAXINT, 0, flags);

  /**
   * OaiChatRequest:messages:
   *
   * The conversation, a list of [class@Oai.Message].
   */
  properties[PROP_MESSAGES] =
    g_param_spec_object ("messages", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
oai_chat_request_init (OaiChatRequest *self)
{
  self->max_tokens = -1;
  self->temperature = NAN;
  self->include_usage = TRUE;
  self->messages = g_list_store_new (OAI_TYPE_MESSAGE);
  self->tools = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  self->extra = json_object_new ();
}

/**
 * oai_chat_request_new:
 * @model: the model to ask
 *
 * Returns: (transfer full): a new request with no messages
 */
OaiChatRequest *
oai_chat_request_new (const char *model)
{
  return g_object_new (OAI_TYPE_CHAT_REQUEST, "model", model, NULL);
}

/**
 * oai_chat_request_copy:
 * @self: a request
 *
 * Copies the request: its options, tools and extra fields, and a new list of
 * the same messages (the message objects are shared, not copied).
 *
 * Returns: (transfer full): a new request
 */
OaiChatRequest *
oai_chat_request_copy (OaiChatRequest *self)
{
  OaiChatRequest *copy;
  g_autoptr(GList) extra_names = NULL;
  guint n;

  g_return_val_if_fail (OAI_IS_CHAT_REQUEST (self), NULL);

  copy = oai_chat_request_new (self->model);
  copy->max_tokens = self->max_tokens;
  copy->priority = self->priority;
  copy->temperature = self->temperature;
  copy->include_usage = self->include_usage;

  n = g_list_model_get_n_items (G_LIST_MODEL (self->messages));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(OaiMessage) message = g_list_model_get_item (G_LIST_MODEL (self->messages), i);
      g_list_store_append (copy->messages, message);
    }
  for (guint i = 0; i < self->tools->len; i++)
    g_ptr_array_add (copy->tools, json_node_copy (g_ptr_array_index (self->tools, i)));
  if (self->response_format != NULL)
    copy->response_format = json_node_copy (self->response_format);

  extra_names = json_object_get_members (self->extra);
  for (const GList *l = extra_names; l != NULL; l = l->next)
    json_object_set_member (copy->extra, l->data,
                            json_node_copy (json_object_get_member (self->extra, l->data)));

  return copy;
}

/**
 * oai_chat_request_get_model:
 * @self: a request
 *
 * Returns: (nullable): the model
 */
const char *
oai_chat_request_get_model (OaiChatRequest *self)
{
  g_return_val_if_fail (OAI_IS_CHAT_REQUEST (self), NULL);
  return self->model;
}

/**
 * oai_chat_request_set_model:
 * @self: a request
 * @model: (nullable): the model
 *
 * Sets the model to ask.
 */
void
oai_chat_request_set_model (OaiChatRequest *self,
                            const char     *model)
{
  g_return_if_fail (OAI_IS_CHAT_REQUEST (self));
  if (oai_set_str (&self->model, model))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}

/**
 * oai_chat_request_get_max_tokens:
 * @self: a request
 *
 * Returns: the token limit of the answer, or -1 if unset
 */
int
oai_chat_request_get_max_tokens (OaiChatRequest *self)
{
  g_return_val_if_fail (OAI_IS_CHAT_REQUEST (self), -1);
  return self->max_tokens;
}

/**
 * oai_chat_request_set_max_tokens:
 * @self: a request
 * @max_tokens: the token limit of the answer, or -1 to unset it
 *
 * Sets the most tokens the answer may have.
 */
void
oai_chat_request_set_max_tokens (OaiChatRequest *self,
                                 int             max_tokens)
{
  g_return_if_fail (OAI_IS_CHAT_REQUEST (self));
  g_return_if_fail (max_tokens >= -1);

  if (self->max_tokens != max_tokens)
    {
      self->max_tokens = max_tokens;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_TOKENS]);
    }
}

/**
 * oai_chat_request_get_temperature:
 * @self: a request
 *
 * Returns: the sampling temperature, or NaN if unset
 */
double
oai_chat_request_get_temperature (OaiChatRequest *self)
{
  g_return_val_if_fail (OAI_IS_CHAT_REQUEST (self), NAN);
  return self->temperature;
}

/**
 * oai_chat_request_set_temperature:
 * @self: a request
 * @temperature: from 0 to 2, or NaN to unset it
 *
 * Sets the sampling temperature.
 */
void
oai_chat_request_set_temperature (OaiChatRequest *self,
                                  double          temperature)
{
  g_return_if_fail (OAI_IS_CHAT_REQUEST (self));
  g_return_if_fail (isnan (temperature) || (temperature >= 0.0 && temperature <= 2.0));

  if (isnan (temperature) && isnan (self->temperature))
    return;
  if (self->temperature != temperature)
    {
      self->temperature = temperature;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEMPERATURE]);
    }
}

/**
 * oai_chat_request_get_priority:
 * @self: a request
 *
 * Returns: the request's priority in a rate limiter's queue
 */
int
oai_chat_request_get_priority (OaiChatRequest *self)
{
  g_return_val_if_fail (OAI_IS_CHAT_REQUEST (self), 0);
  return self->priority;
}

/**
 * oai_chat_request_set_priority:
 * @self: a request
 * @priority: higher goes first
 *
 * Sets the request's priority in a rate limiter's queue.
 */
void
oai_chat_request_set_priority (OaiChatRequest *self,
                               int             priority)
{
  g_return_if_fail (OAI_IS_CHAT_REQUEST (self));

  if (self->priority != priority)
    {
      self->priority = priority;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRIORITY]);
    }
}

/**
 * oai_chat_request_get_include_usage:
 * @self: a request
 *
 * Returns: whether a streamed answer ends with usage
 */
gboolean
oai_chat_request_get_include_usage (OaiChatRequest *self)
{
  g_return_val_if_fail (OAI_IS_CHAT_REQUEST (self), TRUE);
  return self->include_usage;
}

/**
 * oai_chat_request_set_include_usage:
 * @self: a request
 * @include_usage: whether a streamed answer ends with usage
 *
 * Sets whether a streamed answer ends with a usage chunk.
 */
void
oai_chat_request_set_include_usage (OaiChatRequest *self,
                                    gboolean        include_usage)
{
  g_return_if_fail (OAI_IS_CHAT_REQUEST (self));

  include_usage = !!include_usage;
  if (self->include_usage != include_usage)
    {
      self->include_usage = include_usage;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INCLUDE_USAGE]);
    }
}

/**
 * oai_chat_request_add_message:
 * @self: a request
 * @role: who the message is from
 * @content: its text
 *
 * Appends a message to the conversation.
 *
 * Returns: (transfer none): the new message, to set more of it
 */
OaiMessage *
oai_chat_request_add_message (OaiChatRequest *self,
                              OaiRole         role,
                              const char     *content)
{
  g_autoptr(OaiMessage) message = NULL;

  g_return_val_if_fail (OAI_IS_CHAT_REQUEST (self), NULL);
  g_return_val_if_fail (role <= OAI_ROLE_TOOL, NULL);

  message = oai_message_new (role, content);
  g_list_store_append (self->messages, message);

  return message;
}

/**
 * oai_chat_request_append_message:
 * @self: a request
 * @message: a message, such as an earlier answer or a tool result
 *
 * Appends @message to the conversation.
 */
void
oai_chat_request_append_message (OaiChatRequest *self,
                                 OaiMessage     *message)
{
  g_return_if_fail (OAI_IS_CHAT_REQUEST (self));
  g_return_if_fail (OAI_IS_MESSAGE (message));

  g_list_store_append (self->messages, message);
}

/**
 * oai_chat_request_get_messages:
 * @self: a request
 *
 * Returns: (transfer none): the conversation, a list of [class@Oai.Message]
 */
GListModel *
oai_chat_request_get_messages (OaiChatRequest *self)
{
  g_return_val_if_fail (OAI_IS_CHAT_REQUEST (self), NULL);
  return G_LIST_MODEL (self->messages);
}

static gboolean
check_name (const char  *name,
            const char  *what,
            GError     **error)
{
  gsize len = name ? strlen (name) : 0;

  /* The API's rule for function and schema names. */
  if (len == 0 || len > 64)
    goto fail;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (name[i]) && name[i] != '_' && name[i] != '-')
      goto fail;
  return TRUE;

fail:
  g_set_error (error, OAI_ERROR, OAI_ERROR_INVALID_REQUEST,
               "The %s name “%s” must be 1 to 64 letters, digits, “_” or “-”",
               what, name ? name : "");
  return FALSE;
}

/**
 * oai_chat_request_add_tool:
 * @self: a request
 * @name: the function's name: letters, digits, `_` and `-`, at most 64
 * @description: (nullable): what the function does, for the model
 * @parameters_json: (nullable): the JSON schema of its arguments, an object
 * @error: return location for an error
 *
 * Offers the model a function it may call.
 *
 * Returns: %TRUE, or %FALSE with @error set to %OAI_ERROR_INVALID_REQUEST if the
 *   name or the schema is not valid
 */
gboolean
oai_chat_request_add_tool (OaiChatRequest  *self,
                           const char      *name,
                           const char      *description,
                           const char      *parameters_json,
                           GError         **error)
{
  g_autoptr(JsonNode) parameters = NULL;
  g_autoptr(JsonBuilder) builder = NULL;

  g_return_val_if_fail (OAI_IS_CHAT_REQUEST (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_name (name, "tool", error))
    return FALSE;

  if (parameters_json != NULL)
    {
      parameters = oai_json_parse_string (parameters_json, "tool parameters", error);
      if (parameters == NULL)
        return FALSE;
      if (!JSON_NODE_HOLDS_OBJECT (parameters))
        {
          g_set_error (error, OAI_ERROR, OAI_ERROR_INVALID_REQUEST,
                       "The parameters of tool “%s” must be a JSON object", name);
          return FALSE;
        }
    }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "function");
  json_builder_set_member_name (builder, "function");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, name);
  if (description != NULL)
    {
      json_builder_set_member_name (builder, "description");
      json_builder_add_string_value (builder, description);
    }
  if (parameters != NULL)
    {
      json_builder_set_member_name (builder, "parameters");
      json_builder_add_value (builder, g_steal_pointer (&parameters));
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  g_ptr_array_add (self->tools, json_builder_get_root (builder));
  return TRUE;
}

/**
 * oai_chat_request_set_response_format:
 * @self: a request
 * @name: (nullable): the schema's name, required with @json_schema
 * @json_schema: (nullable): a JSON schema (an object) the answer must follow, or
 *   %NULL for plain JSON mode (`{"type": "json_object"}`)
 * @strict: whether the server enforces the schema exactly
 * @error: return location for an error
 *
 * Asks for structured output.
 *
 * Returns: %TRUE, or %FALSE with @error set to %OAI_ERROR_INVALID_REQUEST
 */
gboolean
oai_chat_request_set_response_format (OaiChatRequest  *self,
                                      const char      *name,
                                      const char      *json_schema,
                                      gboolean         strict,
                                      GError         **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) schema = NULL;

  g_return_val_if_fail (OAI_IS_CHAT_REQUEST (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (json_schema != NULL)
    {
      if (!check_name (name, "schema", error))
        return FALSE;
      schema = oai_json_parse_string (json_schema, "response schema", error);
      if (schema == NULL)
        return FALSE;
      if (!JSON_NODE_HOLDS_OBJECT (schema))
        {
          g_set_error (error, OAI_ERROR, OAI_ERROR_INVALID_REQUEST,
                       "The response schema “%s” must be a JSON object", name);
          return FALSE;
        }
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  if (schema == NULL)
    json_builder_add_string_value (builder, "json_object");
  else
    {
      json_builder_add_string_value (builder, "json_schema");
      json_builder_set_member_name (builder, "json_schema");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, name);
      json_builder_set_member_name (builder, "schema");
      json_builder_add_value (builder, g_steal_pointer (&schema));
      json_builder_set_member_name (builder, "strict");
      json_builder_add_boolean_value (builder, strict);
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);

  g_clear_pointer (&self->response_format, json_node_unref);
  self->response_format = json_builder_get_root (builder);

  return TRUE;
}

/**
 * oai_chat_request_set_extra:
 * @self: a request
 * @key: a top-level field of the request body, e.g. "seed" or "reasoning_effort"
 * @json_value: (nullable): its value as JSON text (`"42"`, `"\"low\""`), or %NULL to
 *   remove it
 * @error: return location for an error
 *
 * Passes a field through to the server as it is. A field set here replaces the
 * one the request would otherwise send under the same name.
 *
 * Returns: %TRUE, or %FALSE with @error set to %OAI_ERROR_INVALID_REQUEST if
 *   @json_value is not valid JSON
 */
gboolean
oai_chat_request_set_extra (OaiChatRequest  *self,
                            const char      *key,
                            const char      *json_value,
                            GError         **error)
{
  JsonNode *value;

  g_return_val_if_fail (OAI_IS_CHAT_REQUEST (self), FALSE);
  g_return_val_if_fail (key != NULL && *key != '\0', FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (json_value == NULL)
    {
      json_object_remove_member (self->extra, key);
      return TRUE;
    }

  value = oai_json_parse_string (json_value, "extra field's contents", error);
  if (value == NULL)
    return FALSE;

  json_object_set_member (self->extra, key, value);
  return TRUE;
}

/**
 * oai_chat_request_to_json:
 * @self: a request
 * @stream: whether to ask for a streamed answer
 * @error: return location for an error
 *
 * Serializes the request as the body of `POST /chat/completions`.
 *
 * Returns: (transfer full): the JSON text, or %NULL with @error set to
 *   %OAI_ERROR_INVALID_REQUEST if the request has no model
 */
char *
oai_chat_request_to_json (OaiChatRequest  *self,
                          gboolean         stream,
                          GError         **error)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GList) extra_names = NULL;
  JsonObject *object;
  guint n_messages;

  g_return_val_if_fail (OAI_IS_CHAT_REQUEST (self), NULL);

  if (self->model == NULL || *self->model == '\0')
    {
      g_set_error_literal (error, OAI_ERROR, OAI_ERROR_INVALID_REQUEST,
                           "The request names no model");
      return NULL;
    }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "model");
  json_builder_add_string_value (builder, self->model);

  json_builder_set_member_name (builder, "messages");
  json_builder_begin_array (builder);
  n_messages = g_list_model_get_n_items (G_LIST_MODEL (self->messages));
  for (guint i = 0; i < n_messages; i++)
    {
      g_autoptr(OaiMessage) message = g_list_model_get_item (G_LIST_MODEL (self->messages), i);
      oai_message_to_json (message, builder);
    }
  json_builder_end_array (builder);

  if (self->max_tokens >= 0)
    {
      json_builder_set_member_name (builder, "max_completion_tokens");
      json_builder_add_int_value (builder, self->max_tokens);
    }
  if (!isnan (self->temperature))
    {
      json_builder_set_member_name (builder, "temperature");
      json_builder_add_double_value (builder, self->temperature);
    }
  if (self->tools->len > 0)
    {
      json_builder_set_member_name (builder, "tools");
      json_builder_begin_array (builder);
      for (guint i = 0; i < self->tools->len; i++)
        json_builder_add_value (builder, json_node_copy (g_ptr_array_index (self->tools, i)));
      json_builder_end_array (builder);
    }
  if (self->response_format != NULL)
    {
      json_builder_set_member_name (builder, "response_format");
      json_builder_add_value (builder, json_node_copy (self->response_format));
    }
  if (stream)
    {
      json_builder_set_member_name (builder, "stream");
      json_builder_add_boolean_value (builder, TRUE);
      if (self->include_usage)
        {
          json_builder_set_member_name (builder, "stream_options");
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "include_usage");
          json_builder_add_boolean_value (builder, TRUE);
          json_builder_end_object (builder);
        }
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  object = json_node_get_object (root);

  extra_names = json_object_get_members (self->extra);
  for (const GList *l = extra_names; l != NULL; l = l->next)
    json_object_set_member (object, l->data,
                            json_node_copy (json_object_get_member (self->extra, l->data)));

  generator = json_generator_new ();
  json_generator_set_root (generator, root);

  return json_generator_to_data (generator, NULL);
}
