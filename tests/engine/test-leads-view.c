/* test-leads-view.c — the queries behind the console's leads grid
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every test runs on a fresh demo vault.  Expected answers come from plain
 * SQL on the file through a second connection, not from the code under
 * test.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sqlite3.h>

#include "store/nexus-store-leads-view.h"
#include "store/nexus-store.h"

typedef struct
{
  char       *dir;
  char       *path;
  NexusStore *store;
  sqlite3    *db; /* the same file, for the expected answers */
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("nexus-leads-view-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "vault.db", NULL);
  fixture->store = nexus_store_open (fixture->path, NEXUS_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_true (nexus_store_seed_demo (fixture->store, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_open_v2 (fixture->path, &fixture->db, SQLITE_OPEN_READONLY, NULL), ==,
                   SQLITE_OK);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  const char *suffixes[] = { "", "-wal", "-shm" };

  sqlite3_close (fixture->db);
  g_clear_object (&fixture->store);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (fixture->path, suffixes[i], NULL);

      g_remove (file);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->dir);
}

/* The first column of every row of @sql, as int64s. */
static GArray *
sql_ids (Fixture *fixture, const char *sql)
{
  GArray       *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (fixture->db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (ids, id);
    }
  sqlite3_finalize (stmt);
  return ids;
}

static gint64
sql_count (Fixture *fixture, const char *sql)
{
  g_autoptr (GArray) ids = sql_ids (fixture, sql);

  g_assert_cmpuint (ids->len, ==, 1);
  return g_array_index (ids, gint64, 0);
}

/* Every row of @query, read in pages of @page_size. */
static GArray *
view_ids (Fixture *fixture, const NexusLeadsQuery *query, guint page_size)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (gint64 offset = 0;; offset += page_size)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GPtrArray) rows =
          nexus_store_leads_view_page (fixture->store, query, offset, page_size, &error);

      g_assert_no_error (error);
      g_assert_nonnull (rows);
      g_assert_cmpuint (rows->len, <=, page_size);
      for (guint i = 0; i < rows->len; i++)
        {
          NexusLeadsViewRow *row = g_ptr_array_index (rows, i);

          g_array_append_val (ids, row->id);
        }
      if (rows->len < page_size)
        break;
    }
  return ids;
}

static gint64
view_count (Fixture *fixture, const NexusLeadsQuery *query)
{
  g_autoptr (GError) error = NULL;
  gint64 count = -1;

  g_assert_true (nexus_store_leads_view_count (fixture->store, query, &count, &error));
  g_assert_no_error (error);
  return count;
}

static void
assert_same_ids (GArray *a, GArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    g_assert_cmpint (g_array_index (a, gint64, i), ==, g_array_index (b, gint64, i));
}

/* The vault view leaves preview-only leads out; the two sides add up. */
static void
test_count (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusLeadsQuery) query = nexus_leads_query_new ();
  gint64 vault, preview, all;

  vault = view_count (fixture, query);
  g_assert_cmpint (vault, ==,
                   sql_count (fixture, "SELECT count(*) FROM leads WHERE phone_e164 IS NOT NULL"));
  g_assert_cmpint (vault, ==, 28); /* the demo: 32 leads, 4 of them without a phone */

  query->preview = NEXUS_LEADS_PREVIEW_ONLY;
  preview = view_count (fixture, query);
  query->preview = NEXUS_LEADS_PREVIEW_INCLUDE;
  all = view_count (fixture, query);
  g_assert_cmpint (preview, >, 0);
  g_assert_cmpint (vault + preview, ==, all);
  g_assert_cmpint (all, ==, sql_count (fixture, "SELECT count(*) FROM leads"));
}

