/* export.c — exports of a large vault against a bare SELECT of the same rows
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   export [N_LEADS]        (default 1000000; or $NEXUS_BENCH_LEADS)
 *
 * Generates N leads with direct SQL (a recursive CTE into the leads table,
 * its FTS and R*Tree triggers included, one phone and one source per lead;
 * Arabic and Latin names, texts that need CSV quoting, leads without
 * coordinates), then measures on a reader connection, in this order:
 *
 *  - select: a bare SELECT of the leads' own columns, every value read
 *    (sqlite3_column_*), nothing written — the floor;
 *  - cursor: the export's read (nexus_store_leads_cursor_open(), pages of
 *    NEXUS_EXPORT_PAGE_ROWS), nothing written;
 *  - csv:    nexus_export_leads() to CSV (default columns, BOM);
 *  - xlsx:   nexus_export_leads() to XLSX (constant_memory).
 *
 * Prints rows/s of each with its ratio to the bare SELECT, the file sizes,
 * and the peak resident set (VmHWM) of each phase: the peak is reset
 * before each one (/proc/self/clear_refs), so a phase's figure is its own.
 * Generation is not timed against anything.  Asserts no time.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdio.h>

#include "leads/nexus-export.h"
#include "store/nexus-store.h"
#include "store/nexus-store-private.h"

#define DEFAULT_LEADS 1000000
#define GENERATE_STEP 100000 /* leads per generating transaction */

/* The leads of rows [:first, :last]: every value a pure function of i. */
static const char generate_sql[] =
    "WITH RECURSIVE n (i) AS (SELECT :first UNION ALL SELECT i + 1 FROM n WHERE i < :last)"
    " INSERT INTO leads (id, name, name_norm, phone_e164, website, address, city, country,"
    "   lat, lon, category, rating, reviews, status, sightings, first_seen_at, last_seen_at,"
    "   updated_at)"
    " SELECT i,"
    "   CASE i % 3 WHEN 0 THEN 'مطعم الياسمين ' || i WHEN 1 THEN 'Café \"Riche\", Paris ' || i"
    "     ELSE 'Bakery ' || i END,"
    "   'lead ' || i, '+2010' || printf ('%08d', i), 'shop' || i || '.example',"
    "   CASE i % 5 WHEN 0 THEN NULL WHEN 1 THEN 'شارع التحرير ' || (i % 100) || char (10) ||"
    "     '(الدور الأول)' ELSE (i % 300) || ' Main Street' END,"
    "   CASE i % 4 WHEN 0 THEN 'Cairo' WHEN 1 THEN 'Riyadh' WHEN 2 THEN 'Paris' ELSE 'Dubai' END,"
    "   'EG',"
    "   CASE WHEN i % 10 = 0 THEN NULL ELSE 30.0 + (i % 1000) / 1000.0 END,"
    "   CASE WHEN i % 10 = 0 THEN NULL ELSE 31.0 + (i % 997) / 1000.0 END,"
    "   CASE i % 4 WHEN 0 THEN 'restaurant' WHEN 1 THEN 'cafe' WHEN 2 THEN 'bakery' ELSE NULL END,"
    "   CASE WHEN i % 3 = 0 THEN NULL ELSE 3.0 + (i % 20) / 10.0 END, i % 500,"
    "   CASE i % 5 WHEN 0 THEN 'new' WHEN 1 THEN 'contacted' WHEN 2 THEN 'qualified'"
    "     WHEN 3 THEN 'won' ELSE 'lost' END,"
    "   1 + i % 4, 1700000000 + i, 1750000000 + i, 1750000000 + i"
    " FROM n;"
    "INSERT INTO lead_phones (e164, lead_id) SELECT phone_e164, id FROM leads"
    " WHERE id BETWEEN :first AND :last;"
    "INSERT INTO lead_sources (lead_id, provider, ref, first_seen_at, last_seen_at)"
    " SELECT id, CASE id % 2 WHEN 0 THEN 'overpass' ELSE 'google' END, 'ref' || id,"
    "   first_seen_at, last_seen_at FROM leads WHERE id BETWEEN :first AND :last;";

