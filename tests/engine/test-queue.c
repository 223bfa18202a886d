/* test-queue.c — leases, fencing, reports, retries, splits, concurrency
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The concurrency test re-executes this binary as "--lease-child DB" in
 * four processes of four threads, each thread with its own store on the
 * same file, and checks that every job was completed exactly once.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "planner/nexus-planner.h"
#include "queue/nexus-job-queue.h"
#include "store/nexus-store-private.h"
#include "store/nexus-store-queue.h"
#include "store/nexus-store-workers.h"

#define T0 1700000000

#define N_PROCESSES        4
#define N_THREADS          4
#define N_CONCURRENCY_JOBS 2400

typedef struct
{
  char          *dir;
  char          *path;
  NexusStore    *store;
  NexusJobQueue *queue;
  /* The queue's clock. */
  gint64 now;
} Fixture;

static gint64
fixture_clock (gpointer data)
{
  return *(gint64 *)data;
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("nexus-queue-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "nexus.db", NULL);
  fixture->store = nexus_store_open (fixture->path, NEXUS_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  fixture->queue = nexus_job_queue_new (fixture->store);
  fixture->now = T0;
  nexus_job_queue_set_clock (fixture->queue, fixture_clock, &fixture->now);
  nexus_job_queue_set_random_seed (fixture->queue, 42);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };

  g_clear_object (&fixture->queue);
  g_clear_object (&fixture->store);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (fixture->path, suffixes[i], NULL);
      g_unlink (file);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
}

static NexusJobQueue *
open_queue (const char *path, gint64 *clock)
{
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (GError) error = NULL;
  NexusJobQueue *queue;

  store = nexus_store_open (path, NEXUS_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  queue = nexus_job_queue_new (store);
  if (clock != NULL)
    nexus_job_queue_set_clock (queue, fixture_clock, clock);
  return queue;
}

static NexusRunPlan
add_search (Fixture *fixture, const char *keywords, const char *bbox, double cell_km, int max_depth)
{
  g_autoptr (NexusSearchSpec) spec = nexus_search_spec_new ();
  g_autoptr (GError) error = NULL;
  NexusBBox    box;
  NexusRunPlan plan = { 0 };

  spec->name = g_strdup ("test");
  spec->keywords = nexus_search_parse_keywords (keywords, &error);
  g_assert_no_error (error);
  nexus_bbox_parse (bbox, &box, &error);
  g_assert_no_error (error);
  spec->region = nexus_region_new_bbox (&box);
  spec->region_kind = g_strdup ("bbox");
  spec->cell_km = cell_km;
  spec->max_depth = max_depth;
  spec->country = g_strdup ("EG");
  spec->language = g_strdup ("ar");
  nexus_job_queue_add_search (fixture->queue, spec, &plan, &error);
  g_assert_no_error (error);
  return plan;
}

static void
enqueue_plain (NexusJobQueue *queue, guint n, int priority, const char *provider, gint64 run_after)
{
  g_autoptr (GError) error = NULL;
  NexusStore *store = nexus_job_queue_get_store (queue);

  nexus_store_begin (store, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < n; i++)
    {
      NexusJobSpec spec = { 0 };

      spec.kind = "test";
      spec.status = NEXUS_JOB_QUEUED;
      spec.priority = priority;
      spec.provider = provider;
      spec.payload = "{}";
      spec.run_after = run_after;
      nexus_job_queue_enqueue (queue, &spec, NULL, &error);
      g_assert_no_error (error);
    }
  nexus_store_commit (store, &error);
  g_assert_no_error (error);
}

static GPtrArray *
lease (NexusJobQueue *queue, guint max)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *jobs = nexus_job_queue_lease (queue, 0, max, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (jobs);
  return jobs;
}

static gint64
count_jobs (Fixture *fixture, const char *status)
{
  NexusJobFilter filter = { .status = status };
  g_autoptr (GPtrArray) jobs = NULL;
  g_autoptr (GError) error = NULL;

  jobs = nexus_store_job_list (fixture->store, &filter, &error);
  g_assert_no_error (error);
  return jobs->len;
}

static gint64
sql_int (NexusStore *store, const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64        value;

  g_assert_cmpint (sqlite3_prepare_v2 (_nexus_store_get_db (store), sql, -1, &stmt, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

static gboolean
is_token (const char *token)
{
  if (token == NULL || strlen (token) != 32)
    return FALSE;
  for (const char *p = token; *p != '\0'; p++)
    if (!g_ascii_isxdigit (*p) || g_ascii_isupper (*p))
      return FALSE;
  return TRUE;
}

/* --- the lease's query plan --------------------------------------------- */

static int
trace_cb (unsigned type, void *context, void *statement, void *extra)
{
  GPtrArray  *seen = context;
  const char *sql = sqlite3_sql (statement);

  if (sql != NULL && g_str_has_prefix (sql, "UPDATE internal_jobs SET status = 'leased'"))
    g_ptr_array_add (seen, g_strdup (sql));
  return 0;
}

static void
check_plan (const char *path, const char *sql)
{
  sqlite3         *db = NULL;
  sqlite3_stmt    *stmt = NULL;
  g_autofree char *explain = g_strconcat ("EXPLAIN QUERY PLAN ", sql, NULL);
  g_autoptr (GString) plan = g_string_new (NULL);
  gboolean uses_ready = FALSE;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, explain, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *detail = (const char *)sqlite3_column_text (stmt, 3);

      g_string_append_printf (plan, "%s\n", detail);
      if (strstr (detail, "USING INDEX internal_jobs_ready") != NULL ||
          strstr (detail, "USING COVERING INDEX internal_jobs_ready") != NULL)
        uses_ready = TRUE;
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  g_test_message ("plan of %s:\n%s", sql, plan->str);
  if (!uses_ready)
    g_error ("the lease does not walk internal_jobs_ready:\n%s", plan->str);
  if (strstr (plan->str, "TEMP B-TREE") != NULL)
    g_error ("the lease sorts in a temporary B-tree:\n%s", plan->str);
}

/* Jobs of no provider (kind "enrich") are leased by naming their kind. */
static void
test_lease_by_kind (Fixture *fixture, gconstpointer data)
{
  const char *places[] = { "overpass", NULL };
  const char *enrich[] = { "enrich", NULL };
  g_autoptr (GPtrArray) jobs = NULL;
  g_autoptr (GError) error = NULL;
  NexusJobSpec spec = { 0 };

  enqueue_plain (fixture->queue, 2, 0, "overpass", 0);
  spec.kind = "enrich";
  spec.status = NEXUS_JOB_QUEUED;
  spec.payload = "{\"lead_id\":1}";
  nexus_job_queue_enqueue (fixture->queue, &spec, NULL, &error);
  g_assert_no_error (error);

  jobs = nexus_job_queue_lease (fixture->queue, 0, 10, places, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jobs->len, ==, 2);
  g_clear_pointer (&jobs, g_ptr_array_unref);

  jobs = nexus_job_queue_lease (fixture->queue, 0, 10, enrich, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jobs->len, ==, 1);
  g_assert_cmpstr (((NexusLeasedJob *)g_ptr_array_index (jobs, 0))->kind, ==, "enrich");
}

static void
test_lease_plan (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  const char *providers[] = { "overpass", NULL };
  g_autoptr (GPtrArray) jobs = NULL;
  g_autoptr (GError) error = NULL;

  enqueue_plain (fixture->queue, 50, 0, "overpass", 0);
  enqueue_plain (fixture->queue, 50, 3, "other", 0);

  /* Catch the statements the queue really runs, both variants. */
  sqlite3_trace_v2 (_nexus_store_get_db (fixture->store), SQLITE_TRACE_STMT, trace_cb, seen);
  jobs = nexus_job_queue_lease (fixture->queue, 0, 5, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&jobs, g_ptr_array_unref);
  jobs = nexus_job_queue_lease (fixture->queue, 0, 5, providers, &error);
  g_assert_no_error (error);
  sqlite3_trace_v2 (_nexus_store_get_db (fixture->store), 0, NULL, NULL);

  g_assert_cmpuint (seen->len, ==, 2);
  for (guint i = 0; i < seen->len; i++)
    {
      const char *sql = g_ptr_array_index (seen, i);

      /* The single atomic statement of DESIGN.md. */
      g_assert_nonnull (strstr (sql, "WHERE id IN (SELECT id FROM internal_jobs"));
      g_assert_nonnull (strstr (sql, "ORDER BY priority DESC, id LIMIT"));
      g_assert_nonnull (strstr (sql, "RETURNING"));
      check_plan (fixture->path, sql);
    }
}

/* --- leases ------------------------------------------------------------- */

static void
test_lease_exclusive (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusJobQueue) other = open_queue (fixture->path, &fixture->now);
  g_autoptr (GHashTable) ids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr (GHashTable) tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);
  guint total = 0;

  enqueue_plain (fixture->queue, 200, 0, NULL, 0);

  for (guint round = 0;; round++)
    {
      NexusJobQueue *queue = round % 2 == 0 ? fixture->queue : other;
      g_autoptr (GPtrArray) jobs = lease (queue, (guint)g_rand_int_range (rand, 1, 9));

      if (jobs->len == 0)
        break;
      for (guint i = 0; i < jobs->len; i++)
        {
          NexusLeasedJob *job = g_ptr_array_index (jobs, i);

          g_assert_true (g_hash_table_add (ids, g_memdup2 (&job->id, sizeof job->id)));
          g_assert_true (is_token (job->lease_token));
          g_assert_true (g_hash_table_add (tokens, g_strdup (job->lease_token)));
          g_assert_cmpint (job->attempt, ==, 1);
          g_assert_cmpint (job->lease_expires_at, ==, T0 + NEXUS_QUEUE_DEFAULT_LEASE_TTL_S);
          g_assert_cmpstr (job->kind, ==, "test");
        }
      total += jobs->len;
    }
  g_assert_cmpuint (total, ==, 200);
  g_assert_cmpint (count_jobs (fixture, "leased"), ==, 200);
}

static void
test_lease_order_and_filter (Fixture *fixture, gconstpointer data)
{
  const char *overpass[] = { "overpass", NULL };
  g_autoptr (GPtrArray) jobs = NULL;
  g_autoptr (GError) error = NULL;
  int    last_priority = G_MAXINT;
  gint64 last_id = 0;

  enqueue_plain (fixture->queue, 3, 0, "overpass", 0);
  enqueue_plain (fixture->queue, 3, 5, "overpass", 0);
  enqueue_plain (fixture->queue, 3, 9, "other", 0);
  /* Highest priority, but not due yet. */
  enqueue_plain (fixture->queue, 2, 20, "overpass", T0 + 60);

  {
    gint64 ready = 0;

    nexus_store_job_count_ready (fixture->store, fixture->now, &ready, &error);
    g_assert_no_error (error);
    g_assert_cmpint (ready, ==, 9);
  }

  jobs = nexus_job_queue_lease (fixture->queue, 0, 50, overpass, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jobs->len, ==, 6);
  for (guint i = 0; i < jobs->len; i++)
    {
      NexusLeasedJob *job = g_ptr_array_index (jobs, i);

      g_assert_cmpint (job->priority, <=, last_priority);
      if (job->priority == last_priority)
        g_assert_cmpint (job->id, >, last_id);
      g_assert_cmpint (job->priority, !=, 9);
      g_assert_cmpint (job->priority, !=, 20);
      last_priority = job->priority;
      last_id = job->id;
    }
  g_clear_pointer (&jobs, g_ptr_array_unref);

  /* Unfiltered, the other provider's jobs come first by priority. */
  jobs = lease (fixture->queue, 1);
  g_assert_cmpuint (jobs->len, ==, 1);
  g_assert_cmpint (((NexusLeasedJob *)g_ptr_array_index (jobs, 0))->priority, ==, 9);
  g_clear_pointer (&jobs, g_ptr_array_unref);

  /* Once due, the deferred ones lead. */
  fixture->now = T0 + 60;
  jobs = lease (fixture->queue, 50);
  g_assert_cmpuint (jobs->len, ==, 4);
  g_assert_cmpint (((NexusLeasedJob *)g_ptr_array_index (jobs, 0))->priority, ==, 20);
}

static void
test_payload (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GPtrArray) jobs = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  NexusRunPlan    plan;
  JsonObject     *payload;
  JsonObject     *cell;
  NexusLeasedJob *job;

  plan = add_search (fixture, "مقهى, café", "30.0,31.0,30.01,31.01", 2.0, 3);
  g_assert_cmpuint (plan.n_cells, ==, 1);
  g_assert_cmpuint (plan.n_jobs, ==, 2);
  g_assert_cmpint (plan.run, ==, 1);

  jobs = lease (fixture->queue, 1);
  job = g_ptr_array_index (jobs, 0);
  g_assert_cmpstr (job->kind, ==, NEXUS_JOB_KIND_PLACE_SEARCH);
  json_parser_load_from_data (parser, job->payload, -1, &error);
  g_assert_no_error (error);
  payload = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpint (json_object_get_int_member (payload, "search_id"), ==, plan.search_id);
  g_assert_cmpstr (json_object_get_string_member (payload, "keyword"), ==, "مقهى");
  g_assert_cmpstr (json_object_get_string_member (payload, "provider"), ==, "overpass");
  g_assert_cmpstr (json_object_get_string_member (payload, "country"), ==, "EG");
  g_assert_cmpstr (json_object_get_string_member (payload, "language"), ==, "ar");
  g_assert_cmpint (json_object_get_int_member (payload, "depth"), ==, 0);
  cell = json_object_get_object_member (payload, "cell");
  g_assert_cmpfloat (json_object_get_double_member (cell, "south"), ==, 30.0);
  g_assert_cmpfloat (json_object_get_double_member (cell, "west"), ==, 31.0);
  g_assert_cmpfloat (json_object_get_double_member (cell, "north"), ==, 30.01);
  g_assert_cmpfloat (json_object_get_double_member (cell, "east"), ==, 31.01);
}

static void
test_extend_and_fencing (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GPtrArray) jobs = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusJobRecord) record = NULL;
  g_autofree char *token = NULL;
  NexusLeasedJob  *job;
  gint64           expires = 0;
  gint64           id;

  enqueue_plain (fixture->queue, 1, 0, NULL, 0);
  jobs = lease (fixture->queue, 1);
  job = g_ptr_array_index (jobs, 0);
  id = job->id;
  token = g_strdup (job->lease_token);

  fixture->now = T0 + 100;
  g_assert_true (nexus_job_queue_extend (fixture->queue, id, token, &expires, &error));
  g_assert_no_error (error);
  g_assert_cmpint (expires, ==, T0 + 100 + NEXUS_QUEUE_DEFAULT_LEASE_TTL_S);

  /* Another token, an empty one, another job: refused, nothing changes. */
  g_assert_false (nexus_job_queue_extend (fixture->queue, id, "0123456789abcdef0123456789abcdef",
                                          NULL, &error));
  g_assert_error (error, NEXUS_QUEUE_ERROR, NEXUS_QUEUE_ERROR_LEASE_LOST);
  g_clear_error (&error);
  g_assert_false (nexus_job_queue_extend (fixture->queue, id, NULL, NULL, &error));
  g_assert_error (error, NEXUS_QUEUE_ERROR, NEXUS_QUEUE_ERROR_LEASE_LOST);
  g_clear_error (&error);
  g_assert_false (nexus_job_queue_extend (fixture->queue, id + 1000, token, NULL, &error));
  g_assert_error (error, NEXUS_QUEUE_ERROR, NEXUS_QUEUE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (
      nexus_job_queue_complete (fixture->queue, id, "deadbeef", FALSE, 1, NULL, &error));
  g_assert_error (error, NEXUS_QUEUE_ERROR, NEXUS_QUEUE_ERROR_LEASE_LOST);
  g_clear_error (&error);

  record = nexus_job_queue_verify_lease (fixture->queue, id, token, &error);
  g_assert_no_error (error);
  g_assert_cmpint (record->status, ==, NEXUS_JOB_LEASED);
  g_assert_cmpint (record->lease_expires_at, ==, expires);

  /* Complete, then the same token is spent. */
  g_assert_true (nexus_job_queue_complete (fixture->queue, id, token, FALSE, 7, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (nexus_job_queue_complete (fixture->queue, id, token, FALSE, 7, NULL, &error));
  g_assert_error (error, NEXUS_QUEUE_ERROR, NEXUS_QUEUE_ERROR_LEASE_LOST);
  g_clear_error (&error);
  g_assert_false (nexus_job_queue_extend (fixture->queue, id, token, NULL, &error));
  g_assert_error (error, NEXUS_QUEUE_ERROR, NEXUS_QUEUE_ERROR_LEASE_LOST);
  g_clear_error (&error);

  g_clear_pointer (&record, nexus_job_record_free);
  record = nexus_store_job_get (fixture->store, id, &error);
  g_assert_cmpint (record->status, ==, NEXUS_JOB_DONE);
  g_assert_cmpint (record->result_count, ==, 7);
  g_assert_null (record->lease_token);
}

typedef struct
{
  const char *path;
  gint64      now;
  gint64      reclaimed;
  GCond      *cond;
  GMutex     *lock;
  gint       *ready;
} ReapCall;

static gpointer
reap_thread (gpointer data)
{
  ReapCall *call = data;
  g_autoptr (NexusJobQueue) queue = open_queue (call->path, &call->now);
  g_autoptr (GError) error = NULL;

  /* Start together. */
  g_mutex_lock (call->lock);
  (*call->ready)++;
  g_cond_broadcast (call->cond);
  while (*call->ready < 2)
    g_cond_wait (call->cond, call->lock);
  g_mutex_unlock (call->lock);

  nexus_job_queue_reap (queue, &call->reclaimed, &error);
  g_assert_no_error (error);
  return NULL;
}

static void
test_reaper_once (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GPtrArray) jobs = NULL;
  g_autoptr (GPtrArray) again = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *old_token = NULL;
  GMutex           lock;
  GCond            cond;
  gint             ready = 0;
  ReapCall         calls[2];
  GThread         *threads[2];
  gint64           id;
  gint64           reclaimed = -1;

  enqueue_plain (fixture->queue, 1, 0, NULL, 0);
  jobs = lease (fixture->queue, 1);
  id = ((NexusLeasedJob *)g_ptr_array_index (jobs, 0))->id;
  old_token = g_strdup (((NexusLeasedJob *)g_ptr_array_index (jobs, 0))->lease_token);

  /* Not expired yet: nothing to reap. */
  fixture->now = T0 + NEXUS_QUEUE_DEFAULT_LEASE_TTL_S;
  nexus_job_queue_reap (fixture->queue, &reclaimed, &error);
  g_assert_no_error (error);
  g_assert_cmpint (reclaimed, ==, 0);

  /* Two reapers in two connections at once: one reclaims it. */
  g_mutex_init (&lock);
  g_cond_init (&cond);
  for (guint i = 0; i < 2; i++)
    {
      calls[i] = (ReapCall){ fixture->path, T0 + 500, -1, &cond, &lock, &ready };
      threads[i] = g_thread_new ("reaper", reap_thread, &calls[i]);
    }
  for (guint i = 0; i < 2; i++)
    g_thread_join (threads[i]);
  g_mutex_clear (&lock);
  g_cond_clear (&cond);
  g_assert_cmpint (calls[0].reclaimed + calls[1].reclaimed, ==, 1);
  g_assert_cmpint (calls[0].reclaimed * calls[1].reclaimed, ==, 0);

  /* A third pass finds nothing more. */
  fixture->now = T0 + 501;
  nexus_job_queue_reap (fixture->queue, &reclaimed, &error);
  g_assert_no_error (error);
  g_assert_cmpint (reclaimed, ==, 0);

  /* The old token is dead, even before anyone leases the job again... */
  g_assert_false (nexus_job_queue_extend (fixture->queue, id, old_token, NULL, &error));
  g_assert_error (error, NEXUS_QUEUE_ERROR, NEXUS_QUEUE_ERROR_LEASE_LOST);
  g_clear_error (&error);

  /* ...and after: the new lease has a new token and a second attempt. */
  again = lease (fixture->queue, 1);
  g_assert_cmpuint (again->len, ==, 1);
  g_assert_cmpint (((NexusLeasedJob *)g_ptr_array_index (again, 0))->id, ==, id);
  g_assert_cmpint (((NexusLeasedJob *)g_ptr_array_index (again, 0))->attempt, ==, 2);
  g_assert_cmpstr (((NexusLeasedJob *)g_ptr_array_index (again, 0))->lease_token, !=, old_token);

  g_assert_false (nexus_job_queue_complete (fixture->queue, id, old_token, FALSE, 1, NULL, &error));
  g_assert_error (error, NEXUS_QUEUE_ERROR, NEXUS_QUEUE_ERROR_LEASE_LOST);
  g_clear_error (&error);
  g_assert_false (nexus_job_queue_fail (fixture->queue, id, old_token, "late", TRUE, NULL, &error));
  g_assert_error (error, NEXUS_QUEUE_ERROR, NEXUS_QUEUE_ERROR_LEASE_LOST);
  g_clear_error (&error);

  g_assert_true (nexus_job_queue_complete (
      fixture->queue, id, ((NexusLeasedJob *)g_ptr_array_index (again, 0))->lease_token, FALSE, 0,
      NULL, &error));
  g_assert_no_error (error);
}

/* --- failures and backoff ----------------------------------------------- */

static void
test_backoff_bounds (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (1234);
  g_autoptr (GRand) same = g_rand_new_with_seed (1234);
  const gint64 base = 30, cap = 3600;

  for (guint attempt = 1; attempt <= 40; attempt++)
    {
      gint64 ceiling = MIN (cap, base << MIN (attempt - 1, 20));
      gint64 lowest = G_MAXINT64, highest = -1;

      for (guint i = 0; i < 4000; i++)
        {
          gint64 delay = nexus_backoff_delay (attempt, base, cap, rand);

          g_assert_cmpint (delay, >=, 0);
          g_assert_cmpint (delay, <=, ceiling);
          /* Seeded: the same sequence again. */
          g_assert_cmpint (delay, ==, nexus_backoff_delay (attempt, base, cap, same));
          lowest = MIN (lowest, delay);
          highest = MAX (highest, delay);
        }
      /* Full jitter spreads over the whole range. */
      g_assert_cmpint (lowest, <=, ceiling / 20);
      g_assert_cmpint (highest, >=, ceiling - ceiling / 20);
    }

  /* Huge attempt numbers neither overflow nor pass the cap. */
  for (guint i = 0; i < 1000; i++)
    {
      gint64 delay = nexus_backoff_delay (G_MAXUINT, base, cap, rand);
      g_assert_cmpint (delay, >=, 0);
      g_assert_cmpint (delay, <=, cap);
    }
  g_assert_cmpint (nexus_backoff_delay (3, 0, cap, rand), ==, 0);
}

static void
test_fail_retry_dead (Fixture *fixture, gconstpointer data)
{
  NexusQueueConfig config = { .max_attempts = 4, .backoff_base_s = 30, .backoff_cap_s = 3600 };
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusJobRecord) record = NULL;
  g_autofree char *long_error = g_strnfill (5000, 'x');
  gint64           id = 0;

  nexus_job_queue_set_config (fixture->queue, &config);
  enqueue_plain (fixture->queue, 1, 0, NULL, 0);

  for (int attempt = 1; attempt <= 4; attempt++)
    {
      g_autoptr (GPtrArray) jobs = lease (fixture->queue, 1);
      NexusLeasedJob  *job;
      NexusFailOutcome outcome;
      gint64           ceiling = MIN (3600, 30 << (attempt - 1));

      g_assert_cmpuint (jobs->len, ==, 1);
      job = g_ptr_array_index (jobs, 0);
      g_assert_cmpint (job->attempt, ==, attempt);
      id = job->id;

      nexus_job_queue_fail (fixture->queue, id, job->lease_token,
                            attempt == 4 ? long_error : "HTTP 429 from Overpass", TRUE, &outcome,
                            &error);
      g_assert_no_error (error);
      if (attempt < 4)
        {
          g_autoptr (GPtrArray) early = NULL;

          g_assert_cmpint (outcome.status, ==, NEXUS_JOB_QUEUED);
          g_assert_cmpint (outcome.run_after, >=, fixture->now);
          g_assert_cmpint (outcome.run_after, <=, fixture->now + ceiling);
          /* Not leased before its time. */
          if (outcome.run_after > fixture->now)
            {
              early = lease (fixture->queue, 1);
              g_assert_cmpuint (early->len, ==, 0);
            }
          g_assert_cmpint (count_jobs (fixture, "failed"), ==, 1);
          fixture->now = outcome.run_after;
        }
      else
        g_assert_cmpint (outcome.status, ==, NEXUS_JOB_DEAD);
    }

  record = nexus_store_job_get (fixture->store, id, &error);
  g_assert_cmpint (record->status, ==, NEXUS_JOB_DEAD);
  g_assert_cmpint (record->attempts, ==, 4);
  /* The last error is kept, cut to a sane size. */
  g_assert_cmpuint (strlen (record->last_error), ==, 1000);
  g_assert_true (g_str_has_prefix (record->last_error, "xxxx"));

  /* The operator's retry: all attempts again, due now. */
  {
    NexusJobStatus status;
    g_autoptr (GPtrArray) jobs = NULL;

    g_assert_true (nexus_job_queue_retry (fixture->queue, id, &status, &error));
    g_assert_no_error (error);
    g_assert_cmpint (status, ==, NEXUS_JOB_QUEUED);
    g_assert_false (nexus_job_queue_retry (fixture->queue, id, NULL, &error));
    g_assert_error (error, NEXUS_QUEUE_ERROR, NEXUS_QUEUE_ERROR_STATE);
    g_clear_error (&error);
    g_assert_false (nexus_job_queue_retry (fixture->queue, id + 99, NULL, &error));
    g_assert_error (error, NEXUS_QUEUE_ERROR, NEXUS_QUEUE_ERROR_NOT_FOUND);
    g_clear_error (&error);

    jobs = lease (fixture->queue, 1);
    g_assert_cmpuint (jobs->len, ==, 1);
    g_assert_cmpint (((NexusLeasedJob *)g_ptr_array_index (jobs, 0))->attempt, ==, 1);

    /* A failure that cannot be retried is dead at once. */
    {
      NexusFailOutcome outcome;

      nexus_job_queue_fail (fixture->queue, id,
                            ((NexusLeasedJob *)g_ptr_array_index (jobs, 0))->lease_token,
                            "provider rejected the query", FALSE, &outcome, &error);
      g_assert_no_error (error);
      g_assert_cmpint (outcome.status, ==, NEXUS_JOB_DEAD);
    }
  }
}

static void
test_clock_backwards (Fixture *fixture, gconstpointer data)
{
  NexusQueueConfig config = { .backoff_base_s = 600, .backoff_cap_s = 3600 };
  g_autoptr (GPtrArray) jobs = NULL;
  g_autoptr (GPtrArray) none = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusJobRecord) a_record = NULL;
  g_autoptr (NexusJobRecord) b_record = NULL;
  NexusLeasedJob  *a, *b;
  NexusFailOutcome outcome;
  gint64           expires = 0;
  gint64           reclaimed = -1;
  const gint64     back = T0 - 7200;

  nexus_job_queue_set_config (fixture->queue, &config);
  enqueue_plain (fixture->queue, 2, 0, NULL, 0);
  jobs = lease (fixture->queue, 2);
  g_assert_cmpuint (jobs->len, ==, 2);
  a = g_ptr_array_index (jobs, 0);
  b = g_ptr_array_index (jobs, 1);

  /* Fail a so its retry lies in the future (full jitter may pick 0: then
   * push it, so the test bites). */
  nexus_job_queue_fail (fixture->queue, a->id, a->lease_token, "timeout", TRUE, &outcome, &error);
  g_assert_no_error (error);
  g_assert_cmpint (outcome.status, ==, NEXUS_JOB_QUEUED);
  if (outcome.run_after == T0)
    g_assert_cmpint (sqlite3_exec (_nexus_store_get_db (fixture->store),
                                   "UPDATE internal_jobs SET run_after = run_after + 300"
                                   " WHERE status = 'queued'",
                                   NULL, NULL, NULL),
                     ==, SQLITE_OK);

  /* The clock jumps two hours back. */
  fixture->now = back;
  nexus_job_queue_reap (fixture->queue, &reclaimed, &error);
  g_assert_no_error (error);
  /* b's lease is not taken away... */
  g_assert_cmpint (reclaimed, ==, 0);
  b_record = nexus_store_job_get (fixture->store, b->id, &error);
  g_assert_cmpint (b_record->status, ==, NEXUS_JOB_LEASED);
  /* ...but it is no longer than one TTL from the new now. */
  g_assert_cmpint (b_record->lease_expires_at, <=, back + NEXUS_QUEUE_DEFAULT_LEASE_TTL_S);
  /* a's retry is at most one backoff cap away, not two hours more. */
  a_record = nexus_store_job_get (fixture->store, a->id, &error);
  g_assert_cmpint (a_record->run_after, <=, back + 3600);

  /* The token still works: fencing is by token, not by time. */
  g_assert_true (nexus_job_queue_extend (fixture->queue, b->id, b->lease_token, &expires, &error));
  g_assert_no_error (error);
  g_assert_cmpint (expires, ==, back + NEXUS_QUEUE_DEFAULT_LEASE_TTL_S);
  g_assert_true (
      nexus_job_queue_complete (fixture->queue, b->id, b->lease_token, FALSE, 3, NULL, &error));
  g_assert_no_error (error);

  /* No second lease of anything, and a comes back within the cap. */
  none = lease (fixture->queue, 5);
  g_assert_cmpuint (none->len, ==, 0);
  g_clear_pointer (&none, g_ptr_array_unref);
  fixture->now = back + 3600;
  none = lease (fixture->queue, 5);
  g_assert_cmpuint (none->len, ==, 1);
  g_assert_cmpint (((NexusLeasedJob *)g_ptr_array_index (none, 0))->id, ==, a->id);
  g_assert_cmpint (((NexusLeasedJob *)g_ptr_array_index (none, 0))->attempt, ==, 2);
}

