/* bench-confab.c: Confab's message view with a long conversation, beside a GtkListBox
 *
 *   bench-confab --write-store FILE [--messages N]
 *   bench-confab --view listview --db FILE [--give-up S] [--scroll-seconds T]
 *   bench-confab --view listbox --db FILE [--give-up S] [--scroll-seconds T]
 *
 * The first form makes a conversation of N messages (default 1000),
 * alternately the person's and the assistant's, from a fixed seed: the
 * person's are a sentence or three, the assistant's are Markdown as chat
 * models write it (paragraphs, a bulleted or numbered list, a code block in
 * one answer of three, now and then a heading, inline code, bold), each with
 * its tokens and cost as Confab records them. It saves the conversation to a
 * new store at FILE with confab_store_save () (timed), closes the store and
 * reports the size of the database, then opens it again with
 * confab_store_new () (timed) and reads the messages with
 * confab_store_load_messages () (timed).
 *
 * The second form measures Confab's own window (ConfabWindow, whose message
 * view is a GtkListView of ConfabMessageRow, recycled as it scrolls); the
 * third the naive alternative: a GtkListBox with one ConfabMessageRow per
 * message, made by gtk_list_box_bind_model () and bound to its message with
 * confab_message_row_bind () as Confab's factory does, in a GtkScrolledWindow
 * that is the only child of a plain GtkWindow, sized like Confab's message
 * view. Both open the store FILE and read the conversation's messages
 * before the measurement starts, so both start from the same objects in
 * memory, with their window shown. Then:
 *
 *  - the time from selecting the conversation (or binding the list box to
 *    its messages) to the end of the first frame drawn after it (the frame
 *    clock's "after-paint"), and how much of it the call itself took;
 *  - the ConfabMessageRow widgets alive, and all the widgets in the
 *    scrolled window;
 *  - the growth of VmRSS from just before the selection to that frame;
 *  - the longest the main loop was busy at a time in the second after the
 *    first frame (what someone who starts scrolling at once would feel);
 *  - scrolling from the top of the view to the bottom in steps of one page
 *    of the scrolled window's vertical adjustment: for every step, the time
 *    from setting the value to the end of the next frame ("frame"; frames
 *    are paced at 60 Hz, so a cheap one still waits for the rest of its
 *    16.7 ms), and the main thread's CPU time in between ("CPU": GTK lays
 *    out and draws on that thread, and part of the work happens before the
 *    frame's "before-paint", when GDK asks for the window's size); their
 *    median, 95th percentile and maximum, and the number of frames.
 *    GtkListView's upper bound is an estimate that changes as rows are
 *    measured: the loop goes on until the value is at the bottom after a
 *    frame, or T seconds (default 120) have passed; it reports how far down
 *    it got.
 *
 * A watchdog thread ends a view run whose first frame (or the second after
 * it, or one frame of the scroll) takes more than S seconds (default 120),
 * saying "gave up after N s" and in which phase.
 *
 * Every form prints machine-readable lines starting with "RESULT ", which
 * bench/run-confab reads. The views need a display, the compiled GSettings
 * schema (GSETTINGS_SCHEMA_DIR) and GSETTINGS_BACKEND=memory: see
 * bench/run-confab.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <adwaita.h>
#include <openai-glib.h>

#include "confab-conversation.h"
#include "confab-message-row.h"
#include "confab-store.h"
#include "confab-window.h"

#define MODEL "gpt-4o-mini"
/* gpt-4o-mini's prices, US dollars per token. */
#define PROMPT_PRICE 0.15e-6
#define COMPLETION_PRICE 0.6e-6
#define SETTLE_MS 1000
#define TICK_MS 5

/* The conversation */

static guint64 rng_state;

static guint32
rng (void)
{
  /* xorshift64*: the same conversation on every run and machine. */
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return (guint32) ((rng_state * 0x2545F4914F6CDD1Dull) >> 32);
}

static guint
pick (guint n)
{
  return rng () % n;
}

#define PICK(array) (array[pick (G_N_ELEMENTS (array))])

static const char *words[] = {
  "the", "of", "and", "to", "a", "in", "is", "it", "you", "that", "for", "on", "are", "with",
  "as", "they", "be", "at", "one", "have", "this", "from", "or", "by", "but", "what", "some",
  "we", "can", "out", "other", "all", "there", "when", "up", "use", "your", "how", "an", "each",
  "which", "do", "their", "time", "if", "will", "way", "about", "many", "then", "them", "would",
  "like", "so", "these", "long", "make", "see", "two", "has", "look", "more", "could", "first",
  "been", "now", "find", "any", "new", "work", "part", "take", "get", "place", "after", "back",
  "only", "every", "good", "give", "under", "very", "through", "just", "great", "think", "help",
  "line", "before", "move", "right", "same", "does", "set", "want", "also", "small", "end",
  "even", "here", "must", "such", "follow", "change", "need", "try", "again", "point", "build",
  "request", "latency", "throughput", "model", "budget", "context", "window", "prompt", "buffer",
  "completion", "streaming", "server", "client", "database", "query", "index", "cache", "thread",
  "function", "memory", "allocation", "parser", "widget", "signal", "callback", "timeout",
  "network", "connection", "socket", "handler", "compiler", "library", "package", "version",
  "test", "benchmark", "profile", "result", "error", "warning", "value", "object", "reference",
  "don't", "it's", "we're", "that's", "isn't", "usually", "probably", "simply", "carefully",
};

