/* nexus-store-leads.h — the SQL of the leads area
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every statement that reads or writes leads, lead_phones, lead_sources,
 * lead_merges, lead_distinct and the classifier's tables lives in
 * nexus-store-leads.c.  The leads engine (engine/leads/) decides; these
 * functions only store and fetch, each through statements prepared once.
 *
 * Rules:
 *
 *  - Same thread rules as NexusStore: the thread that uses the store.
 *  - Functions that write run inside the caller's transaction
 *    (nexus_store_begin()) and never open one, unless their documentation
 *    says otherwise.  Readers may run without a transaction.
 *  - Texts are bound as given (SQLITE_TRANSIENT is never needed: values
 *    live until the call returns).  NULL is stored as SQL NULL.
 *  - Iteration callbacks must not call back into the store.
 */
#pragma once

#include "nexus-store.h"

G_BEGIN_DECLS

/* One row of leads, as the pipeline reads and writes it (the columns are
 * described in nexus-schema.c).  Texts are owned (g_free) and NULL when
 * the column is NULL. */
typedef struct
{
  gint64   id;                /* 0 before insertion */
  char    *name;              /* as the first source wrote it */
  char    *name_norm;         /* nexus_normalize_name() */
  char    *phone_e164;        /* the primary valid number */
  char    *phone_raw;         /* flagged numbers, "; "-separated */
  gboolean phone_invalid;     /* phone_raw holds a flagged number */
  char    *website;           /* as supplied */
  char    *website_host;      /* nexus_normalize_website_host() */
  char    *email;             /* nexus_normalize_email() */
  char    *address;           /* as supplied */
  char    *address_norm;      /* nexus_normalize_address() */
  char    *city;              /* as supplied */
  char    *city_norm;         /* nexus_normalize_city() */
  char    *country;           /* ISO 3166-1 alpha-2 */
  double   lat;               /* WGS 84, when has_location */
  double   lon;               /* WGS 84, when has_location */
  gboolean has_location;      /* lat and lon are set */
  char    *category;          /* the classifier's or an operator's */
  char    *category_source;   /* rule, model, operator, provider */
  char    *provider_category; /* as the first source gave it */
  double   rating;            /* when has_rating */
  gboolean has_rating;        /* rating is set */
  gint64   reviews;           /* -1: unknown */
  gboolean preview_only;      /* no valid phone yet */
  gint64   sightings;         /* reports of this lead, all sources */
  gint64   first_seen_at;     /* unix seconds */
  gint64   last_seen_at;      /* unix seconds */
} NexusLeadRow;

/* What the match step needs of a lead (cheap to load). */
typedef struct
{
  gint64   id;           /* leads.id */
  char    *name_norm;    /* compared with nexus_name_similarity() */
  char    *address_norm; /* the address match */
  char    *city_norm;    /* the address match */
  double   lat;          /* when has_location */
  double   lon;          /* when has_location */
  gboolean has_location; /* lat and lon are set */
  gboolean has_phone;    /* phone_e164 IS NOT NULL */
  gboolean preview_only; /* no valid phone yet */
} NexusLeadCandidate;

/* One provenance record (lead_sources). */
typedef struct
{
  gint64 id;            /* lead_sources.id */
  gint64 lead_id;       /* the lead it belongs to */
  char  *provider;      /* with ref: unique in the vault */
  char  *ref;           /* the provider's own id of the place */
  gint64 job_id;        /* 0: none */
  gint64 worker_id;     /* 0: none */
  char  *raw;           /* a LEAD object (JSON text) or NULL */
  gint64 sightings;     /* reports of this source */
  gint64 first_seen_at; /* unix seconds */
  gint64 last_seen_at;  /* unix seconds */
} NexusLeadSource;

/* One phone of a lead (lead_phones). */
typedef struct
{
  char *e164;      /* "+CC…" */
  char *type;      /* nexus_phone_type_to_string() */
  char *extension; /* digits, or NULL */
} NexusLeadPhone;

/* One classifier rule (category_rules). */
typedef struct
{
  gint64   id;       /* category_rules.id */
  char    *category; /* what the rule votes for */
  char    *keyword;  /* as written; normalized when loaded */
  char    *lang;     /* en, ar, or "" */
  double   weight;   /* its vote */
  char    *origin;   /* seed or operator */
  gboolean enabled;  /* disabled rules are kept but not loaded */
} NexusCategoryRule;

