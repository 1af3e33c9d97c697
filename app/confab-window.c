/* confab-window.c: the conversation window
 *
 * A sidebar of saved conversations and the current one: its messages in a list
 * view (rows recycled, so any length scrolls), the answer growing from its
 * stream, and a composer that counts tokens as you type.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "confab-format.h"
#include "confab-message-row.h"
#include "confab-window.h"

struct _ConfabWindow
{
  AdwApplicationWindow parent_instance;

  OaiClient *client;
  ConfabStore *store;
  GSettings *settings;

  ConfabConversation *conversation;   /* the one shown; unsaved until its first message */
  gulong conversation_cost_id;
  gulong conversation_title_id;
  GtkFilterListModel *visible_messages;
  GtkSingleSelection *conversation_selection;
  gboolean selecting;

  GtkStringList *models;
  GCancellable *models_cancellable;
  gboolean updating_models;

  OaiTokenizer *tokenizer;
  char *tokenizer_model;
  guint count_source;
  gsize conversation_tokens;
  gboolean conversation_tokens_valid;
  guint count_generation;             /* of the conversation, for counts in a thread */
  guint counting_generation;          /* the one a thread is counting, or 0 */
  GCancellable *count_cancellable;

  struct _Answer *answer;             /* the one streaming into this window */
  OaiMessage *editing;                /* the question being edited, until sent */
  char *status;
  char *banner_action;
  gboolean banner_sticky;
  gboolean stick_to_bottom;

  gulong retrying_id;
  gulong alert_id;
  gulong api_key_id;
  gulong base_url_id;
  gulong conversations_id;

  /* Template widgets */
  AdwToastOverlay *toast_overlay;
  AdwLeaflet *leaflet;
  GtkStack *sidebar_stack;
  GtkListView *conversation_list;
  AdwWindowTitle *window_title;
  GtkMenuButton *cost_button;
  GtkLabel *conversation_cost_label;
  GtkLabel *month_cost_label;
  GtkLevelBar *budget_bar;
  GtkLabel *budget_label;
  GtkDropDown *model_dropdown;
  GtkRevealer *banner_revealer;
  GtkLabel *banner_label;
  GtkButton *banner_button;
  GtkStack *stack;
  GtkScrolledWindow *scroller;
  GtkListView *message_view;
  GtkWidget *status_bar;
  GtkWidget *composer_bar;
  GtkSpinner *spinner;
  GtkLabel *status_label;
  GtkLabel *token_label;
  GtkTextView *composer;
  GtkButton *stop_button;
  GtkButton *send_button;
};

G_DEFINE_FINAL_TYPE (ConfabWindow, confab_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_STORE,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct _Answer Answer;

static void set_conversation (ConfabWindow *self, ConfabConversation *conversation);
static void start_answer (ConfabWindow *self);
static void stop_answer (ConfabWindow *self);

/* Status, banner and busy state */

static void
set_status (ConfabWindow *self,
            const char   *status)
{
  g_free (self->status);
  self->status = g_strdup (status);
  gtk_label_set_label (self->status_label, status ? status : "");
}

/**
 * confab_window_show_banner:
 * @self: a window
 * @text: what happened and what to do
 * @button_label: (nullable): the label of the banner's button
 * @action_name: (nullable): the action the button activates
 *
 * Shows a message that stays until dismissed or replaced, for what a person
 * must act on: a refused key, a cut answer, a database set aside.
 */
static void
show_banner_full (ConfabWindow *self,
                  const char   *text,
                  const char   *button_label,
                  const char   *action_name,
                  gboolean      sticky,
                  gboolean      is_error)
{
  GtkWidget *banner = gtk_revealer_get_child (self->banner_revealer);

  if (is_error)
    gtk_widget_add_css_class (banner, "error");
  else
    gtk_widget_remove_css_class (banner, "error");
  self->banner_sticky = sticky;
  gtk_label_set_label (self->banner_label, text);
  gtk_button_set_label (self->banner_button, button_label);
  gtk_button_set_use_underline (self->banner_button, TRUE);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->banner_button), action_name);
  gtk_widget_set_visible (GTK_WIDGET (self->banner_button), button_label != NULL && action_name != NULL);
  g_free (self->banner_action);
  self->banner_action = g_strdup (action_name);
  gtk_revealer_set_reveal_child (self->banner_revealer, TRUE);
}

/* What the application says at start (a database set aside, nothing can be
 * saved) stays until dismissed. */
void
confab_window_show_banner (ConfabWindow *self,
                           const char   *text,
                           const char   *button_label,
                           const char   *action_name)
{
  g_return_if_fail (CONFAB_IS_WINDOW (self));

  show_banner_full (self, text, button_label, action_name, TRUE, FALSE);
}

/* Hides what an answer's error showed; @force also what must stay. */
static void
hide_banner (ConfabWindow *self,
             gboolean      force)
{
  if (self->banner_sticky && !force)
    return;
  gtk_revealer_set_reveal_child (self->banner_revealer, FALSE);
  g_clear_pointer (&self->banner_action, g_free);
  self->banner_sticky = FALSE;
}

static gboolean
needs_key (ConfabWindow *self)
{
  /* A local or other compatible server may need no key; api.openai.com does. */
  return oai_client_get_api_key (self->client) == NULL &&
         g_str_equal (oai_client_get_base_url (self->client), OAI_DEFAULT_BASE_URL);
}

static guint
n_messages (ConfabWindow *self)
{
  if (self->conversation == NULL)
    return 0;
  return g_list_model_get_n_items (confab_conversation_get_messages (self->conversation));
}

static OaiMessage *
nth_message (ConfabWindow *self,
             guint         position)
{
  g_autoptr(OaiMessage) message = NULL;

  message = g_list_model_get_item (confab_conversation_get_messages (self->conversation), position);
  return message; /* still owned by the conversation */
}

static gint
last_user_position (ConfabWindow *self)
{
  for (guint i = n_messages (self); i > 0; i--)
    if (oai_message_get_role (nth_message (self, i - 1)) == OAI_ROLE_USER)
      return i - 1;
  return -1;
}

static void
update_page (ConfabWindow *self)
{
  /* Without a key there is nothing to write to; the welcome page says why. */
  gtk_widget_set_visible (self->status_bar, !needs_key (self));
  gtk_widget_set_visible (self->composer_bar, !needs_key (self));

  if (needs_key (self))
    gtk_stack_set_visible_child_name (self->stack, "welcome");
  else if (g_list_model_get_n_items (G_LIST_MODEL (self->visible_messages)) == 0)
    gtk_stack_set_visible_child_name (self->stack, "empty");
  else
    gtk_stack_set_visible_child_name (self->stack, "chat");
}

