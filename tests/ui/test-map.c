/* test-map.c — the map page on a demo vault
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A real NexusWindow on the Map page.  Clicks go through the leads layer's
 * own hit test (what its click gesture calls); where the map puts things is
 * checked with libshumate's own projection, and what the layer holds is
 * compared with plain SQL on the vault file.
 */
#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include <adwaita.h>

#include "../engine/fake-nominatim.h"
#include "../nexus-test-util.h"
#include "nexus-engine.h"
#include "nexus-map-basemap.h"
#include "nexus-map-page-private.h"
#include "nexus-ui-test.h"
#include "nexus-window.h"

static NexusEngine *engine;
static char        *tmp_dir;

/* The first column of the first row of @sql (a query, or a change with
 * RETURNING), as a number. */
static double
sql_number (const char *sql)
{
  sqlite3      *db = NULL;
  sqlite3_stmt *stmt = NULL;
  double        value;

  g_assert_cmpint (
      sqlite3_open_v2 (nexus_engine_get_db_path (engine), &db, SQLITE_OPEN_READWRITE, NULL), ==,
      SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_double (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static gint64
sql_int (const char *sql)
{
  return (gint64)sql_number (sql);
}

#define VAULT_WITH_PLACES \
  "FROM leads WHERE preview_only = 0 AND lat IS NOT NULL AND lon IS NOT NULL"

static NexusWindow *
show_map (NexusMapPage **out_page)
{
  NexusWindow        *window = nexus_window_new (NULL, engine);
  NexusMapPage       *page;
  NexusMapLeadsLayer *layer;
  gint64              expected = sql_int ("SELECT count(*) " VAULT_WITH_PLACES);

  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 800);
  g_assert_true (nexus_window_set_page (window, "map"));
  gtk_window_present (GTK_WINDOW (window));

  page = NEXUS_MAP_PAGE (nexus_test_find_type (GTK_WIDGET (window), NEXUS_TYPE_MAP_PAGE));
  g_assert_nonnull (page);
  layer = _nexus_map_page_get_leads_layer (page);
  WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (layer)) &&
              gtk_widget_get_width (GTK_WIDGET (layer)) > 0);
  WAIT_UNTIL (!nexus_page_get_loading (NEXUS_PAGE (page)) &&
              nexus_map_leads_layer_get_point_count (layer) == expected);
  g_assert_cmpint (expected, >, 10);
  *out_page = page;
  return window;
}

static void
go_to (NexusMapPage *page, double lat, double lon, double zoom)
{
  ShumateViewport *viewport = shumate_simple_map_get_viewport (_nexus_map_page_get_map (page));

  shumate_viewport_set_zoom_level (viewport, zoom);
  shumate_location_set_location (SHUMATE_LOCATION (viewport), lat, lon);
  nexus_test_drain ();
}

/* A click on the biggest cluster of the world view zooms in until every
 * lead of the cluster is in view. */
