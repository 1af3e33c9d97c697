/* oai-model-table-private.h: what the library knows of each model
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  const char *family;           /* the table's name for it, e.g. "gpt-4o" */
  guint context_window;         /* tokens, prompt and answer together */
  guint max_output;
  double input_price;           /* US dollars per million tokens; NaN if unknown */
  double cached_input_price;
  double output_price;
} OaiModelInfo;

gboolean oai_model_table_lookup    (const char   *model,
                                    OaiModelInfo *info);
gboolean oai_model_is_snapshot_of  (const char   *model,
                                    const char   *family);
GPtrArray *oai_model_table_families (void);

G_END_DECLS
