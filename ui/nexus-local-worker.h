/* nexus-local-worker.h — a nexus-worker process on this computer
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Starts the nexus-worker program (found next to the running program, in
 * the build tree, or in PATH) as a GSubprocess with its connection string
 * in NEXUS_CONNECT (never on its command line), keeps the last lines it
 * writes, and stops it when asked or when the object goes away.  Main
 * thread only.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define NEXUS_LOCAL_WORKER_OUTPUT_LINES 200

#define NEXUS_TYPE_LOCAL_WORKER (nexus_local_worker_get_type ())
G_DECLARE_FINAL_TYPE (NexusLocalWorker, nexus_local_worker, NEXUS, LOCAL_WORKER, GObject)

NexusLocalWorker *nexus_local_worker_new (void);
char             *nexus_local_worker_find_program (void);
gboolean nexus_local_worker_start (NexusLocalWorker *self, const char *connection, GError **error);
void     nexus_local_worker_stop (NexusLocalWorker *self);
gboolean nexus_local_worker_get_running (NexusLocalWorker *self);
const char *nexus_local_worker_get_status (NexusLocalWorker *self);
char       *nexus_local_worker_get_output (NexusLocalWorker *self, guint max_lines);

G_END_DECLS
