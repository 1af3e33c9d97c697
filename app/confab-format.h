/* confab-format.h: how Confab writes costs and token counts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *confab_format_cost   (double cost);
char *confab_format_tokens (guint64 tokens);

G_END_DECLS
