/* main-worker.c — nexus-worker: leases jobs from an engine and reports results
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Links no GTK, so it installs on headless machines.
 */

#include "config.h"

#include <glib/gi18n.h>

#include "api/nexus-connection.h"
#include "nexus-cli.h"

#define PROGRAM "nexus-worker"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_auto(GStrv) args = NULL;
  g_autofree char *connect = NULL;
  g_autoptr(NexusConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *base_url = NULL;
  gboolean version = FALSE;
  gboolean verbose = FALSE;
  int status;
  const GOptionEntry entries[] = {
    { "connect", 'c', 0, G_OPTION_ARG_STRING, &connect,
      N_("Connection string from the console (or set NEXUS_CONNECT)"), N_("STRING") },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, N_("Log each request"), NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_("Print the version and exit"), NULL },
    { NULL }
  };

  nexus_cli_init_i18n ();

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
                                _("Leases search jobs from a Nexus engine, queries the places "
                                  "providers and reports the leads it finds."));
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
    return nexus_cli_usage_error (PROGRAM, _("Unexpected argument “%s”"), args[1]);

  if (connect == NULL)
    connect = g_strdup (g_getenv ("NEXUS_CONNECT"));
  if (connect == NULL)
    return nexus_cli_usage_error (PROGRAM, _("No connection string: use --connect or NEXUS_CONNECT"));

  connection = nexus_connection_parse (connect, &error);
  if (connection == NULL)
    return nexus_cli_usage_error (PROGRAM, "%s", error->message);

  base_url = nexus_connection_base_url (connection);
  if (verbose)
    g_printerr (_("%s: engine at %s, worker %s\n"), PROGRAM, base_url, connection->worker_id);

  /* The lease loop and the providers are not part of this version. */
  return nexus_cli_fail (PROGRAM,
                         _("this version cannot lease jobs yet; the connection string for "
                           "worker %s is valid"),
                         connection->worker_id);
}
