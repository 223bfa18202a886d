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
 * Sorting, searching and the status filter make a new query for the model
 * (new SQL), never a GtkSortListModel.  The column headers still show the
 * sort: each sortable column carries a GtkCustomSorter that is never
 * applied to any list.  When the column view's sorter changes, the page
 * asks it to compare two probe rows; the first column sorter it consults
 * is the primary column, and the sign of the answer is its direction (GTK
 * 4.8 has no public getter for either).
 */
#include "config.h"

#include <inttypes.h>
#include <math.h>

#include <locale.h>

#include <glib/gi18n.h>

#include "nexus-lead-row.h"
#include "nexus-leads-model.h"
#include "nexus-leads-page-private.h"

/* The grid's columns, in order. */
typedef enum
{
  COLUMN_NAME,
  COLUMN_CATEGORY,
  COLUMN_PHONE,
  COLUMN_CITY,
  COLUMN_STATUS,
  COLUMN_RATING,
  COLUMN_LAST_SEEN,
  COLUMN_SIGHTINGS,
  N_COLUMNS
} Column;

/* What a column's sorter stands for; its user data. */
typedef struct
{
  NexusLeadsPage *self; /* unowned: the page owns the probes */
  NexusLeadsSort  sort;
} SortProbe;

struct _NexusLeadsPage
{
  AdwBin parent_instance;

  /* template children */
  GtkStack       *state_stack;  /* "loading", "grid", "empty" or "error" */
  AdwWindowTitle *window_title; /* subtitle: "N leads" */
  GtkSearchEntry *search_entry;
  GtkDropDown    *status_dropdown; /* all, then the five statuses in order */
  GtkColumnView  *column_view;
  AdwStatusPage  *error_page;

  NexusEngine     *engine; /* owned; NULL until set */
  NexusLeadsModel *model;  /* owned; the column view's rows */
  gboolean         folded; /* the window shows one pane at a time */

  GtkColumnViewColumn *columns[N_COLUMNS]; /* owned by the column view */
  SortProbe            probes[N_COLUMNS];  /* user data of the column sorters */
  NexusLeadRow        *probe_a, *probe_b;  /* owned; compared to read the sort */
  int                  probed_sort;        /* the first sort consulted, -1: none */
};

G_DEFINE_FINAL_TYPE (NexusLeadsPage, nexus_leads_page, ADW_TYPE_BIN)

