/* oai-error.c: the openai-glib error taxonomy and its classifier
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "oai-error-private.h"

G_DEFINE_QUARK (oai-error-quark, oai_error)

/**
 * oai_error_is_retryable:
 * @error: (nullable): an error, from any domain
 *
 * Whether a new attempt of the same request can succeed where this one failed:
 * rate limits, server errors, time-outs, connection failures and conflicts.
 *
 * The client also honours a server's `x-should-retry` header, which overrides
 * this table for the answer that carried it. A context-length error is not
 * retryable as it stands: the history must be trimmed first.
 *
 * Returns: %TRUE if retrying may help
 */
gboolean
oai_error_is_retryable (const GError *error)
{
  if (error == NULL || error->domain != OAI_ERROR)
    return FALSE;

  switch ((OaiError) error->code)
    {
    case OAI_ERROR_RATE_LIMITED:
    case OAI_ERROR_SERVER:
    case OAI_ERROR_TIMEOUT:
    case OAI_ERROR_CONNECTION:
    case OAI_ERROR_CONFLICT:
      return TRUE;

    case OAI_ERROR_QUOTA_EXCEEDED:
    case OAI_ERROR_CONTEXT_LENGTH_EXCEEDED:
    case OAI_ERROR_INVALID_REQUEST:
    case OAI_ERROR_AUTHENTICATION:
    case OAI_ERROR_PERMISSION_DENIED:
    case OAI_ERROR_NOT_FOUND:
    case OAI_ERROR_INVALID_RESPONSE:
    case OAI_ERROR_STREAM_INTERRUPTED:
    case OAI_ERROR_BUDGET_EXCEEDED:
    case OAI_ERROR_FAILED:
    default:
      return FALSE;
    }
}

typedef struct
{
  char *message;
  char *type;
  char *code;
  char *param;
} ErrorBody;

static void
error_body_clear (ErrorBody *eb)
{
  g_clear_pointer (&eb->message, g_free);
  g_clear_pointer (&eb->type, g_free);
  g_clear_pointer (&eb->code, g_free);
  g_clear_pointer (&eb->param, g_free);
}

static char *
dup_member_string (JsonObject *object,
                   const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;

  /* Codes are strings at OpenAI, numbers on some compatible servers. */
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return g_strdup (json_node_get_string (node));
    case G_TYPE_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    default:
      return NULL;
    }
}

/* Keeps a non-JSON body (an HTML page from a proxy, say) short and on one line. */
static char *
summarize_text (const char *data,
                gsize       len)
{
  GString *s = g_string_new (NULL);
  const char *end = data + MIN (len, 200);
  const char *p = data;

  while (p < end && *p != '\0')
    {
      gunichar c = g_utf8_get_char_validated (p, end - p);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        break;
      g_string_append_unichar (s, g_unichar_isspace (c) || g_unichar_iscntrl (c) ? ' ' : c);
      p = g_utf8_next_char (p);
    }

  g_strstrip (s->str);
  s->len = strlen (s->str);
  if (s->len > 0 && len > 200)
    g_string_append (s, "…");

  return g_string_free (s, s->len == 0);
}

/* Reads OpenAI's {"error": {"message", "type", "param", "code"}} and the looser
 * shapes of compatible servers: {"error": "text"}, {"message": …}, {"detail": …}. */
static gboolean
parse_error_body (GBytes     *body,
                  ErrorBody  *eb)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonObject *root;
  JsonNode *error_node;
  gsize len = 0;
  const char *data;

  if (body == NULL)
    return FALSE;

  data = g_bytes_get_data (body, &len);
  if (len == 0 || !json_parser_load_from_data (parser, data, len, NULL))
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return FALSE;

  root = json_node_get_object (json_parser_get_root (parser));
  error_node = json_object_get_member (root, "error");

  if (error_node != NULL && JSON_NODE_HOLDS_OBJECT (error_node))
    {
      JsonObject *error = json_node_get_object (error_node);

      eb->message = dup_member_string (error, "message");
      eb->type = dup_member_string (error, "type");
      eb->code = dup_member_string (error, "code");
      eb->param = dup_member_string (error, "param");
      return TRUE;
    }

  if (error_node != NULL && JSON_NODE_HOLDS_VALUE (error_node))
    eb->message = dup_member_string (root, "error");
  else if (json_object_has_member (root, "message"))
    eb->message = dup_member_string (root, "message");
  else if (json_object_has_member (root, "detail"))
    eb->message = dup_member_string (root, "detail");

  return error_node != NULL || eb->message != NULL;
}

static gboolean
mentions_context_length (const ErrorBody *eb)
{
  if (g_strcmp0 (eb->code, "context_length_exceeded") == 0)
    return TRUE;

  /* Some servers send only the message; OpenAI's own wording and the usual variants. */
  return eb->message != NULL &&
         (strstr (eb->message, "maximum context length") != NULL ||
          strstr (eb->message, "context_length_exceeded") != NULL ||
          strstr (eb->message, "context window") != NULL);
}

static OaiError
code_for_status (guint            status,
                 const ErrorBody *eb)
{
  switch (status)
    {
    case 400:
      return mentions_context_length (eb) ? OAI_ERROR_CONTEXT_LENGTH_EXCEEDED
                                          : OAI_ERROR_INVALID_REQUEST;
    case 401:
      return OAI_ERROR_AUTHENTICATION;
    case 403:
      return OAI_ERROR_PERMISSION_DENIED;
    case 404:
      return OAI_ERROR_NOT_FOUND;
    case 408:
      return OAI_ERROR_TIMEOUT;
    case 409:
      return OAI_ERROR_CONFLICT;
    case 413:
    case 422:
      return OAI_ERROR_INVALID_REQUEST;
    case 429:
      if (g_strcmp0 (eb->code, "insufficient_quota") == 0 ||
          g_strcmp0 (eb->type, "insufficient_quota") == 0)
        return OAI_ERROR_QUOTA_EXCEEDED;
      return OAI_ERROR_RATE_LIMITED;
    default:
      if (status >= 500 && status <= 599)
        return OAI_ERROR_SERVER;
      return OAI_ERROR_FAILED;
    }
}

