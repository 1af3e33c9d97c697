/* test-confab-store.c: Confab's conversations and the database that keeps them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sqlite3.h>


#include "confab-conversation.h"
#include "confab-store.h"
#include "test-privileges.h"

typedef struct
{
  char *dir;
  char *path;                   /* dir/conversations.db */
} Fixture;

static void
remove_tree (const char *path)
{
  GStatBuf st;

  if (g_lstat (path, &st) != 0)
    return;

  if (S_ISDIR (st.st_mode))
    {
      g_autoptr(GDir) dir = NULL;
      const char *name;

      /* Some tests leave a read-only directory behind. */
      g_chmod (path, 0700);
      dir = g_dir_open (path, 0, NULL);
      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          remove_tree (child);
        }
    }
  g_remove (path);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("test-confab-store-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "conversations.db", NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

static ConfabStore *
open_store (const char *path)
{
  g_autoptr(GError) error = NULL;
  ConfabStore *store = confab_store_new (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

static void
save (ConfabStore        *store,
      ConfabConversation *conversation)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (confab_store_save (store, conversation, &error));
  g_assert_no_error (error);
}

static void
load (ConfabStore        *store,
      ConfabConversation *conversation)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (confab_store_load_messages (store, conversation, &error));
  g_assert_no_error (error);
  g_assert_true (confab_conversation_get_loaded (conversation));
}

static OaiMessage *
append (ConfabConversation *conversation,
        OaiRole             role,
        const char         *content)
{
  g_autoptr(OaiMessage) message = oai_message_new (role, content);

  confab_conversation_append (conversation, message);
  /* The conversation holds it. */
  return message;
}

static OaiMessage *
get_message (ConfabConversation *conversation,
             guint               position)
{
  GListModel *messages = confab_conversation_get_messages (conversation);
  g_autoptr(OaiMessage) message = g_list_model_get_item (messages, position);

  g_assert_nonnull (message);
  return message;
}

static ConfabConversation *
get_conversation (ConfabStore *store,
                  guint        position)
{
  GListModel *list = confab_store_get_conversations (store);
  g_autoptr(ConfabConversation) conversation = g_list_model_get_item (list, position);

  g_assert_nonnull (conversation);
  return conversation;
}

static void
assert_message (ConfabConversation *conversation,
                guint               position,
                OaiRole             role,
                const char         *content)
{
  OaiMessage *message = get_message (conversation, position);

  g_assert_cmpint (oai_message_get_role (message), ==, role);
  g_assert_cmpstr (oai_message_get_content (message), ==, content);
}

static void
close_store (ConfabStore *store)
{
  g_assert_finalize_object (store);
}

static char *
read_file (const char *path,
           gsize      *length)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, length, &error));
  g_assert_no_error (error);
  return contents;
}

static void
write_file (const char *path,
            const char *contents,
            gsize       length)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, contents, length, &error));
  g_assert_no_error (error);
}

static sqlite3 *
open_sqlite (const char *path)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  return db;
}

