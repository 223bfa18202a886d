/* nexus-ingest.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A batch runs in two stages.  Prepare (pure, no store): every record is
 * normalized and its phones parsed — the expensive part (libphonenumber,
 * Unicode normalization), done by a small thread pool in chunks for large
 * batches.  Apply (the store's thread, in order): match, merge or insert —
 * each chunk as soon as it is prepared, so both stages run at once.
 */

#define G_LOG_DOMAIN "nexus-leads"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>
#include <string.h>

#include "nexus-classifier.h"
#include "nexus-ingest.h"
#include "nexus-json-text.h"
#include "nexus-normalize.h"
#include "nexus-phone.h"
#include "nexus-similarity.h"
#include "store/nexus-store-leads.h"

/* Records per prepare task; a batch of one chunk is prepared on the calling
 * thread. */
#define PREPARE_CHUNK 32
/* phone_raw never grows beyond this (a lead seen a thousand times with a
 * thousand bad numbers is not worth a megabyte). */
#define MAX_PHONE_RAW 512

/* One record after normalization. */
typedef struct
{
  /* The record (borrowed from the batch). */
  NexusLeadInput *input;
  /* The normalized forms (nexus-normalize.h); NULL when absent. */
  char *name_norm;
  char *address_norm;
  char *city_norm;
  char *website_host;
  char *email;
  /* A valid ISO code of the record, or NULL. */
  char *country;
  /* NexusPhone: the valid numbers, each E.164 once, in the order given. */
  GPtrArray *valid_phones;
  /* The numbers that are not valid, as supplied, "; "-separated, or NULL. */
  char *phone_raw;
  /* Set when the record cannot enter the vault. */
  const char *reject_reason;
  /* TRUE when the phones were read with the record's own country, so the
   * context's default region cannot change them. */
  gboolean own_region;
} Prepared;

struct _NexusIngestPrepared
{
  GPtrArray *records; /* a reference */
  Prepared  *items;
};

struct _NexusIngest
{
  GObject parent_instance;

  /* The write store: a reference, or borrowed when the store keeps this
   * pipeline (nexus_ingest_get_for_store()). */
  NexusStore *store;
  gboolean    store_borrowed;
  /* Rules and model, reloaded when the classifier generation changes. */
  NexusClassifier *classifier;
  /* Prepares large batches; NULL until the first one. */
  GThreadPool *pool;
};

/* The prepare stage of one batch: chunks are normalized by the pool while
 * the calling thread applies the chunks already done. */
typedef struct
{
  GMutex lock;
  GCond  cond;
  guint  n_chunks;
  guint  n_done;
  /* Per chunk: TRUE once its records are prepared (guarded by lock). */
  gboolean *done;
} PrepareState;

typedef struct
{
  Prepared     *prepared;
  guint         n;
  guint         chunk;
  const char   *default_region;
  PrepareState *state;
} PrepareTask;

G_DEFINE_FINAL_TYPE (NexusIngest, nexus_ingest, G_TYPE_OBJECT)

/* clang-format off */
G_DEFINE_QUARK (nexus-ingest-error-quark, nexus_ingest_error)
/* clang-format on */

static void
phone_free_cb (gpointer phone)
{
  nexus_phone_free (phone);
}

static void
prepared_clear (Prepared *prepared)
{
  g_free (prepared->name_norm);
  g_free (prepared->address_norm);
  g_free (prepared->city_norm);
  g_free (prepared->website_host);
  g_free (prepared->email);
  g_free (prepared->country);
  g_clear_pointer (&prepared->valid_phones, g_ptr_array_unref);
  g_free (prepared->phone_raw);
  memset (prepared, 0, sizeof *prepared);
}

/* Appends @raw to a "; "-separated list unless it is there already. */
static void
append_raw (char **list, const char *raw)
{
  g_auto (GStrv) items = NULL;
  char *joined;

  if (raw == NULL || *raw == '\0')
    return;
  if (*list == NULL)
    {
      *list = g_strdup (raw);
      return;
    }
  items = g_strsplit (*list, "; ", -1);
  if (g_strv_contains ((const char *const *)items, raw) ||
      strlen (*list) + strlen (raw) + 2 > MAX_PHONE_RAW)
    return;
  joined = g_strconcat (*list, "; ", raw, NULL);
  g_free (*list);
  *list = joined;
}

static void
prepare_one (Prepared *prepared, NexusLeadInput *input, const char *default_region)
{
  const char *region;

  prepared->input = input;
  prepared->name_norm = nexus_normalize_name (input->name);
  if (prepared->name_norm == NULL || *prepared->name_norm == '\0')
    {
      prepared->reject_reason = "name has no letters or digits";
      return;
    }
  prepared->address_norm = nexus_normalize_address (input->address);
  prepared->city_norm = nexus_normalize_city (input->city);
  prepared->website_host = nexus_normalize_website_host (input->website);
  prepared->email = nexus_normalize_email (input->email);
  prepared->country = nexus_normalize_country (input->country);
  prepared->own_region =
      prepared->country != NULL && nexus_phone_region_is_known (prepared->country);
  region = prepared->own_region ? prepared->country : default_region;

  prepared->valid_phones = g_ptr_array_new_with_free_func (phone_free_cb);
  for (guint i = 0; i < input->phones->len; i++)
    {
      g_autoptr (GPtrArray) phones =
          nexus_phone_parse_field (g_ptr_array_index (input->phones, i), region);

      for (guint j = 0; j < phones->len; j++)
        {
          NexusPhone *phone = g_ptr_array_index (phones, j);
          gboolean    seen = FALSE;

          if (!phone->valid)
            {
              append_raw (&prepared->phone_raw, phone->raw);
              continue;
            }
          for (guint k = 0; k < prepared->valid_phones->len && !seen; k++)
            seen = g_strcmp0 (((NexusPhone *)g_ptr_array_index (prepared->valid_phones, k))->e164,
                              phone->e164) == 0;
          if (!seen)
            g_ptr_array_add (prepared->valid_phones, g_steal_pointer (&phones->pdata[j]));
        }
    }
}

