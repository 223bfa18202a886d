/* nexus-workers.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nexus-workers"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>
#include <string.h>

#include "nexus-connection.h"
#include "nexus-secret-box.h"
#include "nexus-signature.h"
#include "nexus-workers.h"

/* clang-format off */
G_DEFINE_QUARK (nexus-auth-error-quark, nexus_auth_error)
/* clang-format on */

/* 32 random bytes: 43 characters of base64url. */
#define SECRET_BYTES 32

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static char *
make_connection_string (const char *engine_address,
                        const char *public_id,
                        const char *secret,
                        const char *tls_fingerprint,
                        GError    **error)
{
  g_autofree char *text = NULL;
  g_autoptr (NexusConnection) connection = NULL;

  text = g_strdup_printf ("nexus://%s/?worker=%s&secret=%s%s%s", engine_address, public_id, secret,
                          tls_fingerprint != NULL ? "&tls=" : "",
                          tls_fingerprint != NULL ? tls_fingerprint : "");
  /* Round-trip through the parser the worker uses, so a bad engine
   * address is caught here rather than on the worker machine. */
  connection = nexus_connection_parse (text, error);
  if (connection == NULL)
    return NULL;
  return nexus_connection_to_string (connection);
}

static char *
audit_details (const char *name, gint64 grace_s)
{
  g_autoptr (GString) json = g_string_new ("{");

  if (name != NULL)
    {
      g_autofree char *escaped = g_strescape (name, NULL);
      g_string_append_printf (json, "\"name\":\"%s\"", escaped);
    }
  if (grace_s >= 0)
    g_string_append_printf (json, "%s\"grace_s\":%" PRId64, name != NULL ? "," : "", grace_s);
  g_string_append_c (json, '}');
  return g_string_free (g_steal_pointer (&json), FALSE);
}

/**
 * nexus_workers_add:
 * @role: %NEXUS_ROLE_WORKER (takes jobs) or %NEXUS_ROLE_OPERATOR (reads
 *   events and metrics)
 * @engine_address: "HOST:PORT" workers will reach the engine at
 * @tls_fingerprint: (nullable): the engine certificate's SHA-256, hex
 *
 * Creates a worker with a fresh secret and records it in the audit log, in
 * one transaction.
 *
 * Returns: (transfer full): the connection string (holds the secret: show
 *   it once, never log it)
 */
char *
nexus_workers_add (NexusStore         *store,
                   const char         *name,
                   const char         *role,
                   const char         *engine_address,
                   const char         *tls_fingerprint,
                   NexusWorkerRecord **out_worker,
                   GError            **error)
{
  g_autofree char *secret = nexus_random_token (SECRET_BYTES);
  g_autofree char *random_part = nexus_random_token (9);
  g_autofree char *public_id = g_strconcat ("w", random_part, NULL);
  g_autofree char *details = NULL;
  g_autofree char *connection = NULL;
  g_autoptr (GBytes) stored = NULL;
  g_autoptr (NexusWorkerRecord) worker = NULL;
  gboolean sealed = FALSE;
  gint64   now = now_seconds ();

  g_autofree char *trimmed = g_strstrip (g_strdup (name != NULL ? name : ""));

  if (*trimmed == '\0' || !g_utf8_validate (trimmed, -1, NULL) || g_utf8_strlen (trimmed, -1) > 200)
    {
      g_set_error_literal (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_INVALID,
                           _ ("A worker needs a name of 1 to 200 characters"));
      return NULL;
    }

  connection = make_connection_string (engine_address, public_id, secret, tls_fingerprint, error);
  if (connection == NULL)
    return NULL;

  stored = nexus_secret_box_seal (secret, &sealed, error);
  if (stored == NULL)
    return NULL;

  if (!nexus_store_begin (store, error))
    return NULL;
  if (g_strcmp0 (role, NEXUS_ROLE_WORKER) != 0 && g_strcmp0 (role, NEXUS_ROLE_OPERATOR) != 0)
    {
      g_set_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_INVALID, _ ("Unknown role “%s”"),
                   role != NULL ? role : "");
      return NULL;
    }

  worker = nexus_store_worker_insert (store, public_id, trimmed, role, stored, sealed, now, error);
  details = audit_details (trimmed, -1);
  if (worker == NULL ||
      !nexus_store_audit (store, "operator", "worker.add", "worker", public_id, details, now,
                          error) ||
      !nexus_store_commit (store, error))
    {
      nexus_store_rollback (store);
      return NULL;
    }

  memset (secret, 0, strlen (secret));
  if (out_worker != NULL)
    *out_worker = g_steal_pointer (&worker);
  return g_steal_pointer (&connection);
}

