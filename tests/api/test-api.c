/* test-api.c — the worker API over real HTTP on loopback
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An engine runs in this process (its server on its API thread); the
 * tests are its clients: SoupSession for well-formed requests, raw sockets
 * for malformed HTTP, slow clients and oversized uploads.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <sqlite3.h>
#include <string.h>

#include "api/nexus-connection.h"
#include "api/nexus-signature.h"
#include "api/nexus-tls.h"
#include "queue/nexus-job-queue.h"
#include "api/nexus-workers.h"
#include "nexus-engine.h"

typedef struct
{
  char            *dir;
  char            *path;
  NexusEngine     *engine;
  NexusStore      *admin; /* a second connection, as nexusctl would have */
  NexusConnection *worker;
  guint16          port;
  SoupSession     *session;
} Fixture;

static void
fixture_start (Fixture *fixture, const NexusApiConfig *config)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *connection = NULL;

  fixture->dir = g_dir_make_tmp ("nexus-api-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "nexus.db", NULL);
  fixture->engine = nexus_engine_new (fixture->path, NEXUS_ENGINE_DEFAULT, &error);
  g_assert_no_error (error);
  if (config != NULL)
    nexus_engine_set_api_config (fixture->engine, config);
  g_assert_true (nexus_engine_listen (fixture->engine, "127.0.0.1:0", &error));
  g_assert_no_error (error);
  fixture->port = nexus_engine_get_port (fixture->engine);

  fixture->admin = nexus_store_open (fixture->path, NEXUS_STORE_OPEN_NO_CREATE, &error);
  g_assert_no_error (error);
  connection = nexus_workers_add (fixture->admin, "test worker", NEXUS_ROLE_WORKER, "127.0.0.1:1",
                                  NULL, NULL, &error);
  g_assert_no_error (error);
  fixture->worker = nexus_connection_parse (connection, &error);
  g_assert_no_error (error);
  fixture->session = soup_session_new_with_options ("timeout", 10, NULL);
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  fixture_start (fixture, data);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  static const char *const suffixes[] = { "", "-wal", "-shm" };

  g_clear_object (&fixture->session);
  nexus_engine_shutdown (fixture->engine);
  g_clear_object (&fixture->engine);
  g_clear_object (&fixture->admin);
  g_clear_pointer (&fixture->worker, nexus_connection_free);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (fixture->path, suffixes[i], NULL);
      g_unlink (file);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
}

typedef struct
{
  guint       status;
  char       *error_code; /* "error" member of an error body */
  char       *retry_after;
  JsonObject *object; /* the parsed body, when JSON */
  JsonParser *parser;
  GBytes     *raw; /* the body exactly as sent */
} Answer;

static void
answer_clear (Answer *answer)
{
  g_free (answer->error_code);
  g_free (answer->retry_after);
  g_clear_object (&answer->parser);
  g_clear_pointer (&answer->raw, g_bytes_unref);
}

static void send_signed_full (Fixture    *fixture,
                              const char *path,
                              const char *body,
                              gint64      timestamp_offset,
                              const char *nonce,
                              const char *signature_override,
                              const char *idempotency_key,
                              Answer     *answer);

static void
send_signed (Fixture    *fixture,
             const char *path,
             const char *body,
             gint64      timestamp_offset,
             const char *nonce,
             const char *signature_override,
             Answer     *answer)
{
  send_signed_full (fixture, path, body, timestamp_offset, nonce, signature_override, NULL, answer);
}

/* POSTs @body to @path on @port signed with @identity, with the signing
 * inputs optionally overridden.  Returns FALSE when no answer came (the
 * error in @error). */
static gboolean
post_signed (SoupSession           *session,
             guint16                port,
             const NexusConnection *identity,
             const char            *path,
             const char            *body,
             gint64                 timestamp_offset,
             const char            *nonce,
             const char            *signature_override,
             const char            *idempotency_key,
             Answer                *answer,
             GError               **error)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u%s", port, path);
  g_autoptr (SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr (GBytes) request = g_bytes_new (body, strlen (body));
  g_autoptr (GBytes) response = NULL;
  g_autofree char *timestamp =
      g_strdup_printf ("%" G_GINT64_FORMAT, g_get_real_time () / G_USEC_PER_SEC + timestamp_offset);
  g_autofree char *fresh_nonce = nonce != NULL ? g_strdup (nonce) : nexus_signature_new_nonce ();
  g_autofree char *signature = nexus_signature_compute (
      identity->secret, "POST", path, timestamp, fresh_nonce, (const guint8 *)body, strlen (body));
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);

  soup_message_headers_replace (headers, "X-Nexus-Worker", identity->worker_id);
  soup_message_headers_replace (headers, "X-Nexus-Timestamp", timestamp);
  soup_message_headers_replace (headers, "X-Nexus-Nonce", fresh_nonce);
  soup_message_headers_replace (headers, "X-Nexus-Signature",
                                signature_override != NULL ? signature_override : signature);
  if (idempotency_key != NULL)
    soup_message_headers_replace (headers, "Idempotency-Key", idempotency_key);
  soup_message_set_request_body_from_bytes (msg, "application/json", request);

  memset (answer, 0, sizeof *answer);
  response = soup_session_send_and_read (session, msg, NULL, error);
  if (response == NULL)
    return FALSE;

  answer->status = soup_message_get_status (msg);
  answer->raw = g_bytes_ref (response);
  answer->retry_after = g_strdup (
      soup_message_headers_get_one (soup_message_get_response_headers (msg), "Retry-After"));
  answer->parser = json_parser_new ();
  if (json_parser_load_from_data (answer->parser, g_bytes_get_data (response, NULL),
                                  g_bytes_get_size (response), NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (answer->parser)))
    {
      answer->object = json_node_get_object (json_parser_get_root (answer->parser));
      if (json_object_has_member (answer->object, "error"))
        answer->error_code = g_strdup (json_object_get_string_member (answer->object, "error"));
    }
  return TRUE;
}

/* Sends @body to @path signed as the fixture's worker, with the signing
 * inputs optionally overridden. */
static void
send_signed_full (Fixture    *fixture,
                  const char *path,
                  const char *body,
                  gint64      timestamp_offset,
                  const char *nonce,
                  const char *signature_override,
                  const char *idempotency_key,
                  Answer     *answer)
{
  g_autoptr (GError) error = NULL;

  post_signed (fixture->session, fixture->port, fixture->worker, path, body, timestamp_offset,
               nonce, signature_override, idempotency_key, answer, &error);
  g_assert_no_error (error);
}

static void
assert_answer (Fixture    *fixture,
               const char *path,
               const char *body,
               gint64      timestamp_offset,
               guint       status,
               const char *code)
{
  Answer answer;

  send_signed (fixture, path, body, timestamp_offset, NULL, NULL, &answer);
  g_assert_cmpuint (answer.status, ==, status);
  g_assert_cmpstr (answer.error_code, ==, code);
  answer_clear (&answer);
}

/* GETs @path signed with @identity (and @nonce, or a fresh one); returns
 * the status, the body in @out_body. */
static guint
get_signed (Fixture               *fixture,
            const NexusConnection *identity,
            const char            *path,
            const char            *nonce,
            GBytes               **out_body)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u%s", fixture->port, path);
  g_autofree char *timestamp =
      g_strdup_printf ("%" G_GINT64_FORMAT, g_get_real_time () / G_USEC_PER_SEC);
  g_autofree char *fresh_nonce = nonce != NULL ? g_strdup (nonce) : nexus_signature_new_nonce ();
  g_autofree char *signature =
      nexus_signature_compute (identity->secret, "GET", path, timestamp, fresh_nonce, NULL, 0);
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr (GError) error = NULL;
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);

  soup_message_headers_replace (headers, "X-Nexus-Worker", identity->worker_id);
  soup_message_headers_replace (headers, "X-Nexus-Timestamp", timestamp);
  soup_message_headers_replace (headers, "X-Nexus-Nonce", fresh_nonce);
  soup_message_headers_replace (headers, "X-Nexus-Signature", signature);
  *out_body = soup_session_send_and_read (fixture->session, msg, NULL, &error);
  g_assert_no_error (error);
  return soup_message_get_status (msg);
}

