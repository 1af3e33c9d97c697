/* confab-store.c: the conversations, kept in SQLite
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sys/stat.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "confab-store.h"

/* "CNFB" in the file's header, to tell Confab's database from another program's. */
#define STORE_APPLICATION_ID 1129203266
/* Bumped with every change of the schema, which then needs a migration in check_schema (). */
#define STORE_SCHEMA_VERSION 1
/* How long to wait for another process's write before giving up. */
#define STORE_BUSY_TIMEOUT_MS 5000

/* STRICT: a value of the wrong type is an error, not silently kept.
 * conversations.cost repeats the sum of its messages' costs, so that the
 * list can show it without reading every message. */
static const char schema_sql[] =
  "CREATE TABLE conversations ("
  "  id INTEGER PRIMARY KEY,"
  "  title TEXT NOT NULL,"
  "  model TEXT,"
  "  updated INTEGER NOT NULL,"           /* unix microseconds */
  "  cost REAL NOT NULL"                  /* US dollars, the known costs only */
  ") STRICT;"
  "CREATE INDEX conversations_updated ON conversations (updated);"
  "CREATE TABLE messages ("
  "  id INTEGER PRIMARY KEY,"
  "  conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,"
  "  position INTEGER NOT NULL,"
  "  role TEXT NOT NULL,"                 /* as in the API: user, assistant… */
  "  content TEXT,"
  "  refusal TEXT,"
  "  name TEXT,"
  "  has_info INTEGER NOT NULL,"          /* the columns below are NULL without */
  "  prompt_tokens INTEGER,"
  "  completion_tokens INTEGER,"
  "  cost REAL,"                          /* NULL when unknown */
  "  estimated INTEGER,"
  "  finish_reason TEXT,"
  "  UNIQUE (conversation_id, position)"
  ") STRICT;"
  "PRAGMA application_id = " G_STRINGIFY (STORE_APPLICATION_ID) ";"
  "PRAGMA user_version = " G_STRINGIFY (STORE_SCHEMA_VERSION) ";";

static const char list_sql[] =
  "SELECT id, title, model, updated, cost FROM conversations ORDER BY updated DESC, id DESC";

static const char insert_conversation_sql[] =
  "INSERT INTO conversations (title, model, updated, cost) VALUES (?1, ?2, ?3, ?4)";

static const char update_conversation_sql[] =
  "UPDATE conversations SET title = ?2, model = ?3, updated = ?4, cost = ?5 WHERE id = ?1";

/* An update keeps the row, and its rowid: only what changed is written. */
static const char upsert_message_sql[] =
  "INSERT INTO messages (conversation_id, position, role, content, refusal, name, has_info,"
  "                      prompt_tokens, completion_tokens, cost, estimated, finish_reason)"
  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
  " ON CONFLICT (conversation_id, position) DO UPDATE SET"
  "   role = excluded.role, content = excluded.content, refusal = excluded.refusal,"
  "   name = excluded.name, has_info = excluded.has_info,"
  "   prompt_tokens = excluded.prompt_tokens, completion_tokens = excluded.completion_tokens,"
  "   cost = excluded.cost, estimated = excluded.estimated,"
  "   finish_reason = excluded.finish_reason";

static const char trim_messages_sql[] =
  "DELETE FROM messages WHERE conversation_id = ?1 AND position >= ?2";

static const char select_messages_sql[] =
  "SELECT position, role, content, refusal, name, has_info, prompt_tokens, completion_tokens,"
  "       cost, estimated, finish_reason"
  " FROM messages WHERE conversation_id = ?1 ORDER BY position";

static const char delete_conversation_sql[] =
  "DELETE FROM conversations WHERE id = ?1";

struct _ConfabStore
{
  GObject parent_instance;

  char *path;                   /* NULL in memory */
  char *display_name;           /* the path in UTF-8, for messages */
  char *set_aside_path;
  sqlite3 *db;
  GListStore *conversations;    /* ConfabConversation, most recently updated first */

  /* Prepared once, reset after every use so that no read transaction stays
   * open and holds back the WAL's checkpoints. */
  sqlite3_stmt *insert_conversation;
  sqlite3_stmt *update_conversation;
  sqlite3_stmt *upsert_message;
  sqlite3_stmt *trim_messages;
  sqlite3_stmt *select_messages;
  sqlite3_stmt *delete_conversation;
};

