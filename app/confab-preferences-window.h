/* confab-preferences-window.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>
#include <openai-glib.h>

G_BEGIN_DECLS

#define CONFAB_TYPE_PREFERENCES_WINDOW (confab_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (ConfabPreferencesWindow, confab_preferences_window,
                      CONFAB, PREFERENCES_WINDOW, AdwPreferencesWindow)

ConfabPreferencesWindow *confab_preferences_window_new (GtkWindow *parent,
                                                        OaiClient *client,
                                                        GSettings *settings);

G_END_DECLS
