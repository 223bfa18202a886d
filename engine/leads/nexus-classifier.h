/* nexus-classifier.h — what kind of business a lead is
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * This module owns classification: the keyword rules (category_rules,
 * editable, English and Arabic, seeded at schema creation from iD's preset
 * names and terms in data/categories/) and the trainable model (a
 * multinomial naive Bayes over the words of the name and of the provider's
 * category, trained on the categories operators set — category_labels — and
 * stored with its accuracy on a held-out part of those labels in
 * category_models).
 *
 * Decision order for one lead:
 *
 *  1. a category an operator set is never changed;
 *  2. rules: every rule keyword found as whole words in the name (weight ×1)
 *     or in the provider's category (weight ×2) adds its weight to its
 *     category; the best category with a score ≥ NEXUS_CLASSIFIER_MIN_RULE_SCORE
 *     wins (source 'rule');
 *  3. the active model, when its probability for the best category is
 *     ≥ NEXUS_CLASSIFIER_MIN_PROBABILITY (source 'model');
 *  4. otherwise the provider's category as given (source 'provider'), or
 *     none.
 *
 * A better source is never replaced by a worse one (operator > rule >
 * model > provider), so merging records cannot undo an operator's work.
 *
 * Threads: a NexusClassifier is loaded from a store and then used by one
 * thread at a time (it keeps scratch buffers); it never touches the store
 * after loading.  The functions taking a NexusStore run on the thread that
 * owns it and open their own transaction (they must not be called inside
 * one), except nexus_classifier_load() which only reads.
 */
#pragma once

#include <glib-object.h>

#include "store/nexus-store.h"

G_BEGIN_DECLS

#define NEXUS_CLASSIFIER_ERROR (nexus_classifier_error_quark ())

typedef enum
{
  NEXUS_CLASSIFIER_ERROR_NOT_ENOUGH_LABELS, /* training needs more labels */
  NEXUS_CLASSIFIER_ERROR_NOT_FOUND,         /* no such lead or rule */
  NEXUS_CLASSIFIER_ERROR_INVALID,           /* empty category or keyword */
} NexusClassifierError;

/* Rule scores below this decide nothing: one loose search term in a name
 * (1) is not enough; a preset name (3), an alias (2), two terms, or one term
 * in the provider's category (×2) is. */
#define NEXUS_CLASSIFIER_MIN_RULE_SCORE 2.0
/* The model decides only when this sure of its best category. */
#define NEXUS_CLASSIFIER_MIN_PROBABILITY 0.6
/* Share of labels held out to measure a new model (by a hash of the label
 * id, so the split is stable from one training to the next). */
#define NEXUS_CLASSIFIER_HOLDOUT_PERCENT 20
/* Training needs at least this many labels in at least two categories. */
#define NEXUS_CLASSIFIER_MIN_LABELS 5

/* How a lead's category was set, from worst to best. */
typedef enum
{
  NEXUS_CATEGORY_SOURCE_NONE,
  NEXUS_CATEGORY_SOURCE_PROVIDER,
  NEXUS_CATEGORY_SOURCE_MODEL,
  NEXUS_CATEGORY_SOURCE_RULE,
  NEXUS_CATEGORY_SOURCE_OPERATOR,
} NexusCategorySource;

/* The outcome of one training. */
typedef struct
{
  gint64   version; /* category_models.id of the new active model */
  gint64   n_labels;
  gint64   n_train;
  gint64   n_test;
  guint    n_categories;
  double   accuracy;     /* on the n_test held-out labels */
  gboolean has_accuracy; /* FALSE when no label was held out */
} NexusClassifierTraining;

/* What nexus_classifier_reclassify_all() did. */
typedef struct
{
  gint64 n_leads;   /* leads looked at */
  gint64 n_changed; /* leads whose category changed */
  gint64 n_rule;    /* leads now classified by each source */
  gint64 n_model;
  gint64 n_provider;
  gint64 n_operator;
  gint64 n_none;
} NexusClassifierStats;

#define NEXUS_TYPE_CLASSIFIER (nexus_classifier_get_type ())
G_DECLARE_FINAL_TYPE (NexusClassifier, nexus_classifier, NEXUS, CLASSIFIER, GObject)

GQuark nexus_classifier_error_quark (void);

const char         *nexus_category_source_to_string (NexusCategorySource source);
NexusCategorySource nexus_category_source_from_string (const char *text);

char *nexus_classifier_features (const char *name_norm, const char *provider_category);

NexusClassifier    *nexus_classifier_load (NexusStore *store, GError **error);
gint64              nexus_classifier_get_generation (NexusClassifier *self);
gint64              nexus_classifier_get_model_version (NexusClassifier *self);
guint               nexus_classifier_get_n_rules (NexusClassifier *self);
NexusCategorySource nexus_classifier_classify (NexusClassifier *self,
                                               const char      *name_norm,
                                               const char      *provider_category,
                                               char           **out_category,
                                               double          *out_score);

gboolean
nexus_classifier_retrain (NexusStore *store, NexusClassifierTraining *out_training, GError **error);
gboolean nexus_classifier_retrain_if_due (NexusStore *store,
                                          gint64      min_interval_s,
                                          gboolean   *out_retrained,
                                          GError    **error);
GSource *nexus_classifier_schedule_source_new (NexusStore *store, guint interval_s);
gboolean nexus_classifier_set_label (NexusStore *store,
                                     gint64      lead_id,
                                     const char *category,
                                     const char *actor,
                                     GError    **error);
gboolean nexus_classifier_add_rule (NexusStore *store,
                                    const char *category,
                                    const char *keyword,
                                    const char *lang,
                                    double      weight,
                                    gint64     *out_rule_id,
                                    GError    **error);
gboolean nexus_classifier_set_rule_enabled (NexusStore *store,
                                            gint64      rule_id,
                                            gboolean    enabled,
                                            GError    **error);
gboolean nexus_classifier_reclassify_all (NexusStore           *store,
                                          NexusClassifierStats *out_stats,
                                          GError              **error);

G_END_DECLS
