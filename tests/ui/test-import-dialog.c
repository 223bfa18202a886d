/* test-import-dialog.c — the import dialog driven for real
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An Arabic spreadsheet saved by Excel as CSV (Windows-1256, semicolons)
 * goes through the dialog: preview, guessed columns, one column changed,
 * a check that writes nothing, then the import — each step compared with
 * what the vault file holds, read through a connection of our own.  An
 * NDJSON file goes through it too.
 */
#include "config.h"

#include <locale.h>

#include <sqlite3.h>

#include "../nexus-test-util.h"
#include "nexus-import-dialog-private.h"
#include "nexus-window.h"

/* Seconds a step may take before the test gives up. */
#define PATIENCE 30

static NexusEngine *engine;
static char        *work_dir;

static gboolean
patience_over_cb (gpointer data)
{
  *(gboolean *)data = TRUE;
  return G_SOURCE_REMOVE;
}

typedef gboolean (*Condition) (NexusImportDialog *dialog);

/* Runs the main loop until @condition holds; fails the test after
 * PATIENCE seconds. */
static void
wait_for (NexusImportDialog *dialog, Condition condition, const char *what)
{
  gboolean over = FALSE;
  guint    source = g_timeout_add_seconds (PATIENCE, patience_over_cb, &over);

  while (!condition (dialog))
    {
      if (over)
        g_error ("still waiting for %s", what);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (source);
}

static gboolean
has_preview (NexusImportDialog *dialog)
{
  return _nexus_import_dialog_get_preview (dialog) != NULL;
}

static gboolean
run_finished (NexusImportDialog *dialog)
{
  return !_nexus_import_dialog_get_busy (dialog);
}

static gboolean
shows_error (NexusImportDialog *dialog)
{
  GtkStack *stack = GTK_STACK (
      gtk_widget_get_template_child (GTK_WIDGET (dialog), NEXUS_TYPE_IMPORT_DIALOG, "stack"));

  return g_strcmp0 (gtk_stack_get_visible_child_name (stack), "error") == 0;
}

static gint64
vault_count (const char *sql)
{
  sqlite3      *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64        value;

  g_assert_cmpint (
      sqlite3_open_v2 (nexus_engine_get_db_path (engine), &db, SQLITE_OPEN_READONLY, NULL), ==,
      SQLITE_OK);
  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static void
imported_cb (NexusImportDialog *dialog, gpointer user_data)
{
  (*(guint *)user_data)++;
}

static void
test_check_then_import (void)
{
  static const char text[] = "الاسم;جوال;المدينة;ملاحظات\n"
                             "مطعم الياسمين;0100 123 4567;القاهرة;مطعم\n"
                             "مقهى النيل;0122 765 4321;الجيزة;مقهى\n"
                             "مقهى النيل - فرع الزمالك;0122 765 4321;القاهرة;مقهى\n"
                             ";0111 000 2222;القاهرة;بلا اسم\n";
  g_autoptr (GError) error = NULL;
  g_autofree char *cp1256 = g_convert (text, -1, "WINDOWS-1256", "UTF-8", NULL, NULL, &error);
  g_autofree char *path = g_build_filename (work_dir, "عملاء.csv", NULL);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  NexusImportDialog        *dialog;
  const NexusImportPreview *preview;
  const NexusImportSummary *summary;
  guint                     imported = 0;

  g_assert_no_error (error);
  g_file_set_contents (path, cp1256, -1, &error);
  g_assert_no_error (error);

  dialog = nexus_import_dialog_new (engine);
  g_signal_connect (dialog, "imported", G_CALLBACK (imported_cb), &imported);
  gtk_window_present (GTK_WINDOW (dialog));
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (dialog), "import.check", NULL) &&
                  _nexus_import_dialog_get_busy (dialog));

  /* The preview: decoded, split on semicolons, columns guessed. */
  nexus_import_dialog_set_file (dialog, file);
  wait_for (dialog, has_preview, "the preview");
  preview = _nexus_import_dialog_get_preview (dialog);
  g_assert_cmpstr (preview->encoding, ==, "WINDOWS-1256");
  g_assert_cmpint (preview->delimiter, ==, ';');
  g_assert_cmpstr (preview->header[0], ==, "الاسم");
  g_assert_cmpstr (((char **)g_ptr_array_index (preview->rows, 0))[0], ==, "مطعم الياسمين");
  g_assert_cmpuint (adw_combo_row_get_selected (_nexus_import_dialog_get_column_row (dialog, 0)),
                    ==, NEXUS_IMPORT_FIELD_NAME + 1);
  g_assert_cmpuint (adw_combo_row_get_selected (_nexus_import_dialog_get_column_row (dialog, 1)),
                    ==, NEXUS_IMPORT_FIELD_PHONE + 1);
  g_assert_cmpuint (adw_combo_row_get_selected (_nexus_import_dialog_get_column_row (dialog, 2)),
                    ==, NEXUS_IMPORT_FIELD_CITY + 1);
  g_assert_cmpuint (adw_combo_row_get_selected (_nexus_import_dialog_get_column_row (dialog, 3)),
                    ==, 0);
  g_assert_null (_nexus_import_dialog_get_column_row (dialog, 4));

  /* The notes hold the category; the phones are Egyptian. */
  adw_combo_row_set_selected (_nexus_import_dialog_get_column_row (dialog, 3),
                              NEXUS_IMPORT_FIELD_CATEGORY + 1);
  gtk_editable_set_text (_nexus_import_dialog_get_country_entry (dialog), "eg");

  /* Check: counts shown, nothing written. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "import.check", NULL));
  g_assert_true (_nexus_import_dialog_get_busy (dialog));
  wait_for (dialog, run_finished, "the check");
  summary = _nexus_import_dialog_get_summary (dialog);
  g_assert_nonnull (summary);
  g_assert_true (summary->dry_run);
  g_assert_cmpuint (summary->rows, ==, 4);
  g_assert_cmpuint (summary->n_new, ==, 2);
  g_assert_cmpuint (summary->merged, ==, 1);
  g_assert_cmpuint (summary->rejected, ==, 1);
  g_assert_nonnull (strstr (_nexus_import_dialog_get_result_text (dialog), "nothing was written"));
  g_assert_cmpint (vault_count ("SELECT count(*) FROM leads"), ==, 0);
  g_assert_cmpuint (imported, ==, 0);

  /* Import: the same counts, now in the vault. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "import.run", NULL));
  wait_for (dialog, run_finished, "the import");
  summary = _nexus_import_dialog_get_summary (dialog);
  g_assert_nonnull (summary);
  g_assert_false (summary->dry_run);
  g_assert_cmpuint (summary->n_new, ==, 2);
  g_assert_cmpuint (summary->merged, ==, 1);
  g_assert_cmpuint (summary->rejected, ==, 1);
  g_assert_cmpuint (imported, ==, 1);
  g_assert_cmpint (vault_count ("SELECT count(*) FROM leads"), ==, 2);
  g_assert_cmpint (vault_count ("SELECT count(*) FROM lead_sources"), ==, 3);
  g_assert_cmpint (vault_count ("SELECT count(*) FROM leads l JOIN lead_phones p ON "
                                "p.lead_id = l.id WHERE l.name = 'مطعم الياسمين' AND "
                                "p.e164 = '+201001234567'"),
                   ==, 1);

  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* One object a line in a ".json" file: found to be NDJSON; each column of
 * phones guessed as Phone, and both imported. */
static void
test_ndjson (void)
{
  static const char text[] =
      "{\"name\":\"Kiosk Nord\",\"phone_e164\":\"+33 1 42 00 00 60\",\"other_phones\":"
      "[\"+33 1 42 00 00 61\"],\"city\":\"Paris\",\"rating\":4}\n"
      "{\"name\":\"Kiosk Sud\",\"phone_e164\":\"+33 1 42 00 00 62\",\"city\":\"Paris\"}\n";
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (work_dir, "kiosks.json", NULL);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  NexusImportDialog        *dialog;
  const NexusImportPreview *preview;
  const NexusImportSummary *summary;
  const NexusImportField    expected[] = {
       NEXUS_IMPORT_FIELD_NAME, NEXUS_IMPORT_FIELD_PHONE,  NEXUS_IMPORT_FIELD_PHONE,
       NEXUS_IMPORT_FIELD_CITY, NEXUS_IMPORT_FIELD_RATING,
  };

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  dialog = nexus_import_dialog_new (engine);
  gtk_window_present (GTK_WINDOW (dialog));
  nexus_import_dialog_set_file (dialog, file);
  wait_for (dialog, has_preview, "the preview");
  preview = _nexus_import_dialog_get_preview (dialog);
  g_assert_cmpint (preview->format, ==, NEXUS_IMPORT_FORMAT_NDJSON);
  g_assert_cmpuint (preview->rows->len, ==, 2);
  for (guint c = 0; c < G_N_ELEMENTS (expected); c++)
    g_assert_cmpuint (adw_combo_row_get_selected (_nexus_import_dialog_get_column_row (dialog, c)),
                      ==, expected[c] + 1);
  g_assert_cmpstr (((char **)g_ptr_array_index (preview->rows, 0))[2], ==, "+33 1 42 00 00 61");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "import.run", NULL));
  wait_for (dialog, run_finished, "the import");
  summary = _nexus_import_dialog_get_summary (dialog);
  g_assert_nonnull (summary);
  g_assert_cmpuint (summary->n_new, ==, 2);
  g_assert_cmpuint (summary->rejected, ==, 0);
  g_assert_cmpint (vault_count ("SELECT count(*) FROM leads l JOIN lead_phones p ON "
                                "p.lead_id = l.id WHERE l.name = 'Kiosk Nord' AND l.rating = 4"),
                   ==, 2);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static void
