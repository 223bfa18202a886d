/* nexus-geo.h — bounding boxes, GeoJSON polygons and regions
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The geometry the planner needs, and nothing more: boxes in degrees,
 * Polygon and MultiPolygon geometries read from GeoJSON, point-in-polygon
 * and the area a polygon shares with a box.
 *
 * Rules this module relies on:
 *
 *  - Pure functions and immutable values: any thread may call them.  A
 *    NexusGeometry is never changed after it is built, so one may be shared
 *    between threads once built (it is reference counted atomically).
 *  - Coordinates are WGS 84 degrees: lon in [-180, 180], lat in [-90, 90].
 *    Areas are planar, in square degrees: they only ever decide "does this
 *    cell share any area with the region", never a distance.
 *  - A box never crosses the antimeridian: west < east and south < north.
 *    A box given with west > east is refused as inverted.
 *  - Rings follow RFC 7946: closed (first position equals the last), at
 *    least four positions.  The first ring of a polygon is its outline, the
 *    others are holes; orientation is not relied on.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define NEXUS_GEO_ERROR (nexus_geo_error_quark ())

typedef enum
{
  NEXUS_GEO_ERROR_INVALID,     /* malformed text or out-of-range coordinates */
  NEXUS_GEO_ERROR_NO_AREA,     /* a well-formed geometry that covers nothing */
  NEXUS_GEO_ERROR_UNSUPPORTED, /* valid GeoJSON, but not a polygon */
} NexusGeoError;

typedef struct
{
  double south; /* latitude of the lower edge, degrees */
  double west;  /* longitude of the left edge, degrees */
  double north; /* latitude of the upper edge, degrees; > south */
  double east;  /* longitude of the right edge, degrees; > west */
} NexusBBox;

typedef struct
{
  double lon; /* x */
  double lat; /* y */
} NexusPoint;

/* A Polygon or MultiPolygon.  Immutable once built; reference counted. */
typedef struct _NexusGeometry NexusGeometry;

GQuark nexus_geo_error_quark (void);

gboolean nexus_bbox_parse (const char *text, NexusBBox *out_bbox, GError **error);
gboolean nexus_bbox_validate (const NexusBBox *bbox, GError **error);
double   nexus_bbox_area (const NexusBBox *bbox);
gboolean nexus_bbox_contains_point (const NexusBBox *bbox, double lon, double lat);
gboolean nexus_bbox_equal (const NexusBBox *a, const NexusBBox *b);

NexusGeometry   *nexus_geometry_new_from_json (JsonNode *node, GError **error);
NexusGeometry   *nexus_geometry_new_from_text (const char *text, gssize length, GError **error);
NexusGeometry   *nexus_geometry_new_from_bbox (const NexusBBox *bbox);
NexusGeometry   *nexus_geometry_ref (NexusGeometry *self);
void             nexus_geometry_unref (NexusGeometry *self);
JsonNode        *nexus_geometry_to_json (NexusGeometry *self);
char            *nexus_geometry_to_text (NexusGeometry *self);
const NexusBBox *nexus_geometry_get_bbox (NexusGeometry *self);
guint            nexus_geometry_get_n_polygons (NexusGeometry *self);
double           nexus_geometry_area (NexusGeometry *self);
gboolean         nexus_geometry_contains_point (NexusGeometry *self, double lon, double lat);
double           nexus_geometry_intersection_area (NexusGeometry *self, const NexusBBox *bbox);
gboolean         nexus_geometry_intersects_bbox (NexusGeometry *self, const NexusBBox *bbox);
NexusGeometry   *nexus_geometry_clip_to_band (NexusGeometry *self, double south, double north);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusGeometry, nexus_geometry_unref)

/* A search's region: a box, optionally narrowed to a polygon inside it. */
typedef struct
{
  NexusBBox      bbox;    /* the box; the polygon's bounds when there is one */
  NexusGeometry *polygon; /* owned; NULL for a plain box */
} NexusRegion;

NexusRegion *nexus_region_new_bbox (const NexusBBox *bbox);
NexusRegion *nexus_region_new_polygon (NexusGeometry *polygon);
NexusRegion *nexus_region_new_from_json (const char *text, GError **error);
char        *nexus_region_to_json (const NexusRegion *self);
gboolean     nexus_region_intersects_bbox (const NexusRegion *self, const NexusBBox *bbox);
void         nexus_region_free (NexusRegion *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusRegion, nexus_region_free)

char *nexus_geo_format_coordinate (double value);

G_END_DECLS
