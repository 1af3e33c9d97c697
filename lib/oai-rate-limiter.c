/* oai-rate-limiter.c: keeping a program under its requests and tokens per minute
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "oai-rate-limiter-private.h"
#include "oai-rate-redis-private.h"

/* After Redis went away, how long before trying it again. */
#define REDIS_RETRY_US (5 * G_USEC_PER_SEC)

/**
 * OaiRateLimiter:
 *
 * Keeps the clients it is attached to (see [property@Oai.Client:rate-limiter])
 * under an account's requests per minute (RPM) and tokens per minute (TPM),
 * and under a number of requests in flight, so that they are not answered
 * 429. A request that would pass a limit waits in a queue, first in first out
 * (higher [property@Oai.ChatRequest:priority] first), and stays cancellable.
 *
 * The budgets refill continuously (rpm/60 requests and tpm/60 tokens a
 * second) and hold at most one second's worth, as the API enforces its limits
 * in short quanta; a request larger than that waits for a full budget and
 * then goes. A request's tokens are estimated before sending (its prompt with
 * [class@Oai.Tokenizer], plus its `max-tokens` or
 * [property@Oai.RateLimiter:default-completion-tokens]) and reconciled with
 * the usage the server reports.
 *
 * The server's `x-ratelimit-*` headers update the limits, so a limiter
 * created with zeros learns them, and a 429 pauses the whole queue for the
 * server's `retry-after`.
 */
struct _OaiRateLimiter
{
  GObject parent_instance;

  GMutex mutex;
  guint rpm;
  guint tpm;
  guint max_concurrent;
  guint default_completion_tokens;

  double requests;              /* the budgets now; tokens may be in debt */
  double tokens;
  gint64 refilled;              /* monotonic µs */
  gint64 paused_until;
  guint in_flight;
  guint64 next_seq;
  GQueue queue;                 /* OaiRateTicket, by priority then arrival */
  GSource *wake;

  /* The shared budgets, when there are; the local ones stand in while
   * Redis cannot be reached. */
  char *redis_address;
  char *redis_key;
  OaiRateRedis *redis;
  gint64 redis_retry_at;
  gboolean shared_changed;
};

typedef enum {
  TICKET_QUEUED,
  TICKET_GRANTED,
} TicketState;

struct _OaiRateTicket
{
  OaiRateLimiter *limiter;
  GMainContext *context;
  guint tokens;
  int priority;
  guint64 seq;
  OaiRateReadyFunc func;
  gpointer user_data;
  GSource *ready;
  TicketState state;
};

G_DEFINE_FINAL_TYPE (OaiRateLimiter, oai_rate_limiter, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_REQUESTS_PER_MINUTE,
  PROP_TOKENS_PER_MINUTE,
  PROP_MAX_CONCURRENT,
  PROP_DEFAULT_COMPLETION_TOKENS,
  PROP_QUEUED,
  PROP_SHARED,
  N_PROPS
};

enum {
  REQUEST_DELAYED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void pump (OaiRateLimiter *self);

static void
oai_rate_limiter_finalize (GObject *object)
{
  OaiRateLimiter *self = OAI_RATE_LIMITER (object);

  /* Tickets hold a reference: the queue is empty here. */
  g_assert (g_queue_is_empty (&self->queue));
  if (self->wake != NULL)
    {
      g_source_destroy (self->wake);
      g_source_unref (self->wake);
    }
  g_clear_pointer (&self->redis, oai_rate_redis_free);
  g_clear_pointer (&self->redis_address, g_free);
  g_clear_pointer (&self->redis_key, g_free);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (oai_rate_limiter_parent_class)->finalize (object);
}

static void
oai_rate_limiter_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  OaiRateLimiter *self = OAI_RATE_LIMITER (object);

