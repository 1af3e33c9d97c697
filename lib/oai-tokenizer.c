/* oai-tokenizer.c: tiktoken's byte-pair encodings, offline
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "oai-bpe-private.h"
#include "oai-error.h"
#include "oai-message-private.h"
#include "oai-tokenizer.h"
#include "oai-tool-call.h"

/**
 * OaiTokenizer:
 *
 * Counts and splits text into the tokens of OpenAI's models, with the ids
 * tiktoken gives, without network access or data files: the `o200k_base`
 * (GPT-4o, GPT-4.1, GPT-5, o-series) and `cl100k_base` (GPT-4, GPT-3.5,
 * embeddings) rank tables are compiled into the library.
 *
 * ```c
 * g_autoptr(OaiTokenizer) tokenizer = oai_tokenizer_new_for_model ("gpt-4o", &error);
 * gsize n = oai_tokenizer_count (tokenizer, "Hello world", -1);   // 2
 * ```
 *
 * A tokenizer holds no mutable state: one can be used from several threads at
 * once, and all tokenizers of an encoding share one table, loaded once per
 * process.
 *
 * Text is UTF-8. Bytes that are not valid UTF-8 never reach tiktoken, whose
 * input is a string, so there is no reference to follow; here each maximal
 * invalid sequence is split like the U+FFFD that replaces it when such bytes
 * are decoded (a symbol: not a letter, number or space), and is then encoded
 * as its own bytes. Encoding is thus lossless:
 * [method@Oai.Tokenizer.decode_bytes] gives back the exact input, while
 * [method@Oai.Tokenizer.decode] replaces the invalid sequences with U+FFFD.
 */
struct _OaiTokenizer
{
  GObject parent_instance;

  char *encoding_name;
  const OaiBpeEncoding *encoding;   /* NULL until initialized */
};

static void oai_tokenizer_initable_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (OaiTokenizer, oai_tokenizer, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      oai_tokenizer_initable_init))

enum {
  PROP_0,
  PROP_ENCODING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Tool definitions as the OpenAI cookbook "How to count tokens with
 * tiktoken" counts them; only func_init differs between the encodings. */
#define TOOL_FUNC_INIT_O200K 7
#define TOOL_FUNC_INIT_CL100K 10
#define TOOL_PROP_INIT 3
#define TOOL_PROP_KEY 3
#define TOOL_ENUM_INIT (-3)
#define TOOL_ENUM_ITEM 3
#define TOOL_FUNC_END 12

/* Messages: each is wrapped in 3 tokens, a name costs 1 more, and the reply
 * is primed with <|start|>assistant<|message|>. */
#define TOKENS_PER_MESSAGE 3
#define TOKENS_PER_NAME 1
#define TOKENS_REPLY_PRIMING 3

static void
oai_tokenizer_finalize (GObject *object)
{
  OaiTokenizer *self = OAI_TOKENIZER (object);

  g_clear_pointer (&self->encoding_name, g_free);

  G_OBJECT_CLASS (oai_tokenizer_parent_class)->finalize (object);
}

static void
oai_tokenizer_constructed (GObject *object)
{
  OaiTokenizer *self = OAI_TOKENIZER (object);

  G_OBJECT_CLASS (oai_tokenizer_parent_class)->constructed (object);

  /* An unknown name leaves the tokenizer unusable; g_initable_init()
   * reports it. */
  self->encoding = oai_bpe_encoding_get (self->encoding_name);
}

static void
oai_tokenizer_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  OaiTokenizer *self = OAI_TOKENIZER (object);

