/* nexus-searches-page.c — searches, their progress and their runs
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One row per search: what it looks for and where, its state, a progress
 * bar over the jobs of its latest run (done / planned), the leads it added
 * to the vault, the places reported (each sighting counts, a place already
 * in the vault too), an estimate of the time left from the pace of the run, and the next
 * scheduled run; buttons pause, resume, run again and cancel (after a
 * confirmation).  Activating a row shows the search's details: its
 * settings, the jobs of the latest run by state, and every run.
 *
 * The searches are read on a reader thread; the rows are updated in place
 * (matched by search id), so a refresh neither scrolls nor steals focus.
 * Refreshes follow the engine's job and report events (gathered for a
 * moment) and run every few seconds for the relative times.  Operator
 * actions run on the engine thread through NexusJobQueue.
 */
#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "nexus-confirm.h"
#include "nexus-event-watch.h"
#include "nexus-format.h"
#include "nexus-searches-page.h"
#include "nexus-window.h"
#include "queue/nexus-job-queue.h"

#define REFRESH_DELAY_MS 400
#define REFRESH_PERIOD_S 15
#define ETA_WINDOW_S     600 /* the recent pace: jobs finished in the last 10 minutes */

/* A search as the page shows it. */
typedef struct
{
  NexusSearchRecord  *search;   /* owned */
  NexusSearchProgress progress; /* its latest run */
  gint64              recent;   /* jobs finished in the last ETA_WINDOW_S */
} SearchInfo;

/* What a read brought back. */
typedef struct
{
  GPtrArray          *searches; /* SearchInfo, by id */
  NexusSearchRecord  *detail;   /* the search shown in detail, or NULL */
  NexusSearchProgress detail_progress;
  GPtrArray          *runs; /* NexusSearchRunRecord of @detail, or NULL */
  gint64              now;  /* unix seconds of the read */
} LoadResult;

/* The widgets of one search's row. */
typedef struct
{
  GtkWidget      *row; /* owned by the list */
  GtkLabel       *name;
  GtkLabel       *state;
  GtkLabel       *summary;
  GtkLabel       *figures;
  GtkProgressBar *bar;
  GtkWidget      *pause;
  GtkWidget      *resume;
  GtkWidget      *cancel;
  GtkWidget      *rerun;
} SearchRow;

typedef enum
{
  OP_PAUSE,
  OP_RESUME,
  OP_CANCEL,
  OP_RERUN,
} Operation;

typedef struct
{
  NexusEngine *engine; /* owned */
  gint64       search_id;
  Operation    op;
} OpData;

struct _NexusSearchesPage
{
  NexusPage parent_instance;

  /* template children */
  AdwWindowTitle *window_title;
  GtkStack       *state_stack; /* "loading", "list", "empty", "detail" or "error" */
  GtkListBox     *search_list;
  AdwStatusPage  *error_page;
  GtkLabel       *detail_title;
  GtkListBox     *detail_summary;
  GtkFlowBox     *detail_counts;
  GtkListBox     *detail_runs;

  NexusEventWatch   *watch;       /* on engine */
  GCancellable      *cancellable; /* of the read in flight */
  GHashTable        *rows;        /* search id → SearchRow (owned) */
  NexusSearchEditor *editor;      /* weak; the editor open, or NULL */
  gint64             detail_id;   /* the search shown in detail, or 0 */
  NexusSearchRecord *detail;      /* owned; as last read, or NULL */
  gboolean           loaded;      /* one read has come back */
};

G_DEFINE_FINAL_TYPE (NexusSearchesPage, nexus_searches_page, NEXUS_TYPE_PAGE)

static void search_row_free (SearchRow *row);

/* --- helpers ------------------------------------------------------------ */

static void
search_info_free (SearchInfo *info)
{
  nexus_search_record_free (info->search);
  g_free (info);
}

static void
load_result_free (LoadResult *result)
{
  g_clear_pointer (&result->searches, g_ptr_array_unref);
  g_clear_pointer (&result->detail, nexus_search_record_free);
  g_clear_pointer (&result->runs, g_ptr_array_unref);
  g_free (result);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LoadResult, load_result_free)

static void
search_row_free (SearchRow *row)
{
  g_free (row);
}

static const char *
state_label (NexusSearchState state)
{
  switch (state)
    {
      case NEXUS_SEARCH_ACTIVE:
        return C_ ("search state", "Active");
      case NEXUS_SEARCH_PAUSED:
        return C_ ("search state", "Paused");
      case NEXUS_SEARCH_CANCELLED:
        return C_ ("search state", "Cancelled");
      case NEXUS_SEARCH_COMPLETED:
        return C_ ("search state", "Completed");
      default:
        return "";
    }
}

static char *
cadence_text (gint64 cadence_s)
{
  g_autofree char *every = NULL;

  if (cadence_s <= 0)
    return g_strdup (C_ ("search cadence", "Once"));
  every = nexus_format_duration (cadence_s);
  /* Translators: how often a search runs; %s is a duration ("6 hours"). */
  return g_strdup_printf (_ ("Every %s"), every);
}

