/* test-nominatim.c — place names resolved once, politely, and cached
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Against a local fake server (fake-nominatim.h): nothing reaches the
 * internet.
 */

#include "config.h"

#include <glib/gstdio.h>

#include "fake-nominatim.h"
#include "providers/nexus-nominatim.h"

typedef struct
{
  char          *dir;
  char          *path;
  NexusStore    *store;
  FakeNominatim *fake;
} Fixture;

/* One server for the whole program: NEXUS_NOMINATIM_URL is set before any
 * thread exists (setenv is not thread-safe). */
static FakeNominatim *fake_server;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("nexus-nominatim-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "nexus.db", NULL);
  fixture->store = nexus_store_open (fixture->path, NEXUS_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  fixture->fake = fake_server;
  fake_nominatim_reset (fixture->fake);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  static const char *const suffixes[] = { "", "-wal", "-shm" };

  g_clear_object (&fixture->store);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (fixture->path, suffixes[i], NULL);
      g_unlink (file);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
}

static void
test_resolve_and_cache (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusPlace) place = NULL;
  g_autoptr (NexusPlace) again = NULL;
  g_autoptr (NexusPlace) arabic = NULL;
  g_autoptr (GError) error = NULL;
  const NexusBBox expected = { 29.9, 31.2, 30.0, 31.3 };

  place = nexus_nominatim_resolve (fixture->store, "Cairo", NULL, &error);
  g_assert_no_error (error);
  g_assert_false (place->from_cache);
  g_assert_cmpstr (place->display_name, ==, "Cairo, Egypt");
  g_assert_nonnull (place->region->polygon);
  g_assert_true (nexus_bbox_equal (&place->region->bbox, &expected));
  g_assert_nonnull (place->fresh);
  g_assert_cmpstr (place->fresh->query_norm, ==, "cairo");
  g_assert_cmpuint (fake_nominatim_count (fixture->fake), ==, 1);

  /* The caller stores the answer (with its search, in one transaction). */
  nexus_store_place_put (fixture->store, place->fresh, &error);
  g_assert_no_error (error);

  /* The same name, spelled differently: no request. */
  again = nexus_nominatim_resolve (fixture->store, "  CAIRO\t", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (again->from_cache);
  g_assert_null (again->fresh);
  g_assert_cmpstr (again->display_name, ==, "Cairo, Egypt");
  g_assert_nonnull (again->region->polygon);
  g_assert_true (nexus_bbox_equal (&again->region->bbox, &expected));
  g_assert_cmpuint (fake_nominatim_count (fixture->fake), ==, 1);

  /* Another script is another name; it reaches the server intact. */
  arabic = nexus_nominatim_resolve (fixture->store, "القاهرة", NULL, &error);
  g_assert_no_error (error);
  g_assert_false (arabic->from_cache);
  g_assert_cmpuint (fake_nominatim_count (fixture->fake), ==, 2);
  g_mutex_lock (&fixture->fake->lock);
  g_assert_cmpstr (g_ptr_array_index (fixture->fake->queries, 1), ==, "القاهرة");
  g_mutex_unlock (&fixture->fake->lock);
}

static void
test_request_format (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusPlace) place = NULL;
  g_autoptr (GError) error = NULL;
  const char *agent;

  place = nexus_nominatim_resolve (fixture->store, "Alexandria & Giza?", NULL, &error);
  g_assert_no_error (error);

  g_mutex_lock (&fixture->fake->lock);
  g_assert_cmpuint (fixture->fake->queries->len, ==, 1);
  /* Reserved characters survive the trip. */
  g_assert_cmpstr (g_ptr_array_index (fixture->fake->queries, 0), ==, "Alexandria & Giza?");
  g_assert_cmpstr (g_ptr_array_index (fixture->fake->params, 0), ==,
                   "format=jsonv2&polygon_geojson=1&limit=1");
  agent = g_ptr_array_index (fixture->fake->agents, 0);
  g_assert_true (g_str_has_prefix (agent, "Nexus/" PACKAGE_VERSION " "));
  g_assert_nonnull (strstr (agent, "(+https://"));
  g_mutex_unlock (&fixture->fake->lock);
}

