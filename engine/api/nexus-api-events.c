/* nexus-api-events.c — GET /api/v1/events as Server-Sent Events
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The answer is a chunked text/event-stream that stays open: first the kept
 * events after ?since=N, then every event the bus publishes, each as
 *
 *   id: N
 *   event: KIND
 *   data: {"id":…,"at":…,"kind":…,"data":{…}}
 *
 * and a comment line every 15 s so proxies and clients see a live stream.
 * The message is paused between writes; libsoup writes what was appended
 * when it is unpaused.
 */

#define G_LOG_DOMAIN "nexus-api"

#include "config.h"

#include <inttypes.h>

#include <string.h>

#include "nexus-api-private.h"

#define KEEPALIVE_S 15

typedef struct
{
  NexusApiServer    *server;
  SoupServerMessage *msg; /* owned reference */
  gulong             disconnected_id;
  gint64             last_write_us;
} EventStream;

static void
event_stream_free (EventStream *stream)
{
  if (stream->disconnected_id != 0)
    g_signal_handler_disconnect (stream->msg, stream->disconnected_id);
  g_object_unref (stream->msg);
  g_free (stream);
}

static void
stream_write (EventStream *stream, const char *text)
{
  soup_message_body_append (soup_server_message_get_response_body (stream->msg), SOUP_MEMORY_COPY,
                            text, strlen (text));
  soup_server_message_unpause (stream->msg);
  stream->last_write_us = g_get_monotonic_time ();
}

static void
stream_write_event (EventStream *stream, NexusEvent *event)
{
  g_autofree char *json = nexus_event_to_json (event);
  g_autofree char *text =
      g_strdup_printf ("id: %" PRId64 "\nevent: %s\ndata: %s\n\n", event->id, event->kind, json);

  stream_write (stream, text);
}

static void
event_cb (NexusEventBus *bus, NexusEvent *event, gpointer user_data)
{
  NexusApiServer *self = user_data;

  for (guint i = 0; i < self->event_streams->len; i++)
    stream_write_event (g_ptr_array_index (self->event_streams, i), event);
}

static void
stream_disconnected_cb (SoupServerMessage *msg, gpointer user_data)
{
  EventStream *stream = user_data;

  g_ptr_array_remove (stream->server->event_streams, stream);
}

static gboolean
keepalive_cb (gpointer user_data)
{
  NexusApiServer *self = user_data;
  gint64          now = g_get_monotonic_time ();

  for (guint i = 0; i < self->event_streams->len; i++)
    {
      EventStream *stream = g_ptr_array_index (self->event_streams, i);
      if (now - stream->last_write_us >= KEEPALIVE_S * G_USEC_PER_SEC)
        stream_write (stream, ": keep-alive\n\n");
    }
  return G_SOURCE_CONTINUE;
}

void
_nexus_api_handle_events (NexusApiServer *self, SoupServerMessage *msg, GHashTable *query)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  const char         *since_text = query != NULL ? g_hash_table_lookup (query, "since") : NULL;
  g_autoptr (GPtrArray) backlog = NULL;
  EventStream *stream;
  guint64      since = 0;

  if (since_text != NULL &&
      !g_ascii_string_to_unsigned (since_text, 10, 0, G_MAXINT64, &since, NULL))
    {
      _nexus_api_send_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_request",
                             "since must be an event id");
      return;
    }

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  soup_message_headers_set_content_type (headers, "text/event-stream", NULL);
  soup_message_headers_replace (headers, "Cache-Control", "no-cache");

  stream = g_new0 (EventStream, 1);
  stream->server = self;
  stream->msg = g_object_ref (msg);
  stream->disconnected_id =
      g_signal_connect (msg, "disconnected", G_CALLBACK (stream_disconnected_cb), stream);
  g_ptr_array_add (self->event_streams, stream);

  /* The stream opens with a comment so the client sees it is live. */
  stream_write (stream, ": nexus events\n\n");
  backlog = nexus_event_bus_since (self->events, (gint64)since);
  for (guint i = 0; i < backlog->len; i++)
    stream_write_event (stream, g_ptr_array_index (backlog, i));
  soup_server_message_pause (msg);
}

void
_nexus_api_events_init (NexusApiServer *self)
{
  g_autoptr (GSource) source = g_timeout_source_new_seconds (1);

  self->event_streams = g_ptr_array_new_with_free_func ((GDestroyNotify)event_stream_free);
  g_signal_connect (self->events, "event", G_CALLBACK (event_cb), self);
  g_source_set_callback (source, keepalive_cb, self, NULL);
  g_source_set_name (source, "[nexus] events keep-alive");
  self->event_watch_handler = g_source_attach (source, g_main_context_get_thread_default ());
}

void
_nexus_api_events_shutdown (NexusApiServer *self)
{
  if (self->events != NULL)
    g_signal_handlers_disconnect_by_data (self->events, self);
  if (self->event_watch_handler != 0)
    {
      GSource *source = g_main_context_find_source_by_id (g_main_context_get_thread_default (),
                                                          self->event_watch_handler);
      if (source != NULL)
        g_source_destroy (source);
      self->event_watch_handler = 0;
    }
  g_clear_pointer (&self->event_streams, g_ptr_array_unref);
}
