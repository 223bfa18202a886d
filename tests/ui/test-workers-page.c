/* test-workers-page.c — the Workers page on a real engine
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A NexusWindow on the Workers page, driven through its actions and
 * dialogs.  What it shows is compared with the vault file; the worker's
 * heartbeats are stopped by moving its last visit back, and the engine's
 * fleet watcher is ticked so that it notices.
 */
#include "config.h"

#include <locale.h>
#include <math.h>
#include <string.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include <adwaita.h>

#include "../nexus-test-util.h"
#include "api/nexus-workers.h"
#include "nexus-chart.h"
#include "nexus-engine.h"
#include "nexus-notifier.h"
#include "nexus-ui-test.h"
#include "nexus-window.h"
#include "nexus-workers-page-private.h"

static NexusEngine *engine;
static char        *tmp_dir;

/* A stand-in for the desktop's notification server (org.gtk.Notifications,
 * which GLib's GNotification backend talks to when the name is owned): the
 * notifications it was asked to show, as (app id, id, notification). */
static GApplication *application;
static GPtrArray    *shown_notifications; /* GVariant "(ssa{sv})" */

static const char notifications_xml[] =
    "<node><interface name='org.gtk.Notifications'>"
    "<method name='AddNotification'><arg type='s' direction='in'/><arg type='s' direction='in'/>"
    "<arg type='a{sv}' direction='in'/></method>"
    "<method name='RemoveNotification'><arg type='s' direction='in'/>"
    "<arg type='s' direction='in'/></method>"
    "</interface></node>";

static void
notifications_call_cb (GDBusConnection       *connection,
                       const char            *sender,
                       const char            *object_path,
                       const char            *interface_name,
                       const char            *method_name,
                       GVariant              *parameters,
                       GDBusMethodInvocation *invocation,
                       gpointer               user_data)
{
  if (g_str_equal (method_name, "AddNotification"))
    g_ptr_array_add (shown_notifications, g_variant_ref (parameters));
  g_dbus_method_invocation_return_value (invocation, NULL);
}

static void
name_acquired_cb (GDBusConnection *connection, const char *name, gpointer data)
{
  *(gboolean *)data = TRUE;
}

/* Serves org.gtk.Notifications on the session bus and registers the
 * application that sends; FALSE without a session bus. */