static void
update_actions (ConfabWindow *self)
{
  gboolean busy = self->answer != NULL;
  /* A conversation whose messages could not be read takes nothing new. */
  gboolean readable = self->conversation == NULL || confab_conversation_get_loaded (self->conversation);
  gboolean ready = !busy && !needs_key (self) && readable;
  gboolean has_user = readable && last_user_position (self) >= 0;

  gtk_widget_set_visible (GTK_WIDGET (self->send_button), !busy);
  gtk_widget_set_visible (GTK_WIDGET (self->stop_button), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  /* The answer is priced and saved with the model it was asked of. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->model_dropdown), !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.send", ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.stop", busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.regenerate", ready && has_user);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.edit-last", ready && has_user);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.delete-conversation",
                                 self->conversation != NULL &&
                                 confab_conversation_get_id (self->conversation) != 0);
}

static void
update_busy (ConfabWindow *self)
{
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

/* Costs */

static void
update_costs (ConfabWindow *self)
{
  OaiCostTracker *tracker = oai_client_get_cost_tracker (self->client);
  double cost = self->conversation ? confab_conversation_get_cost (self->conversation) : 0;
  g_autofree char *conversation = confab_format_cost (cost);

  gtk_menu_button_set_label (self->cost_button, conversation);
  gtk_label_set_label (self->conversation_cost_label, conversation);

  if (tracker == NULL)
    {
      gtk_label_set_label (self->month_cost_label, "—");
      gtk_label_set_label (self->budget_label, _("Spending is not recorded."));
      gtk_widget_set_visible (GTK_WIDGET (self->budget_bar), FALSE);
      return;
    }
  else
    {
      double month = oai_cost_tracker_get_month_to_date (tracker);
      double budget = oai_cost_tracker_get_monthly_budget (tracker);
      g_autofree char *month_text = confab_format_cost (month);

      gtk_label_set_label (self->month_cost_label, month_text);
      gtk_widget_set_visible (GTK_WIDGET (self->budget_bar), budget > 0);
      if (budget > 0)
        {
          g_autofree char *budget_text = confab_format_cost (budget);
          g_autofree char *text = NULL;

          /* Translators: the month's budget in dollars, and a percentage. */
          text = g_strdup_printf (_("%.0f %% of the monthly budget of %s"), 100 * month / budget, budget_text);
          gtk_level_bar_set_value (self->budget_bar, MIN (month / budget, 1.0));
          gtk_label_set_label (self->budget_label, text);
        }
      else
        {
          gtk_label_set_label (self->budget_label, _("No monthly budget is set. Set one in Preferences."));
        }
    }
}

/* Token counts */

static OaiTokenizer *
get_tokenizer (ConfabWindow *self,
               const char   *model)
{
  if (self->tokenizer == NULL || g_strcmp0 (self->tokenizer_model, model) != 0)
    {
      g_autoptr(GError) error = NULL;

      g_clear_object (&self->tokenizer);
      self->tokenizer = oai_tokenizer_new_for_model (model, &error);
      /* A model the library does not know (a local one): o200k_base is the
       * best guess at its count. */
      if (self->tokenizer == NULL)
        self->tokenizer = oai_tokenizer_new ("o200k_base", NULL);
      g_free (self->tokenizer_model);
      self->tokenizer_model = g_strdup (model);
      self->conversation_tokens_valid = FALSE;
    }

  return self->tokenizer;
}

static char *
current_model (ConfabWindow *self)
{
  const char *env = g_getenv ("CONFAB_MODEL");
  GtkStringObject *selected = gtk_drop_down_get_selected_item (self->model_dropdown);

  if (self->conversation != NULL && confab_conversation_get_model (self->conversation) != NULL)
    return g_strdup (confab_conversation_get_model (self->conversation));
  if (selected != NULL)
    return g_strdup (gtk_string_object_get_string (selected));
  if (env != NULL && *env != '\0')
    return g_strdup (env);
  return g_settings_get_string (self->settings, "default-model");
}

static OaiChatRequest *
build_request (ConfabWindow *self,
               const char   *model)
{
  OaiChatRequest *request = oai_chat_request_new (model);

  for (guint i = 0; i < n_messages (self); i++)
    oai_chat_request_append_message (request, nth_message (self, i));

  return request;
}

static char *
get_draft (ConfabWindow *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->composer);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void count_conversation (ConfabWindow *self, const char *model);

static gboolean
count_tokens_cb (gpointer user_data)
{
  ConfabWindow *self = user_data;
  g_autofree char *model = current_model (self);
  g_autofree char *draft = get_draft (self);
  OaiTokenizer *tokenizer = get_tokenizer (self, model);
  g_autofree char *draft_text = NULL;
  g_autofree char *all_text = NULL;
  g_autofree char *label = NULL;
  gsize draft_tokens;

  self->count_source = 0;

  /* The conversation is counted once per change, in a thread (a long one is
   * a million tokens); the draft on each pause in typing. */
  if (!self->conversation_tokens_valid)
    count_conversation (self, model);

  draft_tokens = oai_tokenizer_count (tokenizer, draft, -1);
  draft_text = confab_format_tokens (draft_tokens);
  all_text = confab_format_tokens (self->conversation_tokens + draft_tokens);
  /* Translators: tokens in the message being written, and in the whole
   * conversation it would be sent with. */
  label = g_strdup_printf (_("%s tokens · %s with the conversation"), draft_text, all_text);
  gtk_label_set_label (self->token_label, label);

  return G_SOURCE_REMOVE;
}

static void
queue_count (ConfabWindow *self)
{
  if (self->count_source == 0)
    self->count_source = g_timeout_add (150, count_tokens_cb, self);
}

static void
invalidate_conversation_tokens (ConfabWindow *self)
{
  self->conversation_tokens_valid = FALSE;
  /* Never 0, which means no count is running. */
  if (++self->count_generation == 0)
    self->count_generation = 1;
  queue_count (self);
}

typedef struct
{
  GWeakRef window;
  OaiTokenizer *tokenizer;
  OaiChatRequest *request;
  guint generation;
} Count;

static void
count_free (Count *count)
{
  g_weak_ref_clear (&count->window);
  g_clear_object (&count->tokenizer);
  g_clear_object (&count->request);
  g_free (count);
}

static void
count_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Count *count = task_data;

  g_task_return_int (task, oai_tokenizer_count_request (count->tokenizer, count->request));
}

static void
count_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  Count *count = g_task_get_task_data (G_TASK (result));
  g_autoptr(ConfabWindow) self = g_weak_ref_get (&count->window);
  gssize tokens = g_task_propagate_int (G_TASK (result), NULL);

  if (self == NULL)
    return;
  if (self->counting_generation == count->generation)
    self->counting_generation = 0;
  /* A count of a conversation that has changed since is thrown away. */
  if (tokens < 0 || count->generation != self->count_generation)
    return;

  self->conversation_tokens = tokens;
  self->conversation_tokens_valid = TRUE;
  queue_count (self);
}

