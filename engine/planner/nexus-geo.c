/* nexus-geo.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Areas shared with a box are computed by clipping each ring against the
 * box (Sutherland–Hodgman; exact in area for a concave ring against a
 * convex clip window) and taking the shoelace area of what is left.
 */

#define G_LOG_DOMAIN "nexus-geo"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "nexus-geo.h"

/* A cell shares area with a polygon when the shared part is more than this
 * fraction of the cell: edges that merely touch give zero up to rounding. */
#define AREA_EPSILON 1e-10

/* Positions accepted in one geometry: a Nominatim country outline has a few
 * hundred thousand; more is not a region anyone plans cells over. */
#define MAX_POSITIONS 2000000

/* One polygon: rings[0] is the outline, the rest are holes.  Each ring is a
 * GArray of NexusPoint stored open (the closing position is dropped). */
typedef struct
{
  GPtrArray *rings; /* of GArray<NexusPoint>, at least one */
  NexusBBox  bbox;  /* bounds of the outline */
} Polygon;

struct _NexusGeometry
{
  /* Atomic: a built geometry may be shared between threads. */
  gint ref_count;
  /* Polygon*, at least one. */
  GPtrArray *polygons;
  /* Bounds of every outline. */
  NexusBBox bbox;
};

/* clang-format off */
G_DEFINE_QUARK (nexus-geo-error-quark, nexus_geo_error)
/* clang-format on */

static void
polygon_free (gpointer data)
{
  Polygon *polygon = data;

  g_ptr_array_unref (polygon->rings);
  g_free (polygon);
}

static GArray *
ring_new (guint reserve)
{
  return g_array_sized_new (FALSE, FALSE, sizeof (NexusPoint), reserve);
}

static Polygon *
polygon_new (void)
{
  Polygon *polygon = g_new0 (Polygon, 1);

  polygon->rings = g_ptr_array_new_with_free_func ((GDestroyNotify)g_array_unref);
  return polygon;
}

static void
ring_bounds (GArray *ring, NexusBBox *out)
{
  out->south = G_MAXDOUBLE;
  out->west = G_MAXDOUBLE;
  out->north = -G_MAXDOUBLE;
  out->east = -G_MAXDOUBLE;
  for (guint i = 0; i < ring->len; i++)
    {
      const NexusPoint *p = &g_array_index (ring, NexusPoint, i);

      out->south = MIN (out->south, p->lat);
      out->north = MAX (out->north, p->lat);
      out->west = MIN (out->west, p->lon);
      out->east = MAX (out->east, p->lon);
    }
}

static void
bbox_union (NexusBBox *into, const NexusBBox *other)
{
  into->south = MIN (into->south, other->south);
  into->west = MIN (into->west, other->west);
  into->north = MAX (into->north, other->north);
  into->east = MAX (into->east, other->east);
}

static gboolean
bbox_overlaps (const NexusBBox *a, const NexusBBox *b)
{
  return a->west < b->east && b->west < a->east && a->south < b->north && b->south < a->north;
}

/* Shoelace area of an open ring; the sign gives the orientation. */
static double
ring_signed_area (GArray *ring)
{
  double sum = 0.0;

  if (ring->len < 3)
    return 0.0;

  /* Relative to the first point: keeps the products small and exact. */
  for (guint i = 1; i + 1 < ring->len; i++)
    {
      const NexusPoint *o = &g_array_index (ring, NexusPoint, 0);
      const NexusPoint *a = &g_array_index (ring, NexusPoint, i);
      const NexusPoint *b = &g_array_index (ring, NexusPoint, i + 1);

      sum += (a->lon - o->lon) * (b->lat - o->lat) - (b->lon - o->lon) * (a->lat - o->lat);
    }
  return sum / 2.0;
}

static inline double
point_axis (const NexusPoint *p, int axis)
{
  return axis == 0 ? p->lon : p->lat;
}

/* Keeps the part of @in on one side of the line axis = @value: the side
 * where the coordinate is >= value when @keep_above, else <= value. */
