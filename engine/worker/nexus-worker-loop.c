/* nexus-worker-loop.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nexus-worker"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>
#include <string.h>

#include "nexus-worker-client.h"
#include "nexus-worker-loop.h"
#include "providers/nexus-enrich.h"
#include "providers/nexus-google-places.h"
#include "providers/nexus-overpass.h"

#define PROGRAM "nexus-worker"
/* The longest a long poll waits; the engine may allow less. */
#define MAX_LEASE_WAIT_S 25
/* How often the keeper wakes to heartbeat and extend. */
#define KEEPER_TICK_US (G_USEC_PER_SEC / 2)
/* Tries of a fail report before the lease is left to expire. */
#define MAX_FAIL_TRIES 4

struct _NexusWorkerLoop
{
  NexusConnection   *connection; /* owned copy; holds the secret */
  NexusWorkerConfig  config;     /* owned copies of the strings */
  NexusOverpass     *overpass;   /* shared by job threads; immutable */
  NexusGooglePlaces *google;     /* NULL without a key; shared, immutable */
  NexusEnrichOptions enrich_options;
  gboolean           enrich;    /* "enrich" jobs are run */
  GMainLoop         *main_loop; /* run() on the default context */

  GMutex        lock; /* guards everything below */
  GCond         cond; /* signalled when a job ends, on stop, when the leaser ends */
  GRand        *rand;
  gboolean      stopping;          /* no new lease from now on */
  gint64        stop_at_us;        /* monotonic time of the stop */
  GCancellable *lease_cancellable; /* cancels a waiting long poll on stop */
  GPtrArray    *running;           /* Job*, each with a reference */
  gint64        lease_ttl_s;       /* from the heartbeat */
  gint64        max_wait_s;        /* from the heartbeat */
  gboolean      greeted;           /* the first heartbeat was answered */
  gboolean      leaser_done;       /* jobs are over; the keeper may go */
  int           exit_status;
  GThread      *leaser;
  GThread      *keeper;
  gboolean      joined; /* both threads joined: safe to free */
};

/* A leased job.  Reference counted (g_atomic_rc_box): the job thread and
 * the keeper both hold it. */
typedef struct
{
  NexusWorkerLoop *loop;
  gint64           id;
  char            *token;
  gint64           attempt;
  char            *kind;
  JsonNode        *payload;        /* an object */
  GCancellable    *cancellable;    /* cancelled when the lease is lost or the grace ran out */
  gint64           next_extend_us; /* guarded by loop->lock */
  gboolean         lease_lost;     /* guarded by loop->lock */
} Job;

static const char *const known_providers[] = { "overpass", "google", NULL };

const char *const *
nexus_worker_get_known_providers (void)
{
  return known_providers;
}

static void
job_clear (gpointer data)
{
  Job *job = data;

  g_free (job->token);
  g_free (job->kind);
  g_clear_pointer (&job->payload, json_node_unref);
  g_clear_object (&job->cancellable);
}

static void
job_release (Job *job)
{
  g_atomic_rc_box_release_full (job, job_clear);
}

static void G_GNUC_PRINTF (2, 3) say (NexusWorkerLoop *self, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list          args;

  if (!self->config.verbose)
    return;
  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("%s: %s\n", PROGRAM, message);
}

static void G_GNUC_PRINTF (2, 3) warn (NexusWorkerLoop *self, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list          args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("%s: %s\n", PROGRAM, message);
}

