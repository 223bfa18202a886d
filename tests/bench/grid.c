/* grid.c — the console's leads grid on a vault of a million leads
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   grid [N_LEADS]        (default 1000000; or $NEXUS_BENCH_LEADS)
 *
 * Generates a vault of N leads with direct SQL in one transaction (the
 * schema of nexus_store_open (), its FTS and R*Tree triggers included;
 * names, cities, categories, statuses, agents and a tenth of preview-only
 * leads drawn from a fixed seed).  With $NEXUS_BENCH_GRID_DB the file is
 * kept there and reused by the next run.  Then, with the real
 * NexusLeadsModel on a real engine (reader threads, store code):
 *
 *  - first rows: a new query counted and its first page read;
 *  - re-sort:    the same by another column (city, descending);
 *  - FTS:        a search of a name prefix, counted and its first page;
 *
 * each the median of RUNS runs, printed next to the bare SQL of the same
 * count and page on a plain connection in the same run.  Last, a child
 * process opens a console window on that vault under the display (Xvfb)
 * and scrolls through the grid; its resident set is printed with the one
 * it had with the engine alone as the baseline.  Asserts no time.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include <adwaita.h>

#include "nexus-leads-model.h"
#include "nexus-leads-page-private.h"
#include "nexus-window.h"
#include "store/nexus-store-leads-view.h"
#include "store/nexus-store-private.h"

#define DEFAULT_LEADS 1000000
#define RUNS          5
#define WAIT_SECONDS  120

static const char *const cities[] = { "Cairo", "Alexandria", "Riyadh", "Jeddah", "Dubai",
                                      "Paris", "Lyon",       "Berlin", "Madrid", "Rome",
                                      "Tunis", "Amman",      "Beirut", "Doha",   "Kuwait" };
static const char *const categories[] = { "restaurant",  "pharmacy",   "cafe",    "dentist",
                                          "bakery",      "hotel",      "florist", "car_repair",
                                          "hairdresser", "supermarket" };
static const char *const statuses[] = {
  "new", "new", "new", "contacted", "qualified", "won", "lost"
};
static const char *const syllables[] = { "ka", "ra", "mo", "li", "zu", "ne", "ta", "vo",
                                         "si", "la", "be", "do", "fi", "go", "ha", "ju",
                                         "ko", "ma", "nu", "pe", "ri", "sa", "to", "vi" };

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

static long
rss_kb (void)
{
  g_autofree char *status = NULL;
  const char      *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmRSS:");
  return line != NULL ? strtol (line + 6, NULL, 10) : -1;
}

static void
check (int rc, sqlite3 *db, const char *what)
{
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
    g_error ("%s: %s", what, sqlite3_errmsg (db));
}

/* Writes @n leads into the file nexus_store_open () made. */
static void
generate (const char *path, guint n)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (20261126); /* the same vault every time */
  sqlite3      *db = NULL;
  sqlite3_stmt *stmt = NULL;
  double        start = now_ms ();
  gint64        now = g_get_real_time () / G_USEC_PER_SEC;

  check (sqlite3_open (path, &db), db, "open");
  check (sqlite3_exec (db,
                       "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;"
                       " PRAGMA cache_size=-262144; BEGIN;"
                       " INSERT INTO agents (name, created_at) VALUES"
                       " ('Mona Adel', 0), ('Omar Said', 0), ('Salma Farouk', 0),"
                       " ('Karim Nabil', 0), ('Lina Haddad', 0);",
                       NULL, NULL, NULL),
         db, "agents");
  check (sqlite3_prepare_v2 (db,
                             "INSERT INTO leads (name, name_norm, phone_e164, website,"
                             " website_host, address, address_norm, city, city_norm, country,"
                             " lat, lon, category, category_source, rating, status,"
                             " preview_only, agent_id, sightings, first_seen_at, last_seen_at,"
                             " updated_at) VALUES (?1, lower (?1), ?2, ?3, ?3, ?4, lower (?4),"
                             " ?5, lower (?5), 'EG', ?6, ?7, ?8, 'rule', ?9, ?10, ?11, ?12, ?13,"
                             " ?14, ?15, ?15)",
                             -1, &stmt, NULL),
         db, "prepare");

  for (guint i = 0; i < n; i++)
    {
      guint64 r = (guint64)g_rand_int (rand) << 32 | g_rand_int (rand);
      char    name[64], phone[24], address[64], website[48];
      guint   city = r % G_N_ELEMENTS (cities);
      gint64  first = now - (gint64)g_rand_int_range (rand, 0, 365 * 24 * 3600);
      int     len;

      len = g_snprintf (name, sizeof name, "%s%s%s %s", syllables[(r >> 8) % 24],
                        syllables[(r >> 13) % 24], syllables[(r >> 18) % 24],
                        categories[(r >> 23) % G_N_ELEMENTS (categories)]);
      name[0] = g_ascii_toupper (name[0]);
      g_snprintf (phone, sizeof phone, "+2010%08u", i);
      g_snprintf (address, sizeof address, "%u %s Street", (guint)((r >> 28) % 300),
                  syllables[(r >> 33) % 24]);
      g_snprintf (website, sizeof website, "%.*s%u.example", len > 6 ? 6 : len, name, i);

      sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
      if ((r >> 40) % 10 == 0)
        sqlite3_bind_null (stmt, 2); /* preview-only: no phone yet */
      else
        sqlite3_bind_text (stmt, 2, phone, -1, SQLITE_TRANSIENT);
      if ((r >> 44) % 3 == 0)
        sqlite3_bind_text (stmt, 3, g_ascii_strdown (website, -1), -1, g_free);
      else
        sqlite3_bind_null (stmt, 3);
      sqlite3_bind_text (stmt, 4, address, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 5, cities[city], -1, SQLITE_STATIC);
      sqlite3_bind_double (stmt, 6, 20.0 + city + ((r >> 16) % 10000) / 10000.0);
      sqlite3_bind_double (stmt, 7, 30.0 + city + ((r >> 26) % 10000) / 10000.0);
      sqlite3_bind_text (stmt, 8, categories[(r >> 23) % G_N_ELEMENTS (categories)], -1,
                         SQLITE_STATIC);
      sqlite3_bind_double (stmt, 9, 3.0 + ((r >> 36) % 20) / 10.0);
      sqlite3_bind_text (stmt, 10, statuses[(r >> 48) % G_N_ELEMENTS (statuses)], -1,
                         SQLITE_STATIC);
      sqlite3_bind_int (stmt, 11, (r >> 40) % 10 == 0);
      if ((r >> 52) % 4 == 0)
        sqlite3_bind_null (stmt, 12);
      else
        sqlite3_bind_int64 (stmt, 12, 1 + (r >> 54) % 5);
      sqlite3_bind_int64 (stmt, 13, 1 + (r >> 58) % 5);
      sqlite3_bind_int64 (stmt, 14, first);
      sqlite3_bind_int64 (stmt, 15, first + (gint64)((r >> 20) % (30 * 24 * 3600)));
      check (sqlite3_step (stmt), db, "insert");
      sqlite3_reset (stmt);
    }
  sqlite3_finalize (stmt);
  /* Indexed for search as a store's commit does. */
  check (sqlite3_exec (db,
                       NEXUS_STORE_INDEX_PENDING_SQL
                       "; " NEXUS_STORE_CLEAR_PENDING_SQL ";"
                       " COMMIT; ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);",
                       NULL, NULL, NULL),
         db, "commit");
  sqlite3_close (db);
  printf ("generated %u leads in %.1f s (direct SQL, one transaction)\n", n,
          (now_ms () - start) / 1000.0);
}

