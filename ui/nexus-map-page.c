/* nexus-map-page.c — leads and search areas on a map
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A ShumateSimpleMap over the offline base map (or OpenStreetMap's tiles
 * when the operator allows the network), with two layers of our own: the
 * cells of one search (NexusMapAreasLayer, also where new search areas are
 * drawn) and the leads, clustered (NexusMapLeadsLayer).
 *
 * The leads are those of the leads grid's current query: the page follows
 * the leads page's "query" property.  They are read and indexed on a
 * reader thread (nexus_engine_read_async()); the result is immutable and
 * replaces the layer's index in one step.  Leads that workers report later
 * are read by id (only those after the largest id already held) and the
 * index is rebuilt from the union, at most once a second.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "leads/nexus-normalize.h"
#include "nexus-format.h"
#include "nexus-leads-page.h"
#include "nexus-map-areas-layer.h"
#include "nexus-map-basemap.h"
#include "nexus-map-leads-layer.h"
#include "nexus-map-page-private.h"
#include "nexus-window.h"
#include "providers/nexus-nominatim.h"
#include "store/nexus-store-leads-view.h"
#include "store/nexus-store-leads.h"
#include "store/nexus-store-map.h"

#define REFRESH_DELAY_MS 1000
#define N_STATUSES       5
#define HINT_SECONDS     8

/* The leads the layer shows, with what is needed to add new ones.
 * Immutable once built; shared (atomic reference count). */
typedef struct
{
  GArray            *points;     /* of NexusGeoPoint */
  GPtrArray         *categories; /* interned names (NULL: none), most frequent first */
  gint64             max_id;     /* the largest lead id read */
  NexusClusterIndex *index;
} MapData;

struct _NexusMapPage
{
  NexusPage parent_instance;

  /* template children */
  ShumateSimpleMap *map;
  GtkSearchEntry   *place_entry;
  GtkMenuButton    *draw_button;
  GtkLabel         *hint_label;
  GtkWidget        *legend;
  GtkWidget        *cells_legend;
  GtkWidget        *cells_legend_rows;
  GtkLabel         *search_label;

  NexusMapLeadsLayer *leads_layer; /* owned by the map */
  NexusMapAreasLayer *areas_layer; /* owned by the map */
  NexusMapBasemap    *basemap;     /* owned */
  ShumateMapSource   *offline_source;
  GSettings          *settings; /* NULL without the schema */
  GSimpleActionGroup *actions;

  guint            event_watch; /* on the engine's event bus, 0: none */
  GtkWidget       *leads_page;  /* not owned: the window's, while rooted */
  gulong           query_handler;
  guint            follow_source; /* finds the leads page once rooted */
  NexusLeadsQuery *query;         /* owned: the leads shown */

  MapData      *data; /* the leads in the layer, NULL before the first read */
  GCancellable *load_cancellable;
  gint64        load_started;      /* monotonic µs, for the debug log */
  guint         refresh_source;    /* the pending read of new leads */
  gboolean      new_leads_pending; /* reported during a read: read after it */
  gboolean      stale;             /* the leads changed while the page was not shown */

  gint64        search_id; /* the search whose cells are shown, 0: none */
  GCancellable *cells_cancellable;
  guint         cells_source;
  gboolean      fit_cells;  /* fit the view to the cells once they are read */
  guint         fit_tick;   /* fit_box waits for the map's size */
  double        fit_box[4]; /* min x, min y, max x, max y; normalized */

  GtkPopover   *popover;
  GtkLabel     *popover_name;
  GtkLabel     *popover_phone;
  GtkLabel     *popover_category;
  GtkLabel     *popover_more;
  GtkButton    *popover_details;
  gint64        popover_lead;
  GCancellable *popover_cancellable;

  double   drag_x, drag_y; /* where a rectangle's drag began, layer coordinates */
  gboolean dragging;       /* a rectangle is being dragged */

  guint hint_source; /* hides an error hint */
};

G_DEFINE_FINAL_TYPE (NexusMapPage, nexus_map_page, NEXUS_TYPE_PAGE)

static const char *const status_names[N_STATUSES] = { "new", "contacted", "qualified", "won",
                                                      "lost" };

static void load_leads (NexusMapPage *self, gboolean only_new);
static void load_cells (NexusMapPage *self);
static void finish_polygon (NexusMapPage *self);

/* Cancels the work that @cancellable guards, if any. */
static void
stop_cancellable (GCancellable **cancellable)
{
  g_cancellable_cancel (*cancellable);
  g_clear_object (cancellable);
}

/* Cancels the work that @cancellable guards and gives the next a fresh one:
 * an answer to an older request is then dropped. */
static void
restart_cancellable (GCancellable **cancellable)
{
  stop_cancellable (cancellable);
  *cancellable = g_cancellable_new ();
}

/* MapData */

static void
map_data_clear (gpointer data)
{
  MapData *map = data;

  g_clear_pointer (&map->points, g_array_unref);
  g_clear_pointer (&map->categories, g_ptr_array_unref);
  g_clear_pointer (&map->index, nexus_cluster_index_unref);
}

