/* nexus-planner.h — cutting a region into cells, and cells into quadrants
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The planner covers a search's region with a grid of cells about
 * cell_km × cell_km, and splits a saturated cell into its four quadrants.
 * It decides geometry only; queueing the jobs is NexusJobQueue's work.
 *
 * Rules this module relies on:
 *
 *  - Pure functions: any thread may call them.
 *  - The grid divides the region's box exactly: rows of equal height, each
 *    row cut into columns of equal width (narrower in degrees near the
 *    equator, so that no cell is wider than cell_km).  Neighbouring cells
 *    share their edge values bit for bit, so there is never a gap.
 *  - For a polygon region only cells sharing a positive area with the
 *    polygon are kept; cells that merely touch it are dropped.
 *  - A split yields the four quadrants of the cell (SW, SE, NW, NE), cut at
 *    the midpoint, minus those outside the region's polygon.
 */
#pragma once

#include "planner/nexus-geo.h"

G_BEGIN_DECLS

#define NEXUS_PLANNER_ERROR (nexus_planner_error_quark ())

typedef enum
{
  NEXUS_PLANNER_ERROR_INVALID,        /* cell size not a positive number */
  NEXUS_PLANNER_ERROR_TOO_MANY_CELLS, /* the region needs more cells than allowed */
} NexusPlannerError;

/* Kilometres per degree of latitude (and of longitude at the equator). */
#define NEXUS_PLANNER_KM_PER_DEGREE 111.32

/* Default cap on the cells one search plans at depth 0. */
#define NEXUS_PLANNER_MAX_CELLS 100000

GQuark nexus_planner_error_quark (void);

GArray *
nexus_planner_cover (const NexusRegion *region, double cell_km, guint max_cells, GError **error);
void nexus_planner_quadrants (const NexusBBox *cell, NexusBBox out_quadrants[4]);
guint
nexus_planner_split (const NexusRegion *region, const NexusBBox *cell, NexusBBox out_quadrants[4]);

G_END_DECLS
