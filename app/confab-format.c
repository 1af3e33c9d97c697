/* confab-format.c: how Confab writes costs and token counts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "confab-format.h"

/* Dollars with the digits a cost needs: a single answer often costs less than
 * a cent, and "$0.00" would say nothing. */
char *
confab_format_cost (double cost)
{
  if (!isfinite (cost) || cost < 0)
    /* Translators: the price of a model Confab has no price for. */
    return g_strdup (_("price unknown"));
  if (cost == 0)
    return g_strdup ("$0");
  if (cost < 0.0001)
    return g_strdup ("<$0.0001");
  if (cost < 1)
    return g_strdup_printf ("$%.4f", cost);
  return g_strdup_printf ("$%.2f", cost);
}

/* Thousands grouped the locale's way ("12,345" / "12.345"). */
char *
confab_format_tokens (guint64 tokens)
{
  return g_strdup_printf ("%'" G_GUINT64_FORMAT, tokens);
}
