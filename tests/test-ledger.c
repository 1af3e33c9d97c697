/* test-ledger.c: the spend ledger, its files, and several processes at once
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sqlite3.h>


#include "oai-error.h"
#include "oai-ledger-private.h"
#include "test-privileges.h"

/* The child processes are this same binary, run with --writer or --recorder. */
static char *test_binary;

typedef struct
{
  char *dir;
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

  f->dir = g_dir_make_tmp ("test-ledger-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  remove_tree (f->dir);
  g_free (f->dir);
}

/* Microseconds since the epoch of a UTC date and time. */
static gint64
utc_usec (int year,
          int month,
          int day,
          int hour,
          int minute,
          int second,
          int microsecond)
{
  g_autoptr(GDateTime) dt = g_date_time_new_utc (year, month, day, hour, minute, second);

  return g_date_time_to_unix (dt) * G_USEC_PER_SEC + microsecond;
}

static void
record (OaiLedger  *ledger,
        gint64      time,
        const char *model,
        guint       prompt_tokens,
        guint       completion_tokens,
        double      cost)
{
  g_autoptr(GError) error = NULL;
  OaiLedgerEntry entry = {
    .time = time,
    .model = model,
    .prompt_tokens = prompt_tokens,
    .completion_tokens = completion_tokens,
    .cost = cost,
    .status = "ok",
  };

  g_assert_true (oai_ledger_record (ledger, &entry, &error));
  g_assert_no_error (error);
}

static OaiLedger *
open_ledger (const char *path)
{
  g_autoptr(GError) error = NULL;
  OaiLedger *ledger = oai_ledger_open (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (ledger);
  return ledger;
}

static double
sum_cost (OaiLedger *ledger,
          gint64     from_time,
          gint64     to_time)
{
  g_autoptr(GError) error = NULL;
  double sum = oai_ledger_sum_cost (ledger, from_time, to_time, &error);

  g_assert_no_error (error);
  return sum;
}

static void
assert_spend (OaiLedgerSpend *spend,
              const char     *key,
              double          cost,
              guint64         requests,
              guint64         unknown_cost_requests,
              guint64         prompt_tokens,
              guint64         completion_tokens)
{
  g_assert_cmpstr (spend->key, ==, key);
  g_assert_cmpfloat (spend->cost, ==, cost);
  g_assert_cmpuint (spend->requests, ==, requests);
  g_assert_cmpuint (spend->unknown_cost_requests, ==, unknown_cost_requests);
  g_assert_cmpuint (spend->prompt_tokens, ==, prompt_tokens);
  g_assert_cmpuint (spend->completion_tokens, ==, completion_tokens);
}

static guint64
count_requests (OaiLedger *ledger)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = oai_ledger_spend_by_model (ledger, G_MININT64, G_MAXINT64, &error);
  guint64 n = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < rows->len; i++)
    n += ((OaiLedgerSpend *) rows->pdata[i])->requests;
  return n;
}

static guint
file_mode (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_mode & 07777;
}