static void
sql (sqlite3    *db,
     const char *statements)
{
  char *message = NULL;

  if (sqlite3_exec (db, statements, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", statements, message);
}

static gint64
sql_int (sqlite3    *db,
         const char *query)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, query, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

static char *
sql_text (sqlite3    *db,
          const char *query)
{
  sqlite3_stmt *stmt = NULL;
  char *value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, query, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return value;
}

static int
file_mode (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_mode & 0777;
}

/* A conversation that uses every column. */
static ConfabConversation *
make_full_conversation (void)
{
  ConfabConversation *conversation = confab_conversation_new ();
  ConfabMessageInfo priced = { 120, 45, 0.00123, FALSE, g_intern_string ("stop") };
  ConfabMessageInfo cut = { 200, 7, NAN, TRUE, g_intern_string ("interrupted") };
  OaiMessage *message;

  confab_conversation_set_model (conversation, "gpt-4o-mini");
  append (conversation, OAI_ROLE_SYSTEM, "Be brief.");
  message = append (conversation, OAI_ROLE_USER, "What is GObject?");
  oai_message_set_name (message, "alice");
  message = append (conversation, OAI_ROLE_ASSISTANT, "A type system for C.");
  confab_conversation_set_message_info (conversation, message, &priced);
  message = append (conversation, OAI_ROLE_ASSISTANT, "It is");
  confab_conversation_set_message_info (conversation, message, &cut);
  message = append (conversation, OAI_ROLE_ASSISTANT, NULL);
  oai_message_set_refusal (message, "I can’t help with that.");
  append (conversation, OAI_ROLE_USER, "Ünïcödé ✓ 日本語 🎉");
  return conversation;
}

static void
assert_full_conversation (ConfabConversation *conversation)
{
  ConfabMessageInfo info;
  OaiMessage *message;

  g_assert_cmpstr (confab_conversation_get_title (conversation), ==, "What is GObject?");
  g_assert_cmpstr (confab_conversation_get_model (conversation), ==, "gpt-4o-mini");
  g_assert_cmpfloat_with_epsilon (confab_conversation_get_cost (conversation), 0.00123, 1e-12);
  g_assert_cmpuint (g_list_model_get_n_items (confab_conversation_get_messages (conversation)),
                    ==, 6);

  assert_message (conversation, 0, OAI_ROLE_SYSTEM, "Be brief.");
  g_assert_false (confab_conversation_get_message_info (conversation,
                                                        get_message (conversation, 0), &info));

  assert_message (conversation, 1, OAI_ROLE_USER, "What is GObject?");
  g_assert_cmpstr (oai_message_get_name (get_message (conversation, 1)), ==, "alice");
  g_assert_null (oai_message_get_refusal (get_message (conversation, 1)));

  assert_message (conversation, 2, OAI_ROLE_ASSISTANT, "A type system for C.");
  g_assert_null (oai_message_get_name (get_message (conversation, 2)));
  g_assert_true (confab_conversation_get_message_info (conversation,
                                                       get_message (conversation, 2), &info));
  g_assert_cmpuint (info.prompt_tokens, ==, 120);
  g_assert_cmpuint (info.completion_tokens, ==, 45);
  g_assert_cmpfloat (info.cost, ==, 0.00123);
  g_assert_false (info.estimated);
  /* Interned: compared as pointers by the app. */
  g_assert_true (info.finish_reason == g_intern_static_string ("stop"));

  assert_message (conversation, 3, OAI_ROLE_ASSISTANT, "It is");
  g_assert_true (confab_conversation_get_message_info (conversation,
                                                       get_message (conversation, 3), &info));
  g_assert_cmpuint (info.prompt_tokens, ==, 200);
  g_assert_cmpuint (info.completion_tokens, ==, 7);
  g_assert_true (isnan (info.cost));
  g_assert_true (info.estimated);
  g_assert_true (info.finish_reason == g_intern_static_string ("interrupted"));

  message = get_message (conversation, 4);
  g_assert_cmpint (oai_message_get_role (message), ==, OAI_ROLE_ASSISTANT);
  g_assert_null (oai_message_get_content (message));
  g_assert_cmpstr (oai_message_get_refusal (message), ==, "I can’t help with that.");
  g_assert_false (confab_conversation_get_message_info (conversation, message, NULL));

  assert_message (conversation, 5, OAI_ROLE_USER, "Ünïcödé ✓ 日本語 🎉");
}

static void
test_round_trip (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(ConfabStore) store = open_store (f->path);
  g_autoptr(ConfabConversation) full = make_full_conversation ();
  g_autoptr(ConfabConversation) empty = confab_conversation_new ();
  g_autoptr(ConfabConversation) titled = confab_conversation_new ();
  gint64 full_id, empty_id, titled_id, full_updated;
  ConfabConversation *conversation;

  g_assert_cmpstr (confab_store_get_path (store), ==, f->path);
  g_assert_null (confab_store_get_set_aside_path (store));
  g_assert_cmpuint (g_list_model_get_n_items (confab_store_get_conversations (store)), ==, 0);

  confab_conversation_set_title (titled, "Chosen title");
  append (titled, OAI_ROLE_USER, "Not the title");
  append (titled, OAI_ROLE_ASSISTANT, "");
  g_assert_cmpstr (confab_conversation_get_title (titled), ==, "Chosen title");

  g_assert_cmpint (confab_conversation_get_id (full), ==, 0);
  save (store, full);
  save (store, empty);
  save (store, titled);
  full_id = confab_conversation_get_id (full);
  empty_id = confab_conversation_get_id (empty);
  titled_id = confab_conversation_get_id (titled);
  g_assert_cmpint (full_id, >, 0);
  g_assert_cmpint (empty_id, >, 0);
  g_assert_cmpint (titled_id, >, 0);
  g_assert_cmpint (full_id, !=, empty_id);
  full_updated = g_date_time_to_unix (confab_conversation_get_updated (full)) * G_USEC_PER_SEC +
                 g_date_time_get_microsecond (confab_conversation_get_updated (full));
  g_assert_cmpuint (g_list_model_get_n_items (confab_store_get_conversations (store)), ==, 3);
  g_assert_true (get_conversation (store, 0) == titled);
  g_assert_true (get_conversation (store, 2) == full);
  assert_full_conversation (full);

  g_clear_pointer (&store, close_store);
  store = open_store (f->path);
  g_assert_null (confab_store_get_set_aside_path (store));
  g_assert_cmpuint (g_list_model_get_n_items (confab_store_get_conversations (store)), ==, 3);

  conversation = get_conversation (store, 0);
  g_assert_cmpint (confab_conversation_get_id (conversation), ==, titled_id);
  g_assert_cmpstr (confab_conversation_get_title (conversation), ==, "Chosen title");
  g_assert_false (confab_conversation_get_loaded (conversation));
  load (store, conversation);
  assert_message (conversation, 0, OAI_ROLE_USER, "Not the title");
  assert_message (conversation, 1, OAI_ROLE_ASSISTANT, "");

  conversation = get_conversation (store, 1);
  g_assert_cmpint (confab_conversation_get_id (conversation), ==, empty_id);
  g_assert_cmpstr (confab_conversation_get_title (conversation), ==, "");
  g_assert_null (confab_conversation_get_model (conversation));
  load (store, conversation);
  g_assert_cmpuint (g_list_model_get_n_items (confab_conversation_get_messages (conversation)),
                    ==, 0);

  conversation = get_conversation (store, 2);
  g_assert_cmpint (confab_conversation_get_id (conversation), ==, full_id);
  g_assert_false (confab_conversation_get_loaded (conversation));
  g_assert_cmpuint (g_list_model_get_n_items (confab_conversation_get_messages (conversation)),
                    ==, 0);
  /* Known before the messages are read, for the list. */
  g_assert_cmpfloat_with_epsilon (confab_conversation_get_cost (conversation), 0.00123, 1e-12);
  g_assert_cmpint (g_date_time_to_unix (confab_conversation_get_updated (conversation)) *
                   G_USEC_PER_SEC +
                   g_date_time_get_microsecond (confab_conversation_get_updated (conversation)),
                   ==, full_updated);
  load (store, conversation);
  assert_full_conversation (conversation);
  /* Loading is not a change. */
  load (store, conversation);
  g_assert_cmpuint (g_list_model_get_n_items (confab_conversation_get_messages (conversation)),
                    ==, 6);
  g_assert_false (confab_conversation_get_needs_save (conversation));
}

static void
test_memory (void)
{
  g_autoptr(ConfabStore) store = open_store (NULL);
  g_autoptr(ConfabConversation) conversation = make_full_conversation ();

  g_assert_null (confab_store_get_path (store));
  save (store, conversation);
  g_assert_cmpint (confab_conversation_get_id (conversation), >, 0);
  g_assert_cmpuint (g_list_model_get_n_items (confab_store_get_conversations (store)), ==, 1);
  assert_full_conversation (conversation);
  g_assert_finalize_object (g_steal_pointer (&store));
}

static void
test_order (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(ConfabStore) store = open_store (f->path);
  g_autoptr(ConfabConversation) a = confab_conversation_new ();
  g_autoptr(ConfabConversation) b = confab_conversation_new ();
  g_autoptr(ConfabConversation) c = confab_conversation_new ();
  const char *expected[] = { "A", "C", "B" };
  GListModel *list;

  confab_conversation_set_title (a, "A");
  confab_conversation_set_title (b, "B");
  confab_conversation_set_title (c, "C");
  save (store, a);
  save (store, b);
  save (store, c);
  list = confab_store_get_conversations (store);
  g_assert_true (get_conversation (store, 0) == c);
  g_assert_true (get_conversation (store, 1) == b);
  g_assert_true (get_conversation (store, 2) == a);

  /* A new message brings a conversation to the top. */
  append (a, OAI_ROLE_USER, "again");
  save (store, a);
  g_assert_true (get_conversation (store, 0) == a);
  g_assert_true (get_conversation (store, 1) == c);
  g_assert_true (get_conversation (store, 2) == b);

  /* Renaming does not. */
  confab_conversation_set_title (b, "B");
  g_assert_false (confab_conversation_get_needs_save (b));
  confab_conversation_set_title (b, "Bee");
  save (store, b);
  g_assert_true (get_conversation (store, 2) == b);
  confab_conversation_set_title (b, "B");
  save (store, b);

  g_clear_pointer (&store, close_store);
  store = open_store (f->path);
  list = confab_store_get_conversations (store);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 3);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpstr (confab_conversation_get_title (get_conversation (store, i)), ==,
                     expected[i]);

  /* A conversation loaded from the file moves up too. */
  load (store, get_conversation (store, 2));
  append (get_conversation (store, 2), OAI_ROLE_USER, "more");
  save (store, get_conversation (store, 2));
  g_assert_cmpstr (confab_conversation_get_title (get_conversation (store, 0)), ==, "B");
}

static void
test_delete (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(ConfabStore) store = open_store (f->path);
  g_autoptr(ConfabConversation) kept = make_full_conversation ();
  g_autoptr(ConfabConversation) deleted = make_full_conversation ();
  g_autoptr(ConfabConversation) unsaved = confab_conversation_new ();
  g_autoptr(GError) error = NULL;
  sqlite3 *db;

  save (store, kept);
  save (store, deleted);
  g_assert_true (confab_store_delete (store, deleted, &error));
  g_assert_no_error (error);
  g_assert_cmpint (confab_conversation_get_id (deleted), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (confab_store_get_conversations (store)), ==, 1);
  g_assert_true (get_conversation (store, 0) == kept);

  g_assert_false (confab_store_delete (store, deleted, &error));
  g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (confab_store_delete (store, unsaved, &error));
  g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Its messages went with it. */
  db = open_sqlite (f->path);
  g_assert_cmpint (sql_int (db, "SELECT count (*) FROM conversations"), ==, 1);
  g_assert_cmpint (sql_int (db, "SELECT count (*) FROM messages"), ==, 6);
  sqlite3_close (db);

  g_clear_pointer (&store, close_store);
  store = open_store (f->path);
  g_assert_cmpuint (g_list_model_get_n_items (confab_store_get_conversations (store)), ==, 1);
  load (store, get_conversation (store, 0));
  assert_full_conversation (get_conversation (store, 0));

  /* Saved again, it is a new one. */
  save (store, deleted);
  g_assert_cmpint (confab_conversation_get_id (deleted), >, 0);
  g_clear_pointer (&store, close_store);
  store = open_store (f->path);
  g_assert_cmpuint (g_list_model_get_n_items (confab_store_get_conversations (store)), ==, 2);
  load (store, get_conversation (store, 0));
  assert_full_conversation (get_conversation (store, 0));
}

static void
test_truncate (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(ConfabStore) store = open_store (f->path);
  g_autoptr(ConfabConversation) conversation = make_full_conversation ();
  ConfabConversation *loaded;

  save (store, conversation);
  confab_conversation_truncate (conversation, 3);
  g_assert_cmpfloat_with_epsilon (confab_conversation_get_cost (conversation), 0.00123, 1e-12);
  confab_conversation_truncate (conversation, 2);
  g_assert_cmpfloat (confab_conversation_get_cost (conversation), ==, 0.0);
  append (conversation, OAI_ROLE_ASSISTANT, "Regenerated");
  append (conversation, OAI_ROLE_USER, "Thanks");
  save (store, conversation);
  /* Truncating past the end changes nothing. */
  confab_conversation_truncate (conversation, 10);
  g_assert_false (confab_conversation_get_needs_save (conversation));

  g_clear_pointer (&store, close_store);
  store = open_store (f->path);
  loaded = get_conversation (store, 0);
  load (store, loaded);
  g_assert_cmpuint (g_list_model_get_n_items (confab_conversation_get_messages (loaded)), ==, 4);
  assert_message (loaded, 0, OAI_ROLE_SYSTEM, "Be brief.");
  assert_message (loaded, 1, OAI_ROLE_USER, "What is GObject?");
  assert_message (loaded, 2, OAI_ROLE_ASSISTANT, "Regenerated");
  g_assert_false (confab_conversation_get_message_info (loaded, get_message (loaded, 2), NULL));
  assert_message (loaded, 3, OAI_ROLE_USER, "Thanks");
  g_assert_cmpfloat (confab_conversation_get_cost (loaded), ==, 0.0);

  /* Down to nothing, then something else. */
  confab_conversation_truncate (loaded, 0);
  save (store, loaded);
  append (loaded, OAI_ROLE_USER, "Fresh start");
  save (store, loaded);
  g_clear_pointer (&store, close_store);
  store = open_store (f->path);
  loaded = get_conversation (store, 0);
  load (store, loaded);
  g_assert_cmpuint (g_list_model_get_n_items (confab_conversation_get_messages (loaded)), ==, 1);
  assert_message (loaded, 0, OAI_ROLE_USER, "Fresh start");
}

static void
items_changed_cb (GListModel *list,
                  guint       position,
                  guint       removed,
                  guint       added,
                  GString    *log)
{
  g_string_append_printf (log, "%u-%u+%u;", position, removed, added);
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 guint      *count)
{
  (*count)++;
}

static void
test_message_changed (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(ConfabStore) store = open_store (f->path);
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(GString) log = g_string_new (NULL);
  g_autoptr(GString) content = g_string_new (NULL);
  g_autoptr(OaiMessage) stray = oai_message_new (OAI_ROLE_USER, "not in it");
  ConfabMessageInfo info = { 10, 20, 0.5, FALSE, "stop" };
  ConfabMessageInfo got;
  ConfabConversation *loaded;
  OaiMessage *message;
  guint n_updated = 0, n_cost = 0;

  append (conversation, OAI_ROLE_USER, "Tell me a story");
  message = append (conversation, OAI_ROLE_ASSISTANT, "");
  save (store, conversation);
  g_assert_false (confab_conversation_get_needs_save (conversation));

  g_signal_connect (conversation, "notify::updated", G_CALLBACK (count_notify_cb), &n_updated);
  g_signal_connect (conversation, "notify::cost", G_CALLBACK (count_notify_cb), &n_cost);

  /* A stream: the content grows, saved now and then. */
  for (guint i = 0; i < 50; i++)
    {
      g_string_append_printf (content, "word%u ", i);
      oai_message_set_content (message, content->str);
      confab_conversation_message_changed (conversation, message);
      g_assert_true (confab_conversation_get_needs_save (conversation));
      if (i % 10 == 0)
        save (store, conversation);
    }
  g_assert_cmpuint (n_updated, ==, 50);

  /* The info replaces the row with itself, so that a list view binds it again. */
  g_signal_connect (confab_conversation_get_messages (conversation), "items-changed",
                    G_CALLBACK (items_changed_cb), log);
  confab_conversation_set_message_info (conversation, message, &info);
  g_assert_cmpstr (log->str, ==, "1-1+1;");
  g_assert_cmpuint (n_cost, ==, 1);
  g_assert_cmpfloat (confab_conversation_get_cost (conversation), ==, 0.5);
  g_assert_true (get_message (conversation, 1) == message);
  g_assert_true (confab_conversation_get_message_info (conversation, message, &got));
  g_assert_true (got.finish_reason == g_intern_static_string ("stop"));
  /* The same cost again: no notification. */
  info.completion_tokens = 21;
  confab_conversation_set_message_info (conversation, message, &info);
  g_assert_cmpuint (n_cost, ==, 1);
  g_signal_handlers_disconnect_by_data (confab_conversation_get_messages (conversation), log);

  /* A message no longer there, as after a truncation during a stream. */
  confab_conversation_message_changed (conversation, stray);
  save (store, conversation);
  confab_conversation_message_changed (conversation, stray);
  g_assert_false (confab_conversation_get_needs_save (conversation));

  g_clear_pointer (&store, close_store);
  store = open_store (f->path);
  loaded = get_conversation (store, 0);
  load (store, loaded);
  assert_message (loaded, 1, OAI_ROLE_ASSISTANT, content->str);
  g_assert_true (confab_conversation_get_message_info (loaded, get_message (loaded, 1), &got));
  g_assert_cmpuint (got.completion_tokens, ==, 21);
  g_assert_cmpfloat (got.cost, ==, 0.5);
  g_assert_cmpfloat (confab_conversation_get_cost (loaded), ==, 0.5);
  g_assert_cmpstr (confab_conversation_get_title (loaded), ==, "Tell me a story");
}

/* The cut is at a character boundary, the title a prefix of the text's
 * first line, and the ellipsis is where the text went on. */
static void
assert_cut_title (const char *text,
                  const char *line)
{
  g_autofree char *title = confab_conversation_title_from_text (text);
  gsize prefix_len;

  g_assert_true (g_utf8_validate (title, -1, NULL));
  g_assert_cmpuint (g_utf8_strlen (title, -1), <=, 48);
  g_assert_true (g_str_has_suffix (title, "…"));
  prefix_len = strlen (title) - strlen ("…");
  g_assert_cmpuint (prefix_len, >, 0);
  g_assert_true (strncmp (title, line, prefix_len) == 0);
  g_assert_true (g_utf8_validate (title, prefix_len, NULL));
}

static void
test_titles (void)
{
  static const struct {
    const char *text;
    const char *title;
  } cases[] = {
    { "Hello", "Hello" },
    { "  Hello   there,\tworld  ", "Hello there, world" },
    { "\n\n   \n  First line\nSecond line", "First line" },
    { "\r\n  Windows\r\nline", "Windows" },
    { "", "" },
    { "   \n\t\n  ", "" },
    /* Exactly 48 characters: kept whole. */
    { "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuv", "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuv" },
    { "The quick brown fox jumps over the lazy dog and keeps running far away",
      "The quick brown fox jumps over the lazy dog and…" },
    { "How do I write a GObject subclass with properties that notify explicitly?",
      "How do I write a GObject subclass with…" },
    /* No spaces: cut where it must be. */
    { "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz",
      "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstu…" },
  };
  g_autofree char *cjk = NULL;
  g_autofree char *emoji = NULL;
  g_autofree char *family = NULL;
  g_autofree char *flags = NULL;
  g_autofree char *accents = NULL;
  g_autofree char *title = NULL;
  g_autofree char *invalid = NULL;
  g_autoptr(GString) builder = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *got = confab_conversation_title_from_text (cases[i].text);

      g_assert_cmpstr (got, ==, cases[i].title);
    }
  title = confab_conversation_title_from_text (NULL);
  g_assert_cmpstr (title, ==, "");
  g_clear_pointer (&title, g_free);

  /* Chinese has no spaces: 47 characters and the ellipsis. */
  builder = g_string_new (NULL);
  for (guint i = 0; i < 30; i++)
    g_string_append (builder, "日本語");
  cjk = g_string_free (g_steal_pointer (&builder), FALSE);
  assert_cut_title (cjk, cjk);
  title = confab_conversation_title_from_text (cjk);
  g_assert_cmpuint (g_utf8_strlen (title, -1), ==, 48);
  g_clear_pointer (&title, g_free);

  /* Emoji outside the BMP, four bytes each. */
  builder = g_string_new ("Party ");
  for (guint i = 0; i < 60; i++)
    g_string_append (builder, "🎉");
  emoji = g_string_free (g_steal_pointer (&builder), FALSE);
  assert_cut_title (emoji, emoji);

  /* A family, five code points joined with ZWJ, straddling the cut: it stays whole or goes. */
  for (guint offset = 40; offset < 48; offset++)
    {
      g_autofree char *text = NULL;
      g_autofree char *got = NULL;
      g_autofree char *prefix = NULL;
      gsize prefix_len;

      builder = g_string_new (NULL);
      for (guint i = 0; i < offset; i++)
        g_string_append_c (builder, 'x');
      for (guint i = 0; i < 4; i++)
        g_string_append (builder, "👩‍👩‍👧‍👦");
      text = g_string_free (g_steal_pointer (&builder), FALSE);
      assert_cut_title (text, text);
      got = confab_conversation_title_from_text (text);
      prefix_len = strlen (got) - strlen ("…");
      prefix = g_strndup (got, prefix_len);
      /* What remains is x's and whole families, 25 bytes each. */
      g_assert_cmpuint ((prefix_len - offset) % strlen ("👩‍👩‍👧‍👦"), ==, 0);
    }

  /* Flags are pairs of regional indicators. */
  builder = g_string_new ("Flags: ");
  for (guint i = 0; i < 30; i++)
    g_string_append (builder, "🇫🇷");
  flags = g_string_free (g_steal_pointer (&builder), FALSE);
  assert_cut_title (flags, flags);
  title = confab_conversation_title_from_text (flags);
  g_assert_cmpuint ((strlen (title) - strlen ("…") - strlen ("Flags: ")) % strlen ("🇫🇷"), ==, 0);
  g_clear_pointer (&title, g_free);

  /* Combining accents stay on their letter. */
  builder = g_string_new (NULL);
  for (guint i = 0; i < 60; i++)
    g_string_append (builder, "e\xcc\x81");
  accents = g_string_free (g_steal_pointer (&builder), FALSE);
  assert_cut_title (accents, accents);
  title = confab_conversation_title_from_text (accents);
  g_assert_cmpuint ((strlen (title) - strlen ("…")) % 3, ==, 0);
  g_clear_pointer (&title, g_free);

  /* Invalid UTF-8 becomes valid. */
  invalid = g_strdup ("bad \xff\xfe bytes");
  title = confab_conversation_title_from_text (invalid);
  g_assert_true (g_utf8_validate (title, -1, NULL));
  g_assert_true (g_str_has_prefix (title, "bad "));
}

