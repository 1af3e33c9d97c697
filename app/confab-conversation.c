/* confab-conversation.c: one conversation, its messages and what they cost
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include "confab-conversation.h"

/* Room for a sidebar row; the ellipsis counts as one of them. */
#define TITLE_MAX_CHARS 48

struct _ConfabConversation
{
  GObject parent_instance;

  gint64 id;                    /* 0 until first saved */
  char *title;                  /* never NULL */
  char *model;
  gint64 updated_usec;          /* unix microseconds */
  GDateTime *updated;           /* the same, for the property */
  gint64 saved_usec;            /* updated_usec at the last save, 0 if none */
  GListStore *messages;         /* OaiMessage */
  double cost;

  /* The lowest position whose row is out of date, CONFAB_CONVERSATION_CLEAN
   * if none: every row from it on is written again at the next save. */
  guint dirty_from;
  guint meta_dirty : 1;         /* title or model */
  guint loaded : 1;
  guint loading : 1;            /* filling the list from the store */
};

G_DEFINE_FINAL_TYPE (ConfabConversation, confab_conversation, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_TITLE,
  PROP_MODEL,
  PROP_UPDATED,
  PROP_MESSAGES,
  PROP_COST,
  PROP_LOADED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GQuark
message_info_quark (void)
{
  static GQuark quark;

  if (quark == 0)
    quark = g_quark_from_static_string ("confab-message-info");
  return quark;
}

/* Strictly increasing, so that the most recently changed conversation sorts
 * first even when two change within the same microsecond. Main thread only. */
static gint64 last_timestamp;

static gint64
next_timestamp (void)
{
  last_timestamp = MAX (g_get_real_time (), last_timestamp + 1);
  return last_timestamp;
}

static GDateTime *
date_time_from_usec (gint64 usec)
{
  g_autoptr(GDateTime) seconds = NULL;
  gint64 secs = usec / G_USEC_PER_SEC;
  gint64 rest = usec % G_USEC_PER_SEC;

  /* Round towards minus infinity, for times before 1970. */
  if (rest < 0)
    {
      secs -= 1;
      rest += G_USEC_PER_SEC;
    }
  seconds = g_date_time_new_from_unix_local (secs);
  /* Out of GDateTime's range: a damaged row, shown as the epoch. */
  if (seconds == NULL)
    return g_date_time_new_from_unix_local (0);
  return g_date_time_add (seconds, rest);
}

static void
set_updated (ConfabConversation *self,
             gint64              usec)
{
  if (usec == self->updated_usec && self->updated != NULL)
    return;

  self->updated_usec = usec;
  g_clear_pointer (&self->updated, g_date_time_unref);
  self->updated = date_time_from_usec (usec);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UPDATED]);
}

static void
touch (ConfabConversation *self)
{
  set_updated (self, next_timestamp ());
}

const ConfabMessageInfo *
confab_message_peek_info (OaiMessage *message)
{
  return g_object_get_qdata (G_OBJECT (message), message_info_quark ());
}

/* Kept on the message itself, so that it follows the message through the
 * list store, a truncation and a reload. */
void
confab_message_attach_info (OaiMessage              *message,
                            const ConfabMessageInfo *info)
{
  ConfabMessageInfo *copy = NULL;

  if (info != NULL)
    {
      copy = g_memdup2 (info, sizeof *info);
      copy->finish_reason = g_intern_string (info->finish_reason);
    }
  g_object_set_qdata_full (G_OBJECT (message), message_info_quark (), copy, g_free);
}

static double
message_cost (OaiMessage *message)
{
  const ConfabMessageInfo *info = confab_message_peek_info (message);

  /* A cost from a damaged database that no answer can have counts as unknown. */
  return info != NULL && isfinite (info->cost) && info->cost >= 0 ? info->cost : 0.0;
}

static void
set_cost (ConfabConversation *self,
          double              cost)
{
  if (cost == self->cost)
    return;

  self->cost = cost;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COST]);
}

static void
update_cost (ConfabConversation *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->messages));
  double cost = 0.0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(OaiMessage) message = g_list_model_get_item (G_LIST_MODEL (self->messages), i);

      cost += message_cost (message);
    }
  set_cost (self, cost);
}

static gboolean
set_title_internal (ConfabConversation *self,
                    const char         *title)
{
  if (title == NULL)
    title = "";
  if (g_str_equal (title, self->title))
    return FALSE;

  g_free (self->title);
  self->title = g_strdup (title);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
  return TRUE;
}

