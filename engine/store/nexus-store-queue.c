/* nexus-store-queue.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Statements are prepared once per connection (_nexus_store_prepare keeps
 * them) and reset before every return, so no statement keeps a read
 * transaction open between calls.  Strings are bound SQLITE_STATIC: they
 * outlive the step, and the next use of a statement clears its bindings.
 */

#define G_LOG_DOMAIN "nexus-store"

#include "config.h"

#include <inttypes.h>
#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "nexus-store-private.h"
#include "nexus-store-queue.h"

/* The columns of a NexusJobRecord, in the order job_from_row() reads. */
#define JOB_COLUMNS                                                                       \
  "id, search_id, run, kind, status, priority, provider, keyword, cell_south, cell_west," \
  " cell_north, cell_east, depth, parent_id, payload, attempts, max_attempts, run_after," \
  " lease_token, lease_worker_id, lease_expires_at, last_error, saturated, capped,"       \
  " result_count, created_at, updated_at, finished_at"

#define SEARCH_COLUMNS                                                                        \
  "id, name, keywords, region_kind, region, place_name, place_display, provider, country,"    \
  " language, cadence_s, cell_km, max_depth, priority, state, run, last_run_at, next_run_at," \
  " created_at, updated_at"

/* The state a job returns to when its lease ends without completion: it
 * follows a paused or cancelled search, else it is queued again. */
#define FOLLOW_SEARCH                                                                            \
  "COALESCE ((SELECT CASE s.state WHEN 'paused' THEN 'paused' WHEN 'cancelled' THEN 'cancelled'" \
  " END FROM searches s WHERE s.id = internal_jobs.search_id), 'queued')"

#define PENDING "('queued', 'leased', 'paused')"

/* Ends a job's lease: its token stops working. */
#define END_LEASE " lease_token = NULL, lease_expires_at = NULL"

/* The job ?1 while the token ?2 holds its lease; see bind_lease(). */
#define HELD_BY_TOKEN " WHERE id = ?1 AND status = 'leased' AND lease_token = ?2"

/* Cancels pending jobs; the WHERE that follows says which. */
#define CANCEL_PENDING                                              \
  "UPDATE internal_jobs SET status = 'cancelled', updated_at = ?2," \
  " finished_at = ?2," END_LEASE

/* The lease: one atomic statement, inside the caller's BEGIN IMMEDIATE.
 * The subquery walks internal_jobs_ready (status, priority DESC, id) in
 * order and stops after ?4 rows whose run_after has come; each row gets
 * its own 128-bit token from SQLite's ChaCha20 generator (seeded from the
 * operating system's random source). */
#define LEASE_SET                                                                            \
  "UPDATE internal_jobs SET status = 'leased', lease_token = lower (hex (randomblob (16)))," \
  " lease_worker_id = ?1, lease_expires_at = ?2 + ?3, attempts = attempts + 1, updated_at = ?2"
#define LEASE_READY "SELECT id FROM internal_jobs WHERE status = 'queued' AND run_after <= ?2"
#define LEASE_ORDER " ORDER BY priority DESC, id LIMIT "
#define LEASE_RETURNING \
  " RETURNING id, lease_token, lease_expires_at, attempts, priority, kind, payload"

/* clang-format off */
static const char lease_sql[] =
    LEASE_SET " WHERE id IN (" LEASE_READY LEASE_ORDER "?4)" LEASE_RETURNING;

/* One job (what a worker asks for most): a scalar subquery, which spares
 * the IN list its temporary table. */
static const char lease_one_sql[] =
    LEASE_SET " WHERE id = (" LEASE_READY LEASE_ORDER "1)" LEASE_RETURNING;

/* A job of no provider (an "enrich" job) is named by its kind. */
static const char lease_filtered_sql[] =
    LEASE_SET " WHERE id IN (" LEASE_READY
    " AND coalesce (provider, kind) IN (SELECT value FROM json_each (?5))"
    LEASE_ORDER "?4)" LEASE_RETURNING;
/* clang-format on */

static const char *const search_state_names[] = {
  [NEXUS_SEARCH_ACTIVE] = "active",
  [NEXUS_SEARCH_PAUSED] = "paused",
  [NEXUS_SEARCH_CANCELLED] = "cancelled",
  [NEXUS_SEARCH_COMPLETED] = "completed",
};

static const char *const job_status_names[] = {
  [NEXUS_JOB_QUEUED] = "queued", [NEXUS_JOB_LEASED] = "leased",       [NEXUS_JOB_DONE] = "done",
  [NEXUS_JOB_DEAD] = "dead",     [NEXUS_JOB_CANCELLED] = "cancelled", [NEXUS_JOB_PAUSED] = "paused",
};

const char *
nexus_search_state_to_string (NexusSearchState state)
{
  g_return_val_if_fail ((guint)state < G_N_ELEMENTS (search_state_names), NULL);

  return search_state_names[state];
}

/* The index of @text in @names, or -1. */
static int
name_index (const char *const *names, guint n_names, const char *text)
{
  for (guint i = 0; i < n_names; i++)
    if (g_strcmp0 (text, names[i]) == 0)
      return (int)i;
  return -1;
}

gboolean
nexus_search_state_from_string (const char *text, NexusSearchState *out_state)
{
  int index = name_index (search_state_names, G_N_ELEMENTS (search_state_names), text);

  if (index < 0)
    return FALSE;
  *out_state = (NexusSearchState)index;
  return TRUE;
}

const char *
nexus_job_status_to_string (NexusJobStatus status)
{
  g_return_val_if_fail ((guint)status < G_N_ELEMENTS (job_status_names), NULL);

  return job_status_names[status];
}

gboolean
nexus_job_status_from_string (const char *text, NexusJobStatus *out_status)
{
  int index = name_index (job_status_names, G_N_ELEMENTS (job_status_names), text);

  if (index < 0)
    return FALSE;
  *out_status = (NexusJobStatus)index;
  return TRUE;
}

void
nexus_search_record_free (NexusSearchRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->name);
  g_strfreev (record->keywords);
  g_free (record->region_kind);
  g_free (record->region);
  g_free (record->place_name);
  g_free (record->place_display);
  g_free (record->provider);
  g_free (record->country);
  g_free (record->language);
  g_free (record);
}

void
nexus_job_record_free (NexusJobRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->kind);
  g_free (record->provider);
  g_free (record->keyword);
  g_free (record->payload);
  g_free (record->lease_token);
  g_free (record->last_error);
  g_free (record);
}

void
nexus_leased_job_free (NexusLeasedJob *job)
{
  if (job == NULL)
    return;
  g_free (job->lease_token);
  g_free (job->kind);
  g_free (job->payload);
  g_free (job);
}

void
nexus_place_record_free (NexusPlaceRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->query_norm);
  g_free (record->query);
  g_free (record->display_name);
  g_free (record->geometry);
  g_free (record->bbox);
  g_free (record);
}

void
nexus_search_run_record_free (NexusSearchRunRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->reason);
  g_free (record);
}

/* --- helpers ------------------------------------------------------------ */

static inline void
bind_text (sqlite3_stmt *stmt, int index, const char *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, index);
}

/* Ids and times where 0 means "none" are stored as NULL. */
static inline void
bind_optional (sqlite3_stmt *stmt, int index, gint64 value)
{
  if (value > 0)
    sqlite3_bind_int64 (stmt, index, value);
  else
    sqlite3_bind_null (stmt, index);
}

static inline char *
column_strdup (sqlite3_stmt *stmt, int index)
{
  const char *text = (const char *)sqlite3_column_text (stmt, index);

  return text != NULL ? g_strdup (text) : NULL;
}

/* Binds ?1 and ?2 of a statement on one leased job (HELD_BY_TOKEN): its
 * id and the token that must hold it.  No lease has the empty token. */
static inline void
bind_lease (sqlite3_stmt *stmt, gint64 id, const char *token)
{
  sqlite3_bind_int64 (stmt, 1, id);
  bind_text (stmt, 2, token != NULL ? token : "");
}

static gboolean
step_failed (NexusStore *self, sqlite3_stmt *stmt, int rc, GError **error, const char *doing)
{
  _nexus_store_set_error (self, rc, error, doing);
  sqlite3_reset (stmt);
  return FALSE;
}

/* Steps a statement that returns no row and resets it; @out_changes
 * (optional) gets the rows it changed. */
