/* oai.c: the command-line face of openai-glib
 *
 * Uses only the public API, like any program would.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <locale.h>
#include <math.h>
#include <stdio.h>

#include <gio/gunixinputstream.h>
#include <glib-unix.h>
#include <json-glib/json-glib.h>
#include <openai-glib.h>

/* Exit codes, by what went wrong: a script can tell trying again from
 * fixing something. */
enum {
  EXIT_OK = 0,
  EXIT_FAILED = 1,
  EXIT_USAGE = 2,
  EXIT_AUTHENTICATION = 3,
  EXIT_PERMISSION = 4,
  EXIT_NOT_FOUND = 5,
  EXIT_INVALID_REQUEST = 6,
  EXIT_INVALID_RESPONSE = 7,
  EXIT_BUDGET = 8,
  EXIT_QUOTA = 9,
  EXIT_TEMPORARY = 75,          /* EX_TEMPFAIL: rate limit, server, network; try later */
  EXIT_CANCELLED = 130,
};

static const char usage_text[] =
  "Usage:\n"
  "  oai chat [-m MODEL] [--json] [PROMPT]   ask; the answer streams to standard output\n"
  "                                          (the prompt is read from standard input if not given)\n"
  "  oai count [-m MODEL] [FILE]             count the tokens of FILE (or standard input)\n"
  "  oai cost [--month]                      spend from the ledger, by model and by day\n"
  "  oai models                              the models the server offers\n"
  "\n"
  "Environment: OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_ORG_ID, OPENAI_PROJECT_ID;\n"
  "OAI_MODEL (default gpt-4o-mini); OAI_LEDGER (default $XDG_DATA_HOME/openai-glib/ledger.db),\n"
  "where every answer's cost is written.\n"
  "\n"
  "Exit status: 0 done; 1 failed; 2 usage; 3 the key was refused; 4 permission denied;\n"
  "5 not found (e.g. the model); 6 invalid request (e.g. too long); 7 invalid answer;\n"
  "8 over the monthly budget; 9 out of quota; 75 try again later (rate limit, server or\n"
  "network); 130 interrupted.\n";

static int
exit_code_for (const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return EXIT_CANCELLED;
  if (error->domain != OAI_ERROR)
    return EXIT_FAILED;
  if (oai_error_is_retryable (error))
    return EXIT_TEMPORARY;

  switch (error->code)
    {
    case OAI_ERROR_AUTHENTICATION:
      return EXIT_AUTHENTICATION;
    case OAI_ERROR_PERMISSION_DENIED:
      return EXIT_PERMISSION;
    case OAI_ERROR_NOT_FOUND:
      return EXIT_NOT_FOUND;
    case OAI_ERROR_INVALID_REQUEST:
    case OAI_ERROR_CONTEXT_LENGTH_EXCEEDED:
      return EXIT_INVALID_REQUEST;
    case OAI_ERROR_INVALID_RESPONSE:
    case OAI_ERROR_STREAM_INTERRUPTED:
      return EXIT_INVALID_RESPONSE;
    case OAI_ERROR_BUDGET_EXCEEDED:
      return EXIT_BUDGET;
    case OAI_ERROR_QUOTA_EXCEEDED:
      return EXIT_QUOTA;
    default:
      return EXIT_FAILED;
    }
}

static int
fail (const GError *error)
{
  g_printerr ("oai: %s\n", error->message);
  return exit_code_for (error);
}

static char *
default_ledger_path (void)
{
  const char *path = g_getenv ("OAI_LEDGER");

  if (path != NULL && *path != '\0')
    return g_strdup (path);
  return g_build_filename (g_get_user_data_dir (), "openai-glib", "ledger.db", NULL);
}

static char *
read_all (const char  *path,
          GError     **error)
{
  g_autoptr(GInputStream) input = NULL;
  g_autoptr(GOutputStream) output = g_memory_output_stream_new_resizable ();

  if (path != NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);
      input = G_INPUT_STREAM (g_file_read (file, NULL, error));
      if (input == NULL)
        return NULL;
    }
  else
    input = g_unix_input_stream_new (0, FALSE);

  if (g_output_stream_splice (output, input, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, error) < 0)
    return NULL;
  g_output_stream_write (output, "", 1, NULL, NULL);
  return g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (output));
}

typedef struct
{
  GMainLoop *loop;
  GCancellable *cancellable;
  OaiChatResponse *response;
  GError *error;
} Chat;

static gboolean
interrupted_cb (gpointer user_data)
{
  Chat *chat = user_data;

  g_cancellable_cancel (chat->cancellable);
  return G_SOURCE_CONTINUE;
}

static void
delta_cb (OaiChatStream *stream,
          const char    *text,
          gpointer       user_data)
{
  fputs (text, stdout);
  fflush (stdout);
}

static void
stream_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Chat *chat = user_data;

  chat->response = oai_chat_stream_run_finish (OAI_CHAT_STREAM (object), result, &chat->error);
  g_main_loop_quit (chat->loop);
}

