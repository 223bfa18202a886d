/* nexus-store.h — the SQLite file behind an engine
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A NexusStore owns one sqlite3 connection to the lead vault.  It is the only
 * place in Nexus that speaks SQL: the rest of the engine calls the functions
 * below.
 *
 * Rules this module relies on:
 *
 *  - A store is used by one thread at a time.  The engine thread owns the
 *    single write connection; reader threads borrow read-only stores from the
 *    engine's pool.  Nothing here locks.
 *  - Opening never changes a file it refuses: the schema version, the header
 *    and the directory's writability are checked before the first write, and
 *    a migration runs inside one BEGIN IMMEDIATE transaction.
 *  - A file created by nexus_store_open() and then refused (disk full while
 *    creating the schema) is removed again, with its -wal and -shm files.
 *  - Every connection runs with journal_mode=WAL, synchronous=NORMAL,
 *    foreign_keys=ON and a busy timeout, so readers never block the writer.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* The schema this program writes.  A file with a higher user_version was
 * written by a newer Nexus and is refused. */
#define NEXUS_SCHEMA_VERSION 4

#define NEXUS_STORE_ERROR (nexus_store_error_quark ())

typedef enum
{
  NEXUS_STORE_ERROR_FAILED,
  NEXUS_STORE_ERROR_NEWER_SCHEMA, /* written by a newer Nexus */
  NEXUS_STORE_ERROR_CORRUPT,      /* not a database, or damaged */
  NEXUS_STORE_ERROR_PERMISSION,   /* file or its folder not writable */
  NEXUS_STORE_ERROR_DISK_FULL,    /* no space left on the device */
  NEXUS_STORE_ERROR_NOT_FOUND,    /* no such file (read-only or no-create open) */
  NEXUS_STORE_ERROR_BUSY,         /* locked by another process for too long */
  NEXUS_STORE_ERROR_INVALID,      /* bad argument from the caller */
} NexusStoreError;

typedef enum
{
  NEXUS_STORE_OPEN_DEFAULT = 0,
  NEXUS_STORE_OPEN_READ_ONLY = 1 << 0, /* reader connection; never migrates */
  NEXUS_STORE_OPEN_NO_CREATE = 1 << 1, /* refuse a missing file */
} NexusStoreOpenFlags;

#define NEXUS_TYPE_STORE (nexus_store_get_type ())
G_DECLARE_FINAL_TYPE (NexusStore, nexus_store, NEXUS, STORE, GObject)

GQuark nexus_store_error_quark (void);

NexusStore *nexus_store_open (const char *path, NexusStoreOpenFlags flags, GError **error);
const char *nexus_store_get_path (NexusStore *self);
gboolean    nexus_store_get_created (NexusStore *self);
gboolean    nexus_store_get_read_only (NexusStore *self);
int         nexus_store_get_schema_version (NexusStore *self);

const char *const *nexus_store_get_table_names (void);
gboolean
nexus_store_count_rows (NexusStore *self, const char *table, gint64 *out_count, GError **error);
gboolean nexus_store_count_leads (NexusStore *self, gint64 *out_count, GError **error);

gboolean
nexus_store_set_setting (NexusStore *self, const char *key, const char *value, GError **error);
gboolean nexus_store_delete_setting (NexusStore *self, const char *key, GError **error);
char    *nexus_store_get_setting (NexusStore *self, const char *key, GError **error);

/* Write transactions (BEGIN IMMEDIATE).  Engine functions that take a
 * store either run inside the caller's transaction (documented as such) or
 * open their own; they never nest. */
gboolean nexus_store_begin (NexusStore *self, GError **error);
gboolean nexus_store_commit (NexusStore *self, GError **error);
void     nexus_store_rollback (NexusStore *self);
gboolean nexus_store_in_transaction (NexusStore *self);
gboolean nexus_store_savepoint (NexusStore *self, const char *name, GError **error);
gboolean nexus_store_release (NexusStore *self, const char *name, GError **error);
void     nexus_store_rollback_to (NexusStore *self, const char *name);
gboolean nexus_store_index_new_leads (NexusStore *self, GError **error);

gboolean nexus_store_seed_demo (NexusStore *self, GError **error);
gboolean nexus_store_checkpoint (NexusStore *self, GError **error);
gint64   nexus_store_get_data_version (NexusStore *self);
gboolean nexus_store_set_autocheckpoint (NexusStore *self, int n_pages, GError **error);
gboolean nexus_store_checkpoint_passive (NexusStore *self, GError **error);

G_END_DECLS
