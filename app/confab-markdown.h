/* confab-markdown.h: the Markdown that chat models write, as Pango markup
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  CONFAB_MD_PARAGRAPH,
  CONFAB_MD_HEADING,
  CONFAB_MD_LIST_ITEM,
  CONFAB_MD_CODE,
  CONFAB_MD_QUOTE,
  CONFAB_MD_RULE,
  CONFAB_MD_TABLE,
} ConfabMdBlockType;

/**
 * ConfabMdBlock:
 * @type: what the block is
 * @level: heading level 1-6; list nesting depth from 0 for list items; for code blocks, how many
 *   list levels enclose the block (0 outside lists)
 * @marker: (nullable): a list item's marker as displayed ("•", "3." or a task box); %NULL for a
 *   later paragraph of the same item, and for other blocks
 * @markup: (nullable): Pango markup for paragraphs, headings, list items, quotes and tables
 *   (tables are monospace, columns aligned); %NULL for code and rules
 * @text: (nullable): a code block's raw code without a trailing newline; %NULL otherwise
 * @language: (nullable): a code block's info string (its first word), or %NULL
 *
 * One block of a parsed message. The markup may hold `<a href>` elements, which #GtkLabel
 * handles itself; everything else is plain Pango markup.
 */
typedef struct
{
  ConfabMdBlockType type;
  guint level;
  char *marker;
  char *markup;
  char *text;
  char *language;
} ConfabMdBlock;

void       confab_md_block_free             (ConfabMdBlock *block);

GPtrArray *confab_markdown_parse            (const char    *text) G_GNUC_WARN_UNUSED_RESULT;
char      *confab_markdown_inline_to_markup (const char    *text) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
