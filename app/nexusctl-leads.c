/* nexusctl-leads.c — nexusctl leads …
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   nexusctl leads import FILE [--format csv|xlsx|json|ndjson|geojson] [--map FIELD=COL,…]
 *                         [--country CC] [--encoding ENC] [--delimiter D]
 *                         [--source NAME] [--dry-run] [--rejects FILE] [--json]
 *   nexusctl leads sources --format csv
 *   nexusctl leads export --format csv|xlsx|json|ndjson|geojson --out FILE
 *                         [--columns A,B,C] [--bom] [--delimiter ;] [--rtl|--ltr]
 *                         [--status S] [--search TEXT] [--preview WHICH] [--sort COL]
 *                         [--descending] [--ids ID,…] [--force]
 *   nexusctl leads export   (every lead as CSV on standard output)
 *   nexusctl leads classify [--retrain] [--json]
 *   nexusctl leads label LEAD_ID CATEGORY
 *
 * Bad input (an unreadable or malformed file, a bad map or country) exits
 * with 2 and one line on stderr; a failure of the database with 1.
 */

#include "config.h"

#include <inttypes.h>

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <unistd.h>

#include "leads/nexus-classifier.h"
#include "leads/nexus-csv.h"
#include "leads/nexus-export.h"
#include "leads/nexus-import.h"
#include "leads/nexus-ingest.h"
#include "leads/nexus-row-reader.h"
#include "leads/nexus-xlsx.h"
#include "nexus-cli.h"
#include "nexusctl.h"
#include "store/nexus-store-leads.h"

/* One line on stderr, exit status 2: the input was bad, not the program. */
#define bad_input(...) nexusctl_bad_input (NULL, __VA_ARGS__)

/* nexusctl_parse() for a command that takes no argument. */
static int
parse_no_arguments (GOptionContext     *context,
                    const char         *command,
                    const char         *summary,
                    const GOptionEntry *entries,
                    char             ***args)
{
  int status;

  if ((status = nexusctl_parse (context, command, summary, entries, args)) >= 0)
    return status;
  if (g_strv_length (*args) > 1)
    {
      g_autofree char *program = g_strdup_printf ("%s %s", PROGRAM, command);

      return nexus_cli_usage_error (program, _ ("Unexpected argument “%s”"), (*args)[1]);
    }
  return -1;
}

static gboolean
check_format (const char *format)
{
  return format == NULL || g_ascii_strcasecmp (format, "csv") == 0;
}

/* "," ";" "|" "tab" or "\t" (or "comma", "semicolon") → the byte; 0 when
 * not one of them. */
static char
parse_delimiter (const char *text)
{
  if (g_strcmp0 (text, "tab") == 0 || g_strcmp0 (text, "\\t") == 0 || g_strcmp0 (text, "\t") == 0)
    return '\t';
  if (g_strcmp0 (text, "comma") == 0)
    return ',';
  if (g_strcmp0 (text, "semicolon") == 0)
    return ';';
  if (text != NULL && strlen (text) == 1 && strchr (",;|", text[0]) != NULL)
    return text[0];
  return 0;
}

/* The rejected rows go to a temporary file beside @path, renamed at the
 * end; an existing file is never replaced. */
static GFileOutputStream *
create_rejects (const char *path, char **out_temp, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *pattern = g_strdup_printf (".%s-XXXXXX", base);
  g_autoptr (GFile) file = NULL;
  g_autofree char *temp = g_build_filename (dir, pattern, NULL);
  int              fd;

  fd = g_mkstemp_full (temp, O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                   _ ("Cannot write “%s”: %s"), path, g_strerror (errno));
      return NULL;
    }
  close (fd);
  file = g_file_new_for_path (temp);
  *out_temp = g_steal_pointer (&temp);
  return g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, error);
}

