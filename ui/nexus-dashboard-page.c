/* nexus-dashboard-page.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One read (nexus_store_summary_read and the workers' statuses) fills every
 * figure and chart; a newer read replaces an older one in flight.  Each
 * chart keeps what its bars stand for (a day, a status, a category, a
 * city), so a click turns into the right win.filter-leads parameter.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "nexus-dashboard-page-private.h"
#include "nexus-event-watch.h"
#include "nexus-format.h"
#include "nexus-window.h"
#include "ops/nexus-fleet.h"
#include "store/nexus-store-summary.h"

#define RELOAD_DEBOUNCE_MS 1000

struct _NexusDashboardPage
{
  NexusPage parent_instance;

  GtkLabel   *error_label;
  GtkFlowBox *figures;
  GtkGrid    *charts;
  GtkLabel   *no_searches;
  GtkListBox *searches;

  GtkLabel   *figure_values[NEXUS_DASHBOARD_N_FIGURES];
  NexusChart *chart[NEXUS_DASHBOARD_N_CHARTS];
  /* What the bars of the category and city charts stand for. */
  GPtrArray *category_keys;
  GPtrArray *city_keys;
  gint64     first_day;

  NexusEventWatch *watch;
  GCancellable    *cancellable; /* the read in flight */
  gboolean         stale;       /* events came during the read in flight */
  gint64           read_started_us;
  guint            again_id; /* the next read after a stale one */
  guint            reloads;  /* reads finished */
};

G_DEFINE_FINAL_TYPE (NexusDashboardPage, nexus_dashboard_page, NEXUS_TYPE_PAGE)

static const char *const watched_kinds[] = {
  "job.", "jobs.", "worker.", "search.", "leads.", NULL
};

/* The funnel's rows, in the order of nexus_summary_statuses. */
static const char *const status_names[] = {
  NC_ ("lead status", "New"), NC_ ("lead status", "Contacted"), NC_ ("lead status", "Qualified"),
  NC_ ("lead status", "Won"), NC_ ("lead status", "Lost"),
};

/* The worker-health rows. */
static const NexusWorkerState health_states[] = {
  NEXUS_WORKER_STATE_BUSY,
  NEXUS_WORKER_STATE_IDLE,
  NEXUS_WORKER_STATE_OFFLINE,
  NEXUS_WORKER_STATE_NEVER,
};
static const char *const health_names[] = {
  NC_ ("worker state", "Busy"),
  NC_ ("worker state", "Idle"),
  NC_ ("worker state", "Offline"),
  NC_ ("worker state", "Not connected yet"),
};

typedef struct
{
  NexusSummary *summary;
  GPtrArray    *statuses;
} Reading;

static void
reading_free (gpointer data)
{
  Reading *reading = data;

  nexus_summary_free (reading->summary);
  g_clear_pointer (&reading->statuses, g_ptr_array_unref);
  g_free (reading);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Reading, reading_free)

/* On a reader thread. */
static gpointer
read_func (NexusStore *store, gpointer data, GError **error)
{
  g_autoptr (Reading) reading = g_new0 (Reading, 1);

  reading->summary = nexus_store_summary_read (store, *(gint64 *)data, error);
  if (reading->summary == NULL)
    return NULL;
  reading->statuses = nexus_store_worker_statuses (store, error);
  if (reading->statuses == NULL)
    return NULL;
  return g_steal_pointer (&reading);
}

/* Local midnight NEXUS_SUMMARY_DAYS - 1 days ago. */
static gint64
first_day_start (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (GDateTime) today =
      g_date_time_new_local (g_date_time_get_year (now), g_date_time_get_month (now),
                             g_date_time_get_day_of_month (now), 0, 0, 0);
  g_autoptr (GDateTime) first = g_date_time_add_days (today, -(NEXUS_SUMMARY_DAYS - 1));

  return g_date_time_to_unix (first);
}

static void
set_figure (NexusDashboardPage *self, NexusDashboardFigure which, gint64 value)
{
  g_autofree char *text = nexus_format_count (value);

  gtk_label_set_text (self->figure_values[which], text);
}

