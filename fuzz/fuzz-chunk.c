/* fuzz-chunk.c: the stream chunk scanner against json-glib
 *
 * Whatever the scanner accepts, json-glib must parse to the same values.
 */

#include <string.h>

#include <json-glib/json-glib.h>

#include "oai-chunk-scanner-private.h"

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = object ? json_object_get_member (object, name) : NULL;
  return node && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
         ? json_node_get_string (node) : NULL;
}

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  static OaiStreamChunk chunk;
  static gboolean ready;
  JsonParser *parser;
  JsonObject *root, *choice = NULL, *delta = NULL;

  if (!ready)
    {
      oai_stream_chunk_init (&chunk);
      ready = TRUE;
    }

  if (!oai_stream_chunk_scan (&chunk, (const char *) data, size))
    return 0;

  parser = json_parser_new ();
  g_assert (json_parser_load_from_data (parser, (const char *) data, size, NULL));
  g_assert (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  root = json_node_get_object (json_parser_get_root (parser));
  if (json_object_has_member (root, "choices"))
    {
      JsonArray *choices = json_object_get_array_member (root, "choices");
      if (json_array_get_length (choices) > 0)
        {
          choice = json_array_get_object_element (choices, 0);
          if (json_object_has_member (choice, "delta") &&
              JSON_NODE_HOLDS_OBJECT (json_object_get_member (choice, "delta")))
            delta = json_object_get_object_member (choice, "delta");
        }
    }

  g_assert (g_strcmp0 (chunk.has_content ? chunk.content->str : NULL, member_string (delta, "content")) == 0);
  g_assert (g_strcmp0 (chunk.has_finish_reason ? chunk.finish_reason->str : NULL,
                       member_string (choice, "finish_reason")) == 0);
  g_assert (g_strcmp0 (chunk.has_id ? chunk.id->str : NULL, member_string (root, "id")) == 0);
  g_assert (g_strcmp0 (chunk.has_model ? chunk.model->str : NULL, member_string (root, "model")) == 0);

  g_object_unref (parser);
  return 0;
}
