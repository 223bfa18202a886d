/* nexus-csv.h — a streaming RFC 4180 reader
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * This module owns NexusCsvReader: it reads one record at a time from a
 * GInputStream through a fixed 64 KiB buffer, so memory stays constant
 * whatever the file's size.  A record's fields are valid until the next
 * call to nexus_csv_reader_next().
 *
 * What it accepts (RFC 4180 and what spreadsheets write):
 *
 *  - fields separated by the delimiter (',' unless set), records by CRLF,
 *    LF or CR;
 *  - quoted fields with "" for a quote, holding delimiters and line breaks;
 *  - a UTF-8 byte-order mark at the start (skipped);
 *  - a quote inside an unquoted field is kept as a character, and text
 *    after a closing quote is appended (lenient, like most readers);
 *  - empty lines are skipped.
 *
 * What it refuses (NEXUS_CSV_ERROR): a quoted field still open at the end
 * of the file; a record longer than NEXUS_CSV_MAX_RECORD bytes or with more
 * than NEXUS_CSV_MAX_FIELDS fields (the reader never grows without bound);
 * a read error of the stream.  Invalid UTF-8 is not checked here — the
 * caller decides.
 *
 * Threads: an instance belongs to one thread at a time.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define NEXUS_CSV_ERROR (nexus_csv_error_quark ())

typedef enum
{
  NEXUS_CSV_ERROR_UNTERMINATED_QUOTE,
  NEXUS_CSV_ERROR_RECORD_TOO_LONG,
  NEXUS_CSV_ERROR_TOO_MANY_FIELDS,
  NEXUS_CSV_ERROR_IO,
} NexusCsvError;

#define NEXUS_CSV_MAX_RECORD (1024 * 1024)
#define NEXUS_CSV_MAX_FIELDS 1024

typedef struct _NexusCsvReader NexusCsvReader;

GQuark nexus_csv_error_quark (void);

NexusCsvReader *nexus_csv_reader_new (GInputStream *stream);
NexusCsvReader *nexus_csv_reader_new_for_path (const char *path, GError **error);
void            nexus_csv_reader_free (NexusCsvReader *self);
void            nexus_csv_reader_set_delimiter (NexusCsvReader *self, char delimiter);
gboolean        nexus_csv_reader_next (NexusCsvReader *self, GError **error);
guint           nexus_csv_reader_get_n_fields (NexusCsvReader *self);
const char     *nexus_csv_reader_get_field (NexusCsvReader *self, guint index);
guint64         nexus_csv_reader_get_line (NexusCsvReader *self);
guint64         nexus_csv_reader_get_bytes_read (NexusCsvReader *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusCsvReader, nexus_csv_reader_free)

G_END_DECLS
