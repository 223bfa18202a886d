/* nexus-leads-page.h — the lead vault at a glance
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "nexus-page.h"
#include "store/nexus-store-leads-view.h"

G_BEGIN_DECLS

#define NEXUS_TYPE_LEADS_PAGE (nexus_leads_page_get_type ())
G_DECLARE_FINAL_TYPE (NexusLeadsPage, nexus_leads_page, NEXUS, LEADS_PAGE, NexusPage)

GtkWidget *nexus_leads_page_new (NexusEngine *engine);

void   nexus_leads_page_refresh (NexusLeadsPage *self);
gint64 nexus_leads_page_get_count (NexusLeadsPage *self);

const NexusLeadsQuery *nexus_leads_page_get_query (NexusLeadsPage *self);
void                   nexus_leads_page_show_lead (NexusLeadsPage *self, gint64 lead_id);
gboolean nexus_leads_page_apply_filters (NexusLeadsPage *self, GVariant *filters, GError **error);
void     nexus_leads_page_clear_filters (NexusLeadsPage *self);

G_END_DECLS
