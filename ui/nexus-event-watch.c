/* nexus-event-watch.c — a page's refresh, driven by the engine's events
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "nexus-event-watch.h"

struct _NexusEventWatch
{
  NexusEventBus      *bus;       /* owned */
  guint               watch_id;  /* on bus */
  char              **prefixes;  /* owned */
  guint               delay_ms;  /* between an event and the callback */
  guint               delay_id;  /* pending callback, or 0 */
  guint               period_id; /* the periodic callback, or 0 */
  GtkWidget          *widget;    /* unowned: it owns the watch */
  gulong              map_id;    /* on widget */
  gboolean            missed;    /* a callback was due while widget was hidden */
  NexusEventWatchFunc func;
  gpointer            user_data;
};

/* Calls back now, or once @widget is shown again. */
static void
fire (NexusEventWatch *self)
{
  if (self->widget != NULL && !gtk_widget_get_mapped (self->widget))
    {
      self->missed = TRUE;
      return;
    }
  self->missed = FALSE;
  self->func (self->user_data);
}

static void
map_cb (GtkWidget *widget, gpointer data)
{
  NexusEventWatch *self = data;

  if (self->missed)
    fire (self);
}

static gboolean
delay_done_cb (gpointer data)
{
  NexusEventWatch *self = data;

  self->delay_id = 0;
  fire (self);
  return G_SOURCE_REMOVE;
}

static gboolean
period_cb (gpointer data)
{
  NexusEventWatch *self = data;

  fire (self);
  return G_SOURCE_CONTINUE;
}

static void
event_cb (NexusEvent *event, gpointer user_data)
{
  NexusEventWatch *self = user_data;
  gboolean         wanted = FALSE;

  for (guint i = 0; self->prefixes[i] != NULL && !wanted; i++)
    wanted = g_str_has_prefix (event->kind, self->prefixes[i]);
  if (wanted && self->delay_id == 0)
    self->delay_id = g_timeout_add (self->delay_ms, delay_done_cb, self);
}

/**
 * nexus_event_watch_new:
 * @prefixes: kinds of events to follow, by their start ("job.")
 * @delay_ms: how long a burst of events is gathered before @func runs
 * @period_s: @func also runs this often; 0 for never
 * @widget: (nullable): the page that shows what @func reads; it owns the
 *   watch
 *
 * Returns: (transfer full): the watch; free it before @user_data goes
 */
NexusEventWatch *
nexus_event_watch_new (NexusEngine        *engine,
                       const char *const  *prefixes,
                       guint               delay_ms,
                       guint               period_s,
                       GtkWidget          *widget,
                       NexusEventWatchFunc func,
                       gpointer            user_data)
{
  NexusEventWatch *self;

  g_return_val_if_fail (NEXUS_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (prefixes != NULL && func != NULL, NULL);

  self = g_new0 (NexusEventWatch, 1);
  self->bus = g_object_ref (nexus_engine_get_event_bus (engine));
  self->prefixes = g_strdupv ((char **)prefixes);
  self->delay_ms = delay_ms;
  self->func = func;
  self->user_data = user_data;
  self->widget = widget;
  if (widget != NULL)
    self->map_id = g_signal_connect (widget, "map", G_CALLBACK (map_cb), self);
  self->watch_id = nexus_event_bus_watch (self->bus, event_cb, self, NULL);
  if (period_s > 0)
    self->period_id = g_timeout_add_seconds (period_s, period_cb, self);
  return self;
}

void
nexus_event_watch_free (NexusEventWatch *self)
{
  if (self == NULL)
    return;

  nexus_event_bus_unwatch (self->bus, self->watch_id);
  if (self->widget != NULL)
    g_clear_signal_handler (&self->map_id, self->widget);
  g_clear_handle_id (&self->delay_id, g_source_remove);
  g_clear_handle_id (&self->period_id, g_source_remove);
  g_clear_object (&self->bus);
  g_strfreev (self->prefixes);
  g_free (self);
}
