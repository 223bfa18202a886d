/* nexus-store-leads-work.c — edits of leads with their history and undo
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See nexus-store-leads-work.h for the rules.  The undo is a snapshot of
 * rows, table by table: every column as SQLite stored it (a protected
 * sqlite3_value copy), so the restore writes back the exact values, types
 * included, without knowing what each column means.
 */
#define G_LOG_DOMAIN "nexus-store"

#include "config.h"

#include <inttypes.h>

#include "nexus-store-leads-work.h"
#include "nexus-store-private.h"

static const char *const statuses[] = { "new", "contacted", "qualified", "won", "lost", NULL };

/* The tables an undo may restore, and the condition that finds a lead's
 * rows in each.  leads comes first: the others refer to it. */
typedef struct
{
  const char *table;
  const char *where; /* with ?1: the lead id */
  gboolean delete;   /* only snapshotted for a deletion */
} UndoTable;

static const UndoTable undo_tables[] = {
  { "leads", "id = ?1", FALSE },
  { "lead_history", "lead_id = ?1", FALSE },
  { "assignments", "lead_id = ?1", FALSE },
  { "lead_phones", "lead_id = ?1", TRUE },
  { "lead_sources", "lead_id = ?1", TRUE },
  { "lead_distinct", "a = ?1 OR b = ?1", TRUE },
  { "category_labels", "lead_id = ?1", TRUE },
};

/* The rows of one table taken for one lead. */
typedef struct
{
  guint      table;     /* index in undo_tables */
  gint64     lead_id;   /* whose rows */
  GStrv      columns;   /* the column names, in order */
  GPtrArray *rows;      /* sqlite3_value *[n_columns], owned */
  guint      n_columns; /* length of columns */
} TableRows;

struct _NexusLeadsUndo
{
  NexusLeadsEditKind kind;      /* what is undone */
  GArray            *ids;       /* gint64: the leads */
  GPtrArray         *snapshots; /* TableRows, in undo_tables order per lead */
};

static void
value_row_free (gpointer data)
{
  sqlite3_value **values = data;

  for (guint i = 0; values[i] != NULL; i++)
    sqlite3_value_free (values[i]);
  g_free (values);
}

static void
table_rows_free (TableRows *rows)
{
  g_strfreev (rows->columns);
  g_ptr_array_unref (rows->rows);
  g_free (rows);
}

NexusLeadsEdit *
nexus_leads_edit_new (NexusLeadsEditKind kind)
{
  NexusLeadsEdit *edit = g_new0 (NexusLeadsEdit, 1);

  edit->kind = kind;
  edit->ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  return edit;
}

void
nexus_leads_edit_add_id (NexusLeadsEdit *edit, gint64 lead_id)
{
  g_array_append_val (edit->ids, lead_id);
}

void
nexus_leads_edit_free (NexusLeadsEdit *edit)
{
  if (edit == NULL)
    return;
  g_array_unref (edit->ids);
  g_free (edit->value);
  g_free (edit->note);
  g_free (edit->actor);
  g_free (edit);
}

void
nexus_leads_undo_free (NexusLeadsUndo *undo)
{
  if (undo == NULL)
    return;
  g_array_unref (undo->ids);
  g_ptr_array_unref (undo->snapshots);
  g_free (undo);
}

/**
 * nexus_leads_undo_get_ids:
 *
 * Returns: (transfer none) (element-type gint64): the leads the undo puts
 *   back
 */
const GArray *
nexus_leads_undo_get_ids (const NexusLeadsUndo *undo)
{
  return undo->ids;
}

void
nexus_lead_history_entry_free (NexusLeadHistoryEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->actor);
  g_free (entry->kind);
  g_free (entry->old_value);
  g_free (entry->new_value);
  g_free (entry->note);
  g_free (entry);
}

void
nexus_agent_free (NexusAgent *agent)
{
  if (agent == NULL)
    return;
  g_free (agent->name);
  g_free (agent);
}