static const char *identifiers[] = {
  "count", "buffer", "length", "index", "result", "request", "response", "token", "error",
  "context", "client", "stream", "value", "items", "offset", "cursor", "handler", "callback",
  "g_list_store_append", "sqlite3_step", "json_parse", "read_all", "max_retries", "timeout_ms",
};

static const char *headings[] = {
  "Overview", "How it works", "Step by step", "A simpler approach", "Trade-offs",
  "Putting it together", "What to check next", "Example", "Why this happens", "Summary",
};

static const char *c_lines[] = {
  "g_autoptr(GError) error = NULL;",
  "for (guint i = 0; i < n; i++)",
  "  total += items[i].length;",
  "if (!g_file_get_contents (path, &text, &length, &error))",
  "  return FALSE;",
  "g_print (\"%u items, %zu bytes\\n\", n, total);",
  "buffer = g_malloc0 (sizeof (Item) * n);",
  "rc = sqlite3_step (stmt);",
  "g_hash_table_insert (table, g_strdup (key), value);",
  "return g_steal_pointer (&result);",
};

static const char *python_lines[] = {
  "import json",
  "def load(path):",
  "    with open(path, encoding=\"utf-8\") as f:",
  "        return json.load(f)",
  "for index, item in enumerate(items):",
  "    total += len(item[\"text\"])",
  "result = [x * 2 for x in values if x > 0]",
  "print(f\"{len(result)} values, total {total}\")",
  "cache = {}",
  "response = client.chat.completions.create(model=\"gpt-4o-mini\", messages=messages)",
};

static const char *shell_lines[] = {
  "meson setup _build",
  "ninja -C _build",
  "export OPENAI_API_KEY=sk-...",
  "curl -s http://localhost:8080/v1/models | jq '.data[].id'",
  "for f in *.log; do grep -c ERROR \"$f\"; done",
  "sudo apt-get install libgtk-4-dev",
  "git log --oneline | head -n 20",
  "du -sh ~/.local/share/confab",
};

static void
append_sentence (GString *out)
{
  guint n = 6 + pick (14);

  for (guint w = 0; w < n; w++)
    {
      const char *word = PICK (words);
      guint kind = pick (40);

      if (w > 0)
        g_string_append_c (out, ' ');
      if (kind == 0)
        g_string_append_printf (out, "`%s()`", PICK (identifiers));
      else if (kind == 1)
        g_string_append_printf (out, "**%s**", word);
      else if (kind == 2)
        g_string_append_printf (out, "*%s*", word);
      else if (w == 0)
        {
          g_string_append_unichar (out, g_unichar_toupper (g_utf8_get_char (word)));
          g_string_append (out, g_utf8_next_char (word));
        }
      else
        g_string_append (out, word);
      if (w + 1 < n && pick (12) == 0)
        g_string_append_c (out, ',');
    }
  g_string_append_c (out, pick (8) == 0 ? '?' : '.');
}

static void
append_paragraph (GString *out,
                  guint    sentences)
{
  for (guint s = 0; s < sentences; s++)
    {
      if (s > 0)
        g_string_append_c (out, ' ');
      append_sentence (out);
    }
  g_string_append (out, "\n\n");
}

static char *
make_question (void)
{
  GString *out = g_string_new (NULL);

  append_paragraph (out, 1 + pick (3));
  g_string_truncate (out, out->len - 2);
  return g_string_free (out, FALSE);
}

