/* nexus-store-api.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "nexus-store-api.h"
#include "nexus-store-private.h"

/**
 * nexus_store_idempotency_lookup:
 * @out_response: (out): the stored answer, or %NULL when the key is new
 */
gboolean
nexus_store_idempotency_lookup (NexusStore *self,
                                gint64      worker_id,
                                const char *key,
                                char      **out_body_sha256,
                                guint      *out_status,
                                GBytes    **out_response,
                                GError    **error)
{
  sqlite3_stmt *stmt;
  int           rc;

  *out_response = NULL;
  stmt = _nexus_store_prepare (self,
                               "SELECT body_sha256, http_status, response FROM idempotency_keys"
                               " WHERE worker_id = ? AND key = ? AND state = 'done'",
                               error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, worker_id);
  sqlite3_bind_text (stmt, 2, key, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *out_body_sha256 = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
      *out_status = (guint)sqlite3_column_int (stmt, 1);
      *out_response = g_bytes_new (sqlite3_column_blob (stmt, 2), sqlite3_column_bytes (stmt, 2));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _nexus_store_set_error (self, rc, error, "reading an idempotency key");
      return FALSE;
    }
  return TRUE;
}

gboolean
nexus_store_idempotency_store (NexusStore *self,
                               gint64      worker_id,
                               const char *key,
                               const char *body_sha256,
                               guint       status,
                               const char *response,
                               gint64      now,
                               GError    **error)
{
  sqlite3_stmt *stmt;

  stmt =
      _nexus_store_prepare (self,
                            "INSERT INTO idempotency_keys (worker_id, key, body_sha256, state,"
                            " http_status, response, created_at) VALUES (?, ?, ?, 'done', ?, ?, ?)",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, worker_id);
  sqlite3_bind_text (stmt, 2, key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, body_sha256, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 4, (int)status);
  sqlite3_bind_blob (stmt, 5, response, (int)strlen (response), SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 6, now);
  return _nexus_store_step_done (self, stmt, "remembering an idempotency key", error);
}

gboolean
nexus_store_idempotency_purge (NexusStore *self, gint64 before, gint64 *out_removed, GError **error)
{
  sqlite3_stmt *stmt;

  stmt = _nexus_store_prepare (self, "DELETE FROM idempotency_keys WHERE created_at < ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, before);
  if (!_nexus_store_step_done (self, stmt, "purging idempotency keys", error))
    return FALSE;
  if (out_removed != NULL)
    *out_removed = sqlite3_changes (_nexus_store_get_db (self));
  return TRUE;
}

/**
 * nexus_store_job_add_results:
 * @n_results: results of a partial report (final:false), added to the
 *   job's result count; 0 for a final report (its completion sets it)
 * @n_new_leads: leads the report added to the vault or the preview pool
 *
 * Nothing is written when both are 0.
 */
gboolean
nexus_store_job_add_results (NexusStore *self,
                             gint64      job_id,
                             gint64      n_results,
                             gint64      n_new_leads,
                             GError    **error)
{
  sqlite3_stmt *stmt;

  if (n_results == 0 && n_new_leads == 0)
    return TRUE;
  stmt = _nexus_store_prepare (self,
                               "UPDATE internal_jobs SET result_count = result_count + ?1,"
                               " new_leads = new_leads + ?2 WHERE id = ?3",
                               error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, n_results);
  sqlite3_bind_int64 (stmt, 2, n_new_leads);
  sqlite3_bind_int64 (stmt, 3, job_id);
  return _nexus_store_step_done (self, stmt, "counting a job's results", error);
}

gboolean
nexus_store_worker_count_work (NexusStore *self,
                               gint64      worker_id,
                               gint64      jobs_done,
                               gint64      leads_found,
                               GError    **error)
{
  sqlite3_stmt *stmt;

  stmt = _nexus_store_prepare (self,
                               "UPDATE workers SET jobs_done = jobs_done + ?,"
                               " leads_found = leads_found + ? WHERE id = ?",
                               error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, jobs_done);
  sqlite3_bind_int64 (stmt, 2, leads_found);
  sqlite3_bind_int64 (stmt, 3, worker_id);
  return _nexus_store_step_done (self, stmt, "counting a worker's work", error);
}

/**
 * nexus_store_job_counts_by_status:
 *
 * Returns: (transfer full): status name → gint64*, for every status with
 *   jobs
 */
GHashTable *
nexus_store_job_counts_by_status (NexusStore *self, GError **error)
{
  g_autoptr (GHashTable) counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  sqlite3_stmt *stmt;
  int           rc;

  stmt = _nexus_store_prepare (self, "SELECT status, count(*) FROM internal_jobs GROUP BY status",
                               error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 *count = g_new (gint64, 1);
      *count = sqlite3_column_int64 (stmt, 1);
      g_hash_table_insert (counts, g_strdup ((const char *)sqlite3_column_text (stmt, 0)), count);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _nexus_store_set_error (self, rc, error, "counting jobs");
      return NULL;
    }
  return g_steal_pointer (&counts);
}

gint64
nexus_store_workers_seen_since (NexusStore *self, gint64 since)
{
  sqlite3_stmt *stmt;
  gint64        count = 0;

  stmt = _nexus_store_prepare (self,
                               "SELECT count(*) FROM workers WHERE state = 'active'"
                               " AND last_seen_at >= ?",
                               NULL);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, since);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    count = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return count;
}