/* The costs are binary fractions, so that every sum is exact. */
static void
test_record_and_query (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "ledger.db", NULL);
  g_autoptr(OaiLedger) ledger = open_ledger (path);
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  gint64 may1 = utc_usec (2024, 5, 1, 0, 0, 0, 0);
  gint64 may1_last = utc_usec (2024, 5, 1, 23, 59, 59, 999999);
  gint64 may2 = utc_usec (2024, 5, 2, 0, 0, 0, 0);
  gint64 may2_noon = utc_usec (2024, 5, 2, 12, 0, 0, 0);
  gint64 may3 = utc_usec (2024, 5, 3, 8, 0, 0, 0);
  OaiLedgerEntry full = {
    .time = may3 + 1,
    .model = "o3",
    .request_id = "req_123",
    .prompt_tokens = 5,
    .cached_tokens = 4,
    .completion_tokens = 3,
    .reasoning_tokens = 2,
    .cost = INFINITY,
    .estimated = TRUE,
    .status = "interrupted",
  };
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpstr (oai_ledger_get_path (ledger), ==, path);
  g_assert_cmpfloat (sum_cost (ledger, G_MININT64, G_MAXINT64), ==, 0.0);

  record (ledger, may1, "gpt-4o", 100, 10, 0.5);
  record (ledger, may1_last, "gpt-4o-mini", 200, 20, 0.25);
  record (ledger, may2, "gpt-4o", 300, 30, 1.25);
  record (ledger, may2_noon, "gpt-4o-mini", 400, 40, NAN);
  record (ledger, may3, "o3", 500, 50, 2.0);
  /* Every field, and an infinite cost, which is unknown too. */
  g_assert_true (oai_ledger_record (ledger, &full, &error));
  g_assert_no_error (error);

  g_assert_cmpfloat (sum_cost (ledger, G_MININT64, G_MAXINT64), ==, 4.0);
  /* [from, to): the last microsecond of 1 May is in, midnight of 2 May is out. */
  g_assert_cmpfloat (sum_cost (ledger, may1, may2), ==, 0.75);
  g_assert_cmpfloat (sum_cost (ledger, may1 + 1, may2 + 1), ==, 1.5);
  g_assert_cmpfloat (sum_cost (ledger, may3, may3 + 1), ==, 2.0);
  g_assert_cmpfloat (sum_cost (ledger, may2_noon, may3), ==, 0.0);
  g_assert_cmpfloat (sum_cost (ledger, may3, may1), ==, 0.0);

  rows = oai_ledger_spend_by_day (ledger, G_MININT64, G_MAXINT64, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 3);
  assert_spend (rows->pdata[0], "2024-05-01", 0.75, 2, 0, 300, 30);
  assert_spend (rows->pdata[1], "2024-05-02", 1.25, 2, 1, 700, 70);
  assert_spend (rows->pdata[2], "2024-05-03", 2.0, 2, 1, 505, 53);
  g_clear_pointer (&rows, g_ptr_array_unref);

  rows = oai_ledger_spend_by_model (ledger, G_MININT64, G_MAXINT64, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 3);
  assert_spend (rows->pdata[0], "gpt-4o", 1.75, 2, 0, 400, 40);
  assert_spend (rows->pdata[1], "gpt-4o-mini", 0.25, 2, 1, 600, 60);
  assert_spend (rows->pdata[2], "o3", 2.0, 2, 1, 505, 53);
  g_clear_pointer (&rows, g_ptr_array_unref);

  /* A range with only an unknown cost: counted, but nothing spent. */
  rows = oai_ledger_spend_by_day (ledger, may2_noon, may3, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 1);
  assert_spend (rows->pdata[0], "2024-05-02", 0.0, 1, 1, 400, 40);
  g_clear_pointer (&rows, g_ptr_array_unref);

  rows = oai_ledger_spend_by_model (ledger, may1_last, may2 + 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 2);
  assert_spend (rows->pdata[0], "gpt-4o", 1.25, 1, 0, 300, 30);
  assert_spend (rows->pdata[1], "gpt-4o-mini", 0.25, 1, 0, 200, 20);
  g_clear_pointer (&rows, g_ptr_array_unref);

  rows = oai_ledger_spend_by_day (ledger, may3 + 2, G_MAXINT64, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 0);

  /* The fields no query returns, as stored. */
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT time, model, request_id, prompt_tokens,"
                                       " cached_tokens, completion_tokens, reasoning_tokens,"
                                       " cost, estimated, status"
                                       " FROM requests WHERE request_id IS NOT NULL",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int64 (stmt, 0), ==, may3 + 1);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 1), ==, "o3");
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 2), ==, "req_123");
  for (int i = 3; i <= 6; i++)
    g_assert_cmpint (sqlite3_column_int (stmt, i), ==, 8 - i);
  g_assert_cmpint (sqlite3_column_type (stmt, 7), ==, SQLITE_NULL);
  g_assert_cmpint (sqlite3_column_int (stmt, 8), ==, 1);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 9), ==, "interrupted");
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

