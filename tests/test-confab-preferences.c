/* test-confab-preferences.c: Confab's preferences window
 *
 * Needs a display (the test command runs it under Xvfb) and runs under
 * with-keyring.sh, which gives it a temporary home and a private, unlocked
 * keyring, or with --no-keyring none (CONFAB_TEST_NO_KEYRING=1).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <adwaita.h>
#include <openai-glib.h>

#include "confab-application.h"
#include "confab-preferences-window.h"
#include "confab-secrets.h"
#include "confab-window.h"

#define SCHEMA_ID "io.github.openaiglib.Confab"
#define TEST_KEY "sk-prefs-LEAKCHECK-0123456789abcdef"

static gboolean key_logged;

typedef struct
{
  GSettings *settings;
  OaiClient *client;
  ConfabPreferencesWindow *window;
} Fixture;

static gboolean
have_keyring (void)
{
  return g_getenv ("CONFAB_TEST_NO_KEYRING") == NULL;
}

static GLogFunc test_log_handler;

/* Every log message, debug included, is checked for the key: g_log() ones
 * here, structured ones in the writer below. */
static void
scanning_handler (const char     *log_domain,
                  GLogLevelFlags  log_level,
                  const char     *message,
                  gpointer        user_data)
{
  if (message != NULL && strstr (message, TEST_KEY) != NULL)
    key_logged = TRUE;

  test_log_handler (log_domain, log_level, message, user_data);
}

static GLogWriterOutput
scanning_writer (GLogLevelFlags   log_level,
                 const GLogField *fields,
                 gsize            n_fields,
                 gpointer         user_data)
{
  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_strcmp0 (fields[i].key, "MESSAGE") == 0 &&
          g_strstr_len (fields[i].value, fields[i].length, TEST_KEY) != NULL)
        key_logged = TRUE;
    }

  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

static GtkWidget *
find_widget (GtkWidget *root,
             gboolean (*match) (GtkWidget *, gconstpointer),
             gconstpointer data)
{
  if (match (root, data))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, match, data);
      if (found)
        return found;
    }

  return NULL;
}

static gboolean
row_has_title (GtkWidget     *widget,
               gconstpointer  title)
{
  return ADW_IS_PREFERENCES_ROW (widget) &&
         g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0;
}

static gboolean
button_has_action (GtkWidget     *widget,
                   gconstpointer  action)
{
  return GTK_IS_BUTTON (widget) &&
         g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action) == 0;
}

static gboolean
label_has_text (GtkWidget     *widget,
                gconstpointer  text)
{
  return GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0;
}

static gboolean
is_type (GtkWidget     *widget,
         gconstpointer  type)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, GPOINTER_TO_SIZE (type));
}

static GtkWidget *
find_row (Fixture    *f,
          const char *title)
{
  GtkWidget *row = find_widget (GTK_WIDGET (f->window), row_has_title, title);

  g_assert_nonnull (row);
  return row;
}

/* The suffix widget of an action row, such as its switch. */
static GtkWidget *
find_in_row (Fixture    *f,
             const char *title,
             GType       type)
{
  GtkWidget *widget = find_widget (find_row (f, title), is_type, GSIZE_TO_POINTER (type));

  g_assert_nonnull (widget);
  return widget;
}

#define WAIT_UNTIL(condition)                                                   \
  G_STMT_START {                                                                \
    gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;            \
    while (!(condition) && g_get_monotonic_time () < deadline)                  \
      g_main_context_iteration (NULL, FALSE);                                   \
    g_assert_true (condition);                                                  \
  } G_STMT_END

static void
result_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static char *
keyring_lookup (const char  *base_url,
                GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  confab_secrets_lookup_async (base_url, NULL, result_cb, &result);
  WAIT_UNTIL (result != NULL);
  return confab_secrets_lookup_finish (result, error);
}

static void
keyring_clear (const char *base_url)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  confab_secrets_clear_async (base_url, NULL, result_cb, &result);
  WAIT_UNTIL (result != NULL);
  confab_secrets_clear_finish (result, &error);
  if (have_keyring ())
    g_assert_no_error (error);
}

static const char *
stored_key_status (Fixture *f)
{
  return adw_action_row_get_subtitle (ADW_ACTION_ROW (find_row (f, "Stored Key")));
}