G_DEFINE_FINAL_TYPE (ConfabStore, confab_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (confab-store-error-quark, confab_store_error)

/* @doing completes "Could not … the conversation database": "open", "save to"… */
static void
set_db_error (ConfabStore  *self,
              int           rc,
              const char   *doing,
              GError      **error)
{
  const char *message = self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc);
  int os_errno = self->db != NULL ? sqlite3_system_errno (self->db) : 0;

  /* SQLite gives this code when creating a -wal or -shm file failed with
   * EACCES, and does not keep the errno. */
  if (rc == SQLITE_READONLY_DIRECTORY)
    {
      g_autofree char *dir = g_path_get_dirname (self->path);
      g_autofree char *display_dir = g_filename_display_name (dir);

      g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_FAILED,
                   /* Translators: the first %s is what failed: “open”, “create”, “read”,
                    * “save to” or “delete from” (context “database action”); then come the
                    * database's file, the folder it is in and the system's reason. */
                   _("Could not %s the conversation database “%s”: cannot create its -wal "
                     "and -shm files in “%s”: %s"),
                   doing, self->display_name, display_dir, g_strerror (EACCES));
      return;
    }

  switch (rc & 0xff)
    {
    case SQLITE_NOTADB:
      g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_CORRUPT,
                   /* Translators: the first %s is “open”, “read”… (context “database
                    * action”), the second the database's file. */
                   _("Could not %s the conversation database “%s”: the file is not a SQLite "
                     "database"), doing, self->display_name);
      break;

    case SQLITE_CORRUPT:
      g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_CORRUPT,
                   /* Translators: the first %s is “open”, “read”… (context “database
                    * action”), the second the database's file, the last SQLite's message,
                    * in English. */
                   _("Could not %s the conversation database “%s”: the database is corrupt (%s)"),
                   doing, self->display_name, message);
      break;

    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_READONLY:
    case SQLITE_FULL:
      if (os_errno != 0)
        {
          g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_FAILED,
                       /* Translators: the first %s is “open”, “read”… (context “database
                        * action”), the second the database's file, then come SQLite's
                        * message, in English, and the system's reason. */
                       _("Could not %s the conversation database “%s”: %s (%s)"),
                       doing, self->display_name, message, g_strerror (os_errno));
          break;
        }
      G_GNUC_FALLTHROUGH;

    default:
      /* SQLITE_BUSY past the timeout says "database is locked". */
      g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_FAILED,
                   /* Translators: the first %s is “open”, “read”… (context “database
                    * action”), the second the database's file, the last the reason. */
                   _("Could not %s the conversation database “%s”: %s"),
                   doing, self->display_name, message);
      break;
    }
}

static gboolean
set_os_error (ConfabStore  *self,
              int           os_errno,
              const char   *doing,
              GError      **error)
{
  g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_FAILED,
               _("Could not %s the conversation database “%s”: %s"),
               doing, self->display_name, g_strerror (os_errno));
  return FALSE;
}

/* SQLite would create the file with mode 0644, and gives the -wal and -shm
 * files beside it the database's mode: so the file is created here, 0600, in
 * a directory created 0700. An existing file is left as it is. */
static gboolean
prepare_file (ConfabStore  *self,
              GError      **error)
{
  g_autofree char *dir = g_path_get_dirname (self->path);
  GStatBuf st;
  int fd;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;
      g_autofree char *display_dir = g_filename_display_name (dir);

      g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_FAILED,
                   _("Could not create the directory “%s” of the conversation database “%s”: %s"),
                   display_dir, self->display_name, g_strerror (saved_errno));
      return FALSE;
    }

  if (g_stat (self->path, &st) == 0)
    {
      if (S_ISDIR (st.st_mode))
        /* Translators: completes “Could not … the conversation database”. */
        return set_os_error (self, EISDIR, C_("database action", "open"), error);
      /* A FIFO or a device would block or misbehave in SQLite's hands. */
      if (!S_ISREG (st.st_mode))
        {
          g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_FAILED,
                       _("Could not open the conversation database “%s”: it is not a regular file"),
                       self->display_name);
          return FALSE;
        }
      return TRUE;
    }
  if (errno != ENOENT)
    return set_os_error (self, errno, C_("database action", "open"), error);

  fd = g_open (self->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      if (errno != EEXIST)
        /* Translators: completes “Could not … the conversation database”. */
        return set_os_error (self, errno, C_("database action", "create"), error);
    }
  else
    g_close (fd, NULL);

  return TRUE;
}

/* SQLite deletes the -wal beside an empty file, though it may hold the
 * whole database: such a pair is set aside instead. */
static gboolean
check_wal (ConfabStore  *self,
           GError      **error)
{
  g_autofree char *wal = g_strconcat (self->path, "-wal", NULL);
  GStatBuf st, wal_st;

  if (g_stat (self->path, &st) == 0 && st.st_size == 0 &&
      g_stat (wal, &wal_st) == 0 && wal_st.st_size > 0)
    {
      g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_CORRUPT,
                   _("Could not open the conversation database “%s”: the file is empty, "
                     "but not its -wal file"), self->display_name);
      return FALSE;
    }
  return TRUE;
}