/* --- searches: split, pause, cancel ------------------------------------- */

static void
test_saturated_split (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  NexusSearchProgress progress;
  NexusRunPlan        plan;
  gint64              parent_id = 0;
  NexusBBox           parent_cell = { 0 };

  plan = add_search (fixture, "a", "30.0,31.0,30.01,31.01", 2.0, 2);
  g_assert_cmpuint (plan.n_jobs, ==, 1);

  /* Each level: lease the whole level, report its first cell saturated
   * and the others not. */
  for (int depth = 0; depth <= 2; depth++)
    {
      g_autoptr (GPtrArray) jobs = lease (fixture->queue, 50);
      NexusBBox quadrants[4];
      gint64    next_parent_id = 0;
      NexusBBox next_parent_cell = { 0 };

      g_assert_cmpuint (jobs->len, ==, depth == 0 ? 1 : 4);
      if (depth > 0)
        nexus_planner_quadrants (&parent_cell, quadrants);

      for (guint i = 0; i < jobs->len; i++)
        {
          NexusLeasedJob *job = g_ptr_array_index (jobs, i);
          g_autoptr (NexusJobRecord) record = nexus_store_job_get (fixture->store, job->id, &error);
          NexusCompleteOutcome outcome;

          g_assert_cmpint (record->depth, ==, depth);
          g_assert_cmpstr (record->keyword, ==, "a");
          g_assert_cmpint (record->run, ==, 1);
          if (depth > 0)
            {
              /* Exactly the parent's quadrants, in order. */
              g_assert_cmpint (record->parent_id, ==, parent_id);
              g_assert_true (nexus_bbox_equal (&record->cell, &quadrants[i]));
            }

          nexus_job_queue_complete (fixture->queue, job->id, job->lease_token, i == 0,
                                    i == 0 ? 100 : 10, &outcome, &error);
          g_assert_no_error (error);
          if (i > 0)
            {
              g_assert_cmpuint (outcome.n_children, ==, 0);
              continue;
            }
          if (depth < 2)
            {
              g_assert_cmpuint (outcome.n_children, ==, 4);
              g_assert_false (outcome.capped);
            }
          else
            {
              g_autoptr (NexusJobRecord) capped =
                  nexus_store_job_get (fixture->store, job->id, &error);

              /* At the depth limit: no split, marked capped. */
              g_assert_cmpuint (outcome.n_children, ==, 0);
              g_assert_true (outcome.capped);
              g_assert_true (capped->capped);
            }
          next_parent_id = job->id;
          next_parent_cell = record->cell;
        }
      parent_id = next_parent_id;
      parent_cell = next_parent_cell;
    }

  nexus_store_search_progress (fixture->store, plan.search_id, &progress, &error);
  g_assert_no_error (error);
  g_assert_cmpint (progress.planned, ==, 1 + 4 + 4);
  g_assert_cmpint (progress.done, ==, 9);
  g_assert_cmpint (progress.capped, ==, 1);
  g_assert_cmpint (progress.leads_found, ==, 3 * 100 + 6 * 10);
  g_assert_cmpint (progress.queued, ==, 0);
}

