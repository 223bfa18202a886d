/* nexus-import.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nexus-leads"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "nexus-import.h"
#include "nexus-phone.h"

/* clang-format off */
G_DEFINE_QUARK (nexus-import-error-quark, nexus_import_error)
/* clang-format on */

static const char *const field_names[NEXUS_IMPORT_N_FIELDS] = {
  "name", "phone",   "address", "city",  "category", "ref",     "lat",
  "lon",  "country", "website", "email", "rating",   "reviews",
};

/* Header names recognized without a map, per field, compared after
 * folding case and turning spaces and hyphens into underscores. */
static const char *const field_aliases[NEXUS_IMPORT_N_FIELDS][20] = {
  { "name", "title", "business", "business_name", "company", "company_name", "الاسم", "اسم",
    "الاسم التجاري", "اسم النشاط", "اسم المنشأة", "اسم الشركة", "الشركة", "المنشأة", NULL },
  { "phone",      "phones", "telephone",  "tel",          "phone_number", "mobile", "mobile_phone",
    "phone_e164", "e164",   "phone_raw",  "other_phones", "هاتف",         "الهاتف", "رقم الهاتف",
    "جوال",       "الجوال", "رقم الجوال", "موبايل",       "تليفون",       NULL },
  { "address", "addr", "street", "street_address", "العنوان", "عنوان", "الشارع", NULL },
  { "city", "town", "locality", "المدينة", "مدينة", NULL },
  { "category", "type", "categories", "kind", "الفئة", "فئة", "التصنيف", "النوع", "النشاط", NULL },
  { "ref", "id", "place_id", "المعرف", "معرف", NULL },
  { "lat", "latitude", "خط العرض", "العرض", NULL },
  { "lon", "lng", "long", "longitude", "خط الطول", "الطول", NULL },
  { "country", "country_code", "البلد", "الدولة", NULL },
  { "website", "url", "web", "site", "الموقع", "الموقع الإلكتروني", "الموقع الالكتروني", NULL },
  { "email", "e-mail", "mail", "البريد", "البريد الإلكتروني", "البريد الالكتروني", NULL },
  { "rating", "التقييم", NULL },
  { "reviews", "review_count", "reviews_count", "user_ratings_total", "المراجعات", "عدد المراجعات",
    NULL },
};

const char *
nexus_import_field_to_string (NexusImportField field)
{
  g_return_val_if_fail (field < NEXUS_IMPORT_N_FIELDS, NULL);

  return field_names[field];
}

/**
 * nexus_import_field_get_label:
 *
 * Returns: the field's name for people, translated
 */
const char *
nexus_import_field_get_label (NexusImportField field)
{
  switch (field)
    {
      case NEXUS_IMPORT_FIELD_NAME:
        return C_ ("lead field", "Name");
      case NEXUS_IMPORT_FIELD_PHONE:
        return C_ ("lead field", "Phone");
      case NEXUS_IMPORT_FIELD_ADDRESS:
        return C_ ("lead field", "Address");
      case NEXUS_IMPORT_FIELD_CITY:
        return C_ ("lead field", "City");
      case NEXUS_IMPORT_FIELD_CATEGORY:
        return C_ ("lead field", "Category");
      case NEXUS_IMPORT_FIELD_REF:
        return C_ ("lead field", "Reference");
      case NEXUS_IMPORT_FIELD_LAT:
        return C_ ("lead field", "Latitude");
      case NEXUS_IMPORT_FIELD_LON:
        return C_ ("lead field", "Longitude");
      case NEXUS_IMPORT_FIELD_COUNTRY:
        return C_ ("lead field", "Country");
      case NEXUS_IMPORT_FIELD_WEBSITE:
        return C_ ("lead field", "Website");
      case NEXUS_IMPORT_FIELD_EMAIL:
        return C_ ("lead field", "Email");
      case NEXUS_IMPORT_FIELD_RATING:
        return C_ ("lead field", "Rating");
      case NEXUS_IMPORT_FIELD_REVIEWS:
        return C_ ("lead field", "Reviews");
      case NEXUS_IMPORT_N_FIELDS:
      default:
        g_return_val_if_reached (NULL);
    }
}

static char *
header_key (const char *header)
{
  g_autofree char *stripped = g_strstrip (g_strdup (header));
  char            *key = g_utf8_casefold (stripped, -1);

  g_strdelimit (key, " -", '_');
  return key;
}

/**
 * nexus_import_guess_field:
 * @header: a column's header
 *
 * Returns: the NexusImportField a column named @header usually holds
 *   (English and Arabic names), or -1
 */
