/* main-worker.c — nexus-worker: leases jobs from an engine and reports results
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Links no GTK, so it installs on headless machines.  Settings come from
 * the command line, else the environment (NEXUS_CONNECT,
 * NEXUS_GOOGLE_KEY, NEXUS_GOOGLE_PLACES_URL), else
 * ~/.config/nexus-worker/config.ini:
 *
 *   [worker]
 *   connect=nexus://HOST:PORT/?worker=…&secret=…
 *   concurrency=2
 *   providers=overpass,google,enrich
 *   overpass-url=https://overpass-api.de/api/interpreter
 *   google-key=…
 *
 * --providers names place providers and "enrich" (enrichment of
 * preview-only leads); without it the worker runs overpass, google when it
 * has a key, and enrich.  NEXUS_ENRICH_ALLOW_LOOPBACK=1 (tests only) lets
 * enrichment fetch from 127.0.0.1 and ::1.
 *
 * SIGTERM or SIGINT: no new leases; jobs in flight finish or are failed as
 * retryable within ten seconds; exit status 0.
 */

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>

#include "api/nexus-connection.h"
#include "nexus-cli.h"
#include "worker/nexus-worker-loop.h"

#define PROGRAM "nexus-worker"

static gboolean
signal_cb (gpointer user_data)
{
  nexus_worker_loop_stop (user_data);
  return G_SOURCE_CONTINUE;
}

/* Fills what the command line left unset from config.ini, if there is one. */
static gboolean
load_config_file (const char *path,
                  char      **connect,
                  char      **concurrency,
                  char      **providers,
                  char      **overpass_url,
                  char      **google_key,
                  GError    **error)
{
  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_autoptr (GError) local_error = NULL;
  struct
  {
    const char *key;
    char      **value;
  } keys[] = {
    { "connect", connect },           { "concurrency", concurrency }, { "providers", providers },
    { "overpass-url", overpass_url }, { "google-key", google_key },
  };

  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s: ", path);
      return FALSE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    if (*keys[i].value == NULL)
      *keys[i].value = g_key_file_get_string (file, "worker", keys[i].key, NULL);
  return TRUE;
}