static void
clip_half (GArray *in, GArray *out, int axis, double value, gboolean keep_above)
{
  g_array_set_size (out, 0);
  if (in->len == 0)
    return;

  for (guint i = 0; i < in->len; i++)
    {
      const NexusPoint *p = &g_array_index (in, NexusPoint, i);
      const NexusPoint *q = &g_array_index (in, NexusPoint, (i + 1) % in->len);
      double            pv = point_axis (p, axis);
      double            qv = point_axis (q, axis);
      gboolean          p_in = keep_above ? pv >= value : pv <= value;
      gboolean          q_in = keep_above ? qv >= value : qv <= value;

      if (p_in)
        g_array_append_val (out, *p);
      if (p_in != q_in)
        {
          double     t = (value - pv) / (qv - pv);
          NexusPoint cut;

          if (axis == 0)
            {
              cut.lon = value;
              cut.lat = p->lat + t * (q->lat - p->lat);
            }
          else
            {
              cut.lon = p->lon + t * (q->lon - p->lon);
              cut.lat = value;
            }
          g_array_append_val (out, cut);
        }
    }
}

/* Clips @ring to lo <= axis <= hi into @out; @scratch is reused. */
static void
clip_ring_axis (GArray *ring, GArray *out, GArray *scratch, int axis, double lo, double hi)
{
  clip_half (ring, scratch, axis, lo, TRUE);
  clip_half (scratch, out, axis, hi, FALSE);
}

/* The area @polygon shares with @bbox. */
static double
polygon_box_area (const Polygon *polygon, const NexusBBox *bbox, GArray *a, GArray *b, GArray *c)
{
  double area = 0.0;

  if (!bbox_overlaps (&polygon->bbox, bbox))
    return 0.0;

  for (guint r = 0; r < polygon->rings->len; r++)
    {
      GArray *ring = g_ptr_array_index (polygon->rings, r);
      double  ring_area;

      clip_ring_axis (ring, a, c, 1, bbox->south, bbox->north);
      clip_ring_axis (a, b, c, 0, bbox->west, bbox->east);
      ring_area = fabs (ring_signed_area (b));
      area += r == 0 ? ring_area : -ring_area;
    }
  return MAX (area, 0.0);
}

static gboolean
ring_contains (GArray *ring, double lon, double lat)
{
  gboolean inside = FALSE;

  for (guint i = 0, j = ring->len - 1; i < ring->len; j = i++)
    {
      const NexusPoint *p = &g_array_index (ring, NexusPoint, i);
      const NexusPoint *q = &g_array_index (ring, NexusPoint, j);

      if ((p->lat > lat) != (q->lat > lat) &&
          lon < (q->lon - p->lon) * (lat - p->lat) / (q->lat - p->lat) + p->lon)
        inside = !inside;
    }
  return inside;
}

/* --- parsing ------------------------------------------------------------ */

typedef struct
{
  GPtrArray *polygons;
  guint      n_positions;
} ParseState;

static gboolean
parse_number (JsonNode *node, double *out)
{
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);
  if (type != G_TYPE_INT64 && type != G_TYPE_DOUBLE)
    return FALSE;
  *out = json_node_get_double (node);
  return isfinite (*out);
}

