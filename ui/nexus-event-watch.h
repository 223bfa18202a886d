/* nexus-event-watch.h — a page's watch on its engine's events
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Watches the event bus of an engine (replaceable: the watch on the old
 * engine's bus is dropped) for the events whose kind starts with one of a
 * list of prefixes ("job.", "search."), and calls back on the main thread:
 * @event_func for each such event, and @changed_func at most once per
 * @delay_ms after a burst of them (a burst of reports becomes one refresh).
 *
 * Two options for pages that re-read what they show:
 *
 *  - nexus_event_watch_set_period(): @changed_func also runs every few
 *    seconds, so relative times and work done by other processes
 *    (nexusctl) show up too;
 *  - nexus_event_watch_set_widget(): while that widget is not on screen
 *    (another page is shown) @changed_func is not called; if it was due
 *    meanwhile, it runs once when the widget is shown again.
 *
 * Main thread only.  Freeing the watch stops every pending callback.
 */
#pragma once

#include <gtk/gtk.h>

#include "nexus-engine.h"

G_BEGIN_DECLS

typedef struct _NexusEventWatch NexusEventWatch;

typedef void (*NexusEventWatchFunc) (gpointer user_data);

NexusEventWatch *nexus_event_watch_new (const char *const  *prefixes,
                                        guint               delay_ms,
                                        NexusEventFunc      event_func,
                                        NexusEventWatchFunc changed_func,
                                        gpointer            user_data);
NexusEventWatch *nexus_event_watch_new_for_widget (NexusEngine        *engine,
                                                   const char *const  *prefixes,
                                                   guint               delay_ms,
                                                   guint               period_s,
                                                   GtkWidget          *widget,
                                                   NexusEventWatchFunc changed_func,
                                                   gpointer            user_data);
void             nexus_event_watch_set_engine (NexusEventWatch *self, NexusEngine *engine);
void             nexus_event_watch_set_period (NexusEventWatch *self, guint period_s);
void             nexus_event_watch_set_widget (NexusEventWatch *self, GtkWidget *widget);
void             nexus_event_watch_free (NexusEventWatch *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusEventWatch, nexus_event_watch_free)

G_END_DECLS
