/* oai-cost-tracker.c: what the calls of a client cost
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>

#include <json-glib/json-glib.h>

#include "oai-cost-tracker-private.h"
#include "oai-error.h"
#include "oai-ledger-private.h"
#include "oai-model-table-private.h"
#include "oai-spend-private.h"
#include "oai-tokenizer.h"

/**
 * OaiCostTracker:
 *
 * What the calls of the clients it is attached to (see
 * [property@Oai.Client:cost-tracker]) cost, from a price table: the table
 * shipped with the library (`data/models.json`), which a file of the user's
 * can override or extend, and prices set one by one.
 *
 * Cached prompt tokens are billed at their own rate; reasoning tokens are part
 * of the completion tokens and billed once, as output. A model the table does
 * not know is never priced as another: its cost is unknown (NaN), unless a
 * price is set for it, or for every unknown model with the name `*` (a local
 * server's models, free).
 *
 * With a ledger ([ctor@Oai.CostTracker.new_with_ledger]) every call is also
 * written to an SQLite file as it finishes, so that the month's spend survives
 * restarts and crashes and is shared by every process that opens the same
 * file. A monthly budget raises [signal@Oai.CostTracker::budget-warning] at
 * 80 % and [signal@Oai.CostTracker::budget-exceeded] at 100 %; with
 * [property@Oai.CostTracker:hard-limit] the clients refuse requests past it,
 * with %OAI_ERROR_BUDGET_EXCEEDED, before sending anything.
 */
struct _OaiCostTracker
{
  GObject parent_instance;

  GHashTable *prices;           /* model → Price, the user's */
  GHashTable *model_costs;      /* model → double *, this session */
  OaiLedger *ledger;
  char *ledger_path;

  guint64 request_count;
  guint64 prompt_tokens;
  guint64 completion_tokens;
  guint64 cached_tokens;
  guint64 reasoning_tokens;
  double total_cost;

  double monthly_budget;
  double month_to_date;
  int month;                    /* year * 12 + month of month_to_date, UTC */
  guint warned : 1;             /* this month */
  guint exceeded : 1;
  guint hard_limit : 1;
};

typedef struct
{
  double input;
  double cached_input;
  double output;
} Price;

G_DEFINE_FINAL_TYPE (OaiCostTracker, oai_cost_tracker, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_REQUEST_COUNT,
  PROP_PROMPT_TOKENS,
  PROP_COMPLETION_TOKENS,
  PROP_CACHED_TOKENS,
  PROP_REASONING_TOKENS,
  PROP_TOTAL_COST,
  PROP_MONTH_TO_DATE,
  PROP_MONTHLY_BUDGET,
  PROP_HARD_LIMIT,
  N_PROPS
};

enum {
  BUDGET_WARNING,
  BUDGET_EXCEEDED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
oai_cost_tracker_finalize (GObject *object)
{
  OaiCostTracker *self = OAI_COST_TRACKER (object);

  g_clear_pointer (&self->prices, g_hash_table_unref);
  g_clear_pointer (&self->model_costs, g_hash_table_unref);
  g_clear_pointer (&self->ledger, oai_ledger_free);
  g_clear_pointer (&self->ledger_path, g_free);

  G_OBJECT_CLASS (oai_cost_tracker_parent_class)->finalize (object);
}

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
    case PROP_TOTAL_COST:
      g_value_set_double (value, self->total_cost);
      break;
    case PROP_MONTH_TO_DATE:
      g_value_set_double (value, oai_cost_tracker_get_month_to_date (self));
      break;
    case PROP_MONTHLY_BUDGET:
      g_value_set_double (value, self->monthly_budget);
      break;
    case PROP_HARD_LIMIT:
      g_value_set_boolean (value, self->hard_limit);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
oai_cost_tracker_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  OaiCostTracker *self = OAI_COST_TRACKER (object);