/* Adds an identity through the admin connection, as nexusctl would. */
static NexusConnection *
add_identity (Fixture *fixture, const char *name, const char *role)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  NexusConnection *identity;

  text = nexus_workers_add (fixture->admin, name, role, "127.0.0.1:1", NULL, NULL, &error);
  g_assert_no_error (error);
  identity = nexus_connection_parse (text, &error);
  g_assert_no_error (error);
  return identity;
}

static void
test_api_heartbeat (Fixture *fixture, gconstpointer data)
{
  Answer answer;
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusWorkerRecord) record = NULL;

  send_signed (fixture, "/api/v1/heartbeat",
               "{\"version\":\"0.1.0\",\"hostname\":\"box-1\",\"capabilities\":[\"overpass\"],"
               "\"running\":[],\"load\":{}}",
               0, NULL, NULL, &answer);
  g_assert_cmpuint (answer.status, ==, 200);
  g_assert_nonnull (answer.object);
  g_assert_cmpint (json_object_get_int_member (answer.object, "server_time"), >, 1700000000);
  g_assert_cmpint (json_object_get_int_member (answer.object, "lease_ttl_s"), >, 0);
  g_assert_cmpint (json_object_get_int_member (answer.object, "max_wait_s"), ==, 30);
  answer_clear (&answer);

  /* The visit is recorded for the Workers page and nexusctl worker list. */
  record = nexus_store_worker_lookup (fixture->admin, fixture->worker->worker_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (record->hostname, ==, "box-1");
  g_assert_cmpstr (record->version, ==, "0.1.0");
  g_assert_cmpstr (record->address, ==, "127.0.0.1");
  g_assert_cmpint (record->last_seen_at, >, 0);
}

static void
test_api_auth_errors (Fixture *fixture, gconstpointer data)
{
  const char *path = "/api/v1/heartbeat";
  const char *body = "{\"version\":\"0.1.0\"}";
  Answer      answer;

  /* The window is ±300 s. */
  assert_answer (fixture, path, body, 299, 200, NULL);
  assert_answer (fixture, path, body, -299, 200, NULL);
  assert_answer (fixture, path, body, 301, 401, "stale_timestamp");
  assert_answer (fixture, path, body, -301, 401, "stale_timestamp");

  /* A wrong signature, then a replayed nonce. */
  send_signed (fixture, path, body, 0, NULL,
               "v1=0000000000000000000000000000000000000000000000000000000000000000", &answer);
  g_assert_cmpuint (answer.status, ==, 401);
  g_assert_cmpstr (answer.error_code, ==, "unauthorized");
  answer_clear (&answer);

  send_signed (fixture, path, body, 0, "the-same-nonce-twice", NULL, &answer);
  g_assert_cmpuint (answer.status, ==, 200);
  answer_clear (&answer);
  send_signed (fixture, path, body, 0, "the-same-nonce-twice", NULL, &answer);
  g_assert_cmpuint (answer.status, ==, 401);
  g_assert_cmpstr (answer.error_code, ==, "replayed");
  answer_clear (&answer);

  /* A second engine on the same file (the console beside nexus-server)
   * refuses what the first accepted, and the other way round. */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (NexusEngine) second = nexus_engine_new (fixture->path, NEXUS_ENGINE_DEFAULT, &error);
    guint16 first_port = fixture->port;

    g_assert_no_error (error);
    g_assert_true (nexus_engine_listen (second, "127.0.0.1:0", &error));
    g_assert_no_error (error);
    fixture->port = nexus_engine_get_port (second);
    send_signed (fixture, path, body, 0, "the-same-nonce-twice", NULL, &answer);
    g_assert_cmpuint (answer.status, ==, 401);
    g_assert_cmpstr (answer.error_code, ==, "replayed");
    answer_clear (&answer);
    send_signed (fixture, path, body, 0, "a-nonce-for-the-second", NULL, &answer);
    g_assert_cmpuint (answer.status, ==, 200);
    answer_clear (&answer);
    fixture->port = first_port;
    send_signed (fixture, path, body, 0, "a-nonce-for-the-second", NULL, &answer);
    g_assert_cmpuint (answer.status, ==, 401);
    g_assert_cmpstr (answer.error_code, ==, "replayed");
    answer_clear (&answer);
    nexus_engine_shutdown (second);
  }

  /* After a restart the nonces of the window are still refused. */
  {
    g_autoptr (GError) error = NULL;

    nexus_engine_shutdown (fixture->engine);
    g_clear_object (&fixture->engine);
    fixture->engine = nexus_engine_new (fixture->path, NEXUS_ENGINE_DEFAULT, &error);
    g_assert_no_error (error);
    g_assert_true (nexus_engine_listen (fixture->engine, "127.0.0.1:0", &error));
    g_assert_no_error (error);
    fixture->port = nexus_engine_get_port (fixture->engine);
    send_signed (fixture, path, body, 0, "the-same-nonce-twice", NULL, &answer);
    g_assert_cmpuint (answer.status, ==, 401);
    g_assert_cmpstr (answer.error_code, ==, "replayed");
    answer_clear (&answer);
  }

  /* A malformed nonce is a bad request. */
  send_signed (fixture, path, body, 0, "short", NULL, &answer);
  g_assert_cmpuint (answer.status, ==, 400);
  g_assert_cmpstr (answer.error_code, ==, "bad_request");
  answer_clear (&answer);

  /* Revoked from another connection (nexusctl): refused at once. */
  {
    g_autoptr (GError) error = NULL;
    g_assert_true (nexus_workers_revoke (fixture->admin, fixture->worker->worker_id, &error));
    g_assert_no_error (error);
  }
  assert_answer (fixture, path, body, 0, 403, "revoked");
}

static void
test_api_rotation (Fixture *fixture, gconstpointer data)
{
  const char *path = "/api/v1/heartbeat";
  const char *body = "{}";
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr (NexusConnection) fresh = NULL;

  /* Rotated with a grace: the old secret still works next to the new one. */
  text = nexus_workers_rotate (fixture->admin, fixture->worker->worker_id, 3600, "127.0.0.1:1",
                               NULL, &error);
  g_assert_no_error (error);
  assert_answer (fixture, path, body, 0, 200, NULL);
  fresh = nexus_connection_parse (text, &error);
  g_assert_no_error (error);
  {
    NexusConnection *old = fixture->worker;
    fixture->worker = fresh;
    assert_answer (fixture, path, body, 0, 200, NULL);
    fixture->worker = old;
  }

  /* Rotated again with --now: the secret before is refused. */
  g_clear_pointer (&text, g_free);
  text = nexus_workers_rotate (fixture->admin, fixture->worker->worker_id, 0, "127.0.0.1:1", NULL,
                               &error);
  g_assert_no_error (error);
  assert_answer (fixture, path, body, 0, 401, "unauthorized");
}

static void
test_api_bad_bodies (Fixture *fixture, gconstpointer data)
{
  const char *path = "/api/v1/heartbeat";
  g_autoptr (GString) nested = g_string_new (NULL);

  assert_answer (fixture, path, "{\"version\":", 0, 400, "bad_request");
  assert_answer (fixture, path, "[1,2,3]", 0, 400, "bad_request");
  assert_answer (fixture, path, "{\"version\":7}", 0, 400, "bad_request");
  assert_answer (fixture, path, "{\"running\":\"all\"}", 0, 400, "bad_request");
  assert_answer (fixture, path, "{\"version\":\"\xff\xfe\"}", 0, 400, "bad_request");

  for (guint i = 0; i < 10000; i++)
    g_string_append (nested, "{\"a\":");
  g_string_append (nested, "1");
  for (guint i = 0; i < 10000; i++)
    g_string_append_c (nested, '}');
  assert_answer (fixture, path, nested->str, 0, 400, "bad_request");

  /* Wide but shallow is fine: many sibling objects are not nesting. */
  g_string_assign (nested, "{\"load\":{\"items\":[");
  for (guint i = 0; i < 200; i++)
    g_string_append_printf (nested, "%s{\"tags\":{\"k\":\"v\"}}", i > 0 ? "," : "");
  g_string_append (nested, "]}}");
  assert_answer (fixture, path, nested->str, 0, 200, NULL);

  /* An unknown endpoint. */
  assert_answer (fixture, "/api/v1/nothing-here", "{}", 0, 404, "not_found");
}

