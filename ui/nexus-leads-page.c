/* nexus-leads-page.c — the lead vault as a grid
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A GtkColumnView over a NexusLeadsModel: the model counts the leads of
 * the current query and reads them a page at a time on the engine's reader
 * threads, so the window never waits for the database and the vault is
 * never loaded whole.
 *
 * Sorting, searching and every filter make a new query for the model (new
 * SQL), never a GtkSortListModel.  The column headers still show the
 * sort: each sortable column carries a GtkCustomSorter that is never
 * applied to any list.  When the column view's sorter changes, the page
 * asks it to compare two probe rows; the first column sorter it consults
 * is the primary column, and the sign of the answer is its direction (GTK
 * 4.8 has no public getter for either).
 *
 * The selection is a NexusLeadsSelection (lead ids, so it survives a
 * re-sort and live refreshes).  Bulk actions work on it through the
 * engine thread (nexus-lead-work.h) and offer an undo in a toast; the
 * details pane (an AdwFlap that folds on a narrow window) shows the lead
 * selected alone.  Events of the engine (a worker's report, an edit from
 * any page) refresh the grid in place: nexus_leads_model_refresh().
 *
 * Column order, visibility and widths are kept in the "leads-columns"
 * settings key.
 */
#include "config.h"

#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "leads/nexus-lead-work.h"
#include "nexus-agents-dialog.h"
#include "nexus-format.h"
#include "nexus-lead-details.h"
#include "nexus-lead-row.h"
#include "nexus-leads-model.h"
#include "nexus-leads-page-private.h"
#include "nexus-leads-selection.h"
#include "nexus-settings.h"

#define N_COLUMNS NEXUS_LEADS_N_COLUMNS

/* Most filter values offered per dropdown (the most frequent first). */
#define MAX_FILTER_VALUES 300

/* The first-seen filter's positions. */
enum
{
  SEEN_ANY,
  SEEN_DAY,
  SEEN_WEEK,
  SEEN_MONTH,
  SEEN_CUSTOM, /* "since" given by win.filter-leads */
};

/* What a column's sorter stands for; its user data. */
typedef struct
{
  NexusLeadsPage *self; /* unowned: the page owns the probes */
  NexusLeadsSort  sort;
} SortProbe;

struct _NexusLeadsPage
{
  NexusPage parent_instance;

  /* template children */
  AdwToastOverlay  *toast_overlay; /* the page's child */
  GtkStack         *state_stack;   /* "loading", "grid", "empty" or "error" */
  AdwWindowTitle   *window_title;  /* subtitle: "N leads" */
  GtkSearchEntry   *search_entry;
  GtkDropDown      *status_dropdown; /* all, then the five statuses in order */
  GtkToggleButton  *vault_toggle;
  GtkToggleButton  *preview_toggle;
  GtkToggleButton  *all_toggle;
  GtkToggleButton  *filters_toggle;
  GtkToggleButton  *details_toggle;
  GtkDropDown      *category_dropdown; /* all, then category_values */
  GtkDropDown      *city_dropdown;     /* all, then city_values */
  GtkDropDown      *agent_dropdown;    /* all, unassigned, then agent_ids */
  GtkDropDown      *seen_dropdown;     /* SEEN_* */
  GtkCheckButton   *phone_check;
  GtkCheckButton   *website_check;
  GtkWidget        *area_button;
  GtkColumnView    *column_view;
  AdwStatusPage    *error_page;
  AdwFlap          *flap;
  NexusLeadDetails *details;
  GtkRevealer      *bulk_revealer;
  GtkLabel         *selected_label;
  GtkMenuButton    *assign_button;

  NexusLeadsModel     *model;     /* owned; the column view's rows */
  NexusLeadsSelection *selection; /* owned; the column view's model */
  GSettings           *settings;  /* NULL without the installed schema */

  GtkColumnViewColumn *columns[N_COLUMNS]; /* owned; the shown ones also by the view */
  guint                order[N_COLUMNS];   /* column indexes in the order shown */
  gboolean             shown[N_COLUMNS];   /* in the view */
  GSimpleActionGroup  *column_actions;     /* owned; "columns.NAME", one per column */
  SortProbe            probes[N_COLUMNS];  /* user data of the column sorters */
  NexusLeadRow        *probe_a, *probe_b;  /* owned; compared to read the sort */
  int                  probed_sort;        /* the first sort consulted, -1: none */

  gboolean   updating;        /* widgets are set from code: one query at the end */
  gboolean   restoring;       /* columns are set from the settings: do not save */
  GPtrArray *category_values; /* char *: the category dropdown's values after "all" */
  GPtrArray *city_values;     /* char *: the city dropdown's values after "all" */
  GArray    *agent_ids;       /* gint64: the agent dropdown's agents after "unassigned" */
  gboolean   values_loaded;   /* the dropdowns were filled from the vault once */
  guint      seen_selected;   /* the first-seen position the anchor is for */
  gint64     seen_anchor;     /* when that position was chosen (Unix seconds) */
  gint64     custom_since;    /* SEEN_CUSTOM's bound */
  gboolean   has_area;        /* the area filter is on */
  double     area[4];         /* min_lat, min_lon, max_lat, max_lon */
  GMenu     *assign_menu;     /* the Assign button's menu: unassign, agents, manage */

  guint         watch_id;       /* on the engine's event bus; 0: none */
  guint         refresh_source; /* a coalesced live refresh pending */
  GCancellable *cancellable;    /* reads and writes of this engine */
  guint         busy;           /* writes in flight */

  NexusLeadsUndo *undo;        /* owned; what the last edit's toast undoes */
  guint           undo_serial; /* identifies undo for its toast */
  AdwToast       *last_toast;  /* unowned; dismissed by the next */
};

G_DEFINE_FINAL_TYPE (NexusLeadsPage, nexus_leads_page, NEXUS_TYPE_PAGE)

enum
{
  PROP_0,
  PROP_COUNT,
  PROP_QUERY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The status filter's positions after "all", and the stored values. */
static const char *const status_values[] = { "new", "contacted", "qualified", "won", "lost" };

/* The columns: stable names (settings, the Columns menu), titles, sorts. */
static const struct
{
  const char    *name;
  const char    *title;
  NexusLeadsSort sort;
  gboolean       expand;
  int            width; /* default fixed width in pixels, or -1 */
  gboolean       shown; /* visible by default */
} column_specs[N_COLUMNS] = {
  [NEXUS_LEADS_COLUMN_NAME] = { "name", N_ ("Name"), NEXUS_LEADS_SORT_NAME, TRUE, 200, TRUE },
  [NEXUS_LEADS_COLUMN_CATEGORY] = { "category", N_ ("Category"), NEXUS_LEADS_SORT_CATEGORY, FALSE,
                                    120, TRUE },
  [NEXUS_LEADS_COLUMN_PHONE] = { "phone", N_ ("Phone"), NEXUS_LEADS_SORT_PHONE, FALSE, 125, TRUE },
  [NEXUS_LEADS_COLUMN_CITY] = { "city", N_ ("City"), NEXUS_LEADS_SORT_CITY, FALSE, 80, TRUE },
  [NEXUS_LEADS_COLUMN_ADDRESS] = { "address", N_ ("Address"), NEXUS_LEADS_SORT_ADDRESS, FALSE, 120,
                                   TRUE },
  [NEXUS_LEADS_COLUMN_WEBSITE] = { "website", N_ ("Website"), NEXUS_LEADS_SORT_WEBSITE, FALSE, 130,
                                   FALSE },
  [NEXUS_LEADS_COLUMN_STATUS] = { "status", N_ ("Status"), NEXUS_LEADS_SORT_STATUS, FALSE, 80,
                                  TRUE },
  [NEXUS_LEADS_COLUMN_AGENT] = { "agent", N_ ("Agent"), NEXUS_LEADS_SORT_AGENT, FALSE, 95, TRUE },
  [NEXUS_LEADS_COLUMN_RATING] = { "rating", N_ ("Rating"), NEXUS_LEADS_SORT_RATING, FALSE, 55,
                                  FALSE },
  [NEXUS_LEADS_COLUMN_FIRST_SEEN] = { "first_seen", N_ ("First Seen"), NEXUS_LEADS_SORT_FIRST_SEEN,
                                      FALSE, 110, FALSE },
  [NEXUS_LEADS_COLUMN_LAST_SEEN] = { "last_seen", N_ ("Last Seen"), NEXUS_LEADS_SORT_LAST_SEEN,
                                     FALSE, 110, TRUE },
  [NEXUS_LEADS_COLUMN_SIGHTINGS] = { "sightings", N_ ("Sightings"), NEXUS_LEADS_SORT_SIGHTINGS,
                                     FALSE, 75, FALSE },
};

static void update_query (NexusLeadsPage *self);
static void load_values (NexusLeadsPage *self);

/* The text of one cell.  Numbers, dates and phone numbers read left to
 * right in every language: a left-to-right isolate keeps them in order in
 * a right-to-left window.  Names and places keep their own direction. */
char *
_nexus_leads_page_cell_text (NexusLeadRow *row, guint column)
{
  if (nexus_lead_row_get_placeholder (row))
    return g_strdup ("");

  switch (column)
    {
      case NEXUS_LEADS_COLUMN_NAME:
        return g_strdup (nexus_lead_row_get_name (row));

      case NEXUS_LEADS_COLUMN_CATEGORY:
        {
          return nexus_format_category (nexus_lead_row_get_category (row));
        }

      case NEXUS_LEADS_COLUMN_PHONE:
        {
          const char *phone = nexus_lead_row_get_phone (row);

          return phone != NULL ? nexus_isolate_ltr (phone) : NULL;
        }

      case NEXUS_LEADS_COLUMN_CITY:
        return g_strdup (nexus_lead_row_get_city (row));

      case NEXUS_LEADS_COLUMN_ADDRESS:
        return g_strdup (nexus_lead_row_get_address (row));

      case NEXUS_LEADS_COLUMN_WEBSITE:
        {
          const char *website = nexus_lead_row_get_website (row);

          return website != NULL ? nexus_isolate_ltr (website) : NULL;
        }

      case NEXUS_LEADS_COLUMN_STATUS:
        return g_strdup (nexus_lead_status_label (nexus_lead_row_get_status (row)));

      case NEXUS_LEADS_COLUMN_AGENT:
        return g_strdup (nexus_lead_row_get_agent_name (row));

      case NEXUS_LEADS_COLUMN_RATING:
        {
          double           rating = nexus_lead_row_get_rating (row);
          g_autofree char *text = NULL;

          if (isnan (rating) || rating <= 0)
            return NULL;
          text = nexus_format_decimal (rating, 1);
          return nexus_isolate_ltr (text);
        }

      case NEXUS_LEADS_COLUMN_FIRST_SEEN:
      case NEXUS_LEADS_COLUMN_LAST_SEEN:
        {
          g_autofree char *date = nexus_format_date (column == NEXUS_LEADS_COLUMN_FIRST_SEEN
                                                         ? nexus_lead_row_get_first_seen (row)
                                                         : nexus_lead_row_get_last_seen (row));

          return nexus_isolate_ltr (date);
        }

      case NEXUS_LEADS_COLUMN_SIGHTINGS:
        {
          g_autofree char *count = nexus_format_count (nexus_lead_row_get_sightings (row));

          return nexus_isolate_ltr (count);
        }

      default:
        break;
    }
  g_return_val_if_reached (NULL);
}

static void
toast (NexusLeadsPage *self, AdwToast *new_toast)
{
  if (self->last_toast != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->last_toast), (gpointer *)&self->last_toast);
      adw_toast_dismiss (self->last_toast);
    }
  self->last_toast = new_toast;
  g_object_add_weak_pointer (G_OBJECT (new_toast), (gpointer *)&self->last_toast);
  adw_toast_overlay_add_toast (self->toast_overlay, new_toast);
}

