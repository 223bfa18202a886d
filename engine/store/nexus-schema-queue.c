/* nexus-schema-queue.c — the queue area's part of the schema
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Tables, indexes and triggers that only the queue area uses.  Appended to
 * schema version 1 by nexus-schema.c; later changes are new migrations.
 * (The searches and internal_jobs tables themselves sit in the core script,
 * because other areas refer to them.)
 */

#include "config.h"

#include "nexus-store-private.h"

const char _nexus_schema_v1_queue[] =
    /* One row per run of a search: the first plan, each scheduled re-run and
   * each operator re-run. */
    "CREATE TABLE search_runs ("
    "  search_id    INTEGER NOT NULL REFERENCES searches (id) ON DELETE CASCADE,"
    "  run          INTEGER NOT NULL,"
    "  reason       TEXT NOT NULL CHECK (reason IN ('initial', 'schedule', 'rerun')),"
    "  started_at   INTEGER NOT NULL,"
    "  jobs_planned INTEGER NOT NULL DEFAULT 0," /* new jobs; pending twins are not counted */
    "  PRIMARY KEY (search_id, run)"
    ") WITHOUT ROWID;"

    /* Nominatim answers, so a place name costs one request ever. */
    "CREATE TABLE nominatim_cache ("
    "  query_norm   TEXT PRIMARY KEY," /* NFKC, casefolded, spaces collapsed */
    "  query        TEXT NOT NULL,"    /* as first asked */
    "  display_name TEXT,"
    "  geometry     TEXT,"          /* GeoJSON geometry, or NULL */
    "  bbox         TEXT NOT NULL," /* [s,w,n,e] */
    "  fetched_at   INTEGER NOT NULL"
    ") WITHOUT ROWID;";

/* Version 4: the leads a job added to the vault or the preview pool (not
 * the places it reported that merged into leads already known), summed per
 * search and run for the operator. */
const char _nexus_schema_v4_queue[] =
    "ALTER TABLE internal_jobs ADD COLUMN new_leads INTEGER NOT NULL DEFAULT 0;";