int
nexus_import_guess_field (const char *header)
{
  g_autofree char *key = NULL;

  if (header == NULL)
    return -1;
  key = header_key (header);
  for (guint f = 0; f < NEXUS_IMPORT_N_FIELDS; f++)
    for (guint a = 0; field_aliases[f][a] != NULL; a++)
      {
        g_autofree char *alias = header_key (field_aliases[f][a]);

        if (strcmp (key, alias) == 0)
          return (int)f;
      }
  return -1;
}

static void
rejection_clear (gpointer data)
{
  NexusImportRejection *rejection = data;

  g_free (rejection->reason);
}

/**
 * nexus_import_summary_new:
 *
 * Returns: (transfer full): an empty summary
 */
NexusImportSummary *
nexus_import_summary_new (void)
{
  NexusImportSummary *summary = g_new0 (NexusImportSummary, 1);

  summary->rejections = g_array_new (FALSE, TRUE, sizeof (NexusImportRejection));
  g_array_set_clear_func (summary->rejections, rejection_clear);
  return summary;
}

void
nexus_import_summary_free (NexusImportSummary *summary)
{
  if (summary == NULL)
    return;
  g_array_unref (summary->rejections);
  g_free (summary->encoding);
  g_free (summary);
}

/**
 * nexus_import_summary_to_json:
 *
 * Returns: (transfer full): {"rows","accepted","new","merged","preview",
 *   "rejected","rejections":[{"line","reason"}]}
 */
