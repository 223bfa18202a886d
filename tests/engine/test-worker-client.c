/* test-worker-client.c — the worker's HTTP client: signing, errors, pinning
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A fake engine (a SoupServer on 127.0.0.1 in its own thread) checks each
 * request's signature with the protocol's rules and answers by path, so
 * the client's mapping of every error the protocol names can be seen.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>

#include "api/nexus-signature.h"
#include "api/nexus-tls.h"
#include "worker/nexus-worker-client.h"

#include "../nexus-test-server.h"

#define SECRET    "whs-test-secret-0123456789abcdef-do-not-print"
#define WORKER_ID "wTestWorker01"

typedef struct
{
  NexusTestServer http; /* HTTPS when given a certificate */
  GMutex          lock;
  guint           n_bad_signatures;
  char           *last_key; /* Idempotency-Key of the last request */
} FakeEngine;

static void
send_error (SoupServerMessage *msg, guint status, const char *code)
{
  g_autofree char *body =
      g_strdup_printf ("{\"error\":\"%s\",\"message\":\"said %s\"}", code, code);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, body, strlen (body));
}

static void
engine_handle (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           data)
{
  FakeEngine         *fake = data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  g_autoptr (GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_autofree char *expected = NULL;
  const char      *signature = soup_message_headers_get_one (headers, "X-Nexus-Signature");
  const char      *timestamp = soup_message_headers_get_one (headers, "X-Nexus-Timestamp");
  const char      *nonce = soup_message_headers_get_one (headers, "X-Nexus-Nonce");
  gint64           seconds = 0;

  g_mutex_lock (&fake->lock);
  g_free (fake->last_key);
  fake->last_key = g_strdup (soup_message_headers_get_one (headers, "Idempotency-Key"));
  g_mutex_unlock (&fake->lock);

  if (g_strcmp0 (soup_message_headers_get_one (headers, "X-Nexus-Worker"), WORKER_ID) != 0 ||
      timestamp == NULL || nonce == NULL || !nexus_signature_nonce_valid (nonce) ||
      !nexus_signature_parse_timestamp (timestamp, &seconds) ||
      ABS (seconds - g_get_real_time () / G_USEC_PER_SEC) > 5)
    {
      send_error (msg, 400, "bad_request");
      return;
    }
  expected = nexus_signature_compute (SECRET, "POST", path, timestamp, nonce,
                                      g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  if (signature == NULL || !nexus_signature_header_valid (signature, expected))
    {
      g_mutex_lock (&fake->lock);
      fake->n_bad_signatures++;
      g_mutex_unlock (&fake->lock);
      send_error (msg, 401, "unauthorized");
      return;
    }

  if (g_str_equal (path, "/ok"))
    {
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                        "{\"accepted\":1}", 14);
    }
  else if (g_str_equal (path, "/lease-lost"))
    send_error (msg, 409, "lease_lost");
  else if (g_str_equal (path, "/in-progress"))
    send_error (msg, 409, "in_progress");
  else if (g_str_equal (path, "/revoked"))
    send_error (msg, 403, "revoked");
  else if (g_str_equal (path, "/stale"))
    send_error (msg, 401, "stale_timestamp");
  else if (g_str_equal (path, "/busy"))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After",
                                    "7");
      send_error (msg, 429, "rate_limited");
    }
  else if (g_str_equal (path, "/draining"))
    send_error (msg, 503, "shutting_down");
  else if (g_str_equal (path, "/mismatch"))
    send_error (msg, 422, "idempotency_mismatch");
  else
    send_error (msg, 404, "not_found");
}

static FakeEngine *
engine_start (GTlsCertificate *certificate)
{
  FakeEngine *fake = g_new0 (FakeEngine, 1);

  g_mutex_init (&fake->lock);
  nexus_test_server_run (&fake->http, "fake-engine", certificate, engine_handle, fake);
  return fake;
}

