/* test-jobs-page.c — the job queue in the console
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A real NexusWindow on the Jobs page over a vault with one search and
 * plain jobs, some of them dead.  Filters are compared with plain SQL on
 * the vault file, and the actions on selected jobs with what the database
 * holds afterwards.
 */
#include "config.h"

#include <locale.h>

#include "../nexus-test-util.h"
#include "nexus-engine.h"
#include "nexus-jobs-page.h"
#include "nexus-ui-test.h"
#include "nexus-window.h"

#define N_PLAIN 450

static NexusEngine *engine;
static char        *tmp_dir;
static gint64       search_id;

static gint64
sql (const char *query)
{
  return nexus_test_sql_int (nexus_engine_get_db_path (engine), query);
}

/* One search of 2 keywords, and N_PLAIN plain jobs. */
static gpointer
fill_func (NexusStore *store, gpointer data, GError **error)
{
  NexusJobQueue *queue = nexus_engine_get_queue (engine);
  g_autoptr (NexusSearchSpec) spec = nexus_search_spec_new ();
  const NexusBBox box = { 30.0, 31.2, 30.01, 31.21 };
  NexusRunPlan    plan = { 0 };

  spec->name = g_strdup ("Queue under test");
  spec->keywords = g_strsplit ("cafe,bakery", ",", -1);
  spec->region = nexus_region_new_bbox (&box);
  spec->region_kind = g_strdup ("bbox");
  if (!nexus_job_queue_add_search (queue, spec, &plan, error))
    return NULL;
  search_id = plan.search_id;

  for (guint i = 0; i < N_PLAIN; i++)
    {
      NexusJobSpec job = { .kind = "enrich", .status = NEXUS_JOB_QUEUED, .payload = "{}" };

      if (!nexus_job_queue_enqueue (queue, &job, NULL, error))
        return NULL;
    }
  return GINT_TO_POINTER (TRUE);
}

/* Leases the search's jobs and fails them for good: they die. */
static gpointer
kill_func (NexusStore *store, gpointer data, GError **error)
{
  NexusJobQueue *queue = nexus_engine_get_queue (engine);
  const char    *providers[] = { "overpass", NULL };
  g_autoptr (GPtrArray) jobs =
      nexus_job_queue_lease (queue, 0, GPOINTER_TO_UINT (data), providers, error);

  for (guint i = 0; jobs != NULL && i < jobs->len; i++)
    {
      NexusLeasedJob *job = g_ptr_array_index (jobs, i);

      if (!nexus_job_queue_fail (queue, job->id, job->lease_token, "HTTP 403: key refused", FALSE,
                                 NULL, error))
        return NULL;
    }
  return jobs != NULL ? GINT_TO_POINTER (TRUE) : NULL;
}

static NexusWindow *
show_jobs (NexusJobsPage **out_page)
{
  NexusWindow *window = nexus_window_new (NULL, engine);

  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 800);
  nexus_window_set_page (window, "jobs");
  gtk_window_present (GTK_WINDOW (window));
  *out_page = NEXUS_JOBS_PAGE (nexus_test_find_type (GTK_WIDGET (window), NEXUS_TYPE_JOBS_PAGE));
  g_assert_nonnull (*out_page);
  WAIT_UNTIL (!nexus_page_get_loading (NEXUS_PAGE (*out_page)) &&
              nexus_jobs_page_get_count (*out_page) >= 0);
  return window;
}

static void
wait_loaded (NexusJobsPage *page)
{
  WAIT_UNTIL (!nexus_page_get_loading (NEXUS_PAGE (page)));
}

static GListModel *
shown (NexusJobsPage *page)
{
  return G_LIST_MODEL (nexus_jobs_page_get_selection (page));
}

static void
select_all (NexusJobsPage *page)
{
  gtk_selection_model_select_all (nexus_jobs_page_get_selection (page));
}

