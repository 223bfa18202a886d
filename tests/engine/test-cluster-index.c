/* test-cluster-index.c — the map's cluster index against plain scans
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every answer of the index is compared with what a linear scan over the
 * same points says: the partition of the points at each level, the counts,
 * the aggregates and the viewport queries.
 */
#include "config.h"

#include "geo/nexus-cluster-index.h"
#include "../nexus-test-geo.h"

static int
compare_first (gconstpointer a, gconstpointer b)
{
  const NexusCluster *ca = *(const NexusCluster *const *)a;
  const NexusCluster *cb = *(const NexusCluster *const *)b;

  return ca->first < cb->first ? -1 : ca->first > cb->first;
}

static NexusClusterIndex *
build_random (guint32 seed, gsize n, guint n_cities)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  g_autofree NexusGeoPoint *points = nexus_test_geo_points (rand, n, n_cities);

  return nexus_cluster_index_new (points, n);
}

/* At every level, the clusters that cover the world partition the points:
 * ranges back to back from 0 to n, counts summing to n, each point in the
 * cell of its cluster and no two clusters of a level in one cell. */
static void
test_partition (void)
{
  g_autoptr (NexusClusterIndex) index = build_random (7, 20000, 30);
  gsize n = nexus_cluster_index_get_n_points (index);

  g_assert_cmpuint (n, ==, 20000);
  for (guint level = 0; level <= NEXUS_CLUSTER_MAX_LEVEL; level++)
    {
      g_autoptr (GPtrArray) clusters = g_ptr_array_new ();
      g_autoptr (GHashTable) cells = g_hash_table_new (g_int64_hash, g_int64_equal);
      g_autoptr (GArray) cell_keys = g_array_sized_new (FALSE, FALSE, sizeof (gint64), 0);
      guint32 next = 0;
      gsize   total = 0;

      nexus_cluster_index_query (index, level, -1, -1, 2, 2, clusters);
      g_ptr_array_sort (clusters, compare_first);
      g_array_set_size (cell_keys, clusters->len);
      for (guint i = 0; i < clusters->len; i++)
        {
          const NexusCluster *c = g_ptr_array_index (clusters, i);
          gint64             *cell = &g_array_index (cell_keys, gint64, i);

          g_assert_cmpuint (c->first, ==, next);
          g_assert_cmpuint (c->count, >=, 1);
          g_assert_true (c->level == level || c->n_children == 0);
          g_assert_true (c->level <= level);
          next = c->first + c->count;
          total += c->count;

          *cell = (gint64)nexus_cluster_index_get_point_cell (index, c->first, level);
          for (guint32 p = c->first; p < c->first + c->count; p++)
            g_assert_cmpuint (nexus_cluster_index_get_point_cell (index, p, level), ==, *cell);
          g_assert_false (g_hash_table_contains (cells, cell));
          g_hash_table_add (cells, cell);
        }
      g_assert_cmpuint (next, ==, n);
      g_assert_cmpuint (total, ==, n);
    }
}

/* The aggregates of every cluster of a few levels, recomputed from its
 * points. */
