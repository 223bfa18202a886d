/* nexus-webhooks.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nexus-webhooks"

#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>
#include <string.h>

#include "api/nexus-secret-box.h"
#include "api/nexus-signature.h"
#include "ops/nexus-webhooks.h"
#include "providers/nexus-enrich.h"
#include "store/nexus-store-webhooks.h"

#define SECRET_PREFIX "whsec_"
#define SECRET_BYTES  24

struct _NexusWebhooks
{
  GObject parent_instance;

  NexusStore    *store; /* the engine's write store; NULL once stopped */
  NexusEventBus *events;
  gulong         event_handler;
  GSource       *timer;       /* the next look for due rows; NULL while sending */
  gboolean       sending;     /* a batch is on its thread */
  GCancellable  *cancellable; /* cancelled by stop: the batch ends early */
  /* Milliseconds before each retry; the last one spent means gave_up. */
  GArray *delays_ms;
  /* The enabled endpoints as read at @endpoints_generation
   * (nexus_store_webhook_generation()): most events need no read. */
  GPtrArray *endpoints;
  gint64     endpoints_generation;
};

G_DEFINE_FINAL_TYPE (NexusWebhooks, nexus_webhooks, G_TYPE_OBJECT)

/* clang-format off */
G_DEFINE_QUARK (nexus-webhooks-error-quark, nexus_webhooks_error)
/* clang-format on */

/* ---- signing, secrets, URLs, event lists: any thread ---------------- */

/**
 * nexus_webhooks_sign:
 * @secret: "whsec_" and the base64 key
 *
 * Returns: "v1,<base64 HMAC-SHA256 of "id.timestamp.body">", or NULL with
 *   @error when @secret is not one
 */
char *
nexus_webhooks_sign (const char *secret,
                     const char *message_id,
                     gint64      timestamp,
                     const char *body,
                     gsize       length,
                     GError    **error)
{
  g_autofree guchar *key = NULL;
  g_autoptr (GHmac) hmac = NULL;
  g_autofree char *prefix = NULL;
  guint8           digest[32];
  gsize            digest_length = sizeof digest;
  gsize            key_length = 0;
  g_autofree char *encoded = NULL;

  if (g_str_has_prefix (secret, SECRET_PREFIX))
    secret += strlen (SECRET_PREFIX);
  key = g_base64_decode (secret, &key_length);
  if (key_length == 0)
    {
      g_set_error_literal (error, NEXUS_WEBHOOKS_ERROR, NEXUS_WEBHOOKS_ERROR_INVALID,
                           _ ("The webhook secret is not a whsec_ secret"));
      return NULL;
    }

  hmac = g_hmac_new (G_CHECKSUM_SHA256, key, key_length);
  prefix = g_strdup_printf ("%s.%" G_GINT64_FORMAT ".", message_id, timestamp);
  g_hmac_update (hmac, (const guchar *)prefix, -1);
  g_hmac_update (hmac, (const guchar *)body, length);
  g_hmac_get_digest (hmac, digest, &digest_length);
  memset (key, 0, key_length);
  encoded = g_base64_encode (digest, digest_length);
  return g_strconcat ("v1,", encoded, NULL);
}

/**
 * nexus_webhooks_add_endpoint:
 * @events: a JSON array of kinds (nexus_webhooks_parse_events())
 * @out_secret: (out) (transfer full): the new "whsec_…" signing secret,
 *   to be shown to the operator once
 *
 * Adds an endpoint with a fresh secret, stored sealed under
 * NEXUS_INTERNAL_SECRET when that is set (nexus-secret-box.h).  The
 * thread that owns @store.
 *
 * Returns: the new endpoint's id, or 0 with @error
 */
gint64
nexus_webhooks_add_endpoint (NexusStore *store,
                             const char *url,
                             const char *events,
                             gboolean    allow_private,
                             gint64      now,
                             char      **out_secret,
                             GError    **error)
{
  g_autofree char *secret = nexus_webhooks_new_secret ();
  g_autoptr (GBytes) stored = NULL;
  gboolean sealed = FALSE;
  gint64   id;

  g_return_val_if_fail (out_secret != NULL, 0);

  if (!nexus_webhooks_check_url (url, error))
    return 0;
  stored = nexus_secret_box_seal (secret, &sealed, error);
  if (stored == NULL)
    return 0;
  id = nexus_store_webhook_add (store, url, events, stored, sealed, allow_private, now, error);
  if (id == 0)
    return 0;
  *out_secret = g_steal_pointer (&secret);
  return id;
}