/* Appends one CSV field (RFC 4180 quoting when needed). */
static void
csv_field (GString *line, const char *value, gboolean last)
{
  if (value != NULL)
    {
      if (strpbrk (value, ",\"\r\n") != NULL || g_ascii_isspace (*value))
        {
          g_string_append_c (line, '"');
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
    }
  g_string_append_c (line, last ? '\n' : ',');
}

static void
csv_int (GString *line, gint64 value, gboolean present)
{
  if (present)
    g_string_append_printf (line, "%" PRId64, value);
  g_string_append_c (line, ',');
}

static void
csv_double (GString *line, double value, gboolean present)
{
  if (present)
    {
      char buffer[G_ASCII_DTOSTR_BUF_SIZE];
      g_string_append (line, g_ascii_dtostr (buffer, sizeof buffer, value));
    }
  g_string_append_c (line, ',');
}

static void
write_line (GString *line)
{
  fwrite (line->str, 1, line->len, stdout);
  g_string_truncate (line, 0);
}

static void
print_summary (const char *file, const NexusImportSummary *summary)
{
  if (summary->dry_run)
    g_print (
        _ ("Checked “%s” (nothing was written): %" PRIu64 " rows — %" PRIu64
           " would be new, %" PRIu64 " merged, %" PRIu64 " preview-only, %" PRIu64 " rejected\n"),
        file, summary->rows, summary->n_new, summary->merged, summary->preview, summary->rejected);
  else
    g_print (_ ("Imported “%s”: %" PRIu64 " rows — %" PRIu64 " new, %" PRIu64 " merged, %" PRIu64
                " preview-only, %" PRIu64 " rejected\n"),
             file, summary->rows, summary->n_new, summary->merged, summary->preview,
             summary->rejected);
  if (summary->encoding != NULL && summary->delimiter != 0)
    g_print (_ ("  read as %s, delimiter “%s”\n"), summary->encoding,
             summary->delimiter == '\t' ? "tab" : (char[]){ summary->delimiter, 0 });
  for (guint i = 0; i < summary->rejections->len; i++)
    {
      NexusImportRejection *rejection =
          &g_array_index (summary->rejections, NexusImportRejection, i);
      g_print (_ ("  line %" PRIu64 ": %s\n"), rejection->line, rejection->reason);
    }
  if (summary->rejected > summary->rejections->len)
    g_print (_ ("  … and %" PRIu64 " more\n"), summary->rejected - summary->rejections->len);
}

static int
leads_import (NexusCtl *ctl, char **args)
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusImportSummary) summary = nexus_import_summary_new ();
  g_autoptr (GFileOutputStream) rejects_stream = NULL;
  g_autoptr (GFile) file = NULL;
  g_autofree char   *format = NULL;
  g_autofree char   *map = NULL;
  g_autofree char   *country = NULL;
  g_autofree char   *source = NULL;
  g_autofree char   *encoding = NULL;
  g_autofree char   *delimiter = NULL;
  g_autofree char   *rejects = NULL;
  g_autofree char   *rejects_temp = NULL;
  g_autofree char   *path = NULL;
  NexusImportOptions options = { 0 };
  NexusIngest       *ingest;
  gboolean           as_json = FALSE;
  gboolean           dry_run = FALSE;
  gboolean           ok;
  int                status;
  const GOptionEntry entries[] = {
    { "format", 0, 0, G_OPTION_ARG_STRING, &format,
      N_ ("File format: csv, xlsx, json, ndjson or geojson (default: from the file name and "
          "contents)"),
      N_ ("FORMAT") },
    { "map", 0, 0, G_OPTION_ARG_STRING, &map,
      N_ ("Columns of the lead fields: name=COL,phone=COL,address=COL,city=COL,category=COL,"
          "ref=COL,lat=COL,lon=COL,country=COL,website=COL,email=COL,rating=COL,reviews=COL"),
      N_ ("MAP") },
    { "country", 0, 0, G_OPTION_ARG_STRING, &country,
      N_ ("Country of phone numbers written without +CC"), N_ ("CC") },
    { "encoding", 0, 0, G_OPTION_ARG_STRING, &encoding,
      N_ ("Encoding of a CSV file: UTF-8, UTF-16LE, UTF-16BE, WINDOWS-1256… (default: detected)"),
      N_ ("ENCODING") },
    { "delimiter", 0, 0, G_OPTION_ARG_STRING, &delimiter,
      N_ ("Delimiter of a CSV file: , ; | or tab (default: detected)"), N_ ("D") },
    { "source", 0, 0, G_OPTION_ARG_STRING, &source,
      N_ ("Source name recorded with each row "
          "(default: import)"),
      N_ ("NAME") },
    { "dry-run", 0, 0, G_OPTION_ARG_NONE, &dry_run,
      N_ ("Only say what would be new, merged and rejected; write nothing"), NULL },
    { "rejects", 0, 0, G_OPTION_ARG_FILENAME, &rejects,
      N_ ("Write the rejected rows to this new CSV file, with their line and reason"),
      N_ ("FILE") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &as_json, N_ ("Print the summary as JSON"), NULL },
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &ctl->db_path, N_ ("Database file"), N_ ("PATH") },
    { NULL }
  };

  context = g_option_context_new (_ ("FILE"));
  if ((status = nexusctl_parse (
           context, "leads import",
           _ ("Imports leads from a CSV, XLSX, JSON, NDJSON or GeoJSON file through the leads "
              "pipeline "
              "(normalized, deduplicated, classified).  A file is imported whole or not at "
              "all: a file that cannot be read changes nothing."),
           entries, &args)) >= 0)
    return status;
  if (g_strv_length (args) != 2)
    return nexus_cli_usage_error (PROGRAM " leads import", _ ("Give exactly one FILE"));
  if (format != NULL && !nexus_import_format_from_string (format, &options.format))
    return bad_input (_ ("Unknown format “%s” (csv, xlsx, json, ndjson or geojson)"), format);
  if (delimiter != NULL && !(options.delimiter = parse_delimiter (delimiter)))
    return bad_input (_ ("--delimiter: “%s” is not one of , ; | tab"), delimiter);

  options.map = map;
  options.country = country;
  options.source = source;
  options.encoding = encoding;
  options.dry_run = dry_run;
  if (source != NULL && (*source == '\0' || strlen (source) > NEXUS_LEAD_MAX_PROVIDER))
    return bad_input (_ ("--source: a name of 1 to %d bytes is needed"), NEXUS_LEAD_MAX_PROVIDER);
  if (!nexus_import_check_options (&options, &error))
    return bad_input ("%s", error->message);

  file = g_file_new_for_commandline_arg (args[1]);
  path = g_file_get_path (file);
  if (path == NULL || !g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return bad_input (_ ("“%s” is not a file that can be read"), args[1]);
  if (rejects != NULL)
    {
      if (g_file_test (rejects, G_FILE_TEST_EXISTS))
        return nexusctl_bad_input (
            NULL, _ ("--rejects: “%s” exists already; remove it or choose another name"), rejects);
      if (!(rejects_stream = create_rejects (rejects, &rejects_temp, &error)))
        return bad_input ("%s", error->message);
      options.rejects = G_OUTPUT_STREAM (rejects_stream);
    }

  if (!(store = nexusctl_open_store_or_fail (ctl, &status)))
    return status;
  ingest = nexus_ingest_get_for_store (store, &error);
  if (ingest == NULL)
    return nexusctl_fail (error);

  ok = nexus_import_file (ingest, path, &options, summary, NULL, NULL, NULL, &error);
  if (rejects_stream != NULL)
    {
      g_autoptr (GError) close_error = NULL;

      if (!g_output_stream_close (G_OUTPUT_STREAM (rejects_stream), NULL, &close_error) && ok)
        {
          ok = FALSE;
          g_propagate_error (&error, g_steal_pointer (&close_error));
        }
      if (!ok || g_rename (rejects_temp, rejects) != 0)
        g_unlink (rejects_temp);
    }
  if (!ok)
    {
      if (error->domain == NEXUS_IMPORT_ERROR || error->domain == NEXUS_CSV_ERROR ||
          error->domain == NEXUS_ROW_READER_ERROR || error->domain == NEXUS_XLSX_ERROR ||
          error->domain == G_IO_ERROR || error->domain == G_FILE_ERROR)
        return bad_input (_ ("%s: %s (nothing was imported)"), args[1], error->message);
      return nexusctl_fail (error);
    }

  if (as_json)
    {
      g_autoptr (JsonNode) root = nexus_import_summary_to_json (summary);
      nexusctl_print_json (root);
    }
  else
    print_summary (args[1], summary);
  return NEXUS_EXIT_OK;
}

