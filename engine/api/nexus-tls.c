/* nexus-tls.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <unistd.h>

#include "nexus-engine.h"
#include "nexus-signature.h"
#include "nexus-tls.h"

#define VALIDITY_S (10 * 365 * 24 * 3600LL)

char *
nexus_tls_pem_path_for (const char *db_path)
{
  return g_strconcat (db_path, ".tls.pem", NULL);
}

/* SHA-256 of the certificate's DER form, as 64 lowercase hex digits. */
char *
nexus_tls_fingerprint (GTlsCertificate *certificate)
{
  g_autoptr (GByteArray) der = NULL;

  g_object_get (certificate, "certificate", &der, NULL);
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len);
}

static gboolean
tls_failed (int rc, const char *doing, GError **error)
{
  g_set_error (error, NEXUS_ENGINE_ERROR, NEXUS_ENGINE_ERROR_FAILED,
               _ ("Cannot make the TLS certificate: %s failed: %s"), doing, gnutls_strerror (rc));
  return FALSE;
}

static gboolean
generate_pem (GString *pem, GError **error)
{
  gnutls_x509_privkey_t key = NULL;
  gnutls_x509_crt_t     crt = NULL;
  guint8                serial[16];
  gnutls_datum_t        out = { NULL, 0 };
  const char           *name = "Nexus engine";
  time_t                now = time (NULL);
  gboolean              ok = FALSE;
  int                   rc;

  if ((rc = gnutls_x509_privkey_init (&key)) < 0 ||
      (rc = gnutls_x509_privkey_generate (
           key, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1), 0)) < 0)
    {
      tls_failed (rc, "key generation", error);
      goto out;
    }

  nexus_random_bytes (serial, sizeof serial);
  serial[0] &= 0x7f; /* a positive serial number */

  if ((rc = gnutls_x509_crt_init (&crt)) < 0 || (rc = gnutls_x509_crt_set_version (crt, 3)) < 0 ||
      (rc = gnutls_x509_crt_set_serial (crt, serial, sizeof serial)) < 0 ||
      (rc = gnutls_x509_crt_set_activation_time (crt, now - 3600)) < 0 ||
      (rc = gnutls_x509_crt_set_expiration_time (crt, now + VALIDITY_S)) < 0 ||
      (rc = gnutls_x509_crt_set_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0, name,
                                           strlen (name))) < 0 ||
      (rc = gnutls_x509_crt_set_key (crt, key)) < 0 ||
      (rc = gnutls_x509_crt_set_key_usage (crt, GNUTLS_KEY_DIGITAL_SIGNATURE)) < 0 ||
      (rc = gnutls_x509_crt_set_ca_status (crt, 0)) < 0 ||
      (rc = gnutls_x509_crt_sign2 (crt, crt, key, GNUTLS_DIG_SHA256, 0)) < 0)
    {
      tls_failed (rc, "signing", error);
      goto out;
    }

  if ((rc = gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_PEM, &out)) < 0)
    {
      tls_failed (rc, "export", error);
      goto out;
    }
  g_string_append_len (pem, (const char *)out.data, out.size);
  gnutls_free (out.data);
  out.data = NULL;

  if ((rc = gnutls_x509_privkey_export2_pkcs8 (key, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN,
                                               &out)) < 0)
    {
      tls_failed (rc, "key export", error);
      goto out;
    }
  g_string_append_len (pem, (const char *)out.data, out.size);
  gnutls_free (out.data);
  ok = TRUE;

out:
  if (crt != NULL)
    gnutls_x509_crt_deinit (crt);
  if (key != NULL)
    gnutls_x509_privkey_deinit (key);
  return ok;
}

/* Writes @contents to @path with mode 0600 through a temporary file, so a
 * crash never leaves half a key behind. */
static gboolean
write_private (const char *path, const char *contents, gsize length, GError **error)
{
  g_autofree char *temporary = g_strconcat (path, ".tmp", NULL);
  int              fd = g_open (temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  gsize            written = 0;

  if (fd < 0)
    goto fail;
  while (written < length)
    {
      ssize_t n = write (fd, contents + written, length - written);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          close (fd);
          g_unlink (temporary);
          goto fail;
        }
      written += (gsize)n;
    }
  if (fsync (fd) != 0 || close (fd) != 0 || g_rename (temporary, path) != 0)
    {
      g_unlink (temporary);
      goto fail;
    }
  return TRUE;

fail:
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), _ ("Cannot write “%s”: %s"), path,
               g_strerror (errno));
  return FALSE;
}

/**
 * nexus_tls_load_or_create:
 * @out_fingerprint: (out): the certificate's SHA-256, lowercase hex
 *
 * Returns: (transfer full): the certificate with its key
 */
GTlsCertificate *
nexus_tls_load_or_create (const char *pem_path, char **out_fingerprint, GError **error)
{
  g_autoptr (GTlsCertificate) certificate = NULL;

  if (!g_file_test (pem_path, G_FILE_TEST_EXISTS))
    {
      g_autoptr (GString) pem = g_string_new (NULL);

      if (!generate_pem (pem, error) || !write_private (pem_path, pem->str, pem->len, error))
        return NULL;
    }

  certificate = g_tls_certificate_new_from_file (pem_path, error);
  if (certificate == NULL)
    return NULL;

  *out_fingerprint = nexus_tls_fingerprint (certificate);
  return g_steal_pointer (&certificate);
}
