/* oai-message.c: one chat message
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "oai-enums.h"
#include "oai-error.h"
#include "oai-json-private.h"
#include "oai-message-private.h"
#include "oai-util-private.h"

/**
 * OaiMessage:
 *
 * One message of a conversation: its role, its text, and for an assistant
 * message the refusal and tool calls it may carry. A message is also the row
 * item of a conversation list in an app, so every property notifies when it
 * changes; [property@Oai.Message:content] grows as a stream arrives.
 */
struct _OaiMessage
{
  GObject parent_instance;

  OaiRole role;
  GString *content;             /* a stream appends to it */
  char *refusal;
  char *name;
  char *tool_call_id;
  GListStore *tool_calls;
};

G_DEFINE_FINAL_TYPE (OaiMessage, oai_message, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ROLE,
  PROP_CONTENT,
  PROP_REFUSAL,
  PROP_NAME,
  PROP_TOOL_CALL_ID,
  PROP_TOOL_CALLS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
oai_message_finalize (GObject *object)
{
  OaiMessage *self = OAI_MESSAGE (object);

  if (self->content != NULL)
    g_string_free (g_steal_pointer (&self->content), TRUE);
  g_clear_pointer (&self->refusal, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->tool_call_id, g_free);
  g_clear_object (&self->tool_calls);

  G_OBJECT_CLASS (oai_message_parent_class)->finalize (object);
}

static void
oai_message_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  OaiMessage *self = OAI_MESSAGE (object);

  switch (prop_id)
    {
    case PROP_ROLE:
      g_value_set_enum (value, self->role);
      break;
    case PROP_CONTENT:
      g_value_set_string (value, self->content ? self->content->str : NULL);
      break;
    case PROP_REFUSAL:
      g_value_set_string (value, self->refusal);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_TOOL_CALL_ID:
      g_value_set_string (value, self->tool_call_id);
      break;
    case PROP_TOOL_CALLS:
      g_value_set_object (value, self->tool_calls);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
oai_message_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  OaiMessage *self = OAI_MESSAGE (object);

  switch (prop_id)
    {
    case PROP_ROLE:
      oai_message_set_role (self, g_value_get_enum (value));
      break;
    case PROP_CONTENT:
      oai_message_set_content (self, g_value_get_string (value));
      break;
    case PROP_REFUSAL:
      oai_message_set_refusal (self, g_value_get_string (value));
      break;
    case PROP_NAME:
      oai_message_set_name (self, g_value_get_string (value));
      break;
    case PROP_TOOL_CALL_ID:
      oai_message_set_tool_call_id (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
oai_message_class_init (OaiMessageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = oai_message_finalize;
  object_class->get_property = oai_message_get_property;
  object_class->set_property = oai_message_set_property;

  /**
   * OaiMessage:role:
   *
   * Who the message is from.
   */
  properties[PROP_ROLE] =
    g_param_spec_enum ("role", NULL, NULL, OAI_TYPE_ROLE, OAI_ROLE_USER, flags);

  /**
   * OaiMessage:content:
   *
   * The text of the message; %NULL for an assistant message that only calls tools
   * or refuses.
   */
  properties[PROP_CONTENT] = g_param_spec_string ("content", NULL, NULL, NULL, flags);

  /**
   * OaiMessage:refusal:
   *
   * The model's explanation when it declined to answer. A refusal is an answer,
   * not an error.
   */
  properties[PROP_REFUSAL] = g_param_spec_string ("refusal", NULL, NULL, NULL, flags);

  /**
   * OaiMessage:name:
   *
   * An optional name for the author, to tell participants of the same role apart.
   */
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);

  /**
   * OaiMessage:tool-call-id:
   *
   * For a tool message, the id of the call it answers.
   */
  properties[PROP_TOOL_CALL_ID] = g_param_spec_string ("tool-call-id", NULL, NULL, NULL, flags);

  /**
   * OaiMessage:tool-calls:
   *
   * The tool calls of an assistant message, a list of [class@Oai.ToolCall].
   */
  properties[PROP_TOOL_CALLS] =
    g_param_spec_object ("tool-calls", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
oai_message_init (OaiMessage *self)
{
  self->role = OAI_ROLE_USER;
  self->tool_calls = g_list_store_new (OAI_TYPE_TOOL_CALL);
}

/**
 * oai_message_new:
 * @role: who the message is from
 * @content: (nullable): its text
 *
 * Returns: (transfer full): a new message
 */
OaiMessage *
oai_message_new (OaiRole     role,
                 const char *content)
{
  return g_object_new (OAI_TYPE_MESSAGE,
                       "role", role,
                       "content", content,
                       NULL);
}

/**
 * oai_message_get_role:
 * @self: a message
 *
 * Returns: who the message is from
 */
OaiRole
oai_message_get_role (OaiMessage *self)
{
  g_return_val_if_fail (OAI_IS_MESSAGE (self), OAI_ROLE_USER);
  return self->role;
}

/**
 * oai_message_set_role:
 * @self: a message
 * @role: who the message is from
 *
 * Sets the role.
 */
void
oai_message_set_role (OaiMessage *self,
                      OaiRole     role)
{
  g_return_if_fail (OAI_IS_MESSAGE (self));
  g_return_if_fail (role <= OAI_ROLE_TOOL);

  if (self->role != role)
    {
      self->role = role;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ROLE]);
    }
}

/**
 * oai_message_get_content:
 * @self: a message
 *
 * Returns: (nullable): the text of the message
 */
const char *
oai_message_get_content (OaiMessage *self)
{
  g_return_val_if_fail (OAI_IS_MESSAGE (self), NULL);
  return self->content ? self->content->str : NULL;
}

/**
 * oai_message_set_content:
 * @self: a message
 * @content: (nullable): the text
 *
 * Sets the text of the message.
 */
void
oai_message_set_content (OaiMessage *self,
                         const char *content)
{
  g_return_if_fail (OAI_IS_MESSAGE (self));

  if (content == NULL && self->content == NULL)
    return;
  if (content != NULL && self->content != NULL && g_str_equal (content, self->content->str))
    return;

  if (content == NULL)
    g_string_free (g_steal_pointer (&self->content), TRUE);
  else if (self->content == NULL)
    self->content = g_string_new (content);
  else
    g_string_assign (self->content, content);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONTENT]);
}

/*
 * oai_message_append_content:
 *
 * Grows the content by @len bytes, as a stream delivers it: amortized
 * constant time per delta, and one notification.
 */
void
oai_message_append_content (OaiMessage *self,
                            const char *text,
                            gsize       len)
{
  if (len == 0)
    return;

  if (self->content == NULL)
    self->content = g_string_sized_new (MAX (len + 1, 64));
  g_string_append_len (self->content, text, len);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONTENT]);
}

