/* nexus-classifier.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nexus-leads"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "nexus-classifier.h"
#include "nexus-normalize.h"
#include "store/nexus-store-leads.h"

/* Rule keywords have at most this many words. */
#define MAX_KEYWORD_WORDS 5
/* Words of a text the classifier reads. */
#define MAX_WORDS 48
/* Laplace smoothing of the naive Bayes counts. */
#define NB_ALPHA 1.0
/* Leads reclassified per transaction by nexus_classifier_reclassify_all(). */
#define RECLASSIFY_PAGE 1000
/* Marks the provider-category half of a feature text; cannot occur in a
 * normalized text (punctuation becomes a space). */
#define FEATURE_SEPARATOR " | "

typedef struct
{
  guint  category; /* index into categories */
  double weight;
} RuleHit;

typedef struct
{
  /* Category names, index = class. */
  GPtrArray *classes;
  /* log P(class) */
  double *log_prior;
  /* log (tokens of class + alpha × vocabulary) */
  double *log_denominator;
  /* token → double[n_classes] of log (count + alpha) */
  GHashTable *log_counts;
} NaiveBayes;

struct _NexusClassifier
{
  GObject parent_instance;

  /* Category names known to the rules; index = position. */
  GPtrArray *categories;
  /* category name → index + 1 */
  GHashTable *category_index;
  /* normalized keyword → GArray of RuleHit */
  GHashTable *rules;
  /* Longest keyword, in words. */
  guint max_keyword_words;
  /* (keyword, category) pairs loaded. */
  guint n_rules;
  /* The active model and its version, or NULL and 0. */
  NaiveBayes *model;
  gint64      model_version;
  /* nexus_store_leads_get_classifier_generation() when loaded. */
  gint64 generation;
  /* Scratch: a score per category, which categories were touched, the
   * word sequence being looked up. */
  double  *scores;
  GArray  *touched;
  GString *ngram;
};

G_DEFINE_FINAL_TYPE (NexusClassifier, nexus_classifier, G_TYPE_OBJECT)

/* clang-format off */
G_DEFINE_QUARK (nexus-classifier-error-quark, nexus_classifier_error)
/* clang-format on */

static void
naive_bayes_free (NaiveBayes *model)
{
  if (model == NULL)
    return;
  g_ptr_array_unref (model->classes);
  g_free (model->log_prior);
  g_free (model->log_denominator);
  g_hash_table_unref (model->log_counts);
  g_free (model);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NaiveBayes, naive_bayes_free)

static void
nexus_classifier_finalize (GObject *object)
{
  NexusClassifier *self = (NexusClassifier *)object;

  g_clear_pointer (&self->categories, g_ptr_array_unref);
  g_clear_pointer (&self->category_index, g_hash_table_unref);
  g_clear_pointer (&self->rules, g_hash_table_unref);
  g_clear_pointer (&self->model, naive_bayes_free);
  g_clear_pointer (&self->scores, g_free);
  g_clear_pointer (&self->touched, g_array_unref);
  if (self->ngram != NULL)
    g_string_free (self->ngram, TRUE);

  G_OBJECT_CLASS (nexus_classifier_parent_class)->finalize (object);
}

static void
nexus_classifier_class_init (NexusClassifierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = nexus_classifier_finalize;
}

static void
hits_free (gpointer hits)
{
  g_array_unref (hits);
}

static void
nexus_classifier_init (NexusClassifier *self)
{
  self->categories = g_ptr_array_new_with_free_func (g_free);
  self->category_index = g_hash_table_new (g_str_hash, g_str_equal);
  self->rules = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, hits_free);
  self->touched = g_array_new (FALSE, FALSE, sizeof (guint));
  self->ngram = g_string_new (NULL);
}

const char *
nexus_category_source_to_string (NexusCategorySource source)
{
  switch (source)
    {
      case NEXUS_CATEGORY_SOURCE_PROVIDER:
        return "provider";
      case NEXUS_CATEGORY_SOURCE_MODEL:
        return "model";
      case NEXUS_CATEGORY_SOURCE_RULE:
        return "rule";
      case NEXUS_CATEGORY_SOURCE_OPERATOR:
        return "operator";
      case NEXUS_CATEGORY_SOURCE_NONE:
      default:
        return NULL;
    }
}

