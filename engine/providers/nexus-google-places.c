/* nexus-google-places.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nexus-google"

#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>
#include <string.h>

#include "nexus-google-places.h"
#include "nexus-overpass.h"

struct _NexusGooglePlaces
{
  char *api_key; /* never logged; wiped on free */
  char *url;     /* BASE/places:searchText; immutable */
};

/* clang-format off */
G_DEFINE_QUARK (nexus-google-places-error-quark, nexus_google_places_error)
/* clang-format on */

/**
 * nexus_google_places_new:
 * @api_key: the Places API key
 * @base_url: (nullable): where "places:searchText" lives; %NULL for Google
 */
NexusGooglePlaces *
nexus_google_places_new (const char *api_key, const char *base_url)
{
  NexusGooglePlaces *self = g_new0 (NexusGooglePlaces, 1);
  const char        *base =
      base_url != NULL && *base_url != '\0' ? base_url : NEXUS_GOOGLE_PLACES_DEFAULT_URL;

  self->api_key = g_strdup (api_key != NULL ? api_key : "");
  self->url = g_str_has_suffix (base, "/") ? g_strconcat (base, "places:searchText", NULL)
                                           : g_strconcat (base, "/places:searchText", NULL);
  return self;
}

void
nexus_google_places_free (NexusGooglePlaces *self)
{
  if (self == NULL)
    return;
  memset (self->api_key, 0, strlen (self->api_key));
  g_free (self->api_key);
  g_free (self->url);
  g_free (self);
}

static void
add_point (JsonBuilder *builder, const char *name, double latitude, double longitude)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "latitude");
  json_builder_add_double_value (builder, latitude);
  json_builder_set_member_name (builder, "longitude");
  json_builder_add_double_value (builder, longitude);
  json_builder_end_object (builder);
}

/**
 * nexus_google_places_build_body:
 * @language: (nullable): a BCP-47 language for the answers
 * @page_token: (nullable): the nextPageToken of the page before
 *
 * Returns: (transfer full): the JSON body of one Text Search request
 */
char *
nexus_google_places_build_body (const char      *keyword,
                                const NexusBBox *cell,
                                const char      *language,
                                const char      *page_token)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "textQuery");
  json_builder_add_string_value (builder, keyword);
  json_builder_set_member_name (builder, "locationRestriction");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "rectangle");
  json_builder_begin_object (builder);
  add_point (builder, "low", cell->south, cell->west);
  add_point (builder, "high", cell->north, cell->east);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "pageSize");
  json_builder_add_int_value (builder, NEXUS_GOOGLE_PLACES_PAGE_SIZE);
  if (language != NULL && *language != '\0')
    {
      json_builder_set_member_name (builder, "languageCode");
      json_builder_add_string_value (builder, language);
    }
  if (page_token != NULL && *page_token != '\0')
    {
      json_builder_set_member_name (builder, "pageToken");
      json_builder_add_string_value (builder, page_token);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

static const char *
member_string (JsonObject *object, const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static JsonObject *
member_object (JsonObject *object, const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static gboolean
member_number (JsonObject *object, const char *name, double *out_value)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      (json_node_get_value_type (node) != G_TYPE_DOUBLE &&
       json_node_get_value_type (node) != G_TYPE_INT64))
    return FALSE;
  *out_value = json_node_get_double (node);
  return TRUE;
}

static void
set_string (JsonObject *lead, const char *name, const char *value)
{
  if (value != NULL && *value != '\0')
    json_object_set_string_member (lead, name, value);
}

/* The shortText (or longText) of the first address component of @type. */
static const char *
address_component (JsonObject *place, const char *type, gboolean short_text)
{
  JsonNode  *node = json_object_get_member (place, "addressComponents");
  JsonArray *components;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;
  components = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (components); i++)
    {
      JsonNode   *item = json_array_get_element (components, i);
      JsonNode   *types;
      JsonObject *component;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        continue;
      component = json_node_get_object (item);
      types = json_object_get_member (component, "types");
      if (types == NULL || !JSON_NODE_HOLDS_ARRAY (types))
        continue;
      for (guint j = 0; j < json_array_get_length (json_node_get_array (types)); j++)
        {
          JsonNode *t = json_array_get_element (json_node_get_array (types), j);

          if (JSON_NODE_HOLDS_VALUE (t) && json_node_get_value_type (t) == G_TYPE_STRING &&
              g_str_equal (json_node_get_string (t), type))
            return member_string (component, short_text ? "shortText" : "longText");
        }
    }
  return NULL;
}

