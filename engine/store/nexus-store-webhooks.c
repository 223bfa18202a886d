/* nexus-store-webhooks.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nexus-store"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "nexus-store-private.h"
#include "nexus-store-webhooks.h"

#define ENDPOINT_COLUMNS \
  "id, url, events, secret, sealed, enabled, allow_private, created_at, disabled_reason"
#define DELIVERY_COLUMNS                                                                   \
  "d.id, d.endpoint_id, d.event_id, d.message_id, d.kind, d.payload, d.attempt, d.status," \
  " d.next_at, d.last_status, d.last_error, d.created_at, d.updated_at"

void
nexus_webhook_endpoint_free (NexusWebhookEndpoint *endpoint)
{
  if (endpoint == NULL)
    return;
  g_free (endpoint->url);
  g_free (endpoint->events);
  g_clear_pointer (&endpoint->secret, g_bytes_unref);
  g_free (endpoint->disabled_reason);
  g_free (endpoint);
}

void
nexus_webhook_delivery_free (NexusWebhookDelivery *delivery)
{
  if (delivery == NULL)
    return;
  g_free (delivery->message_id);
  g_free (delivery->kind);
  g_free (delivery->payload);
  g_free (delivery->status);
  g_free (delivery->last_error);
  g_free (delivery->url);
  g_clear_pointer (&delivery->secret, g_bytes_unref);
  g_free (delivery);
}

static char *
column_text (sqlite3_stmt *stmt, int column)
{
  return g_strdup ((const char *)sqlite3_column_text (stmt, column));
}

static GBytes *
column_bytes (sqlite3_stmt *stmt, int column)
{
  const void *data = sqlite3_column_blob (stmt, column);

  return g_bytes_new (data, (gsize)sqlite3_column_bytes (stmt, column));
}

static NexusWebhookEndpoint *
read_endpoint (sqlite3_stmt *stmt)
{
  NexusWebhookEndpoint *endpoint = g_new0 (NexusWebhookEndpoint, 1);

  endpoint->id = sqlite3_column_int64 (stmt, 0);
  endpoint->url = column_text (stmt, 1);
  endpoint->events = column_text (stmt, 2);
  endpoint->secret = column_bytes (stmt, 3);
  endpoint->sealed = sqlite3_column_int (stmt, 4) != 0;
  endpoint->enabled = sqlite3_column_int (stmt, 5) != 0;
  endpoint->allow_private = sqlite3_column_int (stmt, 6) != 0;
  endpoint->created_at = sqlite3_column_int64 (stmt, 7);
  endpoint->disabled_reason = column_text (stmt, 8);
  return endpoint;
}

static NexusWebhookDelivery *
read_delivery (sqlite3_stmt *stmt)
{
  NexusWebhookDelivery *delivery = g_new0 (NexusWebhookDelivery, 1);

  delivery->id = sqlite3_column_int64 (stmt, 0);
  delivery->endpoint_id = sqlite3_column_int64 (stmt, 1);
  delivery->event_id = sqlite3_column_int64 (stmt, 2);
  delivery->message_id = column_text (stmt, 3);
  delivery->kind = column_text (stmt, 4);
  delivery->payload = column_text (stmt, 5);
  delivery->attempt = sqlite3_column_int64 (stmt, 6);
  delivery->status = column_text (stmt, 7);
  delivery->next_at = sqlite3_column_int64 (stmt, 8);
  delivery->last_status = sqlite3_column_int64 (stmt, 9);
  delivery->last_error = column_text (stmt, 10);
  delivery->created_at = sqlite3_column_int64 (stmt, 11);
  delivery->updated_at = sqlite3_column_int64 (stmt, 12);
  return delivery;
}

/* Steps @stmt to its end, adding each row read by @read to a new array. */
static GPtrArray *
collect (NexusStore   *self,
         sqlite3_stmt *stmt,
         gpointer (*read) (sqlite3_stmt *),
         GDestroyNotify free_func,
         const char    *doing,
         GError       **error)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func (free_func);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (rows, read (stmt));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _nexus_store_set_error (self, rc, error, doing);
      return NULL;
    }
  return g_steal_pointer (&rows);
}

/* After an UPDATE or DELETE by id: whether it found its row. */
static gboolean
found_row (NexusStore *self)
{
  return sqlite3_changes (_nexus_store_get_db (self)) > 0;
}

/**
 * nexus_store_webhook_add:
 * @events: a JSON array of kinds
 *
 * Returns: the new endpoint's id, or 0 with @error
 */
