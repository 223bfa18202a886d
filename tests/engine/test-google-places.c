/* test-google-places.c — the Google Places (New) provider against a fake API
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The fake Text Search on 127.0.0.1 answers with places written for these
 * tests in the shape the Places API (New) documents (synthetic ids, names
 * and numbers; not recorded from Google).  Nothing reaches the internet.
 */

#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "providers/nexus-google-places.h"

#include "../nexus-test-server.h"

#define TEST_KEY "AIzaTEST-0123456789-secret-key-abcdef"

static const NexusBBox cairo = { 30.00, 31.20, 30.10, 31.30 };

/* Everything the test process logs, to look for the key in. */
static GMutex   log_lock;
static GString *log_text;

static GLogWriterOutput
capture_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer data)
{
  g_mutex_lock (&log_lock);
  for (gsize i = 0; i < n_fields; i++)
    if (fields[i].length < 0)
      g_string_append_printf (log_text, "%s=%s\n", fields[i].key, (const char *)fields[i].value);
  g_mutex_unlock (&log_lock);
  return G_LOG_WRITER_HANDLED;
}

typedef struct
{
  NexusTestServer http;
  char           *base_url;

  GMutex     lock;
  GPtrArray *keys;       /* char*: each X-Goog-Api-Key */
  GPtrArray *masks;      /* char*: each X-Goog-FieldMask */
  GPtrArray *bodies;     /* char*: each request body */
  guint      status;     /* answer with this status (and Google's error body) */
  guint      n_third;    /* places on the third page */
  gboolean   third_next; /* the third page has a nextPageToken */
  guint      n_first;    /* places on the first page */
  gboolean   first_next; /* the first page has a nextPageToken */
} FakePlaces;

static void
add_place (JsonBuilder *b, guint page, guint i)
{
  g_autofree char *id = g_strdup_printf ("ChIJfake-p%u-%02u", page, i);
  g_autofree char *name = g_strdup_printf ("Synthetic Cafe %u-%u", page, i);
  g_autofree char *phone = g_strdup_printf ("+20 2 2%03u %04u", page, i);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, id);
  json_builder_set_member_name (b, "displayName");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "text");
  json_builder_add_string_value (b, name);
  json_builder_set_member_name (b, "languageCode");
  json_builder_add_string_value (b, "en");
  json_builder_end_object (b);
  json_builder_set_member_name (b, "internationalPhoneNumber");
  json_builder_add_string_value (b, phone);
  json_builder_set_member_name (b, "location");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "latitude");
  json_builder_add_double_value (b, 30.05 + i * 0.001);
  json_builder_set_member_name (b, "longitude");
  json_builder_add_double_value (b, 31.25);
  json_builder_end_object (b);
  json_builder_end_object (b);
}

