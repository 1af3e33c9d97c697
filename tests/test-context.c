/* test-context.c: conversations too long for the model, against the mock server
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <json-glib/json-glib.h>
#include <openai-glib.h>

#include "mock-server.h"
#include "test-util.h"

typedef struct
{
  MockServer *server;
  OaiClient *client;
  guint trims;
  guint last_dropped;
  gboolean last_summarized;
} Fixture;

static void
trimmed_cb (OaiClient      *client,
            OaiChatRequest *sent,
            guint           n_dropped,
            gboolean        summarized,
            Fixture        *f)
{
  g_assert_true (OAI_IS_CHAT_REQUEST (sent));
  f->trims++;
  f->last_dropped = n_dropped;
  f->last_summarized = summarized;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->server = mock_server_new ();
  f->client = oai_client_new ("sk-context-test");
  g_object_set (f->client,
                "base-url", mock_server_get_base_url (f->server),
                "retry-base-delay", 0.01,
                "retry-max-delay", 0.02,
                "context-strategy", OAI_CONTEXT_STRATEGY_SLIDING_WINDOW,
                NULL);
  g_signal_connect (f->client, "context-trimmed", G_CALLBACK (trimmed_cb), f);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  mock_assert_finalized (g_steal_pointer (&f->client));
  mock_server_free (f->server);
}

/* About @words tokens of text. */
static char *
words (guint       n,
       const char *word)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    g_string_append_printf (s, "%s ", word);
  return g_string_free (s, FALSE);
}

/* A system message, then @n_turns turns of about @turn_tokens tokens, the
 * turns numbered so the test can tell which were sent. */
static OaiChatRequest *
conversation (const char *model,
              guint       n_turns,
              guint       turn_tokens)
{
  OaiChatRequest *request = oai_chat_request_new (model);

  oai_chat_request_add_message (request, OAI_ROLE_SYSTEM, "You are a patient assistant.");
  for (guint i = 0; i < n_turns; i++)
    {
      g_autofree char *filler = words (turn_tokens / 2, "apple");
      g_autofree char *question = g_strdup_printf ("Question %u: %s", i, filler);
      g_autofree char *answer = g_strdup_printf ("Answer %u: %s", i, filler);

      oai_chat_request_add_message (request, OAI_ROLE_USER, question);
      oai_chat_request_add_message (request, OAI_ROLE_ASSISTANT, answer);
    }
  oai_chat_request_add_message (request, OAI_ROLE_USER, "And the last question?");

  return request;
}

static OaiChatResponse *
run_chat (Fixture         *f,
          OaiChatRequest  *request,
          GError         **error)
{
  return test_run_chat (f->client, request, NULL, error);
}

/* The messages a request sent, parsed. */
static JsonArray *
sent_messages (Fixture *f,
               guint    index)
{
  MockRequest *request = mock_server_get_request (f->server, index);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root;

  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (request->body, NULL),
                                             g_bytes_get_size (request->body), NULL));
  root = json_node_get_object (json_parser_get_root (parser));
  return json_array_ref (json_object_get_array_member (root, "messages"));
}

static const char *
message_text (JsonArray *messages,
              guint      i)
{
  JsonObject *m = json_array_get_object_element (messages, i);
  JsonNode *content = json_object_get_member (m, "content");

  return content && JSON_NODE_HOLDS_VALUE (content) ? json_node_get_string (content) : "";
}

static void
test_sliding_window (Fixture       *f,
                     gconstpointer  data)
{
  /* gpt-4 takes 8192 tokens: 20 turns of about 1000 do not fit. */
  g_autoptr(OaiChatRequest) request = conversation ("gpt-4-0613", 20, 1000);
  g_autoptr(OaiChatResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) sent = NULL;
  guint n_sent;

  response = run_chat (f, request, &error);
  g_assert_no_error (error);

  sent = sent_messages (f, 0);
  n_sent = json_array_get_length (sent);
  /* The system message stays, first; the newest turns follow; the last
   * question is there; the oldest turns are gone. */
  g_assert_cmpstr (message_text (sent, 0), ==, "You are a patient assistant.");
  g_assert_cmpstr (message_text (sent, n_sent - 1), ==, "And the last question?");
  g_assert_true (g_str_has_prefix (message_text (sent, n_sent - 2), "Answer 19:"));
  g_assert_false (g_str_has_prefix (message_text (sent, 1), "Question 0:"));
  g_assert_true (g_str_has_prefix (message_text (sent, 1), "Question "));
  g_assert_cmpuint (n_sent, <, 42);
  g_assert_cmpuint (n_sent, >, 4);

  /* The trimming is visible, and the caller's conversation untouched. */
  g_assert_cmpuint (f->trims, ==, 1);
  g_assert_cmpuint (f->last_dropped, ==, 42 - n_sent);
  g_assert_false (f->last_summarized);
  g_assert_cmpuint (oai_chat_response_get_dropped_messages (response), ==, 42 - n_sent);
  g_assert_cmpuint (g_list_model_get_n_items (oai_chat_request_get_messages (request)), ==, 42);
  g_assert_cmpuint (mock_server_get_n_requests (f->server), ==, 1);

  /* With no strategy, the same conversation is sent whole. */
  g_clear_object (&response);
  oai_client_set_context_strategy (f->client, OAI_CONTEXT_STRATEGY_NONE);
  response = run_chat (f, request, &error);
  g_assert_no_error (error);
  g_clear_pointer (&sent, json_array_unref);
  sent = sent_messages (f, 1);
  g_assert_cmpuint (json_array_get_length (sent), ==, 42);
  g_assert_cmpuint (oai_chat_response_get_dropped_messages (response), ==, 0);
}

