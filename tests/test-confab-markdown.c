/* test-confab-markdown.c: Confab's Markdown, parsed and shown
 *
 * Built twice: as is, the parser's tests, which need no display; with TEST_MARKDOWN_VIEW
 * defined, the widget's tests, which run under Xvfb.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <gtk/gtk.h>

#include "confab-markdown.h"
#include "confab-markdown-view.h"

/* Checking markup ------------------------------------------------------------------------- */

typedef struct
{
  guint link_depth;
} MarkupCheck;

static void
check_start_element_cb (GMarkupParseContext  *context,
                        const char           *element_name,
                        const char          **attribute_names,
                        const char          **attribute_values,
                        gpointer              user_data,
                        GError              **error)
{
  MarkupCheck *check = user_data;

  if (g_str_equal (element_name, "a"))
    {
      const char *href = NULL;

      g_assert_cmpuint (check->link_depth, ==, 0);
      check->link_depth++;
      for (guint i = 0; attribute_names[i]; i++)
        {
          if (g_str_equal (attribute_names[i], "href"))
            href = attribute_values[i];
          else
            g_assert_cmpstr (attribute_names[i], ==, "title");
        }
      /* Only links that are safe to open. */
      g_assert_nonnull (href);
      g_assert_true (g_ascii_strncasecmp (href, "http://", 7) == 0 ||
                     g_ascii_strncasecmp (href, "https://", 8) == 0 ||
                     g_ascii_strncasecmp (href, "mailto:", 7) == 0);
      for (const char *p = href; *p; p++)
        g_assert_cmpint ((guchar) *p, >, ' ');
      return;
    }

  g_assert_null (attribute_names[0]);
  g_assert_true (g_str_equal (element_name, "markup") || g_str_equal (element_name, "b") ||
                 g_str_equal (element_name, "i") || g_str_equal (element_name, "s") ||
                 g_str_equal (element_name, "tt"));
}

static void
check_end_element_cb (GMarkupParseContext  *context,
                      const char           *element_name,
                      gpointer              user_data,
                      GError              **error)
{
  MarkupCheck *check = user_data;

  if (g_str_equal (element_name, "a"))
    check->link_depth--;
}

/* The markup is well formed with only the elements we emit, and what GtkLabel passes on to
 * Pango once it has taken out the links parses. */