/* SQLite quietly falls back to read-only when it cannot open the file for
 * writing, and keeps the reason to itself: ask the OS for it. */
static void
set_read_only_error (ConfabStore  *self,
                     GError      **error)
{
  int fd = g_open (self->path, O_RDWR | O_CLOEXEC, 0);

  if (fd < 0)
    {
      set_os_error (self, errno, C_("database action", "open"), error);
      return;
    }

  g_close (fd, NULL);
  g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_FAILED,
               _("Could not open the conversation database “%s”: it can only be opened read-only"),
               self->display_name);
}

static gboolean
exec (ConfabStore  *self,
      const char   *sql,
      const char   *doing,
      GError      **error)
{
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      set_db_error (self, rc, doing, error);
      return FALSE;
    }
  return TRUE;
}

static void
rollback (ConfabStore *self)
{
  /* SQLite may have rolled back already, after SQLITE_FULL for one. */
  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Runs @sql, a statement of the opening that returns one row, and copies
 * its integer columns to @values. */
static gboolean
query_ints (ConfabStore  *self,
            const char   *sql,
            gint64       *values,
            guint         n_values,
            GError      **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          for (guint i = 0; i < n_values; i++)
            values[i] = sqlite3_column_int64 (stmt, i);
          rc = SQLITE_OK;
        }
    }
  if (rc != SQLITE_OK)
    set_db_error (self, rc, C_("database action", "open"), error);

  sqlite3_finalize (stmt);
  return rc == SQLITE_OK;
}

static gboolean
quick_check (ConfabStore  *self,
             GError      **error)
{
  sqlite3_stmt *stmt = NULL;
  gboolean ok = FALSE;
  int rc;

  rc = sqlite3_prepare_v2 (self->db, "PRAGMA quick_check (1)", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    {
      const char *result = (const char *) sqlite3_column_text (stmt, 0);

      ok = g_strcmp0 (result, "ok") == 0;
      if (!ok)
        g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_CORRUPT,
                     _("Could not open the conversation database “%s”: the database is corrupt (%s)"),
                     /* Translators: in place of SQLite's description of the damage. */
                     self->display_name, result != NULL ? result : _("unknown damage"));
    }
  else
    set_db_error (self, rc, C_("database action", "open"), error);

  sqlite3_finalize (stmt);
  return ok;
}

/* WAL, as in the library's ledger: a commit survives the process being
 * killed, and with synchronous=NORMAL a save costs no fsync. Only a power
 * cut can lose the last few saves, never corrupt the file. */
static gboolean
set_journal_mode (ConfabStore  *self,
                  GError      **error)
{
  gint64 deadline = g_get_monotonic_time () + STORE_BUSY_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (self->db, "PRAGMA journal_mode = WAL", -1, &stmt, NULL);

  /* Switching to WAL needs a write lock that SQLite does not wait for. */
  while (rc == SQLITE_OK)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        rc = SQLITE_OK;
      if ((rc & 0xff) != SQLITE_BUSY || g_get_monotonic_time () > deadline)
        break;
      sqlite3_reset (stmt);
      rc = SQLITE_OK;
      g_usleep (G_TIME_SPAN_MILLISECOND);
    }

  if (rc != SQLITE_OK)
    set_db_error (self, rc, C_("database action", "open"), error);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_OK)
    return FALSE;

  return exec (self, "PRAGMA synchronous = NORMAL", C_("database action", "open"), error);
}

/* Checks that the file is Confab's, or empty. Without @update, sets
 * @needs_update if it is empty; with it, in a write transaction, so that two
 * processes opening a new file at once create the schema once, creates it.
 * The errors that mean "not ours" are CONFAB_STORE_ERROR_CORRUPT. */
static gboolean
check_schema (ConfabStore  *self,
              gboolean      update,
              gboolean     *needs_update,
              GError      **error)
{
  gint64 values[3];
  gint64 application_id, version, n_objects;

  /* One statement, one snapshot. */
  if (!query_ints (self,
                   "SELECT (SELECT application_id FROM pragma_application_id),"
                   "       (SELECT user_version FROM pragma_user_version),"
                   "       (SELECT count (*) FROM sqlite_schema)",
                   values, G_N_ELEMENTS (values), error))
    return FALSE;
  application_id = values[0];
  version = values[1];
  n_objects = values[2];

  if (application_id == 0 && version == 0 && n_objects == 0)
    {
      if (needs_update != NULL)
        *needs_update = TRUE;
      return update ? exec (self, schema_sql, C_("database action", "create"), error) : TRUE;
    }

  if (application_id != STORE_APPLICATION_ID || version < 1)
    {
      g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_CORRUPT,
                   _("Could not open the conversation database “%s”: it is a SQLite database, "
                     "but not Confab's"), self->display_name);
      return FALSE;
    }

  if (version > STORE_SCHEMA_VERSION)
    {
      g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_CORRUPT,
                   /* Translators: the numbers are versions of the database's layout. */
                   _("Could not open the conversation database “%s”: it was written by a newer "
                     "version of Confab (schema %lld, this one knows %d)"),
                   self->display_name, (long long) version, STORE_SCHEMA_VERSION);
      return FALSE;
    }

  /* Migrations from older versions of the schema go here. */
  return TRUE;
}

