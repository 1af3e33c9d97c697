/* oai-bpe.c: rank tables and the byte-pair merge of OaiTokenizer
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * The rank tables are compiled into the library by lib/encodings/mkbpetable.py
 * from the tiktoken rank files, ready to use: "loading" an encoding only checks
 * the header and copies the ranks of the 256 single bytes. All integers are
 * little-endian guint32:
 *
 *   header (64 bytes): "OAIBPE\1\0", n_ranks, n_slots, slots offset,
 *                      offsets offset, bytes offset, bytes size,
 *                      sha256 of the rank file
 *   byte ranks: 256 entries, the rank of each single byte
 *   slots:   n_slots (a power of two) entries of an open-addressing hash table
 *            with linear probing, each fingerprint << 18 | rank, or
 *            0xFFFFFFFF when empty. The fingerprint is the top 14 bits of the
 *            hash, so a probe rarely has to compare bytes that differ.
 *   offsets: n_ranks + 1 entries; token r is bytes[offsets[r] .. offsets[r + 1]]
 *   bytes:   every token, in rank order
 *
 * The hash (oai_bpe_hash) is the same function as hash_bytes() in the
 * generator. The table is const data: shared by all tokenizers and threads,
 * and by every process that maps the library.
 */

#include "config.h"

#include <string.h>

#include "oai-bpe-private.h"

extern const unsigned char oai_bpe_data_o200k_base[];
extern const unsigned long oai_bpe_data_o200k_base_size;
extern const unsigned char oai_bpe_data_cl100k_base[];
extern const unsigned long oai_bpe_data_cl100k_base_size;

#define HEADER_SIZE 64
#define EMPTY_SLOT G_MAXUINT32
#define RANK_BITS 18
#define RANK_MASK ((1u << RANK_BITS) - 1)

/* Pieces up to this many bytes are merged as tiktoken does, rescanning all
 * pairs after each merge; longer ones with a heap, so that a megabyte of one
 * letter takes O(n log n) instead of O(n²). */
#define SMALL_PIECE 64

static const OaiBpeSpecial o200k_specials[] = {
  { "<|endoftext|>", 13, 199999 },
  { "<|endofprompt|>", 15, 200018 },
};

static const OaiBpeSpecial cl100k_specials[] = {
  { "<|endoftext|>", 13, 100257 },
  { "<|fim_prefix|>", 14, 100258 },
  { "<|fim_middle|>", 14, 100259 },
  { "<|fim_suffix|>", 14, 100260 },
  { "<|endofprompt|>", 15, 100276 },
};

static inline guint32
read32 (const guint8 *p)
{
  guint32 v;

  memcpy (&v, p, sizeof v);
  return GUINT32_FROM_LE (v);
}

static inline guint64
read64 (const guint8 *p)
{
  guint64 v;

  memcpy (&v, p, sizeof v);
  return GUINT64_FROM_LE (v);
}

/* The little-endian value of 0 to 8 bytes, without reading past them:
 * two overlapping loads instead of a byte loop. */
static inline guint64
load_small (const guint8 *p,
            gsize         length)
{
  if (length >= 4)
    return (guint64) read32 (p) | ((guint64) read32 (p + length - 4) << (8 * (length - 4)));
  if (length == 0)
    return 0;
  return (guint64) p[0] | ((guint64) p[length >> 1] << (8 * (length >> 1))) |
         ((guint64) p[length - 1] << (8 * (length - 1)));
}

static inline guint64
oai_bpe_hash (const guint8 *p,
              gsize         length,
              guint64      *last_block)
{
  guint64 h = G_GUINT64_CONSTANT (0x9E3779B97F4A7C15) ^
              ((guint64) length * G_GUINT64_CONSTANT (0xC2B2AE3D27D4EB4F));
  guint64 v;

  while (length > 8)
    {
      h = (h ^ read64 (p)) * G_GUINT64_CONSTANT (0xFF51AFD7ED558CCD);
      h ^= h >> 29;
      p += 8;
      length -= 8;
    }

  v = load_small (p, length);
  *last_block = v;
  h = (h ^ v) * G_GUINT64_CONSTANT (0xFF51AFD7ED558CCD);
  h ^= h >> 33;
  h *= G_GUINT64_CONSTANT (0xC4CEB9FE1A85EC53);
  h ^= h >> 33;
  return h;
}

