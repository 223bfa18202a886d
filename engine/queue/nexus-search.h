/* nexus-search.h — what a search is, and checking what the operator typed
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A search is keywords × region × provider × cadence (DESIGN.md, "Jobs").
 * This module holds the description of a new search (NexusSearchSpec), the
 * parsers for the operator's text (keywords, cadence, country, language)
 * and the checks that every entry point (nexusctl, the console) shares, so
 * that bad input is refused the same way everywhere and before anything is
 * written.
 *
 * Pure functions: any thread may call them.  Error messages are one line,
 * translated, and quote at most a short prefix of the input.
 */
#pragma once

#include "planner/nexus-geo.h"
#include "store/nexus-store-queue.h"

G_BEGIN_DECLS

#define NEXUS_SEARCH_ERROR (nexus_search_error_quark ())

typedef enum
{
  NEXUS_SEARCH_ERROR_INVALID, /* the operator's input is wrong; nothing was written */
} NexusSearchError;

/* Limits of a search, checked by nexus_search_spec_validate(). */
#define NEXUS_SEARCH_MAX_KEYWORDS      50
#define NEXUS_SEARCH_MAX_KEYWORD_CHARS 100
#define NEXUS_SEARCH_MAX_NAME_CHARS    200
#define NEXUS_SEARCH_MIN_CELL_KM       0.1
#define NEXUS_SEARCH_MAX_CELL_KM       100.0
#define NEXUS_SEARCH_DEFAULT_CELL_KM   2.0
#define NEXUS_SEARCH_MAX_DEPTH         10
#define NEXUS_SEARCH_DEFAULT_MAX_DEPTH 4
#define NEXUS_SEARCH_MAX_PRIORITY      1000
#define NEXUS_SEARCH_MAX_CADENCE_S     (366 * 24 * 3600)
#define NEXUS_SEARCH_DEFAULT_PROVIDER  "overpass"

/* A search to add.  Every pointer is owned by the spec. */
typedef struct
{
  char             *name;          /* the operator's name for it */
  char            **keywords;      /* NULL-terminated; see nexus_search_parse_keywords() */
  NexusRegion      *region;        /* the box or polygon to cover */
  char             *region_kind;   /* "bbox", "polygon" or "place" */
  char             *place_name;    /* for "place": as typed */
  char             *place_display; /* for "place": Nominatim's display_name */
  NexusPlaceRecord *place_cache;   /* a fresh Nominatim answer to cache with the search */
  char             *provider;      /* one of nexus_search_get_providers() */
  char             *country;       /* ISO 3166-1 alpha-2, upper case, or NULL */
  char             *language;      /* lower-case language tag, or NULL */
  gint64            cadence_s;     /* 0: once */
  double            cell_km;       /* edge of a depth-0 cell */
  int               max_depth;     /* splits allowed below a depth-0 cell */
  int               priority;      /* higher is leased first */
} NexusSearchSpec;

GQuark nexus_search_error_quark (void);

NexusSearchSpec *nexus_search_spec_new (void);
void             nexus_search_spec_free (NexusSearchSpec *spec);
gboolean         nexus_search_spec_validate (const NexusSearchSpec *spec, GError **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusSearchSpec, nexus_search_spec_free)

char   **nexus_search_parse_keywords (const char *text, GError **error);
gboolean nexus_search_parse_cadence (const char *text, gint64 *out_seconds, GError **error);
char    *nexus_search_format_cadence (gint64 seconds);
char    *nexus_search_parse_country (const char *text, GError **error);
char    *nexus_search_parse_language (const char *text, GError **error);
char    *nexus_search_normalize_name (const char *text);

const char *const *nexus_search_get_providers (void);
gboolean           nexus_search_is_provider (const char *name);

/* Recent jobs needed before the recent pace is trusted over the run's. */
#define NEXUS_SEARCH_ETA_MIN_SAMPLE 5

gint64 nexus_search_progress_eta (const NexusSearchProgress *progress, gint64 now);
gint64 nexus_search_progress_eta_recent (const NexusSearchProgress *progress,
                                         gint64                     finished_recently,
                                         gint64                     window_s,
                                         gint64                     now);

G_END_DECLS
