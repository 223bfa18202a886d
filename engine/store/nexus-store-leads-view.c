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
  [NEXUS_LEADS_SORT_ADDRESS] = { "address", "l.address" },
  [NEXUS_LEADS_SORT_WEBSITE] = { "website", "l.website_host" },
  /* By the agent's row id: the leads of one agent together, through the
   * leads_agent index (sorting a million rows by a joined name would not
   * stay interactive). */
  [NEXUS_LEADS_SORT_AGENT] = { "agent", "l.agent_id" },
};

static const char *const statuses[] = { "new", "contacted", "qualified", "won", "lost" };

#define ROW_COLUMNS                                                                 \
  "l.id, l.name, l.category, l.phone_e164, l.city, l.address, l.website, l.rating," \
  " l.status, l.first_seen_at, l.last_seen_at, l.sightings, l.preview_only,"        \
  " l.agent_id, (SELECT a.name FROM agents AS a WHERE a.id = l.agent_id), l.email," \
  " l.country, l.lat, l.lon, l.reviews, l.notes"

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
  copy->category = g_strdup (query->category);
  copy->city = g_strdup (query->city);
  return copy;
}

void
nexus_leads_query_free (NexusLeadsQuery *query)
{
  if (query == NULL)
    return;

  g_free (query->search);
  g_free (query->status);
  g_free (query->category);
  g_free (query->city);
  g_free (query);
}

gboolean
nexus_leads_query_equal (const NexusLeadsQuery *a, const NexusLeadsQuery *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  return a->sort == b->sort && !a->descending == !b->descending && a->preview == b->preview &&
         g_strcmp0 (a->search, b->search) == 0 && g_strcmp0 (a->status, b->status) == 0 &&
         g_strcmp0 (a->category, b->category) == 0 && g_strcmp0 (a->city, b->city) == 0 &&
         !a->has_phone == !b->has_phone && !a->has_website == !b->has_website &&
         a->agent_id == b->agent_id && a->since == b->since && a->until == b->until &&
         !a->has_area == !b->has_area &&
         (!a->has_area || (a->min_lat == b->min_lat && a->min_lon == b->min_lon &&
                           a->max_lat == b->max_lat && a->max_lon == b->max_lon));
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
  g_free (row->agent_name);
  g_free (row->email);
  g_free (row->country);
  g_free (row->notes);
  g_free (row);
}

/**
 * nexus_leads_query_check:
 *
 * Returns: %TRUE when every enum and value of @query is one the SQL knows;
 *   otherwise %FALSE with @error set (NEXUS_STORE_ERROR_INVALID)
 */
gboolean
nexus_leads_query_check (const NexusLeadsQuery *query, GError **error)
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

  if (query->agent_id < NEXUS_LEADS_AGENT_NONE)
    {
      g_set_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_INVALID,
                   "Unknown agent filter in a leads query");
      return FALSE;
    }

  if (query->has_area && !(isfinite (query->min_lat) && isfinite (query->max_lat) &&
                           isfinite (query->min_lon) && isfinite (query->max_lon) &&
                           query->min_lat <= query->max_lat && query->min_lon <= query->max_lon))
    {
      g_set_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_INVALID,
                   "The area of a leads query is not a box of latitudes and longitudes");
      return FALSE;
    }

  return TRUE;
}

/* Appends the condition @fragment with " WHERE " or " AND " before it. */
static void
append_condition (GString *sql, gboolean *first, const char *fragment)
{
  g_string_append (sql, *first ? " WHERE " : " AND ");
  g_string_append (sql, fragment);
  *first = FALSE;
}

/**
 * nexus_leads_query_append_where:
 * @sql: a statement that reads `leads AS l`
 * @query: the view
 * @match: (nullable): the FTS5 expression of @query's search
 *
 * Appends the WHERE clause of @query: fixed fragments with named
 * parameters, bound by nexus_leads_query_bind().  Only which fragments
 * appear depends on @query, never their text.
 */
