/* test-enrich.c — the enrich job kind: address rules, fetch limits, extraction
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A fake website on 127.0.0.1 serves pages written for these tests
 * (synthetic names and numbers).  Fetches that must be refused are aimed
 * at 127.0.0.1, ::1, 10.x and 192.168.x and are refused before any
 * connection; nothing reaches the internet.
 */

#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "providers/nexus-enrich.h"

static const char contact_html[] =
    "<!DOCTYPE html><html lang=\"ar\"><head><title>Synthetic Dental Clinic</title>"
    "<script>var tracking = '+1 555 010 9999';</script><style>.x{}</style></head><body>"
    "<header><a href=\"tel:+20%202%2027350000\">Call us</a> "
    "<a href='mailto:info@clinic.example?subject=Hello'>Mail</a></header>"
    "<p>هاتف: ٠١٠٠&nbsp;١٢٣ ٤٥٦٧</p>"
    "<p>Opening: 2024-01-15, server 192.168.100.200, order 12345</p>"
    "<p>Same number again: +20 2 2735 0000</p>"
    "<footer>Fax (02) 2735-0001</footer></body></html>";

static const char empty_html[] =
    "<html><body><h1>Under construction</h1><p>Since 2019-05-01.</p></body></html>";

typedef struct
{
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  SoupServer   *server;
  guint         port;
  GMutex        lock;
  GCond         cond;
  gboolean      ready;
  guint         requests;
} FakeSite;

static gboolean
unpause_cb (gpointer data)
{
  SoupServerMessage *msg = data;

  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "text/html", SOUP_MEMORY_STATIC, empty_html,
                                    strlen (empty_html));
  soup_server_message_unpause (msg);
  return G_SOURCE_REMOVE;
}

static void
site_handle (SoupServer        *server,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query,
             gpointer           data)
{
  FakeSite *site = data;

  g_mutex_lock (&site->lock);
  site->requests++;
  g_mutex_unlock (&site->lock);

  if (g_str_equal (path, "/contact"))
    {
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "text/html; charset=utf-8", SOUP_MEMORY_STATIC,
                                        contact_html, strlen (contact_html));
    }
  else if (g_str_equal (path, "/empty"))
    {
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "text/html", SOUP_MEMORY_STATIC, empty_html,
                                        strlen (empty_html));
    }
  else if (g_str_has_prefix (path, "/redirect/"))
    {
      guint64          n = g_ascii_strtoull (path + strlen ("/redirect/"), NULL, 10);
      g_autofree char *next =
          n > 1 ? g_strdup_printf ("/redirect/%" G_GUINT64_FORMAT, n - 1) : g_strdup ("/contact");

      soup_server_message_set_redirect (msg, 302, next);
    }
  else if (g_str_equal (path, "/to-private"))
    soup_server_message_set_redirect (msg, 302, "http://10.0.0.1/contact");
  else if (g_str_equal (path, "/to-file"))
    soup_server_message_set_redirect (msg, 302, "file:///etc/passwd");
  else if (g_str_equal (path, "/big"))
    {
      /* 1.5 MiB: a number in the first few bytes, another past 1 MiB. */
      GString *page = g_string_new ("<html><body><a href=\"tel:+20227350002\">x</a>");

      while (page->len < 1536 * 1024)
        g_string_append (page, "<p>lorem ipsum dolor sit amet</p>\n");
      g_string_append (page, "<a href=\"tel:+20227350003\">y</a></body></html>");
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "text/html", SOUP_MEMORY_TAKE, page->str, page->len);
      g_string_free (page, FALSE);
    }
  else if (g_str_equal (path, "/slow"))
    {
      /* Answers after 5 s: longer than the test's time limit. */
      GSource *source = g_timeout_source_new (5000);

      soup_server_message_pause (msg);
      g_source_set_callback (source, unpause_cb, g_object_ref (msg), g_object_unref);
      g_source_attach (source, g_main_context_get_thread_default ());
      g_source_unref (source);
    }
  else if (g_str_equal (path, "/broken"))
    soup_server_message_set_status (msg, 500, NULL);
  else
    soup_server_message_set_status (msg, 404, NULL);
}

