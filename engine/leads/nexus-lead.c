/* nexus-lead.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nexus-leads"

#include "config.h"

#include <math.h>
#include <string.h>

#include "nexus-lead.h"

/* clang-format off */
G_DEFINE_QUARK (nexus-lead-error-quark, nexus_lead_error)
/* clang-format on */

/**
 * nexus_lead_input_new:
 *
 * Returns: (transfer full): an empty record (no location, no rating,
 *   reviews unknown)
 */
NexusLeadInput *
nexus_lead_input_new (void)
{
  NexusLeadInput *input = g_new0 (NexusLeadInput, 1);

  input->phones = g_ptr_array_new_with_free_func (g_free);
  input->reviews = -1;
  return input;
}

void
nexus_lead_input_free (NexusLeadInput *input)
{
  if (input == NULL)
    return;
  g_free (input->provider);
  g_free (input->ref);
  g_free (input->name);
  g_clear_pointer (&input->phones, g_ptr_array_unref);
  g_free (input->website);
  g_free (input->email);
  g_free (input->address);
  g_free (input->city);
  g_free (input->country);
  g_free (input->category);
  g_free (input->payload);
  g_free (input);
}

static gboolean reject (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
reject (GError **error, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list          args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, NEXUS_LEAD_ERROR, NEXUS_LEAD_ERROR_INVALID, message);
  return FALSE;
}

/* Reads an optional (or required) string member, trimmed; "" counts as
 * absent. */
static gboolean
get_string (JsonObject *object,
            const char *member,
            gsize       max,
            gboolean    required,
            char      **out,
            GError    **error)
{
  JsonNode        *node = json_object_get_member (object, member);
  g_autofree char *copy = NULL;
  char            *text;

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return required ? reject (error, "missing %s", member) : TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return reject (error, "%s: not a string", member);

  copy = g_strdup (json_node_get_string (node));
  text = g_strstrip (copy);
  if (strlen (text) > max)
    return reject (error, "%s too long (over %" G_GSIZE_FORMAT " bytes)", member, max);
  if (*text == '\0')
    return required ? reject (error, "missing %s", member) : TRUE;
  *out = g_strdup (text);
  return TRUE;
}

static gboolean
get_number (JsonObject *object,
            const char *member,
            gboolean   *out_present,
            double     *out_value,
            GError    **error)
{
  JsonNode *node = json_object_get_member (object, member);
  GType     type;

  *out_present = FALSE;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  type = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;
  if (type == G_TYPE_INT64)
    *out_value = (double)json_node_get_int (node);
  else if (type == G_TYPE_DOUBLE)
    *out_value = json_node_get_double (node);
  else
    return reject (error, "%s: not a number", member);
  if (!isfinite (*out_value))
    return reject (error, "%s: not a finite number", member);
  *out_present = TRUE;
  return TRUE;
}

/* The checks shared by both ways of making a record. */
static gboolean
check_location (NexusLeadInput *input, GError **error)
{
  if (!input->has_location)
    return TRUE;
  if (!isfinite (input->lat) || !isfinite (input->lon) || input->lat < -90.0 || input->lat > 90.0 ||
      input->lon < -180.0 || input->lon > 180.0)
    return reject (error, "coordinates out of range");
  /* (0, 0) is a provider's "unknown", not a business in the Gulf of
   * Guinea: kept as no location. */
  if (input->lat == 0.0 && input->lon == 0.0)
    input->has_location = FALSE;
  return TRUE;
}

static gboolean
get_phones (JsonObject *object, NexusLeadInput *input, GError **error)
{
  JsonNode  *node = json_object_get_member (object, "phones");
  JsonArray *array;
  guint      n;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return reject (error, "phones: not a list of strings");
  array = json_node_get_array (node);
  n = json_array_get_length (array);
  if (n > NEXUS_LEAD_MAX_PHONES)
    return reject (error, "too many phones (over %d)", NEXUS_LEAD_MAX_PHONES);

  for (guint i = 0; i < n; i++)
    {
      JsonNode        *element = json_array_get_element (array, i);
      g_autofree char *copy = NULL;
      char            *text;

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
        return reject (error, "phones: not a list of strings");
      copy = g_strdup (json_node_get_string (element));
      text = g_strstrip (copy);
      if (strlen (text) > NEXUS_LEAD_MAX_PHONE)
        return reject (error, "phone too long (over %d bytes)", NEXUS_LEAD_MAX_PHONE);
      if (*text != '\0')
        g_ptr_array_add (input->phones, g_strdup (text));
    }
  return TRUE;
}

