/* oai-message.h: one chat message
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(OAI_INSIDE) && !defined(OAI_COMPILATION)
# error "Only <openai-glib.h> can be included directly."
#endif

#include <gio/gio.h>

#include "oai-version-macros.h"
#include "oai-tool-call.h"

G_BEGIN_DECLS

/**
 * OaiRole:
 * @OAI_ROLE_SYSTEM: instructions from the program (`system`)
 * @OAI_ROLE_DEVELOPER: instructions from the developer, for newer models (`developer`)
 * @OAI_ROLE_USER: what the person wrote (`user`)
 * @OAI_ROLE_ASSISTANT: what the model answered (`assistant`)
 * @OAI_ROLE_TOOL: the result of a tool call (`tool`)
 *
 * Who a message is from. The nick of each value is its name in the API.
 */
typedef enum {
  OAI_ROLE_SYSTEM,
  OAI_ROLE_DEVELOPER,
  OAI_ROLE_USER,
  OAI_ROLE_ASSISTANT,
  OAI_ROLE_TOOL,
} OaiRole;

#define OAI_TYPE_MESSAGE (oai_message_get_type ())

OAI_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (OaiMessage, oai_message, OAI, MESSAGE, GObject)

OAI_AVAILABLE_IN_ALL
OaiMessage *oai_message_new              (OaiRole      role,
                                          const char  *content) G_GNUC_WARN_UNUSED_RESULT;
OAI_AVAILABLE_IN_ALL
OaiRole     oai_message_get_role         (OaiMessage  *self);
OAI_AVAILABLE_IN_ALL
void        oai_message_set_role         (OaiMessage  *self,
                                          OaiRole      role);
OAI_AVAILABLE_IN_ALL
const char *oai_message_get_content      (OaiMessage  *self);
OAI_AVAILABLE_IN_ALL
void        oai_message_set_content      (OaiMessage  *self,
                                          const char  *content);
OAI_AVAILABLE_IN_ALL
const char *oai_message_get_refusal      (OaiMessage  *self);
OAI_AVAILABLE_IN_ALL
void        oai_message_set_refusal      (OaiMessage  *self,
                                          const char  *refusal);
OAI_AVAILABLE_IN_ALL
const char *oai_message_get_name         (OaiMessage  *self);
OAI_AVAILABLE_IN_ALL
void        oai_message_set_name         (OaiMessage  *self,
                                          const char  *name);
OAI_AVAILABLE_IN_ALL
const char *oai_message_get_tool_call_id (OaiMessage  *self);
OAI_AVAILABLE_IN_ALL
void        oai_message_set_tool_call_id (OaiMessage  *self,
                                          const char  *tool_call_id);
OAI_AVAILABLE_IN_ALL
GListModel *oai_message_get_tool_calls   (OaiMessage  *self);
OAI_AVAILABLE_IN_ALL
void        oai_message_add_tool_call    (OaiMessage  *self,
                                          OaiToolCall *tool_call);

G_END_DECLS
