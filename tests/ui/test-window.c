/* test-window.c — the console's main window
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every test builds a real NexusWindow on a demo vault opened through the
 * engine, shows it, and checks what the operator would see.  Settings go to
 * the memory backend (GSETTINGS_BACKEND=memory in the test environment).
 */
#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include <adwaita.h>

#include "nexus-engine.h"
#include "nexus-leads-page-private.h"
#include "nexus-pending-page.h"
#include "nexus-ui-test.h"
#include "nexus-window.h"
#include "nexus-ui-test.h"

static NexusEngine *engine; /* one demo vault shared by every test */
static char        *tmp_dir;

static void
drain_main_context (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

typedef gboolean (*WidgetMatch) (GtkWidget *widget, gpointer data);

static GtkWidget *
find_descendant (GtkWidget *widget, WidgetMatch match, gpointer data)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (match (child, data))
        return child;

      found = find_descendant (child, match, data);
      if (found != NULL)
        return found;
    }

  return NULL;
}

static gboolean
match_type (GtkWidget *widget, gpointer data)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, GPOINTER_TO_SIZE (data));
}

static gboolean
match_css_class (GtkWidget *widget, gpointer data)
{
  return gtk_widget_has_css_class (widget, data);
}

static gboolean
match_pages_stack (GtkWidget *widget, gpointer data)
{
  return GTK_IS_STACK (widget) && gtk_stack_get_child_by_name (GTK_STACK (widget), "dashboard");
}

static gboolean
match_back_button (GtkWidget *widget, gpointer data)
{
  return GTK_IS_BUTTON (widget) &&
         g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), "win.show-sidebar") ==
             0;
}

static GtkStack *
get_pages_stack (NexusWindow *window)
{
  GtkWidget *stack = find_descendant (GTK_WIDGET (window), match_pages_stack, NULL);

  g_assert_nonnull (stack);
  return GTK_STACK (stack);
}

static GtkListBox *
get_sidebar (NexusWindow *window)
{
  GtkWidget *sidebar =
      find_descendant (GTK_WIDGET (window), match_css_class, (gpointer) "navigation-sidebar");

  g_assert_true (GTK_IS_LIST_BOX (sidebar));
  return GTK_LIST_BOX (sidebar);
}

static AdwLeaflet *
get_leaflet (NexusWindow *window)
{
  GtkWidget *leaflet =
      find_descendant (GTK_WIDGET (window), match_type, GSIZE_TO_POINTER (ADW_TYPE_LEAFLET));

  g_assert_nonnull (leaflet);
  return ADW_LEAFLET (leaflet);
}

static NexusWindow *
show_window (int width, int height)
{
  NexusWindow *window = nexus_window_new (NULL, engine);

  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_present (GTK_WINDOW (window));
  WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (window)) &&
              gtk_widget_get_width (GTK_WIDGET (get_leaflet (window))) > 0);

  return window;
}

static void
close_window (NexusWindow *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  drain_main_context ();
}

/* The leads the grid shows (the vault without preview-only leads),
 * counted with plain SQL on the file rather than by the code under test. */
static gint64
count_leads_in_vault (void)
{
  sqlite3      *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64        count;

  g_assert_cmpint (
      sqlite3_open_v2 (nexus_engine_get_db_path (engine), &db, SQLITE_OPEN_READONLY, NULL), ==,
      SQLITE_OK);
  g_assert_cmpint (
      sqlite3_prepare_v2 (db, "SELECT count(*) FROM leads WHERE preview_only = 0", -1, &stmt, NULL),
      ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  count = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return count;
}

static char *
digits_of (const char *text)
{
  GString *digits = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        g_string_append_c (digits, *p);
    }

  return g_string_free (digits, FALSE);
}

static void
test_page_names (void)
{
  const char *const  expected[] = { "dashboard", "leads",    "map",        "searches", "jobs",
                                    "workers",   "messages", "operations", "settings", NULL };
  const char *const *names = nexus_window_get_page_names ();

  g_assert_cmpstrv (names, expected);
  g_assert_true (nexus_window_is_page_name ("map"));
  g_assert_false (nexus_window_is_page_name ("Map"));
  g_assert_false (nexus_window_is_page_name (""));
  g_assert_false (nexus_window_is_page_name (NULL));
}

