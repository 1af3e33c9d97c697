/* oai-chunk-scanner.c: the common stream chunk, read without a tree
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "oai-chunk-scanner-private.h"

typedef struct
{
  const char *p;
  const char *end;
} Cursor;

static inline void
skip_space (Cursor *c)
{
  while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
    c->p++;
}

static inline gboolean
eat (Cursor *c,
     char    ch)
{
  skip_space (c);
  if (c->p < c->end && *c->p == ch)
    {
      c->p++;
      return TRUE;
    }
  return FALSE;
}

static int
hex_value (char ch)
{
  if (ch >= '0' && ch <= '9')
    return ch - '0';
  if (ch >= 'a' && ch <= 'f')
    return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F')
    return ch - 'A' + 10;
  return -1;
}

/* A string, decoded into @out when not NULL. */
static gboolean
read_string (Cursor  *c,
             GString *out)
{
  skip_space (c);
  if (c->p >= c->end || *c->p != '"')
    return FALSE;
  c->p++;

  for (;;)
    {
      const char *start = c->p;

      while (c->p < c->end && *c->p != '"' && *c->p != '\\' && (guchar) *c->p >= 0x20)
        c->p++;
      if (c->p >= c->end || (guchar) *c->p < 0x20)
        return FALSE;
      if (out != NULL)
        g_string_append_len (out, start, c->p - start);
      if (*c->p == '"')
        {
          c->p++;
          return TRUE;
        }

      c->p++;                   /* the backslash */
      if (c->p >= c->end)
        return FALSE;
      switch (*c->p)
        {
        case '"': case '\\': case '/':
          if (out != NULL)
            g_string_append_c (out, *c->p);
          break;
        case 'b': if (out) g_string_append_c (out, '\b'); break;
        case 'f': if (out) g_string_append_c (out, '\f'); break;
        case 'n': if (out) g_string_append_c (out, '\n'); break;
        case 'r': if (out) g_string_append_c (out, '\r'); break;
        case 't': if (out) g_string_append_c (out, '\t'); break;
        case 'u':
          {
            gunichar u = 0;

            if (c->end - c->p < 5)
              return FALSE;
            for (int i = 1; i <= 4; i++)
              {
                int h = hex_value (c->p[i]);
                if (h < 0)
                  return FALSE;
                u = u * 16 + h;
              }
            /* NUL and surrogate pairs: json-glib decides. */
            if (u == 0 || (u >= 0xD800 && u <= 0xDFFF))
              return FALSE;
            if (out != NULL)
              g_string_append_unichar (out, u);
            c->p += 4;
            break;
          }
        default:
          return FALSE;
        }
      c->p++;
    }
}

static gboolean
read_literal (Cursor     *c,
              const char *literal,
              gsize       len)
{
  skip_space (c);
  if ((gsize) (c->end - c->p) < len || memcmp (c->p, literal, len) != 0)
    return FALSE;
  c->p += len;
  return TRUE;
}

/* Integers only; anything else is the slow path's to judge. */
static gboolean
read_int (Cursor *c,
          gint64 *value)
{
  const char *start;
  gboolean negative = FALSE;
  gint64 v = 0;

  skip_space (c);
  if (c->p < c->end && *c->p == '-')
    {
      negative = TRUE;
      c->p++;
    }
  start = c->p;
  /* JSON allows no leading zero ("09"); json-glib refuses it, so do we. */
  if (c->end - c->p >= 2 && c->p[0] == '0' && g_ascii_isdigit (c->p[1]))
    return FALSE;
  while (c->p < c->end && *c->p >= '0' && *c->p <= '9' && c->p - start < 18)
    v = v * 10 + (*c->p++ - '0');
  if (c->p == start ||
      (c->p < c->end && (*c->p == '.' || *c->p == 'e' || *c->p == 'E' ||
                         (*c->p >= '0' && *c->p <= '9'))))
    return FALSE;

  *value = negative ? -v : v;
  return TRUE;
}