static char *
region_text (const NexusSearchRecord *search)
{
  if (g_strcmp0 (search->region_kind, "place") == 0)
    return g_strdup (search->place_display != NULL ? search->place_display : search->place_name);
  if (g_strcmp0 (search->region_kind, "polygon") == 0)
    return g_strdup (C_ ("search region", "A shape"));
  return g_strdup (C_ ("search region", "A box"));
}

/* The region with its box in degrees: "Cairo, Egypt (29.9, 31.1 to 30.2, 31.4)". */
static char *
region_edges_text (const NexusSearchRecord *search)
{
  g_autoptr (NexusRegion) region = nexus_region_new_from_json (search->region, NULL);
  g_autofree char *name = region_text (search);
  g_autofree char *edges = NULL;

  if (region == NULL)
    return g_steal_pointer (&name);
  edges = nexus_format_bbox (region->bbox.south, region->bbox.west, region->bbox.north,
                             region->bbox.east);
  return g_strdup_printf ("%s (%s)", name, edges);
}

/* "cafe, bakery · OpenStreetMap (Overpass) · Cairo · Once" */
static char *
summary_text (const NexusSearchRecord *search)
{
  g_autofree char *keywords = g_strjoinv (", ", search->keywords);
  g_autofree char *region = region_text (search);
  g_autofree char *cadence = cadence_text (search->cadence_s);

  return g_strdup_printf ("%s · %s · %s · %s", keywords,
                          nexus_search_editor_provider_label (search->provider), region, cadence);
}

static char *
count_text (gint64 value)
{
  g_autofree char *count = nexus_format_count (value);

  return nexus_isolate_ltr (count);
}

/* "12 of 40 cells done · 64 new leads · 230 places reported · about 5
 * minutes left · …" */
static char *
figures_text (const SearchInfo *info, gint64 now)
{
  const NexusSearchProgress *progress = &info->progress;
  const NexusSearchRecord   *search = info->search;
  g_autoptr (GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *done = count_text (progress->done);
  g_autofree char *planned = count_text (progress->planned);
  g_autofree char *leads = count_text (progress->leads_found);
  g_autofree char *new_leads = count_text (progress->leads_new);
  gint64           eta;

  if (progress->planned == 0)
    g_ptr_array_add (parts, g_strdup (_ ("No jobs yet")));
  else
    /* Translators: progress of a search; both %s are counts of map cells
     * (one job per cell and keyword). */
    g_ptr_array_add (parts, g_strdup_printf (_ ("%s of %s cells done"), done, planned));
  /* Translators: leads this search added to the vault or the preview
   * pool (places already known are not counted). */
  g_ptr_array_add (parts, g_strdup_printf (ngettext ("%s new lead", "%s new leads",
                                                     (unsigned long)progress->leads_new),
                                           new_leads));
  /* Translators: places the workers reported for this search, counted
   * each time they were seen (new leads and leads already in the vault). */
  g_ptr_array_add (parts, g_strdup_printf (ngettext ("%s place reported", "%s places reported",
                                                     (unsigned long)progress->leads_found),
                                           leads));
  if (progress->dead > 0)
    {
      g_autofree char *dead = count_text (progress->dead);

      g_ptr_array_add (
          parts, g_strdup_printf (ngettext ("%s job failed for good", "%s jobs failed for good",
                                            (unsigned long)progress->dead),
                                  dead));
    }

  eta = search->state == NEXUS_SEARCH_ACTIVE
            ? nexus_search_progress_eta_recent (progress, info->recent, ETA_WINDOW_S, now)
            : -1;
  if (eta > 0)
    {
      g_autofree char *left = nexus_format_duration (eta);

      /* Translators: the estimated time a search still needs; %s is a
       * duration ("5 minutes"). */
      g_ptr_array_add (parts, g_strdup_printf (_ ("about %s left"), left));
    }
  if (search->state == NEXUS_SEARCH_ACTIVE && search->next_run_at > now)
    {
      g_autofree char *in = nexus_format_duration (search->next_run_at - now);

      /* Translators: %s is a duration ("6 hours"). */
      g_ptr_array_add (parts, g_strdup_printf (_ ("next run in %s"), in));
    }
  else if (search->state == NEXUS_SEARCH_COMPLETED && progress->last_finished_at > 0)
    {
      g_autofree char *when = nexus_format_relative_time (progress->last_finished_at, now);

      /* Translators: %s is a relative time ("3 minutes ago"). */
      g_ptr_array_add (parts, g_strdup_printf (_ ("finished %s"), when));
    }

  g_ptr_array_add (parts, NULL);
  return g_strjoinv (" · ", (char **)parts->pdata);
}

static double
progress_fraction (const NexusSearchProgress *progress)
{
  if (progress->planned <= 0)
    return 0.0;
  return CLAMP ((double)(progress->done + progress->dead) / (double)progress->planned, 0.0, 1.0);
}

static GtkWidget *
action_button (const char *icon_name, const char *tooltip, const char *action, gint64 id)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon_name);

  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button), g_variant_new_int64 (id));
  gtk_widget_add_css_class (button, "flat");
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip,
                                  -1);
  return button;
}

