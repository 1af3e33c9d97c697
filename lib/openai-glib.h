/* openai-glib.h: the single public header of openai-glib
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#define OAI_INSIDE
# include "oai-version-macros.h"
# include "oai-version.h"
# include "oai-enums.h"
# include "oai-error.h"
# include "oai-usage.h"
# include "oai-tool-call.h"
# include "oai-message.h"
# include "oai-chat-request.h"
# include "oai-chat-response.h"
# include "oai-chat-stream.h"
# include "oai-rate-limiter.h"
# include "oai-request-record.h"
# include "oai-spend.h"
# include "oai-cost-tracker.h"
# include "oai-client.h"
# include "oai-tokenizer.h"
#undef OAI_INSIDE
