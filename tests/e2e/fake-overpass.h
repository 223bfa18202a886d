/* fake-overpass.h — a local stand-in for an Overpass API instance, for tests
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A SoupServer on 127.0.0.1 in a thread of its own that replays a genuine
 * Overpass answer (tests/data/osm/, ODbL, © OpenStreetMap contributors):
 * each query gets the elements of the file that lie inside the query's
 * bounding box (south ≤ lat < north, west ≤ lon < east).  It records the
 * queries, User-Agents and the most requests it held at once.
 *
 * Behaviours a test may switch on (under the lock):
 *   status        answer every query with this HTTP status and no body
 *   saturate_over answer queries whose box is wider than this (degrees)
 *                 with the recorded "Query timed out" remark
 *   delay_ms      hold each answer this long (requests still overlap)
 *   stall_after   hold the answers to every query after this many until
 *                 released is set (0: hold none)
 *
 * Nothing reaches the internet.
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "../nexus-test-server.h"

typedef struct
{
  NexusTestServer http;
  JsonNode       *answer; /* the replayed answer */
  char           *remark; /* the timeout answer, as text */

  GMutex     lock;
  GPtrArray *queries;       /* char*: each query's text */
  GPtrArray *agents;        /* char*: each User-Agent */
  guint      in_flight;     /* requests held right now */
  guint      max_in_flight; /* the most held at once */
  guint      n_saturated;   /* remark answers sent */
  guint      status;
  double     saturate_over;
  guint      delay_ms;
  guint      stall_after;
  gboolean   released;
} FakeOverpass;

typedef struct
{
  FakeOverpass      *fake;
  SoupServerMessage *msg;
  guint              status;
  char              *body;
  gboolean           stalled; /* answered only once the fake is released */
} HeldAnswer;

static char *
fake_overpass_data_path (const char *name)
{
  return g_build_filename (g_getenv ("NEXUS_SOURCE_DIR"), "tests", "data", "osm", name, NULL);
}

static gboolean
fake_overpass_parse_bbox (const char *query, double box[4])
{
  const char *p = strstr (query, "](");

  if (p == NULL)
    return FALSE;
  p += 2;
  for (guint i = 0; i < 4; i++)
    {
      char *end = NULL;

      box[i] = g_ascii_strtod (p, &end);
      if (end == p)
        return FALSE;
      p = end + 1;
    }
  return TRUE;
}

