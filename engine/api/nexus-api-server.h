/* nexus-api-server.h — the worker API's HTTP server
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A NexusApiServer wraps the SoupServer that workers talk to.  It is created,
 * used and disposed on the engine thread only: libsoup attaches its sources
 * to the thread-default main context in force when it listens.
 *
 * The listen socket is made here, with a large backlog, and handed to
 * soup_server_listen_socket(): libsoup's own listen calls leave a backlog of
 * 10, which stalls connections under load.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define NEXUS_API_LISTEN_BACKLOG 4096
#define NEXUS_API_DEFAULT_LISTEN "127.0.0.1:8787"

#define NEXUS_TYPE_API_SERVER (nexus_api_server_get_type ())
G_DECLARE_FINAL_TYPE (NexusApiServer, nexus_api_server, NEXUS, API_SERVER, GObject)

NexusApiServer *nexus_api_server_new        (void);
GSocketAddress *nexus_api_parse_address     (const char      *address,
                                             GError         **error);
gboolean        nexus_api_server_listen     (NexusApiServer  *self,
                                             const char      *address,
                                             GError         **error);
guint16         nexus_api_server_get_port   (NexusApiServer  *self);
void            nexus_api_server_stop       (NexusApiServer  *self);

G_END_DECLS