static gboolean
parse_ring (ParseState *state,
            JsonNode   *node,
            guint       polygon_index,
            guint       ring_index,
            GArray    **out_ring,
            GError    **error)
{
  g_autoptr (GArray) ring = NULL;
  JsonArray *positions;
  guint      n;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, NEXUS_GEO_ERROR, NEXUS_GEO_ERROR_INVALID,
                   _ ("ring %u of polygon %u is not an array of positions"), ring_index + 1,
                   polygon_index + 1);
      return FALSE;
    }

  positions = json_node_get_array (node);
  n = json_array_get_length (positions);
  state->n_positions += n;
  if (state->n_positions > MAX_POSITIONS)
    {
      g_set_error (error, NEXUS_GEO_ERROR, NEXUS_GEO_ERROR_INVALID,
                   _ ("the geometry has more than %u positions"), MAX_POSITIONS);
      return FALSE;
    }
  if (n < 4)
    {
      g_set_error (error, NEXUS_GEO_ERROR, NEXUS_GEO_ERROR_INVALID,
                   _ ("ring %u of polygon %u has %u positions; a ring needs at least 4"),
                   ring_index + 1, polygon_index + 1, n);
      return FALSE;
    }

  ring = ring_new (n);
  for (guint i = 0; i < n; i++)
    {
      JsonNode  *position = json_array_get_element (positions, i);
      JsonArray *pair;
      NexusPoint point;

      if (!JSON_NODE_HOLDS_ARRAY (position) ||
          json_array_get_length ((pair = json_node_get_array (position))) < 2 ||
          !parse_number (json_array_get_element (pair, 0), &point.lon) ||
          !parse_number (json_array_get_element (pair, 1), &point.lat))
        {
          g_set_error (error, NEXUS_GEO_ERROR, NEXUS_GEO_ERROR_INVALID,
                       _ ("position %u of ring %u of polygon %u is not [longitude, latitude]"),
                       i + 1, ring_index + 1, polygon_index + 1);
          return FALSE;
        }
      if (point.lon < -180.0 || point.lon > 180.0 || point.lat < -90.0 || point.lat > 90.0)
        {
          g_set_error (error, NEXUS_GEO_ERROR, NEXUS_GEO_ERROR_INVALID,
                       _ ("position %u of ring %u of polygon %u is out of range "
                          "(longitude −180…180, latitude −90…90)"),
                       i + 1, ring_index + 1, polygon_index + 1);
          return FALSE;
        }
      g_array_append_val (ring, point);
    }

  {
    const NexusPoint *first = &g_array_index (ring, NexusPoint, 0);
    const NexusPoint *last = &g_array_index (ring, NexusPoint, n - 1);

    if (first->lon != last->lon || first->lat != last->lat)
      {
        g_set_error (error, NEXUS_GEO_ERROR, NEXUS_GEO_ERROR_INVALID,
                     _ ("ring %u of polygon %u is not closed (its last position must repeat "
                        "the first)"),
                     ring_index + 1, polygon_index + 1);
        return FALSE;
      }
  }

  /* Stored open: the closing position adds nothing to an area. */
  g_array_set_size (ring, n - 1);
  *out_ring = g_steal_pointer (&ring);
  return TRUE;
}

static gboolean
parse_polygon (ParseState *state, JsonNode *node, GError **error)
{
  Polygon   *polygon;
  JsonArray *rings;
  guint      index = state->polygons->len;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node) ||
      json_array_get_length ((rings = json_node_get_array (node))) == 0)
    {
      g_set_error (error, NEXUS_GEO_ERROR, NEXUS_GEO_ERROR_INVALID,
                   _ ("polygon %u is not a non-empty array of rings"), index + 1);
      return FALSE;
    }

  polygon = polygon_new ();
  g_ptr_array_add (state->polygons, polygon);
  for (guint r = 0; r < json_array_get_length (rings); r++)
    {
      GArray *ring = NULL;

      if (!parse_ring (state, json_array_get_element (rings, r), index, r, &ring, error))
        return FALSE;
      g_ptr_array_add (polygon->rings, ring);
    }
  ring_bounds (g_ptr_array_index (polygon->rings, 0), &polygon->bbox);
  return TRUE;
}

static gboolean parse_object (ParseState *state, JsonNode *node, int level, GError **error);

static gboolean
parse_members (ParseState *state, JsonObject *object, const char *member, int level, GError **error)
{
  JsonNode *list = json_object_get_member (object, member);

  if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
    {
      g_set_error (error, NEXUS_GEO_ERROR, NEXUS_GEO_ERROR_INVALID,
                   _ ("“%s” is missing or not an array"), member);
      return FALSE;
    }
  for (guint i = 0; i < json_array_get_length (json_node_get_array (list)); i++)
    if (!parse_object (state, json_array_get_element (json_node_get_array (list), i), level + 1,
                       error))
      return FALSE;
  return TRUE;
}

