/* nexus-row-reader.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nexus-leads"

#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "nexus-csv.h"
#include "nexus-import.h"
#include "nexus-row-reader.h"
#include "nexus-xlsx.h"

/* Lines looked at for the delimiter. */
#define SNIFF_LINES 20

struct _NexusRowReader
{
  NexusImportFormat format;

  /* CSV: the reader, the stream under any conversion (for the position),
   * the file's size (0: unknown), the encoding and delimiter in use. */
  NexusCsvReader *csv;
  GInputStream   *raw;
  goffset         size;
  char           *encoding;
  char            delimiter;
  gboolean        converted;

  /* XLSX. */
  NexusXlsxReader *xlsx;

  /* GeoJSON and JSON: the parsed document (NDJSON: the current line), the
   * header, the features or objects (not NDJSON) and how many there are;
   * the record handed out (fields, problem) and the next item's position. */
  JsonParser *parser;
  GPtrArray  *header;
  gboolean    header_sent;
  JsonArray  *features;
  guint64     n_items;
  guint64     next_feature;
  GPtrArray  *record;
  char       *problem;
  guint64     line;

  /* JSON, NDJSON and GeoJSON: a ColumnKind per header column. */
  guint8 *kinds;
  /* NDJSON: the file's text and where the next line starts. */
  GBytes *text;
  gsize   offset;
};

/* What a member of a JSON object may be, by its column. */
typedef enum
{
  COLUMN_FREE,  /* no lead field: lists and objects are kept as JSON text */
  COLUMN_LIST,  /* phones: a list of values is one field, items joined by "; " */
  COLUMN_VALUE, /* another lead field: one value */
} ColumnKind;

/* clang-format off */
G_DEFINE_QUARK (nexus-row-reader-error-quark, nexus_row_reader_error)
/* clang-format on */

static const char *const format_names[] = { "auto", "csv", "xlsx", "geojson", "json", "ndjson" };

const char *
nexus_import_format_to_string (NexusImportFormat format)
{
  g_return_val_if_fail (format <= NEXUS_IMPORT_FORMAT_NDJSON, NULL);

  return format_names[format];
}

/**
 * nexus_import_format_from_string:
 *
 * Returns: whether @text names a format ("csv", "xlsx", "geojson", "json",
 *   "ndjson", "auto"; "jsonl" is NDJSON), any case
 */
gboolean
nexus_import_format_from_string (const char *text, NexusImportFormat *out_format)
{
  if (text == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (format_names); i++)
    if (g_ascii_strcasecmp (text, format_names[i]) == 0)
      {
        *out_format = (NexusImportFormat)i;
        return TRUE;
      }
  if (g_ascii_strcasecmp (text, "jsonl") == 0)
    {
      *out_format = NEXUS_IMPORT_FORMAT_NDJSON;
      return TRUE;
    }
  return FALSE;
}

/* A JSON text starting with "{": one object a line when a line starts
 * with another object and the start does not look like GeoJSON, else
 * GeoJSON (whose reader says what is wrong with a single object). */
static NexusImportFormat
guess_json_object (const char *head)
{
  if (strstr (head, "\"FeatureCollection\"") != NULL || strstr (head, "\"features\"") != NULL)
    return NEXUS_IMPORT_FORMAT_GEOJSON;
  for (const char *p = strchr (head, '\n'); p != NULL; p = strchr (p + 1, '\n'))
    {
      const char *next = p + 1;

      while (*next == ' ' || *next == '\t' || *next == '\r' || *next == '\n')
        next++;
      if (*next == '{')
        return NEXUS_IMPORT_FORMAT_NDJSON;
      if (*next != '\0')
        break;
    }
  return NEXUS_IMPORT_FORMAT_GEOJSON;
}

/**
 * nexus_import_format_guess:
 *
 * Returns: the format of @path from its extension, else from its first
 *   bytes (a ZIP archive is XLSX; a JSON array JSON; objects on lines of
 *   their own NDJSON; another JSON object GeoJSON), else CSV.  A ".json"
 *   file is JSON, GeoJSON or NDJSON by its first bytes.
 */
NexusImportFormat
nexus_import_format_guess (const char *path)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);
  g_autofree char *head = NULL;
  gboolean         json = g_str_has_suffix (lower, ".json");
  FILE            *file;
  gsize            n;

  if (g_str_has_suffix (lower, ".xlsx"))
    return NEXUS_IMPORT_FORMAT_XLSX;
  if (g_str_has_suffix (lower, ".geojson"))
    return NEXUS_IMPORT_FORMAT_GEOJSON;
  if (g_str_has_suffix (lower, ".ndjson") || g_str_has_suffix (lower, ".jsonl"))
    return NEXUS_IMPORT_FORMAT_NDJSON;
  if (g_str_has_suffix (lower, ".csv") || g_str_has_suffix (lower, ".tsv") ||
      g_str_has_suffix (lower, ".txt"))
    return NEXUS_IMPORT_FORMAT_CSV;

  file = fopen (path, "rb");
  if (file == NULL)
    return json ? NEXUS_IMPORT_FORMAT_JSON : NEXUS_IMPORT_FORMAT_CSV;
  head = g_malloc0 (NEXUS_ROW_READER_SNIFF + 1);
  n = fread (head, 1, NEXUS_ROW_READER_SNIFF, file);
  fclose (file);
  if (n >= 4 && memcmp (head, "PK\003\004", 4) == 0)
    return NEXUS_IMPORT_FORMAT_XLSX;
  for (gsize i = n >= 3 && memcmp (head, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0; i < n; i++)
    if (!g_ascii_isspace (head[i]))
      {
        if (head[i] == '[')
          return NEXUS_IMPORT_FORMAT_JSON;
        if (head[i] == '{')
          return guess_json_object (head + i);
        break;
      }
  return json ? NEXUS_IMPORT_FORMAT_JSON : NEXUS_IMPORT_FORMAT_CSV;
}

