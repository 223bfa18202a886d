/* nexus-store.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nexus-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "nexus-store-private.h"

/* "NXUS": marks a file as ours, so a foreign SQLite file is refused before
 * anything is written to it. */
#define NEXUS_APPLICATION_ID 0x4e585553

#define BUSY_TIMEOUT_MS 5000

struct _NexusStore
{
  GObject parent_instance;

  /* The path as given by the caller; every error message names it. */
  char *path;
  /* The connection.  NULL only after finalize. */
  sqlite3 *db;
  /* SQL text → sqlite3_stmt, prepared once with SQLITE_PREPARE_PERSISTENT and
   * reset before each use.  Keys are the callers' static strings' copies. */
  GHashTable *statements;
  /* PRAGMA user_version after opening (and migrating). */
  int schema_version;
  /* TRUE when this open created the file. */
  guint created : 1;
  /* TRUE for a reader connection (SQLITE_OPEN_READONLY). */
  guint read_only : 1;
  /* TRUE between _nexus_store_begin() and commit/rollback. */
  guint in_transaction : 1;
  /* Changes to webhook endpoints through this connection, and rollbacks
   * (which may undo one): see nexus_store_webhook_generation(). */
  guint64 webhook_changes;
};

G_DEFINE_FINAL_TYPE (NexusStore, nexus_store, G_TYPE_OBJECT)

/* clang-format off */
G_DEFINE_QUARK (nexus-store-error-quark, nexus_store_error)
/* clang-format on */

/* The tables nexusctl status reports, in a stable order. */
static const char *const table_names[] = {
  "searches",          "search_runs",        "internal_jobs",    "nominatim_cache", "workers",
  "worker_secrets",    "hmac_replay",        "idempotency_keys", "leads",           "lead_phones",
  "lead_sources",      "lead_merges",        "lead_distinct",    "agents",          "assignments",
  "category_rules",    "category_labels",    "category_models",  "settings",        "audit_log",
  "webhook_endpoints", "webhook_deliveries", "worker_hours",     "lead_history",    NULL,
};

static gboolean
errno_means_full (int err)
{
  return err == ENOSPC || err == EDQUOT || err == EFBIG;
}

static gboolean
errno_means_denied (int err)
{
  return err == EACCES || err == EPERM || err == EROFS;
}

/* Turns a SQLite result code into a GError that names the file.  @doing is a
 * short phrase for the failed step; it never contains user data. */
static void
set_sqlite_error (const char *path, sqlite3 *db, int rc, GError **error, const char *doing)
{
  int         primary = rc & 0xff;
  int         sys_errno = db != NULL ? sqlite3_system_errno (db) : 0;
  const char *detail = db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc);

  if (primary == SQLITE_FULL || (primary == SQLITE_IOERR && errno_means_full (sys_errno)))
    g_set_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_DISK_FULL,
                 _ ("The disk holding “%s” is full: %s failed and nothing was changed"), path,
                 doing);
  else if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB)
    g_set_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_CORRUPT,
                 _ ("“%s” is not a Nexus database or is damaged (%s)"), path, detail);
  else if (primary == SQLITE_READONLY || primary == SQLITE_PERM || primary == SQLITE_AUTH ||
           ((primary == SQLITE_CANTOPEN || primary == SQLITE_IOERR) &&
            errno_means_denied (sys_errno)))
    g_set_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_PERMISSION,
                 _ ("No permission to write “%s” or its folder: %s failed"), path, doing);
  else if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
    g_set_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_BUSY,
                 _ ("“%s” is locked by another program: %s failed"), path, doing);
  else
    g_set_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_FAILED,
                 _ ("Database “%s”: %s failed: %s"), path, doing, detail);
}

void
_nexus_store_set_error (NexusStore *self, int rc, GError **error, const char *doing)
{
  set_sqlite_error (self->path, self->db, rc, error, doing);
}

static void
nexus_store_finalize (GObject *object)
{
  NexusStore *self = (NexusStore *)object;

  /* Statements must be finalized before the connection can close. */
  g_clear_pointer (&self->statements, g_hash_table_unref);
  if (self->db != NULL)
    {
      sqlite3_close_v2 (self->db);
      self->db = NULL;
    }
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (nexus_store_parent_class)->finalize (object);
}

static void
nexus_store_class_init (NexusStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = nexus_store_finalize;
}

static void
finalize_statement (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static void
nexus_store_init (NexusStore *self)
{
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, finalize_statement);
}

