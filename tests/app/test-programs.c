/* test-programs.c — the command-line face of the four programs
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs the built binaries as a user or a script would: --help, --version,
 * exit statuses, nexusctl status, and nexus-server's health endpoint and
 * clean shutdown on SIGTERM and SIGINT.
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <signal.h>

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

  fixture->dir = nexus_test_make_dir ("programs");
  fixture->db = g_build_filename (fixture->dir, "vault.db", NULL);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  nexus_test_remove_dir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->db);
}

/* Runs PROGRAM ARGS… with XDG_DATA_HOME inside the fixture, so no default
 * database outside it is ever touched. */
static int
run (Fixture *fixture, char **out_stdout, char **out_stderr, const char *program, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  NexusTestRun options = { .xdg_data_home = fixture->dir };
  va_list      args;

  g_ptr_array_add (argv, g_strdup (program));
  va_start (args, program);
  nexus_test_collect_args (argv, args);
  va_end (args);
  return nexus_test_runv (&options, out_stdout, out_stderr, argv);
}

/* Runs nexus-server on the fixture's database until it listens, then stops
 * it: the file then exists with the current schema. */
static void
start_and_stop_server (Fixture *fixture, gboolean demo)
{
  g_autoptr (GSubprocess) server = NULL;
  g_autoptr (GDataInputStream) lines = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *path = nexus_test_program_path ("nexus-server");
  g_autofree char *line = NULL;

  server = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, path, "--db", fixture->db,
                             "--listen", "127.0.0.1:0", demo ? "--demo" : NULL, NULL);
  g_assert_no_error (error);
  /* The first line comes once the database is open (and filled). */
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (line, "listening"));
  g_subprocess_send_signal (server, SIGTERM);
  g_subprocess_wait_check (server, NULL, &error);
  g_assert_no_error (error);
}

static void
test_help_and_version (Fixture *fixture, gconstpointer data)
{
  static const char *const programs[] = { "nexus-server", "nexus-worker", "nexusctl" };

  for (guint i = 0; i < G_N_ELEMENTS (programs); i++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      g_autofree char *expected = g_strdup_printf ("%s %s\n", programs[i], PACKAGE_VERSION);

      g_assert_cmpint (run (fixture, &out, &err, programs[i], "--help", NULL), ==, 0);
      g_assert_nonnull (strstr (out, "Usage:"));
      g_clear_pointer (&out, g_free);
      g_clear_pointer (&err, g_free);

      g_assert_cmpint (run (fixture, &out, &err, programs[i], "--version", NULL), ==, 0);
      g_assert_cmpstr (out, ==, expected);
      g_clear_pointer (&out, g_free);
      g_clear_pointer (&err, g_free);

      /* Usage errors exit with 2 and say why. */
      g_assert_cmpint (run (fixture, &out, &err, programs[i], "--no-such-option", NULL), ==, 2);
      g_assert_nonnull (strstr (err, "--no-such-option"));
    }
}

