/* nexus-search-editor.c — a new search, checked field by field
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A modal window with one entry per part of a search.  Every entry is
 * checked as it changes, with the parsers nexusctl uses
 * (engine/queue/nexus-search.h), and a field that is wrong shows why right
 * under it; "Create" stays disabled until every field is right.  A message
 * appears once the operator has touched the field, or for every field when
 * Create is asked for anyway, so a fresh form is not a wall of red.
 *
 * The region is a place name (looked up through the engine's Nominatim
 * client and its cache, on a reader thread; the area found is shown), a
 * box of four edges, or a shape handed over by win.new-search.  Creating
 * the search plans its cells and queues its jobs on the engine thread; the
 * window closes when that is committed and emits "search-created".
 */
#include "config.h"

#include <inttypes.h>
#include <math.h>

#include <glib/gi18n.h>

#include "nexus-format.h"
#include "nexus-search-editor.h"
#include "providers/nexus-nominatim.h"
#include "queue/nexus-search.h"

struct _NexusSearchEditor
{
  AdwWindow parent_instance;

  /* template children */
  GtkLabel        *banner;    /* what went wrong when creating */
  GtkLabel        *edit_note; /* what a change of an existing search does */
  GtkButton       *create_button;
  GtkBox          *what_box;
  GtkBox          *place_box;
  GtkBox          *bbox_box;
  GtkBox          *how_box;
  GtkToggleButton *place_toggle;
  GtkToggleButton *bbox_toggle;
  GtkToggleButton *shape_toggle;
  GtkStack        *region_stack; /* "place", "bbox" or "polygon" */
  GtkLabel        *shape_label;
  AdwComboRow     *provider_row; /* position i: nexus_search_get_providers()[i] */
  GtkLabel        *provider_note;
  GtkSpinner      *spinner;

  AdwEntryRow *entries[NEXUS_SEARCH_N_FIELDS];  /* NULL for NEXUS_SEARCH_FIELD_BOX */
  GtkLabel    *messages[NEXUS_SEARCH_N_FIELDS]; /* under each field */
  char        *errors[NEXUS_SEARCH_N_FIELDS];   /* NULL: the field is right */
  gboolean     touched[NEXUS_SEARCH_N_FIELDS];  /* show its message */
  GtkLabel    *place_result;                    /* the area found */

  NexusEngine   *engine;      /* owned */
  NexusGeometry *shape;       /* owned; from win.new-search, or NULL */
  NexusPlace    *place;       /* owned; the last place found, or NULL */
  char          *place_error; /* why the last lookup of the place text failed */
  char          *place_asked; /* the text place or place_error answers */
  GCancellable  *cancellable; /* of the lookup and the creation */
  gboolean       busy;        /* a lookup or the creation is running */
  gint64         search_id;   /* the search edited, or 0 for a new one */
};

G_DEFINE_FINAL_TYPE (NexusSearchEditor, nexus_search_editor, ADW_TYPE_WINDOW)

enum
{
  SIGNAL_SEARCH_CREATED,
  SIGNAL_SEARCH_SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

enum
{
  PROP_0,
  PROP_BUSY,
  PROP_CAN_CREATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void validate (NexusSearchEditor *self);

/* --- helpers ------------------------------------------------------------ */

/* The engine's messages are sentence fragments ("the name is empty"): shown
 * alone under a field, they start with a capital. */
static char *
as_sentence (const char *message)
{
  gunichar    first;
  const char *rest;
  char        buffer[8] = { 0 };

  if (message == NULL || *message == '\0')
    return g_strdup (message);
  first = g_utf8_get_char (message);
  rest = g_utf8_next_char (message);
  g_unichar_to_utf8 (g_unichar_totitle (first), buffer);
  return g_strconcat (buffer, rest, NULL);
}

/**
 * nexus_search_editor_provider_label:
 * @provider: one of nexus_search_get_providers()
 *
 * Returns: the provider's name as the console shows it
 */
const char *
nexus_search_editor_provider_label (const char *provider)
{
  if (g_strcmp0 (provider, "overpass") == 0)
    return _ ("OpenStreetMap (Overpass)");
  if (g_strcmp0 (provider, "google") == 0)
    return _ ("Google Places");
  return provider;
}

static const char *
selected_provider (NexusSearchEditor *self)
{
  const char *const *providers = nexus_search_get_providers ();
  guint              selected = adw_combo_row_get_selected (self->provider_row);

  if (selected >= g_strv_length ((char **)providers))
    return NEXUS_SEARCH_DEFAULT_PROVIDER;
  return providers[selected];
}

static char *
field_text (NexusSearchEditor *self, NexusSearchField field)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->entries[field]));
  char       *folded = nexus_fold_digits (text != NULL ? text : "");

  return g_strstrip (folded);
}

/* A decimal number in [min, max]: ASCII digits (folded), a dot. */
static gboolean
parse_number (const char *text, double min, double max, double *out_value)
{
  char  *end = NULL;
  double value;

  if (text == NULL || *text == '\0')
    return FALSE;
  value = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0' || !isfinite (value) || value < min || value > max)
    return FALSE;
  *out_value = value;
  return TRUE;
}

static gboolean
parse_whole (const char *text, int min, int max, int *out_value)
{
  gint64 value;

  if (!g_ascii_string_to_signed (text, 10, min, max, &value, NULL))
    return FALSE;
  *out_value = (int)value;
  return TRUE;
}