static double
month_to_date (OaiLedger  *ledger,
               const char *now_iso8601)
{
  g_autoptr(GDateTime) now = g_date_time_new_from_iso8601 (now_iso8601, NULL);
  g_autoptr(GError) error = NULL;
  double cost = -1;

  g_assert_nonnull (now);
  g_assert_true (oai_ledger_month_to_date (ledger, now, &cost, &error));
  g_assert_no_error (error);
  return cost;
}

static void
test_month_to_date (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "ledger.db", NULL);
  g_autoptr(OaiLedger) ledger = open_ledger (path);

  record (ledger, utc_usec (2024, 1, 31, 23, 59, 59, 999999), "m", 1, 1, 1.0);
  record (ledger, utc_usec (2024, 2, 1, 0, 0, 0, 0), "m", 1, 1, 2.0);
  record (ledger, utc_usec (2024, 2, 15, 12, 0, 0, 0), "m", 1, 1, NAN);
  record (ledger, utc_usec (2024, 2, 29, 21, 59, 59, 999999), "m", 1, 1, 0.5);
  record (ledger, utc_usec (2024, 2, 29, 22, 0, 0, 0), "m", 1, 1, 0.25);
  record (ledger, utc_usec (2024, 2, 29, 22, 0, 0, 1), "m", 1, 1, 8.0);
  record (ledger, utc_usec (2024, 3, 1, 0, 0, 0, 0), "m", 1, 1, 16.0);

  /* Already March in UTC+5, still February in UTC; now itself is included. */
  g_assert_cmpfloat (month_to_date (ledger, "2024-03-01T03:00:00+05:00"), ==, 2.75);
  /* Still January in UTC-5, already February in UTC. */
  g_assert_cmpfloat (month_to_date (ledger, "2024-01-31T23:30:00-05:00"), ==, 2.0);
  g_assert_cmpfloat (month_to_date (ledger, "2024-03-01T00:00:00Z"), ==, 16.0);
  g_assert_cmpfloat (month_to_date (ledger, "2024-02-29T23:59:59.999999Z"), ==, 10.75);
  g_assert_cmpfloat (month_to_date (ledger, "2024-01-31T23:59:59.999999Z"), ==, 1.0);
  g_assert_cmpfloat (month_to_date (ledger, "2024-01-31T23:59:59.999998Z"), ==, 0.0);
  g_assert_cmpfloat (month_to_date (ledger, "2024-04-30T12:00:00Z"), ==, 0.0);
}

static void
test_reopen (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *top = g_build_filename (f->dir, "a", NULL);
  g_autofree char *parent = g_build_filename (f->dir, "a", "b", NULL);
  g_autofree char *path = g_build_filename (parent, "ledger.db", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  g_autoptr(OaiLedger) ledger = NULL;
  g_autoptr(OaiLedger) second = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;

  ledger = open_ledger (path);
  record (ledger, 1000, "gpt-4o", 10, 1, 0.5);
  record (ledger, 2000, "o3", 20, 2, NAN);

  /* Owner-only, whatever the umask (022 here), the WAL's files included. */
  g_assert_cmpuint (file_mode (top), ==, 0700);
  g_assert_cmpuint (file_mode (parent), ==, 0700);
  g_assert_cmpuint (file_mode (path), ==, 0600);
  g_assert_cmpuint (file_mode (wal), ==, 0600);
  g_assert_cmpuint (file_mode (shm), ==, 0600);

  /* A second handle, in this process, sees the first one's commits. */
  second = open_ledger (path);
  g_assert_cmpfloat (sum_cost (second, 0, G_MAXINT64), ==, 0.5);
  record (second, 3000, "gpt-4o", 30, 3, 0.25);
  g_assert_cmpfloat (sum_cost (ledger, 0, G_MAXINT64), ==, 0.75);
  g_clear_pointer (&second, oai_ledger_free);
  g_clear_pointer (&ledger, oai_ledger_free);

  /* The last handle closed folds the WAL into the file. */
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));

  ledger = open_ledger (path);
  g_assert_cmpfloat (sum_cost (ledger, 0, G_MAXINT64), ==, 0.75);
  rows = oai_ledger_spend_by_model (ledger, 0, G_MAXINT64, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 2);
  assert_spend (rows->pdata[0], "gpt-4o", 0.75, 2, 0, 40, 4);
  assert_spend (rows->pdata[1], "o3", 0.0, 1, 1, 20, 2);
  g_clear_pointer (&ledger, oai_ledger_free);

  /* An existing file's mode is the user's business. */
  g_assert_cmpint (g_chmod (path, 0640), ==, 0);
  ledger = open_ledger (path);
  g_assert_cmpuint (file_mode (path), ==, 0640);
  g_assert_cmpuint (count_requests (ledger), ==, 3);
}

