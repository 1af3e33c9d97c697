/* oai-mock-server.c: the mock server as a program, for tests in other languages
 *
 *   oai-mock-server [--no-record] [SCRIPT.json]
 *
 * Prints its base URL ("http://127.0.0.1:PORT/v1") on the first line of
 * standard output and serves until standard input closes. The script:
 *
 *   { "default": ANSWER, "answers": [ANSWER, …] }
 *   ANSWER: { "action": "respond"|"hang"|"drop"|"truncate"|"stream", "status": 200,
 *             "content": "text of a chat completion" | "body": "…" | "body_file": "name",
 *             "delay_ms": 0, "headers": { "name": "value" } }
 *
 * A "stream" answer writes its body as an event stream, with the MockStream
 * options "chunk_min", "chunk_max", "seed", "chunk_delay_ms", "cut_at", "hang"
 * and "crlf". body_file is read from $OAI_TEST_FIXTURES, or beside the script.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdio.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "mock-server.h"

static void
add_answer (MockServer  *server,
            JsonObject  *object,
            const char  *script_dir,
            gboolean     as_default)
{
  const char *action_name = json_object_get_string_member_with_default (object, "action", "respond");
  guint status = json_object_get_int_member_with_default (object, "status", 200);
  guint delay_ms = json_object_get_int_member_with_default (object, "delay_ms", 0);
  g_autoptr(GPtrArray) headers = g_ptr_array_new ();
  g_autofree char *body = NULL;
  MockAction action = MOCK_RESPOND;

  if (g_str_equal (action_name, "hang"))
    action = MOCK_HANG;
  else if (g_str_equal (action_name, "drop"))
    action = MOCK_DROP;
  else if (g_str_equal (action_name, "truncate"))
    action = MOCK_TRUNCATE;
  else if (g_str_equal (action_name, "stream"))
    action = MOCK_STREAM;
  else if (!g_str_equal (action_name, "respond"))
    g_error ("unknown action “%s”", action_name);

  if (json_object_has_member (object, "content"))
    body = mock_chat_completion (json_object_get_string_member (object, "content"));
  else if (json_object_has_member (object, "body"))
    body = g_strdup (json_object_get_string_member (object, "body"));
  else if (json_object_has_member (object, "body_file"))
    {
      const char *dir = g_getenv ("OAI_TEST_FIXTURES") ? g_getenv ("OAI_TEST_FIXTURES") : script_dir;
      g_autofree char *path = g_build_filename (dir, json_object_get_string_member (object, "body_file"),
                                                NULL);
      g_autoptr(GError) error = NULL;

      if (!g_file_get_contents (path, &body, NULL, &error))
        g_error ("%s", error->message);
    }

  if (json_object_has_member (object, "headers"))
    {
      JsonObject *h = json_object_get_object_member (object, "headers");
      g_autoptr(GList) names = json_object_get_members (h);

      for (GList *l = names; l; l = l->next)
        {
          g_ptr_array_add (headers, l->data);
          g_ptr_array_add (headers, (gpointer) json_object_get_string_member (h, l->data));
        }
    }
  g_ptr_array_add (headers, NULL);

  if (action == MOCK_STREAM)
    {
      MockStream stream = {
        .chunk_min = json_object_get_int_member_with_default (object, "chunk_min", 1),
        .chunk_max = json_object_get_int_member_with_default (object, "chunk_max", 4096),
        .seed = json_object_get_int_member_with_default (object, "seed", 1),
        .delay_ms = json_object_get_int_member_with_default (object, "chunk_delay_ms", 0),
        .cut_at = json_object_get_int_member_with_default (object, "cut_at", -1),
        .hang = json_object_get_boolean_member_with_default (object, "hang", FALSE),
        .crlf = json_object_get_boolean_member_with_default (object, "crlf", FALSE),
      };
      mock_server_add_stream (server, as_default, body, &stream);
      return;
    }

  mock_server_add_answer (server, as_default, action, status, body, delay_ms,
                          (const char * const *) headers->pdata);
}

int
main (int argc, char *argv[])
{
  g_autoptr(MockServer) server = NULL;
  const char *script = NULL;
  gboolean record = TRUE;
  char buf[256];

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--no-record"))
        record = FALSE;
      else
        script = argv[i];
    }

  server = mock_server_new ();
  mock_server_set_recording (server, record);

  if (script != NULL)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      g_autofree char *dir = g_path_get_dirname (script);
      JsonObject *root;

      if (!json_parser_load_from_file (parser, script, &error))
        g_error ("%s: %s", script, error->message);
      root = json_node_get_object (json_parser_get_root (parser));

      if (json_object_has_member (root, "default"))
        add_answer (server, json_object_get_object_member (root, "default"), dir, TRUE);
      if (json_object_has_member (root, "answers"))
        {
          JsonArray *answers = json_object_get_array_member (root, "answers");
          for (guint i = 0; i < json_array_get_length (answers); i++)
            add_answer (server, json_array_get_object_element (answers, i), dir, FALSE);
        }
    }

  printf ("%s\n", mock_server_get_base_url (server));
  fflush (stdout);

  while (read (STDIN_FILENO, buf, sizeof buf) > 0)
    ;

  return 0;
}