static gboolean
print_source_cb (const NexusLeadSource *source, gpointer user_data, GError **error)
{
  GString *line = user_data;

  g_string_append_printf (line, "%" PRId64 ",", source->lead_id);
  csv_field (line, source->provider, FALSE);
  csv_field (line, source->ref, TRUE);
  write_line (line);
  return TRUE;
}

static int
leads_sources (NexusCtl *ctl, char **args)
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) line = g_string_new (NULL);
  g_autofree char   *format = NULL;
  int                status;
  const GOptionEntry entries[] = {
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, N_ ("Output format (csv)"), N_ ("FORMAT") },
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &ctl->db_path, N_ ("Database file"), N_ ("PATH") },
    { NULL }
  };

  context = g_option_context_new (NULL);
  if ((status = parse_no_arguments (context, "leads sources",
                                    _ ("Lists every source record of every lead: "
                                       "lead_id,provider,ref."),
                                    entries, &args)) >= 0)
    return status;
  if (!check_format (format))
    return bad_input (_ ("Unknown format “%s” (only csv is supported)"), format);

  if (!(store = nexusctl_open_store_or_fail (ctl, &status)))
    return status;

  g_string_append (line, "lead_id,provider,ref\n");
  write_line (line);
  if (!nexus_store_leads_foreach_source (store, print_source_cb, line, &error))
    return nexusctl_fail (error);
  fflush (stdout);
  return NEXUS_EXIT_OK;
}

