/* oai-client.c: the connection to an OpenAI-compatible server
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "oai-call-private.h"
#include "oai-chat-stream-private.h"
#include "oai-client-private.h"
#include "oai-enums.h"
#include "oai-util-private.h"
#include "oai-version.h"

/**
 * OaiClient:
 *
 * The client of one account on one server: its API key, base URL and retry
 * policy, and one HTTP session whose connections every call reuses.
 *
 * Every call travels the same road: it is sent, its answer classified into the
 * [error@Oai.Error] taxonomy, retried with exponential backoff when that can
 * help (honouring the server's `retry-after-ms`, `retry-after` and
 * `x-should-retry`), and reported through [signal@Oai.Client::request-finished].
 *
 * ```c
 * g_autoptr(OaiClient) client = oai_client_new_from_environment ();
 * g_autoptr(OaiChatRequest) request = oai_chat_request_new ("gpt-4o-mini");
 * g_autoptr(OaiChatResponse) response = NULL;
 * g_autoptr(GError) error = NULL;
 *
 * oai_chat_request_add_message (request, OAI_ROLE_USER, "Say hello");
 * response = oai_client_chat (client, request, NULL, &error);
 * ```
 *
 * The API key is never logged and never part of an error message.
 */
struct _OaiClient
{
  GObject parent_instance;

  char *api_key;
  char *base_url;
  char *organization;
  char *project;
  double timeout;
  guint max_retries;
  double retry_base_delay;
  double retry_max_delay;
  OaiContextStrategy context_strategy;
  OaiCostTracker *cost_tracker;
  OaiRateLimiter *rate_limiter;
  gulong budget_warning_id;
  gulong budget_exceeded_id;

  /* The outcome of the last attempts, TRUE for a server error: a ring. */
  GArray *outcomes;
  guint next_outcome;
  guint n_server_errors;
  gboolean error_rate_alerted;

  SoupSession *session;
  /* Blocking calls run here, so their connections are reused from one call to
   * the next; a blocking call made while another thread holds it gets its own. */
  GMainContext *sync_context;
};

G_DEFINE_FINAL_TYPE (OaiClient, oai_client, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_API_KEY,
  PROP_BASE_URL,
  PROP_ORGANIZATION,
  PROP_PROJECT,
  PROP_TIMEOUT,
  PROP_MAX_RETRIES,
  PROP_RETRY_BASE_DELAY,
  PROP_RETRY_MAX_DELAY,
  PROP_CONTEXT_STRATEGY,
  PROP_ERROR_RATE_WINDOW,
  PROP_COST_TRACKER,
  PROP_RATE_LIMITER,
  N_PROPS
};

enum {
  RETRYING,
  REQUEST_FINISHED,
  CONTEXT_TRIMMED,
  ALERT,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
oai_client_dispose (GObject *object)
{
  OaiClient *self = OAI_CLIENT (object);

  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);
  if (self->cost_tracker != NULL)
    {
      g_clear_signal_handler (&self->budget_warning_id, self->cost_tracker);
      g_clear_signal_handler (&self->budget_exceeded_id, self->cost_tracker);
    }
  g_clear_object (&self->cost_tracker);
  g_clear_object (&self->rate_limiter);
  g_clear_pointer (&self->outcomes, g_array_unref);
  g_clear_pointer (&self->sync_context, g_main_context_unref);

  G_OBJECT_CLASS (oai_client_parent_class)->dispose (object);
}

static void
oai_client_finalize (GObject *object)
{
  OaiClient *self = OAI_CLIENT (object);

  if (self->api_key != NULL)
    memset (self->api_key, 0, strlen (self->api_key));
  g_clear_pointer (&self->api_key, g_free);
  g_clear_pointer (&self->base_url, g_free);
  g_clear_pointer (&self->organization, g_free);
  g_clear_pointer (&self->project, g_free);

  G_OBJECT_CLASS (oai_client_parent_class)->finalize (object);
}

