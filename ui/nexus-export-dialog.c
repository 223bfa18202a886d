/* nexus-export-dialog.c — the dialog that exports leads to a file
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The operator chooses which leads (the grid's current filter, the leads
 * selected in it, or all), a format with its options, and the columns
 * (checked and ordered, remembered in GSettings), then a file.  The export
 * runs on one of the engine's reader threads (nexus_export_leads()); the
 * dialog shows its progress from a short timer and can cancel it, which
 * leaves no file.  When it is done the dialog closes and the window shows
 * a toast that opens the folder.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "leads/nexus-export.h"
#include "nexus-export-dialog-private.h"
#include "nexus-format.h"
#include "nexus-window.h"

#define PROGRESS_INTERVAL_MS 100

/* One export, shared by the dialog and the reader thread that runs it. */
typedef struct
{
  GMutex             lock;
  gint64             done;  /* under lock */
  gint64             total; /* under lock */
  char              *path;
  GCancellable      *cancellable;
  NexusLeadsQuery   *query; /* NULL: no query scope */
  GArray            *ids;   /* gint64; NULL: no ids scope */
  GArray            *columns;
  NexusExportOptions options; /* points into query, ids and columns */
} ExportJob;

/* The counts of the three scopes, read together; -1: not asked. */
typedef struct
{
  NexusLeadsQuery *query;
  GArray          *ids;
  gint64           counts[3];
} CountJob;

struct _NexusExportDialog
{
  AdwWindow parent_instance;

  /* template children */
  GtkWidget           *export_button;
  GtkStack            *stack;
  GtkWidget           *message_group;
  GtkLabel            *error_label;
  AdwActionRow        *filter_row;
  AdwActionRow        *selection_row;
  AdwActionRow        *all_row;
  GtkCheckButton      *filter_check;
  GtkCheckButton      *selection_check;
  GtkCheckButton      *all_check;
  AdwComboRow         *format_row;
  AdwComboRow         *delimiter_row;
  AdwActionRow        *bom_row;
  AdwActionRow        *rtl_row;
  GtkSwitch           *bom_switch;
  GtkSwitch           *rtl_switch;
  AdwPreferencesGroup *columns_group;
  GtkListBox          *columns_list;
  AdwStatusPage       *progress_page;
  GtkProgressBar      *progress_bar;

  NexusEngine          *engine;   /* owned; nullable */
  NexusLeadsQuery      *query;    /* the grid's view; owned; NULL: none */
  GArray               *ids;      /* the selection (gint64); NULL: none */
  GSettings            *settings; /* NULL without the schema */
  GCancellable         *count_cancellable;
  gboolean              counted;
  ExportJob            *job; /* non-NULL while an export runs */
  guint                 progress_source;
  GtkFileChooserNative *chooser;
};

G_DEFINE_FINAL_TYPE (NexusExportDialog, nexus_export_dialog, ADW_TYPE_WINDOW)

enum
{
  PROP_0,
  PROP_ENGINE,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
export_job_clear (ExportJob *job)
{
  g_mutex_clear (&job->lock);
  g_free (job->path);
  g_clear_object (&job->cancellable);
  g_clear_pointer (&job->query, nexus_leads_query_free);
  g_clear_pointer (&job->ids, g_array_unref);
  g_clear_pointer (&job->columns, g_array_unref);
}

static ExportJob *
export_job_ref (ExportJob *job)
{
  return g_atomic_rc_box_acquire (job);
}

static void
export_job_unref (ExportJob *job)
{
  g_atomic_rc_box_release_full (job, (GDestroyNotify)export_job_clear);
}

static void
count_job_free (CountJob *job)
{
  g_clear_pointer (&job->query, nexus_leads_query_free);
  g_clear_pointer (&job->ids, g_array_unref);
  g_free (job);
}

/* The export keys of the console's settings; NULL without the schema (an
 * uninstalled build run without GSETTINGS_SCHEMA_DIR): the dialog then
 * only forgets its choices. */
static GSettings *
create_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr (GSettingsSchema) schema =
      source != NULL ? g_settings_schema_source_lookup (source, NEXUS_SETTINGS_SCHEMA_ID, TRUE)
                     : NULL;

  if (schema != NULL && g_settings_schema_has_key (schema, "export-columns"))
    return g_settings_new_full (schema, NULL, NULL);
  return NULL;
}

