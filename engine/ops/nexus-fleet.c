/* nexus-fleet.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nexus-fleet"

#include "config.h"

#include "ops/nexus-fleet.h"
#include "ops/nexus-monitor.h"
#include "store/nexus-store-summary.h"

/* Leases older than this are forgotten without a latency. */
#define LEASE_MEMORY_US ((gint64)3600 * G_USEC_PER_SEC)

typedef struct
{
  gint64          worker_id;
  NexusWorkerHour hour;
} Tally;

typedef struct
{
  gint64 job_id; /* first: the key of the leases table */
  gint64 worker_id;
  gint64 leased_us; /* monotonic time of the lease */
} Lease;

typedef struct
{
  NexusWorkerState state;
  gint64           last_seen_at;
} Known;

struct _NexusFleet
{
  GObject parent_instance;

  NexusStore    *store; /* the engine's write store; NULL once stopped */
  NexusEventBus *events;
  gulong         event_handler;
  GSource       *timer;
  /* Counted since the last flush: a set of Tally, one per worker and
   * hour. */
  GHashTable *tallies;
  /* The Leases of the jobs leased and not reported yet, by job id. */
  GHashTable *leases;
  /* worker id → Known: what the last tick saw; NULL before the first. */
  GHashTable *known;
  /* Searches completed and jobs died from here on are announced. */
  gint64 watched_from;
};

G_DEFINE_FINAL_TYPE (NexusFleet, nexus_fleet, G_TYPE_OBJECT)

/**
 * nexus_fleet_worker_state:
 * @now: unix seconds
 *
 * The state the console shows and notifications follow.
 */
NexusWorkerState
nexus_fleet_worker_state (const NexusWorkerStatus *status, gint64 now)
{
  const NexusWorkerRecord *record = status->record;

  if (g_strcmp0 (record->state, "revoked") == 0)
    return NEXUS_WORKER_STATE_REVOKED;
  if (record->last_seen_at <= 0)
    return NEXUS_WORKER_STATE_NEVER;
  if (now - record->last_seen_at > NEXUS_FLEET_OFFLINE_S)
    return NEXUS_WORKER_STATE_OFFLINE;
  return status->jobs_held > 0 ? NEXUS_WORKER_STATE_BUSY : NEXUS_WORKER_STATE_IDLE;
}

const char *
nexus_worker_state_to_string (NexusWorkerState state)
{
  switch (state)
    {
      case NEXUS_WORKER_STATE_NEVER:
        return "never";
      case NEXUS_WORKER_STATE_OFFLINE:
        return "offline";
      case NEXUS_WORKER_STATE_IDLE:
        return "idle";
      case NEXUS_WORKER_STATE_BUSY:
        return "busy";
      case NEXUS_WORKER_STATE_REVOKED:
      default:
        return "revoked";
    }
}

/**
 * nexus_fleet_worker_watched:
 *
 * Whether @record is a worker the operator watches: one that takes jobs,
 * not the engine's own synthetic monitor.
 */
gboolean
nexus_fleet_worker_watched (const NexusWorkerRecord *record)
{
  return g_strcmp0 (record->role, "worker") == 0 &&
         g_strcmp0 (record->name, NEXUS_MONITOR_WORKER_NAME) != 0;
}

static guint
tally_hash (gconstpointer key)
{
  const Tally *tally = key;

  return (guint)(tally->worker_id * 2654435761u) ^ (guint)(tally->hour.hour / 3600);
}

static gboolean
tally_equal (gconstpointer a, gconstpointer b)
{
  const Tally *x = a;
  const Tally *y = b;

  return x->worker_id == y->worker_id && x->hour.hour == y->hour.hour;
}

static Tally *
tally_for (NexusFleet *self, gint64 worker_id, gint64 at)
{
  Tally  key = { .worker_id = worker_id, .hour = { .hour = at - at % 3600 } };
  Tally *tally = g_hash_table_lookup (self->tallies, &key);

  if (tally == NULL)
    {
      tally = g_memdup2 (&key, sizeof key);
      g_hash_table_add (self->tallies, tally);
    }
  return tally;
}

