/* bench-tokenizer.c: tokenizer throughput, load time and memory of openai-glib
 *
 *   bench-tokenizer --write-text FILE [--megabytes N]
 *   bench-tokenizer [--text FILE] [--megabytes N] [--rounds R] [--encoding E]
 *
 * The first form writes the benchmark text: N megabytes (10^6 bytes, default
 * 4) of mixed text made deterministically from a fixed seed: English prose
 * with numbers and contractions, French, German, Spanish, Russian and Greek,
 * C, Python and JavaScript code, JSON, Chinese and Japanese, Korean, and chat
 * with emoji (ZWJ sequences and flags included). bench/run-tokenizer gives the
 * same file to bench/bench-tokenizer-node.mjs.
 *
 * The second form measures, in this order and in one process:
 *  - the load time of an encoding: oai_tokenizer_new() of the first
 *    tokenizer, and the first encode of a short text (which builds the
 *    character-class table shared by all encodings);
 *  - the resident set before and after creating an o200k_base and a
 *    cl100k_base tokenizer, and after encoding the text with both, in its
 *    private part (RssAnon) and its file-backed part (RssFile): the tables
 *    are read-only data of the library, paged in from the file as they are
 *    touched and shared by every process that uses it;
 *  - R timed rounds (default 5) of oai_tokenizer_encode() of the whole text
 *    with encoding E (default o200k_base), on the calling thread only, after
 *    one untimed round; it reports megabytes per second of the best round and
 *    the median.
 *
 * Ends with a machine-readable line starting with "RESULT ".
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __GLIBC__
# include <malloc.h>
#endif

#include <openai-glib.h>

static guint64 rng_state = 0x9E3779B97F4A7C15ull;

static guint32
rng (void)
{
  /* xorshift64*: the same text on every run and machine. */
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return (guint32) ((rng_state * 0x2545F4914F6CDD1Dull) >> 32);
}

static guint
pick (guint n)
{
  return rng () % n;
}

#define PICK(array) (array[pick (G_N_ELEMENTS (array))])

static const char *english[] = {
  "the", "of", "and", "to", "a", "in", "is", "it", "you", "that", "he", "was", "for", "on", "are",
  "with", "as", "they", "be", "at", "one", "have", "this", "from", "or", "had", "by", "word",
  "but", "what", "some", "we", "can", "out", "other", "were", "all", "there", "when", "up", "use",
  "your", "how", "said", "an", "each", "which", "she", "do", "their", "time", "if", "will", "way",
  "about", "many", "then", "them", "write", "would", "like", "so", "these", "her", "long", "make",
  "thing", "see", "him", "two", "has", "look", "more", "day", "could", "go", "come", "did",
  "number", "sound", "no", "most", "people", "my", "over", "know", "water", "than", "call",
  "first", "who", "may", "down", "side", "been", "now", "find", "any", "new", "work", "part",
  "take", "get", "place", "made", "live", "where", "after", "back", "little", "only", "round",
  "man", "year", "came", "show", "every", "good", "me", "give", "our", "under", "name", "very",
  "through", "just", "form", "sentence", "great", "think", "say", "help", "low", "line", "differ",
  "turn", "cause", "much", "mean", "before", "move", "right", "boy", "old", "too", "same", "tell",
  "does", "set", "three", "want", "air", "well", "also", "play", "small", "end", "put", "home",
  "read", "hand", "port", "large", "spell", "add", "even", "land", "here", "must", "big", "high",
  "such", "follow", "act", "why", "ask", "men", "change", "went", "light", "kind", "off", "need",
  "house", "picture", "try", "us", "again", "animal", "point", "mother", "world", "near", "build",
  "self", "earth", "father", "tokenizer", "request", "latency", "throughput", "model", "budget",
  "context", "window", "prompt", "completion", "streaming", "deterministic", "infrastructure",
  "don't", "it's", "we're", "they've", "I'll", "can't", "wouldn't", "that's", "isn't", "you'd",
};

static const char *other_latin[] = {
  "été", "déjà", "français", "être", "où", "très", "garçon", "Noël", "l'hôtel", "c'était",
  "Größe", "Straße", "über", "schön", "Mädchen", "Fußball", "können", "Übersetzung", "Häuser",
  "mañana", "niño", "corazón", "está", "años", "pequeño", "¿qué", "también", "canción",
  "zażółć", "gęślą", "jaźń", "İstanbul", "ışık", "người", "Việt", "những",
};

