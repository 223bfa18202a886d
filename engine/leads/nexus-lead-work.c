/* nexus-lead-work.c — operators' changes to leads, on the engine thread
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "nexus-leads"

#include "config.h"

#include <glib/gi18n.h>

#include "nexus-ingest.h"
#include "store/nexus-store-leads.h"
#include "nexus-lead-work.h"

/* What the engine thread gets: the work and the engine that publishes. */
typedef struct
{
  NexusEngine   *engine; /* owned */
  NexusLeadWork *work;   /* owned */
} Call;

static const char *const edit_actions[] = {
  [NEXUS_LEADS_EDIT_STATUS] = "status",     [NEXUS_LEADS_EDIT_ASSIGN] = "assign",
  [NEXUS_LEADS_EDIT_CATEGORY] = "category", [NEXUS_LEADS_EDIT_NOTE] = "note",
  [NEXUS_LEADS_EDIT_DELETE] = "delete",
};

NexusLeadWork *
nexus_lead_work_new (NexusLeadWorkKind kind)
{
  NexusLeadWork *work = g_new0 (NexusLeadWork, 1);

  work->kind = kind;
  return work;
}

void
nexus_lead_work_free (NexusLeadWork *work)
{
  if (work == NULL)
    return;
  g_clear_pointer (&work->edit, nexus_leads_edit_free);
  g_clear_pointer (&work->undo, nexus_leads_undo_free);
  g_clear_pointer (&work->source_ids, g_array_unref);
  g_strfreev (work->take);
  g_free (work->name);
  g_free (work);
}

void
nexus_lead_work_result_free (NexusLeadWorkResult *result)
{
  if (result == NULL)
    return;
  g_clear_pointer (&result->undo, nexus_leads_undo_free);
  g_clear_pointer (&result->ids, g_array_unref);
  g_free (result);
}

static void
call_free (Call *call)
{
  g_clear_object (&call->engine);
  nexus_lead_work_free (call->work);
  g_free (call);
}

static GArray *
ids_new (void)
{
  return g_array_new (FALSE, FALSE, sizeof (gint64));
}

static void
ids_add (GArray *ids, gint64 id)
{
  g_array_append_val (ids, id);
}

static void
publish_leads (NexusEngine *engine, const char *action, const GArray *ids)
{
  g_autoptr (JsonObject) data = json_object_new ();
  JsonArray *array = json_array_sized_new (ids->len);

  for (guint i = 0; i < ids->len; i++)
    json_array_add_int_element (array, g_array_index (ids, gint64, i));
  json_object_set_string_member (data, "action", action);
  json_object_set_array_member (data, "ids", array);
  nexus_event_bus_publish (nexus_engine_get_event_bus (engine), "leads.changed", data);
}

static void
publish_agent (NexusEngine *engine, gint64 agent_id)
{
  g_autoptr (JsonObject) data = json_object_new ();

  json_object_set_int_member (data, "id", agent_id);
  nexus_event_bus_publish (nexus_engine_get_event_bus (engine), "agents.changed", data);
}

static gboolean
run_agent (NexusStore *store, NexusLeadWork *work, NexusLeadWorkResult *result, GError **error)
{
  switch (work->kind)
    {
      case NEXUS_LEAD_WORK_AGENT_ADD:
        return nexus_store_agents_add (store, work->name, g_get_real_time () / G_USEC_PER_SEC,
                                       &result->new_id, error);
      case NEXUS_LEAD_WORK_AGENT_RENAME:
        result->new_id = work->agent_id;
        return nexus_store_agents_rename (store, work->agent_id, work->name, error);
      case NEXUS_LEAD_WORK_AGENT_ACTIVE:
        result->new_id = work->agent_id;
        return nexus_store_agents_set_active (store, work->agent_id, work->active, error);
      default:
        break;
    }
  g_return_val_if_reached (FALSE);
}

/* The fields an operator may take from the merged-away lead. */
static const char *const merge_fields[] = {
  "name", "phone", "address", "website", "category", NULL
};

static void
take_text (char **target, const char *value)
{
  g_free (*target);
  *target = g_strdup (value);
}

/* After a merge: the surviving lead takes the fields in @take from @other
 * (its row as it was before the merge).  Own transaction. */
static gboolean
take_values (NexusStore *store, gint64 keep, const NexusLeadRow *other, GStrv take, GError **error)
{
  g_auto (NexusLeadRow) row = { 0 };
  gboolean found = FALSE;

  if (!nexus_store_begin (store, error))
    return FALSE;
  if (!nexus_store_leads_get (store, keep, &row, &found, error))
    goto fail;
  for (guint i = 0; take[i] != NULL; i++)
    {
      if (g_str_equal (take[i], "name"))
        {
          take_text (&row.name, other->name);
          take_text (&row.name_norm, other->name_norm);
        }
      else if (g_str_equal (take[i], "phone"))
        take_text (&row.phone_e164, other->phone_e164);
      else if (g_str_equal (take[i], "address"))
        {
          take_text (&row.address, other->address);
          take_text (&row.address_norm, other->address_norm);
          take_text (&row.city, other->city);
          take_text (&row.city_norm, other->city_norm);
        }
      else if (g_str_equal (take[i], "website"))
        {
          take_text (&row.website, other->website);
          take_text (&row.website_host, other->website_host);
        }
      else if (g_str_equal (take[i], "category"))
        {
          take_text (&row.category, other->category);
          take_text (&row.category_source, "operator");
        }
    }
  if (!nexus_store_leads_update (store, &row, TRUE, g_get_real_time () / G_USEC_PER_SEC, error) ||
      !nexus_store_commit (store, error))
    goto fail;
  return TRUE;

fail:
  nexus_store_rollback (store);
  return FALSE;
}