/* On the engine thread, as each event is published: counting only. */
static void
event_cb (NexusEventBus *bus, NexusEvent *event, gpointer user_data)
{
  NexusFleet *self = user_data;
  gint64      worker_id;
  gint64      job_id;
  Tally      *tally;

  if (!g_str_has_prefix (event->kind, "job.") || event->data == NULL)
    return;
  worker_id = nexus_event_get_int (event, "worker_id");
  job_id = nexus_event_get_int (event, "job_id");
  if (worker_id <= 0)
    return;

  if (g_str_equal (event->kind, "job.leased"))
    {
      Lease *lease = g_new (Lease, 1);

      lease->job_id = job_id;
      lease->worker_id = worker_id;
      lease->leased_us = g_get_monotonic_time ();
      g_hash_table_add (self->leases, lease);
      return;
    }

  tally = tally_for (self, worker_id, event->at);
  if (g_str_equal (event->kind, "job.completed") || g_str_equal (event->kind, "job.reported"))
    tally->hour.leads += nexus_event_get_int (event, "new") + nexus_event_get_int (event, "merged");
  if (g_str_equal (event->kind, "job.completed"))
    {
      Lease *lease = g_hash_table_lookup (self->leases, &job_id);

      tally->hour.jobs++;
      if (lease != NULL && lease->worker_id == worker_id)
        {
          tally->hour.latency_ms_sum += (g_get_monotonic_time () - lease->leased_us) / 1000.0;
          tally->hour.latency_n++;
        }
      g_hash_table_remove (self->leases, &job_id);
    }
  else if (g_str_equal (event->kind, "job.failed") || g_str_equal (event->kind, "job.dead"))
    {
      tally->hour.errors++;
      g_hash_table_remove (self->leases, &job_id);
    }
}

static gboolean
lease_too_old (gpointer key, gpointer value, gpointer user_data)
{
  return ((Lease *)value)->leased_us < *(gint64 *)user_data;
}

/* Adds the tallies to worker_hours in one transaction; kept for the next
 * tick when the store is busy or fails. */
static void
flush_tallies (NexusFleet *self)
{
  g_autoptr (GError) error = NULL;
  gint64 oldest = g_get_monotonic_time () - LEASE_MEMORY_US;

  GHashTableIter iter;
  gpointer       tally;

  g_hash_table_foreach_remove (self->leases, lease_too_old, &oldest);
  if (g_hash_table_size (self->tallies) == 0 || nexus_store_in_transaction (self->store))
    return;

  if (!nexus_store_begin (self->store, &error))
    goto failed;
  g_hash_table_iter_init (&iter, self->tallies);
  while (g_hash_table_iter_next (&iter, &tally, NULL))
    if (!nexus_store_worker_hours_add (self->store, ((Tally *)tally)->worker_id,
                                       &((Tally *)tally)->hour, &error))
      {
        nexus_store_rollback (self->store);
        goto failed;
      }
  if (!nexus_store_commit (self->store, &error))
    goto failed;
  g_hash_table_remove_all (self->tallies);
  return;

failed:
  g_message ("Workers' hourly figures not recorded yet: %s", error->message);
}

static void
publish_state (NexusFleet *self, NexusWorkerStatus *status, NexusWorkerState state, Known *known)
{
  g_autoptr (JsonObject) data = json_object_new ();

  json_object_set_int_member (data, "worker_id", status->record->id);
  if (known != NULL && known->state == state)
    {
      json_object_set_int_member (data, "last_seen_at", status->record->last_seen_at);
      nexus_event_bus_publish (self->events, "worker.seen", data);
      return;
    }
  json_object_set_string_member (data, "public_id", status->record->public_id);
  json_object_set_string_member (data, "name", status->record->name);
  json_object_set_string_member (data, "state", nexus_worker_state_to_string (state));
  json_object_set_string_member (
      data, "previous", known != NULL ? nexus_worker_state_to_string (known->state) : "unknown");
  json_object_set_int_member (data, "last_seen_at", status->record->last_seen_at);
  json_object_set_int_member (data, "jobs_held", status->jobs_held);
  nexus_event_bus_publish (self->events, "worker.state", data);
}

static void
watch_workers (NexusFleet *self, gint64 now)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) statuses = nexus_store_worker_statuses (self->store, &error);
  g_autoptr (GHashTable) known =
      g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);

  if (statuses == NULL)
    {
      g_message ("Cannot watch the workers: %s", error->message);
      return;
    }
  for (guint i = 0; i < statuses->len; i++)
    {
      NexusWorkerStatus *status = g_ptr_array_index (statuses, i);
      NexusWorkerState   state = nexus_fleet_worker_state (status, now);
      Known             *before = NULL;
      Known             *after;

      if (!nexus_fleet_worker_watched (status->record))
        continue;
      /* The first tick announces every state, as "previous": "unknown":
       * a watcher that read the workers before it learns where they are. */
      if (self->known != NULL)
        before = g_hash_table_lookup (self->known, &status->record->id);
      if (before == NULL || before->state != state ||
          before->last_seen_at != status->record->last_seen_at)
        publish_state (self, status, state, before);
      after = g_new (Known, 1);
      after->state = state;
      after->last_seen_at = status->record->last_seen_at;
      g_hash_table_insert (known, g_memdup2 (&status->record->id, sizeof (gint64)), after);
    }
  g_clear_pointer (&self->known, g_hash_table_unref);
  self->known = g_steal_pointer (&known);
}

