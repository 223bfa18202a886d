/* test-fleet.c — the engine's watch over its workers
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Events published on a real engine's bus are counted into worker_hours;
 * ticks at chosen times publish worker.state, search.completed and
 * jobs.dead.  Everything is checked against the database file.
 */
#include "config.h"

#include <sqlite3.h>

#include "api/nexus-workers.h"
#include "nexus-engine.h"
#include "../nexus-test-util.h"
#include "ops/nexus-fleet.h"

typedef struct
{
  char        *dir;
  NexusEngine *engine;
  GPtrArray   *events; /* NexusEvent, as the watch delivered them */
  gint64       worker_id;
} Fixture;

typedef struct
{
  NexusEngine *engine;
  const char  *kind;
  JsonObject  *data;
  gint64       now;
} Call;

static void
event_cb (NexusEvent *event, gpointer user_data)
{
  Fixture *fixture = user_data;

  g_ptr_array_add (fixture->events, nexus_event_ref (event));
}

static gpointer
add_worker (NexusStore *store, gpointer data, GError **error)
{
  NexusWorkerRecord *worker = NULL;
  g_autofree char   *connection =
      nexus_workers_add (store, "north", NEXUS_ROLE_WORKER, "127.0.0.1:8787", NULL, &worker, error);

  return connection != NULL ? worker : NULL;
}

static gpointer
publish (NexusStore *store, gpointer data, GError **error)
{
  Call *call = data;

  nexus_event_bus_publish (nexus_engine_get_event_bus (call->engine), call->kind, call->data);
  return GINT_TO_POINTER (TRUE);
}

static gpointer
tick (NexusStore *store, gpointer data, GError **error)
{
  Call *call = data;

  nexus_fleet_tick (nexus_engine_get_fleet (call->engine), call->now);
  return GINT_TO_POINTER (TRUE);
}

static void
run (Fixture *fixture, NexusEngineFunc func, Call *call)
{
  g_autoptr (GError) error = NULL;

  call->engine = fixture->engine;
  g_assert_nonnull (nexus_engine_run_sync (fixture->engine, func, call, &error));
  g_assert_no_error (error);
}

static void
publish_job (Fixture *fixture, const char *kind, gint64 job_id, gint64 n_new, gint64 merged)
{
  g_autoptr (JsonObject) data = json_object_new ();
  Call call = { .kind = kind, .data = data };

  json_object_set_int_member (data, "job_id", job_id);
  json_object_set_int_member (data, "worker_id", fixture->worker_id);
  json_object_set_int_member (data, "new", n_new);
  json_object_set_int_member (data, "merged", merged);
  run (fixture, publish, &call);
}

