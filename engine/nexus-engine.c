/* nexus-engine.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nexus-engine"

#include "config.h"

#include <glib/gi18n.h>
#include <errno.h>
#include <sys/resource.h>

#include "api/nexus-api-server.h"
#include "api/nexus-tls.h"
#include "leads/nexus-classifier.h"
#include "ops/nexus-fleet.h"
#include "ops/nexus-monitor.h"
#include "ops/nexus-schedule.h"
#include "ops/nexus-webhooks.h"
#include "nexus-engine.h"
#include "queue/nexus-scheduler.h"

/* Seconds between checks whether the classifier should be retrained. */
#define RETRAIN_INTERVAL_S 3600

/* Reader connections kept open at most; more readers wait for one. */
#define MAX_READERS 4

struct _NexusEngine
{
  GObject parent_instance;

  char    *db_path;
  gboolean seeded_demo;

  /* The engine thread, its context and loop.  Everything below marked
   * "engine thread" is touched only from there once the thread runs. */
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;

  /* engine thread: the single write connection. */
  NexusStore *store;
  /* engine thread: the job queue over the write store, and the scheduler
   * that re-runs searches and reaps expired leases on this thread's
   * timers. */
  NexusJobQueue  *queue;
  NexusScheduler *scheduler;
  /* engine thread: retention and scheduled backups. */
  NexusOpsSchedule *operations;
  /* engine thread: the synthetic worker, once the API listens. */
  NexusMonitor *monitor;
  /* engine thread: outgoing webhooks for the events operators chose. */
  NexusWebhooks *webhooks;
  /* engine thread: workers' states and hourly figures from the events. */
  NexusFleet *fleet;
  /* engine thread: the worker API server, NULL until nexus_engine_listen(). */
  NexusApiServer *api;
  /* Events are published on the engine thread; anyone may watch. */
  NexusEventBus *events;
  /* Written on the engine thread during listen, read by anyone after. */
  guint16 port;
  /* Limits and timeouts for the worker API, set before listening. */
  NexusApiConfig api_config;
  gboolean       has_api_config;
  /* SHA-256 of the certificate served, when TLS is on; set by listen. */
  char *tls_fingerprint;

  /* Work posted and not yet run.  Incremented before the shut-down check so
   * that shutdown can wait for every item that got past it. */
  gint pending;
  /* Set once by nexus_engine_shutdown(); no new work is accepted after. */
  gint     shutting_down;
  gboolean shut_down;

  /* The checkpointer thread, and its stop flag guarded by pool_lock and
   * signalled on checkpoint_cond. */
  GThread *checkpointer;
  GCond    checkpoint_cond;
  gboolean checkpoint_stop;

  /* Reader pool, guarded by pool_lock. */
  GMutex     pool_lock;
  GCond      pool_cond;
  GPtrArray *idle_readers;
  guint      n_readers;
};

G_DEFINE_FINAL_TYPE (NexusEngine, nexus_engine, G_TYPE_OBJECT)

/* clang-format off */
G_DEFINE_QUARK (nexus-engine-error-quark, nexus_engine_error)
/* clang-format on */

typedef struct
{
  NexusEngineFunc func;
  gpointer        data;
  GDestroyNotify  data_destroy;
} Work;

static void
work_free (gpointer pointer)
{
  Work *work = pointer;

  if (work->data_destroy != NULL)
    work->data_destroy (work->data);
  g_free (work);
}

static Work *
work_new (NexusEngineFunc func, gpointer data, GDestroyNotify data_destroy)
{
  Work *work = g_new0 (Work, 1);

  work->func = func;
  work->data = data;
  work->data_destroy = data_destroy;
  return work;
}

