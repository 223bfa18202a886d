/* test-operations-page.c — the Operations page on a demo vault
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A real NexusWindow on the Operations page, driven through the page's
 * actions and dialogs (the file choosers are the only part skipped: their
 * answer is the path the ops.backup-to and ops.restore-from actions take).
 * What the page did is checked against the files and the database.  The
 * window gets the same app.restore the console installs, backed by the
 * console's own restart (app/nexus-console-restore.c).
 */
#include "config.h"

#include <locale.h>
#include <string.h>

#include <sqlite3.h>

#include <adwaita.h>

#include "../nexus-test-sql.h"
#include "../nexus-test-util.h"
#include "nexus-console-restore.h"
#include "nexus-engine.h"
#include "nexus-leads-page.h"
#include "nexus-operations-page-private.h"
#include "nexus-window.h"
#include "ops/nexus-backup.h"
#include "ops/nexus-maintenance.h"

#define PATIENCE_S 60

static NexusEngine *engine; /* the demo vault the window opens on */
static char        *tmp_dir;
static NexusWindow *window;

typedef gboolean (*Condition) (gpointer data);

static gboolean
flag_cb (gpointer data)
{
  *(gboolean *)data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the main context until @condition holds; fails after
 * PATIENCE_S. */
static void
iterate_until (Condition condition, gpointer data, const char *what)
{
  gboolean late = FALSE;
  guint    id = g_timeout_add_seconds (PATIENCE_S, flag_cb, &late);

  while (!condition (data) && !late)
    g_main_context_iteration (NULL, TRUE);
  if (late)
    g_error ("waited %d s for %s", PATIENCE_S, what);
  g_source_remove (id);
}

static gboolean
page_idle (gpointer data)
{
  return _nexus_operations_page_get_busy (data) == 0;
}

static gboolean
has_dialog (gpointer data)
{
  return _nexus_operations_page_get_dialog (data) != NULL;
}

static gboolean
restored (gpointer data)
{
  return !_nexus_operations_page_get_restoring (data);
}

static gboolean
leads_counted (gpointer data)
{
  return !nexus_page_get_loading (NEXUS_PAGE (data)) && nexus_leads_page_get_count (data) >= 0;
}

static NexusOperationsPage *
operations_page (void)
{
  GtkWidget *page;

  nexus_window_set_page (window, "operations");
  page = gtk_stack_get_visible_child (
      GTK_STACK (gtk_widget_get_ancestor (nexus_window_get_leads_page (window), GTK_TYPE_STACK)));
  g_assert_true (NEXUS_IS_OPERATIONS_PAGE (page));
  iterate_until (page_idle, page, "the page to read the vault");
  return NEXUS_OPERATIONS_PAGE (page);
}

/* SELECT of one integer on the vault file the window's engine has open. */
static gint64
sql_int (const char *sql, const char *text)
{
  sqlite3      *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64        value = -1;

  g_assert_cmpint (sqlite3_open_v2 (nexus_engine_get_db_path (nexus_window_get_engine (window)),
                                    &db, SQLITE_OPEN_READONLY, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (text != NULL)
    sqlite3_bind_text (stmt, 1, text, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static void
respond (NexusOperationsPage *page, const char *response)
{
  AdwMessageDialog *dialog = _nexus_operations_page_get_dialog (page);

  g_assert_nonnull (dialog);
  g_assert_true (adw_message_dialog_has_response (dialog, response));
  adw_message_dialog_response (dialog, response);
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_null (_nexus_operations_page_get_dialog (page));
}

/* Backs up through the page into @name in the test folder. */
static char *
back_up (NexusOperationsPage *page, const char *name)
{
  char *path = g_build_filename (tmp_dir, name, NULL);

  gtk_widget_activate_action (GTK_WIDGET (page), "ops.backup-to", "s", path);
  iterate_until (page_idle, page, "the backup");
  return path;
}

static void
test_backup (void)
{
  NexusOperationsPage *page = operations_page ();
  g_autofree char     *zip = back_up (page, "page-backup.zip");
  g_autofree char     *elsewhere = g_build_filename (tmp_dir, "elsewhere.db", NULL);
  g_autoptr (NexusRestore) restore = NULL;
  g_autoptr (GError) error = NULL;
  const NexusBackupInfo *info;
  gint64                 leads = sql_int ("SELECT count(*) FROM leads", NULL);
  gboolean               found = FALSE;

  g_assert_nonnull (strstr (_nexus_operations_page_get_status (page, "backup"), "Backup saved"));
  g_assert_true (g_file_test (zip, G_FILE_TEST_IS_REGULAR));

  /* A sound archive: it verifies and holds the vault's leads. */
  restore = nexus_restore_prepare (zip, elsewhere, NULL, &error);
  g_assert_no_error (error);
  info = nexus_restore_get_info (restore);
  for (guint i = 0; info->tables[i] != NULL; i++)
    if (g_str_equal (info->tables[i], "leads"))
      {
        g_assert_cmpint (info->counts[i], ==, leads);
        found = TRUE;
      }
  g_assert_true (found);
  g_assert_cmpint (leads, >, 0);
}

static void
test_restore_refuses_truncated (void)
{
  NexusOperationsPage *page = operations_page ();
  g_autofree char     *zip = back_up (page, "whole.zip");
  g_autofree char     *cut = g_build_filename (tmp_dir, "truncated.zip", NULL);
  g_autofree char     *contents = NULL;
  g_autofree char     *before = NULL;
  g_autofree char     *after = NULL;
  const char          *db = nexus_engine_get_db_path (engine);
  const char          *status;
  gsize                length = 0;
  g_autoptr (GError) error = NULL;

  g_assert_true (g_file_get_contents (zip, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (cut, contents, (gssize)(length / 2), &error));
  g_assert_no_error (error);

  /* The vault is live (the engine checkpoints and keeps its own records
   * while the test runs): its data is compared, not the file's bytes.
   * nexusctl restore, with no engine running, is byte-compared in
   * tests/app/test-ctl-ops.c. */
  before = nexus_test_vault_sha256 (db);
  gtk_widget_activate_action (GTK_WIDGET (page), "ops.restore-from", "s", cut);
  iterate_until (page_idle, page, "the archive's verification");

  /* Refused in place, with the reason, and no confirmation asked. */
  status = _nexus_operations_page_get_status (page, "restore");
  g_assert_nonnull (status);
  g_assert_nonnull (strstr (status, "cannot be restored"));
  g_assert_nonnull (strstr (status, "Nothing was changed"));
  g_assert_null (_nexus_operations_page_get_dialog (page));
  g_assert_false (_nexus_operations_page_get_restoring (page));
  g_assert_true (nexus_window_get_engine (window) == engine);

  after = nexus_test_vault_sha256 (db);
  g_assert_cmpstr (before, ==, after);
}

static void
test_validate (void)
{
  NexusOperationsPage *page = operations_page ();
  GtkListBox          *list = _nexus_operations_page_get_checks (page);
  guint                checks = 0;
  gboolean             integrity = FALSE;

  gtk_widget_activate_action (GTK_WIDGET (page), "ops.validate", NULL);
  iterate_until (page_idle, page, "the validation");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (list)));

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      const char *name = g_object_get_data (G_OBJECT (row), "check-name");

      if (name == NULL)
        continue; /* a heading */
      checks++;
      g_assert_cmpint (GPOINTER_TO_INT (g_object_get_data (G_OBJECT (row), "check-status")), ==,
                       NEXUS_CHECK_PASS);
      integrity |= g_str_equal (name, "integrity");
    }
  g_assert_cmpuint (checks, >=, 5);
  g_assert_true (integrity);
}

static void
test_webhook_add_remove (void)
{
  NexusOperationsPage *page = operations_page ();
  const char          *url = "http://127.0.0.1:9/receiver";
  const char          *count_sql = "SELECT count(*) FROM webhook_endpoints WHERE url = ?1";
  g_autofree char     *remove_target = NULL;
  GtkEditable         *entry;
  gint64               id;

  g_assert_cmpint (sql_int (count_sql, url), ==, 0);

  gtk_widget_activate_action (GTK_WIDGET (page), "ops.add-webhook", NULL);
  iterate_until (has_dialog, page, "the add dialog");
  entry = _nexus_operations_page_get_webhook_url (page);
  g_assert_nonnull (entry);

  /* A bad address is refused in place. */
  gtk_editable_set_text (entry, "ftp://example.com/");
  g_assert_false (
      adw_message_dialog_get_response_enabled (_nexus_operations_page_get_dialog (page), "add"));
  gtk_editable_set_text (entry, url);
  g_assert_true (
      adw_message_dialog_get_response_enabled (_nexus_operations_page_get_dialog (page), "add"));
  respond (page, "add");
  iterate_until (page_idle, page, "the webhook to be added");

  g_assert_cmpint (sql_int (count_sql, url), ==, 1);
  /* The secret is shown once, and stored sealed or not, never elsewhere. */
  g_assert_cmpstr (adw_message_dialog_get_heading (_nexus_operations_page_get_dialog (page)), ==,
                   "Signing Secret");
  respond (page, "done");

  id = sql_int ("SELECT id FROM webhook_endpoints WHERE url = ?1", url);
  gtk_widget_activate_action (GTK_WIDGET (page), "ops.remove-webhook", "x", id);
  /* Cancelled: it stays. */
  respond (page, "cancel");
  iterate_until (page_idle, page, "nothing");
  g_assert_cmpint (sql_int (count_sql, url), ==, 1);

  gtk_widget_activate_action (GTK_WIDGET (page), "ops.remove-webhook", "x", id);
  respond (page, "remove");
  iterate_until (page_idle, page, "the webhook to be removed");
  g_assert_cmpint (sql_int (count_sql, url), ==, 0);
}

/* The window's app.restore, as the console installs it. */
static void
restore_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusEngine) restarted =
      nexus_console_restore_finish (NEXUS_WINDOW (object), result, &error);

  g_assert_no_error (error);
  g_assert_nonnull (restarted);
}

static void
restore_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  nexus_console_restore_async (window, g_variant_get_string (parameter, NULL), "127.0.0.1:0", FALSE,
                               restore_done_cb, NULL);
}

