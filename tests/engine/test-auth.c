/* test-auth.c — request signing, worker secrets and the server's auth rules
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define _GNU_SOURCE

#include <glib/gstdio.h>
#include <string.h>

#include <sqlite3.h>

#include "api/nexus-connection.h"
#include "api/nexus-replay-guard.h"
#include "api/nexus-secret-box.h"
#include "api/nexus-signature.h"
#include "api/nexus-workers.h"
#include "nexus-engine.h"
#include "store/nexus-store-leads.h"
#include "store/nexus-store-private.h"
#include "../nexus-test-sql.h"

#define VECTOR_SECRET "whs-test-secret-0123456789abcdef"

static void
test_signature_vectors (void)
{
  const char      *body = "{\"max\":1,\"wait_s\":0}";
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;

  first = nexus_signature_compute (VECTOR_SECRET, "POST", "/api/v1/jobs/lease", "1700000000",
                                   "3q2n9f0c7a1b4e6d", (const guint8 *)body, strlen (body));
  g_assert_cmpstr (first, ==,
                   "v1=f4bc4ad20a972ba440b12aabb386a639f61066b4cba2b474a97f8cdd61394b63");

  second = nexus_signature_compute (VECTOR_SECRET, "GET", "/api/v1/events?since=42", "1700000123",
                                    "abcdefghijklmnop", NULL, 0);
  g_assert_cmpstr (second, ==,
                   "v1=fe892f1d6a00711ac6c12a5b3453a66c3f5e7a8076a424297638cfb5296176b7");
}

static void
test_signature_header (void)
{
  const char      *good = "v1=f4bc4ad20a972ba440b12aabb386a639f61066b4cba2b474a97f8cdd61394b63";
  const char      *bad = "v1=04bc4ad20a972ba440b12aabb386a639f61066b4cba2b474a97f8cdd61394b63";
  g_autofree char *several = g_strdup_printf ("v2=zzz, %s ,%s", bad, good);
  g_autofree char *other_scheme = g_strdup_printf ("v2=%s", good + 3);

  g_assert_true (nexus_signature_header_valid (good, good));
  g_assert_false (nexus_signature_header_valid (bad, good));
  /* One valid v1 value among several suffices; other schemes are ignored. */
  g_assert_true (nexus_signature_header_valid (several, good));
  g_assert_false (nexus_signature_header_valid (other_scheme, good));
  g_assert_false (nexus_signature_header_valid ("", good));
  g_assert_false (nexus_signature_header_valid (NULL, good));
  /* Upper-case hex is not the protocol's form. */
  {
    g_autofree char *upper = g_ascii_strup (good + 3, -1);
    g_autofree char *header = g_strconcat ("v1=", upper, NULL);
    g_assert_false (nexus_signature_header_valid (header, good));
  }
}

static void
test_signature_nonce_and_time (void)
{
  gint64           seconds = 0;
  g_autofree char *fresh = nexus_signature_new_nonce ();
  g_autofree char *other = nexus_signature_new_nonce ();

  g_assert_true (nexus_signature_nonce_valid ("abcdefghijklmnop"));
  g_assert_true (nexus_signature_nonce_valid ("A-Z_a-z_0-9-----"));
  g_assert_false (nexus_signature_nonce_valid ("short"));
  g_assert_false (nexus_signature_nonce_valid ("abcdefghijklmno!"));
  g_assert_false (nexus_signature_nonce_valid ("abcdefghijklmnop abc"));
  {
    g_autofree char *long_nonce = g_strnfill (65, 'a');
    g_assert_false (nexus_signature_nonce_valid (long_nonce));
  }
  g_assert_true (nexus_signature_nonce_valid (fresh));
  g_assert_cmpstr (fresh, !=, other);

  g_assert_true (nexus_signature_parse_timestamp ("1700000000", &seconds));
  g_assert_cmpint (seconds, ==, 1700000000);
  g_assert_false (nexus_signature_parse_timestamp ("-5", &seconds));
  g_assert_false (nexus_signature_parse_timestamp ("17e8", &seconds));
  g_assert_false (nexus_signature_parse_timestamp (" 1700000000", &seconds));
  g_assert_false (nexus_signature_parse_timestamp ("", &seconds));
}

