/* nexus-job-queue.h — searches' runs, leases, reports, retries
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A NexusJobQueue is the engine's face of the job queue (DESIGN.md, "Jobs";
 * PROTOCOL.md for the lease semantics).  It wraps one writable NexusStore
 * and adds what SQL alone does not know: the clock, the lease TTL, the
 * backoff with its random source, the planner (a new search's cells, a
 * saturated cell's quadrants) and the "jobs-available" signal.
 *
 * Threads: a queue is used on the one thread that owns its store — the
 * engine thread in the engine (nexus_engine_get_queue()), the calling
 * thread in nexusctl, the benchmark and the tests.  Each thread or process
 * that needs its own queue opens its own store; SQLite's locking (BEGIN
 * IMMEDIATE, busy timeout) makes them safe against each other.
 *
 * Transactions: functions named *_in_transaction run inside the caller's
 * open transaction and never begin or commit (the worker API's report path
 * does: begin → ingest leads → complete_in_transaction → commit).  Every
 * other function that writes more than one statement opens its own BEGIN
 * IMMEDIATE transaction and must be called outside one; single-statement
 * functions (extend, verify_lease, enqueue) join an open transaction or
 * run on their own.
 *
 * Leases: nexus_job_queue_lease() is one atomic UPDATE … WHERE id IN
 * (SELECT … ORDER BY priority DESC, id LIMIT n) RETURNING inside BEGIN
 * IMMEDIATE, walking the index internal_jobs_ready.  Each leased job gets
 * a fresh 128-bit token; extend/complete/fail with any other token fail
 * with %NEXUS_QUEUE_ERROR_LEASE_LOST (HTTP 409 lease_lost) and change
 * nothing.  A lease that ran out but was not reaped yet still holds.
 *
 * Signal "jobs-available": emitted after jobs became ready through this
 * queue (a new search or run, split quadrants, a resumed search, a reaped
 * lease, a retry).  It is emitted from an idle callback in the
 * thread-default main context of the thread that created the queue — never
 * from inside the call that queued the jobs, so a handler may lease at
 * once: the caller's transaction has been committed by then.  Jobs queued
 * by another process are not seen here; the worker API notices those
 * through PRAGMA data_version.
 */
#pragma once

#include <gio/gio.h>

#include "queue/nexus-search.h"
#include "store/nexus-store-queue.h"

G_BEGIN_DECLS

#define NEXUS_QUEUE_ERROR (nexus_queue_error_quark ())

typedef enum
{
  NEXUS_QUEUE_ERROR_LEASE_LOST, /* the token no longer holds the job (409 lease_lost) */
  NEXUS_QUEUE_ERROR_NOT_FOUND,  /* no such job or search (404 not_found) */
  NEXUS_QUEUE_ERROR_STATE, /* not possible in the current state, e.g. pausing a cancelled search */
  NEXUS_QUEUE_ERROR_INVALID, /* a bad argument, e.g. a plan with too many jobs */
} NexusQueueError;

#define NEXUS_QUEUE_DEFAULT_LEASE_TTL_S      120
#define NEXUS_QUEUE_DEFAULT_MAX_ATTEMPTS     5
#define NEXUS_QUEUE_DEFAULT_BACKOFF_BASE_S   30
#define NEXUS_QUEUE_DEFAULT_BACKOFF_CAP_S    3600
#define NEXUS_QUEUE_DEFAULT_MAX_JOBS_PER_RUN 200000
#define NEXUS_QUEUE_MAX_LEASE                50

/* The job kind of the planner's jobs; other kinds (e.g. "enrich") are
 * queued with nexus_job_queue_enqueue() and carry their own payload. */
#define NEXUS_JOB_KIND_PLACE_SEARCH "place_search"

typedef struct
{
  gint64 lease_ttl_s;      /* how long a lease holds without an extend */
  int    max_attempts;     /* leases a job gets before it is dead */
  gint64 backoff_base_s;   /* the first retry waits up to this */
  gint64 backoff_cap_s;    /* no retry waits longer than this */
  guint  max_jobs_per_run; /* a plan with more jobs is refused */
} NexusQueueConfig;

/* Returns unix seconds.  Tests pass a clock they move, backwards too. */
typedef gint64 (*NexusClockFunc) (gpointer user_data);

/* What adding a search or starting a run did. */
typedef struct
{
  gint64 search_id; /* the search */
  gint64 run;       /* the run's number */
  guint  n_cells;   /* cells covering the region */
  guint  n_jobs;    /* jobs inserted: cells × keywords minus pending twins */
  guint  n_skipped; /* (cell, keyword) pairs still pending from an earlier run */
} NexusRunPlan;

/* What a final report did. */
typedef struct
{
  guint    n_children;       /* quadrants queued for a saturated cell */
  gboolean capped;           /* saturated at the depth limit: not split */
  gboolean search_completed; /* the report finished a one-off search */
} NexusCompleteOutcome;

/* What a failure report did: PROTOCOL.md's {"state","run_after"}. */
typedef struct
{
  NexusJobStatus status;    /* NEXUS_JOB_QUEUED (or _PAUSED/_CANCELLED with its search) or _DEAD */
  gint64         run_after; /* when a retry may be leased */
} NexusFailOutcome;

#define NEXUS_TYPE_JOB_QUEUE (nexus_job_queue_get_type ())
G_DECLARE_FINAL_TYPE (NexusJobQueue, nexus_job_queue, NEXUS, JOB_QUEUE, GObject)

