/* oai-tokenizer.h: tiktoken's byte-pair encodings, offline
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(OAI_INSIDE) && !defined(OAI_COMPILATION)
# error "Only <openai-glib.h> can be included directly."
#endif

#include <gio/gio.h>

#include "oai-version-macros.h"
#include "oai-chat-request.h"

G_BEGIN_DECLS

#define OAI_TYPE_TOKENIZER (oai_tokenizer_get_type ())

OAI_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (OaiTokenizer, oai_tokenizer, OAI, TOKENIZER, GObject)

OAI_AVAILABLE_IN_ALL
OaiTokenizer *oai_tokenizer_new                 (const char           *encoding,
                                                 GError              **error) G_GNUC_WARN_UNUSED_RESULT;
OAI_AVAILABLE_IN_ALL
OaiTokenizer *oai_tokenizer_new_for_model       (const char           *model,
                                                 GError              **error) G_GNUC_WARN_UNUSED_RESULT;
OAI_AVAILABLE_IN_ALL
const char   *oai_tokenizer_get_encoding        (OaiTokenizer         *self);
OAI_AVAILABLE_IN_ALL
guint32      *oai_tokenizer_encode              (OaiTokenizer         *self,
                                                 const char           *text,
                                                 gssize                length,
                                                 gsize                *n_tokens) G_GNUC_WARN_UNUSED_RESULT;
OAI_AVAILABLE_IN_ALL
guint32      *oai_tokenizer_encode_with_special (OaiTokenizer         *self,
                                                 const char           *text,
                                                 gssize                length,
                                                 gsize                *n_tokens) G_GNUC_WARN_UNUSED_RESULT;
OAI_AVAILABLE_IN_ALL
char         *oai_tokenizer_decode              (OaiTokenizer         *self,
                                                 const guint32        *tokens,
                                                 gsize                 n_tokens,
                                                 GError              **error) G_GNUC_WARN_UNUSED_RESULT;
OAI_AVAILABLE_IN_ALL
GBytes       *oai_tokenizer_decode_bytes        (OaiTokenizer         *self,
                                                 const guint32        *tokens,
                                                 gsize                 n_tokens,
                                                 GError              **error) G_GNUC_WARN_UNUSED_RESULT;
OAI_AVAILABLE_IN_ALL
gsize         oai_tokenizer_count               (OaiTokenizer         *self,
                                                 const char           *text,
                                                 gssize                length);
OAI_AVAILABLE_IN_ALL
void          oai_tokenizer_count_async         (OaiTokenizer         *self,
                                                 const char           *text,
                                                 gssize                length,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
OAI_AVAILABLE_IN_ALL
gsize         oai_tokenizer_count_finish        (OaiTokenizer         *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
OAI_AVAILABLE_IN_ALL
gsize         oai_tokenizer_count_request       (OaiTokenizer         *self,
                                                 OaiChatRequest       *request);

G_END_DECLS