static void
count_conversation (ConfabWindow *self,
                    const char   *model)
{
  g_autoptr(GTask) task = NULL;
  Count *count;

  if (n_messages (self) == 0)
    {
      self->conversation_tokens = 0;
      self->conversation_tokens_valid = TRUE;
      return;
    }
  if (self->counting_generation == self->count_generation)
    return;
  self->counting_generation = self->count_generation;

  /* The thread counts copies: the answer may grow meanwhile. */
  count = g_new0 (Count, 1);
  g_weak_ref_init (&count->window, self);
  count->tokenizer = g_object_ref (get_tokenizer (self, model));
  count->request = oai_chat_request_new (model);
  count->generation = self->count_generation;
  for (guint i = 0; i < n_messages (self); i++)
    {
      OaiMessage *message = nth_message (self, i);
      g_autoptr(OaiMessage) copy = oai_message_new (oai_message_get_role (message),
                                                    oai_message_get_content (message));

      oai_chat_request_append_message (count->request, copy);
    }

  if (self->count_cancellable == NULL)
    self->count_cancellable = g_cancellable_new ();
  task = g_task_new (NULL, self->count_cancellable, count_done_cb, NULL);
  g_task_set_source_tag (task, count_conversation);
  g_task_set_task_data (task, count, (GDestroyNotify) count_free);
  g_task_run_in_thread (task, count_thread);
}

/* Models */

static void
select_model (ConfabWindow *self,
              const char   *model)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->models));

  self->updating_models = TRUE;
  for (guint i = 0; i < n; i++)
    if (g_str_equal (gtk_string_list_get_string (self->models, i), model))
      {
        gtk_drop_down_set_selected (self->model_dropdown, i);
        self->updating_models = FALSE;
        return;
      }

  /* A model the list does not have (an old conversation's, or typed in
   * Preferences) is still offered. */
  gtk_string_list_append (self->models, model);
  gtk_drop_down_set_selected (self->model_dropdown, n);
  self->updating_models = FALSE;
}

static void
set_models (ConfabWindow       *self,
            const char * const *models)
{
  g_autofree char *model = current_model (self);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->models));

  self->updating_models = TRUE;
  gtk_string_list_splice (self->models, 0, n, models);
  self->updating_models = FALSE;
  select_model (self, model);
}

static void
fallback_models (ConfabWindow *self)
{
  OaiCostTracker *tracker = oai_client_get_cost_tracker (self->client);
  g_autoptr(OaiCostTracker) table = tracker ? NULL : oai_cost_tracker_new ();
  g_auto(GStrv) models = oai_cost_tracker_dup_models (tracker ? tracker : table);

  set_models (self, (const char * const *) models);
}

/* /models lists every model of an account: those that do not chat (embedding,
 * speech, images, moderation) are not offered. */
static gboolean
is_chat_model (const char *id)
{
  static const char * const not_chat[] = {
    "embedding", "tts", "whisper", "dall-e", "moderation", "transcribe", "gpt-image",
    "davinci", "babbage", "-realtime", "-audio", "-search", "computer-use",
  };

  for (guint i = 0; i < G_N_ELEMENTS (not_chat); i++)
    if (strstr (id, not_chat[i]) != NULL)
      return FALSE;
  return TRUE;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static void
list_models_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GWeakRef *window = user_data;
  g_autoptr(ConfabWindow) self = g_weak_ref_get (window);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) models = oai_client_list_models_finish (OAI_CLIENT (object), result, &error);

  g_weak_ref_clear (window);
  g_free (window);
  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_clear_object (&self->models_cancellable);

  /* A server without /models keeps the price table's list. */
  if (models == NULL || models[0] == NULL)
    {
      if (error != NULL)
        g_debug ("Models not listed: %s", error->message);
      return;
    }

  {
    g_autoptr(GPtrArray) chat = g_ptr_array_new ();

    for (guint i = 0; models[i] != NULL; i++)
      if (is_chat_model (models[i]))
        g_ptr_array_add (chat, models[i]);
    if (chat->len == 0)
      return;
    g_ptr_array_sort (chat, compare_strings);
    g_ptr_array_add (chat, NULL);
    set_models (self, (const char * const *) chat->pdata);
  }
}

static void
refresh_models (ConfabWindow *self)
{
  GWeakRef *window;

  g_cancellable_cancel (self->models_cancellable);
  g_clear_object (&self->models_cancellable);
  fallback_models (self);

  if (needs_key (self))
    return;

  /* Held weakly, like an answer: a closed window is disposed (and the
   * listing cancelled) without waiting for the server. */
  window = g_new0 (GWeakRef, 1);
  g_weak_ref_init (window, self);
  self->models_cancellable = g_cancellable_new ();
  oai_client_list_models_async (self->client, self->models_cancellable, list_models_cb, window);
}

static void
model_selected_cb (ConfabWindow *self)
{
  GtkStringObject *selected = gtk_drop_down_get_selected_item (self->model_dropdown);
  const char *model;

  if (self->updating_models || selected == NULL)
    return;

  model = gtk_string_object_get_string (selected);
  if (self->conversation != NULL)
    confab_conversation_set_model (self->conversation, model);
  g_settings_set_string (self->settings, "default-model", model);
  invalidate_conversation_tokens (self);
}

/* Persistence */

static void
save_conversation (ConfabWindow *self,
                   ConfabConversation *conversation)
{
  g_autoptr(GError) error = NULL;

  if (!confab_store_save (self->store, conversation, &error))
    {
      g_autofree char *text = g_strdup_printf (_("The conversation could not be saved: %s"), error->message);

      show_banner_full (self, text, NULL, NULL, FALSE, TRUE);
      return;
    }

  /* A new conversation joins the sidebar, selected; a saved one moves to
   * the top, and stays selected. */
  if (conversation == self->conversation)
    {
      guint position;

      if (g_list_store_find (G_LIST_STORE (confab_store_get_conversations (self->store)),
                             conversation, &position))
        {
          self->selecting = TRUE;
          gtk_single_selection_set_selected (self->conversation_selection, position);
          self->selecting = FALSE;
        }
    }
  update_actions (self);
}

/* The answer */

/* An answer outlives a switch to another conversation and the window itself:
 * it keeps what it needs to be priced and saved, and the window only weakly. */
struct _Answer
{
  GWeakRef window;
  ConfabStore *store;
  OaiCostTracker *tracker;
  ConfabConversation *conversation;
  OaiChatStream *stream;
  GCancellable *cancellable;
  gboolean was_saved;           /* so an answer to a deleted conversation does not bring it back */
};

static void
answer_free (Answer *answer)
{
  g_weak_ref_clear (&answer->window);
  g_clear_object (&answer->store);
  g_clear_object (&answer->tracker);
  g_clear_object (&answer->conversation);
  g_clear_object (&answer->stream);
  g_clear_object (&answer->cancellable);
  g_free (answer);
}