/* Opens a raw connection to the server. */
static GSocketConnection *
connect_raw (Fixture *fixture)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GError) error = NULL;
  GSocketConnection *connection;

  g_socket_client_set_timeout (client, 10);
  connection = g_socket_client_connect_to_host (client, "127.0.0.1", fixture->port, NULL, &error);
  g_assert_no_error (error);
  return connection;
}

/* Reads until the server closes or @limit bytes came; returns what came. */
static char *
read_all (GSocketConnection *connection, gsize limit)
{
  GInputStream *input = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  g_autoptr (GString) text = g_string_new (NULL);
  char buffer[4096];

  while (text->len < limit)
    {
      g_autoptr (GError) error = NULL;
      gssize n = g_input_stream_read (input, buffer, sizeof buffer, NULL, &error);
      if (n <= 0)
        break;
      g_string_append_len (text, buffer, n);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static char *
raw_exchange (Fixture *fixture, const char *request, gsize length)
{
  g_autoptr (GSocketConnection) connection = connect_raw (fixture);
  GOutputStream *output = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_autoptr (GError) error = NULL;

  g_output_stream_write_all (output, request, length, NULL, NULL, &error);
  g_assert_no_error (error);
  g_socket_shutdown (g_socket_connection_get_socket (connection), FALSE, TRUE, NULL);
  return read_all (connection, 65536);
}

static void
assert_healthy (Fixture *fixture)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/healthz", fixture->port);
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GError) error = NULL;

  body = soup_session_send_and_read (fixture->session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
}

static void
assert_refused (const char *reply)
{
  if (*reply == '\0')
    return;
  g_assert_true (g_str_has_prefix (reply, "HTTP/1."));
  g_assert_cmpint (atoi (reply + 9), >=, 400);
}

static void
test_api_malformed_http (Fixture *fixture, gconstpointer data)
{
  static const char *const requests[] = {
    "POST /api/v1/heartbeat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    "Content-Length: 2\r\nContent-Length: 5\r\n\r\n{}",
    "POST /api/v1/heartbeat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    "GARBAGE\r\n\r\n",
    "GET /healthz HTTP/9.9 extra words\r\n\r\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (requests); i++)
    {
      g_autofree char *reply = raw_exchange (fixture, requests[i], strlen (requests[i]));

      /* Refused: an error status or a closed connection, never a success. */
      assert_refused (reply);
      assert_healthy (fixture);
    }

  /* A NUL inside a header name. */
  {
    static const char request[] = "GET /healthz HTTP/1.1\r\nHo\0st: x\r\n\r\n";
    g_autofree char  *reply = raw_exchange (fixture, request, sizeof request - 1);
    assert_refused (reply);
    assert_healthy (fixture);
  }
}

static void
test_api_media_type (Fixture *fixture, gconstpointer data)
{
  const char *request = "POST /api/v1/heartbeat HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                        "Content-Length: 2\r\nConnection: close\r\n\r\n{}";
  g_autofree char *reply = raw_exchange (fixture, request, strlen (request));

  g_assert_true (g_str_has_prefix (reply, "HTTP/1.1 415"));
  g_assert_nonnull (strstr (reply, "\"unsupported_media_type\""));
}

static gsize
resident_kib (void)
{
  g_autofree char *status = NULL;
  const char      *line;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  line = strstr (status, "VmRSS:");
  g_assert_nonnull (line);
  return (gsize)g_ascii_strtoull (line + 6, NULL, 10);
}

static void
test_api_huge_upload (Fixture *fixture, gconstpointer data)
{
  gsize before = resident_kib ();

  /* Declared as 1 GiB: refused from the headers alone. */
  {
    const char *request = "POST /api/v1/heartbeat HTTP/1.1\r\nHost: x\r\n"
                          "Content-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n";
    g_autoptr (GSocketConnection) connection = connect_raw (fixture);
    GOutputStream   *output = g_io_stream_get_output_stream (G_IO_STREAM (connection));
    g_autofree char *reply = NULL;

    g_assert_true (g_output_stream_write_all (output, request, strlen (request), NULL, NULL, NULL));
    reply = read_all (connection, 4096);
    g_assert_true (g_str_has_prefix (reply, "HTTP/1.1 413"));
    g_assert_nonnull (strstr (reply, "\"payload_too_large\""));
  }

  /* Sent chunked, without a length: the server hangs up once the cap is
   * passed, having kept nothing of it. */
  {
    const char *request = "POST /api/v1/heartbeat HTTP/1.1\r\nHost: x\r\n"
                          "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
    g_autoptr (GSocketConnection) connection = connect_raw (fixture);
    GOutputStream   *output = g_io_stream_get_output_stream (G_IO_STREAM (connection));
    g_autofree char *chunk = g_malloc (65536 + 16);
    gsize            header = g_snprintf (chunk, 16, "10000\r\n");
    gsize            sent = 0;

    memset (chunk + header, 'x', 65536);
    memcpy (chunk + header + 65536, "\r\n", 2);
    g_assert_true (g_output_stream_write_all (output, request, strlen (request), NULL, NULL, NULL));
    while (sent < (gsize)1024 * 1024 * 1024)
      {
        if (!g_output_stream_write_all (output, chunk, header + 65536 + 2, NULL, NULL, NULL))
          break;
        sent += 65536;
      }
    /* The server stopped reading long before 1 GiB. */
    g_assert_cmpuint (sent, <, (gsize)64 * 1024 * 1024);
  }

  /* Both refusals cost the process (server included) almost nothing. */
  g_assert_cmpuint (resident_kib (), <, before + 32 * 1024);
  assert_healthy (fixture);
}

static void
test_api_slow_clients (Fixture *fixture, gconstpointer data)
{
  gint64 start;

  /* Connects and sends nothing. */
  {
    g_autoptr (GSocketConnection) connection = connect_raw (fixture);
    g_autofree char *reply = NULL;

    start = g_get_monotonic_time ();
    reply = read_all (connection, 4096);
    g_assert_cmpstr (reply, ==, "");
    g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  }

  /* Sends headers, then drips the body a byte at a time. */
  {
    const char *request = "POST /api/v1/heartbeat HTTP/1.1\r\nHost: x\r\n"
                          "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{";
    g_autoptr (GSocketConnection) connection = connect_raw (fixture);
    GOutputStream *output = g_io_stream_get_output_stream (G_IO_STREAM (connection));
    gboolean       closed = FALSE;

    g_assert_true (g_output_stream_write_all (output, request, strlen (request), NULL, NULL, NULL));
    start = g_get_monotonic_time ();
    for (guint i = 0; i < 60 && !closed; i++)
      {
        g_usleep (100000);
        closed = !g_output_stream_write_all (output, " ", 1, NULL, NULL, NULL) ||
                 !g_output_stream_flush (output, NULL, NULL);
        if (!closed)
          {
            /* A closed peer shows on the next read as EOF. */
            GSocket *socket = g_socket_connection_get_socket (connection);
            if (g_socket_condition_check (socket, G_IO_IN | G_IO_HUP) != 0)
              {
                char byte;
                closed = g_socket_receive (socket, &byte, 1, NULL, NULL) <= 0;
              }
          }
      }
    g_assert_true (closed);
    g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  }

  /* Keeps a connection open after a complete request and says nothing. */
  {
    const char *request = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    g_autoptr (GSocketConnection) connection = connect_raw (fixture);
    GOutputStream   *output = g_io_stream_get_output_stream (G_IO_STREAM (connection));
    g_autofree char *reply = NULL;

    g_assert_true (g_output_stream_write_all (output, request, strlen (request), NULL, NULL, NULL));
    start = g_get_monotonic_time ();
    reply = read_all (connection, 1 << 20);
    g_assert_true (g_str_has_prefix (reply, "HTTP/1.1 200"));
    g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  }
  assert_healthy (fixture);
}

static void
test_api_rate_limit (Fixture *fixture, gconstpointer data)
{
  guint limited = 0;
  guint passed = 0;

  for (guint i = 0; i < 20; i++)
    {
      Answer answer;

      send_signed (fixture, "/api/v1/heartbeat", "{}", 0, NULL, NULL, &answer);
      if (answer.status == 429)
        {
          limited++;
          g_assert_cmpstr (answer.error_code, ==, "rate_limited");
          g_assert_nonnull (answer.retry_after);
          g_assert_cmpint (atoi (answer.retry_after), >=, 1);
        }
      else
        {
          g_assert_cmpuint (answer.status, ==, 200);
          passed++;
        }
      answer_clear (&answer);
    }
  /* The burst is 5 per address: the rest of the quick series is refused. */
  g_assert_cmpuint (passed, ==, 5);
  g_assert_cmpuint (limited, ==, 15);
}

static void
test_api_metrics (Fixture *fixture, gconstpointer data)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/metrics", fixture->port);
  g_autoptr (SoupMessage) msg = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GError) error = NULL;

  assert_answer (fixture, "/api/v1/heartbeat", "{}", 0, 200, NULL);
  assert_answer (fixture, "/api/v1/heartbeat", "{}", 400, 401, "stale_timestamp");

  msg = soup_message_new ("GET", url);
  body = soup_session_send_and_read (fixture->session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  g_assert_nonnull (
      g_strstr_len (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                    "nexus_api_requests_total{endpoint=\"heartbeat\",status=\"200\"} 1"));
  g_assert_nonnull (
      g_strstr_len (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                    "nexus_api_requests_total{endpoint=\"heartbeat\",status=\"401\"} 1"));
}

static gboolean
pin_cb (SoupMessage         *msg,
        GTlsCertificate     *certificate,
        GTlsCertificateFlags errors,
        gpointer             user_data)
{
  const char      *pinned = user_data;
  g_autofree char *fingerprint = nexus_tls_fingerprint (certificate);

  return g_strcmp0 (fingerprint, pinned) == 0;
}

static guint
get_pinned (guint16 port, const char *pinned)
{
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strdup_printf ("https://127.0.0.1:%u/healthz", port);
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GError) error = NULL;

  g_signal_connect (msg, "accept-certificate", G_CALLBACK (pin_cb), (gpointer)pinned);
  body = soup_session_send_and_read (session, msg, NULL, &error);
  return error != NULL ? 0 : soup_message_get_status (msg);
}

