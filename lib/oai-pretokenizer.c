/* oai-pretokenizer.c: the regex split of tiktoken, by hand
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * tiktoken cuts text into pieces with a regular expression before merging the
 * bytes of each piece. This file is that expression written out as a scanner,
 * for the two patterns of tiktoken 0.14 (tiktoken_ext/openai_public.py):
 *
 * cl100k_base:
 *   '(?i:[sdmt]|ll|ve|re) | [^\r\n\p{L}\p{N}]?+\p{L}++ | \p{N}{1,3}+
 *   | ' '?[^\s\p{L}\p{N}]++[\r\n]*+ | \s++$ | \s*[\r\n] | \s+(?!\S) | \s
 *
 * o200k_base:
 *   [^\r\n\p{L}\p{N}]?[Lu Lt Lm Lo M]*[Ll Lm Lo M]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
 *   | [^\r\n\p{L}\p{N}]?[Lu Lt Lm Lo M]+[Ll Lm Lo M]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
 *   | \p{N}{1,3} | ' '?[^\s\p{L}\p{N}]+[\r\n/]* | \s*[\r\n]+ | \s+(?!\S) | \s+
 *
 * Both are matched leftmost-first, trying the alternatives in order and
 * backtracking inside each, as fancy-regex (tiktoken's engine) does. The
 * functions below give the end of the match that engine finds at a position;
 * each comment says which alternative, and how its backtracking resolves.
 * Every scan moves forward over characters the piece then consumes, or over a
 * whitespace run that is remembered, so splitting is linear in the input.
 *
 * Character classes: \p{L}, \p{N} and \p{M} come from g_unichar_type(); \s is
 * the Unicode White_Space property (so U+0085 and U+00A0 are spaces), as in
 * Rust's regex crate. (?i) folds case the Unicode way: 's also matches 'ſ
 * (U+017F LATIN SMALL LETTER LONG S), the only non-ASCII letter that folds to
 * one of s, t, r, e, v, m, l, d.
 *
 * Bytes that are not UTF-8 cannot reach tiktoken, whose input is a string. A
 * maximal invalid subsequence (as in the Unicode standard's "best practice",
 * the one Python's and WHATWG's decoders replace with one U+FFFD) is treated
 * as one character with the classes of U+FFFD: not a letter, number or space.
 * The pieces are therefore those tiktoken finds in the text decoded with
 * replacement, and each piece keeps its original bytes.
 */

#include "config.h"

#include <string.h>

#include "oai-pretokenizer-private.h"

enum {
  CLS_UPPER   = 1 << 0,   /* [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}] */
  CLS_LOWER   = 1 << 1,   /* [\p{Ll}\p{Lm}\p{Lo}\p{M}] */
  CLS_LETTER  = 1 << 2,   /* \p{L} */
  CLS_NUMBER  = 1 << 3,   /* \p{N} */
  CLS_SPACE   = 1 << 4,   /* \s */
  CLS_NEWLINE = 1 << 5,   /* [\r\n] */
};

#define CLS_WORD (CLS_UPPER | CLS_LOWER)                  /* \p{L} or \p{M} */
#define CLS_NOT_PUNCT (CLS_SPACE | CLS_LETTER | CLS_NUMBER) /* complement of [^\s\p{L}\p{N}] */
#define CLS_NOT_PREFIX (CLS_NEWLINE | CLS_LETTER | CLS_NUMBER) /* complement of [^\r\n\p{L}\p{N}] */

#define NONE G_MAXSIZE

/* The classes of every BMP character, computed once: g_unichar_type() is a
 * two-level lookup plus a switch, and the scanner asks for most characters
 * more than once. */
static guint8 bmp_classes[0x10000];

static gboolean
is_white_space (gunichar c)
{
  /* The White_Space property of Unicode 15 (PropList.txt). */
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
         c == 0x202F || c == 0x205F || c == 0x3000;
}