static GtkLabel *
row_label (GtkBox *box, const char *css_class)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0.0f);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  gtk_box_append (box, label);
  return GTK_LABEL (label);
}

static SearchRow *
create_row (NexusSearchesPage *self, gint64 id)
{
  SearchRow *row = g_new0 (SearchRow, 1);
  GtkWidget *outer = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *bar = gtk_progress_bar_new ();

  gtk_widget_set_margin_top (outer, 10);
  gtk_widget_set_margin_bottom (outer, 10);
  gtk_widget_set_margin_start (outer, 12);
  gtk_widget_set_margin_end (outer, 6);

  gtk_widget_set_hexpand (texts, TRUE);
  row->name = row_label (GTK_BOX (texts), "heading");
  row->summary = row_label (GTK_BOX (texts), "dim-label");
  gtk_box_append (GTK_BOX (top), texts);

  row->state = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_set_valign (GTK_WIDGET (row->state), GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (GTK_WIDGET (row->state), "search-state");
  gtk_box_append (GTK_BOX (top), GTK_WIDGET (row->state));

  row->pause = action_button ("media-playback-pause-symbolic", _ ("Pause"), "searches.pause", id);
  row->resume =
      action_button ("media-playback-start-symbolic", _ ("Resume"), "searches.resume", id);
  row->rerun = action_button ("view-refresh-symbolic", _ ("Run Again"), "searches.rerun", id);
  row->cancel = action_button ("process-stop-symbolic", _ ("Cancel…"), "searches.cancel", id);
  gtk_box_append (GTK_BOX (top), row->pause);
  gtk_box_append (GTK_BOX (top), row->resume);
  gtk_box_append (GTK_BOX (top), row->rerun);
  gtk_box_append (GTK_BOX (top), row->cancel);
  gtk_box_append (GTK_BOX (outer), top);

  row->bar = GTK_PROGRESS_BAR (bar);
  gtk_widget_set_margin_end (bar, 6);
  gtk_box_append (GTK_BOX (outer), bar);
  row->figures = row_label (GTK_BOX (outer), "caption");

  row->row = gtk_list_box_row_new ();
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row->row), outer);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row->row), TRUE);
  g_object_set_data_full (G_OBJECT (row->row), "search-id", g_memdup2 (&id, sizeof id), g_free);
  return row;
}

static void
update_row (SearchRow *row, const SearchInfo *info, gint64 now)
{
  const NexusSearchRecord *search = info->search;
  g_autofree char         *summary = summary_text (search);
  g_autofree char         *figures = figures_text (info, now);
  g_autofree char         *bar_label = NULL;
  gboolean                 active = search->state == NEXUS_SEARCH_ACTIVE;
  gboolean                 paused = search->state == NEXUS_SEARCH_PAUSED;

  gtk_label_set_text (row->name, search->name);
  gtk_label_set_text (row->summary, summary);
  gtk_widget_set_tooltip_text (GTK_WIDGET (row->summary), summary);
  gtk_label_set_text (row->state, state_label (search->state));
  gtk_label_set_text (row->figures, figures);
  gtk_progress_bar_set_fraction (row->bar, progress_fraction (&info->progress));
  /* Translators: the accessible name of a search's progress bar. */
  bar_label = g_strdup_printf (_ ("Progress of “%s”"), search->name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row->bar), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  bar_label, -1);
  gtk_widget_set_visible (row->pause, active);
  gtk_widget_set_visible (row->resume, paused);
  gtk_widget_set_visible (row->cancel, active || paused);

  for (guint i = 0; i < 4; i++)
    {
      static const char *const classes[] = { "active", "paused", "cancelled", "completed" };

      if ((guint)search->state == i)
        gtk_widget_add_css_class (GTK_WIDGET (row->state), classes[i]);
      else
        gtk_widget_remove_css_class (GTK_WIDGET (row->state), classes[i]);
    }
}

/* Rows follow @searches: new ones added, gone ones removed, the rest
 * updated where they are. */
static void
update_rows (NexusSearchesPage *self, GPtrArray *searches, gint64 now)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);
  GHashTableIter iter;
  gpointer       key, value;

  for (guint i = 0; i < searches->len; i++)
    {
      SearchInfo *info = g_ptr_array_index (searches, i);
      SearchRow  *row = g_hash_table_lookup (self->rows, &info->search->id);

      if (row == NULL)
        {
          row = create_row (self, info->search->id);
          gtk_list_box_append (self->search_list, row->row);
          g_hash_table_insert (self->rows, g_memdup2 (&info->search->id, sizeof (gint64)), row);
        }
      update_row (row, info, now);
      g_hash_table_add (seen, &info->search->id);
    }

  g_hash_table_iter_init (&iter, self->rows);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_hash_table_contains (seen, key))
      {
        gtk_list_box_remove (self->search_list, ((SearchRow *)value)->row);
        g_hash_table_iter_remove (&iter);
      }
}

