/* nexus-api-private.h — what the worker API's files share
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * nexus-api-server.c owns the API thread, the transport, the guards,
 * authentication, routing and the calls to the engine thread;
 * nexus-api-jobs.c the job endpoints (long-poll lease, extend, fail,
 * report with idempotency); nexus-api-events.c the Server-Sent Events
 * stream.
 *
 * Two threads.  The API thread runs the SoupServer in a main context of its
 * own: it reads requests, applies the limits, checks signatures (from a
 * NexusAuthCache over a reader connection), parses JSON and writes answers.
 * What needs the write connection goes to the engine thread as an ApiCall:
 * the engine thread applies every call posted since its last pass in one
 * transaction (a SAVEPOINT each, the nonce first), commits once, and hands
 * the calls back to the API thread, which answers them — only after the
 * commit.  Fields are marked with the thread that owns them.
 */
#pragma once

#include <libsoup/soup.h>

#include "nexus-api-server.h"
#include "nexus-event-bus.h"
#include "nexus-rate-limiter.h"
#include "nexus-replay-guard.h"
#include "queue/nexus-job-queue.h"
#include "nexus-workers.h"
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
  gboolean           body_complete; /* request-read */
  gboolean           too_large;     /* the body passed max_body */
  gboolean           collect_body;  /* a declared length: request_read_cb takes it */
  GByteArray        *body;          /* the body, capped at max_body */
  /* Once the signature checked out: who signed, at which authentication
   * generation (see nexus_auth_cache_verify()), and the signed path. */
  gint64 worker_id;
  gint64 auth_generation;
  char  *signed_path;
  /* request-finished or request-aborted: libsoup is done with it. */
  gboolean ended;
  /* TCP_CORK is set on its connection while the answer is written. */
  gboolean corked;
} RequestState;

typedef struct _ApiCall ApiCall;

/* Engine thread, inside the group transaction and the call's savepoint.
 * Returns FALSE to roll the call back: with call->error set (a queue or
 * store error) or a refusal set with _nexus_api_call_refuse(). */
typedef gboolean (*ApiCallFunc) (NexusApiServer *self, ApiCall *call, GError **error);
/* Engine thread, after the commit (events go on the bus from there). */
typedef void (*ApiCallCommitted) (NexusApiServer *self, ApiCall *call);
/* API thread, once the call is back: answers it.  call->committed, and
 * either the answer, a refusal or an error are set. */
typedef void (*ApiCallDone) (NexusApiServer *self, ApiCall *call);

struct _ApiCall
{
  /* Set on the API thread before posting; read-only afterwards. */
  ApiCallFunc      func; /* NULL: only the nonce */
  ApiCallCommitted committed_func;
  ApiCallDone      done; /* NULL: _nexus_api_call_answer() */
  /* The call writes more than one statement: it gets a savepoint so that a
   * failure undoes all of it.  Others (and their nonce) keep what one
   * failing statement did not write. */
  gboolean           needs_savepoint;
  gpointer           data;
  GDestroyNotify     data_free; /* runs on the API thread */
  SoupServerMessage *msg;       /* a reference, paused while posted; or NULL */
  const char        *endpoint;  /* for the request counts */
  gint64             worker_id;
  char              *nonce; /* remembered first, in the call's savepoint; or NULL */
  gint64             started_us;
  /* The signing inputs (method, path, worker, timestamp, nonce, signature)
   * and body of a request verified from the API thread's cache at
   * auth_generation; -1: nothing to check again.  The engine verifies
   * again when the generation moved since. */
  gint64      auth_generation;
  GStrv       auth_strings;
  GByteArray *auth_body;

  /* Set on the engine thread. */
  gboolean committed;
  gboolean replayed;
  GError  *error;
  guint    status; /* the answer: status and JSON text */
  char    *answer;
  guint    refusal_status; /* or a refusal */
  char    *refusal_code;
  char    *refusal_message;
};

struct _NexusApiServer
{
  GObject parent_instance;

  NexusApiConfig config;

  /* --- engine thread --- */
  /* The engine's write store; borrowed. */
  NexusStore *store;
  /* The nonces of the replay window (PROTOCOL.md), checked in memory and
   * appended to the store's log. */
  NexusReplayGuard *replay;
  /* The queue jobs are leased from (its store is @store) and the bus events
   * go to; both borrowed from the engine. */
  NexusJobQueue *queue;
  NexusEventBus *events;
  gulong         jobs_available_id;
  GMainContext  *engine_context;
  GThread       *engine_thread;

