/* nexus-store-summary.h — the figures the console shows at a glance
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The Dashboard's figures, read in one go on a reader connection, and what
 * the engine's fleet watcher (engine/ops/nexus-fleet.h) asks each tick:
 * which searches completed and how many jobs died in a span of time.  The
 * same threading rule as every store function: the thread that owns the
 * store.
 */
#pragma once

#include "nexus-store.h"

G_BEGIN_DECLS

#define NEXUS_SUMMARY_DAYS     30
#define NEXUS_SUMMARY_TOP      10
#define NEXUS_SUMMARY_SEARCHES 5

typedef struct
{
  char  *label; /* as stored: a category, a city */
  gint64 count;
} NexusLabelCount;

typedef struct
{
  gint64 id;
  char  *name;
  gint64 run;
  gint64 jobs_done; /* done or dead, in the search's latest run */
  gint64 jobs_total;
} NexusSearchSummary;

typedef struct
{
  gint64     first_day;                   /* unix seconds the first day starts */
  gint64     per_day[NEXUS_SUMMARY_DAYS]; /* vault leads first seen each day */
  GPtrArray *categories;                  /* NexusLabelCount, most first */
  GPtrArray *cities;                      /* NexusLabelCount, most first */
  gint64     statuses[5];                 /* new, contacted, qualified, won, lost */
  gint64     leads;                       /* leads in the vault (not preview) */
  gint64     searches_active;
  GPtrArray *active_searches; /* NexusSearchSummary, newest first */
  gint64     jobs_queued;
  gint64     jobs_leased;
  gint64     jobs_dead;
} NexusSummary;

/* The statuses of NexusSummary.statuses, in funnel order. */
extern const char *const nexus_summary_statuses[5];

void nexus_summary_free (NexusSummary *summary);
void nexus_search_summary_free (NexusSearchSummary *search);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusSummary, nexus_summary_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusSearchSummary, nexus_search_summary_free)

NexusSummary *nexus_store_summary_read (NexusStore *self, gint64 first_day, GError **error);

GPtrArray *
nexus_store_searches_completed_between (NexusStore *self, gint64 from, gint64 to, GError **error);
gboolean nexus_store_jobs_dead_between (NexusStore *self,
                                        gint64      from,
                                        gint64      to,
                                        gint64     *out_count,
                                        GError    **error);

G_END_DECLS
