/* oai-pretokenizer-private.h: the regex split of tiktoken, by hand
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  OAI_PRETOKENIZER_CL100K,
  OAI_PRETOKENIZER_O200K,
} OaiPretokenizerKind;

/* What oai_utf8_decode() gives for a byte sequence that is not UTF-8. */
#define OAI_UTF8_INVALID ((gunichar) 0xFFFFFFFF)

typedef struct
{
  const guint8        *text;
  gsize                length;
  gsize                position;
  OaiPretokenizerKind  kind;

  /* The whitespace run last seen, so that a run split into several pieces
   * is scanned once: [run_start, run_end), the last \r or \n in it and
   * where its last character starts (G_MAXSIZE when none). */
  gsize                run_start;
  gsize                run_end;
  gsize                run_last_newline;
  gsize                run_last_char;
} OaiPretokenizer;

void     oai_pretokenizer_init (OaiPretokenizer     *self,
                                OaiPretokenizerKind  kind,
                                const guint8        *text,
                                gsize                length);
gboolean oai_pretokenizer_next (OaiPretokenizer     *self,
                                gsize               *start,
                                gsize               *end);

guint    oai_utf8_decode       (const guint8        *text,
                                gsize                available,
                                gunichar            *c);
char    *oai_utf8_make_valid   (const guint8        *bytes,
                                gsize                length,
                                gsize               *out_length);

G_END_DECLS