static const char *
region_kind (NexusSearchEditor *self)
{
  if (gtk_toggle_button_get_active (self->bbox_toggle))
    return "bbox";
  if (gtk_toggle_button_get_active (self->shape_toggle) && self->shape != NULL)
    return "polygon";
  return "place";
}

static gboolean
field_applies (NexusSearchEditor *self, NexusSearchField field)
{
  const char *kind = region_kind (self);

  switch (field)
    {
      case NEXUS_SEARCH_FIELD_PLACE:
        return g_str_equal (kind, "place");
      case NEXUS_SEARCH_FIELD_SOUTH:
      case NEXUS_SEARCH_FIELD_WEST:
      case NEXUS_SEARCH_FIELD_NORTH:
      case NEXUS_SEARCH_FIELD_EAST:
      case NEXUS_SEARCH_FIELD_BOX:
        return g_str_equal (kind, "bbox");
      default:
        return TRUE;
    }
}

/* The edges typed; FALSE unless all four are numbers in range. */
static gboolean
typed_box (NexusSearchEditor *self, NexusBBox *out_box)
{
  g_autofree char *south = field_text (self, NEXUS_SEARCH_FIELD_SOUTH);
  g_autofree char *west = field_text (self, NEXUS_SEARCH_FIELD_WEST);
  g_autofree char *north = field_text (self, NEXUS_SEARCH_FIELD_NORTH);
  g_autofree char *east = field_text (self, NEXUS_SEARCH_FIELD_EAST);

  return parse_number (south, -90, 90, &out_box->south) &&
         parse_number (west, -180, 180, &out_box->west) &&
         parse_number (north, -90, 90, &out_box->north) &&
         parse_number (east, -180, 180, &out_box->east);
}

/* Why @field is wrong, or NULL. */
static char *
check_field (NexusSearchEditor *self, NexusSearchField field)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  double           number;
  int              whole;

  if (field == NEXUS_SEARCH_FIELD_BOX)
    {
      NexusBBox box;

      if (!typed_box (self, &box) || nexus_bbox_validate (&box, &error))
        return NULL;
      return as_sentence (error->message);
    }

  text = field_text (self, field);
  switch (field)
    {
      case NEXUS_SEARCH_FIELD_NAME:
        if (*text == '\0')
          return g_strdup (_ ("Give the search a name."));
        if (g_utf8_strlen (text, -1) > NEXUS_SEARCH_MAX_NAME_CHARS)
          return g_strdup_printf (_ ("The name is longer than %d characters."),
                                  NEXUS_SEARCH_MAX_NAME_CHARS);
        return NULL;

      case NEXUS_SEARCH_FIELD_KEYWORDS:
        {
          g_auto (GStrv) keywords = nexus_search_parse_keywords (text, &error);

          return keywords == NULL ? as_sentence (error->message) : NULL;
        }

      case NEXUS_SEARCH_FIELD_PLACE:
        if (*text == '\0')
          return g_strdup (_ ("Type a place name, then look it up with Find."));
        if (g_strcmp0 (text, self->place_asked) != 0 || self->busy)
          return g_strdup (_ ("Look the place up with Find to see its area."));
        if (self->place == NULL)
          return g_strdup (self->place_error);
        return NULL;

      case NEXUS_SEARCH_FIELD_SOUTH:
      case NEXUS_SEARCH_FIELD_NORTH:
        return parse_number (text, -90, 90, &number)
                   ? NULL
                   : g_strdup (_ ("A latitude between −90 and 90 degrees, such as 30.05."));

      case NEXUS_SEARCH_FIELD_WEST:
      case NEXUS_SEARCH_FIELD_EAST:
        return parse_number (text, -180, 180, &number)
                   ? NULL
                   : g_strdup (_ ("A longitude between −180 and 180 degrees, such as 31.24."));

      case NEXUS_SEARCH_FIELD_COUNTRY:
        {
          g_autofree char *country = NULL;

          if (*text == '\0')
            return NULL;
          country = nexus_search_parse_country (text, &error);
          return country == NULL ? as_sentence (error->message) : NULL;
        }

      case NEXUS_SEARCH_FIELD_CADENCE:
        {
          gint64 seconds;

          if (*text == '\0' || nexus_search_parse_cadence (text, &seconds, &error))
            return NULL;
          return as_sentence (error->message);
        }

      case NEXUS_SEARCH_FIELD_CELL_KM:
        if (parse_number (text, NEXUS_SEARCH_MIN_CELL_KM, NEXUS_SEARCH_MAX_CELL_KM, &number))
          return NULL;
        {
          g_autofree char *min = nexus_format_decimal (NEXUS_SEARCH_MIN_CELL_KM, 1);
          g_autofree char *max = nexus_format_decimal (NEXUS_SEARCH_MAX_CELL_KM, 0);

          /* Translators: %s and %s are the smallest and largest cell edge
           * in kilometres. */
          return g_strdup_printf (_ ("A size in kilometres between %s and %s."), min, max);
        }

      case NEXUS_SEARCH_FIELD_DEPTH:
        if (parse_whole (text, 0, NEXUS_SEARCH_MAX_DEPTH, &whole))
          return NULL;
        return g_strdup_printf (_ ("A whole number from 0 to %d."), NEXUS_SEARCH_MAX_DEPTH);

      case NEXUS_SEARCH_FIELD_PRIORITY:
        if (parse_whole (text, -NEXUS_SEARCH_MAX_PRIORITY, NEXUS_SEARCH_MAX_PRIORITY, &whole))
          return NULL;
        return g_strdup_printf (_ ("A whole number from %d to %d."), -NEXUS_SEARCH_MAX_PRIORITY,
                                NEXUS_SEARCH_MAX_PRIORITY);

      case NEXUS_SEARCH_FIELD_BOX:
      case NEXUS_SEARCH_N_FIELDS:
      default:
        break;
    }
  g_return_val_if_reached (NULL);
}

