/* nexus-maintenance.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nexus-ops"

#include "config.h"

#include <inttypes.h>

#include <archive.h>
#include <errno.h>
#include <gio/gio.h>
#include <glib/gi18n.h>
#include <string.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nexus-maintenance.h"
#include "store/nexus-store-ops.h"

#define DEFAULT_WARN_FREE_BYTES (G_GUINT64_CONSTANT (1) << 30)
#define DEFAULT_FAIL_FREE_BYTES (G_GUINT64_CONSTANT (100) << 20)
#define MIN_SQLITE_VERSION      3040000
#define MIN_ARCHIVE_VERSION     3006000
#define MIN_CLOCK_YEAR          2024

/* A nonce must outlive the signature's timestamp window, an idempotency
 * key a worker's retries. */
static const NexusRetentionRule retention_rules[] = {
  [NEXUS_RETENTION_REPLAY] = { "retention.replay_s", NEXUS_RETENTION_REPLAY_S, 600, 24 * 3600 },
  [NEXUS_RETENTION_IDEMPOTENCY] = { "retention.idempotency_s", NEXUS_RETENTION_IDEMPOTENCY_S,
                                    24 * 3600, 90 * 24 * 3600 },
  [NEXUS_RETENTION_JOBS] = { "retention.jobs_s", NEXUS_RETENTION_JOBS_S, 24 * 3600,
                             3650 * 24 * 3600LL },
  [NEXUS_RETENTION_AUDIT] = { "retention.audit_s", NEXUS_RETENTION_AUDIT_S, 30 * 24 * 3600,
                              3650 * 24 * 3600LL },
  [NEXUS_RETENTION_DELIVERIES] = { "retention.deliveries_s", NEXUS_RETENTION_DELIVERIES_S,
                                   24 * 3600, 3650 * 24 * 3600LL },
  [NEXUS_RETENTION_WORKER_HOURS] = { "retention.worker_hours_s", NEXUS_RETENTION_WORKER_HOURS_S,
                                     2 * 24 * 3600, 3650 * 24 * 3600LL },
};

G_STATIC_ASSERT (G_N_ELEMENTS (retention_rules) == NEXUS_RETENTION_N_POLICIES);
G_STATIC_ASSERT ((int)NEXUS_RETENTION_DELIVERIES == (int)NEXUS_STORE_PURGE_DELIVERIES);
G_STATIC_ASSERT ((int)NEXUS_RETENTION_WORKER_HOURS == (int)NEXUS_STORE_PURGE_WORKER_HOURS);

/**
 * nexus_retention_rule:
 *
 * Returns: (transfer none): the setting, default and bounds of @policy
 */
const NexusRetentionRule *
nexus_retention_rule (NexusRetentionPolicy policy)
{
  g_return_val_if_fail ((guint)policy < NEXUS_RETENTION_N_POLICIES, NULL);

  return &retention_rules[policy];
}

/**
 * nexus_retention_get_age:
 *
 * Returns: the age in seconds after which @policy's rows go: the
 *   operator's setting within the bounds, else the default
 */
gint64
nexus_retention_get_age (NexusStore *store, NexusRetentionPolicy policy)
{
  const NexusRetentionRule *rule = nexus_retention_rule (policy);
  g_autofree char          *value = NULL;
  gint64                    age;

  g_return_val_if_fail (rule != NULL, 0);

  value = nexus_store_get_setting (store, rule->setting, NULL);
  if (value == NULL)
    return rule->default_s;
  age = g_ascii_strtoll (value, NULL, 10);
  return age > 0 ? CLAMP (age, rule->min_s, rule->max_s) : rule->default_s;
}

/**
 * nexus_retention_set_age:
 *
 * Keeps @age_s for @policy; an age outside the bounds is refused and
 * nothing changes.
 */
