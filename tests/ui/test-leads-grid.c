/* test-leads-grid.c — the leads grid on a demo vault
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A real NexusWindow on the Leads page, driven through its widgets (column
 * headers, search entry, status filter), its actions (bulk edits, undo,
 * win.filter-leads, win.show-lead) and its dialogs.  What the grid shows
 * and what the edits wrote are compared with plain SQL on the vault file.
 */
#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include <adwaita.h>

#include "leads/nexus-lead-work.h"
#include "nexus-agents-dialog.h"
#include "nexus-engine.h"
#include "store/nexus-store-private.h"
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

/* One number from plain SQL on the vault. */
static gint64
sql_int (const char *sql)
{
  sqlite3      *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64        value;

  g_assert_cmpint (
      sqlite3_open_v2 (nexus_engine_get_db_path (engine), &db, SQLITE_OPEN_READONLY, NULL), ==,
      SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static gint64
row_id (NexusLeadsPage *page, guint position)
{
  g_autoptr (NexusLeadRow) row =
      g_list_model_get_item (G_LIST_MODEL (_nexus_leads_page_get_model (page)), position);

  return nexus_lead_row_get_id (row);
}

/* Whether the row at @position shows @agent's name (read from the vault). */
static gboolean
agent_shown (NexusLeadsPage *page, guint position, gint64 agent)
{
  g_autoptr (NexusLeadRow) row =
      g_list_model_get_item (G_LIST_MODEL (_nexus_leads_page_get_model (page)), position);
  g_autofree char *text = _nexus_leads_page_cell_text (row, NEXUS_LEADS_COLUMN_AGENT);

  return nexus_lead_row_get_agent_id (row) == agent && text != NULL && text[0] != '\0';
}

static void
wait_idle (NexusLeadsPage *page)
{
  WAIT_UNTIL (_nexus_leads_page_get_busy (page) == 0);
}

/* win.filter-leads replaces every filter, shows them in the widgets and the
 * grid holds exactly the SQL answer; the clear button gives the vault back. */
static void
test_filter_leads_action (void)
{
  NexusLeadsPage  *page;
  NexusWindow     *window = show_leads (&page);
  NexusLeadsModel *model = _nexus_leads_page_get_model (page);
  g_autoptr (GPtrArray) all = grid_names (page);
  g_autoptr (GPtrArray) expected =
      sql_names ("SELECT name FROM leads WHERE city = 'Cairo' AND category = 'restaurant'"
                 " ORDER BY name_norm, id");
  g_autoptr (GPtrArray) names = NULL;
  GVariantDict dict;

  nexus_window_set_page (window, "dashboard");
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "city", "s", "Cairo");
  g_variant_dict_insert (&dict, "category", "s", "restaurant");
  g_variant_dict_insert (&dict, "preview", "s", "include");
  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (window), "win.filter-leads",
                                                     g_variant_dict_end (&dict)));
  g_assert_cmpstr (nexus_window_get_page (window), ==, "leads");
  g_assert_cmpstr (nexus_leads_model_get_query (model)->city, ==, "Cairo");
  g_assert_cmpstr (nexus_leads_model_get_query (model)->category, ==, "restaurant");
  g_assert_cmpint (nexus_leads_model_get_query (model)->preview, ==, NEXUS_LEADS_PREVIEW_INCLUDE);
  names = grid_names (page);
  g_assert_cmpuint (names->len, >, 0);
  assert_same_names (names, expected);

  /* Inside an area and since a time, with the status. */
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "status", "s", "new");
  g_variant_dict_insert (&dict, "area", "(dddd)", 29.9, 31.2, 30.1, 31.3);
  g_variant_dict_insert (&dict, "since", "x", (gint64)1);
  gtk_widget_activate_action_variant (GTK_WIDGET (window), "win.filter-leads",
                                      g_variant_dict_end (&dict));
  g_assert_null (nexus_leads_model_get_query (model)->city);
  g_assert_true (nexus_leads_model_get_query (model)->has_area);
  g_clear_pointer (&names, g_ptr_array_unref);
  g_clear_pointer (&expected, g_ptr_array_unref);
  names = grid_names (page);
  expected = sql_names ("SELECT name FROM leads WHERE preview_only = 0 AND status = 'new'"
                        " AND lat BETWEEN 29.9 AND 30.1 AND lon BETWEEN 31.2 AND 31.3"
                        " ORDER BY name_norm, id");
  assert_same_names (names, expected);

  /* A bad value is refused and changes nothing. */
  {
    g_autoptr (GError) error = NULL;

    g_variant_dict_init (&dict, NULL);
    g_variant_dict_insert (&dict, "status", "s", "finished");
    g_assert_false (nexus_leads_page_apply_filters (page, g_variant_dict_end (&dict), &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  }
  g_assert_cmpstr (nexus_leads_model_get_query (model)->status, ==, "new");

  gtk_widget_activate_action (GTK_WIDGET (page), "leads.clear-filters", NULL);
  g_clear_pointer (&names, g_ptr_array_unref);
  names = grid_names (page);
  assert_same_names (names, all);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* win.show-lead opens the details of a lead far down the grid and selects
 * it. */
static void
test_show_lead (void)
{
  NexusLeadsPage   *page;
  NexusWindow      *window = show_leads (&page);
  NexusLeadDetails *details = _nexus_leads_page_get_details (page);
  gint64            lead_id = sql_int (
                 "SELECT id FROM leads WHERE preview_only = 0 ORDER BY name_norm DESC, id DESC LIMIT 1");
  g_autoptr (GPtrArray) names = grid_names (page);

  nexus_window_set_page (window, "map");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-lead", "x", lead_id));
  g_assert_cmpstr (nexus_window_get_page (window), ==, "leads");
  g_assert_true (_nexus_leads_page_get_details_shown (page));
  g_assert_cmpint (nexus_lead_details_get_lead_id (details), ==, lead_id);
  WAIT_UNTIL (!nexus_lead_details_get_loading (details));
  g_assert_cmpstr (nexus_lead_details_get_name (details), ==,
                   g_ptr_array_index (names, names->len - 1));
  g_assert_true (
      nexus_leads_selection_is_id_selected (_nexus_leads_page_get_selection (page), lead_id));
  wait_idle (page);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Three leads assigned in bulk, checked in the database; the toast's undo
 * puts the previous agents back exactly. */
static void
test_bulk_assign_and_undo (void)
{
  NexusLeadsPage      *page;
  NexusWindow         *window = show_leads (&page);
  NexusLeadsSelection *selection = _nexus_leads_page_get_selection (page);
  g_autoptr (GPtrArray) names = grid_names (page);
  gint64           agent = sql_int ("SELECT max(id) FROM agents");
  gint64           ids[3];
  g_autofree char *in = NULL;
  g_autofree char *sql = NULL;
  gint64           before_sum, before_null, history_before;
  guint            serial;

  for (guint i = 0; i < 3; i++)
    {
      ids[i] = row_id (page, i);
      gtk_selection_model_select_item (GTK_SELECTION_MODEL (selection), i, i == 0);
    }
  g_assert_cmpint (nexus_leads_selection_get_n_selected (selection), ==, 3);
  in = g_strdup_printf ("(%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ")",
                        ids[0], ids[1], ids[2]);
  sql = g_strdup_printf ("SELECT total (agent_id) FROM leads WHERE id IN %s", in);
  before_sum = sql_int (sql);
  g_free (sql);
  sql = g_strdup_printf ("SELECT count(*) FROM leads WHERE agent_id IS NULL AND id IN %s", in);
  before_null = sql_int (sql);
  history_before = sql_int ("SELECT count(*) FROM lead_history");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "leads.assign", "x", agent));
  wait_idle (page);
  g_free (sql);
  sql = g_strdup_printf (
      "SELECT count(*) FROM leads WHERE agent_id = %" G_GINT64_FORMAT " AND id IN %s", agent, in);
  g_assert_cmpint (sql_int (sql), ==, 3);
  g_assert_cmpint (sql_int ("SELECT count(*) FROM lead_history"), ==, history_before + 3);
  serial = _nexus_leads_page_get_undo_serial (page);
  g_assert_cmpuint (serial, >, 0);

  /* The grid shows the agent in place; the selection stayed. */
  WAIT_UNTIL (agent_shown (page, 0, agent));
  g_assert_cmpint (nexus_leads_selection_get_n_selected (selection), ==, 3);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "leads.undo", "u", serial));
  wait_idle (page);
  g_free (sql);
  sql = g_strdup_printf ("SELECT total (agent_id) FROM leads WHERE id IN %s", in);
  g_assert_cmpint (sql_int (sql), ==, before_sum);
  g_free (sql);
  sql = g_strdup_printf ("SELECT count(*) FROM leads WHERE agent_id IS NULL AND id IN %s", in);
  g_assert_cmpint (sql_int (sql), ==, before_null);
  g_assert_cmpint (sql_int ("SELECT count(*) FROM lead_history"), ==, history_before);
  /* Used once. */
  g_assert_cmpuint (_nexus_leads_page_get_undo_serial (page), ==, 0);

  gtk_window_destroy (GTK_WINDOW (window));
}