/* Pages of any size put together are the whole view, in the SQL order. */
static void
test_pages (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusLeadsQuery) query = nexus_leads_query_new ();
  g_autoptr (GArray) expected = NULL;
  const guint sizes[] = { 1, 5, 10, 256 };

  expected = sql_ids (fixture, "SELECT id FROM leads WHERE preview_only = 0"
                               " ORDER BY name_norm, id");
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr (GArray) ids = view_ids (fixture, query, sizes[i]);

      assert_same_ids (ids, expected);
    }

  g_clear_pointer (&expected, g_array_unref);
  expected = sql_ids (fixture, "SELECT id FROM leads WHERE preview_only = 0"
                               " ORDER BY last_seen_at DESC, id DESC");
  query->sort = NEXUS_LEADS_SORT_LAST_SEEN;
  query->descending = TRUE;
  {
    g_autoptr (GArray) ids = view_ids (fixture, query, 7);

    assert_same_ids (ids, expected);
  }
}

/* For every column, descending is exactly ascending reversed: the id
 * breaks ties the same way in both directions, so the order is total. */
static void
test_sort_every_column (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusLeadsQuery) query = nexus_leads_query_new ();
  NexusLeadsSort sort;

  for (sort = 0; sort < NEXUS_LEADS_N_SORTS; sort++)
    {
      g_autoptr (GArray) up = NULL;
      g_autoptr (GArray) down = NULL;
      NexusLeadsSort parsed;

      g_assert_true (nexus_leads_sort_from_string (nexus_leads_sort_to_string (sort), &parsed));
      g_assert_cmpint (parsed, ==, sort);

      query->sort = sort;
      query->descending = FALSE;
      up = view_ids (fixture, query, 4);
      query->descending = TRUE;
      down = view_ids (fixture, query, 4);
      g_assert_cmpuint (up->len, ==, 28);
      g_assert_cmpuint (down->len, ==, up->len);
      for (guint i = 0; i < up->len; i++)
        g_assert_cmpint (g_array_index (up, gint64, i), ==,
                         g_array_index (down, gint64, down->len - 1 - i));
    }
}

static GPtrArray *
search_names (Fixture *fixture, const char *search)
{
  g_autoptr (NexusLeadsQuery) query = nexus_leads_query_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);

  query->search = g_strdup (search);
  rows = nexus_store_leads_view_page (fixture->store, query, 0, 256, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < rows->len; i++)
    g_ptr_array_add (names, g_strdup (((NexusLeadsViewRow *)g_ptr_array_index (rows, i))->name));
  g_assert_cmpint (view_count (fixture, query), ==, names->len);
  return names;
}

static gboolean
has_name (GPtrArray *names, const char *name)
{
  return g_ptr_array_find_with_equal_func (names, name, g_str_equal, NULL);
}

/* Search goes through the normalizer: tashkeel and alef forms do not
 * matter, a word's beginning is enough, Latin case and accents neither. */
static void
test_search (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GPtrArray) plain = search_names (fixture, "مطعم");
  g_autoptr (GPtrArray) marked = search_names (fixture, "مَطْعَم");
  g_autoptr (GPtrArray) alef = search_names (fixture, "ورشة الامل");
  g_autoptr (GPtrArray) hamza = search_names (fixture, "إلياسمين");
  g_autoptr (GPtrArray) prefix = search_names (fixture, "ZAMAL");
  g_autoptr (GPtrArray) accents = search_names (fixture, "cafe RICHE");
  g_autoptr (GPtrArray) none = search_names (fixture, "مطعم zzzz");

  g_assert_cmpuint (plain->len, ==, 3); /* and مطعم الأرز Le Cèdre */
  g_assert_true (has_name (plain, "مطعم الياسمين"));
  g_assert_true (has_name (plain, "مطعم النخيل"));
  g_assert_cmpuint (marked->len, ==, 3);
  g_assert_cmpuint (alef->len, ==, 1);
  g_assert_true (has_name (alef, "ورشة الأمل للسيارات"));
  g_assert_cmpuint (hamza->len, ==, 1);
  g_assert_true (has_name (hamza, "مطعم الياسمين"));
  g_assert_true (has_name (prefix, "Zamalek Dental Clinic"));
  g_assert_cmpuint (accents->len, ==, 1);
  g_assert_true (has_name (accents, "Café Riche"));
  g_assert_cmpuint (none->len, ==, 0);
}

