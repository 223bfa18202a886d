/* nexus-cluster-index.c — leads on a map, grouped per zoom level
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Build: project every point, compute its Morton key, sort the keys with
 * an LSD radix sort (four passes of 11 bits over 44-bit keys), then cut the
 * sorted range top-down: the children of a cluster are the sub-ranges that
 * share the next two bits, found by binary search.  The aggregates
 * (bounds, centroid, top status and category) are then filled bottom-up:
 * from the children where they merge exactly, by one scan of the members
 * for the top category, which does not.
 *
 * Query: a descent from the root that skips every cluster whose bounds
 * miss the rectangle, and stops at the asked level or at a leaf.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "nexus-cluster-index.h"

#define MERCATOR_MAX_LAT 85.05112878
#define CELLS_PER_AXIS   (1u << NEXUS_CLUSTER_MAX_LEVEL)
#define RADIX_BITS       11
#define RADIX_SIZE       (1u << RADIX_BITS)
#define RADIX_PASSES     4 /* 4 × 11 ≥ 2 × NEXUS_CLUSTER_MAX_LEVEL */

struct _NexusClusterIndex
{
  gatomicrefcount ref_count;

  gsize    n_points;
  gint64  *ids;     /* n_points, in Morton order */
  float   *xs, *ys; /* normalized Web Mercator */
  guint16 *categories;
  guint8  *statuses;
  guint64 *keys; /* Morton keys, ascending */

  GArray *levels[NEXUS_CLUSTER_MAX_LEVEL + 1]; /* of NexusCluster */
};

typedef struct
{
  guint64 key;
  guint32 index;
} KeyedPoint;

G_STATIC_ASSERT (RADIX_PASSES *RADIX_BITS >= 2 * NEXUS_CLUSTER_MAX_LEVEL);

/**
 * nexus_geo_project:
 * @lat: degrees
 * @lon: degrees
 * @out_x: (out): 0 at 180° W, 1 at 180° E
 * @out_y: (out): 0 at the top of a Web Mercator map, 1 at its bottom
 *
 * Latitudes beyond the Web Mercator range are clamped to its edge.
 */
void
nexus_geo_project (double lat, double lon, double *out_x, double *out_y)
{
  double phi;

  lat = CLAMP (lat, -MERCATOR_MAX_LAT, MERCATOR_MAX_LAT);
  phi = lat * G_PI / 180.0;
  *out_x = (lon + 180.0) / 360.0;
  *out_y = (1.0 - log (tan (phi) + 1.0 / cos (phi)) / G_PI) / 2.0;
}

/**
 * nexus_geo_unproject:
 * @x: normalized Web Mercator x
 * @y: normalized Web Mercator y
 * @out_lat: (out): degrees
 * @out_lon: (out): degrees
 */
void
nexus_geo_unproject (double x, double y, double *out_lat, double *out_lon)
{
  *out_lon = x * 360.0 - 180.0;
  *out_lat = atan (sinh (G_PI * (1.0 - 2.0 * y))) * 180.0 / G_PI;
}

/**
 * nexus_cluster_level_for_zoom:
 * @zoom: a map's zoom level
 *
 * Returns: the level of the clusters a map at @zoom shows
 */
guint
nexus_cluster_level_for_zoom (double zoom)
{
  double level = floor (zoom) + NEXUS_CLUSTER_LEVEL_OFFSET;

  return (guint)CLAMP (level, 0, NEXUS_CLUSTER_MAX_LEVEL);
}

static guint32
cell_of (double v)
{
  double cell = floor (v * CELLS_PER_AXIS);

  return (guint32)CLAMP (cell, 0, CELLS_PER_AXIS - 1);
}

/* Spreads the 22 low bits of @v to the even bits of the result. */
static guint64
spread_bits (guint32 v)
{
  guint64 x = v & 0x3fffff;

  x = (x | (x << 16)) & G_GUINT64_CONSTANT (0x0000ffff0000ffff);
  x = (x | (x << 8)) & G_GUINT64_CONSTANT (0x00ff00ff00ff00ff);
  x = (x | (x << 4)) & G_GUINT64_CONSTANT (0x0f0f0f0f0f0f0f0f);
  x = (x | (x << 2)) & G_GUINT64_CONSTANT (0x3333333333333333);
  x = (x | (x << 1)) & G_GUINT64_CONSTANT (0x5555555555555555);
  return x;
}

