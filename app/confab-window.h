/* confab-window.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>
#include <openai-glib.h>

#include "confab-conversation.h"
#include "confab-store.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_WINDOW (confab_window_get_type ())

G_DECLARE_FINAL_TYPE (ConfabWindow, confab_window, CONFAB, WINDOW, AdwApplicationWindow)

ConfabWindow       *confab_window_new                 (AdwApplication     *application,
                                                       OaiClient          *client,
                                                       ConfabStore        *store);
GListModel         *confab_window_get_messages        (ConfabWindow       *self);
ConfabConversation *confab_window_get_conversation    (ConfabWindow       *self);
void                confab_window_select_conversation (ConfabWindow       *self,
                                                       ConfabConversation *conversation);
void                confab_window_delete_conversation (ConfabWindow       *self,
                                                       ConfabConversation *conversation);
void                confab_window_show_banner         (ConfabWindow       *self,
                                                       const char         *text,
                                                       const char         *button_label,
                                                       const char         *action_name);
const char         *confab_window_get_banner          (ConfabWindow       *self);
const char         *confab_window_get_banner_action   (ConfabWindow       *self);
const char         *confab_window_get_status          (ConfabWindow       *self);
gboolean            confab_window_get_busy            (ConfabWindow       *self);

G_END_DECLS
