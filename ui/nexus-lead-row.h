/* nexus-lead-row.h — one lead as a row of the leads grid
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "store/nexus-store-leads-view.h"

G_BEGIN_DECLS

#define NEXUS_TYPE_LEAD_ROW (nexus_lead_row_get_type ())
G_DECLARE_FINAL_TYPE (NexusLeadRow, nexus_lead_row, NEXUS, LEAD_ROW, GObject)

NexusLeadRow *nexus_lead_row_new_placeholder (void);
NexusLeadRow *nexus_lead_row_new (const NexusLeadsViewRow *row);

gboolean    nexus_lead_row_get_placeholder (NexusLeadRow *self);
gint64      nexus_lead_row_get_id (NexusLeadRow *self);
const char *nexus_lead_row_get_name (NexusLeadRow *self);
const char *nexus_lead_row_get_category (NexusLeadRow *self);
const char *nexus_lead_row_get_phone (NexusLeadRow *self);
const char *nexus_lead_row_get_city (NexusLeadRow *self);
const char *nexus_lead_row_get_address (NexusLeadRow *self);
const char *nexus_lead_row_get_website (NexusLeadRow *self);
double      nexus_lead_row_get_rating (NexusLeadRow *self);
const char *nexus_lead_row_get_status (NexusLeadRow *self);
gint64      nexus_lead_row_get_first_seen (NexusLeadRow *self);
gint64      nexus_lead_row_get_last_seen (NexusLeadRow *self);
gint64      nexus_lead_row_get_sightings (NexusLeadRow *self);
gboolean    nexus_lead_row_get_preview_only (NexusLeadRow *self);
gint64      nexus_lead_row_get_agent_id (NexusLeadRow *self);
const char *nexus_lead_row_get_agent_name (NexusLeadRow *self);
gboolean    nexus_lead_row_same (NexusLeadRow *a, NexusLeadRow *b);

G_END_DECLS