static gboolean
print_lead_cb (const NexusLeadRow *row, gpointer user_data, GError **error)
{
  GString *line = user_data;

  csv_int (line, row->id, TRUE);
  csv_field (line, row->name, FALSE);
  csv_field (line, row->phone_e164, FALSE);
  csv_field (line, row->phone_raw, FALSE);
  csv_int (line, row->phone_invalid, TRUE);
  csv_field (line, row->website, FALSE);
  csv_field (line, row->website_host, FALSE);
  csv_field (line, row->email, FALSE);
  csv_field (line, row->address, FALSE);
  csv_field (line, row->city, FALSE);
  csv_field (line, row->country, FALSE);
  csv_double (line, row->lat, row->has_location);
  csv_double (line, row->lon, row->has_location);
  csv_field (line, row->category, FALSE);
  csv_field (line, row->category_source, FALSE);
  csv_double (line, row->rating, row->has_rating);
  csv_int (line, row->reviews, row->reviews >= 0);
  csv_int (line, row->preview_only, TRUE);
  csv_int (line, row->sightings, TRUE);
  csv_int (line, row->first_seen_at, TRUE);
  g_string_append_printf (line, "%" PRId64 "\n", row->last_seen_at);
  write_line (line);
  return TRUE;
}

/* The legacy dump: every lead and every stored column as CSV on standard
 * output, for scripts that read a pipe. */
static int
leads_export_stdout (NexusCtl *ctl)
{
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) line = g_string_new (NULL);
  int status;

  if (!(store = nexusctl_open_store_or_fail (ctl, &status)))
    return status;

  g_string_append (line, "id,name,phone_e164,phone_raw,phone_invalid,website,website_host,email,"
                         "address,city,country,lat,lon,category,category_source,rating,reviews,"
                         "preview_only,sightings,first_seen_at,last_seen_at\n");
  write_line (line);
  if (!nexus_store_leads_foreach (store, print_lead_cb, line, &error))
    return nexusctl_fail (error);
  fflush (stdout);
  return NEXUS_EXIT_OK;
}

/* Whether the first language of the messages is written right to left. */
static gboolean
locale_is_rtl (void)
{
  static const char *const rtl[] = { "ar", "fa", "he", "ur", NULL };
  const char              *language = g_get_language_names ()[0];

  for (guint i = 0; rtl[i] != NULL; i++)
    if (g_str_has_prefix (language, rtl[i]) &&
        (language[2] == '\0' || language[2] == '_' || language[2] == '.' || language[2] == '@'))
      return TRUE;
  return FALSE;
}

/* "1,2,3" → lead ids; FALSE on anything else. */
static GArray *
parse_ids (const char *text)
{
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_auto (GStrv) parts = g_strsplit (text, ",", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      gint64 id;

      if (!g_ascii_string_to_signed (g_strstrip (parts[i]), 10, 1, G_MAXINT64, &id, NULL))
        return NULL;
      g_array_append_val (ids, id);
    }
  return ids->len > 0 ? g_steal_pointer (&ids) : NULL;
}

/* An export run on a thread of its own, so that the main thread can wait
 * for SIGINT and SIGTERM and cancel it: an interrupted export leaves no
 * file.  The store is used by that thread only until it ends. */
typedef struct
{
  NexusStore               *store;
  const char               *path;
  const NexusExportOptions *options;
  GCancellable             *cancellable;
  GMainLoop                *loop;
  GMutex                    lock;
  gint64                    done;  /* under lock */
  gint64                    total; /* under lock */
  gint64                    rows;
  GError                   *error;
  gboolean                  ok;
} CtlExport;

static void
ctl_export_progress_cb (gint64 done, gint64 total, gpointer user_data)
{
  CtlExport *export = user_data;

  g_mutex_lock (&export->lock);
  export->done = done;
  export->total = total;
  g_mutex_unlock (&export->lock);
}

