/* test-local-worker.c — "Run a worker on this computer", end to end
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A console engine serving the worker API on loopback, a search added by
 * nexusctl, a fake Overpass (tests/e2e/fake-overpass.h): the switch on the
 * Workers page starts the built nexus-worker, which takes every job of the
 * search and reports its leads; the worker's row comes online; the switch
 * stops it; switched on again, it reuses its worker identity.
 */
#include "config.h"

#include <locale.h>

#include <sqlite3.h>

#include <adwaita.h>

#include "../e2e/fake-overpass.h"
#include "../nexus-test-util.h"
#include "nexus-engine.h"
#include "nexus-ui-test.h"
#include "nexus-window.h"
#include "nexus-workers-page-private.h"

static NexusEngine *engine;

static gint64
sql_int (const char *sql)
{
  sqlite3      *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64        value = -1;

  g_assert_cmpint (
      sqlite3_open_v2 (nexus_engine_get_db_path (engine), &db, SQLITE_OPEN_READONLY, NULL), ==,
      SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static void
add_search (const char *dir)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  NexusTestRun     options = { .xdg_data_home = dir };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_ptr_array_add (argv, g_strdup ("nexusctl"));
  g_ptr_array_add (argv, g_strdup ("--db"));
  g_ptr_array_add (argv, g_strdup (nexus_engine_get_db_path (engine)));
  for (const char *const *arg =
           (const char *const[]){ "search", "add", "--name", "Paris restaurants", "--keywords",
                                  "restaurant", "--bbox", "48.80,2.20,48.91,2.47", "--country",
                                  "FR", "--cell-km", "6", NULL };
       *arg != NULL; arg++)
    g_ptr_array_add (argv, g_strdup (*arg));
  g_assert_cmpint (nexus_test_runv (&options, &out, &err, argv), ==, 0);
}

static gint64
local_worker_id (void)
{
  return sql_int ("SELECT w.id FROM workers w JOIN settings s ON s.value = w.public_id"
                  " WHERE s.key = 'console.local_worker'");
}

static void
test_local_worker (gconstpointer data)
{
  const char       *dir = data;
  NexusWindow      *window = nexus_window_new (NULL, engine);
  NexusWorkersPage *page;
  NexusLocalWorker *local;
  GtkWidget        *local_switch;
  gint64            jobs;
  gint64            id;
  int               state;

  add_search (dir);
  jobs = sql_int ("SELECT count(*) FROM internal_jobs WHERE kind = 'place_search'");
  g_assert_cmpint (jobs, >, 0);

  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 800);
  nexus_window_set_page (window, "workers");
  gtk_window_present (GTK_WINDOW (window));
  page = NEXUS_WORKERS_PAGE (nexus_test_find_type (GTK_WIDGET (window), NEXUS_TYPE_WORKERS_PAGE));
  local = _nexus_workers_page_get_local_worker (page);
  local_switch = nexus_test_find_type (GTK_WIDGET (page), GTK_TYPE_SWITCH);
  g_assert_nonnull (local_switch);

  gtk_switch_set_active (GTK_SWITCH (local_switch), TRUE);
  WAIT_UNTIL (nexus_local_worker_get_running (local));
  id = local_worker_id ();
  g_assert_cmpint (id, >, 0);

  /* Every job of the search done, leads in the vault, the row online. */
  WAIT_UNTIL (sql_int ("SELECT count(*) FROM internal_jobs WHERE kind = 'place_search'"
                       " AND status = 'done'") == jobs);
  g_assert_cmpint (sql_int ("SELECT count(*) FROM leads"), >, 0);
  WAIT_UNTIL ((state = _nexus_workers_page_get_row_state (page, id)) == NEXUS_WORKER_STATE_IDLE ||
              state == NEXUS_WORKER_STATE_BUSY);
  {
    g_autofree char *output = nexus_local_worker_get_output (local, 200);
    /* What it wrote is shown, and it never writes its secret. */
    g_assert_nonnull (strstr (output, "connected"));
    g_assert_null (strstr (output, "secret="));
  }

  /* Off: the process ends and the switch says so. */
  gtk_switch_set_active (GTK_SWITCH (local_switch), FALSE);
  WAIT_UNTIL (!nexus_local_worker_get_running (local));

  /* On again: the same worker, a fresh secret. */
  gtk_switch_set_active (GTK_SWITCH (local_switch), TRUE);
  WAIT_UNTIL (nexus_local_worker_get_running (local));
  g_assert_cmpint (local_worker_id (), ==, id);
  g_assert_cmpint (sql_int ("SELECT count(*) FROM workers WHERE role = 'worker'"
                            " AND name != 'synthetic monitor'"),
                   ==, 1);
  gtk_switch_set_active (GTK_SWITCH (local_switch), FALSE);
  WAIT_UNTIL (!nexus_local_worker_get_running (local));

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char *argv[])
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *overpass_url = NULL;
  FakeOverpass    *fake;
  int              status;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  dir = nexus_test_make_dir ("local-worker");
  /* The worker reads its settings from here, never the user's. */
  g_setenv ("XDG_CONFIG_HOME", dir, TRUE);
  fake = fake_overpass_start ("paris-restaurants.overpass.json");
  overpass_url = fake_overpass_get_url (fake);
  g_setenv ("NEXUS_OVERPASS_URL", overpass_url, TRUE);

  db_path = g_build_filename (dir, "vault.db", NULL);
  engine = nexus_engine_new (db_path, NEXUS_ENGINE_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_true (nexus_engine_listen (engine, "127.0.0.1:0", &error));
  g_assert_no_error (error);

  g_test_add_data_func ("/nexus/LocalWorker/runs-jobs", dir, test_local_worker);
  status = g_test_run ();

  nexus_engine_shutdown (engine);
  g_clear_object (&engine);
  fake_overpass_stop (fake);
  nexus_test_remove_dir (dir);
  return status;
}
