/* nexus-local-worker.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <signal.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "nexus-local-worker.h"

#define PROGRAM_NAME "nexus-worker"
/* The worker finishes its jobs for up to 10 s after SIGTERM. */
#define FORCE_EXIT_S 15

struct _NexusLocalWorker
{
  GObject parent_instance;

  GSubprocess  *process; /* NULL when not running */
  GCancellable *cancellable;
  GQueue        output; /* char*, the last lines, oldest first */
  char         *status; /* what the console shows */
  guint         force_exit_id;
};

enum
{
  PROP_0,
  PROP_RUNNING,
  PROP_STATUS,
  PROP_OUTPUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (NexusLocalWorker, nexus_local_worker, G_TYPE_OBJECT)

static void
set_status (NexusLocalWorker *self, const char *status)
{
  if (g_strcmp0 (self->status, status) == 0)
    return;
  g_free (self->status);
  self->status = g_strdup (status);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

static void
add_line (NexusLocalWorker *self, const char *line)
{
  g_queue_push_tail (&self->output, g_strdup (line));
  while (self->output.length > NEXUS_LOCAL_WORKER_OUTPUT_LINES)
    g_free (g_queue_pop_head (&self->output));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OUTPUT]);
}

static void read_next_line (NexusLocalWorker *self, GDataInputStream *stream);

static void
line_read_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (NexusLocalWorker) self = user_data;
  GDataInputStream *stream = G_DATA_INPUT_STREAM (object);
  g_autoptr (GError) error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (stream, result, NULL, &error);

  if (line == NULL)
    return; /* the end, an error or cancelled */
  add_line (self, line);
  read_next_line (self, stream);
}

static void
read_next_line (NexusLocalWorker *self, GDataInputStream *stream)
{
  g_data_input_stream_read_line_async (stream, G_PRIORITY_DEFAULT, self->cancellable, line_read_cb,
                                       g_object_ref (self));
}

static void
clear_force_exit (NexusLocalWorker *self)
{
  if (self->force_exit_id != 0)
    g_source_remove (self->force_exit_id);
  self->force_exit_id = 0;
}

static void
waited_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (NexusLocalWorker) self = user_data;
  GSubprocess     *process = G_SUBPROCESS (object);
  g_autofree char *status = NULL;

  if (!g_subprocess_wait_finish (process, result, NULL))
    return; /* cancelled: the object is going away */
  if (process != self->process)
    return;

  clear_force_exit (self);
  if (g_subprocess_get_if_exited (process))
    status =
        g_strdup_printf (_ ("Stopped (exit status %d)"), g_subprocess_get_exit_status (process));
  else
    status = g_strdup (_ ("Stopped"));
  g_clear_object (&self->process);
  set_status (self, status);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

/* In the child, before exec: a console that dies without stopping its
 * worker (a crash, a kill) still takes it along. */
static void
child_setup (gpointer user_data)
{
#ifdef __linux__
  prctl (PR_SET_PDEATHSIG, SIGTERM);
#endif
}

static char *
program_beside (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  char            *candidate = g_build_filename (dir, PROGRAM_NAME, NULL);

  if (g_file_test (candidate, G_FILE_TEST_IS_EXECUTABLE))
    return candidate;
  g_free (candidate);
  return NULL;
}

/**
 * nexus_local_worker_find_program:
 *
 * Returns: (transfer full) (nullable): the nexus-worker to run: beside the
 *   running program, in $NEXUS_BUILD_DIR/app, or in PATH
 */
char *
nexus_local_worker_find_program (void)
{
  g_autofree char *self_path = g_file_read_link ("/proc/self/exe", NULL);
  const char      *build_dir = g_getenv ("NEXUS_BUILD_DIR");
  char            *found = NULL;

  if (self_path != NULL && (found = program_beside (self_path)) != NULL)
    return found;
  if (build_dir != NULL)
    {
      g_autofree char *in_build = g_build_filename (build_dir, "app", PROGRAM_NAME, NULL);
      if ((found = program_beside (in_build)) != NULL)
        return found;
    }
  return g_find_program_in_path (PROGRAM_NAME);
}

/**
 * nexus_local_worker_start:
 * @connection: the connection string (holds a secret: passed through the
 *   environment, never shown)
 *
 * Starts the worker.  $NEXUS_OVERPASS_URL, when set, becomes its
 * --overpass-url (a local or test Overpass server).
 */
