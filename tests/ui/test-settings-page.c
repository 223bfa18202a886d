/* test-settings-page.c — the console's preferences
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The page edits the application's settings (the memory backend in the
 * test environment); each test starts from the defaults.
 */
#include "config.h"

#include <string.h>

#include <adwaita.h>

#include "nexus-settings-page.h"

typedef struct
{
  GSettings         *settings;
  NexusSettingsPage *page;
  AdwComboRow       *language_row;
  AdwEntryRow       *listen_row;
  GtkWidget         *listen_error_label;
  GtkSwitch         *online_tiles_switch;
  GtkWidget         *restart_group;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  const char *const keys[] = { "language", "api-listen", "api-tls", "map-online-tiles" };

  f->settings = nexus_settings_try_new (NULL);
  g_assert_nonnull (f->settings);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_settings_reset (f->settings, keys[i]);

  f->page = g_object_ref_sink (g_object_new (NEXUS_TYPE_SETTINGS_PAGE, NULL));
  _nexus_settings_page_set_settings (f->page, f->settings);

  f->language_row = ADW_COMBO_ROW (gtk_widget_get_template_child (
      GTK_WIDGET (f->page), NEXUS_TYPE_SETTINGS_PAGE, "language_row"));
  f->listen_row = ADW_ENTRY_ROW (
      gtk_widget_get_template_child (GTK_WIDGET (f->page), NEXUS_TYPE_SETTINGS_PAGE, "listen_row"));
  f->listen_error_label = GTK_WIDGET (gtk_widget_get_template_child (
      GTK_WIDGET (f->page), NEXUS_TYPE_SETTINGS_PAGE, "listen_error_label"));
  f->online_tiles_switch = GTK_SWITCH (gtk_widget_get_template_child (
      GTK_WIDGET (f->page), NEXUS_TYPE_SETTINGS_PAGE, "online_tiles_switch"));
  f->restart_group = GTK_WIDGET (gtk_widget_get_template_child (
      GTK_WIDGET (f->page), NEXUS_TYPE_SETTINGS_PAGE, "restart_group"));
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->page);
  g_clear_object (&f->settings);
}

static char *
get_string (Fixture *f, const char *key)
{
  return g_settings_get_string (f->settings, key);
}

static void
apply_listen (Fixture *f, const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (f->listen_row), text);
  g_signal_emit_by_name (f->listen_row, "apply");
}

static void
test_language (Fixture *f, gconstpointer data)
{
  g_autofree char *arabic = NULL;
  g_autofree char *system = NULL;

  g_assert_cmpuint (adw_combo_row_get_selected (f->language_row), ==, 0);
  g_assert_false (gtk_widget_get_visible (f->restart_group));

  adw_combo_row_set_selected (f->language_row, 2);
  arabic = get_string (f, "language");
  g_assert_cmpstr (arabic, ==, "ar");
  g_assert_true (gtk_widget_get_visible (f->restart_group));

  /* Back to what Nexus started with: no restart needed. */
  adw_combo_row_set_selected (f->language_row, 0);
  system = get_string (f, "language");
  g_assert_cmpstr (system, ==, "");
  g_assert_false (gtk_widget_get_visible (f->restart_group));
}

/* A bad address is refused in place and the stored one kept. */
static void
test_listen_refused (Fixture *f, gconstpointer data)
{
  const char *const bad[] = { "nonsense", "127.0.0.1", "127.0.0.1:99999", ":8787", "" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *stored = NULL;

      apply_listen (f, bad[i]);
      stored = get_string (f, "api-listen");
      g_assert_cmpstr (stored, ==, "127.0.0.1:8787");
      g_assert_true (gtk_widget_get_visible (f->listen_error_label));
      g_assert_cmpuint (strlen (gtk_label_get_text (GTK_LABEL (f->listen_error_label))), >, 0);
      g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (f->listen_row), "error"));
      g_assert_false (gtk_widget_get_visible (f->restart_group));
    }

  /* Editing again clears the message. */
  gtk_editable_set_text (GTK_EDITABLE (f->listen_row), "0.0.0.0:8");
  g_assert_false (gtk_widget_get_visible (f->listen_error_label));
}

static void
test_listen_accepted (Fixture *f, gconstpointer data)
{
  g_autofree char *stored = NULL;
  g_autofree char *folded = NULL;

  apply_listen (f, "0.0.0.0:9000");
  stored = get_string (f, "api-listen");
  g_assert_cmpstr (stored, ==, "0.0.0.0:9000");
  g_assert_false (gtk_widget_get_visible (f->listen_error_label));
  g_assert_true (gtk_widget_get_visible (f->restart_group));

  /* Arabic-Indic digits are read as digits. */
  apply_listen (f, "١٢٧.٠.٠.١:٩٠٠١");
  folded = get_string (f, "api-listen");
  g_assert_cmpstr (folded, ==, "127.0.0.1:9001");
}

static void
test_switches (Fixture *f, gconstpointer data)
{
  g_assert_false (g_settings_get_boolean (f->settings, "map-online-tiles"));
  gtk_switch_set_active (f->online_tiles_switch, TRUE);
  g_assert_true (g_settings_get_boolean (f->settings, "map-online-tiles"));

  /* The map tiles apply at once; TLS needs a restart. */
  g_assert_false (gtk_widget_get_visible (f->restart_group));
  g_settings_set_boolean (f->settings, "api-tls", TRUE);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_true (gtk_widget_get_visible (f->restart_group));
}

int
main (int argc, char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add ("/settings-page/language", Fixture, NULL, fixture_set_up, test_language,
              fixture_tear_down);
  g_test_add ("/settings-page/listen-refused", Fixture, NULL, fixture_set_up, test_listen_refused,
              fixture_tear_down);
  g_test_add ("/settings-page/listen-accepted", Fixture, NULL, fixture_set_up, test_listen_accepted,
              fixture_tear_down);
  g_test_add ("/settings-page/switches", Fixture, NULL, fixture_set_up, test_switches,
              fixture_tear_down);

  return g_test_run ();
}