static void
assert_valid_markup (const char *markup)
{
  static const GMarkupParser parser = { check_start_element_cb, check_end_element_cb, };
  MarkupCheck check = { 0, };
  g_autoptr(GMarkupParseContext) context = NULL;
  g_autoptr(GRegex) links = NULL;
  g_autofree char *without_links = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (markup);
  g_assert_true (g_utf8_validate (markup, -1, NULL));

  context = g_markup_parse_context_new (&parser, 0, &check, NULL);
  g_assert_true (g_markup_parse_context_parse (context, "<markup>", -1, &error));
  g_assert_no_error (error);
  g_markup_parse_context_parse (context, markup, -1, &error);
  g_assert_no_error (error);
  g_markup_parse_context_parse (context, "</markup>", -1, &error);
  g_assert_no_error (error);
  g_markup_parse_context_end_parse (context, &error);
  g_assert_no_error (error);

  links = g_regex_new ("<a href=\"[^\"]*\"( title=\"[^\"]*\")?>|</a>", 0, 0, NULL);
  without_links = g_regex_replace_literal (links, markup, -1, 0, "", 0, NULL);
  pango_parse_markup (without_links, -1, 0, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
}

#ifndef TEST_MARKDOWN_VIEW

/* The parser ------------------------------------------------------------------------------ */

static void
assert_blocks_valid (GPtrArray *blocks)
{
  for (guint i = 0; i < blocks->len; i++)
    {
      ConfabMdBlock *block = g_ptr_array_index (blocks, i);

      switch (block->type)
        {
        case CONFAB_MD_CODE:
          g_assert_nonnull (block->text);
          g_assert_true (g_utf8_validate (block->text, -1, NULL));
          g_assert_null (block->markup);
          break;

        case CONFAB_MD_RULE:
          g_assert_null (block->markup);
          g_assert_null (block->text);
          break;

        case CONFAB_MD_HEADING:
          g_assert_cmpuint (block->level, >=, 1);
          g_assert_cmpuint (block->level, <=, 6);
          assert_valid_markup (block->markup);
          break;

        case CONFAB_MD_PARAGRAPH:
        case CONFAB_MD_LIST_ITEM:
        case CONFAB_MD_QUOTE:
        case CONFAB_MD_TABLE:
          g_assert_null (block->text);
          assert_valid_markup (block->markup);
          break;

        default:
          g_assert_not_reached ();
        }

      if (block->type != CONFAB_MD_LIST_ITEM)
        g_assert_null (block->marker);
      if (block->type != CONFAB_MD_CODE)
        g_assert_null (block->language);
    }
}

static GPtrArray *
parse (const char *text)
{
  GPtrArray *blocks = confab_markdown_parse (text);

  g_assert_nonnull (blocks);
  assert_blocks_valid (blocks);
  return blocks;
}

static char *
to_markup (const char *text)
{
  char *markup = confab_markdown_inline_to_markup (text);

  assert_valid_markup (markup);
  return markup;
}


static ConfabMdBlock *
block_at (GPtrArray *blocks,
          guint      index)
{
  g_assert_cmpuint (index, <, blocks->len);
  return g_ptr_array_index (blocks, index);
}

static void
assert_block (GPtrArray         *blocks,
              guint              index,
              ConfabMdBlockType  type,
              guint              level,
              const char        *marker,
              const char        *markup)
{
  ConfabMdBlock *block = block_at (blocks, index);

  g_assert_cmpint (block->type, ==, type);
  g_assert_cmpuint (block->level, ==, level);
  g_assert_cmpstr (block->marker, ==, marker);
  g_assert_cmpstr (block->markup, ==, markup);
}

static void
assert_code (GPtrArray  *blocks,
             guint       index,
             guint       level,
             const char *language,
             const char *text)
{
  ConfabMdBlock *block = block_at (blocks, index);

  g_assert_cmpint (block->type, ==, CONFAB_MD_CODE);
  g_assert_cmpuint (block->level, ==, level);
  g_assert_cmpstr (block->language, ==, language);
  g_assert_cmpstr (block->text, ==, text);
}

static void
assert_inline (const char *text,
               const char *expected)
{
  g_autofree char *markup = to_markup (text);

  g_assert_cmpstr (markup, ==, expected);
}

static void
test_empty (void)
{
  g_autoptr(GPtrArray) blocks = parse ("");
  g_autoptr(GPtrArray) blanks = parse ("\n \n\t\n");
  g_autoptr(GPtrArray) null = confab_markdown_parse (NULL);
  g_autofree char *markup = confab_markdown_inline_to_markup (NULL);

  g_assert_cmpuint (blocks->len, ==, 0);
  g_assert_cmpuint (blanks->len, ==, 0);
  g_assert_cmpuint (null->len, ==, 0);
  g_assert_cmpstr (markup, ==, "");
}

static void
test_paragraphs (void)
{
  g_autoptr(GPtrArray) blocks = parse ("Hello\n  world & <friends>\n\n\nSecond *one*\r\nstill\r\n");

  g_assert_cmpuint (blocks->len, ==, 2);
  assert_block (blocks, 0, CONFAB_MD_PARAGRAPH, 0, NULL, "Hello world &amp; &lt;friends&gt;");
  assert_block (blocks, 1, CONFAB_MD_PARAGRAPH, 0, NULL, "Second <i>one</i> still");
}

static void
test_hard_breaks (void)
{
  g_autoptr(GPtrArray) blocks = parse ("two spaces  \nbackslash\\\nescaped \\\\\nend  ");

  g_assert_cmpuint (blocks->len, ==, 1);
  assert_block (blocks, 0, CONFAB_MD_PARAGRAPH, 0, NULL,
                "two spaces\nbackslash\nescaped \\ end");
}

static void
test_headings (void)
{
  g_autoptr(GPtrArray) blocks = parse ("# One\n"
                                       "## Two **bold** ##\n"
                                       "### C# #\n"
                                       "#### Four\n"
                                       "##### Five\n"
                                       "###### Six\n"
                                       "####### Seven\n"
                                       "#hashtag\n"
                                       "#\n"
                                       "text\n"
                                       "# interrupts");

  g_assert_cmpuint (blocks->len, ==, 10);
  assert_block (blocks, 0, CONFAB_MD_HEADING, 1, NULL, "One");
  assert_block (blocks, 1, CONFAB_MD_HEADING, 2, NULL, "Two <b>bold</b>");
  assert_block (blocks, 2, CONFAB_MD_HEADING, 3, NULL, "C#");
  assert_block (blocks, 3, CONFAB_MD_HEADING, 4, NULL, "Four");
  assert_block (blocks, 4, CONFAB_MD_HEADING, 5, NULL, "Five");
  assert_block (blocks, 5, CONFAB_MD_HEADING, 6, NULL, "Six");
  assert_block (blocks, 6, CONFAB_MD_PARAGRAPH, 0, NULL, "####### Seven #hashtag");
  assert_block (blocks, 7, CONFAB_MD_HEADING, 1, NULL, "");
  assert_block (blocks, 8, CONFAB_MD_PARAGRAPH, 0, NULL, "text");
  assert_block (blocks, 9, CONFAB_MD_HEADING, 1, NULL, "interrupts");
}

static void
test_bullet_lists (void)
{
  g_autoptr(GPtrArray) blocks = parse ("Intro:\n- dash\n* star **b**\n+ plus\nlazy\n-not a list\n\n- ");

  g_assert_cmpuint (blocks->len, ==, 5);
  assert_block (blocks, 0, CONFAB_MD_PARAGRAPH, 0, NULL, "Intro:");
  assert_block (blocks, 1, CONFAB_MD_LIST_ITEM, 0, "•", "dash");
  assert_block (blocks, 2, CONFAB_MD_LIST_ITEM, 0, "•", "star <b>b</b>");
  assert_block (blocks, 3, CONFAB_MD_LIST_ITEM, 0, "•", "plus lazy -not a list");
  assert_block (blocks, 4, CONFAB_MD_LIST_ITEM, 0, "•", "");
}

static void
test_ordered_lists (void)
{
  g_autoptr(GPtrArray) blocks = parse ("1. one\n2. two\n\n3. three after a blank\n"
                                       "\n"
                                       "Text\n"
                                       "\n"
                                       "1) paren\n1) counted\n"
                                       "\n"
                                       "para\n"
                                       "\n"
                                       "7. starts at seven\n8. eight\n"
                                       "\n"
                                       "In\n2024. was a year");

  g_assert_cmpuint (blocks->len, ==, 10);
  assert_block (blocks, 0, CONFAB_MD_LIST_ITEM, 0, "1.", "one");
  assert_block (blocks, 1, CONFAB_MD_LIST_ITEM, 0, "2.", "two");
  assert_block (blocks, 2, CONFAB_MD_LIST_ITEM, 0, "3.", "three after a blank");
  assert_block (blocks, 3, CONFAB_MD_PARAGRAPH, 0, NULL, "Text");
  assert_block (blocks, 4, CONFAB_MD_LIST_ITEM, 0, "1)", "paren");
  assert_block (blocks, 5, CONFAB_MD_LIST_ITEM, 0, "2)", "counted");
  assert_block (blocks, 6, CONFAB_MD_PARAGRAPH, 0, NULL, "para");
  assert_block (blocks, 7, CONFAB_MD_LIST_ITEM, 0, "7.", "starts at seven");
  assert_block (blocks, 8, CONFAB_MD_LIST_ITEM, 0, "8.", "eight");
  /* A number that starts a line inside a paragraph is not a list. */
  assert_block (blocks, 9, CONFAB_MD_PARAGRAPH, 0, NULL, "In 2024. was a year");
}

static void
test_renumbering (void)
{
  g_autoptr(GPtrArray) blocks = parse ("1. a\n1. b\n1. c\n");

  g_assert_cmpuint (blocks->len, ==, 3);
  assert_block (blocks, 0, CONFAB_MD_LIST_ITEM, 0, "1.", "a");
  assert_block (blocks, 1, CONFAB_MD_LIST_ITEM, 0, "2.", "b");
  assert_block (blocks, 2, CONFAB_MD_LIST_ITEM, 0, "3.", "c");
}

static void
test_nested_lists (void)
{
  g_autoptr(GPtrArray) blocks = parse ("- a\n"
                                       "  - b\n"
                                       "    - c\n"
                                       "  - d\n"
                                       "- e\n"
                                       "1. step\n"
                                       "   - detail\n"
                                       "   - more\n"
                                       "2. next\n"
                                       "  * two spaces under a number still nest\n"
                                       "\t- a tab too\n"
                                       "- four\n"
                                       "    - spaces\n"
                                       " - one space is a sibling\n");

  g_assert_cmpuint (blocks->len, ==, 14);
  assert_block (blocks, 0, CONFAB_MD_LIST_ITEM, 0, "•", "a");
  assert_block (blocks, 1, CONFAB_MD_LIST_ITEM, 1, "•", "b");
  assert_block (blocks, 2, CONFAB_MD_LIST_ITEM, 2, "•", "c");
  assert_block (blocks, 3, CONFAB_MD_LIST_ITEM, 1, "•", "d");
  assert_block (blocks, 4, CONFAB_MD_LIST_ITEM, 0, "•", "e");
  assert_block (blocks, 5, CONFAB_MD_LIST_ITEM, 0, "1.", "step");
  assert_block (blocks, 6, CONFAB_MD_LIST_ITEM, 1, "•", "detail");
  assert_block (blocks, 7, CONFAB_MD_LIST_ITEM, 1, "•", "more");
  assert_block (blocks, 8, CONFAB_MD_LIST_ITEM, 0, "2.", "next");
  assert_block (blocks, 9, CONFAB_MD_LIST_ITEM, 1, "•", "two spaces under a number still nest");
  assert_block (blocks, 10, CONFAB_MD_LIST_ITEM, 2, "•", "a tab too");
  assert_block (blocks, 11, CONFAB_MD_LIST_ITEM, 0, "•", "four");
  assert_block (blocks, 12, CONFAB_MD_LIST_ITEM, 1, "•", "spaces");
  assert_block (blocks, 13, CONFAB_MD_LIST_ITEM, 0, "•", "one space is a sibling");
}

static void
test_deep_nesting (void)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GPtrArray) blocks = NULL;

  for (guint i = 0; i < 40; i++)
    {
      for (guint j = 0; j < i; j++)
        g_string_append (text, "  ");
      g_string_append (text, "- deeper\n");
    }
  blocks = parse (text->str);

  g_assert_cmpuint (blocks->len, ==, 40);
  for (guint i = 0; i < 40; i++)
    g_assert_cmpuint (block_at (blocks, i)->level, ==, MIN (i, 15));
}

