/* test-leads-work.c — edits of leads, their history, undo, agents, merges
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every test runs on a fresh demo vault behind a real engine; what the
 * edits did is read back with plain SQL through a second connection.  An
 * undo must give back the same bytes: every table an edit touches is
 * dumped before and after and compared whole.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "leads/nexus-lead-work.h"
#include "nexus-engine.h"
#include "../nexus-test-util.h"

typedef struct
{
  char        *dir;
  NexusEngine *engine;
  sqlite3     *db;     /* the same file, for the expected answers */
  GPtrArray   *events; /* kinds of the events published */
  GMainLoop   *loop;
} Fixture;

static void
event_cb (NexusEvent *event, gpointer user_data)
{
  Fixture *fixture = user_data;

  g_ptr_array_add (fixture->events, g_strdup (event->kind));
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;

  fixture->dir = nexus_test_make_dir ("leads-work");
  path = g_build_filename (fixture->dir, "vault.db", NULL);
  fixture->engine = nexus_engine_new (path, NEXUS_ENGINE_SEED_DEMO, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_open_v2 (path, &fixture->db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  fixture->events = g_ptr_array_new_with_free_func (g_free);
  nexus_event_bus_watch (nexus_engine_get_event_bus (fixture->engine), event_cb, fixture, NULL);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  sqlite3_close (fixture->db);
  nexus_engine_shutdown (fixture->engine);
  g_clear_object (&fixture->engine);
  /* Events still queued for this context refer to the fixture. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_ptr_array_unref (fixture->events);
  nexus_test_remove_dir (fixture->dir);
  g_free (fixture->dir);
}

static gint64
sql_int (Fixture *fixture, const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64        value;

  g_assert_cmpint (sqlite3_prepare_v2 (fixture->db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

static char *
sql_text (Fixture *fixture, const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char         *value = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (fixture->db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    value = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return value;
}

/* Every row of the tables an edit may touch, with each value's type. */
static char *
dump_vault (Fixture *fixture)
{
  const char *const tables[] = {
    "SELECT * FROM leads ORDER BY id",
    "SELECT * FROM lead_history ORDER BY id",
    "SELECT * FROM assignments ORDER BY id",
    "SELECT * FROM lead_phones ORDER BY e164, lead_id",
    "SELECT * FROM lead_sources ORDER BY id",
    "SELECT * FROM lead_distinct ORDER BY a, b",
    "SELECT * FROM category_labels ORDER BY id",
    "SELECT * FROM leads_geo ORDER BY id",
    "SELECT rowid, * FROM leads_fts WHERE leads_fts MATCH 'a* OR e* OR c*' ORDER BY rowid",
  };
  GString *dump = g_string_new (NULL);

  for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
    {
      sqlite3_stmt *stmt = NULL;

      g_assert_cmpint (sqlite3_prepare_v2 (fixture->db, tables[t], -1, &stmt, NULL), ==, SQLITE_OK);
      g_string_append_printf (dump, "== %s\n", tables[t]);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          for (int i = 0; i < sqlite3_column_count (stmt); i++)
            g_string_append_printf (dump, "%d:%s|", sqlite3_column_type (stmt, i),
                                    (const char *)sqlite3_column_text (stmt, i));
          g_string_append_c (dump, '\n');
        }
      sqlite3_finalize (stmt);
    }
  return g_string_free (dump, FALSE);
}

static NexusLeadWorkResult *
run (Fixture *fixture, NexusLeadWork *work, GError **error)
{
  return nexus_lead_work_run_sync (fixture->engine, work, error);
}

static NexusLeadWorkResult *
run_edit (Fixture *fixture, NexusLeadsEdit *edit)
{
  g_autoptr (GError) error = NULL;
  NexusLeadWork       *work = nexus_lead_work_new (NEXUS_LEAD_WORK_EDIT);
  NexusLeadWorkResult *result;

  work->edit = edit;
  result = run (fixture, work, &error);
  g_assert_no_error (error);
  g_assert_nonnull (result);
  return result;
}

static void
run_undo (Fixture *fixture, NexusLeadWorkResult *result)
{
  g_autoptr (GError) error = NULL;
  NexusLeadWork *work = nexus_lead_work_new (NEXUS_LEAD_WORK_UNDO);
  g_autoptr (NexusLeadWorkResult) undone = NULL;

  work->undo = g_steal_pointer (&result->undo);
  undone = run (fixture, work, &error);
  g_assert_no_error (error);
  g_assert_nonnull (undone);
}

/* The first @n vault leads by id. */
static NexusLeadsEdit *
edit_first (Fixture *fixture, NexusLeadsEditKind kind, guint n)
{
  NexusLeadsEdit *edit = nexus_leads_edit_new (kind);
  gint64          first = sql_int (fixture, "SELECT min(id) FROM leads");

  for (guint i = 0; i < n; i++)
    nexus_leads_edit_add_id (edit, first + i);
  return edit;
}

static void
wait_for_event (Fixture *fixture, const char *kind)
{
  while (!g_ptr_array_find_with_equal_func (fixture->events, kind, g_str_equal, NULL))
    g_main_context_iteration (NULL, TRUE);
}

/* A status change with a note: the lead, its history, an event; the undo
 * gives back every byte. */
static void
test_status_with_note (Fixture *fixture, gconstpointer data)
{
  g_autofree char *before = dump_vault (fixture);
  g_autofree char *after_undo = NULL;
  NexusLeadsEdit  *edit = edit_first (fixture, NEXUS_LEADS_EDIT_STATUS, 3);
  g_autoptr (NexusLeadWorkResult) result = NULL;
  gint64           first = sql_int (fixture, "SELECT min(id) FROM leads");
  g_autofree char *sql = NULL;
  g_autofree char *note = NULL;

  edit->value = g_strdup ("qualified");
  edit->note = g_strdup ("Called, wants a quote");
  result = run_edit (fixture, edit);
  g_assert_cmpuint (result->ids->len, ==, 3);

  g_assert_cmpint (sql_int (fixture, "SELECT count(*) FROM leads WHERE status = 'qualified'"
                                     " AND id IN (SELECT id FROM leads ORDER BY id LIMIT 3)"),
                   ==, 3);
  g_assert_cmpint (sql_int (fixture, "SELECT count(*) FROM lead_history WHERE kind = 'status'"
                                     " AND new_value = 'qualified'"
                                     " AND note = 'Called, wants a quote'"),
                   ==, 3);
  sql = g_strdup_printf ("SELECT old_value FROM lead_history WHERE actor != 'demo'"
                         " AND lead_id = %" G_GINT64_FORMAT,
                         first);
  note = sql_text (fixture, sql);
  g_assert_cmpstr (note, ==, "new"); /* the demo's first lead was new */

  wait_for_event (fixture, "leads.changed");

  run_undo (fixture, result);
  after_undo = dump_vault (fixture);
  g_assert_cmpstr (after_undo, ==, before);
}

/* Assigning twice, then undoing the second, leaves the first exactly. */
static void
test_assign_and_undo (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusLeadWorkResult) added = NULL;
  g_autoptr (NexusLeadWorkResult) first_result = NULL;
  g_autoptr (NexusLeadWorkResult) second_result = NULL;
  g_autofree char *after_first = NULL;
  g_autofree char *after_undo = NULL;
  NexusLeadWork   *work = nexus_lead_work_new (NEXUS_LEAD_WORK_AGENT_ADD);
  NexusLeadsEdit  *edit;
  gint64           agent_a = sql_int (fixture, "SELECT min(id) FROM agents");
  gint64           agent_b;
  g_autofree char *sql = NULL;

  work->name = g_strdup ("  Salma Farouk ");
  added = run (fixture, work, &error);
  g_assert_no_error (error);
  agent_b = added->new_id;
  g_assert_cmpint (agent_b, >, agent_a);
  sql = g_strdup_printf ("SELECT name FROM agents WHERE id = %" G_GINT64_FORMAT, agent_b);
  g_assert_cmpstr (sql_text (fixture, sql), ==, "Salma Farouk");

  edit = edit_first (fixture, NEXUS_LEADS_EDIT_ASSIGN, 10);
  edit->agent_id = agent_a;
  first_result = run_edit (fixture, edit);
  after_first = dump_vault (fixture);

  edit = edit_first (fixture, NEXUS_LEADS_EDIT_ASSIGN, 10);
  edit->agent_id = agent_b;
  second_result = run_edit (fixture, edit);
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("SELECT count(*) FROM leads WHERE agent_id = %" G_GINT64_FORMAT, agent_b);
  g_assert_cmpint (sql_int (fixture, sql), ==, 10);
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("SELECT count(*) FROM assignments WHERE agent_id = %" G_GINT64_FORMAT
                         " AND unassigned_at IS NULL",
                         agent_b);
  g_assert_cmpint (sql_int (fixture, sql), ==, 10);
  /* The demo's own history (its worked leads) is left out. */
  g_assert_cmpint (sql_int (fixture, "SELECT count(*) FROM lead_history WHERE kind = 'assign'"
                                     " AND actor != 'demo'"),
                   ==, 20);

  run_undo (fixture, second_result);
  after_undo = dump_vault (fixture);
  g_assert_cmpstr (after_undo, ==, after_first);
}

/* A deleted lead comes back with its phones, sources, position and search
 * entry. */
static void
test_delete_and_undo (Fixture *fixture, gconstpointer data)
{
  g_autofree char *before = dump_vault (fixture);
  g_autofree char *after_undo = NULL;
  g_autoptr (NexusLeadWorkResult) result = NULL;
  gint64 leads = sql_int (fixture, "SELECT count(*) FROM leads");

  result = run_edit (fixture, edit_first (fixture, NEXUS_LEADS_EDIT_DELETE, 5));
  g_assert_cmpint (sql_int (fixture, "SELECT count(*) FROM leads"), ==, leads - 5);
  g_assert_cmpint (sql_int (fixture, "SELECT count(*) FROM lead_sources WHERE lead_id NOT IN"
                                     " (SELECT id FROM leads)"),
                   ==, 0);

  run_undo (fixture, result);
  after_undo = dump_vault (fixture);
  g_assert_cmpstr (after_undo, ==, before);
  g_assert_cmpint (sql_int (fixture, "SELECT count(*) FROM leads_fts WHERE leads_fts MATCH"
                                     " 'name_norm:riche'"),
                   ==, 1);
}

/* A category set by the operator, then a note; bad values change nothing. */
static void
test_category_note_and_refusals (Fixture *fixture, gconstpointer data)
{
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr (NexusLeadWorkResult) result = NULL;
  NexusLeadsEdit *edit = edit_first (fixture, NEXUS_LEADS_EDIT_CATEGORY, 2);
  const struct
  {
    NexusLeadsEditKind kind;
    const char        *value;
    gint64             agent_id;
  } bad[] = {
    { NEXUS_LEADS_EDIT_STATUS, "done", 0 },   { NEXUS_LEADS_EDIT_STATUS, NULL, 0 },
    { NEXUS_LEADS_EDIT_CATEGORY, "   ", 0 },  { NEXUS_LEADS_EDIT_NOTE, NULL, 0 },
    { NEXUS_LEADS_EDIT_ASSIGN, NULL, 99999 },
  };

  edit->value = g_strdup (" florist ");
  result = run_edit (fixture, edit);
  g_assert_cmpint (sql_int (fixture, "SELECT count(*) FROM leads WHERE category = 'florist'"
                                     " AND category_source = 'operator'"),
                   ==, 2);

  before = dump_vault (fixture);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      NexusLeadWork *work = nexus_lead_work_new (NEXUS_LEAD_WORK_EDIT);
      g_autoptr (NexusLeadWorkResult) refused = NULL;

      work->edit = edit_first (fixture, bad[i].kind, 2);
      work->edit->value = g_strdup (bad[i].value);
      work->edit->agent_id = bad[i].agent_id;
      refused = run (fixture, work, &error);
      g_assert_null (refused);
      g_assert_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_INVALID);
    }
  after = dump_vault (fixture);
  g_assert_cmpstr (after, ==, before);
}

