/* test-sse-parser.c: the WHATWG event-stream rules, under any split
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib.h>

#include "oai-sse-parser-private.h"

static gboolean
collect_cb (const char *event,
            const char *data,
            gsize       data_len,
            gpointer    user_data)
{
  GString *out = user_data;

  g_assert_cmpuint (strlen (data), ==, data_len);
  g_string_append_printf (out, "[%s|%s]", event, data);
  return TRUE;
}

/* Feeds @input in pieces at the given split points, then finishes. */
static char *
parse_split (const char  *input,
             gsize        len,
             const gsize *splits,
             guint        n_splits)
{
  GString *out = g_string_new (NULL);
  g_autoptr(OaiSseParser) parser = oai_sse_parser_new (collect_cb, out);
  gsize pos = 0;

  for (guint i = 0; i <= n_splits; i++)
    {
      gsize next = i < n_splits ? splits[i] : len;
      oai_sse_parser_feed (parser, input + pos, next - pos);
      pos = next;
    }
  oai_sse_parser_finish (parser);

  return g_string_free (out, FALSE);
}

static char *
parse (const char *input)
{
  return parse_split (input, strlen (input), NULL, 0);
}

static void
check (const char *input,
       const char *expected)
{
  g_autofree char *whole = parse (input);
  gsize len = strlen (input);

  g_assert_cmpstr (whole, ==, expected);

  /* Every split into two pieces, and into single bytes, gives the same events. */
  for (gsize i = 0; i <= len; i++)
    {
      g_autofree char *two = parse_split (input, len, &i, 1);
      g_assert_cmpstr (two, ==, expected);
    }
  {
    g_autofree gsize *splits = g_new (gsize, len);
    g_autofree char *bytes = NULL;

    for (gsize i = 0; i < len; i++)
      splits[i] = i;
    bytes = parse_split (input, len, splits, len);
    g_assert_cmpstr (bytes, ==, expected);
  }
}

static void
test_basic (void)
{
  check ("data: hello\n\n", "[message|hello]");
  check ("data:hello\n\n", "[message|hello]");
  /* Only one space is removed. */
  check ("data:  two spaces\n\n", "[message| two spaces]");
  check ("data: a\ndata: b\ndata:\n\n", "[message|a\nb\n]");
  check ("data: [DONE]\n\n", "[message|[DONE]]");
  check ("data\n\n", "[message|]");
  check ("data: one\n\ndata: two\n\n", "[message|one][message|two]");
  check ("data: a:b:c\n\n", "[message|a:b:c]");
}

static void
test_fields (void)
{
  g_autoptr(OaiSseParser) parser = NULL;
  GString *out = g_string_new (NULL);
  const char *stream = "retry: 2500\nid: 42\nevent: error\ndata: {\"x\":1}\n\n"
                       "retry: soon\nid\ndata: plain\n\n";

  check ("event: update\ndata: x\n\n", "[update|x]");
  /* The type is reset after each event. */
  check ("event: update\ndata: x\n\ndata: y\n\n", "[update|x][message|y]");
  /* An event with no data is not dispatched, and its type does not stick. */
  check ("event: ping\n\ndata: y\n\n", "[message|y]");
  /* Unknown fields are ignored. */
  check ("foo: bar\ndata: y\nbaz\n\n", "[message|y]");

  parser = oai_sse_parser_new (collect_cb, out);
  oai_sse_parser_feed (parser, stream, strlen (stream));
  oai_sse_parser_finish (parser);
  g_assert_cmpstr (out->str, ==, "[error|{\"x\":1}][message|plain]");
  /* "retry: soon" is not a number and leaves the value alone; an empty id resets it. */
  g_assert_cmpint (oai_sse_parser_get_retry (parser), ==, 2500);
  g_assert_cmpstr (oai_sse_parser_get_last_event_id (parser), ==, "");
  g_string_free (out, TRUE);
}

static void
test_comments (void)
{
  check (": keep-alive\n\ndata: x\n\n", "[message|x]");
  check (":\n: OPENROUTER PROCESSING\ndata: x\n: between\n\n", "[message|x]");
}