gboolean
nexus_local_worker_start (NexusLocalWorker *self, const char *connection, GError **error)
{
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GDataInputStream) stream = NULL;
  g_autofree char *program = nexus_local_worker_find_program ();
  const char      *overpass_url = g_getenv ("NEXUS_OVERPASS_URL");

  g_return_val_if_fail (NEXUS_IS_LOCAL_WORKER (self), FALSE);

  if (self->process != NULL)
    return TRUE;
  if (program == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _ ("The program nexus-worker was not found beside Nexus or in PATH"));
      set_status (self, _ ("nexus-worker was not found"));
      return FALSE;
    }

  g_ptr_array_add (argv, g_steal_pointer (&program));
  /* Each request on a line: what the console shows of it. */
  g_ptr_array_add (argv, g_strdup ("--verbose"));
  if (overpass_url != NULL && *overpass_url != '\0')
    g_ptr_array_add (argv, g_strdup_printf ("--overpass-url=%s", overpass_url));
  g_ptr_array_add (argv, NULL);

  launcher =
      g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_setenv (launcher, "NEXUS_CONNECT", connection, TRUE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  self->process = g_subprocess_launcher_spawnv (launcher, (const char *const *)argv->pdata, error);
  if (self->process == NULL)
    {
      set_status (self, _ ("The worker could not start"));
      return FALSE;
    }

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  stream = g_data_input_stream_new (g_subprocess_get_stdout_pipe (self->process));
  read_next_line (self, stream);
  g_subprocess_wait_async (self->process, self->cancellable, waited_cb, g_object_ref (self));

  set_status (self, _ ("Running"));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  return TRUE;
}

static gboolean
force_exit_cb (gpointer user_data)
{
  NexusLocalWorker *self = user_data;

  self->force_exit_id = 0;
  if (self->process != NULL)
    g_subprocess_force_exit (self->process);
  return G_SOURCE_REMOVE;
}

/**
 * nexus_local_worker_stop:
 *
 * Asks the worker to finish (SIGTERM) and kills it if it has not after
 * FORCE_EXIT_S seconds.
 */
void
nexus_local_worker_stop (NexusLocalWorker *self)
{
  g_return_if_fail (NEXUS_IS_LOCAL_WORKER (self));

  if (self->process == NULL)
    return;
  g_subprocess_send_signal (self->process, SIGTERM);
  set_status (self, _ ("Stopping…"));
  if (self->force_exit_id == 0)
    self->force_exit_id = g_timeout_add_seconds (FORCE_EXIT_S, force_exit_cb, self);
}

gboolean
nexus_local_worker_get_running (NexusLocalWorker *self)
{
  g_return_val_if_fail (NEXUS_IS_LOCAL_WORKER (self), FALSE);

  return self->process != NULL;
}

const char *
nexus_local_worker_get_status (NexusLocalWorker *self)
{
  g_return_val_if_fail (NEXUS_IS_LOCAL_WORKER (self), NULL);

  return self->status;
}

/**
 * nexus_local_worker_get_output:
 * @max_lines: how many of the last lines
 *
 * Returns: (transfer full): the last lines the worker wrote
 */
char *
nexus_local_worker_get_output (NexusLocalWorker *self, guint max_lines)
{
  g_autoptr (GString) text = g_string_new (NULL);
  GList *link;

  g_return_val_if_fail (NEXUS_IS_LOCAL_WORKER (self), NULL);

  link = self->output.tail;
  for (guint i = 1; i < max_lines && link != NULL && link->prev != NULL; i++)
    link = link->prev;
  for (; link != NULL; link = link->next)
    {
      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, link->data);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
nexus_local_worker_dispose (GObject *object)
{
  NexusLocalWorker *self = (NexusLocalWorker *)object;

  /* The console is going away: the worker must not outlive it. */
  if (self->process != NULL)
    g_subprocess_send_signal (self->process, SIGTERM);
  clear_force_exit (self);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->process);

  G_OBJECT_CLASS (nexus_local_worker_parent_class)->dispose (object);
}

static void
nexus_local_worker_finalize (GObject *object)
{
  NexusLocalWorker *self = (NexusLocalWorker *)object;

  g_queue_clear_full (&self->output, g_free);
  g_free (self->status);

  G_OBJECT_CLASS (nexus_local_worker_parent_class)->finalize (object);
}

static void
nexus_local_worker_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  NexusLocalWorker *self = NEXUS_LOCAL_WORKER (object);

  switch (prop_id)
    {
      case PROP_RUNNING:
        g_value_set_boolean (value, self->process != NULL);
        break;
      case PROP_STATUS:
        g_value_set_string (value, self->status);
        break;
      case PROP_OUTPUT:
        g_value_take_string (value, nexus_local_worker_get_output (self, 12));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nexus_local_worker_class_init (NexusLocalWorkerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = nexus_local_worker_dispose;
  object_class->finalize = nexus_local_worker_finalize;
  object_class->get_property = nexus_local_worker_get_property;

  properties[PROP_RUNNING] =
      g_param_spec_boolean ("running", NULL, NULL, FALSE,
                            G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_STATUS] =
      g_param_spec_string ("status", NULL, NULL, NULL,
                           G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* The last 12 lines, for a label. */
  properties[PROP_OUTPUT] =
      g_param_spec_string ("output", NULL, NULL, NULL,
                           G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
nexus_local_worker_init (NexusLocalWorker *self)
{
  g_queue_init (&self->output);
  self->status = g_strdup (_ ("Not running"));
}

NexusLocalWorker *
nexus_local_worker_new (void)
{
  return g_object_new (NEXUS_TYPE_LOCAL_WORKER, NULL);
}