static void
map_data_unref (MapData *map)
{
  g_atomic_rc_box_release_full (map, map_data_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MapData, map_data_unref)

static const char *
status_label (guint status)
{
  switch (status)
    {
      case 0:
        return C_ ("lead status", "New");
      case 1:
        return C_ ("lead status", "Contacted");
      case 2:
        return C_ ("lead status", "Qualified");
      case 3:
        return C_ ("lead status", "Won");
      default:
        return C_ ("lead status", "Lost");
    }
}

static guint8
status_number (const char *status)
{
  for (guint8 s = 0; s < N_STATUSES; s++)
    if (g_strcmp0 (status, status_names[s]) == 0)
      return s;
  return 0;
}

typedef struct
{
  NexusLeadsQuery *query;
  MapData         *base; /* NULL: read every lead */
} LoadJob;

static void
load_job_free (gpointer data)
{
  LoadJob *job = data;

  nexus_leads_query_free (job->query);
  g_clear_pointer (&job->base, map_data_unref);
  g_free (job);
}

static int
compare_counts_desc (gconstpointer a, gconstpointer b, gpointer user_data)
{
  const guint *counts = user_data;
  guint        ca = counts[*(const guint *)a], cb = counts[*(const guint *)b];

  if (ca != cb)
    return ca > cb ? -1 : 1;
  return *(const guint *)a < *(const guint *)b ? -1 : 1;
}

/* Reader thread: the leads of the query (after the base's), merged with
 * the base's, categories renumbered by frequency, and the index. */
static gpointer
load_thread (NexusStore *store, gpointer data, GError **error)
{
  LoadJob *job = data;
  g_autoptr (GArray) rows = NULL;
  g_autoptr (GHashTable) numbers = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autoptr (GPtrArray) names = g_ptr_array_new ();
  g_autofree guint   *counts = NULL;
  g_autofree guint   *order = NULL;
  g_autofree guint16 *renumber = NULL;
  MapData            *map;

  rows =
      nexus_store_leads_view_points (store, job->query, job->base ? job->base->max_id : 0, error);
  if (rows == NULL)
    return NULL;

  map = g_atomic_rc_box_new0 (MapData);
  map->points = g_array_sized_new (FALSE, FALSE, sizeof (NexusGeoPoint),
                                   rows->len + (job->base ? job->base->points->len : 0));
  if (job->base != NULL)
    {
      g_array_append_vals (map->points, job->base->points->data, job->base->points->len);
      for (guint i = 0; i < job->base->categories->len; i++)
        {
          g_ptr_array_add (names, job->base->categories->pdata[i]);
          g_hash_table_insert (numbers, job->base->categories->pdata[i], GUINT_TO_POINTER (i + 1));
        }
      map->max_id = job->base->max_id;
    }

  for (guint i = 0; i < rows->len; i++)
    {
      const NexusLeadsViewPoint *row = &g_array_index (rows, NexusLeadsViewPoint, i);
      NexusGeoPoint              point;
      guint number = GPOINTER_TO_UINT (g_hash_table_lookup (numbers, row->category));

      if (number == 0)
        {
          g_ptr_array_add (names, (gpointer)row->category);
          number = names->len;
          g_hash_table_insert (numbers, (gpointer)row->category, GUINT_TO_POINTER (number));
        }
      point.id = row->id;
      point.lat = row->lat;
      point.lon = row->lon;
      point.category = (guint16)MIN (number - 1, G_MAXUINT16);
      point.status = status_number (row->status);
      g_array_append_val (map->points, point);
      map->max_id = MAX (map->max_id, row->id);
    }

  /* Most frequent first: the palette's colours go to the common ones. */
  counts = g_new0 (guint, MAX (names->len, 1));
  order = g_new (guint, MAX (names->len, 1));
  renumber = g_new (guint16, MAX (names->len, 1));
  for (guint i = 0; i < map->points->len; i++)
    counts[g_array_index (map->points, NexusGeoPoint, i).category]++;
  for (guint i = 0; i < names->len; i++)
    order[i] = i;
  g_qsort_with_data (order, (gint)names->len, sizeof (guint), compare_counts_desc, counts);
  map->categories = g_ptr_array_new ();
  for (guint i = 0; i < names->len; i++)
    {
      renumber[order[i]] = (guint16)i;
      g_ptr_array_add (map->categories, names->pdata[order[i]]);
    }
  for (guint i = 0; i < map->points->len; i++)
    {
      NexusGeoPoint *point = &g_array_index (map->points, NexusGeoPoint, i);

      point->category = renumber[point->category];
    }

  map->index = nexus_cluster_index_new ((const NexusGeoPoint *)map->points->data, map->points->len);
  return map;
}

/* Legends */

static void
clear_box (GtkWidget *box)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (box)) != NULL)
    gtk_box_remove (GTK_BOX (box), child);
}

static void
add_legend_row (GtkWidget *box, const GdkRGBA *color, const char *text)
{
  g_autofree char *hex = g_strdup_printf ("#%02x%02x%02x", (int)(color->red * 255),
                                          (int)(color->green * 255), (int)(color->blue * 255));
  g_autofree char *markup = NULL;
  GtkWidget       *label;

  markup = g_markup_printf_escaped ("<span foreground=\"%s\">\u25cf</span> %s", hex, text);
  label = gtk_label_new (NULL);
  gtk_label_set_markup (GTK_LABEL (label), markup);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_box_append (GTK_BOX (box), label);
}

static char *
category_label (const char *category)
{
  g_autofree char *spaced = NULL;

  if (category == NULL)
    return g_strdup (C_ ("lead category", "Uncategorized"));
  spaced = g_strdelimit (g_strdup (category), "_", ' ');
  return g_steal_pointer (&spaced);
}

static void
update_legend (NexusMapPage *self)
{
  NexusMapColorBy color_by = nexus_map_leads_layer_get_color_by (self->leads_layer);
  GdkRGBA         color;

  clear_box (self->legend);
  if (color_by == NEXUS_MAP_COLOR_BY_STATUS)
    {
      for (guint s = 0; s < N_STATUSES; s++)
        {
          nexus_map_color_for (color_by, s, &color);
          add_legend_row (self->legend, &color, status_label (s));
        }
      return;
    }

  for (guint i = 0;
       self->data != NULL && i < self->data->categories->len && i < NEXUS_MAP_N_PALETTE; i++)
    {
      g_autofree char *label = NULL;

      nexus_map_color_for (color_by, i, &color);
      if (i == NEXUS_MAP_N_PALETTE - 1 && self->data->categories->len > NEXUS_MAP_N_PALETTE)
        label = g_strdup (C_ ("lead category", "Other"));
      else
        label = category_label (self->data->categories->pdata[i]);
      add_legend_row (self->legend, &color, label);
    }
}

static void
update_cells_legend (NexusMapPage *self)
{
  GdkRGBA color;

  clear_box (self->cells_legend_rows);
  for (guint s = 0; s < NEXUS_MAP_N_CELL_STATES; s++)
    {
      const char *label = NULL;

      switch (s)
        {
          case NEXUS_MAP_CELL_QUEUED:
            label = C_ ("search cell state", "Queued");
            break;
          case NEXUS_MAP_CELL_LEASED:
            label = C_ ("search cell state", "Being searched");
            break;
          case NEXUS_MAP_CELL_DONE:
            label = C_ ("search cell state", "Done");
            break;
          case NEXUS_MAP_CELL_FAILED:
            label = C_ ("search cell state", "Failed");
            break;
          default:
            label = C_ ("search cell state", "Capped by the provider");
            break;
        }
      nexus_map_cell_color (s, &color);
      add_legend_row (self->cells_legend_rows, &color, label);
    }
}

/* Hint */

static gboolean
hide_hint_cb (gpointer data)
{
  NexusMapPage *self = data;

  self->hint_source = 0;
  gtk_widget_set_visible (GTK_WIDGET (self->hint_label), FALSE);
  gtk_widget_remove_css_class (GTK_WIDGET (self->hint_label), "error");
  return G_SOURCE_REMOVE;
}

/* Shows @text over the map (NULL: hides it).  A message about a mistake
 * goes away by itself after a while; instructions stay while they apply. */
static void
show_hint (NexusMapPage *self, const char *text, gboolean error)
{
  g_clear_handle_id (&self->hint_source, g_source_remove);
  gtk_label_set_text (self->hint_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->hint_label), text != NULL);
  if (error)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->hint_label), "error");
      self->hint_source = g_timeout_add_seconds (HINT_SECONDS, hide_hint_cb, self);
    }
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->hint_label), "error");
}

