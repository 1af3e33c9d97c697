/* test-privileges.h: tests of permissions when run as root
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Root ignores file permissions: tests that need them to hold drop the
 * capabilities that let it, and get them back afterwards. No-ops for other
 * users. */
void     test_drop_capabilities    (void);
void     test_restore_capabilities (void);

/* Whether the permissions of @dir keep this process from writing in it. */
gboolean test_permissions_apply    (const char *dir);

G_END_DECLS
