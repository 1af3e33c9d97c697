/* oai-json.c: defensive reading of JSON answers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>

#include "oai-error.h"
#include "oai-json-private.h"

gboolean
oai_json_fail (GError     **error,
               const char  *path,
               const char  *name,
               const char  *expected)
{
  g_set_error (error, OAI_ERROR, OAI_ERROR_INVALID_RESPONSE,
               "Invalid response from the server: %s%s%s is not %s",
               path, name ? "." : "", name ? name : "", expected);
  return FALSE;
}

JsonNode *
oai_json_parse_bytes (GBytes  *bytes,
                      GError **error)
{
  /* Not immutable: the tree is ours alone, and sealing it costs time. */
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  gsize len = 0;
  const char *data = bytes ? g_bytes_get_data (bytes, &len) : NULL;

  if (len == 0)
    {
      g_set_error_literal (error, OAI_ERROR, OAI_ERROR_INVALID_RESPONSE,
                           "Invalid response from the server: the body is empty");
      return NULL;
    }

  if (!json_parser_load_from_data (parser, data, len, &local_error))
    {
      g_set_error (error, OAI_ERROR, OAI_ERROR_INVALID_RESPONSE,
                   "Invalid response from the server: not JSON (%s)", local_error->message);
      return NULL;
    }

  return json_parser_steal_root (parser);
}

/*
 * oai_json_parse_string:
 * @what: what the caller passed, for the message ("tool parameters")
 *
 * Parses JSON that a program gave us; a mistake there is an invalid request.
 */
JsonNode *
oai_json_parse_string (const char  *json,
                       const char  *what,
                       GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;

  if (json == NULL || !json_parser_load_from_data (parser, json, -1, &local_error) ||
      json_parser_get_root (parser) == NULL)
    {
      g_set_error (error, OAI_ERROR, OAI_ERROR_INVALID_REQUEST,
                   "The %s are not valid JSON%s%s%s", what,
                   local_error ? " (" : "", local_error ? local_error->message : "",
                   local_error ? ")" : "");
      return NULL;
    }

  return json_parser_steal_root (parser);
}

static JsonNode *
get_member (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;

  return node;
}

gboolean
oai_json_get_optional_string (JsonObject  *object,
                              const char  *path,
                              const char  *name,
                              const char **value,
                              GError     **error)
{
  JsonNode *node = get_member (object, name);

  *value = NULL;
  if (node == NULL)
    return TRUE;
  if (json_node_get_value_type (node) != G_TYPE_STRING)
    return oai_json_fail (error, path, name, "a string");

  *value = json_node_get_string (node);
  return TRUE;
}

gboolean
oai_json_get_optional_int (JsonObject  *object,
                           const char  *path,
                           const char  *name,
                           gint64      *value,
                           GError     **error)
{
  JsonNode *node = get_member (object, name);

  if (node == NULL)
    return TRUE;

  if (json_node_get_value_type (node) == G_TYPE_INT64)
    {
      *value = json_node_get_int (node);
      return TRUE;
    }

  /* Some servers write counts as 12.0. */
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    {
      double d = json_node_get_double (node);

      if (isfinite (d) && d == floor (d) && fabs (d) < 9007199254740992.0)
        {
          *value = (gint64) d;
          return TRUE;
        }
    }

  return oai_json_fail (error, path, name, "an integer");
}

gboolean
oai_json_get_optional_object (JsonObject  *object,
                              const char  *path,
                              const char  *name,
                              JsonObject **value,
                              GError     **error)
{
  JsonNode *node = get_member (object, name);

  *value = NULL;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return oai_json_fail (error, path, name, "an object");

  *value = json_node_get_object (node);
  return TRUE;
}

gboolean
oai_json_get_optional_array (JsonObject  *object,
                             const char  *path,
                             const char  *name,
                             JsonArray  **value,
                             GError     **error)
{
  JsonNode *node = get_member (object, name);

  *value = NULL;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return oai_json_fail (error, path, name, "an array");

  *value = json_node_get_array (node);
  return TRUE;
}