static gboolean
all_fields_right (NexusSearchEditor *self)
{
  for (guint i = 0; i < NEXUS_SEARCH_N_FIELDS; i++)
    if (self->errors[i] != NULL)
      return FALSE;
  return TRUE;
}

/* The search the fields describe; NULL unless every field is right. */
static NexusSearchSpec *
build_spec (NexusSearchEditor *self, GError **error)
{
  g_autoptr (NexusSearchSpec) spec = nexus_search_spec_new ();
  g_autofree char *name = field_text (self, NEXUS_SEARCH_FIELD_NAME);
  g_autofree char *keywords = field_text (self, NEXUS_SEARCH_FIELD_KEYWORDS);
  g_autofree char *country = field_text (self, NEXUS_SEARCH_FIELD_COUNTRY);
  g_autofree char *cadence = field_text (self, NEXUS_SEARCH_FIELD_CADENCE);
  g_autofree char *cell_km = field_text (self, NEXUS_SEARCH_FIELD_CELL_KM);
  g_autofree char *depth = field_text (self, NEXUS_SEARCH_FIELD_DEPTH);
  g_autofree char *priority = field_text (self, NEXUS_SEARCH_FIELD_PRIORITY);
  const char      *kind = region_kind (self);

  spec->name = g_steal_pointer (&name);
  if (!(spec->keywords = nexus_search_parse_keywords (keywords, error)))
    return NULL;
  g_free (spec->provider);
  spec->provider = g_strdup (selected_provider (self));
  if (*country != '\0' && !(spec->country = nexus_search_parse_country (country, error)))
    return NULL;
  if (*cadence != '\0' && !nexus_search_parse_cadence (cadence, &spec->cadence_s, error))
    return NULL;
  parse_number (cell_km, NEXUS_SEARCH_MIN_CELL_KM, NEXUS_SEARCH_MAX_CELL_KM, &spec->cell_km);
  parse_whole (depth, 0, NEXUS_SEARCH_MAX_DEPTH, &spec->max_depth);
  parse_whole (priority, -NEXUS_SEARCH_MAX_PRIORITY, NEXUS_SEARCH_MAX_PRIORITY, &spec->priority);

  spec->region_kind = g_strdup (kind);
  if (g_str_equal (kind, "bbox"))
    {
      NexusBBox box = { 0 };

      typed_box (self, &box);
      spec->region = nexus_region_new_bbox (&box);
    }
  else if (g_str_equal (kind, "polygon"))
    spec->region = nexus_region_new_polygon (self->shape);
  else if (self->place != NULL)
    {
      NexusPlaceRecord *fresh = self->place->fresh;

      const NexusRegion *found = self->place->region;

      spec->region = found->polygon != NULL ? nexus_region_new_polygon (found->polygon)
                                            : nexus_region_new_bbox (&found->bbox);
      spec->place_name = g_strdup (self->place_asked);
      spec->place_display = g_strdup (self->place->display_name);
      if (fresh != NULL)
        {
          spec->place_cache = g_new0 (NexusPlaceRecord, 1);
          spec->place_cache->query_norm = g_strdup (fresh->query_norm);
          spec->place_cache->query = g_strdup (fresh->query);
          spec->place_cache->display_name = g_strdup (fresh->display_name);
          spec->place_cache->geometry = g_strdup (fresh->geometry);
          spec->place_cache->bbox = g_strdup (fresh->bbox);
          spec->place_cache->fetched_at = fresh->fetched_at;
        }
    }

  /* The same last check as nexusctl's. */
  if (!nexus_search_spec_validate (spec, error))
    return NULL;
  return g_steal_pointer (&spec);
}

static void
set_busy (NexusSearchEditor *self, gboolean busy)
{
  if (self->busy == busy)
    return;
  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
  validate (self);
}

static void
show_banner (NexusSearchEditor *self, const char *message)
{
  gtk_label_set_text (self->banner, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->banner), message != NULL);
}

/* Checks every field and shows the messages of the touched ones. */
static void
validate (NexusSearchEditor *self)
{
  gboolean could_create = nexus_search_editor_get_can_create (self);
  gboolean can_create;

  for (guint i = 0; i < NEXUS_SEARCH_N_FIELDS; i++)
    {
      gboolean shown;

      g_clear_pointer (&self->errors[i], g_free);
      if (self->messages[i] == NULL || !field_applies (self, i))
        continue;
      self->errors[i] = check_field (self, i);
      shown = self->errors[i] != NULL && self->touched[i];
      gtk_label_set_text (self->messages[i], shown ? self->errors[i] : "");
      gtk_widget_set_visible (GTK_WIDGET (self->messages[i]), shown);
      if (self->entries[i] != NULL)
        {
          if (shown)
            gtk_widget_add_css_class (GTK_WIDGET (self->entries[i]), "error");
          else
            gtk_widget_remove_css_class (GTK_WIDGET (self->entries[i]), "error");
        }
    }

  can_create = nexus_search_editor_get_can_create (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.create", can_create);
  if (can_create != could_create)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_CREATE]);
}

