/* test-page.c — what every page of the main window has in common
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * NexusPage owns the "engine" and "folded" properties of the pages: each
 * notifies only on change, a page hears of a new engine through
 * engine_changed() with the old one, the templates' header bars follow the
 * inherited "folded", and the window hands its engine and its leaflet's
 * folding to every page.
 */
#include "config.h"

#include <locale.h>

#include <adwaita.h>

#include "../nexus-test-util.h"
#include "nexus-engine.h"
#include "nexus-page.h"
#include "nexus-pending-page.h"
#include "nexus-ui-test.h"
#include "nexus-window.h"

static char        *tmp_dir;
static NexusEngine *first; /* two vaults to switch between */
static NexusEngine *second;

/* A page that records what engine_changed() was told. */
#define TEST_TYPE_PAGE (test_page_get_type ())
G_DECLARE_FINAL_TYPE (TestPage, test_page, TEST, PAGE, NexusPage)

struct _TestPage
{
  NexusPage parent_instance;

  guint        changes;        /* engine_changed() calls */
  NexusEngine *old_engine;     /* unowned: what the last call was given */
  NexusEngine *seen;           /* unowned: nexus_page_get_engine() during that call */
  guint        notifies;       /* notify::engine emissions */
  guint        notified_after; /* changes when notify::engine came last */
};

G_DEFINE_FINAL_TYPE (TestPage, test_page, NEXUS_TYPE_PAGE)

static void
test_page_engine_changed (NexusPage *page, NexusEngine *old_engine)
{
  TestPage *self = TEST_PAGE (page);

  self->changes++;
  self->old_engine = old_engine;
  self->seen = nexus_page_get_engine (page);
}

static void
test_page_class_init (TestPageClass *klass)
{
  NEXUS_PAGE_CLASS (klass)->engine_changed = test_page_engine_changed;
}

static void
engine_notified_cb (TestPage *self, GParamSpec *pspec, gpointer user_data)
{
  self->notifies++;
  self->notified_after = self->changes;
}

static void
test_page_init (TestPage *self)
{
  g_signal_connect (self, "notify::engine", G_CALLBACK (engine_notified_cb), NULL);
}

static void
count_cb (GObject *object, GParamSpec *pspec, gpointer data)
{
  (*(guint *)data)++;
}

/* A new engine reaches engine_changed() once, with the old one, and is
 * notified after it; the same engine again changes nothing. */
static void
test_engine (void)
{
  TestPage *page = g_object_ref_sink (g_object_new (TEST_TYPE_PAGE, NULL));
  guint     refs;

  g_assert_null (nexus_page_get_engine (NEXUS_PAGE (page)));

  g_object_set (page, "engine", first, NULL);
  g_assert_cmpuint (page->changes, ==, 1);
  g_assert_null (page->old_engine);
  g_assert_true (page->seen == first);
  g_assert_cmpuint (page->notifies, ==, 1);
  g_assert_cmpuint (page->notified_after, ==, 1);
  g_assert_true (nexus_page_get_engine (NEXUS_PAGE (page)) == first);

  nexus_page_set_engine (NEXUS_PAGE (page), first);
  g_assert_cmpuint (page->changes, ==, 1);
  g_assert_cmpuint (page->notifies, ==, 1);

  nexus_page_set_engine (NEXUS_PAGE (page), second);
  g_assert_cmpuint (page->changes, ==, 2);
  g_assert_true (page->old_engine == first);
  g_assert_true (page->seen == second);
  g_assert_cmpuint (page->notifies, ==, 2);
  g_assert_cmpuint (page->notified_after, ==, 2);

  nexus_page_set_engine (NEXUS_PAGE (page), NULL);
  g_assert_cmpuint (page->changes, ==, 3);
  g_assert_true (page->old_engine == second);
  g_assert_null (page->seen);
  g_assert_cmpuint (page->notifies, ==, 3);

  /* The page holds a reference while it has the engine, none after. */
  refs = G_OBJECT (first)->ref_count;
  nexus_page_set_engine (NEXUS_PAGE (page), first);
  g_assert_cmpuint (G_OBJECT (first)->ref_count, ==, refs + 1);
  g_object_unref (page);
  g_assert_cmpuint (G_OBJECT (first)->ref_count, ==, refs);
}

/* "folded" notifies only on change; the header bar of a page's template
 * follows it through the inherited property. */
