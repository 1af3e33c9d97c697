/* oai-chunk-scanner-private.h: the common stream chunk, read without a tree
 *
 * Nearly every chunk of a streamed answer is one choice whose delta holds only
 * text. Parsing it with json-glib builds and frees a tree of some twenty
 * allocations per chunk; this scanner reads that one shape in place and
 * declines anything else (tool calls, refusals, usage, errors, several
 * choices, duplicate members, numbers that are not integers, \u0000,
 * surrogates, invalid UTF-8, malformed JSON), which then takes the json-glib
 * path, so that every error is reported the one way.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  /* Buffers reused from chunk to chunk; the flags say what the chunk held. */
  GString *content;
  GString *finish_reason;
  GString *id;
  GString *model;
  gint64 created;
  guint has_content : 1;
  guint has_finish_reason : 1;
  guint has_id : 1;
  guint has_model : 1;
  guint has_choice : 1;
} OaiStreamChunk;

void     oai_stream_chunk_init  (OaiStreamChunk *chunk);
void     oai_stream_chunk_clear (OaiStreamChunk *chunk);
gboolean oai_stream_chunk_scan  (OaiStreamChunk *chunk,
                                 const char     *data,
                                 gsize           len);

G_END_DECLS