static void
test_split_polygon (Fixture *fixture, gconstpointer data)
{
  /* A triangle over the south-west half of one cell: splitting keeps the
   * quadrants it reaches only. */
  const char *triangle = "{\"type\":\"Polygon\",\"coordinates\":[[[31.0,30.0],[31.01,30.0],"
                         "[31.0,30.01],[31.0,30.0]]]}";
  g_autoptr (NexusSearchSpec) spec = nexus_search_spec_new ();
  g_autoptr (NexusGeometry) geometry = NULL;
  g_autoptr (GPtrArray) jobs = NULL;
  g_autoptr (GError) error = NULL;
  NexusCompleteOutcome outcome;
  NexusRunPlan         plan;
  NexusLeasedJob      *job;

  geometry = nexus_geometry_new_from_text (triangle, -1, &error);
  g_assert_no_error (error);
  spec->name = g_strdup ("triangle");
  spec->keywords = g_strsplit ("a", ",", -1);
  spec->region = nexus_region_new_polygon (geometry);
  spec->region_kind = g_strdup ("polygon");
  spec->cell_km = 5.0;
  nexus_job_queue_add_search (fixture->queue, spec, &plan, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (plan.n_cells, ==, 1);

  jobs = lease (fixture->queue, 1);
  job = g_ptr_array_index (jobs, 0);
  nexus_job_queue_complete (fixture->queue, job->id, job->lease_token, TRUE, 50, &outcome, &error);
  g_assert_no_error (error);
  /* SW, SE and NW touch the triangle's area; NE only its edge. */
  g_assert_cmpuint (outcome.n_children, ==, 3);
}

static void
test_pause_resume_cancel (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GPtrArray) jobs = NULL;
  g_autoptr (GPtrArray) none = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusSearchRecord) search = NULL;
  NexusFailOutcome outcome;
  NexusRunPlan     plan;
  NexusRunPlan     rerun;
  NexusLeasedJob  *job;

  plan = add_search (fixture, "a,b,c", "30.0,31.0,30.01,31.01", 2.0, 2);
  jobs = lease (fixture->queue, 1);
  job = g_ptr_array_index (jobs, 0);

  g_assert_true (nexus_job_queue_pause_search (fixture->queue, plan.search_id, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_jobs (fixture, "paused"), ==, 2);
  none = lease (fixture->queue, 5);
  g_assert_cmpuint (none->len, ==, 0);
  g_clear_pointer (&none, g_ptr_array_unref);
  g_assert_false (nexus_job_queue_pause_search (fixture->queue, plan.search_id, &error));
  g_assert_error (error, NEXUS_QUEUE_ERROR, NEXUS_QUEUE_ERROR_STATE);
  g_clear_error (&error);

  /* A leased job that fails while its search is paused waits paused. */
  nexus_job_queue_fail (fixture->queue, job->id, job->lease_token, "boom", TRUE, &outcome, &error);
  g_assert_no_error (error);
  g_assert_cmpint (outcome.status, ==, NEXUS_JOB_PAUSED);
  g_assert_cmpint (count_jobs (fixture, "paused"), ==, 3);

  g_assert_true (nexus_job_queue_resume_search (fixture->queue, plan.search_id, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_jobs (fixture, "queued"), ==, 3);
  g_clear_pointer (&jobs, g_ptr_array_unref);
  fixture->now += 3600;
  jobs = lease (fixture->queue, 1);
  job = g_ptr_array_index (jobs, 0);

  /* Cancel: every pending job, the leased one too; its report is late. */
  g_assert_true (nexus_job_queue_cancel_search (fixture->queue, plan.search_id, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_jobs (fixture, "cancelled"), ==, 3);
  g_assert_false (
      nexus_job_queue_complete (fixture->queue, job->id, job->lease_token, FALSE, 1, NULL, &error));
  g_assert_error (error, NEXUS_QUEUE_ERROR, NEXUS_QUEUE_ERROR_LEASE_LOST);
  g_clear_error (&error);
  search = nexus_store_search_get (fixture->store, plan.search_id, &error);
  g_assert_cmpint (search->state, ==, NEXUS_SEARCH_CANCELLED);
  g_assert_false (nexus_job_queue_resume_search (fixture->queue, plan.search_id, &error));
  g_assert_error (error, NEXUS_QUEUE_ERROR, NEXUS_QUEUE_ERROR_STATE);
  g_clear_error (&error);

  /* A rerun starts it over. */
  g_assert_true (nexus_job_queue_rerun_search (fixture->queue, plan.search_id, &rerun, &error));
  g_assert_no_error (error);
  g_assert_cmpint (rerun.run, ==, 2);
  g_assert_cmpuint (rerun.n_jobs, ==, 3);
  g_assert_cmpint (count_jobs (fixture, "queued"), ==, 3);

  g_assert_false (nexus_job_queue_pause_search (fixture->queue, 999, &error));
  g_assert_error (error, NEXUS_QUEUE_ERROR, NEXUS_QUEUE_ERROR_NOT_FOUND);
}

/* What the Jobs page offers the operator: a filtered count, cancel and
 * priority of single jobs, the search's runs, and "retry all dead". */
static void
test_operator_job_actions (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GPtrArray) jobs = NULL;
  g_autoptr (GPtrArray) runs = NULL;
  g_autoptr (GError) error = NULL;
  NexusJobFilter filter = { 0 };
  g_autoptr (NexusWorkerRecord) worker = NULL;
  g_autoptr (GBytes) secret = NULL;
  NexusSearchRunRecord *run;
  NexusRunPlan          plan;
  NexusRunPlan          other;
  NexusLeasedJob       *job;
  gint64                count = -1;
  gint64                retried = -1;
  int                   priority = 0;

  plan = add_search (fixture, "a,b,c", "30.0,31.0,30.01,31.01", 2.0, 2);
  other = add_search (fixture, "d", "30.0,31.0,30.01,31.01", 2.0, 2);
  enqueue_plain (fixture->queue, 2, 0, NULL, 0);

  /* Counting follows the same filters as listing. */
  filter.search_id = plan.search_id;
  g_assert_true (nexus_store_job_count (fixture->store, &filter, &count, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count, ==, 3);
  filter = (NexusJobFilter){ .kind = NEXUS_JOB_KIND_PLACE_SEARCH };
  g_assert_true (nexus_store_job_count (fixture->store, &filter, &count, &error));
  g_assert_cmpint (count, ==, 4);
  filter = (NexusJobFilter){ .kind = NEXUS_JOB_KIND_PLACE_SEARCH, .after_id = 2, .limit = 1 };
  jobs = nexus_store_job_list (fixture->store, &filter, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jobs->len, ==, 1);
  g_assert_cmpint (((NexusJobRecord *)g_ptr_array_index (jobs, 0))->id, ==, 3);
  g_clear_pointer (&jobs, g_ptr_array_unref);

  /* Two jobs die: one of each search.  A worker of its own leases them. */
  secret = g_bytes_new_static ("0123456789abcdef0123456789abcdef", 32);
  worker = nexus_store_worker_insert (fixture->store, "w-public", "laptop", "worker", secret, FALSE,
                                      fixture->now, &error);
  g_assert_no_error (error);
  fixture->now += 10;
  jobs = nexus_job_queue_lease (fixture->queue, worker->id, 6, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jobs->len, ==, 6);
  for (guint i = 0; i < jobs->len; i++)
    {
      job = g_ptr_array_index (jobs, i);
      if (job->id == 1 || job->id == 4)
        {
          nexus_job_queue_fail (fixture->queue, job->id, job->lease_token, "bad key", FALSE, NULL,
                                &error);
          g_assert_no_error (error);
        }
    }
  g_assert_cmpint (count_jobs (fixture, "dead"), ==, 2);
  filter = (NexusJobFilter){ .worker_id = worker->id, .status = "dead" };
  g_assert_true (nexus_store_job_count (fixture->store, &filter, &count, &error));
  g_assert_cmpint (count, ==, 2);
  filter = (NexusJobFilter){ .worker_id = worker->id + 1 };
  g_assert_true (nexus_store_job_count (fixture->store, &filter, &count, &error));
  g_assert_cmpint (count, ==, 0);

  /* Cancel one leased job: its lease ends; a done job cannot be. */
  job = g_ptr_array_index (jobs, 1);
  g_assert_cmpint (job->id, ==, 2);
  g_assert_true (nexus_job_queue_cancel_job (fixture->queue, job->id, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sql_int (fixture->store, "SELECT count(*) FROM internal_jobs WHERE id = 2"
                                            " AND status = 'cancelled' AND lease_token IS NULL"),
                   ==, 1);
  g_assert_false (nexus_job_queue_cancel_job (fixture->queue, job->id, &error));
  g_assert_error (error, NEXUS_QUEUE_ERROR, NEXUS_QUEUE_ERROR_STATE);
  g_clear_error (&error);
  g_assert_false (nexus_job_queue_cancel_job (fixture->queue, 999, &error));
  g_assert_error (error, NEXUS_QUEUE_ERROR, NEXUS_QUEUE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Priority: bounded, and only while the job is unfinished. */
  job = g_ptr_array_index (jobs, 2);
  g_assert_true (nexus_job_queue_bump_priority (fixture->queue, job->id, 10, &priority, &error));
  g_assert_no_error (error);
  g_assert_cmpint (priority, ==, 10);
  g_assert_true (nexus_job_queue_bump_priority (fixture->queue, job->id, 5000, &priority, &error));
  g_assert_cmpint (priority, ==, NEXUS_SEARCH_MAX_PRIORITY);
  g_assert_false (nexus_job_queue_bump_priority (fixture->queue, 1, 10, NULL, &error));
  g_assert_error (error, NEXUS_QUEUE_ERROR, NEXUS_QUEUE_ERROR_STATE);
  g_clear_error (&error);
  g_assert_cmpint (sql_int (fixture->store, "SELECT priority FROM internal_jobs WHERE id = 1"), ==,
                   0);

  /* Retry all dead, of one search and then of all; cancelled searches'
   * dead jobs stay dead. */
  g_assert_true (nexus_job_queue_retry_dead (fixture->queue, other.search_id, &retried, &error));
  g_assert_no_error (error);
  g_assert_cmpint (retried, ==, 1);
  g_assert_cmpint (sql_int (fixture->store, "SELECT status = 'queued' AND attempts = 0"
                                            " FROM internal_jobs WHERE id = 4"),
                   ==, 1);
  g_assert_true (nexus_job_queue_cancel_search (fixture->queue, plan.search_id, &error));
  g_assert_true (nexus_job_queue_retry_dead (fixture->queue, 0, &retried, &error));
  g_assert_no_error (error);
  g_assert_cmpint (retried, ==, 0);
  g_assert_cmpint (count_jobs (fixture, "dead"), ==, 1);

  /* The runs of a search, the latest first, with their outcome. */
  g_assert_true (nexus_job_queue_rerun_search (fixture->queue, plan.search_id, NULL, &error));
  g_assert_no_error (error);
  runs = nexus_store_search_list_runs (fixture->store, plan.search_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (runs->len, ==, 2);
  run = g_ptr_array_index (runs, 0);
  g_assert_cmpint (run->run, ==, 2);
  g_assert_cmpstr (run->reason, ==, "rerun");
  g_assert_cmpint (run->jobs_planned, ==, 3);
  run = g_ptr_array_index (runs, 1);
  g_assert_cmpint (run->run, ==, 1);
  g_assert_cmpstr (run->reason, ==, "initial");
  g_assert_cmpint (run->jobs_dead, ==, 1);
  g_assert_cmpint (run->jobs_done, ==, 0);
}

/* The editor's save: new settings, checked like a new search's. */
static void
test_update_search (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusSearchSpec) spec = nexus_search_spec_new ();
  g_autoptr (NexusSearchRecord) search = NULL;
  g_autoptr (GError) error = NULL;
  NexusBBox    box = { 30.0, 31.0, 30.01, 31.01 };
  NexusRunPlan plan;

  plan = add_search (fixture, "a,b", "30.0,31.0,30.01,31.01", 2.0, 2);
  spec->name = g_strdup ("renamed");
  spec->keywords = g_strsplit ("a,b,c", ",", -1);
  spec->region = nexus_region_new_bbox (&box);
  spec->region_kind = g_strdup ("bbox");
  spec->cadence_s = 6 * 3600;
  spec->priority = 42;

  fixture->now += 100;
  g_assert_true (nexus_job_queue_update_search (fixture->queue, plan.search_id, spec, &error));
  g_assert_no_error (error);
  search = nexus_store_search_get (fixture->store, plan.search_id, &error);
  g_assert_cmpstr (search->name, ==, "renamed");
  g_assert_cmpuint (g_strv_length (search->keywords), ==, 3);
  g_assert_cmpint (search->priority, ==, 42);
  g_assert_cmpint (search->cadence_s, ==, 6 * 3600);
  /* The next run follows the new cadence from the last run. */
  g_assert_cmpint (search->next_run_at, ==, search->last_run_at + 6 * 3600);
  /* Pending jobs take the new priority; no job was added or removed. */
  g_assert_cmpint (sql_int (fixture->store, "SELECT count(*) FROM internal_jobs"), ==, 2);
  g_assert_cmpint (sql_int (fixture->store, "SELECT min(priority) FROM internal_jobs"), ==, 42);

  /* A wrong spec changes nothing. */
  spec->cell_km = 0;
  g_assert_false (nexus_job_queue_update_search (fixture->queue, plan.search_id, spec, &error));
  g_assert_error (error, NEXUS_SEARCH_ERROR, NEXUS_SEARCH_ERROR_INVALID);
  g_clear_error (&error);
  spec->cell_km = 2.0;
  g_assert_false (nexus_job_queue_update_search (fixture->queue, 999, spec, &error));
  g_assert_error (error, NEXUS_QUEUE_ERROR, NEXUS_QUEUE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (sql_int (fixture->store, "SELECT cell_km FROM searches"), ==, 2);
}

/* The time left follows the recent pace once there is enough of it. */
static void
test_eta_recent (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GPtrArray) jobs = NULL;
  g_autoptr (GError) error = NULL;
  NexusSearchProgress progress = { 0 };
  NexusRunPlan        plan;
  gint64              recent = -1;

  /* 20 queued jobs; 10 finished long ago, 5 in the last 10 minutes. */
  progress.queued = 20;
  progress.done = 15;
  progress.planned = 35;
  progress.run_started_at = T0;
  g_assert_cmpint (nexus_search_progress_eta_recent (&progress, 5, 600, T0 + 36000), ==,
                   20 * 600 / 5);
  /* Too few recent jobs: the pace of the whole run (15 jobs in 10 h). */
  g_assert_cmpint (nexus_search_progress_eta_recent (&progress, 2, 600, T0 + 36000), ==,
                   nexus_search_progress_eta (&progress, T0 + 36000));
  g_assert_cmpint (nexus_search_progress_eta (&progress, T0 + 36000), ==, 48000);
  progress.paused = 1;
  g_assert_cmpint (nexus_search_progress_eta_recent (&progress, 5, 600, T0 + 36000), ==, -1);
  progress = (NexusSearchProgress){ .done = 3, .planned = 3 };
  g_assert_cmpint (nexus_search_progress_eta_recent (&progress, 5, 600, T0), ==, 0);

  /* The store counts the jobs finished since a time. */
  plan = add_search (fixture, "a,b,c", "30.0,31.0,30.01,31.01", 2.0, 2);
  jobs = lease (fixture->queue, 3);
  for (guint i = 0; i < jobs->len; i++)
    {
      NexusLeasedJob *job = g_ptr_array_index (jobs, i);

      fixture->now += 100;
      nexus_job_queue_complete (fixture->queue, job->id, job->lease_token, FALSE, 1, NULL, &error);
      g_assert_no_error (error);
    }
  g_assert_true (nexus_store_search_count_finished_since (fixture->store, plan.search_id,
                                                          fixture->now - 150, &recent, &error));
  g_assert_no_error (error);
  g_assert_cmpint (recent, ==, 2);
}

static void
test_one_off_completes (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusSearchRecord) search = NULL;
  NexusCompleteOutcome outcome = { 0 };
  NexusRunPlan         plan;

  plan = add_search (fixture, "a,b", "30.0,31.0,30.01,31.01", 2.0, 2);
  for (guint i = 0; i < plan.n_jobs; i++)
    {
      g_autoptr (GPtrArray) jobs = lease (fixture->queue, 1);
      NexusLeasedJob *job = g_ptr_array_index (jobs, 0);

      nexus_job_queue_complete (fixture->queue, job->id, job->lease_token, FALSE, 1, &outcome,
                                &error);
      g_assert_no_error (error);
      g_assert_true (outcome.search_completed == (i + 1 == plan.n_jobs));
    }
  search = nexus_store_search_get (fixture->store, plan.search_id, &error);
  g_assert_cmpint (search->state, ==, NEXUS_SEARCH_COMPLETED);
}

static void
test_caller_transaction (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GPtrArray) jobs = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusJobRecord) record = NULL;
  NexusLeasedJob *job;

  add_search (fixture, "a", "30.0,31.0,30.01,31.01", 2.0, 2);
  jobs = lease (fixture->queue, 1);
  job = g_ptr_array_index (jobs, 0);

  /* The report path: begin → (leads) → complete → roll back on failure. */
  nexus_store_begin (fixture->store, &error);
  g_assert_no_error (error);
  nexus_job_queue_complete_in_transaction (fixture->queue, job->id, job->lease_token, TRUE, 5, NULL,
                                           &error);
  g_assert_no_error (error);
  g_assert_true (nexus_store_in_transaction (fixture->store));
  nexus_store_rollback (fixture->store);

  /* Nothing of it stayed: still leased, no children, the token holds. */
  record = nexus_job_queue_verify_lease (fixture->queue, job->id, job->lease_token, &error);
  g_assert_no_error (error);
  g_assert_cmpint (count_jobs (fixture, NULL), ==, 1);

  nexus_store_begin (fixture->store, &error);
  g_assert_no_error (error);
  nexus_job_queue_complete_in_transaction (fixture->queue, job->id, job->lease_token, TRUE, 5, NULL,
                                           &error);
  g_assert_no_error (error);
  nexus_store_commit (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (count_jobs (fixture, "done"), ==, 1);
  g_assert_cmpint (count_jobs (fixture, "queued"), ==, 4);
}

static void
jobs_available_cb (NexusJobQueue *queue, guint *count)
{
  (*count)++;
}

static void
drain_default_context (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
test_jobs_available (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GPtrArray) jobs = NULL;
  g_autoptr (GError) error = NULL;
  guint           count = 0;
  NexusLeasedJob *job;

  drain_default_context ();
  g_signal_connect (fixture->queue, "jobs-available", G_CALLBACK (jobs_available_cb), &count);

  add_search (fixture, "a,b", "30.0,31.0,30.01,31.01", 2.0, 2);
  /* Never from inside the call that queued: the caller may hold a
   * transaction. */
  g_assert_cmpuint (count, ==, 0);
  drain_default_context ();
  g_assert_cmpuint (count, ==, 1);

  /* Leasing and a plain completion queue nothing. */
  jobs = lease (fixture->queue, 1);
  job = g_ptr_array_index (jobs, 0);
  nexus_job_queue_complete (fixture->queue, job->id, job->lease_token, FALSE, 1, NULL, &error);
  g_assert_no_error (error);
  drain_default_context ();
  g_assert_cmpuint (count, ==, 1);

  /* A split does; several enqueues before the loop runs make one signal. */
  g_clear_pointer (&jobs, g_ptr_array_unref);
  jobs = lease (fixture->queue, 1);
  job = g_ptr_array_index (jobs, 0);
  nexus_job_queue_complete (fixture->queue, job->id, job->lease_token, TRUE, 1, NULL, &error);
  g_assert_no_error (error);
  enqueue_plain (fixture->queue, 3, 0, NULL, 0);
  g_assert_cmpuint (count, ==, 1);
  drain_default_context ();
  g_assert_cmpuint (count, ==, 2);
}

static void
test_refused_search_writes_nothing (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusSearchSpec) spec = nexus_search_spec_new ();
  g_autoptr (GError) error = NULL;
  const NexusBBox huge = { -50, -100, 50, 100 };

  spec->name = g_strdup ("too big");
  spec->keywords = g_strsplit ("a,b", ",", -1);
  spec->region = nexus_region_new_bbox (&huge);
  spec->region_kind = g_strdup ("bbox");
  spec->cell_km = 0.5;
  g_assert_false (nexus_job_queue_add_search (fixture->queue, spec, NULL, &error));
  g_assert_error (error, NEXUS_QUEUE_ERROR, NEXUS_QUEUE_ERROR_INVALID);
  g_clear_error (&error);

  g_free (spec->provider);
  spec->provider = g_strdup ("gogle");
  spec->cell_km = 2.0;
  g_assert_false (nexus_job_queue_add_search (fixture->queue, spec, NULL, &error));
  g_assert_error (error, NEXUS_SEARCH_ERROR, NEXUS_SEARCH_ERROR_INVALID);

  g_assert_cmpint (sql_int (fixture->store, "SELECT count(*) FROM searches"), ==, 0);
  g_assert_cmpint (sql_int (fixture->store, "SELECT count(*) FROM internal_jobs"), ==, 0);
  g_assert_cmpint (sql_int (fixture->store, "SELECT count(*) FROM search_runs"), ==, 0);
}

static void
test_parsers (void)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) keywords = NULL;
  gint64 seconds = -1;
  char  *text;

  keywords = nexus_search_parse_keywords (" مقهى ، café,CAFÉ , ,restaurant", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (keywords), ==, 3);
  g_assert_cmpstr (keywords[0], ==, "مقهى");
  g_assert_cmpstr (keywords[1], ==, "café");
  g_assert_cmpstr (keywords[2], ==, "restaurant");
  g_assert_null (nexus_search_parse_keywords (" , ،  ", &error));
  g_assert_error (error, NEXUS_SEARCH_ERROR, NEXUS_SEARCH_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_true (nexus_search_parse_cadence ("once", &seconds, &error));
  g_assert_cmpint (seconds, ==, 0);
  g_assert_true (nexus_search_parse_cadence ("6h", &seconds, &error));
  g_assert_cmpint (seconds, ==, 6 * 3600);
  g_assert_true (nexus_search_parse_cadence ("2d", &seconds, &error));
  g_assert_cmpint (seconds, ==, 2 * 86400);
  text = nexus_search_format_cadence (seconds);
  g_assert_cmpstr (text, ==, "2d");
  g_free (text);
  for (guint i = 0; i < 7; i++)
    {
      static const char *const bad[] = { "6x", "0h", "h", "-1d", "1.5h", "400d", "onc" };

      g_assert_false (nexus_search_parse_cadence (bad[i], &seconds, &error));
      g_assert_error (error, NEXUS_SEARCH_ERROR, NEXUS_SEARCH_ERROR_INVALID);
      g_clear_error (&error);
    }

  text = nexus_search_parse_country ("eg", &error);
  g_assert_cmpstr (text, ==, "EG");
  g_free (text);
  g_assert_null (nexus_search_parse_country ("XX", &error));
  g_assert_error (error, NEXUS_SEARCH_ERROR, NEXUS_SEARCH_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (nexus_search_parse_country ("EGY", &error));
  g_clear_error (&error);

  text = nexus_search_parse_language ("AR-eg", &error);
  g_assert_cmpstr (text, ==, "ar-eg");
  g_free (text);
  g_assert_null (nexus_search_parse_language ("arabic language", &error));
  g_clear_error (&error);
}

/* --- concurrency across processes --------------------------------------- */

/* The threads of one child process, started together once every process
 * has opened its stores. */
typedef struct
{
  GMutex   lock;
  GCond    cond;
  guint    opened;
  gboolean go;
} Barrier;

typedef struct
{
  const char *path;
  guint       seed;
  Barrier    *barrier;
  GArray     *done; /* gint64 ids completed by this thread */
} ChildThread;

static gboolean
is_busy (const GError *error)
{
  return g_error_matches (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_BUSY);
}

static gpointer
child_thread (gpointer data)
{
  ChildThread *thread = data;
  g_autoptr (NexusJobQueue) queue = NULL;
  g_autoptr (GRand) rand = g_rand_new_with_seed (thread->seed);

  queue = open_queue (thread->path, NULL);

  g_mutex_lock (&thread->barrier->lock);
  thread->barrier->opened++;
  g_cond_broadcast (&thread->barrier->cond);
  while (!thread->barrier->go)
    g_cond_wait (&thread->barrier->cond, &thread->barrier->lock);
  g_mutex_unlock (&thread->barrier->lock);

  for (;;)
    {
      g_autoptr (GPtrArray) jobs = NULL;
      g_autoptr (GError) error = NULL;

      jobs = nexus_job_queue_lease (queue, 0, (guint)g_rand_int_range (rand, 1, 6), NULL, &error);
      if (jobs == NULL)
        {
          if (is_busy (error))
            continue;
          g_error ("lease: %s", error->message);
        }
      if (jobs->len == 0)
        break;

      for (guint i = 0; i < jobs->len; i++)
        {
          NexusLeasedJob *job = g_ptr_array_index (jobs, i);

          for (;;)
            {
              g_autoptr (GError) complete_error = NULL;

              if (nexus_job_queue_complete (queue, job->id, job->lease_token, FALSE, 1, NULL,
                                            &complete_error))
                break;
              if (!is_busy (complete_error))
                g_error ("complete %" G_GINT64_FORMAT ": %s", job->id, complete_error->message);
            }
          g_array_append_val (thread->done, job->id);
        }
    }
  return NULL;
}

/* "--lease-child DB SEED": opens N_THREADS stores, prints "ready", waits
 * for DB.go to exist, leases and completes until the queue is empty, then
 * prints the ids it completed, one a line. */
static int
lease_child_main (const char *path, guint seed)
{
  g_autofree char *go_file = g_strconcat (path, ".go", NULL);
  ChildThread      threads[N_THREADS];
  GThread         *handles[N_THREADS];
  GString         *out = g_string_new (NULL);
  Barrier          barrier = { 0 };

  g_mutex_init (&barrier.lock);
  g_cond_init (&barrier.cond);
  for (guint i = 0; i < N_THREADS; i++)
    {
      threads[i] = (ChildThread){ path, seed * 100 + i, &barrier,
                                  g_array_new (FALSE, FALSE, sizeof (gint64)) };
      handles[i] = g_thread_new ("lease-child", child_thread, &threads[i]);
    }

  g_mutex_lock (&barrier.lock);
  while (barrier.opened < N_THREADS)
    g_cond_wait (&barrier.cond, &barrier.lock);
  g_mutex_unlock (&barrier.lock);
  fputs ("ready\n", stdout);
  fflush (stdout);
  while (!g_file_test (go_file, G_FILE_TEST_EXISTS))
    g_usleep (1000);
  g_mutex_lock (&barrier.lock);
  barrier.go = TRUE;
  g_cond_broadcast (&barrier.cond);
  g_mutex_unlock (&barrier.lock);

  for (guint i = 0; i < N_THREADS; i++)
    {
      g_thread_join (handles[i]);
      for (guint j = 0; j < threads[i].done->len; j++)
        g_string_append_printf (out, "%" G_GINT64_FORMAT "\n",
                                g_array_index (threads[i].done, gint64, j));
      g_array_unref (threads[i].done);
    }
  fwrite (out->str, 1, out->len, stdout);
  g_string_free (out, TRUE);
  g_mutex_clear (&barrier.lock);
  g_cond_clear (&barrier.cond);
  return 0;
}

static void
test_concurrency (Fixture *fixture, gconstpointer data)
{
  g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autoptr (GPtrArray) children = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GPtrArray) streams = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree guint *seen = g_new0 (guint, N_CONCURRENCY_JOBS + 1);
  g_autofree char  *go_file = g_strconcat (fixture->path, ".go", NULL);
  gint64            first_id, last_id;
  guint             total = 0;

  g_assert_nonnull (self_exe);

  /* Jobs get ids 1..N in a fresh file. */
  enqueue_plain (fixture->queue, N_CONCURRENCY_JOBS, 0, NULL, 0);
  first_id = sql_int (fixture->store, "SELECT min(id) FROM internal_jobs");
  last_id = sql_int (fixture->store, "SELECT max(id) FROM internal_jobs");
  g_assert_cmpint (first_id, ==, 1);
  g_assert_cmpint (last_id, ==, N_CONCURRENCY_JOBS);

  /* The child processes use the real clock; the jobs are due at 0. */
  for (guint p = 0; p < N_PROCESSES; p++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *seed = g_strdup_printf ("%u", p + 1);
      GSubprocess     *child;

      child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, self_exe, "--lease-child",
                                fixture->path, seed, NULL);
      g_assert_no_error (error);
      g_ptr_array_add (children, child);
    }

  /* Every process has its stores open: go. */
  for (guint p = 0; p < N_PROCESSES; p++)
    {
      GSubprocess *child = g_ptr_array_index (children, p);
      g_autoptr (GError) error = NULL;
      g_autofree char *line = NULL;

      g_ptr_array_add (streams, g_data_input_stream_new (g_subprocess_get_stdout_pipe (child)));
      line =
          g_data_input_stream_read_line_utf8 (g_ptr_array_index (streams, p), NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (line, ==, "ready");
    }
  g_file_set_contents (go_file, "", 0, NULL);

  for (guint p = 0; p < N_PROCESSES; p++)
    {
      GSubprocess *child = g_ptr_array_index (children, p);
      g_autoptr (GError) error = NULL;
      guint count = 0;
      char *line;

      while ((line = g_data_input_stream_read_line_utf8 (g_ptr_array_index (streams, p), NULL, NULL,
                                                         &error)) != NULL)
        {
          guint64 id;

          if (!g_ascii_string_to_unsigned (line, 10, 1, N_CONCURRENCY_JOBS, &id, NULL))
            g_error ("process %u wrote “%s”", p + 1, line);
          g_free (line);
          seen[id]++;
          count++;
        }
      g_assert_no_error (error);
      g_subprocess_wait (child, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (g_subprocess_get_if_exited (child));
      g_assert_cmpint (g_subprocess_get_exit_status (child), ==, 0);
      g_test_message ("process %u completed %u jobs", p + 1, count);
      total += count;
    }
  g_unlink (go_file);

  /* Every job completed exactly once, none lost. */
  for (guint id = 1; id <= N_CONCURRENCY_JOBS; id++)
    if (seen[id] != 1)
      g_error ("job %u was completed %u times", id, seen[id]);
  g_assert_cmpuint (total, ==, N_CONCURRENCY_JOBS);

  /* And the file agrees: done once, leased once, no lease left over. */
  g_assert_cmpint (sql_int (fixture->store, "SELECT count(*) FROM internal_jobs"
                                            " WHERE status = 'done' AND attempts = 1"
                                            " AND lease_token IS NULL"),
                   ==, N_CONCURRENCY_JOBS);
  g_assert_cmpint (sql_int (fixture->store, "SELECT count(*) FROM internal_jobs"
                                            " WHERE status != 'done'"),
                   ==, 0);
}

int
main (int argc, char *argv[])
{
  if (argc == 4 && g_str_equal (argv[1], "--lease-child"))
    return lease_child_main (argv[2], (guint)g_ascii_strtoull (argv[3], NULL, 10));

  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/nexus/Queue/lease-uses-ready-index", test_lease_plan);
  ADD ("/nexus/Queue/lease-by-kind", test_lease_by_kind);
  ADD ("/nexus/Queue/lease-is-exclusive", test_lease_exclusive);
  ADD ("/nexus/Queue/lease-order-and-filter", test_lease_order_and_filter);
  ADD ("/nexus/Queue/payload", test_payload);
  ADD ("/nexus/Queue/extend-and-fencing", test_extend_and_fencing);
  ADD ("/nexus/Queue/reaper-reclaims-once", test_reaper_once);
  g_test_add_func ("/nexus/Queue/backoff-bounds", test_backoff_bounds);
  ADD ("/nexus/Queue/fail-retry-dead", test_fail_retry_dead);
  ADD ("/nexus/Queue/clock-backwards", test_clock_backwards);
  ADD ("/nexus/Queue/saturated-split", test_saturated_split);
  ADD ("/nexus/Queue/split-polygon", test_split_polygon);
  ADD ("/nexus/Queue/pause-resume-cancel", test_pause_resume_cancel);
  ADD ("/nexus/Queue/one-off-completes", test_one_off_completes);
  ADD ("/nexus/Queue/operator-job-actions", test_operator_job_actions);
  ADD ("/nexus/Queue/update-search", test_update_search);
  ADD ("/nexus/Queue/eta-recent", test_eta_recent);
  ADD ("/nexus/Queue/caller-transaction", test_caller_transaction);
  ADD ("/nexus/Queue/jobs-available", test_jobs_available);
  ADD ("/nexus/Queue/refused-search-writes-nothing", test_refused_search_writes_nothing);
  g_test_add_func ("/nexus/Queue/parsers", test_parsers);
  ADD ("/nexus/Queue/concurrency-4x4", test_concurrency);

#undef ADD

  return g_test_run ();
}
