/* confab-markdown.c: the Markdown that chat models write, as Pango markup
 *
 * Not a complete CommonMark implementation: the block structure is line based and lenient
 * (no indented code, no setext headings, no HTML), while the inline rules follow CommonMark's
 * delimiter algorithm so that emphasis pairs up the way readers expect. Whatever the input,
 * and in particular any prefix of a streamed answer, the output is valid markup, and the work
 * stays linear in the input size.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "confab-markdown.h"

#define MAX_LIST_DEPTH 16
#define MAX_QUOTE_DEPTH 8
#define MAX_BRACKETS 1024
#define MAX_LINK_PARENS 32

/* Inline spans ---------------------------------------------------------------------------- */

typedef enum
{
  NODE_TEXT,
  NODE_DELIM,
  NODE_CODE,
  NODE_BRACKET,
  NODE_LINK_OPEN,
  NODE_LINK_CLOSE,
  NODE_AUTOLINK,
} NodeType;

typedef struct
{
  NodeType type;
  gsize start;
  gsize len;
  char *url;                    /* NULL when the link is not one we open */
  char *title;
  guint delim;
} Node;

typedef struct
{
  char c;
  gsize count;                  /* delimiters left unmatched */
  gsize orig_count;
  gboolean can_open;
  gboolean can_close;
  gssize prev;
  gssize next;
  GString *open_tags;
  GString *close_tags;
} Delim;

typedef struct
{
  guint node;
  gssize delim_bottom;
} Bracket;

typedef struct
{
  const char *text;
  gsize len;
  GArray *nodes;                /* Node */
  GArray *delims;               /* Delim, in text order; the live ones form a list */
  gssize last_delim;
  GArray *brackets;             /* Bracket */
  guint active_brackets_from;   /* brackets below this index may no longer open a link */
  GHashTable *tick_runs;        /* run length -> GArray of run starts */
  gsize link_budget;
} Inline;

#define NODE(in, i) (g_array_index ((in)->nodes, Node, (i)))
#define DELIM(in, i) (g_array_index ((in)->delims, Delim, (i)))

static void
node_clear (gpointer data)
{
  Node *node = data;

  g_free (node->url);
  g_free (node->title);
}

static void
delim_clear (gpointer data)
{
  Delim *delim = data;

  if (delim->open_tags)
    g_string_free (delim->open_tags, TRUE);
  if (delim->close_tags)
    g_string_free (delim->close_tags, TRUE);
}

static void
add_node (Inline   *in,
          NodeType  type,
          gsize     start,
          gsize     len)
{
  Node node = { type, start, len, NULL, NULL, 0 };

  g_array_append_val (in->nodes, node);
}

static void
add_text (Inline *in,
          gsize   start,
          gsize   len)
{
  if (len == 0)
    return;

  if (in->nodes->len > 0)
    {
      Node *last = &NODE (in, in->nodes->len - 1);

      if (last->type == NODE_TEXT && last->start + last->len == start)
        {
          last->len += len;
          return;
        }
    }
  add_node (in, NODE_TEXT, start, len);
}

static gboolean
is_space (gunichar c)
{
  return g_unichar_isspace (c);
}

static gboolean
is_punct (gunichar c)
{
  return c < 128 ? g_ascii_ispunct (c) : g_unichar_ispunct (c);
}

/* The edges of the text count as whitespace for flanking. */
static gunichar
char_before (Inline *in,
             gsize   pos)
{
  if (pos == 0)
    return '\n';
  return g_utf8_get_char (g_utf8_prev_char (in->text + pos));
}

static gunichar
char_at (Inline *in,
         gsize   pos)
{
  if (pos >= in->len)
    return '\n';
  return g_utf8_get_char (in->text + pos);
}

static gsize
scan_delims (Inline *in,
             gsize   pos)
{
  char c = in->text[pos];
  gsize end = pos;
  gunichar before, after;
  gboolean left, right, can_open, can_close;
  Delim delim = { 0, };

  while (end < in->len && in->text[end] == c)
    end++;

  before = char_before (in, pos);
  after = char_at (in, end);
  left = !is_space (after) && (!is_punct (after) || is_space (before) || is_punct (before));
  right = !is_space (before) && (!is_punct (before) || is_space (after) || is_punct (after));

  /* Underscores inside words stay literal, so snake_case is not emphasis. */
  if (c == '_')
    {
      can_open = left && (!right || is_punct (before));
      can_close = right && (!left || is_punct (after));
    }
  else
    {
      can_open = left;
      can_close = right;
    }

  /* A single tilde is too often "approximately" to mean strikethrough. */
  if ((c == '~' && end - pos != 2) || !(can_open || can_close))
    {
      add_text (in, pos, end - pos);
      return end;
    }

  delim.c = c;
  delim.count = delim.orig_count = end - pos;
  delim.can_open = can_open;
  delim.can_close = can_close;
  delim.prev = in->last_delim;
  delim.next = -1;
  g_array_append_val (in->delims, delim);
  if (in->last_delim >= 0)
    DELIM (in, in->last_delim).next = in->delims->len - 1;
  in->last_delim = in->delims->len - 1;

  add_node (in, NODE_DELIM, pos, end - pos);
  NODE (in, in->nodes->len - 1).delim = in->delims->len - 1;
  return end;
}

static void
remove_delim (Inline *in,
              gssize  index)
{
  Delim *delim = &DELIM (in, index);

  if (delim->prev >= 0)
    DELIM (in, delim->prev).next = delim->next;
  if (delim->next >= 0)
    DELIM (in, delim->next).prev = delim->prev;
  else
    in->last_delim = delim->prev;
}

static gboolean
delims_match (const Delim *opener,
              const Delim *closer)
{
  if (opener->c != closer->c || !opener->can_open)
    return FALSE;
  if (closer->c == '~')
    return TRUE;
  /* CommonMark's rule of three, so that "*a**b*" pairs the single stars. */
  if ((opener->can_close || closer->can_open) &&
      (opener->orig_count + closer->orig_count) % 3 == 0 &&
      !(opener->orig_count % 3 == 0 && closer->orig_count % 3 == 0))
    return FALSE;
  return TRUE;
}

static guint
delim_kind (char c)
{
  return c == '*' ? 0 : c == '_' ? 1 : 2;
}

