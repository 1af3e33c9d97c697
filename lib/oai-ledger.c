/* oai-ledger.c: a persistent spend ledger in SQLite
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "oai-error.h"
#include "oai-ledger-private.h"

/* "OAIL" in the file's header, to tell a ledger from another program's database. */
#define LEDGER_APPLICATION_ID 1329678668
/* Bumped with every change of the schema, which then needs a migration in check_schema (). */
#define LEDGER_SCHEMA_VERSION 1
/* How long to wait for another process's write before giving up. */
#define LEDGER_BUSY_TIMEOUT_MS 5000

/* STRICT: a value of the wrong type is an error, not silently kept. */
static const char schema_sql[] =
  "CREATE TABLE requests ("
  "  id INTEGER PRIMARY KEY,"
  "  time INTEGER NOT NULL,"              /* unix microseconds, UTC */
  "  model TEXT NOT NULL,"
  "  request_id TEXT,"
  "  prompt_tokens INTEGER NOT NULL,"
  "  cached_tokens INTEGER NOT NULL,"
  "  completion_tokens INTEGER NOT NULL,"
  "  reasoning_tokens INTEGER NOT NULL,"
  "  cost REAL,"                          /* US dollars, NULL when unknown */
  "  estimated INTEGER NOT NULL,"
  "  status TEXT NOT NULL"
  ") STRICT;"
  "CREATE INDEX requests_time ON requests (time);"
  "PRAGMA application_id = " G_STRINGIFY (LEDGER_APPLICATION_ID) ";"
  "PRAGMA user_version = " G_STRINGIFY (LEDGER_SCHEMA_VERSION) ";";

static const char insert_sql[] =
  "INSERT INTO requests (time, model, request_id, prompt_tokens, cached_tokens,"
  "                      completion_tokens, reasoning_tokens, cost, estimated, status)"
  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";

/* total () is 0.0 when there is no row, and skips the NULLs of unknown costs. */
static const char sum_cost_sql[] =
  "SELECT total (cost) FROM requests WHERE time >= ?1 AND time < ?2";

/* Integer division rounds towards zero: the CASE makes it round down before 1970 too. */
#define SPEND_COLUMNS \
  "total (cost), count (*), count (*) - count (cost), sum (prompt_tokens), sum (completion_tokens)"
static const char by_day_sql[] =
  "SELECT strftime ('%Y-%m-%d', CASE WHEN time >= 0 THEN time / 1000000"
  "                                  ELSE (time - 999999) / 1000000 END, 'unixepoch') AS day, "
  SPEND_COLUMNS
  " FROM requests WHERE time >= ?1 AND time < ?2 GROUP BY day ORDER BY day";
static const char by_model_sql[] =
  "SELECT model, " SPEND_COLUMNS
  " FROM requests WHERE time >= ?1 AND time < ?2 GROUP BY model ORDER BY model";

struct _OaiLedger
{
  char *path;
  char *display_name;           /* the path in UTF-8, for messages */
  sqlite3 *db;

  /* Prepared once, reset after every use so that no read transaction stays
   * open and holds back the WAL's checkpoints. */
  sqlite3_stmt *insert;
  sqlite3_stmt *sum_cost;
  sqlite3_stmt *by_day;
  sqlite3_stmt *by_model;
};

void
oai_ledger_free (OaiLedger *self)
{
  if (self == NULL)
    return;

  sqlite3_finalize (self->insert);
  sqlite3_finalize (self->sum_cost);
  sqlite3_finalize (self->by_day);
  sqlite3_finalize (self->by_model);
  /* The last connection to close checkpoints the WAL and removes it. */
  sqlite3_close (self->db);
  g_free (self->path);
  g_free (self->display_name);
  g_free (self);
}

void
oai_ledger_spend_free (OaiLedgerSpend *spend)
{
  if (spend == NULL)
    return;

  g_free (spend->key);
  g_free (spend);
}

