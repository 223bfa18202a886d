/* nexus-leads-page.c — the lead vault at a glance
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shows how many leads the vault holds and which file it is.  The count is
 * read by the engine on one of its reader threads; this page only starts the
 * request and shows the answer when it arrives on the main context, so the
 * window never waits for the database.
 *
 * Invariant: self->cancellable is non-NULL exactly while a count is in
 * flight, and identifies that request; an answer that arrives for another
 * request (replaced by a refresh or a new engine) is dropped.
 */
#include "config.h"

#include <inttypes.h>

#include <locale.h>

#include <glib/gi18n.h>

#include "nexus-leads-page-private.h"

struct _NexusLeadsPage
{
  AdwBin parent_instance;

  /* template children */
  GtkStack      *state_stack; /* "loading", "count" or "error" */
  GtkLabel      *count_label; /* the number, grouped by thousands */
  GtkLabel      *unit_label;  /* "leads in the vault", in the right plural */
  GtkLabel      *path_label;  /* the database file, small and dim */
  AdwStatusPage *error_page;

  NexusEngine  *engine;      /* owned; NULL until set */
  GCancellable *cancellable; /* the count in flight, see the invariant above */
  gint64        count;       /* the last count shown; -1 before the first */
  gboolean      folded;      /* the window shows one pane at a time */
};

G_DEFINE_FINAL_TYPE (NexusLeadsPage, nexus_leads_page, ADW_TYPE_BIN)

enum
{
  PROP_0,
  PROP_ENGINE,
  PROP_LOADING,
  PROP_COUNT,
  PROP_FOLDED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* One count request: keeps the page alive until the answer arrives. */
typedef struct
{
  NexusLeadsPage *self;
  GCancellable   *cancellable;
} CountRequest;

static void
count_request_free (CountRequest *request)
{
  g_clear_object (&request->self);
  g_clear_object (&request->cancellable);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CountRequest, count_request_free)

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

static void
update_path (NexusLeadsPage *self)
{
  g_autofree char *isolated = NULL;
  g_autofree char *text = NULL;

  if (self->engine == NULL)
    {
      gtk_label_set_label (self->path_label, NULL);
      return;
    }

  /* First-strong isolate: the path keeps its own direction, so its slashes
   * stay in order inside a right-to-left sentence. */
  isolated = g_strdup_printf ("\u2068%s\u2069", nexus_engine_get_db_path (self->engine));
  /* Translators: %s is the path of the database file. */
  text = g_strdup_printf (_ ("Database: %s"), isolated);
  gtk_label_set_label (self->path_label, text);
}

static void
show_count (NexusLeadsPage *self, gint64 count)
{
  g_autofree char *number = _nexus_leads_page_format_count (count);
  g_autofree char *isolated = NULL;

  /* A number reads left to right in every language: the left-to-right
   * isolate keeps its groups in order in a right-to-left window. */
  isolated = g_strdup_printf ("\u2066%s\u2069", number);
  gtk_label_set_label (self->count_label, isolated);
  gtk_label_set_label (self->unit_label, ngettext ("lead in the vault", "leads in the vault",
                                                   (unsigned long)MAX (count, 0)));
  gtk_stack_set_visible_child_name (self->state_stack, "count");

  if (self->count != count)
    {
      self->count = count;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUNT]);
    }
}

static void
show_error (NexusLeadsPage *self, const char *message)
{
  g_autofree char *markup = g_markup_escape_text (message, -1);

  adw_status_page_set_description (self->error_page, markup);
  gtk_stack_set_visible_child_name (self->state_stack, "error");
}

static void
set_loading (NexusLeadsPage *self, GCancellable *cancellable)
{
  gboolean was_loading = self->cancellable != NULL;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_set_object (&self->cancellable, cancellable);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "leads.refresh",
                                 self->engine != NULL && cancellable == NULL);

  if (cancellable != NULL)
    gtk_stack_set_visible_child_name (self->state_stack, "loading");

  if (was_loading != (cancellable != NULL))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