/**
 * nexus_workers_rotate:
 * @grace_s: seconds the secrets in force keep working; 0 ends them now
 *
 * Returns: (transfer full): the new connection string
 */
char *
nexus_workers_rotate (NexusStore *store,
                      const char *id_or_public_id,
                      gint64      grace_s,
                      const char *engine_address,
                      const char *tls_fingerprint,
                      GError    **error)
{
  g_autoptr (NexusWorkerRecord) worker = NULL;
  g_autofree char *secret = nexus_random_token (SECRET_BYTES);
  g_autofree char *details = NULL;
  g_autofree char *connection = NULL;
  g_autoptr (GBytes) stored = NULL;
  gboolean sealed = FALSE;
  gint64   now = now_seconds ();

  worker = nexus_store_worker_lookup (store, id_or_public_id, error);
  if (worker == NULL)
    return NULL;
  if (g_strcmp0 (worker->state, "revoked") == 0)
    {
      g_set_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_INVALID,
                   _ ("Worker “%s” is revoked; add a new worker instead"), worker->public_id);
      return NULL;
    }

  connection =
      make_connection_string (engine_address, worker->public_id, secret, tls_fingerprint, error);
  if (connection == NULL)
    return NULL;
  stored = nexus_secret_box_seal (secret, &sealed, error);
  if (stored == NULL)
    return NULL;

  details = audit_details (NULL, MAX (grace_s, 0));
  if (!nexus_store_begin (store, error))
    return NULL;
  if (!nexus_store_worker_rotate (store, worker->id, stored, sealed, now, now + MAX (grace_s, 0),
                                  error) ||
      !nexus_store_audit (store, "operator", "worker.rotate", "worker", worker->public_id, details,
                          now, error) ||
      !nexus_store_commit (store, error))
    {
      nexus_store_rollback (store);
      return NULL;
    }

  memset (secret, 0, strlen (secret));
  return g_steal_pointer (&connection);
}