NexusCategorySource
nexus_category_source_from_string (const char *text)
{
  if (g_strcmp0 (text, "provider") == 0)
    return NEXUS_CATEGORY_SOURCE_PROVIDER;
  if (g_strcmp0 (text, "model") == 0)
    return NEXUS_CATEGORY_SOURCE_MODEL;
  if (g_strcmp0 (text, "rule") == 0)
    return NEXUS_CATEGORY_SOURCE_RULE;
  if (g_strcmp0 (text, "operator") == 0)
    return NEXUS_CATEGORY_SOURCE_OPERATOR;
  return NEXUS_CATEGORY_SOURCE_NONE;
}

/**
 * nexus_classifier_features:
 * @name_norm: (nullable): the lead's normalized name
 * @provider_category: (nullable): the provider's category as given
 *
 * Returns: (transfer full): the text the model learns from and reads: the
 *   normalized name, " | ", the normalized provider category
 */
char *
nexus_classifier_features (const char *name_norm, const char *provider_category)
{
  g_autofree char *category = nexus_normalize_text (provider_category);

  return g_strconcat (name_norm != NULL ? name_norm : "", FEATURE_SEPARATOR,
                      category != NULL ? category : "", NULL);
}

/* Words of a feature text; those of the provider category get a "c:"
 * prefix so "pharmacy" in a name and as a category count apart. */
static GPtrArray *
feature_tokens (const char *features)
{
  GPtrArray       *tokens = g_ptr_array_new_with_free_func (g_free);
  const char      *split = strstr (features, FEATURE_SEPARATOR);
  g_autofree char *name =
      split != NULL ? g_strndup (features, split - features) : g_strdup (features);
  g_auto (GStrv) name_words = g_strsplit (name, " ", -1);
  g_auto (GStrv) category_words =
      g_strsplit (split != NULL ? split + strlen (FEATURE_SEPARATOR) : "", " ", -1);

  for (guint i = 0; name_words[i] != NULL && tokens->len < MAX_WORDS; i++)
    if (*name_words[i] != '\0')
      g_ptr_array_add (tokens, g_strdup (name_words[i]));
  for (guint i = 0; category_words[i] != NULL && tokens->len < MAX_WORDS; i++)
    if (*category_words[i] != '\0')
      g_ptr_array_add (tokens, g_strconcat ("c:", category_words[i], NULL));
  return tokens;
}

static guint
category_lookup_or_add (NexusClassifier *self, const char *category)
{
  guint index = GPOINTER_TO_UINT (g_hash_table_lookup (self->category_index, category));

  if (index > 0)
    return index - 1;
  g_ptr_array_add (self->categories, g_strdup (category));
  g_hash_table_insert (self->category_index,
                       g_ptr_array_index (self->categories, self->categories->len - 1),
                       GUINT_TO_POINTER (self->categories->len));
  return self->categories->len - 1;
}

static void
add_rule (NexusClassifier *self, const char *category, const char *keyword, double weight)
{
  g_autofree char *normalized = nexus_normalize_text (keyword);
  GArray          *hits;
  RuleHit          hit;
  guint            n_words = 1;

  if (normalized == NULL || *normalized == '\0' || weight <= 0)
    return;
  for (const char *p = normalized; *p != '\0'; p++)
    n_words += *p == ' ';
  if (n_words > MAX_KEYWORD_WORDS)
    return;

  hit.category = category_lookup_or_add (self, category);
  hit.weight = weight;

  hits = g_hash_table_lookup (self->rules, normalized);
  if (hits == NULL)
    {
      hits = g_array_new (FALSE, FALSE, sizeof (RuleHit));
      g_hash_table_insert (self->rules, g_steal_pointer (&normalized), hits);
    }
  /* Two spellings that normalize alike keep the higher weight. */
  for (guint i = 0; i < hits->len; i++)
    {
      RuleHit *other = &g_array_index (hits, RuleHit, i);
      if (other->category == hit.category)
        {
          other->weight = MAX (other->weight, hit.weight);
          return;
        }
    }
  g_array_append_val (hits, hit);
  self->max_keyword_words = MAX (self->max_keyword_words, n_words);
  self->n_rules++;
}

