/* nexus-test-ui.h — what the console's tests under a display share
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Waiting for a condition while the main loop runs (with a time limit
 * that only turns a hang into a failure, never a measurement), and
 * finding widgets in a tree.  Header-only.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define NEXUS_TEST_WAIT_SECONDS 30

static inline gboolean
nexus_test_set_true_cb (gpointer data)
{
  *(gboolean *)data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop until @condition holds; fails the test after
 * NEXUS_TEST_WAIT_SECONDS. */
#define NEXUS_TEST_WAIT_UNTIL(condition)                                                      \
  G_STMT_START                                                                                \
  {                                                                                           \
    gboolean timed_out_ = FALSE;                                                              \
    guint    timeout_id_ =                                                                    \
        g_timeout_add_seconds (NEXUS_TEST_WAIT_SECONDS, nexus_test_set_true_cb, &timed_out_); \
    while (!(condition) && !timed_out_)                                                       \
      g_main_context_iteration (NULL, TRUE);                                                  \
    if (timed_out_)                                                                           \
      {                                                                                       \
        g_test_message ("timed out waiting for %s", #condition);                              \
        g_assert_not_reached ();                                                              \
      }                                                                                       \
    g_source_remove (timeout_id_);                                                            \
  }                                                                                           \
  G_STMT_END

/* Runs the main loop until nothing is pending. */
static inline void
nexus_test_drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* The first descendant of @widget of @type, depth first. */
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

G_END_DECLS