static void
test_tool_groups (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(OaiChatRequest) request = oai_chat_request_new ("gpt-4-0613");
  g_autoptr(OaiChatResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) sent = NULL;
  g_autoptr(GHashTable) calls = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  oai_chat_request_add_message (request, OAI_ROLE_DEVELOPER, "Use the tools.");
  for (guint i = 0; i < 12; i++)
    {
      g_autofree char *filler = words (300, "pear");
      g_autofree char *id = g_strdup_printf ("call_%u", i);
      g_autoptr(OaiToolCall) call = oai_tool_call_new (id, "lookup", "{\"q\":\"pear\"}");
      OaiMessage *assistant, *result;

      oai_chat_request_add_message (request, OAI_ROLE_USER, filler);
      assistant = oai_chat_request_add_message (request, OAI_ROLE_ASSISTANT, NULL);
      oai_message_add_tool_call (assistant, call);
      result = oai_chat_request_add_message (request, OAI_ROLE_TOOL, filler);
      oai_message_set_tool_call_id (result, id);
      oai_chat_request_add_message (request, OAI_ROLE_ASSISTANT, filler);
    }

  response = run_chat (f, request, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (f->trims, ==, 1);

  /* Every tool result that was sent has its call in the same request, and no
   * turn was cut in half: the first message after the developer's is a user's. */
  sent = sent_messages (f, 0);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (sent, 0), "role"), ==, "developer");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (sent, 1), "role"), ==, "user");
  for (guint i = 0; i < json_array_get_length (sent); i++)
    {
      JsonObject *m = json_array_get_object_element (sent, i);

      if (json_object_has_member (m, "tool_calls"))
        {
          JsonArray *tc = json_object_get_array_member (m, "tool_calls");
          for (guint j = 0; j < json_array_get_length (tc); j++)
            g_hash_table_add (calls, g_strdup (json_object_get_string_member (json_array_get_object_element (tc, j), "id")));
        }
      if (g_strcmp0 (json_object_get_string_member (m, "role"), "tool") == 0)
        g_assert_true (g_hash_table_contains (calls, json_object_get_string_member (m, "tool_call_id")));
    }
  g_assert_cmpuint ((json_array_get_length (sent) - 1) % 4, ==, 0);
}

static char *
context_error (guint limit)
{
  return g_strdup_printf ("{\"error\":{\"message\":\"This model's maximum context length is %u tokens. "
                          "However, your messages resulted in 9000 tokens. Please reduce the length of "
                          "the messages.\",\"type\":\"invalid_request_error\",\"param\":\"messages\","
                          "\"code\":\"context_length_exceeded\"}}", limit);
}

static void
test_server_limit (Fixture       *f,
                   gconstpointer  data)
{
  /* A local model the table does not know: nothing is trimmed before sending. */
  g_autoptr(OaiChatRequest) request = conversation ("my-local-model", 10, 400);
  g_autoptr(OaiChatResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) first = NULL;
  g_autoptr(JsonArray) second = NULL;
  g_autofree char *body = context_error (2048);

  oai_chat_request_set_max_tokens (request, 200);
  mock_server_queue (f->server, 400, body, 0, NULL);

  response = run_chat (f, request, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mock_server_get_n_requests (f->server), ==, 2);
  g_assert_cmpuint (oai_chat_response_get_attempts (response), ==, 2);
  g_assert_cmpuint (f->trims, ==, 1);

  first = sent_messages (f, 0);
  second = sent_messages (f, 1);
  g_assert_cmpuint (json_array_get_length (first), ==, 22);
  g_assert_cmpuint (json_array_get_length (second), <, 22);
  g_assert_cmpstr (message_text (second, json_array_get_length (second) - 1), ==, "And the last question?");
  g_assert_cmpuint (oai_chat_response_get_dropped_messages (response), ==, 22 - json_array_get_length (second));
}

