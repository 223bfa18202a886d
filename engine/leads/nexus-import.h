/* nexus-import.h — files of leads through the same pipeline as workers'
 * reports
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * This module owns the CSV import: a streaming RFC 4180 reader
 * (nexus-csv.h) turns rows into NexusLeadInput records through a column
 * map, and NexusIngest stores them in batches — so an imported row is
 * normalized, matched, merged and classified exactly like a worker's
 * result.
 *
 * Memory stays constant whatever the file's size: one batch of records,
 * one CSV record and at most NEXUS_IMPORT_MAX_REJECTIONS rejection
 * messages are held at a time (further rejections are counted only).
 *
 * Each batch is committed in its own transaction.  An import stopped by an
 * error keeps the batches before it; importing the same file again is
 * harmless, because a row's (source, ref) is the same source again (a
 * re-report).  Rows without a ref column get a ref made from a hash of
 * their name, phone, address and city.
 *
 * Threads: the thread that owns the store (the engine thread, or a CLI's
 * only thread).
 */
#pragma once

#include <gio/gio.h>

#include "leads/nexus-ingest.h"

G_BEGIN_DECLS

#define NEXUS_IMPORT_ERROR (nexus_import_error_quark ())

typedef enum
{
  NEXUS_IMPORT_ERROR_BAD_MAP,     /* --map does not parse or names no column */
  NEXUS_IMPORT_ERROR_NO_NAME,     /* no column holds the name */
  NEXUS_IMPORT_ERROR_BAD_COUNTRY, /* not a region libphonenumber knows */
  NEXUS_IMPORT_ERROR_EMPTY,       /* not even a header line */
} NexusImportError;

#define NEXUS_IMPORT_BATCH          500
#define NEXUS_IMPORT_MAX_REJECTIONS 1000

/* The lead fields a column can fill. */
typedef enum
{
  NEXUS_IMPORT_FIELD_NAME,
  NEXUS_IMPORT_FIELD_PHONE,
  NEXUS_IMPORT_FIELD_ADDRESS,
  NEXUS_IMPORT_FIELD_CITY,
  NEXUS_IMPORT_FIELD_CATEGORY,
  NEXUS_IMPORT_FIELD_REF,
  NEXUS_IMPORT_FIELD_LAT,
  NEXUS_IMPORT_FIELD_LON,
  NEXUS_IMPORT_FIELD_COUNTRY,
  NEXUS_IMPORT_FIELD_WEBSITE,
  NEXUS_IMPORT_FIELD_EMAIL,
  NEXUS_IMPORT_N_FIELDS,
} NexusImportField;

typedef struct
{
  /* "name=COL,phone=COL,…" (column names of the header, any case); fields
   * not mapped are found by usual header names (name, phone, addr(ess),
   * city, category/type, ref/id, lat/latitude, lon/lng/longitude, country,
   * website/url, email).  NULL: only the usual names. */
  const char *map;
  /* Region for phones written without +CC when the row has no country;
   * NULL: such phones are kept flagged. */
  const char *country;
  /* lead_sources.provider of every row; NULL: "import". */
  const char *source;
  /* Rows per batch (transaction); 0: NEXUS_IMPORT_BATCH. */
  guint batch_size;
} NexusImportOptions;

typedef struct
{
  guint64 line;   /* line of the file where the row starts */
  char   *reason; /* why the row was not imported */
} NexusImportRejection;

typedef struct
{
  guint64 rows;     /* data rows read */
  guint64 accepted; /* n_new + merged + preview */
  guint64 n_new;    /* new leads with a valid phone */
  guint64 merged;   /* rows merged into a lead (re-imports included) */
  guint64 preview;  /* new preview-only leads */
  guint64 rejected; /* rows not imported */
  /* NexusImportRejection: the first NEXUS_IMPORT_MAX_REJECTIONS, by line. */
  GArray *rejections;
} NexusImportSummary;

/* Called after each committed batch (progress, cancellation checks). */
typedef void (*NexusImportProgressFunc) (const NexusImportSummary *summary,
                                         guint64                   bytes_read,
                                         gpointer                  user_data);

GQuark nexus_import_error_quark (void);

NexusImportSummary *nexus_import_summary_new (void);
void                nexus_import_summary_free (NexusImportSummary *summary);
JsonNode           *nexus_import_summary_to_json (const NexusImportSummary *summary);

const char *nexus_import_field_to_string (NexusImportField field);
gboolean    nexus_import_check_options (const NexusImportOptions *options, GError **error);
gboolean    nexus_import_csv (NexusIngest              *ingest,
                              GInputStream             *stream,
                              const NexusImportOptions *options,
                              NexusImportSummary       *summary,
                              NexusImportProgressFunc   progress,
                              gpointer                  user_data,
                              GCancellable             *cancellable,
                              GError                  **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusImportSummary, nexus_import_summary_free)

G_END_DECLS