static void
oai_client_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  OaiClient *self = OAI_CLIENT (object);

  switch (prop_id)
    {
    case PROP_API_KEY:
      g_value_set_string (value, self->api_key);
      break;
    case PROP_BASE_URL:
      g_value_set_string (value, self->base_url);
      break;
    case PROP_ORGANIZATION:
      g_value_set_string (value, self->organization);
      break;
    case PROP_PROJECT:
      g_value_set_string (value, self->project);
      break;
    case PROP_TIMEOUT:
      g_value_set_double (value, self->timeout);
      break;
    case PROP_MAX_RETRIES:
      g_value_set_uint (value, self->max_retries);
      break;
    case PROP_RETRY_BASE_DELAY:
      g_value_set_double (value, self->retry_base_delay);
      break;
    case PROP_RETRY_MAX_DELAY:
      g_value_set_double (value, self->retry_max_delay);
      break;
    case PROP_CONTEXT_STRATEGY:
      g_value_set_enum (value, self->context_strategy);
      break;
    case PROP_ERROR_RATE_WINDOW:
      g_value_set_uint (value, self->outcomes->len);
      break;
    case PROP_COST_TRACKER:
      g_value_set_object (value, self->cost_tracker);
      break;
    case PROP_RATE_LIMITER:
      g_value_set_object (value, self->rate_limiter);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
oai_client_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  OaiClient *self = OAI_CLIENT (object);

  switch (prop_id)
    {
    case PROP_API_KEY:
      oai_client_set_api_key (self, g_value_get_string (value));
      break;
    case PROP_BASE_URL:
      oai_client_set_base_url (self, g_value_get_string (value));
      break;
    case PROP_ORGANIZATION:
      oai_client_set_organization (self, g_value_get_string (value));
      break;
    case PROP_PROJECT:
      oai_client_set_project (self, g_value_get_string (value));
      break;
    case PROP_TIMEOUT:
      oai_client_set_timeout (self, g_value_get_double (value));
      break;
    case PROP_MAX_RETRIES:
      oai_client_set_max_retries (self, g_value_get_uint (value));
      break;
    case PROP_RETRY_BASE_DELAY:
      oai_client_set_retry_base_delay (self, g_value_get_double (value));
      break;
    case PROP_RETRY_MAX_DELAY:
      oai_client_set_retry_max_delay (self, g_value_get_double (value));
      break;
    case PROP_CONTEXT_STRATEGY:
      oai_client_set_context_strategy (self, g_value_get_enum (value));
      break;
    case PROP_ERROR_RATE_WINDOW:
      oai_client_set_error_rate_window (self, g_value_get_uint (value));
      break;
    case PROP_COST_TRACKER:
      oai_client_set_cost_tracker (self, g_value_get_object (value));
      break;
    case PROP_RATE_LIMITER:
      oai_client_set_rate_limiter (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
oai_client_class_init (OaiClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = oai_client_dispose;
  object_class->finalize = oai_client_finalize;
  object_class->get_property = oai_client_get_property;
  object_class->set_property = oai_client_set_property;

  /**
   * OaiClient:api-key:
   *
   * The API key, sent as a bearer token. %NULL or empty sends no
   * `Authorization` header, for local servers that need none.
   */
  properties[PROP_API_KEY] = g_param_spec_string ("api-key", NULL, NULL, NULL, flags);

  /**
   * OaiClient:base-url:
   *
   * The URL the API paths are relative to, e.g. "http://127.0.0.1:8080/v1"
   * for a local OpenAI-compatible server. Setting %NULL restores the default,
   * %OAI_DEFAULT_BASE_URL.
   */
  properties[PROP_BASE_URL] =
    g_param_spec_string ("base-url", NULL, NULL, OAI_DEFAULT_BASE_URL, flags);

  /**
   * OaiClient:organization:
   *
   * The organization to bill, sent as `OpenAI-Organization`.
   */
  properties[PROP_ORGANIZATION] = g_param_spec_string ("organization", NULL, NULL, NULL, flags);

  /**
   * OaiClient:project:
   *
   * The project to bill, sent as `OpenAI-Project`.
   */
  properties[PROP_PROJECT] = g_param_spec_string ("project", NULL, NULL, NULL, flags);

  /**
   * OaiClient:timeout:
   *
   * Seconds one attempt may take, from sending to the end of the answer,
   * before it fails with %OAI_ERROR_TIMEOUT (and is retried).
   */
  properties[PROP_TIMEOUT] =
    g_param_spec_double ("timeout", NULL, NULL, 0.001, G_MAXDOUBLE, 600.0, flags);

  /**
   * OaiClient:max-retries:
   *
   * How many times a call is retried after a retryable failure; the default
   * of 2 makes up to 3 attempts.
   */
  properties[PROP_MAX_RETRIES] =
    g_param_spec_uint ("max-retries", NULL, NULL, 0, 100, 2, flags);

  /**
   * OaiClient:retry-base-delay:
   *
   * Seconds before the first retry; each later retry waits twice as long, up
   * to [property@Oai.Client:retry-max-delay], less a random quarter.
   */
  properties[PROP_RETRY_BASE_DELAY] =
    g_param_spec_double ("retry-base-delay", NULL, NULL, 0.0, 3600.0, 0.5, flags);

  /**
   * OaiClient:retry-max-delay:
   *
   * The longest wait between attempts that the backoff schedule makes.
   */
  properties[PROP_RETRY_MAX_DELAY] =
    g_param_spec_double ("retry-max-delay", NULL, NULL, 0.0, 3600.0, 8.0, flags);

  /**
   * OaiClient:context-strategy:
   *
   * What to do with a conversation too long for the model. With a strategy
   * other than none, the client trims a request that it can tell is too long
   * for a model of its table before sending it, and when a server still
   * answers %OAI_ERROR_CONTEXT_LENGTH_EXCEEDED, trims to the limit the server
   * named and retries once; it never resends an unchanged request. The
   * caller's request is never changed: the trimmed copy is what is sent, and
   * [signal@Oai.Client::context-trimmed] says so.
   */
  properties[PROP_CONTEXT_STRATEGY] =
    g_param_spec_enum ("context-strategy", NULL, NULL, OAI_TYPE_CONTEXT_STRATEGY,
                       OAI_CONTEXT_STRATEGY_NONE, flags);

  /**
   * OaiClient:error-rate-window:
   *
   * How many of the last requests (attempts) the server-error rate is taken
   * over: when more than 1 % of them failed with a server error,
   * [signal@Oai.Client::alert] says so once, and again only after the rate
   * fell back.
   */
  properties[PROP_ERROR_RATE_WINDOW] =
    g_param_spec_uint ("error-rate-window", NULL, NULL, 1, 100000, 100, flags);

  /**
   * OaiClient:cost-tracker:
   *
   * Where the usage of every answer is counted; never %NULL. Several clients
   * can share one tracker.
   */
  properties[PROP_COST_TRACKER] =
    g_param_spec_object ("cost-tracker", NULL, NULL, OAI_TYPE_COST_TRACKER, flags);

  /**
   * OaiClient:rate-limiter:
   *
   * Keeps the client's calls under the account's limits; %NULL (the
   * default) for none. Several clients of one account share one limiter.
   */
  properties[PROP_RATE_LIMITER] =
    g_param_spec_object ("rate-limiter", NULL, NULL, OAI_TYPE_RATE_LIMITER, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * OaiClient::retrying:
   * @self: the client
   * @attempt: the number of the attempt about to be made (2 for the first retry)
   * @error: why the previous attempt failed
   * @delay_ms: how long the client waits before that attempt
   *
   * Emitted before every wait between two attempts of a call, so an app can
   * say "retrying in 3 s".
   */
  signals[RETRYING] =
    g_signal_new ("retrying",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3,
                  G_TYPE_UINT,
                  G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE,
                  G_TYPE_UINT);

  /**
   * OaiClient::request-finished:
   * @self: the client
   * @record: what the call did
   *
   * Emitted once at the end of every call, successful, failed or cancelled,
   * before its callback runs.
   */
  signals[REQUEST_FINISHED] =
    g_signal_new ("request-finished",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1,
                  OAI_TYPE_REQUEST_RECORD);

  /**
   * OaiClient::context-trimmed:
   * @self: the client
   * @sent: the request as it is sent, without the dropped turns
   * @n_dropped: how many messages were left out
   * @summarized: whether a summary of them took their place
   *
   * Emitted when a conversation was too long for the model and the client
   * trimmed it by its [property@Oai.Client:context-strategy].
   */
  signals[CONTEXT_TRIMMED] =
    g_signal_new ("context-trimmed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3,
                  OAI_TYPE_CHAT_REQUEST,
                  G_TYPE_UINT,
                  G_TYPE_BOOLEAN);

  /**
   * OaiClient::alert:
   * @self: the client
   * @kind: what happened
   * @message: a description for a person, with the server's words
   *
   * Emitted when something needs a person's attention: a refused API key, a
   * rate-limit hit, an exhausted quota.
   */
  signals[ALERT] =
    g_signal_new ("alert",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2,
                  OAI_TYPE_ALERT_KIND,
                  G_TYPE_STRING);
}

static void
oai_client_init (OaiClient *self)
{
  self->base_url = g_strdup (OAI_DEFAULT_BASE_URL);
  self->timeout = 600.0;
  self->max_retries = 2;
  self->retry_base_delay = 0.5;
  self->retry_max_delay = 8.0;
  self->outcomes = g_array_new (FALSE, TRUE, sizeof (gboolean));
  g_array_set_size (self->outcomes, 100);
  oai_client_set_cost_tracker (self, NULL);

  /* libsoup's defaults (2 connections per host) would queue concurrent calls,
   * and its 60 s I/O timeout would cut a slow model's answer: each call has
   * its own timer, the timeout property. */
  self->session = soup_session_new_with_options ("user-agent", "openai-glib/" OAI_VERSION_S,
                                                 "max-conns", 256,
                                                 "max-conns-per-host", 128,
                                                 "timeout", 0,
                                                 NULL);
}

/**
 * oai_client_new:
 * @api_key: (nullable): the API key
 *
 * Creates a client of the OpenAI API. Set [property@Oai.Client:base-url] for
 * any other OpenAI-compatible server.
 *
 * Returns: (transfer full): a new client
 */
OaiClient *
oai_client_new (const char *api_key)
{
  return g_object_new (OAI_TYPE_CLIENT, "api-key", api_key, NULL);
}

static const char *
getenv_nonempty (const char *name)
{
  const char *value = g_getenv (name);
  return value != NULL && *value != '\0' ? value : NULL;
}

/**
 * oai_client_new_from_environment:
 *
 * Creates a client configured as the official SDKs are, from
 * `OPENAI_API_KEY`, `OPENAI_BASE_URL`, `OPENAI_ORG_ID` and `OPENAI_PROJECT_ID`.
 *
 * Returns: (transfer full): a new client
 */
OaiClient *
oai_client_new_from_environment (void)
{
  return g_object_new (OAI_TYPE_CLIENT,
                       "api-key", getenv_nonempty ("OPENAI_API_KEY"),
                       "base-url", getenv_nonempty ("OPENAI_BASE_URL"),
                       "organization", getenv_nonempty ("OPENAI_ORG_ID"),
                       "project", getenv_nonempty ("OPENAI_PROJECT_ID"),
                       NULL);
}

/**
 * oai_client_get_api_key:
 * @self: a client
 *
 * Returns: (nullable): the API key
 */
const char *
oai_client_get_api_key (OaiClient *self)
{
  g_return_val_if_fail (OAI_IS_CLIENT (self), NULL);
  return self->api_key;
}

/**
 * oai_client_get_base_url:
 * @self: a client
 *
 * Returns: the base URL
 */
const char *
oai_client_get_base_url (OaiClient *self)
{
  g_return_val_if_fail (OAI_IS_CLIENT (self), NULL);
  return self->base_url;
}

/**
 * oai_client_get_organization:
 * @self: a client
 *
 * Returns: (nullable): the organization
 */
const char *
oai_client_get_organization (OaiClient *self)
{
  g_return_val_if_fail (OAI_IS_CLIENT (self), NULL);
  return self->organization;
}

/**
 * oai_client_get_project:
 * @self: a client
 *
 * Returns: (nullable): the project
 */
const char *
oai_client_get_project (OaiClient *self)
{
  g_return_val_if_fail (OAI_IS_CLIENT (self), NULL);
  return self->project;
}

static void
set_string (OaiClient  *self,
            char      **field,
            const char *value,
            guint       prop_id)
{
  if (oai_set_str (field, value))
    g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

/* Keys and ids are pasted, or read from files that end with a newline: the
 * white space around them is never part of them. */
static void
set_credential (OaiClient  *self,
                char      **field,
                const char *value,
                guint       prop_id)
{
  g_autofree char *stripped = value ? g_strstrip (g_strdup (value)) : NULL;

  set_string (self, field, stripped && *stripped ? stripped : NULL, prop_id);
  if (stripped != NULL)
    memset (stripped, 0, strlen (stripped));
}

/**
 * oai_client_set_api_key:
 * @self: a client
 * @api_key: (nullable): the API key
 *
 * Sets the API key used by calls started from now on. White space around it
 * (the newline of a key read from a file) is dropped.
 */
void
oai_client_set_api_key (OaiClient  *self,
                        const char *api_key)
{
  g_return_if_fail (OAI_IS_CLIENT (self));
  set_credential (self, &self->api_key, api_key, PROP_API_KEY);
}

/**
 * oai_client_set_base_url:
 * @self: a client
 * @base_url: (nullable): the base URL, or %NULL for %OAI_DEFAULT_BASE_URL
 *
 * Sets the server that calls started from now on go to.
 */
void
oai_client_set_base_url (OaiClient  *self,
                         const char *base_url)
{
  g_autofree char *trimmed = NULL;

  g_return_if_fail (OAI_IS_CLIENT (self));

  trimmed = g_strdup (base_url != NULL && *base_url != '\0' ? base_url : OAI_DEFAULT_BASE_URL);
  /* "…/v1/" and "…/v1" mean the same server. */
  while (g_str_has_suffix (trimmed, "/"))
    trimmed[strlen (trimmed) - 1] = '\0';

  set_string (self, &self->base_url, trimmed, PROP_BASE_URL);
}

/**
 * oai_client_set_organization:
 * @self: a client
 * @organization: (nullable): the organization id
 *
 * Sets the organization to bill.
 */
void
oai_client_set_organization (OaiClient  *self,
                             const char *organization)
{
  g_return_if_fail (OAI_IS_CLIENT (self));
  set_credential (self, &self->organization, organization, PROP_ORGANIZATION);
}

/**
 * oai_client_set_project:
 * @self: a client
 * @project: (nullable): the project id
 *
 * Sets the project to bill.
 */
void
oai_client_set_project (OaiClient  *self,
                        const char *project)
{
  g_return_if_fail (OAI_IS_CLIENT (self));
  set_credential (self, &self->project, project, PROP_PROJECT);
}

static void
set_double (OaiClient *self,
            double    *field,
            double     value,
            guint      prop_id)
{
  if (*field != value)
    {
      *field = value;
      g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
    }
}

/**
 * oai_client_get_timeout:
 * @self: a client
 *
 * Returns: the seconds one attempt may take
 */
double
oai_client_get_timeout (OaiClient *self)
{
  g_return_val_if_fail (OAI_IS_CLIENT (self), 0.0);
  return self->timeout;
}

/**
 * oai_client_set_timeout:
 * @self: a client
 * @timeout: seconds, more than 0
 *
 * Sets the seconds one attempt may take.
 */
void
oai_client_set_timeout (OaiClient *self,
                        double     timeout)
{
  g_return_if_fail (OAI_IS_CLIENT (self));
  g_return_if_fail (timeout > 0.0);
  set_double (self, &self->timeout, timeout, PROP_TIMEOUT);
}

/**
 * oai_client_get_max_retries:
 * @self: a client
 *
 * Returns: how many times a call is retried
 */
guint
oai_client_get_max_retries (OaiClient *self)
{
  g_return_val_if_fail (OAI_IS_CLIENT (self), 0);
  return self->max_retries;
}

/**
 * oai_client_set_max_retries:
 * @self: a client
 * @max_retries: retries after the first attempt, 0 for none
 *
 * Sets how many times a call is retried.
 */
void
oai_client_set_max_retries (OaiClient *self,
                            guint      max_retries)
{
  g_return_if_fail (OAI_IS_CLIENT (self));
  g_return_if_fail (max_retries <= 100);

  if (self->max_retries != max_retries)
    {
      self->max_retries = max_retries;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_RETRIES]);
    }
}

/**
 * oai_client_get_retry_base_delay:
 * @self: a client
 *
 * Returns: the seconds before the first retry
 */
double
oai_client_get_retry_base_delay (OaiClient *self)
{
  g_return_val_if_fail (OAI_IS_CLIENT (self), 0.0);
  return self->retry_base_delay;
}

/**
 * oai_client_set_retry_base_delay:
 * @self: a client
 * @delay: seconds
 *
 * Sets the wait before the first retry.
 */
void
oai_client_set_retry_base_delay (OaiClient *self,
                                 double     delay)
{
  g_return_if_fail (OAI_IS_CLIENT (self));
  g_return_if_fail (delay >= 0.0 && delay <= 3600.0);
  set_double (self, &self->retry_base_delay, delay, PROP_RETRY_BASE_DELAY);
}

/**
 * oai_client_get_retry_max_delay:
 * @self: a client
 *
 * Returns: the longest backoff wait in seconds
 */
double
oai_client_get_retry_max_delay (OaiClient *self)
{
  g_return_val_if_fail (OAI_IS_CLIENT (self), 0.0);
  return self->retry_max_delay;
}

/**
 * oai_client_set_retry_max_delay:
 * @self: a client
 * @delay: seconds
 *
 * Sets the longest wait the backoff schedule makes.
 */
void
oai_client_set_retry_max_delay (OaiClient *self,
                                double     delay)
{
  g_return_if_fail (OAI_IS_CLIENT (self));
  g_return_if_fail (delay >= 0.0 && delay <= 3600.0);
  set_double (self, &self->retry_max_delay, delay, PROP_RETRY_MAX_DELAY);
}

/**
 * oai_client_get_context_strategy:
 * @self: a client
 *
 * Returns: what the client does with a conversation too long for the model
 */
OaiContextStrategy
oai_client_get_context_strategy (OaiClient *self)
{
  g_return_val_if_fail (OAI_IS_CLIENT (self), OAI_CONTEXT_STRATEGY_NONE);
  return self->context_strategy;
}

/**
 * oai_client_set_context_strategy:
 * @self: a client
 * @strategy: a strategy
 *
 * Sets what the client does with a conversation too long for the model.
 */
void
oai_client_set_context_strategy (OaiClient          *self,
                                 OaiContextStrategy  strategy)
{
  g_return_if_fail (OAI_IS_CLIENT (self));
  g_return_if_fail (strategy <= OAI_CONTEXT_STRATEGY_SUMMARIZE);

  if (self->context_strategy != strategy)
    {
      self->context_strategy = strategy;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONTEXT_STRATEGY]);
    }
}

static void
budget_warning_cb (OaiCostTracker *tracker,
                   double          spent,
                   double          budget,
                   OaiClient      *self)
{
  g_autofree char *message =
    g_strdup_printf ("$%.2f of the monthly budget of $%.2f is spent (%.0f %%)",
                     spent, budget, 100 * spent / budget);

  oai_client_emit_alert (self, OAI_ALERT_BUDGET_WARNING, message);
}

static void
budget_exceeded_cb (OaiCostTracker *tracker,
                    double          spent,
                    double          budget,
                    OaiClient      *self)
{
  g_autofree char *message =
    g_strdup_printf ("The monthly budget of $%.2f is spent: $%.2f this month", budget, spent);

  oai_client_emit_alert (self, OAI_ALERT_BUDGET_EXCEEDED, message);
}

/**
 * oai_client_get_cost_tracker:
 * @self: a client
 *
 * Returns: (transfer none): the cost tracker
 */
OaiCostTracker *
oai_client_get_cost_tracker (OaiClient *self)
{
  g_return_val_if_fail (OAI_IS_CLIENT (self), NULL);
  return self->cost_tracker;
}

/**
 * oai_client_set_cost_tracker:
 * @self: a client
 * @tracker: (nullable): a tracker, or %NULL for a new one of the client's own
 *
 * Sets where the usage of answers is counted.
 */
void
oai_client_set_cost_tracker (OaiClient      *self,
                             OaiCostTracker *tracker)
{
  g_autoptr(OaiCostTracker) own = NULL;

  g_return_if_fail (OAI_IS_CLIENT (self));
  g_return_if_fail (tracker == NULL || OAI_IS_COST_TRACKER (tracker));

  if (tracker == NULL)
    tracker = own = oai_cost_tracker_new ();

  if (tracker == self->cost_tracker)
    return;

  if (self->cost_tracker != NULL)
    {
      g_clear_signal_handler (&self->budget_warning_id, self->cost_tracker);
      g_clear_signal_handler (&self->budget_exceeded_id, self->cost_tracker);
    }
  g_set_object (&self->cost_tracker, tracker);
  self->budget_warning_id = g_signal_connect (tracker, "budget-warning",
                                              G_CALLBACK (budget_warning_cb), self);
  self->budget_exceeded_id = g_signal_connect (tracker, "budget-exceeded",
                                               G_CALLBACK (budget_exceeded_cb), self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COST_TRACKER]);
}

