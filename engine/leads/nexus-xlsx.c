/* nexus-xlsx.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nexus-leads"

#include "config.h"

#include <inttypes.h>

#include <archive.h>
#include <archive_entry.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "nexus-xlsx.h"

#define CHUNK_SIZE     65536
#define MAX_SMALL_PART (8 * 1024 * 1024)

#define WORKBOOK_NAME "xl/workbook.xml"
#define RELS_NAME     "xl/_rels/workbook.xml.rels"
#define STRINGS_NAME  "xl/sharedStrings.xml"

typedef struct archive Archive;

static void
xlsx_archive_free (Archive *handle)
{
  archive_read_free (handle);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Archive, xlsx_archive_free)

/* A row of the worksheet: text per column (NULL: empty). */
typedef struct
{
  GPtrArray *cells;
  guint64    number; /* the spreadsheet's row number (1-based) */
} Row;

/* Bytes unpacked from the member being read, against its limits. */
typedef struct
{
  const char *name;
  guint64     unpacked;
  gint64      raw_start; /* archive bytes read when the member started */
  guint64     limit;
} Member;

struct _NexusXlsxReader
{
  /* The archive, positioned in the worksheet member (pass 2). */
  Archive *archive;
  Member   member;
  gboolean member_done;
  gint64   file_size;
  guchar  *buffer;

  /* Shared strings, in order (char *). */
  GPtrArray *strings;
  gsize      strings_bytes;

  /* The worksheet's parser and what it is in the middle of. */
  GMarkupParseContext *parser;
  GQueue               rows; /* Row *: complete rows not yet handed out */
  Row                 *building;
  guint64              last_row;
  guint                column;
  char                *cell_type;
  GString             *text;
  gboolean             in_value;
  gboolean             in_inline;
  gboolean             in_text;
  guint                in_phonetic;
  gboolean             sheet_done;

  /* The row handed out, and the header's width (0 before the header). */
  Row  *current;
  guint n_columns;
};

/* clang-format off */
G_DEFINE_QUARK (nexus-xlsx-error-quark, nexus_xlsx_error)
/* clang-format on */

static void
row_free (Row *row)
{
  if (row == NULL)
    return;
  g_ptr_array_unref (row->cells);
  g_free (row);
}

static const char *
local_name (const char *name)
{
  const char *colon = strrchr (name, ':');

  return colon != NULL ? colon + 1 : name;
}

static const char *
attribute (const char **names, const char **values, const char *wanted)
{
  for (guint i = 0; names[i] != NULL; i++)
    if (strcmp (local_name (names[i]), wanted) == 0)
      return values[i];
  return NULL;
}

static gboolean
damaged (Archive *handle, GError **error)
{
  const char *detail = archive_error_string (handle);

  g_set_error (error, NEXUS_XLSX_ERROR, NEXUS_XLSX_ERROR_DAMAGED,
               _ ("The XLSX file is damaged or truncated (%s)"), detail != NULL ? detail : "?");
  return FALSE;
}

static void
member_start (Archive *handle, Member *member, const char *name, guint64 limit)
{
  member->name = name;
  member->unpacked = 0;
  member->raw_start = archive_filter_bytes (handle, -1);
  member->limit = limit;
}

/* Reads the next chunk of the current member into @buffer: the number of
 * bytes, 0 at its end, -1 with @error set. */
static gssize
member_read (Archive *handle, Member *member, guchar *buffer, GError **error)
{
  la_ssize_t n = archive_read_data (handle, buffer, CHUNK_SIZE);
  gint64     packed;

  if (n < 0)
    {
      damaged (handle, error);
      return -1;
    }
  member->unpacked += (guint64)n;
  if (member->unpacked > member->limit)
    {
      g_autofree char *size = g_format_size (member->limit);

      g_set_error (error, NEXUS_XLSX_ERROR, NEXUS_XLSX_ERROR_TOO_LARGE,
                   _ ("The XLSX member “%s” unpacks to more than %s: refused"), member->name, size);
      return -1;
    }
  packed = MAX (archive_filter_bytes (handle, -1) - member->raw_start, 1);
  if (member->unpacked > NEXUS_XLSX_BOMB_FLOOR &&
      member->unpacked / (guint64)packed > NEXUS_XLSX_MAX_RATIO)
    {
      g_set_error (error, NEXUS_XLSX_ERROR, NEXUS_XLSX_ERROR_TOO_LARGE,
                   _ ("The XLSX member “%s” unpacks to over %d times its packed size, like a "
                      "zip bomb: refused"),
                   member->name, NEXUS_XLSX_MAX_RATIO);
      return -1;
    }
  return n;
}