gint64
nexus_store_webhook_add (NexusStore *self,
                         const char *url,
                         const char *events,
                         GBytes     *secret,
                         gboolean    sealed,
                         gboolean    allow_private,
                         gint64      now,
                         GError    **error)
{
  sqlite3_stmt *stmt;
  gsize         length = 0;
  const void   *data = g_bytes_get_data (secret, &length);

  g_return_val_if_fail (NEXUS_IS_STORE (self), 0);

  stmt = _nexus_store_prepare (self,
                               "INSERT INTO webhook_endpoints"
                               " (url, events, secret, sealed, allow_private, created_at)"
                               " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                               error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, url, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, events, -1, SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 3, data, (int)length, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 4, sealed ? 1 : 0);
  sqlite3_bind_int (stmt, 5, allow_private ? 1 : 0);
  sqlite3_bind_int64 (stmt, 6, now);
  if (!_nexus_store_step_done (self, stmt, "adding a webhook", error))
    return 0;
  _nexus_store_note_webhook_change (self);
  return sqlite3_last_insert_rowid (_nexus_store_get_db (self));
}

GPtrArray *
nexus_store_webhook_list (NexusStore *self, gboolean enabled_only, GError **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (NEXUS_IS_STORE (self), NULL);

  stmt = _nexus_store_prepare (self,
                               "SELECT " ENDPOINT_COLUMNS " FROM webhook_endpoints"
                               " WHERE enabled OR NOT ?1 ORDER BY id",
                               error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int (stmt, 1, enabled_only ? 1 : 0);
  return collect (self, stmt, (gpointer)read_endpoint, (GDestroyNotify)nexus_webhook_endpoint_free,
                  "listing webhooks", error);
}

/**
 * nexus_store_webhook_generation:
 *
 * Returns: a number that grows whenever the webhook endpoints may have
 *   changed: through this store (a rollback included) or by a commit of
 *   another connection; a list read at one value holds until it moves
 */
gint64
nexus_store_webhook_generation (NexusStore *self)
{
  g_return_val_if_fail (NEXUS_IS_STORE (self), -1);

  /* data_version only grows, and so does the count: their sum grows at
   * every change of either. */
  return nexus_store_get_data_version (self) + (gint64)_nexus_store_get_webhook_changes (self);
}

/* Removes the endpoint and (by the foreign key) its deliveries. */
gboolean
nexus_store_webhook_remove (NexusStore *self, gint64 id, GError **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);

  stmt = _nexus_store_prepare (self, "DELETE FROM webhook_endpoints WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  if (!_nexus_store_step_done (self, stmt, "removing a webhook", error))
    return FALSE;
  _nexus_store_note_webhook_change (self);
  if (found_row (self))
    return TRUE;
  g_set_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_INVALID,
               _ ("No webhook has the id %" PRId64), id);
  return FALSE;
}

/**
 * nexus_store_webhook_disable:
 *
 * Disables the endpoint; its pending deliveries fail with @reason.
 */
gboolean
nexus_store_webhook_disable (NexusStore *self, gint64 id, const char *reason, GError **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);

  stmt = _nexus_store_prepare (self,
                               "UPDATE webhook_endpoints SET enabled = 0, disabled_reason = ?2"
                               " WHERE id = ?1",
                               error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_text (stmt, 2, reason, -1, SQLITE_TRANSIENT);
  if (!_nexus_store_step_done (self, stmt, "disabling a webhook", error))
    return FALSE;
  _nexus_store_note_webhook_change (self);

  stmt = _nexus_store_prepare (self,
                               "UPDATE webhook_deliveries SET status = 'failed', last_error = ?2,"
                               " updated_at = unixepoch()"
                               " WHERE endpoint_id = ?1 AND status = 'pending'",
                               error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_text (stmt, 2, reason, -1, SQLITE_TRANSIENT);
  return _nexus_store_step_done (self, stmt, "disabling a webhook", error);
}

/**
 * nexus_store_webhook_delivery_add:
 *
 * Returns: the new delivery's id, or 0 with @error; it is due at @now_ms
 */
gint64
nexus_store_webhook_delivery_add (NexusStore *self,
                                  gint64      endpoint_id,
                                  gint64      event_id,
                                  const char *message_id,
                                  const char *kind,
                                  const char *payload,
                                  gint64      now_ms,
                                  GError    **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (NEXUS_IS_STORE (self), 0);

  stmt = _nexus_store_prepare (self,
                               "INSERT INTO webhook_deliveries (endpoint_id, event_id, message_id,"
                               " kind, payload, next_at, created_at, updated_at)"
                               " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6 / 1000, ?6 / 1000)",
                               error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, endpoint_id);
  sqlite3_bind_int64 (stmt, 2, event_id);
  sqlite3_bind_text (stmt, 3, message_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, kind, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, payload, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 6, now_ms);
  if (!_nexus_store_step_done (self, stmt, "queuing a webhook delivery", error))
    return 0;
  return sqlite3_last_insert_rowid (_nexus_store_get_db (self));
}

static gpointer
read_due (sqlite3_stmt *stmt)
{
  NexusWebhookDelivery *delivery = read_delivery (stmt);

  delivery->url = column_text (stmt, 13);
  delivery->secret = column_bytes (stmt, 14);
  delivery->sealed = sqlite3_column_int (stmt, 15) != 0;
  delivery->allow_private = sqlite3_column_int (stmt, 16) != 0;
  return delivery;
}

/**
 * nexus_store_webhook_due:
 *
 * Returns: (transfer full) (element-type NexusWebhookDelivery): up to
 *   @limit pending deliveries of enabled endpoints due at @now_ms, oldest
 *   first, with their endpoint's url, secret and allow_private
 */
GPtrArray *
nexus_store_webhook_due (NexusStore *self, gint64 now_ms, guint limit, GError **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (NEXUS_IS_STORE (self), NULL);

  stmt = _nexus_store_prepare (self,
                               "SELECT " DELIVERY_COLUMNS
                               ", e.url, e.secret, e.sealed, e.allow_private"
                               " FROM webhook_deliveries d"
                               " JOIN webhook_endpoints e ON e.id = d.endpoint_id"
                               " WHERE d.status = 'pending' AND d.next_at <= ?1 AND e.enabled"
                               " ORDER BY d.next_at, d.id LIMIT ?2",
                               error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, now_ms);
  sqlite3_bind_int (stmt, 2, (int)limit);
  return collect (self, stmt, read_due, (GDestroyNotify)nexus_webhook_delivery_free,
                  "reading due webhook deliveries", error);
}

/**
 * nexus_store_webhook_next_at:
 * @out_next_ms: (out): when the next pending delivery is due; 0 when none is
 */
gboolean
nexus_store_webhook_next_at (NexusStore *self, gint64 *out_next_ms, GError **error)
{
  sqlite3_stmt *stmt;
  int           rc;

  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);

  stmt = _nexus_store_prepare (self,
                               "SELECT coalesce(min(d.next_at), 0) FROM webhook_deliveries d"
                               " JOIN webhook_endpoints e ON e.id = d.endpoint_id"
                               " WHERE d.status = 'pending' AND e.enabled",
                               error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      _nexus_store_set_error (self, rc, error, "reading the next webhook delivery");
      return FALSE;
    }
  *out_next_ms = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return TRUE;
}

/**
 * nexus_store_webhook_delivery_update:
 * @last_status: the HTTP status answered; 0 when none was
 * @last_error: (nullable): why the attempt failed
 *
 * Records an attempt's outcome.
 */
gboolean
nexus_store_webhook_delivery_update (NexusStore *self,
                                     gint64      id,
                                     gint64      attempt,
                                     const char *status,
                                     gint64      next_at_ms,
                                     gint64      last_status,
                                     const char *last_error,
                                     GError    **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);

  stmt = _nexus_store_prepare (self,
                               "UPDATE webhook_deliveries SET attempt = ?2, status = ?3,"
                               " next_at = ?4, last_status = nullif(?5, 0), last_error = ?6,"
                               " updated_at = unixepoch() WHERE id = ?1",
                               error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, attempt);
  sqlite3_bind_text (stmt, 3, status, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, next_at_ms);
  sqlite3_bind_int64 (stmt, 5, last_status);
  sqlite3_bind_text (stmt, 6, last_error, -1, SQLITE_TRANSIENT);
  return _nexus_store_step_done (self, stmt, "recording a webhook delivery", error);
}

