/* nexus-store-queue.h — searches, their runs, jobs and the Nominatim cache
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The SQL behind the job queue, the planner's bookkeeping, the scheduler and
 * nexusctl search/jobs.  Engine code reaches it through NexusJobQueue
 * (engine/queue/nexus-job-queue.h), which adds the clock, the backoff, the
 * split and the "jobs-available" signal; call these directly only for what
 * the queue does not wrap.
 *
 * Rules this module relies on:
 *
 *  - Threads: the thread that currently owns the store (see nexus-store.h).
 *  - Transactions: every function runs inside the caller's transaction when
 *    one is open and as a single autocommit statement otherwise, unless its
 *    comment says "needs an open transaction".  None begins or commits.
 *  - Times are unix seconds passed in by the caller (`now`): nothing here
 *    reads a clock, so tests can move time, backwards too.
 *  - Fencing: a job's lease_token changes on every lease and is cleared when
 *    the lease ends (completion, failure, expiry, cancel).  Every operation
 *    on a leased job names the token; a stale token changes nothing and is
 *    reported as NEXUS_LEASE_LOST.
 *  - Job states: queued → leased → done | queued again (retry, run_after in
 *    the future, attempts > 0) | dead; paused and cancelled follow their
 *    search.  "failed" is not a stored state: it is a queued job with
 *    attempts > 0, so that the ready path is one status in the index
 *    internal_jobs_ready (status, priority DESC, id).
 *  - Pending means queued, leased or paused: a new run never inserts a
 *    place_search job whose (search, keyword, depth, cell) is still pending.
 */
#pragma once

#include "nexus-store.h"
#include "planner/nexus-geo.h"

G_BEGIN_DECLS

typedef enum
{
  NEXUS_SEARCH_ACTIVE,
  NEXUS_SEARCH_PAUSED,
  NEXUS_SEARCH_CANCELLED,
  NEXUS_SEARCH_COMPLETED, /* a one-off search whose jobs all finished */
} NexusSearchState;

typedef enum
{
  NEXUS_JOB_QUEUED,
  NEXUS_JOB_LEASED,
  NEXUS_JOB_DONE,
  NEXUS_JOB_DEAD, /* out of attempts, or a failure that cannot be retried */
  NEXUS_JOB_CANCELLED,
  NEXUS_JOB_PAUSED,
} NexusJobStatus;

/* What a store function found when asked to act on a lease. */
typedef enum
{
  NEXUS_LEASE_HELD,   /* the token is the job's current lease: done */
  NEXUS_LEASE_LOST,   /* the job exists but this token no longer holds it */
  NEXUS_LEASE_NO_JOB, /* there is no job with this id */
} NexusLeaseCheck;

typedef struct
{
  gint64           id;            /* searches.id */
  char            *name;          /* the operator's name for it */
  char           **keywords;      /* NULL-terminated, at least one */
  char            *region_kind;   /* "bbox", "polygon" or "place" */
  char            *region;        /* JSON: [s,w,n,e] or a GeoJSON geometry */
  char            *place_name;    /* as typed, for region_kind "place"; else NULL */
  char            *place_display; /* Nominatim's display_name, or NULL */
  char            *provider;      /* e.g. "overpass" */
  char            *country;       /* ISO 3166-1 alpha-2, or NULL */
  char            *language;      /* e.g. "ar", or NULL */
  gint64           cadence_s;     /* 0: once */
  double           cell_km;       /* edge of a depth-0 cell */
  int              max_depth;     /* splits allowed below a depth-0 cell */
  int              priority;      /* copied to its jobs; higher is leased first */
  NexusSearchState state;         /* see NexusSearchState */
  gint64           run;           /* the latest run, 0 before the first */
  gint64           last_run_at;   /* 0: never ran */
  gint64           next_run_at;   /* 0: no run scheduled */
  gint64           created_at;    /* unix seconds */
  gint64           updated_at;    /* unix seconds */
} NexusSearchRecord;

