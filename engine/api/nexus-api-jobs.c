/* nexus-api-jobs.c — lease, extend, fail and report
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Long polls: a lease that finds no work waits (its message paused) in
 * lease_waiters until the queue says "jobs-available", another process
 * commits (PRAGMA data_version moves; polled by the sweep timer), or its
 * wait_s runs out.  Waiters are served oldest first.
 *
 * Reports: each is checked (lease token, idempotency key) and parked, its
 * message paused; an idle callback then applies every parked report in one
 * transaction — one SAVEPOINT each, so one bad report does not undo the
 * others — and answers them only after COMMIT.  The answer of a report is
 * stored with its idempotency key in that same transaction: a report is
 * either applied and remembered, or neither, so a worker that retries
 * after a crash gets it applied exactly once.
 */

#define G_LOG_DOMAIN "nexus-api"

#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <glib/gi18n.h>
#include <string.h>
#include <sys/socket.h>

#include "leads/nexus-ingest.h"
#include "leads/nexus-lead.h"
#include "nexus-api-private.h"
#include "store/nexus-store-api.h"

#define MAX_IDEMPOTENCY_KEY 255
/* Upper bounds (seconds) of the lease latency histogram; the last is +Inf. */
static const double latency_bounds[] = { 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 5.0 };

/* A long poll waiting for work.  Its connection was taken from libsoup
 * (soup_server_message_steal_connection): a paused libsoup message costs
 * every main-loop iteration a source check and keeps a 16 KiB header
 * buffer, which does not scale to thousands of waiting workers.  We answer
 * it ourselves and then hand the connection back to libsoup for the next
 * request (soup_server_accept_iostream), or close it. */
typedef struct
{
  NexusApiServer *server;
  GIOStream      *stream; /* the connection, owned */
  GSocket        *socket; /* its socket, owned */
  GSocketAddress *local;  /* for soup_server_accept_iostream() */
  GSocketAddress *remote;
  gboolean        keep_alive; /* the client wants the connection kept */
  gint64          worker_id;
  guint           max;
  char          **providers; /* NULL: any */
  gint64          started_us;
  gint64          deadline_us;
} LeaseWaiter;

typedef struct
{
  SoupServerMessage *msg; /* owned reference */
  gint64             worker_id;
  char              *worker_public_id;
  gint64             job_id;
  char              *token;
  char              *key; /* Idempotency-Key */
  char              *body_sha256;
  char              *flight_key; /* "worker_id key" in reports_in_flight */
  gboolean           saturated;
  gboolean           final;
  GPtrArray         *records; /* NexusLeadInput* per result; NULL where invalid */
  GPtrArray         *reasons; /* char* per result: why it is invalid, or NULL */
  guint              n_new;   /* once applied: the counts of the answer, for the event */
  guint              merged;
  guint              preview;
} PendingReport;

static void
lease_waiter_free (LeaseWaiter *waiter)
{
  g_clear_object (&waiter->stream);
  g_clear_object (&waiter->socket);
  g_clear_object (&waiter->local);
  g_clear_object (&waiter->remote);
  g_strfreev (waiter->providers);
  g_free (waiter);
}

static void
pending_report_free (PendingReport *report)
{
  g_clear_object (&report->msg);
  g_free (report->worker_public_id);
  g_free (report->token);
  g_free (report->key);
  g_free (report->body_sha256);
  g_free (report->flight_key);
  g_clear_pointer (&report->records, g_ptr_array_unref);
  g_clear_pointer (&report->reasons, g_ptr_array_unref);
  g_free (report);
}

static void
record_lease_latency (NexusApiServer *self, gint64 started_us)
{
  double seconds = (g_get_monotonic_time () - started_us) / (double)G_USEC_PER_SEC;
  guint  bucket = 0;

  while (bucket < G_N_ELEMENTS (latency_bounds) && seconds > latency_bounds[bucket])
    bucket++;
  self->lease_latency_buckets[bucket]++;
  self->lease_latency_sum_s += seconds;
  self->lease_latency_count++;
}

static void
append_json_string (GString *text, const char *value)
{
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_VALUE);
  g_autofree char *quoted = NULL;

  json_node_set_string (node, value);
  quoted = json_to_string (node, FALSE);
  g_string_append (text, quoted);
}

/* {"jobs":[{"id","lease_token","lease_expires_at","attempt","kind","payload"}]}
 * The payload goes in as stored: the table only holds valid JSON (a CHECK
 * on the column), so the lease path never parses it again. */
