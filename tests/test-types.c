/* test-types.c: requests to JSON, answers from JSON, the model types
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <math.h>

#include <json-glib/json-glib.h>
#include <openai-glib.h>

#include "oai-chat-response-private.h"
#include "oai-model-table-private.h"

static JsonObject *
parse_object (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));

  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
test_request_minimal (void)
{
  g_autoptr(OaiChatRequest) request = oai_chat_request_new ("gpt-4o-mini");
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_autoptr(JsonObject) object = NULL;

  oai_chat_request_add_message (request, OAI_ROLE_SYSTEM, "Be brief.");
  oai_chat_request_add_message (request, OAI_ROLE_USER, "Hi \"there\" ☃");
  json = oai_chat_request_to_json (request, FALSE, &error);
  g_assert_no_error (error);

  g_assert_cmpstr (json, ==,
                   "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"system\",\"content\":"
                   "\"Be brief.\"},{\"role\":\"user\",\"content\":\"Hi \\\"there\\\" ☃\"}]}");

  g_assert_cmpint (oai_chat_request_get_max_tokens (request), ==, -1);
  g_assert_true (isnan (oai_chat_request_get_temperature (request)));
  g_assert_true (oai_chat_request_get_include_usage (request));
  g_assert_cmpuint (g_list_model_get_n_items (oai_chat_request_get_messages (request)), ==, 2);

  g_clear_pointer (&json, g_free);
  json = oai_chat_request_to_json (request, TRUE, &error);
  object = parse_object (json);
  g_assert_true (json_object_get_boolean_member (object, "stream"));
  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (object, "stream_options"),
                                                 "include_usage"));
}

static void
test_request_options (void)
{
  g_autoptr(OaiChatRequest) request = oai_chat_request_new ("gpt-4o");
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_autoptr(JsonObject) object = NULL;
  JsonObject *tool, *format;
  OaiMessage *assistant;
  g_autoptr(OaiToolCall) call = oai_tool_call_new ("call_1", "get_weather", "{\"city\":\"Oslo\"}");
  g_autoptr(OaiMessage) tool_message = oai_message_new (OAI_ROLE_TOOL, "{\"temp\":3}");
  JsonArray *messages;

  oai_chat_request_set_max_tokens (request, 256);
  oai_chat_request_set_temperature (request, 0.25);
  g_assert_true (oai_chat_request_add_tool (request, "get_weather", "Current weather",
                                            "{\"type\":\"object\",\"properties\":{\"city\":"
                                            "{\"type\":\"string\"}}}", &error));
  g_assert_no_error (error);
  g_assert_true (oai_chat_request_set_response_format (request, "answer",
                                                       "{\"type\":\"object\"}", TRUE, &error));
  g_assert_true (oai_chat_request_set_extra (request, "seed", "42", &error));
  g_assert_true (oai_chat_request_set_extra (request, "temperature", "0.9", &error));
  g_assert_true (oai_chat_request_set_extra (request, "gone", "1", &error));
  g_assert_true (oai_chat_request_set_extra (request, "gone", NULL, &error));
  g_assert_no_error (error);

  oai_chat_request_add_message (request, OAI_ROLE_USER, "Weather in Oslo?");
  assistant = oai_chat_request_add_message (request, OAI_ROLE_ASSISTANT, NULL);
  oai_message_add_tool_call (assistant, call);
  oai_message_set_tool_call_id (tool_message, "call_1");
  oai_chat_request_append_message (request, tool_message);

  json = oai_chat_request_to_json (request, FALSE, &error);
  g_assert_no_error (error);
  object = parse_object (json);

  g_assert_cmpint (json_object_get_int_member (object, "max_completion_tokens"), ==, 256);
  /* An extra field replaces the built one of the same name. */
  g_assert_cmpfloat (json_object_get_double_member (object, "temperature"), ==, 0.9);
  g_assert_cmpint (json_object_get_int_member (object, "seed"), ==, 42);
  g_assert_false (json_object_has_member (object, "gone"));
  g_assert_false (json_object_has_member (object, "stream"));

  tool = json_array_get_object_element (json_object_get_array_member (object, "tools"), 0);
  g_assert_cmpstr (json_object_get_string_member (tool, "type"), ==, "function");
  tool = json_object_get_object_member (tool, "function");
  g_assert_cmpstr (json_object_get_string_member (tool, "name"), ==, "get_weather");
  g_assert_cmpstr (json_object_get_string_member (tool, "description"), ==, "Current weather");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (tool, "parameters"),
                                                  "type"), ==, "object");

  format = json_object_get_object_member (object, "response_format");
  g_assert_cmpstr (json_object_get_string_member (format, "type"), ==, "json_schema");
  format = json_object_get_object_member (format, "json_schema");
  g_assert_cmpstr (json_object_get_string_member (format, "name"), ==, "answer");
  g_assert_true (json_object_get_boolean_member (format, "strict"));

  messages = json_object_get_array_member (object, "messages");
  {
    JsonObject *a = json_array_get_object_element (messages, 1);
    JsonObject *t = json_array_get_object_element (messages, 2);
    JsonObject *c = json_array_get_object_element (json_object_get_array_member (a, "tool_calls"), 0);

    g_assert_true (json_object_get_null_member (a, "content"));
    g_assert_cmpstr (json_object_get_string_member (c, "id"), ==, "call_1");
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (c, "function"),
                                                    "arguments"), ==, "{\"city\":\"Oslo\"}");
    g_assert_cmpstr (json_object_get_string_member (t, "role"), ==, "tool");
    g_assert_cmpstr (json_object_get_string_member (t, "tool_call_id"), ==, "call_1");
  }

  /* JSON mode */
  g_assert_true (oai_chat_request_set_response_format (request, NULL, NULL, FALSE, &error));
  g_clear_pointer (&json, g_free);
  json = oai_chat_request_to_json (request, FALSE, &error);
  g_assert_nonnull (strstr (json, "\"response_format\":{\"type\":\"json_object\"}"));
}

