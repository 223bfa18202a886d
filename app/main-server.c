/* main-server.c — nexus-server: the engine and worker API without a display
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <stdio.h>

#include "api/nexus-api-server.h"
#include "nexus-cli.h"
#include "nexus-engine.h"

#define PROGRAM "nexus-server"

typedef struct
{
  GMainLoop   *loop;
  NexusEngine *engine;
  int          signal_number;
} Server;

static gboolean
on_signal_cb (gpointer data)
{
  Server *server = ((gpointer *)data)[0];
  int     signal_number = GPOINTER_TO_INT (((gpointer *)data)[1]);

  server->signal_number = signal_number;
  g_main_loop_quit (server->loop);
  return G_SOURCE_REMOVE;
}

int
main (int argc, char *argv[])
{
  g_autoptr (GOptionContext) context = NULL;
  g_auto (GStrv) args = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *listen = NULL;
  g_autoptr (NexusEngine) engine = NULL;
  g_autoptr (GError) error = NULL;
  gboolean           demo = FALSE;
  gboolean           tls = FALSE;
  gboolean           version = FALSE;
  gpointer           sigint_data[2];
  gpointer           sigterm_data[2];
  Server             server = { 0 };
  int                status;
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path,
      N_ ("Database file (default: $XDG_DATA_HOME/nexus/nexus.db)"), N_ ("PATH") },
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen,
      N_ ("Address of the worker API (default: 127.0.0.1:8787)"), N_ ("ADDR:PORT") },
    { "tls", 0, 0, G_OPTION_ARG_NONE, &tls,
      N_ ("Serve HTTPS with the engine's own certificate (workers pin its fingerprint)"), NULL },
    { "demo", 0, 0, G_OPTION_ARG_NONE, &demo, N_ ("Fill a newly created database with demo leads"),
      NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_ ("Print the version and exit"), NULL },
    { NULL }
  };

  /* Supervisors and tests read the status lines as they come. */
  setvbuf (stdout, NULL, _IOLBF, 0);
  nexus_cli_init_i18n ();

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
                                _ ("Runs the Nexus engine and its worker API without a display."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  args = g_strdupv (argv);
  if ((status = nexus_cli_parse (context, PROGRAM, &args)) >= 0)
    return status;
  if (version)
    {
      nexus_cli_print_version (PROGRAM);
      return NEXUS_EXIT_OK;
    }
  if (g_strv_length (args) > 1)
    return nexus_cli_usage_error (PROGRAM, _ ("Unexpected argument “%s”"), args[1]);

  if (db_path == NULL)
    db_path = nexus_engine_default_db_path ();
  if (listen == NULL)
    listen = g_strdup (NEXUS_API_DEFAULT_LISTEN);

  {
    /* Reject a malformed address before touching the database. */
    g_autoptr (GSocketAddress) parsed = nexus_api_parse_address (listen, &error);
    if (parsed == NULL)
      return nexus_cli_usage_error (PROGRAM, "%s", error->message);
  }

  engine = nexus_engine_new (db_path, demo ? NEXUS_ENGINE_SEED_DEMO : NEXUS_ENGINE_DEFAULT, &error);
  if (engine == NULL)
    return nexus_cli_fail (PROGRAM, "%s", error->message);

  if (tls)
    {
      NexusApiConfig config;

      nexus_api_config_init_default (&config);
      config.tls = TRUE;
      nexus_engine_set_api_config (engine, &config);
    }

  if (!nexus_engine_listen (engine, listen, &error))
    {
      nexus_engine_shutdown (engine);
      return nexus_cli_fail (PROGRAM, "%s", error->message);
    }

  server.loop = g_main_loop_new (NULL, FALSE);
  server.engine = engine;
  sigint_data[0] = &server;
  sigint_data[1] = GINT_TO_POINTER (SIGINT);
  sigterm_data[0] = &server;
  sigterm_data[1] = GINT_TO_POINTER (SIGTERM);
  g_unix_signal_add (SIGINT, on_signal_cb, sigint_data);
  g_unix_signal_add (SIGTERM, on_signal_cb, sigterm_data);

  g_print (_ ("%s: listening on %s (port %u), database %s\n"), PROGRAM, listen,
           nexus_engine_get_port (engine), db_path);
  if (nexus_engine_get_tls_fingerprint (engine) != NULL)
    g_print (_ ("%s: TLS certificate SHA-256 %s\n"), PROGRAM,
             nexus_engine_get_tls_fingerprint (engine));

  g_main_loop_run (server.loop);

  g_print (_ ("%s: signal %d received, shutting down\n"), PROGRAM, server.signal_number);
  nexus_engine_shutdown (engine);
  g_main_loop_unref (server.loop);
  g_print (_ ("%s: stopped cleanly\n"), PROGRAM);

  return NEXUS_EXIT_OK;
}