static gboolean
read_null (Cursor *c)
{
  return read_literal (c, "null", 4);
}

static gboolean
skip_value (Cursor *c,
            int     depth)
{
  gint64 ignored;

  if (depth > 16)
    return FALSE;

  skip_space (c);
  if (c->p >= c->end)
    return FALSE;

  switch (*c->p)
    {
    case '"':
      return read_string (c, NULL);
    case 'n':
      return read_literal (c, "null", 4);
    case 't':
      return read_literal (c, "true", 4);
    case 'f':
      return read_literal (c, "false", 5);
    case '{':
      c->p++;
      if (eat (c, '}'))
        return TRUE;
      do
        if (!read_string (c, NULL) || !eat (c, ':') || !skip_value (c, depth + 1))
          return FALSE;
      while (eat (c, ','));
      return eat (c, '}');
    case '[':
      c->p++;
      if (eat (c, ']'))
        return TRUE;
      do
        if (!skip_value (c, depth + 1))
          return FALSE;
      while (eat (c, ','));
      return eat (c, ']');
    default:
      return read_int (c, &ignored);
    }
}

/* A member name without escapes, compared in place. */
static gboolean
read_key (Cursor      *c,
          const char **key,
          gsize       *len)
{
  skip_space (c);
  if (c->p >= c->end || *c->p != '"')
    return FALSE;
  *key = ++c->p;
  while (c->p < c->end && *c->p != '"' && *c->p != '\\')
    c->p++;
  if (c->p >= c->end || *c->p != '"')
    return FALSE;
  *len = c->p - *key;
  c->p++;
  return eat (c, ':');
}

#define KEY_IS(key, len, literal) ((len) == sizeof literal - 1 && memcmp ((key), literal, (len)) == 0)

/* Each member once: json-glib keeps the last of duplicates, we decline them. */
#define ONCE(flag) G_STMT_START { if (flag) return FALSE; flag = TRUE; } G_STMT_END

static gboolean
read_delta (OaiStreamChunk *chunk,
            Cursor         *c)
{
  gboolean seen_content = FALSE, seen_role = FALSE;
  const char *key;
  gsize len;

  if (read_null (c))
    return TRUE;
  if (!eat (c, '{'))
    return FALSE;
  if (eat (c, '}'))
    return TRUE;

  do
    {
      if (!read_key (c, &key, &len))
        return FALSE;
      if (KEY_IS (key, len, "content"))
        {
          ONCE (seen_content);
          if (read_null (c))
            continue;
          if (!read_string (c, chunk->content))
            return FALSE;
          chunk->has_content = TRUE;
        }
      else if (KEY_IS (key, len, "role"))
        {
          ONCE (seen_role);
          if (!skip_value (c, 3))
            return FALSE;
        }
      else if (KEY_IS (key, len, "refusal") || KEY_IS (key, len, "tool_calls"))
        {
          /* Only their null form: anything else is the slow path's. */
          if (!read_null (c))
            return FALSE;
        }
      else if (!skip_value (c, 3))
        return FALSE;
    }
  while (eat (c, ','));

  return eat (c, '}');
}

static gboolean
read_choices (OaiStreamChunk *chunk,
              Cursor         *c)
{
  gboolean seen_index = FALSE, seen_finish = FALSE, seen_delta = FALSE;
  gint64 index = 0;
  const char *key;
  gsize len;

  if (!eat (c, '['))
    return FALSE;
  if (eat (c, ']'))
    return TRUE;
  if (!eat (c, '{'))
    return FALSE;
  chunk->has_choice = TRUE;

  if (!eat (c, '}'))
    {
      do
        {
          if (!read_key (c, &key, &len))
            return FALSE;
          if (KEY_IS (key, len, "index"))
            {
              ONCE (seen_index);
              if (!read_int (c, &index))
                return FALSE;
            }
          else if (KEY_IS (key, len, "finish_reason"))
            {
              ONCE (seen_finish);
              if (read_null (c))
                continue;
              if (!read_string (c, chunk->finish_reason))
                return FALSE;
              chunk->has_finish_reason = TRUE;
            }
          else if (KEY_IS (key, len, "delta"))
            {
              ONCE (seen_delta);
              if (!read_delta (chunk, c))
                return FALSE;
            }
          else if (!skip_value (c, 2))
            return FALSE;
        }
      while (eat (c, ','));
      if (!eat (c, '}'))
        return FALSE;
    }

  /* One choice, the first: several are the slow path's. */
  return index == 0 && eat (c, ']');
}

