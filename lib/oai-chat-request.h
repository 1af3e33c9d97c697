/* oai-chat-request.h: what to send to /chat/completions
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(OAI_INSIDE) && !defined(OAI_COMPILATION)
# error "Only <openai-glib.h> can be included directly."
#endif

#include <gio/gio.h>

#include "oai-version-macros.h"
#include "oai-message.h"

G_BEGIN_DECLS

#define OAI_TYPE_CHAT_REQUEST (oai_chat_request_get_type ())

OAI_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (OaiChatRequest, oai_chat_request, OAI, CHAT_REQUEST, GObject)

OAI_AVAILABLE_IN_ALL
OaiChatRequest *oai_chat_request_new                 (const char      *model) G_GNUC_WARN_UNUSED_RESULT;
OAI_AVAILABLE_IN_ALL
OaiChatRequest *oai_chat_request_copy                (OaiChatRequest  *self) G_GNUC_WARN_UNUSED_RESULT;
OAI_AVAILABLE_IN_ALL
const char     *oai_chat_request_get_model           (OaiChatRequest  *self);
OAI_AVAILABLE_IN_ALL
void            oai_chat_request_set_model           (OaiChatRequest  *self,
                                                      const char      *model);
OAI_AVAILABLE_IN_ALL
int             oai_chat_request_get_max_tokens      (OaiChatRequest  *self);
OAI_AVAILABLE_IN_ALL
void            oai_chat_request_set_max_tokens      (OaiChatRequest  *self,
                                                      int              max_tokens);
OAI_AVAILABLE_IN_ALL
double          oai_chat_request_get_temperature     (OaiChatRequest  *self);
OAI_AVAILABLE_IN_ALL
void            oai_chat_request_set_temperature     (OaiChatRequest  *self,
                                                      double           temperature);
OAI_AVAILABLE_IN_ALL
int             oai_chat_request_get_priority        (OaiChatRequest  *self);
OAI_AVAILABLE_IN_ALL
void            oai_chat_request_set_priority        (OaiChatRequest  *self,
                                                      int              priority);
OAI_AVAILABLE_IN_ALL
gboolean        oai_chat_request_get_include_usage   (OaiChatRequest  *self);
OAI_AVAILABLE_IN_ALL
void            oai_chat_request_set_include_usage   (OaiChatRequest  *self,
                                                      gboolean         include_usage);
OAI_AVAILABLE_IN_ALL
OaiMessage     *oai_chat_request_add_message         (OaiChatRequest  *self,
                                                      OaiRole          role,
                                                      const char      *content);
OAI_AVAILABLE_IN_ALL
void            oai_chat_request_append_message      (OaiChatRequest  *self,
                                                      OaiMessage      *message);
OAI_AVAILABLE_IN_ALL
GListModel     *oai_chat_request_get_messages        (OaiChatRequest  *self);
OAI_AVAILABLE_IN_ALL
gboolean        oai_chat_request_add_tool            (OaiChatRequest  *self,
                                                      const char      *name,
                                                      const char      *description,
                                                      const char      *parameters_json,
                                                      GError         **error);
OAI_AVAILABLE_IN_ALL
gboolean        oai_chat_request_set_response_format (OaiChatRequest  *self,
                                                      const char      *name,
                                                      const char      *json_schema,
                                                      gboolean         strict,
                                                      GError         **error);
OAI_AVAILABLE_IN_ALL
gboolean        oai_chat_request_set_extra           (OaiChatRequest  *self,
                                                      const char      *key,
                                                      const char      *json_value,
                                                      GError         **error);
OAI_AVAILABLE_IN_ALL
char           *oai_chat_request_to_json             (OaiChatRequest  *self,
                                                      gboolean         stream,
                                                      GError         **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