static void
clear_box (GtkWidget *box)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (box)) != NULL)
    {
      if (GTK_IS_LIST_BOX (box))
        gtk_list_box_remove (GTK_LIST_BOX (box), child);
      else if (GTK_IS_FLOW_BOX (box))
        gtk_flow_box_remove (GTK_FLOW_BOX (box), child);
    }
}

static void
add_summary_row (NexusSearchesPage *self, const char *title, const char *value)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *label = gtk_label_new (value);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (label), 1.0f);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_set_tooltip_text (label, value);
  gtk_widget_add_css_class (label, "dim-label");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
  gtk_list_box_append (self->detail_summary, row);
}

static void
add_count (NexusSearchesPage *self, const char *title, gint64 value, const char *css_class)
{
  GtkWidget       *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  g_autofree char *count = count_text (value);
  GtkWidget       *number = gtk_label_new (count);
  GtkWidget       *label = gtk_label_new (title);

  gtk_widget_add_css_class (number, "title-2");
  gtk_widget_add_css_class (label, "caption");
  if (css_class != NULL && value > 0)
    gtk_widget_add_css_class (number, css_class);
  gtk_box_append (GTK_BOX (box), number);
  gtk_box_append (GTK_BOX (box), label);
  gtk_widget_add_css_class (box, "card");
  gtk_widget_set_margin_top (number, 6);
  gtk_widget_set_margin_bottom (label, 6);
  gtk_flow_box_append (self->detail_counts, box);
}

static const char *
reason_label (const char *reason)
{
  if (g_strcmp0 (reason, "initial") == 0)
    return C_ ("run reason", "First run");
  if (g_strcmp0 (reason, "schedule") == 0)
    return C_ ("run reason", "Scheduled");
  if (g_strcmp0 (reason, "rerun") == 0)
    return C_ ("run reason", "Run again by hand");
  return reason;
}

static void
update_detail (NexusSearchesPage *self, LoadResult *result)
{
  const NexusSearchRecord   *search = result->detail;
  const NexusSearchProgress *progress = &result->detail_progress;
  g_autofree char           *keywords = NULL;
  g_autofree char           *region = NULL;
  g_autofree char           *cadence = NULL;
  g_autofree char           *cell = NULL;
  g_autofree char           *depth = NULL;
  g_autofree char           *priority = NULL;
  g_autofree char           *created = NULL;
  g_autofree char           *created_isolated = NULL;
  g_autofree char           *next = NULL;

  if (search == NULL)
    {
      /* The search is gone (another console, nexusctl). */
      self->detail_id = 0;
      g_clear_pointer (&self->detail, nexus_search_record_free);
      return;
    }

  gtk_label_set_text (self->detail_title, search->name);
  clear_box (GTK_WIDGET (self->detail_summary));
  keywords = g_strjoinv (", ", search->keywords);
  region = region_edges_text (search);
  cadence = cadence_text (search->cadence_s);
  cell = nexus_format_decimal (search->cell_km, 1);
  depth = count_text (search->max_depth);
  priority = count_text (search->priority);
  created = nexus_format_date_time (search->created_at);
  created_isolated = nexus_isolate_ltr (created);
  add_summary_row (self, _ ("State"), state_label (search->state));
  add_summary_row (self, _ ("Keywords"), keywords);
  add_summary_row (self, _ ("Region"), region);
  add_summary_row (self, _ ("Provider"), nexus_search_editor_provider_label (search->provider));
  add_summary_row (self, _ ("Country"), search->country != NULL ? search->country : "—");
  add_summary_row (self, _ ("Repeat"), cadence);
  add_summary_row (self, _ ("Cell size (km)"), cell);
  add_summary_row (self, _ ("Splits of a crowded cell (depth)"), depth);
  add_summary_row (self, _ ("Priority"), priority);
  add_summary_row (self, _ ("Created"), created_isolated);
  if (search->state == NEXUS_SEARCH_ACTIVE && search->next_run_at > 0)
    {
      g_autofree char *date = nexus_format_date_time (search->next_run_at);

      next = nexus_isolate_ltr (date);
      add_summary_row (self, _ ("Next run"), next);
    }

  clear_box (GTK_WIDGET (self->detail_counts));
  add_count (self, C_ ("job state", "Planned"), progress->planned, NULL);
  add_count (self, C_ ("job state", "Queued"), progress->queued, NULL);
  add_count (self, C_ ("job state", "Running"), progress->leased, NULL);
  add_count (self, C_ ("job state", "Waiting to retry"), progress->failed, "warning");
  add_count (self, C_ ("job state", "Done"), progress->done, "success");
  add_count (self, C_ ("job state", "Dead"), progress->dead, "error");
  add_count (self, C_ ("job state", "Paused"), progress->paused, NULL);
  add_count (self, C_ ("job state", "Cancelled"), progress->cancelled, NULL);

  clear_box (GTK_WIDGET (self->detail_runs));
  for (guint i = 0; result->runs != NULL && i < result->runs->len; i++)
    {
      NexusSearchRunRecord *run = g_ptr_array_index (result->runs, i);
      GtkWidget            *row = adw_action_row_new ();
      g_autofree char      *started = nexus_format_date_time (run->started_at);
      g_autofree char      *title = NULL;
      g_autofree char      *subtitle = NULL;
      g_autofree char      *planned = count_text (run->jobs_planned);
      g_autofree char      *done = count_text (run->jobs_done);
      g_autofree char      *dead = count_text (run->jobs_dead);
      g_autofree char      *leads = count_text (run->leads_found);
      g_autofree char      *new_leads = count_text (run->leads_new);
      g_autofree char      *number = count_text (run->run);
      g_autofree char      *started_isolated = nexus_isolate_ltr (started);

      /* Translators: a run of a search: its number, why it ran, when it
       * started. */
      title = g_strdup_printf (_ ("Run %s · %s · %s"), number, reason_label (run->reason),
                               started_isolated);
      /* Translators: what a run did; every %s is a count.  New leads are
       * those the run added to the vault or the preview pool; places are
       * counted each time they were reported. */
      subtitle = g_strdup_printf (
          _ ("%s jobs planned, %s done, %s dead · %s new leads · %s places reported"), planned,
          done, dead, new_leads, leads);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_list_box_append (self->detail_runs, row);
    }
  if (result->runs == NULL || result->runs->len == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _ ("No runs yet"));
      gtk_list_box_append (self->detail_runs, row);
    }
}