static void
update_draw_hint (NexusMapPage *self)
{
  switch (nexus_map_areas_layer_get_mode (self->areas_layer))
    {
      case NEXUS_MAP_DRAW_RECTANGLE:
        show_hint (self, _ ("Drag across the map to draw the search area. Esc cancels."), FALSE);
        break;
      case NEXUS_MAP_DRAW_POLYGON:
        show_hint (self,
                   _ ("Click to add corners; double-click or press Enter to finish. Esc cancels."),
                   FALSE);
        break;
      default:
        show_hint (self, NULL, FALSE);
        break;
    }
}

/* Loading leads */

static void
set_loading (NexusMapPage *self, gboolean loading)
{
  if (!nexus_page_set_loading (NEXUS_PAGE (self), loading))
    return;

  /* A first read of a large vault takes seconds: say so, unless the hint
   * is busy with a drawing or an error. */
  if (nexus_map_areas_layer_get_mode (self->areas_layer) == NEXUS_MAP_DRAW_NONE &&
      !gtk_widget_has_css_class (GTK_WIDGET (self->hint_label), "error"))
    show_hint (self, loading ? _ ("Placing the leads on the map…") : NULL, FALSE);
}

static void
loaded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (NexusMapPage) self = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (MapData) map = NULL;

  map = nexus_engine_read_finish (NEXUS_ENGINE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = g_object_ref (user_data);

  if (map == NULL)
    {
      g_autofree char *text =
          g_strdup_printf (_ ("The leads could not be read: %s"), error->message);

      g_clear_object (&self->load_cancellable);
      set_loading (self, FALSE);
      show_hint (self, text, TRUE);
      return;
    }

  g_clear_object (&self->load_cancellable);
  g_clear_pointer (&self->data, map_data_unref);
  self->data = g_steal_pointer (&map);
  g_debug ("The map holds %u leads, read and indexed in %" G_GINT64_FORMAT " ms",
           self->data->points->len, (g_get_monotonic_time () - self->load_started) / 1000);
  nexus_map_leads_layer_set_index (self->leads_layer, self->data->index, self->data->categories);
  update_legend (self);
  set_loading (self, FALSE);

  /* Leads reported while this read ran: read them now (only those). */
  if (self->new_leads_pending)
    load_leads (self, TRUE);
}

static void load_leads (NexusMapPage *self, gboolean only_new);

static void
mapped_cb (NexusMapPage *self)
{
  if (self->stale)
    load_leads (self, FALSE);
}

static void
load_leads (NexusMapPage *self, gboolean only_new)
{
  NexusEngine *engine = nexus_page_get_engine (NEXUS_PAGE (self));
  LoadJob     *job;

  if (engine == NULL)
    return;

  /* The leads are read and indexed only for a page on screen: a console
   * that never opens the map does not hold a million points.  Shown
   * again, the page reads them anew. */
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      self->stale = TRUE;
      return;
    }
  self->stale = FALSE;

  /* A read of new leads waits for the read in flight, then runs. */
  if (only_new && (self->load_cancellable != NULL || self->data == NULL))
    {
      self->new_leads_pending = self->data != NULL || self->load_cancellable != NULL;
      return;
    }
  self->new_leads_pending = FALSE;

  restart_cancellable (&self->load_cancellable);

  if (!only_new)
    self->new_leads_pending = FALSE;
  job = g_new0 (LoadJob, 1);
  job->query =
      self->query != NULL ? nexus_leads_query_copy (self->query) : nexus_leads_query_new ();
  job->base = only_new && self->data != NULL ? g_atomic_rc_box_acquire (self->data) : NULL;
  set_loading (self, TRUE);
  self->load_started = g_get_monotonic_time ();
  nexus_engine_read_async (engine, load_thread, job, load_job_free, self->load_cancellable,
                           loaded_cb, self);
}

static gboolean
refresh_timeout_cb (gpointer data)
{
  NexusMapPage *self = data;

  self->refresh_source = 0;
  load_leads (self, TRUE);
  return G_SOURCE_REMOVE;
}

static gboolean
cells_timeout_cb (gpointer data)
{
  NexusMapPage *self = data;

  self->cells_source = 0;
  load_cells (self);
  return G_SOURCE_REMOVE;
}

/* Engine events: new leads from workers, cells changing state. */
static void
event_cb (NexusEvent *event, gpointer user_data)
{
  NexusMapPage *self = user_data;

  if (!g_str_has_prefix (event->kind, "job."))
    return;

  if ((g_str_equal (event->kind, "job.reported") || g_str_equal (event->kind, "job.completed")) &&
      event->data != NULL && json_object_get_int_member_with_default (event->data, "new", 0) > 0 &&
      self->refresh_source == 0)
    self->refresh_source = g_timeout_add (REFRESH_DELAY_MS, refresh_timeout_cb, self);

  if (self->search_id != 0 && self->cells_source == 0)
    self->cells_source = g_timeout_add (REFRESH_DELAY_MS, cells_timeout_cb, self);
}

/* Following the leads grid */

static void
query_notify_cb (NexusMapPage *self)
{
  const NexusLeadsQuery *query = nexus_leads_page_get_query (NEXUS_LEADS_PAGE (self->leads_page));
  g_autoptr (NexusLeadsQuery) shown =
      self->query != NULL ? nexus_leads_query_copy (self->query) : nexus_leads_query_new ();

  /* Sorting the grid changes its query but not the leads: no new read. */
  if (query != NULL)
    {
      shown->sort = query->sort;
      shown->descending = query->descending;
    }
  if (query != NULL && nexus_leads_query_equal (query, shown))
    return;
  g_clear_pointer (&self->query, nexus_leads_query_free);
  self->query = query != NULL ? nexus_leads_query_copy (query) : NULL;
  load_leads (self, FALSE);
}

static gboolean
follow_leads_page_cb (gpointer data)
{
  NexusMapPage *self = data;
  GtkRoot      *root = gtk_widget_get_root (GTK_WIDGET (self));

  self->follow_source = 0;
  if (!NEXUS_IS_WINDOW (root) || self->leads_page != NULL)
    return G_SOURCE_REMOVE;
  self->leads_page = nexus_window_get_leads_page (NEXUS_WINDOW (root));
  if (self->leads_page == NULL)
    return G_SOURCE_REMOVE;
  self->query_handler = g_signal_connect_swapped (self->leads_page, "notify::query",
                                                  G_CALLBACK (query_notify_cb), self);
  query_notify_cb (self);
  return G_SOURCE_REMOVE;
}

static void
nexus_map_page_root (GtkWidget *widget)
{
  NexusMapPage *self = NEXUS_MAP_PAGE (widget);
  GtkRoot      *root;

  GTK_WIDGET_CLASS (nexus_map_page_parent_class)->root (widget);

  /* The window binds its leads page after building its pages: look for
   * it once the window is complete. */
  root = gtk_widget_get_root (widget);
  if (NEXUS_IS_WINDOW (root) && self->follow_source == 0)
    self->follow_source = g_idle_add (follow_leads_page_cb, self);
}

