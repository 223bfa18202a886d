/* queue.c — the job queue's lease + complete, against raw SQL
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Three files with the same N jobs of one search:
 *
 *  - api:      nexus_job_queue_lease (1) + nexus_job_queue_complete (), one
 *              job at a time, as a worker leasing one job would drive it;
 *  - raw:      the same transactions written directly against sqlite3 —
 *              BEGIN IMMEDIATE, the lease UPDATE … RETURNING, COMMIT; BEGIN
 *              IMMEDIATE, the completing UPDATE, the search-completion
 *              check, COMMIT — with the same statements, prepared once;
 *  - batch-50: nexus_job_queue_lease (50), then each job completed on its
 *              own, as a worker leasing 50 at a time would.
 *
 * The api and raw runs alternate in chunks so that both see the same
 * machine.  Prints jobs/s and ratios; asserts no time.
 *
 *   queue [N_JOBS]          (default 20000)
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "queue/nexus-job-queue.h"

#define DEFAULT_JOBS 20000
#define CHUNK        1000

/* The statements of nexus-store-queue.c that one lease + complete runs. */
static const char lease_sql[] =
    "UPDATE internal_jobs SET status = 'leased', lease_token = lower (hex (randomblob (16))),"
    " lease_worker_id = ?1, lease_expires_at = ?2 + ?3, attempts = attempts + 1, updated_at = ?2"
    " WHERE id IN (SELECT id FROM internal_jobs WHERE status = 'queued' AND run_after <= ?2"
    " ORDER BY priority DESC, id LIMIT ?4)"
    " RETURNING id, lease_token, lease_expires_at, attempts, priority, kind, payload";
static const char complete_sql[] =
    "UPDATE internal_jobs SET status = 'done', saturated = ?3,"
    " result_count = ?4, finished_at = ?5, updated_at = ?5,"
    " lease_token = NULL, lease_expires_at = NULL"
    " WHERE id = ?1 AND status = 'leased' AND lease_token = ?2"
    " RETURNING id, search_id, run, kind, status, priority, provider, keyword, cell_south,"
    " cell_west, cell_north, cell_east, depth, parent_id, payload, attempts, max_attempts,"
    " run_after, lease_token, lease_worker_id, lease_expires_at, last_error, saturated, capped,"
    " result_count, created_at, updated_at, finished_at";
static const char search_done_sql[] =
    "UPDATE searches SET state = 'completed', next_run_at = NULL, updated_at = ?2"
    " WHERE id = ?1 AND state = 'active' AND cadence_s = 0"
    " AND NOT EXISTS (SELECT 1 FROM internal_jobs"
    " WHERE search_id = ?1 AND status IN ('queued', 'leased', 'paused'))";

typedef struct
{
  sqlite3      *db;
  sqlite3_stmt *begin;
  sqlite3_stmt *commit;
  sqlite3_stmt *lease;
  sqlite3_stmt *complete;
  sqlite3_stmt *search_done;
} Raw;

static void
check (int rc, int expected, sqlite3 *db, const char *what)
{
  if (rc != expected)
    g_error ("%s: %s", what, sqlite3_errmsg (db));
}

