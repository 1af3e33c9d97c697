/* stream.c: a streamed chat in a terminal, with its cost at the end
 *
 *   cc stream.c $(pkg-config --cflags --libs openai-glib-1) -o stream
 *   OPENAI_API_KEY=sk-… ./stream "Tell me a joke"
 */

#include <math.h>
#include <stdio.h>

#include <locale.h>

#include <openai-glib.h>

static void
delta_cb (OaiChatStream *stream,
          const char    *text,
          gpointer       user_data)
{
  fputs (text, stdout);
  fflush (stdout);
}

static void
done_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GMainLoop *loop = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(OaiChatResponse) response = oai_chat_stream_run_finish (OAI_CHAT_STREAM (object), result, &error);

  if (response == NULL)
    g_printerr ("\n%s\n", error->message);
  else
    {
      OaiUsage *usage = oai_chat_response_get_usage (response);
      double cost = oai_chat_response_get_cost (response);

      g_print ("\n");
      g_printerr ("— %u tokens, %s%.6f\n", usage ? oai_usage_get_total_tokens (usage) : 0,
                  isnan (cost) ? "cost unknown " : "$", isnan (cost) ? 0.0 : cost);
    }
  g_main_loop_quit (loop);
}

int
main (int argc, char *argv[])
{
  g_autoptr(OaiClient) client = oai_client_new_from_environment ();
  g_autoptr(OaiChatRequest) request = oai_chat_request_new ("gpt-4o-mini");
  g_autoptr(OaiChatStream) stream = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);

  /* Messages in the user's language and charset. */
  setlocale (LC_ALL, "");

  oai_chat_request_add_message (request, OAI_ROLE_USER, argc > 1 ? argv[1] : "Tell me a joke");
  stream = oai_client_stream_chat (client, request);
  g_signal_connect (stream, "content-delta", G_CALLBACK (delta_cb), NULL);
  oai_chat_stream_run_async (stream, NULL, done_cb, loop);
  g_main_loop_run (loop);

  return 0;
}