static AdwMessageDialog *
find_message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GObject) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window))
        return ADW_MESSAGE_DIALOG (window);
    }
  return NULL;
}

/* The status dialog with a note: the lead is won in the database, the note
 * is in its history and on the lead, and the details show the line. */
static void
test_status_with_note (void)
{
  NexusLeadsPage      *page;
  NexusWindow         *window = show_leads (&page);
  NexusLeadsSelection *selection = _nexus_leads_page_get_selection (page);
  NexusLeadDetails    *details = _nexus_leads_page_get_details (page);
  g_autoptr (GPtrArray) names = grid_names (page);
  gint64            lead_id = row_id (page, 5);
  AdwMessageDialog *dialog;
  GtkWidget        *entry;
  g_autofree char  *sql = NULL;
  guint             history;

  gtk_selection_model_select_item (GTK_SELECTION_MODEL (selection), 5, TRUE);
  g_assert_cmpint (nexus_lead_details_get_lead_id (details), ==, lead_id);
  WAIT_UNTIL (!nexus_lead_details_get_loading (details));
  history = nexus_lead_details_get_n_history (details);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "leads.set-status", "s", "won"));
  dialog = find_message_dialog ();
  g_assert_nonnull (dialog);
  entry = adw_message_dialog_get_extra_child (dialog);
  gtk_editable_set_text (GTK_EDITABLE (entry), "Signed for a year");
  adw_message_dialog_response (dialog, "apply");
  gtk_window_destroy (GTK_WINDOW (dialog));
  wait_idle (page);

  sql = g_strdup_printf ("SELECT count(*) FROM leads WHERE id = %" G_GINT64_FORMAT
                         " AND status = 'won' AND notes = 'Signed for a year'",
                         lead_id);
  g_assert_cmpint (sql_int (sql), ==, 1);
  g_free (sql);
  sql = g_strdup_printf ("SELECT count(*) FROM lead_history WHERE lead_id = %" G_GINT64_FORMAT
                         " AND kind = 'status' AND new_value = 'won'"
                         " AND note = 'Signed for a year' AND actor = 'operator'",
                         lead_id);
  g_assert_cmpint (sql_int (sql), ==, 1);
  WAIT_UNTIL (!nexus_lead_details_get_loading (details) &&
              nexus_lead_details_get_n_history (details) == history + 1);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Types @text in the text dialog of @action on the lead of row @row, after
 * checking the dialog refuses blank text, and applies it.  Returns the
 * lead's id. */