gboolean
nexus_retention_set_age (NexusStore          *store,
                         NexusRetentionPolicy policy,
                         gint64               age_s,
                         GError             **error)
{
  const NexusRetentionRule *rule = nexus_retention_rule (policy);
  g_autofree char          *text = NULL;

  g_return_val_if_fail (rule != NULL, FALSE);

  if (age_s < rule->min_s || age_s > rule->max_s)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _ ("A retention age of %" PRId64 " s is outside %" PRId64 "–%" PRId64 " s"),
                   age_s, rule->min_s, rule->max_s);
      return FALSE;
    }
  text = g_strdup_printf ("%" G_GINT64_FORMAT, age_s);
  return nexus_store_set_setting (store, rule->setting, text, error);
}

/* Bytes of @path and its WAL; 0 for what does not exist. */
static gint64
database_size (const char *path)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  GStatBuf         st;
  gint64           size = 0;

  if (g_stat (path, &st) == 0)
    size += st.st_size;
  if (g_stat (wal, &st) == 0)
    size += st.st_size;
  return size;
}

/* Purges one kind of row in transactions of at most NEXUS_RETENTION_BATCH
 * rows until none is left. */
static gboolean
purge_all (NexusStore     *store,
           NexusStorePurge what,
           gint64          before,
           gint64         *out_total,
           guint          *transactions,
           GError        **error)
{
  gint64 removed;

  *out_total = 0;
  do
    {
      removed = 0;
      if (!nexus_store_begin (store, error))
        return FALSE;
      if (!nexus_store_ops_purge_batch (store, what, before, NEXUS_RETENTION_BATCH, &removed,
                                        error))
        {
          nexus_store_rollback (store);
          return FALSE;
        }
      if (!nexus_store_commit (store, error))
        return FALSE;
      (*transactions)++;
      *out_total += removed;
    }
  while (removed >= NEXUS_RETENTION_BATCH);
  return TRUE;
}

/**
 * nexus_maintenance_cleanup:
 * @now: the current time (unix seconds); ages count back from it
 * @report: (out caller-allocates): what was done
 *
 * Applies the retention rules, then checkpoints the WAL (TRUNCATE),
 * refreshes the statistics (ANALYZE, PRAGMA optimize) and VACUUMs when
 * %NEXUS_CLEANUP_VACUUM is set.  Rows removed before an error stay
 * removed; @report counts them.
 */
gboolean
nexus_maintenance_cleanup (NexusStore         *store,
                           gint64              now,
                           NexusCleanupFlags   flags,
                           NexusCleanupReport *report,
                           GError            **error)
{
  g_return_val_if_fail (NEXUS_IS_STORE (store), FALSE);
  g_return_val_if_fail (report != NULL, FALSE);
  g_return_val_if_fail (!nexus_store_in_transaction (store), FALSE);

  memset (report, 0, sizeof *report);
  report->size_before = database_size (nexus_store_get_path (store));

  if (!purge_all (store, NEXUS_STORE_PURGE_REPLAY,
                  now - nexus_retention_get_age (store, NEXUS_RETENTION_REPLAY),
                  &report->replay_removed, &report->transactions, error) ||
      !purge_all (store, NEXUS_STORE_PURGE_IDEMPOTENCY,
                  now - nexus_retention_get_age (store, NEXUS_RETENTION_IDEMPOTENCY),
                  &report->idempotency_removed, &report->transactions, error) ||
      !purge_all (store, NEXUS_STORE_PURGE_JOBS,
                  now - nexus_retention_get_age (store, NEXUS_RETENTION_JOBS),
                  &report->jobs_removed, &report->transactions, error) ||
      !purge_all (store, NEXUS_STORE_PURGE_AUDIT,
                  now - nexus_retention_get_age (store, NEXUS_RETENTION_AUDIT),
                  &report->audit_removed, &report->transactions, error) ||
      !purge_all (store, NEXUS_STORE_PURGE_DELIVERIES,
                  now - nexus_retention_get_age (store, NEXUS_RETENTION_DELIVERIES),
                  &report->deliveries_removed, &report->transactions, error) ||
      !purge_all (store, NEXUS_STORE_PURGE_WORKER_HOURS,
                  now - nexus_retention_get_age (store, NEXUS_RETENTION_WORKER_HOURS),
                  &report->worker_hours_removed, &report->transactions, error))
    return FALSE;

  if (!nexus_store_ops_optimize (store, error))
    return FALSE;

  if ((flags & NEXUS_CLEANUP_VACUUM) != 0)
    {
      if (!nexus_store_ops_vacuum (store, error))
        return FALSE;
      report->vacuumed = TRUE;
    }

  /* Last, so the WAL that ANALYZE and VACUUM wrote goes back too. */
  if (!nexus_store_ops_checkpoint_truncate (store, &report->checkpoint_complete, error))
    return FALSE;

  report->size_after = database_size (nexus_store_get_path (store));
  return TRUE;
}

