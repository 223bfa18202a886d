/* nexus-worker-client.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nexus-worker"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>
#include <libsoup/soup.h>
#include <string.h>

#include "api/nexus-signature.h"
#include "api/nexus-tls.h"
#include "nexus-worker-client.h"

/* Error messages quote at most this much of an answer. */
#define MAX_ECHO 200

struct _NexusWorkerClient
{
  SoupSession *session;     /* this thread's; keeps connections alive between requests */
  char        *base_url;    /* "http(s)://HOST:PORT", no secret */
  char        *worker_id;   /* X-Nexus-Worker */
  char        *secret;      /* the HMAC key; never logged */
  char        *fingerprint; /* pinned certificate, lowercase hex; NULL for plain HTTP */
};

/* clang-format off */
G_DEFINE_QUARK (nexus-worker-error-quark, nexus_worker_error)
/* clang-format on */

/**
 * nexus_worker_client_new:
 * @connection: a parsed connection string; copied
 * @timeout_s: seconds a request may take in all (a long poll's wait
 *   included)
 */
NexusWorkerClient *
nexus_worker_client_new (const NexusConnection *connection, guint timeout_s)
{
  NexusWorkerClient *self = g_new0 (NexusWorkerClient, 1);

  self->base_url = nexus_connection_base_url (connection);
  self->worker_id = g_strdup (connection->worker_id);
  self->secret = g_strdup (connection->secret);
  self->fingerprint = g_strdup (connection->tls_fingerprint);
  self->session =
      soup_session_new_with_options ("timeout", timeout_s, "idle-timeout", 60, "user-agent",
                                     "nexus-worker/" PACKAGE_VERSION, NULL);
  /* No CA decides: every certificate reaches accept-certificate, where
   * only the pinned one is taken. */
  soup_session_set_tls_database (self->session, NULL);
  return self;
}

void
nexus_worker_client_free (NexusWorkerClient *self)
{
  if (self == NULL)
    return;
  g_clear_object (&self->session);
  g_free (self->base_url);
  g_free (self->worker_id);
  if (self->secret != NULL)
    memset (self->secret, 0, strlen (self->secret));
  g_free (self->secret);
  g_free (self->fingerprint);
  g_free (self);
}

const char *
nexus_worker_client_get_base_url (NexusWorkerClient *self)
{
  return self->base_url;
}

static gboolean
accept_certificate_cb (SoupMessage         *msg,
                       GTlsCertificate     *certificate,
                       GTlsCertificateFlags errors,
                       gpointer             user_data)
{
  NexusWorkerClient *self = user_data;
  g_autofree char   *fingerprint = NULL;

  if (self->fingerprint == NULL || certificate == NULL)
    return FALSE;
  fingerprint = nexus_tls_fingerprint (certificate);
  return nexus_constant_time_equal (fingerprint, self->fingerprint);
}

/* The error code of an answer's status and {"error":CODE}. */
static NexusWorkerError
classify_status (guint status, const char *code)
{
  if (status == 409 && g_strcmp0 (code, "in_progress") == 0)
    return NEXUS_WORKER_ERROR_IN_PROGRESS;
  if (status == 409 || status == 404)
    return NEXUS_WORKER_ERROR_LEASE_LOST;
  if (status == 401 && g_strcmp0 (code, "stale_timestamp") != 0 &&
      g_strcmp0 (code, "replayed") != 0)
    return NEXUS_WORKER_ERROR_REFUSED;
  if (status == 403)
    return NEXUS_WORKER_ERROR_REFUSED;
  /* A stale timestamp (our clock) or a replay (a retried nonce) may pass
   * on the next try with a fresh timestamp and nonce. */
  if (status == 401 || status == 429 || status >= 500)
    return NEXUS_WORKER_ERROR_SERVER;
  return NEXUS_WORKER_ERROR_REQUEST;
}

/**
 * nexus_worker_client_post:
 * @path: "/api/v1/…", signed as it is
 * @body: the JSON text, sent byte for byte as signed
 * @idempotency_key: (nullable): the report's key
 * @out_retry_after_s: (out) (optional): Retry-After of a 429 or 503, else 0
 *
 * Returns: (transfer full) (nullable): the answer of a 200, or %NULL with
 *   a %NEXUS_WORKER_ERROR (or %G_IO_ERROR_CANCELLED)
 */
