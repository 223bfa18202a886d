/* test-dashboard-page.c — the Dashboard on a demo vault
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A real NexusWindow on the Dashboard: each chart's bars and each figure
 * are compared with plain SQL on the vault file, and a click on a bar must
 * activate win.filter-leads with the parameter the leads page expects.
 */
#include "config.h"

#include <locale.h>
#include <string.h>

#include <sqlite3.h>

#include <adwaita.h>

#include "../nexus-test-util.h"
#include "nexus-dashboard-page-private.h"
#include "nexus-engine.h"
#include "nexus-format.h"
#include "nexus-leads-page.h"
#include "nexus-ui-test.h"
#include "nexus-window.h"

static NexusEngine *engine;
static char        *tmp_dir;

/* Rows of (text, count) from @sql. */
static GPtrArray *
sql_pairs (const char *sql, GArray *counts)
{
  GPtrArray    *labels = g_ptr_array_new_with_free_func (g_free);
  sqlite3      *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (
      sqlite3_open_v2 (nexus_engine_get_db_path (engine), &db, SQLITE_OPEN_READONLY, NULL), ==,
      SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 count = sqlite3_column_int64 (stmt, 1);

      g_ptr_array_add (labels, g_strdup ((const char *)sqlite3_column_text (stmt, 0)));
      g_array_append_val (counts, count);
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return labels;
}

static NexusWindow *
show_dashboard (NexusDashboardPage **out_page)
{
  NexusWindow *window = nexus_window_new (NULL, engine);
  GtkWidget   *page;

  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 900);
  nexus_window_set_page (window, "dashboard");
  gtk_window_present (GTK_WINDOW (window));
  page = nexus_test_find_type (GTK_WIDGET (window), NEXUS_TYPE_DASHBOARD_PAGE);
  g_assert_nonnull (page);
  WAIT_UNTIL (gtk_widget_get_mapped (page) &&
              _nexus_dashboard_page_get_reloads (NEXUS_DASHBOARD_PAGE (page)) > 0 &&
              !nexus_page_get_loading (NEXUS_PAGE (page)));
  *out_page = NEXUS_DASHBOARD_PAGE (page);
  return window;
}

/* The chart holds exactly the counts of @sql, in order, and its labels as
 * @display shows them (NULL: labels not compared). */
static void
assert_chart_matches (NexusChart *chart, const char *sql, char *(*display) (const char *))
{
  g_autoptr (GArray) counts = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GPtrArray) labels = sql_pairs (sql, counts);

  g_assert_cmpuint (labels->len, >, 0);
  g_assert_cmpuint (nexus_chart_get_n_values (chart), ==, labels->len);
  for (guint i = 0; i < labels->len; i++)
    {
      g_assert_cmpfloat (nexus_chart_get_value (chart, i), ==, g_array_index (counts, gint64, i));
      if (display != NULL)
        {
          g_autofree char *shown = display (g_ptr_array_index (labels, i));

          g_assert_cmpstr (nexus_chart_get_label (chart, i), ==, shown);
        }
    }
}

