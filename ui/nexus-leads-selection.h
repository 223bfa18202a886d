/* nexus-leads-selection.h — which leads of the grid are selected, by id
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "nexus-leads-model.h"

G_BEGIN_DECLS

#define NEXUS_TYPE_LEADS_SELECTION (nexus_leads_selection_get_type ())
G_DECLARE_FINAL_TYPE (NexusLeadsSelection, nexus_leads_selection, NEXUS, LEADS_SELECTION, GObject)

NexusLeadsSelection *nexus_leads_selection_new (NexusLeadsModel *model);

gboolean nexus_leads_selection_get_all (NexusLeadsSelection *self);
gint64   nexus_leads_selection_get_n_selected (NexusLeadsSelection *self);
GArray  *nexus_leads_selection_get_ids (NexusLeadsSelection *self);
gboolean nexus_leads_selection_is_id_selected (NexusLeadsSelection *self, gint64 lead_id);
void     nexus_leads_selection_set_ids (NexusLeadsSelection *self, const gint64 *ids, guint n_ids);
void     nexus_leads_selection_clear (NexusLeadsSelection *self);
void     nexus_leads_selection_forget_all (NexusLeadsSelection *self);

G_END_DECLS
