/* nexusctl-search.c — nexusctl search … and nexusctl jobs …
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   nexusctl search add --name N --keywords "a,b" (--bbox S,W,N,E |
 *                       --polygon FILE | --place NAME) [--provider P]
 *                       [--country CC] [--language L] [--cell-km K]
 *                       [--max-depth D] [--cadence once|6h|1d] [--priority P]
 *   nexusctl search list|show ID|pause ID|resume ID|cancel ID|rerun ID
 *   nexusctl jobs list [--status S] [--search ID] [--limit N]
 *   nexusctl jobs retry ID
 *
 * Every listing also prints JSON with --json.  Bad input exits with 2 and a
 * one-line reason, before the database is opened for writing: nothing is
 * written.
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>
#include <math.h>

#include "nexus-cli.h"
#include "nexusctl.h"
#include "planner/nexus-geo.h"
#include "providers/nexus-nominatim.h"
#include "queue/nexus-job-queue.h"
#include "queue/nexus-search.h"

/* Text columns wider than this are cut with an ellipsis. */
#define MAX_COLUMN_WIDTH 40

/* The default page of `jobs list`; --limit 0 lists every job. */
#define DEFAULT_JOB_LIMIT 200

/* --- output helpers ----------------------------------------------------- */

/* Columns a string takes on a terminal. */
static guint
display_width (const char *text)
{
  guint width = 0;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iszerowidth (c))
        continue;
      width += g_unichar_iswide (c) ? 2 : 1;
    }
  return width;
}

static char *
clip_text (const char *text, guint max_width)
{
  GString *out;
  guint    width = 0;

  if (text == NULL)
    return g_strdup ("");
  if (display_width (text) <= max_width)
    return g_strdup (text);

  out = g_string_new (NULL);
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      guint    w = g_unichar_iszerowidth (c) ? 0 : (g_unichar_iswide (c) ? 2 : 1);

      if (width + w > max_width - 1)
        break;
      g_string_append_unichar (out, g_unichar_isspace (c) ? ' ' : c);
      width += w;
    }
  g_string_append (out, "…");
  return g_string_free (out, FALSE);
}

/* A table: a header row and rows of cells, printed with aligned columns.
 * Numeric columns (right_align[i]) are aligned to the right. */
typedef struct
{
  GPtrArray *rows; /* of GStrv, the first is the header */
  guint      n_columns;
  gboolean   right_align[16];
} Table;

static void
table_init (Table *table, const char *const *header)
{
  table->rows = g_ptr_array_new_with_free_func ((GDestroyNotify)g_strfreev);
  table->n_columns = g_strv_length ((char **)header);
  g_assert (table->n_columns <= G_N_ELEMENTS (table->right_align));
  memset (table->right_align, 0, sizeof table->right_align);
  g_ptr_array_add (table->rows, g_strdupv ((char **)header));
}

/* Takes the cells, n_columns of them, each clipped to MAX_COLUMN_WIDTH. */
static void
table_add (Table *table, ...)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  va_list       args;

  va_start (args, table);
  for (guint i = 0; i < table->n_columns; i++)
    {
      g_autofree char *cell = va_arg (args, char *);
      g_autofree char *clipped = clip_text (cell, MAX_COLUMN_WIDTH);

      g_strv_builder_add (builder, clipped);
    }
  va_end (args);
  g_ptr_array_add (table->rows, g_strv_builder_end (builder));
  g_strv_builder_unref (builder);
}

static void
table_print (Table *table)
{
  guint widths[16] = { 0 };

  for (guint r = 0; r < table->rows->len; r++)
    {
      char **row = g_ptr_array_index (table->rows, r);

      for (guint c = 0; c < table->n_columns; c++)
        widths[c] = MAX (widths[c], display_width (row[c]));
    }

  for (guint r = 0; r < table->rows->len; r++)
    {
      char   **row = g_ptr_array_index (table->rows, r);
      GString *line = g_string_new (NULL);

      for (guint c = 0; c < table->n_columns; c++)
        {
          guint    pad = widths[c] - display_width (row[c]);
          gboolean last = c + 1 == table->n_columns;

          if (c > 0)
            g_string_append (line, "  ");
          if (table->right_align[c])
            for (guint i = 0; i < pad; i++)
              g_string_append_c (line, ' ');
          g_string_append (line, row[c]);
          if (!table->right_align[c] && !last)
            for (guint i = 0; i < pad; i++)
              g_string_append_c (line, ' ');
        }
      g_print ("%s\n", g_strchomp (line->str));
      g_string_free (line, TRUE);
    }
  g_clear_pointer (&table->rows, g_ptr_array_unref);
}

static char *
format_time (gint64 unix_time)
{
  g_autoptr (GDateTime) time = NULL;

  if (unix_time <= 0)
    return g_strdup ("—");
  time = g_date_time_new_from_unix_local (unix_time);
  if (time == NULL)
    return g_strdup ("?");
  return g_date_time_format (time, "%Y-%m-%d %H:%M");
}

static char *
format_duration (gint64 seconds)
{
  if (seconds < 0)
    return g_strdup (_ ("unknown"));
  if (seconds < 60)
    return g_strdup_printf (_ ("%d s"), (int)seconds);
  if (seconds < 3600)
    return g_strdup_printf (_ ("%d min"), (int)((seconds + 59) / 60));
  if (seconds < 48 * 3600)
    return g_strdup_printf (_ ("%d h %02d min"), (int)(seconds / 3600),
                            (int)((seconds % 3600 + 59) / 60) % 60);
  return g_strdup_printf (_ ("%d days"), (int)((seconds + 86399) / 86400));
}

static char *
format_number (double value, int decimals)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];
  char format[8];

  g_snprintf (format, sizeof format, "%%.%df", decimals);
  return g_strdup (g_ascii_formatd (buffer, sizeof buffer, format, value));
}