static void
test_request_bad_input (void)
{
  g_autoptr(OaiChatRequest) request = oai_chat_request_new (NULL);
  g_autoptr(GError) error = NULL;
  char *json;

  g_assert_false (oai_chat_request_add_tool (request, "bad name", NULL, NULL, &error));
  g_assert_error (error, OAI_ERROR, OAI_ERROR_INVALID_REQUEST);
  g_clear_error (&error);
  g_assert_false (oai_chat_request_add_tool (request, "", NULL, NULL, &error));
  g_assert_error (error, OAI_ERROR, OAI_ERROR_INVALID_REQUEST);
  g_clear_error (&error);
  g_assert_false (oai_chat_request_add_tool (request, "f", NULL, "{\"type\":", &error));
  g_assert_error (error, OAI_ERROR, OAI_ERROR_INVALID_REQUEST);
  g_assert_nonnull (strstr (error->message, "not valid JSON"));
  g_clear_error (&error);
  g_assert_false (oai_chat_request_add_tool (request, "f", NULL, "[1,2]", &error));
  g_assert_error (error, OAI_ERROR, OAI_ERROR_INVALID_REQUEST);
  g_clear_error (&error);
  g_assert_false (oai_chat_request_set_response_format (request, "x", "nope", TRUE, &error));
  g_assert_error (error, OAI_ERROR, OAI_ERROR_INVALID_REQUEST);
  g_clear_error (&error);
  g_assert_false (oai_chat_request_set_response_format (request, NULL, "{}", TRUE, &error));
  g_assert_error (error, OAI_ERROR, OAI_ERROR_INVALID_REQUEST);
  g_clear_error (&error);
  g_assert_false (oai_chat_request_set_extra (request, "seed", "{oops", &error));
  g_assert_error (error, OAI_ERROR, OAI_ERROR_INVALID_REQUEST);
  g_clear_error (&error);

  json = oai_chat_request_to_json (request, FALSE, &error);
  g_assert_null (json);
  g_assert_error (error, OAI_ERROR, OAI_ERROR_INVALID_REQUEST);
}

static OaiChatResponse *
parse_response (const char  *json,
                GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
  return oai_chat_response_new_from_json (json_parser_get_root (parser), error);
}