int
main (int argc, char *argv[])
{
  g_autoptr (GOptionContext) context = NULL;
  g_auto (GStrv) args = NULL;
  g_autofree char *connect = NULL;
  g_autofree char *concurrency = NULL;
  g_autofree char *providers = NULL;
  g_autofree char *overpass_url = NULL;
  g_autofree char *google_key = NULL;
  g_autofree char *google_url = NULL;
  g_autofree char *config_path = NULL;
  g_autoptr (NexusConnection) connection = NULL;
  g_autoptr (NexusWorkerLoop) loop = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) provider_list = NULL;
  NexusWorkerConfig  config = { 0 };
  gboolean           version = FALSE;
  gboolean           verbose = FALSE;
  gboolean           once = FALSE;
  guint64            n_concurrency = 1;
  int                status;
  const GOptionEntry entries[] = {
    { "connect", 'c', 0, G_OPTION_ARG_STRING, &connect,
      N_ ("Connection string from the console (or set NEXUS_CONNECT)"), N_ ("STRING") },
    { "concurrency", 'j', 0, G_OPTION_ARG_STRING, &concurrency,
      N_ ("Jobs to run at once (default 1)"), N_ ("N") },
    { "providers", 0, 0, G_OPTION_ARG_STRING, &providers,
      N_ ("Providers to take jobs for, comma-separated (default: all)"), N_ ("LIST") },
    { "overpass-url", 0, 0, G_OPTION_ARG_STRING, &overpass_url,
      N_ ("Overpass interpreter endpoint"), N_ ("URL") },
    { "google-key", 0, 0, G_OPTION_ARG_STRING, &google_key,
      N_ ("Google Places API key (or set NEXUS_GOOGLE_KEY)"), N_ ("KEY") },
    { "google-url", 0, 0, G_OPTION_ARG_STRING, &google_url,
      N_ ("Google Places API base URL (or set NEXUS_GOOGLE_PLACES_URL)"), N_ ("URL") },
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &config_path,
      N_ ("Settings file (default ~/.config/nexus-worker/config.ini)"), N_ ("FILE") },
    { "once", 0, 0, G_OPTION_ARG_NONE, &once, N_ ("Run one job, then exit"), NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, N_ ("Log each request"), NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_ ("Print the version and exit"), NULL },
    { NULL }
  };

  nexus_cli_init_i18n ();

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
                                _ ("Leases search jobs from a Nexus engine, queries the places "
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
    return nexus_cli_usage_error (PROGRAM, _ ("Unexpected argument “%s”"), args[1]);

  if (connect == NULL)
    connect = g_strdup (g_getenv ("NEXUS_CONNECT"));
  if (google_key == NULL)
    google_key = g_strdup (g_getenv ("NEXUS_GOOGLE_KEY"));
  if (google_url == NULL)
    google_url = g_strdup (g_getenv ("NEXUS_GOOGLE_PLACES_URL"));
  if (config_path == NULL)
    config_path = g_build_filename (g_get_user_config_dir (), "nexus-worker", "config.ini", NULL);
  if (!load_config_file (config_path, &connect, &concurrency, &providers, &overpass_url,
                         &google_key, &error))
    return nexus_cli_fail (PROGRAM, "%s", error->message);

  if (connect == NULL)
    return nexus_cli_usage_error (PROGRAM,
                                  _ ("No connection string: use --connect or NEXUS_CONNECT"));
  connection = nexus_connection_parse (connect, &error);
  if (connection == NULL)
    return nexus_cli_usage_error (PROGRAM, "%s", error->message);

  if (concurrency != NULL &&
      (!g_ascii_string_to_unsigned (concurrency, 10, 1, NEXUS_WORKER_MAX_CONCURRENCY,
                                    &n_concurrency, NULL)))
    return nexus_cli_usage_error (PROGRAM, _ ("--concurrency must be a whole number from 1 to %d"),
                                  NEXUS_WORKER_MAX_CONCURRENCY);

  if (providers != NULL)
    {
      const char *const *known = nexus_worker_get_known_providers ();
      guint              n_places = 0;

      provider_list = g_strsplit (providers, ",", -1);
      for (guint i = 0; provider_list[i] != NULL; i++)
        {
          g_strstrip (provider_list[i]);
          if (g_str_equal (provider_list[i], NEXUS_WORKER_ENRICH))
            continue;
          n_places++;
          if (g_str_equal (provider_list[i], "google") &&
              (google_key == NULL || *google_key == '\0'))
            return nexus_cli_usage_error (PROGRAM,
                                          _ ("The provider google needs a key: use --google-key "
                                             "or NEXUS_GOOGLE_KEY"));
          if (!g_strv_contains (known, provider_list[i]))
            {
              g_autofree char *names = g_strjoinv (", ", (char **)known);
              return nexus_cli_usage_error (PROGRAM,
                                            _ ("This worker does not run the provider “%.40s” "
                                               "(it runs: %s)"),
                                            provider_list[i], names);
            }
        }
      if (n_places == 0)
        return nexus_cli_usage_error (PROGRAM, _ ("--providers names no places provider"));
    }

  config.concurrency = (guint)n_concurrency;
  config.providers = provider_list;
  config.overpass_url = overpass_url;
  config.google_key = google_key;
  config.google_url = google_url;
  config.enrich_allow_loopback = g_strcmp0 (g_getenv ("NEXUS_ENRICH_ALLOW_LOOPBACK"), "1") == 0;
  config.once = once;
  config.verbose = verbose;
  /* Tests shrink the pages to see several of them. */
  if (g_getenv ("NEXUS_WORKER_PAGE_SIZE") != NULL)
    config.page_size =
        (guint)CLAMP (g_ascii_strtoull (g_getenv ("NEXUS_WORKER_PAGE_SIZE"), NULL, 10), 1, 1000);

  loop = nexus_worker_loop_new (connection, &config);
  g_unix_signal_add (SIGTERM, signal_cb, loop);
  g_unix_signal_add (SIGINT, signal_cb, loop);
  status = nexus_worker_loop_run (loop);
  if (verbose)
    g_printerr (_ ("%s: stopped\n"), PROGRAM);
  return status;
}
