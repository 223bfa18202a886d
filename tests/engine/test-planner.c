/* test-planner.c — boxes, GeoJSON, covering regions with cells, splits
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The property tests check the planner against geometry computed here,
 * independently of nexus-geo.c: a cell shares area with a polygon exactly
 * when a polygon edge runs through the cell's open interior, or, when none
 * does, when the cell's centre lies inside the polygon (the interior is then
 * wholly in or wholly out).
 */

#include "config.h"

#include <math.h>

#include "planner/nexus-geo.h"
#include "planner/nexus-planner.h"

typedef struct
{
  double x; /* lon */
  double y; /* lat */
} Pt;

/* A star-shaped ring around (cx, cy), simple: its angles are spread evenly
 * (±⅕ step, so no gap between them reaches π) with random radii.  For
 * n >= 8 no edge comes closer to the centre than about 0.8 × @r_min, so a
 * ring of radius below that fits inside as a hole. */
static GArray *
star_ring (GRand *rand, double cx, double cy, double r_min, double r_max, guint n)
{
  GArray            *ring = g_array_new (FALSE, FALSE, sizeof (Pt));
  g_autofree double *angles = g_new (double, n);

  for (guint i = 0; i < n; i++)
    angles[i] = 2 * G_PI * (i + g_rand_double_range (rand, -0.2, 0.2)) / n;
  for (guint i = 1; i < n; i++)
    for (guint j = i; j > 0 && angles[j - 1] > angles[j]; j--)
      {
        double t = angles[j];
        angles[j] = angles[j - 1];
        angles[j - 1] = t;
      }
  for (guint i = 0; i < n; i++)
    {
      double r = g_rand_double_range (rand, r_min, r_max);
      Pt     p = { cx + r * cos (angles[i]), cy + r * sin (angles[i]) };

      g_array_append_val (ring, p);
    }
  {
    /* A copy: appending may move the array under a pointer into it. */
    Pt first = g_array_index (ring, Pt, 0);
    g_array_append_val (ring, first);
  }
  return ring;
}

static char *
rings_to_geojson (GPtrArray **polygons, guint n_polygons)
{
  GString *text = g_string_new ("{\"type\":\"MultiPolygon\",\"coordinates\":[");

  for (guint p = 0; p < n_polygons; p++)
    {
      g_string_append (text, p > 0 ? ",[" : "[");
      for (guint r = 0; r < polygons[p]->len; r++)
        {
          GArray *ring = g_ptr_array_index (polygons[p], r);

          g_string_append (text, r > 0 ? ",[" : "[");
          for (guint i = 0; i < ring->len; i++)
            {
              Pt  *pt = &g_array_index (ring, Pt, i);
              char x[G_ASCII_DTOSTR_BUF_SIZE];
              char y[G_ASCII_DTOSTR_BUF_SIZE];

              g_string_append_printf (text, "%s[%s,%s]", i > 0 ? "," : "",
                                      g_ascii_dtostr (x, sizeof x, pt->x),
                                      g_ascii_dtostr (y, sizeof y, pt->y));
            }
          g_string_append_c (text, ']');
        }
      g_string_append_c (text, ']');
    }
  g_string_append (text, "]}");
  return g_string_free (text, FALSE);
}

/* Crossing-number point in polygon over every ring (even–odd). */
static gboolean
own_contains (GPtrArray *rings, double x, double y)
{
  gboolean inside = FALSE;

  for (guint r = 0; r < rings->len; r++)
    {
      GArray *ring = g_ptr_array_index (rings, r);

      for (guint i = 0; i + 1 < ring->len; i++)
        {
          Pt *a = &g_array_index (ring, Pt, i);
          Pt *b = &g_array_index (ring, Pt, i + 1);

          if ((a->y > y) != (b->y > y))
            {
              double xi = a->x + (y - a->y) * (b->x - a->x) / (b->y - a->y);
              if (x < xi)
                inside = !inside;
            }
        }
    }
  return inside;
}

