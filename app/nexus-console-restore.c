/* nexus-console-restore.c — a backup put in place under a running console
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "nexus-console-restore.h"
#include "ops/nexus-backup.h"

typedef struct
{
  NexusEngine *old_engine; /* shut down on the worker thread */
  char        *zip_path;
  char        *db_path;
  char        *listen;
  gboolean     tls;

  /* Filled by the worker thread. */
  NexusEngine *engine; /* the engine in place at the end; NULL if none opens */
  char        *safety_path;
  GError      *error; /* why the archive is not in place; NULL on success */
} RestoreData;

static void
restore_data_free (gpointer data)
{
  RestoreData *restore = data;

  g_clear_object (&restore->old_engine);
  g_clear_object (&restore->engine);
  g_free (restore->zip_path);
  g_free (restore->db_path);
  g_free (restore->listen);
  g_free (restore->safety_path);
  g_clear_error (&restore->error);
  g_free (restore);
}

/* Removes what a failed open of @db_path may have left beside it. */
static void
remove_side_files (const char *db_path)
{
  g_autofree char *wal = g_strconcat (db_path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (db_path, "-shm", NULL);

  g_unlink (wal);
  g_unlink (shm);
}

static void
restore_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  RestoreData *restore = task_data;
  g_autoptr (NexusRestore) prepared = NULL;
  g_autoptr (GError) open_error = NULL;
  g_autoptr (GError) reopen_error = NULL;

  nexus_engine_shutdown (restore->old_engine);

  prepared = nexus_restore_prepare (restore->zip_path, restore->db_path, NULL, &restore->error);
  if (prepared != NULL && nexus_restore_commit (prepared, &restore->safety_path, &restore->error))
    {
      restore->engine = nexus_engine_new (restore->db_path, NEXUS_ENGINE_DEFAULT, &open_error);
      if (restore->engine != NULL)
        return;

      /* The restored file does not open here: the previous one goes back. */
      remove_side_files (restore->db_path);
      if (restore->safety_path != NULL && g_rename (restore->safety_path, restore->db_path) != 0)
        {
          int saved_errno = errno;

          g_set_error (&restore->error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       _ ("The restored database cannot be opened (%s), and the previous one "
                          "could not be put back from %s: %s"),
                       open_error->message, restore->safety_path, g_strerror (saved_errno));
          return;
        }
      g_set_error (&restore->error, NEXUS_BACKUP_ERROR, NEXUS_BACKUP_ERROR_FAILED,
                   _ ("The restored database cannot be opened (%s); the previous one is back "
                      "in place."),
                   open_error->message);
      g_clear_pointer (&restore->safety_path, g_free);
    }

  /* Nothing was swapped, or the swap was undone: the previous vault again. */
  restore->engine = nexus_engine_new (restore->db_path, NEXUS_ENGINE_DEFAULT, &reopen_error);
  if (restore->engine == NULL)
    g_prefix_error (&restore->error, _ ("The vault cannot be opened again (%s): "),
                    reopen_error->message);
}

/**
 * nexus_console_start_api:
 * @engine: the console's engine
 * @listen: ADDR:PORT
 * @tls: serve HTTPS with the engine's own certificate
 *
 * Starts the worker API of @engine with the default limits.
 *
 * Returns: whether it listens
 */
gboolean
nexus_console_start_api (NexusEngine *engine, const char *listen, gboolean tls, GError **error)
{
  NexusApiConfig config;

  nexus_api_config_init_default (&config);
  config.tls = tls;
  nexus_engine_set_api_config (engine, &config);

  return nexus_engine_listen (engine, listen, error);
}

/**
 * nexus_console_show_listen_error:
 * @error: (nullable): why the worker API did not start; %NULL shows nothing
 *
 * Says over @window, until dismissed, that the console runs without its
 * worker API.
 */
void
nexus_console_show_listen_error (NexusWindow *window, const GError *error)
{
  g_autofree char *title = NULL;
  AdwToast        *toast;

  if (error == NULL)
    return;

  /* The toast's title is markup. */
  title = g_markup_printf_escaped (_ ("The worker API could not start: %s"), error->message);
  toast = adw_toast_new (title);
  adw_toast_set_timeout (toast, 0);
  nexus_window_add_toast (window, toast);
}