GQuark nexus_queue_error_quark (void);

NexusJobQueue *nexus_job_queue_new (NexusStore *store);
NexusStore    *nexus_job_queue_get_store (NexusJobQueue *self);
void           nexus_job_queue_get_config (NexusJobQueue *self, NexusQueueConfig *out_config);
void           nexus_job_queue_set_config (NexusJobQueue *self, const NexusQueueConfig *config);
void   nexus_job_queue_set_clock (NexusJobQueue *self, NexusClockFunc clock, gpointer user_data);
gint64 nexus_job_queue_now (NexusJobQueue *self);
void   nexus_job_queue_set_random_seed (NexusJobQueue *self, guint32 seed);

/* Searches */
gboolean nexus_job_queue_add_search (NexusJobQueue         *self,
                                     const NexusSearchSpec *spec,
                                     NexusRunPlan          *out_plan,
                                     GError               **error);
gboolean nexus_job_queue_update_search (NexusJobQueue         *self,
                                        gint64                 search_id,
                                        const NexusSearchSpec *spec,
                                        GError               **error);
gboolean nexus_job_queue_start_run (NexusJobQueue *self,
                                    gint64         search_id,
                                    const char    *reason,
                                    NexusRunPlan  *out_plan,
                                    GError       **error);
gboolean nexus_job_queue_pause_search (NexusJobQueue *self, gint64 search_id, GError **error);
gboolean nexus_job_queue_resume_search (NexusJobQueue *self, gint64 search_id, GError **error);
gboolean nexus_job_queue_cancel_search (NexusJobQueue *self, gint64 search_id, GError **error);
gboolean nexus_job_queue_rerun_search (NexusJobQueue *self,
                                       gint64         search_id,
                                       NexusRunPlan  *out_plan,
                                       GError       **error);

/* Jobs: the worker API */
GPtrArray      *nexus_job_queue_lease (NexusJobQueue     *self,
                                       gint64             worker_id,
                                       guint              max,
                                       const char *const *providers,
                                       GError           **error);
GPtrArray      *nexus_job_queue_lease_in_transaction (NexusJobQueue     *self,
                                                      gint64             worker_id,
                                                      guint              max,
                                                      const char *const *providers,
                                                      GError           **error);
gboolean        nexus_job_queue_extend (NexusJobQueue *self,
                                        gint64         job_id,
                                        const char    *token,
                                        gint64        *out_expires_at,
                                        GError       **error);
NexusJobRecord *nexus_job_queue_verify_lease (NexusJobQueue *self,
                                              gint64         job_id,
                                              const char    *token,
                                              GError       **error);
gboolean        nexus_job_queue_complete (NexusJobQueue        *self,
                                          gint64                job_id,
                                          const char           *token,
                                          gboolean              saturated,
                                          gint64                n_results,
                                          NexusCompleteOutcome *out_outcome,
                                          GError              **error);
gboolean        nexus_job_queue_complete_in_transaction (NexusJobQueue        *self,
                                                         gint64                job_id,
                                                         const char           *token,
                                                         gboolean              saturated,
                                                         gint64                n_results,
                                                         NexusCompleteOutcome *out_outcome,
                                                         GError              **error);
gboolean        nexus_job_queue_fail (NexusJobQueue    *self,
                                      gint64            job_id,
                                      const char       *token,
                                      const char       *error_text,
                                      gboolean          retryable,
                                      NexusFailOutcome *out_outcome,
                                      GError          **error);
gboolean        nexus_job_queue_fail_in_transaction (NexusJobQueue    *self,
                                                     gint64            job_id,
                                                     const char       *token,
                                                     const char       *error_text,
                                                     gboolean          retryable,
                                                     NexusFailOutcome *out_outcome,
                                                     GError          **error);

/* Jobs: upkeep and the operator */
gboolean nexus_job_queue_reap (NexusJobQueue *self, gint64 *out_reclaimed, GError **error);
gboolean nexus_job_queue_retry (NexusJobQueue  *self,
                                gint64          job_id,
                                NexusJobStatus *out_status,
                                GError        **error);
gboolean nexus_job_queue_retry_dead (NexusJobQueue *self,
                                     gint64         search_id,
                                     gint64        *out_retried,
                                     GError       **error);
gboolean nexus_job_queue_cancel_job (NexusJobQueue *self, gint64 job_id, GError **error);
gboolean nexus_job_queue_bump_priority (NexusJobQueue *self,
                                        gint64         job_id,
                                        int            delta,
                                        int           *out_priority,
                                        GError       **error);
gboolean nexus_job_queue_enqueue (NexusJobQueue      *self,
                                  const NexusJobSpec *spec,
                                  gint64             *out_job_id,
                                  GError            **error);
void     nexus_job_queue_notify_jobs_available (NexusJobQueue *self);

/* The payload of a place_search job (PROTOCOL.md), as JSON text. */
char *nexus_job_queue_build_payload (const NexusSearchRecord *search,
                                     const char              *keyword,
                                     const NexusBBox         *cell,
                                     int                      depth);

/* Capped exponential backoff with full jitter: a uniformly random whole
 * number of seconds in [0, MIN (cap, base × 2^(attempt − 1))]. */
gint64 nexus_backoff_delay (guint attempt, gint64 base_s, gint64 cap_s, GRand *rand);

G_END_DECLS