/* @doing completes "Could not … the ledger": "open", "write to", "read". */
static void
set_db_error (OaiLedger   *self,
              int          rc,
              const char  *doing,
              GError     **error)
{
  const char *message = self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc);
  int os_errno = self->db != NULL ? sqlite3_system_errno (self->db) : 0;

  /* SQLite gives this code when creating a -wal or -shm file failed with
   * EACCES, and does not keep the errno. */
  if (rc == SQLITE_READONLY_DIRECTORY)
    {
      g_autofree char *dir = g_path_get_dirname (self->path);
      g_autofree char *display_dir = g_filename_display_name (dir);

      g_set_error (error, OAI_ERROR, OAI_ERROR_FAILED,
                   "Could not %s the ledger “%s”: cannot create its -wal and -shm files "
                   "in “%s”: %s", doing, self->display_name, display_dir, g_strerror (EACCES));
      return;
    }

  switch (rc & 0xff)
    {
    case SQLITE_NOTADB:
      g_set_error (error, OAI_ERROR, OAI_ERROR_FAILED,
                   "Could not %s the ledger “%s”: the file is not a SQLite database",
                   doing, self->display_name);
      break;

    case SQLITE_CORRUPT:
      g_set_error (error, OAI_ERROR, OAI_ERROR_FAILED,
                   "Could not %s the ledger “%s”: the database is corrupt (%s)",
                   doing, self->display_name, message);
      break;

    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_READONLY:
    case SQLITE_FULL:
      if (os_errno != 0)
        {
          g_set_error (error, OAI_ERROR, OAI_ERROR_FAILED,
                       "Could not %s the ledger “%s”: %s (%s)",
                       doing, self->display_name, message, g_strerror (os_errno));
          break;
        }
      G_GNUC_FALLTHROUGH;

    default:
      /* SQLITE_BUSY past the timeout says "database is locked". */
      g_set_error (error, OAI_ERROR, OAI_ERROR_FAILED,
                   "Could not %s the ledger “%s”: %s", doing, self->display_name, message);
      break;
    }
}

static gboolean
set_os_error (OaiLedger   *self,
              int          os_errno,
              const char  *doing,
              GError     **error)
{
  g_set_error (error, OAI_ERROR, OAI_ERROR_FAILED, "Could not %s the ledger “%s”: %s",
               doing, self->display_name, g_strerror (os_errno));
  return FALSE;
}

/* SQLite would create the file with mode 0644, and gives the -wal and -shm
 * files beside it the database's mode: so the file is created here, 0600, in
 * a directory created 0700. An existing file is left as it is. */
static gboolean
prepare_file (OaiLedger  *self,
              GError    **error)
{
  g_autofree char *dir = g_path_get_dirname (self->path);
  GStatBuf st;
  int fd;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;
      g_autofree char *display_dir = g_filename_display_name (dir);

      g_set_error (error, OAI_ERROR, OAI_ERROR_FAILED,
                   "Could not create the directory “%s” of the ledger “%s”: %s",
                   display_dir, self->display_name, g_strerror (saved_errno));
      return FALSE;
    }

  if (g_stat (self->path, &st) == 0)
    {
      if (S_ISDIR (st.st_mode))
        return set_os_error (self, EISDIR, "open", error);
      /* A FIFO or a device would block or misbehave in SQLite's hands. */
      if (!S_ISREG (st.st_mode))
        {
          g_set_error (error, OAI_ERROR, OAI_ERROR_FAILED,
                       "Could not open the ledger “%s”: it is not a regular file",
                       self->display_name);
          return FALSE;
        }
      return TRUE;
    }
  if (errno != ENOENT)
    return set_os_error (self, errno, "open", error);

  /* O_EXCL: another process may be creating the same ledger at this moment,
   * and its file is then used as it is. */
  fd = g_open (self->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      if (errno != EEXIST)
        return set_os_error (self, errno, "create", error);
    }
  else
    g_close (fd, NULL);

  return TRUE;
}

/* SQLite quietly falls back to read-only when it cannot open the file for
 * writing, and keeps the reason to itself: ask the OS for it. */
static void
set_read_only_error (OaiLedger  *self,
                     GError    **error)
{
  int fd = g_open (self->path, O_RDWR | O_CLOEXEC, 0);

  if (fd < 0)
    {
      set_os_error (self, errno, "open", error);
      return;
    }

  g_close (fd, NULL);
  g_set_error (error, OAI_ERROR, OAI_ERROR_FAILED,
               "Could not open the ledger “%s”: it can only be opened read-only",
               self->display_name);
}

static gboolean
exec (OaiLedger   *self,
      const char  *sql,
      GError     **error)
{
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      set_db_error (self, rc, "open", error);
      return FALSE;
    }
  return TRUE;
}

/* Runs @sql, a statement of the opening that returns one row, and passes
 * that row to @func. */
static gboolean
query_once (OaiLedger   *self,
            const char  *sql,
            gboolean   (*func) (OaiLedger *, sqlite3_stmt *, gpointer, GError **),
            gpointer     data,
            GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  gboolean ok;
  int rc;

  rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      set_db_error (self, rc, "open", error);
      return FALSE;
    }

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    ok = func (self, stmt, data, error);
  else
    {
      set_db_error (self, rc, "open", error);
      ok = FALSE;
    }

  sqlite3_finalize (stmt);
  return ok;
}

