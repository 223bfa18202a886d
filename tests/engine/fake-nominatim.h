/* fake-nominatim.h — a local stand-in for Nominatim, for tests
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A SoupServer on 127.0.0.1 in a thread of its own that answers
 * GET /search like Nominatim's jsonv2 format and records every request:
 * the q parameter, the other parameters, the User-Agent and the arrival
 * time.  Point NEXUS_NOMINATIM_URL at fake_nominatim_get_url().  Nothing
 * reaches the internet.
 *
 *   "nowhere"  → []
 *   "broken"   → HTTP 500
 *   "village"  → a Point with a bounding box
 *   anything else → a square polygon ("Cairo, Egypt" for cairo/القاهرة)
 */
#pragma once

#include <libsoup/soup.h>

typedef struct
{
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  SoupServer   *server;
  GSocket      *socket; /* listening before the thread starts */
  guint         port;

  GMutex     lock;
  GCond      cond;
  gboolean   ready;
  GPtrArray *queries; /* q of each request */
  GPtrArray *params;  /* "format=…&polygon_geojson=…&limit=…" of each request */
  GPtrArray *agents;  /* User-Agent of each request */
  GArray    *times;   /* gint64 monotonic µs of each request */
} FakeNominatim;

static const char fake_polygon_answer[] =
    "[{\"place_id\":1,\"osm_type\":\"relation\",\"display_name\":\"%s\","
    "\"boundingbox\":[\"29.9\",\"30.0\",\"31.2\",\"31.3\"],"
    "\"geojson\":{\"type\":\"Polygon\",\"coordinates\":[[[31.2,29.9],[31.3,29.9],[31.3,30.0],"
    "[31.2,30.0],[31.2,29.9]]]}}]";

static const char fake_point_answer[] =
    "[{\"place_id\":2,\"osm_type\":\"node\",\"display_name\":\"Village, Somewhere\","
    "\"boundingbox\":[\"30.1\",\"30.12\",\"31.1\",\"31.13\"],"
    "\"geojson\":{\"type\":\"Point\",\"coordinates\":[31.11,30.11]}}]";

static void
fake_nominatim_handle (SoupServer        *server,
                       SoupServerMessage *message,
                       const char        *path,
                       GHashTable        *query,
                       gpointer           data)
{
  FakeNominatim *fake = data;
  const char    *q = query != NULL ? g_hash_table_lookup (query, "q") : NULL;
  const char    *agent = soup_message_headers_get_one (
         soup_server_message_get_request_headers (message), "User-Agent");
  gint64           now = g_get_monotonic_time ();
  g_autofree char *body = NULL;

  g_mutex_lock (&fake->lock);
  g_ptr_array_add (fake->queries, g_strdup (q != NULL ? q : ""));
  g_ptr_array_add (
      fake->params,
      g_strdup_printf ("format=%s&polygon_geojson=%s&limit=%s",
                       query != NULL ? (char *)g_hash_table_lookup (query, "format") : "",
                       query != NULL ? (char *)g_hash_table_lookup (query, "polygon_geojson") : "",
                       query != NULL ? (char *)g_hash_table_lookup (query, "limit") : ""));
  g_ptr_array_add (fake->agents, g_strdup (agent != NULL ? agent : ""));
  g_array_append_val (fake->times, now);
  g_mutex_unlock (&fake->lock);

  if (!g_str_equal (path, "/search") || q == NULL)
    {
      soup_server_message_set_status (message, 404, NULL);
      return;
    }
  if (g_str_equal (q, "broken"))
    {
      soup_server_message_set_status (message, 500, NULL);
      return;
    }

  if (g_str_equal (q, "nowhere"))
    body = g_strdup ("[]");
  else if (g_str_equal (q, "village"))
    body = g_strdup (fake_point_answer);
  else if (g_ascii_strcasecmp (q, "cairo") == 0 || g_str_equal (q, "القاهرة"))
    body = g_strdup_printf (fake_polygon_answer, "Cairo, Egypt");
  else
    body = g_strdup_printf (fake_polygon_answer, q);

  soup_server_message_set_status (message, 200, NULL);
  soup_server_message_set_response (message, "application/json", SOUP_MEMORY_COPY, body,
                                    strlen (body));
}

