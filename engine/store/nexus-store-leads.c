/* nexus-store-leads.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nexus-store"

#include "config.h"

#include <math.h>

#include "nexus-store-leads.h"
#include "nexus-store-private.h"

/* Metres per degree of latitude (and of longitude at the equator). */
#define METRES_PER_DEGREE 111320.0

/* The geo step looks at the nearest this many leads within the radius. */
#define MAX_NEAR_CANDIDATES 32

#define LEAD_COLUMNS                                                                         \
  "id, name, name_norm, phone_e164, phone_raw, phone_invalid, website, website_host, email," \
  " address, address_norm, city, city_norm, country, lat, lon, category, category_source,"   \
  " rating, reviews, preview_only, sightings, first_seen_at, last_seen_at, provider_category"

#define MODEL_COLUMNS \
  "id, created_at, algorithm, n_labels, n_train, n_test, accuracy, model, active"

#define CANDIDATE_COLUMNS                                                                   \
  "l.id, l.name_norm, l.address_norm, l.city_norm, l.lat, l.lon, l.phone_e164 IS NOT NULL," \
  " l.preview_only"

static char *
column_dup (sqlite3_stmt *stmt, int column)
{
  const unsigned char *text = sqlite3_column_text (stmt, column);

  return text != NULL ? g_strdup ((const char *)text) : NULL;
}

static void
bind_text (sqlite3_stmt *stmt, int index, const char *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, index);
}

static void
bind_id (sqlite3_stmt *stmt, int index, gint64 id)
{
  if (id > 0)
    sqlite3_bind_int64 (stmt, index, id);
  else
    sqlite3_bind_null (stmt, index);
}

/* Ends a read or write whose last sqlite3_step() returned @rc: resets the
 * statement (so the cache can hand it out again) and reports @rc as the
 * failure of @doing unless it is SQLITE_DONE, or SQLITE_ROW from a read of
 * one row that the caller has taken. */
static gboolean
end_step (NexusStore *store, sqlite3_stmt *stmt, int rc, const char *doing, GError **error)
{
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      _nexus_store_set_error (store, rc, error, doing);
      return FALSE;
    }
  return TRUE;
}

/* Steps a statement that returns no row and resets it. */
static gboolean
step_done (NexusStore *store, sqlite3_stmt *stmt, const char *doing, GError **error)
{
  return end_step (store, stmt, sqlite3_step (stmt), doing, error);
}

/* Reads the current row of a statement into a new struct. */
typedef gpointer (*ReadRowFunc) (sqlite3_stmt *stmt);

/* Steps a statement to its end, appending what @read makes of each row
 * to @out. */
static gboolean
collect_rows (NexusStore   *store,
              sqlite3_stmt *stmt,
              ReadRowFunc   read,
              GPtrArray    *out,
              const char   *doing,
              GError      **error)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (out, read (stmt));
  return end_step (store, stmt, rc, doing, error);
}

void
nexus_lead_row_clear (NexusLeadRow *row)
{
  g_clear_pointer (&row->name, g_free);
  g_clear_pointer (&row->name_norm, g_free);
  g_clear_pointer (&row->phone_e164, g_free);
  g_clear_pointer (&row->phone_raw, g_free);
  g_clear_pointer (&row->website, g_free);
  g_clear_pointer (&row->website_host, g_free);
  g_clear_pointer (&row->email, g_free);
  g_clear_pointer (&row->address, g_free);
  g_clear_pointer (&row->address_norm, g_free);
  g_clear_pointer (&row->city, g_free);
  g_clear_pointer (&row->city_norm, g_free);
  g_clear_pointer (&row->country, g_free);
  g_clear_pointer (&row->category, g_free);
  g_clear_pointer (&row->category_source, g_free);
  g_clear_pointer (&row->provider_category, g_free);
  memset (row, 0, sizeof *row);
  row->reviews = -1;
}

void
nexus_lead_candidate_free (NexusLeadCandidate *candidate)
{
  if (candidate == NULL)
    return;
  g_free (candidate->name_norm);
  g_free (candidate->address_norm);
  g_free (candidate->city_norm);
  g_free (candidate);
}

void
nexus_lead_source_free (NexusLeadSource *source)
{
  if (source == NULL)
    return;
  g_free (source->provider);
  g_free (source->ref);
  g_free (source->raw);
  g_free (source);
}

void
nexus_lead_phone_free (NexusLeadPhone *phone)
{
  if (phone == NULL)
    return;
  g_free (phone->e164);
  g_free (phone->type);
  g_free (phone->extension);
  g_free (phone);
}

void
nexus_category_rule_free (NexusCategoryRule *rule)
{
  if (rule == NULL)
    return;
  g_free (rule->category);
  g_free (rule->keyword);
  g_free (rule->lang);
  g_free (rule->origin);
  g_free (rule);
}

void
nexus_category_label_free (NexusCategoryLabel *label)
{
  if (label == NULL)
    return;
  g_free (label->category);
  g_free (label->text);
  g_free (label);
}

void
nexus_category_model_free (NexusCategoryModel *model)
{
  if (model == NULL)
    return;
  g_free (model->algorithm);
  g_free (model->model);
  g_free (model);
}

static void
read_row (sqlite3_stmt *stmt, NexusLeadRow *row)
{
  row->id = sqlite3_column_int64 (stmt, 0);
  row->name = column_dup (stmt, 1);
  row->name_norm = column_dup (stmt, 2);
  row->phone_e164 = column_dup (stmt, 3);
  row->phone_raw = column_dup (stmt, 4);
  row->phone_invalid = sqlite3_column_int (stmt, 5) != 0;
  row->website = column_dup (stmt, 6);
  row->website_host = column_dup (stmt, 7);
  row->email = column_dup (stmt, 8);
  row->address = column_dup (stmt, 9);
  row->address_norm = column_dup (stmt, 10);
  row->city = column_dup (stmt, 11);
  row->city_norm = column_dup (stmt, 12);
  row->country = column_dup (stmt, 13);
  row->has_location = sqlite3_column_type (stmt, 14) != SQLITE_NULL &&
                      sqlite3_column_type (stmt, 15) != SQLITE_NULL;
  row->lat = sqlite3_column_double (stmt, 14);
  row->lon = sqlite3_column_double (stmt, 15);
  row->category = column_dup (stmt, 16);
  row->category_source = column_dup (stmt, 17);
  row->has_rating = sqlite3_column_type (stmt, 18) != SQLITE_NULL;
  row->rating = sqlite3_column_double (stmt, 18);
  row->reviews =
      sqlite3_column_type (stmt, 19) != SQLITE_NULL ? sqlite3_column_int64 (stmt, 19) : -1;
  row->preview_only = sqlite3_column_int (stmt, 20) != 0;
  row->sightings = sqlite3_column_int64 (stmt, 21);
  row->first_seen_at = sqlite3_column_int64 (stmt, 22);
  row->last_seen_at = sqlite3_column_int64 (stmt, 23);
  row->provider_category = column_dup (stmt, 24);
}

