/* test-tokenizer.c: OaiTokenizer against tiktoken's ids
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include <json-glib/json-glib.h>
#include <openai-glib.h>

#include "oai-bpe-private.h"
#include "oai-pretokenizer-private.h"

static const char *encodings[] = { "o200k_base", "cl100k_base" };

static JsonObject *
load_corpus (void)
{
  static JsonParser *parser = NULL;

  if (parser == NULL)
    {
      g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", "tokenizer",
                                                     "corpus.json", NULL);
      g_autoptr(GError) error = NULL;

      parser = json_parser_new ();
      json_parser_load_from_file (parser, path, &error);
      g_assert_no_error (error);
    }
  return json_node_get_object (json_parser_get_root (parser));
}

static guint32 *
ids_from_json (JsonArray *array,
               gsize     *n)
{
  guint32 *ids;

  *n = json_array_get_length (array);
  ids = g_new (guint32, *n + 1);
  for (gsize i = 0; i < *n; i++)
    ids[i] = (guint32) json_array_get_int_element (array, i);
  return ids;
}

static void
assert_ids (const char    *label,
            const guint32 *got,
            gsize          n_got,
            const guint32 *expected,
            gsize          n_expected)
{
  for (gsize i = 0; i < MIN (n_got, n_expected); i++)
    if (got[i] != expected[i])
      g_error ("%s: id %" G_GSIZE_FORMAT " is %u, tiktoken gives %u", label, i, got[i], expected[i]);
  if (n_got != n_expected)
    g_error ("%s: %" G_GSIZE_FORMAT " ids, tiktoken gives %" G_GSIZE_FORMAT, label, n_got,
             n_expected);
}

static OaiTokenizer *
tokenizer_new (const char *encoding)
{
  g_autoptr(GError) error = NULL;
  OaiTokenizer *tokenizer = oai_tokenizer_new (encoding, &error);

  g_assert_no_error (error);
  g_assert_true (OAI_IS_TOKENIZER (tokenizer));
  return tokenizer;
}

static void
check_encode (OaiTokenizer  *tokenizer,
              const char    *text,
              gssize         length,
              const guint32 *expected,
              gsize          n_expected)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint32 *ids = NULL;
  g_autofree char *decoded = NULL;
  g_autofree char *label = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize n = 0;

  if (length < 0)
    length = strlen (text);
  label = g_strdup_printf ("%s “%.*s”", oai_tokenizer_get_encoding (tokenizer),
                           (int) MIN (length, 60), text);

  ids = oai_tokenizer_encode (tokenizer, text, length, &n);
  g_assert_nonnull (ids);
  assert_ids (label, ids, n, expected, n_expected);
  g_assert_cmpuint (oai_tokenizer_count (tokenizer, text, length), ==, n_expected);

  bytes = oai_tokenizer_decode_bytes (tokenizer, ids, n, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), text, length);

  /* The text as a C string, NUL bytes aside. */
  decoded = oai_tokenizer_decode (tokenizer, ids, n, &error);
  g_assert_no_error (error);
  if (memchr (text, 0, length) == NULL)
    g_assert_cmpmem (decoded, strlen (decoded), text, length);
}