static void
test_api_tls (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("nexus-tls-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "nexus.db", NULL);
  g_autofree char *pem = nexus_tls_pem_path_for (path);
  g_autofree char *first = NULL;
  NexusApiConfig   config;
  GStatBuf         st;

  nexus_api_config_init_default (&config);
  config.tls = TRUE;

  for (guint round = 0; round < 2; round++)
    {
      g_autoptr (NexusEngine) engine = nexus_engine_new (path, NEXUS_ENGINE_DEFAULT, &error);
      g_autoptr (NexusStore) store = NULL;
      g_autofree char *recorded = NULL;
      const char      *fingerprint;

      g_assert_no_error (error);
      nexus_engine_set_api_config (engine, &config);
      g_assert_true (nexus_engine_listen (engine, "127.0.0.1:0", &error));
      g_assert_no_error (error);
      fingerprint = nexus_engine_get_tls_fingerprint (engine);
      g_assert_cmpuint (strlen (fingerprint), ==, 64);

      /* A worker pinning the fingerprint gets through; another pin fails. */
      g_assert_cmpuint (get_pinned (nexus_engine_get_port (engine), fingerprint), ==, 200);
      g_assert_cmpuint (
          get_pinned (nexus_engine_get_port (engine),
                      "0000000000000000000000000000000000000000000000000000000000000000"),
          ==, 0);

      /* The fingerprint is recorded for connection strings. */
      store = nexus_store_open (path, NEXUS_STORE_OPEN_NO_CREATE, &error);
      g_assert_no_error (error);
      recorded = nexus_store_get_setting (store, "api.tls_fingerprint", &error);
      g_assert_cmpstr (recorded, ==, fingerprint);

      /* The same certificate serves again after a restart. */
      if (round == 0)
        first = g_strdup (fingerprint);
      else
        g_assert_cmpstr (first, ==, fingerprint);
      nexus_engine_shutdown (engine);
    }

  /* The key is readable by its owner only. */
  g_assert_cmpint (g_stat (pem, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  for (guint i = 0; i < 4; i++)
    {
      static const char *const suffixes[] = { "", "-wal", "-shm", ".tls.pem" };
      g_autofree char         *file = g_strconcat (path, suffixes[i], NULL);
      g_unlink (file);
    }
  g_rmdir (dir);
}

/* Queues a place_search job through another connection, as nexusctl or a
 * second console would. */
static gint64
enqueue_job (Fixture *fixture, const char *keyword)
{
  g_autoptr (NexusJobQueue) queue = nexus_job_queue_new (fixture->admin);
  g_autoptr (GError) error = NULL;
  g_autofree char *payload = g_strdup_printf (
      "{\"search_id\":0,\"keyword\":\"%s\",\"provider\":\"overpass\",\"cell\":{\"south\":48.85,"
      "\"west\":2.33,\"north\":48.87,\"east\":2.36},\"depth\":0,\"country\":\"FR\","
      "\"language\":\"fr\"}",
      keyword);
  NexusJobSpec spec = { 0 };
  gint64       id = 0;

  spec.run = 1;
  spec.kind = NEXUS_JOB_KIND_PLACE_SEARCH;
  spec.status = NEXUS_JOB_QUEUED;
  spec.provider = "overpass";
  spec.keyword = keyword;
  spec.payload = payload;
  spec.max_attempts = 5;
  g_assert_true (nexus_job_queue_enqueue (queue, &spec, &id, &error));
  g_assert_no_error (error);
  return id;
}

static gint64
count_rows (Fixture *fixture, const char *table)
{
  g_autoptr (GError) error = NULL;
  gint64 count = -1;

  nexus_store_count_rows (fixture->admin, table, &count, &error);
  g_assert_no_error (error);
  return count;
}

/* The one integer @sql selects, read on a connection of its own. */
static gint64
count_where (Fixture *fixture, const char *sql)
{
  sqlite3      *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64        count;

  g_assert_cmpint (sqlite3_open_v2 (fixture->path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  count = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return count;
}

/* Leases one job over HTTP as the fixture's worker; returns its token and
 * (optionally) its id. */
static char *
lease_token (Fixture *fixture, gint64 *out_job)
{
  Answer      answer;
  JsonObject *job;
  char       *token;

  send_signed (fixture, "/api/v1/jobs/lease", "{\"max\":1}", 0, NULL, NULL, &answer);
  g_assert_cmpuint (answer.status, ==, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (answer.object, "jobs")),
                    ==, 1);
  job = json_array_get_object_element (json_object_get_array_member (answer.object, "jobs"), 0);
  token = g_strdup (json_object_get_string_member (job, "lease_token"));
  if (out_job != NULL)
    *out_job = json_object_get_int_member (job, "id");
  answer_clear (&answer);
  return token;
}

static const char report_body_format[] =
    "{\"lease_token\":\"%s\",\"final\":true,\"saturated\":false,\"stats\":{},\"results\":["
    "{\"provider\":\"overpass\",\"ref\":\"node/1\",\"name\":\"Le Petit Zinc\","
    "\"phones\":[\"01 42 61 20 00\"],\"lat\":48.8601,\"lon\":2.3401,\"city\":\"Paris\"},"
    "{\"provider\":\"overpass\",\"ref\":\"node/2\"},"
    "{\"provider\":\"overpass\",\"ref\":\"node/3\",\"name\":\"Café sans téléphone\","
    "\"lat\":48.8611,\"lon\":2.3411}]}";

static void
test_api_job_flow (Fixture *fixture, gconstpointer data)
{
  g_autofree char *token_a = NULL;
  g_autofree char *token_b = NULL;
  g_autofree char *body = NULL;
  g_autofree char *path = NULL;
  gint64           job_a = enqueue_job (fixture, "restaurant");
  gint64           job_b = enqueue_job (fixture, "cafe");
  gint64           leads_before;
  Answer           answer;
  JsonArray       *jobs;

  /* Lease both. */
  send_signed (fixture, "/api/v1/jobs/lease", "{\"max\":5,\"wait_s\":0}", 0, NULL, NULL, &answer);
  g_assert_cmpuint (answer.status, ==, 200);
  jobs = json_object_get_array_member (answer.object, "jobs");
  g_assert_cmpuint (json_array_get_length (jobs), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *job = json_array_get_object_element (jobs, i);
      JsonObject *payload = json_object_get_object_member (job, "payload");

      g_assert_cmpint (json_object_get_int_member (job, "attempt"), ==, 1);
      g_assert_cmpstr (json_object_get_string_member (job, "kind"), ==, "place_search");
      g_assert_cmpstr (json_object_get_string_member (payload, "country"), ==, "FR");
      if (json_object_get_int_member (job, "id") == job_a)
        token_a = g_strdup (json_object_get_string_member (job, "lease_token"));
      else if (json_object_get_int_member (job, "id") == job_b)
        token_b = g_strdup (json_object_get_string_member (job, "lease_token"));
    }
  g_assert_nonnull (token_a);
  g_assert_nonnull (token_b);
  answer_clear (&answer);

  /* Nothing left: an empty list at once. */
  send_signed (fixture, "/api/v1/jobs/lease", "{\"max\":1}", 0, NULL, NULL, &answer);
  g_assert_cmpuint (answer.status, ==, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (answer.object, "jobs")),
                    ==, 0);
  answer_clear (&answer);

  /* Extend with the token, and with a wrong one. */
  path = g_strdup_printf ("/api/v1/jobs/%" G_GINT64_FORMAT "/extend", job_a);
  body = g_strdup_printf ("{\"lease_token\":\"%s\"}", token_a);
  send_signed (fixture, path, body, 0, NULL, NULL, &answer);
  g_assert_cmpuint (answer.status, ==, 200);
  g_assert_cmpint (json_object_get_int_member (answer.object, "lease_expires_at"), >,
                   g_get_real_time () / G_USEC_PER_SEC);
  answer_clear (&answer);
  send_signed (fixture, path, "{\"lease_token\":\"0123456789abcdef0123456789abcdef\"}", 0, NULL,
               NULL, &answer);
  g_assert_cmpuint (answer.status, ==, 409);
  g_assert_cmpstr (answer.error_code, ==, "lease_lost");
  answer_clear (&answer);
  g_clear_pointer (&path, g_free);
  g_clear_pointer (&body, g_free);

  /* Report job A: two leads land (one preview-only), one result is refused. */
  leads_before = count_rows (fixture, "leads");
  path = g_strdup_printf ("/api/v1/jobs/%" G_GINT64_FORMAT "/report", job_a);
  body = g_strdup_printf (report_body_format, token_a);
  send_signed_full (fixture, path, body, 0, NULL, NULL, "job-a-page-1", &answer);
  g_assert_cmpuint (answer.status, ==, 200);
  g_assert_cmpint (json_object_get_int_member (answer.object, "accepted"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (answer.object, "new"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (answer.object, "preview"), ==, 1);
  {
    JsonArray *rejected = json_object_get_array_member (answer.object, "rejected");
    g_assert_cmpuint (json_array_get_length (rejected), ==, 1);
    g_assert_cmpint (
        json_object_get_int_member (json_array_get_object_element (rejected, 0), "index"), ==, 1);
  }
  g_assert_cmpint (count_rows (fixture, "leads"), ==, leads_before + 2);

  /* The job counts the two leads it added (the search's "new leads"). */
  {
    g_autofree char *sql =
        g_strdup_printf ("SELECT new_leads FROM internal_jobs WHERE id = %" G_GINT64_FORMAT, job_a);

    g_assert_cmpint (count_where (fixture, sql), ==, 2);
  }

  /* The same key and body: the same bytes, nothing applied again. */
  {
    g_autofree char *sql =
        g_strdup_printf ("SELECT new_leads FROM internal_jobs WHERE id = %" G_GINT64_FORMAT, job_a);
    Answer again;

    send_signed_full (fixture, path, body, 0, NULL, NULL, "job-a-page-1", &again);
    g_assert_cmpuint (again.status, ==, 200);
    g_assert_true (g_bytes_equal (again.raw, answer.raw));
    g_assert_cmpint (count_rows (fixture, "leads"), ==, leads_before + 2);
    g_assert_cmpint (count_where (fixture, sql), ==, 2);
    answer_clear (&again);
  }
  answer_clear (&answer);

  /* The same key with another body. */
  {
    g_autofree char *other = g_strdup_printf ("{\"lease_token\":\"%s\",\"results\":[]}", token_a);
    send_signed_full (fixture, path, other, 0, NULL, NULL, "job-a-page-1", &answer);
    g_assert_cmpuint (answer.status, ==, 422);
    g_assert_cmpstr (answer.error_code, ==, "idempotency_mismatch");
    answer_clear (&answer);
  }

  /* A new key after the job is done: the lease is gone. */
  send_signed_full (fixture, path, body, 0, NULL, NULL, "job-a-page-2", &answer);
  g_assert_cmpuint (answer.status, ==, 409);
  g_assert_cmpstr (answer.error_code, ==, "lease_lost");
  answer_clear (&answer);

  /* A report without an Idempotency-Key is malformed. */
  send_signed (fixture, path, body, 0, NULL, NULL, &answer);
  g_assert_cmpuint (answer.status, ==, 400);
  answer_clear (&answer);
  g_clear_pointer (&path, g_free);
  g_clear_pointer (&body, g_free);

  /* Fail job B: it goes back to the queue with a retry time. */
  path = g_strdup_printf ("/api/v1/jobs/%" G_GINT64_FORMAT "/fail", job_b);
  body = g_strdup_printf ("{\"lease_token\":\"%s\",\"error\":\"HTTP 503 from Overpass\","
                          "\"retryable\":true}",
                          token_b);
  send_signed (fixture, path, body, 0, NULL, NULL, &answer);
  g_assert_cmpuint (answer.status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (answer.object, "state"), ==, "queued");
  g_assert_cmpint (json_object_get_int_member (answer.object, "run_after"), >=,
                   g_get_real_time () / G_USEC_PER_SEC);
  answer_clear (&answer);
  /* The token is spent. */
  send_signed (fixture, path, body, 0, NULL, NULL, &answer);
  g_assert_cmpuint (answer.status, ==, 409);
  answer_clear (&answer);

  /* An unknown job. */
  send_signed (fixture, "/api/v1/jobs/999999/extend", "{\"lease_token\":\"x\"}", 0, NULL, NULL,
               &answer);
  g_assert_cmpuint (answer.status, ==, 404);
  g_assert_cmpstr (answer.error_code, ==, "not_found");
  answer_clear (&answer);

  /* Bad lease arguments. */
  assert_answer (fixture, "/api/v1/jobs/lease", "{\"max\":51}", 0, 400, "bad_request");
  assert_answer (fixture, "/api/v1/jobs/lease", "{\"max\":\"1\"}", 0, 400, "bad_request");
  assert_answer (fixture, "/api/v1/jobs/lease", "{\"wait_s\":31}", 0, 400, "bad_request");
}

typedef struct
{
  Fixture *fixture;
  guint    status;
  guint    n_jobs;
  gint64   elapsed_us;
} PollCall;

static gpointer
long_poll_thread (gpointer data)
{
  PollCall *call = data;
  gint64    start = g_get_monotonic_time ();
  Answer    answer;

  send_signed (call->fixture, "/api/v1/jobs/lease", "{\"max\":1,\"wait_s\":10}", 0, NULL, NULL,
               &answer);
  call->elapsed_us = g_get_monotonic_time () - start;
  call->status = answer.status;
  if (answer.object != NULL)
    call->n_jobs = json_array_get_length (json_object_get_array_member (answer.object, "jobs"));
  answer_clear (&answer);
  return NULL;
}

static void
test_api_long_poll (Fixture *fixture, gconstpointer data)
{
  PollCall call = { fixture };
  GThread *thread;
  Answer   answer;
  gint64   start;

  /* Work queued by another connection while the lease waits wakes it. */
  thread = g_thread_new ("long-poll", long_poll_thread, &call);
  g_usleep (500000);
  enqueue_job (fixture, "bakery");
  g_thread_join (thread);
  g_assert_cmpuint (call.status, ==, 200);
  g_assert_cmpuint (call.n_jobs, ==, 1);
  g_assert_cmpint (call.elapsed_us, >=, 400000);
  g_assert_cmpint (call.elapsed_us, <, 2 * G_USEC_PER_SEC);

  /* With no work the poll ends after wait_s with an empty list. */
  start = g_get_monotonic_time ();
  send_signed (fixture, "/api/v1/jobs/lease", "{\"max\":1,\"wait_s\":1}", 0, NULL, NULL, &answer);
  g_assert_cmpuint (answer.status, ==, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (answer.object, "jobs")),
                    ==, 0);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 900000);
  answer_clear (&answer);
}

static void
test_api_long_poll_replayed (Fixture *fixture, gconstpointer data)
{
  const char *body = "{\"max\":1,\"wait_s\":1}";
  Answer      answer;

  /* A long poll's nonce is remembered like any other: the same request
   * again is refused, and takes no job. */
  send_signed (fixture, "/api/v1/jobs/lease", body, 0, "long-poll-nonce-0001", NULL, &answer);
  g_assert_cmpuint (answer.status, ==, 200);
  answer_clear (&answer);
  enqueue_job (fixture, "locksmith");
  send_signed (fixture, "/api/v1/jobs/lease", body, 0, "long-poll-nonce-0001", NULL, &answer);
  g_assert_cmpuint (answer.status, ==, 401);
  g_assert_cmpstr (answer.error_code, ==, "replayed");
  answer_clear (&answer);
  g_assert_cmpint (
      count_where (fixture, "SELECT count(*) FROM internal_jobs WHERE status = 'queued'"), ==, 1);
}

static void
test_api_long_poll_hang_up (Fixture *fixture, gconstpointer data)
{
  const char      *body = "{\"max\":1,\"wait_s\":20}";
  g_autofree char *timestamp =
      g_strdup_printf ("%" G_GINT64_FORMAT, g_get_real_time () / G_USEC_PER_SEC);
  g_autofree char *nonce = nexus_signature_new_nonce ();
  g_autofree char *signature =
      nexus_signature_compute (fixture->worker->secret, "POST", "/api/v1/jobs/lease", timestamp,
                               nonce, (const guint8 *)body, strlen (body));
  g_autofree char *request = g_strdup_printf (
      "POST /api/v1/jobs/lease HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: %zu\r\nX-Nexus-Worker: %s\r\nX-Nexus-Timestamp: %s\r\n"
      "X-Nexus-Nonce: %s\r\nX-Nexus-Signature: %s\r\n\r\n%s",
      strlen (body), fixture->worker->worker_id, timestamp, nonce, signature, body);
  Answer answer;

  /* A worker starts a long poll and hangs up. */
  {
    g_autoptr (GSocketConnection) connection = connect_raw (fixture);
    g_assert_true (
        g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                                   request, strlen (request), NULL, NULL, NULL));
    g_usleep (300000);
    g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  }

  /* The job queued next goes to a worker that is still there. */
  enqueue_job (fixture, "dentist");
  g_usleep (500000);
  send_signed (fixture, "/api/v1/jobs/lease", "{\"max\":1,\"wait_s\":0}", 0, NULL, NULL, &answer);
  g_assert_cmpuint (answer.status, ==, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (answer.object, "jobs")),
                    ==, 1);
  answer_clear (&answer);
}

static void
test_api_events (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusConnection) operator= NULL;
  g_autoptr (GSocketConnection) connection = NULL;
  g_autofree char *timestamp =
      g_strdup_printf ("%" G_GINT64_FORMAT, g_get_real_time () / G_USEC_PER_SEC);
  g_autofree char *nonce = nexus_signature_new_nonce ();
  g_autofree char *signature = NULL;
  g_autofree char *request = NULL;
  g_autoptr (GString) received = g_string_new (NULL);
  GInputStream *input;
  Answer        answer;

  operator= add_identity (fixture, "dashboard", NEXUS_ROLE_OPERATOR);

  /* A worker's credentials do not open the stream. */
  {
    g_autoptr (GBytes) body = NULL;
    g_assert_cmpuint (get_signed (fixture, fixture->worker, "/api/v1/events", NULL, &body), ==,
                      401);
  }

  /* The operator's stream sees a lease made after it opened. */
  signature = nexus_signature_compute (operator->secret, "GET", "/api/v1/events?since=0", timestamp,
                                       nonce, NULL, 0);
  request = g_strdup_printf ("GET /api/v1/events?since=0 HTTP/1.1\r\nHost: x\r\n"
                             "X-Nexus-Worker: %s\r\nX-Nexus-Timestamp: %s\r\nX-Nexus-Nonce: %s\r\n"
                             "X-Nexus-Signature: %s\r\n\r\n",
                             operator->worker_id, timestamp, nonce, signature);
  connection = connect_raw (fixture);
  g_assert_true (
      g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)), request,
                                 strlen (request), NULL, NULL, NULL));
  input = g_io_stream_get_input_stream (G_IO_STREAM (connection));

  enqueue_job (fixture, "pharmacy");
  send_signed (fixture, "/api/v1/jobs/lease", "{\"max\":1}", 0, NULL, NULL, &answer);
  g_assert_cmpuint (answer.status, ==, 200);
  answer_clear (&answer);

  while (strstr (received->str, "event: job.leased") == NULL)
    {
      char   buffer[1024];
      gssize n = g_input_stream_read (input, buffer, sizeof buffer, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (n, >, 0);
      g_string_append_len (received, buffer, n);
    }
  g_assert_true (g_str_has_prefix (received->str, "HTTP/1.1 200"));
  g_assert_nonnull (strstr (received->str, "text/event-stream"));
  g_assert_nonnull (strstr (received->str, "\"kind\":\"job.leased\""));
}

