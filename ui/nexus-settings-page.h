/* nexus-settings-page.h — the console's preferences
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "nexus-page.h"
#include "nexus-settings.h"

G_BEGIN_DECLS

#define NEXUS_TYPE_SETTINGS_PAGE (nexus_settings_page_get_type ())
G_DECLARE_FINAL_TYPE (NexusSettingsPage, nexus_settings_page, NEXUS, SETTINGS_PAGE, NexusPage)

/* For the tests: uses @settings (a GSettings of the Nexus schema) instead of
 * the default one. */
void _nexus_settings_page_set_settings (NexusSettingsPage *self, GSettings *settings);

G_END_DECLS