void
oai_stream_chunk_init (OaiStreamChunk *chunk)
{
  memset (chunk, 0, sizeof *chunk);
  chunk->content = g_string_sized_new (256);
  chunk->finish_reason = g_string_sized_new (32);
  chunk->id = g_string_sized_new (64);
  chunk->model = g_string_sized_new (64);
}

void
oai_stream_chunk_clear (OaiStreamChunk *chunk)
{
  g_string_free (chunk->content, TRUE);
  g_string_free (chunk->finish_reason, TRUE);
  g_string_free (chunk->id, TRUE);
  g_string_free (chunk->model, TRUE);
  memset (chunk, 0, sizeof *chunk);
}

/*
 * oai_stream_chunk_scan:
 * @data: one event's data
 *
 * Returns: %TRUE if @data is a chunk of the common shape, read into @chunk;
 *   %FALSE if it is anything else, for json-glib to read
 */
gboolean
oai_stream_chunk_scan (OaiStreamChunk *chunk,
                       const char     *data,
                       gsize           len)
{
  Cursor c = { data, data + len };
  gboolean seen_id = FALSE, seen_model = FALSE, seen_created = FALSE, seen_choices = FALSE;
  gboolean seen_usage = FALSE, seen_error = FALSE;
  const char *key;
  gsize key_len;

  g_string_truncate (chunk->content, 0);
  g_string_truncate (chunk->finish_reason, 0);
  g_string_truncate (chunk->id, 0);
  g_string_truncate (chunk->model, 0);
  chunk->created = 0;
  chunk->has_content = chunk->has_finish_reason = chunk->has_id = chunk->has_model = FALSE;
  chunk->has_choice = FALSE;

  if (!eat (&c, '{'))
    return FALSE;
  if (!eat (&c, '}'))
    {
      do
        {
          if (!read_key (&c, &key, &key_len))
            return FALSE;
          if (KEY_IS (key, key_len, "id"))
            {
              ONCE (seen_id);
              if (read_null (&c))
                continue;
              if (!read_string (&c, chunk->id))
                return FALSE;
              chunk->has_id = TRUE;
            }
          else if (KEY_IS (key, key_len, "model"))
            {
              ONCE (seen_model);
              if (read_null (&c))
                continue;
              if (!read_string (&c, chunk->model))
                return FALSE;
              chunk->has_model = TRUE;
            }
          else if (KEY_IS (key, key_len, "created"))
            {
              ONCE (seen_created);
              if (read_null (&c))
                continue;
              if (!read_int (&c, &chunk->created))
                return FALSE;
            }
          else if (KEY_IS (key, key_len, "usage"))
            {
              ONCE (seen_usage);
              if (!read_null (&c))
                return FALSE;
            }
          else if (KEY_IS (key, key_len, "error"))
            {
              ONCE (seen_error);
              if (!read_null (&c))
                return FALSE;
            }
          else if (KEY_IS (key, key_len, "choices"))
            {
              ONCE (seen_choices);
              if (!read_choices (chunk, &c))
                return FALSE;
            }
          else if (!skip_value (&c, 1))
            return FALSE;
        }
      while (eat (&c, ','));
      if (!eat (&c, '}'))
        return FALSE;
    }

  skip_space (&c);
  if (c.p != c.end)
    return FALSE;

  /* json-glib refuses invalid UTF-8 anywhere; so do we, by declining. */
  return g_utf8_validate_len (data, len, NULL);
}
