/* nexus-nominatim.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nexus-nominatim"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "nexus-nominatim.h"
#include "queue/nexus-search.h"

#define REQUEST_TIMEOUT_S 30
#define MIN_INTERVAL_US   G_USEC_PER_SEC

/* Answers larger than this are refused (a country outline is a few MB). */
#define MAX_ANSWER_BYTES (32 * 1024 * 1024)

/* Spaces requests from every thread of the process (usage policy). */
static GMutex request_lock;
static gint64 last_request_us;

/* clang-format off */
G_DEFINE_QUARK (nexus-nominatim-error-quark, nexus_nominatim_error)
/* clang-format on */

void
nexus_place_free (NexusPlace *place)
{
  if (place == NULL)
    return;
  g_free (place->query);
  g_free (place->display_name);
  nexus_region_free (place->region);
  nexus_place_record_free (place->fresh);
  g_free (place);
}

/**
 * nexus_nominatim_get_base_url:
 *
 * Returns: (transfer full): $NEXUS_NOMINATIM_URL or the public server,
 *   without a trailing slash
 */
char *
nexus_nominatim_get_base_url (void)
{
  const char *url = g_getenv ("NEXUS_NOMINATIM_URL");
  char       *base = g_strdup (url != NULL && *url != '\0' ? url : NEXUS_NOMINATIM_DEFAULT_URL);
  gsize       len = strlen (base);

  while (len > 0 && base[len - 1] == '/')
    base[--len] = '\0';
  return base;
}

const char *
nexus_nominatim_get_user_agent (void)
{
  return "Nexus/" PACKAGE_VERSION " (+https://github.com/nexus-leads/nexus)";
}

static gboolean
parse_coordinate (JsonArray *array, guint index, double *out)
{
  JsonNode *node;
  char     *end = NULL;

  if (index >= json_array_get_length (array))
    return FALSE;
  node = json_array_get_element (array, index);
  if (!JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  /* Nominatim writes the box as strings; accept numbers too. */
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *text = json_node_get_string (node);

      *out = g_ascii_strtod (text, &end);
      return end != text && *end == '\0';
    }
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE ||
      json_node_get_value_type (node) == G_TYPE_INT64)
    {
      *out = json_node_get_double (node);
      return TRUE;
    }
  return FALSE;
}

static NexusRegion *
region_from_cache (const NexusPlaceRecord *record, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  NexusRegion *region;

  if (record->geometry != NULL)
    region = nexus_region_new_from_json (record->geometry, &local_error);
  else
    region = nexus_region_new_from_json (record->bbox, &local_error);
  if (region == NULL)
    g_set_error (error, NEXUS_NOMINATIM_ERROR, NEXUS_NOMINATIM_ERROR_BAD_ANSWER,
                 _ ("The cached answer for “%s” is damaged: %s"), record->query,
                 local_error->message);
  return region;
}

