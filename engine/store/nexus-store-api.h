/* nexus-store-api.h — the worker API's own records
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Idempotency keys of reports (the answer kept byte for byte), per-worker
 * tallies, and the counts /metrics shows.  The engine thread's store only.
 * Functions that write join the caller's open transaction.
 */
#pragma once

#include "nexus-store.h"

G_BEGIN_DECLS

/* Reports' answers are kept at least this long (PROTOCOL.md: ≥ 24 h). */
#define NEXUS_IDEMPOTENCY_TTL_S (48 * 3600)

gboolean    nexus_store_idempotency_lookup (NexusStore *self,
                                            gint64      worker_id,
                                            const char *key,
                                            char      **out_body_sha256,
                                            guint      *out_status,
                                            GBytes    **out_response,
                                            GError    **error);
gboolean    nexus_store_idempotency_store (NexusStore *self,
                                           gint64      worker_id,
                                           const char *key,
                                           const char *body_sha256,
                                           guint       status,
                                           const char *response,
                                           gint64      now,
                                           GError    **error);
gboolean    nexus_store_idempotency_purge (NexusStore *self,
                                           gint64      before,
                                           gint64     *out_removed,
                                           GError    **error);
gboolean    nexus_store_job_add_results (NexusStore *self,
                                         gint64      job_id,
                                         gint64      n_results,
                                         gint64      n_new_leads,
                                         GError    **error);
gboolean    nexus_store_worker_count_work (NexusStore *self,
                                           gint64      worker_id,
                                           gint64      jobs_done,
                                           gint64      leads_found,
                                           GError    **error);
GHashTable *nexus_store_job_counts_by_status (NexusStore *self, GError **error);
gint64      nexus_store_workers_seen_since (NexusStore *self, gint64 since);

G_END_DECLS