  switch (prop_id)
    {
    case PROP_REQUESTS_PER_MINUTE:
      g_value_set_uint (value, oai_rate_limiter_get_requests_per_minute (self));
      break;
    case PROP_TOKENS_PER_MINUTE:
      g_value_set_uint (value, oai_rate_limiter_get_tokens_per_minute (self));
      break;
    case PROP_MAX_CONCURRENT:
      g_value_set_uint (value, self->max_concurrent);
      break;
    case PROP_DEFAULT_COMPLETION_TOKENS:
      g_value_set_uint (value, self->default_completion_tokens);
      break;
    case PROP_QUEUED:
      g_value_set_uint (value, oai_rate_limiter_get_queued (self));
      break;
    case PROP_SHARED:
      g_value_set_boolean (value, oai_rate_limiter_get_shared (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
oai_rate_limiter_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  OaiRateLimiter *self = OAI_RATE_LIMITER (object);

  switch (prop_id)
    {
    case PROP_REQUESTS_PER_MINUTE:
      oai_rate_limiter_set_requests_per_minute (self, g_value_get_uint (value));
      break;
    case PROP_TOKENS_PER_MINUTE:
      oai_rate_limiter_set_tokens_per_minute (self, g_value_get_uint (value));
      break;
    case PROP_MAX_CONCURRENT:
      oai_rate_limiter_set_max_concurrent (self, g_value_get_uint (value));
      break;
    case PROP_DEFAULT_COMPLETION_TOKENS:
      oai_rate_limiter_set_default_completion_tokens (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
oai_rate_limiter_class_init (OaiRateLimiterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = oai_rate_limiter_finalize;
  object_class->get_property = oai_rate_limiter_get_property;
  object_class->set_property = oai_rate_limiter_set_property;

  /**
   * OaiRateLimiter:requests-per-minute:
   *
   * The account's request limit; 0 for none (until the server tells it).
   */
  properties[PROP_REQUESTS_PER_MINUTE] =
    g_param_spec_uint ("requests-per-minute", NULL, NULL, 0, G_MAXUINT, 0, flags);

  /**
   * OaiRateLimiter:tokens-per-minute:
   *
   * The account's token limit; 0 for none (until the server tells it).
   */
  properties[PROP_TOKENS_PER_MINUTE] =
    g_param_spec_uint ("tokens-per-minute", NULL, NULL, 0, G_MAXUINT, 0, flags);

  /**
   * OaiRateLimiter:max-concurrent:
   *
   * The most requests in flight at once; 0 for no limit.
   */
  properties[PROP_MAX_CONCURRENT] =
    g_param_spec_uint ("max-concurrent", NULL, NULL, 0, G_MAXUINT, 0, flags);

  /**
   * OaiRateLimiter:default-completion-tokens:
   *
   * The answer's tokens to expect for a request without `max-tokens`.
   */
  properties[PROP_DEFAULT_COMPLETION_TOKENS] =
    g_param_spec_uint ("default-completion-tokens", NULL, NULL, 0, G_MAXUINT, 1024, flags);

  /**
   * OaiRateLimiter:queued:
   *
   * How many requests wait for the limits.
   */
  properties[PROP_QUEUED] =
    g_param_spec_uint ("queued", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * OaiRateLimiter:shared:
   *
   * Whether the budgets shared through Redis are in use: %FALSE for a
   * limiter of one process, and while Redis cannot be reached (the limiter
   * then keeps this process under the limits alone, and tries Redis again
   * a few seconds later).
   */
  properties[PROP_SHARED] =
    g_param_spec_boolean ("shared", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * OaiRateLimiter::request-delayed:
   * @self: the limiter
   * @delay_ms: how long the request should wait, as far as the limiter can
   *   tell (0 when it waits for a request in flight to finish)
   *
   * Emitted when a request has to wait, so an app can say "waiting for the
   * rate limit".
   */
  signals[REQUEST_DELAYED] =
    g_signal_new ("request-delayed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
}

static void
oai_rate_limiter_init (OaiRateLimiter *self)
{
  g_mutex_init (&self->mutex);
  g_queue_init (&self->queue);
  self->default_completion_tokens = 1024;
  self->refilled = g_get_monotonic_time ();
}

/**
 * oai_rate_limiter_new:
 * @requests_per_minute: the request limit, 0 for none or to learn it
 * @tokens_per_minute: the token limit, 0 for none or to learn it
 *
 * Returns: (transfer full): a new limiter, to share among clients of one account
 */
OaiRateLimiter *
oai_rate_limiter_new (guint requests_per_minute,
                      guint tokens_per_minute)
{
  OaiRateLimiter *self = g_object_new (OAI_TYPE_RATE_LIMITER, NULL);

  self->rpm = requests_per_minute;
  self->tpm = tokens_per_minute;
  /* Start with a full second's worth. */
  self->requests = MAX (requests_per_minute / 60.0, 1.0);
  self->tokens = tokens_per_minute / 60.0;

  return self;
}

/**
 * oai_rate_limiter_new_with_redis:
 * @requests_per_minute: the request limit, 0 for none or to learn it
 * @tokens_per_minute: the token limit, 0 for none or to learn it
 * @redis_address: a Redis server: "unix:/path/to/socket" or "host:port"
 * @key: the Redis key of the account's budgets, the same in every process
 *   that shares them (e.g. the organization's id)
 * @error: return location for an error
 *
 * Creates a limiter whose budgets are shared, through Redis, by every process
 * that uses the same @key, so that they stay under one account's limits
 * together. The number of requests in flight stays each process's own.
 *
 * Returns: (transfer full): a new limiter, or %NULL with @error set to
 *   %OAI_ERROR_CONNECTION if Redis cannot be reached
 */
OaiRateLimiter *
oai_rate_limiter_new_with_redis (guint        requests_per_minute,
                             guint        tokens_per_minute,
                             const char  *redis_address,
                             const char  *key,
                             GError     **error)
{
  g_autoptr(OaiRateLimiter) self = NULL;
  OaiRateRedis *redis;

  g_return_val_if_fail (redis_address != NULL, NULL);
  g_return_val_if_fail (key != NULL && *key != '\0', NULL);

  redis = oai_rate_redis_connect (redis_address, key, error);
  if (redis == NULL)
    return NULL;

  self = oai_rate_limiter_new (requests_per_minute, tokens_per_minute);
  self->redis = redis;
  self->redis_address = g_strdup (redis_address);
  self->redis_key = g_strdup (key);

  return g_steal_pointer (&self);
}

/**
 * oai_rate_limiter_get_shared:
 * @self: a limiter
 *
 * Returns: whether the budgets shared through Redis are in use
 */
gboolean
oai_rate_limiter_get_shared (OaiRateLimiter *self)
{
  gboolean shared;

  g_return_val_if_fail (OAI_IS_RATE_LIMITER (self), FALSE);

  g_mutex_lock (&self->mutex);
  shared = self->redis != NULL;
  g_mutex_unlock (&self->mutex);

  return shared;
}

/* With the mutex held: Redis failed; the local budgets take over. */
static void
redis_lost (OaiRateLimiter *self,
            const GError   *error,
            gint64          now)
{
  g_message ("Rate limits are no longer shared through Redis at %s (%s): "
             "this process keeps under them alone until it is back",
             self->redis_address, error->message);
  g_clear_pointer (&self->redis, oai_rate_redis_free);
  self->redis_retry_at = now + REDIS_RETRY_US;
  self->shared_changed = TRUE;
}

/* With the mutex held: try Redis again, now and then. */
static void
redis_retry (OaiRateLimiter *self,
             gint64          now)
{
  if (self->redis != NULL || self->redis_address == NULL || now < self->redis_retry_at)
    return;

  self->redis = oai_rate_redis_connect (self->redis_address, self->redis_key, NULL);
  if (self->redis == NULL)
    self->redis_retry_at = now + REDIS_RETRY_US;
  else
    {
      g_message ("Rate limits are shared through Redis at %s again", self->redis_address);
      self->shared_changed = TRUE;
    }
}

static double
request_capacity (OaiRateLimiter *self)
{
  return MAX (self->rpm / 60.0, 1.0);
}

static double
token_capacity (OaiRateLimiter *self)
{
  return MAX (self->tpm / 60.0, 1.0);
}

/* With the mutex held. */
static void
refill (OaiRateLimiter *self,
        gint64          now)
{
  double seconds = (now - self->refilled) / (double) G_USEC_PER_SEC;

  self->refilled = now;
  if (self->rpm > 0)
    self->requests = MIN (self->requests + seconds * self->rpm / 60.0, request_capacity (self));
  if (self->tpm > 0)
    self->tokens = MIN (self->tokens + seconds * self->tpm / 60.0, token_capacity (self));
}

static gint
compare_tickets (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  const OaiRateTicket *ta = a, *tb = b;

  if (ta->priority != tb->priority)
    return ta->priority > tb->priority ? -1 : 1;
  return ta->seq < tb->seq ? -1 : 1;
}

static gboolean
ready_cb (gpointer user_data)
{
  OaiRateTicket *ticket = user_data;

  g_clear_pointer (&ticket->ready, g_source_unref);
  ticket->func (ticket, ticket->user_data);

  return G_SOURCE_REMOVE;
}

static gboolean
wake_cb (gpointer user_data)
{
  OaiRateLimiter *self = user_data;

  g_mutex_lock (&self->mutex);
  g_clear_pointer (&self->wake, g_source_unref);
  g_mutex_unlock (&self->mutex);
  pump (self);

  return G_SOURCE_REMOVE;
}

/*
 * pump:
 *
 * Lets go every queued request the limits allow, in order, and sets a timer
 * for the first that must wait. Returns how long that one waits, in ms, or -1
 * if it waits for a request in flight, 0 if none waits.
 */
static gint64
pump_locked (OaiRateLimiter *self,
             GPtrArray      *granted)
{
  gint64 now = g_get_monotonic_time ();
  gint64 wait_us = 0;
  OaiRateTicket *head;

  refill (self, now);
  redis_retry (self, now);

  while ((head = g_queue_peek_head (&self->queue)) != NULL)
    {
      double wait = 0;

      if (self->paused_until > now)
        wait = (self->paused_until - now) / (double) G_USEC_PER_SEC;
      if (self->max_concurrent > 0 && self->in_flight >= self->max_concurrent)
        {
          wait_us = -1;
          break;
        }

      if (self->redis != NULL && wait == 0)
        {
          g_autoptr(GError) error = NULL;
          double shared_wait = 0;

          if (oai_rate_redis_take (self->redis, self->rpm, self->tpm, head->tokens,
                                   &shared_wait, &error))
            {
              if (shared_wait > 0)
                {
                  wait_us = (gint64) ceil (shared_wait * G_USEC_PER_SEC);
                  break;
                }
              g_queue_pop_head (&self->queue);
              self->in_flight++;
              head->state = TICKET_GRANTED;
              g_ptr_array_add (granted, head);
              continue;
            }
          redis_lost (self, error, now);
        }

      if (self->rpm > 0 && self->requests < 1.0)
        wait = MAX (wait, (1.0 - self->requests) / (self->rpm / 60.0));
      if (self->tpm > 0)
        {
          /* A request larger than a second's worth goes on a full budget. */
          double need = MIN ((double) head->tokens, token_capacity (self));

          if (self->tokens < need)
            wait = MAX (wait, (need - self->tokens) / (self->tpm / 60.0));
        }

      if (wait > 0)
        {
          wait_us = (gint64) ceil (wait * G_USEC_PER_SEC);
          break;
        }

      g_queue_pop_head (&self->queue);
      if (self->rpm > 0)
        self->requests -= 1.0;
      if (self->tpm > 0)
        self->tokens -= head->tokens;
      self->in_flight++;
      head->state = TICKET_GRANTED;
      g_ptr_array_add (granted, head);
    }

  if (self->wake != NULL)
    {
      g_source_destroy (self->wake);
      g_clear_pointer (&self->wake, g_source_unref);
    }
  if (wait_us > 0 && head != NULL)
    {
      self->wake = g_timeout_source_new ((guint) MIN ((wait_us + 999) / 1000, G_MAXUINT));
      g_source_set_callback (self->wake, wake_cb, self, NULL);
      g_source_set_static_name (self->wake, "[openai-glib] rate limiter");
      g_source_attach (self->wake, head->context);
    }

  return wait_us;
}

static void
grant (GPtrArray *granted)
{
  for (guint i = 0; i < granted->len; i++)
    {
      OaiRateTicket *ticket = g_ptr_array_index (granted, i);

      ticket->ready = g_idle_source_new ();
      g_source_set_priority (ticket->ready, G_PRIORITY_DEFAULT);
      g_source_set_callback (ticket->ready, ready_cb, ticket, NULL);
      g_source_set_static_name (ticket->ready, "[openai-glib] rate limiter grant");
      g_source_attach (ticket->ready, ticket->context);
    }
}

static void
pump (OaiRateLimiter *self)
{
  g_autoptr(GPtrArray) granted = g_ptr_array_new ();
  guint before, after;

  gboolean shared_changed;

  g_mutex_lock (&self->mutex);
  before = self->queue.length;
  pump_locked (self, granted);
  after = self->queue.length;
  shared_changed = self->shared_changed;
  self->shared_changed = FALSE;
  g_mutex_unlock (&self->mutex);

  grant (granted);
  if (before != after)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_QUEUED]);
  if (shared_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHARED]);
}

/*
 * oai_rate_limiter_acquire:
 * @tokens: the request's estimate
 * @func: called on the caller's thread-default main context when it may go
 *
 * Returns: a ticket, to release when the request is done or to cancel
 */
OaiRateTicket *
oai_rate_limiter_acquire (OaiRateLimiter   *self,
                          guint             tokens,
                          int               priority,
                          OaiRateReadyFunc  func,
                          gpointer          user_data)
{
  OaiRateTicket *ticket = g_new0 (OaiRateTicket, 1);
  g_autoptr(GPtrArray) granted = g_ptr_array_new ();
  gint64 wait_us;
  gboolean waits;

  ticket->limiter = g_object_ref (self);
  ticket->context = g_main_context_ref_thread_default ();
  ticket->tokens = tokens;
  ticket->priority = priority;
  ticket->func = func;
  ticket->user_data = user_data;
  ticket->state = TICKET_QUEUED;

  g_mutex_lock (&self->mutex);
  ticket->seq = self->next_seq++;
  g_queue_insert_sorted (&self->queue, ticket, compare_tickets, NULL);
  wait_us = pump_locked (self, granted);
  waits = ticket->state == TICKET_QUEUED;
  g_mutex_unlock (&self->mutex);

  grant (granted);
  if (waits)
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_QUEUED]);
      g_signal_emit (self, signals[REQUEST_DELAYED], 0,
                     (guint) (wait_us > 0 ? MIN (wait_us / 1000, G_MAXUINT) : 0));
    }

  return ticket;
}

static void
ticket_free (OaiRateTicket *ticket)
{
  if (ticket->ready != NULL)
    {
      g_source_destroy (ticket->ready);
      g_source_unref (ticket->ready);
    }
  g_main_context_unref (ticket->context);
  g_object_unref (ticket->limiter);
  g_free (ticket);
}

/*
 * oai_rate_ticket_cancel:
 *
 * The request will not be sent: out of the queue, or its budget given back.
 */
void
oai_rate_ticket_cancel (OaiRateTicket *ticket)
{
  OaiRateLimiter *self = ticket->limiter;

  g_mutex_lock (&self->mutex);
  if (ticket->state == TICKET_QUEUED)
    g_queue_remove (&self->queue, ticket);
  else
    {
      self->in_flight--;
      if (self->rpm > 0)
        self->requests = MIN (self->requests + 1.0, request_capacity (self));
      if (self->tpm > 0)
        self->tokens = MIN (self->tokens + ticket->tokens, token_capacity (self));
    }
  g_mutex_unlock (&self->mutex);

  g_object_ref (self);
  ticket_free (ticket);
  pump (self);
  g_object_unref (self);
}

/*
 * oai_rate_ticket_release:
 * @actual_tokens: the tokens the server reported, or -1 if unknown
 *
 * The request is done: its slot is free, and its estimate is reconciled
 * with what it used.
 */
void
oai_rate_ticket_release (OaiRateTicket *ticket,
                         int            actual_tokens)
{
  OaiRateLimiter *self = ticket->limiter;

  g_mutex_lock (&self->mutex);
  self->in_flight--;
  if (actual_tokens >= 0 && self->tpm > 0)
    {
      self->tokens = MIN (self->tokens + ticket->tokens - actual_tokens, token_capacity (self));
      if (self->redis != NULL)
        {
          g_autoptr(GError) error = NULL;

          if (!oai_rate_redis_adjust (self->redis, self->tpm,
                                      (double) ticket->tokens - actual_tokens, &error))
            redis_lost (self, error, g_get_monotonic_time ());
        }
    }
  g_mutex_unlock (&self->mutex);

  g_object_ref (self);
  ticket_free (ticket);
  pump (self);
  g_object_unref (self);
}

/*
 * oai_rate_parse_duration:
 * @text: a reset time as OpenAI writes it: "1s", "6m0s", "18m43.156s",
 *   "0.65s", "39ms", "1h2m"
 */
gboolean
oai_rate_parse_duration (const char *text,
                         double     *seconds)
{
  double total = 0;
  const char *p = text;

  if (text == NULL || *text == '\0')
    return FALSE;

  while (*p != '\0')
    {
      char *end = NULL;
      double value = g_ascii_strtod (p, &end);

      if (end == p || value < 0 || !isfinite (value))
        return FALSE;
      p = end;
      if (g_str_has_prefix (p, "ms"))
        {
          total += value / 1000.0;
          p += 2;
        }
      else if (*p == 'h')
        total += value * 3600.0, p++;
      else if (*p == 'm')
        total += value * 60.0, p++;
      else if (*p == 's')
        total += value, p++;
      else
        return FALSE;
    }

  *seconds = total;
  return TRUE;
}

static gboolean
parse_count (const char *text,
             guint64    *value)
{
  char *end = NULL;

  if (text == NULL || !g_ascii_isdigit (*text))
    return FALSE;
  *value = g_ascii_strtoull (text, &end, 10);
  return end != text && *end == '\0';
}

/*
 * oai_rate_limiter_update:
 *
 * What the server said of the account's limits: the limits themselves, and
 * when a budget it reports spent comes back.
 */
void
oai_rate_limiter_update (OaiRateLimiter       *self,
                         const OaiRateHeaders *headers)
{
  gint64 now = g_get_monotonic_time ();
  gboolean rpm_changed = FALSE, tpm_changed = FALSE;
  guint64 value;
  double seconds;

  g_mutex_lock (&self->mutex);
  refill (self, now);

  if (parse_count (headers->limit_requests, &value) && value > 0 && value != self->rpm)
    {
      self->rpm = MIN (value, G_MAXUINT);
      self->requests = MIN (self->requests, request_capacity (self));
      rpm_changed = TRUE;
    }
  if (parse_count (headers->limit_tokens, &value) && value > 0 && value != self->tpm)
    {
      self->tpm = MIN (value, G_MAXUINT);
      self->tokens = MIN (self->tokens, token_capacity (self));
      tpm_changed = TRUE;
    }

  /* A spent budget: nothing goes until the server says it is back. */
  if (parse_count (headers->remaining_requests, &value) && value == 0 &&
      oai_rate_parse_duration (headers->reset_requests, &seconds))
    self->paused_until = MAX (self->paused_until, now + (gint64) (seconds * G_USEC_PER_SEC));
  if (parse_count (headers->remaining_tokens, &value) && self->tpm > 0)
    {
      self->tokens = MIN (self->tokens, (double) value);
      if (value == 0 && oai_rate_parse_duration (headers->reset_tokens, &seconds))
        self->paused_until = MAX (self->paused_until, now + (gint64) (seconds * G_USEC_PER_SEC));
    }
  g_mutex_unlock (&self->mutex);

  if (rpm_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REQUESTS_PER_MINUTE]);
  if (tpm_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOKENS_PER_MINUTE]);
  pump (self);
}

/*
 * oai_rate_limiter_pause:
 *
 * A 429: the whole queue waits, rather than hammer the server.
 */
void
oai_rate_limiter_pause (OaiRateLimiter *self,
                        guint           delay_ms)
{
  gint64 now = g_get_monotonic_time ();

  g_mutex_lock (&self->mutex);
  self->paused_until = MAX (self->paused_until, now + (gint64) delay_ms * 1000);
  if (self->redis != NULL)
    {
      g_autoptr(GError) error = NULL;

      /* Every process of the account holds back. */
      if (!oai_rate_redis_pause (self->redis, delay_ms / 1000.0, &error))
        redis_lost (self, error, now);
    }
  g_mutex_unlock (&self->mutex);
  pump (self);
}

#define LOCKED_GET(field) \
  guint value; \
  g_return_val_if_fail (OAI_IS_RATE_LIMITER (self), 0); \
  g_mutex_lock (&self->mutex); \
  value = self->field; \
  g_mutex_unlock (&self->mutex); \
  return value

/**
 * oai_rate_limiter_get_requests_per_minute:
 * @self: a limiter
 *
 * Returns: the request limit, 0 if none
 */
guint
oai_rate_limiter_get_requests_per_minute (OaiRateLimiter *self)
{
  LOCKED_GET (rpm);
}

/**
 * oai_rate_limiter_get_tokens_per_minute:
 * @self: a limiter
 *
 * Returns: the token limit, 0 if none
 */
guint
oai_rate_limiter_get_tokens_per_minute (OaiRateLimiter *self)
{
  LOCKED_GET (tpm);
}

/**
 * oai_rate_limiter_get_queued:
 * @self: a limiter
 *
 * Returns: how many requests wait
 */
guint
oai_rate_limiter_get_queued (OaiRateLimiter *self)
{
  LOCKED_GET (queue.length);
}

#undef LOCKED_GET

/**
 * oai_rate_limiter_set_requests_per_minute:
 * @self: a limiter
 * @requests_per_minute: the request limit, 0 for none
 *
 * Sets the request limit.
 */
void
oai_rate_limiter_set_requests_per_minute (OaiRateLimiter *self,
                                          guint           requests_per_minute)
{
  g_return_if_fail (OAI_IS_RATE_LIMITER (self));

  g_mutex_lock (&self->mutex);
  if (self->rpm == requests_per_minute)
    {
      g_mutex_unlock (&self->mutex);
      return;
    }
  refill (self, g_get_monotonic_time ());
  self->rpm = requests_per_minute;
  self->requests = MIN (self->requests, request_capacity (self));
  g_mutex_unlock (&self->mutex);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REQUESTS_PER_MINUTE]);
  pump (self);
}

