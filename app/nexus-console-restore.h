/* nexus-console-restore.h — a backup put in place under a running console
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A restore replaces the database the console's engine has open, so the
 * engine is restarted around it:
 *
 *  1. the window gets no engine (every page drops the old one);
 *  2. on a worker thread: the old engine is shut down, the archive is
 *     verified again (nexus_restore_prepare()), the current file is kept
 *     aside as DB.before-restore-TIME and the restored one swapped in
 *     (nexus_restore_commit()), and a new engine opens the same path;
 *  3. if the archive is refused, nothing was swapped and the old vault is
 *     opened again; if the new engine cannot open the restored file, the
 *     safety copy is put back first;
 *  4. back on the main thread, the engine in place listens on @listen (over
 *     TLS when @tls) and
 *     is given to the window (nexus_window_set_engine()), so every page
 *     reads the vault again; the outcome is shown over the window.
 *
 * nexus_console_show_listen_error() is the console's one way of saying
 * that the worker API did not start, at startup or after a restart.
 *
 * The window has an engine again at the end of every path, except when
 * even the previous vault cannot be opened any more (then the error says
 * so and the window keeps none).  Main thread only.
 */
#pragma once

#include "nexus-window.h"

G_BEGIN_DECLS

void nexus_console_restore_async (NexusWindow        *window,
                                  const char         *zip_path,
                                  const char         *listen,
                                  gboolean            tls,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data);
NexusEngine *
nexus_console_restore_finish (NexusWindow *window, GAsyncResult *result, GError **error);

void nexus_console_show_listen_error (NexusWindow *window, const GError *error);

gboolean
nexus_console_start_api (NexusEngine *engine, const char *listen, gboolean tls, GError **error);

G_END_DECLS
