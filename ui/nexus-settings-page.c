/* nexus-settings-page.c — the console's preferences
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every preference is a key of the application's GSettings schema.  The
 * map tiles switch takes effect at once (the map page watches the key);
 * the language and the worker API are read when Nexus starts, so changing
 * them offers a restart.
 *
 * Without the schema (an uninstalled build run without
 * GSETTINGS_SCHEMA_DIR) the page shows the defaults, insensitive.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "api/nexus-api-server.h"
#include "nexus-format.h"
#include "nexus-settings-page.h"
#include "nexus-settings.h"

struct _NexusSettingsPage
{
  NexusPage parent_instance;

  /* template children */
  AdwComboRow         *language_row;
  GtkStringList       *language_list;
  GtkSwitch           *online_tiles_switch;
  AdwEntryRow         *listen_row;
  GtkLabel            *listen_error_label;
  GtkSwitch           *tls_switch;
  AdwActionRow        *database_row;
  AdwPreferencesGroup *restart_group;

  GSettings *settings;

  /* The values Nexus started with: a restart is offered when they change. */
  char    *started_language;
  char    *started_listen;
  gboolean started_tls;
};

G_DEFINE_FINAL_TYPE (NexusSettingsPage, nexus_settings_page, NEXUS_TYPE_PAGE)

/* The values of the "language" key, in the order of the combo row. */
static const char *const language_values[] = { "", "en", "ar" };

static void
update_restart_hint (NexusSettingsPage *self)
{
  g_autofree char *language = NULL;
  g_autofree char *listen = NULL;
  gboolean         changed;

  if (self->settings == NULL)
    return;

  language = g_settings_get_string (self->settings, "language");
  listen = g_settings_get_string (self->settings, "api-listen");
  changed = g_strcmp0 (language, self->started_language) != 0 ||
            g_strcmp0 (listen, self->started_listen) != 0 ||
            g_settings_get_boolean (self->settings, "api-tls") != self->started_tls;
  gtk_widget_set_visible (GTK_WIDGET (self->restart_group), changed);
}

static void
show_listen_error (NexusSettingsPage *self, const char *message)
{
  gtk_label_set_text (self->listen_error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->listen_error_label), message != NULL);
  if (message != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->listen_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->listen_row), "error");
}

static void
language_selected_cb (NexusSettingsPage *self, GParamSpec *pspec, AdwComboRow *row)
{
  guint selected = adw_combo_row_get_selected (row);

  if (self->settings == NULL || selected >= G_N_ELEMENTS (language_values))
    return;

  nexus_settings_set_if_changed (self->settings, "language",
                                 g_variant_new_string (language_values[selected]));
  update_restart_hint (self);
}

/* The message goes away as soon as the address is edited again. */
static void
listen_changed_cb (NexusSettingsPage *self, GtkEditable *editable)
{
  show_listen_error (self, NULL);
}

/* A bad address is refused in place and the stored one is kept. */
static void
listen_apply_cb (NexusSettingsPage *self, AdwEntryRow *row)
{
  g_autofree char *address =
      g_strstrip (nexus_fold_digits (gtk_editable_get_text (GTK_EDITABLE (row))));
  g_autoptr (GSocketAddress) parsed = NULL;
  g_autoptr (GError) error = NULL;

  parsed = nexus_api_parse_address (address, &error);
  if (parsed == NULL)
    {
      show_listen_error (self, error->message);
      return;
    }

  show_listen_error (self, NULL);
  if (self->settings != NULL)
    nexus_settings_set_if_changed (self->settings, "api-listen", g_variant_new_string (address));
  update_restart_hint (self);
}

static void
tls_changed_cb (NexusSettingsPage *self, GParamSpec *pspec, GtkSwitch *widget)
{
  update_restart_hint (self);
}

static void
open_folder_clicked_cb (NexusSettingsPage *self, GtkButton *button)
{
  NexusEngine *engine = nexus_page_get_engine (NEXUS_PAGE (self));
  g_autoptr (GFile) file = NULL;
  g_autoptr (GFile) folder = NULL;
  g_autofree char *uri = NULL;

  if (engine == NULL)
    return;

  file = g_file_new_for_path (nexus_engine_get_db_path (engine));
  folder = g_file_get_parent (file);
  uri = g_file_get_uri (folder);
  gtk_show_uri (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), uri, GDK_CURRENT_TIME);
}

static void
update_database_row (NexusSettingsPage *self)
{
  NexusEngine     *engine = nexus_page_get_engine (NEXUS_PAGE (self));
  g_autofree char *path = NULL;

  if (engine != NULL)
    path = nexus_isolate_auto (nexus_engine_get_db_path (engine));
  adw_action_row_set_subtitle (self->database_row, path != NULL ? path : "");
}

