/* nexus-api-jobs.c — lease, extend, fail and report
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every endpoint here parses and checks its request on the API thread and
 * hands what touches the database to the engine thread as an ApiCall (see
 * nexus-api-private.h): applied in the engine's group commit, answered
 * only after it.
 *
 * Long polls: a lease with wait_s > 0 takes its connection from libsoup
 * and waits in lease_waiters until the queue says "jobs-available",
 * something commits (PRAGMA data_version of the reader moves; polled by
 * the sweep timer), or its wait_s runs out.  A lease pass then goes to the
 * engine thread with the waiters oldest first.
 *
 * Reports: the answer of a report is stored with its idempotency key in
 * the transaction that applies it: a report is either applied and
 * remembered, or neither, so a worker that retries after a crash gets it
 * applied exactly once.
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
#include "nexus-json-text.h"
#include "store/nexus-store-api.h"

#define MAX_IDEMPOTENCY_KEY 255
/* Waiters a lease pass takes from the head of the line. */
#define PASS_HEAD 64
/* Upper bounds (seconds) of the lease latency histogram; the last is +Inf. */
static const double latency_bounds[] = { 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 5.0 };

/* A long poll waiting for work.  Its connection was taken from libsoup
 * (soup_server_message_steal_connection): a paused libsoup message costs
 * every main-loop iteration a source check and keeps a 16 KiB header
 * buffer, which does not scale to thousands of waiting workers.  We answer
 * it ourselves and then hand the connection back to libsoup for the next
 * request (soup_server_accept_iostream), or close it.  API thread only;
 * a lease pass on the engine thread reads worker_id, max and providers. */
typedef struct
{
  guint           ref_count;
  NexusApiServer *server;
  GIOStream      *stream; /* the connection, owned; NULL once answered */
  GSocket        *socket; /* its socket, owned */
  GSocketAddress *local;  /* for soup_server_accept_iostream() */
  GSocketAddress *remote;
  gboolean        keep_alive; /* the client wants the connection kept */
  gint64          worker_id;
  guint           max;
  char          **providers; /* NULL: any */
  gint64          started_us;
  gint64          deadline_us;
  /* Its nonce was remembered (and its signature checked again if
   * credentials changed): only then is it served. */
  gboolean verified;
  gboolean queued; /* in lease_waiters */
} LeaseWaiter;

static LeaseWaiter *
lease_waiter_ref (LeaseWaiter *waiter)
{
  waiter->ref_count++;
  return waiter;
}

static void
lease_waiter_unref (LeaseWaiter *waiter)
{
  if (--waiter->ref_count > 0)
    return;
  g_clear_object (&waiter->stream);
  g_clear_object (&waiter->socket);
  g_clear_object (&waiter->local);
  g_clear_object (&waiter->remote);
  g_strfreev (waiter->providers);
  g_free (waiter);
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
      nexus_json_append_string (text, job->lease_token);
      g_string_append_printf (text,
                              ",\"lease_expires_at\":%" G_GINT64_FORMAT ",\"attempt\":%d,"
                              "\"kind\":",
                              job->lease_expires_at, job->attempt);
      nexus_json_append_string (text, job->kind);
      g_string_append (text, ",\"payload\":");
      g_string_append (text, job->payload);
      g_string_append_c (text, '}');
    }
  g_string_append (text, "]}");
  return g_string_free (text, FALSE);
}

/* Engine thread, after the commit. */
static void
publish_leased (NexusApiServer *self, gint64 worker_id, GPtrArray *jobs)
{
  for (guint i = 0; jobs != NULL && i < jobs->len; i++)
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
  LeaseWaiter    *waiter; /* a reference */
  GIOStream      *stream;
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
      waiter->keep_alive && !self->config.tls && !_nexus_api_stopping (self) &&
      self->server != NULL &&
      soup_server_accept_iostream (self->server, answering->stream, waiter->local, waiter->remote,
                                   NULL))
    {
      if (waiter->socket != NULL)
        _nexus_api_track_idle (self, waiter->socket);
    }
  else
    g_io_stream_close_async (g_object_ref (answering->stream), G_PRIORITY_DEFAULT, NULL,
                             answered_closed_cb, NULL);

  g_object_unref (answering->stream);
  lease_waiter_unref (waiter);
  g_bytes_unref (answering->response);
  g_object_unref (answering->server);
  g_free (answering);
}

/* Writes a complete HTTP answer on a parked connection, which the waiter
 * no longer holds afterwards. */