static gboolean
get_ints_cb (OaiLedger     *self,
             sqlite3_stmt  *stmt,
             gpointer       data,
             GError       **error)
{
  gint64 *values = data;

  for (int i = 0; i < sqlite3_column_count (stmt); i++)
    values[i] = sqlite3_column_int64 (stmt, i);
  return TRUE;
}

static gboolean
check_ok_cb (OaiLedger     *self,
             sqlite3_stmt  *stmt,
             gpointer       data,
             GError       **error)
{
  const char *result = (const char *) sqlite3_column_text (stmt, 0);

  if (g_strcmp0 (result, "ok") != 0)
    {
      g_set_error (error, OAI_ERROR, OAI_ERROR_FAILED,
                   "Could not open the ledger “%s”: the database is corrupt (%s)",
                   self->display_name, result != NULL ? result : "unknown damage");
      return FALSE;
    }
  return TRUE;
}

/* WAL lets readers go on while another process writes. A commit is written
 * to the WAL before oai_ledger_record () returns, so with synchronous=NORMAL
 * it survives the process being killed, kill -9 included, and the file is
 * never corrupted; only a power cut or an OS crash can lose the last few
 * commits. FULL would prevent that too, at the price of an fsync for every
 * call recorded: too much for a ledger that is not the bill of record.
 *
 * Where WAL is not possible (a file system without shared memory), SQLite
 * keeps its rollback journal: slower with several processes, as safe. */
static gboolean
set_journal_mode (OaiLedger  *self,
                  GError    **error)
{
  gint64 deadline = g_get_monotonic_time () + LEDGER_BUSY_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (self->db, "PRAGMA journal_mode = WAL", -1, &stmt, NULL);

  /* Switching a file to WAL turns a read lock into a write lock, which SQLite
   * does not wait for, lest two processes doing so wait for each other: when
   * two open a new ledger at once, one of them retries here. */
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
    set_db_error (self, rc, "open", error);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_OK)
    return FALSE;

  return exec (self, "PRAGMA synchronous = NORMAL", error);
}

/* Checks that the file is a ledger, or empty. Without @update, sets
 * @needs_update if it is empty (or, one day, of an older schema); with it, in
 * a write transaction, so that two processes opening a new ledger at once
 * create the schema once, creates the schema. */
static gboolean
check_schema (OaiLedger  *self,
              gboolean    update,
              gboolean   *needs_update,
              GError    **error)
{
  gint64 values[3];
  gint64 application_id, version, n_objects;

  /* One statement, one snapshot: outside a transaction, three statements
   * could see before and after another process's creating the schema. */
  if (!query_once (self,
                   "SELECT (SELECT application_id FROM pragma_application_id),"
                   "       (SELECT user_version FROM pragma_user_version),"
                   "       (SELECT count (*) FROM sqlite_schema)",
                   get_ints_cb, values, error))
    return FALSE;
  application_id = values[0];
  version = values[1];
  n_objects = values[2];

  if (application_id == 0 && version == 0 && n_objects == 0)
    {
      if (needs_update != NULL)
        *needs_update = TRUE;
      return update ? exec (self, schema_sql, error) : TRUE;
    }

  /* Another program's database: adding a table to it would be meddling. */
  if (application_id != LEDGER_APPLICATION_ID || version < 1)
    {
      g_set_error (error, OAI_ERROR, OAI_ERROR_FAILED,
                   "Could not open the ledger “%s”: it is a SQLite database, but not a ledger",
                   self->display_name);
      return FALSE;
    }

  if (version > LEDGER_SCHEMA_VERSION)
    {
      g_set_error (error, OAI_ERROR, OAI_ERROR_FAILED,
                   "Could not open the ledger “%s”: it was written by a newer version "
                   "of openai-glib (schema %" G_GINT64_FORMAT ", this one knows %d)",
                   self->display_name, version, LEDGER_SCHEMA_VERSION);
      return FALSE;
    }

  /* Migrations from older versions of the schema go here, and set
   * @needs_update when !@update. */
  return TRUE;
}

static gboolean
prepare (OaiLedger     *self,
         const char    *sql,
         sqlite3_stmt **stmt,
         GError       **error)
{
  int rc = sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, NULL);

  if (rc != SQLITE_OK)
    {
      set_db_error (self, rc, "open", error);
      return FALSE;
    }
  return TRUE;
}

