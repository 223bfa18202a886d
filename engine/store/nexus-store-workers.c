/* nexus-store-workers.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "nexus-store-private.h"
#include "nexus-store-workers.h"

#define WORKER_COLUMNS                                                                 \
  "id, public_id, name, state, hostname, address, version, coalesce(last_seen_at, 0)," \
  " jobs_done, leads_found, created_at, coalesce(revoked_at, 0), role"

void
nexus_worker_record_free (NexusWorkerRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->public_id);
  g_free (record->name);
  g_free (record->state);
  g_free (record->hostname);
  g_free (record->address);
  g_free (record->version);
  g_free (record->role);
  g_free (record);
}

void
nexus_secret_record_free (NexusSecretRecord *record)
{
  if (record == NULL)
    return;
  g_clear_pointer (&record->stored, g_bytes_unref);
  g_free (record);
}

static char *
column_strdup (sqlite3_stmt *stmt, int column)
{
  return g_strdup ((const char *)sqlite3_column_text (stmt, column));
}

static NexusWorkerRecord *
read_worker (sqlite3_stmt *stmt)
{
  NexusWorkerRecord *record = g_new0 (NexusWorkerRecord, 1);

  record->id = sqlite3_column_int64 (stmt, 0);
  record->public_id = column_strdup (stmt, 1);
  record->name = column_strdup (stmt, 2);
  record->state = column_strdup (stmt, 3);
  record->hostname = column_strdup (stmt, 4);
  record->address = column_strdup (stmt, 5);
  record->version = column_strdup (stmt, 6);
  record->last_seen_at = sqlite3_column_int64 (stmt, 7);
  record->jobs_done = sqlite3_column_int64 (stmt, 8);
  record->leads_found = sqlite3_column_int64 (stmt, 9);
  record->created_at = sqlite3_column_int64 (stmt, 10);
  record->revoked_at = sqlite3_column_int64 (stmt, 11);
  record->role = column_strdup (stmt, 12);
  return record;
}

static gboolean
insert_secret (NexusStore *self,
               gint64      worker_id,
               GBytes     *secret,
               gboolean    sealed,
               gint64      now,
               GError    **error)
{
  sqlite3_stmt *stmt;
  gsize         length = 0;
  const void   *data = g_bytes_get_data (secret, &length);

  stmt = _nexus_store_prepare (self,
                               "INSERT INTO worker_secrets (worker_id, secret, sealed, created_at)"
                               " VALUES (?, ?, ?, ?)",
                               error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, worker_id);
  sqlite3_bind_blob (stmt, 2, data, (int)length, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 3, sealed);
  sqlite3_bind_int64 (stmt, 4, now);
  return _nexus_store_step_done (self, stmt, "storing a worker secret", error);
}

/**
 * nexus_store_worker_insert:
 *
 * Adds a worker and its first secret.  Runs inside the caller's
 * transaction when one is open.
 *
 * Returns: (transfer full): the new worker
 */
NexusWorkerRecord *
nexus_store_worker_insert (NexusStore *self,
                           const char *public_id,
                           const char *name,
                           const char *role,
                           GBytes     *secret,
                           gboolean    sealed,
                           gint64      now,
                           GError    **error)
{
  sqlite3_stmt *stmt;
  gint64        worker_id;

  stmt = _nexus_store_prepare (
      self, "INSERT INTO workers (public_id, name, created_at, role) VALUES (?, ?, ?, ?)", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, public_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, now);
  sqlite3_bind_text (stmt, 4, role, -1, SQLITE_TRANSIENT);
  if (!_nexus_store_step_done (self, stmt, "adding a worker", error))
    return NULL;
  worker_id = sqlite3_last_insert_rowid (_nexus_store_get_db (self));

  if (!insert_secret (self, worker_id, secret, sealed, now, error))
    return NULL;

  return nexus_store_worker_lookup (self, public_id, error);
}

/**
 * nexus_store_worker_lookup:
 * @id_or_public_id: the numeric row id or the protocol's WORKER_ID
 *
 * Returns: (transfer full) (nullable): the worker, or %NULL with
 *   %NEXUS_STORE_ERROR_NOT_FOUND
 */