/* Reads a model JSON (see train()) into a NaiveBayes. */
static NaiveBayes *
naive_bayes_from_json (const char *text, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (NaiveBayes) model = g_new0 (NaiveBayes, 1);
  JsonObject    *root;
  JsonArray     *classes;
  JsonObject    *vocabulary;
  JsonObjectIter iter;
  const char    *token;
  JsonNode      *node;
  double         alpha;
  double         n_docs = 0;
  guint          n_classes;
  guint          vocabulary_size;

  model->classes = g_ptr_array_new_with_free_func (g_free);
  model->log_counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  if (!json_parser_load_from_data (parser, text, -1, error))
    return NULL;
  root = json_node_get_object (json_parser_get_root (parser));
  if (root == NULL || !json_object_has_member (root, "classes") ||
      !json_object_has_member (root, "vocabulary"))
    {
      g_set_error_literal (error, NEXUS_CLASSIFIER_ERROR, NEXUS_CLASSIFIER_ERROR_INVALID,
                           _ ("The stored classifier model is not readable"));
      return NULL;
    }

  alpha = json_object_get_double_member_with_default (root, "alpha", NB_ALPHA);
  classes = json_object_get_array_member (root, "classes");
  vocabulary = json_object_get_object_member (root, "vocabulary");
  n_classes = json_array_get_length (classes);
  vocabulary_size = json_object_get_size (vocabulary);
  model->log_prior = g_new0 (double, n_classes);
  model->log_denominator = g_new0 (double, n_classes);

  for (guint c = 0; c < n_classes; c++)
    n_docs += json_object_get_int_member (json_array_get_object_element (classes, c), "docs");
  for (guint c = 0; c < n_classes; c++)
    {
      JsonObject *class = json_array_get_object_element (classes, c);
      double docs = json_object_get_int_member (class, "docs");
      double tokens = json_object_get_int_member (class, "tokens");

      g_ptr_array_add (model->classes,
                       g_strdup (json_object_get_string_member (class, "category")));
      model->log_prior[c] = log ((docs + 1.0) / (n_docs + n_classes));
      model->log_denominator[c] = log (tokens + alpha * vocabulary_size);
    }

  json_object_iter_init (&iter, vocabulary);
  while (json_object_iter_next (&iter, &token, &node))
    {
      JsonArray *counts = json_node_get_array (node);
      double    *row = g_new (double, n_classes);

      for (guint c = 0; c < n_classes; c++)
        row[c] = log (alpha);
      for (guint i = 0; counts != NULL && i < json_array_get_length (counts); i++)
        {
          JsonArray *pair = json_array_get_array_element (counts, i);
          guint      c = (guint)json_array_get_int_element (pair, 0);
          if (c < n_classes)
            row[c] = log (json_array_get_int_element (pair, 1) + alpha);
        }
      g_hash_table_insert (model->log_counts, g_strdup (token), row);
    }

  return g_steal_pointer (&model);
}

/* Best class of a feature text and its probability; -1 when no word of the
 * text is known to the model. */
static int
naive_bayes_predict (NaiveBayes *model, const char *features, double *out_probability)
{
  g_autoptr (GPtrArray) tokens = feature_tokens (features);
  guint              n_classes = model->classes->len;
  g_autofree double *scores = g_new (double, n_classes);
  guint              n_known = 0;
  double             best = -INFINITY;
  double             total = 0;
  int                best_class = -1;

  for (guint c = 0; c < n_classes; c++)
    scores[c] = model->log_prior[c];
  for (guint i = 0; i < tokens->len; i++)
    {
      const double *row = g_hash_table_lookup (model->log_counts, g_ptr_array_index (tokens, i));

      if (row == NULL)
        continue;
      n_known++;
      for (guint c = 0; c < n_classes; c++)
        scores[c] += row[c] - model->log_denominator[c];
    }
  if (n_known == 0 || n_classes == 0)
    return -1;

  for (guint c = 0; c < n_classes; c++)
    if (scores[c] > best)
      {
        best = scores[c];
        best_class = (int)c;
      }
  for (guint c = 0; c < n_classes; c++)
    total += exp (scores[c] - best);
  *out_probability = 1.0 / total;
  return best_class;
}

/**
 * nexus_classifier_load:
 * @store: the vault (read only: a reader connection will do)
 *
 * Loads the enabled rules and the active model.
 *
 * Returns: (transfer full) (nullable): the classifier, or %NULL with @error
 */
NexusClassifier *
nexus_classifier_load (NexusStore *store, GError **error)
{
  g_autoptr (NexusClassifier) self = g_object_new (NEXUS_TYPE_CLASSIFIER, NULL);
  g_autoptr (GPtrArray) rules =
      g_ptr_array_new_with_free_func ((GDestroyNotify)nexus_category_rule_free);
  g_autoptr (NexusCategoryModel) model = NULL;

  g_return_val_if_fail (NEXUS_IS_STORE (store), NULL);

  if (!nexus_store_leads_get_classifier_generation (store, &self->generation, error) ||
      !nexus_store_leads_list_rules (store, TRUE, rules, error) ||
      !nexus_store_leads_get_active_model (store, &model, error))
    return NULL;

  for (guint i = 0; i < rules->len; i++)
    {
      NexusCategoryRule *rule = g_ptr_array_index (rules, i);
      add_rule (self, rule->category, rule->keyword, rule->weight);
    }

  if (model != NULL)
    {
      self->model = naive_bayes_from_json (model->model, error);
      if (self->model == NULL)
        return NULL;
      self->model_version = model->id;
    }

  self->scores = g_new0 (double, MAX (self->categories->len, 1));
  return g_steal_pointer (&self);
}