static void
open_window (Fixture *f)
{
  f->window = g_object_ref (confab_preferences_window_new (NULL, f->client, f->settings));
  gtk_window_present (GTK_WINDOW (f->window));

  /* The window looks up whether a key is stored as it opens. */
  WAIT_UNTIL (!g_str_equal (stored_key_status (f), "Checking the keyring…"));
}

static void
close_window (Fixture *f)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  /* Let pending keyring calls and the window's idle work finish. */
  for (int i = 0; i < 10; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_finalize_object (g_steal_pointer (&f->window));
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;

  f->settings = g_settings_new (SCHEMA_ID);
  /* The memory backend outlives each test's GSettings. */
  g_object_get (f->settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    g_settings_reset (f->settings, keys[i]);

  f->client = oai_client_new (NULL);
  keyring_clear (NULL);
  open_window (f);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->window != NULL)
    close_window (f);
  keyring_clear (NULL);
  g_assert_finalize_object (g_steal_pointer (&f->client));
  g_clear_object (&f->settings);
}

static void
apply_key (Fixture    *f,
           const char *text)
{
  GtkWidget *row = find_row (f, "New API Key");

  g_assert_true (ADW_IS_PASSWORD_ENTRY_ROW (row));
  gtk_editable_set_text (GTK_EDITABLE (row), text);
  g_signal_emit_by_name (row, "apply");
}

static void
assert_settings_free_of (Fixture    *f,
                         const char *needle)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;

  g_object_get (f->settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autoptr(GVariant) value = g_settings_get_value (f->settings, keys[i]);
      g_autofree char *text = g_variant_print (value, FALSE);

      if (strstr (text, needle) != NULL)
        g_error ("The key is in the setting %s", keys[i]);
    }
}

/* Returns how many files were read under @path. */
static guint
assert_files_free_of (const char *path,
                      const char *needle,
                      guint      *keyring_files)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;
  guint n_files = 0;

  if (dir == NULL)
    return 0;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      g_autofree char *contents = NULL;
      gsize length;

      if (g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        continue;

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        {
          n_files += assert_files_free_of (child, needle, keyring_files);
          continue;
        }

      /* Sockets and the like cannot be read, and cannot hold the key either. */
      if (!g_file_test (child, G_FILE_TEST_IS_REGULAR) ||
          !g_file_get_contents (child, &contents, &length, NULL))
        continue;

      g_test_message ("checked %s", child);
      n_files++;
      if (strstr (child, "/keyrings/") != NULL)
        (*keyring_files)++;
      if (g_strstr_len (contents, length, needle) != NULL)
        g_error ("The key is in plain text in %s", child);
    }

  return n_files;
}

static void
test_api_key (Fixture       *f,
              gconstpointer  data)
{
  static const char * const dirs[] = {
    "HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR",
  };
  g_autoptr(GError) error = NULL;
  char *stored;
  guint keyring_files = 0;

  if (!have_keyring ())
    {
      g_test_skip ("needs a keyring");
      return;
    }

  g_assert_cmpstr (stored_key_status (f), ==, "No key is stored for " OAI_DEFAULT_BASE_URL);
  /* What is typed as the key sits in memory that is wiped when freed. */
  g_assert_true (GTK_IS_PASSWORD_ENTRY_BUFFER (gtk_text_get_buffer (
    GTK_TEXT (gtk_editable_get_delegate (GTK_EDITABLE (find_row (f, "New API Key")))))));

  /* Pasted keys come with stray white space. */
  apply_key (f, " " TEST_KEY "\n");

  WAIT_UNTIL (g_strcmp0 (oai_client_get_api_key (f->client), TEST_KEY) == 0);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find_row (f, "New API Key"))), ==, "");
  g_assert_nonnull (find_widget (GTK_WIDGET (f->window), label_has_text,
                                 "API key saved to the keyring"));

  stored = keyring_lookup (oai_client_get_base_url (f->client), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stored, ==, TEST_KEY);
  secret_password_free (stored);

  WAIT_UNTIL (g_str_equal (stored_key_status (f), "A key for " OAI_DEFAULT_BASE_URL " is in the keyring"));

  /* Nowhere but the keyring: not in a setting, not in a file. */
  assert_settings_free_of (f, TEST_KEY);
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      const char *dir = g_getenv (dirs[i]);

      /* with-keyring.sh makes these; never read a real home directory. */
      g_assert_nonnull (dir);
      g_assert_nonnull (strstr (dir, "/with-keyring."));
      assert_files_free_of (dir, TEST_KEY, &keyring_files);
    }
  /* gnome-keyring encrypts its files: they were read and hold no plain key. */
  g_assert_cmpuint (keyring_files, >, 0);

  close_window (f);
  g_assert_false (key_logged);
}