static void
test_leads_count (void)
{
  gint64           expected = count_leads_in_vault ();
  NexusWindow     *window;
  NexusLeadsPage  *page;
  GtkWidget       *title;
  g_autofree char *digits = NULL;
  g_autofree char *expected_digits = NULL;

  /* The demo vault is not empty, or this test would prove little. */
  g_assert_cmpint (expected, >, 0);

  window = show_window (1000, 700);
  g_assert_true (nexus_window_set_page (window, "leads"));

  page = NEXUS_LEADS_PAGE (
      find_descendant (GTK_WIDGET (window), match_type, GSIZE_TO_POINTER (NEXUS_TYPE_LEADS_PAGE)));
  g_assert_nonnull (page);

  WAIT_UNTIL (!nexus_page_get_loading (NEXUS_PAGE (page)) &&
              nexus_leads_page_get_count (page) >= 0);
  g_assert_cmpint (nexus_leads_page_get_count (page), ==, expected);

  /* What is on screen is that number, as the page's subtitle. */
  title = find_descendant (GTK_WIDGET (page), match_type, GSIZE_TO_POINTER (ADW_TYPE_WINDOW_TITLE));
  g_assert_nonnull (title);
  WAIT_UNTIL (gtk_widget_get_mapped (title));
  g_assert_nonnull (adw_window_title_get_subtitle (ADW_WINDOW_TITLE (title)));
  digits = digits_of (adw_window_title_get_subtitle (ADW_WINDOW_TITLE (title)));
  expected_digits = g_strdup_printf ("%" G_GINT64_FORMAT, expected);
  g_assert_cmpstr (digits, ==, expected_digits);

  /* The file it was read from is one hover away. */
  g_assert_nonnull (
      strstr (gtk_widget_get_tooltip_text (title), nexus_engine_get_db_path (engine)));

  /* Refresh counts again, through the action the button and Ctrl+R use. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "leads.refresh", NULL));
  g_assert_true (nexus_page_get_loading (NEXUS_PAGE (page)));
  WAIT_UNTIL (!nexus_page_get_loading (NEXUS_PAGE (page)));
  g_assert_cmpint (nexus_leads_page_get_count (page), ==, expected);

  close_window (window);
}

static gboolean
match_mapped_status_page (GtkWidget *widget, gpointer data)
{
  return ADW_IS_STATUS_PAGE (widget) && gtk_widget_get_mapped (widget);
}

/* A vault that cannot be read shows why, not a number. */
static void
test_leads_count_error (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusEngine) gone = NULL;
  g_autofree char *path = g_build_filename (tmp_dir, "gone.db", NULL);
  const char      *suffixes[] = { "", "-wal", "-shm" };
  NexusWindow     *window;
  NexusLeadsPage  *page;
  GtkWidget       *status;
  GtkWidget       *title;
  const char      *description;

  /* The engine opens its readers on first use: by then the file is gone. */
  gone = nexus_engine_new (path, NEXUS_ENGINE_SEED_DEMO, &error);
  g_assert_no_error (error);
  nexus_engine_shutdown (gone);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      g_remove (file);
    }
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  window = nexus_window_new (NULL, gone);
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (nexus_window_set_page (window, "leads"));

  page = NEXUS_LEADS_PAGE (
      find_descendant (GTK_WIDGET (window), match_type, GSIZE_TO_POINTER (NEXUS_TYPE_LEADS_PAGE)));
  g_assert_nonnull (page);
  WAIT_UNTIL (!nexus_page_get_loading (NEXUS_PAGE (page)));
  g_assert_cmpint (nexus_leads_page_get_count (page), ==, -1);

  WAIT_UNTIL (find_descendant (GTK_WIDGET (page), match_mapped_status_page, NULL) != NULL);
  status = find_descendant (GTK_WIDGET (page), match_mapped_status_page, NULL);
  description = adw_status_page_get_description (ADW_STATUS_PAGE (status));
  g_assert_nonnull (description);
  g_assert_cmpstr (description, !=, "");

  /* No number is on screen. */
  title = find_descendant (GTK_WIDGET (page), match_type, GSIZE_TO_POINTER (ADW_TYPE_WINDOW_TITLE));
  g_assert_nonnull (title);
  g_assert_cmpstr (adw_window_title_get_subtitle (ADW_WINDOW_TITLE (title)), ==, "");

  close_window (window);
}