enum
{
  PROP_0,
  PROP_ENGINE,
  PROP_LOADING,
  PROP_COUNT,
  PROP_FOLDED,
  PROP_QUERY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The status filter's positions after "all", and the stored values. */
static const char *const status_values[] = { "new", "contacted", "qualified", "won", "lost" };

/* Groups the digits of @count by thousands.  The locale's grouping is used
 * when it has one; the C locale has none, so the separator then comes from
 * the translation. */
char *
_nexus_leads_page_format_count (gint64 count)
{
  const struct lconv *conv = localeconv ();
  g_autofree char    *digits = NULL;
  const char         *separator;
  GString            *text;
  gsize               len;

  if (conv->thousands_sep != NULL && conv->thousands_sep[0] != '\0')
    return g_strdup_printf ("%'" PRId64, count);

  /* Translators: the separator between groups of three digits in a large
   * number, as in 12,345.  The number itself is always written with the
   * digits 0-9, left to right. */
  separator = C_ ("number formatting", ",");

  digits = g_strdup_printf ("%" PRId64, count);
  text = g_string_new (NULL);
  len = strlen (digits);
  for (gsize i = 0; i < len; i++)
    {
      g_string_append_c (text, digits[i]);
      if (g_ascii_isdigit (digits[i]) && (len - i - 1) > 0 && (len - i - 1) % 3 == 0)
        g_string_append (text, separator);
    }

  return g_string_free (text, FALSE);
}

static const char *
status_label (const char *status)
{
  if (g_strcmp0 (status, "new") == 0)
    return C_ ("lead status", "New");
  if (g_strcmp0 (status, "contacted") == 0)
    return C_ ("lead status", "Contacted");
  if (g_strcmp0 (status, "qualified") == 0)
    return C_ ("lead status", "Qualified");
  if (g_strcmp0 (status, "won") == 0)
    return C_ ("lead status", "Won");
  if (g_strcmp0 (status, "lost") == 0)
    return C_ ("lead status", "Lost");
  return status;
}

/* The text of one cell.  Numbers, dates and phone numbers read left to
 * right in every language: a left-to-right isolate keeps them in order in
 * a right-to-left window.  Names and places keep their own direction. */
char *
_nexus_leads_page_cell_text (NexusLeadRow *row, guint column)
{
  if (nexus_lead_row_get_placeholder (row))
    return g_strdup ("");

  switch ((Column)column)
    {
      case COLUMN_NAME:
        return g_strdup (nexus_lead_row_get_name (row));

      case COLUMN_CATEGORY:
        {
          char *category = g_strdup (nexus_lead_row_get_category (row));

          return category != NULL ? g_strdelimit (category, "_", ' ') : NULL;
        }

      case COLUMN_PHONE:
        {
          const char *phone = nexus_lead_row_get_phone (row);

          return phone != NULL ? g_strdup_printf ("\u2066%s\u2069", phone) : NULL;
        }

      case COLUMN_CITY:
        return g_strdup (nexus_lead_row_get_city (row));

      case COLUMN_STATUS:
        return g_strdup (status_label (nexus_lead_row_get_status (row)));

      case COLUMN_RATING:
        {
          double rating = nexus_lead_row_get_rating (row);

          return isnan (rating) || rating <= 0 ? NULL
                                               : g_strdup_printf ("\u2066%.1f\u2069", rating);
        }

      case COLUMN_LAST_SEEN:
        {
          g_autoptr (GDateTime) when =
              g_date_time_new_from_unix_local (nexus_lead_row_get_last_seen (row));
          g_autofree char *date = when != NULL ? g_date_time_format (when, "%Y-%m-%d") : NULL;

          return date != NULL ? g_strdup_printf ("\u2066%s\u2069", date) : NULL;
        }

      case COLUMN_SIGHTINGS:
        return g_strdup_printf ("\u2066%" PRId64 "\u2069", nexus_lead_row_get_sightings (row));

      case N_COLUMNS:
      default:
        break;
    }
  g_return_val_if_reached (NULL);
}

static void
update_path (NexusLeadsPage *self)
{
  g_autofree char *isolated = NULL;
  g_autofree char *text = NULL;

  if (self->engine == NULL)
    {
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->window_title), NULL);
      return;
    }

  /* First-strong isolate: the path keeps its own direction, so its slashes
   * stay in order inside a right-to-left sentence. */
  isolated = g_strdup_printf ("\u2068%s\u2069", nexus_engine_get_db_path (self->engine));
  /* Translators: %s is the path of the database file. */
  text = g_strdup_printf (_ ("Database: %s"), isolated);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->window_title), text);
}

/* Shows what the model holds: the count in the subtitle and the grid, the
 * empty state or the error. */
static void
update_state (NexusLeadsPage *self)
{
  gint64      count = nexus_leads_model_get_count (self->model);
  const char *error = nexus_leads_model_get_error_message (self->model);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "leads.refresh", self->engine != NULL);

  if (self->engine == NULL)
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
      g_autofree char *number = _nexus_leads_page_format_count (count);
      g_autofree char *isolated = g_strdup_printf ("\u2066%s\u2069", number);
      g_autofree char *subtitle = NULL;

      /* Translators: the subtitle of the Leads page; %s is the number of
       * leads shown, with its digit groups. */
      subtitle = g_strdup_printf (ngettext ("%s lead", "%s leads", (unsigned long)count), isolated);
      adw_window_title_set_subtitle (self->window_title, subtitle);
      gtk_stack_set_visible_child_name (self->state_stack, count > 0 ? "grid" : "empty");
    }
}

static void
model_notify_cb (NexusLeadsPage *self, GParamSpec *pspec, NexusLeadsModel *model)
{
  update_state (self);

  if (pspec == properties[PROP_LOADING] || g_str_equal (pspec->name, "loading"))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
  else if (g_str_equal (pspec->name, "count"))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUNT]);
}