static void
prepare_task_run (gpointer data, gpointer user_data)
{
  PrepareTask  *task = data;
  PrepareState *state = task->state;

  for (guint i = 0; i < task->n; i++)
    if (task->prepared[i].input != NULL)
      prepare_one (&task->prepared[i], task->prepared[i].input, task->default_region);

  g_mutex_lock (&state->lock);
  state->done[task->chunk] = TRUE;
  state->n_done++;
  g_cond_broadcast (&state->cond);
  g_mutex_unlock (&state->lock);
  g_free (task);
}

/* Starts normalizing every record of a batch (prepared[i].input set; NULL
 * records are skipped): on the pool for large batches, at once otherwise. */
static void
prepare_start (NexusIngest  *self,
               Prepared     *prepared,
               guint         n,
               const char   *default_region,
               PrepareState *state)
{
  g_mutex_init (&state->lock);
  g_cond_init (&state->cond);
  state->n_chunks = (n + PREPARE_CHUNK - 1) / PREPARE_CHUNK;
  state->n_done = 0;
  state->done = g_new0 (gboolean, MAX (state->n_chunks, 1));

  if (state->n_chunks <= 1 || g_get_num_processors () < 2)
    {
      for (guint i = 0; i < n; i++)
        if (prepared[i].input != NULL)
          prepare_one (&prepared[i], prepared[i].input, default_region);
      for (guint c = 0; c < state->n_chunks; c++)
        state->done[c] = TRUE;
      state->n_done = state->n_chunks;
      return;
    }

  if (self->pool == NULL)
    self->pool =
        g_thread_pool_new (prepare_task_run, NULL, MIN (g_get_num_processors (), 8), FALSE, NULL);

  for (guint c = 0; c < state->n_chunks; c++)
    {
      PrepareTask *task = g_new0 (PrepareTask, 1);

      task->prepared = prepared + c * PREPARE_CHUNK;
      task->n = MIN (PREPARE_CHUNK, n - c * PREPARE_CHUNK);
      task->chunk = c;
      task->default_region = default_region;
      task->state = state;
      g_thread_pool_push (self->pool, task, NULL);
    }
}

/* Waits until record @index is prepared. */
static void
prepare_wait (PrepareState *state, guint index)
{
  guint chunk = index / PREPARE_CHUNK;

  g_mutex_lock (&state->lock);
  while (!state->done[chunk])
    g_cond_wait (&state->cond, &state->lock);
  g_mutex_unlock (&state->lock);
}

/* Waits for every chunk (the pool writes into the batch until then). */
static void
prepare_finish (PrepareState *state)
{
  g_mutex_lock (&state->lock);
  while (state->n_done < state->n_chunks)
    g_cond_wait (&state->cond, &state->lock);
  g_mutex_unlock (&state->lock);
  g_free (state->done);
  g_mutex_clear (&state->lock);
  g_cond_clear (&state->cond);
}

static void
nexus_ingest_finalize (GObject *object)
{
  NexusIngest *self = (NexusIngest *)object;

  if (self->pool != NULL)
    g_thread_pool_free (self->pool, FALSE, TRUE);
  g_clear_object (&self->classifier);
  if (self->store_borrowed)
    self->store = NULL;
  g_clear_object (&self->store);

  G_OBJECT_CLASS (nexus_ingest_parent_class)->finalize (object);
}

static void
nexus_ingest_class_init (NexusIngestClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = nexus_ingest_finalize;
}

static void
nexus_ingest_init (NexusIngest *self)
{
}

/**
 * nexus_ingest_new:
 * @store: the writable store (the engine's)
 *
 * Returns: (transfer full) (nullable): a pipeline bound to @store, with the
 *   classifier loaded, or %NULL with @error
 */
