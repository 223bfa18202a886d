/* nexus-leads-model.h — the lead vault as a list, a page at a time
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "nexus-engine.h"
#include "nexus-lead-row.h"
#include "store/nexus-store-leads-view.h"

G_BEGIN_DECLS

/* Rows read by one request. */
#define NEXUS_LEADS_MODEL_PAGE_SIZE 256

#define NEXUS_TYPE_LEADS_MODEL (nexus_leads_model_get_type ())
G_DECLARE_FINAL_TYPE (NexusLeadsModel, nexus_leads_model, NEXUS, LEADS_MODEL, GObject)

NexusLeadsModel *nexus_leads_model_new (NexusEngine *engine);

NexusEngine           *nexus_leads_model_get_engine (NexusLeadsModel *self);
void                   nexus_leads_model_set_engine (NexusLeadsModel *self, NexusEngine *engine);
const NexusLeadsQuery *nexus_leads_model_get_query (NexusLeadsModel *self);
void          nexus_leads_model_set_query (NexusLeadsModel *self, const NexusLeadsQuery *query);
void          nexus_leads_model_reload (NexusLeadsModel *self);
void          nexus_leads_model_refresh (NexusLeadsModel *self);
gboolean      nexus_leads_model_get_loading (NexusLeadsModel *self);
gint64        nexus_leads_model_get_count (NexusLeadsModel *self);
const char   *nexus_leads_model_get_error_message (NexusLeadsModel *self);
guint         nexus_leads_model_get_generation (NexusLeadsModel *self);
guint         nexus_leads_model_get_pending_pages (NexusLeadsModel *self);
gboolean      nexus_leads_model_has_row (NexusLeadsModel *self, guint position);
NexusLeadRow *nexus_leads_model_peek_row (NexusLeadsModel *self, guint position);
guint         nexus_leads_model_get_n_pages_held (NexusLeadsModel *self);

G_END_DECLS