/**
 * oai_client_get_rate_limiter:
 * @self: a client
 *
 * Returns: (transfer none) (nullable): the rate limiter
 */
OaiRateLimiter *
oai_client_get_rate_limiter (OaiClient *self)
{
  g_return_val_if_fail (OAI_IS_CLIENT (self), NULL);
  return self->rate_limiter;
}

/**
 * oai_client_set_rate_limiter:
 * @self: a client
 * @limiter: (nullable): a limiter, or %NULL for none
 *
 * Sets the limiter calls started from now on wait for.
 */
void
oai_client_set_rate_limiter (OaiClient      *self,
                             OaiRateLimiter *limiter)
{
  g_return_if_fail (OAI_IS_CLIENT (self));
  g_return_if_fail (limiter == NULL || OAI_IS_RATE_LIMITER (limiter));

  if (g_set_object (&self->rate_limiter, limiter))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RATE_LIMITER]);
}

/**
 * oai_client_get_error_rate_window:
 * @self: a client
 *
 * Returns: how many of the last requests the server-error rate is taken over
 */
guint
oai_client_get_error_rate_window (OaiClient *self)
{
  g_return_val_if_fail (OAI_IS_CLIENT (self), 0);
  return self->outcomes->len;
}

/**
 * oai_client_set_error_rate_window:
 * @self: a client
 * @window: a number of requests, at least 1
 *
 * Sets how many of the last requests the server-error rate is taken over.
 * The count starts afresh.
 */