static void
test_cluster_click_zooms (void)
{
  NexusMapPage       *page;
  NexusWindow        *window = show_map (&page);
  NexusMapLeadsLayer *layer = _nexus_map_page_get_leads_layer (page);
  ShumateViewport    *viewport = shumate_simple_map_get_viewport (_nexus_map_page_get_map (page));
  NexusClusterIndex  *index = nexus_map_leads_layer_get_index (layer);
  g_autoptr (GArray) drawn = g_array_new (FALSE, FALSE, sizeof (NexusMapDrawnCluster));
  const NexusMapDrawnCluster *biggest = NULL;
  const NexusCluster         *cluster;
  double                      zoom_before, min_x, min_y, max_x, max_y;
  guint                       total = 0;

  go_to (page, 27, 35, 2);
  zoom_before = shumate_viewport_get_zoom_level (viewport);
  nexus_map_leads_layer_collect (layer, drawn);
  g_assert_cmpuint (drawn->len, >, 0);
  for (guint i = 0; i < drawn->len; i++)
    {
      const NexusMapDrawnCluster *d = &g_array_index (drawn, NexusMapDrawnCluster, i);

      total += d->count;
      if (biggest == NULL || d->count > biggest->count)
        biggest = d;
    }
  /* Every lead with a place is in one of the clusters of the world view. */
  g_assert_cmpint (total, ==, nexus_map_leads_layer_get_point_count (layer));
  cluster = biggest->cluster;
  g_assert_cmpuint (biggest->count, >, 1);
  min_x = biggest->min_x;
  min_y = biggest->min_y;
  max_x = biggest->max_x;
  max_y = biggest->max_y;

  g_assert_true (nexus_map_leads_layer_activate_at (layer, biggest->x, biggest->y));
  nexus_test_drain ();

  g_assert_cmpfloat (shumate_viewport_get_zoom_level (viewport), >, zoom_before);
  /* The corners of the disc's bounds are in view... */
  for (guint corner = 0; corner < 4; corner++)
    {
      double lat, lon, x, y;

      nexus_geo_unproject (corner & 1 ? max_x : min_x, corner & 2 ? max_y : min_y, &lat, &lon);
      shumate_viewport_location_to_widget_coords (viewport, GTK_WIDGET (layer), lat, lon, &x, &y);
      g_assert_cmpfloat (x, >=, -1);
      g_assert_cmpfloat (x, <=, gtk_widget_get_width (GTK_WIDGET (layer)) + 1);
      g_assert_cmpfloat (y, >=, -1);
      g_assert_cmpfloat (y, <=, gtk_widget_get_height (GTK_WIDGET (layer)) + 1);
    }
  /* ... and so is every lead of its biggest cluster, placed by libshumate
   * from its coordinates in the vault. */
  for (guint32 p = cluster->first; p < cluster->first + cluster->count; p++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT lat FROM leads WHERE id = %" G_GINT64_FORMAT,
                                              nexus_cluster_index_get_point_id (index, p));
      g_autofree char *sql_lon =
          g_strdup_printf ("SELECT lon FROM leads WHERE id = %" G_GINT64_FORMAT,
                           nexus_cluster_index_get_point_id (index, p));
      double x, y;

      shumate_viewport_location_to_widget_coords (viewport, GTK_WIDGET (layer), sql_number (sql),
                                                  sql_number (sql_lon), &x, &y);
      g_assert_cmpfloat (x, >=, 0);
      g_assert_cmpfloat (x, <=, gtk_widget_get_width (GTK_WIDGET (layer)));
      g_assert_cmpfloat (y, >=, 0);
      g_assert_cmpfloat (y, <=, gtk_widget_get_height (GTK_WIDGET (layer)));
    }

  gtk_window_destroy (GTK_WINDOW (window));
}

/* A click on a lone lead opens its popover with its name and a Details
 * button for that lead. */
static void
test_lead_popover (void)
{
  NexusMapPage       *page;
  NexusWindow        *window = show_map (&page);
  NexusMapLeadsLayer *layer = _nexus_map_page_get_leads_layer (page);
  ShumateViewport    *viewport = shumate_simple_map_get_viewport (_nexus_map_page_get_map (page));
  GtkPopover         *popover = _nexus_map_page_get_lead_popover (page);
  gint64              id = sql_int ("SELECT id FROM leads WHERE name = 'Nile View Hotel'");
  g_autofree char *sql = g_strdup_printf ("SELECT lat FROM leads WHERE id = %" G_GINT64_FORMAT, id);
  g_autofree char *sql_lon =
      g_strdup_printf ("SELECT lon FROM leads WHERE id = %" G_GINT64_FORMAT, id);
  double lat = sql_number (sql), lon = sql_number (sql_lon);
  double x, y;

  go_to (page, lat, lon, 17);
  shumate_viewport_location_to_widget_coords (viewport, GTK_WIDGET (layer), lat, lon, &x, &y);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (popover)));
  g_assert_true (nexus_map_leads_layer_activate_at (layer, x + 2, y - 2));

  WAIT_UNTIL (gtk_widget_get_visible (GTK_WIDGET (popover)));
  g_assert_cmpstr (_nexus_map_page_get_popover_name (page), ==, "Nile View Hotel");
  g_assert_cmpint (_nexus_map_page_get_popover_lead (page), ==, id);

  /* Nothing under the pointer: no popover, no zoom. */
  gtk_popover_popdown (popover);
  g_assert_false (nexus_map_leads_layer_activate_at (layer, 3, 3));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* The layer shows the leads of the grid's filter: "Won" in the leads
 * page's status filter leaves exactly the won leads on the map. */