typedef struct
{
  gint64         id;               /* internal_jobs.id */
  gint64         search_id;        /* 0: a job of no search (e.g. kind "enrich") */
  gint64         run;              /* the search's run that queued it */
  char          *kind;             /* "place_search", "enrich", … */
  NexusJobStatus status;           /* see NexusJobStatus */
  int            priority;         /* higher is leased first */
  char          *provider;         /* NULL: only unfiltered leases take it */
  char          *keyword;          /* NULL for kinds without one */
  gboolean       has_cell;         /* FALSE: @cell is all zero */
  NexusBBox      cell;             /* the cell of a place_search job */
  int            depth;            /* 0 for planned cells, +1 per split */
  gint64         parent_id;        /* the split cell's job, or 0 */
  char          *payload;          /* JSON object handed to the worker */
  int            attempts;         /* leases so far */
  int            max_attempts;     /* leases allowed before it is dead */
  gint64         run_after;        /* not leased before this time */
  char          *lease_token;      /* NULL unless leased */
  gint64         lease_worker_id;  /* workers.id of the last lease, or 0 */
  gint64         lease_expires_at; /* 0 unless leased */
  char          *last_error;       /* kept through retries and death */
  gboolean       saturated;        /* the final report said the provider's cap was hit */
  gboolean       capped;           /* saturated at the search's depth limit */
  gint64         result_count;     /* results reported for it */
  gint64         created_at;       /* unix seconds */
  gint64         updated_at;       /* unix seconds */
  gint64         finished_at;      /* 0 unless done, dead or cancelled */
} NexusJobRecord;

/* A job to insert.  Strings are borrowed for the call. */
typedef struct
{
  gint64           search_id;    /* 0: none */
  gint64           run;          /* the search's run; 0 counts as 1 */
  const char      *kind;         /* e.g. NEXUS_JOB_KIND_PLACE_SEARCH */
  NexusJobStatus   status;       /* NEXUS_JOB_QUEUED or NEXUS_JOB_PAUSED */
  int              priority;     /* higher is leased first */
  const char      *provider;     /* nullable */
  const char      *keyword;      /* nullable */
  const NexusBBox *cell;         /* nullable */
  int              depth;        /* 0 for a planned cell */
  gint64           parent_id;    /* 0: none */
  const char      *payload;      /* JSON object */
  int              max_attempts; /* 0: 5 */
  gint64           run_after;    /* 0: due at once */
} NexusJobSpec;

/* One job handed out by a lease: what the worker API sends. */
typedef struct
{
  gint64 id;               /* internal_jobs.id */
  char  *lease_token;      /* 32 lowercase hex digits, fresh for this lease */
  gint64 lease_expires_at; /* unix seconds */
  int    attempt;          /* 1 for the first lease */
  int    priority;         /* the job's priority */
  char  *kind;             /* e.g. "place_search" */
  char  *payload;          /* JSON object text */
} NexusLeasedJob;

/* Jobs of a search's latest run, plus pending jobs of earlier runs. */
typedef struct
{
  gint64 planned;          /* every job counted here */
  gint64 queued;           /* waiting for a first lease */
  gint64 failed;           /* failed at least once, waiting for a retry */
  gint64 leased;           /* with a worker now */
  gint64 done;             /* includes capped and split cells */
  gint64 capped;           /* done, saturated at the depth limit */
  gint64 dead;             /* out of attempts or not retryable */
  gint64 paused;           /* waiting for the search to resume */
  gint64 cancelled;        /* cancelled with the search */
  gint64 leads_found;      /* results reported by the done jobs */
  gint64 leads_new;        /* leads its jobs added to the vault or the preview pool */
  gint64 run;              /* the search's latest run */
  gint64 run_started_at;   /* 0 before the first run */
  gint64 last_finished_at; /* the latest job end, 0 if none */
} NexusSearchProgress;

typedef struct
{
  gint64      search_id; /* 0: any */
  const char *status;    /* a job status name, "failed", or NULL for any */
  gint64      after_id;  /* only ids above this (keyset paging) */
  guint       limit;     /* 0: no limit */
  gint64      worker_id; /* 0: any; else the worker of the last lease */
  const char *kind;      /* NULL: any; else e.g. "place_search" */
} NexusJobFilter;

