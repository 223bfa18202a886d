/* nexusctl-worker.c — nexusctl worker add|list|rotate|revoke
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The connection string printed by add and rotate holds the worker's
 * secret: it goes to standard output once and nowhere else.
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "api/nexus-workers.h"
#include "nexus-cli.h"
#include "nexusctl.h"

#define DEFAULT_ENGINE_ADDRESS "127.0.0.1:8787"

typedef struct
{
  NexusCtl *ctl;
  gboolean  as_json;
  char     *address;  /* --address */
  char     *grace;    /* --grace */
  gboolean  now;      /* --now */
  gboolean  operator; /* --operator */
  /* What a connection string names besides the worker: where workers
   * reach the engine and the fingerprint of its certificate, if any. */
  char *engine_address;
  char *fingerprint;
} WorkerOptions;

static void
worker_options_clear (WorkerOptions *options)
{
  g_free (options->address);
  g_free (options->grace);
  g_free (options->engine_address);
  g_free (options->fingerprint);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (WorkerOptions, worker_options_clear)

static int
parse_options (WorkerOptions *options,
               const char    *command,
               const char    *parameter,
               const char    *summary,
               gboolean       with_address,
               gboolean       with_grace,
               char        ***args)
{
  g_autoptr (GOptionContext) context = g_option_context_new (parameter);
  g_autofree char   *program = g_strdup_printf ("worker %s", command);
  const GOptionEntry common[] = { { "json", 0, 0, G_OPTION_ARG_NONE, &options->as_json,
                                    N_ ("Print JSON"), NULL },
                                  { "db", 0, 0, G_OPTION_ARG_FILENAME, &options->ctl->db_path,
                                    N_ ("Database file"), N_ ("PATH") },
                                  { NULL } };
  const GOptionEntry address[] = {
    { "operator", 0, 0, G_OPTION_ARG_NONE, &options->operator,
      N_ ("Credentials for dashboards (events, metrics) instead of a worker"), NULL },
    { "address", 0, 0, G_OPTION_ARG_STRING, &options->address,
      N_ ("HOST:PORT workers reach the engine at (default: the engine's listen address)"),
      N_ ("HOST:PORT") },
    { NULL }
  };
  const GOptionEntry grace[] = {
    { "grace", 0, 0, G_OPTION_ARG_STRING, &options->grace,
      N_ ("How long the old secret keeps working (default 24h)"), N_ ("DURATION") },
    { "now", 0, 0, G_OPTION_ARG_NONE, &options->now, N_ ("End the old secret at once"), NULL },
    { NULL }
  };

  g_option_context_add_main_entries (context, common, GETTEXT_PACKAGE);
  if (with_address)
    g_option_context_add_main_entries (context, address, GETTEXT_PACKAGE);
  return nexusctl_parse (context, program, summary, with_grace ? grace : NULL, args);
}

/* Reads what the connection string names: the engine's address (--address,
 * else what the engine last listened on, else the default) and its
 * certificate's fingerprint. */
static void
load_engine_contact (WorkerOptions *options, NexusStore *store)
{
  if (options->address != NULL)
    options->engine_address = g_strdup (options->address);
  else if (!(options->engine_address = nexus_store_get_setting (store, "api.address", NULL)))
    options->engine_address = g_strdup (DEFAULT_ENGINE_ADDRESS);
  options->fingerprint = nexus_store_get_setting (store, "api.tls_fingerprint", NULL);
}

static void
add_worker_json (JsonBuilder *builder, gconstpointer item)
{
  const NexusWorkerRecord *worker = item;

  json_builder_begin_object (builder);
  nexusctl_json_string (builder, "id", worker->public_id);
  nexusctl_json_string (builder, "name", worker->name);
  nexusctl_json_string (builder, "state", worker->state);
  nexusctl_json_string (builder, "role", worker->role);
  nexusctl_json_positive_or_null (builder, "last_seen_at", worker->last_seen_at);
  nexusctl_json_string (builder, "address", worker->address);
  nexusctl_json_string (builder, "hostname", worker->hostname);
  nexusctl_json_string (builder, "version", worker->version);
  nexusctl_json_int (builder, "jobs_done", worker->jobs_done);
  nexusctl_json_int (builder, "leads_found", worker->leads_found);
  nexusctl_json_int (builder, "created_at", worker->created_at);
  json_builder_end_object (builder);
}

static void
print_connection (const char *connection, NexusWorkerRecord *worker, gboolean as_json)
{
  if (as_json)
    {
      g_autoptr (JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "worker");
      add_worker_json (builder, worker);
      nexusctl_json_string (builder, "connection", connection);
      json_builder_end_object (builder);
      nexusctl_print_builder (builder);
      return;
    }

  g_print (_ ("Worker %s (“%s”)\n"), worker->public_id, worker->name);
  g_print (_ ("Connection string — shown only now; paste it on the worker machine:\n"));
  g_print ("%s\n", connection);
}

static int
worker_add (NexusCtl *ctl, char **args)
{
  g_auto (WorkerOptions) options = { ctl };
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusWorkerRecord) worker = NULL;
  g_autofree char *connection = NULL;
  int              status;

  if ((status = parse_options (&options, "add", _ ("NAME"),
                               _ ("Adds a worker and prints its connection string."), TRUE, FALSE,
                               &args)) >= 0)
    return status;
  if (g_strv_length (args) != 2)
    return nexus_cli_usage_error (PROGRAM, _ ("worker add needs exactly one NAME"));

  if (!(store = nexusctl_open_store_or_fail (ctl, &status)))
    return status;

  load_engine_contact (&options, store);
  connection =
      nexus_workers_add (store, args[1], options.operator? NEXUS_ROLE_OPERATOR : NEXUS_ROLE_WORKER,
                         options.engine_address, options.fingerprint, &worker, &error);
  if (connection == NULL)
    {
      if (g_error_matches (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_INVALID) ||
          error->domain != NEXUS_STORE_ERROR)
        return nexus_cli_usage_error (PROGRAM, "%s", error->message);
      return nexusctl_fail (error);
    }

  print_connection (connection, worker, options.as_json);
  return NEXUS_EXIT_OK;
}