static gboolean
timeout_cb (gpointer data)
{
  g_error ("timed out waiting for the leads model");
  return G_SOURCE_REMOVE;
}

/* Time until a new model on @engine counted @query and read its first
 * page (what the grid needs to show its first rows), in ms. */
static double
model_first_rows (NexusEngine *engine, const NexusLeadsQuery *query)
{
  g_autoptr (NexusLeadsModel) model = nexus_leads_model_new (NULL);
  guint  timeout = g_timeout_add_seconds (WAIT_SECONDS, timeout_cb, NULL);
  double start;

  nexus_leads_model_set_query (model, query);
  start = now_ms ();
  nexus_leads_model_set_engine (model, engine);
  while (nexus_leads_model_get_loading (model))
    g_main_context_iteration (NULL, TRUE);
  if (nexus_leads_model_get_count (model) > 0)
    {
      /* What the list does when it shows the first rows. */
      g_object_unref (g_list_model_get_item (G_LIST_MODEL (model), 0));
      while (!nexus_leads_model_has_row (model, 0))
        g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (timeout);
  return now_ms () - start;
}

/* The bare SQL of the same view: its count and first page, in ms. */
static double
sql_first_rows (sqlite3 *db, const char *where, const char *order)
{
  g_autofree char *count_sql = g_strdup_printf ("SELECT count(*) FROM leads AS l %s", where);
  g_autofree char *page_sql = g_strdup_printf (
      "SELECT l.id, l.name, l.category, l.phone_e164, l.city, l.address, l.website, l.rating,"
      " l.status, l.first_seen_at, l.last_seen_at, l.sightings, l.preview_only, l.agent_id,"
      " (SELECT a.name FROM agents AS a WHERE a.id = l.agent_id), l.email, l.country, l.lat,"
      " l.lon, l.reviews, l.notes FROM leads AS l %s ORDER BY %s LIMIT 256",
      where, order);
  sqlite3_stmt *stmt = NULL;
  double        start = now_ms ();

  check (sqlite3_prepare_v2 (db, count_sql, -1, &stmt, NULL), db, count_sql);
  check (sqlite3_step (stmt), db, "count");
  sqlite3_finalize (stmt);
  check (sqlite3_prepare_v2 (db, page_sql, -1, &stmt, NULL), db, page_sql);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    ;
  sqlite3_finalize (stmt);
  return now_ms () - start;
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return x < y ? -1 : x > y;
}

static double
median (double *values, guint n)
{
  qsort (values, n, sizeof *values, (int (*) (const void *, const void *))compare_doubles);
  return values[n / 2];
}

/* One figure: a fresh model each run against the bare SQL. */
static void
measure (const char            *label,
         NexusEngine           *engine,
         sqlite3               *db,
         const NexusLeadsQuery *query,
         const char            *where,
         const char            *order,
         double                 goal_ms)
{
  double model_ms[RUNS], sql_ms[RUNS];
  double model, sql;

  for (guint i = 0; i < RUNS; i++)
    {
      model_ms[i] = model_first_rows (engine, query);
      sql_ms[i] = sql_first_rows (db, where, order);
    }
  model = median (model_ms, RUNS);
  sql = median (sql_ms, RUNS);
  printf ("%-12s model %7.1f ms   bare SQL %7.1f ms   ratio %.2f   goal < %.0f ms: %s\n", label,
          model, sql, sql > 0 ? model / sql : 0, goal_ms, model < goal_ms ? "met" : "MISSED");
}

static gboolean
set_true_cb (gpointer data)
{
  *(gboolean *)data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
spin (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, set_true_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static GtkWidget *
find_list_view (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_LIST_VIEW (child))
        return child;
      if ((found = find_list_view (child)) != NULL)
        return found;
    }
  return NULL;
}

/* In a child process of its own (`bench-grid --window PATH`), so that the
 * generation's and the timings' memory do not count: the console's window
 * on the vault, the grid shown and scrolled through (each scroll reads the
 * page it lands on), then the resident set, after the one of the engine
 * alone. */
static void
measure_window (NexusEngine *engine)
{
  long             before = rss_kb ();
  NexusWindow     *window = nexus_window_new (NULL, engine);
  NexusLeadsPage  *page;
  NexusLeadsModel *model;
  GtkWidget       *list;
  guint            n;
  long             after;

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  nexus_window_set_page (window, "leads");
  page = NEXUS_LEADS_PAGE (nexus_window_get_leads_page (window));
  model = _nexus_leads_page_get_model (page);
  while (nexus_leads_model_get_loading (model) || nexus_leads_model_get_count (model) < 0)
    g_main_context_iteration (NULL, TRUE);
  spin (500);

  list = find_list_view (GTK_WIDGET (page));
  n = g_list_model_get_n_items (G_LIST_MODEL (model));
  for (guint step = 1; step <= 40 && list != NULL; step++)
    {
      gtk_widget_activate_action (list, "list.scroll-to-item", "u", (guint32)(n / 41 * step));
      spin (60);
    }
  spin (500);
  after = rss_kb ();
  printf ("%-12s console %5ld MB   engine alone %5ld MB   goal < 300 MB: %s\n", "RSS", after / 1024,
          before / 1024, after < 300 * 1024 ? "met" : "MISSED");
  fflush (stdout);
  gtk_window_destroy (GTK_WINDOW (window));
}

static int
window_main (const char *path)
{
  g_autoptr (GError) error = NULL;
  NexusEngine *engine;

  if (!gtk_init_check ())
    {
      printf ("RSS          not measured: no display (run under Xvfb)\n");
      return 0;
    }
  adw_init ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  engine = nexus_engine_new (path, NEXUS_ENGINE_DEFAULT, &error);
  g_assert_no_error (error);
  measure_window (engine);
  nexus_engine_shutdown (engine);
  g_object_unref (engine);
  return 0;
}

/* Runs this program again with --window: its output is the RSS line. */
static void
run_window_child (const char *self_path, const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  const char      *argv[] = { self_path, "--window", path, NULL };
  int              status;

  if (!g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status,
                     &error))
    g_error ("could not run the window child: %s", error->message);
  fputs (out != NULL ? out : "", stdout);
}

