/* nexus-engine.h — the engine thread
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A NexusEngine owns a thread with its own GMainContext.  That thread holds
 * the single write connection (a NexusStore), the worker API's SoupServer and
 * the engine's timers.  Every write to the vault runs there.
 *
 * Any thread may post work:
 *
 *  - nexus_engine_run_async() runs a function on the engine thread with the
 *    write store and delivers its result to the caller's thread-default
 *    main context, through a GTask.
 *  - nexus_engine_read_async() runs a function in a GTask worker thread with
 *    a read-only store borrowed from a small pool (WAL lets readers run beside
 *    the writer).  Never use it to write.
 *  - the _sync variants block the calling thread; they are for the CLIs and
 *    tests, never for the GTK main thread.
 *
 * nexus_engine_shutdown() stops the HTTP server, lets the work already posted
 * finish, checkpoints the WAL, closes the store and joins the thread.  It is
 * idempotent and is also run when the last reference is dropped.
 */
#pragma once

#include <gio/gio.h>

#include "api/nexus-api-server.h"
#include "nexus-event-bus.h"
#include "queue/nexus-job-queue.h"
#include "store/nexus-store.h"

G_BEGIN_DECLS

#define NEXUS_ENGINE_ERROR (nexus_engine_error_quark ())

typedef enum
{
  NEXUS_ENGINE_ERROR_FAILED,
  NEXUS_ENGINE_ERROR_SHUT_DOWN,   /* work posted after shutdown */
  NEXUS_ENGINE_ERROR_BAD_ADDRESS, /* --listen value not ADDR:PORT */
  NEXUS_ENGINE_ERROR_LISTEN,      /* could not bind or listen */
} NexusEngineError;

typedef enum
{
  NEXUS_ENGINE_DEFAULT = 0,
  NEXUS_ENGINE_SEED_DEMO = 1 << 0, /* add demo leads when the file is created */
} NexusEngineFlags;

/* Runs on the engine thread (run) or a reader thread (read).  Returns a
 * result owned by the caller, or NULL with @error set.  A function that has
 * nothing to return returns GINT_TO_POINTER (TRUE). */
typedef gpointer (*NexusEngineFunc) (NexusStore *store, gpointer data, GError **error);

#define NEXUS_TYPE_ENGINE (nexus_engine_get_type ())
G_DECLARE_FINAL_TYPE (NexusEngine, nexus_engine, NEXUS, ENGINE, GObject)

GQuark nexus_engine_error_quark (void);

char *nexus_engine_default_db_path (void);

NexusEngine *nexus_engine_new (const char *db_path, NexusEngineFlags flags, GError **error);
const char  *nexus_engine_get_db_path (NexusEngine *self);
gboolean     nexus_engine_get_seeded_demo (NexusEngine *self);

gboolean nexus_engine_listen (NexusEngine *self, const char *address, GError **error);
guint16  nexus_engine_get_port (NexusEngine *self);

/* Engine thread only. */
NexusJobQueue      *nexus_engine_get_queue (NexusEngine *self);
const char         *nexus_engine_get_tls_fingerprint (NexusEngine *self);
NexusEventBus      *nexus_engine_get_event_bus (NexusEngine *self);
struct _NexusFleet *nexus_engine_get_fleet (NexusEngine *self);
void                nexus_engine_tick_operations (NexusEngine *self);
void                nexus_engine_probe_api (NexusEngine *self);
void                nexus_engine_set_api_config (NexusEngine *self, const NexusApiConfig *config);
void                nexus_engine_set_api_draining (NexusEngine *self, gboolean draining);

void     nexus_engine_run_async (NexusEngine        *self,
                                 NexusEngineFunc     func,
                                 gpointer            data,
                                 GDestroyNotify      data_destroy,
                                 GCancellable       *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer            user_data);
gpointer nexus_engine_run_finish (NexusEngine *self, GAsyncResult *result, GError **error);
gpointer
nexus_engine_run_sync (NexusEngine *self, NexusEngineFunc func, gpointer data, GError **error);

void     nexus_engine_read_async (NexusEngine        *self,
                                  NexusEngineFunc     func,
                                  gpointer            data,
                                  GDestroyNotify      data_destroy,
                                  GCancellable       *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data);
gpointer nexus_engine_read_finish (NexusEngine *self, GAsyncResult *result, GError **error);
gpointer
nexus_engine_read_sync (NexusEngine *self, NexusEngineFunc func, gpointer data, GError **error);

void   nexus_engine_count_leads_async (NexusEngine        *self,
                                       GCancellable       *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer            user_data);
gint64 nexus_engine_count_leads_finish (NexusEngine *self, GAsyncResult *result, GError **error);

void nexus_engine_shutdown (NexusEngine *self);

G_END_DECLS
