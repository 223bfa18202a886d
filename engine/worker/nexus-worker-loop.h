/* nexus-worker-loop.h — what nexus-worker does between start and exit
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A NexusWorkerLoop owns the worker's threads and the jobs it holds:
 *
 *  - the leaser thread heartbeats once to learn the engine's lease TTL and
 *    longest wait, then long-polls POST /api/v1/jobs/lease for as many
 *    jobs as it has free slots (--concurrency); an engine it cannot reach
 *    is asked again after a capped exponential backoff with jitter
 *    (nexus_worker_backoff_ms()), never in a busy loop;
 *  - one thread per leased job runs its provider and reports the results
 *    in pages, each page under an Idempotency-Key made of the job id, the
 *    attempt and the page number ("job-ID-aN-pK"), so a page retried after
 *    a network error carries the same key and byte-identical body and is
 *    applied once; provider errors become POST …/fail with retryable set
 *    as the provider says;
 *  - the keeper thread heartbeats every NEXUS_WORKER_HEARTBEAT_S with the
 *    running job ids and extends each lease every third of its TTL; a
 *    lease the engine says is lost cancels its job, which then reports
 *    nothing more.
 *
 * Stopping (nexus_worker_loop_stop(), e.g. on SIGTERM): no new lease is
 * asked for, a waiting long poll is cancelled, jobs in flight go on; those
 * not done after NEXUS_WORKER_GRACE_S are cancelled and failed as
 * retryable, and nexus_worker_loop_run() returns within
 * NEXUS_WORKER_STOP_S of the stop.
 *
 * What a job runs: kind "place_search" runs the provider its payload
 * names ("overpass", or "google" when a Google key is set); kind "enrich"
 * (payload {"lead_id","website","name","country"}, no provider) runs
 * nexus_enrich_run().  config.providers lists what this worker takes,
 * "enrich" among them (NULL: overpass, google if there is a key, and
 * enrich).  The lease names exactly these; the engine matches a job of no
 * provider (an enrich job) by its kind.
 *
 * Secrets: the connection string and the Google key are never logged.
 *
 * Threads: nexus_worker_loop_run() on the thread whose thread-default
 * main context is the process's default one (it runs a GMainLoop there,
 * so g_unix_signal_add() handlers keep working); nexus_worker_loop_stop()
 * from any thread.
 */
#pragma once

#include <gio/gio.h>

#include "api/nexus-connection.h"

G_BEGIN_DECLS

#define NEXUS_WORKER_HEARTBEAT_S     30
#define NEXUS_WORKER_GRACE_S         8
#define NEXUS_WORKER_STOP_S          10
#define NEXUS_WORKER_MAX_CONCURRENCY 16
/* Results per report: a page is one transaction on the engine and one
 * Idempotency-Key; 100 LEADs stay far below the engine's body cap. */
#define NEXUS_WORKER_DEFAULT_PAGE 100
/* The token of config.providers that turns enrichment on. */
#define NEXUS_WORKER_ENRICH "enrich"

typedef struct
{
  guint    concurrency;  /* jobs run at once, 1..NEXUS_WORKER_MAX_CONCURRENCY */
  char   **providers;    /* providers to lease jobs for; NULL: every one this worker knows */
  char    *overpass_url; /* NULL: the public instance */
  char    *google_key;   /* Google Places API key, or NULL; never logged */
  char    *google_url;   /* Places API base URL; NULL: Google's */
  gboolean enrich_allow_loopback; /* tests only: enrich may fetch from 127.0.0.1 and ::1 */
  gboolean once;                  /* run one job, then return */
  gboolean verbose;               /* print each request to stderr */
  guint    page_size;             /* results per report; 0: NEXUS_WORKER_DEFAULT_PAGE */
} NexusWorkerConfig;

typedef struct _NexusWorkerLoop NexusWorkerLoop;

const char *const *nexus_worker_get_known_providers (void);

NexusWorkerLoop *nexus_worker_loop_new (const NexusConnection   *connection,
                                        const NexusWorkerConfig *config);
void             nexus_worker_loop_free (NexusWorkerLoop *self);
int              nexus_worker_loop_run (NexusWorkerLoop *self);
void             nexus_worker_loop_stop (NexusWorkerLoop *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusWorkerLoop, nexus_worker_loop_free)

G_END_DECLS
