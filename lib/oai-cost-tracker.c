/* oai-cost-tracker.c: what the calls of a client have used
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "oai-cost-tracker.h"

/**
 * OaiCostTracker:
 *
 * Sums the usage of every successful call of the clients it is attached to
 * (see [property@Oai.Client:cost-tracker]): requests, prompt, cached,
 * completion and reasoning tokens. Each total notifies when it changes, so an
 * app can bind a label to it.
 */
struct _OaiCostTracker
{
  GObject parent_instance;

  guint64 request_count;
  guint64 prompt_tokens;
  guint64 completion_tokens;
  guint64 cached_tokens;
  guint64 reasoning_tokens;
};

G_DEFINE_FINAL_TYPE (OaiCostTracker, oai_cost_tracker, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_REQUEST_COUNT,
  PROP_PROMPT_TOKENS,
  PROP_COMPLETION_TOKENS,
  PROP_CACHED_TOKENS,
  PROP_REASONING_TOKENS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
oai_cost_tracker_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  OaiCostTracker *self = OAI_COST_TRACKER (object);

  switch (prop_id)
    {
    case PROP_REQUEST_COUNT:
      g_value_set_uint64 (value, self->request_count);
      break;
    case PROP_PROMPT_TOKENS:
      g_value_set_uint64 (value, self->prompt_tokens);
      break;
    case PROP_COMPLETION_TOKENS:
      g_value_set_uint64 (value, self->completion_tokens);
      break;
    case PROP_CACHED_TOKENS:
      g_value_set_uint64 (value, self->cached_tokens);
      break;
    case PROP_REASONING_TOKENS:
      g_value_set_uint64 (value, self->reasoning_tokens);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
oai_cost_tracker_class_init (OaiCostTrackerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->get_property = oai_cost_tracker_get_property;

  /**
   * OaiCostTracker:request-count:
   *
   * The number of answered calls counted.
   */
  properties[PROP_REQUEST_COUNT] =
    g_param_spec_uint64 ("request-count", NULL, NULL, 0, G_MAXUINT64, 0, flags);

  /**
   * OaiCostTracker:prompt-tokens:
   *
   * All prompt tokens, cached ones included.
   */
  properties[PROP_PROMPT_TOKENS] =
    g_param_spec_uint64 ("prompt-tokens", NULL, NULL, 0, G_MAXUINT64, 0, flags);

  /**
   * OaiCostTracker:completion-tokens:
   *
   * All completion tokens, reasoning ones included.
   */
  properties[PROP_COMPLETION_TOKENS] =
    g_param_spec_uint64 ("completion-tokens", NULL, NULL, 0, G_MAXUINT64, 0, flags);

  /**
   * OaiCostTracker:cached-tokens:
   *
   * Prompt tokens served from the cache.
   */
  properties[PROP_CACHED_TOKENS] =
    g_param_spec_uint64 ("cached-tokens", NULL, NULL, 0, G_MAXUINT64, 0, flags);

  /**
   * OaiCostTracker:reasoning-tokens:
   *
   * Completion tokens spent on reasoning.
   */
  properties[PROP_REASONING_TOKENS] =
    g_param_spec_uint64 ("reasoning-tokens", NULL, NULL, 0, G_MAXUINT64, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
oai_cost_tracker_init (OaiCostTracker *self)
{
}

/**
 * oai_cost_tracker_new:
 *
 * Creates a tracker that keeps its totals in memory.
 *
 * Returns: (transfer full): a new tracker
 */
OaiCostTracker *
oai_cost_tracker_new (void)
{
  return g_object_new (OAI_TYPE_COST_TRACKER, NULL);
}

static void
add_count (OaiCostTracker *self,
           guint64        *total,
           guint           count,
           guint           prop_id)
{
  if (count == 0)
    return;
  *total += count;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

/**
 * oai_cost_tracker_add_usage:
 * @self: a tracker
 * @model: (nullable): the model that answered
 * @usage: what the answer used
 *
 * Counts one answered call. The client calls this for every answer; call it
 * yourself only for calls made elsewhere.
 */
void
oai_cost_tracker_add_usage (OaiCostTracker *self,
                            const char     *model,
                            OaiUsage       *usage)
{
  g_return_if_fail (OAI_IS_COST_TRACKER (self));
  g_return_if_fail (OAI_IS_USAGE (usage));

  g_object_freeze_notify (G_OBJECT (self));
  add_count (self, &self->request_count, 1, PROP_REQUEST_COUNT);
  add_count (self, &self->prompt_tokens, oai_usage_get_prompt_tokens (usage), PROP_PROMPT_TOKENS);
  add_count (self, &self->completion_tokens, oai_usage_get_completion_tokens (usage),
             PROP_COMPLETION_TOKENS);
  add_count (self, &self->cached_tokens, oai_usage_get_cached_tokens (usage), PROP_CACHED_TOKENS);
  add_count (self, &self->reasoning_tokens, oai_usage_get_reasoning_tokens (usage),
             PROP_REASONING_TOKENS);
  g_object_thaw_notify (G_OBJECT (self));
}

/**
 * oai_cost_tracker_get_request_count:
 * @self: a tracker
 *
 * Returns: the number of answered calls counted
 */
guint64
oai_cost_tracker_get_request_count (OaiCostTracker *self)
{
  g_return_val_if_fail (OAI_IS_COST_TRACKER (self), 0);
  return self->request_count;
}

/**
 * oai_cost_tracker_get_prompt_tokens:
 * @self: a tracker
 *
 * Returns: all prompt tokens counted
 */
guint64
oai_cost_tracker_get_prompt_tokens (OaiCostTracker *self)
{
  g_return_val_if_fail (OAI_IS_COST_TRACKER (self), 0);
  return self->prompt_tokens;
}

/**
 * oai_cost_tracker_get_completion_tokens:
 * @self: a tracker
 *
 * Returns: all completion tokens counted
 */
guint64
oai_cost_tracker_get_completion_tokens (OaiCostTracker *self)
{
  g_return_val_if_fail (OAI_IS_COST_TRACKER (self), 0);
  return self->completion_tokens;
}

/**
 * oai_cost_tracker_get_cached_tokens:
 * @self: a tracker
 *
 * Returns: all cached prompt tokens counted
 */
guint64
oai_cost_tracker_get_cached_tokens (OaiCostTracker *self)
{
  g_return_val_if_fail (OAI_IS_COST_TRACKER (self), 0);
  return self->cached_tokens;
}

/**
 * oai_cost_tracker_get_reasoning_tokens:
 * @self: a tracker
 *
 * Returns: all reasoning tokens counted
 */
guint64
oai_cost_tracker_get_reasoning_tokens (OaiCostTracker *self)
{
  g_return_val_if_fail (OAI_IS_COST_TRACKER (self), 0);
  return self->reasoning_tokens;
}