/* Does segment a–b pass through the open interior of @box?  Clips it to the
 * closed box (Liang–Barsky); a straight piece inside a box touches its
 * border only at its ends unless it runs along a side, so its midpoint
 * decides. */
static gboolean
segment_enters (const Pt *a, const Pt *b, const NexusBBox *box)
{
  double t0 = 0.0, t1 = 1.0;
  double dx = b->x - a->x, dy = b->y - a->y;
  double p[4] = { -dx, dx, -dy, dy };
  double q[4] = { a->x - box->west, box->east - a->x, a->y - box->south, box->north - a->y };
  double mx, my, ex, ey;

  for (int i = 0; i < 4; i++)
    {
      if (p[i] == 0.0)
        {
          if (q[i] < 0.0)
            return FALSE;
          continue;
        }
      double t = q[i] / p[i];
      if (p[i] < 0.0)
        t0 = MAX (t0, t);
      else
        t1 = MIN (t1, t);
    }
  if (t0 >= t1)
    return FALSE;

  mx = a->x + (t0 + t1) / 2 * dx;
  my = a->y + (t0 + t1) / 2 * dy;
  ex = (box->east - box->west) * 1e-9;
  ey = (box->north - box->south) * 1e-9;
  return mx > box->west + ex && mx < box->east - ex && my > box->south + ey && my < box->north - ey;
}

static gboolean
own_intersects (GPtrArray **polygons, guint n_polygons, const NexusBBox *box)
{
  for (guint p = 0; p < n_polygons; p++)
    for (guint r = 0; r < polygons[p]->len; r++)
      {
        GArray *ring = g_ptr_array_index (polygons[p], r);

        for (guint i = 0; i + 1 < ring->len; i++)
          if (segment_enters (&g_array_index (ring, Pt, i), &g_array_index (ring, Pt, i + 1), box))
            return TRUE;
      }

  for (guint p = 0; p < n_polygons; p++)
    if (own_contains (polygons[p], (box->west + box->east) / 2, (box->south + box->north) / 2))
      return TRUE;
  return FALSE;
}

static gboolean
cell_in (GArray *cells, const NexusBBox *cell)
{
  for (guint i = 0; i < cells->len; i++)
    if (nexus_bbox_equal (&g_array_index (cells, NexusBBox, i), cell))
      return TRUE;
  return FALSE;
}

/* --- tests -------------------------------------------------------------- */

static void
test_bbox_parse (void)
{
  static const struct
  {
    const char *text;
    const char *reason; /* a word the message must contain; NULL: valid */
  } cases[] = {
    { "30.0,31.2,30.1,31.3", NULL },
    { " -33.9 , 18.4 , -33.8 , 18.5 ", NULL },
    { "30.1,31.2,30.0,31.3", "inverted" },
    { "30.0,31.3,30.1,31.2", "inverted" },
    { "95,0,96,1", "latitude" },
    { "0,-181,1,0", "longitude" },
    { "30,31,30.1", "four" },
    { "30,31,30.1,31.1,5", "four" },
    { "30,abc,30.1,31.1", "number" },
    { "30,,30.1,31.1", "number" },
    { "nan,31,30.1,31.1", "number" },
    { "", "four" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      NexusBBox box;
      gboolean  ok = nexus_bbox_parse (cases[i].text, &box, &error);

      if (cases[i].reason == NULL)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
          g_assert_cmpfloat (box.south, <, box.north);
        }
      else
        {
          g_assert_false (ok);
          g_assert_error (error, NEXUS_GEO_ERROR, NEXUS_GEO_ERROR_INVALID);
          if (strstr (error->message, cases[i].reason) == NULL)
            g_error ("“%s”: message “%s” lacks “%s”", cases[i].text, error->message,
                     cases[i].reason);
          /* One line. */
          g_assert_null (strchr (error->message, '\n'));
        }
    }
}