static gint64
apply_text_dialog (const char *action, guint row, const char *text)
{
  NexusLeadsPage      *page;
  NexusWindow         *window = show_leads (&page);
  NexusLeadsSelection *selection = _nexus_leads_page_get_selection (page);
  g_autoptr (GPtrArray) names = grid_names (page); /* the rows are read */
  gint64            lead_id = row_id (page, row);
  AdwMessageDialog *dialog;
  GtkWidget        *entry;

  gtk_selection_model_select_item (GTK_SELECTION_MODEL (selection), row, TRUE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), action, NULL));
  dialog = find_message_dialog ();
  g_assert_nonnull (dialog);
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "apply"));
  entry = adw_message_dialog_get_extra_child (dialog);
  gtk_editable_set_text (GTK_EDITABLE (entry), "   ");
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "apply"));
  gtk_editable_set_text (GTK_EDITABLE (entry), text);
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "apply"));
  adw_message_dialog_response (dialog, "apply");
  gtk_window_destroy (GTK_WINDOW (dialog));
  wait_idle (page);

  gtk_window_destroy (GTK_WINDOW (window));
  return lead_id;
}

/* A note through its dialog: refused while blank, then on the lead and in
 * its history. */
static void
test_note (void)
{
  gint64           lead_id = apply_text_dialog ("leads.add-note", 6, "Closed on Fridays");
  g_autofree char *sql =
      g_strdup_printf ("SELECT count(*) FROM leads AS l JOIN lead_history AS h ON h.lead_id = l.id"
                       " WHERE l.id = %" G_GINT64_FORMAT " AND l.notes = 'Closed on Fridays'"
                       " AND h.kind = 'note' AND h.note = 'Closed on Fridays'",
                       lead_id);

  g_assert_cmpint (sql_int (sql), ==, 1);
}

