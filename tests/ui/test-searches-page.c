/* test-searches-page.c — creating and steering searches from the console
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A real NexusWindow on an empty vault, driven through the search editor
 * and the Searches page's actions.  What the database holds is read with
 * plain SQL on the vault file after each step.
 */
#include "config.h"

#include <locale.h>

#include <glib/gstdio.h>

#include "../engine/fake-nominatim.h"
#include "nexus-engine.h"
#include "store/nexus-store-api.h"
#include "nexus-jobs-page.h"
#include "nexus-search-editor.h"
#include "nexus-searches-page.h"
#include "../nexus-test-util.h"
#include "nexus-ui-test.h"
#include "nexus-window.h"

static NexusEngine   *engine;
static char          *tmp_dir;
static FakeNominatim *nominatim;

static gint64
sql (const char *query)
{
  return nexus_test_sql_int (nexus_engine_get_db_path (engine), query);
}

static NexusWindow *
show_searches (NexusSearchesPage **out_page)
{
  NexusWindow *window = nexus_window_new (NULL, engine);

  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 800);
  nexus_window_set_page (window, "searches");
  gtk_window_present (GTK_WINDOW (window));
  *out_page =
      NEXUS_SEARCHES_PAGE (nexus_test_find_type (GTK_WIDGET (window), NEXUS_TYPE_SEARCHES_PAGE));
  g_assert_nonnull (*out_page);
  WAIT_UNTIL (!nexus_page_get_loading (NEXUS_PAGE (*out_page)));
  return window;
}

static void
set_field (NexusSearchEditor *editor, NexusSearchField field, const char *text)
{
  gtk_editable_set_text (nexus_search_editor_get_entry (editor, field), text);
}

/* Fills a search that is right in every field, over a box. */
static void
fill_valid_box (NexusSearchEditor *editor, const char *name)
{
  nexus_search_editor_set_region_kind (editor, "bbox");
  set_field (editor, NEXUS_SEARCH_FIELD_NAME, name);
  set_field (editor, NEXUS_SEARCH_FIELD_KEYWORDS, "cafe, bakery");
  set_field (editor, NEXUS_SEARCH_FIELD_SOUTH, "30.00");
  set_field (editor, NEXUS_SEARCH_FIELD_WEST, "31.20");
  set_field (editor, NEXUS_SEARCH_FIELD_NORTH, "30.02");
  set_field (editor, NEXUS_SEARCH_FIELD_EAST, "31.22");
  set_field (editor, NEXUS_SEARCH_FIELD_COUNTRY, "eg");
  set_field (editor, NEXUS_SEARCH_FIELD_CADENCE, "1d");
}

/* Creates the search the editor holds and waits until it is committed. */
static void
create_and_wait (NexusSearchEditor *editor)
{
  gpointer weak = editor;

  g_object_add_weak_pointer (G_OBJECT (editor), &weak);
  g_assert_true (nexus_search_editor_get_can_create (editor));
  nexus_search_editor_create (editor);
  WAIT_UNTIL (weak == NULL);
}