NexusIngest *
nexus_ingest_new (NexusStore *store, GError **error)
{
  g_autoptr (NexusIngest) self = NULL;

  g_return_val_if_fail (NEXUS_IS_STORE (store), NULL);

  self = g_object_new (NEXUS_TYPE_INGEST, NULL);
  self->store = g_object_ref (store);
  self->classifier = nexus_classifier_load (store, error);
  if (self->classifier == NULL)
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * nexus_ingest_get_for_store:
 *
 * The pipeline kept with @store (created on first use), so that every part
 * of the engine thread shares one.
 *
 * Returns: (transfer none) (nullable): the pipeline, or %NULL with @error
 */
NexusIngest *
nexus_ingest_get_for_store (NexusStore *store, GError **error)
{
  NexusIngest *self;

  g_return_val_if_fail (NEXUS_IS_STORE (store), NULL);

  self = g_object_get_data (G_OBJECT (store), "nexus-ingest");
  if (self != NULL)
    return self;

  self = nexus_ingest_new (store, error);
  if (self == NULL)
    return NULL;
  /* The store keeps the pipeline, so the pipeline must not keep the store
   * (a cycle): it borrows it for the store's lifetime. */
  g_object_unref (self->store);
  self->store_borrowed = TRUE;
  g_object_set_data_full (G_OBJECT (store), "nexus-ingest", self, g_object_unref);
  return self;
}

NexusStore *
nexus_ingest_get_store (NexusIngest *self)
{
  g_return_val_if_fail (NEXUS_IS_INGEST (self), NULL);

  return self->store;
}

static void
rejection_clear (gpointer data)
{
  NexusIngestRejection *rejection = data;

  g_free (rejection->reason);
}

/**
 * nexus_ingest_report_new:
 *
 * Returns: (transfer full): an empty report
 */
NexusIngestReport *
nexus_ingest_report_new (void)
{
  NexusIngestReport *report = g_new0 (NexusIngestReport, 1);

  report->rejected = g_array_new (FALSE, TRUE, sizeof (NexusIngestRejection));
  g_array_set_clear_func (report->rejected, rejection_clear);
  report->lead_ids = g_array_new (FALSE, TRUE, sizeof (gint64));
  report->outcomes = g_array_new (FALSE, TRUE, sizeof (NexusIngestOutcome));
  return report;
}

void
nexus_ingest_report_free (NexusIngestReport *report)
{
  if (report == NULL)
    return;
  g_array_unref (report->rejected);
  g_array_unref (report->lead_ids);
  g_array_unref (report->outcomes);
  g_free (report);
}

/**
 * nexus_ingest_report_reject:
 * @index: the record's index in the report
 * @reason: the short reason (e.g. the message of nexus_lead_input_from_json())
 *
 * Records a rejection found before the pipeline ran (the record is then
 * passed as %NULL in the batch).
 */
void
nexus_ingest_report_reject (NexusIngestReport *report, guint index, const char *reason)
{
  NexusIngestRejection rejection = { index, g_strdup (reason != NULL ? reason : "rejected") };

  g_return_if_fail (report != NULL);

  g_array_append_val (report->rejected, rejection);
}

static int
compare_rejections (gconstpointer a, gconstpointer b)
{
  const NexusIngestRejection *ra = a;
  const NexusIngestRejection *rb = b;

  return ra->index < rb->index ? -1 : ra->index > rb->index;
}

/**
 * nexus_ingest_report_to_text:
 *
 * Returns: (transfer full): the protocol's answer to a report:
 *   {"accepted","new","merged","preview","rejected":[{"index","reason"}]}
 */
char *
nexus_ingest_report_to_text (const NexusIngestReport *report)
{
  GString *text = g_string_sized_new (96);

  g_string_append_printf (text,
                          "{\"accepted\":%u,\"new\":%u,\"merged\":%u,\"preview\":%u,"
                          "\"rejected\":[",
                          report->accepted, report->n_new, report->merged, report->preview);
  for (guint i = 0; i < report->rejected->len; i++)
    {
      const NexusIngestRejection *rejection =
          &g_array_index (report->rejected, NexusIngestRejection, i);

      g_string_append_printf (text, "%s{\"index\":%u,\"reason\":", i > 0 ? "," : "",
                              rejection->index);
      nexus_json_append_string (text, rejection->reason);
      g_string_append_c (text, '}');
    }
  g_string_append (text, "]}");
  return g_string_free (text, FALSE);
}

/* Reloads the rules and model when another part of Nexus (or another
 * process) changed them. */
static gboolean
refresh_classifier (NexusIngest *self, GError **error)
{
  gint64           generation = 0;
  NexusClassifier *classifier;

  if (!nexus_store_leads_get_classifier_generation (self->store, &generation, error))
    return FALSE;
  if (generation == nexus_classifier_get_generation (self->classifier))
    return TRUE;
  classifier = nexus_classifier_load (self->store, error);
  if (classifier == NULL)
    return FALSE;
  g_set_object (&self->classifier, classifier);
  g_object_unref (classifier);
  return TRUE;
}

static void
set_text (char **field, const char *value)
{
  g_free (*field);
  *field = g_strdup (value);
}

/* Classifies @row unless a better source already set its category.
 * Returns TRUE when the category changed. */
static gboolean
classify_row (NexusIngest *self, NexusLeadRow *row)
{
  NexusCategorySource current = nexus_category_source_from_string (row->category_source);
  g_autofree char    *category = NULL;
  NexusCategorySource source;

  if (current >= NEXUS_CATEGORY_SOURCE_RULE)
    return FALSE;
  source = nexus_classifier_classify (self->classifier, row->name_norm, row->provider_category,
                                      &category, NULL);
  if (source < current || (source == current && g_strcmp0 (category, row->category) == 0))
    return FALSE;
  g_free (row->category);
  row->category = g_steal_pointer (&category);
  set_text (&row->category_source, nexus_category_source_to_string (source));
  return TRUE;
}

/* A new row from a prepared record. */
static void
row_from_prepared (NexusLeadRow *row, const Prepared *prepared)
{
  const NexusLeadInput *input = prepared->input;

  row->name = g_strdup (input->name);
  row->name_norm = g_strdup (prepared->name_norm);
  if (prepared->valid_phones->len > 0)
    row->phone_e164 =
        g_strdup (((NexusPhone *)g_ptr_array_index (prepared->valid_phones, 0))->e164);
  row->phone_raw = g_strdup (prepared->phone_raw);
  row->phone_invalid = prepared->phone_raw != NULL;
  row->website = g_strdup (input->website);
  row->website_host = g_strdup (prepared->website_host);
  row->email = g_strdup (prepared->email);
  row->address = g_strdup (input->address);
  row->address_norm = g_strdup (prepared->address_norm);
  row->city = g_strdup (input->city);
  row->city_norm = g_strdup (prepared->city_norm);
  row->country = g_strdup (prepared->country);
  /* Without a country of its own, a lead is where its number is. */
  if (row->country == NULL && prepared->valid_phones->len > 0)
    {
      const char *region = ((NexusPhone *)g_ptr_array_index (prepared->valid_phones, 0))->region;
      if (*region != '\0')
        row->country = g_strdup (region);
    }
  row->has_location = input->has_location;
  row->lat = input->lat;
  row->lon = input->lon;
  row->provider_category = g_strdup (input->category);
  row->has_rating = input->has_rating;
  row->rating = input->rating;
  row->reviews = input->reviews;
  row->preview_only = prepared->valid_phones->len == 0;
  row->sightings = 1;
}

/* Fills the empty fields of @row from @prepared.  Sets *searchable when a
 * column of the FTS or R*Tree index changed. */
static void
fill_row (NexusLeadRow *row, const Prepared *prepared, gboolean *searchable)
{
  const NexusLeadInput *input = prepared->input;

  if (row->phone_e164 == NULL && prepared->valid_phones->len > 0)
    row->phone_e164 =
        g_strdup (((NexusPhone *)g_ptr_array_index (prepared->valid_phones, 0))->e164);
  if (prepared->phone_raw != NULL)
    {
      g_auto (GStrv) raws = g_strsplit (prepared->phone_raw, "; ", -1);
      for (guint i = 0; raws[i] != NULL; i++)
        append_raw (&row->phone_raw, raws[i]);
    }
  row->phone_invalid = row->phone_raw != NULL;
  if (row->website == NULL && input->website != NULL)
    {
      row->website = g_strdup (input->website);
      set_text (&row->website_host, prepared->website_host);
    }
  if (row->email == NULL && prepared->email != NULL)
    row->email = g_strdup (prepared->email);
  if (row->address == NULL && input->address != NULL)
    {
      row->address = g_strdup (input->address);
      set_text (&row->address_norm, prepared->address_norm);
      *searchable = TRUE;
    }
  if (row->city == NULL && input->city != NULL)
    {
      row->city = g_strdup (input->city);
      set_text (&row->city_norm, prepared->city_norm);
      *searchable = TRUE;
    }
  if (row->country == NULL && prepared->country != NULL)
    row->country = g_strdup (prepared->country);
  if (row->country == NULL && prepared->valid_phones->len > 0)
    {
      const char *region = ((NexusPhone *)g_ptr_array_index (prepared->valid_phones, 0))->region;
      if (*region != '\0')
        row->country = g_strdup (region);
    }
  if (!row->has_location && input->has_location)
    {
      row->has_location = TRUE;
      row->lat = input->lat;
      row->lon = input->lon;
      *searchable = TRUE;
    }
  if (row->provider_category == NULL && input->category != NULL)
    row->provider_category = g_strdup (input->category);
  /* The rating backed by more reviews is the better one. */
  if (input->has_rating && (!row->has_rating || input->reviews > row->reviews))
    {
      row->has_rating = TRUE;
      row->rating = input->rating;
      row->reviews = input->reviews;
    }
  if (prepared->valid_phones->len > 0)
    row->preview_only = FALSE;
}

/* Fills the empty fields of @row from another lead's row (a merge of two
 * leads). */
static void
fill_row_from_row (NexusLeadRow *row, const NexusLeadRow *other)
{
  if (row->phone_e164 == NULL)
    set_text (&row->phone_e164, other->phone_e164);
  if (other->phone_raw != NULL)
    {
      g_auto (GStrv) raws = g_strsplit (other->phone_raw, "; ", -1);
      for (guint i = 0; raws[i] != NULL; i++)
        append_raw (&row->phone_raw, raws[i]);
    }
  row->phone_invalid = row->phone_raw != NULL;
  if (row->website == NULL && other->website != NULL)
    {
      set_text (&row->website, other->website);
      set_text (&row->website_host, other->website_host);
    }
  if (row->email == NULL)
    set_text (&row->email, other->email);
  if (row->address == NULL && other->address != NULL)
    {
      set_text (&row->address, other->address);
      set_text (&row->address_norm, other->address_norm);
    }
  if (row->city == NULL && other->city != NULL)
    {
      set_text (&row->city, other->city);
      set_text (&row->city_norm, other->city_norm);
    }
  if (row->country == NULL)
    set_text (&row->country, other->country);
  if (!row->has_location && other->has_location)
    {
      row->has_location = TRUE;
      row->lat = other->lat;
      row->lon = other->lon;
    }
  if (row->provider_category == NULL)
    set_text (&row->provider_category, other->provider_category);
  if (nexus_category_source_from_string (other->category_source) >
      nexus_category_source_from_string (row->category_source))
    {
      set_text (&row->category, other->category);
      set_text (&row->category_source, other->category_source);
    }
  if (other->has_rating && (!row->has_rating || other->reviews > row->reviews))
    {
      row->has_rating = TRUE;
      row->rating = other->rating;
      row->reviews = other->reviews;
    }
  row->preview_only = row->preview_only && other->preview_only;
  row->sightings += other->sightings;
  row->first_seen_at = MIN (row->first_seen_at, other->first_seen_at);
  row->last_seen_at = MAX (row->last_seen_at, other->last_seen_at);
}

static gboolean
add_phones (NexusIngest *self, gint64 lead_id, const Prepared *prepared, GError **error)
{
  for (guint i = 0; i < prepared->valid_phones->len; i++)
    {
      NexusPhone *phone = g_ptr_array_index (prepared->valid_phones, i);

      if (!nexus_store_leads_add_phone (self->store, lead_id, phone->e164,
                                        nexus_phone_type_to_string (phone->type), phone->extension,
                                        error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
lead_exists (NexusIngest *self, gint64 lead_id, gboolean *out_exists, GError **error)
{
  g_autoptr (NexusLeadCandidate) candidate = NULL;

  if (!nexus_store_leads_get_candidate (self->store, lead_id, &candidate, error))
    return FALSE;
  *out_exists = candidate != NULL;
  return TRUE;
}

/* The phone step of the match: the lead answering on one of @prepared's
 * valid numbers whose name fits best (see nexus-similarity.h).  @exclude
 * (a lead being promoted) and leads an operator split from it are skipped. */
static gboolean
match_by_phone (NexusIngest    *self,
                const Prepared *prepared,
                const char     *name_norm,
                gint64          exclude,
                gint64         *out_lead_id,
                GError        **error)
{
  g_autoptr (GPtrArray) candidates =
      g_ptr_array_new_with_free_func ((GDestroyNotify)nexus_lead_candidate_free);
  double best = -1;

  *out_lead_id = 0;
  for (guint i = 0; i < prepared->valid_phones->len; i++)
    {
      NexusPhone *phone = g_ptr_array_index (prepared->valid_phones, i);

      if (!nexus_store_leads_find_by_phone (self->store, phone->e164, candidates, error))
        return FALSE;
    }

  for (guint i = 0; i < candidates->len; i++)
    {
      NexusLeadCandidate *candidate = g_ptr_array_index (candidates, i);
      double              score;

      if (candidate->id == exclude || candidate->id == *out_lead_id)
        continue;
      if (exclude > 0)
        {
          gboolean distinct = FALSE;

          if (!nexus_store_leads_is_distinct (self->store, exclude, candidate->id, &distinct,
                                              error))
            return FALSE;
          if (distinct)
            continue;
        }

      /* Names in different scripts say nothing: the number decides. */
      if (!nexus_scripts_comparable (name_norm, candidate->name_norm))
        score = NEXUS_MATCH_PHONE_NAME_MIN;
      else
        score = nexus_name_similarity (name_norm, candidate->name_norm);
      if (score >= NEXUS_MATCH_PHONE_NAME_MIN && score > best)
        {
          best = score;
          *out_lead_id = candidate->id;
        }
    }
  return TRUE;
}

/* The geo and address steps of the match. */
static gboolean
match_by_place (NexusIngest *self, const Prepared *prepared, gint64 *out_lead_id, GError **error)
{
  const NexusLeadInput *input = prepared->input;
  g_autoptr (GPtrArray) candidates =
      g_ptr_array_new_with_free_func ((GDestroyNotify)nexus_lead_candidate_free);
  gboolean has_phone = prepared->valid_phones->len > 0;
  double   best = 0;
  double   best_distance = G_MAXDOUBLE;

  *out_lead_id = 0;

  if (input->has_location && !nexus_store_leads_find_near (self->store, input->lat, input->lon,
                                                           NEXUS_MATCH_RADIUS_M, candidates, error))
    return FALSE;
  if (prepared->address_norm != NULL && prepared->city_norm != NULL &&
      !nexus_store_leads_find_by_address (self->store, prepared->address_norm, prepared->city_norm,
                                          input->has_location, candidates, error))
    return FALSE;

  for (guint i = 0; i < candidates->len; i++)
    {
      NexusLeadCandidate *candidate = g_ptr_array_index (candidates, i);
      gboolean same_address = prepared->address_norm != NULL && prepared->city_norm != NULL &&
                              g_strcmp0 (prepared->address_norm, candidate->address_norm) == 0 &&
                              g_strcmp0 (prepared->city_norm, candidate->city_norm) == 0;
      double distance = G_MAXDOUBLE;
      double score;

      if (input->has_location && candidate->has_location)
        {
          double limit = NEXUS_MATCH_RADIUS_M;

          distance = nexus_geo_distance_m (input->lat, input->lon, candidate->lat, candidate->lon);
          /* Both have numbers and none is shared (the phone step found
           * nothing): only very close, or at the same address. */
          if (has_phone && candidate->has_phone && !same_address)
            limit = NEXUS_MATCH_CLOSE_RADIUS_M;
          if (distance > limit)
            continue;
        }
      else if (!same_address)
        continue;

      if (!nexus_scripts_comparable (prepared->name_norm, candidate->name_norm))
        continue;
      score = nexus_name_similarity (prepared->name_norm, candidate->name_norm);
      if (score < NEXUS_MATCH_NAME_THRESHOLD)
        continue;
      if (score > best || (score == best && distance < best_distance))
        {
          best = score;
          best_distance = distance;
          *out_lead_id = candidate->id;
        }
    }
  return TRUE;
}

/* Merges lead @other into lead @keep (fields, sources, phones, assignments,
 * label) and deletes @other. */
static gboolean
merge_leads (NexusIngest *self,
             gint64       keep,
             gint64       other,
             const char  *kind,
             const char  *actor,
             gint64       now,
             GError     **error)
{
  g_auto (NexusLeadRow) keep_row = { 0 };
  g_auto (NexusLeadRow) other_row = { 0 };
  g_autofree char *details = NULL;
  gboolean         found_keep = FALSE;
  gboolean         found_other = FALSE;

  if (!nexus_store_leads_get (self->store, keep, &keep_row, &found_keep, error) ||
      !nexus_store_leads_get (self->store, other, &other_row, &found_other, error))
    return FALSE;
  if (!found_keep || !found_other)
    {
      g_set_error (error, NEXUS_INGEST_ERROR, NEXUS_INGEST_ERROR_NOT_FOUND,
                   _ ("There is no lead %" PRId64), found_keep ? other : keep);
      return FALSE;
    }

  fill_row_from_row (&keep_row, &other_row);
  {
    g_autoptr (JsonBuilder) builder = json_builder_new ();
    g_autoptr (JsonNode) node = NULL;

    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "name");
    json_builder_add_string_value (builder, other_row.name);
    json_builder_set_member_name (builder, "sightings");
    json_builder_add_int_value (builder, other_row.sightings);
    json_builder_end_object (builder);
    node = json_builder_get_root (builder);
    details = json_to_string (node, FALSE);
  }

  return nexus_store_leads_move_children (self->store, other, keep, error) &&
         nexus_store_leads_delete (self->store, other, error) &&
         nexus_store_leads_update (self->store, &keep_row, TRUE, now, error) &&
         nexus_store_leads_log_merge (self->store, kind, keep, other, actor, details, now, error);
}

/* Merges a record into lead @lead_id; a preview lead that now has a phone
 * first joins the vault through the phone match.  *out_lead_id is the lead
 * the record ended up in. */
static gboolean
merge_record (NexusIngest    *self,
              gint64          lead_id,
              const Prepared *prepared,
              gint64          now,
              gint64         *out_lead_id,
              GError        **error)
{
  g_auto (NexusLeadRow) row = { 0 };
  gboolean found = FALSE;
  gboolean searchable = FALSE;

  if (!nexus_store_leads_get (self->store, lead_id, &row, &found, error))
    return FALSE;
  if (!found)
    {
      g_set_error (error, NEXUS_INGEST_ERROR, NEXUS_INGEST_ERROR_NOT_FOUND,
                   _ ("There is no lead %" PRId64), lead_id);
      return FALSE;
    }

  if (row.preview_only && prepared->valid_phones->len > 0)
    {
      gint64 vault_lead = 0;

      if (!match_by_phone (self, prepared, row.name_norm, lead_id, &vault_lead, error))
        return FALSE;
      if (vault_lead > 0)
        {
          if (!merge_leads (self, vault_lead, lead_id, "promote", "nexus", now, error))
            return FALSE;
          lead_id = vault_lead;
          nexus_lead_row_clear (&row);
          if (!nexus_store_leads_get (self->store, lead_id, &row, &found, error))
            return FALSE;
        }
    }

  fill_row (&row, prepared, &searchable);
  if (classify_row (self, &row))
    searchable = TRUE;
  row.sightings++;
  row.last_seen_at = MAX (row.last_seen_at, now);

  if (!nexus_store_leads_update (self->store, &row, searchable, now, error) ||
      !add_phones (self, lead_id, prepared, error))
    return FALSE;
  *out_lead_id = lead_id;
  return TRUE;
}

static gboolean
insert_lead (NexusIngest    *self,
             const Prepared *prepared,
             gint64          now,
             gint64         *out_lead_id,
             GError        **error)
{
  g_auto (NexusLeadRow) row = { 0 };

  row_from_prepared (&row, prepared);
  classify_row (self, &row);
  if (!nexus_store_leads_insert (self->store, &row, now, error) ||
      !add_phones (self, row.id, prepared, error))
    return FALSE;
  if (row.preview_only && !nexus_store_leads_enqueue_enrich (self->store, row.id, row.website,
                                                             row.name, row.country, now, error))
    return FALSE;
  *out_lead_id = row.id;
  return TRUE;
}

static gboolean
apply_one (NexusIngest              *self,
           const NexusIngestContext *context,
           const Prepared           *prepared,
           gint64                    now,
           gint64                   *out_lead_id,
           NexusIngestOutcome       *out_outcome,
           GError                  **error)
{
  const NexusLeadInput *input = prepared->input;
  gint64                source_id = 0;
  gint64                lead_id = 0;
  gint64                target = 0;

  if (!nexus_store_leads_find_source (self->store, input->provider, input->ref, &source_id,
                                      &lead_id, error))
    return FALSE;

  /* A re-report: the same source, one more sighting. */
  if (source_id > 0)
    {
      *out_outcome = NEXUS_INGEST_OUTCOME_MERGED;
      if (!merge_record (self, lead_id, prepared, now, out_lead_id, error))
        return FALSE;
      return nexus_store_leads_touch_source (self->store, source_id, input->payload, now, error);
    }

  if (context->enrich_lead_id > 0)
    {
      gboolean exists = FALSE;

      if (!lead_exists (self, context->enrich_lead_id, &exists, error))
        return FALSE;
      if (exists)
        target = context->enrich_lead_id;
    }
  if (target == 0 && !match_by_phone (self, prepared, prepared->name_norm, 0, &target, error))
    return FALSE;
  if (target == 0 && !match_by_place (self, prepared, &target, error))
    return FALSE;

  if (target > 0)
    {
      *out_outcome = NEXUS_INGEST_OUTCOME_MERGED;
      if (!merge_record (self, target, prepared, now, out_lead_id, error))
        return FALSE;
    }
  else
    {
      *out_outcome =
          prepared->valid_phones->len > 0 ? NEXUS_INGEST_OUTCOME_NEW : NEXUS_INGEST_OUTCOME_PREVIEW;
      if (!insert_lead (self, prepared, now, out_lead_id, error))
        return FALSE;
    }

  return nexus_store_leads_insert_source (self->store, *out_lead_id, input->provider, input->ref,
                                          context->job_id, context->worker_id, input->payload, now,
                                          NULL, error);
}

/**
 * nexus_ingest_batch_in_transaction:
 * @context: where the records come from
 * @records: (element-type NexusLeadInput): validated records
 *   (nexus_lead_input_from_json() or nexus_lead_input_validate()); a %NULL
 *   entry is a record the caller already rejected with
 *   nexus_ingest_report_reject()
 * @report: receives the counts, per-record results and rejections
 *
 * Runs the pipeline over @records inside the caller's open transaction.
 * A record the pipeline cannot use (e.g. a name without letters) is
 * rejected with a reason and the rest go on; a storage error stops the
 * batch and returns %FALSE — roll back then.
 */
/* Applies @n prepared records in order (waiting for each when @state is
 * still preparing them). */
static gboolean
apply_prepared (NexusIngest              *self,
                const NexusIngestContext *context,
                Prepared                 *prepared,
                guint                     n,
                PrepareState             *state,
                NexusIngestReport        *report,
                GError                  **error)
{
  gint64   now = context->now > 0 ? context->now : g_get_real_time () / G_USEC_PER_SEC;
  guint    base = report->lead_ids->len;
  gboolean ok = TRUE;

  for (guint i = 0; i < n && ok; i++)
    {
      NexusIngestOutcome outcome = NEXUS_INGEST_OUTCOME_REJECTED;
      gint64             lead_id = 0;

      if (state != NULL)
        prepare_wait (state, i);
      if (prepared[i].input == NULL)
        ; /* rejected by the caller */
      else if (prepared[i].reject_reason != NULL)
        nexus_ingest_report_reject (report, base + i, prepared[i].reject_reason);
      else
        ok = apply_one (self, context, &prepared[i], now, &lead_id, &outcome, error);

      g_array_append_val (report->lead_ids, lead_id);
      g_array_append_val (report->outcomes, outcome);
      switch (outcome)
        {
          case NEXUS_INGEST_OUTCOME_NEW:
            report->n_new++;
            report->accepted++;
            break;
          case NEXUS_INGEST_OUTCOME_MERGED:
            report->merged++;
            report->accepted++;
            break;
          case NEXUS_INGEST_OUTCOME_PREVIEW:
            report->preview++;
            report->accepted++;
            break;
          case NEXUS_INGEST_OUTCOME_REJECTED:
          default:
            break;
        }
    }

  return ok;
}

gboolean
nexus_ingest_batch_in_transaction (NexusIngest              *self,
                                   const NexusIngestContext *context,
                                   GPtrArray                *records,
                                   NexusIngestReport        *report,
                                   GError                  **error)
{
  g_autofree Prepared *prepared = NULL;
  PrepareState         state;
  gboolean             ok;

  g_return_val_if_fail (NEXUS_IS_INGEST (self), FALSE);
  g_return_val_if_fail (context != NULL && records != NULL && report != NULL, FALSE);
  g_return_val_if_fail (nexus_store_in_transaction (self->store), FALSE);

  if (!refresh_classifier (self, error))
    return FALSE;

  prepared = g_new0 (Prepared, records->len);
  for (guint i = 0; i < records->len; i++)
    prepared[i].input = g_ptr_array_index (records, i);
  prepare_start (self, prepared, records->len, context->default_region, &state);
  ok = apply_prepared (self, context, prepared, records->len, &state, report, error);

  prepare_finish (&state);
  for (guint i = 0; i < records->len; i++)
    prepared_clear (&prepared[i]);
  g_array_sort (report->rejected, compare_rejections);
  return ok;
}

/**
 * nexus_ingest_prepare:
 * @records: (element-type NexusLeadInput): as for
 *   nexus_ingest_batch_in_transaction(); a reference is kept
 *
 * The first step of the pipeline — normalization, phones read with each
 * record's own country — on any thread, without a store: the worker API
 * runs it on its own thread so that the engine thread only matches and
 * writes.  Records without a country of their own have their phones read
 * again with the context's default region when applied.
 *
 * Returns: (transfer full): the prepared batch
 */
NexusIngestPrepared *
nexus_ingest_prepare (GPtrArray *records)
{
  NexusIngestPrepared *batch = g_new0 (NexusIngestPrepared, 1);

  batch->records = g_ptr_array_ref (records);
  batch->items = g_new0 (Prepared, MAX (records->len, 1));
  for (guint i = 0; i < records->len; i++)
    if (g_ptr_array_index (records, i) != NULL)
      prepare_one (&batch->items[i], g_ptr_array_index (records, i), NULL);
  return batch;
}

void
nexus_ingest_prepared_free (NexusIngestPrepared *batch)
{
  if (batch == NULL)
    return;
  for (guint i = 0; i < batch->records->len; i++)
    prepared_clear (&batch->items[i]);
  g_free (batch->items);
  g_ptr_array_unref (batch->records);
  g_free (batch);
}

/**
 * nexus_ingest_prepared_in_transaction:
 * @batch: from nexus_ingest_prepare(); applied once
 *
 * nexus_ingest_batch_in_transaction() for a batch prepared beforehand.
 */
gboolean
nexus_ingest_prepared_in_transaction (NexusIngest              *self,
                                      const NexusIngestContext *context,
                                      NexusIngestPrepared      *batch,
                                      NexusIngestReport        *report,
                                      GError                  **error)
{
  gboolean ok;

  g_return_val_if_fail (NEXUS_IS_INGEST (self), FALSE);
  g_return_val_if_fail (context != NULL && batch != NULL && report != NULL, FALSE);
  g_return_val_if_fail (nexus_store_in_transaction (self->store), FALSE);

  if (!refresh_classifier (self, error))
    return FALSE;

  for (guint i = 0; i < batch->records->len; i++)
    {
      NexusLeadInput *input = g_ptr_array_index (batch->records, i);

      if (input != NULL && !batch->items[i].own_region && context->default_region != NULL)
        {
          prepared_clear (&batch->items[i]);
          prepare_one (&batch->items[i], input, context->default_region);
        }
    }
  ok = apply_prepared (self, context, batch->items, batch->records->len, NULL, report, error);
  g_array_sort (report->rejected, compare_rejections);
  return ok;
}

/**
 * nexus_ingest_batch:
 *
 * nexus_ingest_batch_in_transaction() in a transaction of its own: all of
 * the batch is stored, or nothing.
 */
gboolean
nexus_ingest_batch (NexusIngest              *self,
                    const NexusIngestContext *context,
                    GPtrArray                *records,
                    NexusIngestReport        *report,
                    GError                  **error)
{
  g_return_val_if_fail (NEXUS_IS_INGEST (self), FALSE);

  if (!nexus_store_begin (self->store, error))
    return FALSE;
  if (!nexus_ingest_batch_in_transaction (self, context, records, report, error) ||
      !nexus_store_commit (self->store, error))
    {
      nexus_store_rollback (self->store);
      return FALSE;
    }
  return TRUE;
}

/**
 * nexus_ingest_merge_leads:
 * @keep_lead_id: the lead that remains (its id, status, agent and notes
 *   stay)
 * @other_lead_id: the lead merged into it and removed
 * @actor: (nullable): who asked (recorded in lead_merges)
 *
 * An operator's merge: sources, phones, assignments and the label of
 * @other_lead_id move to @keep_lead_id, whose empty fields are filled.  A
 * split between the two is forgotten.  Own transaction.
 */
gboolean
nexus_ingest_merge_leads (NexusIngest *self,
                          gint64       keep_lead_id,
                          gint64       other_lead_id,
                          const char  *actor,
                          GError     **error)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_return_val_if_fail (NEXUS_IS_INGEST (self), FALSE);

  if (keep_lead_id == other_lead_id)
    {
      g_set_error_literal (error, NEXUS_INGEST_ERROR, NEXUS_INGEST_ERROR_INVALID,
                           _ ("A lead cannot be merged into itself"));
      return FALSE;
    }

  if (!nexus_store_begin (self->store, error))
    return FALSE;
  if (!nexus_store_leads_set_distinct (self->store, keep_lead_id, other_lead_id, FALSE, error) ||
      !merge_leads (self, keep_lead_id, other_lead_id, "merge", actor != NULL ? actor : "operator",
                    now, error) ||
      !nexus_store_commit (self->store, error))
    {
      nexus_store_rollback (self->store);
      return FALSE;
    }
  return TRUE;
}

/* Builds a lead row (and its valid phones) from the raw records of some
 * sources, oldest first, as if they had been ingested alone in that order. */
static gboolean
row_from_sources (NexusIngest  *self,
                  GPtrArray    *sources,
                  const char   *default_region,
                  NexusLeadRow *row,
                  GPtrArray    *phones,
                  GError      **error)
{
  for (guint i = 0; i < sources->len; i++)
    {
      NexusLeadSource *source = g_ptr_array_index (sources, i);
      g_autoptr (JsonParser) parser = json_parser_new ();
      g_autoptr (NexusLeadInput) input = NULL;
      g_autoptr (GError) local_error = NULL;
      Prepared  prepared = { 0 };
      JsonNode *root;

      if (source->raw == NULL || !json_parser_load_from_data (parser, source->raw, -1, NULL) ||
          (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
          (input = nexus_lead_input_from_json (json_node_get_object (root), &local_error)) == NULL)
        {
          g_set_error (error, NEXUS_INGEST_ERROR, NEXUS_INGEST_ERROR_INVALID,
                       _ ("Source %" PRId64 " (%s %s) has no usable record"), source->id,
                       source->provider, source->ref);
          return FALSE;
        }

      prepare_one (&prepared, input, default_region);
      if (prepared.reject_reason != NULL)
        {
          prepared_clear (&prepared);
          continue;
        }
      if (row->name == NULL)
        {
          row_from_prepared (row, &prepared);
          row->sightings = 0;
          row->first_seen_at = source->first_seen_at;
          row->last_seen_at = source->last_seen_at;
        }
      else
        {
          gboolean searchable = FALSE;
          fill_row (row, &prepared, &searchable);
        }
      row->sightings += source->sightings;
      row->first_seen_at = MIN (row->first_seen_at, source->first_seen_at);
      row->last_seen_at = MAX (row->last_seen_at, source->last_seen_at);
      for (guint j = 0; j < prepared.valid_phones->len; j++)
        g_ptr_array_add (phones, g_steal_pointer (&prepared.valid_phones->pdata[j]));
      prepared_clear (&prepared);
    }

  if (row->name == NULL)
    {
      g_set_error_literal (error, NEXUS_INGEST_ERROR, NEXUS_INGEST_ERROR_INVALID,
                           _ ("None of the sources has a usable name"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
store_phones (NexusIngest *self, gint64 lead_id, GPtrArray *phones, GError **error)
{
  for (guint i = 0; i < phones->len; i++)
    {
      NexusPhone *phone = g_ptr_array_index (phones, i);

      if (!nexus_store_leads_add_phone (self->store, lead_id, phone->e164,
                                        nexus_phone_type_to_string (phone->type), phone->extension,
                                        error))
        return FALSE;
    }
  return TRUE;
}

/**
 * nexus_ingest_split_lead:
 * @lead_id: a lead that was merged wrongly
 * @source_ids: (array length=n_source_ids): the lead_sources rows that are
 *   a different business; at least one, and not all of the lead's sources
 * @actor: (nullable): who asked
 * @out_new_lead_id: (out) (optional): the lead made of those sources
 *
 * An operator's split: the given sources leave @lead_id for a new lead,
 * and both leads are rebuilt from their own sources' records (names,
 * phones, addresses, ratings…).  @lead_id keeps its id, status, agent,
 * notes and an operator's category.  The two are recorded as distinct so
 * the engine never merges them again by itself.  Own transaction.
 */
gboolean
nexus_ingest_split_lead (NexusIngest  *self,
                         gint64        lead_id,
                         const gint64 *source_ids,
                         guint         n_source_ids,
                         const char   *actor,
                         gint64       *out_new_lead_id,
                         GError      **error)
{
  g_autoptr (GPtrArray) sources =
      g_ptr_array_new_with_free_func ((GDestroyNotify)nexus_lead_source_free);
  g_autoptr (GPtrArray) moving = g_ptr_array_new ();
  g_autoptr (GPtrArray) staying = g_ptr_array_new ();
  g_autoptr (GPtrArray) moving_phones = g_ptr_array_new_with_free_func (phone_free_cb);
  g_autoptr (GPtrArray) staying_phones = g_ptr_array_new_with_free_func (phone_free_cb);
  g_auto (NexusLeadRow) old_row = { 0 };
  g_auto (NexusLeadRow) new_row = { 0 };
  g_auto (NexusLeadRow) rebuilt = { 0 };
  g_autoptr (GString) details = g_string_new ("{\"sources\":[");
  gint64   now = g_get_real_time () / G_USEC_PER_SEC;
  gboolean found = FALSE;

  g_return_val_if_fail (NEXUS_IS_INGEST (self), FALSE);

  if (!nexus_store_begin (self->store, error))
    return FALSE;
  if (!nexus_store_leads_get (self->store, lead_id, &old_row, &found, error) ||
      !nexus_store_leads_list_sources (self->store, lead_id, sources, error))
    goto fail;
  if (!found)
    {
      g_set_error (error, NEXUS_INGEST_ERROR, NEXUS_INGEST_ERROR_NOT_FOUND,
                   _ ("There is no lead %" PRId64), lead_id);
      goto fail;
    }

  for (guint i = 0; i < n_source_ids; i++)
    {
      gboolean belongs = FALSE;

      for (guint j = 0; j < sources->len && !belongs; j++)
        belongs = ((NexusLeadSource *)g_ptr_array_index (sources, j))->id == source_ids[i];
      if (!belongs)
        {
          g_set_error (error, NEXUS_INGEST_ERROR, NEXUS_INGEST_ERROR_NOT_FOUND,
                       _ ("Source %" PRId64 " is not a source of lead %" PRId64), source_ids[i],
                       lead_id);
          goto fail;
        }
    }
  for (guint j = 0; j < sources->len; j++)
    {
      NexusLeadSource *source = g_ptr_array_index (sources, j);
      gboolean         chosen = FALSE;

      for (guint i = 0; i < n_source_ids && !chosen; i++)
        chosen = source_ids[i] == source->id;
      g_ptr_array_add (chosen ? moving : staying, source);
      if (chosen)
        g_string_append_printf (details, "%s%" PRId64, moving->len > 1 ? "," : "", source->id);
    }
  g_string_append (details, "]}");
  if (moving->len == 0 || staying->len == 0)
    {
      g_set_error_literal (error, NEXUS_INGEST_ERROR, NEXUS_INGEST_ERROR_INVALID,
                           _ ("A split needs some, but not all, of the lead’s sources"));
      goto fail;
    }

  if (!row_from_sources (self, moving, old_row.country, &new_row, moving_phones, error) ||
      !row_from_sources (self, staying, old_row.country, &rebuilt, staying_phones, error))
    goto fail;

  /* The new lead. */
  classify_row (self, &new_row);
  if (!nexus_store_leads_insert (self->store, &new_row, now, error) ||
      !store_phones (self, new_row.id, moving_phones, error))
    goto fail;
  for (guint i = 0; i < moving->len; i++)
    if (!nexus_store_leads_set_source_lead (
            self->store, ((NexusLeadSource *)g_ptr_array_index (moving, i))->id, new_row.id, error))
      goto fail;
  if (new_row.preview_only &&
      !nexus_store_leads_enqueue_enrich (self->store, new_row.id, new_row.website, new_row.name,
                                         new_row.country, now, error))
    goto fail;

  /* The old lead, rebuilt from what stays; what the operator did to it
   * stays too. */
  rebuilt.id = lead_id;
  if (nexus_category_source_from_string (old_row.category_source) == NEXUS_CATEGORY_SOURCE_OPERATOR)
    {
      set_text (&rebuilt.category, old_row.category);
      set_text (&rebuilt.category_source, old_row.category_source);
    }
  else
    classify_row (self, &rebuilt);
  if (!nexus_store_leads_update (self->store, &rebuilt, TRUE, now, error) ||
      !nexus_store_leads_delete_phones (self->store, lead_id, error) ||
      !store_phones (self, lead_id, staying_phones, error) ||
      !nexus_store_leads_set_distinct (self->store, lead_id, new_row.id, TRUE, error) ||
      !nexus_store_leads_log_merge (self->store, "split", lead_id, new_row.id,
                                    actor != NULL ? actor : "operator", details->str, now, error) ||
      !nexus_store_commit (self->store, error))
    goto fail;

  if (out_new_lead_id != NULL)
    *out_new_lead_id = new_row.id;
  return TRUE;

fail:
  nexus_store_rollback (self->store);
  return FALSE;
}