static void
nexus_map_page_unroot (GtkWidget *widget)
{
  NexusMapPage *self = NEXUS_MAP_PAGE (widget);

  g_clear_handle_id (&self->follow_source, g_source_remove);
  g_clear_signal_handler (&self->query_handler, self->leads_page);
  self->leads_page = NULL;

  GTK_WIDGET_CLASS (nexus_map_page_parent_class)->unroot (widget);
}

/* Search cells */

static void
fit_when_allocated (NexusMapPage *self, double min_x, double min_y, double max_x, double max_y);

static gboolean
pending_fit_tick_cb (GtkWidget *widget, GdkFrameClock *clock, gpointer data)
{
  NexusMapPage *self = data;

  if (gtk_widget_get_width (GTK_WIDGET (self->leads_layer)) == 0)
    return G_SOURCE_CONTINUE;
  self->fit_tick = 0;
  fit_when_allocated (self, self->fit_box[0], self->fit_box[1], self->fit_box[2], self->fit_box[3]);
  return G_SOURCE_REMOVE;
}

/* Fits the view to a box now, or once the map has its size: a page just
 * shown (win.show-search-on-map) is not allocated yet. */
static void
fit_when_allocated (NexusMapPage *self, double min_x, double min_y, double max_x, double max_y)
{
  if (gtk_widget_get_width (GTK_WIDGET (self->leads_layer)) > 0)
    {
      nexus_map_leads_layer_fit_bounds (shumate_simple_map_get_viewport (self->map),
                                        GTK_WIDGET (self->leads_layer), min_x, min_y, max_x, max_y);
      return;
    }
  self->fit_box[0] = min_x;
  self->fit_box[1] = min_y;
  self->fit_box[2] = max_x;
  self->fit_box[3] = max_y;
  if (self->fit_tick == 0)
    self->fit_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self->leads_layer),
                                                   pending_fit_tick_cb, self, NULL);
}

static void
cells_loaded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  NexusMapPage *self;
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusMapSearch) search = NULL;

  search = nexus_engine_read_finish (NEXUS_ENGINE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = NEXUS_MAP_PAGE (user_data);
  g_clear_object (&self->cells_cancellable);

  if (search == NULL)
    {
      g_autofree char *text =
          g_strdup_printf (_ ("The search’s cells could not be read: %s"), error->message);

      show_hint (self, text, TRUE);
      return;
    }
  if (search->id != self->search_id)
    return;

  gtk_label_set_text (self->search_label, search->name);
  gtk_widget_set_visible (self->cells_legend, TRUE);
  nexus_map_areas_layer_set_cells (self->areas_layer, search->cells);

  if (self->fit_cells && search->cells->len > 0)
    {
      double min_x = 1, min_y = 1, max_x = 0, max_y = 0;

      for (guint i = 0; i < search->cells->len; i++)
        {
          const NexusMapCell *cell = &g_array_index (search->cells, NexusMapCell, i);
          double              x0, y0, x1, y1;

          nexus_geo_project (cell->north, cell->west, &x0, &y0);
          nexus_geo_project (cell->south, cell->east, &x1, &y1);
          min_x = MIN (min_x, x0);
          min_y = MIN (min_y, y0);
          max_x = MAX (max_x, x1);
          max_y = MAX (max_y, y1);
        }
      fit_when_allocated (self, min_x, min_y, max_x, max_y);
    }
  self->fit_cells = FALSE;
}

static gpointer
cells_thread (NexusStore *store, gpointer data, GError **error)
{
  return nexus_store_map_search_cells (store, *(gint64 *)data, error);
}

static void
load_cells (NexusMapPage *self)
{
  NexusEngine *engine = nexus_page_get_engine (NEXUS_PAGE (self));

  if (engine == NULL || self->search_id == 0)
    return;

  restart_cancellable (&self->cells_cancellable);
  nexus_engine_read_async (engine, cells_thread, g_memdup2 (&self->search_id, sizeof (gint64)),
                           g_free, self->cells_cancellable, cells_loaded_cb, self);
}

/* The lead popover */

static gpointer
lead_thread (NexusStore *store, gpointer data, GError **error)
{
  NexusLeadRow *row = g_new0 (NexusLeadRow, 1);
  gboolean      found = FALSE;

  if (!nexus_store_leads_get (store, *(gint64 *)data, row, &found, error) || !found)
    {
      nexus_lead_row_clear (row);
      g_free (row);
      if (error != NULL && *error == NULL)
        g_set_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_INVALID,
                     "The lead is no longer in the vault");
      return NULL;
    }
  return row;
}

static void
free_lead_row (NexusLeadRow *row)
{
  nexus_lead_row_clear (row);
  g_free (row);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusLeadRow, free_lead_row)

static void
lead_loaded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  NexusMapPage *self;
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusLeadRow) row = NULL;
  g_autofree char *phone = NULL;
  g_autofree char *category = NULL;

  row = nexus_engine_read_finish (NEXUS_ENGINE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = NEXUS_MAP_PAGE (user_data);
  g_clear_object (&self->popover_cancellable);

  if (row == NULL)
    {
      show_hint (self, error->message, TRUE);
      return;
    }

  gtk_label_set_text (self->popover_name, row->name);
  phone = row->phone_e164 != NULL ? nexus_isolate_ltr (row->phone_e164) : NULL;
  gtk_label_set_text (self->popover_phone, phone != NULL ? phone : _ ("No phone number"));
  category = category_label (row->category);
  gtk_label_set_text (self->popover_category, category);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->popover_details), "x", row->id);
  self->popover_lead = row->id;
  gtk_popover_popup (self->popover);
}

static void
lead_activated_cb (NexusMapPage       *self,
                   gint64              id,
                   guint               count,
                   double              x,
                   double              y,
                   NexusMapLeadsLayer *layer)
{
  NexusEngine     *engine = nexus_page_get_engine (NEXUS_PAGE (self));
  graphene_point_t point;
  GdkRectangle     rect;

  if (engine == NULL)
    return;

  if (!gtk_widget_compute_point (GTK_WIDGET (layer), GTK_WIDGET (self), &GRAPHENE_POINT_INIT (x, y),
                                 &point))
    point = GRAPHENE_POINT_INIT (x, y);
  rect.x = (int)point.x - 6;
  rect.y = (int)point.y - 6;
  rect.width = 12;
  rect.height = 12;
  gtk_popover_set_pointing_to (self->popover, &rect);

  if (count > 1)
    {
      g_autofree char *more = g_strdup_printf (
          ngettext ("and %u more lead at this place", "and %u more leads at this place", count - 1),
          count - 1);

      gtk_label_set_text (self->popover_more, more);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->popover_more), count > 1);

  restart_cancellable (&self->popover_cancellable);
  self->popover_lead = 0;
  nexus_engine_read_async (engine, lead_thread, g_memdup2 (&id, sizeof id), g_free,
                           self->popover_cancellable, lead_loaded_cb, self);
}

