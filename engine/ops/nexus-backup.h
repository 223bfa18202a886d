/* nexus-backup.h — backups of a vault as one .zip, and their restore
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A backup is a ZIP archive of two members:
 *
 *   manifest.json  {"format": "nexus-backup", "format_version": 1,
 *                   "program_version", "schema_version", "application_id",
 *                   "created_at", "tables": {NAME: rows…},
 *                   "members": [{"name", "size", "sha256"}…]}
 *   nexus.db       a consistent snapshot (VACUUM INTO), complete without a WAL
 *
 * Rules this module keeps:
 *
 *  - Creating a backup never blocks the engine: the snapshot is one read
 *    transaction on the caller's (read-only) store, so writers of any process
 *    go on.  Every row committed before the snapshot began is in it.
 *  - The archive is written under a temporary name in the target folder,
 *    synced and renamed; an existing file is replaced only with
 *    NEXUS_BACKUP_FORCE.  A failed backup leaves no file behind.
 *  - A restore verifies everything (manifest, every member's SHA-256, the
 *    extracted database's integrity, application_id and schema version)
 *    before it touches the current database.  A refused archive changes
 *    nothing.  The swap then takes the current file for itself alone
 *    (refused while any other connection — a running engine — has it open),
 *    keeps it as DB.before-restore-TIMESTAMP and renames the restored file
 *    over it.
 *
 * Threads: nexus_backup_create() runs on the thread that owns the store
 * (nexus-store.h); the other functions take paths and may run on any
 * thread, one restore at a time per database.  Long steps check the
 * cancellable between members and chunks.
 */
#pragma once

#include <gio/gio.h>

#include "store/nexus-store.h"

G_BEGIN_DECLS

#define NEXUS_BACKUP_ERROR (nexus_backup_error_quark ())

typedef enum
{
  NEXUS_BACKUP_ERROR_FAILED,
  NEXUS_BACKUP_ERROR_EXISTS,       /* the target exists and FORCE was not given */
  NEXUS_BACKUP_ERROR_INVALID,      /* not a Nexus backup: foreign, truncated or damaged */
  NEXUS_BACKUP_ERROR_CHECKSUM,     /* a member differs from the manifest */
  NEXUS_BACKUP_ERROR_NEWER_SCHEMA, /* written by a newer Nexus */
  NEXUS_BACKUP_ERROR_BUSY,         /* the database is open in another program */
} NexusBackupError;

typedef enum
{
  NEXUS_BACKUP_DEFAULT = 0,
  NEXUS_BACKUP_FORCE = 1 << 0, /* replace an existing archive */
} NexusBackupFlags;

/* What an archive holds. */
typedef struct
{
  char   *program_version;
  char   *created_at; /* ISO 8601, UTC */
  int     schema_version;
  gint64  database_size; /* bytes of nexus.db */
  gint64  archive_size;  /* bytes of the .zip */
  char  **tables;        /* names, NULL-terminated */
  gint64 *counts;        /* rows, in the order of tables */
} NexusBackupInfo;

GQuark nexus_backup_error_quark (void);

void nexus_backup_info_free (NexusBackupInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusBackupInfo, nexus_backup_info_free)

NexusBackupInfo *nexus_backup_create (NexusStore      *store,
                                      const char      *zip_path,
                                      NexusBackupFlags flags,
                                      GCancellable    *cancellable,
                                      GError         **error);
NexusBackupInfo *nexus_backup_pack_file (const char      *db_path,
                                         const char      *zip_path,
                                         NexusBackupFlags flags,
                                         GCancellable    *cancellable,
                                         GError         **error);

/* A verified archive, extracted beside the database it will replace. */
typedef struct _NexusRestore NexusRestore;

NexusRestore          *nexus_restore_prepare (const char   *zip_path,
                                              const char   *db_path,
                                              GCancellable *cancellable,
                                              GError      **error);
const NexusBackupInfo *nexus_restore_get_info (NexusRestore *restore);
gboolean nexus_restore_commit (NexusRestore *restore, char **out_safety_path, GError **error);
void     nexus_restore_free (NexusRestore *restore);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusRestore, nexus_restore_free)

G_END_DECLS