/* CommonMark's "process emphasis" over the delimiters above @bottom, which are all removed
 * from the list afterwards. The openers_bottom marks keep it linear. */
static void
process_emphasis (Inline *in,
                  gssize  bottom)
{
  gssize openers_bottom[3][3][2];
  gssize cur;

  for (guint i = 0; i < 3; i++)
    for (guint j = 0; j < 3; j++)
      openers_bottom[i][j][0] = openers_bottom[i][j][1] = bottom;

  cur = in->last_delim;
  if (cur <= bottom)
    return;
  while (DELIM (in, cur).prev > bottom)
    cur = DELIM (in, cur).prev;

  while (cur >= 0)
    {
      Delim *closer = &DELIM (in, cur);
      gssize *opener_bottom;
      gssize o;
      Delim *opener = NULL;
      gsize use;
      const char *tag;

      if (!closer->can_close)
        {
          cur = closer->next;
          continue;
        }

      opener_bottom = &openers_bottom[delim_kind (closer->c)][closer->orig_count % 3][closer->can_open];
      for (o = closer->prev; o > bottom && o > *opener_bottom; o = DELIM (in, o).prev)
        {
          if (delims_match (&DELIM (in, o), closer))
            {
              opener = &DELIM (in, o);
              break;
            }
        }

      if (opener == NULL)
        {
          gssize next = closer->next;

          *opener_bottom = closer->prev;
          if (!closer->can_open)
            remove_delim (in, cur);
          cur = next;
          continue;
        }

      use = closer->c == '~' ? 2 : (opener->count >= 2 && closer->count >= 2) ? 2 : 1;
      tag = closer->c == '~' ? "s" : use == 2 ? "b" : "i";

      /* Later matches use delimiters further out, so their tags go outside. */
      if (opener->open_tags == NULL)
        opener->open_tags = g_string_new (NULL);
      g_string_prepend (opener->open_tags, ">");
      g_string_prepend (opener->open_tags, tag);
      g_string_prepend_c (opener->open_tags, '<');
      if (closer->close_tags == NULL)
        closer->close_tags = g_string_new (NULL);
      g_string_append_printf (closer->close_tags, "</%s>", tag);

      opener->count -= use;
      closer->count -= use;

      /* Delimiters between the pair can no longer match anything. */
      opener->next = cur;
      closer->prev = o;

      if (opener->count == 0)
        remove_delim (in, o);
      if (closer->count == 0)
        {
          gssize next = closer->next;

          remove_delim (in, cur);
          cur = next;
        }
    }

  while (in->last_delim > bottom)
    in->last_delim = DELIM (in, in->last_delim).prev;
  if (in->last_delim >= 0)
    DELIM (in, in->last_delim).next = -1;
}

static void
build_tick_runs (Inline *in)
{
  in->tick_runs = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_array_unref);

  for (gsize i = 0; i < in->len;)
    {
      gsize start = i;
      GArray *starts;

      if (in->text[i] != '`')
        {
          i++;
          continue;
        }
      while (i < in->len && in->text[i] == '`')
        i++;

      starts = g_hash_table_lookup (in->tick_runs, GSIZE_TO_POINTER (i - start));
      if (starts == NULL)
        {
          starts = g_array_new (FALSE, FALSE, sizeof (gsize));
          g_hash_table_insert (in->tick_runs, GSIZE_TO_POINTER (i - start), starts);
        }
      g_array_append_val (starts, start);
    }
}

/* The first backtick run of exactly @count at or after @from, from an index of all runs, so
 * that a text full of unmatched backticks is not searched again for each of them. */
static gssize
find_tick_closer (Inline *in,
                  gsize   from,
                  gsize   count)
{
  GArray *starts;
  guint lo = 0, hi;

  if (in->tick_runs == NULL)
    build_tick_runs (in);

  starts = g_hash_table_lookup (in->tick_runs, GSIZE_TO_POINTER (count));
  if (starts == NULL)
    return -1;

  hi = starts->len;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (g_array_index (starts, gsize, mid) < from)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo < starts->len ? (gssize) g_array_index (starts, gsize, lo) : -1;
}

static gsize
scan_code_span (Inline *in,
                gsize   pos)
{
  gsize end = pos, count, start, stop;
  gssize closer;

  while (end < in->len && in->text[end] == '`')
    end++;
  count = end - pos;

  closer = find_tick_closer (in, end, count);
  if (closer < 0)
    {
      add_text (in, pos, count);
      return end;
    }

  start = end;
  stop = closer;
  /* One space on each side is padding, unless the span is all spaces. */
  if (stop - start >= 2 &&
      (in->text[start] == ' ' || in->text[start] == '\n') &&
      (in->text[stop - 1] == ' ' || in->text[stop - 1] == '\n'))
    {
      gboolean all_space = TRUE;

      for (gsize i = start; i < stop && all_space; i++)
        all_space = in->text[i] == ' ' || in->text[i] == '\n';
      if (!all_space)
        {
          start++;
          stop--;
        }
    }

  add_node (in, NODE_CODE, start, stop - start);
  return closer + count;
}

static gboolean
url_is_allowed (const char *url)
{
  if (g_ascii_strncasecmp (url, "http://", 7) != 0 &&
      g_ascii_strncasecmp (url, "https://", 8) != 0 &&
      g_ascii_strncasecmp (url, "mailto:", 7) != 0)
    return FALSE;

  for (const char *p = url; *p; p++)
    if ((guchar) *p <= ' ' || *p == 0x7f)
      return FALSE;
  return TRUE;
}

/* Drops the backslashes of backslash escapes. */
static char *
unescape (const char *s,
          gsize       len)
{
  GString *out = g_string_sized_new (len);

  for (gsize i = 0; i < len; i++)
    {
      if (s[i] == '\\' && i + 1 < len && g_ascii_ispunct (s[i + 1]))
        i++;
      g_string_append_c (out, s[i]);
    }
  return g_string_free (out, FALSE);
}

static gsize
skip_spaces (Inline *in,
             gsize   pos)
{
  while (pos < in->len && (in->text[pos] == ' ' || in->text[pos] == '\t' || in->text[pos] == '\n'))
    pos++;
  return pos;
}