void
nexus_check_free (NexusCheck *check)
{
  if (check == NULL)
    return;
  g_free (check->name);
  g_free (check->detail);
  g_free (check->remedy);
  g_free (check);
}

const char *
nexus_check_status_to_string (NexusCheckStatus status)
{
  switch (status)
    {
      case NEXUS_CHECK_PASS:
        return "pass";
      case NEXUS_CHECK_WARN:
        return "warn";
      case NEXUS_CHECK_FAIL:
      default:
        return "fail";
    }
}

gboolean
nexus_checks_passed (GPtrArray *checks)
{
  for (guint i = 0; i < checks->len; i++)
    if (((NexusCheck *)g_ptr_array_index (checks, i))->status == NEXUS_CHECK_FAIL)
      return FALSE;
  return TRUE;
}

static void
add_check (GPtrArray       *checks,
           const char      *name,
           NexusCheckStatus status,
           char            *detail,
           const char      *remedy)
{
  NexusCheck *check = g_new0 (NexusCheck, 1);

  check->name = g_strdup (name);
  check->status = status;
  check->detail = detail;
  check->remedy = status != NEXUS_CHECK_PASS ? g_strdup (remedy) : NULL;
  g_ptr_array_add (checks, check);
}

/* The folder itself when it exists, else its nearest existing parent:
 * where the file system of a file still to be created can be asked. */
static char *
nearest_existing (const char *dir)
{
  g_autofree char *current = g_canonicalize_filename (dir, NULL);

  while (!g_file_test (current, G_FILE_TEST_EXISTS))
    {
      char *parent = g_path_get_dirname (current);

      if (g_strcmp0 (parent, current) == 0)
        {
          g_free (parent);
          break;
        }
      g_free (current);
      current = parent;
    }
  return g_steal_pointer (&current);
}

static void
check_clock (GPtrArray *checks)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *text = g_date_time_format_iso8601 (now);

  if (g_date_time_get_year (now) < MIN_CLOCK_YEAR)
    add_check (checks, "clock", NEXUS_CHECK_FAIL, g_strdup_printf (_ ("The clock says %s"), text),
               _ ("Set the system clock (timedatectl set-ntp true): leases, signatures and "
                  "retention depend on it"));
  else
    add_check (checks, "clock", NEXUS_CHECK_PASS, g_strdup_printf (_ ("UTC %s"), text), NULL);
}

