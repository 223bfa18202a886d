/* test-classifier.c — keyword rules (English and Arabic, editable) and the
 * trainable model with its versions and held-out accuracy
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <locale.h>
#include <sqlite3.h>

#include "leads/nexus-classifier.h"
#include "leads/nexus-ingest.h"
#include "leads/nexus-normalize.h"
#include "nexus-engine.h"
#include "store/nexus-store-leads.h"

typedef struct
{
  char       *dir;
  char       *path;
  NexusStore *store;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("nexus-classifier-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "nexus.db", NULL);
  fixture->store = nexus_store_open (fixture->path, NEXUS_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  static const char *const suffixes[] = { "", "-wal", "-shm" };

  g_clear_object (&fixture->store);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (fixture->path, suffixes[i], NULL);
      g_unlink (file);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
}

/* Classifies a raw name (normalized here) with a fresh classifier. */
static NexusCategorySource
classify (Fixture *fixture, const char *name, const char *provider_category, char **out_category)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusClassifier) classifier = nexus_classifier_load (fixture->store, &error);
  g_autofree char *norm = nexus_normalize_name (name);

  g_assert_no_error (error);
  return nexus_classifier_classify (classifier, norm, provider_category, out_category, NULL);
}

static void
assert_category (Fixture            *fixture,
                 const char         *name,
                 const char         *provider_category,
                 const char         *expected,
                 NexusCategorySource expected_source)
{
  g_autofree char    *category = NULL;
  NexusCategorySource source = classify (fixture, name, provider_category, &category);

  if (g_strcmp0 (category, expected) != 0 || source != expected_source)
    g_error ("“%s” (%s) → %s/%s, expected %s/%s", name, provider_category ? provider_category : "-",
             category ? category : "-", nexus_category_source_to_string (source) ?: "none",
             expected ? expected : "-",
             nexus_category_source_to_string (expected_source) ?: "none");
}

static void
test_seeded_rules (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusClassifier) classifier = nexus_classifier_load (fixture->store, &error);
  gint64 n_rules = 0;

  g_assert_no_error (error);
  g_assert_true (nexus_store_leads_count_rules (fixture->store, &n_rules, &error));
  /* Every preset of data/categories gave rules, English and Arabic. */
  g_assert_cmpint (n_rules, >, 3500);
  g_assert_cmpuint (nexus_classifier_get_n_rules (classifier), >, 3000);
  g_assert_cmpint (nexus_classifier_get_model_version (classifier), ==, 0);
}

static void
test_rules_english_and_arabic (Fixture *fixture, gconstpointer data)
{
  /* Names in both languages. */
  assert_category (fixture, "مطعم الياسمين", NULL, "restaurant", NEXUS_CATEGORY_SOURCE_RULE);
  assert_category (fixture, "مَطْعَم النخيل", NULL, "restaurant", NEXUS_CATEGORY_SOURCE_RULE);
  assert_category (fixture, "صيدلية النور", NULL, "pharmacy", NEXUS_CATEGORY_SOURCE_RULE);
  assert_category (fixture, "Al Olaya Pharmacy", NULL, "pharmacy", NEXUS_CATEGORY_SOURCE_RULE);
  assert_category (fixture, "مخبز الأمل", NULL, "bakery", NEXUS_CATEGORY_SOURCE_RULE);
  assert_category (fixture, "Nile View Hotel", NULL, "hotel", NEXUS_CATEGORY_SOURCE_RULE);
  assert_category (fixture, "Karama Tailors", NULL, "tailor", NEXUS_CATEGORY_SOURCE_RULE);
  /* The provider's category counts double: "X" says nothing itself. */
  assert_category (fixture, "X", "amenity=pharmacy", "pharmacy", NEXUS_CATEGORY_SOURCE_RULE);
  assert_category (fixture, "Casa Pepe", "mexican", "restaurant", NEXUS_CATEGORY_SOURCE_RULE);
  /* One loose search term in a name is not enough. */
  assert_category (fixture, "Canoe", NULL, NULL, NEXUS_CATEGORY_SOURCE_NONE);
  /* Nothing known: the provider's word as given, or nothing. */
  assert_category (fixture, "Joe's", "pacific new wave", "pacific new wave",
                   NEXUS_CATEGORY_SOURCE_PROVIDER);
  assert_category (fixture, "Joe's", NULL, NULL, NEXUS_CATEGORY_SOURCE_NONE);
}