/* Agents: renamed, deactivated (no new leads for them), listed. */
static void
test_agents (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64         agent = sql_int (fixture, "SELECT min(id) FROM agents");
  NexusLeadWork *work = nexus_lead_work_new (NEXUS_LEAD_WORK_AGENT_RENAME);
  g_autoptr (NexusLeadWorkResult) result = NULL;
  g_autofree char *sql = NULL;

  work->agent_id = agent;
  work->name = g_strdup ("Omar Said");
  result = run (fixture, work, &error);
  g_assert_no_error (error);
  sql = g_strdup_printf ("SELECT name FROM agents WHERE id = %" G_GINT64_FORMAT, agent);
  g_assert_cmpstr (sql_text (fixture, sql), ==, "Omar Said");

  g_clear_pointer (&result, nexus_lead_work_result_free);
  work = nexus_lead_work_new (NEXUS_LEAD_WORK_AGENT_RENAME);
  work->agent_id = agent;
  work->name = g_strdup ("   ");
  result = run (fixture, work, &error);
  g_assert_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_INVALID);
  g_clear_error (&error);

  work = nexus_lead_work_new (NEXUS_LEAD_WORK_AGENT_ACTIVE);
  work->agent_id = agent;
  work->active = FALSE;
  result = run (fixture, work, &error);
  g_assert_no_error (error);
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("SELECT active FROM agents WHERE id = %" G_GINT64_FORMAT, agent);
  g_assert_cmpint (sql_int (fixture, sql), ==, 0);

  /* An inactive agent gets no new leads. */
  work = nexus_lead_work_new (NEXUS_LEAD_WORK_EDIT);
  work->edit = edit_first (fixture, NEXUS_LEADS_EDIT_ASSIGN, 1);
  work->edit->agent_id = agent;
  g_clear_pointer (&result, nexus_lead_work_result_free);
  result = run (fixture, work, &error);
  g_assert_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_INVALID);

  wait_for_event (fixture, "agents.changed");
}