static void
build_popover (NexusMapPage *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *button;

  self->popover_name = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->popover_name), "heading");
  self->popover_phone = GTK_LABEL (gtk_label_new (NULL));
  self->popover_category = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->popover_category), "dim-label");
  self->popover_more = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->popover_more), "dim-label");
  for (GtkLabel *label = self->popover_name; label != NULL;
       label = label == self->popover_name       ? self->popover_phone
               : label == self->popover_phone    ? self->popover_category
               : label == self->popover_category ? self->popover_more
                                                 : NULL)
    {
      gtk_label_set_xalign (label, 0);
      gtk_label_set_wrap (label, TRUE);
      gtk_label_set_max_width_chars (label, 32);
      gtk_box_append (GTK_BOX (box), GTK_WIDGET (label));
    }

  button = gtk_button_new_with_mnemonic (_ ("_Details"));
  /* The lead's id is the target, set when the popover opens on a lead. */
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "x", (gint64)0);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "win.show-lead");
  gtk_widget_set_margin_top (button, 6);
  gtk_widget_add_css_class (button, "suggested-action");
  gtk_box_append (GTK_BOX (box), button);
  self->popover_details = GTK_BUTTON (button);

  self->popover = GTK_POPOVER (gtk_popover_new ());
  gtk_popover_set_child (self->popover, box);
  gtk_widget_set_parent (GTK_WIDGET (self->popover), GTK_WIDGET (self));
}

/* Drawing search areas */

static void
area_drawn_cb (NexusMapPage *self, const char *geojson, NexusMapAreasLayer *layer)
{
  gtk_widget_set_can_target (GTK_WIDGET (self->leads_layer), TRUE);
  gtk_widget_set_cursor (GTK_WIDGET (self->map), NULL);
  update_draw_hint (self);
  if (!gtk_widget_activate_action (GTK_WIDGET (self), "win.new-search", "s", geojson))
    show_hint (self, _ ("New searches cannot be created from this window."), TRUE);
}

static void
set_draw_mode (NexusMapPage *self, NexusMapDrawMode mode)
{
  nexus_map_areas_layer_set_mode (self->areas_layer, mode);
  gtk_widget_set_can_target (GTK_WIDGET (self->leads_layer), mode == NEXUS_MAP_DRAW_NONE);
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self->map),
                                   mode != NEXUS_MAP_DRAW_NONE ? "crosshair" : NULL);
  update_draw_hint (self);
  if (mode != NEXUS_MAP_DRAW_NONE)
    gtk_widget_grab_focus (GTK_WIDGET (self->map));
}

static void
draw_action_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  NexusMapPage *self = user_data;
  const char   *shape = g_variant_get_string (parameter, NULL);

  if (g_str_equal (shape, "rectangle"))
    set_draw_mode (self, NEXUS_MAP_DRAW_RECTANGLE);
  else if (g_str_equal (shape, "polygon"))
    set_draw_mode (self, NEXUS_MAP_DRAW_POLYGON);
  else
    set_draw_mode (self, NEXUS_MAP_DRAW_NONE);
}

/* Other actions */

static void
show_in_grid_action_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  NexusMapPage   *self = user_data;
  GVariantBuilder filters;
  double          min_lat, min_lon, max_lat, max_lon;

  nexus_map_leads_layer_get_view_bounds (self->leads_layer, &min_lat, &min_lon, &max_lat, &max_lon);
  g_variant_builder_init (&filters, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&filters, "{sv}", "area",
                         g_variant_new ("(dddd)", min_lat, min_lon, max_lat, max_lon));
  gtk_widget_activate_action_variant (GTK_WIDGET (self), "win.filter-leads",
                                      g_variant_builder_end (&filters));
}

static void
hide_search_action_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  NexusMapPage *self = user_data;

  self->search_id = 0;
  g_cancellable_cancel (self->cells_cancellable);
  nexus_map_areas_layer_set_cells (self->areas_layer, NULL);
  gtk_widget_set_visible (self->cells_legend, FALSE);
}

static void
color_by_action_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  NexusMapPage *self = user_data;

  g_simple_action_set_state (action, parameter);
  nexus_map_leads_layer_set_color_by (
      self->leads_layer, g_str_equal (g_variant_get_string (parameter, NULL), "category")
                             ? NEXUS_MAP_COLOR_BY_CATEGORY
                             : NEXUS_MAP_COLOR_BY_STATUS);
  update_legend (self);
}

static void
update_map_source (NexusMapPage *self)
{
  gboolean online =
      self->settings != NULL && g_settings_get_boolean (self->settings, "map-online-tiles");

  if (online)
    {
      g_autoptr (ShumateMapSourceRegistry) registry =
          shumate_map_source_registry_new_with_defaults ();

      shumate_simple_map_set_map_source (self->map, shumate_map_source_registry_get_by_id (
                                                        registry, SHUMATE_MAP_SOURCE_OSM_MAPNIK));
    }
  else
    shumate_simple_map_set_map_source (self->map, self->offline_source);
}

/* Keyboard */

/* map.zoom (i): zoom in (1) or out (-1) by one level. */
static void
zoom_action_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  NexusMapPage    *self = user_data;
  ShumateViewport *viewport = shumate_simple_map_get_viewport (self->map);
  int              step = g_variant_get_int32 (parameter);

  shumate_viewport_set_zoom_level (viewport, shumate_viewport_get_zoom_level (viewport) + step);
}

/* map.pan ((ii)): moves the view by a quarter of its size east (1, 0),
 * west (-1, 0), south (0, 1) or north (0, -1). */
static void
pan_action_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  NexusMapPage    *self = user_data;
  ShumateViewport *viewport = shumate_simple_map_get_viewport (self->map);
  int              dx, dy;
  double           lat, lon;

  g_variant_get (parameter, "(ii)", &dx, &dy);
  /* A quarter of the view per key press; the east key moves east also in
   * a right-to-left window: the map is not mirrored. */
  shumate_viewport_widget_coords_to_location (
      viewport, GTK_WIDGET (self->map),
      gtk_widget_get_width (GTK_WIDGET (self->map)) * (0.5 + 0.25 * dx),
      gtk_widget_get_height (GTK_WIDGET (self->map)) * (0.5 + 0.25 * dy), &lat, &lon);
  shumate_location_set_location (SHUMATE_LOCATION (viewport), lat, lon);
}

static gboolean
escape_cb (GtkWidget *widget, GVariant *args, gpointer user_data)
{
  NexusMapPage *self = NEXUS_MAP_PAGE (widget);

  if (nexus_map_areas_layer_get_mode (self->areas_layer) == NEXUS_MAP_DRAW_NONE)
    return FALSE;
  set_draw_mode (self, NEXUS_MAP_DRAW_NONE);
  return TRUE;
}

static gboolean
finish_cb (GtkWidget *widget, GVariant *args, gpointer user_data)
{
  NexusMapPage *self = NEXUS_MAP_PAGE (widget);

  if (nexus_map_areas_layer_get_mode (self->areas_layer) != NEXUS_MAP_DRAW_POLYGON)
    return FALSE;
  finish_polygon (self);
  return TRUE;
}

