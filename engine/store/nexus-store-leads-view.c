/* nexus-store-leads-view.c — the SQL behind the console's leads grid
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See nexus-store-leads-view.h for the rules.  The statements are built
 * from the fixed fragments below and cached by the store like every other
 * statement: at most a few hundred distinct texts exist (sort × direction ×
 * which filters are on), and each connection prepares only those it meets.
 */
#include "config.h"

#include <math.h>

#include "leads/nexus-normalize.h"
#include "nexus-store-leads-view.h"
#include "nexus-store-private.h"

/* The order keys, indexed by NexusLeadsSort.  Status sorts in the order a
 * lead moves through, not alphabetically. */
static const struct
{
  const char *name; /* the stable name (settings, tests) */
  const char *key;  /* the SQL expression sorted on */
} sorts[NEXUS_LEADS_N_SORTS] = {
  [NEXUS_LEADS_SORT_NAME] = { "name", "l.name_norm" },
  [NEXUS_LEADS_SORT_CATEGORY] = { "category", "l.category" },
  [NEXUS_LEADS_SORT_PHONE] = { "phone", "l.phone_e164" },
  [NEXUS_LEADS_SORT_CITY] = { "city", "l.city" },
  [NEXUS_LEADS_SORT_STATUS] = { "status", "CASE l.status WHEN 'new' THEN 0 WHEN 'contacted' THEN 1"
                                          " WHEN 'qualified' THEN 2 WHEN 'won' THEN 3 ELSE 4 END" },
  [NEXUS_LEADS_SORT_RATING] = { "rating", "l.rating" },
  [NEXUS_LEADS_SORT_FIRST_SEEN] = { "first_seen", "l.first_seen_at" },
  [NEXUS_LEADS_SORT_LAST_SEEN] = { "last_seen", "l.last_seen_at" },
  [NEXUS_LEADS_SORT_SIGHTINGS] = { "sightings", "l.sightings" },
};

static const char *const statuses[] = { "new", "contacted", "qualified", "won", "lost" };

#define ROW_COLUMNS                                                                 \
  "l.id, l.name, l.category, l.phone_e164, l.city, l.address, l.website, l.rating," \
  " l.status, l.first_seen_at, l.last_seen_at, l.sightings, l.preview_only"

G_DEFINE_BOXED_TYPE (NexusLeadsQuery,
                     nexus_leads_query,
                     nexus_leads_query_copy,
                     nexus_leads_query_free)

NexusLeadsQuery *
nexus_leads_query_new (void)
{
  return g_new0 (NexusLeadsQuery, 1);
}

NexusLeadsQuery *
nexus_leads_query_copy (const NexusLeadsQuery *query)
{
  NexusLeadsQuery *copy;

  g_return_val_if_fail (query != NULL, NULL);

  copy = g_memdup2 (query, sizeof *query);
  copy->search = g_strdup (query->search);
  copy->status = g_strdup (query->status);
  return copy;
}

void
nexus_leads_query_free (NexusLeadsQuery *query)
{
  if (query == NULL)
    return;

  g_free (query->search);
  g_free (query->status);
  g_free (query);
}

gboolean
nexus_leads_query_equal (const NexusLeadsQuery *a, const NexusLeadsQuery *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  return a->sort == b->sort && !a->descending == !b->descending && a->preview == b->preview &&
         g_strcmp0 (a->search, b->search) == 0 && g_strcmp0 (a->status, b->status) == 0;
}

const char *
nexus_leads_sort_to_string (NexusLeadsSort sort)
{
  g_return_val_if_fail (sort < NEXUS_LEADS_N_SORTS, NULL);

  return sorts[sort].name;
}

gboolean
nexus_leads_sort_from_string (const char *name, NexusLeadsSort *out_sort)
{
  for (guint i = 0; i < NEXUS_LEADS_N_SORTS; i++)
    {
      if (g_strcmp0 (name, sorts[i].name) == 0)
        {
          *out_sort = i;
          return TRUE;
        }
    }
  return FALSE;
}