/* Text or not: NUL bytes or many control characters mean not. */
static gboolean
looks_binary (const guchar *data, gsize length)
{
  gsize controls = 0;

  for (gsize i = 0; i < length; i++)
    {
      if (data[i] == 0)
        return TRUE;
      if (data[i] < 0x20 && data[i] != '\t' && data[i] != '\n' && data[i] != '\r' &&
          data[i] != '\f' && data[i] != '\v' && data[i] != 0x1a)
        controls++;
    }
  return controls * 100 > length;
}

static gboolean
binary_error (const guchar *data, gsize length, GError **error)
{
  if (length >= 4 && memcmp (data, "PK\003\004", 4) == 0)
    g_set_error_literal (error, NEXUS_ROW_READER_ERROR, NEXUS_ROW_READER_ERROR_BINARY,
                         _ ("This is not a text file: it looks like an XLSX workbook or another "
                            "ZIP archive"));
  else
    g_set_error_literal (error, NEXUS_ROW_READER_ERROR, NEXUS_ROW_READER_ERROR_BINARY,
                         _ ("This is not a text file: it holds binary data"));
  return FALSE;
}

/* Valid UTF-8, except maybe a character cut at the end of a full sniff. */
static gboolean
is_utf8 (const guchar *data, gsize length, gboolean cut)
{
  const char *end = NULL;

  if (g_utf8_validate ((const char *)data, (gssize)length, &end))
    return TRUE;
  return cut && (gsize)((const guchar *)end - data) + 4 > length;
}

/* The encoding from a byte-order mark; its length in *out_bom. */
static const char *
encoding_from_bom (const guchar *data, gsize length, gsize *out_bom)
{
  *out_bom = 0;
  if (length >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF)
    return *out_bom = 3, "UTF-8";
  if (length >= 2 && data[0] == 0xFF && data[1] == 0xFE)
    return *out_bom = 2, "UTF-16LE";
  if (length >= 2 && data[0] == 0xFE && data[1] == 0xFF)
    return *out_bom = 2, "UTF-16BE";
  return NULL;
}

/* The sniffed bytes as UTF-8 (a cut character at the end dropped). */
static char *
decode_sniff (const guchar *data, gsize length, const char *encoding, GError **error)
{
  g_autoptr (GCharsetConverter) converter = NULL;
  g_autofree char *out = NULL;
  gsize            out_size = length * 4 + 16;
  gsize            read = 0, written = 0;
  g_autoptr (GError) local_error = NULL;

  converter = g_charset_converter_new ("UTF-8", encoding, &local_error);
  if (converter == NULL)
    {
      g_set_error (error, NEXUS_ROW_READER_ERROR, NEXUS_ROW_READER_ERROR_UNKNOWN_FORMAT,
                   _ ("Unknown encoding “%s”"), encoding);
      return NULL;
    }
  out = g_malloc (out_size);
  if (length > 0 &&
      g_converter_convert (G_CONVERTER (converter), data, length, out, out_size - 1,
                           G_CONVERTER_NO_FLAGS, &read, &written,
                           &local_error) == G_CONVERTER_ERROR &&
      !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT))
    {
      g_set_error (error, NEXUS_ROW_READER_ERROR, NEXUS_ROW_READER_ERROR_ENCODING,
                   _ ("The file cannot be read as %s text: choose its encoding"), encoding);
      return NULL;
    }
  out[written] = '\0';
  return g_steal_pointer (&out);
}

/* The delimiter whose count outside quotes is the same, and highest, on
 * the first lines; ',' when none is. */
static char
sniff_delimiter (const char *text, gboolean cut)
{
  static const char candidates[] = { ',', ';', '\t', '|' };
  guint             counts[SNIFF_LINES][G_N_ELEMENTS (candidates)] = { { 0 } };
  guint             n_lines = 0;
  gboolean          quoted = FALSE;
  gboolean          line_has_text = FALSE;
  char              best = ',';
  guint             best_count = 0;

  for (const char *p = text; *p != '\0' && n_lines < SNIFF_LINES; p++)
    {
      if (*p == '"')
        quoted = !quoted;
      else if (!quoted && (*p == '\n' || *p == '\r'))
        {
          if (line_has_text)
            n_lines++;
          line_has_text = FALSE;
          continue;
        }
      else if (!quoted)
        for (guint c = 0; c < G_N_ELEMENTS (candidates); c++)
          if (*p == candidates[c])
            counts[n_lines][c]++;
      line_has_text = TRUE;
    }
  /* A last line without its end counts unless the sniff cut it. */
  if (line_has_text && !cut && n_lines < SNIFF_LINES)
    n_lines++;

  for (guint c = 0; c < G_N_ELEMENTS (candidates) && n_lines > 0; c++)
    {
      guint    first = counts[0][c];
      gboolean same = first > 0;

      for (guint l = 1; l < n_lines && same; l++)
        same = counts[l][c] == first;
      if (same && first > best_count)
        {
          best = candidates[c];
          best_count = first;
        }
    }
  if (best_count == 0)
    {
      /* No candidate is steady (ragged lines): the most frequent on the
       * header line. */
      for (guint c = 0; c < G_N_ELEMENTS (candidates) && n_lines > 0; c++)
        if (counts[0][c] > best_count)
          {
            best = candidates[c];
            best_count = counts[0][c];
          }
    }
  return best;
}