static GBytes *
fetch (const char *name, GCancellable *cancellable, GError **error)
{
  g_autoptr (SoupSession) session = NULL;
  g_autoptr (SoupMessage) message = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autofree char *base = nexus_nominatim_get_base_url ();
  g_autofree char *escaped = g_uri_escape_string (name, NULL, FALSE);
  g_autofree char *url = NULL;
  guint            status;
  gint64           wait_us;

  url = g_strdup_printf ("%s/search?format=jsonv2&polygon_geojson=1&limit=1&q=%s", base, escaped);
  message = soup_message_new ("GET", url);
  if (message == NULL)
    {
      g_set_error (error, NEXUS_NOMINATIM_ERROR, NEXUS_NOMINATIM_ERROR_NETWORK,
                   _ ("“%s” is not a usable Nominatim address"), base);
      return NULL;
    }
  soup_message_headers_replace (soup_message_get_request_headers (message), "Accept",
                                "application/json");
  session = soup_session_new_with_options ("user-agent", nexus_nominatim_get_user_agent (),
                                           "timeout", REQUEST_TIMEOUT_S, NULL);

  g_mutex_lock (&request_lock);
  wait_us = last_request_us + MIN_INTERVAL_US - g_get_monotonic_time ();
  if (last_request_us != 0 && wait_us > 0)
    g_usleep (wait_us);
  last_request_us = g_get_monotonic_time ();
  body = soup_session_send_and_read (session, message, cancellable, &local_error);
  g_mutex_unlock (&request_lock);

  if (body == NULL)
    {
      g_set_error (error, NEXUS_NOMINATIM_ERROR, NEXUS_NOMINATIM_ERROR_NETWORK,
                   _ ("Could not reach Nominatim at %s: %s"), base, local_error->message);
      return NULL;
    }
  status = soup_message_get_status (message);
  if (status != SOUP_STATUS_OK)
    {
      g_set_error (error, NEXUS_NOMINATIM_ERROR, NEXUS_NOMINATIM_ERROR_NETWORK,
                   _ ("Nominatim at %s answered HTTP %u"), base, status);
      return NULL;
    }
  if (g_bytes_get_size (body) > MAX_ANSWER_BYTES)
    {
      g_set_error (error, NEXUS_NOMINATIM_ERROR, NEXUS_NOMINATIM_ERROR_BAD_ANSWER,
                   _ ("Nominatim’s answer is larger than %d MB"), MAX_ANSWER_BYTES >> 20);
      return NULL;
    }
  return g_steal_pointer (&body);
}

/* Reads the first result of a jsonv2 answer. */
static NexusPlace *
parse_answer (const char *name, const char *key, GBytes *body, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autoptr (NexusPlace) place = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autoptr (NexusGeometry) geometry = NULL;
  JsonNode   *root;
  JsonObject *first;
  JsonNode   *box_node;
  JsonNode   *geojson;
  NexusBBox   bbox;

  if (!json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                   (gssize)g_bytes_get_size (body), &local_error))
    {
      g_set_error (error, NEXUS_NOMINATIM_ERROR, NEXUS_NOMINATIM_ERROR_BAD_ANSWER,
                   _ ("Nominatim’s answer is not JSON: %s"), local_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_ARRAY (root))
    {
      g_set_error_literal (error, NEXUS_NOMINATIM_ERROR, NEXUS_NOMINATIM_ERROR_BAD_ANSWER,
                           _ ("Nominatim’s answer is not a list of places"));
      return NULL;
    }
  if (json_array_get_length (json_node_get_array (root)) == 0)
    {
      g_set_error (error, NEXUS_NOMINATIM_ERROR, NEXUS_NOMINATIM_ERROR_NOT_FOUND,
                   _ ("Nominatim knows no place called “%s”"), name);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (json_array_get_element (json_node_get_array (root), 0)))
    {
      g_set_error_literal (error, NEXUS_NOMINATIM_ERROR, NEXUS_NOMINATIM_ERROR_BAD_ANSWER,
                           _ ("Nominatim’s answer is not a list of places"));
      return NULL;
    }
  first = json_array_get_object_element (json_node_get_array (root), 0);

  /* boundingbox: ["south", "north", "west", "east"] */
  box_node = json_object_get_member (first, "boundingbox");
  if (box_node == NULL || !JSON_NODE_HOLDS_ARRAY (box_node) ||
      !parse_coordinate (json_node_get_array (box_node), 0, &bbox.south) ||
      !parse_coordinate (json_node_get_array (box_node), 1, &bbox.north) ||
      !parse_coordinate (json_node_get_array (box_node), 2, &bbox.west) ||
      !parse_coordinate (json_node_get_array (box_node), 3, &bbox.east))
    {
      g_set_error_literal (error, NEXUS_NOMINATIM_ERROR, NEXUS_NOMINATIM_ERROR_BAD_ANSWER,
                           _ ("Nominatim’s answer has no bounding box"));
      return NULL;
    }

  place = g_new0 (NexusPlace, 1);
  place->query = g_strdup (name);
  place->display_name =
      g_strdup (json_object_get_string_member_with_default (first, "display_name", name));

  geojson = json_object_get_member (first, "geojson");
  if (geojson != NULL && JSON_NODE_HOLDS_OBJECT (geojson))
    {
      geometry = nexus_geometry_new_from_json (geojson, &local_error);
      /* A point, a line or a degenerate outline: its box is used below. */
      if (geometry == NULL &&
          !g_error_matches (local_error, NEXUS_GEO_ERROR, NEXUS_GEO_ERROR_UNSUPPORTED) &&
          !g_error_matches (local_error, NEXUS_GEO_ERROR, NEXUS_GEO_ERROR_NO_AREA))
        {
          g_set_error (error, NEXUS_NOMINATIM_ERROR, NEXUS_NOMINATIM_ERROR_BAD_ANSWER,
                       _ ("Nominatim’s outline of “%s” is not usable: %s"), name,
                       local_error->message);
          return NULL;
        }
      g_clear_error (&local_error);
    }

  if (geometry != NULL)
    place->region = nexus_region_new_polygon (geometry);
  else
    {
      /* A point or a line (a village node, a street): its box is the
       * region. */
      if (!nexus_bbox_validate (&bbox, &local_error))
        {
          g_set_error (error, NEXUS_NOMINATIM_ERROR, NEXUS_NOMINATIM_ERROR_NO_AREA,
                       _ ("“%s” has no outline and no usable box (%s); give --bbox or "
                          "--polygon instead"),
                       name, local_error->message);
          return NULL;
        }
      place->region = nexus_region_new_bbox (&bbox);
    }

  place->fresh = g_new0 (NexusPlaceRecord, 1);
  place->fresh->query_norm = g_strdup (key);
  place->fresh->query = g_strdup (name);
  place->fresh->display_name = g_strdup (place->display_name);
  place->fresh->geometry = geometry != NULL ? nexus_geometry_to_text (geometry) : NULL;
  {
    NexusRegion box_region = { .bbox = place->region->bbox, .polygon = NULL };

    place->fresh->bbox = nexus_region_to_json (&box_region);
  }
  place->fresh->fetched_at = g_get_real_time () / G_USEC_PER_SEC;
  return g_steal_pointer (&place);
}

