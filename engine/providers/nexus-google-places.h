/* nexus-google-places.h — the Google Places (New) provider of nexus-worker
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Turns one place_search job whose provider is "google" (keyword × cell)
 * into LEAD objects of the worker protocol, with Text Search of the Places
 * API (New): POST BASE/places:searchText, the key in X-Goog-Api-Key, the
 * fields asked for in X-Goog-FieldMask, the cell as a locationRestriction
 * rectangle.
 *
 *  - pages: up to NEXUS_GOOGLE_PLACES_MAX_PAGES of
 *    NEXUS_GOOGLE_PLACES_PAGE_SIZE, following nextPageToken (a job may
 *    start from its payload's page_token); Text Search never gives more
 *    than 60 places for one query, so a last page that is still full and
 *    still has a nextPageToken means the cell holds more than Google will
 *    say: the job is saturated and the planner splits the cell;
 *  - errors: HTTP 403 (key refused, API not enabled, billing) and any
 *    other 4xx except 429 are not retryable; 429, 5xx, no answer or an
 *    answer that is not Places JSON are retryable;
 *  - the key: held by the NexusGooglePlaces, sent only as a header; never
 *    part of a URL, an error message or a log line (an error text Google
 *    sends back is shown with any copy of the key replaced).
 *
 * Threads: nexus_google_places_search() blocks on the network; call it
 * from a job thread, never from a main loop.  A NexusGooglePlaces may be
 * shared by threads (it holds only immutable settings).  The other
 * functions are pure and callable from any thread.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "planner/nexus-geo.h"

G_BEGIN_DECLS

#define NEXUS_GOOGLE_PLACES_ERROR (nexus_google_places_error_quark ())

typedef enum
{
  NEXUS_GOOGLE_PLACES_ERROR_INVALID,      /* the job cannot be run (no key, keyword, cell) */
  NEXUS_GOOGLE_PLACES_ERROR_NETWORK,      /* no answer, or a server error (5xx): retryable */
  NEXUS_GOOGLE_PLACES_ERROR_RATE_LIMITED, /* HTTP 429 (quota per minute): retryable */
  NEXUS_GOOGLE_PLACES_ERROR_REFUSED,      /* HTTP 403 and other 4xx: not retryable */
  NEXUS_GOOGLE_PLACES_ERROR_BAD_ANSWER,   /* an answer that is not Places JSON: retryable */
} NexusGooglePlacesError;

/* BASE: the Text Search URL is BASE "/places:searchText". */
#define NEXUS_GOOGLE_PLACES_DEFAULT_URL "https://places.googleapis.com/v1"
#define NEXUS_GOOGLE_PLACES_FIELD_MASK                                                \
  "places.id,places.displayName,places.formattedAddress,places.nationalPhoneNumber,"  \
  "places.internationalPhoneNumber,places.websiteUri,places.location,places.types,"   \
  "places.primaryType,places.rating,places.userRatingCount,places.addressComponents," \
  "nextPageToken"
#define NEXUS_GOOGLE_PLACES_PAGE_SIZE 20
#define NEXUS_GOOGLE_PLACES_MAX_PAGES 3
#define NEXUS_GOOGLE_PLACES_TIMEOUT_S 30
/* Answers larger than this are refused rather than buffered. */
#define NEXUS_GOOGLE_PLACES_MAX_ANSWER_BYTES (8 * 1024 * 1024)

typedef struct _NexusGooglePlaces NexusGooglePlaces;

GQuark nexus_google_places_error_quark (void);

NexusGooglePlaces *nexus_google_places_new (const char *api_key, const char *base_url);
void               nexus_google_places_free (NexusGooglePlaces *self);

char      *nexus_google_places_build_body (const char      *keyword,
                                           const NexusBBox *cell,
                                           const char      *language,
                                           const char      *page_token);
JsonNode  *nexus_google_places_place_to_lead (JsonObject *place, const char *country);
GPtrArray *nexus_google_places_parse_page (const char *body,
                                           gsize       length,
                                           const char *country,
                                           guint      *out_n_places,
                                           char      **out_next_page_token,
                                           GError    **error);
GPtrArray *nexus_google_places_search (NexusGooglePlaces *self,
                                       const char        *keyword,
                                       const NexusBBox   *cell,
                                       const char        *country,
                                       const char        *language,
                                       const char        *page_token,
                                       gboolean          *out_saturated,
                                       GCancellable      *cancellable,
                                       GError           **error);
gboolean   nexus_google_places_error_is_retryable (const GError *error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusGooglePlaces, nexus_google_places_free)

G_END_DECLS