typedef struct
{
  Fixture    *fixture;
  const char *path;
  const char *body;
  const char *key;
  guint       status;
  char       *error_code;
} ReportCall;

static gpointer
report_thread (gpointer data)
{
  ReportCall *call = data;
  Answer      answer;

  send_signed_full (call->fixture, call->path, call->body, 0, NULL, NULL, call->key, &answer);
  call->status = answer.status;
  call->error_code = g_strdup (answer.error_code);
  answer_clear (&answer);
  return NULL;
}

static void
test_api_in_progress (Fixture *fixture, gconstpointer data)
{
  g_autofree char *token = NULL;
  g_autofree char *path = NULL;
  g_autofree char *body = NULL;
  gint64           job = enqueue_job (fixture, "florist");
  ReportCall       first = { fixture };
  GThread         *thread;
  Answer           answer;

  token = lease_token (fixture, NULL);

  path = g_strdup_printf ("/api/v1/jobs/%" G_GINT64_FORMAT "/report", job);
  body = g_strdup_printf (report_body_format, token);
  first.path = path;
  first.body = body;
  first.key = "florist-page-1";

  /* The commit waits 1.5 s: a second copy arriving meanwhile is refused
   * as in progress, and the first still lands. */
  thread = g_thread_new ("report", report_thread, &first);
  g_usleep (400000);
  send_signed_full (fixture, path, body, 0, NULL, NULL, "florist-page-1", &answer);
  g_assert_cmpuint (answer.status, ==, 409);
  g_assert_cmpstr (answer.error_code, ==, "in_progress");
  answer_clear (&answer);
  g_thread_join (thread);
  g_assert_cmpuint (first.status, ==, 200);
  g_free (first.error_code);

  /* After the commit the same request gets the stored answer. */
  send_signed_full (fixture, path, body, 0, NULL, NULL, "florist-page-1", &answer);
  g_assert_cmpuint (answer.status, ==, 200);
  answer_clear (&answer);
}

