/* nexus-secret-box.h — worker secrets at rest
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * When the environment holds NEXUS_INTERNAL_SECRET, worker secrets are
 * stored sealed with AES-256-GCM under a key derived from it; otherwise
 * they are stored as they are, protected by the database file's mode
 * (0600).  A sealed secret can be opened only with the same
 * NEXUS_INTERNAL_SECRET.  Callable from any thread; never logs.
 *
 * Sealed format: "nxb1" | 12-byte nonce | ciphertext | 16-byte tag.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define NEXUS_SECRET_BOX_ERROR (nexus_secret_box_error_quark ())

typedef enum
{
  NEXUS_SECRET_BOX_ERROR_NO_KEY,    /* sealed, but NEXUS_INTERNAL_SECRET is unset */
  NEXUS_SECRET_BOX_ERROR_WRONG_KEY, /* sealed under another key, or altered */
  NEXUS_SECRET_BOX_ERROR_FAILED,
} NexusSecretBoxError;

GQuark nexus_secret_box_error_quark (void);

gboolean nexus_secret_box_available (void);
GBytes  *nexus_secret_box_seal (const char *secret, gboolean *out_sealed, GError **error);
char    *nexus_secret_box_open (GBytes *stored, gboolean sealed, GError **error);

G_END_DECLS