void
oai_client_set_error_rate_window (OaiClient *self,
                                  guint      window)
{
  g_return_if_fail (OAI_IS_CLIENT (self));
  g_return_if_fail (window >= 1 && window <= 100000);

  if (self->outcomes->len == window)
    return;

  g_array_set_size (self->outcomes, 0);
  g_array_set_size (self->outcomes, window);
  self->next_outcome = 0;
  self->n_server_errors = 0;
  self->error_rate_alerted = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_RATE_WINDOW]);
}

/* Every attempt's outcome, for the server-error rate of the last ones. */
void
oai_client_note_attempt (OaiClient *self,
                         gboolean   server_error)
{
  gboolean *slot = &g_array_index (self->outcomes, gboolean, self->next_outcome);
  guint window = self->outcomes->len;

  self->n_server_errors += (server_error ? 1 : 0) - (*slot ? 1 : 0);
  *slot = server_error;
  self->next_outcome = (self->next_outcome + 1) % window;

  /* Over the window's size, so that one failure among the first requests
   * is not a rate of 100 %. */
  if (self->n_server_errors * 100 > window)
    {
      if (!self->error_rate_alerted)
        {
          g_autofree char *message =
            g_strdup_printf ("%u of the last %u requests failed with a server error",
                             self->n_server_errors, window);

          self->error_rate_alerted = TRUE;
          oai_client_emit_alert (self, OAI_ALERT_SERVER_ERROR_RATE, message);
        }
    }
  else
    self->error_rate_alerted = FALSE;
}