static void
test_geojson_parse (void)
{
  static const struct
  {
    const char *text;
    int         code; /* -1: valid */
    guint       polygons;
  } cases[] = {
    { "{\"type\":\"Polygon\",\"coordinates\":[[[31,30],[31.2,30],[31.2,30.2],[31,30]]]}", -1, 1 },
    { "{\"type\":\"MultiPolygon\",\"coordinates\":[[[[0,0],[1,0],[1,1],[0,0]]],"
      "[[[2,2],[3,2],[3,3],[2,2]]]]}",
      -1, 2 },
    { "{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"Polygon\","
      "\"coordinates\":[[[0,0],[1,0],[1,1],[0,0]]]}}",
      -1, 1 },
    { "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"geometry\":"
      "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,0]]]}},{\"type\":\"Feature\","
      "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[5,5],[6,5],[6,6],[5,5]]]}}]}",
      -1, 2 },
    { "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,1]]]}", NEXUS_GEO_ERROR_INVALID,
      0 },
    { "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[0,0]]]}", NEXUS_GEO_ERROR_INVALID, 0 },
    { "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,91],[0,0]]]}",
      NEXUS_GEO_ERROR_INVALID, 0 },
    { "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[\"1\",0],[1,1],[0,0]]]}",
      NEXUS_GEO_ERROR_INVALID, 0 },
    { "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[2,0],[0,0]]]}", NEXUS_GEO_ERROR_NO_AREA,
      0 },
    { "{\"type\":\"Point\",\"coordinates\":[31,30]}", NEXUS_GEO_ERROR_UNSUPPORTED, 0 },
    { "{\"type\":\"Polygonn\",\"coordinates\":[]}", NEXUS_GEO_ERROR_INVALID, 0 },
    { "{\"coordinates\":[]}", NEXUS_GEO_ERROR_INVALID, 0 },
    { "{\"type\":\"MultiPolygon\",\"coordinates\":[]}", NEXUS_GEO_ERROR_NO_AREA, 0 },
    { "[1,2,3]", NEXUS_GEO_ERROR_INVALID, 0 },
    { "{\"type\":\"Polygon\",", NEXUS_GEO_ERROR_INVALID, 0 },
    { "garbage", NEXUS_GEO_ERROR_INVALID, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (NexusGeometry) geometry = nexus_geometry_new_from_text (cases[i].text, -1, &error);

      if (cases[i].code < 0)
        {
          g_autofree char *again_text = NULL;
          g_autoptr (NexusGeometry) again = NULL;

          g_assert_no_error (error);
          g_assert_cmpuint (nexus_geometry_get_n_polygons (geometry), ==, cases[i].polygons);
          /* What is written reads back to the same geometry. */
          again_text = nexus_geometry_to_text (geometry);
          {
            g_autoptr (JsonNode) node = nexus_geometry_to_json (geometry);

            g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "type"),
                             ==, cases[i].polygons == 1 ? "Polygon" : "MultiPolygon");
          }
          again = nexus_geometry_new_from_text (again_text, -1, &error);
          g_assert_no_error (error);
          g_assert_cmpfloat (nexus_geometry_area (again), ==, nexus_geometry_area (geometry));
          g_assert_true (nexus_bbox_equal (nexus_geometry_get_bbox (again),
                                           nexus_geometry_get_bbox (geometry)));
        }
      else
        {
          g_assert_null (geometry);
          if (!g_error_matches (error, NEXUS_GEO_ERROR, cases[i].code))
            g_error ("case %u: expected code %d, got %s", i, cases[i].code,
                     error != NULL ? error->message : "no error");
          g_assert_null (strchr (error->message, '\n'));
        }
    }
}