static char *
dup_text (sqlite3_stmt *stmt, int column)
{
  const unsigned char *text = sqlite3_column_text (stmt, column);

  return text != NULL ? g_strdup ((const char *)text) : NULL;
}

static void
bind_text_or_null (sqlite3_stmt *stmt, int index, const char *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, index);
}

/* Snapshot: the rows of @lead_id in one table. */
static TableRows *
snapshot_table (NexusStore *store, guint table, gint64 lead_id, GError **error)
{
  g_autofree char *sql = g_strdup_printf ("SELECT * FROM \"%s\" WHERE %s", undo_tables[table].table,
                                          undo_tables[table].where);
  TableRows       *rows;
  sqlite3_stmt    *stmt;
  int              rc;

  stmt = _nexus_store_prepare (store, sql, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, lead_id);

  rows = g_new0 (TableRows, 1);
  rows->table = table;
  rows->lead_id = lead_id;
  rows->n_columns = sqlite3_column_count (stmt);
  rows->columns = g_new0 (char *, rows->n_columns + 1);
  for (guint i = 0; i < rows->n_columns; i++)
    rows->columns[i] = g_strdup (sqlite3_column_name (stmt, i));
  rows->rows = g_ptr_array_new_with_free_func (value_row_free);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      sqlite3_value **values = g_new0 (sqlite3_value *, rows->n_columns + 1);

      for (guint i = 0; i < rows->n_columns; i++)
        values[i] = sqlite3_value_dup (sqlite3_column_value (stmt, i));
      g_ptr_array_add (rows->rows, values);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _nexus_store_set_error (store, rc, error, "taking the undo snapshot of a lead");
      table_rows_free (rows);
      return NULL;
    }
  return rows;
}

static gboolean
snapshot_lead (NexusStore     *store,
               NexusLeadsUndo *undo,
               gint64          lead_id,
               gboolean        deleting,
               GError        **error)
{
  for (guint t = 0; t < G_N_ELEMENTS (undo_tables); t++)
    {
      TableRows *rows;

      if (undo_tables[t].delete &&!deleting)
        continue;
      rows = snapshot_table (store, t, lead_id, error);
      if (rows == NULL)
        return FALSE;
      g_ptr_array_add (undo->snapshots, rows);
    }
  return TRUE;
}

/* Restore: writes back the rows of one snapshot.  The lead's row is
 * updated in place when it still exists (so nothing that refers to it is
 * cascaded away) and inserted again when it was deleted; the rows of the
 * other tables are deleted and inserted as they were. */