static void
test_list_continuation (void)
{
  g_autoptr(GPtrArray) blocks = parse ("- item\n"
                                       "  continues\n"
                                       "\n"
                                       "  second paragraph\n"
                                       "  - child\n"
                                       "\n"
                                       "    child's paragraph\n"
                                       "- next\n"
                                       "\n"
                                       "Not indented: the list is over.\n"
                                       "\n"
                                       "  - new list\n");

  g_assert_cmpuint (blocks->len, ==, 7);
  assert_block (blocks, 0, CONFAB_MD_LIST_ITEM, 0, "•", "item continues");
  assert_block (blocks, 1, CONFAB_MD_LIST_ITEM, 0, NULL, "second paragraph");
  assert_block (blocks, 2, CONFAB_MD_LIST_ITEM, 1, "•", "child");
  assert_block (blocks, 3, CONFAB_MD_LIST_ITEM, 1, NULL, "child&apos;s paragraph");
  assert_block (blocks, 4, CONFAB_MD_LIST_ITEM, 0, "•", "next");
  assert_block (blocks, 5, CONFAB_MD_PARAGRAPH, 0, NULL, "Not indented: the list is over.");
  assert_block (blocks, 6, CONFAB_MD_LIST_ITEM, 0, "•", "new list");
}

static void
test_task_lists (void)
{
  g_autoptr(GPtrArray) blocks = parse ("- [ ] todo\n- [x] done\n- [X] Done\n- [y] not a task\n");

  g_assert_cmpuint (blocks->len, ==, 4);
  assert_block (blocks, 0, CONFAB_MD_LIST_ITEM, 0, "☐", "todo");
  assert_block (blocks, 1, CONFAB_MD_LIST_ITEM, 0, "☑", "done");
  assert_block (blocks, 2, CONFAB_MD_LIST_ITEM, 0, "☑", "Done");
  assert_block (blocks, 3, CONFAB_MD_LIST_ITEM, 0, "•", "[y] not a task");
}

static void
test_code_fences (void)
{
  g_autoptr(GPtrArray) blocks = parse ("Look:\n"
                                       "```python title=x\n"
                                       "def f(a, b):\n"
                                       "\n"
                                       "    return a < b & **kw  \n"
                                       "```\n"
                                       "after\n"
                                       "~~~\n"
                                       "```\n"
                                       "~~~~\n"
                                       "````md\n"
                                       "```\n"
                                       "inner\n"
                                       "```\n"
                                       "````\n"
                                       "```x```\n");

  g_assert_cmpuint (blocks->len, ==, 6);
  assert_block (blocks, 0, CONFAB_MD_PARAGRAPH, 0, NULL, "Look:");
  assert_code (blocks, 1, 0, "python", "def f(a, b):\n\n    return a < b & **kw  ");
  assert_block (blocks, 2, CONFAB_MD_PARAGRAPH, 0, NULL, "after");
  assert_code (blocks, 3, 0, NULL, "```");
  assert_code (blocks, 4, 0, "md", "```\ninner\n```");
  /* A fence with its closing backticks on the same line is a code span, and a fence may be
   * empty. */
  assert_block (blocks, 5, CONFAB_MD_PARAGRAPH, 0, NULL, "<tt>x</tt>");
  g_clear_pointer (&blocks, g_ptr_array_unref);

  blocks = parse ("```\n```");
  g_assert_cmpuint (blocks->len, ==, 1);
  assert_code (blocks, 0, 0, NULL, "");
}

static void
test_code_in_list (void)
{
  g_autoptr(GPtrArray) blocks = parse ("1. Install:\n"
                                       "   ```sh\n"
                                       "   sudo apt install foo\n"
                                       "     indented\n"
                                       "   ```\n"
                                       "2. Run it\n"
                                       "   - with\n"
                                       "     ```\n"
                                       "     deeper\n"
                                       "     ```\n"
                                       "```\n"
                                       "top\n"
                                       "```\n");

  g_assert_cmpuint (blocks->len, ==, 6);
  assert_block (blocks, 0, CONFAB_MD_LIST_ITEM, 0, "1.", "Install:");
  assert_code (blocks, 1, 1, "sh", "sudo apt install foo\n  indented");
  /* The code block does not end the list. */
  assert_block (blocks, 2, CONFAB_MD_LIST_ITEM, 0, "2.", "Run it");
  assert_block (blocks, 3, CONFAB_MD_LIST_ITEM, 1, "•", "with");
  assert_code (blocks, 4, 2, NULL, "deeper");
  assert_code (blocks, 5, 0, NULL, "top");
}

static void
test_unclosed_fence (void)
{
  g_autoptr(GPtrArray) blocks = parse ("Text\n```js\nlet a = 1;\n\nlet b");

  g_assert_cmpuint (blocks->len, ==, 2);
  assert_code (blocks, 1, 0, "js", "let a = 1;\n\nlet b");
  g_clear_pointer (&blocks, g_ptr_array_unref);

  /* A closing fence that is still arriving is not shown as code... */
  blocks = parse ("```js\nx\n``");
  assert_code (blocks, 0, 0, "js", "x");
  g_clear_pointer (&blocks, g_ptr_array_unref);

  /* ...but a finished line of backticks inside the code is. */
  blocks = parse ("````js\nx\n```\n");
  assert_code (blocks, 0, 0, "js", "x\n```");
  g_clear_pointer (&blocks, g_ptr_array_unref);

  blocks = parse ("```");
  g_assert_cmpuint (blocks->len, ==, 1);
  assert_code (blocks, 0, 0, NULL, "");
  g_clear_pointer (&blocks, g_ptr_array_unref);

  blocks = parse ("``");
  assert_block (blocks, 0, CONFAB_MD_PARAGRAPH, 0, NULL, "``");
}

static void
test_quotes (void)
{
  g_autoptr(GPtrArray) blocks = parse ("> quoted **text**\n"
                                       "lazy line\n"
                                       ">\n"
                                       ">second & last\n"
                                       "\n"
                                       "after\n"
                                       "> - one\n"
                                       "> - two\n"
                                       ">\n"
                                       "> > deeper\n"
                                       "\n"
                                       "> ```\n"
                                       "> code <x>\n"
                                       "> ```\n"
                                       "> # Title\n");

  g_assert_cmpuint (blocks->len, ==, 4);
  assert_block (blocks, 0, CONFAB_MD_QUOTE, 0, NULL,
                "quoted <b>text</b> lazy line\n\nsecond &amp; last");
  assert_block (blocks, 1, CONFAB_MD_PARAGRAPH, 0, NULL, "after");
  assert_block (blocks, 2, CONFAB_MD_QUOTE, 0, NULL, "• one\n• two\n\ndeeper");
  assert_block (blocks, 3, CONFAB_MD_QUOTE, 0, NULL, "<tt>code &lt;x&gt;</tt>\n\n<b>Title</b>");
}

