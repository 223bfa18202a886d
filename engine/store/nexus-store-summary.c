/* nexus-store-summary.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nexus-store"

#include "config.h"

#include "nexus-store-private.h"
#include "nexus-store-summary.h"

const char *const nexus_summary_statuses[5] = { "new", "contacted", "qualified", "won", "lost" };

static void
label_count_free (gpointer data)
{
  NexusLabelCount *count = data;

  g_free (count->label);
  g_free (count);
}

void
nexus_search_summary_free (NexusSearchSummary *search)
{
  if (search == NULL)
    return;
  g_free (search->name);
  g_free (search);
}

void
nexus_summary_free (NexusSummary *summary)
{
  if (summary == NULL)
    return;
  g_clear_pointer (&summary->categories, g_ptr_array_unref);
  g_clear_pointer (&summary->cities, g_ptr_array_unref);
  g_clear_pointer (&summary->active_searches, g_ptr_array_unref);
  g_free (summary);
}

/* Runs @stmt (bound by the caller) to its end, calling @row for each row. */
static gboolean
each_row (NexusStore   *self,
          sqlite3_stmt *stmt,
          void (*row) (sqlite3_stmt *stmt, gpointer data),
          gpointer    data,
          const char *doing,
          GError    **error)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    row (stmt, data);
  if (rc != SQLITE_DONE)
    {
      _nexus_store_set_error (self, rc, error, doing);
      sqlite3_reset (stmt);
      return FALSE;
    }
  sqlite3_reset (stmt);
  return TRUE;
}

static void
day_row (sqlite3_stmt *stmt, gpointer data)
{
  NexusSummary *summary = data;
  gint64        day = sqlite3_column_int64 (stmt, 0);

  if (day >= 0 && day < NEXUS_SUMMARY_DAYS)
    summary->per_day[day] = sqlite3_column_int64 (stmt, 1);
}

static void
label_row (sqlite3_stmt *stmt, gpointer data)
{
  NexusLabelCount *count = g_new0 (NexusLabelCount, 1);

  count->label = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
  count->count = sqlite3_column_int64 (stmt, 1);
  g_ptr_array_add (data, count);
}

static void
status_row (sqlite3_stmt *stmt, gpointer data)
{
  NexusSummary *summary = data;
  const char   *status = (const char *)sqlite3_column_text (stmt, 0);

  for (guint i = 0; i < G_N_ELEMENTS (nexus_summary_statuses); i++)
    if (g_strcmp0 (status, nexus_summary_statuses[i]) == 0)
      summary->statuses[i] = sqlite3_column_int64 (stmt, 1);
  summary->leads += sqlite3_column_int64 (stmt, 1);
}

static void
job_row (sqlite3_stmt *stmt, gpointer data)
{
  NexusSummary *summary = data;
  const char   *status = (const char *)sqlite3_column_text (stmt, 0);
  gint64        count = sqlite3_column_int64 (stmt, 1);

  if (g_strcmp0 (status, "queued") == 0)
    summary->jobs_queued = count;
  else if (g_strcmp0 (status, "leased") == 0)
    summary->jobs_leased = count;
  else if (g_strcmp0 (status, "dead") == 0)
    summary->jobs_dead = count;
}

static void
search_row (sqlite3_stmt *stmt, gpointer data)
{
  NexusSearchSummary *search = g_new0 (NexusSearchSummary, 1);

  search->id = sqlite3_column_int64 (stmt, 0);
  search->name = g_strdup ((const char *)sqlite3_column_text (stmt, 1));
  search->run = sqlite3_column_int64 (stmt, 2);
  search->jobs_done = sqlite3_column_int64 (stmt, 3);
  search->jobs_total = sqlite3_column_int64 (stmt, 4);
  g_ptr_array_add (data, search);
}

static void
count_row (sqlite3_stmt *stmt, gpointer data)
{
  *(gint64 *)data = sqlite3_column_int64 (stmt, 0);
}

/* The top @limit values of @column among vault leads. */
static gboolean
read_top (NexusStore *self, const char *sql, GPtrArray *into, GError **error)
{
  sqlite3_stmt *stmt = _nexus_store_prepare (self, sql, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, NEXUS_SUMMARY_TOP);
  return each_row (self, stmt, label_row, into, "reading the dashboard", error);
}

/**
 * nexus_store_summary_read:
 * @first_day: unix seconds the first of the NEXUS_SUMMARY_DAYS days starts
 *   (the caller's local midnight)
 *
 * Reads the dashboard's figures.  Every lead count is of the vault, preview
 * leads apart; days are 86,400 s from @first_day on.
 *
 * Returns: (transfer full): the figures, or %NULL with @error set
 */