static void
update_title (NexusSearchesPage *self)
{
  guint            n = g_hash_table_size (self->rows);
  g_autofree char *count = count_text (n);
  g_autofree char *subtitle = NULL;

  /* Translators: the subtitle of the Searches page; %s is a count. */
  subtitle = g_strdup_printf (ngettext ("%s search", "%s searches", n), count);
  adw_window_title_set_subtitle (self->window_title, self->loaded ? subtitle : NULL);
}

static void
show_state (NexusSearchesPage *self)
{
  if (self->detail_id > 0)
    gtk_stack_set_visible_child_name (self->state_stack, "detail");
  else if (g_hash_table_size (self->rows) > 0)
    gtk_stack_set_visible_child_name (self->state_stack, "list");
  else
    gtk_stack_set_visible_child_name (self->state_stack, self->loaded ? "empty" : "loading");

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "searches.show-on-map", self->detail_id > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "searches.show-jobs", self->detail_id > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "searches.edit",
                                 self->detail_id > 0 && self->detail != NULL &&
                                     self->detail->id == self->detail_id);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "searches.new",
                                 nexus_page_get_engine (NEXUS_PAGE (self)) != NULL);
}

/* --- reading ------------------------------------------------------------ */

static gpointer
load_func (NexusStore *store, gpointer data, GError **error)
{
  gint64 detail_id = *(gint64 *)data;
  g_autoptr (LoadResult) result = g_new0 (LoadResult, 1);
  g_autoptr (GPtrArray) searches = NULL;

  result->now = g_get_real_time () / G_USEC_PER_SEC;
  searches = nexus_store_search_list (store, error);
  if (searches == NULL)
    return NULL;

  result->searches = g_ptr_array_new_with_free_func ((GDestroyNotify)search_info_free);
  for (guint i = 0; i < searches->len; i++)
    {
      SearchInfo *info = g_new0 (SearchInfo, 1);

      info->search = g_steal_pointer (&searches->pdata[i]);
      g_ptr_array_add (result->searches, info);
      if (!nexus_store_search_progress (store, info->search->id, &info->progress, error) ||
          !nexus_store_search_count_finished_since (
              store, info->search->id, result->now - ETA_WINDOW_S, &info->recent, error))
        return NULL;
    }

  if (detail_id > 0)
    {
      g_autoptr (GError) local_error = NULL;

      result->detail = nexus_store_search_get (store, detail_id, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      if (result->detail != NULL &&
          (!nexus_store_search_progress (store, detail_id, &result->detail_progress, error) ||
           !(result->runs = nexus_store_search_list_runs (store, detail_id, error))))
        return NULL;
    }
  return g_steal_pointer (&result);
}

static void
loaded_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  NexusSearchesPage *self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (LoadResult) result = NULL;

  result = nexus_engine_read_finish (NEXUS_ENGINE (source), res, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->cancellable);

  if (result == NULL)
    {
      g_autofree char *markup = g_markup_escape_text (error->message, -1);

      adw_status_page_set_description (self->error_page, markup);
      gtk_stack_set_visible_child_name (self->state_stack, "error");
      nexus_page_set_loading (NEXUS_PAGE (self), FALSE);
      return;
    }

  self->loaded = TRUE;
  update_rows (self, result->searches, result->now);
  if (self->detail_id > 0)
    {
      update_detail (self, result);
      g_clear_pointer (&self->detail, nexus_search_record_free);
      self->detail = g_steal_pointer (&result->detail);
    }
  update_title (self);
  show_state (self);
  nexus_page_set_loading (NEXUS_PAGE (self), FALSE);
}

/**
 * nexus_searches_page_refresh:
 *
 * Reads the searches again (a read in flight is replaced).
 */