static gboolean
undo_vertex_cb (GtkWidget *widget, GVariant *args, gpointer user_data)
{
  NexusMapPage *self = NEXUS_MAP_PAGE (widget);

  if (nexus_map_areas_layer_get_mode (self->areas_layer) != NEXUS_MAP_DRAW_POLYGON)
    return FALSE;
  nexus_map_areas_layer_undo_vertex (self->areas_layer);
  return TRUE;
}

static gboolean
find_cb (GtkWidget *widget, GVariant *args, gpointer user_data)
{
  gtk_widget_grab_focus (GTK_WIDGET (NEXUS_MAP_PAGE (widget)->place_entry));
  return TRUE;
}

/* Clicks on the map.  The map's overlays (zoom buttons, scale, licence)
 * lie above its layers and take the pointer, so the page looks at every
 * press first (capture phase) and gives those on a disc to the leads
 * layer; the others go on to the map (drag, double-click zoom).  A click
 * also gives the map the keyboard, for the arrows and + and -. */
static gboolean
map_to_layer (NexusMapPage *self, double x, double y, double *out_x, double *out_y)
{
  graphene_point_t point;

  if (!gtk_widget_compute_point (GTK_WIDGET (self->map), GTK_WIDGET (self->leads_layer),
                                 &GRAPHENE_POINT_INIT (x, y), &point))
    return FALSE;
  *out_x = point.x;
  *out_y = point.y;
  return TRUE;
}

/* Closes the polygon being drawn, or says why it cannot be. */
static void
finish_polygon (NexusMapPage *self)
{
  if (!nexus_map_areas_layer_finish (self->areas_layer))
    show_hint (self, _ ("A search area needs at least three corners."), TRUE);
}

static void
map_pressed_cb (GtkGestureClick *gesture, int n_press, double x, double y, NexusMapPage *self)
{
  NexusMapDrawMode     mode = nexus_map_areas_layer_get_mode (self->areas_layer);
  NexusMapDrawnCluster picked;
  double               lx, ly;

  gtk_widget_grab_focus (GTK_WIDGET (self->map));
  if (!map_to_layer (self, x, y, &lx, &ly) || mode == NEXUS_MAP_DRAW_RECTANGLE)
    {
      /* A rectangle is drawn by the drag gesture. */
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }

  if (mode == NEXUS_MAP_DRAW_POLYGON)
    {
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
      /* The second click of a double click closes the polygon. */
      if (n_press >= 2)
        finish_polygon (self);
      else
        nexus_map_areas_layer_add_vertex (self->areas_layer, lx, ly);
      return;
    }

  if (n_press == 1 && nexus_map_leads_layer_pick_at (self->leads_layer, lx, ly, &picked))
    gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  else
    gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
}

static void
map_released_cb (GtkGestureClick *gesture, int n_press, double x, double y, NexusMapPage *self)
{
  double lx, ly;

  if (nexus_map_areas_layer_get_mode (self->areas_layer) == NEXUS_MAP_DRAW_NONE &&
      map_to_layer (self, x, y, &lx, &ly))
    nexus_map_leads_layer_activate_at (self->leads_layer, lx, ly);
}

/* A hand over a disc says it can be clicked. */
static void
map_motion_cb (GtkEventControllerMotion *motion, double x, double y, NexusMapPage *self)
{
  NexusMapDrawnCluster picked;
  double               lx, ly;
  gboolean             over;

  if (nexus_map_areas_layer_get_mode (self->areas_layer) != NEXUS_MAP_DRAW_NONE)
    return;
  over = map_to_layer (self, x, y, &lx, &ly) &&
         nexus_map_leads_layer_pick_at (self->leads_layer, lx, ly, &picked);
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self->map), over ? "pointer" : NULL);
}

/* In rectangle mode a drag on the map draws the rectangle instead of
 * moving the map. */
static void
map_drag_begin_cb (GtkGestureDrag *gesture, double x, double y, NexusMapPage *self)
{
  if (nexus_map_areas_layer_get_mode (self->areas_layer) != NEXUS_MAP_DRAW_RECTANGLE ||
      !map_to_layer (self, x, y, &self->drag_x, &self->drag_y))
    {
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  self->dragging = TRUE;
}

static void
map_drag_update_cb (GtkGestureDrag *gesture, double dx, double dy, NexusMapPage *self)
{
  if (self->dragging)
    nexus_map_areas_layer_set_rectangle (self->areas_layer, self->drag_x, self->drag_y,
                                         self->drag_x + dx, self->drag_y + dy);
}

static void
map_drag_end_cb (GtkGestureDrag *gesture, double dx, double dy, NexusMapPage *self)
{
  /* A drag the gesture denied (not in rectangle mode) ends here too. */
  if (!self->dragging)
    return;
  self->dragging = FALSE;

  /* A click without a drag draws nothing. */
  if (fabs (dx) < 4 || fabs (dy) < 4)
    {
      nexus_map_areas_layer_clear_shape (self->areas_layer);
      return;
    }
  nexus_map_areas_layer_set_rectangle (self->areas_layer, self->drag_x, self->drag_y,
                                       self->drag_x + dx, self->drag_y + dy);
  nexus_map_areas_layer_finish (self->areas_layer);
}

/* Flying to a place */

static gboolean
online_allowed (NexusMapPage *self)
{
  return self->settings != NULL && g_settings_get_boolean (self->settings, "map-online-tiles");
}

static gpointer
geocode_thread (NexusStore *store, gpointer data, GError **error)
{
  return nexus_nominatim_resolve (store, data, NULL, error);
}

static gpointer
cache_place_thread (NexusStore *store, gpointer data, GError **error)
{
  return nexus_store_place_put (store, data, error) ? GINT_TO_POINTER (TRUE) : NULL;
}

static void
fit_degrees (NexusMapPage *self, double south, double west, double north, double east)
{
  double x0, y0, x1, y1;

  nexus_geo_project (north, west, &x0, &y0);
  nexus_geo_project (south, east, &x1, &y1);
  nexus_map_leads_layer_fit_bounds (shumate_simple_map_get_viewport (self->map),
                                    GTK_WIDGET (self->leads_layer), x0, y0, x1, y1);
}

static void
geocoded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (NexusMapPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusPlace) place = nexus_engine_read_finish (NEXUS_ENGINE (source), result, &error);
  NexusEngine *engine;

  if (place == NULL)
    {
      g_autofree char *text = g_strdup_printf (_ ("No place found: %s"), error->message);

      show_hint (self, text, TRUE);
      return;
    }
  show_hint (self, NULL, FALSE);
  fit_degrees (self, place->region->bbox.south, place->region->bbox.west, place->region->bbox.north,
               place->region->bbox.east);

  /* A fresh answer goes into the engine's cache (a write: the engine
   * thread), so the same name never costs a second request. */
  engine = nexus_page_get_engine (NEXUS_PAGE (self));
  if (place->fresh != NULL && engine != NULL)
    nexus_engine_run_async (engine, cache_place_thread, g_steal_pointer (&place->fresh),
                            (GDestroyNotify)nexus_place_record_free, NULL, NULL, NULL);
}