static gpointer
engine_thread_main (gpointer data)
{
  NexusEngine *self = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GSource) retrain = NULL;

  g_main_context_push_thread_default (self->context);

  /* Created here so that "jobs-available" and the timers belong to this
   * thread's context. */
  self->queue = nexus_job_queue_new (self->store);
  self->scheduler = nexus_scheduler_new (self->queue);
  nexus_scheduler_start (self->scheduler, 0, 0);

  /* The classifier learns from the categories operators set, hourly. */
  retrain = nexus_classifier_schedule_source_new (self->store, RETRAIN_INTERVAL_S);
  g_source_attach (retrain, self->context);
  self->operations = nexus_ops_schedule_new (self, self->store, self->events);
  self->webhooks = nexus_webhooks_new (self->store, self->events);
  self->fleet = nexus_fleet_new (self->store, self->events);

  g_main_loop_run (self->loop);

  /* Work that got past the shut-down check before it was set still runs:
   * an accepted write is never dropped. */
  while (g_atomic_int_get (&self->pending) > 0)
    g_main_context_iteration (self->context, TRUE);

  if (self->api != NULL)
    nexus_api_server_stop (self->api);
  g_clear_object (&self->api);

  nexus_scheduler_stop (self->scheduler);
  g_clear_object (&self->scheduler);
  /* They hold the store: gone before the store closes. */
  g_source_destroy (retrain);
  nexus_ops_schedule_stop (self->operations);
  g_clear_object (&self->operations);
  if (self->monitor != NULL)
    nexus_monitor_stop (self->monitor);
  g_clear_object (&self->monitor);
  nexus_webhooks_stop (self->webhooks);
  g_clear_object (&self->webhooks);
  nexus_fleet_stop (self->fleet);
  g_clear_object (&self->fleet);
  g_clear_object (&self->queue);

  if (!nexus_store_checkpoint (self->store, &error))
    g_warning ("%s", error->message);
  g_clear_object (&self->store);

  g_main_context_pop_thread_default (self->context);
  return NULL;
}

/* Checkpoints the WAL every second from a connection of its own, so that
 * commits on the engine thread never run one (the write connection's
 * autocheckpoint is off). */
static gpointer
checkpointer_main (gpointer data)
{
  NexusEngine *self = data;
  g_autoptr (NexusStore) store = NULL;

  g_mutex_lock (&self->pool_lock);
  while (!self->checkpoint_stop)
    {
      gint64 until = g_get_monotonic_time () + G_USEC_PER_SEC;

      while (!self->checkpoint_stop &&
             g_cond_wait_until (&self->checkpoint_cond, &self->pool_lock, until))
        ;
      if (self->checkpoint_stop)
        break;
      g_mutex_unlock (&self->pool_lock);

      if (store == NULL)
        store = nexus_store_open (self->db_path, NEXUS_STORE_OPEN_NO_CREATE, NULL);
      if (store != NULL)
        {
          g_autoptr (GError) error = NULL;
          if (!nexus_store_checkpoint_passive (store, &error))
            g_debug ("%s", error->message);
        }

      g_mutex_lock (&self->pool_lock);
    }
  g_mutex_unlock (&self->pool_lock);
  return NULL;
}

static void
nexus_engine_finalize (GObject *object)
{
  NexusEngine *self = (NexusEngine *)object;

  nexus_engine_shutdown (self);

  g_clear_pointer (&self->idle_readers, g_ptr_array_unref);
  g_mutex_clear (&self->pool_lock);
  g_cond_clear (&self->pool_cond);
  g_cond_clear (&self->checkpoint_cond);
  g_clear_pointer (&self->loop, g_main_loop_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->db_path, g_free);
  g_clear_pointer (&self->tls_fingerprint, g_free);
  g_clear_object (&self->events);

  G_OBJECT_CLASS (nexus_engine_parent_class)->finalize (object);
}

static void
nexus_engine_class_init (NexusEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = nexus_engine_finalize;
}

static void
nexus_engine_init (NexusEngine *self)
{
  g_mutex_init (&self->pool_lock);
  g_cond_init (&self->pool_cond);
  g_cond_init (&self->checkpoint_cond);
  self->idle_readers = g_ptr_array_new_with_free_func (g_object_unref);
  self->context = g_main_context_new ();
  self->events = nexus_event_bus_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
}

/**
 * nexus_engine_default_db_path:
 *
 * Returns: (transfer full): `$XDG_DATA_HOME/nexus/nexus.db`
 */
char *
nexus_engine_default_db_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "nexus", "nexus.db", NULL);
}

