/* nexus-window.c — the console's main window
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A leaflet with the sidebar of pages on the start side and the pages on the
 * end side; on a narrow window it folds to one pane and each page's header
 * bar offers a way back.  The pages live in a GtkStack declared in
 * nexus-window.ui, in the order of page_names below (checked at init), and
 * the sidebar is built from the stack's own page list, so a page's title and
 * icon are written once.
 *
 * The window keeps its size, its maximized state and the page shown in
 * GSettings.  Without the schema (an uninstalled build run without
 * GSETTINGS_SCHEMA_DIR) it still works, it only forgets.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "nexus-import-dialog.h"
#include "nexus-export-dialog.h"
#include "nexus-jobs-page.h"
#include "nexus-leads-page.h"
#include "nexus-operations-page.h"
#include "nexus-page.h"
#include "nexus-dashboard-page.h"
#include "nexus-workers-page.h"
#include "nexus-map-page.h"
#include "nexus-pending-page.h"
#include "nexus-settings-page.h"
#include "nexus-searches-page.h"
#include "nexus-window.h"

struct _NexusWindow
{
  AdwApplicationWindow parent_instance;

  /* template children */
  AdwToastOverlay   *toast_overlay;
  AdwLeaflet        *leaflet;
  GtkListBox        *sidebar;
  GtkStack          *stack;
  NexusLeadsPage    *leads_page;
  NexusSearchesPage *searches_page;
  NexusJobsPage     *jobs_page;
  NexusMapPage      *map_page;

  NexusEngine *engine;   /* owned; construct-only */
  GSettings   *settings; /* NULL when the schema is not installed */
  GListModel  *pages;    /* the stack's pages; row i of the sidebar is page i */
};

G_DEFINE_FINAL_TYPE (NexusWindow, nexus_window, ADW_TYPE_APPLICATION_WINDOW)

enum
{
  PROP_0,
  PROP_ENGINE,
  PROP_PAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The stack's children, in sidebar order.  Also the values of the
 * "last-page" settings key. */
static const char *const page_names[] = { "dashboard", "leads",    "map",        "searches", "jobs",
                                          "workers",   "messages", "operations", "settings", NULL };

static void
restore_window_state (NexusWindow *self)
{
  g_autofree char *last_page = NULL;
  int              width, height;

  if (self->settings == NULL)
    return;

  width = g_settings_get_int (self->settings, "window-width");
  height = g_settings_get_int (self->settings, "window-height");
  if (width > 0 && height > 0)
    gtk_window_set_default_size (GTK_WINDOW (self), width, height);

  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  last_page = g_settings_get_string (self->settings, "last-page");
  if (nexus_window_is_page_name (last_page))
    gtk_stack_set_visible_child_name (self->stack, last_page);
}

static void
save_window_state (NexusWindow *self)
{
  gboolean maximized;
  int      width, height;

  if (self->settings == NULL)
    return;

  maximized = gtk_window_is_maximized (GTK_WINDOW (self));
  nexus_settings_set_if_changed (self->settings, "window-maximized",
                                 g_variant_new_boolean (maximized));

  /* The default size is the size of the window when it is not maximized. */
  if (!maximized && !gtk_window_is_fullscreen (GTK_WINDOW (self)))
    {
      gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
      if (width > 0 && height > 0)
        {
          nexus_settings_set_if_changed (self->settings, "window-width",
                                         g_variant_new_int32 (width));
          nexus_settings_set_if_changed (self->settings, "window-height",
                                         g_variant_new_int32 (height));
        }
    }
}

static int
find_page_index (NexusWindow *self, GtkWidget *child)
{
  guint n_pages = g_list_model_get_n_items (self->pages);

  for (guint i = 0; i < n_pages; i++)
    {
      g_autoptr (GObject) page = g_list_model_get_item (self->pages, i);

      if (gtk_stack_page_get_child (GTK_STACK_PAGE (page)) == child)
        return (int)i;
    }

  return -1;
}

static void
sync_sidebar (NexusWindow *self)
{
  GtkWidget     *child = gtk_stack_get_visible_child (self->stack);
  GtkListBoxRow *row = NULL;
  int            index;

  index = child != NULL ? find_page_index (self, child) : -1;
  if (index >= 0)
    row = gtk_list_box_get_row_at_index (self->sidebar, index);

  if (gtk_list_box_get_selected_row (self->sidebar) != row)
    gtk_list_box_select_row (self->sidebar, row);
}

static GtkWidget *
create_sidebar_row_cb (gpointer item, gpointer user_data)
{
  GtkStackPage *page = GTK_STACK_PAGE (item);
  GtkWidget    *row;
  GtkWidget    *box;
  GtkWidget    *image;
  GtkWidget    *label;

  /* The row's label says it all; the icon is decoration. */
  image = g_object_new (GTK_TYPE_IMAGE, "accessible-role", GTK_ACCESSIBLE_ROLE_PRESENTATION, NULL);
  g_object_bind_property (page, "icon-name", image, "icon-name", G_BINDING_SYNC_CREATE);

  label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (label), 0.0f);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (label, TRUE);
  g_object_bind_property (page, "title", label, "label", G_BINDING_SYNC_CREATE);

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_box_append (GTK_BOX (box), image);
  gtk_box_append (GTK_BOX (box), label);