static void
test_public_vectors (void)
{
  static const struct {
    const char *encoding;
    const char *text;
    guint32 ids[10];
    gsize n;
  } vectors[] = {
    { "cl100k_base", "hello world", { 15339, 1917 }, 2 },
    { "cl100k_base", "rer", { 38149 }, 1 },
    { "cl100k_base", "'rer", { 2351, 81 }, 2 },
    { "cl100k_base", "today\n ", { 31213, 198, 220 }, 3 },
    { "cl100k_base", "today\n \n", { 31213, 27907 }, 2 },
    { "cl100k_base", "today\n  \n", { 31213, 14211 }, 2 },
    { "cl100k_base", "👍", { 9468, 239, 235 }, 3 },
    { "cl100k_base", "", { 0 }, 0 },
    { "cl100k_base", " \xc2\x85" "0", { 220, 126, 227, 15 }, 4 },
    { "o200k_base", "hello world", { 24912, 2375 }, 2 },
    { "o200k_base", "This is some text", { 2500, 382, 1236, 2201 }, 4 },
    { "o200k_base", "indivisible", { 521, 349, 181386 }, 3 },
    { "o200k_base", "hello 👋 world 🌍", { 24912, 61138, 233, 2375, 130321, 235 }, 6 },
    { "o200k_base", "antidisestablishmentarianism",
      { 493, 129901, 376, 160388, 21203, 2367 }, 6 },
    { "o200k_base", "2 + 2 = 4", { 17, 659, 220, 17, 314, 220, 19 }, 7 },
    { "o200k_base", "お誕生日おめでとう",
      { 8930, 9697, 243, 128225, 8930, 17693, 4344, 48669 }, 8 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (vectors); i++)
    {
      g_autoptr(OaiTokenizer) tokenizer = tokenizer_new (vectors[i].encoding);

      check_encode (tokenizer, vectors[i].text, -1, vectors[i].ids, vectors[i].n);
    }

  /* cl100k with special tokens allowed. */
  {
    g_autoptr(OaiTokenizer) tokenizer = tokenizer_new ("cl100k_base");
    static const guint32 expected[] = { 15339, 220, 100257 };
    g_autofree guint32 *ids = NULL;
    gsize n;

    ids = oai_tokenizer_encode_with_special (tokenizer, "hello <|endoftext|>", -1, &n);
    assert_ids ("hello <|endoftext|>", ids, n, expected, G_N_ELEMENTS (expected));
  }
}

static void
test_table (void)
{
  /* Every token of the rank tables is found again by its bytes: the hash of
   * the generator and of the library agree. */
  for (guint e = 0; e < G_N_ELEMENTS (encodings); e++)
    {
      const OaiBpeEncoding *encoding = oai_bpe_encoding_get (encodings[e]);
      guint32 expected_ranks = e == 0 ? 199998 : 100256;

      g_assert_nonnull (encoding);
      g_assert_true (encoding == oai_bpe_encoding_get (encodings[e]));
      g_assert_cmpuint (encoding->n_ranks, ==, expected_ranks);

      for (guint32 rank = 0; rank < encoding->n_ranks; rank++)
        {
          gsize length;
          const guint8 *bytes = oai_bpe_token_bytes (encoding, rank, &length);

          g_assert_nonnull (bytes);
          g_assert_cmpuint (length, >, 0);
          g_assert_cmpuint (oai_bpe_lookup (encoding, bytes, length), ==, rank);
        }
      g_assert_cmpuint (oai_bpe_lookup (encoding, (const guint8 *) "<|endoftext|>", 13), ==,
                        OAI_BPE_NO_RANK);
    }
  g_assert_null (oai_bpe_encoding_get ("p50k_base"));
}

static void
test_corpus (void)
{
  JsonObject *corpus = load_corpus ();
  JsonArray *cases = json_object_get_array_member (corpus, "cases");
  guint n_cases = json_array_get_length (cases);
  g_autoptr(OaiTokenizer) o200k = tokenizer_new ("o200k_base");
  g_autoptr(OaiTokenizer) cl100k = tokenizer_new ("cl100k_base");
  gsize n_ids = 0;

  g_assert_cmpuint (n_cases, >=, 300);
  for (guint i = 0; i < n_cases; i++)
    {
      JsonObject *c = json_array_get_object_element (cases, i);
      const char *text = json_object_get_string_member (c, "text");
      g_autofree guchar *decoded = NULL;
      gsize length = strlen (text);

      /* Texts with NUL come in base64 too. */
      if (json_object_has_member (c, "text_base64"))
        {
          decoded = g_base64_decode (json_object_get_string_member (c, "text_base64"), &length);
          text = (const char *) decoded;
        }

      for (guint e = 0; e < G_N_ELEMENTS (encodings); e++)
        {
          g_autofree guint32 *expected = NULL;
          gsize n_expected;

          expected = ids_from_json (json_object_get_array_member (c, encodings[e]), &n_expected);
          check_encode (e == 0 ? o200k : cl100k, text, length, expected, n_expected);
          n_ids += n_expected;
        }
    }
  g_test_message ("%u texts, %" G_GSIZE_FORMAT " ids compared", n_cases, n_ids);
}

static void
test_special (void)
{
  JsonObject *corpus = load_corpus ();
  JsonArray *cases = json_object_get_array_member (corpus, "special");
  static const struct {
    const char *encoding;
    const char *text;
    guint32 id;
  } specials[] = {
    { "o200k_base", "<|endoftext|>", 199999 },
    { "o200k_base", "<|endofprompt|>", 200018 },
    { "cl100k_base", "<|endoftext|>", 100257 },
    { "cl100k_base", "<|fim_prefix|>", 100258 },
    { "cl100k_base", "<|fim_middle|>", 100259 },
    { "cl100k_base", "<|fim_suffix|>", 100260 },
    { "cl100k_base", "<|endofprompt|>", 100276 },
  };

  g_assert_cmpuint (json_array_get_length (cases), >, 0);
  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *c = json_array_get_object_element (cases, i);
      const char *text = json_object_get_string_member (c, "text");

      for (guint e = 0; e < G_N_ELEMENTS (encodings); e++)
        {
          g_autoptr(OaiTokenizer) tokenizer = tokenizer_new (encodings[e]);
          g_autofree guint32 *expected = NULL, *ids = NULL;
          g_autofree char *decoded = NULL;
          gsize n_expected, n;

          expected = ids_from_json (json_object_get_array_member (c, encodings[e]), &n_expected);
          ids = oai_tokenizer_encode_with_special (tokenizer, text, -1, &n);
          assert_ids (text, ids, n, expected, n_expected);

          decoded = oai_tokenizer_decode (tokenizer, ids, n, NULL);
          g_assert_cmpstr (decoded, ==, text);
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (specials); i++)
    {
      g_autoptr(OaiTokenizer) tokenizer = tokenizer_new (specials[i].encoding);
      g_autofree guint32 *with = NULL, *without = NULL;
      g_autofree char *decoded = NULL;
      gsize n_with, n_without;

      with = oai_tokenizer_encode_with_special (tokenizer, specials[i].text, -1, &n_with);
      g_assert_cmpuint (n_with, ==, 1);
      g_assert_cmpuint (with[0], ==, specials[i].id);

      /* Ordinary text otherwise: several tokens, none of them special. */
      without = oai_tokenizer_encode (tokenizer, specials[i].text, -1, &n_without);
      g_assert_cmpuint (n_without, >, 1);
      for (gsize k = 0; k < n_without; k++)
        g_assert_cmpuint (without[k], <, oai_bpe_encoding_get (specials[i].encoding)->n_ranks);
      g_assert_cmpuint (oai_tokenizer_count (tokenizer, specials[i].text, -1), ==, n_without);

      decoded = oai_tokenizer_decode (tokenizer, &specials[i].id, 1, NULL);
      g_assert_cmpstr (decoded, ==, specials[i].text);
    }
}

static void
test_roundtrip_bytes (void)
{
  g_autoptr(OaiTokenizer) tokenizer = tokenizer_new ("o200k_base");
  g_autoptr(GError) error = NULL;
  /* Embedded NUL and an explicit length. */
  static const char text[] = "a\0b\0\0c <|endoftext|>\0";
  g_autofree guint32 *ids = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *decoded = NULL;
  gsize n;

  ids = oai_tokenizer_encode (tokenizer, text, sizeof text - 1, &n);
  g_assert_cmpuint (n, ==, oai_tokenizer_count (tokenizer, text, sizeof text - 1));
  bytes = oai_tokenizer_decode_bytes (tokenizer, ids, n, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), text, sizeof text - 1);

  /* A cut through a character decodes to U+FFFD, its bytes stay exact. */
  g_clear_pointer (&ids, g_free);
  ids = oai_tokenizer_encode (tokenizer, "🌍", -1, &n);
  g_assert_cmpuint (n, >, 1);
  decoded = oai_tokenizer_decode (tokenizer, ids, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (decoded, ==, "\xef\xbf\xbd");

  /* Empty input. */
  g_clear_pointer (&ids, g_free);
  ids = oai_tokenizer_encode (tokenizer, "", 0, &n);
  g_assert_nonnull (ids);
  g_assert_cmpuint (n, ==, 0);
  g_clear_pointer (&decoded, g_free);
  decoded = oai_tokenizer_decode (tokenizer, ids, 0, &error);
  g_assert_cmpstr (decoded, ==, "");
}

static void
check_lossless (OaiTokenizer *tokenizer,
                const char   *text,
                gsize         length)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint32 *ids = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *decoded = NULL;
  gsize n;

  ids = oai_tokenizer_encode (tokenizer, text, length, &n);
  g_assert_cmpuint (oai_tokenizer_count (tokenizer, text, length), ==, n);
  bytes = oai_tokenizer_decode_bytes (tokenizer, ids, n, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), text, length);

  decoded = oai_tokenizer_decode (tokenizer, ids, n, &error);
  g_assert_no_error (error);
  g_assert_true (g_utf8_validate (decoded, -1, NULL));
}

