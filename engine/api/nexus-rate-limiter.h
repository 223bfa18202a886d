/* nexus-rate-limiter.h — GCRA rate limits keyed by a string
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The generic cell rate algorithm keeps one timestamp per key (the
 * theoretical arrival time), so a limit costs one hash lookup and no timer.
 * A key allows @burst requests at once and then one every 1/@rate seconds.
 * Keys idle long enough to be back at a full burst are dropped by
 * nexus_rate_limiter_prune(), keeping memory bounded by the active keys.
 *
 * Not thread-safe: used on the engine thread only.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _NexusRateLimiter NexusRateLimiter;

NexusRateLimiter *nexus_rate_limiter_new (double rate_per_s, guint burst);
void              nexus_rate_limiter_free (NexusRateLimiter *self);
gboolean          nexus_rate_limiter_check (NexusRateLimiter *self,
                                            const char       *key,
                                            gint64            now_us,
                                            gint64           *out_retry_after_us);
guint             nexus_rate_limiter_prune (NexusRateLimiter *self, gint64 now_us);
guint             nexus_rate_limiter_size (NexusRateLimiter *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusRateLimiter, nexus_rate_limiter_free)

G_END_DECLS
