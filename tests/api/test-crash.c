/* test-crash.c — kill -9 of nexus-server during a flood of reports
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Four client threads lease jobs and report them, each report with its own
 * Idempotency-Key, as fast as the server answers.  The server is killed
 * with SIGKILL in the middle, restarted on the same file, and every client
 * retries its unanswered report with the same key and body, as a worker
 * does.  Then: every acknowledged report is in the database, and every
 * reported place is there exactly once.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <sys/prctl.h>
#include <string.h>

#include "api/nexus-connection.h"
#include "api/nexus-signature.h"
#include "api/nexus-workers.h"
#include "nexus-engine.h"
#include "queue/nexus-job-queue.h"
#include "store/nexus-store-api.h"

#define N_JOBS    400
#define N_CLIENTS 4

typedef struct
{
  char            *dir;
  char            *db;
  NexusConnection *worker;
  GSubprocess     *server;
  /* The port of the running server; 0 while it is down.  Guarded by lock. */
  guint16    port;
  GMutex     lock;
  GCond      cond;
  guint      acknowledged;      /* reports answered 200 */
  GPtrArray *acknowledged_refs; /* char*: one ref of each acknowledged report */
  gboolean   stop;
} Crash;

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static guint16
start_server (Crash *crash)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GDataInputStream) lines = NULL;
  g_autofree char *path =
      g_build_filename (g_getenv ("NEXUS_BUILD_DIR"), "app", "nexus-server", NULL);
  g_autofree char *line = NULL;
  const char      *port_text;

  g_autoptr (GSubprocessLauncher) launcher =
      g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);

  /* The server dies with the test, whatever happens to the test. */
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  crash->server = g_subprocess_launcher_spawn (launcher, &error, path, "--db", crash->db,
                                               "--listen", "127.0.0.1:0", NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (crash->server));
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  port_text = strstr (line, "(port ");
  g_assert_nonnull (port_text);
  return (guint16)g_ascii_strtoull (port_text + 6, NULL, 10);
}

/* POSTs a signed request; returns the status (0 when the connection
 * failed) and the parsed body. */
static guint
post (Crash       *crash,
      SoupSession *session,
      guint16      port,
      const char  *path,
      const char  *body,
      const char  *key,
      JsonNode   **out_body)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u%s", port, path);
  g_autoptr (SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr (GBytes) request = g_bytes_new (body, strlen (body));
  g_autoptr (GBytes) response = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *timestamp =
      g_strdup_printf ("%" G_GINT64_FORMAT, g_get_real_time () / G_USEC_PER_SEC);
  g_autofree char *nonce = nexus_signature_new_nonce ();
  g_autofree char *signature = nexus_signature_compute (
      crash->worker->secret, "POST", path, timestamp, nonce, (const guint8 *)body, strlen (body));
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);

  soup_message_headers_replace (headers, "X-Nexus-Worker", crash->worker->worker_id);
  soup_message_headers_replace (headers, "X-Nexus-Timestamp", timestamp);
  soup_message_headers_replace (headers, "X-Nexus-Nonce", nonce);
  soup_message_headers_replace (headers, "X-Nexus-Signature", signature);
  if (key != NULL)
    soup_message_headers_replace (headers, "Idempotency-Key", key);
  soup_message_set_request_body_from_bytes (msg, "application/json", request);

  response = soup_session_send_and_read (session, msg, NULL, &error);
  if (error != NULL)
    return 0;
  if (out_body != NULL)
    *out_body = json_from_string (g_bytes_get_data (response, NULL), NULL);
  return soup_message_get_status (msg);
}

static guint16
current_port (Crash *crash)
{
  guint16 port;

  g_mutex_lock (&crash->lock);
  while (crash->port == 0 && !crash->stop)
    g_cond_wait (&crash->cond, &crash->lock);
  port = crash->port;
  g_mutex_unlock (&crash->lock);
  return port;
}

