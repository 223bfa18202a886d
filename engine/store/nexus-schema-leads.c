/* nexus-schema-leads.c — the leads area's part of the schema
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Tables, indexes and triggers that only the leads area uses.  Appended to
 * schema version 1 by nexus-schema.c; later changes are new migrations.
 * The core tables (leads, lead_phones, lead_sources) are in nexus-schema.c.
 */

#include "config.h"

#include "nexus-store-private.h"

/* NEXUS_CATEGORY_SEEDS_SQL: generated at build time by
 * engine/leads/gen-category-seeds.py from data/categories/ (ISC). */
#include "nexus-category-seeds.h"

const char _nexus_schema_v1_leads[] =
    /* What operators did to leads as wholes: a manual merge, a split, a
   * preview lead that joined a vault lead when its phone arrived.  (A
   * record merged into a lead is recorded by its lead_sources row.) */
    "CREATE TABLE lead_merges ("
    "  id            INTEGER PRIMARY KEY,"
    "  at            INTEGER NOT NULL,"
    "  kind          TEXT NOT NULL CHECK (kind IN ('merge', 'split', 'promote')),"
    "  lead_id       INTEGER NOT NULL," /* the lead that remains (merge, promote)
                                                     * or was split */
    "  other_lead_id INTEGER NOT NULL," /* merged away, or created by the split */
    "  actor         TEXT NOT NULL,"    /* 'nexus' or the operator */
    "  details       TEXT"              /* JSON: source ids moved, … */
    ");"
    "CREATE INDEX lead_merges_lead ON lead_merges (lead_id);"
    "CREATE INDEX lead_merges_other ON lead_merges (other_lead_id);"

    /* What operators did to one lead: status changes (with the note that
   * came with them), notes, assignments (old_value and new_value hold
   * agent ids) and category changes.  Merges and splits are in
   * lead_merges.  Goes with its lead. */
    "CREATE TABLE lead_history ("
    "  id        INTEGER PRIMARY KEY,"
    "  lead_id   INTEGER NOT NULL REFERENCES leads (id) ON DELETE CASCADE,"
    "  at        INTEGER NOT NULL,"
    "  actor     TEXT NOT NULL,"
    "  kind      TEXT NOT NULL CHECK (kind IN ('status', 'note', 'assign', 'category')),"
    "  old_value TEXT,"
    "  new_value TEXT,"
    "  note      TEXT"
    ");"
    "CREATE INDEX lead_history_lead ON lead_history (lead_id, at);"

    /* Pairs an operator split apart: the engine never merges them again on
   * its own (a manual merge still can, and removes the pair).  a < b. */
    "CREATE TABLE lead_distinct ("
    "  a INTEGER NOT NULL REFERENCES leads (id) ON DELETE CASCADE,"
    "  b INTEGER NOT NULL REFERENCES leads (id) ON DELETE CASCADE,"
    "  PRIMARY KEY (a, b),"
    "  CHECK (a < b)"
    ") WITHOUT ROWID;"
    "CREATE INDEX lead_distinct_b ON lead_distinct (b);"

    /* Keyword rules of the classifier, English and Arabic.  keyword is in
   * the normalized form (nexus_normalize_text) and may hold several
   * words; it matches whole words of a lead's name or provider category. */
    "CREATE TABLE category_rules ("
    "  id         INTEGER PRIMARY KEY,"
    "  category   TEXT NOT NULL," /* e.g. restaurant, pharmacy */
    "  keyword    TEXT NOT NULL,"
    "  lang       TEXT NOT NULL DEFAULT '',"  /* en, ar, or '' */
    "  weight     REAL NOT NULL DEFAULT 1.0," /* summed per category; highest wins */
    "  origin     TEXT NOT NULL DEFAULT 'operator' CHECK (origin IN ('seed', 'operator')),"
    "  enabled    INTEGER NOT NULL DEFAULT 1,"
    "  created_at INTEGER NOT NULL,"
    "  UNIQUE (category, keyword)"
    ");"

    /* Categories operators set, with the text the model learns from as it
   * was when they set it (a label outlives merges of its lead). */
    "CREATE TABLE category_labels ("
    "  id         INTEGER PRIMARY KEY,"
    "  lead_id    INTEGER UNIQUE REFERENCES leads (id) ON DELETE SET NULL,"
    "  category   TEXT NOT NULL,"
    "  text       TEXT NOT NULL," /* normalized name + provider category */
    "  actor      TEXT NOT NULL,"
    "  labeled_at INTEGER NOT NULL"
    ");"

    /* Every trained model version with its accuracy on held-out labels;
   * exactly one row (the newest good one) is active. */
    "CREATE TABLE category_models ("
    "  id         INTEGER PRIMARY KEY," /* the version */
    "  created_at INTEGER NOT NULL,"
    "  algorithm  TEXT NOT NULL," /* multinomial_nb */
    "  n_labels   INTEGER NOT NULL,"
    "  n_train    INTEGER NOT NULL,"
    "  n_test     INTEGER NOT NULL,"
    "  accuracy   REAL,"          /* on the n_test held-out labels; NULL
                                                     * when there were none */
    "  model      TEXT NOT NULL," /* JSON: priors and token counts */
    "  active     INTEGER NOT NULL DEFAULT 0"
    ");"
    "CREATE INDEX category_models_active ON category_models (active) WHERE active = 1;"

    /* The seed rules: iD's preset names and search terms, English and Arabic. */
    NEXUS_CATEGORY_SEEDS_SQL;

/* Version 3: a new lead waits in leads_fts_pending and reaches the
 * full-text index when its transaction commits (_nexus_store_commit()
 * indexes the waiting leads in one statement).  With the index written
 * by the insert trigger, every INSERT INTO leads made FTS5 flush its
 * pending terms into a new segment at the statement's end: one segment
 * per lead.  Deleting or renaming a lead still waiting only drops it from
 * the list (it is indexed with its values at the commit); one already
 * indexed is updated in the index at once, as before. */
const char _nexus_schema_v3_leads[] =
    "CREATE TABLE leads_fts_pending (id INTEGER PRIMARY KEY);"
    "DROP TRIGGER leads_fts_insert;"
    "DROP TRIGGER leads_fts_delete;"
    "DROP TRIGGER leads_fts_update;"
    "CREATE TRIGGER leads_fts_insert AFTER INSERT ON leads BEGIN"
    "  INSERT OR IGNORE INTO leads_fts_pending (id) VALUES (new.id);"
    "END;"
    "CREATE TRIGGER leads_fts_delete AFTER DELETE ON leads BEGIN"
    "  INSERT INTO leads_fts (leads_fts, rowid, name_norm, address_norm, category, city)"
    "    SELECT 'delete', old.id, old.name_norm, old.address_norm, old.category, old.city"
    "    WHERE NOT EXISTS (SELECT 1 FROM leads_fts_pending WHERE id = old.id);"
    "  DELETE FROM leads_fts_pending WHERE id = old.id;"
    "END;"
    "CREATE TRIGGER leads_fts_update AFTER UPDATE OF name_norm, address_norm, category, city"
    "  ON leads WHEN NOT EXISTS (SELECT 1 FROM leads_fts_pending WHERE id = old.id) BEGIN"
    "  INSERT INTO leads_fts (leads_fts, rowid, name_norm, address_norm, category, city)"
    "    VALUES ('delete', old.id, old.name_norm, old.address_norm, old.category, old.city);"
    "  INSERT INTO leads_fts (rowid, name_norm, address_norm, category, city)"
    "    VALUES (new.id, new.name_norm, new.address_norm, new.category, new.city);"
    "END;";
