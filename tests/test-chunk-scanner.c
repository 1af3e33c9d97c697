/* test-chunk-scanner.c: the fast chunk reader agrees with json-glib, or declines
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <json-glib/json-glib.h>

#include "oai-chunk-scanner-private.h"

/* What json-glib reads from a chunk of the common shape. */
typedef struct
{
  char *content;
  char *finish_reason;
  char *id;
  char *model;
  gint64 created;
} Reference;

static const char *
string_or_null (JsonObject *object,
                const char *name)
{
  JsonNode *node = object ? json_object_get_member (object, name) : NULL;
  return node && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_string (node) : NULL;
}

static gboolean
reference_read (const char *data,
                Reference  *ref)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root, *choice = NULL, *delta = NULL;
  JsonArray *choices;

  memset (ref, 0, sizeof *ref);
  if (!json_parser_load_from_data (parser, data, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return FALSE;
  root = json_node_get_object (json_parser_get_root (parser));
  choices = json_object_has_member (root, "choices") ? json_object_get_array_member (root, "choices") : NULL;
  if (choices && json_array_get_length (choices) > 0)
    {
      choice = json_array_get_object_element (choices, 0);
      if (json_object_has_member (choice, "delta") &&
          JSON_NODE_HOLDS_OBJECT (json_object_get_member (choice, "delta")))
        delta = json_object_get_object_member (choice, "delta");
    }

  ref->content = g_strdup (string_or_null (delta, "content"));
  ref->finish_reason = g_strdup (string_or_null (choice, "finish_reason"));
  ref->id = g_strdup (string_or_null (root, "id"));
  ref->model = g_strdup (string_or_null (root, "model"));
  if (json_object_has_member (root, "created") &&
      json_node_get_value_type (json_object_get_member (root, "created")) == G_TYPE_INT64)
    ref->created = json_object_get_int_member (root, "created");
  return TRUE;
}

static void
reference_clear (Reference *ref)
{
  g_free (ref->content);
  g_free (ref->finish_reason);
  g_free (ref->id);
  g_free (ref->model);
}

/* Returns whether the scanner took the chunk; when it did, it must agree. */
static gboolean
check_agrees (OaiStreamChunk *chunk,
              const char     *data)
{
  Reference ref;

  if (!oai_stream_chunk_scan (chunk, data, strlen (data)))
    return FALSE;

  g_assert_true (reference_read (data, &ref));
  g_assert_cmpstr (chunk->has_content ? chunk->content->str : NULL, ==, ref.content);
  g_assert_cmpstr (chunk->has_finish_reason ? chunk->finish_reason->str : NULL, ==, ref.finish_reason);
  g_assert_cmpstr (chunk->has_id ? chunk->id->str : NULL, ==, ref.id);
  g_assert_cmpstr (chunk->has_model ? chunk->model->str : NULL, ==, ref.model);
  g_assert_cmpint (chunk->created, ==, ref.created);
  reference_clear (&ref);

  return TRUE;
}

static void
test_recorded (void)
{
  g_autoptr(GDir) dir = NULL;
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", "streams", NULL);
  OaiStreamChunk chunk;
  const char *name;
  guint taken = 0, declined = 0;

  oai_stream_chunk_init (&chunk);
  dir = g_dir_open (path, 0, NULL);
  g_assert_nonnull (dir);

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (path, name, NULL);
      g_autofree char *text = NULL;
      g_auto(GStrv) events = NULL;

      if (!g_str_has_suffix (name, ".sse"))
        continue;
      g_assert_true (g_file_get_contents (file, &text, NULL, NULL));
      events = g_strsplit (text, "\n\n", -1);
      for (guint i = 0; events[i] != NULL; i++)
        {
          const char *data = events[i];

          if (!g_str_has_prefix (data, "data: ") || g_str_equal (data, "data: [DONE]"))
            continue;
          if (check_agrees (&chunk, data + 6))
            taken++;
          else
            declined++;
        }
    }

  /* Most chunks of real streams take the fast road; the rest (tool calls,
   * refusals, usage, several choices, logprobs) the other. */
  g_test_message ("%u taken, %u declined", taken, declined);
  g_assert_cmpuint (taken, >, declined);
  oai_stream_chunk_clear (&chunk);
}