NexusWebhookDelivery *
nexus_store_webhook_delivery_lookup (NexusStore *self, gint64 id, GError **error)
{
  sqlite3_stmt *stmt;
  g_autoptr (GPtrArray) rows = NULL;

  g_return_val_if_fail (NEXUS_IS_STORE (self), NULL);

  stmt = _nexus_store_prepare (
      self, "SELECT " DELIVERY_COLUMNS " FROM webhook_deliveries d WHERE d.id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  rows = collect (self, stmt, (gpointer)read_delivery, (GDestroyNotify)nexus_webhook_delivery_free,
                  "reading a webhook delivery", error);
  if (rows == NULL)
    return NULL;
  if (rows->len == 0)
    {
      g_set_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_INVALID,
                   _ ("No webhook delivery has the id %" PRId64), id);
      return NULL;
    }
  return g_ptr_array_steal_index (rows, 0);
}

/* The newest @limit deliveries, newest first. */
GPtrArray *
nexus_store_webhook_deliveries (NexusStore *self, guint limit, GError **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (NEXUS_IS_STORE (self), NULL);

  stmt = _nexus_store_prepare (
      self, "SELECT " DELIVERY_COLUMNS " FROM webhook_deliveries d ORDER BY d.id DESC LIMIT ?1",
      error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int (stmt, 1, (int)limit);
  return collect (self, stmt, (gpointer)read_delivery, (GDestroyNotify)nexus_webhook_delivery_free,
                  "listing webhook deliveries", error);
}

/**
 * nexus_store_webhook_redeliver:
 *
 * Makes a delivery pending again, due at @now_ms, with a fresh count of
 * attempts and its message id unchanged.
 */
gboolean
nexus_store_webhook_redeliver (NexusStore *self, gint64 id, gint64 now_ms, GError **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);

  stmt = _nexus_store_prepare (self,
                               "UPDATE webhook_deliveries SET status = 'pending', attempt = 0,"
                               " next_at = ?2, updated_at = ?2 / 1000 WHERE id = ?1",
                               error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, now_ms);
  if (!_nexus_store_step_done (self, stmt, "redelivering a webhook", error))
    return FALSE;
  if (found_row (self))
    return TRUE;
  g_set_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_INVALID,
               _ ("No webhook delivery has the id %" PRId64), id);
  return FALSE;
}
