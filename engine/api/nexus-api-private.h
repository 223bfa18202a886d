/* nexus-api-private.h — what the worker API's files share
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * nexus-api-server.c owns the transport, the guards, authentication and
 * routing; nexus-api-jobs.c the job endpoints (long-poll lease, extend,
 * fail, report with group commit and idempotency); nexus-api-events.c the
 * Server-Sent Events stream.  Everything runs on the engine thread.
 */
#pragma once

#include <libsoup/soup.h>

#include "nexus-api-server.h"
#include "nexus-event-bus.h"
#include "nexus-rate-limiter.h"
#include "queue/nexus-job-queue.h"
#include "store/nexus-store-workers.h"

G_BEGIN_DECLS

/* What we know of one request while libsoup reads it.  Attached to its
 * SoupServerMessage; freed with it. */
typedef struct
{
  NexusApiServer    *server;        /* unowned: outlives every message */
  SoupServerMessage *msg;           /* unowned: this state is its qdata */
  gint64             started_us;    /* request-started */
  gint64             headers_us;    /* early handler ran; 0 before */
  gboolean           body_complete; /* got-body */
  gboolean           too_large;     /* the body passed max_body */
  GByteArray        *body;          /* collected by got_chunk_cb, capped */
} RequestState;

struct _NexusApiServer
{
  GObject parent_instance;

  NexusApiConfig config;
  /* The engine's write store; borrowed, engine thread only. */
  NexusStore *store;
  SoupServer *server;
  /* The socket we listen on; NULL until listening. */
  GSocket *socket;
  /* The port actually bound (useful when asked for port 0). */
  guint16 port;
  /* Set by nexus_api_server_stop(): new requests get 503. */
  gboolean stopping;

  NexusRateLimiter *address_limiter;
  NexusRateLimiter *worker_limiter;
  /* RequestState* of every request between request-started and its end;
   * the sweep timer walks it.  Values are owned by the messages. */
  GHashTable *open_requests;
  guint       sweep_id;
  /* GSocket (a reference) → gint64* monotonic time: keep-alive connections
   * between two requests.  libsoup announces a connection's next request
   * only when its first bytes arrive, so the sweep closes these itself. */
  GHashTable *idle_sockets;
  /* When replay and idempotency records were last purged (monotonic). */
  gint64 last_purge_us;

  /* Metrics: "endpoint status" → count. */
  GHashTable *request_counts;
  /* Metrics: lease answers by latency bucket (see nexus-api-jobs.c). */
  guint64 lease_latency_buckets[8];
  double  lease_latency_sum_s;
  guint64 lease_latency_count;
  guint64 leads_ingested;

  /* The queue jobs are leased from (its store is @store) and the bus
   * events go to; both borrowed from the engine. */
  NexusJobQueue *queue;
  NexusEventBus *events;
  gulong         jobs_available_id;
  /* PRAGMA data_version last seen: another process's commit changes it. */
  gint64 data_version;

  /* LeaseWaiter* of long-polls waiting for work, oldest first. */
  GQueue lease_waiters;
  /* PendingReport* accepted but not yet committed, and the idle that
   * commits them together. */
  GPtrArray *pending_reports;
  guint      flush_id;
  /* "worker_id key" → body SHA-256 of reports being applied (409). */
  GHashTable *reports_in_flight;

  /* EventStream* of open /api/v1/events connections. */
  GPtrArray *event_streams;
  guint      event_watch_handler;
};

void
_nexus_api_send_error (SoupServerMessage *msg, guint status, const char *code, const char *message);
void        _nexus_api_send_json (SoupServerMessage *msg, guint status, JsonNode *root);
void        _nexus_api_count (NexusApiServer *self, const char *endpoint, guint status);
const char *_nexus_api_get_string (JsonObject *object, const char *name);
char       *_nexus_api_truncated (const char *text);

void _nexus_api_track_idle (NexusApiServer *self, GSocket *socket);

void _nexus_api_jobs_init (NexusApiServer *self);
void _nexus_api_jobs_shutdown (NexusApiServer *self);
void _nexus_api_jobs_poll (NexusApiServer *self);
void _nexus_api_jobs_release_waiters (NexusApiServer *self);
void _nexus_api_handle_lease (NexusApiServer    *self,
                              SoupServerMessage *msg,
                              NexusWorkerRecord *worker,
                              JsonObject        *body);
void _nexus_api_handle_extend (NexusApiServer    *self,
                               SoupServerMessage *msg,
                               NexusWorkerRecord *worker,
                               gint64             job_id,
                               JsonObject        *body);
void _nexus_api_handle_fail (NexusApiServer    *self,
                             SoupServerMessage *msg,
                             NexusWorkerRecord *worker,
                             gint64             job_id,
                             JsonObject        *body);
void _nexus_api_handle_report (NexusApiServer    *self,
                               SoupServerMessage *msg,
                               NexusWorkerRecord *worker,
                               gint64             job_id,
                               JsonObject        *body,
                               GByteArray        *raw_body);
void _nexus_api_write_job_metrics (NexusApiServer *self, GString *text);

void _nexus_api_events_init (NexusApiServer *self);
void _nexus_api_events_shutdown (NexusApiServer *self);
void _nexus_api_handle_events (NexusApiServer *self, SoupServerMessage *msg, GHashTable *query);

G_END_DECLS