static guint8
compute_classes (gunichar c)
{
  guint8 classes = 0;

  if (c == OAI_UTF8_INVALID)
    return 0;     /* like U+FFFD, a symbol (So) */

  switch (g_unichar_type (c))
    {
    case G_UNICODE_UPPERCASE_LETTER:
    case G_UNICODE_TITLECASE_LETTER:
      classes = CLS_UPPER | CLS_LETTER;
      break;
    case G_UNICODE_LOWERCASE_LETTER:
      classes = CLS_LOWER | CLS_LETTER;
      break;
    case G_UNICODE_MODIFIER_LETTER:
    case G_UNICODE_OTHER_LETTER:
      classes = CLS_UPPER | CLS_LOWER | CLS_LETTER;
      break;
    case G_UNICODE_SPACING_MARK:
    case G_UNICODE_ENCLOSING_MARK:
    case G_UNICODE_NON_SPACING_MARK:
      classes = CLS_UPPER | CLS_LOWER;
      break;
    case G_UNICODE_DECIMAL_NUMBER:
    case G_UNICODE_LETTER_NUMBER:
    case G_UNICODE_OTHER_NUMBER:
      classes = CLS_NUMBER;
      break;
    default:
      break;
    }

  if (is_white_space (c))
    classes |= CLS_SPACE;
  if (c == '\r' || c == '\n')
    classes |= CLS_NEWLINE;

  return classes;
}

static void
ensure_classes (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      for (gunichar c = 0; c < G_N_ELEMENTS (bmp_classes); c++)
        bmp_classes[c] = compute_classes (c);
      g_once_init_leave (&initialized, 1);
    }
}

/**
 * oai_utf8_decode:
 * @text: at least one byte
 * @available: the bytes readable at @text, at least 1
 * @c: (out): the character, or %OAI_UTF8_INVALID
 *
 * Decodes one character, or one maximal subpart of an invalid sequence.
 *
 * Returns: the bytes consumed, 1 to 4
 */
guint
oai_utf8_decode (const guint8 *text,
                 gsize         available,
                 gunichar     *c)
{
  guint8 b0 = text[0];
  guint8 low = 0x80, high = 0xBF;

  if (b0 < 0x80)
    {
      *c = b0;
      return 1;
    }

  *c = OAI_UTF8_INVALID;
  if (b0 < 0xC2 || b0 > 0xF4)
    return 1;

  if (b0 < 0xE0)
    {
      if (available < 2 || (text[1] & 0xC0) != 0x80)
        return 1;
      *c = ((gunichar) (b0 & 0x1F) << 6) | (text[1] & 0x3F);
      return 2;
    }

  /* The second byte's range excludes overlong forms, surrogates and code
   * points past U+10FFFF. */
  if (b0 == 0xE0)
    low = 0xA0;
  else if (b0 == 0xED)
    high = 0x9F;
  else if (b0 == 0xF0)
    low = 0x90;
  else if (b0 == 0xF4)
    high = 0x8F;

  if (available < 2 || text[1] < low || text[1] > high)
    return 1;
  if (available < 3 || (text[2] & 0xC0) != 0x80)
    return 2;

  if (b0 < 0xF0)
    {
      *c = ((gunichar) (b0 & 0x0F) << 12) | ((gunichar) (text[1] & 0x3F) << 6) | (text[2] & 0x3F);
      return 3;
    }

  if (available < 4 || (text[3] & 0xC0) != 0x80)
    return 3;
  *c = ((gunichar) (b0 & 0x07) << 18) | ((gunichar) (text[1] & 0x3F) << 12) |
       ((gunichar) (text[2] & 0x3F) << 6) | (text[3] & 0x3F);
  return 4;
}

/**
 * oai_utf8_make_valid:
 * @bytes: any bytes
 * @length: their length
 * @out_length: (out) (optional): the length of the result
 *
 * Copies @bytes, replacing each maximal invalid subsequence with U+FFFD, as
 * Python's `bytes.decode ("utf-8", "replace")` and tiktoken's
 * `decode (errors="replace")` do.
 *
 * Returns: (transfer full): NUL-terminated UTF-8
 */
