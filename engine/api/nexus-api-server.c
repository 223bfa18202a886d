/* nexus-api-server.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nexus-api"

#include "config.h"

#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <glib/gi18n.h>
#include <libsoup/soup.h>
#include <string.h>

#include "nexus-api-private.h"
#include "nexus-engine.h"
#include "nexus-rate-limiter.h"
#include "nexus-signature.h"
#include "nexus-workers.h"
#include "store/nexus-store-api.h"

#define MAX_JSON_DEPTH    32
#define SWEEP_INTERVAL_MS 250
/* Nothing in an error message echoes more than this much input. */
#define MAX_ECHO          200
#define PURGE_INTERVAL_US (60 * G_USEC_PER_SEC)

G_DEFINE_FINAL_TYPE (NexusApiServer, nexus_api_server, G_TYPE_OBJECT)

static GQuark request_state_quark;

void
nexus_api_config_init_default (NexusApiConfig *config)
{
  config->max_body = 8 * 1024 * 1024;
  config->header_timeout_ms = 30000;
  config->body_timeout_ms = 30000;
  config->address_rate = 200.0;
  config->address_burst = 400;
  config->worker_rate = 50.0;
  config->worker_burst = 100;
  config->lease_ttl_s = 120;
  config->max_wait_s = 30;
  config->tls = FALSE;
  config->commit_delay_ms = 0;
}

static void
request_state_free (gpointer data)
{
  RequestState *state = data;

  /* A message can go away without request-finished (a stolen
   * connection): forget it here too. */
  if (state->server->open_requests != NULL)
    g_hash_table_remove (state->server->open_requests, state->msg);

  g_clear_pointer (&state->body, g_byte_array_unref);
  g_free (state->signed_path);
  g_free (state);
}

static RequestState *
request_state_get (SoupServerMessage *msg)
{
  return g_object_get_qdata (G_OBJECT (msg), request_state_quark);
}

/* Counted once per request: the key is put together on the stack and
 * only copied the first time it is seen. */
void
_nexus_api_count (NexusApiServer *self, const char *endpoint, guint status)
{
  char   key[64];
  gsize  length = strlen (endpoint);
  gsize *count;

  if (length > sizeof key - 16)
    length = sizeof key - 16;
  memcpy (key, endpoint, length);
  key[length++] = ' ';
  if (status >= 100 && status <= 999)
    {
      key[length++] = (char)('0' + status / 100);
      key[length++] = (char)('0' + status / 10 % 10);
      key[length++] = (char)('0' + status % 10);
      key[length] = '\0';
    }
  else
    g_snprintf (key + length, sizeof key - length, "%u", status);

  count = g_hash_table_lookup (self->request_counts, key);
  if (count == NULL)
    {
      count = g_new0 (gsize, 1);
      g_hash_table_insert (self->request_counts, g_strdup (key), count);
    }
  (*count)++;
}

/* Every error is {"error":CODE,"message":TEXT}; TEXT never holds more than
 * MAX_ECHO bytes of anything the client sent. */
/* {"error":CODE,"message":TEXT} */
static char *
error_body (const char *code, const char *message, gsize *out_length)
{
  g_autoptr (JsonObject) object = json_object_new ();
  g_autoptr (JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  char *body;

  json_object_set_string_member (object, "error", code);
  json_object_set_string_member (object, "message", message);
  json_node_set_object (root, object);
  body = json_to_string (root, FALSE);
  *out_length = strlen (body);
  return body;
}

void
_nexus_api_send_error (SoupServerMessage *msg, guint status, const char *code, const char *message)
{
  gsize length;
  char *body = error_body (code, message, &length);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, body, length);
}

void
_nexus_api_send_json (SoupServerMessage *msg, guint status, JsonNode *root)
{
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  char *body;
  gsize length;

  json_generator_set_root (generator, root);
  body = json_generator_to_data (generator, &length);
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, body, length);
}

static void
send_rate_limited (SoupServerMessage *msg, gint64 retry_after_us)
{
  g_autofree char *seconds =
      g_strdup_printf ("%" PRId64, MAX ((retry_after_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC, 1));

  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After",
                                seconds);
  _nexus_api_send_error (msg, 429, "rate_limited", _ ("Too many requests; retry later"));
}

/* Ends a connection at once; libsoup then finishes the message with an
 * I/O error and drops it. */
static void
close_connection (SoupServerMessage *msg)
{
  GSocket *socket = soup_server_message_get_socket (msg);

  if (socket != NULL)
    g_socket_shutdown (socket, TRUE, TRUE, NULL);
}

typedef struct
{
  GIOStream *stream;
  GBytes    *bytes;
} Rejection;

static void
rejection_closed_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  Rejection *rejection = user_data;

  g_io_stream_close_finish (G_IO_STREAM (object), result, NULL);
  g_object_unref (rejection->stream);
  g_bytes_unref (rejection->bytes);
  g_free (rejection);
}

static void
rejection_written_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  Rejection *rejection = user_data;

  g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, NULL);
  g_io_stream_close_async (rejection->stream, G_PRIORITY_DEFAULT, NULL, rejection_closed_cb,
                           rejection);
}

/* Answers and closes right after the request headers.  libsoup 3.2 would
 * otherwise read (and buffer) the whole body before sending any status we
 * set, which is exactly what a refusal of an oversized, rate-limited or
 * mistyped request must avoid. */
static void
reject_now (SoupServerMessage *msg,
            guint              status,
            const char        *code,
            const char        *message,
            const char        *retry_after)
{
  gsize            length;
  g_autofree char *body = error_body (code, message, &length);
  g_autofree char *retry_header = NULL;
  Rejection       *rejection;
  char            *text;

  if (retry_after != NULL)
    retry_header = g_strdup_printf ("Retry-After: %s\r\n", retry_after);
  text = g_strdup_printf ("HTTP/1.1 %u %s\r\nContent-Type: application/json\r\n"
                          "Content-Length: %zu\r\nConnection: close\r\n%s\r\n%s",
                          status, soup_status_get_phrase (status), length,
                          retry_header != NULL ? retry_header : "", body);

  rejection = g_new0 (Rejection, 1);
  rejection->stream = soup_server_message_steal_connection (msg);
  rejection->bytes = g_bytes_new_take (text, strlen (text));
  g_output_stream_write_all_async (g_io_stream_get_output_stream (rejection->stream),
                                   g_bytes_get_data (rejection->bytes, NULL),
                                   g_bytes_get_size (rejection->bytes), G_PRIORITY_DEFAULT, NULL,
                                   rejection_written_cb, rejection);
}

static void
healthz_cb (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  NexusApiServer *self = user_data;
  const char     *method = soup_server_message_get_method (msg);

  if (g_strcmp0 (path, "/healthz") != 0)
    {
      _nexus_api_send_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", _ ("No such endpoint"));
      return;
    }
  if (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow",
                                    "GET, HEAD");
      _nexus_api_send_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "bad_request", _ ("Use GET"));
      return;
    }

  _nexus_api_count (self, "healthz", 200);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "ok", 2);
}

static void
not_found_cb (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  _nexus_api_send_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", _ ("No such endpoint"));
}

static void
got_chunk_cb (SoupServerMessage *msg, GBytes *chunk, gpointer user_data)
{
  RequestState *state = user_data;
  gsize         length = g_bytes_get_size (chunk);

  if (state->too_large)
    return;
  if (state->body->len + length > state->server->config.max_body)
    {
      /* A chunked body that passes the cap: stop reading it at all. */
      state->too_large = TRUE;
      g_byte_array_set_size (state->body, 0);
      close_connection (msg);
      return;
    }
  g_byte_array_append (state->body, g_bytes_get_data (chunk, NULL), length);
}

/* While a request is answered its connection is corked: libsoup writes the
 * status line and headers, then the body, and the two go out as one
 * segment (one send to the client, not two) once the answer is complete
 * (request_ended_cb) or the connection is handed to someone else.  The
 * kernel sends a corked segment after 200 ms at the latest. */
