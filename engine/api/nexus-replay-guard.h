/* nexus-replay-guard.h — the nonces of the last ten minutes, in memory
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "store/nexus-store.h"

G_BEGIN_DECLS

typedef struct _NexusReplayGuard NexusReplayGuard;

/* Where a transaction stood, to undo what it remembered after it. */
typedef struct
{
  guint  length;
  gint64 last_id;
} NexusReplayMark;

NexusReplayGuard *nexus_replay_guard_new (gint64 window_s);
void              nexus_replay_guard_free (NexusReplayGuard *guard);

gboolean
nexus_replay_guard_sync (NexusReplayGuard *guard, NexusStore *store, gint64 now, GError **error);
gboolean        nexus_replay_guard_remember (NexusReplayGuard *guard,
                                             NexusStore       *store,
                                             gint64            worker_id,
                                             const char       *nonce,
                                             gint64            now,
                                             gboolean         *out_fresh,
                                             GError          **error);
NexusReplayMark nexus_replay_guard_mark (NexusReplayGuard *guard);
void            nexus_replay_guard_undo (NexusReplayGuard *guard, NexusReplayMark mark);
guint           nexus_replay_guard_get_size (NexusReplayGuard *guard);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusReplayGuard, nexus_replay_guard_free)

G_END_DECLS