static char *
page_answer (FakePlaces *fake, guint page)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  guint    n = page == 1 ? fake->n_first : page == 3 ? fake->n_third : 20;
  gboolean next = page == 1 ? fake->first_next : page == 3 ? fake->third_next : TRUE;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "places");
  json_builder_begin_array (b);
  for (guint i = 0; i < n; i++)
    add_place (b, page, i);
  json_builder_end_array (b);
  if (next)
    {
      g_autofree char *token = g_strdup_printf ("fake-token-%u", page + 1);

      json_builder_set_member_name (b, "nextPageToken");
      json_builder_add_string_value (b, token);
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

static void
fake_handle (SoupServer        *server,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query,
             gpointer           data)
{
  FakePlaces         *fake = data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  g_autoptr (GBytes) flat = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_autofree char *text = g_strndup (g_bytes_get_data (flat, NULL), g_bytes_get_size (flat));
  const char      *key = soup_message_headers_get_one (headers, "X-Goog-Api-Key");
  const char      *mask = soup_message_headers_get_one (headers, "X-Goog-FieldMask");
  g_autoptr (JsonParser) parser = json_parser_new ();
  char *answer = NULL;
  guint page = 1;
  guint status;

  g_mutex_lock (&fake->lock);
  g_ptr_array_add (fake->keys, g_strdup (key != NULL ? key : ""));
  g_ptr_array_add (fake->masks, g_strdup (mask != NULL ? mask : ""));
  g_ptr_array_add (fake->bodies, g_strdup (text));
  status = fake->status;
  if (status == 0 && (!g_str_equal (path, "/v1/places:searchText") ||
                      soup_server_message_get_method (msg) != SOUP_METHOD_POST ||
                      !json_parser_load_from_data (parser, text, -1, NULL)))
    status = 400;
  if (status == 0)
    {
      JsonObject *object = json_node_get_object (json_parser_get_root (parser));

      if (json_object_has_member (object, "pageToken"))
        page = (guint)g_ascii_strtoull (
            json_object_get_string_member (object, "pageToken") + strlen ("fake-token-"), NULL, 10);
      answer = page_answer (fake, page);
      status = 200;
    }
  else
    /* Google's error shape; a careless client would echo this message. */
    answer = g_strdup_printf ("{\"error\":{\"code\":%u,\"message\":\"API key %s is not allowed "
                              "here\",\"status\":\"PERMISSION_DENIED\"}}",
                              status, key != NULL ? key : "");
  g_mutex_unlock (&fake->lock);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, answer,
                                    strlen (answer));
}

static FakePlaces *
fake_start (void)
{
  FakePlaces *fake = g_new0 (FakePlaces, 1);

  g_mutex_init (&fake->lock);
  fake->keys = g_ptr_array_new_with_free_func (g_free);
  fake->masks = g_ptr_array_new_with_free_func (g_free);
  fake->bodies = g_ptr_array_new_with_free_func (g_free);
  fake->n_first = 20;
  fake->first_next = TRUE;
  fake->n_third = 20;
  fake->third_next = TRUE;
  nexus_test_server_run (&fake->http, "fake-places", NULL, fake_handle, fake);
  fake->base_url = g_strdup_printf ("http://127.0.0.1:%u/v1", fake->http.port);
  return fake;
}

static void
fake_stop (FakePlaces *fake)
{
  nexus_test_server_stop (&fake->http);
  g_ptr_array_unref (fake->keys);
  g_ptr_array_unref (fake->masks);
  g_ptr_array_unref (fake->bodies);
  g_free (fake->base_url);
  g_mutex_clear (&fake->lock);
  g_free (fake);
}

static JsonObject *
parse_object (const char *text, JsonParser *parser)
{
  g_autoptr (GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (parser));
}

static void
test_build_body (void)
{
  g_autofree char *body = nexus_google_places_build_body ("مطعم", &cairo, "ar", NULL);
  g_autofree char *next = nexus_google_places_build_body ("cafe", &cairo, NULL, "tok");
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (JsonParser) parser2 = json_parser_new ();
  JsonObject *object = parse_object (body, parser);
  JsonObject *rect = json_object_get_object_member (
      json_object_get_object_member (object, "locationRestriction"), "rectangle");
  JsonObject *object2 = parse_object (next, parser2);

  g_assert_cmpstr (json_object_get_string_member (object, "textQuery"), ==, "مطعم");
  g_assert_cmpint (json_object_get_int_member (object, "pageSize"), ==, 20);
  g_assert_cmpstr (json_object_get_string_member (object, "languageCode"), ==, "ar");
  g_assert_false (json_object_has_member (object, "pageToken"));
  g_assert_cmpfloat_with_epsilon (
      json_object_get_double_member (json_object_get_object_member (rect, "low"), "latitude"),
      30.00, 1e-9);
  g_assert_cmpfloat_with_epsilon (
      json_object_get_double_member (json_object_get_object_member (rect, "low"), "longitude"),
      31.20, 1e-9);
  g_assert_cmpfloat_with_epsilon (
      json_object_get_double_member (json_object_get_object_member (rect, "high"), "latitude"),
      30.10, 1e-9);
  g_assert_cmpfloat_with_epsilon (
      json_object_get_double_member (json_object_get_object_member (rect, "high"), "longitude"),
      31.30, 1e-9);
  g_assert_cmpstr (json_object_get_string_member (object2, "pageToken"), ==, "tok");
  g_assert_false (json_object_has_member (object2, "languageCode"));
}