static void
toast_message (NexusLeadsPage *self, const char *message)
{
  toast (self, adw_toast_new (message));
}

static void
update_path (NexusLeadsPage *self)
{
  NexusEngine     *engine = nexus_page_get_engine (NEXUS_PAGE (self));
  g_autofree char *isolated = NULL;
  g_autofree char *text = NULL;

  if (engine == NULL)
    {
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->window_title), NULL);
      return;
    }

  /* First-strong isolate: the path keeps its own direction, so its slashes
   * stay in order inside a right-to-left sentence. */
  isolated = nexus_isolate_auto (nexus_engine_get_db_path (engine));
  /* Translators: %s is the path of the database file. */
  text = g_strdup_printf (_ ("Database: %s"), isolated);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->window_title), text);
}

/* Shows what the model holds: the count in the subtitle and the grid, the
 * empty state or the error. */
static void
update_state (NexusLeadsPage *self)
{
  NexusEngine *engine = nexus_page_get_engine (NEXUS_PAGE (self));
  gint64       count = nexus_leads_model_get_count (self->model);
  const char  *error = nexus_leads_model_get_error_message (self->model);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "leads.refresh", engine != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "leads.manage-agents", engine != NULL);

  if (engine == NULL)
    {
      adw_window_title_set_subtitle (self->window_title, NULL);
      adw_status_page_set_description (self->error_page, _ ("No lead vault is open."));
      gtk_stack_set_visible_child_name (self->state_stack, "error");
      return;
    }

  if (nexus_leads_model_get_loading (self->model) && count < 0 && error == NULL)
    {
      gtk_stack_set_visible_child_name (self->state_stack, "loading");
      return;
    }

  if (error != NULL && count < 0)
    {
      g_autofree char *markup = g_markup_escape_text (error, -1);

      adw_window_title_set_subtitle (self->window_title, NULL);
      adw_status_page_set_description (self->error_page, markup);
      gtk_stack_set_visible_child_name (self->state_stack, "error");
      return;
    }

  if (count >= 0)
    {
      g_autofree char *number = nexus_format_count (count);
      g_autofree char *isolated = nexus_isolate_ltr (number);
      g_autofree char *subtitle = NULL;

      /* Translators: the subtitle of the Leads page; %s is the number of
       * leads shown, with its digit groups. */
      subtitle = g_strdup_printf (ngettext ("%s lead", "%s leads", (unsigned long)count), isolated);
      adw_window_title_set_subtitle (self->window_title, subtitle);
      gtk_stack_set_visible_child_name (self->state_stack, count > 0 ? "grid" : "empty");
    }
}

/* The count of the selection and what the bulk bar allows. */
static void
update_bulk (NexusLeadsPage *self)
{
  gint64           n = nexus_leads_selection_get_n_selected (self->selection);
  gboolean         some = n > 0 && nexus_page_get_engine (NEXUS_PAGE (self)) != NULL;
  g_autofree char *number = nexus_format_count (n);
  g_autofree char *isolated = nexus_isolate_ltr (number);
  g_autofree char *text = NULL;
  GtkWidget       *widget = GTK_WIDGET (self);

  /* Translators: in the bar of bulk actions; %s is the number of leads. */
  text = g_strdup_printf (ngettext ("%s lead selected", "%s leads selected", (unsigned long)n),
                          isolated);
  gtk_label_set_text (self->selected_label, text);
  gtk_revealer_set_reveal_child (self->bulk_revealer, some);

  gtk_widget_action_set_enabled (widget, "leads.set-status", some);
  gtk_widget_action_set_enabled (widget, "leads.assign", some);
  gtk_widget_action_set_enabled (widget, "leads.set-category", some);
  gtk_widget_action_set_enabled (widget, "leads.add-note", some);
  gtk_widget_action_set_enabled (widget, "leads.export", some);
  gtk_widget_action_set_enabled (widget, "leads.delete", some);
  gtk_widget_action_set_enabled (widget, "leads.merge",
                                 n == 2 && !nexus_leads_selection_get_all (self->selection));
}

static void
model_notify_cb (NexusLeadsPage *self, GParamSpec *pspec, NexusLeadsModel *model)
{
  update_state (self);

  if (g_str_equal (pspec->name, "loading"))
    nexus_page_set_loading (NEXUS_PAGE (self), nexus_leads_model_get_loading (model));
  else if (g_str_equal (pspec->name, "count"))
    {
      update_bulk (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUNT]);
    }
}

/* The lead selected alone goes to the details pane. */
static void
selection_changed_cb (NexusLeadsPage    *self,
                      guint              position,
                      guint              n_items,
                      GtkSelectionModel *selection)
{
  g_autoptr (GArray) ids = NULL;

  update_bulk (self);

  if (nexus_leads_selection_get_all (self->selection))
    return;
  ids = nexus_leads_selection_get_ids (self->selection);
  if (ids->len == 1 &&
      g_array_index (ids, gint64, 0) != nexus_lead_details_get_lead_id (self->details))
    nexus_lead_details_set_lead_id (self->details, g_array_index (ids, gint64, 0));
}

/* Double click or Enter on a row: its details. */
static void
row_activated_cb (NexusLeadsPage *self, guint position, GtkColumnView *view)
{
  g_autoptr (NexusLeadRow) row = g_list_model_get_item (G_LIST_MODEL (self->model), position);

  if (row == NULL || nexus_lead_row_get_placeholder (row))
    return;
  nexus_lead_details_set_lead_id (self->details, nexus_lead_row_get_id (row));
  adw_flap_set_reveal_flap (self->flap, TRUE);
}

/* Filters */

static GtkStringList *
dropdown_strings (GtkDropDown *dropdown)
{
  return GTK_STRING_LIST (gtk_drop_down_get_model (dropdown));
}

/* The position of @value in @values (after the dropdown's fixed items at
 * @offset), appended when missing. */
static guint
ensure_value (GtkDropDown *dropdown, GPtrArray *values, guint offset, const char *value)
{
  guint index;

  if (g_ptr_array_find_with_equal_func (values, value, g_str_equal, &index))
    return index + offset;
  g_ptr_array_add (values, g_strdup (value));
  gtk_string_list_append (dropdown_strings (dropdown), value);
  return values->len - 1 + offset;
}

static guint
ensure_agent (NexusLeadsPage *self, gint64 agent_id, const char *name)
{
  g_autofree char *fallback = NULL;

  for (guint i = 0; i < self->agent_ids->len; i++)
    if (g_array_index (self->agent_ids, gint64, i) == agent_id)
      return i + 2;

  if (name == NULL)
    /* Translators: an agent whose name is not read yet; %s is its number. */
    name = fallback = g_strdup_printf (_ ("Agent %" PRId64), agent_id);
  g_array_append_val (self->agent_ids, agent_id);
  gtk_string_list_append (dropdown_strings (self->agent_dropdown), name);
  return self->agent_ids->len + 1;
}

static const char *
selected_value (GtkDropDown *dropdown, GPtrArray *values)
{
  guint selected = gtk_drop_down_get_selected (dropdown);

  return selected >= 1 && selected <= values->len ? g_ptr_array_index (values, selected - 1) : NULL;
}

static NexusLeadsPreview
selected_preview (NexusLeadsPage *self)
{
  if (gtk_toggle_button_get_active (self->preview_toggle))
    return NEXUS_LEADS_PREVIEW_ONLY;
  if (gtk_toggle_button_get_active (self->all_toggle))
    return NEXUS_LEADS_PREVIEW_INCLUDE;
  return NEXUS_LEADS_PREVIEW_EXCLUDE;
}

static gint64
selected_since (NexusLeadsPage *self)
{
  guint seen = gtk_drop_down_get_selected (self->seen_dropdown);

  /* The bound is fixed when the choice is made, so the query stays the
   * same until the operator changes it. */
  if (seen != self->seen_selected)
    {
      self->seen_selected = seen;
      self->seen_anchor = g_get_real_time () / G_USEC_PER_SEC;
    }

  switch (seen)
    {
      case SEEN_DAY:
        return self->seen_anchor - 24 * 3600;
      case SEEN_WEEK:
        return self->seen_anchor - 7 * 24 * 3600;
      case SEEN_MONTH:
        return self->seen_anchor - 30 * 24 * 3600;
      case SEEN_CUSTOM:
        return self->custom_since;
      default:
        return 0;
    }
}

/* Builds the query from the filter widgets and the sort the column
 * headers show, and gives it to the model. */
static void
update_query (NexusLeadsPage *self)
{
  g_autoptr (NexusLeadsQuery) query = nexus_leads_query_new ();
  GtkSorter  *sorter = gtk_column_view_get_sorter (self->column_view);
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  guint       status = gtk_drop_down_get_selected (self->status_dropdown);
  guint       agent = gtk_drop_down_get_selected (self->agent_dropdown);
  int         order;

  if (self->updating)
    return;

  self->probed_sort = -1;
  order = sorter != NULL ? gtk_sorter_compare (sorter, self->probe_a, self->probe_b)
                         : GTK_ORDERING_EQUAL;
  if (self->probed_sort >= 0)
    {
      query->sort = self->probed_sort;
      query->descending = order == GTK_ORDERING_LARGER;
    }

  query->search = text != NULL && text[0] != '\0' ? g_strdup (text) : NULL;
  if (status >= 1 && status <= G_N_ELEMENTS (status_values))
    query->status = g_strdup (status_values[status - 1]);
  query->preview = selected_preview (self);
  query->category = g_strdup (selected_value (self->category_dropdown, self->category_values));
  query->city = g_strdup (selected_value (self->city_dropdown, self->city_values));
  query->has_phone = gtk_check_button_get_active (self->phone_check);
  query->has_website = gtk_check_button_get_active (self->website_check);
  if (agent == 1)
    query->agent_id = NEXUS_LEADS_AGENT_NONE;
  else if (agent >= 2 && agent - 2 < self->agent_ids->len)
    query->agent_id = g_array_index (self->agent_ids, gint64, agent - 2);
  query->since = selected_since (self);
  query->has_area = self->has_area;
  if (self->has_area)
    {
      query->min_lat = self->area[0];
      query->min_lon = self->area[1];
      query->max_lat = self->area[2];
      query->max_lon = self->area[3];
    }
  gtk_widget_set_visible (self->area_button, self->has_area);

  if (nexus_leads_query_equal (nexus_leads_model_get_query (self->model), query))
    return;

  /* "All" meant the leads of the old query. */
  nexus_leads_selection_forget_all (self->selection);

  /* A re-sort keeps the selection; another view drops it, so that no bulk
   * action ever acts on leads the view does not show. */
  if (nexus_leads_model_get_query (self->model) != NULL)
    {
      g_autoptr (NexusLeadsQuery) resorted =
          nexus_leads_query_copy (nexus_leads_model_get_query (self->model));

      resorted->sort = query->sort;
      resorted->descending = query->descending;
      if (!nexus_leads_query_equal (resorted, query))
        nexus_leads_selection_clear (self->selection);
    }

  nexus_leads_model_set_query (self->model, query);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_QUERY]);
}

