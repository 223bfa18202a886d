/* nexus-store-webhooks.h — webhook endpoints and their deliveries
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The SQL behind engine/ops/nexus-webhooks.c and nexusctl webhook.  The
 * same threading rule as every store function: the thread that owns the
 * store.  Each function runs in its own statement (autocommit) unless the
 * caller opened a transaction.
 *
 * A delivery is "pending" until it is "delivered", "failed" (refused or
 * not worth retrying: a private address, HTTP 410, a disabled endpoint) or
 * "gave_up" (every retry failed).  Removing an endpoint removes its
 * deliveries.  Secrets cross this interface only as the bytes to store
 * (nexus_secret_box_seal() makes them; nexus_webhooks_add_endpoint() is
 * the way to add an endpoint with a fresh secret).
 */
#pragma once

#include "nexus-store.h"

G_BEGIN_DECLS

typedef struct
{
  gint64   id;
  char    *url;
  char    *events; /* JSON array of kinds, or ["*"] */
  GBytes  *secret; /* as nexus_secret_box_seal() returned it */
  gboolean sealed;
  gboolean enabled;
  gboolean allow_private; /* loopback and private addresses allowed */
  gint64   created_at;
  char    *disabled_reason; /* NULL while enabled */
} NexusWebhookEndpoint;

typedef struct
{
  gint64 id;
  gint64 endpoint_id;
  gint64 event_id;
  char  *message_id; /* webhook-id, the same on every attempt */
  char  *kind;
  char  *payload;     /* the JSON body, fixed when the row is made */
  gint64 attempt;     /* attempts made so far */
  char  *status;      /* pending, delivered, failed, gave_up */
  gint64 next_at;     /* unix milliseconds */
  gint64 last_status; /* HTTP status of the last attempt; 0: none */
  char  *last_error;
  gint64 created_at;
  gint64 updated_at;
  /* From the endpoint, filled by nexus_store_webhook_due() only. */
  char    *url;
  GBytes  *secret; /* as stored; nexus_secret_box_open() gives "whsec_…" */
  gboolean sealed;
  gboolean allow_private;
} NexusWebhookDelivery;

void nexus_webhook_endpoint_free (NexusWebhookEndpoint *endpoint);
void nexus_webhook_delivery_free (NexusWebhookDelivery *delivery);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusWebhookEndpoint, nexus_webhook_endpoint_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusWebhookDelivery, nexus_webhook_delivery_free)

gint64     nexus_store_webhook_add (NexusStore *self,
                                    const char *url,
                                    const char *events,
                                    GBytes     *secret,
                                    gboolean    sealed,
                                    gboolean    allow_private,
                                    gint64      now,
                                    GError    **error);
GPtrArray *nexus_store_webhook_list (NexusStore *self, gboolean enabled_only, GError **error);
gint64     nexus_store_webhook_generation (NexusStore *self);
gboolean   nexus_store_webhook_remove (NexusStore *self, gint64 id, GError **error);
gboolean
nexus_store_webhook_disable (NexusStore *self, gint64 id, const char *reason, GError **error);

gint64     nexus_store_webhook_delivery_add (NexusStore *self,
                                             gint64      endpoint_id,
                                             gint64      event_id,
                                             const char *message_id,
                                             const char *kind,
                                             const char *payload,
                                             gint64      now_ms,
                                             GError    **error);
GPtrArray *nexus_store_webhook_due (NexusStore *self, gint64 now_ms, guint limit, GError **error);
gboolean   nexus_store_webhook_next_at (NexusStore *self, gint64 *out_next_ms, GError **error);
gboolean   nexus_store_webhook_delivery_update (NexusStore *self,
                                                gint64      id,
                                                gint64      attempt,
                                                const char *status,
                                                gint64      next_at_ms,
                                                gint64      last_status,
                                                const char *last_error,
                                                GError    **error);
NexusWebhookDelivery            *
nexus_store_webhook_delivery_lookup (NexusStore *self, gint64 id, GError **error);
GPtrArray *nexus_store_webhook_deliveries (NexusStore *self, guint limit, GError **error);
gboolean nexus_store_webhook_redeliver (NexusStore *self, gint64 id, gint64 now_ms, GError **error);

G_END_DECLS