static GSubprocess *
spawn_child (GSubprocessFlags   flags,
             const char        *mode,
             const char        *path,
             const char        *arg)
{
  g_autoptr(GError) error = NULL;
  GSubprocess *child = g_subprocess_new (flags, &error, test_binary, mode, path, arg, NULL);

  g_assert_no_error (error);
  return child;
}

static char *
read_line (GDataInputStream *stream)
{
  g_autoptr(GError) error = NULL;
  char *line = g_data_input_stream_read_line_utf8 (stream, NULL, NULL, &error);

  g_assert_no_error (error);
  return line;
}

#define N_WRITES 500

static double
writer_cost (guint i)
{
  return (i % 8) / 64.0;
}

/* --writer PATH MODEL: opens the ledger, says "ready", waits for a line on
 * stdin, then records N_WRITES entries as MODEL. */
static int
run_writer (const char *path,
            const char *model)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OaiLedger) ledger = oai_ledger_open (path, &error);
  char line[16];

  if (ledger == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  printf ("ready\n");
  fflush (stdout);
  if (fgets (line, sizeof line, stdin) == NULL)
    return 1;

  for (guint i = 0; i < N_WRITES; i++)
    {
      g_autofree char *request_id = g_strdup_printf ("%s-%u", model, i);
      OaiLedgerEntry entry = {
        .time = i,
        .model = model,
        .request_id = request_id,
        .prompt_tokens = i,
        .cost = writer_cost (i),
        .status = "ok",
      };

      if (!oai_ledger_record (ledger, &entry, &error))
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
    }
  return 0;
}

static void
test_concurrent_writers (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "ledger.db", NULL);
  const char *models[] = { "writer-a", "writer-b" };
  GSubprocess *children[G_N_ELEMENTS (models)];
  g_autoptr(OaiLedger) ledger = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  double expected_cost = 0;
  guint64 expected_tokens = 0;

  /* Both start on a ledger that does not exist yet, and write at once. */
  for (guint c = 0; c < G_N_ELEMENTS (models); c++)
    children[c] = spawn_child (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                               "--writer", path, models[c]);
  for (guint c = 0; c < G_N_ELEMENTS (models); c++)
    {
      g_autoptr(GDataInputStream) out =
        g_data_input_stream_new (g_subprocess_get_stdout_pipe (children[c]));
      g_autofree char *line = read_line (out);

      g_assert_cmpstr (line, ==, "ready");
    }
  for (guint c = 0; c < G_N_ELEMENTS (models); c++)
    {
      GOutputStream *in = g_subprocess_get_stdin_pipe (children[c]);

      g_output_stream_write_all (in, "go\n", 3, NULL, NULL, &error);
      g_assert_no_error (error);
      g_output_stream_close (in, NULL, &error);
      g_assert_no_error (error);
    }
  for (guint c = 0; c < G_N_ELEMENTS (models); c++)
    {
      g_subprocess_wait_check (children[c], NULL, &error);
      g_assert_no_error (error);
      g_object_unref (children[c]);
    }

  for (guint i = 0; i < N_WRITES; i++)
    {
      expected_cost += writer_cost (i);
      expected_tokens += i;
    }

  ledger = open_ledger (path);
  g_assert_cmpuint (count_requests (ledger), ==, 2 * N_WRITES);
  g_assert_cmpfloat (sum_cost (ledger, G_MININT64, G_MAXINT64), ==, 2 * expected_cost);
  rows = oai_ledger_spend_by_model (ledger, G_MININT64, G_MAXINT64, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 2);
  for (guint c = 0; c < G_N_ELEMENTS (models); c++)
    assert_spend (rows->pdata[c], models[c], expected_cost, N_WRITES, 0, expected_tokens, 0);
}