/* A category through its dialog: refused while blank, then the lead's
 * category (trimmed), set by hand, and in its history. */
static void
test_category_dialog (void)
{
  gint64           lead_id = apply_text_dialog ("leads.set-category", 5, " pharmacy ");
  g_autofree char *sql =
      g_strdup_printf ("SELECT count(*) FROM leads AS l JOIN lead_history AS h ON h.lead_id = l.id"
                       " WHERE l.id = %" G_GINT64_FORMAT " AND l.category = 'pharmacy'"
                       " AND h.kind = 'category'",
                       lead_id);

  g_assert_cmpint (sql_int (sql), ==, 1);
}

/* Two leads merged through the dialog: the first stays with the second's
 * name chosen in the dialog; the second is gone, its sources moved. */
static void
test_merge_dialog (void)
{
  NexusLeadsPage      *page;
  NexusWindow         *window = show_leads (&page);
  NexusLeadsSelection *selection = _nexus_leads_page_get_selection (page);
  g_autoptr (GPtrArray) names = grid_names (page);
  gint64            keep = MIN (row_id (page, 2), row_id (page, 3));
  gint64            other = MAX (row_id (page, 2), row_id (page, 3));
  g_autofree char  *sql = NULL;
  g_autofree char  *other_name = NULL;
  AdwMessageDialog *dialog = NULL;
  GtkWidget        *list;
  gint64            sources;

  sql = g_strdup_printf ("SELECT count(*) FROM lead_sources WHERE lead_id IN (%" G_GINT64_FORMAT
                         ", %" G_GINT64_FORMAT ")",
                         keep, other);
  sources = sql_int (sql);
  {
    g_autofree char *query =
        g_strdup_printf ("SELECT name FROM leads WHERE id = %" G_GINT64_FORMAT, other);
    g_autoptr (GPtrArray) found = sql_names (query);

    other_name = g_strdup (g_ptr_array_index (found, 0));
  }
  /* The dialog lists the two by id: the first is kept. */
  gtk_selection_model_select_item (GTK_SELECTION_MODEL (selection), 2, TRUE);
  gtk_selection_model_select_item (GTK_SELECTION_MODEL (selection), 3, FALSE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "leads.merge", NULL));
  WAIT_UNTIL ((dialog = find_message_dialog ()) != NULL);

  /* The first choice is the name: take the other lead's. */
  list = adw_message_dialog_get_extra_child (dialog);
  adw_combo_row_set_selected (ADW_COMBO_ROW (gtk_widget_get_first_child (list)), 1);
  adw_message_dialog_response (dialog, "first");
  gtk_window_destroy (GTK_WINDOW (dialog));
  wait_idle (page);

  g_free (sql);
  sql = g_strdup_printf ("SELECT count(*) FROM leads WHERE id = %" G_GINT64_FORMAT, other);
  g_assert_cmpint (sql_int (sql), ==, 0);
  g_free (sql);
  sql =
      g_strdup_printf ("SELECT count(*) FROM lead_sources WHERE lead_id = %" G_GINT64_FORMAT, keep);
  g_assert_cmpint (sql_int (sql), ==, sources);
  {
    g_autofree char *query =
        g_strdup_printf ("SELECT name FROM leads WHERE id = %" G_GINT64_FORMAT, keep);
    g_autoptr (GPtrArray) kept = sql_names (query);

    g_assert_cmpstr (g_ptr_array_index (kept, 0), ==, other_name);
  }
  g_free (sql);
  sql = g_strdup_printf (
      "SELECT count(*) FROM lead_merges WHERE kind = 'merge' AND lead_id = %" G_GINT64_FORMAT
      " AND other_lead_id = %" G_GINT64_FORMAT,
      keep, other);
  g_assert_cmpint (sql_int (sql), ==, 1);

  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