static char *
make_answer (void)
{
  GString *out = g_string_new (NULL);
  gboolean numbered = pick (2) == 0;
  guint n_items = 3 + pick (3);

  if (pick (8) == 0)
    g_string_append_printf (out, "### %s\n\n", PICK (headings));
  append_paragraph (out, 2 + pick (3));

  for (guint i = 0; i < n_items; i++)
    {
      if (numbered)
        g_string_append_printf (out, "%u. **%s**: ", i + 1, PICK (headings));
      else
        g_string_append_printf (out, "- **%s**: ", PICK (headings));
      append_sentence (out);
      g_string_append_c (out, '\n');
    }
  g_string_append_c (out, '\n');

  if (pick (3) == 0)
    {
      guint language = pick (3);
      const char **lines = language == 0 ? c_lines : language == 1 ? python_lines : shell_lines;
      guint n_lines = language == 0 ? G_N_ELEMENTS (c_lines) :
                      language == 1 ? G_N_ELEMENTS (python_lines) : G_N_ELEMENTS (shell_lines);
      guint length = 4 + pick (9);

      g_string_append_printf (out, "```%s\n", language == 0 ? "c" : language == 1 ? "python" : "sh");
      for (guint i = 0; i < length; i++)
        g_string_append_printf (out, "%s\n", lines[pick (n_lines)]);
      g_string_append (out, "```\n\n");
    }

  if (pick (2) == 0)
    append_paragraph (out, 1 + pick (2));

  g_string_truncate (out, out->len - 2);
  return g_string_free (out, FALSE);
}

/* N messages, alternately the person's and the assistant's, with the tokens
 * and cost of each answer; also the bytes of their text. */
static ConfabConversation *
make_conversation (guint  n_messages,
                   gsize *bytes)
{
  ConfabConversation *conversation = confab_conversation_new ();
  guint context_tokens = 0;

  rng_state = 0x9E3779B97F4A7C15ull;
  *bytes = 0;
  confab_conversation_set_model (conversation, MODEL);

  for (guint i = 0; i < n_messages; i++)
    {
      gboolean user = i % 2 == 0;
      g_autofree char *text = user ? make_question () : make_answer ();
      g_autoptr(OaiMessage) message = oai_message_new (user ? OAI_ROLE_USER : OAI_ROLE_ASSISTANT, text);
      guint tokens = strlen (text) / 4 + 1;

      if (!user)
        {
          ConfabMessageInfo info = {
            .prompt_tokens = context_tokens,
            .completion_tokens = tokens,
            .cost = context_tokens * PROMPT_PRICE + tokens * COMPLETION_PRICE,
            .estimated = FALSE,
            .finish_reason = "stop",
          };

          /* As the store does when it reads a message. Through
           * confab_conversation_set_message_info () it would cost O(n) per
           * message: it looks for the message in the whole list, then
           * replaces it there, which adds up the cost of every message. */
          confab_message_attach_info (message, &info);
        }
      confab_conversation_append (conversation, message);
      /* The context the next request would send, up to a model's 128k. */
      context_tokens = MIN (context_tokens + tokens, 128000);
      *bytes += strlen (text);
    }

  return conversation;
}

/* Measuring */

/* CPU time of the calling thread, in µs: the main thread does all the
 * layout and drawing. */
static gint64
thread_cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static double
ms_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

static long
rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  if ((line = strstr (status, "\nVmRSS:")) == NULL)
    return -1;
  return strtol (line + strlen ("\nVmRSS:"), NULL, 10);
}

static goffset
file_size (const char *path)
{
  GStatBuf buf;

  return g_stat (path, &buf) == 0 ? (goffset) buf.st_size : 0;
}