static char *
format_time (gint64 seconds)
{
  g_autoptr (GDateTime) time = NULL;

  if (seconds <= 0)
    return g_strdup (_ ("never"));
  time = g_date_time_new_from_unix_local (seconds);
  return g_date_time_format (time, "%Y-%m-%d %H:%M");
}

static int
worker_list (NexusCtl *ctl, char **args)
{
  g_auto (WorkerOptions) options = { ctl };
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) workers = NULL;
  int status;

  if ((status = parse_options (&options, "list", NULL, _ ("Lists the workers."), FALSE, FALSE,
                               &args)) >= 0)
    return status;
  if (g_strv_length (args) != 1)
    return nexus_cli_usage_error (PROGRAM, _ ("Unexpected argument “%s”"), args[1]);

  if (!(store = nexusctl_open_store_or_fail (ctl, &status)))
    return status;
  workers = nexus_store_worker_list (store, &error);
  if (workers == NULL)
    return nexusctl_fail (error);

  if (options.as_json)
    {
      nexusctl_print_json_array (workers, add_worker_json);
      return NEXUS_EXIT_OK;
    }

  g_print ("%-14s %-20s %-8s %-16s %-15s %-10s %8s %8s\n", _ ("ID"), _ ("NAME"), _ ("STATE"),
           _ ("LAST SEEN"), _ ("ADDRESS"), _ ("VERSION"), _ ("JOBS"), _ ("LEADS"));
  for (guint i = 0; i < workers->len; i++)
    {
      NexusWorkerRecord *worker = g_ptr_array_index (workers, i);
      g_autofree char   *seen = format_time (worker->last_seen_at);

      g_print ("%-14s %-20s %-8s %-16s %-15s %-10s %8" PRId64 " %8" PRId64 "\n", worker->public_id,
               worker->name, worker->state, seen, worker->address != NULL ? worker->address : "-",
               worker->version != NULL ? worker->version : "-", worker->jobs_done,
               worker->leads_found);
    }
  if (workers->len == 0)
    g_print (_ ("No workers yet. Add one with “nexusctl worker add NAME”.\n"));
  return NEXUS_EXIT_OK;
}

