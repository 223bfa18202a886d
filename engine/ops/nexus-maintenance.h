/* nexus-maintenance.h — retention, preflight and validation of a vault
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Owns the operator's housekeeping of one database file:
 *
 *  - nexus_maintenance_cleanup() applies the retention rules (below) in
 *    small transactions of at most NEXUS_RETENTION_BATCH rows each, so a
 *    running engine never waits long for the write lock, then checkpoints
 *    the WAL, refreshes the planner's statistics and, when asked, VACUUMs.
 *  - nexus_maintenance_preflight() checks that a machine can run an engine
 *    on a file: free disk, permissions, the API port, library versions, the
 *    clock.  It opens no database connection.
 *  - nexus_maintenance_validate() checks a file's integrity, foreign keys,
 *    indexes and triggers against a fresh schema, and that the full-text and
 *    R*Tree indexes are in step with the leads; with repair it recreates
 *    what is missing and rebuilds those indexes.
 *
 * Threads: each function runs on the thread that owns the store it is
 * given (nexus-store.h); the store must not be inside a transaction.  In an
 * engine that is the engine thread (nexus_engine_run_sync()); nexusctl
 * calls them on its own connection beside a running engine.
 *
 * Ownership: results are plain structures owned by the caller.
 */
#pragma once

#include "store/nexus-store.h"

G_BEGIN_DECLS

/* Default retention ages, in seconds. */
#define NEXUS_RETENTION_REPLAY_S       600               /* HMAC nonces */
#define NEXUS_RETENTION_IDEMPOTENCY_S  (48 * 3600)       /* idempotency keys */
#define NEXUS_RETENTION_JOBS_S         (30 * 24 * 3600)  /* finished jobs */
#define NEXUS_RETENTION_AUDIT_S        (365 * 24 * 3600) /* audit log */
#define NEXUS_RETENTION_DELIVERIES_S   (30 * 24 * 3600)  /* finished webhook deliveries */
#define NEXUS_RETENTION_WORKER_HOURS_S (30 * 24 * 3600)  /* workers' hourly figures */
#define NEXUS_RETENTION_BATCH          1000              /* rows per transaction */

/* The retention policies, in the order of NexusStorePurge.  The operator
 * may change each age within its bounds; it is kept in the settings under
 * its key (seconds), read at every pass. */
typedef enum
{
  NEXUS_RETENTION_REPLAY,
  NEXUS_RETENTION_IDEMPOTENCY,
  NEXUS_RETENTION_JOBS,
  NEXUS_RETENTION_AUDIT,
  NEXUS_RETENTION_DELIVERIES,
  NEXUS_RETENTION_WORKER_HOURS,
  NEXUS_RETENTION_N_POLICIES,
} NexusRetentionPolicy;

typedef struct
{
  const char *setting;   /* e.g. "retention.replay_s" */
  gint64      default_s; /* the age without a setting */
  gint64      min_s;     /* bounds an operator may choose within */
  gint64      max_s;
} NexusRetentionRule;

const NexusRetentionRule *nexus_retention_rule (NexusRetentionPolicy policy);
gint64                    nexus_retention_get_age (NexusStore *store, NexusRetentionPolicy policy);
gboolean                  nexus_retention_set_age (NexusStore          *store,
                                                   NexusRetentionPolicy policy,
                                                   gint64               age_s,
                                                   GError             **error);

typedef enum
{
  NEXUS_CLEANUP_DEFAULT = 0,
  NEXUS_CLEANUP_VACUUM = 1 << 0, /* rewrite the file afterwards */
} NexusCleanupFlags;

typedef struct
{
  gint64   replay_removed;
  gint64   idempotency_removed;
  gint64   jobs_removed;
  gint64   audit_removed;
  gint64   deliveries_removed;
  gint64   worker_hours_removed;
  guint    transactions;        /* write transactions used */
  gboolean checkpoint_complete; /* FALSE: a reader kept part of the WAL */
  gboolean vacuumed;
  gint64   size_before; /* bytes of the file and its WAL */
  gint64   size_after;
} NexusCleanupReport;

gboolean nexus_maintenance_cleanup (NexusStore         *store,
                                    gint64              now,
                                    NexusCleanupFlags   flags,
                                    NexusCleanupReport *report,
                                    GError            **error);

typedef enum
{
  NEXUS_CHECK_PASS,
  NEXUS_CHECK_WARN,
  NEXUS_CHECK_FAIL,
} NexusCheckStatus;

/* One line of a preflight or validation. */
typedef struct
{
  char            *name; /* stable, e.g. "disk-space" */
  NexusCheckStatus status;
  char            *detail; /* what was found */
  char            *remedy; /* what to do; NULL when it passed */
} NexusCheck;

void        nexus_check_free (NexusCheck *check);
const char *nexus_check_status_to_string (NexusCheckStatus status);
/* TRUE when no check of @checks failed. */
gboolean nexus_checks_passed (GPtrArray *checks);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusCheck, nexus_check_free)

typedef struct
{
  const char *db_path; /* the file an engine would use; need not exist */
  const char *listen;  /* ADDR:PORT of the worker API */
  /* Free bytes below which disk-space warns and fails; 0 for the
   * defaults (1 GiB / 100 MiB, raised to twice and once the file's size,
   * which a backup or VACUUM needs). */
  guint64 warn_free_bytes;
  guint64 fail_free_bytes;
} NexusPreflightOptions;

GPtrArray *nexus_maintenance_preflight (const NexusPreflightOptions *options);

typedef enum
{
  NEXUS_VALIDATE_DEFAULT = 0,
  NEXUS_VALIDATE_FULL = 1 << 0,   /* integrity_check instead of quick_check */
  NEXUS_VALIDATE_REPAIR = 1 << 1, /* recreate and rebuild what is wrong */
} NexusValidateFlags;

GPtrArray *nexus_maintenance_validate (NexusStore *store, NexusValidateFlags flags, GError **error);

G_END_DECLS