static const char select_sql[] =
    "SELECT id, name, category, phone_e164, city, address, website, lat, lon, rating, status,"
    " first_seen_at, last_seen_at, sightings, preview_only FROM leads ORDER BY id";

static void
check_sql (int rc, sqlite3 *db, const char *what)
{
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
    g_error ("%s: %s", what, sqlite3_errmsg (db));
}

/* Runs every statement of generate_sql for one range, in one transaction. */
static void
generate_range (sqlite3 *db, gint64 first, gint64 last)
{
  const char *sql = generate_sql;

  check_sql (sqlite3_exec (db, "BEGIN", NULL, NULL, NULL), db, "begin");
  while (*sql != '\0')
    {
      sqlite3_stmt *stmt = NULL;
      const char   *tail = NULL;

      check_sql (sqlite3_prepare_v2 (db, sql, -1, &stmt, &tail), db, "prepare");
      if (stmt == NULL)
        break;
      sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":first"), first);
      sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":last"), last);
      check_sql (sqlite3_step (stmt), db, "generate");
      sqlite3_finalize (stmt);
      sql = tail;
    }
  /* Indexed for search as a store's commit does. */
  check_sql (
      sqlite3_exec (db, NEXUS_STORE_INDEX_PENDING_SQL "; " NEXUS_STORE_CLEAR_PENDING_SQL "; COMMIT",
                    NULL, NULL, NULL),
      db, "commit");
}

static void
generate (const char *path, gint64 n_leads)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusStore) store = nexus_store_open (path, NEXUS_STORE_OPEN_DEFAULT, &error);
  sqlite3 *db = NULL;
  gint64   start = g_get_monotonic_time ();

  g_assert_no_error (error);
  g_clear_object (&store); /* the schema is made; the rows go in raw */

  check_sql (sqlite3_open (path, &db), db, "open");
  sqlite3_exec (db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF", NULL, NULL, NULL);
  for (gint64 first = 1; first <= n_leads; first += GENERATE_STEP)
    generate_range (db, first, MIN (first + GENERATE_STEP - 1, n_leads));
  sqlite3_exec (db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
  sqlite3_close (db);
  printf ("generated %" G_GINT64_FORMAT " leads in %.1f s (not measured against anything)\n",
          n_leads, (g_get_monotonic_time () - start) / 1e6);
}

/* Forgets the peak resident set, so the next VmHWM is the next phase's. */
static void
reset_peak_rss (void)
{
  FILE *file = fopen ("/proc/self/clear_refs", "w");

  if (file != NULL)
    {
      fputs ("5", file);
      fclose (file);
    }
}

static gint64
peak_rss_kib (void)
{
  g_autofree char *status = NULL;
  g_auto (GStrv) lines = NULL;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  lines = g_strsplit (status, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "VmHWM:"))
      return g_ascii_strtoll (lines[i] + 6, NULL, 10);
  return -1;
}

typedef struct
{
  const char *name;
  gint64      rows;
  double      seconds;
  gint64      peak_kib;
  gint64      bytes; /* the file's size; -1: no file */
} Phase;

static void
print_phase (const Phase *phase, const Phase *baseline)
{
  double rate = phase->rows / phase->seconds;

  printf ("%-7s %9" G_GINT64_FORMAT " rows in %6.2f s = %9.0f rows/s", phase->name, phase->rows,
          phase->seconds, rate);
  if (baseline != NULL && baseline != phase)
    printf ("  (%.2f× the bare SELECT)", rate / (baseline->rows / baseline->seconds));
  printf ("  peak RSS %6.1f MiB", phase->peak_kib / 1024.0);
  if (phase->bytes >= 0)
    printf ("  file %7.1f MiB", phase->bytes / (1024.0 * 1024.0));
  printf ("\n");
  fflush (stdout);
}