NexusWorkerRecord *
nexus_store_worker_lookup (NexusStore *self, const char *id_or_public_id, GError **error)
{
  sqlite3_stmt      *stmt;
  NexusWorkerRecord *record = NULL;
  guint64            row_id = 0;
  int                rc;

  /* Every request's authentication comes here: both lookups use an index
   * (the unique public_id, or the row id), never a scan. */
  if (g_ascii_string_to_unsigned (id_or_public_id, 10, 1, G_MAXINT64, &row_id, NULL))
    stmt =
        _nexus_store_prepare (self, "SELECT " WORKER_COLUMNS " FROM workers WHERE id = ?1", error);
  else
    stmt = _nexus_store_prepare (
        self, "SELECT " WORKER_COLUMNS " FROM workers WHERE public_id = ?1", error);
  if (stmt == NULL)
    return NULL;
  if (row_id > 0)
    sqlite3_bind_int64 (stmt, 1, (gint64)row_id);
  else
    sqlite3_bind_text (stmt, 1, id_or_public_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    record = read_worker (stmt);
  else if (rc == SQLITE_DONE)
    g_set_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_NOT_FOUND, _ ("No worker “%s”"),
                 id_or_public_id);
  else
    _nexus_store_set_error (self, rc, error, "looking up a worker");
  sqlite3_reset (stmt);
  return record;
}

/**
 * nexus_store_worker_list:
 *
 * Returns: (transfer container) (element-type NexusWorkerRecord): every
 *   worker, oldest first
 */
GPtrArray *
nexus_store_worker_list (NexusStore *self, GError **error)
{
  g_autoptr (GPtrArray) workers =
      g_ptr_array_new_with_free_func ((GDestroyNotify)nexus_worker_record_free);
  sqlite3_stmt *stmt;
  int           rc;

  stmt = _nexus_store_prepare (self, "SELECT " WORKER_COLUMNS " FROM workers ORDER BY id", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (workers, read_worker (stmt));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _nexus_store_set_error (self, rc, error, "listing workers");
      return NULL;
    }
  return g_steal_pointer (&workers);
}

/**
 * nexus_store_worker_rotate:
 * @old_valid_until: until when the secrets in force keep working; @now to
 *   end them at once
 *
 * Gives the worker a new current secret.  Runs inside the caller's
 * transaction when one is open.
 */
gboolean
nexus_store_worker_rotate (NexusStore *self,
                           gint64      worker_id,
                           GBytes     *secret,
                           gboolean    sealed,
                           gint64      now,
                           gint64      old_valid_until,
                           GError    **error)
{
  sqlite3_stmt *stmt;

  /* Older secrets still in their grace keep the earlier of the two ends. */
  stmt =
      _nexus_store_prepare (self,
                            "UPDATE worker_secrets SET valid_until ="
                            " CASE WHEN valid_until IS NULL THEN ?2"
                            " ELSE min(valid_until, ?2) END"
                            " WHERE worker_id = ?1 AND (valid_until IS NULL OR valid_until > ?3)",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, worker_id);
  sqlite3_bind_int64 (stmt, 2, old_valid_until);
  sqlite3_bind_int64 (stmt, 3, now);
  if (!_nexus_store_step_done (self, stmt, "rotating a worker secret", error))
    return FALSE;

  return insert_secret (self, worker_id, secret, sealed, now, error);
}

gboolean
nexus_store_worker_revoke (NexusStore *self, gint64 worker_id, gint64 now, GError **error)
{
  sqlite3_stmt *stmt;

  stmt = _nexus_store_prepare (self,
                               "UPDATE workers SET state = 'revoked', revoked_at = ?2"
                               " WHERE id = ?1 AND state <> 'revoked'",
                               error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, worker_id);
  sqlite3_bind_int64 (stmt, 2, now);
  if (!_nexus_store_step_done (self, stmt, "revoking a worker", error))
    return FALSE;

  /* Nothing of a revoked worker's secrets is kept valid. */
  stmt =
      _nexus_store_prepare (self,
                            "UPDATE worker_secrets SET valid_until = ?2"
                            " WHERE worker_id = ?1 AND (valid_until IS NULL OR valid_until > ?2)",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, worker_id);
  sqlite3_bind_int64 (stmt, 2, now);
  return _nexus_store_step_done (self, stmt, "revoking a worker", error);
}

/**
 * nexus_store_worker_secrets:
 *
 * Returns: (transfer container) (element-type NexusSecretRecord): the
 *   secrets valid at @now, the current one first
 */