static gboolean
step_changes (NexusStore   *self,
              sqlite3_stmt *stmt,
              const char   *doing,
              gint64       *out_changes,
              GError      **error)
{
  if (!_nexus_store_step_done (self, stmt, doing, error))
    return FALSE;
  if (out_changes != NULL)
    *out_changes = sqlite3_changes64 (_nexus_store_get_db (self));
  return TRUE;
}

/* step_changes() for a statement on one row: @out_changed (optional) says
 * whether it changed. */
static gboolean
step_changed (NexusStore   *self,
              sqlite3_stmt *stmt,
              const char   *doing,
              gboolean     *out_changed,
              GError      **error)
{
  gint64 changes = 0;

  if (!step_changes (self, stmt, doing, &changes, error))
    return FALSE;
  if (out_changed != NULL)
    *out_changed = changes > 0;
  return TRUE;
}

/* Reads the current row of a statement into @user_data. */
typedef void (*RowFunc) (sqlite3_stmt *stmt, gpointer user_data);

/* Reads the current row into a new record. */
typedef gpointer (*RowReader) (sqlite3_stmt *stmt);

/* Steps @stmt to its end, handing every row to @func, and resets it in
 * every case. */
static gboolean
step_rows (NexusStore   *self,
           sqlite3_stmt *stmt,
           RowFunc       func,
           gpointer      user_data,
           const char   *doing,
           GError      **error)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    func (stmt, user_data);
  if (rc != SQLITE_DONE)
    return step_failed (self, stmt, rc, error, doing);
  sqlite3_reset (stmt);
  return TRUE;
}

typedef struct
{
  RowReader  read;
  GPtrArray *rows;
} RowCollector;

static void
collect_row (sqlite3_stmt *stmt, gpointer user_data)
{
  RowCollector *collector = user_data;

  g_ptr_array_add (collector->rows, collector->read (stmt));
}

/* Steps @stmt to its end and returns its rows as records made by @read and
 * freed by @free_row, or %NULL with @error set.  @reserve: rows expected. */
static GPtrArray *
read_rows (NexusStore    *self,
           sqlite3_stmt  *stmt,
           RowReader      read,
           GDestroyNotify free_row,
           guint          reserve,
           const char    *doing,
           GError       **error)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new_full (reserve, free_row);
  RowCollector collector = { read, rows };

  if (!step_rows (self, stmt, collect_row, &collector, doing, error))
    return NULL;
  return g_steal_pointer (&rows);
}

static void
append_id (sqlite3_stmt *stmt, gpointer user_data)
{
  gint64 id = sqlite3_column_int64 (stmt, 0);

  g_array_append_val ((GArray *)user_data, id);
}

/* Steps a statement that returns ids in its first column to its end. */
static GArray *
read_ids (NexusStore *self, sqlite3_stmt *stmt, const char *doing, GError **error)
{
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  if (!step_rows (self, stmt, append_id, ids, doing, error))
    return NULL;
  return g_steal_pointer (&ids);
}

/* Steps a statement that returns at most one row, and resets it.
 *
 * Returns: (transfer full) (nullable): the row as @read makes it, or %NULL
 *   when there is none (@error unset) or on error */
static gpointer
read_one (NexusStore *self, sqlite3_stmt *stmt, RowReader read, const char *doing, GError **error)
{
  gpointer row = NULL;
  int      rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    row = read (stmt);
  else if (rc != SQLITE_DONE)
    _nexus_store_set_error (self, rc, error, doing);
  sqlite3_reset (stmt);
  return row;
}

static char **
keywords_from_json (const char *text)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  JsonNode *root;

  if (text != NULL && json_parser_load_from_data (parser, text, -1, NULL) &&
      JSON_NODE_HOLDS_ARRAY ((root = json_parser_get_root (parser))))
    {
      JsonArray *array = json_node_get_array (root);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (element) &&
              json_node_get_value_type (element) == G_TYPE_STRING)
            g_strv_builder_add (builder, json_node_get_string (element));
        }
    }
  return g_strv_builder_end (builder);
}

