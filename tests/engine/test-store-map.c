/* test-store-map.c — what the map reads from the vault
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The places of a leads view (the grid's filters, new leads after an id)
 * and the cells of a search folded into one state each, against plain SQL
 * on the same file through a second connection.
 */
#include "config.h"

#include <sqlite3.h>

#include "../nexus-test-util.h"
#include "store/nexus-store-leads-view.h"
#include "store/nexus-store-map.h"

typedef struct
{
  char       *dir;
  NexusStore *store;
  sqlite3    *db; /* the same file, for the expected answers and the setup */
} Vault;

static void
vault_open (Vault *vault)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;

  vault->dir = nexus_test_make_dir ("store-map");
  path = g_build_filename (vault->dir, "vault.db", NULL);
  vault->store = nexus_store_open (path, NEXUS_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_true (nexus_store_seed_demo (vault->store, &error));
  g_assert_cmpint (sqlite3_open (path, &vault->db), ==, SQLITE_OK);
  sqlite3_busy_timeout (vault->db, 5000);
}

static void
vault_close (Vault *vault)
{
  sqlite3_close (vault->db);
  g_clear_object (&vault->store);
  nexus_test_remove_dir (vault->dir);
  g_free (vault->dir);
}

static void
exec_sql (Vault *vault, const char *sql)
{
  g_assert_cmpint (sqlite3_exec (vault->db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
}

/* The ids @sql selects, in order. */
static GArray *
sql_ids (Vault *vault, const char *sql)
{
  GArray       *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (vault->db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (ids, id);
    }
  sqlite3_finalize (stmt);
  return ids;
}

static void
assert_points (Vault *vault, const NexusLeadsQuery *query, gint64 after_id, const char *sql)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) points = nexus_store_leads_view_points (vault->store, query, after_id, &error);
  g_autoptr (GArray) expected = sql_ids (vault, sql);

  g_assert_no_error (error);
  g_assert_cmpuint (points->len, ==, expected->len);
  for (guint i = 0; i < points->len; i++)
    {
      const NexusLeadsViewPoint *point = &g_array_index (points, NexusLeadsViewPoint, i);

      g_assert_cmpint (point->id, ==, g_array_index (expected, gint64, i));
      g_assert_nonnull (point->status);
      g_assert_true (point->lat >= -90 && point->lat <= 90);
    }
}

/* The grid's filters decide which places the map gets: the vault, a
 * status, a search (FTS) and preview-only leads; leads without
 * coordinates never. */
static void
test_points_follow_filters (void)
{
  Vault vault;
  g_autoptr (NexusLeadsQuery) query = nexus_leads_query_new ();

  vault_open (&vault);
  exec_sql (&vault, "UPDATE leads SET lat = NULL, lon = NULL WHERE name = 'Café Riche'");

  assert_points (&vault, query, 0,
                 "SELECT id FROM leads WHERE preview_only = 0 AND lat IS NOT NULL ORDER BY id");
  query->status = g_strdup ("new");
  assert_points (&vault, query, 0,
                 "SELECT id FROM leads WHERE preview_only = 0 AND lat IS NOT NULL"
                 " AND status = 'new' ORDER BY id");
  g_clear_pointer (&query->status, g_free);
  query->search = g_strdup ("cairo");
  assert_points (&vault, query, 0,
                 "SELECT id FROM leads WHERE preview_only = 0 AND lat IS NOT NULL"
                 " AND city = 'Cairo' ORDER BY id");
  g_clear_pointer (&query->search, g_free);
  query->preview = NEXUS_LEADS_PREVIEW_ONLY;
  assert_points (&vault, query, 0,
                 "SELECT id FROM leads WHERE preview_only = 1 AND lat IS NOT NULL ORDER BY id");

  vault_close (&vault);
}

/* Only the leads after an id: what the map reads when workers report. */
static void
test_points_after_id (void)
{
  Vault vault;
  g_autoptr (NexusLeadsQuery) query = nexus_leads_query_new ();

  vault_open (&vault);
  assert_points (&vault, query, 5,
                 "SELECT id FROM leads WHERE preview_only = 0 AND lat IS NOT NULL AND id > 5"
                 " ORDER BY id");
  vault_close (&vault);
}

static guint
count_state (GArray *cells, NexusMapCellState state)
{
  guint n = 0;

  for (guint i = 0; i < cells->len; i++)
    n += g_array_index (cells, NexusMapCell, i).state == state;
  return n;
}