static void
test_rules (void)
{
  g_autoptr(GPtrArray) blocks = parse ("a\n---\n***\n___\n- - -\n * * *\n--\n");

  g_assert_cmpuint (blocks->len, ==, 7);
  assert_block (blocks, 0, CONFAB_MD_PARAGRAPH, 0, NULL, "a");
  for (guint i = 1; i < 6; i++)
    g_assert_cmpint (block_at (blocks, i)->type, ==, CONFAB_MD_RULE);
  assert_block (blocks, 6, CONFAB_MD_PARAGRAPH, 0, NULL, "--");
}

static void
test_tables (void)
{
  g_autoptr(GPtrArray) blocks = parse ("Compare:\n"
                                       "| Name | Size |  Note |\n"
                                       "|------|-----:|:-----:|\n"
                                       "| **a** | 1 | x \\| y |\n"
                                       "| long name | 100 |\n"
                                       "\n"
                                       "a | b\n"
                                       "--|--\n"
                                       "c | d\n"
                                       "\n"
                                       "| not | a table |\n"
                                       "| --- |\n");

  g_assert_cmpuint (blocks->len, ==, 4);
  assert_block (blocks, 0, CONFAB_MD_PARAGRAPH, 0, NULL, "Compare:");
  assert_block (blocks, 1, CONFAB_MD_TABLE, 0, NULL,
                "<tt><b>Name</b>      │ <b>Size</b> │ <b>Note</b>\n"
                "──────────┼──────┼──────\n"
                "<b>a</b>         │    1 │ x | y\n"
                "long name │  100 │   </tt>");
  assert_block (blocks, 2, CONFAB_MD_TABLE, 0, NULL, "<tt><b>a</b> │ <b>b</b>\n──┼──\nc │ d</tt>");
  assert_block (blocks, 3, CONFAB_MD_PARAGRAPH, 0, NULL, "| not | a table | | --- |");
}

static void
test_emphasis (void)
{
  assert_inline ("**bold** and *em* and __strong__ and _em_",
                 "<b>bold</b> and <i>em</i> and <b>strong</b> and <i>em</i>");
  assert_inline ("***both*** and **bold *nested* bold**",
                 "<i><b>both</b></i> and <b>bold <i>nested</i> bold</b>");
  assert_inline ("*a **b** c*", "<i>a <b>b</b> c</i>");
  assert_inline ("**multi\nline**", "<b>multi\nline</b>");
  assert_inline ("2 * 3 * 4 and a * b", "2 * 3 * 4 and a * b");
  assert_inline ("*foo**bar**baz*", "<i>foo<b>bar</b>baz</i>");
  assert_inline ("**\"quoted\"**", "<b>&quot;quoted&quot;</b>");
  assert_inline ("***", "***");
}

static void
test_underscores (void)
{
  assert_inline ("snake_case_name and file_name.py", "snake_case_name and file_name.py");
  assert_inline ("_em_, __strong__ and _under_score_", "<i>em</i>, <b>strong</b> and <i>under_score</i>");
  assert_inline ("__init__ vs x__y__z", "<b>init</b> vs x__y__z");
}

static void
test_code_spans (void)
{
  assert_inline ("use `a < b && c` here", "use <tt>a &lt; b &amp;&amp; c</tt> here");
  assert_inline ("``x ` y`` and ` padded ` and `**not bold**` and `\\`",
                 "<tt>x ` y</tt> and <tt>padded</tt> and <tt>**not bold**</tt> and <tt>\\</tt>");
  assert_inline ("`multi\nline`", "<tt>multi line</tt>");
  assert_inline ("`unclosed and ``mismatched", "`unclosed and ``mismatched");
  assert_inline ("\\`not code`", "`not code`");
}

static void
test_strikethrough (void)
{
  assert_inline ("~~gone~~ but ~5 min and ~~~three~~~", "<s>gone</s> but ~5 min and ~~~three~~~");
  assert_inline ("**~~both~~**", "<b><s>both</s></b>");
}

static void
test_links (void)
{
  assert_inline ("[site](https://example.com) and [titled](http://a.b/c \"The title\")",
                 "<a href=\"https://example.com\">site</a> and "
                 "<a href=\"http://a.b/c\" title=\"The title\">titled</a>");
  assert_inline ("[**bold** link](https://x.org/a_(b)) then *em*",
                 "<a href=\"https://x.org/a_(b)\"><b>bold</b> link</a> then <i>em</i>");
  assert_inline ("[mail](mailto:someone@example.com)",
                 "<a href=\"mailto:someone@example.com\">mail</a>");
  assert_inline ("[spaced](<https://a.b/c>)", "<a href=\"https://a.b/c\">spaced</a>");
  assert_inline ("[q](https://x.com/?a=1&b=\"2\")",
                 "<a href=\"https://x.com/?a=1&amp;b=&quot;2&quot;\">q</a>");
  /* Other schemes and relative links show their text, unlinked. */
  assert_inline ("[relative](/path) [ftp](ftp://x) [anchor](#a)", "relative ftp anchor");
  /* Not links. */
  assert_inline ("[just brackets] and [unfinished](https://x",
                 "[just brackets] and [unfinished](<a href=\"https://x\">https://x</a>");
  assert_inline ("[a] (https://x.com)", "[a] (<a href=\"https://x.com\">https://x.com</a>)");
  /* Emphasis does not cross into or out of a link. */
  assert_inline ("*a [b* c](https://x.com)", "*a <a href=\"https://x.com\">b* c</a>");
  assert_inline ("[a *b](https://x.com) c*", "<a href=\"https://x.com\">a *b</a> c*");
  assert_inline ("**[a](https://x.com)**", "<b><a href=\"https://x.com\">a</a></b>");
  /* Links do not nest. */
  assert_inline ("[a [b](https://in.com) c](https://out.com)",
                 "[a <a href=\"https://in.com\">b</a> c](<a href=\"https://out.com\">https://out.com</a>)");
  assert_inline ("[https://a.com](https://a.com)", "<a href=\"https://a.com\">https://a.com</a>");
}

static void
test_autolinks (void)
{
  assert_inline ("<https://a.b/c?d=1&e=2> <someone@example.com> <b> <1 < 2>",
                 "<a href=\"https://a.b/c?d=1&amp;e=2\">https://a.b/c?d=1&amp;e=2</a> "
                 "<a href=\"mailto:someone@example.com\">someone@example.com</a> "
                 "&lt;b&gt; &lt;1 &lt; 2&gt;");
  assert_inline ("See https://example.com/x. Or (https://en.wikipedia.org/wiki/A_(b)), "
                 "**https://bold.org**",
                 "See <a href=\"https://example.com/x\">https://example.com/x</a>. "
                 "Or (<a href=\"https://en.wikipedia.org/wiki/A_(b)\">https://en.wikipedia.org/wiki/A_(b)</a>), "
                 "<b><a href=\"https://bold.org\">https://bold.org</a></b>");
  assert_inline ("xhttps://no.link https:// http", "xhttps://no.link https:// http");
}