/* Saves what the answer holds, wherever the window is. */
static void
answer_save (Answer       *answer,
             ConfabWindow *self)
{
  ConfabConversation *conversation = answer->conversation;
  g_autoptr(GError) error = NULL;

  if (answer->was_saved && confab_conversation_get_id (conversation) == 0)
    return;
  if (g_list_model_get_n_items (confab_conversation_get_messages (conversation)) == 0 &&
      confab_conversation_get_id (conversation) == 0)
    return;

  if (self != NULL)
    save_conversation (self, conversation);
  else if (!confab_store_save (answer->store, conversation, &error))
    g_warning ("The conversation could not be saved: %s", error->message);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Answer, answer_free)

static void
show_error (ConfabWindow *self,
            const GError *error)
{
  g_autofree char *text = NULL;
  const char *button = _("_Retry");
  const char *action = "win.regenerate";

  if (error->domain != OAI_ERROR)
    {
      text = g_strdup_printf (_("No answer: %s"), error->message);
    }
  else switch ((OaiError) error->code)
    {
    case OAI_ERROR_AUTHENTICATION:
      text = g_strdup (_("The server refused the API key. Check the key in Preferences."));
      button = _("Open _Preferences");
      action = "app.preferences";
      break;
    case OAI_ERROR_PERMISSION_DENIED:
      text = g_strdup (_("This API key may not use this model or project. Choose another model, or check the organization and project in Preferences."));
      button = _("Open _Preferences");
      action = "app.preferences";
      break;
    case OAI_ERROR_NOT_FOUND:
      text = g_strdup (_("The server does not know this model. Choose another one."));
      button = NULL;
      break;
    case OAI_ERROR_QUOTA_EXCEEDED:
      text = g_strdup (_("The account has no quota left. Check its plan and billing on the provider's website."));
      button = NULL;
      break;
    case OAI_ERROR_RATE_LIMITED:
      text = g_strdup (_("The server is still limiting requests after several tries. Wait a minute, then retry."));
      break;
    case OAI_ERROR_STREAM_INTERRUPTED:
      text = g_strdup (_("The answer was cut off. What arrived is kept; Retry asks again."));
      break;
    case OAI_ERROR_CONTEXT_LENGTH_EXCEEDED:
      text = g_strdup (_("This conversation is too long for the model. Start a new chat, or let Confab drop or summarize the oldest messages (Preferences)."));
      button = _("Open _Preferences");
      action = "app.preferences";
      break;
    case OAI_ERROR_BUDGET_EXCEEDED:
      text = g_strdup (_("This month's budget is spent, so the message was not sent. Raise the budget or turn off the hard limit in Preferences."));
      button = _("Open _Preferences");
      action = "app.preferences";
      break;
    case OAI_ERROR_TIMEOUT:
    case OAI_ERROR_CONNECTION:
      text = g_strdup_printf (_("The server could not be reached: %s"), error->message);
      break;
    case OAI_ERROR_SERVER:
    case OAI_ERROR_CONFLICT:
      text = g_strdup (_("The server failed to answer, even after retrying. Try again later."));
      break;
    case OAI_ERROR_INVALID_REQUEST:
      text = g_strdup_printf (_("The server refused the request: %s"), error->message);
      button = NULL;
      break;
    case OAI_ERROR_INVALID_RESPONSE:
      text = g_strdup_printf (_("The server's answer could not be read: %s"), error->message);
      break;
    case OAI_ERROR_FAILED:
    default:
      text = g_strdup (error->message);
      break;
    }

  set_status (self, NULL);
  show_banner_full (self, text, button, button ? action : NULL, FALSE, TRUE);
}

static void
answer_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(Answer) answer = user_data;
  g_autoptr(ConfabWindow) self = g_weak_ref_get (&answer->window);
  gboolean current = self != NULL && self->answer == answer;
  ConfabConversation *conversation = answer->conversation;
  OaiChatStream *stream = OAI_CHAT_STREAM (object);
  OaiMessage *message = oai_chat_stream_get_message (stream);
  g_autoptr(GError) error = NULL;
  g_autoptr(OaiChatResponse) response = oai_chat_stream_run_finish (stream, result, &error);
  gboolean cancelled = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  OaiUsage *usage = response ? oai_chat_response_get_usage (response) : oai_chat_stream_get_usage (stream);
  ConfabMessageInfo info = { 0, };

  if (current)
    self->answer = NULL;

  if (response == NULL && oai_message_get_content (message) == NULL &&
      oai_message_get_refusal (message) == NULL)
    {
      GListModel *messages = confab_conversation_get_messages (conversation);
      guint n = g_list_model_get_n_items (messages);

      /* No answer at all: its empty row goes; the question stays to retry. */
      if (n > 0)
        {
          g_autoptr(OaiMessage) last = g_list_model_get_item (messages, n - 1);
          if (last == message)
            confab_conversation_truncate (conversation, n - 1);
        }
    }
  else
    {
      if (usage != NULL)
        {
          OaiCostTracker *tracker = answer->tracker;
          const char *model = oai_chat_request_get_model (oai_chat_stream_get_request (stream));

          info.prompt_tokens = oai_usage_get_prompt_tokens (usage);
          info.completion_tokens = oai_usage_get_completion_tokens (usage);
          info.estimated = oai_usage_get_estimated (usage);
          if (response != NULL)
            info.cost = oai_chat_response_get_cost (response);
          else if (tracker != NULL)
            info.cost = oai_cost_tracker_cost_for (tracker, model, usage);
          else
            info.cost = NAN;
        }
      else
        info.cost = NAN;

      if (response != NULL)
        info.finish_reason = g_intern_string (oai_chat_response_get_finish_reason (response));
      else
        info.finish_reason = g_intern_static_string (cancelled ? "stopped" : "interrupted");

      confab_conversation_message_changed (conversation, message);
      confab_conversation_set_message_info (conversation, message, &info);
    }

  answer_save (answer, self);

  /* A window closed, or showing another conversation, says nothing of it. */
  if (self == NULL || gtk_widget_in_destruction (GTK_WIDGET (self)))
    return;

  if (conversation == self->conversation)
    {
      update_page (self);
      invalidate_conversation_tokens (self);
    }
  update_busy (self);
  update_costs (self);

  if (!current)
    return;

  if (response != NULL)
    set_status (self, NULL);
  else if (cancelled)
    set_status (self, _("Stopped"));
  else
    show_error (self, error);
}

/* Stops the answer streaming into this window, if any; it ends on its own,
 * priced and saved, but the window no longer waits for it. */
static void
stop_answer (ConfabWindow *self)
{
  Answer *answer = self->answer;

  if (answer == NULL)
    return;

  self->answer = NULL;
  g_cancellable_cancel (answer->cancellable);
}