/* ---- scope ---------------------------------------------------------------- */

static NexusExportScope
get_scope (NexusExportDialog *self)
{
  if (gtk_check_button_get_active (self->selection_check) && self->ids != NULL)
    return NEXUS_EXPORT_SCOPE_SELECTION;
  if (gtk_check_button_get_active (self->filter_check) && self->query != NULL)
    return NEXUS_EXPORT_SCOPE_FILTER;
  return NEXUS_EXPORT_SCOPE_ALL;
}

static char *
format_lead_count (gint64 count)
{
  g_autofree char *number = nexus_format_count (count);

  return g_strdup_printf (ngettext ("%s lead", "%s leads", (unsigned long)count), number);
}

static gpointer
count_func (NexusStore *store, gpointer data, GError **error)
{
  CountJob          *job = data;
  NexusExportOptions options = { 0 };
  gint64            *counts = g_new (gint64, 3);

  counts[NEXUS_EXPORT_SCOPE_FILTER] = counts[NEXUS_EXPORT_SCOPE_SELECTION] = -1;
  if (!nexus_export_count (store, &options, &counts[NEXUS_EXPORT_SCOPE_ALL], error))
    goto failed;
  if (job->query != NULL)
    {
      options.query = job->query;
      if (!nexus_export_count (store, &options, &counts[NEXUS_EXPORT_SCOPE_FILTER], error))
        goto failed;
    }
  if (job->ids != NULL)
    {
      options.ids = (const gint64 *)job->ids->data;
      options.n_ids = job->ids->len;
      if (!nexus_export_count (store, &options, &counts[NEXUS_EXPORT_SCOPE_SELECTION], error))
        goto failed;
    }
  return counts;

failed:
  g_free (counts);
  return NULL;
}

static void update_sensitivity (NexusExportDialog *self);
static void show_message (NexusExportDialog *self, const char *message, gboolean is_error);

static void
count_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (NexusExportDialog) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree gint64 *counts = nexus_engine_read_finish (NEXUS_ENGINE (source), result, &error);
  AdwActionRow      *rows[] = { self->filter_row, self->selection_row, self->all_row };

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *subtitle = NULL;

      if (counts == NULL)
        subtitle = g_strdup (_ ("Could not count the leads"));
      else if (counts[i] >= 0)
        subtitle = format_lead_count (counts[i]);
      if (subtitle != NULL)
        adw_action_row_set_subtitle (rows[i], subtitle);
    }
  if (error != NULL)
    show_message (self, error->message, TRUE);
  self->counted = TRUE;
  update_sensitivity (self);
}

static void
count_scopes (NexusExportDialog *self)
{
  CountJob *job;

  g_cancellable_cancel (self->count_cancellable);
  g_clear_object (&self->count_cancellable);
  self->counted = FALSE;
  if (self->engine == NULL)
    return;

  job = g_new0 (CountJob, 1);
  job->query = self->query != NULL ? nexus_leads_query_copy (self->query) : NULL;
  job->ids = self->ids != NULL ? g_array_ref (self->ids) : NULL;
  self->count_cancellable = g_cancellable_new ();
  nexus_engine_read_async (self->engine, count_func, job, (GDestroyNotify)count_job_free,
                           self->count_cancellable, count_done_cb, g_object_ref (self));
}

/* ---- columns -------------------------------------------------------------- */

static NexusExportColumn
row_get_column (GtkListBoxRow *row)
{
  return GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (row), "nexus-column")) - 1;
}

static GtkCheckButton *
row_get_check (GtkListBoxRow *row)
{
  return g_object_get_data (G_OBJECT (row), "nexus-check");
}

static GtkListBoxRow *
find_column_row (NexusExportDialog *self, NexusExportColumn column)
{
  GtkListBoxRow *row;

  for (int i = 0; (row = gtk_list_box_get_row_at_index (self->columns_list, i)) != NULL; i++)
    if (row_get_column (row) == column)
      return row;
  return NULL;
}

/* The checked columns, in the order shown. */
static GArray *
get_checked_columns (NexusExportDialog *self)
{
  GArray        *columns = g_array_new (FALSE, FALSE, sizeof (NexusExportColumn));
  GtkListBoxRow *row;

  for (int i = 0; (row = gtk_list_box_get_row_at_index (self->columns_list, i)) != NULL; i++)
    if (gtk_check_button_get_active (row_get_check (row)))
      {
        NexusExportColumn column = row_get_column (row);

        g_array_append_val (columns, column);
      }
  return columns;
}

