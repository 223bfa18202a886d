/* test-scheduler.c — cadence, missed runs, pending twins, the engine timers
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "nexus-engine.h"
#include "queue/nexus-scheduler.h"
#include "store/nexus-store-private.h"

#define T0   1700000000
#define HOUR 3600

typedef struct
{
  char           *dir;
  char           *path;
  NexusStore     *store;
  NexusJobQueue  *queue;
  NexusScheduler *scheduler;
  gint64          now;
} Fixture;

static gint64
fixture_clock (gpointer data)
{
  return *(gint64 *)data;
}

static void
open_queue (Fixture *fixture)
{
  g_autoptr (GError) error = NULL;

  fixture->store = nexus_store_open (fixture->path, NEXUS_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  fixture->queue = nexus_job_queue_new (fixture->store);
  nexus_job_queue_set_clock (fixture->queue, fixture_clock, &fixture->now);
  fixture->scheduler = nexus_scheduler_new (fixture->queue);
}

/* As if the program closed. */
static void
close_queue (Fixture *fixture)
{
  g_clear_object (&fixture->scheduler);
  g_clear_object (&fixture->queue);
  g_clear_object (&fixture->store);
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("nexus-scheduler-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "nexus.db", NULL);
  fixture->now = T0;
  open_queue (fixture);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  static const char *const suffixes[] = { "", "-wal", "-shm" };

  close_queue (fixture);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (fixture->path, suffixes[i], NULL);
      g_unlink (file);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
}

static NexusRunPlan
add_search (NexusJobQueue *queue, const char *keywords, gint64 cadence_s)
{
  g_autoptr (NexusSearchSpec) spec = nexus_search_spec_new ();
  g_autoptr (GError) error = NULL;
  const NexusBBox box = { 30.0, 31.0, 30.01, 31.01 };
  NexusRunPlan    plan = { 0 };

  spec->name = g_strdup ("recurring");
  spec->keywords = nexus_search_parse_keywords (keywords, &error);
  spec->region = nexus_region_new_bbox (&box);
  spec->region_kind = g_strdup ("bbox");
  spec->cadence_s = cadence_s;
  nexus_job_queue_add_search (queue, spec, &plan, &error);
  g_assert_no_error (error);
  return plan;
}

static guint
tick (Fixture *fixture)
{
  g_autoptr (GError) error = NULL;
  guint started = G_MAXUINT;

  nexus_scheduler_tick (fixture->scheduler, &started, &error);
  g_assert_no_error (error);
  return started;
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

/* The most pending jobs any (search, keyword, depth, cell) has. */
static gint64
max_pending_twins (NexusStore *store)
{
  return sql_int (store, "SELECT coalesce (max (n), 0) FROM (SELECT count(*) AS n"
                         " FROM internal_jobs WHERE status IN ('queued', 'leased', 'paused')"
                         " GROUP BY search_id, keyword, depth, cell_south, cell_west)");
}

static NexusSearchRecord *
get_search (Fixture *fixture, gint64 id)
{
  g_autoptr (GError) error = NULL;
  NexusSearchRecord *search = nexus_store_search_get (fixture->store, id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (search);
  return search;
}

static void
test_cadence (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GPtrArray) jobs = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusSearchRecord) search = NULL;
  NexusLeasedJob *job;
  NexusRunPlan    plan;
  gint64          runs = 0;

  plan = add_search (fixture->queue, "a,b", HOUR);
  g_assert_cmpuint (plan.n_jobs, ==, 2);
  search = get_search (fixture, plan.search_id);
  g_assert_cmpint (search->next_run_at, ==, T0 + HOUR);

  /* Not due yet. */
  fixture->now = T0 + 10;
  g_assert_cmpuint (tick (fixture), ==, 0);

  /* Job "a" finishes, job "b" is still queued when the next run comes. */
  jobs = nexus_job_queue_lease (fixture->queue, 0, 1, NULL, &error);
  g_assert_no_error (error);
  job = g_ptr_array_index (jobs, 0);
  nexus_job_queue_complete (fixture->queue, job->id, job->lease_token, FALSE, 1, NULL, &error);
  g_assert_no_error (error);

  fixture->now = T0 + HOUR;
  g_assert_cmpuint (tick (fixture), ==, 1);
  g_clear_pointer (&search, nexus_search_record_free);
  search = get_search (fixture, plan.search_id);
  g_assert_cmpint (search->run, ==, 2);
  g_assert_cmpint (search->next_run_at, ==, T0 + 2 * HOUR);
  /* Run 2 queued "a" again but not "b": that one is still pending. */
  g_assert_cmpint (sql_int (fixture->store, "SELECT count(*) FROM internal_jobs"), ==, 3);
  g_assert_cmpint (sql_int (fixture->store, "SELECT jobs_planned FROM search_runs WHERE run = 2"),
                   ==, 1);
  g_assert_cmpint (max_pending_twins (fixture->store), ==, 1);

  /* With everything pending (one leased, one queued), a run adds nothing. */
  g_clear_pointer (&jobs, g_ptr_array_unref);
  jobs = nexus_job_queue_lease (fixture->queue, 0, 1, NULL, &error);
  g_assert_no_error (error);
  fixture->now = T0 + 2 * HOUR;
  g_assert_cmpuint (tick (fixture), ==, 1);
  g_assert_cmpint (sql_int (fixture->store, "SELECT count(*) FROM internal_jobs"), ==, 3);
  g_assert_cmpint (max_pending_twins (fixture->store), ==, 1);

  nexus_store_search_count_runs (fixture->store, plan.search_id, &runs, &error);
  g_assert_no_error (error);
  g_assert_cmpint (runs, ==, 3);

  /* Two engines on one file both see the run due: the one that gets the
   * write lock second finds it no longer due and starts nothing. */
  {
    g_autoptr (NexusStore) other_store =
        nexus_store_open (fixture->path, NEXUS_STORE_OPEN_DEFAULT, &error);
    g_autoptr (NexusJobQueue) other_queue = nexus_job_queue_new (other_store);
    g_autoptr (GArray) due = NULL;

    g_assert_no_error (error);
    nexus_job_queue_set_clock (other_queue, fixture_clock, &fixture->now);
    fixture->now = T0 + 3 * HOUR;
    due = nexus_store_search_due (other_store, fixture->now, &error);
    g_assert_cmpuint (due->len, ==, 1);
    g_assert_cmpuint (tick (fixture), ==, 1);
    g_assert_false (nexus_job_queue_start_run (other_queue, g_array_index (due, gint64, 0),
                                               "schedule", NULL, &error));
    g_assert_error (error, NEXUS_QUEUE_ERROR, NEXUS_QUEUE_ERROR_STATE);
    g_clear_error (&error);
    nexus_store_search_count_runs (fixture->store, plan.search_id, &runs, &error);
    g_assert_cmpint (runs, ==, 4);
  }

  /* A recurring search is never "completed". */
  g_clear_pointer (&search, nexus_search_record_free);
  search = get_search (fixture, plan.search_id);
  g_assert_cmpint (search->state, ==, NEXUS_SEARCH_ACTIVE);
}

static void
test_missed_runs_once (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusSearchRecord) search = NULL;
  g_autoptr (GError) error = NULL;
  NexusRunPlan plan;
  gint64       runs = 0;
  gint64       reopened;

  plan = add_search (fixture->queue, "a", HOUR);

  /* Closed for ten hours and a bit: ten slots missed. */
  close_queue (fixture);
  fixture->now = T0 + 10 * HOUR + 123;
  reopened = fixture->now;
  open_queue (fixture);

  g_assert_cmpuint (tick (fixture), ==, 1);
  g_assert_cmpuint (tick (fixture), ==, 0);
  nexus_store_search_count_runs (fixture->store, plan.search_id, &runs, &error);
  g_assert_no_error (error);
  g_assert_cmpint (runs, ==, 2);

  /* The next one a cadence after the catch-up, not after the missed slot. */
  search = get_search (fixture, plan.search_id);
  g_assert_cmpint (search->next_run_at, ==, reopened + HOUR);
  fixture->now = reopened + HOUR - 1;
  g_assert_cmpuint (tick (fixture), ==, 0);
  fixture->now = reopened + HOUR;
  g_assert_cmpuint (tick (fixture), ==, 1);
}