JsonNode *
nexus_import_summary_to_json (const NexusImportSummary *summary)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "rows");
  json_builder_add_int_value (builder, (gint64)summary->rows);
  json_builder_set_member_name (builder, "accepted");
  json_builder_add_int_value (builder, (gint64)summary->accepted);
  json_builder_set_member_name (builder, "new");
  json_builder_add_int_value (builder, (gint64)summary->n_new);
  json_builder_set_member_name (builder, "merged");
  json_builder_add_int_value (builder, (gint64)summary->merged);
  json_builder_set_member_name (builder, "preview");
  json_builder_add_int_value (builder, (gint64)summary->preview);
  json_builder_set_member_name (builder, "rejected");
  json_builder_add_int_value (builder, (gint64)summary->rejected);
  json_builder_set_member_name (builder, "format");
  json_builder_add_string_value (builder, nexus_import_format_to_string (summary->format));
  if (summary->encoding != NULL)
    {
      json_builder_set_member_name (builder, "encoding");
      json_builder_add_string_value (builder, summary->encoding);
    }
  if (summary->delimiter != 0)
    {
      char delimiter[2] = { summary->delimiter, 0 };

      json_builder_set_member_name (builder, "delimiter");
      json_builder_add_string_value (builder, delimiter);
    }
  json_builder_set_member_name (builder, "dry_run");
  json_builder_add_boolean_value (builder, summary->dry_run);
  json_builder_set_member_name (builder, "rejections");
  json_builder_begin_array (builder);
  for (guint i = 0; i < summary->rejections->len; i++)
    {
      NexusImportRejection *rejection =
          &g_array_index (summary->rejections, NexusImportRejection, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "line");
      json_builder_add_int_value (builder, (gint64)rejection->line);
      json_builder_set_member_name (builder, "reason");
      json_builder_add_string_value (builder, rejection->reason);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static void
summary_reject (NexusImportSummary *summary, guint64 line, const char *reason)
{
  summary->rejected++;
  if (summary->rejections->len < NEXUS_IMPORT_MAX_REJECTIONS)
    {
      NexusImportRejection rejection = { line, g_strdup (reason) };
      g_array_append_val (summary->rejections, rejection);
    }
}

static int
field_from_name (const char *name)
{
  for (guint i = 0; i < NEXUS_IMPORT_N_FIELDS; i++)
    if (g_ascii_strcasecmp (name, field_names[i]) == 0)
      return (int)i;
  return -1;
}

/* Parses "name=COL,phone=COL" into (field, column name) pairs. */
static gboolean
parse_map (const char *spec, char *columns[NEXUS_IMPORT_N_FIELDS], GError **error)
{
  g_auto (GStrv) items = NULL;

  if (spec == NULL)
    return TRUE;
  items = g_strsplit (spec, ",", -1);
  for (guint i = 0; items[i] != NULL; i++)
    {
      const char      *eq;
      g_autofree char *key = NULL;
      g_autofree char *column = NULL;
      int              field;

      if (*g_strstrip (items[i]) == '\0')
        continue;
      eq = strchr (items[i], '=');
      if (eq == NULL)
        {
          g_set_error (error, NEXUS_IMPORT_ERROR, NEXUS_IMPORT_ERROR_BAD_MAP,
                       _ ("--map: “%s” is not FIELD=COLUMN"), items[i]);
          return FALSE;
        }
      key = g_strstrip (g_strndup (items[i], eq - items[i]));
      column = g_strstrip (g_strdup (eq + 1));
      field = field_from_name (key);
      if (field < 0)
        {
          g_set_error (error, NEXUS_IMPORT_ERROR, NEXUS_IMPORT_ERROR_BAD_MAP,
                       _ ("--map: unknown field “%s” (fields: name, phone, address, city, "
                          "category, ref, lat, lon, country, website, email, rating, reviews)"),
                       key);
          return FALSE;
        }
      if (*column == '\0')
        {
          g_set_error (error, NEXUS_IMPORT_ERROR, NEXUS_IMPORT_ERROR_BAD_MAP,
                       _ ("--map: no column given for “%s”"), key);
          return FALSE;
        }
      g_free (columns[field]);
      columns[field] = g_steal_pointer (&column);
    }
  return TRUE;
}

/**
 * nexus_import_check_options:
 *
 * Checks what can be checked before reading the file: the map's syntax and
 * field names, and the country.
 */
gboolean
nexus_import_check_options (const NexusImportOptions *options, GError **error)
{
  char    *columns[NEXUS_IMPORT_N_FIELDS] = { NULL };
  gboolean ok = parse_map (options->map, columns, error);

  for (guint i = 0; i < NEXUS_IMPORT_N_FIELDS; i++)
    g_free (columns[i]);
  if (!ok)
    return FALSE;

  if (options->country != NULL && !nexus_phone_region_is_known (options->country))
    {
      g_set_error (error, NEXUS_IMPORT_ERROR, NEXUS_IMPORT_ERROR_BAD_COUNTRY,
                   _ ("--country: “%s” is not a known ISO 3166-1 country code"), options->country);
      return FALSE;
    }
  return TRUE;
}

/* Adds column @c to the phone columns. */
static void
add_phone_column (GArray *phones, guint c)
{
  int column = (int)c;

  if (phones->len < NEXUS_LEAD_MAX_PHONES)
    g_array_append_val (phones, column);
}

/* Finds the column of every field: options->columns, else the map and
 * the usual names; every column of phones into @phones (the first is
 * index[NEXUS_IMPORT_FIELD_PHONE]). */
static gboolean
resolve_columns (GPtrArray                *headers,
                 const NexusImportOptions *options,
                 int                       index[NEXUS_IMPORT_N_FIELDS],
                 GArray                   *phones,
                 GError                  **error)
{
  char    *mapped[NEXUS_IMPORT_N_FIELDS] = { NULL };
  guint    n = headers->len;
  gboolean ok = TRUE;

  for (guint f = 0; f < NEXUS_IMPORT_N_FIELDS; f++)
    index[f] = -1;

  if (options->columns != NULL)
    {
      if (options->n_columns != n)
        {
          g_set_error (error, NEXUS_IMPORT_ERROR, NEXUS_IMPORT_ERROR_BAD_MAP,
                       _ ("The column mapping has %u columns but the file has %u"),
                       options->n_columns, n);
          return FALSE;
        }
      for (guint c = 0; c < n; c++)
        {
          int f = options->columns[c];

          if (f == NEXUS_IMPORT_FIELD_PHONE)
            add_phone_column (phones, c);
          if (f >= 0 && f < NEXUS_IMPORT_N_FIELDS && index[f] < 0)
            index[f] = (int)c;
        }
    }
  else
    {
      if (!parse_map (options->map, mapped, error))
        return FALSE;
      for (guint f = 0; f < NEXUS_IMPORT_N_FIELDS; f++)
        {
          for (guint c = 0; c < n && index[f] < 0; c++)
            {
              const char *header = g_ptr_array_index (headers, c);

              if (mapped[f] != NULL)
                {
                  if (g_ascii_strcasecmp (header, mapped[f]) == 0)
                    index[f] = (int)c;
                }
              else if (nexus_import_guess_field (header) == (int)f)
                index[f] = (int)c;
            }
          if (mapped[f] != NULL && index[f] < 0 && ok)
            {
              g_set_error (error, NEXUS_IMPORT_ERROR, NEXUS_IMPORT_ERROR_BAD_MAP,
                           _ ("--map: the file has no column “%s”"), mapped[f]);
              ok = FALSE;
            }
        }
      /* The mapped phone column, else every column of phones by name. */
      for (guint c = 0; c < n; c++)
        if (mapped[NEXUS_IMPORT_FIELD_PHONE] != NULL
                ? (int)c == index[NEXUS_IMPORT_FIELD_PHONE]
                : nexus_import_guess_field (g_ptr_array_index (headers, c)) ==
                      NEXUS_IMPORT_FIELD_PHONE)
          add_phone_column (phones, c);
      for (guint f = 0; f < NEXUS_IMPORT_N_FIELDS; f++)
        g_free (mapped[f]);
    }

  if (ok && index[NEXUS_IMPORT_FIELD_NAME] < 0)
    {
      g_set_error_literal (error, NEXUS_IMPORT_ERROR, NEXUS_IMPORT_ERROR_NO_NAME,
                           options->columns != NULL
                               ? _ ("No column holds the name: choose the column of the names")
                               : _ ("No column holds the name: map one with --map name=COLUMN"));
      ok = FALSE;
    }
  return ok;
}

static const char *
cell (char **row, guint n, const int index[NEXUS_IMPORT_N_FIELDS], guint field)
{
  const char *value;

  if (index[field] < 0 || (guint)index[field] >= n)
    return NULL;
  value = row[index[field]];
  return *value != '\0' ? value : NULL;
}

static gboolean
parse_number (const char *text, const char *name, double *out, GError **error)
{
  char  *end = NULL;
  double value = g_ascii_strtod (text, &end);

  while (end != NULL && g_ascii_isspace (*end))
    end++;
  if (end == text || end == NULL || *end != '\0' || !isfinite (value))
    {
      g_set_error (error, NEXUS_LEAD_ERROR, NEXUS_LEAD_ERROR_INVALID, "%s: not a number", name);
      return FALSE;
    }
  *out = value;
  return TRUE;
}

/* The rating (0 to 100) and the number of reviews, when the row has them
 * as numbers; other texts ("★★★★", "many") are not a reason to refuse the
 * lead and are left out. */
static void
parse_rating (NexusLeadInput *input, const char *rating, const char *reviews)
{
  double value;

  if (rating != NULL && parse_number (rating, "rating", &value, NULL) && value >= 0 && value <= 100)
    {
      input->rating = value;
      input->has_rating = TRUE;
    }
  if (reviews != NULL && parse_number (reviews, "reviews", &value, NULL) && value >= 0 &&
      value == floor (value) && value <= (double)G_MAXINT32)
    input->reviews = (gint64)value;
}

/* One row as a record (validated), or NULL with the reason. */
static NexusLeadInput *
row_to_input (char                    **row,
              guint                     n,
              GPtrArray                *headers,
              const int                 index[NEXUS_IMPORT_N_FIELDS],
              GArray                   *phone_columns,
              const NexusImportOptions *options,
              GError                  **error)
{
  g_autoptr (NexusLeadInput) input = nexus_lead_input_new ();
  g_autoptr (JsonObject) raw = json_object_new ();
  g_autoptr (JsonNode) raw_node = NULL;
  g_autoptr (JsonNode) payload = NULL;
  const char *lat = cell (row, n, index, NEXUS_IMPORT_FIELD_LAT);
  const char *lon = cell (row, n, index, NEXUS_IMPORT_FIELD_LON);
  const char *phone = cell (row, n, index, NEXUS_IMPORT_FIELD_PHONE);
  const char *ref = cell (row, n, index, NEXUS_IMPORT_FIELD_REF);

  input->provider = g_strdup (options->source != NULL ? options->source : "import");
  input->name = g_strdup (cell (row, n, index, NEXUS_IMPORT_FIELD_NAME));
  input->address = g_strdup (cell (row, n, index, NEXUS_IMPORT_FIELD_ADDRESS));
  input->city = g_strdup (cell (row, n, index, NEXUS_IMPORT_FIELD_CITY));
  input->category = g_strdup (cell (row, n, index, NEXUS_IMPORT_FIELD_CATEGORY));
  input->country = g_strdup (cell (row, n, index, NEXUS_IMPORT_FIELD_COUNTRY));
  input->website = g_strdup (cell (row, n, index, NEXUS_IMPORT_FIELD_WEBSITE));
  input->email = g_strdup (cell (row, n, index, NEXUS_IMPORT_FIELD_EMAIL));
  for (guint i = 0; i < phone_columns->len; i++)
    {
      int column = g_array_index (phone_columns, int, i);

      if ((guint)column < n && *row[column] != '\0')
        g_ptr_array_add (input->phones, g_strdup (row[column]));
    }

  if (ref != NULL)
    input->ref = g_strdup (ref);
  else
    {
      /* A stable ref, so that importing the file again re-reports. */
      g_autofree char *key =
          g_strjoin ("\x1f", input->name ? input->name : "", phone ? phone : "",
                     input->address ? input->address : "", input->city ? input->city : "", NULL);
      g_autofree char *sum = g_compute_checksum_for_string (G_CHECKSUM_SHA1, key, -1);

      input->ref = g_strdup_printf ("row:%.16s", sum);
    }

  if ((lat != NULL) != (lon != NULL))
    {
      g_set_error_literal (error, NEXUS_LEAD_ERROR, NEXUS_LEAD_ERROR_INVALID,
                           lat != NULL ? "lat without lon" : "lon without lat");
      return NULL;
    }
  if (lat != NULL)
    {
      if (!parse_number (lat, "lat", &input->lat, error) ||
          !parse_number (lon, "lon", &input->lon, error))
        return NULL;
      input->has_location = TRUE;
    }
  parse_rating (input, cell (row, n, index, NEXUS_IMPORT_FIELD_RATING),
                cell (row, n, index, NEXUS_IMPORT_FIELD_REVIEWS));

  for (guint c = 0; c < headers->len && c < n; c++)
    json_object_set_string_member (raw, g_ptr_array_index (headers, c), row[c]);
  raw_node = json_node_init_object (json_node_alloc (), raw);

  if (!nexus_lead_input_validate (input, error))
    return NULL;
  /* The payload: the record as a LEAD object, the row under "raw". */
  g_clear_pointer (&input->payload, g_free);
  payload = nexus_lead_input_to_json (input, raw_node);
  input->payload = json_to_string (payload, FALSE);
  if (strlen (input->payload) > NEXUS_LEAD_MAX_PAYLOAD)
    {
      g_set_error (error, NEXUS_LEAD_ERROR, NEXUS_LEAD_ERROR_INVALID,
                   "record too large (over %d bytes)", NEXUS_LEAD_MAX_PAYLOAD);
      return NULL;
    }
  return g_steal_pointer (&input);
}

static void
input_free_cb (gpointer input)
{
  nexus_lead_input_free (input);
}

/* A cell a spreadsheet would run as a formula gets a leading apostrophe;
 * a phone number or a negative number ("+33 1 42…", "-2.5") stays as it
 * is. */
static gboolean
looks_like_formula (const char *value)
{
  if (*value == '=' || *value == '@' || *value == '\t' || *value == '\r')
    return TRUE;
  if (*value == '+' || *value == '-')
    return value[1] == '\0' || value[strspn (value + 1, "0123456789 ().-/") + 1] != '\0';
  return FALSE;
}

static void
csv_append (GString *line, const char *value, gboolean last)
{
  gboolean formula = looks_like_formula (value);

  if (formula || strpbrk (value, ",\"\r\n") != NULL)
    {
      g_string_append_c (line, '"');
      if (formula)
        g_string_append_c (line, '\'');
      for (const char *p = value; *p != '\0'; p++)
        {
          if (*p == '"')
            g_string_append_c (line, '"');
          g_string_append_c (line, *p);
        }
      g_string_append_c (line, '"');
    }
  else
    g_string_append (line, value);
  g_string_append (line, last ? "\r\n" : ",");
}

/* What one import holds while it runs. */
typedef struct
{
  NexusIngest              *ingest;
  const NexusImportOptions *options;
  NexusImportSummary       *summary;
  GPtrArray                *headers; /* char *, stripped */
  int                       index[NEXUS_IMPORT_N_FIELDS];
  GArray                   *phones; /* int: the columns of phones */
  GPtrArray                *batch;  /* NexusLeadInput * */
  GArray                   *lines;  /* guint64 per batch record */
  GPtrArray                *rows;   /* GStrv per batch record, for the rejects */
  GString                  *line_text;
  guint64                   ragged;
  guint64                   first_ragged;
} Import;

static gboolean
write_rejects_line (Import *import, GError **error)
{
  gboolean ok = g_output_stream_write_all (import->options->rejects, import->line_text->str,
                                           import->line_text->len, NULL, NULL, error);

  g_string_truncate (import->line_text, 0);
  return ok;
}

static gboolean
reject_row (Import *import, char **row, guint64 line, const char *reason, GError **error)
{
  g_autofree char *line_number = NULL;

  summary_reject (import->summary, line, reason);
  if (import->options->rejects == NULL)
    return TRUE;
  for (guint c = 0; c < import->headers->len; c++)
    csv_append (import->line_text, row != NULL && c < g_strv_length (row) ? row[c] : "", FALSE);
  line_number = g_strdup_printf ("%" G_GUINT64_FORMAT, line);
  csv_append (import->line_text, line_number, FALSE);
  csv_append (import->line_text, reason, TRUE);
  return write_rejects_line (import, error);
}

static gboolean
flush (Import *import, GError **error)
{
  g_autoptr (NexusIngestReport) report = nexus_ingest_report_new ();
  NexusIngestContext  context = { 0 };
  NexusImportSummary *summary = import->summary;

  if (import->batch->len == 0)
    return TRUE;

  context.default_region = import->options->country;
  if (!nexus_ingest_batch_in_transaction (import->ingest, &context, import->batch, report, error))
    return FALSE;

  summary->accepted += report->accepted;
  summary->n_new += report->n_new;
  summary->merged += report->merged;
  summary->preview += report->preview;
  for (guint i = 0; i < report->rejected->len; i++)
    {
      NexusIngestRejection *rejection = &g_array_index (report->rejected, NexusIngestRejection, i);

      if (!reject_row (import, g_ptr_array_index (import->rows, rejection->index),
                       g_array_index (import->lines, guint64, rejection->index), rejection->reason,
                       error))
        return FALSE;
    }

  g_ptr_array_set_size (import->batch, 0);
  g_array_set_size (import->lines, 0);
  g_ptr_array_set_size (import->rows, 0);
  return TRUE;
}

static int
compare_lines (gconstpointer a, gconstpointer b)
{
  const NexusImportRejection *ra = a;
  const NexusImportRejection *rb = b;

  return ra->line < rb->line ? -1 : ra->line > rb->line;
}

/* The first record; a file without any is empty. */
static gboolean
read_header (NexusRowReader *reader, GError **error)
{
  g_autoptr (GError) local_error = NULL;

  if (nexus_row_reader_next (reader, &local_error))
    return TRUE;
  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  else
    g_set_error_literal (error, NEXUS_IMPORT_ERROR, NEXUS_IMPORT_ERROR_EMPTY,
                         _ ("The file is empty: an import needs a header line"));
  return FALSE;
}

/* The current record's fields, checked to be UTF-8. */
static char **
copy_row (NexusRowReader *reader, guint64 line, GError **error)
{
  guint  n = nexus_row_reader_get_n_fields (reader);
  char **row = g_new0 (char *, n + 1);

  for (guint c = 0; c < n; c++)
    {
      const char *value = nexus_row_reader_get_field (reader, c);

      if (!g_utf8_validate (value, -1, NULL))
        {
          g_strfreev (row);
          g_set_error (error, NEXUS_IMPORT_ERROR, NEXUS_IMPORT_ERROR_ENCODING,
                       _ ("Line %" PRIu64 ": the text is not valid UTF-8: choose the file’s "
                          "encoding (Windows-1256 for Arabic text saved by Excel)"),
                       line);
          return NULL;
        }
      row[c] = g_strstrip (g_strdup (value));
    }
  return row;
}

/* Every row through the pipeline, inside the caller's transaction. */
static gboolean
import_body (Import                 *import,
             NexusRowReader         *reader,
             NexusImportProgressFunc progress,
             gpointer                user_data,
             GCancellable           *cancellable,
             GError                **error)
{
  NexusImportSummary *summary = import->summary;
  guint               batch_size =
      import->options->batch_size > 0 ? import->options->batch_size : NEXUS_IMPORT_BATCH;
  gboolean check_ragged = nexus_row_reader_get_format (reader) == NEXUS_IMPORT_FORMAT_CSV;

  while (TRUE)
    {
      g_autoptr (NexusLeadInput) input = NULL;
      g_autoptr (GError) row_error = NULL;
      g_auto (GStrv) row = NULL;
      const char *problem;
      guint64     line;
      guint       n;

      if (!nexus_row_reader_next (reader, &row_error))
        {
          if (row_error != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&row_error));
              return FALSE;
            }
          break;
        }

      summary->rows++;
      line = nexus_row_reader_get_line (reader);
      n = nexus_row_reader_get_n_fields (reader);
      if (!(row = copy_row (reader, line, error)))
        return FALSE;
      problem = nexus_row_reader_get_problem (reader);

      if (check_ragged && n != import->headers->len)
        {
          g_autofree char *reason =
              g_strdup_printf ("%u fields where the header has %u", n, import->headers->len);

          if (import->ragged++ == 0)
            import->first_ragged = line;
          if (!reject_row (import, row, line, reason, error))
            return FALSE;
          continue;
        }
      if (problem != NULL)
        {
          if (!reject_row (import, row, line, problem, error))
            return FALSE;
          continue;
        }
      input = row_to_input (row, n, import->headers, import->index, import->phones, import->options,
                            &row_error);
      if (input == NULL)
        {
          if (!reject_row (import, row, line, row_error->message, error))
            return FALSE;
          continue;
        }
      g_ptr_array_add (import->batch, g_steal_pointer (&input));
      g_array_append_val (import->lines, line);
      g_ptr_array_add (import->rows, g_steal_pointer (&row));

      if (import->batch->len >= batch_size)
        {
          if (!flush (import, error))
            return FALSE;
          if (progress != NULL)
            progress (summary, nexus_row_reader_get_fraction (reader), user_data);
          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            return FALSE;
        }
    }

  if (!flush (import, error))
    return FALSE;
  if (import->ragged > NEXUS_IMPORT_MAX_RAGGED && import->ragged * 100 > summary->rows)
    {
      g_set_error (error, NEXUS_IMPORT_ERROR, NEXUS_IMPORT_ERROR_RAGGED,
                   _ ("The columns do not line up: %" PRIu64 " rows have another number of "
                      "fields than the header (the first on line %" PRIu64 "); check the "
                      "delimiter"),
                   import->ragged, import->first_ragged);
      return FALSE;
    }
  if (progress != NULL)
    progress (summary, 1.0, user_data);
  return TRUE;
}

