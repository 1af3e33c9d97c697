/* confab-secrets.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <libsecret/secret.h>

G_BEGIN_DECLS

/* confab_secrets_lookup_finish() returns the key in non-pageable memory:
 * free it with secret_password_free(), never g_free(). */

void      confab_secrets_lookup_async  (const char          *base_url,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
char     *confab_secrets_lookup_finish (GAsyncResult        *result,
                                        GError             **error) G_GNUC_WARN_UNUSED_RESULT;
void      confab_secrets_store_async   (const char          *base_url,
                                        const char          *api_key,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
gboolean  confab_secrets_store_finish  (GAsyncResult        *result,
                                        GError             **error);
void      confab_secrets_clear_async   (const char          *base_url,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
gboolean  confab_secrets_clear_finish  (GAsyncResult        *result,
                                        GError             **error);

G_END_DECLS
