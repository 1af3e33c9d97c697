/* fuzz-sse.c: the SSE parser, fed in arbitrary splits
 *
 * The first byte picks where the input is split in two; both pieces, fed in
 * order, must give the same events as the whole.
 */

#include <string.h>

#include "oai-sse-parser-private.h"

static gboolean
collect_cb (const char *event,
            const char *data,
            gsize       len,
            gpointer    user_data)
{
  GString *out = user_data;

  g_assert (strlen (data) <= len);
  g_string_append (out, event);
  g_string_append_c (out, '\n');
  g_string_append_len (out, data, len);
  g_string_append_c (out, '\0');
  return TRUE;
}

static GString *
parse (const guint8 *data,
       gsize         len,
       gsize         split)
{
  GString *out = g_string_new (NULL);
  OaiSseParser *parser = oai_sse_parser_new (collect_cb, out);

  oai_sse_parser_feed (parser, (const char *) data, split);
  oai_sse_parser_feed (parser, (const char *) data + split, len - split);
  oai_sse_parser_finish (parser);
  oai_sse_parser_free (parser);

  return out;
}

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  GString *whole, *split;
  gsize at;

  if (size < 1)
    return 0;
  at = data[0] % size;
  data++;
  size--;
  at = MIN (at, size);

  whole = parse (data, size, size);
  split = parse (data, size, at);
  g_assert (whole->len == split->len && memcmp (whole->str, split->str, whole->len) == 0);
  g_string_free (whole, TRUE);
  g_string_free (split, TRUE);

  return 0;
}
