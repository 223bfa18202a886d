/* nexus-export.h — leads written to CSV, XLSX, JSON, NDJSON or GeoJSON
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * This module owns the export of leads to a file.  It reads the leads
 * through a NexusLeadsCursor (nexus-store-leads-view.h) one page of
 * NEXUS_EXPORT_PAGE_ROWS at a time and writes each page before it reads the
 * next, so its memory does not grow with the number of leads (XLSX uses
 * libxlsxwriter's constant_memory mode: rows go to a temporary file as they
 * are written).
 *
 * Rules it keeps:
 *
 *  - The file is written under a temporary name in the target folder and
 *    renamed to its name only when complete.  Any failure, and a
 *    cancellation, removes the temporary file: there is never a half file.
 *  - An existing file is never replaced unless the options say so.
 *  - A text cell is never a formula: in CSV a text starting with = + - @,
 *    a tab or a carriage return gets a leading apostrophe; in XLSX every
 *    text is written as a string cell.
 *  - Columns come from a fixed registry; each has a stable name (the
 *    header of the file, the names nexusctl and the settings use) and a
 *    type: numbers are numbers and dates are dates where the format has
 *    them (XLSX cells, JSON values).
 *
 * Threads: nexus_export_leads() blocks; run it on a thread that may use the
 * store (a reader thread of the engine, or nexusctl's only thread).  The
 * progress callback runs on that thread.
 */
#pragma once

#include <gio/gio.h>

#include "store/nexus-store-leads-view.h"

G_BEGIN_DECLS

#define NEXUS_EXPORT_ERROR (nexus_export_error_quark ())

typedef enum
{
  NEXUS_EXPORT_ERROR_EXISTS,   /* the file exists and may not be replaced */
  NEXUS_EXPORT_ERROR_INVALID,  /* bad options: unknown column, delimiter… */
  NEXUS_EXPORT_ERROR_WRITE,    /* the folder or the file cannot be written */
  NEXUS_EXPORT_ERROR_TOO_MANY, /* more rows than an XLSX sheet holds */
} NexusExportError;

/* Rows read and written between two checks of the cancellable. */
#define NEXUS_EXPORT_PAGE_ROWS 2000

/* The rows an XLSX sheet holds besides its header row. */
#define NEXUS_EXPORT_XLSX_MAX_ROWS (1048576 - 1)

typedef enum
{
  NEXUS_EXPORT_CSV,
  NEXUS_EXPORT_XLSX,
  NEXUS_EXPORT_JSON,    /* one array of objects */
  NEXUS_EXPORT_NDJSON,  /* one object a line */
  NEXUS_EXPORT_GEOJSON, /* a FeatureCollection of Point features */
  NEXUS_EXPORT_N_FORMATS,
} NexusExportFormat;

typedef enum
{
  NEXUS_EXPORT_COLUMN_ID,
  NEXUS_EXPORT_COLUMN_NAME,
  NEXUS_EXPORT_COLUMN_CATEGORY,
  NEXUS_EXPORT_COLUMN_PHONE,
  NEXUS_EXPORT_COLUMN_OTHER_PHONES,
  NEXUS_EXPORT_COLUMN_PHONE_RAW,
  NEXUS_EXPORT_COLUMN_CITY,
  NEXUS_EXPORT_COLUMN_ADDRESS,
  NEXUS_EXPORT_COLUMN_COUNTRY,
  NEXUS_EXPORT_COLUMN_WEBSITE,
  NEXUS_EXPORT_COLUMN_EMAIL,
  NEXUS_EXPORT_COLUMN_LAT,
  NEXUS_EXPORT_COLUMN_LON,
  NEXUS_EXPORT_COLUMN_RATING,
  NEXUS_EXPORT_COLUMN_REVIEWS,
  NEXUS_EXPORT_COLUMN_STATUS,
  NEXUS_EXPORT_COLUMN_AGENT,
  NEXUS_EXPORT_COLUMN_FIRST_SEEN,
  NEXUS_EXPORT_COLUMN_LAST_SEEN,
  NEXUS_EXPORT_COLUMN_SIGHTINGS,
  NEXUS_EXPORT_COLUMN_PREVIEW_ONLY,
  NEXUS_EXPORT_COLUMN_SOURCES,
  NEXUS_EXPORT_COLUMN_NOTES,
  NEXUS_EXPORT_N_COLUMNS,
} NexusExportColumn;

/* What to export and how.  Plain data owned by the caller. */
typedef struct
{
  NexusExportFormat        format;
  const NexusLeadsQuery   *query; /* the grid's view (its filters and order);
                                 * NULL with ids NULL: every lead */
  const gint64            *ids;   /* non-NULL: these leads only (query ignored) */
  gsize                    n_ids;
  const NexusExportColumn *columns; /* in file order; n_columns 0: the default set */
  guint                    n_columns;
  char                     delimiter; /* CSV: ',' (or 0), ';' or '\t' */
  gboolean                 bom;       /* CSV: start with a UTF-8 byte-order mark */
  gboolean                 rtl;       /* XLSX: a right-to-left sheet */
  gboolean                 overwrite; /* replace an existing file */
} NexusExportOptions;

/* Rows written so far and how many there will be (from the same snapshot). */
typedef void (*NexusExportProgressFunc) (gint64 done, gint64 total, gpointer user_data);

GQuark nexus_export_error_quark (void);

const char *nexus_export_format_to_string (NexusExportFormat format);
gboolean    nexus_export_format_from_string (const char *name, NexusExportFormat *out_format);
const char *nexus_export_format_get_extension (NexusExportFormat format);

const char *nexus_export_column_get_name (NexusExportColumn column);
const char *nexus_export_column_get_title (NexusExportColumn column);
gboolean    nexus_export_column_from_name (const char *name, NexusExportColumn *out_column);
const NexusExportColumn *nexus_export_get_default_columns (guint *n_columns);
GArray                  *nexus_export_parse_columns (const char *list, GError **error);

gboolean nexus_export_count (NexusStore               *store,
                             const NexusExportOptions *options,
                             gint64                   *out_count,
                             GError                  **error);
gboolean nexus_export_leads (NexusStore               *store,
                             const char               *path,
                             const NexusExportOptions *options,
                             NexusExportProgressFunc   progress,
                             gpointer                  user_data,
                             GCancellable             *cancellable,
                             gint64                   *out_rows,
                             GError                  **error);

G_END_DECLS