/**
 * nexus_lead_input_from_json:
 * @object: a LEAD object of the worker protocol (PROTOCOL.md):
 *   {"provider","ref","name","phones":[…],"website","email","address",
 *   "city","country","lat","lon","category","tags":{…},"rating","reviews",
 *   "raw":{…}}
 * @error: return location for a %NEXUS_LEAD_ERROR_INVALID whose message is
 *   the short reason for the report's "rejected" list ("missing name",
 *   "lat: not a number", "coordinates out of range", "name too long (over
 *   512 bytes)", "record too large (over 65536 bytes)"…)
 *
 * Checks one record and copies its fields.  Only provider, ref and name are
 * required; null counts as absent; members the protocol does not define
 * are kept in the payload and otherwise ignored.
 *
 * Returns: (transfer full) (nullable): the record, or %NULL with @error set
 */
NexusLeadInput *
nexus_lead_input_from_json (JsonObject *object, GError **error)
{
  g_autoptr (NexusLeadInput) input = nexus_lead_input_new ();
  g_autoptr (JsonNode) root = NULL;
  gboolean  has_lat = FALSE;
  gboolean  has_lon = FALSE;
  gboolean  has_reviews = FALSE;
  double    reviews = 0;
  JsonNode *node;
  gsize     length = 0;

  if (object == NULL)
    {
      reject (error, "not an object");
      return NULL;
    }

  if (!get_string (object, "provider", NEXUS_LEAD_MAX_PROVIDER, TRUE, &input->provider, error) ||
      !get_string (object, "ref", NEXUS_LEAD_MAX_REF, TRUE, &input->ref, error) ||
      !get_string (object, "name", NEXUS_LEAD_MAX_NAME, TRUE, &input->name, error) ||
      !get_phones (object, input, error) ||
      !get_string (object, "website", NEXUS_LEAD_MAX_WEBSITE, FALSE, &input->website, error) ||
      !get_string (object, "email", NEXUS_LEAD_MAX_TEXT, FALSE, &input->email, error) ||
      !get_string (object, "address", NEXUS_LEAD_MAX_TEXT, FALSE, &input->address, error) ||
      !get_string (object, "city", NEXUS_LEAD_MAX_TEXT, FALSE, &input->city, error) ||
      !get_string (object, "country", NEXUS_LEAD_MAX_TEXT, FALSE, &input->country, error) ||
      !get_string (object, "category", NEXUS_LEAD_MAX_TEXT, FALSE, &input->category, error) ||
      !get_number (object, "lat", &has_lat, &input->lat, error) ||
      !get_number (object, "lon", &has_lon, &input->lon, error) ||
      !get_number (object, "rating", &input->has_rating, &input->rating, error) ||
      !get_number (object, "reviews", &has_reviews, &reviews, error))
    return NULL;

  if (has_lat != has_lon)
    {
      reject (error, has_lat ? "lat without lon" : "lon without lat");
      return NULL;
    }
  input->has_location = has_lat;
  if (!check_location (input, error))
    return NULL;

  if (input->has_rating && (input->rating < 0 || input->rating > 100))
    {
      reject (error, "rating out of range");
      return NULL;
    }
  if (has_reviews)
    {
      if (reviews < 0 || reviews != floor (reviews) || reviews > (double)G_MAXINT32)
        {
          reject (error, "reviews: not a count");
          return NULL;
        }
      input->reviews = (gint64)reviews;
    }

  node = json_object_get_member (object, "tags");
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node) && !JSON_NODE_HOLDS_OBJECT (node))
    {
      reject (error, "tags: not an object");
      return NULL;
    }

  root = json_node_init_object (json_node_alloc (), object);
  {
    g_autoptr (JsonGenerator) generator = json_generator_new ();

    json_generator_set_root (generator, root);
    input->payload = json_generator_to_data (generator, &length);
  }
  if (length > NEXUS_LEAD_MAX_PAYLOAD)
    {
      reject (error, "record too large (over %d bytes)", NEXUS_LEAD_MAX_PAYLOAD);
      return NULL;
    }

  return g_steal_pointer (&input);
}

static gboolean
check_text (const char *member, char **text, gsize max, gboolean required, GError **error)
{
  if (*text != NULL)
    {
      if (!g_utf8_validate (*text, -1, NULL))
        return reject (error, "%s: not UTF-8", member);
      g_strstrip (*text);
      if (strlen (*text) > max)
        return reject (error, "%s too long (over %" G_GSIZE_FORMAT " bytes)", member, max);
      if (**text == '\0')
        g_clear_pointer (text, g_free);
    }
  if (required && *text == NULL)
    return reject (error, "missing %s", member);
  return TRUE;
}

