/* oai-spend.c: one row of spend, by day or by model
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "oai-spend-private.h"

/**
 * OaiSpend:
 *
 * What the calls of one day, or to one model, cost, as
 * [method@Oai.CostTracker.get_spend_by_day] and
 * [method@Oai.CostTracker.get_spend_by_model] list it from the ledger.
 */
struct _OaiSpend
{
  GObject parent_instance;

  char *key;
  double cost;
  guint64 requests;
  guint64 unknown_cost_requests;
  guint64 prompt_tokens;
  guint64 completion_tokens;
};

G_DEFINE_FINAL_TYPE (OaiSpend, oai_spend, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_KEY,
  PROP_COST,
  PROP_REQUESTS,
  PROP_UNKNOWN_COST_REQUESTS,
  PROP_PROMPT_TOKENS,
  PROP_COMPLETION_TOKENS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
oai_spend_finalize (GObject *object)
{
  g_free (OAI_SPEND (object)->key);
  G_OBJECT_CLASS (oai_spend_parent_class)->finalize (object);
}

static void
oai_spend_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  OaiSpend *self = OAI_SPEND (object);

  switch (prop_id)
    {
    case PROP_KEY:
      g_value_set_string (value, self->key);
      break;
    case PROP_COST:
      g_value_set_double (value, self->cost);
      break;
    case PROP_REQUESTS:
      g_value_set_uint64 (value, self->requests);
      break;
    case PROP_UNKNOWN_COST_REQUESTS:
      g_value_set_uint64 (value, self->unknown_cost_requests);
      break;
    case PROP_PROMPT_TOKENS:
      g_value_set_uint64 (value, self->prompt_tokens);
      break;
    case PROP_COMPLETION_TOKENS:
      g_value_set_uint64 (value, self->completion_tokens);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
oai_spend_class_init (OaiSpendClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = oai_spend_finalize;
  object_class->get_property = oai_spend_get_property;

  /**
   * OaiSpend:key:
   *
   * The day ("YYYY-MM-DD", UTC) or the model.
   */
  properties[PROP_KEY] = g_param_spec_string ("key", NULL, NULL, NULL, flags);

  /**
   * OaiSpend:cost:
   *
   * The known costs added up, in US dollars.
   */
  properties[PROP_COST] = g_param_spec_double ("cost", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);

  /**
   * OaiSpend:requests:
   *
   * The calls, whether their cost is known or not.
   */
  properties[PROP_REQUESTS] =
    g_param_spec_uint64 ("requests", NULL, NULL, 0, G_MAXUINT64, 0, flags);

  /**
   * OaiSpend:unknown-cost-requests:
   *
   * The calls whose cost is unknown (a model without a price).
   */
  properties[PROP_UNKNOWN_COST_REQUESTS] =
    g_param_spec_uint64 ("unknown-cost-requests", NULL, NULL, 0, G_MAXUINT64, 0, flags);

  /**
   * OaiSpend:prompt-tokens:
   *
   * The prompt tokens of the calls.
   */
  properties[PROP_PROMPT_TOKENS] =
    g_param_spec_uint64 ("prompt-tokens", NULL, NULL, 0, G_MAXUINT64, 0, flags);

  /**
   * OaiSpend:completion-tokens:
   *
   * The completion tokens of the calls.
   */
  properties[PROP_COMPLETION_TOKENS] =
    g_param_spec_uint64 ("completion-tokens", NULL, NULL, 0, G_MAXUINT64, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
oai_spend_init (OaiSpend *self)
{
}

OaiSpend *
oai_spend_new (const OaiLedgerSpend *row)
{
  OaiSpend *self = g_object_new (OAI_TYPE_SPEND, NULL);

  self->key = g_strdup (row->key);
  self->cost = row->cost;
  self->requests = row->requests;
  self->unknown_cost_requests = row->unknown_cost_requests;
  self->prompt_tokens = row->prompt_tokens;
  self->completion_tokens = row->completion_tokens;

  return self;
}

/**
 * oai_spend_get_key:
 * @self: a spend row
 *
 * Returns: the day ("YYYY-MM-DD", UTC) or the model
 */
const char *
oai_spend_get_key (OaiSpend *self)
{
  g_return_val_if_fail (OAI_IS_SPEND (self), NULL);
  return self->key;
}

/**
 * oai_spend_get_cost:
 * @self: a spend row
 *
 * Returns: the known costs added up, in US dollars
 */
double
oai_spend_get_cost (OaiSpend *self)
{
  g_return_val_if_fail (OAI_IS_SPEND (self), 0);
  return self->cost;
}

/**
 * oai_spend_get_requests:
 * @self: a spend row
 *
 * Returns: the number of calls
 */
guint64
oai_spend_get_requests (OaiSpend *self)
{
  g_return_val_if_fail (OAI_IS_SPEND (self), 0);
  return self->requests;
}

/**
 * oai_spend_get_unknown_cost_requests:
 * @self: a spend row
 *
 * Returns: the number of calls whose cost is unknown
 */
guint64
oai_spend_get_unknown_cost_requests (OaiSpend *self)
{
  g_return_val_if_fail (OAI_IS_SPEND (self), 0);
  return self->unknown_cost_requests;
}

/**
 * oai_spend_get_prompt_tokens:
 * @self: a spend row
 *
 * Returns: the prompt tokens of the calls
 */
guint64
oai_spend_get_prompt_tokens (OaiSpend *self)
{
  g_return_val_if_fail (OAI_IS_SPEND (self), 0);
  return self->prompt_tokens;
}

/**
 * oai_spend_get_completion_tokens:
 * @self: a spend row
 *
 * Returns: the completion tokens of the calls
 */
guint64
oai_spend_get_completion_tokens (OaiSpend *self)
{
  g_return_val_if_fail (OAI_IS_SPEND (self), 0);
  return self->completion_tokens;
}