static gboolean
parse_object (ParseState *state, JsonNode *node, int level, GError **error)
{
  JsonObject *object;
  const char *type;
  JsonNode   *coordinates;

  /* Feature → FeatureCollection → GeometryCollection is as deep as it goes. */
  if (level > 4)
    {
      g_set_error_literal (error, NEXUS_GEO_ERROR, NEXUS_GEO_ERROR_INVALID,
                           _ ("the GeoJSON is nested too deeply"));
      return FALSE;
    }
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, NEXUS_GEO_ERROR, NEXUS_GEO_ERROR_INVALID,
                           _ ("expected a GeoJSON object"));
      return FALSE;
    }

  object = json_node_get_object (node);
  type = json_object_get_string_member_with_default (object, "type", NULL);
  if (type == NULL)
    {
      g_set_error_literal (error, NEXUS_GEO_ERROR, NEXUS_GEO_ERROR_INVALID,
                           _ ("a GeoJSON object has no “type”"));
      return FALSE;
    }

  if (g_str_equal (type, "Feature"))
    {
      JsonNode *geometry = json_object_get_member (object, "geometry");

      if (geometry == NULL || JSON_NODE_HOLDS_NULL (geometry))
        {
          g_set_error_literal (error, NEXUS_GEO_ERROR, NEXUS_GEO_ERROR_INVALID,
                               _ ("a Feature has no geometry"));
          return FALSE;
        }
      return parse_object (state, geometry, level + 1, error);
    }
  if (g_str_equal (type, "FeatureCollection"))
    return parse_members (state, object, "features", level, error);
  if (g_str_equal (type, "GeometryCollection"))
    return parse_members (state, object, "geometries", level, error);

  coordinates = json_object_get_member (object, "coordinates");
  if (g_str_equal (type, "Polygon"))
    return parse_polygon (state, coordinates, error);
  if (g_str_equal (type, "MultiPolygon"))
    {
      if (coordinates == NULL || !JSON_NODE_HOLDS_ARRAY (coordinates))
        {
          g_set_error_literal (error, NEXUS_GEO_ERROR, NEXUS_GEO_ERROR_INVALID,
                               _ ("a MultiPolygon’s “coordinates” is not an array"));
          return FALSE;
        }
      for (guint i = 0; i < json_array_get_length (json_node_get_array (coordinates)); i++)
        if (!parse_polygon (state, json_array_get_element (json_node_get_array (coordinates), i),
                            error))
          return FALSE;
      return TRUE;
    }

  if (g_str_equal (type, "Point") || g_str_equal (type, "MultiPoint") ||
      g_str_equal (type, "LineString") || g_str_equal (type, "MultiLineString"))
    {
      g_set_error (error, NEXUS_GEO_ERROR, NEXUS_GEO_ERROR_UNSUPPORTED,
                   _ ("the GeoJSON holds a %s, not a Polygon or MultiPolygon"), type);
      return FALSE;
    }

  g_set_error (error, NEXUS_GEO_ERROR, NEXUS_GEO_ERROR_INVALID, _ ("“%.40s” is not a GeoJSON type"),
               type);
  return FALSE;
}

static NexusGeometry *
geometry_new_take (GPtrArray *polygons)
{
  NexusGeometry *self = g_new0 (NexusGeometry, 1);

  self->ref_count = 1;
  self->polygons = polygons;
  for (guint i = 0; i < polygons->len; i++)
    {
      Polygon *polygon = g_ptr_array_index (polygons, i);

      if (i == 0)
        self->bbox = polygon->bbox;
      else
        bbox_union (&self->bbox, &polygon->bbox);
    }
  return self;
}

/**
 * nexus_geometry_new_from_json:
 * @node: a GeoJSON Polygon, MultiPolygon, or a Feature, FeatureCollection
 *   or GeometryCollection made only of those
 *
 * Returns: (transfer full): the geometry, or %NULL with @error set
 *   (%NEXUS_GEO_ERROR_INVALID, _UNSUPPORTED for points and lines, _NO_AREA)
 */
NexusGeometry *
nexus_geometry_new_from_json (JsonNode *node, GError **error)
{
  ParseState state = { 0 };
  g_autoptr (NexusGeometry) self = NULL;

  state.polygons = g_ptr_array_new_with_free_func (polygon_free);
  if (!parse_object (&state, node, 0, error))
    {
      g_ptr_array_unref (state.polygons);
      return NULL;
    }
  if (state.polygons->len == 0)
    {
      g_ptr_array_unref (state.polygons);
      g_set_error_literal (error, NEXUS_GEO_ERROR, NEXUS_GEO_ERROR_NO_AREA,
                           _ ("the GeoJSON holds no polygon"));
      return NULL;
    }

  self = geometry_new_take (state.polygons);
  if (!(nexus_geometry_area (self) > 0.0))
    {
      g_set_error_literal (error, NEXUS_GEO_ERROR, NEXUS_GEO_ERROR_NO_AREA,
                           _ ("the polygon encloses no area"));
      return NULL;
    }
  return g_steal_pointer (&self);
}