static void
answer_waiter (NexusApiServer *self, LeaseWaiter *waiter, guint status, const char *body)
{
  Answering *answering;
  char      *text;

  if (waiter->stream == NULL)
    return;
  answering = g_new0 (Answering, 1);
  text = g_strdup_printf ("HTTP/1.1 %u %s\r\nServer: nexus/" PACKAGE_VERSION "\r\n"
                          "Content-Type: application/json\r\nContent-Length: %zu\r\n"
                          "Connection: %s\r\n\r\n%s",
                          status, soup_status_get_phrase (status), strlen (body),
                          waiter->keep_alive && !self->config.tls ? "keep-alive" : "close", body);
  answering->server = g_object_ref (self);
  answering->waiter = lease_waiter_ref (waiter);
  answering->stream = g_steal_pointer (&waiter->stream);
  answering->response = g_bytes_new_take (text, strlen (text));
  g_output_stream_write_all_async (g_io_stream_get_output_stream (answering->stream),
                                   g_bytes_get_data (answering->response, NULL),
                                   g_bytes_get_size (answering->response), G_PRIORITY_DEFAULT, NULL,
                                   answered_cb, answering);
  record_lease_latency (self, waiter->started_us);
  _nexus_api_count (self, "lease", status);
}

/* TRUE when the worker hung up while it waited: then it gets no job. */
static gboolean
peer_gone (GSocket *socket)
{
  GIOCondition condition;
  char         byte;
  gssize       n;

  if (socket == NULL)
    return FALSE;
  condition = g_socket_condition_check (socket, G_IO_IN | G_IO_HUP | G_IO_ERR);

  if ((condition & (G_IO_HUP | G_IO_ERR)) != 0)
    return TRUE;
  if ((condition & G_IO_IN) == 0)
    return FALSE;
  n = recv (g_socket_get_fd (socket), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

/* ---- lease passes for waiting long polls -------------------------------- */

typedef struct
{
  GPtrArray *waiters;   /* LeaseWaiter*, references, oldest first */
  GPtrArray *jobs;      /* GPtrArray* of leased jobs per waiter; NULL: not tried */
  gint64     now_us;    /* waiters whose deadline is past get an answer */
  gboolean   exhausted; /* set by the engine: nothing was ready for someone */
} LeasePass;

/* Waiters a pass did not try have no array. */
static void
jobs_unref (gpointer jobs)
{
  if (jobs != NULL)
    g_ptr_array_unref (jobs);
}

static void
lease_pass_free (gpointer data)
{
  LeasePass *pass = data;

  g_ptr_array_unref (pass->waiters);
  g_clear_pointer (&pass->jobs, g_ptr_array_unref);
  g_free (pass);
}

static gboolean
waiter_due (LeaseWaiter *waiter, gint64 now_us)
{
  return waiter->deadline_us <= now_us;
}

/* Engine thread: leases for the waiters in order while there is work; one
 * waiter for any provider finding nothing means nothing at all is ready. */
static gboolean
lease_pass_func (NexusApiServer *self, ApiCall *call, GError **error)
{
  LeasePass *pass = call->data;
  gboolean   exhausted = FALSE;

  for (guint i = 0; i < pass->waiters->len; i++)
    {
      LeaseWaiter *waiter = g_ptr_array_index (pass->waiters, i);
      GPtrArray   *jobs;

      /* Nothing is ready: the others, due or not, need no query. */
      if (exhausted)
        continue;
      jobs = nexus_job_queue_lease_in_transaction (self->queue, waiter->worker_id, waiter->max,
                                                   (const char *const *)waiter->providers, error);
      if (jobs == NULL)
        return FALSE;
      if (jobs->len == 0 && waiter->providers == NULL)
        exhausted = pass->exhausted = TRUE;
      g_ptr_array_index (pass->jobs, i) = jobs;
    }
  return TRUE;
}

static void
lease_pass_committed (NexusApiServer *self, ApiCall *call)
{
  LeasePass *pass = call->data;

  for (guint i = 0; i < pass->waiters->len; i++)
    publish_leased (self, ((LeaseWaiter *)g_ptr_array_index (pass->waiters, i))->worker_id,
                    g_ptr_array_index (pass->jobs, i));
}

static void serve_waiters (NexusApiServer *self);

static void
forget_waiter (NexusApiServer *self, LeaseWaiter *waiter)
{
  if (waiter->queued && g_queue_remove (&self->lease_waiters, waiter))
    {
      waiter->queued = FALSE;
      if (waiter->verified)
        self->n_verified_waiters--;
      lease_waiter_unref (waiter);
    }
}

/* API thread: the pass is back; answer who got work or whose time is up. */
static void
lease_pass_done (NexusApiServer *self, ApiCall *call)
{
  LeasePass *pass = call->data;
  gboolean   ok = call->committed && call->error == NULL;

  if (!ok && call->error != NULL)
    g_message ("Lease failed: %s", call->error->message);
  for (guint i = 0; i < pass->waiters->len; i++)
    {
      LeaseWaiter *waiter = g_ptr_array_index (pass->waiters, i);
      GPtrArray   *jobs = g_ptr_array_index (pass->jobs, i);
      gboolean     due = waiter_due (waiter, pass->now_us);

      if (waiter->stream == NULL)
        continue; /* answered meanwhile (draining) */
      if (!ok && due)
        {
          g_autofree char *body =
              g_strdup_printf ("{\"error\":\"shutting_down\",\"message\":\"%s\"}",
                               _ ("The queue cannot lease right now"));
          answer_waiter (self, waiter, SOUP_STATUS_SERVICE_UNAVAILABLE, body);
        }
      else if (ok && ((jobs != NULL && jobs->len > 0) || due))
        {
          g_autofree char *body = jobs_text (jobs);
          answer_waiter (self, waiter, SOUP_STATUS_OK, body);
        }
      else
        continue;
      forget_waiter (self, waiter);
    }

  self->serving_waiters = FALSE;
  /* Every waiter tried got work: there may be more for those behind. */
  if (self->serve_again || (ok && !pass->exhausted && self->lease_waiters.length > 0))
    serve_waiters (self);
}

/* Sends the waiting long polls, oldest first, to the engine thread for a
 * lease pass; one pass at a time. */
static void
serve_waiters (NexusApiServer *self)
{
  LeasePass *pass;
  ApiCall   *call;

  if (self->serving_waiters)
    {
      self->serve_again = TRUE;
      return;
    }
  self->serve_again = FALSE;

  /* The oldest PASS_HEAD waiters, and those whose time is up: a pass stops
   * at the first waiter that finds nothing, so thousands of waiting long
   * polls cost no more than a few. */
  pass = g_new0 (LeasePass, 1);
  pass->waiters = g_ptr_array_new_with_free_func ((GDestroyNotify)lease_waiter_unref);
  pass->now_us = g_get_monotonic_time ();
  for (GList *link = self->lease_waiters.head; link != NULL;)
    {
      LeaseWaiter *waiter = link->data;

      link = link->next;
      if (!waiter->verified ||
          (pass->waiters->len >= PASS_HEAD && !waiter_due (waiter, pass->now_us)))
        continue;
      if (peer_gone (waiter->socket))
        forget_waiter (self, waiter);
      else
        g_ptr_array_add (pass->waiters, lease_waiter_ref (waiter));
    }
  if (pass->waiters->len == 0)
    {
      lease_pass_free (pass);
      return;
    }
  pass->jobs = g_ptr_array_new_full (pass->waiters->len, jobs_unref);
  g_ptr_array_set_size (pass->jobs, pass->waiters->len);

  call = _nexus_api_call_new (self, NULL, NULL, lease_pass_func);
  call->data = pass;
  call->needs_savepoint = TRUE;
  call->data_free = lease_pass_free;
  call->committed_func = lease_pass_committed;
  call->done = lease_pass_done;
  self->serving_waiters = TRUE;
  _nexus_api_call_post (self, call);
}

static gboolean
jobs_available_idle_cb (gpointer user_data)
{
  NexusApiServer *self = user_data;

  if (self->server != NULL)
    serve_waiters (self);
  return G_SOURCE_REMOVE;
}

/* Engine thread: the queue has work; the API thread serves its waiters. */
static void
jobs_available_cb (NexusJobQueue *queue, gpointer user_data)
{
  NexusApiServer *self = user_data;
  GSource        *source = g_idle_source_new ();

  g_source_set_callback (source, jobs_available_idle_cb, g_object_ref (self), g_object_unref);
  g_source_set_name (source, "[nexus] api jobs available");
  g_source_attach (source, self->context);
  g_source_unref (source);
}

/* Runs from the sweep timer: answers long polls whose time is up and
 * serves them when something was committed. */
void
_nexus_api_jobs_poll (NexusApiServer *self, gboolean data_changed)
{
  gint64   now = g_get_monotonic_time ();
  gboolean due = FALSE;

  if (self->lease_waiters.length == 0)
    return;
  for (GList *link = self->lease_waiters.head; link != NULL && !due; link = link->next)
    due = waiter_due (link->data, now);
  if (due || data_changed)
    serve_waiters (self);
}

/* ---- lease, extend, fail ------------------------------------------------ */

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
static LeaseWaiter *
park_lease (NexusApiServer    *self,
            SoupServerMessage *msg,
            gint64             worker_id,
            guint              max,
            char             **providers,
            gint64             wait_s)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  LeaseWaiter        *waiter = g_new0 (LeaseWaiter, 1);

  waiter->ref_count = 1;
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
  waiter->local = g_object_ref (soup_server_message_get_local_address (msg));
  waiter->remote = g_object_ref (soup_server_message_get_remote_address (msg));
  waiter->socket = soup_server_message_get_socket (msg);
  /* The answer is written in one piece, whenever it comes. */
  _nexus_api_uncork (msg);
  waiter->stream = soup_server_message_steal_connection (msg);
  /* A connection handed back to libsoup by soup_server_accept_iostream()
   * has no socket of its own there: take it from the stream. */
  if (waiter->socket == NULL && G_IS_SOCKET_CONNECTION (waiter->stream))
    waiter->socket = g_socket_connection_get_socket (G_SOCKET_CONNECTION (waiter->stream));
  if (waiter->socket != NULL)
    g_object_ref (waiter->socket);
  g_queue_push_tail (&self->lease_waiters, waiter);
  waiter->queued = TRUE;
  return waiter;
}

/* API thread: the long poll's nonce is in (it is served from now on), or
 * its request is refused. */
static void
waiter_verified (NexusApiServer *self, ApiCall *call)
{
  LeaseWaiter     *waiter = call->data;
  guint            status = 0;
  g_autofree char *refusal = NULL;

  if (waiter->stream == NULL || !waiter->queued)
    return; /* answered or gone meanwhile */
  /* Only the nonce: there is nothing else to answer. */
  call->answer = g_strdup ("");
  refusal = _nexus_api_call_refusal_text (call, &status);
  if (refusal != NULL)
    {
      waiter->keep_alive = FALSE;
      answer_waiter (self, waiter, status, refusal);
      forget_waiter (self, waiter);
      return;
    }
  /* Older waiters go first: it leases at once only when nobody else is
   * waiting, otherwise it waits for the next pass. */
  waiter->verified = TRUE;
  if (++self->n_verified_waiters == 1)
    serve_waiters (self);
}

typedef struct
{
  guint      max;
  char     **providers;
  GPtrArray *jobs; /* leased, for the event */
} LeaseCall;

static void
lease_call_free (gpointer data)
{
  LeaseCall *lease = data;

  g_strfreev (lease->providers);
  g_clear_pointer (&lease->jobs, g_ptr_array_unref);
  g_free (lease);
}

static gboolean
lease_func (NexusApiServer *self, ApiCall *call, GError **error)
{
  LeaseCall *lease = call->data;

  lease->jobs = nexus_job_queue_lease_in_transaction (self->queue, call->worker_id, lease->max,
                                                      (const char *const *)lease->providers, error);
  if (lease->jobs == NULL)
    return FALSE;
  _nexus_api_call_set_answer (call, SOUP_STATUS_OK, jobs_text (lease->jobs));
  return TRUE;
}

static void
lease_committed (NexusApiServer *self, ApiCall *call)
{
  LeaseCall *lease = call->data;

  publish_leased (self, call->worker_id, lease->jobs);
  /* Freed on the thread that allocated them: no wait on its arena. */
  g_clear_pointer (&lease->jobs, g_ptr_array_unref);
}

static void
lease_done (NexusApiServer *self, ApiCall *call)
{
  if (call->error != NULL && call->error->domain != NEXUS_QUEUE_ERROR)
    {
      g_message ("Lease failed: %s", call->error->message);
      g_clear_error (&call->error);
      _nexus_api_call_refuse (call, SOUP_STATUS_SERVICE_UNAVAILABLE, "shutting_down",
                              _ ("The queue cannot lease right now"));
    }
  record_lease_latency (self, call->started_us);
  _nexus_api_call_answer (self, call);
}

void
_nexus_api_handle_lease (NexusApiServer    *self,
                         SoupServerMessage *msg,
                         NexusWorkerRecord *worker,
                         JsonObject        *body)
{
  g_autoptr (GStrvBuilder) providers = NULL;
  JsonNode  *providers_node = json_object_get_member (body, "providers");
  gint64     max = 1;
  gint64     wait_s = 0;
  LeaseCall *lease;
  ApiCall   *call;

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

  if (wait_s > 0)
    {
      /* A long poll waits in line (older waiters go first) and is served
       * by lease passes once its nonce is remembered. */
      ApiCall *nonce_call = _nexus_api_call_new (self, NULL, NULL, NULL);

      _nexus_api_call_sign (nonce_call, msg);
      nonce_call->data = lease_waiter_ref (
          park_lease (self, msg, worker->id, (guint)max,
                      providers != NULL ? g_strv_builder_end (providers) : NULL, wait_s));
      nonce_call->data_free = (GDestroyNotify)lease_waiter_unref;
      nonce_call->done = waiter_verified;
      _nexus_api_call_post (self, nonce_call);
      return;
    }

  lease = g_new0 (LeaseCall, 1);
  lease->max = (guint)max;
  lease->providers = providers != NULL ? g_strv_builder_end (providers) : NULL;
  call = _nexus_api_call_new (self, msg, "lease", lease_func);
  _nexus_api_call_sign (call, msg);
  call->data = lease;
  call->data_free = lease_call_free;
  call->committed_func = lease_committed;
  call->done = lease_done;
  _nexus_api_call_post (self, call);
  return;

bad_providers:
  _nexus_api_send_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_request",
                         _ ("providers must be an array of provider names"));
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

/* Engine thread: a lease is held by the worker that leased it; another
 * worker's token for the job is as good as a stale one. */
static NexusJobRecord *
check_holder (NexusApiServer *self, ApiCall *call, gint64 job_id, const char *token, GError **error)
{
  NexusJobRecord *job = nexus_job_queue_verify_lease (self->queue, job_id, token, error);

  if (job != NULL && job->lease_worker_id != call->worker_id)
    {
      nexus_job_record_free (job);
      _nexus_api_call_refuse (call, SOUP_STATUS_CONFLICT, "lease_lost",
                              _ ("This job is leased to another worker"));
      return NULL;
    }
  return job;
}

typedef struct
{
  gint64           job_id;
  char            *token;
  char            *reason;    /* fail: the job's last error */
  gboolean         retryable; /* fail */
  NexusFailOutcome outcome;   /* fail: what happened to the job */
} JobCall;

static void
job_call_free (gpointer data)
{
  JobCall *job = data;

  g_free (job->token);
  g_free (job->reason);
  g_free (job);
}

static ApiCall *
job_call_new (NexusApiServer    *self,
              SoupServerMessage *msg,
              const char        *endpoint,
              ApiCallFunc        func,
              gint64             job_id,
              const char        *token)
{
  ApiCall *call = _nexus_api_call_new (self, msg, endpoint, func);
  JobCall *job = g_new0 (JobCall, 1);

  job->job_id = job_id;
  job->token = g_strdup (token);
  _nexus_api_call_sign (call, msg);
  call->data = job;
  call->data_free = job_call_free;
  return call;
}

static gboolean
extend_func (NexusApiServer *self, ApiCall *call, GError **error)
{
  JobCall *job = call->data;
  g_autoptr (NexusJobRecord) record = check_holder (self, call, job->job_id, job->token, error);
  gint64 expires_at = 0;

  if (record == NULL ||
      !nexus_job_queue_extend (self->queue, job->job_id, job->token, &expires_at, error))
    return FALSE;
  _nexus_api_call_set_answer (call, SOUP_STATUS_OK,
                              g_strdup_printf ("{\"lease_expires_at\":%" PRId64 "}", expires_at));
  return TRUE;
}

void
_nexus_api_handle_extend (NexusApiServer    *self,
                          SoupServerMessage *msg,
                          NexusWorkerRecord *worker,
                          gint64             job_id,
                          JsonObject        *body)
{
  const char *token = get_token (msg, body);

  if (token == NULL)
    return;
  _nexus_api_call_post (self, job_call_new (self, msg, "extend", extend_func, job_id, token));
}

static gboolean
fail_func (NexusApiServer *self, ApiCall *call, GError **error)
{
  JobCall *job = call->data;
  g_autoptr (NexusJobRecord) record = check_holder (self, call, job->job_id, job->token, error);

  if (record == NULL ||
      !nexus_job_queue_fail_in_transaction (self->queue, job->job_id, job->token,
                                            job->reason != NULL ? job->reason : "", job->retryable,
                                            &job->outcome, error))
    return FALSE;
  _nexus_api_call_set_answer (
      call, SOUP_STATUS_OK,
      g_strdup_printf ("{\"state\":\"%s\",\"run_after\":%" PRId64 "}",
                       job->outcome.status == NEXUS_JOB_DEAD ? "dead" : "queued",
                       job->outcome.run_after));
  return TRUE;
}

static void
fail_committed (NexusApiServer *self, ApiCall *call)
{
  JobCall *job = call->data;
  g_autoptr (JsonObject) data = json_object_new ();

  json_object_set_int_member (data, "job_id", job->job_id);
  json_object_set_int_member (data, "worker_id", call->worker_id);
  json_object_set_boolean_member (data, "dead", job->outcome.status == NEXUS_JOB_DEAD);
  nexus_event_bus_publish (self->events,
                           job->outcome.status == NEXUS_JOB_DEAD ? "job.dead" : "job.failed", data);
}

void
_nexus_api_handle_fail (NexusApiServer    *self,
                        SoupServerMessage *msg,
                        NexusWorkerRecord *worker,
                        gint64             job_id,
                        JsonObject        *body)
{
  const char *token = get_token (msg, body);
  gboolean    retryable = TRUE;
  ApiCall    *call;
  JobCall    *job;

  if (token == NULL)
    return;
  if (!get_bool_member (body, "retryable", TRUE, &retryable) ||
      (json_object_has_member (body, "error") && _nexus_api_get_string (body, "error") == NULL))
    {
      _nexus_api_send_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_request",
                             _ ("error must be a string and retryable a boolean"));
      return;
    }

  call = job_call_new (self, msg, "fail", fail_func, job_id, token);
  job = call->data;
  job->retryable = retryable;
  /* Kept as the job's last error: bounded like any echo of input. */
  job->reason = _nexus_api_truncated (_nexus_api_get_string (body, "error"));
  call->committed_func = fail_committed;
  call->needs_savepoint = TRUE;
  _nexus_api_call_post (self, call);
}

