/* nexus-store-ops.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nexus-store"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>
#include <string.h>

#include "nexus-store-ops.h"
#include "nexus-store-private.h"

/* Problems of an integrity check shown at most. */
#define MAX_PROBLEMS 20

struct _NexusStoreLock
{
  /* The locked file, for messages. */
  char *path;
  /* A connection in exclusive locking mode; closing it releases the lock. */
  sqlite3 *db;
};

/* A raw connection of this file's own: the path-based functions. */
static void
set_file_error (const char *path, sqlite3 *db, int rc, GError **error, const char *doing)
{
  int         primary = rc & 0xff;
  const char *detail = db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc);

  if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB)
    g_set_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_CORRUPT,
                 _ ("“%s” is not a database or is damaged (%s)"), path, detail);
  else if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
    g_set_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_BUSY,
                 _ ("“%s” is open in another program (a running engine or console?): %s "
                    "failed. Stop it and try again."),
                 path, doing);
  else if (primary == SQLITE_CANTOPEN)
    g_set_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_NOT_FOUND, _ ("Cannot open “%s”: %s"),
                 path, detail);
  else
    g_set_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_FAILED,
                 _ ("Database “%s”: %s failed: %s"), path, doing, detail);
}

/* Runs a query answering one integer on a raw connection. */
static gboolean
db_query_int (sqlite3 *db, const char *path, const char *sql, gint64 *out_value, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      set_file_error (path, db, rc, error, "reading the file");
      return FALSE;
    }
  *out_value = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

static gboolean
store_query_int (NexusStore *self, const char *sql, gint64 *out_value, GError **error)
{
  sqlite3_stmt *stmt;
  int           rc;

  if (!(stmt = _nexus_store_prepare (self, sql, error)))
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      _nexus_store_set_error (self, rc, error, "a check");
      return FALSE;
    }
  *out_value = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return TRUE;
}

static gboolean
refuse_in_transaction (NexusStore *self, const char *what, GError **error)
{
  if (!nexus_store_in_transaction (self))
    return FALSE;
  g_set_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_INVALID,
               "%s cannot run inside a transaction", what);
  return TRUE;
}

/**
 * nexus_store_ops_purge_batch:
 * @before: rows older than this (unix seconds) go
 * @limit: at most this many rows
 * @out_removed: (out) (optional): how many went
 *
 * Removes one batch, inside the caller's transaction: the caller loops
 * until fewer than @limit rows went, committing between batches so no
 * transaction holds the write lock for long.
 */
gboolean
nexus_store_ops_purge_batch (NexusStore     *self,
                             NexusStorePurge what,
                             gint64          before,
                             guint           limit,
                             gint64         *out_removed,
                             GError        **error)
{
  static const char *const statements[] = {
    [NEXUS_STORE_PURGE_REPLAY] = "DELETE FROM hmac_replay WHERE id IN"
                                 " (SELECT id FROM hmac_replay WHERE seen_at < ?1 LIMIT ?2)",
    [NEXUS_STORE_PURGE_IDEMPOTENCY] =
        "DELETE FROM idempotency_keys WHERE (worker_id, key) IN"
        " (SELECT worker_id, key FROM idempotency_keys WHERE created_at < ?1 LIMIT ?2)",
    /* A job cancelled before it ran has no finished_at: its last update
     * stands for it. */
    [NEXUS_STORE_PURGE_JOBS] =
        "DELETE FROM internal_jobs WHERE id IN"
        " (SELECT id FROM internal_jobs WHERE status IN ('done', 'dead', 'cancelled')"
        "  AND coalesce(finished_at, updated_at) < ?1 LIMIT ?2)",
    [NEXUS_STORE_PURGE_AUDIT] =
        "DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at < ?1 LIMIT ?2)",
    /* A pending delivery is still owed to its endpoint, however old. */
    [NEXUS_STORE_PURGE_DELIVERIES] =
        "DELETE FROM webhook_deliveries WHERE id IN"
        " (SELECT id FROM webhook_deliveries WHERE status != 'pending' AND updated_at < ?1"
        "  LIMIT ?2)",
    [NEXUS_STORE_PURGE_WORKER_HOURS] =
        "DELETE FROM worker_hours WHERE (worker_id, hour) IN"
        " (SELECT worker_id, hour FROM worker_hours WHERE hour < ?1 LIMIT ?2)",
  };
  sqlite3_stmt *stmt;

  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);
  g_return_val_if_fail ((guint)what < G_N_ELEMENTS (statements), FALSE);

  if (!(stmt = _nexus_store_prepare (self, statements[what], error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, before);
  sqlite3_bind_int64 (stmt, 2, limit);
  if (!_nexus_store_step_done (self, stmt, "a retention purge", error))
    return FALSE;
  if (out_removed != NULL)
    *out_removed = sqlite3_changes64 (_nexus_store_get_db (self));
  return TRUE;
}

/**
 * nexus_store_ops_checkpoint_truncate:
 * @out_complete: (out): FALSE when a reader kept part of the WAL alive
 *
 * Copies the WAL into the database file and truncates it to zero bytes.
 * A reader of another process may keep it from finishing; that is not an
 * error, only @out_complete says so.
 */
gboolean
nexus_store_ops_checkpoint_truncate (NexusStore *self, gboolean *out_complete, GError **error)
{
  int rc;

  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);

  if (refuse_in_transaction (self, "A checkpoint", error))
    return FALSE;

  rc = sqlite3_wal_checkpoint_v2 (_nexus_store_get_db (self), NULL, SQLITE_CHECKPOINT_TRUNCATE,
                                  NULL, NULL);
  if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY)
    {
      _nexus_store_set_error (self, rc, error, "the WAL checkpoint");
      return FALSE;
    }
  if (out_complete != NULL)
    *out_complete = rc == SQLITE_OK;
  return TRUE;
}

