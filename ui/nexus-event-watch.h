/* nexus-event-watch.h — a page's refresh, driven by the engine's events
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Watches an engine's event bus for events whose kind starts with one of
 * a few prefixes ("job.", "search.") and calls back on the main context,
 * at most once per delay: a burst of reports becomes one refresh.  Also
 * calls back every @period_s seconds (0: never), so relative times and
 * work done by other processes (nexusctl) show up too.  While @widget is
 * not on screen (another page is shown) nothing is called; if something
 * happened meanwhile, the callback runs once when it is shown again.
 *
 * Main thread only.  Freeing the watch stops every pending callback.
 */
#pragma once

#include <gtk/gtk.h>

#include "nexus-engine.h"

G_BEGIN_DECLS

typedef struct _NexusEventWatch NexusEventWatch;

typedef void (*NexusEventWatchFunc) (gpointer user_data);

NexusEventWatch *nexus_event_watch_new (NexusEngine        *engine,
                                        const char *const  *prefixes,
                                        guint               delay_ms,
                                        guint               period_s,
                                        GtkWidget          *widget,
                                        NexusEventWatchFunc func,
                                        gpointer            user_data);
void             nexus_event_watch_free (NexusEventWatch *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusEventWatch, nexus_event_watch_free)

G_END_DECLS
