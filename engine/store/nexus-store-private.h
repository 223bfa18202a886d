/* nexus-store-private.h — what the store's own files share
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Only files under engine/store/ include this header.  Everything here runs
 * on the thread that currently uses the store (see nexus-store.h).
 */
#pragma once

#include <sqlite3.h>

#include "nexus-store.h"

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

/* One numbered migration: the SQL that takes a file from version - 1 to
 * version, as a NULL-terminated list of scripts run in order inside the
 * caller's transaction.  A migration may be assembled from one script per
 * engine area (core, queue, leads, api). */
typedef struct
{
  int         version;
  const char *scripts[8];
} NexusMigration;

/* The parts of schema version 1 owned by each area. */
extern const char _nexus_schema_v1_queue[];
extern const char _nexus_schema_v1_leads[];
extern const char _nexus_schema_v1_api[];

/* Later versions. */
extern const char _nexus_schema_v2_api[];
extern const char _nexus_schema_v3_leads[];
extern const char _nexus_schema_v4_queue[];

const NexusMigration *_nexus_schema_get_migrations (guint *n_migrations);

sqlite3      *_nexus_store_get_db (NexusStore *self);
sqlite3_stmt *_nexus_store_prepare (NexusStore *self, const char *sql, GError **error);
gboolean
_nexus_store_step_done (NexusStore *self, sqlite3_stmt *stmt, const char *doing, GError **error);
gboolean _nexus_store_step_int64 (NexusStore   *self,
                                  sqlite3_stmt *stmt,
                                  gint64       *out_value,
                                  const char   *doing,
                                  GError      **error);
/* What a commit runs when leads wait in leads_fts_pending (schema version
 * 3): the waiting leads into the full-text index, then the list emptied. */
#define NEXUS_STORE_INDEX_PENDING_SQL                                      \
  "INSERT INTO leads_fts (rowid, name_norm, address_norm, category, city)" \
  " SELECT l.id, l.name_norm, l.address_norm, l.category, l.city"          \
  " FROM leads_fts_pending p JOIN leads l ON l.id = p.id"
#define NEXUS_STORE_CLEAR_PENDING_SQL "DELETE FROM leads_fts_pending"

gboolean _nexus_store_index_pending (NexusStore *self, GError **error);
void     _nexus_store_note_webhook_change (NexusStore *self);
guint64  _nexus_store_get_webhook_changes (NexusStore *self);
gboolean _nexus_store_exec (NexusStore *self, const char *sql, GError **error);
gboolean _nexus_store_begin (NexusStore *self, GError **error);
gboolean _nexus_store_commit (NexusStore *self, GError **error);
void     _nexus_store_rollback (NexusStore *self);
void     _nexus_store_set_error (NexusStore *self, int rc, GError **error, const char *doing);

G_END_DECLS