NexusWorkerLoop *
nexus_worker_loop_new (const NexusConnection *connection, const NexusWorkerConfig *config)
{
  NexusWorkerLoop *self = g_new0 (NexusWorkerLoop, 1);
  g_autofree char *text = nexus_connection_to_string (connection);

  self->connection = nexus_connection_parse (text, NULL);
  g_assert (self->connection != NULL);
  self->config = *config;
  self->config.concurrency = CLAMP (config->concurrency, 1, NEXUS_WORKER_MAX_CONCURRENCY);
  if (config->providers != NULL)
    self->config.providers = g_strdupv (config->providers);
  else
    {
      g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

      g_strv_builder_add (builder, "overpass");
      if (config->google_key != NULL && *config->google_key != '\0')
        g_strv_builder_add (builder, "google");
      g_strv_builder_add (builder, NEXUS_WORKER_ENRICH);
      self->config.providers = g_strv_builder_end (builder);
    }
  self->config.overpass_url = g_strdup (config->overpass_url);
  self->config.google_key = g_strdup (config->google_key);
  self->config.google_url = g_strdup (config->google_url);
  if (config->google_key != NULL && *config->google_key != '\0')
    self->google = nexus_google_places_new (config->google_key, config->google_url);
  self->enrich_options.allow_loopback = config->enrich_allow_loopback;
  self->enrich = g_strv_contains ((const char *const *)self->config.providers, NEXUS_WORKER_ENRICH);
  if (self->config.page_size == 0)
    self->config.page_size = NEXUS_WORKER_DEFAULT_PAGE;
  self->overpass = nexus_overpass_new (config->overpass_url);
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->rand = g_rand_new ();
  self->lease_cancellable = g_cancellable_new ();
  self->running = g_ptr_array_new_with_free_func ((GDestroyNotify)job_release);
  self->lease_ttl_s = 120;
  self->max_wait_s = MAX_LEASE_WAIT_S;
  self->joined = TRUE;
  return self;
}

void
nexus_worker_loop_free (NexusWorkerLoop *self)
{
  if (self == NULL)
    return;
  /* Threads still running past the stop deadline use the loop until the
   * process exits: leave it to them. */
  if (!self->joined)
    return;
  nexus_connection_free (self->connection);
  g_strfreev (self->config.providers);
  g_free (self->config.overpass_url);
  if (self->config.google_key != NULL)
    memset (self->config.google_key, 0, strlen (self->config.google_key));
  g_free (self->config.google_key);
  g_free (self->config.google_url);
  nexus_google_places_free (self->google);
  nexus_overpass_free (self->overpass);
  g_clear_pointer (&self->main_loop, g_main_loop_unref);
  g_rand_free (self->rand);
  g_object_unref (self->lease_cancellable);
  g_ptr_array_unref (self->running);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self);
}

static guint
next_backoff_ms (NexusWorkerLoop *self, guint attempt, gint64 retry_after_s)
{
  guint ms;

  g_mutex_lock (&self->lock);
  ms = nexus_worker_backoff_ms (attempt, self->rand);
  g_mutex_unlock (&self->lock);
  if (retry_after_s > 0)
    ms = MAX (ms, (guint)MIN (retry_after_s, 3600) * 1000);
  return ms;
}

/* Sleeps @ms unless the loop stops first.  Returns FALSE on a stop. */
static gboolean
wait_unless_stopped (NexusWorkerLoop *self, guint ms)
{
  gint64   deadline = g_get_monotonic_time () + (gint64)ms * 1000;
  gboolean stopping;

  g_mutex_lock (&self->lock);
  while (!self->stopping && g_cond_wait_until (&self->cond, &self->lock, deadline))
    ;
  stopping = self->stopping;
  g_mutex_unlock (&self->lock);
  return !stopping;
}

/* Sleeps @ms unless @cancellable fires first.  Returns FALSE when it did. */
static gboolean
wait_unless_cancelled (guint ms, GCancellable *cancellable)
{
  gint64 deadline = g_get_monotonic_time () + (gint64)ms * 1000;

  while (g_get_monotonic_time () < deadline)
    {
      if (g_cancellable_is_cancelled (cancellable))
        return FALSE;
      g_usleep (MIN (100000, MAX (deadline - g_get_monotonic_time (), 0)));
    }
  return !g_cancellable_is_cancelled (cancellable);
}

