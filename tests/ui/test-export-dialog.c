/* test-export-dialog.c — the export dialog on a demo vault
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A real NexusWindow: the leads grid gets a filter, win.export-leads opens
 * the dialog, the dialog is driven through its widgets and writes a file,
 * which is read back and compared with plain SQL on the vault.
 */
#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib/gstdio.h>

#include <adwaita.h>

#include "../nexus-test-sql.h"
#include "../nexus-test-util.h"
#include "nexus-engine.h"
#include "nexus-export-dialog-private.h"
#include "nexus-leads-page.h"
#include "nexus-ui-test.h"
#include "nexus-window.h"

#define GIVE_UP_SECONDS 30

static NexusEngine *engine;
static char        *tmp_dir;

static gboolean
give_up_cb (gpointer data)
{
  g_error ("gave up waiting after %d s", GIVE_UP_SECONDS);
  return G_SOURCE_REMOVE;
}

/* Runs the main loop until @done says so. */
static void
iterate_until (gboolean (*done) (gpointer data), gpointer data)
{
  guint give_up = g_timeout_add_seconds (GIVE_UP_SECONDS, give_up_cb, NULL);

  while (!done (data))
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (give_up);
}

static gboolean
is_mapped (gpointer widget)
{
  return gtk_widget_get_mapped (widget);
}

static gboolean
is_counted (gpointer dialog)
{
  return _nexus_export_dialog_counted (dialog);
}

static gboolean
is_idle (gpointer dialog)
{
  return !nexus_export_dialog_get_busy (dialog);
}

static gboolean
is_null (gpointer location)
{
  return *(gpointer *)location == NULL;
}

static NexusExportDialog *
find_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GObject) window = g_list_model_get_item (toplevels, i);

      if (NEXUS_IS_EXPORT_DIALOG (window))
        return NEXUS_EXPORT_DIALOG (window);
    }
  return NULL;
}

/* Activates win.export-leads with @ids and returns the dialog it opened. */
static NexusExportDialog *
open_dialog (NexusWindow *window, const guint64 *ids, gsize n_ids)
{
  NexusExportDialog *dialog;

  g_assert_true (gtk_widget_activate_action_variant (
      GTK_WIDGET (window), "win.export-leads",
      g_variant_new_fixed_array (G_VARIANT_TYPE_UINT64, ids, n_ids, sizeof (guint64))));
  dialog = find_dialog ();
  g_assert_nonnull (dialog);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (window));
  iterate_until (is_mapped, dialog);
  iterate_until (is_counted, dialog);
  return dialog;
}

static NexusWindow *
show_window (void)
{
  NexusWindow *window = nexus_window_new (NULL, engine);

  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 800);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (nexus_window_set_page (window, "leads"));
  iterate_until (is_mapped, nexus_window_get_leads_page (window));
  return window;
}

static GArray *
sql_ids (const char *sql)
{
  return nexus_test_sql_ids (nexus_engine_get_db_path (engine), sql);
}

/* Whether a scope's subtitle gives @count leads. */
static void
assert_subtitle_count (NexusExportDialog *dialog, NexusExportScope scope, guint count)
{
  const char *subtitle =
      adw_action_row_get_subtitle (_nexus_export_dialog_get_scope_row (dialog, scope));
  g_autofree char *expected = g_strdup_printf ("%u lead", count);

  g_assert_true (g_str_has_prefix (subtitle, expected));
}

/* The grid filtered on "Won", exported as CSV with one column unchecked
 * and one moved: the file holds exactly the won leads, in the grid's
 * order, with the chosen columns. */
