/* nexus-rate-limiter.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nexus-rate-limiter.h"

struct _NexusRateLimiter
{
  /* Microseconds between two requests at the sustained rate. */
  gint64 interval_us;
  /* How far ahead of now the arrival time may run: (burst - 1) intervals. */
  gint64 tolerance_us;
  /* key (owned) → gint64* theoretical arrival time, microseconds */
  GHashTable *arrivals;
};

NexusRateLimiter *
nexus_rate_limiter_new (double rate_per_s, guint burst)
{
  NexusRateLimiter *self = g_new0 (NexusRateLimiter, 1);

  g_return_val_if_fail (rate_per_s > 0, NULL);

  self->interval_us = (gint64)(G_USEC_PER_SEC / rate_per_s);
  self->tolerance_us = self->interval_us * (gint64)(MAX (burst, 1) - 1);
  self->arrivals = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return self;
}

void
nexus_rate_limiter_free (NexusRateLimiter *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->arrivals);
  g_free (self);
}

/**
 * nexus_rate_limiter_check:
 * @out_retry_after_us: (out) (optional): when refused, how long until the
 *   next request would pass
 *
 * Returns: %TRUE (and counts the request) when @key is within its limit
 */
gboolean
nexus_rate_limiter_check (NexusRateLimiter *self,
                          const char       *key,
                          gint64            now_us,
                          gint64           *out_retry_after_us)
{
  gint64 *arrival = g_hash_table_lookup (self->arrivals, key);
  gint64  tat;

  /* A clock that went backwards must not lock a key out for long. */
  tat = arrival != NULL ? MIN (*arrival, now_us + self->tolerance_us + self->interval_us) : now_us;
  tat = MAX (tat, now_us);

  if (tat - now_us > self->tolerance_us)
    {
      if (out_retry_after_us != NULL)
        *out_retry_after_us = tat - now_us - self->tolerance_us;
      return FALSE;
    }

  if (arrival == NULL)
    {
      arrival = g_new (gint64, 1);
      g_hash_table_insert (self->arrivals, g_strdup (key), arrival);
    }
  *arrival = tat + self->interval_us;
  if (out_retry_after_us != NULL)
    *out_retry_after_us = 0;
  return TRUE;
}

/* Forgets keys whose arrival time has passed: they would start afresh. */
guint
nexus_rate_limiter_prune (NexusRateLimiter *self, gint64 now_us)
{
  GHashTableIter iter;
  gpointer       value;
  guint          removed = 0;

  g_hash_table_iter_init (&iter, self->arrivals);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      if (*(gint64 *)value <= now_us)
        {
          g_hash_table_iter_remove (&iter);
          removed++;
        }
    }
  return removed;
}

guint
nexus_rate_limiter_size (NexusRateLimiter *self)
{
  return g_hash_table_size (self->arrivals);
}
