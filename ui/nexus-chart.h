/* nexus-chart.h — a small chart: bars or a line, with axes
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Draws one series with GtkSnapshot: vertical bars or a line over a time
 * (or ordered) axis, or horizontal bars for labelled counts (categories,
 * cities, a funnel).  Values are formatted with ui/nexus-format.h.  In a
 * right-to-left locale the time axis runs from right to left and
 * horizontal bars grow from the right, with their labels on the right.
 *
 * Bars can be activated with a click, or with the arrow keys and Enter
 * when the chart has the focus: "bar-activated" gives the bar's index.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef enum
{
  NEXUS_CHART_BARS,  /* vertical bars over an ordered axis */
  NEXUS_CHART_LINE,  /* a line over an ordered axis */
  NEXUS_CHART_HBARS, /* horizontal bars, one labelled row each */
} NexusChartKind;

#define NEXUS_TYPE_CHART (nexus_chart_get_type ())
G_DECLARE_FINAL_TYPE (NexusChart, nexus_chart, NEXUS, CHART, GtkWidget)

GtkWidget     *nexus_chart_new (NexusChartKind kind);
NexusChartKind nexus_chart_get_kind (NexusChart *self);
void           nexus_chart_set_kind (NexusChart *self, NexusChartKind kind);
void           nexus_chart_set_data (NexusChart        *self,
                                     const double      *values,
                                     guint              n_values,
                                     const char *const *labels);
guint          nexus_chart_get_n_values (NexusChart *self);
double         nexus_chart_get_value (NexusChart *self, guint index);
const char    *nexus_chart_get_label (NexusChart *self, guint index);
void           nexus_chart_set_fraction_digits (NexusChart *self, int fraction_digits);
void           nexus_chart_set_unit (NexusChart *self, const char *unit);
gboolean       nexus_chart_get_bar_rect (NexusChart *self, guint index, graphene_rect_t *out_rect);
int            nexus_chart_bar_at (NexusChart *self, double x, double y);

GtkWidget *nexus_chart_card_new (const char *title, GtkWidget *chart);

G_END_DECLS