typedef struct
{
  char       *dir;
  char       *path;
  NexusStore *store;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  g_unsetenv ("NEXUS_INTERNAL_SECRET");
  fixture->dir = g_dir_make_tmp ("nexus-auth-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "nexus.db", NULL);
  fixture->store = nexus_store_open (fixture->path, NEXUS_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
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
  g_unsetenv ("NEXUS_INTERNAL_SECRET");
}

/* A signed request as a worker would send it. */
typedef struct
{
  char            *timestamp;
  char            *nonce;
  char            *signature;
  NexusAuthRequest request;
} Signed;

static void
signed_clear (Signed *signed_request)
{
  g_free (signed_request->timestamp);
  g_free (signed_request->nonce);
  g_free (signed_request->signature);
}

static void
sign (Signed *out, const NexusConnection *connection, gint64 timestamp, const char *nonce)
{
  static const char body[] = "{\"max\":1,\"wait_s\":0}";

  out->timestamp = g_strdup_printf ("%" G_GINT64_FORMAT, timestamp);
  out->nonce = nonce != NULL ? g_strdup (nonce) : nexus_signature_new_nonce ();
  out->signature =
      nexus_signature_compute (connection->secret, "POST", "/api/v1/jobs/lease", out->timestamp,
                               out->nonce, (const guint8 *)body, strlen (body));
  out->request = (NexusAuthRequest){
    .method = "POST",
    .path_and_query = "/api/v1/jobs/lease",
    .worker_id = connection->worker_id,
    .timestamp = out->timestamp,
    .nonce = out->nonce,
    .signature = out->signature,
    .body = (const guint8 *)body,
    .body_length = strlen (body),
  };
}

static NexusConnection *
add_worker (Fixture *fixture, const char *name)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  NexusConnection *connection;

  text = nexus_workers_add (fixture->store, name, NEXUS_ROLE_WORKER, "127.0.0.1:8787", NULL, NULL,
                            &error);
  g_assert_no_error (error);
  connection = nexus_connection_parse (text, &error);
  g_assert_no_error (error);
  return connection;
}

/* Signs with @connection at @timestamp and checks at @now. */
static NexusWorkerRecord *
check (Fixture               *fixture,
       const NexusConnection *connection,
       gint64                 timestamp,
       gint64                 now,
       GError               **error)
{
  Signed             signed_request = { 0 };
  NexusWorkerRecord *worker;

  sign (&signed_request, connection, timestamp, NULL);
  worker = nexus_workers_authenticate (fixture->store, &signed_request.request, now, error);
  signed_clear (&signed_request);
  return worker;
}

static void
test_auth_accepts_and_window (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusConnection) connection = add_worker (fixture, "Cairo box");
  g_autoptr (GError) error = NULL;
  gint64       now = g_get_real_time () / G_USEC_PER_SEC;
  const gint64 accepted[] = { 0, 299, -299, 300, -300 };
  const gint64 refused[] = { 301, -301, 3600, -86400 };

  for (guint i = 0; i < G_N_ELEMENTS (accepted); i++)
    {
      g_autoptr (NexusWorkerRecord) worker =
          check (fixture, connection, now + accepted[i], now, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (worker->public_id, ==, connection->worker_id);
      g_assert_cmpstr (worker->name, ==, "Cairo box");
    }
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr (NexusWorkerRecord) worker =
          check (fixture, connection, now + refused[i], now, &error);
      g_assert_null (worker);
      g_assert_error (error, NEXUS_AUTH_ERROR, NEXUS_AUTH_ERROR_STALE_TIMESTAMP);
      g_clear_error (&error);
    }
}

static void
test_auth_replay (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusConnection) connection = add_worker (fixture, "replay");
  g_autoptr (GError) error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  Signed first = { 0 };
  gint64 removed = 0;

  sign (&first, connection, now, "nonce-used-once-0001");
  {
    g_autoptr (NexusWorkerRecord) worker =
        nexus_workers_authenticate (fixture->store, &first.request, now, &error);
    g_assert_no_error (error);
    g_assert_nonnull (worker);
  }
  /* The same request again, even seconds later, is a replay. */
  {
    g_autoptr (NexusWorkerRecord) worker =
        nexus_workers_authenticate (fixture->store, &first.request, now + 5, &error);
    g_assert_null (worker);
    g_assert_error (error, NEXUS_AUTH_ERROR, NEXUS_AUTH_ERROR_REPLAYED);
    g_clear_error (&error);
  }

  /* Purging keeps nonces younger than the window. */
  nexus_store_replay_purge (fixture->store, now - NEXUS_SIGNATURE_NONCE_TTL_S, &removed, &error);
  g_assert_no_error (error);
  g_assert_cmpint (removed, ==, 0);
  nexus_store_replay_purge (fixture->store, now + 1, &removed, &error);
  g_assert_no_error (error);
  g_assert_cmpint (removed, ==, 1);
  signed_clear (&first);
}

/* Remembers (@worker, @nonce) at @now in a transaction of its own on
 * @store; returns whether it was fresh. */
