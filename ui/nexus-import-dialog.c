/* nexus-import-dialog.c — importing a file of leads
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A file chooser, then the file's first rows in a small grid, the detected
 * encoding and delimiter (which can be changed), a dropdown per column
 * with the field guessed from its header, and the default country of
 * phone numbers.  "Check" runs the import as a dry run on the engine
 * thread and shows what would be new, merged and rejected; "Import" runs
 * it for real, with a progress bar and Cancel.  A file is imported whole
 * or not at all (nexus-import.h), so Cancel and any error leave the vault
 * as it was.  The rejected rows of the last run can be saved as CSV.
 *
 * The preview is read on a GTask thread, checks and imports run on the
 * engine thread (nexus_engine_run_async); the main thread only shows.
 */
#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "leads/nexus-phone.h"
#include "nexus-format.h"
#include "nexus-import-dialog-private.h"

#define PREVIEW_ROWS     5
#define SHOWN_REJECTIONS 5

struct _NexusImportDialog
{
  AdwWindow parent_instance;

  /* template children */
  AdwToastOverlay     *toast_overlay;
  GtkStack            *stack;
  GtkScrolledWindow   *file_scroller;
  GtkSpinner          *spinner;
  AdwStatusPage       *error_page;
  AdwActionRow        *file_row;
  AdwComboRow         *encoding_row;
  AdwComboRow         *delimiter_row;
  AdwEntryRow         *country_row;
  GtkGrid             *preview_grid;
  AdwPreferencesGroup *columns_group;
  AdwPreferencesGroup *result_group;
  GtkLabel            *result_label;
  GtkLabel            *rejections_label;
  GtkWidget           *save_rejects_button;
  GtkActionBar        *progress_bar_box;
  GtkProgressBar      *progress_bar;

  NexusEngine        *engine;      /* owned; construct-only */
  GFile              *file;        /* owned; NULL before one is chosen */
  NexusImportPreview *preview;     /* owned; NULL while none is shown */
  GPtrArray          *column_rows; /* AdwComboRow per column (the group owns them) */
  GCancellable       *preview_cancellable;
  /* The running check or import; run_id tells its progress reports from
   * those of an earlier run. */
  GCancellable       *run_cancellable;
  guint               run_id;
  gboolean            run_dry;
  NexusImportSummary *summary;      /* of the last run that finished; owned */
  char               *rejects_path; /* its rejected rows (a private temporary file) */
};

G_DEFINE_FINAL_TYPE (NexusImportDialog, nexus_import_dialog, ADW_TYPE_WINDOW)