void
nexus_leads_query_append_where (GString *sql, const NexusLeadsQuery *query, const char *match)
{
  gboolean first = TRUE;

  if (query->preview == NEXUS_LEADS_PREVIEW_EXCLUDE)
    append_condition (sql, &first, "l.preview_only = 0");
  else if (query->preview == NEXUS_LEADS_PREVIEW_ONLY)
    append_condition (sql, &first, "l.preview_only = 1");

  if (query->status != NULL)
    append_condition (sql, &first, "l.status = :status");
  if (query->category != NULL)
    append_condition (sql, &first, "l.category = :category");
  if (query->city != NULL)
    append_condition (sql, &first, "l.city = :city");
  if (query->has_phone)
    append_condition (sql, &first, "l.phone_e164 IS NOT NULL");
  if (query->has_website)
    append_condition (sql, &first, "l.website_host IS NOT NULL");
  if (query->agent_id == NEXUS_LEADS_AGENT_NONE)
    append_condition (sql, &first, "l.agent_id IS NULL");
  else if (query->agent_id > 0)
    append_condition (sql, &first, "l.agent_id = :agent");
  if (query->since > 0)
    append_condition (sql, &first, "l.first_seen_at >= :since");
  if (query->until > 0)
    append_condition (sql, &first, "l.first_seen_at < :until");
  if (query->has_area)
    append_condition (sql, &first,
                      "l.id IN (SELECT id FROM leads_geo WHERE min_lat >= :min_lat"
                      " AND max_lat <= :max_lat AND min_lon >= :min_lon AND max_lon <= :max_lon)");
  if (match != NULL)
    append_condition (sql, &first,
                      "l.id IN (SELECT rowid FROM leads_fts WHERE leads_fts MATCH :match)");
}

static char *
build_page_sql (const NexusLeadsQuery *query, const char *match)
{
  const char *direction = query->descending ? "DESC" : "ASC";
  GString    *sql = g_string_new ("SELECT " ROW_COLUMNS " FROM leads AS l");

  nexus_leads_query_append_where (sql, query, match);
  g_string_append_printf (sql, " ORDER BY %s %s, l.id %s LIMIT :limit OFFSET :offset",
                          sorts[query->sort].key, direction, direction);
  return g_string_free (sql, FALSE);
}

static void
bind_named_text (sqlite3_stmt *stmt, const char *name, const char *value)
{
  int index = sqlite3_bind_parameter_index (stmt, name);

  if (index > 0)
    sqlite3_bind_text (stmt, index, value, -1, SQLITE_STATIC);
}

static void
bind_named_int64 (sqlite3_stmt *stmt, const char *name, gint64 value)
{
  int index = sqlite3_bind_parameter_index (stmt, name);

  if (index > 0)
    sqlite3_bind_int64 (stmt, index, value);
}

static void
bind_named_double (sqlite3_stmt *stmt, const char *name, double value)
{
  int index = sqlite3_bind_parameter_index (stmt, name);

  if (index > 0)
    sqlite3_bind_double (stmt, index, value);
}

/**
 * nexus_leads_query_bind:
 * @stmt: a statement with the WHERE clause of @query
 * @query: the view; its texts must outlive the statement's step
 * @match: (nullable): the same expression given to append_where
 *
 * Binds the parameters nexus_leads_query_append_where() wrote.
 */
void
nexus_leads_query_bind (sqlite3_stmt *stmt, const NexusLeadsQuery *query, const char *match)
{
  bind_named_text (stmt, ":status", query->status);
  bind_named_text (stmt, ":category", query->category);
  bind_named_text (stmt, ":city", query->city);
  bind_named_text (stmt, ":match", match);
  bind_named_int64 (stmt, ":agent", query->agent_id);
  bind_named_int64 (stmt, ":since", query->since);
  bind_named_int64 (stmt, ":until", query->until);
  bind_named_double (stmt, ":min_lat", query->min_lat);
  bind_named_double (stmt, ":max_lat", query->max_lat);
  bind_named_double (stmt, ":min_lon", query->min_lon);
  bind_named_double (stmt, ":max_lon", query->max_lon);
}

static char *
dup_column_text (sqlite3_stmt *stmt, int column)
{
  const unsigned char *text = sqlite3_column_text (stmt, column);

  return text != NULL ? g_strdup ((const char *)text) : NULL;
}

static double
column_double_or_nan (sqlite3_stmt *stmt, int column)
{
  return sqlite3_column_type (stmt, column) == SQLITE_NULL ? NAN
                                                           : sqlite3_column_double (stmt, column);
}