/* Builds the query from the search entry, the status filter and the sort
 * the column headers show, and gives it to the model. */
static void
update_query (NexusLeadsPage *self)
{
  g_autoptr (NexusLeadsQuery) query = nexus_leads_query_new ();
  GtkSorter  *sorter = gtk_column_view_get_sorter (self->column_view);
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  guint       status = gtk_drop_down_get_selected (self->status_dropdown);
  int         order;

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

  if (nexus_leads_model_get_query (self->model) != NULL &&
      nexus_leads_query_equal (nexus_leads_model_get_query (self->model), query))
    return;

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
search_changed_cb (NexusLeadsPage *self, GtkSearchEntry *entry)
{
  update_query (self);
}

static void
status_changed_cb (NexusLeadsPage *self, GParamSpec *pspec, GtkDropDown *dropdown)
{
  update_query (self);
}

static void
cell_setup_cb (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  Column     column = GPOINTER_TO_UINT (user_data);
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  /* Counts and ratings line up on their end; everything else on its start.
   * GtkLabel mirrors xalign in a right-to-left window. */
  gtk_label_set_xalign (GTK_LABEL (label),
                        column == COLUMN_RATING || column == COLUMN_SIGHTINGS ? 1.0f : 0.0f);
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

static void
add_columns (NexusLeadsPage *self)
{
  const struct
  {
    const char    *title;
    NexusLeadsSort sort;
    gboolean       expand;
    int            width; /* fixed width in pixels, or -1 */
  } specs[N_COLUMNS] = {
    [COLUMN_NAME] = { N_ ("Name"), NEXUS_LEADS_SORT_NAME, TRUE, -1 },
    [COLUMN_CATEGORY] = { N_ ("Category"), NEXUS_LEADS_SORT_CATEGORY, FALSE, 140 },
    [COLUMN_PHONE] = { N_ ("Phone"), NEXUS_LEADS_SORT_PHONE, FALSE, 150 },
    [COLUMN_CITY] = { N_ ("City"), NEXUS_LEADS_SORT_CITY, FALSE, 100 },
    [COLUMN_STATUS] = { N_ ("Status"), NEXUS_LEADS_SORT_STATUS, FALSE, 100 },
    [COLUMN_RATING] = { N_ ("Rating"), NEXUS_LEADS_SORT_RATING, FALSE, 70 },
    [COLUMN_LAST_SEEN] = { N_ ("Last Seen"), NEXUS_LEADS_SORT_LAST_SEEN, FALSE, 110 },
    [COLUMN_SIGHTINGS] = { N_ ("Sightings"), NEXUS_LEADS_SORT_SIGHTINGS, FALSE, 110 },
  };

  for (guint i = 0; i < N_COLUMNS; i++)
    {
      g_autoptr (GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
      g_autoptr (GtkColumnViewColumn) column = NULL;
      g_autoptr (GtkSorter) sorter = NULL;

      g_signal_connect (factory, "setup", G_CALLBACK (cell_setup_cb), GUINT_TO_POINTER (i));
      g_signal_connect (factory, "bind", G_CALLBACK (cell_bind_cb), GUINT_TO_POINTER (i));

      self->probes[i].self = self;
      self->probes[i].sort = specs[i].sort;
      sorter = GTK_SORTER (gtk_custom_sorter_new (probe_compare, &self->probes[i], NULL));

      column = gtk_column_view_column_new (gettext (specs[i].title), g_object_ref (factory));
      gtk_column_view_column_set_sorter (column, sorter);
      gtk_column_view_column_set_resizable (column, TRUE);
      gtk_column_view_column_set_expand (column, specs[i].expand);
      if (specs[i].width > 0)
        gtk_column_view_column_set_fixed_width (column, specs[i].width);
      gtk_column_view_append_column (self->column_view, column);
      self->columns[i] = column;
    }
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

  if (!gtk_widget_get_mapped (widget) || self->engine == NULL)
    return FALSE;

  nexus_leads_page_refresh (self);
  return TRUE;
}

static void
nexus_leads_page_dispose (GObject *object)
{
  NexusLeadsPage *self = NEXUS_LEADS_PAGE (object);

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  if (self->column_view != NULL)
    {
      GtkSorter *sorter = gtk_column_view_get_sorter (self->column_view);

      if (sorter != NULL)
        g_signal_handlers_disconnect_by_data (sorter, self);
    }

  gtk_widget_dispose_template (GTK_WIDGET (object), NEXUS_TYPE_LEADS_PAGE);

  g_clear_object (&self->model);
  g_clear_object (&self->engine);
  g_clear_object (&self->probe_a);
  g_clear_object (&self->probe_b);

  G_OBJECT_CLASS (nexus_leads_page_parent_class)->dispose (object);
}
static void
nexus_leads_page_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  NexusLeadsPage *self = NEXUS_LEADS_PAGE (object);

  switch (prop_id)
    {
      case PROP_ENGINE:
        g_value_set_object (value, self->engine);
        break;

      case PROP_LOADING:
        g_value_set_boolean (value, nexus_leads_page_get_loading (self));
        break;

      case PROP_COUNT:
        g_value_set_int64 (value, nexus_leads_page_get_count (self));
        break;

      case PROP_FOLDED:
        g_value_set_boolean (value, self->folded);
        break;

      case PROP_QUERY:
        g_value_set_boxed (value, nexus_leads_page_get_query (self));
        break;

      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nexus_leads_page_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  NexusLeadsPage *self = NEXUS_LEADS_PAGE (object);

  switch (prop_id)
    {
      case PROP_ENGINE:
        nexus_leads_page_set_engine (self, g_value_get_object (value));
        break;

      case PROP_FOLDED:
        nexus_leads_page_set_folded (self, g_value_get_boolean (value));
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

  object_class->dispose = nexus_leads_page_dispose;
  object_class->get_property = nexus_leads_page_get_property;
  object_class->set_property = nexus_leads_page_set_property;

  properties[PROP_ENGINE] =
      g_param_spec_object ("engine", NULL, NULL, NEXUS_TYPE_ENGINE,
                           G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  properties[PROP_LOADING] =
      g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                            G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  properties[PROP_COUNT] =
      g_param_spec_int64 ("count", NULL, NULL, -1, G_MAXINT64, -1,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  properties[PROP_FOLDED] =
      g_param_spec_boolean ("folded", NULL, NULL, FALSE,
                            G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /* The filters of the grid, for views that show the same leads (the map,
   * exports).  Notified whenever the grid makes a new query. */
  properties[PROP_QUERY] =
      g_param_spec_boxed ("query", NULL, NULL, NEXUS_TYPE_LEADS_QUERY,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/nexus/Nexus/ui/nexus-leads-page.ui");
  gtk_widget_class_bind_template_child (widget_class, NexusLeadsPage, state_stack);
  gtk_widget_class_bind_template_child (widget_class, NexusLeadsPage, window_title);
  gtk_widget_class_bind_template_child (widget_class, NexusLeadsPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, NexusLeadsPage, status_dropdown);
  gtk_widget_class_bind_template_child (widget_class, NexusLeadsPage, column_view);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, status_changed_cb);
  gtk_widget_class_bind_template_child (widget_class, NexusLeadsPage, error_page);

  gtk_widget_class_install_action (widget_class, "leads.refresh", NULL, refresh_action);
}

static void
nexus_leads_page_init (NexusLeadsPage *self)
{
  g_autoptr (GtkSelectionModel) selection = NULL;
  GtkEventController *controller;
  GtkShortcut        *shortcut;

  self->probed_sort = -1;
  self->probe_a = nexus_lead_row_new_placeholder ();
  self->probe_b = nexus_lead_row_new_placeholder ();
  self->model = nexus_leads_model_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));

  add_columns (self);
  selection =
      GTK_SELECTION_MODEL (gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->model))));
  gtk_single_selection_set_autoselect (GTK_SINGLE_SELECTION (selection), FALSE);
  gtk_single_selection_set_can_unselect (GTK_SINGLE_SELECTION (selection), TRUE);
  gtk_column_view_set_model (self->column_view, selection);

  /* The grid opens in name order, and the header says so. */
  gtk_column_view_sort_by_column (self->column_view, self->columns[COLUMN_NAME],
                                  GTK_SORT_ASCENDING);
  g_signal_connect_swapped (gtk_column_view_get_sorter (self->column_view), "changed",
                            G_CALLBACK (sorter_changed_cb), self);
  g_signal_connect_swapped (self->model, "notify", G_CALLBACK (model_notify_cb), self);

  shortcut = gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_r, GDK_CONTROL_MASK),
                               gtk_callback_action_new (refresh_shortcut_cb, NULL, NULL));
  controller = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (controller),
                                     GTK_SHORTCUT_SCOPE_GLOBAL);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller), shortcut);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  update_state (self);
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