char *
oai_utf8_make_valid (const guint8 *bytes,
                     gsize         length,
                     gsize        *out_length)
{
  GString *result = g_string_sized_new (length + 1);
  gsize valid_start = 0, i = 0;

  while (i < length)
    {
      gunichar c;
      guint n;

      if (bytes[i] < 0x80)
        {
          i++;
          continue;
        }
      n = oai_utf8_decode (bytes + i, length - i, &c);
      if (c == OAI_UTF8_INVALID)
        {
          g_string_append_len (result, (const char *) bytes + valid_start, i - valid_start);
          g_string_append (result, "\xEF\xBF\xBD");
          valid_start = i + n;
        }
      i += n;
    }
  g_string_append_len (result, (const char *) bytes + valid_start, length - valid_start);

  if (out_length != NULL)
    *out_length = result->len;
  return g_string_free (result, FALSE);
}

typedef struct
{
  guint8 classes;
  guint8 length;
} Char;

static inline Char
char_at (const OaiPretokenizer *self,
         gsize                  i)
{
  const guint8 *s = self->text + i;
  gunichar c;
  Char ch;

  if (G_LIKELY (*s < 0x80))
    {
      ch.classes = bmp_classes[*s];
      ch.length = 1;
      return ch;
    }

  ch.length = oai_utf8_decode (s, self->length - i, &c);
  ch.classes = c < 0x10000 ? bmp_classes[c] : compute_classes (c);
  return ch;
}

static inline guint8
classes_at (const OaiPretokenizer *self,
            gsize                  i)
{
  return i < self->length ? char_at (self, i).classes : 0;
}

/* (?i:'s|'t|'re|'ve|'m|'ll|'d) at @i, the same set as cl100k's
 * '(?i:[sdmt]|ll|ve|re): the length of the match, or 0. */
static inline gsize
contraction (const OaiPretokenizer *self,
             gsize                  i)
{
  const guint8 *s = self->text + i;
  gsize left = self->length - i;

  if (left < 2 || s[0] != '\'')
    return 0;

  switch (s[1])
    {
    case 's': case 'S': case 't': case 'T': case 'm': case 'M': case 'd': case 'D':
      return 2;
    case 'r': case 'R': case 'v': case 'V':
      return left >= 3 && (s[2] | 0x20) == 'e' ? 3 : 0;
    case 'l': case 'L':
      return left >= 3 && (s[2] | 0x20) == 'l' ? 3 : 0;
    case 0xC5:
      /* U+017F, which case-folds to s. */
      return left >= 3 && s[2] == 0xBF ? 3 : 0;
    default:
      return 0;
    }
}

/* A run of characters that all have one of @classes, from @i. */
static inline gsize
run_end (const OaiPretokenizer *self,
         gsize                  i,
         guint8                 classes)
{
  const guint8 *s = self->text;
  gsize n = self->length;

  while (i < n)
    {
      Char ch;

      /* ASCII without a table walk through the decoder. */
      if (s[i] < 0x80)
        {
          if (!(bmp_classes[s[i]] & classes))
            break;
          i++;
          continue;
        }
      ch = char_at (self, i);
      if (!(ch.classes & classes))
        break;
      i += ch.length;
    }

  return i;
}

/* A run of [^\s\p{L}\p{N}], from @i. */
static inline gsize
punct_end (const OaiPretokenizer *self,
           gsize                  i)
{
  const guint8 *s = self->text;
  gsize n = self->length;

  while (i < n)
    {
      Char ch;

      if (s[i] < 0x80)
        {
          if (bmp_classes[s[i]] & CLS_NOT_PUNCT)
            break;
          i++;
          continue;
        }
      ch = char_at (self, i);
      if (ch.classes & CLS_NOT_PUNCT)
        break;
      i += ch.length;
    }

  return i;
}

/* \p{N}{1,3}, with a number at @i. */
static inline gsize
numbers_end (const OaiPretokenizer *self,
             gsize                  i)
{
  for (guint k = 0; k < 3 && i < self->length; k++)
    {
      Char ch = char_at (self, i);

      if (!(ch.classes & CLS_NUMBER))
        break;
      i += ch.length;
    }
  return i;
}

/* Finds the whitespace run around @i (which is whitespace) unless it is the
 * one already known. */