column_in_view (NexusLeadsPage *page, guint column)
{
  GtkColumnView *view =
      GTK_COLUMN_VIEW (nexus_test_find_type (GTK_WIDGET (page), GTK_TYPE_COLUMN_VIEW));
  GListModel *columns = gtk_column_view_get_columns (view);

  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr (GtkColumnViewColumn) item = g_list_model_get_item (columns, i);

      if (item == _nexus_leads_page_get_column (page, column))
        return TRUE;
    }
  return FALSE;
}

/* Shown, hidden and resized columns are kept in the settings and a new
 * window opens with them. */
static void
test_columns_remembered (void)
{
  NexusLeadsPage *page;
  NexusWindow    *window = show_leads (&page);
  g_autoptr (GSettings) settings = g_settings_new (NEXUS_SETTINGS_SCHEMA_ID);
  g_autoptr (GVariant) saved = NULL;

  g_assert_false (column_in_view (page, NEXUS_LEADS_COLUMN_WEBSITE));
  g_assert_true (column_in_view (page, NEXUS_LEADS_COLUMN_CITY));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "columns.website", NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "columns.city", NULL));
  g_assert_true (column_in_view (page, NEXUS_LEADS_COLUMN_WEBSITE));
  g_assert_false (column_in_view (page, NEXUS_LEADS_COLUMN_CITY));
  gtk_column_view_column_set_fixed_width (
      _nexus_leads_page_get_column (page, NEXUS_LEADS_COLUMN_PHONE), 177);
  /* The name column stays. */
  gtk_widget_activate_action (GTK_WIDGET (page), "columns.name", NULL);
  g_assert_true (column_in_view (page, NEXUS_LEADS_COLUMN_NAME));

  saved = g_settings_get_value (settings, "leads-columns");
  g_assert_cmpuint (g_variant_n_children (saved), ==, NEXUS_LEADS_N_COLUMNS);
  gtk_window_destroy (GTK_WINDOW (window));

  window = show_leads (&page);
  g_assert_true (column_in_view (page, NEXUS_LEADS_COLUMN_WEBSITE));
  g_assert_false (column_in_view (page, NEXUS_LEADS_COLUMN_CITY));
  g_assert_cmpint (gtk_column_view_column_get_fixed_width (
                       _nexus_leads_page_get_column (page, NEXUS_LEADS_COLUMN_PHONE)),
                   ==, 177);

  /* Back to the defaults for the tests after. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "leads.reset-columns", NULL));
  g_assert_true (column_in_view (page, NEXUS_LEADS_COLUMN_CITY));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* The agents dialog adds an agent (a blank name is refused in place),
 * and the database has it. */