static int
worker_rotate (NexusCtl *ctl, char **args)
{
  g_auto (WorkerOptions) options = { ctl };
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusWorkerRecord) worker = NULL;
  g_autofree char *connection = NULL;
  gint64           grace_s = NEXUS_WORKERS_DEFAULT_GRACE_S;
  int              status;

  if ((status = parse_options (&options, "rotate", _ ("ID"),
                               _ ("Gives a worker a new secret; the old one keeps working for the "
                                  "grace period."),
                               TRUE, TRUE, &args)) >= 0)
    return status;
  if (g_strv_length (args) != 2)
    return nexus_cli_usage_error (PROGRAM, _ ("worker rotate needs exactly one worker ID"));
  if (options.now && options.grace != NULL)
    return nexus_cli_usage_error (PROGRAM, _ ("--grace and --now exclude each other"));
  if (options.now)
    grace_s = 0;
  else if (options.grace != NULL && !nexus_workers_parse_duration (options.grace, &grace_s))
    return nexus_cli_usage_error (PROGRAM,
                                  _ ("--grace takes a duration such as 90s, 15m, 24h or 7d"));

  if (!(store = nexusctl_open_store_or_fail (ctl, &status)))
    return status;

  load_engine_contact (&options, store);
  connection = nexus_workers_rotate (store, args[1], grace_s, options.engine_address,
                                     options.fingerprint, &error);
  if (connection == NULL)
    return nexusctl_fail (error);
  worker = nexus_store_worker_lookup (store, args[1], &error);
  if (worker == NULL)
    return nexusctl_fail (error);

  print_connection (connection, worker, options.as_json);
  return NEXUS_EXIT_OK;
}

static int
worker_revoke (NexusCtl *ctl, char **args)
{
  g_auto (WorkerOptions) options = { ctl };
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (GError) error = NULL;
  int status;

  if ((status = parse_options (&options, "revoke", _ ("ID"),
                               _ ("Revokes a worker: its requests are refused from now on."), FALSE,
                               FALSE, &args)) >= 0)
    return status;
  if (g_strv_length (args) != 2)
    return nexus_cli_usage_error (PROGRAM, _ ("worker revoke needs exactly one worker ID"));

  if (!(store = nexusctl_open_store_or_fail (ctl, &status)))
    return status;
  if (!nexus_workers_revoke (store, args[1], &error))
    return nexusctl_fail (error);

  g_print (_ ("Worker %s revoked\n"), args[1]);
  return NEXUS_EXIT_OK;
}

static void
print_help (const NexusCtlGroup *group)
{
  g_print (_ ("Usage: nexusctl worker add NAME [--address HOST:PORT] [--json]\n"
              "       nexusctl worker list [--json]\n"
              "       nexusctl worker rotate ID [--grace 24h | --now] [--json]\n"
              "       nexusctl worker revoke ID\n"));
}

static int
unknown_command (const NexusCtlGroup *group, const char *name)
{
  return nexus_cli_usage_error (PROGRAM, _ ("Unknown worker command “%s”"), name);
}

static const NexusCtlSubcommand commands[] = {
  { "add", NULL, worker_add },
  { "list", NULL, worker_list },
  { "rotate", NULL, worker_rotate },
  { "revoke", NULL, worker_revoke },
};

static const NexusCtlGroup group = {
  "worker", commands, G_N_ELEMENTS (commands), print_help, NULL, unknown_command,
};

int
nexusctl_worker (NexusCtl *ctl, char **args)
{
  return nexusctl_dispatch (&group, ctl, args);
}