static void
test_clock_backwards (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusSearchRecord) search = NULL;
  g_autoptr (GError) error = NULL;
  NexusRunPlan plan;
  const gint64 back = T0 - 24 * HOUR;
  gint64       runs = 0;

  plan = add_search (fixture->queue, "a", 6 * HOUR);

  /* A day back: the run is not a day and six hours away, and none starts. */
  fixture->now = back;
  g_assert_cmpuint (tick (fixture), ==, 0);
  search = get_search (fixture, plan.search_id);
  g_assert_cmpint (search->next_run_at, <=, back + 6 * HOUR);

  fixture->now = back + 6 * HOUR;
  g_assert_cmpuint (tick (fixture), ==, 1);
  g_assert_cmpuint (tick (fixture), ==, 0);
  nexus_store_search_count_runs (fixture->store, plan.search_id, &runs, &error);
  g_assert_cmpint (runs, ==, 2);
}

static void
test_paused_not_run (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  NexusRunPlan plan;

  plan = add_search (fixture->queue, "a", HOUR);
  nexus_job_queue_pause_search (fixture->queue, plan.search_id, &error);
  g_assert_no_error (error);

  fixture->now = T0 + 5 * HOUR;
  g_assert_cmpuint (tick (fixture), ==, 0);

  nexus_job_queue_resume_search (fixture->queue, plan.search_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tick (fixture), ==, 1);
}

