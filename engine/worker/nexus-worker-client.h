/* nexus-worker-client.h — the worker's side of the worker API, version 1
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A NexusWorkerClient sends signed requests (PROTOCOL.md, "Signing") to
 * the engine named by a connection string and turns the answers into
 * JSON or a NexusWorkerError that says what the caller should do next:
 * retry later (NETWORK, SERVER, IN_PROGRESS), drop the job (LEASE_LOST),
 * give up for good (REFUSED: unknown, revoked or mistyped credentials) or
 * stop sending this request (REQUEST: the engine says it is malformed).
 *
 * With tls= in the connection string the client speaks HTTPS and accepts
 * exactly the certificate whose SHA-256 fingerprint it names — no CA is
 * consulted, so neither a CA-signed certificate for the same host nor a
 * self-signed one with another key gets through.
 *
 * Secrets: the client holds the worker secret.  Nothing here logs, and no
 * error message holds the secret, a signature or the connection string.
 *
 * Threads: a client blocks on the network (synchronous libsoup calls) and
 * belongs to the thread that made it; give each thread its own client.
 * nexus_worker_backoff_ms() is pure and callable from any thread.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "api/nexus-connection.h"

G_BEGIN_DECLS

#define NEXUS_WORKER_ERROR (nexus_worker_error_quark ())

typedef enum
{
  NEXUS_WORKER_ERROR_NETWORK,     /* no answer (connection, timeout, TLS pin mismatch): retry */
  NEXUS_WORKER_ERROR_SERVER,      /* 5xx, 503 shutting_down, 429 rate_limited: retry later */
  NEXUS_WORKER_ERROR_IN_PROGRESS, /* 409 in_progress: the same report is being applied */
  NEXUS_WORKER_ERROR_LEASE_LOST,  /* 409 lease_lost or 404: the job is no longer ours */
  NEXUS_WORKER_ERROR_REFUSED,     /* 401, 403: the engine does not accept this worker */
  NEXUS_WORKER_ERROR_REQUEST,     /* 400, 413, 415, 422 and others: do not send it again */
} NexusWorkerError;

/* Backoff between retries: the first waits about a second, none more
 * than a minute, and none less than half its step (no busy loop). */
#define NEXUS_WORKER_BACKOFF_BASE_MS 1000
#define NEXUS_WORKER_BACKOFF_CAP_MS  60000

typedef struct _NexusWorkerClient NexusWorkerClient;

GQuark nexus_worker_error_quark (void);

NexusWorkerClient *nexus_worker_client_new (const NexusConnection *connection, guint timeout_s);
void               nexus_worker_client_free (NexusWorkerClient *self);
const char        *nexus_worker_client_get_base_url (NexusWorkerClient *self);
JsonNode          *nexus_worker_client_post (NexusWorkerClient *self,
                                             const char        *path,
                                             const char        *body,
                                             const char        *idempotency_key,
                                             gint64            *out_retry_after_s,
                                             GCancellable      *cancellable,
                                             GError           **error);
JsonNode          *nexus_worker_client_post_json (NexusWorkerClient *self,
                                                  const char        *path,
                                                  JsonNode          *body,
                                                  GCancellable      *cancellable,
                                                  GError           **error);

guint nexus_worker_backoff_ms (guint attempt, GRand *rand);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusWorkerClient, nexus_worker_client_free)

G_END_DECLS