/**
 * nexus_nominatim_resolve:
 * @store: where answers are cached (read only here)
 * @name: a place name in any script
 *
 * Returns: (transfer full): the place — from the cache when the name was
 *   asked before, else from one request — or %NULL with a
 *   #NexusNominatimError
 */
NexusPlace *
nexus_nominatim_resolve (NexusStore   *store,
                         const char   *name,
                         GCancellable *cancellable,
                         GError      **error)
{
  g_autofree char *key = NULL;
  g_autoptr (NexusPlaceRecord) cached = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GError) local_error = NULL;

  g_return_val_if_fail (NEXUS_IS_STORE (store), NULL);

  if (name == NULL || !g_utf8_validate (name, -1, NULL) ||
      g_utf8_strlen (name, -1) > NEXUS_NOMINATIM_MAX_NAME)
    {
      g_set_error (error, NEXUS_NOMINATIM_ERROR, NEXUS_NOMINATIM_ERROR_INVALID,
                   _ ("a place name is text of at most %d characters"), NEXUS_NOMINATIM_MAX_NAME);
      return NULL;
    }
  key = nexus_search_normalize_name (name);
  if (*key == '\0')
    {
      g_set_error_literal (error, NEXUS_NOMINATIM_ERROR, NEXUS_NOMINATIM_ERROR_INVALID,
                           _ ("the place name is empty"));
      return NULL;
    }

  cached = nexus_store_place_get (store, key, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (cached != NULL)
    {
      g_autoptr (NexusPlace) place = g_new0 (NexusPlace, 1);

      place->query = g_strdup (name);
      place->display_name =
          g_strdup (cached->display_name != NULL ? cached->display_name : cached->query);
      place->region = region_from_cache (cached, error);
      if (place->region == NULL)
        return NULL;
      place->from_cache = TRUE;
      return g_steal_pointer (&place);
    }

  body = fetch (name, cancellable, error);
  if (body == NULL)
    return NULL;
  return parse_answer (name, key, body, error);
}