static void
test_line_endings (void)
{
  check ("data: a\r\n\r\ndata: b\r\n\r\n", "[message|a][message|b]");
  check ("data: a\r\rdata: b\r\r", "[message|a][message|b]");
  check ("data: a\r\ndata: b\rdata: c\n\r\n", "[message|a\nb\nc]");
  /* CR then LF are one line ending, LF then CR are two. */
  check ("data: a\n\rdata: b\n\n", "[message|a][message|b]");
}

static void
test_utf8_split (void)
{
  /* Every split, including inside the multi-byte characters, is covered by check (). */
  check ("data: h\xC3\xA9llo \xE2\x98\x83 \xF0\x9F\x98\x80\n\n", "[message|h\xC3\xA9llo \xE2\x98\x83 \xF0\x9F\x98\x80]");
}

static void
test_end_of_stream (void)
{
  /* A last event without its blank line, or even without its line ending. */
  check ("data: a\n\ndata: last\n", "[message|a][message|last]");
  check ("data: a\n\ndata: last", "[message|a][message|last]");
  check ("data: a\r", "[message|a]");
  check ("", "");
  check ("\n\n\n", "");
}

static void
test_bom (void)
{
  check ("\xEF\xBB\xBF" "data: x\n\n", "[message|x]");
  /* Only at the very start. */
  check ("data: x\n\n\xEF\xBB\xBF" "data: y\n\n", "[message|x]");
  /* Something that starts like a BOM but is not one. */
  check ("\xEF\xBB" "data: x\n\n", "");
}

static gboolean
stop_cb (const char *event,
         const char *data,
         gsize       data_len,
         gpointer    user_data)
{
  guint *count = user_data;
  (*count)++;
  return FALSE;
}

static void
test_stop (void)
{
  g_autoptr(OaiSseParser) parser = NULL;
  const char *stream = "data: 1\n\ndata: 2\n\ndata: 3\n\n";
  guint count = 0;

  parser = oai_sse_parser_new (stop_cb, &count);
  g_assert_false (oai_sse_parser_feed (parser, stream, strlen (stream)));
  g_assert_false (oai_sse_parser_feed (parser, stream, strlen (stream)));
  g_assert_false (oai_sse_parser_finish (parser));
  g_assert_cmpuint (count, ==, 1);
}

static void
test_random_splits (void)
{
  GString *stream = g_string_new (NULL);
  GString *expected = g_string_new (NULL);
  static const char *endings[] = { "\n", "\r\n", "\r" };

  for (guint i = 0; i < 500; i++)
    {
      const char *eol = endings[g_test_rand_int_range (0, 3)];

      g_string_append_printf (stream, ": ping %u%s", i, eol);
      g_string_append_printf (stream, "data: {\"n\":%u,\"t\":\"caf\xC3\xA9 \xF0\x9F\x98\x80\"}%s%s",
                              i, eol, eol);
      g_string_append_printf (expected, "[message|{\"n\":%u,\"t\":\"caf\xC3\xA9 \xF0\x9F\x98\x80\"}]", i);
    }

  for (guint round = 0; round < 50; round++)
    {
      g_autoptr(GArray) splits = g_array_new (FALSE, FALSE, sizeof (gsize));
      g_autofree char *out = NULL;
      gsize pos = 0;

      while (TRUE)
        {
          pos += g_test_rand_int_range (1, 200);
          if (pos >= stream->len)
            break;
          g_array_append_val (splits, pos);
        }
      out = parse_split (stream->str, stream->len, (gsize *) splits->data, splits->len);
      g_assert_cmpstr (out, ==, expected->str);
    }

  g_string_free (stream, TRUE);
  g_string_free (expected, TRUE);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/oai/sse/basic", test_basic);
  g_test_add_func ("/oai/sse/fields", test_fields);
  g_test_add_func ("/oai/sse/comments", test_comments);
  g_test_add_func ("/oai/sse/line-endings", test_line_endings);
  g_test_add_func ("/oai/sse/utf8-split", test_utf8_split);
  g_test_add_func ("/oai/sse/end-of-stream", test_end_of_stream);
  g_test_add_func ("/oai/sse/bom", test_bom);
  g_test_add_func ("/oai/sse/stop", test_stop);
  g_test_add_func ("/oai/sse/random-splits", test_random_splits);

  return g_test_run ();
}
