/* test-ctl-ops.c — nexusctl backup, restore, cleanup, preflight, validate
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs the built nexusctl as an operator's script would, with standard
 * input a pipe (never a terminal), on a vault made with the engine.
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>
#include <string.h>

#include "nexus-engine.h"
#include "../nexus-test-util.h"

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

  fixture->dir = nexus_test_make_dir ("ctl-ops");
  fixture->db = g_build_filename (fixture->dir, "vault.db", NULL);
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
  nexus_test_remove_dir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->db);
}

/* Runs nexusctl --db DB ARGS… with standard input a pipe. */
static int
ctl (Fixture *fixture, char **out_stdout, char **out_stderr, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  NexusTestRun options = { .xdg_data_home = fixture->dir, .stdin_text = "y\n" };
  va_list      args;

  g_ptr_array_add (argv, g_strdup ("nexusctl"));
  g_ptr_array_add (argv, g_strdup ("--db"));
  g_ptr_array_add (argv, g_strdup (fixture->db));
  va_start (args, out_stderr);
  nexus_test_collect_args (argv, args);
  va_end (args);
  return nexus_test_runv (&options, out_stdout, out_stderr, argv);
}

static void
exec_sql (const char *path, const char *sql)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  sqlite3_close (db);
}

static JsonObject *
parse_object (JsonParser *parser, const char *text)
{
  g_autoptr (GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (parser));
}

static const char *
check_status (JsonObject *root, const char *name)
{
  JsonArray *checks = json_object_get_array_member (root, "checks");

  for (guint i = 0; i < json_array_get_length (checks); i++)
    {
      JsonObject *check = json_array_get_object_element (checks, i);
      if (g_strcmp0 (json_object_get_string_member (check, "name"), name) == 0)
        return json_object_get_string_member (check, "status");
    }
  return NULL;
}