static char *
strv_to_json (const char *const *strings)
{
  g_autoptr (JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_array (builder);
  for (guint i = 0; strings != NULL && strings[i] != NULL; i++)
    json_builder_add_string_value (builder, strings[i]);
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

static NexusSearchRecord *
search_from_row (sqlite3_stmt *stmt)
{
  NexusSearchRecord *search = g_new0 (NexusSearchRecord, 1);

  search->id = sqlite3_column_int64 (stmt, 0);
  search->name = column_strdup (stmt, 1);
  search->keywords = keywords_from_json ((const char *)sqlite3_column_text (stmt, 2));
  search->region_kind = column_strdup (stmt, 3);
  search->region = column_strdup (stmt, 4);
  search->place_name = column_strdup (stmt, 5);
  search->place_display = column_strdup (stmt, 6);
  search->provider = column_strdup (stmt, 7);
  search->country = column_strdup (stmt, 8);
  search->language = column_strdup (stmt, 9);
  search->cadence_s = sqlite3_column_int64 (stmt, 10);
  search->cell_km = sqlite3_column_double (stmt, 11);
  search->max_depth = sqlite3_column_int (stmt, 12);
  search->priority = sqlite3_column_int (stmt, 13);
  if (!nexus_search_state_from_string ((const char *)sqlite3_column_text (stmt, 14),
                                       &search->state))
    search->state = NEXUS_SEARCH_ACTIVE;
  search->run = sqlite3_column_int64 (stmt, 15);
  search->last_run_at = sqlite3_column_int64 (stmt, 16);
  search->next_run_at = sqlite3_column_int64 (stmt, 17);
  search->created_at = sqlite3_column_int64 (stmt, 18);
  search->updated_at = sqlite3_column_int64 (stmt, 19);
  return search;
}

static NexusJobRecord *
job_from_row (sqlite3_stmt *stmt)
{
  NexusJobRecord *job = g_new0 (NexusJobRecord, 1);

  job->id = sqlite3_column_int64 (stmt, 0);
  job->search_id = sqlite3_column_int64 (stmt, 1);
  job->run = sqlite3_column_int64 (stmt, 2);
  job->kind = column_strdup (stmt, 3);
  if (!nexus_job_status_from_string ((const char *)sqlite3_column_text (stmt, 4), &job->status))
    job->status = NEXUS_JOB_QUEUED;
  job->priority = sqlite3_column_int (stmt, 5);
  job->provider = column_strdup (stmt, 6);
  job->keyword = column_strdup (stmt, 7);
  job->has_cell = sqlite3_column_type (stmt, 8) != SQLITE_NULL;
  if (job->has_cell)
    {
      job->cell.south = sqlite3_column_double (stmt, 8);
      job->cell.west = sqlite3_column_double (stmt, 9);
      job->cell.north = sqlite3_column_double (stmt, 10);
      job->cell.east = sqlite3_column_double (stmt, 11);
    }
  job->depth = sqlite3_column_int (stmt, 12);
  job->parent_id = sqlite3_column_int64 (stmt, 13);
  job->payload = column_strdup (stmt, 14);
  job->attempts = sqlite3_column_int (stmt, 15);
  job->max_attempts = sqlite3_column_int (stmt, 16);
  job->run_after = sqlite3_column_int64 (stmt, 17);
  job->lease_token = column_strdup (stmt, 18);
  job->lease_worker_id = sqlite3_column_int64 (stmt, 19);
  job->lease_expires_at = sqlite3_column_int64 (stmt, 20);
  job->last_error = column_strdup (stmt, 21);
  job->saturated = sqlite3_column_int (stmt, 22) != 0;
  job->capped = sqlite3_column_int (stmt, 23) != 0;
  job->result_count = sqlite3_column_int64 (stmt, 24);
  job->created_at = sqlite3_column_int64 (stmt, 25);
  job->updated_at = sqlite3_column_int64 (stmt, 26);
  job->finished_at = sqlite3_column_int64 (stmt, 27);
  return job;
}

static NexusSearchRunRecord *
run_from_row (sqlite3_stmt *stmt)
{
  NexusSearchRunRecord *run = g_new0 (NexusSearchRunRecord, 1);

  run->run = sqlite3_column_int64 (stmt, 0);
  run->reason = column_strdup (stmt, 1);
  run->started_at = sqlite3_column_int64 (stmt, 2);
  run->jobs_planned = sqlite3_column_int64 (stmt, 3);
  run->jobs_done = sqlite3_column_int64 (stmt, 4);
  run->jobs_dead = sqlite3_column_int64 (stmt, 5);
  run->leads_found = sqlite3_column_int64 (stmt, 6);
  run->leads_new = sqlite3_column_int64 (stmt, 7);
  return run;
}

/* Reads a row of LEASE_RETURNING. */
static NexusLeasedJob *
leased_from_row (sqlite3_stmt *stmt)
{
  NexusLeasedJob *job = g_new (NexusLeasedJob, 1);

  job->id = sqlite3_column_int64 (stmt, 0);
  job->lease_token = column_strdup (stmt, 1);
  job->lease_expires_at = sqlite3_column_int64 (stmt, 2);
  job->attempt = sqlite3_column_int (stmt, 3);
  job->priority = sqlite3_column_int (stmt, 4);
  job->kind = column_strdup (stmt, 5);
  job->payload = column_strdup (stmt, 6);
  return job;
}

static NexusPlaceRecord *
place_from_row (sqlite3_stmt *stmt)
{
  NexusPlaceRecord *place = g_new0 (NexusPlaceRecord, 1);

  place->query_norm = column_strdup (stmt, 0);
  place->query = column_strdup (stmt, 1);
  place->display_name = column_strdup (stmt, 2);
  place->geometry = column_strdup (stmt, 3);
  place->bbox = column_strdup (stmt, 4);
  place->fetched_at = sqlite3_column_int64 (stmt, 5);
  return place;
}

/* After an UPDATE … WHERE id = ? AND lease_token = ? changed nothing: was
 * the job there at all? */
static gboolean
check_missing_lease (NexusStore *self, gint64 id, NexusLeaseCheck *out_check, GError **error)
{
  sqlite3_stmt *stmt;
  int           rc;

  if (!(stmt = _nexus_store_prepare (self, "SELECT 1 FROM internal_jobs WHERE id = ?", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return step_failed (self, stmt, rc, error, "looking up a job");
  sqlite3_reset (stmt);
  *out_check = rc == SQLITE_ROW ? NEXUS_LEASE_LOST : NEXUS_LEASE_NO_JOB;
  return TRUE;
}

/* Steps a statement on job @id … HELD_BY_TOKEN, with bind_lease() done.
 * A row means the token holds the lease: @read gets it, and the statement
 * runs on to its end (where an UPDATE … RETURNING finishes).  No row means
 * it does not, and check_missing_lease() says why.  Resets the statement
 * in every case.
 *
 * Returns: %FALSE only on a database error */
static gboolean
step_lease (NexusStore      *self,
            sqlite3_stmt    *stmt,
            gint64           id,
            RowFunc          read,
            gpointer         user_data,
            NexusLeaseCheck *out_check,
            const char      *doing,
            GError         **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_DONE)
    {
      sqlite3_reset (stmt);
      return check_missing_lease (self, id, out_check, error);
    }
  if (rc == SQLITE_ROW)
    {
      read (stmt, user_data);
      *out_check = NEXUS_LEASE_HELD;
      rc = sqlite3_step (stmt);
    }
  if (rc != SQLITE_DONE)
    return step_failed (self, stmt, rc, error, doing);
  sqlite3_reset (stmt);
  return TRUE;
}

/* RowFunc for step_lease(): the job into the NexusJobRecord * @user_data. */
static void
read_job (sqlite3_stmt *stmt, gpointer user_data)
{
  *(NexusJobRecord **)user_data = job_from_row (stmt);
}

/* RowFunc for step_lease(): the first column into the gint64 @user_data. */
static void
read_int64 (sqlite3_stmt *stmt, gpointer user_data)
{
  *(gint64 *)user_data = sqlite3_column_int64 (stmt, 0);
}

/* RowFunc for step_lease(): the job status named in the first column into
 * the NexusJobStatus @user_data, which an unknown name leaves alone. */
static void
read_status (sqlite3_stmt *stmt, gpointer user_data)
{
  nexus_job_status_from_string ((const char *)sqlite3_column_text (stmt, 0), user_data);
}

/* Binds ?@first and the 12 after it to the settings of @search that adding
 * and changing it both write, in this order: name, keywords (as the JSON
 * text @keywords), region_kind, region, place_name, place_display,
 * provider, country, language, cadence_s, cell_km, max_depth, priority. */
static void
bind_search_settings (sqlite3_stmt            *stmt,
                      int                      first,
                      const NexusSearchRecord *search,
                      const char              *keywords)
{
  bind_text (stmt, first, search->name);
  bind_text (stmt, first + 1, keywords);
  bind_text (stmt, first + 2, search->region_kind);
  bind_text (stmt, first + 3, search->region);
  bind_text (stmt, first + 4, search->place_name);
  bind_text (stmt, first + 5, search->place_display);
  bind_text (stmt, first + 6, search->provider);
  bind_text (stmt, first + 7, search->country);
  bind_text (stmt, first + 8, search->language);
  sqlite3_bind_int64 (stmt, first + 9, search->cadence_s);
  sqlite3_bind_double (stmt, first + 10, search->cell_km);
  sqlite3_bind_int (stmt, first + 11, search->max_depth);
  sqlite3_bind_int (stmt, first + 12, search->priority);
}

/* --- searches ----------------------------------------------------------- */

/**
 * nexus_store_search_insert:
 * @search: the search; its id, run and times are ignored
 *
 * Returns: the new search's id, or 0 with @error set
 */
gint64
nexus_store_search_insert (NexusStore              *self,
                           const NexusSearchRecord *search,
                           gint64                   now,
                           GError                 **error)
{
  g_autofree char *keywords = NULL;
  sqlite3_stmt    *stmt;

  g_return_val_if_fail (NEXUS_IS_STORE (self), 0);
  g_return_val_if_fail (search != NULL && search->keywords != NULL, 0);

  stmt = _nexus_store_prepare (self,
                               "INSERT INTO searches (name, keywords, region_kind, region,"
                               " place_name, place_display, provider, country, language,"
                               " cadence_s, cell_km, max_depth, priority, state, next_run_at,"
                               " created_at, updated_at)"
                               " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
                               " ?14, ?15, ?16, ?16)",
                               error);
  if (stmt == NULL)
    return 0;

  keywords = strv_to_json ((const char *const *)search->keywords);
  bind_search_settings (stmt, 1, search, keywords);
  bind_text (stmt, 14, nexus_search_state_to_string (search->state));
  bind_optional (stmt, 15, search->next_run_at);
  sqlite3_bind_int64 (stmt, 16, now);
  if (!_nexus_store_step_done (self, stmt, "adding a search", error))
    return 0;
  return sqlite3_last_insert_rowid (_nexus_store_get_db (self));
}

/**
 * nexus_store_search_update:
 * @search: the search's id and its new settings (name, keywords, region,
 *   place, provider, country, language, cadence, cell size, depth,
 *   priority); its state and runs are not touched
 * @next_run_at: the next scheduled run, 0 for none, or -1 to keep it
 * @out_found: (out): whether there is a search @search->id
 *
 * Changes a search's settings; the jobs already queued keep theirs.
 */
gboolean
nexus_store_search_update (NexusStore              *self,
                           const NexusSearchRecord *search,
                           gint64                   next_run_at,
                           gint64                   now,
                           gboolean                *out_found,
                           GError                 **error)
{
  g_autofree char *keywords = NULL;
  sqlite3_stmt    *stmt;

  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);
  g_return_val_if_fail (search != NULL && search->keywords != NULL, FALSE);

  stmt = _nexus_store_prepare (
      self,
      "UPDATE searches SET name = ?2, keywords = ?3, region_kind = ?4, region = ?5,"
      " place_name = ?6, place_display = ?7, provider = ?8, country = ?9, language = ?10,"
      " cadence_s = ?11, cell_km = ?12, max_depth = ?13, priority = ?14,"
      " next_run_at = CASE WHEN ?15 < 0 THEN next_run_at ELSE nullif (?15, 0) END,"
      " updated_at = ?16 WHERE id = ?1",
      error);
  if (stmt == NULL)
    return FALSE;

  keywords = strv_to_json ((const char *const *)search->keywords);
  sqlite3_bind_int64 (stmt, 1, search->id);
  bind_search_settings (stmt, 2, search, keywords);
  sqlite3_bind_int64 (stmt, 15, next_run_at);
  sqlite3_bind_int64 (stmt, 16, now);
  return step_changed (self, stmt, "changing a search", out_found, error);
}

/**
 * nexus_store_job_set_search_priority:
 *
 * Gives the pending jobs of search @search_id the priority @priority.
 */
gboolean
nexus_store_job_set_search_priority (NexusStore *self,
                                     gint64      search_id,
                                     int         priority,
                                     gint64      now,
                                     GError    **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);

  stmt = _nexus_store_prepare (self,
                               "UPDATE internal_jobs SET priority = ?3, updated_at = ?2"
                               " WHERE search_id = ?1 AND status IN " PENDING " AND priority <> ?3",
                               error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, search_id);
  sqlite3_bind_int64 (stmt, 2, now);
  sqlite3_bind_int (stmt, 3, priority);
  return _nexus_store_step_done (self, stmt, "changing the priority of a search's jobs", error);
}

/**
 * nexus_store_search_get:
 *
 * Returns: (transfer full) (nullable): the search, or %NULL when there is
 *   none with @id (then @error stays unset) or on error
 */
NexusSearchRecord *
nexus_store_search_get (NexusStore *self, gint64 id, GError **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (NEXUS_IS_STORE (self), NULL);

  stmt = _nexus_store_prepare (self, "SELECT " SEARCH_COLUMNS " FROM searches WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  return read_one (self, stmt, (RowReader)search_from_row, "reading a search", error);
}

/**
 * nexus_store_search_list:
 *
 * Returns: (transfer full) (element-type NexusSearchRecord): every search
 *   by id, or %NULL with @error set
 */
GPtrArray *
nexus_store_search_list (NexusStore *self, GError **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (NEXUS_IS_STORE (self), NULL);

  stmt = _nexus_store_prepare (self, "SELECT " SEARCH_COLUMNS " FROM searches ORDER BY id", error);
  if (stmt == NULL)
    return NULL;
  return read_rows (self, stmt, (RowReader)search_from_row,
                    (GDestroyNotify)nexus_search_record_free, 0, "listing searches", error);
}

/**
 * nexus_store_search_set_state:
 * @next_run_at: the next scheduled run, 0 for none, -1 to keep it
 */
gboolean
nexus_store_search_set_state (NexusStore      *self,
                              gint64           id,
                              NexusSearchState state,
                              gint64           next_run_at,
                              gint64           now,
                              GError         **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);

  stmt = _nexus_store_prepare (self,
                               "UPDATE searches SET state = ?2, updated_at = ?4,"
                               " next_run_at = CASE WHEN ?3 < 0 THEN next_run_at"
                               " WHEN ?3 = 0 THEN NULL ELSE ?3 END"
                               " WHERE id = ?1",
                               error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  bind_text (stmt, 2, nexus_search_state_to_string (state));
  sqlite3_bind_int64 (stmt, 3, next_run_at);
  sqlite3_bind_int64 (stmt, 4, now);
  return _nexus_store_step_done (self, stmt, "changing a search's state", error);
}

/**
 * nexus_store_search_begin_run:
 * @reason: "initial", "schedule" or "rerun"
 * @next_run_at: when the run after this one is due; 0 for none
 *
 * Numbers a new run of the search and records it in search_runs.  Needs an
 * open transaction (the jobs of the run are inserted in the same one).
 *
 * Returns: the new run's number, or 0 with @error set
 */
gint64
nexus_store_search_begin_run (NexusStore *self,
                              gint64      id,
                              const char *reason,
                              gint64      next_run_at,
                              gint64      now,
                              GError    **error)
{
  sqlite3_stmt *stmt;
  gint64        run;
  int           rc;

  g_return_val_if_fail (NEXUS_IS_STORE (self), 0);
  g_return_val_if_fail (nexus_store_in_transaction (self), 0);

  stmt = _nexus_store_prepare (self,
                               "UPDATE searches SET run = run + 1, last_run_at = ?2,"
                               " next_run_at = ?3, updated_at = ?2 WHERE id = ?1 RETURNING run",
                               error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, now);
  bind_optional (stmt, 3, next_run_at);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        {
          sqlite3_reset (stmt);
          g_set_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_INVALID,
                       _ ("There is no search %" PRId64), id);
          return 0;
        }
      step_failed (self, stmt, rc, error, "starting a run");
      return 0;
    }
  run = sqlite3_column_int64 (stmt, 0);
  sqlite3_step (stmt);
  sqlite3_reset (stmt);

  stmt = _nexus_store_prepare (self,
                               "INSERT INTO search_runs (search_id, run, reason, started_at)"
                               " VALUES (?, ?, ?, ?)",
                               error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, run);
  bind_text (stmt, 3, reason);
  sqlite3_bind_int64 (stmt, 4, now);
  if (!_nexus_store_step_done (self, stmt, "recording a run", error))
    return 0;
  return run;
}

gboolean
nexus_store_search_set_run_planned (NexusStore *self,
                                    gint64      id,
                                    gint64      run,
                                    gint64      jobs_planned,
                                    GError    **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);

  stmt = _nexus_store_prepare (self,
                               "UPDATE search_runs SET jobs_planned = ?3"
                               " WHERE search_id = ?1 AND run = ?2",
                               error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, run);
  sqlite3_bind_int64 (stmt, 3, jobs_planned);
  return _nexus_store_step_done (self, stmt, "recording a run", error);
}

