/* mock-server.c: a scriptable OpenAI-compatible server for tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdarg.h>

#include "mock-server.h"

typedef struct
{
  MockAction action;
  guint status;
  char *body;
  guint delay_ms;
  GPtrArray *headers;           /* name, value, name, value … */
  MockStream stream;
} MockAnswer;

struct _MockServer
{
  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
  SoupServer *server;
  char *base_url;

  GMutex mutex;
  GCond cond;
  GQueue answers;
  MockAnswer *fallback;
  GPtrArray *requests;
  GPtrArray *hanging;           /* SoupServerMessage, paused forever */
  GPtrArray *writers;           /* GThread writing a stream */
  char *models;                 /* the answer to GET /models, apart from the queue */
  gboolean stopping;
  gboolean recording;
  guint n_requests;
  guint in_flight;
  guint max_in_flight;
};

static void
mock_answer_free (MockAnswer *answer)
{
  if (answer == NULL)
    return;
  g_free (answer->body);
  g_clear_pointer (&answer->headers, g_ptr_array_unref);
  g_free (answer);
}

static MockAnswer *
mock_answer_copy (const MockAnswer *answer)
{
  MockAnswer *copy = g_new0 (MockAnswer, 1);

  *copy = *answer;
  copy->body = g_strdup (answer->body);
  copy->headers = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; answer->headers && i < answer->headers->len; i++)
    g_ptr_array_add (copy->headers, g_strdup (g_ptr_array_index (answer->headers, i)));

  return copy;
}

static void
mock_request_free (MockRequest *request)
{
  g_free (request->method);
  g_free (request->path);
  g_clear_pointer (&request->headers, soup_message_headers_unref);
  g_clear_pointer (&request->body, g_bytes_unref);
  g_free (request);
}

void
mock_assert_finalized (gpointer object)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  g_object_add_weak_pointer (object, &object);
  g_object_unref (object);
  while (object != NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_null (object);
}

char *
mock_chat_completion (const char *content)
{
  g_autofree char *escaped = g_strescape (content, NULL);

  return g_strdup_printf ("{\"id\":\"chatcmpl-test\",\"object\":\"chat.completion\","
                          "\"created\":1727000000,\"model\":\"gpt-4o-mini-2024-07-18\","
                          "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                          "\"content\":\"%s\",\"refusal\":null},\"logprobs\":null,"
                          "\"finish_reason\":\"stop\"}],"
                          "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":12,"
                          "\"total_tokens\":21,\"prompt_tokens_details\":{\"cached_tokens\":0},"
                          "\"completion_tokens_details\":{\"reasoning_tokens\":0}}}",
                          escaped);
}

typedef struct
{
  MockServer *self;
  SoupServerMessage *msg;
  MockAnswer *answer;
} Pending;

static void
request_done (MockServer *self)
{
  g_mutex_lock (&self->mutex);
  self->in_flight--;
  g_mutex_unlock (&self->mutex);
}

static void
respond (MockServer        *self,
         SoupServerMessage *msg,
         MockAnswer        *answer)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  for (guint i = 0; answer->headers && i + 1 < answer->headers->len; i += 2)
    soup_message_headers_append (headers, g_ptr_array_index (answer->headers, i),
                                 g_ptr_array_index (answer->headers, i + 1));

  soup_server_message_set_status (msg, answer->status, NULL);
  if (answer->body != NULL)
    {
      const char *content_type = soup_message_headers_get_content_type (headers, NULL);
      SoupMessageBody *body = soup_server_message_get_response_body (msg);

      if (content_type == NULL)
        soup_message_headers_set_content_type (headers, "application/json", NULL);
      /* An answer that asks for chunks is sent without a Content-Length. */
      if (g_strcmp0 (soup_message_headers_get_one (headers, "Transfer-Encoding"), "chunked") == 0)
        soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
      else
        soup_message_headers_set_content_length (headers, strlen (answer->body));
      soup_message_body_append (body, SOUP_MEMORY_COPY, answer->body, strlen (answer->body));
      soup_message_body_complete (body);
    }
}

static gboolean
delayed_respond_cb (gpointer user_data)
{
  Pending *pending = user_data;

  respond (pending->self, pending->msg, pending->answer);
  soup_server_message_unpause (pending->msg);

  return G_SOURCE_REMOVE;
}

/* Also runs when the server stops with the answer still pending. */
static void
pending_free (gpointer user_data)
{
  Pending *pending = user_data;

  g_object_unref (pending->msg);
  mock_answer_free (pending->answer);
  g_free (pending);
}

static void
finished_cb (SoupServerMessage *msg,
             MockServer        *self)
{
  request_done (self);
}

typedef struct
{
  MockServer *self;
  GIOStream *connection;
  MockAnswer *answer;
} Writer;