static void
test_invalid_input (void)
{
  static const NexusSearchField wrong[] = {
    NEXUS_SEARCH_FIELD_NAME,    NEXUS_SEARCH_FIELD_KEYWORDS, NEXUS_SEARCH_FIELD_SOUTH,
    NEXUS_SEARCH_FIELD_WEST,    NEXUS_SEARCH_FIELD_COUNTRY,  NEXUS_SEARCH_FIELD_CADENCE,
    NEXUS_SEARCH_FIELD_CELL_KM, NEXUS_SEARCH_FIELD_DEPTH,    NEXUS_SEARCH_FIELD_PRIORITY,
  };
  NexusSearchesPage *page = NULL;
  NexusWindow       *window = show_searches (&page);
  NexusSearchEditor *editor;
  gint64             searches = sql ("SELECT count(*) FROM searches");
  gint64             jobs = sql ("SELECT count(*) FROM internal_jobs");
  gint64             places = sql ("SELECT count(*) FROM nominatim_cache");

  editor = nexus_searches_page_new_search (page, NULL);
  g_assert_nonnull (editor);

  /* A fresh form is not a wall of red, but cannot be created either. */
  for (guint i = 0; i < NEXUS_SEARCH_N_FIELDS; i++)
    g_assert_null (nexus_search_editor_get_field_error (editor, i));
  g_assert_false (nexus_search_editor_get_can_create (editor));

  nexus_search_editor_set_region_kind (editor, "bbox");
  set_field (editor, NEXUS_SEARCH_FIELD_NAME, "   ");
  set_field (editor, NEXUS_SEARCH_FIELD_KEYWORDS, " , ,");
  set_field (editor, NEXUS_SEARCH_FIELD_SOUTH, "91");
  set_field (editor, NEXUS_SEARCH_FIELD_WEST, "east");
  set_field (editor, NEXUS_SEARCH_FIELD_NORTH, "30");
  set_field (editor, NEXUS_SEARCH_FIELD_EAST, "31");
  set_field (editor, NEXUS_SEARCH_FIELD_COUNTRY, "Egypt");
  set_field (editor, NEXUS_SEARCH_FIELD_CADENCE, "every now and then");
  set_field (editor, NEXUS_SEARCH_FIELD_CELL_KM, "0");
  set_field (editor, NEXUS_SEARCH_FIELD_DEPTH, "11");
  set_field (editor, NEXUS_SEARCH_FIELD_PRIORITY, "5000");

  /* Create anyway: every wrong field says why, under itself. */
  nexus_search_editor_create (editor);
  for (guint i = 0; i < G_N_ELEMENTS (wrong); i++)
    {
      const char *message = nexus_search_editor_get_field_error (editor, wrong[i]);

      g_test_message ("field %u: %s", wrong[i], message);
      g_assert_nonnull (message);
      g_assert_cmpstr (message, !=, "");
    }
  g_assert_null (nexus_search_editor_get_field_error (editor, NEXUS_SEARCH_FIELD_NORTH));
  g_assert_null (nexus_search_editor_get_field_error (editor, NEXUS_SEARCH_FIELD_EAST));
  g_assert_false (nexus_search_editor_get_can_create (editor));

  /* Edges right one by one, but south of the north edge: the box says so. */
  set_field (editor, NEXUS_SEARCH_FIELD_SOUTH, "30.5");
  set_field (editor, NEXUS_SEARCH_FIELD_WEST, "31");
  g_assert_null (nexus_search_editor_get_field_error (editor, NEXUS_SEARCH_FIELD_SOUTH));
  g_assert_nonnull (nexus_search_editor_get_field_error (editor, NEXUS_SEARCH_FIELD_BOX));

  /* Arabic-Indic digits are typed as digits. */
  set_field (editor, NEXUS_SEARCH_FIELD_DEPTH, "٣");
  g_assert_cmpstr (
      gtk_editable_get_text (nexus_search_editor_get_entry (editor, NEXUS_SEARCH_FIELD_DEPTH)), ==,
      "3");
  g_assert_null (nexus_search_editor_get_field_error (editor, NEXUS_SEARCH_FIELD_DEPTH));

  /* A place name must be looked up before the search can be created. */
  nexus_search_editor_set_region_kind (editor, "place");
  set_field (editor, NEXUS_SEARCH_FIELD_PLACE, "nowhere");
  nexus_search_editor_find_place (editor);
  WAIT_UNTIL (!nexus_search_editor_get_can_create (editor) &&
              nexus_search_editor_get_field_error (editor, NEXUS_SEARCH_FIELD_PLACE) != NULL &&
              fake_nominatim_count (nominatim) > 0);

  nexus_search_editor_create (editor);
  g_assert_false (nexus_search_editor_get_can_create (editor));

  /* Nothing was written. */
  g_assert_cmpint (sql ("SELECT count(*) FROM searches"), ==, searches);
  g_assert_cmpint (sql ("SELECT count(*) FROM internal_jobs"), ==, jobs);
  g_assert_cmpint (sql ("SELECT count(*) FROM nominatim_cache"), ==, places);

  gtk_window_destroy (GTK_WINDOW (editor));
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_valid_input_creates_jobs (void)
{
  NexusSearchesPage *page = NULL;
  NexusWindow       *window = show_searches (&page);
  NexusSearchEditor *editor = nexus_searches_page_new_search (page, NULL);
  NexusJobsPage     *jobs_page;
  g_autofree char   *row = NULL;
  gint64             id;
  gint64             n_jobs;

  fill_valid_box (editor, "Cafés of Garden City");
  set_field (editor, NEXUS_SEARCH_FIELD_CELL_KM, "1");
  set_field (editor, NEXUS_SEARCH_FIELD_PRIORITY, "٧");
  create_and_wait (editor);

  id = sql ("SELECT id FROM searches WHERE name = 'Cafés of Garden City'");
  g_assert_cmpint (id, >, 0);
  g_assert_cmpint (sql ("SELECT cadence_s = 86400 AND country = 'EG' AND priority = 7"
                        " AND cell_km = 1 FROM searches WHERE name = 'Cafés of Garden City'"),
                   ==, 1);
  n_jobs = sql ("SELECT count(*) FROM internal_jobs WHERE search_id ="
                " (SELECT id FROM searches WHERE name = 'Cafés of Garden City')");
  /* Two keywords over a box of about 2.2 km × 1.9 km in 1 km cells. */
  g_assert_cmpint (n_jobs, >=, 2 * 4);
  g_assert_cmpint (n_jobs % 2, ==, 0);

  /* The new search has its row, with its progress. */
  WAIT_UNTIL ((row = nexus_searches_page_describe_row (page, id)) != NULL);
  g_assert_nonnull (strstr (row, "Cafés of Garden City"));
  g_assert_cmpfloat (nexus_searches_page_get_row_fraction (page, id), ==, 0.0);

  /* Its jobs are on the Jobs page, all of them. */
  g_assert_true (nexus_window_set_page (window, "jobs"));
  jobs_page = NEXUS_JOBS_PAGE (nexus_test_find_type (GTK_WIDGET (window), NEXUS_TYPE_JOBS_PAGE));
  nexus_jobs_page_refresh (jobs_page);
  WAIT_UNTIL (!nexus_page_get_loading (NEXUS_PAGE (jobs_page)) &&
              nexus_jobs_page_get_count (jobs_page) == sql ("SELECT count(*) FROM internal_jobs"));
  gtk_widget_activate_action (GTK_WIDGET (page), "win.show-jobs", "x", id);
  WAIT_UNTIL (!nexus_page_get_loading (NEXUS_PAGE (jobs_page)) &&
              nexus_jobs_page_get_count (jobs_page) == n_jobs);
  g_assert_cmpuint (
      g_list_model_get_n_items (G_LIST_MODEL (nexus_jobs_page_get_selection (jobs_page))), ==,
      (guint)n_jobs);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* A place found through Nominatim (a local fake) is cached with the search. */
static void
test_place (void)
{
  NexusSearchesPage *page = NULL;
  NexusWindow       *window = show_searches (&page);
  NexusSearchEditor *editor = nexus_searches_page_new_search (page, NULL);

  set_field (editor, NEXUS_SEARCH_FIELD_NAME, "Pharmacies of Cairo");
  set_field (editor, NEXUS_SEARCH_FIELD_KEYWORDS, "pharmacy");
  set_field (editor, NEXUS_SEARCH_FIELD_CELL_KM, "20");
  nexus_search_editor_set_region_kind (editor, "place");
  set_field (editor, NEXUS_SEARCH_FIELD_PLACE, "Cairo");
  g_assert_false (nexus_search_editor_get_can_create (editor));
  nexus_search_editor_find_place (editor);
  WAIT_UNTIL (nexus_search_editor_get_can_create (editor));
  g_assert_null (nexus_search_editor_get_field_error (editor, NEXUS_SEARCH_FIELD_PLACE));

  create_and_wait (editor);
  g_assert_cmpint (sql ("SELECT count(*) FROM searches WHERE name = 'Pharmacies of Cairo'"
                        " AND region_kind = 'place' AND place_display = 'Cairo, Egypt'"),
                   ==, 1);
  g_assert_cmpint (sql ("SELECT count(*) FROM nominatim_cache"), >=, 1);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* win.new-search with a shape drawn on the map. */
static void
test_new_search_with_shape (void)
{
  static const char  shape[] = "{\"type\":\"Polygon\",\"coordinates\":[[[31.2,30.0],[31.22,30.0],"
                               "[31.21,30.02],[31.2,30.0]]]}";
  NexusSearchesPage *page = NULL;
  NexusWindow       *window = show_searches (&page);
  NexusSearchEditor *editor;

  nexus_window_set_page (window, "leads");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.new-search", "s", shape);
  g_assert_cmpstr (nexus_window_get_page (window), ==, "searches");
  editor = nexus_searches_page_new_search (page, NULL);
  g_assert_cmpstr (nexus_search_editor_get_region_kind (editor), ==, "polygon");

  set_field (editor, NEXUS_SEARCH_FIELD_NAME, "Triangle");
  set_field (editor, NEXUS_SEARCH_FIELD_KEYWORDS, "school");
  create_and_wait (editor);
  g_assert_cmpint (sql ("SELECT count(*) FROM searches WHERE name = 'Triangle'"
                        " AND region_kind = 'polygon'"),
                   ==, 1);
  gtk_window_destroy (GTK_WINDOW (window));
}

static char *
state_of (gint64 id)
{
  g_autofree char *query = g_strdup_printf (
      "SELECT CASE state WHEN 'active' THEN 1 WHEN 'paused' THEN 2 WHEN 'cancelled' THEN 3"
      " ELSE 4 END FROM searches WHERE id = %" G_GINT64_FORMAT,
      id);
  static const char *const names[] = { "?", "active", "paused", "cancelled", "completed" };

  return g_strdup (names[CLAMP (sql (query), 0, 4)]);
}

#define WAIT_STATE(id, name)                                                            \
  G_STMT_START                                                                          \
  {                                                                                     \
    char *state_ = NULL;                                                                \
    WAIT_UNTIL ((g_free (state_), state_ = state_of (id), g_str_equal (state_, name))); \
    g_free (state_);                                                                    \
  }                                                                                     \
  G_STMT_END

static void
test_pause_resume_cancel (void)
{
  NexusSearchesPage *page = NULL;
  NexusWindow       *window = show_searches (&page);
  NexusSearchEditor *editor = nexus_searches_page_new_search (page, NULL);
  g_autofree char   *query = NULL;
  g_autofree char   *row = NULL;
  g_autofree char   *state = NULL;
  gint64             id;

  fill_valid_box (editor, "Steered");
  create_and_wait (editor);
  id = sql ("SELECT id FROM searches WHERE name = 'Steered'");
  query = g_strdup_printf ("SELECT count(*) FROM internal_jobs WHERE search_id = %" G_GINT64_FORMAT
                           " AND status = 'paused'",
                           id);

  gtk_widget_activate_action (GTK_WIDGET (page), "searches.pause", "x", id);
  WAIT_STATE (id, "paused");
  g_assert_cmpint (sql (query), >, 0);
  WAIT_UNTIL ((g_free (row), row = nexus_searches_page_describe_row (page, id),
               row != NULL && strstr (row, "Paused") != NULL));

  gtk_widget_activate_action (GTK_WIDGET (page), "searches.resume", "x", id);
  WAIT_STATE (id, "active");
  g_assert_cmpint (sql (query), ==, 0);

  /* Cancel asks first; keeping it running changes nothing. */
  gtk_widget_activate_action (GTK_WIDGET (page), "searches.cancel", "x", id);
  nexus_test_respond ("keep");
  state = state_of (id);
  g_assert_cmpstr (state, ==, "active");
  gtk_widget_activate_action (GTK_WIDGET (page), "searches.cancel", "x", id);
  nexus_test_respond ("confirm");
  WAIT_STATE (id, "cancelled");
  g_free (query);
  query = g_strdup_printf ("SELECT count(*) FROM internal_jobs WHERE search_id = %" G_GINT64_FORMAT
                           " AND status IN ('queued', 'leased', 'paused')",
                           id);
  g_assert_cmpint (sql (query), ==, 0);

  /* Run again: a second run. */
  gtk_widget_activate_action (GTK_WIDGET (page), "searches.rerun", "x", id);
  WAIT_STATE (id, "active");
  g_free (query);
  query =
      g_strdup_printf ("SELECT count(*) FROM search_runs WHERE search_id = %" G_GINT64_FORMAT, id);
  g_assert_cmpint (sql (query), ==, 2);

  /* The detail view lists both runs. */
  nexus_searches_page_show_search (page, id);
  WAIT_UNTIL (!nexus_page_get_loading (NEXUS_PAGE (page)));
  gtk_widget_activate_action (GTK_WIDGET (page), "searches.show-list", NULL);
  gtk_window_destroy (GTK_WINDOW (window));
}

static gpointer
get_search_func (NexusStore *store, gpointer data, GError **error)
{
  return nexus_store_search_get (store, *(gint64 *)data, error);
}

/* Editing a search: prefilled, checked like a new one, saved in place. */
static void
test_edit (void)
{
  NexusSearchesPage *page = NULL;
  NexusWindow       *window = show_searches (&page);
  NexusSearchEditor *editor = nexus_searches_page_new_search (page, NULL);
  g_autoptr (NexusSearchRecord) search = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *query = NULL;
  gint64           id;
  gint64           n_jobs;

  fill_valid_box (editor, "To edit");
  create_and_wait (editor);
  id = sql ("SELECT id FROM searches WHERE name = 'To edit'");
  query = g_strdup_printf ("SELECT count(*) FROM internal_jobs WHERE search_id = %" G_GINT64_FORMAT,
                           id);
  n_jobs = sql (query);

  search = nexus_engine_read_sync (engine, get_search_func, &id, &error);
  g_assert_no_error (error);
  editor = nexus_searches_page_edit_search (page, search);
  g_assert_cmpstr (
      gtk_editable_get_text (nexus_search_editor_get_entry (editor, NEXUS_SEARCH_FIELD_NAME)), ==,
      "To edit");
  g_assert_cmpstr (
      gtk_editable_get_text (nexus_search_editor_get_entry (editor, NEXUS_SEARCH_FIELD_SOUTH)), ==,
      "30");
  g_assert_cmpstr (
      gtk_editable_get_text (nexus_search_editor_get_entry (editor, NEXUS_SEARCH_FIELD_NORTH)), ==,
      "30.02");
  g_assert_cmpstr (
      gtk_editable_get_text (nexus_search_editor_get_entry (editor, NEXUS_SEARCH_FIELD_EAST)), ==,
      "31.22");
  g_assert_cmpstr (nexus_search_editor_get_region_kind (editor), ==, "bbox");
  g_assert_true (nexus_search_editor_get_can_create (editor));

  /* Wrong input: its message, nothing saved. */
  set_field (editor, NEXUS_SEARCH_FIELD_CELL_KM, "500");
  nexus_search_editor_create (editor);
  g_assert_nonnull (nexus_search_editor_get_field_error (editor, NEXUS_SEARCH_FIELD_CELL_KM));
  g_assert_cmpint (sql ("SELECT count(*) FROM searches WHERE name = 'To edit' AND cell_km = 2"), ==,
                   1);

  set_field (editor, NEXUS_SEARCH_FIELD_CELL_KM, "1.5");
  set_field (editor, NEXUS_SEARCH_FIELD_NAME, "Edited");
  set_field (editor, NEXUS_SEARCH_FIELD_PRIORITY, "9");
  set_field (editor, NEXUS_SEARCH_FIELD_CADENCE, "6h");
  create_and_wait (editor);
  g_free (query);
  query = g_strdup_printf ("SELECT name = 'Edited' AND cell_km = 1.5 AND priority = 9"
                           " AND cadence_s = 21600 FROM searches WHERE id = %" G_GINT64_FORMAT,
                           id);
  g_assert_cmpint (sql (query), ==, 1);
  g_free (query);
  query = g_strdup_printf ("SELECT count(*) FROM internal_jobs WHERE search_id = %" G_GINT64_FORMAT
                           " AND priority = 9",
                           id);
  g_assert_cmpint (sql (query), ==, n_jobs);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Reports on the event bus move the progress bar without a reload. */
static gpointer
complete_one_func (NexusStore *store, gpointer data, GError **error)
{
  NexusEngine   *self = data;
  NexusJobQueue *queue = nexus_engine_get_queue (self);
  g_autoptr (GPtrArray) jobs = nexus_job_queue_lease (queue, 0, 1, NULL, error);
  g_autoptr (JsonObject) event = json_object_new ();
  NexusLeasedJob *job;

  if (jobs == NULL || jobs->len == 0)
    return NULL;
  job = g_ptr_array_index (jobs, 0);
  /* Three places reported, two of them new leads (as the report path
   * counts them). */
  if (!nexus_job_queue_complete (queue, job->id, job->lease_token, FALSE, 3, NULL, error) ||
      !nexus_store_job_add_results (store, job->id, 0, 2, error))
    return NULL;
  json_object_set_int_member (event, "job_id", job->id);
  nexus_event_bus_publish (nexus_engine_get_event_bus (self), "job.completed", event);
  return GINT_TO_POINTER (TRUE);
}

static void
test_live_progress (void)
{
  NexusSearchesPage *page = NULL;
  NexusWindow       *window = show_searches (&page);
  NexusSearchEditor *editor = nexus_searches_page_new_search (page, NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *row = NULL;
  double           fraction;
  gint64           id;

  fill_valid_box (editor, "Live");
  set_field (editor, NEXUS_SEARCH_FIELD_PRIORITY, "1000");
  create_and_wait (editor);
  id = sql ("SELECT id FROM searches WHERE name = 'Live'");
  WAIT_UNTIL (nexus_searches_page_describe_row (page, id) != NULL);
  g_assert_cmpfloat (nexus_searches_page_get_row_fraction (page, id), ==, 0.0);

  g_assert_nonnull (nexus_engine_run_sync (engine, complete_one_func, engine, &error));
  g_assert_no_error (error);
  WAIT_UNTIL (nexus_searches_page_get_row_fraction (page, id) > 0.0);
  row = nexus_searches_page_describe_row (page, id);
  g_assert_nonnull (strstr (row, "3\u2069 places reported"));
  g_assert_nonnull (strstr (row, "2\u2069 new leads"));

  /* A report while another page is shown reaches the row once it is back. */
  fraction = nexus_searches_page_get_row_fraction (page, id);
  nexus_window_set_page (window, "leads");
  WAIT_UNTIL (!gtk_widget_get_mapped (GTK_WIDGET (page)));
  g_assert_nonnull (nexus_engine_run_sync (engine, complete_one_func, engine, &error));
  nexus_window_set_page (window, "searches");
  WAIT_UNTIL (nexus_searches_page_get_row_fraction (page, id) > fraction);
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char *argv[])
{
  g_autoptr (GError) error = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *url = NULL;
  int              status;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  nominatim = fake_nominatim_start ();
  url = fake_nominatim_get_url (nominatim);
  g_setenv ("NEXUS_NOMINATIM_URL", url, TRUE);

  tmp_dir = nexus_test_make_dir ("searches-page");
  db_path = g_build_filename (tmp_dir, "vault.db", NULL);
  engine = nexus_engine_new (db_path, NEXUS_ENGINE_DEFAULT, &error);
  g_assert_no_error (error);

  g_test_add_func ("/nexus/SearchesPage/invalid-input-creates-nothing", test_invalid_input);
  g_test_add_func ("/nexus/SearchesPage/valid-input-creates-jobs", test_valid_input_creates_jobs);
  g_test_add_func ("/nexus/SearchesPage/place-from-nominatim", test_place);
  g_test_add_func ("/nexus/SearchesPage/new-search-with-shape", test_new_search_with_shape);
  g_test_add_func ("/nexus/SearchesPage/pause-resume-cancel", test_pause_resume_cancel);
  g_test_add_func ("/nexus/SearchesPage/live-progress", test_live_progress);
  g_test_add_func ("/nexus/SearchesPage/edit", test_edit);

  status = g_test_run ();

  nexus_engine_shutdown (engine);
  g_clear_object (&engine);
  fake_nominatim_stop (nominatim);
  nexus_test_remove_dir (tmp_dir);
  g_free (tmp_dir);
  return status;
}
