/* nexus-test-util.h — what the test programs share
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A temporary folder per test, running the built programs as a user or a
 * script would, and file hashes for "changed nothing" checks.  Header-only:
 * each test program is its own executable.
 */
#pragma once

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/wait.h>
#include <unistd.h>

G_BEGIN_DECLS

/* A fresh folder "nexus-NAME-XXXXXX" in the temporary directory. */
static inline char *
nexus_test_make_dir (const char *name)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *pattern = g_strdup_printf ("nexus-%s-XXXXXX", name);
  char            *dir = g_dir_make_tmp (pattern, &error);

  g_assert_no_error (error);
  return dir;
}

/* Removes @dir and everything below it. */
static inline void
nexus_test_remove_dir (const char *dir)
{
  g_autoptr (GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  g_chmod (dir, 0755);
  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *child = g_build_filename (dir, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        nexus_test_remove_dir (child);
      else
        g_unlink (child);
    }
  g_rmdir (dir);
}

/* The built program @name (nexusctl, nexus-server, …) of this build tree. */
static inline char *
nexus_test_program_path (const char *name)
{
  const char *build = g_getenv ("NEXUS_BUILD_DIR");

  g_assert_nonnull (build);
  return g_build_filename (build, "app", name, NULL);
}

/* SHA-256 of a file's bytes, or "(missing)". */
static inline char *
nexus_test_file_sha256 (const char *path)
{
  g_autofree char *contents = NULL;
  gsize            length = 0;

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return g_strdup ("(missing)");
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *)contents, length);
}

/* How to run a program: its environment and standard input. */
typedef struct
{
  const char *xdg_data_home; /* so no database outside the test is touched */
  const char *env_name;      /* one more variable, or NULL */
  const char *env_value;
  const char *stdin_text; /* NULL: no standard input */
} NexusTestRun;

/* Runs @argv (argv[0] a program name of this build, see
 * nexus_test_program_path()) and returns its exit status; its output goes
 * to @out_stdout and @out_stderr when not NULL. */
static inline int
nexus_test_runv (const NexusTestRun *options, char **out_stdout, char **out_stderr, GPtrArray *argv)
{
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *program = nexus_test_program_path (g_ptr_array_index (argv, 0));

  /* A program that exits before reading its standard input closes the
   * pipe: the write must fail (GSubprocess then ignores it), not kill the
   * test with SIGPIPE. */
  signal (SIGPIPE, SIG_IGN);

  g_free (g_ptr_array_index (argv, 0));
  argv->pdata[0] = g_steal_pointer (&program);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (
      (options->stdin_text != NULL ? G_SUBPROCESS_FLAGS_STDIN_PIPE : G_SUBPROCESS_FLAGS_NONE) |
      G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  if (options->xdg_data_home != NULL)
    g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", options->xdg_data_home, TRUE);
  if (options->env_name != NULL)
    g_subprocess_launcher_setenv (launcher, options->env_name, options->env_value, TRUE);
  process = g_subprocess_launcher_spawnv (launcher, (const char *const *)argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, options->stdin_text, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  if (out_stdout != NULL)
    *out_stdout = g_steal_pointer (&out);
  if (out_stderr != NULL)
    *out_stderr = g_steal_pointer (&err);
  return g_subprocess_get_exit_status (process);
}

/* Appends the NULL-terminated strings of @args to @argv. */
static inline void
nexus_test_collect_args (GPtrArray *argv, va_list args)
{
  const char *arg;

  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, g_strdup (arg));
}

/* The user a test becomes to have file modes enforced ("nobody"). */
#define NEXUS_TEST_UNPRIVILEGED_UID 65534

/* Runs @func in a forked child (which may give up root or change its mount
 * namespace without affecting this process) and fails unless it succeeds. */
static inline void
nexus_test_run_in_child (void (*func) (gpointer data), gpointer data)
{
  pid_t pid;
  int   status = 0;

  fflush (stdout);
  fflush (stderr);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      func (data);
      _exit (0);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
}

/* In a child: give up root, so that file modes are enforced. */
static inline void
nexus_test_drop_privileges (void)
{
  if (geteuid () == 0)
    {
      g_assert_cmpint (setgid (NEXUS_TEST_UNPRIVILEGED_UID), ==, 0);
      g_assert_cmpint (setuid (NEXUS_TEST_UNPRIVILEGED_UID), ==, 0);
    }
  g_assert_cmpint (geteuid (), !=, 0);
}

G_END_DECLS