/**
 * nexus_engine_new:
 * @db_path: the database file; created when missing
 * @flags: %NEXUS_ENGINE_SEED_DEMO to fill a newly created file with demo data
 * @error: return location for a #NexusStoreError
 *
 * Opens the store on the calling thread, so that a refused file is reported
 * here, then starts the engine thread, which owns the store from then on.
 *
 * Returns: (transfer full): the running engine, or %NULL with @error set
 */
NexusEngine *
nexus_engine_new (const char *db_path, NexusEngineFlags flags, GError **error)
{
  g_autoptr (NexusEngine) self = NULL;
  g_autoptr (NexusStore) store = NULL;

  g_return_val_if_fail (db_path != NULL, NULL);

  store = nexus_store_open (db_path, NEXUS_STORE_OPEN_DEFAULT, error);
  if (store == NULL)
    return NULL;

  self = g_object_new (NEXUS_TYPE_ENGINE, NULL);
  self->db_path = g_strdup (db_path);

  if ((flags & NEXUS_ENGINE_SEED_DEMO) != 0 && nexus_store_get_created (store))
    {
      if (!nexus_store_seed_demo (store, error))
        return NULL;
      self->seeded_demo = TRUE;
    }

  if (!nexus_store_set_autocheckpoint (store, 0, error))
    return NULL;

  self->store = g_steal_pointer (&store);
  self->thread = g_thread_new ("nexus-engine", engine_thread_main, self);
  self->checkpointer = g_thread_new ("nexus-wal", checkpointer_main, self);

  return g_steal_pointer (&self);
}

const char *
nexus_engine_get_db_path (NexusEngine *self)
{
  g_return_val_if_fail (NEXUS_IS_ENGINE (self), NULL);

  return self->db_path;
}

gboolean
nexus_engine_get_seeded_demo (NexusEngine *self)
{
  g_return_val_if_fail (NEXUS_IS_ENGINE (self), FALSE);

  return self->seeded_demo;
}

/* Counts the item as pending unless the engine is shutting down. */
static gboolean
engine_accept_work (NexusEngine *self, GError **error)
{
  g_atomic_int_inc (&self->pending);
  if (g_atomic_int_get (&self->shutting_down))
    {
      g_atomic_int_dec_and_test (&self->pending);
      /* The engine thread may be waiting for this item. */
      g_main_context_wakeup (self->context);
      g_set_error_literal (error, NEXUS_ENGINE_ERROR, NEXUS_ENGINE_ERROR_SHUT_DOWN,
                           _ ("The engine has shut down"));
      return FALSE;
    }
  return TRUE;
}

static void
engine_work_done (NexusEngine *self)
{
  g_atomic_int_dec_and_test (&self->pending);
}

static gboolean
run_task_cb (gpointer data)
{
  GTask       *task = data;
  NexusEngine *self = g_task_get_source_object (task);
  Work        *work = g_task_get_task_data (task);
  GError      *error = NULL;
  gpointer     result;

  if (!g_task_return_error_if_cancelled (task))
    {
      result = work->func (self->store, work->data, &error);
      if (error != NULL)
        g_task_return_error (task, error);
      else
        g_task_return_pointer (task, result, NULL);
    }

  engine_work_done (self);
  return G_SOURCE_REMOVE;
}

/**
 * nexus_engine_run_async:
 *
 * Runs @func on the engine thread with the write store.  @callback runs in
 * the thread-default main context of the caller.
 */