static JsonNode *
heartbeat_body (NexusWorkerLoop *self)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, PACKAGE_VERSION);
  json_builder_set_member_name (builder, "hostname");
  json_builder_add_string_value (builder, g_get_host_name ());
  json_builder_set_member_name (builder, "capabilities");
  json_builder_begin_array (builder);
  for (guint i = 0; self->config.providers[i] != NULL; i++)
    json_builder_add_string_value (builder, self->config.providers[i]);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "running");
  json_builder_begin_array (builder);
  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->running->len; i++)
    json_builder_add_int_value (builder, ((Job *)g_ptr_array_index (self->running, i))->id);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "load");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "running");
  json_builder_add_int_value (builder, self->running->len);
  json_builder_set_member_name (builder, "concurrency");
  json_builder_add_int_value (builder, self->config.concurrency);
  json_builder_end_object (builder);
  g_mutex_unlock (&self->lock);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static gboolean
heartbeat (NexusWorkerLoop   *self,
           NexusWorkerClient *client,
           GCancellable      *cancellable,
           GError           **error)
{
  g_autoptr (JsonNode) body = heartbeat_body (self);
  g_autoptr (JsonNode) answer = NULL;
  JsonObject *object;

  answer = nexus_worker_client_post_json (client, "/api/v1/heartbeat", body, cancellable, error);
  if (answer == NULL)
    return FALSE;
  object = json_node_get_object (answer);
  g_mutex_lock (&self->lock);
  if (json_object_has_member (object, "lease_ttl_s"))
    self->lease_ttl_s = CLAMP (json_object_get_int_member (object, "lease_ttl_s"), 3, 86400);
  if (json_object_has_member (object, "max_wait_s"))
    self->max_wait_s =
        CLAMP (json_object_get_int_member (object, "max_wait_s"), 0, MAX_LEASE_WAIT_S);
  self->greeted = TRUE;
  g_mutex_unlock (&self->lock);
  return TRUE;
}

/* Ends the worker for good: the engine will not take its requests. */
static void
give_up (NexusWorkerLoop *self, const GError *error)
{
  warn (self, _ ("giving up: %s"), error->message);
  g_mutex_lock (&self->lock);
  self->exit_status = 1;
  g_mutex_unlock (&self->lock);
  nexus_worker_loop_stop (self);
}

/* ---- jobs ---------------------------------------------------------- */

static gboolean
get_double (JsonObject *object, const char *name, double *out_value)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      (json_node_get_value_type (node) != G_TYPE_DOUBLE &&
       json_node_get_value_type (node) != G_TYPE_INT64))
    return FALSE;
  *out_value = json_node_get_double (node);
  return TRUE;
}

