/* test-overpass.c — the Overpass provider: keywords, queries, leads, etiquette
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The network tests talk to a fake Overpass on 127.0.0.1 that replays a
 * genuine answer (tests/data/osm/, ODbL, © OpenStreetMap contributors).
 */

#include "config.h"

#include "../e2e/fake-overpass.h"
#include "providers/nexus-overpass.h"

static const NexusBBox paris = { 48.80, 2.20, 48.91, 2.47 };

static char *
read_data (const char *name, gsize *out_length)
{
  g_autofree char *path = fake_overpass_data_path (name);
  g_autoptr (GError) error = NULL;
  char *text = NULL;

  g_file_get_contents (path, &text, out_length, &error);
  g_assert_no_error (error);
  return text;
}

static gboolean
filters_contain (GPtrArray *filters, const char *filter)
{
  for (guint i = 0; i < filters->len; i++)
    if (g_str_equal (g_ptr_array_index (filters, i), filter))
      return TRUE;
  return FALSE;
}

static void
test_keyword_filters (void)
{
  g_autoptr (GPtrArray) restaurant = nexus_overpass_filters_for_keyword ("Restaurant");
  g_autoptr (GPtrArray) arabic = nexus_overpass_filters_for_keyword ("مطعم");
  g_autoptr (GPtrArray) cafe = nexus_overpass_filters_for_keyword (" cafe ");
  g_autoptr (GPtrArray) pharmacy = nexus_overpass_filters_for_keyword ("صيدلية");
  g_autoptr (GPtrArray) empty = nexus_overpass_filters_for_keyword ("  ");

  /* The preset's own tag, and not its cuisine variants. */
  g_assert_cmpuint (restaurant->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (restaurant, 0), ==, "[\"amenity\"=\"restaurant\"]");
  /* The Arabic name of the same preset. */
  g_assert_cmpuint (arabic->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (arabic, 0), ==, "[\"amenity\"=\"restaurant\"]");
  /* "cafe" is a search term of restaurants too, but the name of cafés wins. */
  g_assert_true (filters_contain (cafe, "[\"amenity\"=\"cafe\"]"));
  g_assert_false (filters_contain (cafe, "[\"amenity\"=\"restaurant\"]"));
  g_assert_true (filters_contain (pharmacy, "[\"amenity\"=\"pharmacy\"]") ||
                 filters_contain (pharmacy, "[\"healthcare\"=\"pharmacy\"]"));
  g_assert_cmpuint (empty->len, ==, 0);
}

static void
test_keyword_fallback (void)
{
  g_autoptr (GPtrArray) unknown = nexus_overpass_filters_for_keyword ("Zorblax");
  g_autoptr (GPtrArray) tricky = nexus_overpass_filters_for_keyword ("a.b\"c(d)\\");

  /* No preset knows it: a case-insensitive regex on the name. */
  g_assert_cmpuint (unknown->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (unknown, 0), ==, "[\"name\"~\"Zorblax\",i]");
  /* Regex metacharacters match themselves; quotes cannot end the string. */
  g_assert_cmpstr (g_ptr_array_index (tricky, 0), ==,
                   "[\"name\"~\"a\\\\.b\\\"c\\\\(d\\\\)\\\\\\\\\",i]");
}

static void
test_build_query (void)
{
  g_autofree char *query = nexus_overpass_build_query ("restaurant", &paris, 25);
  g_autofree char *none = nexus_overpass_build_query ("", &paris, 25);

  g_assert_true (g_str_has_prefix (query, "[out:json][timeout:25];"));
  g_assert_nonnull (strstr (query,
                            "nwr[\"amenity\"=\"restaurant\"](48.8000000,2.2000000,48.9100000,"
                            "2.4700000);"));
  g_assert_true (g_str_has_suffix (query, "out center tags;\n"));
  g_assert_null (none);
}