/* A merge by hand moves the other lead's sources; a split gives them back
 * to a new lead; the history of the lead shows both. */
static void
test_merge_and_split (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusLeadWorkResult) merged = NULL;
  g_autoptr (NexusLeadWorkResult) split = NULL;
  gint64           keep = sql_int (fixture, "SELECT min(id) FROM leads");
  gint64           other = keep + 1;
  gint64           sources_before, moved_source;
  NexusLeadWork   *work = nexus_lead_work_new (NEXUS_LEAD_WORK_MERGE);
  g_autofree char *sql = NULL;
  g_autofree char *other_name = NULL;
  g_autofree char *kept_name = NULL;

  sql = g_strdup_printf ("SELECT count(*) FROM lead_sources WHERE lead_id IN (%" G_GINT64_FORMAT
                         ", %" G_GINT64_FORMAT ")",
                         keep, other);
  sources_before = sql_int (fixture, sql);
  g_clear_pointer (&sql, g_free);
  sql =
      g_strdup_printf ("SELECT min(id) FROM lead_sources WHERE lead_id = %" G_GINT64_FORMAT, other);
  moved_source = sql_int (fixture, sql);

  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("SELECT name FROM leads WHERE id = %" G_GINT64_FORMAT, other);
  other_name = sql_text (fixture, sql);
  work->lead_id = keep;
  work->other_id = other;
  /* The operator chose the other lead's name. */
  work->take = g_strsplit ("name", ",", -1);
  merged = run (fixture, work, &error);
  g_assert_no_error (error);
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("SELECT name FROM leads WHERE id = %" G_GINT64_FORMAT, keep);
  kept_name = sql_text (fixture, sql);
  g_assert_cmpstr (kept_name, ==, other_name);
  g_clear_pointer (&sql, g_free);
  sql =
      g_strdup_printf ("SELECT count(*) FROM lead_sources WHERE lead_id = %" G_GINT64_FORMAT, keep);
  g_assert_cmpint (sql_int (fixture, sql), ==, sources_before);
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("SELECT count(*) FROM leads WHERE id = %" G_GINT64_FORMAT, other);
  g_assert_cmpint (sql_int (fixture, sql), ==, 0);

  work = nexus_lead_work_new (NEXUS_LEAD_WORK_SPLIT);
  work->lead_id = keep;
  work->source_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_array_append_val (work->source_ids, moved_source);
  split = run (fixture, work, &error);
  g_assert_no_error (error);
  g_assert_cmpint (split->new_id, >, 0);
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("SELECT lead_id FROM lead_sources WHERE id = %" G_GINT64_FORMAT,
                         moved_source);
  g_assert_cmpint (sql_int (fixture, sql), ==, split->new_id);

  {
    g_autoptr (NexusStore) store = NULL;
    g_autoptr (GPtrArray) history = NULL;
    g_autofree char *path = g_build_filename (fixture->dir, "vault.db", NULL);

    store = nexus_store_open (path, NEXUS_STORE_OPEN_READ_ONLY, &error);
    g_assert_no_error (error);
    history = nexus_store_leads_list_history (store, keep, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (history->len, ==, 2);
    g_assert_cmpstr (((NexusLeadHistoryEntry *)g_ptr_array_index (history, 0))->kind, ==, "split");
    g_assert_cmpstr (((NexusLeadHistoryEntry *)g_ptr_array_index (history, 1))->kind, ==, "merge");
  }
}