static void
test_backup_and_restore (Fixture *fixture, gconstpointer data)
{
  g_autofree char *zip = g_build_filename (fixture->dir, "backup.zip", NULL);
  g_autofree char *cut = g_build_filename (fixture->dir, "cut.zip", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;
  gsize length = 0;

  g_assert_cmpint (ctl (fixture, &out, &err, "backup", zip, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "leads"));
  g_assert_true (g_file_test (zip, G_FILE_TEST_IS_REGULAR));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* No silent overwrite. */
  g_assert_cmpint (ctl (fixture, &out, &err, "backup", zip, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "--force"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (ctl (fixture, &out, &err, "backup", "--force", zip, NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Without --yes and without a terminal: shows, refuses, changes nothing. */
  before = nexus_test_file_sha256 (fixture->db);
  g_assert_cmpint (ctl (fixture, &out, &err, "restore", zip, NULL), ==, 2);
  g_assert_nonnull (strstr (out, "Schema version"));
  g_assert_nonnull (strstr (err, "use --yes"));
  after = nexus_test_file_sha256 (fixture->db);
  g_assert_cmpstr (before, ==, after);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&after, g_free);

  /* A truncated archive is refused with a message, even with --yes. */
  g_file_get_contents (zip, &contents, &length, &error);
  g_assert_no_error (error);
  g_file_set_contents (cut, contents, length - 200, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ctl (fixture, &out, &err, "restore", "--yes", cut, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "Nothing was changed"));
  after = nexus_test_file_sha256 (fixture->db);
  g_assert_cmpstr (before, ==, after);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (ctl (fixture, &out, &err, "restore", "--yes", zip, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "vault.db.before-restore-"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (ctl (fixture, &out, &err, "validate", NULL), ==, 0);
}

static void
test_validate_repair (Fixture *fixture, gconstpointer data)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  JsonObject      *root;

  exec_sql (fixture->db,
            "DROP INDEX leads_status; INSERT INTO leads_fts (leads_fts) VALUES ('delete-all');");

  g_assert_cmpint (ctl (fixture, &out, &err, "validate", NULL), ==, 1);
  g_assert_nonnull (strstr (out, "index leads_status"));
  g_assert_nonnull (strstr (out, "--repair"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (ctl (fixture, &out, &err, "validate", "--json", NULL), ==, 1);
  root = parse_object (parser, out);
  g_assert_false (json_object_get_boolean_member (root, "ok"));
  g_assert_cmpstr (check_status (root, "schema"), ==, "fail");
  g_assert_cmpstr (check_status (root, "fts-index"), ==, "fail");
  g_assert_cmpstr (check_status (root, "integrity"), ==, "pass");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (ctl (fixture, &out, &err, "validate", "--repair", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "repaired"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (ctl (fixture, &out, &err, "validate", "--full", "--json", NULL), ==, 0);
  root = parse_object (parser, out);
  g_assert_true (json_object_get_boolean_member (root, "ok"));
}

static void
test_preflight_taken_port (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GSocketListener) listener = g_socket_listener_new ();
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *listen = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  JsonObject      *root;
  guint16          port;

  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  listen = g_strdup_printf ("127.0.0.1:%u", port);

  g_assert_cmpint (ctl (fixture, &out, &err, "preflight", "--json", "--listen", listen, NULL), ==,
                   1);
  root = parse_object (parser, out);
  g_assert_false (json_object_get_boolean_member (root, "ok"));
  g_assert_cmpstr (check_status (root, "api-port"), ==, "fail");
  g_assert_cmpstr (check_status (root, "sqlite"), ==, "pass");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Text output names the failing check and its remedy. */
  g_assert_cmpint (ctl (fixture, &out, &err, "preflight", "--listen", listen, NULL), ==, 1);
  g_assert_nonnull (strstr (out, "api-port"));
  g_assert_nonnull (strstr (out, "--listen"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_socket_listener_close (listener);
  g_assert_cmpint (ctl (fixture, &out, &err, "preflight", "--listen", listen, NULL), ==, 0);
}

static void
test_cleanup (Fixture *fixture, gconstpointer data)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  JsonObject      *root;

  exec_sql (fixture->db,
            "INSERT INTO hmac_replay (worker_id, nonce, seen_at) VALUES (1, 'a', 1), (1, 'b', 2);"
            "INSERT INTO audit_log (at, actor, action) VALUES (1, 't', 'old');");

  g_assert_cmpint (ctl (fixture, &out, &err, "cleanup", "--json", NULL), ==, 0);
  root = json_object_get_object_member (parse_object (parser, out), "removed");
  g_assert_cmpint (json_object_get_int_member (root, "hmac_replay"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (root, "audit_log"), ==, 1);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (ctl (fixture, &out, &err, "cleanup", "--vacuum", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "hmac_replay"));
  g_assert_nonnull (strstr (out, "VACUUM:          done"));
}

static char *
get_setting (Fixture *fixture, const char *key)
{
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (GError) error = NULL;

  store = nexus_store_open (fixture->db, NEXUS_STORE_OPEN_NO_CREATE, &error);
  g_assert_no_error (error);
  return nexus_store_get_setting (store, key, NULL);
}

static void
test_backup_schedule (Fixture *fixture, gconstpointer data)
{
  g_autofree char *folder = g_build_filename (fixture->dir, "backups", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *before = nexus_test_file_sha256 (fixture->db);
  g_autofree char *value = NULL;

  /* Bad schedules change nothing. */
  g_assert_cmpint (ctl (fixture, &out, &err, "backup", "--every", "10s", "--folder", folder, NULL),
                   ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (ctl (fixture, &out, &err, "backup", "--every", "6h", NULL), ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (ctl (fixture, &out, &err, "backup", "--keep", "3", "x.zip", NULL), ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  {
    g_autofree char *after = nexus_test_file_sha256 (fixture->db);
    g_assert_cmpstr (before, ==, after);
  }

  /* A schedule is settings the engine reads at its next minute. */
  g_assert_cmpint (
      ctl (fixture, &out, &err, "backup", "--every", "6h", "--folder", folder, "--keep", "3", NULL),
      ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  value = get_setting (fixture, "backup.every_s");
  g_assert_cmpstr (value, ==, "21600");
  g_clear_pointer (&value, g_free);
  value = get_setting (fixture, "backup.keep");
  g_assert_cmpstr (value, ==, "3");
  g_clear_pointer (&value, g_free);
  value = get_setting (fixture, "backup.folder");
  g_assert_cmpstr (value, ==, folder);
  g_clear_pointer (&value, g_free);

  g_assert_cmpint (ctl (fixture, &out, &err, "backup", "--no-schedule", NULL), ==, 0);
  value = get_setting (fixture, "backup.every_s");
  g_assert_null (value);
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

  add_test ("/nexus/Ctl/ops/backup-and-restore", test_backup_and_restore);
  add_test ("/nexus/Ctl/ops/validate-repair", test_validate_repair);
  add_test ("/nexus/Ctl/ops/preflight-taken-port", test_preflight_taken_port);
  add_test ("/nexus/Ctl/ops/cleanup", test_cleanup);
  add_test ("/nexus/Ctl/ops/backup-schedule", test_backup_schedule);

  return g_test_run ();
}