static void
set_corked (RequestState *state, gboolean corked)
{
  GSocket *socket;

  if (state->corked == corked)
    return;
  socket = soup_server_message_get_socket (state->msg);
  if (socket == NULL || g_socket_is_closed (socket))
    return;
  if (g_socket_set_option (socket, IPPROTO_TCP, TCP_CORK, corked, NULL))
    state->corked = corked;
}

void
_nexus_api_uncork (SoupServerMessage *msg)
{
  RequestState *state = request_state_get (msg);

  if (state != NULL)
    set_corked (state, FALSE);
}

/* The whole body is in: one handler on the server, not one per message.
 * A body of a declared length passed the cap check in the early handler,
 * so libsoup collected it (at most max_body bytes); it moves over here.  A
 * chunked one came in through got_chunk_cb already. */
static void
request_read_cb (SoupServer *server, SoupServerMessage *msg, gpointer user_data)
{
  RequestState    *state = request_state_get (msg);
  SoupMessageBody *request_body;
  GBytes          *bytes;

  if (state == NULL)
    return;
  state->body_complete = TRUE;
  /* What libsoup writes on this connection from now on is the answer. */
  set_corked (state, TRUE);
  if (!state->collect_body)
    return;

  request_body = soup_server_message_get_request_body (msg);
  bytes = soup_message_body_flatten (request_body);
  g_byte_array_append (state->body, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_bytes_unref (bytes);
  soup_message_body_truncate (request_body);
}

/* Runs once the request headers are read, before the body. */
static void
api_early_cb (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  NexusApiServer     *self = user_data;
  RequestState       *state = request_state_get (msg);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char         *address = soup_server_message_get_remote_host (msg);
  gint64              retry_after_us = 0;
  SoupEncoding        encoding;

  if (state == NULL)
    return;
  state->headers_us = g_get_monotonic_time ();

  if (!nexus_rate_limiter_check (self->address_limiter, address != NULL ? address : "?",
                                 state->headers_us, &retry_after_us))
    {
      g_autofree char *seconds = g_strdup_printf (
          "%" PRId64, MAX ((retry_after_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC, 1));
      _nexus_api_count (self, "any", 429);
      reject_now (msg, 429, "rate_limited", _ ("Too many requests; retry later"), seconds);
      return;
    }

  if (_nexus_api_stopping (self))
    {
      reject_now (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "shutting_down",
                  _ ("The engine is shutting down"), "5");
      return;
    }

  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      soup_message_headers_get_content_length (headers) > (goffset)self->config.max_body)
    {
      _nexus_api_count (self, "any", 413);
      reject_now (msg, 413, "payload_too_large",
                  _ ("The request body is larger than the server accepts"), NULL);
      return;
    }

  if (soup_server_message_get_method (msg) == SOUP_METHOD_POST)
    {
      const char *type = soup_message_headers_get_content_type (headers, NULL);
      if (g_strcmp0 (type, "application/json") != 0)
        {
          _nexus_api_count (self, "any", 415);
          reject_now (msg, 415, "unsupported_media_type", _ ("Send the body as application/json"),
                      NULL);
          return;
        }
    }

  /* A declared length is within the cap (checked above): libsoup reads
   * exactly that much, and request_read_cb takes it over.  Any other body
   * (chunked) has no length to check beforehand: got_chunk_cb collects it
   * up to the cap, and libsoup must not buffer it on its own. */
  encoding = soup_message_headers_get_encoding (headers);
  if (encoding == SOUP_ENCODING_CONTENT_LENGTH || encoding == SOUP_ENCODING_NONE)
    state->collect_body = TRUE;
  else
    {
      soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
      g_signal_connect (msg, "got-chunk", G_CALLBACK (got_chunk_cb), state);
    }
}

/* Depth of the deepest nesting of objects and arrays, outside strings.
 * json-glib recurses per level, so depth is checked before parsing. */
static guint
json_depth (const char *text, gsize length)
{
  guint    depth = 0;
  guint    deepest = 0;
  gboolean in_string = FALSE;

  for (gsize i = 0; i < length; i++)
    {
      char c = text[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }
      if (c == '"')
        in_string = TRUE;
      else if (c == '{' || c == '[')
        {
          depth++;
          deepest = MAX (deepest, depth);
        }
      else if ((c == '}' || c == ']') && depth > 0)
        depth--;
    }
  return deepest;
}

/* Parses a request body as a JSON object, or answers 400 and returns NULL. */
static JsonObject *
parse_body (SoupServerMessage *msg, GByteArray *body, JsonParser *parser)
{
  g_autoptr (GError) error = NULL;
  JsonNode *root;

  if (!g_utf8_validate ((const char *)body->data, body->len, NULL))
    {
      _nexus_api_send_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_request",
                             _ ("The body is not valid UTF-8"));
      return NULL;
    }
  if (json_depth ((const char *)body->data, body->len) > MAX_JSON_DEPTH)
    {
      _nexus_api_send_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_request",
                             _ ("The JSON is nested too deeply"));
      return NULL;
    }
  if (!json_parser_load_from_data (parser, (const char *)body->data, body->len, &error))
    {
      _nexus_api_send_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_request",
                             _ ("The body is not valid JSON"));
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      _nexus_api_send_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_request",
                             _ ("The body must be a JSON object"));
      return NULL;
    }
  return json_node_get_object (root);
}

static char *
path_and_query (SoupServerMessage *msg)
{
  GUri       *uri = soup_server_message_get_uri (msg);
  const char *query = g_uri_get_query (uri);

  return query != NULL ? g_strconcat (g_uri_get_path (uri), "?", query, NULL)
                       : g_strdup (g_uri_get_path (uri));
}

/* The status, code and message PROTOCOL.md gives an authentication
 * refusal (or a database failure while checking). */
static void
auth_refusal (const GError *error, guint *status, const char **code, const char **message)
{
  *message = error->message;
  if (error->domain != NEXUS_AUTH_ERROR)
    {
      g_message ("Authentication failed on the database: %s", error->message);
      *status = SOUP_STATUS_SERVICE_UNAVAILABLE;
      *code = "shutting_down";
      *message = _ ("The engine cannot check credentials right now");
      return;
    }

  switch ((NexusAuthError)error->code)
    {
      case NEXUS_AUTH_ERROR_BAD_REQUEST:
        *status = SOUP_STATUS_BAD_REQUEST;
        *code = "bad_request";
        break;
      case NEXUS_AUTH_ERROR_STALE_TIMESTAMP:
        *status = SOUP_STATUS_UNAUTHORIZED;
        *code = "stale_timestamp";
        break;
      case NEXUS_AUTH_ERROR_REPLAYED:
        *status = SOUP_STATUS_UNAUTHORIZED;
        *code = "replayed";
        break;
      case NEXUS_AUTH_ERROR_REVOKED:
        *status = SOUP_STATUS_FORBIDDEN;
        *code = "revoked";
        break;
      case NEXUS_AUTH_ERROR_UNAUTHORIZED:
      default:
        *status = SOUP_STATUS_UNAUTHORIZED;
        *code = "unauthorized";
        break;
    }
}

static void
send_auth_error (SoupServerMessage *msg, const GError *error)
{
  guint       status;
  const char *code;
  const char *message;

  auth_refusal (error, &status, &code, &message);
  _nexus_api_send_error (msg, status, code, message);
}

