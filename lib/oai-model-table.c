/* oai-model-table.c: what the library knows of each model
 *
 * The table is data/models.json, compiled into the library.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "oai-model-table-private.h"
#include "oai-resources.h"

static GPtrArray *
load_table (void)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GList) names = NULL;
  GPtrArray *table = g_ptr_array_new ();
  JsonObject *models;

  /* Looked up in our own resource, not the global list: the reference also
   * keeps the resource in programs that link the library statically. */
  bytes = g_resource_lookup_data (oai_get_resource (), "/io/github/openaiglib/Oai/models.json",
                                  0, &error);
  if (bytes == NULL ||
      !json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error))
    g_error ("The model table compiled into openai-glib is unreadable: %s", error->message);

  models = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "models");
  names = json_object_get_members (models);
  for (GList *l = names; l != NULL; l = l->next)
    {
      JsonObject *entry = json_object_get_object_member (models, l->data);
      OaiModelInfo *info = g_new0 (OaiModelInfo, 1);
      JsonNode *node;

      info->family = g_intern_string (l->data);
      info->context_window = json_object_get_int_member (entry, "context_window");
      info->max_output = json_object_get_int_member (entry, "max_output");
#define PRICE(field, name) \
      node = json_object_get_member (entry, name); \
      info->field = node && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_double (node) : NAN
      PRICE (input_price, "input");
      PRICE (cached_input_price, "cached_input");
      PRICE (output_price, "output");
#undef PRICE
      g_ptr_array_add (table, info);
    }

  return table;
}

static gboolean
all_digits (const char *s,
            gsize       n)
{
  for (gsize i = 0; i < n; i++)
    if (!g_ascii_isdigit (s[i]))
      return FALSE;
  return TRUE;
}

/*
 * oai_model_is_snapshot_of:
 *
 * Whether @model is @family itself or one of its dated snapshots:
 * "gpt-4o-2024-08-06" and "gpt-4-0613" are, "gpt-4o-audio-preview" is not (it
 * is another model, with other prices).
 */
gboolean
oai_model_is_snapshot_of (const char *model,
                          const char *family)
{
  gsize len = strlen (family);
  const char *rest;
  gsize rest_len;

  if (strncmp (model, family, len) != 0)
    return FALSE;

  rest = model + len;
  rest_len = strlen (rest);
  if (rest_len == 0)
    return TRUE;

  /* -YYYY-MM-DD */
  if (rest_len == 11 && rest[0] == '-' && rest[5] == '-' && rest[8] == '-' &&
      all_digits (rest + 1, 4) && all_digits (rest + 6, 2) && all_digits (rest + 9, 2))
    return TRUE;

  /* -MMDD */
  return rest_len == 5 && rest[0] == '-' && all_digits (rest + 1, 4);
}

/*
 * oai_model_table_lookup:
 * @model: a model name, e.g. "gpt-4o-2024-08-06"
 *
 * A dated snapshot is its family ("gpt-4o-mini-2024-07-18" is gpt-4o-mini).
 * An unknown model is never taken for another, not even one whose name starts
 * with a family's ("gpt-4o-audio-preview" is not gpt-4o).
 *
 * Returns: %TRUE if the model is in the table
 */
static GPtrArray *
get_table (void)
{
  static gsize loaded;
  static GPtrArray *table;

  if (g_once_init_enter (&loaded))
    {
      table = load_table ();
      g_once_init_leave (&loaded, 1);
    }

  return table;
}

/**
 * oai_model_table_families:
 *
 * Returns: (transfer container): the table's model names, interned, in no order
 */
GPtrArray *
oai_model_table_families (void)
{
  GPtrArray *table = get_table ();
  GPtrArray *names = g_ptr_array_sized_new (table->len);

  for (guint i = 0; i < table->len; i++)
    g_ptr_array_add (names, (gpointer) ((const OaiModelInfo *) g_ptr_array_index (table, i))->family);

  return names;
}

gboolean
oai_model_table_lookup (const char   *model,
                        OaiModelInfo *info)
{
  GPtrArray *table;
  const OaiModelInfo *best = NULL;
  gsize best_len = 0;

  if (model == NULL)
    return FALSE;

  table = get_table ();

  for (guint i = 0; i < table->len; i++)
    {
      const OaiModelInfo *entry = g_ptr_array_index (table, i);
      gsize len = strlen (entry->family);

      if (len > best_len && oai_model_is_snapshot_of (model, entry->family))
        {
          best = entry;
          best_len = len;
        }
    }

  if (best == NULL)
    return FALSE;

  *info = *best;
  return TRUE;
}