static gboolean
write_all (Writer     *w,
           const char *data,
           gsize       len)
{
  return g_output_stream_write_all (g_io_stream_get_output_stream (w->connection),
                                    data, len, NULL, NULL, NULL);
}

/* Writes a streamed answer by hand, so that it can pause, be cut, or hang
 * anywhere; the body is delimited by the end of the connection. */
static gpointer
writer_thread (gpointer user_data)
{
  Writer *w = user_data;
  MockAnswer *answer = w->answer;
  MockStream *opts = &answer->stream;
  g_autoptr(GString) head = g_string_new ("HTTP/1.1 200 OK\r\n"
                                          "Content-Type: text/event-stream; charset=utf-8\r\n"
                                          "Cache-Control: no-cache\r\n"
                                          "Connection: close\r\n");
  g_autoptr(GString) body = g_string_new (NULL);
  g_autoptr(GRand) rand = g_rand_new_with_seed (opts->seed);
  gsize pos = 0, end;

  for (const char *p = answer->body; *p; p++)
    {
      if (*p == '\n' && opts->crlf)
        g_string_append_c (body, '\r');
      g_string_append_c (body, *p);
    }
  end = opts->cut_at >= 0 ? MIN ((gsize) opts->cut_at, body->len) : body->len;

  for (guint i = 0; answer->headers && i + 1 < answer->headers->len; i += 2)
    g_string_append_printf (head, "%s: %s\r\n", (char *) g_ptr_array_index (answer->headers, i),
                            (char *) g_ptr_array_index (answer->headers, i + 1));
  g_string_append (head, "\r\n");

  if (write_all (w, head->str, head->len))
    while (pos < end)
      {
        guint min = MAX (opts->chunk_min, 1);
        guint max = MAX (opts->chunk_max, min);
        gsize piece = (gsize) g_rand_int_range (rand, min, max + 1);
        gsize n = MIN (piece, end - pos);

        if (!write_all (w, body->str + pos, n))
          break;
        pos += n;
        if (opts->delay_ms > 0 && pos < end)
          g_usleep (opts->delay_ms * 1000);
      }

  if (opts->hang)
    {
      g_mutex_lock (&w->self->mutex);
      while (!w->self->stopping)
        g_cond_wait (&w->self->cond, &w->self->mutex);
      g_mutex_unlock (&w->self->mutex);
    }

  g_io_stream_close (w->connection, NULL, NULL);
  g_object_unref (w->connection);
  mock_answer_free (answer);
  g_free (w);

  return NULL;
}

static void
copy_header (const char *name,
             const char *value,
             gpointer    user_data)
{
  soup_message_headers_append (user_data, name, value);
}

/* Apps list the models as they start: answered from here, the listing
 * neither takes a queued answer nor counts as a request. */
void
mock_server_set_models (MockServer *self,
                        const char *body)
{
  g_mutex_lock (&self->mutex);
  g_free (self->models);
  self->models = g_strdup (body);
  g_mutex_unlock (&self->mutex);
}

static void
server_callback (SoupServer        *server,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  MockServer *self = user_data;
  MockAnswer *answer;

  g_mutex_lock (&self->mutex);
  if (self->models != NULL && g_str_has_suffix (path, "/models") &&
      g_str_equal (soup_server_message_get_method (msg), "GET"))
    {
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                        self->models, strlen (self->models));
      g_mutex_unlock (&self->mutex);
      return;
    }
  self->n_requests++;
  self->in_flight++;
  self->max_in_flight = MAX (self->max_in_flight, self->in_flight);
  if (self->recording)
    {
      MockRequest *request = g_new0 (MockRequest, 1);
      SoupMessageBody *body = soup_server_message_get_request_body (msg);

      request->time = g_get_monotonic_time ();
      request->method = g_strdup (soup_server_message_get_method (msg));
      request->path = g_strdup (path);
      request->headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
      soup_message_headers_foreach (soup_server_message_get_request_headers (msg),
                                    copy_header, request->headers);
      request->body = soup_message_body_flatten (body);
      request->remote_port =
        g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (soup_server_message_get_remote_address (msg)));
      g_ptr_array_add (self->requests, request);
    }
  answer = g_queue_pop_head (&self->answers);
  if (answer == NULL)
    answer = mock_answer_copy (self->fallback);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);

  if (answer->action == MOCK_RESPOND || answer->action == MOCK_HANG)
    g_signal_connect (msg, "finished", G_CALLBACK (finished_cb), self);

  switch (answer->action)
    {
    case MOCK_HANG:
      soup_server_message_pause (msg);
      g_ptr_array_add (self->hanging, g_object_ref (msg));
      mock_answer_free (answer);
      return;

    case MOCK_STREAM:
      {
        Writer *w = g_new0 (Writer, 1);

        w->self = self;
        w->connection = soup_server_message_steal_connection (msg);
        w->answer = answer;
        request_done (self);
        g_mutex_lock (&self->mutex);
        g_ptr_array_add (self->writers, g_thread_new ("mock-stream", writer_thread, w));
        g_mutex_unlock (&self->mutex);
        return;
      }

    case MOCK_DROP:
    case MOCK_TRUNCATE:
      {
        GIOStream *stream = soup_server_message_steal_connection (msg);

        /* A truncated answer promises a longer body than it sends. */
        if (answer->action == MOCK_TRUNCATE)
          {
            static const char partial[] =
              "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
              "{\"id\":\"chatcmpl-cut\",\"choices\":[{\"index\":0,";

            g_output_stream_write_all (g_io_stream_get_output_stream (stream), partial,
                                       sizeof partial - 1, NULL, NULL, NULL);
          }
        request_done (self);
        g_io_stream_close (stream, NULL, NULL);
        g_object_unref (stream);
        mock_answer_free (answer);
        return;
      }

    case MOCK_RESPOND:
    default:
      if (answer->delay_ms > 0)
        {
          Pending *pending = g_new0 (Pending, 1);
          GSource *source = g_timeout_source_new (answer->delay_ms);

          pending->self = self;
          pending->msg = g_object_ref (msg);
          pending->answer = answer;
          soup_server_message_pause (msg);
          g_source_set_callback (source, delayed_respond_cb, pending, pending_free);
          g_source_attach (source, self->context);
          g_source_unref (source);
          return;
        }
      respond (self, msg, answer);
      mock_answer_free (answer);
    }
}