static char *
format_cell (const NexusJobRecord *job)
{
  g_autofree char *s = NULL;
  g_autofree char *w = NULL;
  g_autofree char *n = NULL;
  g_autofree char *e = NULL;

  if (!job->has_cell)
    return g_strdup ("—");
  s = format_number (job->cell.south, 4);
  w = format_number (job->cell.west, 4);
  n = format_number (job->cell.north, 4);
  e = format_number (job->cell.east, 4);
  return g_strdup_printf ("%s,%s,%s,%s", s, w, n, e);
}

/* The status as the operator sees it: "failed" for a job waiting for a
 * retry after a failure. */
static const char *
job_status_label (const NexusJobRecord *job)
{
  if (job->status == NEXUS_JOB_QUEUED && job->attempts > 0)
    return "failed";
  return nexus_job_status_to_string (job->status);
}

/* Takes exactly one ID argument after the subcommand. */
static gint64
single_id_argument (const char *command, char **args, int *out_status)
{
  gint64 id;

  if (g_strv_length (args) != 2)
    {
      *out_status =
          nexusctl_bad_input (command, _ ("expected one ID, e.g. “%s %s 3”"), PROGRAM, command);
      return 0;
    }
  id = nexusctl_parse_id (args[1]);
  if (id == 0)
    *out_status =
        nexusctl_bad_input (command, _ ("“%.40s” is not an ID (a positive whole number)"), args[1]);
  return id;
}