static void
check_libraries (GPtrArray *checks)
{
  static const char *const features[] = { "fts5", "rtree", "json" };
  g_autoptr (GString) missing = g_string_new (NULL);
  const char *sqlite_version;
  const char *glib_problem;
  int         sqlite_number = 0;

  sqlite_version = nexus_store_ops_sqlite_version (&sqlite_number);
  for (guint i = 0; i < G_N_ELEMENTS (features); i++)
    {
      if (!nexus_store_ops_sqlite_has (features[i]))
        g_string_append_printf (missing, "%s%s", missing->len > 0 ? ", " : "", features[i]);
    }
  if (sqlite_number < MIN_SQLITE_VERSION)
    add_check (checks, "sqlite", NEXUS_CHECK_FAIL,
               g_strdup_printf (_ ("SQLite %s is older than 3.40"), sqlite_version),
               _ ("Install SQLite 3.40 or newer"));
  else if (missing->len > 0)
    add_check (checks, "sqlite", NEXUS_CHECK_FAIL,
               g_strdup_printf (_ ("SQLite %s lacks %s"), sqlite_version, missing->str),
               _ ("Install an SQLite built with FTS5, R*Tree and JSON"));
  else
    add_check (checks, "sqlite", NEXUS_CHECK_PASS,
               g_strdup_printf (_ ("SQLite %s with FTS5, R*Tree and JSON"), sqlite_version), NULL);

  glib_problem = glib_check_version (2, 74, 0);
  add_check (checks, "glib", glib_problem != NULL ? NEXUS_CHECK_FAIL : NEXUS_CHECK_PASS,
             g_strdup_printf ("GLib %u.%u.%u%s%s", glib_major_version, glib_minor_version,
                              glib_micro_version, glib_problem != NULL ? ": " : "",
                              glib_problem != NULL ? glib_problem : ""),
             _ ("Install GLib 2.74 or newer"));

  add_check (checks, "libarchive",
             archive_version_number () < MIN_ARCHIVE_VERSION ? NEXUS_CHECK_FAIL : NEXUS_CHECK_PASS,
             g_strdup (archive_version_string ()), _ ("Install libarchive 3.6 or newer"));
}

static void
check_database_files (GPtrArray *checks, const char *db_path)
{
  g_autofree char *dir = g_path_get_dirname (db_path);
  GStatBuf         st;

  if (!g_file_test (dir, G_FILE_TEST_EXISTS))
    {
      g_autofree char *parent = nearest_existing (dir);

      if (g_access (parent, W_OK | X_OK) != 0)
        add_check (
            checks, "database-folder", NEXUS_CHECK_FAIL,
            g_strdup_printf (_ ("“%s” does not exist and “%s” is not writable"), dir, parent),
            _ ("Create the folder, or choose another with --db"));
      else
        add_check (checks, "database-folder", NEXUS_CHECK_PASS,
                   g_strdup_printf (_ ("“%s” will be created"), dir), NULL);
    }
  else if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    add_check (checks, "database-folder", NEXUS_CHECK_FAIL,
               g_strdup_printf (_ ("“%s” is not a folder"), dir), _ ("Choose another --db"));
  else if (g_access (dir, W_OK | X_OK) != 0)
    add_check (checks, "database-folder", NEXUS_CHECK_FAIL,
               g_strdup_printf (_ ("“%s” is not writable (the WAL lives beside the file)"), dir),
               _ ("Give this user write access to the folder"));
  else
    add_check (checks, "database-folder", NEXUS_CHECK_PASS,
               g_strdup_printf (_ ("“%s” is writable"), dir), NULL);

  if (g_stat (db_path, &st) != 0)
    {
      add_check (checks, "database-file", NEXUS_CHECK_PASS,
                 g_strdup_printf (_ ("“%s” does not exist yet and will be created"), db_path),
                 NULL);
      return;
    }
  if (!S_ISREG (st.st_mode))
    add_check (checks, "database-file", NEXUS_CHECK_FAIL,
               g_strdup_printf (_ ("“%s” is not a regular file"), db_path),
               _ ("Choose another --db"));
  else if (g_access (db_path, R_OK | W_OK) != 0)
    add_check (checks, "database-file", NEXUS_CHECK_FAIL,
               g_strdup_printf (_ ("“%s” is not readable and writable by this user"), db_path),
               _ ("Fix the owner or mode of the file (chown, chmod 600)"));
  else if ((st.st_mode & 0077) != 0)
    add_check (checks, "database-file", NEXUS_CHECK_WARN,
               g_strdup_printf (_ ("“%s” has mode %04o: other users can read worker secrets"),
                                db_path, (unsigned)(st.st_mode & 07777)),
               _ ("chmod 600 the file"));
  else
    add_check (checks, "database-file", NEXUS_CHECK_PASS,
               g_strdup_printf (_ ("“%s”, mode %04o, %" PRId64 " bytes"), db_path,
                                (unsigned)(st.st_mode & 07777), (gint64)st.st_size),
               NULL);
}

