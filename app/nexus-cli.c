/* nexus-cli.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>

#include "nexus-cli.h"

void
nexus_cli_init_i18n (void)
{
  const char *localedir = g_getenv ("NEXUS_LOCALEDIR");

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}

int
nexus_cli_usage_error (const char *program, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list          args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr ("%s: %s\n", program, message);
  g_printerr (_ ("Try “%s --help” for more information.\n"), program);
  return NEXUS_EXIT_USAGE;
}

int
nexus_cli_fail (const char *program, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list          args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr ("%s: %s\n", program, message);
  return NEXUS_EXIT_FAILURE;
}

/* Parses and reports a bad command line as a usage error (exit 2), where
 * GOption alone would leave the caller to pick a status.  Returns -1 when
 * the program should go on. */
int
nexus_cli_parse (GOptionContext *context, const char *program, char ***argv)
{
  g_autoptr (GError) error = NULL;

  if (!g_option_context_parse_strv (context, argv, &error))
    return nexus_cli_usage_error (program, "%s", error->message);
  return -1;
}

void
nexus_cli_print_version (const char *program)
{
  g_print ("%s %s\n", program, PACKAGE_VERSION);
}