JsonNode *
nexus_worker_client_post (NexusWorkerClient *self,
                          const char        *path,
                          const char        *body,
                          const char        *idempotency_key,
                          gint64            *out_retry_after_s,
                          GCancellable      *cancellable,
                          GError           **error)
{
  g_autofree char *url = g_strconcat (self->base_url, path, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr (GBytes) request = NULL;
  g_autoptr (GBytes) response = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autoptr (JsonNode) answer = NULL;
  g_autofree char    *timestamp = NULL;
  g_autofree char    *nonce = NULL;
  g_autofree char    *signature = NULL;
  SoupMessageHeaders *headers;
  const char         *code = NULL;
  const char         *message = NULL;
  const char         *retry_after;
  gsize               length = strlen (body);
  guint               status;

  if (out_retry_after_s != NULL)
    *out_retry_after_s = 0;
  if (msg == NULL)
    {
      g_set_error (error, NEXUS_WORKER_ERROR, NEXUS_WORKER_ERROR_REQUEST,
                   _ ("Cannot make a request to %s"), self->base_url);
      return NULL;
    }

  timestamp = g_strdup_printf ("%" PRId64, g_get_real_time () / G_USEC_PER_SEC);
  nonce = nexus_signature_new_nonce ();
  signature = nexus_signature_compute (self->secret, "POST", path, timestamp, nonce,
                                       (const guint8 *)body, length);
  headers = soup_message_get_request_headers (msg);
  soup_message_headers_replace (headers, "X-Nexus-Worker", self->worker_id);
  soup_message_headers_replace (headers, "X-Nexus-Timestamp", timestamp);
  soup_message_headers_replace (headers, "X-Nexus-Nonce", nonce);
  soup_message_headers_replace (headers, "X-Nexus-Signature", signature);
  if (idempotency_key != NULL)
    soup_message_headers_replace (headers, "Idempotency-Key", idempotency_key);
  request = g_bytes_new (body, length);
  soup_message_set_request_body_from_bytes (msg, "application/json", request);
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_certificate_cb), self);

  response = soup_session_send_and_read (self->session, msg, cancellable, &local_error);
  if (response == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else if (local_error->domain == G_TLS_ERROR)
        g_set_error (error, NEXUS_WORKER_ERROR, NEXUS_WORKER_ERROR_NETWORK,
                     _ ("The engine at %s did not show the pinned certificate"), self->base_url);
      else
        g_set_error (error, NEXUS_WORKER_ERROR, NEXUS_WORKER_ERROR_NETWORK,
                     _ ("No answer from the engine at %s: %s"), self->base_url,
                     local_error->message);
      return NULL;
    }

  status = soup_message_get_status (msg);
  answer = json_from_string (g_bytes_get_data (response, NULL), NULL);
  if (status == SOUP_STATUS_OK && answer != NULL && JSON_NODE_HOLDS_OBJECT (answer))
    return g_steal_pointer (&answer);

  retry_after =
      soup_message_headers_get_one (soup_message_get_response_headers (msg), "Retry-After");
  if (retry_after != NULL && out_retry_after_s != NULL)
    *out_retry_after_s = CLAMP (g_ascii_strtoll (retry_after, NULL, 10), 0, 3600);
  if (answer != NULL && JSON_NODE_HOLDS_OBJECT (answer))
    {
      JsonObject *object = json_node_get_object (answer);

      if (json_object_has_member (object, "error") &&
          JSON_NODE_HOLDS_VALUE (json_object_get_member (object, "error")))
        code = json_object_get_string_member (object, "error");
      if (json_object_has_member (object, "message") &&
          JSON_NODE_HOLDS_VALUE (json_object_get_member (object, "message")))
        message = json_object_get_string_member (object, "message");
    }
  if (status == SOUP_STATUS_OK)
    {
      g_set_error (error, NEXUS_WORKER_ERROR, NEXUS_WORKER_ERROR_SERVER,
                   _ ("The engine's answer to %s is not a JSON object"), path);
      return NULL;
    }

  {
    g_autofree char *shown = message != NULL
                                 ? g_utf8_make_valid (message, MIN (strlen (message), MAX_ECHO))
                                 : g_strdup (soup_status_get_phrase (status));
    g_autofree char *shown_code =
        code != NULL ? g_utf8_make_valid (code, MIN (strlen (code), 40)) : g_strdup ("-");

    g_set_error (error, NEXUS_WORKER_ERROR, classify_status (status, code),
                 _ ("The engine answered %s with HTTP %u %s: %s"), path, status, shown_code, shown);
  }
  return NULL;
}

/* nexus_worker_client_post() of a JSON tree, without idempotency key. */
JsonNode *
nexus_worker_client_post_json (NexusWorkerClient *self,
                               const char        *path,
                               JsonNode          *body,
                               GCancellable      *cancellable,
                               GError           **error)
{
  g_autofree char *text = json_to_string (body, FALSE);

  return nexus_worker_client_post (self, path, text, NULL, NULL, cancellable, error);
}

/**
 * nexus_worker_backoff_ms:
 * @attempt: 1 for the first retry
 * @rand: the random source
 *
 * Capped exponential backoff with jitter: a step of
 * MIN (cap, base × 2^(attempt − 1)), and a wait drawn uniformly from its
 * upper half, so workers that lost the engine together do not come back
 * together, and no wait is ever near zero.
 *
 * Returns: milliseconds to wait
 */
guint
nexus_worker_backoff_ms (guint attempt, GRand *rand)
{
  guint64 step = NEXUS_WORKER_BACKOFF_BASE_MS;

  for (guint i = 1; i < attempt && step < NEXUS_WORKER_BACKOFF_CAP_MS; i++)
    step *= 2;
  step = MIN (step, NEXUS_WORKER_BACKOFF_CAP_MS);
  return (guint)(step / 2 + g_rand_int_range (rand, 0, (gint32)(step / 2) + 1));
}