static void
test_cover_bbox (void)
{
  const NexusBBox box = { 29.95, 31.10, 30.15, 31.40 };
  g_autoptr (NexusRegion) region = nexus_region_new_bbox (&box);
  g_autoptr (GArray) cells = NULL;
  g_autoptr (GError) error = NULL;
  double area = 0.0;

  cells = nexus_planner_cover (region, 2.0, NEXUS_PLANNER_MAX_CELLS, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cells->len, >, 100);

  for (guint i = 0; i < cells->len; i++)
    {
      NexusBBox *cell = &g_array_index (cells, NexusBBox, i);
      double     lat = MIN (fabs (cell->south), fabs (cell->north));
      double     height_km = (cell->north - cell->south) * NEXUS_PLANNER_KM_PER_DEGREE;
      double     width_km =
          (cell->east - cell->west) * NEXUS_PLANNER_KM_PER_DEGREE * cos (lat * G_PI / 180.0);

      /* No cell is larger than asked, none lies outside the box. */
      g_assert_cmpfloat (height_km, <=, 2.0 + 1e-9);
      g_assert_cmpfloat (width_km, <=, 2.0 + 1e-9);
      g_assert_cmpfloat (cell->south, >=, box.south);
      g_assert_cmpfloat (cell->north, <=, box.north);
      g_assert_cmpfloat (cell->west, >=, box.west);
      g_assert_cmpfloat (cell->east, <=, box.east);
      area += nexus_bbox_area (cell);
    }
  /* Disjoint (grid) cells whose areas add up to the box's: no gap. */
  g_assert_cmpfloat (fabs (area - nexus_bbox_area (&box)), <, 1e-12);

  /* The box's edges are reached exactly. */
  {
    NexusBBox *first = &g_array_index (cells, NexusBBox, 0);
    NexusBBox *last = &g_array_index (cells, NexusBBox, cells->len - 1);

    g_assert_cmpfloat (first->south, ==, box.south);
    g_assert_cmpfloat (first->west, ==, box.west);
    g_assert_cmpfloat (last->north, ==, box.north);
    g_assert_cmpfloat (last->east, ==, box.east);
  }

  /* Neighbours in a row share their edge bit for bit. */
  for (guint i = 1; i < cells->len; i++)
    {
      NexusBBox *a = &g_array_index (cells, NexusBBox, i - 1);
      NexusBBox *b = &g_array_index (cells, NexusBBox, i);

      if (a->south == b->south)
        g_assert_cmpfloat (a->east, ==, b->west);
      else
        g_assert_cmpfloat (a->north, ==, b->south);
    }
}