/* Shows @counts (NexusLabelCount) in @chart and keeps their labels as the
 * bars' keys. */
static void
show_counts (NexusChart *chart, GPtrArray *counts, GPtrArray *keys, char *(*display) (const char *))
{
  g_autofree double *values = g_new0 (double, MAX (counts->len, 1));
  g_autoptr (GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_set_size (keys, 0);
  for (guint i = 0; i < counts->len; i++)
    {
      NexusLabelCount *count = g_ptr_array_index (counts, i);

      values[i] = count->count;
      g_ptr_array_add (labels, display != NULL ? display (count->label) : g_strdup (count->label));
      g_ptr_array_add (keys, g_strdup (count->label));
    }
  g_ptr_array_add (labels, NULL);
  nexus_chart_set_data (chart, values, counts->len, (const char **)labels->pdata);
}

static void
show_per_day (NexusDashboardPage *self, NexusSummary *summary)
{
  double      values[NEXUS_SUMMARY_DAYS];
  char       *texts[NEXUS_SUMMARY_DAYS];
  const char *labels[NEXUS_SUMMARY_DAYS];

  self->first_day = summary->first_day;
  for (guint i = 0; i < NEXUS_SUMMARY_DAYS; i++)
    {
      values[i] = summary->per_day[i];
      texts[i] = nexus_format_day (summary->first_day + (gint64)i * 86400 + 43200);
      labels[i] = texts[i];
    }
  nexus_chart_set_data (self->chart[NEXUS_DASHBOARD_PER_DAY], values, NEXUS_SUMMARY_DAYS, labels);
  for (guint i = 0; i < NEXUS_SUMMARY_DAYS; i++)
    g_free (texts[i]);
}

static void
show_statuses (NexusDashboardPage *self, NexusSummary *summary)
{
  double      values[G_N_ELEMENTS (status_names)];
  const char *labels[G_N_ELEMENTS (status_names)];

  for (guint i = 0; i < G_N_ELEMENTS (status_names); i++)
    {
      values[i] = summary->statuses[i];
      labels[i] = g_dpgettext2 (NULL, "lead status", status_names[i]);
    }
  nexus_chart_set_data (self->chart[NEXUS_DASHBOARD_STATUSES], values, G_N_ELEMENTS (values),
                        labels);
}

static gint64
show_workers (NexusDashboardPage *self, GPtrArray *statuses)
{
  double      values[G_N_ELEMENTS (health_states)] = { 0 };
  const char *labels[G_N_ELEMENTS (health_states)];
  gint64      now = g_get_real_time () / G_USEC_PER_SEC;

  for (guint i = 0; i < statuses->len; i++)
    {
      NexusWorkerStatus *status = g_ptr_array_index (statuses, i);
      NexusWorkerState   state = nexus_fleet_worker_state (status, now);

      if (!nexus_fleet_worker_watched (status->record))
        continue;
      for (guint j = 0; j < G_N_ELEMENTS (health_states); j++)
        if (health_states[j] == state)
          values[j]++;
    }
  for (guint j = 0; j < G_N_ELEMENTS (health_states); j++)
    labels[j] = g_dpgettext2 (NULL, "worker state", health_names[j]);
  nexus_chart_set_data (self->chart[NEXUS_DASHBOARD_WORKERS], values, G_N_ELEMENTS (values),
                        labels);
  return (gint64)(values[0] + values[1]);
}

static void
show_searches (NexusDashboardPage *self, GPtrArray *searches)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->searches))) != NULL)
    gtk_list_box_remove (self->searches, child);
  for (guint i = 0; i < searches->len; i++)
    {
      NexusSearchSummary *search = g_ptr_array_index (searches, i);
      GtkWidget          *row = adw_action_row_new ();
      GtkWidget          *bar = gtk_progress_bar_new ();
      g_autofree char    *done = nexus_format_count (search->jobs_done);
      g_autofree char    *total = nexus_format_count (search->jobs_total);
      /* Translators: jobs done and all jobs of a search. */
      g_autofree char *subtitle = g_strdup_printf (
          ngettext ("%s of %s job done", "%s of %s jobs done", (gulong)search->jobs_total), done,
          total);

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), search->name);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_progress_bar_set_fraction (
          GTK_PROGRESS_BAR (bar),
          search->jobs_total > 0 ? (double)search->jobs_done / search->jobs_total : 0);
      gtk_widget_set_valign (bar, GTK_ALIGN_CENTER);
      gtk_widget_set_size_request (bar, 160, -1);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), bar);
      gtk_list_box_append (self->searches, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->searches), searches->len > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->no_searches), searches->len == 0);
}