sqlite3 *
_nexus_store_get_db (NexusStore *self)
{
  g_return_val_if_fail (NEXUS_IS_STORE (self), NULL);

  return self->db;
}

/* Returns a cached statement, reset and with its bindings cleared.  The
 * store keeps ownership. */
sqlite3_stmt *
_nexus_store_prepare (NexusStore *self, const char *sql, GError **error)
{
  sqlite3_stmt *stmt;
  int           rc;

  stmt = g_hash_table_lookup (self->statements, sql);
  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }

  rc = sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      _nexus_store_set_error (self, rc, error, "preparing a statement");
      return NULL;
    }

  g_hash_table_insert (self->statements, g_strdup (sql), stmt);
  return stmt;
}

/* Steps a statement that returns no row and resets it, in every case. */
gboolean
_nexus_store_step_done (NexusStore *self, sqlite3_stmt *stmt, const char *doing, GError **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE)
    {
      /* Before the reset, while the connection still holds the message. */
      _nexus_store_set_error (self, rc, error, doing);
      sqlite3_reset (stmt);
      return FALSE;
    }
  sqlite3_reset (stmt);
  return TRUE;
}

/* Steps a statement that returns one row, reads its first column as a
 * number into @out_value, and resets it and its bindings, in every case. */
gboolean
_nexus_store_step_int64 (NexusStore   *self,
                         sqlite3_stmt *stmt,
                         gint64       *out_value,
                         const char   *doing,
                         GError      **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_ROW)
    {
      _nexus_store_set_error (self, rc, error, doing);
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return FALSE;
    }
  *out_value = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  return TRUE;
}

gboolean
_nexus_store_exec (NexusStore *self, const char *sql, GError **error)
{
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      _nexus_store_set_error (self, rc, error, "a write");
      return FALSE;
    }
  return TRUE;
}

/* BEGIN and COMMIT from the statement cache: the worker API runs one of
 * each per group commit. */
static gboolean
exec_cached (NexusStore *self, const char *sql, const char *doing, GError **error)
{
  sqlite3_stmt *stmt = _nexus_store_prepare (self, sql, error);

  return stmt != NULL && _nexus_store_step_done (self, stmt, doing, error);
}

gboolean
_nexus_store_begin (NexusStore *self, GError **error)
{
  g_return_val_if_fail (!self->in_transaction, FALSE);

  if (!exec_cached (self, "BEGIN IMMEDIATE", "a write", error))
    return FALSE;
  self->in_transaction = TRUE;
  return TRUE;
}

/**
 * _nexus_store_index_pending:
 *
 * Puts the leads waiting in leads_fts_pending into the full-text index, in
 * one statement (see nexus-schema-leads.c, version 3).  Inside the caller's
 * transaction; _nexus_store_commit() calls it before every commit.
 */
gboolean
_nexus_store_index_pending (NexusStore *self, GError **error)
{
  sqlite3_stmt *stmt;
  gint64        waiting = 0;

  if (self->read_only || self->schema_version < 3)
    return TRUE;
  stmt = _nexus_store_prepare (self, "SELECT EXISTS (SELECT 1 FROM leads_fts_pending)", error);
  if (stmt == NULL ||
      !_nexus_store_step_int64 (self, stmt, &waiting, "looking for leads to index", error))
    return FALSE;
  if (!waiting)
    return TRUE;

  stmt =
      _nexus_store_prepare (self,
                            "INSERT INTO leads_fts (rowid, name_norm, address_norm, category, city)"
                            " SELECT l.id, l.name_norm, l.address_norm, l.category, l.city"
                            " FROM leads_fts_pending p JOIN leads l ON l.id = p.id",
                            error);
  if (stmt == NULL || !_nexus_store_step_done (self, stmt, "indexing new leads", error))
    return FALSE;
  stmt = _nexus_store_prepare (self, "DELETE FROM leads_fts_pending", error);
  return stmt != NULL && _nexus_store_step_done (self, stmt, "indexing new leads", error);
}

/* A webhook endpoint was added, changed or removed through this store. */
void
_nexus_store_note_webhook_change (NexusStore *self)
{
  self->webhook_changes++;
}

/* How many times _nexus_store_note_webhook_change() and a rollback ran. */
guint64
_nexus_store_get_webhook_changes (NexusStore *self)
{
  return self->webhook_changes;
}

/**
 * nexus_store_index_new_leads:
 *
 * Every commit through a store indexes the leads it added; this indexes
 * those that another program wrote straight into the file (in a
 * transaction of its own).
 */
