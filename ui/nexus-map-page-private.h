/* nexus-map-page-private.h — what the tests may reach
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "nexus-map-areas-layer.h"
#include "nexus-map-leads-layer.h"
#include "nexus-map-page.h"

G_BEGIN_DECLS

NexusMapLeadsLayer *_nexus_map_page_get_leads_layer (NexusMapPage *self);
NexusMapAreasLayer *_nexus_map_page_get_areas_layer (NexusMapPage *self);
ShumateSimpleMap   *_nexus_map_page_get_map (NexusMapPage *self);
GtkPopover         *_nexus_map_page_get_lead_popover (NexusMapPage *self);
const char         *_nexus_map_page_get_popover_name (NexusMapPage *self);
gint64              _nexus_map_page_get_popover_lead (NexusMapPage *self);

G_END_DECLS