static void
test_automatic_title (void)
{
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  g_autoptr(ConfabConversation) blank = confab_conversation_new ();
  guint n_title = 0;

  g_signal_connect (conversation, "notify::title", G_CALLBACK (count_notify_cb), &n_title);
  g_assert_cmpstr (confab_conversation_get_title (conversation), ==, "");
  append (conversation, OAI_ROLE_SYSTEM, "You are a helpful assistant.");
  g_assert_cmpstr (confab_conversation_get_title (conversation), ==, "");
  append (conversation, OAI_ROLE_USER,
          "\n  Please explain   how the GLib main loop\ndispatches its sources.");
  g_assert_cmpstr (confab_conversation_get_title (conversation), ==,
                   "Please explain how the GLib main loop");
  g_assert_cmpuint (n_title, ==, 1);
  append (conversation, OAI_ROLE_ASSISTANT, "Sure.");
  append (conversation, OAI_ROLE_USER, "Another question");
  g_assert_cmpstr (confab_conversation_get_title (conversation), ==,
                   "Please explain how the GLib main loop");

  /* Cleared by the user: a later user message is not the first one. */
  confab_conversation_set_title (conversation, NULL);
  g_assert_cmpstr (confab_conversation_get_title (conversation), ==, "");
  append (conversation, OAI_ROLE_USER, "Yet another");
  g_assert_cmpstr (confab_conversation_get_title (conversation), ==, "");

  /* A blank first message leaves the title empty. */
  append (blank, OAI_ROLE_USER, "   ");
  g_assert_cmpstr (confab_conversation_get_title (blank), ==, "");
}