void
nexus_engine_run_async (NexusEngine        *self,
                        NexusEngineFunc     func,
                        gpointer            data,
                        GDestroyNotify      data_destroy,
                        GCancellable       *cancellable,
                        GAsyncReadyCallback callback,
                        gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  GError *error = NULL;

  g_return_if_fail (NEXUS_IS_ENGINE (self));
  g_return_if_fail (func != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, nexus_engine_run_async);
  g_task_set_task_data (task, work_new (func, data, data_destroy), work_free);

  if (!engine_accept_work (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, run_task_cb, g_object_ref (task),
                              g_object_unref);
}

gpointer
nexus_engine_run_finish (NexusEngine *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == nexus_engine_run_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  NexusEngine    *engine;
  NexusEngineFunc func;
  gpointer        data;
  gpointer        result;
  GError         *error;
  GMutex          lock;
  GCond           cond;
  gboolean        done;
} SyncCall;

static gboolean
run_sync_cb (gpointer data)
{
  SyncCall *call = data;
  gpointer  result;
  GError   *error = NULL;

  result = call->func (call->engine->store, call->data, &error);
  engine_work_done (call->engine);

  g_mutex_lock (&call->lock);
  call->result = result;
  call->error = error;
  call->done = TRUE;
  g_cond_signal (&call->cond);
  g_mutex_unlock (&call->lock);

  return G_SOURCE_REMOVE;
}

/**
 * nexus_engine_run_sync:
 *
 * Runs @func on the engine thread and blocks until it returns.  Called on
 * the engine thread itself, it runs @func directly.  Never call it from the
 * GTK main thread.
 */
gpointer
nexus_engine_run_sync (NexusEngine *self, NexusEngineFunc func, gpointer data, GError **error)
{
  SyncCall call = { 0 };

  g_return_val_if_fail (NEXUS_IS_ENGINE (self), NULL);
  g_return_val_if_fail (func != NULL, NULL);

  if (g_thread_self () == self->thread)
    return func (self->store, data, error);

  if (!engine_accept_work (self, error))
    return NULL;

  call.engine = self;
  call.func = func;
  call.data = data;
  g_mutex_init (&call.lock);
  g_cond_init (&call.cond);

  g_main_context_invoke (self->context, run_sync_cb, &call);

  g_mutex_lock (&call.lock);
  while (!call.done)
    g_cond_wait (&call.cond, &call.lock);
  g_mutex_unlock (&call.lock);

  g_mutex_clear (&call.lock);
  g_cond_clear (&call.cond);

  if (call.error != NULL)
    g_propagate_error (error, call.error);
  return call.result;
}

/* Borrows a reader connection, opening one while fewer than MAX_READERS
 * exist, otherwise waiting for one to come back. */
static NexusStore *
engine_borrow_reader (NexusEngine *self, GError **error)
{
  NexusStore *reader = NULL;

  if (g_atomic_int_get (&self->shutting_down))
    {
      g_set_error_literal (error, NEXUS_ENGINE_ERROR, NEXUS_ENGINE_ERROR_SHUT_DOWN,
                           _ ("The engine has shut down"));
      return NULL;
    }

  g_mutex_lock (&self->pool_lock);
  for (;;)
    {
      if (self->idle_readers->len > 0)
        {
          reader = g_ptr_array_steal_index_fast (self->idle_readers, self->idle_readers->len - 1);
          break;
        }
      if (self->n_readers < MAX_READERS)
        {
          self->n_readers++;
          break;
        }
      g_cond_wait (&self->pool_cond, &self->pool_lock);
    }
  g_mutex_unlock (&self->pool_lock);

  if (reader == NULL)
    {
      reader = nexus_store_open (self->db_path, NEXUS_STORE_OPEN_READ_ONLY, error);
      if (reader == NULL)
        {
          g_mutex_lock (&self->pool_lock);
          self->n_readers--;
          g_cond_signal (&self->pool_cond);
          g_mutex_unlock (&self->pool_lock);
        }
    }
  return reader;
}

/* A reader that comes back after shutdown is closed at once: a restore
 * waits for every connection to the file to go before it swaps it. */
static void
engine_return_reader (NexusEngine *self, NexusStore *reader)
{
  if (g_atomic_int_get (&self->shutting_down))
    {
      g_object_unref (reader);
      g_mutex_lock (&self->pool_lock);
      self->n_readers--;
      g_cond_signal (&self->pool_cond);
      g_mutex_unlock (&self->pool_lock);
      return;
    }

  g_mutex_lock (&self->pool_lock);
  g_ptr_array_add (self->idle_readers, reader);
  g_cond_signal (&self->pool_cond);
  g_mutex_unlock (&self->pool_lock);
}

gpointer
nexus_engine_read_sync (NexusEngine *self, NexusEngineFunc func, gpointer data, GError **error)
{
  NexusStore *reader;
  gpointer    result;

  g_return_val_if_fail (NEXUS_IS_ENGINE (self), NULL);
  g_return_val_if_fail (func != NULL, NULL);

  reader = engine_borrow_reader (self, error);
  if (reader == NULL)
    return NULL;

  result = func (reader, data, error);
  engine_return_reader (self, reader);
  return result;
}

static void
read_task_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  NexusEngine *self = source_object;
  Work        *work = task_data;
  GError      *error = NULL;
  gpointer     result;

  result = nexus_engine_read_sync (self, work->func, work->data, &error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, NULL);
}