/* ---- report ------------------------------------------------------------- */

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

typedef struct
{
  gint64     job_id;
  char      *token; /* NULL: the body was refused (invalid_message) */
  char      *key;   /* Idempotency-Key */
  char      *body_sha256;
  char      *flight_key; /* "worker_id key" in reports_in_flight */
  char      *invalid_message;
  gboolean   saturated;
  gboolean   final;
  GPtrArray *records; /* NexusLeadInput* per result; NULL where invalid */
  GPtrArray *reasons; /* char* per result: why it is invalid, or NULL */
  /* @records normalized on the API thread. */
  NexusIngestPrepared *prepared;
  gboolean             applied;  /* not answered from the idempotency record */
  guint                accepted; /* once applied: the counts of the answer, for the event */
  guint                n_new;
  guint                merged;
  guint                preview;
} PendingReport;

static void
pending_report_free (gpointer data)
{
  PendingReport *report = data;

  g_free (report->token);
  g_free (report->key);
  g_free (report->body_sha256);
  g_free (report->flight_key);
  g_free (report->invalid_message);
  g_clear_pointer (&report->prepared, nexus_ingest_prepared_free);
  g_clear_pointer (&report->records, g_ptr_array_unref);
  g_clear_pointer (&report->reasons, g_ptr_array_unref);
  g_free (report);
}