gboolean
nexus_store_search_count_runs (NexusStore *self, gint64 id, gint64 *out_runs, GError **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);

  stmt = _nexus_store_prepare (self, "SELECT count(*) FROM search_runs WHERE search_id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  return _nexus_store_step_int64 (self, stmt, out_runs, "counting runs", error);
}

/**
 * nexus_store_search_count_finished_since:
 * @since: unix seconds
 * @out_count: (out): jobs of search @id that finished (done or dead) at or
 *   after @since
 *
 * The recent pace of a search, for its time left.
 */
gboolean
nexus_store_search_count_finished_since (NexusStore *self,
                                         gint64      id,
                                         gint64      since,
                                         gint64     *out_count,
                                         GError    **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);

  stmt = _nexus_store_prepare (self,
                               "SELECT count(*) FROM internal_jobs WHERE search_id = ?1"
                               " AND status IN ('done', 'dead') AND finished_at >= ?2",
                               error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, since);
  return _nexus_store_step_int64 (self, stmt, out_count, "counting a search's finished jobs",
                                  error);
}

/**
 * nexus_store_search_list_runs:
 *
 * Returns: (transfer full) (element-type NexusSearchRunRecord): the runs
 *   of search @id, the latest first, each with what its jobs did so far
 */
GPtrArray *
nexus_store_search_list_runs (NexusStore *self, gint64 id, GError **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (NEXUS_IS_STORE (self), NULL);

  stmt = _nexus_store_prepare (
      self,
      "SELECT r.run, r.reason, r.started_at, r.jobs_planned,"
      " count (j.id) FILTER (WHERE j.status = 'done'),"
      " count (j.id) FILTER (WHERE j.status = 'dead'),"
      " coalesce (sum (j.result_count) FILTER (WHERE j.status = 'done'), 0),"
      " coalesce (sum (j.new_leads), 0)"
      " FROM search_runs r LEFT JOIN internal_jobs j ON j.search_id = r.search_id AND j.run = r.run"
      " WHERE r.search_id = ?1 GROUP BY r.run ORDER BY r.run DESC",
      error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  return read_rows (self, stmt, (RowReader)run_from_row,
                    (GDestroyNotify)nexus_search_run_record_free, 0, "listing runs", error);
}

/**
 * nexus_store_search_due:
 *
 * Returns: (transfer full) (element-type gint64): ids of the active
 *   recurring searches whose next run is due at @now, or %NULL with @error
 */
GArray *
nexus_store_search_due (NexusStore *self, gint64 now, GError **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (NEXUS_IS_STORE (self), NULL);

  stmt = _nexus_store_prepare (self,
                               "SELECT id FROM searches WHERE state = 'active' AND cadence_s > 0"
                               " AND next_run_at IS NOT NULL AND next_run_at <= ? ORDER BY id",
                               error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, now);
  return read_ids (self, stmt, "looking for due searches", error);
}

/**
 * nexus_store_search_clamp_schedule:
 *
 * After the clock went backwards a next run may lie further ahead than a
 * whole cadence: bring it back to at most @now + cadence.
 */
gboolean
nexus_store_search_clamp_schedule (NexusStore *self,
                                   gint64      now,
                                   gint64     *out_changed,
                                   GError    **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);

  stmt = _nexus_store_prepare (self,
                               "UPDATE searches SET next_run_at = ?1 + cadence_s"
                               " WHERE cadence_s > 0 AND next_run_at > ?1 + cadence_s",
                               error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, now);
  return step_changes (self, stmt, "checking the schedule", out_changed, error);
}

