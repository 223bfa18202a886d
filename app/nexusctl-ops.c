/* nexusctl-ops.c — nexusctl backup|restore|cleanup|preflight|validate
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The operator's housekeeping.  backup and validate (without --repair) read
 * the database through a read-only connection and may run beside an engine;
 * cleanup writes in small transactions beside it; restore refuses while any
 * other program has the database open.
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "api/nexus-workers.h"
#include "nexus-cli.h"
#include "nexusctl.h"
#include "ops/nexus-backup.h"
#include "ops/nexus-maintenance.h"

#define DEFAULT_LISTEN "127.0.0.1:8787"

static int
parse (GOptionContext     *context,
       const char         *command,
       const char         *summary,
       const GOptionEntry *entries,
       NexusCtl           *ctl,
       char             ***args)
{
  const GOptionEntry common[] = { { "db", 0, 0, G_OPTION_ARG_FILENAME, &ctl->db_path,
                                    N_ ("Database file"), N_ ("PATH") },
                                  { NULL } };

  g_option_context_add_main_entries (context, common, GETTEXT_PACKAGE);
  return nexusctl_parse (context, command, summary, entries, args);
}

/* parse() for a command that takes no argument. */
static int
parse_no_arguments (GOptionContext     *context,
                    const char         *command,
                    const char         *summary,
                    const GOptionEntry *entries,
                    NexusCtl           *ctl,
                    char             ***args)
{
  int status;

  if ((status = parse (context, command, summary, entries, ctl, args)) >= 0)
    return status;
  if (g_strv_length (*args) > 1)
    return nexus_cli_usage_error (PROGRAM, _ ("Unexpected argument “%s”"), (*args)[1]);
  return -1;
}

static void
add_info_json (JsonBuilder *builder, const NexusBackupInfo *info)
{
  nexusctl_json_string (builder, "program_version", info->program_version);
  nexusctl_json_int (builder, "schema_version", info->schema_version);
  nexusctl_json_string (builder, "created_at", info->created_at);
  nexusctl_json_int (builder, "database_size", info->database_size);
  nexusctl_json_int (builder, "archive_size", info->archive_size);
  json_builder_set_member_name (builder, "tables");
  json_builder_begin_object (builder);
  for (guint i = 0; info->tables[i] != NULL; i++)
    {
      json_builder_set_member_name (builder, info->tables[i]);
      json_builder_add_int_value (builder, info->counts[i]);
    }
  json_builder_end_object (builder);
}

static void
print_info (const NexusBackupInfo *info)
{
  g_autofree char *db_size = g_format_size (info->database_size);
  g_autofree char *zip_size = g_format_size (info->archive_size);

  g_print (_ ("  Written by:      Nexus %s on %s\n"), info->program_version, info->created_at);
  g_print (_ ("  Schema version:  %d (this program: %d)\n"), info->schema_version,
           NEXUS_SCHEMA_VERSION);
  g_print (_ ("  Database:        %s (archive %s)\n"), db_size, zip_size);
  for (guint i = 0; info->tables[i] != NULL; i++)
    {
      if (info->counts[i] >= 0)
        g_print ("    %-18s %12" PRId64 "\n", info->tables[i], info->counts[i]);
    }
}

/* nexusctl backup FILE.zip [--force] */
/* nexusctl backup --every D --folder F [--keep N] | --no-schedule: the
 * engine reads these settings at its next minute. */
static int
schedule_backups (NexusCtl   *ctl,
                  const char *every,
                  const char *folder,
                  int         keep,
                  gboolean    off,
                  guint       n_args)
{
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *seconds = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *absolute = NULL;
  gint64           every_s = 0;
  int              status;

  if (n_args != 1)
    return nexus_cli_usage_error (PROGRAM, _ ("a backup schedule takes no FILE.zip"));
  if (off && (every != NULL || folder != NULL || keep >= 0))
    return nexus_cli_usage_error (PROGRAM, _ ("--no-schedule takes no other backup option"));
  if (!off)
    {
      if (!nexus_workers_parse_duration (every, &every_s) || every_s < 60)
        return nexus_cli_usage_error (PROGRAM, _ ("--every takes a duration of a minute or more, "
                                                  "e.g. 6h or 1d"));
      if (folder == NULL)
        return nexus_cli_usage_error (PROGRAM, _ ("--every needs --folder"));
      if (keep == 0 || keep > 10000)
        return nexus_cli_usage_error (PROGRAM, _ ("--keep takes a number from 1 to 10000"));
    }

  if (!(store = nexusctl_open_store_or_fail (ctl, &status)))
    return status;

  if (off)
    {
      if (!nexus_store_delete_setting (store, "backup.every_s", &error))
        return nexusctl_fail (error);
      g_print (_ ("Scheduled backups stopped.\n"));
      return NEXUS_EXIT_OK;
    }

  absolute = g_canonicalize_filename (folder, NULL);
  seconds = g_strdup_printf ("%" G_GINT64_FORMAT, every_s);
  kept = g_strdup_printf ("%d", keep > 0 ? keep : 7);
  if (!nexus_store_begin (store, &error) ||
      !nexus_store_set_setting (store, "backup.every_s", seconds, &error) ||
      !nexus_store_set_setting (store, "backup.folder", absolute, &error) ||
      !nexus_store_set_setting (store, "backup.keep", kept, &error) ||
      !nexus_store_commit (store, &error))
    {
      nexus_store_rollback (store);
      return nexusctl_fail (error);
    }
  g_print (_ ("The engine backs up every %s into %s, keeping the last %s.\n"), every, absolute,
           kept);
  return NEXUS_EXIT_OK;
}