/* The table's answer for bytes whose hash is @h. */
static inline guint32
probe (const OaiBpeEncoding *encoding,
       guint64               h,
       guint64               last_block,
       const guint8         *bytes,
       gsize                 length)
{
  guint32 fingerprint = (guint32) (h >> 50);
  guint32 i = (guint32) h & encoding->slot_mask;

  for (;; i = (i + 1) & encoding->slot_mask)
    {
      guint32 entry = read32 (encoding->slots + 4 * (gsize) i);
      guint32 rank, offset, token_length;
      const guint8 *token;

      if (entry == EMPTY_SLOT)
        return OAI_BPE_NO_RANK;
      if ((entry >> RANK_BITS) != fingerprint)
        continue;

      rank = entry & RANK_MASK;
      offset = read32 (encoding->offsets + 4 * (gsize) rank);
      token_length = read32 (encoding->offsets + 4 * (gsize) rank + 4) - offset;
      if (token_length != length)
        continue;
      token = encoding->bytes + offset;
      if (length <= 8 ? load_small (token, length) == last_block
                      : memcmp (token, bytes, length) == 0)
        return rank;
    }
}

/**
 * oai_bpe_lookup:
 * @encoding: an encoding
 * @bytes: a byte string
 * @length: its length
 *
 * Returns: the rank of @bytes as an ordinary token, or %OAI_BPE_NO_RANK
 */
guint32
oai_bpe_lookup (const OaiBpeEncoding *encoding,
                const guint8         *bytes,
                gsize                 length)
{
  guint64 last_block;
  guint64 h = oai_bpe_hash (bytes, length, &last_block);

  return probe (encoding, h, last_block, bytes, length);
}

static gboolean
load (OaiBpeEncoding      *encoding,
      const char          *name,
      OaiPretokenizerKind  pattern,
      const guint8        *data,
      gsize                size,
      const OaiBpeSpecial *specials,
      guint                n_specials)
{
  guint32 n_ranks, n_slots, slots_offset, offsets_offset, bytes_offset, bytes_size;

  if (size < HEADER_SIZE || memcmp (data, "OAIBPE\1\0", 8) != 0)
    return FALSE;

  n_ranks = read32 (data + 8);
  n_slots = read32 (data + 12);
  slots_offset = read32 (data + 16);
  offsets_offset = read32 (data + 20);
  bytes_offset = read32 (data + 24);
  bytes_size = read32 (data + 28);
  if (n_ranks == 0 || n_ranks > RANK_MASK || n_slots < n_ranks || (n_slots & (n_slots - 1)) != 0 ||
      slots_offset != HEADER_SIZE + 4 * 256 ||
      offsets_offset != slots_offset + 4 * (gsize) n_slots ||
      bytes_offset != offsets_offset + 4 * ((gsize) n_ranks + 1) ||
      (gsize) bytes_offset + bytes_size != size ||
      read32 (data + bytes_offset - 4) != bytes_size)
    return FALSE;

  encoding->name = name;
  encoding->pattern = pattern;
  encoding->n_ranks = n_ranks;
  encoding->slot_mask = n_slots - 1;
  encoding->slots = data + slots_offset;
  encoding->offsets = data + offsets_offset;
  encoding->bytes = data + bytes_offset;
  encoding->specials = specials;
  encoding->n_specials = n_specials;

  /* Byte-level BPE: every byte is a token, which the merge starts from. */
  for (guint b = 0; b < 256; b++)
    {
      encoding->byte_ranks[b] = read32 (data + HEADER_SIZE + 4 * b);
      if (encoding->byte_ranks[b] >= n_ranks)
        return FALSE;
    }

  return TRUE;
}

/**
 * oai_bpe_encoding_get:
 * @name: `o200k_base` or `cl100k_base`
 *
 * Loads an encoding the first time it is asked for, in a thread-safe way.
 *
 * Returns: (nullable): the encoding, or %NULL if @name is unknown
 */
const OaiBpeEncoding *
oai_bpe_encoding_get (const char *name)
{
  static OaiBpeEncoding o200k, cl100k;
  static gsize o200k_loaded, cl100k_loaded;

  g_return_val_if_fail (name != NULL, NULL);

  if (strcmp (name, "o200k_base") == 0)
    {
      if (g_once_init_enter (&o200k_loaded))
        {
          if (!load (&o200k, "o200k_base", OAI_PRETOKENIZER_O200K,
                     oai_bpe_data_o200k_base, oai_bpe_data_o200k_base_size,
                     o200k_specials, G_N_ELEMENTS (o200k_specials)))
            g_error ("The compiled-in o200k_base table is corrupt");
          g_once_init_leave (&o200k_loaded, 1);
        }
      return &o200k;
    }

  if (strcmp (name, "cl100k_base") == 0)
    {
      if (g_once_init_enter (&cl100k_loaded))
        {
          if (!load (&cl100k, "cl100k_base", OAI_PRETOKENIZER_CL100K,
                     oai_bpe_data_cl100k_base, oai_bpe_data_cl100k_base_size,
                     cl100k_specials, G_N_ELEMENTS (cl100k_specials)))
            g_error ("The compiled-in cl100k_base table is corrupt");
          g_once_init_leave (&cl100k_loaded, 1);
        }
      return &cl100k;
    }

  return NULL;
}