NexusGeometry *
nexus_geometry_new_from_text (const char *text, gssize length, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autoptr (GError) local_error = NULL;

  g_return_val_if_fail (text != NULL, NULL);

  if (!json_parser_load_from_data (parser, text, length, &local_error))
    {
      g_set_error (error, NEXUS_GEO_ERROR, NEXUS_GEO_ERROR_INVALID, _ ("not valid JSON: %s"),
                   local_error->message);
      return NULL;
    }
  return nexus_geometry_new_from_json (json_parser_get_root (parser), error);
}

/**
 * nexus_geometry_new_from_bbox:
 *
 * Returns: (transfer full): a one-polygon geometry covering @bbox
 */
NexusGeometry *
nexus_geometry_new_from_bbox (const NexusBBox *bbox)
{
  GPtrArray *polygons = g_ptr_array_new_with_free_func (polygon_free);
  Polygon   *polygon = polygon_new ();
  GArray    *ring = ring_new (4);
  NexusPoint corners[4] = {
    { bbox->west, bbox->south },
    { bbox->east, bbox->south },
    { bbox->east, bbox->north },
    { bbox->west, bbox->north },
  };

  g_array_append_vals (ring, corners, 4);
  g_ptr_array_add (polygon->rings, ring);
  polygon->bbox = *bbox;
  g_ptr_array_add (polygons, polygon);
  return geometry_new_take (polygons);
}

NexusGeometry *
nexus_geometry_ref (NexusGeometry *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_int_inc (&self->ref_count);
  return self;
}

void
nexus_geometry_unref (NexusGeometry *self)
{
  g_return_if_fail (self != NULL);

  if (g_atomic_int_dec_and_test (&self->ref_count))
    {
      g_ptr_array_unref (self->polygons);
      g_free (self);
    }
}

/**
 * nexus_geo_format_coordinate:
 *
 * Returns: (transfer full): the shortest decimal text that reads back as
 *   exactly @value ("30.05", not "30.050000000000001"), in the C locale
 */
char *
nexus_geo_format_coordinate (double value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  for (int precision = 15; precision <= 17; precision++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", precision);
      g_ascii_formatd (buffer, sizeof buffer, format, value);
      if (g_ascii_strtod (buffer, NULL) == value)
        break;
    }
  return g_strdup (buffer);
}

static void
append_coordinate (GString *text, double value)
{
  g_autofree char *number = nexus_geo_format_coordinate (value);

  g_string_append (text, number);
}

static void
append_ring (GString *text, GArray *ring)
{
  g_string_append_c (text, '[');
  for (guint i = 0; i <= ring->len; i++)
    {
      /* The stored ring is open: close it again. */
      const NexusPoint *p = &g_array_index (ring, NexusPoint, i % ring->len);

      if (i > 0)
        g_string_append_c (text, ',');
      g_string_append_c (text, '[');
      append_coordinate (text, p->lon);
      g_string_append_c (text, ',');
      append_coordinate (text, p->lat);
      g_string_append_c (text, ']');
    }
  g_string_append_c (text, ']');
}

static void
append_polygon (GString *text, Polygon *polygon)
{
  g_string_append_c (text, '[');
  for (guint r = 0; r < polygon->rings->len; r++)
    {
      if (r > 0)
        g_string_append_c (text, ',');
      append_ring (text, g_ptr_array_index (polygon->rings, r));
    }
  g_string_append_c (text, ']');
}

/**
 * nexus_geometry_to_text:
 *
 * Returns: (transfer full): compact GeoJSON: a Polygon when there is one
 *   polygon, else a MultiPolygon; reads back to an equal geometry
 */
char *
nexus_geometry_to_text (NexusGeometry *self)
{
  GString *text = g_string_new (NULL);

  g_return_val_if_fail (self != NULL, NULL);

  if (self->polygons->len == 1)
    {
      g_string_append (text, "{\"type\":\"Polygon\",\"coordinates\":");
      append_polygon (text, g_ptr_array_index (self->polygons, 0));
    }
  else
    {
      g_string_append (text, "{\"type\":\"MultiPolygon\",\"coordinates\":[");
      for (guint i = 0; i < self->polygons->len; i++)
        {
          if (i > 0)
            g_string_append_c (text, ',');
          append_polygon (text, g_ptr_array_index (self->polygons, i));
        }
      g_string_append_c (text, ']');
    }
  g_string_append_c (text, '}');
  return g_string_free (text, FALSE);
}