/**
 * nexus_store_search_complete_if_done:
 *
 * Marks an active one-off search completed when none of its jobs is
 * pending any more.
 */
gboolean
nexus_store_search_complete_if_done (NexusStore *self,
                                     gint64      id,
                                     gint64      now,
                                     gboolean   *out_completed,
                                     GError    **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);

  stmt = _nexus_store_prepare (self,
                               "UPDATE searches SET state = 'completed', next_run_at = NULL,"
                               " updated_at = ?2"
                               " WHERE id = ?1 AND state = 'active' AND cadence_s = 0"
                               " AND NOT EXISTS (SELECT 1 FROM internal_jobs"
                               " WHERE search_id = ?1 AND status IN " PENDING ")",
                               error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, now);
  return step_changed (self, stmt, "completing a search", out_completed, error);
}

/**
 * nexus_store_search_complete_finished:
 * @out_completed: (out) (optional): searches completed by this call
 *
 * nexus_store_search_complete_if_done() for every active one-off search
 * that has run: catches searches whose last job ended by an expired lease.
 */
gboolean
nexus_store_search_complete_finished (NexusStore *self,
                                      gint64      now,
                                      gint64     *out_completed,
                                      GError    **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);

  stmt = _nexus_store_prepare (self,
                               "UPDATE searches SET state = 'completed', next_run_at = NULL,"
                               " updated_at = ?1"
                               " WHERE state = 'active' AND cadence_s = 0 AND run > 0"
                               " AND NOT EXISTS (SELECT 1 FROM internal_jobs"
                               " WHERE search_id = searches.id AND status IN " PENDING ")",
                               error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, now);
  return step_changes (self, stmt, "completing searches", out_completed, error);
}

/**
 * nexus_store_search_progress:
 *
 * Counts the jobs of the search's latest run and the jobs of earlier runs
 * still pending.  A search that does not exist has all counts zero.
 */
gboolean
nexus_store_search_progress (NexusStore          *self,
                             gint64               id,
                             NexusSearchProgress *out_progress,
                             GError             **error)
{
  NexusSearchProgress progress = { 0 };
  sqlite3_stmt       *stmt;
  int                 rc;

  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);
  g_return_val_if_fail (out_progress != NULL, FALSE);

  stmt = _nexus_store_prepare (self, "SELECT run, last_run_at FROM searches WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      progress.run = sqlite3_column_int64 (stmt, 0);
      progress.run_started_at = sqlite3_column_int64 (stmt, 1);
    }
  else if (rc != SQLITE_DONE)
    return step_failed (self, stmt, rc, error, "reading a search");
  sqlite3_reset (stmt);

  stmt = _nexus_store_prepare (self,
                               "SELECT count(*),"
                               " total (status = 'queued' AND attempts = 0),"
                               " total (status = 'queued' AND attempts > 0),"
                               " total (status = 'leased'),"
                               " total (status = 'done'),"
                               " total (status = 'done' AND capped),"
                               " total (status = 'dead'),"
                               " total (status = 'paused'),"
                               " total (status = 'cancelled'),"
                               " total (CASE WHEN status = 'done' THEN result_count END),"
                               " max (finished_at),"
                               " total (new_leads)"
                               " FROM internal_jobs WHERE search_id = ?1"
                               " AND (run = ?2 OR status IN " PENDING ")",
                               error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, progress.run);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    return step_failed (self, stmt, rc, error, "counting a search's jobs");
  progress.planned = sqlite3_column_int64 (stmt, 0);
  progress.queued = sqlite3_column_int64 (stmt, 1);
  progress.failed = sqlite3_column_int64 (stmt, 2);
  progress.leased = sqlite3_column_int64 (stmt, 3);
  progress.done = sqlite3_column_int64 (stmt, 4);
  progress.capped = sqlite3_column_int64 (stmt, 5);
  progress.dead = sqlite3_column_int64 (stmt, 6);
  progress.paused = sqlite3_column_int64 (stmt, 7);
  progress.cancelled = sqlite3_column_int64 (stmt, 8);
  progress.leads_found = sqlite3_column_int64 (stmt, 9);
  progress.last_finished_at = sqlite3_column_int64 (stmt, 10);
  progress.leads_new = sqlite3_column_int64 (stmt, 11);
  sqlite3_reset (stmt);

  *out_progress = progress;
  return TRUE;
}

/* --- jobs --------------------------------------------------------------- */

/* nexus_store_job_insert() writes these columns from these parameters,
 * whether or not it looks for a pending twin first. */
#define JOB_INSERT                                                                          \
  "INSERT INTO internal_jobs (search_id, run, kind, status, priority, provider, keyword,"   \
  " cell_south, cell_west, cell_north, cell_east, depth, parent_id, payload, max_attempts," \
  " run_after, created_at, updated_at)"
#define JOB_VALUES "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?17"

/**
 * nexus_store_job_insert:
 * @out_id: (out): the new job's id, or 0 when a place_search job for the
 *   same search, keyword, depth and cell is still pending (nothing is
 *   inserted then)
 */
gboolean
nexus_store_job_insert (NexusStore         *self,
                        const NexusJobSpec *spec,
                        gint64              now,
                        gint64             *out_id,
                        GError            **error)
{
  gboolean      check_twin;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);
  g_return_val_if_fail (spec != NULL && spec->kind != NULL && spec->payload != NULL, FALSE);
  g_return_val_if_fail (spec->status == NEXUS_JOB_QUEUED || spec->status == NEXUS_JOB_PAUSED,
                        FALSE);

  check_twin = spec->search_id > 0 && spec->keyword != NULL && spec->cell != NULL;
  stmt = _nexus_store_prepare (
      self,
      check_twin ? JOB_INSERT " SELECT " JOB_VALUES
                              " WHERE NOT EXISTS (SELECT 1 FROM internal_jobs WHERE search_id = ?1"
                              " AND keyword = ?7 AND depth = ?12 AND cell_south = ?8"
                              " AND cell_west = ?9 AND cell_north = ?10 AND cell_east = ?11"
                              " AND kind = ?3 AND status IN " PENDING ")"
                 : JOB_INSERT " VALUES (" JOB_VALUES ")",
      error);
  if (stmt == NULL)
    return FALSE;

  bind_optional (stmt, 1, spec->search_id);
  sqlite3_bind_int64 (stmt, 2, MAX (spec->run, 1));
  bind_text (stmt, 3, spec->kind);
  bind_text (stmt, 4, nexus_job_status_to_string (spec->status));
  sqlite3_bind_int (stmt, 5, spec->priority);
  bind_text (stmt, 6, spec->provider);
  bind_text (stmt, 7, spec->keyword);
  if (spec->cell != NULL)
    {
      sqlite3_bind_double (stmt, 8, spec->cell->south);
      sqlite3_bind_double (stmt, 9, spec->cell->west);
      sqlite3_bind_double (stmt, 10, spec->cell->north);
      sqlite3_bind_double (stmt, 11, spec->cell->east);
    }
  sqlite3_bind_int (stmt, 12, spec->depth);
  bind_optional (stmt, 13, spec->parent_id);
  bind_text (stmt, 14, spec->payload);
  sqlite3_bind_int (stmt, 15, spec->max_attempts > 0 ? spec->max_attempts : 5);
  sqlite3_bind_int64 (stmt, 16, spec->run_after);
  sqlite3_bind_int64 (stmt, 17, now);
  if (!_nexus_store_step_done (self, stmt, "queueing a job", error))
    return FALSE;

  if (out_id != NULL)
    *out_id = sqlite3_changes64 (_nexus_store_get_db (self)) > 0
                  ? sqlite3_last_insert_rowid (_nexus_store_get_db (self))
                  : 0;
  return TRUE;
}

#undef JOB_INSERT
#undef JOB_VALUES