  row = gtk_list_box_row_new ();
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_widget_add_css_class (row, "sidebar-row");

  return row;
}

static GtkWidget *
page_child_at (NexusWindow *self, GtkListBoxRow *row)
{
  g_autoptr (GObject) page = NULL;
  int index;

  if (row == NULL)
    return NULL;

  index = gtk_list_box_row_get_index (row);
  if (index < 0)
    return NULL;

  page = g_list_model_get_item (self->pages, (guint)index);
  return page != NULL ? gtk_stack_page_get_child (GTK_STACK_PAGE (page)) : NULL;
}

/* Moving through the sidebar with the arrow keys selects rows: show the
 * page beside it, but stay on the sidebar when the window is folded. */
static void
sidebar_row_selected_cb (NexusWindow *self, GtkListBoxRow *row, GtkListBox *sidebar)
{
  GtkWidget *child;

  if (self->pages == NULL)
    return;

  child = page_child_at (self, row);
  if (child != NULL)
    gtk_stack_set_visible_child (self->stack, child);
}

/* A click or Enter on a row opens its page, also on a folded window. */
static void
sidebar_row_activated_cb (NexusWindow *self, GtkListBoxRow *row, GtkListBox *sidebar)
{
  GtkWidget *child;

  if (self->pages == NULL)
    return;

  child = page_child_at (self, row);
  if (child == NULL)
    return;

  gtk_stack_set_visible_child (self->stack, child);
  adw_leaflet_set_visible_child_name (self->leaflet, "content");

  /* The sidebar is out of sight now: keep the keyboard focus in view. */
  if (adw_leaflet_get_folded (self->leaflet))
    gtk_widget_child_focus (child, GTK_DIR_TAB_FORWARD);
}

static void
stack_visible_child_cb (NexusWindow *self, GParamSpec *pspec, GtkStack *stack)
{
  const char *name;

  if (self->pages == NULL)
    return;

  sync_sidebar (self);

  name = gtk_stack_get_visible_child_name (self->stack);
  if (self->settings != NULL && nexus_window_is_page_name (name))
    nexus_settings_set_if_changed (self->settings, "last-page", g_variant_new_string (name));

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAGE]);
}

/* win.show-lead (x): the Leads page with the details of that lead. */
static void
show_lead_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  NexusWindow *self = NEXUS_WINDOW (widget);

  nexus_window_set_page (self, "leads");
  nexus_leads_page_show_lead (self->leads_page, g_variant_get_int64 (parameter));
}

/* win.filter-leads (a{sv}): the Leads page with exactly these filters. */
static void
filter_leads_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  NexusWindow *self = NEXUS_WINDOW (widget);
  g_autoptr (GError) error = NULL;

  if (!nexus_leads_page_apply_filters (self->leads_page, parameter, &error))
    {
      /* A page asked with bad values: a programming error, not the
       * operator's; the grid keeps its filters. */
      g_warning ("win.filter-leads: %s", error->message);
      return;
    }
  nexus_window_set_page (self, "leads");
}

static void
show_sidebar_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  NexusWindow   *self = NEXUS_WINDOW (widget);
  GtkListBoxRow *row;

  adw_leaflet_set_visible_child_name (self->leaflet, "sidebar");

  /* The back button just went out of sight with the page: keep the
   * keyboard focus on the page's row. */
  row = gtk_list_box_get_selected_row (self->sidebar);
  if (row != NULL)
    gtk_widget_grab_focus (GTK_WIDGET (row));
}

