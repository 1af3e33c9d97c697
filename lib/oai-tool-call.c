/* oai-tool-call.c: a function call the model asked for
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "oai-tool-call.h"
#include "oai-util-private.h"

/**
 * OaiToolCall:
 *
 * A function call in an assistant message: the call's id (to answer it with a
 * tool message), the function name, and its arguments as a JSON text exactly as
 * the model wrote them (which may not be valid JSON: check before use).
 */
struct _OaiToolCall
{
  GObject parent_instance;

  char *id;
  char *name;
  char *arguments;
};

G_DEFINE_FINAL_TYPE (OaiToolCall, oai_tool_call, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_ARGUMENTS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
oai_tool_call_finalize (GObject *object)
{
  OaiToolCall *self = OAI_TOOL_CALL (object);

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->arguments, g_free);

  G_OBJECT_CLASS (oai_tool_call_parent_class)->finalize (object);
}

static void
oai_tool_call_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  OaiToolCall *self = OAI_TOOL_CALL (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_ARGUMENTS:
      g_value_set_string (value, self->arguments);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
oai_tool_call_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  OaiToolCall *self = OAI_TOOL_CALL (object);

  switch (prop_id)
    {
    case PROP_ID:
      oai_tool_call_set_id (self, g_value_get_string (value));
      break;
    case PROP_NAME:
      oai_tool_call_set_name (self, g_value_get_string (value));
      break;
    case PROP_ARGUMENTS:
      oai_tool_call_set_arguments (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
oai_tool_call_class_init (OaiToolCallClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = oai_tool_call_finalize;
  object_class->get_property = oai_tool_call_get_property;
  object_class->set_property = oai_tool_call_set_property;

  /**
   * OaiToolCall:id:
   *
   * The id of the call, which the tool message answering it repeats.
   */
  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, flags);

  /**
   * OaiToolCall:name:
   *
   * The name of the function to call.
   */
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);

  /**
   * OaiToolCall:arguments:
   *
   * The arguments, a JSON text as the model wrote it.
   */
  properties[PROP_ARGUMENTS] = g_param_spec_string ("arguments", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
oai_tool_call_init (OaiToolCall *self)
{
}

/**
 * oai_tool_call_new:
 * @id: (nullable): the call id
 * @name: (nullable): the function name
 * @arguments: (nullable): the arguments as JSON text
 *
 * Returns: (transfer full): a new tool call
 */
OaiToolCall *
oai_tool_call_new (const char *id,
                   const char *name,
                   const char *arguments)
{
  return g_object_new (OAI_TYPE_TOOL_CALL,
                       "id", id,
                       "name", name,
                       "arguments", arguments,
                       NULL);
}

/**
 * oai_tool_call_get_id:
 * @self: a tool call
 *
 * Returns: (nullable): the call id
 */
const char *
oai_tool_call_get_id (OaiToolCall *self)
{
  g_return_val_if_fail (OAI_IS_TOOL_CALL (self), NULL);
  return self->id;
}

/**
 * oai_tool_call_set_id:
 * @self: a tool call
 * @id: (nullable): the call id
 *
 * Sets the call id.
 */
void
oai_tool_call_set_id (OaiToolCall *self,
                      const char  *id)
{
  g_return_if_fail (OAI_IS_TOOL_CALL (self));
  if (oai_set_str (&self->id, id))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ID]);
}

/**
 * oai_tool_call_get_name:
 * @self: a tool call
 *
 * Returns: (nullable): the function name
 */
const char *
oai_tool_call_get_name (OaiToolCall *self)
{
  g_return_val_if_fail (OAI_IS_TOOL_CALL (self), NULL);
  return self->name;
}

/**
 * oai_tool_call_set_name:
 * @self: a tool call
 * @name: (nullable): the function name
 *
 * Sets the function name.
 */
void
oai_tool_call_set_name (OaiToolCall *self,
                        const char  *name)
{
  g_return_if_fail (OAI_IS_TOOL_CALL (self));
  if (oai_set_str (&self->name, name))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

/**
 * oai_tool_call_get_arguments:
 * @self: a tool call
 *
 * Returns: (nullable): the arguments as JSON text
 */
const char *
oai_tool_call_get_arguments (OaiToolCall *self)
{
  g_return_val_if_fail (OAI_IS_TOOL_CALL (self), NULL);
  return self->arguments;
}

/**
 * oai_tool_call_set_arguments:
 * @self: a tool call
 * @arguments: (nullable): the arguments as JSON text
 *
 * Sets the arguments.
 */
void
oai_tool_call_set_arguments (OaiToolCall *self,
                             const char  *arguments)
{
  g_return_if_fail (OAI_IS_TOOL_CALL (self));
  if (oai_set_str (&self->arguments, arguments))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ARGUMENTS]);
}