static void
test_api_draining (Fixture *fixture, gconstpointer data)
{
  Answer answer;

  nexus_engine_set_api_draining (fixture->engine, TRUE);
  send_signed (fixture, "/api/v1/heartbeat", "{}", 0, NULL, NULL, &answer);
  g_assert_cmpuint (answer.status, ==, 503);
  g_assert_cmpstr (answer.error_code, ==, "shutting_down");
  g_assert_nonnull (answer.retry_after);
  answer_clear (&answer);

  nexus_engine_set_api_draining (fixture->engine, FALSE);
  assert_answer (fixture, "/api/v1/heartbeat", "{}", 0, 200, NULL);
}

/* The text of @body contains @needle. */
static void
assert_has (GBytes *body, const char *needle)
{
  if (g_strstr_len (g_bytes_get_data (body, NULL), g_bytes_get_size (body), needle) == NULL)
    g_error ("“%s” not in:\n%.*s", needle, (int)g_bytes_get_size (body),
             (const char *)g_bytes_get_data (body, NULL));
}

static void
test_api_metrics_credentials (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusConnection) operator= add_identity (fixture, "prometheus", NEXUS_ROLE_OPERATOR);
  g_autoptr (GBytes) body = NULL;
  g_autofree char *token = NULL;
  g_autofree char *path = NULL;
  g_autofree char *report = NULL;
  g_autofree char *nonce = nexus_signature_new_nonce ();
  gint64           job = 0;
  Answer           answer;

  /* Some work to count: a heartbeat, a lease, a report of three results
   * (two accepted). */
  assert_answer (fixture, "/api/v1/heartbeat", "{\"version\":\"0.1.0\"}", 0, 200, NULL);
  enqueue_job (fixture, "bakery");
  enqueue_job (fixture, "butcher");
  token = lease_token (fixture, &job);
  path = g_strdup_printf ("/api/v1/jobs/%" G_GINT64_FORMAT "/report", job);
  report = g_strdup_printf (report_body_format, token);
  send_signed_full (fixture, path, report, 0, NULL, NULL, "bakery-1", &answer);
  g_assert_cmpuint (answer.status, ==, 200);
  answer_clear (&answer);

  /* Operator credentials: Prometheus text with every series. */
  g_assert_cmpuint (get_signed (fixture, operator, "/metrics", nonce, &body), ==, 200);
  assert_has (body, "# TYPE nexus_api_requests_total counter\n");
  assert_has (body, "nexus_api_requests_total{endpoint=\"heartbeat\",status=\"200\"} 1\n");
  assert_has (body, "nexus_api_requests_total{endpoint=\"lease\",status=\"200\"} 1\n");
  assert_has (body, "nexus_api_requests_total{endpoint=\"report\",status=\"200\"} 1\n");
  assert_has (body, "# TYPE nexus_lease_latency_seconds histogram\n");
  assert_has (body, "nexus_lease_latency_seconds_bucket{le=\"+Inf\"} 1\n");
  assert_has (body, "nexus_lease_latency_seconds_count 1\n");
  assert_has (body, "# TYPE nexus_jobs gauge\n");
  assert_has (body, "nexus_jobs{state=\"done\"} 1\n");
  /* The other search job, and the enrichment of the lead without a phone. */
  assert_has (body, "nexus_jobs{state=\"queued\"} 2\n");
  assert_has (body, "nexus_leads_ingested_total 2\n");
  assert_has (body, "nexus_workers_connected 1\n");
  g_clear_pointer (&body, g_bytes_unref);

  /* The same signed request again is a replay. */
  g_assert_cmpuint (get_signed (fixture, operator, "/metrics", nonce, &body), ==, 401);
  assert_has (body, "\"error\":\"replayed\"");
  g_clear_pointer (&body, g_bytes_unref);

  /* A worker's credentials are refused, even from loopback: a signed
   * request is judged by its signature. */
  g_assert_cmpuint (get_signed (fixture, fixture->worker, "/metrics", NULL, &body), ==, 401);
  assert_has (body, "\"error\":\"unauthorized\"");
  g_assert_null (g_strstr_len (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                               "nexus_api_requests_total"));
  g_clear_pointer (&body, g_bytes_unref);

  /* So is an operator whose credentials were revoked meanwhile. */
  {
    g_autoptr (GError) error = NULL;
    g_assert_true (nexus_workers_revoke (fixture->admin, operator->worker_id, &error));
    g_assert_no_error (error);
  }
  g_assert_cmpuint (get_signed (fixture, operator, "/metrics", NULL, &body), ==, 403);
  assert_has (body, "\"error\":\"revoked\"");
}