/* The history lists status changes with their notes and assignments by
 * the agent's name, newest first. */
static void
test_history (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusLeadWorkResult) a = NULL;
  g_autoptr (NexusLeadWorkResult) b = NULL;
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (GPtrArray) history = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "vault.db", NULL);
  gint64           lead = sql_int (fixture, "SELECT max(id) FROM leads WHERE agent_id IS NULL");
  gint64           agent = sql_int (fixture, "SELECT min(id) FROM agents");
  g_autofree char *agent_name = NULL;
  g_autofree char *sql =
      g_strdup_printf ("SELECT name FROM agents WHERE id = %" G_GINT64_FORMAT, agent);
  NexusLeadsEdit        *edit;
  NexusLeadHistoryEntry *entry;

  agent_name = sql_text (fixture, sql);
  edit = nexus_leads_edit_new (NEXUS_LEADS_EDIT_STATUS);
  nexus_leads_edit_add_id (edit, lead);
  edit->value = g_strdup ("contacted");
  edit->note = g_strdup ("Left a message");
  a = run_edit (fixture, edit);
  edit = nexus_leads_edit_new (NEXUS_LEADS_EDIT_ASSIGN);
  nexus_leads_edit_add_id (edit, lead);
  edit->agent_id = agent;
  b = run_edit (fixture, edit);

  store = nexus_store_open (path, NEXUS_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  history = nexus_store_leads_list_history (store, lead, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (history->len, ==, 2);
  entry = g_ptr_array_index (history, 0);
  g_assert_cmpstr (entry->kind, ==, "assign");
  g_assert_null (entry->old_value);
  g_assert_cmpstr (entry->new_value, ==, agent_name);
  g_assert_cmpstr (entry->actor, ==, "operator");
  entry = g_ptr_array_index (history, 1);
  g_assert_cmpstr (entry->kind, ==, "status");
  g_assert_cmpstr (entry->new_value, ==, "contacted");
  g_assert_cmpstr (entry->note, ==, "Left a message");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/nexus/LeadsWork/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("status-with-note", test_status_with_note);
  ADD ("assign-and-undo", test_assign_and_undo);
  ADD ("delete-and-undo", test_delete_and_undo);
  ADD ("category-note-and-refusals", test_category_note_and_refusals);
  ADD ("agents", test_agents);
  ADD ("merge-and-split", test_merge_and_split);
  ADD ("history", test_history);

#undef ADD

  return g_test_run ();
}
