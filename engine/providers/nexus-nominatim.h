/* nexus-nominatim.h — a place name resolved to a region, once
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `search add --place "Name"` asks Nominatim for the place's outline
 * (format=jsonv2&polygon_geojson=1&limit=1) and keeps the answer in the
 * database (nominatim_cache), so the same name — compared in NFKC,
 * casefolded, spaces collapsed — never costs a second request.
 *
 * Rules this module relies on:
 *
 *  - nexus_nominatim_resolve() blocks on the network (30 s timeout): call
 *    it from a CLI or a GTask thread, never from the engine thread or the
 *    GTK main thread.  It only reads the store; the fresh answer comes back
 *    in NexusPlace.fresh for the caller to write with the search, in the
 *    same transaction (see NexusSearchSpec.place_cache).
 *  - Nominatim's usage policy: a real User-Agent naming the program, and at
 *    most one request per second from this process, whichever thread asks
 *    (a process-wide lock spaces the requests).
 *  - The base URL is https://nominatim.openstreetmap.org unless the
 *    environment sets NEXUS_NOMINATIM_URL (tests point it at a local fake
 *    server; nothing in the tests reaches the internet).
 */
#pragma once

#include <gio/gio.h>

#include "planner/nexus-geo.h"
#include "store/nexus-store-queue.h"

G_BEGIN_DECLS

#define NEXUS_NOMINATIM_ERROR (nexus_nominatim_error_quark ())

typedef enum
{
  NEXUS_NOMINATIM_ERROR_INVALID,    /* the name is empty or too long */
  NEXUS_NOMINATIM_ERROR_NOT_FOUND,  /* Nominatim knows no such place */
  NEXUS_NOMINATIM_ERROR_NO_AREA,    /* the place is a point without a usable box */
  NEXUS_NOMINATIM_ERROR_NETWORK,    /* no answer, or an HTTP error */
  NEXUS_NOMINATIM_ERROR_BAD_ANSWER, /* an answer that is not what Nominatim sends */
} NexusNominatimError;

#define NEXUS_NOMINATIM_DEFAULT_URL "https://nominatim.openstreetmap.org"
#define NEXUS_NOMINATIM_MAX_NAME    200

typedef struct
{
  char             *query;        /* as asked */
  char             *display_name; /* Nominatim's name for it */
  NexusRegion      *region;       /* the outline, or its box for a place without one */
  gboolean          from_cache;   /* TRUE: no request was made */
  NexusPlaceRecord *fresh;        /* the answer to cache, when a request was made */
} NexusPlace;

GQuark nexus_nominatim_error_quark (void);

char       *nexus_nominatim_get_base_url (void);
const char *nexus_nominatim_get_user_agent (void);
NexusPlace *nexus_nominatim_resolve (NexusStore   *store,
                                     const char   *name,
                                     GCancellable *cancellable,
                                     GError      **error);
void        nexus_place_free (NexusPlace *place);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusPlace, nexus_place_free)

G_END_DECLS
