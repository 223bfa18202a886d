/* test-leads-grid.c — the leads grid on a demo vault
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A real NexusWindow on the Leads page, driven through its widgets (column
 * headers, search entry, status filter).  What the grid shows is compared
 * with plain SQL on the vault file.
 */
#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include <adwaita.h>

#include "nexus-engine.h"
#include "nexus-leads-page-private.h"
#include "nexus-ui-test.h"
#include "nexus-window.h"
#include "nexus-ui-test.h"

static NexusEngine *engine;
static char        *tmp_dir;

/* The names of @sql's first column, in order. */
static GPtrArray *
sql_names (const char *sql)
{
  GPtrArray    *names = g_ptr_array_new_with_free_func (g_free);
  sqlite3      *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (
      sqlite3_open_v2 (nexus_engine_get_db_path (engine), &db, SQLITE_OPEN_READONLY, NULL), ==,
      SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (names, g_strdup ((const char *)sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return names;
}

static gboolean
all_rows_loaded (GListModel *model)
{
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (NexusLeadRow) row = g_list_model_get_item (model, i);

      if (nexus_lead_row_get_placeholder (row))
        return FALSE;
    }
  return TRUE;
}

/* Waits for the query to be counted and every row read, then returns the
 * names the grid holds, in order. */
static GPtrArray *
grid_names (NexusLeadsPage *page)
{
  NexusLeadsModel *model = _nexus_leads_page_get_model (page);
  GtkColumnView   *view =
      GTK_COLUMN_VIEW (nexus_test_find_type (GTK_WIDGET (page), GTK_TYPE_COLUMN_VIEW));
  GListModel *shown = G_LIST_MODEL (gtk_column_view_get_model (view));
  GPtrArray  *names = g_ptr_array_new_with_free_func (g_free);

  WAIT_UNTIL (!nexus_leads_model_get_loading (model));
  g_assert_null (nexus_leads_model_get_error_message (model));
  WAIT_UNTIL (all_rows_loaded (shown));
  g_assert_cmpint (g_list_model_get_n_items (shown), ==, nexus_leads_model_get_count (model));

  for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr (NexusLeadRow) row = g_list_model_get_item (shown, i);

      g_ptr_array_add (names, g_strdup (nexus_lead_row_get_name (row)));
    }
  return names;
}

static void
assert_same_names (GPtrArray *a, GPtrArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    g_assert_cmpstr (g_ptr_array_index (a, i), ==, g_ptr_array_index (b, i));
}

static NexusWindow *
show_leads (NexusLeadsPage **out_page)
{
  NexusWindow *window = nexus_window_new (NULL, engine);

  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 800);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (nexus_window_set_page (window, "leads"));
  *out_page = NEXUS_LEADS_PAGE (nexus_test_find_type (GTK_WIDGET (window), NEXUS_TYPE_LEADS_PAGE));
  g_assert_nonnull (*out_page);
  WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (*out_page)));
  return window;
}