static goffset
stream_size (GInputStream *stream)
{
  g_autoptr (GFileInfo) info = NULL;

  if (!G_IS_FILE_INPUT_STREAM (stream))
    return 0;
  info = g_file_input_stream_query_info (G_FILE_INPUT_STREAM (stream),
                                         G_FILE_ATTRIBUTE_STANDARD_SIZE, NULL, NULL);
  return info != NULL ? g_file_info_get_size (info) : 0;
}

/**
 * nexus_row_reader_new_csv:
 * @stream: the file's bytes (a reference is taken)
 * @encoding: (nullable): an iconv name ("UTF-8", "UTF-16LE", "WINDOWS-1256"…);
 *   %NULL or "auto": detected
 * @delimiter: ',', ';', '\t', '|'…; 0: detected
 *
 * Looks at the first NEXUS_ROW_READER_SNIFF bytes for the encoding, the
 * delimiter and binary data.
 *
 * Returns: (transfer full) (nullable): a reader before the header, or %NULL
 *   with @error set
 */
NexusRowReader *
nexus_row_reader_new_csv (GInputStream *stream,
                          const char   *encoding,
                          char          delimiter,
                          GError      **error)
{
  g_autoptr (NexusRowReader) self = g_new0 (NexusRowReader, 1);
  g_autoptr (GInputStream) buffered = NULL;
  g_autoptr (GInputStream) text_stream = NULL;
  g_autofree char *sniffed = NULL;
  const guchar    *data;
  gsize            length = 0;
  gsize            bom = 0;
  const char      *bom_encoding;
  gboolean         cut;

  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);

  self->format = NEXUS_IMPORT_FORMAT_CSV;
  self->raw = g_object_ref (stream);
  self->size = stream_size (stream);

  buffered = g_buffered_input_stream_new_sized (stream, NEXUS_ROW_READER_SNIFF);
  while (g_buffered_input_stream_get_available (G_BUFFERED_INPUT_STREAM (buffered)) <
         NEXUS_ROW_READER_SNIFF)
    {
      gssize n = g_buffered_input_stream_fill (
          G_BUFFERED_INPUT_STREAM (buffered),
          NEXUS_ROW_READER_SNIFF -
              g_buffered_input_stream_get_available (G_BUFFERED_INPUT_STREAM (buffered)),
          NULL, error);

      if (n < 0)
        return NULL;
      if (n == 0)
        break;
    }
  data = g_buffered_input_stream_peek_buffer (G_BUFFERED_INPUT_STREAM (buffered), &length);
  cut = length >= NEXUS_ROW_READER_SNIFF;

  bom_encoding = encoding_from_bom (data, length, &bom);
  if (encoding != NULL && *encoding != '\0' && g_ascii_strcasecmp (encoding, "auto") != 0)
    {
      /* A BOM of another encoding is not skipped: the converter says no. */
      if (bom_encoding == NULL || g_ascii_strcasecmp (bom_encoding, encoding) != 0)
        bom = 0;
      self->encoding = g_ascii_strup (encoding, -1);
    }
  else if (bom_encoding != NULL)
    self->encoding = g_strdup (bom_encoding);
  else if (looks_binary (data, length))
    return binary_error (data, length, error), NULL;
  else if (is_utf8 (data, length, cut))
    self->encoding = g_strdup ("UTF-8");
  else
    self->encoding = g_strdup ("WINDOWS-1256");

  if (g_ascii_strcasecmp (self->encoding, "UTF-8") == 0)
    {
      if (!is_utf8 (data + bom, length - bom, cut))
        {
          g_set_error_literal (error, NEXUS_ROW_READER_ERROR, NEXUS_ROW_READER_ERROR_ENCODING,
                               _ ("The file is not valid UTF-8 text: choose its encoding"));
          return NULL;
        }
      sniffed = g_strndup ((const char *)data + bom, length - bom);
    }
  else if (!(sniffed = decode_sniff (data + bom, length - bom, self->encoding, error)))
    return NULL;
  if (looks_binary ((const guchar *)sniffed, strlen (sniffed)) ||
      strlen (sniffed) + 8 < (length - bom) / 4)
    return binary_error (data, length, error), NULL;

  self->delimiter = delimiter != 0 ? delimiter : sniff_delimiter (sniffed, cut);

  if (bom > 0 && !g_input_stream_skip (buffered, bom, NULL, error))
    return NULL;
  if (g_ascii_strcasecmp (self->encoding, "UTF-8") == 0)
    text_stream = g_object_ref (buffered);
  else
    {
      g_autoptr (GCharsetConverter) converter =
          g_charset_converter_new ("UTF-8", self->encoding, error);

      if (converter == NULL)
        return NULL;
      text_stream = g_converter_input_stream_new (buffered, G_CONVERTER (converter));
      self->converted = TRUE;
    }
  self->csv = nexus_csv_reader_new (text_stream);
  nexus_csv_reader_set_delimiter (self->csv, self->delimiter);
  return g_steal_pointer (&self);
}

/**
 * nexus_row_reader_new_xlsx:
 *
 * Returns: (transfer full) (nullable): a reader of the first worksheet of
 *   @path, or %NULL with @error set
 */
NexusRowReader *
nexus_row_reader_new_xlsx (const char *path, GError **error)
{
  g_autoptr (NexusXlsxReader) xlsx = nexus_xlsx_reader_new (path, error);
  NexusRowReader *self;

  if (xlsx == NULL)
    return NULL;
  self = g_new0 (NexusRowReader, 1);
  self->format = NEXUS_IMPORT_FORMAT_XLSX;
  self->xlsx = g_steal_pointer (&xlsx);
  return self;
}