/* What an operator types is data: FTS5 syntax and quotes neither fail the
 * query nor widen it. */
static void
test_search_is_quoted (Fixture *fixture, gconstpointer data)
{
  const char *const hostile[] = { "\"",        "a\" OR \"b", "name_norm:x", "*", "NEAR(a b)",
                                  "') --",     "OR",         "^cafe",       "-", "\"\"\"cafe",
                                  "cafe AND ", "(",          "\\",          "'" };
  g_autofree char  *expression = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (hostile); i++)
    {
      g_autoptr (GPtrArray) names = search_names (fixture, hostile[i]);
      g_autofree char *tokens = nexus_leads_query_fts_expression (hostile[i]);

      /* Punctuation alone is no search: the whole view.  Otherwise only
       * words that begin so may match ("cafe": three cafés by name or category). */
      if (tokens == NULL)
        g_assert_cmpuint (names->len, ==, 28);
      else
        g_assert_cmpuint (names->len, <=, 3);
    }

  expression = nexus_leads_query_fts_expression ("Café \"x\"");
  g_assert_cmpstr (expression, ==, "\"cafe\"* \"x\"*");
  g_assert_null (nexus_leads_query_fts_expression ("  ¡!  "));
  g_assert_null (nexus_leads_query_fts_expression (NULL));
}

static void
test_status_filter (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusLeadsQuery) query = nexus_leads_query_new ();
  g_autoptr (GArray) expected = NULL;
  g_autoptr (GArray) ids = NULL;
  g_autoptr (GError) error = NULL;
  gint64 count = 0;

  query->status = g_strdup ("won");
  expected = sql_ids (fixture, "SELECT id FROM leads WHERE status = 'won' AND preview_only = 0"
                               " ORDER BY name_norm, id");
  g_assert_cmpuint (expected->len, >, 0);
  ids = view_ids (fixture, query, 2);
  assert_same_ids (ids, expected);
  g_assert_cmpint (view_count (fixture, query), ==, expected->len);

  /* Not a status: refused, not run. */
  g_free (query->status);
  query->status = g_strdup ("won' OR 1 = 1 --");
  g_assert_false (nexus_store_leads_view_count (fixture->store, query, &count, &error));
  g_assert_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_INVALID);
}

/* A page of the two sorts the grid opens with must not sort the whole
 * table: an index gives the order. */
static void
test_plan (Fixture *fixture, gconstpointer data)
{
  const NexusLeadsSort sorts[] = { NEXUS_LEADS_SORT_NAME, NEXUS_LEADS_SORT_LAST_SEEN };

  for (guint i = 0; i < G_N_ELEMENTS (sorts); i++)
    {
      for (int descending = 0; descending <= 1; descending++)
        {
          g_autoptr (NexusLeadsQuery) query = nexus_leads_query_new ();
          g_autoptr (GError) error = NULL;
          g_autofree char *plan = NULL;

          query->sort = sorts[i];
          query->descending = descending;
          plan = nexus_store_leads_view_plan (fixture->store, query, &error);
          g_assert_no_error (error);
          g_test_message ("%s %s:\n%s", nexus_leads_sort_to_string (sorts[i]),
                          descending ? "desc" : "asc", plan);
          g_assert_null (strstr (plan, "TEMP B-TREE"));
          g_assert_nonnull (strstr (plan, "USING INDEX"));
        }
    }
}

/* Runs @query and compares its ids, in the view's order, and its count
 * with @where of plain SQL in name order. */