NexusEngine *
nexus_leads_page_get_engine (NexusLeadsPage *self)
{
  g_return_val_if_fail (NEXUS_IS_LEADS_PAGE (self), NULL);

  return self->engine;
}

/**
 * nexus_leads_page_set_engine:
 * @self: a #NexusLeadsPage
 * @engine: (nullable): the engine whose vault to show
 *
 * Shows the vault of @engine and starts reading its leads.
 */
void
nexus_leads_page_set_engine (NexusLeadsPage *self, NexusEngine *engine)
{
  g_return_if_fail (NEXUS_IS_LEADS_PAGE (self));
  g_return_if_fail (engine == NULL || NEXUS_IS_ENGINE (engine));

  if (!g_set_object (&self->engine, engine))
    return;

  update_path (self);
  nexus_leads_model_set_engine (self->model, engine);
  update_state (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENGINE]);
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
  g_return_if_fail (NEXUS_IS_LEADS_PAGE (self));

  if (self->engine == NULL)
    return;

  g_debug ("Reading the leads of %s again", nexus_engine_get_db_path (self->engine));
  nexus_leads_model_reload (self->model);
}

/**
 * nexus_leads_page_get_loading:
 * @self: a #NexusLeadsPage
 *
 * Returns: whether the count of the current query is in flight
 */