/* The column sorters' compare function: records the first one consulted
 * and orders the probes, so the column view's answer tells the direction. */
static int
probe_compare (gconstpointer a, gconstpointer b, gpointer user_data)
{
  SortProbe      *probe = user_data;
  NexusLeadsPage *self = probe->self;

  if (self->probed_sort < 0)
    self->probed_sort = probe->sort;

  if (a == b)
    return GTK_ORDERING_EQUAL;
  return a == self->probe_a ? GTK_ORDERING_SMALLER : GTK_ORDERING_LARGER;
}

static void
sorter_changed_cb (NexusLeadsPage *self, GtkSorterChange change, GtkSorter *sorter)
{
  update_query (self);
}

static void
filter_changed_cb (NexusLeadsPage *self)
{
  update_query (self);
}

static void
view_toggled_cb (NexusLeadsPage *self, GtkToggleButton *button)
{
  /* A group emits for the button that turned off too: act on the new one. */
  if (gtk_toggle_button_get_active (button))
    update_query (self);
}

/* Sets every filter widget to "everything" without making a query. */
static void
reset_filter_widgets (NexusLeadsPage *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  gtk_drop_down_set_selected (self->status_dropdown, 0);
  gtk_toggle_button_set_active (self->vault_toggle, TRUE);
  gtk_drop_down_set_selected (self->category_dropdown, 0);
  gtk_drop_down_set_selected (self->city_dropdown, 0);
  gtk_drop_down_set_selected (self->agent_dropdown, 0);
  gtk_drop_down_set_selected (self->seen_dropdown, SEEN_ANY);
  gtk_check_button_set_active (self->phone_check, FALSE);
  gtk_check_button_set_active (self->website_check, FALSE);
  self->has_area = FALSE;
}

/**
 * nexus_leads_page_clear_filters:
 * @self: a #NexusLeadsPage
 *
 * Shows the whole vault again: no search and no filter (the sort stays).
 */
void
nexus_leads_page_clear_filters (NexusLeadsPage *self)
{
  g_return_if_fail (NEXUS_IS_LEADS_PAGE (self));

  self->updating = TRUE;
  reset_filter_widgets (self);
  self->updating = FALSE;
  update_query (self);
}

static gboolean
lookup_string (GVariantDict *dict, const char *key, const char **out_value, GError **error)
{
  g_autoptr (GVariant) value = g_variant_dict_lookup_value (dict, key, NULL);

  *out_value = NULL;
  if (value == NULL)
    return TRUE;
  if (!g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "The filter “%s” must be a string", key);
      return FALSE;
    }
  g_variant_dict_lookup (dict, key, "&s", out_value);
  if (*out_value != NULL && (*out_value)[0] == '\0')
    *out_value = NULL;
  return TRUE;
}

/**
 * nexus_leads_page_apply_filters:
 * @self: a #NexusLeadsPage
 * @filters: an a{sv}: "status" s, "category" s, "city" s, "search" s,
 *   "preview" s (only, include or exclude), "agent" x, "since" x (Unix
 *   seconds), "area" (dddd) min_lat, min_lon, max_lat, max_lon
 * @error: return location for a #GError
 *
 * Replaces the grid's filters with @filters (the ones missing are off),
 * shows them in the filter widgets and makes the query.  Bad values are
 * refused as a whole: nothing changes.
 *
 * Returns: %TRUE when applied
 */
gboolean
nexus_leads_page_apply_filters (NexusLeadsPage *self, GVariant *filters, GError **error)
{
  g_auto (GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  const char *status = NULL, *category = NULL, *city = NULL, *search = NULL, *preview = NULL;
  gint64      agent = 0, since = 0;
  double      area[4] = { 0 };
  gboolean    has_area;
  guint       status_index = 0;

  g_return_val_if_fail (NEXUS_IS_LEADS_PAGE (self), FALSE);
  g_return_val_if_fail (g_variant_is_of_type (filters, G_VARIANT_TYPE_VARDICT), FALSE);

  g_variant_dict_init (&dict, filters);
  if (!lookup_string (&dict, "status", &status, error) ||
      !lookup_string (&dict, "category", &category, error) ||
      !lookup_string (&dict, "city", &city, error) ||
      !lookup_string (&dict, "search", &search, error) ||
      !lookup_string (&dict, "preview", &preview, error))
    return FALSE;
  if ((g_variant_dict_contains (&dict, "agent") &&
       !g_variant_dict_lookup (&dict, "agent", "x", &agent)) ||
      (g_variant_dict_contains (&dict, "since") &&
       !g_variant_dict_lookup (&dict, "since", "x", &since)) ||
      (g_variant_dict_contains (&dict, "area") &&
       !g_variant_dict_lookup (&dict, "area", "(dddd)", &area[0], &area[1], &area[2], &area[3])))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "“agent” and “since” must be int64 and “area” (dddd)");
      return FALSE;
    }
  has_area = g_variant_dict_contains (&dict, "area");

  if (status != NULL)
    {
      for (status_index = 0; status_index < G_N_ELEMENTS (status_values); status_index++)
        if (g_str_equal (status, status_values[status_index]))
          break;
      if (status_index == G_N_ELEMENTS (status_values))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "Unknown lead status “%s”",
                       status);
          return FALSE;
        }
      status_index++;
    }
  if (preview != NULL && !g_str_equal (preview, "only") && !g_str_equal (preview, "include") &&
      !g_str_equal (preview, "exclude"))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "“preview” is only, include or exclude, not “%s”", preview);
      return FALSE;
    }
  if (has_area && !(area[0] <= area[2] && area[1] <= area[3] && isfinite (area[0]) &&
                    isfinite (area[1]) && isfinite (area[2]) && isfinite (area[3])))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "“area” is min_lat, min_lon, max_lat, max_lon");
      return FALSE;
    }
  if (agent < NEXUS_LEADS_AGENT_NONE || since < 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "“agent” and “since” cannot be negative");
      return FALSE;
    }

  self->updating = TRUE;
  reset_filter_widgets (self);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), search != NULL ? search : "");
  gtk_drop_down_set_selected (self->status_dropdown, status_index);
  if (g_strcmp0 (preview, "only") == 0)
    gtk_toggle_button_set_active (self->preview_toggle, TRUE);
  else if (g_strcmp0 (preview, "include") == 0)
    gtk_toggle_button_set_active (self->all_toggle, TRUE);
  if (category != NULL)
    gtk_drop_down_set_selected (
        self->category_dropdown,
        ensure_value (self->category_dropdown, self->category_values, 1, category));
  if (city != NULL)
    gtk_drop_down_set_selected (self->city_dropdown,
                                ensure_value (self->city_dropdown, self->city_values, 1, city));
  if (agent == NEXUS_LEADS_AGENT_NONE)
    gtk_drop_down_set_selected (self->agent_dropdown, 1);
  else if (agent > 0)
    gtk_drop_down_set_selected (self->agent_dropdown, ensure_agent (self, agent, NULL));
  if (since > 0)
    {
      g_autofree char *date = nexus_format_date (since);
      g_autofree char *isolated = nexus_isolate_ltr (date);
      /* Translators: the first-seen filter set to a date, e.g. "Since 2026-05-01". */
      g_autofree char *label = g_strdup_printf (_ ("Since %s"), isolated);
      GtkStringList   *strings = dropdown_strings (self->seen_dropdown);

      gtk_string_list_splice (strings, SEEN_CUSTOM,
                              g_list_model_get_n_items (G_LIST_MODEL (strings)) - SEEN_CUSTOM,
                              (const char *const[]){ label, NULL });
      self->custom_since = since;
      gtk_drop_down_set_selected (self->seen_dropdown, SEEN_CUSTOM);
    }
  self->has_area = has_area;
  memcpy (self->area, area, sizeof area);
  gtk_toggle_button_set_active (self->filters_toggle, category != NULL || city != NULL ||
                                                          agent != 0 || since > 0 || has_area);
  self->updating = FALSE;

  update_query (self);
  return TRUE;
}

/* The values of the category, city and agent filters */

typedef struct
{
  GPtrArray *categories; /* char * */
  GPtrArray *cities;     /* char * */
  GPtrArray *agents;     /* NexusAgent, active ones */
} FilterValues;

static void
filter_values_free (FilterValues *values)
{
  g_clear_pointer (&values->categories, g_ptr_array_unref);
  g_clear_pointer (&values->cities, g_ptr_array_unref);
  g_clear_pointer (&values->agents, g_ptr_array_unref);
  g_free (values);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FilterValues, filter_values_free)

/* Reader thread. */
static gpointer
read_values_func (NexusStore *store, gpointer data, GError **error)
{
  g_autoptr (FilterValues) values = g_new0 (FilterValues, 1);

  if ((values->categories =
           nexus_store_leads_view_values (store, "category", MAX_FILTER_VALUES, error)) == NULL ||
      (values->cities = nexus_store_leads_view_values (store, "city", MAX_FILTER_VALUES, error)) ==
          NULL ||
      (values->agents = nexus_store_agents_list (store, FALSE, error)) == NULL)
    return NULL;
  return g_steal_pointer (&values);
}

/* Refills a dropdown of values; the value chosen stays chosen (appended
 * when the vault no longer has it). */
static void
refill (GtkDropDown *dropdown,
        GPtrArray  **values,
        GPtrArray   *fresh,
        const char  *all,
        char *(*display) (const char *))
{
  g_autofree char *chosen = g_strdup (selected_value (dropdown, *values));
  g_autoptr (GtkStringList) strings = gtk_string_list_new ((const char *const[]){ all, NULL });

  for (guint i = 0; i < fresh->len; i++)
    {
      g_autofree char *label = display (g_ptr_array_index (fresh, i));

      gtk_string_list_append (strings, label);
    }
  g_ptr_array_unref (*values);
  *values = g_ptr_array_ref (fresh);
  gtk_drop_down_set_model (dropdown, G_LIST_MODEL (strings));
  gtk_drop_down_set_selected (dropdown,
                              chosen != NULL ? ensure_value (dropdown, *values, 1, chosen) : 0);
}

