/* nexus-enrich.h — the "enrich" job kind of nexus-worker
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine queues an enrich job for each preview-only lead (one without
 * a valid phone), with the payload {"lead_id","website","name","country"}.
 * The worker fetches that website and looks for a way to reach the
 * business: tel: and mailto: links, then phone-like runs of the page's
 * text (Arabic-Indic and Eastern Arabic-Indic digits read as 0–9).  It
 * reports one LEAD {"provider":"enrich","ref":"enrich/LEAD_ID","name",
 * "phones","email","country"}, which the engine merges into the lead
 * (enrich_lead_id), or no result at all when the page has nothing.
 *
 * The website is the operator's data but the page is anyone's: fetching
 * it must not become a way into the worker's own network.  So:
 *
 *  - only http and https URLs, at most NEXUS_ENRICH_MAX_REDIRECTS
 *    redirects, each followed by hand and checked like the first URL;
 *  - the host of every URL is resolved (GResolver) and refused when any of
 *    its addresses is not public: loopback, private (RFC 1918, fc00::/7),
 *    link-local, CGNAT, multicast, unspecified, documentation and reserved
 *    ranges, and IPv4 inside IPv6 (mapped, NAT64) by the IPv4 rules; the
 *    address the connection then reaches is checked again before a byte is
 *    sent (a name that resolves differently the second time is caught);
 *  - no proxy (the environment's proxy would be the connected address);
 *  - at most NEXUS_ENRICH_MAX_BYTES of the body are read (the rest is not
 *    downloaded), and the whole fetch, redirects included, is cancelled at
 *    NEXUS_ENRICH_TIMEOUT_MS.
 *
 * NexusEnrichOptions.allow_loopback lets tests use a fake site on
 * 127.0.0.1; it is off unless set, and nexus-worker sets it only from
 * NEXUS_ENRICH_ALLOW_LOOPBACK=1.  It never allows private or link-local
 * addresses.
 *
 * Errors: a site that cannot be reached, times out or answers 5xx is
 * retryable; a refused host, a URL that is not http(s) or too many
 * redirects are not; a 4xx page is "nothing found" (an empty result).
 *
 * Threads: nexus_enrich_run() and nexus_enrich_fetch() block; call them
 * from a job thread.  The other functions are pure and thread-safe.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define NEXUS_ENRICH_ERROR (nexus_enrich_error_quark ())

typedef enum
{
  NEXUS_ENRICH_ERROR_INVALID, /* no lead id, a URL that is not http(s): not retryable */
  NEXUS_ENRICH_ERROR_REFUSED, /* a host that is not public, too many redirects: not retryable */
  NEXUS_ENRICH_ERROR_NETWORK, /* unreachable, too slow, 5xx: retryable */
} NexusEnrichError;

#define NEXUS_ENRICH_MAX_BYTES     (1024 * 1024)
#define NEXUS_ENRICH_TIMEOUT_MS    15000
#define NEXUS_ENRICH_MAX_REDIRECTS 3
/* Phones one page may give (the protocol's own cap on a LEAD). */
#define NEXUS_ENRICH_MAX_PHONES 16

typedef struct
{
  gboolean allow_loopback; /* tests only: 127.0.0.0/8 and ::1 count as public */
  gsize    max_bytes;      /* 0: NEXUS_ENRICH_MAX_BYTES */
  guint    timeout_ms;     /* 0: NEXUS_ENRICH_TIMEOUT_MS */
} NexusEnrichOptions;

GQuark nexus_enrich_error_quark (void);

gboolean   nexus_enrich_address_is_public (GInetAddress *address, gboolean allow_loopback);
gboolean   nexus_enrich_check_host (const char   *host,
                                    gboolean      allow_loopback,
                                    GCancellable *cancellable,
                                    GError      **error);
GBytes    *nexus_enrich_fetch (const NexusEnrichOptions *options,
                               const char               *url,
                               guint                    *out_status,
                               GCancellable             *cancellable,
                               GError                  **error);
GPtrArray *nexus_enrich_extract (const char *html, gsize length, char **out_email);
GPtrArray *nexus_enrich_run (const NexusEnrichOptions *options,
                             JsonObject               *payload,
                             GCancellable             *cancellable,
                             GError                  **error);
gboolean   nexus_enrich_error_is_retryable (const GError *error);

G_END_DECLS
