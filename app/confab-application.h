/* confab-application.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>
#include <openai-glib.h>

G_BEGIN_DECLS

#define CONFAB_TYPE_APPLICATION (confab_application_get_type ())

G_DECLARE_FINAL_TYPE (ConfabApplication, confab_application, CONFAB, APPLICATION, AdwApplication)

ConfabApplication *confab_application_new  (void);
void               confab_configure_client (OaiClient      *client,
                                            OaiCostTracker *tracker,
                                            GSettings      *settings);

G_END_DECLS
