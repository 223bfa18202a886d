/* nexus-row-reader.h — tables of leads from CSV, XLSX and GeoJSON files
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * This module owns NexusRowReader: whatever the file's format, one stream
 * of records of UTF-8 strings — the first record is the header, every
 * following record a row — so that column mapping, preview, dry run and
 * import are written once (nexus-import.h).  A record's fields are valid
 * until the next call to nexus_row_reader_next().
 *
 *  - CSV (nexus-csv.h underneath): the encoding is found from the first
 *    64 KiB — a byte-order mark (UTF-8, UTF-16 LE/BE), else UTF-8 when those
 *    bytes are valid UTF-8, else Windows-1256 (Arabic spreadsheets saved by
 *    Excel) — and converted to UTF-8 while reading (iconv through
 *    GCharsetConverter).  Bytes that are not text (NUL bytes, control
 *    characters) refuse the file at once.  The delimiter (',' ';' tab '|')
 *    is the one whose count outside quotes is the same on the first lines.
 *    Both can be forced.  Memory is constant.
 *  - XLSX (nexus-xlsx.h): the first worksheet of the workbook.
 *  - GeoJSON: a FeatureCollection of Point features; the header is the
 *    union of the features' property names in order of appearance, then
 *    "lat" and "lon" from the geometry (empty when the geometry is null or
 *    missing).  A feature with another geometry gives a row with a
 *    problem (nexus_row_reader_get_problem()), which the import rejects
 *    with that reason.  The document is parsed whole: files over
 *    NEXUS_ROW_READER_MAX_JSON bytes are refused.
 *  - JSON (the exporter's array of objects) and NDJSON (one object a line,
 *    blank lines skipped): the header is the union of the objects' member
 *    names in order of appearance.  Strings, numbers (in their shortest
 *    form), booleans and null are fields.  What else a member may hold
 *    depends on the lead field its name usually holds
 *    (nexus_import_guess_field()): in a column of phones, an array of
 *    values is one field of its items joined by "; " (the exporter's
 *    other_phones); in a column of no lead field (sources, tags…), arrays
 *    of values are joined the same way and anything else is kept as JSON
 *    text; elsewhere — and for anything but an array of values in a column
 *    of phones — the row gets a problem ("name: an object where one value
 *    is expected").  The same holds for GeoJSON properties.  The whole
 *    file is checked when it is opened — valid UTF-8 and JSON, an array of
 *    objects or one object a line, records under NEXUS_CSV_MAX_RECORD bytes
 *    and NEXUS_CSV_MAX_FIELDS names — so a bad file is refused before any
 *    row.  Files over NEXUS_ROW_READER_MAX_JSON bytes are refused; a JSON
 *    array is parsed whole, NDJSON one line at a time.
 *
 * In CSV files, the apostrophe that the exporter (and spreadsheets) put
 * before a text starting with = + - @, a tab or a carriage return, so that
 * it is not run as a formula, is dropped: "'=SUM(A1)" reads "=SUM(A1)" and
 * "'+201001234567" reads "+201001234567".  Any other leading apostrophe
 * stays.
 *
 * Rows of XLSX and JSON files have exactly as many fields as the header;
 * CSV rows have what the line holds (the import decides about ragged rows).
 *
 * Errors: NEXUS_ROW_READER_ERROR for what is wrong with the file, with a
 * message meant for the person who chose it; NEXUS_CSV_ERROR and
 * NEXUS_XLSX_ERROR from the format readers; G_IO_ERROR for I/O.
 *
 * Threads: an instance belongs to one thread at a time.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define NEXUS_ROW_READER_ERROR (nexus_row_reader_error_quark ())

typedef enum
{
  NEXUS_ROW_READER_ERROR_BINARY,         /* not text */
  NEXUS_ROW_READER_ERROR_ENCODING,       /* cannot be decoded with the encoding */
  NEXUS_ROW_READER_ERROR_UNKNOWN_FORMAT, /* an unknown format or encoding name */
  NEXUS_ROW_READER_ERROR_GEOJSON,        /* not a FeatureCollection */
  NEXUS_ROW_READER_ERROR_TOO_LARGE,      /* over a size limit */
  NEXUS_ROW_READER_ERROR_JSON, /* not JSON, or not an array of objects / an object a line */
} NexusRowReaderError;

typedef enum
{
  NEXUS_IMPORT_FORMAT_AUTO, /* from the name's extension, else the first bytes */
  NEXUS_IMPORT_FORMAT_CSV,
  NEXUS_IMPORT_FORMAT_XLSX,
  NEXUS_IMPORT_FORMAT_GEOJSON,
  NEXUS_IMPORT_FORMAT_JSON,   /* an array of objects */
  NEXUS_IMPORT_FORMAT_NDJSON, /* one object a line */
} NexusImportFormat;

/* Bytes a GeoJSON, JSON or NDJSON file may have (it is read whole). */
#define NEXUS_ROW_READER_MAX_JSON (256 * 1024 * 1024)
/* Bytes looked at for the encoding, the delimiter and binary data. */
#define NEXUS_ROW_READER_SNIFF 65536

typedef struct _NexusRowReader NexusRowReader;

GQuark nexus_row_reader_error_quark (void);

const char       *nexus_import_format_to_string (NexusImportFormat format);
gboolean          nexus_import_format_from_string (const char *text, NexusImportFormat *out_format);
NexusImportFormat nexus_import_format_guess (const char *path);

NexusRowReader *nexus_row_reader_new_csv (GInputStream *stream,
                                          const char   *encoding,
                                          char          delimiter,
                                          GError      **error);
NexusRowReader *nexus_row_reader_new_xlsx (const char *path, GError **error);
NexusRowReader *nexus_row_reader_new_geojson (GInputStream *stream, GError **error);
NexusRowReader *
nexus_row_reader_new_json (GInputStream *stream, NexusImportFormat format, GError **error);
NexusRowReader *nexus_row_reader_open (const char       *path,
                                       NexusImportFormat format,
                                       const char       *encoding,
                                       char              delimiter,
                                       GError          **error);
void            nexus_row_reader_free (NexusRowReader *self);

NexusImportFormat nexus_row_reader_get_format (NexusRowReader *self);
const char       *nexus_row_reader_get_encoding (NexusRowReader *self);
char              nexus_row_reader_get_delimiter (NexusRowReader *self);

gboolean    nexus_row_reader_next (NexusRowReader *self, GError **error);
guint       nexus_row_reader_get_n_fields (NexusRowReader *self);
const char *nexus_row_reader_get_field (NexusRowReader *self, guint index);
const char *nexus_row_reader_get_problem (NexusRowReader *self);
guint64     nexus_row_reader_get_line (NexusRowReader *self);
double      nexus_row_reader_get_fraction (NexusRowReader *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusRowReader, nexus_row_reader_free)

G_END_DECLS