/* Engine thread: applies one report inside the open transaction. */
static gboolean
apply_report (NexusApiServer *self, ApiCall *call, PendingReport *report, GError **error)
{
  g_autoptr (NexusJobRecord) job = NULL;
  g_autoptr (NexusIngestReport) result = nexus_ingest_report_new ();
  g_autoptr (JsonNode) payload = NULL;
  NexusIngestContext   context = { 0 };
  NexusCompleteOutcome outcome = { 0 };
  NexusIngest         *ingest;
  char                *text;
  gint64               now = g_get_real_time () / G_USEC_PER_SEC;

  job = check_holder (self, call, report->job_id, report->token, error);
  if (job == NULL)
    return FALSE;
  ingest = nexus_ingest_get_for_store (self->store, error);
  if (ingest == NULL)
    return FALSE;

  /* The search's country is the default region of numbers written
   * without +CC; it travels in the job's payload (read only when there
   * are results to ingest). */
  if (report->records->len > 0)
    payload = json_from_string (job->payload, NULL);
  context.job_id = report->job_id;
  context.worker_id = call->worker_id;
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

  if (!nexus_ingest_prepared_in_transaction (ingest, &context, report->prepared, result, error))
    return FALSE;

  if (report->final && !nexus_job_queue_complete_in_transaction (
                           self->queue, report->job_id, report->token, report->saturated,
                           job->result_count + result->accepted, &outcome, error))
    return FALSE;
  /* A final report's results are counted by the completion above. */
  if (!nexus_store_job_add_results (self->store, report->job_id,
                                    report->final ? 0 : result->accepted,
                                    result->n_new + result->preview, error))
    return FALSE;
  if (!nexus_store_worker_count_work (self->store, call->worker_id, report->final ? 1 : 0,
                                      result->n_new + result->preview, error))
    return FALSE;

  text = nexus_ingest_report_to_text (result);
  _nexus_api_call_set_answer (call, SOUP_STATUS_OK, text);
  if (!nexus_store_idempotency_store (self->store, call->worker_id, report->key,
                                      report->body_sha256, SOUP_STATUS_OK, text, now, error))
    return FALSE;

  report->applied = TRUE;
  report->accepted = result->accepted;
  report->n_new = result->n_new;
  report->merged = result->merged;
  report->preview = result->preview;
  return TRUE;
}

