/* nexus-ui-test.h — what the console's UI tests share
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Waiting for the window to reach a state (without timed assertions: the
 * limit only turns a hang into a failure), reading the vault file with
 * plain SQL, and finding widgets and dialogs.  Header-only: each test
 * program is its own executable.
 */
#pragma once

#include <sqlite3.h>

#include <adwaita.h>

G_BEGIN_DECLS

#define WAIT_SECONDS 30

static inline gboolean
set_true_cb (gpointer data)
{
  *(gboolean *)data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main context until @condition holds; fails the test after
 * WAIT_SECONDS. */
#define WAIT_UNTIL(condition)                                                              \
  G_STMT_START                                                                             \
  {                                                                                        \
    gboolean timed_out_ = FALSE;                                                           \
    guint    timeout_id_ = g_timeout_add_seconds (WAIT_SECONDS, set_true_cb, &timed_out_); \
    while (!(condition) && !timed_out_)                                                    \
      g_main_context_iteration (NULL, TRUE);                                               \
    if (timed_out_)                                                                        \
      {                                                                                    \
        g_test_message ("timed out waiting for %s", #condition);                           \
        g_assert_not_reached ();                                                           \
      }                                                                                    \
    g_source_remove (timeout_id_);                                                         \
  }                                                                                        \
  G_STMT_END

/* Runs the main loop until nothing is pending. */
static inline void
nexus_test_drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* The first widget of @type below @widget, depth first. */
static inline GtkWidget *
nexus_test_find_type (GtkWidget *widget, GType type)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type))
        return child;
      found = nexus_test_find_type (child, type);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The first column of the first row of @sql on the file @db_path, read
 * through a connection of its own (as another process would). */
/* The first widget with the style class @css_class below @widget, depth
 * first. */
static inline GtkWidget *
nexus_test_find_css_class (GtkWidget *widget, const char *css_class)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (gtk_widget_has_css_class (child, css_class))
        return child;
      found = nexus_test_find_css_class (child, css_class);
      if (found != NULL)
        return found;
    }

  return NULL;
}

/* The first widget named @name (gtk_widget_set_name) below @widget. */
static inline GtkWidget *
nexus_test_find_named (GtkWidget *widget, const char *name)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (g_strcmp0 (gtk_widget_get_name (child), name) == 0)
        return child;
      found = nexus_test_find_named (child, name);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static inline gint64
nexus_test_sql_int (const char *db_path, const char *sql)
{
  sqlite3      *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64        value = -1;

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

/* The message dialog shown now, or NULL. */
static inline AdwMessageDialog *
nexus_test_find_message_dialog (void)
{
  g_autoptr (GListModel) toplevels = gtk_window_get_toplevels ();

  g_object_ref (toplevels);
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GObject) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return ADW_MESSAGE_DIALOG (window);
    }
  return NULL;
}

/* Answers the message dialog shown now with @response. */
static inline void
nexus_test_respond (const char *response)
{
  AdwMessageDialog *dialog = NULL;

  WAIT_UNTIL ((dialog = nexus_test_find_message_dialog ()) != NULL);
  adw_message_dialog_response (dialog, response);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

G_END_DECLS