  switch (prop_id)
    {
    case PROP_MONTHLY_BUDGET:
      oai_cost_tracker_set_monthly_budget (self, g_value_get_double (value));
      break;
    case PROP_HARD_LIMIT:
      oai_cost_tracker_set_hard_limit (self, g_value_get_boolean (value));
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

  object_class->finalize = oai_cost_tracker_finalize;
  object_class->get_property = oai_cost_tracker_get_property;
  object_class->set_property = oai_cost_tracker_set_property;

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

  /**
   * OaiCostTracker:total-cost:
   *
   * What the calls counted by this tracker cost, in US dollars; calls whose
   * cost is unknown add nothing.
   */
  properties[PROP_TOTAL_COST] =
    g_param_spec_double ("total-cost", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);

  /**
   * OaiCostTracker:month-to-date:
   *
   * What this month (in UTC) cost so far, in US dollars: from the ledger, so
   * every process sharing it counts, or from this tracker's calls.
   */
  properties[PROP_MONTH_TO_DATE] =
    g_param_spec_double ("month-to-date", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);

  /**
   * OaiCostTracker:monthly-budget:
   *
   * The spend a month may reach, in US dollars; 0 for no budget.
   */
  properties[PROP_MONTHLY_BUDGET] =
    g_param_spec_double ("monthly-budget", NULL, NULL, 0, G_MAXDOUBLE, 0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * OaiCostTracker:hard-limit:
   *
   * Whether clients refuse requests once the month's spend reached the
   * budget, with %OAI_ERROR_BUDGET_EXCEEDED and without sending them.
   */
  properties[PROP_HARD_LIMIT] =
    g_param_spec_boolean ("hard-limit", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * OaiCostTracker::budget-warning:
   * @self: the tracker
   * @spent: the month's spend
   * @budget: the monthly budget
   *
   * Emitted once a month, when the spend reaches 80 % of the budget.
   */
  signals[BUDGET_WARNING] =
    g_signal_new ("budget-warning", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_DOUBLE, G_TYPE_DOUBLE);

  /**
   * OaiCostTracker::budget-exceeded:
   * @self: the tracker
   * @spent: the month's spend
   * @budget: the monthly budget
   *
   * Emitted once a month, when the spend reaches the budget.
   */
  signals[BUDGET_EXCEEDED] =
    g_signal_new ("budget-exceeded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_DOUBLE, G_TYPE_DOUBLE);
}

static void
oai_cost_tracker_init (OaiCostTracker *self)
{
  self->prices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->model_costs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
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

static int
current_month (GDateTime **now_out)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  int month = g_date_time_get_year (now) * 12 + g_date_time_get_month (now);

  if (now_out != NULL)
    *now_out = g_steal_pointer (&now);
  return month;
}

/* The month's spend: the ledger's, which other processes add to too. */
static void
refresh_month_to_date (OaiCostTracker *self)
{
  g_autoptr(GDateTime) now = NULL;
  int month = current_month (&now);

  if (month != self->month)
    {
      self->month = month;
      self->month_to_date = 0;
      self->warned = self->exceeded = FALSE;
    }

  if (self->ledger != NULL)
    {
      g_autoptr(GError) error = NULL;
      double cost = 0;

      if (oai_ledger_month_to_date (self->ledger, now, &cost, &error))
        self->month_to_date = cost;
      else
        g_warning ("Could not read the spend ledger %s: %s", self->ledger_path, error->message);
    }
}

/**
 * oai_cost_tracker_new_with_ledger:
 * @path: an SQLite file, created (owner-only) if missing
 * @error: return location for an error
 *
 * Creates a tracker that also writes every call to @path, in a transaction of
 * its own, so that the month's spend survives restarts and crashes and is
 * shared by every process that opens the same file.
 *
 * Returns: (transfer full): a new tracker, or %NULL with @error set if the
 *   file cannot be opened or is not a sound ledger (it is never overwritten)
 */
OaiCostTracker *
oai_cost_tracker_new_with_ledger (const char  *path,
                                  GError     **error)
{
  g_autoptr(OaiCostTracker) self = NULL;
  OaiLedger *ledger;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  ledger = oai_ledger_open (path, error);
  if (ledger == NULL)
    return NULL;

  self = oai_cost_tracker_new ();
  self->ledger = ledger;
  self->ledger_path = g_strdup (path);
  refresh_month_to_date (self);

  return g_steal_pointer (&self);
}

/**
 * oai_cost_tracker_get_ledger_path:
 * @self: a tracker
 *
 * Returns: (nullable): the ledger's file, or %NULL for a tracker in memory
 */
const char *
oai_cost_tracker_get_ledger_path (OaiCostTracker *self)
{
  g_return_val_if_fail (OAI_IS_COST_TRACKER (self), NULL);
  return self->ledger_path;
}

static double
price_member (JsonObject *entry,
              const char *name)
{
  JsonNode *node = json_object_get_member (entry, name);
  GType type = node ? json_node_get_value_type (node) : G_TYPE_INVALID;

  if (type == G_TYPE_DOUBLE || type == G_TYPE_INT64)
    return json_node_get_double (node);
  return NAN;
}

/**
 * oai_cost_tracker_load_prices:
 * @self: a tracker
 * @path: a JSON file: `{"models": {"name": {"input": 2.5, "cached_input": 1.25,
 *   "output": 10}}}`, prices in US dollars per million tokens, as in the table
 *   shipped with the library; the name `*` prices every unknown model
 * @error: return location for an error
 *
 * Adds the file's prices to the table, replacing those of the same models.
 *
 * Returns: %TRUE, or %FALSE with @error set if the file is unreadable or not
 *   a price table (then no price of it is taken)
 */
gboolean
oai_cost_tracker_load_prices (OaiCostTracker  *self,
                              const char      *path,
                              GError         **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GList) names = NULL;
  g_autoptr(GHashTable) loaded = NULL;
  JsonNode *root, *models;

  g_return_val_if_fail (OAI_IS_COST_TRACKER (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (!json_parser_load_from_file (parser, path, &local_error))
    {
      g_set_error (error, OAI_ERROR, OAI_ERROR_FAILED, "Cannot read the price table %s: %s",
                   path, local_error->message);
      return FALSE;
    }

  root = json_parser_get_root (parser);
  models = JSON_NODE_HOLDS_OBJECT (root) ? json_object_get_member (json_node_get_object (root), "models")
                                         : NULL;
  if (models == NULL || !JSON_NODE_HOLDS_OBJECT (models))
    {
      g_set_error (error, OAI_ERROR, OAI_ERROR_FAILED,
                   "The price table %s has no \"models\" object", path);
      return FALSE;
    }

  loaded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  names = json_object_get_members (json_node_get_object (models));
  for (GList *l = names; l != NULL; l = l->next)
    {
      JsonNode *node = json_object_get_member (json_node_get_object (models), l->data);
      Price *price;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error (error, OAI_ERROR, OAI_ERROR_FAILED,
                       "The price of %s in %s is not an object", (char *) l->data, path);
          return FALSE;
        }

      price = g_new (Price, 1);
      price->input = price_member (json_node_get_object (node), "input");
      price->cached_input = price_member (json_node_get_object (node), "cached_input");
      price->output = price_member (json_node_get_object (node), "output");
      g_hash_table_replace (loaded, g_strdup (l->data), price);

      if (isnan (price->input) || isnan (price->output) || price->input < 0 || price->output < 0)
        {
          g_set_error (error, OAI_ERROR, OAI_ERROR_FAILED,
                       "The price of %s in %s needs \"input\" and \"output\", numbers of "
                       "dollars per million tokens", (char *) l->data, path);
          return FALSE;
        }
    }

  /* All or nothing: a half-read table would price some calls wrong. */
  {
    GHashTableIter iter;
    gpointer key, value;

    g_hash_table_iter_init (&iter, loaded);
    while (g_hash_table_iter_next (&iter, &key, &value))
      {
        g_hash_table_iter_steal (&iter);
        g_hash_table_replace (self->prices, key, value);
      }
  }

  return TRUE;
}

/**
 * oai_cost_tracker_set_price:
 * @self: a tracker
 * @model: a model, or `*` for every model the table does not know
 * @input: US dollars per million prompt tokens
 * @cached_input: per million cached prompt tokens, or NaN to bill them as input
 * @output: per million completion tokens
 *
 * Sets the price of a model, e.g. 0 for a local server's.
 */
void
oai_cost_tracker_set_price (OaiCostTracker *self,
                            const char     *model,
                            double          input,
                            double          cached_input,
                            double          output)
{
  Price *price;

  g_return_if_fail (OAI_IS_COST_TRACKER (self));
  g_return_if_fail (model != NULL);
  g_return_if_fail (input >= 0 && output >= 0);

  price = g_new (Price, 1);
  price->input = input;
  price->cached_input = cached_input;
  price->output = output;
  g_hash_table_replace (self->prices, g_strdup (model), price);
}

static gboolean
find_price (OaiCostTracker *self,
            const char     *model,
            Price          *out)
{
  const Price *price = model ? g_hash_table_lookup (self->prices, model) : NULL;
  OaiModelInfo info;
  GHashTableIter iter;
  gpointer key, value;

  /* The user's prices first: the model, then its family, then the table's. */
  if (price == NULL && model != NULL)
    {
      g_hash_table_iter_init (&iter, self->prices);
      while (g_hash_table_iter_next (&iter, &key, &value))
        if (oai_model_is_snapshot_of (model, key))
          price = value;
    }

  if (price != NULL)
    {
      *out = *price;
      return TRUE;
    }

  if (oai_model_table_lookup (model, &info) && !isnan (info.input_price) && !isnan (info.output_price))
    {
      out->input = info.input_price;
      out->cached_input = info.cached_input_price;
      out->output = info.output_price;
      return TRUE;
    }

  price = g_hash_table_lookup (self->prices, "*");
  if (price != NULL)
    {
      *out = *price;
      return TRUE;
    }

  return FALSE;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/**
 * oai_cost_tracker_dup_models:
 * @self: a tracker
 *
 * Lists the models the tracker can price: the families of the table shipped
 * with the library and the models given prices of their own. Programs offer
 * them when a server cannot list its models.
 *
 * Returns: (transfer full) (array zero-terminated=1): the model names, sorted
 */
char **
oai_cost_tracker_dup_models (OaiCostTracker *self)
{
  g_autoptr(GPtrArray) families = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *names = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  g_return_val_if_fail (OAI_IS_COST_TRACKER (self), NULL);

  families = oai_model_table_families ();
  for (guint i = 0; i < families->len; i++)
    g_hash_table_add (seen, g_ptr_array_index (families, i));
  g_hash_table_iter_init (&iter, self->prices);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_str_equal (key, "*"))
      g_hash_table_add (seen, key);

  g_hash_table_iter_init (&iter, seen);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (names, g_strdup (key));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);

  return (char **) g_ptr_array_free (names, FALSE);
}

/**
 * oai_cost_tracker_cost_for:
 * @self: a tracker
 * @model: the model that answered
 * @usage: what it used
 *
 * Prices a usage: uncached prompt tokens at the input rate, cached ones at the
 * cached rate (the input rate if the model has none), completion tokens
 * (reasoning tokens among them) at the output rate.
 *
 * Returns: the cost in US dollars, or NaN when the model has no known price
 */
double
oai_cost_tracker_cost_for (OaiCostTracker *self,
                           const char     *model,
                           OaiUsage       *usage)
{
  guint prompt, cached;
  Price price;

  g_return_val_if_fail (OAI_IS_COST_TRACKER (self), NAN);
  g_return_val_if_fail (OAI_IS_USAGE (usage), NAN);

  if (!find_price (self, model, &price))
    return NAN;

  prompt = oai_usage_get_prompt_tokens (usage);
  cached = MIN (oai_usage_get_cached_tokens (usage), prompt);

  return ((prompt - cached) * price.input +
          cached * (isnan (price.cached_input) ? price.input : price.cached_input) +
          (double) oai_usage_get_completion_tokens (usage) * price.output) / 1e6;
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

static void
check_thresholds (OaiCostTracker *self)
{
  if (self->monthly_budget <= 0)
    return;

  if (!self->warned && self->month_to_date >= 0.8 * self->monthly_budget)
    {
      self->warned = TRUE;
      g_signal_emit (self, signals[BUDGET_WARNING], 0, self->month_to_date, self->monthly_budget);
    }
  if (!self->exceeded && self->month_to_date >= self->monthly_budget)
    {
      self->exceeded = TRUE;
      g_signal_emit (self, signals[BUDGET_EXCEEDED], 0, self->month_to_date, self->monthly_budget);
    }
}

/*
 * oai_cost_tracker_record:
 * @status: how the call ended: "ok", or "interrupted" for a stream cut after
 *   content, which the API bills all the same
 *
 * Counts one call, writes it to the ledger, and checks the budget.
 *
 * Returns: its cost, NaN if unknown
 */
double
oai_cost_tracker_record (OaiCostTracker *self,
                         const char     *model,
                         OaiUsage       *usage,
                         const char     *request_id,
                         const char     *status)
{
  double cost = oai_cost_tracker_cost_for (self, model, usage);

  g_object_freeze_notify (G_OBJECT (self));

  add_count (self, &self->request_count, 1, PROP_REQUEST_COUNT);
  add_count (self, &self->prompt_tokens, oai_usage_get_prompt_tokens (usage), PROP_PROMPT_TOKENS);
  add_count (self, &self->completion_tokens, oai_usage_get_completion_tokens (usage),
             PROP_COMPLETION_TOKENS);
  add_count (self, &self->cached_tokens, oai_usage_get_cached_tokens (usage), PROP_CACHED_TOKENS);
  add_count (self, &self->reasoning_tokens, oai_usage_get_reasoning_tokens (usage),
             PROP_REASONING_TOKENS);

  if (self->ledger != NULL)
    {
      g_autoptr(GError) error = NULL;
      OaiLedgerEntry entry = {
        .time = g_get_real_time (),
        .model = model,
        .request_id = request_id,
        .prompt_tokens = oai_usage_get_prompt_tokens (usage),
        .cached_tokens = oai_usage_get_cached_tokens (usage),
        .completion_tokens = oai_usage_get_completion_tokens (usage),
        .reasoning_tokens = oai_usage_get_reasoning_tokens (usage),
        .cost = cost,
        .estimated = oai_usage_get_estimated (usage),
        .status = status,
      };

      if (!oai_ledger_record (self->ledger, &entry, &error))
        g_warning ("Could not write to the spend ledger %s: %s", self->ledger_path, error->message);
    }

  refresh_month_to_date (self);
  if (!isnan (cost))
    {
      double *model_cost = g_hash_table_lookup (self->model_costs, model ? model : "");

      if (model_cost == NULL)
        {
          model_cost = g_new0 (double, 1);
          g_hash_table_insert (self->model_costs, g_strdup (model ? model : ""), model_cost);
        }
      *model_cost += cost;
      self->total_cost += cost;
      if (self->ledger == NULL)
        self->month_to_date += cost;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOTAL_COST]);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MONTH_TO_DATE]);

  g_object_thaw_notify (G_OBJECT (self));

  check_thresholds (self);

  return cost;
}

/**
 * oai_cost_tracker_add_usage:
 * @self: a tracker
 * @model: (nullable): the model that answered
 * @usage: what the answer used
 *
 * Counts one answered call. The client calls this itself for every answer;
 * call it only for calls made elsewhere.
 *
 * Returns: the call's cost in US dollars, NaN if unknown
 */
double
oai_cost_tracker_add_usage (OaiCostTracker *self,
                            const char     *model,
                            OaiUsage       *usage)
{
  g_return_val_if_fail (OAI_IS_COST_TRACKER (self), NAN);
  g_return_val_if_fail (OAI_IS_USAGE (usage), NAN);

  return oai_cost_tracker_record (self, model, usage, NULL, "ok");
}

/*
 * oai_cost_tracker_check_budget:
 * @request: the request about to be sent
 *
 * With the hard limit on, a request whose prompt alone would take the month's
 * spend past the budget is refused (its answer can only add to it).
 *
 * Returns: %FALSE with %OAI_ERROR_BUDGET_EXCEEDED to refuse @request
 */
gboolean
oai_cost_tracker_check_budget (OaiCostTracker  *self,
                               OaiChatRequest  *request,
                               GError         **error)
{
  const char *model = oai_chat_request_get_model (request);
  double prompt_cost = 0;
  Price price;

  if (!self->hard_limit || self->monthly_budget <= 0)
    return TRUE;

  refresh_month_to_date (self);
  if (self->month_to_date < self->monthly_budget && find_price (self, model, &price))
    {
      g_autoptr(OaiTokenizer) tokenizer = oai_tokenizer_new_for_model (model, NULL);

      if (tokenizer == NULL)
        tokenizer = oai_tokenizer_new ("o200k_base", NULL);
      prompt_cost = oai_tokenizer_count_request (tokenizer, request) * price.input / 1e6;
    }

  if (self->month_to_date + prompt_cost <= self->monthly_budget &&
      self->month_to_date < self->monthly_budget)
    return TRUE;

  g_set_error (error, OAI_ERROR, OAI_ERROR_BUDGET_EXCEEDED,
               "The monthly budget of $%.2f would be passed ($%.4f spent this month, about "
               "$%.4f for this prompt): the request was not sent",
               self->monthly_budget, self->month_to_date, prompt_cost);
  return FALSE;
}

/**
 * oai_cost_tracker_get_total_cost:
 * @self: a tracker
 *
 * Returns: what the calls counted here cost, in US dollars
 */
double
oai_cost_tracker_get_total_cost (OaiCostTracker *self)
{
  g_return_val_if_fail (OAI_IS_COST_TRACKER (self), 0);
  return self->total_cost;
}

/**
 * oai_cost_tracker_get_model_cost:
 * @self: a tracker
 * @model: a model
 *
 * Returns: what the calls to @model counted here cost, in US dollars
 */
double
oai_cost_tracker_get_model_cost (OaiCostTracker *self,
                                 const char     *model)
{
  double *cost;

  g_return_val_if_fail (OAI_IS_COST_TRACKER (self), 0);
  g_return_val_if_fail (model != NULL, 0);

  cost = g_hash_table_lookup (self->model_costs, model);
  return cost ? *cost : 0;
}

/**
 * oai_cost_tracker_get_month_to_date:
 * @self: a tracker
 *
 * With a ledger, the figure is read from it, so it includes what other
 * processes sharing the ledger spent.
 *
 * Returns: what this month (UTC) cost so far, in US dollars
 */
double
oai_cost_tracker_get_month_to_date (OaiCostTracker *self)
{
  g_return_val_if_fail (OAI_IS_COST_TRACKER (self), 0);

  if (self->ledger != NULL || self->month != current_month (NULL))
    refresh_month_to_date (self);
  return self->month_to_date;
}

typedef GPtrArray *(*SpendQuery) (OaiLedger *, gint64, gint64, GError **);

static GListModel *
spend (OaiCostTracker  *self,
       SpendQuery       query,
       GDateTime       *from,
       GDateTime       *to,
       GError         **error)
{
  g_autoptr(GPtrArray) rows = NULL;
  GListStore *store;

  if (self->ledger == NULL)
    {
      g_set_error_literal (error, OAI_ERROR, OAI_ERROR_FAILED,
                           "This cost tracker keeps no ledger: create it with "
                           "oai_cost_tracker_new_with_ledger ()");
      return NULL;
    }

  rows = query (self->ledger, g_date_time_to_unix (from) * G_USEC_PER_SEC + g_date_time_get_microsecond (from),
                g_date_time_to_unix (to) * G_USEC_PER_SEC + g_date_time_get_microsecond (to), error);
  if (rows == NULL)
    return NULL;

  store = g_list_store_new (OAI_TYPE_SPEND);
  for (guint i = 0; i < rows->len; i++)
    {
      g_autoptr(OaiSpend) row = oai_spend_new (g_ptr_array_index (rows, i));
      g_list_store_append (store, row);
    }

  return G_LIST_MODEL (store);
}

/**
 * oai_cost_tracker_get_spend_by_day:
 * @self: a tracker with a ledger
 * @from: the first instant counted
 * @to: the instant after the last one counted
 * @error: return location for an error
 *
 * Lists what each day (UTC) cost, from the ledger: every process's calls.
 *
 * Returns: (transfer full): a list of [class@Oai.Spend], oldest day first, or
 *   %NULL with @error set if the tracker has no ledger or it cannot be read
 */
GListModel *
oai_cost_tracker_get_spend_by_day (OaiCostTracker  *self,
                                   GDateTime       *from,
                                   GDateTime       *to,
                                   GError         **error)
{
  g_return_val_if_fail (OAI_IS_COST_TRACKER (self), NULL);
  g_return_val_if_fail (from != NULL && to != NULL, NULL);

  return spend (self, oai_ledger_spend_by_day, from, to, error);
}

/**
 * oai_cost_tracker_get_spend_by_model:
 * @self: a tracker with a ledger
 * @from: the first instant counted
 * @to: the instant after the last one counted
 * @error: return location for an error
 *
 * Lists what each model cost, from the ledger: every process's calls.
 *
 * Returns: (transfer full): a list of [class@Oai.Spend], or %NULL with @error
 *   set if the tracker has no ledger or it cannot be read
 */
GListModel *
oai_cost_tracker_get_spend_by_model (OaiCostTracker  *self,
                                     GDateTime       *from,
                                     GDateTime       *to,
                                     GError         **error)
{
  g_return_val_if_fail (OAI_IS_COST_TRACKER (self), NULL);
  g_return_val_if_fail (from != NULL && to != NULL, NULL);

  return spend (self, oai_ledger_spend_by_model, from, to, error);
}

/**
 * oai_cost_tracker_get_monthly_budget:
 * @self: a tracker
 *
 * Returns: the monthly budget in US dollars, 0 if none
 */
double
oai_cost_tracker_get_monthly_budget (OaiCostTracker *self)
{
  g_return_val_if_fail (OAI_IS_COST_TRACKER (self), 0);
  return self->monthly_budget;
}

/**
 * oai_cost_tracker_set_monthly_budget:
 * @self: a tracker
 * @budget: US dollars a month, 0 for none
 *
 * Sets the monthly budget.
 */
void
oai_cost_tracker_set_monthly_budget (OaiCostTracker *self,
                                     double          budget)
{
  g_return_if_fail (OAI_IS_COST_TRACKER (self));
  g_return_if_fail (budget >= 0);

  if (self->monthly_budget == budget)
    return;

  self->monthly_budget = budget;
  self->warned = self->exceeded = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MONTHLY_BUDGET]);
  refresh_month_to_date (self);
  check_thresholds (self);
}

/**
 * oai_cost_tracker_get_hard_limit:
 * @self: a tracker
 *
 * Returns: whether requests past the budget are refused
 */
gboolean
oai_cost_tracker_get_hard_limit (OaiCostTracker *self)
{
  g_return_val_if_fail (OAI_IS_COST_TRACKER (self), FALSE);
  return self->hard_limit;
}

/**
 * oai_cost_tracker_set_hard_limit:
 * @self: a tracker
 * @hard_limit: whether to refuse requests past the budget
 *
 * Sets whether requests past the budget are refused.
 */
void
oai_cost_tracker_set_hard_limit (OaiCostTracker *self,
                                 gboolean        hard_limit)
{
  g_return_if_fail (OAI_IS_COST_TRACKER (self));

  hard_limit = !!hard_limit;
  if (self->hard_limit != hard_limit)
    {
      self->hard_limit = hard_limit;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HARD_LIMIT]);
    }
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