static gboolean
guard_check (NexusReplayGuard *guard,
             NexusStore       *store,
             gint64            worker,
             const char       *nonce,
             gint64            now)
{
  g_autoptr (GError) error = NULL;
  gboolean fresh = FALSE;

  g_assert_true (nexus_store_begin (store, &error));
  g_assert_true (nexus_replay_guard_sync (guard, store, now, &error));
  g_assert_true (nexus_replay_guard_remember (guard, store, worker, nonce, now, &fresh, &error));
  g_assert_true (nexus_store_commit (store, &error));
  g_assert_no_error (error);
  return fresh;
}

static gint64
count_nonce_rows (Fixture *fixture, const char *nonce)
{
  g_autofree char *sql =
      g_strdup_printf ("SELECT count(*) FROM hmac_replay WHERE nonce = '%s'", nonce);
  g_autoptr (GArray) counts = nexus_test_sql_ids (fixture->path, sql);

  return g_array_index (counts, gint64, 0);
}

/* The API's replay guard: nonces checked in memory, appended to the log;
 * two engines on one file see each other's; a rolled-back transaction
 * forgets its nonces; a restart loads the window and nothing older. */
static void
test_auth_replay_guard (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusStore) second_store = nexus_store_open (fixture->path, 0, &error);
  g_autoptr (NexusReplayGuard) first = nexus_replay_guard_new (NEXUS_SIGNATURE_NONCE_TTL_S);
  g_autoptr (NexusReplayGuard) second = nexus_replay_guard_new (NEXUS_SIGNATURE_NONCE_TTL_S);
  gint64          t0 = g_get_real_time () / G_USEC_PER_SEC;
  gboolean        fresh = TRUE;
  NexusReplayMark mark;

  g_assert_no_error (error);

  g_assert_true (guard_check (first, fixture->store, 1, "nonce-aaaaaaaaaaaa", t0));
  g_assert_false (guard_check (first, fixture->store, 1, "nonce-aaaaaaaaaaaa", t0 + 1));
  g_assert_cmpint (count_nonce_rows (fixture, "nonce-aaaaaaaaaaaa"), ==, 1);
  /* Another engine on the same file takes it in before it checks. */
  g_assert_false (guard_check (second, second_store, 1, "nonce-aaaaaaaaaaaa", t0 + 2));
  /* The same nonce from another worker is another nonce. */
  g_assert_true (guard_check (second, second_store, 2, "nonce-aaaaaaaaaaaa", t0 + 2));
  g_assert_false (guard_check (first, fixture->store, 2, "nonce-aaaaaaaaaaaa", t0 + 3));

  /* A rolled-back transaction forgets its nonce, in memory and on disk. */
  g_assert_true (nexus_store_begin (fixture->store, &error));
  g_assert_true (nexus_replay_guard_sync (first, fixture->store, t0 + 4, &error));
  mark = nexus_replay_guard_mark (first);
  g_assert_true (nexus_replay_guard_remember (first, fixture->store, 1, "nonce-bbbbbbbbbbbb",
                                              t0 + 4, &fresh, &error));
  g_assert_true (fresh);
  nexus_store_rollback (fixture->store);
  nexus_replay_guard_undo (first, mark);
  g_assert_no_error (error);
  g_assert_cmpint (count_nonce_rows (fixture, "nonce-bbbbbbbbbbbb"), ==, 0);
  g_assert_true (guard_check (first, fixture->store, 1, "nonce-bbbbbbbbbbbb", t0 + 5));
  g_assert_false (guard_check (second, second_store, 1, "nonce-bbbbbbbbbbbb", t0 + 5));

  /* So does a savepoint rolled back inside a transaction that commits. */
  g_assert_true (nexus_store_begin (fixture->store, &error));
  g_assert_true (nexus_replay_guard_sync (first, fixture->store, t0 + 6, &error));
  g_assert_true (nexus_store_savepoint (fixture->store, "call", &error));
  mark = nexus_replay_guard_mark (first);
  g_assert_true (nexus_replay_guard_remember (first, fixture->store, 1, "nonce-cccccccccccc",
                                              t0 + 6, &fresh, &error));
  nexus_store_rollback_to (fixture->store, "call");
  nexus_replay_guard_undo (first, mark);
  nexus_store_release (fixture->store, "call", NULL);
  g_assert_true (nexus_replay_guard_remember (first, fixture->store, 1, "nonce-dddddddddddd",
                                              t0 + 6, &fresh, &error));
  g_assert_true (nexus_store_commit (fixture->store, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_nonce_rows (fixture, "nonce-cccccccccccc"), ==, 0);
  g_assert_cmpint (count_nonce_rows (fixture, "nonce-dddddddddddd"), ==, 1);
  g_assert_true (guard_check (second, second_store, 1, "nonce-cccccccccccc", t0 + 7));
  g_assert_false (guard_check (second, second_store, 1, "nonce-dddddddddddd", t0 + 7));

  /* A restart within the window: the log is loaded. */
  {
    g_autoptr (NexusReplayGuard) restarted = nexus_replay_guard_new (NEXUS_SIGNATURE_NONCE_TTL_S);

    g_assert_false (guard_check (restarted, fixture->store, 1, "nonce-aaaaaaaaaaaa", t0 + 100));
    g_assert_false (guard_check (restarted, fixture->store, 2, "nonce-aaaaaaaaaaaa", t0 + 100));
    g_assert_false (guard_check (restarted, fixture->store, 1, "nonce-dddddddddddd", t0 + 100));
  }
  /* Past the window a nonce may come again (PROTOCOL.md: "not seen in the
   * last 600 s"), after a restart or not, and memory lets go of it. */
  {
    g_autoptr (NexusReplayGuard) restarted = nexus_replay_guard_new (NEXUS_SIGNATURE_NONCE_TTL_S);
    guint held = nexus_replay_guard_get_size (first);

    g_assert_true (guard_check (restarted, fixture->store, 1, "nonce-aaaaaaaaaaaa",
                                t0 + NEXUS_SIGNATURE_NONCE_TTL_S + 1));
    g_assert_cmpuint (held, ==, 4);
    g_assert_false (guard_check (first, fixture->store, 1, "nonce-aaaaaaaaaaaa",
                                 t0 + NEXUS_SIGNATURE_NONCE_TTL_S + 2));
    g_assert_true (guard_check (first, fixture->store, 1, "nonce-dddddddddddd",
                                t0 + 2 * NEXUS_SIGNATURE_NONCE_TTL_S + 10));
    g_assert_cmpuint (nexus_replay_guard_get_size (first), ==, 1);
  }
}