static int
compare_leased (gconstpointer a, gconstpointer b)
{
  const NexusLeasedJob *x = *(NexusLeasedJob *const *)a;
  const NexusLeasedJob *y = *(NexusLeasedJob *const *)b;

  if (x->priority != y->priority)
    return x->priority > y->priority ? -1 : 1;
  return x->id < y->id ? -1 : (x->id > y->id ? 1 : 0);
}

/**
 * nexus_store_job_lease:
 * @worker_id: workers.id of the lessee, or 0
 * @max: how many jobs at most (1 or more)
 * @providers: (nullable): lease only jobs of these providers; %NULL for
 *   any job.  Jobs without a provider are leased only when it is %NULL.
 * @ttl_s: lease duration
 *
 * Leases up to @max ready jobs (queued, run_after <= @now) in priority
 * order with one atomic UPDATE … RETURNING.  Needs an open transaction,
 * which should be BEGIN IMMEDIATE (nexus_store_begin()).
 *
 * Returns: (transfer full) (element-type NexusLeasedJob): the jobs, highest
 *   priority first, possibly none; %NULL with @error set on failure
 */
GPtrArray *
nexus_store_job_lease (NexusStore        *self,
                       gint64             worker_id,
                       guint              max,
                       const char *const *providers,
                       gint64             now,
                       gint64             ttl_s,
                       GError           **error)
{
  g_autoptr (GPtrArray) jobs = NULL;
  g_autofree char *filter = NULL;
  sqlite3_stmt    *stmt;

  g_return_val_if_fail (NEXUS_IS_STORE (self), NULL);
  g_return_val_if_fail (nexus_store_in_transaction (self), NULL);
  g_return_val_if_fail (max > 0, NULL);

  stmt = _nexus_store_prepare (
      self, providers != NULL ? lease_filtered_sql : (max == 1 ? lease_one_sql : lease_sql), error);
  if (stmt == NULL)
    return NULL;

  bind_optional (stmt, 1, worker_id);
  sqlite3_bind_int64 (stmt, 2, now);
  sqlite3_bind_int64 (stmt, 3, ttl_s);
  sqlite3_bind_int64 (stmt, 4, max);
  if (providers != NULL)
    {
      filter = strv_to_json (providers);
      bind_text (stmt, 5, filter);
    }

  jobs = read_rows (self, stmt, (RowReader)leased_from_row, (GDestroyNotify)nexus_leased_job_free,
                    max, "leasing jobs", error);
  if (jobs == NULL)
    return NULL;

  /* RETURNING gives rows in no promised order. */
  if (jobs->len > 1)
    g_ptr_array_sort (jobs, compare_leased);
  return g_steal_pointer (&jobs);
}

/**
 * nexus_store_job_extend:
 * @out_check: (out): whether @token held the job
 * @out_expires_at: (out): the new expiry, @now + @ttl_s, when held
 *
 * A lease that ran out but was not reaped yet is still held by its token.
 *
 * Returns: %FALSE only on a database error
 */
gboolean
nexus_store_job_extend (NexusStore      *self,
                        gint64           id,
                        const char      *token,
                        gint64           now,
                        gint64           ttl_s,
                        NexusLeaseCheck *out_check,
                        gint64          *out_expires_at,
                        GError         **error)
{
  sqlite3_stmt *stmt;
  gint64        expires_at = 0;

  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);
  g_return_val_if_fail (out_check != NULL, FALSE);

  stmt = _nexus_store_prepare (self,
                               "UPDATE internal_jobs SET lease_expires_at = ?3 + ?4,"
                               " updated_at = ?3" HELD_BY_TOKEN " RETURNING lease_expires_at",
                               error);
  if (stmt == NULL)
    return FALSE;
  bind_lease (stmt, id, token);
  sqlite3_bind_int64 (stmt, 3, now);
  sqlite3_bind_int64 (stmt, 4, ttl_s);
  if (!step_lease (self, stmt, id, read_int64, &expires_at, out_check, "extending a lease", error))
    return FALSE;
  if (*out_check == NEXUS_LEASE_HELD && out_expires_at != NULL)
    *out_expires_at = expires_at;
  return TRUE;
}

/**
 * nexus_store_job_get_leased:
 *
 * Returns: (transfer full) (nullable): the job when @token holds its lease
 *   (@out_check %NEXUS_LEASE_HELD), else %NULL with @out_check saying why;
 *   %NULL with @error set on a database error
 */
NexusJobRecord *
nexus_store_job_get_leased (NexusStore      *self,
                            gint64           id,
                            const char      *token,
                            NexusLeaseCheck *out_check,
                            GError         **error)
{
  NexusJobRecord *job = NULL;
  sqlite3_stmt   *stmt;

  g_return_val_if_fail (NEXUS_IS_STORE (self), NULL);
  g_return_val_if_fail (out_check != NULL, NULL);

  stmt =
      _nexus_store_prepare (self, "SELECT " JOB_COLUMNS " FROM internal_jobs" HELD_BY_TOKEN, error);
  if (stmt == NULL)
    return NULL;
  bind_lease (stmt, id, token);
  if (!step_lease (self, stmt, id, read_job, &job, out_check, "reading a job", error))
    g_clear_pointer (&job, nexus_job_record_free);
  return job;
}

/**
 * nexus_store_job_complete:
 * @n_results: results the worker reported for the job
 *
 * Marks a leased job done and ends its lease.  Splitting a saturated cell
 * is the caller's next step (see nexus_job_queue_complete_in_transaction()).
 *
 * Returns: (transfer full) (nullable): the job as it now is when @token
 *   held it; else %NULL with @out_check saying why, or with @error set
 */
NexusJobRecord *
nexus_store_job_complete (NexusStore      *self,
                          gint64           id,
                          const char      *token,
                          gboolean         saturated,
                          gint64           n_results,
                          gint64           now,
                          NexusLeaseCheck *out_check,
                          GError         **error)
{
  NexusJobRecord *job = NULL;
  sqlite3_stmt   *stmt;

  g_return_val_if_fail (NEXUS_IS_STORE (self), NULL);
  g_return_val_if_fail (out_check != NULL, NULL);

  stmt = _nexus_store_prepare (
      self,
      "UPDATE internal_jobs SET status = 'done', saturated = ?3,"
      " result_count = ?4, finished_at = ?5, updated_at = ?5," END_LEASE HELD_BY_TOKEN
      " RETURNING " JOB_COLUMNS,
      error);
  if (stmt == NULL)
    return NULL;
  bind_lease (stmt, id, token);
  sqlite3_bind_int (stmt, 3, saturated ? 1 : 0);
  sqlite3_bind_int64 (stmt, 4, MAX (n_results, 0));
  sqlite3_bind_int64 (stmt, 5, now);
  if (!step_lease (self, stmt, id, read_job, &job, out_check, "completing a job", error))
    g_clear_pointer (&job, nexus_job_record_free);
  return job;
}

gboolean
nexus_store_job_set_capped (NexusStore *self, gint64 id, GError **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);

  stmt = _nexus_store_prepare (self, "UPDATE internal_jobs SET capped = 1 WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  return _nexus_store_step_done (self, stmt, "marking a cell capped", error);
}

/**
 * nexus_store_job_fail:
 * @dead: %TRUE to give the job up; %FALSE to retry it at @run_after
 * @error_text: kept as the job's last_error
 * @out_status: (out): the job's status now: dead, or for a retry queued
 *   (paused or cancelled when its search is)
 *
 * Returns: %FALSE only on a database error
 */
gboolean
nexus_store_job_fail (NexusStore      *self,
                      gint64           id,
                      const char      *token,
                      gboolean         dead,
                      gint64           run_after,
                      const char      *error_text,
                      gint64           now,
                      NexusLeaseCheck *out_check,
                      NexusJobStatus  *out_status,
                      GError         **error)
{
  NexusJobStatus status = NEXUS_JOB_QUEUED;
  sqlite3_stmt  *stmt;

  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);
  g_return_val_if_fail (out_check != NULL, FALSE);

  stmt = _nexus_store_prepare (self,
                               "UPDATE internal_jobs SET"
                               " status = CASE WHEN ?3 THEN 'dead' ELSE " FOLLOW_SEARCH " END,"
                               " run_after = ?4, last_error = ?5, updated_at = ?6,"
                               " finished_at = CASE WHEN ?3 THEN ?6 END," END_LEASE HELD_BY_TOKEN
                               " RETURNING status",
                               error);
  if (stmt == NULL)
    return FALSE;
  bind_lease (stmt, id, token);
  sqlite3_bind_int (stmt, 3, dead ? 1 : 0);
  sqlite3_bind_int64 (stmt, 4, run_after);
  bind_text (stmt, 5, error_text);
  sqlite3_bind_int64 (stmt, 6, now);
  if (!step_lease (self, stmt, id, read_status, &status, out_check, "failing a job", error))
    return FALSE;
  if (*out_check == NEXUS_LEASE_HELD && out_status != NULL)
    *out_status = status;
  return TRUE;
}