static guint
level_shift (guint level)
{
  return 2 * (NEXUS_CLUSTER_MAX_LEVEL - level);
}

/* LSD radix sort of @items by key; @scratch has as many items. */
static void
radix_sort (KeyedPoint *items, KeyedPoint *scratch, gsize n)
{
  g_autofree gsize *counts = g_new (gsize, RADIX_SIZE);
  KeyedPoint       *from = items, *to = scratch;

  for (guint pass = 0; pass < RADIX_PASSES; pass++)
    {
      guint shift = pass * RADIX_BITS;
      gsize total = 0;

      memset (counts, 0, RADIX_SIZE * sizeof (gsize));
      for (gsize i = 0; i < n; i++)
        counts[(from[i].key >> shift) & (RADIX_SIZE - 1)]++;
      for (guint b = 0; b < RADIX_SIZE; b++)
        {
          gsize c = counts[b];

          counts[b] = total;
          total += c;
        }
      for (gsize i = 0; i < n; i++)
        to[counts[(from[i].key >> shift) & (RADIX_SIZE - 1)]++] = from[i];

      KeyedPoint *swap = from;
      from = to;
      to = swap;
    }

  /* An even number of passes ends in @items. */
  G_STATIC_ASSERT (RADIX_PASSES % 2 == 0);
}