static void
test_edge_cases (void)
{
  static const char *taken[] = {
    "{}",
    "{\"choices\":[]}",
    " { \"choices\" : [ { \"index\" : 0 , \"delta\" : { \"content\" : \"a\" } } ] } ",
    "{\"choices\":[{\"delta\":{\"content\":\"tab\\there \\\"q\\\" \\\\ \\/ \\u00e9 \\u263a\"}}]}",
    "{\"choices\":[{\"delta\":{\"content\":\"caf\xC3\xA9 \xF0\x9F\x98\x80\"}}]}",
    "{\"choices\":[{\"delta\":{\"content\":null},\"finish_reason\":\"stop\"}]}",
    "{\"choices\":[{\"delta\":{},\"finish_reason\":\"length\"}],\"usage\":null}",
    "{\"id\":\"x\",\"model\":null,\"created\":-5,\"obfuscation\":\"abc\",\"extra\":[1,{\"a\":[true,false,null]}],"
    "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},"
    "\"logprobs\":null,\"finish_reason\":null}]}",
  };
  static const char *declined[] = {
    "",
    "[]",
    "{",
    "{\"choices\":[{\"delta\":{\"content\":\"a\"}}]} x",
    "{\"choices\":[{\"delta\":{\"content\":5}}]}",
    "{\"choices\":[{\"delta\":{\"content\":\"a\",\"content\":\"b\"}}]}",
    "{\"choices\":[{\"delta\":{\"content\":\"a\"}},{\"index\":1,\"delta\":{\"content\":\"b\"}}]}",
    "{\"choices\":[{\"index\":1,\"delta\":{\"content\":\"b\"}}]}",
    "{\"choices\":[{\"delta\":{\"refusal\":\"no\"}}]}",
    "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0}]}}]}",
    "{\"choices\":[],\"usage\":{\"prompt_tokens\":1}}",
    "{\"error\":{\"message\":\"boom\"}}",
    "{\"choices\":[{\"delta\":{\"content\":\"\\u0000\"}}]}",
    "{\"choices\":[{\"delta\":{\"content\":\"\\ud83d\\ude00\"}}]}",
    "{\"choices\":[{\"delta\":{\"content\":\"\\x\"}}]}",
    "{\"choices\":[{\"delta\":{\"content\":\"\xff\"}}]}",
    "{\"choices\":[{\"delta\":{\"content\":\"raw\nnewline\"}}]}",
    "{\"created\":1.5,\"choices\":[]}",
    "{\"created\":12345678901234567890,\"choices\":[]}",
    "{\"choices\":[{\"delta\":{\"content\":\"a\"}}],\"choices\":[]}",
    "{\"ch\\u006fices\":[]}",
    /* Found by fuzz/fuzz-chunk: leading zeros are not JSON. */
    "{\"created\":09,\"choices\":[]}",
    "{\"usage\":null,\"x\":{\"prompt_tokens\":09},\"choices\":[]}",
    "{\"x\":[-01],\"choices\":[]}",
    "{\"choices\":[{\"delta\":5}]}",
  };
  OaiStreamChunk chunk;

  oai_stream_chunk_init (&chunk);
  for (guint i = 0; i < G_N_ELEMENTS (taken); i++)
    {
      g_test_message ("taken %u", i);
      g_assert_true (check_agrees (&chunk, taken[i]));
    }
  for (guint i = 0; i < G_N_ELEMENTS (declined); i++)
    {
      g_test_message ("declined %u", i);
      g_assert_false (oai_stream_chunk_scan (&chunk, declined[i], strlen (declined[i])));
    }
  oai_stream_chunk_clear (&chunk);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/oai/chunk-scanner/recorded", test_recorded);
  g_test_add_func ("/oai/chunk-scanner/edge-cases", test_edge_cases);

  return g_test_run ();
}
