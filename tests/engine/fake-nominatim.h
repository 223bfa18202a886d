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

#include "../nexus-test-server.h"

typedef struct
{
  NexusTestServer http;

  GMutex     lock;
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

/* Listens on a free port of 127.0.0.1 without starting a thread, so the
 * caller may still set the environment (setenv is not thread-safe). */
static FakeNominatim *
fake_nominatim_new (void)
{
  FakeNominatim *fake = g_new0 (FakeNominatim, 1);

  g_mutex_init (&fake->lock);
  fake->queries = g_ptr_array_new_with_free_func (g_free);
  fake->params = g_ptr_array_new_with_free_func (g_free);
  fake->agents = g_ptr_array_new_with_free_func (g_free);
  fake->times = g_array_new (FALSE, FALSE, sizeof (gint64));
  nexus_test_server_bind (&fake->http);
  return fake;
}

/* Starts answering, in a thread of its own. */
static void
fake_nominatim_run (FakeNominatim *fake)
{
  nexus_test_server_run (&fake->http, "fake-nominatim", NULL, fake_nominatim_handle, fake);
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
  return g_strdup_printf ("http://127.0.0.1:%u/", fake->http.port);
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

static void
fake_nominatim_stop (FakeNominatim *fake)
{
  nexus_test_server_stop (&fake->http);
  g_ptr_array_unref (fake->queries);
  g_ptr_array_unref (fake->params);
  g_ptr_array_unref (fake->agents);
  g_array_unref (fake->times);
  g_mutex_clear (&fake->lock);
  g_free (fake);
}
