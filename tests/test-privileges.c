/* test-privileges.c: tests of permissions when run as root
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#ifdef __linux__
#include <linux/capability.h>
#include <sys/syscall.h>
#endif

#include "test-privileges.h"

#ifdef __linux__
static struct __user_cap_data_struct saved_caps[_LINUX_CAPABILITY_U32S_3];
#endif

void
test_drop_capabilities (void)
{
#ifdef __linux__
  struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct caps[_LINUX_CAPABILITY_U32S_3];

  if (geteuid () != 0)
    return;
  g_assert_cmpint (syscall (SYS_capget, &header, saved_caps), ==, 0);
  memcpy (caps, saved_caps, sizeof caps);
  for (guint i = 0; i < G_N_ELEMENTS (caps); i++)
    caps[i].effective = 0;
  g_assert_cmpint (syscall (SYS_capset, &header, caps), ==, 0);
#endif
}

void
test_restore_capabilities (void)
{
#ifdef __linux__
  struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };

  if (geteuid () != 0)
    return;
  g_assert_cmpint (syscall (SYS_capset, &header, saved_caps), ==, 0);
#endif
}

gboolean
test_permissions_apply (const char *dir)
{
  g_autofree char *probe = g_build_filename (dir, "probe", NULL);
  int fd = g_open (probe, O_WRONLY | O_CREAT | O_EXCL, 0600);

  if (fd < 0)
    return TRUE;
  g_close (fd, NULL);
  g_remove (probe);
  return FALSE;
}