static void
strv_free_cb (gpointer row)
{
  g_strfreev (row);
}

/**
 * nexus_import_rows:
 * @ingest: the pipeline of the store to import into
 * @reader: the file, before its header
 * @options: columns, default country, source name, dry run, rejects
 * @summary: receives what happened (counts add up over calls)
 * @progress: (nullable) (scope call): called after each batch
 * @cancellable: (nullable): checked between batches
 * @error: a %NEXUS_IMPORT_ERROR about the options, header or rows, an
 *   error of the reader about the file, %G_IO_ERROR_CANCELLED, or a store
 *   error
 *
 * Imports every row in one transaction (see the top of the header): on
 * %FALSE, and after a dry run, nothing was written.  Must not be called
 * inside a transaction.
 */
gboolean
nexus_import_rows (NexusIngest              *ingest,
                   NexusRowReader           *reader,
                   const NexusImportOptions *options,
                   NexusImportSummary       *summary,
                   NexusImportProgressFunc   progress,
                   gpointer                  user_data,
                   GCancellable             *cancellable,
                   GError                  **error)
{
  g_autoptr (GPtrArray) headers = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) batch = g_ptr_array_new_with_free_func (input_free_cb);
  g_autoptr (GArray) lines = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func (strv_free_cb);
  g_autoptr (GArray) phones = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr (GString) line_text = g_string_new (NULL);
  g_autoptr (GError) local_error = NULL;
  NexusStore *store;
  Import      import = { 0 };
  gboolean    ok;

  g_return_val_if_fail (NEXUS_IS_INGEST (ingest), FALSE);
  g_return_val_if_fail (reader != NULL, FALSE);

  if (!nexus_import_check_options (options, error))
    return FALSE;

  summary->format = nexus_row_reader_get_format (reader);
  g_free (summary->encoding);
  summary->encoding = g_strdup (nexus_row_reader_get_encoding (reader));
  summary->delimiter = nexus_row_reader_get_delimiter (reader);
  summary->dry_run = options->dry_run;

  if (!read_header (reader, error))
    return FALSE;
  for (guint c = 0; c < nexus_row_reader_get_n_fields (reader); c++)
    {
      const char *header = nexus_row_reader_get_field (reader, c);

      if (!g_utf8_validate (header, -1, NULL))
        {
          g_set_error_literal (error, NEXUS_IMPORT_ERROR, NEXUS_IMPORT_ERROR_ENCODING,
                               _ ("The header line is not valid UTF-8: choose the file’s "
                                  "encoding"));
          return FALSE;
        }
      g_ptr_array_add (headers, g_strstrip (g_strdup (header)));
    }

  import.ingest = ingest;
  import.options = options;
  import.summary = summary;
  import.headers = headers;
  import.phones = phones;
  import.batch = batch;
  import.lines = lines;
  import.rows = rows;
  import.line_text = line_text;
  if (!resolve_columns (headers, options, import.index, phones, error))
    return FALSE;

  if (options->rejects != NULL)
    {
      for (guint c = 0; c < headers->len; c++)
        csv_append (line_text, g_ptr_array_index (headers, c), FALSE);
      csv_append (line_text, "line", FALSE);
      csv_append (line_text, "reason", TRUE);
      if (!write_rejects_line (&import, error))
        return FALSE;
    }

  store = nexus_ingest_get_store (ingest);
  if (!nexus_store_begin (store, error))
    return FALSE;
  ok = import_body (&import, reader, progress, user_data, cancellable, error);
  if (ok && !options->dry_run)
    ok = nexus_store_commit (store, error);
  if (!ok || options->dry_run)
    nexus_store_rollback (store);
  g_array_sort (summary->rejections, compare_lines);
  return ok;
}