/* A NexusLeadCandidate from CANDIDATE_COLUMNS (a ReadRowFunc). */
static gpointer
read_candidate (sqlite3_stmt *stmt)
{
  NexusLeadCandidate *candidate = g_new0 (NexusLeadCandidate, 1);

  candidate->id = sqlite3_column_int64 (stmt, 0);
  candidate->name_norm = column_dup (stmt, 1);
  candidate->address_norm = column_dup (stmt, 2);
  candidate->city_norm = column_dup (stmt, 3);
  candidate->has_location =
      sqlite3_column_type (stmt, 4) != SQLITE_NULL && sqlite3_column_type (stmt, 5) != SQLITE_NULL;
  candidate->lat = sqlite3_column_double (stmt, 4);
  candidate->lon = sqlite3_column_double (stmt, 5);
  candidate->has_phone = sqlite3_column_int (stmt, 6) != 0;
  candidate->preview_only = sqlite3_column_int (stmt, 7) != 0;
  return candidate;
}

/* Steps a candidate query to its end, appending to @out. */
static gboolean
collect_candidates (NexusStore *store, sqlite3_stmt *stmt, GPtrArray *out, GError **error)
{
  return collect_rows (store, stmt, read_candidate, out, "looking for matching leads", error);
}

/**
 * nexus_store_leads_get:
 * @out_row: (out caller-allocates): filled when found; clear it with
 *   nexus_lead_row_clear()
 * @out_found: set to whether the lead exists
 */
gboolean
nexus_store_leads_get (NexusStore   *store,
                       gint64        lead_id,
                       NexusLeadRow *out_row,
                       gboolean     *out_found,
                       GError      **error)
{
  sqlite3_stmt *stmt;
  int           rc;

  *out_found = FALSE;
  stmt = _nexus_store_prepare (store, "SELECT " LEAD_COLUMNS " FROM leads WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, lead_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      read_row (stmt, out_row);
      *out_found = TRUE;
    }
  return end_step (store, stmt, rc, "reading a lead", error);
}

/* The columns of a lead the pipeline rewrites on every report of it, in
 * the order bind_lead_owned() binds them.  The leads_fts and leads_geo
 * triggers watch none of them, so updating them costs no re-indexing. */
#define LEAD_OWNED_COLUMNS                                                              \
  "name, phone_e164, phone_raw, phone_invalid, website, website_host, email, country,"  \
  " rating, reviews, preview_only, sightings, first_seen_at, last_seen_at, updated_at," \
  " provider_category"
#define LEAD_N_OWNED_COLUMNS 16

/* The columns the full-text index and the R*Tree are built from, in the
 * order bind_lead_searchable() binds them.  The update writes them only
 * when one changed, since writing them fires the re-indexing triggers. */
#define LEAD_SEARCHABLE_COLUMNS                                                        \
  "name_norm, address, address_norm, city, city_norm, category, category_source, lat," \
  " lon"

/* Binds LEAD_OWNED_COLUMNS from @row to the parameters @first and on
 * (updated_at to @now).  Insert and update share it, so a column can
 * never be written differently by the two. */
static void
bind_lead_owned (sqlite3_stmt *stmt, int first, const NexusLeadRow *row, gint64 now)
{
  int i = first;

  bind_text (stmt, i++, row->name);
  bind_text (stmt, i++, row->phone_e164);
  bind_text (stmt, i++, row->phone_raw);
  sqlite3_bind_int (stmt, i++, row->phone_invalid);
  bind_text (stmt, i++, row->website);
  bind_text (stmt, i++, row->website_host);
  bind_text (stmt, i++, row->email);
  bind_text (stmt, i++, row->country);
  if (row->has_rating)
    sqlite3_bind_double (stmt, i++, row->rating);
  else
    sqlite3_bind_null (stmt, i++);
  if (row->reviews >= 0)
    sqlite3_bind_int64 (stmt, i++, row->reviews);
  else
    sqlite3_bind_null (stmt, i++);
  sqlite3_bind_int (stmt, i++, row->preview_only);
  sqlite3_bind_int64 (stmt, i++, row->sightings);
  sqlite3_bind_int64 (stmt, i++, row->first_seen_at);
  sqlite3_bind_int64 (stmt, i++, row->last_seen_at);
  sqlite3_bind_int64 (stmt, i++, now);
  bind_text (stmt, i++, row->provider_category);
  g_assert (i - first == LEAD_N_OWNED_COLUMNS);
}

/* Binds LEAD_SEARCHABLE_COLUMNS from @row to the parameters @first and on.
 * name_norm is NOT NULL in the schema: a lead without one is stored with
 * "". */
static void
bind_lead_searchable (sqlite3_stmt *stmt, int first, const NexusLeadRow *row)
{
  int i = first;

  bind_text (stmt, i++, row->name_norm != NULL ? row->name_norm : "");
  bind_text (stmt, i++, row->address);
  bind_text (stmt, i++, row->address_norm);
  bind_text (stmt, i++, row->city);
  bind_text (stmt, i++, row->city_norm);
  bind_text (stmt, i++, row->category);
  bind_text (stmt, i++, row->category_source);
  if (row->has_location)
    {
      sqlite3_bind_double (stmt, i++, row->lat);
      sqlite3_bind_double (stmt, i++, row->lon);
    }
  else
    {
      sqlite3_bind_null (stmt, i++);
      sqlite3_bind_null (stmt, i++);
    }
}