/**
 * oai_rate_limiter_set_tokens_per_minute:
 * @self: a limiter
 * @tokens_per_minute: the token limit, 0 for none
 *
 * Sets the token limit.
 */
void
oai_rate_limiter_set_tokens_per_minute (OaiRateLimiter *self,
                                        guint           tokens_per_minute)
{
  g_return_if_fail (OAI_IS_RATE_LIMITER (self));

  g_mutex_lock (&self->mutex);
  if (self->tpm == tokens_per_minute)
    {
      g_mutex_unlock (&self->mutex);
      return;
    }
  refill (self, g_get_monotonic_time ());
  self->tpm = tokens_per_minute;
  self->tokens = MIN (self->tokens, token_capacity (self));
  g_mutex_unlock (&self->mutex);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOKENS_PER_MINUTE]);
  pump (self);
}

/**
 * oai_rate_limiter_get_max_concurrent:
 * @self: a limiter
 *
 * Returns: the most requests in flight at once, 0 for no limit
 */
guint
oai_rate_limiter_get_max_concurrent (OaiRateLimiter *self)
{
  g_return_val_if_fail (OAI_IS_RATE_LIMITER (self), 0);
  return self->max_concurrent;
}

/**
 * oai_rate_limiter_set_max_concurrent:
 * @self: a limiter
 * @max_concurrent: the most requests in flight at once, 0 for no limit
 *
 * Sets the most requests in flight at once.
 */