static void
ensure_run (OaiPretokenizer *self,
            gsize            i)
{
  gsize p = i;

  if (i >= self->run_start && i < self->run_end)
    return;

  self->run_start = i;
  self->run_last_newline = NONE;
  self->run_last_char = i;
  while (p < self->length)
    {
      Char ch = char_at (self, p);

      if (!(ch.classes & CLS_SPACE))
        break;
      if (ch.classes & CLS_NEWLINE)
        self->run_last_newline = p;
      self->run_last_char = p;
      p += ch.length;
    }
  self->run_end = p;
}

/* The end of a whitespace piece at @i once the alternatives that would take
 * the run's last character as a prefix have failed.
 *
 * \s*[\r\n] (cl100k) and \s*[\r\n]+ (o200k): \s* first takes the whole run,
 * then gives characters back until [\r\n] matches, which is at the run's
 * last newline; nothing after that newline is [\r\n], so the match ends right
 * after it in both patterns.
 *
 * \s+(?!\S): at the end of the text the whole run; otherwise \s+ gives back
 * the run's last character, which is then followed by a space. That needs two
 * characters; with one, \s (cl100k) or \s+ (o200k) takes it alone. */
static inline gsize
space_end (OaiPretokenizer *self,
           gsize            i)
{
  if (self->run_last_newline != NONE && self->run_last_newline >= i)
    return self->run_last_newline + 1;
  if (self->run_end == self->length)
    return self->run_end;
  if (self->run_last_char > i)
    return self->run_last_char;
  return self->run_end;
}

/* o200k: [Lu Lt Lm Lo M]*[Ll Lm Lo M]+ (first) or [Lu Lt Lm Lo M]+[Ll Lm Lo M]*
 * (second) from @i, each followed by the optional contraction. Returns NONE
 * when neither matches.
 *
 * The first: U* takes the longest run of U, then gives characters back until
 * a W starts W+; the first try that succeeds is the run's end itself if a W
 * stands there, else the last W inside the run. W+ then runs greedily from
 * there, and nothing after it can fail. The second is only tried when no W
 * was found, so its W* is empty and U+ is the run. */
static inline gsize
o200k_letters_end (const OaiPretokenizer *self,
                   gsize                  i,
                   gboolean               second)
{
  gsize p = i, last_lower = NONE, end;
  gsize n = self->length;

  while (p < n)
    {
      Char ch = char_at (self, p);

      if (ch.classes & CLS_LOWER)
        last_lower = p;
      if (!(ch.classes & CLS_UPPER))
        break;
      p += ch.length;
    }

  if (!second)
    {
      if (last_lower == NONE)
        return NONE;
      end = run_end (self, last_lower, CLS_LOWER);
    }
  else
    {
      if (p == i)
        return NONE;
      end = run_end (self, p, CLS_LOWER);
    }

  return end + contraction (self, end);
}

/* o200k's two word alternatives at @i, whose character has @classes:
 * [^\r\n\p{L}\p{N}]? is greedy, so each alternative is tried with that
 * character as the prefix, then without it. */
static gsize
o200k_word_end (const OaiPretokenizer *self,
                gsize                  i,
                Char                   first)
{
  gboolean prefix = !(first.classes & CLS_NOT_PREFIX);
  gboolean word = (first.classes & CLS_WORD) != 0;
  gsize after = i + first.length;
  gsize end;

  for (guint second = 0; second < 2; second++)
    {
      if (prefix && after < self->length &&
          (end = o200k_letters_end (self, after, second)) != NONE)
        return end;
      if (word && (end = o200k_letters_end (self, i, second)) != NONE)
        return end;
    }

  /* Not reached: callers only come here when one of the four matches. */
  g_assert_not_reached ();
  return after;
}