static void
check_disk_space (GPtrArray *checks, const NexusPreflightOptions *options)
{
  g_autofree char *dir = g_path_get_dirname (options->db_path);
  g_autofree char *existing = nearest_existing (dir);
  g_autoptr (GFile) file = g_file_new_for_path (existing);
  g_autoptr (GFileInfo) info = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *free_text = NULL;
  guint64          db_size = (guint64)database_size (options->db_path);
  guint64          warn_at = options->warn_free_bytes;
  guint64          fail_at = options->fail_free_bytes;
  guint64          free_bytes;

  if (warn_at == 0)
    warn_at = MAX (DEFAULT_WARN_FREE_BYTES, 2 * db_size);
  if (fail_at == 0)
    fail_at = MAX (DEFAULT_FAIL_FREE_BYTES, db_size);

  info = g_file_query_filesystem_info (file, G_FILE_ATTRIBUTE_FILESYSTEM_FREE, NULL, &error);
  if (info == NULL)
    {
      add_check (
          checks, "disk-space", NEXUS_CHECK_WARN,
          g_strdup_printf (_ ("Cannot tell the free space at “%s”: %s"), existing, error->message),
          _ ("Check the free space by hand (df)"));
      return;
    }
  free_bytes = g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE);
  free_text = g_format_size (free_bytes);

  if (free_bytes < fail_at)
    {
      g_autofree char *need = g_format_size (fail_at);
      add_check (checks, "disk-space", NEXUS_CHECK_FAIL,
                 g_strdup_printf (_ ("%s free at “%s”, less than %s"), free_text, existing, need),
                 _ ("Free disk space: a full disk stops ingestion"));
    }
  else if (free_bytes < warn_at)
    {
      g_autofree char *want = g_format_size (warn_at);
      add_check (checks, "disk-space", NEXUS_CHECK_WARN,
                 g_strdup_printf (_ ("%s free at “%s”, less than %s"), free_text, existing, want),
                 _ ("Free disk space before the next backup or VACUUM (each needs the "
                    "file's size again)"));
    }
  else
    add_check (checks, "disk-space", NEXUS_CHECK_PASS,
               g_strdup_printf (_ ("%s free at “%s”"), free_text, existing), NULL);
}

static void
check_port (GPtrArray *checks, const char *listen)
{
  g_autoptr (GSocketConnectable) connectable = NULL;
  g_autoptr (GInetAddress) address = NULL;
  g_autoptr (GSocketAddress) socket_address = NULL;
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GError) error = NULL;
  const char *host;
  guint16     port;

  connectable = g_network_address_parse (listen, 0, &error);
  if (connectable == NULL)
    {
      add_check (checks, "api-port", NEXUS_CHECK_FAIL,
                 g_strdup_printf (_ ("“%s” is not ADDR:PORT: %s"), listen, error->message),
                 _ ("Give --listen as ADDR:PORT, e.g. 127.0.0.1:8787"));
      return;
    }
  host = g_network_address_get_hostname (G_NETWORK_ADDRESS (connectable));
  port = g_network_address_get_port (G_NETWORK_ADDRESS (connectable));
  if (g_strcmp0 (host, "localhost") == 0)
    address = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  else
    address = g_inet_address_new_from_string (host);
  if (address == NULL)
    {
      add_check (checks, "api-port", NEXUS_CHECK_FAIL,
                 g_strdup_printf (_ ("“%s” is not an IP address"), host),
                 _ ("Give --listen as ADDR:PORT with a numeric address"));
      return;
    }

  socket_address = g_inet_socket_address_new (address, port);
  socket = g_socket_new (g_inet_address_get_family (address), G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, &error);
  /* allow_reuse as the server binds: a port left in TIME_WAIT is free, one
   * another program listens on is not. */
  if (socket == NULL || !g_socket_bind (socket, socket_address, TRUE, &error) ||
      !g_socket_listen (socket, &error))
    {
      gboolean in_use = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);

      add_check (checks, "api-port", NEXUS_CHECK_FAIL,
                 g_strdup_printf (_ ("Cannot listen on %s: %s"), listen, error->message),
                 in_use ? _ ("Another program (an engine already running?) holds the port: "
                             "stop it or choose another with --listen")
                        : _ ("Choose an address of this machine and a port above 1023"));
      return;
    }
  g_socket_close (socket, NULL);
  add_check (checks, "api-port", NEXUS_CHECK_PASS, g_strdup_printf (_ ("%s is free"), listen),
             NULL);
}

