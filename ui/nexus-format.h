/* nexus-format.h — numbers, dates and phones as the console shows them
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every page formats what it shows through these functions, so numbers,
 * dates and relative times follow the interface language in one place, and
 * text that must keep its left-to-right order inside right-to-left text
 * (phones, numbers, dates, paths) is wrapped in a Unicode isolate.
 *
 * Input goes the other way: nexus_fold_digits() turns Arabic-Indic and
 * Eastern Arabic-Indic digits into ASCII digits, and
 * nexus_editable_fold_digits() does it as the user types in an entry.
 *
 * All functions return newly allocated UTF-8 strings.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

const char *nexus_format_locale (void);

char *nexus_format_count (gint64 value);
char *nexus_format_decimal (double value, int fraction_digits);
char *nexus_format_date (gint64 unix_seconds);
char *nexus_format_date_time (gint64 unix_seconds);
char *nexus_format_time (gint64 unix_seconds);
char *nexus_format_day (gint64 unix_seconds);
char *nexus_format_relative_time (gint64 unix_seconds, gint64 now_unix_seconds);
char *nexus_format_category (const char *category);
char *nexus_format_json (const char *text);
char *nexus_format_duration (gint64 seconds);
char *nexus_format_bbox (double south, double west, double north, double east);

const char *nexus_lead_status_label (const char *status);

char *nexus_isolate_ltr (const char *text);
char *nexus_isolate_auto (const char *text);

char *nexus_fold_digits (const char *text);
void  nexus_editable_fold_digits (GtkEditable *editable);

G_END_DECLS