/* One operator label, as the model learns from it (category_labels). */
typedef struct
{
  gint64 id;       /* category_labels.id (the held-out split hashes it) */
  gint64 lead_id;  /* 0 when the lead is gone */
  char  *category; /* the operator's category */
  char  *text;     /* nexus_classifier_features() when it was set */
} NexusCategoryLabel;

/* One model version (category_models). */
typedef struct
{
  gint64   id;           /* the version */
  gint64   created_at;   /* unix seconds */
  char    *algorithm;    /* multinomial_nb */
  gint64   n_labels;     /* labels when trained */
  gint64   n_train;      /* labels it learnt from */
  gint64   n_test;       /* labels held out to measure it */
  double   accuracy;     /* on the held-out labels, when has_accuracy */
  gboolean has_accuracy; /* n_test > 0 */
  char    *model;        /* JSON: classes and token counts */
  gboolean active;       /* the version in use */
} NexusCategoryModel;

void nexus_lead_row_clear (NexusLeadRow *row);
void nexus_lead_candidate_free (NexusLeadCandidate *candidate);
void nexus_lead_source_free (NexusLeadSource *source);
void nexus_lead_phone_free (NexusLeadPhone *phone);
void nexus_category_rule_free (NexusCategoryRule *rule);
void nexus_category_label_free (NexusCategoryLabel *label);
void nexus_category_model_free (NexusCategoryModel *model);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (NexusLeadRow, nexus_lead_row_clear)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusLeadCandidate, nexus_lead_candidate_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusLeadSource, nexus_lead_source_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusCategoryModel, nexus_category_model_free)

/* Leads */
gboolean nexus_store_leads_get (NexusStore   *store,
                                gint64        lead_id,
                                NexusLeadRow *out_row,
                                gboolean     *out_found,
                                GError      **error);
gboolean
nexus_store_leads_insert (NexusStore *store, NexusLeadRow *row, gint64 now, GError **error);
gboolean nexus_store_leads_update (NexusStore         *store,
                                   const NexusLeadRow *row,
                                   gboolean            searchable_changed,
                                   gint64              now,
                                   GError            **error);
gboolean nexus_store_leads_delete (NexusStore *store, gint64 lead_id, GError **error);
gboolean nexus_store_leads_get_candidate (NexusStore          *store,
                                          gint64               lead_id,
                                          NexusLeadCandidate **out_candidate,
                                          GError             **error);
gboolean nexus_store_leads_find_near (NexusStore *store,
                                      double      lat,
                                      double      lon,
                                      double      radius_m,
                                      GPtrArray  *out_candidates,
                                      GError    **error);
gboolean nexus_store_leads_find_by_address (NexusStore *store,
                                            const char *address_norm,
                                            const char *city_norm,
                                            gboolean    without_location_only,
                                            GPtrArray  *out_candidates,
                                            GError    **error);

/* Phones */
gboolean nexus_store_leads_find_by_phone (NexusStore *store,
                                          const char *e164,
                                          GPtrArray  *out_candidates,
                                          GError    **error);
gboolean nexus_store_leads_add_phone (NexusStore *store,
                                      gint64      lead_id,
                                      const char *e164,
                                      const char *type,
                                      const char *extension,
                                      GError    **error);
gboolean nexus_store_leads_list_phones (NexusStore *store,
                                        gint64      lead_id,
                                        GPtrArray  *out_phones,
                                        GError    **error);
gboolean nexus_store_leads_delete_phones (NexusStore *store, gint64 lead_id, GError **error);

/* Sources */
gboolean nexus_store_leads_find_source (NexusStore *store,
                                        const char *provider,
                                        const char *ref,
                                        gint64     *out_source_id,
                                        gint64     *out_lead_id,
                                        GError    **error);
gboolean nexus_store_leads_insert_source (NexusStore *store,
                                          gint64      lead_id,
                                          const char *provider,
                                          const char *ref,
                                          gint64      job_id,
                                          gint64      worker_id,
                                          const char *raw,
                                          gint64      now,
                                          gint64     *out_source_id,
                                          GError    **error);
gboolean nexus_store_leads_touch_source (NexusStore *store,
                                         gint64      source_id,
                                         const char *raw,
                                         gint64      now,
                                         GError    **error);
gboolean nexus_store_leads_list_sources (NexusStore *store,
                                         gint64      lead_id,
                                         GPtrArray  *out_sources,
                                         GError    **error);