static void
fill_assign_menu (NexusLeadsPage *self, GPtrArray *agents)
{
  g_autoptr (GMenu) people = g_menu_new ();
  g_autoptr (GMenu) other = g_menu_new ();

  g_menu_remove_all (self->assign_menu);
  for (guint i = 0; i < agents->len; i++)
    {
      NexusAgent *agent = g_ptr_array_index (agents, i);
      g_autoptr (GMenuItem) item = g_menu_item_new (agent->name, NULL);

      g_menu_item_set_action_and_target_value (item, "leads.assign",
                                               g_variant_new_int64 (agent->id));
      g_menu_append_item (people, item);
    }
  {
    g_autoptr (GMenuItem) item = g_menu_item_new (_ ("_Unassign"), NULL);

    g_menu_item_set_action_and_target_value (item, "leads.assign", g_variant_new_int64 (0));
    g_menu_append_item (other, item);
  }
  g_menu_append (other, _ ("_Manage Agents…"), "leads.manage-agents");
  g_menu_append_section (self->assign_menu, NULL, G_MENU_MODEL (people));
  g_menu_append_section (self->assign_menu, NULL, G_MENU_MODEL (other));
}

static void
read_values_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (NexusLeadsPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (FilterValues) values =
      nexus_engine_read_finish (NEXUS_ENGINE (object), result, &error);
  g_autoptr (GtkStringList) agents = NULL;
  gint64 chosen_agent = 0;
  guint  agent = gtk_drop_down_get_selected (self->agent_dropdown);

  if (values == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Could not read the values of the filters: %s", error->message);
      return;
    }

  self->updating = TRUE;
  refill (self->category_dropdown, &self->category_values, values->categories, _ ("All Categories"),
          nexus_format_category);
  refill (self->city_dropdown, &self->city_values, values->cities, _ ("All Cities"), g_strdup);

  if (agent >= 2 && agent - 2 < self->agent_ids->len)
    chosen_agent = g_array_index (self->agent_ids, gint64, agent - 2);
  agents = gtk_string_list_new (
      (const char *const[]){ _ ("All Agents"), C_ ("agent", "Unassigned"), NULL });
  g_array_set_size (self->agent_ids, 0);
  for (guint i = 0; i < values->agents->len; i++)
    {
      NexusAgent *entry = g_ptr_array_index (values->agents, i);

      g_array_append_val (self->agent_ids, entry->id);
      gtk_string_list_append (agents, entry->name);
    }
  gtk_drop_down_set_model (self->agent_dropdown, G_LIST_MODEL (agents));
  gtk_drop_down_set_selected (self->agent_dropdown, chosen_agent > 0
                                                        ? ensure_agent (self, chosen_agent, NULL)
                                                        : MIN (agent, 1));
  fill_assign_menu (self, values->agents);
  self->updating = FALSE;
  self->values_loaded = TRUE;
  update_query (self);
}

static void
load_values (NexusLeadsPage *self)
{
  NexusEngine *engine = nexus_page_get_engine (NEXUS_PAGE (self));

  if (engine == NULL)
    return;
  nexus_engine_read_async (engine, read_values_func, NULL, NULL, self->cancellable, read_values_cb,
                           g_object_ref (self));
}

/* Live updates */

static gboolean
refresh_timeout_cb (gpointer user_data)
{
  NexusLeadsPage *self = user_data;

  self->refresh_source = 0;
  nexus_leads_model_refresh (self->model);
  if (nexus_lead_details_get_lead_id (self->details) > 0)
    nexus_lead_details_reload (self->details);
  return G_SOURCE_REMOVE;
}

/* Many reports in a burst make one refresh. */
static void
schedule_refresh (NexusLeadsPage *self)
{
  if (self->refresh_source == 0)
    self->refresh_source = g_timeout_add (200, refresh_timeout_cb, self);
}

static void
event_cb (NexusEvent *event, gpointer user_data)
{
  NexusLeadsPage *self = user_data;

  if (g_str_equal (event->kind, "leads.changed"))
    schedule_refresh (self);
  else if (g_str_equal (event->kind, "agents.changed"))
    {
      load_values (self);
      schedule_refresh (self);
    }
  else if (g_str_equal (event->kind, "job.reported") || g_str_equal (event->kind, "job.completed"))
    {
      if (json_object_get_int_member_with_default (event->data, "new", 0) > 0 ||
          json_object_get_int_member_with_default (event->data, "merged", 0) > 0 ||
          json_object_get_int_member_with_default (event->data, "preview", 0) > 0)
        schedule_refresh (self);
    }
}

static void
unwatch (NexusLeadsPage *self, NexusEngine *engine)
{
  if (self->watch_id != 0 && engine != NULL)
    nexus_event_bus_unwatch (nexus_engine_get_event_bus (engine), self->watch_id);
  self->watch_id = 0;
  g_clear_handle_id (&self->refresh_source, g_source_remove);
}

/* Work on leads */

/* One piece of work posted by the page: what the toast then says. */
typedef struct
{
  NexusLeadsPage    *self;  /* owned */
  char              *label; /* the status, agent or category, for the toast */
  NexusLeadWorkKind  kind;
  NexusLeadsEditKind edit_kind;
  gint64             agent_id;
} WorkCall;

static void
work_call_free (WorkCall *call)
{
  g_clear_object (&call->self);
  g_free (call->label);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WorkCall, work_call_free)

static char *
done_message (WorkCall *call, guint n)
{
  g_autofree char *number = nexus_format_count (n);
  g_autofree char *count = nexus_isolate_ltr (number);

  if (call->kind == NEXUS_LEAD_WORK_UNDO)
    return g_strdup (_ ("Undone"));
  if (call->kind == NEXUS_LEAD_WORK_MERGE)
    return g_strdup (_ ("Leads merged"));
  if (call->kind == NEXUS_LEAD_WORK_SPLIT)
    return g_strdup (_ ("The source is a lead of its own now"));

  switch (call->edit_kind)
    {
      case NEXUS_LEADS_EDIT_STATUS:
        /* Translators: %s is a number of leads, then a status (Won, Lost…). */
        return g_strdup_printf (ngettext ("%s lead marked as %s", "%s leads marked as %s", n),
                                count, call->label);
      case NEXUS_LEADS_EDIT_ASSIGN:
        if (call->agent_id == 0)
          /* Translators: %s is a number of leads. */
          return g_strdup_printf (ngettext ("%s lead unassigned", "%s leads unassigned", n), count);
        /* Translators: %s is a number of leads, then an agent's name. */
        return g_strdup_printf (ngettext ("%s lead assigned to %s", "%s leads assigned to %s", n),
                                count, call->label);
      case NEXUS_LEADS_EDIT_CATEGORY:
        /* Translators: %s is a number of leads, then a category. */
        return g_strdup_printf (ngettext ("%s lead moved to “%s”", "%s leads moved to “%s”", n),
                                count, call->label);
      case NEXUS_LEADS_EDIT_NOTE:
        return g_strdup (_ ("Note saved"));
      case NEXUS_LEADS_EDIT_DELETE:
        /* Translators: %s is a number of leads. */
        return g_strdup_printf (ngettext ("%s lead deleted", "%s leads deleted", n), count);
      default:
        break;
    }
  return g_strdup ("");
}

static void
work_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (WorkCall) call = user_data;
  NexusLeadsPage *self = call->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusLeadWorkResult) done =
      nexus_lead_work_run_finish (NEXUS_ENGINE (object), result, &error);
  g_autofree char *message = NULL;
  AdwToast        *new_toast;

  self->busy--;
  if (done == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          /* Translators: %s says why a change of leads failed. */
          g_autofree char *text = g_strdup_printf (_ ("Nothing was changed: %s"), error->message);

          g_debug ("A change of leads failed: %s", error->message);

          toast_message (self, text);
        }
      return;
    }

  /* Our own change shows at once, not after the event's delay. */
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  refresh_timeout_cb (self);

  message = done_message (call, done->ids->len);
  new_toast = adw_toast_new (message);
  if (done->undo != NULL)
    {
      g_clear_pointer (&self->undo, nexus_leads_undo_free);
      self->undo = g_steal_pointer (&done->undo);
      self->undo_serial++;
      adw_toast_set_button_label (new_toast, _ ("_Undo"));
      adw_toast_set_action_name (new_toast, "leads.undo");
      adw_toast_set_action_target_value (new_toast, g_variant_new_uint32 (self->undo_serial));
      adw_toast_set_timeout (new_toast, 10);
    }
  if (call->kind == NEXUS_LEAD_WORK_EDIT && call->edit_kind == NEXUS_LEADS_EDIT_DELETE)
    nexus_leads_selection_clear (self->selection);
  toast (self, new_toast);
}

static void
run_work (NexusLeadsPage *self, NexusLeadWork *work, const char *label)
{
  WorkCall *call = g_new0 (WorkCall, 1);

  call->self = g_object_ref (self);
  call->label = g_strdup (label);
  call->kind = work->kind;
  if (work->edit != NULL)
    {
      call->edit_kind = work->edit->kind;
      call->agent_id = work->edit->agent_id;
    }
  self->busy++;
  nexus_lead_work_run_async (nexus_page_get_engine (NEXUS_PAGE (self)), work, self->cancellable,
                             work_done_cb, call);
}

/* An edit of the selection waiting for the ids of "all". */
typedef struct
{
  NexusLeadsPage *self; /* owned */
  NexusLeadWork  *work; /* owned */
  char           *label;
  GArray         *excluded; /* gint64, owned */
} PendingEdit;

static void
pending_edit_free (PendingEdit *pending)
{
  g_clear_object (&pending->self);
  g_clear_pointer (&pending->work, nexus_lead_work_free);
  g_free (pending->label);
  g_clear_pointer (&pending->excluded, g_array_unref);
  g_free (pending);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PendingEdit, pending_edit_free)

typedef struct
{
  NexusLeadsQuery *query;
  guint            max;
} IdsJob;

static void
ids_job_free (IdsJob *job)
{
  nexus_leads_query_free (job->query);
  g_free (job);
}

/* Reader thread. */
static gpointer
read_ids_func (NexusStore *store, gpointer data, GError **error)
{
  IdsJob *job = data;

  return nexus_store_leads_view_ids (store, job->query, job->max, error);
}

static gboolean
contains_id (GArray *sorted, gint64 id)
{
  guint low = 0, high = sorted->len;

  while (low < high)
    {
      guint  middle = (low + high) / 2;
      gint64 value = g_array_index (sorted, gint64, middle);

      if (value == id)
        return TRUE;
      if (value < id)
        low = middle + 1;
      else
        high = middle;
    }
  return FALSE;
}

static void
add_ids_and_run (NexusLeadsPage *self,
                 NexusLeadWork  *work,
                 const char     *label,
                 GArray         *ids,
                 GArray         *excluded)
{
  for (guint i = 0; i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);

      if (excluded == NULL || !contains_id (excluded, id))
        nexus_leads_edit_add_id (work->edit, id);
    }

  if (work->edit->ids->len > NEXUS_LEADS_EDIT_MAX)
    {
      g_autofree char *most = nexus_format_count (NEXUS_LEADS_EDIT_MAX);
      g_autofree char *isolated = nexus_isolate_ltr (most);
      /* Translators: %s is the most leads one change may touch. */
      g_autofree char *text = g_strdup_printf (
          _ ("Too many leads selected: one change may touch at most %s. Narrow the filters."),
          isolated);

      toast_message (self, text);
      nexus_lead_work_free (work);
      return;
    }
  run_work (self, work, label);
}