static void
test_editable_rules (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusIngest) ingest = nexus_ingest_new (fixture->store, &error);
  g_autoptr (GPtrArray) records =
      g_ptr_array_new_with_free_func ((GDestroyNotify)nexus_lead_input_free);
  g_autoptr (NexusIngestReport) report = nexus_ingest_report_new ();
  g_auto (NexusLeadRow) row = { 0 };
  NexusLeadInput    *input = nexus_lead_input_new ();
  NexusIngestContext context = { 0 };
  gboolean           found = FALSE;
  gint64             rule_id = 0;

  g_assert_no_error (error);
  assert_category (fixture, "Koshary El Tahrir", NULL, NULL, NEXUS_CATEGORY_SOURCE_NONE);

  /* An operator teaches a word, in Arabic too. */
  g_assert_true (nexus_classifier_add_rule (fixture->store, "restaurant", "Koshary", "en", 3.0,
                                            &rule_id, &error));
  g_assert_no_error (error);
  g_assert_true (nexus_classifier_add_rule (fixture->store, "confectionery", "حلويات", "ar", 3.0,
                                            NULL, &error));
  g_assert_no_error (error);
  assert_category (fixture, "Koshary El Tahrir", NULL, "restaurant", NEXUS_CATEGORY_SOURCE_RULE);
  assert_category (fixture, "حلويات سعد الدين", NULL, "confectionery", NEXUS_CATEGORY_SOURCE_RULE);

  /* A pipeline made before the change sees it (the generation moved). */
  input->provider = g_strdup ("osm");
  input->ref = g_strdup ("1");
  input->name = g_strdup ("Koshary Abou Tarek");
  g_assert_true (nexus_lead_input_validate (input, &error));
  g_ptr_array_add (records, input);
  g_assert_true (nexus_ingest_batch (ingest, &context, records, report, &error));
  g_assert_no_error (error);
  g_assert_true (nexus_store_leads_get (fixture->store, g_array_index (report->lead_ids, gint64, 0),
                                        &row, &found, &error));
  g_assert_cmpstr (row.category, ==, "restaurant");
  g_assert_cmpstr (row.category_source, ==, "rule");

  g_assert_true (nexus_classifier_set_rule_enabled (fixture->store, rule_id, FALSE, &error));
  assert_category (fixture, "Koshary El Tahrir", NULL, NULL, NEXUS_CATEGORY_SOURCE_NONE);

  g_assert_false (
      nexus_classifier_add_rule (fixture->store, "restaurant", "  ", "en", 1.0, NULL, &error));
  g_assert_error (error, NEXUS_CLASSIFIER_ERROR, NEXUS_CLASSIFIER_ERROR_INVALID);
}

/* Adds leads named "<prefix> <word>" for each category word and labels
 * them with the category, as an operator would. */
