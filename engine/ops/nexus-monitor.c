/* nexus-monitor.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nexus-monitor"

#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>
#include <string.h>

#include "api/nexus-connection.h"
#include "api/nexus-signature.h"
#include "api/nexus-tls.h"
#include "api/nexus-workers.h"
#include "ops/nexus-monitor.h"

struct _NexusMonitor
{
  GObject parent_instance;

  NexusStore      *store; /* the engine's write store; NULL once stopped */
  NexusEventBus   *events;
  char            *base_url;    /* http(s)://127.0.0.1:PORT */
  char            *fingerprint; /* the engine's certificate, when TLS is on */
  NexusConnection *connection;  /* the synthetic worker's credentials */
  GSource         *timer;
  gboolean         probing; /* a probe runs on its thread */
  /* The last latencies in milliseconds, oldest first. */
  GArray *samples;
};

G_DEFINE_FINAL_TYPE (NexusMonitor, nexus_monitor, G_TYPE_OBJECT)

/* What a probe sends: the credentials and URL, copied for its thread. */
typedef struct
{
  char  *base_url;
  char  *fingerprint;
  char  *worker_id;
  char  *secret;
  double heartbeat_ms;
  double lease_ms;
} Probe;

static void
probe_free (gpointer data)
{
  Probe *probe = data;

  g_free (probe->base_url);
  g_free (probe->fingerprint);
  g_free (probe->worker_id);
  if (probe->secret != NULL)
    memset (probe->secret, 0, strlen (probe->secret));
  g_free (probe->secret);
  g_free (probe);
}

static gboolean
pin_cb (SoupMessage         *msg,
        GTlsCertificate     *certificate,
        GTlsCertificateFlags errors,
        gpointer             user_data)
{
  g_autofree char *fingerprint = nexus_tls_fingerprint (certificate);

  return g_strcmp0 (fingerprint, user_data) == 0;
}

/* One signed POST; returns the milliseconds it took, or -1 with @error. */
static double
send_signed (SoupSession *session, Probe *probe, const char *path, const char *body, GError **error)
{
  g_autofree char *url = g_strconcat (probe->base_url, path, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr (GBytes) request = g_bytes_new (body, strlen (body));
  g_autoptr (GBytes) response = NULL;
  g_autofree char *timestamp =
      g_strdup_printf ("%" G_GINT64_FORMAT, g_get_real_time () / G_USEC_PER_SEC);
  g_autofree char    *nonce = nexus_signature_new_nonce ();
  g_autofree char    *signature = nexus_signature_compute (probe->secret, "POST", path, timestamp,
                                                           nonce, (const guint8 *)body, strlen (body));
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);
  gint64              start = g_get_monotonic_time ();

  soup_message_headers_replace (headers, "X-Nexus-Worker", probe->worker_id);
  soup_message_headers_replace (headers, "X-Nexus-Timestamp", timestamp);
  soup_message_headers_replace (headers, "X-Nexus-Nonce", nonce);
  soup_message_headers_replace (headers, "X-Nexus-Signature", signature);
  soup_message_set_request_body_from_bytes (msg, "application/json", request);
  if (probe->fingerprint != NULL)
    g_signal_connect (msg, "accept-certificate", G_CALLBACK (pin_cb), probe->fingerprint);

  response = soup_session_send_and_read (session, msg, NULL, error);
  if (response == NULL)
    return -1;
  if (soup_message_get_status (msg) != SOUP_STATUS_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _ ("%s answered HTTP %u"), path,
                   soup_message_get_status (msg));
      return -1;
    }
  return (g_get_monotonic_time () - start) / 1000.0;
}