test_unreadable_file (void)
{
  g_autofree char *path = g_build_filename (work_dir, "garbage.csv", NULL);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GError) error = NULL;
  NexusImportDialog *dialog = nexus_import_dialog_new (engine);

  g_file_set_contents (path, "\x01\x02\x00\x00\x7f\x03binary\x00", 14, &error);
  g_assert_no_error (error);
  gtk_window_present (GTK_WINDOW (dialog));
  nexus_import_dialog_set_file (dialog, file);

  /* The error page says why; nothing can be checked or imported. */
  wait_for (dialog, shows_error, "the error page");
  g_assert_null (_nexus_import_dialog_get_preview (dialog));
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (dialog), "import.run", NULL) &&
                  _nexus_import_dialog_get_busy (dialog));
  g_assert_false (_nexus_import_dialog_get_busy (dialog));
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* The window offers the import as win.import-leads. */
static void
test_window_action (void)
{
  NexusWindow        *window = nexus_window_new (NULL, engine);
  gboolean            found = FALSE;
  GType               owner;
  const char         *name = NULL;
  const GVariantType *parameter_type = NULL;
  const char         *property = NULL;

  for (guint i = 0; gtk_widget_class_query_action (GTK_WIDGET_GET_CLASS (window), i, &owner, &name,
                                                   &parameter_type, &property);
       i++)
    found |= g_strcmp0 (name, "win.import-leads") == 0;
  g_assert_true (found);
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char *argv[])
{
  g_autoptr (GError) error = NULL;
  g_autofree char *db_path = NULL;
  int              status;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  work_dir = nexus_test_make_dir ("import-dialog");
  db_path = g_build_filename (work_dir, "vault.db", NULL);
  engine = nexus_engine_new (db_path, NEXUS_ENGINE_DEFAULT, &error);
  g_assert_no_error (error);

  g_test_add_func ("/nexus/ImportDialog/check-then-import", test_check_then_import);
  g_test_add_func ("/nexus/ImportDialog/ndjson", test_ndjson);
  g_test_add_func ("/nexus/ImportDialog/unreadable-file", test_unreadable_file);
  g_test_add_func ("/nexus/ImportDialog/window-action", test_window_action);
  status = g_test_run ();

  nexus_engine_shutdown (engine);
  g_clear_object (&engine);
  nexus_test_remove_dir (work_dir);
  g_free (work_dir);
  return status;
}
