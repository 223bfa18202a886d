/* nexus-page.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine is owned here, not by the pages: a page reads it with
 * nexus_page_get_engine() and learns of a new one in engine_changed().
 * dispose drops the reference without calling engine_changed(): a page's
 * own dispose, which runs first, lets go of what it held on the engine.
 */
#include "config.h"

#include "nexus-page.h"

typedef struct
{
  NexusEngine *engine;  /* owned; NULL until set */
  gboolean     folded;  /* the window shows one pane at a time */
  gboolean     loading; /* a read of what the page shows is in flight */
} NexusPagePrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (NexusPage, nexus_page, ADW_TYPE_BIN)

enum
{
  PROP_0,
  PROP_ENGINE,
  PROP_FOLDED,
  PROP_LOADING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
nexus_page_dispose (GObject *object)
{
  NexusPage        *self = NEXUS_PAGE (object);
  NexusPagePrivate *priv = nexus_page_get_instance_private (self);

  g_clear_object (&priv->engine);

  G_OBJECT_CLASS (nexus_page_parent_class)->dispose (object);
}

static void
nexus_page_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  NexusPage        *self = NEXUS_PAGE (object);
  NexusPagePrivate *priv = nexus_page_get_instance_private (self);

  switch (prop_id)
    {
      case PROP_ENGINE:
        g_value_set_object (value, priv->engine);
        break;

      case PROP_FOLDED:
        g_value_set_boolean (value, priv->folded);
        break;

      case PROP_LOADING:
        g_value_set_boolean (value, priv->loading);
        break;

      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nexus_page_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  NexusPage *self = NEXUS_PAGE (object);

  switch (prop_id)
    {
      case PROP_ENGINE:
        nexus_page_set_engine (self, g_value_get_object (value));
        break;

      case PROP_FOLDED:
        nexus_page_set_folded (self, g_value_get_boolean (value));
        break;

      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nexus_page_class_init (NexusPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = nexus_page_dispose;
  object_class->get_property = nexus_page_get_property;
  object_class->set_property = nexus_page_set_property;

  properties[PROP_ENGINE] =
      g_param_spec_object ("engine", NULL, NULL, NEXUS_TYPE_ENGINE,
                           G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_FOLDED] =
      g_param_spec_boolean ("folded", NULL, NULL, FALSE,
                            G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* Set by the page itself (nexus_page_set_loading()). */
  properties[PROP_LOADING] =
      g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                            G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
nexus_page_init (NexusPage *self)
{
}

/**
 * nexus_page_get_engine:
 * @self: a #NexusPage
 *
 * Returns: (transfer none) (nullable): the engine whose vault the page shows
 */
NexusEngine *
nexus_page_get_engine (NexusPage *self)
{
  NexusPagePrivate *priv;

  g_return_val_if_fail (NEXUS_IS_PAGE (self), NULL);

  priv = nexus_page_get_instance_private (self);
  return priv->engine;
}

/**
 * nexus_page_set_engine:
 * @self: a #NexusPage
 * @engine: (nullable): the engine whose vault the page shows
 *
 * Replaces the page's engine; the page's engine_changed() drops what it
 * held on the previous one and starts on @engine.  Nothing happens when
 * @engine is the page's engine already.
 */
void
nexus_page_set_engine (NexusPage *self, NexusEngine *engine)
{
  NexusPagePrivate *priv;
  g_autoptr (NexusEngine) old_engine = NULL;

  g_return_if_fail (NEXUS_IS_PAGE (self));
  g_return_if_fail (engine == NULL || NEXUS_IS_ENGINE (engine));

  priv = nexus_page_get_instance_private (self);
  if (priv->engine == engine)
    return;

  /* The old engine lives until the page has let go of it. */
  old_engine = g_steal_pointer (&priv->engine);
  priv->engine = engine != NULL ? g_object_ref (engine) : NULL;

  if (NEXUS_PAGE_GET_CLASS (self)->engine_changed != NULL)
    NEXUS_PAGE_GET_CLASS (self)->engine_changed (self, old_engine);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENGINE]);
}

/**
 * nexus_page_get_folded:
 * @self: a #NexusPage
 *
 * Returns: whether the window shows one pane at a time
 */
gboolean
nexus_page_get_folded (NexusPage *self)
{
  NexusPagePrivate *priv;

  g_return_val_if_fail (NEXUS_IS_PAGE (self), FALSE);

  priv = nexus_page_get_instance_private (self);
  return priv->folded;
}

/**
 * nexus_page_set_folded:
 * @self: a #NexusPage
 * @folded: whether the window shows one pane at a time
 *
 * When folded, the page's header bar offers a back button to the sidebar
 * and carries the window buttons on its start side.
 */
void
nexus_page_set_folded (NexusPage *self, gboolean folded)
{
  NexusPagePrivate *priv;

  g_return_if_fail (NEXUS_IS_PAGE (self));

  priv = nexus_page_get_instance_private (self);
  folded = !!folded;
  if (priv->folded == folded)
    return;

  priv->folded = folded;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLDED]);
}

/**
 * nexus_page_get_loading:
 * @self: a #NexusPage
 *
 * Returns: whether a read of what the page shows is in flight
 */
gboolean
nexus_page_get_loading (NexusPage *self)
{
  NexusPagePrivate *priv;

  g_return_val_if_fail (NEXUS_IS_PAGE (self), FALSE);

  priv = nexus_page_get_instance_private (self);
  return priv->loading;
}

/**
 * nexus_page_set_loading:
 * @self: a #NexusPage
 * @loading: whether a read of what the page shows is in flight
 *
 * For the page itself, when it starts and ends its reads.
 *
 * Returns: %TRUE when the value changed (and was notified)
 */
gboolean
nexus_page_set_loading (NexusPage *self, gboolean loading)
{
  NexusPagePrivate *priv;

  g_return_val_if_fail (NEXUS_IS_PAGE (self), FALSE);

  priv = nexus_page_get_instance_private (self);
  loading = !!loading;
  if (priv->loading == loading)
    return FALSE;

  priv->loading = loading;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
  return TRUE;
}
