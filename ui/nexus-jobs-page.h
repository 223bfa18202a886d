/* nexus-jobs-page.h — the job queue, filtered and acted on
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "nexus-page.h"
#include "nexus-job-item.h"

G_BEGIN_DECLS

#define NEXUS_TYPE_JOBS_PAGE (nexus_jobs_page_get_type ())
G_DECLARE_FINAL_TYPE (NexusJobsPage, nexus_jobs_page, NEXUS, JOBS_PAGE, NexusPage)

/* The columns, for nexus_jobs_page_cell_text(). */
typedef enum
{
  NEXUS_JOBS_COLUMN_ID,
  NEXUS_JOBS_COLUMN_SEARCH,
  NEXUS_JOBS_COLUMN_KIND,
  NEXUS_JOBS_COLUMN_KEYWORD,
  NEXUS_JOBS_COLUMN_STATE,
  NEXUS_JOBS_COLUMN_ATTEMPTS,
  NEXUS_JOBS_COLUMN_PRIORITY,
  NEXUS_JOBS_COLUMN_WORKER,
  NEXUS_JOBS_COLUMN_LEASE,
  NEXUS_JOBS_COLUMN_ERROR,
  NEXUS_JOBS_N_COLUMNS
} NexusJobsColumn;

GtkWidget *nexus_jobs_page_new (NexusEngine *engine);
void       nexus_jobs_page_refresh (NexusJobsPage *self);
gint64     nexus_jobs_page_get_count (NexusJobsPage *self);
void       nexus_jobs_page_show_search (NexusJobsPage *self, gint64 search_id);
void       nexus_jobs_page_set_state_filter (NexusJobsPage *self, const char *state);

GtkSelectionModel *nexus_jobs_page_get_selection (NexusJobsPage *self);
char *nexus_jobs_page_cell_text (NexusJobItem *item, NexusJobsColumn column, gint64 now);

G_END_DECLS