static void
test_set_page (void)
{
  const char *const *names = nexus_window_get_page_names ();
  NexusWindow       *window = show_window (1000, 700);
  GtkStack          *stack = get_pages_stack (window);
  GtkListBox        *sidebar = get_sidebar (window);

  for (guint i = 0; names[i] != NULL; i++)
    {
      GtkListBoxRow *row;

      g_assert_true (nexus_window_set_page (window, names[i]));
      g_assert_cmpstr (nexus_window_get_page (window), ==, names[i]);
      g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, names[i]);

      /* The sidebar follows. */
      row = gtk_list_box_get_selected_row (sidebar);
      g_assert_nonnull (row);
      g_assert_cmpint (gtk_list_box_row_get_index (row), ==, i);
    }

  g_assert_true (nexus_window_set_page (window, "map"));
  g_assert_false (nexus_window_set_page (window, "nowhere"));
  g_assert_false (nexus_window_set_page (window, "Map"));
  g_assert_false (nexus_window_set_page (window, ""));
  g_assert_cmpstr (nexus_window_get_page (window), ==, "map");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "map");

  close_window (window);
}

static void
test_sidebar_opens_pages (void)
{
  NexusWindow   *window = show_window (1000, 700);
  GtkListBox    *sidebar = get_sidebar (window);
  GtkStack      *stack = get_pages_stack (window);
  GtkListBoxRow *row;
  GtkWidget     *label;

  g_assert_true (nexus_window_set_page (window, "dashboard"));

  /* Row 4 is Jobs: activating it (click, Enter) opens the page. */
  row = gtk_list_box_get_row_at_index (sidebar, 4);
  g_assert_nonnull (row);
  label = find_descendant (GTK_WIDGET (row), match_type, GSIZE_TO_POINTER (GTK_TYPE_LABEL));
  g_assert_nonnull (label);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (label)), ==, "Jobs");
  g_signal_emit_by_name (row, "activate");
  g_assert_cmpstr (nexus_window_get_page (window), ==, "jobs");

  /* Moving the selection with the keyboard shows the page beside it. */
  gtk_list_box_select_row (sidebar, gtk_list_box_get_row_at_index (sidebar, 2));
  g_assert_cmpstr (nexus_window_get_page (window), ==, "map");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "map");

  close_window (window);
}

static void
test_last_page (void)
{
  g_autoptr (GSettings) settings = g_settings_new (NEXUS_SETTINGS_SCHEMA_ID);
  g_autofree char *saved = NULL;
  NexusWindow     *window;

  window = show_window (1000, 700);

  g_assert_true (nexus_window_set_page (window, "workers"));
  saved = g_settings_get_string (settings, "last-page");
  g_assert_cmpstr (saved, ==, "workers");
  g_clear_pointer (&saved, g_free);

  g_assert_true (nexus_window_set_page (window, "operations"));
  saved = g_settings_get_string (settings, "last-page");
  g_assert_cmpstr (saved, ==, "operations");

  /* A rejected name leaves the setting alone. */
  g_assert_false (nexus_window_set_page (window, "nowhere"));
  g_clear_pointer (&saved, g_free);
  saved = g_settings_get_string (settings, "last-page");
  g_assert_cmpstr (saved, ==, "operations");

  close_window (window);

  /* The next window opens where the last one was. */
  window = show_window (1000, 700);
  g_assert_cmpstr (nexus_window_get_page (window), ==, "operations");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (get_pages_stack (window)), ==, "operations");
  close_window (window);

  g_settings_set_string (settings, "last-page", "searches");
  window = show_window (1000, 700);
  g_assert_cmpstr (nexus_window_get_page (window), ==, "searches");
  close_window (window);
}