static void
test_restore_restarts (void)
{
  NexusOperationsPage *page = operations_page ();
  GtkWidget           *leads_page = nexus_window_get_leads_page (window);
  g_autofree char     *other_db = g_build_filename (tmp_dir, "other", "vault.db", NULL);
  g_autofree char     *other_zip = g_build_filename (tmp_dir, "other.zip", NULL);
  g_autofree char     *other_dir = g_path_get_dirname (other_db);
  g_autoptr (NexusEngine) other = NULL;
  g_autoptr (NexusBackupInfo) info = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) dir = NULL;
  const char *name;
  gboolean    safety = FALSE;
  gint64      archived = -1;

  /* An archive of another vault, without the demo leads. */
  g_assert_cmpint (g_mkdir_with_parents (other_dir, 0700), ==, 0);
  other = nexus_engine_new (other_db, NEXUS_ENGINE_DEFAULT, &error);
  g_assert_no_error (error);
  nexus_engine_shutdown (other);
  info = nexus_backup_pack_file (other_db, other_zip, NEXUS_BACKUP_DEFAULT, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; info->tables[i] != NULL; i++)
    if (g_str_equal (info->tables[i], "leads"))
      archived = info->counts[i];
  g_assert_cmpint (archived, >=, 0);

  iterate_until (leads_counted, leads_page, "the leads count");
  g_assert_cmpint (nexus_leads_page_get_count (NEXUS_LEADS_PAGE (leads_page)), !=, archived);

  gtk_widget_activate_action (GTK_WIDGET (page), "ops.restore-from", "s", other_zip);
  iterate_until (page_idle, page, "the archive's verification");
  g_assert_nonnull (strstr (
      adw_message_dialog_get_heading (_nexus_operations_page_get_dialog (page)), "Restore"));
  respond (page, "restore");
  g_assert_true (_nexus_operations_page_get_restoring (page));
  iterate_until (restored, page, "the engine to restart");

  /* A new engine on the same file, given to every page. */
  g_assert_nonnull (nexus_window_get_engine (window));
  g_assert_true (nexus_window_get_engine (window) != engine);
  g_assert_cmpstr (nexus_engine_get_db_path (nexus_window_get_engine (window)), ==,
                   nexus_engine_get_db_path (engine));
  g_assert_true (nexus_page_get_engine (NEXUS_PAGE (leads_page)) ==
                 nexus_window_get_engine (window));

  iterate_until (leads_counted, leads_page, "the leads count of the restored vault");
  g_assert_cmpint (nexus_leads_page_get_count (NEXUS_LEADS_PAGE (leads_page)), ==, archived);
  g_assert_cmpint (sql_int ("SELECT count(*) FROM leads", NULL), ==, archived);

  /* The previous database is kept beside it. */
  dir = g_dir_open (tmp_dir, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    safety |= g_str_has_prefix (name, "vault.db.before-restore-");
  g_assert_true (safety);
}

