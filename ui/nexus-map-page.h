/* nexus-map-page.h — leads and search areas on a map
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "nexus-engine.h"

G_BEGIN_DECLS

#define NEXUS_TYPE_MAP_PAGE (nexus_map_page_get_type ())
G_DECLARE_FINAL_TYPE (NexusMapPage, nexus_map_page, NEXUS, MAP_PAGE, AdwBin)

NexusEngine *nexus_map_page_get_engine (NexusMapPage *self);
void         nexus_map_page_set_engine (NexusMapPage *self, NexusEngine *engine);
gboolean     nexus_map_page_get_loading (NexusMapPage *self);
void         nexus_map_page_show_search (NexusMapPage *self, gint64 search_id);
gboolean     nexus_map_page_fly_to (NexusMapPage *self, const char *place);

G_END_DECLS
