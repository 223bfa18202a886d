/* nexus-event-bus.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nexus-event-bus.h"

/* A subscriber from another thread: events are handed to its context. */
typedef struct
{
  guint          id;
  GMainContext  *context; /* the watcher's thread-default context */
  NexusEventFunc func;
  gpointer       user_data;
  GDestroyNotify destroy;
  gint           ref_count; /* the bus and each delivery in flight */
  gboolean       removed;   /* unwatched: deliveries in flight are dropped */
} Watch;

struct _NexusEventBus
{
  GObject parent_instance;

  /* Engine thread: the id of the last event published. */
  gint64 last_id;
  /* Engine thread: the newest events, oldest first, at most the backlog. */
  GQueue backlog;

  /* Guards watches and next_watch_id: watch/unwatch come from any thread. */
  GMutex     lock;
  GPtrArray *watches;
  guint      next_watch_id;
};

enum
{
  SIGNAL_EVENT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (NexusEventBus, nexus_event_bus, G_TYPE_OBJECT)

NexusEvent *
nexus_event_ref (NexusEvent *event)
{
  g_atomic_rc_box_acquire (event);
  return event;
}

static void
event_clear (gpointer data)
{
  NexusEvent *event = data;

  g_free (event->kind);
  g_clear_pointer (&event->data, json_object_unref);
}

void
nexus_event_unref (NexusEvent *event)
{
  g_atomic_rc_box_release_full (event, event_clear);
}

/* {"id":…, "at":…, "kind":…, "data":{…}} */
char *
nexus_event_to_json (NexusEvent *event)
{
  g_autoptr (JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  g_autoptr (JsonObject) object = json_object_new ();

  json_object_set_int_member (object, "id", event->id);
  json_object_set_int_member (object, "at", event->at);
  json_object_set_string_member (object, "kind", event->kind);
  json_object_set_object_member (object, "data", json_object_ref (event->data));
  json_node_set_object (root, object);
  return json_to_string (root, FALSE);
}

/**
 * nexus_event_get_int:
 *
 * Returns: the integer member @name of the event's data, or 0 when it has
 *   none (or no data)
 */
gint64
nexus_event_get_int (NexusEvent *event, const char *name)
{
  JsonNode *node = event->data != NULL ? json_object_get_member (event->data, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_int (node) : 0;
}

/**
 * nexus_event_get_string:
 *
 * Returns: (transfer none): the string member @name of the event's data,
 *   or "" when it has none
 */
const char *
nexus_event_get_string (NexusEvent *event, const char *name)
{
  JsonNode *node = event->data != NULL ? json_object_get_member (event->data, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return "";
  return json_node_get_string (node);
}

static void
watch_unref (Watch *watch)
{
  if (!g_atomic_int_dec_and_test (&watch->ref_count))
    return;
  if (watch->destroy != NULL)
    watch->destroy (watch->user_data);
  g_main_context_unref (watch->context);
  g_free (watch);
}

typedef struct
{
  Watch      *watch;
  NexusEvent *event;
} Delivery;

static gboolean
deliver_cb (gpointer data)
{
  Delivery *delivery = data;

  if (!g_atomic_int_get (&delivery->watch->removed))
    delivery->watch->func (delivery->event, delivery->watch->user_data);
  return G_SOURCE_REMOVE;
}

static void
delivery_free (gpointer data)
{
  Delivery *delivery = data;

  watch_unref (delivery->watch);
  nexus_event_unref (delivery->event);
  g_free (delivery);
}

static void
nexus_event_bus_finalize (GObject *object)
{
  NexusEventBus *self = (NexusEventBus *)object;

  g_queue_clear_full (&self->backlog, (GDestroyNotify)nexus_event_unref);
  g_ptr_array_unref (self->watches);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (nexus_event_bus_parent_class)->finalize (object);
}

static void
nexus_event_bus_class_init (NexusEventBusClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = nexus_event_bus_finalize;

  /**
   * NexusEventBus::event:
   * @event: (type gpointer): the #NexusEvent
   *
   * Emitted on the engine thread for every event published.
   */
  signals[SIGNAL_EVENT] = g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                        NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
nexus_event_bus_init (NexusEventBus *self)
{
  g_queue_init (&self->backlog);
  g_mutex_init (&self->lock);
  self->watches = g_ptr_array_new_with_free_func ((GDestroyNotify)watch_unref);
  self->next_watch_id = 1;
}

NexusEventBus *
nexus_event_bus_new (void)
{
  return g_object_new (NEXUS_TYPE_EVENT_BUS, NULL);
}

/**
 * nexus_event_bus_publish:
 * @data: (transfer none): the event's details; a copy is not made, so do
 *   not change it afterwards
 *
 * Returns: the new event's id
 */
gint64
nexus_event_bus_publish (NexusEventBus *self, const char *kind, JsonObject *data)
{
  NexusEvent *event = g_atomic_rc_box_new0 (NexusEvent);

  event->id = ++self->last_id;
  event->at = g_get_real_time () / G_USEC_PER_SEC;
  event->kind = g_strdup (kind);
  event->data = data != NULL ? json_object_ref (data) : json_object_new ();
  json_object_seal (event->data);

  g_queue_push_tail (&self->backlog, nexus_event_ref (event));
  while (self->backlog.length > NEXUS_EVENT_BUS_BACKLOG)
    nexus_event_unref (g_queue_pop_head (&self->backlog));

  g_signal_emit (self, signals[SIGNAL_EVENT], 0, event);

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->watches->len; i++)
    {
      Watch    *watch = g_ptr_array_index (self->watches, i);
      Delivery *delivery = g_new0 (Delivery, 1);

      g_atomic_int_inc (&watch->ref_count);
      delivery->watch = watch;
      delivery->event = nexus_event_ref (event);
      g_main_context_invoke_full (watch->context, G_PRIORITY_DEFAULT, deliver_cb, delivery,
                                  delivery_free);
    }
  g_mutex_unlock (&self->lock);

  nexus_event_unref (event);
  return self->last_id;
}

/**
 * nexus_event_bus_since:
 *
 * Returns: (transfer container) (element-type NexusEvent): the kept events
 *   with an id above @since, oldest first
 */
GPtrArray *
nexus_event_bus_since (NexusEventBus *self, gint64 since)
{
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify)nexus_event_unref);

  for (GList *link = self->backlog.head; link != NULL; link = link->next)
    {
      NexusEvent *event = link->data;
      if (event->id > since)
        g_ptr_array_add (events, nexus_event_ref (event));
    }
  return events;
}

/**
 * nexus_event_bus_watch:
 *
 * Calls @func on the caller's thread-default main context for each event
 * published from now on.
 *
 * Returns: an id for nexus_event_bus_unwatch()
 */
guint
nexus_event_bus_watch (NexusEventBus *self,
                       NexusEventFunc func,
                       gpointer       user_data,
                       GDestroyNotify destroy)
{
  Watch *watch = g_new0 (Watch, 1);
  guint  id;

  watch->context = g_main_context_ref_thread_default ();
  watch->func = func;
  watch->user_data = user_data;
  watch->destroy = destroy;
  watch->ref_count = 1;

  g_mutex_lock (&self->lock);
  id = watch->id = self->next_watch_id++;
  g_ptr_array_add (self->watches, watch);
  g_mutex_unlock (&self->lock);
  return id;
}

void
nexus_event_bus_unwatch (NexusEventBus *self, guint watch_id)
{
  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->watches->len; i++)
    {
      Watch *watch = g_ptr_array_index (self->watches, i);
      if (watch->id == watch_id)
        {
          g_atomic_int_set (&watch->removed, TRUE);
          g_ptr_array_remove_index (self->watches, i);
          break;
        }
    }
  g_mutex_unlock (&self->lock);
}