static void
start_answer (ConfabWindow *self)
{
  g_autofree char *model = current_model (self);
  g_autoptr(OaiChatRequest) request = NULL;
  g_autoptr(OaiChatStream) stream = NULL;
  Answer *answer;

  request = build_request (self, model);
  stream = oai_client_stream_chat (self->client, request);

  /* The answer's row is there from the start and grows with the stream. */
  confab_conversation_append (self->conversation, oai_chat_stream_get_message (stream));
  update_page (self);

  answer = g_new0 (Answer, 1);
  g_weak_ref_init (&answer->window, self);
  answer->store = g_object_ref (self->store);
  answer->tracker = oai_client_get_cost_tracker (self->client)
                    ? g_object_ref (oai_client_get_cost_tracker (self->client)) : NULL;
  answer->conversation = g_object_ref (self->conversation);
  answer->stream = g_object_ref (stream);
  answer->cancellable = g_cancellable_new ();
  answer->was_saved = confab_conversation_get_id (self->conversation) != 0;
  self->answer = answer;

  self->stick_to_bottom = TRUE;
  hide_banner (self, FALSE);
  update_busy (self);
  set_status (self, _("Waiting for the answer…"));

  oai_chat_stream_run_async (stream, answer->cancellable, answer_done_cb, answer);
}

static void
send_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);
  g_autofree char *draft = get_draft (self);
  g_autofree char *system_prompt = NULL;
  g_autoptr(OaiMessage) message = NULL;
  g_autofree char *model = current_model (self);
  char *text = g_strstrip (draft);
  guint position;

  if (self->answer != NULL || needs_key (self) || *text == '\0')
    return;

  if (self->conversation == NULL)
    {
      g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
      set_conversation (self, conversation);
    }
  if (!confab_conversation_get_loaded (self->conversation))
    return;

  /* A question being edited is replaced, with everything after it. */
  if (self->editing != NULL &&
      g_list_store_find (G_LIST_STORE (confab_conversation_get_messages (self->conversation)),
                         self->editing, &position))
    confab_conversation_truncate (self->conversation, position);
  g_clear_object (&self->editing);

  if (confab_conversation_get_model (self->conversation) == NULL)
    confab_conversation_set_model (self->conversation, model);

  /* The instructions from Preferences open each new conversation. */
  system_prompt = g_settings_get_string (self->settings, "system-prompt");
  if (n_messages (self) == 0 && *g_strstrip (system_prompt) != '\0')
    {
      g_autoptr(OaiMessage) system = oai_message_new (OAI_ROLE_SYSTEM, system_prompt);
      confab_conversation_append (self->conversation, system);
    }

  message = oai_message_new (OAI_ROLE_USER, text);
  confab_conversation_append (self->conversation, message);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->composer), "", 0);
  save_conversation (self, self->conversation);

  start_answer (self);
}

static void
stop_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);

  if (self->answer != NULL)
    g_cancellable_cancel (self->answer->cancellable);
}

static void
regenerate_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);
  gint last_user = last_user_position (self);

  if (self->answer != NULL || last_user < 0)
    return;

  /* Whatever answered the last question (a cut or unwanted answer) goes, and
   * the question is asked again. */
  confab_conversation_truncate (self->conversation, last_user + 1);
  save_conversation (self, self->conversation);
  start_answer (self);
}

static void
edit_last_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);
  gint last_user = last_user_position (self);
  g_autofree char *text = NULL;
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->composer);

  if (self->answer != NULL || last_user < 0)
    return;

  /* The question goes back into the composer; it and its answer stay until
   * the edited one is sent, so nothing is lost to a stray key. */
  g_set_object (&self->editing, nth_message (self, last_user));
  text = g_strdup (oai_message_get_content (self->editing));
  gtk_text_buffer_set_text (buffer, text ? text : "", -1);
  gtk_widget_grab_focus (GTK_WIDGET (self->composer));
  set_status (self, _("Editing the last message: sending it replaces the message and its answer."));
}

static void
new_chat_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);

  set_conversation (self, NULL);
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
  gtk_widget_grab_focus (GTK_WIDGET (self->composer));
}

/**
 * confab_window_delete_conversation:
 * @self: a window
 * @conversation: a saved conversation
 *
 * Deletes the conversation from the database (and the sidebar); the window
 * shows a new chat if it was the one shown.
 */
void
confab_window_delete_conversation (ConfabWindow       *self,
                                   ConfabConversation *conversation)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabConversation) hold = g_object_ref (conversation);

  if (conversation == self->conversation)
    set_conversation (self, NULL);

  if (!confab_store_delete (self->store, conversation, &error))
    {
      g_autofree char *text = g_strdup_printf (_("The conversation could not be deleted: %s"), error->message);
      show_banner_full (self, text, NULL, NULL, FALSE, TRUE);
    }
}

static void
delete_response_cb (AdwMessageDialog   *dialog,
                    const char         *response,
                    ConfabConversation *conversation)
{
  ConfabWindow *self = CONFAB_WINDOW (gtk_window_get_transient_for (GTK_WINDOW (dialog)));

  if (g_str_equal (response, "delete"))
    confab_window_delete_conversation (self, conversation);
}

static void
ask_delete (ConfabWindow       *self,
            ConfabConversation *conversation)
{
  AdwMessageDialog *dialog;
  const char *title = confab_conversation_get_title (conversation);

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Delete Conversation?"), NULL));
  adw_message_dialog_format_body (dialog, _("“%s” and all its messages will be deleted for good."),
                                  title && *title ? title : _("New Chat"));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "delete", _("_Delete"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_data (dialog, "response", G_CALLBACK (delete_response_cb),
                         g_object_ref (conversation), (GClosureNotify) (void (*) (void)) g_object_unref, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
delete_conversation_action (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *parameter)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);

  if (self->conversation != NULL && confab_conversation_get_id (self->conversation) != 0)
    ask_delete (self, self->conversation);
}

static void
show_conversations_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);

  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
dismiss_banner_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  hide_banner (CONFAB_WINDOW (widget), TRUE);
}

/* The client's signals */

static void
retrying_cb (OaiClient    *client,
             guint         attempt,
             const GError *error,
             guint         delay_ms,
             ConfabWindow *self)
{
  g_autofree char *status = NULL;

  if (self->answer == NULL)
    return;

  /* Translators: the first number is seconds, the others attempts. */
  status = g_strdup_printf (_("Retrying in %.0f s (attempt %u of %u)"),
                            ceil (delay_ms / 1000.0), attempt,
                            oai_client_get_max_retries (client) + 1);
  set_status (self, status);
}

static void
alert_cb (OaiClient    *client,
          OaiAlertKind  kind,
          const char   *message,
          ConfabWindow *self)
{
  const char *text = NULL;

  /* Errors of the answer itself show in the banner; alerts are what else a
   * person should know. */
  switch (kind)
    {
    case OAI_ALERT_BUDGET_WARNING:
      /* xgettext:no-c-format */
      text = _("This month's spending has passed 80 % of the budget.");
      break;
    case OAI_ALERT_BUDGET_EXCEEDED:
      text = _("This month's spending has reached the budget.");
      break;
    case OAI_ALERT_SERVER_ERROR_RATE:
      text = _("The server is failing often; answers may be slow.");
      break;
    case OAI_ALERT_AUTHENTICATION:
    case OAI_ALERT_RATE_LIMITED:
    case OAI_ALERT_QUOTA_EXCEEDED:
    default:
      break;
    }

  if (text != NULL)
    adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
  update_costs (self);
}

