/* nexus-overpass.h — the Overpass places provider of nexus-worker
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Turns one place_search job (keyword × cell) into LEAD objects of the
 * worker protocol:
 *
 *  - keyword → OSM tag filters through iD's presets (English and Arabic
 *    names, aliases and search terms; generated at build time from
 *    data/categories/ by gen-overpass-presets.py), compared in
 *    nexus_normalize_text() form; a keyword no preset knows becomes a
 *    case-insensitive regex on the name;
 *  - one query per job: [out:json][timeout:N]; nwr with each filter inside
 *    the cell; "out center tags" (ways and relations come with a centre);
 *  - the public instance's etiquette: User-Agent "Nexus-worker/VERSION",
 *    at most NEXUS_OVERPASS_MAX_CONCURRENT requests in flight per process,
 *    whichever thread asks;
 *  - a cell too dense for one query — HTTP 429 or 504, or a "remark" that
 *    the query timed out or ran out of memory — is answered as saturated
 *    with no results, so the planner splits it.
 *
 * Threads: nexus_overpass_search() blocks on the network; call it from a
 * job thread, never from a main loop.  A NexusOverpass may be shared by
 * threads (it holds only immutable settings).  The other functions are
 * pure and callable from any thread.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "planner/nexus-geo.h"

G_BEGIN_DECLS

#define NEXUS_OVERPASS_ERROR (nexus_overpass_error_quark ())

typedef enum
{
  NEXUS_OVERPASS_ERROR_INVALID,    /* the job cannot be run (no keyword, bad cell): not retryable */
  NEXUS_OVERPASS_ERROR_NETWORK,    /* no answer, or a server error: retryable */
  NEXUS_OVERPASS_ERROR_REFUSED,    /* the server refused the query (HTTP 4xx): not retryable */
  NEXUS_OVERPASS_ERROR_BAD_ANSWER, /* an answer that is not Overpass JSON: retryable */
} NexusOverpassError;

#define NEXUS_OVERPASS_DEFAULT_URL     "https://overpass-api.de/api/interpreter"
#define NEXUS_OVERPASS_MAX_CONCURRENT  2
#define NEXUS_OVERPASS_QUERY_TIMEOUT_S 25
/* Most filters one keyword expands to; the best-weighted ones are kept. */
#define NEXUS_OVERPASS_MAX_FILTERS 8
/* Answers larger than this are refused rather than buffered. */
#define NEXUS_OVERPASS_MAX_ANSWER_BYTES (64 * 1024 * 1024)

typedef struct _NexusOverpass NexusOverpass;

GQuark nexus_overpass_error_quark (void);

NexusOverpass *nexus_overpass_new (const char *url);
void           nexus_overpass_free (NexusOverpass *self);
const char    *nexus_overpass_get_user_agent (void);

GPtrArray *nexus_overpass_filters_for_keyword (const char *keyword);
char      *nexus_overpass_build_query (const char *keyword, const NexusBBox *cell, guint timeout_s);
JsonNode  *nexus_overpass_element_to_lead (JsonObject *element, const char *country);
GPtrArray *nexus_overpass_parse_answer (const char *body,
                                        gsize       length,
                                        const char *country,
                                        gboolean   *out_saturated,
                                        GError    **error);
GPtrArray *nexus_overpass_search (NexusOverpass   *self,
                                  const char      *keyword,
                                  const NexusBBox *cell,
                                  const char      *country,
                                  gboolean        *out_saturated,
                                  GCancellable    *cancellable,
                                  GError         **error);
gboolean   nexus_overpass_error_is_retryable (const GError *error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusOverpass, nexus_overpass_free)

G_END_DECLS
