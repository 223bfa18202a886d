/* test-engine.c — the engine thread, its reader pool and the health endpoint
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "api/nexus-api-server.h"
#include "nexus-engine.h"
#include "store/nexus-store-ops.h"

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("nexus-engine-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "nexus.db", NULL);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  static const char *const suffixes[] = { "", "-wal", "-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (fixture->path, suffixes[i], NULL);
      g_unlink (file);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
}

/* Iterates the default context until *flag is set or 10 s pass. */
static void
wait_for (gboolean *flag)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (!*flag)
    {
      g_main_context_iteration (NULL, FALSE);
      if (g_get_monotonic_time () > deadline)
        g_error ("timed out waiting for the engine");
      g_usleep (1000);
    }
}

static gint64
count_leads_in_file (const char *path)
{
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (GError) error = NULL;
  gint64 count = -1;

  store = nexus_store_open (path, NEXUS_STORE_OPEN_NO_CREATE, &error);
  g_assert_no_error (error);
  nexus_store_count_leads (store, &count, &error);
  g_assert_no_error (error);
  return count;
}

typedef struct
{
  GThread *thread;
  char    *key;
} WriteData;

static void
write_data_free (gpointer data)
{
  WriteData *write = data;

  g_free (write->key);
  g_free (write);
}

static gpointer
write_setting_func (NexusStore *store, gpointer data, GError **error)
{
  WriteData *write = data;

  write->thread = g_thread_self ();
  if (!nexus_store_set_setting (store, write->key, "1", error))
    return NULL;
  /* Hand back which thread ran us. */
  return write->thread;
}

typedef struct
{
  gboolean done;
  gpointer result;
  GError  *error;
  GThread *callback_thread;
  guint    n_done;
} Wait;

static void
run_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  Wait *wait = user_data;

  wait->result = nexus_engine_run_finish (NEXUS_ENGINE (object), result, &wait->error);
  wait->callback_thread = g_thread_self ();
  wait->n_done++;
  wait->done = TRUE;
}

static void
test_engine_run_async (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusEngine) engine = NULL;
  g_autoptr (GError) error = NULL;
  WriteData *write = g_new0 (WriteData, 1);
  Wait       wait = { 0 };

  engine = nexus_engine_new (fixture->path, NEXUS_ENGINE_DEFAULT, &error);
  g_assert_no_error (error);

  write->key = g_strdup ("answer");
  nexus_engine_run_async (engine, write_setting_func, write, write_data_free, NULL, run_done_cb,
                          &wait);
  wait_for (&wait.done);

  g_assert_no_error (wait.error);
  /* The work ran on the engine thread; the answer came back to ours. */
  g_assert_nonnull (wait.result);
  g_assert_true (wait.result != (gpointer)g_thread_self ());
  g_assert_true (wait.callback_thread == g_thread_self ());
}

static gpointer
read_setting_func (NexusStore *store, gpointer data, GError **error)
{
  g_autofree char *value = nexus_store_get_setting (store, data, error);

  g_assert_true (nexus_store_get_read_only (store));
  return value != NULL ? g_steal_pointer (&value) : g_strdup ("(unset)");
}

static void
test_engine_read_sees_writes (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusEngine) engine = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *value = NULL;
  WriteData        write = { NULL, (char *)"seen" };

  engine = nexus_engine_new (fixture->path, NEXUS_ENGINE_DEFAULT, &error);
  g_assert_no_error (error);

  value = nexus_engine_read_sync (engine, read_setting_func, (gpointer) "seen", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (value, ==, "(unset)");
  g_clear_pointer (&value, g_free);

  g_assert_nonnull (nexus_engine_run_sync (engine, write_setting_func, &write, &error));
  g_assert_no_error (error);
  g_assert_true (write.thread != g_thread_self ());

  /* A committed write is visible to a reader connection at once. */
  value = nexus_engine_read_sync (engine, read_setting_func, (gpointer) "seen", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (value, ==, "1");
}

static void
count_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  Wait  *wait = user_data;
  gint64 count = nexus_engine_count_leads_finish (NEXUS_ENGINE (object), result, &wait->error);

  wait->result = GSIZE_TO_POINTER ((gsize)count);
  wait->done = TRUE;
}