/**
 * nexus_store_leads_insert:
 * @row: the lead; row->id is set to the new id.  first_seen_at and
 *   last_seen_at default to @now when 0, sightings to 1.
 *
 * Inserts a lead (the triggers add it to the R*Tree and the FTS index).
 */
gboolean
nexus_store_leads_insert (NexusStore *store, NexusLeadRow *row, gint64 now, GError **error)
{
  sqlite3_stmt *stmt;

  stmt = _nexus_store_prepare (store,
                               "INSERT INTO leads (" LEAD_OWNED_COLUMNS ", " LEAD_SEARCHABLE_COLUMNS
                               ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
                               " ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)",
                               error);
  if (stmt == NULL)
    return FALSE;

  if (row->first_seen_at == 0)
    row->first_seen_at = now;
  if (row->last_seen_at == 0)
    row->last_seen_at = now;
  if (row->sightings <= 0)
    row->sightings = 1;

  bind_lead_owned (stmt, 1, row, now);
  bind_lead_searchable (stmt, 1 + LEAD_N_OWNED_COLUMNS, row);
  if (!step_done (store, stmt, "adding a lead", error))
    return FALSE;

  row->id = sqlite3_last_insert_rowid (_nexus_store_get_db (store));
  return TRUE;
}

/**
 * nexus_store_leads_update:
 * @row: the lead as it should be (row->id names it)
 * @searchable_changed: %TRUE when name_norm, address, address_norm, city,
 *   city_norm, category, category_source, lat or lon changed; only then are
 *   those columns written (which re-indexes the lead in FTS and R*Tree)
 *
 * Writes every column the pipeline owns; status, agent, notes stay.
 */
gboolean
nexus_store_leads_update (NexusStore         *store,
                          const NexusLeadRow *row,
                          gboolean            searchable_changed,
                          gint64              now,
                          GError            **error)
{
  sqlite3_stmt *stmt;

  /* Row-value assignments, so both statements name their columns through
   * the same lists the insert uses. */
  stmt = _nexus_store_prepare (store,
                               "UPDATE leads SET (" LEAD_OWNED_COLUMNS ") = (?2, ?3, ?4, ?5, ?6,"
                               " ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17) WHERE id = ?1",
                               error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, row->id);
  bind_lead_owned (stmt, 2, row, now);
  if (!step_done (store, stmt, "updating a lead", error))
    return FALSE;

  if (!searchable_changed)
    return TRUE;

  stmt = _nexus_store_prepare (store,
                               "UPDATE leads SET (" LEAD_SEARCHABLE_COLUMNS ") = (?2, ?3, ?4, ?5,"
                               " ?6, ?7, ?8, ?9, ?10) WHERE id = ?1",
                               error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, row->id);
  bind_lead_searchable (stmt, 2, row);
  return step_done (store, stmt, "updating a lead", error);
}