static const char *
get_string (JsonObject *object, const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* Runs a place_search job's provider.  On error, @out_retryable says
 * whether another try may succeed. */
static GPtrArray *
run_place_search (NexusWorkerLoop *self,
                  Job             *job,
                  gboolean        *out_saturated,
                  gboolean        *out_retryable,
                  GError         **error)
{
  JsonObject *payload = json_node_get_object (job->payload);
  JsonNode   *cell_node = json_object_get_member (payload, "cell");
  const char *provider = get_string (payload, "provider");
  const char *keyword = get_string (payload, "keyword");
  const char *country = get_string (payload, "country");
  GPtrArray  *results;
  NexusBBox   cell;

  *out_retryable = FALSE;
  if (provider == NULL || keyword == NULL || cell_node == NULL ||
      !JSON_NODE_HOLDS_OBJECT (cell_node) ||
      !get_double (json_node_get_object (cell_node), "south", &cell.south) ||
      !get_double (json_node_get_object (cell_node), "west", &cell.west) ||
      !get_double (json_node_get_object (cell_node), "north", &cell.north) ||
      !get_double (json_node_get_object (cell_node), "east", &cell.east))
    {
      g_set_error_literal (error, NEXUS_OVERPASS_ERROR, NEXUS_OVERPASS_ERROR_INVALID,
                           _ ("The job's payload lacks provider, keyword or cell"));
      return NULL;
    }

  if (g_str_equal (provider, "overpass"))
    {
      results = nexus_overpass_search (self->overpass, keyword, &cell, country, out_saturated,
                                       job->cancellable, error);
      if (results == NULL && error != NULL && *error != NULL)
        *out_retryable = nexus_overpass_error_is_retryable (*error);
      return results;
    }
  if (g_str_equal (provider, "google") && self->google != NULL)
    {
      results = nexus_google_places_search (
          self->google, keyword, &cell, country, get_string (payload, "language"),
          get_string (payload, "page_token"), out_saturated, job->cancellable, error);
      if (results == NULL && error != NULL && *error != NULL)
        *out_retryable = nexus_google_places_error_is_retryable (*error);
      return results;
    }

  g_set_error (error, NEXUS_OVERPASS_ERROR, NEXUS_OVERPASS_ERROR_INVALID,
               _ ("This worker does not run the provider “%.40s”"), provider);
  return NULL;
}

/* POSTs a fail report, a few times if the engine is out of reach.  Uses
 * no cancellable: a job cancelled on stop must still say so. */
static void
report_failure (NexusWorkerLoop *self, Job *job, const char *reason, gboolean retryable)
{
  g_autoptr (NexusWorkerClient) client = nexus_worker_client_new (self->connection, 3);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) body = NULL;
  g_autofree char *path = g_strdup_printf ("/api/v1/jobs/%" PRId64 "/fail", job->id);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "lease_token");
  json_builder_add_string_value (builder, job->token);
  json_builder_set_member_name (builder, "error");
  json_builder_add_string_value (builder, reason);
  json_builder_set_member_name (builder, "retryable");
  json_builder_add_boolean_value (builder, retryable);
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);

  for (guint attempt = 1; attempt <= MAX_FAIL_TRIES; attempt++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (JsonNode) answer =
          nexus_worker_client_post_json (client, path, body, NULL, &error);

      if (answer != NULL)
        {
          say (self, _ ("job %" PRId64 " failed (%s): %s"), job->id,
               retryable ? _ ("will be retried") : _ ("not retryable"), reason);
          return;
        }
      if (!g_error_matches (error, NEXUS_WORKER_ERROR, NEXUS_WORKER_ERROR_NETWORK) &&
          !g_error_matches (error, NEXUS_WORKER_ERROR, NEXUS_WORKER_ERROR_SERVER))
        {
          say (self, _ ("job %" PRId64 ": %s"), job->id, error->message);
          return;
        }
      g_usleep (250000 * attempt);
    }
  say (self, _ ("job %" PRId64 ": the engine did not take the failure; the lease will run out"),
       job->id);
}

static char *
page_body (Job       *job,
           GPtrArray *results,
           guint      first,
           guint      end,
           gboolean   saturated,
           gboolean   final,
           guint      page,
           guint      n_pages)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "lease_token");
  json_builder_add_string_value (builder, job->token);
  json_builder_set_member_name (builder, "results");
  json_builder_begin_array (builder);
  for (guint i = first; i < end; i++)
    json_builder_add_value (builder, json_node_copy (g_ptr_array_index (results, i)));
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "saturated");
  json_builder_add_boolean_value (builder, saturated);
  json_builder_set_member_name (builder, "final");
  json_builder_add_boolean_value (builder, final);
  json_builder_set_member_name (builder, "stats");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "found");
  json_builder_add_int_value (builder, results->len);
  json_builder_set_member_name (builder, "page");
  json_builder_add_int_value (builder, page);
  json_builder_set_member_name (builder, "pages");
  json_builder_add_int_value (builder, n_pages);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

/* Sends every page; retries each with its key and body until the engine
 * answers.  Returns FALSE with @error when the job should be failed, or
 * FALSE without an error when it is no longer ours or was cancelled. */