static void
test_response_parse (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OaiChatResponse) response = parse_response (
    "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1727000000,"
    "\"model\":\"gpt-4o-2024-08-06\",\"choices\":[{\"index\":0,\"message\":{\"role\":"
    "\"assistant\",\"content\":null,\"refusal\":null,\"tool_calls\":[{\"id\":\"call_a\","
    "\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"x\\\":1}\"}}]},"
    "\"logprobs\":null,\"finish_reason\":\"tool_calls\"}],\"usage\":{\"prompt_tokens\":100,"
    "\"completion_tokens\":20,\"total_tokens\":120,\"prompt_tokens_details\":{\"cached_tokens\":64,"
    "\"audio_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":7}},"
    "\"system_fingerprint\":\"fp_1\",\"service_tier\":\"default\"}", &error);
  g_autoptr(OaiToolCall) call = NULL;
  OaiUsage *usage;

  g_assert_no_error (error);
  g_assert_cmpstr (oai_chat_response_get_id (response), ==, "chatcmpl-1");
  g_assert_cmpstr (oai_chat_response_get_model (response), ==, "gpt-4o-2024-08-06");
  g_assert_cmpint (oai_chat_response_get_created (response), ==, 1727000000);
  g_assert_null (oai_chat_response_get_content (response));
  g_assert_cmpstr (oai_chat_response_get_finish_reason (response), ==, "tool_calls");
  g_assert_cmpint (oai_message_get_role (oai_chat_response_get_message (response)), ==,
                   OAI_ROLE_ASSISTANT);
  g_assert_cmpuint (g_list_model_get_n_items (oai_chat_response_get_tool_calls (response)), ==, 1);
  call = g_list_model_get_item (oai_chat_response_get_tool_calls (response), 0);
  g_assert_cmpstr (oai_tool_call_get_id (call), ==, "call_a");
  g_assert_cmpstr (oai_tool_call_get_name (call), ==, "f");
  g_assert_cmpstr (oai_tool_call_get_arguments (call), ==, "{\"x\":1}");

  usage = oai_chat_response_get_usage (response);
  g_assert_cmpuint (oai_usage_get_prompt_tokens (usage), ==, 100);
  g_assert_cmpuint (oai_usage_get_completion_tokens (usage), ==, 20);
  g_assert_cmpuint (oai_usage_get_total_tokens (usage), ==, 120);
  g_assert_cmpuint (oai_usage_get_cached_tokens (usage), ==, 64);
  g_assert_cmpuint (oai_usage_get_reasoning_tokens (usage), ==, 7);
  g_assert_false (oai_usage_get_estimated (usage));
  g_assert_true (isnan (oai_chat_response_get_cost (response)));
}

static void
test_response_refusal (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OaiChatResponse) response = parse_response (
    "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":null,"
    "\"refusal\":\"I'm sorry, I can't help with that.\"},\"finish_reason\":\"content_filter\"}]}",
    &error);

  g_assert_no_error (error);
  g_assert_cmpstr (oai_chat_response_get_refusal (response), ==, "I'm sorry, I can't help with that.");
  g_assert_cmpstr (oai_chat_response_get_finish_reason (response), ==, "content_filter");
  /* A server that reports no usage: none is invented. */
  g_assert_null (oai_chat_response_get_usage (response));
}