static void
client_changed_cb (ConfabWindow *self)
{
  update_page (self);
  update_actions (self);
  refresh_models (self);
  if (!needs_key (self) && self->banner_action != NULL &&
      g_str_equal (self->banner_action, "app.preferences"))
    hide_banner (self, TRUE);
}

/* Conversations */

static void
conversation_title_cb (ConfabWindow *self)
{
  const char *title = confab_conversation_get_title (self->conversation);

  adw_window_title_set_title (self->window_title, title && *title ? title : _("New Chat"));
}

static void
set_conversation (ConfabWindow       *self,
                  ConfabConversation *conversation)
{
  g_autoptr(GError) error = NULL;
  const char *model;

  if (conversation == self->conversation)
    return;

  /* An answer belongs to its conversation: leaving it stops the answer, and
   * what arrived is kept. So does a question being edited. */
  stop_answer (self);
  g_clear_object (&self->editing);

  if (self->conversation != NULL)
    {
      g_clear_signal_handler (&self->conversation_cost_id, self->conversation);
      g_clear_signal_handler (&self->conversation_title_id, self->conversation);
    }
  g_set_object (&self->conversation, conversation);

  if (conversation != NULL && !confab_conversation_get_loaded (conversation) &&
      !confab_store_load_messages (self->store, conversation, &error))
    g_debug ("Conversation %" G_GINT64_FORMAT " not loaded", confab_conversation_get_id (conversation));

  gtk_filter_list_model_set_model (self->visible_messages,
                                   conversation ? confab_conversation_get_messages (conversation) : NULL);

  if (conversation != NULL)
    {
      self->conversation_cost_id = g_signal_connect_swapped (conversation, "notify::cost",
                                                             G_CALLBACK (update_costs), self);
      self->conversation_title_id = g_signal_connect_swapped (conversation, "notify::title",
                                                              G_CALLBACK (conversation_title_cb), self);
      conversation_title_cb (self);
      model = confab_conversation_get_model (conversation);
      if (model != NULL)
        select_model (self, model);
    }
  else
    {
      adw_window_title_set_title (self->window_title, _("New Chat"));
      self->selecting = TRUE;
      gtk_single_selection_set_selected (self->conversation_selection, GTK_INVALID_LIST_POSITION);
      self->selecting = FALSE;
    }

  /* In a narrow window, the conversation is what shows. */
  adw_leaflet_set_visible_child_name (self->leaflet, "content");
  self->stick_to_bottom = TRUE;
  set_status (self, NULL);
  hide_banner (self, FALSE);
  if (error != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("The conversation could not be read: %s"), error->message);
      show_banner_full (self, text, NULL, NULL, FALSE, TRUE);
    }
  update_page (self);
  update_actions (self);
  update_costs (self);
  invalidate_conversation_tokens (self);
}

static void
conversation_selected_cb (ConfabWindow *self)
{
  ConfabConversation *conversation = gtk_single_selection_get_selected_item (self->conversation_selection);

  if (self->selecting || conversation == NULL)
    return;

  set_conversation (self, conversation);
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

static void
conversations_changed_cb (ConfabWindow *self)
{
  GListModel *conversations = confab_store_get_conversations (self->store);

  gtk_stack_set_visible_child_name (self->sidebar_stack,
                                    g_list_model_get_n_items (conversations) > 0 ? "list" : "empty");
}

static void
delete_clicked_cb (GtkButton   *button,
                   GtkListItem *item)
{
  ConfabWindow *self = CONFAB_WINDOW (gtk_widget_get_root (GTK_WIDGET (button)));
  ConfabConversation *conversation = gtk_list_item_get_item (item);

  if (conversation != NULL)
    ask_delete (self, conversation);
}

/* In a narrow window, tapping the conversation already selected shows it. */
static void
conversation_pressed_cb (GtkGestureClick *gesture,
                         int              n_press,
                         double           x,
                         double           y,
                         GtkListItem     *item)
{
  GtkWidget *widget = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));
  ConfabWindow *self = CONFAB_WINDOW (gtk_widget_get_root (widget));

  if (gtk_list_item_get_selected (item) && adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

static void
conversation_setup_cb (GtkSignalListItemFactory *factory,
                       GtkListItem              *item,
                       ConfabWindow             *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *label = gtk_label_new (NULL);
  GtkWidget *button = gtk_button_new_from_icon_name ("user-trash-symbolic");
  GtkGesture *gesture;

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_set_tooltip_text (button, _("Delete Conversation"));
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_add_css_class (button, "circular");
  gtk_widget_add_css_class (button, "delete-conversation");
  g_signal_connect (button, "clicked", G_CALLBACK (delete_clicked_cb), item);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Delete Conversation"), -1);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), button);
  gesture = gtk_gesture_click_new ();
  g_signal_connect (gesture, "released", G_CALLBACK (conversation_pressed_cb), item);
  gtk_widget_add_controller (box, GTK_EVENT_CONTROLLER (gesture));
  gtk_list_item_set_child (item, box);
}

static gboolean
title_or_default (GBinding     *binding,
                  const GValue *from,
                  GValue       *to,
                  gpointer      user_data)
{
  const char *title = g_value_get_string (from);

  g_value_set_string (to, title && *title ? title : _("New Chat"));
  return TRUE;
}

static void
conversation_bind_cb (GtkSignalListItemFactory *factory,
                      GtkListItem              *item,
                      ConfabWindow             *self)
{
  GtkWidget *label = gtk_widget_get_first_child (gtk_list_item_get_child (item));
  GBinding *binding;

  binding = g_object_bind_property_full (gtk_list_item_get_item (item), "title", label, "label",
                                         G_BINDING_SYNC_CREATE, title_or_default, NULL, NULL, NULL);
  g_object_set_data (G_OBJECT (item), "binding", binding);
}

static void
conversation_unbind_cb (GtkSignalListItemFactory *factory,
                        GtkListItem              *item,
                        ConfabWindow             *self)
{
  GBinding *binding = g_object_steal_data (G_OBJECT (item), "binding");

  if (binding != NULL)
    g_binding_unbind (binding);
}

/* Messages */

static void
message_setup_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  ConfabWindow             *self)
{
  gtk_list_item_set_activatable (item, FALSE);
  gtk_list_item_set_selectable (item, FALSE);
  gtk_list_item_set_child (item, confab_message_row_new ());
}

static void
message_bind_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 ConfabWindow             *self)
{
  confab_message_row_bind (CONFAB_MESSAGE_ROW (gtk_list_item_get_child (item)),
                           gtk_list_item_get_item (item), self->conversation);
}

static void
message_unbind_cb (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   ConfabWindow             *self)
{
  confab_message_row_unbind (CONFAB_MESSAGE_ROW (gtk_list_item_get_child (item)));
}