/**
 * nexus_engine_read_async:
 *
 * Runs @func in a worker thread with a read-only store from the pool.
 */
void
nexus_engine_read_async (NexusEngine        *self,
                         NexusEngineFunc     func,
                         gpointer            data,
                         GDestroyNotify      data_destroy,
                         GCancellable       *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (NEXUS_IS_ENGINE (self));
  g_return_if_fail (func != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, nexus_engine_read_async);
  g_task_set_task_data (task, work_new (func, data, data_destroy), work_free);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, read_task_thread);
}

gpointer
nexus_engine_read_finish (NexusEngine *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static gpointer
count_leads_func (NexusStore *store, gpointer data, GError **error)
{
  gint64 count = 0;

  if (!nexus_store_count_leads (store, &count, error))
    return NULL;
  return g_memdup2 (&count, sizeof count);
}

static void
count_leads_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError            *error = NULL;
  g_autofree gint64 *count = NULL;

  count = nexus_engine_read_finish (NEXUS_ENGINE (object), result, &error);
  if (count == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, (gssize)*count);
}

void
nexus_engine_count_leads_async (NexusEngine        *self,
                                GCancellable       *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer            user_data)
{
  GTask *task;

  g_return_if_fail (NEXUS_IS_ENGINE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, nexus_engine_count_leads_async);
  nexus_engine_read_async (self, count_leads_func, NULL, NULL, cancellable, count_leads_cb, task);
}

gint64
nexus_engine_count_leads_finish (NexusEngine *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), -1);

  return g_task_propagate_int (G_TASK (result), error);
}

typedef struct
{
  NexusEngine *engine;
  const char  *address;
} ListenCall;

static gpointer
listen_func (NexusStore *store, gpointer data, GError **error)
{
  ListenCall  *call = data;
  NexusEngine *self = call->engine;
  g_autoptr (NexusApiServer) api = NULL;

  if (self->api != NULL)
    {
      g_set_error (error, NEXUS_ENGINE_ERROR, NEXUS_ENGINE_ERROR_LISTEN,
                   _ ("The worker API is already listening on port %u"), self->port);
      return NULL;
    }

  api = nexus_api_server_new (self->queue, self->events,
                              self->has_api_config ? &self->api_config : NULL, error);
  if (api == NULL)
    return NULL;
  if (self->has_api_config && self->api_config.tls)
    {
      g_autofree char *pem = nexus_tls_pem_path_for (self->db_path);
      g_autoptr (GTlsCertificate) certificate = NULL;

      g_clear_pointer (&self->tls_fingerprint, g_free);
      certificate = nexus_tls_load_or_create (pem, &self->tls_fingerprint, error);
      if (certificate == NULL)
        return NULL;
      nexus_api_server_set_certificate (api, certificate);
    }
  if (!nexus_api_server_listen (api, call->address, error))
    return NULL;

  self->port = nexus_api_server_get_port (api);
  self->api = g_steal_pointer (&api);

  /* nexusctl worker add puts this address into connection strings. */
  {
    g_autoptr (GSocketAddress) bound = nexus_api_parse_address (call->address, NULL);
    g_autoptr (GInetAddress) host =
        g_object_ref (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (bound)));
    g_autofree char *host_text = g_inet_address_to_string (host);
    g_autofree char *advertised = NULL;
    g_autoptr (GError) local_error = NULL;

    if (g_inet_address_get_is_any (host))
      advertised = g_strdup_printf ("%s:%u", g_get_host_name (), self->port);
    else if (g_inet_address_get_family (host) == G_SOCKET_FAMILY_IPV6)
      advertised = g_strdup_printf ("[%s]:%u", host_text, self->port);
    else
      advertised = g_strdup_printf ("%s:%u", host_text, self->port);
    /* … and the certificate's fingerprint workers must pin, if any. */
    if (!nexus_store_set_setting (store, "api.address", advertised, &local_error) ||
        !(self->tls_fingerprint != NULL
              ? nexus_store_set_setting (store, "api.tls_fingerprint", self->tls_fingerprint,
                                         &local_error)
              : nexus_store_delete_setting (store, "api.tls_fingerprint", &local_error)))
      g_message ("Cannot record the worker API address: %s", local_error->message);

    /* The synthetic worker probes the API from where the engine itself
     * reaches it. */
    {
      gboolean         ipv6 = g_inet_address_get_family (host) == G_SOCKET_FAMILY_IPV6;
      g_autofree char *probe_host = g_inet_address_get_is_any (host)
                                        ? g_strdup (ipv6 ? "[::1]" : "127.0.0.1")
                                    : ipv6 ? g_strdup_printf ("[%s]", host_text)
                                           : g_strdup (host_text);
      g_autofree char *base_url = g_strdup_printf (
          "%s://%s:%u", self->tls_fingerprint != NULL ? "https" : "http", probe_host, self->port);
      g_autoptr (GError) monitor_error = NULL;

      self->monitor =
          nexus_monitor_new (store, self->events, base_url, self->tls_fingerprint, &monitor_error);
      if (self->monitor == NULL)
        g_message ("The synthetic monitor cannot start: %s", monitor_error->message);
    }
  }
  return GINT_TO_POINTER (TRUE);
}

