/* fuzz-tokenizer.c: any bytes, valid UTF-8 or not, encode and decode back
 *
 * The first byte picks the encoding.
 */

#include <string.h>

#include <openai-glib.h>

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  static OaiTokenizer *tokenizers[2];
  OaiTokenizer *tokenizer;
  guint32 *ids;
  gsize n_ids = 0;
  GBytes *back;
  GError *error = NULL;

  if (size < 1)
    return 0;
  if (tokenizers[0] == NULL)
    {
      tokenizers[0] = oai_tokenizer_new ("o200k_base", NULL);
      tokenizers[1] = oai_tokenizer_new ("cl100k_base", NULL);
    }
  tokenizer = tokenizers[data[0] & 1];
  data++;
  size--;

  ids = oai_tokenizer_encode (tokenizer, (const char *) data, size, &n_ids);
  g_assert (n_ids <= size);
  g_assert (oai_tokenizer_count (tokenizer, (const char *) data, size) == n_ids);

  /* The bytes come back exactly. */
  back = oai_tokenizer_decode_bytes (tokenizer, ids, n_ids, &error);
  g_assert (back != NULL && error == NULL);
  g_assert (g_bytes_get_size (back) == size);
  g_assert (size == 0 || memcmp (g_bytes_get_data (back, NULL), data, size) == 0);

  g_bytes_unref (back);
  g_free (ids);
  return 0;
}