const char *
_nexus_api_get_string (JsonObject *object, const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

char *
_nexus_api_truncated (const char *text)
{
  if (text == NULL)
    return NULL;
  if (strlen (text) <= MAX_ECHO)
    return g_strdup (text);
  return g_utf8_make_valid (text, MAX_ECHO);
}

gboolean
_nexus_api_stopping (NexusApiServer *self)
{
  return g_atomic_int_get (&self->stopping) != 0;
}

/* A timer on the API thread's context; the caller keeps the reference. */
GSource *
_nexus_api_attach_timeout (NexusApiServer *self,
                           guint           interval_ms,
                           GSourceFunc     func,
                           const char     *name)
{
  GSource *source = g_timeout_source_new (interval_ms);

  g_source_set_callback (source, func, self, NULL);
  g_source_set_name (source, name);
  g_source_attach (source, self->context);
  return source;
}

static void
clear_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

/* ---- calls to the engine thread ---------------------------------------- */

static void
api_call_free (ApiCall *call)
{
  if (call->data_free != NULL)
    call->data_free (call->data);
  g_clear_object (&call->msg);
  g_free (call->nonce);
  g_strfreev (call->auth_strings);
  g_clear_pointer (&call->auth_body, g_byte_array_unref);
  g_clear_error (&call->error);
  g_free (call->answer);
  g_free (call->refusal_code);
  g_free (call->refusal_message);
  g_free (call);
}

/* A call for @msg (paused until it is answered), or for no request. */
ApiCall *
_nexus_api_call_new (NexusApiServer    *self,
                     SoupServerMessage *msg,
                     const char        *endpoint,
                     ApiCallFunc        func)
{
  ApiCall *call = g_new0 (ApiCall, 1);

  call->func = func;
  call->msg = msg != NULL ? g_object_ref (msg) : NULL;
  call->endpoint = endpoint;
  call->started_us = g_get_monotonic_time ();
  call->auth_generation = -1;
  return call;
}

/* The call is made for the signed request @msg: its nonce is remembered
 * with it, and its signature checked again if credentials changed since
 * the API thread checked it. */
void
_nexus_api_call_sign (ApiCall *call, SoupServerMessage *msg)
{
  RequestState       *state = request_state_get (msg);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  GStrvBuilder       *builder;

  g_return_if_fail (state != NULL && state->worker_id > 0);

  call->worker_id = state->worker_id;
  call->nonce = g_strdup (soup_message_headers_get_one (headers, "X-Nexus-Nonce"));
  call->auth_generation = state->auth_generation;
  builder = g_strv_builder_new ();
  g_strv_builder_add (builder, soup_server_message_get_method (msg));
  g_strv_builder_add (builder, state->signed_path);
  g_strv_builder_add (builder, soup_message_headers_get_one (headers, "X-Nexus-Worker"));
  g_strv_builder_add (builder, soup_message_headers_get_one (headers, "X-Nexus-Timestamp"));
  g_strv_builder_add (builder, call->nonce);
  g_strv_builder_add (builder, soup_message_headers_get_one (headers, "X-Nexus-Signature"));
  call->auth_strings = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  call->auth_body = g_byte_array_ref (state->body);
}

/* Engine thread: the signature again, against the write connection. */
static gboolean
verify_again (NexusApiServer *self, ApiCall *call, gint64 now)
{
  g_autoptr (NexusWorkerRecord) worker = NULL;
  NexusAuthRequest request = {
    .method = call->auth_strings[0],
    .path_and_query = call->auth_strings[1],
    .worker_id = call->auth_strings[2],
    .timestamp = call->auth_strings[3],
    .nonce = call->auth_strings[4],
    .signature = call->auth_strings[5],
    .body = call->auth_body->data,
    .body_length = call->auth_body->len,
  };

  worker = nexus_workers_verify (self->store, &request, now, &call->error);
  if (worker != NULL && worker->id != call->worker_id)
    g_set_error_literal (&call->error, NEXUS_AUTH_ERROR, NEXUS_AUTH_ERROR_UNAUTHORIZED,
                         _ ("Unknown worker"));
  return call->error == NULL;
}

/* Engine thread: the call answers with a refusal.  Returns FALSE, for
 * `return _nexus_api_call_refuse (…)` from an ApiCallFunc. */
gboolean
_nexus_api_call_refuse (ApiCall *call, guint status, const char *code, const char *message)
{
  call->refusal_status = status;
  g_free (call->refusal_code);
  call->refusal_code = g_strdup (code);
  g_free (call->refusal_message);
  call->refusal_message = g_strdup (message);
  return FALSE;
}

/* Engine thread: the call's answer, a JSON text (taken). */
void
_nexus_api_call_set_answer (ApiCall *call, guint status, char *answer)
{
  call->status = status;
  g_free (call->answer);
  call->answer = answer;
}

/* The refusal of a call that came back: its status, code and message;
 * FALSE when it has an answer instead. */
static gboolean
call_refusal (const ApiCall *call, guint *status, const char **code, const char **message)
{
  const GError *error = call->error;

  if (call->replayed)
    {
      *status = SOUP_STATUS_UNAUTHORIZED;
      *code = "replayed";
      *message = _ ("This nonce was already used");
    }
  else if (call->refusal_status != 0)
    {
      *status = call->refusal_status;
      *code = call->refusal_code;
      *message = call->refusal_message;
    }
  else if (error != NULL && error->domain == NEXUS_AUTH_ERROR)
    auth_refusal (error, status, code, message);
  else if (error != NULL && error->domain == NEXUS_QUEUE_ERROR)
    {
      *message = error->message;
      *status = error->code == NEXUS_QUEUE_ERROR_LEASE_LOST  ? SOUP_STATUS_CONFLICT
                : error->code == NEXUS_QUEUE_ERROR_NOT_FOUND ? SOUP_STATUS_NOT_FOUND
                                                             : SOUP_STATUS_BAD_REQUEST;
      *code = error->code == NEXUS_QUEUE_ERROR_LEASE_LOST  ? "lease_lost"
              : error->code == NEXUS_QUEUE_ERROR_NOT_FOUND ? "not_found"
                                                           : "bad_request";
    }
  else if (error != NULL || !call->committed || call->answer == NULL)
    {
      if (error != NULL)
        g_message ("A worker request failed on the database: %s", error->message);
      *status = SOUP_STATUS_SERVICE_UNAVAILABLE;
      *code = "shutting_down";
      *message = _ ("The engine cannot apply this right now");
    }
  else
    return FALSE;
  return TRUE;
}

/* The error body of a refused call, for answers written by hand (long
 * polls); NULL when the call has an answer. */
char *
_nexus_api_call_refusal_text (const ApiCall *call, guint *out_status)
{
  const char *code;
  const char *message;
  gsize       length;

  if (!call_refusal (call, out_status, &code, &message))
    return NULL;
  return error_body (code, message, &length);
}

/* API thread: the usual answer of a call that came back, then the message
 * goes on. */
void
_nexus_api_call_answer (NexusApiServer *self, ApiCall *call)
{
  SoupServerMessage *msg = call->msg;
  guint              status;
  const char        *code;
  const char        *message;

  if (msg == NULL)
    return;
  if (call_refusal (call, &status, &code, &message))
    _nexus_api_send_error (msg, status, code, message);
  else
    {
      gsize length = strlen (call->answer);

      /* The answer goes to libsoup as it is, not copied. */
      soup_server_message_set_status (msg, call->status, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE,
                                        g_steal_pointer (&call->answer), length);
    }
  if (call->endpoint != NULL)
    _nexus_api_count (self, call->endpoint, soup_server_message_get_status (msg));
  _nexus_api_resume (self, msg);
}

/* Lets libsoup write the answer of a paused message, unless the client or
 * a stop ended it meanwhile. */
void
_nexus_api_resume (NexusApiServer *self, SoupServerMessage *msg)
{
  RequestState *state = request_state_get (msg);

  if (self->server != NULL && (state == NULL || !state->ended))
    soup_server_message_unpause (msg);
}

typedef struct
{
  NexusApiServer *server;     /* a reference */
  GPtrArray      *calls;      /* ApiCall*, owned */
  gint64          generation; /* the authentication generation the engine saw; -1: none */
} CallBatch;

static void
call_batch_free (gpointer data)
{
  CallBatch *batch = data;

  g_ptr_array_unref (batch->calls);
  g_object_unref (batch->server);
  g_free (batch);
}

/* API thread: the calls are back from the engine thread. */
static gboolean
calls_done_cb (gpointer data)
{
  CallBatch      *batch = data;
  NexusApiServer *self = batch->server;

  if (batch->generation >= 0 && self->auth != NULL)
    nexus_auth_cache_set_generation (self->auth, batch->generation);
  for (guint i = 0; i < batch->calls->len; i++)
    {
      ApiCall *call = g_ptr_array_index (batch->calls, i);

      if (call->done != NULL)
        call->done (self, call);
      else
        _nexus_api_call_answer (self, call);
    }
  return G_SOURCE_REMOVE;
}

static void
return_calls (NexusApiServer *self, GPtrArray *calls, gint64 generation)
{
  CallBatch *batch = g_new0 (CallBatch, 1);

  GSource *source = g_idle_source_new ();

  /* Always through a source, never at once: the caller may be walking
   * what the answers change. */
  batch->server = g_object_ref (self);
  batch->calls = calls;
  batch->generation = generation;
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, calls_done_cb, batch, call_batch_free);
  g_source_set_name (source, "[nexus] api answers");
  g_source_attach (source, self->context);
  g_source_unref (source);
}