/* --- the place ------------------------------------------------------------ */

static gpointer
resolve_place_func (NexusStore *store, gpointer data, GError **error)
{
  return nexus_nominatim_resolve (store, data, NULL, error);
}

static void
show_place (NexusSearchEditor *self)
{
  const NexusBBox *box;
  g_autofree char *edges = NULL;
  g_autofree char *text = NULL;

  if (self->place == NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->place_result), FALSE);
      return;
    }

  box = &self->place->region->bbox;
  edges = nexus_format_bbox (box->south, box->west, box->north, box->east);
  /* Translators: under the place name once it was found; %s is the name
   * the map service knows it by, then its box in degrees. */
  text = g_strdup_printf (_ ("Found: %s\nArea: %s"), self->place->display_name, edges);
  gtk_label_set_text (self->place_result, text);
  gtk_widget_set_visible (GTK_WIDGET (self->place_result), TRUE);
}

static void
place_resolved_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (NexusSearchEditor) self = user_data;
  g_autoptr (GError) error = NULL;
  NexusPlace *place;

  place = nexus_engine_read_finish (NEXUS_ENGINE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_clear_pointer (&self->place, nexus_place_free);
  g_clear_pointer (&self->place_error, g_free);
  self->place = place;
  if (place == NULL)
    self->place_error = as_sentence (error->message);
  self->touched[NEXUS_SEARCH_FIELD_PLACE] = TRUE;
  show_place (self);
  set_busy (self, FALSE);
  validate (self);
}

/**
 * nexus_search_editor_find_place:
 *
 * Looks the place name up (the cache first, then Nominatim) on a reader
 * thread; the field shows the area found or why there is none.
 */
void
nexus_search_editor_find_place (NexusSearchEditor *self)
{
  g_autofree char *text = NULL;

  g_return_if_fail (NEXUS_IS_SEARCH_EDITOR (self));

  text = field_text (self, NEXUS_SEARCH_FIELD_PLACE);
  self->touched[NEXUS_SEARCH_FIELD_PLACE] = TRUE;
  if (*text == '\0' || self->busy || self->engine == NULL)
    {
      validate (self);
      return;
    }

  g_free (self->place_asked);
  self->place_asked = g_strdup (text);
  g_clear_pointer (&self->place, nexus_place_free);
  show_place (self);
  show_banner (self, NULL);
  set_busy (self, TRUE);
  nexus_engine_read_async (self->engine, resolve_place_func, g_steal_pointer (&text), g_free,
                           self->cancellable, place_resolved_cb, g_object_ref (self));
}

/* --- creating ------------------------------------------------------------- */

typedef struct
{
  NexusEngine     *engine; /* owned */
  NexusSearchSpec *spec;   /* owned */
} CreateData;

static void
create_data_free (CreateData *data)
{
  g_clear_object (&data->engine);
  g_clear_pointer (&data->spec, nexus_search_spec_free);
  g_free (data);
}

static gpointer
add_search_func (NexusStore *store, gpointer data, GError **error)
{
  CreateData  *create = data;
  NexusRunPlan plan = { 0 };

  if (!nexus_job_queue_add_search (nexus_engine_get_queue (create->engine), create->spec, &plan,
                                   error))
    return NULL;
  return g_memdup2 (&plan, sizeof plan);
}

static void
search_added_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (NexusSearchEditor) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree NexusRunPlan *plan = NULL;

  plan = nexus_engine_run_finish (NEXUS_ENGINE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_busy (self, FALSE);
  if (plan == NULL)
    {
      g_autofree char *message = as_sentence (error->message);

      show_banner (self, message);
      return;
    }

  g_signal_emit (self, signals[SIGNAL_SEARCH_CREATED], 0, plan->search_id, plan->n_jobs);
  gtk_window_destroy (GTK_WINDOW (self));
}

typedef struct
{
  NexusEngine     *engine; /* owned */
  gint64           search_id;
  NexusSearchSpec *spec; /* owned */
} SaveData;

static void
save_data_free (SaveData *data)
{
  g_clear_object (&data->engine);
  g_clear_pointer (&data->spec, nexus_search_spec_free);
  g_free (data);
}