/* One row of ROW_COLUMNS. */
static NexusLeadsViewRow *
read_row (sqlite3_stmt *stmt)
{
  NexusLeadsViewRow *row = g_new0 (NexusLeadsViewRow, 1);

  row->id = sqlite3_column_int64 (stmt, 0);
  row->name = dup_column_text (stmt, 1);
  row->category = dup_column_text (stmt, 2);
  row->phone_e164 = dup_column_text (stmt, 3);
  row->city = dup_column_text (stmt, 4);
  row->address = dup_column_text (stmt, 5);
  row->website = dup_column_text (stmt, 6);
  row->rating = column_double_or_nan (stmt, 7);
  row->status = dup_column_text (stmt, 8);
  row->first_seen_at = sqlite3_column_int64 (stmt, 9);
  row->last_seen_at = sqlite3_column_int64 (stmt, 10);
  row->sightings = sqlite3_column_int64 (stmt, 11);
  row->preview_only = sqlite3_column_int (stmt, 12) != 0;
  row->agent_id = sqlite3_column_int64 (stmt, 13);
  row->agent_name = dup_column_text (stmt, 14);
  row->email = dup_column_text (stmt, 15);
  row->country = dup_column_text (stmt, 16);
  row->lat = column_double_or_nan (stmt, 17);
  row->lon = column_double_or_nan (stmt, 18);
  row->reviews =
      sqlite3_column_type (stmt, 19) == SQLITE_NULL ? -1 : sqlite3_column_int64 (stmt, 19);
  row->notes = dup_column_text (stmt, 20);
  return row;
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

  if (!nexus_leads_query_check (query, error))
    return FALSE;

  match = nexus_leads_query_fts_expression (query->search);
  sql = g_string_new ("SELECT count(*) FROM leads AS l");
  nexus_leads_query_append_where (sql, query, match);

  stmt = _nexus_store_prepare (self, sql->str, error);
  if (stmt == NULL)
    return FALSE;
  nexus_leads_query_bind (stmt, query, match);

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

  if (!nexus_leads_query_check (query, error))
    return NULL;

  match = nexus_leads_query_fts_expression (query->search);
  sql = build_page_sql (query, match);
  stmt = _nexus_store_prepare (self, sql, error);
  if (stmt == NULL)
    return NULL;
  nexus_leads_query_bind (stmt, query, match);
  sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":limit"), limit);
  sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":offset"), offset);

  rows = g_ptr_array_new_with_free_func ((GDestroyNotify)nexus_leads_view_row_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (rows, read_row (stmt));

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

  if (!nexus_leads_query_check (query, error))
    return NULL;

  match = nexus_leads_query_fts_expression (query->search);
  page_sql = build_page_sql (query, match);
  sql = g_strconcat ("EXPLAIN QUERY PLAN ", page_sql, NULL);

  /* Not cached: a diagnostic, run once. */
  rc = sqlite3_prepare_v2 (_nexus_store_get_db (self), sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      _nexus_store_set_error (self, rc, error, "explaining a page of leads");
      return NULL;
    }
  nexus_leads_query_bind (stmt, query, match);
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

/**
 * nexus_store_leads_view_ids:
 * @self: a #NexusStore
 * @query: the view
 * @max_ids: at most this many ids; 0 for all
 * @error: return location for a #GError
 *
 * The ids of the leads of @query, in the view's order: what a bulk action
 * on "every lead shown" acts on.
 *
 * Returns: (transfer full) (element-type gint64): the ids, or NULL with
 *   @error set
 */
GArray *
nexus_store_leads_view_ids (NexusStore            *self,
                            const NexusLeadsQuery *query,
                            guint                  max_ids,
                            GError               **error)
{
  g_autofree char *match = NULL;
  g_autoptr (GString) sql = NULL;
  g_autoptr (GArray) ids = NULL;
  const char   *direction;
  sqlite3_stmt *stmt;
  int           rc;

  g_return_val_if_fail (NEXUS_IS_STORE (self), NULL);
  g_return_val_if_fail (query != NULL, NULL);

  if (!nexus_leads_query_check (query, error))
    return NULL;

  direction = query->descending ? "DESC" : "ASC";
  match = nexus_leads_query_fts_expression (query->search);
  sql = g_string_new ("SELECT l.id FROM leads AS l");
  nexus_leads_query_append_where (sql, query, match);
  g_string_append_printf (sql, " ORDER BY %s %s, l.id %s LIMIT :limit", sorts[query->sort].key,
                          direction, direction);

  stmt = _nexus_store_prepare (self, sql->str, error);
  if (stmt == NULL)
    return NULL;
  nexus_leads_query_bind (stmt, query, match);
  sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":limit"),
                      max_ids > 0 ? (gint64)max_ids : -1);

  ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (ids, id);
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_DONE)
    {
      _nexus_store_set_error (self, rc, error, "listing the leads of a view");
      return NULL;
    }
  return g_steal_pointer (&ids);
}