static char *
jobs_text (GPtrArray *jobs)
{
  GString *text = g_string_new ("{\"jobs\":[");

  for (guint i = 0; jobs != NULL && i < jobs->len; i++)
    {
      NexusLeasedJob *job = g_ptr_array_index (jobs, i);

      g_string_append_printf (
          text, "%s{\"id\":%" G_GINT64_FORMAT ",\"lease_token\":", i > 0 ? "," : "", job->id);
      append_json_string (text, job->lease_token);
      g_string_append_printf (text,
                              ",\"lease_expires_at\":%" G_GINT64_FORMAT ",\"attempt\":%d,"
                              "\"kind\":",
                              job->lease_expires_at, job->attempt);
      append_json_string (text, job->kind);
      g_string_append (text, ",\"payload\":");
      g_string_append (text, job->payload);
      g_string_append_c (text, '}');
    }
  g_string_append (text, "]}");
  return g_string_free (text, FALSE);
}

static void
send_jobs (SoupServerMessage *msg, GPtrArray *jobs)
{
  char *body = jobs_text (jobs);

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, body, strlen (body));
}

static void
publish_leased (NexusApiServer *self, gint64 worker_id, GPtrArray *jobs)
{
  for (guint i = 0; i < jobs->len; i++)
    {
      NexusLeasedJob *job = g_ptr_array_index (jobs, i);
      g_autoptr (JsonObject) data = json_object_new ();

      json_object_set_int_member (data, "job_id", job->id);
      json_object_set_string_member (data, "kind", job->kind);
      json_object_set_int_member (data, "worker_id", worker_id);
      nexus_event_bus_publish (self->events, "job.leased", data);
    }
}

typedef struct
{
  NexusApiServer *server; /* a reference: the write may outlive a stop */
  LeaseWaiter    *waiter;
  GBytes         *response;
} Answering;

static void
answered_closed_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_io_stream_close_finish (G_IO_STREAM (object), result, NULL);
  g_object_unref (object);
}

static void
answered_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  Answering      *answering = user_data;
  LeaseWaiter    *waiter = answering->waiter;
  NexusApiServer *self = answering->server;
  g_autoptr (GError) error = NULL;

  if (g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, &error) &&
      waiter->keep_alive && !self->config.tls && !self->stopping &&
      soup_server_accept_iostream (self->server, waiter->stream, waiter->local, waiter->remote,
                                   NULL))
    _nexus_api_track_idle (self, waiter->socket);
  else
    g_io_stream_close_async (g_object_ref (waiter->stream), G_PRIORITY_DEFAULT, NULL,
                             answered_closed_cb, NULL);

  lease_waiter_free (waiter);
  g_bytes_unref (answering->response);
  g_object_unref (answering->server);
  g_free (answering);
}

/* Writes a complete HTTP answer on a parked connection; takes @waiter. */
static void
answer_waiter (NexusApiServer *self, LeaseWaiter *waiter, guint status, const char *body)
{
  Answering *answering = g_new0 (Answering, 1);
  char      *text;

  text = g_strdup_printf ("HTTP/1.1 %u %s\r\nServer: nexus/" PACKAGE_VERSION "\r\n"
                          "Content-Type: application/json\r\nContent-Length: %zu\r\n"
                          "Connection: %s\r\n\r\n%s",
                          status, soup_status_get_phrase (status), strlen (body),
                          waiter->keep_alive && !self->config.tls ? "keep-alive" : "close", body);
  answering->server = g_object_ref (self);
  answering->waiter = waiter;
  answering->response = g_bytes_new_take (text, strlen (text));
  g_output_stream_write_all_async (
      g_io_stream_get_output_stream (waiter->stream), g_bytes_get_data (answering->response, NULL),
      g_bytes_get_size (answering->response), G_PRIORITY_DEFAULT, NULL, answered_cb, answering);
  _nexus_api_count (self, "lease", status);
}

