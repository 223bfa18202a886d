/* summary.c — the Dashboard's read on a large vault
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * N leads (default 200,000) over 60 days, 40 categories, 60 cities and the
 * five statuses, written with one raw INSERT; then, on a read-only
 * connection as the console reads: nexus_store_summary_read() (leads per
 * day, funnel, top categories and cities, jobs, searches) against the
 * baseline of one "SELECT count(*)" of the same leads.  Each is the median
 * of 5 runs.  Prints milliseconds and the ratio; asserts no time.
 *
 *   summary [N_LEADS]
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "store/nexus-store-private.h"
#include "store/nexus-store-summary.h"

#define DEFAULT_LEADS 200000
#define RUNS          5

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *)a;
  double y = *(const double *)b;

  return (x > y) - (x < y);
}

static double
median (double *values)
{
  qsort (values, RUNS, sizeof (double), compare_doubles);
  return values[RUNS / 2];
}

int
main (int argc, char *argv[])
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("nexus-bench-summary-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "bench.db", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  g_autofree char *sql = NULL;
  g_autoptr (NexusStore) writer = NULL;
  g_autoptr (NexusStore) reader = NULL;
  guint    n_leads = argc > 1 ? (guint)g_ascii_strtoull (argv[1], NULL, 10) : DEFAULT_LEADS;
  gint64   now = g_get_real_time () / G_USEC_PER_SEC;
  gint64   first_day = now - now % 86400 - (NEXUS_SUMMARY_DAYS - 1) * 86400;
  double   summary_ms[RUNS];
  double   count_ms[RUNS];
  sqlite3 *db = NULL;
  gint64   start;

  g_assert_no_error (error);
  writer = nexus_store_open (path, NEXUS_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_clear_object (&writer);

  start = g_get_monotonic_time ();
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sql = g_strdup_printf (
      "BEGIN;"
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %u)"
      " INSERT INTO leads (name, name_norm, city, category, status, preview_only,"
      " first_seen_at, last_seen_at, updated_at)"
      " SELECT 'Lead ' || i, 'lead ' || i, 'City ' || (i %% 60), 'category ' || (i %% 40),"
      " CASE i %% 5 WHEN 0 THEN 'new' WHEN 1 THEN 'contacted' WHEN 2 THEN 'qualified'"
      " WHEN 3 THEN 'won' ELSE 'lost' END, (i %% 10 = 0),"
      " %" G_GINT64_FORMAT " - (i * 7919 %% (60 * 86400)), %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
      " FROM n;"
      /* Indexed for search as a store's commit does. */
      NEXUS_STORE_INDEX_PENDING_SQL "; " NEXUS_STORE_CLEAR_PENDING_SQL ";"
      "COMMIT;",
      n_leads, now, now, now);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  g_print ("%u leads written in %.1f s\n", n_leads,
           (g_get_monotonic_time () - start) / (double)G_USEC_PER_SEC);

  reader = nexus_store_open (path, NEXUS_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  for (guint run = 0; run < RUNS; run++)
    {
      g_autoptr (NexusSummary) summary = NULL;
      gint64 count = 0;

      start = g_get_monotonic_time ();
      summary = nexus_store_summary_read (reader, first_day, &error);
      g_assert_no_error (error);
      summary_ms[run] = (g_get_monotonic_time () - start) / 1000.0;
      g_assert_cmpuint (summary->categories->len, ==, NEXUS_SUMMARY_TOP);

      start = g_get_monotonic_time ();
      nexus_store_count_leads (reader, &count, &error);
      g_assert_no_error (error);
      count_ms[run] = (g_get_monotonic_time () - start) / 1000.0;
      g_assert_cmpint (count, >, 0);
    }

  g_print ("  count of the leads (baseline): %8.1f ms\n", median (count_ms));
  g_print ("  dashboard summary:             %8.1f ms  (x%.1f)\n", median (summary_ms),
           median (summary_ms) / MAX (median (count_ms), 0.001));

  g_clear_object (&reader);
  g_unlink (path);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (dir);
  return 0;
}