/*
 * oai_ledger_open:
 * @path: the ledger's file; it and its directory are created if missing
 *
 * Opens the ledger, checking that the file is an intact ledger (a scan of the
 * whole file, quick for the size a ledger grows to). The file is never
 * modified unless it is one, or is empty.
 *
 * Returns: (transfer full) (nullable): the ledger, or %NULL with @error set
 */
OaiLedger *
oai_ledger_open (const char  *path,
                 GError     **error)
{
  g_autoptr(OaiLedger) self = NULL;
  gboolean needs_update = FALSE;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_new0 (OaiLedger, 1);
  self->path = g_strdup (path);
  self->display_name = g_filename_display_name (path);

  if (!prepare_file (self, error))
    return NULL;

  /* NOMUTEX: a ledger is used from one thread at a time. Not CREATE: the file
   * exists by now, with the right mode. */
  rc = sqlite3_open_v2 (path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE,
                        NULL);
  if (rc != SQLITE_OK)
    {
      set_db_error (self, rc, "open", error);
      return NULL;
    }
  if (sqlite3_db_readonly (self->db, "main") == 1)
    {
      set_read_only_error (self, error);
      return NULL;
    }

  sqlite3_busy_timeout (self->db, LEDGER_BUSY_TIMEOUT_MS);

  /* Before anything writes: a damaged file or someone else's is left as it was. */
  if (!query_once (self, "PRAGMA quick_check (1)", check_ok_cb, NULL, error) ||
      !check_schema (self, FALSE, &needs_update, error))
    return NULL;

  if (!set_journal_mode (self, error))
    return NULL;

  if (needs_update)
    {
      if (!exec (self, "BEGIN IMMEDIATE", error))
        return NULL;
      if (!check_schema (self, TRUE, NULL, error) || !exec (self, "COMMIT", error))
        {
          sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
          return NULL;
        }
    }

  if (!prepare (self, insert_sql, &self->insert, error) ||
      !prepare (self, sum_cost_sql, &self->sum_cost, error) ||
      !prepare (self, by_day_sql, &self->by_day, error) ||
      !prepare (self, by_model_sql, &self->by_model, error))
    return NULL;

  return g_steal_pointer (&self);
}

const char *
oai_ledger_get_path (OaiLedger *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->path;
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

/*
 * oai_ledger_record:
 * @entry: the call; a cost that is NaN or infinite is stored as unknown
 *
 * Adds @entry to the ledger. The entry is committed when this returns: it
 * survives the process being killed right after.
 *
 * Returns: %TRUE, or %FALSE with @error set, e.g. when another process held
 *   the ledger locked for more than five seconds
 */
gboolean
oai_ledger_record (OaiLedger             *self,
                   const OaiLedgerEntry  *entry,
                   GError               **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (entry != NULL, FALSE);
  g_return_val_if_fail (entry->model != NULL, FALSE);
  g_return_val_if_fail (entry->status != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stmt = self->insert;
  /* Only the strings can fail to bind, when longer than SQLite allows. */
  sqlite3_bind_int64 (stmt, 1, entry->time);
  sqlite3_bind_int64 (stmt, 4, entry->prompt_tokens);
  sqlite3_bind_int64 (stmt, 5, entry->cached_tokens);
  sqlite3_bind_int64 (stmt, 6, entry->completion_tokens);
  sqlite3_bind_int64 (stmt, 7, entry->reasoning_tokens);
  if (isfinite (entry->cost))
    sqlite3_bind_double (stmt, 8, entry->cost);
  else
    sqlite3_bind_null (stmt, 8);
  sqlite3_bind_int (stmt, 9, entry->estimated ? 1 : 0);
  rc = sqlite3_bind_text (stmt, 2, entry->model, -1, SQLITE_STATIC);
  if (rc == SQLITE_OK)
    rc = bind_nullable_text (stmt, 3, entry->request_id);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_text (stmt, 10, entry->status, -1, SQLITE_STATIC);

  /* Outside BEGIN … COMMIT the INSERT is a transaction of its own, committed
   * by the time the step returns. */
  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
    }
  if (rc != SQLITE_OK)
    set_db_error (self, rc, "write to", error);

  sqlite3_reset (stmt);
  /* The strings were bound without a copy: forget them. */
  sqlite3_clear_bindings (stmt);

  return rc == SQLITE_OK;
}

/*
 * oai_ledger_sum_cost:
 * @from_time: unix microseconds, included
 * @to_time: unix microseconds, excluded
 *
 * Returns: the sum of the known costs of the calls in [@from_time, @to_time),
 *   0.0 if there are none; NaN with @error set if the ledger cannot be read
 */
double
oai_ledger_sum_cost (OaiLedger  *self,
                     gint64      from_time,
                     gint64      to_time,
                     GError    **error)
{
  sqlite3_stmt *stmt;
  double sum = NAN;
  int rc;

  g_return_val_if_fail (self != NULL, NAN);
  g_return_val_if_fail (error == NULL || *error == NULL, NAN);

  stmt = self->sum_cost;
  sqlite3_bind_int64 (stmt, 1, from_time);
  sqlite3_bind_int64 (stmt, 2, to_time);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    sum = sqlite3_column_double (stmt, 0);
  else
    set_db_error (self, rc, "read", error);

  sqlite3_reset (stmt);
  return sum;
}

/*
 * oai_ledger_month_to_date:
 * @now: the current time, in any time zone
 * @cost: (out): the sum of the known costs
 *
 * Sums the costs from the first instant of @now's month up to @now,
 * included. The month is the UTC one, as on OpenAI's invoices: at 01:00 on
 * the 1st in UTC+2 it is still the last day of the previous month.
 */
gboolean
oai_ledger_month_to_date (OaiLedger  *self,
                          GDateTime  *now,
                          double     *cost,
                          GError    **error)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) month_start = NULL;
  GError *local_error = NULL;
  gint64 from_time, to_time;
  double sum;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (now != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  utc = g_date_time_to_utc (now);
  month_start = g_date_time_new_utc (g_date_time_get_year (utc), g_date_time_get_month (utc), 1,
                                     0, 0, 0);
  from_time = g_date_time_to_unix (month_start) * G_USEC_PER_SEC;
  to_time = g_date_time_to_unix (utc) * G_USEC_PER_SEC + g_date_time_get_microsecond (utc) + 1;

  sum = oai_ledger_sum_cost (self, from_time, to_time, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }

  if (cost != NULL)
    *cost = sum;
  return TRUE;
}

