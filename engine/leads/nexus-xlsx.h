/* nexus-xlsx.h — the first worksheet of an XLSX workbook, row by row
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * This module owns NexusXlsxReader.  An XLSX file is a ZIP archive (read
 * with libarchive) of XML members (read with GMarkupParseContext, which
 * knows no DTDs and so no entity expansion):
 *
 *  1. one pass over the archive keeps xl/workbook.xml and its relations
 *     (xl/_rels/workbook.xml.rels) in memory and parses the shared strings
 *     (xl/sharedStrings.xml) as they come;
 *  2. the first <sheet> of the workbook, through its relation, names the
 *     worksheet member; a second pass streams that member through the
 *     parser, 64 KiB at a time, and hands out its rows one by one.
 *
 * Cells: shared strings, inline strings (rich text runs joined), numbers
 * (integers written in exponent form, like a phone number Excel stored as
 * a number, are written out in full), booleans (TRUE/FALSE), formula
 * results and error values as their text.  A cell's column comes from its
 * reference (B7), so skipped cells leave empty fields; rows without any
 * text are skipped.  The first row with text is the header; every row is
 * cut or padded to the header's width.
 *
 * Limits (NEXUS_XLSX_ERROR_TOO_LARGE): a member may unpack to at most
 * NEXUS_XLSX_MAX_MEMBER bytes, and past NEXUS_XLSX_BOMB_FLOOR bytes to at
 * most NEXUS_XLSX_MAX_RATIO times what it took in the archive (a zip bomb
 * is refused long before it fills memory or disk); the shared strings may
 * hold NEXUS_XLSX_MAX_STRINGS bytes; a cell NEXUS_XLSX_MAX_CELL bytes; a
 * row NEXUS_XLSX_MAX_COLUMNS columns.
 *
 * Threads: an instance belongs to one thread at a time.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define NEXUS_XLSX_ERROR (nexus_xlsx_error_quark ())

typedef enum
{
  NEXUS_XLSX_ERROR_NOT_XLSX,  /* not a ZIP archive, or no workbook in it */
  NEXUS_XLSX_ERROR_DAMAGED,   /* truncated archive, bad compressed data */
  NEXUS_XLSX_ERROR_MALFORMED, /* XML that is not what a workbook holds */
  NEXUS_XLSX_ERROR_TOO_LARGE, /* over a limit (see above) */
} NexusXlsxError;

#define NEXUS_XLSX_MAX_MEMBER  (256 * 1024 * 1024)
#define NEXUS_XLSX_BOMB_FLOOR  (16 * 1024 * 1024)
#define NEXUS_XLSX_MAX_RATIO   100
#define NEXUS_XLSX_MAX_STRINGS (64 * 1024 * 1024)
#define NEXUS_XLSX_MAX_CELL    (1024 * 1024)
#define NEXUS_XLSX_MAX_COLUMNS 1024

typedef struct _NexusXlsxReader NexusXlsxReader;

GQuark nexus_xlsx_error_quark (void);

NexusXlsxReader *nexus_xlsx_reader_new (const char *path, GError **error);
void             nexus_xlsx_reader_free (NexusXlsxReader *self);
gboolean         nexus_xlsx_reader_next (NexusXlsxReader *self, GError **error);
guint            nexus_xlsx_reader_get_n_fields (NexusXlsxReader *self);
const char      *nexus_xlsx_reader_get_field (NexusXlsxReader *self, guint index);
guint64          nexus_xlsx_reader_get_row (NexusXlsxReader *self);
double           nexus_xlsx_reader_get_fraction (NexusXlsxReader *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusXlsxReader, nexus_xlsx_reader_free)

G_END_DECLS
