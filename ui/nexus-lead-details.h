/* nexus-lead-details.h — everything known about one lead
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include <shumate/shumate.h>

#include "nexus-engine.h"

G_BEGIN_DECLS

#define NEXUS_TYPE_LEAD_DETAILS (nexus_lead_details_get_type ())
G_DECLARE_FINAL_TYPE (NexusLeadDetails, nexus_lead_details, NEXUS, LEAD_DETAILS, AdwBin)

GtkWidget  *nexus_lead_details_new (void);
void        nexus_lead_details_set_engine (NexusLeadDetails *self, NexusEngine *engine);
gint64      nexus_lead_details_get_lead_id (NexusLeadDetails *self);
void        nexus_lead_details_set_lead_id (NexusLeadDetails *self, gint64 lead_id);
void        nexus_lead_details_reload (NexusLeadDetails *self);
gboolean    nexus_lead_details_get_loading (NexusLeadDetails *self);
const char *nexus_lead_details_get_name (NexusLeadDetails *self);
guint       nexus_lead_details_get_n_history (NexusLeadDetails *self);

/* The base layer of the small map: the one place to switch to the
 * offline base map. */
ShumateLayer *nexus_lead_details_create_base_layer (ShumateViewport *viewport, double *out_zoom);

G_END_DECLS
