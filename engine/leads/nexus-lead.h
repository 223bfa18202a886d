/* nexus-lead.h — one incoming record: what a provider said about a place
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * This module owns NexusLeadInput, the record the ingest pipeline takes,
 * and its two sources: a LEAD object of the worker protocol
 * (nexus_lead_input_from_json, used by the worker API's report path) and
 * code that fills the fields itself (imports, the demo, tests) and then
 * calls nexus_lead_input_validate().
 *
 * A NexusLeadInput holds the values as supplied: nothing is normalized
 * here.  Every record that reaches the pipeline has passed validation:
 * provider, ref and name are non-empty, every text is valid UTF-8 within
 * the NEXUS_LEAD_MAX_* limits, coordinates are finite and on Earth.
 * payload is the JSON text kept as the source's raw record (lead_sources.raw)
 * — always a LEAD object, so a lead can be rebuilt from its sources.
 *
 * Threads: pure; any thread.  A NexusLeadInput is not shared between
 * threads while one of them changes it.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define NEXUS_LEAD_ERROR (nexus_lead_error_quark ())

typedef enum
{
  NEXUS_LEAD_ERROR_INVALID, /* the message is the short reason sent back to the worker */
} NexusLeadError;

/* Limits, in bytes of UTF-8.  A worker sending more gets the record
 * rejected with a reason, never truncated silently. */
#define NEXUS_LEAD_MAX_PROVIDER 64
#define NEXUS_LEAD_MAX_REF      256
#define NEXUS_LEAD_MAX_NAME     512
#define NEXUS_LEAD_MAX_TEXT     1024 /* address, city, category, email */
#define NEXUS_LEAD_MAX_WEBSITE  2048
#define NEXUS_LEAD_MAX_PHONE    128   /* one entry of phones */
#define NEXUS_LEAD_MAX_PHONES   16    /* entries of phones */
#define NEXUS_LEAD_MAX_PAYLOAD  65536 /* the whole record as JSON */

typedef struct
{
  /* Where the record comes from: provider name ("overpass", "import") and
   * the provider's own id for the place.  (provider, ref) is unique in the
   * vault: reporting it again updates the same source. */
  char *provider;
  char *ref;
  /* The business name as written; required. */
  char *name;
  /* Phone fields as written (char *); each may hold several numbers. */
  GPtrArray *phones;
  /* A URL or a bare host. */
  char *website;
  /* An e-mail address (validated when normalized). */
  char *email;
  /* Street address and city, as written. */
  char *address;
  char *city;
  /* ISO 3166-1 alpha-2 as given (normalized later; also the default region
   * of this record's phones when valid). */
  char *country;
  /* WGS 84 degrees; meaningful only when has_location. */
  double   lat;
  double   lon;
  gboolean has_location;
  /* The provider's category or type ("restaurant", "amenity=cafe"). */
  char *category;
  /* Meaningful only when has_rating. */
  double   rating;
  gboolean has_rating;
  /* Number of reviews, or -1 when unknown. */
  gint64 reviews;
  /* The record as a LEAD JSON object; set by nexus_lead_input_from_json()
   * or by nexus_lead_input_validate() when the caller left it NULL. */
  char *payload;
} NexusLeadInput;

GQuark nexus_lead_error_quark (void);

NexusLeadInput *nexus_lead_input_new (void);
void            nexus_lead_input_free (NexusLeadInput *input);
NexusLeadInput *nexus_lead_input_from_json (JsonObject *object, GError **error);
gboolean        nexus_lead_input_validate (NexusLeadInput *input, GError **error);
JsonNode       *nexus_lead_input_to_json (const NexusLeadInput *input, JsonNode *raw);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusLeadInput, nexus_lead_input_free)

G_END_DECLS