/* A conversation long enough to span many pages of the file. */
static void
make_big_store (const char *path)
{
  g_autoptr(ConfabStore) store = open_store (path);
  g_autoptr(ConfabConversation) conversation = make_full_conversation ();
  g_autofree char *filler = g_strnfill (2000, 'z');

  for (guint i = 0; i < 100; i++)
    append (conversation, OAI_ROLE_ASSISTANT, filler);
  save (store, conversation);
  g_assert_finalize_object (g_steal_pointer (&store));
}

/* Opens @path, which holds @contents: it must be set aside, intact, and a
 * working store made in its place. */
static void
assert_set_aside (const char *path,
                  const char *contents,
                  gsize       length)
{
  g_autoptr(ConfabStore) store = NULL;
  g_autoptr(ConfabConversation) conversation = make_full_conversation ();
  g_autofree char *prefix = g_strconcat (path, ".corrupt-", NULL);
  g_autofree char *kept = NULL;
  g_autofree char *set_aside = NULL;
  gsize kept_length;
  const char *stamp;

  store = open_store (path);
  g_assert_nonnull (confab_store_get_set_aside_path (store));
  set_aside = g_strdup (confab_store_get_set_aside_path (store));
  g_assert_true (g_str_has_prefix (set_aside, prefix));
  /* YYYYMMDD-HHMMSS, maybe with a number after it. */
  stamp = set_aside + strlen (prefix);
  g_assert_cmpuint (strlen (stamp), >=, 15);
  for (guint i = 0; i < 15; i++)
    g_assert_true (i == 8 ? stamp[i] == '-' : g_ascii_isdigit (stamp[i]));

  kept = read_file (set_aside, &kept_length);
  g_assert_cmpmem (kept, kept_length, contents, length);
  g_assert_cmpuint (g_list_model_get_n_items (confab_store_get_conversations (store)), ==, 0);

  save (store, conversation);
  g_clear_pointer (&store, close_store);
  store = open_store (path);
  g_assert_null (confab_store_get_set_aside_path (store));
  g_assert_cmpuint (g_list_model_get_n_items (confab_store_get_conversations (store)), ==, 1);
  load (store, get_conversation (store, 0));
  assert_full_conversation (get_conversation (store, 0));
  g_clear_pointer (&store, close_store);

  /* Made room for the next one. */
  remove_tree (path);
  remove_tree (set_aside);
}