/* One cell per place, whatever the number of keywords; its state the
 * first of failed, capped, leased, queued, done among its jobs; a split
 * cell left out (its children cover it); only the latest run. */
static void
test_search_cells (void)
{
  Vault vault;
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusMapSearch) search = NULL;

  vault_open (&vault);
  exec_sql (&vault,
            "INSERT INTO searches (id, name, keywords, region_kind, region, run, created_at,"
            " updated_at) VALUES (7, 'Giza', '[\"cafe\",\"bakery\"]', 'bbox',"
            " '[29.9,31.1,30.1,31.3]', 2, 0, 0);"
            /* cell A: done + leased → leased */
            "INSERT INTO internal_jobs (search_id, run, status, keyword, cell_south, cell_west,"
            " cell_north, cell_east, payload, created_at, updated_at) VALUES"
            " (7, 2, 'done', 'cafe', 29.9, 31.1, 30.0, 31.2, '{}', 0, 0),"
            " (7, 2, 'leased', 'bakery', 29.9, 31.1, 30.0, 31.2, '{}', 0, 0),"
            /* cell B: done + dead → failed */
            " (7, 2, 'done', 'cafe', 29.9, 31.2, 30.0, 31.3, '{}', 0, 0),"
            " (7, 2, 'dead', 'bakery', 29.9, 31.2, 30.0, 31.3, '{}', 0, 0),"
            /* cell C: done twice → done */
            " (7, 2, 'done', 'cafe', 30.0, 31.1, 30.1, 31.2, '{}', 0, 0),"
            " (7, 2, 'done', 'bakery', 30.0, 31.1, 30.1, 31.2, '{}', 0, 0),"
            /* cell D: queued → queued; a retry after an error → failed */
            " (7, 2, 'queued', 'cafe', 30.0, 31.2, 30.1, 31.3, '{}', 0, 0),"
            /* an old run's cell: left out */
            " (7, 1, 'done', 'cafe', 40.0, 31.2, 40.1, 31.3, '{}', 0, 0);"
            /* cell E split in two (saturated below the limit): only the capped child shows */
            "INSERT INTO internal_jobs (search_id, run, status, keyword, cell_south, cell_west,"
            " cell_north, cell_east, depth, saturated, capped, payload, created_at, updated_at)"
            " VALUES (7, 2, 'done', 'cafe', 30.1, 31.1, 30.2, 31.3, 0, 1, 0, '{}', 0, 0),"
            " (7, 2, 'done', 'cafe', 30.1, 31.1, 30.15, 31.2, 1, 1, 1, '{}', 0, 0);");

  search = nexus_store_map_search_cells (vault.store, 7, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (search->name, ==, "Giza");
  g_assert_cmpuint (search->cells->len, ==, 5);
  g_assert_cmpuint (count_state (search->cells, NEXUS_MAP_CELL_LEASED), ==, 1);
  g_assert_cmpuint (count_state (search->cells, NEXUS_MAP_CELL_FAILED), ==, 1);
  g_assert_cmpuint (count_state (search->cells, NEXUS_MAP_CELL_DONE), ==, 1);
  g_assert_cmpuint (count_state (search->cells, NEXUS_MAP_CELL_QUEUED), ==, 1);
  g_assert_cmpuint (count_state (search->cells, NEXUS_MAP_CELL_CAPPED), ==, 1);
  g_clear_pointer (&search, nexus_map_search_free);

  /* A job waiting for a retry after an error makes its cell failed. */
  exec_sql (&vault, "UPDATE internal_jobs SET last_error = 'HTTP 429', attempts = 1"
                    " WHERE status = 'queued' AND search_id = 7");
  search = nexus_store_map_search_cells (vault.store, 7, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_state (search->cells, NEXUS_MAP_CELL_FAILED), ==, 2);
  g_assert_cmpuint (count_state (search->cells, NEXUS_MAP_CELL_QUEUED), ==, 0);

  /* No such search: an error, no cells. */
  g_clear_pointer (&search, nexus_map_search_free);
  search = nexus_store_map_search_cells (vault.store, 999, &error);
  g_assert_null (search);
  g_assert_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_INVALID);

  vault_close (&vault);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/nexus/StoreMap/points-follow-filters", test_points_follow_filters);
  g_test_add_func ("/nexus/StoreMap/points-after-id", test_points_after_id);
  g_test_add_func ("/nexus/StoreMap/search-cells", test_search_cells);

  return g_test_run ();
}