/**
 * nexus_leads_query_fts_expression:
 * @search: (nullable): what the operator typed
 *
 * Turns a search text into an FTS5 expression: the text normalized like
 * the stored names and addresses, split on spaces, each token a quoted
 * string (an embedded quote doubled) matched as a prefix, all tokens
 * required.  No FTS5 operator or column filter can come through: every
 * token is inside quotes.
 *
 * Returns: (nullable): the expression, or NULL when the text has no token
 */
char *
nexus_leads_query_fts_expression (const char *search)
{
  g_autofree char *normalized = NULL;
  g_auto (GStrv) tokens = NULL;
  GString *expression;

  if (search == NULL)
    return NULL;

  normalized = nexus_normalize_text (search);
  if (normalized == NULL)
    return NULL;

  tokens = g_strsplit (normalized, " ", -1);
  expression = g_string_new (NULL);
  for (guint i = 0; tokens[i] != NULL; i++)
    {
      g_autofree char *escaped = NULL;
      g_auto (GStrv) parts = NULL;

      if (tokens[i][0] == '\0')
        continue;

      parts = g_strsplit (tokens[i], "\"", -1);
      escaped = g_strjoinv ("\"\"", parts);
      if (expression->len > 0)
        g_string_append_c (expression, ' ');
      g_string_append_printf (expression, "\"%s\"*", escaped);
    }

  if (expression->len == 0)
    {
      g_string_free (expression, TRUE);
      return NULL;
    }
  return g_string_free (expression, FALSE);
}

void
nexus_leads_view_row_free (NexusLeadsViewRow *row)
{
  if (row == NULL)
    return;

  g_free (row->name);
  g_free (row->category);
  g_free (row->phone_e164);
  g_free (row->city);
  g_free (row->address);
  g_free (row->website);
  g_free (row->status);
  g_free (row);
}

static gboolean
check_query (const NexusLeadsQuery *query, GError **error)
{
  if (query->sort >= NEXUS_LEADS_N_SORTS || query->preview > NEXUS_LEADS_PREVIEW_INCLUDE)
    {
      g_set_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_INVALID,
                   "Unknown sort or preview filter in a leads query");
      return FALSE;
    }

  if (query->status != NULL && !g_strv_contains (statuses, query->status))
    {
      g_set_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_INVALID, "Unknown lead status “%s”",
                   query->status);
      return FALSE;
    }

  return TRUE;
}

/* Appends the WHERE clause of @query: fixed fragments with :status and
 * :match parameters, bound by bind_filters(). */
static void
append_where (GString *sql, const NexusLeadsQuery *query, gboolean has_match)
{
  const char *glue = " WHERE ";

  if (query->preview == NEXUS_LEADS_PREVIEW_EXCLUDE)
    {
      g_string_append_printf (sql, "%sl.preview_only = 0", glue);
      glue = " AND ";
    }
  else if (query->preview == NEXUS_LEADS_PREVIEW_ONLY)
    {
      g_string_append_printf (sql, "%sl.preview_only = 1", glue);
      glue = " AND ";
    }

  if (query->status != NULL)
    {
      g_string_append_printf (sql, "%sl.status = :status", glue);
      glue = " AND ";
    }

  if (has_match)
    g_string_append_printf (
        sql, "%sl.id IN (SELECT rowid FROM leads_fts WHERE leads_fts MATCH :match)", glue);
}

static char *
build_page_sql (const NexusLeadsQuery *query, gboolean has_match)
{
  const char *direction = query->descending ? "DESC" : "ASC";
  GString    *sql = g_string_new ("SELECT " ROW_COLUMNS " FROM leads AS l");

  append_where (sql, query, has_match);
  g_string_append_printf (sql, " ORDER BY %s %s, l.id %s LIMIT :limit OFFSET :offset",
                          sorts[query->sort].key, direction, direction);
  return g_string_free (sql, FALSE);
}