static void request_read (NexusDashboardPage *self);

static gboolean
again_cb (gpointer user_data)
{
  NexusDashboardPage *self = user_data;

  self->again_id = 0;
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    request_read (self);
  return G_SOURCE_REMOVE;
}

static void
read_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  NexusDashboardPage *self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (Reading) reading = nexus_engine_read_finish (NEXUS_ENGINE (object), result, &error);
  NexusSummary *summary;

  if (reading == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  nexus_page_set_loading (NEXUS_PAGE (self), FALSE);
  self->reloads++;
  /* Events came meanwhile: read again, but leave the reader idle at least
   * twice as long as this read took (a large vault under a busy fleet). */
  if (self->stale && self->again_id == 0)
    {
      gint64 took_ms = (g_get_monotonic_time () - self->read_started_us) / 1000;

      self->stale = FALSE;
      self->again_id = g_timeout_add ((guint)MAX (RELOAD_DEBOUNCE_MS, 2 * took_ms), again_cb, self);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), reading == NULL);
  if (reading == NULL)
    {
      gtk_label_set_text (self->error_label, error->message);
      return;
    }

  summary = reading->summary;
  set_figure (self, NEXUS_DASHBOARD_LEADS, summary->leads);
  set_figure (self, NEXUS_DASHBOARD_SEARCHES, summary->searches_active);
  set_figure (self, NEXUS_DASHBOARD_JOBS_WAITING, summary->jobs_queued + summary->jobs_leased);
  set_figure (self, NEXUS_DASHBOARD_JOBS_DEAD, summary->jobs_dead);
  set_figure (self, NEXUS_DASHBOARD_WORKERS_ONLINE, show_workers (self, reading->statuses));
  show_per_day (self, summary);
  show_statuses (self, summary);
  /* Categories by their names in the interface language; the bars still
   * stand for the keys the filter uses. */
  show_counts (self->chart[NEXUS_DASHBOARD_CATEGORIES], summary->categories, self->category_keys,
               nexus_format_category);
  show_counts (self->chart[NEXUS_DASHBOARD_CITIES], summary->cities, self->city_keys, NULL);
  show_searches (self, summary->active_searches);
}

/* Starts a read, dropping the one in flight (for another engine). */
static void
start_read (NexusDashboardPage *self)
{
  NexusEngine *engine = nexus_page_get_engine (NEXUS_PAGE (self));
  gint64       first_day = first_day_start ();

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_clear_handle_id (&self->again_id, g_source_remove);
  self->stale = FALSE;
  if (engine == NULL)
    {
      nexus_page_set_loading (NEXUS_PAGE (self), FALSE);
      return;
    }
  nexus_page_set_loading (NEXUS_PAGE (self), TRUE);
  self->read_started_us = g_get_monotonic_time ();
  nexus_engine_read_async (engine, read_func, g_memdup2 (&first_day, sizeof first_day), g_free,
                           self->cancellable, read_cb, self);
}

/* A read now, or after the one in flight: a read is never dropped for a
 * newer one of the same engine, so figures come even when events never
 * stop. */
static void
request_read (NexusDashboardPage *self)
{
  if (nexus_page_get_loading (NEXUS_PAGE (self)))
    self->stale = TRUE;
  else if (self->again_id == 0)
    start_read (self);
}

/* After a burst of events: read again if the page is on screen; otherwise
 * mapping it will (the read scans the vault: none for a hidden page). */
static void
events_cb (gpointer user_data)
{
  if (gtk_widget_get_mapped (user_data))
    request_read (user_data);
}