static void
test_follows_filter (void)
{
  NexusMapPage       *page;
  NexusWindow        *window = show_map (&page);
  NexusMapLeadsLayer *layer = _nexus_map_page_get_leads_layer (page);
  GtkWidget          *leads_page = nexus_window_get_leads_page (window);
  GtkWidget          *dropdown = nexus_test_find_type (leads_page, GTK_TYPE_DROP_DOWN);
  gint64              won = sql_int ("SELECT count(*) " VAULT_WITH_PLACES " AND status = 'won'");
  gint64              all = sql_int ("SELECT count(*) " VAULT_WITH_PLACES);

  g_assert_cmpint (won, >, 0);
  g_assert_cmpint (won, <, all);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (dropdown),
                              4); /* all, new, contacted, qualified, won */
  WAIT_UNTIL (!nexus_page_get_loading (NEXUS_PAGE (page)) &&
              nexus_map_leads_layer_get_point_count (layer) == won);

  gtk_drop_down_set_selected (GTK_DROP_DOWN (dropdown), 0);
  WAIT_UNTIL (!nexus_page_get_loading (NEXUS_PAGE (page)) &&
              nexus_map_leads_layer_get_point_count (layer) == all);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Runs on the engine thread: publishes what the worker API publishes when
 * a report added a lead (job.completed) or a worker leased a job. */
static gpointer
publish_event_cb (NexusStore *store, gpointer data, GError **error)
{
  const char *kind = data;
  g_autoptr (JsonObject) event = json_object_new ();

  json_object_set_int_member (event, "job_id", 1);
  json_object_set_int_member (event, "worker_id", 1);
  if (g_str_equal (kind, "job.completed"))
    {
      json_object_set_boolean_member (event, "final", TRUE);
      json_object_set_int_member (event, "new", 1);
    }
  nexus_event_bus_publish (nexus_engine_get_event_bus (engine), kind, event);
  return GINT_TO_POINTER (TRUE);
}

static void
publish_event (const char *kind)
{
  g_autoptr (GError) error = NULL;

  nexus_engine_run_sync (engine, publish_event_cb, (gpointer)kind, &error);
  g_assert_no_error (error);
}

static gboolean
index_has_lead (NexusMapLeadsLayer *layer, gint64 id)
{
  NexusClusterIndex *index = nexus_map_leads_layer_get_index (layer);

  for (gsize i = 0; index != NULL && i < nexus_cluster_index_get_n_points (index); i++)
    if (nexus_cluster_index_get_point_id (index, (guint32)i) == id)
      return TRUE;
  return FALSE;
}

/* A lead reported while the map is open appears on it, without the map
 * being asked: the engine's event is enough. */
static void
test_new_leads_live (void)
{
  NexusMapPage       *page;
  NexusWindow        *window = show_map (&page);
  NexusMapLeadsLayer *layer = _nexus_map_page_get_leads_layer (page);
  gint64              before = nexus_map_leads_layer_get_point_count (layer);
  gint64              id;

  id = sql_int ("INSERT INTO leads (name, name_norm, phone_e164, lat, lon, category, status,"
                " first_seen_at, last_seen_at, updated_at) VALUES ('Mokattam Bakery',"
                " 'mokattam bakery', '+201001239999', 30.01, 31.29, 'bakery', 'new', 1, 1, 1)"
                " RETURNING id");
  g_assert_cmpint (before + 1, ==, sql_int ("SELECT count(*) " VAULT_WITH_PLACES));
  g_assert_false (index_has_lead (layer, id));

  publish_event ("job.completed");
  WAIT_UNTIL (nexus_map_leads_layer_get_point_count (layer) == before + 1);
  g_assert_true (index_has_lead (layer, id));

  gtk_window_destroy (GTK_WINDOW (window));
  sql_int ("DELETE FROM leads WHERE name = 'Mokattam Bakery' RETURNING 1");
}

