/* nexus-import.h — files of leads through the same pipeline as workers'
 * reports
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * This module owns imports of files of leads: a NexusRowReader
 * (nexus-row-reader.h) turns a CSV, XLSX, JSON, NDJSON or GeoJSON file into
 * a header and rows of strings, a column map turns each row into a
 * NexusLeadInput, and NexusIngest stores them — so an imported row is normalized, matched,
 * merged and classified exactly like a worker's result.
 *
 * Columns: options->columns (one field per column, as the console's
 * mapping gives) wins; else options->map ("name=COL,…"), and the columns
 * not named there are found by their header (nexus_import_guess_field():
 * usual names in English and Arabic).  Each field has one column, except
 * the phone: every column that holds phones (the exporter's phone_e164,
 * other_phones and phone_raw; up to NEXUS_LEAD_MAX_PHONES) is read, and a
 * cell may hold several numbers.
 *
 * A file is imported whole or not at all.  Its rows go through the
 * pipeline in batches of options->batch_size inside ONE transaction:
 *
 *  - a row the pipeline cannot take (no name, bad coordinates…) is
 *    rejected with its line and reason, and the import goes on;
 *  - a file that fails as a whole — it cannot be decoded, it is not text,
 *    a record or cell over the readers' limits, a malformed XLSX or
 *    GeoJSON, more ragged CSV rows (a field count other than the header's)
 *    than NEXUS_IMPORT_MAX_RAGGED and 1 % of the rows — is rolled back
 *    with a message: nothing of it stays, whatever line the problem is on;
 *  - cancelling (checked between batches) rolls back too;
 *  - a dry run (options->dry_run) does all of the above and rolls back at
 *    the end: its summary says exactly what the import would do, with
 *    nothing written.
 *
 * So importing the same file twice is harmless: a row's (source, ref) is
 * the same source again (a re-report).  Rows without a ref column get a ref
 * made from a hash of their name, phone, address and city.
 *
 * Rejected rows can be written, as they were read, to options->rejects as
 * CSV with two more columns, "line" and "reason" (cells that a spreadsheet
 * would run as formulas get a leading apostrophe).
 *
 * Memory stays constant whatever the file's size (JSON, NDJSON and
 * GeoJSON excepted, read whole): one batch of records, one row and at most
 * NEXUS_IMPORT_MAX_REJECTIONS rejection messages are held at a time
 * (further rejections are counted, and written to options->rejects).
 *
 * Threads: the thread that owns the store (the engine thread, or a CLI's
 * only thread).
 */
#pragma once

#include <gio/gio.h>

#include "leads/nexus-ingest.h"
#include "leads/nexus-row-reader.h"

G_BEGIN_DECLS

#define NEXUS_IMPORT_ERROR (nexus_import_error_quark ())

typedef enum
{
  NEXUS_IMPORT_ERROR_BAD_MAP,     /* --map does not parse or names no column */
  NEXUS_IMPORT_ERROR_NO_NAME,     /* no column holds the name */
  NEXUS_IMPORT_ERROR_BAD_COUNTRY, /* not a region libphonenumber knows */
  NEXUS_IMPORT_ERROR_EMPTY,       /* not even a header line */
  NEXUS_IMPORT_ERROR_RAGGED,      /* too many rows with a field count other than the header's */
  NEXUS_IMPORT_ERROR_ENCODING,    /* a cell that is not UTF-8 */
} NexusImportError;

#define NEXUS_IMPORT_BATCH          500
#define NEXUS_IMPORT_MAX_REJECTIONS 1000
#define NEXUS_IMPORT_MAX_RAGGED     20

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
  NEXUS_IMPORT_FIELD_RATING,
  NEXUS_IMPORT_FIELD_REVIEWS,
  NEXUS_IMPORT_N_FIELDS,
} NexusImportField;

typedef struct
{
  /* "name=COL,phone=COL,…" (column names of the header, any case); fields
   * not mapped are found by usual header names (name, phone, addr(ess),
   * city, category/type, ref/id, lat/latitude, lon/lng/longitude, country,
   * website/url, email, rating, reviews).  NULL: only the usual names. */
  const char *map;
  /* Region for phones written without +CC when the row has no country;
   * NULL: such phones are kept flagged. */
  const char *country;
  /* lead_sources.provider of every row; NULL: "import". */
  const char *source;
  /* Rows per batch; 0: NEXUS_IMPORT_BATCH. */
  guint batch_size;
  /* For nexus_import_file(): the format (AUTO: guessed), and for CSV the
   * encoding (NULL: detected) and delimiter (0: detected). */
  NexusImportFormat format;
  const char       *encoding;
  char              delimiter;
  /* NexusImportField (or -1: not imported) per column of the header,
   * n_columns of them; NULL: map and guesses. */
  const int *columns;
  guint      n_columns;
  /* Check only: everything is rolled back at the end. */
  gboolean dry_run;
  /* Where the rejected rows go as CSV; NULL: nowhere. */
  GOutputStream *rejects;
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
  /* What was read: the format, the CSV encoding and delimiter (0: not
   * CSV), and whether it was a dry run (nothing written). */
  NexusImportFormat format;
  char             *encoding;
  char              delimiter;
  gboolean          dry_run;
} NexusImportSummary;

/* The first rows of a file, for choosing the columns. */
typedef struct
{
  NexusImportFormat format;
  char             *encoding;  /* NULL for XLSX */
  char              delimiter; /* 0 unless CSV */
  GStrv             header;
  GPtrArray        *rows;    /* GStrv per row, as read (CSV rows may be ragged) */
  int              *guesses; /* NexusImportField or -1 per header column */
} NexusImportPreview;

/* Called after each batch (progress); @fraction: how far into the file,
 * 0 to 1. */
typedef void (*NexusImportProgressFunc) (const NexusImportSummary *summary,
                                         double                    fraction,
                                         gpointer                  user_data);

GQuark nexus_import_error_quark (void);

NexusImportSummary *nexus_import_summary_new (void);
void                nexus_import_summary_free (NexusImportSummary *summary);
JsonNode           *nexus_import_summary_to_json (const NexusImportSummary *summary);

const char *nexus_import_field_to_string (NexusImportField field);
const char *nexus_import_field_get_label (NexusImportField field);
int         nexus_import_guess_field (const char *header);
gboolean    nexus_import_check_options (const NexusImportOptions *options, GError **error);
gboolean    nexus_import_csv (NexusIngest              *ingest,
                              GInputStream             *stream,
                              const NexusImportOptions *options,
                              NexusImportSummary       *summary,
                              NexusImportProgressFunc   progress,
                              gpointer                  user_data,
                              GCancellable             *cancellable,
                              GError                  **error);

gboolean nexus_import_rows (NexusIngest              *ingest,
                            NexusRowReader           *reader,
                            const NexusImportOptions *options,
                            NexusImportSummary       *summary,
                            NexusImportProgressFunc   progress,
                            gpointer                  user_data,
                            GCancellable             *cancellable,
                            GError                  **error);
gboolean nexus_import_file (NexusIngest              *ingest,
                            const char               *path,
                            const NexusImportOptions *options,
                            NexusImportSummary       *summary,
                            NexusImportProgressFunc   progress,
                            gpointer                  user_data,
                            GCancellable             *cancellable,
                            GError                  **error);

NexusImportPreview *nexus_import_preview (const char               *path,
                                          const NexusImportOptions *options,
                                          guint                     max_rows,
                                          GError                  **error);
void                nexus_import_preview_free (NexusImportPreview *preview);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusImportSummary, nexus_import_summary_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusImportPreview, nexus_import_preview_free)

G_END_DECLS
