/* nexus-overpass.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nexus-overpass"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>
#include <libsoup/soup.h>
#include <string.h>

#include "leads/nexus-normalize.h"
#include "nexus-overpass-presets.h"
#include "nexus-overpass.h"

struct _NexusOverpass
{
  char *url; /* the interpreter endpoint; immutable */
};

typedef struct
{
  guint16 filter;
  guint8  weight;
} TermMatch;

/* normalized term → GArray of TermMatch; built once, then read only. */
static GHashTable *term_index;

/* The process-wide request slots (etiquette of the public instance). */
static GMutex slot_lock;
static GCond  slot_cond;
static guint  slots_in_use;

/* clang-format off */
G_DEFINE_QUARK (nexus-overpass-error-quark, nexus_overpass_error)
/* clang-format on */

const char *
nexus_overpass_get_user_agent (void)
{
  return "Nexus-worker/" PACKAGE_VERSION " (+https://github.com/nexus-leads/nexus)";
}

/**
 * nexus_overpass_new:
 * @url: (nullable): the interpreter endpoint; %NULL for the public instance
 */
NexusOverpass *
nexus_overpass_new (const char *url)
{
  NexusOverpass *self = g_new0 (NexusOverpass, 1);

  self->url = g_strdup (url != NULL && *url != '\0' ? url : NEXUS_OVERPASS_DEFAULT_URL);
  return self;
}

void
nexus_overpass_free (NexusOverpass *self)
{
  if (self == NULL)
    return;
  g_free (self->url);
  g_free (self);
}

static gpointer
build_term_index (gpointer data)
{
  GHashTable *index =
      g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_array_unref);

  for (gsize i = 0; i < G_N_ELEMENTS (overpass_terms); i++)
    {
      g_autofree char *key = nexus_normalize_text (overpass_terms[i].term);
      TermMatch        match = { overpass_terms[i].filter, overpass_terms[i].weight };
      GArray          *matches;

      if (key == NULL || *key == '\0')
        continue;
      matches = g_hash_table_lookup (index, key);
      if (matches == NULL)
        {
          matches = g_array_new (FALSE, FALSE, sizeof (TermMatch));
          g_hash_table_insert (index, g_strdup (key), matches);
        }
      g_array_append_val (matches, match);
    }
  return index;
}

/* TRUE when every [..] piece of @small appears in @large: a filter that
 * asks for more tags finds nothing the smaller one misses. */
static gboolean
filter_covers (const char *small, const char *large)
{
  const char *p = small;

  while (*p == '[')
    {
      const char      *end = strstr (p, "]");
      g_autofree char *piece = NULL;

      if (end == NULL)
        return FALSE;
      piece = g_strndup (p, end - p + 1);
      if (strstr (large, piece) == NULL)
        return FALSE;
      p = end + 1;
    }
  return TRUE;
}

/* Overpass strings are double-quoted with backslash escapes; a regex inside
 * one needs its metacharacters escaped once more. */
