/* nexus-lead-details.c — everything known about one lead
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The side pane of the leads grid.  For one lead id it reads, on a reader
 * thread, the lead's row, its sources (provider, reference, when, the raw
 * record) and its history, and shows them: every field with copy buttons
 * for name, phone and address, a call (tel:) and a website button, a
 * small map of the lead's position, each source in an expander with its
 * raw record in monospace (a split-off button when it has several), and
 * the history newest first.
 *
 * The status menu and the split act through the page's "leads." actions
 * and the engine; the pane itself never writes.
 */
#include "config.h"

#include <inttypes.h>
#include <math.h>

#include <glib/gi18n.h>
#include <shumate/shumate.h>

#include "leads/nexus-lead-work.h"
#include "nexus-format.h"
#include "nexus-lead-details.h"
#include "nexus-map-basemap.h"
#include "nexus-settings.h"
#include "store/nexus-store-leads-view.h"
#include "store/nexus-store-leads.h"

struct _NexusLeadDetails
{
  AdwBin parent_instance;

  /* template children */
  GtkStack      *stack; /* "empty", "lead" or "error" */
  GtkLabel      *name_label;
  GtkLabel      *status_label;
  GtkButton     *call_button;
  GtkButton     *website_button;
  GtkListBox    *fields_list;
  GtkFrame      *map_frame;
  GtkListBox    *sources_list;
  GtkListBox    *history_list;
  AdwStatusPage *error_page;

  NexusEngine       *engine;      /* owned; NULL: nothing to read */
  gint64             lead_id;     /* 0: none */
  GCancellable      *cancellable; /* the read in flight */
  NexusLeadsViewRow *row;         /* owned; the lead shown, NULL while none */
  guint              n_history;   /* history entries shown */
  ShumateMap        *map;         /* owned; NULL without a base map */
  gboolean           map_checked; /* whether a base map exists was asked */
  ShumateMarker     *marker;      /* on the map; owned by its layer */
};

G_DEFINE_FINAL_TYPE (NexusLeadDetails, nexus_lead_details, ADW_TYPE_BIN)

/* What the reader thread gives back. */
typedef struct
{
  NexusLeadsViewRow *row;
  GPtrArray         *sources; /* NexusLeadSource */
  GPtrArray         *history; /* NexusLeadHistoryEntry */
} Details;

static void
details_free (Details *details)
{
  g_clear_pointer (&details->row, nexus_leads_view_row_free);
  g_clear_pointer (&details->sources, g_ptr_array_unref);
  g_clear_pointer (&details->history, g_ptr_array_unref);
  g_free (details);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Details, details_free)

/* Reader thread. */
static gpointer
read_details_func (NexusStore *store, gpointer data, GError **error)
{
  gint64 lead_id = *(gint64 *)data;
  g_autoptr (Details) details = g_new0 (Details, 1);

  details->row = nexus_store_leads_view_get (store, lead_id, error);
  if (details->row == NULL)
    return NULL;
  details->sources = g_ptr_array_new_with_free_func ((GDestroyNotify)nexus_lead_source_free);
  if (!nexus_store_leads_list_sources (store, lead_id, details->sources, error))
    return NULL;
  details->history = nexus_store_leads_list_history (store, lead_id, error);
  if (details->history == NULL)
    return NULL;
  return g_steal_pointer (&details);
}

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

static void
copy_clicked_cb (GtkButton *button, gpointer user_data)
{
  const char *text = g_object_get_data (G_OBJECT (button), "text");

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (button)), text);
}

/* A field as a row: its name, its value (selectable), and optionally a
 * button that copies the value. */
static void
add_field (NexusLeadDetails *self, const char *title, const char *value, gboolean copy)
{
  GtkWidget *row;

  if (value == NULL || value[0] == '\0')
    return;

  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value);
  gtk_widget_add_css_class (row, "property");

  if (copy)
    {
      GtkWidget       *button = gtk_button_new_from_icon_name ("edit-copy-symbolic");
      g_autofree char *tooltip = g_strdup_printf (_ ("Copy %s"), title);

      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (button, "flat");
      gtk_widget_set_tooltip_text (button, tooltip);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      tooltip, -1);
      g_object_set_data_full (G_OBJECT (button), "text", g_strdup (value), g_free);
      g_signal_connect (button, "clicked", G_CALLBACK (copy_clicked_cb), NULL);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
    }
  gtk_list_box_append (self->fields_list, row);
}

static void
add_field_owned (NexusLeadDetails *self, const char *title, char *value, gboolean copy)
{
  add_field (self, title, value, copy);
  g_free (value);
}