static Archive *
open_archive (const char *path, GError **error)
{
  g_autoptr (Archive) handle = archive_read_new ();

  archive_read_support_format_zip (handle);
  if (archive_read_open_filename (handle, path, CHUNK_SIZE) != ARCHIVE_OK)
    {
      const char *detail = archive_error_string (handle);

      g_set_error (error, NEXUS_XLSX_ERROR, NEXUS_XLSX_ERROR_NOT_XLSX,
                   _ ("Not an XLSX file: it cannot be opened as a ZIP archive (%s)"),
                   detail != NULL ? detail : "?");
      return NULL;
    }
  return g_steal_pointer (&handle);
}

/* Feeds the rest of the current member to @parser (NULL: into @out). */
static gboolean
read_whole_member (NexusXlsxReader     *self,
                   const char          *name,
                   guint64              limit,
                   GMarkupParseContext *parser,
                   GString             *out,
                   GError             **error)
{
  Member member;
  gssize n;

  member_start (self->archive, &member, name, limit);
  while ((n = member_read (self->archive, &member, self->buffer, error)) > 0)
    {
      if (out != NULL)
        g_string_append_len (out, (const char *)self->buffer, n);
      else if (!g_markup_parse_context_parse (parser, (const char *)self->buffer, n, error))
        return FALSE;
    }
  if (n < 0)
    return FALSE;
  return parser == NULL || g_markup_parse_context_end_parse (parser, error);
}

static gboolean
malformed (GError **error, const char *name, const GError *cause)
{
  /* The parser may quote the bytes it choked on. */
  g_autofree char *why = g_utf8_make_valid (cause->message, -1);

  g_set_error (error, NEXUS_XLSX_ERROR, NEXUS_XLSX_ERROR_MALFORMED,
               _ ("The XLSX member “%s” is not well-formed: %s"), name, why);
  return FALSE;
}

/* Our own errors raised inside the parser's callbacks pass through; the
 * parser's own become MALFORMED. */
static gboolean
parse_failed (GError **error, const char *name, GError *cause)
{
  if (cause->domain == NEXUS_XLSX_ERROR)
    {
      g_propagate_error (error, cause);
      return FALSE;
    }
  malformed (error, name, cause);
  g_error_free (cause);
  return FALSE;
}

static gboolean
append_text (GString *text, const char *chunk, gsize length, GError **error)
{
  if (text->len + length > NEXUS_XLSX_MAX_CELL)
    {
      g_autofree char *size = g_format_size (NEXUS_XLSX_MAX_CELL);

      g_set_error (error, NEXUS_XLSX_ERROR, NEXUS_XLSX_ERROR_TOO_LARGE,
                   _ ("A cell of the XLSX file holds more than %s of text: refused"), size);
      return FALSE;
    }
  g_string_append_len (text, chunk, length);
  return TRUE;
}

/* The shared strings: <si> with a <t>, or rich text runs <r><t>…; the
 * phonetic guides <rPh> are not part of the text. */

static void
strings_start_cb (GMarkupParseContext *context,
                  const char          *element,
                  const char         **names,
                  const char         **values,
                  gpointer             user_data,
                  GError             **error)
{
  NexusXlsxReader *self = user_data;
  const char      *name = local_name (element);

  if (strcmp (name, "si") == 0)
    g_string_truncate (self->text, 0);
  else if (strcmp (name, "t") == 0)
    self->in_text = TRUE;
  else if (strcmp (name, "rPh") == 0)
    self->in_phonetic++;
}

static void
strings_end_cb (GMarkupParseContext *context,
                const char          *element,
                gpointer             user_data,
                GError             **error)
{
  NexusXlsxReader *self = user_data;
  const char      *name = local_name (element);

  if (strcmp (name, "si") == 0)
    {
      self->strings_bytes += self->text->len + 1;
      if (self->strings_bytes > NEXUS_XLSX_MAX_STRINGS)
        {
          g_autofree char *size = g_format_size (NEXUS_XLSX_MAX_STRINGS);

          g_set_error (error, NEXUS_XLSX_ERROR, NEXUS_XLSX_ERROR_TOO_LARGE,
                       _ ("The shared strings of the XLSX file hold more than %s: refused"), size);
          return;
        }
      g_ptr_array_add (self->strings, g_strndup (self->text->str, self->text->len));
    }
  else if (strcmp (name, "t") == 0)
    self->in_text = FALSE;
  else if (strcmp (name, "rPh") == 0 && self->in_phonetic > 0)
    self->in_phonetic--;
}