static gboolean
ctl_export_quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static gpointer
ctl_export_thread (gpointer user_data)
{
  CtlExport *export = user_data;

  export->ok =
      nexus_export_leads (export->store, export->path, export->options, ctl_export_progress_cb,
                          export, export->cancellable, &export->rows, &export->error);
  g_idle_add (ctl_export_quit_cb, export->loop);
  return NULL;
}

static gboolean
ctl_export_signal_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_CONTINUE;
}

/* On a terminal: "rows of total" on one line of stderr, rewritten. */
static gboolean
ctl_export_report_cb (gpointer user_data)
{
  CtlExport *export = user_data;
  gint64 done, total;

  g_mutex_lock (&export->lock);
  done = export->done;
  total = export->total;
  g_mutex_unlock (&export->lock);
  g_printerr ("\r");
  g_printerr (g_dngettext (GETTEXT_PACKAGE, "%" PRId64 " of %" PRId64 " lead…",
                           "%" PRId64 " of %" PRId64 " leads…", total),
              done, total);
  return G_SOURCE_CONTINUE;
}

static gboolean
ctl_export_run (CtlExport *export)
{
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  gboolean on_terminal = isatty (STDERR_FILENO);
  guint    sigint, sigterm, report = 0;
  GThread *thread;

  g_mutex_init (&export->lock);
  export->loop = loop;
  export->cancellable = cancellable;
  sigint = g_unix_signal_add (SIGINT, ctl_export_signal_cb, cancellable);
  sigterm = g_unix_signal_add (SIGTERM, ctl_export_signal_cb, cancellable);
  if (on_terminal)
    report = g_timeout_add (250, ctl_export_report_cb, export);

  thread = g_thread_new ("export", ctl_export_thread, export);
  g_main_loop_run (loop);
  g_thread_join (thread);

  g_source_remove (sigint);
  g_source_remove (sigterm);
  if (report != 0)
    {
      g_source_remove (report);
      g_printerr ("\r\033[K");
    }
  g_mutex_clear (&export->lock);
  export->loop = NULL;
  export->cancellable = NULL;
  return export->ok;
}

