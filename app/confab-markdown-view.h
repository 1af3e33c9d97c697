/* confab-markdown-view.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CONFAB_TYPE_MARKDOWN_VIEW (confab_markdown_view_get_type ())

G_DECLARE_FINAL_TYPE (ConfabMarkdownView, confab_markdown_view, CONFAB, MARKDOWN_VIEW, GtkWidget)

GtkWidget  *confab_markdown_view_new              (void);
const char *confab_markdown_view_get_markdown     (ConfabMarkdownView *self);
void        confab_markdown_view_set_markdown     (ConfabMarkdownView *self,
                                                   const char         *markdown);

/* For tests. */
guint       confab_markdown_view_get_n_blocks     (ConfabMarkdownView *self);
GtkWidget  *confab_markdown_view_get_block_widget (ConfabMarkdownView *self,
                                                   guint               index);

G_END_DECLS
