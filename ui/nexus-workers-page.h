/* nexus-workers-page.h — the Workers page
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The workers of the engine's vault with their live state (from the
 * engine's events), their last 24 hours in charts, and the operator's
 * actions: add (the connection string is shown once), rotate, revoke, and
 * run a worker on this computer.
 */
#pragma once

#include "nexus-page.h"

G_BEGIN_DECLS

#define NEXUS_TYPE_WORKERS_PAGE (nexus_workers_page_get_type ())
G_DECLARE_FINAL_TYPE (NexusWorkersPage, nexus_workers_page, NEXUS, WORKERS_PAGE, NexusPage)

GtkWidget *nexus_workers_page_new (NexusEngine *engine);

G_END_DECLS
