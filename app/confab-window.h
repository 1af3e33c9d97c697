/* confab-window.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>
#include <openai-glib.h>

G_BEGIN_DECLS

#define CONFAB_TYPE_WINDOW (confab_window_get_type ())

G_DECLARE_FINAL_TYPE (ConfabWindow, confab_window, CONFAB, WINDOW, AdwApplicationWindow)

ConfabWindow *confab_window_new            (AdwApplication *application,
                                            OaiClient      *client);
GListModel   *confab_window_get_messages   (ConfabWindow   *self);
const char   *confab_window_get_status     (ConfabWindow   *self);
gboolean      confab_window_get_busy       (ConfabWindow   *self);

G_END_DECLS