static void
pixel_at (GdkPixbuf *pixbuf, int x, int y, guint32 *out_rgb)
{
  const guint8 *p = gdk_pixbuf_read_pixels (pixbuf) + y * gdk_pixbuf_get_rowstride (pixbuf) +
                    x * gdk_pixbuf_get_n_channels (pixbuf);

  *out_rgb = ((guint32)p[0] << 16) | ((guint32)p[1] << 8) | p[2];
}

typedef struct
{
  GBytes *emitted;
  GBytes *returned;
} TileWait;

static void
received_data_cb (ShumateDataSource *source, int x, int y, int zoom, GBytes *bytes, TileWait *wait)
{
  wait->emitted = g_bytes_ref (bytes);
}

static void
tile_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  TileWait *wait = user_data;

  wait->returned =
      shumate_data_source_get_tile_data_finish (SHUMATE_DATA_SOURCE (source), result, NULL);
}

/* The offline data source draws land where land is (the Sahara) and sea
 * where sea is (the middle of the Atlantic), and hands each tile to
 * libshumate through "received-data". */
static void
test_basemap_land (void)
{
  g_autoptr (NexusMapBasemap) basemap = nexus_map_basemap_new (FALSE);
  const struct
  {
    double  lat, lon;
    guint32 rgb;
  } places[] = {
    { 23.0, 10.0, NEXUS_MAP_BASEMAP_LAND_RGB },   /* the Sahara */
    { 30.0, -40.0, NEXUS_MAP_BASEMAP_SEA_RGB },   /* the Atlantic */
    { -25.0, 134.0, NEXUS_MAP_BASEMAP_LAND_RGB }, /* Australia */
    { -10.0, 80.0, NEXUS_MAP_BASEMAP_SEA_RGB },   /* the Indian Ocean */
  };
  int zoom = 4;

  for (guint i = 0; i < G_N_ELEMENTS (places); i++)
    {
      g_autoptr (GBytes) png = NULL;
      g_autoptr (GInputStream) stream = NULL;
      g_autoptr (GdkPixbuf) pixbuf = NULL;
      double  x, y, n = 1 << zoom;
      int     tx, ty;
      guint32 rgb;

      nexus_geo_project (places[i].lat, places[i].lon, &x, &y);
      tx = (int)(x * n);
      ty = (int)(y * n);
      png = nexus_map_basemap_render_tile (basemap, tx, ty, zoom);
      stream = g_memory_input_stream_new_from_bytes (png);
      pixbuf = gdk_pixbuf_new_from_stream (stream, NULL, NULL);
      g_assert_nonnull (pixbuf);
      g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, 256);
      pixel_at (pixbuf, (int)((x * n - tx) * 256), (int)((y * n - ty) * 256), &rgb);
      g_assert_cmphex (rgb, ==, places[i].rgb);
    }

  /* A tile asked again comes from the cache, not drawn anew. */
  {
    g_autoptr (GBytes) first = nexus_map_basemap_render_tile (basemap, 8, 6, 4);
    g_autoptr (GBytes) again = nexus_map_basemap_render_tile (basemap, 8, 6, 4);

    g_assert_true (first == again);
  }

  /* Through libshumate's interface: the bytes come in the signal too. */
  {
    TileWait wait = { 0 };

    g_signal_connect (basemap, "received-data", G_CALLBACK (received_data_cb), &wait);
    shumate_data_source_get_tile_data_async (SHUMATE_DATA_SOURCE (basemap), 8, 6, 4, NULL,
                                             tile_done_cb, &wait);
    WAIT_UNTIL (wait.returned != NULL);
    g_assert_nonnull (wait.emitted);
    g_assert_true (g_bytes_equal (wait.emitted, wait.returned));
    g_bytes_unref (wait.emitted);
    g_bytes_unref (wait.returned);
  }
}

static guint
count_cells (NexusMapAreasLayer *areas, NexusMapCellState state)
{
  GArray *cells = nexus_map_areas_layer_get_cells (areas);
  guint   n = 0;

  for (guint i = 0; cells != NULL && i < cells->len; i++)
    n += g_array_index (cells, NexusMapCell, i).state == state;
  return n;
}