static void
bind_filters (sqlite3_stmt *stmt, const NexusLeadsQuery *query, const char *match)
{
  int index;

  index = sqlite3_bind_parameter_index (stmt, ":status");
  if (index > 0)
    sqlite3_bind_text (stmt, index, query->status, -1, SQLITE_STATIC);

  index = sqlite3_bind_parameter_index (stmt, ":match");
  if (index > 0)
    sqlite3_bind_text (stmt, index, match, -1, SQLITE_STATIC);
}

static char *
dup_column_text (sqlite3_stmt *stmt, int column)
{
  const unsigned char *text = sqlite3_column_text (stmt, column);

  return text != NULL ? g_strdup ((const char *)text) : NULL;
}

/**
 * nexus_store_leads_view_count:
 * @self: a #NexusStore
 * @query: the view
 * @out_count: (out): how many leads the view holds
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
nexus_store_leads_view_count (NexusStore            *self,
                              const NexusLeadsQuery *query,
                              gint64                *out_count,
                              GError               **error)
{
  g_autofree char *match = NULL;
  g_autoptr (GString) sql = NULL;
  sqlite3_stmt *stmt;
  int           rc;

  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);
  g_return_val_if_fail (query != NULL && out_count != NULL, FALSE);

  if (!check_query (query, error))
    return FALSE;

  match = nexus_leads_query_fts_expression (query->search);
  sql = g_string_new ("SELECT count(*) FROM leads AS l");
  append_where (sql, query, match != NULL);

  stmt = _nexus_store_prepare (self, sql->str, error);
  if (stmt == NULL)
    return FALSE;
  bind_filters (stmt, query, match);

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      _nexus_store_set_error (self, rc, error, "counting the leads of a view");
      sqlite3_reset (stmt);
      return FALSE;
    }
  *out_count = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  return TRUE;
}

/**
 * nexus_store_leads_view_page:
 * @self: a #NexusStore
 * @query: the view
 * @offset: the position of the first row, from 0
 * @limit: at most this many rows
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (element-type NexusLeadsViewRow): the rows, in
 *   the view's order; fewer than @limit at the end; NULL with @error set
 */
GPtrArray *
nexus_store_leads_view_page (NexusStore            *self,
                             const NexusLeadsQuery *query,
                             gint64                 offset,
                             guint                  limit,
                             GError               **error)
{
  g_autofree char *match = NULL;
  g_autofree char *sql = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  sqlite3_stmt *stmt;
  int           rc;

  g_return_val_if_fail (NEXUS_IS_STORE (self), NULL);
  g_return_val_if_fail (query != NULL, NULL);
  g_return_val_if_fail (offset >= 0, NULL);

  if (!check_query (query, error))
    return NULL;

  match = nexus_leads_query_fts_expression (query->search);
  sql = build_page_sql (query, match != NULL);
  stmt = _nexus_store_prepare (self, sql, error);
  if (stmt == NULL)
    return NULL;
  bind_filters (stmt, query, match);
  sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":limit"), limit);
  sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":offset"), offset);

  rows = g_ptr_array_new_with_free_func ((GDestroyNotify)nexus_leads_view_row_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      NexusLeadsViewRow *row = g_new0 (NexusLeadsViewRow, 1);

      row->id = sqlite3_column_int64 (stmt, 0);
      row->name = dup_column_text (stmt, 1);
      row->category = dup_column_text (stmt, 2);
      row->phone_e164 = dup_column_text (stmt, 3);
      row->city = dup_column_text (stmt, 4);
      row->address = dup_column_text (stmt, 5);
      row->website = dup_column_text (stmt, 6);
      row->rating =
          sqlite3_column_type (stmt, 7) == SQLITE_NULL ? NAN : sqlite3_column_double (stmt, 7);
      row->status = dup_column_text (stmt, 8);
      row->first_seen_at = sqlite3_column_int64 (stmt, 9);
      row->last_seen_at = sqlite3_column_int64 (stmt, 10);
      row->sightings = sqlite3_column_int64 (stmt, 11);
      row->preview_only = sqlite3_column_int (stmt, 12) != 0;
      g_ptr_array_add (rows, row);
    }

  if (rc != SQLITE_DONE)
    {
      _nexus_store_set_error (self, rc, error, "reading a page of leads");
      sqlite3_reset (stmt);
      return NULL;
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  return g_steal_pointer (&rows);
}