GPtrArray *
nexus_store_worker_secrets (NexusStore *self, gint64 worker_id, gint64 now, GError **error)
{
  g_autoptr (GPtrArray) secrets =
      g_ptr_array_new_with_free_func ((GDestroyNotify)nexus_secret_record_free);
  sqlite3_stmt *stmt;
  int           rc;

  stmt = _nexus_store_prepare (self,
                               "SELECT secret, sealed, coalesce(valid_until, 0) FROM worker_secrets"
                               " WHERE worker_id = ?1 AND (valid_until IS NULL OR valid_until > ?2)"
                               " ORDER BY valid_until IS NOT NULL, id DESC",
                               error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, worker_id);
  sqlite3_bind_int64 (stmt, 2, now);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      NexusSecretRecord *record = g_new0 (NexusSecretRecord, 1);
      record->stored = g_bytes_new (sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0));
      record->sealed = sqlite3_column_int (stmt, 1);
      record->valid_until = sqlite3_column_int64 (stmt, 2);
      g_ptr_array_add (secrets, record);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _nexus_store_set_error (self, rc, error, "reading worker secrets");
      return NULL;
    }
  return g_steal_pointer (&secrets);
}

/**
 * nexus_store_auth_generation:
 *
 * Returns: a number that moves whenever anything authentication depends on
 *   changes (a worker added, revoked or removed, a secret added, rotated or
 *   removed; triggers keep it), or -1 with @error set
 */
gint64
nexus_store_auth_generation (NexusStore *self, GError **error)
{
  sqlite3_stmt *stmt;
  gint64        generation = -1;
  int           rc;

  stmt = _nexus_store_prepare (self, "SELECT generation FROM auth_generation WHERE id = 1", error);
  if (stmt == NULL)
    return -1;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    generation = sqlite3_column_int64 (stmt, 0);
  else if (rc == SQLITE_DONE)
    generation = 0;
  else
    _nexus_store_set_error (self, rc, error, "checking whether credentials changed");
  sqlite3_reset (stmt);
  return generation;
}

gboolean
nexus_store_worker_seen (NexusStore *self,
                         gint64      worker_id,
                         const char *address,
                         const char *hostname,
                         const char *version,
                         gint64      now,
                         GError    **error)
{
  sqlite3_stmt *stmt;

  stmt = _nexus_store_prepare (self,
                               "UPDATE workers SET last_seen_at = ?2,"
                               " address = coalesce(?3, address),"
                               " hostname = coalesce(?4, hostname),"
                               " version = coalesce(?5, version) WHERE id = ?1",
                               error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, worker_id);
  sqlite3_bind_int64 (stmt, 2, now);
  sqlite3_bind_text (stmt, 3, address, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, hostname, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, version, -1, SQLITE_TRANSIENT);
  return _nexus_store_step_done (self, stmt, "recording a worker's visit", error);
}

/**
 * nexus_store_replay_remember:
 * @out_fresh: %TRUE when the nonce was new (and is now remembered),
 *   %FALSE when it was seen in the last %NEXUS_STORE_REPLAY_WINDOW_S
 *   seconds before @now
 *
 * The one-shot check for a caller without a #NexusReplayGuard: it reads
 * the window's nonces through the seen_at index.  Needs the write lock
 * (an open BEGIN IMMEDIATE) to be exact against other writers.
 */
gboolean
nexus_store_replay_remember (NexusStore *self,
                             gint64      worker_id,
                             const char *nonce,
                             gint64      now,
                             gboolean   *out_fresh,
                             GError    **error)
{
  sqlite3_stmt *stmt;
  int           rc;

  stmt = _nexus_store_prepare (self,
                               "SELECT 1 FROM hmac_replay WHERE seen_at >= ?3"
                               " AND worker_id = ?1 AND nonce = ?2 LIMIT 1",
                               error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, worker_id);
  sqlite3_bind_text (stmt, 2, nonce, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, now - NEXUS_STORE_REPLAY_WINDOW_S);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _nexus_store_set_error (self, rc, error, "looking for a nonce");
      sqlite3_reset (stmt);
      return FALSE;
    }
  sqlite3_reset (stmt);
  *out_fresh = rc == SQLITE_DONE;
  if (!*out_fresh)
    return TRUE;
  return nexus_store_replay_append (self, worker_id, nonce, now, NULL, error);
}

/**
 * nexus_store_replay_append:
 * @out_id: (out) (optional): the row's id
 *
 * Appends a nonce to the log without looking for it: the caller knows it
 * is fresh (a #NexusReplayGuard holding the write lock).
 */
