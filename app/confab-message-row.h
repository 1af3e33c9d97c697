/* confab-message-row.h: one message of the conversation view
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>
#include <openai-glib.h>

#include "confab-conversation.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_MESSAGE_ROW (confab_message_row_get_type ())

G_DECLARE_FINAL_TYPE (ConfabMessageRow, confab_message_row, CONFAB, MESSAGE_ROW, GtkWidget)

GtkWidget  *confab_message_row_new         (void);
void        confab_message_row_bind        (ConfabMessageRow   *self,
                                            OaiMessage         *message,
                                            ConfabConversation *conversation);
void        confab_message_row_unbind      (ConfabMessageRow   *self);
OaiMessage *confab_message_row_get_message (ConfabMessageRow   *self);
const char *confab_message_row_get_info    (ConfabMessageRow   *self);

G_END_DECLS