/* "(destination "title")" after the "]" of a link. */
static gboolean
parse_link_tail (Inline  *in,
                 gsize    pos,
                 gsize   *end,
                 char   **url,
                 char   **title)
{
  gsize i = pos + 1, dest_start, dest_end, after_dest, title_start = 0, title_end = 0;
  gboolean ok = FALSE;

  if (pos >= in->len || in->text[pos] != '(' || in->link_budget == 0)
    return FALSE;

  i = skip_spaces (in, i);
  if (i < in->len && in->text[i] == '<')
    {
      dest_start = ++i;
      while (i < in->len && in->text[i] != '>' && in->text[i] != '<' && in->text[i] != '\n')
        i += (in->text[i] == '\\' && i + 1 < in->len) ? 2 : 1;
      if (i >= in->len || in->text[i] != '>')
        goto out;
      dest_end = i++;
    }
  else
    {
      guint depth = 0;

      dest_start = i;
      while (i < in->len)
        {
          char c = in->text[i];

          if (c == '\\' && i + 1 < in->len && g_ascii_ispunct (in->text[i + 1]))
            {
              i += 2;
              continue;
            }
          if (c == '(')
            {
              if (++depth > MAX_LINK_PARENS)
                goto out;
            }
          else if (c == ')')
            {
              if (depth == 0)
                break;
              depth--;
            }
          else if ((guchar) c <= ' ' || c == 0x7f)
            break;
          i++;
        }
      if (depth > 0)
        goto out;
      dest_end = i;
    }

  after_dest = i;
  i = skip_spaces (in, i);
  /* A title needs whitespace before it. */
  if (i < in->len && i > after_dest &&
      (in->text[i] == '"' || in->text[i] == '\'' || in->text[i] == '('))
    {
      char close = in->text[i] == '(' ? ')' : in->text[i];

      title_start = ++i;
      while (i < in->len && in->text[i] != close)
        i += (in->text[i] == '\\' && i + 1 < in->len) ? 2 : 1;
      if (i >= in->len)
        goto out;
      title_end = i++;
      i = skip_spaces (in, i);
    }
  if (i >= in->len || in->text[i] != ')')
    goto out;

  *end = i + 1;
  *url = unescape (in->text + dest_start, dest_end - dest_start);
  *title = title_end > title_start ? unescape (in->text + title_start, title_end - title_start) : NULL;
  ok = TRUE;

out:
  /* A budget on the bytes scanned keeps a text full of "](" linear. */
  in->link_budget -= MIN (in->link_budget, i - pos);
  return ok;
}

static gsize
close_bracket (Inline *in,
               gsize   pos)
{
  Bracket bracket;
  gsize end;
  char *url = NULL, *title = NULL;
  Node *node;

  if (in->brackets->len == 0)
    {
      add_text (in, pos, 1);
      return pos + 1;
    }

  bracket = g_array_index (in->brackets, Bracket, in->brackets->len - 1);
  g_array_set_size (in->brackets, in->brackets->len - 1);

  /* Links cannot contain links. */
  if (in->brackets->len < in->active_brackets_from ||
      !parse_link_tail (in, pos + 1, &end, &url, &title))
    {
      in->active_brackets_from = MIN (in->active_brackets_from, in->brackets->len);
      add_text (in, pos, 1);
      return pos + 1;
    }

  process_emphasis (in, bracket.delim_bottom);

  node = &NODE (in, bracket.node);
  node->type = NODE_LINK_OPEN;
  if (url_is_allowed (url))
    node->url = g_steal_pointer (&url);
  node->title = g_steal_pointer (&title);
  g_free (url);

  add_node (in, NODE_LINK_CLOSE, pos, 1);
  in->active_brackets_from = in->brackets->len;
  return end;
}

static gboolean
is_email (const char *s,
          gsize       len)
{
  const char *at = memchr (s, '@', len);

  if (at == NULL || at == s || at == s + len - 1)
    return FALSE;
  for (const char *p = s; p < s + len; p++)
    if (p != at && !g_ascii_isalnum (*p) && strchr (".!#$%&'*+/=?^_`{|}~-", *p) == NULL)
      return FALSE;
  for (const char *p = at + 1; p < s + len; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '-')
      return FALSE;
  return TRUE;
}

static gboolean
is_uri (const char *s,
        gsize       len)
{
  gsize i = 0;

  if (len == 0 || !g_ascii_isalpha (s[0]))
    return FALSE;
  while (i < len && i <= 32 && (g_ascii_isalnum (s[i]) || s[i] == '+' || s[i] == '.' || s[i] == '-'))
    i++;
  return i >= 2 && i < len && s[i] == ':';
}

/* <https://example.com> or <someone@example.com>. */
static gsize
scan_autolink (Inline *in,
               gsize   pos)
{
  gsize i = pos + 1;
  const char *s = in->text + i;
  Node *node;

  while (i < in->len && in->text[i] != '>' && in->text[i] != '<' && (guchar) in->text[i] > ' ')
    i++;

  if (i >= in->len || in->text[i] != '>' || !(is_uri (s, i - pos - 1) || is_email (s, i - pos - 1)))
    {
      add_text (in, pos, 1);
      return pos + 1;
    }

  add_node (in, NODE_AUTOLINK, pos + 1, i - pos - 1);
  node = &NODE (in, in->nodes->len - 1);
  node->url = g_strndup (s, i - pos - 1);
  if (!is_uri (s, i - pos - 1))
    {
      g_autofree char *address = g_steal_pointer (&node->url);

      node->url = g_strconcat ("mailto:", address, NULL);
    }
  if (!url_is_allowed (node->url))
    g_clear_pointer (&node->url, g_free);
  return i + 1;
}