static void
test_api_key_no_keyring (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  char *stored;

  if (have_keyring ())
    {
      g_test_skip ("run with --no-keyring for this");
      return;
    }

  g_assert_true (g_str_has_prefix (stored_key_status (f), "No keyring (Secret Service) is available"));

  apply_key (f, TEST_KEY);

  /* The key still works for this session, and the user is told so. */
  WAIT_UNTIL (g_strcmp0 (oai_client_get_api_key (f->client), TEST_KEY) == 0);
  g_assert_nonnull (find_widget (GTK_WIDGET (f->window), label_has_text,
                                 "The key could not be saved to the keyring and is used for this session only"));

  stored = keyring_lookup (NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_assert_null (stored);
  assert_settings_free_of (f, TEST_KEY);
}

static void
test_remove_key (Fixture       *f,
                 gconstpointer  data)
{
  GtkWidget *button = find_widget (GTK_WIDGET (f->window), button_has_action,
                                   "preferences.remove-key");
  g_autoptr(GError) error = NULL;
  char *stored;

  if (!have_keyring ())
    {
      g_test_skip ("needs a keyring");
      return;
    }

  g_assert_nonnull (button);
  /* Nothing to remove yet. */
  g_assert_false (gtk_widget_is_sensitive (button));

  apply_key (f, TEST_KEY);
  WAIT_UNTIL (g_strcmp0 (oai_client_get_api_key (f->client), TEST_KEY) == 0);
  WAIT_UNTIL (gtk_widget_is_sensitive (button));

  g_signal_emit_by_name (button, "clicked");
  WAIT_UNTIL (oai_client_get_api_key (f->client) == NULL);
  WAIT_UNTIL (g_str_equal (stored_key_status (f), "No key is stored for " OAI_DEFAULT_BASE_URL));
  g_assert_false (gtk_widget_is_sensitive (button));

  stored = keyring_lookup (NULL, &error);
  g_assert_no_error (error);
  g_assert_null (stored);
}

/* Keys are per server: the status follows the client to another one. */
static void
test_key_per_server (Fixture       *f,
                     gconstpointer  data)
{
  if (!have_keyring ())
    {
      g_test_skip ("needs a keyring");
      return;
    }

  apply_key (f, TEST_KEY);
  WAIT_UNTIL (g_strcmp0 (oai_client_get_api_key (f->client), TEST_KEY) == 0);
  WAIT_UNTIL (g_str_has_prefix (stored_key_status (f), "A key for"));

  oai_client_set_base_url (f->client, "http://localhost:8080/v1");
  WAIT_UNTIL (g_str_equal (stored_key_status (f), "No key is stored for http://localhost:8080/v1"));

  oai_client_set_base_url (f->client, NULL);
  WAIT_UNTIL (g_str_equal (stored_key_status (f), "A key for " OAI_DEFAULT_BASE_URL " is in the keyring"));
}

static void
test_environment_key (Fixture       *f,
                      gconstpointer  data)
{
  GtkWidget *env_row = find_row (f, "Key From the Environment");

  g_assert_false (gtk_widget_get_visible (env_row));
  close_window (f);

  g_setenv ("OPENAI_API_KEY", "sk-from-the-environment", TRUE);
  open_window (f);
  g_unsetenv ("OPENAI_API_KEY");

  env_row = find_row (f, "Key From the Environment");
  g_assert_true (gtk_widget_get_visible (env_row));
  /* The subtitle names the variable, never its value. */
  g_assert_null (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (env_row)),
                         "sk-from-the-environment"));
}