/* Engine thread: the same key again is answered as the first time (same
 * body) or refused (another body); a new key is applied. */
static gboolean
report_func (NexusApiServer *self, ApiCall *call, GError **error)
{
  PendingReport *report = call->data;
  g_autoptr (GBytes) stored = NULL;
  g_autofree char *stored_sha = NULL;
  guint            status = 0;

  if (!nexus_store_idempotency_lookup (self->store, call->worker_id, report->key, &stored_sha,
                                       &status, &stored, error))
    return FALSE;
  if (stored != NULL)
    {
      if (g_strcmp0 (stored_sha, report->body_sha256) != 0)
        return _nexus_api_call_refuse (call, 422, "idempotency_mismatch",
                                       _ ("This Idempotency-Key was used with a different body"));
      _nexus_api_call_set_answer (
          call, status, g_strndup (g_bytes_get_data (stored, NULL), g_bytes_get_size (stored)));
      return TRUE;
    }
  if (report->invalid_message != NULL)
    return _nexus_api_call_refuse (call, SOUP_STATUS_BAD_REQUEST, "bad_request",
                                   report->invalid_message);
  return apply_report (self, call, report, error);
}

static void
report_committed (NexusApiServer *self, ApiCall *call)
{
  PendingReport *report = call->data;
  g_autoptr (JsonObject) data = json_object_new ();

  if (!report->applied)
    return; /* answered from the idempotency record */
  json_object_set_int_member (data, "job_id", report->job_id);
  json_object_set_int_member (data, "worker_id", call->worker_id);
  json_object_set_boolean_member (data, "final", report->final);
  json_object_set_boolean_member (data, "saturated", report->saturated);
  json_object_set_int_member (data, "new", report->n_new);
  json_object_set_int_member (data, "merged", report->merged);
  json_object_set_int_member (data, "preview", report->preview);
  nexus_event_bus_publish (self->events, report->final ? "job.completed" : "job.reported", data);
}

