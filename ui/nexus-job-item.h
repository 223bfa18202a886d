/* nexus-job-item.h — one job in the Jobs page's list
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "store/nexus-store-queue.h"

G_BEGIN_DECLS

#define NEXUS_TYPE_JOB_ITEM (nexus_job_item_get_type ())
G_DECLARE_FINAL_TYPE (NexusJobItem, nexus_job_item, NEXUS, JOB_ITEM, GObject)

NexusJobItem *
nexus_job_item_new (NexusJobRecord *record, const char *search_name, const char *worker_name);
const NexusJobRecord *nexus_job_item_get_record (NexusJobItem *self);
gint64                nexus_job_item_get_id (NexusJobItem *self);
const char           *nexus_job_item_get_search_name (NexusJobItem *self);
const char           *nexus_job_item_get_worker_name (NexusJobItem *self);

G_END_DECLS
