/* test-webhooks.c — outgoing webhooks: signing, retries, 410, refusals
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A libsoup server on 127.0.0.1 (port 0) plays the receiver in the test's
 * main context; the dispatcher's sender runs on its own thread and the
 * test iterates the main context while it waits.
 */

#include "config.h"

#define _GNU_SOURCE

#include <libsoup/soup.h>
#include <string.h>

#include "../nexus-test-util.h"
#include "nexus-engine.h"
#include "ops/nexus-webhooks.h"
#include "store/nexus-store-webhooks.h"

typedef struct
{
  char          *dir;
  char          *db;
  NexusStore    *store; /* the dispatcher's, or the admin connection */
  NexusEventBus *bus;
  NexusWebhooks *webhooks;
  NexusEngine   *engine;

  SoupServer *server;
  char       *url;     /* http://127.0.0.1:PORT/hook */
  char       *secret;  /* the endpoint's, to verify signatures */
  GArray     *answers; /* the HTTP status of each request, the last repeated */
  GPtrArray  *ids;     /* webhook-id of each request */
  GPtrArray  *bodies;
  guint       bad_signatures;
} Fixture;

static void
receiver_cb (SoupServer        *server,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  Fixture            *fixture = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageBody    *body = soup_server_message_get_request_body (msg);
  const char         *id = soup_message_headers_get_one (headers, "webhook-id");
  const char         *timestamp = soup_message_headers_get_one (headers, "webhook-timestamp");
  const char         *signature = soup_message_headers_get_one (headers, "webhook-signature");
  g_autofree char    *expected = NULL;
  guint               n = fixture->ids->len;
  guint               status;

  if (id != NULL && timestamp != NULL)
    expected = nexus_webhooks_sign (fixture->secret, id, g_ascii_strtoll (timestamp, NULL, 10),
                                    body->data, body->length, NULL);
  if (expected == NULL || g_strcmp0 (expected, signature) != 0)
    fixture->bad_signatures++;
  g_ptr_array_add (fixture->ids, g_strdup (id));
  g_ptr_array_add (fixture->bodies, g_strndup (body->data, body->length));

  status = g_array_index (fixture->answers, guint, MIN (n, fixture->answers->len - 1));
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "ok", 2);
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  GSList *uris;

  fixture->dir = nexus_test_make_dir ("webhooks");
  fixture->db = g_build_filename (fixture->dir, "nexus.db", NULL);
  fixture->answers = g_array_new (FALSE, FALSE, sizeof (guint));
  fixture->ids = g_ptr_array_new_with_free_func (g_free);
  fixture->bodies = g_ptr_array_new_with_free_func (g_free);

  fixture->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fixture->server, NULL, receiver_cb, fixture, NULL);
  soup_server_listen_local (fixture->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (fixture->server);
  fixture->url = g_strdup_printf ("http://127.0.0.1:%d/hook", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify)g_uri_unref);
}

