/* nexus-schedule.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nexus-ops"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ops/nexus-backup.h"
#include "ops/nexus-maintenance.h"
#include "ops/nexus-schedule.h"
#include "store/nexus-store-ops.h"

#define BACKUP_PREFIX "nexus-backup-"
#define BACKUP_SUFFIX ".zip"

struct _NexusOpsSchedule
{
  GObject parent_instance;

  NexusEngine   *engine;     /* unowned: the engine owns this object */
  NexusStore    *store;      /* the engine's write store, a reference */
  NexusEventBus *events;     /* a reference */
  GSource       *tick;       /* the minute timer */
  GSource       *retention;  /* the batch-per-iteration idle, while a pass runs */
  guint          purge_kind; /* the NexusStorePurge the running pass is at */
  gint64         purge_now;  /* the time the running pass counts ages from */
  gboolean       backing_up; /* a backup is running on a reader thread */
};

G_DEFINE_FINAL_TYPE (NexusOpsSchedule, nexus_ops_schedule, G_TYPE_OBJECT)

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static gint64
setting_int (NexusStore *store, const char *key)
{
  g_autofree char *value = nexus_store_get_setting (store, key, NULL);

  return value != NULL ? g_ascii_strtoll (value, NULL, 10) : 0;
}

static void
set_setting_int (NexusStore *store, const char *key, gint64 value)
{
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, value);
  g_autoptr (GError) error = NULL;

  if (!nexus_store_set_setting (store, key, text, &error))
    g_message ("Cannot record %s: %s", key, error->message);
}

/* One batch of the running retention pass; removes itself when done. */
static gboolean
retention_step_cb (gpointer user_data)
{
  NexusOpsSchedule   *self = user_data;
  static const gint64 ages[] = {
    [NEXUS_STORE_PURGE_REPLAY] = NEXUS_RETENTION_REPLAY_S,
    [NEXUS_STORE_PURGE_IDEMPOTENCY] = NEXUS_RETENTION_IDEMPOTENCY_S,
    [NEXUS_STORE_PURGE_JOBS] = NEXUS_RETENTION_JOBS_S,
    [NEXUS_STORE_PURGE_AUDIT] = NEXUS_RETENTION_AUDIT_S,
    [NEXUS_STORE_PURGE_WORKER_HOURS] = NEXUS_RETENTION_WORKER_HOURS_S,
  };
  g_autoptr (GError) error = NULL;
  gint64 removed = 0;

  if (nexus_store_in_transaction (self->store))
    return G_SOURCE_CONTINUE; /* a group commit is open: next iteration */

  if (!nexus_store_begin (self->store, &error) ||
      !nexus_store_ops_purge_batch (self->store, self->purge_kind,
                                    self->purge_now - ages[self->purge_kind], NEXUS_RETENTION_BATCH,
                                    &removed, &error) ||
      !nexus_store_commit (self->store, &error))
    {
      nexus_store_rollback (self->store);
      g_message ("Retention stopped: %s", error->message);
      removed = 0;
      self->purge_kind = G_N_ELEMENTS (ages) - 1;
    }

  /* A full batch means there may be more of this kind. */
  if (removed >= NEXUS_RETENTION_BATCH)
    return G_SOURCE_CONTINUE;
  if (++self->purge_kind < G_N_ELEMENTS (ages))
    return G_SOURCE_CONTINUE;

  g_clear_pointer (&self->retention, g_source_unref);
  return G_SOURCE_REMOVE;
}

static void
start_retention (NexusOpsSchedule *self, gint64 now)
{
  self->purge_kind = 0;
  self->purge_now = now;
  self->retention = g_idle_source_new ();
  g_source_set_priority (self->retention, G_PRIORITY_LOW);
  g_source_set_callback (self->retention, retention_step_cb, self, NULL);
  g_source_set_name (self->retention, "[nexus] retention");
  g_source_attach (self->retention, g_main_context_get_thread_default ());
  set_setting_int (self->store, "retention.last_at", now);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *)a, *(const char *const *)b);
}

/**
 * nexus_ops_prune_backups:
 *
 * Keeps the @keep newest nexus-backup-*.zip archives of @folder (their names
 * sort by time) and removes the others.  Any thread.
 */
gboolean
nexus_ops_prune_backups (const char *folder, guint keep, GError **error)
{
  g_autoptr (GDir) dir = g_dir_open (folder, 0, error);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, BACKUP_PREFIX) && g_str_has_suffix (name, BACKUP_SUFFIX))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; keep > 0 && i + keep < names->len; i++)
    {
      g_autofree char *path = g_build_filename (folder, g_ptr_array_index (names, i), NULL);
      if (g_unlink (path) != 0)
        g_message ("Cannot remove the old backup %s", path);
    }
  return TRUE;
}

typedef struct
{
  char *folder;
  guint keep;
} BackupRequest;

static void
backup_request_free (gpointer data)
{
  BackupRequest *request = data;

  g_free (request->folder);
  g_free (request);
}