static char *
name_regex_filter (const char *keyword)
{
  GString *out = g_string_new ("[\"name\"~\"");

  for (const char *p = keyword; *p != '\0'; p++)
    {
      if ((guchar)*p < 0x20)
        continue;
      if (strchr (".*+?()[]{}|^$", *p) != NULL)
        g_string_append (out, "\\\\");
      if (*p == '\\')
        g_string_append (out, "\\\\\\");
      else if (*p == '"')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  g_string_append (out, "\",i]");
  return g_string_free (out, FALSE);
}

/**
 * nexus_overpass_filters_for_keyword:
 * @keyword: what the operator searches for, English or Arabic
 *
 * Returns: (transfer full) (element-type utf8): the tag filters of the
 *   presets whose best-weighted term is @keyword (a filter implied by a
 *   broader one is dropped), or a single name-regex filter when no preset
 *   knows it; empty when @keyword holds nothing searchable
 */
GPtrArray *
nexus_overpass_filters_for_keyword (const char *keyword)
{
  static GOnce once = G_ONCE_INIT;
  g_autoptr (GPtrArray) filters = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *key = NULL;
  g_autofree char *trimmed = NULL;
  GArray          *matches;
  guint8           best = 0;

  term_index = g_once (&once, build_term_index, NULL);
  if (keyword == NULL)
    return g_steal_pointer (&filters);
  trimmed = g_strstrip (g_strdup (keyword));
  key = nexus_normalize_text (trimmed);
  if (key == NULL || *key == '\0')
    return g_steal_pointer (&filters);

  matches = g_hash_table_lookup (term_index, key);
  for (guint i = 0; matches != NULL && i < matches->len; i++)
    best = MAX (best, g_array_index (matches, TermMatch, i).weight);

  for (guint i = 0; matches != NULL && i < matches->len; i++)
    {
      const TermMatch *match = &g_array_index (matches, TermMatch, i);
      const char      *filter = overpass_filters[match->filter];
      gboolean         covered = FALSE;

      if (match->weight != best)
        continue;
      for (guint j = 0; j < filters->len && !covered; j++)
        covered = filter_covers (g_ptr_array_index (filters, j), filter);
      if (covered)
        continue;
      /* A broader filter replaces the narrower ones already kept. */
      for (guint j = filters->len; j > 0; j--)
        if (filter_covers (filter, g_ptr_array_index (filters, j - 1)))
          g_ptr_array_remove_index (filters, j - 1);
      if (filters->len < NEXUS_OVERPASS_MAX_FILTERS)
        g_ptr_array_add (filters, g_strdup (filter));
    }

  if (filters->len == 0)
    g_ptr_array_add (filters, name_regex_filter (trimmed));
  return g_steal_pointer (&filters);
}

/**
 * nexus_overpass_build_query:
 * @timeout_s: the server-side timeout written into the query
 *
 * Returns: (transfer full) (nullable): the Overpass QL of one job, or
 *   %NULL when @keyword holds nothing searchable
 */
char *
nexus_overpass_build_query (const char *keyword, const NexusBBox *cell, guint timeout_s)
{
  g_autoptr (GPtrArray) filters = nexus_overpass_filters_for_keyword (keyword);
  GString *query;
  char     s[G_ASCII_DTOSTR_BUF_SIZE];
  char     w[G_ASCII_DTOSTR_BUF_SIZE];
  char     n[G_ASCII_DTOSTR_BUF_SIZE];
  char     e[G_ASCII_DTOSTR_BUF_SIZE];

  if (filters->len == 0)
    return NULL;

  /* 1e-7 degrees is about a centimetre: as exact as OSM's own positions. */
  g_ascii_formatd (s, sizeof s, "%.7f", cell->south);
  g_ascii_formatd (w, sizeof w, "%.7f", cell->west);
  g_ascii_formatd (n, sizeof n, "%.7f", cell->north);
  g_ascii_formatd (e, sizeof e, "%.7f", cell->east);

  query = g_string_new (NULL);
  g_string_append_printf (query, "[out:json][timeout:%u];\n(\n", timeout_s);
  for (guint i = 0; i < filters->len; i++)
    g_string_append_printf (query, "  nwr%s(%s,%s,%s,%s);\n",
                            (const char *)g_ptr_array_index (filters, i), s, w, n, e);
  g_string_append (query, ");\nout center tags;\n");
  return g_string_free (query, FALSE);
}

static const char *
tag (JsonObject *tags, const char *name)
{
  JsonNode *node = json_object_get_member (tags, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static const char *
first_tag (JsonObject *tags, const char *const *names)
{
  for (guint i = 0; names[i] != NULL; i++)
    {
      const char *value = tag (tags, names[i]);

      if (value != NULL && *value != '\0')
        return value;
    }
  return NULL;
}

static void
set_string (JsonObject *lead, const char *name, const char *value)
{
  if (value != NULL && *value != '\0')
    json_object_set_string_member (lead, name, value);
}

static gboolean
get_coordinates (JsonObject *object, double *out_lat, double *out_lon)
{
  JsonNode *lat;
  JsonNode *lon;

  if (object == NULL)
    return FALSE;
  lat = json_object_get_member (object, "lat");
  lon = json_object_get_member (object, "lon");
  if (lat == NULL || lon == NULL || !JSON_NODE_HOLDS_VALUE (lat) || !JSON_NODE_HOLDS_VALUE (lon) ||
      (json_node_get_value_type (lat) != G_TYPE_DOUBLE &&
       json_node_get_value_type (lat) != G_TYPE_INT64) ||
      (json_node_get_value_type (lon) != G_TYPE_DOUBLE &&
       json_node_get_value_type (lon) != G_TYPE_INT64))
    return FALSE;
  *out_lat = json_node_get_double (lat);
  *out_lon = json_node_get_double (lon);
  return TRUE;
}

/* "12 Rue Oberkampf, 75011": the house number before the street, as
 * OpenStreetMap's own addr:* keys do not say how a country writes it. */
static char *
build_address (JsonObject *tags)
{
  static const char *const full_keys[] = { "addr:full", "contact:full", NULL };
  static const char *const number_keys[] = { "addr:housenumber", "contact:housenumber", NULL };
  static const char *const street_keys[] = { "addr:street", "contact:street", "addr:place", NULL };
  static const char *const postcode_keys[] = { "addr:postcode", "contact:postcode", NULL };
  const char              *full = first_tag (tags, full_keys);
  const char              *number = first_tag (tags, number_keys);
  const char              *street = first_tag (tags, street_keys);
  const char              *postcode = first_tag (tags, postcode_keys);
  GString                 *address;

  if (full != NULL)
    return g_strdup (full);
  if (street == NULL)
    return NULL;
  address = g_string_new (NULL);
  if (number != NULL)
    g_string_append_printf (address, "%s ", number);
  g_string_append (address, street);
  if (postcode != NULL)
    g_string_append_printf (address, ", %s", postcode);
  return g_string_free (address, FALSE);
}

/**
 * nexus_overpass_element_to_lead:
 * @element: one member of an Overpass answer's "elements"
 * @country: (nullable): the search's country, used when the element has
 *   no addr:country
 *
 * Maps tags to a LEAD object: name (or brand), phones from phone,
 * contact:phone, mobile and contact:mobile split on ";", website, email,
 * address and city from addr:* (or contact:*), category from shop,
 * amenity, craft, office…, ref "node/ID", "way/ID" or "relation/ID", the
 * position of a node or the centre of a way or relation, and the tags.
 *
 * Returns: (transfer full) (nullable): the LEAD, or %NULL for an element
 *   that is no place (no id, no type, or no name)
 */
JsonNode *
nexus_overpass_element_to_lead (JsonObject *element, const char *country)
{
  static const char *const name_keys[] = { "name", "brand", "operator", NULL };
  static const char *const phone_keys[] = { "phone", "contact:phone", "mobile", "contact:mobile",
                                            NULL };
  static const char *const website_keys[] = { "website", "contact:website", "url", NULL };
  static const char *const email_keys[] = { "email", "contact:email", NULL };
  static const char *const city_keys[] = { "addr:city", "contact:city", NULL };
  static const char *const country_keys[] = { "addr:country", "contact:country", NULL };
  static const char *const category_keys[] = { "shop",       "amenity", "craft",
                                               "office",     "tourism", "leisure",
                                               "healthcare", "club",    NULL };
  g_autoptr (JsonObject) lead = NULL;
  g_autoptr (JsonArray) phones = NULL;
  g_autoptr (GHashTable) seen = NULL;
  g_autofree char *ref = NULL;
  g_autofree char *address = NULL;
  JsonNode        *tags_node;
  JsonNode        *id_node;
  JsonNode        *center;
  JsonObject      *tags;
  const char      *type;
  const char      *name;
  double           lat;
  double           lon;

  if (element == NULL)
    return NULL;
  type = tag (element, "type");
  id_node = json_object_get_member (element, "id");
  tags_node = json_object_get_member (element, "tags");
  if (type == NULL ||
      (!g_str_equal (type, "node") && !g_str_equal (type, "way") &&
       !g_str_equal (type, "relation")) ||
      id_node == NULL || !JSON_NODE_HOLDS_VALUE (id_node) ||
      json_node_get_value_type (id_node) != G_TYPE_INT64 || tags_node == NULL ||
      !JSON_NODE_HOLDS_OBJECT (tags_node))
    return NULL;
  tags = json_node_get_object (tags_node);
  name = first_tag (tags, name_keys);
  if (name == NULL)
    return NULL;

  lead = json_object_new ();
  ref = g_strdup_printf ("%s/%" PRId64, type, json_node_get_int (id_node));
  json_object_set_string_member (lead, "provider", "overpass");
  json_object_set_string_member (lead, "ref", ref);
  json_object_set_string_member (lead, "name", name);

  phones = json_array_new ();
  seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; phone_keys[i] != NULL; i++)
    {
      const char *value = tag (tags, phone_keys[i]);
      g_auto (GStrv) parts = NULL;

      if (value == NULL)
        continue;
      parts = g_strsplit (value, ";", -1);
      for (guint j = 0; parts[j] != NULL; j++)
        {
          char *phone = g_strstrip (parts[j]);

          if (*phone == '\0' || json_array_get_length (phones) >= 16 ||
              !g_hash_table_add (seen, g_strdup (phone)))
            continue;
          json_array_add_string_element (phones, phone);
        }
    }
  if (json_array_get_length (phones) > 0)
    json_object_set_array_member (lead, "phones", g_steal_pointer (&phones));

  set_string (lead, "website", first_tag (tags, website_keys));
  set_string (lead, "email", first_tag (tags, email_keys));
  address = build_address (tags);
  set_string (lead, "address", address);
  set_string (lead, "city", first_tag (tags, city_keys));
  set_string (lead, "country",
              first_tag (tags, country_keys) != NULL ? first_tag (tags, country_keys) : country);
  set_string (lead, "category", first_tag (tags, category_keys));

  center = json_object_get_member (element, "center");
  if (get_coordinates (element, &lat, &lon) ||
      (center != NULL && JSON_NODE_HOLDS_OBJECT (center) &&
       get_coordinates (json_node_get_object (center), &lat, &lon)))
    {
      json_object_set_double_member (lead, "lat", lat);
      json_object_set_double_member (lead, "lon", lon);
    }

  json_object_set_member (lead, "tags", json_node_copy (tags_node));
  return json_node_init_object (json_node_alloc (), lead);
}

/* A remark saying the server gave up on a query that was too big for it;
 * any other remark is reported as an error. */
static gboolean
remark_means_saturated (const char *remark)
{
  return strstr (remark, "timed out") != NULL || strstr (remark, "out of memory") != NULL ||
         strstr (remark, "Query run out of memory") != NULL;
}

/**
 * nexus_overpass_parse_answer:
 * @out_saturated: (out): set when the server gave up on the query (a
 *   timeout or memory remark); the results are then empty
 *
 * Returns: (transfer full) (element-type JsonNode): the LEAD objects of an
 *   answer's elements, or %NULL with %NEXUS_OVERPASS_ERROR_BAD_ANSWER
 */
GPtrArray *
nexus_overpass_parse_answer (const char *body,
                             gsize       length,
                             const char *country,
                             gboolean   *out_saturated,
                             GError    **error)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autoptr (GPtrArray) leads = g_ptr_array_new_with_free_func ((GDestroyNotify)json_node_unref);
  g_autoptr (GError) local_error = NULL;
  JsonNode   *root;
  JsonNode   *elements;
  JsonObject *object;
  const char *remark;

  *out_saturated = FALSE;
  if (!json_parser_load_from_data (parser, body, length, &local_error) ||
      !JSON_NODE_HOLDS_OBJECT ((root = json_parser_get_root (parser))))
    {
      g_set_error_literal (error, NEXUS_OVERPASS_ERROR, NEXUS_OVERPASS_ERROR_BAD_ANSWER,
                           _ ("The Overpass answer is not a JSON object"));
      return NULL;
    }
  object = json_node_get_object (root);
  remark = tag (object, "remark");
  if (remark != NULL && remark_means_saturated (remark))
    {
      *out_saturated = TRUE;
      return g_steal_pointer (&leads);
    }
  if (remark != NULL && g_str_has_prefix (remark, "runtime error"))
    {
      g_autofree char *shown = g_utf8_make_valid (remark, MIN (strlen (remark), 200));

      g_set_error (error, NEXUS_OVERPASS_ERROR, NEXUS_OVERPASS_ERROR_BAD_ANSWER,
                   _ ("Overpass could not run the query: %s"), shown);
      return NULL;
    }

  elements = json_object_get_member (object, "elements");
  if (elements == NULL || !JSON_NODE_HOLDS_ARRAY (elements))
    {
      g_set_error_literal (error, NEXUS_OVERPASS_ERROR, NEXUS_OVERPASS_ERROR_BAD_ANSWER,
                           _ ("The Overpass answer has no elements"));
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (json_node_get_array (elements)); i++)
    {
      JsonNode *element = json_array_get_element (json_node_get_array (elements), i);
      JsonNode *lead =
          JSON_NODE_HOLDS_OBJECT (element)
              ? nexus_overpass_element_to_lead (json_node_get_object (element), country)
              : NULL;

      if (lead != NULL)
        g_ptr_array_add (leads, lead);
    }
  return g_steal_pointer (&leads);
}

static gboolean
take_slot (GCancellable *cancellable, GError **error)
{
  gboolean taken = FALSE;

  g_mutex_lock (&slot_lock);
  while (!g_cancellable_is_cancelled (cancellable))
    {
      if (slots_in_use < NEXUS_OVERPASS_MAX_CONCURRENT)
        {
          slots_in_use++;
          taken = TRUE;
          break;
        }
      /* Woken by a released slot; the timeout notices a cancel. */
      g_cond_wait_until (&slot_cond, &slot_lock, g_get_monotonic_time () + G_USEC_PER_SEC / 4);
    }
  g_mutex_unlock (&slot_lock);
  if (!taken)
    g_cancellable_set_error_if_cancelled (cancellable, error);
  return taken;
}

static void
release_slot (void)
{
  g_mutex_lock (&slot_lock);
  slots_in_use--;
  g_cond_signal (&slot_cond);
  g_mutex_unlock (&slot_lock);
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
          g_set_error (error, NEXUS_OVERPASS_ERROR, NEXUS_OVERPASS_ERROR_BAD_ANSWER,
                       _ ("The Overpass answer is larger than %u MiB"), (guint)(max >> 20));
          return NULL;
        }
      g_byte_array_append (data, buffer, n);
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&data));
}