void
nexus_searches_page_refresh (NexusSearchesPage *self)
{
  NexusEngine *engine;

  g_return_if_fail (NEXUS_IS_SEARCHES_PAGE (self));

  engine = nexus_page_get_engine (NEXUS_PAGE (self));
  if (engine == NULL)
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  nexus_page_set_loading (NEXUS_PAGE (self), TRUE);
  nexus_engine_read_async (engine, load_func, g_memdup2 (&self->detail_id, sizeof (gint64)), g_free,
                           self->cancellable, loaded_cb, self);
}

static void
watch_cb (gpointer user_data)
{
  nexus_searches_page_refresh (NEXUS_SEARCHES_PAGE (user_data));
}

/* --- operations ----------------------------------------------------------- */

static void
op_data_free (OpData *data)
{
  g_clear_object (&data->engine);
  g_free (data);
}

static gpointer
op_func (NexusStore *store, gpointer data, GError **error)
{
  OpData        *op = data;
  NexusJobQueue *queue = nexus_engine_get_queue (op->engine);
  gboolean       ok = FALSE;

  switch (op->op)
    {
      case OP_PAUSE:
        ok = nexus_job_queue_pause_search (queue, op->search_id, error);
        break;
      case OP_RESUME:
        ok = nexus_job_queue_resume_search (queue, op->search_id, error);
        break;
      case OP_CANCEL:
        ok = nexus_job_queue_cancel_search (queue, op->search_id, error);
        break;
      case OP_RERUN:
        ok = nexus_job_queue_rerun_search (queue, op->search_id, NULL, error);
        break;
      default:
        g_assert_not_reached ();
    }
  return ok ? GINT_TO_POINTER (TRUE) : NULL;
}

static void
op_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (NexusSearchesPage) self = user_data;
  g_autoptr (GError) error = NULL;

  if (nexus_engine_run_finish (NEXUS_ENGINE (source), result, &error) == NULL)
    nexus_window_toast (GTK_WIDGET (self), error->message);
  if (nexus_page_get_engine (NEXUS_PAGE (self)) != NULL)
    nexus_searches_page_refresh (self);
}

static void
run_operation (NexusSearchesPage *self, gint64 search_id, Operation op)
{
  NexusEngine *engine = nexus_page_get_engine (NEXUS_PAGE (self));
  OpData      *data;

  if (engine == NULL)
    return;

  data = g_new0 (OpData, 1);
  data->engine = g_object_ref (engine);
  data->search_id = search_id;
  data->op = op;
  nexus_engine_run_async (engine, op_func, data, (GDestroyNotify)op_data_free, NULL, op_done_cb,
                          g_object_ref (self));
}

static void
operation_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  NexusSearchesPage *self = NEXUS_SEARCHES_PAGE (widget);
  gint64             id = g_variant_get_int64 (parameter);

  if (g_str_equal (action_name, "searches.pause"))
    run_operation (self, id, OP_PAUSE);
  else if (g_str_equal (action_name, "searches.resume"))
    run_operation (self, id, OP_RESUME);
  else if (g_str_equal (action_name, "searches.rerun"))
    run_operation (self, id, OP_RERUN);
}

typedef struct
{
  NexusSearchesPage *self; /* owned */
  gint64             search_id;
} CancelData;

static void
cancel_data_free (gpointer data)
{
  CancelData *cancel = data;

  g_object_unref (cancel->self);
  g_free (cancel);
}

static void
cancel_confirmed (gpointer data)
{
  CancelData *cancel = data;

  run_operation (cancel->self, cancel->search_id, OP_CANCEL);
}

static void
cancel_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  NexusSearchesPage *self = NEXUS_SEARCHES_PAGE (widget);
  CancelData        *cancel = g_new0 (CancelData, 1);
  SearchRow         *row;
  g_autofree char   *body = NULL;

  cancel->self = g_object_ref (self);
  cancel->search_id = g_variant_get_int64 (parameter);
  row = g_hash_table_lookup (self->rows, &cancel->search_id);
  body = g_strdup_printf (
      _ ("“%s” stops now: its queued jobs are cancelled and workers drop the jobs they hold. "
         "The leads already found stay. You can run it again later."),
      row != NULL ? gtk_label_get_text (row->name) : "");
  nexus_confirm (widget, _ ("Cancel This Search?"), body, _ ("_Keep Running"), _ ("C_ancel Search"),
                 cancel_confirmed, cancel, cancel_data_free);
}

static void
new_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  nexus_searches_page_new_search (NEXUS_SEARCHES_PAGE (widget), NULL);
}

static void
show_list_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  NexusSearchesPage *self = NEXUS_SEARCHES_PAGE (widget);

  self->detail_id = 0;
  show_state (self);
}

static void
show_on_map_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  NexusSearchesPage *self = NEXUS_SEARCHES_PAGE (widget);

  if (self->detail_id > 0 &&
      !gtk_widget_activate_action (widget, "win.show-search-on-map", "x", self->detail_id))
    nexus_window_toast (GTK_WIDGET (self), _ ("The map cannot show searches in this version yet."));
}