static gboolean
prepare (ConfabStore    *self,
         const char     *sql,
         sqlite3_stmt  **stmt,
         GError        **error)
{
  int rc = sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, NULL);

  if (rc == SQLITE_OK)
    return TRUE;

  /* A table or a column missing from a file that says it is ours. */
  if ((rc & 0xff) == SQLITE_ERROR)
    g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_CORRUPT,
                 _("Could not open the conversation database “%s”: its tables are damaged (%s)"),
                 self->display_name, sqlite3_errmsg (self->db));
  else
    set_db_error (self, rc, C_("database action", "open"), error);
  return FALSE;
}

static gboolean
prepare_statements (ConfabStore  *self,
                    GError      **error)
{
  return prepare (self, insert_conversation_sql, &self->insert_conversation, error) &&
         prepare (self, update_conversation_sql, &self->update_conversation, error) &&
         prepare (self, upsert_message_sql, &self->upsert_message, error) &&
         prepare (self, trim_messages_sql, &self->trim_messages, error) &&
         prepare (self, select_messages_sql, &self->select_messages, error) &&
         prepare (self, delete_conversation_sql, &self->delete_conversation, error);
}

static gboolean
load_conversations (ConfabStore  *self,
                    GError      **error)
{
  g_autoptr(GPtrArray) conversations = g_ptr_array_new_with_free_func (g_object_unref);
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (!prepare (self, list_sql, &stmt, error))
    return FALSE;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *title = (const char *) sqlite3_column_text (stmt, 1);
      const char *model = (const char *) sqlite3_column_text (stmt, 2);

      g_ptr_array_add (conversations,
                       confab_conversation_new_stored (sqlite3_column_int64 (stmt, 0),
                                                       title, model,
                                                       sqlite3_column_int64 (stmt, 3),
                                                       sqlite3_column_double (stmt, 4)));
    }
  if (rc != SQLITE_DONE)
    /* Translators: completes “Could not … the conversation database”. */
    set_db_error (self, rc, C_("database action", "read"), error);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return FALSE;

  g_list_store_splice (self->conversations, 0,
                       g_list_model_get_n_items (G_LIST_MODEL (self->conversations)),
                       conversations->pdata, conversations->len);
  return TRUE;
}

static void
close_db (ConfabStore *self)
{
  g_clear_pointer (&self->insert_conversation, sqlite3_finalize);
  g_clear_pointer (&self->update_conversation, sqlite3_finalize);
  g_clear_pointer (&self->upsert_message, sqlite3_finalize);
  g_clear_pointer (&self->trim_messages, sqlite3_finalize);
  g_clear_pointer (&self->select_messages, sqlite3_finalize);
  g_clear_pointer (&self->delete_conversation, sqlite3_finalize);
  /* The last connection to close checkpoints the WAL and removes it. */
  g_clear_pointer (&self->db, sqlite3_close);
}

/* Opens self->path, or memory, and checks it before writing anything: a
 * damaged file or someone else's is left as it was. */