static void
test_folded (void)
{
  GtkWidget *page = g_object_ref_sink (nexus_pending_page_new ("Messages", NULL, NULL));
  GtkWidget *back;
  guint      notifies = 0;

  back = nexus_test_find_type (page, GTK_TYPE_BUTTON);
  g_assert_nonnull (back);
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (back)), ==, "win.show-sidebar");
  g_signal_connect (page, "notify::folded", G_CALLBACK (count_cb), &notifies);

  g_assert_false (nexus_page_get_folded (NEXUS_PAGE (page)));
  g_assert_false (gtk_widget_get_visible (back));

  nexus_page_set_folded (NEXUS_PAGE (page), 2); /* any true value is TRUE */
  g_assert_true (nexus_page_get_folded (NEXUS_PAGE (page)));
  g_assert_cmpuint (notifies, ==, 1);
  g_assert_true (gtk_widget_get_visible (back));

  g_object_set (page, "folded", TRUE, NULL);
  nexus_page_set_folded (NEXUS_PAGE (page), TRUE);
  g_assert_cmpuint (notifies, ==, 1);

  g_object_set (page, "folded", FALSE, NULL);
  g_assert_cmpuint (notifies, ==, 2);
  g_assert_false (gtk_widget_get_visible (back));

  g_object_unref (page);
}

/* "loading" is the page's to set, notified on change only, readable by
 * anyone (the pages' reads and the tests wait on it). */
static void
test_loading (void)
{
  TestPage   *page = g_object_ref_sink (g_object_new (TEST_TYPE_PAGE, NULL));
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (page), "loading");
  gboolean    value = TRUE;
  guint       notifies = 0;

  g_assert_nonnull (pspec);
  g_assert_true (pspec->flags & G_PARAM_READABLE);
  g_assert_false (pspec->flags & G_PARAM_WRITABLE);
  g_signal_connect (page, "notify::loading", G_CALLBACK (count_cb), &notifies);

  g_assert_false (nexus_page_get_loading (NEXUS_PAGE (page)));
  g_assert_true (nexus_page_set_loading (NEXUS_PAGE (page), 2)); /* any true value is TRUE */
  g_assert_false (nexus_page_set_loading (NEXUS_PAGE (page), TRUE));
  g_assert_cmpuint (notifies, ==, 1);
  g_object_get (page, "loading", &value, NULL);
  g_assert_true (value);
  g_assert_true (nexus_page_set_loading (NEXUS_PAGE (page), FALSE));
  g_assert_cmpuint (notifies, ==, 2);
  g_assert_false (nexus_page_get_loading (NEXUS_PAGE (page)));

  g_object_unref (page);
}

static void
collect_pages (GtkWidget *widget, GPtrArray *pages)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (NEXUS_IS_PAGE (child))
        g_ptr_array_add (pages, child);
      else
        collect_pages (child, pages);
    }
}

/* Every page of the window is a NexusPage that has the window's engine,
 * also after the engine is replaced, and folds with the leaflet. */
static void
test_window_pages (void)
{
  NexusWindow *window = nexus_window_new (NULL, first);
  g_autoptr (GPtrArray) pages = g_ptr_array_new ();
  AdwLeaflet *leaflet;

  gtk_window_set_default_size (GTK_WINDOW (window), 400, 700);
  gtk_window_present (GTK_WINDOW (window));
  leaflet = ADW_LEAFLET (nexus_test_find_type (GTK_WIDGET (window), ADW_TYPE_LEAFLET));
  WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (window)) && adw_leaflet_get_folded (leaflet));

  collect_pages (GTK_WIDGET (window), pages);
  g_assert_cmpuint (pages->len, ==, g_strv_length ((char **)nexus_window_get_page_names ()));
  for (guint i = 0; i < pages->len; i++)
    {
      g_assert_true (nexus_page_get_engine (pages->pdata[i]) == first);
      g_assert_true (nexus_page_get_folded (pages->pdata[i]));
    }

  nexus_window_set_engine (window, second);
  for (guint i = 0; i < pages->len; i++)
    g_assert_true (nexus_page_get_engine (pages->pdata[i]) == second);

  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 700);
  WAIT_UNTIL (!adw_leaflet_get_folded (leaflet));
  for (guint i = 0; i < pages->len; i++)
    g_assert_false (nexus_page_get_folded (pages->pdata[i]));

  gtk_window_destroy (GTK_WINDOW (window));
  nexus_test_drain ();
}

int
main (int argc, char *argv[])
{
  g_autoptr (GError) error = NULL;
  g_autofree char *first_path = NULL;
  g_autofree char *second_path = NULL;
  int              status;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  tmp_dir = nexus_test_make_dir ("page");
  first_path = g_build_filename (tmp_dir, "first.db", NULL);
  second_path = g_build_filename (tmp_dir, "second.db", NULL);
  first = nexus_engine_new (first_path, NEXUS_ENGINE_DEFAULT, &error);
  g_assert_no_error (error);
  second = nexus_engine_new (second_path, NEXUS_ENGINE_DEFAULT, &error);
  g_assert_no_error (error);

  g_test_add_func ("/nexus/Page/engine", test_engine);
  g_test_add_func ("/nexus/Page/folded", test_folded);
  g_test_add_func ("/nexus/Page/loading", test_loading);
  g_test_add_func ("/nexus/Page/window-pages", test_window_pages);

  status = g_test_run ();

  nexus_engine_shutdown (first);
  nexus_engine_shutdown (second);
  g_clear_object (&first);
  g_clear_object (&second);
  nexus_test_remove_dir (tmp_dir);
  g_free (tmp_dir);

  return status;
}