static gboolean
geojson_error (GError **error, const char *message)
{
  g_set_error (error, NEXUS_ROW_READER_ERROR, NEXUS_ROW_READER_ERROR_GEOJSON,
               _ ("Not a GeoJSON FeatureCollection: %s"), message);
  return FALSE;
}

/* Members of the expected kind, else NULL (json-glib's getters complain
 * about missing members). */
static JsonObject *
object_member (JsonObject *object, const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static JsonArray *
array_member (JsonObject *object, const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static const char *
string_member (JsonObject *object, const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
                 json_node_get_value_type (node) == G_TYPE_STRING
             ? json_node_get_string (node)
             : NULL;
}

static gboolean
is_geometry_column (const char *name)
{
  return g_ascii_strcasecmp (name, "lat") == 0 || g_ascii_strcasecmp (name, "lon") == 0;
}

/* The kind of each column, from the lead field its name usually holds. */
static void
set_column_kinds (NexusRowReader *self)
{
  self->kinds = g_new0 (guint8, self->header->len + 1);
  for (guint c = 0; c < self->header->len; c++)
    {
      int field = nexus_import_guess_field (g_ptr_array_index (self->header, c));

      self->kinds[c] = field < 0                           ? COLUMN_FREE
                       : field == NEXUS_IMPORT_FIELD_PHONE ? COLUMN_LIST
                                                           : COLUMN_VALUE;
    }
}

/* The header: property names in order of appearance, then lat, lon. */
static void
collect_header (NexusRowReader *self)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  guint n = json_array_get_length (self->features);

  self->header = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < n; i++)
    {
      JsonNode   *feature = json_array_get_element (self->features, i);
      JsonObject *properties;
      g_autoptr (GList) names = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (feature))
        continue;
      properties = object_member (json_node_get_object (feature), "properties");
      if (properties == NULL)
        continue;
      names = json_object_get_members (properties);
      for (GList *l = names; l != NULL; l = l->next)
        if (!is_geometry_column (l->data) && g_hash_table_add (seen, l->data))
          g_ptr_array_add (self->header, g_strdup (l->data));
    }
  g_ptr_array_add (self->header, g_strdup ("lat"));
  g_ptr_array_add (self->header, g_strdup ("lon"));
}

/**
 * nexus_row_reader_new_geojson:
 * @stream: the document (read to its end here)
 *
 * Returns: (transfer full) (nullable): a reader before the header, or %NULL
 *   with @error set
 */
/* The whole of @stream, at most NEXUS_ROW_READER_MAX_JSON bytes of text. */
static GBytes *
read_document (GInputStream *stream, GError **error)
{
  g_autoptr (GByteArray) bytes = g_byte_array_new ();
  g_autofree guchar *buffer = g_malloc (65536);
  gssize             n;

  while ((n = g_input_stream_read (stream, buffer, 65536, NULL, error)) > 0)
    {
      if (bytes->len + (gsize)n > NEXUS_ROW_READER_MAX_JSON)
        {
          g_autofree char *size = g_format_size (NEXUS_ROW_READER_MAX_JSON);

          g_set_error (error, NEXUS_ROW_READER_ERROR, NEXUS_ROW_READER_ERROR_TOO_LARGE,
                       _ ("The file is larger than %s, the most a JSON or GeoJSON file may have"),
                       size);
          return NULL;
        }
      g_byte_array_append (bytes, buffer, (guint)n);
    }
  if (n < 0)
    return NULL;
  if (looks_binary (bytes->data, MIN (bytes->len, NEXUS_ROW_READER_SNIFF)))
    return binary_error (bytes->data, bytes->len, error), NULL;
  return g_byte_array_free_to_bytes (g_steal_pointer (&bytes));
}

NexusRowReader *
nexus_row_reader_new_geojson (GInputStream *stream, GError **error)
{
  g_autoptr (NexusRowReader) self = g_new0 (NexusRowReader, 1);
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) local_error = NULL;
  JsonNode   *root;
  JsonObject *object;
  JsonNode   *features;
  const char *data;
  gsize       length;

  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);

  if (!(bytes = read_document (stream, error)))
    return NULL;
  data = g_bytes_get_data (bytes, &length);
  if (length == 0)
    {
      geojson_error (error, _ ("the file is empty"));
      return NULL;
    }

  self->format = NEXUS_IMPORT_FORMAT_GEOJSON;
  self->encoding = g_strdup ("UTF-8");
  self->parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (self->parser, data, (gssize)length, &local_error))
    return geojson_error (error, local_error->message), NULL;
  root = json_parser_get_root (self->parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return geojson_error (error, _ ("the document is not a JSON object")), NULL;
  object = json_node_get_object (root);
  if (g_strcmp0 (string_member (object, "type"), "FeatureCollection") != 0)
    return geojson_error (error, _ ("its type is not “FeatureCollection”")), NULL;
  features = json_object_get_member (object, "features");
  if (features == NULL || !JSON_NODE_HOLDS_ARRAY (features))
    return geojson_error (error, _ ("it has no “features” array")), NULL;
  self->features = json_node_get_array (features);
  self->n_items = json_array_get_length (self->features);
  collect_header (self);
  set_column_kinds (self);
  self->record = g_ptr_array_new_with_free_func (g_free);
  return g_steal_pointer (&self);
}

static gboolean json_error (GError **error, int code, const char *format, ...) G_GNUC_PRINTF (3, 4);

static gboolean
json_error (GError **error, int code, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (NEXUS_ROW_READER_ERROR, code, format, args));
  va_end (args);
  return FALSE;
}

