/* nexus-ui-test.h — what the console's tests share
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Waiting on the main context for a condition, and finding widgets in a
 * tree.  Header-only: each test program is its own executable.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define WAIT_SECONDS 30

static inline gboolean
nexus_ui_test_set_true_cb (gpointer data)
{
  *(gboolean *)data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main context until @condition holds; fails the test after
 * WAIT_SECONDS. */
#define WAIT_UNTIL(condition)                                                         \
  G_STMT_START                                                                        \
  {                                                                                   \
    gboolean timed_out_ = FALSE;                                                      \
    guint    timeout_id_ =                                                            \
        g_timeout_add_seconds (WAIT_SECONDS, nexus_ui_test_set_true_cb, &timed_out_); \
    while (!(condition) && !timed_out_)                                               \
      g_main_context_iteration (NULL, TRUE);                                          \
    if (timed_out_)                                                                   \
      {                                                                               \
        g_test_message ("timed out waiting for %s", #condition);                      \
        g_assert_not_reached ();                                                      \
      }                                                                               \
    g_source_remove (timeout_id_);                                                    \
  }                                                                                   \
  G_STMT_END

/* The first widget of @type below @widget, depth first. */
static inline GtkWidget *
find_type (GtkWidget *widget, GType type)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type))
        return child;
      found = find_type (child, type);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The first widget named @name (gtk_widget_set_name) below @widget. */
static inline GtkWidget *
find_named (GtkWidget *widget, const char *name)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (g_strcmp0 (gtk_widget_get_name (child), name) == 0)
        return child;
      found = find_named (child, name);
      if (found != NULL)
        return found;
    }
  return NULL;
}

G_END_DECLS