/* One simulated worker for the concurrency tests: leases and reports
 * until the queue is empty or the engine stops answering. */
typedef struct
{
  Fixture         *fixture;
  NexusConnection *identity;
  SoupSession     *session;
  gint             reported; /* reports answered 200 (atomic) */
  GPtrArray       *jobs;     /* gint64* of jobs whose report was answered 200 */
  gboolean         stop_on_error;
} Worker;

static gboolean
worker_send (Worker *worker, const char *path, const char *body, const char *key, Answer *answer)
{
  g_autoptr (GError) error = NULL;
  gboolean sent = post_signed (worker->session, worker->fixture->port, worker->identity, path, body,
                               0, NULL, NULL, key, answer, &error);

  /* Said before any assertion fails on it, for the test log. */
  if (!sent || answer->status != 200)
    g_test_message ("%s: %u %s", path, sent ? answer->status : 0,
                    sent ? (answer->error_code != NULL ? answer->error_code : "") : error->message);
  return sent;
}

static gpointer
worker_thread (gpointer data)
{
  Worker *worker = data;

  for (;;)
    {
      g_autofree char *path = NULL;
      g_autofree char *body = NULL;
      g_autofree char *key = NULL;
      g_autofree char *token = NULL;
      JsonArray       *jobs;
      JsonObject      *job;
      gint64           job_id;
      Answer           answer;

      if (!worker_send (worker, "/api/v1/jobs/lease", "{\"max\":1}", NULL, &answer) ||
          answer.status != 200)
        {
          g_assert_true (worker->stop_on_error);
          answer_clear (&answer);
          break;
        }
      jobs = json_object_get_array_member (answer.object, "jobs");
      if (json_array_get_length (jobs) == 0)
        {
          answer_clear (&answer);
          break;
        }
      job = json_array_get_object_element (jobs, 0);
      job_id = json_object_get_int_member (job, "id");
      token = g_strdup (json_object_get_string_member (job, "lease_token"));
      answer_clear (&answer);

      path = g_strdup_printf ("/api/v1/jobs/%" G_GINT64_FORMAT "/report", job_id);
      body = g_strdup_printf (
          "{\"lease_token\":\"%s\",\"final\":true,\"results\":[{\"provider\":\"overpass\","
          "\"ref\":\"node/%" G_GINT64_FORMAT "\",\"name\":\"Maison %" G_GINT64_FORMAT "\","
          "\"phones\":[\"+33 1 42 %02d %02d %02d\"],\"country\":\"FR\"}]}",
          token, job_id, job_id, (int)(job_id / 10000 % 100), (int)(job_id / 100 % 100),
          (int)(job_id % 100));
      key = g_strdup_printf ("job-%" G_GINT64_FORMAT, job_id);
      if (!worker_send (worker, path, body, key, &answer) || answer.status != 200)
        {
          g_assert_true (worker->stop_on_error);
          answer_clear (&answer);
          break;
        }
      g_assert_cmpint (json_object_get_int_member (answer.object, "accepted"), ==, 1);
      g_atomic_int_inc (&worker->reported);
      g_ptr_array_add (worker->jobs, g_memdup2 (&job_id, sizeof job_id));
      answer_clear (&answer);
    }
  return NULL;
}