static void
test_escapes (void)
{
  assert_inline ("\\*not em\\* \\_x\\_ \\\\ \\# \\[a\\](b) \\a",
                 "*not em* _x_ \\ # [a](b) \\a");
  assert_inline ("trailing \\", "trailing \\");
}

static void
test_unclosed (void)
{
  /* What an answer looks like half-way through a word. */
  assert_inline ("**bol", "**bol");
  assert_inline ("*it", "*it");
  assert_inline ("~~str", "~~str");
  assert_inline ("`co", "`co");
  assert_inline ("[te", "[te");
  assert_inline ("[text](", "[text](");
  assert_inline ("[text](https://ex", "[text](<a href=\"https://ex\">https://ex</a>");
  assert_inline ("**a** **b", "<b>a</b> **b");
}

static const char realistic[] =
  "# Setting up *Confab*\n"
  "\n"
  "Here's how to **build** it — it takes about ~5 minutes. See the "
  "[docs](https://example.com/docs?a=1&b=2 \"Docs\") or <https://gnome.org>.\n"
  "Line with a break  \n"
  "and `inline <code>` too.\n"
  "\n"
  "## Steps\n"
  "\n"
  "1. Install the dependencies:\n"
  "   ```bash\n"
  "   sudo apt install libgtk-4-dev \\\n"
  "     libadwaita-1-dev\n"
  "   ```\n"
  "2. Configure:\n"
  "   - run `meson setup _build`\n"
  "   - then ~~make~~ `ninja -C _build`\n"
  "3. Done!\n"
  "\n"
  "> **Note:** snake_case_names stay *as they are*.\n"
  "> Ünïcödé ✓ and emoji 🎉 are fine.\n"
  "\n"
  "| Option | Default |\n"
  "|:-------|--------:|\n"
  "| `app`  | true    |\n"
  "| docs   | false   |\n"
  "\n"
  "---\n"
  "\n"
  "```python\n"
  "def greet(name: str) -> None:\n"
  "    print(f\"Hello, {name}!\")  # <- \"quotes\" & stuff\n"
  "```\n"
  "\n"
  "- [x] built\n"
  "- [ ] tested\n"
  "\n"
  "That's all, _folks_!\n";

static void
test_realistic (void)
{
  static const ConfabMdBlockType types[] = {
    CONFAB_MD_HEADING, CONFAB_MD_PARAGRAPH, CONFAB_MD_HEADING, CONFAB_MD_LIST_ITEM,
    CONFAB_MD_CODE, CONFAB_MD_LIST_ITEM, CONFAB_MD_LIST_ITEM, CONFAB_MD_LIST_ITEM,
    CONFAB_MD_LIST_ITEM, CONFAB_MD_QUOTE, CONFAB_MD_TABLE, CONFAB_MD_RULE, CONFAB_MD_CODE,
    CONFAB_MD_LIST_ITEM, CONFAB_MD_LIST_ITEM, CONFAB_MD_PARAGRAPH,
  };
  g_autoptr(GPtrArray) blocks = parse (realistic);

  g_assert_cmpuint (blocks->len, ==, G_N_ELEMENTS (types));
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    g_assert_cmpint (block_at (blocks, i)->type, ==, types[i]);

  assert_block (blocks, 0, CONFAB_MD_HEADING, 1, NULL, "Setting up <i>Confab</i>");
  assert_block (blocks, 1, CONFAB_MD_PARAGRAPH, 0, NULL,
                "Here&apos;s how to <b>build</b> it — it takes about ~5 minutes. See the "
                "<a href=\"https://example.com/docs?a=1&amp;b=2\" title=\"Docs\">docs</a> or "
                "<a href=\"https://gnome.org\">https://gnome.org</a>. "
                "Line with a break\nand <tt>inline &lt;code&gt;</tt> too.");
  assert_code (blocks, 4, 1, "bash", "sudo apt install libgtk-4-dev \\\n  libadwaita-1-dev");
  assert_block (blocks, 5, CONFAB_MD_LIST_ITEM, 0, "2.", "Configure:");
  assert_block (blocks, 7, CONFAB_MD_LIST_ITEM, 1, "•", "then <s>make</s> <tt>ninja -C _build</tt>");
  assert_block (blocks, 8, CONFAB_MD_LIST_ITEM, 0, "3.", "Done!");
  assert_block (blocks, 9, CONFAB_MD_QUOTE, 0, NULL,
                "<b>Note:</b> snake_case_names stay <i>as they are</i>. "
                "Ünïcödé ✓ and emoji 🎉 are fine.");
  assert_code (blocks, 12, 0, "python",
               "def greet(name: str) -> None:\n"
               "    print(f\"Hello, {name}!\")  # <- \"quotes\" & stuff");
  assert_block (blocks, 15, CONFAB_MD_PARAGRAPH, 0, NULL, "That&apos;s all, <i>folks</i>!");
}

/* Every byte-prefix of an answer, as it may arrive while streaming (cut inside UTF-8 too),
 * gives valid markup, and the blocks already complete stay as they are. */
static void
test_streaming_prefixes (void)
{
  gsize len = strlen (realistic);
  g_autoptr(GPtrArray) full = parse (realistic);

  for (gsize n = 0; n <= len; n++)
    {
      g_autofree char *prefix = g_strndup (realistic, n);
      g_autoptr(GPtrArray) blocks = parse (prefix);

      g_assert_cmpuint (blocks->len, <=, full->len + 1);

      /* The first heading is final once its line has ended. */
      if (n > strlen ("# Setting up *Confab*\n"))
        assert_block (blocks, 0, CONFAB_MD_HEADING, 1, NULL, "Setting up <i>Confab</i>");
    }
}

static void
test_streaming_inline (void)
{
  static const char *const texts[] = {
    "**bold *and em* `code **x**` [link](https://e.com/a_(b)) ~~strike~~ <https://x.y>**",
    "_under_ __strong__ \\*esc\\* snake_case https://bare.example/x?y=1&z=\"2\".",
  };

  for (guint t = 0; t < G_N_ELEMENTS (texts); t++)
    for (gsize n = 0; n <= strlen (texts[t]); n++)
      {
        g_autofree char *prefix = g_strndup (texts[t], n);
        g_autofree char *markup = to_markup (prefix);
      }
}

static void
test_hostile_links (void)
{
  static const char *const texts[] = {
    "[click](javascript:alert(1))",
    "[click](JavaScript:alert(1))",
    "[click]( javascript:alert(1) )",
    "[click](data:text/html;base64,PHNjcmlwdD4=)",
    "[click](vbscript:msgbox)",
    "[click](file:///etc/passwd)",
    "<javascript:alert(1)>",
    "[click](<javascript:alert(1)>)",
    "[click](\\javascript:alert(1))",
    "[click](https://ok.example/\" onclick=\"alert(1))",
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autofree char *markup = to_markup (texts[i]);

      g_assert_null (strstr (markup, "<a href=\"javascript"));
      g_assert_null (strstr (markup, "<a href=\"JavaScript"));
      g_assert_null (strstr (markup, "<a href=\"data"));
      g_assert_null (strstr (markup, "<a href=\"file"));
      g_assert_null (strstr (markup, "\" onclick"));
    }

  assert_inline ("[click](javascript:alert(1))", "click");
  assert_inline ("<javascript:alert(1)>", "javascript:alert(1)");
}