static void
test_window_size (void)
{
  g_autoptr (GSettings) settings = g_settings_new (NEXUS_SETTINGS_SCHEMA_ID);
  NexusWindow *window;
  int          width, height;

  g_settings_set_int (settings, "window-width", 777);
  g_settings_set_int (settings, "window-height", 555);
  g_settings_set_boolean (settings, "window-maximized", FALSE);

  /* Restored at start. */
  window = nexus_window_new (NULL, engine);
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, 777);
  g_assert_cmpint (height, ==, 555);

  /* Saved on close. */
  gtk_window_set_default_size (GTK_WINDOW (window), 901, 649);
  gtk_window_present (GTK_WINDOW (window));
  WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (window)));
  gtk_window_close (GTK_WINDOW (window));
  drain_main_context ();

  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 901);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 649);
  g_assert_false (g_settings_get_boolean (settings, "window-maximized"));
}

/* The pages that work, not pending ones. */
static const char *const built_pages[] = { "dashboard",  "leads",    "searches", "jobs", "workers",
                                           "operations", "settings", "map",      NULL };

static void
test_pending_pages (void)
{
  const char *const *names = nexus_window_get_page_names ();
  NexusWindow       *window = show_window (1000, 700);
  GtkStack          *stack = get_pages_stack (window);
  GtkIconTheme      *icon_theme = gtk_icon_theme_get_for_display (gdk_display_get_default ());
  guint              n_pending = 0;

  for (guint i = 0; names[i] != NULL; i++)
    {
      GtkWidget    *child;
      GtkWidget    *status;
      GtkStackPage *stack_page;
      const char   *description;

      g_assert_true (nexus_window_set_page (window, names[i]));
      child = gtk_stack_get_visible_child (stack);

      if (g_strv_contains (built_pages, names[i]))
        {
          /* A page that works says no such thing. */
          g_assert_false (NEXUS_IS_PENDING_PAGE (child));
          continue;
        }

      g_assert_true (NEXUS_IS_PENDING_PAGE (child));
      n_pending++;

      status = find_descendant (child, match_type, GSIZE_TO_POINTER (ADW_TYPE_STATUS_PAGE));
      g_assert_nonnull (status);
      WAIT_UNTIL (gtk_widget_get_mapped (status));

      /* Its title and icon are those of its sidebar row, and the icon
       * exists in the theme. */
      stack_page = gtk_stack_get_page (stack, child);
      g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (status)), ==,
                       gtk_stack_page_get_title (stack_page));
      g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (status)), !=, "");
      g_assert_cmpstr (adw_status_page_get_icon_name (ADW_STATUS_PAGE (status)), ==,
                       gtk_stack_page_get_icon_name (stack_page));
      g_assert_true (
          gtk_icon_theme_has_icon (icon_theme, gtk_stack_page_get_icon_name (stack_page)));

      /* It says plainly that it is not there yet, and what it will do. */
      description = adw_status_page_get_description (ADW_STATUS_PAGE (status));
      g_assert_nonnull (description);
      g_assert_nonnull (strstr (description, "not available in this version yet"));
      g_assert_cmpuint (strlen (nexus_pending_page_get_summary (NEXUS_PENDING_PAGE (child))), >,
                        10);
      g_assert_nonnull (
          strstr (description, nexus_pending_page_get_summary (NEXUS_PENDING_PAGE (child))));
    }

  g_assert_cmpuint (n_pending, ==,
                    g_strv_length ((char **)names) - g_strv_length ((char **)built_pages));

  close_window (window);
}

static void
test_folds_when_narrow (void)
{
  NexusWindow *window = show_window (400, 700);
  AdwLeaflet  *leaflet = get_leaflet (window);
  GtkStack    *stack = get_pages_stack (window);
  GtkWidget   *back;

  WAIT_UNTIL (adw_leaflet_get_folded (leaflet));

  /* Opening a page shows it in place of the sidebar, with a way back. */
  g_assert_true (nexus_window_set_page (window, "map"));
  g_assert_cmpstr (adw_leaflet_get_visible_child_name (leaflet), ==, "content");
  back = find_descendant (gtk_stack_get_visible_child (stack), match_back_button, NULL);
  g_assert_nonnull (back);
  g_assert_true (gtk_widget_get_visible (back));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-sidebar", NULL));
  g_assert_cmpstr (adw_leaflet_get_visible_child_name (leaflet), ==, "sidebar");

  /* A wide window shows both panes and no back button. */
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 700);
  WAIT_UNTIL (!adw_leaflet_get_folded (leaflet));
  g_assert_false (gtk_widget_get_visible (back));

  close_window (window);
}