/**
 * oai_message_get_refusal:
 * @self: a message
 *
 * Returns: (nullable): the refusal, if the model declined to answer
 */
const char *
oai_message_get_refusal (OaiMessage *self)
{
  g_return_val_if_fail (OAI_IS_MESSAGE (self), NULL);
  return self->refusal;
}

/**
 * oai_message_set_refusal:
 * @self: a message
 * @refusal: (nullable): the refusal
 *
 * Sets the refusal.
 */
void
oai_message_set_refusal (OaiMessage *self,
                         const char *refusal)
{
  g_return_if_fail (OAI_IS_MESSAGE (self));
  if (oai_set_str (&self->refusal, refusal))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REFUSAL]);
}

/**
 * oai_message_get_name:
 * @self: a message
 *
 * Returns: (nullable): the author's name
 */
const char *
oai_message_get_name (OaiMessage *self)
{
  g_return_val_if_fail (OAI_IS_MESSAGE (self), NULL);
  return self->name;
}

/**
 * oai_message_set_name:
 * @self: a message
 * @name: (nullable): the author's name
 *
 * Sets the author's name.
 */
void
oai_message_set_name (OaiMessage *self,
                      const char *name)
{
  g_return_if_fail (OAI_IS_MESSAGE (self));
  if (oai_set_str (&self->name, name))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

/**
 * oai_message_get_tool_call_id:
 * @self: a message
 *
 * Returns: (nullable): the id of the tool call a tool message answers
 */
const char *
oai_message_get_tool_call_id (OaiMessage *self)
{
  g_return_val_if_fail (OAI_IS_MESSAGE (self), NULL);
  return self->tool_call_id;
}

/**
 * oai_message_set_tool_call_id:
 * @self: a message
 * @tool_call_id: (nullable): the id of the tool call answered
 *
 * Sets the id of the tool call a tool message answers.
 */
void
oai_message_set_tool_call_id (OaiMessage *self,
                              const char *tool_call_id)
{
  g_return_if_fail (OAI_IS_MESSAGE (self));
  if (oai_set_str (&self->tool_call_id, tool_call_id))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOOL_CALL_ID]);
}