static JsonObject *
find_lead (GPtrArray *leads, const char *ref)
{
  for (guint i = 0; i < leads->len; i++)
    {
      JsonObject *lead = json_node_get_object (g_ptr_array_index (leads, i));

      if (g_str_equal (json_object_get_string_member (lead, "ref"), ref))
        return lead;
    }
  return NULL;
}

static void
test_paris_answer (void)
{
  g_autoptr (GPtrArray) leads = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  gboolean         saturated = TRUE;
  JsonObject      *lead;
  guint            with_phones = 0;
  gsize            length;

  text = read_data ("paris-restaurants.overpass.json", &length);
  leads = nexus_overpass_parse_answer (text, length, "FR", &saturated, &error);
  g_assert_no_error (error);
  g_assert_false (saturated);
  g_assert_cmpuint (leads->len, ==, 64);
  for (guint i = 0; i < leads->len; i++)
    if (json_object_has_member (json_node_get_object (g_ptr_array_index (leads, i)), "phones"))
      with_phones++;
  g_assert_cmpuint (with_phones, ==, 25);

  /* addr:* keys */
  lead = find_lead (leads, "node/1930249941");
  g_assert_nonnull (lead);
  g_assert_cmpstr (json_object_get_string_member (lead, "provider"), ==, "overpass");
  g_assert_cmpstr (json_object_get_string_member (lead, "name"), ==, "Le Lieu Dit");
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (lead, "phones"), 0),
                   ==, "+33 1 40332629");
  g_assert_cmpstr (json_object_get_string_member (lead, "website"), ==, "http://lelieudit.com/");
  g_assert_cmpstr (json_object_get_string_member (lead, "email"), ==, "contact@lelieudit.com");
  g_assert_cmpstr (json_object_get_string_member (lead, "address"), ==, "6 Rue Sorbier, 75020");
  g_assert_cmpstr (json_object_get_string_member (lead, "city"), ==, "Paris");
  g_assert_cmpstr (json_object_get_string_member (lead, "country"), ==, "FR");
  g_assert_cmpstr (json_object_get_string_member (lead, "category"), ==, "restaurant");
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (lead, "lat"), 48.8685, 0.001);
  g_assert_true (
      json_object_has_member (json_object_get_object_member (lead, "tags"), "wheelchair"));

  /* contact:* keys */
  lead = find_lead (leads, "node/688020622");
  g_assert_nonnull (lead);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (lead, "phones"), 0),
                   ==, "+33 1 42 60 31 90");
  g_assert_cmpstr (json_object_get_string_member (lead, "address"), ==,
                   "17 Rue Notre-Dame-des-Victoires, 75002");
  g_assert_cmpstr (json_object_get_string_member (lead, "city"), ==, "Paris");
}

static void
test_element_mapping (void)
{
  g_autoptr (JsonNode) way = json_from_string (
      "{\"type\":\"way\",\"id\":42,\"center\":{\"lat\":30.05,\"lon\":31.24},"
      "\"tags\":{\"shop\":\"bakery\",\"name\":\"مخبز النيل\",\"phone\":\"+20 2 1234 5678; 02 "
      "2345 6789 ;\",\"mobile\":\"+20 2 1234 5678\",\"contact:website\":\"nile.example\","
      "\"addr:country\":\"EG\",\"addr:street\":\"شارع التحرير\"}}",
      NULL);
  g_autoptr (JsonNode) relation = json_from_string (
      "{\"type\":\"relation\",\"id\":7,\"tags\":{\"craft\":\"carpenter\",\"brand\":\"Wood\"}}",
      NULL);
  g_autoptr (JsonNode) nameless = json_from_string (
      "{\"type\":\"node\",\"id\":1,\"lat\":1,\"lon\":1,\"tags\":{\"amenity\":\"cafe\"}}", NULL);
  g_autoptr (JsonNode) lead = nexus_overpass_element_to_lead (json_node_get_object (way), "FR");
  g_autoptr (JsonNode) second =
      nexus_overpass_element_to_lead (json_node_get_object (relation), NULL);
  g_autoptr (JsonNode) none =
      nexus_overpass_element_to_lead (json_node_get_object (nameless), "FR");
  JsonObject *object = json_node_get_object (lead);
  JsonArray  *phones = json_object_get_array_member (object, "phones");

  g_assert_cmpstr (json_object_get_string_member (object, "ref"), ==, "way/42");
  /* Split on ";", trimmed, each number once. */
  g_assert_cmpuint (json_array_get_length (phones), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (phones, 0), ==, "+20 2 1234 5678");
  g_assert_cmpstr (json_array_get_string_element (phones, 1), ==, "02 2345 6789");
  g_assert_cmpstr (json_object_get_string_member (object, "website"), ==, "nile.example");
  g_assert_cmpstr (json_object_get_string_member (object, "country"), ==, "EG");
  g_assert_cmpstr (json_object_get_string_member (object, "address"), ==, "شارع التحرير");
  g_assert_cmpstr (json_object_get_string_member (object, "category"), ==, "bakery");
  /* A way's centre is its position. */
  g_assert_cmpfloat (json_object_get_double_member (object, "lat"), ==, 30.05);
  g_assert_cmpfloat (json_object_get_double_member (object, "lon"), ==, 31.24);

  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (second), "ref"), ==,
                   "relation/7");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (second), "name"), ==,
                   "Wood");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (second), "category"), ==,
                   "carpenter");
  g_assert_false (json_object_has_member (json_node_get_object (second), "lat"));
  g_assert_null (none);
}

