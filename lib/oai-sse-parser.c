/* oai-sse-parser.c: server-sent events, incrementally
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "oai-sse-parser-private.h"

struct _OaiSseParser
{
  OaiSseEventFunc func;
  gpointer user_data;

  GString *line;                /* a line not yet ended */
  GString *data;                /* the event's data so far */
  GString *event;               /* the event's type, empty for "message" */
  char *last_event_id;
  gint64 retry;                 /* -1 until the server sets it */
  guint skip_lf : 1;            /* the last line ended with CR: a LF may follow */
  guint started : 1;            /* past a leading byte order mark */
  guint stopped : 1;            /* the callback asked to stop */
};

OaiSseParser *
oai_sse_parser_new (OaiSseEventFunc func,
                    gpointer        user_data)
{
  OaiSseParser *self = g_new0 (OaiSseParser, 1);

  self->func = func;
  self->user_data = user_data;
  self->line = g_string_sized_new (256);
  self->data = g_string_sized_new (256);
  self->event = g_string_new (NULL);
  self->retry = -1;

  return self;
}

void
oai_sse_parser_free (OaiSseParser *self)
{
  if (self == NULL)
    return;

  g_string_free (self->line, TRUE);
  g_string_free (self->data, TRUE);
  g_string_free (self->event, TRUE);
  g_free (self->last_event_id);
  g_free (self);
}

static void
dispatch (OaiSseParser *self)
{
  /* An event with no data line is not dispatched, and resets the type. */
  if (self->data->len > 0)
    {
      /* The data lines were each followed by "\n"; the last one is dropped. */
      g_string_truncate (self->data, self->data->len - 1);
      if (!self->func (self->event->len > 0 ? self->event->str : "message",
                       self->data->str, self->data->len, self->user_data))
        self->stopped = TRUE;
    }

  g_string_truncate (self->data, 0);
  g_string_truncate (self->event, 0);
}

static gboolean
parse_retry (const char *value,
             gint64     *retry)
{
  guint64 v;

  if (*value == '\0')
    return FALSE;
  for (const char *p = value; *p; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;

  v = g_ascii_strtoull (value, NULL, 10);
  *retry = (gint64) MIN (v, (guint64) G_MAXINT64);
  return TRUE;
}

static void
process_line (OaiSseParser *self,
              const char   *line,
              gsize         len)
{
  const char *colon;
  const char *value;
  gsize name_len, value_len;

  if (len == 0)
    {
      dispatch (self);
      return;
    }

  if (line[0] == ':')
    return;                     /* a comment, often a keep-alive */

  colon = memchr (line, ':', len);
  if (colon != NULL)
    {
      name_len = colon - line;
      value = colon + 1;
      value_len = len - name_len - 1;
      if (value_len > 0 && value[0] == ' ')
        {
          value++;
          value_len--;
        }
    }
  else
    {
      name_len = len;
      value = "";
      value_len = 0;
    }

#define FIELD_IS(name) (name_len == sizeof name - 1 && memcmp (line, name, name_len) == 0)
  if (FIELD_IS ("data"))
    {
      g_string_append_len (self->data, value, value_len);
      g_string_append_c (self->data, '\n');
    }
  else if (FIELD_IS ("event"))
    {
      g_string_truncate (self->event, 0);
      g_string_append_len (self->event, value, value_len);
    }
  else if (FIELD_IS ("id"))
    {
      /* An id containing NUL is ignored. */
      if (memchr (value, '\0', value_len) == NULL)
        {
          g_free (self->last_event_id);
          self->last_event_id = g_strndup (value, value_len);
        }
    }
  else if (FIELD_IS ("retry"))
    {
      g_autofree char *text = g_strndup (value, value_len);
      parse_retry (text, &self->retry);
    }
  /* Any other field is ignored. */
#undef FIELD_IS
}

/*
 * oai_sse_parser_feed:
 * @data: the next bytes of the stream, split anywhere (inside a line, a CRLF
 *   or a UTF-8 character)
 *
 * Calls the event function for every event these bytes complete.
 *
 * Returns: %FALSE once the event function asked to stop
 */
gboolean
oai_sse_parser_feed (OaiSseParser *self,
                     const char   *data,
                     gsize         len)
{
  const char *p = data;
  const char *end = data + len;

  if (self->stopped)
    return FALSE;

  if (!self->started)
    {
      /* A UTF-8 byte order mark may open the stream; it may itself be split. */
      static const char bom[] = "\xEF\xBB\xBF";
      gsize have = self->line->len;

      while (p < end && have < 3 && (guchar) *p == (guchar) bom[have])
        {
          g_string_append_c (self->line, *p++);
          have++;
        }
      if (have == 3)
        {
          g_string_truncate (self->line, 0);
          self->started = TRUE;
        }
      else if (p < end)
        self->started = TRUE;   /* not a BOM: what was held back is data */
      else
        return TRUE;
    }

  if (self->skip_lf && p < end)
    {
      if (*p == '\n')
        p++;
      self->skip_lf = FALSE;
    }

  while (p < end && !self->stopped)
    {
      const char *eol = p;

      while (eol < end && *eol != '\n' && *eol != '\r')
        eol++;

      if (eol == end)
        {
          g_string_append_len (self->line, p, end - p);
          break;
        }

      if (self->line->len > 0)
        {
          g_string_append_len (self->line, p, eol - p);
          process_line (self, self->line->str, self->line->len);
          g_string_truncate (self->line, 0);
        }
      else
        process_line (self, p, eol - p);

      if (*eol == '\r')
        {
          if (eol + 1 < end)
            {
              if (eol[1] == '\n')
                eol++;
            }
          else
            self->skip_lf = TRUE;
        }
      p = eol + 1;
    }

  return !self->stopped;
}

/*
 * oai_sse_parser_finish:
 *
 * The stream has ended. A last line without its line ending, and a last
 * event without its blank line, are dispatched: servers do end that way.
 *
 * Returns: %FALSE if the event function asked to stop
 */
gboolean
oai_sse_parser_finish (OaiSseParser *self)
{
  if (self->stopped)
    return FALSE;

  if (!self->started)
    self->started = TRUE;       /* a lone partial BOM is data */

  if (self->line->len > 0)
    {
      process_line (self, self->line->str, self->line->len);
      g_string_truncate (self->line, 0);
    }
  if (!self->stopped)
    dispatch (self);

  return !self->stopped;
}

const char *
oai_sse_parser_get_last_event_id (OaiSseParser *self)
{
  return self->last_event_id;
}

gint64
oai_sse_parser_get_retry (OaiSseParser *self)
{
  return self->retry;
}