#define N_BEFORE_KILL 50

/* --recorder PATH: records entries of cost 1 at times 1, 2, 3… and says
 * "recorded N" after each one, until killed. */
static int
run_recorder (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OaiLedger) ledger = oai_ledger_open (path, &error);

  if (ledger == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  /* Bounded in case the parent dies; the pipe fills up long before. */
  for (guint i = 1; i <= 1000000; i++)
    {
      OaiLedgerEntry entry = {
        .time = i,
        .model = "recorder",
        .cost = 1.0,
        .status = "ok",
      };

      if (!oai_ledger_record (ledger, &entry, &error))
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      printf ("recorded %u\n", i);
      fflush (stdout);
    }
  return 0;
}

static void
test_kill (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "ledger.db", NULL);
  g_autofree char *last = g_strdup_printf ("recorded %u", N_BEFORE_KILL);
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(OaiLedger) ledger = NULL;
  g_autoptr(GError) error = NULL;

  child = spawn_child (G_SUBPROCESS_FLAGS_STDOUT_PIPE, "--recorder", path, NULL);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));
  for (guint i = 1; i <= N_BEFORE_KILL; i++)
    {
      g_autofree char *line = read_line (out);
      g_autofree char *expected = g_strdup_printf ("recorded %u", i);

      g_assert_cmpstr (line, ==, expected);
    }

  g_subprocess_force_exit (child);
  g_subprocess_wait (child, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (child));
  g_assert_cmpint (g_subprocess_get_term_sig (child), ==, SIGKILL);

  /* Every entry it said it recorded, each once; maybe a few more. */
  ledger = open_ledger (path);
  g_assert_cmpfloat (sum_cost (ledger, 1, N_BEFORE_KILL + 1), ==, N_BEFORE_KILL);
  g_assert_cmpuint (count_requests (ledger), >=, N_BEFORE_KILL);
}

static GBytes *
read_bytes (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

static void
write_bytes (const char *path,
             const void *data,
             gsize       len)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, data, len, &error);
  g_assert_no_error (error);
}

/* Opening @path fails with a message that names it and says @what, and
 * leaves it as it was. */
static void
assert_open_fails (const char *path,
                   const char *what)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OaiLedger) ledger = NULL;
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *journal = g_strconcat (path, "-journal", NULL);
  gboolean is_file = g_file_test (path, G_FILE_TEST_IS_REGULAR);

  if (is_file)
    before = read_bytes (path);

  ledger = oai_ledger_open (path, &error);
  g_assert_error (error, OAI_ERROR, OAI_ERROR_FAILED);
  g_assert_null (ledger);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, what));

  if (is_file)
    {
      after = read_bytes (path);
      g_assert_true (g_bytes_equal (before, after));
      g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
      g_assert_false (g_file_test (journal, G_FILE_TEST_EXISTS));
    }
}