/* RowFunc for nexus_store_job_reap(): counts a row of "status = 'dead'"
 * into gint64 @user_data[1] when true, else into [0]. */
static void
count_reaped (sqlite3_stmt *stmt, gpointer user_data)
{
  gint64 *reaped = user_data;

  reaped[sqlite3_column_int (stmt, 0) ? 1 : 0]++;
}

/**
 * nexus_store_job_reap:
 * @out_requeued: (out) (optional): leases returned to the queue (or to a
 *   paused search)
 * @out_dead: (out) (optional): jobs that ran out of attempts with this
 *   expiry
 *
 * Ends every lease that expired before @now, through the partial index
 * internal_jobs_lease_expiry (named: without statistics SQLite would walk
 * every leased row of internal_jobs_ready instead).  An expired lease counts as a failed attempt:
 * the job is due again at once, or dead when it has no attempt left.  Two
 * reapers never reclaim the same lease: the UPDATE is atomic and the second
 * one finds the row no longer leased.
 */
gboolean
nexus_store_job_reap (NexusStore *self,
                      gint64      now,
                      gint64     *out_requeued,
                      gint64     *out_dead,
                      GError    **error)
{
  sqlite3_stmt *stmt;
  /* [0]: requeued, [1]: dead */
  gint64 reaped[2] = { 0, 0 };

  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);

  stmt = _nexus_store_prepare (self,
                               "UPDATE internal_jobs INDEXED BY internal_jobs_lease_expiry SET"
                               " status = CASE WHEN attempts >= max_attempts THEN 'dead'"
                               " ELSE " FOLLOW_SEARCH " END,"
                               " finished_at = CASE WHEN attempts >= max_attempts THEN ?1 END,"
                               " last_error = 'lease expired before the worker reported'," END_LEASE
                               ", run_after = ?1, updated_at = ?1"
                               " WHERE status = 'leased' AND lease_expires_at < ?1"
                               " RETURNING status = 'dead'",
                               error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, now);
  if (!step_rows (self, stmt, count_reaped, reaped, "reaping expired leases", error))
    return FALSE;

  if (out_requeued != NULL)
    *out_requeued = reaped[0];
  if (out_dead != NULL)
    *out_dead = reaped[1];
  return TRUE;
}

/**
 * nexus_store_job_clamp_times:
 * @max_delay_s: the longest backoff
 *
 * After the clock went backwards, leases may expire and retries come due
 * further ahead than any lease or backoff lasts: bring them back to at most
 * @now + @ttl_s and @now + @max_delay_s.  Scans the queued rows; run it
 * only when a backwards jump was seen.
 */
gboolean
nexus_store_job_clamp_times (NexusStore *self,
                             gint64      now,
                             gint64      ttl_s,
                             gint64      max_delay_s,
                             gint64     *out_changed,
                             GError    **error)
{
  sqlite3_stmt *stmt;
  gint64        leases = 0;
  gint64        retries = 0;

  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);

  stmt = _nexus_store_prepare (self,
                               "UPDATE internal_jobs INDEXED BY internal_jobs_lease_expiry"
                               " SET lease_expires_at = ?1 + ?2"
                               " WHERE status = 'leased' AND lease_expires_at > ?1 + ?2",
                               error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, now);
  sqlite3_bind_int64 (stmt, 2, ttl_s);
  if (!step_changes (self, stmt, "checking lease times", &leases, error))
    return FALSE;

  stmt = _nexus_store_prepare (self,
                               "UPDATE internal_jobs SET run_after = ?1 + ?2"
                               " WHERE status IN ('queued', 'paused') AND run_after > ?1 + ?2",
                               error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, now);
  sqlite3_bind_int64 (stmt, 2, max_delay_s);
  if (!step_changes (self, stmt, "checking retry times", &retries, error))
    return FALSE;

  if (out_changed != NULL)
    *out_changed = leases + retries;
  return TRUE;
}