static void
test_base_url (Fixture       *f,
               gconstpointer  data)
{
  static const char * const bad[] = {
    "not a url", "localhost:8080", "ftp://example.com/v1", "http://", "https:///v1",
  };
  GtkWidget *row = find_row (f, "Server Address");

  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, "");

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *saved = NULL;

      gtk_editable_set_text (GTK_EDITABLE (row), bad[i]);
      g_signal_emit_by_name (row, "apply");
      saved = g_settings_get_string (f->settings, "base-url");
      g_assert_cmpstr (saved, ==, "");
      g_assert_true (gtk_widget_has_css_class (row, "error"));
    }

  /* Fixing the address clears the error before it is applied. */
  gtk_editable_set_text (GTK_EDITABLE (row), "http://localhost:8080/v1 ");
  g_assert_false (gtk_widget_has_css_class (row, "error"));
  g_signal_emit_by_name (row, "apply");
  {
    g_autofree char *saved = g_settings_get_string (f->settings, "base-url");
    g_assert_cmpstr (saved, ==, "http://localhost:8080/v1");
  }

  /* Changed elsewhere, the row follows. */
  g_settings_set_string (f->settings, "base-url", "https://example.com/v1");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, "https://example.com/v1");

  /* Empty means api.openai.com again. */
  gtk_editable_set_text (GTK_EDITABLE (row), "");
  g_signal_emit_by_name (row, "apply");
  {
    g_autofree char *saved = g_settings_get_string (f->settings, "base-url");
    g_assert_cmpstr (saved, ==, "");
  }
  g_assert_false (gtk_widget_has_css_class (row, "error"));
}

static void
assert_string_setting (Fixture    *f,
                       const char *key,
                       const char *expected)
{
  g_autofree char *value = g_settings_get_string (f->settings, key);

  g_assert_cmpstr (value, ==, expected);
}

static void
test_text_settings (Fixture       *f,
                    gconstpointer  data)
{
  GtkTextView *prompt = GTK_TEXT_VIEW (find_widget (GTK_WIDGET (f->window), is_type,
                                                    GSIZE_TO_POINTER (GTK_TYPE_TEXT_VIEW)));

  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find_row (f, "Default Model"))), ==,
                   "gpt-4o-mini");

  gtk_editable_set_text (GTK_EDITABLE (find_row (f, "Organization")), "org-123");
  gtk_editable_set_text (GTK_EDITABLE (find_row (f, "Project")), "proj_456");
  gtk_editable_set_text (GTK_EDITABLE (find_row (f, "Default Model")), "gpt-4o");
  g_assert_nonnull (prompt);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (prompt), "Be brief.\nBe kind.", -1);

  assert_string_setting (f, "organization", "org-123");
  assert_string_setting (f, "project", "proj_456");
  assert_string_setting (f, "default-model", "gpt-4o");
  assert_string_setting (f, "system-prompt", "Be brief.\nBe kind.");
}

static void
test_chat_and_spending_settings (Fixture       *f,
                                 gconstpointer  data)
{
  AdwComboRow *strategy = ADW_COMBO_ROW (find_row (f, "Long Conversations"));
  GtkSpinButton *budget = GTK_SPIN_BUTTON (find_in_row (f, "Monthly Budget", GTK_TYPE_SPIN_BUTTON));
  GtkSwitch *hard_limit = GTK_SWITCH (find_in_row (f, "Refuse Requests Over the Budget",
                                                   GTK_TYPE_SWITCH));
  GtkWidget *hard_limit_row = find_row (f, "Refuse Requests Over the Budget");
  GListModel *labels = adw_combo_row_get_model (strategy);
  OaiContextStrategy client_strategy = oai_client_get_context_strategy (f->client);
  static const struct { const char *label; const char *nick; } strategies[] = {
    { "Send Everything", "none" },
    { "Drop Oldest Messages", "sliding-window" },
    { "Summarize Oldest Messages", "summarize" },
  };

  /* The defaults: drop the oldest messages, no budget. */
  g_assert_cmpuint (adw_combo_row_get_selected (strategy), ==, 1);
  g_assert_cmpfloat (gtk_spin_button_get_value (budget), ==, 0);
  g_assert_cmpint (gtk_spin_button_get_digits (budget), ==, 2);
  g_assert_false (gtk_widget_get_sensitive (hard_limit_row));

  g_assert_cmpuint (g_list_model_get_n_items (labels), ==, G_N_ELEMENTS (strategies));
  for (guint i = 0; i < G_N_ELEMENTS (strategies); i++)
    {
      g_autofree char *nick = NULL;

      g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (labels), i), ==,
                       strategies[i].label);
      adw_combo_row_set_selected (strategy, i);
      nick = g_settings_get_string (f->settings, "context-strategy");
      g_assert_cmpstr (nick, ==, strategies[i].nick);
    }

  g_settings_set_string (f->settings, "context-strategy", "sliding-window");
  g_assert_cmpuint (adw_combo_row_get_selected (strategy), ==, 1);

  gtk_spin_button_set_value (budget, 12.5);
  g_assert_cmpfloat (g_settings_get_double (f->settings, "monthly-budget"), ==, 12.5);
  g_assert_true (gtk_widget_get_sensitive (hard_limit_row));

  gtk_switch_set_active (hard_limit, TRUE);
  g_assert_true (g_settings_get_boolean (f->settings, "hard-limit"));
  gtk_switch_set_active (hard_limit, FALSE);
  g_assert_false (g_settings_get_boolean (f->settings, "hard-limit"));

  g_settings_set_double (f->settings, "monthly-budget", 40);
  g_assert_cmpfloat (gtk_spin_button_get_value (budget), ==, 40);

  /* The preferences leave the client to the application. */
  g_assert_cmpint (oai_client_get_context_strategy (f->client), ==, client_strategy);
}

