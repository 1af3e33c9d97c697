/* oai-rate-redis.c: one account's rate budgets, shared through Redis
 *
 * The budgets live in one Redis hash; a Lua script refills and spends them
 * atomically on the server's clock, so processes on several machines stay
 * under the limits together. Commands time out quickly: a Redis that is gone
 * makes the limiter fall back to its own budgets, it never blocks a call.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pthread.h>

#include <hiredis/hiredis.h>

#include "oai-error.h"
#include "oai-rate-redis-private.h"

/* Loopback answers in well under a millisecond; this is for a Redis that hangs. */
#define REDIS_TIMEOUT_MS 200

/* ARGV: rpm, tpm, tokens. Returns the seconds to wait, "0" when spent. */
static const char take_script[] =
  "local t = redis.call('TIME')\n"
  "local now = tonumber(t[1]) + tonumber(t[2]) / 1e6\n"
  "local rpm, tpm, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])\n"
  "local rcap, tcap = math.max(rpm / 60, 1), math.max(tpm / 60, 1)\n"
  "local s = redis.call('HMGET', KEYS[1], 'r', 't', 'at', 'pause')\n"
  "local r, tk, at = tonumber(s[1]) or rcap, tonumber(s[2]) or tpm / 60, tonumber(s[3]) or now\n"
  "local pause = tonumber(s[4]) or 0\n"
  "local dt = math.max(now - at, 0)\n"
  "if rpm > 0 then r = math.min(r + dt * rpm / 60, rcap) end\n"
  "if tpm > 0 then tk = math.min(tk + dt * tpm / 60, tcap) end\n"
  "local wait = math.max(pause - now, 0)\n"
  "if rpm > 0 and r < 1 then wait = math.max(wait, (1 - r) / (rpm / 60)) end\n"
  "if tpm > 0 then\n"
  "  local need = math.min(cost, tcap)\n"
  "  if tk < need then wait = math.max(wait, (need - tk) / (tpm / 60)) end\n"
  "end\n"
  "if wait == 0 then\n"
  "  if rpm > 0 then r = r - 1 end\n"
  "  if tpm > 0 then tk = tk - cost end\n"
  "end\n"
  "redis.call('HSET', KEYS[1], 'r', tostring(r), 't', tostring(tk), 'at', tostring(now))\n"
  "redis.call('EXPIRE', KEYS[1], 3600)\n"
  "return tostring(wait)\n";

/* ARGV: tpm, tokens to give back (negative to charge). */
static const char adjust_script[] =
  "local tcap = math.max(tonumber(ARGV[1]) / 60, 1)\n"
  "local tk = tonumber(redis.call('HGET', KEYS[1], 't'))\n"
  "if tk == nil then return 0 end\n"
  "redis.call('HSET', KEYS[1], 't', tostring(math.min(tk + tonumber(ARGV[2]), tcap)))\n"
  "return 1\n";

/* ARGV: seconds from now. */
static const char pause_script[] =
  "local t = redis.call('TIME')\n"
  "local until_ = tonumber(t[1]) + tonumber(t[2]) / 1e6 + tonumber(ARGV[1])\n"
  "local old = tonumber(redis.call('HGET', KEYS[1], 'pause')) or 0\n"
  "if until_ > old then redis.call('HSET', KEYS[1], 'pause', tostring(until_)) end\n"
  "redis.call('EXPIRE', KEYS[1], 3600)\n"
  "return 1\n";

struct _OaiRateRedis
{
  redisContext *context;
  char *key;
};

void
oai_rate_redis_free (OaiRateRedis *self)
{
  if (self == NULL)
    return;
  if (self->context != NULL)
    redisFree (self->context);
  g_free (self->key);
  g_free (self);
}

/*
 * oai_rate_redis_connect:
 * @address: "unix:/path/to/socket" or "host:port"
 * @key: the hash that holds the budgets, one per account
 */
OaiRateRedis *
oai_rate_redis_connect (const char  *address,
                        const char  *key,
                        GError     **error)
{
  g_autoptr(OaiRateRedis) self = g_new0 (OaiRateRedis, 1);
  struct timeval timeout = { 0, REDIS_TIMEOUT_MS * 1000 };
  redisReply *reply;

  if (g_str_has_prefix (address, "unix:"))
    self->context = redisConnectUnixWithTimeout (address + 5, timeout);
  else
    {
      g_autofree char *host = NULL;
      const char *colon = strrchr (address, ':');
      int port = colon ? atoi (colon + 1) : 6379;

      host = colon ? g_strndup (address, colon - address) : g_strdup (address);
      self->context = redisConnectWithTimeout (host, port, timeout);
    }

  if (self->context == NULL || self->context->err)
    {
      g_set_error (error, OAI_ERROR, OAI_ERROR_CONNECTION, "Cannot reach Redis at %s: %s",
                   address, self->context ? self->context->errstr : "out of memory");
      return NULL;
    }
  redisSetTimeout (self->context, timeout);

  reply = redisCommand (self->context, "PING");
  if (reply == NULL || reply->type == REDIS_REPLY_ERROR)
    {
      g_set_error (error, OAI_ERROR, OAI_ERROR_CONNECTION, "Redis at %s does not answer: %s",
                   address, reply ? reply->str : self->context->errstr);
      if (reply)
        freeReplyObject (reply);
      return NULL;
    }
  freeReplyObject (reply);

  self->key = g_strdup (key);
  return g_steal_pointer (&self);
}