static gboolean
run_merge (NexusStore *store, NexusIngest *ingest, NexusLeadWork *work, GError **error)
{
  g_auto (NexusLeadRow) other = { 0 };
  gboolean found = FALSE;

  for (guint i = 0; work->take != NULL && work->take[i] != NULL; i++)
    if (!g_strv_contains (merge_fields, work->take[i]))
      {
        g_set_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_INVALID,
                     "A merge cannot take the field “%s”", work->take[i]);
        return FALSE;
      }

  if (!nexus_store_leads_get (store, work->other_id, &other, &found, error))
    return FALSE;
  if (!found)
    {
      g_set_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_NOT_FOUND,
                   _ ("The lead was deleted or merged into another."));
      return FALSE;
    }
  if (!nexus_ingest_merge_leads (ingest, work->lead_id, work->other_id, "operator", error))
    return FALSE;
  if (work->take == NULL || work->take[0] == NULL)
    return TRUE;
  return take_values (store, work->lead_id, &other, work->take, error);
}

/* Engine thread. */
static gpointer
run_func (NexusStore *store, gpointer data, GError **error)
{
  Call          *call = data;
  NexusLeadWork *work = call->work;
  g_autoptr (NexusLeadWorkResult) result = g_new0 (NexusLeadWorkResult, 1);
  const char *action = NULL;

  result->ids = ids_new ();
  switch (work->kind)
    {
      case NEXUS_LEAD_WORK_EDIT:
        if (!nexus_store_leads_edit (store, work->edit, g_get_real_time () / G_USEC_PER_SEC,
                                     &result->undo, error))
          return NULL;
        g_array_append_vals (result->ids, nexus_leads_undo_get_ids (result->undo)->data,
                             nexus_leads_undo_get_ids (result->undo)->len);
        action = edit_actions[work->edit->kind];
        break;

      case NEXUS_LEAD_WORK_UNDO:
        if (!nexus_store_leads_undo (store, work->undo, error))
          return NULL;
        g_array_append_vals (result->ids, nexus_leads_undo_get_ids (work->undo)->data,
                             nexus_leads_undo_get_ids (work->undo)->len);
        action = "undo";
        break;

      case NEXUS_LEAD_WORK_MERGE:
      case NEXUS_LEAD_WORK_SPLIT:
        {
          NexusIngest *ingest = nexus_ingest_get_for_store (store, error);

          if (ingest == NULL)
            return NULL;
          if (work->kind == NEXUS_LEAD_WORK_MERGE)
            {
              if (!run_merge (store, ingest, work, error))
                return NULL;
              ids_add (result->ids, work->lead_id);
              ids_add (result->ids, work->other_id);
              action = "merge";
            }
          else
            {
              if (!nexus_ingest_split_lead (
                      ingest, work->lead_id, (const gint64 *)work->source_ids->data,
                      work->source_ids->len, "operator", &result->new_id, error))
                return NULL;
              ids_add (result->ids, work->lead_id);
              ids_add (result->ids, result->new_id);
              action = "split";
            }
          break;
        }

      case NEXUS_LEAD_WORK_AGENT_ADD:
      case NEXUS_LEAD_WORK_AGENT_RENAME:
      case NEXUS_LEAD_WORK_AGENT_ACTIVE:
        if (!run_agent (store, work, result, error))
          return NULL;
        publish_agent (call->engine, result->new_id);
        return g_steal_pointer (&result);

      default:
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "Unknown lead work");
        return NULL;
    }

  publish_leads (call->engine, action, result->ids);
  return g_steal_pointer (&result);
}

static Call *
call_new (NexusEngine *engine, NexusLeadWork *work)
{
  Call *call = g_new0 (Call, 1);

  call->engine = g_object_ref (engine);
  call->work = work;
  return call;
}

/**
 * nexus_lead_work_run_async:
 * @engine: the engine
 * @work: (transfer full): what to do
 *
 * Runs @work on the engine thread; the result is a #NexusLeadWorkResult.
 */
void
nexus_lead_work_run_async (NexusEngine        *engine,
                           NexusLeadWork      *work,
                           GCancellable       *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer            user_data)
{
  g_return_if_fail (NEXUS_IS_ENGINE (engine));
  g_return_if_fail (work != NULL);

  nexus_engine_run_async (engine, run_func, call_new (engine, work), (GDestroyNotify)call_free,
                          cancellable, callback, user_data);
}

/**
 * nexus_lead_work_run_finish:
 *
 * Returns: (transfer full): what the work gave, or NULL with @error set
 */
NexusLeadWorkResult *
nexus_lead_work_run_finish (NexusEngine *engine, GAsyncResult *result, GError **error)
{
  return nexus_engine_run_finish (engine, result, error);
}

/**
 * nexus_lead_work_run_sync:
 * @work: (transfer full): what to do
 *
 * Blocks until @work ran on the engine thread: for tests and the command
 * line, never the GTK main thread.
 */
NexusLeadWorkResult *
nexus_lead_work_run_sync (NexusEngine *engine, NexusLeadWork *work, GError **error)
{
  Call                *call = call_new (engine, work);
  NexusLeadWorkResult *result = nexus_engine_run_sync (engine, run_func, call, error);

  call_free (call);
  return result;
}
