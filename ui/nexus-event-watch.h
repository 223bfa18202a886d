/* nexus-event-watch.h — a page's watch on its engine's events
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Watches the event bus of an engine (replaceable: the watch on the old
 * engine's bus is dropped) for the events whose kind starts with one of a
 * list of prefixes, and calls back on the main thread: @event_func for each
 * such event, and @changed_func at most once per @debounce_ms after a burst
 * of them.  Main thread only.
 */
#pragma once

#include "nexus-engine.h"

G_BEGIN_DECLS

typedef struct _NexusEventWatch NexusEventWatch;

typedef void (*NexusEventWatchChangedFunc) (gpointer user_data);

NexusEventWatch *nexus_event_watch_new (const char *const         *prefixes,
                                        guint                      debounce_ms,
                                        NexusEventFunc             event_func,
                                        NexusEventWatchChangedFunc changed_func,
                                        gpointer                   user_data);
void             nexus_event_watch_set_engine (NexusEventWatch *self, NexusEngine *engine);
void             nexus_event_watch_free (NexusEventWatch *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusEventWatch, nexus_event_watch_free)

G_END_DECLS
