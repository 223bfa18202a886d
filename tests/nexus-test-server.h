/* nexus-test-server.h — a local HTTP server in a thread, for the fakes
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The stand-ins for Overpass, Nominatim, Google Places and the engine's
 * worker API each answer from a SoupServer on 127.0.0.1 running in a thread
 * of its own with its own GMainContext.  This is that plumbing, once:
 *
 *   nexus_test_server_bind()  listens on a free port without starting the
 *                             thread (the caller may still set the
 *                             environment: setenv is not thread-safe);
 *   nexus_test_server_run()   starts answering with @handler (HTTPS when a
 *                             certificate is given) and returns once it does;
 *   nexus_test_server_stop()  stops the thread and frees what it holds.
 *
 * A fake embeds a NexusTestServer; sources it wants on the server's thread
 * (delayed answers) go to its context.  Header-only.
 */
#pragma once

#include <libsoup/soup.h>

typedef struct
{
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  SoupServer   *server;
  GSocket      *socket; /* listening before the thread starts */
  guint         port;

  GTlsCertificate   *certificate; /* NULL: plain HTTP */
  SoupServerCallback handler;
  gpointer           handler_data;

  GMutex   ready_lock;
  GCond    ready_cond;
  gboolean ready;
} NexusTestServer;

static inline void
nexus_test_server_bind (NexusTestServer *self)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;

  self->socket =
      g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (self->socket, any, TRUE, &error);
  g_assert_no_error (error);
  g_socket_listen (self->socket, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (self->socket, &error);
  g_assert_no_error (error);
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static inline gpointer
nexus_test_server_thread (gpointer data)
{
  NexusTestServer *self = data;
  g_autoptr (GError) error = NULL;

  g_main_context_push_thread_default (self->context);
  self->server = soup_server_new ("tls-certificate", self->certificate, NULL);
  soup_server_add_handler (self->server, NULL, self->handler, self->handler_data, NULL);
  soup_server_listen_socket (self->server, self->socket,
                             self->certificate != NULL ? SOUP_SERVER_LISTEN_HTTPS : 0, &error);
  g_assert_no_error (error);

  g_mutex_lock (&self->ready_lock);
  self->ready = TRUE;
  g_cond_signal (&self->ready_cond);
  g_mutex_unlock (&self->ready_lock);

  g_main_loop_run (self->loop);

  soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

/* Answers every request with @handler(@handler_data) from now on. */
static inline void
nexus_test_server_run (NexusTestServer   *self,
                       const char        *name,
                       GTlsCertificate   *certificate,
                       SoupServerCallback handler,
                       gpointer           handler_data)
{
  if (self->socket == NULL)
    nexus_test_server_bind (self);
  g_mutex_init (&self->ready_lock);
  g_cond_init (&self->ready_cond);
  self->certificate = certificate != NULL ? g_object_ref (certificate) : NULL;
  self->handler = handler;
  self->handler_data = handler_data;
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->thread = g_thread_new (name, nexus_test_server_thread, self);

  g_mutex_lock (&self->ready_lock);
  while (!self->ready)
    g_cond_wait (&self->ready_cond, &self->ready_lock);
  g_mutex_unlock (&self->ready_lock);
}

static inline gboolean
nexus_test_server_quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static inline void
nexus_test_server_stop (NexusTestServer *self)
{
  g_main_context_invoke (self->context, nexus_test_server_quit_cb, self->loop);
  g_thread_join (self->thread);
  g_clear_object (&self->socket);
  g_clear_object (&self->certificate);
  g_main_loop_unref (self->loop);
  g_main_context_unref (self->context);
  g_mutex_clear (&self->ready_lock);
  g_cond_clear (&self->ready_cond);
}