static void
test_remark_timeout (void)
{
  g_autoptr (GPtrArray) leads = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  const char      *other = "{\"elements\":[],\"remark\":\"runtime error: syntax error\"}";
  gboolean         saturated = FALSE;
  gsize            length;

  text = read_data ("remark-runtime-error-01.json", &length);
  leads = nexus_overpass_parse_answer (text, length, NULL, &saturated, &error);
  g_assert_no_error (error);
  g_assert_true (saturated);
  g_assert_cmpuint (leads->len, ==, 0);

  g_clear_pointer (&leads, g_ptr_array_unref);
  leads = nexus_overpass_parse_answer (other, strlen (other), NULL, &saturated, &error);
  g_assert_error (error, NEXUS_OVERPASS_ERROR, NEXUS_OVERPASS_ERROR_BAD_ANSWER);
  g_assert_null (leads);
  g_clear_error (&error);
  leads = nexus_overpass_parse_answer ("<html>", 6, NULL, &saturated, &error);
  g_assert_error (error, NEXUS_OVERPASS_ERROR, NEXUS_OVERPASS_ERROR_BAD_ANSWER);
  g_assert_true (nexus_overpass_error_is_retryable (error));
}

static void
test_search_over_http (void)
{
  FakeOverpass    *fake = fake_overpass_start ("paris-restaurants.overpass.json");
  g_autofree char *url = fake_overpass_get_url (fake);
  g_autoptr (NexusOverpass) overpass = nexus_overpass_new (url);
  g_autoptr (GPtrArray) leads = NULL;
  g_autoptr (GError) error = NULL;
  NexusBBox west = { 48.80, 2.20, 48.91, 2.30 };
  gboolean  saturated = TRUE;

  leads = nexus_overpass_search (overpass, "restaurant", &paris, "FR", &saturated, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (saturated);
  g_assert_cmpuint (leads->len, ==, 64);
  g_clear_pointer (&leads, g_ptr_array_unref);

  /* Only what lies in the cell comes back. */
  leads = nexus_overpass_search (overpass, "restaurant", &west, "FR", &saturated, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (leads->len, >, 0);
  g_assert_cmpuint (leads->len, <, 64);
  g_clear_pointer (&leads, g_ptr_array_unref);

  g_mutex_lock (&fake->lock);
  g_assert_true (
      g_str_has_prefix (g_ptr_array_index (fake->agents, 0), "Nexus-worker/" PACKAGE_VERSION));
  g_assert_true (g_str_has_prefix (g_ptr_array_index (fake->queries, 0), "[out:json][timeout:"));
  /* Saturation: the remark for wide cells, then 429 and 504. */
  fake->saturate_over = 0.2;
  g_mutex_unlock (&fake->lock);
  leads = nexus_overpass_search (overpass, "restaurant", &paris, "FR", &saturated, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (saturated);
  g_assert_cmpuint (leads->len, ==, 0);
  g_clear_pointer (&leads, g_ptr_array_unref);

  for (guint i = 0; i < 2; i++)
    {
      static const guint statuses[] = { 429, 504 };

      g_mutex_lock (&fake->lock);
      fake->status = statuses[i];
      g_mutex_unlock (&fake->lock);
      saturated = FALSE;
      leads = nexus_overpass_search (overpass, "restaurant", &west, "FR", &saturated, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (saturated);
      g_clear_pointer (&leads, g_ptr_array_unref);
    }

  /* A refused query is not retried; a server error is. */
  g_mutex_lock (&fake->lock);
  fake->status = 400;
  g_mutex_unlock (&fake->lock);
  leads = nexus_overpass_search (overpass, "restaurant", &west, "FR", &saturated, NULL, &error);
  g_assert_error (error, NEXUS_OVERPASS_ERROR, NEXUS_OVERPASS_ERROR_REFUSED);
  g_assert_false (nexus_overpass_error_is_retryable (error));
  g_clear_error (&error);
  g_mutex_lock (&fake->lock);
  fake->status = 500;
  g_mutex_unlock (&fake->lock);
  leads = nexus_overpass_search (overpass, "restaurant", &west, "FR", &saturated, NULL, &error);
  g_assert_error (error, NEXUS_OVERPASS_ERROR, NEXUS_OVERPASS_ERROR_NETWORK);
  g_assert_true (nexus_overpass_error_is_retryable (error));
  g_clear_error (&error);

  fake_overpass_stop (fake);
}

typedef struct
{
  NexusOverpass *overpass;
  guint          n_leads;
} SearchThread;

static gpointer
search_thread (gpointer data)
{
  SearchThread *search = data;
  g_autoptr (GPtrArray) leads = NULL;
  g_autoptr (GError) error = NULL;
  gboolean saturated;

  leads = nexus_overpass_search (search->overpass, "restaurant", &paris, "FR", &saturated, NULL,
                                 &error);
  g_assert_no_error (error);
  search->n_leads = leads->len;
  return NULL;
}

/* However many threads ask, at most two requests are in flight. */
static void
test_two_slots (void)
{
  FakeOverpass    *fake = fake_overpass_start ("paris-restaurants.overpass.json");
  g_autofree char *url = fake_overpass_get_url (fake);
  g_autoptr (NexusOverpass) overpass = nexus_overpass_new (url);
  SearchThread searches[6];
  GThread     *threads[6];

  fake->delay_ms = 300;
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      searches[i].overpass = overpass;
      searches[i].n_leads = 0;
      threads[i] = g_thread_new ("search", search_thread, &searches[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      g_thread_join (threads[i]);
      g_assert_cmpuint (searches[i].n_leads, ==, 64);
    }
  g_assert_cmpuint (fake_overpass_count (fake), ==, 6);
  g_assert_cmpuint (fake->max_in_flight, ==, NEXUS_OVERPASS_MAX_CONCURRENT);
  fake_overpass_stop (fake);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/nexus/Overpass/keyword-filters", test_keyword_filters);
  g_test_add_func ("/nexus/Overpass/keyword-fallback", test_keyword_fallback);
  g_test_add_func ("/nexus/Overpass/build-query", test_build_query);
  g_test_add_func ("/nexus/Overpass/paris-answer", test_paris_answer);
  g_test_add_func ("/nexus/Overpass/element-mapping", test_element_mapping);
  g_test_add_func ("/nexus/Overpass/remark-timeout", test_remark_timeout);
  g_test_add_func ("/nexus/Overpass/search-over-http", test_search_over_http);
  g_test_add_func ("/nexus/Overpass/two-slots", test_two_slots);

  return g_test_run ();
}