static int
leads_export (NexusCtl *ctl, char **args)
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) columns = NULL;
  g_autoptr (GArray) ids = NULL;
  g_autoptr (NexusLeadsQuery) query = NULL;
  g_autofree char   *format = NULL;
  g_autofree char   *out = NULL;
  g_autofree char   *column_list = NULL;
  g_autofree char   *delimiter = NULL;
  g_autofree char   *status_filter = NULL;
  g_autofree char   *search = NULL;
  g_autofree char   *preview = NULL;
  g_autofree char   *sort = NULL;
  g_autofree char   *id_list = NULL;
  NexusExportOptions options = { 0 };
  CtlExport export = { 0 };
  gboolean           bom = FALSE;
  gboolean           force = FALSE;
  gboolean           rtl = FALSE;
  gboolean           ltr = FALSE;
  gboolean           descending = FALSE;
  gint64             rows = 0;
  int                status;
  const GOptionEntry entries[] = {
    { "format", 0, 0, G_OPTION_ARG_STRING, &format,
      N_ ("File format: csv, xlsx, json, ndjson or geojson (default: csv)"), N_ ("FORMAT") },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out,
      N_ ("The file to write (without it: every lead as CSV on standard output)"), N_ ("FILE") },
    { "columns", 0, 0, G_OPTION_ARG_STRING, &column_list,
      N_ ("Columns in their order, separated by commas (see below)"), N_ ("A,B,C") },
    { "bom", 0, 0, G_OPTION_ARG_NONE, &bom,
      N_ ("CSV: start with a byte-order mark, so that Excel reads Arabic right"), NULL },
    { "delimiter", 0, 0, G_OPTION_ARG_STRING, &delimiter,
      N_ ("CSV: the delimiter, “,” (default), “;” or “tab”"), N_ ("CHAR") },
    { "rtl", 0, 0, G_OPTION_ARG_NONE, &rtl,
      N_ ("XLSX: a right-to-left sheet (the default when the messages are Arabic)"), NULL },
    { "ltr", 0, 0, G_OPTION_ARG_NONE, &ltr, N_ ("XLSX: a left-to-right sheet"), NULL },
    { "status", 0, 0, G_OPTION_ARG_STRING, &status_filter,
      N_ ("Only leads with this status: new, contacted, qualified, won or lost"), N_ ("STATUS") },
    { "search", 0, 0, G_OPTION_ARG_STRING, &search,
      N_ ("Only leads whose name, address, category or city match these words"), N_ ("TEXT") },
    { "preview", 0, 0, G_OPTION_ARG_STRING, &preview,
      N_ ("Preview-only leads (without a valid phone): exclude (default with a filter), "
          "include or only"),
      N_ ("WHICH") },
    { "sort", 0, 0, G_OPTION_ARG_STRING, &sort,
      N_ ("With a filter: the order, as the leads grid sorts (name, category, phone, city, "
          "status, rating, first_seen, last_seen, sightings)"),
      N_ ("COLUMN") },
    { "descending", 0, 0, G_OPTION_ARG_NONE, &descending, N_ ("With --sort: descending"), NULL },
    { "ids", 0, 0, G_OPTION_ARG_STRING, &id_list,
      N_ ("Only these leads, by id, separated by commas"), N_ ("ID,ID") },
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, N_ ("Replace FILE if it exists"), NULL },
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &ctl->db_path, N_ ("Database file"), N_ ("PATH") },
    { NULL }
  };
  g_autoptr (GString) description = g_string_new (_ ("Columns:"));

  for (NexusExportColumn column = 0; column < NEXUS_EXPORT_N_COLUMNS; column++)
    g_string_append_printf (description, "\n  %-14s %s", nexus_export_column_get_name (column),
                            nexus_export_column_get_title (column));
  g_string_append_c (description, '\n');
  g_string_append (
      description,
      _ ("Without --columns: id, name, category, phone_e164, other_phones, city, "
         "address, website, email, lat, lon, rating, status, agent, first_seen, "
         "last_seen, sightings, preview_only, sources.\n"
         "Without a filter or --ids every lead is written, preview-only ones "
         "included.  The file is written under a temporary name and renamed when "
         "complete; an existing file is replaced only with --force.\n"
         "Text cells that start with =, +, -, @, a tab or a line break get a "
         "leading apostrophe in CSV, so that no spreadsheet runs them as formulas.\n"));

  context = g_option_context_new (NULL);
  g_option_context_set_description (context, description->str);
  if ((status = parse_no_arguments (context, "leads export",
                                    _ ("Writes leads to a file: all of them, those of a "
                                       "filter, or chosen ones."),
                                    entries, &args)) >= 0)
    return status;

  options.format = NEXUS_EXPORT_CSV;
  if (format != NULL && !nexus_export_format_from_string (format, &options.format))
    return bad_input (_ ("Unknown format “%s” (csv, xlsx, json, ndjson or geojson)"), format);

  if (out == NULL)
    {
      if (options.format != NEXUS_EXPORT_CSV || column_list != NULL || delimiter != NULL || bom ||
          status_filter != NULL || search != NULL || preview != NULL || sort != NULL ||
          id_list != NULL || force || rtl || ltr)
        return nexus_cli_usage_error (PROGRAM " leads export", _ ("These options need --out FILE"));
      return leads_export_stdout (ctl);
    }
  if (*out == '\0')
    return nexus_cli_usage_error (PROGRAM " leads export", _ ("--out needs a file name"));

  if (column_list != NULL)
    {
      columns = nexus_export_parse_columns (column_list, &error);
      if (columns == NULL)
        return bad_input ("--columns: %s", error->message);
      options.columns = (const NexusExportColumn *)columns->data;
      options.n_columns = columns->len;
    }
  options.delimiter = delimiter != NULL ? parse_delimiter (delimiter) : ',';
  if (options.delimiter == 0 || options.delimiter == '|')
    return bad_input (_ ("--delimiter: “%s” is not “,”, “;” or “tab”"), delimiter);
  if (rtl && ltr)
    return nexus_cli_usage_error (PROGRAM " leads export", _ ("Give --rtl or --ltr, not both"));
  options.bom = bom;
  options.rtl = rtl || (!ltr && locale_is_rtl ());
  options.overwrite = force;

  if (id_list != NULL)
    {
      if (status_filter != NULL || search != NULL || preview != NULL || sort != NULL)
        return nexus_cli_usage_error (PROGRAM " leads export",
                                      _ ("--ids cannot be combined with a filter"));
      ids = parse_ids (id_list);
      if (ids == NULL)
        return bad_input (_ ("--ids: “%s” is not a list of lead ids"), id_list);
      options.ids = (const gint64 *)ids->data;
      options.n_ids = ids->len;
    }
  else if (status_filter != NULL || search != NULL || preview != NULL || sort != NULL)
    {
      static const char *const statuses[] = {
        "new", "contacted", "qualified", "won", "lost", NULL
      };

      query = nexus_leads_query_new ();
      if (status_filter != NULL && !g_strv_contains (statuses, status_filter))
        return bad_input (_ ("--status: unknown status “%s”"), status_filter);
      query->status = g_strdup (status_filter);
      query->search = g_strdup (search);
      if (preview == NULL || g_str_equal (preview, "exclude"))
        query->preview = NEXUS_LEADS_PREVIEW_EXCLUDE;
      else if (g_str_equal (preview, "include"))
        query->preview = NEXUS_LEADS_PREVIEW_INCLUDE;
      else if (g_str_equal (preview, "only"))
        query->preview = NEXUS_LEADS_PREVIEW_ONLY;
      else
        return bad_input (_ ("--preview: “%s” is not exclude, include or only"), preview);
      if (sort != NULL && !nexus_leads_sort_from_string (sort, &query->sort))
        return bad_input (_ ("--sort: unknown column “%s”"), sort);
      query->descending = descending;
      options.query = query;
    }

  if (!(store = nexusctl_open_store_or_fail (ctl, &status)))
    return status;

  export.store = store;
  export.path = out;
  export.options = &options;
  if (!ctl_export_run (&export))
    {
      g_autoptr (GError) failure = g_steal_pointer (&export.error);

      if (g_error_matches (failure, NEXUS_EXPORT_ERROR, NEXUS_EXPORT_ERROR_EXISTS))
        return nexus_cli_fail (PROGRAM, _ ("%s (give --force to replace it)"), failure->message);
      if (g_error_matches (failure, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return nexus_cli_fail (PROGRAM, "%s", _ ("Export interrupted; no file was written"));
      return nexus_cli_fail (PROGRAM, "%s", failure->message);
    }
  rows = export.rows;

  g_print (g_dngettext (GETTEXT_PACKAGE, "Exported %" PRId64 " lead to “%s”\n",
                        "Exported %" PRId64 " leads to “%s”\n", rows),
           rows, out);
  return NEXUS_EXIT_OK;
}

static int
leads_classify (NexusCtl *ctl, char **args)
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  NexusClassifierTraining training = { 0 };
  NexusClassifierStats    stats = { 0 };
  gboolean                retrain = FALSE;
  gboolean                as_json = FALSE;
  int                     status;
  const GOptionEntry      entries[] = {
         { "retrain", 0, 0, G_OPTION_ARG_NONE, &retrain,
           N_ ("Train a new model version from the categories operators set first"), NULL },
         { "json", 0, 0, G_OPTION_ARG_NONE, &as_json, N_ ("Print JSON"), NULL },
         { "db", 0, 0, G_OPTION_ARG_FILENAME, &ctl->db_path, N_ ("Database file"), N_ ("PATH") },
         { NULL }
  };

  context = g_option_context_new (NULL);
  if ((status =
           parse_no_arguments (context, "leads classify",
                               _ ("Classifies every lead whose category an operator did not set: "
                                  "keyword rules first, then the trained model."),
                               entries, &args)) >= 0)
    return status;

  if (!(store = nexusctl_open_store_or_fail (ctl, &status)))
    return status;

  if (retrain && !nexus_classifier_retrain (store, &training, &error))
    return nexusctl_fail (error);
  if (!nexus_classifier_reclassify_all (store, &stats, &error))
    return nexusctl_fail (error);

  json_builder_begin_object (builder);
  if (retrain)
    {
      json_builder_set_member_name (builder, "model");
      json_builder_begin_object (builder);
      nexusctl_json_int (builder, "version", training.version);
      nexusctl_json_int (builder, "labels", training.n_labels);
      nexusctl_json_int (builder, "train", training.n_train);
      nexusctl_json_int (builder, "test", training.n_test);
      nexusctl_json_int (builder, "categories", training.n_categories);
      json_builder_set_member_name (builder, "accuracy");
      if (training.has_accuracy)
        json_builder_add_double_value (builder, training.accuracy);
      else
        json_builder_add_null_value (builder);
      json_builder_end_object (builder);
    }
  nexusctl_json_int (builder, "leads", stats.n_leads);
  nexusctl_json_int (builder, "changed", stats.n_changed);
  json_builder_set_member_name (builder, "by_source");
  json_builder_begin_object (builder);
  nexusctl_json_int (builder, "rule", stats.n_rule);
  nexusctl_json_int (builder, "model", stats.n_model);
  nexusctl_json_int (builder, "provider", stats.n_provider);
  nexusctl_json_int (builder, "operator", stats.n_operator);
  nexusctl_json_int (builder, "none", stats.n_none);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);

  if (as_json)
    {
      nexusctl_print_json (root);
      return NEXUS_EXIT_OK;
    }

  if (retrain && training.has_accuracy)
    g_print (_ ("Model version %" PRId64 ": accuracy %.1f %% on %" PRId64
                " held-out labels (trained on %" PRId64 ", %u categories)\n"),
             training.version, 100.0 * training.accuracy, training.n_test, training.n_train,
             training.n_categories);
  else if (retrain)
    g_print (_ ("Model version %" PRId64 ": trained on %" PRId64
                " labels, none held out to measure it\n"),
             training.version, training.n_train);
  g_print (_ ("Classified %" PRId64 " leads (%" PRId64 " changed): %" PRId64 " by rule, %" PRId64
              " by the model, %" PRId64 " as the provider "
              "said, %" PRId64 " by operators, %" PRId64 " without a category\n"),
           stats.n_leads, stats.n_changed, stats.n_rule, stats.n_model, stats.n_provider,
           stats.n_operator, stats.n_none);
  return NEXUS_EXIT_OK;
}