static gboolean
restore_table (NexusStore *store, const TableRows *rows, GError **error)
{
  const UndoTable *table = &undo_tables[rows->table];
  sqlite3_stmt    *stmt;
  g_autoptr (GString) insert = g_string_new (NULL);
  gboolean is_leads = g_str_equal (table->table, "leads");

  if (!is_leads)
    {
      g_autofree char *sql =
          g_strdup_printf ("DELETE FROM \"%s\" WHERE %s", table->table, table->where);

      stmt = _nexus_store_prepare (store, sql, error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, rows->lead_id);
      if (!_nexus_store_step_done (store, stmt, "clearing rows for an undo", error))
        return FALSE;
    }

  /* INSERT OR REPLACE for the other tables: a category label kept with a
   * NULL lead after the deletion is the same row (same id) again.  For
   * leads an UPSERT on the id: the row is updated, never deleted. */
  g_string_append_printf (insert, "INSERT %sINTO \"%s\" (", is_leads ? "" : "OR REPLACE ",
                          table->table);
  for (guint i = 0; i < rows->n_columns; i++)
    g_string_append_printf (insert, "%s\"%s\"", i > 0 ? ", " : "", rows->columns[i]);
  g_string_append (insert, ") VALUES (");
  for (guint i = 0; i < rows->n_columns; i++)
    g_string_append_printf (insert, "%s?%u", i > 0 ? ", " : "", i + 1);
  g_string_append (insert, ")");
  if (is_leads)
    {
      g_string_append (insert, " ON CONFLICT (id) DO UPDATE SET ");
      for (guint i = 0, n = 0; i < rows->n_columns; i++)
        if (!g_str_equal (rows->columns[i], "id"))
          g_string_append_printf (insert, "%s\"%s\" = excluded.\"%s\"", n++ > 0 ? ", " : "",
                                  rows->columns[i], rows->columns[i]);
    }

  stmt = _nexus_store_prepare (store, insert->str, error);
  if (stmt == NULL)
    return FALSE;
  for (guint r = 0; r < rows->rows->len; r++)
    {
      sqlite3_value **values = g_ptr_array_index (rows->rows, r);

      sqlite3_reset (stmt);
      for (guint i = 0; i < rows->n_columns; i++)
        sqlite3_bind_value (stmt, i + 1, values[i]);
      if (!_nexus_store_step_done (store, stmt, "restoring rows for an undo", error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
is_blank (const char *text)
{
  g_autofree char *clean = g_strstrip (g_strdup (text != NULL ? text : ""));

  return clean[0] == '\0';
}

static gboolean
check_edit (NexusStore *store, const NexusLeadsEdit *edit, GError **error)
{
  if (edit->ids->len == 0 || edit->ids->len > NEXUS_LEADS_EDIT_MAX)
    {
      g_set_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_INVALID,
                   "An edit changes between 1 and %d leads, not %u", NEXUS_LEADS_EDIT_MAX,
                   edit->ids->len);
      return FALSE;
    }

  switch (edit->kind)
    {
      case NEXUS_LEADS_EDIT_STATUS:
        if (edit->value == NULL || !g_strv_contains (statuses, edit->value))
          {
            g_set_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_INVALID,
                         "Unknown lead status “%s”", edit->value != NULL ? edit->value : "");
            return FALSE;
          }
        return TRUE;

      case NEXUS_LEADS_EDIT_CATEGORY:
        if (is_blank (edit->value))
          {
            g_set_error_literal (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_INVALID,
                                 "A category cannot be empty");
            return FALSE;
          }
        return TRUE;

      case NEXUS_LEADS_EDIT_NOTE:
        if (is_blank (edit->note))
          {
            g_set_error_literal (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_INVALID,
                                 "A note cannot be empty");
            return FALSE;
          }
        return TRUE;

      case NEXUS_LEADS_EDIT_ASSIGN:
        if (edit->agent_id != 0)
          {
            sqlite3_stmt *stmt =
                _nexus_store_prepare (store, "SELECT active FROM agents WHERE id = ?", error);
            int      rc;
            gboolean active = FALSE;

            if (stmt == NULL)
              return FALSE;
            sqlite3_bind_int64 (stmt, 1, edit->agent_id);
            rc = sqlite3_step (stmt);
            if (rc == SQLITE_ROW)
              active = sqlite3_column_int (stmt, 0) != 0;
            sqlite3_reset (stmt);
            if (rc != SQLITE_ROW && rc != SQLITE_DONE)
              {
                _nexus_store_set_error (store, rc, error, "reading an agent");
                return FALSE;
              }
            if (!active)
              {
                g_set_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_INVALID,
                             "Agent %" PRId64 " does not exist or is inactive", edit->agent_id);
                return FALSE;
              }
          }
        return TRUE;

      case NEXUS_LEADS_EDIT_DELETE:
        return TRUE;

      default:
        break;
    }

  g_set_error_literal (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_INVALID, "Unknown lead edit");
  return FALSE;
}

static gboolean
add_history (NexusStore           *store,
             const NexusLeadsEdit *edit,
             gint64                lead_id,
             const char           *kind,
             const char           *old_value,
             const char           *new_value,
             gint64                now,
             GError              **error)
{
  sqlite3_stmt *stmt = _nexus_store_prepare (
      store,
      "INSERT INTO lead_history (lead_id, at, actor, kind, old_value, new_value, note)"
      " VALUES (?, ?, ?, ?, ?, ?, ?)",
      error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, lead_id);
  sqlite3_bind_int64 (stmt, 2, now);
  sqlite3_bind_text (stmt, 3, edit->actor != NULL ? edit->actor : "operator", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, kind, -1, SQLITE_STATIC);
  bind_text_or_null (stmt, 5, old_value);
  bind_text_or_null (stmt, 6, new_value);
  bind_text_or_null (stmt, 7, edit->note != NULL && edit->note[0] != '\0' ? edit->note : NULL);
  return _nexus_store_step_done (store, stmt, "recording the history of a lead", error);
}

/* The lead's row in the snapshot: the old values of what the edit changes. */
static const char *
snapshot_text (const TableRows *rows, const char *column)
{
  sqlite3_value **values;

  if (rows->rows->len == 0)
    return NULL;
  values = g_ptr_array_index (rows->rows, 0);
  for (guint i = 0; i < rows->n_columns; i++)
    if (g_str_equal (rows->columns[i], column))
      return (const char *)sqlite3_value_text (values[i]);
  return NULL;
}

static gboolean
edit_one (NexusStore           *store,
          const NexusLeadsEdit *edit,
          gint64                lead_id,
          const TableRows      *before,
          gint64                now,
          GError              **error)
{
  sqlite3_stmt *stmt;

  switch (edit->kind)
    {
      case NEXUS_LEADS_EDIT_STATUS:
        {
          g_autofree char *old = g_strdup (snapshot_text (before, "status"));

          stmt = _nexus_store_prepare (store,
                                       "UPDATE leads SET status = ?, notes = coalesce (?, notes),"
                                       " updated_at = ? WHERE id = ?",
                                       error);
          if (stmt == NULL)
            return FALSE;
          sqlite3_bind_text (stmt, 1, edit->value, -1, SQLITE_STATIC);
          bind_text_or_null (stmt, 2,
                             edit->note != NULL && edit->note[0] != '\0' ? edit->note : NULL);
          sqlite3_bind_int64 (stmt, 3, now);
          sqlite3_bind_int64 (stmt, 4, lead_id);
          return _nexus_store_step_done (store, stmt, "setting the status of a lead", error) &&
                 add_history (store, edit, lead_id, "status", old, edit->value, now, error);
        }

      case NEXUS_LEADS_EDIT_CATEGORY:
        {
          g_autofree char *old = g_strdup (snapshot_text (before, "category"));
          g_autofree char *value = g_strstrip (g_strdup (edit->value));

          stmt = _nexus_store_prepare (store,
                                       "UPDATE leads SET category = ?, category_source ="
                                       " 'operator', updated_at = ? WHERE id = ?",
                                       error);
          if (stmt == NULL)
            return FALSE;
          sqlite3_bind_text (stmt, 1, value, -1, SQLITE_STATIC);
          sqlite3_bind_int64 (stmt, 2, now);
          sqlite3_bind_int64 (stmt, 3, lead_id);
          return _nexus_store_step_done (store, stmt, "setting the category of a lead", error) &&
                 add_history (store, edit, lead_id, "category", old, value, now, error);
        }

      case NEXUS_LEADS_EDIT_NOTE:
        stmt = _nexus_store_prepare (
            store, "UPDATE leads SET notes = ?, updated_at = ? WHERE id = ?", error);
        if (stmt == NULL)
          return FALSE;
        sqlite3_bind_text (stmt, 1, edit->note, -1, SQLITE_STATIC);
        sqlite3_bind_int64 (stmt, 2, now);
        sqlite3_bind_int64 (stmt, 3, lead_id);
        return _nexus_store_step_done (store, stmt, "writing the note of a lead", error) &&
               add_history (store, edit, lead_id, "note", NULL, NULL, now, error);

      case NEXUS_LEADS_EDIT_ASSIGN:
        {
          g_autofree char *old = g_strdup (snapshot_text (before, "agent_id"));
          g_autofree char *new =
              edit->agent_id > 0 ? g_strdup_printf ("%" PRId64, edit->agent_id) : NULL;

          stmt = _nexus_store_prepare (
              store, "UPDATE leads SET agent_id = ?, updated_at = ? WHERE id = ?", error);
          if (stmt == NULL)
            return FALSE;
          if (edit->agent_id > 0)
            sqlite3_bind_int64 (stmt, 1, edit->agent_id);
          else
            sqlite3_bind_null (stmt, 1);
          sqlite3_bind_int64 (stmt, 2, now);
          sqlite3_bind_int64 (stmt, 3, lead_id);
          if (!_nexus_store_step_done (store, stmt, "assigning a lead", error))
            return FALSE;

          stmt = _nexus_store_prepare (store,
                                       "UPDATE assignments SET unassigned_at = ?"
                                       " WHERE lead_id = ? AND unassigned_at IS NULL",
                                       error);
          if (stmt == NULL)
            return FALSE;
          sqlite3_bind_int64 (stmt, 1, now);
          sqlite3_bind_int64 (stmt, 2, lead_id);
          if (!_nexus_store_step_done (store, stmt, "closing an assignment", error))
            return FALSE;

          if (edit->agent_id > 0)
            {
              stmt = _nexus_store_prepare (store,
                                           "INSERT INTO assignments (lead_id, agent_id,"
                                           " assigned_at, assigned_by) VALUES (?, ?, ?, ?)",
                                           error);
              if (stmt == NULL)
                return FALSE;
              sqlite3_bind_int64 (stmt, 1, lead_id);
              sqlite3_bind_int64 (stmt, 2, edit->agent_id);
              sqlite3_bind_int64 (stmt, 3, now);
              sqlite3_bind_text (stmt, 4, edit->actor != NULL ? edit->actor : "operator", -1,
                                 SQLITE_STATIC);
              if (!_nexus_store_step_done (store, stmt, "recording an assignment", error))
                return FALSE;
            }
          return add_history (store, edit, lead_id, "assign", old, new, now, error);
        }

      case NEXUS_LEADS_EDIT_DELETE:
        stmt = _nexus_store_prepare (store, "DELETE FROM leads WHERE id = ?", error);
        if (stmt == NULL)
          return FALSE;
        sqlite3_bind_int64 (stmt, 1, lead_id);
        return _nexus_store_step_done (store, stmt, "deleting a lead", error);

      default:
        break;
    }
  g_return_val_if_reached (FALSE);
}

/**
 * nexus_store_leads_edit:
 * @store: the write store
 * @edit: what to do to which leads
 * @now: Unix seconds, for the history
 * @out_undo: (out) (optional): what puts the leads back as they were
 * @error: return location for a #GError
 *
 * Applies @edit to every lead of @edit->ids that exists (ids that do not
 * are skipped) in one transaction of its own.
 *
 * Returns: %TRUE on success; on failure nothing changed
 */
gboolean
nexus_store_leads_edit (NexusStore           *store,
                        const NexusLeadsEdit *edit,
                        gint64                now,
                        NexusLeadsUndo      **out_undo,
                        GError              **error)
{
  g_autoptr (NexusLeadsUndo) undo = NULL;
  gboolean deleting;

  g_return_val_if_fail (NEXUS_IS_STORE (store), FALSE);
  g_return_val_if_fail (edit != NULL, FALSE);

  if (!check_edit (store, edit, error))
    return FALSE;

  deleting = edit->kind == NEXUS_LEADS_EDIT_DELETE;
  undo = g_new0 (NexusLeadsUndo, 1);
  undo->kind = edit->kind;
  undo->ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  undo->snapshots = g_ptr_array_new_with_free_func ((GDestroyNotify)table_rows_free);

  if (!nexus_store_begin (store, error))
    return FALSE;

  for (guint i = 0; i < edit->ids->len; i++)
    {
      gint64     lead_id = g_array_index (edit->ids, gint64, i);
      guint      first = undo->snapshots->len;
      TableRows *lead_rows;

      if (!snapshot_lead (store, undo, lead_id, deleting, error))
        goto fail;
      lead_rows = g_ptr_array_index (undo->snapshots, first);
      if (lead_rows->rows->len == 0)
        {
          /* No such lead (deleted meanwhile): nothing to do or undo. */
          g_ptr_array_remove_range (undo->snapshots, first, undo->snapshots->len - first);
          continue;
        }
      g_array_append_val (undo->ids, lead_id);
      if (!edit_one (store, edit, lead_id, lead_rows, now, error))
        goto fail;
    }

  if (!nexus_store_commit (store, error))
    goto fail;

  if (out_undo != NULL)
    *out_undo = g_steal_pointer (&undo);
  return TRUE;

fail:
  nexus_store_rollback (store);
  return FALSE;
}

/**
 * nexus_store_leads_undo:
 * @store: the write store
 * @undo: what nexus_store_leads_edit() gave
 * @error: return location for a #GError
 *
 * Puts every row the edit changed back as it was before the edit, in one
 * transaction of its own: the leads' columns, their history and
 * assignments, and for a deletion the leads with their phones, sources,
 * distinct pairs and labels.
 *
 * Returns: %TRUE on success; on failure nothing changed
 */
gboolean
nexus_store_leads_undo (NexusStore *store, const NexusLeadsUndo *undo, GError **error)
{
  g_return_val_if_fail (NEXUS_IS_STORE (store), FALSE);
  g_return_val_if_fail (undo != NULL, FALSE);

  if (!nexus_store_begin (store, error))
    return FALSE;

  for (guint i = 0; i < undo->snapshots->len; i++)
    if (!restore_table (store, g_ptr_array_index (undo->snapshots, i), error))
      {
        nexus_store_rollback (store);
        return FALSE;
      }

  return nexus_store_commit (store, error);
}

/**
 * nexus_store_leads_list_history:
 * @store: a store
 * @lead_id: a lead
 * @error: return location for a #GError
 *
 * What happened to a lead: its lead_history rows and the merges, splits
 * and promotions it took part in, newest first.
 *
 * Returns: (transfer full) (element-type NexusLeadHistoryEntry): the
 *   entries, or NULL with @error set
 */
GPtrArray *
nexus_store_leads_list_history (NexusStore *store, gint64 lead_id, GError **error)
{
  g_autoptr (GPtrArray) entries = NULL;
  sqlite3_stmt *stmt;
  int           rc;

  g_return_val_if_fail (NEXUS_IS_STORE (store), NULL);

  stmt = _nexus_store_prepare (
      store,
      "SELECT at, actor, kind,"
      " CASE kind WHEN 'assign' THEN (SELECT name FROM agents WHERE id = CAST (old_value AS "
      "INTEGER))"
      "   ELSE old_value END,"
      " CASE kind WHEN 'assign' THEN (SELECT name FROM agents WHERE id = CAST (new_value AS "
      "INTEGER))"
      "   ELSE new_value END,"
      " note, id, 0 FROM lead_history WHERE lead_id = ?1"
      " UNION ALL SELECT at, actor, kind, NULL, NULL,"
      " CAST (CASE lead_id WHEN ?1 THEN other_lead_id ELSE lead_id END AS TEXT), id, 1"
      " FROM lead_merges WHERE lead_id = ?1 OR other_lead_id = ?1"
      " ORDER BY 1 DESC, 8 DESC, 7 DESC",
      error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, lead_id);

  entries = g_ptr_array_new_with_free_func ((GDestroyNotify)nexus_lead_history_entry_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      NexusLeadHistoryEntry *entry = g_new0 (NexusLeadHistoryEntry, 1);

      entry->at = sqlite3_column_int64 (stmt, 0);
      entry->actor = dup_text (stmt, 1);
      entry->kind = dup_text (stmt, 2);
      entry->old_value = dup_text (stmt, 3);
      entry->new_value = dup_text (stmt, 4);
      entry->note = dup_text (stmt, 5);
      g_ptr_array_add (entries, entry);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _nexus_store_set_error (store, rc, error, "reading the history of a lead");
      return NULL;
    }
  return g_steal_pointer (&entries);
}

/**
 * nexus_store_agents_list:
 * @store: a store
 * @with_inactive: also the deactivated agents
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (element-type NexusAgent): the agents by name,
 *   or NULL with @error set
 */
GPtrArray *
nexus_store_agents_list (NexusStore *store, gboolean with_inactive, GError **error)
{
  g_autoptr (GPtrArray) agents = NULL;
  sqlite3_stmt *stmt;
  int           rc;

  g_return_val_if_fail (NEXUS_IS_STORE (store), NULL);

  stmt = _nexus_store_prepare (store,
                               "SELECT a.id, a.name, a.active,"
                               " (SELECT count(*) FROM leads WHERE agent_id = a.id)"
                               " FROM agents AS a WHERE a.active = 1 OR ?"
                               " ORDER BY a.name COLLATE NOCASE, a.id",
                               error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int (stmt, 1, with_inactive ? 1 : 0);

  agents = g_ptr_array_new_with_free_func ((GDestroyNotify)nexus_agent_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      NexusAgent *agent = g_new0 (NexusAgent, 1);

      agent->id = sqlite3_column_int64 (stmt, 0);
      agent->name = dup_text (stmt, 1);
      agent->active = sqlite3_column_int (stmt, 2) != 0;
      agent->n_leads = sqlite3_column_int64 (stmt, 3);
      g_ptr_array_add (agents, agent);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _nexus_store_set_error (store, rc, error, "listing the agents");
      return NULL;
    }
  return g_steal_pointer (&agents);
}

/* A name as stored: trimmed, not empty, at most 200 characters. */
static char *
clean_name (const char *name, GError **error)
{
  g_autofree char *clean = g_strstrip (g_strdup (name != NULL ? name : ""));

  if (clean[0] == '\0' || !g_utf8_validate (clean, -1, NULL) || g_utf8_strlen (clean, -1) > 200)
    {
      g_set_error_literal (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_INVALID,
                           "An agent's name must have between 1 and 200 characters");
      return NULL;
    }
  return g_steal_pointer (&clean);
}

/**
 * nexus_store_agents_add:
 * @out_agent_id: (out) (optional): the new agent's id
 *
 * Adds an active agent.  Runs in the caller's transaction, if any.
 */
gboolean
nexus_store_agents_add (NexusStore *store,
                        const char *name,
                        gint64      now,
                        gint64     *out_agent_id,
                        GError    **error)
{
  g_autofree char *clean = clean_name (name, error);
  sqlite3_stmt    *stmt;

  if (clean == NULL)
    return FALSE;
  stmt = _nexus_store_prepare (store, "INSERT INTO agents (name, created_at) VALUES (?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, clean, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, now);
  if (!_nexus_store_step_done (store, stmt, "adding an agent", error))
    return FALSE;
  if (out_agent_id != NULL)
    *out_agent_id = sqlite3_last_insert_rowid (_nexus_store_get_db (store));
  return TRUE;
}

/* After an UPDATE of one agent: fails when it changed no row. */
static gboolean
check_agent_found (NexusStore *store, gint64 agent_id, GError **error)
{
  if (sqlite3_changes (_nexus_store_get_db (store)) == 0)
    {
      g_set_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_NOT_FOUND,
                   "There is no agent %" PRId64, agent_id);
      return FALSE;
    }
  return TRUE;
}

gboolean
nexus_store_agents_rename (NexusStore *store, gint64 agent_id, const char *name, GError **error)
{
  g_autofree char *clean = clean_name (name, error);
  sqlite3_stmt    *stmt;

  if (clean == NULL)
    return FALSE;
  stmt = _nexus_store_prepare (store, "UPDATE agents SET name = ? WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, clean, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, agent_id);
  return _nexus_store_step_done (store, stmt, "renaming an agent", error) &&
         check_agent_found (store, agent_id, error);
}

gboolean
nexus_store_agents_set_active (NexusStore *store, gint64 agent_id, gboolean active, GError **error)
{
  sqlite3_stmt *stmt =
      _nexus_store_prepare (store, "UPDATE agents SET active = ? WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, active ? 1 : 0);
  sqlite3_bind_int64 (stmt, 2, agent_id);
  return _nexus_store_step_done (store, stmt, "deactivating an agent", error) &&
         check_agent_found (store, agent_id, error);
}