/* Writes a version 1 file at @path, as the first release made it: the
 * version 1 scripts of the migrations, then @sql. */
static void
write_version_1 (const char *path, const char *sql)
{
  const NexusMigration *migrations;
  guint                 n_migrations;
  sqlite3              *db = NULL;

  g_unlink (path);
  migrations = _nexus_schema_get_migrations (&n_migrations);
  g_assert_cmpint (migrations[0].version, ==, 1);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA journal_mode = WAL; BEGIN", NULL, NULL, NULL), ==,
                   SQLITE_OK);
  for (guint j = 0; migrations[0].scripts[j] != NULL; j++)
    g_assert_cmpint (sqlite3_exec (db, migrations[0].scripts[j], NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "PRAGMA application_id = 1314411859; PRAGMA user_version = 1;"
                                 "COMMIT",
                                 NULL, NULL, NULL),
                   ==, SQLITE_OK);
  sqlite3_close (db);
}

/* Opening a version 1 file: its nonces (a B-tree keyed by worker and
 * nonce there) move into the log, where the guard finds them; its leads
 * stay searchable and new ones become searchable at their commit. */
static void
test_auth_replay_upgrade (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusReplayGuard) guard = nexus_replay_guard_new (NEXUS_SIGNATURE_NONCE_TTL_S);
  g_autoptr (GArray) found = NULL;
  gint64           now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *sql = g_strdup_printf (
      "INSERT INTO hmac_replay VALUES (1, 'nonce-old-version-1', %" G_GINT64_FORMAT "),"
      " (1, 'nonce-old-version-2', %" G_GINT64_FORMAT ");"
      "INSERT INTO leads (name, name_norm, first_seen_at, last_seen_at, updated_at)"
      " VALUES ('Old Bakery', 'old bakery', 1, 1, 1);",
      now - 10, now - 5);

  g_clear_object (&fixture->store);
  write_version_1 (fixture->path, sql);

  fixture->store = nexus_store_open (fixture->path, NEXUS_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_cmpint (nexus_store_get_schema_version (fixture->store), ==, NEXUS_SCHEMA_VERSION);
  g_assert_cmpint (count_nonce_rows (fixture, "nonce-old-version-1"), ==, 1);
  g_assert_false (guard_check (guard, fixture->store, 1, "nonce-old-version-2", now));
  g_assert_true (guard_check (guard, fixture->store, 1, "nonce-new-version-1", now));

  found = nexus_test_sql_ids (fixture->path,
                              "SELECT rowid FROM leads_fts WHERE leads_fts MATCH 'bakery'");
  g_assert_cmpuint (found->len, ==, 1);
  g_clear_pointer (&found, g_array_unref);
  {
    NexusLeadRow row = { 0 };

    row.name = (char *)"New Bakery";
    row.name_norm = (char *)"new bakery";
    g_assert_true (nexus_store_begin (fixture->store, &error));
    g_assert_true (nexus_store_leads_insert (fixture->store, &row, now, &error));
    g_assert_true (nexus_store_commit (fixture->store, &error));
    g_assert_no_error (error);
  }
  found = nexus_test_sql_ids (fixture->path,
                              "SELECT rowid FROM leads_fts WHERE leads_fts MATCH 'bakery'");
  g_assert_cmpuint (found->len, ==, 2);
}