static void
test_never_resends_unchanged (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(OaiChatRequest) request = conversation ("my-local-model", 2, 20);
  g_autoptr(OaiChatResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = context_error (100000);

  /* The server says it is too long, but by our count it fits its limit:
   * trimming would change nothing, so nothing is resent. */
  mock_server_set_default (f->server, 400, body, 0, NULL);
  response = run_chat (f, request, &error);
  g_assert_error (error, OAI_ERROR, OAI_ERROR_CONTEXT_LENGTH_EXCEEDED);
  g_assert_cmpuint (mock_server_get_n_requests (f->server), ==, 1);
  g_assert_cmpuint (f->trims, ==, 0);

  /* A server that keeps refusing after one trim is not asked a third time. */
  g_clear_error (&error);
  g_clear_object (&request);
  g_clear_pointer (&body, g_free);
  body = context_error (1500);
  mock_server_set_default (f->server, 400, body, 0, NULL);
  request = conversation ("my-local-model", 10, 400);
  response = run_chat (f, request, &error);
  g_assert_error (error, OAI_ERROR, OAI_ERROR_CONTEXT_LENGTH_EXCEEDED);
  g_assert_cmpuint (mock_server_get_n_requests (f->server), ==, 3);
  g_assert_cmpuint (f->trims, ==, 1);

  /* With no strategy, the error is the answer. */
  g_clear_error (&error);
  oai_client_set_context_strategy (f->client, OAI_CONTEXT_STRATEGY_NONE);
  response = run_chat (f, request, &error);
  g_assert_error (error, OAI_ERROR, OAI_ERROR_CONTEXT_LENGTH_EXCEEDED);
  g_assert_cmpuint (mock_server_get_n_requests (f->server), ==, 4);
}

static void
test_newest_turn_too_long (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(OaiChatRequest) request = oai_chat_request_new ("gpt-4");
  g_autofree char *huge = words (9000, "plum");
  g_autoptr(OaiChatResponse) response = NULL;
  g_autoptr(GError) error = NULL;

  oai_chat_request_add_message (request, OAI_ROLE_USER, "Hello");
  oai_chat_request_add_message (request, OAI_ROLE_USER, huge);
  response = run_chat (f, request, &error);
  g_assert_error (error, OAI_ERROR, OAI_ERROR_CONTEXT_LENGTH_EXCEEDED);
  /* Known to be hopeless: not sent. */
  g_assert_cmpuint (mock_server_get_n_requests (f->server), ==, 0);
}

static void
test_summarize (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(OaiChatRequest) request = conversation ("gpt-4-0613", 20, 1000);
  g_autoptr(OaiChatResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) summary_request = NULL;
  g_autoptr(JsonArray) sent = NULL;
  g_autofree char *summary = mock_chat_completion ("They compared apples at length.");
  g_autofree char *answer = mock_chat_completion ("The last answer.");

  oai_client_set_context_strategy (f->client, OAI_CONTEXT_STRATEGY_SUMMARIZE);
  mock_server_queue (f->server, 200, summary, 0, NULL);
  mock_server_queue (f->server, 200, answer, 0, NULL);

  response = run_chat (f, request, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (oai_chat_response_get_content (response), ==, "The last answer.");
  g_assert_cmpuint (mock_server_get_n_requests (f->server), ==, 2);

  /* The client sent the conversation with a summary in place of the oldest turns… */
  sent = sent_messages (f, 1);
  g_assert_cmpstr (message_text (sent, 0), ==, "You are a patient assistant.");
  g_assert_cmpstr (message_text (sent, 1),
                   ==, "Summary of the earlier part of the conversation: They compared apples at length.");
  g_assert_true (g_str_has_prefix (message_text (sent, 2), "Question "));

  /* …having first asked for a summary of the dropped turns, as many of the
   * newest of them as the model can read: up to the one just before the first
   * turn kept, and not the oldest, which would not fit with them. */
  summary_request = sent_messages (f, 0);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (summary_request, 0), "role"), ==, "system");
  {
    guint first_kept = g_ascii_strtoull (message_text (sent, 2) + strlen ("Question "), NULL, 10);
    g_autofree char *last_dropped = g_strdup_printf ("Question %u:", first_kept - 1);

    g_assert_cmpuint (first_kept, >, 1);
    g_assert_nonnull (strstr (message_text (summary_request, 1), last_dropped));
    g_assert_null (strstr (message_text (summary_request, 1), "Question 0:"));
  }
  g_assert_cmpstr (message_text (sent, json_array_get_length (sent) - 1), ==, "And the last question?");
  g_assert_cmpuint (f->trims, ==, 1);
  g_assert_true (f->last_summarized);
  g_assert_cmpuint (oai_chat_response_get_dropped_messages (response), ==, f->last_dropped);

  /* If the summary cannot be had, the sliding window still gets through. */
  g_clear_object (&response);
  mock_server_queue (f->server, 401, "{\"error\":{\"message\":\"no\"}}", 0, NULL);
  mock_server_queue (f->server, 200, answer, 0, NULL);
  response = run_chat (f, request, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (f->trims, ==, 2);
  g_assert_false (f->last_summarized);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/oai/context/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("sliding-window", test_sliding_window);
  ADD ("tool-groups", test_tool_groups);
  ADD ("server-limit", test_server_limit);
  ADD ("never-resends-unchanged", test_never_resends_unchanged);
  ADD ("newest-turn-too-long", test_newest_turn_too_long);
  ADD ("summarize", test_summarize);

#undef ADD

  return g_test_run ();
}
