/* nexus-test-sql.h — expected answers from plain SQL, and CSV read back
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For tests that compare what a program wrote with the vault: the ids a
 * query of their own returns (through a read-only connection of its own,
 * never the code under test), and every record of a CSV file through the
 * engine's RFC 4180 reader.  Header-only; link the engine to use it.
 */
#pragma once

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

G_END_DECLS