/* A date and time that keeps its order in right-to-left text. */
static char *
format_when (gint64 unix_seconds)
{
  g_autofree char *when = nexus_format_date_time (unix_seconds);

  return nexus_isolate_ltr (when);
}

static void
show_fields (NexusLeadDetails *self, const NexusLeadsViewRow *row)
{
  g_autofree char *category = nexus_format_category (row->category);

  clear_list (self->fields_list);
  add_field (self, _ ("Name"), row->name, TRUE);
  add_field_owned (self, _ ("Phone"),
                   row->phone_e164 != NULL ? nexus_isolate_ltr (row->phone_e164) : NULL, TRUE);
  add_field (self, _ ("Address"), row->address, TRUE);
  add_field (self, _ ("City"), row->city, FALSE);
  add_field (self, _ ("Country"), row->country, FALSE);
  add_field (self, _ ("Website"), row->website, FALSE);
  add_field (self, _ ("E-mail"), row->email, TRUE);
  add_field (self, _ ("Category"), category, FALSE);
  if (!isnan (row->rating) && row->rating > 0)
    add_field_owned (self, _ ("Rating"), nexus_format_decimal (row->rating, 1), FALSE);
  if (row->reviews >= 0)
    add_field_owned (self, _ ("Reviews"), nexus_format_count (row->reviews), FALSE);
  add_field (self, C_ ("lead", "Agent"),
             row->agent_name != NULL ? row->agent_name : C_ ("agent", "Unassigned"), FALSE);
  add_field_owned (self, _ ("First Seen"), format_when (row->first_seen_at), FALSE);
  add_field_owned (self, _ ("Last Seen"), format_when (row->last_seen_at), FALSE);
  add_field_owned (self, _ ("Sightings"), nexus_format_count (row->sightings), FALSE);
  if (!isnan (row->lat) && !isnan (row->lon))
    {
      g_autofree char *lat = nexus_format_decimal (row->lat, 5);
      g_autofree char *lon = nexus_format_decimal (row->lon, 5);

      add_field_owned (self, _ ("Position"),
                       nexus_isolate_ltr (g_strdup_printf ("%s, %s", lat, lon)), TRUE);
    }
  add_field (self, _ ("Notes"), row->notes, FALSE);
}

/**
 * nexus_lead_details_create_base_layer:
 * @viewport: the small map's viewport
 * @out_zoom: (out): the zoom level the base layer is worth showing at
 *
 * The one place that picks the small map's base layer: OpenStreetMap tiles
 * when the operator turned online tiles on (the `map-online-tiles`
 * setting), else the offline base map the Map page draws (land, borders
 * and country names from the bundled Natural Earth data), which shows the
 * lead's country rather than its street.
 *
 * Returns: (transfer floating): the base layer, for the map to take
 */
ShumateLayer *
nexus_lead_details_create_base_layer (ShumateViewport *viewport, double *out_zoom)
{
  g_autoptr (GSettings) settings = nexus_settings_try_new ("map-online-tiles");
  g_autoptr (ShumateMapSourceRegistry) registry = NULL;
  g_autoptr (NexusMapBasemap) basemap = NULL;
  g_autoptr (ShumateMapSource) offline = NULL;
  ShumateMapSource *map_source = NULL;

  if (settings != NULL && g_settings_get_boolean (settings, "map-online-tiles"))
    {
      registry = shumate_map_source_registry_new_with_defaults ();
      map_source = shumate_map_source_registry_get_by_id (registry, SHUMATE_MAP_SOURCE_OSM_MAPNIK);
    }
  if (map_source != NULL)
    {
      *out_zoom = 15;
      shumate_viewport_set_reference_map_source (viewport, map_source);
      return SHUMATE_LAYER (shumate_map_layer_new (map_source, viewport));
    }

  basemap = nexus_map_basemap_new (g_str_equal (nexus_format_locale (), "ar"));
  offline = nexus_map_basemap_create_map_source (basemap);
  *out_zoom = 5;
  shumate_viewport_set_reference_map_source (viewport, offline);
  return SHUMATE_LAYER (shumate_map_layer_new (offline, viewport));
}

/* Builds the small map once: its base layer, a marker layer with one pin.
 * Leaves self->map NULL when there is no base layer. */