/* The first row cannot move up, the last one down. */
static void
update_move_buttons (NexusExportDialog *self)
{
  GtkListBoxRow *row;
  int            n = 0;

  while (gtk_list_box_get_row_at_index (self->columns_list, n) != NULL)
    n++;
  for (int i = 0; (row = gtk_list_box_get_row_at_index (self->columns_list, i)) != NULL; i++)
    {
      gtk_widget_set_sensitive (g_object_get_data (G_OBJECT (row), "nexus-up"), i > 0);
      gtk_widget_set_sensitive (g_object_get_data (G_OBJECT (row), "nexus-down"), i < n - 1);
    }
}

static void
move_row (NexusExportDialog *self, GtkListBoxRow *row, int delta)
{
  int index = gtk_list_box_row_get_index (row) + delta;

  if (index < 0 || gtk_list_box_get_row_at_index (self->columns_list, index) == NULL)
    return;

  g_object_ref (row);
  gtk_list_box_remove (self->columns_list, GTK_WIDGET (row));
  gtk_list_box_insert (self->columns_list, GTK_WIDGET (row), index);
  g_object_unref (row);
  update_move_buttons (self);
}

static void
move_clicked_cb (GtkButton *button, NexusExportDialog *self)
{
  GtkListBoxRow *row =
      GTK_LIST_BOX_ROW (gtk_widget_get_ancestor (GTK_WIDGET (button), GTK_TYPE_LIST_BOX_ROW));
  int delta = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "nexus-delta"));

  move_row (self, row, delta);
  /* Keep the keyboard on the button that moved, unless it can go no further. */
  if (gtk_widget_get_sensitive (GTK_WIDGET (button)))
    gtk_widget_grab_focus (GTK_WIDGET (button));
  else
    gtk_widget_grab_focus (GTK_WIDGET (row_get_check (row)));
}

static void
column_toggled_cb (NexusExportDialog *self)
{
  update_sensitivity (self);
}

/* A flat arrow button; @label says to assistive technologies which column
 * it moves, @tooltip shows on hover. */
static GtkWidget *
create_move_button (NexusExportDialog *self,
                    const char        *icon,
                    const char        *tooltip,
                    const char        *label,
                    int                delta)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_widget_add_css_class (button, "flat");
  g_object_set_data (G_OBJECT (button), "nexus-delta", GINT_TO_POINTER (delta));
  g_signal_connect (button, "clicked", G_CALLBACK (move_clicked_cb), self);
  return button;
}

static GtkWidget *
create_column_row (NexusExportDialog *self, NexusExportColumn column, gboolean checked)
{
  GtkWidget  *row = adw_action_row_new ();
  GtkWidget  *check = gtk_check_button_new ();
  const char *title = nexus_export_column_get_title (column);
  /* Translators: for screen readers; %s is a column, e.g. “Phone”. */
  g_autofree char *up_label = g_strdup_printf (_ ("Move “%s” up"), title);
  /* Translators: for screen readers; %s is a column, e.g. “Phone”. */
  g_autofree char *down_label = g_strdup_printf (_ ("Move “%s” down"), title);
  GtkWidget       *up = create_move_button (self, "go-up-symbolic", _ ("Move Up"), up_label, -1);
  GtkWidget *down = create_move_button (self, "go-down-symbolic", _ ("Move Down"), down_label, 1);
  g_autofree char *name = nexus_isolate_ltr (nexus_export_column_get_name (column));

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), name);
  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), checked);
  g_signal_connect_swapped (check, "toggled", G_CALLBACK (column_toggled_cb), self);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), up);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), down);

  g_object_set_data (G_OBJECT (row), "nexus-column", GUINT_TO_POINTER (column + 1));
  g_object_set_data (G_OBJECT (row), "nexus-check", check);
  g_object_set_data (G_OBJECT (row), "nexus-up", up);
  g_object_set_data (G_OBJECT (row), "nexus-down", down);
  return row;
}

/* Fills the list: @names (checked, in their order), then the other columns
 * of the registry, unchecked. */