static void
refresh_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  NexusDashboardPage *self = NEXUS_DASHBOARD_PAGE (widget);

  g_clear_handle_id (&self->again_id, g_source_remove);
  request_read (self);
}

/* Filters the leads grid by one key. */
static void
filter_leads (NexusDashboardPage *self, const char *key, GVariant *value)
{
  g_auto (GVariantDict) dict;

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert_value (&dict, key, value);
  if (!gtk_widget_activate_action_variant (GTK_WIDGET (self), "win.filter-leads",
                                           g_variant_dict_end (&dict)))
    g_debug ("win.filter-leads is not available");
}

static void
bar_activated_cb (NexusChart *chart, guint index, NexusDashboardPage *self)
{
  if (chart == self->chart[NEXUS_DASHBOARD_PER_DAY])
    filter_leads (self, "since", g_variant_new_int64 (self->first_day + (gint64)index * 86400));
  else if (chart == self->chart[NEXUS_DASHBOARD_STATUSES] &&
           index < G_N_ELEMENTS (nexus_summary_statuses))
    filter_leads (self, "status", g_variant_new_string (nexus_summary_statuses[index]));
  else if (chart == self->chart[NEXUS_DASHBOARD_CATEGORIES] && index < self->category_keys->len)
    filter_leads (self, "category",
                  g_variant_new_string (g_ptr_array_index (self->category_keys, index)));
  else if (chart == self->chart[NEXUS_DASHBOARD_CITIES] && index < self->city_keys->len)
    filter_leads (self, "city", g_variant_new_string (g_ptr_array_index (self->city_keys, index)));
  else if (chart == self->chart[NEXUS_DASHBOARD_WORKERS])
    {
      GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

      if (NEXUS_IS_WINDOW (root))
        nexus_window_set_page (NEXUS_WINDOW (root), "workers");
    }
}

static void
add_figure (NexusDashboardPage *self, NexusDashboardFigure which, const char *caption)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *value = gtk_label_new ("–");
  GtkWidget *label = gtk_label_new (caption);

  gtk_widget_add_css_class (box, "card");
  gtk_widget_add_css_class (box, "chart-card");
  gtk_widget_add_css_class (value, "dashboard-figure");
  gtk_widget_add_css_class (label, "dim-label");
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  /* Narrow enough for the five figures to share a line on a wide window. */
  gtk_label_set_max_width_chars (GTK_LABEL (label), 14);
  gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_CENTER);
  gtk_box_append (GTK_BOX (box), value);
  gtk_box_append (GTK_BOX (box), label);
  gtk_flow_box_append (self->figures, box);
  self->figure_values[which] = GTK_LABEL (value);
}

static void
add_chart (NexusDashboardPage *self,
           NexusDashboardChart which,
           NexusChartKind      kind,
           const char         *title,
           int                 column,
           int                 row,
           int                 width)
{
  GtkWidget *chart = nexus_chart_new (kind);

  self->chart[which] = NEXUS_CHART (chart);
  g_signal_connect (chart, "bar-activated", G_CALLBACK (bar_activated_cb), self);
  gtk_grid_attach (self->charts, nexus_chart_card_new (title, chart), column, row, width, 1);
}

static void
nexus_dashboard_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (nexus_dashboard_page_parent_class)->map (widget);

  /* Days change and other processes write: fresh figures when shown. */
  request_read (NEXUS_DASHBOARD_PAGE (widget));
}

/* Follows the new engine's events instead of the previous engine's and
 * reads its figures. */
static void
nexus_dashboard_page_engine_changed (NexusPage *page, NexusEngine *old_engine)
{
  NexusDashboardPage *self = NEXUS_DASHBOARD_PAGE (page);
  NexusEngine        *engine = nexus_page_get_engine (page);

  nexus_event_watch_set_engine (self->watch, engine);
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    start_read (self);
  else
    {
      /* Mapping it reads the new vault. */
      g_cancellable_cancel (self->cancellable);
      g_clear_handle_id (&self->again_id, g_source_remove);
      nexus_page_set_loading (NEXUS_PAGE (self), FALSE);
    }
}