static void
build_map (NexusLeadDetails *self)
{
  g_autoptr (ShumateMap) map = g_object_ref_sink (shumate_map_new ());
  ShumateViewport    *viewport = shumate_map_get_viewport (map);
  double              zoom = 15;
  ShumateLayer       *base = nexus_lead_details_create_base_layer (viewport, &zoom);
  ShumateMarkerLayer *markers;
  GtkWidget          *pin;

  self->map_checked = TRUE;
  if (base == NULL)
    return;

  shumate_map_add_layer (map, base);
  markers = shumate_marker_layer_new (viewport);
  pin = gtk_image_new_from_icon_name ("mark-location-symbolic");
  gtk_image_set_pixel_size (GTK_IMAGE (pin), 32);
  self->marker = shumate_marker_new ();
  shumate_marker_set_child (self->marker, pin);
  shumate_marker_layer_add_marker (markers, self->marker);
  shumate_map_add_layer (map, SHUMATE_LAYER (markers));
  shumate_viewport_set_zoom_level (viewport, zoom);
  /* A picture of where the lead is: the wheel scrolls the pane, it does
   * not zoom this map (the Map page is for exploring). */
  gtk_widget_set_can_target (GTK_WIDGET (map), FALSE);
  gtk_frame_set_child (self->map_frame, GTK_WIDGET (map));
  self->map = g_steal_pointer (&map);
}

static void
show_map (NexusLeadDetails *self, const NexusLeadsViewRow *row)
{
  if (!self->map_checked)
    build_map (self);

  /* No base map, or no position: a lone pin on an empty map says nothing. */
  if (self->map == NULL || isnan (row->lat) || isnan (row->lon))
    {
      gtk_widget_set_visible (GTK_WIDGET (self->map_frame), FALSE);
      return;
    }

  shumate_location_set_location (SHUMATE_LOCATION (self->marker), row->lat, row->lon);
  shumate_map_center_on (self->map, row->lat, row->lon);
  gtk_widget_set_visible (GTK_WIDGET (self->map_frame), TRUE);
}

static void
split_clicked_cb (GtkButton *button, NexusLeadDetails *self)
{
  gint64 source_id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (button), "source-id"));

  gtk_widget_activate_action (GTK_WIDGET (self), "leads.split", "(xx)", self->lead_id, source_id);
}

static void
show_sources (NexusLeadDetails *self, GPtrArray *sources)
{
  clear_list (self->sources_list);
  for (guint i = 0; i < sources->len; i++)
    {
      NexusLeadSource *source = g_ptr_array_index (sources, i);
      GtkWidget       *row = adw_expander_row_new ();
      GtkWidget       *label;
      g_autofree char *when = format_when (source->last_seen_at);
      g_autofree char *isolated_ref = nexus_isolate_ltr (source->ref);
      g_autofree char *subtitle = NULL;
      g_autofree char *raw = nexus_format_json (source->raw);

      /* Translators: under a source of a lead: the provider's reference of
       * the place, then when it was last reported. */
      subtitle = g_strdup_printf (_ ("%s · %s"), isolated_ref, when);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), source->provider);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), subtitle);

      label = gtk_label_new (raw);
      gtk_label_set_selectable (GTK_LABEL (label), TRUE);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_set_direction (label, GTK_TEXT_DIR_LTR);
      gtk_widget_add_css_class (label, "monospace");
      gtk_widget_set_margin_start (label, 12);
      gtk_widget_set_margin_end (label, 12);
      gtk_widget_set_margin_top (label, 6);
      gtk_widget_set_margin_bottom (label, 6);
      adw_expander_row_add_row (ADW_EXPANDER_ROW (row), label);

      if (sources->len > 1)
        {
          GtkWidget *button = gtk_button_new_with_mnemonic (_ ("Split _Off"));

          gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
          gtk_widget_set_tooltip_text (button, _ ("Make this source a lead of its own"));
          g_object_set_data (G_OBJECT (button), "source-id", GSIZE_TO_POINTER (source->id));
          g_signal_connect (button, "clicked", G_CALLBACK (split_clicked_cb), self);
          adw_expander_row_add_action (ADW_EXPANDER_ROW (row), button);
        }
      gtk_list_box_append (self->sources_list, row);
    }
}