/* The grid holds the vault without its preview-only leads, by name. */
static void
test_rows (void)
{
  NexusLeadsPage *page;
  NexusWindow    *window = show_leads (&page);
  g_autoptr (GPtrArray) names = grid_names (page);
  g_autoptr (GPtrArray) expected =
      sql_names ("SELECT name FROM leads WHERE preview_only = 0 ORDER BY name_norm, id");

  g_assert_cmpuint (names->len, ==, 28); /* the demo: 32 leads, 4 preview-only */
  assert_same_names (names, expected);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* A click on a header (sort_by_column is what the click does) makes a new
 * query: the order is SQL's, both ways. */
static void
test_sort_by_name (void)
{
  NexusLeadsPage  *page;
  NexusWindow     *window = show_leads (&page);
  NexusLeadsModel *model = _nexus_leads_page_get_model (page);
  GtkColumnView   *view =
      GTK_COLUMN_VIEW (nexus_test_find_type (GTK_WIDGET (page), GTK_TYPE_COLUMN_VIEW));
  g_autoptr (GPtrArray) up = NULL;
  g_autoptr (GPtrArray) down = NULL;
  g_autoptr (GPtrArray) expected_up =
      sql_names ("SELECT name FROM leads WHERE preview_only = 0 ORDER BY name_norm, id");
  g_autoptr (GPtrArray) expected_down =
      sql_names ("SELECT name FROM leads WHERE preview_only = 0 ORDER BY name_norm DESC, id DESC");
  guint generation;

  up = grid_names (page);
  g_assert_cmpstr (g_ptr_array_index (up, 0), ==, g_ptr_array_index (expected_up, 0));
  g_assert_cmpstr (g_ptr_array_index (up, up->len - 1), ==,
                   g_ptr_array_index (expected_up, expected_up->len - 1));

  generation = nexus_leads_model_get_generation (model);
  gtk_column_view_sort_by_column (
      view, _nexus_leads_page_get_column (page, NEXUS_LEADS_COLUMN_NAME), GTK_SORT_DESCENDING);
  g_assert_cmpuint (nexus_leads_model_get_generation (model), >, generation);
  g_assert_cmpint (nexus_leads_model_get_query (model)->sort, ==, NEXUS_LEADS_SORT_NAME);
  g_assert_true (nexus_leads_model_get_query (model)->descending);

  down = grid_names (page);
  g_assert_cmpstr (g_ptr_array_index (down, 0), ==, g_ptr_array_index (expected_down, 0));
  g_assert_cmpstr (g_ptr_array_index (down, down->len - 1), ==,
                   g_ptr_array_index (expected_down, expected_down->len - 1));
  assert_same_names (down, expected_down);

  /* Another column: last seen, newest first. */
  gtk_column_view_sort_by_column (
      view, _nexus_leads_page_get_column (page, NEXUS_LEADS_COLUMN_LAST_SEEN), GTK_SORT_DESCENDING);
  g_assert_cmpint (nexus_leads_model_get_query (model)->sort, ==, NEXUS_LEADS_SORT_LAST_SEEN);
  {
    g_autoptr (GPtrArray) names = grid_names (page);
    g_autoptr (GPtrArray) expected = sql_names (
        "SELECT name FROM leads WHERE preview_only = 0 ORDER BY last_seen_at DESC, id DESC");

    assert_same_names (names, expected);
  }

  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
has_name (GPtrArray *names, const char *name)
{
  return g_ptr_array_find_with_equal_func (names, name, g_str_equal, NULL);
}

/* Typed with tashkeel, the word still finds the restaurants; a hamza on
 * the alef does not matter either. */
static void
test_search_arabic (void)
{
  NexusLeadsPage  *page;
  NexusWindow     *window = show_leads (&page);
  NexusLeadsModel *model = _nexus_leads_page_get_model (page);
  GtkWidget       *entry = nexus_test_find_type (GTK_WIDGET (page), GTK_TYPE_SEARCH_ENTRY);
  g_autoptr (GPtrArray) all = grid_names (page);

  g_assert_nonnull (entry);
  gtk_editable_set_text (GTK_EDITABLE (entry), "مَطْعَم");
  WAIT_UNTIL (nexus_leads_model_get_query (model)->search != NULL);
  {
    g_autoptr (GPtrArray) names = grid_names (page);

    g_assert_cmpuint (names->len, ==, 3);
    g_assert_true (has_name (names, "مطعم الياسمين"));
    g_assert_true (has_name (names, "مطعم النخيل"));
  }

  gtk_editable_set_text (GTK_EDITABLE (entry), "ورشة الامل");
  WAIT_UNTIL (g_strcmp0 (nexus_leads_model_get_query (model)->search, "ورشة الامل") == 0);
  {
    g_autoptr (GPtrArray) names = grid_names (page);

    g_assert_cmpuint (names->len, ==, 1);
    g_assert_cmpstr (g_ptr_array_index (names, 0), ==, "ورشة الأمل للسيارات");
  }

  /* Cleared: the whole vault again. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  WAIT_UNTIL (nexus_leads_model_get_query (model)->search == NULL);
  {
    g_autoptr (GPtrArray) names = grid_names (page);

    assert_same_names (names, all);
  }

  gtk_window_destroy (GTK_WINDOW (window));
}

/* "Won" in the status filter shows exactly the won leads. */
static void
test_status_won (void)
{
  NexusLeadsPage  *page;
  NexusWindow     *window = show_leads (&page);
  NexusLeadsModel *model = _nexus_leads_page_get_model (page);
  GtkWidget       *dropdown = nexus_test_find_type (GTK_WIDGET (page), GTK_TYPE_DROP_DOWN);
  g_autoptr (GPtrArray) expected = sql_names (
      "SELECT name FROM leads WHERE preview_only = 0 AND status = 'won' ORDER BY name_norm, id");
  g_autoptr (GPtrArray) names = NULL;

  g_assert_nonnull (dropdown);
  g_assert_cmpuint (expected->len, >, 0);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (dropdown),
                              4); /* all, new, contacted, qualified, won */
  g_assert_cmpstr (nexus_leads_model_get_query (model)->status, ==, "won");
  names = grid_names (page);
  assert_same_names (names, expected);
  g_assert_cmpint (nexus_leads_page_get_count (page), ==, expected->len);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* A page of an old query never lands under a new one. */
static void
test_stale_pages_dropped (void)
{
  NexusLeadsPage  *page;
  NexusWindow     *window = show_leads (&page);
  NexusLeadsModel *model = _nexus_leads_page_get_model (page);
  GtkWidget       *dropdown = nexus_test_find_type (GTK_WIDGET (page), GTK_TYPE_DROP_DOWN);
  g_autoptr (GPtrArray) expected = sql_names (
      "SELECT name FROM leads WHERE preview_only = 0 AND status = 'lost' ORDER BY name_norm, id");
  g_autoptr (GPtrArray) names = NULL;

  /* Three queries in a row without waiting: only the last one shows. */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (dropdown), 1);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (dropdown), 4);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (dropdown), 5);
  g_assert_cmpstr (nexus_leads_model_get_query (model)->status, ==, "lost");
  names = grid_names (page);
  assert_same_names (names, expected);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      g_remove (child);
    }
  g_rmdir (path);
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

  tmp_dir = g_dir_make_tmp ("nexus-test-grid-XXXXXX", &error);
  g_assert_no_error (error);
  db_path = g_build_filename (tmp_dir, "vault.db", NULL);
  engine = nexus_engine_new (db_path, NEXUS_ENGINE_SEED_DEMO, &error);
  g_assert_no_error (error);

  g_test_add_func ("/nexus/LeadsGrid/rows", test_rows);
  g_test_add_func ("/nexus/LeadsGrid/sort-by-name", test_sort_by_name);
  g_test_add_func ("/nexus/LeadsGrid/search-arabic", test_search_arabic);
  g_test_add_func ("/nexus/LeadsGrid/status-won", test_status_won);
  g_test_add_func ("/nexus/LeadsGrid/stale-pages-dropped", test_stale_pages_dropped);

  status = g_test_run ();

  nexus_engine_shutdown (engine);
  g_clear_object (&engine);
  remove_tree (tmp_dir);
  g_free (tmp_dir);
  return status;
}