static void
test_agents_dialog (void)
{
  NexusLeadsPage    *page;
  NexusWindow       *window = show_leads (&page);
  NexusAgentsDialog *dialog =
      NEXUS_AGENTS_DIALOG (nexus_agents_dialog_new (GTK_WINDOW (window), engine));
  gint64 agents = sql_int ("SELECT count(*) FROM agents");
  guint  shown;

  gtk_window_present (GTK_WINDOW (dialog));
  WAIT_UNTIL (!nexus_agents_dialog_get_busy (dialog));
  shown = nexus_agents_dialog_get_n_agents (dialog);
  g_assert_cmpint (shown, ==, agents);

  nexus_agents_dialog_add (dialog, "   ");
  g_assert_false (nexus_agents_dialog_get_busy (dialog));
  g_assert_cmpint (sql_int ("SELECT count(*) FROM agents"), ==, agents);

  nexus_agents_dialog_add (dialog, "Youssef Kamal");
  WAIT_UNTIL (!nexus_agents_dialog_get_busy (dialog) &&
              nexus_agents_dialog_get_n_agents (dialog) == shown + 1);
  g_assert_cmpint (sql_int ("SELECT count(*) FROM agents WHERE name = 'Youssef Kamal'"
                            " AND active = 1"),
                   ==, 1);

  gtk_window_destroy (GTK_WINDOW (dialog));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* The selection follows the leads, not the rows, through a re-sort. */
static void
test_selection_survives_sort (void)
{
  NexusLeadsPage      *page;
  NexusWindow         *window = show_leads (&page);
  NexusLeadsSelection *selection = _nexus_leads_page_get_selection (page);
  GtkColumnView       *view =
      GTK_COLUMN_VIEW (nexus_test_find_type (GTK_WIDGET (page), GTK_TYPE_COLUMN_VIEW));
  g_autoptr (GPtrArray) names = grid_names (page);
  gint64 a = row_id (page, 1), b = row_id (page, 7);
  guint  found = 0;

  gtk_selection_model_select_item (GTK_SELECTION_MODEL (selection), 1, TRUE);
  gtk_selection_model_select_item (GTK_SELECTION_MODEL (selection), 7, FALSE);
  gtk_column_view_sort_by_column (
      view, _nexus_leads_page_get_column (page, NEXUS_LEADS_COLUMN_CITY), GTK_SORT_DESCENDING);
  g_clear_pointer (&names, g_ptr_array_unref);
  names = grid_names (page);

  for (guint i = 0; i < names->len; i++)
    {
      gint64 id = row_id (page, i);

      g_assert_cmpint (gtk_selection_model_is_selected (GTK_SELECTION_MODEL (selection), i), ==,
                       id == a || id == b);
      found += id == a || id == b;
    }
  g_assert_cmpuint (found, ==, 2);

  /* Another view drops the selection: no bulk action may act on leads
   * the grid does not show. */
  {
    GVariantBuilder filter;

    g_variant_builder_init (&filter, G_VARIANT_TYPE_VARDICT);
    g_variant_builder_add (&filter, "{sv}", "status", g_variant_new_string ("won"));
    g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (window), "win.filter-leads",
                                                       g_variant_builder_end (&filter)));
    WAIT_UNTIL (g_strcmp0 (nexus_leads_page_get_query (page)->status, "won") == 0);
    g_assert_cmpint (nexus_leads_selection_get_n_selected (selection), ==, 0);
  }

  gtk_window_destroy (GTK_WINDOW (window));
}

/* What a report does on the engine thread: a new lead (written as the
 * ingest would, with its triggers), then the event. */
static gpointer
report_func (NexusStore *store, gpointer data, GError **error)
{
  g_autoptr (JsonObject) event = json_object_new ();

  if (!_nexus_store_exec (store,
                          "INSERT INTO leads (name, name_norm, phone_e164, city, first_seen_at,"
                          " last_seen_at, updated_at) VALUES ('Aaron''s Early Bakery',"
                          " 'aaron s early bakery', '+33140000001', 'Paris', 1700000000,"
                          " 1700000000, 1700000000)",
                          error))
    return NULL;
  json_object_set_int_member (event, "new", 1);
  nexus_event_bus_publish (nexus_engine_get_event_bus (engine), "job.reported", event);
  return GINT_TO_POINTER (TRUE);
}

/* A worker's report refreshes the grid in place: the new lead appears at
 * its place, the count grows, nothing is reloaded from scratch. */
