/* nexusctl.h — what nexusctl's command files share
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each command group lives in its own nexusctl-*.c file and has the
 * signature of NexusCtlCommand: @args[0] is the command's name, the rest
 * its arguments.  It returns the exit status (see nexus-cli.h).
 */
#pragma once

#include <json-glib/json-glib.h>

#include "nexus-engine.h"

G_BEGIN_DECLS

#define PROGRAM "nexusctl"

typedef struct
{
  /* --db, possibly given before or after the command name; NULL for the
   * default database. */
  char *db_path;
} NexusCtl;

NexusStore *nexusctl_open_store (NexusCtl *ctl, GError **error);
void        nexusctl_print_json (JsonNode *root);

int nexusctl_search (NexusCtl *ctl, char **args);
int nexusctl_jobs (NexusCtl *ctl, char **args);
int nexusctl_worker (NexusCtl *ctl, char **args);
int nexusctl_leads (NexusCtl *ctl, char **args);
int nexusctl_backup (NexusCtl *ctl, char **args);
int nexusctl_restore (NexusCtl *ctl, char **args);
int nexusctl_cleanup (NexusCtl *ctl, char **args);
int nexusctl_preflight (NexusCtl *ctl, char **args);
int nexusctl_validate (NexusCtl *ctl, char **args);
int nexusctl_webhook (NexusCtl *ctl, char **args);

G_END_DECLS