/* Engine thread: one pass of the group commit.  Every call in one
 * transaction; a call that writes several statements has a SAVEPOINT so
 * that its failure undoes it (its nonce included) and not the others; a
 * savepoint is not free, so calls of one statement go without.  Nonces are
 * checked against the replay guard, brought up to date first under the
 * write lock. */
G_STATIC_ASSERT (NEXUS_SIGNATURE_NONCE_TTL_S == NEXUS_STORE_REPLAY_WINDOW_S);

static gint64
run_calls (NexusApiServer *self, GPtrArray *calls)
{
  g_autoptr (GError) error = NULL;
  gint64          now = g_get_real_time () / G_USEC_PER_SEC;
  gint64          generation = -1;
  gboolean        committed = FALSE;
  gboolean        nonces = FALSE;
  NexusReplayMark start;

  for (guint i = 0; i < calls->len && !nonces; i++)
    nonces = ((ApiCall *)g_ptr_array_index (calls, i))->nonce != NULL;

  if (nexus_store_begin (self->store, &error))
    {
      if (nonces && !nexus_replay_guard_sync (self->replay, self->store, now, &error))
        {
          nexus_store_rollback (self->store);
          goto done;
        }
      start = nexus_replay_guard_mark (self->replay);

      for (guint i = 0; i < calls->len; i++)
        {
          ApiCall        *call = g_ptr_array_index (calls, i);
          NexusReplayMark mark;
          gboolean        fresh = TRUE;
          gboolean        ok;

          /* Credentials changed since the API thread checked them. */
          if (call->auth_generation >= 0 && generation < 0)
            generation = nexus_store_auth_generation (self->store, &call->error);
          if (call->auth_generation >= 0 &&
              (generation < 0 ||
               (call->auth_generation != generation && !verify_again (self, call, now))))
            continue;

          if (call->needs_savepoint && !nexus_store_savepoint (self->store, "call", &call->error))
            continue;
          mark = nexus_replay_guard_mark (self->replay);
          ok = call->nonce == NULL ||
               nexus_replay_guard_remember (self->replay, self->store, call->worker_id, call->nonce,
                                            now, &fresh, &call->error);
          if (ok && !fresh)
            call->replayed = TRUE;
          else if (ok && call->func != NULL)
            ok = call->func (self, call, &call->error);
          if (!call->needs_savepoint)
            continue;
          if (!ok)
            {
              nexus_store_rollback_to (self->store, "call");
              nexus_replay_guard_undo (self->replay, mark);
            }
          nexus_store_release (self->store, "call", NULL);
        }
      committed = nexus_store_commit (self->store, &error);
      if (!committed)
        nexus_replay_guard_undo (self->replay, start);
    }

done:
  if (!committed)
    g_message ("The worker API's group commit failed: %s", error->message);

  for (guint i = 0; i < calls->len; i++)
    {
      ApiCall *call = g_ptr_array_index (calls, i);

      call->committed = committed;
      if (committed && call->committed_func != NULL && !call->replayed &&
          call->refusal_status == 0 && call->error == NULL)
        call->committed_func (self, call);
    }
  return committed ? generation : -1;
}

/* Engine thread: takes every call posted so far and applies them. */
static gboolean
flush_calls_cb (gpointer data)
{
  NexusApiServer *self = data;
  GPtrArray      *calls;

  /* Someone else's transaction is open (it never spans an iteration
   * today): come back in a moment. */
  if (nexus_store_in_transaction (self->store))
    return G_SOURCE_CONTINUE;

  g_mutex_lock (&self->calls_lock);
  calls = g_steal_pointer (&self->calls);
  self->calls = g_ptr_array_new_with_free_func ((GDestroyNotify)api_call_free);
  g_clear_pointer (&self->flush_source, g_source_unref);
  g_mutex_unlock (&self->calls_lock);

  return_calls (self, calls, calls->len > 0 ? run_calls (self, calls) : -1);
  return G_SOURCE_REMOVE;
}

/**
 * _nexus_api_call_post:
 *
 * API thread: hands @call (taken) to the engine thread.  Its message, if
 * any, is paused until the call comes back.  Once the engine no longer
 * takes calls, the call comes back at once, not committed.
 */
void
_nexus_api_call_post (NexusApiServer *self, ApiCall *call)
{
  gboolean closed;

  if (call->msg != NULL)
    soup_server_message_pause (call->msg);

  g_mutex_lock (&self->calls_lock);
  closed = self->calls_closed;
  if (!closed)
    {
      g_ptr_array_add (self->calls, call);
      if (self->flush_source == NULL)
        {
          self->flush_source = self->config.commit_delay_ms > 0
                                   ? g_timeout_source_new (self->config.commit_delay_ms)
                                   : g_idle_source_new ();
          g_source_set_callback (self->flush_source, flush_calls_cb, self, NULL);
          g_source_set_priority (self->flush_source, G_PRIORITY_DEFAULT);
          g_source_set_name (self->flush_source, "[nexus] api group commit");
          g_source_attach (self->flush_source, self->engine_context);
        }
    }
  g_mutex_unlock (&self->calls_lock);

  if (closed)
    {
      GPtrArray *calls = g_ptr_array_new_with_free_func ((GDestroyNotify)api_call_free);

      g_ptr_array_add (calls, call);
      return_calls (self, calls, -1);
    }
}

/* Engine thread: no call is taken any more; those posted are applied now. */
static void
close_calls (NexusApiServer *self)
{
  GPtrArray *calls;
  gint64     generation = -1;

  g_mutex_lock (&self->calls_lock);
  self->calls_closed = TRUE;
  calls = g_steal_pointer (&self->calls);
  if (self->flush_source != NULL)
    g_source_destroy (self->flush_source);
  g_clear_pointer (&self->flush_source, g_source_unref);
  g_mutex_unlock (&self->calls_lock);

  if (calls == NULL)
    return;
  if (calls->len > 0)
    {
      /* Wait out someone else's transaction rather than drop the calls. */
      while (nexus_store_in_transaction (self->store))
        g_main_context_iteration (self->engine_context, TRUE);
      generation = run_calls (self, calls);
    }
  return_calls (self, calls, generation);
}

/* ---- endpoints --------------------------------------------------------- */

typedef struct
{
  char *address;
  char *hostname;
  char *version;
  guint lease_ttl_s;
  guint max_wait_s;
} Heartbeat;

static void
heartbeat_free (gpointer data)
{
  Heartbeat *heartbeat = data;

  g_free (heartbeat->address);
  g_free (heartbeat->hostname);
  g_free (heartbeat->version);
  g_free (heartbeat);
}

static gboolean
heartbeat_func (NexusApiServer *self, ApiCall *call, GError **error)
{
  Heartbeat *heartbeat = call->data;
  gint64     now = g_get_real_time () / G_USEC_PER_SEC;

  if (!nexus_store_worker_seen (self->store, call->worker_id, heartbeat->address,
                                heartbeat->hostname, heartbeat->version, now, error))
    return FALSE;
  _nexus_api_call_set_answer (call, SOUP_STATUS_OK,
                              g_strdup_printf ("{\"server_time\":%" PRId64 ",\"lease_ttl_s\":%u,"
                                               "\"max_wait_s\":%u}",
                                               now, heartbeat->lease_ttl_s, heartbeat->max_wait_s));
  return TRUE;
}