static gboolean
is_user_message (GListModel *list,
                 guint       position)
{
  g_autoptr(OaiMessage) message = g_list_model_get_item (list, position);

  return oai_message_get_role (message) == OAI_ROLE_USER;
}

/* The first user message names an untitled conversation. */
static void
maybe_set_title (ConfabConversation *self,
                 guint               position,
                 guint               added)
{
  GListModel *list = G_LIST_MODEL (self->messages);
  g_autoptr(OaiMessage) first = NULL;
  g_autofree char *title = NULL;

  if (self->title[0] != '\0')
    return;

  for (guint i = position; i < position + added && first == NULL; i++)
    if (is_user_message (list, i))
      first = g_list_model_get_item (list, i);
  if (first == NULL)
    return;

  for (guint i = 0; i < position; i++)
    if (is_user_message (list, i))
      return;

  title = confab_conversation_title_from_text (oai_message_get_content (first));
  if (set_title_internal (self, title))
    self->meta_dirty = TRUE;
}

/* Every change of the list goes through here, even one made on the store
 * directly, so none escapes the next save. */
static void
messages_changed_cb (GListModel         *list,
                     guint               position,
                     guint               removed,
                     guint               added,
                     ConfabConversation *self)
{
  if (self->loading)
    return;

  self->dirty_from = MIN (self->dirty_from, position);

  if (removed > 0)
    update_cost (self);
  else
    {
      double cost = self->cost;

      for (guint i = position; i < position + added; i++)
        {
          g_autoptr(OaiMessage) message = g_list_model_get_item (list, i);

          cost += message_cost (message);
        }
      set_cost (self, cost);
    }

  maybe_set_title (self, position, added);
  touch (self);
}

/* From the end: the message that changes is nearly always the last one. */
static gboolean
find_message (ConfabConversation *self,
              OaiMessage         *message,
              guint              *position)
{
  GListModel *list = G_LIST_MODEL (self->messages);

  for (guint i = g_list_model_get_n_items (list); i-- > 0;)
    {
      g_autoptr(OaiMessage) item = g_list_model_get_item (list, i);

      if (item == message)
        {
          *position = i;
          return TRUE;
        }
    }
  return FALSE;
}

static void
confab_conversation_finalize (GObject *object)
{
  ConfabConversation *self = CONFAB_CONVERSATION (object);

  g_signal_handlers_disconnect_by_data (self->messages, self);
  g_clear_object (&self->messages);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->model, g_free);
  g_clear_pointer (&self->updated, g_date_time_unref);

  G_OBJECT_CLASS (confab_conversation_parent_class)->finalize (object);
}

