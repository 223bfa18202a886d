/* test-worker-e2e.c — nexus-server + nexus-worker + a fake Overpass
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The built programs, as an operator runs them: nexusctl adds a search
 * over Paris and a worker, nexus-server serves the worker API, and
 * nexus-worker processes lease the jobs and query a fake Overpass that
 * replays a genuine answer (tests/data/osm/, ODbL, © OpenStreetMap
 * contributors).  The vault is then read straight from the database.
 *
 * Children die with the test (PR_SET_PDEATHSIG); temporary files go.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/prctl.h>

#include <libsoup/soup.h>

#include "fake-overpass.h"

#define PARIS_BBOX "48.80,2.20,48.91,2.47"
/* Every wait of these tests ends within this. */
#define WAIT_S 40

typedef struct
{
  char         *dir;
  char         *db;
  GSubprocess  *server;
  guint16       port;
  char         *connection; /* the worker's connection string (secret inside) */
  char         *secret;
  FakeOverpass *fake;
  char         *overpass_url;
} E2E;

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static char *
program_path (const char *name)
{
  return g_build_filename (g_getenv ("NEXUS_BUILD_DIR"), "app", name, NULL);
}

/* Runs nexusctl --db DB ARGS…; returns its stdout. */
static char *
run_ctl (E2E *e2e, const char *first, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  g_autofree char *err = NULL;
  char            *out = NULL;
  const char      *arg;
  int              status = 0;
  va_list          args;

  g_ptr_array_add (argv, program_path ("nexusctl"));
  g_ptr_array_add (argv, g_strdup ("--db"));
  g_ptr_array_add (argv, g_strdup (e2e->db));
  va_start (args, first);
  for (arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **)argv->pdata, NULL, G_SPAWN_DEFAULT, die_with_parent, NULL, &out,
                &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("nexusctl %s failed: %s", first, err);
  return out;
}

static void
start_server (E2E *e2e)
{
  g_autoptr (GSubprocessLauncher) launcher =
      g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr (GDataInputStream) lines = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *path = program_path ("nexus-server");
  g_autofree char *line = NULL;
  const char      *port;

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  e2e->server = g_subprocess_launcher_spawn (launcher, &error, path, "--db", e2e->db, "--listen",
                                             "127.0.0.1:0", NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (e2e->server));
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  port = strstr (line, "(port ");
  g_assert_nonnull (port);
  e2e->port = (guint16)g_ascii_strtoull (port + 6, NULL, 10);
}

static void
add_worker (E2E *e2e, const char *name)
{
  g_autofree char *address = g_strdup_printf ("127.0.0.1:%u", e2e->port);
  g_autofree char *out = run_ctl (e2e, "worker", "add", name, "--json", "--address", address, NULL);
  g_autoptr (JsonNode) root = json_from_string (out, NULL);
  const char *secret;

  g_assert_nonnull (root);
  e2e->connection =
      g_strdup (json_object_get_string_member (json_node_get_object (root), "connection"));
  secret = strstr (e2e->connection, "secret=");
  g_assert_nonnull (secret);
  e2e->secret = g_strndup (secret + 7, strcspn (secret + 7, "&"));
  g_assert_cmpuint (strlen (e2e->secret), >=, 43);
}

static void
e2e_setup (E2E *e2e, const char *cell_km)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;

  e2e->dir = g_dir_make_tmp ("nexus-e2e-XXXXXX", &error);
  g_assert_no_error (error);
  e2e->db = g_build_filename (e2e->dir, "nexus.db", NULL);
  e2e->fake = fake_overpass_start ("paris-restaurants.overpass.json");
  e2e->overpass_url = fake_overpass_get_url (e2e->fake);

  start_server (e2e);
  out = run_ctl (e2e, "search", "add", "--name", "Paris restaurants", "--keywords", "restaurant",
                 "--bbox", PARIS_BBOX, "--country", "FR", "--cell-km", cell_km, NULL);
  add_worker (e2e, "e2e");
}