static gboolean
update_search_jobs (NexusStore *self,
                    const char *sql,
                    gint64      search_id,
                    gint64      now,
                    gint64     *out_changed,
                    GError    **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);

  if (!(stmt = _nexus_store_prepare (self, sql, error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, search_id);
  sqlite3_bind_int64 (stmt, 2, now);
  return step_changes (self, stmt, "changing a search's jobs", out_changed, error);
}

/**
 * nexus_store_job_pause_search:
 *
 * Queued jobs of the search become paused; leased ones run to their end
 * (and are paused if they come back for a retry).
 */
gboolean
nexus_store_job_pause_search (NexusStore *self,
                              gint64      search_id,
                              gint64      now,
                              gint64     *out_changed,
                              GError    **error)
{
  return update_search_jobs (self,
                             "UPDATE internal_jobs SET status = 'paused', updated_at = ?2"
                             " WHERE search_id = ?1 AND status = 'queued'",
                             search_id, now, out_changed, error);
}

gboolean
nexus_store_job_resume_search (NexusStore *self,
                               gint64      search_id,
                               gint64      now,
                               gint64     *out_changed,
                               GError    **error)
{
  return update_search_jobs (self,
                             "UPDATE internal_jobs SET status = 'queued', updated_at = ?2"
                             " WHERE search_id = ?1 AND status = 'paused'",
                             search_id, now, out_changed, error);
}

/**
 * nexus_store_job_cancel_search:
 *
 * Every pending job of the search is cancelled, leased ones included: their
 * tokens stop working, so a late report is refused.
 */
gboolean
nexus_store_job_cancel_search (NexusStore *self,
                               gint64      search_id,
                               gint64      now,
                               gint64     *out_changed,
                               GError    **error)
{
  return update_search_jobs (self, CANCEL_PENDING " WHERE search_id = ?1 AND status IN " PENDING,
                             search_id, now, out_changed, error);
}

/**
 * nexus_store_job_requeue:
 * @from: the status the job must have
 * @to: %NEXUS_JOB_QUEUED or %NEXUS_JOB_PAUSED
 * @reset_attempts: give the job all its attempts again
 * @out_changed: (out): %FALSE when the job was not in @from
 *
 * Makes a job due at @now again (operator retry).
 */
gboolean
nexus_store_job_requeue (NexusStore    *self,
                         gint64         id,
                         NexusJobStatus from,
                         NexusJobStatus to,
                         gboolean       reset_attempts,
                         gint64         now,
                         gboolean      *out_changed,
                         GError       **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);
  g_return_val_if_fail (to == NEXUS_JOB_QUEUED || to == NEXUS_JOB_PAUSED, FALSE);

  stmt = _nexus_store_prepare (self,
                               "UPDATE internal_jobs SET status = ?3,"
                               " attempts = CASE WHEN ?4 THEN 0 ELSE attempts END,"
                               " run_after = ?5, updated_at = ?5, finished_at = NULL," END_LEASE
                               " WHERE id = ?1 AND status = ?2",
                               error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  bind_text (stmt, 2, nexus_job_status_to_string (from));
  bind_text (stmt, 3, nexus_job_status_to_string (to));
  sqlite3_bind_int (stmt, 4, reset_attempts ? 1 : 0);
  sqlite3_bind_int64 (stmt, 5, now);
  return step_changed (self, stmt, "retrying a job", out_changed, error);
}

/**
 * nexus_store_job_get:
 *
 * Returns: (transfer full) (nullable): the job, or %NULL when there is none
 *   with @id (@error unset) or on error
 */
NexusJobRecord *
nexus_store_job_get (NexusStore *self, gint64 id, GError **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (NEXUS_IS_STORE (self), NULL);

  stmt =
      _nexus_store_prepare (self, "SELECT " JOB_COLUMNS " FROM internal_jobs WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  return read_one (self, stmt, (RowReader)job_from_row, "reading a job", error);
}

/* Prepares "SELECT @columns FROM internal_jobs WHERE …" for @filter, with
 * its values bound, followed by @tail.  Only fixed fragments reach the SQL
 * text: one cached statement per combination of filters. */
static sqlite3_stmt *
prepare_job_filter (NexusStore           *self,
                    const char           *columns,
                    const NexusJobFilter *filter,
                    const char           *tail,
                    GError              **error)
{
  static const NexusJobFilter all = { 0 };
  g_autoptr (GString) sql = NULL;
  NexusJobStatus status = NEXUS_JOB_QUEUED;
  gboolean       failed_only = FALSE;
  sqlite3_stmt  *stmt;

  if (filter == NULL)
    filter = &all;

  if (filter->status != NULL)
    {
      failed_only = g_str_equal (filter->status, "failed");
      if (!failed_only && !nexus_job_status_from_string (filter->status, &status))
        {
          g_set_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_INVALID,
                       _ ("Unknown job status “%s”"), filter->status);
          return NULL;
        }
    }

  sql = g_string_new ("SELECT ");
  g_string_append_printf (sql, "%s FROM internal_jobs WHERE id > ?1", columns);
  if (filter->search_id > 0)
    g_string_append (sql, " AND search_id = ?2");
  if (failed_only)
    g_string_append (sql, " AND status = 'queued' AND attempts > 0");
  else if (filter->status != NULL)
    g_string_append (sql, " AND status = ?3");
  if (filter->worker_id > 0)
    g_string_append (sql, " AND lease_worker_id = ?5");
  if (filter->kind != NULL)
    g_string_append (sql, " AND kind = ?6");
  g_string_append (sql, tail);

  if (!(stmt = _nexus_store_prepare (self, sql->str, error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, filter->after_id);
  if (filter->search_id > 0)
    sqlite3_bind_int64 (stmt, 2, filter->search_id);
  if (filter->status != NULL && !failed_only)
    bind_text (stmt, 3, nexus_job_status_to_string (status));
  if (strstr (tail, "?4") != NULL)
    sqlite3_bind_int64 (stmt, 4, filter->limit > 0 ? (gint64)filter->limit : -1);
  if (filter->worker_id > 0)
    sqlite3_bind_int64 (stmt, 5, filter->worker_id);
  if (filter->kind != NULL)
    bind_text (stmt, 6, filter->kind);
  return stmt;
}

/**
 * nexus_store_job_list:
 * @filter: (nullable): which jobs; %NULL for all
 *
 * Returns: (transfer full) (element-type NexusJobRecord): matching jobs by
 *   id, at most @filter->limit of them, or %NULL with @error set
 *   (%NEXUS_STORE_ERROR_INVALID for an unknown status name)
 */
GPtrArray *
nexus_store_job_list (NexusStore *self, const NexusJobFilter *filter, GError **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (NEXUS_IS_STORE (self), NULL);

  stmt = prepare_job_filter (self, JOB_COLUMNS, filter, " ORDER BY id LIMIT ?4", error);
  if (stmt == NULL)
    return NULL;
  return read_rows (self, stmt, (RowReader)job_from_row, (GDestroyNotify)nexus_job_record_free, 0,
                    "listing jobs", error);
}

/**
 * nexus_store_job_list_ids:
 * @filter: (nullable): which jobs; %NULL for all
 *
 * Returns: (transfer full) (element-type gint64): the ids of the jobs of
 *   @filter in order, at most @filter->limit of them
 */
GArray *
nexus_store_job_list_ids (NexusStore *self, const NexusJobFilter *filter, GError **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (NEXUS_IS_STORE (self), NULL);

  stmt = prepare_job_filter (self, "id", filter, " ORDER BY id LIMIT ?4", error);
  if (stmt == NULL)
    return NULL;
  return read_ids (self, stmt, "listing jobs", error);
}

/**
 * nexus_store_job_count:
 * @filter: (nullable): which jobs; %NULL for all; its after_id and limit
 *   are ignored
 *
 * Counts the jobs of @filter.
 */
gboolean
nexus_store_job_count (NexusStore           *self,
                       const NexusJobFilter *filter,
                       gint64               *out_count,
                       GError              **error)
{
  NexusJobFilter whole = { 0 };
  sqlite3_stmt  *stmt;

  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);

  if (filter != NULL)
    whole = *filter;
  whole.after_id = 0;
  whole.limit = 0;

  stmt = prepare_job_filter (self, "count(*)", &whole, "", error);
  if (stmt == NULL)
    return FALSE;
  return _nexus_store_step_int64 (self, stmt, out_count, "counting jobs", error);
}

/**
 * nexus_store_job_cancel:
 *
 * Cancels one pending (queued, leased or paused) job; a lease on it ends,
 * so the worker's late report gets lease_lost.  A job in another state is
 * left alone and *@out_changed is %FALSE.
 */
gboolean
nexus_store_job_cancel (NexusStore *self,
                        gint64      id,
                        gint64      now,
                        gboolean   *out_changed,
                        GError    **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);

  stmt = _nexus_store_prepare (self, CANCEL_PENDING " WHERE id = ?1 AND status IN " PENDING, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, now);
  return step_changed (self, stmt, "cancelling a job", out_changed, error);
}

/**
 * nexus_store_job_add_priority:
 * @delta: added to the job's priority
 * @max_priority: the result is kept within ±@max_priority
 *
 * Changes the priority of one job that is not finished (done, dead and
 * cancelled jobs keep theirs).
 */
gboolean
nexus_store_job_add_priority (NexusStore *self,
                              gint64      id,
                              int         delta,
                              int         max_priority,
                              gint64      now,
                              gboolean   *out_changed,
                              GError    **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);

  stmt = _nexus_store_prepare (self,
                               "UPDATE internal_jobs SET"
                               " priority = max (-?4, min (?4, priority + ?3)), updated_at = ?2"
                               " WHERE id = ?1 AND status IN " PENDING
                               " AND priority <> max (-?4, min (?4, priority + ?3))",
                               error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, now);
  sqlite3_bind_int (stmt, 3, delta);
  sqlite3_bind_int (stmt, 4, max_priority);
  return step_changed (self, stmt, "changing a job's priority", out_changed, error);
}

/**
 * nexus_store_job_count_ready:
 *
 * Counts jobs a lease at @now could take (any provider).
 */
gboolean
nexus_store_job_count_ready (NexusStore *self, gint64 now, gint64 *out_count, GError **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);

  stmt = _nexus_store_prepare (self,
                               "SELECT count(*) FROM internal_jobs"
                               " WHERE status = 'queued' AND run_after <= ?",
                               error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, now);
  return _nexus_store_step_int64 (self, stmt, out_count, "counting ready jobs", error);
}

/* --- Nominatim cache ---------------------------------------------------- */

/**
 * nexus_store_place_get:
 *
 * Returns: (transfer full) (nullable): the cached answer, or %NULL when
 *   there is none (@error unset) or on error
 */
NexusPlaceRecord *
nexus_store_place_get (NexusStore *self, const char *query_norm, GError **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (NEXUS_IS_STORE (self), NULL);
  g_return_val_if_fail (query_norm != NULL, NULL);

  stmt = _nexus_store_prepare (self,
                               "SELECT query_norm, query, display_name, geometry, bbox, fetched_at"
                               " FROM nominatim_cache WHERE query_norm = ?",
                               error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, query_norm);
  return read_one (self, stmt, (RowReader)place_from_row, "reading the place cache", error);
}

gboolean
nexus_store_place_put (NexusStore *self, const NexusPlaceRecord *place, GError **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);
  g_return_val_if_fail (place != NULL && place->query_norm != NULL && place->bbox != NULL, FALSE);

  stmt = _nexus_store_prepare (self,
                               "INSERT INTO nominatim_cache (query_norm, query, display_name,"
                               " geometry, bbox, fetched_at) VALUES (?, ?, ?, ?, ?, ?)"
                               " ON CONFLICT (query_norm) DO UPDATE SET query = excluded.query,"
                               " display_name = excluded.display_name,"
                               " geometry = excluded.geometry, bbox = excluded.bbox,"
                               " fetched_at = excluded.fetched_at",
                               error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, place->query_norm);
  bind_text (stmt, 2, place->query != NULL ? place->query : place->query_norm);
  bind_text (stmt, 3, place->display_name);
  bind_text (stmt, 4, place->geometry);
  bind_text (stmt, 5, place->bbox);
  sqlite3_bind_int64 (stmt, 6, place->fetched_at);
  return _nexus_store_step_done (self, stmt, "caching a place", error);
}
