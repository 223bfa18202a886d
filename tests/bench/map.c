/* map.c — the map's cluster index with a million leads
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * 1,000,000 leads (NEXUS_BENCH_LEADS=N or the first argument for another
 * count) in realistic clusters (tests/nexus-test-geo.h).  Each figure is
 * printed next to a baseline measured in the same run on the same points:
 *
 *  - index build, against one linear scan that projects every point and
 *    against sorting the same points by their Morton key with qsort();
 *  - viewport queries (1280 x 800 pixels at zooms 3 to 15 over dense and
 *    empty places), against a linear scan that counts the points in the
 *    same rectangle.
 *
 * The frame time of the leads layer while panning is measured by the UI
 * benchmark (tests/ui/bench-map-frame.c), which needs a display.
 */
#include "config.h"

#include <stdlib.h>

#include "../nexus-test-geo.h"
#include "geo/nexus-cluster-index.h"

typedef struct
{
  guint64 key;
  guint32 index;
} KeyedPoint;

static int
compare_keys (const void *a, const void *b)
{
  const KeyedPoint *ka = a, *kb = b;

  return ka->key < kb->key ? -1 : ka->key > kb->key;
}

static guint64
morton (double x, double y)
{
  guint64 key = 0;
  guint32 cx = (guint32)CLAMP (x * (1u << 22), 0, (1u << 22) - 1);
  guint32 cy = (guint32)CLAMP (y * (1u << 22), 0, (1u << 22) - 1);

  for (guint b = 0; b < 22; b++)
    key |= ((guint64)((cx >> b) & 1) << (2 * b)) | ((guint64)((cy >> b) & 1) << (2 * b + 1));
  return key;
}

int
main (int argc, char *argv[])
{
  gsize n = nexus_test_geo_bench_size (argc, argv);
  g_autoptr (GRand) rand = g_rand_new_with_seed (42);
  g_autofree NexusGeoPoint *points = NULL;
  g_autofree KeyedPoint    *keyed = NULL;
  g_autoptr (NexusClusterIndex) index = NULL;
  g_autoptr (GPtrArray) clusters = g_ptr_array_new ();
  double checksum = 0;
  gint64 t0, scan_us, sort_us, build_us;
  gint64 query_us = 0, linear_us = 0;
  guint  n_queries = 0, max_clusters = 0;
  guint  linear_rounds = 0;

  points = nexus_test_geo_points (rand, n, 400);
  g_print ("# %zu leads around 400 cities\n", n);

  /* Baseline 1: one pass that projects every point. */
  t0 = g_get_monotonic_time ();
  for (gsize i = 0; i < n; i++)
    {
      double x, y;

      nexus_geo_project (points[i].lat, points[i].lon, &x, &y);
      checksum += x + y;
    }
  scan_us = g_get_monotonic_time () - t0;

  /* Baseline 2: the same points sorted by Morton key. */
  t0 = g_get_monotonic_time ();
  keyed = g_new (KeyedPoint, n);
  for (gsize i = 0; i < n; i++)
    {
      double x, y;

      nexus_geo_project (points[i].lat, points[i].lon, &x, &y);
      keyed[i].key = morton (x, y);
      keyed[i].index = (guint32)i;
    }
  qsort (keyed, n, sizeof (KeyedPoint), compare_keys);
  sort_us = g_get_monotonic_time () - t0;

  t0 = g_get_monotonic_time ();
  index = nexus_cluster_index_new (points, n);
  build_us = g_get_monotonic_time () - t0;

  g_print ("index build:        %8.1f ms\n", build_us / 1000.0);
  g_print ("  baseline scan:    %8.1f ms  (build = %.2f x one projecting scan)\n", scan_us / 1000.0,
           (double)build_us / MAX (scan_us, 1));
  g_print ("  baseline sort:    %8.1f ms  (build = %.2f x a Morton-key qsort)\n", sort_us / 1000.0,
           (double)build_us / MAX (sort_us, 1));
  {
    gsize total = 0;

    for (guint level = 0; level <= NEXUS_CLUSTER_MAX_LEVEL; level++)
      total += nexus_cluster_index_get_n_clusters (index, level);
    g_print ("  clusters:         %zu in %d levels (%.1f MB)\n", total, NEXUS_CLUSTER_MAX_LEVEL + 1,
             total * sizeof (NexusCluster) / 1048576.0);
  }

  /* Viewports of 1280 x 800 pixels, centred on random leads (so mostly on
   * dense places) and on random places. */
  for (guint zoom = 3; zoom <= 15; zoom += 2)
    for (guint round = 0; round < 40; round++)
      {
        double scale = 256.0 * (1u << zoom);
        double cx, cy, x0, y0, x1, y1;
        gint64 t;

        if (round % 2 == 0)
          nexus_geo_project (points[g_rand_int_range (rand, 0, (gint32)n)].lat,
                             points[g_rand_int_range (rand, 0, (gint32)n)].lon, &cx, &cy);
        else
          {
            guint32 pick = g_rand_int_range (rand, 0, (gint32)n);

            nexus_geo_project (points[pick].lat, points[pick].lon, &cx, &cy);
          }
        x0 = cx - 640 / scale;
        x1 = cx + 640 / scale;
        y0 = cy - 400 / scale;
        y1 = cy + 400 / scale;

        g_ptr_array_set_size (clusters, 0);
        t = g_get_monotonic_time ();
        nexus_cluster_index_query (index, nexus_cluster_level_for_zoom (zoom), x0, y0, x1, y1,
                                   clusters);
        query_us += g_get_monotonic_time () - t;
        n_queries++;
        max_clusters = MAX (max_clusters, clusters->len);

        /* The linear scan is slow: measure it on every fourth viewport. */
        if (round % 4 == 0)
          {
            gsize inside = 0;

            t = g_get_monotonic_time ();
            for (gsize i = 0; i < n; i++)
              {
                double x, y;

                nexus_cluster_index_get_point_position (index, (guint32)i, &x, &y);
                inside += x >= x0 && x <= x1 && y >= y0 && y <= y1;
              }
            linear_us += g_get_monotonic_time () - t;
            linear_rounds++;
            checksum += inside;
          }
      }

  g_print ("viewport query:     %8.3f ms mean over %u viewports (at most %u clusters)\n",
           query_us / 1000.0 / n_queries, n_queries, max_clusters);
  g_print ("  baseline scan:    %8.3f ms mean over %u viewports (query = %.4f x a linear scan)\n",
           linear_us / 1000.0 / linear_rounds, linear_rounds,
           ((double)query_us / n_queries) / MAX ((double)linear_us / linear_rounds, 1));
  g_print ("# checksum %g\n", checksum);
  return 0;
}
