/* nexus-replay-guard.c — the nonces of the last ten minutes, in memory
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * PROTOCOL.md refuses a nonce its worker used in the last 600 seconds.
 * Looking each one up in a B-tree keyed by the nonce would write a random
 * page per request; instead the engine thread keeps the window's nonces
 * in a hash table and appends each new one to the hmac_replay log, whose
 * rows only ever go to the end of the table.  The log is what a restart
 * loads (the window's rows, through the seen_at index) and how two
 * engines on one file see each other's nonces: every transaction that
 * checks nonces first reads the rows after the last id it knows, under
 * the write lock, so nothing can slip in between.
 *
 * Only the engine thread uses a guard.  Entries sit in a ring in the order
 * they were learnt; the ones older than the window leave from its head,
 * and those a rolled-back transaction wrote leave from its tail.
 */

#include "config.h"

#include "nexus-replay-guard.h"
#include "store/nexus-store-workers.h"

typedef struct
{
  char  *key; /* "worker_id:nonce"; the table's key is this string */
  gint64 id;
  gint64 seen_at;
} Seen;

struct _NexusReplayGuard
{
  gint64      window_s;
  GHashTable *keys; /* set of Seen.key, owned by the ring */
  GArray     *ring; /* of Seen, oldest first from head */
  guint       head;
  gint64      last_id; /* the largest log id taken in */
  gboolean    loaded;
};

static char *
make_key (gint64 worker_id, const char *nonce)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT ":%s", worker_id, nonce);
}

static void
forget (NexusReplayGuard *guard, Seen *seen)
{
  gpointer stored = NULL;

  /* Only the entry the table points at: a key learnt twice (a clock that
   * went back) stays for its later copy. */
  if (g_hash_table_lookup_extended (guard->keys, seen->key, &stored, NULL) && stored == seen->key)
    g_hash_table_remove (guard->keys, seen->key);
  g_free (seen->key);
  seen->key = NULL;
}

static void
learn (NexusReplayGuard *guard, char *key, gint64 id, gint64 seen_at)
{
  Seen seen = { key, id, seen_at };

  g_array_append_val (guard->ring, seen);
  g_hash_table_replace (guard->keys, key, key);
}

static void
learn_row (gint64 id, gint64 worker_id, const char *nonce, gint64 seen_at, gpointer user_data)
{
  NexusReplayGuard *guard = user_data;

  /* A key already held (seen again after its window, elsewhere) now
   * stands for this later row. */
  learn (guard, make_key (worker_id, nonce != NULL ? nonce : ""), id, seen_at);
}

/**
 * nexus_replay_guard_new:
 * @window_s: how long a nonce is refused after it was seen
 *
 * Returns: (transfer full): an empty guard; the first
 *   nexus_replay_guard_sync() loads the window from the log
 */
NexusReplayGuard *
nexus_replay_guard_new (gint64 window_s)
{
  NexusReplayGuard *guard = g_new0 (NexusReplayGuard, 1);

  guard->window_s = window_s;
  guard->keys = g_hash_table_new (g_str_hash, g_str_equal);
  guard->ring = g_array_new (FALSE, FALSE, sizeof (Seen));
  return guard;
}

void
nexus_replay_guard_free (NexusReplayGuard *guard)
{
  if (guard == NULL)
    return;
  for (guint i = guard->head; i < guard->ring->len; i++)
    g_free (g_array_index (guard->ring, Seen, i).key);
  g_array_unref (guard->ring);
  g_hash_table_unref (guard->keys);
  g_free (guard);
}

static void
expire (NexusReplayGuard *guard, gint64 now)
{
  gint64 cutoff = now - guard->window_s;

  while (guard->head < guard->ring->len &&
         g_array_index (guard->ring, Seen, guard->head).seen_at < cutoff)
    forget (guard, &g_array_index (guard->ring, Seen, guard->head++));

  /* Give the head's room back once it is most of the ring. */
  if (guard->head > 1024 && guard->head * 2 > guard->ring->len)
    {
      g_array_remove_range (guard->ring, 0, guard->head);
      guard->head = 0;
    }
}

/**
 * nexus_replay_guard_sync:
 *
 * At the start of a write transaction that checks nonces (the write lock
 * held): the first time loads the window's nonces from the log, later
 * takes in what other connections appended since; forgets what is older
 * than the window.
 *
 * Returns: %FALSE with @error set when the log cannot be read
 */
gboolean
nexus_replay_guard_sync (NexusReplayGuard *guard, NexusStore *store, gint64 now, GError **error)
{
  gint64 last_id = guard->last_id;

  expire (guard, now);
  if (!nexus_store_replay_scan (store, guard->loaded ? guard->last_id : -1, now - guard->window_s,
                                learn_row, guard, &last_id, error))
    return FALSE;
  guard->last_id = last_id;
  guard->loaded = TRUE;
  return TRUE;
}

/**
 * nexus_replay_guard_remember:
 * @out_fresh: %TRUE when the nonce was not seen in the window (it is now
 *   remembered, in memory and in the log), %FALSE when it was
 *
 * After nexus_replay_guard_sync() in the same transaction.
 *
 * Returns: %FALSE with @error set when the log cannot be written
 */
gboolean
nexus_replay_guard_remember (NexusReplayGuard *guard,
                             NexusStore       *store,
                             gint64            worker_id,
                             const char       *nonce,
                             gint64            now,
                             gboolean         *out_fresh,
                             GError          **error)
{
  char  *key;
  gint64 id;

  g_return_val_if_fail (guard->loaded, FALSE);

  key = make_key (worker_id, nonce);
  if (g_hash_table_contains (guard->keys, key))
    {
      g_free (key);
      *out_fresh = FALSE;
      return TRUE;
    }
  if (!nexus_store_replay_append (store, worker_id, nonce, now, &id, error))
    {
      g_free (key);
      return FALSE;
    }
  learn (guard, key, id, now);
  guard->last_id = MAX (guard->last_id, id);
  *out_fresh = TRUE;
  return TRUE;
}

/**
 * nexus_replay_guard_mark:
 *
 * Where the guard stands now; nexus_replay_guard_undo() goes back to it
 * when what was written since is rolled back.
 */
NexusReplayMark
nexus_replay_guard_mark (NexusReplayGuard *guard)
{
  NexusReplayMark mark = { guard->ring->len, guard->last_id };

  return mark;
}

/**
 * nexus_replay_guard_undo:
 *
 * The transaction (or savepoint) that was open at @mark was rolled back:
 * the nonces learnt since are forgotten, so that the same request can be
 * sent again.
 */
void
nexus_replay_guard_undo (NexusReplayGuard *guard, NexusReplayMark mark)
{
  g_return_if_fail (mark.length >= guard->head && mark.length <= guard->ring->len);

  for (guint i = mark.length; i < guard->ring->len; i++)
    forget (guard, &g_array_index (guard->ring, Seen, i));
  g_array_set_size (guard->ring, mark.length);
  guard->last_id = mark.last_id;
}

/* The nonces held in memory. */
guint
nexus_replay_guard_get_size (NexusReplayGuard *guard)
{
  return g_hash_table_size (guard->keys);
}