JsonNode *
nexus_geometry_to_json (NexusGeometry *self)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  text = nexus_geometry_to_text (self);
  return json_from_string (text, NULL);
}

const NexusBBox *
nexus_geometry_get_bbox (NexusGeometry *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return &self->bbox;
}

guint
nexus_geometry_get_n_polygons (NexusGeometry *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->polygons->len;
}

/**
 * nexus_geometry_area:
 *
 * Returns: the planar area in square degrees: outlines minus holes, summed
 *   over the polygons
 */
double
nexus_geometry_area (NexusGeometry *self)
{
  double area = 0.0;

  g_return_val_if_fail (self != NULL, 0.0);

  for (guint i = 0; i < self->polygons->len; i++)
    {
      Polygon *polygon = g_ptr_array_index (self->polygons, i);

      for (guint r = 0; r < polygon->rings->len; r++)
        {
          double ring_area = fabs (ring_signed_area (g_ptr_array_index (polygon->rings, r)));

          area += r == 0 ? ring_area : -ring_area;
        }
    }
  return area;
}

/**
 * nexus_geometry_contains_point:
 *
 * Returns: %TRUE when (@lon, @lat) lies inside an outline and outside its
 *   holes (even–odd rule); points exactly on an edge may go either way
 */
gboolean
nexus_geometry_contains_point (NexusGeometry *self, double lon, double lat)
{
  g_return_val_if_fail (self != NULL, FALSE);

  for (guint i = 0; i < self->polygons->len; i++)
    {
      Polygon *polygon = g_ptr_array_index (self->polygons, i);
      gboolean inside = FALSE;

      if (lon < polygon->bbox.west || lon > polygon->bbox.east || lat < polygon->bbox.south ||
          lat > polygon->bbox.north)
        continue;
      for (guint r = 0; r < polygon->rings->len; r++)
        if (ring_contains (g_ptr_array_index (polygon->rings, r), lon, lat))
          inside = !inside;
      if (inside)
        return TRUE;
    }
  return FALSE;
}

/**
 * nexus_geometry_intersection_area:
 *
 * Returns: the area, in square degrees, that the geometry shares with @bbox
 */
double
nexus_geometry_intersection_area (NexusGeometry *self, const NexusBBox *bbox)
{
  g_autoptr (GArray) a = NULL;
  g_autoptr (GArray) b = NULL;
  g_autoptr (GArray) c = NULL;
  double area = 0.0;

  g_return_val_if_fail (self != NULL, 0.0);
  g_return_val_if_fail (bbox != NULL, 0.0);

  if (!bbox_overlaps (&self->bbox, bbox))
    return 0.0;

  a = ring_new (64);
  b = ring_new (64);
  c = ring_new (64);
  for (guint i = 0; i < self->polygons->len; i++)
    area += polygon_box_area (g_ptr_array_index (self->polygons, i), bbox, a, b, c);
  return area;
}

/**
 * nexus_geometry_intersects_bbox:
 *
 * Returns: %TRUE when the geometry and @bbox share a positive area; a box
 *   that only touches an edge or a corner does not intersect
 */
gboolean
nexus_geometry_intersects_bbox (NexusGeometry *self, const NexusBBox *bbox)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (bbox != NULL, FALSE);

  return nexus_geometry_intersection_area (self, bbox) > AREA_EPSILON * nexus_bbox_area (bbox);
}

/**
 * nexus_geometry_clip_to_band:
 *
 * Cuts every ring to south <= lat <= north.  What is left may have edges
 * running along the band's borders; it is meant for
 * nexus_geometry_intersection_area() and nexus_geometry_intersects_bbox()
 * with boxes inside the band, which it answers exactly as the whole
 * geometry would, only faster.  The planner uses it row by row.
 *
 * Returns: (transfer full) (nullable): the clipped geometry, or %NULL when
 *   nothing of it lies in the band
 */