gint64
nexus_classifier_get_generation (NexusClassifier *self)
{
  g_return_val_if_fail (NEXUS_IS_CLASSIFIER (self), 0);

  return self->generation;
}

/**
 * nexus_classifier_get_model_version:
 *
 * Returns: the id of the model in use, or 0 when there is none
 */
gint64
nexus_classifier_get_model_version (NexusClassifier *self)
{
  g_return_val_if_fail (NEXUS_IS_CLASSIFIER (self), 0);

  return self->model_version;
}

guint
nexus_classifier_get_n_rules (NexusClassifier *self)
{
  g_return_val_if_fail (NEXUS_IS_CLASSIFIER (self), 0);

  return self->n_rules;
}

/* Adds the rule hits of every word sequence of @text. */
static void
score_text (NexusClassifier *self, const char *text, double factor)
{
  const char *starts[MAX_WORDS];
  guint       lengths[MAX_WORDS];
  guint       n = 0;
  const char *p = text;

  /* Word boundaries without copying. */
  while (*p != '\0' && n < MAX_WORDS)
    {
      const char *end;

      while (*p == ' ')
        p++;
      if (*p == '\0')
        break;
      end = strchr (p, ' ');
      if (end == NULL)
        end = p + strlen (p);
      starts[n] = p;
      lengths[n] = (guint)(end - p);
      n++;
      p = end;
    }

  for (guint i = 0; i < n; i++)
    {
      g_string_truncate (self->ngram, 0);
      for (guint k = 0; k < self->max_keyword_words && i + k < n; k++)
        {
          GArray *hits;

          if (k > 0)
            g_string_append_c (self->ngram, ' ');
          g_string_append_len (self->ngram, starts[i + k], lengths[i + k]);
          hits = g_hash_table_lookup (self->rules, self->ngram->str);
          /* An English plural ("tailors", "electronics stores"). */
          if (hits == NULL && self->ngram->len > 4 && self->ngram->str[self->ngram->len - 1] == 's')
            {
              self->ngram->str[self->ngram->len - 1] = '\0';
              hits = g_hash_table_lookup (self->rules, self->ngram->str);
              self->ngram->str[self->ngram->len - 1] = 's';
            }
          if (hits == NULL)
            continue;
          for (guint h = 0; h < hits->len; h++)
            {
              RuleHit *hit = &g_array_index (hits, RuleHit, h);

              if (self->scores[hit->category] == 0)
                g_array_append_val (self->touched, hit->category);
              self->scores[hit->category] += hit->weight * factor;
            }
        }
    }
}

/**
 * nexus_classifier_classify:
 * @name_norm: (nullable): the lead's normalized name
 * @provider_category: (nullable): the provider's category as given
 * @out_category: (out) (transfer full) (nullable): the category, or %NULL
 * @out_score: (out) (optional): the rule score or the model's probability
 *
 * Steps 2–4 of the header (an operator's category is the caller's to
 * keep).
 *
 * Returns: how the category was found; NEXUS_CATEGORY_SOURCE_NONE when
 *   there is none
 */