/**
 * nexus_maintenance_preflight:
 *
 * Returns: (transfer full) (element-type NexusCheck): the checks, in a
 *   stable order
 */
GPtrArray *
nexus_maintenance_preflight (const NexusPreflightOptions *options)
{
  GPtrArray *checks = g_ptr_array_new_with_free_func ((GDestroyNotify)nexus_check_free);

  g_return_val_if_fail (options != NULL && options->db_path != NULL, checks);

  check_disk_space (checks, options);
  check_database_files (checks, options->db_path);
  check_port (checks, options->listen != NULL ? options->listen : "127.0.0.1:8787");
  check_libraries (checks);
  check_clock (checks);
  return checks;
}

/* What one validation pass found. */
typedef struct
{
  char **problems; /* of the integrity check; NULL: sound */
  gint64 fk_violations;
  char  *fk_first;
  char **missing; /* indexes and triggers */
  char **extra;
  gint64 leads, fts_indexed, fts_out_of_step;
  gint64 located, geo_indexed, geo_out_of_step;
} Findings;

static void
findings_clear (Findings *findings)
{
  g_clear_pointer (&findings->problems, g_strfreev);
  g_clear_pointer (&findings->fk_first, g_free);
  g_clear_pointer (&findings->missing, g_strfreev);
  g_clear_pointer (&findings->extra, g_strfreev);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Findings, findings_clear)

static gboolean
gather (NexusStore *store, gboolean full, Findings *findings, GError **error)
{
  return nexus_store_ops_integrity (store, full, &findings->problems, error) &&
         nexus_store_ops_foreign_keys (store, &findings->fk_violations, &findings->fk_first,
                                       error) &&
         nexus_store_ops_schema_diff (store, &findings->missing, &findings->extra, error) &&
         nexus_store_ops_fts_state (store, &findings->leads, &findings->fts_indexed,
                                    &findings->fts_out_of_step, error) &&
         nexus_store_ops_geo_state (store, &findings->located, &findings->geo_indexed,
                                    &findings->geo_out_of_step, error);
}

static gboolean
fts_wrong (const Findings *f)
{
  return f->fts_out_of_step != 0 || f->fts_indexed != f->leads;
}

static gboolean
geo_wrong (const Findings *f)
{
  return f->geo_out_of_step != 0 || f->geo_indexed != f->located;
}

/* "repaired: " before the detail of a check a repair changed. */
static char *
prefixed (gboolean repaired, char *detail)
{
  char *result;

  if (!repaired)
    return detail;
  result = g_strdup_printf (_ ("repaired; now %s"), detail);
  g_free (detail);
  return result;
}

/**
 * nexus_maintenance_validate:
 *
 * Checks the file behind @store; with %NEXUS_VALIDATE_REPAIR recreates
 * missing indexes and triggers and rebuilds the full-text and R*Tree
 * indexes when they are out of step, then checks again.  Nothing is
 * repaired in a file whose integrity check fails: restore a backup.
 *
 * Returns: (transfer full) (element-type NexusCheck): the checks, or %NULL
 *   with @error set when a check could not run at all
 */