/* Returns: (transfer full): a new "whsec_…" secret of 24 random bytes */
char *
nexus_webhooks_new_secret (void)
{
  guint8           bytes[SECRET_BYTES];
  g_autofree char *encoded = NULL;

  nexus_random_bytes (bytes, sizeof bytes);
  encoded = g_base64_encode (bytes, sizeof bytes);
  memset (bytes, 0, sizeof bytes);
  return g_strconcat (SECRET_PREFIX, encoded, NULL);
}

/* Accepts an absolute http or https URL with a host. */
gboolean
nexus_webhooks_check_url (const char *url, GError **error)
{
  g_autoptr (GUri) uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);

  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0' ||
      (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 &&
       g_strcmp0 (g_uri_get_scheme (uri), "https") != 0))
    {
      g_set_error (error, NEXUS_WEBHOOKS_ERROR, NEXUS_WEBHOOKS_ERROR_INVALID,
                   _ ("“%s” is not an http:// or https:// URL"), url);
      return FALSE;
    }
  return TRUE;
}

/**
 * nexus_webhooks_parse_events:
 * @list: (nullable): kinds separated by commas; NULL for ["*"]
 *
 * Returns: (transfer full): the JSON array to store, or NULL with @error
 */
char *
nexus_webhooks_parse_events (const char *list, GError **error)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_auto (GStrv) kinds = g_strsplit (list != NULL ? list : "*", ",", -1);
  guint n = 0;

  json_builder_begin_array (builder);
  for (guint i = 0; kinds[i] != NULL; i++)
    {
      const char *kind = g_strstrip (kinds[i]);

      if (*kind == '\0')
        continue;
      for (const char *c = kind; *c != '\0'; c++)
        if (!g_ascii_isalnum (*c) && *c != '.' && *c != '_' && *c != '-' && *c != '*')
          {
            g_set_error (error, NEXUS_WEBHOOKS_ERROR, NEXUS_WEBHOOKS_ERROR_INVALID,
                         _ ("“%s” is not an event kind such as monitor.alert"), kind);
            return NULL;
          }
      json_builder_add_string_value (builder, kind);
      n++;
    }
  json_builder_end_array (builder);
  if (n == 0)
    {
      g_set_error_literal (error, NEXUS_WEBHOOKS_ERROR, NEXUS_WEBHOOKS_ERROR_INVALID,
                           _ ("--events needs at least one event kind"));
      return NULL;
    }
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

/* Whether an endpoint's @events (its JSON array) takes @kind. */
gboolean
nexus_webhooks_wants (const char *events, const char *kind)
{
  g_autoptr (JsonNode) root = json_from_string (events, NULL);
  JsonArray *array;

  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    return FALSE;
  array = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      const char *wanted = json_array_get_string_element (array, i);

      if (g_strcmp0 (wanted, kind) == 0 ||
          (g_strcmp0 (wanted, "*") == 0 && g_strv_contains (NEXUS_WEBHOOKS_ALERT_KINDS, kind)))
        return TRUE;
    }
  return FALSE;
}

/* ---- the sender: a worker thread ------------------------------------ */

typedef struct
{
  guint    status;        /* HTTP status; 0: no answer */
  char    *error;         /* NULL when delivered */
  gboolean refused;       /* not a public address: never retried */
  gint64   retry_after_s; /* from Retry-After; 0: none */
} Outcome;

typedef struct
{
  GPtrArray *deliveries; /* NexusWebhookDelivery, as read at the start */
  Outcome   *outcomes;   /* one per delivery */
} Batch;

static void
batch_free (gpointer data)
{
  Batch *batch = data;

  for (guint i = 0; i < batch->deliveries->len; i++)
    g_free (batch->outcomes[i].error);
  g_free (batch->outcomes);
  g_ptr_array_unref (batch->deliveries);
  g_free (batch);
}