  switch (prop_id)
    {
    case PROP_ENCODING:
      g_value_set_string (value, self->encoding_name);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
oai_tokenizer_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  OaiTokenizer *self = OAI_TOKENIZER (object);

  switch (prop_id)
    {
    case PROP_ENCODING:
      g_free (self->encoding_name);
      self->encoding_name = g_value_dup_string (value);
      if (self->encoding_name == NULL)
        self->encoding_name = g_strdup ("o200k_base");
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
oai_tokenizer_class_init (OaiTokenizerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = oai_tokenizer_finalize;
  object_class->constructed = oai_tokenizer_constructed;
  object_class->get_property = oai_tokenizer_get_property;
  object_class->set_property = oai_tokenizer_set_property;

  /**
   * OaiTokenizer:encoding:
   *
   * The name of the encoding: `o200k_base` (the default) or `cl100k_base`.
   */
  properties[PROP_ENCODING] =
    g_param_spec_string ("encoding", NULL, NULL, "o200k_base",
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
oai_tokenizer_init (OaiTokenizer *self)
{
}

static gboolean
oai_tokenizer_initable_init_impl (GInitable     *initable,
                                  GCancellable  *cancellable,
                                  GError       **error)
{
  OaiTokenizer *self = OAI_TOKENIZER (initable);

  if (self->encoding == NULL)
    {
      g_set_error (error, OAI_ERROR, OAI_ERROR_INVALID_REQUEST,
                   "Unknown encoding “%s”: use o200k_base or cl100k_base", self->encoding_name);
      return FALSE;
    }
  return TRUE;
}

static void
oai_tokenizer_initable_init (GInitableIface *iface)
{
  iface->init = oai_tokenizer_initable_init_impl;
}

/**
 * oai_tokenizer_new:
 * @encoding: `o200k_base` or `cl100k_base`
 * @error: return location for an error
 *
 * Creates a tokenizer for one of tiktoken's encodings. The first tokenizer of
 * an encoding loads its table; later ones share it.
 *
 * Returns: (transfer full): a new tokenizer, or %NULL with @error set to
 *   %OAI_ERROR_INVALID_REQUEST if the encoding is unknown
 */
OaiTokenizer *
oai_tokenizer_new (const char  *encoding,
                   GError     **error)
{
  g_return_val_if_fail (encoding != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_initable_new (OAI_TYPE_TOKENIZER, NULL, error, "encoding", encoding, NULL);
}

/* tiktoken's model.py: a model's name, or the start of it for dated
 * snapshots and variants ("gpt-4o-2024-08-06", "gpt-4-0613"). The first
 * match wins, so longer prefixes come before the shorter ones they extend. */
static const struct {
  const char *prefix;
  gboolean exact;
  const char *encoding;
} model_encodings[] = {
  { "gpt-4o", FALSE, "o200k_base" },
  { "gpt-4.1", FALSE, "o200k_base" },
  { "gpt-4.5", FALSE, "o200k_base" },
  { "gpt-5", FALSE, "o200k_base" },
  { "o1", FALSE, "o200k_base" },
  { "o3", FALSE, "o200k_base" },
  { "o4-mini", FALSE, "o200k_base" },
  { "chatgpt-4o", FALSE, "o200k_base" },
  { "gpt-4", FALSE, "cl100k_base" },
  { "gpt-3.5-turbo", FALSE, "cl100k_base" },
  { "gpt-35-turbo", FALSE, "cl100k_base" },      /* Azure's spelling */
  { "text-embedding-3-", FALSE, "cl100k_base" },
  { "text-embedding-ada-002", TRUE, "cl100k_base" },
  { "davinci-002", TRUE, "cl100k_base" },
  { "babbage-002", TRUE, "cl100k_base" },
};

static const char *
encoding_for_model (const char *model)
{
  /* Fine-tuned models ("ft:gpt-4o-mini-2024-07-18:org::id") use their base's. */
  if (g_str_has_prefix (model, "ft:"))
    model += 3;

  for (guint i = 0; i < G_N_ELEMENTS (model_encodings); i++)
    {
      if (model_encodings[i].exact ? strcmp (model, model_encodings[i].prefix) == 0
                                   : g_str_has_prefix (model, model_encodings[i].prefix))
        return model_encodings[i].encoding;
    }
  return NULL;
}

/**
 * oai_tokenizer_new_for_model:
 * @model: a model name, such as `gpt-4o-mini` or `gpt-4-0613`
 * @error: return location for an error
 *
 * Creates a tokenizer with the encoding tiktoken uses for @model:
 * `o200k_base` for the GPT-4o, GPT-4.1, GPT-4.5, GPT-5, o1, o3 and o4-mini
 * families and `chatgpt-4o`; `cl100k_base` for GPT-4, GPT-3.5 Turbo,
 * `text-embedding-3-*` and `text-embedding-ada-002`. Dated snapshots and
 * fine-tuned models (`ft:…`) use the encoding of their family.
 *
 * Returns: (transfer full): a new tokenizer, or %NULL with @error set to
 *   %OAI_ERROR_INVALID_REQUEST if the model is unknown
 */
OaiTokenizer *
oai_tokenizer_new_for_model (const char  *model,
                             GError     **error)
{
  const char *encoding;

  g_return_val_if_fail (model != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  encoding = encoding_for_model (model);
  if (encoding == NULL)
    {
      g_set_error (error, OAI_ERROR, OAI_ERROR_INVALID_REQUEST,
                   "No known encoding for the model “%s”", model);
      return NULL;
    }
  return oai_tokenizer_new (encoding, error);
}

/**
 * oai_tokenizer_get_encoding:
 * @self: a tokenizer
 *
 * Gets the name of the tokenizer's encoding, [property@Oai.Tokenizer:encoding].
 *
 * Returns: the name of the encoding, such as `o200k_base`
 */
const char *
oai_tokenizer_get_encoding (OaiTokenizer *self)
{
  g_return_val_if_fail (OAI_IS_TOKENIZER (self), NULL);
  return self->encoding_name;
}

static void
output_init (OaiBpeOutput *output,
             gsize         length,
             gboolean      counting)
{
  output->len = 0;
  output->capacity = 0;
  output->ids = NULL;
  if (!counting)
    {
      /* About 4 bytes a token for English; the array grows if not enough. */
      output->capacity = length / 4 + 16;
      output->ids = g_new (guint32, output->capacity);
    }
}

static guint32 *
output_steal (OaiBpeOutput *output,
              gsize        *n_tokens)
{
  if (n_tokens != NULL)
    *n_tokens = output->len;
  return output->ids;
}

/* Special tokens all start with "<|": split the text at each, leftmost
 * first, as tiktoken's special-token regex does. */
static void
encode_with_special (const OaiBpeEncoding *encoding,
                     const guint8         *text,
                     gsize                 length,
                     OaiBpeOutput         *output)
{
  gsize segment = 0, i = 0;

  while (i + 1 < length)
    {
      const guint8 *lt = memchr (text + i, '<', length - i - 1);
      const OaiBpeSpecial *special = NULL;
      gsize at;

      if (lt == NULL)
        break;
      at = lt - text;
      if (text[at + 1] == '|')
        {
          for (guint k = 0; k < encoding->n_specials; k++)
            if (encoding->specials[k].length <= length - at &&
                memcmp (text + at, encoding->specials[k].text, encoding->specials[k].length) == 0)
              {
                special = &encoding->specials[k];
                break;
              }
        }
      if (special == NULL)
        {
          i = at + 1;
          continue;
        }

      oai_bpe_encode_ordinary (encoding, text + segment, at - segment, output);
      oai_bpe_output_reserve (output, 1);
      oai_bpe_output_push (output, special->id);
      i = segment = at + special->length;
    }

  oai_bpe_encode_ordinary (encoding, text + segment, length - segment, output);
}

/**
 * oai_tokenizer_encode:
 * @self: a tokenizer
 * @text: UTF-8 text (invalid sequences are tokenized as their bytes)
 * @length: the length of @text in bytes, or -1 if it is NUL-terminated
 * @n_tokens: (out) (optional): the number of tokens
 *
 * Splits @text into tokens, as tiktoken's `encode_ordinary`: the text of a
 * special token such as `<|endoftext|>` is encoded as ordinary text, the way
 * the API treats message content. Texts are limited to 4 GiB.
 *
 * Returns: (array length=n_tokens) (transfer full): the token ids
 */
guint32 *
oai_tokenizer_encode (OaiTokenizer *self,
                      const char   *text,
                      gssize        length,
                      gsize        *n_tokens)
{
  OaiBpeOutput output;

  if (n_tokens != NULL)
    *n_tokens = 0;
  g_return_val_if_fail (OAI_IS_TOKENIZER (self), NULL);
  g_return_val_if_fail (self->encoding != NULL, NULL);
  g_return_val_if_fail (text != NULL || length == 0, NULL);

  if (length < 0)
    length = strlen (text);
  g_return_val_if_fail ((gsize) length < G_MAXUINT32, NULL);

  output_init (&output, length, FALSE);
  oai_bpe_encode_ordinary (self->encoding, (const guint8 *) text, length, &output);
  return output_steal (&output, n_tokens);
}

/**
 * oai_tokenizer_encode_with_special:
 * @self: a tokenizer
 * @text: UTF-8 text (invalid sequences are tokenized as their bytes)
 * @length: the length of @text in bytes, or -1 if it is NUL-terminated
 * @n_tokens: (out) (optional): the number of tokens
 *
 * Like [method@Oai.Tokenizer.encode], but the text of each special token of
 * the encoding (`<|endoftext|>`, `<|endofprompt|>`, and for `cl100k_base`
 * `<|fim_prefix|>`, `<|fim_middle|>`, `<|fim_suffix|>`) becomes that token's
 * id, as tiktoken's `encode (text, allowed_special="all")`.
 *
 * Returns: (array length=n_tokens) (transfer full): the token ids
 */
guint32 *
oai_tokenizer_encode_with_special (OaiTokenizer *self,
                                   const char   *text,
                                   gssize        length,
                                   gsize        *n_tokens)
{
  OaiBpeOutput output;

  if (n_tokens != NULL)
    *n_tokens = 0;
  g_return_val_if_fail (OAI_IS_TOKENIZER (self), NULL);
  g_return_val_if_fail (self->encoding != NULL, NULL);
  g_return_val_if_fail (text != NULL || length == 0, NULL);

  if (length < 0)
    length = strlen (text);
  g_return_val_if_fail ((gsize) length < G_MAXUINT32, NULL);

  output_init (&output, length, FALSE);
  encode_with_special (self->encoding, (const guint8 *) text, length, &output);
  return output_steal (&output, n_tokens);
}

static GByteArray *
decode_bytes (OaiTokenizer   *self,
              const guint32  *tokens,
              gsize           n_tokens,
              GError        **error)
{
  g_autoptr(GByteArray) bytes = g_byte_array_sized_new (n_tokens * 4 + 1);

  for (gsize i = 0; i < n_tokens; i++)
    {
      gsize length;
      const guint8 *token = oai_bpe_token_bytes (self->encoding, tokens[i], &length);

      if (token == NULL)
        {
          g_set_error (error, OAI_ERROR, OAI_ERROR_INVALID_REQUEST,
                       "%u is not a token of %s", tokens[i], self->encoding_name);
          return NULL;
        }
      g_byte_array_append (bytes, token, length);
    }

  return g_steal_pointer (&bytes);
}

/**
 * oai_tokenizer_decode_bytes:
 * @self: a tokenizer
 * @tokens: (array length=n_tokens): token ids
 * @n_tokens: the number of ids
 * @error: return location for an error
 *
 * Joins the bytes of @tokens. A token can end in the middle of a UTF-8
 * character, so the result need not be UTF-8 on its own.
 *
 * Returns: (transfer full): the bytes, or %NULL with @error set to
 *   %OAI_ERROR_INVALID_REQUEST if an id is not a token of the encoding
 */
GBytes *
oai_tokenizer_decode_bytes (OaiTokenizer   *self,
                            const guint32  *tokens,
                            gsize           n_tokens,
                            GError        **error)
{
  GByteArray *bytes;

  g_return_val_if_fail (OAI_IS_TOKENIZER (self), NULL);
  g_return_val_if_fail (self->encoding != NULL, NULL);
  g_return_val_if_fail (tokens != NULL || n_tokens == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  bytes = decode_bytes (self, tokens, n_tokens, error);
  return bytes != NULL ? g_byte_array_free_to_bytes (bytes) : NULL;
}

/**
 * oai_tokenizer_decode:
 * @self: a tokenizer
 * @tokens: (array length=n_tokens): token ids
 * @n_tokens: the number of ids
 * @error: return location for an error
 *
 * Turns @tokens back into text. Byte sequences that are not UTF-8 (a token
 * list cut in the middle of a character, say) become U+FFFD, as tiktoken's
 * `decode (tokens, errors="replace")`.
 *
 * Returns: (transfer full): the text, or %NULL with @error set to
 *   %OAI_ERROR_INVALID_REQUEST if an id is not a token of the encoding
 */
char *
oai_tokenizer_decode (OaiTokenizer   *self,
                      const guint32  *tokens,
                      gsize           n_tokens,
                      GError        **error)
{
  g_autoptr(GByteArray) bytes = NULL;

  g_return_val_if_fail (OAI_IS_TOKENIZER (self), NULL);
  g_return_val_if_fail (self->encoding != NULL, NULL);
  g_return_val_if_fail (tokens != NULL || n_tokens == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  bytes = decode_bytes (self, tokens, n_tokens, error);
  if (bytes == NULL)
    return NULL;
  return oai_utf8_make_valid (bytes->data, bytes->len, NULL);
}

/**
 * oai_tokenizer_count:
 * @self: a tokenizer
 * @text: UTF-8 text (invalid sequences are tokenized as their bytes)
 * @length: the length of @text in bytes, or -1 if it is NUL-terminated
 *
 * Counts the tokens of @text without keeping them: the length of what
 * [method@Oai.Tokenizer.encode] returns.
 *
 * Returns: the number of tokens
 */
gsize
oai_tokenizer_count (OaiTokenizer *self,
                     const char   *text,
                     gssize        length)
{
  OaiBpeOutput output;

  g_return_val_if_fail (OAI_IS_TOKENIZER (self), 0);
  g_return_val_if_fail (self->encoding != NULL, 0);
  g_return_val_if_fail (text != NULL || length == 0, 0);

  if (length < 0)
    length = strlen (text);
  g_return_val_if_fail ((gsize) length < G_MAXUINT32, 0);

  output_init (&output, length, TRUE);
  oai_bpe_encode_ordinary (self->encoding, (const guint8 *) text, length, &output);
  return output.len;
}

typedef struct
{
  char *text;
  gsize length;
} CountData;

static void
count_data_free (CountData *data)
{
  g_free (data->text);
  g_free (data);
}

static void
count_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  OaiTokenizer *self = source_object;
  CountData *data = task_data;
  OaiPretokenizer pretokenizer;
  OaiBpeOutput output;
  gsize start, end;
  guint pieces = 0;

  if (g_task_return_error_if_cancelled (task))
    return;

  output_init (&output, data->length, TRUE);
  oai_pretokenizer_init (&pretokenizer, self->encoding->pattern,
                         (const guint8 *) data->text, data->length);
  while (oai_pretokenizer_next (&pretokenizer, &start, &end))
    {
      oai_bpe_encode_piece (self->encoding, (const guint8 *) data->text + start, end - start,
                            &output);

      /* A long text can be cancelled on the way, not only before. */
      if (++pieces % 4096 == 0 && g_task_return_error_if_cancelled (task))
        return;
    }

  g_task_return_int (task, output.len);
}

/**
 * oai_tokenizer_count_async:
 * @self: a tokenizer
 * @text: UTF-8 text (invalid sequences are tokenized as their bytes)
 * @length: the length of @text in bytes, or -1 if it is NUL-terminated
 * @cancellable: (nullable): a cancellable
 * @callback: (scope async): called with the result
 * @user_data: data for @callback
 *
 * Counts the tokens of @text in a worker thread, for texts long enough to
 * stall a main loop. @text is copied; it need not outlive the call.
 */
void
oai_tokenizer_count_async (OaiTokenizer        *self,
                           const char          *text,
                           gssize               length,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  CountData *data;

  g_return_if_fail (OAI_IS_TOKENIZER (self));
  g_return_if_fail (self->encoding != NULL);
  g_return_if_fail (text != NULL || length == 0);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  if (length < 0)
    length = strlen (text);
  g_return_if_fail ((gsize) length < G_MAXUINT32);

  data = g_new0 (CountData, 1);
  data->text = g_memdup2 (text != NULL ? text : "", length + (text != NULL ? 0 : 1));
  data->length = length;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, oai_tokenizer_count_async);
  g_task_set_task_data (task, data, (GDestroyNotify) count_data_free);
  g_task_run_in_thread (task, count_thread);
}

/**
 * oai_tokenizer_count_finish:
 * @self: a tokenizer
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes a count started with [method@Oai.Tokenizer.count_async].
 *
 * Returns: the number of tokens, or 0 with @error set (to
 *   %G_IO_ERROR_CANCELLED) if the count was cancelled
 */
gsize
oai_tokenizer_count_finish (OaiTokenizer  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  gssize count;

  g_return_val_if_fail (OAI_IS_TOKENIZER (self), 0);
  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == oai_tokenizer_count_async, 0);

  count = g_task_propagate_int (G_TASK (result), error);
  return count < 0 ? 0 : (gsize) count;
}

static gsize
count_string (OaiTokenizer *self,
              const char   *text)
{
  return text != NULL ? oai_tokenizer_count (self, text, -1) : 0;
}

/* The text of a JSON value the cookbook would format: strings as they are,
 * anything else as JSON. */
static char *
json_text (JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_strdup ("");
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  return json_to_string (node, FALSE);
}

static char *
strip_final_period (char *text)
{
  gsize length = strlen (text);

  if (length > 0 && text[length - 1] == '.')
    text[length - 1] = '\0';
  return text;
}

static gsize
count_tools (OaiTokenizer *self,
             JsonArray    *tools)
{
  gint64 count = 0;
  gint func_init = self->encoding->pattern == OAI_PRETOKENIZER_O200K
                   ? TOOL_FUNC_INIT_O200K : TOOL_FUNC_INIT_CL100K;
  guint n_tools = json_array_get_length (tools);

  for (guint i = 0; i < n_tools; i++)
    {
      JsonNode *node = json_array_get_element (tools, i);
      JsonObject *function, *parameters = NULL, *properties = NULL;
      g_autofree char *name = NULL, *description = NULL, *line = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      function = json_object_get_object_member (json_node_get_object (node), "function");
      if (function == NULL)
        continue;

      count += func_init;
      name = json_text (json_object_get_member (function, "name"));
      description = strip_final_period (json_text (json_object_get_member (function,
                                                                          "description")));
      line = g_strconcat (name, ":", description, NULL);
      count += count_string (self, line);

      if (json_object_has_member (function, "parameters") &&
          JSON_NODE_HOLDS_OBJECT (json_object_get_member (function, "parameters")))
        parameters = json_object_get_object_member (function, "parameters");
      if (parameters != NULL && json_object_has_member (parameters, "properties") &&
          JSON_NODE_HOLDS_OBJECT (json_object_get_member (parameters, "properties")))
        properties = json_object_get_object_member (parameters, "properties");

      if (properties != NULL && json_object_get_size (properties) > 0)
        {
          g_autoptr(GList) keys = json_object_get_members (properties);

          count += TOOL_PROP_INIT;
          for (const GList *l = keys; l != NULL; l = l->next)
            {
              JsonNode *property_node = json_object_get_member (properties, l->data);
              JsonObject *property;
              JsonNode *values;
              g_autofree char *type = NULL, *property_description = NULL, *property_line = NULL;

              count += TOOL_PROP_KEY;
              if (!JSON_NODE_HOLDS_OBJECT (property_node))
                continue;
              property = json_node_get_object (property_node);

              values = json_object_get_member (property, "enum");
              if (values != NULL && JSON_NODE_HOLDS_ARRAY (values))
                {
                  JsonArray *items = json_node_get_array (values);

                  count += TOOL_ENUM_INIT;
                  for (guint k = 0; k < json_array_get_length (items); k++)
                    {
                      g_autofree char *item = json_text (json_array_get_element (items, k));

                      count += TOOL_ENUM_ITEM + count_string (self, item);
                    }
                }

              type = json_text (json_object_get_member (property, "type"));
              property_description =
                strip_final_period (json_text (json_object_get_member (property, "description")));
              property_line = g_strdup_printf ("%s:%s:%s", (const char *) l->data, type,
                                               property_description);
              count += count_string (self, property_line);
            }
        }
    }

  if (n_tools > 0)
    count += TOOL_FUNC_END;

  return count > 0 ? (gsize) count : 0;
}

/**
 * oai_tokenizer_count_request:
 * @self: a tokenizer, with the encoding of the request's model
 * @request: a chat request
 *
 * Estimates the prompt tokens @request will be billed for, the way the
 * OpenAI cookbook "How to count tokens with tiktoken" does: 3 tokens per
 * message plus the tokens of its role, content and name (1 more for a name),
 * 3 for priming the reply, and the cookbook's formula for tool definitions.
 * The ids and arguments of tool calls, and a tool message's call id, are
 * counted as plain text. The count is exact for the cookbook's models
 * (gpt-4o, gpt-4o-mini, gpt-4, gpt-3.5-turbo) and a close estimate for others.
 *
 * Returns: the estimated number of prompt tokens
 */
gsize
oai_tokenizer_count_request (OaiTokenizer   *self,
                             OaiChatRequest *request)
{
  GListModel *messages;
  g_autofree char *json = NULL;
  gsize count = 0;
  guint n_messages;

  g_return_val_if_fail (OAI_IS_TOKENIZER (self), 0);
  g_return_val_if_fail (self->encoding != NULL, 0);
  g_return_val_if_fail (OAI_IS_CHAT_REQUEST (request), 0);

  messages = oai_chat_request_get_messages (request);
  n_messages = g_list_model_get_n_items (messages);
  for (guint i = 0; i < n_messages; i++)
    {
      g_autoptr(OaiMessage) message = g_list_model_get_item (messages, i);
      GListModel *calls = oai_message_get_tool_calls (message);
      /* Only an assistant's tool calls are sent. */
      guint n_calls = oai_message_get_role (message) == OAI_ROLE_ASSISTANT
                      ? g_list_model_get_n_items (calls) : 0;

      count += TOKENS_PER_MESSAGE;
      count += count_string (self, oai_role_to_string (oai_message_get_role (message)));
      count += count_string (self, oai_message_get_content (message));
      if (oai_message_get_role (message) == OAI_ROLE_ASSISTANT)
        count += count_string (self, oai_message_get_refusal (message));
      if (oai_message_get_name (message) != NULL)
        count += TOKENS_PER_NAME + count_string (self, oai_message_get_name (message));
      if (oai_message_get_role (message) == OAI_ROLE_TOOL)
        count += count_string (self, oai_message_get_tool_call_id (message));

      for (guint k = 0; k < n_calls; k++)
        {
          g_autoptr(OaiToolCall) call = g_list_model_get_item (calls, k);

          count += count_string (self, oai_tool_call_get_id (call));
          count += count_string (self, oai_tool_call_get_name (call));
          count += count_string (self, oai_tool_call_get_arguments (call));
        }
    }
  count += TOKENS_REPLY_PRIMING;

  /* The request keeps its tools to itself; its JSON has them. A request
   * without a model has no JSON, and its tools are not counted. */
  json = oai_chat_request_to_json (request, FALSE, NULL);
  if (json != NULL)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonNode *root, *tools;

      if (json_parser_load_from_data (parser, json, -1, NULL) &&
          (root = json_parser_get_root (parser)) != NULL && JSON_NODE_HOLDS_OBJECT (root) &&
          (tools = json_object_get_member (json_node_get_object (root), "tools")) != NULL &&
          JSON_NODE_HOLDS_ARRAY (tools))
        count += count_tools (self, json_node_get_array (tools));
    }

  return count;
}