/**
 * nexus_google_places_place_to_lead:
 * @place: one member of an answer's "places"
 * @country: (nullable): the search's country, for places without one
 *
 * Maps a Place to a LEAD: provider "google", ref "places/ID", name from
 * displayName.text, phones from internationalPhoneNumber then
 * nationalPhoneNumber (one entry when they are the same number), website
 * from websiteUri, address from formattedAddress, city and country from
 * addressComponents, lat/lon from location, category from primaryType,
 * rating and reviews (userRatingCount), the types as tags.
 *
 * Returns: (transfer full) (nullable): the LEAD, or %NULL for a place
 *   without an id or a name
 */
JsonNode *
nexus_google_places_place_to_lead (JsonObject *place, const char *country)
{
  g_autoptr (JsonObject) lead = NULL;
  g_autoptr (JsonArray) phones = NULL;
  g_autofree char *ref = NULL;
  const char      *id = member_string (place, "id");
  const char      *name = member_string (member_object (place, "displayName"), "text");
  const char      *international = member_string (place, "internationalPhoneNumber");
  const char      *national = member_string (place, "nationalPhoneNumber");
  const char      *component_country = NULL;
  JsonObject      *location;
  JsonNode        *types;
  double           lat;
  double           lon;
  double           rating;
  double           reviews;

  if (place == NULL || id == NULL || *id == '\0' || name == NULL || *name == '\0')
    return NULL;

  lead = json_object_new ();
  ref = g_strconcat ("places/", id, NULL);
  json_object_set_string_member (lead, "provider", "google");
  json_object_set_string_member (lead, "ref", ref);
  json_object_set_string_member (lead, "name", name);

  /* The international form carries the country code; the national one is
   * the same number as people write it, kept only when it differs. */
  phones = json_array_new ();
  if (international != NULL && *international != '\0')
    json_array_add_string_element (phones, international);
  if (national != NULL && *national != '\0' && international == NULL)
    json_array_add_string_element (phones, national);
  if (json_array_get_length (phones) > 0)
    json_object_set_array_member (lead, "phones", g_steal_pointer (&phones));

  set_string (lead, "website", member_string (place, "websiteUri"));
  set_string (lead, "address", member_string (place, "formattedAddress"));
  set_string (lead, "city", address_component (place, "locality", FALSE));
  component_country = address_component (place, "country", TRUE);
  set_string (lead, "country", component_country != NULL ? component_country : country);
  set_string (lead, "category", member_string (place, "primaryType"));

  location = member_object (place, "location");
  if (member_number (location, "latitude", &lat) && member_number (location, "longitude", &lon))
    {
      json_object_set_double_member (lead, "lat", lat);
      json_object_set_double_member (lead, "lon", lon);
    }
  if (member_number (place, "rating", &rating))
    json_object_set_double_member (lead, "rating", rating);
  if (member_number (place, "userRatingCount", &reviews))
    json_object_set_int_member (lead, "reviews", (gint64)reviews);

  types = json_object_get_member (place, "types");
  if (types != NULL && JSON_NODE_HOLDS_ARRAY (types))
    {
      g_autoptr (JsonObject) tags = json_object_new ();
      g_autoptr (GString) joined = g_string_new (NULL);

      for (guint i = 0; i < json_array_get_length (json_node_get_array (types)); i++)
        {
          JsonNode *t = json_array_get_element (json_node_get_array (types), i);

          if (!JSON_NODE_HOLDS_VALUE (t) || json_node_get_value_type (t) != G_TYPE_STRING)
            continue;
          if (joined->len > 0)
            g_string_append_c (joined, ';');
          g_string_append (joined, json_node_get_string (t));
        }
      if (joined->len > 0)
        {
          json_object_set_string_member (tags, "google:types", joined->str);
          json_object_set_object_member (lead, "tags", g_steal_pointer (&tags));
        }
    }
  return json_node_init_object (json_node_alloc (), lead);
}