static void
leads_imported_cb (NexusWindow *self, NexusImportDialog *dialog)
{
  nexus_leads_page_refresh (self->leads_page);
}

/* win.import-leads: the import dialog over the window, with its file
 * chooser open. */
static void
import_leads_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  NexusWindow       *self = NEXUS_WINDOW (widget);
  NexusImportDialog *dialog;

  if (self->engine == NULL)
    return;
  dialog = nexus_import_dialog_new (self->engine);
  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (self));
  g_signal_connect_object (dialog, "imported", G_CALLBACK (leads_imported_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
  nexus_import_dialog_choose_file (dialog);
}

/* win.new-search (s): the Searches page, its editor open with the region
 * given as a GeoJSON geometry ("" for none). */
static void
new_search_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  NexusWindow *self = NEXUS_WINDOW (widget);

  nexus_window_set_page (self, "searches");
  nexus_searches_page_new_search (self->searches_page, g_variant_get_string (parameter, NULL));
}

/* win.show-jobs (x): the Jobs page, showing the jobs of one search (0:
 * of all searches). */
static void
show_jobs_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  NexusWindow *self = NEXUS_WINDOW (widget);

  nexus_window_set_page (self, "jobs");
  nexus_jobs_page_show_search (self->jobs_page, g_variant_get_int64 (parameter));
}

/* The map page, showing the cells of the search given as parameter. */
static void
show_search_on_map_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  NexusWindow *self = NEXUS_WINDOW (widget);

  nexus_window_set_page (self, "map");
  nexus_map_page_show_search (self->map_page, g_variant_get_int64 (parameter));
}

static gboolean
nexus_window_close_request (GtkWindow *window)
{
  save_window_state (NEXUS_WINDOW (window));

  return GTK_WINDOW_CLASS (nexus_window_parent_class)->close_request (window);
}

static void
nexus_window_dispose (GObject *object)
{
  NexusWindow *self = NEXUS_WINDOW (object);

  /* The sidebar is bound to the stack's pages: unbind before either goes. */
  if (self->sidebar != NULL)
    gtk_list_box_bind_model (self->sidebar, NULL, NULL, NULL, NULL);
  g_clear_object (&self->pages);

  gtk_widget_dispose_template (GTK_WIDGET (object), NEXUS_TYPE_WINDOW);

  g_clear_object (&self->settings);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (nexus_window_parent_class)->dispose (object);
}