static void
test_figures_match_sql (void)
{
  NexusDashboardPage *page;
  NexusWindow        *window = show_dashboard (&page);
  gint64              first_day = _nexus_dashboard_page_get_first_day (page);
  g_autofree char    *per_day_sql = NULL;
  g_autofree char    *leads = NULL;
  g_autoptr (GArray) counts = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GPtrArray) total = NULL;
  NexusChart *per_day = _nexus_dashboard_page_get_chart (page, NEXUS_DASHBOARD_PER_DAY);
  double      shown_total = 0;

  assert_chart_matches (_nexus_dashboard_page_get_chart (page, NEXUS_DASHBOARD_CATEGORIES),
                        "SELECT category, count(*) AS n FROM leads WHERE preview_only = 0"
                        " AND category IS NOT NULL AND category != ''"
                        " GROUP BY category ORDER BY n DESC, category LIMIT 10",
                        nexus_format_category);
  assert_chart_matches (_nexus_dashboard_page_get_chart (page, NEXUS_DASHBOARD_CITIES),
                        "SELECT city, count(*) AS n FROM leads WHERE preview_only = 0"
                        " AND city IS NOT NULL AND city != ''"
                        " GROUP BY city ORDER BY n DESC, city LIMIT 10",
                        g_strdup);
  /* The funnel in its fixed order, labels translated. */
  assert_chart_matches (_nexus_dashboard_page_get_chart (page, NEXUS_DASHBOARD_STATUSES),
                        "SELECT s, (SELECT count(*) FROM leads WHERE preview_only = 0"
                        " AND status = s) FROM (SELECT 'new' AS s UNION ALL SELECT 'contacted'"
                        " UNION ALL SELECT 'qualified' UNION ALL SELECT 'won'"
                        " UNION ALL SELECT 'lost')",
                        NULL);

  /* Leads per day: 30 bars, each the count of its local day. */
  per_day_sql = g_strdup_printf ("WITH RECURSIVE d(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM d"
                                 " WHERE i < 29) SELECT i, (SELECT count(*) FROM leads"
                                 " WHERE preview_only = 0 AND first_seen_at >= %" G_GINT64_FORMAT
                                 " + i * 86400 AND first_seen_at < %" G_GINT64_FORMAT
                                 " + (i + 1) * 86400) FROM d",
                                 first_day, first_day);
  assert_chart_matches (per_day, per_day_sql, NULL);
  for (guint i = 0; i < nexus_chart_get_n_values (per_day); i++)
    shown_total += nexus_chart_get_value (per_day, i);
  g_assert_cmpfloat (shown_total, >, 0);

  total = sql_pairs ("SELECT 'all', count(*) FROM leads WHERE preview_only = 0", counts);
  leads = nexus_format_count (g_array_index (counts, gint64, 0));
  g_assert_cmpstr (_nexus_dashboard_page_get_figure (page, NEXUS_DASHBOARD_LEADS), ==, leads);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Clicks in the middle of bar @index of @chart. */
static void
click_bar (NexusChart *chart, guint index)
{
  graphene_rect_t rect;
  GtkGesture     *click = NULL;
  g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (chart));

  g_assert_true (nexus_chart_get_bar_rect (chart, index, &rect));
  g_assert_cmpint (nexus_chart_bar_at (chart, rect.origin.x + rect.size.width / 2,
                                       rect.origin.y + rect.size.height / 2),
                   ==, index);
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr (GObject) item = g_list_model_get_item (controllers, i);
      if (GTK_IS_GESTURE_CLICK (item))
        click = GTK_GESTURE (item);
    }
  g_assert_nonnull (click);
  g_signal_emit_by_name (click, "released", 1, (double)(rect.origin.x + rect.size.width / 2),
                         (double)(rect.origin.y + rect.size.height / 2));
}

