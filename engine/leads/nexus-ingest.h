/* nexus-ingest.h — the leads pipeline: normalize → match → merge → classify
 * → store
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * This module owns NexusIngest, the one way records enter the vault (worker
 * reports, imports, the demo data, enrichment results), and the operator's
 * whole-lead operations (merge by hand, split a wrong merge).
 *
 * For each record of a batch, in order (later records see earlier ones):
 *
 *  1. normalize: name, address, city, website host, e-mail, country, and
 *     every phone number to E.164 (default region: the record's country,
 *     else the context's); numbers that are not valid are kept raw and
 *     flagged (leads.phone_raw, phone_invalid), never dropped;
 *  2. match (see nexus-similarity.h for the rules and constants): the same
 *     provider + ref is the same source (a re-report: one more sighting, no
 *     second lead, no second source row); else a shared valid E.164; else a
 *     lead within ~150 m (R*Tree) or at the same normalized address and city
 *     with a similar enough name;
 *  3. merge: the record becomes a lead_sources row of the matched lead
 *     (provider, ref, job, worker, raw LEAD payload, first/last seen,
 *     sightings) and fills the lead's empty fields — a field already set is
 *     not overwritten, a category is replaced only by a better kind
 *     (operator > rule > model > provider), the rating with more reviews
 *     wins; the lead's sightings and last_seen_at go up;
 *  4. or a new lead, classified (nexus-classifier.h).  A lead without any
 *     valid phone is preview-only (leads.preview_only = 1, kept apart from
 *     the vault) and an 'enrich' job is queued for it
 *     ({"lead_id","website","name","country"}); when a phone arrives later
 *     (a re-report, an enrichment result, a merge) it joins the vault
 *     through the same phone match — possibly into an existing lead.
 *
 * Threads: a NexusIngest is bound to one writable NexusStore and is used on
 * that store's thread only (the engine thread).  Nothing here locks.  Only
 * nexus_ingest_prepare() (step 1 alone) runs on any thread.
 *
 * Transactions: nexus_ingest_batch_in_transaction() runs inside the
 * caller's open transaction (nexus_store_begin()) and neither commits nor
 * rolls back — on error the caller rolls back and discards the report.
 * Every other function that writes opens and commits its own transaction
 * and must not be called inside one.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "leads/nexus-lead.h"
#include "store/nexus-store.h"

G_BEGIN_DECLS

#define NEXUS_INGEST_ERROR (nexus_ingest_error_quark ())

typedef enum
{
  NEXUS_INGEST_ERROR_NOT_FOUND, /* no such lead or source */
  NEXUS_INGEST_ERROR_INVALID,   /* an operation that makes no sense (merge a lead into itself) */
} NexusIngestError;

/* Where a batch comes from.  Zero-initialize and set what applies. */
typedef struct
{
  /* internal_jobs.id the records were found by, or 0. */
  gint64 job_id;
  /* workers.id that reported them, or 0. */
  gint64 worker_id;
  /* ISO 3166-1 alpha-2 region for numbers written without +CC when the
   * record has no valid country of its own (the search's country); NULL:
   * such numbers are kept flagged. */
  const char *default_region;
  /* For the results of an 'enrich' job: the preview lead it was queued for;
   * records not already known by provider + ref merge into it (and it then
   * joins the vault if they bring a phone).  0 otherwise. */
  gint64 enrich_lead_id;
  /* Unix seconds recorded as first/last seen; 0: now. */
  gint64 now;
} NexusIngestContext;

typedef enum
{
  NEXUS_INGEST_OUTCOME_REJECTED,
  NEXUS_INGEST_OUTCOME_NEW,     /* a new lead with a valid phone */
  NEXUS_INGEST_OUTCOME_MERGED,  /* into an existing lead (a re-report included) */
  NEXUS_INGEST_OUTCOME_PREVIEW, /* a new preview-only lead */
} NexusIngestOutcome;

typedef struct
{
  guint index;  /* position of the record in its batch (see the report) */
  char *reason; /* short, for the worker: "missing name" */
} NexusIngestRejection;

/* The answer to a report, and per-record results.  One report may collect
 * several batches: record i of a batch gets index (records already in
 * lead_ids) + i. */
typedef struct
{
  guint accepted; /* n_new + merged + preview */
  guint n_new;    /* new leads with a valid phone */
  guint merged;   /* records merged into a lead (re-reports included) */
  guint preview;  /* new preview-only leads */
  /* NexusIngestRejection, sorted by index. */
  GArray *rejected;
  /* gint64 per record: the lead it is part of now, 0 when rejected. */
  GArray *lead_ids;
  /* NexusIngestOutcome per record. */
  GArray *outcomes;
} NexusIngestReport;

#define NEXUS_TYPE_INGEST (nexus_ingest_get_type ())
G_DECLARE_FINAL_TYPE (NexusIngest, nexus_ingest, NEXUS, INGEST, GObject)

GQuark nexus_ingest_error_quark (void);

NexusIngestReport *nexus_ingest_report_new (void);
void               nexus_ingest_report_free (NexusIngestReport *report);
void  nexus_ingest_report_reject (NexusIngestReport *report, guint index, const char *reason);
char *nexus_ingest_report_to_text (const NexusIngestReport *report);

NexusIngest *nexus_ingest_new (NexusStore *store, GError **error);
NexusIngest *nexus_ingest_get_for_store (NexusStore *store, GError **error);
NexusStore  *nexus_ingest_get_store (NexusIngest *self);

gboolean nexus_ingest_batch_in_transaction (NexusIngest              *self,
                                            const NexusIngestContext *context,
                                            GPtrArray                *records,
                                            NexusIngestReport        *report,
                                            GError                  **error);

/* Normalization ahead of time, on any thread (see nexus_ingest_prepare()). */
typedef struct _NexusIngestPrepared NexusIngestPrepared;

NexusIngestPrepared *nexus_ingest_prepare (GPtrArray *records);
void                 nexus_ingest_prepared_free (NexusIngestPrepared *batch);
gboolean             nexus_ingest_prepared_in_transaction (NexusIngest              *self,
                                                           const NexusIngestContext *context,
                                                           NexusIngestPrepared      *batch,
                                                           NexusIngestReport        *report,
                                                           GError                  **error);
gboolean             nexus_ingest_batch (NexusIngest              *self,
                                         const NexusIngestContext *context,
                                         GPtrArray                *records,
                                         NexusIngestReport        *report,
                                         GError                  **error);

gboolean nexus_ingest_merge_leads (NexusIngest *self,
                                   gint64       keep_lead_id,
                                   gint64       other_lead_id,
                                   const char  *actor,
                                   GError     **error);
gboolean nexus_ingest_split_lead (NexusIngest  *self,
                                  gint64        lead_id,
                                  const gint64 *source_ids,
                                  guint         n_source_ids,
                                  const char   *actor,
                                  gint64       *out_new_lead_id,
                                  GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusIngestReport, nexus_ingest_report_free)

G_END_DECLS