/* Bytes @node holds as text, roughly (for the size limit). */
static gsize
value_size (JsonNode *node)
{
  gsize size = 0;

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        size += value_size (json_array_get_element (array, i)) + 2;
    }
  else if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject    *object = json_node_get_object (node);
      JsonObjectIter iter;
      const char    *name;
      JsonNode      *member;

      json_object_iter_init (&iter, object);
      while (json_object_iter_next (&iter, &name, &member))
        size += strlen (name) + value_size (member) + 2;
    }
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    size = strlen (json_node_get_string (node));
  else
    size = G_ASCII_DTOSTR_BUF_SIZE;
  return size;
}

/* Item @position of a JSON array, or the object on line @position of an
 * NDJSON file: an object under the record size limit; its member names
 * join the header. */
static gboolean
check_object (NexusRowReader *self,
              GHashTable     *seen,
              JsonNode       *node,
              guint64         position,
              GError        **error)
{
  gboolean ndjson = self->format == NEXUS_IMPORT_FORMAT_NDJSON;
  g_autoptr (GList) names = NULL;
  JsonObject *object;
  gsize       size = 0;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return ndjson ? json_error (error, NEXUS_ROW_READER_ERROR_JSON,
                                _ ("Line %" PRIu64 " is not a JSON object: an NDJSON file holds "
                                   "one lead a line, each an object"),
                                position)
                  : json_error (error, NEXUS_ROW_READER_ERROR_JSON,
                                _ ("Item %" PRIu64 " of the array is not a JSON object: each "
                                   "item must be one lead"),
                                position);

  /* In the order of the file (an iterator's order is undefined). */
  object = json_node_get_object (node);
  names = json_object_get_members (object);
  for (GList *l = names; l != NULL; l = l->next)
    {
      const char *name = l->data;

      size += strlen (name) + value_size (json_object_get_member (object, name));
      if (g_hash_table_contains (seen, name))
        continue;
      if (self->header->len >= NEXUS_CSV_MAX_FIELDS)
        return json_error (error, NEXUS_ROW_READER_ERROR_TOO_LARGE, "%s",
                           _ ("The objects have too many different members to be a table of "
                              "leads"));
      g_ptr_array_add (self->header, g_strdup (name));
      g_hash_table_add (seen, g_ptr_array_index (self->header, self->header->len - 1));
    }
  if (size > NEXUS_CSV_MAX_RECORD)
    {
      g_autofree char *limit = g_format_size (NEXUS_CSV_MAX_RECORD);

      return ndjson
                 ? json_error (error, NEXUS_ROW_READER_ERROR_TOO_LARGE,
                               _ ("Line %" PRIu64 ": the lead is larger than %s"), position, limit)
                 : json_error (error, NEXUS_ROW_READER_ERROR_TOO_LARGE,
                               _ ("Item %" PRIu64 ": the lead is larger than %s"), position, limit);
    }
  return TRUE;
}

static gboolean
is_blank (const char *text, gsize length)
{
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isspace (text[i]))
      return FALSE;
  return TRUE;
}

/* The next line of an NDJSON file that is not blank, from *offset (moved
 * past it): its start and length without the line end; *line counts the
 * lines.  %FALSE at the end, or with @error set for a line over the
 * record size limit. */
static gboolean
ndjson_next_line (NexusRowReader *self,
                  gsize          *offset,
                  guint64        *line,
                  const char    **out_start,
                  gsize          *out_length,
                  GError        **error)
{
  gsize       length;
  const char *data = g_bytes_get_data (self->text, &length);

  while (*offset < length)
    {
      const char *start = data + *offset;
      const char *end = memchr (start, '\n', length - *offset);
      gsize       n = end != NULL ? (gsize)(end - start) : length - *offset;

      *offset += n + (end != NULL ? 1 : 0);
      (*line)++;
      if (n > 0 && start[n - 1] == '\r')
        n--;
      if (n > NEXUS_CSV_MAX_RECORD)
        {
          g_autofree char *limit = g_format_size (NEXUS_CSV_MAX_RECORD);

          return json_error (error, NEXUS_ROW_READER_ERROR_TOO_LARGE,
                             _ ("Line %" PRIu64 " is longer than %s"), *line, limit);
        }
      if (!is_blank (start, n))
        {
          *out_start = start;
          *out_length = n;
          return TRUE;
        }
    }
  return FALSE;
}

/* Line @line of an NDJSON file, parsed (owned by the reader's parser). */
static JsonNode *
ndjson_parse (NexusRowReader *self, const char *start, gsize length, guint64 line, GError **error)
{
  g_autoptr (GError) local_error = NULL;

  if (!json_parser_load_from_data (self->parser, start, (gssize)length, &local_error))
    {
      json_error (error, NEXUS_ROW_READER_ERROR_JSON, _ ("Line %" PRIu64 " is not valid JSON: %s"),
                  line, local_error->message);
      return NULL;
    }
  return json_parser_get_root (self->parser);
}

