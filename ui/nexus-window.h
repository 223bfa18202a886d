/* nexus-window.h — the console's main window
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "nexus-engine.h"

G_BEGIN_DECLS

#define NEXUS_TYPE_WINDOW (nexus_window_get_type ())
G_DECLARE_FINAL_TYPE (NexusWindow, nexus_window, NEXUS, WINDOW, AdwApplicationWindow)

const char *const *nexus_window_get_page_names (void);
gboolean           nexus_window_is_page_name (const char *name);

NexusWindow *nexus_window_new (GtkApplication *app, NexusEngine *engine);
NexusEngine *nexus_window_get_engine (NexusWindow *self);
void         nexus_window_set_engine (NexusWindow *self, NexusEngine *engine);
GtkWidget   *nexus_window_get_leads_page (NexusWindow *self);
const char  *nexus_window_get_page (NexusWindow *self);
gboolean     nexus_window_set_page (NexusWindow *self, const char *name);
void         nexus_window_add_toast (NexusWindow *self, AdwToast *toast);
void         nexus_window_toast (GtkWidget *widget, const char *text);

G_END_DECLS