static void
place_activate_cb (NexusMapPage *self, GtkSearchEntry *entry)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry))));

  if (text[0] != '\0')
    nexus_map_page_fly_to (self, text);
}

static void
place_changed_cb (NexusMapPage *self, GtkSearchEntry *entry)
{
  if (gtk_widget_has_css_class (GTK_WIDGET (self->hint_label), "error"))
    show_hint (self, NULL, FALSE);
}

/* GObject */

/* Drops what the page showed of the previous engine (its leads, its
 * search, its events) and reads the leads of the new one. */
static void
nexus_map_page_engine_changed (NexusPage *page, NexusEngine *old_engine)
{
  NexusMapPage *self = NEXUS_MAP_PAGE (page);
  NexusEngine  *engine = nexus_page_get_engine (page);

  if (self->event_watch != 0)
    nexus_event_bus_unwatch (nexus_engine_get_event_bus (old_engine), self->event_watch);
  self->event_watch = 0;
  stop_cancellable (&self->load_cancellable);
  stop_cancellable (&self->cells_cancellable);
  stop_cancellable (&self->popover_cancellable);
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  g_clear_handle_id (&self->cells_source, g_source_remove);
  g_clear_pointer (&self->data, map_data_unref);
  set_loading (self, FALSE);
  if (self->leads_layer != NULL)
    {
      nexus_map_leads_layer_set_index (self->leads_layer, NULL, NULL);
      nexus_map_areas_layer_set_cells (self->areas_layer, NULL);
      gtk_widget_set_visible (self->cells_legend, FALSE);
      gtk_popover_popdown (self->popover);
    }
  self->search_id = 0;

  if (engine != NULL)
    {
      self->event_watch =
          nexus_event_bus_watch (nexus_engine_get_event_bus (engine), event_cb, self, NULL);
      load_leads (self, FALSE);
    }
}

static void
nexus_map_page_dispose (GObject *object)
{
  NexusMapPage *self = NEXUS_MAP_PAGE (object);

  nexus_page_set_engine (NEXUS_PAGE (self), NULL);
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  g_clear_handle_id (&self->cells_source, g_source_remove);
  g_clear_handle_id (&self->follow_source, g_source_remove);
  g_clear_handle_id (&self->hint_source, g_source_remove);
  if (self->fit_tick != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self->leads_layer), self->fit_tick);
  self->fit_tick = 0;
  if (self->popover != NULL)
    {
      gtk_widget_unparent (GTK_WIDGET (self->popover));
      self->popover = NULL;
    }

  gtk_widget_dispose_template (GTK_WIDGET (object), NEXUS_TYPE_MAP_PAGE);

  g_clear_object (&self->offline_source);
  g_clear_object (&self->basemap);
  g_clear_object (&self->settings);
  g_clear_object (&self->actions);
  g_clear_pointer (&self->query, nexus_leads_query_free);
  g_clear_pointer (&self->data, map_data_unref);

  G_OBJECT_CLASS (nexus_map_page_parent_class)->dispose (object);
}

/* A narrow window has no room for the button's label: its icon then, with
 * the label as tooltip. */
static void
update_draw_button (NexusMapPage *self)
{
  if (nexus_page_get_folded (NEXUS_PAGE (self)))
    gtk_menu_button_set_icon_name (self->draw_button, "list-add-symbolic");
  else
    {
      gtk_menu_button_set_label (self->draw_button, _ ("New Search _Area"));
      gtk_menu_button_set_use_underline (self->draw_button, TRUE);
    }
}

static void
folded_changed_cb (NexusMapPage *self, GParamSpec *pspec, gpointer user_data)
{
  update_draw_button (self);
}

static void
nexus_map_page_class_init (NexusMapPageClass *klass)
{
  GObjectClass    *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass  *widget_class = GTK_WIDGET_CLASS (klass);
  NexusPageClass  *page_class = NEXUS_PAGE_CLASS (klass);
  g_autofree char *user_agent = g_strdup_printf ("Nexus/%s", PACKAGE_VERSION);

  object_class->dispose = nexus_map_page_dispose;
  widget_class->root = nexus_map_page_root;
  widget_class->unroot = nexus_map_page_unroot;
  page_class->engine_changed = nexus_map_page_engine_changed;

  /* Whether leads are being read. */

  /* Online tiles go through libshumate's downloader: name the program. */
  shumate_set_user_agent (user_agent);

  g_type_ensure (SHUMATE_TYPE_SIMPLE_MAP);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/nexus/Nexus/ui/nexus-map-page.ui");
  gtk_widget_class_bind_template_child (widget_class, NexusMapPage, map);
  gtk_widget_class_bind_template_child (widget_class, NexusMapPage, place_entry);
  gtk_widget_class_bind_template_child (widget_class, NexusMapPage, draw_button);
  gtk_widget_class_bind_template_child (widget_class, NexusMapPage, hint_label);
  gtk_widget_class_bind_template_child (widget_class, NexusMapPage, legend);
  gtk_widget_class_bind_template_child (widget_class, NexusMapPage, cells_legend);
  gtk_widget_class_bind_template_child (widget_class, NexusMapPage, cells_legend_rows);
  gtk_widget_class_bind_template_child (widget_class, NexusMapPage, search_label);
  gtk_widget_class_bind_template_callback (widget_class, place_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, place_changed_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, 0, "map.zoom", "i", 1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, 0, "map.zoom", "i", 1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Add, 0, "map.zoom", "i", 1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, 0, "map.zoom", "i", -1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Subtract, 0, "map.zoom", "i", -1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, 0, "map.pan", "(ii)", -1, 0);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, 0, "map.pan", "(ii)", 1, 0);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Up, 0, "map.pan", "(ii)", 0, -1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Down, 0, "map.pan", "(ii)", 0, 1);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Escape, 0, escape_cb, NULL);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Return, 0, finish_cb, NULL);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_KP_Enter, 0, finish_cb, NULL);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_BackSpace, 0, undo_vertex_cb, NULL);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, find_cb, NULL);
}