static JsonNode *
progress_to_json (const NexusSearchProgress *progress, gint64 eta)
{
  g_autoptr (JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
#define MEMBER(name, value) nexusctl_json_int (builder, name, value)
  MEMBER ("run", progress->run);
  MEMBER ("planned", progress->planned);
  MEMBER ("queued", progress->queued);
  MEMBER ("leased", progress->leased);
  MEMBER ("done", progress->done);
  MEMBER ("failed", progress->failed);
  MEMBER ("dead", progress->dead);
  MEMBER ("capped", progress->capped);
  MEMBER ("paused", progress->paused);
  MEMBER ("cancelled", progress->cancelled);
  MEMBER ("leads_found", progress->leads_found);
  MEMBER ("leads_new", progress->leads_new);
#undef MEMBER
  json_builder_set_member_name (builder, "eta_s");
  if (eta >= 0)
    json_builder_add_int_value (builder, eta);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static JsonNode *
search_to_json (const NexusSearchRecord   *search,
                const NexusSearchProgress *progress,
                gint64                     eta,
                gboolean                   with_region)
{
  g_autoptr (JsonBuilder) builder = json_builder_new_immutable ();
  g_autofree char *cadence = nexus_search_format_cadence (search->cadence_s);

  json_builder_begin_object (builder);
  nexusctl_json_int (builder, "id", search->id);
  nexusctl_json_string_or_null (builder, "name", search->name);
  json_builder_set_member_name (builder, "keywords");
  json_builder_begin_array (builder);
  for (guint i = 0; search->keywords[i] != NULL; i++)
    json_builder_add_string_value (builder, search->keywords[i]);
  json_builder_end_array (builder);
  nexusctl_json_string_or_null (builder, "state", nexus_search_state_to_string (search->state));
  nexusctl_json_string_or_null (builder, "region_kind", search->region_kind);
  if (with_region)
    {
      json_builder_set_member_name (builder, "region");
      json_builder_add_value (builder, json_from_string (search->region, NULL));
    }
  nexusctl_json_string_or_null (builder, "place_name", search->place_name);
  nexusctl_json_string_or_null (builder, "place_display", search->place_display);
  nexusctl_json_string_or_null (builder, "provider", search->provider);
  nexusctl_json_string_or_null (builder, "country", search->country);
  nexusctl_json_string_or_null (builder, "language", search->language);
  nexusctl_json_string_or_null (builder, "cadence", cadence);
  nexusctl_json_int (builder, "cadence_s", search->cadence_s);
  nexusctl_json_double (builder, "cell_km", search->cell_km);
  nexusctl_json_int (builder, "max_depth", search->max_depth);
  nexusctl_json_int (builder, "priority", search->priority);
  nexusctl_json_int (builder, "run", search->run);
  nexusctl_json_positive_or_null (builder, "last_run_at", search->last_run_at);
  nexusctl_json_positive_or_null (builder, "next_run_at", search->next_run_at);
  nexusctl_json_positive_or_null (builder, "created_at", search->created_at);
  json_builder_set_member_name (builder, "progress");
  json_builder_add_value (builder, progress_to_json (progress, eta));
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static JsonNode *
job_to_json (const NexusJobRecord *job)
{
  g_autoptr (JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  nexusctl_json_int (builder, "id", job->id);
  nexusctl_json_positive_or_null (builder, "search_id", job->search_id);
  nexusctl_json_int (builder, "run", job->run);
  nexusctl_json_string_or_null (builder, "kind", job->kind);
  nexusctl_json_string_or_null (builder, "status", nexus_job_status_to_string (job->status));
  nexusctl_json_boolean (builder, "failed", job->status == NEXUS_JOB_QUEUED && job->attempts > 0);
  nexusctl_json_int (builder, "priority", job->priority);
  nexusctl_json_string_or_null (builder, "provider", job->provider);
  nexusctl_json_string_or_null (builder, "keyword", job->keyword);
  json_builder_set_member_name (builder, "cell");
  if (job->has_cell)
    {
      json_builder_begin_object (builder);
      nexusctl_json_double (builder, "south", job->cell.south);
      nexusctl_json_double (builder, "west", job->cell.west);
      nexusctl_json_double (builder, "north", job->cell.north);
      nexusctl_json_double (builder, "east", job->cell.east);
      json_builder_end_object (builder);
    }
  else
    json_builder_add_null_value (builder);
  nexusctl_json_int (builder, "depth", job->depth);
  nexusctl_json_positive_or_null (builder, "parent_id", job->parent_id);
  nexusctl_json_int (builder, "attempts", job->attempts);
  nexusctl_json_int (builder, "max_attempts", job->max_attempts);
  nexusctl_json_int (builder, "run_after", job->run_after);
  nexusctl_json_positive_or_null (builder, "lease_expires_at", job->lease_expires_at);
  nexusctl_json_string_or_null (builder, "last_error", job->last_error);
  nexusctl_json_boolean (builder, "saturated", job->saturated);
  nexusctl_json_boolean (builder, "capped", job->capped);
  nexusctl_json_int (builder, "result_count", job->result_count);
  nexusctl_json_positive_or_null (builder, "created_at", job->created_at);
  nexusctl_json_positive_or_null (builder, "finished_at", job->finished_at);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static JsonNode *
plan_to_json (const NexusRunPlan *plan)
{
  g_autoptr (JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  nexusctl_json_int (builder, "id", plan->search_id);
  nexusctl_json_int (builder, "run", plan->run);
  nexusctl_json_int (builder, "cells", plan->n_cells);
  nexusctl_json_int (builder, "jobs_planned", plan->n_jobs);
  nexusctl_json_int (builder, "jobs_still_pending", plan->n_skipped);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* Opens the store and a queue over it; reports a failure and returns NULL. */
static NexusJobQueue *
open_queue (NexusCtl *ctl, int *out_status)
{
  g_autoptr (NexusStore) store = nexusctl_open_store_or_fail (ctl, out_status);

  return store != NULL ? nexus_job_queue_new (store) : NULL;
}

/* Parses `COMMAND ID` with --db (and --json when @as_json is not NULL), then
 * opens the queue; NULL after reporting what went wrong in @out_status. */
static NexusJobQueue *
open_for_id (NexusCtl   *ctl,
             const char *command,
             const char *summary,
             gboolean   *as_json,
             char      **args,
             gint64     *out_id,
             int        *out_status)
{
  g_autoptr (GOptionContext) context = g_option_context_new (_ ("ID"));
  GOptionEntry entries[] = { { "json", 0, 0, G_OPTION_ARG_NONE, as_json, N_ ("Print JSON"), NULL },
                             { "db", 0, 0, G_OPTION_ARG_FILENAME, &ctl->db_path,
                               N_ ("Database file"), N_ ("PATH") },
                             { NULL } };

  if ((*out_status = nexusctl_parse (context, command, summary,
                                     as_json != NULL ? entries : entries + 1, &args)) >= 0)
    return NULL;
  if ((*out_id = single_id_argument (command, args, out_status)) == 0)
    return NULL;
  return open_queue (ctl, out_status);
}

/* Exit status for an error from the queue: the operator's mistake (2) or
 * a failure (1). */
static int
report_error (const char *command, const GError *error)
{
  if (error->domain == NEXUS_SEARCH_ERROR || error->domain == NEXUS_GEO_ERROR ||
      g_error_matches (error, NEXUS_QUEUE_ERROR, NEXUS_QUEUE_ERROR_INVALID))
    return nexusctl_bad_input (command, "%s", error->message);
  return nexusctl_fail (error);
}

/* --- search add --------------------------------------------------------- */

static gboolean
parse_double_option (const char *command,
                     const char *option,
                     const char *text,
                     double     *out_value,
                     int        *out_status)
{
  char  *end = NULL;
  double value;

  value = g_ascii_strtod (text, &end);
  if (*text == '\0' || end == NULL || *end != '\0' || !isfinite (value))
    {
      *out_status = nexusctl_bad_input (command, _ ("%s “%.20s” is not a number"), option, text);
      return FALSE;
    }
  *out_value = value;
  return TRUE;
}

static gboolean
parse_int_option (const char *command,
                  const char *option,
                  const char *text,
                  int         min,
                  int         max,
                  int        *out_value,
                  int        *out_status)
{
  gint64 value = 0;

  if (!g_ascii_string_to_signed (text, 10, min, max, &value, NULL))
    {
      *out_status = nexusctl_bad_input (
          command, _ ("%s “%.20s” is not a whole number from %d to %d"), option, text, min, max);
      return FALSE;
    }
  *out_value = (int)value;
  return TRUE;
}

static int
search_add (NexusCtl *ctl, char **args)
{
  static const char command[] = "search add";
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (NexusSearchSpec) spec = nexus_search_spec_new ();
  g_autoptr (NexusJobQueue) queue = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *keywords = NULL;
  g_autofree char *bbox = NULL;
  g_autofree char *polygon = NULL;
  g_autofree char *place = NULL;
  g_autofree char *provider = NULL;
  g_autofree char *country = NULL;
  g_autofree char *language = NULL;
  g_autofree char *cell_km = NULL;
  g_autofree char *max_depth = NULL;
  g_autofree char *cadence = NULL;
  g_autofree char *priority = NULL;
  NexusRunPlan     plan = { 0 };
  gboolean         as_json = FALSE;
  guint            n_regions;
  int              status;
  GOptionEntry     entries[] = {
        { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_ ("Name of the search"), N_ ("NAME") },
        { "keywords", 0, 0, G_OPTION_ARG_STRING, &keywords, N_ ("Keywords, separated by commas"),
          N_ ("A,B") },
        { "bbox", 0, 0, G_OPTION_ARG_STRING, &bbox, N_ ("Region as a box in degrees"), N_ ("S,W,N,E") },
        { "polygon", 0, 0, G_OPTION_ARG_FILENAME, &polygon,
          N_ ("Region as a GeoJSON Polygon or MultiPolygon file"), N_ ("FILE") },
        { "place", 0, 0, G_OPTION_ARG_STRING, &place,
          N_ ("Region as a place name, resolved once through Nominatim"), N_ ("NAME") },
        { "provider", 0, 0, G_OPTION_ARG_STRING, &provider, N_ ("Places provider (default overpass)"),
          N_ ("PROVIDER") },
        { "country", 0, 0, G_OPTION_ARG_STRING, &country,
          N_ ("ISO country code: the default region of phone numbers"), N_ ("CC") },
        { "language", 0, 0, G_OPTION_ARG_STRING, &language, N_ ("Language of results, e.g. ar"),
          N_ ("LANG") },
        { "cell-km", 0, 0, G_OPTION_ARG_STRING, &cell_km, N_ ("Initial cell size (default 2)"),
          N_ ("KM") },
        { "max-depth", 0, 0, G_OPTION_ARG_STRING, &max_depth,
          N_ ("How often a saturated cell may be split (default 4)"), N_ ("D") },
        { "cadence", 0, 0, G_OPTION_ARG_STRING, &cadence, N_ ("once, or every N hours/days: 6h, 1d"),
          N_ ("CADENCE") },
        { "priority", 0, 0, G_OPTION_ARG_STRING, &priority, N_ ("Higher runs first (default 0)"),
          N_ ("P") },
        { "json", 0, 0, G_OPTION_ARG_NONE, &as_json, N_ ("Print JSON"), NULL },
        { "db", 0, 0, G_OPTION_ARG_FILENAME, &ctl->db_path, N_ ("Database file"), N_ ("PATH") },
        { NULL }
  };

  context = g_option_context_new (NULL);
  if ((status = nexusctl_parse (context, command,
                                _ ("Adds a search and plans its jobs. Prints the new search’s id "
                                   "and the number of jobs planned."),
                                entries, &args)) >= 0)
    return status;
  if (g_strv_length (args) > 1)
    return nexusctl_bad_input (command, _ ("unexpected argument “%.40s”"), args[1]);

  /* Everything the operator typed is checked before the database is
   * opened, and the place is resolved only once the rest is known good. */
  if (name == NULL)
    return nexusctl_bad_input (command, _ ("give the search a name with --name"));
  spec->name = g_strstrip (g_strdup (name));
  if (*spec->name == '\0')
    return nexusctl_bad_input (command, _ ("the name is empty"));

  if (keywords == NULL)
    return nexusctl_bad_input (command, _ ("give keywords with --keywords \"a,b\""));
  if (!(spec->keywords = nexus_search_parse_keywords (keywords, &error)))
    return nexusctl_bad_input (command, "%s", error->message);

  n_regions = (bbox != NULL) + (polygon != NULL) + (place != NULL);
  if (n_regions == 0)
    return nexusctl_bad_input (command,
                               _ ("give a region: --bbox S,W,N,E, --polygon FILE or --place NAME"));
  if (n_regions > 1)
    return nexusctl_bad_input (command, _ ("give only one of --bbox, --polygon and --place"));

  if (provider != NULL)
    {
      g_free (spec->provider);
      spec->provider = g_strdup (provider);
    }
  if (!nexus_search_is_provider (spec->provider))
    {
      g_autofree char *known = g_strjoinv (", ", (char **)nexus_search_get_providers ());
      return nexusctl_bad_input (command, _ ("unknown provider “%.40s” (known: %s)"),
                                 spec->provider, known);
    }
  if (country != NULL && !(spec->country = nexus_search_parse_country (country, &error)))
    return nexusctl_bad_input (command, "%s", error->message);
  if (language != NULL && !(spec->language = nexus_search_parse_language (language, &error)))
    return nexusctl_bad_input (command, "%s", error->message);
  if (cadence != NULL && !nexus_search_parse_cadence (cadence, &spec->cadence_s, &error))
    return nexusctl_bad_input (command, "%s", error->message);
  if (cell_km != NULL &&
      !parse_double_option (command, "--cell-km", cell_km, &spec->cell_km, &status))
    return status;
  if (max_depth != NULL && !parse_int_option (command, "--max-depth", max_depth, 0,
                                              NEXUS_SEARCH_MAX_DEPTH, &spec->max_depth, &status))
    return status;
  if (priority != NULL &&
      !parse_int_option (command, "--priority", priority, -NEXUS_SEARCH_MAX_PRIORITY,
                         NEXUS_SEARCH_MAX_PRIORITY, &spec->priority, &status))
    return status;
  if (spec->cell_km < NEXUS_SEARCH_MIN_CELL_KM || spec->cell_km > NEXUS_SEARCH_MAX_CELL_KM)
    return nexusctl_bad_input (command, _ ("--cell-km must lie between %g and %g"),
                               NEXUS_SEARCH_MIN_CELL_KM, NEXUS_SEARCH_MAX_CELL_KM);

  if (bbox != NULL)
    {
      NexusBBox box;

      if (!nexus_bbox_parse (bbox, &box, &error))
        return nexusctl_bad_input (command, _ ("--bbox: %s"), error->message);
      spec->region = nexus_region_new_bbox (&box);
      spec->region_kind = g_strdup ("bbox");
    }
  else if (polygon != NULL)
    {
      g_autofree char *contents = NULL;
      g_autofree char *display = g_filename_display_name (polygon);
      g_autoptr (NexusGeometry) geometry = NULL;
      gsize length = 0;

      if (!g_file_get_contents (polygon, &contents, &length, &error))
        return nexusctl_bad_input (command, _ ("cannot read the polygon file: %s"), error->message);
      geometry = nexus_geometry_new_from_text (contents, (gssize)length, &error);
      if (geometry == NULL)
        return nexusctl_bad_input (command, _ ("“%s” is not a usable GeoJSON polygon: %s"), display,
                                   error->message);
      spec->region = nexus_region_new_polygon (geometry);
      spec->region_kind = g_strdup ("polygon");
    }

  /* For --place the region comes later: check the rest against a stand-in
   * box, so that no request is made for a search that would be refused. */
  {
    const NexusBBox stand_in = { 0.0, 0.0, 1.0, 1.0 };
    gboolean        use_stand_in = spec->region == NULL;
    gboolean        valid;

    if (use_stand_in)
      {
        spec->region = nexus_region_new_bbox (&stand_in);
        spec->region_kind = g_strdup ("place");
      }
    valid = nexus_search_spec_validate (spec, &error);
    if (use_stand_in)
      {
        g_clear_pointer (&spec->region, nexus_region_free);
        g_clear_pointer (&spec->region_kind, g_free);
      }
    if (!valid)
      return nexusctl_bad_input (command, "%s", error->message);
  }

  queue = open_queue (ctl, &status);
  if (queue == NULL)
    return status;

  if (place != NULL)
    {
      g_autoptr (NexusPlace) resolved = NULL;

      resolved = nexus_nominatim_resolve (nexus_job_queue_get_store (queue), place, NULL, &error);
      if (resolved == NULL)
        {
          if (g_error_matches (error, NEXUS_NOMINATIM_ERROR, NEXUS_NOMINATIM_ERROR_NOT_FOUND) ||
              g_error_matches (error, NEXUS_NOMINATIM_ERROR, NEXUS_NOMINATIM_ERROR_NO_AREA) ||
              g_error_matches (error, NEXUS_NOMINATIM_ERROR, NEXUS_NOMINATIM_ERROR_INVALID))
            return nexusctl_bad_input (command, "--place: %s", error->message);
          return nexusctl_fail (error);
        }
      spec->region = g_steal_pointer (&resolved->region);
      spec->region_kind = g_strdup ("place");
      spec->place_name = g_strdup (place);
      spec->place_display = g_strdup (resolved->display_name);
      spec->place_cache = g_steal_pointer (&resolved->fresh);
    }

  if (!nexus_job_queue_add_search (queue, spec, &plan, &error))
    return report_error (command, error);

  if (as_json)
    {
      g_autoptr (JsonNode) root = plan_to_json (&plan);
      nexusctl_print_json (root);
    }
  else
    {
      guint n_keywords = g_strv_length (spec->keywords);

      g_print (g_dngettext (GETTEXT_PACKAGE, "Added search %" PRId64 ": %u job planned",
                            "Added search %" PRId64 ": %u jobs planned", plan.n_jobs),
               plan.search_id, plan.n_jobs);
      g_print (" ");
      g_print (g_dngettext (GETTEXT_PACKAGE, "(%u cell", "(%u cells", plan.n_cells), plan.n_cells);
      g_print (g_dngettext (GETTEXT_PACKAGE, " × %u keyword)\n", " × %u keywords)\n", n_keywords),
               n_keywords);
      if (spec->place_display != NULL)
        g_print (_ ("Place: %s\n"), spec->place_display);
    }
  return NEXUS_EXIT_OK;
}

/* --- search list / show ------------------------------------------------- */

static char *
describe_region (const NexusSearchRecord *search)
{
  g_autoptr (NexusRegion) region = nexus_region_new_from_json (search->region, NULL);
  g_autofree char *box = NULL;

  if (region != NULL)
    {
      g_autofree char *s = format_number (region->bbox.south, 4);
      g_autofree char *w = format_number (region->bbox.west, 4);
      g_autofree char *n = format_number (region->bbox.north, 4);
      g_autofree char *e = format_number (region->bbox.east, 4);

      box = g_strdup_printf ("%s,%s,%s,%s", s, w, n, e);
    }
  else
    box = g_strdup ("?");

  if (g_strcmp0 (search->region_kind, "place") == 0)
    return g_strdup_printf (_ ("place “%s” (%s)"),
                            search->place_name != NULL ? search->place_name : "?", box);
  if (g_strcmp0 (search->region_kind, "polygon") == 0)
    return g_strdup_printf (_ ("polygon (%s)"), box);
  return g_strdup_printf (_ ("box %s"), box);
}

static int
search_list (NexusCtl *ctl, char **args)
{
  static const char        command[] = "search list";
  static const char *const header[] = { N_ ("ID"),
                                        N_ ("NAME"),
                                        N_ ("STATE"),
                                        N_ ("PROVIDER"),
                                        N_ ("KEYWORDS"),
                                        N_ ("CADENCE"),
                                        N_ ("CELLS DONE"),
                                        N_ ("NEW LEADS"),
                                        N_ ("PLACES"),
                                        N_ ("NEXT RUN"),
                                        NULL };
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (NexusJobQueue) queue = NULL;
  g_autoptr (GPtrArray) searches = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonBuilder) builder = NULL;
  gboolean     as_json = FALSE;
  const char  *translated[G_N_ELEMENTS (header)];
  Table        table;
  gint64       now = g_get_real_time () / G_USEC_PER_SEC;
  int          status;
  GOptionEntry entries[] = { { "json", 0, 0, G_OPTION_ARG_NONE, &as_json, N_ ("Print JSON"), NULL },
                             { "db", 0, 0, G_OPTION_ARG_FILENAME, &ctl->db_path,
                               N_ ("Database file"), N_ ("PATH") },
                             { NULL } };

  context = g_option_context_new (NULL);
  if ((status = nexusctl_parse (context, command, _ ("Lists the searches with their progress."),
                                entries, &args)) >= 0)
    return status;
  if (g_strv_length (args) > 1)
    return nexusctl_bad_input (command, _ ("unexpected argument “%.40s”"), args[1]);

  if (!(queue = open_queue (ctl, &status)))
    return status;
  searches = nexus_store_search_list (nexus_job_queue_get_store (queue), &error);
  if (searches == NULL)
    return nexusctl_fail (error);

  for (guint i = 0; i < G_N_ELEMENTS (header); i++)
    translated[i] = header[i] != NULL ? _ (header[i]) : NULL;
  table_init (&table, translated);
  table.right_align[0] = table.right_align[6] = table.right_align[7] = TRUE;
  table.right_align[8] = TRUE;
  builder = json_builder_new_immutable ();
  json_builder_begin_array (builder);

  for (guint i = 0; i < searches->len; i++)
    {
      NexusSearchRecord  *search = g_ptr_array_index (searches, i);
      NexusSearchProgress progress = { 0 };
      gint64              eta;

      if (!nexus_store_search_progress (nexus_job_queue_get_store (queue), search->id, &progress,
                                        &error))
        return nexusctl_fail (error);
      eta = nexus_search_progress_eta (&progress, now);

      if (as_json)
        {
          json_builder_add_value (builder, search_to_json (search, &progress, eta, FALSE));
          continue;
        }
      table_add (
          &table, g_strdup_printf ("%" PRId64, search->id), g_strdup (search->name),
          g_strdup (nexus_search_state_to_string (search->state)), g_strdup (search->provider),
          g_strjoinv (", ", search->keywords), nexus_search_format_cadence (search->cadence_s),
          g_strdup_printf ("%" PRId64 "/%" PRId64, progress.done + progress.dead, progress.planned),
          g_strdup_printf ("%" PRId64, progress.leads_new),
          g_strdup_printf ("%" PRId64, progress.leads_found), format_time (search->next_run_at));
    }
  json_builder_end_array (builder);

  if (as_json)
    {
      g_autoptr (JsonNode) root = json_builder_get_root (builder);
      nexusctl_print_json (root);
      g_clear_pointer (&table.rows, g_ptr_array_unref);
      return NEXUS_EXIT_OK;
    }
  if (searches->len == 0)
    {
      g_clear_pointer (&table.rows, g_ptr_array_unref);
      g_print (_ ("No searches yet. Add one with “%s search add”.\n"), PROGRAM);
      return NEXUS_EXIT_OK;
    }
  table_print (&table);
  return NEXUS_EXIT_OK;
}

static int
search_show (NexusCtl *ctl, char **args)
{
  static const char command[] = "search show";
  g_autoptr (NexusJobQueue) queue = NULL;
  g_autoptr (NexusSearchRecord) search = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char    *region = NULL;
  g_autofree char    *cadence = NULL;
  g_autofree char    *next_run = NULL;
  g_autofree char    *last_run = NULL;
  g_autofree char    *eta_text = NULL;
  g_autofree char    *keywords = NULL;
  NexusSearchProgress progress = { 0 };
  gboolean            as_json = FALSE;
  gint64              now = g_get_real_time () / G_USEC_PER_SEC;
  gint64              id;
  gint64              eta;
  int                 status = 0;

  if (!(queue = open_for_id (ctl, command,
                             _ ("Shows a search and its progress: cells planned, done, failed, "
                                "dead and capped, leads found and the time left."),
                             &as_json, args, &id, &status)))
    return status;
  search = nexus_store_search_get (nexus_job_queue_get_store (queue), id, &error);
  if (search == NULL)
    return nexus_cli_fail (PROGRAM, "%s",
                           error != NULL ? error->message : _ ("There is no such search"));
  if (!nexus_store_search_progress (nexus_job_queue_get_store (queue), id, &progress, &error))
    return nexusctl_fail (error);
  eta = nexus_search_progress_eta (&progress, now);

  if (as_json)
    {
      g_autoptr (JsonNode) root = search_to_json (search, &progress, eta, TRUE);
      nexusctl_print_json (root);
      return NEXUS_EXIT_OK;
    }

  region = describe_region (search);
  cadence = nexus_search_format_cadence (search->cadence_s);
  next_run = format_time (search->next_run_at);
  last_run = format_time (search->last_run_at);
  eta_text = eta == 0 ? g_strdup (_ ("finished")) : format_duration (eta);
  keywords = g_strjoinv (", ", search->keywords);

  g_print (_ ("Search %" PRId64 ": %s\n"), search->id, search->name);
  g_print ("  %-10s %s\n", _ ("State:"), nexus_search_state_to_string (search->state));
  g_print ("  %-10s %s\n", _ ("Keywords:"), keywords);
  g_print ("  %-10s %s\n", _ ("Region:"), region);
  if (search->place_display != NULL)
    g_print ("  %-10s %s\n", _ ("Place:"), search->place_display);
  g_print ("  %-10s %s", _ ("Provider:"), search->provider);
  if (search->country != NULL)
    g_print (_ (", country %s"), search->country);
  if (search->language != NULL)
    g_print (_ (", language %s"), search->language);
  g_print ("\n");
  g_print (_ ("  %-10s %g km, split up to depth %d, priority %d\n"), _ ("Cells:"), search->cell_km,
           search->max_depth, search->priority);
  g_print (_ ("  %-10s %s; run %" PRId64 " started %s; next run %s\n"), _ ("Cadence:"), cadence,
           search->run, last_run, next_run);
  g_print ("\n");
  g_print (_ ("  Progress of run %" PRId64 ":\n"), progress.run);
  g_print ("    %-10s %8" PRId64 "\n", _ ("planned"), progress.planned);
  g_print ("    %-10s %8" PRId64 "\n", _ ("done"), progress.done);
  g_print ("    %-10s %8" PRId64 "\n", _ ("failed"), progress.failed);
  g_print ("    %-10s %8" PRId64 "\n", _ ("dead"), progress.dead);
  g_print ("    %-10s %8" PRId64 "\n", _ ("capped"), progress.capped);
  g_print ("    %-10s %8" PRId64 "\n", _ ("leased"), progress.leased);
  g_print ("    %-10s %8" PRId64 "\n", _ ("queued"), progress.queued);
  if (progress.paused > 0)
    g_print ("    %-10s %8" PRId64 "\n", _ ("paused"), progress.paused);
  if (progress.cancelled > 0)
    g_print ("    %-10s %8" PRId64 "\n", _ ("cancelled"), progress.cancelled);
  /* Translators: the leads the search added to the vault or the preview
   * pool, then the places its workers reported, each sighting counted
   * (keep them short: a column of labels). */
  g_print ("  %-10s %" PRId64 "\n", _ ("New leads:"), progress.leads_new);
  g_print ("  %-10s %" PRId64 "\n", _ ("Places:"), progress.leads_found);
  g_print ("  %-10s %s\n", _ ("ETA:"), eta_text);
  return NEXUS_EXIT_OK;
}

/* --- search pause / resume / cancel / rerun ----------------------------- */

typedef enum
{
  CHANGE_PAUSE,
  CHANGE_RESUME,
  CHANGE_CANCEL,
} StateChange;

static int
search_change (NexusCtl *ctl, char **args, StateChange change)
{
  static const char *const commands[] = { "search pause", "search resume", "search cancel" };
  const char              *command = commands[change];
  g_autoptr (NexusJobQueue) queue = NULL;
  g_autoptr (GError) error = NULL;
  const char *summary;
  gboolean    ok = FALSE;
  gint64      id;
  int         status = 0;

  switch (change)
    {
      case CHANGE_PAUSE:
        summary = _ ("Pauses a search: its queued jobs wait until it is resumed.");
        break;
      case CHANGE_RESUME:
        summary = _ ("Resumes a paused search.");
        break;
      case CHANGE_CANCEL:
      default:
        summary = _ ("Cancels a search and every job of it not finished yet.");
        break;
    }

  if (!(queue = open_for_id (ctl, command, summary, NULL, args, &id, &status)))
    return status;

  switch (change)
    {
      case CHANGE_PAUSE:
        if ((ok = nexus_job_queue_pause_search (queue, id, &error)))
          g_print (_ ("Search %" PRId64 " paused.\n"), id);
        break;
      case CHANGE_RESUME:
        if ((ok = nexus_job_queue_resume_search (queue, id, &error)))
          g_print (_ ("Search %" PRId64 " resumed.\n"), id);
        break;
      case CHANGE_CANCEL:
      default:
        if ((ok = nexus_job_queue_cancel_search (queue, id, &error)))
          g_print (_ ("Search %" PRId64 " cancelled.\n"), id);
        break;
    }
  if (!ok)
    return report_error (command, error);
  return NEXUS_EXIT_OK;
}

static int
search_pause (NexusCtl *ctl, char **args)
{
  return search_change (ctl, args, CHANGE_PAUSE);
}

static int
search_resume (NexusCtl *ctl, char **args)
{
  return search_change (ctl, args, CHANGE_RESUME);
}

static int
search_cancel (NexusCtl *ctl, char **args)
{
  return search_change (ctl, args, CHANGE_CANCEL);
}

static int
search_rerun (NexusCtl *ctl, char **args)
{
  static const char command[] = "search rerun";
  g_autoptr (NexusJobQueue) queue = NULL;
  g_autoptr (GError) error = NULL;
  NexusRunPlan plan = { 0 };
  gboolean     as_json = FALSE;
  gint64       id;
  int          status = 0;

  if (!(queue = open_for_id (ctl, command,
                             _ ("Starts a new run of a search now; cells still pending from "
                                "an earlier run are not queued twice."),
                             &as_json, args, &id, &status)))
    return status;
  if (!nexus_job_queue_rerun_search (queue, id, &plan, &error))
    return report_error (command, error);

  if (as_json)
    {
      g_autoptr (JsonNode) root = plan_to_json (&plan);
      nexusctl_print_json (root);
      return NEXUS_EXIT_OK;
    }
  g_print (_ ("Search %" PRId64 ": run %" PRId64 " started, %u jobs planned, "
              "%u still pending from earlier runs.\n"),
           plan.search_id, plan.run, plan.n_jobs, plan.n_skipped);
  return NEXUS_EXIT_OK;
}

/* --- jobs list / retry -------------------------------------------------- */

static int
jobs_list (NexusCtl *ctl, char **args)
{
  static const char        command[] = "jobs list";
  static const char *const header[] = { N_ ("ID"),           N_ ("SEARCH"),     N_ ("RUN"),
                                        N_ ("STATUS"),       N_ ("KEYWORD"),    N_ ("DEPTH"),
                                        N_ ("CELL S,W,N,E"), N_ ("TRIES"),      N_ ("RESULTS"),
                                        N_ ("RUN AFTER"),    N_ ("LAST ERROR"), NULL };
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (NexusJobQueue) queue = NULL;
  g_autoptr (GPtrArray) jobs = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *status_name = NULL;
  g_autofree char *search_text = NULL;
  g_autofree char *limit_text = NULL;
  NexusJobFilter   filter = { 0 };
  NexusJobStatus   parsed;
  gboolean         as_json = FALSE;
  const char      *translated[G_N_ELEMENTS (header)];
  guint64          limit = DEFAULT_JOB_LIMIT;
  Table            table;
  int              status;
  GOptionEntry     entries[] = {
        { "status", 0, 0, G_OPTION_ARG_STRING, &status_name,
          N_ ("Only jobs in this state: queued, leased, done, failed, dead, paused, cancelled"),
          N_ ("S") },
        { "search", 0, 0, G_OPTION_ARG_STRING, &search_text, N_ ("Only jobs of this search"),
          N_ ("ID") },
        { "limit", 0, 0, G_OPTION_ARG_STRING, &limit_text,
          N_ ("List at most N jobs (default 200; 0 for all)"), N_ ("N") },
        { "json", 0, 0, G_OPTION_ARG_NONE, &as_json, N_ ("Print JSON"), NULL },
        { "db", 0, 0, G_OPTION_ARG_FILENAME, &ctl->db_path, N_ ("Database file"), N_ ("PATH") },
        { NULL }
  };

  context = g_option_context_new (NULL);
  if ((status =
           nexusctl_parse (context, command, _ ("Lists jobs, oldest first."), entries, &args)) >= 0)
    return status;
  if (g_strv_length (args) > 1)
    return nexusctl_bad_input (command, _ ("unexpected argument “%.40s”"), args[1]);

  if (status_name != NULL && !g_str_equal (status_name, "failed") &&
      !nexus_job_status_from_string (status_name, &parsed))
    return nexusctl_bad_input (
        command,
        _ ("unknown status “%.20s” (queued, leased, done, failed, dead, paused, "
           "cancelled)"),
        status_name);
  if (search_text != NULL && (filter.search_id = nexusctl_parse_id (search_text)) == 0)
    return nexusctl_bad_input (command, _ ("--search “%.20s” is not a search ID"), search_text);
  if (limit_text != NULL &&
      !g_ascii_string_to_unsigned (limit_text, 10, 0, G_MAXUINT, &limit, NULL))
    return nexusctl_bad_input (command, _ ("--limit “%.20s” is not a whole number"), limit_text);
  filter.status = status_name;
  filter.limit = (guint)limit;

  if (!(queue = open_queue (ctl, &status)))
    return status;
  jobs = nexus_store_job_list (nexus_job_queue_get_store (queue), &filter, &error);
  if (jobs == NULL)
    return nexusctl_fail (error);

  if (as_json)
    {
      g_autoptr (JsonBuilder) builder = json_builder_new_immutable ();
      g_autoptr (JsonNode) root = NULL;

      json_builder_begin_array (builder);
      for (guint i = 0; i < jobs->len; i++)
        json_builder_add_value (builder, job_to_json (g_ptr_array_index (jobs, i)));
      json_builder_end_array (builder);
      root = json_builder_get_root (builder);
      nexusctl_print_json (root);
      return NEXUS_EXIT_OK;
    }

  if (jobs->len == 0)
    {
      g_print (_ ("No jobs match.\n"));
      return NEXUS_EXIT_OK;
    }

  for (guint i = 0; i < G_N_ELEMENTS (header); i++)
    translated[i] = header[i] != NULL ? _ (header[i]) : NULL;
  table_init (&table, translated);
  table.right_align[0] = table.right_align[1] = table.right_align[2] = TRUE;
  table.right_align[5] = table.right_align[7] = table.right_align[8] = TRUE;
  for (guint i = 0; i < jobs->len; i++)
    {
      NexusJobRecord *job = g_ptr_array_index (jobs, i);

      table_add (&table, g_strdup_printf ("%" PRId64, job->id),
                 job->search_id > 0 ? g_strdup_printf ("%" PRId64, job->search_id) : g_strdup ("—"),
                 g_strdup_printf ("%" PRId64, job->run), g_strdup (job_status_label (job)),
                 g_strdup (job->keyword != NULL ? job->keyword : job->kind),
                 g_strdup_printf ("%d", job->depth), format_cell (job),
                 g_strdup_printf ("%d/%d", job->attempts, job->max_attempts),
                 g_strdup_printf ("%" PRId64, job->result_count),
                 job->status == NEXUS_JOB_QUEUED ? format_time (job->run_after) : g_strdup ("—"),
                 g_strdup (job->last_error != NULL ? job->last_error : ""));
    }
  table_print (&table);
  if (limit > 0 && jobs->len == limit)
    g_print (_ ("(first %u jobs; use --limit to see more)\n"), (guint)limit);
  return NEXUS_EXIT_OK;
}

static int
jobs_retry (NexusCtl *ctl, char **args)
{
  static const char command[] = "jobs retry";
  g_autoptr (NexusJobQueue) queue = NULL;
  g_autoptr (GError) error = NULL;
  NexusJobStatus now_status = NEXUS_JOB_QUEUED;
  gint64         id;
  int            status = 0;

  if (!(queue = open_for_id (ctl, command,
                             _ ("Queues a dead job again with all its attempts, or a job "
                                "waiting for a retry at once."),
                             NULL, args, &id, &status)))
    return status;
  if (!nexus_job_queue_retry (queue, id, &now_status, &error))
    return report_error (command, error);
  g_print (_ ("Job %" PRId64 " is %s again.\n"), id, nexus_job_status_to_string (now_status));
  return NEXUS_EXIT_OK;
}

/* --- dispatch ----------------------------------------------------------- */

static const NexusCtlSubcommand search_commands[] = {
  { "add", N_ ("Add a search and plan its jobs"), search_add },
  { "list", N_ ("List searches with their progress"), search_list },
  { "show", N_ ("Show a search and its progress"), search_show },
  { "pause", N_ ("Pause a search"), search_pause },
  { "resume", N_ ("Resume a paused search"), search_resume },
  { "cancel", N_ ("Cancel a search and its pending jobs"), search_cancel },
  { "rerun", N_ ("Start a new run of a search now"), search_rerun },
};

static const NexusCtlSubcommand jobs_commands[] = {
  { "list", N_ ("List jobs"), jobs_list },
  { "retry", N_ ("Retry a dead or failed job"), jobs_retry },
};

static void
print_help (const NexusCtlGroup *group)
{
  g_print (_ ("Usage:\n  %s %s COMMAND [OPTIONS…]\n\nCommands:\n"), PROGRAM, group->name);
  nexusctl_print_subcommands (group, 8);
  g_print (_ ("\nRun “%s %s COMMAND --help” for the options of a command.\n"), PROGRAM,
           group->name);
}

static int
no_command (const NexusCtlGroup *group)
{
  g_autofree char *names = nexusctl_subcommand_names (group);

  return nexus_cli_usage_error (PROGRAM, _ ("“%s” needs a command: %s"), group->name, names);
}

static int
unknown_command (const NexusCtlGroup *group, const char *name)
{
  g_autofree char *names = nexusctl_subcommand_names (group);

  return nexus_cli_usage_error (PROGRAM, _ ("Unknown command “%s %.40s” (known: %s)"), group->name,
                                name, names);
}

static const NexusCtlGroup search_group = {
  "search",   search_commands, G_N_ELEMENTS (search_commands),
  print_help, no_command,      unknown_command,
};

static const NexusCtlGroup jobs_group = {
  "jobs", jobs_commands, G_N_ELEMENTS (jobs_commands), print_help, no_command, unknown_command,
};

int
nexusctl_search (NexusCtl *ctl, char **args)
{
  return nexusctl_dispatch (&search_group, ctl, args);
}

int
nexusctl_jobs (NexusCtl *ctl, char **args)
{
  return nexusctl_dispatch (&jobs_group, ctl, args);
}