/* TRUE when the worker hung up while it waited: then it gets no job. */
static gboolean
peer_gone (GSocket *socket)
{
  GIOCondition condition = g_socket_condition_check (socket, G_IO_IN | G_IO_HUP | G_IO_ERR);
  char         byte;
  gssize       n;

  if ((condition & (G_IO_HUP | G_IO_ERR)) != 0)
    return TRUE;
  if ((condition & G_IO_IN) == 0)
    return FALSE;
  n = recv (g_socket_get_fd (socket), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

/* Leases for a parked @waiter.  Returns TRUE when the waiter is finished
 * with (answered, or gone) and has been freed; FALSE when there was no work
 * for it. */
static gboolean
serve_waiter (NexusApiServer *self, LeaseWaiter *waiter, gboolean final)
{
  g_autoptr (GPtrArray) jobs = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *body = NULL;

  if (peer_gone (waiter->socket))
    {
      lease_waiter_free (waiter);
      return TRUE;
    }

  jobs = nexus_job_queue_lease (self->queue, waiter->worker_id, waiter->max,
                                (const char *const *)waiter->providers, &error);
  if (jobs == NULL)
    {
      g_autoptr (JsonObject) object = json_object_new ();
      g_autoptr (JsonNode) root = json_node_new (JSON_NODE_OBJECT);

      g_message ("Lease failed: %s", error->message);
      json_object_set_string_member (object, "error", "shutting_down");
      json_object_set_string_member (object, "message", _ ("The queue cannot lease right now"));
      json_node_set_object (root, object);
      body = json_to_string (root, FALSE);
      record_lease_latency (self, waiter->started_us);
      answer_waiter (self, waiter, SOUP_STATUS_SERVICE_UNAVAILABLE, body);
      return TRUE;
    }
  if (jobs->len == 0 && !final)
    return FALSE;

  record_lease_latency (self, waiter->started_us);
  publish_leased (self, waiter->worker_id, jobs);
  body = jobs_text (jobs);
  answer_waiter (self, waiter, SOUP_STATUS_OK, body);
  return TRUE;
}

/* Serves waiting long polls, oldest first, while there is work. */
static void
serve_waiters (NexusApiServer *self)
{
  GList *link = self->lease_waiters.head;

  while (link != NULL)
    {
      GList       *next = link->next;
      LeaseWaiter *waiter = link->data;
      gboolean     any_provider = waiter->providers == NULL;

      if (serve_waiter (self, waiter, FALSE))
        g_queue_delete_link (&self->lease_waiters, link);
      else if (any_provider)
        break; /* nothing at all is ready */
      link = next;
    }
}

static void
jobs_available_cb (NexusJobQueue *queue, gpointer user_data)
{
  serve_waiters (user_data);
}

/* Runs from the sweep timer: answers long polls whose time is up and
 * notices commits made by other processes. */
void
_nexus_api_jobs_poll (NexusApiServer *self)
{
  gint64 now = g_get_monotonic_time ();
  gint64 version;
  GList *link = self->lease_waiters.head;

  while (link != NULL)
    {
      GList       *next = link->next;
      LeaseWaiter *waiter = link->data;

      if (waiter->deadline_us <= now && serve_waiter (self, waiter, TRUE))
        g_queue_delete_link (&self->lease_waiters, link);
      link = next;
    }

  if (self->lease_waiters.length == 0)
    return;
  version = nexus_store_get_data_version (self->store);
  if (version != self->data_version)
    {
      self->data_version = version;
      serve_waiters (self);
    }
}

static gboolean
get_int_member (JsonObject *object,
                const char *name,
                gint64      fallback,
                gint64      min,
                gint64      max,
                gint64     *out_value)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL)
    {
      *out_value = fallback;
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *out_value = json_node_get_int (node);
  return *out_value >= min && *out_value <= max;
}

static gboolean
get_bool_member (JsonObject *object, const char *name, gboolean fallback, gboolean *out_value)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL)
    {
      *out_value = fallback;
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return FALSE;
  *out_value = json_node_get_boolean (node);
  return TRUE;
}

/* Takes the connection from libsoup and queues the long poll. */
static void
park_lease (NexusApiServer    *self,
            SoupServerMessage *msg,
            gint64             worker_id,
            guint              max,
            char             **providers,
            gint64             wait_s)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  LeaseWaiter        *waiter = g_new0 (LeaseWaiter, 1);

  waiter->server = self;
  waiter->worker_id = worker_id;
  waiter->max = max;
  waiter->providers = providers;
  waiter->started_us = g_get_monotonic_time ();
  waiter->deadline_us = waiter->started_us + wait_s * G_USEC_PER_SEC;
  waiter->keep_alive =
      soup_server_message_get_http_version (msg) == SOUP_HTTP_1_1
          ? !soup_message_headers_header_contains (headers, "Connection", "close")
          : soup_message_headers_header_contains (headers, "Connection", "keep-alive");
  waiter->socket = g_object_ref (soup_server_message_get_socket (msg));
  waiter->local = g_object_ref (soup_server_message_get_local_address (msg));
  waiter->remote = g_object_ref (soup_server_message_get_remote_address (msg));
  waiter->stream = soup_server_message_steal_connection (msg);
  g_queue_push_tail (&self->lease_waiters, waiter);
}

