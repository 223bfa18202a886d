/* nexus-job-queue.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nexus-queue"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "nexus-job-queue.h"
#include "nexus-json-text.h"
#include "planner/nexus-planner.h"

/* A clock that runs this far behind the latest time the queue saw has
 * jumped backwards: leases and retries far in its future are clamped. */
#define CLOCK_JUMP_SLACK_S 5

/* A worker's error text is kept up to this many bytes. */
#define MAX_ERROR_BYTES 1000

/* A search's region, parsed once per queue.  Regions never change after a
 * search is created; created_at guards against an id reused after a
 * delete. */
typedef struct
{
  gint64       created_at; /* the search's, to tell a reused id */
  NexusRegion *region;     /* parsed from searches.region; owned */
} RegionEntry;

struct _NexusJobQueue
{
  GObject parent_instance;

  /* The store, owned by the thread that uses this queue. */
  NexusStore      *store;
  NexusQueueConfig config;

  /* The clock; default_clock reads the real time. */
  NexusClockFunc clock;
  gpointer       clock_data;
  /* The latest time the clock gave, to notice a jump backwards. */
  gint64 clock_high_water;
  /* Set when the clock went backwards; the next reap clamps times. */
  gboolean clock_went_back;

  /* The backoff's random source; seeded from the system unless a test
   * seeds it. */
  GRand *rand;

  /* search id → RegionEntry. */
  GHashTable *regions;

  /* Where "jobs-available" is emitted, and its pending idle source. */
  GMainContext *context;
  GSource      *notify_source;
};

enum
{
  JOBS_AVAILABLE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (NexusJobQueue, nexus_job_queue, G_TYPE_OBJECT)

/* clang-format off */
G_DEFINE_QUARK (nexus-queue-error-quark, nexus_queue_error)
/* clang-format on */

static void
region_entry_free (gpointer data)
{
  RegionEntry *entry = data;

  nexus_region_free (entry->region);
  g_free (entry);
}

static gint64
default_clock (gpointer user_data)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* --- helpers ------------------------------------------------------------ */

static gint64
queue_now (NexusJobQueue *self)
{
  gint64 now = self->clock (self->clock_data);

  if (now > self->clock_high_water)
    self->clock_high_water = now;
  else if (now < self->clock_high_water - CLOCK_JUMP_SLACK_S)
    {
      self->clock_went_back = TRUE;
      self->clock_high_water = now;
    }
  return now;
}

static gboolean
set_lease_error (NexusLeaseCheck check, gint64 job_id, GError **error)
{
  if (check == NEXUS_LEASE_NO_JOB)
    g_set_error (error, NEXUS_QUEUE_ERROR, NEXUS_QUEUE_ERROR_NOT_FOUND,
                 _ ("There is no job %" PRId64), job_id);
  else
    g_set_error (error, NEXUS_QUEUE_ERROR, NEXUS_QUEUE_ERROR_LEASE_LOST,
                 _ ("The lease on job %" PRId64 " is no longer held by this token"), job_id);
  return FALSE;
}

/* A store call on job @job_id returned nothing: passes on its error from
 * @local_error when it failed, else reports @check (no such job, or a lease
 * the token no longer holds). */
static gboolean
job_lookup_failed (GError **local_error, NexusLeaseCheck check, gint64 job_id, GError **error)
{
  if (*local_error != NULL)
    g_propagate_error (error, g_steal_pointer (local_error));
  else
    set_lease_error (check, job_id, error);
  return FALSE;
}

static void
append_json_number (GString *out, const char *name, double value)
{
  g_autofree char *number = nexus_geo_format_coordinate (value);

  nexus_json_append_string (out, name);
  g_string_append_c (out, ':');
  g_string_append (out, number);
}

/**
 * nexus_job_queue_build_payload:
 *
 * Returns: (transfer full): the place_search payload of PROTOCOL.md:
 *   {"search_id","keyword","provider","cell":{…},"depth","country",
 *   "language"}; country and language are null when the search has none.
 *   Coordinates are written in their shortest exact form.
 */
char *
nexus_job_queue_build_payload (const NexusSearchRecord *search,
                               const char              *keyword,
                               const NexusBBox         *cell,
                               int                      depth)
{
  GString *out = g_string_sized_new (256);

  g_string_append_printf (out, "{\"search_id\":%" PRId64 ",\"keyword\":", search->id);
  nexus_json_append_string (out, keyword);
  g_string_append (out, ",\"provider\":");
  nexus_json_append_string (out, search->provider);
  g_string_append (out, ",\"cell\":{");
  append_json_number (out, "south", cell->south);
  g_string_append_c (out, ',');
  append_json_number (out, "west", cell->west);
  g_string_append_c (out, ',');
  append_json_number (out, "north", cell->north);
  g_string_append_c (out, ',');
  append_json_number (out, "east", cell->east);
  g_string_append_printf (out, "},\"depth\":%d,\"country\":", depth);
  if (search->country != NULL)
    nexus_json_append_string (out, search->country);
  else
    g_string_append (out, "null");
  g_string_append (out, ",\"language\":");
  if (search->language != NULL)
    nexus_json_append_string (out, search->language);
  else
    g_string_append (out, "null");
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}

/**
 * nexus_backoff_delay:
 * @attempt: the attempt that failed, 1 for the first
 * @rand: the random source (seeded in tests)
 *
 * Returns: seconds to wait before the next attempt
 */
gint64
nexus_backoff_delay (guint attempt, gint64 base_s, gint64 cap_s, GRand *rand)
{
  gint64 ceiling;

  g_return_val_if_fail (rand != NULL, 0);

  if (base_s <= 0 || cap_s <= 0)
    return 0;
  cap_s = MIN (cap_s, (gint64)G_MAXINT32 - 1);

  /* base × 2^(attempt − 1) without overflow: stop doubling at the cap. */
  ceiling = MIN (base_s, cap_s);
  for (guint i = 1; i < attempt && ceiling < cap_s; i++)
    ceiling = MIN (ceiling * 2, cap_s);

  return g_rand_int_range (rand, 0, (gint32)ceiling + 1);
}

static gboolean
notify_cb (gpointer data)
{
  NexusJobQueue *self = data;

  g_clear_pointer (&self->notify_source, g_source_unref);
  g_signal_emit (self, signals[JOBS_AVAILABLE], 0);
  return G_SOURCE_REMOVE;
}

/**
 * nexus_job_queue_notify_jobs_available:
 *
 * Schedules one "jobs-available" emission (several calls before it runs
 * make one).  For code that inserts jobs into internal_jobs by other means
 * than this queue, e.g. the leads engine queueing enrichment.
 */
void
nexus_job_queue_notify_jobs_available (NexusJobQueue *self)
{
  g_return_if_fail (NEXUS_IS_JOB_QUEUE (self));

  if (self->notify_source != NULL)
    return;
  self->notify_source = g_idle_source_new ();
  g_source_set_priority (self->notify_source, G_PRIORITY_DEFAULT);
  g_source_set_callback (self->notify_source, notify_cb, self, NULL);
  g_source_set_static_name (self->notify_source, "[nexus] jobs-available");
  g_source_attach (self->notify_source, self->context);
}

static NexusRegion *
queue_get_region (NexusJobQueue *self, const NexusSearchRecord *search, GError **error)
{
  RegionEntry *entry = g_hash_table_lookup (self->regions, &search->id);
  NexusRegion *region;
  gint64      *key;

  if (entry != NULL && entry->created_at == search->created_at)
    return entry->region;

  region = nexus_region_new_from_json (search->region, error);
  if (region == NULL)
    return NULL;

  entry = g_new0 (RegionEntry, 1);
  entry->created_at = search->created_at;
  entry->region = region;
  key = g_memdup2 (&search->id, sizeof search->id);
  g_hash_table_replace (self->regions, key, entry);
  return region;
}

static NexusSearchRecord *
queue_get_search (NexusJobQueue *self, gint64 search_id, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  NexusSearchRecord *search;

  search = nexus_store_search_get (self->store, search_id, &local_error);
  if (search == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, NEXUS_QUEUE_ERROR, NEXUS_QUEUE_ERROR_NOT_FOUND,
                     _ ("There is no search %" PRId64), search_id);
    }
  return search;
}

