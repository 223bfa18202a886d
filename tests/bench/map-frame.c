/* map-frame.c — the map's frame time while panning over a million leads
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A window with the map page's widgets (a ShumateSimpleMap over the offline
 * base map, the leads layer holding 1,000,000 leads in realistic clusters,
 * NEXUS_BENCH_LEADS=N for another count) pans across dense places at
 * several zooms.  Each frame is the whole map drawn and rendered to a
 * texture by the window's renderer, as GTK does for a frame.  Baseline,
 * same run, same frames: the same map with the leads layer hidden.  The
 * layer alone (its snapshot rendered) is measured too.
 *
 * Needs a display (run under xvfb-run); without one it reports a skip.
 */
#include "config.h"

#include <adwaita.h>
#include <stdlib.h>
#include <time.h>

#include "../nexus-test-geo.h"
#include "nexus-map-basemap.h"
#include "nexus-map-leads-layer.h"

#define FRAMES_PER_PLACE 30

typedef struct
{
  double lat, lon, zoom;
} Place;

static int
compare_doubles (const void *a, const void *b)
{
  double da = *(const double *)a, db = *(const double *)b;

  return da < db ? -1 : da > db;
}

/* The main thread's CPU time, in ms: what a frame costs on a machine whose
 * other cores are busy (this one is shared). */
static double
thread_cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static void
drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* Draws @drawn (the map or one of its layers) in frames panning from each
 * place; returns the frame times (ms, wall clock) and their CPU times. */
static GArray *
run_frames (GtkWidget        *window,
            ShumateSimpleMap *map,
            GtkWidget        *drawn,
            const Place      *places,
            guint             n_places,
            GArray          **out_cpu_times)
{
  GArray          *cpu_times = g_array_new (FALSE, FALSE, sizeof (double));
  ShumateViewport *viewport = shumate_simple_map_get_viewport (map);
  GskRenderer     *renderer = gtk_native_get_renderer (GTK_NATIVE (window));
  g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (drawn);
  GArray *times = g_array_new (FALSE, FALSE, sizeof (double));
  int     width = gtk_widget_get_width (GTK_WIDGET (map));
  int     height = gtk_widget_get_height (GTK_WIDGET (map));

  for (guint p = 0; p < n_places; p++)
    for (guint f = 0; f < FRAMES_PER_PLACE; f++)
      {
        g_autoptr (GtkSnapshot) snapshot = gtk_snapshot_new ();
        g_autoptr (GskRenderNode) node = NULL;
        g_autoptr (GdkTexture) texture = NULL;
        double lat, lon, ms, cpu0;
        gint64 t0;

        /* 12 pixels east and 6 south per frame. */
        shumate_viewport_widget_coords_to_location (viewport, GTK_WIDGET (map),
                                                    width / 2.0 + (f == 0 ? 0 : 12),
                                                    height / 2.0 + (f == 0 ? 0 : 6), &lat, &lon);
        if (f == 0)
          {
            shumate_viewport_set_zoom_level (viewport, places[p].zoom);
            lat = places[p].lat;
            lon = places[p].lon;
          }
        shumate_location_set_location (SHUMATE_LOCATION (viewport), lat, lon);
        drain ();

        t0 = g_get_monotonic_time ();
        cpu0 = thread_cpu_ms ();
        gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
        node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
        if (node != NULL)
          texture = gsk_renderer_render_texture (renderer, node,
                                                 &GRAPHENE_RECT_INIT (0, 0, width, height));
        ms = (g_get_monotonic_time () - t0) / 1000.0;
        g_array_append_val (times, ms);
        ms = thread_cpu_ms () - cpu0;
        g_array_append_val (cpu_times, ms);
        if (g_getenv ("NEXUS_BENCH_VERBOSE") != NULL)
          g_print ("#   zoom %4.1f: %6.2f ms CPU\n", places[p].zoom, ms);
      }
  *out_cpu_times = cpu_times;
  return times;
}

static void
print_times (const char *what, GArray *times, GArray *cpu_times)
{
  double sum = 0, cpu_sum = 0;

  g_array_sort (times, compare_doubles);
  g_array_sort (cpu_times, compare_doubles);
  for (guint i = 0; i < times->len; i++)
    {
      sum += g_array_index (times, double, i);
      cpu_sum += g_array_index (cpu_times, double, i);
    }
  g_print ("%s wall mean %6.2f p95 %6.2f max %6.2f ms | CPU mean %6.2f p95 %6.2f max %6.2f ms"
           " (%u frames)\n",
           what, sum / times->len, g_array_index (times, double, times->len * 95 / 100),
           g_array_index (times, double, times->len - 1), cpu_sum / times->len,
           g_array_index (cpu_times, double, times->len * 95 / 100),
           g_array_index (cpu_times, double, times->len - 1), times->len);
}