static int
compare_double (const void *a,
                const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

typedef struct
{
  guint n;
  double median;
  double p95;
  double max;
} Summary;

static Summary
summarize (GArray *values)
{
  Summary summary = { values->len, 0, 0, 0 };
  double *v = (double *) values->data;

  if (values->len == 0)
    return summary;
  qsort (v, values->len, sizeof (double), compare_double);
  summary.median = values->len % 2 ? v[values->len / 2] :
                   (v[values->len / 2 - 1] + v[values->len / 2]) / 2;
  summary.p95 = v[MIN ((guint) ceil (0.95 * values->len), values->len) - 1];
  summary.max = v[values->len - 1];
  return summary;
}

/* The watchdog: a view run that takes too long ends with a word. */

static struct
{
  GMutex lock;
  GCond cond;
  gboolean done;
  gint64 start;                 /* the selection */
  gint64 deadline;
  const char *phase;
  const char *view;
  guint n_messages;
} watchdog;

static gpointer
watchdog_thread (gpointer data)
{
  g_mutex_lock (&watchdog.lock);
  while (!watchdog.done && g_get_monotonic_time () < watchdog.deadline)
    g_cond_wait_until (&watchdog.cond, &watchdog.lock, watchdog.deadline);
  if (!watchdog.done)
    {
      int seconds = (g_get_monotonic_time () - watchdog.start) / G_USEC_PER_SEC;

      /* The main thread is inside GTK and may not come back: end here. */
      printf ("%s: gave up after %d s (%s)\n", watchdog.view, seconds, watchdog.phase);
      printf ("RESULT kind=gave-up view=%s messages=%u seconds=%d phase=%s\n", watchdog.view,
              watchdog.n_messages, seconds, watchdog.phase);
      fflush (stdout);
      _exit (3);
    }
  g_mutex_unlock (&watchdog.lock);
  return NULL;
}

/* Starts a phase that may take @seconds: the process ends if it takes longer. */
static void
watchdog_arm (guint       seconds,
              const char *phase)
{
  g_mutex_lock (&watchdog.lock);
  watchdog.deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;
  watchdog.phase = phase;
  g_cond_signal (&watchdog.cond);
  g_mutex_unlock (&watchdog.lock);
}

static GThread *
watchdog_start (guint       seconds,
                const char *view,
                guint       n_messages)
{
  watchdog.start = g_get_monotonic_time ();
  watchdog.view = view;
  watchdog.n_messages = n_messages;
  watchdog_arm (seconds, "waiting for the first frame");
  return g_thread_new ("watchdog", watchdog_thread, NULL);
}

static void
watchdog_stop (GThread *thread)
{
  g_mutex_lock (&watchdog.lock);
  watchdog.done = TRUE;
  g_cond_signal (&watchdog.cond);
  g_mutex_unlock (&watchdog.lock);
  g_thread_join (thread);
}

/* Frames: the frame clock of the window measured. */

static struct
{
  GdkFrameClock *clock;
  guint64 paints;
  gint64 after_paint;           /* when the last frame ended */
  gint64 after_paint_cpu;       /* the main thread's CPU time then */
} frames;

static void
after_paint_cb (GdkFrameClock *clock)
{
  frames.after_paint = g_get_monotonic_time ();
  frames.after_paint_cpu = thread_cpu_us ();
  frames.paints++;
}

static void
watch_frames (GtkWidget *window)
{
  /* A destroyed window's clock has lost its handlers already. */
  if (frames.clock != NULL)
    g_signal_handlers_disconnect_by_func (frames.clock, after_paint_cb, NULL);
  g_set_object (&frames.clock, gtk_widget_get_frame_clock (window));
  g_signal_connect (frames.clock, "after-paint", G_CALLBACK (after_paint_cb), NULL);
}

static gboolean
flag_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop until a frame after frame number @after ended, or
 * @timeout_ms passed; whether a frame ended. */
static gboolean
wait_for_paint (guint64 after,
                guint   timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, flag_cb, &timed_out);

  while (frames.paints <= after && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  return frames.paints > after;
}

typedef struct
{
  gint64 last;
  gint64 longest;
} Ticks;

static gboolean
tick_cb (gpointer data)
{
  Ticks *ticks = data;
  gint64 now = g_get_monotonic_time ();

  ticks->longest = MAX (ticks->longest, now - ticks->last);
  ticks->last = now;
  return G_SOURCE_CONTINUE;
}

/* Runs the main loop for @ms; the longest it was busy, in ms. */
static double
settle (guint ms)
{
  Ticks ticks = { g_get_monotonic_time (), 0 };
  gboolean over = FALSE;
  guint tick = g_timeout_add (TICK_MS, tick_cb, &ticks);

  g_timeout_add (ms, flag_cb, &over);
  while (!over)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
  tick_cb (&ticks);
  return MAX (ticks.longest / 1000.0 - TICK_MS, 0);
}

/* Widgets */

static void
count_widgets (GtkWidget *root,
               guint     *rows,
               guint     *widgets)
{
  (*widgets)++;
  if (CONFAB_IS_MESSAGE_ROW (root))
    (*rows)++;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    count_widgets (child, rows, widgets);
}

static void
collect_widgets (GtkWidget *root,
                 GType      type,
                 GPtrArray *found)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    g_ptr_array_add (found, root);
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_widgets (child, type, found);
}

/* Confab's message view: the scrolled window around the GtkListView. */
static GtkScrolledWindow *
find_message_scroller (GtkWidget *window)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new ();

  collect_widgets (window, GTK_TYPE_SCROLLED_WINDOW, found);
  for (guint i = 0; i < found->len; i++)
    {
      GtkWidget *child = gtk_scrolled_window_get_child (g_ptr_array_index (found, i));

      if (GTK_IS_LIST_VIEW (child) && gtk_widget_has_css_class (child, "messages"))
        return g_ptr_array_index (found, i);
    }
  return NULL;
}

/* The stack whose "chat" page is the message view: its size is the view's. */
static GtkWidget *
find_main_stack (GtkWidget *window)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new ();

  collect_widgets (window, GTK_TYPE_STACK, found);
  for (guint i = 0; i < found->len; i++)
    if (gtk_stack_get_child_by_name (g_ptr_array_index (found, i), "chat") != NULL)
      return g_ptr_array_index (found, i);
  return NULL;
}

/* Scrolling */