/* Fresh statistics for the query planner. */
gboolean
nexus_store_ops_optimize (NexusStore *self, GError **error)
{
  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);

  if (refuse_in_transaction (self, "ANALYZE", error))
    return FALSE;
  return _nexus_store_exec (self, "ANALYZE; PRAGMA optimize;", error);
}

/* Rewrites the whole file: needs as much free space again as the file. */
gboolean
nexus_store_ops_vacuum (NexusStore *self, GError **error)
{
  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);

  if (refuse_in_transaction (self, "VACUUM", error))
    return FALSE;
  return _nexus_store_exec (self, "VACUUM", error);
}

/**
 * nexus_store_ops_vacuum_into:
 * @path: a file that must not exist yet
 *
 * Writes a consistent snapshot of the database to @path: one read
 * transaction, so commits of other connections (other processes included)
 * during the copy are either wholly in it or not at all, and never wait for
 * it.  Works on a read-only store.
 */
gboolean
nexus_store_ops_vacuum_into (NexusStore *self, const char *path, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  sqlite3 *db;
  int      rc;

  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (refuse_in_transaction (self, "VACUUM INTO", error))
    return FALSE;

  db = _nexus_store_get_db (self);
  rc = sqlite3_prepare_v2 (db, "VACUUM INTO ?", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, path, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
    }
  if (rc != SQLITE_DONE)
    {
      _nexus_store_set_error (self, rc, error, "writing a snapshot");
      return FALSE;
    }
  return TRUE;
}

/**
 * nexus_store_ops_integrity:
 * @full: PRAGMA integrity_check instead of quick_check (which skips the
 *   comparison of indexes with their tables)
 * @out_problems: (out) (transfer full): %NULL when the file is sound, else
 *   the first problems found
 */
gboolean
nexus_store_ops_integrity (NexusStore *self, gboolean full, char ***out_problems, GError **error)
{
  g_autoptr (GStrvBuilder) problems = g_strv_builder_new ();
  g_autofree char *sql = NULL;
  sqlite3_stmt    *stmt;
  gboolean         sound = FALSE;
  int              rc;

  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);

  sql = g_strdup_printf ("PRAGMA %s(%d)", full ? "integrity_check" : "quick_check", MAX_PROBLEMS);
  if (!(stmt = _nexus_store_prepare (self, sql, error)))
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *line = (const char *)sqlite3_column_text (stmt, 0);

      if (g_strcmp0 (line, "ok") == 0)
        sound = TRUE;
      else
        g_strv_builder_add (problems, line != NULL ? line : "?");
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE && (rc & 0xff) != SQLITE_CORRUPT)
    {
      _nexus_store_set_error (self, rc, error, "the integrity check");
      return FALSE;
    }
  if ((rc & 0xff) == SQLITE_CORRUPT)
    {
      g_strv_builder_add (problems, sqlite3_errmsg (_nexus_store_get_db (self)));
      sound = FALSE;
    }

  *out_problems = sound ? NULL : g_strv_builder_end (problems);
  return TRUE;
}