/**
 * nexus_overpass_search:
 * @country: (nullable): the search's country, for leads without addr:country
 * @out_saturated: (out): set when the cell was too dense for one query
 *
 * Runs one job: blocks on the network, honours @cancellable.
 *
 * Returns: (transfer full) (element-type JsonNode): the LEAD objects found
 *   (empty when saturated), or %NULL with @error set
 */
GPtrArray *
nexus_overpass_search (NexusOverpass   *self,
                       const char      *keyword,
                       const NexusBBox *cell,
                       const char      *country,
                       gboolean        *out_saturated,
                       GCancellable    *cancellable,
                       GError         **error)
{
  g_autoptr (SoupSession) session = NULL;
  g_autoptr (SoupMessage) msg = NULL;
  g_autoptr (GInputStream) stream = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GError) bbox_error = NULL;
  g_autofree char *query = NULL;
  g_autofree char *form = NULL;
  guint            status;

  *out_saturated = FALSE;
  if (!nexus_bbox_validate (cell, &bbox_error))
    {
      g_set_error (error, NEXUS_OVERPASS_ERROR, NEXUS_OVERPASS_ERROR_INVALID,
                   _ ("The job's cell is not usable: %s"), bbox_error->message);
      return NULL;
    }
  query = nexus_overpass_build_query (keyword, cell, NEXUS_OVERPASS_QUERY_TIMEOUT_S);
  if (query == NULL)
    {
      g_set_error_literal (error, NEXUS_OVERPASS_ERROR, NEXUS_OVERPASS_ERROR_INVALID,
                           _ ("The job has no keyword to search for"));
      return NULL;
    }

  form = soup_form_encode ("data", query, NULL);
  msg = soup_message_new_from_encoded_form ("POST", self->url, g_steal_pointer (&form));
  if (msg == NULL)
    {
      g_set_error_literal (error, NEXUS_OVERPASS_ERROR, NEXUS_OVERPASS_ERROR_INVALID,
                           _ ("The Overpass URL is not a valid http(s) URL"));
      return NULL;
    }
  session =
      soup_session_new_with_options ("user-agent", nexus_overpass_get_user_agent (), "timeout",
                                     NEXUS_OVERPASS_QUERY_TIMEOUT_S + 20, "idle-timeout", 5, NULL);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Accept",
                                "application/json");

  if (!take_slot (cancellable, error))
    return NULL;
  stream = soup_session_send (session, msg, cancellable, &local_error);
  if (stream != NULL)
    body = read_limited (stream, NEXUS_OVERPASS_MAX_ANSWER_BYTES, cancellable, &local_error);
  release_slot ();

  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (local_error != NULL && local_error->domain == NEXUS_OVERPASS_ERROR)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (stream == NULL || body == NULL)
    {
      g_set_error (error, NEXUS_OVERPASS_ERROR, NEXUS_OVERPASS_ERROR_NETWORK,
                   _ ("No answer from Overpass: %s"), local_error->message);
      return NULL;
    }

  status = soup_message_get_status (msg);
  if (status == 429 || status == SOUP_STATUS_GATEWAY_TIMEOUT)
    {
      /* The instance is busy with this cell: smaller cells go through. */
      *out_saturated = TRUE;
      return g_ptr_array_new_with_free_func ((GDestroyNotify)json_node_unref);
    }
  if (status >= 400 && status < 500)
    {
      g_set_error (error, NEXUS_OVERPASS_ERROR, NEXUS_OVERPASS_ERROR_REFUSED,
                   _ ("Overpass refused the query (HTTP %u)"), status);
      return NULL;
    }
  if (status != SOUP_STATUS_OK)
    {
      g_set_error (error, NEXUS_OVERPASS_ERROR, NEXUS_OVERPASS_ERROR_NETWORK,
                   _ ("Overpass answered HTTP %u"), status);
      return NULL;
    }

  return nexus_overpass_parse_answer (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                                      country, out_saturated, error);
}

/* Whether a job that failed with @error may succeed on another try. */
gboolean
nexus_overpass_error_is_retryable (const GError *error)
{
  if (error == NULL || error->domain != NEXUS_OVERPASS_ERROR)
    return TRUE;
  return error->code == NEXUS_OVERPASS_ERROR_NETWORK ||
         error->code == NEXUS_OVERPASS_ERROR_BAD_ANSWER;
}