static void
test_engine_demo_only_when_asked (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusEngine) engine = NULL;
  g_autoptr (GError) error = NULL;
  Wait   wait = { 0 };
  gint64 seeded;

  /* Asked for demo data on a new file: the vault has leads. */
  engine = nexus_engine_new (fixture->path, NEXUS_ENGINE_SEED_DEMO, &error);
  g_assert_no_error (error);
  g_assert_true (nexus_engine_get_seeded_demo (engine));
  nexus_engine_count_leads_async (engine, NULL, count_done_cb, &wait);
  wait_for (&wait.done);
  g_assert_no_error (wait.error);
  seeded = (gint64)GPOINTER_TO_SIZE (wait.result);
  g_assert_cmpint (seeded, >, 20);
  g_clear_object (&engine);

  /* An existing file never gets demo data again. */
  engine = nexus_engine_new (fixture->path, NEXUS_ENGINE_SEED_DEMO, &error);
  g_assert_no_error (error);
  g_assert_false (nexus_engine_get_seeded_demo (engine));
  g_clear_object (&engine);
  g_assert_cmpint (count_leads_in_file (fixture->path), ==, seeded);
}

static void
test_engine_no_demo_by_default (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusEngine) engine = NULL;
  g_autoptr (GError) error = NULL;

  engine = nexus_engine_new (fixture->path, NEXUS_ENGINE_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_false (nexus_engine_get_seeded_demo (engine));
  g_clear_object (&engine);
  g_assert_cmpint (count_leads_in_file (fixture->path), ==, 0);
}

static void
test_engine_refused_file (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusEngine) engine = NULL;
  g_autoptr (GError) error = NULL;

  g_file_set_contents (fixture->path, "this is not a database, just some text\n", -1, NULL);
  engine = nexus_engine_new (fixture->path, NEXUS_ENGINE_SEED_DEMO, &error);
  g_assert_null (engine);
  g_assert_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_CORRUPT);
}

#define N_WRITES 200

static void
test_engine_shutdown_drains (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusEngine) engine = NULL;
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (GError) error = NULL;
  Wait wait = { 0 };
  Wait late = { 0 };

  engine = nexus_engine_new (fixture->path, NEXUS_ENGINE_DEFAULT, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < N_WRITES; i++)
    {
      WriteData *write = g_new0 (WriteData, 1);
      write->key = g_strdup_printf ("key-%u", i);
      nexus_engine_run_async (engine, write_setting_func, write, write_data_free, NULL, run_done_cb,
                              &wait);
    }

  /* Everything posted before the shutdown is written... */
  nexus_engine_shutdown (engine);
  while (wait.n_done < N_WRITES)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (wait.error);

  /* ...and work posted after it is refused with a clear error. */
  {
    WriteData *write = g_new0 (WriteData, 1);
    write->key = g_strdup ("too-late");
    nexus_engine_run_async (engine, write_setting_func, write, write_data_free, NULL, run_done_cb,
                            &late);
  }
  wait_for (&late.done);
  g_assert_error (late.error, NEXUS_ENGINE_ERROR, NEXUS_ENGINE_ERROR_SHUT_DOWN);
  g_clear_error (&late.error);

  /* Reads too. */
  {
    g_autoptr (GError) read_error = NULL;
    g_assert_null (
        nexus_engine_read_sync (engine, read_setting_func, (gpointer) "key-1", &read_error));
    g_assert_error (read_error, NEXUS_ENGINE_ERROR, NEXUS_ENGINE_ERROR_SHUT_DOWN);
  }

  /* The WAL was checkpointed into the file: it alone holds every write. */
  {
    g_autofree char *wal = g_strconcat (fixture->path, "-wal", NULL);
    GStatBuf         st;
    if (g_stat (wal, &st) == 0)
      g_assert_cmpint (st.st_size, ==, 0);
  }
  store = nexus_store_open (fixture->path, NEXUS_STORE_OPEN_NO_CREATE, &error);
  g_assert_no_error (error);
  {
    gint64 count = 0;
    nexus_store_count_rows (store, "settings", &count, &error);
    g_assert_no_error (error);
    g_assert_cmpint (count, ==, N_WRITES);
  }
}