/* Every line checked, the header collected; then back to the start. */
static gboolean
ndjson_scan (NexusRowReader *self, GHashTable *seen, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  gsize       offset = self->offset;
  guint64     line = 0;
  const char *start;
  gsize       length;

  while (ndjson_next_line (self, &offset, &line, &start, &length, &local_error))
    {
      JsonNode *node = ndjson_parse (self, start, length, line, error);

      if (node == NULL || !check_object (self, seen, node, line, error))
        return FALSE;
      self->n_items++;
    }
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

/* The array parsed and every item checked, the header collected. */
static gboolean
json_scan (NexusRowReader *self, GHashTable *seen, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  gsize       length;
  const char *data = g_bytes_get_data (self->text, &length);
  JsonNode   *root;

  if (is_blank (data + self->offset, length - self->offset))
    return TRUE;
  if (!json_parser_load_from_data (self->parser, data + self->offset,
                                   (gssize)(length - self->offset), &local_error))
    return json_error (error, NEXUS_ROW_READER_ERROR_JSON, _ ("Not a valid JSON file: %s"),
                       local_error->message);
  root = json_parser_get_root (self->parser);
  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    return json_error (error, NEXUS_ROW_READER_ERROR_JSON, "%s",
                       _ ("Not a JSON array of leads: the file holds one value that is not an "
                          "array (a file with one object a line is NDJSON)"));
  self->features = json_node_get_array (root);
  self->n_items = json_array_get_length (self->features);
  for (guint64 i = 0; i < self->n_items; i++)
    if (!check_object (self, seen, json_array_get_element (self->features, (guint)i), i + 1, error))
      return FALSE;
  return TRUE;
}

/**
 * nexus_row_reader_new_json:
 * @stream: the file (read to its end here)
 * @format: %NEXUS_IMPORT_FORMAT_JSON or %NEXUS_IMPORT_FORMAT_NDJSON
 *
 * Checks the whole file (see the top of the header).
 *
 * Returns: (transfer full) (nullable): a reader before the header, or %NULL
 *   with @error set
 */
NexusRowReader *
nexus_row_reader_new_json (GInputStream *stream, NexusImportFormat format, GError **error)
{
  g_autoptr (NexusRowReader) self = g_new0 (NexusRowReader, 1);
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  const char *data;
  const char *end = NULL;
  gsize       length;

  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);
  g_return_val_if_fail (format == NEXUS_IMPORT_FORMAT_JSON || format == NEXUS_IMPORT_FORMAT_NDJSON,
                        NULL);

  if (!(self->text = read_document (stream, error)))
    return NULL;
  self->format = format;
  self->encoding = g_strdup ("UTF-8");
  self->parser = json_parser_new_immutable ();
  self->header = g_ptr_array_new_with_free_func (g_free);
  self->record = g_ptr_array_new_with_free_func (g_free);
  data = g_bytes_get_data (self->text, &length);
  if (length >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
    self->offset = 3;
  if (!g_utf8_validate_len (data, length, &end))
    {
      guint64 line = 1;

      for (const char *p = data; p < end; p++)
        line += *p == '\n';
      return json_error (error, NEXUS_ROW_READER_ERROR_ENCODING,
                         _ ("Line %" PRIu64 ": the text is not valid UTF-8, as JSON must be"),
                         line),
             NULL;
    }
  if (!(format == NEXUS_IMPORT_FORMAT_JSON ? json_scan (self, seen, error)
                                           : ndjson_scan (self, seen, error)))
    return NULL;

  set_column_kinds (self);
  return g_steal_pointer (&self);
}

/**
 * nexus_row_reader_open:
 * @format: the file's format; %NEXUS_IMPORT_FORMAT_AUTO: guessed
 * @encoding: (nullable): for CSV, see nexus_row_reader_new_csv()
 * @delimiter: for CSV, see nexus_row_reader_new_csv()
 *
 * Returns: (transfer full) (nullable): a reader before the header, or %NULL
 *   with @error set
 */
NexusRowReader *
nexus_row_reader_open (const char       *path,
                       NexusImportFormat format,
                       const char       *encoding,
                       char              delimiter,
                       GError          **error)
{
  g_autoptr (GFile) file = NULL;
  g_autoptr (GFileInputStream) stream = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  if (format == NEXUS_IMPORT_FORMAT_AUTO)
    format = nexus_import_format_guess (path);
  file = g_file_new_for_path (path);
  stream = g_file_read (file, NULL, error);
  if (stream == NULL)
    return NULL;
  switch (format)
    {
      case NEXUS_IMPORT_FORMAT_XLSX:
        return nexus_row_reader_new_xlsx (path, error);
      case NEXUS_IMPORT_FORMAT_GEOJSON:
        return nexus_row_reader_new_geojson (G_INPUT_STREAM (stream), error);
      case NEXUS_IMPORT_FORMAT_JSON:
      case NEXUS_IMPORT_FORMAT_NDJSON:
        return nexus_row_reader_new_json (G_INPUT_STREAM (stream), format, error);
      case NEXUS_IMPORT_FORMAT_AUTO:
      case NEXUS_IMPORT_FORMAT_CSV:
      default:
        return nexus_row_reader_new_csv (G_INPUT_STREAM (stream), encoding, delimiter, error);
    }
}

void
nexus_row_reader_free (NexusRowReader *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->csv, nexus_csv_reader_free);
  g_clear_object (&self->raw);
  g_clear_pointer (&self->xlsx, nexus_xlsx_reader_free);
  g_clear_object (&self->parser);
  g_clear_pointer (&self->header, g_ptr_array_unref);
  g_clear_pointer (&self->record, g_ptr_array_unref);
  g_free (self->problem);
  g_free (self->encoding);
  g_free (self->kinds);
  g_clear_pointer (&self->text, g_bytes_unref);
  g_free (self);
}

NexusImportFormat
nexus_row_reader_get_format (NexusRowReader *self)
{
  g_return_val_if_fail (self != NULL, NEXUS_IMPORT_FORMAT_AUTO);

  return self->format;
}

/**
 * nexus_row_reader_get_encoding:
 *
 * Returns: (nullable): the encoding read ("UTF-8", "UTF-16LE",
 *   "WINDOWS-1256"…; always "UTF-8" for the JSON formats); %NULL for XLSX
 *   (always UTF-8 inside)
 */
