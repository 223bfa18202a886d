/* nexus-signature.h — request signing of the worker protocol, version 1
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   string_to_sign = "v1\n" METHOD "\n" PATH_AND_QUERY "\n" TIMESTAMP "\n"
 *                    NONCE "\n" hex(sha256(raw body))
 *   X-Nexus-Signature: v1=lowercase hex of HMAC-SHA256(secret, string_to_sign)
 *
 * The key is the secret's text exactly as it appears in the connection
 * string.  Pure functions, callable from any thread.  Nothing here logs.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Seconds a request's timestamp may differ from the server's clock. */
#define NEXUS_SIGNATURE_MAX_SKEW_S 300
/* Seconds a nonce is remembered per worker (longer than the skew window). */
#define NEXUS_SIGNATURE_NONCE_TTL_S 600

char    *nexus_signature_compute (const char   *secret,
                                  const char   *method,
                                  const char   *path_and_query,
                                  const char   *timestamp,
                                  const char   *nonce,
                                  const guint8 *body,
                                  gsize         body_length);
gboolean nexus_signature_header_valid (const char *header, const char *expected);
gboolean nexus_signature_nonce_valid (const char *nonce);
gboolean nexus_signature_parse_timestamp (const char *text, gint64 *out_seconds);
gboolean nexus_constant_time_equal (const char *a, const char *b);
char    *nexus_signature_new_nonce (void);

void  nexus_random_bytes (guint8 *buffer, gsize length);
char *nexus_random_token (gsize n_bytes);

G_END_DECLS