/* Bare http(s) URLs, as models often write them, like GitHub's extended autolinks. */
static gsize
scan_bare_url (Inline *in,
               gsize   pos)
{
  gsize start = pos, end, scheme_len;
  gunichar before = char_before (in, pos);
  gint parens = 0;
  Node *node;

  if (g_ascii_strncasecmp (in->text + pos, "https://", MIN (8, in->len - pos)) == 0 && in->len - pos >= 8)
    scheme_len = 8;
  else if (g_ascii_strncasecmp (in->text + pos, "http://", MIN (7, in->len - pos)) == 0 && in->len - pos >= 7)
    scheme_len = 7;
  else
    scheme_len = 0;

  if (scheme_len == 0 || !(is_space (before) || before == '(' || before == '*' || before == '_' || before == '~'))
    {
      add_text (in, pos, 1);
      return pos + 1;
    }

  end = pos + scheme_len;
  while (end < in->len && (guchar) in->text[end] > ' ' && strchr ("<>[]`\"", in->text[end]) == NULL)
    end++;

  /* Trailing punctuation belongs to the sentence, and so does an unbalanced ")". */
  for (gsize i = start; i < end; i++)
    parens += in->text[i] == '(' ? 1 : in->text[i] == ')' ? -1 : 0;
  while (end > start + scheme_len)
    {
      char c = in->text[end - 1];

      if (strchr ("?!.,:;*_~'", c) != NULL)
        end--;
      else if (c == ')' && parens < 0)
        {
          end--;
          parens++;
        }
      else
        break;
    }

  if (end == start + scheme_len)
    {
      add_text (in, pos, 1);
      return pos + 1;
    }

  add_node (in, NODE_AUTOLINK, start, end - start);
  node = &NODE (in, in->nodes->len - 1);
  node->url = g_strndup (in->text + start, end - start);
  return end;
}

static void
append_escaped (GString    *out,
                const char *text,
                gssize      len)
{
  g_autofree char *escaped = g_markup_escape_text (text, len);

  g_string_append (out, escaped);
}

static void
append_link_open (GString    *out,
                  const char *url,
                  const char *title)
{
  g_string_append (out, "<a href=\"");
  append_escaped (out, url, -1);
  if (title != NULL)
    {
      g_string_append (out, "\" title=\"");
      append_escaped (out, title, -1);
    }
  g_string_append (out, "\">");
}

static void
render (Inline  *in,
        GString *out)
{
  gboolean in_link = FALSE, link_tag = FALSE;

  for (guint i = 0; i < in->nodes->len; i++)
    {
      Node *node = &NODE (in, i);

      switch (node->type)
        {
        case NODE_TEXT:
          append_escaped (out, in->text + node->start, node->len);
          break;

        case NODE_BRACKET:
          g_string_append_c (out, '[');
          break;

        case NODE_DELIM:
          {
            Delim *delim = &DELIM (in, node->delim);

            if (delim->close_tags)
              g_string_append (out, delim->close_tags->str);
            for (gsize j = 0; j < delim->count; j++)
              g_string_append_c (out, delim->c);
            if (delim->open_tags)
              g_string_append (out, delim->open_tags->str);
          }
          break;

        case NODE_CODE:
          {
            g_autofree char *code = g_strndup (in->text + node->start, node->len);

            g_strdelimit (code, "\n", ' ');
            g_string_append (out, "<tt>");
            append_escaped (out, code, -1);
            g_string_append (out, "</tt>");
          }
          break;

        case NODE_LINK_OPEN:
          in_link = TRUE;
          if (node->url != NULL)
            {
              append_link_open (out, node->url, node->title);
              link_tag = TRUE;
            }
          break;

        case NODE_LINK_CLOSE:
          if (link_tag)
            g_string_append (out, "</a>");
          in_link = link_tag = FALSE;
          break;

        case NODE_AUTOLINK:
          if (node->url != NULL && !in_link)
            append_link_open (out, node->url, NULL);
          append_escaped (out, in->text + node->start, node->len);
          if (node->url != NULL && !in_link)
            g_string_append (out, "</a>");
          break;

        default:
          g_assert_not_reached ();
        }
    }
}

/* @text must be valid UTF-8. */
static void
append_inline (GString    *out,
               const char *text,
               gsize       len)
{
  Inline in = { text, len, NULL, NULL, -1, NULL, 0, NULL, 4 * len + 4096 };
  gsize pos = 0;

  in.nodes = g_array_new (FALSE, FALSE, sizeof (Node));
  g_array_set_clear_func (in.nodes, node_clear);
  in.delims = g_array_new (FALSE, FALSE, sizeof (Delim));
  g_array_set_clear_func (in.delims, delim_clear);
  in.brackets = g_array_new (FALSE, FALSE, sizeof (Bracket));

  while (pos < len)
    {
      gsize run = pos;

      while (run < len && strchr ("\\`*_~[]<hH", text[run]) == NULL)
        run++;
      if (run > pos)
        {
          add_text (&in, pos, run - pos);
          pos = run;
          continue;
        }

      switch (text[pos])
        {
        case '\\':
          if (pos + 1 < len && (g_ascii_ispunct (text[pos + 1]) || text[pos + 1] == '\n'))
            {
              add_text (&in, pos + 1, 1);
              pos += 2;
            }
          else
            add_text (&in, pos++, 1);
          break;

        case '`':
          pos = scan_code_span (&in, pos);
          break;

        case '*':
        case '_':
        case '~':
          pos = scan_delims (&in, pos);
          break;

        case '[':
          if (in.brackets->len < MAX_BRACKETS)
            {
              Bracket bracket = { in.nodes->len, (gssize) in.delims->len - 1 };

              g_array_append_val (in.brackets, bracket);
              add_node (&in, NODE_BRACKET, pos, 1);
            }
          else
            add_text (&in, pos, 1);
          pos++;
          break;

        case ']':
          pos = close_bracket (&in, pos);
          break;

        case '<':
          pos = scan_autolink (&in, pos);
          break;

        default:
          pos = scan_bare_url (&in, pos);
          break;
        }
    }

  process_emphasis (&in, -1);
  render (&in, out);

  g_array_unref (in.nodes);
  g_array_unref (in.delims);
  g_array_unref (in.brackets);
  g_clear_pointer (&in.tick_runs, g_hash_table_unref);
}

static char *
inline_markup (const char *text,
               gsize       len)
{
  GString *out = g_string_sized_new (len + len / 8 + 16);

  append_inline (out, text, len);
  return g_string_free (out, FALSE);
}

/* Valid UTF-8, and only "\n" ends lines. */
static char *
normalize (const char *text)
{
  char *valid = g_utf8_make_valid (text, -1);
  char *w = valid;

  for (const char *r = valid; *r; r++)
    {
      if (*r == '\r')
        {
          if (r[1] == '\n')
            continue;
          *w++ = '\n';
        }
      else
        *w++ = *r;
    }
  *w = '\0';
  return valid;
}

/**
 * confab_markdown_inline_to_markup:
 * @text: (nullable): one paragraph of Markdown
 *
 * Renders the inline spans of @text (emphasis, code, links, …) as Pango markup. Block syntax
 * such as "# " is left as it is.
 *
 * Returns: (transfer full): valid markup, whatever @text holds
 */