/* hiredis writes with write (): a Redis that went away would raise SIGPIPE
 * and kill the program. The signal is blocked around each command and any
 * pending one consumed, without touching the program's own handling. */
typedef struct
{
  sigset_t old;
} PipeGuard;

static void
pipe_guard_enter (PipeGuard *guard)
{
  sigset_t pipe;

  sigemptyset (&pipe);
  sigaddset (&pipe, SIGPIPE);
  pthread_sigmask (SIG_BLOCK, &pipe, &guard->old);
}

static void
pipe_guard_leave (PipeGuard *guard)
{
  sigset_t pipe, pending;
  struct timespec zero = { 0, 0 };

  sigemptyset (&pipe);
  sigaddset (&pipe, SIGPIPE);
  sigpending (&pending);
  if (sigismember (&pending, SIGPIPE) && !sigismember (&guard->old, SIGPIPE))
    sigtimedwait (&pipe, NULL, &zero);
  pthread_sigmask (SIG_SETMASK, &guard->old, NULL);
}

static redisReply *
eval (OaiRateRedis  *self,
      const char    *script,
      const char    *arg1,
      const char    *arg2,
      const char    *arg3,
      GError       **error)
{
  redisReply *reply;
  PipeGuard guard;

  pipe_guard_enter (&guard);
  if (arg3 != NULL)
    reply = redisCommand (self->context, "EVAL %s 1 %s %s %s %s", script, self->key, arg1, arg2, arg3);
  else if (arg2 != NULL)
    reply = redisCommand (self->context, "EVAL %s 1 %s %s %s", script, self->key, arg1, arg2);
  else
    reply = redisCommand (self->context, "EVAL %s 1 %s %s", script, self->key, arg1);
  pipe_guard_leave (&guard);

  if (reply == NULL || reply->type == REDIS_REPLY_ERROR)
    {
      g_set_error (error, OAI_ERROR, OAI_ERROR_CONNECTION, "Redis: %s",
                   reply ? reply->str : self->context->errstr);
      if (reply != NULL)
        freeReplyObject (reply);
      return NULL;
    }

  return reply;
}

/*
 * oai_rate_redis_take:
 * @wait_seconds: (out): 0 if the budgets were spent for this request, else
 *   how long until they allow it
 */
gboolean
oai_rate_redis_take (OaiRateRedis  *self,
                     guint          rpm,
                     guint          tpm,
                     guint          tokens,
                     double        *wait_seconds,
                     GError       **error)
{
  char a[32], b[32], c[32];
  redisReply *reply;

  g_snprintf (a, sizeof a, "%u", rpm);
  g_snprintf (b, sizeof b, "%u", tpm);
  g_snprintf (c, sizeof c, "%u", tokens);
  reply = eval (self, take_script, a, b, c, error);
  if (reply == NULL)
    return FALSE;

  *wait_seconds = reply->type == REDIS_REPLY_STRING ? g_ascii_strtod (reply->str, NULL) : 0;
  freeReplyObject (reply);
  return TRUE;
}

gboolean
oai_rate_redis_adjust (OaiRateRedis  *self,
                       guint          tpm,
                       double         tokens,
                       GError       **error)
{
  char a[32], b[G_ASCII_DTOSTR_BUF_SIZE];
  redisReply *reply;

  g_snprintf (a, sizeof a, "%u", tpm);
  g_ascii_dtostr (b, sizeof b, tokens);
  reply = eval (self, adjust_script, a, b, NULL, error);
  if (reply == NULL)
    return FALSE;
  freeReplyObject (reply);
  return TRUE;
}

gboolean
oai_rate_redis_pause (OaiRateRedis  *self,
                      double         seconds,
                      GError       **error)
{
  char a[G_ASCII_DTOSTR_BUF_SIZE];
  redisReply *reply;

  g_ascii_dtostr (a, sizeof a, seconds);
  reply = eval (self, pause_script, a, NULL, NULL, error);
  if (reply == NULL)
    return FALSE;
  freeReplyObject (reply);
  return TRUE;
}