static void
test_pathological (void)
{
  static const struct {
    const char *unit;
    gsize repeat;
  } inputs[] = {
    { "a", 1000000 },
    { "A", 1000000 },
    { " ", 100000 },
    { "\n", 100000 },
    { " \n", 50000 },
    { "\t ", 50000 },
    { "1", 1000000 },
    { "!", 1000000 },
    { "!/", 300000 },
    { "'", 100000 },
    { "'s", 100000 },
    { "\xcc\x81", 100000 },          /* U+0301 COMBINING ACUTE ACCENT */
    { "A\xcc\x81", 100000 },
    { "\xe4\xb8\xad", 300000 },      /* 中 */
    { "\xf0\x9f\x91\x8d", 100000 },  /* 👍 */
    { "\xc2\xa0", 100000 },          /* NBSP */
    { "ab ", 100000 },
    { "\xff", 100000 },
  };

  for (guint e = 0; e < G_N_ELEMENTS (encodings); e++)
    {
      g_autoptr(OaiTokenizer) tokenizer = tokenizer_new (encodings[e]);

      for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
        {
          gsize unit = strlen (inputs[i].unit);
          g_autofree char *text = g_malloc (unit * inputs[i].repeat);

          for (gsize k = 0; k < inputs[i].repeat; k++)
            memcpy (text + k * unit, inputs[i].unit, unit);
          check_lossless (tokenizer, text, unit * inputs[i].repeat);
        }
    }
}

