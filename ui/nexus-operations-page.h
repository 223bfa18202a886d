/* nexus-operations-page.h — backups, restore, retention, checks, monitor, webhooks
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "nexus-page.h"

G_BEGIN_DECLS

#define NEXUS_TYPE_OPERATIONS_PAGE (nexus_operations_page_get_type ())
G_DECLARE_FINAL_TYPE (NexusOperationsPage, nexus_operations_page, NEXUS, OPERATIONS_PAGE, NexusPage)

G_END_DECLS