NexusCategorySource
nexus_classifier_classify (NexusClassifier *self,
                           const char      *name_norm,
                           const char      *provider_category,
                           char           **out_category,
                           double          *out_score)
{
  g_autofree char *category_norm = NULL;
  double           best = 0;
  int              best_category = -1;

  g_return_val_if_fail (NEXUS_IS_CLASSIFIER (self), NEXUS_CATEGORY_SOURCE_NONE);

  *out_category = NULL;
  if (out_score != NULL)
    *out_score = 0;

  if (self->categories->len > 0)
    {
      category_norm = nexus_normalize_text (provider_category);
      if (name_norm != NULL)
        score_text (self, name_norm, 1.0);
      if (category_norm != NULL)
        score_text (self, category_norm, 2.0);

      for (guint i = 0; i < self->touched->len; i++)
        {
          guint c = g_array_index (self->touched, guint, i);

          /* Ties go to the category seen first (a stable order). */
          if (self->scores[c] > best)
            {
              best = self->scores[c];
              best_category = (int)c;
            }
          self->scores[c] = 0;
        }
      g_array_set_size (self->touched, 0);
    }

  if (best_category >= 0 && best >= NEXUS_CLASSIFIER_MIN_RULE_SCORE)
    {
      *out_category = g_strdup (g_ptr_array_index (self->categories, best_category));
      if (out_score != NULL)
        *out_score = best;
      return NEXUS_CATEGORY_SOURCE_RULE;
    }

  if (self->model != NULL)
    {
      g_autofree char *features = nexus_classifier_features (name_norm, provider_category);
      double           probability = 0;
      int              c = naive_bayes_predict (self->model, features, &probability);

      if (c >= 0 && probability >= NEXUS_CLASSIFIER_MIN_PROBABILITY)
        {
          *out_category = g_strdup (g_ptr_array_index (self->model->classes, c));
          if (out_score != NULL)
            *out_score = probability;
          return NEXUS_CATEGORY_SOURCE_MODEL;
        }
    }

  if (provider_category != NULL && *provider_category != '\0')
    {
      *out_category = g_strdup (provider_category);
      return NEXUS_CATEGORY_SOURCE_PROVIDER;
    }
  return NEXUS_CATEGORY_SOURCE_NONE;
}

/* The held-out part: a stable ~NEXUS_CLASSIFIER_HOLDOUT_PERCENT % of
 * label ids. */
static gboolean
is_held_out (gint64 label_id)
{
  guint32 hash = (guint32)((guint64)label_id * 2654435761u);

  return (hash >> 8) % 100 < NEXUS_CLASSIFIER_HOLDOUT_PERCENT;
}

typedef struct
{
  char  *category;
  gint64 docs;
  gint64 tokens;
} ClassCounts;

/* Trains on @labels (those not held out when @holdout), as JSON text. */
static char *
train (GPtrArray *labels, gboolean holdout, gint64 *out_n_train, guint *out_n_classes)
{
  g_autoptr (GHashTable) class_index = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GArray) classes = g_array_new (FALSE, TRUE, sizeof (ClassCounts));
  /* token → GHashTable (class + 1 → count) */
  g_autoptr (GHashTable) vocabulary =
      g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_hash_table_unref);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  GHashTableIter iter;
  gpointer       key, value;
  gint64         n_train = 0;

  for (guint i = 0; i < labels->len; i++)
    {
      NexusCategoryLabel *label = g_ptr_array_index (labels, i);
      g_autoptr (GPtrArray) tokens = NULL;
      guint c;

      if (holdout && is_held_out (label->id))
        continue;
      n_train++;

      c = GPOINTER_TO_UINT (g_hash_table_lookup (class_index, label->category));
      if (c == 0)
        {
          ClassCounts counts = { label->category, 0, 0 };
          g_array_append_val (classes, counts);
          c = classes->len;
          g_hash_table_insert (class_index, label->category, GUINT_TO_POINTER (c));
        }
      g_array_index (classes, ClassCounts, c - 1).docs++;

      tokens = feature_tokens (label->text);
      for (guint t = 0; t < tokens->len; t++)
        {
          const char *token = g_ptr_array_index (tokens, t);
          GHashTable *counts = g_hash_table_lookup (vocabulary, token);

          if (counts == NULL)
            {
              counts = g_hash_table_new (NULL, NULL);
              g_hash_table_insert (vocabulary, g_strdup (token), counts);
            }
          g_hash_table_insert (
              counts, GUINT_TO_POINTER (c),
              GSIZE_TO_POINTER (
                  GPOINTER_TO_SIZE (g_hash_table_lookup (counts, GUINT_TO_POINTER (c))) + 1));
          g_array_index (classes, ClassCounts, c - 1).tokens++;
        }
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "algorithm");
  json_builder_add_string_value (builder, "multinomial_nb");
  json_builder_set_member_name (builder, "alpha");
  json_builder_add_double_value (builder, NB_ALPHA);
  json_builder_set_member_name (builder, "classes");
  json_builder_begin_array (builder);
  for (guint c = 0; c < classes->len; c++)
    {
      ClassCounts *counts = &g_array_index (classes, ClassCounts, c);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "category");
      json_builder_add_string_value (builder, counts->category);
      json_builder_set_member_name (builder, "docs");
      json_builder_add_int_value (builder, counts->docs);
      json_builder_set_member_name (builder, "tokens");
      json_builder_add_int_value (builder, counts->tokens);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "vocabulary");
  json_builder_begin_object (builder);
  g_hash_table_iter_init (&iter, vocabulary);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      GHashTableIter counts_iter;
      gpointer       class_key, count;

      json_builder_set_member_name (builder, key);
      json_builder_begin_array (builder);
      g_hash_table_iter_init (&counts_iter, value);
      while (g_hash_table_iter_next (&counts_iter, &class_key, &count))
        {
          json_builder_begin_array (builder);
          json_builder_add_int_value (builder, GPOINTER_TO_UINT (class_key) - 1);
          json_builder_add_int_value (builder, (gint64)GPOINTER_TO_SIZE (count));
          json_builder_end_array (builder);
        }
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  *out_n_train = n_train;
  *out_n_classes = classes->len;
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

