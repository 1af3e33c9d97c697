/* test-error.c: the taxonomy and the classifier of failed answers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <openai-glib.h>
#include "oai-error-private.h"

static GBytes *
load_fixture (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", name, NULL);
  g_autoptr(GError) error = NULL;
  char *data = NULL;
  gsize len = 0;

  g_file_get_contents (path, &data, &len, &error);
  g_assert_no_error (error);

  return g_bytes_new_take (data, len);
}

static void
test_retryable (void)
{
  static const struct { OaiError code; gboolean retryable; } table[] = {
    { OAI_ERROR_RATE_LIMITED, TRUE },
    { OAI_ERROR_QUOTA_EXCEEDED, FALSE },
    { OAI_ERROR_SERVER, TRUE },
    { OAI_ERROR_TIMEOUT, TRUE },
    { OAI_ERROR_CONNECTION, TRUE },
    { OAI_ERROR_CONFLICT, TRUE },
    { OAI_ERROR_CONTEXT_LENGTH_EXCEEDED, FALSE },
    { OAI_ERROR_INVALID_REQUEST, FALSE },
    { OAI_ERROR_AUTHENTICATION, FALSE },
    { OAI_ERROR_PERMISSION_DENIED, FALSE },
    { OAI_ERROR_NOT_FOUND, FALSE },
    { OAI_ERROR_INVALID_RESPONSE, FALSE },
    { OAI_ERROR_STREAM_INTERRUPTED, FALSE },
    { OAI_ERROR_BUDGET_EXCEEDED, FALSE },
    { OAI_ERROR_FAILED, FALSE },
  };
  g_autoptr(GError) io = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "x");
  g_autoptr(GEnumClass) klass = g_type_class_ref (OAI_TYPE_ERROR);

  /* Every code of the enum is in the table. */
  g_assert_cmpuint (klass->n_values, ==, G_N_ELEMENTS (table));

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      g_autoptr(GError) error = g_error_new_literal (OAI_ERROR, table[i].code, "x");
      g_assert_cmpint (oai_error_is_retryable (error), ==, table[i].retryable);
    }

  g_assert_false (oai_error_is_retryable (NULL));
  g_assert_false (oai_error_is_retryable (io));
  g_assert_cmpstr (g_quark_to_string (OAI_ERROR), ==, "oai-error-quark");
}

static const char *rate_limit_body =
  "{\n    \"error\": {\n        \"message\": \"Rate limit reached for gpt-4o in organization "
  "org-abc on tokens per min (TPM): Limit 30000, Used 29000, Requested 2000. Please try again "
  "in 2s.\",\n        \"type\": \"tokens\",\n        \"param\": null,\n        \"code\": "
  "\"rate_limit_exceeded\"\n    }\n}";