int
main (int argc, char *argv[])
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSimpleActionGroup) app_actions = g_simple_action_group_new ();
  g_autoptr (GSimpleAction) restore = g_simple_action_new ("restore", G_VARIANT_TYPE_STRING);
  g_autofree char *db_path = NULL;
  int              status;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  tmp_dir = nexus_test_make_dir ("operations-page");
  db_path = g_build_filename (tmp_dir, "vault.db", NULL);
  engine = nexus_engine_new (db_path, NEXUS_ENGINE_SEED_DEMO, &error);
  g_assert_no_error (error);

  window = nexus_window_new (NULL, engine);
  g_object_ref_sink (window);
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 800);
  g_signal_connect (restore, "activate", G_CALLBACK (restore_activated), NULL);
  g_action_map_add_action (G_ACTION_MAP (app_actions), G_ACTION (restore));
  gtk_widget_insert_action_group (GTK_WIDGET (window), "app", G_ACTION_GROUP (app_actions));
  gtk_window_present (GTK_WINDOW (window));

  g_test_add_func ("/nexus/OperationsPage/backup", test_backup);
  g_test_add_func ("/nexus/OperationsPage/restore-refuses-truncated",
                   test_restore_refuses_truncated);
  g_test_add_func ("/nexus/OperationsPage/validate", test_validate);
  g_test_add_func ("/nexus/OperationsPage/webhook-add-remove", test_webhook_add_remove);
  /* Last: it replaces the vault. */
  g_test_add_func ("/nexus/OperationsPage/restore-restarts", test_restore_restarts);

  status = g_test_run ();

  if (nexus_window_get_engine (window) != NULL)
    nexus_engine_shutdown (nexus_window_get_engine (window));
  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (window);
  nexus_engine_shutdown (engine);
  g_clear_object (&engine);
  nexus_test_remove_dir (tmp_dir);
  g_free (tmp_dir);
  return status;
}
