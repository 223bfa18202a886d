/* nexus-searches-page.h — searches, their progress and their runs
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "nexus-page.h"
#include "nexus-search-editor.h"

G_BEGIN_DECLS

#define NEXUS_TYPE_SEARCHES_PAGE (nexus_searches_page_get_type ())
G_DECLARE_FINAL_TYPE (NexusSearchesPage, nexus_searches_page, NEXUS, SEARCHES_PAGE, NexusPage)

GtkWidget *nexus_searches_page_new (NexusEngine *engine);
void       nexus_searches_page_refresh (NexusSearchesPage *self);

NexusSearchEditor *nexus_searches_page_new_search (NexusSearchesPage *self, const char *geojson);
NexusSearchEditor *nexus_searches_page_edit_search (NexusSearchesPage       *self,
                                                    const NexusSearchRecord *search);
void               nexus_searches_page_show_search (NexusSearchesPage *self, gint64 search_id);

/* What a search's row shows, for the tests: NULL when there is no row. */
char  *nexus_searches_page_describe_row (NexusSearchesPage *self, gint64 search_id);
double nexus_searches_page_get_row_fraction (NexusSearchesPage *self, gint64 search_id);

G_END_DECLS