/* Pieces of @text: the pretokenizer's split, each piece made valid. */
static GPtrArray *
pieces_of (OaiPretokenizerKind  kind,
           const guint8        *text,
           gsize                length)
{
  GPtrArray *pieces = g_ptr_array_new_with_free_func (g_free);
  OaiPretokenizer pretokenizer;
  gsize start, end;

  oai_pretokenizer_init (&pretokenizer, kind, text, length);
  while (oai_pretokenizer_next (&pretokenizer, &start, &end))
    g_ptr_array_add (pieces, oai_utf8_make_valid (text + start, end - start, NULL));
  return pieces;
}

static void
test_invalid_utf8 (void)
{
  static const struct {
    const char *bytes;
    const char *replaced;
  } cases[] = {
    { "\xff", "\xef\xbf\xbd" },
    { "\xc3", "\xef\xbf\xbd" },
    { "abc\xe2\x82", "abc\xef\xbf\xbd" },
    { "\xe2\x82" "abc", "\xef\xbf\xbd" "abc" },              /* one maximal subpart */
    { "\xf0\x9f\x98 x", "\xef\xbf\xbd x" },
    { "\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" }, /* a surrogate */
    { "\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd" },              /* overlong */
    { "\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
    { "a\x80" "b\xbf c", "a\xef\xbf\xbd" "b\xef\xbf\xbd c" },
    { "don\xff't", "don\xef\xbf\xbd't" },
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autofree guint8 *noise = g_malloc (20000);

  for (guint e = 0; e < G_N_ELEMENTS (encodings); e++)
    {
      g_autoptr(OaiTokenizer) tokenizer = tokenizer_new (encodings[e]);

      for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
        {
          g_autofree guint32 *ids = NULL;
          g_autofree char *decoded = NULL;
          gsize n;

          check_lossless (tokenizer, cases[i].bytes, strlen (cases[i].bytes));
          ids = oai_tokenizer_encode (tokenizer, cases[i].bytes, -1, &n);
          decoded = oai_tokenizer_decode (tokenizer, ids, n, NULL);
          g_assert_cmpstr (decoded, ==, cases[i].replaced);
        }

      for (guint round = 0; round < 20; round++)
        {
          g_autoptr(GPtrArray) pieces = NULL, replaced_pieces = NULL;
          g_autofree char *replaced = NULL;
          gsize replaced_length;
          OaiPretokenizerKind kind = e == 0 ? OAI_PRETOKENIZER_O200K : OAI_PRETOKENIZER_CL100K;

          /* Mostly ASCII with stray high bytes, or pure noise. */
          for (gsize k = 0; k < 20000; k++)
            noise[k] = round % 2 == 0 ? g_rand_int_range (rand, 0, 256)
                                      : (g_rand_int_range (rand, 0, 10) == 0
                                         ? g_rand_int_range (rand, 0x80, 0x100)
                                         : g_rand_int_range (rand, 0x20, 0x7f));
          check_lossless (tokenizer, (const char *) noise, 20000);

          /* The split is that of the text with each invalid sequence
           * replaced by U+FFFD. */
          replaced = oai_utf8_make_valid (noise, 20000, &replaced_length);
          pieces = pieces_of (kind, noise, 20000);
          replaced_pieces = pieces_of (kind, (const guint8 *) replaced, replaced_length);
          g_assert_cmpuint (pieces->len, ==, replaced_pieces->len);
          for (guint k = 0; k < pieces->len; k++)
            g_assert_cmpstr (pieces->pdata[k], ==, replaced_pieces->pdata[k]);
        }
    }
}

static void
test_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OaiTokenizer) tokenizer = NULL;
  g_autoptr(GObject) unusable = NULL;
  static const guint32 unknown_o200k[] = { 24912, 199998 };
  static const guint32 unknown_cl100k[] = { 100256 };
  g_autofree char *text = NULL;
  g_autoptr(GBytes) bytes = NULL;

  tokenizer = oai_tokenizer_new ("p50k_base", &error);
  g_assert_error (error, OAI_ERROR, OAI_ERROR_INVALID_REQUEST);
  g_assert_null (tokenizer);
  g_clear_error (&error);

  tokenizer = oai_tokenizer_new_for_model ("claude-3-opus", &error);
  g_assert_error (error, OAI_ERROR, OAI_ERROR_INVALID_REQUEST);
  g_assert_null (tokenizer);
  g_clear_error (&error);

  /* Constructed without g_initable_init(): the error comes from it. */
  unusable = g_object_new (OAI_TYPE_TOKENIZER, "encoding", "r50k_base", NULL);
  g_assert_false (g_initable_init (G_INITABLE (unusable), NULL, &error));
  g_assert_error (error, OAI_ERROR, OAI_ERROR_INVALID_REQUEST);
  g_clear_error (&error);

  tokenizer = tokenizer_new ("o200k_base");
  text = oai_tokenizer_decode (tokenizer, unknown_o200k, G_N_ELEMENTS (unknown_o200k), &error);
  g_assert_error (error, OAI_ERROR, OAI_ERROR_INVALID_REQUEST);
  g_assert_null (text);
  g_clear_error (&error);
  bytes = oai_tokenizer_decode_bytes (tokenizer, unknown_o200k, G_N_ELEMENTS (unknown_o200k), &error);
  g_assert_error (error, OAI_ERROR, OAI_ERROR_INVALID_REQUEST);
  g_assert_null (bytes);
  g_clear_error (&error);
  g_clear_object (&tokenizer);

  tokenizer = tokenizer_new ("cl100k_base");
  text = oai_tokenizer_decode (tokenizer, unknown_cl100k, 1, &error);
  g_assert_error (error, OAI_ERROR, OAI_ERROR_INVALID_REQUEST);
  g_assert_null (text);
}