static void
read_ids_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (PendingEdit) pending = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) ids = nexus_engine_read_finish (NEXUS_ENGINE (object), result, &error);

  pending->self->busy--;
  if (ids == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast_message (pending->self, error->message);
      return;
    }
  add_ids_and_run (pending->self, g_steal_pointer (&pending->work), pending->label, ids,
                   pending->excluded);
}

/* Runs @edit (transfer full) on the selected leads. */
static void
edit_selection (NexusLeadsPage *self, NexusLeadsEdit *edit, const char *label)
{
  NexusEngine   *engine = nexus_page_get_engine (NEXUS_PAGE (self));
  NexusLeadWork *work = nexus_lead_work_new (NEXUS_LEAD_WORK_EDIT);
  g_autoptr (GArray) ids = nexus_leads_selection_get_ids (self->selection);

  work->edit = edit;
  if (engine == NULL)
    {
      nexus_lead_work_free (work);
      return;
    }

  if (!nexus_leads_selection_get_all (self->selection))
    {
      add_ids_and_run (self, work, label, ids, NULL);
      return;
    }

  {
    PendingEdit *pending = g_new0 (PendingEdit, 1);
    IdsJob      *job = g_new0 (IdsJob, 1);

    pending->self = g_object_ref (self);
    pending->work = work;
    pending->label = g_strdup (label);
    pending->excluded = g_steal_pointer (&ids);
    job->query = nexus_leads_query_copy (nexus_leads_model_get_query (self->model));
    job->max = NEXUS_LEADS_EDIT_MAX + pending->excluded->len + 1;
    self->busy++;
    nexus_engine_read_async (engine, read_ids_func, job, (GDestroyNotify)ids_job_free,
                             self->cancellable, read_ids_cb, pending);
  }
}

/**
 * _nexus_leads_page_edit:
 * @kind: status, assign, category, note or delete
 *
 * What the bulk actions do once the operator confirmed: @kind on the
 * selected leads, with an undo toast.
 */
void
_nexus_leads_page_edit (NexusLeadsPage *self,
                        const char     *kind,
                        const char     *value,
                        const char     *note,
                        gint64          agent_id)
{
  static const char *const kinds[] = {
    [NEXUS_LEADS_EDIT_STATUS] = "status",     [NEXUS_LEADS_EDIT_ASSIGN] = "assign",
    [NEXUS_LEADS_EDIT_CATEGORY] = "category", [NEXUS_LEADS_EDIT_NOTE] = "note",
    [NEXUS_LEADS_EDIT_DELETE] = "delete",
  };
  NexusLeadsEdit *edit = NULL;
  const char     *label = value;

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (g_strcmp0 (kind, kinds[i]) == 0)
      edit = nexus_leads_edit_new (i);
  g_return_if_fail (edit != NULL);

  edit->value = g_strdup (value);
  edit->note = note != NULL && note[0] != '\0' ? g_strdup (note) : NULL;
  edit->agent_id = agent_id;
  if (edit->kind == NEXUS_LEADS_EDIT_STATUS)
    label = nexus_lead_status_label (value);
  edit_selection (self, edit, label);
}

/* The status dialog: the new status with a note. */
static void
status_response_cb (AdwMessageDialog *dialog, const char *response, NexusLeadsPage *self)
{
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "note-entry");
  const char  *status = g_object_get_data (G_OBJECT (dialog), "status");

  if (g_str_equal (response, "apply"))
    _nexus_leads_page_edit (self, "status", status, gtk_editable_get_text (entry), 0);
}

static GtkWindow *
parent_window (NexusLeadsPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static GtkWidget *
entry_dialog (NexusLeadsPage *self,
              const char     *heading,
              const char     *body,
              const char     *placeholder,
              const char     *apply_label)
{
  GtkWidget *dialog = adw_message_dialog_new (parent_window (self), heading, body);
  GtkWidget *entry = gtk_entry_new ();

  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), placeholder);
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _ ("_Cancel"), "apply",
                                    apply_label, NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "apply",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "apply");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "note-entry", entry);
  return dialog;
}

static char *
selection_count_text (NexusLeadsPage *self)
{
  g_autofree char *number =
      nexus_format_count (nexus_leads_selection_get_n_selected (self->selection));

  return nexus_isolate_ltr (number);
}

static void
set_status_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  NexusLeadsPage  *self = NEXUS_LEADS_PAGE (widget);
  const char      *status = g_variant_get_string (parameter, NULL);
  g_autofree char *count = selection_count_text (self);
  gint64           n = nexus_leads_selection_get_n_selected (self->selection);
  g_autofree char *heading = NULL;
  GtkWidget       *dialog;

  if (!g_strv_contains (status_values, status))
    return;
  /* Translators: the heading of the status dialog: a number of leads, then
   * the new status. */
  heading = g_strdup_printf (ngettext ("Mark %s Lead as %s?", "Mark %s Leads as %s?", n), count,
                             nexus_lead_status_label (status));
  dialog = entry_dialog (self, heading, _ ("A note tells the team what happened."),
                         _ ("Note (optional)"), _ ("_Change Status"));
  g_object_set_data_full (G_OBJECT (dialog), "status", g_strdup (status), g_free);
  g_signal_connect (dialog, "response", G_CALLBACK (status_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The dialog's answer is only allowed once something is typed. */
static void
require_text_cb (GtkEditable *entry, AdwMessageDialog *dialog)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  adw_message_dialog_set_response_enabled (dialog, "apply", text[0] != '\0');
}

/* The answer to ask_text(): the text goes to the selected leads as their
 * category or as a note. */
static void
text_response_cb (AdwMessageDialog *dialog, const char *response, NexusLeadsPage *self)
{
  GtkEditable     *entry = g_object_get_data (G_OBJECT (dialog), "note-entry");
  const char      *field = g_object_get_data (G_OBJECT (dialog), "field");
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  if (!g_str_equal (response, "apply") || text[0] == '\0')
    return;
  if (g_str_equal (field, "category"))
    _nexus_leads_page_edit (self, "category", text, NULL, 0);
  else
    _nexus_leads_page_edit (self, "note", NULL, text, 0);
}

/* Asks for the text of @field ("category" or "note", a static string) of
 * the selected leads; the answer is allowed once something is typed. */
static void
ask_text (NexusLeadsPage *self,
          const char     *field,
          const char     *heading,
          const char     *body,
          const char     *placeholder,
          const char     *apply_label)
{
  GtkWidget   *dialog = entry_dialog (self, heading, body, placeholder, apply_label);
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "note-entry");

  g_object_set_data (G_OBJECT (dialog), "field", (gpointer)field);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "apply", FALSE);
  g_signal_connect (entry, "changed", G_CALLBACK (require_text_cb), dialog);
  g_signal_connect (dialog, "response", G_CALLBACK (text_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
set_category_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  NexusLeadsPage  *self = NEXUS_LEADS_PAGE (widget);
  g_autofree char *count = selection_count_text (self);
  gint64           n = nexus_leads_selection_get_n_selected (self->selection);
  g_autofree char *heading = NULL;

  /* Translators: %s is a number of leads. */
  heading = g_strdup_printf (ngettext ("Category of %s Lead", "Category of %s Leads", n), count);
  ask_text (self, "category", heading,
            _ ("The classifier learns from categories you set, and never changes them."),
            _ ("Category, e.g. pharmacy"), _ ("_Set Category"));
}

static void
add_note_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  NexusLeadsPage  *self = NEXUS_LEADS_PAGE (widget);
  g_autofree char *count = selection_count_text (self);
  gint64           n = nexus_leads_selection_get_n_selected (self->selection);
  g_autofree char *heading = NULL;

  /* Translators: %s is a number of leads. */
  heading = g_strdup_printf (ngettext ("Note on %s Lead", "Note on %s Leads", n), count);
  ask_text (self, "note", heading, _ ("The note goes into the history of each lead."),
            _ ("What happened"), _ ("_Add Note"));
}

static void
assign_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  NexusLeadsPage *self = NEXUS_LEADS_PAGE (widget);
  NexusLeadsEdit *edit = nexus_leads_edit_new (NEXUS_LEADS_EDIT_ASSIGN);
  const char     *name = NULL;

  edit->agent_id = g_variant_get_int64 (parameter);
  /* The toast names the agent. */
  for (guint i = 0; i < self->agent_ids->len; i++)
    if (g_array_index (self->agent_ids, gint64, i) == edit->agent_id)
      name = gtk_string_list_get_string (dropdown_strings (self->agent_dropdown), i + 2);
  edit_selection (self, edit, name);
}

static void
delete_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  /* No question first: the toast offers an undo that brings every row back. */
  _nexus_leads_page_edit (NEXUS_LEADS_PAGE (widget), "delete", NULL, NULL, 0);
}

static void
undo_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  NexusLeadsPage *self = NEXUS_LEADS_PAGE (widget);
  NexusLeadWork  *work;

  /* Only the toast of the newest edit undoes, and only once. */
  if (self->undo == NULL || g_variant_get_uint32 (parameter) != self->undo_serial ||
      nexus_page_get_engine (NEXUS_PAGE (self)) == NULL)
    return;
  work = nexus_lead_work_new (NEXUS_LEAD_WORK_UNDO);
  work->undo = g_steal_pointer (&self->undo);
  run_work (self, work, NULL);
}

static void
export_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  NexusLeadsPage *self = NEXUS_LEADS_PAGE (widget);
  g_autoptr (GArray) ids = nexus_leads_selection_get_ids (self->selection);
  g_autoptr (GVariant) export_ids = NULL;
  GVariantBuilder builder;

  /* Under "all" an empty list: the export dialog then takes the grid's
   * filter (the "query" property). */
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("at"));
  if (!nexus_leads_selection_get_all (self->selection))
    for (guint i = 0; i < ids->len; i++)
      g_variant_builder_add (&builder, "t", (guint64)g_array_index (ids, gint64, i));
  export_ids = g_variant_ref_sink (g_variant_builder_end (&builder));
  if (!gtk_widget_activate_action_variant (widget, "win.export-leads", export_ids))
    toast_message (self, _ ("Exporting leads is not available in this version."));
}

/* The fields a merge lets the operator choose, as NexusLeadWork.take
 * names them. */
static const struct
{
  const char *field;
  const char *title;
} merge_fields[] = {
  { "name", N_ ("Name") },       { "phone", N_ ("Phone") },       { "address", N_ ("Address") },
  { "website", N_ ("Website") }, { "category", N_ ("Category") },
};

static const char *
merge_value (const NexusLeadsViewRow *row, guint field)
{
  switch (field)
    {
      case 0:
        return row->name;
      case 1:
        return row->phone_e164;
      case 2:
        return row->address;
      case 3:
        return row->website;
      default:
        return row->category;
    }
}

