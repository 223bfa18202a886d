/* nexus-store-map.h — what the map reads about searches
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The cells of a search's latest run, one row per cell (the jobs of its
 * keywords folded into one state), for the map to colour them.
 *
 * Same thread rules as NexusStore: the console calls it from reader threads
 * through nexus_engine_read_async().
 */
#pragma once

#include "nexus-store.h"

G_BEGIN_DECLS

/* The state of a cell, from the jobs of all its keywords: the first that
 * applies in the order failed, capped, leased, queued, done. */
typedef enum
{
  NEXUS_MAP_CELL_QUEUED,
  NEXUS_MAP_CELL_LEASED,
  NEXUS_MAP_CELL_DONE,
  NEXUS_MAP_CELL_FAILED, /* a job is dead, or waits for a retry after an error */
  NEXUS_MAP_CELL_CAPPED, /* saturated at the depth limit: the provider's cap hid results */
  NEXUS_MAP_N_CELL_STATES,
} NexusMapCellState;

typedef struct
{
  double            south, west, north, east; /* degrees */
  int               depth;                    /* 0: a cell of the plan; n: split n times */
  NexusMapCellState state;
} NexusMapCell;

typedef struct
{
  gint64  id;
  char   *name;  /* owned */
  GArray *cells; /* of NexusMapCell, shallow cells first */
} NexusMapSearch;

void nexus_map_search_free (NexusMapSearch *search);

NexusMapSearch *nexus_store_map_search_cells (NexusStore *self, gint64 search_id, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusMapSearch, nexus_map_search_free)

G_END_DECLS
