/* nexus-signature.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "nexus-signature.h"

/**
 * nexus_signature_compute:
 *
 * Returns: (transfer full): "v1=" followed by 64 lowercase hex digits
 */
char *
nexus_signature_compute (const char   *secret,
                         const char   *method,
                         const char   *path_and_query,
                         const char   *timestamp,
                         const char   *nonce,
                         const guint8 *body,
                         gsize         body_length)
{
  g_autofree char *body_hash = NULL;
  g_autofree char *to_sign = NULL;
  g_autofree char *mac = NULL;

  body_hash = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                           body != NULL ? body : (const guint8 *)"", body_length);
  to_sign = g_strdup_printf ("v1\n%s\n%s\n%s\n%s\n%s", method, path_and_query, timestamp, nonce,
                             body_hash);
  mac = g_compute_hmac_for_string (G_CHECKSUM_SHA256, (const guchar *)secret, strlen (secret),
                                   to_sign, -1);
  return g_strconcat ("v1=", mac, NULL);
}

/* Compares two NUL-terminated strings in time that depends only on their
 * lengths, never on where they first differ. */
gboolean
nexus_constant_time_equal (const char *a, const char *b)
{
  gsize  length_a = strlen (a);
  gsize  length_b = strlen (b);
  guint8 difference = length_a != length_b;

  for (gsize i = 0; i < length_a; i++)
    difference |= (guint8)a[i] ^ (guint8)b[i % MAX (length_b, 1)];
  return difference == 0;
}

/**
 * nexus_signature_header_valid:
 * @header: the X-Nexus-Signature value: one or more comma-separated
 *   "scheme=value" items
 * @expected: the "v1=…" computed by nexus_signature_compute()
 *
 * One matching v1 item suffices; items of other schemes are ignored.  Every
 * v1 item is compared, in constant time.
 */
gboolean
nexus_signature_header_valid (const char *header, const char *expected)
{
  g_auto (GStrv) items = NULL;
  gboolean valid = FALSE;

  if (header == NULL || expected == NULL)
    return FALSE;

  items = g_strsplit (header, ",", 16);
  for (guint i = 0; items[i] != NULL; i++)
    {
      const char *item = g_strstrip (items[i]);
      if (g_str_has_prefix (item, "v1="))
        valid |= nexus_constant_time_equal (item, expected);
    }
  return valid;
}

/* 16–64 characters of [A-Za-z0-9_-]. */
gboolean
nexus_signature_nonce_valid (const char *nonce)
{
  gsize length;

  if (nonce == NULL)
    return FALSE;
  length = strlen (nonce);
  if (length < 16 || length > 64)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isalnum (nonce[i]) && nonce[i] != '_' && nonce[i] != '-')
      return FALSE;
  return TRUE;
}

/* Unix seconds as decimal digits only (no sign, no spaces, at most 12). */
gboolean
nexus_signature_parse_timestamp (const char *text, gint64 *out_seconds)
{
  guint64 value = 0;
  gsize   length;

  if (text == NULL)
    return FALSE;
  length = strlen (text);
  if (length == 0 || length > 12)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isdigit (text[i]))
      return FALSE;
  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT64, &value, NULL))
    return FALSE;
  *out_seconds = (gint64)value;
  return TRUE;
}

/* Fills @buffer from the kernel's CSPRNG; blocks only before the pool is
 * first initialized at boot. */
void
nexus_random_bytes (guint8 *buffer, gsize length)
{
  gsize filled = 0;

  while (filled < length)
    {
      ssize_t n = getrandom (buffer + filled, length - filled, 0);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          g_error ("getrandom failed: %s", g_strerror (errno));
        }
      filled += (gsize)n;
    }
}

/* @n_bytes random bytes as unpadded base64url (no '+', '/' or '='). */
char *
nexus_random_token (gsize n_bytes)
{
  g_autofree guint8 *bytes = g_malloc (n_bytes);
  char              *text;

  nexus_random_bytes (bytes, n_bytes);
  text = g_base64_encode (bytes, n_bytes);
  g_strdelimit (text, "+", '-');
  g_strdelimit (text, "/", '_');
  g_strdelimit (text, "=", '\0');
  memset (bytes, 0, n_bytes);
  return text;
}

/* A fresh nonce: 24 random bytes, 32 characters. */
char *
nexus_signature_new_nonce (void)
{
  return nexus_random_token (24);
}