static gpointer
update_search_func (NexusStore *store, gpointer data, GError **error)
{
  SaveData *save = data;

  if (!nexus_job_queue_update_search (nexus_engine_get_queue (save->engine), save->search_id,
                                      save->spec, error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

static void
search_saved_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (NexusSearchEditor) self = user_data;
  g_autoptr (GError) error = NULL;

  if (nexus_engine_run_finish (NEXUS_ENGINE (source), result, &error) == NULL)
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      set_busy (self, FALSE);
      message = as_sentence (error->message);
      show_banner (self, message);
      return;
    }

  set_busy (self, FALSE);
  g_signal_emit (self, signals[SIGNAL_SEARCH_SAVED], 0, self->search_id);
  gtk_window_destroy (GTK_WINDOW (self));
}

/**
 * nexus_search_editor_create:
 *
 * What the Create button does: shows the message of every wrong field, or
 * adds the search on the engine thread.  Nothing is written while a field
 * is wrong.
 */
void
nexus_search_editor_create (NexusSearchEditor *self)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusSearchSpec) spec = NULL;
  CreateData *data;

  g_return_if_fail (NEXUS_IS_SEARCH_EDITOR (self));

  for (guint i = 0; i < NEXUS_SEARCH_N_FIELDS; i++)
    self->touched[i] = TRUE;
  validate (self);
  if (!nexus_search_editor_get_can_create (self))
    return;

  spec = build_spec (self, &error);
  if (spec == NULL)
    {
      g_autofree char *message = as_sentence (error->message);

      show_banner (self, message);
      return;
    }

  show_banner (self, NULL);
  set_busy (self, TRUE);
  if (self->search_id > 0)
    {
      SaveData *save = g_new0 (SaveData, 1);

      save->engine = g_object_ref (self->engine);
      save->search_id = self->search_id;
      save->spec = g_steal_pointer (&spec);
      nexus_engine_run_async (self->engine, update_search_func, save,
                              (GDestroyNotify)save_data_free, self->cancellable, search_saved_cb,
                              g_object_ref (self));
      return;
    }
  data = g_new0 (CreateData, 1);
  data->engine = g_object_ref (self->engine);
  data->spec = g_steal_pointer (&spec);
  nexus_engine_run_async (self->engine, add_search_func, data, (GDestroyNotify)create_data_free,
                          self->cancellable, search_added_cb, g_object_ref (self));
}

/* --- callbacks ------------------------------------------------------------ */

static void
create_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  nexus_search_editor_create (NEXUS_SEARCH_EDITOR (widget));
}

static void
entry_changed_cb (NexusSearchEditor *self, GtkEditable *editable)
{
  for (guint i = 0; i < NEXUS_SEARCH_N_FIELDS; i++)
    if (GTK_EDITABLE (self->entries[i]) == editable)
      self->touched[i] = TRUE;
  /* The four edges are one box: its message follows any of them. */
  if (self->touched[NEXUS_SEARCH_FIELD_SOUTH] && self->touched[NEXUS_SEARCH_FIELD_WEST] &&
      self->touched[NEXUS_SEARCH_FIELD_NORTH] && self->touched[NEXUS_SEARCH_FIELD_EAST])
    self->touched[NEXUS_SEARCH_FIELD_BOX] = TRUE;
  validate (self);
}

static void
place_activated_cb (NexusSearchEditor *self, AdwEntryRow *row)
{
  nexus_search_editor_find_place (self);
}

static void
find_clicked_cb (NexusSearchEditor *self, GtkButton *button)
{
  nexus_search_editor_find_place (self);
}

static void
region_toggled_cb (NexusSearchEditor *self, GtkToggleButton *button)
{
  if (!gtk_toggle_button_get_active (button))
    return;
  gtk_stack_set_visible_child_name (self->region_stack, region_kind (self));
  validate (self);
}

static void
provider_changed_cb (NexusSearchEditor *self, GParamSpec *pspec, AdwComboRow *row)
{
  gtk_widget_set_visible (GTK_WIDGET (self->provider_note),
                          g_str_equal (selected_provider (self), "google"));
}

/* One field: an entry row in a boxed list, its message under it. */
static void
add_field (NexusSearchEditor *self,
           GtkBox            *box,
           NexusSearchField   field,
           const char        *title,
           const char        *text,
           gboolean           numeric)
{
  GtkWidget *list = gtk_list_box_new ();
  GtkWidget *message = gtk_label_new (NULL);

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_box_append (box, list);

  gtk_label_set_wrap (GTK_LABEL (message), TRUE);
  gtk_label_set_xalign (GTK_LABEL (message), 0.0f);
  gtk_widget_add_css_class (message, "error");
  gtk_widget_add_css_class (message, "caption");
  gtk_widget_add_css_class (message, "field-message");
  gtk_widget_set_visible (message, FALSE);
  self->messages[field] = GTK_LABEL (message);

  if (field != NEXUS_SEARCH_FIELD_BOX)
    {
      GtkWidget *row = adw_entry_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      if (text != NULL)
        gtk_editable_set_text (GTK_EDITABLE (row), text);
      if (numeric)
        nexus_editable_fold_digits (GTK_EDITABLE (row));
      gtk_list_box_append (GTK_LIST_BOX (list), row);
      g_signal_connect_swapped (row, "changed", G_CALLBACK (entry_changed_cb), self);
      gtk_accessible_update_relation (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_RELATION_DESCRIBED_BY,
                                      message, NULL, -1);
      self->entries[field] = ADW_ENTRY_ROW (row);
    }
  else
    gtk_widget_set_visible (list, FALSE);

  gtk_box_append (box, message);
}

