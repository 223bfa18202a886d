/* nexus-connection.h — worker connection strings
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   nexus://HOST:PORT/?worker=WORKER_ID&secret=SECRET[&tls=SHA256_FINGERPRINT]
 *
 * Pure functions, callable from any thread.  A parsed connection holds the
 * secret: never print it, and error messages here never include it.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define NEXUS_CONNECTION_ERROR (nexus_connection_error_quark ())

typedef enum
{
  NEXUS_CONNECTION_ERROR_INVALID,
} NexusConnectionError;

typedef struct
{
  char   *host;
  guint16 port;
  char   *worker_id;
  char   *secret;
  char   *tls_fingerprint; /* lowercase hex without colons, or NULL for plain HTTP */
} NexusConnection;

GQuark           nexus_connection_error_quark (void);
NexusConnection *nexus_connection_parse (const char *text, GError **error);
char            *nexus_connection_to_string (const NexusConnection *connection);
char            *nexus_connection_base_url (const NexusConnection *connection);
void             nexus_connection_free (NexusConnection *connection);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusConnection, nexus_connection_free)

G_END_DECLS
