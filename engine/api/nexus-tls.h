/* nexus-tls.h — the engine's self-signed certificate
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * With TLS on, the worker API serves HTTPS with a certificate the engine
 * makes itself (GnuTLS, ECDSA P-256, ten years) and keeps beside the
 * database as DB.tls.pem (certificate and key, mode 0600).  Workers do not
 * trust a CA: they pin the certificate's SHA-256 fingerprint, which goes
 * into every connection string.  Callable from any thread.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

char *nexus_tls_pem_path_for (const char *db_path);
GTlsCertificate       *
nexus_tls_load_or_create (const char *pem_path, char **out_fingerprint, GError **error);
char *nexus_tls_fingerprint (GTlsCertificate *certificate);

G_END_DECLS