static void
test_hostile_html (void)
{
  g_autoptr(GPtrArray) blocks = NULL;

  assert_inline ("<script>alert('x')</script>",
                 "&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt;");
  assert_inline ("<span foreground=\"red\">x</span> <b>no</b> &amp; &lt; &#x41; \"q\" 'a'",
                 "&lt;span foreground=&quot;red&quot;&gt;x&lt;/span&gt; &lt;b&gt;no&lt;/b&gt; "
                 "&amp;amp; &amp;lt; &amp;#x41; &quot;q&quot; &apos;a&apos;");

  blocks = parse ("# <i>\n- </b>\n> <tt\n\n| <a> | & |\n|---|---|\n```<x>\n</markup>\n```");
  g_assert_cmpuint (blocks->len, ==, 5);
  assert_block (blocks, 0, CONFAB_MD_HEADING, 1, NULL, "&lt;i&gt;");
  assert_code (blocks, 4, 0, "<x>", "</markup>");
}

static void
test_invalid_utf8 (void)
{
  static const char *const texts[] = {
    "\xff\xfe **bold \xc3** \xe2\x82",
    "`\x80`",
    "[\xc0\xaf](https://x.com/\xff)",
    "# \xed\xa0\x80 surrogate\n- \xf4\x90\x80\x80 too big",
    "```\xfe\n\xff\n```",
    "\xf0\x9f\x8e",
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(GPtrArray) blocks = parse (texts[i]);
      g_autofree char *markup = to_markup (texts[i]);

      g_assert_nonnull (strstr (markup, "\xef\xbf\xbd"));
    }
}

/* Control characters, and every other byte, alone and inside each construct. */
static void
test_every_byte (void)
{
  static const char *const templates[] = {
    "%s", "*%s*", "**a%sb**", "`%s`", "[%s](https://x.com/%s)", "<https://%s>", "# %s",
    "- %s", "> %s", "| %s | b |\n|---|---|\n| %s | d |", "```%s\n%s\n```", "1. %s\n   %s",
  };

  for (guint byte = 1; byte < 256; byte++)
    {
      char s[2] = { (char) byte, '\0' };

      for (guint t = 0; t < G_N_ELEMENTS (templates); t++)
        {
          g_autofree char *text = NULL;
          g_autoptr(GPtrArray) blocks = NULL;
          g_autofree char *markup = NULL;

          text = g_strdup_printf (templates[t], s, s);
          blocks = parse (text);
          markup = to_markup (text);
        }
    }
}

static char *
repeat (const char *unit,
        gsize       total)
{
  GString *out = g_string_sized_new (total + 16);

  while (out->len < total)
    g_string_append (out, unit);
  return g_string_free (out, FALSE);
}

/* A megabyte of one pathological pattern finishes (no timing asserted: the point is that
 * nothing is quadratic enough to hang the test). */
static void
test_huge (void)
{
  static const char *const units[] = {
    "*", "_", "`", "~", "[", "]", "<", ">", "#", "-", "|", "\\", "(", "&", "\n", " ",
    "*a", "**a*", "_a ", "a_", "`a``", "[a](", "](", "[](", "[a]", "<a", "> ", "- ",
    "1. ", "*a**", "**", "~~a", "https://", "[`", "`[", "\n- ", "\n  - ", "\n```\n",
    "| a ", "|---", "\n>", "a  \n", "\\\n", "é*", "🎉_",
  };
  const gsize size = 1 << 20;

  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    {
      g_autofree char *text = repeat (units[i], size);
      g_autoptr(GPtrArray) blocks = confab_markdown_parse (text);
      g_autofree char *markup = confab_markdown_inline_to_markup (text);

      g_test_message ("%s: %u blocks, %" G_GSIZE_FORMAT " bytes of markup", units[i],
                      blocks->len, strlen (markup));
      assert_valid_markup (markup);
      /* Checking megabytes of Pango markup block by block is the slow part; the smaller
       * blocks are checked in full. */
      if (blocks->len < 64)
        assert_blocks_valid (blocks);
    }

  /* Deep quotes stop nesting, rather than recursing a million times. */
  {
    g_autofree char *text = repeat (">", size);
    g_autoptr(GPtrArray) blocks = parse (text);

    g_assert_cmpuint (blocks->len, ==, 1);
    g_assert_cmpint (block_at (blocks, 0)->type, ==, CONFAB_MD_QUOTE);
  }

  /* Lines nested ever deeper. */
  {
    GString *text = g_string_new (NULL);
    g_autoptr(GPtrArray) blocks = NULL;

    for (guint i = 0; text->len < size / 8; i++)
      {
        for (guint j = 0; j < i % 200; j++)
          g_string_append_c (text, ' ');
        g_string_append (text, i % 3 ? "- item\n" : "1. item\n");
      }
    blocks = parse (text->str);
    g_assert_cmpuint (blocks->len, >, 0);
    g_string_free (text, TRUE);
  }
}

/* Random Markdown-flavoured soup, from a fixed seed so that a failure repeats. */
static void
test_random (void)
{
  static const char *const pieces[] = {
    "*", "**", "_", "__", "`", "```", "~~", "~", "[", "]", "(", ")", "<", ">", "#", "# ",
    "- ", "1. ", "> ", "|", "---", "\\", "\n", "\n\n", "  ", "\t", "https://a.b/c", "mailto:x@y",
    "word", "snake_case", "é", "🎉", "&", "\"", "'", "\xff", "\r", "  - ", "```py\n", ":-:",
    "](https://x.y)", "](<https://x.y> \"t\")", "[", "<https://a.b>", "](javascript:x)",
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240601);

  for (guint i = 0; i < 3000; i++)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      guint n = g_rand_int_range (rand, 1, 60);
      g_autoptr(GPtrArray) blocks = NULL;
      g_autofree char *markup = NULL;

      for (guint j = 0; j < n; j++)
        g_string_append (text, pieces[g_rand_int_range (rand, 0, G_N_ELEMENTS (pieces))]);

      blocks = parse (text->str);
      markup = to_markup (text->str);
    }
}

#else /* TEST_MARKDOWN_VIEW */

/* The widget -------------------------------------------------------------------------------- */

static GtkWidget *
find_child (GtkWidget *root,
            GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_child (child, type);

      if (found)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_label_with_class (GtkWidget  *root,
                       const char *css_class)
{
  if (GTK_IS_LABEL (root) && gtk_widget_has_css_class (root, css_class))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label_with_class (child, css_class);

      if (found)
        return found;
    }
  return NULL;
}

static guint
count_children (GtkWidget *widget)
{
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    n++;
  return n;
}

static ConfabMarkdownView *
view_new (void)
{
  return g_object_ref_sink (CONFAB_MARKDOWN_VIEW (confab_markdown_view_new ()));
}