char *
confab_markdown_inline_to_markup (const char *text)
{
  g_autofree char *valid = normalize (text ? text : "");

  return inline_markup (valid, strlen (valid));
}

/* Blocks ---------------------------------------------------------------------------------- */

typedef struct
{
  const char *start;
  gsize len;
} Line;

typedef struct
{
  guint marker_col;
  gboolean ordered;
  char delim;                   /* the bullet, or "." or ")" after a number */
  gulong number;
} ListLevel;

typedef enum
{
  PARA_NONE,
  PARA_TEXT,
  PARA_ITEM,
} ParaKind;

typedef struct
{
  GPtrArray *blocks;
  GArray *lines;
  gboolean ends_with_newline;
  guint depth;

  GString *para;
  ParaKind para_kind;
  guint para_level;
  char *para_marker;
  guint para_lines;
  guint para_trailing_spaces;

  ListLevel levels[MAX_LIST_DEPTH];
  guint list_depth;
} Parser;

static GPtrArray *parse_blocks (const char *text,
                                gsize       len,
                                gboolean    ends_with_newline,
                                guint       depth);

void
confab_md_block_free (ConfabMdBlock *block)
{
  if (block == NULL)
    return;

  g_free (block->marker);
  g_free (block->markup);
  g_free (block->text);
  g_free (block->language);
  g_free (block);
}

static ConfabMdBlock *
add_block (Parser            *p,
           ConfabMdBlockType  type)
{
  ConfabMdBlock *block = g_new0 (ConfabMdBlock, 1);

  block->type = type;
  g_ptr_array_add (p->blocks, block);
  return block;
}

static guint
line_indent (const Line *line,
             gsize      *content)
{
  guint col = 0;
  gsize i;

  for (i = 0; i < line->len; i++)
    {
      if (line->start[i] == ' ')
        col++;
      else if (line->start[i] == '\t')
        col += 4 - col % 4;
      else
        break;
    }
  *content = i;
  return col;
}

static void
trim (const char **s,
      gsize       *len)
{
  while (*len > 0 && (**s == ' ' || **s == '\t'))
    {
      (*s)++;
      (*len)--;
    }
  while (*len > 0 && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
    (*len)--;
}

static gboolean
is_rule (const char *s,
         gsize       len)
{
  guint count = 0;

  if (len == 0 || (s[0] != '-' && s[0] != '*' && s[0] != '_'))
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      if (s[i] == s[0])
        count++;
      else if (s[i] != ' ' && s[i] != '\t')
        return FALSE;
    }
  return count >= 3;
}

static guint
heading_level (const char *s,
               gsize       len)
{
  guint level = 0;

  while (level < len && s[level] == '#')
    level++;
  if (level == 0 || level > 6 || (level < len && s[level] != ' ' && s[level] != '\t'))
    return 0;
  return level;
}

static gboolean
is_fence_open (const char *s,
               gsize       len,
               char       *fence_char,
               gsize      *fence_len)
{
  gsize n = 0;

  if (len < 3 || (s[0] != '`' && s[0] != '~'))
    return FALSE;
  while (n < len && s[n] == s[0])
    n++;
  if (n < 3)
    return FALSE;
  /* "```code```" on one line is a code span. */
  if (s[0] == '`' && memchr (s + n, '`', len - n) != NULL)
    return FALSE;

  *fence_char = s[0];
  *fence_len = n;
  return TRUE;
}

static gboolean
is_fence_close (const char *s,
                gsize       len,
                char        fence_char,
                gsize       fence_len)
{
  gsize n = 0;

  while (n < len && s[n] == fence_char)
    n++;
  if (n < fence_len)
    return FALSE;
  for (; n < len; n++)
    if (s[n] != ' ' && s[n] != '\t')
      return FALSE;
  return TRUE;
}

/* "- ", "* ", "+ ", "1. " or "1) ", with the content's offset. */
static gboolean
list_marker (const char *s,
             gsize       len,
             ListLevel  *level,
             gsize      *content)
{
  gsize i = 0;

  if (len == 0)
    return FALSE;

  if (s[0] == '-' || s[0] == '*' || s[0] == '+')
    {
      level->ordered = FALSE;
      level->delim = s[0];
      level->number = 0;
      i = 1;
    }
  else
    {
      gulong number = 0;

      while (i < len && i < 9 && g_ascii_isdigit (s[i]))
        number = number * 10 + (s[i++] - '0');
      if (i == 0 || i >= len || (s[i] != '.' && s[i] != ')'))
        return FALSE;
      level->ordered = TRUE;
      level->delim = s[i++];
      level->number = number;
    }

  if (i < len && s[i] != ' ' && s[i] != '\t')
    return FALSE;
  while (i < len && (s[i] == ' ' || s[i] == '\t'))
    i++;
  *content = i;
  return TRUE;
}

static gboolean
starts_block (const char *s,
              gsize       len)
{
  ListLevel level;
  gsize content;
  char fence_char;
  gsize fence_len;

  return len > 0 &&
         (s[0] == '>' || is_rule (s, len) || heading_level (s, len) > 0 ||
          is_fence_open (s, len, &fence_char, &fence_len) || list_marker (s, len, &level, &content));
}

static guint
list_level_for (Parser *p,
                guint   indent)
{
  guint k = 0;

  /* Lenient: two columns past the parent's marker nest, even under "10. ". */
  while (k < p->list_depth && indent >= p->levels[k].marker_col + 2)
    k++;
  return MIN (k, MAX_LIST_DEPTH - 1);
}

static gboolean
in_list (Parser *p,
         guint   indent)
{
  return p->list_depth > 0 && indent >= p->levels[0].marker_col + 2;
}

static void
para_flush (Parser *p)
{
  ConfabMdBlock *block;

  if (p->para_kind == PARA_NONE)
    return;

  block = add_block (p, p->para_kind == PARA_ITEM ? CONFAB_MD_LIST_ITEM : CONFAB_MD_PARAGRAPH);
  block->level = p->para_level;
  block->marker = g_steal_pointer (&p->para_marker);
  block->markup = inline_markup (p->para->str, p->para->len);

  g_string_truncate (p->para, 0);
  p->para_kind = PARA_NONE;
}