static void
handle_heartbeat (NexusApiServer *self, SoupServerMessage *msg, JsonObject *body)
{
  g_autofree char *hostname = _nexus_api_truncated (_nexus_api_get_string (body, "hostname"));
  g_autofree char *version = _nexus_api_truncated (_nexus_api_get_string (body, "version"));
  JsonNode        *running = json_object_get_member (body, "running");
  Heartbeat       *heartbeat;
  ApiCall         *call;

  if ((json_object_has_member (body, "hostname") && hostname == NULL) ||
      (json_object_has_member (body, "version") && version == NULL) ||
      (running != NULL && !JSON_NODE_HOLDS_ARRAY (running)))
    {
      _nexus_api_send_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_request",
                             _ ("hostname and version must be strings, running an array"));
      return;
    }

  heartbeat = g_new0 (Heartbeat, 1);
  heartbeat->address = g_strdup (soup_server_message_get_remote_host (msg));
  heartbeat->hostname = g_steal_pointer (&hostname);
  heartbeat->version = g_steal_pointer (&version);
  heartbeat->lease_ttl_s = self->config.lease_ttl_s;
  heartbeat->max_wait_s = self->config.max_wait_s;

  call = _nexus_api_call_new (self, msg, "heartbeat", heartbeat_func);
  _nexus_api_call_sign (call, msg);
  call->data = heartbeat;
  call->data_free = heartbeat_free;
  _nexus_api_call_post (self, call);
}

/* A request over the worker's rate limit: its nonce is still remembered
 * (the limit comes after the nonce in the protocol's order), then 429. */
static void
rate_limited_done (NexusApiServer *self, ApiCall *call)
{
  gint64 *retry_after_us = call->data;

  if (call->committed && !call->replayed && call->error == NULL)
    {
      send_rate_limited (call->msg, *retry_after_us);
      _nexus_api_count (self, call->endpoint, 429);
      _nexus_api_resume (self, call->msg);
    }
  else
    _nexus_api_call_answer (self, call);
}

static void
post_rate_limited (NexusApiServer    *self,
                   SoupServerMessage *msg,
                   const char        *endpoint,
                   gint64             retry_after_us)
{
  ApiCall *call = _nexus_api_call_new (self, msg, endpoint, NULL);

  _nexus_api_call_sign (call, msg);
  call->data = g_memdup2 (&retry_after_us, sizeof retry_after_us);
  call->data_free = g_free;
  call->done = rate_limited_done;
  _nexus_api_call_post (self, call);
}

typedef enum
{
  ROUTE_NONE,
  ROUTE_HEARTBEAT,
  ROUTE_LEASE,
  ROUTE_EXTEND,
  ROUTE_REPORT,
  ROUTE_FAIL,
  ROUTE_EVENTS,
} Route;

static const char *const route_names[] = {
  "unknown", "heartbeat", "lease", "extend", "report", "fail", "events",
};

/* Maps a path to its endpoint; /api/v1/jobs/{id}/… also yields the id. */
static Route
route_path (const char *path, gint64 *out_job_id)
{
  const char *rest;
  char       *end = NULL;
  guint64     id;

  if (g_str_equal (path, "/api/v1/heartbeat"))
    return ROUTE_HEARTBEAT;
  if (g_str_equal (path, "/api/v1/jobs/lease"))
    return ROUTE_LEASE;
  if (g_str_equal (path, "/api/v1/events"))
    return ROUTE_EVENTS;
  if (!g_str_has_prefix (path, "/api/v1/jobs/"))
    return ROUTE_NONE;

  rest = path + strlen ("/api/v1/jobs/");
  if (!g_ascii_isdigit (*rest))
    return ROUTE_NONE;
  id = g_ascii_strtoull (rest, &end, 10);
  if (id == 0 || id > G_MAXINT64 || end == NULL || end - rest > 18)
    return ROUTE_NONE;
  *out_job_id = (gint64)id;
  if (g_str_equal (end, "/extend"))
    return ROUTE_EXTEND;
  if (g_str_equal (end, "/report"))
    return ROUTE_REPORT;
  if (g_str_equal (end, "/fail"))
    return ROUTE_FAIL;
  return ROUTE_NONE;
}

/* The signing inputs of @msg; @signed_path and @body stay the caller's. */
static void
auth_request_init (NexusAuthRequest  *request,
                   SoupServerMessage *msg,
                   const char        *signed_path,
                   GByteArray        *body)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  request->method = soup_server_message_get_method (msg);
  request->path_and_query = signed_path;
  request->worker_id = soup_message_headers_get_one (headers, "X-Nexus-Worker");
  request->timestamp = soup_message_headers_get_one (headers, "X-Nexus-Timestamp");
  request->nonce = soup_message_headers_get_one (headers, "X-Nexus-Nonce");
  request->signature = soup_message_headers_get_one (headers, "X-Nexus-Signature");
  request->body = body != NULL ? body->data : NULL;
  request->body_length = body != NULL ? body->len : 0;
}

/* The signature rules up to the nonce, from the cache; answers and
 * returns NULL when they refuse.  The request's state keeps what calls made
 * for it need (_nexus_api_call_sign()); @signed_path is taken. */
static NexusWorkerRecord *
verify_request (NexusApiServer *self, SoupServerMessage *msg, char *signed_path)
{
  g_autoptr (GError) error = NULL;
  RequestState      *state = request_state_get (msg);
  NexusAuthRequest   request = { 0 };
  NexusWorkerRecord *worker;
  gint64             generation = -1;

  g_free (state->signed_path);
  state->signed_path = signed_path;
  auth_request_init (&request, msg, state->signed_path, state->body);
  worker = nexus_auth_cache_verify (self->auth, &request, g_get_real_time () / G_USEC_PER_SEC,
                                    &generation, &error);
  if (worker == NULL)
    {
      send_auth_error (msg, error);
      return NULL;
    }
  state->worker_id = worker->id;
  state->auth_generation = generation;
  return worker;
}

static void
api_cb (SoupServer        *server,
        SoupServerMessage *msg,
        const char        *path,
        GHashTable        *query,
        gpointer           user_data)
{
  NexusApiServer *self = user_data;
  RequestState   *state = request_state_get (msg);
  g_autoptr (NexusWorkerRecord) worker = NULL;
  g_autoptr (JsonParser) parser = NULL;
  JsonObject *body = NULL;
  gint64      job_id = 0;
  gint64      retry_after_us = 0;
  Route       route;
  const char *endpoint;
  const char *method = soup_server_message_get_method (msg);

  if (state == NULL || state->too_large)
    {
      _nexus_api_send_error (msg, 413, "payload_too_large",
                             _ ("The request body is larger than the server accepts"));
      return;
    }

  route = route_path (path, &job_id);
  endpoint = route_names[route];
  if (route == ROUTE_NONE)
    {
      _nexus_api_count (self, endpoint, 404);
      _nexus_api_send_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", _ ("No such endpoint"));
      return;
    }

  if ((route == ROUTE_EVENTS) != (method == SOUP_METHOD_GET) ||
      (route != ROUTE_EVENTS && method != SOUP_METHOD_POST))
    {
      _nexus_api_count (self, endpoint, 400);
      _nexus_api_send_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_request",
                             route == ROUTE_EVENTS ? _ ("Use GET") : _ ("Use POST"));
      return;
    }

  worker = verify_request (self, msg, path_and_query (msg));
  if (worker == NULL)
    {
      _nexus_api_count (self, endpoint, soup_server_message_get_status (msg));
      return;
    }

  /* Operator credentials watch; worker credentials work. */
  if ((route == ROUTE_EVENTS) != (g_strcmp0 (worker->role, NEXUS_ROLE_OPERATOR) == 0))
    {
      _nexus_api_count (self, endpoint, 401);
      _nexus_api_send_error (msg, SOUP_STATUS_UNAUTHORIZED, "unauthorized",
                             route == ROUTE_EVENTS ? _ ("Events need operator credentials")
                                                   : _ ("Operator credentials cannot take jobs"));
      return;
    }

  if (!nexus_rate_limiter_check (self->worker_limiter, worker->public_id, g_get_monotonic_time (),
                                 &retry_after_us))
    {
      post_rate_limited (self, msg, endpoint, retry_after_us);
      return;
    }

  if (route == ROUTE_EVENTS)
    {
      /* A stream: each event goes out when it is written. */
      set_corked (state, FALSE);
      _nexus_api_handle_events (self, msg, query);
      return;
    }

  parser = json_parser_new_immutable ();
  body = parse_body (msg, state->body, parser);
  if (body != NULL)
    {
      switch (route)
        {
          case ROUTE_HEARTBEAT:
            handle_heartbeat (self, msg, body);
            break;
          case ROUTE_LEASE:
            _nexus_api_handle_lease (self, msg, worker, body);
            break;
          case ROUTE_EXTEND:
            _nexus_api_handle_extend (self, msg, worker, job_id, body);
            break;
          case ROUTE_FAIL:
            _nexus_api_handle_fail (self, msg, worker, job_id, body);
            break;
          case ROUTE_REPORT:
            _nexus_api_handle_report (self, msg, worker, job_id, body, state->body);
            break;
          case ROUTE_NONE:
          case ROUTE_EVENTS:
          default:
            g_assert_not_reached ();
        }
    }
  /* A request handed to the engine thread (or parked as a long poll) is
   * counted when it is answered. */
  if (soup_server_message_get_status (msg) != 0)
    _nexus_api_count (self, endpoint, soup_server_message_get_status (msg));
}