static char *
fake_overpass_answer_for (FakeOverpass *fake, const double box[4])
{
  JsonObject *source = json_node_get_object (fake->answer);
  g_autoptr (JsonObject) object = json_object_new ();
  g_autoptr (JsonArray) elements = json_array_new ();
  g_autoptr (JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  JsonArray *all = json_object_get_array_member (source, "elements");

  json_object_set_member (object, "version",
                          json_node_copy (json_object_get_member (source, "version")));
  json_object_set_member (object, "osm3s",
                          json_node_copy (json_object_get_member (source, "osm3s")));
  for (guint i = 0; i < json_array_get_length (all); i++)
    {
      JsonObject *element = json_array_get_object_element (all, i);
      JsonObject *at = json_object_has_member (element, "center")
                           ? json_object_get_object_member (element, "center")
                           : element;
      double      lat = json_object_get_double_member (at, "lat");
      double      lon = json_object_get_double_member (at, "lon");

      if (lat >= box[0] && lat < box[2] && lon >= box[1] && lon < box[3])
        json_array_add_element (elements, json_node_copy (json_array_get_element (all, i)));
    }
  json_object_set_array_member (object, "elements", g_steal_pointer (&elements));
  json_node_set_object (root, object);
  return json_to_string (root, FALSE);
}

static void
fake_overpass_send (HeldAnswer *held)
{
  FakeOverpass *fake = held->fake;

  soup_server_message_set_status (held->msg, held->status, NULL);
  if (held->body != NULL)
    soup_server_message_set_response (held->msg, "application/json", SOUP_MEMORY_TAKE, held->body,
                                      strlen (held->body));
  soup_server_message_unpause (held->msg);
  g_object_unref (held->msg);
  g_free (held);

  g_mutex_lock (&fake->lock);
  fake->in_flight--;
  g_mutex_unlock (&fake->lock);
}

static gboolean
fake_overpass_release_cb (gpointer data)
{
  HeldAnswer   *held = data;
  FakeOverpass *fake = held->fake;
  gboolean      hold;

  g_mutex_lock (&fake->lock);
  hold = held->stalled && !fake->released;
  g_mutex_unlock (&fake->lock);
  if (hold)
    return G_SOURCE_CONTINUE;
  fake_overpass_send (held);
  return G_SOURCE_REMOVE;
}

static void
fake_overpass_handle (SoupServer        *server,
                      SoupServerMessage *msg,
                      const char        *path,
                      GHashTable        *query,
                      gpointer           data)
{
  FakeOverpass    *fake = data;
  SoupMessageBody *request = soup_server_message_get_request_body (msg);
  const char      *agent =
      soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "User-Agent");
  g_autoptr (GHashTable) form = NULL;
  g_autoptr (GBytes) flat = soup_message_body_flatten (request);
  g_autofree char *text = g_strndup (g_bytes_get_data (flat, NULL), g_bytes_get_size (flat));
  HeldAnswer      *held = g_new0 (HeldAnswer, 1);
  const char      *ql;
  double           box[4];
  guint            delay_ms;

  form = soup_form_decode (text);
  ql = g_hash_table_lookup (form, "data");

  held->fake = fake;
  held->msg = g_object_ref (msg);

  g_mutex_lock (&fake->lock);
  g_ptr_array_add (fake->queries, g_strdup (ql != NULL ? ql : ""));
  g_ptr_array_add (fake->agents, g_strdup (agent != NULL ? agent : ""));
  fake->in_flight++;
  fake->max_in_flight = MAX (fake->max_in_flight, fake->in_flight);
  delay_ms = fake->delay_ms;
  held->stalled = fake->stall_after > 0 && fake->queries->len > fake->stall_after;
  if (!g_str_equal (path, "/api/interpreter") || ql == NULL || !fake_overpass_parse_bbox (ql, box))
    held->status = SOUP_STATUS_BAD_REQUEST;
  else if (fake->status != 0)
    held->status = fake->status;
  else if (box[3] - box[1] > fake->saturate_over)
    {
      held->status = SOUP_STATUS_OK;
      held->body = g_strdup (fake->remark);
      fake->n_saturated++;
    }
  else
    {
      held->status = SOUP_STATUS_OK;
      held->body = fake_overpass_answer_for (fake, box);
    }
  g_mutex_unlock (&fake->lock);

  soup_server_message_pause (msg);
  {
    g_autoptr (GSource) source =
        g_timeout_source_new (held->stalled ? MAX (delay_ms, 50) : delay_ms);

    g_source_set_callback (source, fake_overpass_release_cb, held, NULL);
    g_source_attach (source, fake->http.context);
  }
}

static FakeOverpass *
fake_overpass_start (const char *answer_file)
{
  FakeOverpass *fake = g_new0 (FakeOverpass, 1);
  g_autoptr (GError) error = NULL;
  g_autofree char *path = fake_overpass_data_path (answer_file);
  g_autofree char *remark_path = fake_overpass_data_path ("remark-runtime-error-01.json");
  g_autofree char *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  fake->answer = json_from_string (text, &error);
  g_assert_no_error (error);
  g_file_get_contents (remark_path, &fake->remark, NULL, &error);
  g_assert_no_error (error);

  g_mutex_init (&fake->lock);
  fake->queries = g_ptr_array_new_with_free_func (g_free);
  fake->agents = g_ptr_array_new_with_free_func (g_free);
  fake->saturate_over = 360.0;

  nexus_test_server_run (&fake->http, "fake-overpass", NULL, fake_overpass_handle, fake);
  return fake;
}

static G_GNUC_UNUSED char *
fake_overpass_get_url (FakeOverpass *fake)
{
  return g_strdup_printf ("http://127.0.0.1:%u/api/interpreter", fake->http.port);
}

static G_GNUC_UNUSED guint
fake_overpass_count (FakeOverpass *fake)
{
  guint n;

  g_mutex_lock (&fake->lock);
  n = fake->queries->len;
  g_mutex_unlock (&fake->lock);
  return n;
}

static G_GNUC_UNUSED void
fake_overpass_stop (FakeOverpass *fake)
{
  g_mutex_lock (&fake->lock);
  fake->released = TRUE;
  g_mutex_unlock (&fake->lock);
  nexus_test_server_stop (&fake->http);
  json_node_unref (fake->answer);
  g_free (fake->remark);
  g_ptr_array_unref (fake->queries);
  g_ptr_array_unref (fake->agents);
  g_mutex_clear (&fake->lock);
  g_free (fake);
}