NexusSummary *
nexus_store_summary_read (NexusStore *self, gint64 first_day, GError **error)
{
  g_autoptr (NexusSummary) summary = g_new0 (NexusSummary, 1);
  sqlite3_stmt *stmt;

  summary->first_day = first_day;
  summary->categories = g_ptr_array_new_with_free_func (label_count_free);
  summary->cities = g_ptr_array_new_with_free_func (label_count_free);
  summary->active_searches =
      g_ptr_array_new_with_free_func ((GDestroyNotify)nexus_search_summary_free);

  stmt = _nexus_store_prepare (self,
                               "SELECT (first_seen_at - ?1) / 86400 AS day, count(*) FROM leads"
                               " WHERE preview_only = 0 AND first_seen_at >= ?1 GROUP BY day",
                               error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, first_day);
  if (!each_row (self, stmt, day_row, summary, "reading the dashboard", error))
    return NULL;

  if (!read_top (self,
                 "SELECT category, count(*) AS n FROM leads WHERE preview_only = 0"
                 " AND category IS NOT NULL AND category != '' GROUP BY category"
                 " ORDER BY n DESC, category LIMIT ?1",
                 summary->categories, error) ||
      !read_top (self,
                 "SELECT city, count(*) AS n FROM leads WHERE preview_only = 0"
                 " AND city IS NOT NULL AND city != '' GROUP BY city"
                 " ORDER BY n DESC, city LIMIT ?1",
                 summary->cities, error))
    return NULL;

  stmt = _nexus_store_prepare (
      self, "SELECT status, count(*) FROM leads WHERE preview_only = 0 GROUP BY status", error);
  if (stmt == NULL || !each_row (self, stmt, status_row, summary, "reading the dashboard", error))
    return NULL;

  stmt = _nexus_store_prepare (self,
                               "SELECT status, count(*) FROM internal_jobs"
                               " WHERE status IN ('queued', 'leased', 'dead') GROUP BY status",
                               error);
  if (stmt == NULL || !each_row (self, stmt, job_row, summary, "reading the dashboard", error))
    return NULL;

  stmt = _nexus_store_prepare (self, "SELECT count(*) FROM searches WHERE state = 'active'", error);
  if (stmt == NULL ||
      !each_row (self, stmt, count_row, &summary->searches_active, "reading the dashboard", error))
    return NULL;

  stmt = _nexus_store_prepare (
      self,
      "SELECT s.id, s.name, s.run,"
      " (SELECT count(*) FROM internal_jobs j WHERE j.search_id = s.id AND j.run = s.run"
      "  AND j.status IN ('done', 'dead')),"
      " (SELECT count(*) FROM internal_jobs j WHERE j.search_id = s.id AND j.run = s.run"
      "  AND j.status != 'cancelled')"
      " FROM searches s WHERE s.state = 'active' ORDER BY s.updated_at DESC, s.id DESC LIMIT ?1",
      error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int (stmt, 1, NEXUS_SUMMARY_SEARCHES);
  if (!each_row (self, stmt, search_row, summary->active_searches, "reading the dashboard", error))
    return NULL;

  return g_steal_pointer (&summary);
}

/**
 * nexus_store_searches_completed_between:
 * @from: first second (unix seconds) included
 * @to: first second not included
 *
 * Returns: (transfer container) (element-type NexusSearchSummary): the
 *   searches whose state became "completed" in [@from, @to), as far as
 *   their last update tells
 */
GPtrArray *
nexus_store_searches_completed_between (NexusStore *self, gint64 from, gint64 to, GError **error)
{
  g_autoptr (GPtrArray) searches =
      g_ptr_array_new_with_free_func ((GDestroyNotify)nexus_search_summary_free);
  sqlite3_stmt *stmt;

  stmt = _nexus_store_prepare (
      self,
      "SELECT s.id, s.name, s.run,"
      " (SELECT count(*) FROM internal_jobs j WHERE j.search_id = s.id AND j.run = s.run"
      "  AND j.status = 'done'),"
      " (SELECT count(*) FROM internal_jobs j WHERE j.search_id = s.id AND j.run = s.run)"
      " FROM searches s WHERE s.state = 'completed' AND s.updated_at >= ?1 AND s.updated_at < ?2"
      " ORDER BY s.id",
      error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, from);
  sqlite3_bind_int64 (stmt, 2, to);
  if (!each_row (self, stmt, search_row, searches, "reading completed searches", error))
    return NULL;
  return g_steal_pointer (&searches);
}

/**
 * nexus_store_jobs_dead_between:
 * @out_count: (out): jobs that died in [@from, @to)
 */
gboolean
nexus_store_jobs_dead_between (NexusStore *self,
                               gint64      from,
                               gint64      to,
                               gint64     *out_count,
                               GError    **error)
{
  sqlite3_stmt *stmt;

  *out_count = 0;
  stmt = _nexus_store_prepare (self,
                               "SELECT count(*) FROM internal_jobs WHERE status = 'dead'"
                               " AND finished_at >= ?1 AND finished_at < ?2",
                               error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, from);
  sqlite3_bind_int64 (stmt, 2, to);
  return each_row (self, stmt, count_row, out_count, "counting dead jobs", error);
}