static void
strings_text_cb (GMarkupParseContext *context,
                 const char          *text,
                 gsize                length,
                 gpointer             user_data,
                 GError             **error)
{
  NexusXlsxReader *self = user_data;

  if (self->in_text && self->in_phonetic == 0)
    append_text (self->text, text, length, error);
}

static const GMarkupParser strings_parser = {
  strings_start_cb, strings_end_cb, strings_text_cb, NULL, NULL,
};

/* The workbook's first <sheet> and the relations' targets. */

typedef struct
{
  char       *sheet_rel;  /* r:id of the first sheet */
  const char *wanted_rel; /* when reading the relations */
  char       *target;     /* its Target */
} Workbook;

static void
workbook_start_cb (GMarkupParseContext *context,
                   const char          *element,
                   const char         **names,
                   const char         **values,
                   gpointer             user_data,
                   GError             **error)
{
  Workbook   *workbook = user_data;
  const char *name = local_name (element);

  if (strcmp (name, "sheet") == 0 && workbook->sheet_rel == NULL)
    workbook->sheet_rel = g_strdup (attribute (names, values, "id"));
  else if (strcmp (name, "Relationship") == 0 && workbook->wanted_rel != NULL &&
           workbook->target == NULL &&
           g_strcmp0 (attribute (names, values, "Id"), workbook->wanted_rel) == 0)
    workbook->target = g_strdup (attribute (names, values, "Target"));
}

static const GMarkupParser workbook_parser = {
  workbook_start_cb, NULL, NULL, NULL, NULL,
};

static gboolean
parse_small (const char *name, GString *xml, Workbook *workbook, GError **error)
{
  g_autoptr (GMarkupParseContext) parser =
      g_markup_parse_context_new (&workbook_parser, 0, workbook, NULL);
  GError *local_error = NULL;

  if (!g_markup_parse_context_parse (parser, xml->str, xml->len, &local_error) ||
      !g_markup_parse_context_end_parse (parser, &local_error))
    return parse_failed (error, name, local_error);
  return TRUE;
}

/* The worksheet member's path from the workbook and its relations. */
static char *
find_sheet (GString *workbook_xml, GString *rels_xml, GError **error)
{
  Workbook         workbook = { 0 };
  g_autofree char *rel = NULL;
  g_autofree char *target = NULL;
  char            *path;

  if (workbook_xml == NULL)
    {
      g_set_error_literal (error, NEXUS_XLSX_ERROR, NEXUS_XLSX_ERROR_NOT_XLSX,
                           _ ("Not an XLSX file: the archive holds no workbook"));
      return NULL;
    }
  if (!parse_small (WORKBOOK_NAME, workbook_xml, &workbook, error))
    return NULL;
  rel = g_steal_pointer (&workbook.sheet_rel);
  if (rel == NULL || rels_xml == NULL)
    {
      g_set_error_literal (error, NEXUS_XLSX_ERROR, NEXUS_XLSX_ERROR_MALFORMED,
                           _ ("The XLSX workbook names no worksheet"));
      return NULL;
    }
  workbook.wanted_rel = rel;
  if (!parse_small (RELS_NAME, rels_xml, &workbook, error))
    return NULL;
  target = g_steal_pointer (&workbook.target);
  if (target == NULL || *target == '\0')
    {
      g_set_error_literal (error, NEXUS_XLSX_ERROR, NEXUS_XLSX_ERROR_MALFORMED,
                           _ ("The XLSX workbook names no worksheet"));
      return NULL;
    }
  /* Targets are relative to xl/, or absolute in the package. */
  if (target[0] == '/')
    path = g_strdup (target + 1);
  else
    path = g_strconcat ("xl/", g_str_has_prefix (target, "./") ? target + 2 : target, NULL);
  return path;
}

/* The worksheet: <sheetData><row r="N"><c r="B7" t="s"><v>3</v></c>… */

/* "B7" → 1; -1 when not a cell reference. */
static int
column_of_reference (const char *reference)
{
  int column = 0;

  if (reference == NULL || !g_ascii_isalpha (*reference))
    return -1;
  for (; g_ascii_isalpha (*reference); reference++)
    {
      column = column * 26 + (g_ascii_toupper (*reference) - 'A' + 1);
      if (column > NEXUS_XLSX_MAX_COLUMNS)
        return NEXUS_XLSX_MAX_COLUMNS;
    }
  return column - 1;
}

