/* nexus-similarity.h — how alike two leads are, and when that is enough
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * This module owns the fuzzy name score and the constants that decide
 * whether an incoming record merges into an existing lead.  The ingest
 * pipeline (nexus-ingest.c) applies them in this order:
 *
 *  1. the same provider + ref → the same lead (a re-report);
 *  2. a shared valid E.164 number → the same lead, unless the two names
 *     have nothing in common (score < NEXUS_MATCH_PHONE_NAME_MIN, both in
 *     the same script): then the number is a shared switchboard (a hotel's
 *     restaurants, a mall's shops) and the record is a lead of its own;
 *  3. a lead within NEXUS_MATCH_RADIUS_M (R*Tree; the 32 nearest, so a
 *     dense downtown costs no more than a suburb), or — when coordinates
 *     are missing on either side — with the same address_norm and
 *     city_norm, whose name scores ≥ NEXUS_MATCH_NAME_THRESHOLD; when both
 *     sides have valid phones and share none, the radius shrinks to
 *     NEXUS_MATCH_CLOSE_RADIUS_M unless the addresses are the same (two
 *     branches of a chain across a square are two leads);
 *  4. otherwise a new lead.
 *
 * Names written in different scripts (Arabic and Latin) cannot be compared
 * by their letters: the phone decides (step 2 merges), the geo step does not.
 *
 * The thresholds were tuned on ../shared/data/er/restaurants-dev.csv only
 * (tests/eval/dedup prints the figures); the other half of that benchmark
 * is kept for an independent check, so do not tune on anything else and
 * re-run the evaluation after any change here.
 *
 * Threads: pure functions, callable from any thread.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Candidates for a geo match are looked up within this distance. */
#define NEXUS_MATCH_RADIUS_M 150.0

/* Within the radius when both leads have valid phones and none is shared:
 * different numbers are a strong sign of different businesses. */
#define NEXUS_MATCH_CLOSE_RADIUS_M 50.0

/* Name score (nexus_name_similarity) from which a geo or address candidate
 * is the same business. */
#define NEXUS_MATCH_NAME_THRESHOLD 0.80

/* Below this name score a shared phone number does not merge two leads
 * (shared switchboard).  Deliberately low: only unrelated names stay apart. */
#define NEXUS_MATCH_PHONE_NAME_MIN 0.30

typedef enum
{
  NEXUS_SCRIPT_NONE, /* no letters */
  NEXUS_SCRIPT_LATIN,
  NEXUS_SCRIPT_ARABIC,
  NEXUS_SCRIPT_MIXED, /* Latin and Arabic letters */
  NEXUS_SCRIPT_OTHER,
} NexusScript;

double      nexus_jaro_winkler (const char *a, const char *b);
double      nexus_name_similarity (const char *a_norm, const char *b_norm);
NexusScript nexus_text_script (const char *text);
gboolean    nexus_scripts_comparable (const char *a_norm, const char *b_norm);
double      nexus_geo_distance_m (double lat1, double lon1, double lat2, double lon2);

G_END_DECLS