static void
test_garbage (Fixture       *f,
              gconstpointer  data)
{
  static const char garbage[] = "This is not a database, just some words that a user wrote "
                                "and would like to keep. \x01\x02\x03\xff";
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);
  g_autofree char *big = g_malloc (8192);
  g_autoptr(ConfabStore) store = NULL;
  g_autofree char *wal_aside = NULL;
  g_autofree char *kept = NULL;
  gsize length;

  write_file (f->path, garbage, sizeof garbage - 1);
  assert_set_aside (f->path, garbage, sizeof garbage - 1);

  /* Larger than a page, beside a -wal that goes with it. */
  for (guint i = 0; i < 8192; i++)
    big[i] = (char) (i * 7 + 3);
  write_file (f->path, big, 8192);
  write_file (wal, "wal bytes", 9);
  store = open_store (f->path);
  g_assert_nonnull (confab_store_get_set_aside_path (store));
  wal_aside = g_strconcat (confab_store_get_set_aside_path (store), "-wal", NULL);
  kept = read_file (wal_aside, &length);
  g_assert_cmpmem (kept, length, "wal bytes", 9);
  g_clear_pointer (&kept, g_free);
  kept = read_file (confab_store_get_set_aside_path (store), &length);
  g_assert_cmpmem (kept, length, big, 8192);
  g_clear_pointer (&kept, g_free);
  g_clear_pointer (&wal_aside, g_free);
  g_clear_pointer (&store, close_store);

  /* An empty file beside a -wal, which SQLite would delete. */
  remove_tree (f->path);
  write_file (f->path, "", 0);
  write_file (wal, "precious", 8);
  store = open_store (f->path);
  g_assert_nonnull (confab_store_get_set_aside_path (store));
  wal_aside = g_strconcat (confab_store_get_set_aside_path (store), "-wal", NULL);
  kept = read_file (wal_aside, &length);
  g_assert_cmpmem (kept, length, "precious", 8);
}

