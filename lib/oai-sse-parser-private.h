/* oai-sse-parser-private.h: server-sent events, incrementally
 *
 * Bytes in, events out, following the WHATWG event-stream rules. Knows
 * nothing of HTTP or OpenAI.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _OaiSseParser OaiSseParser;

/* @event is "message" unless the event named another type; @data is the
 * event's data lines joined by "\n", NUL-terminated. Return FALSE to stop
 * the parser: the rest of the input is ignored. */
typedef gboolean (*OaiSseEventFunc) (const char *event,
                                     const char *data,
                                     gsize       data_len,
                                     gpointer    user_data);

OaiSseParser *oai_sse_parser_new               (OaiSseEventFunc  func,
                                                gpointer         user_data);
void          oai_sse_parser_free              (OaiSseParser    *self);
gboolean      oai_sse_parser_feed              (OaiSseParser    *self,
                                                const char      *data,
                                                gsize            len);
gboolean      oai_sse_parser_finish            (OaiSseParser    *self);
const char   *oai_sse_parser_get_last_event_id (OaiSseParser    *self);
gint64        oai_sse_parser_get_retry         (OaiSseParser    *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OaiSseParser, oai_sse_parser_free)

G_END_DECLS
