/* fuzz-answer.c: a chat answer, an error body, a stream chunk, decoded
 *
 * The first byte chooses the decoder; none may crash, leak or accept a
 * shape it should refuse without an error.
 */

#include <json-glib/json-glib.h>

#include "oai-chat-response-private.h"
#include "oai-error-private.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  GBytes *body;
  GError *error = NULL;

  if (size < 2)
    return 0;

  body = g_bytes_new (data + 2, size - 2);
  switch (data[0] % 3)
    {
    case 0:
      {
        GError *e = oai_error_new_from_http (400 + data[1], body, "req_fuzz");

        g_assert (e != NULL && e->domain == OAI_ERROR && e->message != NULL);
        g_error_free (e);
        break;
      }
    case 1:
      {
        GError *e = oai_error_new_from_body (body, 200, NULL);

        if (e != NULL)
          g_error_free (e);
        break;
      }
    default:
      {
        JsonParser *parser = json_parser_new ();

        if (json_parser_load_from_data (parser, (const char *) data + 2, size - 2, NULL))
          {
            OaiChatResponse *response = oai_chat_response_new_from_json (json_parser_get_root (parser),
                                                                         &error);
            g_assert ((response == NULL) == (error != NULL));
            if (response != NULL)
              g_object_unref (response);
            else
              g_assert_error (error, OAI_ERROR, OAI_ERROR_INVALID_RESPONSE);
            g_clear_error (&error);
          }
        g_object_unref (parser);
      }
    }
  g_bytes_unref (body);

  return 0;
}