gboolean
nexus_workers_revoke (NexusStore *store, const char *id_or_public_id, GError **error)
{
  g_autoptr (NexusWorkerRecord) worker = NULL;
  gint64 now = now_seconds ();

  worker = nexus_store_worker_lookup (store, id_or_public_id, error);
  if (worker == NULL)
    return FALSE;
  if (g_strcmp0 (worker->state, "revoked") == 0)
    return TRUE;

  if (!nexus_store_begin (store, error))
    return FALSE;
  if (!nexus_store_worker_revoke (store, worker->id, now, error) ||
      !nexus_store_audit (store, "operator", "worker.revoke", "worker", worker->public_id, NULL,
                          now, error) ||
      !nexus_store_commit (store, error))
    {
      nexus_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}

static gpointer
auth_fail (GError **error, NexusAuthError code, const char *message)
{
  g_set_error_literal (error, NEXUS_AUTH_ERROR, code, message);
  return NULL;
}

/* The header rules that need no database: present, well-formed, and a
 * timestamp within the window. */
static gboolean
check_headers (const NexusAuthRequest *request, gint64 now, GError **error)
{
  gint64 timestamp = 0;

  if (request->worker_id == NULL || request->timestamp == NULL || request->nonce == NULL ||
      request->signature == NULL)
    return auth_fail (error, NEXUS_AUTH_ERROR_BAD_REQUEST,
                      _ ("Missing X-Nexus-Worker, X-Nexus-Timestamp, X-Nexus-Nonce or "
                         "X-Nexus-Signature header")) != NULL;
  if (!nexus_signature_parse_timestamp (request->timestamp, &timestamp))
    return auth_fail (error, NEXUS_AUTH_ERROR_BAD_REQUEST,
                      _ ("X-Nexus-Timestamp must be unix seconds")) != NULL;
  if (!nexus_signature_nonce_valid (request->nonce))
    return auth_fail (error, NEXUS_AUTH_ERROR_BAD_REQUEST,
                      _ ("X-Nexus-Nonce must be 16 to 64 characters of A-Z, a-z, 0-9, _ and -")) !=
           NULL;
  if (strlen (request->worker_id) > 64)
    return auth_fail (error, NEXUS_AUTH_ERROR_UNAUTHORIZED, _ ("Unknown worker")) != NULL;

  if (timestamp < now - NEXUS_SIGNATURE_MAX_SKEW_S || timestamp > now + NEXUS_SIGNATURE_MAX_SKEW_S)
    return auth_fail (
               error, NEXUS_AUTH_ERROR_STALE_TIMESTAMP,
               _ ("The request's timestamp is more than 300 s away from the server's clock")) !=
           NULL;
  return TRUE;
}

/* TRUE when @secret signed @request. */
static gboolean
secret_signed (const char *secret, const NexusAuthRequest *request)
{
  g_autofree char *expected =
      nexus_signature_compute (secret, request->method, request->path_and_query, request->timestamp,
                               request->nonce, request->body, request->body_length);

  return nexus_signature_header_valid (request->signature, expected);
}

/* The worker named by @request, refused when unknown or revoked. */
static NexusWorkerRecord *
lookup_worker (NexusStore *store, const NexusAuthRequest *request, GError **error)
{
  g_autoptr (NexusWorkerRecord) worker = NULL;
  g_autoptr (GError) local_error = NULL;

  worker = nexus_store_worker_lookup (store, request->worker_id, &local_error);
  if (worker == NULL || g_strcmp0 (worker->public_id, request->worker_id) != 0)
    {
      if (local_error != NULL &&
          !g_error_matches (local_error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      return auth_fail (error, NEXUS_AUTH_ERROR_UNAUTHORIZED, _ ("Unknown worker"));
    }
  if (g_strcmp0 (worker->state, "revoked") == 0)
    return auth_fail (error, NEXUS_AUTH_ERROR_REVOKED, _ ("This worker has been revoked"));
  return g_steal_pointer (&worker);
}

/* TRUE when one of the worker's valid secrets signed the request. */
static gboolean
signature_matches (NexusStore              *store,
                   const NexusWorkerRecord *worker,
                   const NexusAuthRequest  *request,
                   gint64                   now,
                   GError                 **error)
{
  g_autoptr (GPtrArray) secrets = NULL;

  secrets = nexus_store_worker_secrets (store, worker->id, now, error);
  if (secrets == NULL)
    return FALSE;

  for (guint i = 0; i < secrets->len; i++)
    {
      NexusSecretRecord *record = g_ptr_array_index (secrets, i);
      g_autoptr (GError) open_error = NULL;
      g_autofree char *secret = nexus_secret_box_open (record->stored, record->sealed, &open_error);
      gboolean         valid;

      if (secret == NULL)
        {
          /* The reason names the environment variable, never the secret. */
          g_message ("Worker %s: %s", worker->public_id, open_error->message);
          continue;
        }
      valid = secret_signed (secret, request);
      memset (secret, 0, strlen (secret));
      if (valid)
        return TRUE;
    }
  return FALSE;
}

/**
 * nexus_workers_authenticate:
 *
 * Applies PROTOCOL.md's server rules after the per-address rate limit:
 * headers, timestamp window, worker known and not revoked, signature
 * (current secret or one in its grace), nonce not seen in the last
 * %NEXUS_SIGNATURE_NONCE_TTL_S seconds (then remembered).  The nonce is
 * written in its own small transaction unless the caller has one open.
 *
 * Returns: (transfer full): the worker, or %NULL with a #NexusAuthError (or
 *   a #NexusStoreError when the database fails)
 */
NexusWorkerRecord *
nexus_workers_authenticate (NexusStore             *store,
                            const NexusAuthRequest *request,
                            gint64                  now,
                            GError                **error)
{
  g_autoptr (NexusWorkerRecord) worker = NULL;
  g_autoptr (GError) local_error = NULL;
  gboolean fresh = FALSE;

  if (!check_headers (request, now, error))
    return NULL;
  worker = lookup_worker (store, request, error);
  if (worker == NULL)
    return NULL;

  if (!signature_matches (store, worker, request, now, &local_error))
    {
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      return auth_fail (error, NEXUS_AUTH_ERROR_UNAUTHORIZED, _ ("The signature does not match"));
    }

  if (!nexus_store_replay_remember (store, worker->id, request->nonce, now, &fresh, error))
    return NULL;
  if (!fresh)
    return auth_fail (error, NEXUS_AUTH_ERROR_REPLAYED, _ ("This nonce was already used"));

  return g_steal_pointer (&worker);
}

/**
 * nexus_workers_verify:
 *
 * nexus_workers_authenticate() without the nonce: headers, timestamp
 * window, worker known and not revoked, signature.  Writes nothing.
 *
 * Returns: (transfer full): the worker, or %NULL with a #NexusAuthError (or
 *   a #NexusStoreError when the database fails)
 */
NexusWorkerRecord *
nexus_workers_verify (NexusStore             *store,
                      const NexusAuthRequest *request,
                      gint64                  now,
                      GError                **error)
{
  g_autoptr (NexusWorkerRecord) worker = NULL;
  g_autoptr (GError) local_error = NULL;

  if (!check_headers (request, now, error))
    return NULL;
  worker = lookup_worker (store, request, error);
  if (worker == NULL)
    return NULL;
  if (!signature_matches (store, worker, request, now, &local_error))
    {
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      return auth_fail (error, NEXUS_AUTH_ERROR_UNAUTHORIZED, _ ("The signature does not match"));
    }
  return g_steal_pointer (&worker);
}

/**
 * nexus_workers_parse_duration:
 * @text: "90s", "15m", "24h", "7d", or plain seconds
 */
gboolean
nexus_workers_parse_duration (const char *text, gint64 *out_seconds)
{
  guint64          value = 0;
  g_autofree char *digits = NULL;
  gint64           unit = 1;
  gsize            length;

  if (text == NULL || (length = strlen (text)) == 0)
    return FALSE;
  switch (text[length - 1])
    {
      case 's':
        unit = 1;
        length--;
        break;
      case 'm':
        unit = 60;
        length--;
        break;
      case 'h':
        unit = 3600;
        length--;
        break;
      case 'd':
        unit = 86400;
        length--;
        break;
      default:
        break;
    }
  digits = g_strndup (text, length);
  if (length == 0 || !g_ascii_string_to_unsigned (digits, 10, 0, G_MAXINT64 / 86400, &value, NULL))
    return FALSE;
  *out_seconds = (gint64)value * unit;
  return TRUE;
}

/* ---- NexusAuthCache ---------------------------------------------------- */

typedef struct
{
  char  *secret;      /* opened; wiped when dropped */
  gint64 valid_until; /* 0: current */
} CachedSecret;

typedef struct
{
  NexusWorkerRecord *worker;     /* id, public_id, state and role */
  GArray            *secrets;    /* CachedSecret */
  gint64             generation; /* nexus_store_auth_generation() before it was read */
} CachedWorker;

struct _NexusAuthCache
{
  NexusStore *store;
  GHashTable *workers;    /* public_id → CachedWorker* */
  gint64      generation; /* the newest generation known */
};

static void
cached_secret_clear (gpointer data)
{
  CachedSecret *secret = data;

  if (secret->secret != NULL)
    memset (secret->secret, 0, strlen (secret->secret));
  g_free (secret->secret);
}

static void
cached_worker_free (gpointer data)
{
  CachedWorker *cached = data;

  nexus_worker_record_free (cached->worker);
  g_array_unref (cached->secrets);
  g_free (cached);
}

/**
 * nexus_auth_cache_new:
 * @store: a connection to the database (a reader is enough), used only
 *   on the thread that calls nexus_auth_cache_verify()
 *
 * A cache of workers and their opened secrets, so that a request's
 * signature is checked without reading the database.  Each entry carries
 * the authentication generation (a one-row table that triggers move on
 * every change to workers' identities and secrets) it was read at; the
 * caller passes it on with the request, and the writer, inside the
 * transaction that applies the request, checks it against the current one
 * and verifies again with nexus_workers_verify() when it moved.  So a
 * worker revoked or rotated by any connection or process is refused from
 * its next request, and the cache learns the new generation from the
 * writer (nexus_auth_cache_set_generation()).  A refusal is always checked
 * against a fresh read before it is given.
 */
NexusAuthCache *
nexus_auth_cache_new (NexusStore *store)
{
  NexusAuthCache *cache = g_new0 (NexusAuthCache, 1);

  cache->store = g_object_ref (store);
  cache->workers = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, cached_worker_free);
  cache->generation = -1;
  return cache;
}

void
nexus_auth_cache_free (NexusAuthCache *cache)
{
  if (cache == NULL)
    return;
  g_hash_table_unref (cache->workers);
  g_object_unref (cache->store);
  g_free (cache);
}

/* The writer saw @generation: entries read before it are stale. */
void
nexus_auth_cache_set_generation (NexusAuthCache *cache, gint64 generation)
{
  if (generation > cache->generation)
    cache->generation = generation;
}

static CachedWorker *
load_worker (NexusAuthCache *cache, const NexusAuthRequest *request, gint64 now, GError **error)
{
  g_autoptr (NexusWorkerRecord) worker = NULL;
  g_autoptr (GPtrArray) secrets = NULL;
  g_autoptr (GError) local_error = NULL;
  CachedWorker *cached;
  gint64        generation;

  g_hash_table_remove (cache->workers, request->worker_id);
  /* Read first: a change committed meanwhile makes the entry stale. */
  generation = nexus_store_auth_generation (cache->store, error);
  if (generation < 0)
    return NULL;
  cache->generation = MAX (cache->generation, generation);

  worker = nexus_store_worker_lookup (cache->store, request->worker_id, &local_error);
  if (worker == NULL)
    {
      if (g_error_matches (local_error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_NOT_FOUND))
        return auth_fail (error, NEXUS_AUTH_ERROR_UNAUTHORIZED, _ ("Unknown worker"));
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  secrets = nexus_store_worker_secrets (cache->store, worker->id, now, error);
  if (secrets == NULL)
    return NULL;

  cached = g_new0 (CachedWorker, 1);
  cached->generation = generation;
  cached->secrets = g_array_new (FALSE, TRUE, sizeof (CachedSecret));
  g_array_set_clear_func (cached->secrets, cached_secret_clear);
  for (guint i = 0; i < secrets->len; i++)
    {
      NexusSecretRecord *record = g_ptr_array_index (secrets, i);
      g_autoptr (GError) open_error = NULL;
      CachedSecret secret = { 0 };

      secret.secret = nexus_secret_box_open (record->stored, record->sealed, &open_error);
      if (secret.secret == NULL)
        {
          /* The reason names the environment variable, never the secret. */
          g_message ("Worker %s: %s", worker->public_id, open_error->message);
          continue;
        }
      secret.valid_until = record->valid_until;
      g_array_append_val (cached->secrets, secret);
    }
  cached->worker = g_steal_pointer (&worker);
  g_hash_table_replace (cache->workers, cached->worker->public_id, cached);
  return cached;
}

/* The checks of one cached entry; NULL with @error when they refuse. */
static NexusWorkerRecord *
verify_cached (CachedWorker *cached, const NexusAuthRequest *request, gint64 now, GError **error)
{
  NexusWorkerRecord *worker;
  gboolean           valid = FALSE;

  if (g_strcmp0 (cached->worker->public_id, request->worker_id) != 0)
    return auth_fail (error, NEXUS_AUTH_ERROR_UNAUTHORIZED, _ ("Unknown worker"));
  if (g_strcmp0 (cached->worker->state, "revoked") == 0)
    return auth_fail (error, NEXUS_AUTH_ERROR_REVOKED, _ ("This worker has been revoked"));
  for (guint i = 0; i < cached->secrets->len && !valid; i++)
    {
      CachedSecret *secret = &g_array_index (cached->secrets, CachedSecret, i);

      if (secret->valid_until == 0 || secret->valid_until > now)
        valid = secret_signed (secret->secret, request);
    }
  if (!valid)
    return auth_fail (error, NEXUS_AUTH_ERROR_UNAUTHORIZED, _ ("The signature does not match"));

  worker = g_new0 (NexusWorkerRecord, 1);
  worker->id = cached->worker->id;
  worker->public_id = g_strdup (cached->worker->public_id);
  worker->state = g_strdup (cached->worker->state);
  worker->role = g_strdup (cached->worker->role);
  return worker;
}

/**
 * nexus_auth_cache_verify:
 * @out_generation: (out): the authentication generation the answer was
 *   read at; the writer checks it before it applies the request
 *
 * The rules of nexus_workers_verify() from the cache.  The nonce is left to
 * the caller (nexus_store_replay_remember() on the write connection).
 *
 * Returns: (transfer full): the worker (id, public_id, state and role), or
 *   %NULL with a #NexusAuthError (or a #NexusStoreError)
 */
NexusWorkerRecord *
nexus_auth_cache_verify (NexusAuthCache         *cache,
                         const NexusAuthRequest *request,
                         gint64                  now,
                         gint64                 *out_generation,
                         GError                **error)
{
  g_autoptr (GError) local_error = NULL;
  NexusWorkerRecord *worker;
  CachedWorker      *cached;

  if (!check_headers (request, now, error))
    return NULL;

  cached = g_hash_table_lookup (cache->workers, request->worker_id);
  if (cached != NULL && cached->generation == cache->generation)
    {
      worker = verify_cached (cached, request, now, &local_error);
      if (worker != NULL)
        {
          *out_generation = cached->generation;
          return worker;
        }
      /* Refused from the cache: refused only if a fresh read agrees. */
      g_clear_error (&local_error);
    }

  cached = load_worker (cache, request, now, error);
  if (cached == NULL)
    return NULL;
  *out_generation = cached->generation;
  return verify_cached (cached, request, now, error);
}
