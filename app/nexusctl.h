/* nexusctl.h — what nexusctl's command files share
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each command group lives in its own nexusctl-*.c file and has the
 * signature of NexusCtlCommand: @args[0] is the command's name, the rest
 * its arguments.  It returns the exit status (see nexus-cli.h).
 *
 * nexusctl-common.c holds what the command files share: the dispatch of a
 * group's sub-commands, option parsing, opening the store, reporting
 * errors and writing JSON.  It carries no messages of its own: each
 * group's words stay in its file.
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

typedef int (*NexusCtlCommand) (NexusCtl *ctl, char **args);

NexusStore *nexusctl_open_store (NexusCtl *ctl, GError **error);
void        nexusctl_print_json (JsonNode *root);

/* --- nexusctl-common.c ---------------------------------------------------- */

/* One sub-command of a group: `nexusctl GROUP NAME …`; @summary is marked
 * with N_() and translated when shown. */
typedef struct
{
  const char     *name;
  const char     *summary;
  NexusCtlCommand func;
} NexusCtlSubcommand;

typedef struct _NexusCtlGroup NexusCtlGroup;

/* A group of sub-commands and how it answers --help, no sub-command and an
 * unknown one: the messages are the group's own. */
struct _NexusCtlGroup
{
  const char               *name; /* "search" */
  const NexusCtlSubcommand *commands;
  guint                     n_commands;
  /* For --help and -h; exit 0. */
  void (*print_help) (const NexusCtlGroup *group);
  /* No sub-command given; NULL: print_help, exit 2. */
  int (*no_command) (const NexusCtlGroup *group);
  int (*unknown_command) (const NexusCtlGroup *group, const char *name);
};

/* @args[0] is the group's name, @args[1] the sub-command's. */
int nexusctl_dispatch (const NexusCtlGroup *group, NexusCtl *ctl, char **args);
/* Each sub-command on a line: "  NAME  summary", NAME padded to @width. */
void nexusctl_print_subcommands (const NexusCtlGroup *group, int width);
/* "add, list, show". */
char *nexusctl_subcommand_names (const NexusCtlGroup *group);

/* Sets the summary (unless NULL), adds @entries (unless NULL) and parses
 * for the program "nexusctl @command"; see nexus_cli_parse(). */
int nexusctl_parse (GOptionContext     *context,
                    const char         *command,
                    const char         *summary,
                    const GOptionEntry *entries,
                    char             ***args);

/* --db, or the default database; the path stays in @ctl. */
const char *nexusctl_db_path (NexusCtl *ctl);
/* nexusctl_open_store(), or NULL after reporting the failure (exit 1) in
 * @out_status. */
NexusStore *nexusctl_open_store_or_fail (NexusCtl *ctl, int *out_status);
/* The database through a read-only connection, likewise. */
NexusStore *nexusctl_open_store_read_only (NexusCtl *ctl, int *out_status);

/* Prints @error's message and returns 1. */
int nexusctl_fail (const GError *error);
/* Prints "nexusctl @command: message" (or "nexusctl: message" without a
 * command) on one line and returns 2: the input was bad. */
int nexusctl_bad_input (const char *command, const char *format, ...) G_GNUC_PRINTF (2, 3);

/* A positive whole number; 0 when @text (maybe NULL) is not one. */
gint64 nexusctl_parse_id (const char *text);

/* Prints the builder's value as nexusctl_print_json() does. */
void nexusctl_print_builder (JsonBuilder *builder);
typedef void (*NexusCtlJsonFunc) (JsonBuilder *builder, gconstpointer item);
/* Prints @items as a JSON array, each added by @add_item. */
void nexusctl_print_json_array (GPtrArray *items, NexusCtlJsonFunc add_item);

/* A member of the object being built. */
void nexusctl_json_int (JsonBuilder *builder, const char *name, gint64 value);
void nexusctl_json_double (JsonBuilder *builder, const char *name, double value);
void nexusctl_json_boolean (JsonBuilder *builder, const char *name, gboolean value);
void nexusctl_json_string (JsonBuilder *builder, const char *name, const char *value);
/* null for a NULL @value. */
void nexusctl_json_string_or_null (JsonBuilder *builder, const char *name, const char *value);
/* null unless @value > 0 (a time, a count that may be unknown). */
void nexusctl_json_positive_or_null (JsonBuilder *builder, const char *name, gint64 value);

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
