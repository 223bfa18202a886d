/* nexus-application.h — the console's GApplication
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "nexus-engine.h"

G_BEGIN_DECLS

#define NEXUS_TYPE_APPLICATION (nexus_application_get_type ())
G_DECLARE_FINAL_TYPE (NexusApplication, nexus_application, NEXUS, APPLICATION, AdwApplication)

NexusApplication *nexus_application_new (void);
NexusEngine      *nexus_application_get_engine (NexusApplication *self);
gboolean          nexus_application_get_restart_requested (NexusApplication *self);

G_END_DECLS