static void
assert_filter (Fixture *fixture, const NexusLeadsQuery *query, const char *where)
{
  g_autofree char *sql =
      g_strdup_printf ("SELECT id FROM leads WHERE %s ORDER BY name_norm, id", where);
  g_autoptr (GArray) expected = sql_ids (fixture, sql);
  g_autoptr (GArray) ids = view_ids (fixture, query, 5);
  g_autoptr (GArray) all_ids = NULL;
  g_autoptr (GError) error = NULL;

  g_test_message ("%s: %u leads", where, expected->len);
  assert_same_ids (ids, expected);
  g_assert_cmpint (view_count (fixture, query), ==, expected->len);
  all_ids = nexus_store_leads_view_ids (fixture->store, query, 0, &error);
  g_assert_no_error (error);
  assert_same_ids (all_ids, expected);
}

/* Every filter of the grid against the same condition in plain SQL, alone
 * and together. */
static void
test_filters (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusLeadsQuery) query = nexus_leads_query_new ();
  gint64 agent_id = sql_count (fixture, "SELECT min(id) FROM agents");
  gint64 middle = sql_count (fixture, "SELECT first_seen_at FROM leads ORDER BY first_seen_at"
                                      " LIMIT 1 OFFSET 10");
  g_autofree char *where = NULL;

  /* The demo assigns some leads: make sure both sides are there. */
  g_assert_cmpint (sql_count (fixture, "SELECT count(*) FROM leads WHERE agent_id IS NULL"), >, 0);

  query->category = g_strdup ("restaurant");
  assert_filter (fixture, query, "preview_only = 0 AND category = 'restaurant'");
  g_clear_pointer (&query->category, g_free);

  query->city = g_strdup ("Cairo");
  assert_filter (fixture, query, "preview_only = 0 AND city = 'Cairo'");
  g_clear_pointer (&query->city, g_free);

  query->preview = NEXUS_LEADS_PREVIEW_INCLUDE;
  query->has_phone = TRUE;
  assert_filter (fixture, query, "phone_e164 IS NOT NULL");
  query->has_phone = FALSE;
  query->has_website = TRUE;
  assert_filter (fixture, query, "website_host IS NOT NULL");
  query->has_website = FALSE;

  query->preview = NEXUS_LEADS_PREVIEW_ONLY;
  assert_filter (fixture, query, "preview_only = 1");
  query->preview = NEXUS_LEADS_PREVIEW_EXCLUDE;

  query->agent_id = agent_id;
  where = g_strdup_printf ("preview_only = 0 AND agent_id = %" G_GINT64_FORMAT, agent_id);
  assert_filter (fixture, query, where);
  query->agent_id = NEXUS_LEADS_AGENT_NONE;
  assert_filter (fixture, query, "preview_only = 0 AND agent_id IS NULL");
  query->agent_id = 0;

  g_free (where);
  query->since = middle;
  where = g_strdup_printf ("preview_only = 0 AND first_seen_at >= %" G_GINT64_FORMAT, middle);
  assert_filter (fixture, query, where);
  g_free (where);
  query->since = 0;
  query->until = middle;
  where = g_strdup_printf ("preview_only = 0 AND first_seen_at < %" G_GINT64_FORMAT, middle);
  assert_filter (fixture, query, where);
  query->until = 0;

  /* Inside an area: Cairo's centre, through the R*Tree. */
  query->has_area = TRUE;
  query->min_lat = 30.0;
  query->max_lat = 30.1;
  query->min_lon = 31.2;
  query->max_lon = 31.3;
  assert_filter (fixture, query,
                 "preview_only = 0 AND lat BETWEEN 30.0 AND 30.1 AND lon BETWEEN 31.2 AND 31.3");

  /* All at once, with a search. */
  query->city = g_strdup ("Cairo");
  query->has_phone = TRUE;
  query->search = g_strdup ("a");
  {
    gint64 count = view_count (fixture, query);

    g_assert_cmpint (count, <=,
                     sql_count (fixture, "SELECT count(*) FROM leads WHERE preview_only = 0"
                                         " AND city = 'Cairo' AND lat BETWEEN 30.0 AND 30.1"
                                         " AND lon BETWEEN 31.2 AND 31.3"));
  }

  /* A box upside down is refused, not run. */
  {
    g_autoptr (GError) error = NULL;
    gint64 count;

    query->min_lat = 31.0;
    g_assert_false (nexus_store_leads_view_count (fixture->store, query, &count, &error));
    g_assert_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_INVALID);
  }
}