static void
confab_conversation_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  ConfabConversation *self = CONFAB_CONVERSATION (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;

    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;

    case PROP_MODEL:
      g_value_set_string (value, self->model);
      break;

    case PROP_UPDATED:
      g_value_set_boxed (value, self->updated);
      break;

    case PROP_MESSAGES:
      g_value_set_object (value, self->messages);
      break;

    case PROP_COST:
      g_value_set_double (value, self->cost);
      break;

    case PROP_LOADED:
      g_value_set_boolean (value, self->loaded);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_conversation_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  ConfabConversation *self = CONFAB_CONVERSATION (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      confab_conversation_set_title (self, g_value_get_string (value));
      break;

    case PROP_MODEL:
      confab_conversation_set_model (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_conversation_class_init (ConfabConversationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = confab_conversation_finalize;
  object_class->get_property = confab_conversation_get_property;
  object_class->set_property = confab_conversation_set_property;

  /**
   * ConfabConversation:id:
   *
   * The conversation's row in the store; 0 until it is first saved.
   */
  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, ro);

  /**
   * ConfabConversation:title:
   *
   * The title; empty until the first user message, which sets it if nothing did.
   */
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, "", rw);

  /**
   * ConfabConversation:model:
   *
   * The model the conversation is held with.
   */
  properties[PROP_MODEL] = g_param_spec_string ("model", NULL, NULL, NULL, rw);

  /**
   * ConfabConversation:updated:
   *
   * When a message was last added, removed or changed, in the local time zone.
   */
  properties[PROP_UPDATED] = g_param_spec_boxed ("updated", NULL, NULL, G_TYPE_DATE_TIME, ro);

  /**
   * ConfabConversation:messages:
   *
   * The messages, a list of #OaiMessage.
   */
  properties[PROP_MESSAGES] = g_param_spec_object ("messages", NULL, NULL, G_TYPE_LIST_MODEL, ro);

  /**
   * ConfabConversation:cost:
   *
   * The sum of the known costs of the messages, in US dollars.
   */
  properties[PROP_COST] = g_param_spec_double ("cost", NULL, NULL,
                                               0.0, G_MAXDOUBLE, 0.0, ro);

  /**
   * ConfabConversation:loaded:
   *
   * Whether the messages were read from the store yet.
   */
  properties[PROP_LOADED] = g_param_spec_boolean ("loaded", NULL, NULL, FALSE, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
confab_conversation_init (ConfabConversation *self)
{
  self->title = g_strdup ("");
  self->messages = g_list_store_new (OAI_TYPE_MESSAGE);
  self->dirty_from = CONFAB_CONVERSATION_CLEAN;
  g_signal_connect (self->messages, "items-changed", G_CALLBACK (messages_changed_cb), self);
}

/**
 * confab_conversation_new:
 *
 * Returns: (transfer full): a new, empty and unsaved conversation
 */
ConfabConversation *
confab_conversation_new (void)
{
  ConfabConversation *self = g_object_new (CONFAB_TYPE_CONVERSATION, NULL);

  self->loaded = TRUE;
  self->meta_dirty = TRUE;
  set_updated (self, next_timestamp ());
  return self;
}

gint64
confab_conversation_get_id (ConfabConversation *self)
{
  g_return_val_if_fail (CONFAB_IS_CONVERSATION (self), 0);

  return self->id;
}

const char *
confab_conversation_get_title (ConfabConversation *self)
{
  g_return_val_if_fail (CONFAB_IS_CONVERSATION (self), NULL);

  return self->title;
}

/**
 * confab_conversation_set_title:
 * @title: (nullable): the title; %NULL is the same as empty
 *
 * Renames the conversation. This does not change #ConfabConversation:updated,
 * so that renaming does not reorder the list of conversations.
 */
void
confab_conversation_set_title (ConfabConversation *self,
                               const char         *title)
{
  g_return_if_fail (CONFAB_IS_CONVERSATION (self));

  if (set_title_internal (self, title))
    self->meta_dirty = TRUE;
}

const char *
confab_conversation_get_model (ConfabConversation *self)
{
  g_return_val_if_fail (CONFAB_IS_CONVERSATION (self), NULL);

  return self->model;
}

void
confab_conversation_set_model (ConfabConversation *self,
                               const char         *model)
{
  g_return_if_fail (CONFAB_IS_CONVERSATION (self));

  if (g_strcmp0 (model, self->model) == 0)
    return;

  g_free (self->model);
  self->model = g_strdup (model);
  self->meta_dirty = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}

/**
 * confab_conversation_get_updated:
 *
 * Returns: (transfer none): when a message last changed
 */
GDateTime *
confab_conversation_get_updated (ConfabConversation *self)
{
  g_return_val_if_fail (CONFAB_IS_CONVERSATION (self), NULL);

  return self->updated;
}

/**
 * confab_conversation_get_messages:
 *
 * Changes made to the list directly are saved too.
 *
 * Returns: (transfer none): the messages, a list of #OaiMessage
 */
GListModel *
confab_conversation_get_messages (ConfabConversation *self)
{
  g_return_val_if_fail (CONFAB_IS_CONVERSATION (self), NULL);

  return G_LIST_MODEL (self->messages);
}

/**
 * confab_conversation_append:
 *
 * Adds @message at the end. The conversation must be loaded: the positions
 * of the messages still in the store are not known before.
 */
void
confab_conversation_append (ConfabConversation *self,
                            OaiMessage         *message)
{
  g_return_if_fail (CONFAB_IS_CONVERSATION (self));
  g_return_if_fail (OAI_IS_MESSAGE (message));
  g_return_if_fail (self->loaded);

  g_list_store_append (self->messages, message);
}

/**
 * confab_conversation_truncate:
 * @n_keep: how many messages to keep
 *
 * Removes the messages from position @n_keep on, to regenerate an answer or
 * to resend an edited message.
 */
void
confab_conversation_truncate (ConfabConversation *self,
                              guint               n_keep)
{
  guint n;

  g_return_if_fail (CONFAB_IS_CONVERSATION (self));
  g_return_if_fail (self->loaded);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->messages));
  if (n_keep < n)
    g_list_store_splice (self->messages, n_keep, n - n_keep, NULL, 0);
}

/**
 * confab_conversation_message_changed:
 *
 * Says that @message's content grew (a stream) or was edited, so that the next
 * save writes it. Does nothing if @message is no longer in the conversation,
 * as when the conversation was truncated while the message streamed in.
 */
void
confab_conversation_message_changed (ConfabConversation *self,
                                     OaiMessage         *message)
{
  guint position;

  g_return_if_fail (CONFAB_IS_CONVERSATION (self));
  g_return_if_fail (OAI_IS_MESSAGE (message));

  if (!find_message (self, message, &position))
    return;

  self->dirty_from = MIN (self->dirty_from, position);
  touch (self);
}

/**
 * confab_conversation_set_message_info:
 * @info: (nullable): the info, copied; %NULL to remove it
 *
 * Attaches @info to @message. If @message is in the conversation, its row is
 * replaced with itself, so that a list view binds it again and shows the info.
 */
void
confab_conversation_set_message_info (ConfabConversation      *self,
                                      OaiMessage              *message,
                                      const ConfabMessageInfo *info)
{
  g_autoptr(OaiMessage) ref = NULL;
  guint position;

  g_return_if_fail (CONFAB_IS_CONVERSATION (self));
  g_return_if_fail (OAI_IS_MESSAGE (message));

  confab_message_attach_info (message, info);
  if (!find_message (self, message, &position))
    return;

  /* The store drops its reference before taking the new one. items-changed
   * then marks the row dirty and updates the cost. */
  ref = g_object_ref (message);
  g_list_store_splice (self->messages, position, 1, (gpointer *) &ref, 1);
}

/**
 * confab_conversation_get_message_info:
 * @info: (out caller-allocates) (optional): the info; its finish_reason is interned
 *
 * Returns: %TRUE if @message has info, %FALSE (leaving @info alone) if not
 */
gboolean
confab_conversation_get_message_info (ConfabConversation *self,
                                      OaiMessage         *message,
                                      ConfabMessageInfo  *info)
{
  const ConfabMessageInfo *found;

  g_return_val_if_fail (CONFAB_IS_CONVERSATION (self), FALSE);
  g_return_val_if_fail (OAI_IS_MESSAGE (message), FALSE);

  found = confab_message_peek_info (message);
  if (found == NULL)
    return FALSE;
  if (info != NULL)
    *info = *found;
  return TRUE;
}

double
confab_conversation_get_cost (ConfabConversation *self)
{
  g_return_val_if_fail (CONFAB_IS_CONVERSATION (self), 0.0);

  return self->cost;
}

/**
 * confab_conversation_get_loaded:
 *
 * Returns: whether the messages are there: always for a new conversation,
 *   after confab_store_load_messages() for a stored one
 */
gboolean
confab_conversation_get_loaded (ConfabConversation *self)
{
  g_return_val_if_fail (CONFAB_IS_CONVERSATION (self), FALSE);

  return self->loaded;
}

/* What must not be separated from the character before it: combining marks,
 * joiners, variation selectors, skin tones and the tags of flag sequences. */
static gboolean
continues_cluster (gunichar c)
{
  return g_unichar_ismark (c) ||
         c == 0x200C || c == 0x200D ||
         (c >= 0xFE00 && c <= 0xFE0F) ||
         (c >= 0xE0100 && c <= 0xE01EF) ||
         (c >= 0x1F3FB && c <= 0x1F3FF) ||
         (c >= 0xE0020 && c <= 0xE007F);
}

static gboolean
is_regional_indicator (gunichar c)
{
  return c >= 0x1F1E6 && c <= 0x1F1FF;
}

/* Moves @end back to the start of the grapheme cluster it is in, so that a
 * cut there leaves whole emoji and accented letters. */
static const char *
cluster_start (const char *start,
               const char *end)
{
  while (end > start)
    {
      const char *prev = g_utf8_prev_char (end);
      gunichar c = g_utf8_get_char (end);

      if (continues_cluster (c) || g_utf8_get_char (prev) == 0x200D)
        {
          end = prev;
          continue;
        }

      /* Flags are pairs of regional indicators: cut between pairs only. */
      if (is_regional_indicator (c))
        {
          guint n_before = 0;

          for (const char *p = end; p > start;)
            {
              p = g_utf8_prev_char (p);
              if (!is_regional_indicator (g_utf8_get_char (p)))
                break;
              n_before++;
            }
          if (n_before % 2 == 1)
            {
              end = prev;
              continue;
            }
        }
      break;
    }
  return end;
}

/* The first line with something else than white space, with each run of
 * white space (and control characters) made one space. */
static GString *
first_line (const char *text)
{
  GString *line = g_string_new (NULL);
  gboolean pending_space = FALSE;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '\n' || c == 0x2029)
        {
          if (line->len > 0)
            break;
          pending_space = FALSE;
        }
      else if (g_unichar_isspace (c) || g_unichar_iscntrl (c))
        pending_space = line->len > 0;
      else
        {
          if (pending_space)
            g_string_append_c (line, ' ');
          g_string_append_unichar (line, c);
          pending_space = FALSE;
        }
    }
  return line;
}