static void
test_bar_filters_leads (void)
{
  NexusDashboardPage *page;
  NexusWindow        *window = show_dashboard (&page);
  NexusLeadsPage     *leads = NEXUS_LEADS_PAGE (nexus_window_get_leads_page (window));
  NexusChart *categories = _nexus_dashboard_page_get_chart (page, NEXUS_DASHBOARD_CATEGORIES);
  NexusChart *cities = _nexus_dashboard_page_get_chart (page, NEXUS_DASHBOARD_CITIES);
  NexusChart *statuses = _nexus_dashboard_page_get_chart (page, NEXUS_DASHBOARD_STATUSES);
  NexusChart *per_day = _nexus_dashboard_page_get_chart (page, NEXUS_DASHBOARD_PER_DAY);
  const NexusLeadsQuery *query;

  /* A click activates win.filter-leads: the window shows the Leads page,
   * its grid filtered by the bar's key alone. */
  WAIT_UNTIL (gtk_widget_get_width (GTK_WIDGET (categories)) > 0);
  click_bar (categories, 1);
  g_assert_cmpstr (nexus_window_get_page (window), ==, "leads");
  query = nexus_leads_page_get_query (leads);
  g_assert_nonnull (query->category);
  /* The filter gets the category's key; the bar shows its name. */
  {
    g_autofree char *shown = nexus_format_category (query->category);

    g_assert_cmpstr (shown, ==, nexus_chart_get_label (categories, 1));
  }
  g_assert_null (query->city);
  g_assert_null (query->status);

  nexus_window_set_page (window, "dashboard");
  click_bar (cities, 0);
  query = nexus_leads_page_get_query (leads);
  g_assert_cmpstr (query->city, ==, nexus_chart_get_label (cities, 0));
  g_assert_null (query->category);

  /* The funnel gives the stored status, not its translation. */
  nexus_window_set_page (window, "dashboard");
  click_bar (statuses, 3);
  query = nexus_leads_page_get_query (leads);
  g_assert_cmpstr (query->status, ==, "won");
  g_assert_null (query->city);

  nexus_window_set_page (window, "dashboard");
  click_bar (per_day, 29);
  query = nexus_leads_page_get_query (leads);
  g_assert_cmpint (query->since, ==, _nexus_dashboard_page_get_first_day (page) + 29 * 86400);
  g_assert_null (query->status);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* In a right-to-left window the day axis runs from the right: today's bar
 * is the left-most. */
static void
test_rtl_days (void)
{
  NexusDashboardPage *page;
  NexusWindow        *window;
  graphene_rect_t     first;
  graphene_rect_t     last;
  NexusChart         *per_day;

  gtk_widget_set_default_direction (GTK_TEXT_DIR_RTL);
  window = show_dashboard (&page);
  per_day = _nexus_dashboard_page_get_chart (page, NEXUS_DASHBOARD_PER_DAY);
  WAIT_UNTIL (gtk_widget_get_width (GTK_WIDGET (per_day)) > 0);
  g_assert_true (nexus_chart_get_bar_rect (per_day, 0, &first));
  g_assert_true (nexus_chart_get_bar_rect (per_day, 29, &last));
  g_assert_cmpfloat (last.origin.x, <, first.origin.x);
  gtk_window_destroy (GTK_WINDOW (window));
  gtk_widget_set_default_direction (GTK_TEXT_DIR_LTR);
}

/* On the engine thread: a lead reported, and the event that says so. */
static gpointer
report_lead (NexusStore *store, gpointer data, GError **error)
{
  sqlite3         *db = NULL;
  g_autofree char *sql = g_strdup_printf (
      "INSERT INTO leads (name, name_norm, city, category, first_seen_at, last_seen_at,"
      " updated_at) VALUES ('Live Bakery', 'live bakery', 'Cairo', 'bakery', %" G_GINT64_FORMAT
      ", %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ")",
      g_get_real_time () / G_USEC_PER_SEC, g_get_real_time () / G_USEC_PER_SEC,
      g_get_real_time () / G_USEC_PER_SEC);
  g_autoptr (JsonObject) event = json_object_new ();
  int rc;

  if (sqlite3_open (nexus_store_get_path (store), &db) != SQLITE_OK)
    return NULL;
  sqlite3_busy_timeout (db, 5000);
  rc = sqlite3_exec (db, sql, NULL, NULL, NULL);
  sqlite3_close (db);
  json_object_set_int_member (event, "job_id", 1);
  json_object_set_int_member (event, "worker_id", 1);
  json_object_set_int_member (event, "new", 1);
  nexus_event_bus_publish (nexus_engine_get_event_bus (data), "job.completed", event);
  return rc == SQLITE_OK ? GINT_TO_POINTER (TRUE) : NULL;
}

/* A report of new leads refreshes the figures without a click. */
static void
test_live_refresh (void)
{
  NexusDashboardPage *page;
  NexusWindow        *window = show_dashboard (&page);
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) counts = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GPtrArray) total = NULL;
  g_autofree char *expected = NULL;
  guint            reloads = _nexus_dashboard_page_get_reloads (page);

  g_assert_nonnull (nexus_engine_run_sync (engine, report_lead, engine, &error));
  g_assert_no_error (error);
  total = sql_pairs ("SELECT 'all', count(*) FROM leads WHERE preview_only = 0", counts);
  expected = nexus_format_count (g_array_index (counts, gint64, 0));

  WAIT_UNTIL (_nexus_dashboard_page_get_reloads (page) > reloads &&
              !nexus_page_get_loading (NEXUS_PAGE (page)));
  g_assert_cmpstr (_nexus_dashboard_page_get_figure (page, NEXUS_DASHBOARD_LEADS), ==, expected);

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char *argv[])
{
  g_autoptr (GError) error = NULL;
  g_autofree char *db_path = NULL;
  int              status;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  tmp_dir = nexus_test_make_dir ("dashboard");
  db_path = g_build_filename (tmp_dir, "vault.db", NULL);
  engine = nexus_engine_new (db_path, NEXUS_ENGINE_SEED_DEMO, &error);
  g_assert_no_error (error);

  g_test_add_func ("/nexus/Dashboard/figures-match-sql", test_figures_match_sql);
  g_test_add_func ("/nexus/Dashboard/bar-filters-leads", test_bar_filters_leads);
  g_test_add_func ("/nexus/Dashboard/rtl-days", test_rtl_days);
  g_test_add_func ("/nexus/Dashboard/live-refresh", test_live_refresh);
  status = g_test_run ();

  nexus_engine_shutdown (engine);
  g_clear_object (&engine);
  nexus_test_remove_dir (tmp_dir);
  g_free (tmp_dir);
  return status;
}