/**
 * _nexus_settings_page_set_settings:
 * @self: a #NexusSettingsPage
 * @settings: (nullable): settings of the Nexus schema
 *
 * Shows and edits @settings.  The values it holds now count as the ones
 * Nexus started with.
 */
void
_nexus_settings_page_set_settings (NexusSettingsPage *self, GSettings *settings)
{
  g_autofree char *language = NULL;

  g_return_if_fail (NEXUS_IS_SETTINGS_PAGE (self));

  if (self->settings != NULL)
    {
      g_settings_unbind (self->online_tiles_switch, "active");
      g_settings_unbind (self->tls_switch, "active");
    }
  g_set_object (&self->settings, settings);

  gtk_widget_set_sensitive (GTK_WIDGET (self), settings != NULL);
  if (settings == NULL)
    return;

  g_clear_pointer (&self->started_language, g_free);
  g_clear_pointer (&self->started_listen, g_free);
  self->started_language = g_settings_get_string (settings, "language");
  self->started_listen = g_settings_get_string (settings, "api-listen");
  self->started_tls = g_settings_get_boolean (settings, "api-tls");

  for (guint i = 0; i < G_N_ELEMENTS (language_values); i++)
    if (g_str_equal (language_values[i], self->started_language))
      adw_combo_row_set_selected (self->language_row, i);

  gtk_editable_set_text (GTK_EDITABLE (self->listen_row), self->started_listen);
  show_listen_error (self, NULL);

  g_settings_bind (settings, "map-online-tiles", self->online_tiles_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "api-tls", self->tls_switch, "active", G_SETTINGS_BIND_DEFAULT);
  update_restart_hint (self);
}

static void
nexus_settings_page_engine_changed (NexusPage *page, NexusEngine *old_engine)
{
  update_database_row (NEXUS_SETTINGS_PAGE (page));
}

static void
nexus_settings_page_dispose (GObject *object)
{
  NexusSettingsPage *self = NEXUS_SETTINGS_PAGE (object);

  if (self->settings != NULL)
    {
      g_settings_unbind (self->online_tiles_switch, "active");
      g_settings_unbind (self->tls_switch, "active");
    }
  gtk_widget_dispose_template (GTK_WIDGET (object), NEXUS_TYPE_SETTINGS_PAGE);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (nexus_settings_page_parent_class)->dispose (object);
}

static void
nexus_settings_page_finalize (GObject *object)
{
  NexusSettingsPage *self = NEXUS_SETTINGS_PAGE (object);

  g_free (self->started_language);
  g_free (self->started_listen);

  G_OBJECT_CLASS (nexus_settings_page_parent_class)->finalize (object);
}

static void
nexus_settings_page_class_init (NexusSettingsPageClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  NexusPageClass *page_class = NEXUS_PAGE_CLASS (klass);

  object_class->dispose = nexus_settings_page_dispose;
  object_class->finalize = nexus_settings_page_finalize;
  page_class->engine_changed = nexus_settings_page_engine_changed;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/nexus/Nexus/ui/nexus-settings-page.ui");
  gtk_widget_class_bind_template_child (widget_class, NexusSettingsPage, language_row);
  gtk_widget_class_bind_template_child (widget_class, NexusSettingsPage, language_list);
  gtk_widget_class_bind_template_child (widget_class, NexusSettingsPage, online_tiles_switch);
  gtk_widget_class_bind_template_child (widget_class, NexusSettingsPage, listen_row);
  gtk_widget_class_bind_template_child (widget_class, NexusSettingsPage, listen_error_label);
  gtk_widget_class_bind_template_child (widget_class, NexusSettingsPage, tls_switch);
  gtk_widget_class_bind_template_child (widget_class, NexusSettingsPage, database_row);
  gtk_widget_class_bind_template_child (widget_class, NexusSettingsPage, restart_group);
  gtk_widget_class_bind_template_callback (widget_class, language_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, listen_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, listen_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, open_folder_clicked_cb);
}

static void
nexus_settings_page_init (NexusSettingsPage *self)
{
  g_autoptr (GSettings) settings = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  /* Language names are written in their own language. */
  gtk_string_list_append (self->language_list, C_ ("language", "Same as the system"));
  gtk_string_list_append (self->language_list, "English");
  gtk_string_list_append (self->language_list, "العربية");

  g_signal_connect_swapped (self->tls_switch, "notify::active", G_CALLBACK (tls_changed_cb), self);

  settings = nexus_settings_try_new (NULL);
  _nexus_settings_page_set_settings (self, settings);
}
