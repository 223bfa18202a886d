/* dedup.c — pairwise precision, recall and F1 of the lead matcher on an
 * entity-resolution benchmark
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   dedup [FILE.csv]
 *
 * Imports FILE (default: $NEXUS_SOURCE_DIR/../shared/data/er/restaurants-dev.csv,
 * the development half of the Fodor's/Zagat restaurant benchmark) into a
 * fresh vault through the same pipeline as `nexusctl leads import` — columns
 * id, name, addr, city, phone, type, country US — then compares the leads
 * the records ended up in with the truth (cluster_id): every pair of records
 * in one lead is a predicted match, every pair with one cluster_id a true
 * one.
 *
 * The benchmark file is for evaluation only and is never copied into the
 * repository; it is read where it lies.  The matcher's thresholds
 * (leads/nexus-similarity.h) were tuned on this half only; the other half
 * is kept for an independent check.
 *
 * Exit status: 0 when precision ≥ 0.97 and F1 ≥ 0.95, 1 below, 77 (skipped)
 * when the file is not there.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <locale.h>
#include <stdio.h>

#include "leads/nexus-csv.h"
#include "leads/nexus-import.h"
#include "leads/nexus-ingest.h"
#include "nexus-engine.h"
#include "store/nexus-store-leads.h"

#define MIN_PRECISION 0.97
#define MIN_F1        0.95
#define EXIT_SKIP     77

static gboolean
collect_source_cb (const NexusLeadSource *source, gpointer user_data, GError **error)
{
  GHashTable *lead_of_ref = user_data;

  g_hash_table_insert (lead_of_ref, g_strdup (source->ref), GINT_TO_POINTER ((int)source->lead_id));
  return TRUE;
}

typedef struct
{
  char *id;
  char *cluster;
  char *name;
} Truth;

static void
truth_free (gpointer data)
{
  Truth *truth = data;

  g_free (truth->id);
  g_free (truth->cluster);
  g_free (truth->name);
  g_free (truth);
}

static GPtrArray *
read_truth (const char *path, GError **error)
{
  g_autoptr (NexusCsvReader) reader = nexus_csv_reader_new_for_path (path, error);
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func (truth_free);
  int id_column = -1, cluster_column = -1, name_column = -1;

  if (reader == NULL || !nexus_csv_reader_next (reader, error))
    return NULL;
  for (guint i = 0; i < nexus_csv_reader_get_n_fields (reader); i++)
    {
      const char *header = nexus_csv_reader_get_field (reader, i);

      if (g_str_equal (header, "id"))
        id_column = (int)i;
      else if (g_str_equal (header, "cluster_id"))
        cluster_column = (int)i;
      else if (g_str_equal (header, "name"))
        name_column = (int)i;
    }
  if (id_column < 0 || cluster_column < 0 || name_column < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s: no id, name or cluster_id column", path);
      return NULL;
    }
  while (nexus_csv_reader_next (reader, error))
    {
      Truth *truth = g_new0 (Truth, 1);

      truth->id = g_strdup (nexus_csv_reader_get_field (reader, (guint)id_column));
      truth->cluster = g_strdup (nexus_csv_reader_get_field (reader, (guint)cluster_column));
      truth->name = g_strdup (nexus_csv_reader_get_field (reader, (guint)name_column));
      g_ptr_array_add (rows, truth);
    }
  if (error != NULL && *error != NULL)
    return NULL;
  return g_steal_pointer (&rows);
}

int
main (int argc, char *argv[])
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *db_path = NULL;
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (NexusImportSummary) summary = nexus_import_summary_new ();
  g_autoptr (GFile) file = NULL;
  g_autoptr (GFileInputStream) stream = NULL;
  g_autoptr (GHashTable) lead_of_ref =
      g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GPtrArray) truth = NULL;
  NexusImportOptions options = { 0 };
  NexusIngest       *ingest;
  guint64            tp = 0, fp = 0, fn = 0;
  double             precision, recall, f1;
  gint64             started;

  setlocale (LC_ALL, "");

  if (argc > 1)
    path = g_strdup (argv[1]);
  else
    path = g_build_filename (g_getenv ("NEXUS_SOURCE_DIR") ? g_getenv ("NEXUS_SOURCE_DIR") : ".",
                             "..", "shared", "data", "er", "restaurants-dev.csv", NULL);
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_printerr ("dedup: %s is not there; skipped\n", path);
      return EXIT_SKIP;
    }

  dir = g_dir_make_tmp ("nexus-dedup-XXXXXX", &error);
  g_assert_no_error (error);
  db_path = g_build_filename (dir, "eval.db", NULL);
  store = nexus_store_open (db_path, NEXUS_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  ingest = nexus_ingest_get_for_store (store, &error);
  g_assert_no_error (error);

  options.map = "name=name,phone=phone,address=addr,city=city,category=type,ref=id";
  options.country = "US";
  options.source = "er";
  file = g_file_new_for_path (path);
  stream = g_file_read (file, NULL, &error);
  g_assert_no_error (error);
  started = g_get_monotonic_time ();
  if (!nexus_import_csv (ingest, G_INPUT_STREAM (stream), &options, summary, NULL, NULL, NULL,
                         &error))
    g_error ("import: %s", error->message);

  if (!nexus_store_leads_foreach_source (store, collect_source_cb, lead_of_ref, &error))
    g_error ("sources: %s", error->message);
  truth = read_truth (path, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < truth->len; i++)
    for (guint j = i + 1; j < truth->len; j++)
      {
        Truth   *a = g_ptr_array_index (truth, i);
        Truth   *b = g_ptr_array_index (truth, j);
        gpointer la = g_hash_table_lookup (lead_of_ref, a->id);
        gpointer lb = g_hash_table_lookup (lead_of_ref, b->id);
        gboolean predicted = la != NULL && la == lb;
        gboolean same = g_str_equal (a->cluster, b->cluster);

        if (predicted && same)
          tp++;
        else if (predicted)
          {
            fp++;
            g_print ("  false match: %s “%s” / %s “%s”\n", a->id, a->name, b->id, b->name);
          }
        else if (same)
          {
            fn++;
            g_print ("  missed match: %s “%s” / %s “%s”\n", a->id, a->name, b->id, b->name);
          }
      }

  precision = tp + fp > 0 ? (double)tp / (tp + fp) : 1.0;
  recall = tp + fn > 0 ? (double)tp / (tp + fn) : 1.0;
  f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0.0;

  g_print ("file:      %s\n", path);
  g_print ("records:   %u (imported %" G_GUINT64_FORMAT ": %" G_GUINT64_FORMAT
           " new, %" G_GUINT64_FORMAT " merged, %" G_GUINT64_FORMAT
           " preview-only, %" G_GUINT64_FORMAT " rejected) in %.2f s\n",
           truth->len, summary->rows, summary->n_new, summary->merged, summary->preview,
           summary->rejected, (g_get_monotonic_time () - started) / 1e6);
  g_print ("pairs:     true %" G_GUINT64_FORMAT ", predicted %" G_GUINT64_FORMAT
           ", correct %" G_GUINT64_FORMAT "\n",
           tp + fn, tp + fp, tp);
  g_print ("precision: %.4f\n", precision);
  g_print ("recall:    %.4f\n", recall);
  g_print ("F1:        %.4f\n", f1);

  g_clear_object (&store);
  {
    static const char *const suffixes[] = { "", "-wal", "-shm" };
    for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
      {
        g_autofree char *name = g_strconcat (db_path, suffixes[i], NULL);
        g_unlink (name);
      }
    g_rmdir (dir);
  }

  if (precision < MIN_PRECISION || f1 < MIN_F1)
    {
      g_print ("below the bar (precision ≥ %.2f, F1 ≥ %.2f)\n", MIN_PRECISION, MIN_F1);
      return 1;
    }
  return 0;
}