static void
test_response_malformed (void)
{
  static const struct { const char *json; const char *in_message; } table[] = {
    { "[]", "the body is not a JSON object" },
    { "\"text\"", "the body is not a JSON object" },
    { "{}", "response.choices is not an array" },
    { "{\"choices\":{}}", "response.choices is not an array" },
    { "{\"choices\":[]}", "response.choices is not a non-empty array" },
    { "{\"choices\":[7]}", "response.choices[0] is not an object" },
    { "{\"choices\":[{}]}", "response.choices[0].message is not an object" },
    { "{\"choices\":[{\"message\":\"hi\"}]}", "response.choices[0].message is not an object" },
    { "{\"choices\":[{\"message\":{\"content\":5}}]}", "response.choices[0].message.content is not a string" },
    { "{\"choices\":[{\"message\":{\"content\":[\"a\"]}}]}", "message.content is not a string" },
    { "{\"choices\":[{\"message\":{\"role\":\"wizard\"}}]}", "message.role is not a known role" },
    { "{\"choices\":[{\"message\":{\"tool_calls\":{}}}]}", "message.tool_calls is not an array" },
    { "{\"choices\":[{\"message\":{\"tool_calls\":[1]}}]}", "message.tool_calls[0] is not an object" },
    { "{\"choices\":[{\"message\":{\"tool_calls\":[{\"id\":\"c\"}]}}]}", "tool_calls[0].function is not an object" },
    { "{\"choices\":[{\"message\":{\"tool_calls\":[{\"function\":{\"arguments\":\"{}\"}}]}}]}",
      "tool_calls[0].function.name is not a string" },
    { "{\"choices\":[{\"message\":{},\"finish_reason\":1}]}", "finish_reason is not a string" },
    { "{\"id\":5,\"choices\":[{\"message\":{}}]}", "response.id is not a string" },
    { "{\"created\":\"x\",\"choices\":[{\"message\":{}}]}", "response.created is not an integer" },
    { "{\"choices\":[{\"message\":{}}],\"usage\":[]}", "response.usage is not an object" },
    { "{\"choices\":[{\"message\":{}}],\"usage\":{\"prompt_tokens\":\"9\"}}",
      "response.usage.prompt_tokens is not an integer" },
    { "{\"choices\":[{\"message\":{}}],\"usage\":{\"prompt_tokens\":-1}}",
      "response.usage.prompt_tokens is not a token count" },
    { "{\"choices\":[{\"message\":{}}],\"usage\":{\"prompt_tokens\":1.5}}",
      "response.usage.prompt_tokens is not an integer" },
    { "{\"choices\":[{\"message\":{}}],\"usage\":{\"prompt_tokens_details\":{\"cached_tokens\":true}}}",
      "response.usage.prompt_tokens_details.cached_tokens is not an integer" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(OaiChatResponse) response = parse_response (table[i].json, &error);

      g_test_message ("%s", table[i].json);
      g_assert_null (response);
      g_assert_error (error, OAI_ERROR, OAI_ERROR_INVALID_RESPONSE);
      if (strstr (error->message, table[i].in_message) == NULL)
        g_error ("“%s” does not contain “%s”", error->message, table[i].in_message);
    }
}

static void
test_usage_construct (void)
{
  g_autoptr(OaiUsage) usage = g_object_new (OAI_TYPE_USAGE,
                                            "prompt-tokens", 9,
                                            "completion-tokens", 12,
                                            "cached-tokens", 4,
                                            "estimated", TRUE,
                                            NULL);
  g_autoptr(OaiUsage) explicit_total = g_object_new (OAI_TYPE_USAGE,
                                                     "prompt-tokens", 1,
                                                     "total-tokens", 50,
                                                     NULL);

  g_assert_cmpuint (oai_usage_get_total_tokens (usage), ==, 21);
  g_assert_cmpuint (oai_usage_get_cached_tokens (usage), ==, 4);
  g_assert_true (oai_usage_get_estimated (usage));
  g_assert_cmpuint (oai_usage_get_total_tokens (explicit_total), ==, 50);
}

static void
notify_count_cb (GObject    *object,
                 GParamSpec *pspec,
                 guint      *count)
{
  (*count)++;
}

static void
test_message_notify (void)
{
  g_autoptr(OaiMessage) message = oai_message_new (OAI_ROLE_ASSISTANT, NULL);
  guint count = 0;

  g_signal_connect (message, "notify::content", G_CALLBACK (notify_count_cb), &count);
  oai_message_set_content (message, "Hel");
  oai_message_set_content (message, "Hello");
  oai_message_set_content (message, "Hello");
  g_assert_cmpuint (count, ==, 2);
  g_assert_cmpstr (oai_message_get_content (message), ==, "Hello");

  g_object_set (message, "role", OAI_ROLE_USER, "name", "ann", NULL);
  g_assert_cmpint (oai_message_get_role (message), ==, OAI_ROLE_USER);
  g_assert_cmpstr (oai_message_get_name (message), ==, "ann");

  g_assert_finalize_object (g_steal_pointer (&message));
}

static void
test_model_table (void)
{
  static const struct { const char *model; const char *family; guint window; } table[] = {
    { "gpt-4o", "gpt-4o", 128000 },
    { "gpt-4o-2024-08-06", "gpt-4o", 128000 },
    { "gpt-4o-mini-2024-07-18", "gpt-4o-mini", 128000 },
    { "gpt-4.1-nano-2025-04-14", "gpt-4.1-nano", 1047576 },
    { "gpt-4-0613", "gpt-4", 8192 },
    { "gpt-4-turbo-2024-04-09", "gpt-4-turbo", 128000 },
    { "o3-mini-2025-01-31", "o3-mini", 200000 },
    { "gpt-5", "gpt-5", 400000 },
  };
  static const char *unknown[] = { "gpt-4o1", "llama3.1:8b", "o5", "", "gpt", "gpt-4o-audio-preview",
                                   "gpt-4o-2024-08", "ft:gpt-4o-mini:org::abc", "gpt-4-06130" };
  OaiModelInfo info;

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      g_assert_true (oai_model_table_lookup (table[i].model, &info));
      g_assert_cmpstr (info.family, ==, table[i].family);
      g_assert_cmpuint (info.context_window, ==, table[i].window);
      g_assert_cmpuint (info.max_output, >, 0);
    }
  g_assert_true (oai_model_table_lookup ("gpt-4o-mini", &info));
  g_assert_cmpfloat (info.input_price, ==, 0.15);
  g_assert_cmpfloat (info.cached_input_price, ==, 0.075);
  g_assert_cmpfloat (info.output_price, ==, 0.60);

  /* An unknown model is never taken for another. */
  for (guint i = 0; i < G_N_ELEMENTS (unknown); i++)
    g_assert_false (oai_model_table_lookup (unknown[i], &info));
  g_assert_false (oai_model_table_lookup (NULL, &info));
}