static void
chat_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Chat *chat = user_data;

  chat->response = oai_client_chat_finish (OAI_CLIENT (object), result, &chat->error);
  g_main_loop_quit (chat->loop);
}

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
print_json (OaiChatResponse *response)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  OaiUsage *usage = oai_chat_response_get_usage (response);

  json_builder_begin_object (builder);
  add_string (builder, "id", oai_chat_response_get_id (response));
  add_string (builder, "model", oai_chat_response_get_model (response));
  add_string (builder, "content", oai_chat_response_get_content (response));
  add_string (builder, "refusal", oai_chat_response_get_refusal (response));
  add_string (builder, "finish_reason", oai_chat_response_get_finish_reason (response));
  add_string (builder, "request_id", oai_chat_response_get_request_id (response));
  if (usage != NULL)
    {
      json_builder_set_member_name (builder, "usage");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "prompt_tokens");
      json_builder_add_int_value (builder, oai_usage_get_prompt_tokens (usage));
      json_builder_set_member_name (builder, "completion_tokens");
      json_builder_add_int_value (builder, oai_usage_get_completion_tokens (usage));
      json_builder_set_member_name (builder, "total_tokens");
      json_builder_add_int_value (builder, oai_usage_get_total_tokens (usage));
      json_builder_set_member_name (builder, "cached_tokens");
      json_builder_add_int_value (builder, oai_usage_get_cached_tokens (usage));
      json_builder_set_member_name (builder, "reasoning_tokens");
      json_builder_add_int_value (builder, oai_usage_get_reasoning_tokens (usage));
      json_builder_end_object (builder);
    }
  json_builder_set_member_name (builder, "cost");
  if (isnan (oai_chat_response_get_cost (response)))
    json_builder_add_null_value (builder);
  else
    json_builder_add_double_value (builder, oai_chat_response_get_cost (response));
  json_builder_set_member_name (builder, "attempts");
  json_builder_add_int_value (builder, oai_chat_response_get_attempts (response));
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

static int
cmd_chat (int    argc,
          char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("[PROMPT] - ask, and stream the answer");
  g_autofree char *model = g_strdup (g_getenv ("OAI_MODEL") ? g_getenv ("OAI_MODEL") : "gpt-4o-mini");
  g_autofree char *prompt = NULL;
  g_autofree char *ledger_path = default_ledger_path ();
  g_autoptr(OaiClient) client = oai_client_new_from_environment ();
  g_autoptr(OaiChatRequest) request = NULL;
  g_autoptr(OaiCostTracker) tracker = NULL;
  g_autoptr(GError) error = NULL;
  gboolean json = FALSE;
  Chat chat = { 0 };
  guint sigint;
  int status;
  GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_STRING, &model, "The model (default $OAI_MODEL or gpt-4o-mini)", "MODEL" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the whole answer as JSON, once complete", NULL },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("oai: %s\n%s", error->message, usage_text);
      return EXIT_USAGE;
    }

  prompt = argc > 1 ? g_strjoinv (" ", argv + 1) : read_all (NULL, &error);
  if (prompt == NULL)
    return fail (error);
  g_strstrip (prompt);
  if (*prompt == '\0')
    {
      g_printerr ("oai: nothing to ask\n");
      return EXIT_USAGE;
    }

  /* Every answer's cost goes to the ledger; a ledger that cannot be opened
   * is said, and the answer still comes. */
  tracker = oai_cost_tracker_new_with_ledger (ledger_path, &error);
  if (tracker != NULL)
    oai_client_set_cost_tracker (client, tracker);
  else
    {
      g_printerr ("oai: the costs are not recorded: %s\n", error->message);
      g_clear_error (&error);
    }

  request = oai_chat_request_new (model);
  oai_chat_request_add_message (request, OAI_ROLE_USER, prompt);

  chat.loop = g_main_loop_new (NULL, FALSE);
  chat.cancellable = g_cancellable_new ();
  sigint = g_unix_signal_add (SIGINT, interrupted_cb, &chat);

  if (json)
    oai_client_chat_async (client, request, chat.cancellable, chat_done_cb, &chat);
  else
    {
      g_autoptr(OaiChatStream) stream = oai_client_stream_chat (client, request);

      g_signal_connect (stream, "content-delta", G_CALLBACK (delta_cb), NULL);
      g_signal_connect (stream, "refusal-delta", G_CALLBACK (delta_cb), NULL);
      oai_chat_stream_run_async (stream, chat.cancellable, stream_done_cb, &chat);
    }
  g_main_loop_run (chat.loop);
  g_source_remove (sigint);

  if (chat.response == NULL)
    {
      if (!json)
        fputc ('\n', stdout);
      status = fail (chat.error);
    }
  else
    {
      if (json)
        print_json (chat.response);
      else
        fputc ('\n', stdout);
      status = EXIT_OK;
    }

  g_clear_object (&chat.response);
  g_clear_error (&chat.error);
  g_clear_object (&chat.cancellable);
  g_main_loop_unref (chat.loop);
  return status;
}