/* One place in the documented shape, written by hand. */
static const char place_json[] =
    "{\"id\":\"ChIJsynthetic0001\",\"displayName\":{\"text\":\"Synthetic Bakery\","
    "\"languageCode\":\"en\"},\"formattedAddress\":\"12 Example Street, Zamalek, Cairo, Egypt\","
    "\"nationalPhoneNumber\":\"02 27350000\",\"internationalPhoneNumber\":\"+20 2 27350000\","
    "\"websiteUri\":\"https://bakery.example/\",\"location\":{\"latitude\":30.0612,"
    "\"longitude\":31.2197},\"types\":[\"bakery\",\"food\",\"store\"],\"primaryType\":\"bakery\","
    "\"rating\":4.6,\"userRatingCount\":321,\"addressComponents\":[{\"longText\":\"Cairo\","
    "\"shortText\":\"Cairo\",\"types\":[\"locality\",\"political\"]},{\"longText\":\"Egypt\","
    "\"shortText\":\"EG\",\"types\":[\"country\",\"political\"]}]}";

static void
test_place_mapping (void)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (JsonParser) parser2 = json_parser_new ();
  g_autoptr (JsonNode) lead =
      nexus_google_places_place_to_lead (parse_object (place_json, parser), "FR");
  g_autoptr (JsonNode) national = NULL;
  g_autoptr (JsonNode) nameless = NULL;
  JsonObject *object = json_node_get_object (lead);
  JsonArray  *phones = json_object_get_array_member (object, "phones");
  JsonObject *place2;

  g_assert_cmpstr (json_object_get_string_member (object, "provider"), ==, "google");
  g_assert_cmpstr (json_object_get_string_member (object, "ref"), ==, "places/ChIJsynthetic0001");
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, "Synthetic Bakery");
  g_assert_cmpuint (json_array_get_length (phones), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (phones, 0), ==, "+20 2 27350000");
  g_assert_cmpstr (json_object_get_string_member (object, "website"), ==,
                   "https://bakery.example/");
  g_assert_cmpstr (json_object_get_string_member (object, "address"), ==,
                   "12 Example Street, Zamalek, Cairo, Egypt");
  g_assert_cmpstr (json_object_get_string_member (object, "city"), ==, "Cairo");
  /* The place's own country wins over the search's. */
  g_assert_cmpstr (json_object_get_string_member (object, "country"), ==, "EG");
  g_assert_cmpstr (json_object_get_string_member (object, "category"), ==, "bakery");
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (object, "lat"), 30.0612, 1e-9);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (object, "lon"), 31.2197, 1e-9);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (object, "rating"), 4.6, 1e-9);
  g_assert_cmpint (json_object_get_int_member (object, "reviews"), ==, 321);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (object, "tags"),
                                                  "google:types"),
                   ==, "bakery;food;store");

  /* Only a national number: that one; no name: no lead. */
  place2 = parse_object ("{\"id\":\"x1\",\"displayName\":{\"text\":\"N\"},"
                         "\"nationalPhoneNumber\":\"02 27350001\"}",
                         parser2);
  national = nexus_google_places_place_to_lead (place2, "EG");
  g_assert_cmpstr (json_array_get_string_element (
                       json_object_get_array_member (json_node_get_object (national), "phones"), 0),
                   ==, "02 27350001");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (national), "country"), ==,
                   "EG");
  json_object_remove_member (place2, "displayName");
  nameless = nexus_google_places_place_to_lead (place2, "EG");
  g_assert_null (nameless);
}