/* A search's cells, coloured by the state of their jobs, shown through
 * win.show-search-on-map, following the workers' progress. */
static void
test_search_cells (void)
{
  NexusMapPage       *page;
  NexusWindow        *window = show_map (&page);
  NexusMapAreasLayer *areas = _nexus_map_page_get_areas_layer (page);
  ShumateViewport    *viewport = shumate_simple_map_get_viewport (_nexus_map_page_get_map (page));
  const char         *xdg = g_getenv ("XDG_DATA_HOME");
  NexusTestRun        run = { .xdg_data_home = xdg };
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  gint64           search_id, n_cells;

  g_ptr_array_add (argv, g_strdup ("nexusctl"));
  g_ptr_array_add (argv, g_strdup ("--db"));
  g_ptr_array_add (argv, g_strdup (nexus_engine_get_db_path (engine)));
  g_ptr_array_add (argv, g_strdup ("search"));
  g_ptr_array_add (argv, g_strdup ("add"));
  g_ptr_array_add (argv, g_strdup ("--name=Cairo cafés"));
  g_ptr_array_add (argv, g_strdup ("--keywords=cafe,bakery"));
  g_ptr_array_add (argv, g_strdup ("--bbox=30.00,31.20,30.06,31.28"));
  g_assert_cmpint (nexus_test_runv (&run, &out, &err, argv), ==, 0);

  search_id = sql_int ("SELECT max(id) FROM searches");
  n_cells =
      sql_int ("SELECT count(*) FROM (SELECT DISTINCT cell_south, cell_west FROM internal_jobs"
               " WHERE search_id = (SELECT max(id) FROM searches))");
  g_assert_cmpint (n_cells, >, 2);
  /* One cell done for both keywords, one failed for good. */
  sql_int (
      "UPDATE internal_jobs SET status = 'done' WHERE search_id = (SELECT max(id) FROM searches)"
      " AND cell_south = (SELECT min(cell_south) FROM internal_jobs WHERE search_id ="
      " (SELECT max(id) FROM searches)) AND cell_west = (SELECT min(cell_west) FROM"
      " internal_jobs WHERE search_id = (SELECT max(id) FROM searches)) RETURNING 1");
  sql_int ("UPDATE internal_jobs SET status = 'dead' WHERE id = (SELECT max(id) FROM internal_jobs"
           " WHERE search_id = (SELECT max(id) FROM searches)) RETURNING 1");

  g_assert_true (
      gtk_widget_activate_action (GTK_WIDGET (window), "win.show-search-on-map", "x", search_id));
  g_assert_cmpstr (nexus_window_get_page (window), ==, "map");
  WAIT_UNTIL (nexus_map_areas_layer_get_cells (areas) != NULL);
  g_assert_cmpint (nexus_map_areas_layer_get_cells (areas)->len, ==, n_cells);
  g_assert_cmpuint (count_cells (areas, NEXUS_MAP_CELL_DONE), ==, 1);
  g_assert_cmpuint (count_cells (areas, NEXUS_MAP_CELL_FAILED), ==, 1);
  g_assert_cmpuint (count_cells (areas, NEXUS_MAP_CELL_QUEUED), ==, n_cells - 2);

  /* The view fits the search's region: centred on it, zoomed in. */
  WAIT_UNTIL (shumate_viewport_get_zoom_level (viewport) > 10);
  g_assert_cmpfloat (shumate_location_get_latitude (SHUMATE_LOCATION (viewport)), >, 30.0);
  g_assert_cmpfloat (shumate_location_get_latitude (SHUMATE_LOCATION (viewport)), <, 30.06);
  g_assert_cmpfloat (shumate_location_get_longitude (SHUMATE_LOCATION (viewport)), >, 31.2);
  g_assert_cmpfloat (shumate_location_get_longitude (SHUMATE_LOCATION (viewport)), <, 31.28);

  /* A worker leases the jobs of every queued cell: the cells follow. */
  sql_int ("UPDATE internal_jobs SET status = 'leased' WHERE status = 'queued' AND search_id ="
           " (SELECT max(id) FROM searches) RETURNING 1");
  publish_event ("job.leased");
  WAIT_UNTIL (count_cells (areas, NEXUS_MAP_CELL_LEASED) == n_cells - 2);
  g_assert_cmpuint (count_cells (areas, NEXUS_MAP_CELL_QUEUED), ==, 0);
  g_assert_cmpuint (count_cells (areas, NEXUS_MAP_CELL_FAILED), ==, 1);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
area_drawn_cb (NexusMapAreasLayer *layer, const char *geojson, char **out)
{
  *out = g_strdup (geojson);
}

/* A dragged rectangle becomes a closed GeoJSON polygon in degrees; a
 * polygon needs three corners. */
static void
test_draw_area (void)
{
  NexusMapPage       *page;
  NexusWindow        *window = show_map (&page);
  NexusMapAreasLayer *areas = _nexus_map_page_get_areas_layer (page);
  g_autofree char    *geojson = NULL;
  g_autoptr (JsonNode) node = NULL;
  JsonArray *ring;

  go_to (page, 30.05, 31.24, 12);
  g_signal_connect (areas, "area-drawn", G_CALLBACK (area_drawn_cb), &geojson);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "map.draw", "s", "polygon"));
  g_assert_cmpint (nexus_map_areas_layer_get_mode (areas), ==, NEXUS_MAP_DRAW_POLYGON);
  nexus_map_areas_layer_add_vertex (areas, 100, 100);
  nexus_map_areas_layer_add_vertex (areas, 300, 100);
  g_assert_false (nexus_map_areas_layer_finish (areas));
  g_assert_null (geojson);
  nexus_map_areas_layer_add_vertex (areas, 300, 300);
  /* A corner on the first one closes the polygon. */
  nexus_map_areas_layer_add_vertex (areas, 101, 101);
  g_assert_nonnull (geojson);
  g_assert_cmpint (nexus_map_areas_layer_get_mode (areas), ==, NEXUS_MAP_DRAW_NONE);

  node = json_from_string (geojson, NULL);
  g_assert_nonnull (node);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "type"), ==,
                   "Polygon");
  ring = json_array_get_array_element (
      json_object_get_array_member (json_node_get_object (node), "coordinates"), 0);
  g_assert_cmpuint (json_array_get_length (ring), ==, 4);
  /* Closed, and in degrees around Cairo: [lon, lat]. */
  for (guint i = 0; i < 4; i++)
    {
      JsonArray *position = json_array_get_array_element (ring, i);

      g_assert_cmpfloat (json_array_get_double_element (position, 0), >, 31.0);
      g_assert_cmpfloat (json_array_get_double_element (position, 0), <, 31.5);
      g_assert_cmpfloat (json_array_get_double_element (position, 1), >, 29.8);
      g_assert_cmpfloat (json_array_get_double_element (position, 1), <, 30.3);
    }
  g_assert_cmpfloat (json_array_get_double_element (json_array_get_array_element (ring, 0), 0), ==,
                     json_array_get_double_element (json_array_get_array_element (ring, 3), 0));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Countries are found by their English or Arabic name. */