/* The area filter reads the R*Tree and the date filter its index. */
static void
test_filter_plans (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusLeadsQuery) query = nexus_leads_query_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *plan = NULL;

  query->has_area = TRUE;
  query->min_lat = 30.0;
  query->max_lat = 30.1;
  query->min_lon = 31.2;
  query->max_lon = 31.3;
  plan = nexus_store_leads_view_plan (fixture->store, query, &error);
  g_assert_no_error (error);
  g_test_message ("area:\n%s", plan);
  g_assert_nonnull (strstr (plan, "VIRTUAL TABLE INDEX"));

  g_clear_pointer (&plan, g_free);
  query->has_area = FALSE;
  query->sort = NEXUS_LEADS_SORT_FIRST_SEEN;
  plan = nexus_store_leads_view_plan (fixture->store, query, &error);
  g_assert_no_error (error);
  g_test_message ("first seen:\n%s", plan);
  g_assert_null (strstr (plan, "TEMP B-TREE"));
}

/* A lead's position in a view, its row by id, and the filter values. */
static void
test_position_and_values (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusLeadsQuery) query = nexus_leads_query_new ();
  g_autoptr (GArray) expected =
      sql_ids (fixture, "SELECT id FROM leads WHERE preview_only = 0 ORDER BY city DESC, id DESC");
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) categories = NULL;
  g_autoptr (NexusLeadsViewRow) row = NULL;
  gint64 preview_id = sql_count (fixture, "SELECT min(id) FROM leads WHERE preview_only = 1");
  gint64 position = 0;

  query->sort = NEXUS_LEADS_SORT_CITY;
  query->descending = TRUE;
  for (guint i = 0; i < expected->len; i += 5)
    {
      g_assert_true (nexus_store_leads_view_position (
          fixture->store, query, g_array_index (expected, gint64, i), &position, &error));
      g_assert_no_error (error);
      g_assert_cmpint (position, ==, i);
    }
  /* Not in the view. */
  g_assert_true (
      nexus_store_leads_view_position (fixture->store, query, preview_id, &position, &error));
  g_assert_cmpint (position, ==, -1);

  row = nexus_store_leads_view_get (fixture->store, g_array_index (expected, gint64, 0), &error);
  g_assert_no_error (error);
  g_assert_cmpint (row->id, ==, g_array_index (expected, gint64, 0));
  g_assert_null (nexus_store_leads_view_get (fixture->store, 999999, &error));
  g_assert_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  categories = nexus_store_leads_view_values (fixture->store, "category", 100, &error);
  g_assert_no_error (error);
  g_assert_cmpint (categories->len, ==,
                   sql_count (fixture, "SELECT count(DISTINCT category) FROM leads"
                                       " WHERE category <> ''"));
  g_assert_null (nexus_store_leads_view_values (fixture->store, "name; --", 10, &error));
  g_assert_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_INVALID);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/nexus/LeadsView/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("count", test_count);
  ADD ("pages", test_pages);
  ADD ("sort-every-column", test_sort_every_column);
  ADD ("search", test_search);
  ADD ("search-is-quoted", test_search_is_quoted);
  ADD ("status-filter", test_status_filter);
  ADD ("plan", test_plan);
  ADD ("filters", test_filters);
  ADD ("filter-plans", test_filter_plans);
  ADD ("position-and-values", test_position_and_values);

#undef ADD

  return g_test_run ();
}
