/* main-ctl.c — nexusctl: administration of a Nexus database file
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   nexusctl [--db PATH] COMMAND [OPTIONS]
 *
 * Each command is a function below; the table at the end lists them.
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "nexus-cli.h"
#include "nexus-engine.h"
#include "nexusctl.h"

typedef int (*CommandFunc) (NexusCtl *ctl, char **args);

typedef struct
{
  const char *name;
  const char *summary;
  CommandFunc func;
} Command;

NexusStore *
nexusctl_open_store (NexusCtl *ctl, GError **error)
{
  if (ctl->db_path == NULL)
    ctl->db_path = nexus_engine_default_db_path ();

  /* An administration tool must not create a vault by mistake. */
  return nexus_store_open (ctl->db_path, NEXUS_STORE_OPEN_NO_CREATE, error);
}

void
nexusctl_print_json (JsonNode *root)
{
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

static int
command_status (NexusCtl *ctl, char **args)
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonBuilder) builder = NULL;
  g_autoptr (JsonNode) root = NULL;
  const char *const *tables;
  gboolean           as_json = FALSE;
  int                status;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &as_json, N_ ("Print JSON"), NULL },
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &ctl->db_path, N_ ("Database file"), N_ ("PATH") },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
                                _ ("Shows the schema version and the size of each table."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if ((status = nexus_cli_parse (context, PROGRAM " status", &args)) >= 0)
    return status;
  if (g_strv_length (args) > 1)
    return nexus_cli_usage_error (PROGRAM, _ ("Unexpected argument “%s”"), args[1]);

  store = nexusctl_open_store (ctl, &error);
  if (store == NULL)
    return nexus_cli_fail (PROGRAM, "%s", error->message);

  tables = nexus_store_get_table_names ();
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "database");
  json_builder_add_string_value (builder, nexus_store_get_path (store));
  json_builder_set_member_name (builder, "schema_version");
  json_builder_add_int_value (builder, nexus_store_get_schema_version (store));
  json_builder_set_member_name (builder, "program_schema_version");
  json_builder_add_int_value (builder, NEXUS_SCHEMA_VERSION);
  json_builder_set_member_name (builder, "program_version");
  json_builder_add_string_value (builder, PACKAGE_VERSION);
  json_builder_set_member_name (builder, "tables");
  json_builder_begin_object (builder);
  for (guint i = 0; tables[i] != NULL; i++)
    {
      gint64 count = 0;

      if (!nexus_store_count_rows (store, tables[i], &count, &error))
        return nexus_cli_fail (PROGRAM, "%s", error->message);
      json_builder_set_member_name (builder, tables[i]);
      json_builder_add_int_value (builder, count);
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);

  if (as_json)
    {
      nexusctl_print_json (root);
      return NEXUS_EXIT_OK;
    }

  g_print (_ ("Database:        %s\n"), nexus_store_get_path (store));
  g_print (_ ("Schema version:  %d (this program: %d)\n"), nexus_store_get_schema_version (store),
           NEXUS_SCHEMA_VERSION);
  for (guint i = 0; tables[i] != NULL; i++)
    {
      JsonObject *counts = json_object_get_object_member (json_node_get_object (root), "tables");
      g_print ("  %-18s %12" PRId64 "\n", tables[i],
               json_object_get_int_member (counts, tables[i]));
    }
  return NEXUS_EXIT_OK;
}

static const Command commands[] = {
  { "status", N_ ("Schema version and table sizes"), command_status },
  { "search", N_ ("Add, list and control searches"), nexusctl_search },
  { "jobs", N_ ("List and retry jobs"), nexusctl_jobs },
  { "worker", N_ ("Add, list, rotate and revoke workers"), nexusctl_worker },
  { "leads", N_ ("Import, export and classify leads"), nexusctl_leads },
  { "backup", N_ ("Write a consistent backup .zip"), nexusctl_backup },
  { "restore", N_ ("Verify a backup and put it in place"), nexusctl_restore },
  { "cleanup", N_ ("Apply retention, checkpoint, optimize"), nexusctl_cleanup },
  { "preflight", N_ ("Check this machine can run an engine"), nexusctl_preflight },
  { "validate", N_ ("Check (and repair) the database"), nexusctl_validate },
  { "webhook", N_ ("Add, list and remove webhooks; see their deliveries"), nexusctl_webhook },
};

static char *
describe_commands (void)
{
  GString *text = g_string_new (_ ("Commands:"));

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_string_append_printf (text, "\n  %-10s %s", commands[i].name, _ (commands[i].summary));
  g_string_append (text, "\n\n");
  g_string_append (text, _ ("Run “nexusctl COMMAND --help” for the options of a command."));
  return g_string_free (text, FALSE);
}

int
main (int argc, char *argv[])
{
  g_autoptr (GOptionContext) context = NULL;
  g_auto (GStrv) args = NULL;
  g_autofree char   *description = NULL;
  gboolean           version = FALSE;
  NexusCtl           ctl = { 0 };
  int                status;
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &ctl.db_path,
      N_ ("Database file (default: $XDG_DATA_HOME/nexus/nexus.db)"), N_ ("PATH") },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_ ("Print the version and exit"), NULL },
    { NULL }
  };

  nexus_cli_init_i18n ();

  context = g_option_context_new (_ ("COMMAND [OPTIONS…]"));
  g_option_context_set_summary (context, _ ("Administers a Nexus database file."));
  description = describe_commands ();
  g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  /* Options after the command belong to the command. */
  g_option_context_set_strict_posix (context, TRUE);

  args = g_strdupv (argv);
  if ((status = nexus_cli_parse (context, PROGRAM, &args)) >= 0)
    goto out;

  if (version)
    {
      nexus_cli_print_version (PROGRAM);
      status = NEXUS_EXIT_OK;
      goto out;
    }

  if (g_strv_length (args) < 2)
    {
      status = nexus_cli_usage_error (PROGRAM, _ ("No command given"));
      goto out;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (g_strcmp0 (args[1], commands[i].name) == 0)
        {
          status = commands[i].func (&ctl, args + 1);
          goto out;
        }
    }
  status = nexus_cli_usage_error (PROGRAM, _ ("Unknown command “%s”"), args[1]);

out:
  g_free (ctl.db_path);
  return status;
}