enum
{
  PROP_0,
  PROP_ENGINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_IMPORTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The choices of the encoding and delimiter rows, in their order. */
static const char *const encodings[] = { NULL, "UTF-8", "UTF-16LE", "UTF-16BE", "WINDOWS-1256" };
static const char        delimiters[] = { 0, ',', ';', '\t', '|' };

/* What one check or import needs on the engine thread. */
typedef struct
{
  NexusImportDialog *self; /* a reference, for the progress reports */
  NexusEngine       *engine;
  GMainContext      *context;
  guint              run_id;
  char              *path;
  char              *encoding;
  char               delimiter;
  char              *country;
  int               *columns;
  guint              n_columns;
  gboolean           dry_run;
  char              *rejects_path;
  GCancellable      *cancellable;
} Run;

typedef struct
{
  NexusImportDialog *self;
  guint              run_id;
  double             fraction;
  guint64            rows;
} Progress;

static void
run_free (gpointer data)
{
  Run *run = data;

  g_object_unref (run->self);
  g_object_unref (run->engine);
  g_main_context_unref (run->context);
  g_free (run->path);
  g_free (run->encoding);
  g_free (run->country);
  g_free (run->columns);
  g_free (run->rejects_path);
  g_clear_object (&run->cancellable);
  g_free (run);
}

static void
progress_free (gpointer data)
{
  Progress *progress = data;

  g_object_unref (progress->self);
  g_free (progress);
}

static void
update_actions (NexusImportDialog *self)
{
  gboolean busy = self->run_cancellable != NULL;
  gboolean ready = self->preview != NULL && !busy;
  gboolean has_rejects =
      self->summary != NULL && self->summary->rejected > 0 && self->rejects_path != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.choose", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.check", ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.run", ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.cancel", busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.save-rejects", !busy && has_rejects);
  gtk_widget_set_visible (self->save_rejects_button, has_rejects);
  gtk_action_bar_set_revealed (self->progress_bar_box, busy);
}

static void
forget_result (NexusImportDialog *self)
{
  g_clear_pointer (&self->summary, nexus_import_summary_free);
  gtk_widget_set_visible (GTK_WIDGET (self->result_group), FALSE);
  update_actions (self);
}

static const char *
encoding_label (const char *encoding)
{
  if (encoding == NULL)
    return "";
  if (g_ascii_strcasecmp (encoding, "WINDOWS-1256") == 0)
    return _ ("Windows-1256 (Arabic)");
  if (g_ascii_strcasecmp (encoding, "UTF-16LE") == 0)
    return "UTF-16 LE";
  if (g_ascii_strcasecmp (encoding, "UTF-16BE") == 0)
    return "UTF-16 BE";
  return encoding;
}

static const char *
delimiter_label (char delimiter)
{
  switch (delimiter)
    {
      case ',':
        return C_ ("delimiter", "Comma");
      case ';':
        return C_ ("delimiter", "Semicolon");
      case '\t':
        return C_ ("delimiter", "Tab");
      case '|':
        return C_ ("delimiter", "Vertical Bar");
      default:
        return "";
    }
}

/* Text as shown in a cell: one line; digits and signs alone (a phone, a
 * coordinate) read left to right also in a right-to-left window. */
static char *
cell_text (const char *text)
{
  g_autofree char *line = g_strdelimit (g_strdup (text), "\r\n", ' ');

  for (const char *p = line; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_isalpha (g_utf8_get_char (p)))
      return nexus_isolate_auto (line);
  return nexus_isolate_ltr (line);
}

/* The encoding and delimiter chosen (NULL and 0: automatic). */
static const char *
chosen_encoding (NexusImportDialog *self)
{
  return encodings[adw_combo_row_get_selected (self->encoding_row) % G_N_ELEMENTS (encodings)];
}

static char
chosen_delimiter (NexusImportDialog *self)
{
  return delimiters[adw_combo_row_get_selected (self->delimiter_row) % G_N_ELEMENTS (delimiters)];
}

static GtkWidget *
grid_label (const char *text, gboolean header)
{
  g_autofree char *shown = cell_text (text);
  GtkWidget       *label = gtk_label_new (shown);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_width_chars (GTK_LABEL (label), MIN (g_utf8_strlen (text, -1), 12));
  gtk_label_set_max_width_chars (GTK_LABEL (label), 28);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  if (header)
    gtk_widget_add_css_class (label, "heading");
  return label;
}

static void
fill_grid (NexusImportDialog *self)
{
  GtkWidget *child;
  guint      n = g_strv_length (self->preview->header);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->preview_grid))) != NULL)
    gtk_grid_remove (self->preview_grid, child);

  for (guint c = 0; c < n; c++)
    gtk_grid_attach (self->preview_grid, grid_label (self->preview->header[c], TRUE), (int)c, 0, 1,
                     1);
  for (guint r = 0; r < self->preview->rows->len; r++)
    {
      char **row = g_ptr_array_index (self->preview->rows, r);

      for (guint c = 0; row[c] != NULL && c < n; c++)
        gtk_grid_attach (self->preview_grid, grid_label (row[c], FALSE), (int)c, (int)r + 1, 1, 1);
    }
}

static void
column_selected_cb (NexusImportDialog *self, GParamSpec *pspec, AdwComboRow *row)
{
  forget_result (self);
}

static GListModel *
create_field_model (void)
{
  GtkStringList *model = gtk_string_list_new (NULL);

  gtk_string_list_append (model, C_ ("column", "Not Imported"));
  for (guint f = 0; f < NEXUS_IMPORT_N_FIELDS; f++)
    gtk_string_list_append (model, nexus_import_field_get_label ((NexusImportField)f));
  return G_LIST_MODEL (model);
}

/* The first value of column @c in the preview, for the row's subtitle. */
static const char *
sample_of_column (NexusImportPreview *preview, guint c)
{
  for (guint r = 0; r < preview->rows->len; r++)
    {
      char **row = g_ptr_array_index (preview->rows, r);

      if (c < g_strv_length (row) && *row[c] != '\0')
        return row[c];
    }
  return "";
}

