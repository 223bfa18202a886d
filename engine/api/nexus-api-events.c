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
  /* Until the backlog is written, live events wait here; afterwards only
   * events after @last_id are written. */
  gboolean   open;
  GPtrArray *held;
  gint64     last_id;
} EventStream;

static void
event_stream_free (EventStream *stream)
{
  if (stream->disconnected_id != 0)
    g_signal_handler_disconnect (stream->msg, stream->disconnected_id);
  g_clear_pointer (&stream->held, g_ptr_array_unref);
  g_object_unref (stream->msg);
  g_free (stream);
}

static void
stream_write (EventStream *stream, const char *text)
{
  soup_message_body_append (soup_server_message_get_response_body (stream->msg), SOUP_MEMORY_COPY,
                            text, strlen (text));
  _nexus_api_resume (stream->server, stream->msg);
  stream->last_write_us = g_get_monotonic_time ();
}

static void
stream_write_event (EventStream *stream, NexusEvent *event)
{
  g_autofree char *json = NULL;
  g_autofree char *text = NULL;

  if (!stream->open)
    {
      g_ptr_array_add (stream->held, nexus_event_ref (event));
      return;
    }
  if (event->id <= stream->last_id)
    return;
  stream->last_id = event->id;
  json = nexus_event_to_json (event);
  text = g_strdup_printf ("id: %" PRId64 "\nevent: %s\ndata: %s\n\n", event->id, event->kind, json);
  stream_write (stream, text);
}

/* API thread: delivered by the bus watch. */
static void
event_cb (NexusEvent *event, gpointer user_data)
{
  NexusApiServer *self = user_data;

  for (guint i = 0; self->event_streams != NULL && i < self->event_streams->len; i++)
    stream_write_event (g_ptr_array_index (self->event_streams, i), event);
}

/* The bus is watched only while a stream is open: otherwise every event
 * would wake this thread for nothing. */
static void
update_watch (NexusApiServer *self)
{
  gboolean wanted = self->event_streams != NULL && self->event_streams->len > 0;

  if (wanted && self->event_watch_id == 0)
    self->event_watch_id = nexus_event_bus_watch (self->events, event_cb, self, NULL);
  else if (!wanted && self->event_watch_id != 0)
    {
      nexus_event_bus_unwatch (self->events, self->event_watch_id);
      self->event_watch_id = 0;
    }
}

static void
remove_stream (NexusApiServer *self, EventStream *stream)
{
  if (self->event_streams == NULL)
    return;
  g_ptr_array_remove (self->event_streams, stream);
  update_watch (self);
}

static void
stream_disconnected_cb (SoupServerMessage *msg, gpointer user_data)
{
  EventStream *stream = user_data;

  remove_stream (stream->server, stream);
}

static gboolean
keepalive_cb (gpointer user_data)
{
  NexusApiServer *self = user_data;
  gint64          now = g_get_monotonic_time ();

  for (guint i = 0; i < self->event_streams->len; i++)
    {
      EventStream *stream = g_ptr_array_index (self->event_streams, i);
      if (stream->open && now - stream->last_write_us >= KEEPALIVE_S * G_USEC_PER_SEC)
        stream_write (stream, ": keep-alive\n\n");
    }
  return G_SOURCE_CONTINUE;
}

typedef struct
{
  EventStream *stream; /* unowned: in event_streams while the call is out */
  gint64       since;
  GPtrArray   *backlog; /* NexusEvent*, read on the engine thread */
} EventsCall;

static void
events_call_free (gpointer data)
{
  EventsCall *events = data;

  g_clear_pointer (&events->backlog, g_ptr_array_unref);
  g_free (events);
}

/* Engine thread: the bus keeps its backlog there. */
static gboolean
events_func (NexusApiServer *self, ApiCall *call, GError **error)
{
  EventsCall *events = call->data;

  events->backlog = nexus_event_bus_since (self->events, events->since);
  return TRUE;
}

/* API thread: the stream opens with a comment so the client sees it is
 * live, then the backlog, then what came meanwhile. */
static void
events_done (NexusApiServer *self, ApiCall *call)
{
  EventsCall  *events = call->data;
  EventStream *stream = events->stream;
  g_autoptr (GPtrArray) held = NULL;

  if (self->event_streams == NULL || !g_ptr_array_find (self->event_streams, stream, NULL))
    return; /* the client went away, or the server stops */
  if (!call->committed || call->replayed || call->error != NULL)
    {
      remove_stream (self, stream);
      soup_message_headers_set_encoding (soup_server_message_get_response_headers (call->msg),
                                         SOUP_ENCODING_CONTENT_LENGTH);
      _nexus_api_call_answer (self, call);
      return;
    }

  held = g_steal_pointer (&stream->held);
  stream->open = TRUE;
  stream_write (stream, ": nexus events\n\n");
  for (guint i = 0; events->backlog != NULL && i < events->backlog->len; i++)
    stream_write_event (stream, g_ptr_array_index (events->backlog, i));
  for (guint i = 0; i < held->len; i++)
    stream_write_event (stream, g_ptr_array_index (held, i));
  _nexus_api_count (self, "events", 200);
}

void
_nexus_api_handle_events (NexusApiServer *self, SoupServerMessage *msg, GHashTable *query)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  const char         *since_text = query != NULL ? g_hash_table_lookup (query, "since") : NULL;
  EventStream        *stream;
  EventsCall         *events;
  ApiCall            *call;
  guint64             since = 0;

  if (since_text != NULL &&
      !g_ascii_string_to_unsigned (since_text, 10, 0, G_MAXINT64, &since, NULL))
    {
      _nexus_api_count (self, "events", 400);
      _nexus_api_send_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_request",
                             "since must be an event id");
      return;
    }

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  soup_message_headers_set_content_type (headers, "text/event-stream", NULL);
  soup_message_headers_replace (headers, "Cache-Control", "no-cache");

  /* Listed (holding live events) before the backlog is read, so that no
   * event falls between the two. */
  stream = g_new0 (EventStream, 1);
  stream->server = self;
  stream->msg = g_object_ref (msg);
  stream->held = g_ptr_array_new_with_free_func ((GDestroyNotify)nexus_event_unref);
  stream->disconnected_id =
      g_signal_connect (msg, "disconnected", G_CALLBACK (stream_disconnected_cb), stream);
  g_ptr_array_add (self->event_streams, stream);
  update_watch (self);

  events = g_new0 (EventsCall, 1);
  events->stream = stream;
  events->since = (gint64)since;
  call = _nexus_api_call_new (self, msg, "events", events_func);
  _nexus_api_call_sign (call, msg);
  call->data = events;
  call->data_free = events_call_free;
  call->done = events_done;
  _nexus_api_call_post (self, call);
}

/* API thread. */
void
_nexus_api_events_init (NexusApiServer *self)
{
  self->event_streams = g_ptr_array_new_with_free_func ((GDestroyNotify)event_stream_free);
  self->keepalive_source =
      _nexus_api_attach_timeout (self, 1000, keepalive_cb, "[nexus] events keep-alive");
}

void
_nexus_api_events_shutdown (NexusApiServer *self)
{
  if (self->event_watch_id != 0)
    nexus_event_bus_unwatch (self->events, self->event_watch_id);
  self->event_watch_id = 0;
  if (self->keepalive_source != NULL)
    {
      g_source_destroy (self->keepalive_source);
      g_clear_pointer (&self->keepalive_source, g_source_unref);
    }
  g_clear_pointer (&self->event_streams, g_ptr_array_unref);
}