static void
test_auth_refusals (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusConnection) connection = add_worker (fixture, "refusals");
  g_autoptr (GError) error = NULL;
  gint64           now = g_get_real_time () / G_USEC_PER_SEC;
  Signed           signed_request = { 0 };
  NexusAuthRequest request;

  sign (&signed_request, connection, now, NULL);

  /* Unknown worker. */
  request = signed_request.request;
  request.worker_id = "wNOBODY";
  g_assert_null (nexus_workers_authenticate (fixture->store, &request, now, &error));
  g_assert_error (error, NEXUS_AUTH_ERROR, NEXUS_AUTH_ERROR_UNAUTHORIZED);
  g_clear_error (&error);

  /* A numeric row id is not a protocol worker id. */
  request.worker_id = "1";
  g_assert_null (nexus_workers_authenticate (fixture->store, &request, now, &error));
  g_assert_error (error, NEXUS_AUTH_ERROR, NEXUS_AUTH_ERROR_UNAUTHORIZED);
  g_clear_error (&error);

  /* A body changed after signing. */
  request = signed_request.request;
  request.body = (const guint8 *)"{\"max\":50,\"wait_s\":0}";
  request.body_length = strlen ((const char *)request.body);
  g_assert_null (nexus_workers_authenticate (fixture->store, &request, now, &error));
  g_assert_error (error, NEXUS_AUTH_ERROR, NEXUS_AUTH_ERROR_UNAUTHORIZED);
  g_clear_error (&error);

  /* Another path than the one signed. */
  request = signed_request.request;
  request.path_and_query = "/api/v1/jobs/lease?x=1";
  g_assert_null (nexus_workers_authenticate (fixture->store, &request, now, &error));
  g_assert_error (error, NEXUS_AUTH_ERROR, NEXUS_AUTH_ERROR_UNAUTHORIZED);
  g_clear_error (&error);

  /* Missing or malformed headers. */
  request = signed_request.request;
  request.signature = NULL;
  g_assert_null (nexus_workers_authenticate (fixture->store, &request, now, &error));
  g_assert_error (error, NEXUS_AUTH_ERROR, NEXUS_AUTH_ERROR_BAD_REQUEST);
  g_clear_error (&error);
  request = signed_request.request;
  request.nonce = "bad nonce!";
  g_assert_null (nexus_workers_authenticate (fixture->store, &request, now, &error));
  g_assert_error (error, NEXUS_AUTH_ERROR, NEXUS_AUTH_ERROR_BAD_REQUEST);
  g_clear_error (&error);
  request = signed_request.request;
  request.timestamp = "yesterday";
  g_assert_null (nexus_workers_authenticate (fixture->store, &request, now, &error));
  g_assert_error (error, NEXUS_AUTH_ERROR, NEXUS_AUTH_ERROR_BAD_REQUEST);
  g_clear_error (&error);

  /* None of the refusals above used up the nonce: the genuine request passes. */
  {
    g_autoptr (NexusWorkerRecord) worker =
        nexus_workers_authenticate (fixture->store, &signed_request.request, now, &error);
    g_assert_no_error (error);
    g_assert_nonnull (worker);
  }

  /* Revoked. */
  g_assert_true (nexus_workers_revoke (fixture->store, connection->worker_id, &error));
  g_assert_no_error (error);
  {
    g_autoptr (NexusWorkerRecord) worker = check (fixture, connection, now, now, &error);
    g_assert_null (worker);
    g_assert_error (error, NEXUS_AUTH_ERROR, NEXUS_AUTH_ERROR_REVOKED);
    g_clear_error (&error);
  }
  signed_clear (&signed_request);
}