/* Thousands of workers each hold a connection: lift the soft limit on open
 * files to the hard one (the default soft limit is often 1024). */
static void
raise_open_file_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      if (setrlimit (RLIMIT_NOFILE, &limit) != 0)
        g_debug ("Cannot raise the open-file limit: %s", g_strerror (errno));
    }
}

/**
 * nexus_engine_listen:
 * @address: "IP:PORT"; port 0 picks a free port (see nexus_engine_get_port())
 *
 * Starts the worker API on the engine thread and waits until it listens.
 */
gboolean
nexus_engine_listen (NexusEngine *self, const char *address, GError **error)
{
  ListenCall call = { self, address };

  g_return_val_if_fail (NEXUS_IS_ENGINE (self), FALSE);

  raise_open_file_limit ();
  return nexus_engine_run_sync (self, listen_func, &call, error) != NULL;
}

/**
 * nexus_engine_set_api_config:
 *
 * Sets the worker API's limits and timeouts; takes effect at the next
 * nexus_engine_listen().
 */
void
nexus_engine_set_api_config (NexusEngine *self, const NexusApiConfig *config)
{
  g_return_if_fail (NEXUS_IS_ENGINE (self));
  g_return_if_fail (self->api == NULL);

  self->api_config = *config;
  self->has_api_config = TRUE;
}

static gpointer
tick_operations_func (NexusStore *store, gpointer data, GError **error)
{
  NexusEngine *self = data;

  nexus_ops_schedule_tick (self->operations);
  return GINT_TO_POINTER (TRUE);
}

static gpointer
probe_api_func (NexusStore *store, gpointer data, GError **error)
{
  NexusEngine *self = data;

  if (self->monitor != NULL)
    nexus_monitor_probe (self->monitor);
  return GINT_TO_POINTER (TRUE);
}

/**
 * nexus_engine_probe_api:
 *
 * Has the synthetic worker probe the API now instead of at its next minute.
 */
void
nexus_engine_probe_api (NexusEngine *self)
{
  g_return_if_fail (NEXUS_IS_ENGINE (self));

  nexus_engine_run_sync (self, probe_api_func, self, NULL);
}

/**
 * nexus_engine_tick_operations:
 *
 * Starts the scheduled operations that are due (retention, backups) now
 * instead of at the next minute.
 */
void
nexus_engine_tick_operations (NexusEngine *self)
{
  g_return_if_fail (NEXUS_IS_ENGINE (self));

  nexus_engine_run_sync (self, tick_operations_func, self, NULL);
}

/**
 * nexus_engine_get_fleet:
 *
 * Engine thread only.
 *
 * Returns: (transfer none): the watcher of the workers' states and figures
 */
NexusFleet *
nexus_engine_get_fleet (NexusEngine *self)
{
  g_return_val_if_fail (NEXUS_IS_ENGINE (self), NULL);

  return self->fleet;
}