void
_nexus_api_handle_lease (NexusApiServer    *self,
                         SoupServerMessage *msg,
                         NexusWorkerRecord *worker,
                         JsonObject        *body)
{
  g_autoptr (GStrvBuilder) providers = NULL;
  JsonNode *providers_node = json_object_get_member (body, "providers");
  gint64    max = 1;
  gint64    wait_s = 0;

  if (!get_int_member (body, "max", 1, 1, NEXUS_QUEUE_MAX_LEASE, &max) ||
      !get_int_member (body, "wait_s", 0, 0, self->config.max_wait_s, &wait_s))
    {
      _nexus_api_send_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_request",
                             _ ("max must be an integer from 1 to 50 and wait_s from 0 to 30"));
      return;
    }

  if (providers_node != NULL && !JSON_NODE_HOLDS_NULL (providers_node))
    {
      JsonArray *array;

      if (!JSON_NODE_HOLDS_ARRAY (providers_node))
        goto bad_providers;
      array = json_node_get_array (providers_node);
      if (json_array_get_length (array) > 16)
        goto bad_providers;
      providers = g_strv_builder_new ();
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *item = json_array_get_element (array, i);
          if (!JSON_NODE_HOLDS_VALUE (item) || json_node_get_value_type (item) != G_TYPE_STRING ||
              strlen (json_node_get_string (item)) > 64)
            goto bad_providers;
          g_strv_builder_add (providers, json_node_get_string (item));
        }
    }

  /* Older waiters go first: lease at once only when nobody is waiting. */
  if (self->lease_waiters.length == 0 || wait_s == 0)
    {
      g_autoptr (GPtrArray) jobs = NULL;
      g_autoptr (GError) error = NULL;
      g_auto (GStrv) filter = providers != NULL ? g_strv_builder_end (providers) : NULL;
      gint64 started_us = g_get_monotonic_time ();

      jobs = nexus_job_queue_lease (self->queue, worker->id, (guint)max,
                                    (const char *const *)filter, &error);
      if (jobs == NULL)
        {
          g_message ("Lease failed: %s", error->message);
          _nexus_api_send_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "shutting_down",
                                 _ ("The queue cannot lease right now"));
          return;
        }
      if (jobs->len > 0 || wait_s == 0)
        {
          record_lease_latency (self, started_us);
          publish_leased (self, worker->id, jobs);
          send_jobs (msg, jobs);
          return;
        }
      if (filter != NULL)
        {
          g_clear_pointer (&providers, g_strv_builder_unref);
          providers = g_strv_builder_new ();
          g_strv_builder_addv (providers, (const char **)filter);
        }
    }

  park_lease (self, msg, worker->id, (guint)max,
              providers != NULL ? g_strv_builder_end (providers) : NULL, wait_s);
  return;

bad_providers:
  _nexus_api_send_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_request",
                         _ ("providers must be an array of provider names"));
}

static void
send_queue_error (SoupServerMessage *msg, const GError *error)
{
  if (g_error_matches (error, NEXUS_QUEUE_ERROR, NEXUS_QUEUE_ERROR_LEASE_LOST))
    _nexus_api_send_error (msg, SOUP_STATUS_CONFLICT, "lease_lost", error->message);
  else if (g_error_matches (error, NEXUS_QUEUE_ERROR, NEXUS_QUEUE_ERROR_NOT_FOUND))
    _nexus_api_send_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", error->message);
  else if (error->domain == NEXUS_QUEUE_ERROR)
    _nexus_api_send_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_request", error->message);
  else
    {
      g_message ("Job update failed: %s", error->message);
      _nexus_api_send_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "shutting_down",
                             _ ("The engine cannot apply this right now"));
    }
}

static const char *
get_token (SoupServerMessage *msg, JsonObject *body)
{
  const char *token = _nexus_api_get_string (body, "lease_token");

  if (token == NULL || *token == '\0' || strlen (token) > 128)
    {
      _nexus_api_send_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_request",
                             _ ("lease_token must be the string the lease returned"));
      return NULL;
    }
  return token;
}

/* A lease is held by the worker that leased it: another worker's token
 * for the job is as good as a stale one. */
static gboolean
check_holder (NexusApiServer    *self,
              SoupServerMessage *msg,
              NexusWorkerRecord *worker,
              gint64             job_id,
              const char        *token)
{
  g_autoptr (GError) error = NULL;
  NexusJobRecord *job = nexus_job_queue_verify_lease (self->queue, job_id, token, &error);
  gboolean        held;

  if (job == NULL)
    {
      send_queue_error (msg, error);
      return FALSE;
    }
  held = job->lease_worker_id == worker->id;
  nexus_job_record_free (job);
  if (!held)
    {
      _nexus_api_send_error (msg, SOUP_STATUS_CONFLICT, "lease_lost",
                             _ ("This job is leased to another worker"));
      return FALSE;
    }
  return TRUE;
}