int
main (int argc, char *argv[])
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusLeadsQuery) query = nexus_leads_query_new ();
  g_autofree char *self_path = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  const char      *keep = g_getenv ("NEXUS_BENCH_GRID_DB");
  const char      *env_n = g_getenv ("NEXUS_BENCH_LEADS");
  guint n = argc > 1 ? (guint)atoi (argv[1]) : env_n != NULL ? (guint)atoi (env_n) : DEFAULT_LEADS;
  NexusEngine *engine;
  sqlite3     *db = NULL;

  if (argc == 3 && g_str_equal (argv[1], "--window"))
    return window_main (argv[2]);

  if (keep != NULL)
    path = g_strdup (keep);
  else
    {
      dir = g_dir_make_tmp ("nexus-bench-grid-XXXXXX", &error);
      g_assert_no_error (error);
      path = g_build_filename (dir, "vault.db", NULL);
    }

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_autoptr (NexusStore) store = nexus_store_open (path, NEXUS_STORE_OPEN_DEFAULT, &error);

      g_assert_no_error (error);
      g_clear_object (&store);
      generate (path, n);
    }
  else
    printf ("reusing %s\n", path);

  engine = nexus_engine_new (path, NEXUS_ENGINE_DEFAULT, &error);
  g_assert_no_error (error);
  check (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), db, "open");
  {
    sqlite3_stmt *stmt = NULL;

    check (sqlite3_prepare_v2 (db, "SELECT count(*) FROM leads", -1, &stmt, NULL), db, "count");
    check (sqlite3_step (stmt), db, "count");
    printf ("vault: %lld leads\n", (long long)sqlite3_column_int64 (stmt, 0));
    sqlite3_finalize (stmt);
  }

  /* The grid as it opens: the vault by name. */
  measure ("first rows", engine, db, query, "WHERE l.preview_only = 0", "l.name_norm, l.id", 100);

  /* A click on the City header, twice: descending. */
  query->sort = NEXUS_LEADS_SORT_CITY;
  query->descending = TRUE;
  measure ("re-sort", engine, db, query, "WHERE l.preview_only = 0", "l.city DESC, l.id DESC", 200);

  /* A search: a name prefix, the order back to names. */
  query->sort = NEXUS_LEADS_SORT_NAME;
  query->descending = FALSE;
  query->search = g_strdup ("kamoli");
  measure ("FTS search", engine, db, query,
           "WHERE l.preview_only = 0 AND l.id IN (SELECT rowid FROM leads_fts"
           " WHERE leads_fts MATCH '\"kamoli\"*')",
           "l.name_norm, l.id", 100);

  sqlite3_close (db);
  nexus_engine_shutdown (engine);
  g_object_unref (engine);
  fflush (stdout);
  run_window_child (self_path != NULL ? self_path : argv[0], path);

  if (dir != NULL)
    {
      const char *suffixes[] = { "", "-wal", "-shm" };

      for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
        {
          g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

          g_remove (file);
        }
      g_rmdir (dir);
    }
  return 0;
}