static void
test_one_request_per_second (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  static const char *const names[] = { "first place", "second place", "third place" };
  gint64                   start = g_get_monotonic_time ();

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr (NexusPlace) place =
          nexus_nominatim_resolve (fixture->store, names[i], NULL, &error);
      g_assert_no_error (error);
    }

  g_mutex_lock (&fixture->fake->lock);
  g_assert_cmpuint (fixture->fake->times->len, ==, 3);
  /* Request i is sent at least i seconds after the first, which is sent
   * after @start, and arrives after it is sent: request i arrives at least
   * i seconds after @start.  (Gaps between arrivals are not compared: a
   * busy machine can delay one arrival and shorten the next gap.) */
  for (guint i = 1; i < 3; i++)
    {
      gint64 since_start = g_array_index (fixture->fake->times, gint64, i) - start;

      g_test_message ("request %u arrived %" G_GINT64_FORMAT " µs after the start", i, since_start);
      g_assert_cmpint (since_start, >=, i * G_USEC_PER_SEC);
    }
  g_mutex_unlock (&fixture->fake->lock);
}

static void
test_answers (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusPlace) village = NULL;
  g_autoptr (GError) error = NULL;
  const NexusBBox village_box = { 30.1, 31.1, 30.12, 31.13 };

  g_assert_null (nexus_nominatim_resolve (fixture->store, "nowhere", NULL, &error));
  g_assert_error (error, NEXUS_NOMINATIM_ERROR, NEXUS_NOMINATIM_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "nowhere"));
  g_clear_error (&error);

  g_assert_null (nexus_nominatim_resolve (fixture->store, "broken", NULL, &error));
  g_assert_error (error, NEXUS_NOMINATIM_ERROR, NEXUS_NOMINATIM_ERROR_NETWORK);
  g_assert_nonnull (strstr (error->message, "500"));
  g_clear_error (&error);

  g_assert_null (nexus_nominatim_resolve (fixture->store, "   ", NULL, &error));
  g_assert_error (error, NEXUS_NOMINATIM_ERROR, NEXUS_NOMINATIM_ERROR_INVALID);
  g_clear_error (&error);

  /* A point: its bounding box is the region. */
  village = nexus_nominatim_resolve (fixture->store, "village", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (village->region->polygon);
  g_assert_true (nexus_bbox_equal (&village->region->bbox, &village_box));
  g_assert_null (village->fresh->geometry);
}

/* Runs in a subprocess of its own, where no thread exists yet and the
 * environment may still be changed. */
static void
test_unreachable (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GSocket) socket = NULL;
      g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
      g_autoptr (GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
      g_autoptr (GSocketAddress) bound = NULL;
      g_autoptr (NexusStore) store = NULL;
      g_autofree char *dir = g_dir_make_tmp ("nexus-nominatim-XXXXXX", &error);
      g_autofree char *path = g_build_filename (dir, "nexus.db", NULL);
      g_autofree char *url = NULL;

      /* Bound but not listening: the connection is refused. */
      socket =
          g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
      g_assert_no_error (error);
      g_socket_bind (socket, any, TRUE, &error);
      g_assert_no_error (error);
      bound = g_socket_get_local_address (socket, &error);
      url = g_strdup_printf ("http://127.0.0.1:%u",
                             g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
      g_setenv ("NEXUS_NOMINATIM_URL", url, TRUE);

      store = nexus_store_open (path, NEXUS_STORE_OPEN_DEFAULT, &error);
      g_assert_no_error (error);
      g_assert_null (nexus_nominatim_resolve (store, "elsewhere", NULL, &error));
      g_assert_error (error, NEXUS_NOMINATIM_ERROR, NEXUS_NOMINATIM_ERROR_NETWORK);
      g_assert_nonnull (strstr (error->message, url));
      g_clear_object (&store);
      for (guint i = 0; i < 3; i++)
        {
          static const char *const suffixes[] = { "", "-wal", "-shm" };
          g_autofree char         *file = g_strconcat (path, suffixes[i], NULL);
          g_unlink (file);
        }
      g_rmdir (dir);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

int
main (int argc, char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  if (!g_test_subprocess ())
    {
      g_autofree char *url = NULL;

      fake_server = fake_nominatim_new ();
      url = fake_nominatim_get_url (fake_server);
      g_setenv ("NEXUS_NOMINATIM_URL", url, TRUE);
      fake_nominatim_run (fake_server);
    }

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/nexus/Nominatim/resolve-and-cache", test_resolve_and_cache);
  ADD ("/nexus/Nominatim/request-format", test_request_format);
  ADD ("/nexus/Nominatim/one-request-per-second", test_one_request_per_second);
  ADD ("/nexus/Nominatim/answers", test_answers);

  g_test_add_func ("/nexus/Nominatim/unreachable", test_unreachable);

#undef ADD

  status = g_test_run ();
  if (fake_server != NULL)
    fake_nominatim_stop (fake_server);
  return status;
}
