/* fleet.c — what the fleet watcher adds to publishing an event
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The worker API publishes job.leased and job.completed on the engine
 * thread while it answers a request; the fleet watcher (engine/ops/
 * nexus-fleet.h) counts them in memory and writes only on its tick.  Two
 * buses publish the same events, one with a fleet watching, in alternating
 * chunks so both see the same machine; then one tick writes what was
 * counted.  Prints ns per event with and without the watcher and the
 * tick's time; asserts no time.
 *
 *   fleet [N_EVENTS]          (default 200000)
 */

#include "config.h"

#include <glib/gstdio.h>

#include "api/nexus-workers.h"
#include "nexus-event-bus.h"
#include "ops/nexus-fleet.h"

#define DEFAULT_EVENTS 200000
#define CHUNK          10000
#define WORKERS        50

/* One lease and its final report per job, spread over the workers. */
static gint64
publish_chunk (NexusEventBus *bus, const gint64 *worker_ids, gint64 first_job, guint n_events)
{
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < n_events; i += 2)
    {
      g_autoptr (JsonObject) leased = json_object_new ();
      g_autoptr (JsonObject) completed = json_object_new ();
      gint64 job_id = first_job + i / 2;
      gint64 worker_id = worker_ids[job_id % WORKERS];

      json_object_set_int_member (leased, "job_id", job_id);
      json_object_set_string_member (leased, "kind", "place_search");
      json_object_set_int_member (leased, "worker_id", worker_id);
      nexus_event_bus_publish (bus, "job.leased", leased);

      json_object_set_int_member (completed, "job_id", job_id);
      json_object_set_int_member (completed, "worker_id", worker_id);
      json_object_set_boolean_member (completed, "final", TRUE);
      json_object_set_int_member (completed, "new", 3);
      json_object_set_int_member (completed, "merged", 1);
      nexus_event_bus_publish (bus, "job.completed", completed);
    }
  return g_get_monotonic_time () - start;
}

int
main (int argc, char *argv[])
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("nexus-bench-fleet-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "bench.db", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (NexusEventBus) plain = nexus_event_bus_new ();
  g_autoptr (NexusEventBus) watched = nexus_event_bus_new ();
  g_autoptr (NexusFleet) fleet = NULL;
  gint64 worker_ids[WORKERS];
  guint  n_events = argc > 1 ? (guint)g_ascii_strtoull (argv[1], NULL, 10) : DEFAULT_EVENTS;
  gint64 plain_us = 0;
  gint64 watched_us = 0;
  gint64 tick_us;
  gint64 hours = 0;

  g_assert_no_error (error);
  store = nexus_store_open (path, NEXUS_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < WORKERS; i++)
    {
      g_autoptr (NexusWorkerRecord) worker = NULL;
      g_autofree char *name = g_strdup_printf ("bench %u", i);
      g_autofree char *connection = nexus_workers_add (store, name, NEXUS_ROLE_WORKER,
                                                       "127.0.0.1:8787", NULL, &worker, &error);

      g_assert_no_error (error);
      worker_ids[i] = worker->id;
    }
  fleet = nexus_fleet_new (store, watched);

  n_events = MAX (n_events - n_events % (2 * CHUNK), 2 * CHUNK);
  for (guint done = 0; done < n_events; done += CHUNK)
    {
      plain_us += publish_chunk (plain, worker_ids, done / 2, CHUNK);
      watched_us += publish_chunk (watched, worker_ids, done / 2, CHUNK);
    }

  tick_us = g_get_monotonic_time ();
  nexus_fleet_tick (fleet, g_get_real_time () / G_USEC_PER_SEC);
  tick_us = g_get_monotonic_time () - tick_us;
  nexus_store_count_rows (store, "worker_hours", &hours, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hours, >=, WORKERS);

  g_print ("events published on each bus: %u (%u workers)\n", n_events, WORKERS);
  g_print ("  publish, no watcher (baseline): %8.1f ns/event\n", plain_us * 1000.0 / n_events);
  g_print ("  publish, fleet watching:        %8.1f ns/event  (x%.2f)\n",
           watched_us * 1000.0 / n_events, (double)watched_us / MAX (plain_us, 1));
  g_print ("  one tick writing %" G_GINT64_FORMAT " worker hours: %.2f ms\n", hours,
           tick_us / 1000.0);

  nexus_fleet_stop (fleet);
  g_clear_object (&store);
  g_unlink (path);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (dir);
  return 0;
}