/**
 * nexus_google_places_parse_page:
 * @out_n_places: (out): the places the page held, mapped or not
 * @out_next_page_token: (out) (transfer full): the nextPageToken, or %NULL
 *
 * Returns: (transfer full) (element-type JsonNode): the LEADs of one Text
 *   Search answer (an answer without "places" has none), or %NULL with
 *   %NEXUS_GOOGLE_PLACES_ERROR_BAD_ANSWER
 */
GPtrArray *
nexus_google_places_parse_page (const char *body,
                                gsize       length,
                                const char *country,
                                guint      *out_n_places,
                                char      **out_next_page_token,
                                GError    **error)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autoptr (GPtrArray) leads = g_ptr_array_new_with_free_func ((GDestroyNotify)json_node_unref);
  JsonNode   *root;
  JsonNode   *places;
  JsonObject *object;
  const char *token;

  *out_n_places = 0;
  *out_next_page_token = NULL;
  if (!json_parser_load_from_data (parser, body, length, NULL) ||
      !JSON_NODE_HOLDS_OBJECT ((root = json_parser_get_root (parser))))
    {
      g_set_error_literal (error, NEXUS_GOOGLE_PLACES_ERROR, NEXUS_GOOGLE_PLACES_ERROR_BAD_ANSWER,
                           _ ("The Google Places answer is not a JSON object"));
      return NULL;
    }
  object = json_node_get_object (root);
  places = json_object_get_member (object, "places");
  if (places != NULL && !JSON_NODE_HOLDS_ARRAY (places))
    {
      g_set_error_literal (error, NEXUS_GOOGLE_PLACES_ERROR, NEXUS_GOOGLE_PLACES_ERROR_BAD_ANSWER,
                           _ ("The Google Places answer has no list of places"));
      return NULL;
    }
  for (guint i = 0; places != NULL && i < json_array_get_length (json_node_get_array (places)); i++)
    {
      JsonNode *place = json_array_get_element (json_node_get_array (places), i);
      JsonNode *lead =
          JSON_NODE_HOLDS_OBJECT (place)
              ? nexus_google_places_place_to_lead (json_node_get_object (place), country)
              : NULL;

      (*out_n_places)++;
      if (lead != NULL)
        g_ptr_array_add (leads, lead);
    }
  token = member_string (object, "nextPageToken");
  if (token != NULL && *token != '\0')
    *out_next_page_token = g_strdup (token);
  return g_steal_pointer (&leads);
}

/* Reads at most @max bytes; more is an error, not a truncation. */
static GBytes *
read_limited (GInputStream *stream, gsize max, GCancellable *cancellable, GError **error)
{
  g_autoptr (GByteArray) data = g_byte_array_new ();
  guint8 buffer[16384];

  for (;;)
    {
      gssize n = g_input_stream_read (stream, buffer, sizeof buffer, cancellable, error);

      if (n < 0)
        return NULL;
      if (n == 0)
        break;
      if (data->len + (gsize)n > max)
        {
          g_set_error (error, NEXUS_GOOGLE_PLACES_ERROR, NEXUS_GOOGLE_PLACES_ERROR_BAD_ANSWER,
                       _ ("The Google Places answer is larger than %u MiB"), (guint)(max >> 20));
          return NULL;
        }
      g_byte_array_append (data, buffer, n);
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&data));
}

/* Google's own words about an error (error.status and error.message, at
 * most 200 bytes), with any copy of the key masked. */
