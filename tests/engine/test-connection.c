/* test-connection.c — worker connection strings
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "api/nexus-connection.h"

#define SECRET "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA"
#define FINGERPRINT                                                                               \
  "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:" \
  "89"

static void
test_connection_parse (void)
{
  g_autoptr (NexusConnection) plain = NULL;
  g_autoptr (NexusConnection) tls = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *again = NULL;

  plain = nexus_connection_parse ("nexus://192.0.2.10:8787/?worker=w_01&secret=" SECRET, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (plain->host, ==, "192.0.2.10");
  g_assert_cmpint (plain->port, ==, 8787);
  g_assert_cmpstr (plain->worker_id, ==, "w_01");
  g_assert_cmpstr (plain->secret, ==, SECRET);
  g_assert_null (plain->tls_fingerprint);
  url = nexus_connection_base_url (plain);
  g_assert_cmpstr (url, ==, "http://192.0.2.10:8787");

  tls = nexus_connection_parse ("nexus://[::1]:9000/?secret=" SECRET "&worker=w2&tls=" FINGERPRINT,
                                &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tls->host, ==, "::1");
  g_assert_cmpstr (tls->tls_fingerprint, ==,
                   "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
  g_clear_pointer (&url, g_free);
  url = nexus_connection_base_url (tls);
  g_assert_cmpstr (url, ==, "https://[::1]:9000");

  /* Printing and parsing again gives the same connection. */
  again = nexus_connection_to_string (tls);
  {
    g_autoptr (NexusConnection) round = nexus_connection_parse (again, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (round->host, ==, tls->host);
    g_assert_cmpint (round->port, ==, tls->port);
    g_assert_cmpstr (round->worker_id, ==, tls->worker_id);
    g_assert_cmpstr (round->secret, ==, tls->secret);
    g_assert_cmpstr (round->tls_fingerprint, ==, tls->tls_fingerprint);
  }
}

static void
test_connection_invalid (void)
{
  static const char *const bad[] = {
    "",
    "http://host:1/?worker=w&secret=" SECRET,
    "nexus://host/?worker=w&secret=" SECRET,
    "nexus://:8787/?worker=w&secret=" SECRET,
    "nexus://host:8787/",
    "nexus://host:8787/?worker=w",
    "nexus://host:8787/?worker=w&secret=short-"
    "s3cr3t",
    "nexus://host:8787/?worker=w%20x&secret=" SECRET,
    "nexus://host:8787/?worker=w&secret=" SECRET "&tls=abc",
    "nexus://host:8787/?worker=w&secret=" SECRET "&tls=" FINGERPRINT "zz",
    "not a uri at all " SECRET,
  };
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (NexusConnection) connection = nexus_connection_parse (bad[i], &error);
      g_assert_null (connection);
      g_assert_error (error, NEXUS_CONNECTION_ERROR, NEXUS_CONNECTION_ERROR_INVALID);
      /* The message never repeats a secret. */
      g_assert_null (strstr (error->message, SECRET));
      g_assert_null (strstr (error->message, "s3cr3t"));
      g_clear_error (&error);
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/nexus/Connection/parse", test_connection_parse);
  g_test_add_func ("/nexus/Connection/invalid", test_connection_invalid);

  return g_test_run ();
}