/* On the probe's thread. */
static void
probe_thread (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  Probe *probe = task_data;
  g_autoptr (SoupSession) session = soup_session_new_with_options ("timeout", 10, NULL);
  GError *error = NULL;

  probe->heartbeat_ms = send_signed (session, probe, "/api/v1/heartbeat",
                                     "{\"version\":\"" PACKAGE_VERSION "\","
                                     "\"hostname\":\"synthetic\",\"capabilities\":[]}",
                                     &error);
  if (probe->heartbeat_ms >= 0)
    probe->lease_ms = send_signed (session, probe, "/api/v1/jobs/lease",
                                   "{\"max\":1,\"wait_s\":0,"
                                   "\"providers\":[\"" NEXUS_MONITOR_PROVIDER "\"]}",
                                   &error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *)a;
  double y = *(const double *)b;

  return (x > y) - (x < y);
}

static double
percentile (GArray *samples, double fraction)
{
  g_autoptr (GArray) sorted = g_array_copy (samples);
  guint index;

  g_array_sort (sorted, compare_doubles);
  index = (guint)MIN (sorted->len - 1, (guint)(fraction * (sorted->len - 1) + 0.5));
  return g_array_index (sorted, double, index);
}

static void
set_number (NexusStore *store, const char *key, double value)
{
  char text[G_ASCII_DTOSTR_BUF_SIZE];

  nexus_store_set_setting (store, key, g_ascii_formatd (text, sizeof text, "%.1f", value), NULL);
}

static void
alert (NexusMonitor *self, const char *reason)
{
  g_autoptr (JsonObject) data = json_object_new ();

  g_autofree char *now = g_strdup_printf ("%" G_GINT64_FORMAT, g_get_real_time () / G_USEC_PER_SEC);

  /* Kept for the console's Operations page. */
  nexus_store_set_setting (self->store, "monitor.last_alert_at", now, NULL);
  nexus_store_set_setting (self->store, "monitor.last_alert", reason, NULL);
  json_object_set_string_member (data, "reason", reason);
  nexus_event_bus_publish (self->events, "monitor.alert", data);
  g_message ("Worker API alert: %s", reason);
}

static void
probe_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (NexusMonitor) self = user_data;
  Probe *probe = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;
  g_autofree char *now = g_strdup_printf ("%" G_GINT64_FORMAT, g_get_real_time () / G_USEC_PER_SEC);
  g_autofree char *threshold_text = NULL;
  double           threshold = NEXUS_MONITOR_DEFAULT_THRESHOLD_MS;
  double           p50;
  double           p95;

  self->probing = FALSE;
  if (self->store == NULL)
    return; /* stopped meanwhile */

  nexus_store_set_setting (self->store, "monitor.last_at", now, NULL);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      nexus_store_set_setting (self->store, "monitor.last_error", error->message, NULL);
      alert (self, error->message);
      return;
    }
  nexus_store_delete_setting (self->store, "monitor.last_error", NULL);

  g_array_append_val (self->samples, probe->heartbeat_ms);
  g_array_append_val (self->samples, probe->lease_ms);
  while (self->samples->len > NEXUS_MONITOR_SAMPLES)
    g_array_remove_index (self->samples, 0);
  p50 = percentile (self->samples, 0.50);
  p95 = percentile (self->samples, 0.95);
  set_number (self->store, "monitor.p50_ms", p50);
  set_number (self->store, "monitor.p95_ms", p95);

  threshold_text = nexus_store_get_setting (self->store, "monitor.threshold_ms", NULL);
  if (threshold_text != NULL)
    threshold = g_ascii_strtod (threshold_text, NULL);
  if (p95 > threshold)
    {
      g_autofree char *reason = g_strdup_printf (
          _ ("p95 latency %.1f ms is above the threshold of %.1f ms"), p95, threshold);
      alert (self, reason);
    }
}

/**
 * nexus_monitor_probe:
 *
 * Starts a probe now unless one is running.
 */
void
nexus_monitor_probe (NexusMonitor *self)
{
  g_autoptr (GTask) task = NULL;
  Probe *probe;

  g_return_if_fail (NEXUS_IS_MONITOR (self));

  if (self->probing || self->store == NULL)
    return;
  probe = g_new0 (Probe, 1);
  probe->base_url = g_strdup (self->base_url);
  probe->fingerprint = g_strdup (self->fingerprint);
  probe->worker_id = g_strdup (self->connection->worker_id);
  probe->secret = g_strdup (self->connection->secret);
  self->probing = TRUE;
  task = g_task_new (NULL, NULL, probe_done_cb, g_object_ref (self));
  g_task_set_task_data (task, probe, probe_free);
  g_task_run_in_thread (task, probe_thread);
}

