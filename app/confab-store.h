/* confab-store.h: the conversations, kept in SQLite
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "confab-conversation.h"

G_BEGIN_DECLS

#define CONFAB_STORE_ERROR (confab_store_error_quark ())

/**
 * ConfabStoreError:
 * @CONFAB_STORE_ERROR_FAILED: the database could not be read or written
 * @CONFAB_STORE_ERROR_CORRUPT: the database is damaged
 * @CONFAB_STORE_ERROR_NOT_FOUND: the conversation is not in the database
 */
typedef enum {
  CONFAB_STORE_ERROR_FAILED,
  CONFAB_STORE_ERROR_CORRUPT,
  CONFAB_STORE_ERROR_NOT_FOUND,
} ConfabStoreError;

GQuark confab_store_error_quark (void);

#define CONFAB_TYPE_STORE (confab_store_get_type ())

G_DECLARE_FINAL_TYPE (ConfabStore, confab_store, CONFAB, STORE, GObject)

char        *confab_store_default_path       (void) G_GNUC_WARN_UNUSED_RESULT;
ConfabStore *confab_store_new                (const char          *path,
                                              GError             **error) G_GNUC_WARN_UNUSED_RESULT;
const char  *confab_store_get_path           (ConfabStore         *self);
const char  *confab_store_get_set_aside_path (ConfabStore         *self);
GListModel  *confab_store_get_conversations  (ConfabStore         *self);
gboolean     confab_store_load_messages      (ConfabStore         *self,
                                              ConfabConversation  *conversation,
                                              GError             **error);
gboolean     confab_store_save               (ConfabStore         *self,
                                              ConfabConversation  *conversation,
                                              GError             **error);
gboolean     confab_store_delete             (ConfabStore         *self,
                                              ConfabConversation  *conversation,
                                              GError             **error);

G_END_DECLS