static void
test_cover_limits (void)
{
  const NexusBBox box = { -40.0, -20.0, 40.0, 50.0 };
  g_autoptr (NexusRegion) region = nexus_region_new_bbox (&box);
  g_autoptr (GArray) cells = NULL;
  g_autoptr (GError) error = NULL;

  cells = nexus_planner_cover (region, 0.5, 1000, &error);
  g_assert_null (cells);
  g_assert_error (error, NEXUS_PLANNER_ERROR, NEXUS_PLANNER_ERROR_TOO_MANY_CELLS);
  g_clear_error (&error);

  cells = nexus_planner_cover (region, -1.0, 1000, &error);
  g_assert_null (cells);
  g_assert_error (error, NEXUS_PLANNER_ERROR, NEXUS_PLANNER_ERROR_INVALID);
  g_clear_error (&error);

  /* A box smaller than a cell is one cell: the box itself. */
  {
    const NexusBBox tiny = { 30.0, 31.0, 30.001, 31.001 };
    g_autoptr (NexusRegion) small = nexus_region_new_bbox (&tiny);

    cells = nexus_planner_cover (small, 2.0, 10, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (cells->len, ==, 1);
    g_assert_true (nexus_bbox_equal (&g_array_index (cells, NexusBBox, 0), &tiny));
  }
}

static void
check_random_cover (GRand *rand, guint iteration)
{
  g_autoptr (GPtrArray) first = g_ptr_array_new_with_free_func ((GDestroyNotify)g_array_unref);
  g_autoptr (GPtrArray) second = g_ptr_array_new_with_free_func ((GDestroyNotify)g_array_unref);
  GPtrArray       *polygons[2] = { first, second };
  guint            n_polygons = g_rand_boolean (rand) ? 2 : 1;
  double           cx = g_rand_double_range (rand, -60, 60);
  double           cy = g_rand_double_range (rand, -60, 60);
  double           radius = g_rand_double_range (rand, 0.05, 0.4);
  g_autofree char *text = NULL;
  g_autoptr (NexusGeometry) geometry = NULL;
  g_autoptr (NexusRegion) region = NULL;
  g_autoptr (NexusRegion) box_region = NULL;
  g_autoptr (GArray) cells = NULL;
  g_autoptr (GArray) grid = NULL;
  g_autoptr (GError) error = NULL;
  double cell_km = radius * 2 * NEXUS_PLANNER_KM_PER_DEGREE / g_rand_double_range (rand, 3, 25);
  double area = 0.0;
  guint  inside_points = 0;

  if (g_rand_boolean (rand))
    {
      /* An outline with a hole that lies inside it (see star_ring()). */
      g_ptr_array_add (first, star_ring (rand, cx, cy, radius * 0.3, radius,
                                         (guint)g_rand_int_range (rand, 8, 40)));
      g_ptr_array_add (first, star_ring (rand, cx, cy, radius * 0.05, radius * 0.2,
                                         (guint)g_rand_int_range (rand, 3, 12)));
    }
  else
    g_ptr_array_add (first, star_ring (rand, cx, cy, radius * 0.3, radius,
                                       (guint)g_rand_int_range (rand, 3, 40)));
  /* Far enough not to overlap the first. */
  if (n_polygons == 2)
    g_ptr_array_add (second, star_ring (rand, cx + radius * 2.5, cy - radius, radius * 0.2,
                                        radius * 0.8, (guint)g_rand_int_range (rand, 3, 20)));

  text = rings_to_geojson (polygons, n_polygons);
  geometry = nexus_geometry_new_from_text (text, -1, &error);
  g_assert_no_error (error);
  region = nexus_region_new_polygon (geometry);
  box_region = nexus_region_new_bbox (&region->bbox);

  cells = nexus_planner_cover (region, cell_km, NEXUS_PLANNER_MAX_CELLS, &error);
  g_assert_no_error (error);
  grid = nexus_planner_cover (box_region, cell_km, NEXUS_PLANNER_MAX_CELLS, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cells->len, >, 0);
  g_assert_cmpuint (cells->len, <=, grid->len);

  /* None lies wholly outside. */
  for (guint i = 0; i < cells->len; i++)
    {
      NexusBBox *cell = &g_array_index (cells, NexusBBox, i);

      if (!own_intersects (polygons, n_polygons, cell))
        g_error ("iteration %u: cell %u (%.17g,%.17g,%.17g,%.17g) lies wholly outside %s",
                 iteration, i, cell->south, cell->west, cell->north, cell->east, text);
      g_assert_true (cell_in (grid, cell));
      area += nexus_geometry_intersection_area (geometry, cell);
    }

  /* No gap: every grid cell left out lies wholly outside... */
  for (guint i = 0; i < grid->len; i++)
    {
      NexusBBox *cell = &g_array_index (grid, NexusBBox, i);

      if (!cell_in (cells, cell) && own_intersects (polygons, n_polygons, cell))
        g_error ("iteration %u: cell (%.17g,%.17g,%.17g,%.17g) shares area with the polygon "
                 "but was not planned: %s",
                 iteration, cell->south, cell->west, cell->north, cell->east, text);
    }
  /* ...the planned cells hold all of the polygon's area... */
  if (fabs (area - nexus_geometry_area (geometry)) > 1e-9 * nexus_geometry_area (geometry))
    g_error ("iteration %u: the cells hold %.17g of the polygon's area %.17g: %s", iteration, area,
             nexus_geometry_area (geometry), text);

  /* ...and every point of the polygon falls in a planned cell. */
  for (guint i = 0; i < 500; i++)
    {
      double   x = g_rand_double_range (rand, region->bbox.west, region->bbox.east);
      double   y = g_rand_double_range (rand, region->bbox.south, region->bbox.north);
      gboolean inside = FALSE;
      gboolean covered = FALSE;

      for (guint p = 0; p < n_polygons; p++)
        inside |= own_contains (polygons[p], x, y);
      if (!inside)
        continue;
      inside_points++;
      for (guint c = 0; c < cells->len && !covered; c++)
        covered = nexus_bbox_contains_point (&g_array_index (cells, NexusBBox, c), x, y);
      if (!covered)
        g_error ("iteration %u: point %.17g,%.17g of the polygon is in no cell", iteration, x, y);
    }
  g_assert_cmpuint (inside_points, >, 0);
}

static void
test_cover_polygon_property (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (20260101);

  for (guint i = 0; i < 300; i++)
    check_random_cover (rand, i);
}

static void
test_cover_polygon_hole (void)
{
  /* A square 0..1 with a hole 0.3..0.7: with 0.1° cells, the 16 cells
   * wholly inside the hole are left out. */
  const char *text = "{\"type\":\"Polygon\",\"coordinates\":["
                     "[[0,0],[1,0],[1,1],[0,1],[0,0]],"
                     "[[0.3,0.3],[0.7,0.3],[0.7,0.7],[0.3,0.7],[0.3,0.3]]]}";
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusGeometry) geometry = nexus_geometry_new_from_text (text, -1, &error);
  g_autoptr (NexusRegion) region = NULL;
  g_autoptr (GArray) cells = NULL;

  g_assert_no_error (error);
  region = nexus_region_new_polygon (geometry);
  /* 0.1° of latitude; at latitude 0 a degree of longitude is as long. */
  cells = nexus_planner_cover (region, 0.1 * NEXUS_PLANNER_KM_PER_DEGREE, 1000, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cells->len, ==, 100 - 16);
  for (guint i = 0; i < cells->len; i++)
    {
      NexusBBox *cell = &g_array_index (cells, NexusBBox, i);
      double     cx = (cell->west + cell->east) / 2, cy = (cell->south + cell->north) / 2;

      g_assert_false (cx > 0.3 && cx < 0.7 && cy > 0.3 && cy < 0.7);
    }
}