/* One run of a search (search_runs). */
typedef struct
{
  gint64 run;          /* 1 for the first */
  char  *reason;       /* "initial", "schedule" or "rerun" */
  gint64 started_at;   /* unix seconds */
  gint64 jobs_planned; /* new jobs; pending twins are not counted */
  gint64 jobs_done;    /* its jobs done now */
  gint64 jobs_dead;    /* its jobs dead now */
  gint64 leads_found;  /* results reported by its done jobs */
  gint64 leads_new;    /* leads its jobs added to the vault or the preview pool */
} NexusSearchRunRecord;

typedef struct
{
  char  *query_norm;   /* the cache key */
  char  *query;        /* as first asked */
  char  *display_name; /* Nominatim's name for the place */
  char  *geometry;     /* GeoJSON geometry text, or NULL */
  char  *bbox;         /* [s,w,n,e] */
  gint64 fetched_at;   /* unix seconds */
} NexusPlaceRecord;

const char *nexus_search_state_to_string (NexusSearchState state);
gboolean    nexus_search_state_from_string (const char *text, NexusSearchState *out_state);
const char *nexus_job_status_to_string (NexusJobStatus status);
gboolean    nexus_job_status_from_string (const char *text, NexusJobStatus *out_status);

void nexus_search_record_free (NexusSearchRecord *record);
void nexus_job_record_free (NexusJobRecord *record);
void nexus_leased_job_free (NexusLeasedJob *job);
void nexus_place_record_free (NexusPlaceRecord *record);
void nexus_search_run_record_free (NexusSearchRunRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusSearchRecord, nexus_search_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusJobRecord, nexus_job_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusLeasedJob, nexus_leased_job_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusPlaceRecord, nexus_place_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusSearchRunRecord, nexus_search_run_record_free)

/* Searches */
gint64             nexus_store_search_insert (NexusStore              *self,
                                              const NexusSearchRecord *search,
                                              gint64                   now,
                                              GError                 **error);
gboolean           nexus_store_search_update (NexusStore              *self,
                                              const NexusSearchRecord *search,
                                              gint64                   next_run_at,
                                              gint64                   now,
                                              gboolean                *out_found,
                                              GError                 **error);
NexusSearchRecord *nexus_store_search_get (NexusStore *self, gint64 id, GError **error);
GPtrArray         *nexus_store_search_list (NexusStore *self, GError **error);
gboolean           nexus_store_search_set_state (NexusStore      *self,
                                                 gint64           id,
                                                 NexusSearchState state,
                                                 gint64           next_run_at,
                                                 gint64           now,
                                                 GError         **error);
gint64             nexus_store_search_begin_run (NexusStore *self,
                                                 gint64      id,
                                                 const char *reason,
                                                 gint64      next_run_at,
                                                 gint64      now,
                                                 GError    **error);
gboolean           nexus_store_search_set_run_planned (NexusStore *self,
                                                       gint64      id,
                                                       gint64      run,
                                                       gint64      jobs_planned,
                                                       GError    **error);
GArray            *nexus_store_search_due (NexusStore *self, gint64 now, GError **error);
gboolean           nexus_store_search_clamp_schedule (NexusStore *self,
                                                      gint64      now,
                                                      gint64     *out_changed,
                                                      GError    **error);
gboolean           nexus_store_search_complete_if_done (NexusStore *self,
                                                        gint64      id,
                                                        gint64      now,
                                                        gboolean   *out_completed,
                                                        GError    **error);
gboolean           nexus_store_search_complete_finished (NexusStore *self,
                                                         gint64      now,
                                                         gint64     *out_completed,
                                                         GError    **error);
gboolean           nexus_store_search_progress (NexusStore          *self,
                                                gint64               id,
                                                NexusSearchProgress *out_progress,
                                                GError             **error);
gboolean
nexus_store_search_count_runs (NexusStore *self, gint64 id, gint64 *out_runs, GError **error);
gboolean   nexus_store_search_count_finished_since (NexusStore *self,
                                                    gint64      id,
                                                    gint64      since,
                                                    gint64     *out_count,
                                                    GError    **error);
GPtrArray *nexus_store_search_list_runs (NexusStore *self, gint64 id, GError **error);

/* Jobs */
gboolean        nexus_store_job_insert (NexusStore         *self,
                                        const NexusJobSpec *spec,
                                        gint64              now,
                                        gint64             *out_id,
                                        GError            **error);
