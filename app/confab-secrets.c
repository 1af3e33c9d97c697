/* confab-secrets.c: API keys in the Secret Service, one per server
 *
 * The key goes to the Secret Service and nowhere else: never to GSettings,
 * files or logs. Copies that pass through here are wiped when freed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <openai-glib.h>

#include "confab-secrets.h"

static const SecretSchema api_key_schema = {
  "io.github.openaiglib.Confab.ApiKey",
  SECRET_SCHEMA_NONE,
  {
    { "base-url", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
};

/* The same spelling OaiClient uses, so "…/v1/" and "" find the key of
 * "…/v1" and of api.openai.com. */
static char *
normalize_base_url (const char *base_url)
{
  g_autofree char *url = g_strstrip (g_strdup (base_url != NULL ? base_url : ""));

  if (*url == '\0')
    return g_strdup (OAI_DEFAULT_BASE_URL);

  while (g_str_has_suffix (url, "/"))
    url[strlen (url) - 1] = '\0';

  return g_steal_pointer (&url);
}

/* Anything that is not the keyring's own answer or a cancellation means
 * there is no usable Secret Service: no session bus, nothing that owns or
 * can be activated as org.freedesktop.secrets, or no default collection. */
static void
return_error (GTask  *task,
              GError *error)
{
  g_autoptr(GError) owned = error;
  g_autofree char *detail = NULL;

  if (owned->domain == SECRET_ERROR ||
      g_error_matches (owned, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&owned));
      return;
    }

  if (g_dbus_error_is_remote_error (owned))
    g_dbus_error_strip_remote_error (owned);
  detail = g_strdup (owned->message);

  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           _("No keyring (Secret Service) is available: %s"), detail);
}

static void
lookup_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *api_key;

  /* Non-pageable memory, so the key never reaches swap. */
  api_key = secret_password_lookup_nonpageable_finish (result, &error);
  if (error != NULL)
    return_error (task, error);
  else
    g_task_return_pointer (task, api_key, (GDestroyNotify) secret_password_free);
}

/**
 * confab_secrets_lookup_async:
 * @base_url: (nullable): the server, %NULL or "" for %OAI_DEFAULT_BASE_URL
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the lookup is done
 * @user_data: data for @callback
 *
 * Looks up the API key stored for @base_url.
 */
void
confab_secrets_lookup_async (const char          *base_url,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *url = NULL;

  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_secrets_lookup_async);

  url = normalize_base_url (base_url);
  secret_password_lookup (&api_key_schema, cancellable, lookup_cb, g_steal_pointer (&task),
                          "base-url", url,
                          NULL);
}

/**
 * confab_secrets_lookup_finish:
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the API key, to free with
 *   secret_password_free(), or %NULL without an error when none is stored
 */
char *
confab_secrets_lookup_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == confab_secrets_lookup_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
store_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (secret_password_store_finish (result, &error))
    g_task_return_boolean (task, TRUE);
  else if (error != NULL)
    return_error (task, error);
  else
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                             _("The keyring did not store the key"));
}

/**
 * confab_secrets_store_async:
 * @base_url: (nullable): the server, %NULL or "" for %OAI_DEFAULT_BASE_URL
 * @api_key: the API key
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the key is stored
 * @user_data: data for @callback
 *
 * Stores @api_key for @base_url in the default keyring, replacing the key
 * stored for it before.
 */
void
confab_secrets_store_async (const char          *base_url,
                            const char          *api_key,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *url = NULL;
  g_autofree char *label = NULL;

  g_return_if_fail (api_key != NULL && *api_key != '\0');
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_secrets_store_async);

  url = normalize_base_url (base_url);
  /* TRANSLATORS: the name of the key in the keyring manager (Seahorse); %s is a server's URL */
  label = g_strdup_printf (_("Confab API key for %s"), url);
  /* libsecret copies the key into non-pageable memory before returning. */
  secret_password_store (&api_key_schema, SECRET_COLLECTION_DEFAULT, label, api_key,
                         cancellable, store_cb, g_steal_pointer (&task),
                         "base-url", url,
                         NULL);
}

/**
 * confab_secrets_store_finish:
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the key is stored
 */
gboolean
confab_secrets_store_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == confab_secrets_store_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
clear_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  /* FALSE without an error means there was nothing to remove: still a success. */
  secret_password_clear_finish (result, &error);
  if (error != NULL)
    return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * confab_secrets_clear_async:
 * @base_url: (nullable): the server, %NULL or "" for %OAI_DEFAULT_BASE_URL
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the key is removed
 * @user_data: data for @callback
 *
 * Removes the key stored for @base_url. Removing a key that is not there
 * succeeds.
 */
void
confab_secrets_clear_async (const char          *base_url,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *url = NULL;

  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_secrets_clear_async);

  url = normalize_base_url (base_url);
  secret_password_clear (&api_key_schema, cancellable, clear_cb, g_steal_pointer (&task),
                         "base-url", url,
                         NULL);
}

/**
 * confab_secrets_clear_finish:
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE if no key is stored for the server any more
 */
gboolean
confab_secrets_clear_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == confab_secrets_clear_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
