/* nexus-import.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nexus-leads"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "nexus-csv.h"
#include "nexus-import.h"
#include "nexus-phone.h"

/* clang-format off */
G_DEFINE_QUARK (nexus-import-error-quark, nexus_import_error)
/* clang-format on */

static const char *const field_names[NEXUS_IMPORT_N_FIELDS] = {
  "name", "phone", "address", "city",    "category", "ref",
  "lat",  "lon",   "country", "website", "email",
};

/* Header names recognized without --map, per field. */
static const char *const field_aliases[NEXUS_IMPORT_N_FIELDS][6] = {
  { "name", "title", "business", "business_name", NULL },
  { "phone", "phones", "telephone", "tel", "phone_number", NULL },
  { "address", "addr", "street", "street_address", NULL },
  { "city", "town", "locality", NULL },
  { "category", "type", "categories", NULL },
  { "ref", "id", "place_id", NULL },
  { "lat", "latitude", NULL },
  { "lon", "lng", "long", "longitude", NULL },
  { "country", "country_code", NULL },
  { "website", "url", "web", "site", NULL },
  { "email", "e-mail", "mail", NULL },
};

const char *
nexus_import_field_to_string (NexusImportField field)
{
  g_return_val_if_fail (field < NEXUS_IMPORT_N_FIELDS, NULL);

  return field_names[field];
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
                          "category, ref, lat, lon, country, website, email)"),
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

/* Finds the column of every field: the map first, then the usual names. */
static gboolean
resolve_columns (NexusCsvReader *reader,
                 const char     *map,
                 int             index[NEXUS_IMPORT_N_FIELDS],
                 GError        **error)
{
  char    *mapped[NEXUS_IMPORT_N_FIELDS] = { NULL };
  guint    n = nexus_csv_reader_get_n_fields (reader);
  gboolean ok = TRUE;

  if (!parse_map (map, mapped, error))
    return FALSE;

  for (guint f = 0; f < NEXUS_IMPORT_N_FIELDS; f++)
    {
      index[f] = -1;
      for (guint c = 0; c < n && index[f] < 0; c++)
        {
          g_autofree char *header = g_strstrip (g_strdup (nexus_csv_reader_get_field (reader, c)));

          if (mapped[f] != NULL)
            {
              if (g_ascii_strcasecmp (header, mapped[f]) == 0)
                index[f] = (int)c;
              continue;
            }
          for (guint a = 0; field_aliases[f][a] != NULL; a++)
            if (g_ascii_strcasecmp (header, field_aliases[f][a]) == 0)
              {
                index[f] = (int)c;
                break;
              }
        }
      if (mapped[f] != NULL && index[f] < 0 && ok)
        {
          g_set_error (error, NEXUS_IMPORT_ERROR, NEXUS_IMPORT_ERROR_BAD_MAP,
                       _ ("--map: the file has no column “%s”"), mapped[f]);
          ok = FALSE;
        }
    }

  for (guint f = 0; f < NEXUS_IMPORT_N_FIELDS; f++)
    g_free (mapped[f]);
  if (ok && index[NEXUS_IMPORT_FIELD_NAME] < 0)
    {
      g_set_error_literal (error, NEXUS_IMPORT_ERROR, NEXUS_IMPORT_ERROR_NO_NAME,
                           _ ("No column holds the name: map one with --map name=COLUMN"));
      ok = FALSE;
    }
  return ok;
}

static const char *
cell (NexusCsvReader *reader, const int index[NEXUS_IMPORT_N_FIELDS], guint field)
{
  const char *value;

  if (index[field] < 0)
    return NULL;
  value = nexus_csv_reader_get_field (reader, (guint)index[field]);
  return value != NULL && *value != '\0' ? value : NULL;
}

static gboolean
parse_coordinate (const char *text, const char *name, double *out, GError **error)
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

/* One CSV row as a record (validated), or NULL with the reason. */
static NexusLeadInput *
row_to_input (NexusCsvReader           *reader,
              GPtrArray                *headers,
              const int                 index[NEXUS_IMPORT_N_FIELDS],
              const NexusImportOptions *options,
              GError                  **error)
{
  g_autoptr (NexusLeadInput) input = nexus_lead_input_new ();
  g_autoptr (JsonObject) raw = json_object_new ();
  g_autoptr (JsonNode) raw_node = NULL;
  g_autoptr (JsonNode) payload = NULL;
  const char *lat = cell (reader, index, NEXUS_IMPORT_FIELD_LAT);
  const char *lon = cell (reader, index, NEXUS_IMPORT_FIELD_LON);
  const char *phone = cell (reader, index, NEXUS_IMPORT_FIELD_PHONE);
  const char *ref = cell (reader, index, NEXUS_IMPORT_FIELD_REF);

  input->provider = g_strdup (options->source != NULL ? options->source : "import");
  input->name = g_strdup (cell (reader, index, NEXUS_IMPORT_FIELD_NAME));
  input->address = g_strdup (cell (reader, index, NEXUS_IMPORT_FIELD_ADDRESS));
  input->city = g_strdup (cell (reader, index, NEXUS_IMPORT_FIELD_CITY));
  input->category = g_strdup (cell (reader, index, NEXUS_IMPORT_FIELD_CATEGORY));
  input->country = g_strdup (cell (reader, index, NEXUS_IMPORT_FIELD_COUNTRY));
  input->website = g_strdup (cell (reader, index, NEXUS_IMPORT_FIELD_WEBSITE));
  input->email = g_strdup (cell (reader, index, NEXUS_IMPORT_FIELD_EMAIL));
  if (phone != NULL)
    g_ptr_array_add (input->phones, g_strdup (phone));

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
      if (!parse_coordinate (lat, "lat", &input->lat, error) ||
          !parse_coordinate (lon, "lon", &input->lon, error))
        return NULL;
      input->has_location = TRUE;
    }

  for (guint c = 0; c < headers->len; c++)
    {
      const char *value = nexus_csv_reader_get_field (reader, c);

      if (value == NULL)
        break;
      if (g_utf8_validate (value, -1, NULL))
        json_object_set_string_member (raw, g_ptr_array_index (headers, c), value);
    }
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