GPtrArray      *nexus_store_job_lease (NexusStore        *self,
                                       gint64             worker_id,
                                       guint              max,
                                       const char *const *providers,
                                       gint64             now,
                                       gint64             ttl_s,
                                       GError           **error);
gboolean        nexus_store_job_extend (NexusStore      *self,
                                        gint64           id,
                                        const char      *token,
                                        gint64           now,
                                        gint64           ttl_s,
                                        NexusLeaseCheck *out_check,
                                        gint64          *out_expires_at,
                                        GError         **error);
NexusJobRecord *nexus_store_job_get_leased (NexusStore      *self,
                                            gint64           id,
                                            const char      *token,
                                            NexusLeaseCheck *out_check,
                                            GError         **error);
NexusJobRecord *nexus_store_job_complete (NexusStore      *self,
                                          gint64           id,
                                          const char      *token,
                                          gboolean         saturated,
                                          gint64           n_results,
                                          gint64           now,
                                          NexusLeaseCheck *out_check,
                                          GError         **error);
gboolean        nexus_store_job_set_capped (NexusStore *self, gint64 id, GError **error);
gboolean        nexus_store_job_fail (NexusStore      *self,
                                      gint64           id,
                                      const char      *token,
                                      gboolean         dead,
                                      gint64           run_after,
                                      const char      *error_text,
                                      gint64           now,
                                      NexusLeaseCheck *out_check,
                                      NexusJobStatus  *out_status,
                                      GError         **error);
gboolean        nexus_store_job_reap (NexusStore *self,
                                      gint64      now,
                                      gint64     *out_requeued,
                                      gint64     *out_dead,
                                      GError    **error);
gboolean        nexus_store_job_clamp_times (NexusStore *self,
                                             gint64      now,
                                             gint64      ttl_s,
                                             gint64      max_delay_s,
                                             gint64     *out_changed,
                                             GError    **error);
gboolean        nexus_store_job_pause_search (NexusStore *self,
                                              gint64      search_id,
                                              gint64      now,
                                              gint64     *out_changed,
                                              GError    **error);
gboolean        nexus_store_job_resume_search (NexusStore *self,
                                               gint64      search_id,
                                               gint64      now,
                                               gint64     *out_changed,
                                               GError    **error);
gboolean        nexus_store_job_cancel_search (NexusStore *self,
                                               gint64      search_id,
                                               gint64      now,
                                               gint64     *out_changed,
                                               GError    **error);
gboolean        nexus_store_job_requeue (NexusStore    *self,
                                         gint64         id,
                                         NexusJobStatus from,
                                         NexusJobStatus to,
                                         gboolean       reset_attempts,
                                         gint64         now,
                                         gboolean      *out_changed,
                                         GError       **error);
NexusJobRecord *nexus_store_job_get (NexusStore *self, gint64 id, GError **error);
GPtrArray *nexus_store_job_list (NexusStore *self, const NexusJobFilter *filter, GError **error);
gboolean   nexus_store_job_count (NexusStore           *self,
                                  const NexusJobFilter *filter,
                                  gint64               *out_count,
                                  GError              **error);
GArray  *nexus_store_job_list_ids (NexusStore *self, const NexusJobFilter *filter, GError **error);
gboolean nexus_store_job_cancel (NexusStore *self,
                                 gint64      id,
                                 gint64      now,
                                 gboolean   *out_changed,
                                 GError    **error);
gboolean nexus_store_job_set_search_priority (NexusStore *self,
                                              gint64      search_id,
                                              int         priority,
                                              gint64      now,
                                              GError    **error);
gboolean nexus_store_job_add_priority (NexusStore *self,
                                       gint64      id,
                                       int         delta,
                                       int         max_priority,
                                       gint64      now,
                                       gboolean   *out_changed,
                                       GError    **error);
gboolean
nexus_store_job_count_ready (NexusStore *self, gint64 now, gint64 *out_count, GError **error);

/* Nominatim cache */
NexusPlaceRecord *nexus_store_place_get (NexusStore *self, const char *query_norm, GError **error);
gboolean nexus_store_place_put (NexusStore *self, const NexusPlaceRecord *place, GError **error);

G_END_DECLS
