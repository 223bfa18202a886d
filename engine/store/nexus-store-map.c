/* nexus-store-map.c — the SQL behind the map's search cells
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See nexus-store-map.h.  A cell that was split because it was saturated
 * below the depth limit is left out: its children cover it.
 */
#include "config.h"

#include "nexus-store-map.h"
#include "nexus-store-private.h"

#define CELLS_SQL                                                                            \
  "SELECT cell_south, cell_west, cell_north, cell_east, depth,"                              \
  "  sum(status = 'dead' OR (status = 'queued' AND last_error IS NOT NULL)),"                \
  "  max(capped), sum(status = 'leased'), sum(status IN ('queued', 'paused'))"               \
  " FROM internal_jobs"                                                                      \
  " WHERE search_id = :search AND run = (SELECT run FROM searches WHERE id = :search)"       \
  "   AND cell_south IS NOT NULL AND NOT (saturated = 1 AND capped = 0 AND status = 'done')" \
  " GROUP BY depth, cell_south, cell_west, cell_north, cell_east"                            \
  " ORDER BY depth, cell_south, cell_west"

void
nexus_map_search_free (NexusMapSearch *search)
{
  if (search == NULL)
    return;

  g_free (search->name);
  g_clear_pointer (&search->cells, g_array_unref);
  g_free (search);
}

/**
 * nexus_store_map_search_cells:
 * @self: a #NexusStore
 * @search_id: a search
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the search's name and the cells of its latest
 *   run; NULL with %NEXUS_STORE_ERROR_INVALID when there is no such
 *   search
 */
NexusMapSearch *
nexus_store_map_search_cells (NexusStore *self, gint64 search_id, GError **error)
{
  g_autoptr (NexusMapSearch) search = NULL;
  sqlite3_stmt *stmt;
  int           rc;

  g_return_val_if_fail (NEXUS_IS_STORE (self), NULL);

  stmt = _nexus_store_prepare (self, "SELECT name FROM searches WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, search_id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        g_set_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_INVALID,
                     "No search with id %" G_GINT64_FORMAT, search_id);
      else
        _nexus_store_set_error (self, rc, error, "reading a search");
      sqlite3_reset (stmt);
      return NULL;
    }
  search = g_new0 (NexusMapSearch, 1);
  search->id = search_id;
  search->name = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
  search->cells = g_array_new (FALSE, FALSE, sizeof (NexusMapCell));
  sqlite3_reset (stmt);

  stmt = _nexus_store_prepare (self, CELLS_SQL, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":search"), search_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      NexusMapCell cell;

      cell.south = sqlite3_column_double (stmt, 0);
      cell.west = sqlite3_column_double (stmt, 1);
      cell.north = sqlite3_column_double (stmt, 2);
      cell.east = sqlite3_column_double (stmt, 3);
      cell.depth = sqlite3_column_int (stmt, 4);
      if (sqlite3_column_int64 (stmt, 5) > 0)
        cell.state = NEXUS_MAP_CELL_FAILED;
      else if (sqlite3_column_int64 (stmt, 6) > 0)
        cell.state = NEXUS_MAP_CELL_CAPPED;
      else if (sqlite3_column_int64 (stmt, 7) > 0)
        cell.state = NEXUS_MAP_CELL_LEASED;
      else if (sqlite3_column_int64 (stmt, 8) > 0)
        cell.state = NEXUS_MAP_CELL_QUEUED;
      else
        cell.state = NEXUS_MAP_CELL_DONE;
      g_array_append_val (search->cells, cell);
    }
  if (rc != SQLITE_DONE)
    {
      _nexus_store_set_error (self, rc, error, "reading the cells of a search");
      sqlite3_reset (stmt);
      return NULL;
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  return g_steal_pointer (&search);
}