static gboolean
report_pages (NexusWorkerLoop   *self,
              NexusWorkerClient *client,
              Job               *job,
              GPtrArray         *results,
              gboolean           saturated,
              GError           **error)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/jobs/%" PRId64 "/report", job->id);
  guint            page_size = self->config.page_size;
  guint            n_pages = MAX (1, (results->len + page_size - 1) / page_size);

  for (guint page = 0; page < n_pages; page++)
    {
      guint            first = page * page_size;
      guint            end = MIN (results->len, first + page_size);
      gboolean         final = page + 1 == n_pages;
      g_autofree char *body =
          page_body (job, results, first, end, final && saturated, final, page + 1, n_pages);
      g_autofree char *key =
          g_strdup_printf ("job-%" PRId64 "-a%" PRId64 "-p%u", job->id, job->attempt, page + 1);

      for (guint attempt = 1;; attempt++)
        {
          g_autoptr (GError) local_error = NULL;
          g_autoptr (JsonNode) answer = NULL;
          gint64 retry_after_s = 0;

          answer = nexus_worker_client_post (client, path, body, key, &retry_after_s,
                                             job->cancellable, &local_error);
          if (answer != NULL)
            {
              JsonObject *counts = json_node_get_object (answer);

              say (self,
                   _ ("job %" PRId64 ": page %u/%u reported: %" PRId64 " accepted, %" PRId64
                      " new, %" PRId64 " merged, %" PRId64 " preview%s"),
                   job->id, page + 1, n_pages, json_object_get_int_member (counts, "accepted"),
                   json_object_get_int_member (counts, "new"),
                   json_object_get_int_member (counts, "merged"),
                   json_object_get_int_member (counts, "preview"),
                   final && saturated ? _ (", cell saturated") : "");
              break;
            }
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            return FALSE;
          if (g_error_matches (local_error, NEXUS_WORKER_ERROR, NEXUS_WORKER_ERROR_LEASE_LOST))
            {
              say (self, _ ("job %" PRId64 ": lease lost, dropping it"), job->id);
              return FALSE;
            }
          if (g_error_matches (local_error, NEXUS_WORKER_ERROR, NEXUS_WORKER_ERROR_REFUSED))
            {
              give_up (self, local_error);
              return FALSE;
            }
          if (g_error_matches (local_error, NEXUS_WORKER_ERROR, NEXUS_WORKER_ERROR_REQUEST))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          say (self, _ ("job %" PRId64 ": page %u not reported yet: %s"), job->id, page + 1,
               local_error->message);
          if (!wait_unless_cancelled (next_backoff_ms (self, attempt, retry_after_s),
                                      job->cancellable))
            return FALSE;
        }
    }
  return TRUE;
}

static gpointer
job_thread (gpointer data)
{
  Job             *job = data;
  NexusWorkerLoop *self = job->loop;
  g_autoptr (NexusWorkerClient) client = nexus_worker_client_new (self->connection, 60);
  g_autoptr (GPtrArray) results = NULL;
  g_autoptr (GError) error = NULL;
  gboolean saturated = FALSE;
  gboolean retryable = FALSE;
  gboolean reported = FALSE;
  gboolean lease_lost;

  if (g_strcmp0 (job->kind, "place_search") == 0)
    results = run_place_search (self, job, &saturated, &retryable, &error);
  else if (g_strcmp0 (job->kind, "enrich") == 0 && self->enrich)
    {
      /* An empty list is a result too: a final report with nothing in it. */
      results = nexus_enrich_run (&self->enrich_options, json_node_get_object (job->payload),
                                  job->cancellable, &error);
      if (results == NULL)
        retryable = nexus_enrich_error_is_retryable (error);
    }
  else
    g_set_error (&error, NEXUS_OVERPASS_ERROR, NEXUS_OVERPASS_ERROR_INVALID,
                 _ ("This worker does not run “%.40s” jobs"), job->kind);

  if (results != NULL)
    {
      say (self, _ ("job %" PRId64 ": %u results%s"), job->id, results->len,
           saturated ? _ (", cell saturated") : "");
      reported = report_pages (self, client, job, results, saturated, &error);
      if (!reported && error != NULL)
        report_failure (self, job, error->message, TRUE);
    }

  g_mutex_lock (&self->lock);
  lease_lost = job->lease_lost;
  g_mutex_unlock (&self->lock);

  if (results == NULL && !lease_lost)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        report_failure (self, job, _ ("The worker stopped before the job was done"), TRUE);
      else
        report_failure (self, job, error->message, retryable);
    }
  else if (results != NULL && !reported && error == NULL && !lease_lost &&
           g_cancellable_is_cancelled (job->cancellable))
    report_failure (self, job, _ ("The worker stopped before the job was reported"), TRUE);

  g_mutex_lock (&self->lock);
  g_ptr_array_remove (self->running, job);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  return NULL;
}

