/* nexus-scheduler.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nexus-scheduler"

#include "config.h"

#include <inttypes.h>

#include "nexus-scheduler.h"

struct _NexusScheduler
{
  GObject parent_instance;

  /* The queue whose searches and leases this drives; owned. */
  NexusJobQueue *queue;
  /* Timers in the context that was thread-default at start; 0 when
   * stopped. */
  guint         tick_source;
  guint         reap_source;
  GMainContext *context;
};

G_DEFINE_FINAL_TYPE (NexusScheduler, nexus_scheduler, G_TYPE_OBJECT)

static guint
attach_timeout (GMainContext *context,
                guint         interval_s,
                GSourceFunc   func,
                gpointer      data,
                const char   *name)
{
  g_autoptr (GSource) source = g_timeout_source_new_seconds (MAX (interval_s, 1));
  guint id;

  g_source_set_callback (source, func, data, NULL);
  g_source_set_static_name (source, name);
  id = g_source_attach (source, context);
  return id;
}

static gboolean
tick_cb (gpointer data)
{
  NexusScheduler *self = data;
  g_autoptr (GError) error = NULL;

  if (!nexus_scheduler_tick (self, NULL, &error))
    g_warning ("Scheduling searches failed: %s", error->message);
  return G_SOURCE_CONTINUE;
}

static gboolean
reap_cb (gpointer data)
{
  NexusScheduler *self = data;
  g_autoptr (GError) error = NULL;
  gint64 reclaimed = 0;

  if (!nexus_job_queue_reap (self->queue, &reclaimed, &error))
    g_warning ("Reaping expired leases failed: %s", error->message);
  else if (reclaimed > 0)
    g_debug ("Returned %" PRId64 " expired leases", reclaimed);
  return G_SOURCE_CONTINUE;
}

static gboolean
first_run_cb (gpointer data)
{
  reap_cb (data);
  tick_cb (data);
  return G_SOURCE_REMOVE;
}

static void
remove_source (GMainContext *context, guint *id)
{
  GSource *source;

  if (*id == 0)
    return;
  source = g_main_context_find_source_by_id (context, *id);
  if (source != NULL)
    g_source_destroy (source);
  *id = 0;
}

static void
nexus_scheduler_dispose (GObject *object)
{
  NexusScheduler *self = (NexusScheduler *)object;

  nexus_scheduler_stop (self);
  g_clear_object (&self->queue);

  G_OBJECT_CLASS (nexus_scheduler_parent_class)->dispose (object);
}

static void
nexus_scheduler_class_init (NexusSchedulerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = nexus_scheduler_dispose;
}

static void
nexus_scheduler_init (NexusScheduler *self)
{
}

NexusScheduler *
nexus_scheduler_new (NexusJobQueue *queue)
{
  NexusScheduler *self;

  g_return_val_if_fail (NEXUS_IS_JOB_QUEUE (queue), NULL);

  self = g_object_new (NEXUS_TYPE_SCHEDULER, NULL);
  self->queue = g_object_ref (queue);
  return self;
}

/**
 * nexus_scheduler_tick:
 * @out_runs_started: (out) (optional): runs started by this tick
 *
 * Starts one run of each active recurring search that is due, then marks
 * one-off searches with nothing pending completed.  A search whose run
 * cannot start (its region no longer plans, say) is pushed a cadence ahead
 * so it does not fail again every tick; the others still run.
 *
 * Returns: %FALSE only when the database could not be read
 */
gboolean
nexus_scheduler_tick (NexusScheduler *self, guint *out_runs_started, GError **error)
{
  NexusStore *store;
  g_autoptr (GArray) due = NULL;
  guint  started = 0;
  gint64 now;

  g_return_val_if_fail (NEXUS_IS_SCHEDULER (self), FALSE);

  store = nexus_job_queue_get_store (self->queue);
  now = nexus_job_queue_now (self->queue);

  if (!nexus_store_search_clamp_schedule (store, now, NULL, error))
    return FALSE;

  due = nexus_store_search_due (store, now, error);
  if (due == NULL)
    return FALSE;

  for (guint i = 0; i < due->len; i++)
    {
      gint64 id = g_array_index (due, gint64, i);
      g_autoptr (GError) run_error = NULL;
      g_autoptr (NexusSearchRecord) search = NULL;

      if (nexus_job_queue_start_run (self->queue, id, "schedule", NULL, &run_error))
        {
          started++;
          continue;
        }

      /* Paused or cancelled since we looked: nothing to do. */
      if (g_error_matches (run_error, NEXUS_QUEUE_ERROR, NEXUS_QUEUE_ERROR_STATE) ||
          g_error_matches (run_error, NEXUS_QUEUE_ERROR, NEXUS_QUEUE_ERROR_NOT_FOUND))
        continue;

      g_warning ("Search %" PRId64 " could not start its scheduled run: %s", id,
                 run_error->message);
      search = nexus_store_search_get (store, id, NULL);
      if (search != NULL && search->cadence_s > 0)
        nexus_store_search_set_state (store, id, search->state, now + search->cadence_s, now, NULL);
    }

  if (!nexus_store_search_complete_finished (store, now, NULL, error))
    return FALSE;

  if (out_runs_started != NULL)
    *out_runs_started = started;
  return TRUE;
}

/**
 * nexus_scheduler_start:
 * @tick_interval_s: seconds between scheduler ticks (0: the default)
 * @reap_interval_s: seconds between reaper passes (0: the default)
 *
 * Reaps and ticks once as soon as the calling thread's main context runs
 * (so runs missed while closed start right away), then on timers.
 */
void
nexus_scheduler_start (NexusScheduler *self, guint tick_interval_s, guint reap_interval_s)
{
  g_autoptr (GSource) first = NULL;

  g_return_if_fail (NEXUS_IS_SCHEDULER (self));
  g_return_if_fail (self->context == NULL);

  self->context = g_main_context_ref_thread_default ();

  first = g_idle_source_new ();
  g_source_set_callback (first, first_run_cb, self, NULL);
  g_source_set_static_name (first, "[nexus] scheduler start");
  g_source_attach (first, self->context);

  self->tick_source = attach_timeout (
      self->context, tick_interval_s > 0 ? tick_interval_s : NEXUS_SCHEDULER_DEFAULT_TICK_S,
      tick_cb, self, "[nexus] scheduler tick");
  self->reap_source = attach_timeout (
      self->context, reap_interval_s > 0 ? reap_interval_s : NEXUS_SCHEDULER_DEFAULT_REAP_S,
      reap_cb, self, "[nexus] lease reaper");
}

/**
 * nexus_scheduler_stop:
 *
 * Removes the timers.  Call on the thread that started them, before the
 * store closes.  Safe to call more than once.
 */
void
nexus_scheduler_stop (NexusScheduler *self)
{
  g_return_if_fail (NEXUS_IS_SCHEDULER (self));

  if (self->context == NULL)
    return;

  remove_source (self->context, &self->tick_source);
  remove_source (self->context, &self->reap_source);
  /* The one-shot first run may still be pending. */
  {
    GSource *source;

    while ((source = g_main_context_find_source_by_user_data (self->context, self)) != NULL)
      g_source_destroy (source);
  }
  g_clear_pointer (&self->context, g_main_context_unref);
}