static void
test_live_report (void)
{
  NexusLeadsPage  *page;
  NexusWindow     *window = show_leads (&page);
  NexusLeadsModel *model = _nexus_leads_page_get_model (page);
  g_autoptr (GPtrArray) before = grid_names (page);
  g_autoptr (GError) error = NULL;
  gint64 count = nexus_leads_model_get_count (model);

  g_assert_true (nexus_engine_run_sync (engine, report_func, NULL, &error));
  g_assert_no_error (error);
  WAIT_UNTIL (nexus_leads_model_get_count (model) == count + 1);
  /* In place: the model never went back to loading with no rows. */
  g_assert_false (nexus_leads_model_get_loading (model));
  {
    g_autoptr (GPtrArray) after = grid_names (page);
    g_autoptr (GPtrArray) expected =
        sql_names ("SELECT name FROM leads WHERE preview_only = 0 ORDER BY name_norm, id");

    assert_same_names (after, expected);
    g_assert_cmpstr (g_ptr_array_index (after, 0), ==, "Aaron's Early Bakery");
  }

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Engine thread: 5,000 more leads in one transaction. */
static gpointer
grow_vault_func (NexusStore *store, gpointer data, GError **error)
{
  if (!nexus_store_begin (store, error))
    return NULL;
  if (!_nexus_store_exec (store,
                          "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
                          " WHERE i < 5000) INSERT INTO leads (name, name_norm, phone_e164, city,"
                          " first_seen_at, last_seen_at, updated_at) SELECT 'Grid ' || i,"
                          " 'grid ' || printf ('%05d', i), '+3314100' || printf ('%04d', i),"
                          " 'Lyon', 1700000000 + i, 1700000000 + i, 1700000000 FROM n",
                          error) ||
      !nexus_store_commit (store, error))
    {
      nexus_store_rollback (store);
      return NULL;
    }
  return GINT_TO_POINTER (TRUE);
}

/* A grid of thousands of leads shown, re-sorted and filtered: GTK walks
 * every row after each change, and the model must not read (or hold) the
 * pages of rows nobody sees. */
static void
test_large_view_reads_only_what_shows (void)
{
  NexusLeadsPage  *page;
  NexusWindow     *window;
  NexusLeadsModel *model;
  GtkColumnView   *view;
  g_autoptr (GError) error = NULL;

  g_assert_true (nexus_engine_run_sync (engine, grow_vault_func, NULL, &error));
  g_assert_no_error (error);
  window = show_leads (&page);
  model = _nexus_leads_page_get_model (page);
  view = GTK_COLUMN_VIEW (nexus_test_find_type (GTK_WIDGET (page), GTK_TYPE_COLUMN_VIEW));
  WAIT_UNTIL (!nexus_leads_model_get_loading (model) && nexus_leads_model_get_count (model) > 5000);

  for (guint round = 0; round < 3; round++)
    {
      gtk_column_view_sort_by_column (
          view, _nexus_leads_page_get_column (page, NEXUS_LEADS_COLUMN_LAST_SEEN),
          round % 2 == 0 ? GTK_SORT_DESCENDING : GTK_SORT_ASCENDING);
      WAIT_UNTIL (!nexus_leads_model_get_loading (model) &&
                  nexus_leads_model_get_pending_pages (model) == 0 &&
                  nexus_leads_model_has_row (model, 0));
      /* The rows shown: a page or two, never every page of the view. */
      g_assert_cmpuint (nexus_leads_model_get_n_pages_held (model), <=, 4);
    }

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
  g_test_add_func ("/nexus/LeadsGrid/filter-leads-action", test_filter_leads_action);
  g_test_add_func ("/nexus/LeadsGrid/show-lead", test_show_lead);
  g_test_add_func ("/nexus/LeadsGrid/bulk-assign-and-undo", test_bulk_assign_and_undo);
  g_test_add_func ("/nexus/LeadsGrid/status-with-note", test_status_with_note);
  g_test_add_func ("/nexus/LeadsGrid/selection-survives-sort", test_selection_survives_sort);
  g_test_add_func ("/nexus/LeadsGrid/category-dialog", test_category_dialog);
  g_test_add_func ("/nexus/LeadsGrid/note", test_note);
  g_test_add_func ("/nexus/LeadsGrid/merge-dialog", test_merge_dialog);
  g_test_add_func ("/nexus/LeadsGrid/columns-remembered", test_columns_remembered);
  g_test_add_func ("/nexus/LeadsGrid/agents-dialog", test_agents_dialog);
  g_test_add_func ("/nexus/LeadsGrid/live-report", test_live_report);
  g_test_add_func ("/nexus/LeadsGrid/large-view-reads-only-what-shows",
                   test_large_view_reads_only_what_shows);

  status = g_test_run ();

  nexus_engine_shutdown (engine);
  g_clear_object (&engine);
  remove_tree (tmp_dir);
  g_free (tmp_dir);
  return status;
}