static void
test_fly_to_country (void)
{
  NexusMapPage    *page;
  NexusWindow     *window = show_map (&page);
  ShumateViewport *viewport = shumate_simple_map_get_viewport (_nexus_map_page_get_map (page));

  go_to (page, 0, 0, 2);
  g_assert_true (nexus_map_page_fly_to (page, "مصر"));
  g_assert_cmpfloat (shumate_location_get_latitude (SHUMATE_LOCATION (viewport)), >, 21);
  g_assert_cmpfloat (shumate_location_get_latitude (SHUMATE_LOCATION (viewport)), <, 32);
  g_assert_cmpfloat (shumate_location_get_longitude (SHUMATE_LOCATION (viewport)), >, 24);
  g_assert_cmpfloat (shumate_location_get_longitude (SHUMATE_LOCATION (viewport)), <, 37);
  g_assert_cmpfloat (shumate_viewport_get_zoom_level (viewport), >, 3);

  g_assert_true (nexus_map_page_fly_to (page, "saudi"));
  g_assert_cmpfloat (shumate_location_get_longitude (SHUMATE_LOCATION (viewport)), >, 36);
  g_assert_false (nexus_map_page_fly_to (page, "Atlantis"));

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
record_parameter_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  GVariant **out = user_data;

  g_clear_pointer (out, g_variant_unref);
  *out = g_variant_ref (parameter);
}