/**
 * nexus_store_ops_foreign_keys:
 * @out_first: (out) (transfer full) (nullable): the first violation,
 *   described
 */
gboolean
nexus_store_ops_foreign_keys (NexusStore *self,
                              gint64     *out_violations,
                              char      **out_first,
                              GError    **error)
{
  sqlite3_stmt *stmt;
  gint64        n = 0;
  int           rc;

  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);

  *out_first = NULL;
  if (!(stmt = _nexus_store_prepare (self, "PRAGMA foreign_key_check", error)))
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (n++ == 0)
        *out_first = g_strdup_printf (
            "%s row %" PRId64 " → %s", (const char *)sqlite3_column_text (stmt, 0),
            (gint64)sqlite3_column_int64 (stmt, 1), (const char *)sqlite3_column_text (stmt, 2));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      g_clear_pointer (out_first, g_free);
      _nexus_store_set_error (self, rc, error, "the foreign key check");
      return FALSE;
    }
  *out_violations = n;
  return TRUE;
}

/* The indexes and triggers of a file: "index NAME" / "trigger NAME" → SQL. */
static GHashTable *
list_schema_objects (sqlite3 *db, const char *path, GError **error)
{
  g_autoptr (GHashTable) objects = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db,
                           "SELECT type, name, sql FROM sqlite_schema"
                           " WHERE type IN ('index', 'trigger') AND sql IS NOT NULL",
                           -1, &stmt, NULL);
  while (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_hash_table_insert (objects,
                           g_strdup_printf ("%s %s", (const char *)sqlite3_column_text (stmt, 0),
                                            (const char *)sqlite3_column_text (stmt, 1)),
                           g_strdup ((const char *)sqlite3_column_text (stmt, 2)));
      rc = SQLITE_OK;
    }
  if (rc != SQLITE_DONE)
    {
      set_file_error (path, db, rc, error, "listing indexes and triggers");
      return NULL;
    }
  return g_steal_pointer (&objects);
}

/* The objects of a database made now from the migrations, in memory. */
static GHashTable *
list_fresh_schema_objects (GError **error)
{
  const NexusMigration *migrations;
  guint                 n_migrations;
  GHashTable           *objects;
  sqlite3              *db = NULL;
  int                   rc;

  rc = sqlite3_open_v2 (":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY, NULL);
  migrations = _nexus_schema_get_migrations (&n_migrations);
  for (guint i = 0; rc == SQLITE_OK && i < n_migrations; i++)
    {
      if (migrations[i].version > NEXUS_SCHEMA_VERSION)
        break;
      for (guint j = 0; rc == SQLITE_OK && migrations[i].scripts[j] != NULL; j++)
        rc = sqlite3_exec (db, migrations[i].scripts[j], NULL, NULL, NULL);
    }
  if (rc != SQLITE_OK)
    {
      set_file_error (":memory:", db, rc, error, "building the reference schema");
      sqlite3_close (db);
      return NULL;
    }
  objects = list_schema_objects (db, ":memory:", error);
  sqlite3_close (db);
  return objects;
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *)a, *(const char *const *)b);
}

/* The keys of @a missing from @b, sorted. */
static char **
keys_missing_from (GHashTable *a, GHashTable *b)
{
  g_autoptr (GPtrArray) keys = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer       key;
  char         **result;

  g_hash_table_iter_init (&iter, a);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (b, key))
      g_ptr_array_add (keys, g_strdup (key));
  g_ptr_array_sort (keys, compare_strings);
  g_ptr_array_add (keys, NULL);
  result = (char **)g_ptr_array_steal (keys, NULL);
  return result;
}

/**
 * nexus_store_ops_schema_diff:
 * @out_missing: (out) (transfer full): "index NAME" or "trigger NAME" for
 *   each object a fresh database of this program has and the file lacks
 * @out_extra: (out) (transfer full): the file's objects a fresh database
 *   lacks
 */