gboolean
nexus_leads_page_get_loading (NexusLeadsPage *self)
{
  g_return_val_if_fail (NEXUS_IS_LEADS_PAGE (self), FALSE);

  return nexus_leads_model_get_loading (self->model);
}

/**
 * nexus_leads_page_get_count:
 * @self: a #NexusLeadsPage
 *
 * Returns: the number of leads shown, or -1 before the first count arrived
 */
gint64
nexus_leads_page_get_count (NexusLeadsPage *self)
{
  g_return_val_if_fail (NEXUS_IS_LEADS_PAGE (self), -1);

  return nexus_leads_model_get_count (self->model);
}

gboolean
nexus_leads_page_get_folded (NexusLeadsPage *self)
{
  g_return_val_if_fail (NEXUS_IS_LEADS_PAGE (self), FALSE);

  return self->folded;
}

/**
 * nexus_leads_page_set_folded:
 * @self: a #NexusLeadsPage
 * @folded: whether the window shows one pane at a time
 *
 * When folded, the page's header bar offers a back button to the sidebar
 * and carries the window buttons on its start side.
 */
void
nexus_leads_page_set_folded (NexusLeadsPage *self, gboolean folded)
{
  g_return_if_fail (NEXUS_IS_LEADS_PAGE (self));

  folded = !!folded;
  if (self->folded == folded)
    return;

  self->folded = folded;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLDED]);
}

NexusLeadsModel *
_nexus_leads_page_get_model (NexusLeadsPage *self)
{
  g_return_val_if_fail (NEXUS_IS_LEADS_PAGE (self), NULL);

  return self->model;
}

GtkColumnViewColumn *
_nexus_leads_page_get_column (NexusLeadsPage *self, guint column)
{
  g_return_val_if_fail (NEXUS_IS_LEADS_PAGE (self), NULL);
  g_return_val_if_fail (column < N_COLUMNS, NULL);

  return self->columns[column];
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