static void
fill_columns (NexusImportDialog *self)
{
  guint n = g_strv_length (self->preview->header);

  for (guint i = 0; i < self->column_rows->len; i++)
    adw_preferences_group_remove (self->columns_group, g_ptr_array_index (self->column_rows, i));
  g_ptr_array_set_size (self->column_rows, 0);

  for (guint c = 0; c < n; c++)
    {
      g_autoptr (GListModel) model = create_field_model ();
      g_autofree char *number = nexus_format_count (c + 1);
      g_autofree char *title = NULL;
      g_autofree char *sample = NULL;
      g_autofree char *shown = NULL;
      AdwComboRow     *row = ADW_COMBO_ROW (adw_combo_row_new ());

      /* TRANSLATORS: a column without a header; %s is its number. */
      title = *self->preview->header[c] != '\0' ? g_strdup (self->preview->header[c])
                                                : g_strdup_printf (_ ("Column %s"), number);
      sample = g_strdup (sample_of_column (self->preview, c));
      if (g_utf8_strlen (sample, -1) > 40)
        {
          g_autofree char *cut = g_utf8_substring (sample, 0, 40);

          g_free (sample);
          sample = g_strconcat (cut, "…", NULL);
        }
      shown = cell_text (sample);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), shown);
      adw_combo_row_set_model (row, model);
      adw_combo_row_set_selected (row, (guint)(self->preview->guesses[c] + 1));
      g_signal_connect_object (row, "notify::selected", G_CALLBACK (column_selected_cb), self,
                               G_CONNECT_SWAPPED);
      adw_preferences_group_add (self->columns_group, GTK_WIDGET (row));
      g_ptr_array_add (self->column_rows, row);
    }
}

static void
show_preview (NexusImportDialog *self, NexusImportPreview *preview)
{
  gboolean csv = preview->format == NEXUS_IMPORT_FORMAT_CSV;

  g_clear_pointer (&self->preview, nexus_import_preview_free);
  self->preview = preview;

  gtk_widget_set_visible (GTK_WIDGET (self->encoding_row), csv);
  gtk_widget_set_visible (GTK_WIDGET (self->delimiter_row), csv);
  if (csv)
    {
      g_autofree char *encoding = NULL;
      g_autofree char *delimiter = NULL;

      if (adw_combo_row_get_selected (self->encoding_row) == 0)
        encoding = g_strdup_printf (_ ("Detected: %s"), encoding_label (preview->encoding));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->encoding_row),
                                   encoding != NULL ? encoding : "");
      if (adw_combo_row_get_selected (self->delimiter_row) == 0)
        delimiter = g_strdup_printf (_ ("Detected: %s"), delimiter_label (preview->delimiter));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->delimiter_row),
                                   delimiter != NULL ? delimiter : "");
    }

  fill_grid (self);
  fill_columns (self);
  forget_result (self);
  gtk_stack_set_visible_child_name (self->stack, "file");
}

static void
show_error (NexusImportDialog *self, const char *message)
{
  g_clear_pointer (&self->preview, nexus_import_preview_free);
  adw_status_page_set_description (self->error_page, message);
  gtk_stack_set_visible_child_name (self->stack, "error");
  forget_result (self);
}

typedef struct
{
  char             *path;
  NexusImportFormat format;
  char             *encoding;
  char              delimiter;
} PreviewRequest;

static void
preview_request_free (gpointer data)
{
  PreviewRequest *request = data;

  g_free (request->path);
  g_free (request->encoding);
  g_free (request);
}

static void
preview_free_cb (gpointer preview)
{
  nexus_import_preview_free (preview);
}

static void
read_preview_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  PreviewRequest     *request = data;
  NexusImportOptions  options = { 0 };
  NexusImportPreview *preview;
  GError             *error = NULL;

  options.format = request->format;
  options.encoding = request->encoding;
  options.delimiter = request->delimiter;
  preview = nexus_import_preview (request->path, &options, PREVIEW_ROWS, &error);
  if (preview == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, preview, preview_free_cb);
}

static void
read_preview_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  NexusImportDialog *self = NEXUS_IMPORT_DIALOG (source);
  g_autoptr (GError) error = NULL;
  NexusImportPreview *preview = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->preview_cancellable);
  gtk_spinner_stop (self->spinner);
  if (preview == NULL)
    show_error (self, error->message);
  else
    show_preview (self, preview);
  update_actions (self);
}

static void
load_preview (NexusImportDialog *self)
{
  g_autoptr (GTask) task = NULL;
  PreviewRequest *request;

  if (self->file == NULL)
    return;
  g_cancellable_cancel (self->preview_cancellable);
  g_clear_object (&self->preview_cancellable);
  self->preview_cancellable = g_cancellable_new ();

  request = g_new0 (PreviewRequest, 1);
  request->path = g_file_get_path (self->file);
  request->format = NEXUS_IMPORT_FORMAT_AUTO;
  request->encoding = g_strdup (chosen_encoding (self));
  request->delimiter = chosen_delimiter (self);

  g_clear_pointer (&self->preview, nexus_import_preview_free);
  gtk_stack_set_visible_child_name (self->stack, "loading");
  gtk_spinner_start (self->spinner);
  update_actions (self);

  task = g_task_new (self, self->preview_cancellable, read_preview_cb, NULL);
  g_task_set_source_tag (task, load_preview);
  g_task_set_task_data (task, request, preview_request_free);
  g_task_run_in_thread (task, read_preview_thread);
}