static void
e2e_teardown (E2E *e2e)
{
  static const char *const suffixes[] = { "", "-wal", "-shm", ".tls.pem" };
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) dir = NULL;
  const char *name;

  if (e2e->server != NULL)
    {
      g_subprocess_send_signal (e2e->server, SIGTERM);
      g_subprocess_wait_check (e2e->server, NULL, &error);
      g_assert_no_error (error);
      g_clear_object (&e2e->server);
    }
  fake_overpass_stop (e2e->fake);

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (e2e->db, suffixes[i], NULL);
      g_unlink (file);
    }
  dir = g_dir_open (e2e->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (e2e->dir, name, NULL);
      g_unlink (file);
    }
  g_rmdir (e2e->dir);
  g_free (e2e->dir);
  g_free (e2e->db);
  g_free (e2e->connection);
  g_free (e2e->secret);
  g_free (e2e->overpass_url);
}

/* Starts nexus-worker with its stderr in DIR/NAME.log. */
static GSubprocess *
start_worker (E2E *e2e, const char *name, const char *extra)
{
  g_autoptr (GSubprocessLauncher) launcher =
      g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_autoptr (GError) error = NULL;
  g_autofree char *path = program_path ("nexus-worker");
  g_autofree char *log = g_strdup_printf ("%s/%s.log", e2e->dir, name);
  GSubprocess     *worker;

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  g_subprocess_launcher_set_stderr_file_path (launcher, log);
  /* The connection string through the environment, as a unit file does. */
  g_subprocess_launcher_setenv (launcher, "NEXUS_CONNECT", e2e->connection, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", e2e->dir, TRUE);
  /* Place searches only, unless the test says otherwise: the enrich jobs
   * of preview-only leads point at real websites, out of reach here. */
  worker = g_subprocess_launcher_spawn (
      launcher, &error, path, "--overpass-url", e2e->overpass_url, "--concurrency", "2", "-v",
      extra != NULL && g_str_has_prefix (extra, "--providers") ? extra : "--providers=overpass",
      extra != NULL && !g_str_has_prefix (extra, "--providers") ? extra : NULL, NULL);
  g_assert_no_error (error);
  return worker;
}

static char *
read_log (E2E *e2e, const char *name)
{
  g_autofree char *log = g_strdup_printf ("%s/%s.log", e2e->dir, name);
  char            *text = NULL;

  g_file_get_contents (log, &text, NULL, NULL);
  return text != NULL ? text : g_strdup ("");
}

static gint64
query_int (E2E *e2e, const char *sql)
{
  sqlite3      *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64        value = -1;

  g_assert_cmpint (sqlite3_open_v2 (e2e->db, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static void
execute (E2E *e2e, const char *sql)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (e2e->db, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

/* Waits until @sql gives @expected; fails the test after WAIT_S. */
static void
wait_for (E2E *e2e, const char *sql, gint64 expected)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_S * G_USEC_PER_SEC;
  gint64 value;

  while ((value = query_int (e2e, sql)) != expected)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("waited %d s for “%s” to give %" G_GINT64_FORMAT ", still %" G_GINT64_FORMAT,
                 WAIT_S, sql, expected, value);
      g_usleep (100000);
    }
}

static const char pending_sql[] = "SELECT count(*) FROM internal_jobs WHERE kind = 'place_search'"
                                  " AND status != 'done'";

/* SIGTERM: the worker exits 0 within its ten seconds. */
static void
stop_worker (GSubprocess *worker)
{
  g_autoptr (GError) error = NULL;
  gint64 started = g_get_monotonic_time ();

  g_subprocess_send_signal (worker, SIGTERM);
  g_subprocess_wait (worker, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (worker));
  g_assert_cmpint (g_subprocess_get_exit_status (worker), ==, 0);
  g_assert_cmpint (g_get_monotonic_time () - started, <, 11 * G_USEC_PER_SEC);
}

static void
test_paris (void)
{
  E2E e2e = { 0 };
  g_autoptr (GSubprocess) worker = NULL;
  g_autofree char *log = NULL;
  g_autofree char *out = NULL;

  e2e_setup (&e2e, "5");
  g_assert_cmpint (query_int (&e2e, pending_sql), >, 1);
  worker = start_worker (&e2e, "worker", "--providers=overpass");
  wait_for (&e2e, pending_sql, 0);

  /* 25 restaurants with a phone in the vault, with E.164 numbers; the 39
   * others preview-only; each place once. */
  g_assert_cmpint (query_int (&e2e, "SELECT count(*) FROM leads WHERE preview_only = 0"), ==, 25);
  g_assert_cmpint (query_int (&e2e,
                              "SELECT count(*) FROM leads WHERE preview_only = 0"
                              " AND phone_e164 GLOB '+33[1-9]*' AND length (phone_e164) = 12"),
                   ==, 25);
  g_assert_cmpint (query_int (&e2e, "SELECT count(*) FROM leads WHERE preview_only = 1"), ==, 39);
  g_assert_cmpint (query_int (&e2e, "SELECT count(*) FROM lead_sources"), ==, 64);
  /* The search's jobs count the 64 leads they added, however often the
   * overlapping cells reported each place. */
  g_assert_cmpint (query_int (&e2e, "SELECT sum (new_leads) FROM internal_jobs"
                                    " WHERE kind = 'place_search'"),
                   ==, 64);
  g_assert_cmpint (query_int (&e2e, "SELECT count(DISTINCT ref) FROM lead_sources"
                                    " WHERE provider = 'overpass'"),
                   ==, 64);
  g_assert_cmpint (query_int (&e2e, "SELECT count(*) FROM internal_jobs WHERE status = 'dead'"), ==,
                   0);

  g_test_message (
      "first run: %" G_GINT64_FORMAT " jobs, %u queries",
      query_int (&e2e, "SELECT count(*) FROM internal_jobs WHERE kind = 'place_search'"),
      fake_overpass_count (e2e.fake));

  /* A second run: the same places are seen again, none is added. */
  out = run_ctl (&e2e, "search", "rerun", "1", NULL);
  g_assert_cmpint (query_int (&e2e, pending_sql), >, 0);
  wait_for (&e2e, pending_sql, 0);
  g_assert_cmpint (query_int (&e2e, "SELECT count(*) FROM leads"), ==, 64);
  g_assert_cmpint (query_int (&e2e, "SELECT count(*) FROM lead_sources"), ==, 64);
  g_assert_cmpint (query_int (&e2e, "SELECT count(*) FROM leads WHERE preview_only = 0"), ==, 25);
  g_assert_cmpint (query_int (&e2e, "SELECT min(sightings) FROM lead_sources"), ==, 2);

  stop_worker (worker);

  /* The fake saw the etiquette; the log never shows the secret. */
  g_mutex_lock (&e2e.fake->lock);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (e2e.fake->agents, 0), "Nexus-worker/"));
  g_assert_cmpuint (e2e.fake->max_in_flight, <=, 2);
  g_mutex_unlock (&e2e.fake->lock);
  log = read_log (&e2e, "worker");
  g_assert_nonnull (strstr (log, "reported"));
  g_assert_null (strstr (log, e2e.secret));
  g_assert_null (strstr (log, "secret="));

  e2e_teardown (&e2e);
}

/* Cells wider than 0.1° time out at the fake: the planner splits them
 * until every restaurant is found, each exactly once. */
static void
test_remark_split (void)
{
  E2E e2e = { 0 };
  g_autoptr (GSubprocess) worker = NULL;
  g_autofree char *sql = NULL;

  e2e_setup (&e2e, "30");
  g_mutex_lock (&e2e.fake->lock);
  e2e.fake->saturate_over = 0.1;
  g_mutex_unlock (&e2e.fake->lock);

  worker = start_worker (&e2e, "worker", "--providers=overpass");
  wait_for (&e2e, pending_sql, 0);
  stop_worker (worker);

  g_test_message (
      "%u timeouts, %" G_GINT64_FORMAT " jobs, deepest split %" G_GINT64_FORMAT,
      e2e.fake->n_saturated,
      query_int (&e2e, "SELECT count(*) FROM internal_jobs WHERE kind = 'place_search'"),
      query_int (&e2e, "SELECT max(depth) FROM internal_jobs"));
  g_assert_cmpuint (e2e.fake->n_saturated, >, 0);
  g_assert_cmpint (query_int (&e2e, "SELECT count(*) FROM internal_jobs WHERE saturated = 1"), ==,
                   e2e.fake->n_saturated);
  g_assert_cmpint (query_int (&e2e, "SELECT max(depth) FROM internal_jobs"), >, 0);
  g_assert_cmpint (query_int (&e2e, "SELECT count(*) FROM internal_jobs WHERE status = 'dead'"
                                    " OR capped = 1"),
                   ==, 0);
  /* Each place reported once over all jobs, stored once. */
  g_assert_cmpint (query_int (&e2e, "SELECT sum(result_count) FROM internal_jobs"
                                    " WHERE kind = 'place_search'"),
                   ==, 64);
  g_assert_cmpint (query_int (&e2e, "SELECT count(*) FROM lead_sources"), ==, 64);
  g_assert_cmpint (query_int (&e2e, "SELECT count(*) FROM leads"), ==, 64);
  g_assert_cmpint (query_int (&e2e, "SELECT count(*) FROM leads WHERE preview_only = 0"), ==, 25);

  e2e_teardown (&e2e);
}

/* A worker killed while it holds a job: once the lease runs out another
 * worker does the job, and no place is stored twice. */
static void
test_kill_worker (void)
{
  E2E e2e = { 0 };
  g_autoptr (GSubprocess) first = NULL;
  g_autoptr (GSubprocess) second = NULL;
  g_autoptr (GError) error = NULL;
  gint64           deadline = g_get_monotonic_time () + WAIT_S * G_USEC_PER_SEC;
  g_autofree char *log = NULL;

  e2e_setup (&e2e, "5");
  /* The first worker gets answers for six queries; the seventh hangs. */
  g_mutex_lock (&e2e.fake->lock);
  e2e.fake->stall_after = 6;
  g_mutex_unlock (&e2e.fake->lock);

  first = start_worker (&e2e, "first", "--concurrency=1");
  while (fake_overpass_count (e2e.fake) < 7)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (50000);
    }
  /* Its earlier jobs are reported; the held one is leased. */
  wait_for (&e2e, "SELECT count(*) FROM internal_jobs WHERE status = 'done'", 6);
  g_assert_cmpint (query_int (&e2e, "SELECT count(*) FROM internal_jobs WHERE status = 'leased'"),
                   ==, 1);
  g_subprocess_send_signal (first, SIGKILL);
  g_subprocess_wait (first, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (g_subprocess_get_if_exited (first));

  /* The lease runs out (its end moved to the past rather than waiting the
   * two minutes); the engine's reaper returns the job to the queue. */
  execute (&e2e, "UPDATE internal_jobs SET lease_expires_at = strftime ('%s', 'now') - 1"
                 " WHERE status = 'leased'");
  g_mutex_lock (&e2e.fake->lock);
  e2e.fake->released = TRUE;
  g_mutex_unlock (&e2e.fake->lock);

  second = start_worker (&e2e, "second", "--concurrency=2");
  wait_for (&e2e, pending_sql, 0);
  stop_worker (second);

  g_assert_cmpint (query_int (&e2e, "SELECT count(*) FROM internal_jobs"
                                    " WHERE kind = 'place_search' AND attempts = 2"),
                   ==, 1);
  g_assert_cmpint (query_int (&e2e, "SELECT count(*) FROM lead_sources"), ==, 64);
  g_assert_cmpint (query_int (&e2e, "SELECT count(*) FROM leads"), ==, 64);
  g_assert_cmpint (query_int (&e2e, "SELECT count(*) FROM leads WHERE preview_only = 0"), ==, 25);
  log = read_log (&e2e, "second");
  g_assert_null (strstr (log, e2e.secret));

  e2e_teardown (&e2e);
}

/* SIGTERM while a job waits on its provider: the worker hands the job
 * back as retryable and exits 0 within ten seconds. */
static void
test_sigterm_mid_job (void)
{
  E2E e2e = { 0 };
  g_autoptr (GSubprocess) worker = NULL;
  gint64 deadline = g_get_monotonic_time () + WAIT_S * G_USEC_PER_SEC;

  e2e_setup (&e2e, "5");
  g_mutex_lock (&e2e.fake->lock);
  e2e.fake->stall_after = 1;
  g_mutex_unlock (&e2e.fake->lock);

  worker = start_worker (&e2e, "worker", "--concurrency=1");
  while (fake_overpass_count (e2e.fake) < 2)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (50000);
    }
  wait_for (&e2e, "SELECT count(*) FROM internal_jobs WHERE status = 'done'", 1);
  stop_worker (worker);

  /* Handed back, not lost with its lease, and not dead. */
  g_assert_cmpint (query_int (&e2e, "SELECT count(*) FROM internal_jobs WHERE status = 'leased'"
                                    " OR status = 'dead'"),
                   ==, 0);
  g_assert_cmpint (query_int (&e2e, "SELECT count(*) FROM internal_jobs WHERE attempts = 1"
                                    " AND status = 'queued' AND last_error LIKE '%stopped%'"),
                   ==, 1);

  e2e_teardown (&e2e);
}

