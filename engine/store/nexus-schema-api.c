/* nexus-schema-api.c — the api area's part of the schema
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Tables, indexes and triggers that only the api area uses.  Appended to
 * schema version 1 by nexus-schema.c; later changes are new migrations.
 */

#include "config.h"

#include "nexus-store-private.h"

const char _nexus_schema_v1_api[] =
    /* Outgoing webhooks (engine/ops/nexus-webhooks.h).  events is a JSON
     * array of event kinds, or ["*"] for the alert kinds; secret is the
     * "whsec_…" signing secret as nexus_secret_box_seal() stored it:
     * sealed (1) under NEXUS_INTERNAL_SECRET when that is set, as it is
     * otherwise (0), like the worker secrets. */
    "CREATE TABLE webhook_endpoints ("
    "  id              INTEGER PRIMARY KEY,"
    "  url             TEXT NOT NULL,"
    "  events          TEXT NOT NULL DEFAULT '[\"*\"]',"
    "  secret          BLOB NOT NULL,"
    "  sealed          INTEGER NOT NULL DEFAULT 0,"
    "  enabled         INTEGER NOT NULL DEFAULT 1,"
    "  allow_private   INTEGER NOT NULL DEFAULT 0,"
    "  created_at      INTEGER NOT NULL,"
    "  disabled_reason TEXT"
    ");"

    /* One row per event and endpoint.  message_id is the webhook-id header,
     * the same on every attempt; next_at is in unix milliseconds (retry
     * delays in tests are milliseconds), the other times in seconds. */
    "CREATE TABLE webhook_deliveries ("
    "  id          INTEGER PRIMARY KEY,"
    "  endpoint_id INTEGER NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,"
    "  event_id    INTEGER NOT NULL,"
    "  message_id  TEXT NOT NULL UNIQUE,"
    "  kind        TEXT NOT NULL,"
    "  payload     TEXT NOT NULL,"
    "  attempt     INTEGER NOT NULL DEFAULT 0,"
    "  status      TEXT NOT NULL DEFAULT 'pending'"
    "              CHECK (status IN ('pending', 'delivered', 'failed', 'gave_up')),"
    "  next_at     INTEGER NOT NULL,"
    "  last_status INTEGER,"
    "  last_error  TEXT,"
    "  created_at  INTEGER NOT NULL,"
    "  updated_at  INTEGER NOT NULL"
    ");"
    "CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_at)"
    "  WHERE status = 'pending';"
    "CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id);"

    /* Per worker and hour (unix seconds of the hour's start): what the
     * engine's fleet watcher (engine/ops/nexus-fleet.h) counted from the
     * event bus.  latency_ms_sum / latency_n is the mean time from a lease to
     * its final report.  Pruned by retention (NEXUS_RETENTION_WORKER_HOURS_S). */
    "CREATE TABLE worker_hours ("
    "  worker_id      INTEGER NOT NULL REFERENCES workers (id) ON DELETE CASCADE,"
    "  hour           INTEGER NOT NULL,"
    "  jobs           INTEGER NOT NULL DEFAULT 0," /* final reports */
    "  leads          INTEGER NOT NULL DEFAULT 0," /* new + merged leads reported */
    "  errors         INTEGER NOT NULL DEFAULT 0," /* failed or dead jobs */
    "  latency_ms_sum REAL NOT NULL DEFAULT 0,"
    "  latency_n      INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (worker_id, hour)"
    ") WITHOUT ROWID;"
    "CREATE INDEX worker_hours_hour ON worker_hours (hour);";

/* Version 2: the nonces seen become an append-only log.  The worker API
 * keeps the nonces of the last ten minutes in memory (engine/api/
 * nexus-replay-guard.c) and only appends here, so remembering one never
 * writes into the middle of a B-tree; AUTOINCREMENT keeps ids rising
 * even when every row was purged, so another connection's nonces are
 * found after the last id it read. */
const char _nexus_schema_v2_api[] =
    "CREATE TABLE hmac_replay_log ("
    "  id        INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  worker_id INTEGER NOT NULL,"
    "  nonce     TEXT NOT NULL,"
    "  seen_at   INTEGER NOT NULL"
    ");"
    "INSERT INTO hmac_replay_log (worker_id, nonce, seen_at)"
    "  SELECT worker_id, nonce, seen_at FROM hmac_replay ORDER BY seen_at;"
    "DROP TABLE hmac_replay;"
    "ALTER TABLE hmac_replay_log RENAME TO hmac_replay;"
    "CREATE INDEX hmac_replay_seen ON hmac_replay (seen_at);";
