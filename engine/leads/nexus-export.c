/* nexus-export.c — leads written to CSV, XLSX, JSON, NDJSON or GeoJSON
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See nexus-export.h for the rules.  The text formats are assembled in a
 * buffer that is flushed to the file every BUFFER_FLUSH bytes; XLSX goes
 * through libxlsxwriter, which writes the archive when the workbook is
 * closed.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <gio/gunixoutputstream.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "nexus-export.h"

#define BUFFER_FLUSH   (64 * 1024)
#define XLSX_MAX_TEXT  32767 /* bytes in one XLSX string cell */
#define LIST_SEPARATOR "; "  /* between the items of a list column */

G_DEFINE_QUARK (nexus - export - error - quark, nexus_export_error)

/* How a column's values are typed. */
typedef enum
{
  KIND_TEXT,
  KIND_LIST, /* texts joined by LIST_SEPARATOR; a JSON array */
  KIND_INT,
  KIND_REAL,
  KIND_DATE, /* Unix seconds: ISO 8601 text, an XLSX date */
  KIND_BOOL,
} Kind;

static const struct
{
  const char *name;  /* stable: file headers, nexusctl, settings */
  const char *title; /* for people (translated) */
  Kind        kind;
  double      width; /* XLSX column width in characters */
} columns_info[NEXUS_EXPORT_N_COLUMNS] = {
  [NEXUS_EXPORT_COLUMN_ID] = { "id", N_ ("ID"), KIND_INT, 8 },
  [NEXUS_EXPORT_COLUMN_NAME] = { "name", N_ ("Name"), KIND_TEXT, 32 },
  [NEXUS_EXPORT_COLUMN_CATEGORY] = { "category", N_ ("Category"), KIND_TEXT, 16 },
  [NEXUS_EXPORT_COLUMN_PHONE] = { "phone_e164", N_ ("Phone"), KIND_TEXT, 16 },
  [NEXUS_EXPORT_COLUMN_OTHER_PHONES] = { "other_phones", N_ ("Other phones"), KIND_LIST, 20 },
  [NEXUS_EXPORT_COLUMN_PHONE_RAW] = { "phone_raw", N_ ("Unrecognized phones"), KIND_TEXT, 16 },
  [NEXUS_EXPORT_COLUMN_CITY] = { "city", N_ ("City"), KIND_TEXT, 16 },
  [NEXUS_EXPORT_COLUMN_ADDRESS] = { "address", N_ ("Address"), KIND_TEXT, 36 },
  [NEXUS_EXPORT_COLUMN_COUNTRY] = { "country", N_ ("Country"), KIND_TEXT, 8 },
  [NEXUS_EXPORT_COLUMN_WEBSITE] = { "website", N_ ("Website"), KIND_TEXT, 28 },
  [NEXUS_EXPORT_COLUMN_EMAIL] = { "email", N_ ("Email"), KIND_TEXT, 24 },
  [NEXUS_EXPORT_COLUMN_LAT] = { "lat", N_ ("Latitude"), KIND_REAL, 11 },
  [NEXUS_EXPORT_COLUMN_LON] = { "lon", N_ ("Longitude"), KIND_REAL, 11 },
  [NEXUS_EXPORT_COLUMN_RATING] = { "rating", N_ ("Rating"), KIND_REAL, 7 },
  [NEXUS_EXPORT_COLUMN_REVIEWS] = { "reviews", N_ ("Reviews"), KIND_INT, 8 },
  [NEXUS_EXPORT_COLUMN_STATUS] = { "status", N_ ("Status"), KIND_TEXT, 10 },
  [NEXUS_EXPORT_COLUMN_AGENT] = { "agent", N_ ("Agent"), KIND_TEXT, 16 },
  [NEXUS_EXPORT_COLUMN_FIRST_SEEN] = { "first_seen", N_ ("First seen"), KIND_DATE, 18 },
  [NEXUS_EXPORT_COLUMN_LAST_SEEN] = { "last_seen", N_ ("Last seen"), KIND_DATE, 18 },
  [NEXUS_EXPORT_COLUMN_SIGHTINGS] = { "sightings", N_ ("Sightings"), KIND_INT, 9 },
  [NEXUS_EXPORT_COLUMN_PREVIEW_ONLY] = { "preview_only", N_ ("Preview only"), KIND_BOOL, 9 },
  [NEXUS_EXPORT_COLUMN_SOURCES] = { "sources", N_ ("Sources"), KIND_LIST, 16 },
  [NEXUS_EXPORT_COLUMN_NOTES] = { "notes", N_ ("Notes"), KIND_TEXT, 32 },
};