static gboolean
timer_cb (gpointer user_data)
{
  nexus_monitor_probe (user_data);
  return G_SOURCE_CONTINUE;
}

void
nexus_monitor_stop (NexusMonitor *self)
{
  g_return_if_fail (NEXUS_IS_MONITOR (self));

  if (self->timer != NULL)
    g_source_destroy (self->timer);
  g_clear_pointer (&self->timer, g_source_unref);
  g_clear_object (&self->store);
}

static void
nexus_monitor_finalize (GObject *object)
{
  NexusMonitor *self = (NexusMonitor *)object;

  nexus_monitor_stop (self);
  g_clear_object (&self->events);
  g_clear_pointer (&self->base_url, g_free);
  g_clear_pointer (&self->fingerprint, g_free);
  g_clear_pointer (&self->connection, nexus_connection_free);
  g_clear_pointer (&self->samples, g_array_unref);

  G_OBJECT_CLASS (nexus_monitor_parent_class)->finalize (object);
}

static void
nexus_monitor_class_init (NexusMonitorClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = nexus_monitor_finalize;
}

static void
nexus_monitor_init (NexusMonitor *self)
{
  self->samples = g_array_new (FALSE, FALSE, sizeof (double));
}

/* The synthetic worker's credentials: added the first time, given a fresh
 * secret (the old one ends at once) at every later start. */
static NexusConnection *
synthetic_credentials (NexusStore *store, GError **error)
{
  g_autoptr (GPtrArray) workers = nexus_store_worker_list (store, error);
  g_autofree char *text = NULL;

  if (workers == NULL)
    return NULL;
  for (guint i = 0; i < workers->len && text == NULL; i++)
    {
      NexusWorkerRecord *worker = g_ptr_array_index (workers, i);

      if (g_strcmp0 (worker->name, NEXUS_MONITOR_WORKER_NAME) == 0 &&
          g_strcmp0 (worker->state, "active") == 0)
        {
          text = nexus_workers_rotate (store, worker->public_id, 0, "127.0.0.1:1", NULL, error);
          if (text == NULL)
            return NULL;
        }
    }
  if (text == NULL)
    text = nexus_workers_add (store, NEXUS_MONITOR_WORKER_NAME, NEXUS_ROLE_WORKER, "127.0.0.1:1",
                              NULL, NULL, error);
  if (text == NULL)
    return NULL;
  return nexus_connection_parse (text, error);
}

/**
 * nexus_monitor_new:
 * @base_url: where the API listens, e.g. http://127.0.0.1:8787
 * @fingerprint: (nullable): the certificate to pin when @base_url is https
 *
 * Returns: (transfer full): the monitor, probing every minute
 */
NexusMonitor *
nexus_monitor_new (NexusStore    *store,
                   NexusEventBus *events,
                   const char    *base_url,
                   const char    *fingerprint,
                   GError       **error)
{
  g_autoptr (NexusMonitor) self = g_object_new (NEXUS_TYPE_MONITOR, NULL);

  self->connection = synthetic_credentials (store, error);
  if (self->connection == NULL)
    return NULL;
  self->store = g_object_ref (store);
  self->events = g_object_ref (events);
  self->base_url = g_strdup (base_url);
  self->fingerprint = g_strdup (fingerprint);
  self->timer = g_timeout_source_new_seconds (NEXUS_MONITOR_EVERY_S);
  g_source_set_callback (self->timer, timer_cb, self, NULL);
  g_source_set_name (self->timer, "[nexus] synthetic monitor");
  g_source_attach (self->timer, g_main_context_get_thread_default ());
  return g_steal_pointer (&self);
}