static int
leads_label (NexusCtl *ctl, char **args)
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (GError) error = NULL;
  gint64             lead_id = 0;
  int                status;
  const GOptionEntry entries[] = { { "db", 0, 0, G_OPTION_ARG_FILENAME, &ctl->db_path,
                                     N_ ("Database file"), N_ ("PATH") },
                                   { NULL } };

  context = g_option_context_new (_ ("LEAD_ID CATEGORY"));
  if ((status = nexusctl_parse (context, "leads label",
                                _ ("Sets a lead's category as an operator (the model "
                                   "learns from it; the classifier never changes it)."),
                                entries, &args)) >= 0)
    return status;
  if (g_strv_length (args) != 3)
    return nexus_cli_usage_error (PROGRAM " leads label", _ ("Give a LEAD_ID and a CATEGORY"));
  if (!g_ascii_string_to_signed (args[1], 10, 1, G_MAXINT64, &lead_id, NULL))
    return bad_input (_ ("“%s” is not a lead id"), args[1]);

  if (!(store = nexusctl_open_store_or_fail (ctl, &status)))
    return status;
  if (!nexus_classifier_set_label (store, lead_id, args[2], "nexusctl", &error))
    {
      if (error->domain == NEXUS_CLASSIFIER_ERROR)
        return bad_input ("%s", error->message);
      return nexusctl_fail (error);
    }
  return NEXUS_EXIT_OK;
}

