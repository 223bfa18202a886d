/* nexus-api-server.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nexus-api"

#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>

#include "nexus-api-server.h"
#include "nexus-engine.h"

struct _NexusApiServer
{
  GObject     parent_instance;

  /* Created in nexus_api_server_new() on the engine thread. */
  SoupServer *server;
  /* The socket we listen on; NULL until listening. */
  GSocket    *socket;
  /* The port actually bound (useful when asked for port 0). */
  guint16     port;
};

G_DEFINE_FINAL_TYPE (NexusApiServer, nexus_api_server, G_TYPE_OBJECT)

static void
send_error (SoupServerMessage *msg,
            guint              status,
            const char        *code,
            const char        *message)
{
  g_autofree char *escaped = g_strescape (message, NULL);
  g_autofree char *body = g_strdup_printf ("{\"error\":\"%s\",\"message\":\"%s\"}",
                                           code, escaped);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE,
                                    g_steal_pointer (&body), strlen (body));
}

static void
healthz_cb (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  const char *method = soup_server_message_get_method (msg);

  if (g_strcmp0 (path, "/healthz") != 0)
    {
      send_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", "No such endpoint");
      return;
    }

  if (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Allow", "GET, HEAD");
      send_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "bad_request", "Use GET");
      return;
    }

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "ok", 2);
}

static void
not_found_cb (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  send_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", "No such endpoint");
}

static void
nexus_api_server_dispose (GObject *object)
{
  NexusApiServer *self = (NexusApiServer *)object;

  nexus_api_server_stop (self);
  g_clear_object (&self->server);

  G_OBJECT_CLASS (nexus_api_server_parent_class)->dispose (object);
}

static void
nexus_api_server_class_init (NexusApiServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = nexus_api_server_dispose;
}

static void
nexus_api_server_init (NexusApiServer *self)
{
  self->server = soup_server_new ("server-header", "nexus/" PACKAGE_VERSION " ", NULL);
  soup_server_add_handler (self->server, "/healthz", healthz_cb, self, NULL);
  soup_server_add_handler (self->server, NULL, not_found_cb, self, NULL);
}

NexusApiServer *
nexus_api_server_new (void)
{
  return g_object_new (NEXUS_TYPE_API_SERVER, NULL);
}

/**
 * nexus_api_parse_address:
 * @address: "HOST:PORT" with a literal IPv4 address, or "[IPv6]:PORT"
 *
 * Host names are refused on purpose: the listen address decides who can
 * reach the engine, and a name could resolve to more than the operator meant.
 *
 * Returns: (transfer full): the address, or %NULL with @error set
 */
GSocketAddress *
nexus_api_parse_address (const char  *address,
                         GError     **error)
{
  g_autofree char *host = NULL;
  g_autoptr(GInetAddress) inet = NULL;
  const char *colon;
  const char *port_text;
  guint64 port = 0;

  if (address == NULL || *address == '\0')
    goto bad;

  if (address[0] == '[')
    {
      const char *end = strchr (address, ']');
      if (end == NULL || end[1] != ':')
        goto bad;
      host = g_strndup (address + 1, end - address - 1);
      port_text = end + 2;
    }
  else
    {
      colon = strrchr (address, ':');
      if (colon == NULL || strchr (address, ':') != colon)
        goto bad;
      host = g_strndup (address, colon - address);
      port_text = colon + 1;
    }

  if (!g_ascii_string_to_unsigned (port_text, 10, 0, 65535, &port, NULL))
    goto bad;

  inet = g_inet_address_new_from_string (host);
  if (inet == NULL)
    goto bad;

  return g_inet_socket_address_new (inet, (guint16)port);

bad:
  g_set_error (error, NEXUS_ENGINE_ERROR, NEXUS_ENGINE_ERROR_BAD_ADDRESS,
               _("“%s” is not a listen address: use IP:PORT, e.g. 127.0.0.1:8787 or [::1]:8787"),
               address != NULL ? address : "");
  return NULL;
}

/**
 * nexus_api_server_listen:
 *
 * Binds @address with a backlog of %NEXUS_API_LISTEN_BACKLOG and starts
 * serving.  Must run on the engine thread.
 */
gboolean
nexus_api_server_listen (NexusApiServer  *self,
                         const char      *address,
                         GError         **error)
{
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (NEXUS_IS_API_SERVER (self), FALSE);
  g_return_val_if_fail (self->socket == NULL, FALSE);

  socket_address = nexus_api_parse_address (address, error);
  if (socket_address == NULL)
    return FALSE;

  socket = g_socket_new (g_socket_address_get_family (socket_address),
                         G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &local_error);
  if (socket == NULL)
    goto fail;

  g_socket_set_listen_backlog (socket, NEXUS_API_LISTEN_BACKLOG);

  if (!g_socket_bind (socket, socket_address, TRUE, &local_error) ||
      !g_socket_listen (socket, &local_error) ||
      !soup_server_listen_socket (self->server, socket, 0, &local_error))
    goto fail;

  bound = g_socket_get_local_address (socket, NULL);
  if (bound != NULL)
    self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));

  self->socket = g_steal_pointer (&socket);
  g_debug ("Worker API listening on %s (port %u)", address, self->port);
  return TRUE;

fail:
  g_set_error (error, NEXUS_ENGINE_ERROR, NEXUS_ENGINE_ERROR_LISTEN,
               _("Cannot listen on %s: %s"), address, local_error->message);
  return FALSE;
}

guint16
nexus_api_server_get_port (NexusApiServer *self)
{
  g_return_val_if_fail (NEXUS_IS_API_SERVER (self), 0);

  return self->port;
}

/* Stops accepting connections and closes the open ones. */
void
nexus_api_server_stop (NexusApiServer *self)
{
  g_return_if_fail (NEXUS_IS_API_SERVER (self));

  if (self->socket == NULL)
    return;

  soup_server_disconnect (self->server);
  g_socket_close (self->socket, NULL);
  g_clear_object (&self->socket);
}