void
_nexus_api_handle_extend (NexusApiServer    *self,
                          SoupServerMessage *msg,
                          NexusWorkerRecord *worker,
                          gint64             job_id,
                          JsonObject        *body)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  g_autoptr (JsonObject) object = json_object_new ();
  const char *token = get_token (msg, body);
  gint64      expires_at = 0;

  if (token == NULL || !check_holder (self, msg, worker, job_id, token))
    return;
  if (!nexus_job_queue_extend (self->queue, job_id, token, &expires_at, &error))
    {
      send_queue_error (msg, error);
      return;
    }
  json_object_set_int_member (object, "lease_expires_at", expires_at);
  json_node_set_object (root, object);
  _nexus_api_send_json (msg, SOUP_STATUS_OK, root);
}

void
_nexus_api_handle_fail (NexusApiServer    *self,
                        SoupServerMessage *msg,
                        NexusWorkerRecord *worker,
                        gint64             job_id,
                        JsonObject        *body)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  g_autoptr (JsonObject) object = json_object_new ();
  g_autoptr (JsonObject) data = json_object_new ();
  g_autofree char *reason = NULL;
  const char      *token = get_token (msg, body);
  NexusFailOutcome outcome = { 0 };
  gboolean         retryable = TRUE;

  if (token == NULL)
    return;
  if (!get_bool_member (body, "retryable", TRUE, &retryable) ||
      (json_object_has_member (body, "error") && _nexus_api_get_string (body, "error") == NULL))
    {
      _nexus_api_send_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_request",
                             _ ("error must be a string and retryable a boolean"));
      return;
    }
  if (!check_holder (self, msg, worker, job_id, token))
    return;

  /* Kept as the job's last error: bounded like any echo of input. */
  reason = _nexus_api_truncated (_nexus_api_get_string (body, "error"));
  if (!nexus_job_queue_fail (self->queue, job_id, token, reason != NULL ? reason : "", retryable,
                             &outcome, &error))
    {
      send_queue_error (msg, error);
      return;
    }

  json_object_set_string_member (object, "state",
                                 outcome.status == NEXUS_JOB_DEAD ? "dead" : "queued");
  json_object_set_int_member (object, "run_after", outcome.run_after);
  json_node_set_object (root, object);
  _nexus_api_send_json (msg, SOUP_STATUS_OK, root);

  json_object_set_int_member (data, "job_id", job_id);
  json_object_set_int_member (data, "worker_id", worker->id);
  json_object_set_boolean_member (data, "dead", outcome.status == NEXUS_JOB_DEAD);
  nexus_event_bus_publish (self->events,
                           outcome.status == NEXUS_JOB_DEAD ? "job.dead" : "job.failed", data);
}

static gboolean
key_valid (const char *key)
{
  gsize length;

  if (key == NULL)
    return FALSE;
  length = strlen (key);
  if (length == 0 || length > MAX_IDEMPOTENCY_KEY)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (key[i] < 0x21 || key[i] > 0x7e)
      return FALSE;
  return TRUE;
}

static void
send_stored (SoupServerMessage *msg, guint status, GBytes *response)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                    g_bytes_get_data (response, NULL), g_bytes_get_size (response));
}

static gboolean flush_reports_cb (gpointer user_data);

