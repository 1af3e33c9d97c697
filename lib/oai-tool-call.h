/* oai-tool-call.h: a function call the model asked for
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(OAI_INSIDE) && !defined(OAI_COMPILATION)
# error "Only <openai-glib.h> can be included directly."
#endif

#include <glib-object.h>

#include "oai-version-macros.h"

G_BEGIN_DECLS

#define OAI_TYPE_TOOL_CALL (oai_tool_call_get_type ())

OAI_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (OaiToolCall, oai_tool_call, OAI, TOOL_CALL, GObject)

OAI_AVAILABLE_IN_ALL
OaiToolCall *oai_tool_call_new           (const char  *id,
                                          const char  *name,
                                          const char  *arguments) G_GNUC_WARN_UNUSED_RESULT;
OAI_AVAILABLE_IN_ALL
const char  *oai_tool_call_get_id        (OaiToolCall *self);
OAI_AVAILABLE_IN_ALL
void         oai_tool_call_set_id        (OaiToolCall *self,
                                          const char  *id);
OAI_AVAILABLE_IN_ALL
const char  *oai_tool_call_get_name      (OaiToolCall *self);
OAI_AVAILABLE_IN_ALL
void         oai_tool_call_set_name      (OaiToolCall *self,
                                          const char  *name);
OAI_AVAILABLE_IN_ALL
const char  *oai_tool_call_get_arguments (OaiToolCall *self);
OAI_AVAILABLE_IN_ALL
void         oai_tool_call_set_arguments (OaiToolCall *self,
                                          const char  *arguments);

G_END_DECLS