static void
merge_response_cb (AdwMessageDialog *dialog, const char *response, NexusLeadsPage *self)
{
  GArray    *ids = g_object_get_data (G_OBJECT (dialog), "ids");
  GPtrArray *rows = g_object_get_data (G_OBJECT (dialog), "combo-rows");
  g_autoptr (GStrvBuilder) take = g_strv_builder_new ();
  NexusLeadWork *work;
  guint          keep;

  if (g_str_equal (response, "first"))
    keep = 0;
  else if (g_str_equal (response, "second"))
    keep = 1;
  else
    return;

  /* A field whose choice is the other lead's value is taken from it. */
  for (guint i = 0; i < rows->len; i++)
    {
      AdwComboRow *row = g_ptr_array_index (rows, i);

      if (row != NULL && adw_combo_row_get_selected (row) != keep)
        g_strv_builder_add (take, merge_fields[i].field);
    }

  work = nexus_lead_work_new (NEXUS_LEAD_WORK_MERGE);
  work->lead_id = g_array_index (ids, gint64, keep);
  work->other_id = g_array_index (ids, gint64, 1 - keep);
  work->take = g_strv_builder_end (take);
  nexus_leads_selection_set_ids (self->selection, &work->lead_id, 1);
  run_work (self, work, NULL);
}

/* Reader thread: both leads as the dialog shows them. */
static gpointer
read_pair_func (NexusStore *store, gpointer data, GError **error)
{
  GArray *ids = data;
  g_autoptr (GPtrArray) rows =
      g_ptr_array_new_with_free_func ((GDestroyNotify)nexus_leads_view_row_free);

  for (guint i = 0; i < ids->len; i++)
    {
      NexusLeadsViewRow *row =
          nexus_store_leads_view_get (store, g_array_index (ids, gint64, i), error);

      if (row == NULL)
        return NULL;
      g_ptr_array_add (rows, row);
    }
  return g_steal_pointer (&rows);
}

/* One choice per field where the two leads differ: either value; the
 * first lead's values chosen at first. */
static GtkWidget *
merge_choices (GPtrArray *leads, GPtrArray *combo_rows)
{
  GtkWidget *list = gtk_list_box_new ();

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  for (guint i = 0; i < G_N_ELEMENTS (merge_fields); i++)
    {
      const char *a = merge_value (g_ptr_array_index (leads, 0), i);
      const char *b = merge_value (g_ptr_array_index (leads, 1), i);
      const char *none = C_ ("merge value", "(none)");
      g_autoptr (GtkStringList) values = NULL;
      GtkWidget *row;

      if (g_strcmp0 (a, b) == 0)
        {
          g_ptr_array_add (combo_rows, NULL);
          continue;
        }
      values = gtk_string_list_new (
          (const char *const[]){ a != NULL ? a : none, b != NULL ? b : none, NULL });
      row = adw_combo_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), gettext (merge_fields[i].title));
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (values));
      adw_combo_row_set_selected (ADW_COMBO_ROW (row), 0);
      gtk_list_box_append (GTK_LIST_BOX (list), row);
      g_ptr_array_add (combo_rows, row);
    }
  return list;
}

static void
read_pair_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (NexusLeadsPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) leads = nexus_engine_read_finish (NEXUS_ENGINE (object), result, &error);
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  GPtrArray       *combo_rows;
  g_autofree char *keep_first = NULL;
  g_autofree char *keep_second = NULL;
  GtkWidget       *dialog;

  self->busy--;
  if (leads == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast_message (self, error->message);
      return;
    }

  for (guint i = 0; i < 2; i++)
    g_array_append_val (ids, ((NexusLeadsViewRow *)g_ptr_array_index (leads, i))->id);
  /* Translators: a button of the merge dialog; %s is a lead's name. */
  keep_first =
      g_strdup_printf (_ ("Keep “%s”"), ((NexusLeadsViewRow *)g_ptr_array_index (leads, 0))->name);
  keep_second =
      g_strdup_printf (_ ("Keep “%s”"), ((NexusLeadsViewRow *)g_ptr_array_index (leads, 1))->name);

  dialog = adw_message_dialog_new (
      parent_window (self), _ ("Merge Two Leads?"),
      _ ("The lead you keep keeps its status, agent and notes, and the values chosen below; its "
         "empty fields are filled from the other, which goes away. All sources stay, so a split "
         "can undo it."));
  combo_rows = g_ptr_array_new ();
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog),
                                      merge_choices (leads, combo_rows));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _ ("_Cancel"), "first",
                                    keep_first, "second", keep_second, NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "first",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "ids", g_steal_pointer (&ids),
                          (GDestroyNotify)g_array_unref);
  g_object_set_data_full (G_OBJECT (dialog), "combo-rows", combo_rows,
                          (GDestroyNotify)g_ptr_array_unref);
  g_signal_connect (dialog, "response", G_CALLBACK (merge_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
merge_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  NexusLeadsPage *self = NEXUS_LEADS_PAGE (widget);
  NexusEngine    *engine = nexus_page_get_engine (NEXUS_PAGE (self));
  GArray         *ids = nexus_leads_selection_get_ids (self->selection);

  if (ids->len != 2 || nexus_leads_selection_get_all (self->selection) || engine == NULL)
    {
      g_array_unref (ids);
      return;
    }
  self->busy++;
  nexus_engine_read_async (engine, read_pair_func, ids, (GDestroyNotify)g_array_unref,
                           self->cancellable, read_pair_cb, g_object_ref (self));
}

static void
split_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  NexusLeadsPage *self = NEXUS_LEADS_PAGE (widget);
  NexusLeadWork  *work;
  gint64          lead_id, source_id;

  if (nexus_page_get_engine (NEXUS_PAGE (self)) == NULL)
    return;
  g_variant_get (parameter, "(xx)", &lead_id, &source_id);
  work = nexus_lead_work_new (NEXUS_LEAD_WORK_SPLIT);
  work->lead_id = lead_id;
  work->source_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_array_append_val (work->source_ids, source_id);
  run_work (self, work, NULL);
}

static void
manage_agents_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  NexusLeadsPage *self = NEXUS_LEADS_PAGE (widget);
  NexusEngine    *engine = nexus_page_get_engine (NEXUS_PAGE (self));

  if (engine == NULL)
    return;
  gtk_window_present (GTK_WINDOW (nexus_agents_dialog_new (parent_window (self), engine)));
}

static void
close_details_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  adw_flap_set_reveal_flap (NEXUS_LEADS_PAGE (widget)->flap, FALSE);
}

static void
clear_filters_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  nexus_leads_page_clear_filters (NEXUS_LEADS_PAGE (widget));
}

static void
clear_area_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  NexusLeadsPage *self = NEXUS_LEADS_PAGE (widget);

  self->has_area = FALSE;
  update_query (self);
}

static void
refresh_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  nexus_leads_page_refresh (NEXUS_LEADS_PAGE (widget));
}

/* Ctrl+R works wherever the focus is, as long as this page is shown. */
static gboolean
refresh_shortcut_cb (GtkWidget *widget, GVariant *args, gpointer user_data)
{
  NexusLeadsPage *self = NEXUS_LEADS_PAGE (widget);

  if (!gtk_widget_get_mapped (widget) || nexus_page_get_engine (NEXUS_PAGE (self)) == NULL)
    return FALSE;

  nexus_leads_page_refresh (self);
  return TRUE;
}

/* Columns */

static void
cell_setup_cb (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  guint      column = GPOINTER_TO_UINT (user_data);
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  /* Counts and ratings line up on their end; everything else on its start.
   * GtkLabel mirrors xalign in a right-to-left window. */
  gtk_label_set_xalign (
      GTK_LABEL (label),
      column == NEXUS_LEADS_COLUMN_RATING || column == NEXUS_LEADS_COLUMN_SIGHTINGS ? 1.0f : 0.0f);
  gtk_list_item_set_child (item, label);
}

static void
cell_bind_cb (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  NexusLeadRow    *row = gtk_list_item_get_item (item);
  GtkWidget       *label = gtk_list_item_get_child (item);
  g_autofree char *text = _nexus_leads_page_cell_text (row, GPOINTER_TO_UINT (user_data));

  gtk_label_set_text (GTK_LABEL (label), text != NULL ? text : "");
}

static int
column_index (NexusLeadsPage *self, GtkColumnViewColumn *column)
{
  for (guint i = 0; i < N_COLUMNS; i++)
    if (self->columns[i] == column)
      return (int)i;
  return -1;
}

/* The column view holds the shown columns only: GTK 4.8 lays the rows of
 * a right-to-left grid out wrongly when some columns are merely invisible.
 * self->order keeps every column's place, the hidden ones included. */
static void
layout_columns (NexusLeadsPage *self)
{
  GListModel *columns = gtk_column_view_get_columns (self->column_view);
  gboolean    restoring = self->restoring;

  self->restoring = TRUE;
  while (g_list_model_get_n_items (columns) > 0)
    {
      g_autoptr (GtkColumnViewColumn) column = g_list_model_get_item (columns, 0);

      gtk_column_view_remove_column (self->column_view, column);
    }
  for (guint i = 0; i < N_COLUMNS; i++)
    {
      guint index = self->order[i];

      if (self->shown[index])
        gtk_column_view_append_column (self->column_view, self->columns[index]);
    }
  self->restoring = restoring;
}

/* Writes the order, visibility and widths of the columns to the settings. */
static void
save_columns (NexusLeadsPage *self)
{
  GVariantBuilder builder;

  if (self->settings == NULL || self->restoring)
    return;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(sbi)"));
  for (guint i = 0; i < N_COLUMNS; i++)
    {
      guint index = self->order[i];

      g_variant_builder_add (
          &builder, "(sbi)", column_specs[index].name, self->shown[index],
          MAX (0, gtk_column_view_column_get_fixed_width (self->columns[index])));
    }
  g_settings_set_value (self->settings, "leads-columns", g_variant_builder_end (&builder));
}

static void
column_notify_cb (NexusLeadsPage *self, GParamSpec *pspec, GtkColumnViewColumn *column)
{
  save_columns (self);
}

/* A header dragged elsewhere: the shown columns in the view's order, each
 * hidden one after the column it followed. */
static void
columns_changed_cb (NexusLeadsPage *self,
                    guint           position,
                    guint           removed,
                    guint           added,
                    GListModel     *columns)
{
  guint n_shown = 0, n = 0, order[N_COLUMNS];

  if (self->restoring)
    return;
  for (guint i = 0; i < N_COLUMNS; i++)
    n_shown += self->shown[i];
  /* A drag removes and adds the column: act once it is back. */
  if (g_list_model_get_n_items (columns) != n_shown)
    return;

  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr (GtkColumnViewColumn) column = g_list_model_get_item (columns, i);
      int index = column_index (self, column);

      if (index < 0)
        continue;
      order[n++] = index;
      /* The hidden columns that followed it before. */
      for (guint j = 0; j < N_COLUMNS; j++)
        if (self->order[j] == (guint)index)
          for (guint k = j + 1; k < N_COLUMNS && !self->shown[self->order[k]]; k++)
            order[n++] = self->order[k];
    }
  /* Hidden columns before the first shown one go first. */
  for (guint k = 0; k < N_COLUMNS && !self->shown[self->order[k]] && n < N_COLUMNS; k++)
    {
      memmove (order + 1, order, n * sizeof order[0]);
      order[0] = self->order[k];
      n++;
    }
  if (n == N_COLUMNS)
    memcpy (self->order, order, sizeof order);
  save_columns (self);
}

