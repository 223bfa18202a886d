/* nexus-connection.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "nexus-connection.h"

/* clang-format off */
G_DEFINE_QUARK (nexus-connection-error-quark, nexus_connection_error)
/* clang-format on */

/* A secret of 32 random bytes is 43 characters in unpadded base64url. */
#define MIN_SECRET_CHARS 43

static gboolean
is_token (const char *text, gsize min_len, gsize max_len)
{
  gsize len = strlen (text);

  if (len < min_len || len > max_len)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      return FALSE;
  return TRUE;
}

/* Accepts "ab:cd:…" or "abcd…" in either case; returns lowercase hex. */
static char *
normalize_fingerprint (const char *text)
{
  GString *hex = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == ':')
        continue;
      if (!g_ascii_isxdigit (*p))
        return (g_string_free (hex, TRUE), NULL);
      g_string_append_c (hex, g_ascii_tolower (*p));
    }
  if (hex->len != 64)
    return (g_string_free (hex, TRUE), NULL);
  return g_string_free (hex, FALSE);
}

static NexusConnection *
fail (GError **error, const char *reason)
{
  g_set_error (error, NEXUS_CONNECTION_ERROR, NEXUS_CONNECTION_ERROR_INVALID,
               _ ("Not a valid connection string (%s); expected "
                  "nexus://HOST:PORT/?worker=ID&secret=SECRET[&tls=FINGERPRINT]"),
               reason);
  return NULL;
}

/**
 * nexus_connection_parse:
 *
 * Returns: (transfer full): the connection, or %NULL with @error set; the
 *   message names what is wrong but never repeats the input
 */
NexusConnection *
nexus_connection_parse (const char *text, GError **error)
{
  g_autoptr (NexusConnection) connection = NULL;
  g_autoptr (GUri) uri = NULL;
  g_autoptr (GHashTable) params = NULL;
  const char *query;
  const char *value;
  int         port;

  if (text == NULL || *text == '\0')
    return fail (error, _ ("it is empty"));

  uri = g_uri_parse (text, G_URI_FLAGS_ENCODED_QUERY, NULL);
  if (uri == NULL)
    return fail (error, _ ("it is not a URI"));
  if (g_strcmp0 (g_uri_get_scheme (uri), "nexus") != 0)
    return fail (error, _ ("the scheme must be nexus://"));
  if (g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    return fail (error, _ ("the host is missing"));
  port = g_uri_get_port (uri);
  if (port <= 0 || port > 65535)
    return fail (error, _ ("the port is missing"));

  query = g_uri_get_query (uri);
  if (query == NULL)
    return fail (error, _ ("worker and secret are missing"));
  params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, NULL);
  if (params == NULL)
    return fail (error, _ ("the query is malformed"));

  connection = g_new0 (NexusConnection, 1);
  connection->host = g_strdup (g_uri_get_host (uri));
  connection->port = (guint16)port;

  value = g_hash_table_lookup (params, "worker");
  if (value == NULL || !is_token (value, 1, 64))
    return fail (error, _ ("the worker id is missing or malformed"));
  connection->worker_id = g_strdup (value);

  value = g_hash_table_lookup (params, "secret");
  if (value == NULL || !is_token (value, MIN_SECRET_CHARS, 256))
    return fail (error, _ ("the secret is missing or too short"));
  connection->secret = g_strdup (value);

  value = g_hash_table_lookup (params, "tls");
  if (value != NULL)
    {
      connection->tls_fingerprint = normalize_fingerprint (value);
      if (connection->tls_fingerprint == NULL)
        return fail (error, _ ("the TLS fingerprint must be 64 hexadecimal digits"));
    }

  return g_steal_pointer (&connection);
}

char *
nexus_connection_to_string (const NexusConnection *connection)
{
  gboolean ipv6 = strchr (connection->host, ':') != NULL;
  GString *text = g_string_new ("nexus://");

  g_string_append_printf (text, ipv6 ? "[%s]:%u" : "%s:%u", connection->host, connection->port);
  g_string_append_printf (text, "/?worker=%s&secret=%s", connection->worker_id, connection->secret);
  if (connection->tls_fingerprint != NULL)
    g_string_append_printf (text, "&tls=%s", connection->tls_fingerprint);
  return g_string_free (text, FALSE);
}

char *
nexus_connection_base_url (const NexusConnection *connection)
{
  gboolean ipv6 = strchr (connection->host, ':') != NULL;

  return g_strdup_printf (ipv6 ? "%s://[%s]:%u" : "%s://%s:%u",
                          connection->tls_fingerprint != NULL ? "https" : "http", connection->host,
                          connection->port);
}

void
nexus_connection_free (NexusConnection *connection)
{
  if (connection == NULL)
    return;
  g_free (connection->host);
  g_free (connection->worker_id);
  if (connection->secret != NULL)
    {
      /* Do not leave the secret behind in freed memory. */
      memset (connection->secret, 0, strlen (connection->secret));
      g_free (connection->secret);
    }
  g_free (connection->tls_fingerprint);
  g_free (connection);
}
