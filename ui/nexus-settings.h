/* nexus-settings.h — the console's GSettings, when installed
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

GSettings *nexus_settings_try_new (const char *key);

G_END_DECLS