/**
 * nexus_store_leads_view_points:
 * @self: a #NexusStore
 * @query: the view; its sort is ignored
 * @after_id: only leads with a greater id (0: all), so new leads can be
 *   read without reading the others again
 * @error: return location for a #GError
 *
 * The leads of @query that have coordinates, with what the map needs to
 * place and colour them, in id order.
 *
 * Returns: (transfer full) (element-type NexusLeadsViewPoint): the points,
 *   or NULL with @error set
 */
GArray *
nexus_store_leads_view_points (NexusStore            *self,
                               const NexusLeadsQuery *query,
                               gint64                 after_id,
                               GError               **error)
{
  g_autofree char *match = NULL;
  g_autoptr (GString) sql = NULL;
  g_autoptr (GArray) points = NULL;
  sqlite3_stmt *stmt;
  int           rc;

  g_return_val_if_fail (NEXUS_IS_STORE (self), NULL);
  g_return_val_if_fail (query != NULL, NULL);

  if (!check_query (query, error))
    return NULL;

  /* The grid's own WHERE clause, over the leads that have a place: the
   * subquery is flattened by SQLite, the filters stay those of the grid. */
  match = nexus_leads_query_fts_expression (query->search);
  sql = g_string_new ("SELECT l.id, l.lat, l.lon, l.category, l.status FROM"
                      " (SELECT * FROM leads WHERE id > :after AND lat IS NOT NULL"
                      " AND lon IS NOT NULL) AS l");
  append_where (sql, query, match != NULL);
  g_string_append (sql, " ORDER BY l.id");

  stmt = _nexus_store_prepare (self, sql->str, error);
  if (stmt == NULL)
    return NULL;
  bind_filters (stmt, query, match);
  sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":after"), after_id);

  points = g_array_new (FALSE, FALSE, sizeof (NexusLeadsViewPoint));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      NexusLeadsViewPoint point;

      point.id = sqlite3_column_int64 (stmt, 0);
      point.lat = sqlite3_column_double (stmt, 1);
      point.lon = sqlite3_column_double (stmt, 2);
      point.category = g_intern_string ((const char *)sqlite3_column_text (stmt, 3));
      point.status = g_intern_string ((const char *)sqlite3_column_text (stmt, 4));
      g_array_append_val (points, point);
    }

  if (rc != SQLITE_DONE)
    {
      _nexus_store_set_error (self, rc, error, "reading the places of leads");
      sqlite3_reset (stmt);
      return NULL;
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  return g_steal_pointer (&points);
}

/**
 * nexus_store_leads_view_plan:
 * @self: a #NexusStore
 * @query: the view
 * @error: return location for a #GError
 *
 * What SQLite does to read a page of @query (EXPLAIN QUERY PLAN), one step
 * a line, so tests can check that no sort of the whole table is needed.
 *
 * Returns: (transfer full): the plan, or NULL with @error set
 */