static gpointer
fake_nominatim_thread (gpointer data)
{
  FakeNominatim *fake = data;
  g_autoptr (GError) error = NULL;

  g_main_context_push_thread_default (fake->context);
  fake->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fake->server, NULL, fake_nominatim_handle, fake, NULL);
  soup_server_listen_socket (fake->server, fake->socket, 0, &error);
  g_assert_no_error (error);

  g_mutex_lock (&fake->lock);
  fake->ready = TRUE;
  g_cond_signal (&fake->cond);
  g_mutex_unlock (&fake->lock);

  g_main_loop_run (fake->loop);

  soup_server_disconnect (fake->server);
  g_clear_object (&fake->server);
  g_main_context_pop_thread_default (fake->context);
  return NULL;
}

/* Listens on a free port of 127.0.0.1 without starting a thread, so the
 * caller may still set the environment (setenv is not thread-safe). */
static FakeNominatim *
fake_nominatim_new (void)
{
  FakeNominatim *fake = g_new0 (FakeNominatim, 1);
  g_autoptr (GError) error = NULL;
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;

  g_mutex_init (&fake->lock);
  g_cond_init (&fake->cond);
  fake->queries = g_ptr_array_new_with_free_func (g_free);
  fake->params = g_ptr_array_new_with_free_func (g_free);
  fake->agents = g_ptr_array_new_with_free_func (g_free);
  fake->times = g_array_new (FALSE, FALSE, sizeof (gint64));

  fake->socket =
      g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (fake->socket, any, TRUE, &error);
  g_assert_no_error (error);
  g_socket_listen (fake->socket, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (fake->socket, &error);
  g_assert_no_error (error);
  fake->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  return fake;
}

/* Starts answering, in a thread of its own. */
static void
fake_nominatim_run (FakeNominatim *fake)
{
  fake->context = g_main_context_new ();
  fake->loop = g_main_loop_new (fake->context, FALSE);
  fake->thread = g_thread_new ("fake-nominatim", fake_nominatim_thread, fake);

  g_mutex_lock (&fake->lock);
  while (!fake->ready)
    g_cond_wait (&fake->cond, &fake->lock);
  g_mutex_unlock (&fake->lock);
}

static G_GNUC_UNUSED FakeNominatim *
fake_nominatim_start (void)
{
  FakeNominatim *fake = fake_nominatim_new ();

  fake_nominatim_run (fake);
  return fake;
}

/* Forgets the requests recorded so far. */
static G_GNUC_UNUSED void
fake_nominatim_reset (FakeNominatim *fake)
{
  g_mutex_lock (&fake->lock);
  g_ptr_array_set_size (fake->queries, 0);
  g_ptr_array_set_size (fake->params, 0);
  g_ptr_array_set_size (fake->agents, 0);
  g_array_set_size (fake->times, 0);
  g_mutex_unlock (&fake->lock);
}

static char *
fake_nominatim_get_url (FakeNominatim *fake)
{
  return g_strdup_printf ("http://127.0.0.1:%u/", fake->port);
}

static G_GNUC_UNUSED guint
fake_nominatim_count (FakeNominatim *fake)
{
  guint n;

  g_mutex_lock (&fake->lock);
  n = fake->queries->len;
  g_mutex_unlock (&fake->lock);
  return n;
}

static gboolean
fake_nominatim_quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
fake_nominatim_stop (FakeNominatim *fake)
{
  g_main_context_invoke (fake->context, fake_nominatim_quit_cb, fake->loop);
  g_thread_join (fake->thread);
  g_clear_object (&fake->socket);
  g_main_loop_unref (fake->loop);
  g_main_context_unref (fake->context);
  g_ptr_array_unref (fake->queries);
  g_ptr_array_unref (fake->params);
  g_ptr_array_unref (fake->agents);
  g_array_unref (fake->times);
  g_mutex_clear (&fake->lock);
  g_cond_clear (&fake->cond);
  g_free (fake);
}