typedef struct
{
  GArray *frame_ms;             /* from setting the value to the end of the next frame */
  GArray *cpu_ms;               /* the main thread's CPU time in between */
  double upper_start;
  double upper_end;
  double page;
  double reached;               /* how far down the view got, 0 to 1 */
  gboolean out_of_time;
  gboolean stuck;
} Scroll;

/* Sets @value and waits for the frame that shows it; FALSE if none came. */
static gboolean
scroll_to (GtkAdjustment *adjustment,
           double         value,
           Scroll        *scroll)
{
  guint64 paints = frames.paints;
  gint64 start = g_get_monotonic_time ();
  gint64 start_cpu = thread_cpu_us ();

  gtk_adjustment_set_value (adjustment, value);
  if (!wait_for_paint (paints, 60000))
    return FALSE;
  if (scroll != NULL)
    {
      double frame = (frames.after_paint - start) / 1000.0;
      double cpu = (frames.after_paint_cpu - start_cpu) / 1000.0;

      g_array_append_val (scroll->frame_ms, frame);
      g_array_append_val (scroll->cpu_ms, cpu);
    }
  return TRUE;
}

/* From the top to the bottom a page at a time, for at most @seconds. */
static void
scroll_through (GtkAdjustment *adjustment,
                guint          seconds,
                Scroll        *scroll)
{
  gint64 deadline;
  guint unmoved = 0;

  scroll->frame_ms = g_array_new (FALSE, FALSE, sizeof (double));
  scroll->cpu_ms = g_array_new (FALSE, FALSE, sizeof (double));

  /* To the top, until it stays there (the list view's estimates move it). */
  for (guint i = 0; i < 20 && gtk_adjustment_get_value (adjustment) > 0; i++)
    if (!scroll_to (adjustment, 0, NULL))
      break;
  scroll->upper_start = gtk_adjustment_get_upper (adjustment);
  scroll->page = gtk_adjustment_get_page_size (adjustment);

  deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;
  for (;;)
    {
      double value = gtk_adjustment_get_value (adjustment);
      double page = gtk_adjustment_get_page_size (adjustment);
      double bottom = gtk_adjustment_get_upper (adjustment) - page;

      if (value >= bottom - 0.5)
        break;
      if (g_get_monotonic_time () >= deadline)
        {
          scroll->out_of_time = TRUE;
          break;
        }
      if (!scroll_to (adjustment, MIN (value + page, bottom), scroll))
        {
          scroll->stuck = TRUE;
          break;
        }
      /* A view that moves back as fast as it is moved would never end. */
      if (gtk_adjustment_get_value (adjustment) <= value)
        {
          if (++unmoved == 10)
            {
              scroll->stuck = TRUE;
              break;
            }
        }
      else
        unmoved = 0;
    }
  scroll->upper_end = gtk_adjustment_get_upper (adjustment);
  /* GtkListView's upper bound is an estimate: this is one too. */
  scroll->reached = scroll->upper_end > scroll->page ?
                    gtk_adjustment_get_value (adjustment) / (scroll->upper_end - scroll->page) : 1;
}

/* The store */

static int
write_store (const char *path,
             guint       n_messages)
{
  g_autoptr(ConfabConversation) conversation = NULL;
  g_autoptr(ConfabStore) store = NULL;
  g_autoptr(ConfabConversation) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  GListModel *conversations;
  gsize bytes;
  gint64 start;
  double make_ms, save_ms, open_ms, load_ms;
  goffset db_bytes;

  g_unlink (path);
  g_unlink (wal);
  g_unlink (shm);

  start = g_get_monotonic_time ();
  conversation = make_conversation (n_messages, &bytes);
  make_ms = ms_since (start);
  g_print ("conversation: %u messages, %" G_GSIZE_FORMAT " bytes of text, made in %.1f ms\n",
           n_messages, bytes, make_ms);

  store = confab_store_new (path, &error);
  if (store == NULL)
    {
      g_printerr ("bench-confab: %s\n", error->message);
      return 1;
    }
  start = g_get_monotonic_time ();
  if (!confab_store_save (store, conversation, &error))
    {
      g_printerr ("bench-confab: %s\n", error->message);
      return 1;
    }
  save_ms = ms_since (start);
  /* Closing checkpoints the write-ahead log into the database. */
  g_clear_object (&store);
  db_bytes = file_size (path) + file_size (wal);
  g_print ("confab_store_save: %.1f ms; database %" G_GOFFSET_FORMAT " bytes\n", save_ms, db_bytes);

  start = g_get_monotonic_time ();
  store = confab_store_new (path, &error);
  if (store == NULL)
    {
      g_printerr ("bench-confab: %s\n", error->message);
      return 1;
    }
  open_ms = ms_since (start);
  conversations = confab_store_get_conversations (store);
  if (g_list_model_get_n_items (conversations) != 1)
    {
      g_printerr ("bench-confab: %u conversations in the store\n", g_list_model_get_n_items (conversations));
      return 1;
    }
  loaded = g_list_model_get_item (conversations, 0);
  start = g_get_monotonic_time ();
  if (!confab_store_load_messages (store, loaded, &error))
    {
      g_printerr ("bench-confab: %s\n", error->message);
      return 1;
    }
  load_ms = ms_since (start);
  if (g_list_model_get_n_items (confab_conversation_get_messages (loaded)) != n_messages)
    {
      g_printerr ("bench-confab: %u messages loaded, not %u\n",
                  g_list_model_get_n_items (confab_conversation_get_messages (loaded)), n_messages);
      return 1;
    }
  g_print ("confab_store_new: %.1f ms; confab_store_load_messages: %.1f ms\n", open_ms, load_ms);

  g_print ("RESULT kind=store messages=%u text_bytes=%" G_GSIZE_FORMAT " save_ms=%.2f db_bytes=%"
           G_GOFFSET_FORMAT " open_ms=%.2f load_ms=%.2f\n",
           n_messages, bytes, save_ms, db_bytes, open_ms, load_ms);
  return 0;
}