static gpointer
slow_read_func (NexusStore *store, gpointer data, GError **error)
{
  gint  *active = data;
  gint   now = g_atomic_int_add (active, 1) + 1;
  gint64 count = 0;

  g_usleep (20000);
  nexus_store_count_leads (store, &count, error);
  g_atomic_int_add (active, -1);
  return GINT_TO_POINTER (now);
}

static void
read_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  Wait    *wait = user_data;
  gpointer value = nexus_engine_read_finish (NEXUS_ENGINE (object), result, &wait->error);

  g_assert_no_error (wait->error);
  /* Keep the highest concurrency seen. */
  if (GPOINTER_TO_INT (value) > GPOINTER_TO_INT (wait->result))
    wait->result = value;
  wait->n_done++;
}

static void
test_engine_reader_pool (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusEngine) engine = NULL;
  g_autoptr (GError) error = NULL;
  Wait wait = { 0 };
  gint active = 0;

  engine = nexus_engine_new (fixture->path, NEXUS_ENGINE_SEED_DEMO, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < 16; i++)
    nexus_engine_read_async (engine, slow_read_func, &active, NULL, NULL, read_done_cb, &wait);
  while (wait.n_done < 16)
    g_main_context_iteration (NULL, TRUE);

  /* Readers ran side by side, but never more than the pool holds. */
  g_assert_cmpint (GPOINTER_TO_INT (wait.result), >=, 2);
  g_assert_cmpint (GPOINTER_TO_INT (wait.result), <=, 4);
}

static void
test_engine_healthz (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusEngine) engine = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autoptr (SoupMessage) msg = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autofree char *url = NULL;
  guint16          port;

  engine = nexus_engine_new (fixture->path, NEXUS_ENGINE_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_true (nexus_engine_listen (engine, "127.0.0.1:0", &error));
  g_assert_no_error (error);
  port = nexus_engine_get_port (engine);
  g_assert_cmpint (port, >, 0);

  url = g_strdup_printf ("http://127.0.0.1:%u/healthz", port);
  msg = soup_message_new ("GET", url);
  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (soup_message_get_status (msg), ==, 200);
  g_assert_cmpmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body), "ok", 2);
  g_clear_object (&msg);
  g_clear_pointer (&body, g_bytes_unref);
  g_clear_pointer (&url, g_free);

  /* Unknown paths answer with the protocol's JSON error. */
  url = g_strdup_printf ("http://127.0.0.1:%u/api/v9/nothing", port);
  msg = soup_message_new ("GET", url);
  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (soup_message_get_status (msg), ==, 404);
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                                  "\"error\":\"not_found\""));
  g_clear_object (&msg);
  g_clear_pointer (&body, g_bytes_unref);

  /* A second engine cannot take the same port. */
  {
    g_autofree char *address = g_strdup_printf ("127.0.0.1:%u", port);
    g_autofree char *other_path = g_strconcat (fixture->path, ".other", NULL);
    g_autoptr (NexusEngine) other = nexus_engine_new (other_path, NEXUS_ENGINE_DEFAULT, &error);

    g_assert_no_error (error);
    g_assert_false (nexus_engine_listen (other, address, &error));
    g_assert_error (error, NEXUS_ENGINE_ERROR, NEXUS_ENGINE_ERROR_LISTEN);
    g_clear_error (&error);
    nexus_engine_shutdown (other);
    g_clear_object (&other);
    for (guint i = 0; i < 3; i++)
      {
        static const char *const suffixes[] = { "", "-wal", "-shm" };
        g_autofree char         *file = g_strconcat (other_path, suffixes[i], NULL);
        g_unlink (file);
      }
  }

  /* After shutdown nothing listens any more. */
  nexus_engine_shutdown (engine);
  url = g_strdup_printf ("http://127.0.0.1:%u/healthz", port);
  msg = soup_message_new ("GET", url);
  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_nonnull (error);
}

