/* nexus-monitor.h — the synthetic worker that watches the worker API
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Once a minute (and on nexus_monitor_probe()), a built-in worker signs a
 * heartbeat and a lease to the engine's own API, as a remote worker would,
 * from a thread of its own.  Its lease names a provider no job has, so it
 * never takes a job.  The last NEXUS_MONITOR_SAMPLES latencies give p50 and
 * p95, kept in the settings (monitor.p50_ms, monitor.p95_ms,
 * monitor.last_at, monitor.last_error; each alert in monitor.last_alert_at
 * and monitor.last_alert).  Above monitor.threshold_ms
 * (default NEXUS_MONITOR_DEFAULT_THRESHOLD_MS), or when the API does not
 * answer, a "monitor.alert" event is published.
 *
 * Its credentials are a worker named "synthetic monitor"; each engine start
 * gives it a fresh secret, which lives only in memory here and in the
 * database like any worker's.  Created, probed and stopped on the engine
 * thread.
 */
#pragma once

#include "nexus-engine.h"

G_BEGIN_DECLS

#define NEXUS_MONITOR_WORKER_NAME          "synthetic monitor"
#define NEXUS_MONITOR_PROVIDER             "synthetic-monitor"
#define NEXUS_MONITOR_SAMPLES              60
#define NEXUS_MONITOR_DEFAULT_THRESHOLD_MS 500
#define NEXUS_MONITOR_EVERY_S              60

#define NEXUS_TYPE_MONITOR (nexus_monitor_get_type ())
G_DECLARE_FINAL_TYPE (NexusMonitor, nexus_monitor, NEXUS, MONITOR, GObject)

NexusMonitor *nexus_monitor_new (NexusStore    *store,
                                 NexusEventBus *events,
                                 const char    *base_url,
                                 const char    *fingerprint,
                                 GError       **error);
void          nexus_monitor_probe (NexusMonitor *self);
void          nexus_monitor_stop (NexusMonitor *self);

G_END_DECLS
