/* nexus-event-watch.c — a page's watch on its engine's events
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "nexus-event-watch.h"

struct _NexusEventWatch
{
  char              **prefixes;
  guint               delay_ms;
  NexusEventFunc      event_func;   /* nullable */
  NexusEventWatchFunc changed_func; /* nullable */
  gpointer            user_data;

  NexusEngine *engine; /* owned; NULL when none */
  guint        watch_id;
  guint        delay_id;  /* pending @changed_func, or 0 */
  guint        period_id; /* the periodic @changed_func, or 0 */
  GtkWidget   *widget;    /* weak; NULL: always on screen */
  gulong       map_id;    /* on widget */
  gboolean     missed;    /* @changed_func was due while widget was hidden */
};

/* Calls @changed_func now, or once the widget is shown again. */
static void
fire (NexusEventWatch *self)
{
  if (self->changed_func == NULL)
    return;
  if (self->widget != NULL && !gtk_widget_get_mapped (self->widget))
    {
      self->missed = TRUE;
      return;
    }
  self->missed = FALSE;
  self->changed_func (self->user_data);
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
  fire (data);
  return G_SOURCE_CONTINUE;
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
  if (self->changed_func != NULL && self->delay_id == 0)
    self->delay_id = g_timeout_add (self->delay_ms, delay_done_cb, self);
}

/**
 * nexus_event_watch_new:
 * @prefixes: kinds of events to follow, by their start ("job.")
 * @delay_ms: how long a burst of events is gathered before @changed_func
 * @event_func: (nullable): called for each event of interest
 * @changed_func: (nullable): called after a burst of them
 *
 * Returns: (transfer full): a watch of no engine yet; free it before
 *   @user_data goes
 */
NexusEventWatch *
nexus_event_watch_new (const char *const  *prefixes,
                       guint               delay_ms,
                       NexusEventFunc      event_func,
                       NexusEventWatchFunc changed_func,
                       gpointer            user_data)
{
  NexusEventWatch *self;

  g_return_val_if_fail (prefixes != NULL, NULL);

  self = g_new0 (NexusEventWatch, 1);
  self->prefixes = g_strdupv ((char **)prefixes);
  self->delay_ms = delay_ms;
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
  g_clear_handle_id (&self->delay_id, g_source_remove);
  g_clear_object (&self->engine);
}

/**
 * nexus_event_watch_set_engine:
 * @engine: (nullable): the engine to watch
 */
void
nexus_event_watch_set_engine (NexusEventWatch *self, NexusEngine *engine)
{
  g_return_if_fail (self != NULL);

  if (self->engine == engine)
    return;
  unwatch (self);
  if (engine == NULL)
    return;
  self->engine = g_object_ref (engine);
  self->watch_id =
      nexus_event_bus_watch (nexus_engine_get_event_bus (engine), event_cb, self, NULL);
}

/**
 * nexus_event_watch_set_period:
 * @period_s: @changed_func also runs this often; 0 for never
 */
void
nexus_event_watch_set_period (NexusEventWatch *self, guint period_s)
{
  g_return_if_fail (self != NULL);

  g_clear_handle_id (&self->period_id, g_source_remove);
  if (period_s > 0)
    self->period_id = g_timeout_add_seconds (period_s, period_cb, self);
}

static void
widget_gone_cb (gpointer data, GObject *where_the_widget_was)
{
  NexusEventWatch *self = data;

  self->widget = NULL;
  self->map_id = 0;
}

static void
clear_widget (NexusEventWatch *self)
{
  if (self->widget == NULL)
    return;
  g_clear_signal_handler (&self->map_id, self->widget);
  g_object_weak_unref (G_OBJECT (self->widget), widget_gone_cb, self);
  self->widget = NULL;
}

/**
 * nexus_event_watch_set_widget:
 * @widget: (nullable): the page that shows what @changed_func reads
 */
void
nexus_event_watch_set_widget (NexusEventWatch *self, GtkWidget *widget)
{
  g_return_if_fail (self != NULL);

  clear_widget (self);
  if (widget == NULL)
    return;
  self->widget = widget;
  g_object_weak_ref (G_OBJECT (widget), widget_gone_cb, self);
  self->map_id = g_signal_connect (widget, "map", G_CALLBACK (map_cb), self);
}

/**
 * nexus_event_watch_new_for_widget:
 *
 * The watch of a page that re-reads what it shows: @changed_func after a
 * burst of events and every @period_s seconds, only while @widget is on
 * screen; see the top of nexus-event-watch.h.
 *
 * Returns: (transfer full): the watch
 */
NexusEventWatch *
nexus_event_watch_new_for_widget (NexusEngine        *engine,
                                  const char *const  *prefixes,
                                  guint               delay_ms,
                                  guint               period_s,
                                  GtkWidget          *widget,
                                  NexusEventWatchFunc changed_func,
                                  gpointer            user_data)
{
  NexusEventWatch *self = nexus_event_watch_new (prefixes, delay_ms, NULL, changed_func, user_data);

  nexus_event_watch_set_widget (self, widget);
  nexus_event_watch_set_period (self, period_s);
  nexus_event_watch_set_engine (self, engine);
  return self;
}

void
nexus_event_watch_free (NexusEventWatch *self)
{
  if (self == NULL)
    return;

  unwatch (self);
  clear_widget (self);
  g_clear_handle_id (&self->period_id, g_source_remove);
  g_strfreev (self->prefixes);
  g_free (self);
}
