/* nexus-map-page.h — leads and search areas on a map
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "nexus-page.h"

G_BEGIN_DECLS

#define NEXUS_TYPE_MAP_PAGE (nexus_map_page_get_type ())
G_DECLARE_FINAL_TYPE (NexusMapPage, nexus_map_page, NEXUS, MAP_PAGE, NexusPage)

void     nexus_map_page_show_search (NexusMapPage *self, gint64 search_id);
gboolean nexus_map_page_fly_to (NexusMapPage *self, const char *place);

G_END_DECLS