static gsize
o200k_next (OaiPretokenizer *self,
            gsize            i)
{
  const guint8 *s = self->text;
  gsize n = self->length;
  Char ch = char_at (self, i);
  gsize after = i + ch.length;

  /* \p{N}{1,3}: numbers match neither word alternative. */
  if (ch.classes & CLS_NUMBER)
    return numbers_end (self, i);

  /* A letter or mark always starts a word. */
  if (ch.classes & CLS_WORD)
    return o200k_word_end (self, i, ch);

  if (ch.classes & CLS_SPACE)
    {
      ensure_run (self, i);

      /* Only the run's last character can prefix what follows it. */
      if (after == self->run_end && !(ch.classes & CLS_NEWLINE) && after < n)
        {
          guint8 next = classes_at (self, after);

          if (next & CLS_WORD)
            return o200k_word_end (self, i, ch);
          /* ' '?[^\s\p{L}\p{N}]+[\r\n/]* with the space. */
          if (s[i] == ' ' && !(next & CLS_NOT_PUNCT))
            goto punct;
        }

      return space_end (self, i);
    }

  /* Punctuation, symbols, controls: a prefix if a word follows. */
  if (classes_at (self, after) & CLS_WORD)
    return o200k_word_end (self, i, ch);

punct:
  /* [^\s\p{L}\p{N}]+ then [\r\n/]*, both greedy with nothing after them. */
  {
    gsize end = punct_end (self, after);

    while (end < n && (s[end] == '\r' || s[end] == '\n' || s[end] == '/'))
      end++;
    return end;
  }
}

static gsize
cl100k_next (OaiPretokenizer *self,
             gsize            i)
{
  const guint8 *s = self->text;
  gsize n = self->length;
  Char ch = char_at (self, i);
  gsize after = i + ch.length;
  gsize end;

  /* '(?i:[sdmt]|ll|ve|re) */
  if (s[i] == '\'' && (end = contraction (self, i)) != 0)
    return i + end;

  /* [^\r\n\p{L}\p{N}]?+\p{L}++ without the prefix: a letter is never one. */
  if (ch.classes & CLS_LETTER)
    return run_end (self, i, CLS_LETTER);

  /* \p{N}{1,3}+ */
  if (ch.classes & CLS_NUMBER)
    return numbers_end (self, i);

  if (!(ch.classes & CLS_SPACE))
    {
      /* The possessive prefix: if it cannot be followed by a letter, the
       * alternative fails outright. Anything not a space, letter or number
       * is a possible prefix. */
      if (classes_at (self, after) & CLS_LETTER)
        return run_end (self, after, CLS_LETTER);
      goto punct;
    }

  ensure_run (self, i);
  if (after == self->run_end && after < n)
    {
      guint8 next = classes_at (self, after);

      if (!(ch.classes & CLS_NEWLINE) && (next & CLS_LETTER))
        return run_end (self, after, CLS_LETTER);
      /*  ?[^\s\p{L}\p{N}]++[\r\n]*+ with the space. */
      if (s[i] == ' ' && !(next & CLS_NOT_PUNCT))
        goto punct;
    }

  /* \s++$: the rest of the text is whitespace. */
  if (self->run_end == n)
    return n;

  return space_end (self, i);

punct:
  end = punct_end (self, after);
  while (end < n && (s[end] == '\r' || s[end] == '\n'))
    end++;
  return end;
}

void
oai_pretokenizer_init (OaiPretokenizer     *self,
                       OaiPretokenizerKind  kind,
                       const guint8        *text,
                       gsize                length)
{
  ensure_classes ();

  self->text = text;
  self->length = length;
  self->position = 0;
  self->kind = kind;
  self->run_start = self->run_end = 0;
  self->run_last_newline = self->run_last_char = NONE;
}

/**
 * oai_pretokenizer_next:
 * @self: a pretokenizer
 * @start: (out): where the piece starts
 * @end: (out): where it ends
 *
 * Returns: %FALSE at the end of the text
 */
gboolean
oai_pretokenizer_next (OaiPretokenizer *self,
                       gsize           *start,
                       gsize           *end)
{
  gsize i = self->position;

  if (i >= self->length)
    return FALSE;

  *start = i;
  *end = self->kind == OAI_PRETOKENIZER_O200K ? o200k_next (self, i) : cl100k_next (self, i);
  self->position = *end;
  return TRUE;
}