static gboolean
start_notification_server (void)
{
  g_autoptr (GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr (GDBusNodeInfo) info = NULL;
  static const GDBusInterfaceVTable vtable = { notifications_call_cb, NULL, NULL, { 0 } };
  g_autoptr (GError) error = NULL;
  gboolean acquired = FALSE;

  if (bus == NULL)
    return FALSE;
  info = g_dbus_node_info_new_for_xml (notifications_xml, &error);
  g_assert_no_error (error);
  g_dbus_connection_register_object (bus, "/org/gtk/Notifications", info->interfaces[0], &vtable,
                                     NULL, NULL, &error);
  g_assert_no_error (error);
  g_bus_own_name_on_connection (bus, "org.gtk.Notifications", G_BUS_NAME_OWNER_FLAGS_NONE,
                                name_acquired_cb, NULL, &acquired, NULL);
  WAIT_UNTIL (acquired);

  shown_notifications = g_ptr_array_new_with_free_func ((GDestroyNotify)g_variant_unref);
  application = g_application_new ("io.nexus.NexusWorkersTest", G_APPLICATION_NON_UNIQUE);
  g_application_register (application, NULL, &error);
  g_assert_no_error (error);
  return TRUE;
}

/* The notification @id the server was asked to show, or NULL. */
static GVariant *
find_shown (const char *id)
{
  for (guint i = 0; shown_notifications != NULL && i < shown_notifications->len; i++)
    {
      GVariant   *call = g_ptr_array_index (shown_notifications, i);
      const char *shown_id = NULL;

      g_variant_get_child (call, 1, "&s", &shown_id);
      if (g_str_equal (shown_id, id))
        return call;
    }
  return NULL;
}

static gint64
sql_int (const char *sql)
{
  sqlite3      *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64        value = -1;

  g_assert_cmpint (
      sqlite3_open_v2 (nexus_engine_get_db_path (engine), &db, SQLITE_OPEN_READONLY, NULL), ==,
      SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static char *
sql_text (const char *sql)
{
  sqlite3      *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char         *value = NULL;

  g_assert_cmpint (
      sqlite3_open_v2 (nexus_engine_get_db_path (engine), &db, SQLITE_OPEN_READONLY, NULL), ==,
      SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static gpointer
exec_func (NexusStore *store, gpointer data, GError **error)
{
  sqlite3 *db = NULL;
  int      rc;

  /* A connection of its own, on the engine thread, between its writes. */
  if (sqlite3_open (nexus_store_get_path (store), &db) != SQLITE_OK)
    return NULL;
  sqlite3_busy_timeout (db, 5000);
  rc = sqlite3_exec (db, data, NULL, NULL, NULL);
  sqlite3_close (db);
  return rc == SQLITE_OK ? GINT_TO_POINTER (TRUE) : NULL;
}

static void
exec_sql (const char *sql)
{
  g_autoptr (GError) error = NULL;

  g_assert_nonnull (nexus_engine_run_sync (engine, exec_func, (gpointer)sql, &error));
  g_assert_no_error (error);
}

static gpointer
tick_func (NexusStore *store, gpointer data, GError **error)
{
  nexus_fleet_tick (nexus_engine_get_fleet (engine), g_get_real_time () / G_USEC_PER_SEC);
  return GINT_TO_POINTER (TRUE);
}

static void
tick_fleet (void)
{
  g_autoptr (GError) error = NULL;

  g_assert_nonnull (nexus_engine_run_sync (engine, tick_func, NULL, &error));
  g_assert_no_error (error);
}

static NexusWindow *
show_workers (NexusWorkersPage **out_page)
{
  NexusWindow *window = nexus_window_new (NULL, engine);
  GtkWidget   *page;

  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 800);
  nexus_window_set_page (window, "workers");
  gtk_window_present (GTK_WINDOW (window));
  page = nexus_test_find_type (GTK_WIDGET (window), NEXUS_TYPE_WORKERS_PAGE);
  g_assert_nonnull (page);
  WAIT_UNTIL (gtk_widget_get_mapped (page));
  *out_page = NEXUS_WORKERS_PAGE (page);
  return window;
}

/* Whether a label below @widget shows @text. */
static gboolean
shows_text (GtkWidget *widget, const char *text)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_LABEL (child) && strstr (gtk_label_get_text (GTK_LABEL (child)), text) != NULL)
        return TRUE;
      if (shows_text (child, text))
        return TRUE;
    }
  return FALSE;
}

static gint64
add_worker_through_page (NexusWorkersPage *page, const char *name, char **out_connection)
{
  AdwMessageDialog *dialog;
  AdwMessageDialog *shown;
  GtkWidget        *entry;
  GtkWidget        *label;
  g_autofree char  *sql = NULL;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "workers.add", NULL));
  dialog = _nexus_workers_page_get_dialog (page);
  g_assert_nonnull (dialog);
  entry = nexus_test_find_type (GTK_WIDGET (dialog), GTK_TYPE_ENTRY);
  g_assert_nonnull (entry);

  /* Blank is refused in place: the response stays off, a message shows. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "   ");
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "add"));
  g_assert_true (shows_text (GTK_WIDGET (dialog), "1 to 200 characters"));

  /* 201 letters are too many, 200 Arabic letters (400 bytes) are not. */
  {
    g_autoptr (GString) long_name = g_string_new (NULL);

    for (int i = 0; i < 200; i++)
      g_string_append (long_name, "\u0639");
    gtk_editable_set_text (GTK_EDITABLE (entry), long_name->str);
    g_assert_true (adw_message_dialog_get_response_enabled (dialog, "add"));
    g_string_append (long_name, "\u0639");
    gtk_editable_set_text (GTK_EDITABLE (entry), long_name->str);
    g_assert_false (adw_message_dialog_get_response_enabled (dialog, "add"));
  }

  gtk_editable_set_text (GTK_EDITABLE (entry), name);
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "add"));
  /* The asking dialog goes away and a new one shows the string; the weak
   * pointer keeps a new dialog at the old one's address from passing for
   * the old one. */
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *)&dialog);
  g_signal_emit_by_name (entry, "activate");

  WAIT_UNTIL ((shown = _nexus_workers_page_get_dialog (page)) != NULL && shown != dialog);
  label = nexus_test_find_named (GTK_WIDGET (shown), "connection-string");
  g_assert_nonnull (label);
  *out_connection = g_strdup (gtk_label_get_text (GTK_LABEL (label)));
  g_assert_true (g_str_has_prefix (*out_connection, "nexus://"));
  adw_message_dialog_response (shown, "done");
  gtk_window_close (GTK_WINDOW (shown));

  sql = g_strdup_printf ("SELECT id FROM workers WHERE name = '%s'", name);
  return sql_int (sql);
}