static const NexusExportColumn default_columns[] = {
  NEXUS_EXPORT_COLUMN_ID,        NEXUS_EXPORT_COLUMN_NAME,         NEXUS_EXPORT_COLUMN_CATEGORY,
  NEXUS_EXPORT_COLUMN_PHONE,     NEXUS_EXPORT_COLUMN_OTHER_PHONES, NEXUS_EXPORT_COLUMN_CITY,
  NEXUS_EXPORT_COLUMN_ADDRESS,   NEXUS_EXPORT_COLUMN_WEBSITE,      NEXUS_EXPORT_COLUMN_EMAIL,
  NEXUS_EXPORT_COLUMN_LAT,       NEXUS_EXPORT_COLUMN_LON,          NEXUS_EXPORT_COLUMN_RATING,
  NEXUS_EXPORT_COLUMN_STATUS,    NEXUS_EXPORT_COLUMN_AGENT,        NEXUS_EXPORT_COLUMN_FIRST_SEEN,
  NEXUS_EXPORT_COLUMN_LAST_SEEN, NEXUS_EXPORT_COLUMN_SIGHTINGS,    NEXUS_EXPORT_COLUMN_PREVIEW_ONLY,
  NEXUS_EXPORT_COLUMN_SOURCES,
};

static const struct
{
  const char *name;
  const char *extension;
} formats_info[NEXUS_EXPORT_N_FORMATS] = {
  [NEXUS_EXPORT_CSV] = { "csv", "csv" },
  [NEXUS_EXPORT_XLSX] = { "xlsx", "xlsx" },
  [NEXUS_EXPORT_JSON] = { "json", "json" },
  [NEXUS_EXPORT_NDJSON] = { "ndjson", "ndjson" },
  [NEXUS_EXPORT_GEOJSON] = { "geojson", "geojson" },
};

/* One cell's value, typed by its column's kind. */
typedef struct
{
  Kind        kind;
  gboolean    present; /* FALSE: an empty cell, JSON null */
  const char *text;
  gint64      integer;
  double      real;
} Value;

/* The state of one export.  The text formats fill buffer and flush it to
 * out; XLSX writes through workbook and sheet. */
typedef struct
{
  const NexusExportOptions *options;
  const char               *path; /* the file being exported (for messages) */
  const NexusExportColumn  *columns;
  guint                     n_columns;
  char                      delimiter;
  GOutputStream            *out;     /* text formats: the temporary file */
  GString                  *buffer;  /* text formats: what is not flushed yet */
  GString                  *scratch; /* a text made valid or shortened */
  gint64                    n_rows;  /* rows written */
  lxw_workbook             *workbook;
  lxw_worksheet            *sheet;
  lxw_format               *date_format;
  lxw_format               *header_format;
} Writer;

const char *
nexus_export_format_to_string (NexusExportFormat format)
{
  g_return_val_if_fail (format < NEXUS_EXPORT_N_FORMATS, NULL);

  return formats_info[format].name;
}

gboolean
nexus_export_format_from_string (const char *name, NexusExportFormat *out_format)
{
  for (guint i = 0; i < NEXUS_EXPORT_N_FORMATS; i++)
    if (name != NULL && g_ascii_strcasecmp (name, formats_info[i].name) == 0)
      {
        *out_format = i;
        return TRUE;
      }
  return FALSE;
}

const char *
nexus_export_format_get_extension (NexusExportFormat format)
{
  g_return_val_if_fail (format < NEXUS_EXPORT_N_FORMATS, NULL);

  return formats_info[format].extension;
}

const char *
nexus_export_column_get_name (NexusExportColumn column)
{
  g_return_val_if_fail (column < NEXUS_EXPORT_N_COLUMNS, NULL);

  return columns_info[column].name;
}

const char *
nexus_export_column_get_title (NexusExportColumn column)
{
  g_return_val_if_fail (column < NEXUS_EXPORT_N_COLUMNS, NULL);

  return _ (columns_info[column].title);
}

gboolean
nexus_export_column_from_name (const char *name, NexusExportColumn *out_column)
{
  for (guint i = 0; i < NEXUS_EXPORT_N_COLUMNS; i++)
    if (g_strcmp0 (name, columns_info[i].name) == 0)
      {
        *out_column = i;
        return TRUE;
      }
  return FALSE;
}

const NexusExportColumn *
nexus_export_get_default_columns (guint *n_columns)
{
  *n_columns = G_N_ELEMENTS (default_columns);
  return default_columns;
}

/**
 * nexus_export_parse_columns:
 * @list: column names separated by commas, e.g. "name,phone_e164,city"
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (element-type NexusExportColumn): the columns in
 *   their order, or NULL with @error set (an unknown name, a column named
 *   twice, no column)
 */
