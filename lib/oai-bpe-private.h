/* oai-bpe-private.h: rank tables and the byte-pair merge of OaiTokenizer
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

#include "oai-pretokenizer-private.h"

G_BEGIN_DECLS

#define OAI_BPE_NO_RANK G_MAXUINT32

typedef struct
{
  const char *text;
  gsize       length;
  guint32     id;
} OaiBpeSpecial;

/* One encoding: immutable once loaded, shared by every tokenizer and thread. */
typedef struct
{
  const char          *name;
  OaiPretokenizerKind  pattern;
  guint32              n_ranks;
  guint32              slot_mask;
  const guint8        *slots;     /* little-endian guint32: fingerprint << 18 | rank */
  const guint8        *offsets;   /* little-endian guint32 × (n_ranks + 1) */
  const guint8        *bytes;     /* the tokens, back to back in rank order */
  const OaiBpeSpecial *specials;
  guint                n_specials;
  guint32              byte_ranks[256];
} OaiBpeEncoding;

/* Where encoded ids go; with ids == NULL only len counts. */
typedef struct
{
  guint32 *ids;
  gsize    len;
  gsize    capacity;
} OaiBpeOutput;

const OaiBpeEncoding *oai_bpe_encoding_get      (const char           *name);
guint32               oai_bpe_lookup            (const OaiBpeEncoding *encoding,
                                                 const guint8         *bytes,
                                                 gsize                 length);
const guint8         *oai_bpe_token_bytes       (const OaiBpeEncoding *encoding,
                                                 guint32               id,
                                                 gsize                *length);
void                  oai_bpe_output_reserve    (OaiBpeOutput         *output,
                                                 gsize                 n_more);
void                  oai_bpe_encode_piece      (const OaiBpeEncoding *encoding,
                                                 const guint8         *piece,
                                                 gsize                 length,
                                                 OaiBpeOutput         *output);
void                  oai_bpe_encode_ordinary   (const OaiBpeEncoding *encoding,
                                                 const guint8         *text,
                                                 gsize                 length,
                                                 OaiBpeOutput         *output);

static inline void
oai_bpe_output_push (OaiBpeOutput *output,
                     guint32       id)
{
  /* Callers reserve room first: a piece of n bytes never gives more than n ids. */
  if (output->ids != NULL)
    output->ids[output->len] = id;
  output->len++;
}

G_END_DECLS