/* A dispatcher of its own on this thread, with retries after 20 ms. */
static void
fixture_set_up_dispatcher (Fixture *fixture, gconstpointer data)
{
  static const guint delays_ms[] = { 20, 20 };
  g_autoptr (GError) error = NULL;

  fixture_set_up (fixture, data);
  fixture->store = nexus_store_open (fixture->db, NEXUS_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  fixture->bus = nexus_event_bus_new ();
  fixture->webhooks = nexus_webhooks_new (fixture->store, fixture->bus);
  nexus_webhooks_set_delays (fixture->webhooks, delays_ms, G_N_ELEMENTS (delays_ms));
}

/* The engine's own dispatcher; fixture->store is another connection. */
static void
fixture_set_up_engine (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fixture_set_up (fixture, data);
  fixture->engine = nexus_engine_new (fixture->db, NEXUS_ENGINE_DEFAULT, &error);
  g_assert_no_error (error);
  fixture->store = nexus_store_open (fixture->db, NEXUS_STORE_OPEN_NO_CREATE, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  if (fixture->webhooks != NULL)
    nexus_webhooks_stop (fixture->webhooks);
  g_clear_object (&fixture->webhooks);
  if (fixture->engine != NULL)
    nexus_engine_shutdown (fixture->engine);
  g_clear_object (&fixture->engine);
  g_clear_object (&fixture->bus);
  g_clear_object (&fixture->store);
  soup_server_disconnect (fixture->server);
  g_clear_object (&fixture->server);
  nexus_test_remove_dir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->db);
  g_free (fixture->url);
  g_free (fixture->secret);
  g_array_unref (fixture->answers);
  g_ptr_array_unref (fixture->ids);
  g_ptr_array_unref (fixture->bodies);
}

static gint64
add_endpoint (Fixture *fixture, const char *url, const char *events, gboolean allow_private)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *json = nexus_webhooks_parse_events (events, &error);
  gint64           id;

  g_assert_no_error (error);
  g_clear_pointer (&fixture->secret, g_free);
  id = nexus_webhooks_add_endpoint (fixture->store, url, json, allow_private,
                                    g_get_real_time () / G_USEC_PER_SEC, &fixture->secret, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static void
answer (Fixture *fixture, guint status)
{
  g_array_append_val (fixture->answers, status);
}

static void
publish (Fixture *fixture, const char *kind)
{
  g_autoptr (JsonObject) data = json_object_new ();

  json_object_set_string_member (data, "reason", "test");
  nexus_event_bus_publish (fixture->bus, kind, data);
}

/* The only delivery there is; NULL while there is none. */
static NexusWebhookDelivery *
only_delivery (Fixture *fixture)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) deliveries = nexus_store_webhook_deliveries (fixture->store, 10, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (deliveries->len, <=, 1);
  return deliveries->len == 1 ? g_ptr_array_steal_index (deliveries, 0) : NULL;
}

/* Iterates the main context (the receiver) until the only delivery is no
 * longer pending, or fails after 20 s. */
static NexusWebhookDelivery *
wait_for_outcome (Fixture *fixture)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  for (;;)
    {
      g_autoptr (NexusWebhookDelivery) delivery = only_delivery (fixture);

      if (delivery != NULL && !g_str_equal (delivery->status, "pending"))
        return g_steal_pointer (&delivery);
      if (g_get_monotonic_time () > deadline)
        g_error ("waited 20 s for a webhook delivery to end");
      g_main_context_iteration (NULL, FALSE);
      g_usleep (5000);
    }
}