static void
test_truncated (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *contents = NULL;
  gsize length;

  make_big_store (f->path);
  contents = read_file (f->path, &length);
  g_assert_cmpuint (length, >, 100000);

  /* Cut in the middle of its pages. */
  write_file (f->path, contents, length / 2);
  assert_set_aside (f->path, contents, length / 2);

  /* Cut in the middle of its header. */
  write_file (f->path, contents, 60);
  assert_set_aside (f->path, contents, 60);

  /* A page overwritten with noise. */
  for (gsize i = 4096 * 3; i < 4096 * 5 && i < length; i++)
    contents[i] = (char) (i * 13);
  write_file (f->path, contents, length);
  assert_set_aside (f->path, contents, length);
}

static void
test_foreign (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *contents = NULL;
  gsize length;
  sqlite3 *db;

  db = open_sqlite (f->path);
  sql (db, "CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('keep me');");
  sqlite3_close (db);
  contents = read_file (f->path, &length);
  assert_set_aside (f->path, contents, length);
  g_clear_pointer (&contents, g_free);

  /* Another program that sets an application id, with a table named like ours. */
  db = open_sqlite (f->path);
  sql (db, "PRAGMA application_id = 42; PRAGMA user_version = 1;"
           "CREATE TABLE conversations (x TEXT);");
  sqlite3_close (db);
  contents = read_file (f->path, &length);
  assert_set_aside (f->path, contents, length);
}

static void
test_newer (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *contents = NULL;
  gsize length;
  sqlite3 *db;

  make_big_store (f->path);
  db = open_sqlite (f->path);
  sql (db, "PRAGMA journal_mode = DELETE; PRAGMA user_version = 99;");
  sqlite3_close (db);
  contents = read_file (f->path, &length);
  assert_set_aside (f->path, contents, length);
}

/* Ours, but its tables are not what they should be. */
static void
test_damaged_schema (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *contents = NULL;
  gsize length;
  sqlite3 *db;

  make_big_store (f->path);
  db = open_sqlite (f->path);
  sql (db, "PRAGMA journal_mode = DELETE; DROP TABLE messages;");
  sqlite3_close (db);
  contents = read_file (f->path, &length);
  assert_set_aside (f->path, contents, length);
}

