/* nexus-workers-page-private.h — what the tests look at
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "nexus-local-worker.h"
#include "nexus-workers-page.h"
#include "ops/nexus-fleet.h"

G_BEGIN_DECLS

AdwMessageDialog *_nexus_workers_page_get_dialog (NexusWorkersPage *self);
guint             _nexus_workers_page_get_n_rows (NexusWorkersPage *self);
int               _nexus_workers_page_get_row_state (NexusWorkersPage *self, gint64 worker_id);
AdwExpanderRow   *_nexus_workers_page_get_row (NexusWorkersPage *self, gint64 worker_id);
GtkWidget        *_nexus_workers_page_get_chart (NexusWorkersPage *self, gint64 worker_id, guint i);
NexusLocalWorker *_nexus_workers_page_get_local_worker (NexusWorkersPage *self);

G_END_DECLS