/**
 * oai_message_get_tool_calls:
 * @self: a message
 *
 * Returns: (transfer none): the tool calls, a list of [class@Oai.ToolCall]
 */
GListModel *
oai_message_get_tool_calls (OaiMessage *self)
{
  g_return_val_if_fail (OAI_IS_MESSAGE (self), NULL);
  return G_LIST_MODEL (self->tool_calls);
}

/**
 * oai_message_add_tool_call:
 * @self: a message
 * @tool_call: a tool call
 *
 * Appends a tool call, to send back an assistant message that made it.
 */
void
oai_message_add_tool_call (OaiMessage  *self,
                           OaiToolCall *tool_call)
{
  g_return_if_fail (OAI_IS_MESSAGE (self));
  g_return_if_fail (OAI_IS_TOOL_CALL (tool_call));

  g_list_store_append (self->tool_calls, tool_call);
}

const char *
oai_role_to_string (OaiRole role)
{
  GEnumClass *klass = g_type_class_ref (OAI_TYPE_ROLE);
  GEnumValue *value = g_enum_get_value (klass, role);

  g_type_class_unref (klass);
  return value ? value->value_nick : "user";
}

gboolean
oai_role_from_string (const char *text,
                      OaiRole    *role)
{
  GEnumClass *klass;
  GEnumValue *value;

  if (text == NULL)
    return FALSE;

  klass = g_type_class_ref (OAI_TYPE_ROLE);
  value = g_enum_get_value_by_nick (klass, text);
  g_type_class_unref (klass);

  if (value == NULL)
    return FALSE;

  *role = value->value;
  return TRUE;
}