static void
test_completes_after_reap (Fixture *fixture, gconstpointer data)
{
  NexusQueueConfig config = { .max_attempts = 1 };
  g_autoptr (GPtrArray) jobs = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusSearchRecord) search = NULL;
  NexusRunPlan plan;
  gint64       reclaimed = 0;

  nexus_job_queue_set_config (fixture->queue, &config);
  plan = add_search (fixture->queue, "a", 0);
  jobs = nexus_job_queue_lease (fixture->queue, 0, 1, NULL, &error);
  g_assert_no_error (error);

  /* The worker vanished; its only attempt is spent. */
  fixture->now = T0 + 1000;
  nexus_job_queue_reap (fixture->queue, &reclaimed, &error);
  g_assert_no_error (error);
  g_assert_cmpint (reclaimed, ==, 1);
  search = get_search (fixture, plan.search_id);
  g_assert_cmpint (search->state, ==, NEXUS_SEARCH_ACTIVE);

  g_assert_cmpuint (tick (fixture), ==, 0);
  g_clear_pointer (&search, nexus_search_record_free);
  search = get_search (fixture, plan.search_id);
  g_assert_cmpint (search->state, ==, NEXUS_SEARCH_COMPLETED);
}

typedef struct
{
  NexusEngine *engine;
  gboolean     same_store;
} QueueCall;

static gpointer
get_queue_func (NexusStore *store, gpointer data, GError **error)
{
  QueueCall     *call = data;
  NexusJobQueue *queue = nexus_engine_get_queue (call->engine);

  call->same_store = queue != NULL && nexus_job_queue_get_store (queue) == store;
  return GINT_TO_POINTER (TRUE);
}

static void
test_engine_timers (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusEngine) engine = NULL;
  g_autoptr (GError) error = NULL;
  QueueCall    call = { 0 };
  gint64       deadline;
  NexusRunPlan plan;

  /* A recurring search overdue, and a lease that expired while closed. */
  nexus_job_queue_set_clock (fixture->queue, NULL, NULL);
  plan = add_search (fixture->queue, "a,b", HOUR);
  g_assert_cmpint (sqlite3_exec (_nexus_store_get_db (fixture->store),
                                 "UPDATE searches SET next_run_at = 1000;"
                                 "UPDATE internal_jobs SET status = 'done' WHERE keyword = 'a';"
                                 "UPDATE internal_jobs SET status = 'leased', attempts = 1,"
                                 " lease_token = 'x', lease_expires_at = 1000"
                                 " WHERE keyword = 'b'",
                                 NULL, NULL, NULL),
                   ==, SQLITE_OK);
  close_queue (fixture);

  engine = nexus_engine_new (fixture->path, NEXUS_ENGINE_DEFAULT, &error);
  g_assert_no_error (error);

  /* The queue lives on the engine thread, over the write store. */
  call.engine = engine;
  nexus_engine_run_sync (engine, get_queue_func, &call, &error);
  g_assert_no_error (error);
  g_assert_true (call.same_store);

  /* At start the engine reaps and runs the missed run once. */
  open_queue (fixture);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  for (;;)
    {
      gint64 runs = 0;

      nexus_store_search_count_runs (fixture->store, plan.search_id, &runs, &error);
      g_assert_no_error (error);
      if (runs == 2 && sql_int (fixture->store, "SELECT count(*) FROM internal_jobs"
                                                " WHERE status = 'leased'") == 0)
        break;
      if (g_get_monotonic_time () > deadline)
        g_error ("the engine did not run the scheduler and the reaper at start");
      g_usleep (20000);
    }
  nexus_engine_shutdown (engine);

  /* "a" was done and is queued again; reaped "b" was still pending. */
  g_assert_cmpint (sql_int (fixture->store, "SELECT count(*) FROM internal_jobs"), ==, 3);
  g_assert_cmpint (max_pending_twins (fixture->store), ==, 1);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/nexus/Scheduler/runs-on-cadence", test_cadence);
  ADD ("/nexus/Scheduler/missed-runs-once", test_missed_runs_once);
  ADD ("/nexus/Scheduler/clock-backwards", test_clock_backwards);
  ADD ("/nexus/Scheduler/paused-not-run", test_paused_not_run);
  ADD ("/nexus/Scheduler/completes-after-reap", test_completes_after_reap);
  ADD ("/nexus/Scheduler/engine-timers", test_engine_timers);

#undef ADD

  return g_test_run ();
}
