/* nexus-test-sql.h — expected answers from plain SQL, and CSV read back
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For tests that compare what a program wrote with the vault: the ids a
 * query of their own returns (through a read-only connection of its own,
 * never the code under test), every record of a CSV file through the
 * engine's RFC 4180 reader, and the leads of two vaults compared field by
 * field (export → import round trips).  Header-only; link the engine to
 * use it.
 */
#pragma once

#include <math.h>
#include <string.h>

#include <sqlite3.h>

#include "leads/nexus-csv.h"

G_BEGIN_DECLS

/* The first column of every row of @sql on the file @db_path, as int64s. */
static inline GArray *
nexus_test_sql_ids (const char *db_path, const char *sql)
{
  GArray       *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3      *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (ids, id);
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return ids;
}

/* The first column of every row of @sql on the file @db_path, as texts
 * ("(null)" for NULL). */
static inline GPtrArray *
nexus_test_sql_texts (const char *db_path, const char *sql)
{
  GPtrArray    *texts = g_ptr_array_new_with_free_func (g_free);
  sqlite3      *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *text = (const char *)sqlite3_column_text (stmt, 0);

      g_ptr_array_add (texts, g_strdup (text != NULL ? text : "(null)"));
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return texts;
}

/* Every record of the CSV file @path, each a GStrv, the header first. */
static inline GPtrArray *
nexus_test_read_csv (const char *path, char delimiter)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusCsvReader) reader = nexus_csv_reader_new_for_path (path, &error);
  GPtrArray *records = g_ptr_array_new_with_free_func ((GDestroyNotify)g_strfreev);

  g_assert_no_error (error);
  nexus_csv_reader_set_delimiter (reader, delimiter);
  while (nexus_csv_reader_next (reader, &error))
    {
      GStrv record = g_new0 (char *, nexus_csv_reader_get_n_fields (reader) + 1);

      for (guint i = 0; i < nexus_csv_reader_get_n_fields (reader); i++)
        record[i] = g_strdup (nexus_csv_reader_get_field (reader, i));
      g_ptr_array_add (records, record);
    }
  g_assert_no_error (error);
  return records;
}

/* Every row of @sql on the file @db_path, each a GStrv of its columns as
 * texts ("(null)" for NULL). */
static inline GPtrArray *
nexus_test_sql_rows (const char *db_path, const char *sql)
{
  GPtrArray    *rows = g_ptr_array_new_with_free_func ((GDestroyNotify)g_strfreev);
  sqlite3      *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      int   n = sqlite3_column_count (stmt);
      GStrv row = g_new0 (char *, n + 1);

      for (int c = 0; c < n; c++)
        {
          const char *text = (const char *)sqlite3_column_text (stmt, c);

          row[c] = g_strdup (text != NULL ? text : "(null)");
        }
      g_ptr_array_add (rows, row);
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return rows;
}

static inline int
nexus_test_compare_strings (const char *const *a, const char *const *b)
{
  return strcmp (*a, *b);
}

/* SHA-256 of every row of the vault's own tables (leads and what belongs
 * to them, searches, jobs, workers, agents), as a live engine leaves them:
 * unlike the file's bytes, it does not change when a WAL checkpoint moves
 * pages into the file or the engine records its own bookkeeping. */
static inline char *
nexus_test_vault_sha256 (const char *db_path)
{
  static const char *const tables[] = {
    "leads",    "lead_phones",   "lead_sources",      "lead_merges",
    "searches", "internal_jobs", "workers",           "worker_secrets",
    "agents",   "assignments",   "webhook_endpoints",
  };
  g_autoptr (GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

  for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT * FROM %s", tables[t]);
      g_autoptr (GPtrArray) rows = nexus_test_sql_rows (db_path, sql);
      g_autoptr (GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);

      for (guint r = 0; r < rows->len; r++)
        g_ptr_array_add (lines, g_strjoinv ("\x1f", g_ptr_array_index (rows, r)));
      g_ptr_array_sort (lines, (GCompareFunc)nexus_test_compare_strings);

      g_checksum_update (checksum, (const guchar *)tables[t], -1);
      for (guint r = 0; r < lines->len; r++)
        {
          g_checksum_update (checksum, g_ptr_array_index (lines, r), -1);
          g_checksum_update (checksum, (const guchar *)"\n", 1);
        }
    }
  return g_strdup (g_checksum_get_string (checksum));
}

/* What an export gives back on import, per lead in name order: the name,
 * the primary phone, every valid phone, the unrecognized ones, category,
 * city, address, website, e-mail, lat, lon, rating, reviews, country and
 * preview_only.  Coordinates and rating are the columns
 * NEXUS_TEST_LEAD_FIRST_REAL to NEXUS_TEST_LEAD_LAST_REAL. */
static const char *const nexus_test_lead_columns[] = {
  "name",  "phone_e164", "phones", "phone_raw", "category", "city",    "address",      "website",
  "email", "lat",        "lon",    "rating",    "reviews",  "country", "preview_only",
};
#define NEXUS_TEST_LEAD_FIRST_REAL 9
#define NEXUS_TEST_LEAD_LAST_REAL  11

static const char nexus_test_leads_sql[] =
    "SELECT name, phone_e164,"
    " (SELECT group_concat (e164, ' ') FROM"
    "  (SELECT e164 FROM lead_phones p WHERE p.lead_id = l.id ORDER BY e164)),"
    " phone_raw, category, city, address, website, email, lat, lon, rating, reviews, country,"
    " preview_only"
    " FROM leads l ORDER BY name, id";

/* The differences between the leads of @before and those of @after, one
 * a line naming the lead and the field ("" when they are the same leads):
 * texts must be equal, coordinates and ratings within 1e-7.  @skip: names
 * of columns of nexus_test_lead_columns not compared, NULL-terminated. */
static inline char *
nexus_test_leads_differences (const char *before, const char *after, const char *const *skip)
{
  g_autoptr (GPtrArray) a = nexus_test_sql_rows (before, nexus_test_leads_sql);
  g_autoptr (GPtrArray) b = nexus_test_sql_rows (after, nexus_test_leads_sql);
  GString *out = g_string_new (NULL);

  if (a->len != b->len)
    g_string_append_printf (out, "%u leads before, %u after\n", a->len, b->len);
  for (guint i = 0; i < MIN (a->len, b->len); i++)
    {
      GStrv x = g_ptr_array_index (a, i);
      GStrv y = g_ptr_array_index (b, i);

      if (g_strcmp0 (x[0], y[0]) != 0)
        {
          g_string_append_printf (out, "lead %u: name “%s” before, “%s” after\n", i, x[0], y[0]);
          continue;
        }
      for (guint c = 1; c < G_N_ELEMENTS (nexus_test_lead_columns); c++)
        {
          gboolean same;

          if (skip != NULL && g_strv_contains (skip, nexus_test_lead_columns[c]))
            continue;
          if (c >= NEXUS_TEST_LEAD_FIRST_REAL && c <= NEXUS_TEST_LEAD_LAST_REAL &&
              g_strcmp0 (x[c], "(null)") != 0 && g_strcmp0 (y[c], "(null)") != 0)
            same = fabs (g_ascii_strtod (x[c], NULL) - g_ascii_strtod (y[c], NULL)) <= 1e-7;
          else
            same = g_strcmp0 (x[c], y[c]) == 0;
          if (!same)
            g_string_append_printf (out, "“%s”: %s “%s” before, “%s” after\n", x[0],
                                    nexus_test_lead_columns[c], x[c], y[c]);
        }
    }
  return g_string_free (out, FALSE);
}

G_END_DECLS