static void
test_add_worker (void)
{
  NexusWorkersPage *page;
  NexusWindow      *window = show_workers (&page);
  g_autofree char  *connection = NULL;
  g_autofree char  *public_id = NULL;
  g_autofree char  *secret_hex = NULL;
  g_autofree char  *sql = NULL;
  const char       *secret;
  gint64            id;
  guint             rows_before = _nexus_workers_page_get_n_rows (page);

  id = add_worker_through_page (page, "north office", &connection);
  g_assert_cmpint (id, >, 0);

  /* The row appears. */
  WAIT_UNTIL (_nexus_workers_page_get_row (page, id) != NULL);
  g_assert_cmpuint (_nexus_workers_page_get_n_rows (page), ==, rows_before + 1);
  g_assert_cmpint (_nexus_workers_page_get_row_state (page, id), ==, NEXUS_WORKER_STATE_NEVER);

  /* The string names the worker; its secret is stored sealed, not as is. */
  sql = g_strdup_printf ("SELECT public_id FROM workers WHERE id = %" G_GINT64_FORMAT, id);
  public_id = sql_text (sql);
  g_assert_nonnull (strstr (connection, public_id));
  secret = strstr (connection, "secret=");
  g_assert_nonnull (secret);
  secret += strlen ("secret=");
  g_clear_pointer (&sql, g_free);
  sql =
      g_strdup_printf ("SELECT sealed FROM worker_secrets WHERE worker_id = %" G_GINT64_FORMAT, id);
  g_assert_cmpint (sql_int (sql), ==, 1);
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("SELECT CAST(secret AS TEXT) FROM worker_secrets WHERE worker_id = "
                         "%" G_GINT64_FORMAT,
                         id);
  secret_hex = sql_text (sql);
  g_assert_null (strstr (secret_hex != NULL ? secret_hex : "", secret));

  /* Shown once: nothing on the page or in any dialog holds it now. */
  g_assert_null (_nexus_workers_page_get_dialog (page));
  g_assert_false (shows_text (GTK_WIDGET (window), "secret="));

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
notification_cb (NexusNotifier *notifier,
                 const char    *id,
                 GNotification *notification,
                 gpointer       data)
{
  g_ptr_array_add (data, g_strdup (id));
}

/* Heartbeats stop: the row turns offline and one notification is sent. */
static void
test_worker_offline (void)
{
  NexusWorkersPage *page;
  NexusWindow      *window = show_workers (&page);
  g_autoptr (NexusNotifier) notifier = nexus_notifier_new (application);
  g_autoptr (GPtrArray) sent = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *connection = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *expected_id = NULL;
  GVariant        *shown;
  gint64           now = g_get_real_time () / G_USEC_PER_SEC;
  gint64           id;

  nexus_notifier_set_engine (notifier, engine);
  g_signal_connect (notifier, "notification", G_CALLBACK (notification_cb), sent);
  id = add_worker_through_page (page, "south depot", &connection);

  /* A heartbeat 30 s ago: idle. */
  sql = g_strdup_printf ("UPDATE workers SET last_seen_at = %" G_GINT64_FORMAT
                         ", version = '0.1.0', address = '192.0.2.7' WHERE id = %" G_GINT64_FORMAT,
                         now - 30, id);
  exec_sql (sql);
  tick_fleet ();
  WAIT_UNTIL (_nexus_workers_page_get_row_state (page, id) == NEXUS_WORKER_STATE_IDLE);
  g_assert_cmpuint (sent->len, ==, 0);

  /* No heartbeat for two minutes. */
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("UPDATE workers SET last_seen_at = %" G_GINT64_FORMAT
                         " WHERE id = %" G_GINT64_FORMAT,
                         now - 120, id);
  exec_sql (sql);
  tick_fleet ();
  WAIT_UNTIL (_nexus_workers_page_get_row_state (page, id) == NEXUS_WORKER_STATE_OFFLINE &&
              sent->len > 0);
  expected_id = g_strdup_printf ("worker-offline-%" G_GINT64_FORMAT, id);
  g_assert_cmpuint (sent->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (sent, 0), ==, expected_id);
  g_assert_true (shows_text (GTK_WIDGET (_nexus_workers_page_get_row (page, id)), "Offline"));

  /* It reached the desktop's notification server, and a click opens the
   * Workers page. */
  if (application != NULL)
    {
      g_autoptr (GVariant) notification = NULL;
      const char *action = NULL;
      const char *page_name = NULL;
      const char *title = NULL;

      WAIT_UNTIL ((shown = find_shown (expected_id)) != NULL);
      notification = g_variant_get_child_value (shown, 2);
      g_assert_true (g_variant_lookup (notification, "title", "&s", &title));
      g_assert_cmpstr (title, ==, "A worker went offline");
      g_assert_true (g_variant_lookup (notification, "default-action", "&s", &action));
      g_assert_cmpstr (action, ==, "app.show-page");
      g_assert_true (g_variant_lookup (notification, "default-action-target", "&s", &page_name));
      g_assert_cmpstr (page_name, ==, "workers");
    }
  else
    g_test_message ("no session bus: the notification server is not checked");

  /* Still offline at the next ticks: not notified again. */
  tick_fleet ();
  tick_fleet ();
  for (int i = 0; i < 5; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (sent->len, ==, 1);
  if (shown_notifications != NULL)
    g_assert_cmpuint (shown_notifications->len, ==, 1);

  nexus_notifier_set_engine (notifier, NULL);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_revoke (void)
{
  NexusWorkersPage *page;
  NexusWindow      *window = show_workers (&page);
  g_autofree char  *connection = NULL;
  g_autofree char  *sql = NULL;
  g_autofree char  *public_id = NULL;
  AdwMessageDialog *dialog;
  gint64            id;

  id = add_worker_through_page (page, "east kiosk", &connection);
  WAIT_UNTIL (_nexus_workers_page_get_row (page, id) != NULL);
  sql = g_strdup_printf ("SELECT public_id FROM workers WHERE id = %" G_GINT64_FORMAT, id);
  public_id = sql_text (sql);
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("SELECT state = 'revoked' FROM workers WHERE id = %" G_GINT64_FORMAT, id);

  /* Cancelled: nothing changes. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "workers.revoke", "s", public_id));
  dialog = _nexus_workers_page_get_dialog (page);
  g_assert_nonnull (dialog);
  adw_message_dialog_response (dialog, "cancel");
  gtk_window_close (GTK_WINDOW (dialog));
  for (int i = 0; i < 5; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpint (sql_int (sql), ==, 0);

  /* Confirmed: revoked in the vault and on the row. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "workers.revoke", "s", public_id));
  dialog = _nexus_workers_page_get_dialog (page);
  g_assert_nonnull (dialog);
  adw_message_dialog_response (dialog, "revoke");
  gtk_window_close (GTK_WINDOW (dialog));
  WAIT_UNTIL (_nexus_workers_page_get_row_state (page, id) == NEXUS_WORKER_STATE_REVOKED);
  g_assert_cmpint (sql_int (sql), ==, 1);

  gtk_window_destroy (GTK_WINDOW (window));
}

static gpointer
add_other_worker (NexusStore *store, gpointer data, GError **error)
{
  g_autofree char *connection = nexus_workers_add (store, "other vault worker", NEXUS_ROLE_WORKER,
                                                   "127.0.0.1:8787", NULL, NULL, error);

  return connection != NULL ? GINT_TO_POINTER (TRUE) : NULL;
}

static gboolean
row_titled (NexusWorkersPage *page, const char *title)
{
  return shows_text (GTK_WIDGET (page), title);
}

/* Another engine: the page shows its workers only. */
static void
test_engine_replaced (void)
{
  NexusWorkersPage *page;
  NexusWindow      *window = show_workers (&page);
  g_autoptr (GError) error = NULL;
  g_autofree char *other_path = g_build_filename (tmp_dir, "other.db", NULL);
  g_autoptr (NexusEngine) other = nexus_engine_new (other_path, NEXUS_ENGINE_DEFAULT, &error);
  g_autofree char *connection = NULL;
  gint64           id;

  g_assert_no_error (error);
  g_assert_nonnull (nexus_engine_run_sync (other, add_other_worker, NULL, &error));
  g_assert_no_error (error);
  id = add_worker_through_page (page, "first vault worker", &connection);
  WAIT_UNTIL (_nexus_workers_page_get_row (page, id) != NULL);

  nexus_window_set_engine (window, other);
  g_assert_true (nexus_page_get_engine (NEXUS_PAGE (page)) == other);
  WAIT_UNTIL (row_titled (page, "other vault worker"));
  g_assert_cmpuint (_nexus_workers_page_get_n_rows (page), ==, 1);
  g_assert_false (row_titled (page, "first vault worker"));

  gtk_window_destroy (GTK_WINDOW (window));
  nexus_engine_shutdown (other);
}

static void
consider (NexusNotifier *notifier, const char *kind, const char *json)
{
  g_autoptr (JsonNode) node = json_from_string (json, NULL);
  NexusEvent event = { .id = 1, .at = 0, .kind = (char *)kind };

  g_assert_nonnull (node);
  event.data = json_node_get_object (node);
  nexus_notifier_consider (notifier, &event);
}

/* What is worth a notification, and only once. */
static void
test_notifier_decisions (void)
{
  g_autoptr (NexusNotifier) notifier = nexus_notifier_new (NULL);
  g_autoptr (GPtrArray) sent = g_ptr_array_new_with_free_func (g_free);

  g_signal_connect (notifier, "notification", G_CALLBACK (notification_cb), sent);

  /* A search run completes once; its next run is news again. */
  consider (notifier, "search.completed",
            "{\"search_id\":4,\"name\":\"Cafés\",\"run\":1,\"jobs_done\":9,\"jobs_total\":9}");
  consider (notifier, "search.completed",
            "{\"search_id\":4,\"name\":\"Cafés\",\"run\":1,\"jobs_done\":9,\"jobs_total\":9}");
  g_assert_cmpuint (sent->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (sent, 0), ==, "search-completed-4");
  consider (notifier, "search.completed",
            "{\"search_id\":4,\"name\":\"Cafés\",\"run\":2,\"jobs_done\":9,\"jobs_total\":9}");
  g_assert_cmpuint (sent->len, ==, 2);

  /* A worker never seen is not "gone offline"; one that was online is,
   * once, until it comes back. */
  consider (notifier, "worker.state",
            "{\"worker_id\":7,\"name\":\"n\",\"state\":\"offline\",\"previous\":\"never\"}");
  g_assert_cmpuint (sent->len, ==, 2);
  consider (notifier, "worker.state",
            "{\"worker_id\":7,\"name\":\"n\",\"state\":\"offline\",\"previous\":\"busy\"}");
  consider (notifier, "worker.state",
            "{\"worker_id\":7,\"name\":\"n\",\"state\":\"offline\",\"previous\":\"idle\"}");
  g_assert_cmpuint (sent->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (sent, 2), ==, "worker-offline-7");
  consider (notifier, "worker.state",
            "{\"worker_id\":7,\"name\":\"n\",\"state\":\"idle\",\"previous\":\"offline\"}");
  consider (notifier, "worker.state",
            "{\"worker_id\":7,\"name\":\"n\",\"state\":\"offline\",\"previous\":\"idle\"}");
  g_assert_cmpuint (sent->len, ==, 4);

  /* A worker the operator stopped goes offline quietly, once. */
  nexus_notifier_expect_offline (notifier, "wLocal");
  consider (notifier, "worker.state",
            "{\"worker_id\":8,\"public_id\":\"wLocal\",\"name\":\"l\",\"state\":\"offline\","
            "\"previous\":\"idle\"}");
  g_assert_cmpuint (sent->len, ==, 4);
  consider (notifier, "worker.state",
            "{\"worker_id\":8,\"public_id\":\"wLocal\",\"name\":\"l\",\"state\":\"idle\","
            "\"previous\":\"offline\"}");
  consider (notifier, "worker.state",
            "{\"worker_id\":8,\"public_id\":\"wLocal\",\"name\":\"l\",\"state\":\"offline\","
            "\"previous\":\"idle\"}");
  g_assert_cmpuint (sent->len, ==, 5);
  g_assert_cmpstr (g_ptr_array_index (sent, 4), ==, "worker-offline-8");

  /* Dead jobs: each event counts new deaths; none, nothing. */
  consider (notifier, "jobs.dead", "{\"count\":0}");
  g_assert_cmpuint (sent->len, ==, 5);
  consider (notifier, "jobs.dead", "{\"count\":3}");
  g_assert_cmpuint (sent->len, ==, 6);
  g_assert_cmpstr (g_ptr_array_index (sent, 5), ==, "jobs-dead");

  /* Other events are not notified. */
  consider (notifier, "job.completed", "{\"job_id\":1,\"worker_id\":7}");
  g_assert_cmpuint (sent->len, ==, 6);
}

/* Rotating shows a new connection string once; "Stop it now" ends the old
 * secret at once, the default keeps it 24 hours. */
static void
test_rotate (void)
{
  NexusWorkersPage *page;
  NexusWindow      *window = show_workers (&page);
  g_autofree char  *connection = NULL;
  g_autofree char  *rotated = NULL;
  g_autofree char  *sql = NULL;
  g_autofree char  *public_id = NULL;
  AdwMessageDialog *dialog;
  AdwMessageDialog *shown;
  GtkWidget        *grace;
  gint64            id;
  gint64            now = g_get_real_time () / G_USEC_PER_SEC;

  id = add_worker_through_page (page, "rotating post", &connection);
  WAIT_UNTIL (_nexus_workers_page_get_row (page, id) != NULL);
  sql = g_strdup_printf ("SELECT public_id FROM workers WHERE id = %" G_GINT64_FORMAT, id);
  public_id = sql_text (sql);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "workers.rotate", "s", public_id));
  dialog = _nexus_workers_page_get_dialog (page);
  g_assert_nonnull (dialog);
  grace = nexus_test_find_type (GTK_WIDGET (dialog), GTK_TYPE_DROP_DOWN);
  g_assert_nonnull (grace);
  g_assert_cmpuint (gtk_drop_down_get_selected (GTK_DROP_DOWN (grace)), ==, 2);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (grace), 0);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *)&dialog);
  adw_message_dialog_response (dialog, "rotate");
  if (dialog != NULL)
    gtk_window_close (GTK_WINDOW (dialog));

  WAIT_UNTIL ((shown = _nexus_workers_page_get_dialog (page)) != NULL && shown != dialog);
  rotated = g_strdup (gtk_label_get_text (
      GTK_LABEL (nexus_test_find_named (GTK_WIDGET (shown), "connection-string"))));
  g_assert_true (g_str_has_prefix (rotated, "nexus://"));
  g_assert_nonnull (strstr (rotated, public_id));
  g_assert_cmpstr (rotated, !=, connection);
  adw_message_dialog_response (shown, "done");
  gtk_window_close (GTK_WINDOW (shown));

  /* Two secrets: the new one current, the old one already ended. */
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("SELECT count(*) FROM worker_secrets WHERE worker_id = %" G_GINT64_FORMAT
                         " AND valid_until IS NULL",
                         id);
  g_assert_cmpint (sql_int (sql), ==, 1);
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("SELECT max(valid_until) FROM worker_secrets WHERE worker_id = "
                         "%" G_GINT64_FORMAT,
                         id);
  g_assert_cmpint (sql_int (sql), <=, now + 5);
  g_assert_cmpint (sql_int (sql), >=, now - 5);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* An open row charts the worker's stored hours, the current hour last. */