static void
test_auth_rotation (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusConnection) old = add_worker (fixture, "rotating");
  g_autoptr (NexusConnection) fresh = NULL;
  g_autoptr (NexusConnection) immediate = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  gint64           now = g_get_real_time () / G_USEC_PER_SEC;
  gint64           grace = 3600;

  text =
      nexus_workers_rotate (fixture->store, old->worker_id, grace, "127.0.0.1:8787", NULL, &error);
  g_assert_no_error (error);
  fresh = nexus_connection_parse (text, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (fresh->worker_id, ==, old->worker_id);
  g_assert_cmpstr (fresh->secret, !=, old->secret);

  /* During the grace both secrets work... */
  {
    g_autoptr (NexusWorkerRecord) a = check (fixture, old, now + 10, now + 10, &error);
    g_assert_no_error (error);
    g_autoptr (NexusWorkerRecord) b = check (fixture, fresh, now + 10, now + 10, &error);
    g_assert_no_error (error);
    g_assert_nonnull (a);
    g_assert_nonnull (b);
  }
  /* ...after it only the new one. */
  {
    g_autoptr (NexusWorkerRecord) a =
        check (fixture, old, now + grace + 1, now + grace + 1, &error);
    g_assert_null (a);
    g_assert_error (error, NEXUS_AUTH_ERROR, NEXUS_AUTH_ERROR_UNAUTHORIZED);
    g_clear_error (&error);
    g_autoptr (NexusWorkerRecord) b =
        check (fixture, fresh, now + grace + 1, now + grace + 1, &error);
    g_assert_no_error (error);
    g_assert_nonnull (b);
  }

  /* Rotating with no grace ends the previous secret at once. */
  g_clear_pointer (&text, g_free);
  text = nexus_workers_rotate (fixture->store, old->worker_id, 0, "127.0.0.1:8787", NULL, &error);
  g_assert_no_error (error);
  immediate = nexus_connection_parse (text, &error);
  g_assert_no_error (error);
  {
    g_autoptr (NexusWorkerRecord) a = check (fixture, fresh, now, now, &error);
    g_assert_null (a);
    g_assert_error (error, NEXUS_AUTH_ERROR, NEXUS_AUTH_ERROR_UNAUTHORIZED);
    g_clear_error (&error);
    g_autoptr (NexusWorkerRecord) b = check (fixture, immediate, now, now, &error);
    g_assert_no_error (error);
    g_assert_nonnull (b);
  }

  /* Each change is in the audit log, without the secret. */
  {
    gint64 count = 0;
    nexus_store_count_rows (fixture->store, "audit_log", &count, &error);
    g_assert_no_error (error);
    g_assert_cmpint (count, ==, 3);
  }
}

/* Checks a fresh request of @connection through @cache. */
static NexusWorkerRecord *
check_cached (NexusAuthCache        *cache,
              const NexusConnection *connection,
              gint64                 now,
              gint64                *out_generation,
              GError               **error)
{
  Signed             signed_request = { 0 };
  NexusWorkerRecord *worker;

  sign (&signed_request, connection, now, NULL);
  worker = nexus_auth_cache_verify (cache, &signed_request.request, now, out_generation, error);
  signed_clear (&signed_request);
  return worker;
}