static void
engine_stop (FakeEngine *fake)
{
  nexus_test_server_stop (&fake->http);
  g_free (fake->last_key);
  g_mutex_clear (&fake->lock);
  g_free (fake);
}

static NexusConnection *
connection_for (guint16 port, const char *fingerprint)
{
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;
  NexusConnection *connection;

  text =
      g_strdup_printf ("nexus://127.0.0.1:%u/?worker=" WORKER_ID "&secret=" SECRET "%s%s", port,
                       fingerprint != NULL ? "&tls=" : "", fingerprint != NULL ? fingerprint : "");
  connection = nexus_connection_parse (text, &error);
  g_assert_no_error (error);
  return connection;
}

static void
assert_no_secret (const GError *error)
{
  g_assert_nonnull (error);
  g_assert_null (strstr (error->message, SECRET));
  g_assert_null (strstr (error->message, "secret"));
}

static void
test_errors (void)
{
  static const struct
  {
    const char      *path;
    NexusWorkerError code;
  } cases[] = {
    { "/lease-lost", NEXUS_WORKER_ERROR_LEASE_LOST },
    { "/in-progress", NEXUS_WORKER_ERROR_IN_PROGRESS },
    { "/revoked", NEXUS_WORKER_ERROR_REFUSED },
    { "/stale", NEXUS_WORKER_ERROR_SERVER },
    { "/busy", NEXUS_WORKER_ERROR_SERVER },
    { "/draining", NEXUS_WORKER_ERROR_SERVER },
    { "/mismatch", NEXUS_WORKER_ERROR_REQUEST },
    { "/nowhere", NEXUS_WORKER_ERROR_LEASE_LOST },
  };
  FakeEngine *fake = engine_start (NULL);
  g_autoptr (NexusConnection) connection = connection_for (fake->http.port, NULL);
  g_autoptr (NexusConnection) wrong = NULL;
  g_autoptr (NexusWorkerClient) client = nexus_worker_client_new (connection, 5);
  g_autoptr (NexusWorkerClient) impostor = NULL;
  g_autoptr (JsonNode) answer = NULL;
  g_autoptr (GError) error = NULL;
  gint64 retry_after = -1;

  /* A signed request with its key; the answer parsed. */
  answer = nexus_worker_client_post (client, "/ok", "{\"max\":1}", "job-1-a1-p1", &retry_after,
                                     NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (answer), "accepted"), ==, 1);
  g_assert_cmpint (retry_after, ==, 0);
  g_assert_cmpstr (fake->last_key, ==, "job-1-a1-p1");
  g_assert_cmpuint (fake->n_bad_signatures, ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_clear_error (&error);
      g_clear_pointer (&answer, json_node_unref);
      answer =
          nexus_worker_client_post (client, cases[i].path, "{}", NULL, &retry_after, NULL, &error);
      g_assert_null (answer);
      g_assert_error (error, NEXUS_WORKER_ERROR, (gint)cases[i].code);
      assert_no_secret (error);
      if (g_str_equal (cases[i].path, "/busy"))
        g_assert_cmpint (retry_after, ==, 7);
    }

  /* Another secret: the engine refuses, and says nothing of the secret. */
  g_clear_error (&error);
  {
    g_autofree char *text =
        g_strdup_printf ("nexus://127.0.0.1:%u/?worker=" WORKER_ID
                         "&secret=another-secret-0123456789abcdef0123456789abcdef",
                         fake->http.port);
    wrong = nexus_connection_parse (text, &error);
    g_assert_no_error (error);
  }
  impostor = nexus_worker_client_new (wrong, 5);
  answer = nexus_worker_client_post (impostor, "/ok", "{}", NULL, NULL, NULL, &error);
  g_assert_error (error, NEXUS_WORKER_ERROR, NEXUS_WORKER_ERROR_REFUSED);
  g_assert_null (strstr (error->message, "another-secret"));
  g_assert_cmpuint (fake->n_bad_signatures, ==, 1);

  engine_stop (fake);
}