static void
build_fields (NexusSearchEditor *self)
{
  const char *const *providers = nexus_search_get_providers ();
  g_autoptr (GtkStringList) provider_names = gtk_string_list_new (NULL);
  g_autofree char *cell_km = nexus_format_decimal (NEXUS_SEARCH_DEFAULT_CELL_KM, 0);
  g_autofree char *depth = g_strdup_printf ("%d", NEXUS_SEARCH_DEFAULT_MAX_DEPTH);
  GtkWidget       *find;

  add_field (self, self->what_box, NEXUS_SEARCH_FIELD_NAME, _ ("Name"), NULL, FALSE);
  add_field (self, self->what_box, NEXUS_SEARCH_FIELD_KEYWORDS, _ ("Keywords, separated by commas"),
             NULL, FALSE);

  add_field (self, self->place_box, NEXUS_SEARCH_FIELD_PLACE, _ ("Place name, such as a city"),
             NULL, FALSE);
  find = gtk_button_new_with_mnemonic (_ ("_Find"));
  gtk_widget_set_valign (find, GTK_ALIGN_CENTER);
  adw_entry_row_add_suffix (self->entries[NEXUS_SEARCH_FIELD_PLACE], find);
  g_signal_connect_swapped (find, "clicked", G_CALLBACK (find_clicked_cb), self);
  g_signal_connect_swapped (self->entries[NEXUS_SEARCH_FIELD_PLACE], "entry-activated",
                            G_CALLBACK (place_activated_cb), self);
  self->place_result = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->place_result, TRUE);
  gtk_label_set_xalign (self->place_result, 0.0f);
  gtk_label_set_selectable (self->place_result, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->place_result), "dim-label");
  gtk_widget_set_visible (GTK_WIDGET (self->place_result), FALSE);
  gtk_box_append (self->place_box, GTK_WIDGET (self->place_result));

  add_field (self, self->bbox_box, NEXUS_SEARCH_FIELD_SOUTH, _ ("South edge (latitude)"), NULL,
             TRUE);
  add_field (self, self->bbox_box, NEXUS_SEARCH_FIELD_WEST, _ ("West edge (longitude)"), NULL,
             TRUE);
  add_field (self, self->bbox_box, NEXUS_SEARCH_FIELD_NORTH, _ ("North edge (latitude)"), NULL,
             TRUE);
  add_field (self, self->bbox_box, NEXUS_SEARCH_FIELD_EAST, _ ("East edge (longitude)"), NULL,
             TRUE);
  add_field (self, self->bbox_box, NEXUS_SEARCH_FIELD_BOX, NULL, NULL, FALSE);

  for (guint i = 0; providers[i] != NULL; i++)
    gtk_string_list_append (provider_names, nexus_search_editor_provider_label (providers[i]));
  adw_combo_row_set_model (self->provider_row, G_LIST_MODEL (provider_names));

  add_field (self, self->how_box, NEXUS_SEARCH_FIELD_COUNTRY,
             _ ("Country code for phone numbers, such as EG (optional)"), NULL, FALSE);
  /* Translators: "once", "6h" and "1d" are what the field accepts; keep
   * them as they are. */
  add_field (self, self->how_box, NEXUS_SEARCH_FIELD_CADENCE,
             _ ("Repeat: once, or every 6h, 1d, 7d…"), "once", FALSE);
  add_field (self, self->how_box, NEXUS_SEARCH_FIELD_CELL_KM, _ ("Cell size (km)"), cell_km, TRUE);
  add_field (self, self->how_box, NEXUS_SEARCH_FIELD_DEPTH, _ ("Splits of a crowded cell (depth)"),
             depth, TRUE);
  add_field (self, self->how_box, NEXUS_SEARCH_FIELD_PRIORITY, _ ("Priority (higher runs first)"),
             "0", TRUE);
}

/* --- GObject ------------------------------------------------------------ */

static void
nexus_search_editor_dispose (GObject *object)
{
  NexusSearchEditor *self = NEXUS_SEARCH_EDITOR (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (object), NEXUS_TYPE_SEARCH_EDITOR);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (nexus_search_editor_parent_class)->dispose (object);
}

static void
nexus_search_editor_finalize (GObject *object)
{
  NexusSearchEditor *self = NEXUS_SEARCH_EDITOR (object);

  for (guint i = 0; i < NEXUS_SEARCH_N_FIELDS; i++)
    g_free (self->errors[i]);
  g_clear_pointer (&self->shape, nexus_geometry_unref);
  g_clear_pointer (&self->place, nexus_place_free);
  g_free (self->place_error);
  g_free (self->place_asked);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (nexus_search_editor_parent_class)->finalize (object);
}