/* Every address @host has must be public. */
static gboolean
check_host (const char *host, GCancellable *cancellable, GError **error)
{
  g_autoptr (GResolver) resolver = g_resolver_get_default ();
  g_autoptr (GInetAddress) literal = g_inet_address_new_from_string (host);
  GList *addresses;

  if (literal != NULL)
    addresses = g_list_prepend (NULL, g_object_ref (literal));
  else
    {
      g_autoptr (GError) local_error = NULL;

      addresses = g_resolver_lookup_by_name (resolver, host, cancellable, &local_error);
      if (addresses == NULL)
        {
          g_set_error (error, NEXUS_WEBHOOKS_ERROR, NEXUS_WEBHOOKS_ERROR_NETWORK,
                       _ ("Cannot resolve %s: %s"), host, local_error->message);
          return FALSE;
        }
    }
  for (GList *l = addresses; l != NULL; l = l->next)
    if (!nexus_enrich_address_is_public (l->data, FALSE))
      {
        g_autofree char *text = g_inet_address_to_string (l->data);

        g_set_error (error, NEXUS_WEBHOOKS_ERROR, NEXUS_WEBHOOKS_ERROR_REFUSED,
                     _ ("Refused: %s is %s, a loopback, private or link-local address (add the "
                        "webhook with --allow-private to allow it)"),
                     host, text);
        g_resolver_free_addresses (addresses);
        return FALSE;
      }
  g_resolver_free_addresses (addresses);
  return TRUE;
}

typedef struct
{
  GCancellable *cancellable; /* the request's own */
  char         *refused;     /* the address connected to, when not public */
} PeerCheck;

/* The address actually reached must be public too: the name may resolve
 * differently the second time. */
static void
network_event_cb (SoupMessage *msg, GSocketClientEvent event, GIOStream *connection, gpointer data)
{
  PeerCheck *check = data;
  g_autoptr (GSocketAddress) remote = NULL;
  GInetAddress *address = NULL;

  if (event != G_SOCKET_CLIENT_CONNECTED || !G_IS_SOCKET_CONNECTION (connection))
    return;
  remote = g_socket_connection_get_remote_address (G_SOCKET_CONNECTION (connection), NULL);
  if (G_IS_INET_SOCKET_ADDRESS (remote))
    address = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote));
  if (address != NULL && nexus_enrich_address_is_public (address, FALSE))
    return;
  g_free (check->refused);
  check->refused = address != NULL ? g_inet_address_to_string (address) : g_strdup ("?");
  g_cancellable_cancel (check->cancellable);
}

static void
parent_cancelled_cb (GCancellable *parent, gpointer data)
{
  g_cancellable_cancel (data);
}

static gint64
parse_retry_after (const char *value)
{
  g_autoptr (GDateTime) date = NULL;
  guint64 seconds;

  if (value == NULL)
    return 0;
  if (g_ascii_string_to_unsigned (value, 10, 0, G_MAXINT64, &seconds, NULL))
    return (gint64)seconds;
  date = soup_date_time_new_from_http_string (value);
  if (date == NULL)
    return 0;
  return MAX (0, g_date_time_to_unix (date) - g_get_real_time () / G_USEC_PER_SEC);
}