/* An engine that is not there: the worker waits, growing its backoff, and
 * still stops at once on SIGTERM. */
static void
test_unreachable (void)
{
  E2E e2e = { 0 };
  g_autoptr (GSubprocess) worker = NULL;
  g_autofree char *log = NULL;
  guint            tries = 0;
  const char      *p;

  e2e_setup (&e2e, "5");
  g_subprocess_send_signal (e2e.server, SIGTERM);
  g_subprocess_wait (e2e.server, NULL, NULL);
  g_clear_object (&e2e.server);

  worker = start_worker (&e2e, "worker", "--once");
  g_usleep (4 * G_USEC_PER_SEC);
  stop_worker (worker);

  log = read_log (&e2e, "worker");
  for (p = log; (p = strstr (p, "trying again in")) != NULL; p++)
    tries++;
  /* About 1 + 2 + … seconds apart: a handful of tries, not a busy loop. */
  g_assert_cmpuint (tries, >=, 2);
  g_assert_cmpuint (tries, <=, 5);
  g_assert_null (strstr (log, e2e.secret));

  e2e_teardown (&e2e);
}

/* A website on loopback for the enrichment test: its page gives a phone. */
typedef struct
{
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  guint16       port;
  GMutex        lock;
  GCond         cond;
  gboolean      ready;
} FakeSite;