gboolean
nexus_store_index_new_leads (NexusStore *self, GError **error)
{
  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);

  return _nexus_store_begin (self, error) && _nexus_store_commit (self, error);
}

gboolean
_nexus_store_commit (NexusStore *self, GError **error)
{
  g_return_val_if_fail (self->in_transaction, FALSE);

  if (!_nexus_store_index_pending (self, error))
    {
      _nexus_store_rollback (self);
      return FALSE;
    }
  if (!exec_cached (self, "COMMIT", "a write", error))
    {
      _nexus_store_rollback (self);
      return FALSE;
    }
  self->in_transaction = FALSE;
  return TRUE;
}

void
_nexus_store_rollback (NexusStore *self)
{
  if (!self->in_transaction)
    return;
  self->webhook_changes++;
  /* After SQLITE_FULL or an I/O error SQLite may already have rolled back;
   * a second ROLLBACK then fails harmlessly. */
  if (sqlite3_get_autocommit (self->db) == 0)
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  self->in_transaction = FALSE;
}

gboolean
nexus_store_begin (NexusStore *self, GError **error)
{
  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);

  return _nexus_store_begin (self, error);
}

gboolean
nexus_store_commit (NexusStore *self, GError **error)
{
  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);

  return _nexus_store_commit (self, error);
}

void
nexus_store_rollback (NexusStore *self)
{
  g_return_if_fail (NEXUS_IS_STORE (self));

  _nexus_store_rollback (self);
}

/* Savepoints nest inside a transaction: one report's work can be undone
 * without losing the others' in a group commit.  @name is a fixed
 * identifier of the caller's, never input. */
/* SAVEPOINT, RELEASE and ROLLBACK TO name @name: from the statement cache,
 * since the worker API runs one of each per request. */
static gboolean
savepoint_exec (NexusStore *self, const char *verb, const char *name, GError **error)
{
  g_autofree char *sql = g_strdup_printf ("%s %s", verb, name);

  return exec_cached (self, sql, "a savepoint", error);
}

gboolean
nexus_store_savepoint (NexusStore *self, const char *name, GError **error)
{
  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);

  return savepoint_exec (self, "SAVEPOINT", name, error);
}

gboolean
nexus_store_release (NexusStore *self, const char *name, GError **error)
{
  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);

  return savepoint_exec (self, "RELEASE", name, error);
}

void
nexus_store_rollback_to (NexusStore *self, const char *name)
{
  g_return_if_fail (NEXUS_IS_STORE (self));

  savepoint_exec (self, "ROLLBACK TO", name, NULL);
}

gboolean
nexus_store_in_transaction (NexusStore *self)
{
  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);

  return self->in_transaction;
}

static gboolean
query_int (sqlite3 *db, const char *path, const char *sql, gint64 *out_value, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (path, db, rc, error, "reading the file header");
      return FALSE;
    }
  *out_value = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

/* Refuses a path we must not touch, before SQLite sees it.  Root passes
 * every access() check; then SQLite's own errors are mapped instead. */
static gboolean
check_location (const char *path, NexusStoreOpenFlags flags, gboolean *out_exists, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  gboolean         exists = g_file_test (path, G_FILE_TEST_EXISTS);

  if (exists && g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_INVALID,
                   _ ("“%s” is a folder, not a database file"), path);
      return FALSE;
    }

  if (!exists && (flags & (NEXUS_STORE_OPEN_READ_ONLY | NEXUS_STORE_OPEN_NO_CREATE)) != 0)
    {
      g_set_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_NOT_FOUND,
                   _ ("There is no database at “%s”"), path);
      return FALSE;
    }

  if ((flags & NEXUS_STORE_OPEN_READ_ONLY) != 0)
    {
      if (g_access (path, R_OK) != 0)
        {
          g_set_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_PERMISSION,
                       _ ("No permission to read “%s”"), path);
          return FALSE;
        }
    }
  else
    {
      if (!exists && g_mkdir_with_parents (dir, 0700) != 0)
        {
          int err = errno;
          g_set_error (
              error, NEXUS_STORE_ERROR,
              errno_means_full (err) ? NEXUS_STORE_ERROR_DISK_FULL : NEXUS_STORE_ERROR_PERMISSION,
              _ ("Cannot create the folder “%s” for “%s”: %s"), dir, path, g_strerror (err));
          return FALSE;
        }
      /* WAL mode keeps -wal and -shm files beside the database, so the
       * folder must be writable as well as the file. */
      if (g_access (dir, W_OK) != 0)
        {
          g_set_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_PERMISSION,
                       _ ("Cannot use “%s”: its folder “%s” is not writable"), path, dir);
          return FALSE;
        }
      if (exists && g_access (path, R_OK | W_OK) != 0)
        {
          g_set_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_PERMISSION,
                       _ ("Cannot use “%s”: the file is not writable"), path);
          return FALSE;
        }
    }

  *out_exists = exists;
  return TRUE;
}

