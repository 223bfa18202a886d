/* nexus-event-bus.h — what happens in the engine, for those who watch
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Engine code publishes events (a kind such as "job.completed" or
 * "leads.ingested" and a JSON object) on the engine thread.  Each gets the
 * next id; the last NEXUS_EVENT_BUS_BACKLOG events are kept so a watcher
 * can catch up from an id (GET /api/v1/events?since=N).  The "event"
 * signal is emitted on the engine thread; the console subscribes through
 * nexus_event_bus_watch(), which delivers on the caller's main context.
 *
 * publish/since/signal: engine thread only.  watch/unwatch: any thread.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define NEXUS_EVENT_BUS_BACKLOG 1024

typedef struct
{
  gint64      id;
  gint64      at; /* unix seconds */
  char       *kind;
  JsonObject *data;
} NexusEvent;

NexusEvent *nexus_event_ref (NexusEvent *event);
void        nexus_event_unref (NexusEvent *event);
char       *nexus_event_to_json (NexusEvent *event);
gint64      nexus_event_get_int (NexusEvent *event, const char *name);
const char *nexus_event_get_string (NexusEvent *event, const char *name);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusEvent, nexus_event_unref)

typedef void (*NexusEventFunc) (NexusEvent *event, gpointer user_data);

#define NEXUS_TYPE_EVENT_BUS (nexus_event_bus_get_type ())
G_DECLARE_FINAL_TYPE (NexusEventBus, nexus_event_bus, NEXUS, EVENT_BUS, GObject)

NexusEventBus *nexus_event_bus_new (void);
gint64         nexus_event_bus_publish (NexusEventBus *self, const char *kind, JsonObject *data);
GPtrArray     *nexus_event_bus_since (NexusEventBus *self, gint64 since);
guint          nexus_event_bus_watch (NexusEventBus *self,
                                      NexusEventFunc func,
                                      gpointer       user_data,
                                      GDestroyNotify destroy);
void           nexus_event_bus_unwatch (NexusEventBus *self, guint watch_id);

G_END_DECLS