static void
nexus_window_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  NexusWindow *self = NEXUS_WINDOW (object);

  switch (prop_id)
    {
      case PROP_ENGINE:
        g_value_set_object (value, self->engine);
        break;

      case PROP_PAGE:
        g_value_set_string (value, nexus_window_get_page (self));
        break;

      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nexus_window_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  NexusWindow *self = NEXUS_WINDOW (object);

  switch (prop_id)
    {
      case PROP_ENGINE:
        nexus_window_set_engine (self, g_value_get_object (value));
        break;

      case PROP_PAGE:
        nexus_window_set_page (self, g_value_get_string (value));
        break;

      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* win.export-leads (at): the export dialog for these leads, or, with no
 * ids, for the grid's current filter or every lead. */
static void
export_leads_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  NexusWindow       *self = NEXUS_WINDOW (widget);
  NexusExportDialog *dialog;
  gsize              n_ids = 0;
  const gint64      *ids = g_variant_get_fixed_array (parameter, &n_ids, sizeof (guint64));

  dialog = nexus_export_dialog_new (GTK_WINDOW (self), self->engine,
                                    nexus_leads_page_get_query (self->leads_page),
                                    n_ids > 0 ? ids : NULL, n_ids);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
nexus_window_class_init (NexusWindowClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = nexus_window_dispose;
  object_class->get_property = nexus_window_get_property;
  object_class->set_property = nexus_window_set_property;

  window_class->close_request = nexus_window_close_request;

  properties[PROP_ENGINE] =
      g_param_spec_object ("engine", NULL, NULL, NEXUS_TYPE_ENGINE,
                           G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  properties[PROP_PAGE] =
      g_param_spec_string ("page", NULL, NULL, NULL,
                           G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (NEXUS_TYPE_LEADS_PAGE);
  g_type_ensure (NEXUS_TYPE_OPERATIONS_PAGE);
  g_type_ensure (NEXUS_TYPE_MAP_PAGE);
  g_type_ensure (NEXUS_TYPE_PENDING_PAGE);
  g_type_ensure (NEXUS_TYPE_SETTINGS_PAGE);
  g_type_ensure (NEXUS_TYPE_SEARCHES_PAGE);
  g_type_ensure (NEXUS_TYPE_JOBS_PAGE);
  g_type_ensure (NEXUS_TYPE_WORKERS_PAGE);
  g_type_ensure (NEXUS_TYPE_DASHBOARD_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/nexus/Nexus/ui/nexus-window.ui");
  gtk_widget_class_bind_template_child (widget_class, NexusWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, NexusWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, NexusWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, NexusWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, NexusWindow, leads_page);
  gtk_widget_class_bind_template_child (widget_class, NexusWindow, searches_page);
  gtk_widget_class_bind_template_child (widget_class, NexusWindow, jobs_page);
  gtk_widget_class_bind_template_child (widget_class, NexusWindow, map_page);
  gtk_widget_class_bind_template_callback (widget_class, sidebar_row_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, sidebar_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, stack_visible_child_cb);

  gtk_widget_class_install_action (widget_class, "win.show-sidebar", NULL, show_sidebar_action);
  gtk_widget_class_install_action (widget_class, "win.import-leads", NULL, import_leads_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_i, GDK_CONTROL_MASK,
                                       "win.import-leads", NULL);
  gtk_widget_class_install_action (widget_class, "win.export-leads", "at", export_leads_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK,
                                       "win.export-leads", "@at",
                                       g_variant_new_array (G_VARIANT_TYPE_UINT64, NULL, 0));
  gtk_widget_class_install_action (widget_class, "win.new-search", "s", new_search_action);
  gtk_widget_class_install_action (widget_class, "win.show-jobs", "x", show_jobs_action);
  gtk_widget_class_install_action (widget_class, "win.show-search-on-map", "x",
                                   show_search_on_map_action);
  gtk_widget_class_install_action (widget_class, "win.show-lead", "x", show_lead_action);
  gtk_widget_class_install_action (widget_class, "win.filter-leads", "a{sv}", filter_leads_action);
}

static void
nexus_window_init (NexusWindow *self)
{
  g_autoptr (GListModel) pages = NULL;
  guint n_pages;

  gtk_widget_init_template (GTK_WIDGET (self));

#if DEVELOPMENT
  gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
#endif

  pages = G_LIST_MODEL (gtk_stack_get_pages (self->stack));
  n_pages = g_list_model_get_n_items (pages);
  g_assert (n_pages == G_N_ELEMENTS (page_names) - 1);

  for (guint i = 0; i < n_pages; i++)
    {
      g_autoptr (GObject) item = g_list_model_get_item (pages, i);
      GtkStackPage *page = GTK_STACK_PAGE (item);
      GtkWidget    *child = gtk_stack_page_get_child (page);

      g_assert (g_strcmp0 (gtk_stack_page_get_name (page), page_names[i]) == 0);

      /* A pending page shows the title and icon of its sidebar row. */
      if (NEXUS_IS_PENDING_PAGE (child))
        {
          g_object_bind_property (page, "title", child, "title", G_BINDING_SYNC_CREATE);
          g_object_bind_property (page, "icon-name", child, "icon-name", G_BINDING_SYNC_CREATE);
        }

      /* Every page has a header bar that needs to know whether it stands
       * alone (back button, window buttons on its start side). */
      g_object_bind_property (self->leaflet, "folded", child, "folded", G_BINDING_SYNC_CREATE);
    }

  gtk_list_box_bind_model (self->sidebar, pages, create_sidebar_row_cb, self, NULL);
  self->pages = g_steal_pointer (&pages);

  self->settings = nexus_settings_try_new (NULL);
  if (self->settings == NULL)
    g_warning ("The settings schema %s is not installed; window state will not be kept",
               NEXUS_SETTINGS_SCHEMA_ID);
  restore_window_state (self);

  sync_sidebar (self);
}

/**
 * nexus_window_get_page_names:
 *
 * Returns: (transfer none): the names of the window's pages, in sidebar
 *   order, %NULL-terminated
 */
const char *const *
nexus_window_get_page_names (void)
{
  return page_names;
}

/**
 * nexus_window_is_page_name:
 * @name: (nullable): a page name
 *
 * Returns: whether @name names one of the window's pages
 */
gboolean
nexus_window_is_page_name (const char *name)
{
  return name != NULL && g_strv_contains (page_names, name);
}

/**
 * nexus_window_new:
 * @app: (nullable): the application
 * @engine: the engine whose vault the window shows
 *
 * Opens on the page shown last (from the settings).
 *
 * Returns: (transfer none): a new #NexusWindow, owned by GTK like any
 *   toplevel
 */
NexusWindow *
nexus_window_new (GtkApplication *app, NexusEngine *engine)
{
  g_return_val_if_fail (app == NULL || GTK_IS_APPLICATION (app), NULL);
  g_return_val_if_fail (NEXUS_IS_ENGINE (engine), NULL);

  return g_object_new (NEXUS_TYPE_WINDOW, "application", app, "engine", engine, NULL);
}

NexusEngine *
nexus_window_get_engine (NexusWindow *self)
{
  g_return_val_if_fail (NEXUS_IS_WINDOW (self), NULL);

  return self->engine;
}

/**
 * nexus_window_get_leads_page:
 * @self: a #NexusWindow
 *
 * Returns: (transfer none): the #NexusLeadsPage, whose query other views
 *   (the map, exports) follow
 */
GtkWidget *
nexus_window_get_leads_page (NexusWindow *self)
{
  g_return_val_if_fail (NEXUS_IS_WINDOW (self), NULL);

  return GTK_WIDGET (self->leads_page);
}

/**
 * nexus_window_set_engine:
 * @self: a #NexusWindow
 * @engine: (nullable): the engine whose vault the window shows
 *
 * Gives @engine to every page (each is a #NexusPage); also used when the
 * vault is replaced under a running console (a restore).
 */
void
nexus_window_set_engine (NexusWindow *self, NexusEngine *engine)
{
  guint n;

  g_return_if_fail (NEXUS_IS_WINDOW (self));
  g_return_if_fail (engine == NULL || NEXUS_IS_ENGINE (engine));

  if (!g_set_object (&self->engine, engine))
    return;

  n = self->pages != NULL ? g_list_model_get_n_items (self->pages) : 0;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GObject) page = g_list_model_get_item (self->pages, i);
      GtkWidget *child = gtk_stack_page_get_child (GTK_STACK_PAGE (page));

      if (NEXUS_IS_PAGE (child))
        nexus_page_set_engine (NEXUS_PAGE (child), engine);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENGINE]);
}

/**
 * nexus_window_get_page:
 * @self: a #NexusWindow
 *
 * Returns: (nullable): the name of the page shown
 */
const char *
nexus_window_get_page (NexusWindow *self)
{
  g_return_val_if_fail (NEXUS_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

/**
 * nexus_window_set_page:
 * @self: a #NexusWindow
 * @name: one of nexus_window_get_page_names()
 *
 * Shows the page @name; on a folded window the page replaces the sidebar.
 *
 * Returns: %FALSE if there is no page @name
 */
gboolean
nexus_window_set_page (NexusWindow *self, const char *name)
{
  GtkWidget *child;

  g_return_val_if_fail (NEXUS_IS_WINDOW (self), FALSE);

  if (!nexus_window_is_page_name (name))
    return FALSE;

  child = gtk_stack_get_child_by_name (self->stack, name);
  if (child == NULL)
    return FALSE;

  gtk_stack_set_visible_child (self->stack, child);
  adw_leaflet_set_visible_child_name (self->leaflet, "content");

  return TRUE;
}

/**
 * nexus_window_add_toast:
 * @self: a #NexusWindow
 * @toast: (transfer full): a toast
 *
 * Shows @toast over the window.
 */
void
nexus_window_add_toast (NexusWindow *self, AdwToast *toast)
{
  g_return_if_fail (NEXUS_IS_WINDOW (self));
  g_return_if_fail (ADW_IS_TOAST (toast));

  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/**
 * nexus_window_toast:
 * @widget: a widget, normally inside a #NexusWindow
 * @text: what to say
 *
 * Shows @text as a toast over the window that holds @widget; nothing when
 * @widget is in no #NexusWindow.
 */
void
nexus_window_toast (GtkWidget *widget, const char *text)
{
  GtkRoot *root;

  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (text != NULL);

  root = gtk_widget_get_root (widget);
  if (NEXUS_IS_WINDOW (root))
    adw_toast_overlay_add_toast (NEXUS_WINDOW (root)->toast_overlay, adw_toast_new (text));
}