static void
test_split_quadrants (void)
{
  const NexusBBox cell = { 30.0, 31.0, 30.02, 31.03 };
  g_autoptr (NexusRegion) region = nexus_region_new_bbox (&cell);
  NexusBBox quadrants[4];
  double    area = 0.0;

  g_assert_cmpuint (nexus_planner_split (region, &cell, quadrants), ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      g_assert_cmpfloat (fabs (nexus_bbox_area (&quadrants[i]) - nexus_bbox_area (&cell) / 4), <,
                         1e-15);
      area += nexus_bbox_area (&quadrants[i]);
    }
  g_assert_cmpfloat (fabs (area - nexus_bbox_area (&cell)), <, 1e-15);

  /* Exactly the four quadrants: SW, SE, NW, NE, meeting at the midpoint. */
  g_assert_cmpfloat (quadrants[0].south, ==, cell.south);
  g_assert_cmpfloat (quadrants[0].west, ==, cell.west);
  g_assert_cmpfloat (quadrants[0].north, ==, quadrants[2].south);
  g_assert_cmpfloat (quadrants[0].east, ==, quadrants[1].west);
  g_assert_cmpfloat (quadrants[1].east, ==, cell.east);
  g_assert_cmpfloat (quadrants[1].north, ==, quadrants[3].south);
  g_assert_cmpfloat (quadrants[2].east, ==, quadrants[3].west);
  g_assert_cmpfloat (quadrants[3].north, ==, cell.north);
  g_assert_cmpfloat (quadrants[3].east, ==, cell.east);
  g_assert_cmpfloat (quadrants[2].north, ==, cell.north);
  g_assert_cmpfloat (quadrants[0].north, ==, (cell.south + cell.north) / 2);
  g_assert_cmpfloat (quadrants[0].east, ==, (cell.west + cell.east) / 2);
}