static void
nexus_search_editor_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  NexusSearchEditor *self = NEXUS_SEARCH_EDITOR (object);

  switch (prop_id)
    {
      case PROP_BUSY:
        g_value_set_boolean (value, self->busy);
        break;

      case PROP_CAN_CREATE:
        g_value_set_boolean (value, nexus_search_editor_get_can_create (self));
        break;

      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nexus_search_editor_class_init (NexusSearchEditorClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = nexus_search_editor_dispose;
  object_class->finalize = nexus_search_editor_finalize;
  object_class->get_property = nexus_search_editor_get_property;

  properties[PROP_BUSY] =
      g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                            G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_CAN_CREATE] =
      g_param_spec_boolean ("can-create", NULL, NULL, FALSE,
                            G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * NexusSearchEditor::search-created:
   * @search_id: the new search
   * @n_jobs: the jobs its first run queued
   *
   * Emitted once the search is committed, just before the window closes.
   */
  signals[SIGNAL_SEARCH_CREATED] =
      g_signal_new ("search-created", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_UINT);

  /**
   * NexusSearchEditor::search-saved:
   * @search_id: the search edited
   *
   * Emitted once the changes are committed, just before the window closes.
   */
  signals[SIGNAL_SEARCH_SAVED] =
      g_signal_new ("search-saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/nexus/Nexus/ui/nexus-search-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, NexusSearchEditor, banner);
  gtk_widget_class_bind_template_child (widget_class, NexusSearchEditor, edit_note);
  gtk_widget_class_bind_template_child (widget_class, NexusSearchEditor, create_button);
  gtk_widget_class_bind_template_child (widget_class, NexusSearchEditor, what_box);
  gtk_widget_class_bind_template_child (widget_class, NexusSearchEditor, place_box);
  gtk_widget_class_bind_template_child (widget_class, NexusSearchEditor, bbox_box);
  gtk_widget_class_bind_template_child (widget_class, NexusSearchEditor, how_box);
  gtk_widget_class_bind_template_child (widget_class, NexusSearchEditor, place_toggle);
  gtk_widget_class_bind_template_child (widget_class, NexusSearchEditor, bbox_toggle);
  gtk_widget_class_bind_template_child (widget_class, NexusSearchEditor, shape_toggle);
  gtk_widget_class_bind_template_child (widget_class, NexusSearchEditor, region_stack);
  gtk_widget_class_bind_template_child (widget_class, NexusSearchEditor, shape_label);
  gtk_widget_class_bind_template_child (widget_class, NexusSearchEditor, provider_row);
  gtk_widget_class_bind_template_child (widget_class, NexusSearchEditor, provider_note);
  gtk_widget_class_bind_template_child (widget_class, NexusSearchEditor, spinner);
  gtk_widget_class_bind_template_callback (widget_class, region_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, provider_changed_cb);

  gtk_widget_class_install_action (widget_class, "editor.create", NULL, create_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
nexus_search_editor_init (NexusSearchEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  build_fields (self);
  validate (self);
}

/* --- public API ----------------------------------------------------------- */

/**
 * nexus_search_editor_new:
 * @parent: (nullable): the window it is modal to
 * @engine: the engine that resolves the place and adds the search
 *
 * Returns: (transfer none): a new editor, owned by GTK like any toplevel
 */
NexusSearchEditor *
nexus_search_editor_new (GtkWindow *parent, NexusEngine *engine)
{
  NexusSearchEditor *self;

  g_return_val_if_fail (NEXUS_IS_ENGINE (engine), NULL);

  self = g_object_new (NEXUS_TYPE_SEARCH_EDITOR, "transient-for", parent, NULL);
  self->engine = g_object_ref (engine);
  return self;
}

/* Offers @shape as the region and selects it. */
static void
use_shape (NexusSearchEditor *self, NexusGeometry *shape)
{
  const NexusBBox *box;
  g_autofree char *edges = NULL;
  g_autofree char *text = NULL;
  guint            n;

  g_clear_pointer (&self->shape, nexus_geometry_unref);
  self->shape = nexus_geometry_ref (shape);
  box = nexus_geometry_get_bbox (self->shape);
  edges = nexus_format_bbox (box->south, box->west, box->north, box->east);
  n = nexus_geometry_get_n_polygons (self->shape);
  /* Translators: %u is the number of polygons drawn, %s their box in degrees. */
  text = g_strdup_printf (ngettext ("A shape from the map: %u polygon within %s.",
                                    "A shape from the map: %u polygons within %s.", n),
                          n, edges);
  gtk_label_set_text (self->shape_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->shape_toggle), TRUE);
  gtk_toggle_button_set_active (self->shape_toggle, TRUE);
  validate (self);
}

/**
 * nexus_search_editor_set_shape:
 * @geojson: a GeoJSON Polygon or MultiPolygon geometry
 *
 * Offers @geojson as the region and selects it.  A shape that cannot be
 * used leaves the region as it was and says why above the form.
 */
void
nexus_search_editor_set_shape (NexusSearchEditor *self, const char *geojson, GError **error)
{
  g_autoptr (NexusGeometry) shape = NULL;
  g_autoptr (GError) local_error = NULL;

  g_return_if_fail (NEXUS_IS_SEARCH_EDITOR (self));
  g_return_if_fail (geojson != NULL);

  shape = nexus_geometry_new_from_text (geojson, -1, &local_error);
  if (shape == NULL)
    {
      g_autofree char *message = as_sentence (local_error->message);
      g_autofree char *text = NULL;

      /* Translators: %s says why the shape from the map was refused. */
      text = g_strdup_printf (_ ("The shape from the map cannot be used: %s"), message);
      show_banner (self, text);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return;
    }
  use_shape (self, shape);
}

static void
set_number (NexusSearchEditor *self, NexusSearchField field, double value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  /* Ten significant digits: what was typed, without the binary noise
   * (48.86, not 48.859999999999999). */
  gtk_editable_set_text (GTK_EDITABLE (self->entries[field]),
                         g_ascii_formatd (buffer, sizeof buffer, "%.10g", value));
}

/**
 * nexus_search_editor_set_search:
 * @search: the search to change
 *
 * Turns the editor into the editor of @search: its fields hold the
 * search's settings and "Save" changes them.
 */
void
nexus_search_editor_set_search (NexusSearchEditor *self, const NexusSearchRecord *search)
{
  g_autoptr (NexusRegion) region = NULL;
  g_autofree char *keywords = NULL;
  g_autofree char *cadence = NULL;

  g_return_if_fail (NEXUS_IS_SEARCH_EDITOR (self));
  g_return_if_fail (search != NULL);

  self->search_id = search->id;
  gtk_window_set_title (GTK_WINDOW (self), _ ("Edit Search"));
  gtk_button_set_label (self->create_button, C_ ("search editor", "_Save"));
  gtk_widget_set_visible (GTK_WIDGET (self->edit_note), TRUE);

  keywords = g_strjoinv (", ", search->keywords);
  cadence = nexus_search_format_cadence (search->cadence_s);
  gtk_editable_set_text (GTK_EDITABLE (self->entries[NEXUS_SEARCH_FIELD_NAME]), search->name);
  gtk_editable_set_text (GTK_EDITABLE (self->entries[NEXUS_SEARCH_FIELD_KEYWORDS]), keywords);
  gtk_editable_set_text (GTK_EDITABLE (self->entries[NEXUS_SEARCH_FIELD_COUNTRY]),
                         search->country != NULL ? search->country : "");
  gtk_editable_set_text (GTK_EDITABLE (self->entries[NEXUS_SEARCH_FIELD_CADENCE]), cadence);
  set_number (self, NEXUS_SEARCH_FIELD_CELL_KM, search->cell_km);
  set_number (self, NEXUS_SEARCH_FIELD_DEPTH, search->max_depth);
  set_number (self, NEXUS_SEARCH_FIELD_PRIORITY, search->priority);
  nexus_search_editor_set_provider (self, search->provider);

  region = nexus_region_new_from_json (search->region, NULL);
  if (region != NULL && g_strcmp0 (search->region_kind, "place") == 0)
    {
      g_clear_pointer (&self->place, nexus_place_free);
      self->place = g_new0 (NexusPlace, 1);
      self->place->query = g_strdup (search->place_name);
      self->place->display_name =
          g_strdup (search->place_display != NULL ? search->place_display : search->place_name);
      self->place->region = g_steal_pointer (&region);
      self->place->from_cache = TRUE;
      g_free (self->place_asked);
      self->place_asked = g_strdup (search->place_name);
      gtk_editable_set_text (GTK_EDITABLE (self->entries[NEXUS_SEARCH_FIELD_PLACE]),
                             search->place_name);
      show_place (self);
      nexus_search_editor_set_region_kind (self, "place");
    }
  else if (region != NULL && region->polygon != NULL)
    use_shape (self, region->polygon);
  else if (region != NULL)
    {
      set_number (self, NEXUS_SEARCH_FIELD_SOUTH, region->bbox.south);
      set_number (self, NEXUS_SEARCH_FIELD_WEST, region->bbox.west);
      set_number (self, NEXUS_SEARCH_FIELD_NORTH, region->bbox.north);
      set_number (self, NEXUS_SEARCH_FIELD_EAST, region->bbox.east);
      nexus_search_editor_set_region_kind (self, "bbox");
    }

  /* Filling the fields is not the operator touching them. */
  for (guint i = 0; i < NEXUS_SEARCH_N_FIELDS; i++)
    self->touched[i] = FALSE;
  validate (self);
}

/**
 * nexus_search_editor_set_region_kind:
 * @kind: "place", "bbox" or "polygon" (only once a shape was set)
 */
void
nexus_search_editor_set_region_kind (NexusSearchEditor *self, const char *kind)
{
  g_return_if_fail (NEXUS_IS_SEARCH_EDITOR (self));

  if (g_strcmp0 (kind, "bbox") == 0)
    gtk_toggle_button_set_active (self->bbox_toggle, TRUE);
  else if (g_strcmp0 (kind, "polygon") == 0 && self->shape != NULL)
    gtk_toggle_button_set_active (self->shape_toggle, TRUE);
  else
    gtk_toggle_button_set_active (self->place_toggle, TRUE);
}

const char *
nexus_search_editor_get_region_kind (NexusSearchEditor *self)
{
  g_return_val_if_fail (NEXUS_IS_SEARCH_EDITOR (self), NULL);

  return region_kind (self);
}

/**
 * nexus_search_editor_get_can_create:
 *
 * Returns: whether every field is right and nothing is running
 */
gboolean
nexus_search_editor_get_can_create (NexusSearchEditor *self)
{
  g_return_val_if_fail (NEXUS_IS_SEARCH_EDITOR (self), FALSE);

  return self->engine != NULL && !self->busy && all_fields_right (self);
}

/**
 * nexus_search_editor_get_entry:
 *
 * Returns: (transfer none) (nullable): the entry of @field
 */
GtkEditable *
nexus_search_editor_get_entry (NexusSearchEditor *self, NexusSearchField field)
{
  g_return_val_if_fail (NEXUS_IS_SEARCH_EDITOR (self), NULL);
  g_return_val_if_fail (field < NEXUS_SEARCH_N_FIELDS, NULL);

  return self->entries[field] != NULL ? GTK_EDITABLE (self->entries[field]) : NULL;
}

/**
 * nexus_search_editor_get_field_error:
 *
 * Returns: (nullable): the message shown under @field, or %NULL when none
 *   is shown
 */
const char *
nexus_search_editor_get_field_error (NexusSearchEditor *self, NexusSearchField field)
{
  g_return_val_if_fail (NEXUS_IS_SEARCH_EDITOR (self), NULL);
  g_return_val_if_fail (field < NEXUS_SEARCH_N_FIELDS, NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->messages[field])))
    return NULL;
  return gtk_label_get_text (self->messages[field]);
}

/**
 * nexus_search_editor_set_provider:
 * @provider: one of nexus_search_get_providers()
 */
void
nexus_search_editor_set_provider (NexusSearchEditor *self, const char *provider)
{
  const char *const *providers = nexus_search_get_providers ();

  g_return_if_fail (NEXUS_IS_SEARCH_EDITOR (self));

  for (guint i = 0; providers[i] != NULL; i++)
    if (g_strcmp0 (providers[i], provider) == 0)
      adw_combo_row_set_selected (self->provider_row, i);
}