static gboolean
open_db (ConfabStore  *self,
         GError      **error)
{
  gboolean needs_update = FALSE;
  int rc;

  if (self->path != NULL)
    {
      if (!prepare_file (self, error) || !check_wal (self, error))
        return FALSE;

      /* NOMUTEX: the store is used from the main thread only. Not CREATE:
       * the file exists by now, with the right mode. */
      rc = sqlite3_open_v2 (self->path, &self->db,
                            SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE,
                            NULL);
    }
  else
    rc = sqlite3_open_v2 (":memory:", &self->db,
                          SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX |
                          SQLITE_OPEN_EXRESCODE,
                          NULL);
  if (rc != SQLITE_OK)
    {
      set_db_error (self, rc, C_("database action", "open"), error);
      return FALSE;
    }
  if (sqlite3_db_readonly (self->db, "main") == 1)
    {
      set_read_only_error (self, error);
      return FALSE;
    }

  /* Closing checkpoints the WAL into the file and deletes it: not before
   * the file is known to be ours, lest a damaged one be changed. */
  sqlite3_db_config (self->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
  sqlite3_busy_timeout (self->db, STORE_BUSY_TIMEOUT_MS);

  if (!quick_check (self, error) ||
      !check_schema (self, FALSE, &needs_update, error))
    return FALSE;

  /* Preparing the statements checks the tables, still without writing. */
  if (!needs_update && !prepare_statements (self, error))
    return FALSE;

  if (self->path != NULL && !set_journal_mode (self, error))
    return FALSE;
  if (!exec (self, "PRAGMA foreign_keys = ON", C_("database action", "open"), error))
    return FALSE;

  if (needs_update)
    {
      if (!exec (self, "BEGIN IMMEDIATE", C_("database action", "open"), error))
        return FALSE;
      if (!check_schema (self, TRUE, NULL, error) ||
          !exec (self, "COMMIT", C_("database action", "open"), error))
        {
          rollback (self);
          return FALSE;
        }
      if (!prepare_statements (self, error))
        return FALSE;
    }

  if (!load_conversations (self, error))
    return FALSE;

  sqlite3_db_config (self->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, NULL);
  return TRUE;
}

static gboolean
path_exists (const char *path)
{
  GStatBuf st;

  return g_lstat (path, &st) == 0 || errno != ENOENT;
}

/* "<path>.corrupt-YYYYMMDD-HHMMSS", with a number after it if that is taken:
 * rename () would replace what is there. */
static char *
make_set_aside_path (const char *path)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_autofree char *base = g_strdup_printf ("%s.corrupt-%s", path, stamp);
  char *candidate = g_strdup (base);

  for (guint i = 2; path_exists (candidate); i++)
    {
      g_free (candidate);
      candidate = g_strdup_printf ("%s-%u", base, i);
    }
  return candidate;
}

/* Moves the file and what SQLite keeps beside it out of the way, so that a
 * fresh database can take its place and the old one can still be rescued. */
static gboolean
set_aside (ConfabStore  *self,
           GError      **error)
{
  static const char * const suffixes[] = { "", "-wal", "-shm", "-journal" };
  g_autofree char *target = make_set_aside_path (self->path);
  g_autofree char *display_target = g_filename_display_name (target);

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *from = g_strconcat (self->path, suffixes[i], NULL);
      g_autofree char *to = g_strconcat (target, suffixes[i], NULL);

      if (g_rename (from, to) != 0 && (i == 0 || errno != ENOENT))
        {
          int saved_errno = errno;
          g_autofree char *display_from = g_filename_display_name (from);

          g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_FAILED,
                       _("Could not move the unreadable conversation database “%s” to “%s”: %s"),
                       display_from, display_target, g_strerror (saved_errno));
          return FALSE;
        }
    }

  self->set_aside_path = g_steal_pointer (&target);
  return TRUE;
}

static void
confab_store_finalize (GObject *object)
{
  ConfabStore *self = CONFAB_STORE (object);

  close_db (self);
  g_clear_object (&self->conversations);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->display_name, g_free);
  g_clear_pointer (&self->set_aside_path, g_free);

  G_OBJECT_CLASS (confab_store_parent_class)->finalize (object);
}

static void
confab_store_class_init (ConfabStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = confab_store_finalize;
}

static void
confab_store_init (ConfabStore *self)
{
  self->conversations = g_list_store_new (CONFAB_TYPE_CONVERSATION);
}

/**
 * confab_store_default_path:
 *
 * Returns: (transfer full) (type filename): where Confab keeps its conversations
 */
char *
confab_store_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "confab", "conversations.db", NULL);
}

/**
 * confab_store_new:
 * @path: (type filename) (nullable): the database's file, created with its
 *   directory if missing; %NULL to keep the conversations in memory
 *
 * Opens the database and reads the list of conversations, not their messages.
 *
 * A file that is not a Confab database of a version this one can read (a
 * damaged one, another program's, a newer Confab's) is not modified: it is
 * renamed to "<path>.corrupt-YYYYMMDD-HHMMSS", with its -wal and -shm files,
 * and a new database takes its place. confab_store_get_set_aside_path() then
 * says where it went.
 *
 * Returns: (transfer full) (nullable): the store, or %NULL with @error set
 */
ConfabStore *
confab_store_new (const char  *path,
                  GError     **error)
{
  g_autoptr(ConfabStore) self = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (CONFAB_TYPE_STORE, NULL);
  self->path = g_strdup (path);
  self->display_name = path != NULL ? g_filename_display_name (path) : g_strdup (":memory:");

  if (open_db (self, &local_error))
    return g_steal_pointer (&self);

  close_db (self);
  if (path == NULL ||
      !g_error_matches (local_error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_CORRUPT))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  if (!set_aside (self, error))
    return NULL;
  g_message ("%s; it was moved to “%s”, and a new one created",
             local_error->message, self->set_aside_path);
  g_clear_error (&local_error);

  if (!open_db (self, &local_error))
    {
      g_autofree char *display_target = g_filename_display_name (self->set_aside_path);

      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  _("The unreadable conversation database was moved to “%s”, "
                                    "but a new one could not be made: "), display_target);
      return NULL;
    }

  return g_steal_pointer (&self);
}