/* The page hands its work to the window's actions that other pages own:
 * the view's box to win.filter-leads, a drawn area to win.new-search.
 * Stand-ins record what they are given. */
static void
test_window_actions (void)
{
  NexusMapPage       *page;
  NexusWindow        *window = show_map (&page);
  NexusMapAreasLayer *areas = _nexus_map_page_get_areas_layer (page);
  g_autoptr (GSimpleActionGroup) stand_ins = g_simple_action_group_new ();
  g_autoptr (GVariant) filters = NULL;
  g_autoptr (GVariant) geometry = NULL;
  g_autoptr (GVariant) area = NULL;
  const GActionEntry entries[] = {
    { .name = "filter-leads", .activate = record_parameter_cb, .parameter_type = "a{sv}" },
    { .name = "new-search", .activate = record_parameter_cb, .parameter_type = "s" },
  };
  double min_lat, min_lon, max_lat, max_lon;

  g_action_map_add_action_entries (G_ACTION_MAP (stand_ins), entries, 1, &filters);
  g_action_map_add_action_entries (G_ACTION_MAP (stand_ins), entries + 1, 1, &geometry);
  gtk_widget_insert_action_group (GTK_WIDGET (page), "win", G_ACTION_GROUP (stand_ins));

  go_to (page, 30.05, 31.24, 12);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "map.show-in-grid", NULL));
  g_assert_nonnull (filters);
  area = g_variant_lookup_value (filters, "area", G_VARIANT_TYPE ("(dddd)"));
  g_assert_nonnull (area);
  g_variant_get (area, "(dddd)", &min_lat, &min_lon, &max_lat, &max_lon);
  g_assert_cmpfloat (min_lat, <, 30.05);
  g_assert_cmpfloat (max_lat, >, 30.05);
  g_assert_cmpfloat (min_lon, <, 31.24);
  g_assert_cmpfloat (max_lon, >, 31.24);
  /* A city's view at zoom 12: some ten kilometres, not the world. */
  g_assert_cmpfloat (max_lon - min_lon, <, 1);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "map.draw", "s", "rectangle"));
  nexus_map_areas_layer_set_rectangle (areas, 100, 100, 400, 300);
  g_assert_true (nexus_map_areas_layer_finish (areas));
  g_assert_nonnull (geometry);
  g_assert_nonnull (strstr (g_variant_get_string (geometry, NULL), "\"Polygon\""));

  gtk_widget_insert_action_group (GTK_WIDGET (page), "win", NULL);
  gtk_window_destroy (GTK_WINDOW (window));
}

static gint64
count_cached_places (void)
{
  return sql_int ("SELECT count(*) FROM nominatim_cache");
}

/* With online tiles allowed, a place the offline map does not know is
 * asked of Nominatim (a local stand-in here), the map flies to it and the
 * answer is cached: the same name a second time costs no request.  The
 * page is not shown, so no tile is fetched. */