static void
test_aggregates (void)
{
  g_autoptr (NexusClusterIndex) index = build_random (11, 5000, 10);

  for (guint level = 0; level <= 12; level += 3)
    {
      const NexusCluster *clusters = nexus_cluster_index_get_clusters (index, level);

      for (gsize i = 0; i < nexus_cluster_index_get_n_clusters (index, level); i++)
        {
          const NexusCluster *c = &clusters[i];
          guint               category_counts[NEXUS_TEST_GEO_CATEGORIES] = { 0 };
          guint               status_counts[NEXUS_TEST_GEO_STATUSES] = { 0 };
          double              sum_x = 0, sum_y = 0;

          for (guint32 p = c->first; p < c->first + c->count; p++)
            {
              double x, y;

              nexus_cluster_index_get_point_position (index, p, &x, &y);
              g_assert_cmpfloat (x, >=, c->min_x);
              g_assert_cmpfloat (x, <=, c->max_x);
              g_assert_cmpfloat (y, >=, c->min_y);
              g_assert_cmpfloat (y, <=, c->max_y);
              sum_x += x;
              sum_y += y;
              category_counts[nexus_cluster_index_get_point_category (index, p)]++;
              status_counts[nexus_cluster_index_get_point_status (index, p)]++;
            }
          g_assert_cmpfloat_with_epsilon (c->x, sum_x / c->count, 1e-5);
          g_assert_cmpfloat_with_epsilon (c->y, sum_y / c->count, 1e-5);
          for (guint k = 0; k < NEXUS_TEST_GEO_CATEGORIES; k++)
            g_assert_true (
                category_counts[k] < category_counts[c->top_category] ||
                (category_counts[k] == category_counts[c->top_category] && k >= c->top_category));
          for (guint k = 0; k < NEXUS_TEST_GEO_STATUSES; k++)
            g_assert_cmpuint (status_counts[k], <=, status_counts[c->top_status]);
        }
    }
}

typedef struct
{
  guint  count;
  double min_x, min_y, max_x, max_y;
} ScanCell;

/* A viewport query returns exactly the cells that a linear scan over the
 * points finds with a bounding box meeting the rectangle, with the same
 * counts. */
static void
test_query_equals_scan (void)
{
  g_autoptr (NexusClusterIndex) index = build_random (13, 30000, 40);
  g_autoptr (GRand) rand = g_rand_new_with_seed (17);
  gsize n = nexus_cluster_index_get_n_points (index);

  for (guint round = 0; round < 60; round++)
    {
      guint  level = g_rand_int_range (rand, 0, NEXUS_CLUSTER_MAX_LEVEL + 1);
      double size = pow (2.0, -g_rand_double_range (rand, 0, 14));
      g_autoptr (GPtrArray) clusters = g_ptr_array_new ();
      g_autoptr (GHashTable) scan =
          g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
      GHashTableIter iter;
      gpointer       key, value;
      double         x0, y0, x1, y1;
      guint          expected = 0;
      guint32        pick;

      /* Centred on a point, so dense places are asked about too. */
      pick = g_rand_int_range (rand, 0, (gint32)n);
      nexus_cluster_index_get_point_position (index, pick, &x0, &y0);
      x0 -= size * g_rand_double (rand);
      y0 -= size * g_rand_double (rand);
      x1 = x0 + size;
      y1 = y0 + size * 0.6;

      for (guint32 p = 0; p < n; p++)
        {
          gint64    cell = (gint64)nexus_cluster_index_get_point_cell (index, p, level);
          ScanCell *sc = g_hash_table_lookup (scan, &cell);
          double    x, y;

          nexus_cluster_index_get_point_position (index, p, &x, &y);
          if (sc == NULL)
            {
              sc = g_new0 (ScanCell, 1);
              sc->min_x = sc->max_x = x;
              sc->min_y = sc->max_y = y;
              g_hash_table_insert (scan, g_memdup2 (&cell, sizeof cell), sc);
            }
          sc->count++;
          sc->min_x = MIN (sc->min_x, x);
          sc->max_x = MAX (sc->max_x, x);
          sc->min_y = MIN (sc->min_y, y);
          sc->max_y = MAX (sc->max_y, y);
        }

      nexus_cluster_index_query (index, level, x0, y0, x1, y1, clusters);
      for (guint i = 0; i < clusters->len; i++)
        {
          const NexusCluster *c = g_ptr_array_index (clusters, i);
          gint64    cell = (gint64)nexus_cluster_index_get_point_cell (index, c->first, level);
          ScanCell *sc = g_hash_table_lookup (scan, &cell);

          g_assert_nonnull (sc);
          g_assert_cmpuint (sc->count, ==, c->count);
          g_assert_true (sc->max_x >= x0 && sc->min_x <= x1 && sc->max_y >= y0 && sc->min_y <= y1);
        }

      g_hash_table_iter_init (&iter, scan);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          ScanCell *sc = value;

          if (sc->max_x >= x0 && sc->min_x <= x1 && sc->max_y >= y0 && sc->min_y <= y1)
            expected++;
        }
      g_assert_cmpuint (clusters->len, ==, expected);
    }
}