GPtrArray *
nexus_maintenance_validate (NexusStore *store, NexusValidateFlags flags, GError **error)
{
  g_autoptr (GPtrArray) checks = NULL;
  g_auto (Findings) findings = { 0 };
  gboolean    full = (flags & NEXUS_VALIDATE_FULL) != 0;
  gboolean    repaired_schema = FALSE;
  gboolean    repaired_fts = FALSE;
  gboolean    repaired_geo = FALSE;
  const char *pragma = full ? "integrity_check" : "quick_check";

  g_return_val_if_fail (NEXUS_IS_STORE (store), NULL);
  g_return_val_if_fail (!nexus_store_in_transaction (store), NULL);

  if (!gather (store, full, &findings, error))
    return NULL;

  if ((flags & NEXUS_VALIDATE_REPAIR) != 0 && findings.problems == NULL)
    {
      if (findings.missing[0] != NULL)
        {
          if (!nexus_store_ops_restore_schema_objects (store, NULL, error))
            return NULL;
          repaired_schema = TRUE;
        }
      /* A missing trigger let the indexes drift: rebuild after it is back. */
      if (fts_wrong (&findings) || repaired_schema)
        {
          if (!nexus_store_ops_rebuild_fts (store, error))
            return NULL;
          repaired_fts = fts_wrong (&findings);
        }
      if (geo_wrong (&findings) || repaired_schema)
        {
          if (!nexus_store_ops_rebuild_geo (store, error))
            return NULL;
          repaired_geo = geo_wrong (&findings);
        }
      if (repaired_schema || repaired_fts || repaired_geo)
        {
          findings_clear (&findings);
          if (!gather (store, full, &findings, error))
            return NULL;
        }
    }

  checks = g_ptr_array_new_with_free_func ((GDestroyNotify)nexus_check_free);

  if (findings.problems == NULL)
    add_check (checks, "integrity", NEXUS_CHECK_PASS, g_strdup_printf ("%s: ok", pragma), NULL);
  else
    {
      g_autofree char *joined = g_strjoinv ("; ", findings.problems);
      add_check (checks, "integrity", NEXUS_CHECK_FAIL, g_strdup_printf ("%s: %s", pragma, joined),
                 _ ("Stop the engine and restore the latest backup (nexusctl restore)"));
    }

  if (findings.fk_violations == 0)
    add_check (checks, "foreign-keys", NEXUS_CHECK_PASS, g_strdup (_ ("no violations")), NULL);
  else
    add_check (checks, "foreign-keys", NEXUS_CHECK_FAIL,
               g_strdup_printf (_ ("%" PRId64 " violations, first: %s"), findings.fk_violations,
                                findings.fk_first),
               _ ("Restore a backup, or remove the rows that point nowhere"));

  if (findings.missing[0] != NULL)
    {
      g_autofree char *joined = g_strjoinv (", ", findings.missing);
      add_check (checks, "schema", NEXUS_CHECK_FAIL, g_strdup_printf (_ ("missing: %s"), joined),
                 _ ("Run nexusctl validate --repair"));
    }
  else if (findings.extra[0] != NULL)
    {
      g_autofree char *joined = g_strjoinv (", ", findings.extra);
      add_check (checks, "schema", NEXUS_CHECK_WARN,
                 prefixed (repaired_schema, g_strdup_printf (_ ("not Nexus's own: %s"), joined)),
                 _ ("Drop them if nobody added them on purpose"));
    }
  else
    add_check (
        checks, "schema", NEXUS_CHECK_PASS,
        prefixed (repaired_schema, g_strdup (_ ("every index and trigger of schema present"))),
        NULL);

  add_check (checks, "fts-index", fts_wrong (&findings) ? NEXUS_CHECK_FAIL : NEXUS_CHECK_PASS,
             prefixed (repaired_fts,
                       g_strdup_printf (
                           _ ("%" PRId64 " leads, %" PRId64 " indexed, %" PRId64 " out of step"),
                           findings.leads, findings.fts_indexed, findings.fts_out_of_step)),
             _ ("Run nexusctl validate --repair to rebuild the full-text index"));

  add_check (
      checks, "geo-index", geo_wrong (&findings) ? NEXUS_CHECK_FAIL : NEXUS_CHECK_PASS,
      prefixed (repaired_geo,
                g_strdup_printf (_ ("%" PRId64 " leads with coordinates, %" PRId64
                                    " indexed, %" PRId64 " out of step"),
                                 findings.located, findings.geo_indexed, findings.geo_out_of_step)),
      _ ("Run nexusctl validate --repair to rebuild the R*Tree"));

  return g_steal_pointer (&checks);
}