static void
show_column_cb (GSimpleAction *action, GVariant *value, gpointer user_data)
{
  NexusLeadsPage *self = g_object_get_data (G_OBJECT (action), "page");
  guint           index = GPOINTER_TO_UINT (user_data);

  /* The name column is the one that can never be hidden. */
  if (index == NEXUS_LEADS_COLUMN_NAME)
    return;
  self->shown[index] = g_variant_get_boolean (value);
  g_simple_action_set_state (action, value);
  layout_columns (self);
  save_columns (self);
}

/* Applies the "leads-columns" key: order, visibility, widths.  Unknown
 * names are skipped; columns the key lacks keep their defaults at the
 * end. */
static void
restore_columns (NexusLeadsPage *self)
{
  g_autoptr (GVariant) value = NULL;
  GVariantIter iter;
  const char  *name;
  gboolean     visible;
  int          width;
  guint        position = 0;
  gboolean     placed[N_COLUMNS] = { FALSE };

  self->restoring = TRUE;
  for (guint i = 0; i < N_COLUMNS; i++)
    {
      self->shown[i] = column_specs[i].shown;
      gtk_column_view_column_set_fixed_width (self->columns[i], column_specs[i].width);
    }

  if (self->settings != NULL)
    {
      value = g_settings_get_value (self->settings, "leads-columns");
      g_variant_iter_init (&iter, value);
      while (g_variant_iter_next (&iter, "(&sbi)", &name, &visible, &width))
        for (guint i = 0; i < N_COLUMNS; i++)
          if (g_str_equal (name, column_specs[i].name) && !placed[i])
            {
              placed[i] = TRUE;
              self->order[position++] = i;
              self->shown[i] = visible || i == NEXUS_LEADS_COLUMN_NAME;
              if (width > 0)
                gtk_column_view_column_set_fixed_width (self->columns[i], CLAMP (width, 30, 1000));
            }
    }
  for (guint i = 0; i < N_COLUMNS; i++)
    if (!placed[i])
      self->order[position++] = i;

  for (guint i = 0; i < N_COLUMNS; i++)
    {
      GAction *action =
          g_action_map_lookup_action (G_ACTION_MAP (self->column_actions), column_specs[i].name);

      g_simple_action_set_state (G_SIMPLE_ACTION (action), g_variant_new_boolean (self->shown[i]));
    }
  layout_columns (self);
  self->restoring = FALSE;
}

static void
reset_columns_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  NexusLeadsPage *self = NEXUS_LEADS_PAGE (widget);

  if (self->settings != NULL)
    g_settings_reset (self->settings, "leads-columns");
  restore_columns (self);
  save_columns (self);
}

static void
add_columns (NexusLeadsPage *self)
{
  self->column_actions = g_simple_action_group_new ();

  for (guint i = 0; i < N_COLUMNS; i++)
    {
      g_autoptr (GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
      g_autoptr (GtkSorter) sorter = NULL;
      g_autoptr (GSimpleAction) show = NULL;
      GtkColumnViewColumn *column;

      g_signal_connect (factory, "setup", G_CALLBACK (cell_setup_cb), GUINT_TO_POINTER (i));
      g_signal_connect (factory, "bind", G_CALLBACK (cell_bind_cb), GUINT_TO_POINTER (i));

      self->probes[i].self = self;
      self->probes[i].sort = column_specs[i].sort;
      sorter = GTK_SORTER (gtk_custom_sorter_new (probe_compare, &self->probes[i], NULL));

      /* Owned by the page: a hidden column is out of the view. */
      column = gtk_column_view_column_new (
          i == NEXUS_LEADS_COLUMN_AGENT ? C_ ("lead", "Agent") : gettext (column_specs[i].title),
          g_object_ref (factory));
      gtk_column_view_column_set_sorter (column, sorter);
      gtk_column_view_column_set_resizable (column, TRUE);
      gtk_column_view_column_set_expand (column, column_specs[i].expand);
      self->columns[i] = column;

      /* The Columns menu shows and hides them. */
      show =
          g_simple_action_new_stateful (column_specs[i].name, NULL, g_variant_new_boolean (TRUE));
      g_object_set_data (G_OBJECT (show), "page", self);
      g_signal_connect (show, "change-state", G_CALLBACK (show_column_cb), GUINT_TO_POINTER (i));
      g_action_map_add_action (G_ACTION_MAP (self->column_actions), G_ACTION (show));
    }
  gtk_widget_insert_action_group (GTK_WIDGET (self), "columns",
                                  G_ACTION_GROUP (self->column_actions));

  restore_columns (self);
  for (guint i = 0; i < N_COLUMNS; i++)
    g_signal_connect_swapped (self->columns[i], "notify::fixed-width",
                              G_CALLBACK (column_notify_cb), self);
  g_signal_connect_swapped (gtk_column_view_get_columns (self->column_view), "items-changed",
                            G_CALLBACK (columns_changed_cb), self);
}

/* GObject */

/* Shows the vault of the new engine and starts reading its leads; the old
 * engine's events and requests are dropped. */
static void
nexus_leads_page_engine_changed (NexusPage *page, NexusEngine *old_engine)
{
  NexusLeadsPage *self = NEXUS_LEADS_PAGE (page);
  NexusEngine    *engine = nexus_page_get_engine (page);

  unwatch (self, old_engine);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->undo, nexus_leads_undo_free);
  self->busy = 0;
  self->values_loaded = FALSE;

  if (engine != NULL)
    {
      self->cancellable = g_cancellable_new ();
      self->watch_id =
          nexus_event_bus_watch (nexus_engine_get_event_bus (engine), event_cb, self, NULL);
    }

  update_path (self);
  nexus_leads_selection_clear (self->selection);
  nexus_lead_details_set_engine (self->details, engine);
  nexus_leads_model_set_engine (self->model, engine);
  load_values (self);
  update_state (self);
  update_bulk (self);
}

static void
nexus_leads_page_dispose (GObject *object)
{
  NexusLeadsPage *self = NEXUS_LEADS_PAGE (object);

  unwatch (self, nexus_page_get_engine (NEXUS_PAGE (self)));
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  if (self->column_view != NULL)
    {
      GtkSorter *sorter = gtk_column_view_get_sorter (self->column_view);

      if (sorter != NULL)
        g_signal_handlers_disconnect_by_data (sorter, self);
      g_signal_handlers_disconnect_by_data (gtk_column_view_get_columns (self->column_view), self);
    }
  for (guint i = 0; i < N_COLUMNS; i++)
    if (self->columns[i] != NULL)
      g_signal_handlers_disconnect_by_data (self->columns[i], self);
  if (self->last_toast != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->last_toast), (gpointer *)&self->last_toast);
  self->last_toast = NULL;

  gtk_widget_dispose_template (GTK_WIDGET (object), NEXUS_TYPE_LEADS_PAGE);

  for (guint i = 0; i < N_COLUMNS; i++)
    g_clear_object (&self->columns[i]);
  g_clear_object (&self->column_actions);
  g_clear_object (&self->selection);
  g_clear_object (&self->model);
  g_clear_object (&self->probe_a);
  g_clear_object (&self->probe_b);
  g_clear_object (&self->settings);
  g_clear_object (&self->assign_menu);
  g_clear_pointer (&self->category_values, g_ptr_array_unref);
  g_clear_pointer (&self->city_values, g_ptr_array_unref);
  g_clear_pointer (&self->agent_ids, g_array_unref);
  g_clear_pointer (&self->undo, nexus_leads_undo_free);

  G_OBJECT_CLASS (nexus_leads_page_parent_class)->dispose (object);
}