static void
add_labeled_leads (Fixture *fixture, const char *category, const char *word, guint n)
{
  static const char *const prefixes[] = { "Abu",  "Dar",   "Bayt",  "Casa",  "Chez", "Villa",
                                          "Beit", "Ras",   "Nour",  "Zahra", "Amal", "Salam",
                                          "Noor", "Qamar", "Layla", "Rawda" };
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusIngest) ingest = nexus_ingest_new (fixture->store, &error);
  g_autoptr (GPtrArray) records =
      g_ptr_array_new_with_free_func ((GDestroyNotify)nexus_lead_input_free);
  g_autoptr (NexusIngestReport) report = nexus_ingest_report_new ();
  NexusIngestContext context = { 0 };

  for (guint i = 0; i < n; i++)
    {
      NexusLeadInput *input = nexus_lead_input_new ();

      input->provider = g_strdup ("test");
      input->ref = g_strdup_printf ("%s-%u", word, i);
      input->name = g_strdup_printf ("%s %s %u", prefixes[i % G_N_ELEMENTS (prefixes)], word, i);
      g_assert_true (nexus_lead_input_validate (input, &error));
      g_ptr_array_add (records, input);
    }
  g_assert_true (nexus_ingest_batch (ingest, &context, records, report, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < n; i++)
    {
      g_assert_true (nexus_classifier_set_label (fixture->store,
                                                 g_array_index (report->lead_ids, gint64, i),
                                                 category, "operator", &error));
      g_assert_no_error (error);
    }
}

static void
test_model_versions (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) models =
      g_ptr_array_new_with_free_func ((GDestroyNotify)nexus_category_model_free);
  NexusClassifierTraining training = { 0 };
  NexusClassifierTraining second = { 0 };
  NexusCategoryModel     *newest;

  /* Not enough labels yet. */
  g_assert_false (nexus_classifier_retrain (fixture->store, &training, &error));
  g_assert_error (error, NEXUS_CLASSIFIER_ERROR, NEXUS_CLASSIFIER_ERROR_NOT_ENOUGH_LABELS);
  g_clear_error (&error);

  /* Words no rule knows: only the model can learn them. */
  add_labeled_leads (fixture, "shawarma", "shawarmji", 30);
  add_labeled_leads (fixture, "tire_shop", "vulcanizadora", 30);
  add_labeled_leads (fixture, "sweets", "kunafani", 30);
  assert_category (fixture, "Beit shawarmji 99", NULL, NULL, NEXUS_CATEGORY_SOURCE_NONE);

  g_assert_true (nexus_classifier_retrain (fixture->store, &training, &error));
  g_assert_no_error (error);
  g_assert_cmpint (training.version, >, 0);
  g_assert_cmpint (training.n_labels, ==, 90);
  g_assert_cmpint (training.n_train + training.n_test, ==, 90);
  /* About NEXUS_CLASSIFIER_HOLDOUT_PERCENT are held out to measure it. */
  g_assert_cmpint (training.n_test, >=, 9);
  g_assert_cmpint (training.n_test, <=, 30);
  g_assert_cmpuint (training.n_categories, ==, 3);
  g_assert_true (training.has_accuracy);
  g_assert_cmpfloat (training.accuracy, >=, 0.9);

  /* The model classifies what the rules cannot. */
  assert_category (fixture, "Ras shawarmji 123", NULL, "shawarma", NEXUS_CATEGORY_SOURCE_MODEL);
  assert_category (fixture, "Nour vulcanizadora", NULL, "tire_shop", NEXUS_CATEGORY_SOURCE_MODEL);
  /* Rules still come first. */
  assert_category (fixture, "shawarmji pharmacy", NULL, "pharmacy", NEXUS_CATEGORY_SOURCE_RULE);

  /* A second version; only the newest is active; each keeps its accuracy. */
  g_assert_true (nexus_classifier_retrain (fixture->store, &second, &error));
  g_assert_cmpint (second.version, >, training.version);
  g_assert_true (nexus_store_leads_list_models (fixture->store, models, &error));
  g_assert_cmpuint (models->len, ==, 2);
  newest = g_ptr_array_index (models, 0);
  g_assert_true (newest->active);
  g_assert_true (newest->has_accuracy);
  g_assert_cmpfloat_with_epsilon (newest->accuracy, second.accuracy, 1e-9);
  g_assert_false (((NexusCategoryModel *)g_ptr_array_index (models, 1))->active);
  g_assert_true (((NexusCategoryModel *)g_ptr_array_index (models, 1))->has_accuracy);
}

