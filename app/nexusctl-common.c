/* nexusctl-common.c — what nexusctl's command files share
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Mechanism only: the messages stay with the commands that print them.
 */

#include "config.h"

#include <glib/gi18n.h>

#include "nexus-cli.h"
#include "nexusctl.h"

/* --- sub-commands --------------------------------------------------------- */

int
nexusctl_dispatch (const NexusCtlGroup *group, NexusCtl *ctl, char **args)
{
  const char *name = args[0] != NULL ? args[1] : NULL;

  if (name == NULL)
    {
      if (group->no_command != NULL)
        return group->no_command (group);
      group->print_help (group);
      return NEXUS_EXIT_USAGE;
    }
  if (g_str_equal (name, "--help") || g_str_equal (name, "-h"))
    {
      group->print_help (group);
      return NEXUS_EXIT_OK;
    }

  for (guint i = 0; i < group->n_commands; i++)
    if (g_str_equal (name, group->commands[i].name))
      return group->commands[i].func (ctl, args + 1);
  return group->unknown_command (group, name);
}

void
nexusctl_print_subcommands (const NexusCtlGroup *group, int width)
{
  for (guint i = 0; i < group->n_commands; i++)
    g_print ("  %-*s %s\n", width, group->commands[i].name, _ (group->commands[i].summary));
}

char *
nexusctl_subcommand_names (const NexusCtlGroup *group)
{
  GString *names = g_string_new (NULL);

  for (guint i = 0; i < group->n_commands; i++)
    g_string_append_printf (names, "%s%s", i > 0 ? ", " : "", group->commands[i].name);
  return g_string_free (names, FALSE);
}

/* --- options -------------------------------------------------------------- */

int
nexusctl_parse (GOptionContext     *context,
                const char         *command,
                const char         *summary,
                const GOptionEntry *entries,
                char             ***args)
{
  g_autofree char *program = g_strdup_printf ("%s %s", PROGRAM, command);

  if (summary != NULL)
    g_option_context_set_summary (context, summary);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  return nexus_cli_parse (context, program, args);
}

/* --- the store and errors ------------------------------------------------- */

const char *
nexusctl_db_path (NexusCtl *ctl)
{
  if (ctl->db_path == NULL)
    ctl->db_path = nexus_engine_default_db_path ();
  return ctl->db_path;
}

NexusStore *
nexusctl_open_store_or_fail (NexusCtl *ctl, int *out_status)
{
  g_autoptr (GError) error = NULL;
  NexusStore *store = nexusctl_open_store (ctl, &error);

  if (store == NULL)
    *out_status = nexusctl_fail (error);
  return store;
}

NexusStore *
nexusctl_open_store_read_only (NexusCtl *ctl, int *out_status)
{
  g_autoptr (GError) error = NULL;
  NexusStore *store = nexus_store_open (nexusctl_db_path (ctl), NEXUS_STORE_OPEN_READ_ONLY, &error);

  if (store == NULL)
    *out_status = nexusctl_fail (error);
  return store;
}

int
nexusctl_fail (const GError *error)
{
  return nexus_cli_fail (PROGRAM, "%s", error->message);
}

int
nexusctl_bad_input (const char *command, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list          args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  /* One line, whatever a parser's message holds. */
  g_strdelimit (message, "\r\n", ' ');
  if (command != NULL)
    g_printerr ("%s %s: %s\n", PROGRAM, command, message);
  else
    g_printerr ("%s: %s\n", PROGRAM, message);
  return NEXUS_EXIT_USAGE;
}

gint64
nexusctl_parse_id (const char *text)
{
  guint64 value = 0;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, &value, NULL))
    return 0;
  return (gint64)value;
}

/* --- JSON ----------------------------------------------------------------- */

void
nexusctl_print_builder (JsonBuilder *builder)
{
  g_autoptr (JsonNode) root = json_builder_get_root (builder);

  nexusctl_print_json (root);
}

void
nexusctl_print_json_array (GPtrArray *items, NexusCtlJsonFunc add_item)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_array (builder);
  for (guint i = 0; i < items->len; i++)
    add_item (builder, g_ptr_array_index (items, i));
  json_builder_end_array (builder);
  nexusctl_print_builder (builder);
}

void
nexusctl_json_int (JsonBuilder *builder, const char *name, gint64 value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

void
nexusctl_json_double (JsonBuilder *builder, const char *name, double value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_double_value (builder, value);
}

void
nexusctl_json_boolean (JsonBuilder *builder, const char *name, gboolean value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_boolean_value (builder, value);
}

void
nexusctl_json_string (JsonBuilder *builder, const char *name, const char *value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

void
nexusctl_json_string_or_null (JsonBuilder *builder, const char *name, const char *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

void
nexusctl_json_positive_or_null (JsonBuilder *builder, const char *name, gint64 value)
{
  json_builder_set_member_name (builder, name);
  if (value > 0)
    json_builder_add_int_value (builder, value);
  else
    json_builder_add_null_value (builder);
}