char *
nexus_store_leads_view_plan (NexusStore *self, const NexusLeadsQuery *query, GError **error)
{
  g_autofree char *match = NULL;
  g_autofree char *page_sql = NULL;
  g_autofree char *sql = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  GString *plan;
  int      rc;

  g_return_val_if_fail (NEXUS_IS_STORE (self), NULL);
  g_return_val_if_fail (query != NULL, NULL);

  if (!check_query (query, error))
    return NULL;

  match = nexus_leads_query_fts_expression (query->search);
  page_sql = build_page_sql (query, match != NULL);
  sql = g_strconcat ("EXPLAIN QUERY PLAN ", page_sql, NULL);

  /* Not cached: a diagnostic, run once. */
  rc = sqlite3_prepare_v2 (_nexus_store_get_db (self), sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      _nexus_store_set_error (self, rc, error, "explaining a page of leads");
      return NULL;
    }
  bind_filters (stmt, query, match);
  sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":limit"), 256);
  sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":offset"), 0);

  plan = g_string_new (NULL);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const unsigned char *detail = sqlite3_column_text (stmt, 3);

      g_string_append_printf (plan, "%s\n", detail != NULL ? (const char *)detail : "");
    }

  if (rc != SQLITE_DONE)
    {
      _nexus_store_set_error (self, rc, error, "explaining a page of leads");
      g_string_free (plan, TRUE);
      return NULL;
    }
  return g_string_free (plan, FALSE);
}

/* The export's read: every exportable column, computed per row from the
 * lead's own tables (indexed lookups by lead id). */
#define EXPORT_COLUMNS                                                                        \
  "l.id, l.name, l.category, l.phone_e164,"                                                   \
  " (SELECT group_concat (p.e164, '; ') FROM lead_phones AS p"                                \
  "   WHERE p.lead_id = l.id AND p.e164 IS NOT l.phone_e164),"                                \
  " l.phone_raw, l.city, l.address, l.country, l.website, l.email, l.lat, l.lon,"             \
  " l.rating, l.reviews, l.status, (SELECT a.name FROM agents AS a WHERE a.id = l.agent_id)," \
  " l.first_seen_at, l.last_seen_at, l.sightings, l.preview_only,"                            \
  " (SELECT group_concat (provider, '; ') FROM"                                               \
  "   (SELECT DISTINCT s.provider FROM lead_sources AS s WHERE s.lead_id = l.id"              \
  "    ORDER BY s.provider)),"                                                                \
  " l.notes"

/* The selection of an export by ids: bound as one JSON array. */
#define IDS_WHERE " WHERE l.id IN (SELECT value FROM json_each (:ids))"

struct _NexusLeadsCursor
{
  NexusStore      *store; /* owned */
  sqlite3_stmt    *stmt;  /* the store's cached statement, stepped page by page */
  char            *match; /* the FTS expression bound to stmt (owned, kept alive) */
  NexusLeadsQuery *query; /* the query bound to stmt (owned: bound texts stay alive) */
  char            *ids;   /* the JSON array bound to stmt (owned, kept alive) */
  GStringChunk    *texts; /* the texts of the current page */
  gboolean         began; /* the cursor opened the read transaction */
  gboolean         done;  /* the statement has no more rows */
};

static char *
ids_to_json (const gint64 *ids, gsize n_ids)
{
  GString *json = g_string_new ("[");

  for (gsize i = 0; i < n_ids; i++)
    g_string_append_printf (json, "%s%" G_GINT64_FORMAT, i > 0 ? "," : "", ids[i]);
  g_string_append_c (json, ']');
  return g_string_free (json, FALSE);
}