static gpointer
site_thread (gpointer data)
{
  FakeSite *site = data;
  g_autoptr (GError) error = NULL;
  GSList *uris;

  g_main_context_push_thread_default (site->context);
  site->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (site->server, NULL, site_handle, site, NULL);
  soup_server_listen_local (site->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (site->server);
  g_mutex_lock (&site->lock);
  site->port = g_uri_get_port (uris->data);
  site->ready = TRUE;
  g_cond_signal (&site->cond);
  g_mutex_unlock (&site->lock);
  g_slist_free_full (uris, (GDestroyNotify)g_uri_unref);
  g_main_loop_run (site->loop);
  soup_server_disconnect (site->server);
  g_object_unref (site->server);
  g_main_context_pop_thread_default (site->context);
  return NULL;
}

static FakeSite *
site_start (void)
{
  FakeSite *site = g_new0 (FakeSite, 1);

  g_mutex_init (&site->lock);
  g_cond_init (&site->cond);
  site->context = g_main_context_new ();
  site->loop = g_main_loop_new (site->context, FALSE);
  site->thread = g_thread_new ("fake-site", site_thread, site);
  g_mutex_lock (&site->lock);
  while (!site->ready)
    g_cond_wait (&site->cond, &site->lock);
  g_mutex_unlock (&site->lock);
  return site;
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
site_stop (FakeSite *site)
{
  g_main_context_invoke (site->context, quit_cb, site->loop);
  g_thread_join (site->thread);
  g_main_loop_unref (site->loop);
  g_main_context_unref (site->context);
  g_mutex_clear (&site->lock);
  g_cond_clear (&site->cond);
  g_free (site);
}

static char *
site_url (FakeSite *site, const char *path)
{
  return g_strdup_printf ("http://127.0.0.1:%u%s", site->port, path);
}

static guint
site_requests (FakeSite *site)
{
  guint n;

  g_mutex_lock (&site->lock);
  n = site->requests;
  g_mutex_unlock (&site->lock);
  return n;
}

static gboolean
is_public (const char *text, gboolean allow_loopback)
{
  g_autoptr (GInetAddress) address = g_inet_address_new_from_string (text);

  g_assert_nonnull (address);
  return nexus_enrich_address_is_public (address, allow_loopback);
}

static void
test_address_rules (void)
{
  static const char *const refused[] = {
    "127.0.0.1",
    "127.8.9.10",
    "10.1.2.3",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "224.0.0.1",
    "255.255.255.255",
    "192.0.2.7",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd12:3456::1",
    "::ffff:10.0.0.1",
    "::ffff:127.0.0.1",
    "64:ff9b::a00:1",
    "2001:db8::1",
    "ff02::1",
  };
  static const char *const accepted[] = { "8.8.8.8", "172.32.0.1", "193.0.14.129",
                                          "2001:4860:4860::8888", "::ffff:8.8.8.8" };

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_test_message ("%s", refused[i]);
      g_assert_false (is_public (refused[i], FALSE));
    }
  for (guint i = 0; i < G_N_ELEMENTS (accepted); i++)
    g_assert_true (is_public (accepted[i], FALSE));
  /* The tests' switch opens loopback, and only loopback. */
  g_assert_true (is_public ("127.0.0.1", TRUE));
  g_assert_true (is_public ("::1", TRUE));
  g_assert_false (is_public ("10.1.2.3", TRUE));
  g_assert_false (is_public ("192.168.1.1", TRUE));
  g_assert_false (is_public ("169.254.169.254", TRUE));
}

static void
test_ssrf_refused (void)
{
  FakeSite          *site = site_start ();
  NexusEnrichOptions closed = { 0 };
  NexusEnrichOptions tests = { .allow_loopback = TRUE };
  g_autofree char   *loopback = site_url (site, "/contact");
  g_autofree char   *v6 = g_strdup_printf ("http://[::1]:%u/contact", site->port);
  g_autofree char   *named = g_strdup_printf ("http://localhost:%u/contact", site->port);
  g_autofree char   *to_private = site_url (site, "/to-private");
  g_autofree char   *to_file = site_url (site, "/to-file");
  const char        *urls[] = { loopback,
                                v6,
                                named,
                                "http://10.0.0.1/",
                                "http://192.168.1.1/",
                                "http://169.254.169.254/latest/meta-data/" };

  /* Off by default: every one refused, and the fake never hears of it. */
  for (guint i = 0; i < G_N_ELEMENTS (urls); i++)
    {
      g_autoptr (GBytes) body = NULL;
      g_autoptr (GError) error = NULL;
      guint status;

      body = nexus_enrich_fetch (&closed, urls[i], &status, NULL, &error);
      g_assert_null (body);
      g_assert_error (error, NEXUS_ENRICH_ERROR, NEXUS_ENRICH_ERROR_REFUSED);
      g_assert_false (nexus_enrich_error_is_retryable (error));
    }
  g_assert_cmpuint (site_requests (site), ==, 0);

  /* Loopback allowed: a redirect to a private address is checked again,
   * and one to another scheme is refused. */
  {
    g_autoptr (GBytes) body = NULL;
    g_autoptr (GError) error = NULL;
    guint status;

    body = nexus_enrich_fetch (&tests, to_private, &status, NULL, &error);
    g_assert_error (error, NEXUS_ENRICH_ERROR, NEXUS_ENRICH_ERROR_REFUSED);
    g_clear_error (&error);
    body = nexus_enrich_fetch (&tests, to_file, &status, NULL, &error);
    g_assert_error (error, NEXUS_ENRICH_ERROR, NEXUS_ENRICH_ERROR_INVALID);
    g_clear_error (&error);
    body = nexus_enrich_fetch (&tests, "file:///etc/passwd", &status, NULL, &error);
    g_assert_error (error, NEXUS_ENRICH_ERROR, NEXUS_ENRICH_ERROR_INVALID);
    g_assert_false (nexus_enrich_error_is_retryable (error));
  }
  g_assert_cmpuint (site_requests (site), ==, 2);
  site_stop (site);
}

static gboolean
has_phone (GPtrArray *phones, const char *phone)
{
  for (guint i = 0; i < phones->len; i++)
    if (g_str_equal (g_ptr_array_index (phones, i), phone))
      return TRUE;
  return FALSE;
}

static void
test_extract (void)
{
  g_autofree char *email = NULL;
  g_autofree char *none = NULL;
  g_autoptr (GPtrArray) phones = nexus_enrich_extract (contact_html, strlen (contact_html), &email);
  g_autoptr (GPtrArray) empty = nexus_enrich_extract (empty_html, strlen (empty_html), &none);

  for (guint i = 0; i < phones->len; i++)
    g_test_message ("phone %u: %s", i, (const char *)g_ptr_array_index (phones, i));
  /* tel: first, decoded; the same digits in the text are not repeated. */
  g_assert_cmpuint (phones->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (phones, 0), ==, "+20 2 27350000");
  /* Arabic-Indic digits read as 0-9. */
  g_assert_true (has_phone (phones, "0100 123 4567"));
  g_assert_true (has_phone (phones, "(02) 2735-0001"));
  /* Not the script's number, the date, the address or the order number. */
  g_assert_false (has_phone (phones, "+1 555 010 9999"));
  g_assert_cmpstr (email, ==, "info@clinic.example");

  g_assert_cmpuint (empty->len, ==, 0);
  g_assert_null (none);

  {
    static const char persian[] = "<p>تلفن: ۰۲۱-۸۸۷۷۶۶۵۵</p><a href=\"TEL:+98 21 8877 6655\">t</a>";
    g_autofree char *mail = NULL;
    g_autoptr (GPtrArray) found = nexus_enrich_extract (persian, strlen (persian), &mail);

    g_assert_cmpuint (found->len, ==, 2);
    g_assert_cmpstr (g_ptr_array_index (found, 0), ==, "+98 21 8877 6655");
    g_assert_cmpstr (g_ptr_array_index (found, 1), ==, "021-88776655");
  }
}

static JsonObject *
payload_for (const char *website)
{
  JsonObject *payload = json_object_new ();

  json_object_set_int_member (payload, "lead_id", 42);
  json_object_set_string_member (payload, "website", website);
  json_object_set_string_member (payload, "name", "Synthetic Dental Clinic");
  json_object_set_string_member (payload, "country", "EG");
  return payload;
}

static void
test_run_over_http (void)
{
  FakeSite          *site = site_start ();
  NexusEnrichOptions tests = { .allow_loopback = TRUE };
  NexusEnrichOptions closed = { 0 };
  g_autofree char   *contact = site_url (site, "/contact");
  g_autofree char   *bare = g_strdup_printf ("127.0.0.1:%u/contact", site->port);
  g_autofree char   *empty_url = site_url (site, "/empty");
  g_autofree char   *missing = site_url (site, "/missing");
  g_autofree char   *broken = site_url (site, "/broken");
  g_autofree char   *three = site_url (site, "/redirect/3");
  g_autofree char   *four = site_url (site, "/redirect/4");
  g_autoptr (JsonObject) payload = payload_for (contact);
  g_autoptr (GPtrArray) results = NULL;
  g_autoptr (GError) error = NULL;
  JsonObject *lead;

  results = nexus_enrich_run (&tests, payload, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 1);
  lead = json_node_get_object (g_ptr_array_index (results, 0));
  g_assert_cmpstr (json_object_get_string_member (lead, "provider"), ==, "enrich");
  g_assert_cmpstr (json_object_get_string_member (lead, "ref"), ==, "enrich/42");
  g_assert_cmpstr (json_object_get_string_member (lead, "name"), ==, "Synthetic Dental Clinic");
  g_assert_cmpstr (json_object_get_string_member (lead, "email"), ==, "info@clinic.example");
  g_assert_cmpstr (json_object_get_string_member (lead, "country"), ==, "EG");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (lead, "phones")), ==, 3);
  g_clear_pointer (&results, g_ptr_array_unref);

  /* Default options: the same job is refused, not retried. */
  results = nexus_enrich_run (&closed, payload, NULL, &error);
  g_assert_error (error, NEXUS_ENRICH_ERROR, NEXUS_ENRICH_ERROR_REFUSED);
  g_clear_error (&error);

  /* A website written without its scheme; three redirects are fine. */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr (JsonObject) p = payload_for (i == 0 ? bare : three);

      results = nexus_enrich_run (&tests, p, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (results->len, ==, 1);
      g_clear_pointer (&results, g_ptr_array_unref);
    }
  /* Four are not. */
  {
    g_autoptr (JsonObject) p = payload_for (four);

    results = nexus_enrich_run (&tests, p, NULL, &error);
    g_assert_error (error, NEXUS_ENRICH_ERROR, NEXUS_ENRICH_ERROR_REFUSED);
    g_clear_error (&error);
  }
  /* Nothing found (a page without contacts, a 404, no website): an empty
   * result, which the worker reports as final. */
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr (JsonObject) p = payload_for (i == 0 ? empty_url : missing);

      if (i == 2)
        json_object_remove_member (p, "website");
      results = nexus_enrich_run (&tests, p, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (results->len, ==, 0);
      g_clear_pointer (&results, g_ptr_array_unref);
    }
  /* A server error and a closed port are worth another try. */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr (JsonObject) p = payload_for (i == 0 ? broken : "http://127.0.0.1:9/");

      results = nexus_enrich_run (&tests, p, NULL, &error);
      g_assert_null (results);
      g_assert_error (error, NEXUS_ENRICH_ERROR, NEXUS_ENRICH_ERROR_NETWORK);
      g_assert_true (nexus_enrich_error_is_retryable (error));
      g_clear_error (&error);
    }
  /* No lead id: the job cannot be run. */
  json_object_remove_member (payload, "lead_id");
  results = nexus_enrich_run (&tests, payload, NULL, &error);
  g_assert_error (error, NEXUS_ENRICH_ERROR, NEXUS_ENRICH_ERROR_INVALID);
  site_stop (site);
}