/**
 * nexus_import_file:
 *
 * nexus_import_rows() on the file at @path, read as options->format,
 * options->encoding and options->delimiter say.
 */
gboolean
nexus_import_file (NexusIngest              *ingest,
                   const char               *path,
                   const NexusImportOptions *options,
                   NexusImportSummary       *summary,
                   NexusImportProgressFunc   progress,
                   gpointer                  user_data,
                   GCancellable             *cancellable,
                   GError                  **error)
{
  g_autoptr (NexusRowReader) reader = NULL;

  g_return_val_if_fail (path != NULL, FALSE);

  if (!nexus_import_check_options (options, error))
    return FALSE;
  reader =
      nexus_row_reader_open (path, options->format, options->encoding, options->delimiter, error);
  if (reader == NULL)
    return FALSE;
  return nexus_import_rows (ingest, reader, options, summary, progress, user_data, cancellable,
                            error);
}

/**
 * nexus_import_csv:
 * @stream: the CSV text, header line first (encoding and delimiter as
 *   options say, else detected)
 *
 * nexus_import_rows() on a CSV stream.
 */
gboolean
nexus_import_csv (NexusIngest              *ingest,
                  GInputStream             *stream,
                  const NexusImportOptions *options,
                  NexusImportSummary       *summary,
                  NexusImportProgressFunc   progress,
                  gpointer                  user_data,
                  GCancellable             *cancellable,
                  GError                  **error)
{
  g_autoptr (NexusRowReader) reader = NULL;

  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), FALSE);

  if (!nexus_import_check_options (options, error))
    return FALSE;
  reader = nexus_row_reader_new_csv (stream, options->encoding, options->delimiter, error);
  if (reader == NULL)
    return FALSE;
  return nexus_import_rows (ingest, reader, options, summary, progress, user_data, cancellable,
                            error);
}