/* The views */

typedef struct
{
  const char *view;
  guint n_messages;
  guint give_up;                /* seconds for a phase before the watchdog ends it */
  guint scroll_seconds;         /* the most the scroll may take */
  double call_ms;               /* the selection (or the binding) call itself */
  double first_frame_ms;        /* from the call to the end of the first frame after it */
  guint rows;
  guint widgets;
  long rss_before;
  long rss_first;
  long rss_scrolled;
  double busy_ms;
  guint rows_scrolled;
  Scroll scroll;
} Run;

typedef void (*ShowFunc) (gpointer data);

/* Shows the conversation with @show, and measures. */
static int
measure (Run               *run,
         GtkScrolledWindow *scroller,
         ShowFunc           show,
         gpointer           data)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (scroller);
  GThread *thread;
  Summary frame, cpu;
  guint64 paints;
  gint64 start;
  guint widgets = 0;

  run->rss_before = rss_kib ();
  thread = watchdog_start (run->give_up, run->view, run->n_messages);

  /* Open: to the end of the first frame. */
  paints = frames.paints;
  start = g_get_monotonic_time ();
  show (data);
  run->call_ms = ms_since (start);
  if (!wait_for_paint (paints, run->give_up * 1000))
    {
      g_printerr ("bench-confab: no frame after showing the conversation\n");
      return 1;
    }
  run->first_frame_ms = (frames.after_paint - start) / 1000.0;
  run->rss_first = rss_kib ();
  count_widgets (GTK_WIDGET (scroller), &run->rows, &run->widgets);
  g_print ("%s: %.1f ms to the end of the first frame (the call itself %.1f ms); "
           "%u message rows, %u widgets in the view; VmRSS +%ld KiB\n",
           run->view, run->first_frame_ms, run->call_ms, run->rows, run->widgets,
           run->rss_first - run->rss_before);
  g_print ("RESULT kind=open view=%s messages=%u call_ms=%.2f first_frame_ms=%.2f rows=%u "
           "widgets=%u rss_kib=%ld width=%d height=%d\n",
           run->view, run->n_messages, run->call_ms, run->first_frame_ms, run->rows, run->widgets,
           run->rss_first - run->rss_before, gtk_widget_get_width (GTK_WIDGET (scroller)),
           gtk_widget_get_height (GTK_WIDGET (scroller)));

  /* The second after it. */
  watchdog_arm (run->give_up, "in the second after the first frame");
  run->busy_ms = settle (SETTLE_MS);
  g_print ("%s: the main loop was busy for up to %.1f ms at a time in the second after\n",
           run->view, run->busy_ms);
  g_print ("RESULT kind=settle view=%s messages=%u busy_ms=%.2f\n", run->view, run->n_messages,
           run->busy_ms);

  /* The scroll, which ends itself on time but for a frame that never ends. */
  watchdog_arm (run->scroll_seconds + run->give_up, "scrolling");
  scroll_through (adjustment, run->scroll_seconds, &run->scroll);
  run->rss_scrolled = rss_kib ();
  count_widgets (GTK_WIDGET (scroller), &run->rows_scrolled, &widgets);
  watchdog_stop (thread);

  frame = summarize (run->scroll.frame_ms);
  cpu = summarize (run->scroll.cpu_ms);
  g_print ("%s: %u frames of one page (%.0f px) to %.0f %% of the way down%s (upper %.0f px at the top, "
           "%.0f px at the end): frame median %.1f ms, p95 %.1f ms, max %.1f ms; CPU median %.1f ms, "
           "p95 %.1f ms, max %.1f ms; %u message rows; VmRSS +%ld KiB since before the selection\n",
           run->view, frame.n, run->scroll.page, 100 * run->scroll.reached,
           run->scroll.stuck ? " (stuck)" : run->scroll.out_of_time ? " (out of time)" : "",
           run->scroll.upper_start, run->scroll.upper_end, frame.median, frame.p95, frame.max,
           cpu.median, cpu.p95, cpu.max, run->rows_scrolled, run->rss_scrolled - run->rss_before);
  g_print ("RESULT kind=scroll view=%s messages=%u frames=%u reached=%.3f out_of_time=%d stuck=%d "
           "median_ms=%.2f p95_ms=%.2f max_ms=%.2f cpu_median_ms=%.2f cpu_p95_ms=%.2f cpu_max_ms=%.2f "
           "rows=%u rss_kib=%ld upper_start=%.0f upper_end=%.0f page=%.0f\n",
           run->view, run->n_messages, frame.n, run->scroll.reached, run->scroll.out_of_time,
           run->scroll.stuck, frame.median, frame.p95, frame.max, cpu.median, cpu.p95, cpu.max,
           run->rows_scrolled, run->rss_scrolled - run->rss_before, run->scroll.upper_start,
           run->scroll.upper_end, run->scroll.page);
  g_clear_pointer (&run->scroll.frame_ms, g_array_unref);
  g_clear_pointer (&run->scroll.cpu_ms, g_array_unref);
  return run->scroll.stuck ? 1 : 0;
}