static gpointer
client_thread (gpointer data)
{
  Crash *crash = data;
  g_autoptr (SoupSession) session = soup_session_new_with_options ("timeout", 5, NULL);

  for (;;)
    {
      g_autoptr (JsonNode) answer = NULL;
      g_autofree char *report_path = NULL;
      g_autofree char *body = NULL;
      g_autofree char *key = NULL;
      g_autofree char *ref = NULL;
      JsonArray       *jobs;
      JsonObject      *job;
      gint64           job_id;
      guint            status;
      guint16          port = current_port (crash);

      if (port == 0)
        break;
      status = post (crash, session, port, "/api/v1/jobs/lease", "{\"max\":1}", NULL, &answer);
      if (status == 429)
        g_usleep (200000); /* as a worker does: back off, then again */
      if (status != 200)
        continue; /* or the server is down: wait for the restart */
      jobs = json_object_get_array_member (json_node_get_object (answer), "jobs");
      if (json_array_get_length (jobs) == 0)
        break; /* all done */
      job = json_array_get_object_element (jobs, 0);
      job_id = json_object_get_int_member (job, "id");

      ref = g_strdup_printf ("node/%" G_GINT64_FORMAT, 1000000 + job_id);
      key = g_strdup_printf ("job-%" G_GINT64_FORMAT "-final", job_id);
      report_path = g_strdup_printf ("/api/v1/jobs/%" G_GINT64_FORMAT "/report", job_id);
      body = g_strdup_printf (
          "{\"lease_token\":\"%s\",\"final\":true,\"results\":["
          "{\"provider\":\"overpass\",\"ref\":\"%s\",\"name\":\"Place %" G_GINT64_FORMAT "\","
          "\"phones\":[\"+33 1 40 %02d %02d %02d\"],\"lat\":%.4f,\"lon\":2.35}]}",
          json_object_get_string_member (job, "lease_token"), ref, job_id,
          (int)(job_id / 10000 % 100), (int)(job_id / 100 % 100), (int)(job_id % 100),
          40.0 + job_id * 0.01);

      /* Places kilometres apart with their own numbers: nothing may merge,
       * so every report must leave exactly one lead.  Retry the same key
       * and body until the server answers. */
      for (;;)
        {
          port = current_port (crash);
          if (port == 0)
            return NULL;
          status = post (crash, session, port, report_path, body, key, NULL);
          if (status != 0 && status != 429)
            break;
          g_usleep (status == 429 ? 200000 : 50000);
        }
      g_assert_cmpuint (status, ==, 200);

      g_mutex_lock (&crash->lock);
      crash->acknowledged++;
      g_ptr_array_add (crash->acknowledged_refs, g_steal_pointer (&ref));
      g_cond_broadcast (&crash->cond);
      g_mutex_unlock (&crash->lock);
    }
  return NULL;
}

static gint64
query_count (NexusStore *store, const char *table)
{
  g_autoptr (GError) error = NULL;
  gint64 count = -1;

  nexus_store_count_rows (store, table, &count, &error);
  g_assert_no_error (error);
  return count;
}