static void
send_one (SoupSession          *session,
          NexusWebhookDelivery *delivery,
          Outcome              *outcome,
          GCancellable         *cancellable)
{
  g_autoptr (GUri) uri = g_uri_parse (delivery->url, SOUP_HTTP_URI_FLAGS, NULL);
  g_autoptr (SoupMessage) msg = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GBytes) response = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GCancellable) request_cancellable = g_cancellable_new ();
  gint64              timestamp = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char    *timestamp_text = g_strdup_printf ("%" G_GINT64_FORMAT, timestamp);
  g_autofree char    *signature = NULL;
  g_autofree char    *secret = NULL;
  SoupMessageHeaders *headers;
  PeerCheck           check = { request_cancellable, NULL };
  gulong              parent_handler = 0;
  guint               status;

  if (!nexus_webhooks_check_url (delivery->url, &error) ||
      (!delivery->allow_private && !check_host (g_uri_get_host (uri), cancellable, &error)))
    {
      outcome->refused =
          g_error_matches (error, NEXUS_WEBHOOKS_ERROR, NEXUS_WEBHOOKS_ERROR_REFUSED) ||
          g_error_matches (error, NEXUS_WEBHOOKS_ERROR, NEXUS_WEBHOOKS_ERROR_INVALID);
      outcome->error = g_strdup (error->message);
      return;
    }
  secret = nexus_secret_box_open (delivery->secret, delivery->sealed, &error);
  if (secret != NULL)
    signature = nexus_webhooks_sign (secret, delivery->message_id, timestamp, delivery->payload,
                                     strlen (delivery->payload), &error);
  if (secret != NULL)
    memset (secret, 0, strlen (secret));
  if (signature == NULL)
    {
      outcome->refused = TRUE;
      outcome->error = g_strdup (error->message);
      return;
    }

  msg = soup_message_new_from_uri ("POST", uri);
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  headers = soup_message_get_request_headers (msg);
  soup_message_headers_replace (headers, "webhook-id", delivery->message_id);
  soup_message_headers_replace (headers, "webhook-timestamp", timestamp_text);
  soup_message_headers_replace (headers, "webhook-signature", signature);
  body = g_bytes_new (delivery->payload, strlen (delivery->payload));
  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  if (!delivery->allow_private)
    g_signal_connect (msg, "network-event", G_CALLBACK (network_event_cb), &check);
  if (cancellable != NULL)
    parent_handler = g_cancellable_connect (cancellable, G_CALLBACK (parent_cancelled_cb),
                                            request_cancellable, NULL);

  response = soup_session_send_and_read (session, msg, request_cancellable, &error);
  if (parent_handler != 0)
    g_cancellable_disconnect (cancellable, parent_handler);
  if (check.refused != NULL)
    {
      outcome->refused = TRUE;
      outcome->error = g_strdup_printf (
          _ ("Refused: %s connected to %s, a loopback, private or link-local address (add the "
             "webhook with --allow-private to allow it)"),
          g_uri_get_host (uri), check.refused);
      g_free (check.refused);
      return;
    }
  if (response == NULL)
    {
      outcome->error =
          g_strdup_printf (_ ("No answer from %s: %s"), g_uri_get_host (uri), error->message);
      return;
    }

  status = soup_message_get_status (msg);
  outcome->status = status;
  if (status >= 200 && status < 300)
    return;
  outcome->retry_after_s = parse_retry_after (
      soup_message_headers_get_one (soup_message_get_response_headers (msg), "Retry-After"));
  if (status >= 300 && status < 400)
    outcome->error = g_strdup_printf (_ ("The receiver answered HTTP %u (redirects are not "
                                         "followed)"),
                                      status);
  else
    outcome->error = g_strdup_printf (_ ("The receiver answered HTTP %u"), status);
}

static void
send_thread (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  Batch *batch = task_data;
  /* No proxy: the address checked must be the one connected to. */
  g_autoptr (SoupSession) session =
      soup_session_new_with_options ("timeout", NEXUS_WEBHOOKS_TIMEOUT_S, "proxy-resolver", NULL,
                                     "user-agent", "Nexus-Webhooks/" PACKAGE_VERSION, NULL);

  for (guint i = 0; i < batch->deliveries->len; i++)
    {
      if (g_cancellable_is_cancelled (cancellable))
        {
          batch->outcomes[i].error = g_strdup (_ ("The engine stopped"));
          continue;
        }
      send_one (session, g_ptr_array_index (batch->deliveries, i), &batch->outcomes[i],
                cancellable);
    }
  g_task_return_boolean (task, TRUE);
}

/* ---- the dispatcher: the engine thread ------------------------------ */

static void start_batch (NexusWebhooks *self);

static gboolean
timer_cb (gpointer user_data)
{
  NexusWebhooks *self = user_data;

  g_clear_pointer (&self->timer, g_source_unref);
  start_batch (self);
  return G_SOURCE_REMOVE;
}

/* Sets the timer for the next due row, or the next poll. */
static void
reschedule (NexusWebhooks *self)
{
  g_autoptr (GError) error = NULL;
  gint64 next_ms = 0;
  gint64 wait_ms = NEXUS_WEBHOOKS_POLL_S * 1000;

  if (self->store == NULL || self->sending)
    return;
  if (self->timer != NULL)
    g_source_destroy (self->timer);
  g_clear_pointer (&self->timer, g_source_unref);

  if (!nexus_store_webhook_next_at (self->store, &next_ms, &error))
    g_message ("Cannot read the webhook deliveries: %s", error->message);
  else if (next_ms > 0)
    wait_ms = CLAMP (next_ms - g_get_real_time () / 1000, 0, wait_ms);

  self->timer = g_timeout_source_new ((guint)wait_ms);
  g_source_set_callback (self->timer, timer_cb, self, NULL);
  g_source_set_name (self->timer, "[nexus] webhooks");
  g_source_attach (self->timer, g_main_context_get_thread_default ());
}