void
_nexus_api_handle_report (NexusApiServer    *self,
                          SoupServerMessage *msg,
                          NexusWorkerRecord *worker,
                          gint64             job_id,
                          JsonObject        *body,
                          GByteArray        *raw_body)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char         *key = soup_message_headers_get_one (headers, "Idempotency-Key");
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) stored = NULL;
  g_autofree char *stored_sha = NULL;
  g_autofree char *sha = NULL;
  g_autofree char *flight_key = NULL;
  JsonNode        *results_node = json_object_get_member (body, "results");
  const char      *token;
  PendingReport   *report;
  gboolean         saturated = FALSE;
  gboolean         final = TRUE;
  guint            status = 0;

  if (!key_valid (key))
    {
      _nexus_api_send_error (
          msg, SOUP_STATUS_BAD_REQUEST, "bad_request",
          _ ("A report needs an Idempotency-Key of 1 to 255 printable characters"));
      return;
    }

  sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, raw_body->data, raw_body->len);
  flight_key = g_strdup_printf ("%" PRId64 " %s", worker->id, key);

  /* The same key again: being applied, applied (same body), or misused. */
  if (g_hash_table_contains (self->reports_in_flight, flight_key))
    {
      _nexus_api_send_error (msg, SOUP_STATUS_CONFLICT, "in_progress",
                             _ ("A report with this Idempotency-Key is being applied"));
      return;
    }
  if (!nexus_store_idempotency_lookup (self->store, worker->id, key, &stored_sha, &status, &stored,
                                       &error))
    {
      send_queue_error (msg, error);
      return;
    }
  if (stored != NULL)
    {
      if (g_strcmp0 (stored_sha, sha) == 0)
        send_stored (msg, status, stored);
      else
        _nexus_api_send_error (msg, 422, "idempotency_mismatch",
                               _ ("This Idempotency-Key was used with a different body"));
      return;
    }

  token = get_token (msg, body);
  if (token == NULL)
    return;
  if (!get_bool_member (body, "saturated", FALSE, &saturated) ||
      !get_bool_member (body, "final", TRUE, &final) ||
      (results_node != NULL && !JSON_NODE_HOLDS_ARRAY (results_node)) ||
      (json_object_has_member (body, "stats") &&
       !JSON_NODE_HOLDS_OBJECT (json_object_get_member (body, "stats"))))
    {
      _nexus_api_send_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_request",
                             _ ("results must be an array, saturated and final booleans, stats an "
                                "object"));
      return;
    }
  if (!check_holder (self, msg, worker, job_id, token))
    return;

  report = g_new0 (PendingReport, 1);
  report->msg = g_object_ref (msg);
  report->worker_id = worker->id;
  report->worker_public_id = g_strdup (worker->public_id);
  report->job_id = job_id;
  report->token = g_strdup (token);
  report->key = g_strdup (key);
  report->body_sha256 = g_steal_pointer (&sha);
  report->flight_key = g_strdup (flight_key);
  report->saturated = saturated;
  report->final = final;
  report->records = g_ptr_array_new_with_free_func ((GDestroyNotify)nexus_lead_input_free);
  report->reasons = g_ptr_array_new_with_free_func (g_free);

  if (results_node != NULL)
    {
      JsonArray *results = json_node_get_array (results_node);

      for (guint i = 0; i < json_array_get_length (results); i++)
        {
          JsonNode *item = json_array_get_element (results, i);
          g_autoptr (GError) invalid = NULL;
          NexusLeadInput *input = NULL;

          if (JSON_NODE_HOLDS_OBJECT (item))
            input = nexus_lead_input_from_json (json_node_get_object (item), &invalid);
          g_ptr_array_add (report->records, input);
          g_ptr_array_add (report->reasons,
                           input != NULL
                               ? NULL
                               : _nexus_api_truncated (invalid != NULL
                                                           ? invalid->message
                                                           : _ ("a result must be a JSON object")));
        }
    }

  g_hash_table_add (self->reports_in_flight, g_steal_pointer (&flight_key));
  g_ptr_array_add (self->pending_reports, report);
  soup_server_message_pause (msg);

  /* Reports that arrive while this iteration runs (or within the commit
   * delay) share one commit. */
  if (self->flush_id == 0)
    {
      g_autoptr (GSource) source = self->config.commit_delay_ms > 0
                                       ? g_timeout_source_new (self->config.commit_delay_ms)
                                       : g_idle_source_new ();
      g_source_set_callback (source, flush_reports_cb, self, NULL);
      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      g_source_set_name (source, "[nexus] report group commit");
      self->flush_id = g_source_attach (source, g_main_context_get_thread_default ());
    }
}

/* Applies one report inside the open transaction.  On failure the caller
 * rolls back to the report's savepoint. */
