/* oai-context.c: fitting a conversation into a model's context window
 *
 * The sliding window keeps every system and developer message and the newest
 * turns that fit. A turn starts at a user message and holds the answers and
 * tool results that follow it, so a tool result never loses its call.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "oai-context-private.h"
#include "oai-error.h"
#include "oai-message-private.h"

gsize
oai_context_count (OaiTokenizer   *tokenizer,
                   OaiChatRequest *request)
{
  return oai_tokenizer_count_request (tokenizer, request);
}

static gboolean
is_pinned (OaiMessage *message)
{
  OaiRole role = oai_message_get_role (message);
  return role == OAI_ROLE_SYSTEM || role == OAI_ROLE_DEVELOPER;
}

/* The tokens one message adds to a request: its count in a request of its
 * own, less what a request costs with none. */
static gsize
message_tokens (OaiTokenizer   *tokenizer,
                OaiChatRequest *empty,
                gsize           empty_tokens,
                OaiMessage     *message)
{
  GListStore *messages = G_LIST_STORE (oai_chat_request_get_messages (empty));
  gsize tokens;

  g_list_store_append (messages, message);
  tokens = oai_tokenizer_count_request (tokenizer, empty) - empty_tokens;
  g_list_store_remove_all (messages);

  return tokens;
}

/*
 * oai_context_trim:
 * @budget: the tokens the request may take
 * @dropped: (out) (optional): the messages left out, oldest first
 * @insert_at: (out) (optional): where in the new request they stood, for a summary
 *
 * Returns: (transfer full) (nullable): a copy of @request that fits, sharing
 *   its messages; %NULL with no error when @request fits as it is; %NULL with
 *   %OAI_ERROR_CONTEXT_LENGTH_EXCEEDED when even its newest turn does not fit
 */
OaiChatRequest *
oai_context_trim (OaiChatRequest  *request,
                  OaiTokenizer    *tokenizer,
                  gsize            budget,
                  GListStore     **dropped,
                  guint           *insert_at,
                  GError         **error)
{
  GListModel *messages = oai_chat_request_get_messages (request);
  guint n = g_list_model_get_n_items (messages);
  g_autoptr(OaiChatRequest) empty = oai_chat_request_copy (request);
  g_autoptr(OaiChatRequest) trimmed = NULL;
  g_autofree gsize *tokens = g_new0 (gsize, n + 1);
  g_autofree guint *group = g_new0 (guint, n + 1);
  g_autoptr(GListStore) left_out = g_list_store_new (OAI_TYPE_MESSAGE);
  gsize empty_tokens, total, pinned = 0;
  guint n_groups = 0, first_kept_group, first_dropped = G_MAXUINT;
  gboolean in_group = FALSE;

  g_list_store_remove_all (G_LIST_STORE (oai_chat_request_get_messages (empty)));
  empty_tokens = oai_tokenizer_count_request (tokenizer, empty);

  /* Tokens of each message, and which turn it belongs to (0 = pinned). */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(OaiMessage) message = g_list_model_get_item (messages, i);

      tokens[i] = message_tokens (tokenizer, empty, empty_tokens, message);
      if (is_pinned (message))
        {
          pinned += tokens[i];
          continue;
        }
      if (!in_group || oai_message_get_role (message) == OAI_ROLE_USER)
        n_groups++;
      in_group = TRUE;
      group[i] = n_groups;
    }

  total = empty_tokens + pinned;
  for (guint i = 0; i < n; i++)
    if (group[i] != 0)
      total += tokens[i];
  if (total <= budget)
    return NULL;

  /* Keep the newest turns that fit, and always the last one whole. */
  total = empty_tokens + pinned;
  first_kept_group = n_groups + 1;
  for (guint g = n_groups; g >= 1; g--)
    {
      gsize group_tokens = 0;

      for (guint i = 0; i < n; i++)
        if (group[i] == g)
          group_tokens += tokens[i];
      if (total + group_tokens > budget)
        break;
      total += group_tokens;
      first_kept_group = g;
    }

  if (first_kept_group > n_groups)
    {
      g_set_error (error, OAI_ERROR, OAI_ERROR_CONTEXT_LENGTH_EXCEEDED,
                   "The newest turn of the conversation does not fit in %" G_GSIZE_FORMAT
                   " tokens, even without the earlier ones", budget);
      return NULL;
    }

  trimmed = oai_chat_request_copy (request);
  g_list_store_remove_all (G_LIST_STORE (oai_chat_request_get_messages (trimmed)));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(OaiMessage) message = g_list_model_get_item (messages, i);

      if (group[i] == 0 || group[i] >= first_kept_group)
        oai_chat_request_append_message (trimmed, message);
      else
        {
          if (first_dropped == G_MAXUINT)
            first_dropped = g_list_model_get_n_items (oai_chat_request_get_messages (trimmed));
          g_list_store_append (left_out, message);
        }
    }

  if (dropped != NULL)
    *dropped = g_steal_pointer (&left_out);
  if (insert_at != NULL)
    *insert_at = first_dropped;

  return g_steal_pointer (&trimmed);
}

/* The messages as plain text, for the model to summarize. */
char *
oai_context_transcript (GListModel *messages)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (messages); i++)
    {
      g_autoptr(OaiMessage) message = g_list_model_get_item (messages, i);
      const char *content = oai_message_get_content (message);
      GListModel *calls = oai_message_get_tool_calls (message);

      g_string_append_printf (s, "%s: %s\n", oai_role_to_string (oai_message_get_role (message)),
                              content ? content : "");
      for (guint j = 0; j < g_list_model_get_n_items (calls); j++)
        {
          g_autoptr(OaiToolCall) call = g_list_model_get_item (calls, j);
          g_string_append_printf (s, "  (called %s with %s)\n", oai_tool_call_get_name (call),
                                  oai_tool_call_get_arguments (call));
        }
      g_string_append_c (s, '\n');
    }

  return g_string_free (s, FALSE);
}

/*
 * oai_context_parse_limit:
 * @message: a context-length error's message, e.g. "This model's maximum
 *   context length is 128000 tokens. However, …"
 *
 * Returns: %TRUE if the message names the model's limit
 */
gboolean
oai_context_parse_limit (const char *message,
                         gsize      *limit)
{
  static const char *markers[] = { "maximum context length is ", "context length of ",
                                   "context window of " };

  if (message == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (markers); i++)
    {
      const char *p = strstr (message, markers[i]);
      char *end = NULL;
      guint64 value;

      if (p == NULL)
        continue;
      p += strlen (markers[i]);
      value = g_ascii_strtoull (p, &end, 10);
      if (end != p && value > 0 && value < G_MAXUINT32)
        {
          *limit = (gsize) value;
          return TRUE;
        }
    }

  return FALSE;
}