static void
test_fly_to_online_place (void)
{
  FakeNominatim   *fake = fake_nominatim_start ();
  g_autofree char *url = fake_nominatim_get_url (fake);
  g_autoptr (GSettings) settings = g_settings_new ("io.nexus.Nexus");
  NexusMapPage *page =
      g_object_ref_sink (g_object_new (NEXUS_TYPE_MAP_PAGE, "engine", engine, NULL));
  ShumateViewport *viewport = shumate_simple_map_get_viewport (_nexus_map_page_get_map (page));
  gint64           cached = count_cached_places ();

  g_setenv ("NEXUS_NOMINATIM_URL", url, TRUE);
  g_assert_false (nexus_map_page_fly_to (page, "Atlantis"));
  g_assert_cmpuint (fake_nominatim_count (fake), ==, 0);

  g_settings_set_boolean (settings, "map-online-tiles", TRUE);
  go_to (page, 0, 0, 2);
  g_assert_false (nexus_map_page_fly_to (page, "Cairo"));
  WAIT_UNTIL (shumate_location_get_latitude (SHUMATE_LOCATION (viewport)) > 29.8);
  g_assert_cmpfloat (shumate_location_get_latitude (SHUMATE_LOCATION (viewport)), <, 30.1);
  g_assert_cmpfloat (shumate_location_get_longitude (SHUMATE_LOCATION (viewport)), >, 31.1);
  g_assert_cmpfloat (shumate_location_get_longitude (SHUMATE_LOCATION (viewport)), <, 31.4);
  g_assert_cmpuint (fake_nominatim_count (fake), ==, 1);
  WAIT_UNTIL (count_cached_places () == cached + 1);

  go_to (page, 0, 0, 2);
  g_assert_false (nexus_map_page_fly_to (page, "Cairo"));
  WAIT_UNTIL (shumate_location_get_latitude (SHUMATE_LOCATION (viewport)) > 29.8);
  g_assert_cmpuint (fake_nominatim_count (fake), ==, 1);

  g_settings_set_boolean (settings, "map-online-tiles", FALSE);
  g_unsetenv ("NEXUS_NOMINATIM_URL");
  g_object_unref (page);
  fake_nominatim_stop (fake);
}

/* The keys' actions: + and - zoom by one level, the arrows move the view
 * by a quarter of its size, east being east in either text direction. */
static void
test_zoom_and_pan (void)
{
  NexusMapPage    *page;
  NexusWindow     *window = show_map (&page);
  ShumateViewport *viewport = shumate_simple_map_get_viewport (_nexus_map_page_get_map (page));
  double           lon, lat;

  go_to (page, 30, 31, 6);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "map.zoom", "i", 1));
  g_assert_cmpfloat_with_epsilon (shumate_viewport_get_zoom_level (viewport), 7, 1e-9);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "map.zoom", "i", -1));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "map.zoom", "i", -1));
  g_assert_cmpfloat_with_epsilon (shumate_viewport_get_zoom_level (viewport), 5, 1e-9);

  lon = shumate_location_get_longitude (SHUMATE_LOCATION (viewport));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "map.pan", "(ii)", 1, 0));
  g_assert_cmpfloat (shumate_location_get_longitude (SHUMATE_LOCATION (viewport)), >, lon + 1);
  lat = shumate_location_get_latitude (SHUMATE_LOCATION (viewport));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "map.pan", "(ii)", 0, -1));
  g_assert_cmpfloat (shumate_location_get_latitude (SHUMATE_LOCATION (viewport)), >, lat + 1);

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

  tmp_dir = nexus_test_make_dir ("test-map");
  g_setenv ("XDG_DATA_HOME", tmp_dir, TRUE);
  db_path = g_build_filename (tmp_dir, "vault.db", NULL);
  engine = nexus_engine_new (db_path, NEXUS_ENGINE_SEED_DEMO, &error);
  g_assert_no_error (error);

  g_test_add_func ("/nexus/Map/cluster-click-zooms", test_cluster_click_zooms);
  g_test_add_func ("/nexus/Map/lead-popover", test_lead_popover);
  g_test_add_func ("/nexus/Map/follows-filter", test_follows_filter);
  g_test_add_func ("/nexus/Map/basemap-land", test_basemap_land);
  g_test_add_func ("/nexus/Map/search-cells", test_search_cells);
  g_test_add_func ("/nexus/Map/draw-area", test_draw_area);
  g_test_add_func ("/nexus/Map/fly-to-country", test_fly_to_country);
  g_test_add_func ("/nexus/Map/new-leads-live", test_new_leads_live);
  g_test_add_func ("/nexus/Map/zoom-and-pan", test_zoom_and_pan);
  g_test_add_func ("/nexus/Map/window-actions", test_window_actions);
  g_test_add_func ("/nexus/Map/fly-to-online-place", test_fly_to_online_place);

  status = g_test_run ();

  nexus_engine_shutdown (engine);
  g_clear_object (&engine);
  nexus_test_remove_dir (tmp_dir);
  g_free (tmp_dir);
  return status;
}