static gboolean
apply_report (NexusApiServer *self, PendingReport *report, char **out_answer, GError **error)
{
  g_autoptr (NexusJobRecord) job = NULL;
  g_autoptr (NexusIngestReport) result = nexus_ingest_report_new ();
  g_autoptr (JsonNode) payload = NULL;
  g_autoptr (JsonNode) answer = NULL;
  NexusIngestContext   context = { 0 };
  NexusCompleteOutcome outcome = { 0 };
  NexusIngest         *ingest;
  gint64               now = g_get_real_time () / G_USEC_PER_SEC;

  job = nexus_job_queue_verify_lease (self->queue, report->job_id, report->token, error);
  if (job == NULL)
    return FALSE;
  ingest = nexus_ingest_get_for_store (self->store, error);
  if (ingest == NULL)
    return FALSE;

  /* The search's country is the default region of numbers written
   * without +CC; it travels in the job's payload. */
  payload = json_from_string (job->payload, NULL);
  context.job_id = report->job_id;
  context.worker_id = report->worker_id;
  context.now = now;
  if (payload != NULL && JSON_NODE_HOLDS_OBJECT (payload))
    {
      JsonObject *object = json_node_get_object (payload);
      context.default_region = _nexus_api_get_string (object, "country");
      if (g_strcmp0 (job->kind, "enrich") == 0 && json_object_has_member (object, "lead_id"))
        context.enrich_lead_id = json_object_get_int_member (object, "lead_id");
    }

  for (guint i = 0; i < report->reasons->len; i++)
    if (g_ptr_array_index (report->reasons, i) != NULL)
      nexus_ingest_report_reject (result, i, g_ptr_array_index (report->reasons, i));

  if (!nexus_ingest_batch_in_transaction (ingest, &context, report->records, result, error))
    return FALSE;

  if (report->final && !nexus_job_queue_complete_in_transaction (
                           self->queue, report->job_id, report->token, report->saturated,
                           job->result_count + result->accepted, &outcome, error))
    return FALSE;
  if (!report->final &&
      !nexus_store_job_add_results (self->store, report->job_id, result->accepted, error))
    return FALSE;
  if (!nexus_store_worker_count_work (self->store, report->worker_id, report->final ? 1 : 0,
                                      result->n_new + result->preview, error))
    return FALSE;

  answer = nexus_ingest_report_to_json (result);
  *out_answer = json_to_string (answer, FALSE);
  if (!nexus_store_idempotency_store (self->store, report->worker_id, report->key,
                                      report->body_sha256, SOUP_STATUS_OK, *out_answer, now, error))
    return FALSE;

  self->leads_ingested += result->accepted;
  report->n_new = result->n_new;
  report->merged = result->merged;
  report->preview = result->preview;
  return TRUE;
}

static void
publish_report (NexusApiServer *self, PendingReport *report)
{
  g_autoptr (JsonObject) data = json_object_new ();

  json_object_set_int_member (data, "job_id", report->job_id);
  json_object_set_int_member (data, "worker_id", report->worker_id);
  json_object_set_boolean_member (data, "final", report->final);
  json_object_set_boolean_member (data, "saturated", report->saturated);
  json_object_set_int_member (data, "new", report->n_new);
  json_object_set_int_member (data, "merged", report->merged);
  json_object_set_int_member (data, "preview", report->preview);
  nexus_event_bus_publish (self->events, report->final ? "job.completed" : "job.reported", data);
}

static void
free_error (gpointer error)
{
  if (error != NULL)
    g_error_free (error);
}

/* The group commit: every parked report in one transaction. */
static gboolean
flush_reports_cb (gpointer user_data)
{
  NexusApiServer *self = user_data;
  g_autoptr (GPtrArray) batch = self->pending_reports;
  g_autoptr (GPtrArray) answers = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) errors = g_ptr_array_new_with_free_func (free_error);
  g_autoptr (GError) error = NULL;
  gboolean committed = FALSE;

  self->flush_id = 0;
  self->pending_reports = g_ptr_array_new_with_free_func ((GDestroyNotify)pending_report_free);

  if (nexus_store_begin (self->store, &error))
    {
      for (guint i = 0; i < batch->len; i++)
        {
          PendingReport *report = g_ptr_array_index (batch, i);
          GError        *report_error = NULL;
          char          *answer = NULL;

          if (!nexus_store_savepoint (self->store, "report", &report_error) ||
              !apply_report (self, report, &answer, &report_error))
            {
              nexus_store_rollback_to (self->store, "report");
              g_clear_pointer (&answer, g_free);
            }
          nexus_store_release (self->store, "report", NULL);
          g_ptr_array_add (answers, answer);
          g_ptr_array_add (errors, report_error);
        }
      committed = nexus_store_commit (self->store, &error);
    }

  for (guint i = 0; i < batch->len; i++)
    {
      PendingReport *report = g_ptr_array_index (batch, i);
      const char    *answer = committed ? g_ptr_array_index (answers, i) : NULL;
      GError        *report_error = committed ? g_ptr_array_index (errors, i) : error;

      if (answer != NULL)
        {
          soup_server_message_set_status (report->msg, SOUP_STATUS_OK, NULL);
          soup_server_message_set_response (report->msg, "application/json", SOUP_MEMORY_COPY,
                                            answer, strlen (answer));
          publish_report (self, report);
        }
      else
        send_queue_error (report->msg, report_error);

      _nexus_api_count (self, "report", soup_server_message_get_status (report->msg));
      g_hash_table_remove (self->reports_in_flight, report->flight_key);
      soup_server_message_unpause (report->msg);
    }

  return G_SOURCE_REMOVE;
}