static void
raw_open (Raw *raw, const char *path)
{
  check (sqlite3_open_v2 (path, &raw->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL),
         SQLITE_OK, raw->db, "open");
  sqlite3_busy_timeout (raw->db, 5000);
  /* The store's connection settings. */
  check (sqlite3_exec (raw->db,
                       "PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;"
                       "PRAGMA cache_size = -16000; PRAGMA journal_mode = WAL;"
                       "PRAGMA synchronous = NORMAL;",
                       NULL, NULL, NULL),
         SQLITE_OK, raw->db, "pragmas");
#define PREPARE(field, sql)                                                                   \
  check (sqlite3_prepare_v3 (raw->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &raw->field, NULL), \
         SQLITE_OK, raw->db, #field)
  PREPARE (begin, "BEGIN IMMEDIATE");
  PREPARE (commit, "COMMIT");
  PREPARE (lease, lease_sql);
  PREPARE (complete, complete_sql);
  PREPARE (search_done, search_done_sql);
#undef PREPARE
}

static void
raw_close (Raw *raw)
{
  sqlite3_finalize (raw->begin);
  sqlite3_finalize (raw->commit);
  sqlite3_finalize (raw->lease);
  sqlite3_finalize (raw->complete);
  sqlite3_finalize (raw->search_done);
  sqlite3_close (raw->db);
}

static void
raw_step_done (Raw *raw, sqlite3_stmt *stmt, const char *what)
{
  check (sqlite3_step (stmt), SQLITE_DONE, raw->db, what);
  sqlite3_reset (stmt);
}

/* One lease + complete.  Returns FALSE when the queue is empty. */
static gboolean
raw_cycle (Raw *raw)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  char   token[40];
  gint64 id, search_id = 0;
  int    rc;

  raw_step_done (raw, raw->begin, "begin");
  sqlite3_bind_null (raw->lease, 1);
  sqlite3_bind_int64 (raw->lease, 2, now);
  sqlite3_bind_int64 (raw->lease, 3, 120);
  sqlite3_bind_int64 (raw->lease, 4, 1);
  rc = sqlite3_step (raw->lease);
  if (rc == SQLITE_DONE)
    {
      sqlite3_reset (raw->lease);
      raw_step_done (raw, raw->commit, "commit");
      return FALSE;
    }
  check (rc, SQLITE_ROW, raw->db, "lease");
  id = sqlite3_column_int64 (raw->lease, 0);
  g_strlcpy (token, (const char *)sqlite3_column_text (raw->lease, 1), sizeof token);
  raw_step_done (raw, raw->lease, "lease");
  raw_step_done (raw, raw->commit, "commit");

  raw_step_done (raw, raw->begin, "begin");
  sqlite3_bind_int64 (raw->complete, 1, id);
  sqlite3_bind_text (raw->complete, 2, token, -1, SQLITE_STATIC);
  sqlite3_bind_int (raw->complete, 3, 0);
  sqlite3_bind_int64 (raw->complete, 4, 1);
  sqlite3_bind_int64 (raw->complete, 5, now);
  check (sqlite3_step (raw->complete), SQLITE_ROW, raw->db, "complete");
  search_id = sqlite3_column_int64 (raw->complete, 1);
  raw_step_done (raw, raw->complete, "complete");
  sqlite3_bind_int64 (raw->search_done, 1, search_id);
  sqlite3_bind_int64 (raw->search_done, 2, now);
  raw_step_done (raw, raw->search_done, "search done");
  raw_step_done (raw, raw->commit, "commit");
  return TRUE;
}

/* One lease of up to @batch jobs, each completed.  Returns how many. */
static guint
api_cycle (NexusJobQueue *queue, guint batch)
{
  g_autoptr (GPtrArray) jobs = NULL;
  g_autoptr (GError) error = NULL;

  jobs = nexus_job_queue_lease (queue, 0, batch, NULL, &error);
  if (jobs == NULL)
    g_error ("lease: %s", error->message);
  for (guint i = 0; i < jobs->len; i++)
    {
      NexusLeasedJob *job = g_ptr_array_index (jobs, i);

      if (!nexus_job_queue_complete (queue, job->id, job->lease_token, FALSE, 1, NULL, &error))
        g_error ("complete: %s", error->message);
    }
  return jobs->len;
}