static void
record_outcome (NexusWebhooks *self, NexusWebhookDelivery *delivery, Outcome *outcome)
{
  g_autoptr (GError) error = NULL;
  gint64      attempt = delivery->attempt + 1;
  gint64      now_ms = g_get_real_time () / 1000;
  const char *status = "pending";
  gint64      next_ms = now_ms;

  if (outcome->error == NULL)
    status = "delivered";
  else if (outcome->refused || outcome->status == SOUP_STATUS_GONE)
    status = "failed";
  else if (attempt > self->delays_ms->len)
    status = "gave_up";
  else
    {
      gint64 wait_ms = g_array_index (self->delays_ms, guint, attempt - 1);

      wait_ms = MAX (wait_ms, outcome->retry_after_s * 1000);
      next_ms = now_ms + MIN (wait_ms, (gint64)NEXUS_WEBHOOKS_MAX_WAIT_S * 1000);
    }

  if (!nexus_store_webhook_delivery_update (self->store, delivery->id, attempt, status, next_ms,
                                            outcome->status, outcome->error, &error))
    g_message ("Cannot record a webhook delivery: %s", error->message);
  if (outcome->status == SOUP_STATUS_GONE)
    {
      g_autoptr (GError) local_error = NULL;

      g_message ("Webhook %" G_GINT64_FORMAT " disabled: its receiver answered 410 Gone",
                 delivery->endpoint_id);
      if (!nexus_store_webhook_disable (self->store, delivery->endpoint_id,
                                        _ ("The receiver answered HTTP 410 Gone"), &local_error))
        g_message ("Cannot disable a webhook: %s", local_error->message);
    }
}

static void
batch_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (NexusWebhooks) self = user_data;
  Batch *batch = g_task_get_task_data (G_TASK (result));

  self->sending = FALSE;
  if (self->store == NULL)
    return; /* stopped meanwhile: the rows stay pending for the next start */
  for (guint i = 0; i < batch->deliveries->len; i++)
    record_outcome (self, g_ptr_array_index (batch->deliveries, i), &batch->outcomes[i]);
  reschedule (self);
}

static void
start_batch (NexusWebhooks *self)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) due = NULL;
  g_autoptr (GTask) task = NULL;
  Batch *batch;

  if (self->store == NULL || self->sending)
    return;
  due = nexus_store_webhook_due (self->store, g_get_real_time () / 1000, NEXUS_WEBHOOKS_BATCH,
                                 &error);
  if (due == NULL)
    g_message ("Cannot read the webhook deliveries: %s", error->message);
  if (due == NULL || due->len == 0)
    {
      reschedule (self);
      return;
    }

  batch = g_new0 (Batch, 1);
  batch->outcomes = g_new0 (Outcome, due->len);
  batch->deliveries = g_steal_pointer (&due);
  self->sending = TRUE;
  task = g_task_new (NULL, self->cancellable, batch_done_cb, g_object_ref (self));
  g_task_set_source_tag (task, start_batch);
  g_task_set_task_data (task, batch, batch_free);
  g_task_run_in_thread (task, send_thread);
}

static char *
make_payload (NexusEvent *event)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GDateTime) at = g_date_time_new_from_unix_utc (event->at);
  g_autofree char *timestamp = g_date_time_format_iso8601 (at);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, event->kind);
  json_builder_set_member_name (builder, "timestamp");
  json_builder_add_string_value (builder, timestamp);
  json_builder_set_member_name (builder, "data");
  if (event->data != NULL)
    {
      JsonNode *data = json_node_new (JSON_NODE_OBJECT);

      json_node_set_object (data, event->data);
      json_builder_add_value (builder, data);
    }
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

/* The enabled endpoints, read again only when they may have changed. */
static GPtrArray *
current_endpoints (NexusWebhooks *self, GError **error)
{
  gint64 generation = nexus_store_webhook_generation (self->store);

  if (self->endpoints == NULL || generation != self->endpoints_generation)
    {
      g_clear_pointer (&self->endpoints, g_ptr_array_unref);
      self->endpoints = nexus_store_webhook_list (self->store, TRUE, error);
      if (self->endpoints == NULL)
        return NULL;
      self->endpoints_generation = generation;
    }
  return g_ptr_array_ref (self->endpoints);
}