const char *
nexus_row_reader_get_encoding (NexusRowReader *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->encoding;
}

/**
 * nexus_row_reader_get_delimiter:
 *
 * Returns: the CSV delimiter in use, 0 for the other formats
 */
char
nexus_row_reader_get_delimiter (NexusRowReader *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->delimiter;
}

static char *
json_value_text (JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_strdup ("");
  if (JSON_NODE_HOLDS_VALUE (node))
    {
      GType type = json_node_get_value_type (node);
      char  buffer[G_ASCII_DTOSTR_BUF_SIZE];

      if (type == G_TYPE_STRING)
        return g_strdup (json_node_get_string (node));
      if (type == G_TYPE_BOOLEAN)
        return g_strdup (json_node_get_boolean (node) ? "true" : "false");
      if (type == G_TYPE_INT64)
        return g_strdup_printf ("%" PRId64, json_node_get_int (node));
      /* The shortest text that reads back as the number: 30.0444196, not
       * 30.044419600000001. */
      g_ascii_formatd (buffer, sizeof buffer, "%.15g", json_node_get_double (node));
      if (g_ascii_strtod (buffer, NULL) != json_node_get_double (node))
        g_ascii_dtostr (buffer, sizeof buffer, json_node_get_double (node));
      return g_strdup (buffer);
    }
  return json_to_string (node, FALSE);
}

static gboolean
is_number (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         (json_node_get_value_type (node) == G_TYPE_DOUBLE ||
          json_node_get_value_type (node) == G_TYPE_INT64);
}

/* A member of a JSON object as a field; *what says why it cannot be one
 * (see ColumnKind). */
static char *
json_field_text (JsonNode *node, ColumnKind kind, const char **what)
{
  g_autoptr (GString) joined = NULL;
  JsonArray *array;

  if (node == NULL || JSON_NODE_HOLDS_VALUE (node) || JSON_NODE_HOLDS_NULL (node))
    return json_value_text (node);
  if (JSON_NODE_HOLDS_OBJECT (node) || kind == COLUMN_VALUE)
    {
      if (kind == COLUMN_FREE)
        return json_to_string (node, FALSE);
      *what = JSON_NODE_HOLDS_OBJECT (node) ? "an object where one value is expected"
                                            : "a list where one value is expected";
      return g_strdup ("");
    }
  array = json_node_get_array (node);
  joined = g_string_new (NULL);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode        *item = json_array_get_element (array, i);
      g_autofree char *text = NULL;

      if (!JSON_NODE_HOLDS_VALUE (item) && !JSON_NODE_HOLDS_NULL (item))
        {
          if (kind == COLUMN_FREE)
            return json_to_string (node, FALSE);
          *what = "a list holding lists or objects";
          return g_strdup ("");
        }
      text = json_value_text (item);
      if (*text == '\0')
        continue;
      if (joined->len > 0)
        g_string_append (joined, "; ");
      g_string_append (joined, text);
    }
  return g_string_free (g_steal_pointer (&joined), FALSE);
}

/* The members of @object (nullable) for the first @n columns as a new
 * record; a problem for the first member that cannot be a field. */
static void
json_object_record (NexusRowReader *self, JsonObject *object, guint n)
{
  g_ptr_array_set_size (self->record, 0);
  g_clear_pointer (&self->problem, g_free);
  for (guint c = 0; c < n; c++)
    {
      const char *name = g_ptr_array_index (self->header, c);
      const char *what = NULL;
      JsonNode   *member = object != NULL ? json_object_get_member (object, name) : NULL;

      g_ptr_array_add (self->record, json_field_text (member, self->kinds[c], &what));
      if (what != NULL && self->problem == NULL)
        self->problem = g_strdup_printf ("%s: %s", name, what);
    }
}

/* The next feature as a record; a problem when it is not a Point. */
static void
geojson_feature (NexusRowReader *self, JsonNode *node)
{
  JsonObject *feature = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  JsonObject *properties = NULL;
  JsonObject *geometry = NULL;
  JsonArray  *coordinates = NULL;
  guint       n = self->header->len;

  if (feature != NULL)
    {
      properties = object_member (feature, "properties");
      geometry = object_member (feature, "geometry");
    }
  json_object_record (self, properties, n - 2);

  if (g_strcmp0 (string_member (geometry, "type"), "Point") == 0)
    coordinates = array_member (geometry, "coordinates");
  if (coordinates != NULL && json_array_get_length (coordinates) >= 2 &&
      is_number (json_array_get_element (coordinates, 0)) &&
      is_number (json_array_get_element (coordinates, 1)))
    {
      /* GeoJSON's order: longitude, latitude. */
      g_ptr_array_add (self->record, json_value_text (json_array_get_element (coordinates, 1)));
      g_ptr_array_add (self->record, json_value_text (json_array_get_element (coordinates, 0)));
    }
  else
    {
      JsonNode *member = feature != NULL ? json_object_get_member (feature, "geometry") : NULL;

      g_ptr_array_add (self->record, g_strdup (""));
      g_ptr_array_add (self->record, g_strdup (""));
      /* A feature without a geometry (null, as the exporter writes a lead
       * without coordinates) is a row without a location. */
      if (feature == NULL || (member != NULL && !JSON_NODE_HOLDS_NULL (member)))
        {
          g_free (self->problem);
          self->problem =
              g_strdup (feature == NULL ? "not a GeoJSON feature" : "not a Point feature");
        }
    }
}