/* Integers in exponent form ("2.01001234567E+11", a phone number stored as
 * a number) written out; other numbers as the file has them. */
static char *
format_number (const char *text)
{
  if (strpbrk (text, "eE") != NULL)
    {
      char  *end = NULL;
      double value = g_ascii_strtod (text, &end);

      if (end != text && *end == '\0' && isfinite (value) && value == floor (value) &&
          fabs (value) < 1e15)
        return g_strdup_printf ("%.0f", value);
    }
  return g_strdup (text);
}

static char *
cell_value (NexusXlsxReader *self, GError **error)
{
  const char *type = self->cell_type != NULL ? self->cell_type : "n";
  const char *text = self->text->str;

  if (strcmp (type, "s") == 0)
    {
      char   *end = NULL;
      guint64 index = g_ascii_strtoull (text, &end, 10);

      if (end == text || *end != '\0' || index >= self->strings->len)
        {
          g_set_error (error, NEXUS_XLSX_ERROR, NEXUS_XLSX_ERROR_MALFORMED,
                       _ ("Row %" PRIu64 " of the XLSX worksheet refers to a shared "
                          "string that does not exist"),
                       self->last_row);
          return NULL;
        }
      return g_strdup (g_ptr_array_index (self->strings, index));
    }
  if (strcmp (type, "b") == 0)
    return g_strdup (strcmp (text, "1") == 0 ? "TRUE" : "FALSE");
  if (strcmp (type, "n") == 0)
    return format_number (g_strstrip (self->text->str));
  return g_strdup (text);
}

static void
sheet_start_cb (GMarkupParseContext *context,
                const char          *element,
                const char         **names,
                const char         **values,
                gpointer             user_data,
                GError             **error)
{
  NexusXlsxReader *self = user_data;
  const char      *name = local_name (element);

  if (self->sheet_done)
    return;
  if (strcmp (name, "row") == 0)
    {
      const char *number = attribute (names, values, "r");

      row_free (self->building);
      self->building = g_new0 (Row, 1);
      self->building->cells = g_ptr_array_new_with_free_func (g_free);
      self->last_row = number != NULL ? g_ascii_strtoull (number, NULL, 10) : self->last_row + 1;
      self->building->number = self->last_row;
      self->column = 0;
    }
  else if (strcmp (name, "c") == 0 && self->building != NULL)
    {
      int column = column_of_reference (attribute (names, values, "r"));

      if (column >= 0)
        self->column = (guint)column;
      if (self->column >= NEXUS_XLSX_MAX_COLUMNS)
        {
          g_set_error (error, NEXUS_XLSX_ERROR, NEXUS_XLSX_ERROR_TOO_LARGE,
                       _ ("Row %" PRIu64 " of the XLSX worksheet has more than %d "
                          "columns"),
                       self->last_row, NEXUS_XLSX_MAX_COLUMNS);
          return;
        }
      g_free (self->cell_type);
      self->cell_type = g_strdup (attribute (names, values, "t"));
      g_string_truncate (self->text, 0);
    }
  else if (strcmp (name, "v") == 0)
    self->in_value = TRUE;
  else if (strcmp (name, "is") == 0)
    self->in_inline = TRUE;
  else if (strcmp (name, "t") == 0)
    self->in_text = TRUE;
  else if (strcmp (name, "rPh") == 0)
    self->in_phonetic++;
}

static void
sheet_end_cb (GMarkupParseContext *context, const char *element, gpointer user_data, GError **error)
{
  NexusXlsxReader *self = user_data;
  const char      *name = local_name (element);

  if (self->sheet_done)
    return;
  if (strcmp (name, "c") == 0 && self->building != NULL)
    {
      g_autofree char *value = cell_value (self, error);
      GPtrArray       *cells = self->building->cells;

      if (value == NULL)
        return;
      if (*value != '\0')
        {
          if (cells->len <= self->column)
            g_ptr_array_set_size (cells, self->column + 1);
          g_free (g_ptr_array_index (cells, self->column));
          cells->pdata[self->column] = g_steal_pointer (&value);
        }
      self->column++;
    }
  else if (strcmp (name, "row") == 0 && self->building != NULL)
    {
      if (self->building->cells->len > 0)
        g_queue_push_tail (&self->rows, g_steal_pointer (&self->building));
      g_clear_pointer (&self->building, row_free);
    }
  else if (strcmp (name, "v") == 0)
    self->in_value = FALSE;
  else if (strcmp (name, "is") == 0)
    self->in_inline = FALSE;
  else if (strcmp (name, "t") == 0)
    self->in_text = FALSE;
  else if (strcmp (name, "rPh") == 0 && self->in_phonetic > 0)
    self->in_phonetic--;
  else if (strcmp (name, "sheetData") == 0)
    self->sheet_done = TRUE;
}