count_leads_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (CountRequest) request = user_data;
  NexusLeadsPage *self = request->self;
  g_autoptr (GError) error = NULL;
  gint64 count;

  count = nexus_engine_count_leads_finish (NEXUS_ENGINE (object), result, &error);

  /* Replaced by a newer request: that one will answer. */
  if (request->cancellable != self->cancellable)
    return;

  set_loading (self, NULL);

  if (error != NULL)
    show_error (self, error->message);
  else
    show_count (self, count);
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

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->engine);

  gtk_widget_dispose_template (GTK_WIDGET (object), NEXUS_TYPE_LEADS_PAGE);

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
        g_value_set_int64 (value, self->count);
        break;

      case PROP_FOLDED:
        g_value_set_boolean (value, self->folded);
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

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/nexus/Nexus/ui/nexus-leads-page.ui");
  gtk_widget_class_bind_template_child (widget_class, NexusLeadsPage, state_stack);
  gtk_widget_class_bind_template_child (widget_class, NexusLeadsPage, count_label);
  gtk_widget_class_bind_template_child (widget_class, NexusLeadsPage, unit_label);
  gtk_widget_class_bind_template_child (widget_class, NexusLeadsPage, path_label);
  gtk_widget_class_bind_template_child (widget_class, NexusLeadsPage, error_page);

  gtk_widget_class_install_action (widget_class, "leads.refresh", NULL, refresh_action);
}

static void
nexus_leads_page_init (NexusLeadsPage *self)
{
  GtkEventController *controller;
  GtkShortcut        *shortcut;

  self->count = -1;

  gtk_widget_init_template (GTK_WIDGET (self));

  shortcut = gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_r, GDK_CONTROL_MASK),
                               gtk_callback_action_new (refresh_shortcut_cb, NULL, NULL));
  controller = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (controller),
                                     GTK_SHORTCUT_SCOPE_GLOBAL);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller), shortcut);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "leads.refresh", FALSE);
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
 * Shows the vault of @engine and starts counting its leads.
 */
void
nexus_leads_page_set_engine (NexusLeadsPage *self, NexusEngine *engine)
{
  g_return_if_fail (NEXUS_IS_LEADS_PAGE (self));
  g_return_if_fail (engine == NULL || NEXUS_IS_ENGINE (engine));

  if (!g_set_object (&self->engine, engine))
    return;

  set_loading (self, NULL);
  update_path (self);

  if (engine != NULL)
    nexus_leads_page_refresh (self);
  else
    show_error (self, _ ("No lead vault is open."));

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENGINE]);
}

/**
 * nexus_leads_page_refresh:
 * @self: a #NexusLeadsPage
 *
 * Counts the leads again.  A count still in flight is abandoned.
 */
void
nexus_leads_page_refresh (NexusLeadsPage *self)
{
  g_autoptr (GCancellable) cancellable = NULL;
  CountRequest *request;

  g_return_if_fail (NEXUS_IS_LEADS_PAGE (self));

  if (self->engine == NULL)
    return;

  g_debug ("Counting the leads in %s", nexus_engine_get_db_path (self->engine));

  cancellable = g_cancellable_new ();
  set_loading (self, cancellable);

  request = g_new0 (CountRequest, 1);
  request->self = g_object_ref (self);
  request->cancellable = g_object_ref (cancellable);

  nexus_engine_count_leads_async (self->engine, cancellable, count_leads_cb, request);
}

/**
 * nexus_leads_page_get_loading:
 * @self: a #NexusLeadsPage
 *
 * Returns: whether a count is in flight
 */
gboolean
nexus_leads_page_get_loading (NexusLeadsPage *self)
{
  g_return_val_if_fail (NEXUS_IS_LEADS_PAGE (self), FALSE);

  return self->cancellable != NULL;
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

  return self->count;
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