/* Creates an empty file readable only by its owner: worker secrets live in
 * the database. */
static gboolean
create_private_file (const char *path, GError **error)
{
  int fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

  if (fd < 0)
    {
      int err = errno;
      g_set_error (error, NEXUS_STORE_ERROR,
                   errno_means_full (err)     ? NEXUS_STORE_ERROR_DISK_FULL
                   : errno_means_denied (err) ? NEXUS_STORE_ERROR_PERMISSION
                                              : NEXUS_STORE_ERROR_FAILED,
                   _ ("Cannot create “%s”: %s"), path, g_strerror (err));
      return FALSE;
    }
  close (fd);
  return TRUE;
}

static void
remove_database_files (const char *path)
{
  static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
      g_unlink (file);
    }
}

/* Reads what the file says about itself without writing to it. */
static gboolean
check_identity (NexusStore *self, GError **error)
{
  gint64 version = 0;
  gint64 app_id = 0;
  gint64 n_objects = 0;

  if (!query_int (self->db, self->path, "PRAGMA user_version", &version, error) ||
      !query_int (self->db, self->path, "PRAGMA application_id", &app_id, error) ||
      !query_int (self->db, self->path, "SELECT count(*) FROM sqlite_schema", &n_objects, error))
    return FALSE;

  if (app_id != NEXUS_APPLICATION_ID && (version != 0 || n_objects != 0))
    {
      g_set_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_CORRUPT,
                   _ ("“%s” is an SQLite database of another program, not a Nexus database"),
                   self->path);
      return FALSE;
    }

  if (version > NEXUS_SCHEMA_VERSION)
    {
      g_set_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_NEWER_SCHEMA,
                   _ ("“%s” was written by a newer version of Nexus (schema %d; "
                      "this program knows schema %d or older). Update Nexus to open it."),
                   self->path, (int)version, NEXUS_SCHEMA_VERSION);
      return FALSE;
    }

  self->schema_version = (int)version;
  return TRUE;
}

static gboolean
set_wal_mode (NexusStore *self, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  const char *mode;
  int         rc;

  rc = sqlite3_prepare_v2 (self->db, "PRAGMA journal_mode = WAL", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      _nexus_store_set_error (self, rc, error, "switching to WAL mode");
      return FALSE;
    }

  /* SQLite answers with the mode now in force, which stays the old one when
   * the switch is impossible (e.g. the folder cannot hold the -wal file). */
  mode = (const char *)sqlite3_column_text (stmt, 0);
  if (g_strcmp0 (mode, "wal") != 0)
    {
      g_set_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_PERMISSION,
                   _ ("Cannot use “%s” in WAL mode (it stays in “%s” mode)"), self->path,
                   mode != NULL ? mode : "?");
      return FALSE;
    }
  return TRUE;
}

static gboolean
apply_pragmas (NexusStore *self, GError **error)
{
  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);
  sqlite3_extended_result_codes (self->db, TRUE);

  if (!_nexus_store_exec (self,
                          "PRAGMA foreign_keys = ON;"
                          "PRAGMA temp_store = MEMORY;"
                          "PRAGMA cache_size = -16000;",
                          error))
    return FALSE;

  if (self->read_only)
    return TRUE;

  return set_wal_mode (self, error) &&
         _nexus_store_exec (self, "PRAGMA synchronous = NORMAL;", error);
}

