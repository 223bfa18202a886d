/* test-console-program.c — the nexus program with the Settings page's choices
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs the built console as a user would, under the test display and
 * session bus, with its settings in a key file: the worker API comes up on
 * the address and with the TLS choice of the Settings page, and
 * app.restart (activated over D-Bus, as the page's Restart button does)
 * starts the same process again with the new settings.
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include <libsoup/soup.h>

#include "nexus-test-util.h"

#define WAIT_SECONDS 30

typedef struct
{
  char *dir;
  char *db;
  char *keyfile;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autofree char *settings_dir = NULL;

  f->dir = nexus_test_make_dir ("console");
  f->db = g_build_filename (f->dir, "vault.db", NULL);
  settings_dir = g_build_filename (f->dir, "config", "glib-2.0", "settings", NULL);
  g_assert_cmpint (g_mkdir_with_parents (settings_dir, 0700), ==, 0);
  f->keyfile = g_build_filename (settings_dir, "keyfile", NULL);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  nexus_test_remove_dir (f->dir);
  g_free (f->dir);
  g_free (f->db);
  g_free (f->keyfile);
}

static guint16
free_port (void)
{
  g_autoptr (GSocket) socket =
      g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, any, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static void
write_settings (Fixture *f, guint16 port, gboolean tls)
{
  g_autofree char *text = g_strdup_printf ("[io/nexus/Nexus]\n"
                                           "api-listen='127.0.0.1:%u'\n"
                                           "api-tls=%s\n",
                                           port, tls ? "true" : "false");

  g_assert_true (g_file_set_contents (f->keyfile, text, -1, NULL));
}

static GSubprocess *
start_console (Fixture *f)
{
  g_autoptr (GSubprocessLauncher) launcher =
      g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autofree char *path = nexus_test_program_path ("nexus");
  g_autofree char *config = g_build_filename (f->dir, "config", NULL);
  g_autoptr (GError) error = NULL;
  GSubprocess *console;

  g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "keyfile", TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config, TRUE);
  console = g_subprocess_launcher_spawn (launcher, &error, path, "--db", f->db, NULL);
  g_assert_no_error (error);
  return console;
}

static gboolean
accept_any_certificate_cb (SoupMessage         *msg,
                           GTlsCertificate     *certificate,
                           GTlsCertificateFlags errors,
                           gpointer             user_data)
{
  *(gboolean *)user_data = TRUE;
  return TRUE;
}

/* The status of GET /healthz, or 0 when nothing answers; @out_tls tells
 * whether a certificate was offered. */
static guint
get_healthz (const char *scheme, guint16 port, gboolean *out_tls)
{
  g_autoptr (SoupSession) session = soup_session_new_with_options ("timeout", 5, NULL);
  g_autofree char *url = g_strdup_printf ("%s://127.0.0.1:%u/healthz", scheme, port);
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr (GBytes) body = NULL;
  gboolean offered = FALSE;

  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_any_certificate_cb), &offered);
  body = soup_session_send_and_read (session, msg, NULL, NULL);
  if (out_tls != NULL)
    *out_tls = offered;
  return body != NULL ? soup_message_get_status (msg) : 0;
}

static guint
wait_for_healthz (const char *scheme, guint16 port, gboolean *out_tls)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;
  guint  status = 0;

  while ((status = get_healthz (scheme, port, out_tls)) != 200 &&
         g_get_monotonic_time () < deadline)
    g_usleep (100 * 1000);
  return status;
}

static void
stop_console (GSubprocess *console)
{
  g_subprocess_send_signal (console, SIGTERM);
  g_subprocess_wait (console, NULL, NULL);
}

/* The address and TLS choice of the Settings page are what the console
 * serves on; plain HTTP is not answered on a TLS port. */
static void
test_api_from_settings (Fixture *f, gconstpointer data)
{
  guint16 port = free_port ();
  g_autoptr (GSubprocess) console = NULL;
  gboolean tls = FALSE;

  write_settings (f, port, TRUE);
  console = start_console (f);

  g_assert_cmpuint (wait_for_healthz ("https", port, &tls), ==, 200);
  g_assert_true (tls);
  g_assert_cmpuint (get_healthz ("http", port, NULL), !=, 200);

  /* The certificate was made beside the vault. */
  {
    g_autofree char *pem = g_strconcat (f->db, ".tls.pem", NULL);

    g_assert_true (g_file_test (pem, G_FILE_TEST_IS_REGULAR));
  }

  stop_console (console);
}

/* app.restart over D-Bus: the same process (an exec keeps its id) comes
 * back with the settings changed meanwhile — here, a new port without TLS. */
static void
test_restart (Fixture *f, gconstpointer data)
{
  guint16 first_port = free_port ();
  guint16 second_port;
  g_autoptr (GSubprocess) console = NULL;
  g_autoptr (GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *object_path = g_strdup_printf ("/%s", APP_ID);
  gboolean         tls = TRUE;

  g_assert_nonnull (bus);
  write_settings (f, first_port, FALSE);
  console = start_console (f);
  g_assert_cmpuint (wait_for_healthz ("http", first_port, NULL), ==, 200);

  second_port = free_port ();
  g_assert_cmpuint (second_port, !=, first_port);
  write_settings (f, second_port, FALSE);

  g_strdelimit (object_path, ".", '/');
  reply = g_dbus_connection_call_sync (bus, APP_ID, object_path, "org.gtk.Actions", "Activate",
                                       g_variant_new ("(sava{sv})", "restart", NULL, NULL), NULL,
                                       G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (wait_for_healthz ("http", second_port, &tls), ==, 200);
  g_assert_false (tls);
  g_assert_cmpuint (get_healthz ("http", first_port, NULL), ==, 0);

  /* Still the process that was started: it replaced itself. */
  g_assert_nonnull (g_subprocess_get_identifier (console));

  stop_console (console);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/console-program/api-from-settings", Fixture, NULL, fixture_set_up,
              test_api_from_settings, fixture_tear_down);
  g_test_add ("/console-program/restart", Fixture, NULL, fixture_set_up, test_restart,
              fixture_tear_down);

  return g_test_run ();
}