static void
para_start (Parser   *p,
            ParaKind  kind,
            guint     level,
            char     *marker)
{
  para_flush (p);
  p->para_kind = kind;
  p->para_level = level;
  p->para_marker = marker;
  p->para_lines = 0;
  p->para_trailing_spaces = 0;
}

/* Lines join with a space, or a line break after two spaces or a backslash. */
static void
para_add_line (Parser     *p,
               const char *s,
               gsize       len)
{
  guint trailing = 0;

  trim (&s, &len);
  for (const char *e = s + len; e < s + len + 2 && *e == ' '; e++)
    trailing++;

  if (p->para_lines > 0)
    {
      gsize backslashes = 0;

      while (backslashes < p->para->len && p->para->str[p->para->len - 1 - backslashes] == '\\')
        backslashes++;
      if (backslashes % 2 == 1)
        {
          g_string_truncate (p->para, p->para->len - 1);
          g_string_append_c (p->para, '\n');
        }
      else
        g_string_append_c (p->para, p->para_trailing_spaces >= 2 ? '\n' : ' ');
    }

  g_string_append_len (p->para, s, len);
  p->para_lines++;
  p->para_trailing_spaces = trailing;
}

static guint
parse_fence (Parser *p,
             guint   i,
             guint   indent,
             char    fence_char,
             gsize   fence_len)
{
  const Line *line = &g_array_index (p->lines, Line, i);
  ConfabMdBlock *block;
  GString *code = g_string_new (NULL);
  const char *info;
  gsize content, info_len, last_start = 0;
  guint level = 0, n_code_lines = 0;
  gboolean closed = FALSE;

  para_flush (p);
  line_indent (line, &content);
  if (in_list (p, indent))
    {
      level = list_level_for (p, indent);
      p->list_depth = level;
    }
  else
    p->list_depth = 0;

  info = line->start + content + fence_len;
  info_len = line->len - content - fence_len;
  trim (&info, &info_len);

  for (i++; i < p->lines->len; i++)
    {
      gsize c;
      guint col = 0;

      line = &g_array_index (p->lines, Line, i);
      line_indent (line, &c);
      if (is_fence_close (line->start + c, line->len - c, fence_char, fence_len))
        {
          closed = TRUE;
          i++;
          break;
        }

      /* Code keeps its own indentation, less the fence's. */
      for (c = 0; c < line->len && col < indent; c++)
        {
          if (line->start[c] == ' ')
            col++;
          else if (line->start[c] == '\t')
            col += 4 - col % 4;
          else
            break;
        }

      last_start = code->len;
      if (n_code_lines++ > 0)
        g_string_append_c (code, '\n');
      g_string_append_len (code, line->start + c, line->len - c);
    }

  /* While an answer streams, a closing fence arrives a character at a time: don't show it. */
  if (!closed && !p->ends_with_newline && n_code_lines > 0)
    {
      const Line *last = &g_array_index (p->lines, Line, p->lines->len - 1);
      gsize c;
      gboolean partial = TRUE;

      line_indent (last, &c);
      partial = c < last->len;
      for (; c < last->len && partial; c++)
        partial = last->start[c] == fence_char;
      if (partial)
        g_string_truncate (code, last_start);
    }

  block = add_block (p, CONFAB_MD_CODE);
  block->level = level;
  if (info_len > 0)
    {
      gsize word = 0;

      while (word < info_len && info[word] != ' ' && info[word] != '\t')
        word++;
      block->language = g_strndup (info, word);
    }
  block->text = g_string_free (code, FALSE);
  return i;
}

/* The quote's lines without their ">", parsed as a document of their own. */
static char *
quote_markup (GPtrArray *blocks)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < blocks->len; i++)
    {
      ConfabMdBlock *block = g_ptr_array_index (blocks, i);

      if (i > 0)
        {
          ConfabMdBlock *prev = g_ptr_array_index (blocks, i - 1);

          g_string_append (out, prev->type == CONFAB_MD_LIST_ITEM &&
                                block->type == CONFAB_MD_LIST_ITEM ? "\n" : "\n\n");
        }

      switch (block->type)
        {
        case CONFAB_MD_PARAGRAPH:
        case CONFAB_MD_QUOTE:
        case CONFAB_MD_TABLE:
          g_string_append (out, block->markup);
          break;

        case CONFAB_MD_HEADING:
          g_string_append_printf (out, "<b>%s</b>", block->markup);
          break;

        case CONFAB_MD_LIST_ITEM:
          for (guint j = 0; j < block->level; j++)
            g_string_append (out, "    ");
          if (block->marker != NULL)
            {
              append_escaped (out, block->marker, -1);
              g_string_append_c (out, ' ');
            }
          else
            g_string_append (out, "  ");
          g_string_append (out, block->markup);
          break;

        case CONFAB_MD_CODE:
          g_string_append (out, "<tt>");
          append_escaped (out, block->text, -1);
          g_string_append (out, "</tt>");
          break;

        case CONFAB_MD_RULE:
          g_string_append (out, "⸻");
          break;

        default:
          g_assert_not_reached ();
        }
    }

  return g_string_free (out, FALSE);
}

static guint
parse_quote (Parser *p,
             guint   i)
{
  GString *inner = g_string_new (NULL);
  g_autoptr(GPtrArray) blocks = NULL;
  gboolean lazy_ok = FALSE, in_fence = FALSE;
  char fence_char = 0;
  gsize fence_len = 0;
  ConfabMdBlock *block;

  para_flush (p);
  p->list_depth = 0;

  for (; i < p->lines->len; i++)
    {
      const Line *line = &g_array_index (p->lines, Line, i);
      gsize c;
      const char *s;
      gsize len;

      line_indent (line, &c);
      s = line->start + c;
      len = line->len - c;

      if (len > 0 && s[0] == '>')
        {
          const char *t;
          gsize tlen;
          char fc;
          gsize fl;

          s++;
          len--;
          if (len > 0 && (s[0] == ' ' || s[0] == '\t'))
            {
              s++;
              len--;
            }
          g_string_append_len (inner, s, len);
          g_string_append_c (inner, '\n');

          /* Only paragraph text continues lazily: not code, a fence, a rule or a heading. */
          t = s;
          tlen = len;
          trim (&t, &tlen);
          lazy_ok = FALSE;
          if (in_fence)
            in_fence = !is_fence_close (t, tlen, fence_char, fence_len);
          else if (is_fence_open (t, tlen, &fc, &fl))
            {
              in_fence = TRUE;
              fence_char = fc;
              fence_len = fl;
            }
          else
            lazy_ok = tlen > 0 && !is_rule (t, tlen) && heading_level (t, tlen) == 0;
          continue;
        }

      /* A line that merely continues the quote's paragraph belongs to it. */
      if (len > 0 && lazy_ok && !starts_block (s, len))
        {
          g_string_append_len (inner, s, len);
          g_string_append_c (inner, '\n');
          continue;
        }
      break;
    }

  if (i == p->lines->len && !p->ends_with_newline && inner->len > 0)
    g_string_truncate (inner, inner->len - 1);

  blocks = parse_blocks (inner->str, inner->len, i < p->lines->len || p->ends_with_newline,
                         p->depth + 1);
  block = add_block (p, CONFAB_MD_QUOTE);
  block->markup = quote_markup (blocks);

  g_string_free (inner, TRUE);
  return i;
}