/**
 * confab_store_get_path:
 *
 * Returns: (type filename) (nullable): the database's file, %NULL in memory
 */
const char *
confab_store_get_path (ConfabStore *self)
{
  g_return_val_if_fail (CONFAB_IS_STORE (self), NULL);

  return self->path;
}

/**
 * confab_store_get_set_aside_path:
 *
 * Returns: (type filename) (nullable): where the file found unreadable at
 *   opening was moved, %NULL if it was fine
 */
const char *
confab_store_get_set_aside_path (ConfabStore *self)
{
  g_return_val_if_fail (CONFAB_IS_STORE (self), NULL);

  return self->set_aside_path;
}

/**
 * confab_store_get_conversations:
 *
 * Returns: (transfer none): the conversations, a list of #ConfabConversation,
 *   the most recently updated first
 */
GListModel *
confab_store_get_conversations (ConfabStore *self)
{
  g_return_val_if_fail (CONFAB_IS_STORE (self), NULL);

  return G_LIST_MODEL (self->conversations);
}

static gboolean
role_from_string (const char *text,
                  OaiRole    *role)
{
  g_autoptr(GEnumClass) enum_class = g_type_class_ref (OAI_TYPE_ROLE);
  GEnumValue *value = text != NULL ? g_enum_get_value_by_nick (enum_class, text) : NULL;

  if (value == NULL)
    return FALSE;
  *role = value->value;
  return TRUE;
}

static const char *
role_to_string (OaiRole role)
{
  g_autoptr(GEnumClass) enum_class = g_type_class_ref (OAI_TYPE_ROLE);
  GEnumValue *value = g_enum_get_value (enum_class, role);

  /* The nicks live as long as the type: static strings. */
  return value != NULL ? value->value_nick : NULL;
}

static OaiMessage *
message_from_row (ConfabStore   *self,
                  sqlite3_stmt  *stmt,
                  GError       **error)
{
  const char *role_text = (const char *) sqlite3_column_text (stmt, 1);
  g_autoptr(OaiMessage) message = NULL;
  OaiRole role;

  if (!role_from_string (role_text, &role))
    {
      g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_CORRUPT,
                   _("Could not read the conversation database “%s”: a message has the unknown "
                     "role “%s”"), self->display_name, role_text != NULL ? role_text : "");
      return NULL;
    }

  message = oai_message_new (role, (const char *) sqlite3_column_text (stmt, 2));
  if (sqlite3_column_type (stmt, 3) != SQLITE_NULL)
    oai_message_set_refusal (message, (const char *) sqlite3_column_text (stmt, 3));
  if (sqlite3_column_type (stmt, 4) != SQLITE_NULL)
    oai_message_set_name (message, (const char *) sqlite3_column_text (stmt, 4));

  if (sqlite3_column_int (stmt, 5) != 0)
    {
      ConfabMessageInfo info = {
        .prompt_tokens = CLAMP (sqlite3_column_int64 (stmt, 6), 0, G_MAXUINT),
        .completion_tokens = CLAMP (sqlite3_column_int64 (stmt, 7), 0, G_MAXUINT),
        .cost = sqlite3_column_type (stmt, 8) == SQLITE_NULL ? NAN : sqlite3_column_double (stmt, 8),
        .estimated = sqlite3_column_int (stmt, 9) != 0,
        .finish_reason = (const char *) sqlite3_column_text (stmt, 10),
      };

      /* Interns the finish reason. */
      confab_message_attach_info (message, &info);
    }

  return g_steal_pointer (&message);
}

/**
 * confab_store_load_messages:
 *
 * Reads the messages of @conversation, if they were not yet.
 *
 * Returns: %TRUE, or %FALSE with @error set
 */
gboolean
confab_store_load_messages (ConfabStore         *self,
                            ConfabConversation  *conversation,
                            GError             **error)
{
  g_autoptr(GPtrArray) messages = NULL;
  guint dirty_from = CONFAB_CONVERSATION_CLEAN;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (CONFAB_IS_CONVERSATION (conversation), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (confab_conversation_get_loaded (conversation))
    return TRUE;

  messages = g_ptr_array_new_with_free_func (g_object_unref);
  stmt = self->select_messages;
  sqlite3_bind_int64 (stmt, 1, confab_conversation_get_id (conversation));

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      OaiMessage *message = message_from_row (self, stmt, error);

      if (message == NULL)
        {
          sqlite3_reset (stmt);
          return FALSE;
        }

      /* A gap in the positions: from there on, the rows are written again
       * at the next save. */
      if (sqlite3_column_int64 (stmt, 0) != messages->len && dirty_from == CONFAB_CONVERSATION_CLEAN)
        dirty_from = messages->len;
      g_ptr_array_add (messages, message);
    }

  if (rc != SQLITE_DONE)
    set_db_error (self, rc, C_("database action", "read"), error);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return FALSE;

  confab_conversation_set_stored_messages (conversation, (OaiMessage **) messages->pdata,
                                           messages->len, dirty_from);
  return TRUE;
}