static const NexusCtlSubcommand commands[] = {
  { "import", N_ ("Import leads from a CSV, XLSX, JSON, NDJSON or GeoJSON file"), leads_import },
  { "sources", N_ ("List the source records of every lead"), leads_sources },
  { "export", N_ ("Write leads to CSV, XLSX, JSON, NDJSON or GeoJSON"), leads_export },
  { "classify", N_ ("Classify leads (and retrain the model)"), leads_classify },
  { "label", N_ ("Set a lead's category as an operator"), leads_label },
};

static void
print_help (const NexusCtlGroup *group)
{
  g_print (_ ("Usage:\n  %s leads COMMAND [OPTIONS…]\n\nCommands:\n"), PROGRAM);
  nexusctl_print_subcommands (group, 10);
  g_print ("\n");
  g_print (_ ("Run “%s leads COMMAND --help” for the options of a command.\n"), PROGRAM);
}

static int
no_command (const NexusCtlGroup *group)
{
  return nexus_cli_usage_error (PROGRAM " leads", _ ("No command given"));
}

static int
unknown_command (const NexusCtlGroup *group, const char *name)
{
  return nexus_cli_usage_error (PROGRAM " leads", _ ("Unknown command “%s”"), name);
}

static const NexusCtlGroup group = {
  "leads", commands, G_N_ELEMENTS (commands), print_help, no_command, unknown_command,
};

int
nexusctl_leads (NexusCtl *ctl, char **args)
{
  return nexusctl_dispatch (&group, ctl, args);
}