static void
show_jobs_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  NexusSearchesPage *self = NEXUS_SEARCHES_PAGE (widget);

  if (self->detail_id > 0)
    gtk_widget_activate_action (widget, "win.show-jobs", "x", self->detail_id);
}

static void
search_saved_cb (NexusSearchesPage *self, gint64 search_id, NexusSearchEditor *editor)
{
  nexus_window_toast (GTK_WIDGET (self), _ ("Search saved"));
  nexus_searches_page_refresh (self);
}

static void
edit_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  NexusSearchesPage *self = NEXUS_SEARCHES_PAGE (widget);

  if (self->detail != NULL && self->detail->id == self->detail_id)
    nexus_searches_page_edit_search (self, self->detail);
}

static void
row_activated_cb (NexusSearchesPage *self, GtkListBoxRow *row, GtkListBox *list)
{
  gint64 *id = g_object_get_data (G_OBJECT (row), "search-id");

  if (id != NULL)
    nexus_searches_page_show_search (self, *id);
}

static void
search_created_cb (NexusSearchesPage *self, gint64 search_id, guint n_jobs, NexusSearchEditor *ed)
{
  g_autofree char *text = NULL;

  /* Translators: shown once a search was created; %u is a count. */
  text = g_strdup_printf (
      ngettext ("Search created: %u job queued", "Search created: %u jobs queued", n_jobs), n_jobs);
  nexus_window_toast (GTK_WIDGET (self), text);
  nexus_searches_page_refresh (self);
}

/* A new editor, modal to the window, followed by the page. */
static void
open_editor (NexusSearchesPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  self->editor = nexus_search_editor_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                          nexus_page_get_engine (NEXUS_PAGE (self)));
  g_object_add_weak_pointer (G_OBJECT (self->editor), (gpointer *)&self->editor);
  g_signal_connect_object (self->editor, "search-created", G_CALLBACK (search_created_cb), self,
                           G_CONNECT_SWAPPED);
}

/* --- GObject ------------------------------------------------------------ */

/* Follows a new engine: the old one's events are no longer watched and
 * the rows are read again. */
static void
nexus_searches_page_engine_changed (NexusPage *page, NexusEngine *old_engine)
{
  static const char *const prefixes[] = { "job.", "search.", NULL };
  NexusSearchesPage       *self = NEXUS_SEARCHES_PAGE (page);
  NexusEngine             *engine = nexus_page_get_engine (page);

  g_clear_pointer (&self->watch, nexus_event_watch_free);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  /* Rows of the old vault mean nothing in the new one. */
  update_rows (self, &(GPtrArray){ 0 }, 0);
  self->detail_id = 0;
  g_clear_pointer (&self->detail, nexus_search_record_free);
  self->loaded = FALSE;
  update_title (self);
  show_state (self);

  if (engine != NULL)
    {
      self->watch = nexus_event_watch_new_for_widget (
          engine, prefixes, REFRESH_DELAY_MS, REFRESH_PERIOD_S, GTK_WIDGET (self), watch_cb, self);
      nexus_searches_page_refresh (self);
    }
}

static void
nexus_searches_page_dispose (GObject *object)
{
  NexusSearchesPage *self = NEXUS_SEARCHES_PAGE (object);

  g_clear_pointer (&self->watch, nexus_event_watch_free);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->editor != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->editor), (gpointer *)&self->editor);
      gtk_window_destroy (GTK_WINDOW (self->editor));
      self->editor = NULL;
    }
  gtk_widget_dispose_template (GTK_WIDGET (object), NEXUS_TYPE_SEARCHES_PAGE);
  g_clear_pointer (&self->rows, g_hash_table_unref);
  g_clear_pointer (&self->detail, nexus_search_record_free);

  G_OBJECT_CLASS (nexus_searches_page_parent_class)->dispose (object);
}

static void
nexus_searches_page_class_init (NexusSearchesPageClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  NexusPageClass *page_class = NEXUS_PAGE_CLASS (klass);

  object_class->dispose = nexus_searches_page_dispose;
  page_class->engine_changed = nexus_searches_page_engine_changed;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/nexus/Nexus/ui/nexus-searches-page.ui");
  gtk_widget_class_bind_template_child (widget_class, NexusSearchesPage, window_title);
  gtk_widget_class_bind_template_child (widget_class, NexusSearchesPage, state_stack);
  gtk_widget_class_bind_template_child (widget_class, NexusSearchesPage, search_list);
  gtk_widget_class_bind_template_child (widget_class, NexusSearchesPage, error_page);
  gtk_widget_class_bind_template_child (widget_class, NexusSearchesPage, detail_title);
  gtk_widget_class_bind_template_child (widget_class, NexusSearchesPage, detail_summary);
  gtk_widget_class_bind_template_child (widget_class, NexusSearchesPage, detail_counts);
  gtk_widget_class_bind_template_child (widget_class, NexusSearchesPage, detail_runs);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);

  gtk_widget_class_install_action (widget_class, "searches.new", NULL, new_action);
  gtk_widget_class_install_action (widget_class, "searches.pause", "x", operation_action);
  gtk_widget_class_install_action (widget_class, "searches.resume", "x", operation_action);
  gtk_widget_class_install_action (widget_class, "searches.rerun", "x", operation_action);
  gtk_widget_class_install_action (widget_class, "searches.cancel", "x", cancel_action);
  gtk_widget_class_install_action (widget_class, "searches.show-list", NULL, show_list_action);
  gtk_widget_class_install_action (widget_class, "searches.show-on-map", NULL, show_on_map_action);
  gtk_widget_class_install_action (widget_class, "searches.show-jobs", NULL, show_jobs_action);
  gtk_widget_class_install_action (widget_class, "searches.edit", NULL, edit_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "searches.new",
                                       NULL);
}