static gboolean
migrate (NexusStore *self, GError **error)
{
  const NexusMigration *migrations;
  guint                 n_migrations;
  g_autofree char      *finish = NULL;

  if (self->schema_version == NEXUS_SCHEMA_VERSION)
    return TRUE;

  migrations = _nexus_schema_get_migrations (&n_migrations);

  if (!_nexus_store_begin (self, error))
    return FALSE;

  for (guint i = 0; i < n_migrations; i++)
    {
      if (migrations[i].version <= self->schema_version)
        continue;
      for (guint j = 0; migrations[i].scripts[j] != NULL; j++)
        {
          if (!_nexus_store_exec (self, migrations[i].scripts[j], error))
            {
              _nexus_store_rollback (self);
              return FALSE;
            }
        }
    }

  finish = g_strdup_printf ("PRAGMA application_id = %d; PRAGMA user_version = %d;",
                            NEXUS_APPLICATION_ID, NEXUS_SCHEMA_VERSION);
  if (!_nexus_store_exec (self, finish, error) || !_nexus_store_commit (self, error))
    {
      _nexus_store_rollback (self);
      return FALSE;
    }

  self->schema_version = NEXUS_SCHEMA_VERSION;
  return TRUE;
}

/* SQLite's process-wide settings, made once. */
static gsize sqlite_configured;

/**
 * nexus_store_open:
 * @path: the database file
 * @flags: how to open it
 * @error: return location for a #NexusStoreError
 *
 * Opens (or creates) the lead vault at @path, applies the connection
 * settings and, for a writable store, brings the schema up to
 * %NEXUS_SCHEMA_VERSION.  A file that is refused is left exactly as it was.
 *
 * Returns: (transfer full): the store, or %NULL with @error set
 */
NexusStore *
nexus_store_open (const char *path, NexusStoreOpenFlags flags, GError **error)
{
  g_autoptr (NexusStore) self = NULL;
  gboolean exists = FALSE;
  int      open_flags;
  int      rc;

  if (path == NULL || *path == '\0')
    {
      g_set_error_literal (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_INVALID,
                           _ ("No database path was given"));
      return NULL;
    }

  if (!check_location (path, flags, &exists, error))
    return NULL;

  if (g_once_init_enter (&sqlite_configured))
    {
      /* Before SQLite's first use in the process: no global memory
       * statistics, whose mutex every allocation would take.  Refused
       * (harmlessly) when another library initialized SQLite first. */
      sqlite3_config (SQLITE_CONFIG_MEMSTATUS, 0);
      g_once_init_leave (&sqlite_configured, 1);
    }

  if (!exists && !create_private_file (path, error))
    return NULL;

  self = g_object_new (NEXUS_TYPE_STORE, NULL);
  self->path = g_strdup (path);
  self->created = !exists;
  self->read_only = (flags & NEXUS_STORE_OPEN_READ_ONLY) != 0;

  open_flags = (self->read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
               SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  rc = sqlite3_open_v2 (path, &self->db, open_flags, NULL);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (path, self->db, rc, error, "opening");
      goto fail;
    }

  if (!check_identity (self, error))
    goto fail;

  if (self->read_only && self->schema_version != NEXUS_SCHEMA_VERSION)
    {
      g_set_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_FAILED,
                   _ ("“%s” has schema %d and must be upgraded by a writable open first"), path,
                   self->schema_version);
      goto fail;
    }

  if (!apply_pragmas (self, error))
    goto fail;

  if (!self->read_only && !migrate (self, error))
    goto fail;

  return g_steal_pointer (&self);

fail:
  if (self->db != NULL)
    {
      g_hash_table_remove_all (self->statements);
      sqlite3_close_v2 (self->db);
      self->db = NULL;
    }
  if (self->created)
    remove_database_files (path);
  return NULL;
}

const char *
nexus_store_get_path (NexusStore *self)
{
  g_return_val_if_fail (NEXUS_IS_STORE (self), NULL);

  return self->path;
}

gboolean
nexus_store_get_created (NexusStore *self)
{
  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);

  return self->created;
}

gboolean
nexus_store_get_read_only (NexusStore *self)
{
  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);

  return self->read_only;
}

int
nexus_store_get_schema_version (NexusStore *self)
{
  g_return_val_if_fail (NEXUS_IS_STORE (self), 0);

  return self->schema_version;
}

/**
 * nexus_store_get_table_names:
 *
 * Returns: (transfer none): the core tables, %NULL-terminated
 */
const char *const *
nexus_store_get_table_names (void)
{
  return table_names;
}

gboolean
nexus_store_count_rows (NexusStore *self, const char *table, gint64 *out_count, GError **error)
{
  g_autofree char *sql = NULL;
  sqlite3_stmt    *stmt;

  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);
  g_return_val_if_fail (out_count != NULL, FALSE);

  /* Only known names reach the SQL text. */
  if (table == NULL || !g_strv_contains (table_names, table))
    {
      g_set_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_INVALID, _ ("Unknown table “%s”"),
                   table != NULL ? table : "");
      return FALSE;
    }

  sql = g_strdup_printf ("SELECT count(*) FROM %s", table);
  if (!(stmt = _nexus_store_prepare (self, sql, error)))
    return FALSE;

  return _nexus_store_step_int64 (self, stmt, out_count, "counting rows", error);
}