/* One line of history as a sentence. */
static char *
history_title (const NexusLeadHistoryEntry *entry)
{
  const char *nobody = C_ ("agent", "Unassigned");

  if (g_strcmp0 (entry->kind, "status") == 0)
    /* Translators: a status change in a lead's history: old → new. */
    return g_strdup_printf (_ ("Status: %s → %s"), nexus_lead_status_label (entry->old_value),
                            nexus_lead_status_label (entry->new_value));
  if (g_strcmp0 (entry->kind, "assign") == 0)
    /* Translators: an assignment in a lead's history: old agent → new agent. */
    return g_strdup_printf (_ ("Agent: %s → %s"),
                            entry->old_value != NULL ? entry->old_value : nobody,
                            entry->new_value != NULL ? entry->new_value : nobody);
  if (g_strcmp0 (entry->kind, "category") == 0)
    return g_strdup_printf (_ ("Category: %s → %s"),
                            entry->old_value != NULL ? entry->old_value : "—",
                            entry->new_value != NULL ? entry->new_value : "—");
  if (g_strcmp0 (entry->kind, "note") == 0)
    return g_strdup (_ ("Note"));
  if (g_strcmp0 (entry->kind, "merge") == 0)
    return g_strdup_printf (_ ("Merged with lead %s"), entry->note);
  if (g_strcmp0 (entry->kind, "split") == 0)
    return g_strdup_printf (_ ("Split from lead %s"), entry->note);
  if (g_strcmp0 (entry->kind, "promote") == 0)
    return g_strdup_printf (_ ("Joined the vault with lead %s"), entry->note);
  return g_strdup (entry->kind);
}

static void
show_history (NexusLeadDetails *self, GPtrArray *history)
{
  clear_list (self->history_list);
  self->n_history = history->len;
  if (history->len == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _ ("Nothing done yet"));
      gtk_list_box_append (self->history_list, row);
      return;
    }

  for (guint i = 0; i < history->len; i++)
    {
      NexusLeadHistoryEntry *entry = g_ptr_array_index (history, i);
      GtkWidget             *row = adw_action_row_new ();
      g_autofree char       *title = history_title (entry);
      g_autofree char       *when = format_when (entry->at);
      g_autofree char       *subtitle = NULL;
      gboolean               note = entry->note != NULL && g_strcmp0 (entry->kind, "merge") != 0 &&
                      g_strcmp0 (entry->kind, "split") != 0 &&
                      g_strcmp0 (entry->kind, "promote") != 0;

      /* Translators: under a line of a lead's history: who, when, and the
       * note written with the change. */
      subtitle = note ? g_strdup_printf (_ ("%s · %s\n%s"), entry->actor, when, entry->note)
                      : g_strdup_printf (_ ("%s · %s"), entry->actor, when);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
      gtk_list_box_append (self->history_list, row);
    }
}

static void
show_details (NexusLeadDetails *self, Details *details)
{
  const NexusLeadsViewRow *row = details->row;
  g_autofree char         *status = NULL;

  g_clear_pointer (&self->row, nexus_leads_view_row_free);
  self->row = g_steal_pointer (&details->row);
  row = self->row;

  gtk_label_set_text (self->name_label, row->name);
  status = row->preview_only ? g_strdup_printf (_ ("%s · in the preview pool"),
                                                nexus_lead_status_label (row->status))
                             : g_strdup (nexus_lead_status_label (row->status));
  gtk_label_set_text (self->status_label, status);
  gtk_widget_set_sensitive (GTK_WIDGET (self->call_button), row->phone_e164 != NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->website_button),
                            row->website != NULL && row->website[0] != '\0');

  show_fields (self, row);
  show_map (self, row);
  show_sources (self, details->sources);
  show_history (self, details->history);
  gtk_stack_set_visible_child_name (self->stack, "lead");
}

static void
read_details_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (NexusLeadDetails) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (Details) details = nexus_engine_read_finish (NEXUS_ENGINE (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->cancellable);

  if (details == NULL)
    {
      g_clear_pointer (&self->row, nexus_leads_view_row_free);
      if (g_error_matches (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_NOT_FOUND))
        adw_status_page_set_description (self->error_page,
                                         _ ("The lead was deleted or merged into another."));
      else
        {
          g_autofree char *markup = g_markup_escape_text (error->message, -1);

          adw_status_page_set_description (self->error_page, markup);
        }
      gtk_stack_set_visible_child_name (self->stack, "error");
      return;
    }
  show_details (self, details);
}

static void
call_clicked_cb (NexusLeadDetails *self, GtkButton *button)
{
  g_autofree char *uri = NULL;

  if (self->row == NULL || self->row->phone_e164 == NULL)
    return;
  uri = g_strconcat ("tel:", self->row->phone_e164, NULL);
  gtk_show_uri (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), uri, GDK_CURRENT_TIME);
}

static void
website_clicked_cb (NexusLeadDetails *self, GtkButton *button)
{
  g_autofree char *uri = NULL;
  const char      *website;

  if (self->row == NULL || self->row->website == NULL)
    return;
  website = self->row->website;
  uri = g_str_has_prefix (website, "http://") || g_str_has_prefix (website, "https://")
            ? g_strdup (website)
            : g_strconcat ("https://", website, NULL);
  gtk_show_uri (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), uri, GDK_CURRENT_TIME);
}