#define N_WORKERS 6

/* N_WORKERS workers, each with its own identity and connection, lease and
 * report @n_jobs jobs at once.  With @stop_after > 0 the engine shuts down
 * as soon as that many reports were answered, requests in flight.  Returns
 * the reports answered 200, their jobs in @out_jobs. */
static guint
run_workers (Fixture *fixture, guint n_jobs, guint stop_after, GPtrArray *out_jobs)
{
  Worker   workers[N_WORKERS] = { 0 };
  GThread *threads[N_WORKERS];
  guint    reported = 0;

  for (guint i = 0; i < n_jobs; i++)
    enqueue_job (fixture, "grocer");
  for (guint i = 0; i < N_WORKERS; i++)
    {
      g_autofree char *name = g_strdup_printf ("parallel-%u", i);

      workers[i].fixture = fixture;
      workers[i].identity = add_identity (fixture, name, NEXUS_ROLE_WORKER);
      workers[i].session = soup_session_new_with_options ("timeout", 20, NULL);
      workers[i].jobs = g_ptr_array_new_with_free_func (g_free);
      workers[i].stop_on_error = stop_after > 0;
    }
  for (guint i = 0; i < N_WORKERS; i++)
    threads[i] = g_thread_new ("worker", worker_thread, &workers[i]);
  if (stop_after > 0)
    {
      for (guint answered = 0; answered < stop_after;)
        {
          g_usleep (1000);
          answered = 0;
          for (guint i = 0; i < N_WORKERS; i++)
            answered += (guint)g_atomic_int_get (&workers[i].reported);
        }
      nexus_engine_shutdown (fixture->engine);
    }
  for (guint i = 0; i < N_WORKERS; i++)
    {
      g_thread_join (threads[i]);
      reported += (guint)workers[i].reported;
      for (guint j = 0; j < workers[i].jobs->len; j++)
        g_ptr_array_add (out_jobs, g_memdup2 (workers[i].jobs->pdata[j], sizeof (gint64)));
      g_ptr_array_unref (workers[i].jobs);
      g_object_unref (workers[i].session);
      nexus_connection_free (workers[i].identity);
    }
  return reported;
}

static void
test_api_concurrent_workers (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GPtrArray) jobs = g_ptr_array_new_with_free_func (g_free);
  guint n_jobs = 120;

  /* Every job is reported exactly once, by the worker that leased it; each
   * request's nonce is remembered; each report's answer is kept. */
  g_assert_cmpuint (run_workers (fixture, n_jobs, 0, jobs), ==, n_jobs);
  g_assert_cmpint (
      count_where (fixture, "SELECT count(*) FROM internal_jobs WHERE status = 'done'"), ==,
      n_jobs);
  g_assert_cmpint (count_rows (fixture, "leads"), ==, n_jobs);
  g_assert_cmpint (count_rows (fixture, "lead_sources"), ==, n_jobs);
  g_assert_cmpint (count_rows (fixture, "idempotency_keys"), ==, n_jobs);
  /* A lease and a report per job, and one empty lease per worker. */
  g_assert_cmpint (count_rows (fixture, "hmac_replay"), ==, 2 * n_jobs + N_WORKERS);
  g_assert_cmpint (count_where (fixture, "SELECT count(*) FROM internal_jobs j JOIN lead_sources s"
                                         " ON s.job_id = j.id AND s.worker_id = j.lease_worker_id"),
                   ==, n_jobs);
  g_assert_cmpint (count_where (fixture, "SELECT sum(jobs_done) FROM workers"), ==, n_jobs);
}

static void
test_api_shutdown_in_flight (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GPtrArray) jobs = g_ptr_array_new_with_free_func (g_free);
  guint reported;

  /* The engine stops while six workers lease and report: it neither hangs
   * nor crashes, and every report it answered 200 is in the database
   * exactly once. */
  reported = run_workers (fixture, 2000, 30, jobs);
  g_assert_cmpuint (reported, >=, 30);
  g_assert_cmpuint (reported, <, 2000);
  for (guint i = 0; i < jobs->len; i++)
    {
      g_autofree char *sql = g_strdup_printf (
          "SELECT count(*) FROM internal_jobs j JOIN lead_sources s ON s.job_id = j.id"
          " WHERE j.id = %" G_GINT64_FORMAT " AND j.status = 'done'",
          *(gint64 *)jobs->pdata[i]);
      g_assert_cmpint (count_where (fixture, sql), ==, 1);
    }
  g_assert_cmpint (
      count_where (fixture, "SELECT count(*) FROM internal_jobs WHERE status = 'done'"), >=,
      reported);
  g_assert_cmpint (count_rows (fixture, "idempotency_keys"), >=, reported);
}

int
main (int argc, char *argv[])
{
  static NexusApiConfig fast;
  static NexusApiConfig limited;
  static NexusApiConfig slow_commit;

  g_test_init (&argc, &argv, NULL);
  g_unsetenv ("NEXUS_INTERNAL_SECRET");

  nexus_api_config_init_default (&fast);
  fast.header_timeout_ms = 1000;
  fast.body_timeout_ms = 1000;
  nexus_api_config_init_default (&limited);
  limited.address_rate = 0.2;
  limited.address_burst = 5;
  nexus_api_config_init_default (&slow_commit);
  slow_commit.commit_delay_ms = 1500;

#define ADD(path, config, func) \
  g_test_add (path, Fixture, config, fixture_set_up, func, fixture_tear_down)

  ADD ("/nexus/Api/heartbeat", NULL, test_api_heartbeat);
  ADD ("/nexus/Api/auth-errors", NULL, test_api_auth_errors);
  ADD ("/nexus/Api/rotation", NULL, test_api_rotation);
  ADD ("/nexus/Api/bad-bodies", NULL, test_api_bad_bodies);
  ADD ("/nexus/Api/malformed-http", NULL, test_api_malformed_http);
  ADD ("/nexus/Api/media-type", NULL, test_api_media_type);
  ADD ("/nexus/Api/huge-upload", NULL, test_api_huge_upload);
  ADD ("/nexus/Api/slow-clients", &fast, test_api_slow_clients);
  ADD ("/nexus/Api/rate-limit", &limited, test_api_rate_limit);
  ADD ("/nexus/Api/metrics", NULL, test_api_metrics);
  g_test_add_func ("/nexus/Api/tls-pinned-certificate", test_api_tls);
  ADD ("/nexus/Api/lease-extend-report-fail", NULL, test_api_job_flow);
  ADD ("/nexus/Api/long-poll", NULL, test_api_long_poll);
  ADD ("/nexus/Api/long-poll-hang-up", NULL, test_api_long_poll_hang_up);
  ADD ("/nexus/Api/long-poll-replayed", NULL, test_api_long_poll_replayed);
  ADD ("/nexus/Api/events-stream", NULL, test_api_events);
  ADD ("/nexus/Api/report-in-progress", &slow_commit, test_api_in_progress);
  ADD ("/nexus/Api/draining", NULL, test_api_draining);
  ADD ("/nexus/Api/metrics-credentials", NULL, test_api_metrics_credentials);
  ADD ("/nexus/Api/concurrent-workers", NULL, test_api_concurrent_workers);
  ADD ("/nexus/Api/shutdown-in-flight", NULL, test_api_shutdown_in_flight);

#undef ADD

  return g_test_run ();
}