static void
test_models (void)
{
  static const struct {
    const char *model;
    const char *encoding;
  } models[] = {
    { "gpt-4o", "o200k_base" },
    { "gpt-4o-2024-08-06", "o200k_base" },
    { "gpt-4o-mini", "o200k_base" },
    { "gpt-4o-mini-2024-07-18", "o200k_base" },
    { "chatgpt-4o-latest", "o200k_base" },
    { "gpt-4.1", "o200k_base" },
    { "gpt-4.1-nano-2025-04-14", "o200k_base" },
    { "gpt-4.5-preview", "o200k_base" },
    { "gpt-5", "o200k_base" },
    { "gpt-5-mini", "o200k_base" },
    { "o1", "o200k_base" },
    { "o1-mini", "o200k_base" },
    { "o3", "o200k_base" },
    { "o3-mini-2025-01-31", "o200k_base" },
    { "o4-mini", "o200k_base" },
    { "o4-mini-2025-04-16", "o200k_base" },
    { "ft:gpt-4o-mini-2024-07-18:acme::abc123", "o200k_base" },
    { "gpt-4", "cl100k_base" },
    { "gpt-4-0613", "cl100k_base" },
    { "gpt-4-turbo", "cl100k_base" },
    { "gpt-4-32k-0314", "cl100k_base" },
    { "gpt-3.5-turbo", "cl100k_base" },
    { "gpt-3.5-turbo-0125", "cl100k_base" },
    { "gpt-35-turbo", "cl100k_base" },
    { "text-embedding-3-small", "cl100k_base" },
    { "text-embedding-3-large", "cl100k_base" },
    { "text-embedding-ada-002", "cl100k_base" },
    { "ft:gpt-3.5-turbo-0613:acme::xyz", "cl100k_base" },
  };
  static const char *unknown[] = { "", "davinci", "text-davinci-003", "claude-3", "o2", "gpt-3" };

  for (guint i = 0; i < G_N_ELEMENTS (models); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(OaiTokenizer) tokenizer = oai_tokenizer_new_for_model (models[i].model, &error);
      g_autofree char *property = NULL;

      g_assert_no_error (error);
      g_assert_cmpstr (oai_tokenizer_get_encoding (tokenizer), ==, models[i].encoding);
      g_object_get (tokenizer, "encoding", &property, NULL);
      g_assert_cmpstr (property, ==, models[i].encoding);
    }

  for (guint i = 0; i < G_N_ELEMENTS (unknown); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(OaiTokenizer) tokenizer = oai_tokenizer_new_for_model (unknown[i], &error);

      g_assert_error (error, OAI_ERROR, OAI_ERROR_INVALID_REQUEST);
      g_assert_null (tokenizer);
    }

  /* The default encoding. */
  {
    g_autoptr(OaiTokenizer) tokenizer = g_object_new (OAI_TYPE_TOKENIZER, NULL);

    g_assert_cmpstr (oai_tokenizer_get_encoding (tokenizer), ==, "o200k_base");
    g_assert_cmpuint (oai_tokenizer_count (tokenizer, "hello world", -1), ==, 2);
  }
}