static void
test_auth_cache (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusConnection) worker = add_worker (fixture, "cached");
  g_autoptr (NexusConnection) fresh = NULL;
  g_autoptr (NexusStore) reader = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  NexusAuthCache  *cache;
  gint64           now = g_get_real_time () / G_USEC_PER_SEC;
  gint64           first = -1;
  gint64           generation = -1;
  gint64           visits_before;

  reader = nexus_store_open (fixture->path, NEXUS_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  cache = nexus_auth_cache_new (reader);

  /* Loaded once, then answered from memory at the same generation. */
  {
    g_autoptr (NexusWorkerRecord) a = check_cached (cache, worker, now, &first, &error);
    g_assert_no_error (error);
    g_autoptr (NexusWorkerRecord) b = check_cached (cache, worker, now, &generation, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (b->public_id, ==, worker->worker_id);
    g_assert_cmpint (generation, ==, first);
    g_assert_cmpint (nexus_store_auth_generation (fixture->store, NULL), ==, first);
  }

  /* A visit or a count of work does not move the generation; a rotation
   * does, and a request signed with the new secret is accepted from a
   * fresh read although the cache still held the old one. */
  visits_before = nexus_store_auth_generation (fixture->store, NULL);
  g_assert_true (
      nexus_store_worker_seen (fixture->store, 1, "127.0.0.1", "box", "0.1.0", now, &error));
  g_assert_no_error (error);
  g_assert_cmpint (nexus_store_auth_generation (fixture->store, NULL), ==, visits_before);
  text =
      nexus_workers_rotate (fixture->store, worker->worker_id, 0, "127.0.0.1:8787", NULL, &error);
  g_assert_no_error (error);
  fresh = nexus_connection_parse (text, &error);
  g_assert_no_error (error);
  {
    g_autoptr (NexusWorkerRecord) b = check_cached (cache, fresh, now, &generation, &error);
    g_assert_no_error (error);
    g_assert_nonnull (b);
    g_assert_cmpint (generation, >, first);
  }

  /* The cache still answers for an entry the writer has seen change: what
   * it returns carries the old generation, and the writer, which checks
   * the generation, verifies again and refuses. */
  g_assert_true (nexus_workers_revoke (fixture->store, worker->worker_id, &error));
  g_assert_no_error (error);
  g_assert_cmpint (nexus_store_auth_generation (fixture->store, NULL), >, generation);
  {
    Signed signed_request = { 0 };
    g_autoptr (NexusWorkerRecord) cached = NULL;
    g_autoptr (NexusWorkerRecord) verified = NULL;

    sign (&signed_request, fresh, now, NULL);
    cached = nexus_auth_cache_verify (cache, &signed_request.request, now, &first, &error);
    g_assert_no_error (error);
    g_assert_cmpint (first, <, nexus_store_auth_generation (fixture->store, NULL));
    verified = nexus_workers_verify (fixture->store, &signed_request.request, now, &error);
    g_assert_null (verified);
    g_assert_error (error, NEXUS_AUTH_ERROR, NEXUS_AUTH_ERROR_REVOKED);
    g_clear_error (&error);
    signed_clear (&signed_request);
  }

  /* Told the new generation, the cache reads again and refuses too. */
  nexus_auth_cache_set_generation (cache, nexus_store_auth_generation (fixture->store, NULL));
  {
    g_autoptr (NexusWorkerRecord) c = check_cached (cache, fresh, now, &generation, &error);
    g_assert_null (c);
    g_assert_error (error, NEXUS_AUTH_ERROR, NEXUS_AUTH_ERROR_REVOKED);
    g_clear_error (&error);
  }

  /* Unknown workers are refused as such. */
  {
    g_autoptr (NexusConnection) stranger = add_worker (fixture, "stranger");
    g_autoptr (NexusWorkerRecord) d = NULL;

    g_free (stranger->worker_id);
    stranger->worker_id = g_strdup ("wnobodyatall");
    d = check_cached (cache, stranger, now, &generation, &error);
    g_assert_null (d);
    g_assert_error (error, NEXUS_AUTH_ERROR, NEXUS_AUTH_ERROR_UNAUTHORIZED);
  }
  nexus_auth_cache_free (cache);
}

static gboolean
file_contains (const char *path, const char *needle)
{
  g_autofree char *contents = NULL;
  gsize            length = 0;

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return FALSE;
  return memmem (contents, length, needle, strlen (needle)) != NULL;
}

static void
test_auth_sealed_secrets (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusConnection) plain = NULL;
  g_autoptr (NexusConnection) sealed = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *wal = g_strconcat (fixture->path, "-wal", NULL);
  gint64           now = g_get_real_time () / G_USEC_PER_SEC;

  plain = add_worker (fixture, "plain");
  g_setenv ("NEXUS_INTERNAL_SECRET", "operator passphrase one", TRUE);
  sealed = add_worker (fixture, "sealed");
  nexus_store_checkpoint (fixture->store, &error);
  g_assert_no_error (error);

  /* The sealed secret is nowhere in the files; the plain one is (by design,
   * protected by the file mode). */
  g_assert_false (file_contains (fixture->path, sealed->secret));
  g_assert_false (file_contains (wal, sealed->secret));
  g_assert_true (file_contains (fixture->path, plain->secret) ||
                 file_contains (wal, plain->secret));

  /* Both authenticate with the key present. */
  {
    g_autoptr (NexusWorkerRecord) a = check (fixture, plain, now, now, &error);
    g_assert_no_error (error);
    g_autoptr (NexusWorkerRecord) b = check (fixture, sealed, now, now, &error);
    g_assert_no_error (error);
  }

  /* Another key, or none: the sealed worker is refused; the process goes on. */
  g_setenv ("NEXUS_INTERNAL_SECRET", "operator passphrase two", TRUE);
  {
    g_autoptr (NexusWorkerRecord) b = NULL;
    b = check (fixture, sealed, now, now, &error);
    g_assert_null (b);
    g_assert_error (error, NEXUS_AUTH_ERROR, NEXUS_AUTH_ERROR_UNAUTHORIZED);
    g_clear_error (&error);
  }
  g_unsetenv ("NEXUS_INTERNAL_SECRET");
  {
    g_autoptr (NexusWorkerRecord) b = NULL;
    b = check (fixture, sealed, now, now, &error);
    g_assert_null (b);
    g_clear_error (&error);
    g_autoptr (NexusWorkerRecord) a = check (fixture, plain, now, now, &error);
    g_assert_no_error (error);
  }
}