static void
start_job (NexusWorkerLoop *self, JsonObject *leased)
{
  Job      *job = g_atomic_rc_box_new0 (Job);
  JsonNode *payload = json_object_get_member (leased, "payload");
  GThread  *thread;

  job->loop = self;
  job->id = json_object_get_int_member (leased, "id");
  job->token = g_strdup (get_string (leased, "lease_token"));
  job->attempt = json_object_has_member (leased, "attempt")
                     ? json_object_get_int_member (leased, "attempt")
                     : 1;
  job->kind = g_strdup (get_string (leased, "kind"));
  job->payload = payload != NULL && JSON_NODE_HOLDS_OBJECT (payload)
                     ? json_node_copy (payload)
                     : json_node_init_object (json_node_alloc (), json_object_new ());
  job->cancellable = g_cancellable_new ();

  g_mutex_lock (&self->lock);
  job->next_extend_us = g_get_monotonic_time () + self->lease_ttl_s * G_USEC_PER_SEC / 3;
  g_ptr_array_add (self->running, job);
  g_mutex_unlock (&self->lock);

  say (self, _ ("job %" PRId64 " leased (attempt %" PRId64 ")"), job->id, job->attempt);
  /* The running list holds one reference, the thread another. */
  thread = g_thread_new ("nexus-job", job_thread, g_atomic_rc_box_acquire (job));
  g_thread_unref (thread);
}

/* ---- the leaser ---------------------------------------------------- */

static JsonNode *
lease_body (NexusWorkerLoop *self, guint max, gint64 wait_s)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "max");
  json_builder_add_int_value (builder, max);
  json_builder_set_member_name (builder, "wait_s");
  json_builder_add_int_value (builder, wait_s);
  /* What this worker runs: providers by name, and "enrich" for the jobs
   * of that kind (they have no provider; the engine matches the kind). */
  json_builder_set_member_name (builder, "providers");
  json_builder_begin_array (builder);
  for (guint i = 0; self->config.providers[i] != NULL; i++)
    json_builder_add_string_value (builder, self->config.providers[i]);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* After a stop: jobs get the grace period, then are cancelled (they fail
 * themselves as retryable), and get until the stop deadline to say so. */
