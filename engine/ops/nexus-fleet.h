/* nexus-fleet.h — the engine's watch over its workers
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A subscriber of the event bus on the engine thread, off the API's request
 * path:
 *
 *  - it counts, per worker and hour, the jobs reported (job.completed), the
 *    leads found (new + merged of every report), the errors (job.failed,
 *    job.dead) and the time from a lease (job.leased) to its final report,
 *    and adds them to the worker_hours table every NEXUS_FLEET_TICK_S;
 *  - each tick it reads the workers and publishes "worker.state" when a
 *    worker's state (nexus_fleet_worker_state()) changed (on the first tick,
 *    for every worker), "worker.seen" when
 *    only its last visit did, "search.completed" for each search completed
 *    since the last tick and "jobs.dead" with the number of jobs that died
 *    since then (also jobs reaped or failed by another process).
 *
 * Event data: worker.state {worker_id, public_id, name, state, previous,
 * last_seen_at, jobs_held}; worker.seen {worker_id, last_seen_at};
 * search.completed {search_id, name, run, jobs_done, jobs_total};
 * jobs.dead {count}.
 *
 * Created, ticked and stopped on the engine thread.
 */
#pragma once

#include "nexus-event-bus.h"
#include "store/nexus-store-workers.h"

G_BEGIN_DECLS

#define NEXUS_FLEET_TICK_S 5
/* A worker heartbeats every 30 s: three missed beats and it is offline. */
#define NEXUS_FLEET_OFFLINE_S 90

typedef enum
{
  NEXUS_WORKER_STATE_NEVER,   /* never connected */
  NEXUS_WORKER_STATE_OFFLINE, /* not seen for NEXUS_FLEET_OFFLINE_S */
  NEXUS_WORKER_STATE_IDLE,    /* online, holds no job */
  NEXUS_WORKER_STATE_BUSY,    /* online, holds at least one job */
  NEXUS_WORKER_STATE_REVOKED,
} NexusWorkerState;

NexusWorkerState nexus_fleet_worker_state (const NexusWorkerStatus *status, gint64 now);
const char      *nexus_worker_state_to_string (NexusWorkerState state);
gboolean         nexus_fleet_worker_watched (const NexusWorkerRecord *record);

#define NEXUS_TYPE_FLEET (nexus_fleet_get_type ())
G_DECLARE_FINAL_TYPE (NexusFleet, nexus_fleet, NEXUS, FLEET, GObject)

NexusFleet *nexus_fleet_new (NexusStore *store, NexusEventBus *events);
void        nexus_fleet_tick (NexusFleet *self, gint64 now);
void        nexus_fleet_stop (NexusFleet *self);

G_END_DECLS