int
nexusctl_backup (NexusCtl *ctl, char **args)
{
  g_autoptr (GOptionContext) context = g_option_context_new (_ ("FILE.zip"));
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (NexusBackupInfo) info = NULL;
  g_autoptr (GError) error = NULL;
  gboolean           force = FALSE;
  gboolean           as_json = FALSE;
  g_autofree char   *every = NULL;
  g_autofree char   *folder = NULL;
  int                keep = -1;
  gboolean           no_schedule = FALSE;
  int                status;
  const GOptionEntry entries[] = {
    { "force", 0, 0, G_OPTION_ARG_NONE, &force, N_ ("Replace an existing FILE"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &as_json, N_ ("Print JSON"), NULL },
    { "every", 0, 0, G_OPTION_ARG_STRING, &every,
      N_ ("Let the engine back up on its own this often (e.g. 6h, 1d)"), N_ ("DURATION") },
    { "folder", 0, 0, G_OPTION_ARG_FILENAME, &folder, N_ ("Folder of the scheduled backups"),
      N_ ("FOLDER") },
    { "keep", 0, 0, G_OPTION_ARG_INT, &keep, N_ ("Scheduled backups kept (default 7)"), N_ ("N") },
    { "no-schedule", 0, 0, G_OPTION_ARG_NONE, &no_schedule, N_ ("Stop the scheduled backups"),
      NULL },
    { NULL }
  };

  if ((status = parse (context, "backup",
                       _ ("Writes a consistent snapshot of the database, with a manifest, "
                          "into one .zip. Safe while an engine runs."),
                       entries, ctl, &args)) >= 0)
    return status;
  if (every != NULL || no_schedule)
    return schedule_backups (ctl, every, folder, keep, no_schedule, g_strv_length (args));
  if (folder != NULL || keep >= 0)
    return nexus_cli_usage_error (PROGRAM, _ ("--folder and --keep go with --every"));
  if (g_strv_length (args) != 2)
    return nexus_cli_usage_error (PROGRAM, _ ("backup needs exactly one FILE.zip"));

  /* Read-only: a snapshot needs no write lock and never waits for one. */
  if (!(store = nexusctl_open_store_read_only (ctl, &status)))
    return status;

  info = nexus_backup_create (store, args[1], force ? NEXUS_BACKUP_FORCE : NEXUS_BACKUP_DEFAULT,
                              NULL, &error);
  if (info == NULL)
    return nexusctl_fail (error);

  if (as_json)
    {
      g_autoptr (JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      nexusctl_json_string (builder, "archive", args[1]);
      add_info_json (builder, info);
      json_builder_end_object (builder);
      nexusctl_print_builder (builder);
      return NEXUS_EXIT_OK;
    }

  g_print (_ ("Backup of %s written to %s\n"), nexusctl_db_path (ctl), args[1]);
  print_info (info);
  return NEXUS_EXIT_OK;
}

static gboolean
confirm (const char *db)
{
  char answer[16] = { 0 };

  g_print (_ ("Replace %s with this backup? [y/N] "), db);
  if (fgets (answer, sizeof answer, stdin) == NULL)
    return FALSE;
  return answer[0] == 'y' || answer[0] == 'Y';
}

/* nexusctl restore FILE.zip [--yes] */
int
nexusctl_restore (NexusCtl *ctl, char **args)
{
  g_autoptr (GOptionContext) context = g_option_context_new (_ ("FILE.zip"));
  g_autoptr (NexusRestore) restore = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char   *safety = NULL;
  gboolean           yes = FALSE;
  int                status;
  const GOptionEntry entries[] = { { "yes", 'y', 0, G_OPTION_ARG_NONE, &yes,
                                     N_ ("Replace the database without asking"), NULL },
                                   { NULL } };

  if ((status = parse (context, "restore",
                       _ ("Verifies a backup, keeps the current database aside as "
                          "DB.before-restore-TIME and puts the backup in its place. Stop the "
                          "engine first."),
                       entries, ctl, &args)) >= 0)
    return status;
  if (g_strv_length (args) != 2)
    return nexus_cli_usage_error (PROGRAM, _ ("restore needs exactly one FILE.zip"));

  restore = nexus_restore_prepare (args[1], nexusctl_db_path (ctl), NULL, &error);
  if (restore == NULL)
    return nexusctl_fail (error);

  g_print (_ ("Backup %s is sound:\n"), args[1]);
  print_info (nexus_restore_get_info (restore));

  if (!yes)
    {
      if (!isatty (STDIN_FILENO))
        return nexus_cli_usage_error (PROGRAM,
                                      _ ("Not replacing %s without confirmation: use --yes"),
                                      nexusctl_db_path (ctl));
      if (!confirm (nexusctl_db_path (ctl)))
        {
          g_print (_ ("Nothing was changed.\n"));
          return NEXUS_EXIT_FAILURE;
        }
    }

  if (!nexus_restore_commit (restore, &safety, &error))
    return nexusctl_fail (error);

  g_print (_ ("Restored %s from %s\n"), nexusctl_db_path (ctl), args[1]);
  if (safety != NULL)
    g_print (_ ("The previous database is kept as %s\n"), safety);
  return NEXUS_EXIT_OK;
}

/* nexusctl cleanup [--vacuum] */
int
nexusctl_cleanup (NexusCtl *ctl, char **args)
{
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (GError) error = NULL;
  NexusCleanupReport report;
  gboolean           vacuum = FALSE;
  gboolean           as_json = FALSE;
  int                status;
  const GOptionEntry entries[] = {
    { "vacuum", 0, 0, G_OPTION_ARG_NONE, &vacuum,
      N_ ("Rewrite the file afterwards to give space back (needs its size free)"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &as_json, N_ ("Print JSON"), NULL },
    { NULL }
  };

  if ((status = parse_no_arguments (
           context, "cleanup",
           _ ("Removes what the retention rules let go (nonces after 10 minutes, "
              "idempotency keys after 48 hours, finished jobs after 30 days, the "
              "audit log after a year), then checkpoints and optimizes."),
           entries, ctl, &args)) >= 0)
    return status;

  if (!(store = nexusctl_open_store_or_fail (ctl, &status)))
    return status;

  if (!nexus_maintenance_cleanup (store, g_get_real_time () / G_USEC_PER_SEC,
                                  vacuum ? NEXUS_CLEANUP_VACUUM : NEXUS_CLEANUP_DEFAULT, &report,
                                  &error))
    return nexusctl_fail (error);

  if (as_json)
    {
      g_autoptr (JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "removed");
      json_builder_begin_object (builder);
      nexusctl_json_int (builder, "hmac_replay", report.replay_removed);
      nexusctl_json_int (builder, "idempotency_keys", report.idempotency_removed);
      nexusctl_json_int (builder, "internal_jobs", report.jobs_removed);
      nexusctl_json_int (builder, "audit_log", report.audit_removed);
      nexusctl_json_int (builder, "webhook_deliveries", report.deliveries_removed);
      nexusctl_json_int (builder, "worker_hours", report.worker_hours_removed);
      json_builder_end_object (builder);
      nexusctl_json_int (builder, "transactions", report.transactions);
      nexusctl_json_boolean (builder, "checkpoint_complete", report.checkpoint_complete);
      nexusctl_json_boolean (builder, "vacuumed", report.vacuumed);
      nexusctl_json_int (builder, "size_before", report.size_before);
      nexusctl_json_int (builder, "size_after", report.size_after);
      json_builder_end_object (builder);
      nexusctl_print_builder (builder);
      return NEXUS_EXIT_OK;
    }

  {
    g_autofree char *before = g_format_size (report.size_before);
    g_autofree char *after = g_format_size (report.size_after);

    g_print (_ ("Removed:\n"));
    g_print (_ ("  %-18s %12" PRId64 "  (older than 10 minutes)\n"), "hmac_replay",
             report.replay_removed);
    g_print (_ ("  %-18s %12" PRId64 "  (older than 48 hours)\n"), "idempotency_keys",
             report.idempotency_removed);
    g_print (_ ("  %-18s %12" PRId64 "  (finished over 30 days ago)\n"), "internal_jobs",
             report.jobs_removed);
    g_print (_ ("  %-18s %12" PRId64 "  (older than 365 days)\n"), "audit_log",
             report.audit_removed);
    g_print (_ ("  %-18s %12" PRId64 "  (finished over 30 days ago)\n"), "webhook_deliveries",
             report.deliveries_removed);
    g_print (_ ("  %-18s %12" PRId64 "  (older than 30 days)\n"), "worker_hours",
             report.worker_hours_removed);
    g_print (_ ("WAL checkpoint:  %s\n"),
             report.checkpoint_complete ? _ ("complete") : _ ("partial (a reader is still open)"));
    g_print (_ ("Statistics:      refreshed (ANALYZE, PRAGMA optimize)\n"));
    g_print (_ ("VACUUM:          %s\n"), report.vacuumed ? _ ("done") : _ ("not asked"));
    g_print (_ ("Size:            %s → %s\n"), before, after);
  }
  return NEXUS_EXIT_OK;
}

/* Prints checks aligned, or as JSON; the exit status says whether any
 * failed. */
static int
report_checks (GPtrArray *checks, gboolean as_json)
{
  gboolean passed = nexus_checks_passed (checks);
  guint    width = 0;

  if (as_json)
    {
      g_autoptr (JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      nexusctl_json_boolean (builder, "ok", passed);
      json_builder_set_member_name (builder, "checks");
      json_builder_begin_array (builder);
      for (guint i = 0; i < checks->len; i++)
        {
          NexusCheck *check = g_ptr_array_index (checks, i);

          json_builder_begin_object (builder);
          nexusctl_json_string (builder, "name", check->name);
          nexusctl_json_string (builder, "status", nexus_check_status_to_string (check->status));
          nexusctl_json_string (builder, "detail", check->detail);
          nexusctl_json_string_or_null (builder, "remedy", check->remedy);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      nexusctl_print_builder (builder);
      return passed ? NEXUS_EXIT_OK : NEXUS_EXIT_FAILURE;
    }

  for (guint i = 0; i < checks->len; i++)
    width = MAX (width, strlen (((NexusCheck *)g_ptr_array_index (checks, i))->name));
  for (guint i = 0; i < checks->len; i++)
    {
      NexusCheck *check = g_ptr_array_index (checks, i);

      g_print ("%-*s  %-4s  %s\n", (int)width, check->name,
               nexus_check_status_to_string (check->status), check->detail);
      if (check->remedy != NULL)
        g_print ("%-*s        → %s\n", (int)width, "", check->remedy);
    }
  return passed ? NEXUS_EXIT_OK : NEXUS_EXIT_FAILURE;
}

/* nexusctl preflight [--listen ADDR:PORT] */
int
nexusctl_preflight (NexusCtl *ctl, char **args)
{
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (GPtrArray) checks = NULL;
  g_autofree char      *listen = NULL;
  NexusPreflightOptions options = { 0 };
  gboolean              as_json = FALSE;
  int                   status;
  const GOptionEntry    entries[] = {
       { "listen", 0, 0, G_OPTION_ARG_STRING, &listen,
         N_ ("Address the worker API will listen on (default 127.0.0.1:8787)"), N_ ("ADDR:PORT") },
       { "json", 0, 0, G_OPTION_ARG_NONE, &as_json, N_ ("Print JSON"), NULL },
       { NULL }
  };

  if ((status = parse_no_arguments (
           context, "preflight",
           _ ("Checks that this machine can run an engine on the database: disk "
              "space, permissions, the API port, libraries, the clock."),
           entries, ctl, &args)) >= 0)
    return status;

  options.db_path = nexusctl_db_path (ctl);
  options.listen = listen != NULL ? listen : DEFAULT_LISTEN;
  checks = nexus_maintenance_preflight (&options);
  return report_checks (checks, as_json);
}

/* nexusctl validate [--repair] [--full] */
int
nexusctl_validate (NexusCtl *ctl, char **args)
{
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (GPtrArray) checks = NULL;
  g_autoptr (GError) error = NULL;
  NexusValidateFlags flags = NEXUS_VALIDATE_DEFAULT;
  gboolean           repair = FALSE;
  gboolean           full = FALSE;
  gboolean           as_json = FALSE;
  int                status;
  const GOptionEntry entries[] = {
    { "repair", 0, 0, G_OPTION_ARG_NONE, &repair,
      N_ ("Recreate missing indexes and triggers, rebuild the full-text and map indexes"), NULL },
    { "full", 0, 0, G_OPTION_ARG_NONE, &full,
      N_ ("PRAGMA integrity_check instead of the quicker quick_check"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &as_json, N_ ("Print JSON"), NULL },
    { NULL }
  };

  if ((status = parse_no_arguments (
           context, "validate",
           _ ("Checks the database's integrity, foreign keys, indexes and triggers, "
              "and that the search and map indexes match the leads."),
           entries, ctl, &args)) >= 0)
    return status;

  store = repair ? nexusctl_open_store_or_fail (ctl, &status)
                 : nexusctl_open_store_read_only (ctl, &status);
  if (store == NULL)
    return status;

  if (repair)
    flags |= NEXUS_VALIDATE_REPAIR;
  if (full)
    flags |= NEXUS_VALIDATE_FULL;
  checks = nexus_maintenance_validate (store, flags, &error);
  if (checks == NULL)
    return nexusctl_fail (error);
  return report_checks (checks, as_json);
}
