/* test-store.c — opening, creating and refusing database files
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every refusal must leave the file byte-identical: the tests hash it before
 * and after.  Permission and disk-full cases need a real refusal from the
 * kernel; as root they drop to an unprivileged user or mount a tiny tmpfs in
 * a private mount namespace of a child process.
 */

#include "config.h"

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sched.h>
#include <sqlite3.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nexus-engine.h"
#include "../nexus-test-sql.h"
#include "../nexus-test-util.h"
#include "store/nexus-store-leads.h"
#include "store/nexus-store-private.h"

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("nexus-store-XXXXXX", &error);
  g_assert_no_error (error);
  /* Readable by the unprivileged user of the permission tests. */
  g_chmod (fixture->dir, 0755);
  fixture->path = g_build_filename (fixture->dir, "nexus.db", NULL);
}

static void
remove_tree (const char *dir)
{
  g_autoptr (GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  if (handle == NULL)
    return;
  g_chmod (dir, 0755);
  while ((name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *child = g_build_filename (dir, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (dir);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
}

static char *
file_checksum (const char *path)
{
  g_autofree char *contents = NULL;
  gsize            length = 0;
  g_autoptr (GError) error = NULL;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *)contents, length);
}

/* Runs raw SQL on a file outside the store, as another program would. */
static void
raw_exec (const char *path, const char *sql)
{
  sqlite3 *db = NULL;
  char    *message = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
}

/* A complete database with demo rows, closed and checkpointed. */
static void
make_database (const char *path)
{
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (GError) error = NULL;

  store = nexus_store_open (path, NEXUS_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  nexus_store_seed_demo (store, &error);
  g_assert_no_error (error);
  nexus_store_checkpoint (store, &error);
  g_assert_no_error (error);
}

static void
assert_refused_unchanged (const char *path, NexusStoreError code)
{
  g_autofree char *before = file_checksum (path);
  g_autofree char *after = NULL;
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (GError) error = NULL;

  store = nexus_store_open (path, NEXUS_STORE_OPEN_DEFAULT, &error);
  g_assert_null (store);
  g_assert_error (error, NEXUS_STORE_ERROR, (int)code);
  /* The message names the file so the operator knows which one. */
  g_assert_nonnull (strstr (error->message, path));

  after = file_checksum (path);
  g_assert_cmpstr (before, ==, after);
}

static void
test_store_create (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (GError) error = NULL;
  const char *const *tables = nexus_store_get_table_names ();
  GStatBuf           st;

  store = nexus_store_open (fixture->path, NEXUS_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_true (nexus_store_get_created (store));
  g_assert_cmpint (nexus_store_get_schema_version (store), ==, NEXUS_SCHEMA_VERSION);

  /* Worker secrets live in this file: only its owner may read it. */
  g_assert_cmpint (g_stat (fixture->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  for (guint i = 0; tables[i] != NULL; i++)
    {
      gint64 count = -1;
      nexus_store_count_rows (store, tables[i], &count, &error);
      g_assert_no_error (error);
      /* A new vault is empty but for the seeded classification rules. */
      if (g_str_equal (tables[i], "category_rules"))
        g_assert_cmpint (count, >, 0);
      else
        g_assert_cmpint (count, ==, 0);
    }

  /* Only known tables can be counted. */
  {
    gint64 count = 0;
    g_assert_false (
        nexus_store_count_rows (store, "sqlite_schema; DROP TABLE leads", &count, &error));
    g_assert_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_INVALID);
  }
}

static void
test_store_pragmas (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (GError) error = NULL;
  sqlite3      *db = NULL;
  sqlite3_stmt *stmt = NULL;

  store = nexus_store_open (fixture->path, NEXUS_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_clear_object (&store);

  /* WAL mode is a property of the file: another connection sees it. */
  g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA journal_mode", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *)sqlite3_column_text (stmt, 0), ==, "wal");
  sqlite3_finalize (stmt);

  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA application_id", -1, &stmt, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 0x4e585553);
  sqlite3_finalize (stmt);

  /* The ready path of the job queue is indexed as DESIGN.md says. */
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT group_concat(name, ',') FROM pragma_index_info"
                                       " ('internal_jobs_ready')",
                                       -1, &stmt, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *)sqlite3_column_text (stmt, 0), ==, "status,priority,id");
  sqlite3_finalize (stmt);

  /* A job's payload goes to workers as it is stored: only valid JSON gets in. */
  g_assert_cmpint (sqlite3_exec (db,
                                 "INSERT INTO internal_jobs (payload, created_at, updated_at)"
                                 " VALUES ('{not json', 0, 0)",
                                 NULL, NULL, NULL),
                   ==, SQLITE_CONSTRAINT);
  sqlite3_close (db);
}

static void
test_store_reopen (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *value = NULL;
  gint64           count = 0;

  make_database (fixture->path);

  store = nexus_store_open (fixture->path, NEXUS_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_false (nexus_store_get_created (store));
  nexus_store_count_leads (store, &count, &error);
  g_assert_no_error (error);
  g_assert_cmpint (count, >, 20);

  nexus_store_set_setting (store, "theme", "dark", &error);
  g_assert_no_error (error);
  nexus_store_set_setting (store, "theme", "light", &error);
  g_assert_no_error (error);
  value = nexus_store_get_setting (store, "theme", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (value, ==, "light");
  g_assert_null (nexus_store_get_setting (store, "missing", &error));
  g_assert_no_error (error);
}

static void
test_store_search_indexes (Fixture *fixture, gconstpointer data)
{
  sqlite3      *db = NULL;
  sqlite3_stmt *stmt = NULL;

  make_database (fixture->path);
  g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);

  /* FTS5 over normalized names: a casefolded query finds the lead. */
  g_assert_cmpint (
      sqlite3_prepare_v2 (db,
                          "SELECT l.name FROM leads_fts f JOIN leads l ON l.id = f.rowid"
                          " WHERE leads_fts MATCH 'koshary'",
                          -1, &stmt, NULL),
      ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *)sqlite3_column_text (stmt, 0), ==, "Koshary El Tahrir");
  sqlite3_finalize (stmt);

  /* The R*Tree holds every lead with coordinates; a box around Paris holds
   * exactly the Paris leads. */
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT (SELECT count(*) FROM leads_geo"
                                       "  WHERE min_lat >= 48.8 AND max_lat <= 48.9"
                                       "  AND min_lon >= 2.3 AND max_lon <= 2.4),"
                                       " (SELECT count(*) FROM leads WHERE city = 'Paris'),"
                                       " (SELECT count(*) FROM leads_geo),"
                                       " (SELECT count(*) FROM leads WHERE lat IS NOT NULL)",
                                       -1, &stmt, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, sqlite3_column_int (stmt, 1));
  g_assert_cmpint (sqlite3_column_int (stmt, 0), >, 0);
  g_assert_cmpint (sqlite3_column_int (stmt, 2), ==, sqlite3_column_int (stmt, 3));
  sqlite3_finalize (stmt);

  /* Deleting a lead removes it from both indexes. */
  g_assert_cmpint (
      sqlite3_exec (db, "DELETE FROM leads WHERE name = 'Koshary El Tahrir'", NULL, NULL, NULL), ==,
      SQLITE_OK);
  g_assert_cmpint (
      sqlite3_prepare_v2 (db, "SELECT count(*) FROM leads_fts WHERE leads_fts MATCH 'koshary'", -1,
                          &stmt, NULL),
      ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

static void
test_store_newer_schema (Fixture *fixture, gconstpointer data)
{
  make_database (fixture->path);
  raw_exec (fixture->path, "PRAGMA user_version = 99");

  assert_refused_unchanged (fixture->path, NEXUS_STORE_ERROR_NEWER_SCHEMA);
}

static void
test_store_garbage (Fixture *fixture, gconstpointer data)
{
  g_autofree guint8 *bytes = g_malloc (16384);
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);

  for (guint i = 0; i < 16384; i++)
    bytes[i] = (guint8)g_rand_int_range (rand, 0, 256);
  g_file_set_contents (fixture->path, (const char *)bytes, 16384, NULL);

  assert_refused_unchanged (fixture->path, NEXUS_STORE_ERROR_CORRUPT);
}

static void
test_store_truncated (Fixture *fixture, gconstpointer data)
{
  GStatBuf st;

  make_database (fixture->path);
  g_assert_cmpint (g_stat (fixture->path, &st), ==, 0);
  g_assert_cmpint (st.st_size, >, 8 * 4096);
  g_assert_cmpint (truncate (fixture->path, st.st_size / 2), ==, 0);

  assert_refused_unchanged (fixture->path, NEXUS_STORE_ERROR_CORRUPT);
}

static void
test_store_foreign (Fixture *fixture, gconstpointer data)
{
  raw_exec (fixture->path, "CREATE TABLE photos (id INTEGER PRIMARY KEY, path TEXT);"
                           "INSERT INTO photos (path) VALUES ('/a.jpg');");

  assert_refused_unchanged (fixture->path, NEXUS_STORE_ERROR_CORRUPT);
}

static void
test_store_is_folder (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (GError) error = NULL;

  store = nexus_store_open (fixture->dir, NEXUS_STORE_OPEN_DEFAULT, &error);
  g_assert_null (store);
  g_assert_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_INVALID);
}

static void
test_store_no_create (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (GError) error = NULL;

  store = nexus_store_open (fixture->path, NEXUS_STORE_OPEN_NO_CREATE, &error);
  g_assert_null (store);
  g_assert_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_NOT_FOUND);
  g_assert_false (g_file_test (fixture->path, G_FILE_TEST_EXISTS));
}

static void
read_only_folder_child (gpointer data)
{
  Fixture         *fixture = data;
  g_autofree char *fresh = g_build_filename (fixture->dir, "fresh.db", NULL);
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (GError) error = NULL;

  nexus_test_drop_privileges ();

  /* An existing file in a folder that cannot take the -wal file. */
  assert_refused_unchanged (fixture->path, NEXUS_STORE_ERROR_PERMISSION);

  /* A new file in that folder: refused and nothing created. */
  store = nexus_store_open (fresh, NEXUS_STORE_OPEN_DEFAULT, &error);
  g_assert_null (store);
  g_assert_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_PERMISSION);
  g_assert_nonnull (strstr (error->message, fresh));
  g_assert_false (g_file_test (fresh, G_FILE_TEST_EXISTS));
}

static void
test_store_read_only_folder (Fixture *fixture, gconstpointer data)
{
  make_database (fixture->path);
  g_chmod (fixture->path, 0644);
  g_chmod (fixture->dir, 0555);

  nexus_test_run_in_child (read_only_folder_child, fixture);
}

static void
read_only_file_child (gpointer data)
{
  Fixture *fixture = data;
  nexus_test_drop_privileges ();
  assert_refused_unchanged (fixture->path, NEXUS_STORE_ERROR_PERMISSION);
}

static void
test_store_read_only_file (Fixture *fixture, gconstpointer data)
{
  make_database (fixture->path);
  g_chmod (fixture->path, 0444);

  nexus_test_run_in_child (read_only_file_child, fixture);
}

/* Puts the calling process in a private mount namespace and mounts a tmpfs
 * of @size bytes on @dir.  Returns FALSE where the system does not allow it. */
static gboolean
mount_small_tmpfs (const char *dir, gsize size)
{
  g_autofree char *options = g_strdup_printf ("size=%" G_GSIZE_FORMAT ",mode=0755", size);

  if (unshare (CLONE_NEWNS) != 0)
    {
      /* Without root: a user namespace maps us to root inside it. */
      uid_t            uid = getuid ();
      gid_t            gid = getgid ();
      g_autofree char *uid_map = g_strdup_printf ("0 %u 1", (guint)uid);
      g_autofree char *gid_map = g_strdup_printf ("0 %u 1", (guint)gid);

      if (unshare (CLONE_NEWUSER | CLONE_NEWNS) != 0)
        return FALSE;
      g_file_set_contents ("/proc/self/setgroups", "deny", -1, NULL);
      if (!g_file_set_contents ("/proc/self/uid_map", uid_map, -1, NULL) ||
          !g_file_set_contents ("/proc/self/gid_map", gid_map, -1, NULL))
        return FALSE;
    }
  /* Keep our mounts from propagating to the rest of the system. */
  if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
    return FALSE;
  return mount ("tmpfs", dir, "tmpfs", 0, options) == 0;
}

static gboolean
can_mount_tmpfs (const char *dir)
{
  pid_t pid = fork ();
  int   status = 0;

  if (pid == 0)
    _exit (mount_small_tmpfs (dir, 65536) ? 0 : 1);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  return WIFEXITED (status) && WEXITSTATUS (status) == 0;
}

/* Fills the filesystem holding @dir until a write fails with ENOSPC. */
static void
fill_filesystem (const char *dir)
{
  g_autofree char *filler = g_build_filename (dir, "filler", NULL);
  char             block[4096] = { 0 };
  int              fd = g_open (filler, O_WRONLY | O_CREAT | O_TRUNC, 0600);

  g_assert_cmpint (fd, >=, 0);
  for (;;)
    {
      ssize_t written = write (fd, block, sizeof block);
      if (written < (ssize_t)sizeof block)
        {
          if (written < 0)
            g_assert_cmpint (errno, ==, ENOSPC);
          break;
        }
    }
  /* Fill the last partial block too. */
  while (write (fd, block, 1) == 1)
    ;
  close (fd);
}

static void
disk_full_child (gpointer data)
{
  Fixture         *fixture = data;
  g_autofree char *small = g_build_filename (fixture->dir, "small", NULL);
  g_autofree char *created = g_build_filename (small, "created.db", NULL);
  g_autofree char *existing = g_build_filename (small, "existing.db", NULL);
  g_autofree char *filler = g_build_filename (small, "filler", NULL);
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *big = NULL;
  gsize            length = 0;
  gint64           count = 0;

  /* Prepare a complete database outside, then copy it in. */
  make_database (fixture->path);
  g_assert_true (mount_small_tmpfs (small, 1024 * 1024));
  g_file_get_contents (fixture->path, &contents, &length, &error);
  g_assert_no_error (error);
  g_file_set_contents (existing, contents, length, &error);
  g_assert_no_error (error);

  /* Open it while there is room, then fill the disk and write. */
  store = nexus_store_open (existing, NEXUS_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  nexus_store_checkpoint (store, &error);
  g_assert_no_error (error);
  before = file_checksum (existing);
  fill_filesystem (small);

  /* A write larger than any slack the filesystem may have left. */
  big = g_strnfill (2 * 1024 * 1024, 'x');
  g_assert_false (nexus_store_set_setting (store, "large", big, &error));
  g_assert_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_DISK_FULL);
  g_assert_nonnull (strstr (error->message, existing));
  g_clear_error (&error);
  g_clear_object (&store);

  after = file_checksum (existing);
  g_assert_cmpstr (before, ==, after);

  /* Creating a database on the full disk: refused, nothing left. */
  store = nexus_store_open (created, NEXUS_STORE_OPEN_DEFAULT, &error);
  g_assert_null (store);
  g_assert_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_DISK_FULL);
  g_assert_nonnull (strstr (error->message, created));
  g_assert_false (g_file_test (created, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  /* Once there is room again, the data is all there. */
  g_unlink (filler);
  store = nexus_store_open (existing, NEXUS_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  nexus_store_count_leads (store, &count, &error);
  g_assert_no_error (error);
  g_assert_cmpint (count, >, 20);
}

static void
test_store_disk_full (Fixture *fixture, gconstpointer data)
{
  g_autofree char *small = g_build_filename (fixture->dir, "small", NULL);

  g_assert_cmpint (g_mkdir (small, 0755), ==, 0);

  if (!can_mount_tmpfs (small))
    {
      g_test_skip ("This system allows no private tmpfs mount, so a full disk cannot be made");
      return;
    }

  nexus_test_run_in_child (disk_full_child, fixture);
}

/* Ids of the leads matching @match, in id order. */
static GArray *
fts_ids (const char *path, const char *match)
{
  g_autofree char *sql = g_strdup_printf (
      "SELECT rowid FROM leads_fts WHERE leads_fts MATCH '%s' ORDER BY rowid", match);

  return nexus_test_sql_ids (path, sql);
}

/* New leads reach the full-text index when their transaction commits, in
 * one statement; renamed or deleted before that, they are indexed as they
 * are at the commit (or not at all), and the index stays exact. */
static void
test_store_fts_at_commit (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusStore) store = nexus_store_open (fixture->path, 0, &error);
  g_autoptr (GArray) ids = NULL;
  NexusLeadRow kept = { .name = (char *)"Blue Door", .name_norm = (char *)"blue door" };
  NexusLeadRow gone = { .name = (char *)"Red Door", .name_norm = (char *)"red door" };
  NexusLeadRow later = { .name = (char *)"Green Door", .name_norm = (char *)"green door" };
  sqlite3     *db = NULL;

  g_assert_no_error (error);
  g_assert_true (nexus_store_begin (store, &error));
  g_assert_true (nexus_store_leads_insert (store, &kept, 1, &error));
  g_assert_true (nexus_store_leads_insert (store, &gone, 1, &error));
  g_assert_no_error (error);
  /* Not in the index before the commit: the insert only queued it. */
  g_assert_cmpint (_nexus_store_exec (store,
                                      "UPDATE leads SET name_norm = 'teal door' WHERE"
                                      " name = 'Blue Door'; DELETE FROM leads WHERE"
                                      " name = 'Red Door'",
                                      &error),
                   ==, TRUE);
  g_assert_true (nexus_store_commit (store, &error));
  g_assert_no_error (error);

  ids = fts_ids (fixture->path, "teal");
  g_assert_cmpuint (ids->len, ==, 1);
  g_assert_cmpint (g_array_index (ids, gint64, 0), ==, kept.id);
  g_clear_pointer (&ids, g_array_unref);
  ids = fts_ids (fixture->path, "blue OR red");
  g_assert_cmpuint (ids->len, ==, 0);
  g_clear_pointer (&ids, g_array_unref);

  /* Indexed leads are renamed and deleted in the index at once. */
  g_assert_true (nexus_store_begin (store, &error));
  g_assert_true (nexus_store_leads_insert (store, &later, 1, &error));
  g_assert_true (_nexus_store_exec (store,
                                    "UPDATE leads SET name_norm = 'navy door' WHERE"
                                    " name = 'Blue Door'",
                                    &error));
  g_assert_true (nexus_store_commit (store, &error));
  g_assert_no_error (error);
  ids = fts_ids (fixture->path, "door");
  g_assert_cmpuint (ids->len, ==, 2);
  g_clear_pointer (&ids, g_array_unref);
  ids = fts_ids (fixture->path, "navy");
  g_assert_cmpuint (ids->len, ==, 1);
  g_clear_pointer (&ids, g_array_unref);

  /* A lead another program inserted waits until a store indexes it. */
  g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "INSERT INTO leads (name, name_norm, first_seen_at, last_seen_at,"
                                 " updated_at) VALUES ('Iron Door', 'iron door', 1, 1, 1)",
                                 NULL, NULL, NULL),
                   ==, SQLITE_OK);
  ids = fts_ids (fixture->path, "iron");
  g_assert_cmpuint (ids->len, ==, 0);
  g_clear_pointer (&ids, g_array_unref);
  g_assert_true (nexus_store_index_new_leads (store, &error));
  g_assert_no_error (error);
  ids = fts_ids (fixture->path, "iron");
  g_assert_cmpuint (ids->len, ==, 1);

  /* FTS5's own check of an external-content index against its table. */
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO leads_fts (leads_fts) VALUES ('integrity-check')",
                                 NULL, NULL, NULL),
                   ==, SQLITE_OK);
  sqlite3_close (db);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/nexus/Store/create", test_store_create);
  ADD ("/nexus/Store/pragmas-and-indexes", test_store_pragmas);
  ADD ("/nexus/Store/reopen-and-settings", test_store_reopen);
  ADD ("/nexus/Store/fts-and-rtree", test_store_search_indexes);
  ADD ("/nexus/Store/fts-at-commit", test_store_fts_at_commit);
  ADD ("/nexus/Store/refuses/newer-schema", test_store_newer_schema);
  ADD ("/nexus/Store/refuses/garbage", test_store_garbage);
  ADD ("/nexus/Store/refuses/truncated", test_store_truncated);
  ADD ("/nexus/Store/refuses/foreign-database", test_store_foreign);
  ADD ("/nexus/Store/refuses/folder", test_store_is_folder);
  ADD ("/nexus/Store/refuses/missing-without-create", test_store_no_create);
  ADD ("/nexus/Store/refuses/read-only-folder", test_store_read_only_folder);
  ADD ("/nexus/Store/refuses/read-only-file", test_store_read_only_file);
  ADD ("/nexus/Store/refuses/disk-full", test_store_disk_full);

#undef ADD

  return g_test_run ();
}
