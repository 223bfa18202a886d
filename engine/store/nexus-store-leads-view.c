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

/* Appends the view's order: its sort key, then the id (so rows with equal
 * keys keep one order and pages neither repeat nor skip a row). */
static void
append_order (GString *sql, const NexusLeadsQuery *query)
{
  const char *direction = query->descending ? "DESC" : "ASC";

  g_string_append_printf (sql, "ORDER BY %s %s, l.id %s", sorts[query->sort].key, direction,
                          direction);
}

/* The statement of a read of @query's view: @select (which reads
 * `leads AS l`), the WHERE clause of @query, the view's order when
 * @sorted, then @tail. */
static char *
build_view_sql (const NexusLeadsQuery *query,
                const char            *match,
                const char            *select,
                gboolean               sorted,
                const char            *tail)
{
  GString *sql = g_string_new (select);

  nexus_leads_query_append_where (sql, query, match);
  if (sorted)
    {
      g_string_append_c (sql, ' ');
      append_order (sql, query);
    }
  if (tail != NULL)
    g_string_append (sql, tail);
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

/* A page of the grid: what nexus_store_leads_view_page() reads and
 * nexus_store_leads_view_plan() explains. */
#define PAGE_SELECT "SELECT " ROW_COLUMNS " FROM leads AS l"
#define PAGE_TAIL   " LIMIT :limit OFFSET :offset"

/* Checks @query, then prepares (through the store's cache) and binds the
 * statement build_view_sql() makes of it.  @out_match receives the FTS
 * expression of the search; it is bound without a copy, so the caller
 * keeps it until the statement is reset. */
static sqlite3_stmt *
prepare_view (NexusStore            *self,
              const NexusLeadsQuery *query,
              const char            *select,
              gboolean               sorted,
              const char            *tail,
              char                 **out_match,
              GError               **error)
{
  g_autofree char *sql = NULL;
  sqlite3_stmt    *stmt;

  if (!nexus_leads_query_check (query, error))
    return NULL;

  *out_match = nexus_leads_query_fts_expression (query->search);
  sql = build_view_sql (query, *out_match, select, sorted, tail);
  stmt = _nexus_store_prepare (self, sql, error);
  if (stmt != NULL)
    nexus_leads_query_bind (stmt, query, *out_match);
  return stmt;
}

/* Ends a read of a view whose last sqlite3_step() returned @rc: reports
 * @rc as the failure of @doing unless it is SQLITE_DONE (or SQLITE_ROW from
 * a read of one row that the caller has taken), before the reset, while the
 * connection still holds the message.  Then resets the statement and drops
 * its bindings, which point into texts the caller is about to free. */
static gboolean
end_view_read (NexusStore *self, sqlite3_stmt *stmt, int rc, const char *doing, GError **error)
{
  gboolean ok = rc == SQLITE_DONE || rc == SQLITE_ROW;

  if (!ok)
    _nexus_store_set_error (self, rc, error, doing);
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  return ok;
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
  sqlite3_stmt    *stmt;

  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);
  g_return_val_if_fail (query != NULL && out_count != NULL, FALSE);

  stmt = prepare_view (self, query, "SELECT count(*) FROM leads AS l", FALSE, NULL, &match, error);
  if (stmt == NULL)
    return FALSE;
  return _nexus_store_step_int64 (self, stmt, out_count, "counting the leads of a view", error);
}

