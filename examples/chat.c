/* chat.c: one chat call from C
 *
 *   cc chat.c $(pkg-config --cflags --libs openai-glib-1) -o chat
 *   OPENAI_API_KEY=sk-… ./chat "Say hello"
 */

#include <locale.h>

#include <openai-glib.h>

int
main (int argc, char *argv[])
{
  g_autoptr(OaiClient) client = oai_client_new_from_environment ();
  g_autoptr(OaiChatRequest) request = oai_chat_request_new ("gpt-4o-mini");
  g_autoptr(OaiChatResponse) response = NULL;
  g_autoptr(GError) error = NULL;

  /* Messages in the user's language and charset. */
  setlocale (LC_ALL, "");

  oai_chat_request_add_message (request, OAI_ROLE_USER, argc > 1 ? argv[1] : "Say hello");

  response = oai_client_chat (client, request, NULL, &error);
  if (response == NULL)
    {
      g_printerr ("%s\n", error->message);
      return oai_error_is_retryable (error) ? 75 /* EX_TEMPFAIL */ : 1;
    }

  if (oai_chat_response_get_refusal (response) != NULL)
    g_print ("(refused) %s\n", oai_chat_response_get_refusal (response));
  else
    g_print ("%s\n", oai_chat_response_get_content (response));

  return 0;
}