static void
test_crash_during_reports (void)
{
  Crash crash = { 0 };
  g_autoptr (GError) error = NULL;
  GThread *threads[N_CLIENTS];

  crash.dir = g_dir_make_tmp ("nexus-crash-XXXXXX", &error);
  g_assert_no_error (error);
  crash.db = g_build_filename (crash.dir, "nexus.db", NULL);
  crash.acknowledged_refs = g_ptr_array_new_with_free_func (g_free);
  g_mutex_init (&crash.lock);
  g_cond_init (&crash.cond);

  /* The database with a worker and the jobs, made before the server runs. */
  {
    g_autoptr (NexusStore) store = nexus_store_open (crash.db, NEXUS_STORE_OPEN_DEFAULT, &error);
    g_autoptr (NexusJobQueue) queue = NULL;
    g_autofree char *text = NULL;

    g_assert_no_error (error);
    text = nexus_workers_add (store, "flood", NEXUS_ROLE_WORKER, "127.0.0.1:1", NULL, NULL, &error);
    g_assert_no_error (error);
    crash.worker = nexus_connection_parse (text, &error);
    g_assert_no_error (error);

    queue = nexus_job_queue_new (store);
    for (guint i = 0; i < N_JOBS; i++)
      {
        NexusJobSpec spec = { 0 };
        spec.run = 1;
        spec.kind = NEXUS_JOB_KIND_PLACE_SEARCH;
        spec.status = NEXUS_JOB_QUEUED;
        spec.payload = "{\"country\":\"FR\"}";
        spec.max_attempts = 5;
        g_assert_true (nexus_job_queue_enqueue (queue, &spec, NULL, &error));
        g_assert_no_error (error);
      }
  }

  crash.port = start_server (&crash);
  for (guint i = 0; i < N_CLIENTS; i++)
    threads[i] = g_thread_new ("client", client_thread, &crash);

  /* Kill the server once a third of the jobs are acknowledged. */
  g_mutex_lock (&crash.lock);
  while (crash.acknowledged < N_JOBS / 3)
    g_cond_wait (&crash.cond, &crash.lock);
  crash.port = 0;
  g_mutex_unlock (&crash.lock);
  g_subprocess_send_signal (crash.server, SIGKILL);
  g_subprocess_wait (crash.server, NULL, NULL);
  g_assert_false (g_subprocess_get_if_exited (crash.server));
  g_clear_object (&crash.server);

  /* Restart on the same file; the clients retry. */
  {
    guint16 port = start_server (&crash);
    g_mutex_lock (&crash.lock);
    crash.port = port;
    g_cond_broadcast (&crash.cond);
    g_mutex_unlock (&crash.lock);
  }

  for (guint i = 0; i < N_CLIENTS; i++)
    g_thread_join (threads[i]);

  g_subprocess_send_signal (crash.server, SIGTERM);
  g_subprocess_wait_check (crash.server, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&crash.server);

  /* Every acknowledged report is in the vault exactly once.  A lease whose
   * answer died with the server reached no client: that job stays leased
   * until its lease runs out (the reaper then queues it again), and nothing
   * of it is stored. */
  g_assert_cmpuint (crash.acknowledged, >=, N_JOBS - N_CLIENTS);
  {
    g_autoptr (NexusStore) store = nexus_store_open (crash.db, NEXUS_STORE_OPEN_NO_CREATE, &error);
    g_autoptr (GHashTable) states = NULL;
    gint64 *done;
    gint64 *leased;

    g_assert_no_error (error);
    g_assert_cmpint (query_count (store, "lead_sources"), ==, crash.acknowledged);
    g_assert_cmpint (query_count (store, "leads"), ==, crash.acknowledged);
    g_assert_cmpint (query_count (store, "idempotency_keys"), ==, crash.acknowledged);
    states = nexus_store_job_counts_by_status (store, &error);
    g_assert_no_error (error);
    done = g_hash_table_lookup (states, "done");
    leased = g_hash_table_lookup (states, "leased");
    g_assert_nonnull (done);
    g_assert_cmpint (*done, ==, crash.acknowledged);
    g_assert_cmpint (leased != NULL ? *leased : 0, ==, N_JOBS - crash.acknowledged);
  }
  {
    g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
    for (guint i = 0; i < crash.acknowledged_refs->len; i++)
      g_assert_true (g_hash_table_add (seen, g_ptr_array_index (crash.acknowledged_refs, i)));
  }

  for (guint i = 0; i < 4; i++)
    {
      static const char *const suffixes[] = { "", "-wal", "-shm", ".tls.pem" };
      g_autofree char         *file = g_strconcat (crash.db, suffixes[i], NULL);
      g_unlink (file);
    }
  g_rmdir (crash.dir);
  g_free (crash.dir);
  g_free (crash.db);
  g_ptr_array_unref (crash.acknowledged_refs);
  nexus_connection_free (crash.worker);
  g_mutex_clear (&crash.lock);
  g_cond_clear (&crash.cond);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_unsetenv ("NEXUS_INTERNAL_SECRET");

  g_test_add_func ("/nexus/Crash/kill-9-during-reports", test_crash_during_reports);

  return g_test_run ();
}