static void
test_signature_vector (void)
{
  g_autoptr (GError) error = NULL;
  const char      *body = "{\"test\": 2432232314}";
  g_autofree char *signature = NULL;
  g_autofree char *bad = NULL;
  g_autofree char *secret = nexus_webhooks_new_secret ();

  /* The example of the Standard Webhooks specification. */
  signature =
      nexus_webhooks_sign ("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                           1614265330, body, strlen (body), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (signature, ==, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");

  /* Any change to the signed content changes the signature. */
  bad =
      nexus_webhooks_sign ("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                           1614265331, body, strlen (body), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (bad, !=, signature);

  /* New secrets are whsec_ and 24 random bytes. */
  g_assert_true (g_str_has_prefix (secret, "whsec_"));
  g_assert_cmpuint (strlen (secret), ==, strlen ("whsec_") + 32);
}

static void
test_event_lists (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *all = nexus_webhooks_parse_events (NULL, &error);
  g_autofree char *some = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (all, ==, "[\"*\"]");
  g_assert_true (nexus_webhooks_wants (all, "monitor.alert"));
  g_assert_true (nexus_webhooks_wants (all, "job.dead"));
  /* "*" means the alerts, not every job that completes. */
  g_assert_false (nexus_webhooks_wants (all, "job.completed"));

  some = nexus_webhooks_parse_events ("job.completed, backup.failed", &error);
  g_assert_no_error (error);
  g_assert_true (nexus_webhooks_wants (some, "job.completed"));
  g_assert_true (nexus_webhooks_wants (some, "backup.failed"));
  g_assert_false (nexus_webhooks_wants (some, "monitor.alert"));

  g_assert_null (nexus_webhooks_parse_events ("a b", &error));
  g_assert_error (error, NEXUS_WEBHOOKS_ERROR, NEXUS_WEBHOOKS_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (nexus_webhooks_check_url ("ftp://example.com/", &error));
  g_assert_error (error, NEXUS_WEBHOOKS_ERROR, NEXUS_WEBHOOKS_ERROR_INVALID);
}

static void
test_retry_then_delivered (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusWebhookDelivery) delivery = NULL;
  g_autoptr (JsonNode) body = NULL;
  JsonObject *object;

  add_endpoint (fixture, fixture->url, NULL, TRUE);
  answer (fixture, 500);
  answer (fixture, 200);
  publish (fixture, "job.completed"); /* not an alert: nothing queued */
  publish (fixture, "monitor.alert");

  delivery = wait_for_outcome (fixture);
  g_assert_cmpstr (delivery->status, ==, "delivered");
  g_assert_cmpint (delivery->attempt, ==, 2);
  g_assert_cmpint (delivery->last_status, ==, 200);
  g_assert_null (delivery->last_error);

  /* Two signed requests with the same webhook-id and the same body. */
  g_assert_cmpuint (fixture->ids->len, ==, 2);
  g_assert_cmpuint (fixture->bad_signatures, ==, 0);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (fixture->ids, 0), "msg_"));
  g_assert_cmpstr (g_ptr_array_index (fixture->ids, 0), ==, g_ptr_array_index (fixture->ids, 1));
  g_assert_cmpstr (g_ptr_array_index (fixture->ids, 0), ==, delivery->message_id);
  g_assert_cmpstr (g_ptr_array_index (fixture->bodies, 0), ==,
                   g_ptr_array_index (fixture->bodies, 1));

  body = json_from_string (g_ptr_array_index (fixture->bodies, 0), NULL);
  g_assert_nonnull (body);
  object = json_node_get_object (body);
  g_assert_cmpstr (json_object_get_string_member (object, "type"), ==, "monitor.alert");
  g_assert_nonnull (json_object_get_string_member (object, "timestamp"));
  g_assert_cmpstr (
      json_object_get_string_member (json_object_get_object_member (object, "data"), "reason"), ==,
      "test");
}

/* Deliveries queued so far. */
static guint
count_deliveries (Fixture *fixture)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) deliveries = nexus_store_webhook_deliveries (fixture->store, 100, &error);

  g_assert_no_error (error);
  return deliveries->len;
}

/* The dispatcher reads the endpoints again only when they may have
 * changed, and then always: added, removed or disabled through its own
 * store (a rolled-back addition included) or by another program. */
static void
test_endpoints_followed (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusStore) other = NULL;
  gint64 first;
  gint64 second;

  publish (fixture, "monitor.alert"); /* read: none */
  g_assert_cmpuint (count_deliveries (fixture), ==, 0);

  /* Added through the dispatcher's store, but rolled back. */
  g_assert_true (nexus_store_begin (fixture->store, &error));
  add_endpoint (fixture, "http://127.0.0.1:9/rolled-back", NULL, TRUE);
  nexus_store_rollback (fixture->store);
  publish (fixture, "monitor.alert");
  g_assert_cmpuint (count_deliveries (fixture), ==, 0);

  first = add_endpoint (fixture, "http://127.0.0.1:9/first", NULL, TRUE);
  publish (fixture, "monitor.alert");
  g_assert_cmpuint (count_deliveries (fixture), ==, 1);

  /* Another program's connection adds one. */
  other = nexus_store_open (fixture->db, NEXUS_STORE_OPEN_NO_CREATE, &error);
  g_assert_no_error (error);
  {
    g_autofree char *events = nexus_webhooks_parse_events (NULL, &error);
    g_autofree char *secret = NULL;

    second = nexus_webhooks_add_endpoint (other, "http://127.0.0.1:9/second", events, TRUE, 1,
                                          &secret, &error);
    g_assert_no_error (error);
  }
  publish (fixture, "monitor.alert");
  g_assert_cmpuint (count_deliveries (fixture), ==, 3);

  /* Disabled here, removed there. */
  g_assert_true (nexus_store_webhook_disable (fixture->store, first, "test", &error));
  publish (fixture, "monitor.alert");
  g_assert_cmpuint (count_deliveries (fixture), ==, 4);
  g_assert_true (nexus_store_webhook_remove (other, second, &error));
  g_assert_no_error (error);
  publish (fixture, "monitor.alert");
  g_assert_cmpuint (count_deliveries (fixture), ==, 2); /* the second's went with it */
}