static void
test_classify_status (void)
{
  static const struct {
    guint status;
    const char *body;
    OaiError code;
    const char *in_message;
  } table[] = {
    { 400, "{\"error\":{\"message\":\"This model's maximum context length is 128000 tokens. "
           "However, your messages resulted in 130412 tokens.\",\"type\":\"invalid_request_error\","
           "\"param\":\"messages\",\"code\":\"context_length_exceeded\"}}",
      OAI_ERROR_CONTEXT_LENGTH_EXCEEDED, "maximum context length" },
    /* Only the message says so: servers that send no code. */
    { 400, "{\"error\":{\"message\":\"This model's maximum context length is 4096 tokens\"}}",
      OAI_ERROR_CONTEXT_LENGTH_EXCEEDED, "4096" },
    { 400, "{\"error\":{\"message\":\"Invalid value for 'temperature'\",\"type\":"
           "\"invalid_request_error\",\"param\":\"temperature\",\"code\":\"invalid_value\"}}",
      OAI_ERROR_INVALID_REQUEST, "Invalid value for 'temperature'" },
    { 403, "{\"error\":{\"message\":\"You are not allowed to sample from this model\","
           "\"type\":\"invalid_request_error\",\"code\":null}}",
      OAI_ERROR_PERMISSION_DENIED, "not allowed" },
    { 404, "{\"error\":{\"message\":\"The model `gpt-9` does not exist or you do not have access "
           "to it.\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"model_not_found\"}}",
      OAI_ERROR_NOT_FOUND, "model_not_found" },
    { 408, NULL, OAI_ERROR_TIMEOUT, "HTTP 408" },
    { 409, "{\"error\":{\"message\":\"Conflict\"}}", OAI_ERROR_CONFLICT, "Conflict" },
    { 413, NULL, OAI_ERROR_INVALID_REQUEST, "HTTP 413" },
    { 422, "{\"detail\":\"Unprocessable\"}", OAI_ERROR_INVALID_REQUEST, "Unprocessable" },
    { 429, NULL, OAI_ERROR_RATE_LIMITED, "HTTP 429" },
    { 429, "{\"error\":{\"message\":\"You exceeded your current quota, please check your plan "
           "and billing details.\",\"type\":\"insufficient_quota\",\"param\":null,"
           "\"code\":\"insufficient_quota\"}}",
      OAI_ERROR_QUOTA_EXCEEDED, "current quota" },
    { 500, "{\"error\":\"Internal failure\"}", OAI_ERROR_SERVER, "Internal failure" },
    { 502, "<html><body><h1>502 Bad\n Gateway</h1></body></html>", OAI_ERROR_SERVER,
      "<html><body><h1>502 Bad  Gateway</h1></body></html>" },
    { 503, "", OAI_ERROR_SERVER, "HTTP 503" },
    { 504, "{\"message\":\"upstream timeout\"}", OAI_ERROR_SERVER, "upstream timeout" },
    { 599, NULL, OAI_ERROR_SERVER, "HTTP 599" },
    { 418, "{\"error\":{\"message\":\"I'm a teapot\",\"code\":418}}", OAI_ERROR_FAILED,
      "code 418" },
    { 301, NULL, OAI_ERROR_FAILED, "HTTP 301" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      g_autoptr(GBytes) body = table[i].body ? g_bytes_new_static (table[i].body,
                                                                   strlen (table[i].body)) : NULL;
      g_autoptr(GError) error = oai_error_new_from_http (table[i].status, body, "req_42");

      g_test_message ("status %u", table[i].status);
      g_assert_error (error, OAI_ERROR, (int) table[i].code);
      g_assert_nonnull (strstr (error->message, table[i].in_message));
      g_assert_nonnull (strstr (error->message, "request req_42"));
    }
}

static void
test_classify_rate_limit (void)
{
  g_autoptr(GBytes) body = g_bytes_new_static (rate_limit_body, strlen (rate_limit_body));
  g_autoptr(GError) error = oai_error_new_from_http (429, body, NULL);

  g_assert_error (error, OAI_ERROR, OAI_ERROR_RATE_LIMITED);
  g_assert_true (g_str_has_prefix (error->message, "Rate limit reached for gpt-4o"));
  g_assert_true (g_str_has_suffix (error->message, "(HTTP 429, code rate_limit_exceeded)"));
}

static void
test_recorded_bodies (void)
{
  g_autoptr(GBytes) body500 = load_fixture ("error-500-server_error.json");
  g_autoptr(GBytes) body401 = load_fixture ("error-401-invalid_api_key.json");
  g_autoptr(GError) e500 = oai_error_new_from_http (500, body500,
                                                    "req_35c852d7d417877c0fbb3134de873c76");
  g_autoptr(GError) e401 = oai_error_new_from_http (401, body401,
                                                    "6f65d2ba-ef3a-4994-a970-ed9866f9c4fc");

  g_assert_error (e500, OAI_ERROR, OAI_ERROR_SERVER);
  g_assert_true (oai_error_is_retryable (e500));
  g_assert_true (g_str_has_prefix (e500->message, "The server had an error processing your request."));
  g_assert_true (g_str_has_suffix (e500->message,
                                   "(HTTP 500, type server_error, request req_35c852d7d417877c0fbb3134de873c76)"));

  g_assert_error (e401, OAI_ERROR, OAI_ERROR_AUTHENTICATION);
  g_assert_false (oai_error_is_retryable (e401));
  g_assert_true (g_str_has_prefix (e401->message, "Incorrect API key provided"));
  g_assert_nonnull (strstr (e401->message, "code invalid_api_key"));
}

static void
test_error_in_success_body (void)
{
  static const char *server_error =
    "{\"error\":{\"message\":\"The server had an error while processing your request.\","
    "\"type\":\"server_error\",\"param\":null,\"code\":null}}";
  static const char *answer = "{\"choices\":[]}";
  g_autoptr(GBytes) b1 = g_bytes_new_static (server_error, strlen (server_error));
  g_autoptr(GBytes) b2 = g_bytes_new_static (answer, strlen (answer));
  g_autoptr(GError) error = oai_error_new_from_body (b1, 200, "req_1");

  g_assert_error (error, OAI_ERROR, OAI_ERROR_SERVER);
  g_assert_null (oai_error_new_from_body (b2, 200, NULL));
}

static void
test_transport (void)
{
  g_autoptr(GError) refused = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                                                   "Connection refused");
  g_autoptr(GError) timed_out = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "slow");
  g_autoptr(GError) tls = g_error_new_literal (G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE, "cert");
  g_autoptr(GError) cancelled = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "stop");
  g_autoptr(GError) e1 = oai_error_new_from_transport (refused, NULL);
  g_autoptr(GError) e2 = oai_error_new_from_transport (timed_out, NULL);
  g_autoptr(GError) e3 = oai_error_new_from_transport (tls, NULL);
  g_autoptr(GError) e4 = oai_error_new_from_transport (cancelled, NULL);

  g_assert_error (e1, OAI_ERROR, OAI_ERROR_CONNECTION);
  g_assert_nonnull (strstr (e1->message, "Connection refused"));
  g_assert_error (e2, OAI_ERROR, OAI_ERROR_TIMEOUT);
  g_assert_error (e3, OAI_ERROR, OAI_ERROR_CONNECTION);
  g_assert_error (e4, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_redact (void)
{
  g_autofree char *a = oai_redact_secret ("Incorrect API key provided: sk-abcdef. Again sk-abcdef",
                                          "sk-abcdef");
  g_autofree char *b = oai_redact_secret ("nothing here", "sk-abcdef");
  g_autofree char *c = oai_redact_secret ("no key", NULL);

  g_assert_cmpstr (a, ==, "Incorrect API key provided: [REDACTED]. Again [REDACTED]");
  g_assert_cmpstr (b, ==, "nothing here");
  g_assert_cmpstr (c, ==, "no key");
  g_assert_null (oai_redact_secret (NULL, "sk-abcdef"));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/oai/error/retryable", test_retryable);
  g_test_add_func ("/oai/error/classify-status", test_classify_status);
  g_test_add_func ("/oai/error/classify-rate-limit", test_classify_rate_limit);
  g_test_add_func ("/oai/error/recorded-bodies", test_recorded_bodies);
  g_test_add_func ("/oai/error/error-in-success-body", test_error_in_success_body);
  g_test_add_func ("/oai/error/transport", test_transport);
  g_test_add_func ("/oai/error/redact", test_redact);

  return g_test_run ();
}