static OaiClient *
make_client (void)
{
  OaiClient *client = oai_client_new ("sk-bench-confab");

  /* A key, so that the window shows the conversation rather than its welcome
   * page, and a server that is not there: the list of models falls back to
   * the price table's at once, with no retries. */
  g_object_set (client, "base-url", "http://127.0.0.1:9/v1", "max-retries", 0, NULL);
  return client;
}

/* Opens @path and reads the messages of its one conversation. */
static ConfabConversation *
open_conversation (const char   *path,
                   ConfabStore **store_out)
{
  g_autoptr(ConfabStore) store = NULL;
  g_autoptr(ConfabConversation) conversation = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *conversations;

  store = confab_store_new (path, &error);
  if (store == NULL)
    {
      g_printerr ("bench-confab: %s\n", error->message);
      return NULL;
    }
  conversations = confab_store_get_conversations (store);
  if (g_list_model_get_n_items (conversations) != 1)
    {
      g_printerr ("bench-confab: %s holds %u conversations, not one\n", path,
                  g_list_model_get_n_items (conversations));
      return NULL;
    }
  conversation = g_list_model_get_item (conversations, 0);
  if (!confab_store_load_messages (store, conversation, &error))
    {
      g_printerr ("bench-confab: %s\n", error->message);
      return NULL;
    }
  *store_out = g_steal_pointer (&store);
  return g_steal_pointer (&conversation);
}

/* Presents @window and lets it draw and settle. */
static gboolean
show_window (GtkWindow *window)
{
  gtk_window_present (window);
  watch_frames (GTK_WIDGET (window));
  if (!wait_for_paint (frames.paints, 10000))
    {
      g_printerr ("bench-confab: the window did not draw\n");
      return FALSE;
    }
  settle (500);
  return TRUE;
}

typedef struct
{
  ConfabWindow *window;
  ConfabConversation *conversation;
} Select;

static void
select_conversation (gpointer data)
{
  Select *select = data;

  confab_window_select_conversation (select->window, select->conversation);
}

static int
run_listview (Run        *run,
              const char *path)
{
  g_autoptr(OaiClient) client = make_client ();
  g_autoptr(ConfabStore) store = NULL;
  g_autoptr(ConfabConversation) conversation = NULL;
  GtkScrolledWindow *scroller;
  Select select;
  int status;

  conversation = open_conversation (path, &store);
  if (conversation == NULL)
    return 1;
  run->n_messages = g_list_model_get_n_items (confab_conversation_get_messages (conversation));

  select.window = confab_window_new (NULL, client, store);
  select.conversation = conversation;
  if (!show_window (GTK_WINDOW (select.window)))
    return 1;
  scroller = find_message_scroller (GTK_WIDGET (select.window));
  g_assert (scroller != NULL);

  status = measure (run, scroller, select_conversation, &select);
  if (confab_window_get_conversation (select.window) != conversation)
    {
      g_printerr ("bench-confab: the window did not show the conversation\n");
      status = 1;
    }
  gtk_window_destroy (GTK_WINDOW (select.window));
  return status;
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  GtkWidget *row = confab_message_row_new ();

  confab_message_row_bind (CONFAB_MESSAGE_ROW (row), item, user_data);
  return row;
}