static gpointer
server_thread (gpointer user_data)
{
  MockServer *self = user_data;
  g_autoptr(GError) error = NULL;
  GSList *uris;

  g_main_context_push_thread_default (self->context);

  self->server = soup_server_new ("server-header", "mock-openai", NULL);
  soup_server_add_handler (self->server, NULL, server_callback, self, NULL);
  if (!soup_server_listen_local (self->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    g_error ("mock server: cannot listen on 127.0.0.1: %s", error->message);

  uris = soup_server_get_uris (self->server);
  g_mutex_lock (&self->mutex);
  self->base_url = g_strdup_printf ("http://127.0.0.1:%d/v1", g_uri_get_port (uris->data));
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  g_main_loop_run (self->loop);

  for (guint i = 0; i < self->hanging->len; i++)
    soup_server_message_unpause (g_ptr_array_index (self->hanging, i));
  g_ptr_array_set_size (self->hanging, 0);
  soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  while (g_main_context_iteration (self->context, FALSE))
    ;

  g_main_context_pop_thread_default (self->context);
  return NULL;
}

MockServer *
mock_server_new (void)
{
  MockServer *self = g_new0 (MockServer, 1);
  MockAnswer fallback = { MOCK_RESPOND, 200, NULL, 0, NULL };

  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  g_queue_init (&self->answers);
  fallback.body = mock_chat_completion ("Hello from the mock server");
  self->fallback = mock_answer_copy (&fallback);
  g_free (fallback.body);
  self->requests = g_ptr_array_new_with_free_func ((GDestroyNotify) mock_request_free);
  self->hanging = g_ptr_array_new_with_free_func (g_object_unref);
  self->writers = g_ptr_array_new ();
  self->recording = TRUE;
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);

  self->thread = g_thread_new ("mock-server", server_thread, self);

  g_mutex_lock (&self->mutex);
  while (self->base_url == NULL)
    g_cond_wait (&self->cond, &self->mutex);
  g_mutex_unlock (&self->mutex);

  return self;
}

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

void
mock_server_free (MockServer *self)
{
  g_mutex_lock (&self->mutex);
  self->stopping = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);

  g_main_context_invoke (self->context, quit_cb, self->loop);
  g_thread_join (self->thread);
  for (guint i = 0; i < self->writers->len; i++)
    g_thread_join (g_ptr_array_index (self->writers, i));
  g_ptr_array_unref (self->writers);

  g_queue_clear_full (&self->answers, (GDestroyNotify) mock_answer_free);
  mock_answer_free (self->fallback);
  g_ptr_array_unref (self->requests);
  g_ptr_array_unref (self->hanging);
  g_main_loop_unref (self->loop);
  g_main_context_unref (self->context);
  g_free (self->base_url);
  g_free (self->models);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);
  g_free (self);
}

const char *
mock_server_get_base_url (MockServer *self)
{
  return self->base_url;
}

void
mock_server_set_recording (MockServer *self,
                           gboolean    recording)
{
  g_mutex_lock (&self->mutex);
  self->recording = recording;
  g_mutex_unlock (&self->mutex);
}

