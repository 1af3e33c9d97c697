/* mock-server.h: a scriptable OpenAI-compatible server for tests
 *
 * The server runs in a thread of its own with its own main context, so it
 * answers blocking calls as well as asynchronous ones. Answers are queued in
 * order; when the queue is empty the default answer is used.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef enum {
  MOCK_RESPOND,   /* status, headers, body, after delay_ms */
  MOCK_HANG,      /* never answer */
  MOCK_DROP,      /* close the connection without an answer */
  MOCK_TRUNCATE,  /* announce a longer body than is sent, then close */
  MOCK_STREAM,    /* an event stream, written raw in pieces (see MockStream) */
} MockAction;

/* How a streamed answer is written: the body in pieces of chunk_min to
 * chunk_max bytes (split at random from seed), delay_ms apart; cut (the
 * connection closed) after cut_at bytes when cut_at >= 0; held open after the
 * last byte when hang; with every LF turned into CRLF when crlf. */
typedef struct
{
  guint chunk_min;
  guint chunk_max;
  guint32 seed;
  guint delay_ms;
  gssize cut_at;
  gboolean hang;
  gboolean crlf;
} MockStream;

typedef struct _MockServer MockServer;

typedef struct
{
  char *method;
  char *path;
  SoupMessageHeaders *headers;
  GBytes *body;
  guint remote_port;             /* tells connections apart */
  gint64 time;                   /* arrival, g_get_monotonic_time () */
} MockRequest;

MockServer  *mock_server_new              (void);
void         mock_server_free             (MockServer  *self);
const char  *mock_server_get_base_url     (MockServer  *self);
void         mock_server_set_recording    (MockServer  *self,
                                           gboolean     recording);
void         mock_server_queue            (MockServer  *self,
                                           guint        status,
                                           const char  *body,
                                           guint        delay_ms,
                                           ...) G_GNUC_NULL_TERMINATED;
void         mock_server_queue_action     (MockServer  *self,
                                           MockAction   action);
void         mock_server_set_default      (MockServer  *self,
                                           guint        status,
                                           const char  *body,
                                           guint        delay_ms,
                                           ...) G_GNUC_NULL_TERMINATED;
void         mock_server_set_default_action (MockServer *self,
                                           MockAction   action);
void         mock_server_add_answer       (MockServer         *self,
                                           gboolean            as_default,
                                           MockAction          action,
                                           guint               status,
                                           const char         *body,
                                           guint               delay_ms,
                                           const char * const *headers);
void         mock_server_queue_stream     (MockServer         *self,
                                           const char         *body,
                                           const MockStream   *options);
void         mock_server_add_stream       (MockServer         *self,
                                           gboolean            as_default,
                                           const char         *body,
                                           const MockStream   *options);
void         mock_server_set_models       (MockServer  *self,
                                           const char  *body);
guint        mock_server_get_n_requests   (MockServer  *self);
MockRequest *mock_server_get_request      (MockServer  *self,
                                           guint        index);
guint        mock_server_get_max_in_flight (MockServer *self);

/* Drops the last reference to @object and waits (5 s at most) for it to be
 * finalized: a cancelled call lets go of its client when libsoup's pending
 * operation returns, an iteration or two later. */
void         mock_assert_finalized        (gpointer     object);

/* A minimal successful chat completion with the given content. */
char        *mock_chat_completion         (const char  *content);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MockServer, mock_server_free)

G_END_DECLS