static int
cmd_count (int    argc,
           char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("[FILE] - count tokens");
  g_autofree char *model = g_strdup (g_getenv ("OAI_MODEL") ? g_getenv ("OAI_MODEL") : "gpt-4o-mini");
  g_autoptr(OaiTokenizer) tokenizer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_STRING, &model, "Count for this model's encoding", "MODEL" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc > 2)
    {
      g_printerr ("oai: %s\n%s", error ? error->message : "one file at most", usage_text);
      return EXIT_USAGE;
    }

  tokenizer = oai_tokenizer_new_for_model (model, &error);
  if (tokenizer == NULL)
    return fail (error);
  text = read_all (argc > 1 ? argv[1] : NULL, &error);
  if (text == NULL)
    return fail (error);

  g_print ("%" G_GSIZE_FORMAT "\n", oai_tokenizer_count (tokenizer, text, -1));
  return EXIT_OK;
}

static void
print_spend (const char *title,
             GListModel *rows)
{
  g_print ("%s\n", title);
  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(OaiSpend) row = g_list_model_get_item (rows, i);

      g_print ("  %-28s $%12.6f  %6" G_GUINT64_FORMAT " calls  %10" G_GUINT64_FORMAT " + %"
               G_GUINT64_FORMAT " tokens%s\n",
               oai_spend_get_key (row), oai_spend_get_cost (row), oai_spend_get_requests (row),
               oai_spend_get_prompt_tokens (row), oai_spend_get_completion_tokens (row),
               oai_spend_get_unknown_cost_requests (row) > 0 ? "  (some of unknown cost)" : "");
    }
}

static int
cmd_cost (int    argc,
          char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- spend from the ledger");
  g_autofree char *ledger_path = default_ledger_path ();
  g_autoptr(OaiCostTracker) tracker = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) from = NULL;
  g_autoptr(GDateTime) to = g_date_time_add_seconds (now, 1);
  g_autoptr(GListModel) by_model = NULL;
  g_autoptr(GListModel) by_day = NULL;
  gboolean month = FALSE;
  GOptionEntry entries[] = {
    { "month", 0, 0, G_OPTION_ARG_NONE, &month, "This month only (UTC)", NULL },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("oai: %s\n%s", error->message, usage_text);
      return EXIT_USAGE;
    }

  if (!g_file_test (ledger_path, G_FILE_TEST_EXISTS))
    {
      g_print ("No spend recorded yet (%s).\n", ledger_path);
      return EXIT_OK;
    }
  tracker = oai_cost_tracker_new_with_ledger (ledger_path, &error);
  if (tracker == NULL)
    return fail (error);

  from = month ? g_date_time_new_utc (g_date_time_get_year (now), g_date_time_get_month (now), 1, 0, 0, 0)
               : g_date_time_new_utc (1970, 1, 1, 0, 0, 0);
  by_model = oai_cost_tracker_get_spend_by_model (tracker, from, to, &error);
  if (by_model != NULL)
    by_day = oai_cost_tracker_get_spend_by_day (tracker, from, to, &error);
  if (by_day == NULL)
    return fail (error);

  print_spend ("By model:", by_model);
  print_spend ("By day (UTC):", by_day);
  g_print ("This month: $%.6f\n", oai_cost_tracker_get_month_to_date (tracker));
  return EXIT_OK;
}

static gboolean
cancel_cb (gpointer cancellable)
{
  g_cancellable_cancel (cancellable);
  return G_SOURCE_CONTINUE;
}

static void
models_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static int
cmd_models (int    argc,
            char **argv)
{
  g_autoptr(OaiClient) client = oai_client_new_from_environment ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) ids = NULL;
  guint sigint;

  if (argc > 1)
    {
      g_printerr ("oai: models takes no argument\n%s", usage_text);
      return EXIT_USAGE;
    }

  sigint = g_unix_signal_add (SIGINT, cancel_cb, cancellable);
  oai_client_list_models_async (client, cancellable, models_done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (sigint);

  ids = oai_client_list_models_finish (client, result, &error);
  if (ids == NULL)
    return fail (error);
  for (guint i = 0; ids[i] != NULL; i++)
    g_print ("%s\n", ids[i]);
  return EXIT_OK;
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");

  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") ||
      g_str_equal (argv[1], "help"))
    {
      fputs (usage_text, argc < 2 ? stderr : stdout);
      return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }

  if (g_str_equal (argv[1], "chat"))
    return cmd_chat (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "count"))
    return cmd_count (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "cost"))
    return cmd_cost (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "models"))
    return cmd_models (argc - 1, argv + 1);

  g_printerr ("oai: no command “%s”\n%s", argv[1], usage_text);
  return EXIT_USAGE;
}