static void
test_csv_of_filter (void)
{
  NexusWindow       *window = show_window ();
  GtkWidget         *page = nexus_window_get_leads_page (window);
  GtkWidget         *status_filter = nexus_test_find_type (page, GTK_TYPE_DROP_DOWN);
  NexusExportDialog *dialog;
  g_autoptr (GArray) expected = sql_ids (
      "SELECT id FROM leads WHERE preview_only = 0 AND status = 'won' ORDER BY name_norm, id");
  g_autofree char *file_path = g_build_filename (tmp_dir, "won.csv", NULL);
  g_autoptr (GFile) file = g_file_new_for_path (file_path);
  g_autoptr (GPtrArray) records = NULL;
  g_autoptr (GSettings) settings = g_settings_new ("io.nexus.Nexus");
  g_auto (GStrv) remembered = NULL;
  GStrv header;

  g_assert_cmpuint (expected->len, >, 1);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (status_filter), 4); /* all, new, …, won */
  g_assert_cmpstr (nexus_leads_page_get_query (NEXUS_LEADS_PAGE (page))->status, ==, "won");

  dialog = open_dialog (window, NULL, 0);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *)&dialog);

  /* The filter is the scope offered first, with its count. */
  g_assert_true (gtk_check_button_get_active (
      _nexus_export_dialog_get_scope_button (dialog, NEXUS_EXPORT_SCOPE_FILTER)));
  g_assert_false (gtk_widget_get_visible (
      GTK_WIDGET (_nexus_export_dialog_get_scope_row (dialog, NEXUS_EXPORT_SCOPE_SELECTION))));
  assert_subtitle_count (dialog, NEXUS_EXPORT_SCOPE_FILTER, expected->len);

  /* CSV; no category; the city moved before the phone. */
  adw_combo_row_set_selected (_nexus_export_dialog_get_format_row (dialog), NEXUS_EXPORT_CSV);
  gtk_check_button_set_active (
      _nexus_export_dialog_get_column_check (dialog, NEXUS_EXPORT_COLUMN_CATEGORY), FALSE);
  _nexus_export_dialog_move_column (dialog, NEXUS_EXPORT_COLUMN_CITY, -1);
  _nexus_export_dialog_move_column (dialog, NEXUS_EXPORT_COLUMN_CITY, -1);
  g_assert_true (gtk_widget_get_sensitive (_nexus_export_dialog_get_export_button (dialog)));

  _nexus_export_dialog_export_to (dialog, file, FALSE);
  /* Done: the dialog closes itself. */
  iterate_until (is_null, &dialog);

  records = nexus_test_read_csv (file_path, ',');
  header = g_ptr_array_index (records, 0);
  g_assert_cmpstr (header[0], ==, "id");
  g_assert_cmpstr (header[1], ==, "name");
  g_assert_cmpstr (header[2], ==, "city");
  g_assert_cmpstr (header[3], ==, "phone_e164");
  g_assert_false (g_strv_contains ((const char *const *)header, "category"));
  g_assert_cmpuint (records->len, ==, expected->len + 1);
  for (guint i = 1; i < records->len; i++)
    {
      GStrv record = g_ptr_array_index (records, i);

      g_assert_cmpint (g_ascii_strtoll (record[0], NULL, 10), ==,
                       g_array_index (expected, gint64, i - 1));
    }

  /* The columns are remembered, in their order. */
  remembered = g_settings_get_strv (settings, "export-columns");
  g_assert_cmpstr (remembered[0], ==, "id");
  g_assert_cmpstr (remembered[2], ==, "city");
  g_assert_false (g_strv_contains ((const char *const *)remembered, "category"));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* A selection of two leads; an existing file is not replaced without the
 * operator's word: a message in the dialog, the file unchanged. */