  /* --- shared --- */
  /* Set by nexus_api_server_stop() or while draining: new requests get 503. */
  gint stopping;
  /* Calls posted to the engine thread and not yet taken, the source that
   * will take them, and whether the engine takes any more. */
  GMutex     calls_lock;
  GPtrArray *calls;
  GSource   *flush_source;
  gboolean   calls_closed;

  /* --- API thread --- */
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  /* A reader connection: signatures, metrics, other processes' commits. */
  NexusStore     *reader;
  NexusAuthCache *auth;
  SoupServer     *server;
  /* The socket we listen on; NULL until listening. */
  GSocket *socket;
  /* The port actually bound (useful when asked for port 0); written before
   * nexus_api_server_listen() returns. */
  guint16 port;

  NexusRateLimiter *address_limiter;
  NexusRateLimiter *worker_limiter;
  /* RequestState* of every request between request-started and its end;
   * the sweep timer walks it.  Values are owned by the messages. */
  GHashTable *open_requests;
  GSource    *sweep_source;
  /* GSocket (a reference) → gint64* monotonic time: keep-alive connections
   * between two requests.  libsoup announces a connection's next request
   * only when its first bytes arrive, so the sweep closes these itself. */
  GHashTable *idle_sockets;
  /* When replay and idempotency records were last purged (monotonic). */
  gint64 last_purge_us;

  /* Metrics: "endpoint status" → gsize* count. */
  GHashTable *request_counts;
  /* Metrics: lease answers by latency bucket (see nexus-api-jobs.c). */
  guint64 lease_latency_buckets[8];
  double  lease_latency_sum_s;
  guint64 lease_latency_count;
  guint64 leads_ingested;

  /* PRAGMA data_version of the reader last seen: commits by the engine or
   * another process change it. */
  gint64 data_version;

  /* LeaseWaiter* of long-polls waiting for work, oldest first. */
  GQueue lease_waiters;
  guint  n_verified_waiters; /* of them, those served by lease passes */
  /* A lease pass for waiters is with the engine thread; another is wanted
   * when it comes back. */
  gboolean serving_waiters;
  gboolean serve_again;
  /* "worker_id key" of reports being applied (409). */
  GHashTable *reports_in_flight;

  /* EventStream* of open /api/v1/events connections, and the bus watch
   * that feeds them on this thread. */
  GPtrArray *event_streams;
  GSource   *keepalive_source;
  guint      event_watch_id;
};

void
_nexus_api_send_error (SoupServerMessage *msg, guint status, const char *code, const char *message);
void        _nexus_api_send_json (SoupServerMessage *msg, guint status, JsonNode *root);
void        _nexus_api_count (NexusApiServer *self, const char *endpoint, guint status);
const char *_nexus_api_get_string (JsonObject *object, const char *name);
char       *_nexus_api_truncated (const char *text);
gboolean    _nexus_api_stopping (NexusApiServer *self);
GSource    *_nexus_api_attach_timeout (NexusApiServer *self,
                                       guint           interval_ms,
                                       GSourceFunc     func,
                                       const char     *name);

void _nexus_api_track_idle (NexusApiServer *self, GSocket *socket);

ApiCall *_nexus_api_call_new (NexusApiServer    *self,
                              SoupServerMessage *msg,
                              const char        *endpoint,
                              ApiCallFunc        func);
void     _nexus_api_call_sign (ApiCall *call, SoupServerMessage *msg);
void     _nexus_api_call_post (NexusApiServer *self, ApiCall *call);
gboolean
      _nexus_api_call_refuse (ApiCall *call, guint status, const char *code, const char *message);
void  _nexus_api_call_set_answer (ApiCall *call, guint status, char *answer);
void  _nexus_api_call_answer (NexusApiServer *self, ApiCall *call);
void  _nexus_api_resume (NexusApiServer *self, SoupServerMessage *msg);
void  _nexus_api_uncork (SoupServerMessage *msg);
char *_nexus_api_call_refusal_text (const ApiCall *call, guint *out_status);
void  _nexus_api_jobs_add_sockets (NexusApiServer *self, GHashTable *sockets);

void _nexus_api_jobs_init (NexusApiServer *self);
void _nexus_api_jobs_shutdown (NexusApiServer *self);
void _nexus_api_jobs_poll (NexusApiServer *self, gboolean data_changed);
void _nexus_api_jobs_release_waiters (NexusApiServer *self);
void _nexus_api_jobs_connect (NexusApiServer *self);
void _nexus_api_jobs_disconnect (NexusApiServer *self);
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