static char *
describe_error_answer (NexusGooglePlaces *self, GBytes *body)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autofree char *text = NULL;
  JsonObject      *object;
  const char      *status;
  const char      *message;
  GString         *out;

  if (body == NULL ||
      !json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                                   NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return g_strdup ("");
  object = member_object (json_node_get_object (json_parser_get_root (parser)), "error");
  status = member_string (object, "status");
  message = member_string (object, "message");
  text = g_strdup_printf ("%s%s%s", status != NULL ? status : "",
                          status != NULL && message != NULL ? ": " : "",
                          message != NULL ? message : "");
  out = g_string_new (text);
  if (*self->api_key != '\0')
    g_string_replace (out, self->api_key, "[key]", 0);
  if (out->len > 200)
    {
      g_autofree char *cut = g_utf8_make_valid (out->str, 200);

      g_string_assign (out, cut);
    }
  return g_string_free (out, FALSE);
}

/* One Text Search request.  Returns the answer's body, or %NULL with the
 * error mapped to retryable or not. */
static GBytes *
fetch_page (NexusGooglePlaces *self,
            SoupSession       *session,
            const char        *request,
            GCancellable      *cancellable,
            GError           **error)
{
  g_autoptr (SoupMessage) msg = soup_message_new ("POST", self->url);
  g_autoptr (GBytes) request_bytes = g_bytes_new (request, strlen (request));
  g_autoptr (GInputStream) stream = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autofree char    *detail = NULL;
  SoupMessageHeaders *headers;
  guint               status;

  if (msg == NULL)
    {
      g_set_error_literal (error, NEXUS_GOOGLE_PLACES_ERROR, NEXUS_GOOGLE_PLACES_ERROR_INVALID,
                           _ ("The Google Places URL is not a valid http(s) URL"));
      return NULL;
    }
  headers = soup_message_get_request_headers (msg);
  soup_message_headers_replace (headers, "X-Goog-Api-Key", self->api_key);
  soup_message_headers_replace (headers, "X-Goog-FieldMask", NEXUS_GOOGLE_PLACES_FIELD_MASK);
  soup_message_headers_replace (headers, "Accept", "application/json");
  soup_message_set_request_body_from_bytes (msg, "application/json", request_bytes);

  stream = soup_session_send (session, msg, cancellable, &local_error);
  if (stream != NULL)
    body = read_limited (stream, NEXUS_GOOGLE_PLACES_MAX_ANSWER_BYTES, cancellable, &local_error);
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      (local_error != NULL && local_error->domain == NEXUS_GOOGLE_PLACES_ERROR))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (stream == NULL || body == NULL)
    {
      /* libsoup's and GIO's messages name the host, never the headers. */
      g_set_error (error, NEXUS_GOOGLE_PLACES_ERROR, NEXUS_GOOGLE_PLACES_ERROR_NETWORK,
                   _ ("No answer from Google Places: %s"), local_error->message);
      return NULL;
    }

  status = soup_message_get_status (msg);
  g_debug ("Text Search: HTTP %u, %zu bytes", status, g_bytes_get_size (body));
  if (status == SOUP_STATUS_OK)
    return g_steal_pointer (&body);
  detail = describe_error_answer (self, body);
  if (status == 429)
    g_set_error (error, NEXUS_GOOGLE_PLACES_ERROR, NEXUS_GOOGLE_PLACES_ERROR_RATE_LIMITED,
                 _ ("Google Places is rate limiting this key (HTTP 429) %s"), detail);
  else if (status >= 400 && status < 500)
    g_set_error (error, NEXUS_GOOGLE_PLACES_ERROR, NEXUS_GOOGLE_PLACES_ERROR_REFUSED,
                 _ ("Google Places refused the request (HTTP %u) %s"), status, detail);
  else
    g_set_error (error, NEXUS_GOOGLE_PLACES_ERROR, NEXUS_GOOGLE_PLACES_ERROR_NETWORK,
                 _ ("Google Places answered HTTP %u %s"), status, detail);
  return NULL;
}