static void
drain_jobs (NexusWorkerLoop *self)
{
  gint64 grace_end;
  gint64 stop_end;

  g_mutex_lock (&self->lock);
  grace_end = self->stop_at_us + NEXUS_WORKER_GRACE_S * G_USEC_PER_SEC;
  stop_end = self->stop_at_us + NEXUS_WORKER_STOP_S * G_USEC_PER_SEC - G_USEC_PER_SEC / 2;
  while (self->running->len > 0 && g_cond_wait_until (&self->cond, &self->lock, grace_end))
    ;
  if (self->running->len > 0)
    {
      say (self, _ ("cancelling %u unfinished jobs"), self->running->len);
      for (guint i = 0; i < self->running->len; i++)
        g_cancellable_cancel (((Job *)g_ptr_array_index (self->running, i))->cancellable);
    }
  while (self->running->len > 0 && g_cond_wait_until (&self->cond, &self->lock, stop_end))
    ;
  g_mutex_unlock (&self->lock);
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static gpointer
leaser_thread (gpointer data)
{
  NexusWorkerLoop *self = data;
  g_autoptr (NexusWorkerClient) client =
      nexus_worker_client_new (self->connection, MAX_LEASE_WAIT_S + 20);
  guint failures = 0;
  guint leased = 0;

  say (self, _ ("engine at %s, worker %s"), nexus_worker_client_get_base_url (client),
       self->connection->worker_id);

  for (;;)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (JsonNode) body = NULL;
      g_autoptr (JsonNode) answer = NULL;
      gboolean greeted;
      gint64   retry_after_s = 0;
      gint64   wait_s;
      guint    free_slots;

      g_mutex_lock (&self->lock);
      while (!self->stopping && self->running->len >= self->config.concurrency)
        g_cond_wait (&self->cond, &self->lock);
      if (!self->stopping && self->config.once && leased > 0)
        {
          /* --once: the one job, then stop. */
          while (!self->stopping && self->running->len > 0)
            g_cond_wait (&self->cond, &self->lock);
          g_mutex_unlock (&self->lock);
          nexus_worker_loop_stop (self);
          g_mutex_lock (&self->lock);
        }
      if (self->stopping)
        {
          g_mutex_unlock (&self->lock);
          break;
        }
      greeted = self->greeted;
      free_slots = self->config.once ? 1 : self->config.concurrency - self->running->len;
      wait_s = self->max_wait_s;
      g_mutex_unlock (&self->lock);

      if (!greeted)
        {
          if (heartbeat (self, client, self->lease_cancellable, &error))
            {
              say (self, _ ("connected"));
              failures = 0;
              continue;
            }
        }
      else
        {
          body = lease_body (self, free_slots, wait_s);
          {
            g_autofree char *text = json_to_string (body, FALSE);
            answer = nexus_worker_client_post (client, "/api/v1/jobs/lease", text, NULL,
                                               &retry_after_s, self->lease_cancellable, &error);
          }
          if (answer != NULL)
            {
              JsonNode *jobs = json_object_get_member (json_node_get_object (answer), "jobs");

              failures = 0;
              for (guint i = 0; jobs != NULL && JSON_NODE_HOLDS_ARRAY (jobs) &&
                                i < json_array_get_length (json_node_get_array (jobs));
                   i++)
                {
                  JsonNode *job = json_array_get_element (json_node_get_array (jobs), i);

                  if (!JSON_NODE_HOLDS_OBJECT (job))
                    continue;
                  start_job (self, json_node_get_object (job));
                  leased++;
                }
              continue;
            }
        }

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        continue;
      if (g_error_matches (error, NEXUS_WORKER_ERROR, NEXUS_WORKER_ERROR_REFUSED) ||
          g_error_matches (error, NEXUS_WORKER_ERROR, NEXUS_WORKER_ERROR_REQUEST))
        {
          give_up (self, error);
          continue;
        }
      {
        guint ms = next_backoff_ms (self, ++failures, retry_after_s);

        /* The first failure is worth a line; the rest only with -v. */
        if (failures == 1)
          warn (self, _ ("%s; trying again in %.1f s"), error->message, ms / 1000.0);
        else
          say (self, _ ("%s; trying again in %.1f s"), error->message, ms / 1000.0);
        wait_unless_stopped (self, ms);
      }
    }

  drain_jobs (self);

  g_mutex_lock (&self->lock);
  self->leaser_done = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  g_main_context_invoke (NULL, quit_cb, self->main_loop);
  return NULL;
}

/* ---- the keeper ---------------------------------------------------- */

static void
extend_job (NexusWorkerLoop *self, NexusWorkerClient *client, Job *job)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) body = NULL;
  g_autoptr (JsonNode) answer = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_strdup_printf ("/api/v1/jobs/%" PRId64 "/extend", job->id);
  gint64           next;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "lease_token");
  json_builder_add_string_value (builder, job->token);
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);

  answer = nexus_worker_client_post_json (client, path, body, NULL, &error);
  g_mutex_lock (&self->lock);
  if (answer != NULL)
    next = g_get_monotonic_time () + self->lease_ttl_s * G_USEC_PER_SEC / 3;
  else
    next = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
  job->next_extend_us = next;
  if (g_error_matches (error, NEXUS_WORKER_ERROR, NEXUS_WORKER_ERROR_LEASE_LOST))
    {
      job->lease_lost = TRUE;
      g_cancellable_cancel (job->cancellable);
    }
  g_mutex_unlock (&self->lock);

  if (answer != NULL)
    say (self, _ ("job %" PRId64 ": lease extended"), job->id);
  else
    say (self, _ ("job %" PRId64 ": %s"), job->id, error->message);
}