/**
 * confab_conversation_title_from_text:
 * @text: (nullable): a user message
 *
 * Makes a title of @text: its first line that is not blank, white space
 * collapsed, shortened at a word boundary with an ellipsis when longer than
 * 48 characters.
 *
 * Returns: (transfer full): the title, empty if @text is blank
 */
char *
confab_conversation_title_from_text (const char *text)
{
  g_autofree char *valid = NULL;
  g_autoptr(GString) line = NULL;
  const char *end;
  const char *space;

  if (text == NULL)
    return g_strdup ("");

  valid = g_utf8_make_valid (text, -1);
  line = first_line (valid);
  if (g_utf8_strlen (line->str, -1) <= TITLE_MAX_CHARS)
    return g_string_free (g_steal_pointer (&line), FALSE);

  /* The first character that does not fit beside the ellipsis. */
  end = g_utf8_offset_to_pointer (line->str, TITLE_MAX_CHARS - 1);

  /* A word boundary, unless that would leave less than half the room: text
   * without spaces (Chinese, a long URL) is cut where it must be. */
  space = g_utf8_strrchr (line->str, end - line->str + 1, ' ');
  if (space != NULL && g_utf8_pointer_to_offset (line->str, space) >= TITLE_MAX_CHARS / 2)
    end = space;
  else if (cluster_start (line->str, end) > line->str)
    end = cluster_start (line->str, end);

  while (end > line->str && end[-1] == ' ')
    end--;

  g_string_truncate (line, end - line->str);
  g_string_append (line, "…");
  return g_string_free (g_steal_pointer (&line), FALSE);
}