static void
fill_columns (NexusExportDialog *self, const char *const *names)
{
  gboolean   shown[NEXUS_EXPORT_N_COLUMNS] = { FALSE };
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->columns_list))) != NULL)
    gtk_list_box_remove (self->columns_list, child);

  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      NexusExportColumn column;

      if (!nexus_export_column_from_name (names[i], &column) || shown[column])
        continue;
      gtk_list_box_append (self->columns_list, create_column_row (self, column, TRUE));
      shown[column] = TRUE;
    }
  for (NexusExportColumn column = 0; column < NEXUS_EXPORT_N_COLUMNS; column++)
    if (!shown[column])
      gtk_list_box_append (self->columns_list, create_column_row (self, column, FALSE));
  update_move_buttons (self);
}

static GStrv
default_column_names (void)
{
  guint                    n;
  const NexusExportColumn *columns = nexus_export_get_default_columns (&n);
  GStrv                    names = g_new0 (char *, n + 1);

  for (guint i = 0; i < n; i++)
    names[i] = g_strdup (nexus_export_column_get_name (columns[i]));
  return names;
}

static void
reset_columns_cb (NexusExportDialog *self)
{
  g_auto (GStrv) names = default_column_names ();

  fill_columns (self, (const char *const *)names);
  update_sensitivity (self);
}

/* ---- state ---------------------------------------------------------------- */

static void
update_sensitivity (NexusExportDialog *self)
{
  g_autoptr (GArray) columns = get_checked_columns (self);
  gboolean ready = self->engine != NULL && self->job == NULL && columns->len > 0;

  gtk_widget_set_sensitive (self->export_button, ready);
  adw_preferences_group_set_description (
      self->columns_group, columns->len > 0 ? _ ("Checked columns are written in this order.")
                                            : _ ("Check at least one column to export."));
}

static NexusExportFormat
get_format (NexusExportDialog *self)
{
  guint selected = adw_combo_row_get_selected (self->format_row);

  return selected < NEXUS_EXPORT_N_FORMATS ? (NexusExportFormat)selected : NEXUS_EXPORT_CSV;
}

static void
format_changed_cb (NexusExportDialog *self)
{
  NexusExportFormat format = get_format (self);

  gtk_widget_set_visible (GTK_WIDGET (self->delimiter_row), format == NEXUS_EXPORT_CSV);
  gtk_widget_set_visible (GTK_WIDGET (self->bom_row), format == NEXUS_EXPORT_CSV);
  gtk_widget_set_visible (GTK_WIDGET (self->rtl_row), format == NEXUS_EXPORT_XLSX);
}

static void
scope_toggled_cb (NexusExportDialog *self)
{
  update_sensitivity (self);
}

static void
show_message (NexusExportDialog *self, const char *message, gboolean is_error)
{
  gtk_label_set_text (self->error_label, message);
  gtk_widget_set_visible (self->message_group, message != NULL);
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->error_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->error_label), "error");
}

static void
remember_choices (NexusExportDialog *self)
{
  g_autoptr (GArray) columns = get_checked_columns (self);
  g_autoptr (GPtrArray) names = g_ptr_array_new ();

  if (self->settings == NULL)
    return;
  for (guint i = 0; i < columns->len; i++)
    g_ptr_array_add (names, (gpointer)nexus_export_column_get_name (
                                g_array_index (columns, NexusExportColumn, i)));
  g_ptr_array_add (names, NULL);
  g_settings_set_strv (self->settings, "export-columns", (const char *const *)names->pdata);
  g_settings_set_string (self->settings, "export-format",
                         nexus_export_format_to_string (get_format (self)));
  g_settings_set_boolean (self->settings, "export-csv-bom",
                          gtk_switch_get_active (self->bom_switch));
}

static void
restore_choices (NexusExportDialog *self)
{
  g_auto (GStrv) names = NULL;
  g_autofree char  *format_name = NULL;
  NexusExportFormat format;

  if (self->settings == NULL)
    {
      reset_columns_cb (self);
      return;
    }
  names = g_settings_get_strv (self->settings, "export-columns");
  fill_columns (self, (const char *const *)names);
  format_name = g_settings_get_string (self->settings, "export-format");
  if (nexus_export_format_from_string (format_name, &format))
    adw_combo_row_set_selected (self->format_row, format);
  gtk_switch_set_active (self->bom_switch,
                         g_settings_get_boolean (self->settings, "export-csv-bom"));
}

/* ---- the export ----------------------------------------------------------- */