gboolean
nexus_store_replay_append (NexusStore *self,
                           gint64      worker_id,
                           const char *nonce,
                           gint64      seen_at,
                           gint64     *out_id,
                           GError    **error)
{
  sqlite3_stmt *stmt;

  stmt = _nexus_store_prepare (
      self, "INSERT INTO hmac_replay (worker_id, nonce, seen_at) VALUES (?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, worker_id);
  sqlite3_bind_text (stmt, 2, nonce, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, seen_at);
  if (!_nexus_store_step_done (self, stmt, "remembering a nonce", error))
    return FALSE;
  if (out_id != NULL)
    *out_id = sqlite3_last_insert_rowid (_nexus_store_get_db (self));
  return TRUE;
}

/**
 * nexus_store_replay_scan:
 * @after_id: read the rows after this id, in id order; or -1 for every row
 *   seen at or after @since, in seen_at order
 * @since: rows seen before are skipped
 * @func: called with each row
 * @out_last_id: (out): the largest id in the log (at least @after_id)
 *
 * What a #NexusReplayGuard loads at its start and takes in from other
 * connections afterwards.
 */
gboolean
nexus_store_replay_scan (NexusStore        *self,
                         gint64             after_id,
                         gint64             since,
                         NexusReplayRowFunc func,
                         gpointer           user_data,
                         gint64            *out_last_id,
                         GError           **error)
{
  sqlite3_stmt *stmt;
  gint64        last_id = MAX (after_id, 0);
  int           rc;

  if (after_id < 0)
    {
      stmt = _nexus_store_prepare (self, "SELECT coalesce (max (id), 0) FROM hmac_replay", error);
      if (stmt == NULL || !_nexus_store_step_int64 (self, stmt, &last_id, "reading nonces", error))
        return FALSE;
      stmt = _nexus_store_prepare (self,
                                   "SELECT id, worker_id, nonce, seen_at FROM hmac_replay"
                                   " WHERE seen_at >= ?2 ORDER BY seen_at",
                                   error);
    }
  else
    stmt = _nexus_store_prepare (self,
                                 "SELECT id, worker_id, nonce, seen_at FROM hmac_replay"
                                 " WHERE id > ?1 AND seen_at >= ?2 ORDER BY id",
                                 error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, after_id);
  sqlite3_bind_int64 (stmt, 2, since);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      func (id, sqlite3_column_int64 (stmt, 1), (const char *)sqlite3_column_text (stmt, 2),
            sqlite3_column_int64 (stmt, 3), user_data);
      last_id = MAX (last_id, id);
    }
  if (rc != SQLITE_DONE)
    {
      _nexus_store_set_error (self, rc, error, "reading nonces");
      sqlite3_reset (stmt);
      return FALSE;
    }
  sqlite3_reset (stmt);
  *out_last_id = last_id;
  return TRUE;
}

