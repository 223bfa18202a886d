/* jobs-page.c — what one read of the Jobs page costs on a large queue
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A file with N jobs (default 50,000): a search's place_search jobs, plain
 * enrich jobs, some dead, some leased by one of four workers.  For each
 * filter the Jobs page offers, measures what one read of the page does —
 * count the jobs of the filter and read its first page of 200 — against
 * the baseline of reading every job of the filter, which a page without
 * paging would do.  Median of several rounds; prints milliseconds and the
 * ratio; asserts no time.
 *
 *   jobs-page [N_JOBS]
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "queue/nexus-job-queue.h"
#include "store/nexus-store-private.h"
#include "store/nexus-store-workers.h"

#define DEFAULT_JOBS 50000
#define PAGE         200
#define ROUNDS       15

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return x < y ? -1 : x > y;
}

static double
median (double *values, guint n)
{
  qsort (values, n, sizeof (double), compare_doubles);
  return values[n / 2];
}

static void
fill (NexusStore *store, NexusJobQueue *queue, guint n_jobs, gint64 *worker_ids)
{
  g_autoptr (GError) error = NULL;
  sqlite3 *db = _nexus_store_get_db (store);
  char    *sql;

  g_assert_true (nexus_store_begin (store, &error));
  for (guint i = 0; i < n_jobs; i++)
    {
      NexusJobSpec job = {
        .kind = i % 3 == 0 ? "enrich" : NEXUS_JOB_KIND_PLACE_SEARCH,
        .status = NEXUS_JOB_QUEUED,
        .payload = "{}",
      };

      g_assert_true (nexus_job_queue_enqueue (queue, &job, NULL, &error));
    }
  for (guint w = 0; w < 4; w++)
    {
      g_autofree char *public_id = g_strdup_printf ("bench-%u", w);
      g_autofree char *name = g_strdup_printf ("worker %u", w);
      g_autoptr (GBytes) secret = g_bytes_new_static ("0123456789abcdef0123456789abcdef", 32);
      g_autoptr (NexusWorkerRecord) worker = nexus_store_worker_insert (
          store, public_id, name, "worker", secret, FALSE, 1700000000, &error);

      g_assert_no_error (error);
      worker_ids[w] = worker->id;
    }
  g_assert_true (nexus_store_commit (store, &error));

  /* Half of the jobs were leased once by one of the workers; one in fifty
   * died, one in three of the rest is done. */
  sql = g_strdup_printf (
      "UPDATE internal_jobs SET lease_worker_id = %" G_GINT64_FORMAT " + id / 2 %% 4,"
      " attempts = 1"
      " WHERE id %% 2 = 0;"
      "UPDATE internal_jobs SET status = 'dead', last_error = 'HTTP 403' WHERE id %% 50 = 0;"
      "UPDATE internal_jobs SET status = 'done' WHERE id %% 3 = 1 AND status = 'queued';",
      worker_ids[0]);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  g_free (sql);
}

/* Milliseconds of one count + first page, and of one whole read. */
static void
measure (NexusStore *store, const char *label, const NexusJobFilter *filter)
{
  double paged[ROUNDS], whole[ROUNDS];
  gint64 count = 0;
  guint  n_whole = 0;

  for (guint r = 0; r < ROUNDS; r++)
    {
      g_autoptr (GError) error = NULL;
      NexusJobFilter page = *filter;
      NexusJobFilter all = *filter;
      gint64         start;

      page.limit = PAGE;
      start = g_get_monotonic_time ();
      {
        g_autoptr (GPtrArray) jobs = nexus_store_job_list (store, &page, &error);

        g_assert_true (nexus_store_job_count (store, filter, &count, &error));
        g_assert_nonnull (jobs);
      }
      paged[r] = (g_get_monotonic_time () - start) / 1000.0;

      start = g_get_monotonic_time ();
      {
        g_autoptr (GPtrArray) jobs = nexus_store_job_list (store, &all, &error);

        if (jobs == NULL)
          g_error ("%s", error->message);
        n_whole = jobs->len;
      }
      whole[r] = (g_get_monotonic_time () - start) / 1000.0;
    }

  g_print ("%-22s %7" G_GINT64_FORMAT " jobs  page read %7.2f ms  baseline whole read %8.2f ms"
           "  (%.0fx less)\n",
           label, count, median (paged, ROUNDS), median (whole, ROUNDS),
           median (whole, ROUNDS) / MAX (median (paged, ROUNDS), 0.001));
  g_assert_cmpint (count, ==, n_whole);
}

int
main (int argc, char *argv[])
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("nexus-bench-jobs-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "nexus.db", NULL);
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (NexusJobQueue) queue = NULL;
  guint  n_jobs = argc > 1 ? (guint)g_ascii_strtoull (argv[1], NULL, 10) : DEFAULT_JOBS;
  gint64 workers[4];

  store = nexus_store_open (path, NEXUS_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  queue = nexus_job_queue_new (store);
  fill (store, queue, n_jobs, workers);

  g_print ("Jobs page reads on %u jobs (median of %d rounds)\n", n_jobs, ROUNDS);
  measure (store, "all", &(NexusJobFilter){ 0 });
  measure (store, "state dead", &(NexusJobFilter){ .status = "dead" });
  measure (store, "state queued", &(NexusJobFilter){ .status = "queued" });
  measure (store, "waiting to retry", &(NexusJobFilter){ .status = "failed" });
  measure (store, "kind place_search", &(NexusJobFilter){ .kind = NEXUS_JOB_KIND_PLACE_SEARCH });
  measure (store, "one worker", &(NexusJobFilter){ .worker_id = workers[1] });
  measure (store, "worker + dead", &(NexusJobFilter){ .worker_id = workers[2], .status = "dead" });

  g_clear_object (&queue);
  g_clear_object (&store);
  for (const char *const *suffix = (const char *const[]){ "", "-wal", "-shm", NULL }; *suffix;
       suffix++)
    {
      g_autofree char *file = g_strconcat (path, *suffix, NULL);
      g_unlink (file);
    }
  g_rmdir (dir);
  return 0;
}