/**
 * nexus_classifier_retrain:
 * @out_training: (out caller-allocates) (optional): what was trained
 *
 * Trains a new model version on the operators' labels: the held-out part
 * (NEXUS_CLASSIFIER_HOLDOUT_PERCENT) measures it, the rest trains it.  The
 * new version becomes the active one, with its accuracy stored beside it.
 * Opens its own transaction.
 *
 * Returns: %TRUE on success; %NEXUS_CLASSIFIER_ERROR_NOT_ENOUGH_LABELS when
 *   fewer than NEXUS_CLASSIFIER_MIN_LABELS labels in two categories exist
 */
gboolean
nexus_classifier_retrain (NexusStore *store, NexusClassifierTraining *out_training, GError **error)
{
  g_autoptr (GPtrArray) labels =
      g_ptr_array_new_with_free_func ((GDestroyNotify)nexus_category_label_free);
  g_autoptr (GHashTable) categories = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (NaiveBayes) model = NULL;
  g_autofree char        *text = NULL;
  NexusCategoryModel      row = { 0 };
  NexusClassifierTraining training = { 0 };
  gint64                  n_test = 0;
  gint64                  n_right = 0;
  gint64                  version = 0;

  g_return_val_if_fail (NEXUS_IS_STORE (store), FALSE);

  if (!nexus_store_leads_list_labels (store, labels, error))
    return FALSE;
  for (guint i = 0; i < labels->len; i++)
    g_hash_table_add (categories, ((NexusCategoryLabel *)g_ptr_array_index (labels, i))->category);
  if (labels->len < NEXUS_CLASSIFIER_MIN_LABELS || g_hash_table_size (categories) < 2)
    {
      g_set_error (error, NEXUS_CLASSIFIER_ERROR, NEXUS_CLASSIFIER_ERROR_NOT_ENOUGH_LABELS,
                   _ ("Training needs at least %d categories set by an operator, in at least two "
                      "different categories (there are %u)"),
                   NEXUS_CLASSIFIER_MIN_LABELS, labels->len);
      return FALSE;
    }

  text = train (labels, TRUE, &training.n_train, &training.n_categories);
  model = naive_bayes_from_json (text, error);
  if (model == NULL)
    return FALSE;

  for (guint i = 0; i < labels->len; i++)
    {
      NexusCategoryLabel *label = g_ptr_array_index (labels, i);
      double              probability;
      int                 c;

      if (!is_held_out (label->id))
        continue;
      n_test++;
      c = naive_bayes_predict (model, label->text, &probability);
      if (c >= 0 && g_strcmp0 (g_ptr_array_index (model->classes, c), label->category) == 0)
        n_right++;
    }

  training.n_labels = labels->len;
  training.n_test = n_test;
  training.has_accuracy = n_test > 0;
  training.accuracy = n_test > 0 ? (double)n_right / n_test : 0;

  row.created_at = g_get_real_time () / G_USEC_PER_SEC;
  row.algorithm = (char *)"multinomial_nb";
  row.n_labels = training.n_labels;
  row.n_train = training.n_train;
  row.n_test = training.n_test;
  row.accuracy = training.accuracy;
  row.has_accuracy = training.has_accuracy;
  row.model = text;
  row.active = TRUE;

  if (!nexus_store_begin (store, error))
    return FALSE;
  if (!nexus_store_leads_add_model (store, &row, &version, error) ||
      !nexus_store_leads_bump_classifier_generation (store, error) ||
      !nexus_store_commit (store, error))
    {
      nexus_store_rollback (store);
      return FALSE;
    }

  training.version = version;
  if (out_training != NULL)
    *out_training = training;
  return TRUE;
}