static void
test_selection_keeps_existing_file (void)
{
  NexusWindow       *window = show_window ();
  NexusExportDialog *dialog;
  const guint64      ids[] = { 2, 5 };
  g_autofree char   *file_path = g_build_filename (tmp_dir, "mine.json", NULL);
  g_autoptr (GFile) file = g_file_new_for_path (file_path);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  GtkLabel        *message;

  g_assert_true (g_file_set_contents (file_path, "[]", -1, NULL));
  before = nexus_test_file_sha256 (file_path);

  dialog = open_dialog (window, ids, G_N_ELEMENTS (ids));
  g_assert_true (gtk_check_button_get_active (
      _nexus_export_dialog_get_scope_button (dialog, NEXUS_EXPORT_SCOPE_SELECTION)));
  assert_subtitle_count (dialog, NEXUS_EXPORT_SCOPE_SELECTION, 2);

  adw_combo_row_set_selected (_nexus_export_dialog_get_format_row (dialog), NEXUS_EXPORT_JSON);
  _nexus_export_dialog_export_to (dialog, file, FALSE);
  iterate_until (is_idle, dialog);

  message = _nexus_export_dialog_get_error_label (dialog);
  g_assert_true (gtk_widget_is_visible (GTK_WIDGET (message)));
  g_assert_nonnull (strstr (gtk_label_get_text (message), "already exists"));
  after = nexus_test_file_sha256 (file_path);
  g_assert_cmpstr (before, ==, after);

  /* Nothing checked: nothing to export. */
  for (NexusExportColumn column = 0; column < NEXUS_EXPORT_N_COLUMNS; column++)
    gtk_check_button_set_active (_nexus_export_dialog_get_column_check (dialog, column), FALSE);
  g_assert_false (gtk_widget_get_sensitive (_nexus_export_dialog_get_export_button (dialog)));

  gtk_window_destroy (GTK_WINDOW (dialog));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Ctrl+E is bound to win.export-leads with no ids: the dialog opens on the
 * grid's filter. */
static void
test_shortcut (void)
{
  NexusWindow *window = show_window ();
  g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (window));
  GtkShortcut       *found = NULL;
  NexusExportDialog *dialog;

  for (guint i = 0; i < g_list_model_get_n_items (controllers) && found == NULL; i++)
    {
      g_autoptr (GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr (GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          g_autofree char *trigger =
              gtk_shortcut_trigger_to_string (gtk_shortcut_get_trigger (shortcut));
          GtkShortcutAction *action = gtk_shortcut_get_action (shortcut);

          if (g_str_equal (trigger, "<Control>e") && GTK_IS_NAMED_ACTION (action) &&
              g_str_equal (gtk_named_action_get_action_name (GTK_NAMED_ACTION (action)),
                           "win.export-leads"))
            found = g_steal_pointer (&shortcut);
          if (found != NULL)
            break;
        }
    }
  g_assert_nonnull (found);

  g_assert_null (find_dialog ());
  g_assert_true (gtk_shortcut_action_activate (
      gtk_shortcut_get_action (found), 0, GTK_WIDGET (window), gtk_shortcut_get_arguments (found)));
  dialog = find_dialog ();
  g_assert_nonnull (dialog);
  iterate_until (is_counted, dialog);
  g_assert_true (gtk_check_button_get_active (
      _nexus_export_dialog_get_scope_button (dialog, NEXUS_EXPORT_SCOPE_FILTER)));
  g_object_unref (found);

  gtk_window_destroy (GTK_WINDOW (dialog));
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char *argv[])
{
  g_autoptr (GError) error = NULL;
  g_autofree char *db_path = NULL;
  int              status;

  g_test_init (&argc, &argv, NULL);
  setlocale (LC_ALL, "");
  adw_init (); /* initializes GTK too */
  /* No transitions to wait for. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  tmp_dir = nexus_test_make_dir ("export-dialog");
  db_path = g_build_filename (tmp_dir, "vault.db", NULL);
  engine = nexus_engine_new (db_path, NEXUS_ENGINE_SEED_DEMO, &error);
  g_assert_no_error (error);

  g_test_add_func ("/nexus/ExportDialog/csv-of-filter", test_csv_of_filter);
  g_test_add_func ("/nexus/ExportDialog/selection-keeps-existing-file",
                   test_selection_keeps_existing_file);
  g_test_add_func ("/nexus/ExportDialog/shortcut", test_shortcut);

  status = g_test_run ();

  nexus_engine_shutdown (engine);
  g_clear_object (&engine);
  nexus_test_remove_dir (tmp_dir);
  g_free (tmp_dir);
  return status;
}
