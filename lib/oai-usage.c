/* oai-usage.c: token counts of one answer
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "oai-json-private.h"
#include "oai-usage-private.h"

/**
 * OaiUsage:
 *
 * The tokens one answer consumed, as the server reported them (or, when
 * [property@Oai.Usage:estimated] is set, as the library counted them).
 *
 * A usage is immutable; all its properties can be given at construction:
 *
 * ```python
 * usage = Oai.Usage(prompt_tokens=9, completion_tokens=12)
 * ```
 *
 * When [property@Oai.Usage:total-tokens] is not given, it is the sum of the
 * prompt and completion tokens.
 */
struct _OaiUsage
{
  GObject parent_instance;

  guint prompt_tokens;
  guint completion_tokens;
  guint total_tokens;
  guint cached_tokens;
  guint reasoning_tokens;
  guint estimated : 1;
};

G_DEFINE_FINAL_TYPE (OaiUsage, oai_usage, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PROMPT_TOKENS,
  PROP_COMPLETION_TOKENS,
  PROP_TOTAL_TOKENS,
  PROP_CACHED_TOKENS,
  PROP_REASONING_TOKENS,
  PROP_ESTIMATED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
oai_usage_constructed (GObject *object)
{
  OaiUsage *self = OAI_USAGE (object);

  G_OBJECT_CLASS (oai_usage_parent_class)->constructed (object);

  if (self->total_tokens == 0)
    self->total_tokens = self->prompt_tokens + self->completion_tokens;
}

static void
oai_usage_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  OaiUsage *self = OAI_USAGE (object);

  switch (prop_id)
    {
    case PROP_PROMPT_TOKENS:
      g_value_set_uint (value, self->prompt_tokens);
      break;
    case PROP_COMPLETION_TOKENS:
      g_value_set_uint (value, self->completion_tokens);
      break;
    case PROP_TOTAL_TOKENS:
      g_value_set_uint (value, self->total_tokens);
      break;
    case PROP_CACHED_TOKENS:
      g_value_set_uint (value, self->cached_tokens);
      break;
    case PROP_REASONING_TOKENS:
      g_value_set_uint (value, self->reasoning_tokens);
      break;
    case PROP_ESTIMATED:
      g_value_set_boolean (value, self->estimated);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
oai_usage_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  OaiUsage *self = OAI_USAGE (object);

  switch (prop_id)
    {
    case PROP_PROMPT_TOKENS:
      self->prompt_tokens = g_value_get_uint (value);
      break;
    case PROP_COMPLETION_TOKENS:
      self->completion_tokens = g_value_get_uint (value);
      break;
    case PROP_TOTAL_TOKENS:
      self->total_tokens = g_value_get_uint (value);
      break;
    case PROP_CACHED_TOKENS:
      self->cached_tokens = g_value_get_uint (value);
      break;
    case PROP_REASONING_TOKENS:
      self->reasoning_tokens = g_value_get_uint (value);
      break;
    case PROP_ESTIMATED:
      self->estimated = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
oai_usage_class_init (OaiUsageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = oai_usage_constructed;
  object_class->get_property = oai_usage_get_property;
  object_class->set_property = oai_usage_set_property;

  /**
   * OaiUsage:prompt-tokens:
   *
   * Tokens of the request, cached ones included.
   */
  properties[PROP_PROMPT_TOKENS] =
    g_param_spec_uint ("prompt-tokens", NULL, NULL, 0, G_MAXUINT, 0, flags);

  /**
   * OaiUsage:completion-tokens:
   *
   * Tokens of the answer, reasoning tokens included.
   */
  properties[PROP_COMPLETION_TOKENS] =
    g_param_spec_uint ("completion-tokens", NULL, NULL, 0, G_MAXUINT, 0, flags);

  /**
   * OaiUsage:total-tokens:
   *
   * Prompt and completion tokens together.
   */
  properties[PROP_TOTAL_TOKENS] =
    g_param_spec_uint ("total-tokens", NULL, NULL, 0, G_MAXUINT, 0, flags);

  /**
   * OaiUsage:cached-tokens:
   *
   * Prompt tokens served from the prompt cache, billed at a lower rate.
   */
  properties[PROP_CACHED_TOKENS] =
    g_param_spec_uint ("cached-tokens", NULL, NULL, 0, G_MAXUINT, 0, flags);

  /**
   * OaiUsage:reasoning-tokens:
   *
   * Completion tokens a reasoning model spent thinking; not shown, but billed.
   */
  properties[PROP_REASONING_TOKENS] =
    g_param_spec_uint ("reasoning-tokens", NULL, NULL, 0, G_MAXUINT, 0, flags);

  /**
   * OaiUsage:estimated:
   *
   * Whether the counts were computed locally because the server sent none.
   */
  properties[PROP_ESTIMATED] =
    g_param_spec_boolean ("estimated", NULL, NULL, FALSE, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
oai_usage_init (OaiUsage *self)
{
}

/**
 * oai_usage_get_prompt_tokens:
 * @self: a usage
 *
 * Returns: the tokens of the request
 */
guint
oai_usage_get_prompt_tokens (OaiUsage *self)
{
  g_return_val_if_fail (OAI_IS_USAGE (self), 0);
  return self->prompt_tokens;
}

/**
 * oai_usage_get_completion_tokens:
 * @self: a usage
 *
 * Returns: the tokens of the answer
 */
guint
oai_usage_get_completion_tokens (OaiUsage *self)
{
  g_return_val_if_fail (OAI_IS_USAGE (self), 0);
  return self->completion_tokens;
}

/**
 * oai_usage_get_total_tokens:
 * @self: a usage
 *
 * Returns: prompt and completion tokens together
 */
guint
oai_usage_get_total_tokens (OaiUsage *self)
{
  g_return_val_if_fail (OAI_IS_USAGE (self), 0);
  return self->total_tokens;
}

/**
 * oai_usage_get_cached_tokens:
 * @self: a usage
 *
 * Returns: the prompt tokens served from the cache
 */
guint
oai_usage_get_cached_tokens (OaiUsage *self)
{
  g_return_val_if_fail (OAI_IS_USAGE (self), 0);
  return self->cached_tokens;
}

/**
 * oai_usage_get_reasoning_tokens:
 * @self: a usage
 *
 * Returns: the completion tokens spent on reasoning
 */
guint
oai_usage_get_reasoning_tokens (OaiUsage *self)
{
  g_return_val_if_fail (OAI_IS_USAGE (self), 0);
  return self->reasoning_tokens;
}

/**
 * oai_usage_get_estimated:
 * @self: a usage
 *
 * Returns: %TRUE if the counts were computed locally
 */
gboolean
oai_usage_get_estimated (OaiUsage *self)
{
  g_return_val_if_fail (OAI_IS_USAGE (self), FALSE);
  return self->estimated;
}

static gboolean
get_count (JsonObject  *object,
           const char  *path,
           const char  *name,
           guint       *count,
           GError     **error)
{
  gint64 value = 0;

  if (!oai_json_get_optional_int (object, path, name, &value, error))
    return FALSE;
  if (value < 0 || value > G_MAXUINT)
    return oai_json_fail (error, path, name, "a token count");

  *count = (guint) value;
  return TRUE;
}

/*
 * oai_usage_new_from_json:
 * @object: the `usage` object of an answer
 * @path: where @object stands in the answer, for error messages
 *
 * Reads `prompt_tokens`, `completion_tokens`, `total_tokens`,
 * `prompt_tokens_details.cached_tokens` and
 * `completion_tokens_details.reasoning_tokens`. Absent counts are 0 (the details
 * are absent on many servers); a count of the wrong type is an error.
 */
OaiUsage *
oai_usage_new_from_json (JsonObject  *object,
                         const char  *path,
                         GError     **error)
{
  guint prompt = 0, completion = 0, total = 0, cached = 0, reasoning = 0;
  g_autofree char *prompt_path = g_strdup_printf ("%s.prompt_tokens_details", path);
  g_autofree char *completion_path = g_strdup_printf ("%s.completion_tokens_details", path);
  JsonObject *details;

  if (!get_count (object, path, "prompt_tokens", &prompt, error) ||
      !get_count (object, path, "completion_tokens", &completion, error) ||
      !get_count (object, path, "total_tokens", &total, error))
    return NULL;

  if (!oai_json_get_optional_object (object, path, "prompt_tokens_details", &details, error))
    return NULL;
  if (details != NULL && !get_count (details, prompt_path, "cached_tokens", &cached, error))
    return NULL;

  if (!oai_json_get_optional_object (object, path, "completion_tokens_details", &details, error))
    return NULL;
  if (details != NULL &&
      !get_count (details, completion_path, "reasoning_tokens", &reasoning, error))
    return NULL;

  return g_object_new (OAI_TYPE_USAGE,
                       "prompt-tokens", prompt,
                       "completion-tokens", completion,
                       "total-tokens", total,
                       "cached-tokens", cached,
                       "reasoning-tokens", reasoning,
                       NULL);
}