GArray *
nexus_export_parse_columns (const char *list, GError **error)
{
  g_autoptr (GArray) columns = g_array_new (FALSE, FALSE, sizeof (NexusExportColumn));
  g_auto (GStrv) names = g_strsplit (list != NULL ? list : "", ",", -1);

  for (guint i = 0; names[i] != NULL; i++)
    {
      NexusExportColumn column;
      const char       *name = g_strstrip (names[i]);

      if (*name == '\0')
        continue;
      if (!nexus_export_column_from_name (name, &column))
        {
          g_set_error (error, NEXUS_EXPORT_ERROR, NEXUS_EXPORT_ERROR_INVALID,
                       _ ("Unknown column “%s”"), name);
          return NULL;
        }
      for (guint j = 0; j < columns->len; j++)
        if (g_array_index (columns, NexusExportColumn, j) == column)
          {
            g_set_error (error, NEXUS_EXPORT_ERROR, NEXUS_EXPORT_ERROR_INVALID,
                         _ ("Column “%s” is named twice"), name);
            return NULL;
          }
      g_array_append_val (columns, column);
    }

  if (columns->len == 0)
    {
      g_set_error_literal (error, NEXUS_EXPORT_ERROR, NEXUS_EXPORT_ERROR_INVALID,
                           _ ("No column to export"));
      return NULL;
    }
  return g_steal_pointer (&columns);
}

static void
column_value (NexusExportColumn column, const NexusLeadsExportRow *row, Value *value)
{
  value->kind = columns_info[column].kind;
  value->present = TRUE;
  value->text = NULL;
  switch (column)
    {
      case NEXUS_EXPORT_COLUMN_ID:
        value->integer = row->id;
        break;
      case NEXUS_EXPORT_COLUMN_NAME:
        value->text = row->name;
        break;
      case NEXUS_EXPORT_COLUMN_CATEGORY:
        value->text = row->category;
        break;
      case NEXUS_EXPORT_COLUMN_PHONE:
        value->text = row->phone_e164;
        break;
      case NEXUS_EXPORT_COLUMN_OTHER_PHONES:
        value->text = row->other_phones;
        break;
      case NEXUS_EXPORT_COLUMN_PHONE_RAW:
        value->text = row->phone_raw;
        break;
      case NEXUS_EXPORT_COLUMN_CITY:
        value->text = row->city;
        break;
      case NEXUS_EXPORT_COLUMN_ADDRESS:
        value->text = row->address;
        break;
      case NEXUS_EXPORT_COLUMN_COUNTRY:
        value->text = row->country;
        break;
      case NEXUS_EXPORT_COLUMN_WEBSITE:
        value->text = row->website;
        break;
      case NEXUS_EXPORT_COLUMN_EMAIL:
        value->text = row->email;
        break;
      case NEXUS_EXPORT_COLUMN_LAT:
        value->real = row->lat;
        break;
      case NEXUS_EXPORT_COLUMN_LON:
        value->real = row->lon;
        break;
      case NEXUS_EXPORT_COLUMN_RATING:
        value->real = row->rating;
        break;
      case NEXUS_EXPORT_COLUMN_REVIEWS:
        value->integer = row->reviews;
        value->present = row->reviews >= 0;
        break;
      case NEXUS_EXPORT_COLUMN_STATUS:
        value->text = row->status;
        break;
      case NEXUS_EXPORT_COLUMN_AGENT:
        value->text = row->agent;
        break;
      case NEXUS_EXPORT_COLUMN_FIRST_SEEN:
        value->integer = row->first_seen_at;
        break;
      case NEXUS_EXPORT_COLUMN_LAST_SEEN:
        value->integer = row->last_seen_at;
        break;
      case NEXUS_EXPORT_COLUMN_SIGHTINGS:
        value->integer = row->sightings;
        break;
      case NEXUS_EXPORT_COLUMN_PREVIEW_ONLY:
        value->integer = row->preview_only;
        break;
      case NEXUS_EXPORT_COLUMN_SOURCES:
        value->text = row->sources;
        break;
      case NEXUS_EXPORT_COLUMN_NOTES:
        value->text = row->notes;
        break;
      case NEXUS_EXPORT_N_COLUMNS:
      default:
        g_assert_not_reached ();
    }

  if (value->kind == KIND_TEXT || value->kind == KIND_LIST)
    value->present = value->text != NULL;
  else if (value->kind == KIND_REAL)
    value->present = !isnan (value->real);
}

/* @text as valid UTF-8 (invalid bytes replaced), in @writer's scratch
 * buffer when it had to change. */
static const char *
valid_text (Writer *writer, const char *text)
{
  g_autofree char *valid = NULL;

  if (g_utf8_validate (text, -1, NULL))
    return text;
  valid = g_utf8_make_valid (text, -1);
  g_string_assign (writer->scratch, valid);
  return writer->scratch->str;
}