NexusGeometry *
nexus_geometry_clip_to_band (NexusGeometry *self, double south, double north)
{
  g_autoptr (GArray) scratch = ring_new (64);
  GPtrArray *polygons;

  g_return_val_if_fail (self != NULL, NULL);

  if (self->bbox.north <= south || self->bbox.south >= north)
    return NULL;

  polygons = g_ptr_array_new_with_free_func (polygon_free);
  for (guint i = 0; i < self->polygons->len; i++)
    {
      Polygon *polygon = g_ptr_array_index (self->polygons, i);
      Polygon *clipped;

      if (polygon->bbox.north <= south || polygon->bbox.south >= north)
        continue;

      clipped = polygon_new ();
      for (guint r = 0; r < polygon->rings->len; r++)
        {
          GArray *ring = ring_new (64);

          clip_ring_axis (g_ptr_array_index (polygon->rings, r), ring, scratch, 1, south, north);
          if (r == 0 && ring->len < 3)
            {
              g_array_unref (ring);
              break;
            }
          g_ptr_array_add (clipped->rings, ring);
        }
      if (clipped->rings->len == 0)
        {
          polygon_free (clipped);
          continue;
        }
      ring_bounds (g_ptr_array_index (clipped->rings, 0), &clipped->bbox);
      g_ptr_array_add (polygons, clipped);
    }

  if (polygons->len == 0)
    {
      g_ptr_array_unref (polygons);
      return NULL;
    }
  return geometry_new_take (polygons);
}

/* --- boxes -------------------------------------------------------------- */

gboolean
nexus_bbox_validate (const NexusBBox *bbox, GError **error)
{
  g_return_val_if_fail (bbox != NULL, FALSE);

  if (!isfinite (bbox->south) || !isfinite (bbox->north) || !isfinite (bbox->west) ||
      !isfinite (bbox->east))
    {
      g_set_error_literal (error, NEXUS_GEO_ERROR, NEXUS_GEO_ERROR_INVALID,
                           _ ("a coordinate of the box is not a number"));
      return FALSE;
    }
  if (bbox->south < -90.0 || bbox->south > 90.0 || bbox->north < -90.0 || bbox->north > 90.0)
    {
      g_set_error_literal (error, NEXUS_GEO_ERROR, NEXUS_GEO_ERROR_INVALID,
                           _ ("latitude out of range: south and north must lie in −90…90"));
      return FALSE;
    }
  if (bbox->west < -180.0 || bbox->west > 180.0 || bbox->east < -180.0 || bbox->east > 180.0)
    {
      g_set_error_literal (error, NEXUS_GEO_ERROR, NEXUS_GEO_ERROR_INVALID,
                           _ ("longitude out of range: west and east must lie in −180…180"));
      return FALSE;
    }
  if (!(bbox->south < bbox->north))
    {
      g_set_error_literal (error, NEXUS_GEO_ERROR, NEXUS_GEO_ERROR_INVALID,
                           _ ("inverted box: south must be less than north"));
      return FALSE;
    }
  if (!(bbox->west < bbox->east))
    {
      g_set_error_literal (error, NEXUS_GEO_ERROR, NEXUS_GEO_ERROR_INVALID,
                           _ ("inverted box: west must be less than east (boxes across the "
                              "antimeridian are not supported)"));
      return FALSE;
    }
  return TRUE;
}

/**
 * nexus_bbox_parse:
 * @text: "SOUTH,WEST,NORTH,EAST" in decimal degrees
 *
 * Returns: %TRUE with @out_bbox filled, or %FALSE with
 *   %NEXUS_GEO_ERROR_INVALID saying what is wrong
 */
gboolean
nexus_bbox_parse (const char *text, NexusBBox *out_bbox, GError **error)
{
  g_auto (GStrv) parts = NULL;
  double values[4];

  g_return_val_if_fail (out_bbox != NULL, FALSE);

  if (text == NULL || (parts = g_strsplit (text, ",", -1)) == NULL || g_strv_length (parts) != 4)
    {
      g_set_error_literal (error, NEXUS_GEO_ERROR, NEXUS_GEO_ERROR_INVALID,
                           _ ("a box is four numbers: SOUTH,WEST,NORTH,EAST"));
      return FALSE;
    }

  for (guint i = 0; i < 4; i++)
    {
      char *part = g_strstrip (parts[i]);
      char *end = NULL;

      values[i] = g_ascii_strtod (part, &end);
      if (*part == '\0' || end == NULL || *end != '\0' || !isfinite (values[i]))
        {
          g_set_error (error, NEXUS_GEO_ERROR, NEXUS_GEO_ERROR_INVALID,
                       _ ("“%.40s” in the box is not a number"), part);
          return FALSE;
        }
    }

  out_bbox->south = values[0];
  out_bbox->west = values[1];
  out_bbox->north = values[2];
  out_bbox->east = values[3];
  return nexus_bbox_validate (out_bbox, error);
}

