/* nexus-leads-page-private.h — what the tests may call
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "nexus-lead-details.h"
#include "nexus-lead-row.h"
#include "nexus-leads-model.h"
#include "nexus-leads-page.h"
#include "nexus-leads-selection.h"

G_BEGIN_DECLS

char *_nexus_leads_page_cell_text (NexusLeadRow *row, guint column);

/* The grid's columns, in their default order: indexes for
 * _nexus_leads_page_get_column() and cell texts. */
enum
{
  NEXUS_LEADS_COLUMN_NAME,
  NEXUS_LEADS_COLUMN_CATEGORY,
  NEXUS_LEADS_COLUMN_PHONE,
  NEXUS_LEADS_COLUMN_CITY,
  NEXUS_LEADS_COLUMN_ADDRESS,
  NEXUS_LEADS_COLUMN_WEBSITE,
  NEXUS_LEADS_COLUMN_STATUS,
  NEXUS_LEADS_COLUMN_AGENT,
  NEXUS_LEADS_COLUMN_RATING,
  NEXUS_LEADS_COLUMN_FIRST_SEEN,
  NEXUS_LEADS_COLUMN_LAST_SEEN,
  NEXUS_LEADS_COLUMN_SIGHTINGS,
  NEXUS_LEADS_N_COLUMNS
};

NexusLeadsModel     *_nexus_leads_page_get_model (NexusLeadsPage *self);
NexusLeadsSelection *_nexus_leads_page_get_selection (NexusLeadsPage *self);
NexusLeadDetails    *_nexus_leads_page_get_details (NexusLeadsPage *self);
GtkColumnViewColumn *_nexus_leads_page_get_column (NexusLeadsPage *self, guint column);
guint                _nexus_leads_page_get_undo_serial (NexusLeadsPage *self);
guint                _nexus_leads_page_get_busy (NexusLeadsPage *self);
gboolean             _nexus_leads_page_get_details_shown (NexusLeadsPage *self);
void                 _nexus_leads_page_edit (NexusLeadsPage *self,
                                             const char     *kind,
                                             const char     *value,
                                             const char     *note,
                                             gint64          agent_id);
gboolean             _nexus_leads_page_filter_values_loaded (NexusLeadsPage *self);

G_END_DECLS