/**
 * nexus_lead_input_validate:
 * @input: a record filled by code (an import row, the demo, a test)
 * @error: as for nexus_lead_input_from_json()
 *
 * Applies the rules of nexus_lead_input_from_json() to a record built
 * field by field: trims texts (empty ones become %NULL), checks UTF-8,
 * limits and coordinates, and sets payload to the record as a LEAD object
 * when it is %NULL.
 *
 * Returns: %TRUE when the record may enter the pipeline
 */
gboolean
nexus_lead_input_validate (NexusLeadInput *input, GError **error)
{
  g_return_val_if_fail (input != NULL, FALSE);

  if (!check_text ("provider", &input->provider, NEXUS_LEAD_MAX_PROVIDER, TRUE, error) ||
      !check_text ("ref", &input->ref, NEXUS_LEAD_MAX_REF, TRUE, error) ||
      !check_text ("name", &input->name, NEXUS_LEAD_MAX_NAME, TRUE, error) ||
      !check_text ("website", &input->website, NEXUS_LEAD_MAX_WEBSITE, FALSE, error) ||
      !check_text ("email", &input->email, NEXUS_LEAD_MAX_TEXT, FALSE, error) ||
      !check_text ("address", &input->address, NEXUS_LEAD_MAX_TEXT, FALSE, error) ||
      !check_text ("city", &input->city, NEXUS_LEAD_MAX_TEXT, FALSE, error) ||
      !check_text ("country", &input->country, NEXUS_LEAD_MAX_TEXT, FALSE, error) ||
      !check_text ("category", &input->category, NEXUS_LEAD_MAX_TEXT, FALSE, error))
    return FALSE;

  if (input->phones->len > NEXUS_LEAD_MAX_PHONES)
    return reject (error, "too many phones (over %d)", NEXUS_LEAD_MAX_PHONES);
  for (guint i = 0; i < input->phones->len;)
    {
      char **phone = (char **)&input->phones->pdata[i];

      if (!check_text ("phone", phone, NEXUS_LEAD_MAX_PHONE, FALSE, error))
        return FALSE;
      if (*phone == NULL)
        g_ptr_array_remove_index (input->phones, i);
      else
        i++;
    }

  if (!check_location (input, error))
    return FALSE;
  if (input->has_rating && (!isfinite (input->rating) || input->rating < 0 || input->rating > 100))
    return reject (error, "rating out of range");

  if (input->payload == NULL)
    {
      g_autoptr (JsonNode) node = nexus_lead_input_to_json (input, NULL);
      input->payload = json_to_string (node, FALSE);
    }
  if (strlen (input->payload) > NEXUS_LEAD_MAX_PAYLOAD)
    return reject (error, "record too large (over %d bytes)", NEXUS_LEAD_MAX_PAYLOAD);
  return TRUE;
}

static void
add_string (JsonBuilder *builder, const char *member, const char *value)
{
  if (value == NULL)
    return;
  json_builder_set_member_name (builder, member);
  json_builder_add_string_value (builder, value);
}

/**
 * nexus_lead_input_to_json:
 * @input: a record
 * @raw: (nullable) (transfer none): the original data to keep under "raw"
 *   (an import's row), or %NULL
 *
 * Returns: (transfer full): @input as a LEAD object of the worker protocol
 */
JsonNode *
nexus_lead_input_to_json (const NexusLeadInput *input, JsonNode *raw)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  add_string (builder, "provider", input->provider);
  add_string (builder, "ref", input->ref);
  add_string (builder, "name", input->name);
  if (input->phones->len > 0)
    {
      json_builder_set_member_name (builder, "phones");
      json_builder_begin_array (builder);
      for (guint i = 0; i < input->phones->len; i++)
        json_builder_add_string_value (builder, g_ptr_array_index (input->phones, i));
      json_builder_end_array (builder);
    }
  add_string (builder, "website", input->website);
  add_string (builder, "email", input->email);
  add_string (builder, "address", input->address);
  add_string (builder, "city", input->city);
  add_string (builder, "country", input->country);
  if (input->has_location)
    {
      json_builder_set_member_name (builder, "lat");
      json_builder_add_double_value (builder, input->lat);
      json_builder_set_member_name (builder, "lon");
      json_builder_add_double_value (builder, input->lon);
    }
  add_string (builder, "category", input->category);
  if (input->has_rating)
    {
      json_builder_set_member_name (builder, "rating");
      json_builder_add_double_value (builder, input->rating);
    }
  if (input->reviews >= 0)
    {
      json_builder_set_member_name (builder, "reviews");
      json_builder_add_int_value (builder, input->reviews);
    }
  if (raw != NULL)
    {
      json_builder_set_member_name (builder, "raw");
      json_builder_add_value (builder, json_node_copy (raw));
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}