static void
event_cb (NexusEventBus *bus, NexusEvent *event, gpointer user_data)
{
  NexusWebhooks *self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) endpoints = NULL;
  g_autofree char *payload = NULL;
  gboolean         queued = FALSE;

  if (self->store == NULL)
    return;
  endpoints = current_endpoints (self, &error);
  if (endpoints == NULL)
    {
      g_message ("Cannot read the webhooks: %s", error->message);
      return;
    }
  for (guint i = 0; i < endpoints->len; i++)
    {
      NexusWebhookEndpoint *endpoint = g_ptr_array_index (endpoints, i);
      g_autofree char      *token = NULL;
      g_autofree char      *message_id = NULL;

      if (!nexus_webhooks_wants (endpoint->events, event->kind))
        continue;
      if (payload == NULL)
        payload = make_payload (event);
      token = nexus_random_token (18);
      message_id = g_strconcat ("msg_", token, NULL);
      if (nexus_store_webhook_delivery_add (self->store, endpoint->id, event->id, message_id,
                                            event->kind, payload, g_get_real_time () / 1000,
                                            &error) == 0)
        {
          g_message ("Cannot queue a webhook delivery: %s", error->message);
          g_clear_error (&error);
          continue;
        }
      queued = TRUE;
    }
  if (queued)
    nexus_webhooks_kick (self);
}

/**
 * nexus_webhooks_kick:
 *
 * Looks for due deliveries now rather than at the next poll.
 */
void
nexus_webhooks_kick (NexusWebhooks *self)
{
  g_return_if_fail (NEXUS_IS_WEBHOOKS (self));

  if (self->store == NULL || self->sending)
    return;
  if (self->timer != NULL)
    g_source_destroy (self->timer);
  g_clear_pointer (&self->timer, g_source_unref);
  self->timer = g_timeout_source_new (0);
  g_source_set_callback (self->timer, timer_cb, self, NULL);
  g_source_set_name (self->timer, "[nexus] webhooks");
  g_source_attach (self->timer, g_main_context_get_thread_default ());
}

/**
 * nexus_webhooks_set_delays:
 * @delays_ms: the wait before each retry, in milliseconds
 *
 * Replaces NEXUS_WEBHOOKS_DELAYS_S (tests use milliseconds); a delivery
 * gives up after 1 + @n_delays attempts.
 */
void
nexus_webhooks_set_delays (NexusWebhooks *self, const guint *delays_ms, guint n_delays)
{
  g_return_if_fail (NEXUS_IS_WEBHOOKS (self));

  g_array_set_size (self->delays_ms, 0);
  g_array_append_vals (self->delays_ms, delays_ms, n_delays);
}

/**
 * nexus_webhooks_stop:
 *
 * Stops watching and sending; a batch on its thread is cancelled and its
 * outcome dropped (those rows are sent again at the next start).  Call
 * before the store closes.
 */
void
nexus_webhooks_stop (NexusWebhooks *self)
{
  g_return_if_fail (NEXUS_IS_WEBHOOKS (self));

  g_cancellable_cancel (self->cancellable);
  if (self->event_handler != 0)
    g_clear_signal_handler (&self->event_handler, self->events);
  if (self->timer != NULL)
    g_source_destroy (self->timer);
  g_clear_pointer (&self->timer, g_source_unref);
  g_clear_object (&self->store);
}

static void
nexus_webhooks_finalize (GObject *object)
{
  NexusWebhooks *self = (NexusWebhooks *)object;

  nexus_webhooks_stop (self);
  g_clear_object (&self->events);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->delays_ms, g_array_unref);
  g_clear_pointer (&self->endpoints, g_ptr_array_unref);

  G_OBJECT_CLASS (nexus_webhooks_parent_class)->finalize (object);
}

static void
nexus_webhooks_class_init (NexusWebhooksClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = nexus_webhooks_finalize;
}

static void
nexus_webhooks_init (NexusWebhooks *self)
{
  self->cancellable = g_cancellable_new ();
  self->delays_ms = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; i < NEXUS_WEBHOOKS_N_DELAYS; i++)
    {
      guint ms = NEXUS_WEBHOOKS_DELAYS_S[i] * 1000;

      g_array_append_val (self->delays_ms, ms);
    }
}

/**
 * nexus_webhooks_new:
 *
 * Returns: (transfer full): the dispatcher, watching @events and sending
 *   what is already due
 */
NexusWebhooks *
nexus_webhooks_new (NexusStore *store, NexusEventBus *events)
{
  NexusWebhooks *self = g_object_new (NEXUS_TYPE_WEBHOOKS, NULL);

  self->store = g_object_ref (store);
  self->events = g_object_ref (events);
  self->event_handler = g_signal_connect (events, "event", G_CALLBACK (event_cb), self);
  nexus_webhooks_kick (self);
  return self;
}
