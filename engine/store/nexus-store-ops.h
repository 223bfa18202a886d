/* nexus-store-ops.h — the SQL of backups, retention and checks
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What engine/ops/ (nexus-backup, nexus-maintenance) needs from SQLite:
 * batched purges, checkpoints, VACUUM INTO, the integrity checks and the
 * repairs of derived indexes, an inspection of a database file that need not
 * be one a NexusStore would open (a foreign or newer file inside a backup),
 * and an exclusive lock that proves no other connection has a file open.
 *
 * Rules:
 *
 *  - Functions taking a NexusStore follow nexus-store.h: one thread at a
 *    time.  nexus_store_ops_purge_batch() runs inside the caller's
 *    transaction; the others refuse to run inside one (VACUUM and
 *    checkpoints cannot) or open their own.
 *  - Functions taking a path open their own short-lived connection and
 *    close it before returning (except the lock, which the caller owns);
 *    any thread may call them.
 *  - Nothing here writes to a file given by path, except the lock, which
 *    checkpoints the WAL into the database file it locks and leaves WAL
 *    mode.
 */
#pragma once

#include "nexus-store.h"

G_BEGIN_DECLS

/* PRAGMA application_id of every Nexus database ("NXUS"), as nexus-store.c
 * writes it. */
#define NEXUS_STORE_APPLICATION_ID 0x4e585553

/* What a retention pass removes; see nexus-maintenance.h for the ages. */
typedef enum
{
  NEXUS_STORE_PURGE_REPLAY,       /* hmac_replay by seen_at */
  NEXUS_STORE_PURGE_IDEMPOTENCY,  /* idempotency_keys by created_at */
  NEXUS_STORE_PURGE_JOBS,         /* done, dead or cancelled jobs by finished_at */
  NEXUS_STORE_PURGE_AUDIT,        /* audit_log by at */
  NEXUS_STORE_PURGE_DELIVERIES,   /* finished webhook_deliveries by updated_at */
  NEXUS_STORE_PURGE_WORKER_HOURS, /* worker_hours by hour */
} NexusStorePurge;

gboolean nexus_store_ops_purge_batch (NexusStore     *self,
                                      NexusStorePurge what,
                                      gint64          before,
                                      guint           limit,
                                      gint64         *out_removed,
                                      GError        **error);
gboolean
nexus_store_ops_checkpoint_truncate (NexusStore *self, gboolean *out_complete, GError **error);
gboolean nexus_store_ops_optimize (NexusStore *self, GError **error);
gboolean nexus_store_ops_vacuum (NexusStore *self, GError **error);
gboolean nexus_store_ops_vacuum_into (NexusStore *self, const char *path, GError **error);

/* Checks.  Each returns TRUE when it could run; what it found is in the
 * out-parameters. */
gboolean
nexus_store_ops_integrity (NexusStore *self, gboolean full, char ***out_problems, GError **error);
gboolean nexus_store_ops_foreign_keys (NexusStore *self,
                                       gint64     *out_violations,
                                       char      **out_first,
                                       GError    **error);
gboolean nexus_store_ops_schema_diff (NexusStore *self,
                                      char     ***out_missing,
                                      char     ***out_extra,
                                      GError    **error);
gboolean nexus_store_ops_fts_state (NexusStore *self,
                                    gint64     *out_leads,
                                    gint64     *out_indexed,
                                    gint64     *out_out_of_step,
                                    GError    **error);
gboolean nexus_store_ops_geo_state (NexusStore *self,
                                    gint64     *out_located,
                                    gint64     *out_indexed,
                                    gint64     *out_out_of_step,
                                    GError    **error);

/* Repairs, each in its own transaction. */
gboolean
nexus_store_ops_restore_schema_objects (NexusStore *self, guint *out_created, GError **error);
gboolean nexus_store_ops_rebuild_fts (NexusStore *self, GError **error);
gboolean nexus_store_ops_rebuild_geo (NexusStore *self, GError **error);

/* What a database file says about itself, read through a read-only
 * connection of its own. */
typedef struct
{
  gint64 application_id;
  gint64 schema_version; /* PRAGMA user_version */
  /* "ok", or the first problems PRAGMA integrity_check reported, one a
   * line; NULL when the check was not asked for. */
  char *integrity;
  /* Row counts, in the order of nexus_store_get_table_names(); -1 for a
   * table the file lacks. */
  gint64 *counts;
  guint   n_counts;
} NexusStoreFileInfo;

gboolean nexus_store_ops_inspect_file (const char         *path,
                                       gboolean            check_integrity,
                                       NexusStoreFileInfo *info,
                                       GError            **error);
void     nexus_store_file_info_clear (NexusStoreFileInfo *info);

/* A connection in exclusive locking mode holding the write lock of a file:
 * while it lives no other connection can read or write the file, the WAL
 * has been checkpointed into it and the file is out of WAL mode. */
typedef struct _NexusStoreLock NexusStoreLock;

NexusStoreLock *nexus_store_ops_lock (const char *path, int timeout_ms, GError **error);
void            nexus_store_lock_free (NexusStoreLock *lock);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusStoreLock, nexus_store_lock_free)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (NexusStoreFileInfo, nexus_store_file_info_clear)

/* The SQLite the program runs with. */
const char *nexus_store_ops_sqlite_version (int *out_number);
gboolean    nexus_store_ops_sqlite_has (const char *feature);

G_END_DECLS
