/* nexus-cli.h — what the command-line programs share
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Exit status of every Nexus program: 0 success, 1 failure, 2 usage error.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

enum
{
  NEXUS_EXIT_OK = 0,
  NEXUS_EXIT_FAILURE = 1,
  NEXUS_EXIT_USAGE = 2,
};

void nexus_cli_init_i18n (void);
int  nexus_cli_usage_error (const char *program, const char *format, ...) G_GNUC_PRINTF (2, 3);
int  nexus_cli_fail (const char *program, const char *format, ...) G_GNUC_PRINTF (2, 3);
int  nexus_cli_parse (GOptionContext *context, const char *program, char ***argv);
void nexus_cli_print_version (const char *program);

G_END_DECLS
