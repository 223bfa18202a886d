/* nexus-dashboard-page-private.h — what the tests look at
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "nexus-chart.h"
#include "nexus-dashboard-page.h"

G_BEGIN_DECLS

typedef enum
{
  NEXUS_DASHBOARD_PER_DAY,
  NEXUS_DASHBOARD_STATUSES,
  NEXUS_DASHBOARD_WORKERS,
  NEXUS_DASHBOARD_CATEGORIES,
  NEXUS_DASHBOARD_CITIES,
  NEXUS_DASHBOARD_N_CHARTS,
} NexusDashboardChart;

typedef enum
{
  NEXUS_DASHBOARD_LEADS,
  NEXUS_DASHBOARD_SEARCHES,
  NEXUS_DASHBOARD_JOBS_WAITING,
  NEXUS_DASHBOARD_JOBS_DEAD,
  NEXUS_DASHBOARD_WORKERS_ONLINE,
  NEXUS_DASHBOARD_N_FIGURES,
} NexusDashboardFigure;

NexusChart *_nexus_dashboard_page_get_chart (NexusDashboardPage *self, NexusDashboardChart which);
const char *_nexus_dashboard_page_get_figure (NexusDashboardPage *self, NexusDashboardFigure which);
gint64      _nexus_dashboard_page_get_first_day (NexusDashboardPage *self);
guint       _nexus_dashboard_page_get_reloads (NexusDashboardPage *self);

G_END_DECLS