static void
nexus_searches_page_init (NexusSearchesPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->rows =
      g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, (GDestroyNotify)search_row_free);
  show_state (self);
}

/* --- public API ----------------------------------------------------------- */

GtkWidget *
nexus_searches_page_new (NexusEngine *engine)
{
  return g_object_new (NEXUS_TYPE_SEARCHES_PAGE, "engine", engine, NULL);
}

/**
 * nexus_searches_page_new_search:
 * @geojson: (nullable): a GeoJSON geometry for the region, or %NULL or ""
 *   for none
 *
 * Opens the search editor (or brings the open one forward), with @geojson
 * as its region when given.
 *
 * Returns: (transfer none) (nullable): the editor, or %NULL without an
 *   engine
 */
NexusSearchEditor *
nexus_searches_page_new_search (NexusSearchesPage *self, const char *geojson)
{
  g_return_val_if_fail (NEXUS_IS_SEARCHES_PAGE (self), NULL);

  if (nexus_page_get_engine (NEXUS_PAGE (self)) == NULL)
    return NULL;

  if (self->editor == NULL)
    open_editor (self);
  if (geojson != NULL && *geojson != '\0')
    nexus_search_editor_set_shape (self->editor, geojson, NULL);
  gtk_window_present (GTK_WINDOW (self->editor));
  return self->editor;
}

/**
 * nexus_searches_page_edit_search:
 * @search: the search to change, as read
 *
 * Opens the search editor on @search (an editor already open is closed).
 *
 * Returns: (transfer none) (nullable): the editor, or %NULL without an
 *   engine
 */
NexusSearchEditor *
nexus_searches_page_edit_search (NexusSearchesPage *self, const NexusSearchRecord *search)
{
  g_return_val_if_fail (NEXUS_IS_SEARCHES_PAGE (self), NULL);
  g_return_val_if_fail (search != NULL, NULL);

  if (nexus_page_get_engine (NEXUS_PAGE (self)) == NULL)
    return NULL;
  if (self->editor != NULL)
    gtk_window_destroy (GTK_WINDOW (self->editor));
  open_editor (self);
  nexus_search_editor_set_search (self->editor, search);
  g_signal_connect_object (self->editor, "search-saved", G_CALLBACK (search_saved_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (self->editor));
  return self->editor;
}

/**
 * nexus_searches_page_show_search:
 *
 * Shows the details of search @search_id.
 */
void
nexus_searches_page_show_search (NexusSearchesPage *self, gint64 search_id)
{
  g_return_if_fail (NEXUS_IS_SEARCHES_PAGE (self));

  self->detail_id = search_id;
  g_clear_pointer (&self->detail, nexus_search_record_free);
  gtk_label_set_text (self->detail_title, "");
  clear_box (GTK_WIDGET (self->detail_summary));
  clear_box (GTK_WIDGET (self->detail_counts));
  clear_box (GTK_WIDGET (self->detail_runs));
  show_state (self);
  nexus_searches_page_refresh (self);
}

/**
 * nexus_searches_page_describe_row:
 *
 * Returns: (nullable): the texts of the row of @search_id, one per line
 *   (name, summary, state, figures), or %NULL when it has none
 */
char *
nexus_searches_page_describe_row (NexusSearchesPage *self, gint64 search_id)
{
  SearchRow *row;

  g_return_val_if_fail (NEXUS_IS_SEARCHES_PAGE (self), NULL);

  row = g_hash_table_lookup (self->rows, &search_id);
  if (row == NULL)
    return NULL;
  return g_strdup_printf ("%s\n%s\n%s\n%s", gtk_label_get_text (row->name),
                          gtk_label_get_text (row->summary), gtk_label_get_text (row->state),
                          gtk_label_get_text (row->figures));
}

/**
 * nexus_searches_page_get_row_fraction:
 *
 * Returns: the progress bar's fraction in the row of @search_id, or -1
 */
double
nexus_searches_page_get_row_fraction (NexusSearchesPage *self, gint64 search_id)
{
  SearchRow *row;

  g_return_val_if_fail (NEXUS_IS_SEARCHES_PAGE (self), -1);

  row = g_hash_table_lookup (self->rows, &search_id);
  return row != NULL ? gtk_progress_bar_get_fraction (row->bar) : -1;
}