/* The first index in [lo, hi) whose key is ≥ @key. */
static guint32
lower_bound (const guint64 *keys, guint32 lo, guint32 hi, guint64 key)
{
  while (lo < hi)
    {
      guint32 mid = lo + (hi - lo) / 2;

      if (keys[mid] < key)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/* Cuts every cluster of @level with more than one point into the
 * clusters of level + 1. */
static void
split_level (NexusClusterIndex *self, guint level)
{
  GArray *parents = self->levels[level];
  GArray *children = self->levels[level + 1];
  guint   shift = level_shift (level + 1);

  for (guint i = 0; i < parents->len; i++)
    {
      NexusCluster *parent = &g_array_index (parents, NexusCluster, i);
      guint32       end = parent->first + parent->count;
      guint64       prefix = (self->keys[parent->first] >> level_shift (level)) << 2;
      guint32       start = parent->first;

      parent->first_child = children->len;
      parent->n_children = 0;
      if (parent->count == 1)
        continue;

      for (guint q = 0; q < 4 && start < end; q++)
        {
          guint32 stop =
              q == 3 ? end : lower_bound (self->keys, start, end, (prefix + q + 1) << shift);
          NexusCluster child = { 0 };

          if (stop == start)
            continue;
          child.first = start;
          child.count = stop - start;
          child.level = level + 1;
          g_array_append_val (children, child);
          /* The array may have moved. */
          parent = &g_array_index (parents, NexusCluster, i);
          parent->n_children++;
          start = stop;
        }
    }
}

typedef struct
{
  guint32 *counts;  /* per category, all zero between calls */
  guint16 *touched; /* the categories counted so far */
} CategoryCounter;

static guint16
top_category (NexusClusterIndex *self, CategoryCounter *counter, guint32 first, guint32 count)
{
  guint   n_touched = 0;
  guint16 best = 0;
  guint32 best_count = 0;

  for (guint32 i = first; i < first + count; i++)
    {
      guint16 category = self->categories[i];

      if (counter->counts[category]++ == 0)
        counter->touched[n_touched++] = category;
    }

  for (guint t = 0; t < n_touched; t++)
    {
      guint16 category = counter->touched[t];
      guint32 c = counter->counts[category];

      if (c > best_count || (c == best_count && category < best))
        {
          best = category;
          best_count = c;
        }
      counter->counts[category] = 0;
    }
  return best;
}

static void
aggregate_leaf (NexusClusterIndex *self, NexusCluster *cluster, CategoryCounter *counter)
{
  guint32 status_counts[NEXUS_CLUSTER_N_STATUSES] = { 0 };
  double  sum_x = 0, sum_y = 0;
  guint8  best = 0;

  cluster->min_x = cluster->max_x = self->xs[cluster->first];
  cluster->min_y = cluster->max_y = self->ys[cluster->first];
  for (guint32 i = cluster->first; i < cluster->first + cluster->count; i++)
    {
      cluster->min_x = MIN (cluster->min_x, self->xs[i]);
      cluster->max_x = MAX (cluster->max_x, self->xs[i]);
      cluster->min_y = MIN (cluster->min_y, self->ys[i]);
      cluster->max_y = MAX (cluster->max_y, self->ys[i]);
      sum_x += self->xs[i];
      sum_y += self->ys[i];
      status_counts[self->statuses[i]]++;
    }
  cluster->x = (float)(sum_x / cluster->count);
  cluster->y = (float)(sum_y / cluster->count);

  for (guint8 s = 1; s < NEXUS_CLUSTER_N_STATUSES; s++)
    if (status_counts[s] > status_counts[best])
      best = s;
  cluster->top_status = best;
  cluster->top_category = cluster->count == 1
                              ? self->categories[cluster->first]
                              : top_category (self, counter, cluster->first, cluster->count);
}

/* The status counts of a cluster are not kept: the top status of an inner
 * cluster is computed from its points like its top category. */
static guint8
top_status (NexusClusterIndex *self, guint32 first, guint32 count)
{
  guint32 status_counts[NEXUS_CLUSTER_N_STATUSES] = { 0 };
  guint8  best = 0;

  for (guint32 i = first; i < first + count; i++)
    status_counts[self->statuses[i]]++;
  for (guint8 s = 1; s < NEXUS_CLUSTER_N_STATUSES; s++)
    if (status_counts[s] > status_counts[best])
      best = s;
  return best;
}

static void
aggregate_inner (NexusClusterIndex  *self,
                 NexusCluster       *cluster,
                 const NexusCluster *children,
                 CategoryCounter    *counter)
{
  double sum_x = 0, sum_y = 0;

  /* One child: the same points, the same aggregates. */
  if (cluster->n_children == 1)
    {
      NexusCluster copy = children[0];

      copy.first_child = cluster->first_child;
      copy.n_children = cluster->n_children;
      copy.level = cluster->level;
      *cluster = copy;
      return;
    }

  cluster->min_x = children[0].min_x;
  cluster->max_x = children[0].max_x;
  cluster->min_y = children[0].min_y;
  cluster->max_y = children[0].max_y;
  for (guint c = 0; c < cluster->n_children; c++)
    {
      cluster->min_x = MIN (cluster->min_x, children[c].min_x);
      cluster->max_x = MAX (cluster->max_x, children[c].max_x);
      cluster->min_y = MIN (cluster->min_y, children[c].min_y);
      cluster->max_y = MAX (cluster->max_y, children[c].max_y);
      sum_x += (double)children[c].x * children[c].count;
      sum_y += (double)children[c].y * children[c].count;
    }
  cluster->x = (float)(sum_x / cluster->count);
  cluster->y = (float)(sum_y / cluster->count);
  cluster->top_status = top_status (self, cluster->first, cluster->count);
  cluster->top_category = top_category (self, counter, cluster->first, cluster->count);
}

static void
aggregate_levels (NexusClusterIndex *self)
{
  CategoryCounter counter;

  counter.counts = g_new0 (guint32, G_MAXUINT16 + 1);
  counter.touched = g_new (guint16, G_MAXUINT16 + 1);

  for (int level = NEXUS_CLUSTER_MAX_LEVEL; level >= 0; level--)
    {
      GArray *clusters = self->levels[level];

      for (guint i = 0; i < clusters->len; i++)
        {
          NexusCluster *cluster = &g_array_index (clusters, NexusCluster, i);

          if (cluster->n_children == 0)
            aggregate_leaf (self, cluster, &counter);
          else
            aggregate_inner (
                self, cluster,
                &g_array_index (self->levels[level + 1], NexusCluster, cluster->first_child),
                &counter);
        }
    }

  g_free (counter.counts);
  g_free (counter.touched);
}

/**
 * nexus_cluster_index_new:
 * @points: (array length=n_points): the points
 * @n_points: how many, fewer than 2^32
 *
 * Builds the index; the points are copied.  Runs on any thread.
 *
 * Returns: (transfer full): the index
 */
NexusClusterIndex *
nexus_cluster_index_new (const NexusGeoPoint *points, gsize n_points)
{
  NexusClusterIndex     *self;
  g_autofree KeyedPoint *keyed = NULL;
  g_autofree KeyedPoint *scratch = NULL;
  g_autofree float      *xs = NULL;
  g_autofree float      *ys = NULL;

  g_return_val_if_fail (points != NULL || n_points == 0, NULL);
  g_return_val_if_fail (n_points < G_MAXUINT32, NULL);

  self = g_new0 (NexusClusterIndex, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->n_points = n_points;

  keyed = g_new (KeyedPoint, MAX (n_points, 1));
  xs = g_new (float, MAX (n_points, 1));
  ys = g_new (float, MAX (n_points, 1));
  for (gsize i = 0; i < n_points; i++)
    {
      double x, y;

      nexus_geo_project (points[i].lat, points[i].lon, &x, &y);
      xs[i] = (float)x;
      ys[i] = (float)y;
      keyed[i].key = spread_bits (cell_of (x)) | (spread_bits (cell_of (y)) << 1);
      keyed[i].index = (guint32)i;
    }

  scratch = g_new (KeyedPoint, MAX (n_points, 1));
  radix_sort (keyed, scratch, n_points);
  g_clear_pointer (&scratch, g_free);

  self->ids = g_new (gint64, MAX (n_points, 1));
  self->xs = g_new (float, MAX (n_points, 1));
  self->ys = g_new (float, MAX (n_points, 1));
  self->categories = g_new (guint16, MAX (n_points, 1));
  self->statuses = g_new (guint8, MAX (n_points, 1));
  self->keys = g_new (guint64, MAX (n_points, 1));
  for (gsize i = 0; i < n_points; i++)
    {
      guint32 from = keyed[i].index;

      self->ids[i] = points[from].id;
      self->xs[i] = xs[from];
      self->ys[i] = ys[from];
      self->categories[i] = points[from].category;
      self->statuses[i] = MIN (points[from].status, NEXUS_CLUSTER_N_STATUSES - 1);
      self->keys[i] = keyed[i].key;
    }

  for (guint level = 0; level <= NEXUS_CLUSTER_MAX_LEVEL; level++)
    self->levels[level] = g_array_new (FALSE, TRUE, sizeof (NexusCluster));

  if (n_points > 0)
    {
      NexusCluster root = { 0 };

      root.count = (guint32)n_points;
      g_array_append_val (self->levels[0], root);
      for (guint level = 0; level < NEXUS_CLUSTER_MAX_LEVEL; level++)
        split_level (self, level);
      aggregate_levels (self);
    }

  return self;
}

NexusClusterIndex *
nexus_cluster_index_ref (NexusClusterIndex *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
nexus_cluster_index_unref (NexusClusterIndex *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  for (guint level = 0; level <= NEXUS_CLUSTER_MAX_LEVEL; level++)
    g_array_unref (self->levels[level]);
  g_free (self->ids);
  g_free (self->xs);
  g_free (self->ys);
  g_free (self->categories);
  g_free (self->statuses);
  g_free (self->keys);
  g_free (self);
}

gsize
nexus_cluster_index_get_n_points (const NexusClusterIndex *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_points;
}

/* @index: a position in Morton order, < nexus_cluster_index_get_n_points() */
gint64
nexus_cluster_index_get_point_id (const NexusClusterIndex *self, guint32 index)
{
  g_return_val_if_fail (self != NULL && index < self->n_points, -1);

  return self->ids[index];
}

void
nexus_cluster_index_get_point_position (const NexusClusterIndex *self,
                                        guint32                  index,
                                        double                  *out_x,
                                        double                  *out_y)
{
  g_return_if_fail (self != NULL && index < self->n_points);

  *out_x = self->xs[index];
  *out_y = self->ys[index];
}

guint16
nexus_cluster_index_get_point_category (const NexusClusterIndex *self, guint32 index)
{
  g_return_val_if_fail (self != NULL && index < self->n_points, 0);

  return self->categories[index];
}

guint8
nexus_cluster_index_get_point_status (const NexusClusterIndex *self, guint32 index)
{
  g_return_val_if_fail (self != NULL && index < self->n_points, 0);

  return self->statuses[index];
}

/* The Morton number of the cell of @level that holds point @index. */
guint64
nexus_cluster_index_get_point_cell (const NexusClusterIndex *self, guint32 index, guint level)
{
  g_return_val_if_fail (self != NULL && index < self->n_points, 0);
  g_return_val_if_fail (level <= NEXUS_CLUSTER_MAX_LEVEL, 0);

  return self->keys[index] >> level_shift (level);
}

gsize
nexus_cluster_index_get_n_clusters (const NexusClusterIndex *self, guint level)
{
  g_return_val_if_fail (self != NULL && level <= NEXUS_CLUSTER_MAX_LEVEL, 0);

  return self->levels[level]->len;
}

/**
 * nexus_cluster_index_get_clusters:
 * @self: an index
 * @level: 0 … NEXUS_CLUSTER_MAX_LEVEL
 *
 * The clusters created at @level, in Morton order.  Leaves of shallower
 * levels are not repeated here: nexus_cluster_index_query() returns them.
 *
 * Returns: (transfer none): nexus_cluster_index_get_n_clusters() clusters
 */
const NexusCluster *
nexus_cluster_index_get_clusters (const NexusClusterIndex *self, guint level)
{
  g_return_val_if_fail (self != NULL && level <= NEXUS_CLUSTER_MAX_LEVEL, NULL);

  return (const NexusCluster *)self->levels[level]->data;
}

static gboolean
intersects (const NexusCluster *c, double min_x, double min_y, double max_x, double max_y)
{
  return c->max_x >= min_x && c->min_x <= max_x && c->max_y >= min_y && c->min_y <= max_y;
}

static void
query_cluster (const NexusClusterIndex *self,
               const NexusCluster      *cluster,
               guint                    level,
               double                   min_x,
               double                   min_y,
               double                   max_x,
               double                   max_y,
               GPtrArray               *out)
{
  const NexusCluster *children;

  if (!intersects (cluster, min_x, min_y, max_x, max_y))
    return;

  if (cluster->level >= level || cluster->n_children == 0)
    {
      g_ptr_array_add (out, (gpointer)cluster);
      return;
    }

  children = &g_array_index (self->levels[cluster->level + 1], NexusCluster, cluster->first_child);
  for (guint c = 0; c < cluster->n_children; c++)
    query_cluster (self, &children[c], level, min_x, min_y, max_x, max_y, out);
}

/**
 * nexus_cluster_index_query:
 * @self: an index
 * @level: the level to show
 * @min_x: the rectangle, in normalized Web Mercator
 * @min_y:
 * @max_x:
 * @max_y:
 * @out_clusters: (element-type NexusCluster): receives the clusters
 *
 * Appends to @out_clusters every cluster of @level (a leaf of a shallower
 * level stands for itself) whose bounding box meets the rectangle, in
 * Morton order.  The clusters belong to @self.
 */
void
nexus_cluster_index_query (const NexusClusterIndex *self,
                           guint                    level,
                           double                   min_x,
                           double                   min_y,
                           double                   max_x,
                           double                   max_y,
                           GPtrArray               *out_clusters)
{
  g_return_if_fail (self != NULL && out_clusters != NULL);

  if (self->n_points == 0)
    return;
  query_cluster (self, &g_array_index (self->levels[0], NexusCluster, 0),
                 MIN (level, NEXUS_CLUSTER_MAX_LEVEL), min_x, min_y, max_x, max_y, out_clusters);
}
