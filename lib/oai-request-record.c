/* oai-request-record.c: what one call did, for observers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>

#include "oai-request-record-private.h"

/**
 * OaiRequestRecord:
 *
 * The facts of one finished call, successful or not, as
 * [signal@Oai.Client::request-finished] reports them: the model, the HTTP
 * status of the last attempt, the number of attempts, the latency, the
 * server's request id, the usage and the error if the call failed.
 */
struct _OaiRequestRecord
{
  GObject parent_instance;

  char *model;
  guint status;
  guint attempts;
  double latency;
  char *request_id;
  char *finish_reason;
  OaiUsage *usage;
  double cost;
  GError *error;
};

G_DEFINE_FINAL_TYPE (OaiRequestRecord, oai_request_record, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_MODEL,
  PROP_STATUS,
  PROP_ATTEMPTS,
  PROP_LATENCY,
  PROP_REQUEST_ID,
  PROP_FINISH_REASON,
  PROP_USAGE,
  PROP_COST,
  PROP_ERROR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
oai_request_record_finalize (GObject *object)
{
  OaiRequestRecord *self = OAI_REQUEST_RECORD (object);

  g_clear_pointer (&self->model, g_free);
  g_clear_pointer (&self->request_id, g_free);
  g_clear_pointer (&self->finish_reason, g_free);
  g_clear_object (&self->usage);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (oai_request_record_parent_class)->finalize (object);
}

static void
oai_request_record_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  OaiRequestRecord *self = OAI_REQUEST_RECORD (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      g_value_set_string (value, self->model);
      break;
    case PROP_STATUS:
      g_value_set_uint (value, self->status);
      break;
    case PROP_ATTEMPTS:
      g_value_set_uint (value, self->attempts);
      break;
    case PROP_LATENCY:
      g_value_set_double (value, self->latency);
      break;
    case PROP_REQUEST_ID:
      g_value_set_string (value, self->request_id);
      break;
    case PROP_FINISH_REASON:
      g_value_set_string (value, self->finish_reason);
      break;
    case PROP_USAGE:
      g_value_set_object (value, self->usage);
      break;
    case PROP_COST:
      g_value_set_double (value, self->cost);
      break;
    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
oai_request_record_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  OaiRequestRecord *self = OAI_REQUEST_RECORD (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      self->model = g_value_dup_string (value);
      break;
    case PROP_STATUS:
      self->status = g_value_get_uint (value);
      break;
    case PROP_ATTEMPTS:
      self->attempts = g_value_get_uint (value);
      break;
    case PROP_LATENCY:
      self->latency = g_value_get_double (value);
      break;
    case PROP_REQUEST_ID:
      self->request_id = g_value_dup_string (value);
      break;
    case PROP_FINISH_REASON:
      self->finish_reason = g_value_dup_string (value);
      break;
    case PROP_USAGE:
      self->usage = g_value_dup_object (value);
      break;
    case PROP_ERROR:
      self->error = g_value_dup_boxed (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
oai_request_record_class_init (OaiRequestRecordClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = oai_request_record_finalize;
  object_class->get_property = oai_request_record_get_property;
  object_class->set_property = oai_request_record_set_property;

  /**
   * OaiRequestRecord:model:
   *
   * The model the request asked for.
   */
  properties[PROP_MODEL] = g_param_spec_string ("model", NULL, NULL, NULL, flags);

  /**
   * OaiRequestRecord:status:
   *
   * The HTTP status of the last attempt, 0 if no answer arrived.
   */
  properties[PROP_STATUS] = g_param_spec_uint ("status", NULL, NULL, 0, 999, 0, flags);

  /**
   * OaiRequestRecord:attempts:
   *
   * How many attempts were made, 0 if the request was refused before sending.
   */
  properties[PROP_ATTEMPTS] = g_param_spec_uint ("attempts", NULL, NULL, 0, G_MAXUINT, 0, flags);

  /**
   * OaiRequestRecord:latency:
   *
   * Seconds from the start of the call to its end, waits between attempts
   * included.
   */
  properties[PROP_LATENCY] =
    g_param_spec_double ("latency", NULL, NULL, 0.0, G_MAXDOUBLE, 0.0, flags);

  /**
   * OaiRequestRecord:request-id:
   *
   * The server's `x-request-id` of the last answer.
   */
  properties[PROP_REQUEST_ID] = g_param_spec_string ("request-id", NULL, NULL, NULL, flags);

  /**
   * OaiRequestRecord:finish-reason:
   *
   * Why the answer ended, for a successful call.
   */
  properties[PROP_FINISH_REASON] = g_param_spec_string ("finish-reason", NULL, NULL, NULL, flags);

  /**
   * OaiRequestRecord:usage:
   *
   * The tokens used, when the server reported them.
   */
  properties[PROP_USAGE] = g_param_spec_object ("usage", NULL, NULL, OAI_TYPE_USAGE, flags);

  /**
   * OaiRequestRecord:cost:
   *
   * The cost in US dollars; NaN when unknown.
   */
  properties[PROP_COST] =
    g_param_spec_double ("cost", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0.0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * OaiRequestRecord:error:
   *
   * Why the call failed, or %NULL if it succeeded.
   */
  properties[PROP_ERROR] = g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
oai_request_record_init (OaiRequestRecord *self)
{
  self->cost = NAN;
}

/**
 * oai_request_record_get_model:
 * @self: a record
 *
 * Returns: (nullable): the model asked for
 */
const char *
oai_request_record_get_model (OaiRequestRecord *self)
{
  g_return_val_if_fail (OAI_IS_REQUEST_RECORD (self), NULL);
  return self->model;
}

/**
 * oai_request_record_get_status:
 * @self: a record
 *
 * Returns: the HTTP status of the last attempt, or 0
 */
guint
oai_request_record_get_status (OaiRequestRecord *self)
{
  g_return_val_if_fail (OAI_IS_REQUEST_RECORD (self), 0);
  return self->status;
}

/**
 * oai_request_record_get_attempts:
 * @self: a record
 *
 * Returns: the number of attempts made
 */
guint
oai_request_record_get_attempts (OaiRequestRecord *self)
{
  g_return_val_if_fail (OAI_IS_REQUEST_RECORD (self), 0);
  return self->attempts;
}

/**
 * oai_request_record_get_latency:
 * @self: a record
 *
 * Returns: the duration of the call in seconds
 */
double
oai_request_record_get_latency (OaiRequestRecord *self)
{
  g_return_val_if_fail (OAI_IS_REQUEST_RECORD (self), 0.0);
  return self->latency;
}

/**
 * oai_request_record_get_request_id:
 * @self: a record
 *
 * Returns: (nullable): the server's request id
 */
const char *
oai_request_record_get_request_id (OaiRequestRecord *self)
{
  g_return_val_if_fail (OAI_IS_REQUEST_RECORD (self), NULL);
  return self->request_id;
}

/**
 * oai_request_record_get_finish_reason:
 * @self: a record
 *
 * Returns: (nullable): why the answer ended
 */
const char *
oai_request_record_get_finish_reason (OaiRequestRecord *self)
{
  g_return_val_if_fail (OAI_IS_REQUEST_RECORD (self), NULL);
  return self->finish_reason;
}

/**
 * oai_request_record_get_usage:
 * @self: a record
 *
 * Returns: (transfer none) (nullable): the tokens used
 */
OaiUsage *
oai_request_record_get_usage (OaiRequestRecord *self)
{
  g_return_val_if_fail (OAI_IS_REQUEST_RECORD (self), NULL);
  return self->usage;
}

/**
 * oai_request_record_get_cost:
 * @self: a record
 *
 * Returns: the cost in US dollars, or NaN when unknown
 */
double
oai_request_record_get_cost (OaiRequestRecord *self)
{
  g_return_val_if_fail (OAI_IS_REQUEST_RECORD (self), NAN);
  return self->cost;
}

/**
 * oai_request_record_get_error:
 * @self: a record
 *
 * Returns: (transfer none) (nullable): why the call failed
 */
const GError *
oai_request_record_get_error (OaiRequestRecord *self)
{
  g_return_val_if_fail (OAI_IS_REQUEST_RECORD (self), NULL);
  return self->error;
}

/**
 * oai_request_record_get_succeeded:
 * @self: a record
 *
 * Returns: %TRUE if the call ended with an answer
 */
gboolean
oai_request_record_get_succeeded (OaiRequestRecord *self)
{
  g_return_val_if_fail (OAI_IS_REQUEST_RECORD (self), FALSE);
  return self->error == NULL;
}

/* Unknown is NaN, which GObject's property validation refuses. */
void
oai_request_record_set_cost (OaiRequestRecord *self,
                             double            cost)
{
  self->cost = cost;
}