static void
nexus_map_page_init (NexusMapPage *self)
{
  const GActionEntry entries[] = {
    { .name = "draw", .activate = draw_action_cb, .parameter_type = "s" },
    { .name = "show-in-grid", .activate = show_in_grid_action_cb },
    { .name = "zoom", .activate = zoom_action_cb, .parameter_type = "i" },
    { .name = "pan", .activate = pan_action_cb, .parameter_type = "(ii)" },
    { .name = "hide-search", .activate = hide_search_action_cb },
    { .name = "color-by",
      .change_state = color_by_action_cb,
      .parameter_type = "s",
      .state = "'status'" },
  };
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr (GSettingsSchema) schema = NULL;
  ShumateViewport    *viewport;
  GtkGesture         *click;
  GtkGesture         *drag;
  GtkEventController *motion;
  /* Translators: "ar" if country names on the offline map should be
   * written in Arabic, "en" for English. */
  const char *names = C_ ("map label language", "en");

  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect (self, "map", G_CALLBACK (mapped_cb), NULL);
  nexus_editable_fold_digits (GTK_EDITABLE (self->place_entry));

  self->basemap = nexus_map_basemap_new (g_str_equal (names, "ar"));
  self->offline_source = nexus_map_basemap_create_map_source (self->basemap);
  viewport = shumate_simple_map_get_viewport (self->map);
  shumate_viewport_set_reference_map_source (viewport, self->offline_source);
  shumate_viewport_set_max_zoom_level (viewport, 19);

  /* The first map source must come before the overlays: libshumate puts
   * the first tile layer on top, later ones behind the previous one. */
  shumate_simple_map_set_map_source (self->map, self->offline_source);
  self->areas_layer = nexus_map_areas_layer_new (viewport);
  self->leads_layer = nexus_map_leads_layer_new (viewport);
  shumate_simple_map_add_overlay_layer (self->map, SHUMATE_LAYER (self->areas_layer));
  shumate_simple_map_add_overlay_layer (self->map, SHUMATE_LAYER (self->leads_layer));
  g_signal_connect_swapped (self->leads_layer, "lead-activated", G_CALLBACK (lead_activated_cb),
                            self);
  g_signal_connect_swapped (self->areas_layer, "area-drawn", G_CALLBACK (area_drawn_cb), self);

  click = gtk_gesture_click_new ();
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (click), GTK_PHASE_CAPTURE);
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  g_signal_connect (click, "pressed", G_CALLBACK (map_pressed_cb), self);
  g_signal_connect (click, "released", G_CALLBACK (map_released_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->map), GTK_EVENT_CONTROLLER (click));

  motion = gtk_event_controller_motion_new ();
  g_signal_connect (motion, "motion", G_CALLBACK (map_motion_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->map), motion);

  drag = gtk_gesture_drag_new ();
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (drag), GTK_PHASE_CAPTURE);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (map_drag_begin_cb), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (map_drag_update_cb), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (map_drag_end_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->map), GTK_EVENT_CONTROLLER (drag));

  self->actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (self->actions), entries, G_N_ELEMENTS (entries),
                                   self);
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, NEXUS_SETTINGS_SCHEMA_ID, TRUE);
  if (schema != NULL && g_settings_schema_has_key (schema, "map-online-tiles"))
    {
      g_autoptr (GAction) online = NULL;

      self->settings = g_settings_new_full (schema, NULL, NULL);
      online = g_settings_create_action (self->settings, "map-online-tiles");
      g_action_map_add_action (G_ACTION_MAP (self->actions), G_ACTION (online));
      g_signal_connect_swapped (self->settings, "changed::map-online-tiles",
                                G_CALLBACK (update_map_source), self);
    }
  gtk_widget_insert_action_group (GTK_WIDGET (self), "map", G_ACTION_GROUP (self->actions));

  update_map_source (self);
  shumate_viewport_set_zoom_level (viewport, 2);
  shumate_location_set_location (SHUMATE_LOCATION (viewport), 25, 20);

  build_popover (self);
  update_legend (self);
  update_cells_legend (self);
  g_signal_connect (self, "notify::folded", G_CALLBACK (folded_changed_cb), NULL);
}

/* Public API */

/**
 * nexus_map_page_show_search:
 * @self: a map page
 * @search_id: a search
 *
 * Shows the cells of @search_id's latest run, coloured by state and kept
 * up to date while workers run, and fits the view to them.
 */
void
nexus_map_page_show_search (NexusMapPage *self, gint64 search_id)
{
  g_return_if_fail (NEXUS_IS_MAP_PAGE (self));

  self->search_id = search_id;
  self->fit_cells = TRUE;
  nexus_map_areas_layer_set_cells (self->areas_layer, NULL);
  load_cells (self);
}

static gboolean
name_matches (const char *name, const char *wanted, gboolean prefix)
{
  g_autofree char *norm = nexus_normalize_text (name);

  if (norm == NULL)
    return FALSE;
  return prefix ? g_str_has_prefix (norm, wanted) : g_str_equal (norm, wanted);
}

/**
 * nexus_map_page_fly_to:
 * @self: a map page
 * @place: a country's name in English or Arabic, or (when online tiles are
 *   allowed) any place Nominatim knows
 *
 * Returns: whether a country of the offline map matched; otherwise the
 *   answer comes later from Nominatim, or a message says nothing matched
 */
gboolean
nexus_map_page_fly_to (NexusMapPage *self, const char *place)
{
  NexusEngine           *engine;
  g_autofree char       *wanted = NULL;
  const NexusMapCountry *countries, *found = NULL;
  guint                  n_countries;

  g_return_val_if_fail (NEXUS_IS_MAP_PAGE (self), FALSE);

  engine = nexus_page_get_engine (NEXUS_PAGE (self));

  wanted = nexus_normalize_text (place);
  if (wanted == NULL || wanted[0] == '\0')
    return FALSE;

  countries = nexus_map_basemap_get_countries (&n_countries);
  for (int pass = 0; pass < 2 && found == NULL; pass++)
    for (guint i = 0; i < n_countries && found == NULL; i++)
      if (name_matches (countries[i].name_en, wanted, pass == 1) ||
          name_matches (countries[i].name_ar, wanted, pass == 1))
        found = &countries[i];

  if (found != NULL)
    {
      show_hint (self, NULL, FALSE);
      fit_degrees (self, found->min_lat, found->min_lon, found->max_lat, found->max_lon);
      return TRUE;
    }

  if (online_allowed (self) && engine != NULL)
    {
      nexus_engine_read_async (engine, geocode_thread, g_strdup (place), g_free, NULL, geocoded_cb,
                               g_object_ref (self));
      return FALSE;
    }

  {
    g_autofree char *text = g_strdup_printf (_ ("No country named “%s” on the offline map. Allow "
                                                "online map tiles to search every place."),
                                             place);

    show_hint (self, text, TRUE);
  }
  return FALSE;
}

/* For the tests */

NexusMapLeadsLayer *
_nexus_map_page_get_leads_layer (NexusMapPage *self)
{
  return self->leads_layer;
}

NexusMapAreasLayer *
_nexus_map_page_get_areas_layer (NexusMapPage *self)
{
  return self->areas_layer;
}

ShumateSimpleMap *
_nexus_map_page_get_map (NexusMapPage *self)
{
  return self->map;
}

GtkPopover *
_nexus_map_page_get_lead_popover (NexusMapPage *self)
{
  return self->popover;
}

const char *
_nexus_map_page_get_popover_name (NexusMapPage *self)
{
  return gtk_label_get_text (self->popover_name);
}

gint64
_nexus_map_page_get_popover_lead (NexusMapPage *self)
{
  return self->popover_lead;
}