gboolean nexus_store_leads_set_source_lead (NexusStore *store,
                                            gint64      source_id,
                                            gint64      lead_id,
                                            GError    **error);

/* Whole-lead operations */
gboolean nexus_store_leads_move_children (NexusStore *store,
                                          gint64      from_lead_id,
                                          gint64      to_lead_id,
                                          GError    **error);
gboolean nexus_store_leads_log_merge (NexusStore *store,
                                      const char *kind,
                                      gint64      lead_id,
                                      gint64      other_lead_id,
                                      const char *actor,
                                      const char *details,
                                      gint64      now,
                                      GError    **error);
gboolean nexus_store_leads_set_distinct (NexusStore *store,
                                         gint64      a,
                                         gint64      b,
                                         gboolean    distinct,
                                         GError    **error);
gboolean nexus_store_leads_is_distinct (NexusStore *store,
                                        gint64      a,
                                        gint64      b,
                                        gboolean   *out_distinct,
                                        GError    **error);
gboolean nexus_store_leads_enqueue_enrich (NexusStore *store,
                                           gint64      lead_id,
                                           const char *website,
                                           const char *name,
                                           const char *country,
                                           gint64      now,
                                           GError    **error);

/* Iteration (export, the sources listing, reclassification) */
typedef gboolean (*NexusLeadRowFunc) (const NexusLeadRow *row, gpointer user_data, GError **error);
typedef gboolean (*NexusLeadSourceFunc) (const NexusLeadSource *source,
                                         gpointer               user_data,
                                         GError               **error);

gboolean nexus_store_leads_foreach (NexusStore      *store,
                                    NexusLeadRowFunc func,
                                    gpointer         user_data,
                                    GError         **error);
gboolean nexus_store_leads_foreach_source (NexusStore         *store,
                                           NexusLeadSourceFunc func,
                                           gpointer            user_data,
                                           GError            **error);
gboolean nexus_store_leads_page (NexusStore *store,
                                 gint64      after_id,
                                 guint       limit,
                                 GArray     *out_rows,
                                 GError    **error);
gboolean nexus_store_leads_set_category (NexusStore *store,
                                         gint64      lead_id,
                                         const char *category,
                                         const char *category_source,
                                         gint64      now,
                                         GError    **error);

/* Classifier */
gboolean nexus_store_leads_list_rules (NexusStore *store,
                                       gboolean    enabled_only,
                                       GPtrArray  *out_rules,
                                       GError    **error);
gboolean nexus_store_leads_add_rule (NexusStore *store,
                                     const char *category,
                                     const char *keyword,
                                     const char *lang,
                                     double      weight,
                                     const char *origin,
                                     gint64      now,
                                     gint64     *out_rule_id,
                                     GError    **error);
gboolean nexus_store_leads_set_rule_enabled (NexusStore *store,
                                             gint64      rule_id,
                                             gboolean    enabled,
                                             GError    **error);
gboolean nexus_store_leads_delete_rule (NexusStore *store, gint64 rule_id, GError **error);
gboolean nexus_store_leads_count_rules (NexusStore *store, gint64 *out_count, GError **error);
gboolean nexus_store_leads_set_label (NexusStore *store,
                                      gint64      lead_id,
                                      const char *category,
                                      const char *text,
                                      const char *actor,
                                      gint64      now,
                                      GError    **error);
gboolean nexus_store_leads_list_labels (NexusStore *store, GPtrArray *out_labels, GError **error);
gboolean nexus_store_leads_label_stats (NexusStore *store,
                                        gint64     *out_count,
                                        gint64     *out_last_labeled_at,
                                        GError    **error);
gboolean nexus_store_leads_add_model (NexusStore               *store,
                                      const NexusCategoryModel *model,
                                      gint64                   *out_model_id,
                                      GError                  **error);
gboolean nexus_store_leads_get_active_model (NexusStore          *store,
                                             NexusCategoryModel **out_model,
                                             GError             **error);
gboolean nexus_store_leads_list_models (NexusStore *store, GPtrArray *out_models, GError **error);
gboolean nexus_store_leads_get_classifier_generation (NexusStore *store,
                                                      gint64     *out_generation,
                                                      GError    **error);
gboolean nexus_store_leads_bump_classifier_generation (NexusStore *store, GError **error);

G_END_DECLS