/* On a reader thread: the snapshot, then the pruning. */
static gpointer
backup_func (NexusStore *store, gpointer data, GError **error)
{
  BackupRequest *request = data;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_autofree char *name = g_strconcat (BACKUP_PREFIX, stamp, BACKUP_SUFFIX, NULL);
  g_autofree char *path = NULL;
  g_autoptr (NexusBackupInfo) info = NULL;

  if (g_mkdir_with_parents (request->folder, 0700) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   _ ("Cannot create the backup folder “%s”"), request->folder);
      return NULL;
    }
  path = g_build_filename (request->folder, name, NULL);
  info = nexus_backup_create (store, path, NEXUS_BACKUP_DEFAULT, NULL, error);
  if (info == NULL)
    return NULL;
  if (!nexus_ops_prune_backups (request->folder, request->keep, error))
    return NULL;
  return g_steal_pointer (&path);
}

static void
backup_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (NexusOpsSchedule) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *path = nexus_engine_read_finish (NEXUS_ENGINE (object), result, &error);
  g_autoptr (JsonObject) data = json_object_new ();

  self->backing_up = FALSE;
  if (self->store == NULL)
    return; /* stopped meanwhile */

  set_setting_int (self->store, "backup.last_at", now_seconds ());
  if (path != NULL)
    {
      nexus_store_delete_setting (self->store, "backup.last_error", NULL);
      json_object_set_string_member (data, "path", path);
      nexus_event_bus_publish (self->events, "backup.completed", data);
    }
  else
    {
      nexus_store_set_setting (self->store, "backup.last_error", error->message, NULL);
      json_object_set_string_member (data, "error", error->message);
      nexus_event_bus_publish (self->events, "backup.failed", data);
      g_message ("Scheduled backup failed: %s", error->message);
    }
}

static void
maybe_backup (NexusOpsSchedule *self, gint64 now)
{
  gint64           every = setting_int (self->store, "backup.every_s");
  g_autofree char *folder = NULL;
  BackupRequest   *request;

  if (every <= 0 || self->backing_up || now - setting_int (self->store, "backup.last_at") < every)
    return;
  folder = nexus_store_get_setting (self->store, "backup.folder", NULL);
  if (folder == NULL || *folder == '\0')
    return;

  request = g_new0 (BackupRequest, 1);
  request->folder = g_steal_pointer (&folder);
  request->keep = (guint)CLAMP (setting_int (self->store, "backup.keep"), 0, 10000);
  self->backing_up = TRUE;
  nexus_engine_read_async (self->engine, backup_func, request, backup_request_free, NULL,
                           backup_done_cb, g_object_ref (self));
}

/**
 * nexus_ops_schedule_tick:
 *
 * Starts what is due now; the minute timer calls it too.
 */
void
nexus_ops_schedule_tick (NexusOpsSchedule *self)
{
  gint64 now = now_seconds ();

  g_return_if_fail (NEXUS_IS_OPS_SCHEDULE (self));

  if (self->store == NULL)
    return;
  if (self->retention == NULL &&
      now - setting_int (self->store, "retention.last_at") >= NEXUS_RETENTION_EVERY_S)
    start_retention (self, now);
  maybe_backup (self, now);
}

static gboolean
tick_cb (gpointer user_data)
{
  nexus_ops_schedule_tick (user_data);
  return G_SOURCE_CONTINUE;
}

/* Stops the timers; a backup already running finishes on its thread. */
void
nexus_ops_schedule_stop (NexusOpsSchedule *self)
{
  g_return_if_fail (NEXUS_IS_OPS_SCHEDULE (self));

  if (self->tick != NULL)
    g_source_destroy (self->tick);
  g_clear_pointer (&self->tick, g_source_unref);
  if (self->retention != NULL)
    g_source_destroy (self->retention);
  g_clear_pointer (&self->retention, g_source_unref);
  g_clear_object (&self->store);
}

static void
nexus_ops_schedule_finalize (GObject *object)
{
  NexusOpsSchedule *self = (NexusOpsSchedule *)object;

  nexus_ops_schedule_stop (self);
  g_clear_object (&self->events);

  G_OBJECT_CLASS (nexus_ops_schedule_parent_class)->finalize (object);
}

static void
nexus_ops_schedule_class_init (NexusOpsScheduleClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = nexus_ops_schedule_finalize;
}

static void
nexus_ops_schedule_init (NexusOpsSchedule *self)
{
}

/**
 * nexus_ops_schedule_new:
 *
 * Starts the minute timer on the calling thread's context (the engine
 * thread's).
 */
NexusOpsSchedule *
nexus_ops_schedule_new (NexusEngine *engine, NexusStore *store, NexusEventBus *events)
{
  NexusOpsSchedule *self = g_object_new (NEXUS_TYPE_OPS_SCHEDULE, NULL);

  self->engine = engine;
  self->store = g_object_ref (store);
  self->events = g_object_ref (events);
  self->tick = g_timeout_source_new_seconds (NEXUS_OPS_TICK_S);
  g_source_set_callback (self->tick, tick_cb, self, NULL);
  g_source_set_name (self->tick, "[nexus] scheduled operations");
  g_source_attach (self->tick, g_main_context_get_thread_default ());
  return self;
}