static gboolean
is_shown (gpointer item,
          gpointer user_data)
{
  /* The instructions are sent, not shown among the messages. */
  return oai_message_get_role (item) != OAI_ROLE_SYSTEM;
}

static void
messages_changed_cb (ConfabWindow *self)
{
  update_page (self);
  update_actions (self);
  invalidate_conversation_tokens (self);
}

/* Keeps the newest message in view while it grows, unless the reader has
 * scrolled up. */
static void
scroll_value_cb (GtkAdjustment *adjustment,
                 ConfabWindow  *self)
{
  double bottom = gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment);

  self->stick_to_bottom = gtk_adjustment_get_value (adjustment) >= bottom - 24;
}

static void
scroll_upper_cb (GtkAdjustment *adjustment,
                 GParamSpec    *pspec,
                 ConfabWindow  *self)
{
  if (self->stick_to_bottom)
    gtk_adjustment_set_value (adjustment,
                              gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment));
}

/* The composer: Enter sends, Shift+Enter starts a new line, Up in an empty
 * composer edits the last message. */
static gboolean
composer_key_cb (GtkEventControllerKey *controller,
                 guint                  keyval,
                 guint                  keycode,
                 GdkModifierType        state,
                 ConfabWindow          *self)
{
  GdkModifierType modifiers = state & gtk_accelerator_get_default_mod_mask ();

  /* An input method composing text gets its keys first: Enter then commits
   * the text, and Up picks a candidate. */
  if (gtk_text_view_im_context_filter_keypress (self->composer,
                                                gtk_event_controller_get_current_event (GTK_EVENT_CONTROLLER (controller))))
    return TRUE;

  if ((keyval == GDK_KEY_Return || keyval == GDK_KEY_KP_Enter) &&
      (modifiers == 0 || modifiers == GDK_CONTROL_MASK))
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "win.send", NULL);
      return TRUE;
    }

  if (keyval == GDK_KEY_Up && modifiers == 0 &&
      gtk_text_buffer_get_char_count (gtk_text_view_get_buffer (self->composer)) == 0)
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "win.edit-last", NULL);
      return TRUE;
    }

  return FALSE;
}

/* GObject */

static void
confab_window_constructed (GObject *object)
{
  ConfabWindow *self = CONFAB_WINDOW (object);
  GtkListItemFactory *factory;
  GListModel *conversations;
  g_autofree char *model = NULL;

  G_OBJECT_CLASS (confab_window_parent_class)->constructed (object);

  self->settings = g_settings_new (APP_ID);
  g_settings_bind (self->settings, "window-width", self, "default-width", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-height", self, "default-height", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-maximized", self, "maximized", G_SETTINGS_BIND_DEFAULT);

  if (self->client == NULL)
    self->client = oai_client_new_from_environment ();
  if (self->store == NULL)
    self->store = confab_store_new (NULL, NULL);

  self->retrying_id = g_signal_connect (self->client, "retrying", G_CALLBACK (retrying_cb), self);
  self->alert_id = g_signal_connect (self->client, "alert", G_CALLBACK (alert_cb), self);
  self->api_key_id = g_signal_connect_swapped (self->client, "notify::api-key",
                                               G_CALLBACK (client_changed_cb), self);
  self->base_url_id = g_signal_connect_swapped (self->client, "notify::base-url",
                                                G_CALLBACK (client_changed_cb), self);

  /* The sidebar: the store's conversations, newest first. */
  conversations = confab_store_get_conversations (self->store);
  self->conversation_selection = gtk_single_selection_new (g_object_ref (conversations));
  gtk_single_selection_set_autoselect (self->conversation_selection, FALSE);
  gtk_single_selection_set_can_unselect (self->conversation_selection, TRUE);
  gtk_single_selection_set_selected (self->conversation_selection, GTK_INVALID_LIST_POSITION);
  g_signal_connect_swapped (self->conversation_selection, "notify::selected-item",
                            G_CALLBACK (conversation_selected_cb), self);
  self->conversations_id = g_signal_connect_swapped (conversations, "items-changed",
                                                    G_CALLBACK (conversations_changed_cb), self);
  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (conversation_setup_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (conversation_bind_cb), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (conversation_unbind_cb), self);
  gtk_list_view_set_factory (self->conversation_list, factory);
  g_object_unref (factory);
  gtk_list_view_set_model (self->conversation_list, GTK_SELECTION_MODEL (self->conversation_selection));
  conversations_changed_cb (self);

  /* Models: the price table's until the server lists its own. */
  model = current_model (self);
  select_model (self, model);
  refresh_models (self);

  adw_window_title_set_title (self->window_title, _("New Chat"));
  adw_leaflet_set_visible_child_name (self->leaflet, "content");
  update_page (self);
  update_costs (self);
  invalidate_conversation_tokens (self);
  update_busy (self);
}

static void
confab_window_dispose (GObject *object)
{
  ConfabWindow *self = CONFAB_WINDOW (object);

  /* First let go of the conversation, whose changes would wake the window. */
  if (self->visible_messages != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->visible_messages, self);
      gtk_filter_list_model_set_model (self->visible_messages, NULL);
    }

  /* Closing the window (or quitting) stops the answer; what arrived is saved
   * now, since the main loop may not run again to finish it. */
  if (self->answer != NULL)
    {
      Answer *answer = self->answer;

      confab_conversation_message_changed (answer->conversation, oai_chat_stream_get_message (answer->stream));
      stop_answer (self);
      answer_save (answer, NULL);
    }
  g_cancellable_cancel (self->models_cancellable);
  g_clear_handle_id (&self->count_source, g_source_remove);
  g_cancellable_cancel (self->count_cancellable);
  g_clear_object (&self->count_cancellable);
  if (self->client != NULL)
    {
      g_clear_signal_handler (&self->retrying_id, self->client);
      g_clear_signal_handler (&self->alert_id, self->client);
      g_clear_signal_handler (&self->api_key_id, self->client);
      g_clear_signal_handler (&self->base_url_id, self->client);
    }
  if (self->conversation != NULL)
    {
      g_clear_signal_handler (&self->conversation_cost_id, self->conversation);
      g_clear_signal_handler (&self->conversation_title_id, self->conversation);
    }
  if (self->store != NULL)
    g_clear_signal_handler (&self->conversations_id, confab_store_get_conversations (self->store));

  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_WINDOW);

  g_clear_object (&self->conversation);
  g_clear_object (&self->conversation_selection);
  g_clear_object (&self->client);
  g_clear_object (&self->store);
  g_clear_object (&self->editing);
  g_clear_object (&self->models_cancellable);
  g_clear_object (&self->settings);
  g_clear_object (&self->tokenizer);

  G_OBJECT_CLASS (confab_window_parent_class)->dispose (object);
}