/* Returns: (transfer full): job @job_id, or %NULL with
 *   %NEXUS_QUEUE_ERROR_NOT_FOUND or a store error */
static NexusJobRecord *
queue_get_job (NexusJobQueue *self, gint64 job_id, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  NexusJobRecord *job;

  job = nexus_store_job_get (self->store, job_id, &local_error);
  if (job == NULL)
    job_lookup_failed (&local_error, NEXUS_LEASE_NO_JOB, job_id, error);
  return job;
}

/* Inserts one job per (cell, keyword), skipping pending twins.  Needs an
 * open transaction. */
static gboolean
queue_insert_cells (NexusJobQueue           *self,
                    const NexusSearchRecord *search,
                    char *const             *keywords,
                    gint64                   run,
                    GArray                  *cells,
                    int                      depth,
                    gint64                   parent_id,
                    gint64                   now,
                    NexusRunPlan            *plan,
                    GError                 **error)
{
  NexusJobStatus status =
      search->state == NEXUS_SEARCH_PAUSED ? NEXUS_JOB_PAUSED : NEXUS_JOB_QUEUED;

  for (guint k = 0; keywords[k] != NULL; k++)
    {
      for (guint c = 0; c < cells->len; c++)
        {
          const NexusBBox *cell = &g_array_index (cells, NexusBBox, c);
          g_autofree char *payload = NULL;
          NexusJobSpec     spec = { 0 };
          gint64           id = 0;

          payload = nexus_job_queue_build_payload (search, keywords[k], cell, depth);
          spec.search_id = search->id;
          spec.run = run;
          spec.kind = NEXUS_JOB_KIND_PLACE_SEARCH;
          spec.status = status;
          spec.priority = search->priority;
          spec.provider = search->provider;
          spec.keyword = keywords[k];
          spec.cell = cell;
          spec.depth = depth;
          spec.parent_id = parent_id;
          spec.payload = payload;
          spec.max_attempts = self->config.max_attempts;
          spec.run_after = 0;

          if (!nexus_store_job_insert (self->store, &spec, now, &id, error))
            return FALSE;
          if (id > 0)
            plan->n_jobs++;
          else
            plan->n_skipped++;
        }
    }
  return TRUE;
}

static GArray *
queue_plan_cells (NexusJobQueue     *self,
                  const NexusRegion *region,
                  double             cell_km,
                  guint              n_keywords,
                  GError           **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GArray) cells = NULL;
  guint max_cells = MAX (1, self->config.max_jobs_per_run / MAX (n_keywords, 1));

  cells =
      nexus_planner_cover (region, cell_km, MIN (max_cells, NEXUS_PLANNER_MAX_CELLS), &local_error);
  if (cells == NULL)
    {
      g_set_error (error, NEXUS_QUEUE_ERROR, NEXUS_QUEUE_ERROR_INVALID, "%s", local_error->message);
      return NULL;
    }
  if (cells->len == 0)
    {
      g_set_error_literal (error, NEXUS_QUEUE_ERROR, NEXUS_QUEUE_ERROR_INVALID,
                           _ ("no cell of the grid lies inside the region"));
      return NULL;
    }
  return g_steal_pointer (&cells);
}

/* Checks @spec and plans its cells before anything is written, so that a
 * refused plan leaves the file untouched, then sets the settings of
 * @search from it: borrowed from @spec, and for the region from
 * *@out_region_json, which the caller frees.
 *
 * Returns: (transfer full): the cells, or %NULL with @error set */
static GArray *
queue_plan_spec (NexusJobQueue         *self,
                 const NexusSearchSpec *spec,
                 NexusSearchRecord     *search,
                 char                 **out_region_json,
                 GError               **error)
{
  GArray *cells;

  if (!nexus_search_spec_validate (spec, error))
    return NULL;
  cells =
      queue_plan_cells (self, spec->region, spec->cell_km, g_strv_length (spec->keywords), error);
  if (cells == NULL)
    return NULL;

  *out_region_json = nexus_region_to_json (spec->region);
  search->name = spec->name;
  search->keywords = spec->keywords;
  search->region_kind = spec->region_kind;
  search->region = *out_region_json;
  search->place_name = spec->place_name;
  search->place_display = spec->place_display;
  search->provider = spec->provider;
  search->country = spec->country;
  search->language = spec->language;
  search->cadence_s = spec->cadence_s;
  search->cell_km = spec->cell_km;
  search->max_depth = spec->max_depth;
  search->priority = spec->priority;
  return cells;
}

/* Numbers a new run and queues its jobs.  Needs an open transaction. */
static gboolean
queue_run_in_transaction (NexusJobQueue           *self,
                          const NexusSearchRecord *search,
                          const NexusRegion       *region,
                          GArray                  *cells,
                          const char              *reason,
                          gint64                   now,
                          NexusRunPlan            *plan,
                          GError                 **error)
{
  gint64 next_run_at = search->cadence_s > 0 ? now + search->cadence_s : 0;
  gint64 run;

  run = nexus_store_search_begin_run (self->store, search->id, reason, next_run_at, now, error);
  if (run == 0)
    return FALSE;

  plan->search_id = search->id;
  plan->run = run;
  plan->n_cells = cells->len;
  if (!queue_insert_cells (self, search, search->keywords, run, cells, 0, 0, now, plan, error))
    return FALSE;
  return nexus_store_search_set_run_planned (self->store, search->id, run, plan->n_jobs, error);
}

static gboolean
queue_commit (NexusJobQueue *self, GError **error)
{
  return nexus_store_commit (self->store, error);
}

/* Ends the transaction a call began: commits when it went well (@ok), else
 * rolls back; @error is the call's. */