/**
 * oai_bpe_token_bytes:
 * @encoding: an encoding
 * @id: an ordinary or special token
 * @length: (out): the length of the token's bytes
 *
 * Returns: (nullable): the token's bytes, not NUL-terminated, or %NULL if
 *   @encoding has no such token
 */
const guint8 *
oai_bpe_token_bytes (const OaiBpeEncoding *encoding,
                     guint32               id,
                     gsize                *length)
{
  if (id < encoding->n_ranks)
    {
      guint32 offset = read32 (encoding->offsets + 4 * (gsize) id);

      *length = read32 (encoding->offsets + 4 * (gsize) id + 4) - offset;
      return encoding->bytes + offset;
    }

  for (guint i = 0; i < encoding->n_specials; i++)
    if (encoding->specials[i].id == id)
      {
        *length = encoding->specials[i].length;
        return (const guint8 *) encoding->specials[i].text;
      }

  return NULL;
}

void
oai_bpe_output_reserve (OaiBpeOutput *output,
                        gsize         n_more)
{
  if (output->ids == NULL || output->len + n_more <= output->capacity)
    return;

  output->capacity = MAX (output->capacity * 2, output->len + n_more);
  output->ids = g_renew (guint32, output->ids, output->capacity);
}

/* tiktoken's byte_pair_merge: repeatedly merge the adjacent pair whose
 * concatenation has the lowest rank, the leftmost on ties. Each part keeps
 * its token, so no lookup is needed at the end. */
static void
merge_small (const OaiBpeEncoding *encoding,
             const guint8         *piece,
             gsize                 n,
             OaiBpeOutput         *output)
{
  struct {
    guint32 start;
    guint32 pair;     /* the rank of this part joined with the next */
    guint32 token;
  } parts[SMALL_PIECE + 1];
  gsize m = n + 1;

  for (gsize i = 0; i < n; i++)
    {
      parts[i].start = i;
      parts[i].token = encoding->byte_ranks[piece[i]];
      parts[i].pair = i + 1 < n ? oai_bpe_lookup (encoding, piece + i, 2) : OAI_BPE_NO_RANK;
    }
  parts[n].start = n;
  parts[n].pair = OAI_BPE_NO_RANK;

  for (;;)
    {
      guint32 best_rank = OAI_BPE_NO_RANK;
      gsize i = 0;

      for (gsize k = 0; k + 1 < m; k++)
        if (parts[k].pair < best_rank)
          {
            best_rank = parts[k].pair;
            i = k;
          }
      if (best_rank == OAI_BPE_NO_RANK)
        break;

      /* parts[i + 1] is still there: the merged part ends at parts[i + 2]. */
      parts[i].token = best_rank;
      if (i > 0)
        parts[i - 1].pair = oai_bpe_lookup (encoding, piece + parts[i - 1].start,
                                            parts[i + 2].start - parts[i - 1].start);
      parts[i].pair = i + 3 < m ? oai_bpe_lookup (encoding, piece + parts[i].start,
                                                  parts[i + 3].start - parts[i].start)
                                : OAI_BPE_NO_RANK;
      memmove (&parts[i + 1], &parts[i + 2], (m - i - 2) * sizeof parts[0]);
      m--;
    }

  for (gsize k = 0; k + 1 < m; k++)
    oai_bpe_output_push (output, parts[k].token);
}

static inline void
heap_push (guint64 *heap,
           gsize   *len,
           guint64  key)
{
  gsize i = (*len)++;

  while (i > 0 && heap[(i - 1) / 2] > key)
    {
      heap[i] = heap[(i - 1) / 2];
      i = (i - 1) / 2;
    }
  heap[i] = key;
}