static void
test_unreachable (void)
{
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autoptr (NexusConnection) connection = NULL;
  g_autoptr (NexusWorkerClient) client = NULL;
  g_autoptr (JsonNode) answer = NULL;
  g_autoptr (GError) error = NULL;
  guint16 port;

  /* A port that was free a moment ago: nobody listens there. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_socket_bind (socket, any, TRUE, NULL);
  bound = g_socket_get_local_address (socket, NULL);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (socket, NULL);

  connection = connection_for (port, NULL);
  client = nexus_worker_client_new (connection, 5);
  answer = nexus_worker_client_post (client, "/ok", "{}", NULL, NULL, NULL, &error);
  g_assert_error (error, NEXUS_WORKER_ERROR, NEXUS_WORKER_ERROR_NETWORK);
  assert_no_secret (error);
}

static void
test_tls_pin (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("nexus-pin-XXXXXX", &error);
  g_autofree char *pem = g_build_filename (dir, "engine.tls.pem", NULL);
  g_autofree char *fingerprint = NULL;
  g_autoptr (GTlsCertificate) certificate = NULL;
  g_autoptr (NexusConnection) pinned = NULL;
  g_autoptr (NexusConnection) other = NULL;
  g_autoptr (NexusWorkerClient) good = NULL;
  g_autoptr (NexusWorkerClient) bad = NULL;
  g_autoptr (JsonNode) answer = NULL;
  FakeEngine *fake;

  g_assert_no_error (error);
  certificate = nexus_tls_load_or_create (pem, &fingerprint, &error);
  g_assert_no_error (error);
  fake = engine_start (certificate);

  /* The pinned certificate passes although no CA signed it. */
  pinned = connection_for (fake->http.port, fingerprint);
  good = nexus_worker_client_new (pinned, 5);
  g_assert_true (g_str_has_prefix (nexus_worker_client_get_base_url (good), "https://"));
  answer = nexus_worker_client_post (good, "/ok", "{}", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (answer);

  /* Any other fingerprint: no request goes through. */
  other = connection_for (fake->http.port,
                          "0000000000000000000000000000000000000000000000000000000000000000");
  bad = nexus_worker_client_new (other, 5);
  g_clear_pointer (&answer, json_node_unref);
  answer = nexus_worker_client_post (bad, "/ok", "{}", NULL, NULL, NULL, &error);
  g_assert_null (answer);
  g_assert_error (error, NEXUS_WORKER_ERROR, NEXUS_WORKER_ERROR_NETWORK);
  g_assert_nonnull (strstr (error->message, "pinned certificate"));
  assert_no_secret (error);

  engine_stop (fake);
  g_unlink (pem);
  g_rmdir (dir);
}

static void
test_backoff (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);

  for (guint attempt = 1; attempt <= 20; attempt++)
    {
      guint step =
          MIN (NEXUS_WORKER_BACKOFF_BASE_MS << MIN (attempt - 1, 10), NEXUS_WORKER_BACKOFF_CAP_MS);

      for (guint i = 0; i < 200; i++)
        {
          guint ms = nexus_worker_backoff_ms (attempt, rand);

          /* Never a busy loop, never past the cap, growing with the attempt. */
          g_assert_cmpuint (ms, >=, step / 2);
          g_assert_cmpuint (ms, <=, step);
          g_assert_cmpuint (ms, >=, NEXUS_WORKER_BACKOFF_BASE_MS / 2);
          g_assert_cmpuint (ms, <=, NEXUS_WORKER_BACKOFF_CAP_MS);
        }
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/nexus/WorkerClient/errors", test_errors);
  g_test_add_func ("/nexus/WorkerClient/unreachable", test_unreachable);
  g_test_add_func ("/nexus/WorkerClient/tls-pin", test_tls_pin);
  g_test_add_func ("/nexus/WorkerClient/backoff", test_backoff);

  return g_test_run ();
}