static void
test_auth_secret_box (void)
{
  g_autoptr (GBytes) stored = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *opened = NULL;
  gboolean         sealed = TRUE;

  g_unsetenv ("NEXUS_INTERNAL_SECRET");
  stored = nexus_secret_box_seal ("abc", &sealed, &error);
  g_assert_no_error (error);
  g_assert_false (sealed);
  g_clear_pointer (&stored, g_bytes_unref);

  g_setenv ("NEXUS_INTERNAL_SECRET", "k", TRUE);
  stored = nexus_secret_box_seal ("top secret text", &sealed, &error);
  g_assert_no_error (error);
  g_assert_true (sealed);
  opened = nexus_secret_box_open (stored, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (opened, ==, "top secret text");

  /* A flipped byte is detected. */
  {
    gsize              length = 0;
    g_autofree guint8 *copy =
        g_memdup2 (g_bytes_get_data (stored, &length), g_bytes_get_size (stored));
    g_autoptr (GBytes) altered = NULL;
    g_autofree char *nothing = NULL;

    copy[length - 1] ^= 0x01;
    altered = g_bytes_new (copy, length);
    nothing = nexus_secret_box_open (altered, TRUE, &error);
    g_assert_null (nothing);
    g_assert_error (error, NEXUS_SECRET_BOX_ERROR, NEXUS_SECRET_BOX_ERROR_WRONG_KEY);
  }
  g_unsetenv ("NEXUS_INTERNAL_SECRET");
}

static void
test_auth_durations (void)
{
  gint64 seconds = 0;

  g_assert_true (nexus_workers_parse_duration ("24h", &seconds));
  g_assert_cmpint (seconds, ==, 86400);
  g_assert_true (nexus_workers_parse_duration ("90s", &seconds));
  g_assert_cmpint (seconds, ==, 90);
  g_assert_true (nexus_workers_parse_duration ("7d", &seconds));
  g_assert_cmpint (seconds, ==, 7 * 86400);
  g_assert_true (nexus_workers_parse_duration ("600", &seconds));
  g_assert_cmpint (seconds, ==, 600);
  g_assert_false (nexus_workers_parse_duration ("h", &seconds));
  g_assert_false (nexus_workers_parse_duration ("1y", &seconds));
  g_assert_false (nexus_workers_parse_duration ("-1h", &seconds));
  g_assert_false (nexus_workers_parse_duration ("", &seconds));
}

/* A name is 1 to 200 characters, not bytes: 200 Arabic letters are 400
 * bytes and fit; 201 do not; blank does not. */
static void
test_auth_name_length (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GString) name = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr (NexusConnection) connection = NULL;

  for (int i = 0; i < 200; i++)
    g_string_append (name, "\u0639");
  connection = add_worker (fixture, name->str);
  g_assert_nonnull (connection);

  g_string_append (name, "\u0639");
  text = nexus_workers_add (fixture->store, name->str, NEXUS_ROLE_WORKER, "127.0.0.1:8787", NULL,
                            NULL, &error);
  g_assert_null (text);
  g_assert_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_INVALID);
  g_clear_error (&error);

  text = nexus_workers_add (fixture->store, "  ", NEXUS_ROLE_WORKER, "127.0.0.1:8787", NULL, NULL,
                            &error);
  g_assert_null (text);
  g_assert_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_INVALID);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/nexus/Signature/test-vectors", test_signature_vectors);
  g_test_add_func ("/nexus/Signature/header-values", test_signature_header);
  g_test_add_func ("/nexus/Signature/nonce-and-timestamp", test_signature_nonce_and_time);
  g_test_add_func ("/nexus/Auth/secret-box", test_auth_secret_box);
  g_test_add_func ("/nexus/Auth/durations", test_auth_durations);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/nexus/Auth/timestamp-window", test_auth_accepts_and_window);
  ADD ("/nexus/Auth/replayed-nonce", test_auth_replay);
  ADD ("/nexus/Auth/replay-guard", test_auth_replay_guard);
  ADD ("/nexus/Auth/replay-upgrade", test_auth_replay_upgrade);
  ADD ("/nexus/Auth/refusals", test_auth_refusals);
  ADD ("/nexus/Auth/rotation-grace", test_auth_rotation);
  ADD ("/nexus/Auth/sealed-secrets", test_auth_sealed_secrets);
  ADD ("/nexus/Auth/name-length", test_auth_name_length);
  ADD ("/nexus/Auth/cache-and-generation", test_auth_cache);

#undef ADD

  return g_test_run ();
}
