/* nexus-scheduler.h — re-running searches on their cadence; reaping leases
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A NexusScheduler drives a NexusJobQueue's upkeep: a tick starts a new run
 * of every active recurring search whose next run is due, and completes
 * one-off searches with nothing left pending; the reaper returns expired
 * leases.  The engine runs both on timers of its own thread.
 *
 * Rules this module relies on:
 *
 *  - Threads: the queue's thread only.  nexus_scheduler_start() attaches
 *    its timers to the thread-default main context of the calling thread.
 *  - A run's next run is scheduled a cadence after the run actually
 *    started, never after the slot it was due in: runs missed while no
 *    engine ran become one run at the first tick, not one per missed slot.
 *  - A new run never queues a (cell, keyword) still pending from an earlier
 *    run (see nexus_store_job_insert()).
 *  - A clock that jumps backwards leaves no run further away than one
 *    cadence, no lease longer than one TTL and no retry later than one
 *    backoff cap (see nexus_job_queue_reap()).
 */
#pragma once

#include "queue/nexus-job-queue.h"

G_BEGIN_DECLS

#define NEXUS_SCHEDULER_DEFAULT_TICK_S 30
#define NEXUS_SCHEDULER_DEFAULT_REAP_S 5

#define NEXUS_TYPE_SCHEDULER (nexus_scheduler_get_type ())
G_DECLARE_FINAL_TYPE (NexusScheduler, nexus_scheduler, NEXUS, SCHEDULER, GObject)

NexusScheduler *nexus_scheduler_new (NexusJobQueue *queue);
gboolean nexus_scheduler_tick (NexusScheduler *self, guint *out_runs_started, GError **error);
void     nexus_scheduler_start (NexusScheduler *self, guint tick_interval_s, guint reap_interval_s);
void     nexus_scheduler_stop (NexusScheduler *self);

G_END_DECLS