gboolean
nexus_store_ops_schema_diff (NexusStore *self,
                             char     ***out_missing,
                             char     ***out_extra,
                             GError    **error)
{
  g_autoptr (GHashTable) fresh = NULL;
  g_autoptr (GHashTable) live = NULL;

  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);

  if (!(fresh = list_fresh_schema_objects (error)) ||
      !(live =
            list_schema_objects (_nexus_store_get_db (self), nexus_store_get_path (self), error)))
    return FALSE;

  *out_missing = keys_missing_from (fresh, live);
  *out_extra = keys_missing_from (live, fresh);
  return TRUE;
}

/**
 * nexus_store_ops_fts_state:
 * @out_out_of_step: (out): leads the full-text index lacks plus index rows
 *   whose lead is gone
 *
 * leads_fts is an external-content table: count(*) on it reads leads, so
 * the index's own rows are counted in its docsize table.  A lead whose
 * text changed without the index following is not seen here.
 */
gboolean
nexus_store_ops_fts_state (NexusStore *self,
                           gint64     *out_leads,
                           gint64     *out_indexed,
                           gint64     *out_out_of_step,
                           GError    **error)
{
  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);

  return store_query_int (self, "SELECT count(*) FROM leads", out_leads, error) &&
         store_query_int (self, "SELECT count(*) FROM leads_fts_docsize", out_indexed, error) &&
         store_query_int (self,
                          "SELECT (SELECT count(*) FROM leads WHERE id NOT IN"
                          "  (SELECT id FROM leads_fts_docsize))"
                          " + (SELECT count(*) FROM leads_fts_docsize WHERE id NOT IN"
                          "  (SELECT id FROM leads))",
                          out_out_of_step, error);
}

/**
 * nexus_store_ops_geo_state:
 * @out_located: (out): leads with coordinates
 * @out_indexed: (out): rows of leads_geo
 * @out_out_of_step: (out): located leads missing from leads_geo plus rows
 *   of leads_geo without a located lead
 */
gboolean
nexus_store_ops_geo_state (NexusStore *self,
                           gint64     *out_located,
                           gint64     *out_indexed,
                           gint64     *out_out_of_step,
                           GError    **error)
{
  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);

  return store_query_int (self,
                          "SELECT count(*) FROM leads WHERE lat IS NOT NULL AND lon IS NOT NULL",
                          out_located, error) &&
         store_query_int (self, "SELECT count(*) FROM leads_geo", out_indexed, error) &&
         store_query_int (self,
                          "SELECT (SELECT count(*) FROM leads l"
                          "  WHERE l.lat IS NOT NULL AND l.lon IS NOT NULL"
                          "  AND NOT EXISTS (SELECT 1 FROM leads_geo g WHERE g.id = l.id))"
                          " + (SELECT count(*) FROM leads_geo g WHERE NOT EXISTS"
                          "  (SELECT 1 FROM leads l WHERE l.id = g.id"
                          "   AND l.lat IS NOT NULL AND l.lon IS NOT NULL))",
                          out_out_of_step, error);
}

/* Runs @sql in a transaction of its own. */
static gboolean
exec_in_transaction (NexusStore *self, const char *sql, GError **error)
{
  if (!_nexus_store_begin (self, error))
    return FALSE;
  if (!_nexus_store_exec (self, sql, error) || !_nexus_store_commit (self, error))
    {
      _nexus_store_rollback (self);
      return FALSE;
    }
  return TRUE;
}

/**
 * nexus_store_ops_restore_schema_objects:
 * @out_created: (out) (optional): how many indexes and triggers were made
 *
 * Creates the indexes and triggers a fresh database has and this one lacks,
 * from the program's own schema, in one transaction.
 */
gboolean
nexus_store_ops_restore_schema_objects (NexusStore *self, guint *out_created, GError **error)
{
  g_autoptr (GHashTable) fresh = NULL;
  g_autoptr (GHashTable) live = NULL;
  g_auto (GStrv) missing = NULL;

  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);

  if (!(fresh = list_fresh_schema_objects (error)) ||
      !(live =
            list_schema_objects (_nexus_store_get_db (self), nexus_store_get_path (self), error)))
    return FALSE;
  missing = keys_missing_from (fresh, live);

  if (!_nexus_store_begin (self, error))
    return FALSE;
  for (guint i = 0; missing[i] != NULL; i++)
    {
      if (!_nexus_store_exec (self, g_hash_table_lookup (fresh, missing[i]), error))
        {
          _nexus_store_rollback (self);
          return FALSE;
        }
    }
  if (!_nexus_store_commit (self, error))
    return FALSE;

  if (out_created != NULL)
    *out_created = g_strv_length (missing);
  return TRUE;
}