static inline guint64
heap_pop (guint64 *heap,
          gsize   *len)
{
  guint64 top = heap[0], last = heap[--(*len)];
  gsize i = 0, n = *len;

  for (;;)
    {
      gsize child = 2 * i + 1;

      if (child >= n)
        break;
      if (child + 1 < n && heap[child + 1] < heap[child])
        child++;
      if (heap[child] >= last)
        break;
      heap[i] = heap[child];
      i = child;
    }
  if (n > 0)
    heap[i] = last;
  return top;
}

/* The same merges in the same order: a heap keyed by (rank, start) gives the
 * lowest rank, leftmost first, and entries made stale by a merge are skipped
 * (a pair's rank names its bytes, so a changed pair has another rank). */
static void
merge_large (const OaiBpeEncoding *encoding,
             const guint8         *piece,
             gsize                 n,
             OaiBpeOutput         *output)
{
  const guint32 dead = G_MAXUINT32;
  guint32 *next = g_new (guint32, 4 * n);
  guint32 *prev = next + n, *token = next + 2 * n, *pair = next + 3 * n;
  guint64 *heap = g_new (guint64, 3 * n);
  gsize heap_len = 0;

  /* Positions fit in 32 bits: pieces come from texts under 4 GiB (checked by
   * the caller). */
  for (gsize i = 0; i < n; i++)
    {
      next[i] = i + 1;
      prev[i] = i == 0 ? dead : i - 1;
      token[i] = encoding->byte_ranks[piece[i]];
      pair[i] = i + 1 < n ? oai_bpe_lookup (encoding, piece + i, 2) : OAI_BPE_NO_RANK;
      if (pair[i] != OAI_BPE_NO_RANK)
        heap_push (heap, &heap_len, ((guint64) pair[i] << 32) | i);
    }

  while (heap_len > 0)
    {
      guint64 key = heap_pop (heap, &heap_len);
      guint32 rank = key >> 32, i = (guint32) key, j, k;

      if (token[i] == dead || pair[i] != rank)
        continue;

      j = next[i];
      token[i] = rank;
      token[j] = dead;
      next[i] = k = next[j];
      if (k < n)
        prev[k] = i;

      pair[i] = k < n ? oai_bpe_lookup (encoding, piece + i, next[k] - i) : OAI_BPE_NO_RANK;
      if (pair[i] != OAI_BPE_NO_RANK)
        heap_push (heap, &heap_len, ((guint64) pair[i] << 32) | i);
      if (prev[i] != dead)
        {
          guint32 p = prev[i];

          pair[p] = oai_bpe_lookup (encoding, piece + p, k - p);
          if (pair[p] != OAI_BPE_NO_RANK)
            heap_push (heap, &heap_len, ((guint64) pair[p] << 32) | p);
        }
    }

  for (gsize i = 0; i < n; i = next[i])
    oai_bpe_output_push (output, token[i]);

  g_free (heap);
  g_free (next);
}

/**
 * oai_bpe_encode_piece:
 * @encoding: an encoding
 * @piece: one piece of the pretokenizer, at least one byte
 * @length: its length
 * @output: where the ids go
 */
void
oai_bpe_encode_piece (const OaiBpeEncoding *encoding,
                      const guint8         *piece,
                      gsize                 length,
                      OaiBpeOutput         *output)
{
  guint32 rank;

  oai_bpe_output_reserve (output, length);

  if (length == 1)
    {
      oai_bpe_output_push (output, encoding->byte_ranks[piece[0]]);
      return;
    }

  /* Most pieces are whole tokens. */
  rank = oai_bpe_lookup (encoding, piece, length);
  if (rank != OAI_BPE_NO_RANK)
    {
      oai_bpe_output_push (output, rank);
      return;
    }

  if (length <= SMALL_PIECE)
    merge_small (encoding, piece, length, output);
  else
    merge_large (encoding, piece, length, output);
}

/**
 * oai_bpe_encode_ordinary:
 * @encoding: an encoding
 * @text: UTF-8 (invalid sequences are kept as bytes)
 * @length: its length
 * @output: where the ids go
 *
 * tiktoken's encode_ordinary: special-token text is ordinary text.
 */
void
oai_bpe_encode_ordinary (const OaiBpeEncoding *encoding,
                         const guint8         *text,
                         gsize                 length,
                         OaiBpeOutput         *output)
{
  OaiPretokenizer pretokenizer;
  gsize start, end;

  oai_pretokenizer_init (&pretokenizer, encoding->pattern, text, length);
  while (oai_pretokenizer_next (&pretokenizer, &start, &end))
    oai_bpe_encode_piece (encoding, text + start, end - start, output);
}