static GPtrArray *
query_spend (OaiLedger     *self,
             sqlite3_stmt  *stmt,
             gint64         from_time,
             gint64         to_time,
             GError       **error)
{
  g_autoptr(GPtrArray) rows = NULL;
  int rc;

  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) oai_ledger_spend_free);
  sqlite3_bind_int64 (stmt, 1, from_time);
  sqlite3_bind_int64 (stmt, 2, to_time);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      OaiLedgerSpend *spend = g_new0 (OaiLedgerSpend, 1);
      const char *key = (const char *) sqlite3_column_text (stmt, 0);

      /* strftime () gives NULL past the year 9999. */
      spend->key = g_strdup (key != NULL ? key : "");
      spend->cost = sqlite3_column_double (stmt, 1);
      spend->requests = sqlite3_column_int64 (stmt, 2);
      spend->unknown_cost_requests = sqlite3_column_int64 (stmt, 3);
      spend->prompt_tokens = sqlite3_column_int64 (stmt, 4);
      spend->completion_tokens = sqlite3_column_int64 (stmt, 5);
      g_ptr_array_add (rows, spend);
    }

  if (rc != SQLITE_DONE)
    {
      set_db_error (self, rc, "read", error);
      sqlite3_reset (stmt);
      return NULL;
    }

  sqlite3_reset (stmt);
  return g_steal_pointer (&rows);
}

/*
 * oai_ledger_spend_by_day:
 * @from_time: unix microseconds, included
 * @to_time: unix microseconds, excluded
 *
 * Returns: (transfer container) (element-type OaiLedgerSpend): a row for each
 *   UTC day with calls in [@from_time, @to_time), oldest first; %NULL with
 *   @error set if the ledger cannot be read
 */
GPtrArray *
oai_ledger_spend_by_day (OaiLedger  *self,
                         gint64      from_time,
                         gint64      to_time,
                         GError    **error)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return query_spend (self, self->by_day, from_time, to_time, error);
}

/*
 * oai_ledger_spend_by_model:
 * @from_time: unix microseconds, included
 * @to_time: unix microseconds, excluded
 *
 * Returns: (transfer container) (element-type OaiLedgerSpend): a row for each
 *   model with calls in [@from_time, @to_time), sorted by name; %NULL with
 *   @error set if the ledger cannot be read
 */
GPtrArray *
oai_ledger_spend_by_model (OaiLedger  *self,
                           gint64      from_time,
                           gint64      to_time,
                           GError    **error)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return query_spend (self, self->by_model, from_time, to_time, error);
}
