/* nexus-leads-page-private.h — what the tests may call
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "nexus-lead-row.h"
#include "nexus-leads-model.h"
#include "nexus-leads-page.h"

G_BEGIN_DECLS

char *_nexus_leads_page_format_count (gint64 count);
char *_nexus_leads_page_cell_text (NexusLeadRow *row, guint column);

/* Column indexes for _nexus_leads_page_get_column() and cell texts. */
enum
{
  NEXUS_LEADS_COLUMN_NAME,
  NEXUS_LEADS_COLUMN_CATEGORY,
  NEXUS_LEADS_COLUMN_PHONE,
  NEXUS_LEADS_COLUMN_CITY,
  NEXUS_LEADS_COLUMN_STATUS,
  NEXUS_LEADS_COLUMN_RATING,
  NEXUS_LEADS_COLUMN_LAST_SEEN,
  NEXUS_LEADS_COLUMN_SIGHTINGS,
};

NexusLeadsModel     *_nexus_leads_page_get_model (NexusLeadsPage *self);
GtkColumnViewColumn *_nexus_leads_page_get_column (NexusLeadsPage *self, guint column);

G_END_DECLS
