/* nexus-pending-page.h — a page whose feature has not landed yet
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "nexus-page.h"

G_BEGIN_DECLS

#define NEXUS_TYPE_PENDING_PAGE (nexus_pending_page_get_type ())
G_DECLARE_FINAL_TYPE (NexusPendingPage, nexus_pending_page, NEXUS, PENDING_PAGE, NexusPage)

GtkWidget *nexus_pending_page_new (const char *title, const char *icon_name, const char *summary);

const char *nexus_pending_page_get_title (NexusPendingPage *self);
void        nexus_pending_page_set_title (NexusPendingPage *self, const char *title);
const char *nexus_pending_page_get_icon_name (NexusPendingPage *self);
void        nexus_pending_page_set_icon_name (NexusPendingPage *self, const char *icon_name);
const char *nexus_pending_page_get_summary (NexusPendingPage *self);
void        nexus_pending_page_set_summary (NexusPendingPage *self, const char *summary);

G_END_DECLS