static void
test_gives_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusWebhookDelivery) delivery = NULL;

  add_endpoint (fixture, fixture->url, "backup.failed", TRUE);
  answer (fixture, 503);
  publish (fixture, "backup.failed");

  /* One attempt and one per delay (two in this fixture). */
  delivery = wait_for_outcome (fixture);
  g_assert_cmpstr (delivery->status, ==, "gave_up");
  g_assert_cmpint (delivery->attempt, ==, 3);
  g_assert_cmpint (delivery->last_status, ==, 503);
  g_assert_cmpuint (fixture->ids->len, ==, 3);
}

static void
test_gone_disables (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusWebhookDelivery) delivery = NULL;
  g_autoptr (GPtrArray) endpoints = NULL;
  g_autoptr (GError) error = NULL;
  NexusWebhookEndpoint *endpoint;

  add_endpoint (fixture, fixture->url, NULL, TRUE);
  answer (fixture, 410);
  publish (fixture, "job.dead");

  delivery = wait_for_outcome (fixture);
  g_assert_cmpstr (delivery->status, ==, "failed");
  g_assert_cmpint (delivery->last_status, ==, 410);
  g_assert_cmpuint (fixture->ids->len, ==, 1);

  endpoints = nexus_store_webhook_list (fixture->store, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (endpoints->len, ==, 1);
  endpoint = g_ptr_array_index (endpoints, 0);
  g_assert_false (endpoint->enabled);
  g_assert_nonnull (strstr (endpoint->disabled_reason, "410"));

  /* A disabled endpoint takes no more events. */
  g_clear_pointer (&delivery, nexus_webhook_delivery_free);
  publish (fixture, "job.dead");
  delivery = only_delivery (fixture);
  g_assert_cmpstr (delivery->status, ==, "failed");
}

static void
test_private_refused (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusWebhookDelivery) delivery = NULL;
  g_autoptr (GError) error = NULL;

  add_endpoint (fixture, fixture->url, NULL, FALSE);
  answer (fixture, 200);
  publish (fixture, "monitor.alert");

  delivery = wait_for_outcome (fixture);
  g_assert_cmpstr (delivery->status, ==, "failed");
  g_assert_cmpint (delivery->attempt, ==, 1);
  g_assert_cmpint (delivery->last_status, ==, 0);
  g_assert_nonnull (strstr (delivery->last_error, "127.0.0.1"));
  g_assert_nonnull (strstr (delivery->last_error, "--allow-private"));
  /* Nothing reached the receiver. */
  g_assert_cmpuint (fixture->ids->len, ==, 0);

  /* Sent again by hand, it is refused again. */
  nexus_store_webhook_redeliver (fixture->store, delivery->id, g_get_real_time () / 1000, &error);
  g_assert_no_error (error);
  nexus_webhooks_kick (fixture->webhooks);
  g_clear_pointer (&delivery, nexus_webhook_delivery_free);
  delivery = wait_for_outcome (fixture);
  g_assert_cmpstr (delivery->status, ==, "failed");
  g_assert_cmpuint (fixture->ids->len, ==, 0);
}

/* Under NEXUS_INTERNAL_SECRET the signing secret is sealed at rest, and
 * deliveries are still signed with the secret the operator was shown. */