static void
sheet_text_cb (GMarkupParseContext *context,
               const char          *text,
               gsize                length,
               gpointer             user_data,
               GError             **error)
{
  NexusXlsxReader *self = user_data;

  if (self->sheet_done || self->building == NULL)
    return;
  if (self->in_value || (self->in_inline && self->in_text && self->in_phonetic == 0))
    append_text (self->text, text, length, error);
}

static const GMarkupParser sheet_parser = {
  sheet_start_cb, sheet_end_cb, sheet_text_cb, NULL, NULL,
};

/* Pass 1: the workbook, its relations and the shared strings. */
static char *
read_directory (NexusXlsxReader *self, GError **error)
{
  g_autoptr (GString) workbook_xml = NULL;
  g_autoptr (GString) rels_xml = NULL;
  struct archive_entry *entry;
  int                   rc;

  while ((rc = archive_read_next_header (self->archive, &entry)) == ARCHIVE_OK)
    {
      const char *name = archive_entry_pathname (entry);

      if (g_strcmp0 (name, WORKBOOK_NAME) == 0 && workbook_xml == NULL)
        {
          workbook_xml = g_string_new (NULL);
          if (!read_whole_member (self, WORKBOOK_NAME, MAX_SMALL_PART, NULL, workbook_xml, error))
            return NULL;
        }
      else if (g_strcmp0 (name, RELS_NAME) == 0 && rels_xml == NULL)
        {
          rels_xml = g_string_new (NULL);
          if (!read_whole_member (self, RELS_NAME, MAX_SMALL_PART, NULL, rels_xml, error))
            return NULL;
        }
      else if (g_strcmp0 (name, STRINGS_NAME) == 0 && self->strings->len == 0)
        {
          g_autoptr (GMarkupParseContext) parser =
              g_markup_parse_context_new (&strings_parser, 0, self, NULL);
          GError *local_error = NULL;

          if (!read_whole_member (self, STRINGS_NAME, NEXUS_XLSX_MAX_MEMBER, parser, NULL,
                                  &local_error))
            {
              parse_failed (error, STRINGS_NAME, local_error);
              return NULL;
            }
          self->in_text = FALSE;
          self->in_phonetic = 0;
        }
      else if (archive_read_data_skip (self->archive) != ARCHIVE_OK)
        {
          damaged (self->archive, error);
          return NULL;
        }
    }
  if (rc != ARCHIVE_EOF)
    {
      damaged (self->archive, error);
      return NULL;
    }

  return find_sheet (workbook_xml, rels_xml, error);
}

/* Pass 2: positions the archive at the worksheet's data. */
static gboolean
open_sheet (NexusXlsxReader *self, const char *path, const char *sheet, GError **error)
{
  struct archive_entry *entry;
  int                   rc;

  g_clear_pointer (&self->archive, xlsx_archive_free);
  if (!(self->archive = open_archive (path, error)))
    return FALSE;
  while ((rc = archive_read_next_header (self->archive, &entry)) == ARCHIVE_OK)
    {
      if (g_strcmp0 (archive_entry_pathname (entry), sheet) == 0)
        {
          member_start (self->archive, &self->member, sheet, NEXUS_XLSX_MAX_MEMBER);
          self->member.name = g_intern_string (sheet);
          self->parser = g_markup_parse_context_new (&sheet_parser, 0, self, NULL);
          return TRUE;
        }
      if (archive_read_data_skip (self->archive) != ARCHIVE_OK)
        return damaged (self->archive, error);
    }
  if (rc != ARCHIVE_EOF)
    return damaged (self->archive, error);
  g_set_error (error, NEXUS_XLSX_ERROR, NEXUS_XLSX_ERROR_MALFORMED,
               _ ("The XLSX worksheet “%s” is missing from the archive"), sheet);
  return FALSE;
}