static gboolean
queue_finish (NexusJobQueue *self, gboolean ok, GError **error)
{
  if (!ok)
    {
      nexus_store_rollback (self->store);
      return FALSE;
    }
  return queue_commit (self, error);
}

/* An operator's action on one job, run by queue_job_action() inside its
 * transaction on the job as it is there. */
typedef gboolean (*JobAction) (NexusJobQueue  *self,
                               NexusJobRecord *job,
                               gpointer        user_data,
                               GError        **error);

/* Reads job @job_id and runs @action on it in one transaction, which is
 * committed when both succeed and rolled back otherwise. */
static gboolean
queue_job_action (NexusJobQueue *self,
                  gint64         job_id,
                  JobAction      action,
                  gpointer       user_data,
                  GError       **error)
{
  g_autoptr (NexusJobRecord) job = NULL;

  if (!nexus_store_begin (self->store, error))
    return FALSE;
  job = queue_get_job (self, job_id, error);
  return queue_finish (self, job != NULL && action (self, job, user_data, error), error);
}

/* --- GObject ------------------------------------------------------------ */

static void
nexus_job_queue_dispose (GObject *object)
{
  NexusJobQueue *self = (NexusJobQueue *)object;

  if (self->notify_source != NULL)
    {
      g_source_destroy (self->notify_source);
      g_clear_pointer (&self->notify_source, g_source_unref);
    }

  G_OBJECT_CLASS (nexus_job_queue_parent_class)->dispose (object);
}

static void
nexus_job_queue_finalize (GObject *object)
{
  NexusJobQueue *self = (NexusJobQueue *)object;

  g_clear_object (&self->store);
  g_clear_pointer (&self->rand, g_rand_free);
  g_clear_pointer (&self->regions, g_hash_table_unref);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (nexus_job_queue_parent_class)->finalize (object);
}

