/* batch.c: many prompts from a file through a rate limiter, with a progress
 * bar and a cost summary
 *
 *   OPENAI_API_KEY=sk-… ./batch prompts.txt [REQUESTS_PER_MINUTE] [TOKENS_PER_MINUTE]
 */

#include <math.h>
#include <stdlib.h>

#include <locale.h>

#include <openai-glib.h>

typedef struct
{
  GMainLoop *loop;
  OaiRateLimiter *limiter;
  GPtrArray *answers;           /* char *, NULL until answered */
  guint done;
  guint failures;
} Batch;

typedef struct
{
  Batch *batch;
  guint index;
} Job;

static void
progress (Batch *batch)
{
  guint width = 30, filled = width * batch->done / batch->answers->len;

  g_printerr ("\r[");
  for (guint i = 0; i < width; i++)
    g_printerr ("%c", i < filled ? '#' : '-');
  g_printerr ("] %u/%u, %u waiting", batch->done, batch->answers->len,
              oai_rate_limiter_get_queued (batch->limiter));
}

static void
done_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Job *job = user_data;
  Batch *batch = job->batch;
  g_autoptr(GError) error = NULL;
  g_autoptr(OaiChatResponse) response = oai_client_chat_finish (OAI_CLIENT (object), result, &error);

  if (response != NULL)
    g_ptr_array_index (batch->answers, job->index) =
      g_strdup (oai_chat_response_get_content (response) ? oai_chat_response_get_content (response) : "");
  else
    {
      g_ptr_array_index (batch->answers, job->index) = g_strdup_printf ("(failed: %s)", error->message);
      batch->failures++;
    }

  batch->done++;
  progress (batch);
  if (batch->done == batch->answers->len)
    g_main_loop_quit (batch->loop);
  g_free (job);
}

int
main (int argc, char *argv[])
{
  g_autoptr(OaiClient) client = oai_client_new_from_environment ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  Batch batch = { 0 };
  OaiCostTracker *tracker;

  /* Messages in the user's language and charset. */
  setlocale (LC_ALL, "");

  if (argc < 2)
    {
      g_printerr ("usage: batch PROMPTS [RPM] [TPM]\n");
      return 2;
    }
  if (!g_file_get_contents (argv[1], &text, NULL, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  batch.loop = g_main_loop_new (NULL, FALSE);
  batch.limiter = oai_rate_limiter_new (argc > 2 ? atoi (argv[2]) : 500, argc > 3 ? atoi (argv[3]) : 200000);
  oai_rate_limiter_set_max_concurrent (batch.limiter, 4);
  oai_client_set_rate_limiter (client, batch.limiter);
  batch.answers = g_ptr_array_new_with_free_func (g_free);

  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(OaiChatRequest) request = NULL;
      Job *job;

      g_strstrip (lines[i]);
      if (*lines[i] == '\0')
        continue;
      request = oai_chat_request_new ("gpt-4o-mini");
      oai_chat_request_add_message (request, OAI_ROLE_USER, lines[i]);
      job = g_new0 (Job, 1);
      job->batch = &batch;
      job->index = batch.answers->len;
      g_ptr_array_add (batch.answers, NULL);
      oai_client_chat_async (client, request, NULL, done_cb, job);
    }

  if (batch.answers->len > 0)
    {
      progress (&batch);
      g_main_loop_run (batch.loop);
    }
  g_printerr ("\n");

  for (guint i = 0; i < batch.answers->len; i++)
    g_print ("%u: %s\n", i + 1, (char *) g_ptr_array_index (batch.answers, i));

  tracker = oai_client_get_cost_tracker (client);
  g_printerr ("%u prompts, %u failed, %" G_GUINT64_FORMAT " tokens, $%.6f\n", batch.answers->len,
              batch.failures,
              oai_cost_tracker_get_prompt_tokens (tracker) + oai_cost_tracker_get_completion_tokens (tracker),
              oai_cost_tracker_get_total_cost (tracker));

  g_ptr_array_unref (batch.answers);
  g_object_unref (batch.limiter);
  g_main_loop_unref (batch.loop);
  return batch.failures > 0;
}