static void
test_hours_charted (void)
{
  NexusWorkersPage *page;
  NexusWindow      *window = show_workers (&page);
  g_autofree char  *connection = NULL;
  g_autofree char  *sql = NULL;
  gint64            now = g_get_real_time () / G_USEC_PER_SEC;
  gint64            id;
  NexusChart       *charts[4];

  id = add_worker_through_page (page, "west van", &connection);
  WAIT_UNTIL (_nexus_workers_page_get_row (page, id) != NULL);
  sql = g_strdup_printf ("INSERT INTO worker_hours VALUES (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
                         ", 5, 12, 1, 3000.0, 5), (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
                         ", 2, 0, 0, 0, 0)",
                         id, now - now % 3600, id, now - now % 3600 - 3 * 3600);
  exec_sql (sql);

  adw_expander_row_set_expanded (_nexus_workers_page_get_row (page, id), TRUE);
  for (guint i = 0; i < 4; i++)
    charts[i] = NEXUS_CHART (_nexus_workers_page_get_chart (page, id, i));
  WAIT_UNTIL (nexus_chart_get_n_values (charts[3]) == 24);

  g_assert_cmpfloat (nexus_chart_get_value (charts[0], 23), ==, 5);
  g_assert_cmpfloat (nexus_chart_get_value (charts[0], 20), ==, 2);
  g_assert_cmpfloat (nexus_chart_get_value (charts[0], 22), ==, 0);
  g_assert_cmpfloat (nexus_chart_get_value (charts[1], 23), ==, 12);
  /* 1 error in 6 outcomes; 3,000 ms over 5 reports. */
  g_assert_cmpfloat (fabs (nexus_chart_get_value (charts[2], 23) - 100.0 / 6), <, 0.001);
  g_assert_cmpfloat (nexus_chart_get_value (charts[3], 23), ==, 600);
  g_assert_cmpfloat (nexus_chart_get_value (charts[3], 20), ==, 0);

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char *argv[])
{
  g_autoptr (GError) error = NULL;
  g_autofree char *db_path = NULL;
  int              status;

  setlocale (LC_ALL, "");
  /* Secrets are sealed in the vault when the operator set this. */
  g_setenv ("NEXUS_INTERNAL_SECRET", "test internal secret for the workers page", TRUE);
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  tmp_dir = nexus_test_make_dir ("workers-page");
  db_path = g_build_filename (tmp_dir, "vault.db", NULL);
  engine = nexus_engine_new (db_path, NEXUS_ENGINE_DEFAULT, &error);
  g_assert_no_error (error);
  start_notification_server ();

  g_test_add_func ("/nexus/WorkersPage/add-worker", test_add_worker);
  g_test_add_func ("/nexus/WorkersPage/worker-offline", test_worker_offline);
  g_test_add_func ("/nexus/WorkersPage/revoke", test_revoke);
  g_test_add_func ("/nexus/WorkersPage/rotate", test_rotate);
  g_test_add_func ("/nexus/WorkersPage/engine-replaced", test_engine_replaced);
  g_test_add_func ("/nexus/Notifier/decisions", test_notifier_decisions);
  g_test_add_func ("/nexus/WorkersPage/hours-charted", test_hours_charted);
  status = g_test_run ();

  nexus_engine_shutdown (engine);
  g_clear_object (&engine);
  g_clear_object (&application);
  g_clear_pointer (&shown_notifications, g_ptr_array_unref);
  nexus_test_remove_dir (tmp_dir);
  g_free (tmp_dir);
  return status;
}