static void
tick_at (Fixture *fixture, gint64 now)
{
  Call call = { .now = now };

  run (fixture, tick, &call);
  /* The watch delivers on this thread's context. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
exec_sql (Fixture *fixture, const char *sql)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (nexus_engine_get_db_path (fixture->engine), &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

static gint64
sql_int (Fixture *fixture, const char *sql)
{
  sqlite3      *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64        value;

  g_assert_cmpint (sqlite3_open (nexus_engine_get_db_path (fixture->engine), &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static NexusEvent *
find_event (Fixture *fixture, const char *kind)
{
  for (guint i = 0; i < fixture->events->len; i++)
    {
      NexusEvent *event = g_ptr_array_index (fixture->events, i);
      if (g_str_equal (event->kind, kind))
        return event;
    }
  return NULL;
}

/* The first event of @kind; the test fails without one. */
static NexusEvent *
require_event (Fixture *fixture, const char *kind)
{
  NexusEvent *event = find_event (fixture, kind);

  if (event == NULL)
    g_error ("No %s event was published", kind);
  return event;
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr (NexusWorkerRecord) worker = NULL;

  fixture->dir = nexus_test_make_dir ("fleet");
  path = g_build_filename (fixture->dir, "vault.db", NULL);
  fixture->engine = nexus_engine_new (path, NEXUS_ENGINE_DEFAULT, &error);
  g_assert_no_error (error);
  fixture->events = g_ptr_array_new_with_free_func ((GDestroyNotify)nexus_event_unref);
  nexus_event_bus_watch (nexus_engine_get_event_bus (fixture->engine), event_cb, fixture, NULL);
  worker = nexus_engine_run_sync (fixture->engine, add_worker, NULL, &error);
  g_assert_no_error (error);
  fixture->worker_id = worker->id;
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  nexus_engine_shutdown (fixture->engine);
  g_clear_object (&fixture->engine);
  g_ptr_array_unref (fixture->events);
  nexus_test_remove_dir (fixture->dir);
  g_free (fixture->dir);
}

/* Reports, leads, errors and a latency land in the worker's hour. */
static void
test_hours_counted (Fixture *fixture, gconstpointer data)
{
  g_autofree char *sql = NULL;

  publish_job (fixture, "job.leased", 11, 0, 0);
  publish_job (fixture, "job.reported", 11, 2, 0);
  publish_job (fixture, "job.completed", 11, 3, 1);
  publish_job (fixture, "job.leased", 12, 0, 0);
  publish_job (fixture, "job.failed", 12, 0, 0);
  publish_job (fixture, "job.leased", 13, 0, 0);
  publish_job (fixture, "job.dead", 13, 0, 0);
  /* Nothing is written before the tick. */
  g_assert_cmpint (sql_int (fixture, "SELECT count(*) FROM worker_hours"), ==, 0);
  tick_at (fixture, g_get_real_time () / G_USEC_PER_SEC);

  sql = g_strdup_printf ("SELECT jobs * 1000000 + leads * 10000 + errors * 100 + latency_n"
                         " FROM worker_hours WHERE worker_id = %" G_GINT64_FORMAT,
                         fixture->worker_id);
  /* 1 job, 6 leads (2 + 3 + 1), 2 errors, 1 latency sample. */
  g_assert_cmpint (sql_int (fixture, sql), ==, 1060201);
  g_assert_cmpint (sql_int (fixture, "SELECT count(*) FROM worker_hours"), ==, 1);

  /* A second tick adds to the same hour only what came since. */
  publish_job (fixture, "job.completed", 14, 1, 0);
  tick_at (fixture, g_get_real_time () / G_USEC_PER_SEC);
  g_assert_cmpint (sql_int (fixture, "SELECT sum(jobs) FROM worker_hours"), ==, 2);
  g_assert_cmpint (sql_int (fixture, "SELECT sum(leads) FROM worker_hours"), ==, 7);
}

/* A worker whose heartbeats stop is announced offline once. */
static void
test_worker_goes_offline (Fixture *fixture, gconstpointer data)
{
  gint64           now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *sql = g_strdup_printf ("UPDATE workers SET last_seen_at = %" G_GINT64_FORMAT
                                          " WHERE id = %" G_GINT64_FORMAT,
                                          now - 200, fixture->worker_id);
  NexusEvent      *event;
  guint            n_offline = 0;

  exec_sql (fixture, sql);
  /* Seen 20 s before the first tick: idle. */
  tick_at (fixture, now - 180);
  tick_at (fixture, now - 175);
  g_ptr_array_set_size (fixture->events, 0);

  tick_at (fixture, now);
  tick_at (fixture, now + 5);
  event = require_event (fixture, "worker.state");
  g_assert_cmpstr (json_object_get_string_member (event->data, "state"), ==, "offline");
  g_assert_cmpstr (json_object_get_string_member (event->data, "previous"), ==, "idle");
  g_assert_cmpint (json_object_get_int_member (event->data, "worker_id"), ==, fixture->worker_id);
  for (guint i = 0; i < fixture->events->len; i++)
    n_offline +=
        g_str_equal (((NexusEvent *)g_ptr_array_index (fixture->events, i))->kind, "worker.state");
  g_assert_cmpuint (n_offline, ==, 1);
}

static void
test_state_rules (void)
{
  NexusWorkerRecord record = { .state = (char *)"active", .last_seen_at = 1000 };
  NexusWorkerStatus status = { .record = &record, .jobs_held = 0 };

  g_assert_cmpint (nexus_fleet_worker_state (&status, 1000 + NEXUS_FLEET_OFFLINE_S), ==,
                   NEXUS_WORKER_STATE_IDLE);
  g_assert_cmpint (nexus_fleet_worker_state (&status, 1001 + NEXUS_FLEET_OFFLINE_S), ==,
                   NEXUS_WORKER_STATE_OFFLINE);
  status.jobs_held = 2;
  g_assert_cmpint (nexus_fleet_worker_state (&status, 1010), ==, NEXUS_WORKER_STATE_BUSY);
  record.last_seen_at = 0;
  g_assert_cmpint (nexus_fleet_worker_state (&status, 1010), ==, NEXUS_WORKER_STATE_NEVER);
  record.state = (char *)"revoked";
  g_assert_cmpint (nexus_fleet_worker_state (&status, 1010), ==, NEXUS_WORKER_STATE_REVOKED);
}

/* A search completed and jobs that died since the last tick are announced. */
static void
test_search_and_dead_jobs (Fixture *fixture, gconstpointer data)
{
  gint64           now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *sql = g_strdup_printf (
      "INSERT INTO searches (id, name, keywords, region_kind, region, state, run, created_at,"
      " updated_at) VALUES (7, 'Cafés', '[\"cafe\"]', 'bbox', '[0,0,1,1]', 'completed', 1, 0, "
      "%" G_GINT64_FORMAT ");"
      "INSERT INTO internal_jobs (search_id, status, payload, created_at, updated_at, finished_at)"
      " VALUES (7, 'dead', '{}', 0, 0, %" G_GINT64_FORMAT
      "), (7, 'dead', '{}', 0, 0, %" G_GINT64_FORMAT "), (7, 'dead', '{}', 0, 0, 5);",
      now + 1, now + 1, now + 2);
  NexusEvent *event;

  exec_sql (fixture, sql);
  tick_at (fixture, now + 3);
  event = require_event (fixture, "search.completed");
  g_assert_cmpint (json_object_get_int_member (event->data, "search_id"), ==, 7);
  g_assert_cmpstr (json_object_get_string_member (event->data, "name"), ==, "Cafés");
  event = require_event (fixture, "jobs.dead");
  /* The job that died long ago is not news. */
  g_assert_cmpint (json_object_get_int_member (event->data, "count"), ==, 2);

  /* Not announced twice. */
  g_ptr_array_set_size (fixture->events, 0);
  tick_at (fixture, now + 9);
  g_assert_null (find_event (fixture, "search.completed"));
  g_assert_null (find_event (fixture, "jobs.dead"));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/nexus/Fleet/state-rules", test_state_rules);
  g_test_add ("/nexus/Fleet/hours-counted", Fixture, NULL, fixture_set_up, test_hours_counted,
              fixture_tear_down);
  g_test_add ("/nexus/Fleet/worker-goes-offline", Fixture, NULL, fixture_set_up,
              test_worker_goes_offline, fixture_tear_down);
  g_test_add ("/nexus/Fleet/search-and-dead-jobs", Fixture, NULL, fixture_set_up,
              test_search_and_dead_jobs, fixture_tear_down);
  return g_test_run ();
}