static void
confab_window_finalize (GObject *object)
{
  ConfabWindow *self = CONFAB_WINDOW (object);

  g_clear_object (&self->visible_messages);
  g_clear_object (&self->models);
  g_clear_pointer (&self->status, g_free);
  g_clear_pointer (&self->banner_action, g_free);
  g_clear_pointer (&self->tokenizer_model, g_free);

  G_OBJECT_CLASS (confab_window_parent_class)->finalize (object);
}

static void
confab_window_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  ConfabWindow *self = CONFAB_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->answer != NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_window_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  ConfabWindow *self = CONFAB_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      self->client = g_value_dup_object (value);
      break;
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_window_class_init (ConfabWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = confab_window_constructed;
  object_class->dispose = confab_window_dispose;
  object_class->finalize = confab_window_finalize;
  object_class->get_property = confab_window_get_property;
  object_class->set_property = confab_window_set_property;

  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, OAI_TYPE_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, CONFAB_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/openaiglib/Confab/confab-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, sidebar_stack);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, conversation_list);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, cost_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, conversation_cost_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, month_cost_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, budget_bar);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, budget_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, model_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, banner_revealer);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, banner_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, banner_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, scroller);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, message_view);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, status_bar);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, composer_bar);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, status_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, token_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, composer);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, stop_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, send_button);

  gtk_widget_class_install_action (widget_class, "win.send", NULL, send_action);
  gtk_widget_class_install_action (widget_class, "win.stop", NULL, stop_action);
  gtk_widget_class_install_action (widget_class, "win.regenerate", NULL, regenerate_action);
  gtk_widget_class_install_action (widget_class, "win.edit-last", NULL, edit_last_action);
  gtk_widget_class_install_action (widget_class, "win.new-chat", NULL, new_chat_action);
  gtk_widget_class_install_action (widget_class, "win.delete-conversation", NULL, delete_conversation_action);
  gtk_widget_class_install_action (widget_class, "win.show-conversations", NULL, show_conversations_action);
  gtk_widget_class_install_action (widget_class, "win.dismiss-banner", NULL, dismiss_banner_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "win.send", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK, "win.send", NULL);
}

static void
confab_window_init (ConfabWindow *self)
{
  GtkListItemFactory *factory;
  GtkCustomFilter *filter;
  GtkEventController *keys;
  GtkAdjustment *adjustment;

  gtk_widget_init_template (GTK_WIDGET (self));

  /* The message view: the current conversation, through a filter that
   * hides the instructions. */
  filter = gtk_custom_filter_new (is_shown, NULL, NULL);
  self->visible_messages = gtk_filter_list_model_new (NULL, GTK_FILTER (filter));
  g_signal_connect_object (self->visible_messages, "items-changed", G_CALLBACK (messages_changed_cb),
                           self, G_CONNECT_SWAPPED);
  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (message_setup_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (message_bind_cb), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (message_unbind_cb), self);
  gtk_list_view_set_factory (self->message_view, factory);
  g_object_unref (factory);
  {
    g_autoptr(GtkNoSelection) selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->visible_messages)));
    gtk_list_view_set_model (self->message_view, GTK_SELECTION_MODEL (selection));
  }

  adjustment = gtk_scrolled_window_get_vadjustment (self->scroller);
  g_signal_connect (adjustment, "value-changed", G_CALLBACK (scroll_value_cb), self);
  g_signal_connect (adjustment, "notify::upper", G_CALLBACK (scroll_upper_cb), self);
  self->stick_to_bottom = TRUE;

  /* The budget bar is the accent colour, then the warning colour past 80 %. */
  gtk_level_bar_remove_offset_value (self->budget_bar, GTK_LEVEL_BAR_OFFSET_LOW);
  gtk_level_bar_remove_offset_value (self->budget_bar, GTK_LEVEL_BAR_OFFSET_HIGH);
  gtk_level_bar_remove_offset_value (self->budget_bar, GTK_LEVEL_BAR_OFFSET_FULL);
  gtk_level_bar_add_offset_value (self->budget_bar, GTK_LEVEL_BAR_OFFSET_HIGH, 0.8);
  gtk_level_bar_add_offset_value (self->budget_bar, GTK_LEVEL_BAR_OFFSET_LOW, 1.0);

  self->models = gtk_string_list_new (NULL);
  gtk_drop_down_set_model (self->model_dropdown, G_LIST_MODEL (self->models));
  gtk_drop_down_set_expression (self->model_dropdown,
                                gtk_property_expression_new (GTK_TYPE_STRING_OBJECT, NULL, "string"));
  g_signal_connect_swapped (self->model_dropdown, "notify::selected", G_CALLBACK (model_selected_cb), self);

  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (composer_key_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->composer), keys);
  g_signal_connect_swapped (gtk_text_view_get_buffer (self->composer), "changed", G_CALLBACK (queue_count), self);
}

ConfabWindow *
confab_window_new (AdwApplication *application,
                   OaiClient      *client,
                   ConfabStore    *store)
{
  return g_object_new (CONFAB_TYPE_WINDOW,
                       "application", application,
                       "client", client,
                       "store", store,
                       NULL);
}

/**
 * confab_window_get_messages:
 * @self: a window
 *
 * Returns: (transfer none): the messages shown, those of the current
 *   conversation but its instructions
 */
GListModel *
confab_window_get_messages (ConfabWindow *self)
{
  g_return_val_if_fail (CONFAB_IS_WINDOW (self), NULL);
  return G_LIST_MODEL (self->visible_messages);
}

ConfabConversation *
confab_window_get_conversation (ConfabWindow *self)
{
  g_return_val_if_fail (CONFAB_IS_WINDOW (self), NULL);
  return self->conversation;
}

void
confab_window_select_conversation (ConfabWindow       *self,
                                   ConfabConversation *conversation)
{
  guint position;

  g_return_if_fail (CONFAB_IS_WINDOW (self));

  if (g_list_store_find (G_LIST_STORE (confab_store_get_conversations (self->store)), conversation, &position))
    gtk_single_selection_set_selected (self->conversation_selection, position);
}

const char *
confab_window_get_status (ConfabWindow *self)
{
  g_return_val_if_fail (CONFAB_IS_WINDOW (self), NULL);
  return self->status;
}

/* The banner's text, or NULL when none shows; for tests. */
const char *
confab_window_get_banner (ConfabWindow *self)
{
  g_return_val_if_fail (CONFAB_IS_WINDOW (self), NULL);

  if (!gtk_revealer_get_reveal_child (self->banner_revealer))
    return NULL;
  return gtk_label_get_label (self->banner_label);
}

const char *
confab_window_get_banner_action (ConfabWindow *self)
{
  g_return_val_if_fail (CONFAB_IS_WINDOW (self), NULL);
  return gtk_revealer_get_reveal_child (self->banner_revealer) ? self->banner_action : NULL;
}

gboolean
confab_window_get_busy (ConfabWindow *self)
{
  g_return_val_if_fail (CONFAB_IS_WINDOW (self), FALSE);
  return self->answer != NULL;
}