static gpointer
keeper_thread (gpointer data)
{
  NexusWorkerLoop *self = data;
  g_autoptr (NexusWorkerClient) client = nexus_worker_client_new (self->connection, 10);
  gint64 next_heartbeat = g_get_monotonic_time () + NEXUS_WORKER_HEARTBEAT_S * G_USEC_PER_SEC;

  for (;;)
    {
      g_autoptr (GPtrArray) due = g_ptr_array_new_with_free_func ((GDestroyNotify)job_release);
      gboolean send_heartbeat;
      gint64   now;

      g_mutex_lock (&self->lock);
      if (!self->leaser_done)
        g_cond_wait_until (&self->cond, &self->lock, g_get_monotonic_time () + KEEPER_TICK_US);
      if (self->leaser_done)
        {
          g_mutex_unlock (&self->lock);
          break;
        }
      now = g_get_monotonic_time ();
      for (guint i = 0; i < self->running->len; i++)
        {
          Job *job = g_ptr_array_index (self->running, i);

          if (now >= job->next_extend_us && !job->lease_lost)
            g_ptr_array_add (due, g_atomic_rc_box_acquire (job));
        }
      send_heartbeat = self->greeted && now >= next_heartbeat;
      g_mutex_unlock (&self->lock);

      for (guint i = 0; i < due->len; i++)
        extend_job (self, client, g_ptr_array_index (due, i));
      if (send_heartbeat)
        {
          g_autoptr (GError) error = NULL;

          next_heartbeat = now + NEXUS_WORKER_HEARTBEAT_S * G_USEC_PER_SEC;
          if (!heartbeat (self, client, NULL, &error))
            say (self, _ ("heartbeat: %s"), error->message);
        }
    }
  return NULL;
}

/* ---- public -------------------------------------------------------- */

static gboolean
deadline_cb (gpointer data)
{
  NexusWorkerLoop *self = data;

  warn (self, _ ("jobs still running after %d s; exiting"), NEXUS_WORKER_STOP_S);
  g_main_loop_quit (self->main_loop);
  return G_SOURCE_REMOVE;
}

static gboolean
stopped_cb (gpointer data)
{
  NexusWorkerLoop *self = data;
  g_autoptr (GSource) source = g_timeout_source_new_seconds (NEXUS_WORKER_STOP_S);

  g_source_set_callback (source, deadline_cb, self, NULL);
  g_source_attach (source, NULL);
  return G_SOURCE_REMOVE;
}

/**
 * nexus_worker_loop_run:
 *
 * Works until stopped (or, with once, until one job is done).
 *
 * Returns: the exit status: 0 after a stop or the one job, 1 when the
 *   engine refused this worker
 */
int
nexus_worker_loop_run (NexusWorkerLoop *self)
{
  gboolean finished;
  int      status;

  self->main_loop = g_main_loop_new (NULL, FALSE);
  self->joined = FALSE;
  self->leaser = g_thread_new ("nexus-leaser", leaser_thread, self);
  self->keeper = g_thread_new ("nexus-keeper", keeper_thread, self);

  g_main_loop_run (self->main_loop);

  g_mutex_lock (&self->lock);
  finished = self->leaser_done;
  status = self->exit_status;
  g_mutex_unlock (&self->lock);
  if (finished)
    {
      g_thread_join (self->leaser);
      g_thread_join (self->keeper);
      self->joined = self->running->len == 0;
    }
  return status;
}

/* Stops leasing; jobs in flight finish or fail within NEXUS_WORKER_STOP_S. */
void
nexus_worker_loop_stop (NexusWorkerLoop *self)
{
  gboolean first;

  g_mutex_lock (&self->lock);
  first = !self->stopping;
  if (first)
    {
      self->stopping = TRUE;
      self->stop_at_us = g_get_monotonic_time ();
    }
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  if (!first)
    return;
  g_cancellable_cancel (self->lease_cancellable);
  g_main_context_invoke (NULL, stopped_cb, self);
}
