/* test-confab-secrets.c: API keys in the Secret Service
 *
 * Runs under with-keyring.sh, which gives it a private, unlocked
 * gnome-keyring, or with --no-keyring a bus where nothing provides the
 * Secret Service (CONFAB_TEST_NO_KEYRING=1).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <openai-glib.h>

#include "confab-secrets.h"

static gboolean
have_keyring (void)
{
  return g_getenv ("CONFAB_TEST_NO_KEYRING") == NULL;
}

static void
result_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *result;
}

static char *
lookup (const char    *base_url,
        GCancellable  *cancellable,
        GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  confab_secrets_lookup_async (base_url, cancellable, result_cb, &result);
  return confab_secrets_lookup_finish (wait_for (&result), error);
}

static gboolean
store (const char  *base_url,
       const char  *api_key,
       GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  confab_secrets_store_async (base_url, api_key, NULL, result_cb, &result);
  return confab_secrets_store_finish (wait_for (&result), error);
}

static gboolean
clear (const char  *base_url,
       GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  confab_secrets_clear_async (base_url, NULL, result_cb, &result);
  return confab_secrets_clear_finish (wait_for (&result), error);
}

static void
assert_key (const char *base_url,
            const char *expected)
{
  g_autoptr(GError) error = NULL;
  char *key = lookup (base_url, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (key, ==, expected);
  secret_password_free (key);
}

static gboolean
skip_without_keyring (void)
{
  if (!have_keyring ())
    {
      g_test_skip ("no keyring in this run");
      return TRUE;
    }

  return FALSE;
}

static void
test_store_lookup (void)
{
  g_autoptr(GError) error = NULL;

  if (skip_without_keyring ())
    return;

  g_assert_true (store (NULL, "sk-default-1", &error));
  g_assert_no_error (error);

  /* All the spellings of the default server find the same key. */
  assert_key (NULL, "sk-default-1");
  assert_key ("", "sk-default-1");
  assert_key (OAI_DEFAULT_BASE_URL, "sk-default-1");
  assert_key (OAI_DEFAULT_BASE_URL "/", "sk-default-1");

  g_assert_true (clear (OAI_DEFAULT_BASE_URL, &error));
  g_assert_no_error (error);
}

static void
test_per_server (void)
{
  g_autoptr(GError) error = NULL;

  if (skip_without_keyring ())
    return;

  g_assert_true (store ("http://localhost:8080/v1", "sk-local", &error));
  g_assert_no_error (error);
  g_assert_true (store ("https://example.com/v1/", "sk-example", &error));
  g_assert_no_error (error);

  assert_key ("http://localhost:8080/v1", "sk-local");
  assert_key ("http://localhost:8080/v1/", "sk-local");
  assert_key ("https://example.com/v1", "sk-example");
  assert_key ("http://localhost:8081/v1", NULL);
  assert_key (NULL, NULL);

  /* Clearing one server leaves the other alone. */
  g_assert_true (clear ("http://localhost:8080/v1", &error));
  g_assert_no_error (error);
  assert_key ("http://localhost:8080/v1", NULL);
  assert_key ("https://example.com/v1", "sk-example");

  g_assert_true (clear ("https://example.com/v1", &error));
  g_assert_no_error (error);
}

static void
test_overwrite (void)
{
  g_autoptr(GError) error = NULL;

  if (skip_without_keyring ())
    return;

  g_assert_true (store ("http://overwrite.test/v1", "sk-first", &error));
  g_assert_no_error (error);
  g_assert_true (store ("http://overwrite.test/v1", "sk-second", &error));
  g_assert_no_error (error);
  assert_key ("http://overwrite.test/v1", "sk-second");

  /* One item per server, so a single clear removes the key. */
  g_assert_true (clear ("http://overwrite.test/v1", &error));
  g_assert_no_error (error);
  assert_key ("http://overwrite.test/v1", NULL);
}

static void
test_clear (void)
{
  g_autoptr(GError) error = NULL;

  if (skip_without_keyring ())
    return;

  g_assert_true (store ("http://clear.test/v1", "sk-clear", &error));
  g_assert_no_error (error);
  g_assert_true (clear ("http://clear.test/v1", &error));
  g_assert_no_error (error);
  assert_key ("http://clear.test/v1", NULL);

  /* Nothing to remove is not an error. */
  g_assert_true (clear ("http://clear.test/v1", &error));
  g_assert_no_error (error);
}

static void
test_lookup_nothing (void)
{
  if (skip_without_keyring ())
    return;

  assert_key ("http://nothing.test/v1", NULL);
}

static void
test_cancelled (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  char *key;

  if (skip_without_keyring ())
    return;

  g_cancellable_cancel (cancellable);
  key = lookup ("http://cancelled.test/v1", cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (key);
}

static void
assert_no_keyring_error (GError *error)
{
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_assert_true (g_str_has_prefix (error->message, "No keyring (Secret Service) is available: "));
  g_test_message ("%s", error->message);
}

static void
test_no_keyring (void)
{
  gint64 start = g_get_monotonic_time ();
  g_autoptr(GError) lookup_error = NULL;
  g_autoptr(GError) store_error = NULL;
  g_autoptr(GError) clear_error = NULL;
  char *key;

  if (have_keyring ())
    {
      g_test_skip ("run with --no-keyring for this");
      return;
    }

  key = lookup (NULL, NULL, &lookup_error);
  g_assert_null (key);
  assert_no_keyring_error (lookup_error);

  g_assert_false (store (NULL, "sk-nowhere", &store_error));
  assert_no_keyring_error (store_error);

  g_assert_false (clear (NULL, &clear_error));
  assert_no_keyring_error (clear_error);

  /* An answer, not a D-Bus timeout (25 s each). */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/confab/secrets/store-lookup", test_store_lookup);
  g_test_add_func ("/confab/secrets/per-server", test_per_server);
  g_test_add_func ("/confab/secrets/overwrite", test_overwrite);
  g_test_add_func ("/confab/secrets/clear", test_clear);
  g_test_add_func ("/confab/secrets/lookup-nothing", test_lookup_nothing);
  g_test_add_func ("/confab/secrets/cancelled", test_cancelled);
  g_test_add_func ("/confab/secrets/no-keyring", test_no_keyring);

  return g_test_run ();
}
