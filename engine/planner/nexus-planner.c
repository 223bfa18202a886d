/* nexus-planner.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nexus-planner"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "nexus-planner.h"

/* Candidates examined at most for a polygon region (its box may be much
 * larger than the polygon): beyond this the plan is refused outright. */
#define MAX_CANDIDATES_FACTOR 40

/* clang-format off */
G_DEFINE_QUARK (nexus-planner-error-quark, nexus_planner_error)
/* clang-format on */

/* Edge @i of @n equal parts of [lo, hi]; the last edge is @hi itself, so
 * rounding never leaves a sliver uncovered at the far side. */
static inline double
edge (double lo, double hi, guint i, guint n)
{
  if (i == 0)
    return lo;
  if (i == n)
    return hi;
  return lo + (hi - lo) * (double)i / (double)n;
}

static guint
parts_for (double span, double step)
{
  double parts;

  if (!(step > 0.0) || !isfinite (step))
    return 1;
  /* The epsilon keeps an exact multiple from gaining a sliver column. */
  parts = ceil (span / step - 1e-9);
  if (parts < 1.0)
    return 1;
  if (parts > G_MAXUINT / 2)
    return G_MAXUINT / 2;
  return (guint)parts;
}

/* Columns for the row [south, north]: sized at the latitude nearest the
 * equator, where a degree of longitude is widest. */
static guint
columns_for_row (const NexusBBox *bbox, double south, double north, double cell_km)
{
  double nearest = (south <= 0.0 && north >= 0.0) ? 0.0 : MIN (fabs (south), fabs (north));
  double km_per_degree = NEXUS_PLANNER_KM_PER_DEGREE * cos (nearest * G_PI / 180.0);

  if (km_per_degree < 1e-6)
    return 1;
  return parts_for (bbox->east - bbox->west, cell_km / km_per_degree);
}

/**
 * nexus_planner_cover:
 * @region: the region to cover
 * @cell_km: the largest edge of a cell, in kilometres
 * @max_cells: refuse a plan with more cells than this
 *
 * Returns: (transfer full) (element-type NexusBBox): the cells, row by row
 *   from the south-west corner, or %NULL with @error set
 */
GArray *
nexus_planner_cover (const NexusRegion *region, double cell_km, guint max_cells, GError **error)
{
  const NexusBBox *bbox;
  g_autoptr (GArray) cells = NULL;
  guint   n_rows;
  guint64 candidates = 0;

  g_return_val_if_fail (region != NULL, NULL);

  if (!isfinite (cell_km) || !(cell_km > 0.0))
    {
      g_set_error_literal (error, NEXUS_PLANNER_ERROR, NEXUS_PLANNER_ERROR_INVALID,
                           _ ("the cell size must be a positive number of kilometres"));
      return NULL;
    }

  bbox = &region->bbox;
  n_rows = parts_for (bbox->north - bbox->south, cell_km / NEXUS_PLANNER_KM_PER_DEGREE);

  /* Count first, so a continent at 100 m per cell fails before it
   * allocates. */
  for (guint r = 0; r < n_rows; r++)
    {
      candidates += columns_for_row (bbox, edge (bbox->south, bbox->north, r, n_rows),
                                     edge (bbox->south, bbox->north, r + 1, n_rows), cell_km);
      if (candidates > (guint64)max_cells * (region->polygon != NULL ? MAX_CANDIDATES_FACTOR : 1))
        {
          g_set_error (error, NEXUS_PLANNER_ERROR, NEXUS_PLANNER_ERROR_TOO_MANY_CELLS,
                       _ ("covering this region with %g km cells takes more than %u cells; "
                          "choose larger cells or a smaller region"),
                       cell_km, max_cells);
          return NULL;
        }
    }

  cells = g_array_new (FALSE, FALSE, sizeof (NexusBBox));
  for (guint r = 0; r < n_rows; r++)
    {
      double south = edge (bbox->south, bbox->north, r, n_rows);
      double north = edge (bbox->south, bbox->north, r + 1, n_rows);
      guint  n_cols = columns_for_row (bbox, south, north, cell_km);
      g_autoptr (NexusGeometry) band = NULL;

      if (region->polygon != NULL)
        {
          /* Each cell of the row is then tested against the row's share of
           * the polygon only, not the whole outline. */
          band = nexus_geometry_clip_to_band (region->polygon, south, north);
          if (band == NULL)
            continue;
        }

      for (guint c = 0; c < n_cols; c++)
        {
          NexusBBox cell = {
            .south = south,
            .west = edge (bbox->west, bbox->east, c, n_cols),
            .north = north,
            .east = edge (bbox->west, bbox->east, c + 1, n_cols),
          };

          if (band != NULL && !nexus_geometry_intersects_bbox (band, &cell))
            continue;
          if (cells->len >= max_cells)
            {
              g_set_error (error, NEXUS_PLANNER_ERROR, NEXUS_PLANNER_ERROR_TOO_MANY_CELLS,
                           _ ("covering this region with %g km cells takes more than %u cells; "
                              "choose larger cells or a smaller region"),
                           cell_km, max_cells);
              return NULL;
            }
          g_array_append_val (cells, cell);
        }
    }

  return g_steal_pointer (&cells);
}

/**
 * nexus_planner_quadrants:
 * @out_quadrants: (out caller-allocates): SW, SE, NW, NE
 *
 * Cuts @cell at its midpoint.  Quadrants share their inner edges bit for
 * bit and together are exactly @cell.
 */
void
nexus_planner_quadrants (const NexusBBox *cell, NexusBBox out_quadrants[4])
{
  double mid_lat = cell->south + (cell->north - cell->south) / 2.0;
  double mid_lon = cell->west + (cell->east - cell->west) / 2.0;

  out_quadrants[0] = (NexusBBox){ cell->south, cell->west, mid_lat, mid_lon };
  out_quadrants[1] = (NexusBBox){ cell->south, mid_lon, mid_lat, cell->east };
  out_quadrants[2] = (NexusBBox){ mid_lat, cell->west, cell->north, mid_lon };
  out_quadrants[3] = (NexusBBox){ mid_lat, mid_lon, cell->north, cell->east };
}

/**
 * nexus_planner_split:
 * @out_quadrants: (out caller-allocates): the kept quadrants, in SW, SE,
 *   NW, NE order
 *
 * Returns: how many quadrants of @cell share area with @region (0–4)
 */
guint
nexus_planner_split (const NexusRegion *region, const NexusBBox *cell, NexusBBox out_quadrants[4])
{
  NexusBBox all[4];
  guint     n = 0;

  g_return_val_if_fail (region != NULL, 0);
  g_return_val_if_fail (cell != NULL, 0);

  nexus_planner_quadrants (cell, all);
  for (guint i = 0; i < 4; i++)
    if (nexus_region_intersects_bbox (region, &all[i]))
      out_quadrants[n++] = all[i];
  return n;
}