/* Confab as it starts: the key of the server in the settings comes from the
 * keyring, and follows the server when the setting changes. */
static void
test_application_loads_key (void)
{
  g_autoptr(GSettings) settings = g_settings_new (SCHEMA_ID);
  g_autoptr(ConfabApplication) app = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(OaiClient) client = NULL;
  GtkWindow *window;

  if (!have_keyring ())
    {
      g_test_skip ("needs a keyring");
      return;
    }

  g_settings_set_string (settings, "base-url", "http://127.0.0.1:9/v1");
  confab_secrets_store_async ("http://127.0.0.1:9/v1", TEST_KEY, NULL, result_cb, &result);
  WAIT_UNTIL (result != NULL);
  g_assert_true (confab_secrets_store_finish (result, &error));
  g_assert_no_error (error);

  app = confab_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_application_activate (G_APPLICATION (app));
  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_assert_nonnull (window);
  g_object_get (window, "client", &client, NULL);

  g_assert_cmpstr (oai_client_get_base_url (client), ==, "http://127.0.0.1:9/v1");
  WAIT_UNTIL (g_strcmp0 (oai_client_get_api_key (client), TEST_KEY) == 0);

  /* Another server has no key stored; back again, the key returns. */
  g_settings_set_string (settings, "base-url", "http://127.0.0.1:10/v1");
  WAIT_UNTIL (oai_client_get_api_key (client) == NULL);
  g_settings_set_string (settings, "base-url", "http://127.0.0.1:9/v1");
  WAIT_UNTIL (g_strcmp0 (oai_client_get_api_key (client), TEST_KEY) == 0);

  gtk_window_destroy (window);
  g_settings_reset (settings, "base-url");
  keyring_clear ("http://127.0.0.1:9/v1");
  g_assert_false (key_logged);
}

int
main (int   argc,
      char *argv[])
{
  /* The environment must not supply a key the tests did not set. */
  g_unsetenv ("OPENAI_API_KEY");
  g_unsetenv ("OPENAI_BASE_URL");
  g_log_set_writer_func (scanning_writer, NULL, NULL);

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  test_log_handler = g_log_set_default_handler (scanning_handler, NULL);

#define ADD(path, func) \
  g_test_add ("/confab/preferences/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("api-key", test_api_key);
  ADD ("api-key-no-keyring", test_api_key_no_keyring);
  ADD ("remove-key", test_remove_key);
  ADD ("key-per-server", test_key_per_server);
  ADD ("environment-key", test_environment_key);
  ADD ("base-url", test_base_url);
  ADD ("text-settings", test_text_settings);
  ADD ("chat-and-spending-settings", test_chat_and_spending_settings);

#undef ADD
  g_test_add_func ("/confab/preferences/application-loads-key", test_application_loads_key);

  return g_test_run ();
}
