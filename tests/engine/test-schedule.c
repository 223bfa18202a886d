/* test-schedule.c — what the engine runs on its own: backups, retention
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <sqlite3.h>
#include <string.h>

#include "../nexus-test-util.h"
#include "nexus-engine.h"
#include "ops/nexus-maintenance.h"
#include "ops/nexus-schedule.h"
#include "queue/nexus-job-queue.h"

typedef struct
{
  char        *dir;
  char        *db;
  char        *backups;
  NexusEngine *engine;
  NexusStore  *admin; /* another connection, as nexusctl has */
  GPtrArray   *events;
} Fixture;

static void
event_cb (NexusEvent *event, gpointer user_data)
{
  Fixture *fixture = user_data;

  g_ptr_array_add (fixture->events, g_strdup (event->kind));
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fixture->dir = nexus_test_make_dir ("schedule");
  fixture->db = g_build_filename (fixture->dir, "nexus.db", NULL);
  fixture->backups = g_build_filename (fixture->dir, "backups", NULL);
  fixture->events = g_ptr_array_new_with_free_func (g_free);
  fixture->engine = nexus_engine_new (fixture->db, NEXUS_ENGINE_SEED_DEMO, &error);
  g_assert_no_error (error);
  fixture->admin = nexus_store_open (fixture->db, NEXUS_STORE_OPEN_NO_CREATE, &error);
  g_assert_no_error (error);
  nexus_event_bus_watch (nexus_engine_get_event_bus (fixture->engine), event_cb, fixture, NULL);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  nexus_engine_shutdown (fixture->engine);
  g_clear_object (&fixture->engine);
  g_clear_object (&fixture->admin);
  nexus_test_remove_dir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->db);
  g_free (fixture->backups);
  g_ptr_array_unref (fixture->events);
}

static guint
count_archives (const char *folder)
{
  g_autoptr (GDir) dir = g_dir_open (folder, 0, NULL);
  const char *name;
  guint       n = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, "nexus-backup-") && g_str_has_suffix (name, ".zip"))
      n++;
  return n;
}

/* Iterates the default context (where events arrive) until @n events of
 * @kind came, or fails after 30 s. */
static void
wait_for_events (Fixture *fixture, const char *kind, guint n)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  for (;;)
    {
      guint seen = 0;

      for (guint i = 0; i < fixture->events->len; i++)
        if (g_str_equal (g_ptr_array_index (fixture->events, i), kind))
          seen++;
      if (seen >= n)
        return;
      if (g_get_monotonic_time () > deadline)
        g_error ("waited 30 s for %u “%s” events, saw %u", n, kind, seen);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (20000);
    }
}

static void
set (Fixture *fixture, const char *key, const char *value)
{
  g_autoptr (GError) error = NULL;

  nexus_store_set_setting (fixture->admin, key, value, &error);
  g_assert_no_error (error);
}

static void
test_scheduled_backups (Fixture *fixture, gconstpointer data)
{
  /* Nothing is scheduled: a tick writes nothing. */
  nexus_engine_tick_operations (fixture->engine);
  g_usleep (200000);
  g_assert_cmpuint (count_archives (fixture->backups), ==, 0);

  /* Scheduled by another program (nexusctl): the next tick backs up. */
  set (fixture, "backup.every_s", "3600");
  set (fixture, "backup.folder", fixture->backups);
  set (fixture, "backup.keep", "2");
  nexus_engine_tick_operations (fixture->engine);
  wait_for_events (fixture, "backup.completed", 1);
  g_assert_cmpuint (count_archives (fixture->backups), ==, 1);

  /* Not due again within the hour. */
  nexus_engine_tick_operations (fixture->engine);
  g_usleep (300000);
  g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (count_archives (fixture->backups), ==, 1);

  /* Due twice more (archive names count seconds): only the newest 2 stay. */
  for (guint i = 2; i <= 3; i++)
    {
      g_usleep (1100000);
      set (fixture, "backup.last_at", "0");
      nexus_engine_tick_operations (fixture->engine);
      wait_for_events (fixture, "backup.completed", i);
    }
  g_assert_cmpuint (count_archives (fixture->backups), ==, 2);
  {
    g_autofree char *error_text =
        nexus_store_get_setting (fixture->admin, "backup.last_error", NULL);
    g_assert_null (error_text);
  }

  /* A folder that cannot be made: the failure is recorded and published. */
  set (fixture, "backup.folder", "/proc/nexus-cannot-be-here");
  set (fixture, "backup.last_at", "0");
  nexus_engine_tick_operations (fixture->engine);
  wait_for_events (fixture, "backup.failed", 1);
  {
    g_autofree char *error_text =
        nexus_store_get_setting (fixture->admin, "backup.last_error", NULL);
    g_assert_nonnull (error_text);
  }
}