gboolean
nexus_store_replay_purge (NexusStore *self, gint64 before, gint64 *out_removed, GError **error)
{
  sqlite3_stmt *stmt;

  stmt = _nexus_store_prepare (self, "DELETE FROM hmac_replay WHERE seen_at < ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, before);
  if (!_nexus_store_step_done (self, stmt, "purging nonces", error))
    return FALSE;
  if (out_removed != NULL)
    *out_removed = sqlite3_changes (_nexus_store_get_db (self));
  return TRUE;
}

/**
 * nexus_store_audit:
 * @details_json: (nullable): a JSON object; never a secret
 *
 * Appends to the audit log, inside the caller's transaction when one is
 * open.
 */
gboolean
nexus_store_audit (NexusStore *self,
                   const char *actor,
                   const char *action,
                   const char *object_kind,
                   const char *object_id,
                   const char *details_json,
                   gint64      now,
                   GError    **error)
{
  sqlite3_stmt *stmt;

  stmt = _nexus_store_prepare (self,
                               "INSERT INTO audit_log (at, actor, action, object_kind, object_id,"
                               " details) VALUES (?, ?, ?, ?, ?, ?)",
                               error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, now);
  sqlite3_bind_text (stmt, 2, actor, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, action, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, object_kind, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, object_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, details_json, -1, SQLITE_TRANSIENT);
  return _nexus_store_step_done (self, stmt, "writing the audit log", error);
}

void
nexus_worker_status_free (NexusWorkerStatus *status)
{
  if (status == NULL)
    return;
  nexus_worker_record_free (status->record);
  g_free (status);
}

/**
 * nexus_store_worker_statuses:
 *
 * Returns: (transfer container) (element-type NexusWorkerStatus): every
 *   worker, oldest first, with the number of jobs it holds a lease on
 */
GPtrArray *
nexus_store_worker_statuses (NexusStore *self, GError **error)
{
  g_autoptr (GPtrArray) statuses =
      g_ptr_array_new_with_free_func ((GDestroyNotify)nexus_worker_status_free);
  sqlite3_stmt *stmt;
  int           rc;

  /* The leased rows are one range of the ready index. */
  stmt = _nexus_store_prepare (self,
                               "WITH held AS (SELECT lease_worker_id AS worker_id, count(*) AS n"
                               "  FROM internal_jobs WHERE status = 'leased'"
                               "  GROUP BY lease_worker_id)"
                               " SELECT " WORKER_COLUMNS ", coalesce(held.n, 0)"
                               " FROM workers LEFT JOIN held ON held.worker_id = workers.id"
                               " ORDER BY workers.id",
                               error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      NexusWorkerStatus *status = g_new0 (NexusWorkerStatus, 1);

      status->record = read_worker (stmt);
      status->jobs_held = sqlite3_column_int64 (stmt, 13);
      g_ptr_array_add (statuses, status);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _nexus_store_set_error (self, rc, error, "listing workers");
      return NULL;
    }
  return g_steal_pointer (&statuses);
}

/**
 * nexus_store_worker_hours_add:
 * @hour: what to add to the worker's row of @hour->hour
 *
 * Adds to the hour's figures (creating its row), inside the caller's
 * transaction when one is open.
 */
gboolean
nexus_store_worker_hours_add (NexusStore            *self,
                              gint64                 worker_id,
                              const NexusWorkerHour *hour,
                              GError               **error)
{
  sqlite3_stmt *stmt;

  stmt = _nexus_store_prepare (
      self,
      "INSERT INTO worker_hours (worker_id, hour, jobs, leads, errors, latency_ms_sum, latency_n)"
      " SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7 WHERE EXISTS (SELECT 1 FROM workers WHERE id = ?1)"
      " ON CONFLICT (worker_id, hour) DO UPDATE SET jobs = jobs + excluded.jobs,"
      " leads = leads + excluded.leads, errors = errors + excluded.errors,"
      " latency_ms_sum = latency_ms_sum + excluded.latency_ms_sum,"
      " latency_n = latency_n + excluded.latency_n",
      error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, worker_id);
  sqlite3_bind_int64 (stmt, 2, hour->hour);
  sqlite3_bind_int64 (stmt, 3, hour->jobs);
  sqlite3_bind_int64 (stmt, 4, hour->leads);
  sqlite3_bind_int64 (stmt, 5, hour->errors);
  sqlite3_bind_double (stmt, 6, hour->latency_ms_sum);
  sqlite3_bind_int64 (stmt, 7, hour->latency_n);
  return _nexus_store_step_done (self, stmt, "recording a worker's hour", error);
}

/**
 * nexus_store_worker_hours_list:
 * @since: the first hour wanted (unix seconds)
 *
 * Returns: (transfer full) (element-type NexusWorkerHour): the worker's
 *   hours from @since on that have a row, oldest first
 */
GArray *
nexus_store_worker_hours_list (NexusStore *self, gint64 worker_id, gint64 since, GError **error)
{
  g_autoptr (GArray) hours = g_array_new (FALSE, TRUE, sizeof (NexusWorkerHour));
  sqlite3_stmt *stmt;
  int           rc;

  stmt = _nexus_store_prepare (self,
                               "SELECT hour, jobs, leads, errors, latency_ms_sum, latency_n"
                               " FROM worker_hours WHERE worker_id = ?1 AND hour >= ?2"
                               " ORDER BY hour",
                               error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, worker_id);
  sqlite3_bind_int64 (stmt, 2, since);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      NexusWorkerHour hour = {
        .hour = sqlite3_column_int64 (stmt, 0),
        .jobs = sqlite3_column_int64 (stmt, 1),
        .leads = sqlite3_column_int64 (stmt, 2),
        .errors = sqlite3_column_int64 (stmt, 3),
        .latency_ms_sum = sqlite3_column_double (stmt, 4),
        .latency_n = sqlite3_column_int64 (stmt, 5),
      };
      g_array_append_val (hours, hour);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _nexus_store_set_error (self, rc, error, "reading a worker's hours");
      return NULL;
    }
  return g_steal_pointer (&hours);
}