/**
 * nexus_import_preview:
 * @options: format, encoding and delimiter (the rest is not used)
 * @max_rows: rows to read after the header
 *
 * Reads the start of @path for the console's preview.  Runs on any
 * thread; touches no database.
 *
 * Returns: (transfer full) (nullable): the header, the first rows and the
 *   guessed field of each column, or %NULL with @error set
 */
NexusImportPreview *
nexus_import_preview (const char               *path,
                      const NexusImportOptions *options,
                      guint                     max_rows,
                      GError                  **error)
{
  g_autoptr (NexusRowReader) reader = NULL;
  g_autoptr (NexusImportPreview) preview = g_new0 (NexusImportPreview, 1);
  g_autoptr (GError) local_error = NULL;
  gboolean taken[NEXUS_IMPORT_N_FIELDS] = { FALSE };
  guint    n;

  reader =
      nexus_row_reader_open (path, options->format, options->encoding, options->delimiter, error);
  if (reader == NULL)
    return NULL;
  preview->format = nexus_row_reader_get_format (reader);
  preview->encoding = g_strdup (nexus_row_reader_get_encoding (reader));
  preview->delimiter = nexus_row_reader_get_delimiter (reader);
  preview->rows = g_ptr_array_new_with_free_func (strv_free_cb);

  if (!read_header (reader, error))
    return NULL;
  if (!(preview->header = copy_row (reader, nexus_row_reader_get_line (reader), error)))
    return NULL;
  n = g_strv_length (preview->header);
  preview->guesses = g_new (int, MAX (n, 1));
  for (guint c = 0; c < n; c++)
    {
      int field = nexus_import_guess_field (preview->header[c]);

      /* One column per field, the first; phones in every column of them. */
      if (field >= 0 && field != NEXUS_IMPORT_FIELD_PHONE && taken[field])
        field = -1;
      if (field >= 0)
        taken[field] = TRUE;
      preview->guesses[c] = field;
    }

  while (preview->rows->len < max_rows)
    {
      char **row;

      if (!nexus_row_reader_next (reader, &local_error))
        {
          if (local_error != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return NULL;
            }
          break;
        }
      if (!(row = copy_row (reader, nexus_row_reader_get_line (reader), error)))
        return NULL;
      g_ptr_array_add (preview->rows, row);
    }
  return g_steal_pointer (&preview);
}

void
nexus_import_preview_free (NexusImportPreview *preview)
{
  if (preview == NULL)
    return;
  g_free (preview->encoding);
  g_strfreev (preview->header);
  g_clear_pointer (&preview->rows, g_ptr_array_unref);
  g_free (preview->guesses);
  g_free (preview);
}