double
nexus_bbox_area (const NexusBBox *bbox)
{
  return (bbox->north - bbox->south) * (bbox->east - bbox->west);
}

gboolean
nexus_bbox_contains_point (const NexusBBox *bbox, double lon, double lat)
{
  return lon >= bbox->west && lon <= bbox->east && lat >= bbox->south && lat <= bbox->north;
}

gboolean
nexus_bbox_equal (const NexusBBox *a, const NexusBBox *b)
{
  return a->south == b->south && a->west == b->west && a->north == b->north && a->east == b->east;
}

/* --- regions ------------------------------------------------------------ */

NexusRegion *
nexus_region_new_bbox (const NexusBBox *bbox)
{
  NexusRegion *self = g_new0 (NexusRegion, 1);

  self->bbox = *bbox;
  return self;
}

/**
 * nexus_region_new_polygon:
 * @polygon: (transfer none): the geometry; the region keeps a reference
 */
NexusRegion *
nexus_region_new_polygon (NexusGeometry *polygon)
{
  NexusRegion *self = g_new0 (NexusRegion, 1);

  self->bbox = *nexus_geometry_get_bbox (polygon);
  self->polygon = nexus_geometry_ref (polygon);
  return self;
}

/**
 * nexus_region_new_from_json:
 * @text: what nexus_region_to_json() wrote: `[s,w,n,e]` or a GeoJSON
 *   geometry
 */
NexusRegion *
nexus_region_new_from_json (const char *text, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autoptr (GError) local_error = NULL;
  JsonNode *root;

  g_return_val_if_fail (text != NULL, NULL);

  if (!json_parser_load_from_data (parser, text, -1, &local_error))
    {
      g_set_error (error, NEXUS_GEO_ERROR, NEXUS_GEO_ERROR_INVALID,
                   _ ("the stored region is not JSON: %s"), local_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);

  if (JSON_NODE_HOLDS_ARRAY (root))
    {
      JsonArray *array = json_node_get_array (root);
      double     values[4];
      NexusBBox  bbox;

      if (json_array_get_length (array) != 4)
        goto bad_box;
      for (guint i = 0; i < 4; i++)
        if (!parse_number (json_array_get_element (array, i), &values[i]))
          goto bad_box;
      bbox = (NexusBBox){ values[0], values[1], values[2], values[3] };
      if (!nexus_bbox_validate (&bbox, error))
        return NULL;
      return nexus_region_new_bbox (&bbox);
    }
  else
    {
      g_autoptr (NexusGeometry) polygon = nexus_geometry_new_from_json (root, error);

      if (polygon == NULL)
        return NULL;
      return nexus_region_new_polygon (polygon);
    }

bad_box:
  g_set_error_literal (error, NEXUS_GEO_ERROR, NEXUS_GEO_ERROR_INVALID,
                       _ ("the stored box is not [south, west, north, east]"));
  return NULL;
}

/**
 * nexus_region_to_json:
 *
 * Returns: (transfer full): `[s,w,n,e]` for a box, the GeoJSON geometry for
 *   a polygon
 */
char *
nexus_region_to_json (const NexusRegion *self)
{
  GString *text;

  g_return_val_if_fail (self != NULL, NULL);

  if (self->polygon != NULL)
    return nexus_geometry_to_text (self->polygon);

  text = g_string_new ("[");
  append_coordinate (text, self->bbox.south);
  g_string_append_c (text, ',');
  append_coordinate (text, self->bbox.west);
  g_string_append_c (text, ',');
  append_coordinate (text, self->bbox.north);
  g_string_append_c (text, ',');
  append_coordinate (text, self->bbox.east);
  g_string_append_c (text, ']');
  return g_string_free (text, FALSE);
}

/**
 * nexus_region_intersects_bbox:
 *
 * Returns: %TRUE when @bbox shares a positive area with the region
 */
gboolean
nexus_region_intersects_bbox (const NexusRegion *self, const NexusBBox *bbox)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (self->polygon != NULL)
    return nexus_geometry_intersects_bbox (self->polygon, bbox);
  return bbox_overlaps (&self->bbox, bbox);
}

void
nexus_region_free (NexusRegion *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->polygon, nexus_geometry_unref);
  g_free (self);
}