static void
job_progress_cb (gint64 done, gint64 total, gpointer user_data)
{
  ExportJob *job = user_data;

  g_mutex_lock (&job->lock);
  job->done = done;
  job->total = total;
  g_mutex_unlock (&job->lock);
}

static gpointer
export_func (NexusStore *store, gpointer data, GError **error)
{
  ExportJob *job = data;
  gint64     rows = 0;

  if (!nexus_export_leads (store, job->path, &job->options, job_progress_cb, job, job->cancellable,
                           &rows, error))
    return NULL;
  return g_memdup2 (&rows, sizeof rows);
}

static gboolean
update_progress_cb (gpointer user_data)
{
  NexusExportDialog *self = user_data;
  g_autofree char   *done_text = NULL;
  g_autofree char   *total_text = NULL;
  g_autofree char   *text = NULL;
  gint64             done, total;

  if (self->job == NULL)
    return G_SOURCE_CONTINUE;

  g_mutex_lock (&self->job->lock);
  done = self->job->done;
  total = self->job->total;
  g_mutex_unlock (&self->job->lock);

  done_text = nexus_format_count (done);
  total_text = nexus_format_count (total);
  if (total > 0 && done >= total)
    /* Every row is written; a workbook is still being compressed. */
    text = g_strdup (_ ("Finishing the file…"));
  else
    /* Translators: rows written so far, of the total; both are numbers. */
    text = g_strdup_printf (ngettext ("%s of %s lead", "%s of %s leads", (unsigned long)total),
                            done_text, total_text);
  gtk_progress_bar_set_text (self->progress_bar, text);
  if (total > 0)
    gtk_progress_bar_set_fraction (self->progress_bar, (double)done / (double)total);
  else
    gtk_progress_bar_pulse (self->progress_bar);
  return G_SOURCE_CONTINUE;
}

static void
set_busy (NexusExportDialog *self, ExportJob *job)
{
  g_clear_pointer (&self->job, export_job_unref);
  g_clear_handle_id (&self->progress_source, g_source_remove);
  self->job = job;
  if (job != NULL)
    {
      gtk_progress_bar_set_fraction (self->progress_bar, 0);
      update_progress_cb (self);
      self->progress_source = g_timeout_add (PROGRESS_INTERVAL_MS, update_progress_cb, self);
    }
  gtk_stack_set_visible_child_name (self->stack, job != NULL ? "progress" : "form");
  update_sensitivity (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
open_folder_cb (AdwToast *toast, gpointer user_data)
{
  const char *uri = g_object_get_data (G_OBJECT (toast), "nexus-folder-uri");

  g_app_info_launch_default_for_uri_async (uri, NULL, NULL, NULL, NULL);
}

static void
show_done_toast (NexusExportDialog *self, const char *path, gint64 rows)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GFile) folder = g_file_get_parent (file);
  g_autofree char *base = g_file_get_basename (file);
  g_autofree char *count = nexus_format_count (rows);
  g_autofree char *title = NULL;
  AdwToast        *toast;

  if (!NEXUS_IS_WINDOW (parent))
    return;

  title = g_strdup_printf (
      ngettext ("Exported %s lead to “%s”", "Exported %s leads to “%s”", (unsigned long)rows),
      count, base);
  toast = adw_toast_new (title);
  adw_toast_set_timeout (toast, 8);
  if (folder != NULL)
    {
      adw_toast_set_button_label (toast, _ ("_Open Folder"));
      g_object_set_data_full (G_OBJECT (toast), "nexus-folder-uri", g_file_get_uri (folder),
                              g_free);
      g_signal_connect (toast, "button-clicked", G_CALLBACK (open_folder_cb), NULL);
    }
  nexus_window_add_toast (NEXUS_WINDOW (parent), toast);
}

static void
export_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (NexusExportDialog) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree gint64 *rows = nexus_engine_read_finish (NEXUS_ENGINE (source), result, &error);
  g_autofree char   *path = NULL;

  if (self->job == NULL)
    return;
  path = g_strdup (self->job->path);
  set_busy (self, NULL);

  if (rows != NULL)
    {
      show_done_toast (self, path, *rows);
      gtk_window_destroy (GTK_WINDOW (self));
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    show_message (self, _ ("The export was cancelled; no file was written."), FALSE);
  else
    show_message (self, error->message, TRUE);
}