static void
test_ctl_status (Fixture *fixture, gconstpointer data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonObject *root;
  JsonObject *tables;

  /* No database yet: a clear failure, and none is created. */
  g_assert_cmpint (run (fixture, &out, &err, "nexusctl", "--db", fixture->db, "status", NULL), ==,
                   1);
  g_assert_nonnull (strstr (err, fixture->db));
  g_assert_false (g_file_test (fixture->db, G_FILE_TEST_EXISTS));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* The server creates it (with demo data only when asked). */
  g_assert_cmpint (run (fixture, &out, &err, "nexus-server", "--db", fixture->db, "--demo",
                        "--listen", "bad-address", NULL),
                   ==, 2);
  g_assert_false (g_file_test (fixture->db, G_FILE_TEST_EXISTS));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  start_and_stop_server (fixture, TRUE);

  g_assert_cmpint (
      run (fixture, &out, &err, "nexusctl", "--db", fixture->db, "status", "--json", NULL), ==, 0);
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpint (json_object_get_int_member (root, "schema_version"), ==,
                   json_object_get_int_member (root, "program_schema_version"));
  g_assert_cmpstr (json_object_get_string_member (root, "database"), ==, fixture->db);
  tables = json_object_get_object_member (root, "tables");
  g_assert_cmpint (json_object_get_int_member (tables, "leads"), >, 20);
  g_assert_cmpint (json_object_get_int_member (tables, "agents"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (tables, "internal_jobs"), ==, 0);
  g_assert_true (json_object_has_member (tables, "audit_log"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* The command's options may also come after it; unknown ones are usage errors. */
  g_assert_cmpint (run (fixture, &out, &err, "nexusctl", "status", "--db", fixture->db, NULL), ==,
                   0);
  g_assert_nonnull (strstr (out, "leads"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (
      run (fixture, &out, &err, "nexusctl", "--db", fixture->db, "status", "--frobnicate", NULL),
      ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (fixture, &out, &err, "nexusctl", "--db", fixture->db, "launch", NULL), ==,
                   2);
  g_assert_nonnull (strstr (err, "launch"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (fixture, &out, &err, "nexusctl", NULL), ==, 2);
}

static void
test_ctl_refuses_newer (Fixture *fixture, gconstpointer data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gsize            length = 0;

  g_assert_cmpint (
      run (fixture, &out, &err, "nexus-server", "--db", fixture->db, "--version", NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* A garbage file is refused with a message naming it, and kept as it was. */
  g_file_set_contents (fixture->db, "garbage garbage garbage garbage garbage garbage", -1, NULL);
  g_file_get_contents (fixture->db, &before, &length, NULL);
  g_assert_cmpint (run (fixture, &out, &err, "nexusctl", "--db", fixture->db, "status", NULL), ==,
                   1);
  g_assert_nonnull (strstr (err, fixture->db));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (fixture, &out, &err, "nexus-server", "--db", fixture->db, "--listen",
                        "127.0.0.1:0", NULL),
                   ==, 1);
  g_assert_nonnull (strstr (err, fixture->db));
  g_file_get_contents (fixture->db, &after, &length, NULL);
  g_assert_cmpstr (before, ==, after);
}

static void
check_server_stops_on (Fixture *fixture, int signal_number)
{
  g_autoptr (GSubprocess) server = NULL;
  g_autoptr (GDataInputStream) lines = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autoptr (SoupMessage) msg = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autofree char *path = nexus_test_program_path ("nexus-server");
  g_autofree char *line = NULL;
  g_autofree char *url = NULL;
  g_autofree char *rest = NULL;
  const char      *port_text;
  guint64          port = 0;

  server = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, path, "--db", fixture->db,
                             "--listen", "127.0.0.1:0", NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));

  /* "nexus-server: listening on 127.0.0.1:0 (port N), database …" */
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  port_text = strstr (line, "(port ");
  g_assert_nonnull (port_text);
  port = g_ascii_strtoull (port_text + 6, NULL, 10);
  g_assert_cmpuint (port, >, 0);

  url = g_strdup_printf ("http://127.0.0.1:%u/healthz", (guint)port);
  msg = soup_message_new ("GET", url);
  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (soup_message_get_status (msg), ==, 200);
  g_assert_cmpmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body), "ok", 2);

  g_subprocess_send_signal (server, signal_number);
  g_subprocess_wait (server, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (server));
  g_assert_cmpint (g_subprocess_get_exit_status (server), ==, 0);

  rest = g_data_input_stream_read_upto (lines, "", 0, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (rest, "stopped cleanly"));

  /* The WAL was checkpointed: the database file alone is complete. */
  {
    g_autofree char *wal = g_strconcat (fixture->db, "-wal", NULL);
    GStatBuf         st;
    if (g_stat (wal, &st) == 0)
      g_assert_cmpint (st.st_size, ==, 0);
  }
}

static void
test_server_sigterm (Fixture *fixture, gconstpointer data)
{
  check_server_stops_on (fixture, SIGTERM);
}

static void
test_server_sigint (Fixture *fixture, gconstpointer data)
{
  check_server_stops_on (fixture, SIGINT);
}

static void
test_worker_connection (Fixture *fixture, gconstpointer data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char      *secret = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA";
  g_autofree char *good = g_strdup_printf ("nexus://127.0.0.1:8787/?worker=w1&secret=%s", secret);
  g_autofree char *bad = g_strdup_printf ("nexus://127.0.0.1/?worker=w1&secret=%s", secret);

  g_assert_cmpint (run (fixture, &out, &err, "nexus-worker", NULL), ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run (fixture, &out, &err, "nexus-worker", "--connect", bad, NULL), ==, 2);
  g_assert_null (strstr (err, secret));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* A valid string with no engine behind it: the worker keeps retrying
   * (with backoff) until told to stop, then exits cleanly; its log never
   * shows the secret. */
  {
    g_autoptr (GSubprocess) worker = NULL;
    g_autoptr (GError) error = NULL;
    g_autofree char *path = nexus_test_program_path ("nexus-worker");
    g_autofree char *unreachable =
        g_strdup_printf ("nexus://127.0.0.1:9/?worker=w1&secret=%s", secret);

    worker = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error, path, "--connect", unreachable, "-v", NULL);
    g_assert_no_error (error);
    g_usleep (1500000);
    g_subprocess_send_signal (worker, SIGTERM);
    g_subprocess_communicate_utf8 (worker, NULL, NULL, &out, &err, &error);
    g_assert_no_error (error);
    g_assert_true (g_subprocess_get_if_exited (worker));
    g_assert_cmpint (g_subprocess_get_exit_status (worker), ==, 0);
    g_assert_null (strstr (err, secret));
    g_assert_null (strstr (out, secret));
  }
}

static void
test_ctl_worker (Fixture *fixture, gconstpointer data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *worker_id = NULL;
  g_autofree char *connection = NULL;
  g_autofree char *secret = NULL;
  JsonObject      *root;
  JsonArray       *workers;

  start_and_stop_server (fixture, FALSE);

  g_assert_cmpint (run (fixture, &out, &err, "nexusctl", "--db", fixture->db, "worker", "add",
                        "Riyadh VPS", "--json", NULL),
                   ==, 0);
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  connection = g_strdup (json_object_get_string_member (root, "connection"));
  worker_id = g_strdup (
      json_object_get_string_member (json_object_get_object_member (root, "worker"), "id"));
  /* The engine recorded where it listened; the string points there. */
  g_assert_true (g_str_has_prefix (connection, "nexus://127.0.0.1:"));
  g_assert_nonnull (strstr (connection, worker_id));
  secret = g_strdup (strstr (connection, "secret=") + 7);
  g_assert_cmpuint (strlen (secret), >=, 43);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Listing never shows the secret. */
  g_assert_cmpint (
      run (fixture, &out, &err, "nexusctl", "--db", fixture->db, "worker", "list", "--json", NULL),
      ==, 0);
  g_assert_null (strstr (out, secret));
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  workers = json_node_get_array (json_parser_get_root (parser));
  /* The engine's own synthetic monitor is listed too: it is a credential. */
  g_assert_cmpuint (json_array_get_length (workers), ==, 2);
  {
    gboolean found = FALSE;

    for (guint i = 0; i < json_array_get_length (workers); i++)
      {
        JsonObject *worker = json_array_get_object_element (workers, i);
        const char *name = json_object_get_string_member (worker, "name");

        g_assert_true (g_str_equal (name, "Riyadh VPS") || g_str_equal (name, "synthetic monitor"));
        found |= g_str_equal (name, "Riyadh VPS") &&
                 g_str_equal (json_object_get_string_member (worker, "id"), worker_id);
      }
    g_assert_true (found);
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Rotation prints a new string for the same worker. */
  g_assert_cmpint (run (fixture, &out, &err, "nexusctl", "--db", fixture->db, "worker", "rotate",
                        worker_id, "--grace", "1h", NULL),
                   ==, 0);
  g_assert_nonnull (strstr (out, worker_id));
  g_assert_null (strstr (out, secret));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (fixture, &out, &err, "nexusctl", "--db", fixture->db, "worker", "rotate",
                        worker_id, "--grace", "soon", NULL),
                   ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Revocation, then the list says so. */
  g_assert_cmpint (run (fixture, &out, &err, "nexusctl", "--db", fixture->db, "worker", "revoke",
                        worker_id, NULL),
                   ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (
      run (fixture, &out, &err, "nexusctl", "--db", fixture->db, "worker", "list", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "revoked"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Bad input: no name, unknown worker, unknown sub-command. */
  g_assert_cmpint (
      run (fixture, &out, &err, "nexusctl", "--db", fixture->db, "worker", "add", NULL), ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (
      run (fixture, &out, &err, "nexusctl", "--db", fixture->db, "worker", "add", "   ", NULL), ==,
      2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (fixture, &out, &err, "nexusctl", "--db", fixture->db, "worker", "revoke",
                        "wNOSUCH", NULL),
                   ==, 1);
  g_assert_nonnull (strstr (err, "wNOSUCH"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (
      run (fixture, &out, &err, "nexusctl", "--db", fixture->db, "worker", "fire", NULL), ==, 2);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/nexus/Programs/help-version-usage", test_help_and_version);
  ADD ("/nexus/Programs/nexusctl-status", test_ctl_status);
  ADD ("/nexus/Programs/refused-database", test_ctl_refuses_newer);
  ADD ("/nexus/Programs/server-sigterm", test_server_sigterm);
  ADD ("/nexus/Programs/server-sigint", test_server_sigint);
  ADD ("/nexus/Programs/worker-connection-string", test_worker_connection);
  ADD ("/nexus/Programs/nexusctl-worker", test_ctl_worker);

#undef ADD

  return g_test_run ();
}