static gboolean
flush (NexusIngest              *ingest,
       const NexusImportOptions *options,
       GPtrArray                *batch,
       GArray                   *lines,
       NexusImportSummary       *summary,
       GError                  **error)
{
  g_autoptr (NexusIngestReport) report = nexus_ingest_report_new ();
  NexusIngestContext context = { 0 };

  if (batch->len == 0)
    return TRUE;

  context.default_region = options->country;
  if (!nexus_ingest_batch (ingest, &context, batch, report, error))
    return FALSE;

  summary->accepted += report->accepted;
  summary->n_new += report->n_new;
  summary->merged += report->merged;
  summary->preview += report->preview;
  for (guint i = 0; i < report->rejected->len; i++)
    {
      NexusIngestRejection *rejection = &g_array_index (report->rejected, NexusIngestRejection, i);
      summary_reject (summary, g_array_index (lines, guint64, rejection->index), rejection->reason);
    }

  g_ptr_array_set_size (batch, 0);
  g_array_set_size (lines, 0);
  return TRUE;
}

static int
compare_lines (gconstpointer a, gconstpointer b)
{
  const NexusImportRejection *ra = a;
  const NexusImportRejection *rb = b;

  return ra->line < rb->line ? -1 : ra->line > rb->line;
}

/**
 * nexus_import_csv:
 * @ingest: the pipeline of the store to import into
 * @stream: the CSV text (UTF-8, header line first)
 * @options: column map, default country, source name
 * @summary: receives what happened (counts add up over calls)
 * @progress: (nullable) (scope call): called after each committed batch
 * @cancellable: (nullable): checked between batches
 * @error: a %NEXUS_IMPORT_ERROR about the options or header, a
 *   %NEXUS_CSV_ERROR about the file (rows before it are imported), or a
 *   store error
 *
 * Imports every row.  A row the pipeline cannot take (no name, bad
 * coordinates…) is rejected with its line number and the import goes on.
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
  g_autoptr (NexusCsvReader) reader = NULL;
  g_autoptr (GPtrArray) headers = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) batch = g_ptr_array_new_with_free_func (input_free_cb);
  g_autoptr (GArray) lines = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autoptr (GError) local_error = NULL;
  guint    batch_size = options->batch_size > 0 ? options->batch_size : NEXUS_IMPORT_BATCH;
  int      index[NEXUS_IMPORT_N_FIELDS];
  gboolean ok = TRUE;

  g_return_val_if_fail (NEXUS_IS_INGEST (ingest), FALSE);
  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), FALSE);

  if (!nexus_import_check_options (options, error))
    return FALSE;

  reader = nexus_csv_reader_new (stream);
  if (!nexus_csv_reader_next (reader, &local_error))
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error_literal (error, NEXUS_IMPORT_ERROR, NEXUS_IMPORT_ERROR_EMPTY,
                             _ ("The file is empty: a CSV import needs a header line"));
      return FALSE;
    }
  if (!resolve_columns (reader, options->map, index, error))
    return FALSE;
  for (guint c = 0; c < nexus_csv_reader_get_n_fields (reader); c++)
    g_ptr_array_add (headers, g_strstrip (g_strdup (nexus_csv_reader_get_field (reader, c))));

  while (ok)
    {
      g_autoptr (NexusLeadInput) input = NULL;
      g_autoptr (GError) row_error = NULL;
      guint64 line;

      if (!nexus_csv_reader_next (reader, &local_error))
        {
          if (local_error != NULL)
            {
              /* Keep what was read before the broken line. */
              if (!flush (ingest, options, batch, lines, summary, error))
                return FALSE;
              g_propagate_error (error, g_steal_pointer (&local_error));
              ok = FALSE;
            }
          break;
        }

      summary->rows++;
      line = nexus_csv_reader_get_line (reader);
      input = row_to_input (reader, headers, index, options, &row_error);
      if (input == NULL)
        {
          summary_reject (summary, line, row_error->message);
          continue;
        }
      g_ptr_array_add (batch, g_steal_pointer (&input));
      g_array_append_val (lines, line);

      if (batch->len >= batch_size)
        {
          if (!flush (ingest, options, batch, lines, summary, error))
            return FALSE;
          if (progress != NULL)
            progress (summary, nexus_csv_reader_get_bytes_read (reader), user_data);
          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            return FALSE;
        }
    }

  if (ok && !flush (ingest, options, batch, lines, summary, error))
    return FALSE;
  if (ok && progress != NULL)
    progress (summary, nexus_csv_reader_get_bytes_read (reader), user_data);
  g_array_sort (summary->rejections, compare_lines);
  return ok;
}