static void
nexus_lead_details_dispose (GObject *object)
{
  NexusLeadDetails *self = NEXUS_LEAD_DETAILS (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  gtk_widget_dispose_template (GTK_WIDGET (object), NEXUS_TYPE_LEAD_DETAILS);

  g_clear_object (&self->engine);
  g_clear_object (&self->map);
  g_clear_pointer (&self->row, nexus_leads_view_row_free);

  G_OBJECT_CLASS (nexus_lead_details_parent_class)->dispose (object);
}

static void
nexus_lead_details_class_init (NexusLeadDetailsClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = nexus_lead_details_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/nexus/Nexus/ui/nexus-lead-details.ui");
  gtk_widget_class_bind_template_child (widget_class, NexusLeadDetails, stack);
  gtk_widget_class_bind_template_child (widget_class, NexusLeadDetails, name_label);
  gtk_widget_class_bind_template_child (widget_class, NexusLeadDetails, status_label);
  gtk_widget_class_bind_template_child (widget_class, NexusLeadDetails, call_button);
  gtk_widget_class_bind_template_child (widget_class, NexusLeadDetails, website_button);
  gtk_widget_class_bind_template_child (widget_class, NexusLeadDetails, fields_list);
  gtk_widget_class_bind_template_child (widget_class, NexusLeadDetails, map_frame);
  gtk_widget_class_bind_template_child (widget_class, NexusLeadDetails, sources_list);
  gtk_widget_class_bind_template_child (widget_class, NexusLeadDetails, history_list);
  gtk_widget_class_bind_template_child (widget_class, NexusLeadDetails, error_page);
  gtk_widget_class_bind_template_callback (widget_class, call_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, website_clicked_cb);
}

static void
nexus_lead_details_init (NexusLeadDetails *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
nexus_lead_details_new (void)
{
  return g_object_new (NEXUS_TYPE_LEAD_DETAILS, NULL);
}

void
nexus_lead_details_set_engine (NexusLeadDetails *self, NexusEngine *engine)
{
  g_return_if_fail (NEXUS_IS_LEAD_DETAILS (self));

  if (!g_set_object (&self->engine, engine))
    return;
  nexus_lead_details_set_lead_id (self, 0);
}

gint64
nexus_lead_details_get_lead_id (NexusLeadDetails *self)
{
  g_return_val_if_fail (NEXUS_IS_LEAD_DETAILS (self), 0);

  return self->lead_id;
}

/**
 * nexus_lead_details_set_lead_id:
 * @lead_id: the lead to show, or 0 for none
 *
 * Reads the lead on a reader thread and shows it.
 */
void
nexus_lead_details_set_lead_id (NexusLeadDetails *self, gint64 lead_id)
{
  g_return_if_fail (NEXUS_IS_LEAD_DETAILS (self));

  self->lead_id = lead_id;
  nexus_lead_details_reload (self);
}

/**
 * nexus_lead_details_reload:
 *
 * Reads the lead shown again (it changed).
 */
void
nexus_lead_details_reload (NexusLeadDetails *self)
{
  g_return_if_fail (NEXUS_IS_LEAD_DETAILS (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  if (self->engine == NULL || self->lead_id <= 0)
    {
      g_clear_pointer (&self->row, nexus_leads_view_row_free);
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }

  self->cancellable = g_cancellable_new ();
  nexus_engine_read_async (self->engine, read_details_func,
                           g_memdup2 (&self->lead_id, sizeof self->lead_id), g_free,
                           self->cancellable, read_details_cb, g_object_ref (self));
}

/**
 * nexus_lead_details_get_loading:
 *
 * Returns: whether a read is in flight
 */
gboolean
nexus_lead_details_get_loading (NexusLeadDetails *self)
{
  g_return_val_if_fail (NEXUS_IS_LEAD_DETAILS (self), FALSE);

  return self->cancellable != NULL;
}

/**
 * nexus_lead_details_get_name:
 *
 * Returns: (nullable): the name of the lead shown
 */
const char *
nexus_lead_details_get_name (NexusLeadDetails *self)
{
  g_return_val_if_fail (NEXUS_IS_LEAD_DETAILS (self), NULL);

  return self->row != NULL ? self->row->name : NULL;
}

guint
nexus_lead_details_get_n_history (NexusLeadDetails *self)
{
  g_return_val_if_fail (NEXUS_IS_LEAD_DETAILS (self), 0);

  return self->n_history;
}