static int
bind_nullable_text (sqlite3_stmt *stmt,
                    int           index,
                    const char   *text)
{
  if (text == NULL)
    return sqlite3_bind_null (stmt, index);
  return sqlite3_bind_text (stmt, index, text, -1, SQLITE_STATIC);
}

/* Runs @stmt, which returns no row, and resets it. */
static int
step_done (sqlite3_stmt *stmt)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  /* The strings were bound without a copy: forget them. */
  sqlite3_clear_bindings (stmt);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int
write_conversation (ConfabStore        *self,
                    ConfabConversation *conversation,
                    gint64              id)
{
  sqlite3_stmt *stmt = id == 0 ? self->insert_conversation : self->update_conversation;
  int first = id == 0 ? 1 : 2;
  int rc;

  if (id != 0)
    sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_int64 (stmt, first + 2, confab_conversation_get_updated_usec (conversation));
  sqlite3_bind_double (stmt, first + 3, confab_conversation_get_cost (conversation));
  rc = sqlite3_bind_text (stmt, first, confab_conversation_get_title (conversation), -1,
                          SQLITE_STATIC);
  if (rc == SQLITE_OK)
    rc = bind_nullable_text (stmt, first + 1, confab_conversation_get_model (conversation));
  if (rc == SQLITE_OK)
    return step_done (stmt);

  sqlite3_clear_bindings (stmt);
  return rc;
}

static int
write_message (ConfabStore *self,
               gint64       id,
               guint        position,
               OaiMessage  *message)
{
  sqlite3_stmt *stmt = self->upsert_message;
  const ConfabMessageInfo *info = confab_message_peek_info (message);
  int rc;

  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, position);
  sqlite3_bind_int (stmt, 7, info != NULL);
  if (info != NULL)
    {
      sqlite3_bind_int64 (stmt, 8, info->prompt_tokens);
      sqlite3_bind_int64 (stmt, 9, info->completion_tokens);
      if (isfinite (info->cost))
        sqlite3_bind_double (stmt, 10, info->cost);
      else
        sqlite3_bind_null (stmt, 10);
      sqlite3_bind_int (stmt, 11, info->estimated ? 1 : 0);
    }
  else
    {
      for (int i = 8; i <= 11; i++)
        sqlite3_bind_null (stmt, i);
    }

  /* Only the strings can fail to bind, when longer than SQLite allows. */
  rc = sqlite3_bind_text (stmt, 3, role_to_string (oai_message_get_role (message)), -1,
                          SQLITE_STATIC);
  if (rc == SQLITE_OK)
    rc = bind_nullable_text (stmt, 4, oai_message_get_content (message));
  if (rc == SQLITE_OK)
    rc = bind_nullable_text (stmt, 5, oai_message_get_refusal (message));
  if (rc == SQLITE_OK)
    rc = bind_nullable_text (stmt, 6, oai_message_get_name (message));
  if (rc == SQLITE_OK)
    rc = bind_nullable_text (stmt, 12, info != NULL ? info->finish_reason : NULL);
  if (rc == SQLITE_OK)
    return step_done (stmt);

  sqlite3_clear_bindings (stmt);
  return rc;
}

/* Puts @conversation first in the list, where the most recent one goes. */
static void
move_to_top (ConfabStore        *self,
             ConfabConversation *conversation)
{
  g_autoptr(GPtrArray) moved = NULL;
  guint position;

  if (!g_list_store_find (self->conversations, conversation, &position))
    {
      g_list_store_insert (self->conversations, 0, conversation);
      return;
    }
  if (position == 0)
    return;

  /* One change, not a removal and an insertion, so that a selection
   * model above follows the conversation instead of dropping it. */
  moved = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (moved, g_object_ref (conversation));
  for (guint i = 0; i < position; i++)
    g_ptr_array_add (moved, g_list_model_get_item (G_LIST_MODEL (self->conversations), i));
  g_list_store_splice (self->conversations, 0, position + 1, moved->pdata, moved->len);
}

/**
 * confab_store_save:
 *
 * Writes @conversation, in one transaction: the first time, all of it, and it
 * gets its id and its place at the top of the list; after that, the title,
 * model and cost, and only the messages that changed since the last save.
 * Does nothing if nothing changed. After a failure, the conversation is as
 * unsaved as before, and a later save can succeed.
 *
 * Returns: %TRUE, or %FALSE with @error set
 */
