/* nexus-pending-page.c — a page whose feature has not landed yet
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The window shows one of these for every part of Nexus that this version
 * does not have yet, so the sidebar is honest about what works: the page's
 * icon and title, what the part will do, and that it is not available.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "nexus-pending-page.h"

struct _NexusPendingPage
{
  NexusPage parent_instance;

  /* template children */
  AdwStatusPage *status_page;

  char *title;     /* page title, also the header bar's title */
  char *icon_name; /* the page's icon in the sidebar */
  char *summary;   /* one sentence: what this part will do */
};

G_DEFINE_FINAL_TYPE (NexusPendingPage, nexus_pending_page, NEXUS_TYPE_PAGE)

enum
{
  PROP_0,
  PROP_TITLE,
  PROP_ICON_NAME,
  PROP_SUMMARY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Replaces *@dest with a copy of @value; TRUE when it changed. */
static gboolean
replace_string (char **dest, const char *value)
{
  if (g_strcmp0 (*dest, value) == 0)
    return FALSE;

  g_free (*dest);
  *dest = g_strdup (value);
  return TRUE;
}

static void
update_description (NexusPendingPage *self)
{
  const char      *pending = _ ("This part of Nexus is not available in this version yet.");
  g_autofree char *markup = NULL;

  /* The status page shows its description as markup. */
  if (self->summary != NULL && self->summary[0] != '\0')
    markup = g_markup_printf_escaped ("%s\n%s", self->summary, pending);
  else
    markup = g_markup_escape_text (pending, -1);

  adw_status_page_set_description (self->status_page, markup);
}

static void
nexus_pending_page_finalize (GObject *object)
{
  NexusPendingPage *self = NEXUS_PENDING_PAGE (object);

  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->icon_name, g_free);
  g_clear_pointer (&self->summary, g_free);

  G_OBJECT_CLASS (nexus_pending_page_parent_class)->finalize (object);
}

static void
nexus_pending_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), NEXUS_TYPE_PENDING_PAGE);

  G_OBJECT_CLASS (nexus_pending_page_parent_class)->dispose (object);
}

static void
nexus_pending_page_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  NexusPendingPage *self = NEXUS_PENDING_PAGE (object);

  switch (prop_id)
    {
      case PROP_TITLE:
        g_value_set_string (value, self->title);
        break;

      case PROP_ICON_NAME:
        g_value_set_string (value, self->icon_name);
        break;

      case PROP_SUMMARY:
        g_value_set_string (value, self->summary);
        break;

      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nexus_pending_page_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  NexusPendingPage *self = NEXUS_PENDING_PAGE (object);

  switch (prop_id)
    {
      case PROP_TITLE:
        nexus_pending_page_set_title (self, g_value_get_string (value));
        break;

      case PROP_ICON_NAME:
        nexus_pending_page_set_icon_name (self, g_value_get_string (value));
        break;

      case PROP_SUMMARY:
        nexus_pending_page_set_summary (self, g_value_get_string (value));
        break;

      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nexus_pending_page_class_init (NexusPendingPageClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = nexus_pending_page_dispose;
  object_class->finalize = nexus_pending_page_finalize;
  object_class->get_property = nexus_pending_page_get_property;
  object_class->set_property = nexus_pending_page_set_property;

  properties[PROP_TITLE] =
      g_param_spec_string ("title", NULL, NULL, NULL,
                           G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  properties[PROP_ICON_NAME] =
      g_param_spec_string ("icon-name", NULL, NULL, NULL,
                           G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  properties[PROP_SUMMARY] =
      g_param_spec_string ("summary", NULL, NULL, NULL,
                           G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/nexus/Nexus/ui/nexus-pending-page.ui");
  gtk_widget_class_bind_template_child (widget_class, NexusPendingPage, status_page);
}

static void
nexus_pending_page_init (NexusPendingPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  update_description (self);
}

/**
 * nexus_pending_page_new:
 * @title: (nullable): the page's title
 * @icon_name: (nullable): the page's icon
 * @summary: (nullable): one sentence saying what this part of Nexus will do
 *
 * Returns: (transfer floating): a new #NexusPendingPage
 */
GtkWidget *
nexus_pending_page_new (const char *title, const char *icon_name, const char *summary)
{
  return g_object_new (NEXUS_TYPE_PENDING_PAGE, "title", title, "icon-name", icon_name, "summary",
                       summary, NULL);
}

const char *
nexus_pending_page_get_title (NexusPendingPage *self)
{
  g_return_val_if_fail (NEXUS_IS_PENDING_PAGE (self), NULL);

  return self->title;
}

void
nexus_pending_page_set_title (NexusPendingPage *self, const char *title)
{
  g_return_if_fail (NEXUS_IS_PENDING_PAGE (self));

  if (replace_string (&self->title, title))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

const char *
nexus_pending_page_get_icon_name (NexusPendingPage *self)
{
  g_return_val_if_fail (NEXUS_IS_PENDING_PAGE (self), NULL);

  return self->icon_name;
}

void
nexus_pending_page_set_icon_name (NexusPendingPage *self, const char *icon_name)
{
  g_return_if_fail (NEXUS_IS_PENDING_PAGE (self));

  if (replace_string (&self->icon_name, icon_name))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ICON_NAME]);
}

const char *
nexus_pending_page_get_summary (NexusPendingPage *self)
{
  g_return_val_if_fail (NEXUS_IS_PENDING_PAGE (self), NULL);

  return self->summary;
}

void
nexus_pending_page_set_summary (NexusPendingPage *self, const char *summary)
{
  g_return_if_fail (NEXUS_IS_PENDING_PAGE (self));

  if (replace_string (&self->summary, summary))
    {
      update_description (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUMMARY]);
    }
}