static void
test_engine_listen_address (void)
{
  static const char *const bad[] = {
    "",
    "8787",
    "localhost:8787",
    "127.0.0.1",
    "127.0.0.1:",
    "127.0.0.1:99999",
    "127.0.0.1:80x",
    "::1:8787",
    "[::1]8787",
    "[nope]:1",
  };
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GSocketAddress) address = nexus_api_parse_address (bad[i], &error);
      g_assert_null (address);
      g_assert_error (error, NEXUS_ENGINE_ERROR, NEXUS_ENGINE_ERROR_BAD_ADDRESS);
      g_clear_error (&error);
    }

  {
    g_autoptr (GSocketAddress) v4 = nexus_api_parse_address ("127.0.0.1:8787", &error);
    g_autoptr (GSocketAddress) v6 = nexus_api_parse_address ("[::1]:9000", &error);
    g_assert_no_error (error);
    g_assert_cmpint (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (v4)), ==, 8787);
    g_assert_cmpint (g_socket_address_get_family (v6), ==, G_SOCKET_FAMILY_IPV6);
    g_assert_cmpint (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (v6)), ==, 9000);
  }
}

static gpointer
slower_read_func (NexusStore *store, gpointer data, GError **error)
{
  gint64 count = 0;

  g_usleep (200000);
  nexus_store_count_leads (store, &count, error);
  return GINT_TO_POINTER (TRUE);
}

static void
slower_read_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  Wait *wait = user_data;

  nexus_engine_read_finish (NEXUS_ENGINE (object), result, NULL);
  wait->n_done++;
}

/* Readers still busy when the engine shuts down close when they finish,
 * so nothing keeps the file open (a restore swaps it then). */
static void
test_engine_shutdown_closes_readers (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusEngine) engine = NULL;
  g_autoptr (NexusStoreLock) lock = NULL;
  g_autoptr (GError) error = NULL;
  Wait wait = { 0 };

  engine = nexus_engine_new (fixture->path, NEXUS_ENGINE_SEED_DEMO, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < 3; i++)
    nexus_engine_read_async (engine, slower_read_func, NULL, NULL, NULL, slower_read_done_cb,
                             &wait);
  g_usleep (50000); /* the reads are under way */
  nexus_engine_shutdown (engine);
  while (wait.n_done < 3)
    g_main_context_iteration (NULL, TRUE);

  /* The engine object lives on; no connection of it holds the file. */
  lock = nexus_store_ops_lock (fixture->path, 0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (lock);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/nexus/Engine/run-async-on-engine-thread", test_engine_run_async);
  ADD ("/nexus/Engine/reader-sees-committed-write", test_engine_read_sees_writes);
  ADD ("/nexus/Engine/demo-only-when-asked", test_engine_demo_only_when_asked);
  ADD ("/nexus/Engine/no-demo-by-default", test_engine_no_demo_by_default);
  ADD ("/nexus/Engine/refused-file", test_engine_refused_file);
  ADD ("/nexus/Engine/shutdown-drains-posted-work", test_engine_shutdown_drains);
  ADD ("/nexus/Engine/reader-pool-bounded", test_engine_reader_pool);
  ADD ("/nexus/Engine/shutdown-closes-busy-readers", test_engine_shutdown_closes_readers);
  ADD ("/nexus/Engine/healthz", test_engine_healthz);
  g_test_add_func ("/nexus/Engine/listen-address", test_engine_listen_address);

#undef ADD

  return g_test_run ();
}
