/* nexus-map-leads-layer.h — leads on the map, clustered
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <shumate/shumate.h>

#include "geo/nexus-cluster-index.h"

G_BEGIN_DECLS

/* What colours a cluster: its most frequent status or category. */
typedef enum
{
  NEXUS_MAP_COLOR_BY_STATUS,
  NEXUS_MAP_COLOR_BY_CATEGORY,
} NexusMapColorBy;

/* One disc as drawn: where, how big, and which leads.  Clusters of
 * neighbouring cells whose discs would overlap are drawn as one disc:
 * @cluster is the biggest of them, @count and the bounds cover them all. */
typedef struct
{
  double              x, y;   /* centre, widget coordinates */
  double              radius; /* pixels */
  const NexusCluster *cluster;
  guint32             count;                      /* leads under the disc */
  guint               n_merged;                   /* other clusters drawn in this disc */
  double              min_x, min_y, max_x, max_y; /* their bounds, normalized Web Mercator */
} NexusMapDrawnCluster;

#define NEXUS_MAP_N_PALETTE 8

#define NEXUS_TYPE_MAP_LEADS_LAYER (nexus_map_leads_layer_get_type ())
G_DECLARE_FINAL_TYPE (NexusMapLeadsLayer,
                      nexus_map_leads_layer,
                      NEXUS,
                      MAP_LEADS_LAYER,
                      ShumateLayer)

NexusMapLeadsLayer *nexus_map_leads_layer_new (ShumateViewport *viewport);
void                nexus_map_leads_layer_set_index (NexusMapLeadsLayer *self,
                                                     NexusClusterIndex  *index,
                                                     GPtrArray          *categories);
NexusClusterIndex  *nexus_map_leads_layer_get_index (NexusMapLeadsLayer *self);
const char *nexus_map_leads_layer_get_category_name (NexusMapLeadsLayer *self, guint16 category);
gint64      nexus_map_leads_layer_get_point_count (NexusMapLeadsLayer *self);
void        nexus_map_leads_layer_set_color_by (NexusMapLeadsLayer *self, NexusMapColorBy color_by);
NexusMapColorBy nexus_map_leads_layer_get_color_by (NexusMapLeadsLayer *self);
void            nexus_map_leads_layer_collect (NexusMapLeadsLayer *self, GArray *out_drawn);
gboolean        nexus_map_leads_layer_activate_at (NexusMapLeadsLayer *self, double x, double y);
gboolean        nexus_map_leads_layer_pick_at (NexusMapLeadsLayer   *self,
                                               double                x,
                                               double                y,
                                               NexusMapDrawnCluster *out_drawn);
void            nexus_map_leads_layer_get_view_bounds (NexusMapLeadsLayer *self,
                                                       double             *min_lat,
                                                       double             *min_lon,
                                                       double             *max_lat,
                                                       double             *max_lon);
void            nexus_map_leads_layer_fit_bounds (ShumateViewport *viewport,
                                                  GtkWidget       *widget,
                                                  double           min_x,
                                                  double           min_y,
                                                  double           max_x,
                                                  double           max_y);
void            nexus_map_color_for (NexusMapColorBy color_by, guint index, GdkRGBA *out_color);

G_END_DECLS
