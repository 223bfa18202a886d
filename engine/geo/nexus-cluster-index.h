/* nexus-cluster-index.h — leads on a map, grouped per zoom level
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A NexusClusterIndex holds points (a lead's id, position, category and
 * status) and groups them into a quadtree of clusters: level L cuts the
 * world (Web Mercator, normalized to [0, 1) on both axes, y downwards)
 * into 2^L × 2^L cells and a cluster of level L is the set of points in one
 * cell.  A map at zoom z shows level z + 2, i.e. cells of 64 pixels on
 * 256-pixel tiles.
 *
 * Rules this module relies on:
 *
 *  - Built once, then never changed: any thread may query a built index,
 *    several threads at once.  It is reference counted atomically, so a
 *    reader thread builds it and hands it to the UI thread.  New points
 *    make a new index (nexus_cluster_index_new() again over the union).
 *  - The points are sorted by their Morton key (the bits of the cell
 *    numbers interleaved, NEXUS_CLUSTER_MAX_LEVEL bits per axis).  The
 *    points of one cluster are therefore contiguous: a cluster names them
 *    as the range [first, first + count) of the sorted points.
 *  - Every point lies in exactly one cluster of each level.  A cluster of
 *    one point, or one at NEXUS_CLUSTER_MAX_LEVEL, has no children and
 *    stands for itself at every deeper level; the others have 1 to 4
 *    children at the next level, in Morton order, contiguous.
 *  - Positions are kept as floats (about 2.4 m at the equator): enough to
 *    draw and to pick, and half the memory.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* 22 bits per axis: cells of 64 pixels up to zoom 20. */
#define NEXUS_CLUSTER_MAX_LEVEL 22
/* A map at zoom z shows the clusters of level z + this. */
#define NEXUS_CLUSTER_LEVEL_OFFSET 2
/* Statuses the index counts (the caller's numbering, below this). */
#define NEXUS_CLUSTER_N_STATUSES 8

/* One point handed to nexus_cluster_index_new(). */
typedef struct
{
  gint64  id;       /* the lead's id */
  double  lat;      /* degrees; clamped to the Web Mercator range */
  double  lon;      /* degrees, in [-180, 180] */
  guint16 category; /* the caller's index of the lead's category */
  guint8  status;   /* the caller's index of its status, < NEXUS_CLUSTER_N_STATUSES */
} NexusGeoPoint;

/* One cluster.  Positions are normalized Web Mercator. */
typedef struct
{
  float   x, y;         /* the centroid of its points */
  float   min_x, min_y; /* the bounding box of its points */
  float   max_x, max_y;
  guint32 first;        /* its points: sorted points [first, first + count) */
  guint32 count;        /* ≥ 1 */
  guint32 first_child;  /* index of its first child in the next level */
  guint8  n_children;   /* 0: a leaf (one point, or the deepest level) */
  guint8  level;        /* its level, 0 … NEXUS_CLUSTER_MAX_LEVEL */
  guint8  top_status;   /* the most frequent status among its points */
  guint16 top_category; /* the most frequent category (ties: the smallest index) */
} NexusCluster;

typedef struct _NexusClusterIndex NexusClusterIndex;

NexusClusterIndex *nexus_cluster_index_new (const NexusGeoPoint *points, gsize n_points);
NexusClusterIndex *nexus_cluster_index_ref (NexusClusterIndex *self);
void               nexus_cluster_index_unref (NexusClusterIndex *self);

gsize   nexus_cluster_index_get_n_points (const NexusClusterIndex *self);
gint64  nexus_cluster_index_get_point_id (const NexusClusterIndex *self, guint32 index);
void    nexus_cluster_index_get_point_position (const NexusClusterIndex *self,
                                                guint32                  index,
                                                double                  *out_x,
                                                double                  *out_y);
guint16 nexus_cluster_index_get_point_category (const NexusClusterIndex *self, guint32 index);
guint8  nexus_cluster_index_get_point_status (const NexusClusterIndex *self, guint32 index);
guint64
nexus_cluster_index_get_point_cell (const NexusClusterIndex *self, guint32 index, guint level);

gsize               nexus_cluster_index_get_n_clusters (const NexusClusterIndex *self, guint level);
const NexusCluster *nexus_cluster_index_get_clusters (const NexusClusterIndex *self, guint level);

void nexus_cluster_index_query (const NexusClusterIndex *self,
                                guint                    level,
                                double                   min_x,
                                double                   min_y,
                                double                   max_x,
                                double                   max_y,
                                GPtrArray               *out_clusters);

guint nexus_cluster_level_for_zoom (double zoom);
void  nexus_geo_project (double lat, double lon, double *out_x, double *out_y);
void  nexus_geo_unproject (double x, double y, double *out_lat, double *out_lon);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusClusterIndex, nexus_cluster_index_unref)

G_END_DECLS