static void
reading_changed_cb (NexusImportDialog *self, GParamSpec *pspec, AdwComboRow *row)
{
  load_preview (self);
}

/* The result sits at the top of the page: scroll there. */
static void
reveal_result (NexusImportDialog *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->result_group), TRUE);
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->file_scroller), 0);
}

/* The result of the last run, in words. */
static void
show_summary (NexusImportDialog *self, const NexusImportSummary *summary)
{
  g_autoptr (GString) text = g_string_new (NULL);
  g_autoptr (GString) rejections = g_string_new (NULL);
  g_autofree char *rows = nexus_format_count ((gint64)summary->rows);
  g_autofree char *fresh = nexus_format_count ((gint64)(summary->n_new + summary->preview));
  g_autofree char *preview = nexus_format_count ((gint64)summary->preview);
  g_autofree char *merged = nexus_format_count ((gint64)summary->merged);
  g_autofree char *rejected = nexus_format_count ((gint64)summary->rejected);
  guint64          n_fresh = summary->n_new + summary->preview;

  if (summary->dry_run)
    g_string_append_printf (
        text,
        ngettext ("Checked %s row; nothing was written. An import would give:",
                  "Checked %s rows; nothing was written. An import would give:", summary->rows),
        rows);
  else
    g_string_append_printf (text, ngettext ("Imported %s row:", "Imported %s rows:", summary->rows),
                            rows);
  g_string_append (text, "\n• ");
  g_string_append_printf (text, ngettext ("%s new lead", "%s new leads", n_fresh), fresh);
  if (summary->preview > 0)
    {
      g_string_append (text, " ");
      g_string_append_printf (text,
                              ngettext ("(%s without a valid phone number, kept as a preview)",
                                        "(%s without a valid phone number, kept as previews)",
                                        summary->preview),
                              preview);
    }
  g_string_append (text, "\n• ");
  g_string_append_printf (text,
                          ngettext ("%s row merged into a lead already in the vault",
                                    "%s rows merged into leads already in the vault",
                                    summary->merged),
                          merged);
  g_string_append (text, "\n• ");
  g_string_append_printf (text, ngettext ("%s row rejected", "%s rows rejected", summary->rejected),
                          rejected);
  gtk_label_set_text (self->result_label, text->str);

  for (guint i = 0; i < summary->rejections->len && i < SHOWN_REJECTIONS; i++)
    {
      NexusImportRejection *rejection =
          &g_array_index (summary->rejections, NexusImportRejection, i);
      g_autofree char *line = nexus_format_count ((gint64)rejection->line);

      if (rejections->len > 0)
        g_string_append_c (rejections, '\n');
      g_string_append_printf (rejections, _ ("Line %s: %s"), line, rejection->reason);
    }
  if (summary->rejected > SHOWN_REJECTIONS)
    {
      g_autofree char *more = nexus_format_count ((gint64)(summary->rejected - SHOWN_REJECTIONS));

      g_string_append_c (rejections, '\n');
      g_string_append_printf (rejections,
                              ngettext ("… and %s more row", "… and %s more rows",
                                        summary->rejected - SHOWN_REJECTIONS),
                              more);
    }
  gtk_label_set_text (self->rejections_label, rejections->str);
  gtk_widget_set_visible (GTK_WIDGET (self->rejections_label), rejections->len > 0);
  reveal_result (self);
}

static void
show_failure (NexusImportDialog *self, const char *text)
{
  gtk_label_set_text (self->result_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->rejections_label), FALSE);
  reveal_result (self);
}

static gboolean
progress_idle_cb (gpointer data)
{
  Progress          *progress = data;
  NexusImportDialog *self = progress->self;
  g_autofree char   *rows = NULL;
  g_autofree char   *text = NULL;

  if (progress->run_id != self->run_id || self->run_cancellable == NULL)
    return G_SOURCE_REMOVE;
  rows = nexus_format_count ((gint64)progress->rows);
  text = g_strdup_printf (ngettext ("%s row read", "%s rows read", progress->rows), rows);
  gtk_progress_bar_set_fraction (self->progress_bar, progress->fraction);
  gtk_progress_bar_set_text (self->progress_bar, text);
  return G_SOURCE_REMOVE;
}

/* Engine thread: after each batch. */
static void
run_progress_cb (const NexusImportSummary *summary, double fraction, gpointer user_data)
{
  Run      *run = user_data;
  Progress *progress = g_new0 (Progress, 1);

  progress->self = g_object_ref (run->self);
  progress->run_id = run->run_id;
  progress->fraction = fraction;
  progress->rows = summary->rows;
  g_main_context_invoke_full (run->context, G_PRIORITY_DEFAULT, progress_idle_cb, progress,
                              progress_free);
}