static void
test_paging_and_filters (void)
{
  NexusJobsPage *page = NULL;
  NexusWindow   *window = show_jobs (&page);
  GtkWidget     *scroller;
  gint64         total = sql ("SELECT count(*) FROM internal_jobs");

  /* The count covers every job; the list holds the first page. */
  g_assert_cmpint (nexus_jobs_page_get_count (page), ==, total);
  g_assert_cmpuint (g_list_model_get_n_items (shown (page)), <, (guint)total);

  /* Scrolled to the end, the next pages come, in id order. */
  /* The list's own scrolled window (the filters' popovers have theirs). */
  scroller = gtk_widget_get_parent (nexus_test_find_type (GTK_WIDGET (page), GTK_TYPE_COLUMN_VIEW));
  g_assert_true (GTK_IS_SCROLLED_WINDOW (scroller));
  while (g_list_model_get_n_items (shown (page)) < (guint)total)
    {
      guint before = g_list_model_get_n_items (shown (page));

      g_signal_emit_by_name (scroller, "edge-reached", GTK_POS_BOTTOM);
      WAIT_UNTIL (!nexus_page_get_loading (NEXUS_PAGE (page)) &&
                  g_list_model_get_n_items (shown (page)) > before);
    }
  g_assert_cmpuint (g_list_model_get_n_items (shown (page)), ==, (guint)total);
  for (guint i = 1; i < (guint)total; i++)
    {
      g_autoptr (NexusJobItem) a = g_list_model_get_item (shown (page), i - 1);
      g_autoptr (NexusJobItem) b = g_list_model_get_item (shown (page), i);

      g_assert_cmpint (nexus_job_item_get_id (a), <, nexus_job_item_get_id (b));
    }

  /* State and search filters are SQL filters. */
  nexus_jobs_page_set_state_filter (page, "dead");
  wait_loaded (page);
  g_assert_cmpint (nexus_jobs_page_get_count (page), ==,
                   sql ("SELECT count(*) FROM internal_jobs WHERE status = 'dead'"));
  nexus_jobs_page_set_state_filter (page, NULL);
  nexus_jobs_page_show_search (page, search_id);
  wait_loaded (page);
  g_assert_cmpint (nexus_jobs_page_get_count (page), ==,
                   sql ("SELECT count(*) FROM internal_jobs WHERE search_id > 0"));
  nexus_jobs_page_show_search (page, 0);
  wait_loaded (page);
  g_assert_cmpint (nexus_jobs_page_get_count (page), ==, total);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_dead_jobs_retry (void)
{
  NexusJobsPage *page = NULL;
  NexusWindow   *window = show_jobs (&page);
  g_autoptr (NexusJobItem) item = NULL;
  g_autofree char *state = NULL;
  g_autofree char *error_text = NULL;
  gint64           dead_id;

  nexus_jobs_page_set_state_filter (page, "dead");
  wait_loaded (page);
  g_assert_cmpint (nexus_jobs_page_get_count (page), ==, 2);

  /* Dead jobs say so, with their last error. */
  item = g_list_model_get_item (shown (page), 0);
  dead_id = nexus_job_item_get_id (item);
  state = nexus_jobs_page_cell_text (item, NEXUS_JOBS_COLUMN_STATE, 0);
  error_text = nexus_jobs_page_cell_text (item, NEXUS_JOBS_COLUMN_ERROR, 0);
  g_assert_cmpstr (state, ==, "Dead");
  g_assert_cmpstr (error_text, ==, "HTTP 403: key refused");

  /* Retry the first: it is queued again with all its attempts. */
  gtk_selection_model_select_item (nexus_jobs_page_get_selection (page), 0, TRUE);
  gtk_widget_activate_action (GTK_WIDGET (page), "jobs.retry", NULL);
  WAIT_UNTIL (sql ("SELECT count(*) FROM internal_jobs WHERE status = 'dead'") == 1);
  {
    g_autofree char *query = g_strdup_printf (
        "SELECT status = 'queued' AND attempts = 0 FROM internal_jobs WHERE id = %" G_GINT64_FORMAT,
        dead_id);
    g_assert_cmpint (sql (query), ==, 1);
  }
  WAIT_UNTIL (!nexus_page_get_loading (NEXUS_PAGE (page)) && nexus_jobs_page_get_count (page) == 1);

  /* Retry all dead: none left. */
  gtk_widget_activate_action (GTK_WIDGET (page), "jobs.retry-dead", NULL);
  WAIT_UNTIL (sql ("SELECT count(*) FROM internal_jobs WHERE status = 'dead'") == 0);
  WAIT_UNTIL (!nexus_page_get_loading (NEXUS_PAGE (page)) && nexus_jobs_page_get_count (page) == 0);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_cancel_and_priority (void)
{
  NexusJobsPage *page = NULL;
  NexusWindow   *window = show_jobs (&page);
  gint64         queued;

  nexus_jobs_page_show_search (page, search_id);
  wait_loaded (page);
  nexus_jobs_page_set_state_filter (page, "queued");
  wait_loaded (page);
  queued = nexus_jobs_page_get_count (page);
  g_assert_cmpint (queued, >, 0);
  g_assert_cmpint (queued, ==,
                   sql ("SELECT count(*) FROM internal_jobs WHERE search_id > 0"
                        " AND status = 'queued' AND attempts = 0"));

  /* Raise the priority of every job shown. */
  select_all (page);
  gtk_widget_activate_action (GTK_WIDGET (page), "jobs.bump", NULL);
  WAIT_UNTIL (sql ("SELECT count(*) FROM internal_jobs WHERE search_id > 0 AND status = 'queued'"
                   " AND priority = 10") == queued);
  g_assert_cmpint (sql ("SELECT count(*) FROM internal_jobs WHERE kind = 'enrich'"
                        " AND priority <> 0"),
                   ==, 0);

  /* Cancel asks first; "keep" changes nothing. */
  select_all (page);
  gtk_widget_activate_action (GTK_WIDGET (page), "jobs.cancel", NULL);
  nexus_test_respond ("keep");
  g_assert_cmpint (sql ("SELECT count(*) FROM internal_jobs WHERE status = 'cancelled'"), ==, 0);
  gtk_widget_activate_action (GTK_WIDGET (page), "jobs.cancel", NULL);
  nexus_test_respond ("confirm");
  WAIT_UNTIL (sql ("SELECT count(*) FROM internal_jobs WHERE status = 'cancelled'") == queued);
  g_assert_cmpint (sql ("SELECT count(*) FROM internal_jobs WHERE kind = 'enrich'"
                        " AND status <> 'queued'"),
                   ==, 0);
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

  tmp_dir = nexus_test_make_dir ("jobs-page");
  db_path = g_build_filename (tmp_dir, "vault.db", NULL);
  engine = nexus_engine_new (db_path, NEXUS_ENGINE_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_nonnull (nexus_engine_run_sync (engine, fill_func, NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (nexus_engine_run_sync (engine, kill_func, GUINT_TO_POINTER (2), &error));
  g_assert_no_error (error);

  g_test_add_func ("/nexus/JobsPage/paging-and-filters", test_paging_and_filters);
  g_test_add_func ("/nexus/JobsPage/dead-jobs-retry", test_dead_jobs_retry);
  g_test_add_func ("/nexus/JobsPage/cancel-and-priority", test_cancel_and_priority);

  status = g_test_run ();

  nexus_engine_shutdown (engine);
  g_clear_object (&engine);
  nexus_test_remove_dir (tmp_dir);
  g_free (tmp_dir);
  return status;
}
