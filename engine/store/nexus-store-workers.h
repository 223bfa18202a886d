/* nexus-store-workers.h — workers, their secrets, replay records, audit log
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The SQL behind the worker API's authentication and nexusctl worker.  The
 * same threading rule as every store function: the thread that owns the
 * store.  Secrets cross this interface only as the bytes to store (sealed
 * or not, see nexus-secret-box.h); nothing here logs.
 *
 * A worker has one current secret (valid_until NULL) and, after a rotation,
 * older secrets valid until their valid_until.  A revoked worker keeps its
 * rows (for the audit trail) but authenticates no more.
 */
#pragma once

#include "nexus-store.h"

G_BEGIN_DECLS

typedef struct
{
  gint64 id;
  char  *public_id; /* WORKER_ID of the protocol */
  char  *name;
  char  *state;        /* "active" or "revoked" */
  char  *hostname;     /* from the last heartbeat, or NULL */
  char  *address;      /* source address of the last request, or NULL */
  char  *version;      /* worker version from the last heartbeat, or NULL */
  gint64 last_seen_at; /* 0: never */
  gint64 jobs_done;
  gint64 leads_found;
  gint64 created_at;
  gint64 revoked_at; /* 0: not revoked */
  char  *role;       /* "worker" takes jobs; "operator" watches events */
} NexusWorkerRecord;

typedef struct
{
  GBytes  *stored; /* as nexus_secret_box_seal() returned it */
  gboolean sealed;
  gint64   valid_until; /* 0: current */
} NexusSecretRecord;

void nexus_worker_record_free (NexusWorkerRecord *record);
void nexus_secret_record_free (NexusSecretRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusWorkerRecord, nexus_worker_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusSecretRecord, nexus_secret_record_free)

NexusWorkerRecord *nexus_store_worker_insert (NexusStore *self,
                                              const char *public_id,
                                              const char *name,
                                              const char *role,
                                              GBytes     *secret,
                                              gboolean    sealed,
                                              gint64      now,
                                              GError    **error);
NexusWorkerRecord *
nexus_store_worker_lookup (NexusStore *self, const char *id_or_public_id, GError **error);
GPtrArray *nexus_store_worker_list (NexusStore *self, GError **error);
gboolean   nexus_store_worker_rotate (NexusStore *self,
                                      gint64      worker_id,
                                      GBytes     *secret,
                                      gboolean    sealed,
                                      gint64      now,
                                      gint64      old_valid_until,
                                      GError    **error);
gboolean nexus_store_worker_revoke (NexusStore *self, gint64 worker_id, gint64 now, GError **error);
GPtrArray        *
nexus_store_worker_secrets (NexusStore *self, gint64 worker_id, gint64 now, GError **error);
gint64 nexus_store_auth_generation (NexusStore *self, GError **error);
gboolean nexus_store_worker_seen (NexusStore *self,
                                  gint64      worker_id,
                                  const char *address,
                                  const char *hostname,
                                  const char *version,
                                  gint64      now,
                                  GError    **error);

/* A worker with the number of jobs it holds a lease on. */
typedef struct
{
  NexusWorkerRecord *record;
  gint64             jobs_held;
} NexusWorkerStatus;

/* What a worker did in one hour (see the worker_hours table). */
typedef struct
{
  gint64 hour; /* unix seconds of the hour's start */
  gint64 jobs;
  gint64 leads;
  gint64 errors;
  double latency_ms_sum;
  gint64 latency_n;
} NexusWorkerHour;

void nexus_worker_status_free (NexusWorkerStatus *status);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusWorkerStatus, nexus_worker_status_free)

GPtrArray *nexus_store_worker_statuses (NexusStore *self, GError **error);
gboolean   nexus_store_worker_hours_add (NexusStore            *self,
                                         gint64                 worker_id,
                                         const NexusWorkerHour *hour,
                                         GError               **error);
GArray *
nexus_store_worker_hours_list (NexusStore *self, gint64 worker_id, gint64 since, GError **error);

/* Nonces are refused when seen in this many seconds (PROTOCOL.md). */
#define NEXUS_STORE_REPLAY_WINDOW_S 600

typedef void (*NexusReplayRowFunc) (gint64      id,
                                    gint64      worker_id,
                                    const char *nonce,
                                    gint64      seen_at,
                                    gpointer    user_data);

gboolean nexus_store_replay_append (NexusStore *self,
                                    gint64      worker_id,
                                    const char *nonce,
                                    gint64      seen_at,
                                    gint64     *out_id,
                                    GError    **error);
gboolean nexus_store_replay_scan (NexusStore        *self,
                                  gint64             after_id,
                                  gint64             since,
                                  NexusReplayRowFunc func,
                                  gpointer           user_data,
                                  gint64            *out_last_id,
                                  GError           **error);
gboolean nexus_store_replay_remember (NexusStore *self,
                                      gint64      worker_id,
                                      const char *nonce,
                                      gint64      now,
                                      gboolean   *out_fresh,
                                      GError    **error);
gboolean
nexus_store_replay_purge (NexusStore *self, gint64 before, gint64 *out_removed, GError **error);

gboolean nexus_store_audit (NexusStore *self,
                            const char *actor,
                            const char *action,
                            const char *object_kind,
                            const char *object_id,
                            const char *details_json,
                            gint64      now,
                            GError    **error);

G_END_DECLS