/* A database with one search of @n_jobs jobs, checkpointed. */
static void
make_database (const char *path, guint n_jobs)
{
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (NexusJobQueue) queue = NULL;
  g_autoptr (NexusSearchSpec) spec = nexus_search_spec_new ();
  g_autoptr (GError) error = NULL;
  const NexusBBox box = { 30.0, 31.0, 30.01, 31.01 };
  NexusRunPlan    plan;

  store = nexus_store_open (path, NEXUS_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  queue = nexus_job_queue_new (store);

  spec->name = g_strdup ("bench");
  spec->keywords = g_strsplit ("bench", ",", -1);
  spec->region = nexus_region_new_bbox (&box);
  spec->region_kind = g_strdup ("bbox");
  nexus_job_queue_add_search (queue, spec, &plan, &error);
  g_assert_no_error (error);

  /* The rest of the jobs: the same search, as many cells' worth. */
  nexus_store_begin (store, &error);
  g_assert_no_error (error);
  for (guint i = plan.n_jobs; i < n_jobs; i++)
    {
      g_autofree char *payload = NULL;
      NexusBBox        cell = { 30.0 + i * 1e-6, 31.0, 30.0 + (i + 1) * 1e-6, 31.01 };
      NexusJobSpec     job = { 0 };

      payload = g_strdup_printf ("{\"search_id\":%" G_GINT64_FORMAT ",\"keyword\":\"bench\","
                                 "\"provider\":\"overpass\",\"cell\":{\"south\":%.7f,"
                                 "\"west\":31,\"north\":%.7f,\"east\":31.01},\"depth\":0,"
                                 "\"country\":null,\"language\":null}",
                                 plan.search_id, cell.south, cell.north);
      job.search_id = plan.search_id;
      job.run = 1;
      job.kind = NEXUS_JOB_KIND_PLACE_SEARCH;
      job.status = NEXUS_JOB_QUEUED;
      job.provider = "overpass";
      job.keyword = "bench";
      job.cell = &cell;
      job.payload = payload;
      nexus_job_queue_enqueue (queue, &job, NULL, &error);
      g_assert_no_error (error);
    }
  nexus_store_commit (store, &error);
  g_assert_no_error (error);
  nexus_store_checkpoint (store, &error);
  g_assert_no_error (error);
}

static void
remove_database (const char *path)
{
  static const char *const suffixes[] = { "", "-wal", "-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
      g_unlink (file);
    }
}

int
main (int argc, char *argv[])
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("nexus-bench-queue-XXXXXX", &error);
  g_autofree char *api_path = g_build_filename (dir, "api.db", NULL);
  g_autofree char *raw_path = g_build_filename (dir, "raw.db", NULL);
  g_autofree char *batch_path = g_build_filename (dir, "batch.db", NULL);
  g_autoptr (NexusStore) api_store = NULL;
  g_autoptr (NexusJobQueue) api_queue = NULL;
  g_autoptr (NexusStore) batch_store = NULL;
  g_autoptr (NexusJobQueue) batch_queue = NULL;
  guint    n_jobs = argc > 1 ? (guint)g_ascii_strtoull (argv[1], NULL, 10) : DEFAULT_JOBS;
  gint64   api_us = 0, raw_us = 0, batch_us = 0;
  guint    api_done = 0, raw_done = 0, batch_done = 0;
  gboolean api_more = TRUE, raw_more = TRUE;
  double   api_rate, raw_rate, batch_rate;
  Raw      raw = { 0 };

  g_assert_no_error (error);
  if (n_jobs < CHUNK)
    n_jobs = CHUNK;

  make_database (api_path, n_jobs);
  make_database (raw_path, n_jobs);
  make_database (batch_path, n_jobs);

  api_store = nexus_store_open (api_path, NEXUS_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  api_queue = nexus_job_queue_new (api_store);
  raw_open (&raw, raw_path);

  /* Alternate chunks of each, so both meet the same machine. */
  while (api_more || raw_more)
    {
      gint64 start;

      start = g_get_monotonic_time ();
      for (guint i = 0; i < CHUNK && api_more; i++)
        if ((api_more = api_cycle (api_queue, 1) > 0))
          api_done++;
      api_us += g_get_monotonic_time () - start;

      start = g_get_monotonic_time ();
      for (guint i = 0; i < CHUNK && raw_more; i++)
        if ((raw_more = raw_cycle (&raw)))
          raw_done++;
      raw_us += g_get_monotonic_time () - start;
    }
  raw_close (&raw);
  g_assert_cmpuint (api_done, ==, n_jobs);
  g_assert_cmpuint (raw_done, ==, n_jobs);

  batch_store = nexus_store_open (batch_path, NEXUS_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  batch_queue = nexus_job_queue_new (batch_store);
  {
    gint64 start = g_get_monotonic_time ();
    guint  n;

    while ((n = api_cycle (batch_queue, 50)) > 0)
      batch_done += n;
    batch_us = g_get_monotonic_time () - start;
  }
  g_assert_cmpuint (batch_done, ==, n_jobs);

  api_rate = api_done / (api_us / 1e6);
  raw_rate = raw_done / (raw_us / 1e6);
  batch_rate = batch_done / (batch_us / 1e6);

  g_print ("queue: %u jobs per run, SQLite %s, WAL, synchronous=NORMAL\n", n_jobs,
           sqlite3_libversion ());
  g_print ("  single lease+complete, queue API   %10.0f jobs/s\n", api_rate);
  g_print ("  single lease+complete, raw SQL     %10.0f jobs/s\n", raw_rate);
  g_print ("  ratio API / raw                    %10.2f\n", api_rate / raw_rate);
  g_print ("  batch-50 lease, each completed     %10.0f jobs/s\n", batch_rate);
  g_print ("  ratio batch-50 API / raw single    %10.2f\n", batch_rate / raw_rate);

  g_clear_object (&api_queue);
  g_clear_object (&api_store);
  g_clear_object (&batch_queue);
  g_clear_object (&batch_store);
  remove_database (api_path);
  remove_database (raw_path);
  remove_database (batch_path);
  g_rmdir (dir);
  return 0;
}