static void
run_select (const char *path, Phase *phase)
{
  sqlite3      *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64        start, rows = 0;
  guint64       sink = 0;

  reset_peak_rss ();
  start = g_get_monotonic_time ();
  check_sql (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), db, "open");
  check_sql (sqlite3_prepare_v2 (db, select_sql, -1, &stmt, NULL), db, "prepare");
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      for (int c = 0; c < sqlite3_column_count (stmt); c++)
        sink += sqlite3_column_type (stmt, c) == SQLITE_TEXT
                    ? (guint64)sqlite3_column_bytes (stmt, c)
                    : (guint64)sqlite3_column_int64 (stmt, c);
      rows++;
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  phase->name = "select";
  phase->rows = rows;
  phase->seconds = (g_get_monotonic_time () - start) / 1e6;
  phase->peak_kib = peak_rss_kib ();
  phase->bytes = -1;
  if (sink == 42)
    printf ("\n"); /* keeps the reads from being optimized away */
}

static void
run_cursor (NexusStore *store, Phase *phase)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) rows = g_array_new (FALSE, FALSE, sizeof (NexusLeadsExportRow));
  g_autoptr (NexusLeadsCursor) cursor = NULL;
  gint64 start, total = 0, n = 0;

  reset_peak_rss ();
  start = g_get_monotonic_time ();
  cursor = nexus_store_leads_cursor_open (store, NULL, NULL, 0, &total, &error);
  g_assert_no_error (error);
  do
    {
      g_assert_true (nexus_leads_cursor_next_page (cursor, NEXUS_EXPORT_PAGE_ROWS, rows, &error));
      n += rows->len;
    }
  while (rows->len > 0);
  g_assert_cmpint (n, ==, total);
  phase->name = "cursor";
  phase->rows = n;
  phase->seconds = (g_get_monotonic_time () - start) / 1e6;
  phase->peak_kib = peak_rss_kib ();
  phase->bytes = -1;
}

static void
run_export (NexusStore *store, const char *dir, NexusExportFormat format, Phase *phase)
{
  g_autoptr (GError) error = NULL;
  g_autofree char   *file = g_build_filename (dir, nexus_export_format_to_string (format), NULL);
  NexusExportOptions options = { .format = format, .bom = TRUE, .overwrite = TRUE };
  GStatBuf           st;
  gint64             start, rows = 0;

  reset_peak_rss ();
  start = g_get_monotonic_time ();
  g_assert_true (nexus_export_leads (store, file, &options, NULL, NULL, NULL, &rows, &error));
  g_assert_no_error (error);
  phase->name = nexus_export_format_to_string (format);
  phase->rows = rows;
  phase->seconds = (g_get_monotonic_time () - start) / 1e6;
  phase->peak_kib = peak_rss_kib ();
  phase->bytes = g_stat (file, &st) == 0 ? (gint64)st.st_size : -1;
  g_unlink (file);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusStore) reader = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  const char      *env = g_getenv ("NEXUS_BENCH_LEADS");
  gint64           n_leads = DEFAULT_LEADS;
  Phase            select = { 0 }, cursor = { 0 }, csv = { 0 }, xlsx = { 0 };
  const char      *suffixes[] = { "", "-wal", "-shm" };

  if (argc > 1)
    n_leads = g_ascii_strtoll (argv[1], NULL, 10);
  else if (env != NULL)
    n_leads = g_ascii_strtoll (env, NULL, 10);
  if (n_leads <= 0 || n_leads > NEXUS_EXPORT_XLSX_MAX_ROWS)
    g_error ("N_LEADS must be 1 to %d", NEXUS_EXPORT_XLSX_MAX_ROWS);

  dir = g_dir_make_tmp ("nexus-bench-export-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "vault.db", NULL);
  generate (path, n_leads);

  reader = nexus_store_open (path, NEXUS_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);

  printf ("peak RSS before the phases: %.1f MiB\n", peak_rss_kib () / 1024.0);
  run_select (path, &select);
  print_phase (&select, NULL);
  run_cursor (reader, &cursor);
  print_phase (&cursor, &select);
  run_export (reader, dir, NEXUS_EXPORT_CSV, &csv);
  print_phase (&csv, &select);
  run_export (reader, dir, NEXUS_EXPORT_XLSX, &xlsx);
  print_phase (&xlsx, &select);

  g_clear_object (&reader);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      g_unlink (file);
    }
  g_rmdir (dir);
  return 0;
}