/**
 * nexus_store_leads_view_position:
 * @self: a #NexusStore
 * @query: the view
 * @lead_id: a lead
 * @out_position: (out): its row in the view, from 0; -1 when the view
 *   does not hold it
 * @error: return location for a #GError
 *
 * Where a lead is in a view, so the grid can scroll to a lead that is not
 * in the pages it holds.  Numbers the whole view: a diagnostic-speed query
 * for a single jump, not for every row.
 *
 * Returns: %TRUE on success
 */
gboolean
nexus_store_leads_view_position (NexusStore            *self,
                                 const NexusLeadsQuery *query,
                                 gint64                 lead_id,
                                 gint64                *out_position,
                                 GError               **error)
{
  g_autofree char *match = NULL;
  g_autoptr (GString) sql = NULL;
  const char   *direction;
  sqlite3_stmt *stmt;
  int           rc;

  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);
  g_return_val_if_fail (query != NULL && out_position != NULL, FALSE);

  *out_position = -1;
  if (!nexus_leads_query_check (query, error))
    return FALSE;

  direction = query->descending ? "DESC" : "ASC";
  match = nexus_leads_query_fts_expression (query->search);
  sql = g_string_new (NULL);
  g_string_append_printf (sql,
                          "SELECT position FROM (SELECT l.id AS id, row_number () OVER"
                          " (ORDER BY %s %s, l.id %s) - 1 AS position FROM leads AS l",
                          sorts[query->sort].key, direction, direction);
  nexus_leads_query_append_where (sql, query, match);
  g_string_append (sql, ") WHERE id = :lead");

  stmt = _nexus_store_prepare (self, sql->str, error);
  if (stmt == NULL)
    return FALSE;
  nexus_leads_query_bind (stmt, query, match);
  sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":lead"), lead_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *out_position = sqlite3_column_int64 (stmt, 0);
      rc = SQLITE_DONE;
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_DONE)
    {
      _nexus_store_set_error (self, rc, error, "finding a lead in a view");
      return FALSE;
    }
  return TRUE;
}

/**
 * nexus_store_leads_view_get:
 * @self: a #NexusStore
 * @lead_id: a lead
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the lead as the grid and its details show it,
 *   or NULL with @error set (NEXUS_STORE_ERROR_NOT_FOUND when there is no
 *   such lead)
 */
NexusLeadsViewRow *
nexus_store_leads_view_get (NexusStore *self, gint64 lead_id, GError **error)
{
  NexusLeadsViewRow *row = NULL;
  sqlite3_stmt      *stmt;
  int                rc;

  g_return_val_if_fail (NEXUS_IS_STORE (self), NULL);

  stmt =
      _nexus_store_prepare (self, "SELECT " ROW_COLUMNS " FROM leads AS l WHERE l.id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, lead_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    row = read_row (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _nexus_store_set_error (self, rc, error, "reading a lead");
      return NULL;
    }
  if (row == NULL)
    g_set_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_NOT_FOUND,
                 "There is no lead %" G_GINT64_FORMAT, lead_id);
  return row;
}

/**
 * nexus_store_leads_view_values:
 * @self: a #NexusStore
 * @column: "category" or "city"
 * @limit: at most this many values
 * @error: return location for a #GError
 *
 * The values the filters of the grid offer: the distinct non-empty values
 * of @column, the most frequent first (read from the column's index).
 *
 * Returns: (transfer full) (element-type utf8): the values, or NULL with
 *   @error set
 */
GPtrArray *
nexus_store_leads_view_values (NexusStore *self, const char *column, guint limit, GError **error)
{
  g_autoptr (GPtrArray) values = NULL;
  sqlite3_stmt *stmt;
  const char   *sql;
  int           rc;

  g_return_val_if_fail (NEXUS_IS_STORE (self), NULL);

  if (g_strcmp0 (column, "category") == 0)
    sql = "SELECT category FROM leads WHERE category IS NOT NULL AND category <> ''"
          " GROUP BY category ORDER BY count(*) DESC, category LIMIT ?";
  else if (g_strcmp0 (column, "city") == 0)
    sql = "SELECT city FROM leads WHERE city IS NOT NULL AND city <> ''"
          " GROUP BY city ORDER BY count(*) DESC, city LIMIT ?";
  else
    {
      g_set_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_INVALID,
                   "The grid has no filter values for “%s”", column);
      return NULL;
    }

  stmt = _nexus_store_prepare (self, sql, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, limit);
  values = g_ptr_array_new_with_free_func (g_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (values, dup_column_text (stmt, 0));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _nexus_store_set_error (self, rc, error, "listing the values of a filter");
      return NULL;
    }
  return g_steal_pointer (&values);
}