typedef struct
{
  OaiTokenizer *tokenizers[2];
  JsonArray *cases;
  gint mismatches;
  guint offset;
} ThreadData;

static gpointer
encode_all_thread (gpointer user_data)
{
  ThreadData *data = user_data;
  guint n_cases = json_array_get_length (data->cases);
  guint offset = (guint) g_atomic_int_add ((gint *) &data->offset, 37);

  for (guint round = 0; round < 3; round++)
    for (guint k = 0; k < n_cases; k++)
      {
        /* Each thread starts elsewhere so that they overlap on different texts. */
        JsonObject *c = json_array_get_object_element (data->cases, (k + offset) % n_cases);
        const char *text = json_object_get_string_member (c, "text");
        g_autofree guchar *decoded = NULL;
        gsize length = strlen (text);

        if (json_object_has_member (c, "text_base64"))
          {
            decoded = g_base64_decode (json_object_get_string_member (c, "text_base64"), &length);
            text = (const char *) decoded;
          }

        for (guint e = 0; e < 2; e++)
          {
            JsonArray *expected = json_object_get_array_member (c, encodings[e]);
            g_autofree guint32 *ids = NULL;
            gsize n;

            ids = oai_tokenizer_encode (data->tokenizers[e], text, length, &n);
            if (n != json_array_get_length (expected))
              g_atomic_int_inc (&data->mismatches);
            else
              for (gsize i = 0; i < n; i++)
                if (ids[i] != (guint32) json_array_get_int_element (expected, i))
                  {
                    g_atomic_int_inc (&data->mismatches);
                    break;
                  }
          }
      }
  return NULL;
}

static void
test_threads (void)
{
  ThreadData data = { 0 };
  GThread *threads[4];

  data.tokenizers[0] = tokenizer_new ("o200k_base");
  data.tokenizers[1] = tokenizer_new ("cl100k_base");
  data.cases = json_object_get_array_member (load_corpus (), "cases");

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("tokenizer", encode_all_thread, &data);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);

  g_assert_cmpint (data.mismatches, ==, 0);
  g_assert_finalize_object (data.tokenizers[0]);
  g_assert_finalize_object (data.tokenizers[1]);
}