typedef enum
{
  ALIGN_LEFT,
  ALIGN_CENTER,
  ALIGN_RIGHT,
} Align;

/* The cells of a table row, split at unescaped pipes. */
static GPtrArray *
split_row (const char *s,
           gsize       len)
{
  GPtrArray *cells = g_ptr_array_new_with_free_func (g_free);
  gsize start;

  trim (&s, &len);
  if (len > 0 && s[0] == '|')
    {
      s++;
      len--;
    }
  if (len > 0 && s[len - 1] == '|' && (len < 2 || s[len - 2] != '\\'))
    len--;

  start = 0;
  for (gsize i = 0; i <= len; i++)
    {
      if (i == len || (s[i] == '|' && (i == 0 || s[i - 1] != '\\')))
        {
          const char *cell = s + start;
          gsize cell_len = i - start;

          trim (&cell, &cell_len);
          g_ptr_array_add (cells, g_strndup (cell, cell_len));
          start = i + 1;
        }
    }
  return cells;
}

static gboolean
has_pipe (const Line *line)
{
  return memchr (line->start, '|', line->len) != NULL;
}

/* The "|---|:--:|" row under a table's header, with the column alignments. */
static GArray *
delimiter_row (const Line *line)
{
  g_autoptr(GPtrArray) cells = NULL;
  g_autoptr(GArray) aligns = g_array_new (FALSE, FALSE, sizeof (Align));

  for (gsize i = 0; i < line->len; i++)
    if (strchr ("|-: \t", line->start[i]) == NULL)
      return NULL;

  cells = split_row (line->start, line->len);
  for (guint i = 0; i < cells->len; i++)
    {
      const char *cell = g_ptr_array_index (cells, i);
      gsize len = strlen (cell), dashes = 0;
      Align align;

      for (gsize j = 0; j < len; j++)
        dashes += cell[j] == '-';
      if (dashes == 0 || dashes + (cell[0] == ':') + (cell[len - 1] == ':' && len > 1) != len)
        return NULL;
      align = cell[len - 1] == ':' ? (cell[0] == ':' ? ALIGN_CENTER : ALIGN_RIGHT) : ALIGN_LEFT;
      g_array_append_val (aligns, align);
    }
  return g_steal_pointer (&aligns);
}

static GArray *
table_start (Parser *p,
             guint   i)
{
  const Line *header = &g_array_index (p->lines, Line, i);
  g_autoptr(GPtrArray) cells = NULL;
  g_autoptr(GArray) aligns = NULL;

  if (i + 1 >= p->lines->len || !has_pipe (header) ||
      !has_pipe (&g_array_index (p->lines, Line, i + 1)))
    return NULL;

  aligns = delimiter_row (&g_array_index (p->lines, Line, i + 1));
  if (aligns == NULL)
    return NULL;
  cells = split_row (header->start, header->len);
  if (cells->len != aligns->len)
    return NULL;
  return g_steal_pointer (&aligns);
}

/* Characters that a cell's markup shows, for aligning the columns. */
static gsize
visible_width (const char *markup)
{
  gsize width = 0;

  for (const char *p = markup; *p;)
    {
      if (*p == '<')
        {
          while (*p && *p != '>')
            p++;
          if (*p)
            p++;
        }
      else if (*p == '&')
        {
          while (*p && *p != ';')
            p++;
          if (*p)
            p++;
          width++;
        }
      else
        {
          p = g_utf8_next_char (p);
          width++;
        }
    }
  return width;
}

static void
append_padding (GString *out,
                gsize    n)
{
  for (gsize i = 0; i < n; i++)
    g_string_append_c (out, ' ');
}

/* A monospace table with aligned columns: simple, and readable in a label. */
static guint
parse_table (Parser *p,
             guint   i,
             GArray *aligns)
{
  guint n_cols = aligns->len;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autofree gsize *widths = g_new0 (gsize, n_cols);
  GString *out = g_string_new ("<tt>");
  ConfabMdBlock *block;

  para_flush (p);
  p->list_depth = 0;

  for (guint j = i; j < p->lines->len; j++)
    {
      const Line *line = &g_array_index (p->lines, Line, j);
      g_autoptr(GPtrArray) cells = NULL;
      char **row;
      gsize c;

      if (j == i + 1)
        continue;
      line_indent (line, &c);
      if (j > i + 1 && (c == line->len || !has_pipe (line) || starts_block (line->start + c, line->len - c)))
        break;

      cells = split_row (line->start, line->len);
      row = g_new0 (char *, n_cols + 1);
      for (guint k = 0; k < n_cols; k++)
        {
          row[k] = inline_markup (k < cells->len ? (char *) g_ptr_array_index (cells, k) : "",
                                  k < cells->len ? strlen (g_ptr_array_index (cells, k)) : 0);
          widths[k] = MAX (widths[k], visible_width (row[k]));
        }
      g_ptr_array_add (rows, row);
    }

  for (guint r = 0; r < rows->len; r++)
    {
      char **row = g_ptr_array_index (rows, r);

      if (r > 0)
        g_string_append_c (out, '\n');
      for (guint k = 0; k < n_cols; k++)
        {
          gsize pad = widths[k] - visible_width (row[k]);
          Align align = g_array_index (aligns, Align, k);
          gsize before = align == ALIGN_RIGHT ? pad : align == ALIGN_CENTER ? pad / 2 : 0;

          if (k > 0)
            g_string_append (out, " │ ");
          append_padding (out, before);
          g_string_append (out, r == 0 ? "<b>" : "");
          g_string_append (out, row[k]);
          g_string_append (out, r == 0 ? "</b>" : "");
          if (k + 1 < n_cols)
            append_padding (out, pad - before);
        }

      if (r == 0)
        {
          g_string_append_c (out, '\n');
          for (guint k = 0; k < n_cols; k++)
            {
              if (k > 0)
                g_string_append (out, "─┼─");
              for (gsize w = 0; w < widths[k]; w++)
                g_string_append (out, "─");
            }
        }
    }
  g_string_append (out, "</tt>");

  block = add_block (p, CONFAB_MD_TABLE);
  block->markup = g_string_free (out, FALSE);
  return i + 1 + rows->len;
}

