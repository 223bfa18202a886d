/* test-arabic.c — the whole console in Arabic
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs the console with LANGUAGE=ar and the catalogue this build compiled,
 * as an Arabic-speaking operator starts it, and walks every page:
 *
 *  - GTK takes the right-to-left direction from the catalogue, and the
 *    sidebar stands on the right;
 *  - no text on screen is an English message that has an Arabic
 *    translation (it would be a string shown without gettext, or one
 *    translated before the language was known): for every label, looking
 *    its text up in the catalogue must give the text itself back;
 *  - counts are written with Arabic-Indic digits.
 *
 * Lead names, cities and other data stay as they are: they are not
 * messages of the catalogue.
 */
#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib/gi18n.h>

#include "nexus-engine.h"
#include "nexus-format.h"
#include "nexus-ui-test.h"
#include "nexus-window.h"

#include "nexus-test-util.h"

static NexusEngine *engine;

static NexusWindow *
show_window (void)
{
  NexusWindow *window = nexus_window_new (NULL, engine);

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (window)) &&
              gtk_widget_get_width (nexus_window_get_leads_page (window)) > 0);
  return window;
}

/* Collects the untranslated texts of the mapped labels below @widget. */
static void
collect_untranslated (GtkWidget *widget, GPtrArray *found)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (!gtk_widget_get_mapped (child))
        continue;

      if (GTK_IS_LABEL (child))
        {
          const char *text = gtk_label_get_label (GTK_LABEL (child));

          if (text != NULL && text[0] != '\0' && g_dgettext (GETTEXT_PACKAGE, text) != text)
            g_ptr_array_add (found, g_strdup (text));
        }
      collect_untranslated (child, found);
    }
}

static gboolean
has_ascii_digit (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if (g_ascii_isdigit (*p))
      return TRUE;
  return FALSE;
}

static void
test_right_to_left (void)
{
  NexusWindow    *window;
  GtkWidget      *sidebar;
  GtkWidget      *stack;
  graphene_rect_t sidebar_bounds;
  graphene_rect_t stack_bounds;

  g_assert_cmpint (gtk_widget_get_default_direction (), ==, GTK_TEXT_DIR_RTL);

  window = show_window ();
  sidebar = nexus_test_find_css_class (GTK_WIDGET (window), "navigation-sidebar");
  stack = gtk_widget_get_ancestor (nexus_window_get_leads_page (window), GTK_TYPE_STACK);
  g_assert_nonnull (sidebar);
  g_assert_nonnull (stack);
  g_assert_true (gtk_widget_compute_bounds (sidebar, GTK_WIDGET (window), &sidebar_bounds));
  g_assert_true (gtk_widget_compute_bounds (stack, GTK_WIDGET (window), &stack_bounds));
  g_assert_cmpfloat (sidebar_bounds.origin.x, >, stack_bounds.origin.x);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Every page, once its first reads are done. */
static void
test_every_page_translated (void)
{
  const char *const *names = nexus_window_get_page_names ();
  NexusWindow       *window = show_window ();
  g_autoptr (GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr (GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
      GtkWidget *page;
      gboolean   settled = FALSE;

      g_assert_true (nexus_window_set_page (window, names[i]));
      page = gtk_stack_get_visible_child (GTK_STACK (
          gtk_widget_get_ancestor (nexus_window_get_leads_page (window), GTK_TYPE_STACK)));
      WAIT_UNTIL (gtk_widget_get_mapped (page));

      /* Let the page's first reads come back (they change labels). */
      g_timeout_add (500, set_true_cb, &settled);
      WAIT_UNTIL (settled);

      collect_untranslated (GTK_WIDGET (window), found);
      for (guint j = 0; j < found->len; j++)
        g_ptr_array_add (problems, g_strdup_printf ("page %s: “%s” is shown in English", names[i],
                                                    (char *)found->pdata[j]));
    }

  for (guint j = 0; j < problems->len; j++)
    g_test_message ("%s", (char *)problems->pdata[j]);
  g_assert_cmpuint (problems->len, ==, 0);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_counts_in_arabic_digits (void)
{
  g_autofree char *count = nexus_format_count (28);

  g_assert_false (has_ascii_digit (count));
  g_assert_cmpstr (count, ==, "٢٨");
}

int
main (int argc, char *argv[])
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *localedir = NULL;
  int              status;

  /* As main() of the console does, with the catalogue of this build. */
  g_setenv ("LANGUAGE", "ar", TRUE);
  setlocale (LC_ALL, "");
  localedir = g_build_filename (g_getenv ("NEXUS_BUILD_DIR"), "po", NULL);
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  /* The catalogue is there: without it every check below would pass. */
  g_assert_cmpstr (g_dgettext (GETTEXT_PACKAGE, "Interface language"), ==, "لغة الواجهة");

  dir = nexus_test_make_dir ("arabic");
  db_path = g_build_filename (dir, "vault.db", NULL);
  engine = nexus_engine_new (db_path, NEXUS_ENGINE_SEED_DEMO, &error);
  g_assert_no_error (error);

  g_test_add_func ("/nexus/Arabic/right-to-left", test_right_to_left);
  g_test_add_func ("/nexus/Arabic/every-page-translated", test_every_page_translated);
  g_test_add_func ("/nexus/Arabic/counts", test_counts_in_arabic_digits);

  status = g_test_run ();

  nexus_engine_shutdown (engine);
  g_clear_object (&engine);
  nexus_test_remove_dir (dir);

  return status;
}
