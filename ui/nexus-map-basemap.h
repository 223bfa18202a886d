/* nexus-map-basemap.h — the offline base map, drawn from Natural Earth
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <shumate/shumate.h>

G_BEGIN_DECLS

/* A country of the bundled data, for the map's place search. */
typedef struct
{
  const char *name_en;
  const char *name_ar;
  double      min_lat, min_lon, max_lat, max_lon; /* its bounding box, degrees */
} NexusMapCountry;

#define NEXUS_MAP_BASEMAP_LAND_RGB 0xf2efe9
#define NEXUS_MAP_BASEMAP_SEA_RGB  0xaad3df

#define NEXUS_TYPE_MAP_BASEMAP (nexus_map_basemap_get_type ())
G_DECLARE_FINAL_TYPE (NexusMapBasemap, nexus_map_basemap, NEXUS, MAP_BASEMAP, ShumateDataSource)

NexusMapBasemap  *nexus_map_basemap_new (gboolean arabic_names);
GBytes           *nexus_map_basemap_render_tile (NexusMapBasemap *self, int x, int y, int zoom);
ShumateMapSource *nexus_map_basemap_create_map_source (NexusMapBasemap *self);

const NexusMapCountry *nexus_map_basemap_get_countries (guint *n_countries);

G_END_DECLS
