/* nexus-secret-box.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <string.h>

#include "nexus-secret-box.h"
#include "nexus-signature.h"

#define MAGIC        "nxb1"
#define MAGIC_LENGTH 4
#define NONCE_LENGTH 12
#define TAG_LENGTH   16
#define KEY_LENGTH   32

/* clang-format off */
G_DEFINE_QUARK (nexus-secret-box-error-quark, nexus_secret_box_error)
/* clang-format on */

static const char *
internal_secret (void)
{
  const char *value = g_getenv ("NEXUS_INTERNAL_SECRET");

  return value != NULL && *value != '\0' ? value : NULL;
}

gboolean
nexus_secret_box_available (void)
{
  return internal_secret () != NULL;
}

/* The key is HMAC-SHA256 over a fixed label, keyed by the operator's
 * secret: a different label gives an unrelated key for other uses. */
static void
derive_key (const char *passphrase, guint8 key[KEY_LENGTH])
{
  static const char label[] = "nexus worker secrets v1";
  g_autoptr (GHmac) hmac =
      g_hmac_new (G_CHECKSUM_SHA256, (const guchar *)passphrase, strlen (passphrase));
  gsize length = KEY_LENGTH;

  g_hmac_update (hmac, (const guchar *)label, sizeof label - 1);
  g_hmac_get_digest (hmac, key, &length);
}

static gnutls_aead_cipher_hd_t
open_cipher (const char *passphrase)
{
  guint8                  key[KEY_LENGTH];
  gnutls_datum_t          datum = { key, KEY_LENGTH };
  gnutls_aead_cipher_hd_t handle = NULL;
  int                     rc;

  derive_key (passphrase, key);
  rc = gnutls_aead_cipher_init (&handle, GNUTLS_CIPHER_AES_256_GCM, &datum);
  memset (key, 0, sizeof key);
  return rc == 0 ? handle : NULL;
}

/**
 * nexus_secret_box_seal:
 * @out_sealed: set to %TRUE when the result is sealed, %FALSE when
 *   NEXUS_INTERNAL_SECRET is unset and the secret is stored as it is
 *
 * Returns: (transfer full): the bytes to store
 */
GBytes *
nexus_secret_box_seal (const char *secret, gboolean *out_sealed, GError **error)
{
  const char             *passphrase = internal_secret ();
  gnutls_aead_cipher_hd_t cipher;
  gsize                   secret_length = strlen (secret);
  gsize                   out_length = secret_length + TAG_LENGTH;
  g_autofree guint8      *sealed = NULL;
  int                     rc;

  if (passphrase == NULL)
    {
      *out_sealed = FALSE;
      return g_bytes_new (secret, secret_length);
    }

  cipher = open_cipher (passphrase);
  if (cipher == NULL)
    {
      g_set_error_literal (error, NEXUS_SECRET_BOX_ERROR, NEXUS_SECRET_BOX_ERROR_FAILED,
                           _ ("The cipher for stored secrets is not available"));
      return NULL;
    }

  sealed = g_malloc (MAGIC_LENGTH + NONCE_LENGTH + out_length);
  memcpy (sealed, MAGIC, MAGIC_LENGTH);
  nexus_random_bytes (sealed + MAGIC_LENGTH, NONCE_LENGTH);
  rc = gnutls_aead_cipher_encrypt (cipher, sealed + MAGIC_LENGTH, NONCE_LENGTH, MAGIC, MAGIC_LENGTH,
                                   TAG_LENGTH, secret, secret_length,
                                   sealed + MAGIC_LENGTH + NONCE_LENGTH, &out_length);
  gnutls_aead_cipher_deinit (cipher);
  if (rc != 0)
    {
      g_set_error_literal (error, NEXUS_SECRET_BOX_ERROR, NEXUS_SECRET_BOX_ERROR_FAILED,
                           _ ("A worker secret could not be sealed"));
      return NULL;
    }

  *out_sealed = TRUE;
  return g_bytes_new_take (g_steal_pointer (&sealed), MAGIC_LENGTH + NONCE_LENGTH + out_length);
}

/**
 * nexus_secret_box_open:
 *
 * Returns: (transfer full): the secret's text, or %NULL with @error set
 */
char *
nexus_secret_box_open (GBytes *stored, gboolean sealed, GError **error)
{
  const char             *passphrase;
  gnutls_aead_cipher_hd_t cipher;
  gsize                   length = 0;
  const guint8           *data = g_bytes_get_data (stored, &length);
  g_autofree char        *plain = NULL;
  gsize                   plain_length;
  int                     rc;

  if (!sealed)
    return g_strndup ((const char *)data, length);

  passphrase = internal_secret ();
  if (passphrase == NULL)
    {
      g_set_error_literal (
          error, NEXUS_SECRET_BOX_ERROR, NEXUS_SECRET_BOX_ERROR_NO_KEY,
          _ ("This worker's secret is sealed, but NEXUS_INTERNAL_SECRET is not set"));
      return NULL;
    }
  if (length < MAGIC_LENGTH + NONCE_LENGTH + TAG_LENGTH || memcmp (data, MAGIC, MAGIC_LENGTH) != 0)
    {
      g_set_error_literal (error, NEXUS_SECRET_BOX_ERROR, NEXUS_SECRET_BOX_ERROR_WRONG_KEY,
                           _ ("A stored worker secret is damaged"));
      return NULL;
    }

  cipher = open_cipher (passphrase);
  if (cipher == NULL)
    {
      g_set_error_literal (error, NEXUS_SECRET_BOX_ERROR, NEXUS_SECRET_BOX_ERROR_FAILED,
                           _ ("The cipher for stored secrets is not available"));
      return NULL;
    }
  plain_length = length - MAGIC_LENGTH - NONCE_LENGTH;
  plain = g_malloc0 (plain_length + 1);
  rc = gnutls_aead_cipher_decrypt (cipher, data + MAGIC_LENGTH, NONCE_LENGTH, MAGIC, MAGIC_LENGTH,
                                   TAG_LENGTH, data + MAGIC_LENGTH + NONCE_LENGTH, plain_length,
                                   plain, &plain_length);
  gnutls_aead_cipher_deinit (cipher);
  if (rc != 0)
    {
      g_set_error_literal (error, NEXUS_SECRET_BOX_ERROR, NEXUS_SECRET_BOX_ERROR_WRONG_KEY,
                           _ ("A stored worker secret was sealed with a different "
                              "NEXUS_INTERNAL_SECRET"));
      return NULL;
    }
  plain[plain_length] = '\0';
  return g_steal_pointer (&plain);
}