static void
test_split_polygon_property (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (777);

  for (guint iteration = 0; iteration < 200; iteration++)
    {
      g_autoptr (GPtrArray) rings = g_ptr_array_new_with_free_func ((GDestroyNotify)g_array_unref);
      GPtrArray       *polygons[1] = { rings };
      g_autofree char *text = NULL;
      g_autoptr (NexusGeometry) geometry = NULL;
      g_autoptr (NexusRegion) region = NULL;
      g_autoptr (GArray) cells = NULL;
      g_autoptr (GError) error = NULL;

      g_ptr_array_add (rings, star_ring (rand, 10, 10, 0.1, 0.5, 12));
      text = rings_to_geojson (polygons, 1);
      geometry = nexus_geometry_new_from_text (text, -1, &error);
      g_assert_no_error (error);
      region = nexus_region_new_polygon (geometry);
      cells = nexus_planner_cover (region, 15.0, 1000, &error);
      g_assert_no_error (error);

      for (guint c = 0; c < cells->len; c++)
        {
          NexusBBox *cell = &g_array_index (cells, NexusBBox, c);
          NexusBBox  all[4];
          NexusBBox  kept[4];
          guint      n = nexus_planner_split (region, cell, kept);
          guint      k = 0;

          nexus_planner_quadrants (cell, all);
          /* The kept quadrants are those of the four sharing area with the
           * polygon, in order. */
          for (guint q = 0; q < 4; q++)
            {
              if (own_intersects (polygons, 1, &all[q]))
                {
                  g_assert_cmpuint (k, <, n);
                  g_assert_true (nexus_bbox_equal (&kept[k], &all[q]));
                  k++;
                }
            }
          g_assert_cmpuint (k, ==, n);
          g_assert_cmpuint (n, >=, 1);
        }
    }
}

static void
test_region_json (void)
{
  const NexusBBox box = { 30.05, 31.2, 30.1, 31.25 };
  g_autoptr (NexusRegion) region = nexus_region_new_bbox (&box);
  g_autofree char *text = nexus_region_to_json (region);
  g_autoptr (NexusRegion) again = NULL;
  g_autoptr (GError) error = NULL;

  /* Shortest exact decimals. */
  g_assert_cmpstr (text, ==, "[30.05,31.2,30.1,31.25]");
  again = nexus_region_new_from_json (text, &error);
  g_assert_no_error (error);
  g_assert_true (nexus_bbox_equal (&again->bbox, &box));
  g_assert_null (again->polygon);

  g_clear_pointer (&again, nexus_region_free);
  again = nexus_region_new_from_json ("[30.1,31.2,30.05,31.25]", &error);
  g_assert_null (again);
  g_assert_error (error, NEXUS_GEO_ERROR, NEXUS_GEO_ERROR_INVALID);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/nexus/Planner/bbox-parse", test_bbox_parse);
  g_test_add_func ("/nexus/Planner/geojson-parse", test_geojson_parse);
  g_test_add_func ("/nexus/Planner/region-json", test_region_json);
  g_test_add_func ("/nexus/Planner/cover-bbox", test_cover_bbox);
  g_test_add_func ("/nexus/Planner/cover-limits", test_cover_limits);
  g_test_add_func ("/nexus/Planner/cover-polygon-property", test_cover_polygon_property);
  g_test_add_func ("/nexus/Planner/cover-polygon-hole", test_cover_polygon_hole);
  g_test_add_func ("/nexus/Planner/split-quadrants", test_split_quadrants);
  g_test_add_func ("/nexus/Planner/split-polygon-property", test_split_polygon_property);

  return g_test_run ();
}