static void
start_item (Parser     *p,
            guint       indent,
            ListLevel  *marker,
            const char *s,
            gsize       len)
{
  guint k = list_level_for (p, indent);
  gboolean continues = k < p->list_depth && p->levels[k].ordered == marker->ordered &&
                       p->levels[k].delim == marker->delim;
  char *text;

  /* "1." three times still counts 1, 2, 3, as CommonMark renders it. */
  if (marker->ordered && continues)
    marker->number = p->levels[k].number + 1;
  marker->marker_col = indent;
  p->levels[k] = *marker;
  p->list_depth = k + 1;

  if (marker->ordered)
    text = g_strdup_printf ("%lu%c", marker->number, marker->delim);
  else if (len >= 3 && s[0] == '[' && s[2] == ']' && (len == 3 || s[3] == ' ') &&
           (s[1] == ' ' || s[1] == 'x' || s[1] == 'X'))
    {
      text = g_strdup (s[1] == ' ' ? "☐" : "☑");
      s += 3;
      len -= 3;
    }
  else
    text = g_strdup ("•");

  para_start (p, PARA_ITEM, k, text);
  if (len > 0)
    para_add_line (p, s, len);
}

static void
parse_lines (Parser *p)
{
  guint i = 0;

  while (i < p->lines->len)
    {
      const Line *line = &g_array_index (p->lines, Line, i);
      gsize c, content;
      guint indent = line_indent (line, &c);
      const char *s = line->start + c;
      gsize len = line->len - c;
      char fence_char;
      gsize fence_len;
      guint level;
      ListLevel marker;
      GArray *aligns;

      if (len == 0)
        {
          para_flush (p);
          i++;
          continue;
        }

      if (is_fence_open (s, len, &fence_char, &fence_len))
        {
          i = parse_fence (p, i, indent, fence_char, fence_len);
          continue;
        }

      if (is_rule (s, len))
        {
          para_flush (p);
          p->list_depth = 0;
          add_block (p, CONFAB_MD_RULE);
          i++;
          continue;
        }

      if ((level = heading_level (s, len)) > 0)
        {
          const char *text = s + level;
          gsize text_len = len - level;
          ConfabMdBlock *block;

          trim (&text, &text_len);
          /* A closing "##" goes, a "#" that is part of the text stays. */
          {
            gsize end = text_len;

            while (end > 0 && text[end - 1] == '#')
              end--;
            if (end == 0 || text[end - 1] == ' ' || text[end - 1] == '\t')
              {
                text_len = end;
                trim (&text, &text_len);
              }
          }

          para_flush (p);
          p->list_depth = 0;
          block = add_block (p, CONFAB_MD_HEADING);
          block->level = level;
          block->markup = inline_markup (text, text_len);
          i++;
          continue;
        }

      if (s[0] == '>' && p->depth < MAX_QUOTE_DEPTH)
        {
          i = parse_quote (p, i);
          continue;
        }

      if (list_marker (s, len, &marker, &content))
        {
          gboolean empty = content >= len;

          /* Only a "1." or a bullet with text interrupts a paragraph, so a line starting
           * "2024. " inside a sentence does not become a list. */
          if (p->para_kind != PARA_TEXT || (!empty && (!marker.ordered || marker.number == 1)))
            {
              start_item (p, indent, &marker, s + content, len - content);
              i++;
              continue;
            }
        }

      if ((aligns = table_start (p, i)) != NULL)
        {
          i = parse_table (p, i, aligns);
          g_array_unref (aligns);
          continue;
        }

      if (p->para_kind == PARA_NONE)
        {
          /* After a blank line, indented text is another paragraph of the list item. */
          if (in_list (p, indent))
            {
              level = list_level_for (p, indent);
              p->list_depth = level;
              para_start (p, PARA_ITEM, level - 1, NULL);
            }
          else
            {
              p->list_depth = 0;
              para_start (p, PARA_TEXT, 0, NULL);
            }
        }
      para_add_line (p, s, len);
      i++;
    }

  para_flush (p);
}

static GPtrArray *
parse_blocks (const char *text,
              gsize       len,
              gboolean    ends_with_newline,
              guint       depth)
{
  Parser p = { 0, };

  p.blocks = g_ptr_array_new_with_free_func ((GDestroyNotify) confab_md_block_free);
  p.lines = g_array_new (FALSE, FALSE, sizeof (Line));
  p.ends_with_newline = ends_with_newline;
  p.depth = depth;
  p.para = g_string_new (NULL);

  for (gsize start = 0; start < len;)
    {
      const char *nl = memchr (text + start, '\n', len - start);
      Line line = { text + start, nl ? (gsize) (nl - text - start) : len - start };

      g_array_append_val (p.lines, line);
      start += line.len + 1;
    }

  parse_lines (&p);

  g_free (p.para_marker);
  g_string_free (p.para, TRUE);
  g_array_unref (p.lines);
  return p.blocks;
}

/**
 * confab_markdown_parse:
 * @text: (nullable): a message in Markdown, complete or still streaming
 *
 * Splits @text into blocks for display.
 *
 * Returns: (transfer container) (element-type ConfabMdBlock): the blocks, freed with the array
 */
GPtrArray *
confab_markdown_parse (const char *text)
{
  g_autofree char *valid = normalize (text ? text : "");
  gsize len = strlen (valid);

  return parse_blocks (valid, len, len > 0 && valid[len - 1] == '\n', 0);
}