int
main (int argc, char *argv[])
{
  gsize n = nexus_test_geo_bench_size (argc, argv);
  g_autoptr (GRand) rand = g_rand_new_with_seed (42);
  g_autofree NexusGeoPoint *points = NULL;
  g_autoptr (NexusClusterIndex) index = NULL;
  g_autoptr (NexusMapBasemap) basemap = NULL;
  g_autoptr (ShumateMapSource) source = NULL;
  g_autoptr (GArray) with_leads = NULL;
  g_autoptr (GArray) without_leads = NULL;
  g_autoptr (GArray) layer_only = NULL;
  g_autoptr (GArray) warm_up = NULL;
  g_autoptr (GArray) with_cpu = NULL;
  g_autoptr (GArray) without_cpu = NULL;
  g_autoptr (GArray) layer_cpu = NULL;
  GtkWidget          *window;
  ShumateSimpleMap   *map;
  NexusMapLeadsLayer *layer;
  Place               places[6];

  if (!gtk_init_check ())
    {
      g_print ("# no display: the frame benchmark needs one (xvfb-run)\n");
      return 77;
    }
  adw_init ();

  points = nexus_test_geo_points (rand, n, 400);
  index = nexus_cluster_index_new (points, n);

  /* The densest city, and a few leads picked at random, at the zooms an
   * operator uses. */
  for (guint i = 0; i < G_N_ELEMENTS (places); i++)
    {
      const NexusGeoPoint *pick = &points[g_rand_int_range (rand, 0, (gint32)n)];
      static const double  zooms[] = { 3, 6, 9, 11, 13, 15 };

      places[i].lat = pick->lat;
      places[i].lon = pick->lon;
      places[i].zoom = zooms[i];
    }

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  map = shumate_simple_map_new ();
  basemap = nexus_map_basemap_new (FALSE);
  source = nexus_map_basemap_create_map_source (basemap);
  shumate_viewport_set_reference_map_source (shumate_simple_map_get_viewport (map), source);
  shumate_simple_map_set_map_source (map, source);
  layer = nexus_map_leads_layer_new (shumate_simple_map_get_viewport (map));
  shumate_simple_map_add_overlay_layer (map, SHUMATE_LAYER (layer));
  nexus_map_leads_layer_set_index (layer, index, NULL);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (map));
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (GTK_WIDGET (layer)) ||
         gtk_widget_get_width (GTK_WIDGET (layer)) == 0)
    g_main_context_iteration (NULL, TRUE);

  g_print ("# %zu leads; renderer %s; %d x %d pixels\n", n,
           G_OBJECT_TYPE_NAME (gtk_native_get_renderer (GTK_NATIVE (window))),
           gtk_widget_get_width (GTK_WIDGET (map)), gtk_widget_get_height (GTK_WIDGET (map)));

  /* Warm up: the base map's tiles of every frame drawn and cached once. */
  g_array_unref (
      run_frames (window, map, GTK_WIDGET (map), places, G_N_ELEMENTS (places), &warm_up));
  for (guint i = 0; i < 50; i++)
    {
      g_usleep (10000);
      drain ();
    }

  gtk_widget_set_visible (GTK_WIDGET (layer), FALSE);
  without_leads =
      run_frames (window, map, GTK_WIDGET (map), places, G_N_ELEMENTS (places), &without_cpu);
  gtk_widget_set_visible (GTK_WIDGET (layer), TRUE);
  with_leads = run_frames (window, map, GTK_WIDGET (map), places, G_N_ELEMENTS (places), &with_cpu);
  layer_only =
      run_frames (window, map, GTK_WIDGET (layer), places, G_N_ELEMENTS (places), &layer_cpu);

  print_times ("map frame with the leads layer:", with_leads, with_cpu);
  print_times ("  baseline, the map without it:", without_leads, without_cpu);
  print_times ("the leads layer alone:         ", layer_only, layer_cpu);

  gtk_window_destroy (GTK_WINDOW (window));
  return 0;
}
