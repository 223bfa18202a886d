/* nexus-settings.h — the console's GSettings, when installed
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

GSettings *nexus_settings_try_new (const char *key);
void       nexus_settings_set_if_changed (GSettings *settings, const char *key, GVariant *value);

G_END_DECLS