/* Rebuilds the full-text index from the leads table. */
gboolean
nexus_store_ops_rebuild_fts (NexusStore *self, GError **error)
{
  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);

  /* The rebuild indexes every lead, those waiting included. */
  return exec_in_transaction (self,
                              "INSERT INTO leads_fts (leads_fts) VALUES ('rebuild');"
                              "DELETE FROM leads_fts_pending;",
                              error);
}

/* Rebuilds the R*Tree from the leads' coordinates, as the triggers would. */
gboolean
nexus_store_ops_rebuild_geo (NexusStore *self, GError **error)
{
  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);

  return exec_in_transaction (self,
                              "DELETE FROM leads_geo;"
                              "INSERT INTO leads_geo SELECT id, lat, lat, lon, lon FROM leads"
                              "  WHERE lat IS NOT NULL AND lon IS NOT NULL;",
                              error);
}

static gboolean
table_exists (sqlite3    *db,
              const char *path,
              const char *table,
              gboolean   *out_exists,
              GError    **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?", -1,
                           &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, table, -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
    }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      set_file_error (path, db, rc, error, "reading the schema");
      return FALSE;
    }
  *out_exists = rc == SQLITE_ROW;
  return TRUE;
}

/**
 * nexus_store_ops_inspect_file:
 * @check_integrity: run PRAGMA integrity_check too
 * @info: (out caller-allocates): cleared with nexus_store_file_info_clear()
 *
 * Reads the file as immutable: no -wal or -shm file is made or read, so it
 * must be a complete file (a snapshot, an extracted backup).
 */
gboolean
nexus_store_ops_inspect_file (const char         *path,
                              gboolean            check_integrity,
                              NexusStoreFileInfo *info,
                              GError            **error)
{
  const char *const *tables = nexus_store_get_table_names ();
  g_autofree char   *uri = NULL;
  g_autofree char   *absolute = NULL;
  sqlite3           *db = NULL;
  gboolean           ok = FALSE;
  int                rc;

  g_return_val_if_fail (path != NULL && info != NULL, FALSE);

  memset (info, 0, sizeof *info);
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_NOT_FOUND,
                   _ ("There is no database at “%s”"), path);
      return FALSE;
    }

  absolute = g_canonicalize_filename (path, NULL);
  uri = g_filename_to_uri (absolute, NULL, error);
  if (uri == NULL)
    return FALSE;
  /* g_filename_to_uri() escapes '?' and '#'; SQLite reads the rest. */
  {
    g_autofree char *with_query = g_strconcat (uri, "?immutable=1", NULL);

    rc = sqlite3_open_v2 (with_query, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
  }
  if (rc != SQLITE_OK)
    {
      set_file_error (path, db, rc, error, "opening");
      goto out;
    }

  if (!db_query_int (db, path, "PRAGMA application_id", &info->application_id, error) ||
      !db_query_int (db, path, "PRAGMA user_version", &info->schema_version, error))
    goto out;

  if (check_integrity)
    {
      g_autoptr (sqlite3_stmt) stmt = NULL;
      g_autoptr (GString) text = g_string_new (NULL);

      rc = sqlite3_prepare_v2 (db, "PRAGMA integrity_check(20)", -1, &stmt, NULL);
      while (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          if (text->len > 0)
            g_string_append_c (text, '\n');
          g_string_append (text, (const char *)sqlite3_column_text (stmt, 0));
          rc = SQLITE_OK;
        }
      if (rc != SQLITE_DONE)
        {
          /* A file too damaged to check is reported, not an error. */
          if (text->len > 0)
            g_string_append_c (text, '\n');
          g_string_append (text, sqlite3_errmsg (db));
        }
      info->integrity = g_string_free (g_steal_pointer (&text), FALSE);
    }

  info->n_counts = g_strv_length ((char **)tables);
  info->counts = g_new0 (gint64, info->n_counts);
  for (guint i = 0; i < info->n_counts; i++)
    {
      g_autofree char *sql = NULL;
      gboolean         exists = FALSE;

      if (!table_exists (db, path, tables[i], &exists, error))
        goto out;
      if (!exists)
        {
          info->counts[i] = -1;
          continue;
        }
      /* Only the program's own table names reach the SQL text. */
      sql = g_strdup_printf ("SELECT count(*) FROM %s", tables[i]);
      if (!db_query_int (db, path, sql, &info->counts[i], error))
        goto out;
    }
  ok = TRUE;

out:
  sqlite3_close_v2 (db);
  if (!ok)
    nexus_store_file_info_clear (info);
  return ok;
}