/* Binds the window of PAGE_TAIL. */
static void
bind_page (sqlite3_stmt *stmt, gint64 offset, gint64 limit)
{
  sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":limit"), limit);
  sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":offset"), offset);
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
  g_autoptr (GPtrArray) rows = NULL;
  sqlite3_stmt *stmt;
  int           rc;

  g_return_val_if_fail (NEXUS_IS_STORE (self), NULL);
  g_return_val_if_fail (query != NULL, NULL);
  g_return_val_if_fail (offset >= 0, NULL);

  stmt = prepare_view (self, query, PAGE_SELECT, TRUE, PAGE_TAIL, &match, error);
  if (stmt == NULL)
    return NULL;
  bind_page (stmt, offset, limit);

  rows = g_ptr_array_new_with_free_func ((GDestroyNotify)nexus_leads_view_row_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (rows, read_row (stmt));
  if (!end_view_read (self, stmt, rc, "reading a page of leads", error))
    return NULL;
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
  g_autofree char *sql = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  GString *plan;
  int      rc;

  g_return_val_if_fail (NEXUS_IS_STORE (self), NULL);
  g_return_val_if_fail (query != NULL, NULL);

  if (!nexus_leads_query_check (query, error))
    return NULL;

  match = nexus_leads_query_fts_expression (query->search);
  sql = build_view_sql (query, match, "EXPLAIN QUERY PLAN " PAGE_SELECT, TRUE, PAGE_TAIL);

  /* Not cached: a diagnostic, run once. */
  rc = sqlite3_prepare_v2 (_nexus_store_get_db (self), sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      _nexus_store_set_error (self, rc, error, "explaining a page of leads");
      return NULL;
    }
  nexus_leads_query_bind (stmt, query, match);
  bind_page (stmt, 0, 256);

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
  g_autoptr (GArray) ids = NULL;
  sqlite3_stmt *stmt;
  int           rc;

  g_return_val_if_fail (NEXUS_IS_STORE (self), NULL);
  g_return_val_if_fail (query != NULL, NULL);

  stmt = prepare_view (self, query, "SELECT l.id FROM leads AS l", TRUE, " LIMIT :limit", &match,
                       error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":limit"),
                      max_ids > 0 ? (gint64)max_ids : -1);

  ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (ids, id);
    }
  if (!end_view_read (self, stmt, rc, "listing the leads of a view", error))
    return NULL;
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
  g_autoptr (GString) select = NULL;
  sqlite3_stmt *stmt;
  int           rc;

  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);
  g_return_val_if_fail (query != NULL && out_position != NULL, FALSE);

  *out_position = -1;

  /* The view's order numbers the rows inside the subquery; its WHERE
   * clause follows the select as in every other read of a view. */
  select = g_string_new ("SELECT position FROM (SELECT l.id AS id, row_number () OVER (");
  append_order (select, query);
  g_string_append (select, ") - 1 AS position FROM leads AS l");
  stmt = prepare_view (self, query, select->str, FALSE, ") WHERE id = :lead", &match, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":lead"), lead_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *out_position = sqlite3_column_int64 (stmt, 0);
  return end_view_read (self, stmt, rc, "finding a lead in a view", error);
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
  if (!end_view_read (self, stmt, rc, "reading a lead", error))
    return NULL;
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
  if (!end_view_read (self, stmt, rc, "listing the values of a filter", error))
    return NULL;
  return g_steal_pointer (&values);
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
  g_autoptr (GArray) points = NULL;
  sqlite3_stmt *stmt;
  int           rc;

  g_return_val_if_fail (NEXUS_IS_STORE (self), NULL);
  g_return_val_if_fail (query != NULL, NULL);

  /* The grid's own WHERE clause, over the leads that have a place: the
   * subquery is flattened by SQLite, the filters stay those of the grid. */
  stmt = prepare_view (self, query,
                       "SELECT l.id, l.lat, l.lon, l.category, l.status FROM"
                       " (SELECT * FROM leads WHERE id > :after AND lat IS NOT NULL"
                       " AND lon IS NOT NULL) AS l",
                       FALSE, " ORDER BY l.id", &match, error);
  if (stmt == NULL)
    return NULL;
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
  if (!end_view_read (self, stmt, rc, "reading the places of leads", error))
    return NULL;
  return g_steal_pointer (&points);
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

  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);
  g_return_val_if_fail (ids != NULL || n_ids == 0, FALSE);

  json = ids_to_json (ids, n_ids);
  stmt = _nexus_store_prepare (self, "SELECT count(*) FROM leads AS l" IDS_WHERE, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, json, -1, SQLITE_STATIC);
  return _nexus_store_step_int64 (self, stmt, out_count, "counting the chosen leads", error);
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

  if (ids == NULL && query != NULL && !nexus_leads_query_check (query, error))
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
      nexus_leads_query_append_where (sql, query, cursor->match);
      g_string_append_c (sql, ' ');
      append_order (sql, query);
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
    nexus_leads_query_bind (cursor->stmt, cursor->query, cursor->match);

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