typedef struct
{
  GtkListBox *list;
  ConfabConversation *conversation;
} Bind;

static void
bind_list (gpointer data)
{
  Bind *bind = data;

  gtk_list_box_bind_model (bind->list, confab_conversation_get_messages (bind->conversation),
                           create_row, bind->conversation, NULL);
}

static int
run_listbox (Run        *run,
             const char *path)
{
  g_autoptr(OaiClient) client = make_client ();
  g_autoptr(ConfabStore) store = NULL;
  g_autoptr(ConfabConversation) conversation = NULL;
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();
  ConfabWindow *confab;
  GtkWidget *window, *scroller, *list, *stack;
  Bind bind;
  int width, height, status;

  conversation = open_conversation (path, &store);
  if (conversation == NULL)
    return 1;
  run->n_messages = g_list_model_get_n_items (confab_conversation_get_messages (conversation));

  /* Confab's window, shown as in the other run but with no conversation:
   * it tells the size of the message view, and loads what it loads (the
   * theme, fonts, icons) before the measurement, as in the other run. */
  confab = confab_window_new (NULL, client, store);
  if (!show_window (GTK_WINDOW (confab)))
    return 1;
  stack = find_main_stack (GTK_WIDGET (confab));
  g_assert (stack != NULL);
  width = gtk_widget_get_width (stack);
  height = gtk_widget_get_height (stack);
  gtk_window_destroy (GTK_WINDOW (confab));

  /* Rows as Confab's list view has them: no padding of their own. */
  gtk_css_provider_load_from_data (css, "list.messages > row { padding: 0; }", -1);
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  window = gtk_window_new ();
  gtk_window_set_title (GTK_WINDOW (window), "GtkListBox");
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "messages");
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), list);
  gtk_window_set_child (GTK_WINDOW (window), scroller);
  if (!show_window (GTK_WINDOW (window)))
    return 1;

  /* The window's decorations, if any, are outside the view. */
  if (gtk_widget_get_width (scroller) != width || gtk_widget_get_height (scroller) != height)
    {
      gtk_window_set_default_size (GTK_WINDOW (window),
                                   2 * width - gtk_widget_get_width (scroller),
                                   2 * height - gtk_widget_get_height (scroller));
      wait_for_paint (frames.paints, 1000);
      settle (200);
    }

  bind.list = GTK_LIST_BOX (list);
  bind.conversation = conversation;
  status = measure (run, GTK_SCROLLED_WINDOW (scroller), bind_list, &bind);
  gtk_window_destroy (GTK_WINDOW (window));
  return status;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *store_path = NULL, *db_path = NULL, *view = NULL;
  int n_messages = 1000;
  int give_up = 120;
  int scroll_seconds = 120;
  GOptionEntry entries[] = {
    { "write-store", 0, 0, G_OPTION_ARG_FILENAME, &store_path,
      "Make a conversation, save it to a new store FILE, read it back", "FILE" },
    { "messages", 0, 0, G_OPTION_ARG_INT, &n_messages, "Messages in the conversation (default 1000)", "N" },
    { "view", 0, 0, G_OPTION_ARG_STRING, &view, "Measure listview (Confab's window) or listbox", "VIEW" },
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, "The store the view shows", "FILE" },
    { "give-up", 0, 0, G_OPTION_ARG_INT, &give_up,
      "Seconds the first frame, or any frame, may take (default 120)", "S" },
    { "scroll-seconds", 0, 0, G_OPTION_ARG_INT, &scroll_seconds,
      "Stop scrolling after this many seconds (default 120)", "S" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- Confab's message view with a long conversation");
  g_autoptr(GError) error = NULL;
  Run run = { NULL };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-confab: %s\n", error->message);
      return 2;
    }

  if (store_path != NULL)
    {
      if (n_messages < 1)
        {
          g_printerr ("bench-confab: --messages must be positive\n");
          return 2;
        }
      return write_store (store_path, n_messages);
    }

  if (view == NULL || db_path == NULL || give_up < 1 || scroll_seconds < 1 ||
      (!g_str_equal (view, "listview") && !g_str_equal (view, "listbox")))
    {
      g_printerr ("bench-confab: give --write-store FILE, or --view listview|listbox and --db FILE\n");
      return 2;
    }
  run.view = g_str_equal (view, "listview") ? "listview" : "listbox";
  run.give_up = give_up;
  run.scroll_seconds = scroll_seconds;

  gtk_init ();
  adw_init ();
  /* What AdwApplication loads for the app. */
  {
    g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

    gtk_css_provider_load_from_resource (css, "/io/github/openaiglib/Confab/style.css");
    gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  }

  if (g_str_equal (run.view, "listview"))
    return run_listview (&run, db_path);
  return run_listbox (&run, db_path);
}