static void
nexus_leads_page_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  NexusLeadsPage *self = NEXUS_LEADS_PAGE (object);

  switch (prop_id)
    {
      case PROP_COUNT:
        g_value_set_int64 (value, nexus_leads_page_get_count (self));
        break;

      case PROP_QUERY:
        g_value_set_boxed (value, nexus_leads_page_get_query (self));
        break;

      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nexus_leads_page_class_init (NexusLeadsPageClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  NexusPageClass *page_class = NEXUS_PAGE_CLASS (klass);

  object_class->dispose = nexus_leads_page_dispose;
  object_class->get_property = nexus_leads_page_get_property;
  page_class->engine_changed = nexus_leads_page_engine_changed;

  properties[PROP_COUNT] =
      g_param_spec_int64 ("count", NULL, NULL, -1, G_MAXINT64, -1,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /* The filters of the grid, for views that show the same leads (the map,
   * exports).  Notified whenever the grid makes a new query. */
  properties[PROP_QUERY] =
      g_param_spec_boxed ("query", NULL, NULL, NEXUS_TYPE_LEADS_QUERY,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (NEXUS_TYPE_LEAD_DETAILS);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/nexus/Nexus/ui/nexus-leads-page.ui");
  gtk_widget_class_bind_template_child (widget_class, NexusLeadsPage, state_stack);
  gtk_widget_class_bind_template_child (widget_class, NexusLeadsPage, window_title);
  gtk_widget_class_bind_template_child (widget_class, NexusLeadsPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, NexusLeadsPage, status_dropdown);
  gtk_widget_class_bind_template_child (widget_class, NexusLeadsPage, vault_toggle);
  gtk_widget_class_bind_template_child (widget_class, NexusLeadsPage, preview_toggle);
  gtk_widget_class_bind_template_child (widget_class, NexusLeadsPage, all_toggle);
  gtk_widget_class_bind_template_child (widget_class, NexusLeadsPage, filters_toggle);
  gtk_widget_class_bind_template_child (widget_class, NexusLeadsPage, details_toggle);
  gtk_widget_class_bind_template_child (widget_class, NexusLeadsPage, category_dropdown);
  gtk_widget_class_bind_template_child (widget_class, NexusLeadsPage, city_dropdown);
  gtk_widget_class_bind_template_child (widget_class, NexusLeadsPage, agent_dropdown);
  gtk_widget_class_bind_template_child (widget_class, NexusLeadsPage, seen_dropdown);
  gtk_widget_class_bind_template_child (widget_class, NexusLeadsPage, phone_check);
  gtk_widget_class_bind_template_child (widget_class, NexusLeadsPage, website_check);
  gtk_widget_class_bind_template_child (widget_class, NexusLeadsPage, area_button);
  gtk_widget_class_bind_template_child (widget_class, NexusLeadsPage, column_view);
  gtk_widget_class_bind_template_child (widget_class, NexusLeadsPage, error_page);
  gtk_widget_class_bind_template_child (widget_class, NexusLeadsPage, flap);
  gtk_widget_class_bind_template_child (widget_class, NexusLeadsPage, details);
  gtk_widget_class_bind_template_child (widget_class, NexusLeadsPage, bulk_revealer);
  gtk_widget_class_bind_template_child (widget_class, NexusLeadsPage, selected_label);
  gtk_widget_class_bind_template_child (widget_class, NexusLeadsPage, assign_button);
  gtk_widget_class_bind_template_callback (widget_class, filter_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, view_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);

  gtk_widget_class_install_action (widget_class, "leads.refresh", NULL, refresh_action);
  gtk_widget_class_install_action (widget_class, "leads.set-status", "s", set_status_action);
  gtk_widget_class_install_action (widget_class, "leads.assign", "x", assign_action);
  gtk_widget_class_install_action (widget_class, "leads.set-category", NULL, set_category_action);
  gtk_widget_class_install_action (widget_class, "leads.add-note", NULL, add_note_action);
  gtk_widget_class_install_action (widget_class, "leads.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "leads.delete", NULL, delete_action);
  gtk_widget_class_install_action (widget_class, "leads.merge", NULL, merge_action);
  gtk_widget_class_install_action (widget_class, "leads.split", "(xx)", split_action);
  gtk_widget_class_install_action (widget_class, "leads.undo", "u", undo_action);
  gtk_widget_class_install_action (widget_class, "leads.manage-agents", NULL, manage_agents_action);
  gtk_widget_class_install_action (widget_class, "leads.close-details", NULL, close_details_action);
  gtk_widget_class_install_action (widget_class, "leads.clear-filters", NULL, clear_filters_action);
  gtk_widget_class_install_action (widget_class, "leads.clear-area", NULL, clear_area_action);
  gtk_widget_class_install_action (widget_class, "leads.reset-columns", NULL, reset_columns_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "leads.delete", NULL);
}

static void
nexus_leads_page_init (NexusLeadsPage *self)
{
  GtkEventController *controller;
  GtkShortcut        *shortcut;

  self->probed_sort = -1;
  self->probe_a = nexus_lead_row_new_placeholder ();
  self->probe_b = nexus_lead_row_new_placeholder ();
  self->model = nexus_leads_model_new (NULL);
  self->selection = nexus_leads_selection_new (self->model);
  self->settings = nexus_settings_try_new ("leads-columns");
  self->category_values = g_ptr_array_new_with_free_func (g_free);
  self->city_values = g_ptr_array_new_with_free_func (g_free);
  self->agent_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->assign_menu = g_menu_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  /* The page's child: not a bound template child, which the template's
   * disposal would unparent before AdwBin does. */
  self->toast_overlay = ADW_TOAST_OVERLAY (adw_bin_get_child (ADW_BIN (self)));

  self->updating = TRUE;
  gtk_drop_down_set_model (
      self->category_dropdown,
      G_LIST_MODEL (gtk_string_list_new ((const char *const[]){ _ ("All Categories"), NULL })));
  gtk_drop_down_set_model (
      self->city_dropdown,
      G_LIST_MODEL (gtk_string_list_new ((const char *const[]){ _ ("All Cities"), NULL })));
  gtk_drop_down_set_model (self->agent_dropdown,
                           G_LIST_MODEL (gtk_string_list_new ((const char *const[]){
                               _ ("All Agents"), C_ ("agent", "Unassigned"), NULL })));
  gtk_drop_down_set_model (
      self->seen_dropdown,
      G_LIST_MODEL (gtk_string_list_new ((const char *const[]){
          _ ("Any Time"), _ ("Last 24 Hours"), _ ("Last 7 Days"), _ ("Last 30 Days"), NULL })));
  gtk_menu_button_set_menu_model (self->assign_button, G_MENU_MODEL (self->assign_menu));
  {
    g_autoptr (GPtrArray) no_agents = g_ptr_array_new ();

    fill_assign_menu (self, no_agents);
  }
  self->updating = FALSE;

  add_columns (self);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
  g_object_bind_property (self->details_toggle, "active", self->flap, "reveal-flap",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);

  /* The grid opens in name order, and the header says so. */
  gtk_column_view_sort_by_column (self->column_view, self->columns[NEXUS_LEADS_COLUMN_NAME],
                                  GTK_SORT_ASCENDING);
  g_signal_connect_swapped (gtk_column_view_get_sorter (self->column_view), "changed",
                            G_CALLBACK (sorter_changed_cb), self);
  g_signal_connect_swapped (self->model, "notify", G_CALLBACK (model_notify_cb), self);
  nexus_page_set_loading (NEXUS_PAGE (self), nexus_leads_model_get_loading (self->model));
  g_signal_connect_swapped (self->selection, "selection-changed", G_CALLBACK (selection_changed_cb),
                            self);

  shortcut = gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_r, GDK_CONTROL_MASK),
                               gtk_callback_action_new (refresh_shortcut_cb, NULL, NULL));
  controller = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (controller),
                                     GTK_SHORTCUT_SCOPE_GLOBAL);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller), shortcut);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  nexus_editable_fold_digits (GTK_EDITABLE (self->search_entry));

  update_state (self);
  update_bulk (self);
  update_query (self);
}

/**
 * nexus_leads_page_new:
 * @engine: (nullable): the engine whose vault to show
 *
 * Returns: (transfer floating): a new #NexusLeadsPage
 */
GtkWidget *
nexus_leads_page_new (NexusEngine *engine)
{
  g_return_val_if_fail (engine == NULL || NEXUS_IS_ENGINE (engine), NULL);

  return g_object_new (NEXUS_TYPE_LEADS_PAGE, "engine", engine, NULL);
}

/**
 * nexus_leads_page_refresh:
 * @self: a #NexusLeadsPage
 *
 * Reads the current query again: a new count, then the pages shown.
 * Requests still in flight are abandoned.
 */
void
nexus_leads_page_refresh (NexusLeadsPage *self)
{
  NexusEngine *engine;

  g_return_if_fail (NEXUS_IS_LEADS_PAGE (self));

  engine = nexus_page_get_engine (NEXUS_PAGE (self));
  if (engine == NULL)
    return;

  g_debug ("Reading the leads of %s again", nexus_engine_get_db_path (engine));
  nexus_leads_model_reload (self->model);
  load_values (self);
}

gint64
nexus_leads_page_get_count (NexusLeadsPage *self)
{
  g_return_val_if_fail (NEXUS_IS_LEADS_PAGE (self), -1);

  return nexus_leads_model_get_count (self->model);
}

/* win.show-lead */

typedef struct
{
  NexusLeadsQuery *query;
  gint64           lead_id;
} PositionJob;

static void
position_job_free (PositionJob *job)
{
  nexus_leads_query_free (job->query);
  g_free (job);
}

/* Reader thread. */
static gpointer
position_func (NexusStore *store, gpointer data, GError **error)
{
  PositionJob *job = data;
  gint64       position;

  if (!nexus_store_leads_view_position (store, job->query, job->lead_id, &position, error))
    return NULL;
  return g_memdup2 (&position, sizeof position);
}

/* The list view inside the column view: it has the "list." actions. */
static GtkWidget *
inner_list_view (NexusLeadsPage *self)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->column_view));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_VIEW (child))
      return child;
  return NULL;
}

static void
position_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (NexusLeadsPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree gint64 *position = nexus_engine_read_finish (NEXUS_ENGINE (object), result, &error);
  GtkWidget         *list;

  self->busy--;
  if (position == NULL || *position < 0 ||
      *position >= g_list_model_get_n_items (G_LIST_MODEL (self->model)))
    return;

  /* Scrolling there makes the list read the page it lands on. */
  list = inner_list_view (self);
  if (list != NULL)
    gtk_widget_activate_action (list, "list.scroll-to-item", "u", (guint32)*position);
}

/**
 * nexus_leads_page_show_lead:
 * @self: a #NexusLeadsPage
 * @lead_id: a lead
 *
 * Opens the details of @lead_id, selects it and, when the grid's query
 * holds it, scrolls the grid to it, also when its page is not read yet.
 */
void
nexus_leads_page_show_lead (NexusLeadsPage *self, gint64 lead_id)
{
  NexusEngine *engine;
  PositionJob *job;

  g_return_if_fail (NEXUS_IS_LEADS_PAGE (self));

  engine = nexus_page_get_engine (NEXUS_PAGE (self));

  nexus_leads_selection_set_ids (self->selection, &lead_id, 1);
  nexus_lead_details_set_lead_id (self->details, lead_id);
  adw_flap_set_reveal_flap (self->flap, TRUE);
  if (engine == NULL)
    return;

  job = g_new0 (PositionJob, 1);
  job->query = nexus_leads_query_copy (nexus_leads_model_get_query (self->model));
  job->lead_id = lead_id;
  self->busy++;
  nexus_engine_read_async (engine, position_func, job, (GDestroyNotify)position_job_free,
                           self->cancellable, position_cb, g_object_ref (self));
}

/* Private */

NexusLeadsModel *
_nexus_leads_page_get_model (NexusLeadsPage *self)
{
  g_return_val_if_fail (NEXUS_IS_LEADS_PAGE (self), NULL);

  return self->model;
}

NexusLeadsSelection *
_nexus_leads_page_get_selection (NexusLeadsPage *self)
{
  g_return_val_if_fail (NEXUS_IS_LEADS_PAGE (self), NULL);

  return self->selection;
}

NexusLeadDetails *
_nexus_leads_page_get_details (NexusLeadsPage *self)
{
  g_return_val_if_fail (NEXUS_IS_LEADS_PAGE (self), NULL);

  return self->details;
}

GtkColumnViewColumn *
_nexus_leads_page_get_column (NexusLeadsPage *self, guint column)
{
  g_return_val_if_fail (NEXUS_IS_LEADS_PAGE (self), NULL);
  g_return_val_if_fail (column < N_COLUMNS, NULL);

  return self->columns[column];
}

guint
_nexus_leads_page_get_undo_serial (NexusLeadsPage *self)
{
  g_return_val_if_fail (NEXUS_IS_LEADS_PAGE (self), 0);

  return self->undo != NULL ? self->undo_serial : 0;
}

guint
_nexus_leads_page_get_busy (NexusLeadsPage *self)
{
  g_return_val_if_fail (NEXUS_IS_LEADS_PAGE (self), 0);

  return self->busy;
}

gboolean
_nexus_leads_page_get_details_shown (NexusLeadsPage *self)
{
  g_return_val_if_fail (NEXUS_IS_LEADS_PAGE (self), FALSE);

  return adw_flap_get_reveal_flap (self->flap);
}

gboolean
_nexus_leads_page_filter_values_loaded (NexusLeadsPage *self)
{
  g_return_val_if_fail (NEXUS_IS_LEADS_PAGE (self), FALSE);

  return self->values_loaded;
}

/**
 * nexus_leads_page_get_query:
 * @self: a #NexusLeadsPage
 *
 * Returns: (transfer none) (nullable): the query the grid shows: its sort,
 *   search and filters
 */
const NexusLeadsQuery *
nexus_leads_page_get_query (NexusLeadsPage *self)
{
  g_return_val_if_fail (NEXUS_IS_LEADS_PAGE (self), NULL);

  return nexus_leads_model_get_query (self->model);
}
