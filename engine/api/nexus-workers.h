/* nexus-workers.h — worker identities: add, rotate, revoke, authenticate
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The operations behind `nexusctl worker` and the console's Workers page,
 * and the signature check of every worker request (PROTOCOL.md, "Server
 * rules", after the per-address rate limit).  They take a writable store and
 * run on its thread: the engine thread inside the engine, the main thread in
 * nexusctl.  nexus_workers_authenticate() caches nothing; the worker API
 * checks signatures through a NexusAuthCache, which re-reads a worker's
 * state whenever anything was committed, so a worker added, rotated or
 * revoked by another process counts at once either way.
 *
 * Secrets leave this module only inside the connection string returned by
 * nexus_workers_add() and nexus_workers_rotate(), which is shown once.
 */
#pragma once

#include "store/nexus-store-workers.h"

G_BEGIN_DECLS

/* Seconds a rotated-away secret keeps working by default. */
#define NEXUS_WORKERS_DEFAULT_GRACE_S (24 * 3600)

#define NEXUS_AUTH_ERROR (nexus_auth_error_quark ())

/* Each code maps to one of PROTOCOL.md's error codes. */
typedef enum
{
  NEXUS_AUTH_ERROR_BAD_REQUEST,     /* 400 bad_request: missing or malformed headers */
  NEXUS_AUTH_ERROR_UNAUTHORIZED,    /* 401 unauthorized: unknown worker, bad signature */
  NEXUS_AUTH_ERROR_STALE_TIMESTAMP, /* 401 stale_timestamp */
  NEXUS_AUTH_ERROR_REPLAYED,        /* 401 replayed */
  NEXUS_AUTH_ERROR_REVOKED,         /* 403 revoked */
} NexusAuthError;

typedef struct
{
  const char   *method;
  const char   *path_and_query;
  const char   *worker_id; /* X-Nexus-Worker */
  const char   *timestamp; /* X-Nexus-Timestamp */
  const char   *nonce;     /* X-Nexus-Nonce */
  const char   *signature; /* X-Nexus-Signature */
  const guint8 *body;
  gsize         body_length;
} NexusAuthRequest;

GQuark nexus_auth_error_quark (void);

#define NEXUS_ROLE_WORKER   "worker"
#define NEXUS_ROLE_OPERATOR "operator"

char    *nexus_workers_add (NexusStore         *store,
                            const char         *name,
                            const char         *role,
                            const char         *engine_address,
                            const char         *tls_fingerprint,
                            NexusWorkerRecord **out_worker,
                            GError            **error);
char    *nexus_workers_rotate (NexusStore *store,
                               const char *id_or_public_id,
                               gint64      grace_s,
                               const char *engine_address,
                               const char *tls_fingerprint,
                               GError    **error);
gboolean nexus_workers_revoke (NexusStore *store, const char *id_or_public_id, GError **error);
NexusWorkerRecord *nexus_workers_authenticate (NexusStore             *store,
                                               const NexusAuthRequest *request,
                                               gint64                  now,
                                               GError                **error);
gboolean           nexus_workers_parse_duration (const char *text, gint64 *out_seconds);

NexusWorkerRecord *nexus_workers_verify (NexusStore             *store,
                                         const NexusAuthRequest *request,
                                         gint64                  now,
                                         GError                **error);

typedef struct _NexusAuthCache NexusAuthCache;

NexusAuthCache    *nexus_auth_cache_new (NexusStore *store);
void               nexus_auth_cache_free (NexusAuthCache *cache);
void               nexus_auth_cache_set_generation (NexusAuthCache *cache, gint64 generation);
NexusWorkerRecord *nexus_auth_cache_verify (NexusAuthCache         *cache,
                                            const NexusAuthRequest *request,
                                            gint64                  now,
                                            gint64                 *out_generation,
                                            GError                **error);

G_END_DECLS
