/* nexus-map-areas-layer.h — search cells and drawn search areas
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <shumate/shumate.h>

#include "store/nexus-store-map.h"

G_BEGIN_DECLS

typedef enum
{
  NEXUS_MAP_DRAW_NONE,
  NEXUS_MAP_DRAW_RECTANGLE,
  NEXUS_MAP_DRAW_POLYGON,
} NexusMapDrawMode;

#define NEXUS_TYPE_MAP_AREAS_LAYER (nexus_map_areas_layer_get_type ())
G_DECLARE_FINAL_TYPE (NexusMapAreasLayer,
                      nexus_map_areas_layer,
                      NEXUS,
                      MAP_AREAS_LAYER,
                      ShumateLayer)

NexusMapAreasLayer *nexus_map_areas_layer_new (ShumateViewport *viewport);
void                nexus_map_areas_layer_set_cells (NexusMapAreasLayer *self, GArray *cells);
GArray             *nexus_map_areas_layer_get_cells (NexusMapAreasLayer *self);
void             nexus_map_areas_layer_set_mode (NexusMapAreasLayer *self, NexusMapDrawMode mode);
NexusMapDrawMode nexus_map_areas_layer_get_mode (NexusMapAreasLayer *self);
void             nexus_map_areas_layer_add_vertex (NexusMapAreasLayer *self, double x, double y);
void             nexus_map_areas_layer_set_rectangle (NexusMapAreasLayer *self,
                                                      double              x0,
                                                      double              y0,
                                                      double              x1,
                                                      double              y1);
gboolean         nexus_map_areas_layer_finish (NexusMapAreasLayer *self);
void             nexus_map_areas_layer_clear_shape (NexusMapAreasLayer *self);
void             nexus_map_areas_layer_undo_vertex (NexusMapAreasLayer *self);
void             nexus_map_cell_color (NexusMapCellState state, GdkRGBA *out_color);

G_END_DECLS