static void
test_sealed_secret (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusWebhookDelivery) delivery = NULL;
  g_autoptr (GPtrArray) endpoints = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char      *contents = NULL;
  g_autofree char      *wal = g_strconcat (fixture->db, "-wal", NULL);
  g_autofree char      *wal_contents = NULL;
  gsize                 length = 0;
  gsize                 wal_length = 0;
  NexusWebhookEndpoint *endpoint;
  const char           *stored;
  gsize                 stored_length = 0;

  g_setenv ("NEXUS_INTERNAL_SECRET", "operator passphrase for webhooks", TRUE);
  add_endpoint (fixture, fixture->url, NULL, TRUE);

  endpoints = nexus_store_webhook_list (fixture->store, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (endpoints->len, ==, 1);
  endpoint = g_ptr_array_index (endpoints, 0);
  g_assert_true (endpoint->sealed);
  stored = g_bytes_get_data (endpoint->secret, &stored_length);
  g_assert_null (memmem (stored, stored_length, fixture->secret, strlen (fixture->secret)));
  g_assert_true (g_str_has_prefix (fixture->secret, "whsec_"));

  /* Nowhere in the files either. */
  nexus_store_checkpoint (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (fixture->db, &contents, &length, NULL));
  g_assert_null (memmem (contents, length, fixture->secret, strlen (fixture->secret)));
  if (g_file_get_contents (wal, &wal_contents, &wal_length, NULL))
    g_assert_null (memmem (wal_contents, wal_length, fixture->secret, strlen (fixture->secret)));

  answer (fixture, 200);
  publish (fixture, "monitor.alert");
  delivery = wait_for_outcome (fixture);
  g_unsetenv ("NEXUS_INTERNAL_SECRET");
  g_assert_cmpstr (delivery->status, ==, "delivered");
  g_assert_cmpuint (fixture->ids->len, ==, 1);
  g_assert_cmpuint (fixture->bad_signatures, ==, 0);
}

static gpointer
publish_func (NexusStore *store, gpointer data, GError **error)
{
  NexusEngine *engine = data;
  g_autoptr (JsonObject) object = json_object_new ();

  json_object_set_string_member (object, "error", "disk full");
  nexus_event_bus_publish (nexus_engine_get_event_bus (engine), "backup.failed", object);
  return GINT_TO_POINTER (TRUE);
}

/* The engine creates the dispatcher: an event on its thread reaches the
 * receiver. */
static void
test_engine_delivers (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusWebhookDelivery) delivery = NULL;
  g_autoptr (GError) error = NULL;

  add_endpoint (fixture, fixture->url, NULL, TRUE);
  answer (fixture, 204);
  nexus_engine_run_sync (fixture->engine, publish_func, fixture->engine, &error);
  g_assert_no_error (error);

  delivery = wait_for_outcome (fixture);
  g_assert_cmpstr (delivery->status, ==, "delivered");
  g_assert_cmpstr (delivery->kind, ==, "backup.failed");
  g_assert_cmpuint (fixture->ids->len, ==, 1);
  g_assert_cmpuint (fixture->bad_signatures, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/nexus/Webhooks/signature-vector", test_signature_vector);
  g_test_add_func ("/nexus/Webhooks/event-lists", test_event_lists);
  g_test_add ("/nexus/Webhooks/retry-then-delivered", Fixture, NULL, fixture_set_up_dispatcher,
              test_retry_then_delivered, fixture_tear_down);
  g_test_add ("/nexus/Webhooks/endpoints-followed", Fixture, NULL, fixture_set_up_dispatcher,
              test_endpoints_followed, fixture_tear_down);
  g_test_add ("/nexus/Webhooks/gives-up", Fixture, NULL, fixture_set_up_dispatcher, test_gives_up,
              fixture_tear_down);
  g_test_add ("/nexus/Webhooks/gone-disables", Fixture, NULL, fixture_set_up_dispatcher,
              test_gone_disables, fixture_tear_down);
  g_test_add ("/nexus/Webhooks/sealed-secret", Fixture, NULL, fixture_set_up_dispatcher,
              test_sealed_secret, fixture_tear_down);
  g_test_add ("/nexus/Webhooks/private-refused", Fixture, NULL, fixture_set_up_dispatcher,
              test_private_refused, fixture_tear_down);
  g_test_add ("/nexus/Webhooks/engine-delivers", Fixture, NULL, fixture_set_up_engine,
              test_engine_delivers, fixture_tear_down);

  return g_test_run ();
}
