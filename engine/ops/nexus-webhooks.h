/* nexus-webhooks.h — outgoing webhooks for alerts, signed as Standard Webhooks
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The dispatcher watches the event bus ("event" signal, engine thread).
 * An event whose kind an enabled endpoint wants becomes one row in
 * webhook_deliveries per endpoint, with its body fixed then:
 * {"type": kind, "timestamp": ISO 8601, "data": {…}}.  An endpoint's
 * events ["*"] stands for NEXUS_WEBHOOKS_ALERT_KINDS; any other kind it
 * lists is delivered as well.
 *
 * Due rows are POSTed from a worker thread, one batch at a time, never on
 * the engine thread: NEXUS_WEBHOOKS_TIMEOUT_S per request, redirects not
 * followed (a 3xx is a failure), and unless the endpoint allows private
 * addresses, every address its host resolves to, and the address actually
 * connected to, must be public (nexus_enrich_address_is_public()).  Each
 * request carries webhook-id (the row's message_id, the same on every
 * retry), webhook-timestamp (of the attempt) and webhook-signature
 * (nexus_webhooks_sign()).
 *
 * Outcomes: 2xx → "delivered"; a refused address → "failed"; HTTP 410 →
 * "failed" and the endpoint disabled; anything else is retried after the
 * next delay (NEXUS_WEBHOOKS_DELAYS_S, or Retry-After when longer, at most a
 * day) and "gave_up" once the delays are spent.  Rows changed by other
 * programs (nexusctl webhook redeliver) are seen within
 * NEXUS_WEBHOOKS_POLL_S.
 *
 * new, set_delays, kick and stop: the thread that owns the store and the
 * thread-default main context it was created on (the engine thread).
 * nexus_webhooks_sign() and nexus_webhooks_new_secret(): any thread.
 * nexus_webhooks_add_endpoint(): the thread that owns the store it is
 * given; the secret it makes is stored sealed (nexus-secret-box.h) when
 * NEXUS_INTERNAL_SECRET is set and reaches the caller once.
 */
#pragma once

#include "nexus-engine.h"

G_BEGIN_DECLS

#define NEXUS_WEBHOOKS_ALERT_KINDS \
  ((const char *const[]){ "monitor.alert", "backup.failed", "backup.completed", "job.dead", NULL })
/* 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 4 h, 8 h, 8 h: about a day. */
#define NEXUS_WEBHOOKS_DELAYS_S \
  ((const guint[]){ 30, 120, 600, 1800, 3600, 7200, 14400, 28800, 28800 })
#define NEXUS_WEBHOOKS_N_DELAYS   9
#define NEXUS_WEBHOOKS_TIMEOUT_S  10
#define NEXUS_WEBHOOKS_POLL_S     15
#define NEXUS_WEBHOOKS_MAX_WAIT_S (24 * 3600)
#define NEXUS_WEBHOOKS_BATCH      20

#define NEXUS_WEBHOOKS_ERROR (nexus_webhooks_error_quark ())

typedef enum
{
  NEXUS_WEBHOOKS_ERROR_INVALID, /* a bad URL, secret or event list */
  NEXUS_WEBHOOKS_ERROR_REFUSED, /* the host is not a public address */
  NEXUS_WEBHOOKS_ERROR_NETWORK, /* no answer */
  NEXUS_WEBHOOKS_ERROR_HTTP,    /* an answer other than 2xx */
} NexusWebhooksError;

GQuark nexus_webhooks_error_quark (void);

char    *nexus_webhooks_sign (const char *secret,
                              const char *message_id,
                              gint64      timestamp,
                              const char *body,
                              gsize       length,
                              GError    **error);
char    *nexus_webhooks_new_secret (void);
gint64   nexus_webhooks_add_endpoint (NexusStore *store,
                                      const char *url,
                                      const char *events,
                                      gboolean    allow_private,
                                      gint64      now,
                                      char      **out_secret,
                                      GError    **error);
gboolean nexus_webhooks_check_url (const char *url, GError **error);
char    *nexus_webhooks_parse_events (const char *list, GError **error);
gboolean nexus_webhooks_wants (const char *events, const char *kind);

#define NEXUS_TYPE_WEBHOOKS (nexus_webhooks_get_type ())
G_DECLARE_FINAL_TYPE (NexusWebhooks, nexus_webhooks, NEXUS, WEBHOOKS, GObject)

NexusWebhooks *nexus_webhooks_new (NexusStore *store, NexusEventBus *events);
void nexus_webhooks_set_delays (NexusWebhooks *self, const guint *delays_ms, guint n_delays);
void nexus_webhooks_kick (NexusWebhooks *self);
void nexus_webhooks_stop (NexusWebhooks *self);

G_END_DECLS