gboolean
nexus_store_count_leads (NexusStore *self, gint64 *out_count, GError **error)
{
  return nexus_store_count_rows (self, "leads", out_count, error);
}

/**
 * nexus_store_set_setting:
 *
 * Stores @value under @key (replacing an older value) in its own
 * transaction.
 */
gboolean
nexus_store_set_setting (NexusStore *self, const char *key, const char *value, GError **error)
{
  sqlite3_stmt *stmt;
  int           rc;

  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);
  g_return_val_if_fail (key != NULL && value != NULL, FALSE);

  stmt = _nexus_store_prepare (self,
                               "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)"
                               " ON CONFLICT (key) DO UPDATE SET value = excluded.value,"
                               " updated_at = excluded.updated_at",
                               error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, value, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, g_get_real_time () / G_USEC_PER_SEC);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _nexus_store_set_error (self, rc, error, "saving a setting");
      return FALSE;
    }
  return TRUE;
}

gboolean
nexus_store_delete_setting (NexusStore *self, const char *key, GError **error)
{
  sqlite3_stmt *stmt;
  int           rc;

  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);

  stmt = _nexus_store_prepare (self, "DELETE FROM settings WHERE key = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _nexus_store_set_error (self, rc, error, "removing a setting");
      return FALSE;
    }
  return TRUE;
}

/**
 * nexus_store_get_setting:
 *
 * Returns: (transfer full) (nullable): the value, or %NULL when unset (then
 *   @error stays unset) or on error
 */
char *
nexus_store_get_setting (NexusStore *self, const char *key, GError **error)
{
  sqlite3_stmt *stmt;
  char         *value = NULL;
  int           rc;

  g_return_val_if_fail (NEXUS_IS_STORE (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  stmt = _nexus_store_prepare (self, "SELECT value FROM settings WHERE key = ?", error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    value = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
  else if (rc != SQLITE_DONE)
    _nexus_store_set_error (self, rc, error, "reading a setting");
  sqlite3_reset (stmt);
  return value;
}

/**
 * nexus_store_checkpoint:
 *
 * Copies the WAL back into the database file and truncates it; run at a
 * clean shutdown so the file alone is a complete copy.
 */
gboolean
nexus_store_checkpoint (NexusStore *self, GError **error)
{
  int rc;

  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);

  if (self->read_only)
    return TRUE;

  rc = sqlite3_wal_checkpoint_v2 (self->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      _nexus_store_set_error (self, rc, error, "the WAL checkpoint");
      return FALSE;
    }
  return TRUE;
}

/**
 * nexus_store_set_autocheckpoint:
 * @n_pages: WAL pages after which a commit checkpoints; 0 turns it off
 *
 * The engine turns it off on its write connection and checkpoints from a
 * thread of its own, so no commit on the engine thread pays for one.
 */
gboolean
nexus_store_set_autocheckpoint (NexusStore *self, int n_pages, GError **error)
{
  g_autofree char *sql = g_strdup_printf ("PRAGMA wal_autocheckpoint = %d", MAX (n_pages, 0));

  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);

  return _nexus_store_exec (self, sql, error);
}

/* Copies what it can of the WAL into the database without waiting for
 * readers or blocking the writer. */
gboolean
nexus_store_checkpoint_passive (NexusStore *self, GError **error)
{
  int rc;

  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);

  rc = sqlite3_wal_checkpoint_v2 (self->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
  if (rc != SQLITE_OK && rc != SQLITE_BUSY)
    {
      _nexus_store_set_error (self, rc, error, "a WAL checkpoint");
      return FALSE;
    }
  return TRUE;
}

/**
 * nexus_store_get_data_version:
 *
 * Returns: a number that changes when another connection (another process
 *   included) commits to the file; cheap enough to poll every second
 */
gint64
nexus_store_get_data_version (NexusStore *self)
{
  sqlite3_stmt *stmt;
  gint64        version = -1;

  g_return_val_if_fail (NEXUS_IS_STORE (self), -1);

  /* A cached statement: the worker API asks on every request. */
  stmt = _nexus_store_prepare (self, "PRAGMA data_version", NULL);
  if (stmt == NULL)
    return -1;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return version;
}