static void
assert_open_fails (const char *path,
                   const char *message)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *display = g_filename_display_name (path);
  ConfabStore *store = confab_store_new (path, &error);

  g_assert_null (store);
  g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_FAILED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, display));
  g_assert_nonnull (strstr (error->message, message));
}

static void
test_unwritable (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *read_only_dir = g_build_filename (f->dir, "read-only", NULL);
  g_autofree char *in_read_only_dir = g_build_filename (read_only_dir, "conversations.db", NULL);
  g_autofree char *below = g_build_filename (read_only_dir, "confab", "conversations.db", NULL);
  g_autofree char *garbage_dir = g_build_filename (f->dir, "garbage", NULL);
  g_autofree char *garbage = g_build_filename (garbage_dir, "conversations.db", NULL);
  g_autofree char *file = g_build_filename (f->dir, "file", NULL);
  g_autofree char *under_file = g_build_filename (file, "conversations.db", NULL);
  g_autofree char *kept = NULL;
  gsize length;

  /* A directory where the file should be, a file where its directory should be. */
  assert_open_fails (f->dir, g_strerror (EISDIR));
  write_file (file, "x", 1);
  assert_open_fails (under_file, g_strerror (ENOTDIR));

  g_assert_cmpint (g_mkdir (read_only_dir, 0500), ==, 0);
  g_assert_cmpint (g_mkdir (garbage_dir, 0700), ==, 0);
  write_file (garbage, "garbage", 7);
  g_assert_cmpint (g_chmod (garbage_dir, 0500), ==, 0);

  test_drop_capabilities ();
  if (!test_permissions_apply (read_only_dir))
    {
      test_restore_capabilities ();
      g_test_skip ("File permissions do not apply to this user");
      return;
    }

  assert_open_fails (in_read_only_dir, g_strerror (EACCES));
  g_assert_false (g_file_test (in_read_only_dir, G_FILE_TEST_EXISTS));
  assert_open_fails (below, g_strerror (EACCES));

  /* Unreadable, and it cannot be moved aside: left as it is. */
  assert_open_fails (garbage, g_strerror (EACCES));
  kept = read_file (garbage, &length);
  g_assert_cmpmem (kept, length, "garbage", 7);

  test_restore_capabilities ();
}

static void
test_permissions (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *dir = g_build_filename (f->dir, "data", "confab", NULL);
  g_autofree char *path = g_build_filename (dir, "conversations.db", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  g_autoptr(ConfabStore) store = NULL;
  g_autoptr(ConfabConversation) conversation = make_full_conversation ();
  g_autofree char *default_path = confab_store_default_path ();
  g_autofree char *expected_default = g_build_filename (g_get_user_data_dir (), "confab",
                                                        "conversations.db", NULL);
  mode_t old_umask;

  g_assert_cmpstr (default_path, ==, expected_default);

  /* Even with a umask that would let everyone read. */
  old_umask = umask (0);
  store = open_store (path);
  save (store, conversation);
  umask (old_umask);

  g_assert_cmpint (file_mode (dir), ==, 0700);
  g_assert_cmpint (file_mode (path), ==, 0600);
  g_assert_true (g_file_test (wal, G_FILE_TEST_EXISTS));
  g_assert_cmpint (file_mode (wal), ==, 0600);
  g_assert_true (g_file_test (shm, G_FILE_TEST_EXISTS));
  g_assert_cmpint (file_mode (shm), ==, 0600);

  /* The database is in WAL mode, marked as Confab's. */
  {
    sqlite3 *db = open_sqlite (path);

    g_assert_cmpint (sql_int (db, "PRAGMA application_id"), ==, 0x434e4642);
    g_assert_cmpint (sql_int (db, "PRAGMA user_version"), ==, 1);
    g_autofree char *mode = sql_text (db, "PRAGMA journal_mode");

    g_assert_cmpstr (mode, ==, "wal");
    sqlite3_close (db);
  }
}

/* Writes to a file another connection holds: the errors are GErrors, and
 * the conversation is saved once the trouble is gone. */
static void
test_write_errors (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(ConfabStore) store = open_store (f->path);
  g_autoptr(ConfabConversation) conversation = make_full_conversation ();
  g_autoptr(ConfabConversation) other = make_full_conversation ();
  g_autoptr(GError) error = NULL;
  ConfabConversation *loaded;
  sqlite3 *db;

  save (store, other);
  db = open_sqlite (f->path);
  sql (db, "CREATE TRIGGER fail BEFORE INSERT ON messages WHEN NEW.content = 'fail'"
           " BEGIN SELECT RAISE (ABORT, 'the disk is on fire'); END;");

  /* The first save fails after writing some rows: none stays. */
  append (conversation, OAI_ROLE_USER, "fail");
  g_assert_false (confab_store_save (store, conversation, &error));
  g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "the disk is on fire"));
  g_clear_error (&error);
  g_assert_cmpint (confab_conversation_get_id (conversation), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (confab_store_get_conversations (store)), ==, 1);
  g_assert_cmpint (sql_int (db, "SELECT count (*) FROM conversations"), ==, 1);
  g_assert_cmpint (sql_int (db, "SELECT count (*) FROM messages"), ==, 6);

  /* A later one. */
  append (other, OAI_ROLE_USER, "fine");
  append (other, OAI_ROLE_USER, "fail");
  g_assert_false (confab_store_save (store, other, &error));
  g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_true (confab_conversation_get_needs_save (other));
  g_assert_cmpint (sql_int (db, "SELECT count (*) FROM messages"), ==, 6);

  sql (db, "DROP TRIGGER fail");
  save (store, conversation);
  save (store, other);
  g_assert_cmpint (sql_int (db, "SELECT count (*) FROM messages"), ==, 7 + 8);

  /* Deleted behind the store's back. */
  sql (db, "DELETE FROM conversations WHERE id = 1");
  append (other, OAI_ROLE_USER, "gone");
  g_assert_false (confab_store_save (store, other, &error));
  g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  sqlite3_close (db);

  g_clear_pointer (&store, close_store);
  store = open_store (f->path);
  g_assert_cmpuint (g_list_model_get_n_items (confab_store_get_conversations (store)), ==, 1);
  loaded = get_conversation (store, 0);
  load (store, loaded);
  g_assert_cmpuint (g_list_model_get_n_items (confab_conversation_get_messages (loaded)), ==, 7);
  assert_message (loaded, 6, OAI_ROLE_USER, "fail");
}