/* The sidebar sits on the side the text starts from. */
static void
test_direction (void)
{
  GtkTextDirection directions[] = { GTK_TEXT_DIR_LTR, GTK_TEXT_DIR_RTL };

  for (guint i = 0; i < G_N_ELEMENTS (directions); i++)
    {
      NexusWindow    *window;
      graphene_rect_t sidebar_bounds;
      graphene_rect_t stack_bounds;

      gtk_widget_set_default_direction (directions[i]);
      window = show_window (1000, 700);

      g_assert_cmpint (gtk_widget_get_direction (GTK_WIDGET (window)), ==, directions[i]);
      g_assert_cmpint (gtk_widget_get_direction (GTK_WIDGET (get_sidebar (window))), ==,
                       directions[i]);
      g_assert_false (adw_leaflet_get_folded (get_leaflet (window)));

      g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (get_sidebar (window)),
                                                GTK_WIDGET (window), &sidebar_bounds));
      g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (get_pages_stack (window)),
                                                GTK_WIDGET (window), &stack_bounds));
      g_assert_cmpfloat (sidebar_bounds.size.width, >, 0);
      g_assert_cmpfloat (stack_bounds.size.width, >, 0);

      if (directions[i] == GTK_TEXT_DIR_RTL)
        g_assert_cmpfloat (sidebar_bounds.origin.x, >, stack_bounds.origin.x);
      else
        g_assert_cmpfloat (sidebar_bounds.origin.x, <, stack_bounds.origin.x);

      close_window (window);
    }

  gtk_widget_set_default_direction (GTK_TEXT_DIR_LTR);
}

static void
test_resources (void)
{
  const char *paths[] = {
    "/io/nexus/Nexus/style.css",
    "/io/nexus/Nexus/gtk/help-overlay.ui",
    "/io/nexus/Nexus/icons/scalable/apps/" APP_ID ".svg",
    "/io/nexus/Nexus/icons/symbolic/apps/" APP_ID "-symbolic.svg",
  };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GBytes) bytes = NULL;

      bytes = g_resources_lookup_data (paths[i], G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (g_bytes_get_size (bytes), >, 0);
    }
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_remove (child);
    }

  g_rmdir (path);
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

  /* No transitions to wait for. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  tmp_dir = g_dir_make_tmp ("nexus-test-window-XXXXXX", &error);
  g_assert_no_error (error);
  db_path = g_build_filename (tmp_dir, "vault.db", NULL);
  engine = nexus_engine_new (db_path, NEXUS_ENGINE_SEED_DEMO, &error);
  g_assert_no_error (error);

  g_test_add_func ("/nexus/Window/page-names", test_page_names);
  g_test_add_func ("/nexus/Window/resources", test_resources);
  g_test_add_func ("/nexus/Window/leads-count", test_leads_count);
  g_test_add_func ("/nexus/Window/leads-count-error", test_leads_count_error);
  g_test_add_func ("/nexus/Window/set-page", test_set_page);
  g_test_add_func ("/nexus/Window/sidebar-opens-pages", test_sidebar_opens_pages);
  g_test_add_func ("/nexus/Window/last-page", test_last_page);
  g_test_add_func ("/nexus/Window/window-size", test_window_size);
  g_test_add_func ("/nexus/Window/pending-pages", test_pending_pages);
  g_test_add_func ("/nexus/Window/folds-when-narrow", test_folds_when_narrow);
  g_test_add_func ("/nexus/Window/direction", test_direction);

  status = g_test_run ();

  nexus_engine_shutdown (engine);
  g_clear_object (&engine);
  remove_tree (tmp_dir);
  g_free (tmp_dir);

  return status;
}