static void
add_string_member (JsonBuilder *builder,
                   const char  *name,
                   const char  *value)
{
  if (value == NULL)
    return;
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

void
oai_message_to_json (OaiMessage  *self,
                     JsonBuilder *builder)
{
  guint n_calls = g_list_model_get_n_items (G_LIST_MODEL (self->tool_calls));

  json_builder_begin_object (builder);
  add_string_member (builder, "role", oai_role_to_string (self->role));

  json_builder_set_member_name (builder, "content");
  if (self->content != NULL)
    json_builder_add_string_value (builder, self->content->str);
  else if (self->role == OAI_ROLE_ASSISTANT)
    /* An assistant message that only calls tools has content null. */
    json_builder_add_null_value (builder);
  else
    json_builder_add_string_value (builder, "");

  if (self->role == OAI_ROLE_ASSISTANT)
    add_string_member (builder, "refusal", self->refusal);
  add_string_member (builder, "name", self->name);
  if (self->role == OAI_ROLE_TOOL)
    add_string_member (builder, "tool_call_id", self->tool_call_id);

  if (n_calls > 0 && self->role == OAI_ROLE_ASSISTANT)
    {
      json_builder_set_member_name (builder, "tool_calls");
      json_builder_begin_array (builder);
      for (guint i = 0; i < n_calls; i++)
        {
          g_autoptr(OaiToolCall) call = g_list_model_get_item (G_LIST_MODEL (self->tool_calls), i);

          json_builder_begin_object (builder);
          add_string_member (builder, "id", oai_tool_call_get_id (call));
          add_string_member (builder, "type", "function");
          json_builder_set_member_name (builder, "function");
          json_builder_begin_object (builder);
          add_string_member (builder, "name", oai_tool_call_get_name (call));
          json_builder_set_member_name (builder, "arguments");
          json_builder_add_string_value (builder, oai_tool_call_get_arguments (call)
                                                  ? oai_tool_call_get_arguments (call) : "{}");
          json_builder_end_object (builder);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
    }

  json_builder_end_object (builder);
}

static OaiToolCall *
tool_call_new_from_json (JsonNode    *node,
                         const char  *path,
                         GError     **error)
{
  g_autofree char *function_path = g_strdup_printf ("%s.function", path);
  JsonObject *object, *function;
  const char *id, *name, *arguments;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return oai_json_fail (error, path, NULL, "an object"), NULL;
  object = json_node_get_object (node);

  if (!oai_json_get_optional_string (object, path, "id", &id, error) ||
      !oai_json_get_optional_object (object, path, "function", &function, error))
    return NULL;
  if (function == NULL)
    return oai_json_fail (error, path, "function", "an object"), NULL;
  if (!oai_json_get_optional_string (function, function_path, "name", &name, error) ||
      !oai_json_get_optional_string (function, function_path, "arguments", &arguments, error))
    return NULL;
  if (name == NULL)
    return oai_json_fail (error, function_path, "name", "a string"), NULL;

  return oai_tool_call_new (id, name, arguments ? arguments : "");
}

/*
 * oai_message_new_from_json:
 * @object: a `message` object of a chat completion
 * @path: where it stands, for error messages ("choices[0].message")
 *
 * The role defaults to assistant when a server leaves it out; content and
 * refusal may be null; anything of the wrong type is an error.
 */
OaiMessage *
oai_message_new_from_json (JsonObject  *object,
                           const char  *path,
                           GError     **error)
{
  g_autoptr(OaiMessage) message = NULL;
  const char *role_text, *content, *refusal, *name, *tool_call_id;
  JsonArray *tool_calls;
  OaiRole role = OAI_ROLE_ASSISTANT;

  if (!oai_json_get_optional_string (object, path, "role", &role_text, error) ||
      !oai_json_get_optional_string (object, path, "content", &content, error) ||
      !oai_json_get_optional_string (object, path, "refusal", &refusal, error) ||
      !oai_json_get_optional_string (object, path, "name", &name, error) ||
      !oai_json_get_optional_string (object, path, "tool_call_id", &tool_call_id, error) ||
      !oai_json_get_optional_array (object, path, "tool_calls", &tool_calls, error))
    return NULL;

  if (role_text != NULL && !oai_role_from_string (role_text, &role))
    return oai_json_fail (error, path, "role", "a known role"), NULL;

  message = g_object_new (OAI_TYPE_MESSAGE,
                          "role", role,
                          "content", content,
                          "refusal", refusal,
                          "name", name,
                          "tool-call-id", tool_call_id,
                          NULL);

  for (guint i = 0; tool_calls != NULL && i < json_array_get_length (tool_calls); i++)
    {
      g_autofree char *call_path = g_strdup_printf ("%s.tool_calls[%u]", path, i);
      g_autoptr(OaiToolCall) call = NULL;

      call = tool_call_new_from_json (json_array_get_element (tool_calls, i), call_path, error);
      if (call == NULL)
        return NULL;
      g_list_store_append (message->tool_calls, call);
    }

  return g_steal_pointer (&message);
}
