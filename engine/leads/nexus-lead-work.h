/* nexus-lead-work.h — operators' changes to leads, on the engine thread
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The console's way to change leads and agents: each piece of work is
 * posted to the engine thread (nexus_engine_run_async()), runs there in
 * one transaction through the store (nexus-store-leads-work.h) or the
 * ingest pipeline (merge, split), and publishes what changed on the event
 * bus, so every view (the grid, the map, another window) can refresh:
 *
 *   "leads.changed"  {"action": "status" | "assign" | "category" | "note" |
 *                     "delete" | "undo" | "merge" | "split",
 *                     "ids": [lead ids]}
 *   "agents.changed" {"id": agent id}
 *
 * Any thread may call nexus_lead_work_run_async(); the answer comes on the
 * caller's thread-default main context.
 */
#pragma once

#include "nexus-engine.h"
#include "store/nexus-store-leads-work.h"

G_BEGIN_DECLS

typedef enum
{
  NEXUS_LEAD_WORK_EDIT,         /* edit */
  NEXUS_LEAD_WORK_UNDO,         /* undo */
  NEXUS_LEAD_WORK_MERGE,        /* lead_id stays, other_id is merged into it; the
                                 * fields named in take keep other_id's values */
  NEXUS_LEAD_WORK_SPLIT,        /* source_ids leave lead_id for a new lead */
  NEXUS_LEAD_WORK_AGENT_ADD,    /* name */
  NEXUS_LEAD_WORK_AGENT_RENAME, /* agent_id, name */
  NEXUS_LEAD_WORK_AGENT_ACTIVE, /* agent_id, active */
} NexusLeadWorkKind;

typedef struct
{
  NexusLeadWorkKind kind;
  NexusLeadsEdit   *edit;       /* owned; EDIT */
  NexusLeadsUndo   *undo;       /* owned; UNDO */
  gint64            lead_id;    /* MERGE, SPLIT */
  gint64            other_id;   /* MERGE */
  GStrv             take;       /* owned; MERGE: name, phone, address, website, category */
  GArray           *source_ids; /* owned, gint64; SPLIT */
  gint64            agent_id;   /* AGENT_RENAME, AGENT_ACTIVE */
  char             *name;       /* owned; AGENT_ADD, AGENT_RENAME */
  gboolean          active;     /* AGENT_ACTIVE */
} NexusLeadWork;

/* What a piece of work gives back. */
typedef struct
{
  NexusLeadsUndo *undo;   /* EDIT: puts the leads back; owned */
  gint64          new_id; /* SPLIT: the new lead; AGENT_ADD: the new agent */
  GArray         *ids;    /* gint64: the leads changed; owned */
} NexusLeadWorkResult;

NexusLeadWork *nexus_lead_work_new (NexusLeadWorkKind kind);
void           nexus_lead_work_free (NexusLeadWork *work);
void           nexus_lead_work_result_free (NexusLeadWorkResult *result);

void nexus_lead_work_run_async (NexusEngine        *engine,
                                NexusLeadWork      *work,
                                GCancellable       *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer            user_data);
NexusLeadWorkResult *
nexus_lead_work_run_finish (NexusEngine *engine, GAsyncResult *result, GError **error);
NexusLeadWorkResult *
nexus_lead_work_run_sync (NexusEngine *engine, NexusLeadWork *work, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusLeadWork, nexus_lead_work_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusLeadWorkResult, nexus_lead_work_result_free)

G_END_DECLS