static void
send_metrics (NexusApiServer *self, SoupServerMessage *msg)
{
  g_autoptr (GString) text = g_string_new (NULL);
  GHashTableIter iter;
  gpointer       key;
  gpointer       value;

  g_string_append (text,
                   "# HELP nexus_api_requests_total Worker API requests by endpoint and status.\n"
                   "# TYPE nexus_api_requests_total counter\n");
  g_hash_table_iter_init (&iter, self->request_counts);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_auto (GStrv) parts = g_strsplit (key, " ", 2);
      g_string_append_printf (text, "nexus_api_requests_total{endpoint=\"%s\",status=\"%s\"} %zu\n",
                              parts[0], parts[1], *(gsize *)value);
    }
  g_string_append_printf (text,
                          "# HELP nexus_api_open_requests Requests being read or answered.\n"
                          "# TYPE nexus_api_open_requests gauge\n"
                          "nexus_api_open_requests %u\n",
                          g_hash_table_size (self->open_requests));
  _nexus_api_write_job_metrics (self, text);

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/plain; version=0.0.4", SOUP_MEMORY_COPY, text->str,
                                    text->len);
}

static void
metrics_done (NexusApiServer *self, ApiCall *call)
{
  if (call->committed && !call->replayed && call->error == NULL)
    {
      send_metrics (self, call->msg);
      _nexus_api_resume (self, call->msg);
    }
  else
    _nexus_api_call_answer (self, call);
}

/* Signed requests are judged by their signature wherever they come from:
 * operator credentials only.  Unsigned ones only from loopback. */
static void
metrics_cb (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  NexusApiServer               *self = user_data;
  GSocketAddress               *remote = soup_server_message_get_remote_address (msg);
  SoupMessageHeaders           *headers = soup_server_message_get_request_headers (msg);
  g_autoptr (NexusWorkerRecord) operator= NULL;
  ApiCall                      *call;
  gboolean                      loopback = remote != NULL && G_IS_INET_SOCKET_ADDRESS (remote) &&
                      g_inet_address_get_is_loopback (
                          g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote)));

  if (loopback && soup_message_headers_get_one (headers, "X-Nexus-Signature") == NULL &&
      soup_message_headers_get_one (headers, "X-Nexus-Worker") == NULL)
    {
      send_metrics (self, msg);
      return;
    }

  operator= verify_request (self, msg, path_and_query (msg));
  if (operator== NULL)
    return;
  if (g_strcmp0 (operator->role, NEXUS_ROLE_OPERATOR) != 0)
    {
      _nexus_api_send_error (msg, SOUP_STATUS_UNAUTHORIZED, "unauthorized",
                             _ ("Metrics need operator credentials"));
      return;
    }

  /* The nonce is remembered before the figures go out. */
  call = _nexus_api_call_new (self, msg, NULL, NULL);
  _nexus_api_call_sign (call, msg);
  call->done = metrics_done;
  _nexus_api_call_post (self, call);
}

static void
request_started_cb (SoupServer *server, SoupServerMessage *msg, gpointer user_data)
{
  NexusApiServer *self = user_data;
  RequestState   *state = g_new0 (RequestState, 1);

  state->server = self;
  state->msg = msg;
  state->started_us = g_get_monotonic_time ();
  state->body = g_byte_array_new ();
  g_object_set_qdata_full (G_OBJECT (msg), request_state_quark, state, request_state_free);
  g_hash_table_add (self->open_requests, msg);
  if (soup_server_message_get_socket (msg) != NULL)
    g_hash_table_remove (self->idle_sockets, soup_server_message_get_socket (msg));
}

/* @socket's connection waits for its next request from now on. */
void
_nexus_api_track_idle (NexusApiServer *self, GSocket *socket)
{
  gint64 *since = g_new (gint64, 1);

  *since = g_get_monotonic_time ();
  g_hash_table_replace (self->idle_sockets, g_object_ref (socket), since);
}

static void
request_ended_cb (SoupServer *server, SoupServerMessage *msg, gpointer user_data)
{
  NexusApiServer *self = user_data;
  GSocket        *socket = soup_server_message_get_socket (msg);
  RequestState   *state = request_state_get (msg);

  if (state != NULL)
    {
      state->ended = TRUE;
      set_corked (state, FALSE);
    }
  g_hash_table_remove (self->open_requests, msg);
  if (socket != NULL && !g_socket_is_closed (socket))
    _nexus_api_track_idle (self, socket);
}

/* Closes keep-alive connections idle for longer than the header timeout,
 * unless a request is in progress on them after all. */
static void
close_idle_connections (NexusApiServer *self, gint64 now, gint64 limit)
{
  g_autoptr (GHashTable) busy = NULL;
  GHashTableIter iter;
  gpointer       key;
  gpointer       value;

  g_hash_table_iter_init (&iter, self->idle_sockets);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      if (g_socket_is_closed (key))
        {
          g_hash_table_iter_remove (&iter);
          continue;
        }
      if (now - *(gint64 *)value <= limit)
        continue;

      if (busy == NULL)
        {
          GHashTableIter requests;
          gpointer       msg;

          busy = g_hash_table_new (NULL, NULL);
          g_hash_table_iter_init (&requests, self->open_requests);
          while (g_hash_table_iter_next (&requests, &msg, NULL))
            g_hash_table_add (busy, soup_server_message_get_socket (msg));
          /* A parked long poll's connection is ours, not idle. */
          _nexus_api_jobs_add_sockets (self, busy);
        }
      if (!g_hash_table_contains (busy, key))
        g_socket_shutdown (key, TRUE, TRUE, NULL);
      g_hash_table_iter_remove (&iter);
    }
}

/* Engine thread: forgets nonces older than their window and report answers
 * older than their keep time. */
static gboolean
purge_func (NexusApiServer *self, ApiCall *call, GError **error)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (!nexus_store_replay_purge (self->store, now - NEXUS_SIGNATURE_NONCE_TTL_S, NULL, error) ||
      !nexus_store_idempotency_purge (self->store, now - NEXUS_IDEMPOTENCY_TTL_S, NULL, error))
    {
      g_message ("Purging replay and idempotency records failed: %s", (*error)->message);
      return FALSE;
    }
  return TRUE;
}

/* Closes connections that keep us waiting: no complete headers within the
 * header timeout, or no complete body within the body timeout. */
