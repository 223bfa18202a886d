/* nexus-event-watch.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "nexus-event-watch.h"

struct _NexusEventWatch
{
  char                     **prefixes;
  guint                      debounce_ms;
  NexusEventFunc             event_func;   /* nullable */
  NexusEventWatchChangedFunc changed_func; /* nullable */
  gpointer                   user_data;
  NexusEngine               *engine; /* owned; NULL when none */
  guint                      watch_id;
  guint                      debounce_id;
};

static gboolean
debounce_cb (gpointer data)
{
  NexusEventWatch *self = data;

  self->debounce_id = 0;
  self->changed_func (self->user_data);
  return G_SOURCE_REMOVE;
}

static void
event_cb (NexusEvent *event, gpointer data)
{
  NexusEventWatch *self = data;
  gboolean         wanted = FALSE;

  for (guint i = 0; self->prefixes[i] != NULL && !wanted; i++)
    wanted = g_str_has_prefix (event->kind, self->prefixes[i]);
  if (!wanted)
    return;
  if (self->event_func != NULL)
    self->event_func (event, self->user_data);
  if (self->changed_func != NULL && self->debounce_id == 0)
    self->debounce_id = g_timeout_add (self->debounce_ms, debounce_cb, self);
}

/**
 * nexus_event_watch_new:
 * @prefixes: kinds of interest, e.g. "job." and "worker."
 * @event_func: (nullable): called for each event of interest
 * @changed_func: (nullable): called after a burst of them
 */
NexusEventWatch *
nexus_event_watch_new (const char *const         *prefixes,
                       guint                      debounce_ms,
                       NexusEventFunc             event_func,
                       NexusEventWatchChangedFunc changed_func,
                       gpointer                   user_data)
{
  NexusEventWatch *self = g_new0 (NexusEventWatch, 1);

  self->prefixes = g_strdupv ((char **)prefixes);
  self->debounce_ms = debounce_ms;
  self->event_func = event_func;
  self->changed_func = changed_func;
  self->user_data = user_data;
  return self;
}

static void
unwatch (NexusEventWatch *self)
{
  if (self->engine != NULL && self->watch_id != 0)
    nexus_event_bus_unwatch (nexus_engine_get_event_bus (self->engine), self->watch_id);
  self->watch_id = 0;
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  g_clear_object (&self->engine);
}

/**
 * nexus_event_watch_set_engine:
 * @engine: (nullable): the engine to watch
 */
void
nexus_event_watch_set_engine (NexusEventWatch *self, NexusEngine *engine)
{
  if (self->engine == engine)
    return;
  unwatch (self);
  if (engine == NULL)
    return;
  self->engine = g_object_ref (engine);
  self->watch_id =
      nexus_event_bus_watch (nexus_engine_get_event_bus (engine), event_cb, self, NULL);
}

void
nexus_event_watch_free (NexusEventWatch *self)
{
  if (self == NULL)
    return;
  unwatch (self);
  g_strfreev (self->prefixes);
  g_free (self);
}