/* Engine thread: the check or import itself. */
static gpointer
run_import (NexusStore *store, gpointer data, GError **error)
{
  Run *run = data;
  g_autoptr (NexusImportSummary) summary = nexus_import_summary_new ();
  g_autoptr (GFile) rejects_file = g_file_new_for_path (run->rejects_path);
  g_autoptr (GFileOutputStream) rejects = NULL;
  NexusImportOptions options = { 0 };
  NexusIngest       *ingest;
  gboolean           ok;

  ingest = nexus_ingest_get_for_store (store, error);
  if (ingest == NULL)
    return NULL;
  /* The rejected rows hold the operator's data: readable by them only. */
  rejects = g_file_replace (rejects_file, NULL, FALSE, G_FILE_CREATE_PRIVATE, NULL, error);
  if (rejects == NULL)
    return NULL;

  options.encoding = run->encoding;
  options.delimiter = run->delimiter;
  options.country = run->country;
  options.columns = run->columns;
  options.n_columns = run->n_columns;
  options.dry_run = run->dry_run;
  options.rejects = G_OUTPUT_STREAM (rejects);
  ok = nexus_import_file (ingest, run->path, &options, summary, run_progress_cb, run,
                          run->cancellable, error);
  if (!g_output_stream_close (G_OUTPUT_STREAM (rejects), NULL, ok ? error : NULL) && ok)
    return NULL;
  if (!ok)
    return NULL;

  if (!run->dry_run)
    {
      g_autoptr (JsonObject) event = json_object_new ();

      json_object_set_int_member (event, "rows", (gint64)summary->rows);
      json_object_set_int_member (event, "new", (gint64)summary->n_new);
      json_object_set_int_member (event, "merged", (gint64)summary->merged);
      json_object_set_int_member (event, "preview", (gint64)summary->preview);
      json_object_set_int_member (event, "rejected", (gint64)summary->rejected);
      nexus_event_bus_publish (nexus_engine_get_event_bus (run->engine), "leads.imported", event);
    }
  return g_steal_pointer (&summary);
}

static void
run_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (NexusImportDialog) self = user_data;
  g_autoptr (GError) error = NULL;
  NexusImportSummary *summary = nexus_engine_run_finish (NEXUS_ENGINE (source), result, &error);

  g_clear_object (&self->run_cancellable);
  g_clear_pointer (&self->summary, nexus_import_summary_free);
  if (summary == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_failure (self, self->run_dry ? _ ("The check was cancelled.")
                                          : _ ("The import was cancelled: nothing was imported."));
      else
        {
          g_autofree char *text =
              self->run_dry
                  ? g_strdup_printf (_ ("The file cannot be imported: %s"), error->message)
                  : g_strdup_printf (_ ("Nothing was imported: %s"), error->message);
          show_failure (self, text);
        }
    }
  else
    {
      self->summary = summary;
      show_summary (self, summary);
      if (!summary->dry_run)
        g_signal_emit (self, signals[SIGNAL_IMPORTED], 0);
    }
  update_actions (self);
}

static void
start_run (NexusImportDialog *self, gboolean dry_run)
{
  g_autofree char *country = NULL;
  Run             *run;

  if (self->preview == NULL || self->run_cancellable != NULL || self->engine == NULL)
    return;

  country =
      g_strstrip (g_ascii_strup (gtk_editable_get_text (GTK_EDITABLE (self->country_row)), -1));
  if (*country != '\0' && !nexus_phone_region_is_known (country))
    {
      g_autofree char *text =
          g_strdup_printf (_ ("“%s” is not a country code: write two letters such as EG, SA or US, "
                              "or nothing."),
                           country);

      gtk_widget_add_css_class (GTK_WIDGET (self->country_row), "error");
      show_failure (self, text);
      gtk_widget_grab_focus (GTK_WIDGET (self->country_row));
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (self->country_row), "error");

  run = g_new0 (Run, 1);
  run->self = g_object_ref (self);
  run->engine = g_object_ref (self->engine);
  run->context = g_main_context_ref_thread_default ();
  run->run_id = ++self->run_id;
  run->path = g_file_get_path (self->file);
  run->encoding = g_strdup (chosen_encoding (self));
  run->delimiter = chosen_delimiter (self);
  run->country = *country != '\0' ? g_steal_pointer (&country) : NULL;
  run->n_columns = self->column_rows->len;
  run->columns = g_new (int, MAX (run->n_columns, 1));
  for (guint c = 0; c < run->n_columns; c++)
    run->columns[c] =
        (int)adw_combo_row_get_selected (g_ptr_array_index (self->column_rows, c)) - 1;
  run->dry_run = dry_run;
  if (self->rejects_path == NULL)
    {
      g_autofree char *name = g_strdup_printf ("nexus-rejected-%d-%p.csv", getpid (), self);

      self->rejects_path = g_build_filename (g_get_tmp_dir (), name, NULL);
    }
  run->rejects_path = g_strdup (self->rejects_path);
  self->run_cancellable = g_cancellable_new ();
  self->run_dry = dry_run;
  run->cancellable = g_object_ref (self->run_cancellable);

  g_clear_pointer (&self->summary, nexus_import_summary_free);
  gtk_widget_set_visible (GTK_WIDGET (self->result_group), FALSE);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_progress_bar_set_text (self->progress_bar, dry_run ? _ ("Checking…") : _ ("Importing…"));
  update_actions (self);

  nexus_engine_run_async (self->engine, run_import, run, run_free, self->run_cancellable,
                          run_done_cb, g_object_ref (self));
}