/* How many rows of messages the store wrote, counted by triggers. */
static gint64
rows_written (sqlite3 *db)
{
  return sql_int (db, "SELECT n FROM test_writes");
}

static gint64
sum_of_rowids (sqlite3 *db,
               guint    below)
{
  g_autofree char *query = g_strdup_printf ("SELECT sum (id * (position + 1)) FROM messages"
                                            " WHERE position < %u", below);

  return sql_int (db, query);
}

#define N_BIG 10000

static void
test_incremental (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(ConfabStore) store = open_store (f->path);
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ();
  ConfabMessageInfo info = { 1, 2, 0.001, FALSE, "stop" };
  ConfabConversation *loaded;
  OaiMessage *last;
  gint64 written, rowids;
  sqlite3 *db;

  for (guint i = 0; i < N_BIG; i++)
    {
      g_autofree char *content = g_strdup_printf ("message %u", i);

      append (conversation, i % 2 == 0 ? OAI_ROLE_USER : OAI_ROLE_ASSISTANT, content);
      if (i % 1000 == 999)
        save (store, conversation);
    }

  db = open_sqlite (f->path);
  g_assert_cmpint (sql_int (db, "SELECT count (*) FROM messages"), ==, N_BIG);
  sql (db, "CREATE TABLE test_writes (n INTEGER); INSERT INTO test_writes VALUES (0);"
           "CREATE TRIGGER count_insert AFTER INSERT ON messages"
           " BEGIN UPDATE test_writes SET n = n + 1; END;"
           "CREATE TRIGGER count_update AFTER UPDATE ON messages"
           " BEGIN UPDATE test_writes SET n = n + 1; END;"
           "CREATE TRIGGER count_delete AFTER DELETE ON messages"
           " BEGIN UPDATE test_writes SET n = n + 1; END;");
  rowids = sum_of_rowids (db, N_BIG - 3);

  /* A new message: one row. */
  written = rows_written (db);
  last = append (conversation, OAI_ROLE_USER, "one more");
  save (store, conversation);
  g_assert_cmpint (rows_written (db) - written, ==, 1);

  /* Its content grows, its info arrives: one row each time. */
  written = rows_written (db);
  oai_message_set_content (last, "one more, longer");
  confab_conversation_message_changed (conversation, last);
  save (store, conversation);
  g_assert_cmpint (rows_written (db) - written, ==, 1);
  written = rows_written (db);
  confab_conversation_set_message_info (conversation, last, &info);
  save (store, conversation);
  g_assert_cmpint (rows_written (db) - written, ==, 1);

  /* Nothing changed: nothing written. */
  written = rows_written (db);
  save (store, conversation);
  g_assert_cmpint (rows_written (db) - written, ==, 0);

  /* Regenerating the last answers: the rows removed, one written. */
  written = rows_written (db);
  confab_conversation_truncate (conversation, N_BIG - 3);
  append (conversation, OAI_ROLE_ASSISTANT, "regenerated");
  save (store, conversation);
  /* Position N_BIG - 3 rewritten, the 3 after it removed. */
  g_assert_cmpint (rows_written (db) - written, ==, 4);

  /* The rows before were not touched. */
  g_assert_cmpint (sum_of_rowids (db, N_BIG - 3), ==, rowids);
  sqlite3_close (db);

  g_clear_pointer (&store, close_store);
  store = open_store (f->path);
  loaded = get_conversation (store, 0);
  load (store, loaded);
  g_assert_cmpuint (g_list_model_get_n_items (confab_conversation_get_messages (loaded)), ==,
                    N_BIG - 2);
  for (guint i = 0; i < N_BIG - 3; i++)
    {
      OaiMessage *message = get_message (loaded, i);
      g_autofree char *content = g_strdup_printf ("message %u", i);

      g_assert_cmpstr (oai_message_get_content (message), ==, content);
    }
  assert_message (loaded, N_BIG - 3, OAI_ROLE_ASSISTANT, "regenerated");
  g_assert_cmpstr (confab_conversation_get_title (loaded), ==, "message 0");
}

int
main (int argc, char *argv[])
{
  umask (022);
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  g_test_add_func ("/confab/conversation/titles", test_titles);
  g_test_add_func ("/confab/conversation/automatic-title", test_automatic_title);
  g_test_add_func ("/confab/store/memory", test_memory);
  ADD ("/confab/store/round-trip", test_round_trip);
  ADD ("/confab/store/order", test_order);
  ADD ("/confab/store/delete", test_delete);
  ADD ("/confab/store/truncate", test_truncate);
  ADD ("/confab/store/message-changed", test_message_changed);
  ADD ("/confab/store/incremental", test_incremental);
  ADD ("/confab/store/write-errors", test_write_errors);
  ADD ("/confab/store/permissions", test_permissions);
  ADD ("/confab/store/unwritable", test_unwritable);
  ADD ("/confab/store/set-aside/garbage", test_garbage);
  ADD ("/confab/store/set-aside/truncated", test_truncated);
  ADD ("/confab/store/set-aside/foreign", test_foreign);
  ADD ("/confab/store/set-aside/newer", test_newer);
  ADD ("/confab/store/set-aside/damaged-schema", test_damaged_schema);
#undef ADD

  return g_test_run ();
}