/**
 * nexus_store_leads_count_ids:
 * @self: a #NexusStore
 * @ids: (array length=n_ids): lead ids
 * @n_ids: how many
 * @out_count: (out): how many of them are leads of the vault
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
nexus_store_leads_count_ids (NexusStore   *self,
                             const gint64 *ids,
                             gsize         n_ids,
                             gint64       *out_count,
                             GError      **error)
{
  g_autofree char *json = NULL;
  sqlite3_stmt    *stmt;
  int              rc;

  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);
  g_return_val_if_fail (ids != NULL || n_ids == 0, FALSE);

  json = ids_to_json (ids, n_ids);
  stmt = _nexus_store_prepare (self, "SELECT count(*) FROM leads AS l" IDS_WHERE, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, json, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      _nexus_store_set_error (self, rc, error, "counting the chosen leads");
      sqlite3_reset (stmt);
      return FALSE;
    }
  *out_count = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  return TRUE;
}

/**
 * nexus_store_leads_cursor_open:
 * @self: a #NexusStore
 * @query: (nullable): the grid's view, in its order; NULL with @ids NULL:
 *   every lead of the vault, preview-only ones included, by id
 * @ids: (nullable) (array length=n_ids): these leads only, by id (the
 *   query is then ignored; unknown ids are skipped)
 * @n_ids: how many ids
 * @out_total: (out) (optional): how many rows the cursor will give
 * @error: return location for a #GError
 *
 * Starts a read transaction (unless the store is in one), counts the rows
 * and prepares their statement: the count and the rows come from the same
 * snapshot, whatever the engine writes meanwhile.
 *
 * Returns: (transfer full): the cursor, or NULL with @error set
 */
NexusLeadsCursor *
nexus_store_leads_cursor_open (NexusStore            *self,
                               const NexusLeadsQuery *query,
                               const gint64          *ids,
                               gsize                  n_ids,
                               gint64                *out_total,
                               GError               **error)
{
  g_autoptr (NexusLeadsCursor) cursor = NULL;
  g_autoptr (GString) sql = g_string_new ("SELECT " EXPORT_COLUMNS " FROM leads AS l");
  gint64 total = 0;

  g_return_val_if_fail (NEXUS_IS_STORE (self), NULL);

  if (ids == NULL && query != NULL && !check_query (query, error))
    return NULL;

  cursor = g_new0 (NexusLeadsCursor, 1);
  cursor->store = g_object_ref (self);
  cursor->texts = g_string_chunk_new (64 * 1024);
  if (!nexus_store_in_transaction (self))
    {
      if (!_nexus_store_exec (self, "BEGIN DEFERRED", error))
        return NULL;
      cursor->began = TRUE;
    }

  if (ids != NULL)
    {
      cursor->ids = ids_to_json (ids, n_ids);
      g_string_append (sql, IDS_WHERE " ORDER BY l.id");
      if (!nexus_store_leads_count_ids (self, ids, n_ids, &total, error))
        return NULL;
    }
  else if (query != NULL)
    {
      cursor->match = nexus_leads_query_fts_expression (query->search);
      cursor->query = nexus_leads_query_copy (query);
      append_where (sql, query, cursor->match != NULL);
      g_string_append_printf (sql, " ORDER BY %s %s, l.id %s", sorts[query->sort].key,
                              query->descending ? "DESC" : "ASC",
                              query->descending ? "DESC" : "ASC");
      if (!nexus_store_leads_view_count (self, query, &total, error))
        return NULL;
    }
  else
    {
      g_string_append (sql, " ORDER BY l.id");
      if (!nexus_store_count_leads (self, &total, error))
        return NULL;
    }

  cursor->stmt = _nexus_store_prepare (self, sql->str, error);
  if (cursor->stmt == NULL)
    return NULL;
  if (ids != NULL)
    sqlite3_bind_text (cursor->stmt, sqlite3_bind_parameter_index (cursor->stmt, ":ids"),
                       cursor->ids, -1, SQLITE_STATIC);
  else if (query != NULL)
    bind_filters (cursor->stmt, cursor->query, cursor->match);

  if (out_total != NULL)
    *out_total = total;
  return g_steal_pointer (&cursor);
}

static const char *
chunk_text (GStringChunk *chunk, sqlite3_stmt *stmt, int column)
{
  const unsigned char *text = sqlite3_column_text (stmt, column);

  return text != NULL ? g_string_chunk_insert_len (chunk, (const char *)text,
                                                   sqlite3_column_bytes (stmt, column))
                      : NULL;
}