static void
test_pagination (void)
{
  FakePlaces *fake = fake_start ();
  g_autoptr (NexusGooglePlaces) places = nexus_google_places_new (TEST_KEY, fake->base_url);
  g_autoptr (GPtrArray) leads = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  gboolean saturated = FALSE;

  /* Three full pages and still a token: 60 places, the cell is saturated. */
  leads = nexus_google_places_search (places, "cafe", &cairo, "EG", "en", NULL, &saturated, NULL,
                                      &error);
  g_assert_no_error (error);
  g_assert_cmpuint (leads->len, ==, 60);
  g_assert_true (saturated);
  g_mutex_lock (&fake->lock);
  g_assert_cmpuint (fake->bodies->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (fake->keys, 0), ==, TEST_KEY);
  g_assert_cmpstr (g_ptr_array_index (fake->masks, 0), ==, NEXUS_GOOGLE_PLACES_FIELD_MASK);
  g_assert_nonnull (strstr (g_ptr_array_index (fake->masks, 0), "nextPageToken"));
  g_assert_null (strstr (g_ptr_array_index (fake->bodies, 0), "pageToken"));
  g_assert_cmpstr (json_object_get_string_member (
                       parse_object (g_ptr_array_index (fake->bodies, 2), parser), "pageToken"),
                   ==, "fake-token-3");
  g_ptr_array_set_size (fake->bodies, 0);
  /* A third page that is not full is the end of the cell. */
  fake->n_third = 7;
  fake->third_next = FALSE;
  g_mutex_unlock (&fake->lock);
  g_clear_pointer (&leads, g_ptr_array_unref);
  leads = nexus_google_places_search (places, "cafe", &cairo, "EG", NULL, NULL, &saturated, NULL,
                                      &error);
  g_assert_no_error (error);
  g_assert_cmpuint (leads->len, ==, 47);
  g_assert_false (saturated);
  g_assert_cmpstr (
      json_object_get_string_member (json_node_get_object (g_ptr_array_index (leads, 46)), "ref"),
      ==, "places/ChIJfake-p3-06");

  /* A first page without a token: one request. */
  g_mutex_lock (&fake->lock);
  g_ptr_array_set_size (fake->bodies, 0);
  fake->n_first = 5;
  fake->first_next = FALSE;
  g_mutex_unlock (&fake->lock);
  g_clear_pointer (&leads, g_ptr_array_unref);
  leads = nexus_google_places_search (places, "cafe", &cairo, "EG", NULL, NULL, &saturated, NULL,
                                      &error);
  g_assert_no_error (error);
  g_assert_cmpuint (leads->len, ==, 5);
  g_assert_false (saturated);
  g_mutex_lock (&fake->lock);
  g_assert_cmpuint (fake->bodies->len, ==, 1);
  g_mutex_unlock (&fake->lock);

  fake_stop (fake);
}