static GError *
build_error (OaiError         code,
             const char      *message,
             guint            status,
             const ErrorBody *eb,
             const char      *request_id)
{
  g_autoptr(GString) s = g_string_new (message);
  gboolean open = FALSE;

#define SEP() G_STMT_START { g_string_append (s, open ? ", " : " ("); open = TRUE; } G_STMT_END
  if (status != 0)
    {
      SEP ();
      g_string_append_printf (s, "HTTP %u", status);
    }
  if (eb != NULL && eb->code != NULL)
    {
      SEP ();
      g_string_append_printf (s, "code %s", eb->code);
    }
  else if (eb != NULL && eb->type != NULL)
    {
      SEP ();
      g_string_append_printf (s, "type %s", eb->type);
    }
  if (request_id != NULL && *request_id != '\0')
    {
      SEP ();
      g_string_append_printf (s, "request %s", request_id);
    }
  if (open)
    g_string_append_c (s, ')');
#undef SEP

  return g_error_new_literal (OAI_ERROR, code, s->str);
}

/*
 * oai_error_new_from_http:
 * @status: the HTTP status of an answer that was not a success
 * @body: (nullable): its body
 * @request_id: (nullable): its `x-request-id` header
 *
 * Classifies a failed answer by status and body into the taxonomy. The message
 * is the server's own `error.message` when it gave one, followed by the status,
 * the error code and the request id.
 */
GError *
oai_error_new_from_http (guint       status,
                         GBytes     *body,
                         const char *request_id)
{
  ErrorBody eb = { 0 };
  g_autofree char *fallback = NULL;
  const char *message;
  GError *error;

  parse_error_body (body, &eb);

  message = eb.message;
  if (message == NULL || *message == '\0')
    {
      gsize len = 0;
      const char *data = body ? g_bytes_get_data (body, &len) : NULL;
      g_autofree char *text = data ? summarize_text (data, len) : NULL;
      const char *phrase = status >= 500 ? "The server failed" : "The request failed";

      fallback = text ? g_strdup_printf ("%s: %s", phrase, text) : g_strdup (phrase);
      message = fallback;
    }

  error = build_error (code_for_status (status, &eb), message, status, &eb, request_id);
  error_body_clear (&eb);

  return error;
}

/*
 * oai_error_new_from_body:
 * @body: a success (2xx) body that carries an `error` member instead of an answer
 *
 * Some compatible servers answer 200 with an error object; OpenAI does so inside
 * streams. Returns %NULL when @body holds no error.
 */
GError *
oai_error_new_from_body (GBytes     *body,
                         guint       status,
                         const char *request_id)
{
  ErrorBody eb = { 0 };
  OaiError code = OAI_ERROR_FAILED;
  GError *error;

  if (!parse_error_body (body, &eb))
    return NULL;

  if (mentions_context_length (&eb))
    code = OAI_ERROR_CONTEXT_LENGTH_EXCEEDED;
  else if (g_strcmp0 (eb.code, "insufficient_quota") == 0)
    code = OAI_ERROR_QUOTA_EXCEEDED;
  else if (g_strcmp0 (eb.code, "rate_limit_exceeded") == 0)
    code = OAI_ERROR_RATE_LIMITED;
  else if (g_strcmp0 (eb.type, "server_error") == 0)
    code = OAI_ERROR_SERVER;
  else if (g_strcmp0 (eb.type, "invalid_request_error") == 0)
    code = OAI_ERROR_INVALID_REQUEST;

  error = build_error (code, eb.message ? eb.message : "The server reported an error",
                       status, &eb, request_id);
  error_body_clear (&eb);

  return error;
}

/*
 * oai_error_new_from_transport:
 * @error: what libsoup or GIO reported when no HTTP answer arrived
 *
 * Connection refused, reset or dropped, name resolution and TLS failures are
 * %OAI_ERROR_CONNECTION; a transport time-out is %OAI_ERROR_TIMEOUT. Cancellation
 * is not classified: the caller keeps %G_IO_ERROR_CANCELLED.
 */
GError *
oai_error_new_from_transport (const GError *error,
                              const char   *request_id)
{
  OaiError code = OAI_ERROR_CONNECTION;
  g_autofree char *message = NULL;

  g_return_val_if_fail (error != NULL, NULL);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_copy (error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    code = OAI_ERROR_TIMEOUT;

  message = g_strdup_printf ("%s: %s",
                             code == OAI_ERROR_TIMEOUT ? "The connection timed out"
                                                       : "Could not reach the server",
                             error->message);

  return build_error (code, message, 0, NULL, request_id);
}

/*
 * oai_redact_secret:
 * @text: a text that may contain @secret, such as a server's error message
 * @secret: (nullable): the API key
 *
 * Returns: (transfer full): @text with every occurrence of @secret replaced
 */
char *
oai_redact_secret (const char *text,
                   const char *secret)
{
  GString *s;

  if (text == NULL)
    return NULL;
  if (secret == NULL || strlen (secret) < 4 || strstr (text, secret) == NULL)
    return g_strdup (text);

  s = g_string_new (text);
  g_string_replace (s, secret, "[REDACTED]", 0);

  return g_string_free (s, FALSE);
}