/**
 * nexus_xlsx_reader_new:
 *
 * Opens @path and reads its shared strings.
 *
 * Returns: (transfer full) (nullable): a reader at the first row, or %NULL
 *   with @error set
 */
NexusXlsxReader *
nexus_xlsx_reader_new (const char *path, GError **error)
{
  g_autoptr (NexusXlsxReader) self = g_new0 (NexusXlsxReader, 1);
  g_autofree char *sheet = NULL;
  GStatBuf         info;

  g_return_val_if_fail (path != NULL, NULL);

  self->buffer = g_malloc (CHUNK_SIZE);
  self->strings = g_ptr_array_new_with_free_func (g_free);
  self->text = g_string_new (NULL);
  g_queue_init (&self->rows);
  self->file_size = g_stat (path, &info) == 0 ? (gint64)info.st_size : 0;

  if (!(self->archive = open_archive (path, error)))
    return NULL;
  if (!(sheet = read_directory (self, error)))
    return NULL;
  if (!open_sheet (self, path, sheet, error))
    return NULL;
  return g_steal_pointer (&self);
}

void
nexus_xlsx_reader_free (NexusXlsxReader *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->parser, g_markup_parse_context_free);
  g_clear_pointer (&self->archive, xlsx_archive_free);
  g_queue_clear_full (&self->rows, (GDestroyNotify)row_free);
  row_free (self->building);
  row_free (self->current);
  g_ptr_array_unref (self->strings);
  g_string_free (self->text, TRUE);
  g_free (self->cell_type);
  g_free (self->buffer);
  g_free (self);
}

/**
 * nexus_xlsx_reader_next:
 *
 * Reads the next row: the header first.
 *
 * Returns: %TRUE when a row was read; %FALSE at the end of the worksheet
 *   (@error unset) or on error
 */
gboolean
nexus_xlsx_reader_next (NexusXlsxReader *self, GError **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  g_clear_pointer (&self->current, row_free);
  while (g_queue_is_empty (&self->rows))
    {
      GError *local_error = NULL;
      gssize  n;

      if (self->member_done)
        return FALSE;
      n = member_read (self->archive, &self->member, self->buffer, error);
      if (n < 0)
        return FALSE;
      if (n == 0)
        {
          self->member_done = TRUE;
          if (!g_markup_parse_context_end_parse (self->parser, &local_error))
            return parse_failed (error, self->member.name, local_error);
        }
      else if (!g_markup_parse_context_parse (self->parser, (const char *)self->buffer, n,
                                              &local_error))
        return parse_failed (error, self->member.name, local_error);
    }

  self->current = g_queue_pop_head (&self->rows);
  if (self->n_columns == 0)
    {
      GPtrArray *cells = self->current->cells;

      while (cells->len > 0 && g_ptr_array_index (cells, cells->len - 1) == NULL)
        g_ptr_array_set_size (cells, cells->len - 1);
      self->n_columns = cells->len;
    }
  return TRUE;
}

/**
 * nexus_xlsx_reader_get_n_fields:
 *
 * Returns: the header's width (every row has it)
 */
guint
nexus_xlsx_reader_get_n_fields (NexusXlsxReader *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->current != NULL ? self->n_columns : 0;
}

/**
 * nexus_xlsx_reader_get_field:
 *
 * Returns: (transfer none) (nullable): the text of column @index of the
 *   current row ("" when empty), %NULL past the header's width
 */
const char *
nexus_xlsx_reader_get_field (NexusXlsxReader *self, guint index)
{
  const char *value;

  g_return_val_if_fail (self != NULL, NULL);

  if (self->current == NULL || index >= self->n_columns)
    return NULL;
  if (index >= self->current->cells->len)
    return "";
  value = g_ptr_array_index (self->current->cells, index);
  return value != NULL ? value : "";
}

/**
 * nexus_xlsx_reader_get_row:
 *
 * Returns: the spreadsheet's number of the current row (1-based)
 */
guint64
nexus_xlsx_reader_get_row (NexusXlsxReader *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->current != NULL ? self->current->number : 0;
}

/**
 * nexus_xlsx_reader_get_fraction:
 *
 * Returns: how far into the file the reader is, from 0 to 1
 */
double
nexus_xlsx_reader_get_fraction (NexusXlsxReader *self)
{
  g_return_val_if_fail (self != NULL, 0);

  if (self->file_size <= 0 || self->archive == NULL)
    return 0;
  return CLAMP ((double)archive_filter_bytes (self->archive, -1) / (double)self->file_size, 0, 1);
}