gboolean
nexus_store_leads_delete (NexusStore *store, gint64 lead_id, GError **error)
{
  sqlite3_stmt *stmt = _nexus_store_prepare (store, "DELETE FROM leads WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, lead_id);
  return step_done (store, stmt, "removing a lead", error);
}

/**
 * nexus_store_leads_get_candidate:
 * @out_candidate: (out) (transfer full) (nullable): the lead, or %NULL when
 *   there is none with @lead_id
 */
gboolean
nexus_store_leads_get_candidate (NexusStore          *store,
                                 gint64               lead_id,
                                 NexusLeadCandidate **out_candidate,
                                 GError             **error)
{
  sqlite3_stmt *stmt;
  int           rc;

  *out_candidate = NULL;
  stmt = _nexus_store_prepare (store, "SELECT " CANDIDATE_COLUMNS " FROM leads l WHERE l.id = ?",
                               error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, lead_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *out_candidate = read_candidate (stmt);
  return end_step (store, stmt, rc, "reading a lead", error);
}

/**
 * nexus_store_leads_find_near:
 * @out_candidates: (element-type NexusLeadCandidate): receives the leads
 *   within about @radius_m of the point (an equirectangular distance on the
 *   R*Tree's coordinates, good to a metre at these distances; the caller
 *   checks the exact one), nearest first, at most 32
 *
 * Uses the leads_geo R*Tree; a lead row is read only for points inside the
 * circle.
 */
gboolean
nexus_store_leads_find_near (NexusStore *store,
                             double      lat,
                             double      lon,
                             double      radius_m,
                             GPtrArray  *out_candidates,
                             GError    **error)
{
  double        scale = MAX (cos (lat * G_PI / 180.0), 0.01);
  double        dlat = radius_m / METRES_PER_DEGREE;
  double        dlon = radius_m / (METRES_PER_DEGREE * scale);
  sqlite3_stmt *stmt;

  /* The nearest points first, found in the R*Tree alone; lead rows are
   * read for those only (a dense downtown has hundreds in the circle). */
  stmt = _nexus_store_prepare (store,
                               "SELECT " CANDIDATE_COLUMNS " FROM"
                               " (SELECT id, (min_lat - ?5) * (min_lat - ?5)"
                               " + (min_lon - ?6) * ?7 * (min_lon - ?6) * ?7 AS d2"
                               " FROM leads_geo WHERE max_lat >= ?1 AND min_lat <= ?2"
                               " AND max_lon >= ?3 AND min_lon <= ?4"
                               " AND d2 <= ?8 * ?8 ORDER BY d2 LIMIT ?9) g"
                               " JOIN leads l ON l.id = g.id ORDER BY g.d2",
                               error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_double (stmt, 1, lat - dlat);
  sqlite3_bind_double (stmt, 2, lat + dlat);
  sqlite3_bind_double (stmt, 3, lon - dlon);
  sqlite3_bind_double (stmt, 4, lon + dlon);
  sqlite3_bind_double (stmt, 5, lat);
  sqlite3_bind_double (stmt, 6, lon);
  sqlite3_bind_double (stmt, 7, scale);
  /* In degrees of latitude, with a margin for the R*Tree's 32-bit floats. */
  sqlite3_bind_double (stmt, 8, dlat * 1.01);
  sqlite3_bind_int (stmt, 9, MAX_NEAR_CANDIDATES);
  return collect_candidates (store, stmt, out_candidates, error);
}

/**
 * nexus_store_leads_find_by_address:
 * @without_location_only: only leads without coordinates (for a record
 *   that has coordinates, the others are found by nexus_store_leads_find_near())
 * @out_candidates: (element-type NexusLeadCandidate): receives the leads
 *   with exactly this address_norm and city_norm, at most 200
 */
gboolean
nexus_store_leads_find_by_address (NexusStore *store,
                                   const char *address_norm,
                                   const char *city_norm,
                                   gboolean    without_location_only,
                                   GPtrArray  *out_candidates,
                                   GError    **error)
{
  sqlite3_stmt *stmt;

  /* Both forms are answered by the leads_address index (address_norm,
   * city_norm, lat) before any row is read. */
  stmt = _nexus_store_prepare (store,
                               without_location_only
                                   ? "SELECT " CANDIDATE_COLUMNS " FROM leads l"
                                     " WHERE l.address_norm = ?1 AND l.city_norm = ?2"
                                     " AND l.lat IS NULL LIMIT 200"
                                   : "SELECT " CANDIDATE_COLUMNS " FROM leads l"
                                     " WHERE l.address_norm = ?1 AND l.city_norm = ?2 LIMIT 200",
                               error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, address_norm);
  bind_text (stmt, 2, city_norm);
  return collect_candidates (store, stmt, out_candidates, error);
}

/**
 * nexus_store_leads_find_by_phone:
 * @out_candidates: (element-type NexusLeadCandidate): receives the leads
 *   answering on @e164 (more than one only for a shared switchboard)
 */
gboolean
nexus_store_leads_find_by_phone (NexusStore *store,
                                 const char *e164,
                                 GPtrArray  *out_candidates,
                                 GError    **error)
{
  sqlite3_stmt *stmt;

  stmt = _nexus_store_prepare (store,
                               "SELECT " CANDIDATE_COLUMNS " FROM lead_phones p"
                               " JOIN leads l ON l.id = p.lead_id WHERE p.e164 = ? LIMIT 200",
                               error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, e164);
  return collect_candidates (store, stmt, out_candidates, error);
}

/**
 * nexus_store_leads_add_phone:
 *
 * Records that @lead_id answers on @e164; nothing happens when it already
 * does.
 */
gboolean
nexus_store_leads_add_phone (NexusStore *store,
                             gint64      lead_id,
                             const char *e164,
                             const char *type,
                             const char *extension,
                             GError    **error)
{
  sqlite3_stmt *stmt;

  stmt = _nexus_store_prepare (store,
                               "INSERT OR IGNORE INTO lead_phones (e164, lead_id, type, extension)"
                               " VALUES (?, ?, ?, ?)",
                               error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, e164);
  sqlite3_bind_int64 (stmt, 2, lead_id);
  bind_text (stmt, 3, type);
  bind_text (stmt, 4, extension);
  return step_done (store, stmt, "adding a phone number", error);
}

/* A NexusLeadPhone from (e164, type, extension) (a ReadRowFunc). */
static gpointer
read_phone (sqlite3_stmt *stmt)
{
  NexusLeadPhone *phone = g_new0 (NexusLeadPhone, 1);

  phone->e164 = column_dup (stmt, 0);
  phone->type = column_dup (stmt, 1);
  phone->extension = column_dup (stmt, 2);
  return phone;
}

/**
 * nexus_store_leads_list_phones:
 * @out_phones: (element-type NexusLeadPhone): receives the numbers, by
 *   E.164
 */
gboolean
nexus_store_leads_list_phones (NexusStore *store,
                               gint64      lead_id,
                               GPtrArray  *out_phones,
                               GError    **error)
{
  sqlite3_stmt *stmt;

  stmt = _nexus_store_prepare (store,
                               "SELECT e164, type, extension FROM lead_phones WHERE lead_id = ?"
                               " ORDER BY e164",
                               error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, lead_id);
  return collect_rows (store, stmt, read_phone, out_phones, "reading phone numbers", error);
}

gboolean
nexus_store_leads_delete_phones (NexusStore *store, gint64 lead_id, GError **error)
{
  sqlite3_stmt *stmt =
      _nexus_store_prepare (store, "DELETE FROM lead_phones WHERE lead_id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, lead_id);
  return step_done (store, stmt, "removing phone numbers", error);
}

/**
 * nexus_store_leads_find_source:
 * @out_source_id: set to the source's id, or 0 when (@provider, @ref) is new
 * @out_lead_id: set to the lead it belongs to, or 0
 */
gboolean
nexus_store_leads_find_source (NexusStore *store,
                               const char *provider,
                               const char *ref,
                               gint64     *out_source_id,
                               gint64     *out_lead_id,
                               GError    **error)
{
  sqlite3_stmt *stmt;
  int           rc;

  *out_source_id = 0;
  *out_lead_id = 0;
  stmt = _nexus_store_prepare (
      store, "SELECT id, lead_id FROM lead_sources WHERE provider = ? AND ref = ?", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, provider);
  bind_text (stmt, 2, ref);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *out_source_id = sqlite3_column_int64 (stmt, 0);
      *out_lead_id = sqlite3_column_int64 (stmt, 1);
    }
  return end_step (store, stmt, rc, "looking up a lead source", error);
}

gboolean
nexus_store_leads_insert_source (NexusStore *store,
                                 gint64      lead_id,
                                 const char *provider,
                                 const char *ref,
                                 gint64      job_id,
                                 gint64      worker_id,
                                 const char *raw,
                                 gint64      now,
                                 gint64     *out_source_id,
                                 GError    **error)
{
  sqlite3_stmt *stmt;

  stmt =
      _nexus_store_prepare (store,
                            "INSERT INTO lead_sources (lead_id, provider, ref, job_id, worker_id,"
                            " raw, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, lead_id);
  bind_text (stmt, 2, provider);
  bind_text (stmt, 3, ref);
  bind_id (stmt, 4, job_id);
  bind_id (stmt, 5, worker_id);
  bind_text (stmt, 6, raw);
  sqlite3_bind_int64 (stmt, 7, now);
  sqlite3_bind_int64 (stmt, 8, now);
  if (!step_done (store, stmt, "adding a lead source", error))
    return FALSE;
  if (out_source_id != NULL)
    *out_source_id = sqlite3_last_insert_rowid (_nexus_store_get_db (store));
  return TRUE;
}

/**
 * nexus_store_leads_touch_source:
 * @raw: (nullable): the record as reported this time (kept as the newest
 *   raw payload), or %NULL to keep the stored one
 *
 * Counts one more sighting of a known source.
 */
gboolean
nexus_store_leads_touch_source (NexusStore *store,
                                gint64      source_id,
                                const char *raw,
                                gint64      now,
                                GError    **error)
{
  sqlite3_stmt *stmt;

  stmt = _nexus_store_prepare (store,
                               "UPDATE lead_sources SET sightings = sightings + 1,"
                               " last_seen_at = max(last_seen_at, ?2), raw = coalesce(?3, raw)"
                               " WHERE id = ?1",
                               error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, source_id);
  sqlite3_bind_int64 (stmt, 2, now);
  bind_text (stmt, 3, raw);
  return step_done (store, stmt, "updating a lead source", error);
}

/* A NexusLeadSource from (id, lead_id, provider, ref, job_id, worker_id,
 * raw, sightings, first_seen_at, last_seen_at) (a ReadRowFunc). */
static gpointer
read_source (sqlite3_stmt *stmt)
{
  NexusLeadSource *source = g_new0 (NexusLeadSource, 1);

  source->id = sqlite3_column_int64 (stmt, 0);
  source->lead_id = sqlite3_column_int64 (stmt, 1);
  source->provider = column_dup (stmt, 2);
  source->ref = column_dup (stmt, 3);
  source->job_id = sqlite3_column_int64 (stmt, 4);
  source->worker_id = sqlite3_column_int64 (stmt, 5);
  source->raw = column_dup (stmt, 6);
  source->sightings = sqlite3_column_int64 (stmt, 7);
  source->first_seen_at = sqlite3_column_int64 (stmt, 8);
  source->last_seen_at = sqlite3_column_int64 (stmt, 9);
  return source;
}

/**
 * nexus_store_leads_list_sources:
 * @out_sources: (element-type NexusLeadSource): receives the lead's
 *   sources, oldest first
 */
gboolean
nexus_store_leads_list_sources (NexusStore *store,
                                gint64      lead_id,
                                GPtrArray  *out_sources,
                                GError    **error)
{
  sqlite3_stmt *stmt;

  stmt = _nexus_store_prepare (store,
                               "SELECT id, lead_id, provider, ref, job_id, worker_id, raw,"
                               " sightings, first_seen_at, last_seen_at FROM lead_sources"
                               " WHERE lead_id = ? ORDER BY first_seen_at, id",
                               error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, lead_id);
  return collect_rows (store, stmt, read_source, out_sources, "reading lead sources", error);
}

gboolean
nexus_store_leads_set_source_lead (NexusStore *store,
                                   gint64      source_id,
                                   gint64      lead_id,
                                   GError    **error)
{
  sqlite3_stmt *stmt;

  stmt = _nexus_store_prepare (store, "UPDATE lead_sources SET lead_id = ?2 WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, source_id);
  sqlite3_bind_int64 (stmt, 2, lead_id);
  return step_done (store, stmt, "moving a lead source", error);
}

/**
 * nexus_store_leads_move_children:
 *
 * Moves everything that hangs off @from_lead_id to @to_lead_id: sources,
 * phone numbers, assignments and the operator's label (unless the target
 * has its own).  The caller then deletes @from_lead_id.
 */
gboolean
nexus_store_leads_move_children (NexusStore *store,
                                 gint64      from_lead_id,
                                 gint64      to_lead_id,
                                 GError    **error)
{
  static const char *const statements[] = {
    "UPDATE lead_sources SET lead_id = ?2 WHERE lead_id = ?1",
    "INSERT OR IGNORE INTO lead_phones (e164, lead_id, type, extension)"
    " SELECT e164, ?2, type, extension FROM lead_phones WHERE lead_id = ?1",
    "DELETE FROM lead_phones WHERE lead_id = ?1",
    "UPDATE assignments SET lead_id = ?2 WHERE lead_id = ?1",
    "UPDATE OR IGNORE category_labels SET lead_id = ?2 WHERE lead_id = ?1",
  };

  for (guint i = 0; i < G_N_ELEMENTS (statements); i++)
    {
      sqlite3_stmt *stmt = _nexus_store_prepare (store, statements[i], error);

      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, from_lead_id);
      if (sqlite3_bind_parameter_count (stmt) >= 2)
        sqlite3_bind_int64 (stmt, 2, to_lead_id);
      if (!step_done (store, stmt, "merging leads", error))
        return FALSE;
    }
  return TRUE;
}

gboolean
nexus_store_leads_log_merge (NexusStore *store,
                             const char *kind,
                             gint64      lead_id,
                             gint64      other_lead_id,
                             const char *actor,
                             const char *details,
                             gint64      now,
                             GError    **error)
{
  sqlite3_stmt *stmt;

  stmt = _nexus_store_prepare (store,
                               "INSERT INTO lead_merges (at, kind, lead_id, other_lead_id, actor,"
                               " details) VALUES (?, ?, ?, ?, ?, ?)",
                               error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, now);
  bind_text (stmt, 2, kind);
  sqlite3_bind_int64 (stmt, 3, lead_id);
  sqlite3_bind_int64 (stmt, 4, other_lead_id);
  bind_text (stmt, 5, actor != NULL ? actor : "nexus");
  bind_text (stmt, 6, details);
  return step_done (store, stmt, "recording a merge", error);
}

/**
 * nexus_store_leads_set_distinct:
 * @distinct: %TRUE to record that @a and @b are different businesses,
 *   %FALSE to forget it
 */
gboolean
nexus_store_leads_set_distinct (NexusStore *store,
                                gint64      a,
                                gint64      b,
                                gboolean    distinct,
                                GError    **error)
{
  sqlite3_stmt *stmt;

  stmt = _nexus_store_prepare (store,
                               distinct ? "INSERT OR IGNORE INTO lead_distinct (a, b) VALUES (?, ?)"
                                        : "DELETE FROM lead_distinct WHERE a = ? AND b = ?",
                               error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, MIN (a, b));
  sqlite3_bind_int64 (stmt, 2, MAX (a, b));
  return step_done (store, stmt, "recording distinct leads", error);
}

gboolean
nexus_store_leads_is_distinct (NexusStore *store,
                               gint64      a,
                               gint64      b,
                               gboolean   *out_distinct,
                               GError    **error)
{
  sqlite3_stmt *stmt;
  int           rc;

  *out_distinct = FALSE;
  stmt = _nexus_store_prepare (store, "SELECT 1 FROM lead_distinct WHERE a = ? AND b = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, MIN (a, b));
  sqlite3_bind_int64 (stmt, 2, MAX (a, b));
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *out_distinct = TRUE;
  return end_step (store, stmt, rc, "reading distinct leads", error);
}

/**
 * nexus_store_leads_enqueue_enrich:
 *
 * Queues an internal job of kind 'enrich' for a preview-only lead, with the
 * payload {"lead_id","website","name","country"} (nulls kept).  The queue
 * leases it like any other job.
 */
gboolean
nexus_store_leads_enqueue_enrich (NexusStore *store,
                                  gint64      lead_id,
                                  const char *website,
                                  const char *name,
                                  const char *country,
                                  gint64      now,
                                  GError    **error)
{
  sqlite3_stmt *stmt;

  stmt = _nexus_store_prepare (store,
                               "INSERT INTO internal_jobs (kind, status, payload, created_at,"
                               " updated_at) VALUES ('enrich', 'queued', json_object('lead_id', ?1,"
                               " 'website', ?2, 'name', ?3, 'country', ?4), ?5, ?5)",
                               error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, lead_id);
  bind_text (stmt, 2, website);
  bind_text (stmt, 3, name);
  bind_text (stmt, 4, country);
  sqlite3_bind_int64 (stmt, 5, now);
  return step_done (store, stmt, "queueing an enrichment job", error);
}

/* Prepares a walk over a whole table outside the store's statement cache:
 * the walk's callback may itself read through cached statements, one of
 * which could otherwise be this one, still stepping.  Free it with
 * sqlite3_finalize(). */
static sqlite3_stmt *
prepare_walk (NexusStore *store, const char *sql, const char *doing, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  int           rc = sqlite3_prepare_v2 (_nexus_store_get_db (store), sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      _nexus_store_set_error (store, rc, error, doing);
      return NULL;
    }
  return stmt;
}

/**
 * nexus_store_leads_foreach:
 * @func: called for each lead in id order; returning %FALSE (with its
 *   error set) stops the walk
 *
 * Walks the whole vault with one statement, one row in memory at a time.
 */
gboolean
nexus_store_leads_foreach (NexusStore      *store,
                           NexusLeadRowFunc func,
                           gpointer         user_data,
                           GError         **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = prepare_walk (store, "SELECT " LEAD_COLUMNS " FROM leads ORDER BY id", "reading leads",
                       error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_auto (NexusLeadRow) row = { 0 };

      read_row (stmt, &row);
      if (!func (&row, user_data, error))
        return FALSE;
    }
  return end_step (store, stmt, rc, "reading leads", error);
}

/**
 * nexus_store_leads_foreach_source:
 * @func: called for each source ordered by lead and id (raw is %NULL here:
 *   the walk is for listings)
 */
gboolean
nexus_store_leads_foreach_source (NexusStore         *store,
                                  NexusLeadSourceFunc func,
                                  gpointer            user_data,
                                  GError            **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = prepare_walk (store,
                       "SELECT id, lead_id, provider, ref, job_id, worker_id, NULL,"
                       " sightings, first_seen_at, last_seen_at FROM lead_sources"
                       " ORDER BY lead_id, id",
                       "reading lead sources", error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr (NexusLeadSource) source = read_source (stmt);

      if (!func (source, user_data, error))
        return FALSE;
    }
  return end_step (store, stmt, rc, "reading lead sources", error);
}

/**
 * nexus_store_leads_page:
 * @after_id: 0, or the last id of the previous page
 * @out_rows: (element-type NexusLeadRow): receives up to @limit leads with
 *   ids above @after_id, in id order (a keyset page)
 */
gboolean
nexus_store_leads_page (NexusStore *store,
                        gint64      after_id,
                        guint       limit,
                        GArray     *out_rows,
                        GError    **error)
{
  sqlite3_stmt *stmt;
  int           rc;

  stmt = _nexus_store_prepare (
      store, "SELECT " LEAD_COLUMNS " FROM leads WHERE id > ? ORDER BY id LIMIT ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, after_id);
  sqlite3_bind_int (stmt, 2, (int)limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      NexusLeadRow row = { 0 };

      read_row (stmt, &row);
      g_array_append_val (out_rows, row);
    }
  return end_step (store, stmt, rc, "reading leads", error);
}

gboolean
nexus_store_leads_set_category (NexusStore *store,
                                gint64      lead_id,
                                const char *category,
                                const char *category_source,
                                gint64      now,
                                GError    **error)
{
  sqlite3_stmt *stmt;

  stmt =
      _nexus_store_prepare (store,
                            "UPDATE leads SET category = ?2, category_source = ?3, updated_at = ?4"
                            " WHERE id = ?1",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, lead_id);
  bind_text (stmt, 2, category);
  bind_text (stmt, 3, category != NULL ? category_source : NULL);
  sqlite3_bind_int64 (stmt, 4, now);
  return step_done (store, stmt, "setting a category", error);
}

/* A NexusCategoryRule from (id, category, keyword, lang, weight, origin,
 * enabled) (a ReadRowFunc). */
static gpointer
read_rule (sqlite3_stmt *stmt)
{
  NexusCategoryRule *rule = g_new0 (NexusCategoryRule, 1);

  rule->id = sqlite3_column_int64 (stmt, 0);
  rule->category = column_dup (stmt, 1);
  rule->keyword = column_dup (stmt, 2);
  rule->lang = column_dup (stmt, 3);
  rule->weight = sqlite3_column_double (stmt, 4);
  rule->origin = column_dup (stmt, 5);
  rule->enabled = sqlite3_column_int (stmt, 6) != 0;
  return rule;
}

/**
 * nexus_store_leads_list_rules:
 * @out_rules: (element-type NexusCategoryRule): receives the rules by id
 */
gboolean
nexus_store_leads_list_rules (NexusStore *store,
                              gboolean    enabled_only,
                              GPtrArray  *out_rules,
                              GError    **error)
{
  sqlite3_stmt *stmt;

  stmt = _nexus_store_prepare (store,
                               enabled_only
                                   ? "SELECT id, category, keyword, lang, weight, origin, enabled"
                                     " FROM category_rules WHERE enabled ORDER BY id"
                                   : "SELECT id, category, keyword, lang, weight, origin, enabled"
                                     " FROM category_rules ORDER BY id",
                               error);
  if (stmt == NULL)
    return FALSE;
  return collect_rows (store, stmt, read_rule, out_rules, "reading category rules", error);
}

/**
 * nexus_store_leads_add_rule:
 *
 * Adds a rule, or replaces the weight, language and origin of the rule with
 * the same category and keyword (and enables it again).
 */
gboolean
nexus_store_leads_add_rule (NexusStore *store,
                            const char *category,
                            const char *keyword,
                            const char *lang,
                            double      weight,
                            const char *origin,
                            gint64      now,
                            gint64     *out_rule_id,
                            GError    **error)
{
  sqlite3_stmt *stmt;
  int           rc;

  stmt =
      _nexus_store_prepare (store,
                            "INSERT INTO category_rules (category, keyword, lang, weight, origin,"
                            " created_at) VALUES (?, ?, ?, ?, ?, ?)"
                            " ON CONFLICT (category, keyword) DO UPDATE SET"
                            " lang = excluded.lang, weight = excluded.weight,"
                            " origin = excluded.origin, enabled = 1 RETURNING id",
                            error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, category);
  bind_text (stmt, 2, keyword);
  bind_text (stmt, 3, lang != NULL ? lang : "");
  sqlite3_bind_double (stmt, 4, weight);
  bind_text (stmt, 5, origin != NULL ? origin : "operator");
  sqlite3_bind_int64 (stmt, 6, now);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      if (out_rule_id != NULL)
        *out_rule_id = sqlite3_column_int64 (stmt, 0);
      rc = sqlite3_step (stmt);
    }
  return end_step (store, stmt, rc, "adding a category rule", error);
}

gboolean
nexus_store_leads_set_rule_enabled (NexusStore *store,
                                    gint64      rule_id,
                                    gboolean    enabled,
                                    GError    **error)
{
  sqlite3_stmt *stmt;

  stmt =
      _nexus_store_prepare (store, "UPDATE category_rules SET enabled = ?2 WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, rule_id);
  sqlite3_bind_int (stmt, 2, enabled ? 1 : 0);
  return step_done (store, stmt, "changing a category rule", error);
}

gboolean
nexus_store_leads_delete_rule (NexusStore *store, gint64 rule_id, GError **error)
{
  sqlite3_stmt *stmt =
      _nexus_store_prepare (store, "DELETE FROM category_rules WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, rule_id);
  return step_done (store, stmt, "removing a category rule", error);
}

static gboolean
query_int64 (NexusStore *store,
             const char *sql,
             gint64     *out_value,
             const char *doing,
             GError    **error)
{
  sqlite3_stmt *stmt = _nexus_store_prepare (store, sql, error);
  int           rc;

  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *out_value = sqlite3_column_int64 (stmt, 0);
  return end_step (store, stmt, rc, doing, error);
}

gboolean
nexus_store_leads_count_rules (NexusStore *store, gint64 *out_count, GError **error)
{
  *out_count = 0;
  return query_int64 (store, "SELECT count(*) FROM category_rules", out_count,
                      "counting category rules", error);
}

/**
 * nexus_store_leads_set_label:
 * @text: what the model learns from (normalized name and provider
 *   category, as the classifier builds it)
 *
 * Records an operator's category for a lead (replacing an earlier label of
 * the same lead) and sets it on the lead with category_source 'operator'.
 */
gboolean
nexus_store_leads_set_label (NexusStore *store,
                             gint64      lead_id,
                             const char *category,
                             const char *text,
                             const char *actor,
                             gint64      now,
                             GError    **error)
{
  sqlite3_stmt *stmt;

  stmt = _nexus_store_prepare (store,
                               "INSERT INTO category_labels (lead_id, category, text, actor,"
                               " labeled_at) VALUES (?1, ?2, ?3, ?4, ?5)"
                               " ON CONFLICT (lead_id) DO UPDATE SET category = excluded.category,"
                               " text = excluded.text, actor = excluded.actor,"
                               " labeled_at = excluded.labeled_at",
                               error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, lead_id);
  bind_text (stmt, 2, category);
  bind_text (stmt, 3, text != NULL ? text : "");
  bind_text (stmt, 4, actor != NULL ? actor : "operator");
  sqlite3_bind_int64 (stmt, 5, now);
  if (!step_done (store, stmt, "recording a category label", error))
    return FALSE;

  return nexus_store_leads_set_category (store, lead_id, category, "operator", now, error);
}

/* A NexusCategoryLabel from (id, lead_id, category, text) (a ReadRowFunc). */
static gpointer
read_label (sqlite3_stmt *stmt)
{
  NexusCategoryLabel *label = g_new0 (NexusCategoryLabel, 1);

  label->id = sqlite3_column_int64 (stmt, 0);
  label->lead_id = sqlite3_column_int64 (stmt, 1);
  label->category = column_dup (stmt, 2);
  label->text = column_dup (stmt, 3);
  return label;
}

/**
 * nexus_store_leads_list_labels:
 * @out_labels: (element-type NexusCategoryLabel): receives every label by id
 */
gboolean
nexus_store_leads_list_labels (NexusStore *store, GPtrArray *out_labels, GError **error)
{
  sqlite3_stmt *stmt;

  stmt = _nexus_store_prepare (
      store, "SELECT id, lead_id, category, text FROM category_labels ORDER BY id", error);
  if (stmt == NULL)
    return FALSE;
  return collect_rows (store, stmt, read_label, out_labels, "reading category labels", error);
}

gboolean
nexus_store_leads_label_stats (NexusStore *store,
                               gint64     *out_count,
                               gint64     *out_last_labeled_at,
                               GError    **error)
{
  *out_count = 0;
  *out_last_labeled_at = 0;
  return query_int64 (store, "SELECT count(*) FROM category_labels", out_count,
                      "counting category labels", error) &&
         query_int64 (store, "SELECT coalesce(max(labeled_at), 0) FROM category_labels",
                      out_last_labeled_at, "counting category labels", error);
}

/**
 * nexus_store_leads_add_model:
 * @model: the version to store (id ignored); when model->active, every
 *   other version is made inactive
 */
gboolean
nexus_store_leads_add_model (NexusStore               *store,
                             const NexusCategoryModel *model,
                             gint64                   *out_model_id,
                             GError                  **error)
{
  sqlite3_stmt *stmt;

  if (model->active)
    {
      stmt =
          _nexus_store_prepare (store, "UPDATE category_models SET active = 0 WHERE active", error);
      if (stmt == NULL || !step_done (store, stmt, "storing a model", error))
        return FALSE;
    }

  stmt = _nexus_store_prepare (store,
                               "INSERT INTO category_models (created_at, algorithm, n_labels,"
                               " n_train, n_test, accuracy, model, active)"
                               " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                               error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, model->created_at);
  bind_text (stmt, 2, model->algorithm);
  sqlite3_bind_int64 (stmt, 3, model->n_labels);
  sqlite3_bind_int64 (stmt, 4, model->n_train);
  sqlite3_bind_int64 (stmt, 5, model->n_test);
  if (model->has_accuracy)
    sqlite3_bind_double (stmt, 6, model->accuracy);
  else
    sqlite3_bind_null (stmt, 6);
  bind_text (stmt, 7, model->model);
  sqlite3_bind_int (stmt, 8, model->active);
  if (!step_done (store, stmt, "storing a model", error))
    return FALSE;
  if (out_model_id != NULL)
    *out_model_id = sqlite3_last_insert_rowid (_nexus_store_get_db (store));
  return TRUE;
}

/* A NexusCategoryModel from MODEL_COLUMNS (a ReadRowFunc). */
static gpointer
read_model (sqlite3_stmt *stmt)
{
  NexusCategoryModel *model = g_new0 (NexusCategoryModel, 1);

  model->id = sqlite3_column_int64 (stmt, 0);
  model->created_at = sqlite3_column_int64 (stmt, 1);
  model->algorithm = column_dup (stmt, 2);
  model->n_labels = sqlite3_column_int64 (stmt, 3);
  model->n_train = sqlite3_column_int64 (stmt, 4);
  model->n_test = sqlite3_column_int64 (stmt, 5);
  model->has_accuracy = sqlite3_column_type (stmt, 6) != SQLITE_NULL;
  model->accuracy = sqlite3_column_double (stmt, 6);
  model->model = column_dup (stmt, 7);
  model->active = sqlite3_column_int (stmt, 8) != 0;
  return model;
}

/**
 * nexus_store_leads_get_active_model:
 * @out_model: (out) (transfer full) (nullable): the active version, or
 *   %NULL when none was trained
 */
gboolean
nexus_store_leads_get_active_model (NexusStore          *store,
                                    NexusCategoryModel **out_model,
                                    GError             **error)
{
  sqlite3_stmt *stmt;
  int           rc;

  *out_model = NULL;
  stmt = _nexus_store_prepare (store,
                               "SELECT " MODEL_COLUMNS " FROM category_models WHERE active = 1"
                               " ORDER BY id DESC LIMIT 1",
                               error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *out_model = read_model (stmt);
  return end_step (store, stmt, rc, "reading the classifier model", error);
}

/**
 * nexus_store_leads_list_models:
 * @out_models: (element-type NexusCategoryModel): receives every version,
 *   newest first (model text included)
 */
gboolean
nexus_store_leads_list_models (NexusStore *store, GPtrArray *out_models, GError **error)
{
  sqlite3_stmt *stmt;

  stmt = _nexus_store_prepare (
      store, "SELECT " MODEL_COLUMNS " FROM category_models ORDER BY id DESC", error);
  if (stmt == NULL)
    return FALSE;
  return collect_rows (store, stmt, read_model, out_models, "reading classifier models", error);
}

/**
 * nexus_store_leads_get_classifier_generation:
 *
 * A number that every change of rules or model increments (also from
 * another process), so a cached classifier knows when to reload.
 */
gboolean
nexus_store_leads_get_classifier_generation (NexusStore *store,
                                             gint64     *out_generation,
                                             GError    **error)
{
  *out_generation = 0;
  return query_int64 (store,
                      "SELECT coalesce((SELECT CAST(value AS INTEGER) FROM settings"
                      " WHERE key = 'leads.classifier_generation'), 0)",
                      out_generation, "reading the classifier generation", error);
}

gboolean
nexus_store_leads_bump_classifier_generation (NexusStore *store, GError **error)
{
  sqlite3_stmt *stmt;

  stmt = _nexus_store_prepare (store,
                               "INSERT INTO settings (key, value, updated_at)"
                               " VALUES ('leads.classifier_generation', '1', ?)"
                               " ON CONFLICT (key) DO UPDATE SET"
                               " value = CAST(CAST(value AS INTEGER) + 1 AS TEXT),"
                               " updated_at = excluded.updated_at",
                               error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, g_get_real_time () / G_USEC_PER_SEC);
  return step_done (store, stmt, "recording a classifier change", error);
}