static const char *cyrillic_greek[] = {
  "съешь", "же", "ещё", "этих", "мягких", "французских", "булок", "да", "выпей", "чаю",
  "Москва", "столица", "России", "программа", "данные", "токен", "модель", "запрос",
  "Ξεσκεπάζω", "την", "ψυχοφθόρα", "βδελυγμία", "καλημέρα", "κόσμε", "Ελλάδα", "γλώσσα",
};

static const char cjk[] =
  "的一是不了人我在有他这为之大来以个中上们到说国和地也子时道出而要于就下得可你年生自会那后能对着"
  "事其里所去行过家十用发天如然作方成者多日都三小军二无同么经法当起与好看学进种将还分此心前面又定"
  "见只主没公从知使情明性理体本数电力机高量长部新物现实加动间制化问通民度书外提手意关资无限文本処"
  "理言語モデルトークンを数えるのはとても大切ですひらがなカタカナ漢字東京大阪日本語学校先生時間";

static const char *korean[] = {
  "안녕하세요", "한국어", "모델", "토큰", "요청", "서울", "대한민국", "감사합니다", "프로그램",
  "데이터", "사람", "시간", "오늘", "내일", "학교", "컴퓨터",
};

static const char *emoji[] = {
  "😀", "😂", "🥲", "😍", "🤔", "👍", "👍🏽", "🙏", "🎉", "🚀", "🔥", "✅", "❌", "⚠️", "💡",
  "👨‍👩‍👧‍👦", "👩🏾‍💻", "🏳️‍🌈", "🇫🇷", "🇯🇵", "🇺🇸", "🇧🇷", "1️⃣", "❤️", "🌍", "☕", "🐍", "🦀",
};

static const char *identifiers[] = {
  "count", "buffer", "length", "index", "result", "request", "response", "token", "error",
  "context", "client", "stream", "value", "items", "offset", "cursor", "handler", "callback",
};

static void
prose (GString    *out,
       const char **words,
       guint        n_words,
       const char  *stop)
{
  guint sentences = 2 + pick (5);

  for (guint s = 0; s < sentences; s++)
    {
      guint n = 6 + pick (14);

      for (guint w = 0; w < n; w++)
        {
          const char *word = words[pick (n_words)];

          if (w == 0)
            {
              gunichar c = g_utf8_get_char (word);
              char upper[8];
              gint len = g_unichar_to_utf8 (g_unichar_toupper (c), upper);

              g_string_append_len (out, upper, len);
              g_string_append (out, g_utf8_next_char (word));
            }
          else
            g_string_append (out, word);

          if (w + 1 < n)
            {
              guint r = pick (40);

              if (r == 0)
                g_string_append_printf (out, " %u ", pick (100000));
              else if (r == 1)
                g_string_append_printf (out, " %u.%02u%% ", pick (100), pick (100));
              else if (r < 5)
                g_string_append (out, ", ");
              else
                g_string_append_c (out, ' ');
            }
        }
      g_string_append (out, pick (8) == 0 ? "?" : stop);
      g_string_append_c (out, ' ');
    }
  g_string_append (out, "\n\n");
}

static void
code (GString *out)
{
  const char *a = PICK (identifiers), *b = PICK (identifiers);

  switch (pick (3))
    {
    case 0:
      g_string_append_printf (out,
                              "static gsize\n%s_%s (const char *%s, gsize n_%s)\n{\n"
                              "  gsize %s = 0;\n\n  for (gsize i = 0; i < n_%s; i++)\n"
                              "    {\n      if (%s[i] == '\\n')\n        %s += %u;\n    }\n"
                              "  return %s; /* %s */\n}\n\n",
                              a, b, a, a, b, a, a, b, pick (16), b, PICK (english));
      break;
    case 1:
      g_string_append_printf (out,
                              "def %s_%s(%s, %s=None):\n    \"\"\"Return the %s of %s.\"\"\"\n"
                              "    if %s is None:\n        %s = []\n"
                              "    for i, x in enumerate(%s):\n        %s.append(x * %u)\n"
                              "    return {\"%s\": %s, \"n\": len(%s)}\n\n\n",
                              a, b, a, b, b, a, b, b, a, b, pick (100), a, b, b);
      break;
    default:
      g_string_append_printf (out,
                              "export async function %s%c%s(%s) {\n\tconst %s = await fetch(`/api/v1/%s/${%s.id}`);\n"
                              "\tif (!%s.ok) throw new Error(\"%s failed: \" + %s.status);\n"
                              "\treturn %s.json(); // %s\n}\n\n",
                              a, g_ascii_toupper (b[0]), b + 1, a, b, a, a, b, a, b, b,
                              PICK (english));
      break;
    }
}