/**
 * _nexus_export_dialog_export_to:
 * @self: a #NexusExportDialog
 * @file: the file to write (a local path)
 * @overwrite: whether an existing file may be replaced (the operator
 *   confirmed it)
 *
 * Starts the export chosen in the dialog to @file.
 */
void
_nexus_export_dialog_export_to (NexusExportDialog *self, GFile *file, gboolean overwrite)
{
  static const char delimiters[] = { ',', ';', '\t' };
  ExportJob        *job;
  NexusExportScope  scope;
  guint             delimiter;

  g_return_if_fail (NEXUS_IS_EXPORT_DIALOG (self));
  g_return_if_fail (G_IS_FILE (file));

  scope = get_scope (self);
  delimiter = adw_combo_row_get_selected (self->delimiter_row);

  if (self->engine == NULL || self->job != NULL)
    return;
  if (g_file_peek_path (file) == NULL)
    {
      show_message (self, _ ("Choose a file on this computer."), TRUE);
      return;
    }

  job = g_atomic_rc_box_new0 (ExportJob);
  g_mutex_init (&job->lock);
  job->path = g_strdup (g_file_peek_path (file));
  job->cancellable = g_cancellable_new ();
  job->columns = get_checked_columns (self);
  job->options.format = get_format (self);
  job->options.columns = (const NexusExportColumn *)job->columns->data;
  job->options.n_columns = job->columns->len;
  job->options.delimiter = delimiters[MIN (delimiter, G_N_ELEMENTS (delimiters) - 1)];
  job->options.bom = gtk_switch_get_active (self->bom_switch);
  job->options.rtl = gtk_switch_get_active (self->rtl_switch);
  job->options.overwrite = overwrite;
  if (scope == NEXUS_EXPORT_SCOPE_SELECTION)
    {
      job->ids = g_array_ref (self->ids);
      job->options.ids = (const gint64 *)job->ids->data;
      job->options.n_ids = job->ids->len;
    }
  else if (scope == NEXUS_EXPORT_SCOPE_FILTER)
    {
      job->query = nexus_leads_query_copy (self->query);
      job->options.query = job->query;
    }

  remember_choices (self);
  show_message (self, NULL, FALSE);
  set_busy (self, job);
  nexus_engine_read_async (self->engine, export_func, export_job_ref (job),
                           (GDestroyNotify)export_job_unref, NULL, export_done_cb,
                           g_object_ref (self));
}

static char *
suggested_name (NexusExportDialog *self)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format (now, "%Y-%m-%d");

  /* Translators: the suggested name of an export file, before its date;
   * keep it short and usable in a file name. */
  return g_strdup_printf ("%s-%s.%s", C_ ("file name", "leads"), date,
                          nexus_export_format_get_extension (get_format (self)));
}