SoupSession *
oai_client_get_session (OaiClient *self)
{
  return self->session;
}

void
oai_client_emit_retrying (OaiClient    *self,
                          guint         attempt,
                          const GError *error,
                          guint         delay_ms)
{
  g_signal_emit (self, signals[RETRYING], 0, attempt, error, delay_ms);
}

void
oai_client_emit_request_finished (OaiClient        *self,
                                  OaiRequestRecord *record)
{
  g_signal_emit (self, signals[REQUEST_FINISHED], 0, record);
}

void
oai_client_emit_context_trimmed (OaiClient      *self,
                                 OaiChatRequest *sent,
                                 guint           n_dropped,
                                 gboolean        summarized)
{
  g_signal_emit (self, signals[CONTEXT_TRIMMED], 0, sent, n_dropped, summarized);
}

void
oai_client_emit_alert (OaiClient    *self,
                       OaiAlertKind  kind,
                       const char   *message)
{
  g_signal_emit (self, signals[ALERT], 0, kind, message);
}

/**
 * oai_client_chat_async:
 * @self: a client
 * @request: what to ask
 * @cancellable: (nullable): to stop the call at any moment
 * @callback: (scope async): called when the answer is in or the call failed
 * @user_data: data for @callback
 *
 * Sends a chat request, retrying as the taxonomy says, and calls @callback on
 * the thread-default main context of the caller. The request is serialized
 * when the call starts: changing it afterwards does not change the call.
 */