static void
json (GString *out)
{
  g_string_append_printf (out, "{\"id\": \"req_%08x%08x\", \"model\": \"gpt-4o-mini\", "
                          "\"usage\": {\"prompt_tokens\": %u, \"completion_tokens\": %u}, "
                          "\"choices\": [{\"index\": 0, \"message\": {\"role\": \"assistant\", "
                          "\"content\": \"%s %s %s\"}, \"finish_reason\": \"stop\"}], "
                          "\"created\": %u}\n",
                          rng (), rng (), pick (5000), pick (2000), PICK (english),
                          PICK (english), PICK (english), 1700000000 + pick (100000000));
}

static void
chinese_japanese (GString *out)
{
  glong n_chars = g_utf8_strlen (cjk, -1);
  guint n = 30 + pick (120);

  for (guint i = 0; i < n; i++)
    {
      const char *c = g_utf8_offset_to_pointer (cjk, pick (n_chars));

      g_string_append_len (out, c, g_utf8_next_char (c) - c);
      if (pick (18) == 0)
        g_string_append (out, pick (2) ? "、" : "。");
    }
  g_string_append (out, "。\n\n");
}

static void
chat (GString *out)
{
  guint n = 5 + pick (15);

  g_string_append (out, pick (2) ? "user: " : "assistant: ");
  for (guint i = 0; i < n; i++)
    {
      g_string_append (out, pick (3) == 0 ? PICK (emoji) : PICK (english));
      g_string_append (out, pick (6) == 0 ? "" : " ");
    }
  g_string_append (out, PICK (emoji));
  g_string_append_c (out, '\n');
}

static char *
make_text (gsize  size,
           gsize *length)
{
  GString *out = g_string_sized_new (size + 4096);

  while (out->len < size)
    {
      guint r = pick (100);

      if (r < 45)
        prose (out, english, G_N_ELEMENTS (english), ".");
      else if (r < 53)
        prose (out, other_latin, G_N_ELEMENTS (other_latin), ".");
      else if (r < 58)
        prose (out, cyrillic_greek, G_N_ELEMENTS (cyrillic_greek), ".");
      else if (r < 78)
        code (out);
      else if (r < 83)
        json (out);
      else if (r < 93)
        chinese_japanese (out);
      else if (r < 95)
        prose (out, korean, G_N_ELEMENTS (korean), ".");
      else
        chat (out);
    }

  *length = out->len;
  return g_string_free (out, FALSE);
}

typedef struct
{
  gsize anon;   /* private memory: heap, stacks */
  gsize file;   /* mapped files: the library's compiled-in tables among them */
} Rss;

/* The resident set in KiB, in its two parts: the tables are read-only file
 * pages, shared with every process that maps the library. */
static Rss
rss_kib (void)
{
  g_autofree char *status = NULL;
  Rss rss = { 0, 0 };
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return rss;
  if ((line = strstr (status, "\nRssAnon:")) != NULL)
    rss.anon = g_ascii_strtoull (line + 10, NULL, 10);
  if ((line = strstr (status, "\nRssFile:")) != NULL)
    rss.file = g_ascii_strtoull (line + 10, NULL, 10);
  return rss;
}