static void
test_reclassify_keeps_operator (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  NexusClassifierStats stats = { 0 };
  NexusClassifierStats again = { 0 };
  g_auto (NexusLeadRow) row = { 0 };
  gboolean found = FALSE;

  g_assert_true (nexus_store_seed_demo (fixture->store, &error));
  g_assert_no_error (error);
  /* An operator disagrees with the rules about lead 1 (a restaurant). */
  g_assert_true (nexus_classifier_set_label (fixture->store, 1, "catering", "mona", &error));

  g_assert_true (nexus_classifier_reclassify_all (fixture->store, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpint (stats.n_leads, ==, 32);
  g_assert_cmpint (stats.n_operator, ==, 1);
  g_assert_cmpint (stats.n_rule, >, 10);
  g_assert_cmpint (stats.n_changed, >, 0);
  g_assert_cmpint (stats.n_rule + stats.n_model + stats.n_provider + stats.n_operator +
                       stats.n_none,
                   ==, stats.n_leads);

  g_assert_true (nexus_store_leads_get (fixture->store, 1, &row, &found, &error));
  g_assert_cmpstr (row.category, ==, "catering");
  g_assert_cmpstr (row.category_source, ==, "operator");

  /* Nothing changed since: a second run changes nothing. */
  g_assert_true (nexus_classifier_reclassify_all (fixture->store, &again, &error));
  g_assert_cmpint (again.n_changed, ==, 0);
}

static void
test_retrain_if_due (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autoptr (GSource) source = NULL;
  g_autoptr (NexusCategoryModel) model = NULL;
  gboolean retrained = TRUE;
  gint64   deadline;

  /* Too few labels: nothing to do, and no error. */
  g_assert_true (nexus_classifier_retrain_if_due (fixture->store, 0, &retrained, &error));
  g_assert_no_error (error);
  g_assert_false (retrained);

  add_labeled_leads (fixture, "shawarma", "shawarmji", 10);
  add_labeled_leads (fixture, "sweets", "kunafani", 10);
  g_assert_true (nexus_classifier_retrain_if_due (fixture->store, 0, &retrained, &error));
  g_assert_true (retrained);
  /* No new label since: not due. */
  g_assert_true (nexus_classifier_retrain_if_due (fixture->store, 0, &retrained, &error));
  g_assert_false (retrained);

  /* New labels, but the interval has not passed. */
  add_labeled_leads (fixture, "tire_shop", "vulcanizadora", 10);
  g_assert_true (nexus_classifier_retrain_if_due (fixture->store, 3600, &retrained, &error));
  g_assert_false (retrained);

  /* The schedule retrains on its own. */
  source = nexus_classifier_schedule_source_new (fixture->store, 1);
  g_source_attach (source, context);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  do
    {
      g_clear_pointer (&model, nexus_category_model_free);
      g_main_context_iteration (context, TRUE);
      g_assert_true (nexus_store_leads_get_active_model (fixture->store, &model, &error));
    }
  while (model->n_labels < 30 && g_get_monotonic_time () < deadline);
  g_source_destroy (source);
  g_assert_cmpint (model->n_labels, ==, 30);
}

static void
add_test (const char *path, void (*func) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down);
}

int
main (int argc, char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  add_test ("/nexus/Classifier/seeded-rules", test_seeded_rules);
  add_test ("/nexus/Classifier/rules-english-and-arabic", test_rules_english_and_arabic);
  add_test ("/nexus/Classifier/editable-rules", test_editable_rules);
  add_test ("/nexus/Classifier/model-versions", test_model_versions);
  add_test ("/nexus/Classifier/reclassify-keeps-operator", test_reclassify_keeps_operator);
  add_test ("/nexus/Classifier/retrain-if-due", test_retrain_if_due);

  return g_test_run ();
}
