/* nexus-store-leads-work.h — what operators do to leads, and its undo
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An edit (a status with its note, an assignment, a category, a note, a
 * deletion) applies to one or many leads in one transaction and writes the
 * lead_history rows that tell who did what and when.  Before it changes
 * anything it takes a snapshot of every row it may touch (the leads rows
 * and, per lead, its history and assignments; for a deletion also its
 * phones, sources, distinct pairs and label), so that
 * nexus_store_leads_undo() can put back exactly the previous state, again
 * in one transaction.
 *
 * Agents (the sales people leads are assigned to) are added, renamed and
 * deactivated here; an agent is never deleted, so history keeps its name.
 *
 * Rules:
 *
 *  - Same thread rules as NexusStore.  The functions that write open their
 *    own transaction (console: the engine thread, through
 *    engine/leads/nexus-lead-work.h, which also publishes the events).
 *  - A NexusLeadsUndo is plain data: it may travel between threads, and is
 *    used at most once.
 *  - The snapshot statements are built from the column names SQLite
 *    reports for the tables below, never from input.
 */
#pragma once

#include "nexus-store.h"

G_BEGIN_DECLS

typedef enum
{
  NEXUS_LEADS_EDIT_STATUS,   /* value: the status; note: optional */
  NEXUS_LEADS_EDIT_ASSIGN,   /* agent_id: an active agent, or 0 to unassign */
  NEXUS_LEADS_EDIT_CATEGORY, /* value: the category (operator's) */
  NEXUS_LEADS_EDIT_NOTE,     /* note: the text */
  NEXUS_LEADS_EDIT_DELETE,   /* the leads and everything that goes with them */
} NexusLeadsEditKind;

/* Most leads one edit may change: its undo holds them in memory. */
#define NEXUS_LEADS_EDIT_MAX 100000

typedef struct
{
  NexusLeadsEditKind kind;
  GArray            *ids;      /* gint64 lead ids, owned */
  char              *value;    /* owned; STATUS and CATEGORY */
  char              *note;     /* owned; STATUS (optional) and NOTE */
  gint64             agent_id; /* ASSIGN */
  char              *actor;    /* owned; who does it, "operator" when NULL */
} NexusLeadsEdit;

typedef struct _NexusLeadsUndo NexusLeadsUndo;

/* One line of a lead's history, newest first.  kind is status, note,
 * assign, category, merge, split or promote; for assign the values are the
 * agents' names (NULL: nobody). */
typedef struct
{
  gint64 at;        /* Unix seconds */
  char  *actor;     /* who */
  char  *kind;      /* what */
  char  *old_value; /* before, or NULL */
  char  *new_value; /* after, or NULL */
  char  *note;      /* the operator's note; for merges the other lead's id */
} NexusLeadHistoryEntry;

typedef struct
{
  gint64   id;      /* agents.id */
  char    *name;    /* as the operator wrote it */
  gboolean active;  /* inactive agents keep their leads but get no new ones */
  gint64   n_leads; /* leads assigned to the agent now */
} NexusAgent;

NexusLeadsEdit *nexus_leads_edit_new (NexusLeadsEditKind kind);
void            nexus_leads_edit_add_id (NexusLeadsEdit *edit, gint64 lead_id);
void            nexus_leads_edit_free (NexusLeadsEdit *edit);
void            nexus_leads_undo_free (NexusLeadsUndo *undo);
const GArray   *nexus_leads_undo_get_ids (const NexusLeadsUndo *undo);
void            nexus_lead_history_entry_free (NexusLeadHistoryEntry *entry);
void            nexus_agent_free (NexusAgent *agent);

gboolean   nexus_store_leads_edit (NexusStore           *store,
                                   const NexusLeadsEdit *edit,
                                   gint64                now,
                                   NexusLeadsUndo      **out_undo,
                                   GError              **error);
gboolean   nexus_store_leads_undo (NexusStore *store, const NexusLeadsUndo *undo, GError **error);
GPtrArray *nexus_store_leads_list_history (NexusStore *store, gint64 lead_id, GError **error);

GPtrArray *nexus_store_agents_list (NexusStore *store, gboolean with_inactive, GError **error);
gboolean   nexus_store_agents_add (NexusStore *store,
                                   const char *name,
                                   gint64      now,
                                   gint64     *out_agent_id,
                                   GError    **error);
gboolean
nexus_store_agents_rename (NexusStore *store, gint64 agent_id, const char *name, GError **error);
gboolean
nexus_store_agents_set_active (NexusStore *store, gint64 agent_id, gboolean active, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusLeadsEdit, nexus_leads_edit_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusLeadsUndo, nexus_leads_undo_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusLeadHistoryEntry, nexus_lead_history_entry_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusAgent, nexus_agent_free)

G_END_DECLS