/**
 * nexus_engine_get_event_bus:
 *
 * Returns: (transfer none): the bus engine events are published on; watch
 *   it with nexus_event_bus_watch() from any thread
 */
NexusEventBus *
nexus_engine_get_event_bus (NexusEngine *self)
{
  g_return_val_if_fail (NEXUS_IS_ENGINE (self), NULL);

  return self->events;
}

/**
 * nexus_engine_get_tls_fingerprint:
 *
 * Returns: (nullable): the SHA-256 of the certificate the worker API serves,
 *   or %NULL without TLS
 */
const char *
nexus_engine_get_tls_fingerprint (NexusEngine *self)
{
  g_return_val_if_fail (NEXUS_IS_ENGINE (self), NULL);

  return self->tls_fingerprint;
}

/**
 * nexus_engine_get_queue:
 *
 * The job queue over the write store.  Engine thread only: call it (and
 * use the queue) from functions run by nexus_engine_run_async() or
 * nexus_engine_run_sync(), or from the worker API's handlers.
 *
 * Returns: (transfer none): the queue
 */
NexusJobQueue *
nexus_engine_get_queue (NexusEngine *self)
{
  g_return_val_if_fail (NEXUS_IS_ENGINE (self), NULL);
  g_return_val_if_fail (g_thread_self () == self->thread, NULL);

  return self->queue;
}

guint16
nexus_engine_get_port (NexusEngine *self)
{
  g_return_val_if_fail (NEXUS_IS_ENGINE (self), 0);

  return self->port;
}

typedef struct
{
  NexusEngine *engine;
  gboolean     draining;
} DrainCall;

static gpointer
drain_func (NexusStore *store, gpointer data, GError **error)
{
  DrainCall *call = data;

  if (call->engine->api != NULL)
    nexus_api_server_set_draining (call->engine->api, call->draining);
  return GINT_TO_POINTER (TRUE);
}

/**
 * nexus_engine_set_api_draining:
 *
 * While draining, the worker API answers every new request with 503
 * shutting_down (workers back off and retry); work already accepted
 * completes.  For maintenance such as a restore.
 */
void
nexus_engine_set_api_draining (NexusEngine *self, gboolean draining)
{
  DrainCall call = { self, draining };

  g_return_if_fail (NEXUS_IS_ENGINE (self));

  nexus_engine_run_sync (self, drain_func, &call, NULL);
}

static gboolean
quit_loop_cb (gpointer data)
{
  NexusEngine *self = data;

  /* Stop taking requests first: nothing new arrives while the queue of
   * posted work drains. */
  if (self->api != NULL)
    nexus_api_server_stop (self->api);
  g_main_loop_quit (self->loop);
  return G_SOURCE_REMOVE;
}

/**
 * nexus_engine_shutdown:
 *
 * Stops the worker API, runs the work already posted, checkpoints the WAL,
 * closes the store and joins the engine thread.  Work posted afterwards
 * fails with %NEXUS_ENGINE_ERROR_SHUT_DOWN.  Safe to call more than once.
 */
void
nexus_engine_shutdown (NexusEngine *self)
{
  g_return_if_fail (NEXUS_IS_ENGINE (self));

  if (self->shut_down)
    return;
  self->shut_down = TRUE;

  g_atomic_int_set (&self->shutting_down, TRUE);

  if (self->checkpointer != NULL)
    {
      g_mutex_lock (&self->pool_lock);
      self->checkpoint_stop = TRUE;
      g_cond_signal (&self->checkpoint_cond);
      g_mutex_unlock (&self->pool_lock);
      g_thread_join (self->checkpointer);
      self->checkpointer = NULL;
    }

  if (self->thread != NULL)
    {
      /* Low priority: the default-priority work already posted runs first. */
      g_main_context_invoke_full (self->context, G_PRIORITY_LOW, quit_loop_cb, self, NULL);
      g_thread_join (self->thread);
      self->thread = NULL;
    }
  else
    {
      g_clear_object (&self->store);
    }

  g_mutex_lock (&self->pool_lock);
  g_ptr_array_set_size (self->idle_readers, 0);
  g_mutex_unlock (&self->pool_lock);
}
