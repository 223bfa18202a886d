/* nexus-dashboard-page.h — the Dashboard
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The vault at a glance: leads per day over the last 30 days, the status
 * funnel, the top categories and cities, the active searches and the
 * workers' health.  A click on a bar filters the leads grid
 * (win.filter-leads).  Read on a reader thread; read again, debounced,
 * after the engine's job, worker and search events.
 */
#pragma once

#include "nexus-page.h"

G_BEGIN_DECLS

#define NEXUS_TYPE_DASHBOARD_PAGE (nexus_dashboard_page_get_type ())
G_DECLARE_FINAL_TYPE (NexusDashboardPage, nexus_dashboard_page, NEXUS, DASHBOARD_PAGE, NexusPage)

GtkWidget *nexus_dashboard_page_new (NexusEngine *engine);

G_END_DECLS