static void
nexus_dashboard_page_dispose (GObject *object)
{
  NexusDashboardPage *self = (NexusDashboardPage *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->again_id, g_source_remove);
  g_clear_pointer (&self->watch, nexus_event_watch_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), NEXUS_TYPE_DASHBOARD_PAGE);
  g_clear_pointer (&self->category_keys, g_ptr_array_unref);
  g_clear_pointer (&self->city_keys, g_ptr_array_unref);

  G_OBJECT_CLASS (nexus_dashboard_page_parent_class)->dispose (object);
}

static void
nexus_dashboard_page_class_init (NexusDashboardPageClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  NexusPageClass *page_class = NEXUS_PAGE_CLASS (klass);

  object_class->dispose = nexus_dashboard_page_dispose;
  widget_class->map = nexus_dashboard_page_map;
  page_class->engine_changed = nexus_dashboard_page_engine_changed;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/nexus/Nexus/ui/nexus-dashboard-page.ui");
  gtk_widget_class_bind_template_child (widget_class, NexusDashboardPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, NexusDashboardPage, figures);
  gtk_widget_class_bind_template_child (widget_class, NexusDashboardPage, charts);
  gtk_widget_class_bind_template_child (widget_class, NexusDashboardPage, no_searches);
  gtk_widget_class_bind_template_child (widget_class, NexusDashboardPage, searches);

  gtk_widget_class_install_action (widget_class, "dashboard.refresh", NULL, refresh_action);
}

static void
nexus_dashboard_page_init (NexusDashboardPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->category_keys = g_ptr_array_new_with_free_func (g_free);
  self->city_keys = g_ptr_array_new_with_free_func (g_free);
  self->cancellable = g_cancellable_new ();
  self->watch = nexus_event_watch_new (watched_kinds, RELOAD_DEBOUNCE_MS, NULL, events_cb, self);

  add_figure (self, NEXUS_DASHBOARD_LEADS, _ ("Leads in the vault"));
  add_figure (self, NEXUS_DASHBOARD_SEARCHES, _ ("Active searches"));
  add_figure (self, NEXUS_DASHBOARD_JOBS_WAITING, _ ("Jobs waiting or running"));
  add_figure (self, NEXUS_DASHBOARD_JOBS_DEAD, _ ("Jobs failed for good"));
  add_figure (self, NEXUS_DASHBOARD_WORKERS_ONLINE, _ ("Workers online"));

  add_chart (self, NEXUS_DASHBOARD_PER_DAY, NEXUS_CHART_BARS, _ ("New leads per day, last 30 days"),
             0, 0, 2);
  add_chart (self, NEXUS_DASHBOARD_STATUSES, NEXUS_CHART_HBARS, _ ("Leads by status"), 0, 1, 1);
  add_chart (self, NEXUS_DASHBOARD_WORKERS, NEXUS_CHART_HBARS, _ ("Worker health"), 1, 1, 1);
  add_chart (self, NEXUS_DASHBOARD_CATEGORIES, NEXUS_CHART_HBARS, _ ("Top categories"), 0, 2, 1);
  add_chart (self, NEXUS_DASHBOARD_CITIES, NEXUS_CHART_HBARS, _ ("Top cities"), 1, 2, 1);
}

GtkWidget *
nexus_dashboard_page_new (NexusEngine *engine)
{
  g_return_val_if_fail (engine == NULL || NEXUS_IS_ENGINE (engine), NULL);

  return g_object_new (NEXUS_TYPE_DASHBOARD_PAGE, "engine", engine, NULL);
}

NexusChart *
_nexus_dashboard_page_get_chart (NexusDashboardPage *self, NexusDashboardChart which)
{
  return self->chart[which];
}

const char *
_nexus_dashboard_page_get_figure (NexusDashboardPage *self, NexusDashboardFigure which)
{
  return gtk_label_get_text (self->figure_values[which]);
}

gint64
_nexus_dashboard_page_get_first_day (NexusDashboardPage *self)
{
  return self->first_day;
}

guint
_nexus_dashboard_page_get_reloads (NexusDashboardPage *self)
{
  return self->reloads;
}