static void
test_errors (void)
{
  FakePlaces *fake = fake_start ();
  g_autoptr (NexusGooglePlaces) places = nexus_google_places_new (TEST_KEY, fake->base_url);
  g_autoptr (NexusGooglePlaces) keyless = nexus_google_places_new (NULL, fake->base_url);
  static const struct
  {
    guint    status;
    int      code;
    gboolean retryable;
  } cases[] = {
    { 403, NEXUS_GOOGLE_PLACES_ERROR_REFUSED, FALSE },
    { 400, NEXUS_GOOGLE_PLACES_ERROR_REFUSED, FALSE },
    { 429, NEXUS_GOOGLE_PLACES_ERROR_RATE_LIMITED, TRUE },
    { 500, NEXUS_GOOGLE_PLACES_ERROR_NETWORK, TRUE },
    { 503, NEXUS_GOOGLE_PLACES_ERROR_NETWORK, TRUE },
  };
  gboolean saturated;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GPtrArray) leads = NULL;
      g_autoptr (GError) error = NULL;

      g_mutex_lock (&fake->lock);
      fake->status = cases[i].status;
      g_mutex_unlock (&fake->lock);
      leads = nexus_google_places_search (places, "cafe", &cairo, "EG", NULL, NULL, &saturated,
                                          NULL, &error);
      g_assert_null (leads);
      g_assert_error (error, NEXUS_GOOGLE_PLACES_ERROR, cases[i].code);
      g_assert_cmpint (nexus_google_places_error_is_retryable (error), ==, cases[i].retryable);
      /* The fake echoes the key in its message; the error must not. */
      g_assert_null (strstr (error->message, TEST_KEY));
      g_assert_null (strstr (error->message, "0123456789-secret"));
    }

  {
    g_autoptr (GPtrArray) leads = NULL;
    g_autoptr (GError) error = NULL;

    /* Nobody listens on port 9 of 127.0.0.1: retryable, and still no key. */
    g_autoptr (NexusGooglePlaces) closed =
        nexus_google_places_new (TEST_KEY, "http://127.0.0.1:9/v1");
    leads = nexus_google_places_search (closed, "cafe", &cairo, NULL, NULL, NULL, &saturated, NULL,
                                        &error);
    g_assert_error (error, NEXUS_GOOGLE_PLACES_ERROR, NEXUS_GOOGLE_PLACES_ERROR_NETWORK);
    g_assert_true (nexus_google_places_error_is_retryable (error));
    g_assert_null (strstr (error->message, TEST_KEY));
    g_clear_error (&error);

    leads = nexus_google_places_search (keyless, "cafe", &cairo, NULL, NULL, NULL, &saturated, NULL,
                                        &error);
    g_assert_error (error, NEXUS_GOOGLE_PLACES_ERROR, NEXUS_GOOGLE_PLACES_ERROR_INVALID);
    g_assert_false (nexus_google_places_error_is_retryable (error));
    g_clear_error (&error);
    leads = nexus_google_places_search (places, "  ", &cairo, NULL, NULL, NULL, &saturated, NULL,
                                        &error);
    g_assert_error (error, NEXUS_GOOGLE_PLACES_ERROR, NEXUS_GOOGLE_PLACES_ERROR_INVALID);
  }
  fake_stop (fake);
}

/* Runs after the others (GLib runs tests in the order added): everything
 * the process logged so far, with debug messages on, lacks the key. */
static void
test_key_not_logged (void)
{
  FakePlaces *fake = fake_start ();
  g_autoptr (NexusGooglePlaces) places = nexus_google_places_new (TEST_KEY, fake->base_url);
  g_autoptr (GPtrArray) leads = NULL;
  g_autoptr (GError) error = NULL;
  gboolean saturated;

  leads = nexus_google_places_search (places, "cafe", &cairo, NULL, NULL, NULL, &saturated, NULL,
                                      &error);
  g_assert_no_error (error);
  g_mutex_lock (&fake->lock);
  fake->status = 403;
  g_mutex_unlock (&fake->lock);
  g_clear_pointer (&leads, g_ptr_array_unref);
  leads = nexus_google_places_search (places, "cafe", &cairo, NULL, NULL, NULL, &saturated, NULL,
                                      &error);
  g_assert_nonnull (error);
  g_message ("search failed: %s", error->message);
  fake_stop (fake);

  g_mutex_lock (&log_lock);
  /* The capture works (the provider's debug line is in it)… */
  g_assert_nonnull (strstr (log_text->str, "Text Search: HTTP 200"));
  g_assert_nonnull (strstr (log_text->str, "search failed"));
  /* …and the key is nowhere in it. */
  g_assert_null (strstr (log_text->str, TEST_KEY));
  g_mutex_unlock (&log_lock);
}

int
main (int argc, char *argv[])
{
  g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
  g_unsetenv ("http_proxy");
  g_unsetenv ("HTTP_PROXY");
  log_text = g_string_new (NULL);
  g_log_set_writer_func (capture_writer, NULL, NULL);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/nexus/GooglePlaces/build-body", test_build_body);
  g_test_add_func ("/nexus/GooglePlaces/place-mapping", test_place_mapping);
  g_test_add_func ("/nexus/GooglePlaces/pagination-saturation", test_pagination);
  g_test_add_func ("/nexus/GooglePlaces/http-errors", test_errors);
  g_test_add_func ("/nexus/GooglePlaces/key-not-logged", test_key_not_logged);
  return g_test_run ();
}
