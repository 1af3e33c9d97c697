/* oai-version-macros.h: symbol visibility for openai-glib
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(OAI_INSIDE) && !defined(OAI_COMPILATION)
# error "Only <openai-glib.h> can be included directly."
#endif

#ifndef _OAI_EXTERN
# define _OAI_EXTERN __attribute__((visibility("default"))) extern
#endif

/* Every public symbol carries this; the library is built with hidden visibility. */
#define OAI_AVAILABLE_IN_ALL _OAI_EXTERN