void
nexus_store_file_info_clear (NexusStoreFileInfo *info)
{
  g_clear_pointer (&info->integrity, g_free);
  g_clear_pointer (&info->counts, g_free);
  info->n_counts = 0;
}

/**
 * nexus_store_ops_lock:
 * @timeout_ms: how long to wait for other connections to let go
 *
 * Takes the file for this process alone.  In WAL mode every open connection
 * holds a shared lock on the database file for as long as it is open, so the
 * exclusive lock is refused (NEXUS_STORE_ERROR_BUSY) while any other
 * connection — an idle engine included — has the file open.  The WAL is
 * then checkpointed into the database file and the file leaves WAL mode
 * (the next nexus_store_open() puts it back), so no -wal file remains.
 *
 * Returns: (transfer full): the lock, or %NULL with @error set
 */
NexusStoreLock *
nexus_store_ops_lock (const char *path, int timeout_ms, GError **error)
{
  g_autoptr (NexusStoreLock) lock = NULL;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);

  lock = g_new0 (NexusStoreLock, 1);
  lock->path = g_strdup (path);
  rc = sqlite3_open_v2 (path, &lock->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_EXRESCODE, NULL);
  if (rc != SQLITE_OK)
    {
      set_file_error (path, lock->db, rc, error, "opening");
      return NULL;
    }
  sqlite3_busy_timeout (lock->db, MAX (timeout_ms, 0));

  rc = sqlite3_exec (lock->db,
                     "PRAGMA locking_mode = EXCLUSIVE;"
                     "BEGIN EXCLUSIVE;"
                     "SELECT count(*) FROM sqlite_schema;"
                     "COMMIT;",
                     NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      set_file_error (path, lock->db, rc, error, "taking the file for this program alone");
      return NULL;
    }

  rc = sqlite3_wal_checkpoint_v2 (lock->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      set_file_error (path, lock->db, rc, error, "the WAL checkpoint");
      return NULL;
    }
  /* Out of WAL mode: the file is complete alone and no -wal file stays
   * behind that a file later renamed to this name could inherit. */
  rc = sqlite3_exec (lock->db, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      set_file_error (path, lock->db, rc, error, "leaving WAL mode");
      return NULL;
    }
  return g_steal_pointer (&lock);
}

void
nexus_store_lock_free (NexusStoreLock *lock)
{
  if (lock == NULL)
    return;
  sqlite3_close_v2 (lock->db);
  g_free (lock->path);
  g_free (lock);
}

/**
 * nexus_store_ops_sqlite_version:
 * @out_number: (out) (optional): e.g. 3040001
 *
 * Returns: the version of the SQLite library in use, e.g. "3.40.1"
 */
const char *
nexus_store_ops_sqlite_version (int *out_number)
{
  if (out_number != NULL)
    *out_number = sqlite3_libversion_number ();
  return sqlite3_libversion ();
}

/**
 * nexus_store_ops_sqlite_has:
 * @feature: "fts5", "rtree" or "json"
 *
 * Tries the feature in a database in memory, which is what counts: a
 * compile option may be missing from the list and the feature still
 * loaded, or the other way round.
 */
gboolean
nexus_store_ops_sqlite_has (const char *feature)
{
  const char *sql = NULL;
  sqlite3    *db = NULL;
  int         rc;

  if (g_strcmp0 (feature, "fts5") == 0)
    sql = "CREATE VIRTUAL TABLE probe USING fts5 (x)";
  else if (g_strcmp0 (feature, "rtree") == 0)
    sql = "CREATE VIRTUAL TABLE probe USING rtree (id, a, b)";
  else if (g_strcmp0 (feature, "json") == 0)
    sql = "SELECT json_extract('{\"a\": 1}', '$.a')";
  else
    return FALSE;

  rc = sqlite3_open_v2 (":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_exec (db, sql, NULL, NULL, NULL);
  sqlite3_close (db);
  return rc == SQLITE_OK;
}