static void
nexus_job_queue_class_init (NexusJobQueueClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = nexus_job_queue_dispose;
  object_class->finalize = nexus_job_queue_finalize;

  /**
   * NexusJobQueue::jobs-available:
   *
   * Jobs became ready through this queue.  Emitted in the main context
   * that was thread-default when the queue was created, after the call
   * that queued them returned.
   */
  signals[JOBS_AVAILABLE] = g_signal_new ("jobs-available", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
nexus_job_queue_init (NexusJobQueue *self)
{
  self->config.lease_ttl_s = NEXUS_QUEUE_DEFAULT_LEASE_TTL_S;
  self->config.max_attempts = NEXUS_QUEUE_DEFAULT_MAX_ATTEMPTS;
  self->config.backoff_base_s = NEXUS_QUEUE_DEFAULT_BACKOFF_BASE_S;
  self->config.backoff_cap_s = NEXUS_QUEUE_DEFAULT_BACKOFF_CAP_S;
  self->config.max_jobs_per_run = NEXUS_QUEUE_DEFAULT_MAX_JOBS_PER_RUN;
  self->clock = default_clock;
  self->rand = g_rand_new ();
  self->regions = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, region_entry_free);
  self->context = g_main_context_ref_thread_default ();
}

/* --- public API --------------------------------------------------------- */

/**
 * nexus_job_queue_new:
 * @store: a writable store; the queue keeps a reference
 *
 * Returns: (transfer full): a queue with the default configuration, the
 *   real clock and a system-seeded random source
 */
NexusJobQueue *
nexus_job_queue_new (NexusStore *store)
{
  NexusJobQueue *self;

  g_return_val_if_fail (NEXUS_IS_STORE (store), NULL);

  self = g_object_new (NEXUS_TYPE_JOB_QUEUE, NULL);
  self->store = g_object_ref (store);
  return self;
}

NexusStore *
nexus_job_queue_get_store (NexusJobQueue *self)
{
  g_return_val_if_fail (NEXUS_IS_JOB_QUEUE (self), NULL);

  return self->store;
}

void
nexus_job_queue_get_config (NexusJobQueue *self, NexusQueueConfig *out_config)
{
  g_return_if_fail (NEXUS_IS_JOB_QUEUE (self));
  g_return_if_fail (out_config != NULL);

  *out_config = self->config;
}

/**
 * nexus_job_queue_set_config:
 *
 * Replaces the configuration; fields that are zero or negative keep their
 * defaults.  Affects leases and failures from now on.
 */
void
nexus_job_queue_set_config (NexusJobQueue *self, const NexusQueueConfig *config)
{
  g_return_if_fail (NEXUS_IS_JOB_QUEUE (self));
  g_return_if_fail (config != NULL);

  self->config.lease_ttl_s =
      config->lease_ttl_s > 0 ? config->lease_ttl_s : NEXUS_QUEUE_DEFAULT_LEASE_TTL_S;
  self->config.max_attempts =
      config->max_attempts > 0 ? config->max_attempts : NEXUS_QUEUE_DEFAULT_MAX_ATTEMPTS;
  self->config.backoff_base_s =
      config->backoff_base_s > 0 ? config->backoff_base_s : NEXUS_QUEUE_DEFAULT_BACKOFF_BASE_S;
  self->config.backoff_cap_s =
      config->backoff_cap_s > 0 ? config->backoff_cap_s : NEXUS_QUEUE_DEFAULT_BACKOFF_CAP_S;
  self->config.max_jobs_per_run = config->max_jobs_per_run > 0
                                      ? config->max_jobs_per_run
                                      : NEXUS_QUEUE_DEFAULT_MAX_JOBS_PER_RUN;
}

/**
 * nexus_job_queue_set_clock:
 * @clock: (nullable): the clock, or %NULL for the real time
 */
void
nexus_job_queue_set_clock (NexusJobQueue *self, NexusClockFunc clock, gpointer user_data)
{
  g_return_if_fail (NEXUS_IS_JOB_QUEUE (self));

  self->clock = clock != NULL ? clock : default_clock;
  self->clock_data = clock != NULL ? user_data : NULL;
  self->clock_high_water = 0;
  self->clock_went_back = FALSE;
}

gint64
nexus_job_queue_now (NexusJobQueue *self)
{
  g_return_val_if_fail (NEXUS_IS_JOB_QUEUE (self), 0);

  return queue_now (self);
}

/**
 * nexus_job_queue_set_random_seed:
 *
 * Makes the backoff's jitter repeatable.
 */
void
nexus_job_queue_set_random_seed (NexusJobQueue *self, guint32 seed)
{
  g_return_if_fail (NEXUS_IS_JOB_QUEUE (self));

  g_rand_set_seed (self->rand, seed);
}

/**
 * nexus_job_queue_add_search:
 * @spec: a search; checked with nexus_search_spec_validate() first
 * @out_plan: (out) (optional): the new search's id and its first run
 *
 * Adds the search and queues its first run in one transaction: either all
 * of it is written (with @spec's Nominatim answer, when it carries one) or
 * nothing.
 *
 * Returns: %FALSE with %NEXUS_SEARCH_ERROR_INVALID for a bad spec,
 *   %NEXUS_QUEUE_ERROR_INVALID for a plan with too many jobs, or a store
 *   error
 */
gboolean
nexus_job_queue_add_search (NexusJobQueue         *self,
                            const NexusSearchSpec *spec,
                            NexusRunPlan          *out_plan,
                            GError               **error)
{
  g_autoptr (GArray) cells = NULL;
  g_autofree char  *region_json = NULL;
  NexusSearchRecord search = { 0 };
  NexusRunPlan      plan = { 0 };
  gint64            now;

  g_return_val_if_fail (NEXUS_IS_JOB_QUEUE (self), FALSE);
  g_return_val_if_fail (spec != NULL, FALSE);

  cells = queue_plan_spec (self, spec, &search, &region_json, error);
  if (cells == NULL)
    return FALSE;
  now = queue_now (self);
  search.state = NEXUS_SEARCH_ACTIVE;

  if (!nexus_store_begin (self->store, error))
    return FALSE;

  if (spec->place_cache != NULL && !nexus_store_place_put (self->store, spec->place_cache, error))
    goto fail;

  search.id = nexus_store_search_insert (self->store, &search, now, error);
  if (search.id == 0)
    goto fail;
  search.created_at = now;

  if (!queue_run_in_transaction (self, &search, spec->region, cells, "initial", now, &plan, error))
    goto fail;
  if (!queue_commit (self, error))
    return FALSE;

  if (plan.n_jobs > 0)
    nexus_job_queue_notify_jobs_available (self);
  if (out_plan != NULL)
    *out_plan = plan;
  return TRUE;

fail:
  nexus_store_rollback (self->store);
  return FALSE;
}

static gboolean
queue_start_run (NexusJobQueue *self,
                 gint64         search_id,
                 const char    *reason,
                 gboolean       reactivate,
                 NexusRunPlan  *out_plan,
                 GError       **error)
{
  g_autoptr (NexusSearchRecord) search = NULL;
  g_autoptr (GArray) cells = NULL;
  NexusRunPlan plan = { 0 };
  NexusRegion *region;
  gint64       now;

  if (!nexus_store_begin (self->store, error))
    return FALSE;

  /* Read inside the write transaction: another process may have changed
   * the search since we last looked. */
  search = queue_get_search (self, search_id, error);
  if (search == NULL)
    goto fail;

  if (!reactivate && search->state != NEXUS_SEARCH_ACTIVE)
    {
      g_set_error (error, NEXUS_QUEUE_ERROR, NEXUS_QUEUE_ERROR_STATE,
                   _ ("Search %" PRId64 " is %s; only an active search runs on its "
                      "schedule"),
                   search_id, nexus_search_state_to_string (search->state));
      goto fail;
    }

  /* A scheduled run is checked again under the write lock: two engines on
   * one file both see the search due, and only the first may run it. */
  if (g_strcmp0 (reason, "schedule") == 0 &&
      (search->next_run_at == 0 || search->next_run_at > queue_now (self)))
    {
      g_set_error (error, NEXUS_QUEUE_ERROR, NEXUS_QUEUE_ERROR_STATE,
                   _ ("Search %" PRId64 " is not due"), search_id);
      goto fail;
    }

  region = queue_get_region (self, search, error);
  if (region == NULL)
    goto fail;
  cells = queue_plan_cells (self, region, search->cell_km, g_strv_length (search->keywords), error);
  if (cells == NULL)
    goto fail;

  now = queue_now (self);
  if (reactivate && search->state != NEXUS_SEARCH_ACTIVE)
    {
      if (search->state == NEXUS_SEARCH_PAUSED &&
          !nexus_store_job_resume_search (self->store, search_id, now, NULL, error))
        goto fail;
      if (!nexus_store_search_set_state (self->store, search_id, NEXUS_SEARCH_ACTIVE, -1, now,
                                         error))
        goto fail;
      search->state = NEXUS_SEARCH_ACTIVE;
    }

  if (!queue_run_in_transaction (self, search, region, cells, reason, now, &plan, error))
    goto fail;
  if (!queue_commit (self, error))
    return FALSE;

  nexus_job_queue_notify_jobs_available (self);
  if (out_plan != NULL)
    *out_plan = plan;
  return TRUE;

fail:
  nexus_store_rollback (self->store);
  return FALSE;
}

/**
 * nexus_job_queue_update_search:
 * @spec: the search's new settings, checked like a new search's
 *
 * Changes the settings of search @search_id.  The region, keywords,
 * provider, cell size and depth apply from its next run; a new priority
 * also reaches its pending jobs; a new cadence moves its next run (from
 * its last run).  A region that would plan too many jobs is refused and
 * nothing is written.
 *
 * Returns: %FALSE with %NEXUS_SEARCH_ERROR_INVALID, %NEXUS_QUEUE_ERROR_INVALID
 *   or %NEXUS_QUEUE_ERROR_NOT_FOUND
 */
gboolean
nexus_job_queue_update_search (NexusJobQueue         *self,
                               gint64                 search_id,
                               const NexusSearchSpec *spec,
                               GError               **error)
{
  g_autoptr (GArray) cells = NULL;
  g_autoptr (NexusSearchRecord) old = NULL;
  g_autofree char  *region_json = NULL;
  NexusSearchRecord search = { 0 };
  gint64            next_run_at = -1;
  gboolean          found = FALSE;
  gint64            now;

  g_return_val_if_fail (NEXUS_IS_JOB_QUEUE (self), FALSE);
  g_return_val_if_fail (spec != NULL, FALSE);

  cells = queue_plan_spec (self, spec, &search, &region_json, error);
  if (cells == NULL)
    return FALSE;
  now = queue_now (self);
  search.id = search_id;

  if (!nexus_store_begin (self->store, error))
    return FALSE;

  old = queue_get_search (self, search_id, error);
  if (old == NULL)
    goto fail;
  if (old->cadence_s != spec->cadence_s &&
      (old->state == NEXUS_SEARCH_ACTIVE || old->state == NEXUS_SEARCH_COMPLETED))
    next_run_at = spec->cadence_s > 0 ? MAX (now, old->last_run_at + spec->cadence_s) : 0;

  if (spec->place_cache != NULL && !nexus_store_place_put (self->store, spec->place_cache, error))
    goto fail;
  if (!nexus_store_search_update (self->store, &search, next_run_at, now, &found, error))
    goto fail;
  if (!found)
    {
      g_set_error (error, NEXUS_QUEUE_ERROR, NEXUS_QUEUE_ERROR_NOT_FOUND,
                   _ ("There is no search %" PRId64), search_id);
      goto fail;
    }
  if (old->priority != spec->priority &&
      !nexus_store_job_set_search_priority (self->store, search_id, spec->priority, now, error))
    goto fail;
  return queue_commit (self, error);

fail:
  nexus_store_rollback (self->store);
  return FALSE;
}

/**
 * nexus_job_queue_start_run:
 * @reason: "schedule" (the scheduler) or "rerun"
 *
 * Starts a new run of an active search: plans its region again and queues
 * every (cell, keyword) whose job is not still pending from an earlier run.
 * The next run is scheduled a cadence from now, so runs missed while no
 * engine ran collapse into this one.  With reason "schedule" the run starts
 * only if it is still due when the write lock is held (another process may
 * have run it): otherwise %NEXUS_QUEUE_ERROR_STATE.
 */
gboolean
nexus_job_queue_start_run (NexusJobQueue *self,
                           gint64         search_id,
                           const char    *reason,
                           NexusRunPlan  *out_plan,
                           GError       **error)
{
  g_return_val_if_fail (NEXUS_IS_JOB_QUEUE (self), FALSE);
  g_return_val_if_fail (reason != NULL, FALSE);

  return queue_start_run (self, search_id, reason, FALSE, out_plan, error);
}

/**
 * nexus_job_queue_rerun_search:
 *
 * Starts a new run now, whatever the cadence, and makes the search active
 * again (a paused search's jobs are resumed; a completed or cancelled
 * search starts over).
 */
gboolean
nexus_job_queue_rerun_search (NexusJobQueue *self,
                              gint64         search_id,
                              NexusRunPlan  *out_plan,
                              GError       **error)
{
  g_return_val_if_fail (NEXUS_IS_JOB_QUEUE (self), FALSE);

  return queue_start_run (self, search_id, "rerun", TRUE, out_plan, error);
}

typedef enum
{
  CHANGE_PAUSE,
  CHANGE_RESUME,
  CHANGE_CANCEL,
} StateChange;

static gboolean
queue_change_state (NexusJobQueue *self, gint64 search_id, StateChange change, GError **error)
{
  g_autoptr (NexusSearchRecord) search = NULL;
  gint64   now;
  gint64   changed = 0;
  gboolean ok;

  g_return_val_if_fail (NEXUS_IS_JOB_QUEUE (self), FALSE);

  if (!nexus_store_begin (self->store, error))
    return FALSE;

  search = queue_get_search (self, search_id, error);
  if (search == NULL)
    goto fail;

  now = queue_now (self);
  switch (change)
    {
      case CHANGE_PAUSE:
        if (search->state != NEXUS_SEARCH_ACTIVE)
          goto bad_state;
        ok = nexus_store_job_pause_search (self->store, search_id, now, &changed, error) &&
             nexus_store_search_set_state (self->store, search_id, NEXUS_SEARCH_PAUSED, -1, now,
                                           error);
        break;

      case CHANGE_RESUME:
        if (search->state != NEXUS_SEARCH_PAUSED)
          goto bad_state;
        ok = nexus_store_job_resume_search (self->store, search_id, now, &changed, error) &&
             nexus_store_search_set_state (self->store, search_id, NEXUS_SEARCH_ACTIVE, -1, now,
                                           error) &&
             nexus_store_search_complete_if_done (self->store, search_id, now, NULL, error);
        break;

      case CHANGE_CANCEL:
        if (search->state == NEXUS_SEARCH_CANCELLED)
          goto bad_state;
        ok = nexus_store_job_cancel_search (self->store, search_id, now, &changed, error) &&
             nexus_store_search_set_state (self->store, search_id, NEXUS_SEARCH_CANCELLED, 0, now,
                                           error);
        break;

      default:
        g_assert_not_reached ();
    }

  if (!ok)
    goto fail;
  if (!queue_commit (self, error))
    return FALSE;

  if (change == CHANGE_RESUME && changed > 0)
    nexus_job_queue_notify_jobs_available (self);
  return TRUE;

bad_state:
  if (change == CHANGE_PAUSE)
    g_set_error (error, NEXUS_QUEUE_ERROR, NEXUS_QUEUE_ERROR_STATE,
                 _ ("Search %" PRId64 " is %s; only an active search can be paused"), search_id,
                 nexus_search_state_to_string (search->state));
  else if (change == CHANGE_RESUME)
    g_set_error (error, NEXUS_QUEUE_ERROR, NEXUS_QUEUE_ERROR_STATE,
                 _ ("Search %" PRId64 " is %s; only a paused search can be resumed"), search_id,
                 nexus_search_state_to_string (search->state));
  else
    g_set_error (error, NEXUS_QUEUE_ERROR, NEXUS_QUEUE_ERROR_STATE,
                 _ ("Search %" PRId64 " is already cancelled"), search_id);
fail:
  nexus_store_rollback (self->store);
  return FALSE;
}

/**
 * nexus_job_queue_pause_search:
 *
 * An active search becomes paused, and so do its queued jobs; leased jobs
 * run to their end (a retry of one is paused too).  No scheduled run
 * starts while paused.
 */
gboolean
nexus_job_queue_pause_search (NexusJobQueue *self, gint64 search_id, GError **error)
{
  return queue_change_state (self, search_id, CHANGE_PAUSE, error);
}

/**
 * nexus_job_queue_resume_search:
 *
 * A paused search becomes active and its paused jobs are queued again.  A
 * scheduled run that came due meanwhile starts at the scheduler's next
 * tick, once.
 */
gboolean
nexus_job_queue_resume_search (NexusJobQueue *self, gint64 search_id, GError **error)
{
  return queue_change_state (self, search_id, CHANGE_RESUME, error);
}

/**
 * nexus_job_queue_cancel_search:
 *
 * The search is cancelled for good (nexus_job_queue_rerun_search() may
 * start it over): its pending jobs, leased ones included, are cancelled,
 * so their late reports are refused as lease lost.
 */
gboolean
nexus_job_queue_cancel_search (NexusJobQueue *self, gint64 search_id, GError **error)
{
  return queue_change_state (self, search_id, CHANGE_CANCEL, error);
}

/**
 * nexus_job_queue_lease:
 * @worker_id: workers.id of the lessee, or 0
 * @max: 1 to %NEXUS_QUEUE_MAX_LEASE jobs
 * @providers: (nullable): only jobs of these providers; %NULL for any
 *
 * Leases ready jobs in priority order, each with a fresh token and an
 * expiry of now + the lease TTL, in its own BEGIN IMMEDIATE transaction.
 * Must not be called inside a transaction.
 *
 * Returns: (transfer full) (element-type NexusLeasedJob): the jobs (maybe
 *   none), or %NULL with @error set
 */
GPtrArray *
nexus_job_queue_lease (NexusJobQueue     *self,
                       gint64             worker_id,
                       guint              max,
                       const char *const *providers,
                       GError           **error)
{
  g_autoptr (GPtrArray) jobs = NULL;

  g_return_val_if_fail (NEXUS_IS_JOB_QUEUE (self), NULL);
  g_return_val_if_fail (max >= 1 && max <= NEXUS_QUEUE_MAX_LEASE, NULL);

  if (!nexus_store_begin (self->store, error))
    return NULL;
  jobs = nexus_job_queue_lease_in_transaction (self, worker_id, max, providers, error);
  if (jobs == NULL)
    {
      nexus_store_rollback (self->store);
      return NULL;
    }
  if (!nexus_store_commit (self->store, error))
    return NULL;
  return g_steal_pointer (&jobs);
}

/**
 * nexus_job_queue_lease_in_transaction:
 *
 * nexus_job_queue_lease() inside the caller's open transaction (the worker
 * API's group commit): the leases count once the caller commits.
 */
GPtrArray *
nexus_job_queue_lease_in_transaction (NexusJobQueue     *self,
                                      gint64             worker_id,
                                      guint              max,
                                      const char *const *providers,
                                      GError           **error)
{
  g_return_val_if_fail (NEXUS_IS_JOB_QUEUE (self), NULL);
  g_return_val_if_fail (max >= 1 && max <= NEXUS_QUEUE_MAX_LEASE, NULL);
  g_return_val_if_fail (nexus_store_in_transaction (self->store), NULL);

  return nexus_store_job_lease (self->store, worker_id, max, providers, queue_now (self),
                                self->config.lease_ttl_s, error);
}

/**
 * nexus_job_queue_extend:
 * @out_expires_at: (out) (optional): the new expiry, now + the lease TTL
 *
 * Returns: %FALSE with %NEXUS_QUEUE_ERROR_LEASE_LOST when @token no longer
 *   holds the job, %NEXUS_QUEUE_ERROR_NOT_FOUND when there is no such job
 */
gboolean
nexus_job_queue_extend (NexusJobQueue *self,
                        gint64         job_id,
                        const char    *token,
                        gint64        *out_expires_at,
                        GError       **error)
{
  NexusLeaseCheck check = NEXUS_LEASE_LOST;
  gint64          expires_at = 0;

  g_return_val_if_fail (NEXUS_IS_JOB_QUEUE (self), FALSE);

  if (!nexus_store_job_extend (self->store, job_id, token, queue_now (self),
                               self->config.lease_ttl_s, &check, &expires_at, error))
    return FALSE;
  if (check != NEXUS_LEASE_HELD)
    return set_lease_error (check, job_id, error);
  if (out_expires_at != NULL)
    *out_expires_at = expires_at;
  return TRUE;
}

/**
 * nexus_job_queue_verify_lease:
 *
 * For a partial report: checks that @token holds the job and returns it
 * (its payload names the search, its country and language).
 *
 * Returns: (transfer full): the job, or %NULL with the errors of
 *   nexus_job_queue_extend()
 */
NexusJobRecord *
nexus_job_queue_verify_lease (NexusJobQueue *self, gint64 job_id, const char *token, GError **error)
{
  NexusLeaseCheck check = NEXUS_LEASE_LOST;
  NexusJobRecord *job;
  g_autoptr (GError) local_error = NULL;

  g_return_val_if_fail (NEXUS_IS_JOB_QUEUE (self), NULL);

  job = nexus_store_job_get_leased (self->store, job_id, token, &check, &local_error);
  if (job == NULL)
    job_lookup_failed (&local_error, check, job_id, error);
  return job;
}

/**
 * nexus_job_queue_complete_in_transaction:
 * @saturated: the provider's cap was reached: split the cell
 * @n_results: results the worker found in the cell
 * @out_outcome: (out) (optional): the split, the cap, the search's end
 *
 * The final report.  Needs the caller's open transaction: the job is done,
 * and a saturated place_search cell is split into its quadrants inside the
 * region (queued at depth + 1 with the same keyword and run), or marked
 * capped at the search's depth limit.  A one-off search with nothing left
 * pending becomes completed.
 *
 * Returns: %FALSE with the errors of nexus_job_queue_extend(), or a store
 *   error (then the caller rolls back)
 */
gboolean
nexus_job_queue_complete_in_transaction (NexusJobQueue        *self,
                                         gint64                job_id,
                                         const char           *token,
                                         gboolean              saturated,
                                         gint64                n_results,
                                         NexusCompleteOutcome *out_outcome,
                                         GError              **error)
{
  g_autoptr (NexusJobRecord) job = NULL;
  g_autoptr (GError) local_error = NULL;
  NexusCompleteOutcome outcome = { 0 };
  NexusLeaseCheck      check = NEXUS_LEASE_LOST;
  gint64               now;

  g_return_val_if_fail (NEXUS_IS_JOB_QUEUE (self), FALSE);
  g_return_val_if_fail (nexus_store_in_transaction (self->store), FALSE);

  now = queue_now (self);
  job = nexus_store_job_complete (self->store, job_id, token, saturated, n_results, now, &check,
                                  &local_error);
  if (job == NULL)
    return job_lookup_failed (&local_error, check, job_id, error);

  if (saturated && job->search_id > 0 && job->has_cell && job->keyword != NULL &&
      g_strcmp0 (job->kind, NEXUS_JOB_KIND_PLACE_SEARCH) == 0)
    {
      g_autoptr (NexusSearchRecord) search = queue_get_search (self, job->search_id, error);
      NexusRegion *region;

      if (search == NULL)
        return FALSE;

      if (job->depth >= search->max_depth)
        {
          if (!nexus_store_job_set_capped (self->store, job->id, error))
            return FALSE;
          outcome.capped = TRUE;
        }
      else if (search->state != NEXUS_SEARCH_CANCELLED)
        {
          g_autoptr (GArray) children = g_array_sized_new (FALSE, FALSE, sizeof (NexusBBox), 4);
          NexusBBox    quadrants[4];
          NexusRunPlan plan = { 0 };
          /* The children inherit the job's keyword only. */
          char *keywords[] = { job->keyword, NULL };
          guint n;

          if (!(region = queue_get_region (self, search, error)))
            return FALSE;
          n = nexus_planner_split (region, &job->cell, quadrants);
          g_array_append_vals (children, quadrants, n);
          if (!queue_insert_cells (self, search, keywords, job->run, children, job->depth + 1,
                                   job->id, now, &plan, error))
            return FALSE;
          outcome.n_children = plan.n_jobs;
        }
    }

  if (job->search_id > 0 && !nexus_store_search_complete_if_done (self->store, job->search_id, now,
                                                                  &outcome.search_completed, error))
    return FALSE;

  if (outcome.n_children > 0)
    nexus_job_queue_notify_jobs_available (self);
  if (out_outcome != NULL)
    *out_outcome = outcome;
  return TRUE;
}

/**
 * nexus_job_queue_complete:
 *
 * nexus_job_queue_complete_in_transaction() in its own transaction.
 */
gboolean
nexus_job_queue_complete (NexusJobQueue        *self,
                          gint64                job_id,
                          const char           *token,
                          gboolean              saturated,
                          gint64                n_results,
                          NexusCompleteOutcome *out_outcome,
                          GError              **error)
{
  g_return_val_if_fail (NEXUS_IS_JOB_QUEUE (self), FALSE);

  if (!nexus_store_begin (self->store, error))
    return FALSE;
  return queue_finish (self,
                       nexus_job_queue_complete_in_transaction (self, job_id, token, saturated,
                                                                n_results, out_outcome, error),
                       error);
}

/* Cuts @text to at most MAX_ERROR_BYTES on a character boundary. */
static char *
clip_error_text (const char *text)
{
  const char *end;

  if (text == NULL || *text == '\0')
    return g_strdup ("unknown error");
  if (!g_utf8_validate (text, -1, &end))
    return g_strndup (text, MIN ((gsize)(end - text), MAX_ERROR_BYTES));
  if (strlen (text) <= MAX_ERROR_BYTES)
    return g_strdup (text);
  end = g_utf8_find_prev_char (text, text + MAX_ERROR_BYTES + 1);
  return g_strndup (text, end - text);
}

/**
 * nexus_job_queue_fail_in_transaction:
 * @error_text: what went wrong, kept as the job's last error
 * @retryable: %FALSE to give the job up at once
 * @out_outcome: (out) (optional): PROTOCOL.md's {"state","run_after"}
 *
 * The failure report.  Needs the caller's open transaction.  A retryable
 * failure with attempts left queues the job again after a capped
 * exponential backoff with full jitter; otherwise the job is dead, its
 * last error kept.
 */
gboolean
nexus_job_queue_fail_in_transaction (NexusJobQueue    *self,
                                     gint64            job_id,
                                     const char       *token,
                                     const char       *error_text,
                                     gboolean          retryable,
                                     NexusFailOutcome *out_outcome,
                                     GError          **error)
{
  g_autoptr (NexusJobRecord) job = NULL;
  g_autofree char *clipped = NULL;
  NexusFailOutcome outcome = { NEXUS_JOB_QUEUED, 0 };
  gboolean         dead;
  gint64           now;

  g_return_val_if_fail (NEXUS_IS_JOB_QUEUE (self), FALSE);
  g_return_val_if_fail (nexus_store_in_transaction (self->store), FALSE);

  job = nexus_job_queue_verify_lease (self, job_id, token, error);
  if (job == NULL)
    return FALSE;

  now = queue_now (self);
  dead = !retryable || job->attempts >= job->max_attempts;
  outcome.run_after =
      dead ? now
           : now + nexus_backoff_delay ((guint)MAX (job->attempts, 1), self->config.backoff_base_s,
                                        self->config.backoff_cap_s, self->rand);
  clipped = clip_error_text (error_text);

  {
    NexusLeaseCheck check = NEXUS_LEASE_LOST;

    if (!nexus_store_job_fail (self->store, job_id, token, dead, outcome.run_after, clipped, now,
                               &check, &outcome.status, error))
      return FALSE;
    if (check != NEXUS_LEASE_HELD)
      return set_lease_error (check, job_id, error);
  }

  if (dead && job->search_id > 0 &&
      !nexus_store_search_complete_if_done (self->store, job->search_id, now, NULL, error))
    return FALSE;

  if (outcome.status == NEXUS_JOB_QUEUED && outcome.run_after <= now)
    nexus_job_queue_notify_jobs_available (self);
  if (out_outcome != NULL)
    *out_outcome = outcome;
  return TRUE;
}

gboolean
nexus_job_queue_fail (NexusJobQueue    *self,
                      gint64            job_id,
                      const char       *token,
                      const char       *error_text,
                      gboolean          retryable,
                      NexusFailOutcome *out_outcome,
                      GError          **error)
{
  g_return_val_if_fail (NEXUS_IS_JOB_QUEUE (self), FALSE);

  if (!nexus_store_begin (self->store, error))
    return FALSE;
  return queue_finish (self,
                       nexus_job_queue_fail_in_transaction (self, job_id, token, error_text,
                                                            retryable, out_outcome, error),
                       error);
}

/**
 * nexus_job_queue_reap:
 * @out_reclaimed: (out) (optional): expired leases ended by this call
 *
 * Ends every expired lease (see nexus_store_job_reap()) in one
 * transaction; a one-off search whose last job died so is completed.  After
 * the clock went backwards it first clamps lease expiries and retry times
 * to at most one TTL and one backoff cap from now.
 */
gboolean
nexus_job_queue_reap (NexusJobQueue *self, gint64 *out_reclaimed, GError **error)
{
  gint64   requeued = 0;
  gint64   dead = 0;
  gint64   now;
  gboolean ok;

  g_return_val_if_fail (NEXUS_IS_JOB_QUEUE (self), FALSE);

  now = queue_now (self);
  if (!nexus_store_begin (self->store, error))
    return FALSE;

  ok = (!self->clock_went_back ||
        nexus_store_job_clamp_times (self->store, now, self->config.lease_ttl_s,
                                     self->config.backoff_cap_s, NULL, error)) &&
       nexus_store_job_reap (self->store, now, &requeued, &dead, error);
  if (!queue_finish (self, ok, error))
    return FALSE;
  self->clock_went_back = FALSE;

  if (requeued > 0)
    nexus_job_queue_notify_jobs_available (self);
  if (out_reclaimed != NULL)
    *out_reclaimed = requeued + dead;
  return TRUE;
}

/* JobAction of nexus_job_queue_retry(): @user_data is the NexusJobStatus
 * the job gets. */
static gboolean
retry_job (NexusJobQueue *self, NexusJobRecord *job, gpointer user_data, GError **error)
{
  NexusJobStatus *to = user_data;
  gboolean        changed = FALSE;

  if (!(job->status == NEXUS_JOB_DEAD || (job->status == NEXUS_JOB_QUEUED && job->attempts > 0)))
    {
      g_set_error (error, NEXUS_QUEUE_ERROR, NEXUS_QUEUE_ERROR_STATE,
                   _ ("Job %" PRId64 " is %s; only dead jobs and jobs waiting for a "
                      "retry can be retried"),
                   job->id, nexus_job_status_to_string (job->status));
      return FALSE;
    }

  if (job->search_id > 0)
    {
      g_autoptr (NexusSearchRecord) search = queue_get_search (self, job->search_id, error);

      if (search == NULL)
        return FALSE;
      if (search->state == NEXUS_SEARCH_CANCELLED)
        {
          g_set_error (error, NEXUS_QUEUE_ERROR, NEXUS_QUEUE_ERROR_STATE,
                       _ ("Job %" PRId64 " belongs to cancelled search %" PRId64
                          "; rerun the search instead"),
                       job->id, job->search_id);
          return FALSE;
        }
      if (search->state == NEXUS_SEARCH_PAUSED)
        *to = NEXUS_JOB_PAUSED;
      if (search->state == NEXUS_SEARCH_COMPLETED &&
          !nexus_store_search_set_state (self->store, search->id, NEXUS_SEARCH_ACTIVE, -1,
                                         queue_now (self), error))
        return FALSE;
    }

  return nexus_store_job_requeue (self->store, job->id, job->status, *to,
                                  job->status == NEXUS_JOB_DEAD, queue_now (self), &changed, error);
}

/**
 * nexus_job_queue_retry:
 * @out_status: (out) (optional): the job's status now
 *
 * The operator's retry: a dead job gets all its attempts again and is due
 * now (paused if its search is); a job waiting for a retry after a failure
 * is due now.
 *
 * Returns: %FALSE with %NEXUS_QUEUE_ERROR_NOT_FOUND, or
 *   %NEXUS_QUEUE_ERROR_STATE for a job in any other state or of a
 *   cancelled search
 */
gboolean
nexus_job_queue_retry (NexusJobQueue  *self,
                       gint64          job_id,
                       NexusJobStatus *out_status,
                       GError        **error)
{
  NexusJobStatus to = NEXUS_JOB_QUEUED;

  g_return_val_if_fail (NEXUS_IS_JOB_QUEUE (self), FALSE);

  if (!queue_job_action (self, job_id, retry_job, &to, error))
    return FALSE;

  if (to == NEXUS_JOB_QUEUED)
    nexus_job_queue_notify_jobs_available (self);
  if (out_status != NULL)
    *out_status = to;
  return TRUE;
}

/**
 * nexus_job_queue_retry_dead:
 * @search_id: only this search's dead jobs; 0 for all
 * @out_retried: (out) (optional): how many jobs were queued (or paused)
 *   again
 *
 * nexus_job_queue_retry() for every dead job; the dead jobs of cancelled
 * searches stay dead (rerun the search instead).
 */
gboolean
nexus_job_queue_retry_dead (NexusJobQueue *self,
                            gint64         search_id,
                            gint64        *out_retried,
                            GError       **error)
{
  NexusJobFilter filter = { .search_id = search_id, .status = "dead" };
  g_autoptr (GArray) ids = NULL;
  gint64 retried = 0;

  g_return_val_if_fail (NEXUS_IS_JOB_QUEUE (self), FALSE);

  ids = nexus_store_job_list_ids (self->store, &filter, error);
  if (ids == NULL)
    return FALSE;

  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr (GError) local_error = NULL;

      if (nexus_job_queue_retry (self, g_array_index (ids, gint64, i), NULL, &local_error))
        retried++;
      else if (!g_error_matches (local_error, NEXUS_QUEUE_ERROR, NEXUS_QUEUE_ERROR_STATE) &&
               !g_error_matches (local_error, NEXUS_QUEUE_ERROR, NEXUS_QUEUE_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }

  if (out_retried != NULL)
    *out_retried = retried;
  return TRUE;
}

/* JobAction of nexus_job_queue_cancel_job(). */
static gboolean
cancel_job (NexusJobQueue *self, NexusJobRecord *job, gpointer user_data, GError **error)
{
  gboolean changed = FALSE;
  gint64   now = queue_now (self);

  if (!nexus_store_job_cancel (self->store, job->id, now, &changed, error))
    return FALSE;
  if (!changed)
    {
      g_set_error (error, NEXUS_QUEUE_ERROR, NEXUS_QUEUE_ERROR_STATE,
                   _ ("Job %" PRId64 " is %s; only queued, leased and paused jobs can be "
                      "cancelled"),
                   job->id, nexus_job_status_to_string (job->status));
      return FALSE;
    }
  return job->search_id <= 0 ||
         nexus_store_search_complete_if_done (self->store, job->search_id, now, NULL, error);
}

/**
 * nexus_job_queue_cancel_job:
 *
 * The operator's cancel of one job that is queued, leased or paused; a
 * worker that holds it loses its lease.  A one-off search whose last
 * pending job this was is completed.
 *
 * Returns: %FALSE with %NEXUS_QUEUE_ERROR_NOT_FOUND, or
 *   %NEXUS_QUEUE_ERROR_STATE for a job that is already finished
 */
gboolean
nexus_job_queue_cancel_job (NexusJobQueue *self, gint64 job_id, GError **error)
{
  g_return_val_if_fail (NEXUS_IS_JOB_QUEUE (self), FALSE);

  return queue_job_action (self, job_id, cancel_job, NULL, error);
}

/**
 * nexus_job_queue_bump_priority:
 * @delta: added to the job's priority (negative lowers it)
 * @out_priority: (out) (optional): the job's priority now
 *
 * Changes the priority of a job that is not finished yet, within
 * ±%NEXUS_SEARCH_MAX_PRIORITY.
 *
 * Returns: %FALSE with %NEXUS_QUEUE_ERROR_NOT_FOUND, or
 *   %NEXUS_QUEUE_ERROR_STATE for a finished job
 */
gboolean
nexus_job_queue_bump_priority (NexusJobQueue *self,
                               gint64         job_id,
                               int            delta,
                               int           *out_priority,
                               GError       **error)
{
  g_autoptr (NexusJobRecord) job = NULL;

  g_return_val_if_fail (NEXUS_IS_JOB_QUEUE (self), FALSE);

  if (!nexus_store_job_add_priority (self->store, job_id, delta, NEXUS_SEARCH_MAX_PRIORITY,
                                     queue_now (self), NULL, error))
    return FALSE;

  job = queue_get_job (self, job_id, error);
  if (job == NULL)
    return FALSE;
  if (job->status == NEXUS_JOB_DONE || job->status == NEXUS_JOB_DEAD ||
      job->status == NEXUS_JOB_CANCELLED)
    {
      g_set_error (error, NEXUS_QUEUE_ERROR, NEXUS_QUEUE_ERROR_STATE,
                   _ ("Job %" PRId64 " is %s; only unfinished jobs can change priority"), job_id,
                   nexus_job_status_to_string (job->status));
      return FALSE;
    }
  if (out_priority != NULL)
    *out_priority = job->priority;
  return TRUE;
}

/**
 * nexus_job_queue_enqueue:
 * @spec: the job; kind and payload are the caller's (e.g. "enrich")
 * @out_job_id: (out) (optional): the new job's id (0 when a pending twin
 *   place_search job exists)
 *
 * Queues one job of any kind and schedules "jobs-available".  Joins the
 * caller's transaction when one is open.  A @spec with max_attempts 0 gets
 * the queue's default.
 */
gboolean
nexus_job_queue_enqueue (NexusJobQueue      *self,
                         const NexusJobSpec *spec,
                         gint64             *out_job_id,
                         GError            **error)
{
  NexusJobSpec copy;
  gint64       id = 0;

  g_return_val_if_fail (NEXUS_IS_JOB_QUEUE (self), FALSE);
  g_return_val_if_fail (spec != NULL, FALSE);

  copy = *spec;
  if (copy.max_attempts <= 0)
    copy.max_attempts = self->config.max_attempts;
  if (!nexus_store_job_insert (self->store, &copy, queue_now (self), &id, error))
    return FALSE;
  if (id > 0 && copy.status == NEXUS_JOB_QUEUED)
    nexus_job_queue_notify_jobs_available (self);
  if (out_job_id != NULL)
    *out_job_id = id;
  return TRUE;
}