/* For ConfabStore. */

ConfabConversation *
confab_conversation_new_stored (gint64      id,
                                const char *title,
                                const char *model,
                                gint64      updated_usec,
                                double      cost)
{
  ConfabConversation *self = g_object_new (CONFAB_TYPE_CONVERSATION, NULL);

  self->id = id;
  g_free (self->title);
  self->title = g_strdup (title != NULL ? title : "");
  self->model = g_strdup (model);
  set_updated (self, updated_usec);
  self->saved_usec = updated_usec;
  self->cost = isfinite (cost) && cost >= 0.0 ? cost : 0.0;

  /* A clock set back must not put a new change below an older one. */
  last_timestamp = MAX (last_timestamp, updated_usec);
  return self;
}

gint64
confab_conversation_get_updated_usec (ConfabConversation *self)
{
  return self->updated_usec;
}

gint64
confab_conversation_get_saved_usec (ConfabConversation *self)
{
  return self->saved_usec;
}

gboolean
confab_conversation_get_needs_save (ConfabConversation *self)
{
  return self->id == 0 || self->meta_dirty ||
         self->dirty_from != CONFAB_CONVERSATION_CLEAN ||
         self->saved_usec != self->updated_usec;
}

guint
confab_conversation_get_dirty_from (ConfabConversation *self)
{
  return self->dirty_from;
}

void
confab_conversation_mark_saved (ConfabConversation *self,
                                gint64              id)
{
  self->dirty_from = CONFAB_CONVERSATION_CLEAN;
  self->meta_dirty = FALSE;
  self->saved_usec = self->updated_usec;
  if (id != self->id)
    {
      self->id = id;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ID]);
    }
}

/* After a deletion: all of it would have to be written again. */
void
confab_conversation_mark_unsaved (ConfabConversation *self)
{
  self->dirty_from = 0;
  self->meta_dirty = TRUE;
  self->saved_usec = 0;
  if (self->id != 0)
    {
      self->id = 0;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ID]);
    }
}

/* Fills the list with the stored messages, their info attached already.
 * @dirty_from is where the stored positions stopped making sense, if anywhere. */
void
confab_conversation_set_stored_messages (ConfabConversation  *self,
                                         OaiMessage         **messages,
                                         guint                n_messages,
                                         guint                dirty_from)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->messages));

  self->loading = TRUE;
  g_list_store_splice (self->messages, 0, n, (gpointer *) messages, n_messages);
  self->loading = FALSE;

  self->dirty_from = dirty_from;
  self->loaded = TRUE;
  update_cost (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
}