/* The next JSON item or NDJSON line as a record. */
static gboolean
json_next (NexusRowReader *self, GError **error)
{
  JsonNode *node;

  if (self->next_feature >= self->n_items)
    return FALSE;
  if (self->format == NEXUS_IMPORT_FORMAT_JSON)
    {
      node = json_array_get_element (self->features, (guint)self->next_feature);
      self->line = self->next_feature + 1;
    }
  else
    {
      const char *start;
      gsize       length;

      if (!ndjson_next_line (self, &self->offset, &self->line, &start, &length, error))
        return FALSE;
      if (!(node = ndjson_parse (self, start, length, self->line, error)))
        return FALSE;
    }
  self->next_feature++;
  json_object_record (self, json_node_get_object (node), self->header->len);
  return TRUE;
}

/**
 * nexus_row_reader_next:
 *
 * Reads the next record: the header first, then the rows.
 *
 * Returns: %TRUE when a record was read; %FALSE at the end (@error unset)
 *   or on error
 */
gboolean
nexus_row_reader_next (NexusRowReader *self, GError **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (self->csv != NULL)
    {
      g_autoptr (GError) local_error = NULL;

      if (nexus_csv_reader_next (self->csv, &local_error))
        return TRUE;
      if (local_error == NULL)
        return FALSE;
      if (self->converted && g_error_matches (local_error, NEXUS_CSV_ERROR, NEXUS_CSV_ERROR_IO))
        {
          g_set_error (error, NEXUS_ROW_READER_ERROR, NEXUS_ROW_READER_ERROR_ENCODING,
                       _ ("Line %" PRIu64 ": the file cannot be read as %s text: choose its "
                          "encoding"),
                       nexus_csv_reader_get_line (self->csv), self->encoding);
          return FALSE;
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (self->xlsx != NULL)
    return nexus_xlsx_reader_next (self->xlsx, error);

  if (!self->header_sent)
    {
      /* JSON without any object has no header: an empty file. */
      if (self->format != NEXUS_IMPORT_FORMAT_GEOJSON && self->n_items == 0)
        return FALSE;
      g_ptr_array_set_size (self->record, 0);
      for (guint c = 0; c < self->header->len; c++)
        g_ptr_array_add (self->record, g_strdup (g_ptr_array_index (self->header, c)));
      self->header_sent = TRUE;
      self->line = self->format == NEXUS_IMPORT_FORMAT_NDJSON ? 0 : 1;
      return TRUE;
    }
  if (self->format != NEXUS_IMPORT_FORMAT_GEOJSON)
    return json_next (self, error);
  if (self->next_feature >= self->n_items)
    return FALSE;
  geojson_feature (self, json_array_get_element (self->features, (guint)self->next_feature++));
  self->line = self->next_feature;
  return TRUE;
}

guint
nexus_row_reader_get_n_fields (NexusRowReader *self)
{
  g_return_val_if_fail (self != NULL, 0);

  if (self->csv != NULL)
    return nexus_csv_reader_get_n_fields (self->csv);
  if (self->xlsx != NULL)
    return nexus_xlsx_reader_get_n_fields (self->xlsx);
  return self->record->len;
}

/**
 * nexus_row_reader_get_field:
 *
 * Returns: (transfer none) (nullable): field @index of the current record,
 *   %NULL past its last field
 */
const char *
nexus_row_reader_get_field (NexusRowReader *self, guint index)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (self->csv != NULL)
    {
      const char *value = nexus_csv_reader_get_field (self->csv, index);

      /* The exporter's escape of a formula-like text, dropped. */
      if (value != NULL && value[0] == '\'' && value[1] != '\0' &&
          strchr ("=+-@\t\r", value[1]) != NULL)
        return value + 1;
      return value;
    }
  if (self->xlsx != NULL)
    return nexus_xlsx_reader_get_field (self->xlsx, index);
  return index < self->record->len ? g_ptr_array_index (self->record, index) : NULL;
}

/**
 * nexus_row_reader_get_problem:
 *
 * Returns: (nullable): why the current row cannot be a lead whatever its
 *   fields (a GeoJSON feature that is not a Point), or %NULL
 */
const char *
nexus_row_reader_get_problem (NexusRowReader *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->csv == NULL && self->xlsx == NULL ? self->problem : NULL;
}

/**
 * nexus_row_reader_get_line:
 *
 * Returns: where the current record is: the line of a CSV file, the row of
 *   a worksheet or an NDJSON file, the feature's or object's position
 *   (1-based) in a GeoJSON or JSON file
 */
guint64
nexus_row_reader_get_line (NexusRowReader *self)
{
  g_return_val_if_fail (self != NULL, 0);

  if (self->csv != NULL)
    return nexus_csv_reader_get_line (self->csv);
  if (self->xlsx != NULL)
    return nexus_xlsx_reader_get_row (self->xlsx);
  return self->line;
}

/**
 * nexus_row_reader_get_fraction:
 *
 * Returns: how far into the file the reader is, from 0 to 1 (0 when not
 *   known)
 */
double
nexus_row_reader_get_fraction (NexusRowReader *self)
{
  g_return_val_if_fail (self != NULL, 0);

  if (self->csv != NULL)
    {
      if (self->size <= 0 || !G_IS_SEEKABLE (self->raw))
        return 0;
      return CLAMP ((double)g_seekable_tell (G_SEEKABLE (self->raw)) / (double)self->size, 0, 1);
    }
  if (self->xlsx != NULL)
    return nexus_xlsx_reader_get_fraction (self->xlsx);
  if (self->n_items == 0)
    return 0;
  return (double)self->next_feature / (double)self->n_items;
}