static void
test_corrupt (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *garbage = g_build_filename (f->dir, "garbage.db", NULL);
  g_autofree char *short_garbage = g_build_filename (f->dir, "short.db", NULL);
  g_autofree char *truncated = g_build_filename (f->dir, "truncated.db", NULL);
  g_autofree char *foreign = g_build_filename (f->dir, "foreign.db", NULL);
  g_autoptr(OaiLedger) ledger = NULL;
  g_autoptr(GBytes) whole = NULL;
  guint8 noise[8192];
  sqlite3 *db = NULL;

  for (gsize i = 0; i < sizeof noise; i++)
    noise[i] = g_test_rand_int_range (0, 256);
  write_bytes (garbage, noise, sizeof noise);
  assert_open_fails (garbage, "not a SQLite database");

  write_bytes (short_garbage, "hello, ledger\n", 14);
  assert_open_fails (short_garbage, "not a SQLite database");

  /* A real ledger, cut in half. */
  ledger = open_ledger (truncated);
  for (guint i = 0; i < 2000; i++)
    record (ledger, i, i % 2 ? "gpt-4o" : "gpt-4o-mini-with-a-long-name", i, i, 0.5);
  g_clear_pointer (&ledger, oai_ledger_free);
  whole = read_bytes (truncated);
  g_assert_cmpuint (g_bytes_get_size (whole), >, 64 * 1024);
  write_bytes (truncated, g_bytes_get_data (whole, NULL), g_bytes_get_size (whole) / 2);
  assert_open_fails (truncated, "corrupt");

  /* Another program's database is not taken over. */
  g_assert_cmpint (sqlite3_open (foreign, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE notes (text TEXT)", NULL, NULL, NULL), ==,
                   SQLITE_OK);
  sqlite3_close (db);
  assert_open_fails (foreign, "not a ledger");
}

static void
test_unwritable (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *file = g_build_filename (f->dir, "file", NULL);
  g_autofree char *under_file = g_build_filename (file, "ledger.db", NULL);
  g_autofree char *read_only_dir = g_build_filename (f->dir, "read-only", NULL);
  g_autofree char *in_read_only_dir = g_build_filename (read_only_dir, "ledger.db", NULL);
  g_autofree char *existing_dir = g_build_filename (f->dir, "existing", NULL);
  g_autofree char *in_existing_dir = g_build_filename (existing_dir, "ledger.db", NULL);
  g_autofree char *read_only_file = g_build_filename (f->dir, "read-only.db", NULL);
  OaiLedger *ledger;

  /* A directory where the ledger should be. */
  assert_open_fails (f->dir, g_strerror (EISDIR));
  /* A file where its directory should be. */
  write_bytes (file, "x", 1);
  assert_open_fails (under_file, g_strerror (ENOTDIR));

  g_assert_cmpint (g_mkdir (read_only_dir, 0500), ==, 0);
  ledger = open_ledger (read_only_file);
  record (ledger, 1, "m", 1, 1, 1.0);
  oai_ledger_free (ledger);
  g_assert_cmpint (g_chmod (read_only_file, 0400), ==, 0);
  /* A ledger in a directory that became read-only cannot have its WAL. */
  g_assert_cmpint (g_mkdir (existing_dir, 0700), ==, 0);
  ledger = open_ledger (in_existing_dir);
  oai_ledger_free (ledger);
  g_assert_cmpint (g_chmod (existing_dir, 0500), ==, 0);

  test_drop_capabilities ();
  if (!test_permissions_apply (read_only_dir))
    {
      test_restore_capabilities ();
      g_test_skip ("File permissions do not apply to this user");
      return;
    }

  assert_open_fails (in_read_only_dir, g_strerror (EACCES));
  g_assert_false (g_file_test (in_read_only_dir, G_FILE_TEST_EXISTS));
  assert_open_fails (read_only_file, g_strerror (EACCES));
  assert_open_fails (in_existing_dir, g_strerror (EACCES));

  test_restore_capabilities ();
}

int
main (int argc, char *argv[])
{
  int ret;

  if (argc == 4 && g_str_equal (argv[1], "--writer"))
    return run_writer (argv[2], argv[3]);
  if (argc == 3 && g_str_equal (argv[1], "--recorder"))
    return run_recorder (argv[2]);

  umask (022);
  g_test_init (&argc, &argv, NULL);

  if (strchr (argv[0], G_DIR_SEPARATOR) != NULL)
    test_binary = g_canonicalize_filename (argv[0], NULL);
  else
    test_binary = g_find_program_in_path (argv[0]);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/oai/ledger/record-and-query", test_record_and_query);
  ADD ("/oai/ledger/month-to-date", test_month_to_date);
  ADD ("/oai/ledger/reopen", test_reopen);
  ADD ("/oai/ledger/concurrent-writers", test_concurrent_writers);
  ADD ("/oai/ledger/kill", test_kill);
  ADD ("/oai/ledger/corrupt", test_corrupt);
  ADD ("/oai/ledger/unwritable", test_unwritable);
#undef ADD

  ret = g_test_run ();
  g_free (test_binary);
  return ret;
}