static void
check_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  start_run (NEXUS_IMPORT_DIALOG (widget), TRUE);
}

static void
run_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  start_run (NEXUS_IMPORT_DIALOG (widget), FALSE);
}

static void
cancel_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  NexusImportDialog *self = NEXUS_IMPORT_DIALOG (widget);

  g_cancellable_cancel (self->run_cancellable);
}

static void
open_response_cb (GtkNativeDialog *chooser, int response, gpointer user_data)
{
  NexusImportDialog *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      nexus_import_dialog_set_file (self, file);
    }
  g_object_unref (chooser);
  g_object_unref (self);
}

static void
add_filter (GtkFileChooser *chooser, const char *name, const char *const *patterns)
{
  g_autoptr (GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, name);
  for (guint i = 0; patterns[i] != NULL; i++)
    gtk_file_filter_add_pattern (filter, patterns[i]);
  gtk_file_chooser_add_filter (chooser, filter);
}

static void
choose_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  nexus_import_dialog_choose_file (NEXUS_IMPORT_DIALOG (widget));
}

static void
copy_rejects_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (NexusImportDialog) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;

  if (g_file_copy_finish (G_FILE (source), result, &error))
    text = g_strdup (_ ("Rejected rows saved"));
  else
    text = g_strdup_printf (_ ("The rejected rows could not be saved: %s"), error->message);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

static void
save_response_cb (GtkNativeDialog *chooser, int response, gpointer user_data)
{
  NexusImportDialog *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT && self->rejects_path != NULL)
    {
      g_autoptr (GFile) target = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autoptr (GFile) rejects = g_file_new_for_path (self->rejects_path);

      /* The chooser asked before replacing a file. */
      g_file_copy_async (rejects, target, G_FILE_COPY_OVERWRITE | G_FILE_COPY_TARGET_DEFAULT_PERMS,
                         G_PRIORITY_DEFAULT, NULL, NULL, NULL, copy_rejects_cb,
                         g_object_ref (self));
    }
  g_object_unref (chooser);
  g_object_unref (self);
}