static double
column_double_or_nan (sqlite3_stmt *stmt, int column)
{
  return sqlite3_column_type (stmt, column) == SQLITE_NULL ? NAN
                                                           : sqlite3_column_double (stmt, column);
}

/**
 * nexus_leads_cursor_next_page:
 * @cursor: a cursor
 * @max_rows: the size of a page
 * @rows: (element-type NexusLeadsExportRow): emptied, then filled with the
 *   next page; its texts stay valid until the next call or the cursor's end
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success (@rows is empty once every row was read)
 */
gboolean
nexus_leads_cursor_next_page (NexusLeadsCursor *cursor,
                              guint             max_rows,
                              GArray           *rows,
                              GError          **error)
{
  sqlite3_stmt *stmt = cursor->stmt;

  g_return_val_if_fail (cursor != NULL && rows != NULL, FALSE);
  g_return_val_if_fail (g_array_get_element_size (rows) == sizeof (NexusLeadsExportRow), FALSE);

  g_array_set_size (rows, 0);
  g_string_chunk_clear (cursor->texts);
  while (!cursor->done && rows->len < max_rows)
    {
      NexusLeadsExportRow row;
      GStringChunk       *texts = cursor->texts;
      int                 rc = sqlite3_step (stmt);

      if (rc == SQLITE_DONE)
        {
          cursor->done = TRUE;
          break;
        }
      if (rc != SQLITE_ROW)
        {
          _nexus_store_set_error (cursor->store, rc, error, "reading leads to export");
          return FALSE;
        }

      row.id = sqlite3_column_int64 (stmt, 0);
      row.name = chunk_text (texts, stmt, 1);
      row.category = chunk_text (texts, stmt, 2);
      row.phone_e164 = chunk_text (texts, stmt, 3);
      row.other_phones = chunk_text (texts, stmt, 4);
      row.phone_raw = chunk_text (texts, stmt, 5);
      row.city = chunk_text (texts, stmt, 6);
      row.address = chunk_text (texts, stmt, 7);
      row.country = chunk_text (texts, stmt, 8);
      row.website = chunk_text (texts, stmt, 9);
      row.email = chunk_text (texts, stmt, 10);
      row.lat = column_double_or_nan (stmt, 11);
      row.lon = column_double_or_nan (stmt, 12);
      if (isnan (row.lat) || isnan (row.lon))
        row.lat = row.lon = NAN;
      row.rating = column_double_or_nan (stmt, 13);
      row.reviews =
          sqlite3_column_type (stmt, 14) == SQLITE_NULL ? -1 : sqlite3_column_int64 (stmt, 14);
      row.status = chunk_text (texts, stmt, 15);
      row.agent = chunk_text (texts, stmt, 16);
      row.first_seen_at = sqlite3_column_int64 (stmt, 17);
      row.last_seen_at = sqlite3_column_int64 (stmt, 18);
      row.sightings = sqlite3_column_int64 (stmt, 19);
      row.preview_only = sqlite3_column_int (stmt, 20) != 0;
      row.sources = chunk_text (texts, stmt, 21);
      row.notes = chunk_text (texts, stmt, 22);
      g_array_append_val (rows, row);
    }
  return TRUE;
}

/**
 * nexus_leads_cursor_free:
 * @cursor: (nullable): a cursor
 *
 * Resets the statement and ends the read transaction the cursor began.
 */
void
nexus_leads_cursor_free (NexusLeadsCursor *cursor)
{
  if (cursor == NULL)
    return;

  if (cursor->stmt != NULL)
    {
      sqlite3_reset (cursor->stmt);
      sqlite3_clear_bindings (cursor->stmt);
    }
  if (cursor->began)
    _nexus_store_exec (cursor->store, "COMMIT", NULL);
  g_string_chunk_free (cursor->texts);
  g_free (cursor->match);
  g_clear_pointer (&cursor->query, nexus_leads_query_free);
  g_free (cursor->ids);
  g_object_unref (cursor->store);
  g_free (cursor);
}