void
oai_rate_limiter_set_max_concurrent (OaiRateLimiter *self,
                                     guint           max_concurrent)
{
  g_return_if_fail (OAI_IS_RATE_LIMITER (self));

  if (self->max_concurrent == max_concurrent)
    return;

  g_mutex_lock (&self->mutex);
  self->max_concurrent = max_concurrent;
  g_mutex_unlock (&self->mutex);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_CONCURRENT]);
  pump (self);
}

/**
 * oai_rate_limiter_get_default_completion_tokens:
 * @self: a limiter
 *
 * Returns: the answer's tokens expected for a request without `max-tokens`
 */
guint
oai_rate_limiter_get_default_completion_tokens (OaiRateLimiter *self)
{
  g_return_val_if_fail (OAI_IS_RATE_LIMITER (self), 0);
  return self->default_completion_tokens;
}

/**
 * oai_rate_limiter_set_default_completion_tokens:
 * @self: a limiter
 * @tokens: the answer's tokens to expect
 *
 * Sets the answer's tokens to expect for a request without `max-tokens`.
 */
void
oai_rate_limiter_set_default_completion_tokens (OaiRateLimiter *self,
                                                guint           tokens)
{
  g_return_if_fail (OAI_IS_RATE_LIMITER (self));

  if (self->default_completion_tokens != tokens)
    {
      self->default_completion_tokens = tokens;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEFAULT_COMPLETION_TOKENS]);
    }
}
