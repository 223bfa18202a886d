/* nexus-schema.c — numbered migrations of the lead vault
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each entry takes a file from version - 1 to version and runs inside the
 * transaction that also sets PRAGMA user_version.  Entries are never edited
 * once released: a change to the schema is a new entry.
 *
 * Times are unix seconds (INTEGER).  JSON columns hold UTF-8 JSON text.
 */

#include "config.h"

#include "nexus-store-private.h"

static const char schema_v1[] =
    /* Operator settings that follow the database (not the desktop). */
    "CREATE TABLE settings ("
    "  key        TEXT PRIMARY KEY,"
    "  value      TEXT NOT NULL,"
    "  updated_at INTEGER NOT NULL"
    ") WITHOUT ROWID;"

    /* keywords × region × provider × cadence.  The queue area owns it (see
   * engine/queue/nexus-job-queue.h). */
    "CREATE TABLE searches ("
    "  id            INTEGER PRIMARY KEY,"
    "  name          TEXT NOT NULL,"
    "  keywords      TEXT NOT NULL," /* JSON array of strings */
    "  region_kind   TEXT NOT NULL CHECK (region_kind IN ('bbox', 'polygon', 'place')),"
    "  region        TEXT NOT NULL," /* JSON: [s,w,n,e] or a GeoJSON geometry */
    "  place_name    TEXT,"          /* as the operator typed it */
    "  place_display TEXT,"          /* Nominatim's display_name */
    "  provider      TEXT NOT NULL DEFAULT 'overpass',"
    "  country       TEXT," /* ISO 3166-1 alpha-2 */
    "  language      TEXT,"
    "  cadence_s     INTEGER NOT NULL DEFAULT 0," /* 0: once */
    "  cell_km       REAL NOT NULL DEFAULT 2.0,"
    "  max_depth     INTEGER NOT NULL DEFAULT 4,"
    "  priority      INTEGER NOT NULL DEFAULT 0,"
    "  state         TEXT NOT NULL DEFAULT 'active'"
    "                CHECK (state IN ('active', 'paused', 'cancelled', 'completed')),"
    "  run           INTEGER NOT NULL DEFAULT 0," /* the latest run; see search_runs */
    "  last_run_at   INTEGER,"
    "  next_run_at   INTEGER," /* NULL: no run scheduled */
    "  created_at    INTEGER NOT NULL,"
    "  updated_at    INTEGER NOT NULL"
    ");"

    "CREATE TABLE workers ("
    "  id           INTEGER PRIMARY KEY,"
    "  public_id    TEXT NOT NULL UNIQUE," /* WORKER_ID of the protocol */
    "  name         TEXT NOT NULL,"
    "  state        TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'revoked')),"
    "  role         TEXT NOT NULL DEFAULT 'worker' CHECK (role IN ('worker', 'operator')),"
    "  hostname     TEXT,"
    "  address      TEXT,"
    "  version      TEXT,"
    "  last_seen_at INTEGER,"
    "  jobs_done    INTEGER NOT NULL DEFAULT 0,"
    "  leads_found  INTEGER NOT NULL DEFAULT 0,"
    "  created_at   INTEGER NOT NULL,"
    "  revoked_at   INTEGER"
    ");"

    /* The current secret has valid_until NULL; a rotated one keeps working
   * until valid_until. */
    "CREATE TABLE worker_secrets ("
    "  id          INTEGER PRIMARY KEY,"
    "  worker_id   INTEGER NOT NULL REFERENCES workers (id) ON DELETE CASCADE,"
    "  secret      BLOB NOT NULL,"
    "  sealed      INTEGER NOT NULL DEFAULT 0," /* 1: encrypted with NEXUS_INTERNAL_SECRET */
    "  created_at  INTEGER NOT NULL,"
    "  valid_until INTEGER"
    ");"
    "CREATE INDEX worker_secrets_worker ON worker_secrets (worker_id);"

    /* One number that every change authentication depends on moves: a
     * worker added, removed, revoked or renamed, a secret added, rotated or
     * removed.  The worker API caches opened secrets and drops them when it
     * moves, whichever connection or process made the change.  A visit
     * (last_seen_at, address, …) or a count of work does not move it. */
    "CREATE TABLE auth_generation ("
    "  id         INTEGER PRIMARY KEY CHECK (id = 1),"
    "  generation INTEGER NOT NULL"
    ");"
    "INSERT INTO auth_generation (id, generation) VALUES (1, 0);"
    "CREATE TRIGGER workers_auth_insert AFTER INSERT ON workers BEGIN"
    "  UPDATE auth_generation SET generation = generation + 1;"
    " END;"
    "CREATE TRIGGER workers_auth_delete AFTER DELETE ON workers BEGIN"
    "  UPDATE auth_generation SET generation = generation + 1;"
    " END;"
    "CREATE TRIGGER workers_auth_update AFTER UPDATE OF id, public_id, state, role ON workers BEGIN"
    "  UPDATE auth_generation SET generation = generation + 1;"
    " END;"
    "CREATE TRIGGER worker_secrets_auth_insert AFTER INSERT ON worker_secrets BEGIN"
    "  UPDATE auth_generation SET generation = generation + 1;"
    " END;"
    "CREATE TRIGGER worker_secrets_auth_delete AFTER DELETE ON worker_secrets BEGIN"
    "  UPDATE auth_generation SET generation = generation + 1;"
    " END;"
    "CREATE TRIGGER worker_secrets_auth_update AFTER UPDATE ON worker_secrets BEGIN"
    "  UPDATE auth_generation SET generation = generation + 1;"
    " END;"

    /* The job queue (engine/queue/nexus-job-queue.h).  A job waiting for a
   * retry after a failure is 'queued' with attempts > 0 and run_after in
   * the future: the ready path must be one status for the index below. */
    "CREATE TABLE internal_jobs ("
    "  id               INTEGER PRIMARY KEY,"
    "  search_id        INTEGER REFERENCES searches (id) ON DELETE CASCADE,"
    "  run              INTEGER NOT NULL DEFAULT 1,"
    "  kind             TEXT NOT NULL DEFAULT 'place_search',"
    "  status           TEXT NOT NULL DEFAULT 'queued' CHECK (status IN"
    "                   ('queued', 'leased', 'done', 'dead', 'cancelled', 'paused')),"
    "  priority         INTEGER NOT NULL DEFAULT 0,"
    "  provider         TEXT," /* NULL: any worker may lease it */
    "  keyword          TEXT,"
    "  cell_south       REAL,"
    "  cell_west        REAL,"
    "  cell_north       REAL,"
    "  cell_east        REAL,"
    "  depth            INTEGER NOT NULL DEFAULT 0,"
    "  parent_id        INTEGER REFERENCES internal_jobs (id) ON DELETE SET NULL,"
    "  payload          TEXT NOT NULL CHECK (json_valid (payload))," /* JSON handed to the worker */
    "  attempts         INTEGER NOT NULL DEFAULT 0,"                 /* leases so far */
    "  max_attempts     INTEGER NOT NULL DEFAULT 5,"
    "  run_after        INTEGER NOT NULL DEFAULT 0,"
    "  lease_token      TEXT," /* NULL unless leased */
    "  lease_worker_id  INTEGER REFERENCES workers (id) ON DELETE SET NULL,"
    "  lease_expires_at INTEGER,"
    "  last_error       TEXT,"
    "  saturated        INTEGER NOT NULL DEFAULT 0,"
    "  capped           INTEGER NOT NULL DEFAULT 0," /* saturated at the depth limit */
    "  result_count     INTEGER NOT NULL DEFAULT 0,"
    "  created_at       INTEGER NOT NULL,"
    "  updated_at       INTEGER NOT NULL,"
    "  finished_at      INTEGER"
    ");"
    /* The ready path: the lease walks this index in priority order and stops
   * at the first rows whose run_after has come. */
    "CREATE INDEX internal_jobs_ready ON internal_jobs (status, priority DESC, id);"
    /* The reaper's path: only leased rows are in it. */
    "CREATE INDEX internal_jobs_lease_expiry ON internal_jobs (lease_expires_at)"
    "  WHERE status = 'leased';"
    "CREATE INDEX internal_jobs_search ON internal_jobs (search_id, status);"
    /* A new run skips a cell whose job is still pending: found through here.
   * No status column, so leasing and completing never touch this index. */
    "CREATE INDEX internal_jobs_cell ON internal_jobs"
    "  (search_id, keyword, depth, cell_south, cell_west);"

    /* Nonces seen per worker; kept longer than the timestamp window.
     * Version 2 makes this an append-only log (nexus-schema-api.c). */
    "CREATE TABLE hmac_replay ("
    "  worker_id INTEGER NOT NULL,"
    "  nonce     TEXT NOT NULL,"
    "  seen_at   INTEGER NOT NULL,"
    "  PRIMARY KEY (worker_id, nonce)"
    ") WITHOUT ROWID;"
    "CREATE INDEX hmac_replay_seen ON hmac_replay (seen_at);"

    "CREATE TABLE idempotency_keys ("
    "  worker_id   INTEGER NOT NULL,"
    "  key         TEXT NOT NULL,"
    "  body_sha256 TEXT NOT NULL,"
    "  state       TEXT NOT NULL CHECK (state IN ('in_progress', 'done')),"
    "  http_status INTEGER,"
    "  response    BLOB,"
    "  created_at  INTEGER NOT NULL,"
    "  PRIMARY KEY (worker_id, key)"
    ") WITHOUT ROWID;"
    "CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);"

    "CREATE TABLE agents ("
    "  id         INTEGER PRIMARY KEY,"
    "  name       TEXT NOT NULL,"
    "  email      TEXT,"
    "  phone      TEXT,"
    "  active     INTEGER NOT NULL DEFAULT 1,"
    "  created_at INTEGER NOT NULL"
    ");"

    "CREATE TABLE leads ("
    "  id              INTEGER PRIMARY KEY,"
    "  name            TEXT NOT NULL,"
    "  name_norm       TEXT NOT NULL,"              /* NFKC, casefolded, Arabic forms folded,
                                                     * legal suffixes dropped: matching + search */
    "  phone_e164      TEXT,"                       /* the primary valid phone */
    "  phone_raw       TEXT,"                       /* numbers that did not parse or are not
                                                     * valid, as supplied, "; "-separated */
    "  phone_invalid   INTEGER NOT NULL DEFAULT 0," /* 1: phone_raw holds a flagged number */
    "  website         TEXT,"
    "  website_host    TEXT," /* lower-case host without "www." (ASCII) */
    "  email           TEXT," /* validated, domain lower-cased */
    "  address         TEXT,"
    "  address_norm    TEXT," /* normalized, street words abbreviated */
    "  city            TEXT,"
    "  city_norm       TEXT," /* normalized city, for the address match */
    "  country         TEXT," /* ISO 3166-1 alpha-2 */
    "  lat             REAL,"
    "  lon             REAL,"
    "  category        TEXT,"
    "  category_source TEXT" /* how category was set */
    "                  CHECK (category_source IN ('rule', 'model', 'operator', 'provider')),"
    "  provider_category TEXT," /* as the first source gave it: what the
                                                     * classifier reads besides the name */
    "  rating          REAL,"
    "  reviews         INTEGER,"
    "  status          TEXT NOT NULL DEFAULT 'new'"
    "                  CHECK (status IN ('new', 'contacted', 'qualified', 'won', 'lost')),"
    "  preview_only    INTEGER NOT NULL DEFAULT 0," /* no valid phone yet: kept apart */
    "  agent_id        INTEGER REFERENCES agents (id) ON DELETE SET NULL,"
    "  sightings       INTEGER NOT NULL DEFAULT 1," /* reports of this lead, all sources */
    "  notes           TEXT,"
    "  first_seen_at   INTEGER NOT NULL,"
    "  last_seen_at    INTEGER NOT NULL,"
    "  updated_at      INTEGER NOT NULL"
    ");"
    "CREATE INDEX leads_phone ON leads (phone_e164) WHERE phone_e164 IS NOT NULL;"
    "CREATE INDEX leads_status ON leads (status, id);"
    "CREATE INDEX leads_category ON leads (category, id);"
    "CREATE INDEX leads_city ON leads (city, id);"
    "CREATE INDEX leads_agent ON leads (agent_id, id);"
    "CREATE INDEX leads_last_seen ON leads (last_seen_at, id);"
    "CREATE INDEX leads_preview ON leads (preview_only, id);"
    /* The console's grid (nexus-store-leads-view.c): a page of the vault
     * (preview_only = 0) in name or last-seen order, read from the index in
     * order instead of sorting the whole table. */
    "CREATE INDEX leads_view_name ON leads (preview_only, name_norm, id);"
    "CREATE INDEX leads_view_last_seen ON leads (preview_only, last_seen_at, id);"
    /* The date-range filter and the first-seen order. */
    "CREATE INDEX leads_view_first_seen ON leads (preview_only, first_seen_at, id);"
    /* The match path for leads without coordinates (lat: a record with
   * coordinates only needs the leads at its address that have none, and
   * finds them in the index alone). */
    "CREATE INDEX leads_address ON leads (address_norm, city_norm, lat)"
    "  WHERE address_norm IS NOT NULL;"

    /* Every valid E.164 number a lead answers on.  A number normally belongs
   * to one lead; a shared switchboard (a hotel's restaurants, a mall) may
   * belong to several leads whose names have nothing in common. */
    "CREATE TABLE lead_phones ("
    "  e164      TEXT NOT NULL,"
    "  lead_id   INTEGER NOT NULL REFERENCES leads (id) ON DELETE CASCADE,"
    "  type      TEXT," /* mobile, fixed_line, … (libphonenumber) */
    "  extension TEXT,"
    "  PRIMARY KEY (e164, lead_id)"
    ") WITHOUT ROWID;"
    "CREATE INDEX lead_phones_lead ON lead_phones (lead_id);"

    /* Provenance: one row per provider record merged into a lead.  raw is the
   * record as a LEAD object of the worker protocol (an import's row is kept
   * under its "raw" member), so a lead can be rebuilt from its sources. */
    "CREATE TABLE lead_sources ("
    "  id            INTEGER PRIMARY KEY,"
    "  lead_id       INTEGER NOT NULL REFERENCES leads (id) ON DELETE CASCADE,"
    "  provider      TEXT NOT NULL,"
    "  ref           TEXT NOT NULL,"
    "  job_id        INTEGER REFERENCES internal_jobs (id) ON DELETE SET NULL,"
    "  worker_id     INTEGER REFERENCES workers (id) ON DELETE SET NULL,"
    "  raw           TEXT,"
    "  sightings     INTEGER NOT NULL DEFAULT 1,"
    "  first_seen_at INTEGER NOT NULL,"
    "  last_seen_at  INTEGER NOT NULL,"
    "  UNIQUE (provider, ref)"
    ");"
    "CREATE INDEX lead_sources_lead ON lead_sources (lead_id);"

    "CREATE TABLE assignments ("
    "  id            INTEGER PRIMARY KEY,"
    "  lead_id       INTEGER NOT NULL REFERENCES leads (id) ON DELETE CASCADE,"
    "  agent_id      INTEGER REFERENCES agents (id) ON DELETE SET NULL,"
    "  assigned_at   INTEGER NOT NULL,"
    "  assigned_by   TEXT,"
    "  unassigned_at INTEGER"
    ");"
    "CREATE INDEX assignments_lead ON assignments (lead_id);"
    "CREATE INDEX assignments_agent ON assignments (agent_id);"

    "CREATE TABLE audit_log ("
    "  id          INTEGER PRIMARY KEY,"
    "  at          INTEGER NOT NULL,"
    "  actor       TEXT NOT NULL,"
    "  action      TEXT NOT NULL,"
    "  object_kind TEXT,"
    "  object_id   TEXT,"
    "  details     TEXT" /* JSON; never holds a secret */
    ");"
    "CREATE INDEX audit_log_at ON audit_log (at);"

    /* Geo candidates for matching and map queries: a point per lead. */
    "CREATE VIRTUAL TABLE leads_geo USING rtree (id, min_lat, max_lat, min_lon, max_lon);"
    "CREATE TRIGGER leads_geo_insert AFTER INSERT ON leads"
    "  WHEN new.lat IS NOT NULL AND new.lon IS NOT NULL BEGIN"
    "  INSERT INTO leads_geo VALUES (new.id, new.lat, new.lat, new.lon, new.lon);"
    "END;"
    "CREATE TRIGGER leads_geo_update AFTER UPDATE OF lat, lon ON leads BEGIN"
    "  DELETE FROM leads_geo WHERE id = old.id;"
    "  INSERT INTO leads_geo SELECT new.id, new.lat, new.lat, new.lon, new.lon"
    "    WHERE new.lat IS NOT NULL AND new.lon IS NOT NULL;"
    "END;"
    "CREATE TRIGGER leads_geo_delete AFTER DELETE ON leads BEGIN"
    "  DELETE FROM leads_geo WHERE id = old.id;"
    "END;"

    /* Full-text search over the normalized fields, kept in step by triggers
     * (since version 3 through leads_fts_pending: nexus-schema-leads.c). */
    "CREATE VIRTUAL TABLE leads_fts USING fts5 ("
    "  name_norm, address_norm, category, city,"
    "  content = 'leads', content_rowid = 'id',"
    "  tokenize = 'unicode61 remove_diacritics 2'"
    ");"
    "CREATE TRIGGER leads_fts_insert AFTER INSERT ON leads BEGIN"
    "  INSERT INTO leads_fts (rowid, name_norm, address_norm, category, city)"
    "    VALUES (new.id, new.name_norm, new.address_norm, new.category, new.city);"
    "END;"
    "CREATE TRIGGER leads_fts_delete AFTER DELETE ON leads BEGIN"
    "  INSERT INTO leads_fts (leads_fts, rowid, name_norm, address_norm, category, city)"
    "    VALUES ('delete', old.id, old.name_norm, old.address_norm, old.category, old.city);"
    "END;"
    "CREATE TRIGGER leads_fts_update AFTER UPDATE OF name_norm, address_norm, category, city"
    "  ON leads BEGIN"
    "  INSERT INTO leads_fts (leads_fts, rowid, name_norm, address_norm, category, city)"
    "    VALUES ('delete', old.id, old.name_norm, old.address_norm, old.category, old.city);"
    "  INSERT INTO leads_fts (rowid, name_norm, address_norm, category, city)"
    "    VALUES (new.id, new.name_norm, new.address_norm, new.category, new.city);"
    "END;";

static const NexusMigration migrations[] = {
  { 1, { schema_v1, _nexus_schema_v1_queue, _nexus_schema_v1_leads, _nexus_schema_v1_api, NULL } },
  { 2, { _nexus_schema_v2_api, NULL } },
  { 3, { _nexus_schema_v3_leads, NULL } },
  { 4, { _nexus_schema_v4_queue, NULL } },
};

const NexusMigration *
_nexus_schema_get_migrations (guint *n_migrations)
{
  *n_migrations = G_N_ELEMENTS (migrations);
  return migrations;
}