static void
watch_searches_and_jobs (NexusFleet *self, gint64 now)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) searches = NULL;
  gint64 dead = 0;

  /* Only whole seconds: a row updated later in this second is seen next
   * tick. */
  if (now <= self->watched_from)
    return;
  searches = nexus_store_searches_completed_between (self->store, self->watched_from, now, &error);
  if (searches == NULL ||
      !nexus_store_jobs_dead_between (self->store, self->watched_from, now, &dead, &error))
    {
      g_message ("Cannot watch searches and jobs: %s", error->message);
      return;
    }
  for (guint i = 0; i < searches->len; i++)
    {
      NexusSearchSummary *search = g_ptr_array_index (searches, i);
      g_autoptr (JsonObject) data = json_object_new ();

      json_object_set_int_member (data, "search_id", search->id);
      json_object_set_string_member (data, "name", search->name);
      json_object_set_int_member (data, "run", search->run);
      json_object_set_int_member (data, "jobs_done", search->jobs_done);
      json_object_set_int_member (data, "jobs_total", search->jobs_total);
      nexus_event_bus_publish (self->events, "search.completed", data);
    }
  if (dead > 0)
    {
      g_autoptr (JsonObject) data = json_object_new ();

      json_object_set_int_member (data, "count", dead);
      nexus_event_bus_publish (self->events, "jobs.dead", data);
    }
  self->watched_from = now;
}

/**
 * nexus_fleet_tick:
 * @now: unix seconds
 *
 * Records what was counted and publishes what changed since the last tick.
 * The timer calls it every NEXUS_FLEET_TICK_S; tests call it directly.
 */
void
nexus_fleet_tick (NexusFleet *self, gint64 now)
{
  g_return_if_fail (NEXUS_IS_FLEET (self));

  if (self->store == NULL)
    return;
  flush_tallies (self);
  watch_workers (self, now);
  watch_searches_and_jobs (self, now);
}

static gboolean
tick_cb (gpointer user_data)
{
  nexus_fleet_tick (user_data, g_get_real_time () / G_USEC_PER_SEC);
  return G_SOURCE_CONTINUE;
}

/**
 * nexus_fleet_stop:
 *
 * Records what was counted and lets go of the store and the bus.
 */
void
nexus_fleet_stop (NexusFleet *self)
{
  g_return_if_fail (NEXUS_IS_FLEET (self));

  if (self->store == NULL)
    return;
  flush_tallies (self);
  if (self->timer != NULL)
    g_source_destroy (self->timer);
  g_clear_pointer (&self->timer, g_source_unref);
  g_clear_signal_handler (&self->event_handler, self->events);
  g_clear_object (&self->events);
  g_clear_object (&self->store);
}

static void
nexus_fleet_finalize (GObject *object)
{
  NexusFleet *self = (NexusFleet *)object;

  nexus_fleet_stop (self);
  g_clear_pointer (&self->tallies, g_hash_table_unref);
  g_clear_pointer (&self->leases, g_hash_table_unref);
  g_clear_pointer (&self->known, g_hash_table_unref);

  G_OBJECT_CLASS (nexus_fleet_parent_class)->finalize (object);
}

static void
nexus_fleet_class_init (NexusFleetClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = nexus_fleet_finalize;
}

static void
nexus_fleet_init (NexusFleet *self)
{
  self->tallies = g_hash_table_new_full (tally_hash, tally_equal, g_free, NULL);
  /* Keyed by each Lease's first member, its job id. */
  self->leases = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
}

/**
 * nexus_fleet_new:
 *
 * Starts counting the events of @events and ticking on the thread-default
 * main context (the engine thread's).
 */
NexusFleet *
nexus_fleet_new (NexusStore *store, NexusEventBus *events)
{
  NexusFleet *self = g_object_new (NEXUS_TYPE_FLEET, NULL);

  self->store = g_object_ref (store);
  self->events = g_object_ref (events);
  self->watched_from = g_get_real_time () / G_USEC_PER_SEC;
  self->event_handler = g_signal_connect (events, "event", G_CALLBACK (event_cb), self);
  self->timer = g_timeout_source_new_seconds (NEXUS_FLEET_TICK_S);
  g_source_set_callback (self->timer, tick_cb, self, NULL);
  g_source_set_static_name (self->timer, "[nexus] fleet");
  g_source_attach (self->timer, g_main_context_get_thread_default ());
  return self;
}
