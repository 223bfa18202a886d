/* nexus-notifier.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>

#include "nexus-event-watch.h"
#include "nexus-format.h"
#include "nexus-notifier.h"

struct _NexusNotifier
{
  GObject parent_instance;

  GApplication    *application; /* weak: the application owns the notifier */
  NexusEventWatch *watch;
  GHashTable      *offline;          /* worker ids (gint64*) notified offline */
  GHashTable      *searches_done;    /* "ID:RUN" of searches notified */
  GHashTable      *expected_offline; /* public ids of workers stopped on purpose */
};

enum
{
  SIGNAL_NOTIFICATION,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (NexusNotifier, nexus_notifier, G_TYPE_OBJECT)

static const char *const watched_kinds[] = { "worker.state", "search.completed", "jobs.dead",
                                             NULL };

static void
send (NexusNotifier *self, const char *id, const char *title, const char *body, const char *page)
{
  g_autoptr (GNotification) notification = g_notification_new (title);

  g_notification_set_body (notification, body);
  g_notification_set_default_action_and_target (notification, "app.show-page", "s", page);
  g_signal_emit (self, signals[SIGNAL_NOTIFICATION], 0, id, notification);
  if (self->application != NULL && g_application_get_is_registered (self->application))
    g_application_send_notification (self->application, id, notification);
}

static gboolean
is_online (const char *state)
{
  return g_str_equal (state, "idle") || g_str_equal (state, "busy");
}

static void
consider_worker (NexusNotifier *self, NexusEvent *event)
{
  gint64           worker_id = nexus_event_get_int (event, "worker_id");
  const char      *state = nexus_event_get_string (event, "state");
  const char      *public_id = nexus_event_get_string (event, "public_id");
  g_autofree char *id = g_strdup_printf ("worker-offline-%" PRId64, worker_id);

  if (is_online (state))
    {
      g_hash_table_remove (self->expected_offline, public_id);
      /* Back: a later loss is news again. */
      if (g_hash_table_remove (self->offline, &worker_id) && self->application != NULL &&
          g_application_get_is_registered (self->application))
        g_application_withdraw_notification (self->application, id);
      return;
    }
  if (!g_str_equal (state, "offline") || !is_online (nexus_event_get_string (event, "previous")) ||
      g_hash_table_contains (self->offline, &worker_id))
    return;
  /* The operator stopped it: no news. */
  if (g_hash_table_remove (self->expected_offline, public_id))
    return;

  g_hash_table_add (self->offline, g_memdup2 (&worker_id, sizeof worker_id));
  {
    g_autofree char *name = nexus_isolate_auto (nexus_event_get_string (event, "name"));
    /* Translators: %s is a worker's name. */
    g_autofree char *body = g_strdup_printf (
        _ ("“%s” stopped reporting: its heartbeats have not arrived for a minute and a half."),
        name);

    send (self, id, _ ("A worker went offline"), body, "workers");
  }
}

static void
consider_search (NexusNotifier *self, NexusEvent *event)
{
  gint64           search_id = nexus_event_get_int (event, "search_id");
  g_autofree char *key =
      g_strdup_printf ("%" PRId64 ":%" PRId64, search_id, nexus_event_get_int (event, "run"));
  g_autofree char *id = g_strdup_printf ("search-completed-%" PRId64, search_id);
  g_autofree char *name = NULL;
  g_autofree char *done = NULL;
  g_autofree char *total = NULL;
  g_autofree char *body = NULL;

  if (g_hash_table_contains (self->searches_done, key))
    return;
  g_hash_table_add (self->searches_done, g_steal_pointer (&key));

  name = nexus_isolate_auto (nexus_event_get_string (event, "name"));
  done = nexus_format_count (nexus_event_get_int (event, "jobs_done"));
  total = nexus_format_count (nexus_event_get_int (event, "jobs_total"));
  /* Translators: a search's name, then its jobs done and all its jobs. */
  body = g_strdup_printf (_ ("“%s” finished: %s of %s jobs done."), name, done, total);
  send (self, id, _ ("Search completed"), body, "searches");
}

static void
consider_dead_jobs (NexusNotifier *self, NexusEvent *event)
{
  gint64           count = nexus_event_get_int (event, "count");
  g_autofree char *number = nexus_format_count (count);
  g_autofree char *body = NULL;

  if (count <= 0)
    return;
  /* The same id: a newer count replaces the notification still shown. */
  body =
      g_strdup_printf (ngettext ("%s job failed every attempt and was set aside.",
                                 "%s jobs failed every attempt and were set aside.", (gulong)count),
                       number);
  send (self, "jobs-dead", _ ("Jobs failed for good"), body, "jobs");
}

/**
 * nexus_notifier_consider:
 *
 * Decides whether @event is worth a notification and sends it.  Called for
 * each event watched; tests call it directly.
 */
void
nexus_notifier_consider (NexusNotifier *self, NexusEvent *event)
{
  g_return_if_fail (NEXUS_IS_NOTIFIER (self));

  if (event->data == NULL)
    return;
  if (g_str_equal (event->kind, "worker.state"))
    consider_worker (self, event);
  else if (g_str_equal (event->kind, "search.completed"))
    consider_search (self, event);
  else if (g_str_equal (event->kind, "jobs.dead"))
    consider_dead_jobs (self, event);
}

static void
event_cb (NexusEvent *event, gpointer user_data)
{
  nexus_notifier_consider (user_data, event);
}

static void
nexus_notifier_dispose (GObject *object)
{
  NexusNotifier *self = (NexusNotifier *)object;

  g_clear_pointer (&self->watch, nexus_event_watch_free);
  g_clear_weak_pointer (&self->application);

  G_OBJECT_CLASS (nexus_notifier_parent_class)->dispose (object);
}

static void
nexus_notifier_finalize (GObject *object)
{
  NexusNotifier *self = (NexusNotifier *)object;

  g_hash_table_unref (self->offline);
  g_hash_table_unref (self->searches_done);
  g_hash_table_unref (self->expected_offline);

  G_OBJECT_CLASS (nexus_notifier_parent_class)->finalize (object);
}

static void
nexus_notifier_class_init (NexusNotifierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = nexus_notifier_dispose;
  object_class->finalize = nexus_notifier_finalize;

  /**
   * NexusNotifier::notification:
   * @id: the notification's id (the same thing keeps the same id)
   * @notification: what is sent
   */
  signals[SIGNAL_NOTIFICATION] =
      g_signal_new ("notification", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_NOTIFICATION);
}

static void
nexus_notifier_init (NexusNotifier *self)
{
  self->offline = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->searches_done = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->expected_offline = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->watch = nexus_event_watch_new (watched_kinds, 0, event_cb, NULL, self);
}

/**
 * nexus_notifier_new:
 * @application: (nullable): sends the notifications when registered
 */
NexusNotifier *
nexus_notifier_new (GApplication *application)
{
  NexusNotifier *self = g_object_new (NEXUS_TYPE_NOTIFIER, NULL);

  g_set_weak_pointer (&self->application, application);
  return self;
}

/**
 * nexus_notifier_set_engine:
 * @engine: (nullable): the engine whose events to follow
 */
void
nexus_notifier_set_engine (NexusNotifier *self, NexusEngine *engine)
{
  g_return_if_fail (NEXUS_IS_NOTIFIER (self));

  nexus_event_watch_set_engine (self->watch, engine);
}

/**
 * nexus_notifier_expect_offline:
 * @public_id: a worker's public id
 *
 * The operator stopped this worker: its going offline next is not
 * notified.  Once it is back online, a later loss is news again.
 */
void
nexus_notifier_expect_offline (NexusNotifier *self, const char *public_id)
{
  g_return_if_fail (NEXUS_IS_NOTIFIER (self));
  g_return_if_fail (public_id != NULL);

  g_hash_table_add (self->expected_offline, g_strdup (public_id));
}