static void
report_done (NexusApiServer *self, ApiCall *call)
{
  PendingReport *report = call->data;

  if (call->committed && report->applied)
    self->leads_ingested += report->accepted;
  g_hash_table_remove (self->reports_in_flight, report->flight_key);
  _nexus_api_call_answer (self, call);
}

/* The results of a report, validated on the API thread. */
static void
parse_results (PendingReport *report, JsonNode *results_node)
{
  JsonArray *results;

  report->records = g_ptr_array_new_with_free_func ((GDestroyNotify)nexus_lead_input_free);
  report->reasons = g_ptr_array_new_with_free_func (g_free);
  if (results_node == NULL)
    return;
  results = json_node_get_array (results_node);
  for (guint i = 0; i < json_array_get_length (results); i++)
    {
      JsonNode *item = json_array_get_element (results, i);
      g_autoptr (GError) invalid = NULL;
      NexusLeadInput *input = NULL;

      if (JSON_NODE_HOLDS_OBJECT (item))
        input = nexus_lead_input_from_json (json_node_get_object (item), &invalid);
      g_ptr_array_add (report->records, input);
      g_ptr_array_add (report->reasons,
                       input != NULL ? NULL
                                     : _nexus_api_truncated (
                                           invalid != NULL ? invalid->message
                                                           : _ ("a result must be a JSON object")));
    }
}

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
  JsonNode           *results_node = json_object_get_member (body, "results");
  const char         *token = _nexus_api_get_string (body, "lease_token");
  PendingReport      *report;
  ApiCall            *call;

  if (!key_valid (key))
    {
      _nexus_api_send_error (
          msg, SOUP_STATUS_BAD_REQUEST, "bad_request",
          _ ("A report needs an Idempotency-Key of 1 to 255 printable characters"));
      return;
    }

  report = g_new0 (PendingReport, 1);
  report->job_id = job_id;
  report->key = g_strdup (key);
  report->body_sha256 =
      g_compute_checksum_for_data (G_CHECKSUM_SHA256, raw_body->data, raw_body->len);
  report->flight_key = g_strdup_printf ("%" PRId64 " %s", worker->id, key);

  /* The same key while the first is being applied. */
  if (g_hash_table_contains (self->reports_in_flight, report->flight_key))
    {
      pending_report_free (report);
      _nexus_api_send_error (msg, SOUP_STATUS_CONFLICT, "in_progress",
                             _ ("A report with this Idempotency-Key is being applied"));
      return;
    }

  /* A malformed body is refused after the idempotency record is looked
   * at: a key used before with another body is a mismatch first. */
  if (token == NULL || *token == '\0' || strlen (token) > 128)
    report->invalid_message = g_strdup (_ ("lease_token must be the string the lease returned"));
  else if (!get_bool_member (body, "saturated", FALSE, &report->saturated) ||
           !get_bool_member (body, "final", TRUE, &report->final) ||
           (results_node != NULL && !JSON_NODE_HOLDS_ARRAY (results_node)) ||
           (json_object_has_member (body, "stats") &&
            !JSON_NODE_HOLDS_OBJECT (json_object_get_member (body, "stats"))))
    report->invalid_message =
        g_strdup (_ ("results must be an array, saturated and final booleans, stats an object"));
  else
    {
      report->token = g_strdup (token);
      parse_results (report, results_node);
      report->prepared = nexus_ingest_prepare (report->records);
    }

  g_hash_table_add (self->reports_in_flight, g_strdup (report->flight_key));
  call = _nexus_api_call_new (self, msg, "report", report_func);
  _nexus_api_call_sign (call, msg);
  call->data = report;
  call->data_free = pending_report_free;
  call->committed_func = report_committed;
  call->needs_savepoint = TRUE;
  call->done = report_done;
  _nexus_api_call_post (self, call);
}