static gint64
count_sql (Fixture *fixture, const char *sql)
{
  sqlite3      *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64        value = -1;

  g_assert_cmpint (sqlite3_open_v2 (fixture->db, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static void
test_scheduled_retention (Fixture *fixture, gconstpointer data)
{
  gint64           now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *sql = NULL;
  gint64           deadline;
  sqlite3         *db = NULL;

  /* 2,500 old nonces and 10 fresh ones. */
  g_assert_cmpint (sqlite3_open (fixture->db, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  sql = g_strdup_printf ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < "
                         "2510) INSERT INTO hmac_replay (worker_id, nonce, seen_at)"
                         " SELECT 1, 'nonce-' || i, CASE WHEN i <= 2500 THEN %" G_GINT64_FORMAT
                         " ELSE %" G_GINT64_FORMAT " END FROM n",
                         now - 3 * NEXUS_RETENTION_REPLAY_S, now);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  /* Retention ran within the hour: nothing happens. */
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("%" G_GINT64_FORMAT, now);
  set (fixture, "retention.last_at", sql);
  nexus_engine_tick_operations (fixture->engine);
  g_usleep (300000);
  g_assert_cmpint (count_sql (fixture, "SELECT count(*) FROM hmac_replay"), ==, 2510);

  /* Due: the old rows go, in batches, and the fresh ones stay. */
  set (fixture, "retention.last_at", "0");
  nexus_engine_tick_operations (fixture->engine);
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (count_sql (fixture, "SELECT count(*) FROM hmac_replay") != 10)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (50000);
    }
  g_assert_cmpint (count_sql (fixture, "SELECT min(seen_at) FROM hmac_replay"), ==, now);
}

static char *
wait_for_setting (Fixture *fixture, const char *key)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  char  *value;

  while ((value = nexus_store_get_setting (fixture->admin, key, NULL)) == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (20000);
    }
  return value;
}

static void
test_synthetic_monitor (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *p50 = NULL;
  g_autofree char *p95 = NULL;
  guint            alerts = 0;

  g_assert_true (nexus_engine_listen (fixture->engine, "127.0.0.1:0", &error));
  g_assert_no_error (error);

  /* A job waits in the queue: the synthetic worker must never take it. */
  {
    g_autoptr (NexusJobQueue) queue = nexus_job_queue_new (fixture->admin);
    NexusJobSpec spec = { 0 };

    spec.kind = NEXUS_JOB_KIND_PLACE_SEARCH;
    spec.status = NEXUS_JOB_QUEUED;
    spec.provider = "overpass";
    spec.payload = "{}";
    spec.max_attempts = 5;
    nexus_job_queue_enqueue (queue, &spec, NULL, &error);
    g_assert_no_error (error);
  }
  g_assert_cmpint (
      count_sql (fixture, "SELECT count(*) FROM internal_jobs WHERE status = 'queued'"), >, 0);

  nexus_engine_probe_api (fixture->engine);
  p50 = wait_for_setting (fixture, "monitor.p50_ms");
  p95 = wait_for_setting (fixture, "monitor.p95_ms");
  g_assert_cmpfloat (g_ascii_strtod (p50, NULL), >, 0.0);
  g_assert_cmpfloat (g_ascii_strtod (p95, NULL), >=, g_ascii_strtod (p50, NULL));
  g_assert_cmpint (
      count_sql (fixture, "SELECT count(*) FROM internal_jobs WHERE status = 'leased'"), ==, 0);
  g_assert_cmpint (count_sql (fixture, "SELECT count(*) FROM workers WHERE name = "
                                       "'synthetic monitor' AND last_seen_at > 0"),
                   ==, 1);
  for (guint i = 0; i < fixture->events->len; i++)
    alerts += g_str_equal (g_ptr_array_index (fixture->events, i), "monitor.alert");
  g_assert_cmpuint (alerts, ==, 0);

  /* Slower than the threshold: an alert. */
  set (fixture, "monitor.threshold_ms", "0");
  nexus_engine_probe_api (fixture->engine);
  wait_for_events (fixture, "monitor.alert", 1);

  /* The API refuses: an alert and the reason kept. */
  set (fixture, "monitor.threshold_ms", "10000");
  nexus_engine_set_api_draining (fixture->engine, TRUE);
  nexus_engine_probe_api (fixture->engine);
  wait_for_events (fixture, "monitor.alert", 2);
  {
    g_autofree char *reason = wait_for_setting (fixture, "monitor.last_error");
    g_assert_nonnull (strstr (reason, "503"));
  }
}

static void
test_prune_backups (void)
{
  g_autofree char         *dir = nexus_test_make_dir ("prune");
  static const char *const names[] = { "nexus-backup-20261101-000000.zip",
                                       "nexus-backup-20261103-000000.zip",
                                       "nexus-backup-20261102-000000.zip", "other.zip" };
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);
      g_file_set_contents (path, "x", 1, NULL);
    }
  g_assert_true (nexus_ops_prune_backups (dir, 2, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);
      /* The oldest archive goes; other files are not ours to touch. */
      g_assert_cmpint (g_file_test (path, G_FILE_TEST_EXISTS), ==, i != 0);
    }
  nexus_test_remove_dir (dir);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/nexus/Schedule/backups", Fixture, NULL, fixture_set_up, test_scheduled_backups,
              fixture_tear_down);
  g_test_add ("/nexus/Schedule/retention", Fixture, NULL, fixture_set_up, test_scheduled_retention,
              fixture_tear_down);
  g_test_add ("/nexus/Schedule/synthetic-monitor", Fixture, NULL, fixture_set_up,
              test_synthetic_monitor, fixture_tear_down);
  g_test_add_func ("/nexus/Schedule/prune-backups", test_prune_backups);

  return g_test_run ();
}
