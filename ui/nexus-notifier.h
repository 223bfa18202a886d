/* nexus-notifier.h — desktop notifications from the engine's events
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Turns the fleet watcher's events (engine/ops/nexus-fleet.h) into
 * GNotifications: a search completed (search.completed), a worker that was
 * online went offline (worker.state), jobs died (jobs.dead).  The same
 * thing is not notified twice: a search run once, a worker once per time
 * it goes offline, and not when the operator stopped it (the local worker:
 * nexus_notifier_expect_offline()).  Clicking a notification activates "app.show-page" with
 * the page to open.  Each decision is emitted as "notification" (the id and
 * the GNotification), then sent through the application when it is
 * registered.  Main thread only.
 */
#pragma once

#include <gio/gio.h>

#include "nexus-engine.h"

G_BEGIN_DECLS

#define NEXUS_TYPE_NOTIFIER (nexus_notifier_get_type ())
G_DECLARE_FINAL_TYPE (NexusNotifier, nexus_notifier, NEXUS, NOTIFIER, GObject)

NexusNotifier *nexus_notifier_new (GApplication *application);
void           nexus_notifier_set_engine (NexusNotifier *self, NexusEngine *engine);
void           nexus_notifier_consider (NexusNotifier *self, NexusEvent *event);
void           nexus_notifier_expect_offline (NexusNotifier *self, const char *public_id);

G_END_DECLS
