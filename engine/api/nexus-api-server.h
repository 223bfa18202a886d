/* nexus-api-server.h — the worker API's HTTP server
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A NexusApiServer wraps the SoupServer that workers talk to (PROTOCOL.md).
 * It is created, used and stopped from the engine thread; it serves on a
 * thread of its own (HTTP, limits, signatures, JSON) and applies what
 * needs the engine's write store on the engine thread, many requests per
 * transaction (see nexus-api-private.h).
 *
 * What it guards, in order, for every /api/v1 request:
 *  1. a GCRA limit per source address, before any parsing or crypto (429);
 *  2. shutting down (503), the declared body size (413, before the body is
 *     read), the content type (415);
 *  3. the body is collected by us, never by libsoup, and the connection is
 *     closed as soon as it passes the cap (chunked uploads);
 *  4. the signature rules of nexus_workers_authenticate(): headers, window
 *     and signature from a NexusAuthCache on the API thread, the nonce (and,
 *     when credentials changed since, the signature again) in the engine's
 *     transaction; then a GCRA limit per worker;
 *  5. the JSON: valid UTF-8, nesting at most 32 deep, an object.
 * Our own timers close connections that send no complete request headers
 * within the header timeout (idle keep-alive and slow headers alike) and
 * those whose body does not arrive within the body timeout (slow drip).
 *
 * The listen socket is made here, with a large backlog, and handed to
 * soup_server_listen_socket(): libsoup's own listen calls leave a backlog of
 * 10, which stalls connections under load.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "nexus-event-bus.h"
#include "queue/nexus-job-queue.h"

G_BEGIN_DECLS

#define NEXUS_API_LISTEN_BACKLOG 4096
#define NEXUS_API_DEFAULT_LISTEN "127.0.0.1:8787"

typedef struct
{
  gsize    max_body;          /* bytes; 8 MiB by default */
  guint    header_timeout_ms; /* request headers must be complete within this */
  guint    body_timeout_ms;   /* the body must be complete within this after the headers */
  double   address_rate;      /* requests per second per source address */
  guint    address_burst;
  double   worker_rate; /* requests per second per authenticated worker */
  guint    worker_burst;
  guint    lease_ttl_s;     /* told to workers in the heartbeat answer */
  guint    max_wait_s;      /* longest long-poll a lease may ask for */
  gboolean tls;             /* serve HTTPS with the engine's own certificate */
  guint    commit_delay_ms; /* group commit: gather reports this long (0: until idle) */
} NexusApiConfig;

void nexus_api_config_init_default (NexusApiConfig *config);

#define NEXUS_TYPE_API_SERVER (nexus_api_server_get_type ())
G_DECLARE_FINAL_TYPE (NexusApiServer, nexus_api_server, NEXUS, API_SERVER, GObject)

NexusApiServer *nexus_api_server_new (NexusJobQueue        *queue,
                                      NexusEventBus        *events,
                                      const NexusApiConfig *config,
                                      GError              **error);
GSocketAddress *nexus_api_parse_address (const char *address, GError **error);
gboolean        nexus_api_server_listen (NexusApiServer *self, const char *address, GError **error);
guint16         nexus_api_server_get_port (NexusApiServer *self);
void  nexus_api_server_set_certificate (NexusApiServer *self, GTlsCertificate *certificate);
void  nexus_api_server_stop (NexusApiServer *self);
void  nexus_api_server_set_draining (NexusApiServer *self, gboolean draining);
guint nexus_api_server_get_n_open_requests (NexusApiServer *self);

G_END_DECLS