/* Leads in one building stay one cluster down to the deepest level; a
 * lone lead is its own cluster as soon as its cell holds nothing else. */
static void
test_same_place_and_lone_point (void)
{
  NexusGeoPoint points[] = {
    { 1, 30.0444, 31.2357, 0, 0 },
    { 2, 30.0444, 31.2357, 1, 1 },
    { 3, 30.0444, 31.2357, 1, 1 },
    { 4, 24.7136, 46.6753, 2, 2 },
  };
  g_autoptr (NexusClusterIndex) index = nexus_cluster_index_new (points, G_N_ELEMENTS (points));
  g_autoptr (GPtrArray) world = g_ptr_array_new ();
  g_autoptr (GPtrArray) deepest = g_ptr_array_new ();
  const NexusCluster *cairo;

  nexus_cluster_index_query (index, 0, 0, 0, 1, 1, world);
  g_assert_cmpuint (world->len, ==, 1);
  g_assert_cmpuint (((NexusCluster *)world->pdata[0])->count, ==, 4);
  g_assert_cmpuint (((NexusCluster *)world->pdata[0])->top_category, ==, 1);

  nexus_cluster_index_query (index, NEXUS_CLUSTER_MAX_LEVEL, 0, 0, 1, 1, deepest);
  g_assert_cmpuint (deepest->len, ==, 2);
  g_ptr_array_sort (deepest, compare_first);
  cairo = deepest->pdata[0];
  if (cairo->count != 3)
    cairo = deepest->pdata[1];
  g_assert_cmpuint (cairo->count, ==, 3);
  g_assert_cmpuint (cairo->level, ==, NEXUS_CLUSTER_MAX_LEVEL);
  g_assert_cmpuint (cairo->n_children, ==, 0);
  g_assert_cmpuint (cairo->top_status, ==, 1);
}

static void
test_empty (void)
{
  g_autoptr (NexusClusterIndex) index = nexus_cluster_index_new (NULL, 0);
  g_autoptr (GPtrArray) clusters = g_ptr_array_new ();

  nexus_cluster_index_query (index, 5, 0, 0, 1, 1, clusters);
  g_assert_cmpuint (clusters->len, ==, 0);
  g_assert_cmpuint (nexus_cluster_index_get_n_points (index), ==, 0);
}

/* Projection and its inverse agree, and zoom levels map to cluster levels. */
static void
test_projection (void)
{
  double x, y, lat, lon;

  nexus_geo_project (0, 0, &x, &y);
  g_assert_cmpfloat_with_epsilon (x, 0.5, 1e-12);
  g_assert_cmpfloat_with_epsilon (y, 0.5, 1e-12);
  nexus_geo_project (30.0444, 31.2357, &x, &y);
  nexus_geo_unproject (x, y, &lat, &lon);
  g_assert_cmpfloat_with_epsilon (lat, 30.0444, 1e-9);
  g_assert_cmpfloat_with_epsilon (lon, 31.2357, 1e-9);
  g_assert_cmpuint (nexus_cluster_level_for_zoom (0), ==, 2);
  g_assert_cmpuint (nexus_cluster_level_for_zoom (5.7), ==, 7);
  g_assert_cmpuint (nexus_cluster_level_for_zoom (25), ==, NEXUS_CLUSTER_MAX_LEVEL);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/nexus/ClusterIndex/partition", test_partition);
  g_test_add_func ("/nexus/ClusterIndex/aggregates", test_aggregates);
  g_test_add_func ("/nexus/ClusterIndex/query-equals-scan", test_query_equals_scan);
  g_test_add_func ("/nexus/ClusterIndex/same-place-and-lone-point", test_same_place_and_lone_point);
  g_test_add_func ("/nexus/ClusterIndex/empty", test_empty);
  g_test_add_func ("/nexus/ClusterIndex/projection", test_projection);

  return g_test_run ();
}
