/* nexus-schedule.h — operations the engine runs on its own
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Once a minute (and on nexus_ops_schedule_tick()), on the engine thread:
 *
 *  - retention: at most once an hour, the rules of nexus-maintenance.h are
 *    applied in batches of at most NEXUS_RETENTION_BATCH rows, one batch
 *    per main-loop iteration at idle priority, so workers' requests are
 *    never held behind a long delete;
 *  - backups: when the settings ask for them (backup.every_s, backup.folder,
 *    backup.keep; see nexusctl backup --every), a snapshot is written on a
 *    reader thread as FOLDER/nexus-backup-YYYYMMDD-HHMMSS.zip and the oldest
 *    archives beyond backup.keep are removed.  The outcome is recorded in
 *    the settings (backup.last_at, backup.last_error) and published as a
 *    "backup.completed" or "backup.failed" event.
 *
 * Settings are read from the database at every tick: a change made by
 * nexusctl counts at the next one.  Engine thread only.
 */
#pragma once

#include "nexus-engine.h"

G_BEGIN_DECLS

#define NEXUS_OPS_TICK_S        60
#define NEXUS_RETENTION_EVERY_S 3600

#define NEXUS_TYPE_OPS_SCHEDULE (nexus_ops_schedule_get_type ())
G_DECLARE_FINAL_TYPE (NexusOpsSchedule, nexus_ops_schedule, NEXUS, OPS_SCHEDULE, GObject)

NexusOpsSchedule          *
nexus_ops_schedule_new (NexusEngine *engine, NexusStore *store, NexusEventBus *events);
void     nexus_ops_schedule_tick (NexusOpsSchedule *self);
void     nexus_ops_schedule_stop (NexusOpsSchedule *self);
gboolean nexus_ops_prune_backups (const char *folder, guint keep, GError **error);

G_END_DECLS