static void
chooser_response_cb (NexusExportDialog *self, int response, GtkNativeDialog *chooser)
{
  g_autoptr (GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_clear_object (&self->chooser);
  /* The file chooser asked before it let an existing file be chosen. */
  if (file != NULL)
    _nexus_export_dialog_export_to (self, file, TRUE);
}

static void
export_clicked_cb (NexusExportDialog *self)
{
  g_autofree char *name = suggested_name (self);
  const char      *documents = g_get_user_special_dir (G_USER_DIRECTORY_DOCUMENTS);

  if (self->chooser != NULL)
    return;

  self->chooser =
      gtk_file_chooser_native_new (_ ("Export Leads"), GTK_WINDOW (self),
                                   GTK_FILE_CHOOSER_ACTION_SAVE, _ ("_Export"), _ ("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  if (documents != NULL && g_file_test (documents, G_FILE_TEST_IS_DIR))
    {
      g_autoptr (GFile) folder = g_file_new_for_path (documents);

      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (self->chooser), folder, NULL);
    }
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  g_signal_connect_swapped (self->chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
stop_clicked_cb (NexusExportDialog *self)
{
  if (self->job != NULL)
    g_cancellable_cancel (self->job->cancellable);
}

static void
cancel_clicked_cb (NexusExportDialog *self)
{
  gtk_window_close (GTK_WINDOW (self));
}

/* ---- GObject -------------------------------------------------------------- */

static gboolean
nexus_export_dialog_close_request (GtkWindow *window)
{
  NexusExportDialog *self = NEXUS_EXPORT_DIALOG (window);

  /* Closing during an export cancels it: no file is left. */
  if (self->job != NULL)
    g_cancellable_cancel (self->job->cancellable);
  return GTK_WINDOW_CLASS (nexus_export_dialog_parent_class)->close_request (window);
}

static void
nexus_export_dialog_dispose (GObject *object)
{
  NexusExportDialog *self = NEXUS_EXPORT_DIALOG (object);

  g_cancellable_cancel (self->count_cancellable);
  g_clear_object (&self->count_cancellable);
  if (self->job != NULL)
    g_cancellable_cancel (self->job->cancellable);
  g_clear_pointer (&self->job, export_job_unref);
  g_clear_handle_id (&self->progress_source, g_source_remove);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);

  gtk_widget_dispose_template (GTK_WIDGET (object), NEXUS_TYPE_EXPORT_DIALOG);

  g_clear_object (&self->engine);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->query, nexus_leads_query_free);
  g_clear_pointer (&self->ids, g_array_unref);

  G_OBJECT_CLASS (nexus_export_dialog_parent_class)->dispose (object);
}

static void
nexus_export_dialog_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  NexusExportDialog *self = NEXUS_EXPORT_DIALOG (object);

  switch (prop_id)
    {
      case PROP_ENGINE:
        g_value_set_object (value, self->engine);
        break;
      case PROP_BUSY:
        g_value_set_boolean (value, self->job != NULL);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nexus_export_dialog_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  NexusExportDialog *self = NEXUS_EXPORT_DIALOG (object);

  switch (prop_id)
    {
      case PROP_ENGINE:
        nexus_export_dialog_set_engine (self, g_value_get_object (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nexus_export_dialog_class_init (NexusExportDialogClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = nexus_export_dialog_dispose;
  object_class->get_property = nexus_export_dialog_get_property;
  object_class->set_property = nexus_export_dialog_set_property;
  window_class->close_request = nexus_export_dialog_close_request;

  properties[PROP_ENGINE] =
      g_param_spec_object ("engine", NULL, NULL, NEXUS_TYPE_ENGINE,
                           G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* Whether an export runs. */
  properties[PROP_BUSY] =
      g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                            G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/nexus/Nexus/ui/nexus-export-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, NexusExportDialog, export_button);
  gtk_widget_class_bind_template_child (widget_class, NexusExportDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, NexusExportDialog, message_group);
  gtk_widget_class_bind_template_child (widget_class, NexusExportDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, NexusExportDialog, filter_row);
  gtk_widget_class_bind_template_child (widget_class, NexusExportDialog, selection_row);
  gtk_widget_class_bind_template_child (widget_class, NexusExportDialog, all_row);
  gtk_widget_class_bind_template_child (widget_class, NexusExportDialog, filter_check);
  gtk_widget_class_bind_template_child (widget_class, NexusExportDialog, selection_check);
  gtk_widget_class_bind_template_child (widget_class, NexusExportDialog, all_check);
  gtk_widget_class_bind_template_child (widget_class, NexusExportDialog, format_row);
  gtk_widget_class_bind_template_child (widget_class, NexusExportDialog, delimiter_row);
  gtk_widget_class_bind_template_child (widget_class, NexusExportDialog, bom_row);
  gtk_widget_class_bind_template_child (widget_class, NexusExportDialog, rtl_row);
  gtk_widget_class_bind_template_child (widget_class, NexusExportDialog, bom_switch);
  gtk_widget_class_bind_template_child (widget_class, NexusExportDialog, rtl_switch);
  gtk_widget_class_bind_template_child (widget_class, NexusExportDialog, columns_group);
  gtk_widget_class_bind_template_child (widget_class, NexusExportDialog, columns_list);
  gtk_widget_class_bind_template_child (widget_class, NexusExportDialog, progress_page);
  gtk_widget_class_bind_template_child (widget_class, NexusExportDialog, progress_bar);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, export_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, stop_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, scope_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, format_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, reset_columns_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
nexus_export_dialog_init (NexusExportDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = create_settings ();
  gtk_switch_set_active (self->rtl_switch, gtk_widget_get_default_direction () == GTK_TEXT_DIR_RTL);
  restore_choices (self);
  format_changed_cb (self);
  update_sensitivity (self);
}

/**
 * nexus_export_dialog_new:
 * @parent: (nullable): the window the dialog belongs to (a #NexusWindow
 *   shows the toast of a finished export)
 * @engine: (nullable): the engine whose leads are exported
 * @query: (nullable): the leads grid's current view; NULL: no filter scope
 * @ids: (nullable) (array length=n_ids): the leads selected in the grid
 * @n_ids: how many; 0: no selection scope
 *
 * Opens on the selection when there is one, else on the grid's filter.
 *
 * Returns: (transfer none): a new dialog, owned by GTK like any toplevel
 */
NexusExportDialog *
nexus_export_dialog_new (GtkWindow             *parent,
                         NexusEngine           *engine,
                         const NexusLeadsQuery *query,
                         const gint64          *ids,
                         gsize                  n_ids)
{
  NexusExportDialog *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (engine == NULL || NEXUS_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (ids != NULL || n_ids == 0, NULL);

  self = g_object_new (NEXUS_TYPE_EXPORT_DIALOG, "transient-for", parent, NULL);
  if (query != NULL)
    self->query = nexus_leads_query_copy (query);
  if (n_ids > 0)
    {
      self->ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n_ids);
      g_array_append_vals (self->ids, ids, n_ids);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->filter_row), self->query != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->selection_row), self->ids != NULL);
  if (self->ids != NULL)
    gtk_check_button_set_active (self->selection_check, TRUE);
  else if (self->query != NULL)
    gtk_check_button_set_active (self->filter_check, TRUE);
  else
    gtk_check_button_set_active (self->all_check, TRUE);

  /* Follows the window's engine when the vault is replaced. */
  if (NEXUS_IS_WINDOW (parent))
    g_object_bind_property (parent, "engine", self, "engine", G_BINDING_SYNC_CREATE);
  else
    nexus_export_dialog_set_engine (self, engine);
  return self;
}

NexusEngine *
nexus_export_dialog_get_engine (NexusExportDialog *self)
{
  g_return_val_if_fail (NEXUS_IS_EXPORT_DIALOG (self), NULL);

  return self->engine;
}

/**
 * nexus_export_dialog_set_engine:
 * @self: a #NexusExportDialog
 * @engine: (nullable): the engine
 *
 * Counts the leads of each scope again.  An export already running goes on
 * with the engine it started with.
 */
void
nexus_export_dialog_set_engine (NexusExportDialog *self, NexusEngine *engine)
{
  g_return_if_fail (NEXUS_IS_EXPORT_DIALOG (self));
  g_return_if_fail (engine == NULL || NEXUS_IS_ENGINE (engine));

  if (!g_set_object (&self->engine, engine))
    return;
  count_scopes (self);
  update_sensitivity (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENGINE]);
}

gboolean
nexus_export_dialog_get_busy (NexusExportDialog *self)
{
  g_return_val_if_fail (NEXUS_IS_EXPORT_DIALOG (self), FALSE);

  return self->job != NULL;
}

GtkCheckButton *
_nexus_export_dialog_get_scope_button (NexusExportDialog *self, NexusExportScope scope)
{
  GtkCheckButton *buttons[] = { self->filter_check, self->selection_check, self->all_check };

  return buttons[scope];
}

AdwActionRow *
_nexus_export_dialog_get_scope_row (NexusExportDialog *self, NexusExportScope scope)
{
  AdwActionRow *rows[] = { self->filter_row, self->selection_row, self->all_row };

  return rows[scope];
}

AdwComboRow *
_nexus_export_dialog_get_format_row (NexusExportDialog *self)
{
  return self->format_row;
}

GtkWidget *
_nexus_export_dialog_get_export_button (NexusExportDialog *self)
{
  return self->export_button;
}

GtkLabel *
_nexus_export_dialog_get_error_label (NexusExportDialog *self)
{
  return self->error_label;
}

GtkCheckButton *
_nexus_export_dialog_get_column_check (NexusExportDialog *self, NexusExportColumn column)
{
  GtkListBoxRow *row = find_column_row (self, column);

  return row != NULL ? row_get_check (row) : NULL;
}

void
_nexus_export_dialog_move_column (NexusExportDialog *self, NexusExportColumn column, int delta)
{
  GtkListBoxRow *row = find_column_row (self, column);

  if (row != NULL)
    move_row (self, row, delta);
}

gboolean
_nexus_export_dialog_counted (NexusExportDialog *self)
{
  return self->counted;
}