static void
test_view_blocks (void)
{
  ConfabMarkdownView *view = view_new ();
  GtkWidget *widget, *label;
  GtkPolicyType policy;

  confab_markdown_view_set_markdown (view,
                                     "# Title\n\n"
                                     "Para with **bold** and [a link](https://example.com \"T\").\n\n"
                                     "- item\n"
                                     "  - nested\n\n"
                                     "```c\nint x = 1 < 2;\n```\n\n"
                                     "> quoted\n\n"
                                     "---\n\n"
                                     "| a | b |\n|---|---|\n| 1 | 2 |\n");
  g_assert_cmpuint (confab_markdown_view_get_n_blocks (view), ==, 8);
  g_assert_cmpuint (count_children (GTK_WIDGET (view)), ==, 8);

  widget = confab_markdown_view_get_block_widget (view, 0);
  g_assert_true (GTK_IS_LABEL (widget));
  g_assert_true (gtk_widget_has_css_class (widget, "title-2"));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (widget)), ==, "Title");

  widget = confab_markdown_view_get_block_widget (view, 1);
  g_assert_true (GTK_IS_LABEL (widget));
  g_assert_true (gtk_label_get_use_markup (GTK_LABEL (widget)));
  g_assert_true (gtk_label_get_selectable (GTK_LABEL (widget)));
  g_assert_true (gtk_label_get_wrap (GTK_LABEL (widget)));
  g_assert_cmpint (gtk_label_get_wrap_mode (GTK_LABEL (widget)), ==, PANGO_WRAP_WORD_CHAR);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (widget)), ==, "Para with bold and a link.");
  assert_valid_markup (gtk_label_get_label (GTK_LABEL (widget)));

  widget = confab_markdown_view_get_block_widget (view, 2);
  label = find_child (widget, GTK_TYPE_LABEL);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (label)), ==, "•");
  g_assert_cmpint (gtk_widget_get_margin_start (confab_markdown_view_get_block_widget (view, 3)),
                   >, gtk_widget_get_margin_start (widget));

  widget = confab_markdown_view_get_block_widget (view, 4);
  g_assert_true (gtk_widget_has_css_class (widget, "card"));
  g_assert_nonnull (find_child (widget, GTK_TYPE_SCROLLED_WINDOW));
  g_assert_nonnull (find_child (widget, GTK_TYPE_BUTTON));
  label = find_label_with_class (widget, "monospace");
  g_assert_nonnull (label);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (label)), ==, "int x = 1 < 2;");
  g_assert_false (gtk_label_get_use_markup (GTK_LABEL (label)));
  gtk_scrolled_window_get_policy (GTK_SCROLLED_WINDOW (find_child (widget, GTK_TYPE_SCROLLED_WINDOW)),
                                  NULL, &policy);
  g_assert_cmpint (policy, ==, GTK_POLICY_NEVER);

  widget = confab_markdown_view_get_block_widget (view, 5);
  g_assert_nonnull (find_child (widget, GTK_TYPE_SEPARATOR));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (find_child (widget, GTK_TYPE_LABEL))), ==, "quoted");

  g_assert_true (GTK_IS_SEPARATOR (confab_markdown_view_get_block_widget (view, 6)));
  g_assert_true (GTK_IS_SCROLLED_WINDOW (confab_markdown_view_get_block_widget (view, 7)));

  /* Fewer blocks: the extra widgets go. */
  confab_markdown_view_set_markdown (view, "# Title");
  g_assert_cmpuint (confab_markdown_view_get_n_blocks (view), ==, 1);
  g_assert_cmpuint (count_children (GTK_WIDGET (view)), ==, 1);

  /* A heading that turns out deeper, as "##" streams in, changes its style in place. */
  widget = confab_markdown_view_get_block_widget (view, 0);
  confab_markdown_view_set_markdown (view, "## Title");
  g_assert_true (confab_markdown_view_get_block_widget (view, 0) == widget);
  g_assert_true (gtk_widget_has_css_class (widget, "title-3"));
  g_assert_false (gtk_widget_has_css_class (widget, "title-2"));
  confab_markdown_view_set_markdown (view, NULL);
  g_assert_cmpuint (confab_markdown_view_get_n_blocks (view), ==, 0);
  g_assert_null (gtk_widget_get_first_child (GTK_WIDGET (view)));

  g_assert_finalize_object (view);
}

static void
count_cb (GObject    *object,
          GParamSpec *pspec,
          guint      *count)
{
  (*count)++;
}

static const char streamed[] =
  "First paragraph, *finished* early.\n"
  "\n"
  "```python\n"
  "for i in range(3):\n"
  "    print(i)\n"
  "```\n"
  "\n"
  "1. one\n"
  "2. two\n";

/* While an answer streams, finished blocks keep their widgets, and their labels are not
 * set again. The test holds references, so that a new widget cannot reuse an old one's
 * address and pass the pointer comparisons. */
static void
test_view_reuse (void)
{
  ConfabMarkdownView *view = view_new ();
  gsize first_len = strlen ("First paragraph, *finished* early.\n");
  gsize code_start = strstr (streamed, "```") - streamed;
  gsize code_end = strstr (streamed, "```\n\n1.") - streamed;
  g_autoptr(GtkWidget) first = NULL;
  g_autoptr(GtkWidget) code = NULL;
  guint first_updates = 0;

  for (gsize n = 1; n <= strlen (streamed); n++)
    {
      g_autofree char *prefix = g_strndup (streamed, n);
      guint n_blocks;

      confab_markdown_view_set_markdown (view, prefix);
      n_blocks = confab_markdown_view_get_n_blocks (view);
      g_assert_cmpuint (n_blocks, >, 0);
      g_assert_cmpuint (count_children (GTK_WIDGET (view)), ==, n_blocks);

      /* The first block is the same widget all along, even while it grows. */
      if (first == NULL)
        first = g_object_ref (confab_markdown_view_get_block_widget (view, 0));
      g_assert_true (confab_markdown_view_get_block_widget (view, 0) == first);

      /* Once it is complete, its label is not set again. */
      if (n == first_len)
        g_signal_connect (first, "notify::label", G_CALLBACK (count_cb), &first_updates);

      /* Once "```" has arrived, the code block keeps its widget as the code grows. */
      if (n == code_start + 3)
        code = g_object_ref (confab_markdown_view_get_block_widget (view, 1));
      if (n >= code_start + 3)
        g_assert_true (confab_markdown_view_get_block_widget (view, 1) == code);
      if (n > code_start + 3 && n <= code_end)
        {
          const char *body = strstr (prefix, "python\n");
          g_autofree char *expected = g_strdup (body ? body + strlen ("python\n") : "");

          /* The code so far, without the newline that ends the text. */
          if (g_str_has_suffix (expected, "\n"))
            expected[strlen (expected) - 1] = '\0';
          g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (find_label_with_class (code, "monospace"))),
                           ==, expected);
        }
    }

  g_assert_cmpuint (first_updates, ==, 0);
  g_assert_cmpuint (confab_markdown_view_get_n_blocks (view), ==, 4);
  g_assert_true (gtk_widget_has_css_class (code, "card"));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (find_label_with_class (code, "monospace"))), ==,
                   "for i in range(3):\n    print(i)");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (find_label_with_class (code, "caption"))), ==,
                   "python");

  /* A different ending replaces only the widgets from the first change on. */
  confab_markdown_view_set_markdown (view, "First paragraph, *finished* early.\n\n> changed");
  g_assert_cmpuint (confab_markdown_view_get_n_blocks (view), ==, 2);
  g_assert_true (confab_markdown_view_get_block_widget (view, 0) == first);
  g_assert_false (confab_markdown_view_get_block_widget (view, 1) == code);
  g_assert_null (gtk_widget_get_parent (code));
  g_assert_cmpuint (first_updates, ==, 0);

  g_assert_finalize_object (view);
}