static int
compare_double (const void *a,
                const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *text_path = NULL, *write_path = NULL, *encoding = NULL;
  double megabytes = 4;
  int rounds = 5;
  GOptionEntry entries[] = {
    { "text", 0, 0, G_OPTION_ARG_FILENAME, &text_path, "Read the text from FILE", "FILE" },
    { "write-text", 0, 0, G_OPTION_ARG_FILENAME, &write_path, "Write the text to FILE", "FILE" },
    { "megabytes", 0, 0, G_OPTION_ARG_DOUBLE, &megabytes, "Size of the text (default 4)", "N" },
    { "rounds", 0, 0, G_OPTION_ARG_INT, &rounds, "Timed rounds (default 5)", "R" },
    { "encoding", 0, 0, G_OPTION_ARG_STRING, &encoding, "o200k_base (default) or cl100k_base", "E" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- tokenizer benchmark");
  g_autoptr(GError) error = NULL;
  g_autoptr(OaiTokenizer) tokenizer = NULL, o200k = NULL, cl100k = NULL;
  g_autofree char *text = NULL;
  g_autofree double *seconds = NULL;
  gsize length, n_tokens = 0, n_other = 0;
  Rss rss_start, rss_loaded, rss_used;
  gint64 t0, t_new, t_first;
  double best, median;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-tokenizer: %s\n", error->message);
      return 2;
    }
  if (encoding == NULL)
    encoding = g_strdup ("o200k_base");
  rounds = MAX (rounds, 1);

  if (write_path != NULL)
    {
      text = make_text ((gsize) (megabytes * 1e6), &length);
      if (!g_file_set_contents (write_path, text, length, &error))
        {
          g_printerr ("bench-tokenizer: %s\n", error->message);
          return 1;
        }
      g_print ("wrote %" G_GSIZE_FORMAT " bytes to %s\n", length, write_path);
      return 0;
    }

  if (text_path != NULL)
    {
      if (!g_file_get_contents (text_path, &text, &length, &error))
        {
          g_printerr ("bench-tokenizer: %s\n", error->message);
          return 1;
        }
    }
  else
    text = make_text ((gsize) (megabytes * 1e6), &length);

  /* Load time and memory, before anything else touched the tables, but
   * with the type system and the tokenizer's class ready. */
  g_type_ensure (OAI_TYPE_TOKENIZER);
  g_type_class_unref (g_type_class_ref (OAI_TYPE_TOKENIZER));
  rss_start = rss_kib ();
  t0 = g_get_monotonic_time ();
  tokenizer = oai_tokenizer_new (encoding, &error);
  t_new = g_get_monotonic_time ();
  if (tokenizer == NULL)
    {
      g_printerr ("bench-tokenizer: %s\n", error->message);
      return 1;
    }
  (void) oai_tokenizer_count (tokenizer, "Hello, world!", -1);
  t_first = g_get_monotonic_time ();

  o200k = oai_tokenizer_new ("o200k_base", NULL);
  cl100k = oai_tokenizer_new ("cl100k_base", NULL);
  rss_loaded = rss_kib ();

  g_print ("text: %" G_GSIZE_FORMAT " bytes, %ld characters\n", length,
           g_utf8_strlen (text, length));
  g_print ("load %s: oai_tokenizer_new %.3f ms, + first encode %.3f ms\n", encoding,
           (t_new - t0) / 1000.0, (t_first - t_new) / 1000.0);

  /* One untimed round: page in the tables and the text. */
  g_free (oai_tokenizer_encode (o200k, text, length, &n_tokens));
  g_free (oai_tokenizer_encode (cl100k, text, length, &n_other));
#ifdef __GLIBC__
  /* Give back what malloc keeps of the freed id arrays: not the tokenizer's. */
  malloc_trim (0);
#endif
  rss_used = rss_kib ();
  g_print ("tokens: o200k_base %" G_GSIZE_FORMAT ", cl100k_base %" G_GSIZE_FORMAT "\n",
           n_tokens, n_other);
  g_print ("memory: private (RssAnon) +%" G_GSIZE_FORMAT " KiB with both tokenizers created, +%"
           G_GSIZE_FORMAT " KiB after encoding the text with both (id arrays freed)\n",
           rss_loaded.anon - rss_start.anon, rss_used.anon - rss_start.anon);
  g_print ("memory: shared file pages (RssFile, the library's tables) +%" G_GSIZE_FORMAT
           " KiB with both tokenizers created, +%" G_GSIZE_FORMAT " KiB after encoding\n",
           rss_loaded.file - rss_start.file, rss_used.file - rss_start.file);

  seconds = g_new (double, rounds);
  for (int r = 0; r < rounds; r++)
    {
      g_autofree guint32 *ids = NULL;
      gint64 start = g_get_monotonic_time ();

      ids = oai_tokenizer_encode (tokenizer, text, length, &n_tokens);
      seconds[r] = (g_get_monotonic_time () - start) / 1e6;
      g_print ("round %d: %.1f ms, %.2f MB/s, %" G_GSIZE_FORMAT " tokens\n", r + 1,
               seconds[r] * 1e3, length / 1e6 / seconds[r], n_tokens);
    }
  qsort (seconds, rounds, sizeof (double), compare_double);
  best = length / 1e6 / seconds[0];
  median = length / 1e6 / seconds[rounds / 2];

  g_print ("RESULT impl=openai-glib encoding=%s bytes=%" G_GSIZE_FORMAT " tokens=%" G_GSIZE_FORMAT
           " best_mbps=%.2f median_mbps=%.2f load_ms=%.3f first_encode_ms=%.3f"
           " anon_loaded_kib=%" G_GSIZE_FORMAT " anon_used_kib=%" G_GSIZE_FORMAT
           " file_loaded_kib=%" G_GSIZE_FORMAT " file_used_kib=%" G_GSIZE_FORMAT "\n",
           encoding, length, n_tokens, best, median, (t_new - t0) / 1000.0,
           (t_first - t_new) / 1000.0, rss_loaded.anon - rss_start.anon,
           rss_used.anon - rss_start.anon, rss_loaded.file - rss_start.file,
           rss_used.file - rss_start.file);
  return 0;
}