gboolean
confab_store_save (ConfabStore         *self,
                   ConfabConversation  *conversation,
                   GError             **error)
{
  g_autoptr(ConfabConversation) ref = NULL;
  GListModel *messages;
  gint64 id;
  guint n, start;
  gboolean moved;
  int rc;

  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (CONFAB_IS_CONVERSATION (conversation), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!confab_conversation_get_needs_save (conversation))
    return TRUE;

  id = confab_conversation_get_id (conversation);
  messages = confab_conversation_get_messages (conversation);
  n = g_list_model_get_n_items (messages);
  start = id == 0 ? 0 : confab_conversation_get_dirty_from (conversation);

  /* The positions of the rows not read yet are unknown: writing a message
   * would overwrite one of them. */
  if (!confab_conversation_get_loaded (conversation) && start != CONFAB_CONVERSATION_CLEAN)
    {
      g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_FAILED,
                   _("Could not save to the conversation database “%s”: the messages of "
                     "“%s” changed before they were loaded"),
                   self->display_name, confab_conversation_get_title (conversation));
      return FALSE;
    }

  /* Translators: completes “Could not … the conversation database”. */
  if (!exec (self, "BEGIN IMMEDIATE", C_("database action", "save to"), error))
    return FALSE;

  rc = write_conversation (self, conversation, id);
  if (rc == SQLITE_OK && id == 0)
    id = sqlite3_last_insert_rowid (self->db);
  else if (rc == SQLITE_OK && sqlite3_changes (self->db) == 0)
    {
      rollback (self);
      g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND,
                   _("Could not save to the conversation database “%s”: the conversation "
                     "“%s” is no longer there"),
                   self->display_name, confab_conversation_get_title (conversation));
      return FALSE;
    }

  for (guint i = start; rc == SQLITE_OK && i < n; i++)
    {
      g_autoptr(OaiMessage) message = g_list_model_get_item (messages, i);

      rc = write_message (self, id, i, message);
    }

  /* Messages were removed, or moved: drop the rows past the end. */
  if (rc == SQLITE_OK && start != CONFAB_CONVERSATION_CLEAN)
    {
      sqlite3_bind_int64 (self->trim_messages, 1, id);
      sqlite3_bind_int64 (self->trim_messages, 2, n);
      rc = step_done (self->trim_messages);
    }

  if (rc != SQLITE_OK)
    {
      set_db_error (self, rc, C_("database action", "save to"), error);
      rollback (self);
      return FALSE;
    }
  if (!exec (self, "COMMIT", C_("database action", "save to"), error))
    {
      rollback (self);
      return FALSE;
    }

  /* The list may hold the only other reference. */
  ref = g_object_ref (conversation);
  moved = confab_conversation_get_id (conversation) == 0 ||
          confab_conversation_get_updated_usec (conversation) !=
          confab_conversation_get_saved_usec (conversation);
  confab_conversation_mark_saved (conversation, id);
  if (moved)
    move_to_top (self, conversation);

  return TRUE;
}

/**
 * confab_store_delete:
 *
 * Removes @conversation from the database and from the list. It can be saved
 * again afterwards, as a new conversation.
 *
 * Returns: %TRUE, or %FALSE with @error set; %CONFAB_STORE_ERROR_NOT_FOUND if
 *   it was never saved or is no longer there (it leaves the list all the same)
 */
gboolean
confab_store_delete (ConfabStore         *self,
                     ConfabConversation  *conversation,
                     GError             **error)
{
  g_autoptr(ConfabConversation) ref = NULL;
  gboolean found = FALSE;
  gint64 id;
  guint position;
  int rc;

  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (CONFAB_IS_CONVERSATION (conversation), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  id = confab_conversation_get_id (conversation);
  if (id != 0)
    {
      /* Its messages go with it: ON DELETE CASCADE. */
      sqlite3_bind_int64 (self->delete_conversation, 1, id);
      rc = step_done (self->delete_conversation);
      if (rc != SQLITE_OK)
        {
          /* Translators: completes “Could not … the conversation database”. */
          set_db_error (self, rc, C_("database action", "delete from"), error);
          return FALSE;
        }
      found = sqlite3_changes (self->db) > 0;
    }

  ref = g_object_ref (conversation);
  if (g_list_store_find (self->conversations, conversation, &position))
    g_list_store_remove (self->conversations, position);
  confab_conversation_mark_unsaved (conversation);

  if (!found)
    {
      g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND,
                   _("Could not delete from the conversation database “%s”: the conversation "
                     "“%s” is not there"),
                   self->display_name, confab_conversation_get_title (conversation));
      return FALSE;
    }

  return TRUE;
}