static gboolean
sweep_cb (gpointer user_data)
{
  NexusApiServer *self = user_data;
  gint64          now = g_get_monotonic_time ();
  gint64          header_limit = (gint64)self->config.header_timeout_ms * 1000;
  gint64          body_limit = (gint64)self->config.body_timeout_ms * 1000;
  g_autoptr (GPtrArray) expired = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer       key;
  gint64         version;

  g_hash_table_iter_init (&iter, self->open_requests);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      RequestState *state = request_state_get (key);

      if (state == NULL)
        continue;
      if ((state->headers_us == 0 && now - state->started_us > header_limit) ||
          (state->headers_us != 0 && !state->body_complete && now - state->headers_us > body_limit))
        g_ptr_array_add (expired, key);
    }

  for (guint i = 0; i < expired->len; i++)
    {
      g_hash_table_remove (self->open_requests, expired->pdata[i]);
      close_connection (expired->pdata[i]);
    }

  /* Another process's commit (a search added, say) may bring work. */
  version = nexus_store_get_data_version (self->reader);
  _nexus_api_jobs_poll (self, version != self->data_version);
  self->data_version = version;

  close_idle_connections (self, now, header_limit);
  if (now - self->last_purge_us > PURGE_INTERVAL_US && !_nexus_api_stopping (self))
    {
      self->last_purge_us = now;
      _nexus_api_call_post (self, _nexus_api_call_new (self, NULL, NULL, purge_func));
    }
  nexus_rate_limiter_prune (self->address_limiter, now);
  nexus_rate_limiter_prune (self->worker_limiter, now);
  return G_SOURCE_CONTINUE;
}

/* ---- the API thread ---------------------------------------------------- */

typedef struct
{
  NexusApiServer *server;
  GSourceFunc     func;
  gpointer        data;
  gboolean        done;
  GMutex          lock;
  GCond           cond;
} SyncCall;

static gboolean
sync_call_cb (gpointer data)
{
  SyncCall *sync = data;

  sync->func (sync->data);
  g_mutex_lock (&sync->lock);
  sync->done = TRUE;
  g_cond_signal (&sync->cond);
  g_mutex_unlock (&sync->lock);
  return G_SOURCE_REMOVE;
}

/* Runs @func on the API thread and waits for it. */
static void
run_on_api_thread (NexusApiServer *self, GSourceFunc func, gpointer data)
{
  SyncCall sync = { self, func, data, FALSE };

  g_mutex_init (&sync.lock);
  g_cond_init (&sync.cond);
  g_main_context_invoke (self->context, sync_call_cb, &sync);
  g_mutex_lock (&sync.lock);
  while (!sync.done)
    g_cond_wait (&sync.cond, &sync.lock);
  g_mutex_unlock (&sync.lock);
  g_mutex_clear (&sync.lock);
  g_cond_clear (&sync.cond);
}

static gpointer
api_thread_main (gpointer data)
{
  NexusApiServer *self = data;

  g_main_context_push_thread_default (self->context);
  g_main_loop_run (self->loop);
  /* Calls that came back after the stop are answered (and freed) here. */
  while (g_main_context_pending (self->context))
    g_main_context_iteration (self->context, FALSE);
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

static gboolean
api_setup_cb (gpointer data)
{
  NexusApiServer *self = data;

  self->server = soup_server_new ("server-header", "nexus/" PACKAGE_VERSION " ", NULL);
  soup_server_add_handler (self->server, "/healthz", healthz_cb, self, NULL);
  soup_server_add_handler (self->server, "/metrics", metrics_cb, self, NULL);
  soup_server_add_early_handler (self->server, "/api/v1", api_early_cb, self, NULL);
  soup_server_add_handler (self->server, "/api/v1", api_cb, self, NULL);
  soup_server_add_handler (self->server, NULL, not_found_cb, self, NULL);
  g_signal_connect (self->server, "request-started", G_CALLBACK (request_started_cb), self);
  g_signal_connect (self->server, "request-read", G_CALLBACK (request_read_cb), self);
  g_signal_connect (self->server, "request-finished", G_CALLBACK (request_ended_cb), self);
  g_signal_connect (self->server, "request-aborted", G_CALLBACK (request_ended_cb), self);

  self->sweep_source =
      _nexus_api_attach_timeout (self, SWEEP_INTERVAL_MS, sweep_cb, "[nexus] api sweep");
  self->data_version = nexus_store_get_data_version (self->reader);
  _nexus_api_jobs_init (self);
  _nexus_api_events_init (self);
  return G_SOURCE_REMOVE;
}

/* Stops serving: what waits is answered, connections are closed. */
static gboolean
api_teardown_cb (gpointer data)
{
  NexusApiServer *self = data;

  _nexus_api_jobs_shutdown (self);
  _nexus_api_events_shutdown (self);
  clear_source (&self->sweep_source);
  if (self->server != NULL)
    {
      soup_server_disconnect (self->server);
      g_signal_handlers_disconnect_by_data (self->server, self);
    }
  if (self->socket != NULL)
    g_socket_close (self->socket, NULL);
  g_clear_object (&self->socket);
  g_clear_object (&self->server);
  g_clear_pointer (&self->auth, nexus_auth_cache_free);
  g_clear_object (&self->reader);
  g_main_loop_quit (self->loop);
  return G_SOURCE_REMOVE;
}

static void
nexus_api_server_dispose (GObject *object)
{
  NexusApiServer *self = (NexusApiServer *)object;

  /* The last reference may go on the API thread (a call batch): the
   * engine thread stops the server before it lets go of it. */
  if (self->thread != NULL && g_thread_self () == self->engine_thread)
    nexus_api_server_stop (self);

  G_OBJECT_CLASS (nexus_api_server_parent_class)->dispose (object);
}

static void
nexus_api_server_finalize (GObject *object)
{
  NexusApiServer *self = (NexusApiServer *)object;

  g_clear_pointer (&self->address_limiter, nexus_rate_limiter_free);
  g_clear_pointer (&self->worker_limiter, nexus_rate_limiter_free);
  g_clear_pointer (&self->open_requests, g_hash_table_unref);
  g_clear_pointer (&self->idle_sockets, g_hash_table_unref);
  g_clear_pointer (&self->request_counts, g_hash_table_unref);
  g_clear_pointer (&self->calls, g_ptr_array_unref);
  g_clear_pointer (&self->reports_in_flight, g_hash_table_unref);
  g_mutex_clear (&self->calls_lock);
  g_clear_pointer (&self->loop, g_main_loop_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->engine_context, g_main_context_unref);
  g_clear_object (&self->store);
  g_clear_pointer (&self->replay, nexus_replay_guard_free);
  g_clear_object (&self->queue);
  g_clear_object (&self->events);

  G_OBJECT_CLASS (nexus_api_server_parent_class)->finalize (object);
}

static void
nexus_api_server_class_init (NexusApiServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = nexus_api_server_dispose;
  object_class->finalize = nexus_api_server_finalize;

  request_state_quark = g_quark_from_static_string ("nexus-api-request-state");
}

static void
nexus_api_server_init (NexusApiServer *self)
{
  g_mutex_init (&self->calls_lock);
  self->calls = g_ptr_array_new_with_free_func ((GDestroyNotify)api_call_free);
  self->open_requests = g_hash_table_new (NULL, NULL);
  self->idle_sockets = g_hash_table_new_full (NULL, NULL, g_object_unref, g_free);
  self->request_counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

/**
 * nexus_api_server_new:
 * @queue: the engine's job queue (its store is the engine's write store)
 * @events: the engine's event bus
 * @config: (nullable): limits and timeouts; %NULL for the defaults
 * @error: when the reader connection cannot be opened
 *
 * Must be called on the engine thread.  Starts the API thread.
 *
 * Returns: (transfer full) (nullable): the server, not listening yet
 */
NexusApiServer *
nexus_api_server_new (NexusJobQueue        *queue,
                      NexusEventBus        *events,
                      const NexusApiConfig *config,
                      GError              **error)
{
  g_autoptr (NexusApiServer) self = g_object_new (NEXUS_TYPE_API_SERVER, NULL);

  self->queue = g_object_ref (queue);
  self->events = g_object_ref (events);
  self->store = g_object_ref (nexus_job_queue_get_store (queue));
  self->replay = nexus_replay_guard_new (NEXUS_SIGNATURE_NONCE_TTL_S);
  self->engine_context = g_main_context_ref_thread_default ();
  self->engine_thread = g_thread_self ();
  if (config != NULL)
    self->config = *config;
  else
    nexus_api_config_init_default (&self->config);

  self->reader = nexus_store_open (nexus_store_get_path (self->store),
                                   NEXUS_STORE_OPEN_READ_ONLY | NEXUS_STORE_OPEN_NO_CREATE, error);
  if (self->reader == NULL)
    return NULL;
  self->auth = nexus_auth_cache_new (self->reader);

  self->address_limiter =
      nexus_rate_limiter_new (self->config.address_rate, self->config.address_burst);
  self->worker_limiter =
      nexus_rate_limiter_new (self->config.worker_rate, self->config.worker_burst);

  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->thread = g_thread_new ("nexus-api", api_thread_main, self);
  run_on_api_thread (self, api_setup_cb, self);
  _nexus_api_jobs_connect (self);
  return g_steal_pointer (&self);
}

/**
 * nexus_api_parse_address:
 * @address: "HOST:PORT" with a literal IPv4 address, or "[IPv6]:PORT"
 *
 * Host names are refused on purpose: the listen address decides who can
 * reach the engine, and a name could resolve to more than the operator meant.
 *
 * Returns: (transfer full): the address, or %NULL with @error set
 */
GSocketAddress *
nexus_api_parse_address (const char *address, GError **error)
{
  g_autofree char *host = NULL;
  g_autoptr (GInetAddress) inet = NULL;
  const char *colon;
  const char *port_text;
  guint64     port = 0;

  if (address == NULL || *address == '\0')
    goto bad;

  if (address[0] == '[')
    {
      const char *end = strchr (address, ']');
      if (end == NULL || end[1] != ':')
        goto bad;
      host = g_strndup (address + 1, end - address - 1);
      port_text = end + 2;
    }
  else
    {
      colon = strrchr (address, ':');
      if (colon == NULL || strchr (address, ':') != colon)
        goto bad;
      host = g_strndup (address, colon - address);
      port_text = colon + 1;
    }

  if (!g_ascii_string_to_unsigned (port_text, 10, 0, 65535, &port, NULL))
    goto bad;

  inet = g_inet_address_new_from_string (host);
  if (inet == NULL)
    goto bad;

  return g_inet_socket_address_new (inet, (guint16)port);

bad:
  g_set_error (error, NEXUS_ENGINE_ERROR, NEXUS_ENGINE_ERROR_BAD_ADDRESS,
               _ ("“%s” is not a listen address: use IP:PORT, e.g. 127.0.0.1:8787 or [::1]:8787"),
               address != NULL ? address : "");
  return NULL;
}

typedef struct
{
  NexusApiServer *server;
  GSocket        *socket;
  GError         *error;
  gboolean        ok;
} ListenCall;

static gboolean
api_listen_cb (gpointer data)
{
  ListenCall     *call = data;
  NexusApiServer *self = call->server;

  call->ok = soup_server_listen_socket (
      self->server, call->socket, self->config.tls ? SOUP_SERVER_LISTEN_HTTPS : 0, &call->error);
  return G_SOURCE_REMOVE;
}

/**
 * nexus_api_server_listen:
 *
 * Binds @address with a backlog of %NEXUS_API_LISTEN_BACKLOG and starts
 * serving on the API thread.  Must run on the engine thread.
 */
gboolean
nexus_api_server_listen (NexusApiServer *self, const char *address, GError **error)
{
  g_autoptr (GSocketAddress) socket_address = NULL;
  g_autoptr (GSocketAddress) bound = NULL;
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GError) local_error = NULL;
  ListenCall call = { self };

  g_return_val_if_fail (NEXUS_IS_API_SERVER (self), FALSE);
  g_return_val_if_fail (self->socket == NULL, FALSE);

  socket_address = nexus_api_parse_address (address, error);
  if (socket_address == NULL)
    return FALSE;

  socket = g_socket_new (g_socket_address_get_family (socket_address), G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, &local_error);
  if (socket == NULL)
    goto fail;

  g_socket_set_listen_backlog (socket, NEXUS_API_LISTEN_BACKLOG);

  if (!g_socket_bind (socket, socket_address, TRUE, &local_error) ||
      !g_socket_listen (socket, &local_error))
    goto fail;

  /* libsoup attaches the socket's sources to the thread-default context
   * of the thread that listens: the API thread. */
  call.socket = socket;
  run_on_api_thread (self, api_listen_cb, &call);
  if (!call.ok)
    {
      local_error = call.error;
      goto fail;
    }

  bound = g_socket_get_local_address (socket, NULL);
  if (bound != NULL)
    self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));

  self->socket = g_steal_pointer (&socket);
  g_debug ("Worker API listening on %s (port %u)", address, self->port);
  return TRUE;