static void
save_rejects_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  NexusImportDialog    *self = NEXUS_IMPORT_DIALOG (widget);
  GtkFileChooserNative *chooser;
  g_autofree char      *base = NULL;
  g_autofree char      *name = NULL;
  char                 *dot;

  if (self->file == NULL || self->rejects_path == NULL)
    return;
  chooser = gtk_file_chooser_native_new (_ ("Save Rejected Rows"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _ ("_Save"), _ ("_Cancel"));
  base = g_file_get_basename (self->file);
  if ((dot = strrchr (base, '.')) != NULL)
    *dot = '\0';
  /* TRANSLATORS: the name of the file of rejected rows; %s is the name of
   * the imported file without its extension. */
  name = g_strdup_printf (_ ("%s-rejected.csv"), base);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  g_signal_connect (chooser, "response", G_CALLBACK (save_response_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static gboolean
nexus_import_dialog_close_request (GtkWindow *window)
{
  NexusImportDialog *self = NEXUS_IMPORT_DIALOG (window);

  /* A running import is rolled back. */
  g_cancellable_cancel (self->run_cancellable);
  g_cancellable_cancel (self->preview_cancellable);
  return GTK_WINDOW_CLASS (nexus_import_dialog_parent_class)->close_request (window);
}

static void
nexus_import_dialog_dispose (GObject *object)
{
  NexusImportDialog *self = NEXUS_IMPORT_DIALOG (object);

  g_cancellable_cancel (self->preview_cancellable);
  g_clear_object (&self->preview_cancellable);
  g_clear_object (&self->run_cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (object), NEXUS_TYPE_IMPORT_DIALOG);
  g_clear_pointer (&self->column_rows, g_ptr_array_unref);
  g_clear_object (&self->engine);
  g_clear_object (&self->file);
  g_clear_pointer (&self->preview, nexus_import_preview_free);
  g_clear_pointer (&self->summary, nexus_import_summary_free);
  if (self->rejects_path != NULL)
    g_unlink (self->rejects_path);
  g_clear_pointer (&self->rejects_path, g_free);

  G_OBJECT_CLASS (nexus_import_dialog_parent_class)->dispose (object);
}

static void
nexus_import_dialog_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  NexusImportDialog *self = NEXUS_IMPORT_DIALOG (object);

  switch (prop_id)
    {
      case PROP_ENGINE:
        g_value_set_object (value, self->engine);
        break;

      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nexus_import_dialog_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  NexusImportDialog *self = NEXUS_IMPORT_DIALOG (object);

  switch (prop_id)
    {
      case PROP_ENGINE:
        g_set_object (&self->engine, g_value_get_object (value));
        break;

      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nexus_import_dialog_class_init (NexusImportDialogClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = nexus_import_dialog_dispose;
  object_class->get_property = nexus_import_dialog_get_property;
  object_class->set_property = nexus_import_dialog_set_property;
  window_class->close_request = nexus_import_dialog_close_request;

  properties[PROP_ENGINE] =
      g_param_spec_object ("engine", NULL, NULL, NEXUS_TYPE_ENGINE,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS |
                               G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * NexusImportDialog::imported:
   *
   * Rows were imported into the vault (not emitted after a check).
   */
  signals[SIGNAL_IMPORTED] = g_signal_new ("imported", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/nexus/Nexus/ui/nexus-import-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, NexusImportDialog, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, NexusImportDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, NexusImportDialog, file_scroller);
  gtk_widget_class_bind_template_child (widget_class, NexusImportDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, NexusImportDialog, error_page);
  gtk_widget_class_bind_template_child (widget_class, NexusImportDialog, file_row);
  gtk_widget_class_bind_template_child (widget_class, NexusImportDialog, encoding_row);
  gtk_widget_class_bind_template_child (widget_class, NexusImportDialog, delimiter_row);
  gtk_widget_class_bind_template_child (widget_class, NexusImportDialog, country_row);
  gtk_widget_class_bind_template_child (widget_class, NexusImportDialog, preview_grid);
  gtk_widget_class_bind_template_child (widget_class, NexusImportDialog, columns_group);
  gtk_widget_class_bind_template_child (widget_class, NexusImportDialog, result_group);
  gtk_widget_class_bind_template_child (widget_class, NexusImportDialog, result_label);
  gtk_widget_class_bind_template_child (widget_class, NexusImportDialog, rejections_label);
  gtk_widget_class_bind_template_child (widget_class, NexusImportDialog, save_rejects_button);
  gtk_widget_class_bind_template_child (widget_class, NexusImportDialog, progress_bar_box);
  gtk_widget_class_bind_template_child (widget_class, NexusImportDialog, progress_bar);

  gtk_widget_class_install_action (widget_class, "import.choose", NULL, choose_action);
  gtk_widget_class_install_action (widget_class, "import.check", NULL, check_action);
  gtk_widget_class_install_action (widget_class, "import.run", NULL, run_action);
  gtk_widget_class_install_action (widget_class, "import.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "import.save-rejects", NULL, save_rejects_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "import.choose",
                                       NULL);
}

static void
nexus_import_dialog_init (NexusImportDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->column_rows = g_ptr_array_new ();
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (self->file_row), FALSE);
  g_signal_connect_object (self->encoding_row, "notify::selected", G_CALLBACK (reading_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->delimiter_row, "notify::selected", G_CALLBACK (reading_changed_cb),
                           self, G_CONNECT_SWAPPED);
  update_actions (self);
}

/**
 * nexus_import_dialog_new:
 * @engine: the engine whose vault receives the leads
 *
 * Returns: (transfer none): a new dialog, owned by GTK like any toplevel
 */
NexusImportDialog *
nexus_import_dialog_new (NexusEngine *engine)
{
  g_return_val_if_fail (NEXUS_IS_ENGINE (engine), NULL);

  return g_object_new (NEXUS_TYPE_IMPORT_DIALOG, "engine", engine, NULL);
}

NexusEngine *
nexus_import_dialog_get_engine (NexusImportDialog *self)
{
  g_return_val_if_fail (NEXUS_IS_IMPORT_DIALOG (self), NULL);

  return self->engine;
}

/**
 * nexus_import_dialog_get_file:
 *
 * Returns: (transfer none) (nullable): the file chosen
 */
GFile *
nexus_import_dialog_get_file (NexusImportDialog *self)
{
  g_return_val_if_fail (NEXUS_IS_IMPORT_DIALOG (self), NULL);

  return self->file;
}

/**
 * nexus_import_dialog_set_file:
 * @file: a local CSV, XLSX, JSON, NDJSON or GeoJSON file
 *
 * Reads the first rows of @file (on a thread) and shows them with the
 * guessed columns; encoding and delimiter go back to automatic.
 */
void
nexus_import_dialog_set_file (NexusImportDialog *self, GFile *file)
{
  g_autofree char *path = NULL;
  g_autofree char *isolated = NULL;

  g_return_if_fail (NEXUS_IS_IMPORT_DIALOG (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->run_cancellable != NULL)
    return;
  path = g_file_get_path (file);
  if (path == NULL)
    {
      show_error (self, _ ("Only files on this computer can be imported."));
      return;
    }
  g_set_object (&self->file, file);
  isolated = nexus_isolate_auto (path);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->file_row), isolated);

  /* Automatic again, without reading the file three times. */
  g_signal_handlers_block_by_func (self->encoding_row, reading_changed_cb, self);
  g_signal_handlers_block_by_func (self->delimiter_row, reading_changed_cb, self);
  adw_combo_row_set_selected (self->encoding_row, 0);
  adw_combo_row_set_selected (self->delimiter_row, 0);
  g_signal_handlers_unblock_by_func (self->encoding_row, reading_changed_cb, self);
  g_signal_handlers_unblock_by_func (self->delimiter_row, reading_changed_cb, self);

  load_preview (self);
}

/**
 * nexus_import_dialog_choose_file:
 *
 * Opens a file chooser (CSV, XLSX, JSON, NDJSON, GeoJSON) for the file to
 * import.
 */
void
nexus_import_dialog_choose_file (NexusImportDialog *self)
{
  static const char *const all[] = { "*.csv",    "*.CSV",   "*.tsv",     "*.txt",
                                     "*.xlsx",   "*.XLSX",  "*.json",    "*.JSON",
                                     "*.ndjson", "*.jsonl", "*.geojson", NULL };
  static const char *const csv[] = { "*.csv", "*.CSV", "*.tsv", "*.txt", NULL };
  static const char *const xlsx[] = { "*.xlsx", "*.XLSX", NULL };
  static const char *const json[] = { "*.json", "*.JSON", "*.ndjson", "*.jsonl", NULL };
  static const char *const geojson[] = { "*.geojson", "*.json", NULL };
  GtkFileChooserNative    *chooser;

  g_return_if_fail (NEXUS_IS_IMPORT_DIALOG (self));

  if (self->run_cancellable != NULL)
    return;
  chooser = gtk_file_chooser_native_new (_ ("Choose a File of Leads"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _ ("_Open"), _ ("_Cancel"));
  add_filter (GTK_FILE_CHOOSER (chooser), _ ("Tables of Leads (CSV, XLSX, JSON, NDJSON, GeoJSON)"),
              all);
  add_filter (GTK_FILE_CHOOSER (chooser), _ ("CSV Files"), csv);
  add_filter (GTK_FILE_CHOOSER (chooser), _ ("Excel Workbooks (XLSX)"), xlsx);
  add_filter (GTK_FILE_CHOOSER (chooser), _ ("JSON and NDJSON Files"), json);
  add_filter (GTK_FILE_CHOOSER (chooser), _ ("GeoJSON Files"), geojson);
  g_signal_connect (chooser, "response", G_CALLBACK (open_response_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

const NexusImportPreview *
_nexus_import_dialog_get_preview (NexusImportDialog *self)
{
  g_return_val_if_fail (NEXUS_IS_IMPORT_DIALOG (self), NULL);

  return self->preview;
}

AdwComboRow *
_nexus_import_dialog_get_column_row (NexusImportDialog *self, guint column)
{
  g_return_val_if_fail (NEXUS_IS_IMPORT_DIALOG (self), NULL);

  return column < self->column_rows->len ? g_ptr_array_index (self->column_rows, column) : NULL;
}

gboolean
_nexus_import_dialog_get_busy (NexusImportDialog *self)
{
  g_return_val_if_fail (NEXUS_IS_IMPORT_DIALOG (self), FALSE);

  return self->run_cancellable != NULL;
}

const NexusImportSummary *
_nexus_import_dialog_get_summary (NexusImportDialog *self)
{
  g_return_val_if_fail (NEXUS_IS_IMPORT_DIALOG (self), NULL);

  return self->summary;
}

const char *
_nexus_import_dialog_get_result_text (NexusImportDialog *self)
{
  g_return_val_if_fail (NEXUS_IS_IMPORT_DIALOG (self), NULL);

  return gtk_label_get_text (self->result_label);
}

GtkEditable *
_nexus_import_dialog_get_country_entry (NexusImportDialog *self)
{
  g_return_val_if_fail (NEXUS_IS_IMPORT_DIALOG (self), NULL);

  return GTK_EDITABLE (self->country_row);
}