#define SITE_PHONE "+33140000099"

static void
site_cb (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  static const char page[] = "<html><body><h1>Chez nous</h1>"
                             "<a href=\"tel:+33 1 40 00 00 99\">Appelez-nous</a> "
                             "<a href=\"mailto:contact@chez-nous.example\">Écrire</a>"
                             "</body></html>";

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/html; charset=utf-8", SOUP_MEMORY_STATIC, page,
                                    strlen (page));
}

static gpointer
site_thread (gpointer data)
{
  FakeSite *site = data;
  g_autoptr (SoupServer) server = NULL;
  g_autoptr (GError) error = NULL;
  GSList *uris;

  g_main_context_push_thread_default (site->context);
  server = soup_server_new (NULL, NULL);
  soup_server_add_handler (server, NULL, site_cb, site, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  g_mutex_lock (&site->lock);
  site->port = (guint16)g_uri_get_port (uris->data);
  site->ready = TRUE;
  g_cond_signal (&site->cond);
  g_mutex_unlock (&site->lock);
  g_slist_free_full (uris, (GDestroyNotify)g_uri_unref);

  g_main_loop_run (site->loop);
  soup_server_disconnect (server);
  g_main_context_pop_thread_default (site->context);
  return NULL;
}

/* A preview-only lead's enrich job fetches its website, finds a phone and
 * the lead joins the vault. */
static void
test_enrich (void)
{
  E2E      e2e = { 0 };
  FakeSite site = { 0 };
  g_autoptr (GSubprocess) worker = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *path = program_path ("nexus-worker");
  g_autofree char *sql = NULL;
  gint64           lead_id;

  e2e_setup (&e2e, "5");
  worker = start_worker (&e2e, "places", "--providers=overpass");
  wait_for (&e2e, pending_sql, 0);
  stop_worker (worker);
  g_clear_object (&worker);

  site.context = g_main_context_new ();
  site.loop = g_main_loop_new (site.context, FALSE);
  g_mutex_init (&site.lock);
  g_cond_init (&site.cond);
  site.thread = g_thread_new ("fake-site", site_thread, &site);
  g_mutex_lock (&site.lock);
  while (!site.ready)
    g_cond_wait (&site.cond, &site.lock);
  g_mutex_unlock (&site.lock);

  /* One preview-only lead keeps its enrich job, pointed at the site. */
  lead_id = query_int (&e2e, "SELECT min(id) FROM leads WHERE preview_only = 1");
  g_assert_cmpint (lead_id, >, 0);
  g_assert_cmpint (query_int (&e2e, "SELECT count(*) FROM internal_jobs WHERE kind = 'enrich'"), ==,
                   query_int (&e2e, "SELECT count(*) FROM leads WHERE preview_only = 1"));
  sql = g_strdup_printf ("UPDATE internal_jobs SET status = 'cancelled' WHERE kind = 'enrich'"
                         " AND json_extract (payload, '$.lead_id') != %" G_GINT64_FORMAT ";"
                         "UPDATE internal_jobs SET payload = json_set (payload, '$.website',"
                         " 'http://127.0.0.1:%u/') WHERE kind = 'enrich'"
                         " AND json_extract (payload, '$.lead_id') = %" G_GINT64_FORMAT,
                         lead_id, site.port, lead_id);
  execute (&e2e, sql);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  g_subprocess_launcher_setenv (launcher, "NEXUS_CONNECT", e2e.connection, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", e2e.dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "NEXUS_ENRICH_ALLOW_LOOPBACK", "1", TRUE);
  worker = g_subprocess_launcher_spawn (launcher, &error, path, "--providers=overpass,enrich",
                                        "--overpass-url", e2e.overpass_url, NULL);
  g_assert_no_error (error);

  wait_for (&e2e, "SELECT count(*) FROM internal_jobs WHERE kind = 'enrich' AND status = 'done'",
            1);
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("SELECT count(*) FROM leads WHERE id = %" G_GINT64_FORMAT
                         " AND preview_only = 0 AND phone_e164 = '" SITE_PHONE "'",
                         lead_id);
  g_assert_cmpint (query_int (&e2e, sql), ==, 1);
  /* It joined the vault as itself: no new lead. */
  g_assert_cmpint (query_int (&e2e, "SELECT count(*) FROM leads"), ==, 64);
  stop_worker (worker);

  g_main_loop_quit (site.loop);
  g_thread_join (site.thread);
  g_main_loop_unref (site.loop);
  g_main_context_unref (site.context);
  g_mutex_clear (&site.lock);
  g_cond_clear (&site.cond);
  e2e_teardown (&e2e);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_unsetenv ("NEXUS_INTERNAL_SECRET");

  g_test_add_func ("/nexus/E2E/paris", test_paris);
  g_test_add_func ("/nexus/E2E/remark-split", test_remark_split);
  g_test_add_func ("/nexus/E2E/kill-worker", test_kill_worker);
  g_test_add_func ("/nexus/E2E/sigterm-mid-job", test_sigterm_mid_job);
  g_test_add_func ("/nexus/E2E/unreachable", test_unreachable);
  g_test_add_func ("/nexus/E2E/enrich", test_enrich);

  return g_test_run ();
}
