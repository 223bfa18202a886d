/* test-ops.c — backups, restores, retention, preflight and validation
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A refused restore must leave the current database byte-identical: the
 * tests hash it before and after, and look for leftover files.
 */

#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "nexus-engine.h"
#include "ops/nexus-backup.h"
#include "ops/nexus-maintenance.h"
#include "store/nexus-store-ops.h"
#include "store/nexus-store-workers.h"

typedef struct
{
  char *dir;
  char *db;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusStore) store = NULL;

  fixture->dir = g_dir_make_tmp ("nexus-ops-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->db = g_build_filename (fixture->dir, "nexus.db", NULL);
  store = nexus_store_open (fixture->db, NEXUS_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  nexus_store_seed_demo (store, &error);
  g_assert_no_error (error);
  nexus_store_checkpoint (store, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GDir) dir = g_dir_open (fixture->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fixture->dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->db);
}

static char *
path_in (Fixture *fixture, const char *name)
{
  return g_build_filename (fixture->dir, name, NULL);
}

static char *
file_checksum (const char *path)
{
  g_autofree char *contents = NULL;
  gsize            length = 0;

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return g_strdup ("(missing)");
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *)contents, length);
}

static guint
count_files (Fixture *fixture)
{
  g_autoptr (GDir) dir = g_dir_open (fixture->dir, 0, NULL);
  guint n = 0;

  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static void
exec_sql (const char *path, const char *sql)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  if (sqlite3_exec (db, sql, NULL, NULL, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  sqlite3_close (db);
}

/* Writes a ZIP of the given members (NULL-terminated name, data pairs). */
static void
write_zip (const char *path, ...)
{
  struct archive *zip = archive_write_new ();
  const char     *name;
  va_list         args;

  g_assert_cmpint (archive_write_set_format_zip (zip), ==, ARCHIVE_OK);
  g_assert_cmpint (archive_write_open_filename (zip, path), ==, ARCHIVE_OK);
  va_start (args, path);
  while ((name = va_arg (args, const char *)) != NULL)
    {
      GBytes               *bytes = va_arg (args, GBytes *);
      struct archive_entry *entry = archive_entry_new ();
      gsize                 size = 0;
      const void           *data = g_bytes_get_data (bytes, &size);

      archive_entry_set_pathname (entry, name);
      archive_entry_set_size (entry, size);
      archive_entry_set_filetype (entry, AE_IFREG);
      archive_entry_set_perm (entry, 0600);
      g_assert_cmpint (archive_write_header (zip, entry), ==, ARCHIVE_OK);
      g_assert_cmpint (archive_write_data (zip, data, size), ==, (la_ssize_t)size);
      archive_entry_free (entry);
    }
  va_end (args);
  archive_write_close (zip);
  archive_write_free (zip);
}

/* Reads one member of a ZIP. */
static GBytes *
read_member (const char *path, const char *member)
{
  struct archive       *zip = archive_read_new ();
  struct archive_entry *entry;
  GByteArray           *data = g_byte_array_new ();
  char                  buffer[8192];

  archive_read_support_format_zip (zip);
  g_assert_cmpint (archive_read_open_filename (zip, path, 8192), ==, ARCHIVE_OK);
  while (archive_read_next_header (zip, &entry) == ARCHIVE_OK)
    {
      la_ssize_t n;

      if (g_strcmp0 (archive_entry_pathname (entry), member) != 0)
        continue;
      while ((n = archive_read_data (zip, buffer, sizeof buffer)) > 0)
        g_byte_array_append (data, (const guint8 *)buffer, n);
    }
  archive_read_free (zip);
  g_assert_cmpuint (data->len, >, 0);
  return g_byte_array_free_to_bytes (data);
}

static void
make_backup (Fixture *fixture, const char *zip)
{
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (NexusBackupInfo) info = NULL;
  g_autoptr (GError) error = NULL;

  store = nexus_store_open (fixture->db, NEXUS_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  info = nexus_backup_create (store, zip, NEXUS_BACKUP_DEFAULT, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (info);
}

/* The writer of the concurrent backup test: commits audit rows one by one
 * on its own connection and counts them. */
typedef struct
{
  const char *path;
  gint        committed;
  gint        stop;
} Writer;

static gpointer
writer_thread (gpointer data)
{
  Writer *writer = data;
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (GError) error = NULL;

  store = nexus_store_open (writer->path, NEXUS_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  while (!g_atomic_int_get (&writer->stop))
    {
      g_autofree char *id = g_strdup_printf ("%d", g_atomic_int_get (&writer->committed));

      nexus_store_begin (store, &error);
      g_assert_no_error (error);
      nexus_store_audit (store, "test", "write", "row", id, NULL, 1, &error);
      g_assert_no_error (error);
      nexus_store_commit (store, &error);
      g_assert_no_error (error);
      g_atomic_int_inc (&writer->committed);
    }
  return NULL;
}

static gint64
count_audit (const char *path)
{
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (GError) error = NULL;
  gint64 n = -1;

  store = nexus_store_open (path, NEXUS_STORE_OPEN_NO_CREATE, &error);
  g_assert_no_error (error);
  nexus_store_count_rows (store, "audit_log", &n, &error);
  g_assert_no_error (error);
  return n;
}

static void
test_backup_while_writing (Fixture *fixture, gconstpointer data)
{
  g_autofree char *zip = path_in (fixture, "backup.zip");
  g_autofree char *restored = path_in (fixture, "restored.db");
  g_autoptr (NexusRestore) restore = NULL;
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (GPtrArray) checks = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *safety = NULL;
  Writer           writer = { fixture->db, 0, 0 };
  GThread         *thread;
  gint64           before_audit = count_audit (fixture->db);
  gint64           committed_before;
  gint64           committed_after;
  gint64           n;

  thread = g_thread_new ("writer", writer_thread, &writer);
  while (g_atomic_int_get (&writer.committed) < 200)
    g_usleep (1000);

  committed_before = g_atomic_int_get (&writer.committed);
  make_backup (fixture, zip);
  committed_after = g_atomic_int_get (&writer.committed);
  /* Let it write on after the snapshot too. */
  while (g_atomic_int_get (&writer.committed) < committed_after + 50)
    g_usleep (1000);
  g_atomic_int_set (&writer.stop, 1);
  g_thread_join (thread);
  g_test_message ("committed before the backup: %" G_GINT64_FORMAT
                  ", when it ended: %" G_GINT64_FORMAT,
                  committed_before, committed_after);

  restore = nexus_restore_prepare (zip, restored, NULL, &error);
  g_assert_no_error (error);
  nexus_restore_commit (restore, &safety, &error);
  g_assert_no_error (error);
  g_assert_null (safety); /* nothing was there to keep */

  n = count_audit (restored);
  g_assert_cmpint (n - before_audit, >=, committed_before);
  g_assert_cmpint (n - before_audit, <=, committed_after);

  store = nexus_store_open (restored, NEXUS_STORE_OPEN_NO_CREATE, &error);
  g_assert_no_error (error);
  checks = nexus_maintenance_validate (store, NEXUS_VALIDATE_FULL, &error);
  g_assert_no_error (error);
  g_assert_true (nexus_checks_passed (checks));
}

static void
test_backup_refuses_existing (Fixture *fixture, gconstpointer data)
{
  g_autofree char *zip = path_in (fixture, "backup.zip");
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (NexusBackupInfo) info = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  guint            n_files;

  g_file_set_contents (zip, "keep me", -1, &error);
  g_assert_no_error (error);
  store = nexus_store_open (fixture->db, NEXUS_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  n_files = count_files (fixture);

  info = nexus_backup_create (store, zip, NEXUS_BACKUP_DEFAULT, NULL, &error);
  g_assert_error (error, NEXUS_BACKUP_ERROR, NEXUS_BACKUP_ERROR_EXISTS);
  g_assert_null (info);
  g_clear_error (&error);
  g_file_get_contents (zip, &before, NULL, NULL);
  g_assert_cmpstr (before, ==, "keep me");
  g_assert_cmpuint (count_files (fixture), ==, n_files); /* no temporary file left */

  info = nexus_backup_create (store, zip, NEXUS_BACKUP_FORCE, NULL, &error);
  g_assert_no_error (error);
  g_file_get_contents (zip, &after, NULL, NULL);
  g_assert_cmpstr (after, !=, "keep me");
  g_assert_cmpint (info->archive_size, >, 0);
  g_assert_cmpint (info->archive_size, <, info->database_size);
  g_test_message ("database %" G_GINT64_FORMAT " bytes, archive %" G_GINT64_FORMAT " bytes",
                  info->database_size, info->archive_size);
}

/* Tries to restore @zip over the fixture's database, expects @code, and
 * checks that nothing changed. */
static void
assert_restore_refused (Fixture *fixture, const char *zip, int code, const char *message_part)
{
  g_autoptr (NexusRestore) restore = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *before = file_checksum (fixture->db);
  g_autofree char *after = NULL;
  guint            n_files = count_files (fixture);

  restore = nexus_restore_prepare (zip, fixture->db, NULL, &error);
  g_assert_null (restore);
  g_assert_error (error, NEXUS_BACKUP_ERROR, code);
  g_test_message ("%s", error->message);
  if (message_part != NULL)
    g_assert_nonnull (strstr (error->message, message_part));

  after = file_checksum (fixture->db);
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpuint (count_files (fixture), ==, n_files);
}

static void
test_restore_refuses (Fixture *fixture, gconstpointer data)
{
  g_autofree char *good = path_in (fixture, "good.zip");
  g_autofree char *bad = path_in (fixture, "bad.zip");
  g_autofree char *snapshot = path_in (fixture, "snapshot.db");
  g_autoptr (GBytes) manifest = NULL;
  g_autoptr (GBytes) database = NULL;
  g_autoptr (GBytes) altered = NULL;
  g_autoptr (GBytes) hello = g_bytes_new_static ("hello\n", 6);
  g_autoptr (NexusBackupInfo) info = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize            length = 0;

  make_backup (fixture, good);
  manifest = read_member (good, "manifest.json");
  database = read_member (good, "nexus.db");

  /* Truncated: the second half of the archive is gone. */
  g_file_get_contents (good, &contents, &length, &error);
  g_assert_no_error (error);
  g_file_set_contents (bad, contents, length / 2, &error);
  g_assert_no_error (error);
  assert_restore_refused (fixture, bad, NEXUS_BACKUP_ERROR_INVALID, "truncated");

  /* One member altered, repacked so the ZIP itself is sound: only the
   * manifest's SHA-256 tells. */
  {
    gsize   size = 0;
    guint8 *bytes = g_memdup2 (g_bytes_get_data (database, &size), g_bytes_get_size (database));

    bytes[size - 100] ^= 0x5a;
    altered = g_bytes_new_take (bytes, size);
  }
  g_unlink (bad);
  write_zip (bad, "manifest.json", manifest, "nexus.db", altered, NULL);
  assert_restore_refused (fixture, bad, NEXUS_BACKUP_ERROR_CHECKSUM, "SHA-256");

  /* A byte flipped inside the ZIP's compressed data. */
  contents[length / 2] ^= 0x01;
  g_file_set_contents (bad, contents, length, &error);
  g_assert_no_error (error);
  assert_restore_refused (fixture, bad, NEXUS_BACKUP_ERROR_INVALID, NULL);

  /* A foreign ZIP. */
  g_unlink (bad);
  write_zip (bad, "hello.txt", hello, NULL);
  assert_restore_refused (fixture, bad, NEXUS_BACKUP_ERROR_INVALID, NULL);
  g_unlink (bad);
  write_zip (bad, "nexus.db", database, NULL);
  assert_restore_refused (fixture, bad, NEXUS_BACKUP_ERROR_INVALID, "manifest");

  /* A schema newer than the program, with a manifest that matches. */
  g_file_set_contents (snapshot, g_bytes_get_data (database, NULL), g_bytes_get_size (database),
                       &error);
  g_assert_no_error (error);
  exec_sql (snapshot, "PRAGMA user_version = 99");
  g_unlink (bad);
  info = nexus_backup_pack_file (snapshot, bad, NEXUS_BACKUP_DEFAULT, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (info->schema_version, ==, 99);
  g_unlink (snapshot);
  assert_restore_refused (fixture, bad, NEXUS_BACKUP_ERROR_NEWER_SCHEMA, "newer");
  g_clear_pointer (&info, nexus_backup_info_free);

  /* Another program's SQLite database, properly packed. */
  exec_sql (snapshot, "CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('x');");
  g_unlink (bad);
  info = nexus_backup_pack_file (snapshot, bad, NEXUS_BACKUP_DEFAULT, NULL, &error);
  g_assert_no_error (error);
  g_unlink (snapshot);
  assert_restore_refused (fixture, bad, NEXUS_BACKUP_ERROR_INVALID, "another program");

  /* The good one still restores. */
  {
    g_autoptr (NexusRestore) restore = nexus_restore_prepare (good, fixture->db, NULL, &error);
    g_autofree char *safety = NULL;

    g_assert_no_error (error);
    nexus_restore_commit (restore, &safety, &error);
    g_assert_no_error (error);
    g_assert_true (g_file_test (safety, G_FILE_TEST_IS_REGULAR));
  }
}

static void
test_restore_refuses_open_database (Fixture *fixture, gconstpointer data)
{
  g_autofree char *zip = path_in (fixture, "backup.zip");
  g_autoptr (NexusRestore) restore = NULL;
  g_autoptr (NexusStore) engine = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *safety = NULL;
  gint64           leads = 0;

  make_backup (fixture, zip);

  /* Another connection, idle, as an engine between requests. */
  engine = nexus_store_open (fixture->db, NEXUS_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  nexus_store_count_leads (engine, &leads, &error);
  g_assert_no_error (error);
  before = file_checksum (fixture->db);

  restore = nexus_restore_prepare (zip, fixture->db, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (nexus_restore_commit (restore, &safety, &error));
  g_assert_error (error, NEXUS_BACKUP_ERROR, NEXUS_BACKUP_ERROR_BUSY);
  g_clear_error (&error);
  after = file_checksum (fixture->db);
  g_assert_cmpstr (before, ==, after);
  g_assert_null (safety);

  /* Once it is closed the restore goes through and keeps the old file. */
  g_clear_object (&engine);
  g_assert_true (nexus_restore_commit (restore, &safety, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (safety, "nexus.db.before-restore-"));
  g_assert_true (g_file_test (safety, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (count_audit (fixture->db), >=, 0);
}

static NexusCheck *
find_check (GPtrArray *checks, const char *name)
{
  for (guint i = 0; i < checks->len; i++)
    {
      NexusCheck *check = g_ptr_array_index (checks, i);
      if (g_strcmp0 (check->name, name) == 0)
        return check;
    }
  g_assert_not_reached ();
  return NULL;
}

static void
test_validate_and_repair (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (GPtrArray) checks = NULL;
  g_autoptr (GError) error = NULL;

  store = nexus_store_open (fixture->db, NEXUS_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  checks = nexus_maintenance_validate (store, NEXUS_VALIDATE_FULL, &error);
  g_assert_no_error (error);
  g_assert_true (nexus_checks_passed (checks));
  g_clear_pointer (&checks, g_ptr_array_unref);

  exec_sql (
      fixture->db,
      "DROP INDEX leads_city;"
      "INSERT INTO leads_fts (leads_fts) VALUES ('delete-all');"
      "DELETE FROM leads_geo WHERE id IN (SELECT id FROM leads WHERE lat IS NOT NULL LIMIT 3);");

  checks = nexus_maintenance_validate (store, NEXUS_VALIDATE_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_false (nexus_checks_passed (checks));
  g_assert_cmpint (find_check (checks, "integrity")->status, ==, NEXUS_CHECK_PASS);
  g_assert_cmpint (find_check (checks, "schema")->status, ==, NEXUS_CHECK_FAIL);
  g_assert_nonnull (strstr (find_check (checks, "schema")->detail, "index leads_city"));
  g_assert_cmpint (find_check (checks, "fts-index")->status, ==, NEXUS_CHECK_FAIL);
  g_assert_cmpint (find_check (checks, "geo-index")->status, ==, NEXUS_CHECK_FAIL);
  g_assert_nonnull (find_check (checks, "fts-index")->remedy);
  g_clear_pointer (&checks, g_ptr_array_unref);

  checks = nexus_maintenance_validate (store, NEXUS_VALIDATE_REPAIR, &error);
  g_assert_no_error (error);
  g_assert_true (nexus_checks_passed (checks));
  g_assert_nonnull (strstr (find_check (checks, "fts-index")->detail, "repaired"));
  g_clear_pointer (&checks, g_ptr_array_unref);

  /* Repaired for real: a fresh check and a full-text query agree. */
  checks = nexus_maintenance_validate (store, NEXUS_VALIDATE_FULL, &error);
  g_assert_no_error (error);
  g_assert_true (nexus_checks_passed (checks));
  for (guint i = 0; i < checks->len; i++)
    g_assert_cmpint (((NexusCheck *)g_ptr_array_index (checks, i))->status, ==, NEXUS_CHECK_PASS);
}

static void
test_cleanup_retention (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (GError) error = NULL;
  NexusCleanupReport report;
  gint64             now = g_get_real_time () / G_USEC_PER_SEC;
  gint64             left = 0;
  g_autofree char   *sql = NULL;

  /* 2,500 old nonces (three transactions) and 5 fresh; keys, jobs and audit
   * rows either side of their limits. */
  sql = g_strdup_printf (
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2505)"
      " INSERT INTO hmac_replay (worker_id, nonce, seen_at) SELECT 1, 'nonce' || i,"
      " CASE WHEN i <= 2500 THEN %" G_GINT64_FORMAT " ELSE %" G_GINT64_FORMAT " END FROM n;"
      "INSERT INTO idempotency_keys VALUES (1, 'old', 'x', 'done', 200, NULL, %" G_GINT64_FORMAT
      "),"
      " (1, 'new', 'x', 'done', 200, NULL, %" G_GINT64_FORMAT ");"
      "INSERT INTO internal_jobs (status, payload, created_at, updated_at, finished_at) VALUES"
      " ('done', '{}', 0, 0, %" G_GINT64_FORMAT "), ('dead', '{}', 0, 0, %" G_GINT64_FORMAT "),"
      " ('done', '{}', 0, 0, %" G_GINT64_FORMAT "), ('queued', '{}', 0, 0, NULL);"
      "INSERT INTO audit_log (at, actor, action) VALUES (%" G_GINT64_FORMAT ", 't', 'old'),"
      " (%" G_GINT64_FORMAT ", 't', 'new');"
      "INSERT INTO webhook_endpoints (id, url, secret, created_at)"
      " VALUES (1, 'https://example.com/', x'00', 0);"
      /* An old delivered row goes; an old pending one is still owed. */
      "INSERT INTO webhook_deliveries (endpoint_id, event_id, message_id, kind, payload, status,"
      " next_at, created_at, updated_at) VALUES"
      " (1, 1, 'msg_a', 'k', '{}', 'delivered', 0, 0, %" G_GINT64_FORMAT "),"
      " (1, 2, 'msg_b', 'k', '{}', 'pending', 0, 0, %" G_GINT64_FORMAT "),"
      " (1, 3, 'msg_c', 'k', '{}', 'gave_up', 0, 0, %" G_GINT64_FORMAT ");",
      now - 601, now - 10, now - 49 * 3600, now - 47 * 3600, now - 31 * 86400, now - 31 * 86400,
      now - 29 * 86400, now - 366 * 86400, now - 364 * 86400, now - 31 * 86400, now - 31 * 86400,
      now - 29 * 86400);
  exec_sql (fixture->db, sql);

  store = nexus_store_open (fixture->db, NEXUS_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_true (nexus_maintenance_cleanup (store, now, NEXUS_CLEANUP_VACUUM, &report, &error));
  g_assert_no_error (error);

  g_assert_cmpint (report.replay_removed, ==, 2500);
  g_assert_cmpint (report.idempotency_removed, ==, 1);
  g_assert_cmpint (report.jobs_removed, ==, 2);
  g_assert_cmpint (report.audit_removed, ==, 1);
  g_assert_cmpint (report.deliveries_removed, ==, 1);
  /* 3 + 1 + 1 + 1 + 1 + 1 batches (replay, idempotency, jobs, audit,
   * deliveries, worker hours): no transaction removed more than 1,000 rows. */
  g_assert_cmpuint (report.transactions, ==, 8);
  g_assert_true (report.checkpoint_complete);
  g_assert_true (report.vacuumed);

  nexus_store_count_rows (store, "hmac_replay", &left, &error);
  g_assert_no_error (error);
  g_assert_cmpint (left, ==, 5);
  nexus_store_count_rows (store, "internal_jobs", &left, &error);
  g_assert_no_error (error);
  g_assert_cmpint (left, ==, 2);
  nexus_store_count_rows (store, "webhook_deliveries", &left, &error);
  g_assert_no_error (error);
  g_assert_cmpint (left, ==, 2);
}

/* The operator's ages count, within their bounds. */
static void
test_retention_policies (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char   *sql = NULL;
  g_autofree char   *kept = NULL;
  NexusCleanupReport report;
  gint64             now = g_get_real_time () / G_USEC_PER_SEC;
  gint64             left = 0;
  gint64             before = 0;

  sql = g_strdup_printf ("INSERT INTO audit_log (at, actor, action) VALUES"
                         " (%" G_GINT64_FORMAT ", 't', 'a'), (%" G_GINT64_FORMAT ", 't', 'b');",
                         now - 40 * 86400, now - 20 * 86400);
  exec_sql (fixture->db, sql);
  store = nexus_store_open (fixture->db, NEXUS_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);

  g_assert_cmpint (nexus_retention_get_age (store, NEXUS_RETENTION_AUDIT), ==,
                   NEXUS_RETENTION_AUDIT_S);
  /* Below the bounds: refused, and nothing kept. */
  g_assert_false (nexus_retention_set_age (store, NEXUS_RETENTION_AUDIT, 86400, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  kept =
      nexus_store_get_setting (store, nexus_retention_rule (NEXUS_RETENTION_AUDIT)->setting, NULL);
  g_assert_null (kept);

  g_assert_true (nexus_retention_set_age (store, NEXUS_RETENTION_AUDIT, 30 * 86400, &error));
  g_assert_no_error (error);
  g_assert_cmpint (nexus_retention_get_age (store, NEXUS_RETENTION_AUDIT), ==, 30 * 86400);
  nexus_store_count_rows (store, "audit_log", &before, &error);
  g_assert_no_error (error);
  g_assert_true (nexus_maintenance_cleanup (store, now, NEXUS_CLEANUP_DEFAULT, &report, &error));
  g_assert_no_error (error);
  /* The 40-day-old row went, the 20-day-old one (and newer) stayed. */
  g_assert_cmpint (report.audit_removed, ==, 1);
  nexus_store_count_rows (store, "audit_log", &left, &error);
  g_assert_no_error (error);
  g_assert_cmpint (left, ==, before - 1);
}

static void
test_preflight_port (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GSocketListener) listener = g_socket_listener_new ();
  g_autoptr (GPtrArray) checks = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char      *taken = NULL;
  NexusPreflightOptions options = { 0 };
  guint16               port;

  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  taken = g_strdup_printf ("127.0.0.1:%u", port);

  options.db_path = fixture->db;
  options.listen = taken;
  checks = nexus_maintenance_preflight (&options);
  g_assert_false (nexus_checks_passed (checks));
  g_assert_cmpint (find_check (checks, "api-port")->status, ==, NEXUS_CHECK_FAIL);
  g_assert_nonnull (find_check (checks, "api-port")->remedy);
  g_assert_cmpint (find_check (checks, "sqlite")->status, ==, NEXUS_CHECK_PASS);
  g_assert_cmpint (find_check (checks, "clock")->status, ==, NEXUS_CHECK_PASS);
  g_clear_pointer (&checks, g_ptr_array_unref);

  /* Free once the listener is gone; and a huge threshold fails the disk. */
  g_socket_listener_close (listener);
  options.fail_free_bytes = G_MAXUINT64;
  checks = nexus_maintenance_preflight (&options);
  g_assert_cmpint (find_check (checks, "api-port")->status, ==, NEXUS_CHECK_PASS);
  g_assert_cmpint (find_check (checks, "disk-space")->status, ==, NEXUS_CHECK_FAIL);
}

static void
add_test (const char *path, void (*func) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  add_test ("/nexus/Ops/backup-while-writing", test_backup_while_writing);
  add_test ("/nexus/Ops/backup-refuses-existing", test_backup_refuses_existing);
  add_test ("/nexus/Ops/restore-refuses-bad-archives", test_restore_refuses);
  add_test ("/nexus/Ops/restore-refuses-open-database", test_restore_refuses_open_database);
  add_test ("/nexus/Ops/validate-detects-and-repairs", test_validate_and_repair);
  add_test ("/nexus/Ops/cleanup-retention", test_cleanup_retention);
  add_test ("/nexus/Ops/retention-policies", test_retention_policies);
  add_test ("/nexus/Ops/preflight-taken-port", test_preflight_port);

  return g_test_run ();
}