fail:
  g_set_error (error, NEXUS_ENGINE_ERROR, NEXUS_ENGINE_ERROR_LISTEN, _ ("Cannot listen on %s: %s"),
               address, local_error->message);
  return FALSE;
}

guint16
nexus_api_server_get_port (NexusApiServer *self)
{
  g_return_val_if_fail (NEXUS_IS_API_SERVER (self), 0);

  return self->port;
}

typedef struct
{
  NexusApiServer  *server;
  GTlsCertificate *certificate;
} CertificateCall;

static gboolean
api_set_certificate_cb (gpointer data)
{
  CertificateCall *call = data;

  g_object_set (call->server->server, "tls-certificate", call->certificate, NULL);
  return G_SOURCE_REMOVE;
}

/* The certificate served when the config asks for TLS; set before
 * listening. */
void
nexus_api_server_set_certificate (NexusApiServer *self, GTlsCertificate *certificate)
{
  CertificateCall call = { self, certificate };

  g_return_if_fail (NEXUS_IS_API_SERVER (self));

  run_on_api_thread (self, api_set_certificate_cb, &call);
}

typedef struct
{
  NexusApiServer *server;
  guint           count;
} CountCall;

static gboolean
api_count_open_cb (gpointer data)
{
  CountCall *call = data;

  call->count = g_hash_table_size (call->server->open_requests);
  return G_SOURCE_REMOVE;
}

guint
nexus_api_server_get_n_open_requests (NexusApiServer *self)
{
  CountCall call = { self, 0 };

  g_return_val_if_fail (NEXUS_IS_API_SERVER (self), 0);

  if (self->thread == NULL)
    return 0;
  run_on_api_thread (self, api_count_open_cb, &call);
  return call.count;
}

static gboolean
api_release_waiters_cb (gpointer data)
{
  _nexus_api_jobs_release_waiters (data);
  return G_SOURCE_REMOVE;
}

/**
 * nexus_api_server_set_draining:
 *
 * While draining, every new request is answered 503 shutting_down with a
 * Retry-After, and waiting long polls get an empty list; requests already
 * being applied finish.  Used at shutdown and while the database is being
 * swapped.
 */
void
nexus_api_server_set_draining (NexusApiServer *self, gboolean draining)
{
  g_return_if_fail (NEXUS_IS_API_SERVER (self));

  g_atomic_int_set (&self->stopping, draining);
  if (draining && self->thread != NULL)
    run_on_api_thread (self, api_release_waiters_cb, self);
}

/**
 * nexus_api_server_stop:
 *
 * Engine thread: stops accepting requests, applies the calls already
 * posted, answers what waits, closes the connections and ends the API
 * thread.  Later calls do nothing.
 */
void
nexus_api_server_stop (NexusApiServer *self)
{
  g_return_if_fail (NEXUS_IS_API_SERVER (self));

  g_atomic_int_set (&self->stopping, TRUE);
  if (self->thread == NULL)
    return;

  _nexus_api_jobs_disconnect (self);
  close_calls (self);
  run_on_api_thread (self, api_teardown_cb, self);
  g_thread_join (g_steal_pointer (&self->thread));
}