void
oai_client_chat_async (OaiClient           *self,
                       OaiChatRequest      *request,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_return_if_fail (OAI_IS_CLIENT (self));
  g_return_if_fail (OAI_IS_CHAT_REQUEST (request));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  oai_call_start (self, self, request, NULL, cancellable, oai_client_chat_async, callback, user_data);
}

/**
 * oai_client_chat_finish:
 * @self: a client
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Ends a call started with oai_client_chat_async().
 *
 * Returns: (transfer full): the answer, or %NULL with @error set in the
 *   %OAI_ERROR domain, or %G_IO_ERROR_CANCELLED
 */
OaiChatResponse *
oai_client_chat_finish (OaiClient     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (OAI_IS_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == oai_client_chat_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
sync_result_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GAsyncResult **out = user_data;
  *out = g_object_ref (result);
}

/**
 * oai_client_chat:
 * @self: a client
 * @request: what to ask
 * @cancellable: (nullable): to stop the call from another thread
 * @error: return location for an error
 *
 * Sends a chat request and waits for the answer, for scripts and worker
 * threads: no main loop needs to run. Signals of the client are emitted on
 * the calling thread while it waits.
 *
 * Returns: (transfer full): the answer, or %NULL with @error set
 */
OaiChatResponse *
oai_client_chat (OaiClient       *self,
                 OaiChatRequest  *request,
                 GCancellable    *cancellable,
                 GError         **error)
{
  g_autoptr(GMainContext) context = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  g_return_val_if_fail (OAI_IS_CLIENT (self), NULL);
  g_return_val_if_fail (OAI_IS_CHAT_REQUEST (request), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Another thread in a blocking call holds the shared context: this call gets a
   * private one (libsoup keeps connections apart per context). */
  G_LOCK_DEFINE_STATIC (sync_context);
  G_LOCK (sync_context);
  if (self->sync_context == NULL)
    self->sync_context = g_main_context_new ();
  context = g_main_context_ref (self->sync_context);
  G_UNLOCK (sync_context);

  if (!g_main_context_acquire (context))
    {
      g_main_context_unref (context);
      context = g_main_context_new ();
      g_main_context_acquire (context);
    }

  g_main_context_push_thread_default (context);
  oai_client_chat_async (self, request, cancellable, sync_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);
  g_main_context_release (context);

  return oai_client_chat_finish (self, result, error);
}

/**
 * oai_client_stream_chat:
 * @self: a client
 * @request: what to ask
 *
 * Prepares a streamed chat call. Nothing is sent until
 * [method@Oai.ChatStream.run_async]: connect to the stream's signals first.
 *
 * Returns: (transfer full): a new stream, not yet started
 */
OaiChatStream *
oai_client_stream_chat (OaiClient      *self,
                        OaiChatRequest *request)
{
  g_return_val_if_fail (OAI_IS_CLIENT (self), NULL);
  g_return_val_if_fail (OAI_IS_CHAT_REQUEST (request), NULL);

  return oai_chat_stream_new (self, request);
}

/**
 * oai_client_list_models_async:
 * @self: a client
 * @cancellable: (nullable): to stop the call
 * @callback: (scope async): called with the list
 * @user_data: data for @callback
 *
 * Asks the server which models it offers (`GET /models`), retrying as any
 * call does.
 */
void
oai_client_list_models_async (OaiClient           *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (OAI_IS_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  oai_call_start_models (self, cancellable, oai_client_list_models_async, callback, user_data);
}

/**
 * oai_client_list_models_finish:
 * @self: a client
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Returns: (transfer full) (array zero-terminated=1): the models' ids, sorted,
 *   or %NULL with @error set
 */
char **
oai_client_list_models_finish (OaiClient     *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (OAI_IS_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == oai_client_list_models_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