static void
append_date (GString *out, gint64 seconds)
{
  time_t    t = (time_t)seconds;
  struct tm tm;

  if (gmtime_r (&t, &tm) == NULL)
    {
      g_string_append_printf (out, "%" PRId64, seconds);
      return;
    }
  g_string_append_printf (out, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                          tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* The shortest of 15 or 17 significant digits that reads back as @value:
 * 30.0444 stays 30.0444 instead of 30.044400000000000001. */
static void
append_real (GString *out, double value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_formatd (buffer, sizeof buffer, "%.15g", value);
  if (g_ascii_strtod (buffer, NULL) != value)
    g_ascii_formatd (buffer, sizeof buffer, "%.17g", value);
  g_string_append (out, buffer);
}

static gboolean
flush_buffer (Writer *writer, gboolean force, GCancellable *cancellable, GError **error)
{
  if (writer->buffer->len == 0 || (!force && writer->buffer->len < BUFFER_FLUSH))
    return TRUE;
  if (!g_output_stream_write_all (writer->out, writer->buffer->str, writer->buffer->len, NULL,
                                  cancellable, error))
    return FALSE;
  g_string_truncate (writer->buffer, 0);
  return TRUE;
}

/* ---- CSV ---------------------------------------------------------------- */

/* A text a spreadsheet would take for a formula (or that would lose its
 * first character): it gets a leading apostrophe. */
static gboolean
looks_like_formula (const char *text)
{
  return text[0] != '\0' && strchr ("=+-@\t\r", text[0]) != NULL;
}

static void
csv_append_text (Writer *writer, const char *text)
{
  GString   *out = writer->buffer;
  const char quote_when[] = { writer->delimiter, '"', '\r', '\n', '\0' };
  gboolean   escape = looks_like_formula (text);

  if (strpbrk (text, quote_when) == NULL)
    {
      if (escape)
        g_string_append_c (out, '\'');
      g_string_append (out, text);
      return;
    }

  g_string_append_c (out, '"');
  if (escape)
    g_string_append_c (out, '\'');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static void
csv_append_value (Writer *writer, const Value *value)
{
  if (!value->present)
    return;

  switch (value->kind)
    {
      case KIND_TEXT:
      case KIND_LIST:
        csv_append_text (writer, valid_text (writer, value->text));
        break;
      case KIND_INT:
        g_string_append_printf (writer->buffer, "%" PRId64, value->integer);
        break;
      case KIND_REAL:
        append_real (writer->buffer, value->real);
        break;
      case KIND_DATE:
        append_date (writer->buffer, value->integer);
        break;
      case KIND_BOOL:
        g_string_append (writer->buffer, value->integer ? "true" : "false");
        break;
      default:
        g_assert_not_reached ();
    }
}

static gboolean
csv_begin (Writer *writer, GError **error)
{
  if (writer->options->bom)
    g_string_append (writer->buffer, "\xEF\xBB\xBF");
  for (guint i = 0; i < writer->n_columns; i++)
    {
      if (i > 0)
        g_string_append_c (writer->buffer, writer->delimiter);
      csv_append_text (writer, columns_info[writer->columns[i]].name);
    }
  g_string_append (writer->buffer, "\r\n");
  return TRUE;
}

static gboolean
csv_row (Writer *writer, const NexusLeadsExportRow *row, GError **error)
{
  for (guint i = 0; i < writer->n_columns; i++)
    {
      Value value;

      if (i > 0)
        g_string_append_c (writer->buffer, writer->delimiter);
      column_value (writer->columns[i], row, &value);
      csv_append_value (writer, &value);
    }
  g_string_append (writer->buffer, "\r\n");
  return TRUE;
}

/* ---- JSON, NDJSON, GeoJSON ---------------------------------------------- */

/* Appends @text (@length bytes, or up to its NUL) as a JSON string: runs
 * of plain bytes are copied whole, and only quotes, backslashes and
 * control characters are escaped. */
static void
json_append_string (GString *out, const char *text, gssize length)
{
  static const char *const short_escapes[0x20] = {
    ['\b'] = "\\b", ['\f'] = "\\f", ['\n'] = "\\n", ['\r'] = "\\r", ['\t'] = "\\t",
  };
  const char *end = length < 0 ? text + strlen (text) : text + length;
  const char *run = text;

  g_string_append_c (out, '"');
  for (const char *p = text; p < end; p++)
    {
      guchar c = (guchar)*p;

      if (c >= 0x20 && c != '"' && c != '\\')
        continue;
      g_string_append_len (out, run, p - run);
      run = p + 1;
      if (c == '"' || c == '\\')
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, (char)c);
        }
      else if (short_escapes[c] != NULL)
        g_string_append (out, short_escapes[c]);
      else
        g_string_append_printf (out, "\\u%04x", c);
    }
  g_string_append_len (out, run, end - run);
  g_string_append_c (out, '"');
}

static void
json_append_value (Writer *writer, const Value *value)
{
  GString *out = writer->buffer;

  if (!value->present && value->kind != KIND_LIST)
    {
      g_string_append (out, "null");
      return;
    }

  switch (value->kind)
    {
      case KIND_TEXT:
        json_append_string (out, valid_text (writer, value->text), -1);
        break;
      case KIND_LIST:
        g_string_append_c (out, '[');
        if (value->present)
          {
            const char *text = valid_text (writer, value->text);
            const char *item = text;

            for (;;)
              {
                const char *next = strstr (item, LIST_SEPARATOR);

                json_append_string (out, item, next != NULL ? next - item : -1);
                if (next == NULL)
                  break;
                g_string_append_c (out, ',');
                item = next + strlen (LIST_SEPARATOR);
              }
          }
        g_string_append_c (out, ']');
        break;
      case KIND_INT:
        g_string_append_printf (out, "%" PRId64, value->integer);
        break;
      case KIND_REAL:
        append_real (out, value->real);
        break;
      case KIND_DATE:
        g_string_append_c (out, '"');
        append_date (out, value->integer);
        g_string_append_c (out, '"');
        break;
      case KIND_BOOL:
        g_string_append (out, value->integer ? "true" : "false");
        break;
      default:
        g_assert_not_reached ();
    }
}

static void
json_append_object (Writer *writer, const NexusLeadsExportRow *row)
{
  g_string_append_c (writer->buffer, '{');
  for (guint i = 0; i < writer->n_columns; i++)
    {
      Value value;

      if (i > 0)
        g_string_append_c (writer->buffer, ',');
      json_append_string (writer->buffer, columns_info[writer->columns[i]].name, -1);
      g_string_append_c (writer->buffer, ':');
      column_value (writer->columns[i], row, &value);
      json_append_value (writer, &value);
    }
  g_string_append_c (writer->buffer, '}');
}

static gboolean
json_begin (Writer *writer, GError **error)
{
  g_string_append_c (writer->buffer, '[');
  return TRUE;
}

static gboolean
json_row (Writer *writer, const NexusLeadsExportRow *row, GError **error)
{
  g_string_append (writer->buffer, writer->n_rows > 0 ? ",\n" : "\n");
  json_append_object (writer, row);
  return TRUE;
}

static gboolean
json_end (Writer *writer, GError **error)
{
  g_string_append (writer->buffer, "\n]\n");
  return TRUE;
}

static gboolean
ndjson_row (Writer *writer, const NexusLeadsExportRow *row, GError **error)
{
  json_append_object (writer, row);
  g_string_append_c (writer->buffer, '\n');
  return TRUE;
}

static gboolean
geojson_begin (Writer *writer, GError **error)
{
  g_string_append (writer->buffer, "{\"type\":\"FeatureCollection\",\"features\":[");
  return TRUE;
}

static gboolean
geojson_row (Writer *writer, const NexusLeadsExportRow *row, GError **error)
{
  GString *out = writer->buffer;

  g_string_append (out, writer->n_rows > 0 ? ",\n" : "\n");
  g_string_append_printf (out, "{\"type\":\"Feature\",\"id\":%" PRId64 ",\"geometry\":", row->id);
  if (isnan (row->lat))
    g_string_append (out, "null");
  else
    {
      g_string_append (out, "{\"type\":\"Point\",\"coordinates\":[");
      append_real (out, row->lon);
      g_string_append_c (out, ',');
      append_real (out, row->lat);
      g_string_append (out, "]}");
    }
  g_string_append (out, ",\"properties\":");
  json_append_object (writer, row);
  g_string_append_c (out, '}');
  return TRUE;
}

static gboolean
geojson_end (Writer *writer, GError **error)
{
  g_string_append (writer->buffer, "\n]}\n");
  return TRUE;
}

/* ---- XLSX --------------------------------------------------------------- */

static gboolean
xlsx_check (lxw_error rc, GError **error)
{
  if (rc == LXW_NO_ERROR)
    return TRUE;
  g_set_error (error, NEXUS_EXPORT_ERROR, NEXUS_EXPORT_ERROR_WRITE,
               _ ("Cannot write the sheet: %s"), lxw_strerror (rc));
  return FALSE;
}

/* Text cells are always strings (never write_formula): a text that starts
 * with "=" stays that text.  Longer texts than a cell holds are cut at a
 * character boundary. */
static lxw_error
xlsx_write_text (Writer *writer, lxw_row_t row, lxw_col_t col, const char *text)
{
  text = valid_text (writer, text);
  if (strlen (text) > XLSX_MAX_TEXT)
    {
      const char *end = text + XLSX_MAX_TEXT;

      while (end > text && ((guchar)*end & 0xC0) == 0x80)
        end--;
      if (text != writer->scratch->str)
        g_string_assign (writer->scratch, text);
      g_string_truncate (writer->scratch, end - text);
      text = writer->scratch->str;
    }
  return worksheet_write_string (writer->sheet, row, col, text, NULL);
}

static gboolean
xlsx_begin (Writer *writer, GError **error)
{
  lxw_worksheet *sheet = writer->sheet;

  writer->header_format = workbook_add_format (writer->workbook);
  format_set_bold (writer->header_format);
  writer->date_format = workbook_add_format (writer->workbook);
  format_set_num_format (writer->date_format, "yyyy-mm-dd hh:mm");

  for (guint i = 0; i < writer->n_columns; i++)
    {
      NexusExportColumn column = writer->columns[i];

      if (!xlsx_check (worksheet_set_column (sheet, i, i, columns_info[column].width, NULL),
                       error) ||
          !xlsx_check (worksheet_write_string (sheet, 0, i, columns_info[column].name,
                                               writer->header_format),
                       error))
        return FALSE;
    }
  worksheet_freeze_panes (sheet, 1, 0);
  if (writer->options->rtl)
    worksheet_right_to_left (sheet);
  return TRUE;
}

static gboolean
xlsx_row (Writer *writer, const NexusLeadsExportRow *row, GError **error)
{
  lxw_row_t r = (lxw_row_t)writer->n_rows + 1;

  for (guint i = 0; i < writer->n_columns; i++)
    {
      Value     value;
      lxw_error rc = LXW_NO_ERROR;

      column_value (writer->columns[i], row, &value);
      if (!value.present)
        continue;
      switch (value.kind)
        {
          case KIND_TEXT:
          case KIND_LIST:
            rc = xlsx_write_text (writer, r, i, value.text);
            break;
          case KIND_INT:
            rc = worksheet_write_number (writer->sheet, r, i, (double)value.integer, NULL);
            break;
          case KIND_REAL:
            rc = worksheet_write_number (writer->sheet, r, i, value.real, NULL);
            break;
          case KIND_DATE:
            rc = worksheet_write_unixtime (writer->sheet, r, i, value.integer, writer->date_format);
            break;
          case KIND_BOOL:
            rc = worksheet_write_boolean (writer->sheet, r, i, value.integer, NULL);
            break;
          default:
            g_assert_not_reached ();
        }
      if (!xlsx_check (rc, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
xlsx_end (Writer *writer, GError **error)
{
  lxw_workbook *workbook = g_steal_pointer (&writer->workbook);

  if (!xlsx_check (worksheet_autofilter (writer->sheet, 0, 0, (lxw_row_t)writer->n_rows,
                                         writer->n_columns - 1),
                   error))
    {
      lxw_workbook_free (workbook);
      return FALSE;
    }
  /* Writes the archive and frees the workbook, whatever happens. */
  return xlsx_check (workbook_close (workbook), error);
}

/* ---- the export --------------------------------------------------------- */

typedef struct
{
  gboolean (*begin) (Writer *writer, GError **error);
  gboolean (*row) (Writer *writer, const NexusLeadsExportRow *row, GError **error);
  gboolean (*end) (Writer *writer, GError **error);
} WriterClass;

static const WriterClass writer_classes[NEXUS_EXPORT_N_FORMATS] = {
  [NEXUS_EXPORT_CSV] = { csv_begin, csv_row, NULL },
  [NEXUS_EXPORT_XLSX] = { xlsx_begin, xlsx_row, xlsx_end },
  [NEXUS_EXPORT_JSON] = { json_begin, json_row, json_end },
  [NEXUS_EXPORT_NDJSON] = { NULL, ndjson_row, NULL },
  [NEXUS_EXPORT_GEOJSON] = { geojson_begin, geojson_row, geojson_end },
};

static gboolean
check_options (const NexusExportOptions *options, GError **error)
{
  if (options->format >= NEXUS_EXPORT_N_FORMATS)
    {
      g_set_error_literal (error, NEXUS_EXPORT_ERROR, NEXUS_EXPORT_ERROR_INVALID,
                           _ ("Unknown export format"));
      return FALSE;
    }
  if (options->delimiter != 0 && options->delimiter != ',' && options->delimiter != ';' &&
      options->delimiter != '\t')
    {
      g_set_error_literal (error, NEXUS_EXPORT_ERROR, NEXUS_EXPORT_ERROR_INVALID,
                           _ ("The delimiter must be a comma, a semicolon or a tab"));
      return FALSE;
    }
  for (guint i = 0; i < options->n_columns; i++)
    if (options->columns[i] >= NEXUS_EXPORT_N_COLUMNS)
      {
        g_set_error_literal (error, NEXUS_EXPORT_ERROR, NEXUS_EXPORT_ERROR_INVALID,
                             _ ("Unknown column"));
        return FALSE;
      }
  return TRUE;
}

/**
 * nexus_export_count:
 * @store: a #NexusStore
 * @options: the scope (query, ids or every lead)
 * @out_count: (out): how many leads an export with @options would write
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
nexus_export_count (NexusStore               *store,
                    const NexusExportOptions *options,
                    gint64                   *out_count,
                    GError                  **error)
{
  if (options->ids != NULL)
    return nexus_store_leads_count_ids (store, options->ids, options->n_ids, out_count, error);
  if (options->query != NULL)
    return nexus_store_leads_view_count (store, options->query, out_count, error);
  return nexus_store_count_leads (store, out_count, error);
}

static void
set_errno_error (GError **error, int saved_errno, const char *path)
{
  g_set_error (error, NEXUS_EXPORT_ERROR, NEXUS_EXPORT_ERROR_WRITE, _ ("Cannot write “%s”: %s"),
               path, g_strerror (saved_errno));
}

/* Gives the temporary file its final name: atomically without replacing
 * (link + unlink) unless @overwrite; rename () where links do not work. */
static gboolean
move_into_place (const char *temp_path, const char *path, gboolean overwrite, GError **error)
{
  if (!overwrite)
    {
      if (link (temp_path, path) == 0)
        {
          g_unlink (temp_path);
          return TRUE;
        }
      if (errno == EEXIST)
        {
          g_set_error (error, NEXUS_EXPORT_ERROR, NEXUS_EXPORT_ERROR_EXISTS,
                       _ ("“%s” already exists"), path);
          return FALSE;
        }
      if (g_file_test (path, G_FILE_TEST_EXISTS))
        {
          g_set_error (error, NEXUS_EXPORT_ERROR, NEXUS_EXPORT_ERROR_EXISTS,
                       _ ("“%s” already exists"), path);
          return FALSE;
        }
    }
  if (g_rename (temp_path, path) != 0)
    {
      set_errno_error (error, errno, path);
      return FALSE;
    }
  return TRUE;
}

static gboolean
write_rows (Writer                 *writer,
            const WriterClass      *klass,
            NexusLeadsCursor       *cursor,
            gint64                  total,
            NexusExportProgressFunc progress,
            gpointer                user_data,
            GCancellable           *cancellable,
            GError                **error)
{
  g_autoptr (GArray) rows = g_array_new (FALSE, FALSE, sizeof (NexusLeadsExportRow));

  if (klass->begin != NULL && !klass->begin (writer, error))
    return FALSE;
  if (progress != NULL)
    progress (0, total, user_data);

  for (;;)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (!nexus_leads_cursor_next_page (cursor, NEXUS_EXPORT_PAGE_ROWS, rows, error))
        return FALSE;
      if (rows->len == 0)
        break;
      for (guint i = 0; i < rows->len; i++)
        {
          if (writer->options->format == NEXUS_EXPORT_XLSX &&
              writer->n_rows >= NEXUS_EXPORT_XLSX_MAX_ROWS)
            {
              g_set_error (error, NEXUS_EXPORT_ERROR, NEXUS_EXPORT_ERROR_TOO_MANY,
                           _ ("An XLSX sheet holds at most %d leads"), NEXUS_EXPORT_XLSX_MAX_ROWS);
              return FALSE;
            }
          if (!klass->row (writer, &g_array_index (rows, NexusLeadsExportRow, i), error))
            return FALSE;
          writer->n_rows++;
        }
      if (writer->out != NULL && !flush_buffer (writer, FALSE, cancellable, error))
        return FALSE;
      if (progress != NULL)
        progress (writer->n_rows, MAX (total, writer->n_rows), user_data);
    }

  if (klass->end != NULL && !klass->end (writer, error))
    return FALSE;
  if (writer->out != NULL)
    {
      int fd = g_unix_output_stream_get_fd (G_UNIX_OUTPUT_STREAM (writer->out));

      if (!flush_buffer (writer, TRUE, cancellable, error))
        return FALSE;
      /* On disk before the rename makes it the file. */
      if (fsync (fd) != 0)
        {
          set_errno_error (error, errno, writer->path);
          return FALSE;
        }
      if (!g_output_stream_close (writer->out, cancellable, error))
        return FALSE;
    }
  return TRUE;
}

/**
 * nexus_export_leads:
 * @store: a #NexusStore (a reader connection is enough)
 * @path: the file to write
 * @options: what to export and how
 * @progress: (nullable) (scope call): called after each page
 * @user_data: for @progress
 * @cancellable: (nullable): cancels the export; the file is then not
 *   written at all
 * @out_rows: (out) (optional): how many leads were written
 * @error: return location for a #GError
 *
 * Writes the leads @options choose to @path (see nexus-export.h).
 *
 * Returns: %TRUE when @path holds the complete export; on %FALSE nothing
 *   was created or changed
 */
gboolean
nexus_export_leads (NexusStore               *store,
                    const char               *path,
                    const NexusExportOptions *options,
                    NexusExportProgressFunc   progress,
                    gpointer                  user_data,
                    GCancellable             *cancellable,
                    gint64                   *out_rows,
                    GError                  **error)
{
  g_autoptr (NexusLeadsCursor) cursor = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GString) buffer = NULL;
  g_autoptr (GString) scratch = g_string_new (NULL);
  g_autoptr (GOutputStream) out = NULL;
  g_autofree char   *folder = NULL;
  g_autofree char   *base = NULL;
  g_autofree char   *temp_path = NULL;
  const WriterClass *klass;
  Writer             writer = { 0 };
  gint64             total = 0;
  gboolean           ok;
  int                fd;

  g_return_val_if_fail (NEXUS_IS_STORE (store), FALSE);
  g_return_val_if_fail (path != NULL && options != NULL, FALSE);

  if (!check_options (options, error))
    return FALSE;
  if (!options->overwrite && g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, NEXUS_EXPORT_ERROR, NEXUS_EXPORT_ERROR_EXISTS, _ ("“%s” already exists"),
                   path);
      return FALSE;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  writer.options = options;
  writer.path = path;
  writer.delimiter = options->delimiter != 0 ? options->delimiter : ',';
  writer.scratch = scratch;
  if (options->n_columns > 0)
    {
      writer.columns = options->columns;
      writer.n_columns = options->n_columns;
    }
  else
    writer.columns = nexus_export_get_default_columns (&writer.n_columns);

  cursor = nexus_store_leads_cursor_open (store, options->query, options->ids, options->n_ids,
                                          &total, error);
  if (cursor == NULL)
    return FALSE;
  if (options->format == NEXUS_EXPORT_XLSX && total > NEXUS_EXPORT_XLSX_MAX_ROWS)
    {
      g_set_error (
          error, NEXUS_EXPORT_ERROR, NEXUS_EXPORT_ERROR_TOO_MANY,
          _ ("An XLSX sheet holds at most %d leads; %" PRId64 " were chosen (export them as CSV)"),
          NEXUS_EXPORT_XLSX_MAX_ROWS, total);
      return FALSE;
    }

  /* The temporary file beside the target: the final rename stays on one
   * file system, and a folder that cannot be written fails here. */
  folder = g_path_get_dirname (path);
  base = g_path_get_basename (path);
  temp_path = g_strdup_printf ("%s%c.%s-XXXXXX.part", folder, G_DIR_SEPARATOR, base);
  fd = g_mkstemp_full (temp_path, O_WRONLY | O_CLOEXEC, 0666);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, NEXUS_EXPORT_ERROR, NEXUS_EXPORT_ERROR_WRITE,
                   _ ("Cannot write in the folder “%s”: %s"), folder, g_strerror (saved_errno));
      return FALSE;
    }

  klass = &writer_classes[options->format];
  if (options->format == NEXUS_EXPORT_XLSX)
    {
      lxw_workbook_options workbook_options = { .constant_memory = LXW_TRUE };

      close (fd);
      writer.workbook = workbook_new_opt (temp_path, &workbook_options);
      writer.sheet =
          writer.workbook != NULL ? workbook_add_worksheet (writer.workbook, _ ("Leads")) : NULL;
      if (writer.sheet == NULL)
        {
          g_set_error (error, NEXUS_EXPORT_ERROR, NEXUS_EXPORT_ERROR_WRITE,
                       _ ("Cannot start the workbook “%s”"), path);
          g_clear_pointer (&writer.workbook, lxw_workbook_free);
          g_unlink (temp_path);
          return FALSE;
        }
    }
  else
    {
      out = g_unix_output_stream_new (fd, TRUE);
      buffer = g_string_sized_new (BUFFER_FLUSH + 4096);
      writer.out = out;
      writer.buffer = buffer;
    }

  ok = write_rows (&writer, klass, cursor, total, progress, user_data, cancellable, &local_error);
  g_clear_pointer (&writer.workbook, lxw_workbook_free);
  /* A cancellation while a workbook was being closed still wins. */
  if (ok && g_cancellable_set_error_if_cancelled (cancellable, &local_error))
    ok = FALSE;
  else if (!ok && local_error->domain == G_IO_ERROR && local_error->code != G_IO_ERROR_CANCELLED)
    g_prefix_error (&local_error, _ ("Cannot write “%s”: "), path);
  if (ok)
    ok = move_into_place (temp_path, path, options->overwrite, &local_error);
  if (!ok)
    {
      g_unlink (temp_path);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (out_rows != NULL)
    *out_rows = writer.n_rows;
  return TRUE;
}