/* ---- metrics and life cycle --------------------------------------------- */

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

  /* From the API thread's reader: the figures of the last commit. */
  counts = nexus_store_job_counts_by_status (self->reader, NULL);
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
      nexus_store_workers_seen_since (self->reader, g_get_real_time () / G_USEC_PER_SEC - 120));
}

/* API thread. */
void
_nexus_api_jobs_init (NexusApiServer *self)
{
  g_queue_init (&self->lease_waiters);
  self->reports_in_flight = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/* Engine thread: "jobs-available" is emitted there. */
void
_nexus_api_jobs_connect (NexusApiServer *self)
{
  self->jobs_available_id =
      g_signal_connect (self->queue, "jobs-available", G_CALLBACK (jobs_available_cb), self);
}

void
_nexus_api_jobs_disconnect (NexusApiServer *self)
{
  g_clear_signal_handler (&self->jobs_available_id, self->queue);
}

/* Adds the sockets of parked long polls to @sockets. */
void
_nexus_api_jobs_add_sockets (NexusApiServer *self, GHashTable *sockets)
{
  for (GList *link = self->lease_waiters.head; link != NULL; link = link->next)
    if (((LeaseWaiter *)link->data)->socket != NULL)
      g_hash_table_add (sockets, ((LeaseWaiter *)link->data)->socket);
}

/* API thread: waiting long polls get an empty list now. */
void
_nexus_api_jobs_release_waiters (NexusApiServer *self)
{
  LeaseWaiter *waiter;

  self->n_verified_waiters = 0;
  while ((waiter = g_queue_pop_head (&self->lease_waiters)) != NULL)
    {
      waiter->queued = FALSE;
      g_autofree char *body = jobs_text (NULL);

      waiter->keep_alive = FALSE;
      answer_waiter (self, waiter, SOUP_STATUS_OK, body);
      lease_waiter_unref (waiter);
    }
}

/* API thread, at the stop: what waits is answered. */
void
_nexus_api_jobs_shutdown (NexusApiServer *self)
{
  _nexus_api_jobs_release_waiters (self);
}