/**
 * nexus_google_places_search:
 * @country: (nullable): the search's country, for places without one
 * @language: (nullable): languageCode of the requests
 * @page_token: (nullable): start from this page
 * @out_saturated: (out): set when the last page allowed was still full
 *
 * Runs one job: up to NEXUS_GOOGLE_PLACES_MAX_PAGES requests; blocks on
 * the network, honours @cancellable.  A page that fails fails the job (the
 * pages before it are not reported: a retry asks for them again).
 *
 * Returns: (transfer full) (element-type JsonNode): the LEAD objects, or
 *   %NULL with @error set
 */
GPtrArray *
nexus_google_places_search (NexusGooglePlaces *self,
                            const char        *keyword,
                            const NexusBBox   *cell,
                            const char        *country,
                            const char        *language,
                            const char        *page_token,
                            gboolean          *out_saturated,
                            GCancellable      *cancellable,
                            GError           **error)
{
  g_autoptr (GPtrArray) leads = g_ptr_array_new_with_free_func ((GDestroyNotify)json_node_unref);
  g_autoptr (SoupSession) session = NULL;
  g_autoptr (GError) bbox_error = NULL;
  g_autofree char *token = g_strdup (page_token);
  g_autofree char *trimmed = g_strstrip (g_strdup (keyword != NULL ? keyword : ""));

  *out_saturated = FALSE;
  if (*self->api_key == '\0')
    {
      g_set_error_literal (error, NEXUS_GOOGLE_PLACES_ERROR, NEXUS_GOOGLE_PLACES_ERROR_INVALID,
                           _ ("No Google Places API key: use --google-key or NEXUS_GOOGLE_KEY"));
      return NULL;
    }
  if (!nexus_bbox_validate (cell, &bbox_error))
    {
      g_set_error (error, NEXUS_GOOGLE_PLACES_ERROR, NEXUS_GOOGLE_PLACES_ERROR_INVALID,
                   _ ("The job's cell is not usable: %s"), bbox_error->message);
      return NULL;
    }
  if (*trimmed == '\0')
    {
      g_set_error_literal (error, NEXUS_GOOGLE_PLACES_ERROR, NEXUS_GOOGLE_PLACES_ERROR_INVALID,
                           _ ("The job has no keyword to search for"));
      return NULL;
    }

  session =
      soup_session_new_with_options ("user-agent", nexus_overpass_get_user_agent (), "timeout",
                                     NEXUS_GOOGLE_PLACES_TIMEOUT_S, "idle-timeout", 5, NULL);
  for (guint page = 0; page < NEXUS_GOOGLE_PLACES_MAX_PAGES; page++)
    {
      g_autofree char *request = nexus_google_places_build_body (trimmed, cell, language, token);
      g_autoptr (GBytes) body = NULL;
      g_autoptr (GPtrArray) page_leads = NULL;
      g_autofree char *next = NULL;
      guint            n_places = 0;

      body = fetch_page (self, session, request, cancellable, error);
      if (body == NULL)
        return NULL;
      page_leads = nexus_google_places_parse_page (
          g_bytes_get_data (body, NULL), g_bytes_get_size (body), country, &n_places, &next, error);
      if (page_leads == NULL)
        return NULL;
      for (guint i = 0; i < page_leads->len; i++)
        g_ptr_array_add (leads, json_node_ref (g_ptr_array_index (page_leads, i)));
      if (next == NULL)
        break;
      if (page + 1 == NEXUS_GOOGLE_PLACES_MAX_PAGES)
        *out_saturated = n_places >= NEXUS_GOOGLE_PLACES_PAGE_SIZE;
      g_free (token);
      token = g_steal_pointer (&next);
    }
  return g_steal_pointer (&leads);
}

/* Whether a job that failed with @error may succeed on another try. */
gboolean
nexus_google_places_error_is_retryable (const GError *error)
{
  if (error == NULL || error->domain != NEXUS_GOOGLE_PLACES_ERROR)
    return TRUE;
  return error->code == NEXUS_GOOGLE_PLACES_ERROR_NETWORK ||
         error->code == NEXUS_GOOGLE_PLACES_ERROR_RATE_LIMITED ||
         error->code == NEXUS_GOOGLE_PLACES_ERROR_BAD_ANSWER;
}