void
_nexus_api_write_job_metrics (NexusApiServer *self, GString *text)
{
  g_autoptr (GHashTable) counts = NULL;
  guint64 cumulative = 0;

  g_string_append (text,
                   "# HELP nexus_lease_latency_seconds Time from a lease request to its answer.\n"
                   "# TYPE nexus_lease_latency_seconds histogram\n");
  for (guint i = 0; i <= G_N_ELEMENTS (latency_bounds); i++)
    {
      cumulative += self->lease_latency_buckets[i];
      if (i < G_N_ELEMENTS (latency_bounds))
        g_string_append_printf (text, "nexus_lease_latency_seconds_bucket{le=\"%g\"} %" PRIu64 "\n",
                                latency_bounds[i], cumulative);
      else
        g_string_append_printf (
            text, "nexus_lease_latency_seconds_bucket{le=\"+Inf\"} %" PRIu64 "\n", cumulative);
    }
  g_string_append_printf (text,
                          "nexus_lease_latency_seconds_sum %g\n"
                          "nexus_lease_latency_seconds_count %" PRIu64 "\n",
                          self->lease_latency_sum_s, self->lease_latency_count);

  g_string_append_printf (text,
                          "# HELP nexus_leads_ingested_total Results accepted from workers.\n"
                          "# TYPE nexus_leads_ingested_total counter\n"
                          "nexus_leads_ingested_total %" PRIu64 "\n",
                          self->leads_ingested);

  g_string_append_printf (text,
                          "# HELP nexus_lease_waiters Long polls waiting for work.\n"
                          "# TYPE nexus_lease_waiters gauge\n"
                          "nexus_lease_waiters %u\n",
                          self->lease_waiters.length);

  counts = nexus_store_job_counts_by_status (self->store, NULL);
  if (counts != NULL)
    {
      GHashTableIter iter;
      gpointer       key;
      gpointer       value;

      g_string_append (text, "# HELP nexus_jobs Jobs by state.\n# TYPE nexus_jobs gauge\n");
      g_hash_table_iter_init (&iter, counts);
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_string_append_printf (text, "nexus_jobs{state=\"%s\"} %" PRId64 "\n", (const char *)key,
                                *(gint64 *)value);
    }

  g_string_append_printf (
      text,
      "# HELP nexus_workers_connected Workers seen in the last 2 minutes.\n"
      "# TYPE nexus_workers_connected gauge\n"
      "nexus_workers_connected %" PRId64 "\n",
      nexus_store_workers_seen_since (self->store, g_get_real_time () / G_USEC_PER_SEC - 120));
}

void
_nexus_api_jobs_init (NexusApiServer *self)
{
  g_queue_init (&self->lease_waiters);
  self->pending_reports = g_ptr_array_new_with_free_func ((GDestroyNotify)pending_report_free);
  self->reports_in_flight = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->data_version = nexus_store_get_data_version (self->store);
  self->jobs_available_id =
      g_signal_connect (self->queue, "jobs-available", G_CALLBACK (jobs_available_cb), self);
}

/* Waiting long polls get an empty list now. */
void
_nexus_api_jobs_release_waiters (NexusApiServer *self)
{
  LeaseWaiter *waiter;

  while ((waiter = g_queue_pop_head (&self->lease_waiters)) != NULL)
    {
      g_autofree char *body = jobs_text (NULL);

      waiter->keep_alive = FALSE;
      answer_waiter (self, waiter, SOUP_STATUS_OK, body);
    }
}

/* Answers what is still open before the server goes: waiting long polls get
 * an empty list, parked reports are applied. */
void
_nexus_api_jobs_shutdown (NexusApiServer *self)
{
  if (self->flush_id != 0)
    {
      GSource *source =
          g_main_context_find_source_by_id (g_main_context_get_thread_default (), self->flush_id);
      if (source != NULL)
        g_source_destroy (source);
      flush_reports_cb (self);
    }

  _nexus_api_jobs_release_waiters (self);

  g_clear_signal_handler (&self->jobs_available_id, self->queue);
  g_clear_pointer (&self->pending_reports, g_ptr_array_unref);
  g_clear_pointer (&self->reports_in_flight, g_hash_table_unref);
}