static void
test_limits (void)
{
  FakeSite          *site = site_start ();
  NexusEnrichOptions tests = { .allow_loopback = TRUE };
  NexusEnrichOptions quick = { .allow_loopback = TRUE, .timeout_ms = 1000 };
  g_autofree char   *big = site_url (site, "/big");
  g_autofree char   *slow = site_url (site, "/slow");
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *email = NULL;
  g_autoptr (GPtrArray) phones = NULL;
  guint  status = 0;
  gint64 started;
  gint64 elapsed_ms;

  g_assert_cmpint (NEXUS_ENRICH_MAX_BYTES, ==, 1024 * 1024);
  g_assert_cmpint (NEXUS_ENRICH_TIMEOUT_MS, ==, 15000);

  /* 1.5 MiB served, 1 MiB read: the number past it is not seen. */
  body = nexus_enrich_fetch (&tests, big, &status, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpuint (g_bytes_get_size (body), ==, NEXUS_ENRICH_MAX_BYTES);
  phones = nexus_enrich_extract (g_bytes_get_data (body, NULL), g_bytes_get_size (body), &email);
  g_assert_cmpuint (phones->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (phones, 0), ==, "+20227350002");

  /* A site slower than the limit: cut at the limit, retryable. */
  started = g_get_monotonic_time ();
  g_clear_pointer (&body, g_bytes_unref);
  body = nexus_enrich_fetch (&quick, slow, &status, NULL, &error);
  elapsed_ms = (g_get_monotonic_time () - started) / 1000;
  g_test_message ("slow site given up after %" G_GINT64_FORMAT " ms", elapsed_ms);
  g_assert_null (body);
  g_assert_error (error, NEXUS_ENRICH_ERROR, NEXUS_ENRICH_ERROR_NETWORK);
  g_assert_true (nexus_enrich_error_is_retryable (error));
  g_assert_cmpint (elapsed_ms, >=, 900);
  g_assert_cmpint (elapsed_ms, <, 2500);
  g_clear_error (&error);

  /* The caller's cancellable still stops it. */
  {
    g_autoptr (GCancellable) cancellable = g_cancellable_new ();

    g_cancellable_cancel (cancellable);
    body = nexus_enrich_fetch (&tests, slow, &status, cancellable, &error);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  }
  site_stop (site);
}

int
main (int argc, char *argv[])
{
  g_unsetenv ("http_proxy");
  g_unsetenv ("HTTP_PROXY");
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/nexus/Enrich/address-rules", test_address_rules);
  g_test_add_func ("/nexus/Enrich/ssrf-refused", test_ssrf_refused);
  g_test_add_func ("/nexus/Enrich/extract", test_extract);
  g_test_add_func ("/nexus/Enrich/run-over-http", test_run_over_http);
  g_test_add_func ("/nexus/Enrich/limits", test_limits);
  return g_test_run ();
}