static MockAnswer *
answer_new_valist (MockAction  action,
                   guint       status,
                   const char *body,
                   guint       delay_ms,
                   va_list     args)
{
  MockAnswer *answer = g_new0 (MockAnswer, 1);
  const char *name;

  answer->action = action;
  answer->status = status;
  answer->body = g_strdup (body);
  answer->delay_ms = delay_ms;
  answer->headers = g_ptr_array_new_with_free_func (g_free);
  while ((name = va_arg (args, const char *)) != NULL)
    {
      g_ptr_array_add (answer->headers, g_strdup (name));
      g_ptr_array_add (answer->headers, g_strdup (va_arg (args, const char *)));
    }

  return answer;
}

void
mock_server_queue (MockServer *self,
                   guint       status,
                   const char *body,
                   guint       delay_ms,
                   ...)
{
  va_list args;
  MockAnswer *answer;

  va_start (args, delay_ms);
  answer = answer_new_valist (MOCK_RESPOND, status, body, delay_ms, args);
  va_end (args);

  g_mutex_lock (&self->mutex);
  g_queue_push_tail (&self->answers, answer);
  g_mutex_unlock (&self->mutex);
}

void
mock_server_queue_action (MockServer *self,
                          MockAction  action)
{
  MockAnswer *answer = g_new0 (MockAnswer, 1);

  answer->action = action;
  g_mutex_lock (&self->mutex);
  g_queue_push_tail (&self->answers, answer);
  g_mutex_unlock (&self->mutex);
}

void
mock_server_set_default (MockServer *self,
                         guint       status,
                         const char *body,
                         guint       delay_ms,
                         ...)
{
  va_list args;
  MockAnswer *answer;

  va_start (args, delay_ms);
  answer = answer_new_valist (MOCK_RESPOND, status, body, delay_ms, args);
  va_end (args);

  g_mutex_lock (&self->mutex);
  mock_answer_free (self->fallback);
  self->fallback = answer;
  g_mutex_unlock (&self->mutex);
}

void
mock_server_set_default_action (MockServer *self,
                                MockAction  action)
{
  g_mutex_lock (&self->mutex);
  self->fallback->action = action;
  g_mutex_unlock (&self->mutex);
}

/* headers: NULL-terminated name, value, name, value … */
void
mock_server_add_answer (MockServer         *self,
                        gboolean            as_default,
                        MockAction          action,
                        guint               status,
                        const char         *body,
                        guint               delay_ms,
                        const char * const *headers)
{
  MockAnswer *answer = g_new0 (MockAnswer, 1);

  answer->action = action;
  answer->status = status;
  answer->body = g_strdup (body);
  answer->delay_ms = delay_ms;
  answer->headers = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; headers && headers[i] && headers[i + 1]; i += 2)
    {
      g_ptr_array_add (answer->headers, g_strdup (headers[i]));
      g_ptr_array_add (answer->headers, g_strdup (headers[i + 1]));
    }

  g_mutex_lock (&self->mutex);
  if (as_default)
    {
      mock_answer_free (self->fallback);
      self->fallback = answer;
    }
  else
    g_queue_push_tail (&self->answers, answer);
  g_mutex_unlock (&self->mutex);
}

void
mock_server_queue_stream (MockServer       *self,
                          const char       *body,
                          const MockStream *options)
{
  mock_server_add_stream (self, FALSE, body, options);
}

void
mock_server_add_stream (MockServer       *self,
                        gboolean          as_default,
                        const char       *body,
                        const MockStream *options)
{
  MockAnswer *answer = g_new0 (MockAnswer, 1);
  MockStream defaults = { 1, 4096, 1, 0, -1, FALSE, FALSE };

  answer->action = MOCK_STREAM;
  answer->status = 200;
  answer->body = g_strdup (body);
  answer->stream = options ? *options : defaults;
  answer->headers = g_ptr_array_new_with_free_func (g_free);

  g_mutex_lock (&self->mutex);
  if (as_default)
    {
      mock_answer_free (self->fallback);
      self->fallback = answer;
    }
  else
    g_queue_push_tail (&self->answers, answer);
  g_mutex_unlock (&self->mutex);
}

guint
mock_server_get_n_requests (MockServer *self)
{
  guint n;

  g_mutex_lock (&self->mutex);
  n = self->n_requests;
  g_mutex_unlock (&self->mutex);

  return n;
}

MockRequest *
mock_server_get_request (MockServer *self,
                         guint       index)
{
  MockRequest *request = NULL;

  g_mutex_lock (&self->mutex);
  if (index < self->requests->len)
    request = g_ptr_array_index (self->requests, index);
  g_mutex_unlock (&self->mutex);

  return request;
}

guint
mock_server_get_max_in_flight (MockServer *self)
{
  guint n;

  g_mutex_lock (&self->mutex);
  n = self->max_in_flight;
  g_mutex_unlock (&self->mutex);

  return n;
}