static void
read_text_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  char **text = user_data;
  g_autoptr(GError) error = NULL;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (object), result, &error);
  g_assert_no_error (error);
}

static void
test_view_copy (void)
{
  ConfabMarkdownView *view = view_new ();
  const char *code = "echo \"<hello>\" && exit 0\n  # indented";
  g_autofree char *markdown = g_strdup_printf ("Run:\n\n```sh\n%s\n```\n", code);
  g_autofree char *text = NULL;
  GtkWidget *block, *button;
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  confab_markdown_view_set_markdown (view, markdown);
  block = confab_markdown_view_get_block_widget (view, 1);
  button = find_child (block, GTK_TYPE_BUTTON);
  g_assert_nonnull (button);
  g_assert_cmpstr (gtk_button_get_icon_name (GTK_BUTTON (button)), ==, "edit-copy-symbolic");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (button), ==, "Copy");

  g_signal_emit_by_name (button, "clicked");
  g_assert_cmpstr (gtk_button_get_icon_name (GTK_BUTTON (button)), ==, "object-select-symbolic");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (button), ==, "Copied");

  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (GTK_WIDGET (view)), NULL,
                                 read_text_cb, &text);
  while (text == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (text, ==, code);

  /* The feedback goes back after a moment. */
  while (g_strcmp0 (gtk_button_get_icon_name (GTK_BUTTON (button)), "edit-copy-symbolic") != 0 &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (gtk_button_get_icon_name (GTK_BUTTON (button)), ==, "edit-copy-symbolic");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (button), ==, "Copy");

  /* Going away while the feedback shows leaves no timeout behind. */
  g_signal_emit_by_name (button, "clicked");
  g_assert_finalize_object (view);
}

static void
test_view_property (void)
{
  ConfabMarkdownView *view = view_new ();
  g_autofree char *value = NULL;
  guint notified = 0;

  g_signal_connect (view, "notify::markdown", G_CALLBACK (count_cb), &notified);
  g_object_set (view, "markdown", "*hi*", NULL);
  g_assert_cmpuint (notified, ==, 1);
  g_object_set (view, "markdown", "*hi*", NULL);
  confab_markdown_view_set_markdown (view, "*hi*");
  g_assert_cmpuint (notified, ==, 1);
  g_object_get (view, "markdown", &value, NULL);
  g_assert_cmpstr (value, ==, "*hi*");
  g_assert_cmpstr (confab_markdown_view_get_markdown (view), ==, "*hi*");
  confab_markdown_view_set_markdown (view, NULL);
  g_assert_cmpuint (notified, ==, 2);
  g_assert_null (confab_markdown_view_get_markdown (view));

  g_assert_finalize_object (view);
}

/* Shown in a window and updated while it is: layout and drawing raise no warnings. */
static void
test_view_shown (void)
{
  GtkWidget *window = gtk_window_new ();
  ConfabMarkdownView *view = view_new ();
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  gsize len = strlen (streamed);

  gtk_window_set_default_size (GTK_WINDOW (window), 300, 400);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (GTK_WIDGET (view)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (view)));

  for (gsize n = 0; n <= len; n += 7)
    {
      g_autofree char *prefix = g_strndup (streamed, MIN (n, len));

      confab_markdown_view_set_markdown (view, prefix);
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
  confab_markdown_view_set_markdown (view, "| wide | table |\n|---|---|\n| x | y |\n\n---\n\n> q");
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (view)), >, 0);

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (view);
}

#endif /* TEST_MARKDOWN_VIEW */

int
main (int argc, char *argv[])
{
#ifndef TEST_MARKDOWN_VIEW
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/confab/markdown/empty", test_empty);
  g_test_add_func ("/confab/markdown/paragraphs", test_paragraphs);
  g_test_add_func ("/confab/markdown/hard-breaks", test_hard_breaks);
  g_test_add_func ("/confab/markdown/headings", test_headings);
  g_test_add_func ("/confab/markdown/bullet-lists", test_bullet_lists);
  g_test_add_func ("/confab/markdown/ordered-lists", test_ordered_lists);
  g_test_add_func ("/confab/markdown/renumbering", test_renumbering);
  g_test_add_func ("/confab/markdown/nested-lists", test_nested_lists);
  g_test_add_func ("/confab/markdown/deep-nesting", test_deep_nesting);
  g_test_add_func ("/confab/markdown/list-continuation", test_list_continuation);
  g_test_add_func ("/confab/markdown/task-lists", test_task_lists);
  g_test_add_func ("/confab/markdown/code-fences", test_code_fences);
  g_test_add_func ("/confab/markdown/code-in-list", test_code_in_list);
  g_test_add_func ("/confab/markdown/unclosed-fence", test_unclosed_fence);
  g_test_add_func ("/confab/markdown/quotes", test_quotes);
  g_test_add_func ("/confab/markdown/rules", test_rules);
  g_test_add_func ("/confab/markdown/tables", test_tables);
  g_test_add_func ("/confab/markdown/inline/emphasis", test_emphasis);
  g_test_add_func ("/confab/markdown/inline/underscores", test_underscores);
  g_test_add_func ("/confab/markdown/inline/code-spans", test_code_spans);
  g_test_add_func ("/confab/markdown/inline/strikethrough", test_strikethrough);
  g_test_add_func ("/confab/markdown/inline/links", test_links);
  g_test_add_func ("/confab/markdown/inline/autolinks", test_autolinks);
  g_test_add_func ("/confab/markdown/inline/escapes", test_escapes);
  g_test_add_func ("/confab/markdown/inline/unclosed", test_unclosed);
  g_test_add_func ("/confab/markdown/realistic", test_realistic);
  g_test_add_func ("/confab/markdown/streaming/prefixes", test_streaming_prefixes);
  g_test_add_func ("/confab/markdown/streaming/inline", test_streaming_inline);
  g_test_add_func ("/confab/markdown/hostile/links", test_hostile_links);
  g_test_add_func ("/confab/markdown/hostile/html", test_hostile_html);
  g_test_add_func ("/confab/markdown/hostile/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/confab/markdown/hostile/every-byte", test_every_byte);
  g_test_add_func ("/confab/markdown/hostile/huge", test_huge);
  g_test_add_func ("/confab/markdown/hostile/random", test_random);
#else
  /* Without a session bus (plain xvfb-run), GTK warns that it cannot reach the
   * accessibility bus, and the test makes warnings fatal. */
  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    g_setenv ("GTK_A11Y", "none", FALSE);
  gtk_test_init (&argc, &argv, NULL);

  g_test_add_func ("/confab/markdown-view/blocks", test_view_blocks);
  g_test_add_func ("/confab/markdown-view/reuse", test_view_reuse);
  g_test_add_func ("/confab/markdown-view/copy", test_view_copy);
  g_test_add_func ("/confab/markdown-view/property", test_view_property);
  g_test_add_func ("/confab/markdown-view/shown", test_view_shown);
#endif

  return g_test_run ();
}