static void
test_request_copy (void)
{
  g_autoptr(OaiChatRequest) request = oai_chat_request_new ("gpt-4o");
  g_autoptr(OaiChatRequest) copy = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autoptr(GError) error = NULL;

  oai_chat_request_add_message (request, OAI_ROLE_SYSTEM, "Be brief.");
  oai_chat_request_add_message (request, OAI_ROLE_USER, "Hi");
  oai_chat_request_set_max_tokens (request, 100);
  oai_chat_request_set_temperature (request, 0.5);
  g_assert_true (oai_chat_request_add_tool (request, "f", "does f", "{\"type\":\"object\"}", &error));
  g_assert_true (oai_chat_request_set_response_format (request, NULL, NULL, FALSE, &error));
  g_assert_true (oai_chat_request_set_extra (request, "seed", "3", &error));

  copy = oai_chat_request_copy (request);
  a = oai_chat_request_to_json (request, TRUE, NULL);
  b = oai_chat_request_to_json (copy, TRUE, NULL);
  g_assert_cmpstr (a, ==, b);

  /* The lists are apart, the messages shared. */
  oai_chat_request_add_message (copy, OAI_ROLE_USER, "More");
  g_assert_cmpuint (g_list_model_get_n_items (oai_chat_request_get_messages (request)), ==, 2);
  {
    g_autoptr(OaiMessage) m1 = g_list_model_get_item (oai_chat_request_get_messages (request), 1);
    g_autoptr(OaiMessage) m2 = g_list_model_get_item (oai_chat_request_get_messages (copy), 1);
    g_assert_true (m1 == m2);
  }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/oai/types/request-minimal", test_request_minimal);
  g_test_add_func ("/oai/types/request-options", test_request_options);
  g_test_add_func ("/oai/types/request-bad-input", test_request_bad_input);
  g_test_add_func ("/oai/types/response-parse", test_response_parse);
  g_test_add_func ("/oai/types/response-refusal", test_response_refusal);
  g_test_add_func ("/oai/types/response-malformed", test_response_malformed);
  g_test_add_func ("/oai/types/usage-construct", test_usage_construct);
  g_test_add_func ("/oai/types/message-notify", test_message_notify);
  g_test_add_func ("/oai/types/model-table", test_model_table);
  g_test_add_func ("/oai/types/request-copy", test_request_copy);

  return g_test_run ();
}