static void
show_outcome (NexusWindow *window, RestoreData *restore, const GError *listen_error)
{
  if (restore->error == NULL)
    {
      g_autofree char *title = NULL;
      AdwToast        *toast;

      /* The toast's title is markup. */
      if (restore->safety_path != NULL)
        title = g_markup_printf_escaped (_ ("Backup restored; the previous database is kept as "
                                            "\u2068%s\u2069"),
                                         restore->safety_path);
      else
        title = g_markup_escape_text (_ ("Backup restored"), -1);
      toast = adw_toast_new (title);
      adw_toast_set_timeout (toast, 10);
      nexus_window_add_toast (window, toast);
    }
  else
    {
      GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (window), _ ("Restore Failed"),
                                                  restore->error->message);

      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _ ("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
    }

  nexus_console_show_listen_error (window, listen_error);
}

static void
restore_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) outer = user_data;
  NexusWindow *window = g_task_get_source_object (outer);
  RestoreData *restore = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) listen_error = NULL;

  if (restore->engine != NULL)
    {
      nexus_console_start_api (restore->engine, restore->listen, restore->tls, &listen_error);
      nexus_window_set_engine (window, restore->engine);
    }
  show_outcome (window, restore, listen_error);

  if (restore->error != NULL)
    {
      /* The caller learns which engine is in place through the window. */
      g_task_return_error (outer, g_error_copy (restore->error));
      return;
    }
  g_task_return_pointer (outer, g_object_ref (restore->engine), g_object_unref);
}

/**
 * nexus_console_restore_async:
 * @window: the window whose engine's vault is replaced
 * @zip_path: a backup archive (nexus-backup.h)
 * @listen: ADDR:PORT the restarted engine's worker API listens on
 * @tls: whether it serves HTTPS
 *
 * Restarts the window's engine on the vault of @zip_path; see the top of
 * nexus-console-restore.h.
 */
void
nexus_console_restore_async (NexusWindow        *window,
                             const char         *zip_path,
                             const char         *listen,
                             gboolean            tls,
                             GAsyncReadyCallback callback,
                             gpointer            user_data)
{
  g_autoptr (GTask) outer = NULL;
  g_autoptr (GTask) task = NULL;
  RestoreData *restore;
  NexusEngine *engine;

  g_return_if_fail (NEXUS_IS_WINDOW (window));
  g_return_if_fail (zip_path != NULL);
  g_return_if_fail (listen != NULL);

  outer = g_task_new (window, NULL, callback, user_data);
  g_task_set_source_tag (outer, nexus_console_restore_async);

  engine = nexus_window_get_engine (window);
  if (engine == NULL)
    {
      g_task_return_new_error (outer, NEXUS_BACKUP_ERROR, NEXUS_BACKUP_ERROR_BUSY,
                               _ ("A restore is already running."));
      return;
    }

  restore = g_new0 (RestoreData, 1);
  restore->old_engine = g_object_ref (engine);
  restore->zip_path = g_strdup (zip_path);
  restore->db_path = g_strdup (nexus_engine_get_db_path (engine));
  restore->listen = g_strdup (listen);
  restore->tls = tls;

  /* Every page lets the old engine go before it stops. */
  nexus_window_set_engine (window, NULL);

  task = g_task_new (window, NULL, restore_done_cb, g_steal_pointer (&outer));
  g_task_set_source_tag (task, nexus_console_restore_async);
  g_task_set_task_data (task, restore, restore_data_free);
  g_task_run_in_thread (task, restore_thread);
}

/**
 * nexus_console_restore_finish:
 *
 * Returns: (transfer full): the engine now in the window, running the
 *   restored vault, or %NULL with @error (the window then has the previous
 *   vault's engine again, if it could be opened)
 */
NexusEngine *
nexus_console_restore_finish (NexusWindow *window, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, window), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