/**
 * nexus_classifier_retrain_if_due:
 * @min_interval_s: at least this long after the active model was trained
 * @out_retrained: (out) (optional): whether a new version was trained
 *
 * Retrains when labels were added or changed since the active model and
 * the model is old enough (the scheduled retraining).  Not enough labels is
 * not an error here: nothing is trained.
 */
gboolean
nexus_classifier_retrain_if_due (NexusStore *store,
                                 gint64      min_interval_s,
                                 gboolean   *out_retrained,
                                 GError    **error)
{
  g_autoptr (NexusCategoryModel) model = NULL;
  g_autoptr (GError) local_error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 n_labels = 0;
  gint64 last_labeled_at = 0;

  if (out_retrained != NULL)
    *out_retrained = FALSE;

  if (!nexus_store_leads_get_active_model (store, &model, error) ||
      !nexus_store_leads_label_stats (store, &n_labels, &last_labeled_at, error))
    return FALSE;

  if (model != NULL && ((n_labels == model->n_labels && last_labeled_at <= model->created_at) ||
                        now - model->created_at < min_interval_s))
    return TRUE;

  if (!nexus_classifier_retrain (store, NULL, &local_error))
    {
      if (g_error_matches (local_error, NEXUS_CLASSIFIER_ERROR,
                           NEXUS_CLASSIFIER_ERROR_NOT_ENOUGH_LABELS))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (out_retrained != NULL)
    *out_retrained = TRUE;
  return TRUE;
}

static gboolean
scheduled_retrain_cb (gpointer data)
{
  NexusStore *store = data;
  g_autoptr (GError) error = NULL;

  if (!nexus_classifier_retrain_if_due (store, 0, NULL, &error))
    g_debug ("Scheduled retraining of the classifier failed: %s", error->message);
  return G_SOURCE_CONTINUE;
}

/**
 * nexus_classifier_schedule_source_new:
 * @store: the engine's write store
 * @interval_s: how often to check (e.g. 3600)
 *
 * The scheduled retraining: a timeout source that calls
 * nexus_classifier_retrain_if_due() every @interval_s seconds.  Attach it
 * to the engine thread's context (the store's thread) and destroy it before
 * the store goes away; it holds a reference on @store.
 *
 * Returns: (transfer full): the source, not attached
 */
GSource *
nexus_classifier_schedule_source_new (NexusStore *store, guint interval_s)
{
  GSource *source = g_timeout_source_new_seconds (MAX (interval_s, 1));

  g_source_set_name (source, "[nexus] classifier retraining");
  g_source_set_callback (source, scheduled_retrain_cb, g_object_ref (store), g_object_unref);
  return source;
}

/**
 * nexus_classifier_set_label:
 * @category: the category the operator chose ("restaurant")
 * @actor: (nullable): who set it
 *
 * Sets an operator's category on a lead (never changed by the classifier
 * again) and records it as a label for training.  Own transaction.
 */
gboolean
nexus_classifier_set_label (NexusStore *store,
                            gint64      lead_id,
                            const char *category,
                            const char *actor,
                            GError    **error)
{
  g_auto (NexusLeadRow) row = { 0 };
  g_autofree char *features = NULL;
  g_autofree char *trimmed = g_strstrip (g_strdup (category != NULL ? category : ""));
  gboolean         found = FALSE;

  if (*trimmed == '\0')
    {
      g_set_error_literal (error, NEXUS_CLASSIFIER_ERROR, NEXUS_CLASSIFIER_ERROR_INVALID,
                           _ ("The category is empty"));
      return FALSE;
    }

  if (!nexus_store_begin (store, error))
    return FALSE;
  if (!nexus_store_leads_get (store, lead_id, &row, &found, error))
    goto fail;
  if (!found)
    {
      g_set_error (error, NEXUS_CLASSIFIER_ERROR, NEXUS_CLASSIFIER_ERROR_NOT_FOUND,
                   _ ("There is no lead %" PRId64), lead_id);
      goto fail;
    }
  features = nexus_classifier_features (row.name_norm, row.provider_category);
  if (!nexus_store_leads_set_label (store, lead_id, trimmed, features, actor,
                                    g_get_real_time () / G_USEC_PER_SEC, error) ||
      !nexus_store_commit (store, error))
    goto fail;
  return TRUE;

fail:
  nexus_store_rollback (store);
  return FALSE;
}

/**
 * nexus_classifier_add_rule:
 * @weight: > 0; 3 for a name, 1 for a loose term
 *
 * Adds an operator's rule (or updates the rule with the same category and
 * keyword).  Own transaction; every classifier reloads.
 */
gboolean
nexus_classifier_add_rule (NexusStore *store,
                           const char *category,
                           const char *keyword,
                           const char *lang,
                           double      weight,
                           gint64     *out_rule_id,
                           GError    **error)
{
  g_autofree char *normalized = nexus_normalize_text (keyword);

  if (category == NULL || *category == '\0' || normalized == NULL || *normalized == '\0' ||
      !(weight > 0))
    {
      g_set_error_literal (error, NEXUS_CLASSIFIER_ERROR, NEXUS_CLASSIFIER_ERROR_INVALID,
                           _ ("A rule needs a category, a keyword with letters and a positive "
                              "weight"));
      return FALSE;
    }

  if (!nexus_store_begin (store, error))
    return FALSE;
  if (!nexus_store_leads_add_rule (store, category, keyword, lang, weight, "operator",
                                   g_get_real_time () / G_USEC_PER_SEC, out_rule_id, error) ||
      !nexus_store_leads_bump_classifier_generation (store, error) ||
      !nexus_store_commit (store, error))
    {
      nexus_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}

gboolean
nexus_classifier_set_rule_enabled (NexusStore *store,
                                   gint64      rule_id,
                                   gboolean    enabled,
                                   GError    **error)
{
  if (!nexus_store_begin (store, error))
    return FALSE;
  if (!nexus_store_leads_set_rule_enabled (store, rule_id, enabled, error) ||
      !nexus_store_leads_bump_classifier_generation (store, error) ||
      !nexus_store_commit (store, error))
    {
      nexus_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}

static void
count_source (NexusClassifierStats *stats, NexusCategorySource source)
{
  switch (source)
    {
      case NEXUS_CATEGORY_SOURCE_RULE:
        stats->n_rule++;
        break;
      case NEXUS_CATEGORY_SOURCE_MODEL:
        stats->n_model++;
        break;
      case NEXUS_CATEGORY_SOURCE_PROVIDER:
        stats->n_provider++;
        break;
      case NEXUS_CATEGORY_SOURCE_OPERATOR:
        stats->n_operator++;
        break;
      case NEXUS_CATEGORY_SOURCE_NONE:
      default:
        stats->n_none++;
        break;
    }
}

/**
 * nexus_classifier_reclassify_all:
 * @out_stats: (out caller-allocates) (optional): what changed
 *
 * Runs the current rules and model over every lead whose category was not
 * set by an operator (e.g. after a retraining or new rules), a page of
 * leads per transaction.
 */
gboolean
nexus_classifier_reclassify_all (NexusStore *store, NexusClassifierStats *out_stats, GError **error)
{
  g_autoptr (NexusClassifier) classifier = nexus_classifier_load (store, error);
  NexusClassifierStats stats = { 0 };
  gint64               after = 0;
  gint64               now = g_get_real_time () / G_USEC_PER_SEC;

  if (classifier == NULL)
    return FALSE;

  while (TRUE)
    {
      g_autoptr (GArray) rows = g_array_new (FALSE, TRUE, sizeof (NexusLeadRow));

      g_array_set_clear_func (rows, (GDestroyNotify)nexus_lead_row_clear);
      if (!nexus_store_begin (store, error))
        return FALSE;
      if (!nexus_store_leads_page (store, after, RECLASSIFY_PAGE, rows, error))
        goto fail;
      if (rows->len == 0)
        {
          nexus_store_rollback (store);
          break;
        }

      for (guint i = 0; i < rows->len; i++)
        {
          NexusLeadRow       *row = &g_array_index (rows, NexusLeadRow, i);
          NexusCategorySource current = nexus_category_source_from_string (row->category_source);
          g_autofree char    *category = NULL;
          NexusCategorySource source;

          after = row->id;
          stats.n_leads++;
          if (current == NEXUS_CATEGORY_SOURCE_OPERATOR)
            {
              count_source (&stats, current);
              continue;
            }
          source = nexus_classifier_classify (classifier, row->name_norm, row->provider_category,
                                              &category, NULL);
          count_source (&stats, source);
          if (source == current && g_strcmp0 (category, row->category) == 0)
            continue;
          stats.n_changed++;
          if (!nexus_store_leads_set_category (
                  store, row->id, category, nexus_category_source_to_string (source), now, error))
            goto fail;
        }

      if (!nexus_store_commit (store, error))
        goto fail;
    }

  if (out_stats != NULL)
    *out_stats = stats;
  return TRUE;

fail:
  nexus_store_rollback (store);
  return FALSE;
}