static void
count_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static void
test_count_async (void)
{
  g_autoptr(OaiTokenizer) tokenizer = tokenizer_new ("o200k_base");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  gsize expected;

  for (guint i = 0; i < 2000; i++)
    g_string_append (text, "Counting in a worker thread keeps the main loop responsive. ");
  expected = oai_tokenizer_count (tokenizer, text->str, text->len);
  g_assert_cmpuint (expected, >, 2000);

  oai_tokenizer_count_async (tokenizer, text->str, text->len, NULL, count_cb, &result);
  /* The text was copied. */
  memset (text->str, 'x', text->len);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (oai_tokenizer_count_finish (tokenizer, result, &error), ==, expected);
  g_assert_no_error (error);
  g_clear_object (&result);

  g_cancellable_cancel (cancellable);
  oai_tokenizer_count_async (tokenizer, "hello", -1, cancellable, count_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (oai_tokenizer_count_finish (tokenizer, result, &error), ==, 0);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static OaiChatRequest *
cookbook_request (const char *model)
{
  OaiChatRequest *request = oai_chat_request_new (model);
  OaiMessage *message;

  oai_chat_request_add_message (request, OAI_ROLE_SYSTEM,
                                "You are a helpful, pattern-following assistant that translates "
                                "corporate jargon into plain English.");
  message = oai_chat_request_add_message (request, OAI_ROLE_SYSTEM,
                                          "New synergies will help drive top-line growth.");
  oai_message_set_name (message, "example_user");
  message = oai_chat_request_add_message (request, OAI_ROLE_SYSTEM,
                                          "Things working well together will increase revenue.");
  oai_message_set_name (message, "example_assistant");
  message = oai_chat_request_add_message (request, OAI_ROLE_SYSTEM,
                                          "Let's circle back when we have more bandwidth to touch "
                                          "base on opportunities for increased leverage.");
  oai_message_set_name (message, "example_user");
  message = oai_chat_request_add_message (request, OAI_ROLE_SYSTEM,
                                          "Let's talk later when we're less busy about how to do "
                                          "better.");
  oai_message_set_name (message, "example_assistant");
  oai_chat_request_add_message (request, OAI_ROLE_USER,
                                "This late pivot means we don't have time to boil the ocean for "
                                "the client deliverable.");
  return request;
}

static void
test_count_request (void)
{
  static const struct {
    const char *model;
    gsize messages;
    gsize with_tools;
  } expected[] = {
    /* The cookbook's totals for its example conversation, and for its
     * weather tool example. */
    { "gpt-4o", 124, 101 },
    { "gpt-4o-mini", 124, 101 },
    { "gpt-4-0613", 129, 105 },
    { "gpt-3.5-turbo-0125", 129, 105 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(OaiTokenizer) tokenizer = oai_tokenizer_new_for_model (expected[i].model, &error);
      g_autoptr(OaiChatRequest) request = cookbook_request (expected[i].model);
      g_autoptr(OaiChatRequest) weather = oai_chat_request_new (expected[i].model);

      g_assert_no_error (error);
      g_assert_cmpuint (oai_tokenizer_count_request (tokenizer, request), ==,
                        expected[i].messages);

      oai_chat_request_add_message (weather, OAI_ROLE_SYSTEM,
                                    "You are a helpful assistant that can answer to questions "
                                    "about the weather.");
      oai_chat_request_add_message (weather, OAI_ROLE_USER,
                                    "What's the weather like in San Francisco?");
      g_assert_true (oai_chat_request_add_tool (weather, "get_current_weather",
                                                "Get the current weather in a given location",
                                                "{\"type\":\"object\",\"properties\":{"
                                                "\"location\":{\"type\":\"string\",\"description\":"
                                                "\"The city and state, e.g. San Francisco, CA\"},"
                                                "\"unit\":{\"type\":\"string\",\"description\":"
                                                "\"The unit of temperature to return\",\"enum\":"
                                                "[\"celsius\",\"fahrenheit\"]}},"
                                                "\"required\":[\"location\"]}",
                                                &error));
      g_assert_no_error (error);
      g_assert_cmpuint (oai_tokenizer_count_request (tokenizer, weather), ==,
                        expected[i].with_tools);
    }
}

static void
test_count_request_parts (void)
{
  g_autoptr(OaiTokenizer) tokenizer = tokenizer_new ("o200k_base");
  g_autoptr(OaiChatRequest) request = oai_chat_request_new ("gpt-4o");
  g_autoptr(OaiChatRequest) empty = oai_chat_request_new ("gpt-4o");
  g_autoptr(OaiToolCall) call = oai_tool_call_new ("call_1", "get_weather", "{\"city\":\"Oslo\"}");
  g_autoptr(GError) error = NULL;
  OaiMessage *message;
  gsize base, named, tools, tools2;

#define N(text) oai_tokenizer_count (tokenizer, text, -1)

  /* Nothing but the reply priming. */
  g_assert_cmpuint (oai_tokenizer_count_request (tokenizer, empty), ==, 3);

  message = oai_chat_request_add_message (request, OAI_ROLE_USER, "Hello there");
  base = oai_tokenizer_count_request (tokenizer, request);
  g_assert_cmpuint (base, ==, 3 + 3 + N ("user") + N ("Hello there"));

  /* A name costs its tokens and one more. */
  oai_message_set_name (message, "alice_smith");
  named = oai_tokenizer_count_request (tokenizer, request);
  g_assert_cmpuint (named, ==, base + 1 + N ("alice_smith"));

  /* An assistant message with a tool call, and the tool's answer. */
  message = oai_chat_request_add_message (request, OAI_ROLE_ASSISTANT, NULL);
  oai_message_add_tool_call (message, call);
  message = oai_chat_request_add_message (request, OAI_ROLE_TOOL, "{\"temp\":3}");
  oai_message_set_tool_call_id (message, "call_1");
  g_assert_cmpuint (oai_tokenizer_count_request (tokenizer, request), ==,
                    named + 3 + N ("assistant") + N ("call_1") + N ("get_weather") +
                    N ("{\"city\":\"Oslo\"}") + 3 + N ("tool") + N ("{\"temp\":3}") + N ("call_1"));
  base = oai_tokenizer_count_request (tokenizer, request);

  /* One tool: func_init 7, "name:description" without the final period,
   * prop_init 3, per property prop_key 3 and "key:type:description", an enum
   * -3 and 3 per item plus the item; func_end 12. */
  g_assert_true (oai_chat_request_add_tool (request, "get_weather", "Weather of a city.",
                                            "{\"type\":\"object\",\"properties\":{"
                                            "\"city\":{\"type\":\"string\",\"description\":\"A city.\"},"
                                            "\"unit\":{\"type\":\"string\",\"enum\":[\"c\",\"f\"]}}}",
                                            &error));
  g_assert_no_error (error);
  tools = oai_tokenizer_count_request (tokenizer, request);
  g_assert_cmpuint (tools, ==,
                    base + 7 + N ("get_weather:Weather of a city") + 3 +
                    3 + N ("city:string:A city") +
                    3 - 3 + 3 + N ("c") + 3 + N ("f") + N ("unit:string:") + 12);

  /* A second tool without parameters: func_end counts once. */
  g_assert_true (oai_chat_request_add_tool (request, "now", NULL, NULL, &error));
  tools2 = oai_tokenizer_count_request (tokenizer, request);
  g_assert_cmpuint (tools2, ==, tools + 7 + N ("now:"));

#undef N
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/oai/tokenizer/public-vectors", test_public_vectors);
  g_test_add_func ("/oai/tokenizer/table", test_table);
  g_test_add_func ("/oai/tokenizer/corpus", test_corpus);
  g_test_add_func ("/oai/tokenizer/special", test_special);
  g_test_add_func ("/oai/tokenizer/roundtrip-bytes", test_roundtrip_bytes);
  g_test_add_func ("/oai/tokenizer/pathological", test_pathological);
  g_test_add_func ("/oai/tokenizer/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/oai/tokenizer/errors", test_errors);
  g_test_add_func ("/oai/tokenizer/models", test_models);
  g_test_add_func ("/oai/tokenizer/threads", test_threads);
  g_test_add_func ("/oai/tokenizer/count-async", test_count_async);
  g_test_add_func ("/oai/tokenizer/count-request", test_count_request);
  g_test_add_func ("/oai/tokenizer/count-request-parts", test_count_request_parts);

  return g_test_run ();
}
