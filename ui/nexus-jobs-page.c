/* nexus-jobs-page.c — the job queue, filtered and acted on
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A GtkColumnView over the jobs of the current filters (state, search,
 * worker, kind), read from SQL a page at a time on a reader thread: the
 * first page at once, the next ones (keyset on the id) when the list is
 * scrolled to its end, so a queue of tens of thousands of jobs never
 * loads whole.  The title counts every job of the filters.
 *
 * The engine's job and report events (gathered for a moment), and a timer
 * for the lease times, read the rows shown again; the selection follows
 * the jobs by id.  Retry, cancel (after a confirmation) and raise priority
 * act on the selected jobs; "Retry all dead" on every dead job of the
 * search filter (or of all searches).  All of them run on the engine
 * thread through NexusJobQueue, one job at a time, and say how many jobs
 * changed.  Dead jobs stand out: a warning icon and the "dead-job" style.
 */
#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "nexus-confirm.h"
#include "nexus-event-watch.h"
#include "nexus-format.h"
#include "nexus-jobs-page.h"
#include "nexus-window.h"
#include "queue/nexus-job-queue.h"
#include "store/nexus-store-workers.h"

#define PAGE_SIZE        200
#define REFRESH_DELAY_MS 500
#define REFRESH_PERIOD_S 10
#define PRIORITY_STEP    10

/* The state filter's positions after "all": stored names, and "failed". */
static const char *const state_values[] = { "queued", "failed", "leased",   "done",
                                            "dead",   "paused", "cancelled" };

/* The kind filter's positions after "all". */
static const char *const kind_values[] = { NEXUS_JOB_KIND_PLACE_SEARCH, "enrich" };

/* A name for the filters: a search or a worker. */
typedef struct
{
  gint64 id;
  char  *name;
} Named;

typedef struct
{
  gint64   search_id; /* filters, as NexusJobFilter */
  char    *status;
  gint64   worker_id;
  char    *kind;
  gint64   after_id; /* 0: from the start */
  guint    limit;
  gboolean append; /* a next page, not a new first page */
} LoadRequest;

typedef struct
{
  GPtrArray *items;    /* NexusJobItem */
  gint64     count;    /* every job of the filters */
  GArray    *searches; /* Named */
  GArray    *workers;  /* Named */
  gboolean   append;
  guint      limit;
} LoadResult;

typedef enum
{
  JOB_RETRY,
  JOB_CANCEL,
  JOB_BUMP,
  JOB_RETRY_DEAD,
} JobOperation;

typedef struct
{
  NexusEngine *engine; /* owned */
  GArray      *ids;    /* gint64; none for JOB_RETRY_DEAD */
  JobOperation op;
  gint64       search_id; /* JOB_RETRY_DEAD: 0 for all */
} BatchData;

typedef struct
{
  gint64 n_changed;   /* jobs changed */
  guint  n_refused;   /* jobs left as they were */
  char  *first_error; /* why the first refused job was */
} BatchResult;

struct _NexusJobsPage
{
  NexusPage parent_instance;

  /* template children */
  AdwWindowTitle    *window_title;
  GtkDropDown       *state_dropdown;
  GtkDropDown       *search_dropdown; /* "all", then search_ids */
  GtkDropDown       *worker_dropdown; /* "all", then worker_ids */
  GtkDropDown       *kind_dropdown;
  GtkStringList     *search_names;
  GtkStringList     *worker_names;
  GtkStack          *state_stack; /* "loading", "list", "empty" or "error" */
  GtkScrolledWindow *scroller;
  GtkColumnView     *column_view;
  AdwStatusPage     *error_page;
  GtkLabel          *selection_label;

  NexusEventWatch   *watch; /* on engine */
  GCancellable      *cancellable;
  GListStore        *items;     /* NexusJobItem, by id */
  GtkMultiSelection *selection; /* over items */
  GArray            *search_ids;
  GArray            *worker_ids;
  gint64             wanted_search; /* to select once the searches are known, or 0 */
  gint64             count;
  gboolean           more;     /* items holds a prefix of the jobs */
  gboolean           loaded;   /* one read came back */
  gboolean           updating; /* the filter lists are being rebuilt */
};

G_DEFINE_FINAL_TYPE (NexusJobsPage, nexus_jobs_page, NEXUS_TYPE_PAGE)

enum
{
  PROP_0,
  PROP_COUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void load (NexusJobsPage *self, gboolean append);

/* --- helpers ------------------------------------------------------------ */

static void
named_clear (gpointer data)
{
  g_free (((Named *)data)->name);
}

static GArray *
named_array_new (void)
{
  GArray *array = g_array_new (FALSE, TRUE, sizeof (Named));

  g_array_set_clear_func (array, named_clear);
  return array;
}

static const char *
named_lookup (GArray *array, gint64 id)
{
  for (guint i = 0; i < array->len; i++)
    if (g_array_index (array, Named, i).id == id)
      return g_array_index (array, Named, i).name;
  return NULL;
}

static void
load_request_free (LoadRequest *request)
{
  g_free (request->status);
  g_free (request->kind);
  g_free (request);
}

static void
load_result_free (LoadResult *result)
{
  g_clear_pointer (&result->items, g_ptr_array_unref);
  g_clear_pointer (&result->searches, g_array_unref);
  g_clear_pointer (&result->workers, g_array_unref);
  g_free (result);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LoadResult, load_result_free)

static void
batch_data_free (BatchData *data)
{
  g_clear_object (&data->engine);
  g_clear_pointer (&data->ids, g_array_unref);
  g_free (data);
}

static void
batch_result_free (BatchResult *result)
{
  g_free (result->first_error);
  g_free (result);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BatchResult, batch_result_free)

static const char *
state_label (const NexusJobRecord *job)
{
  switch (job->status)
    {
      case NEXUS_JOB_QUEUED:
        return job->attempts > 0 ? C_ ("job state", "Waiting to retry")
                                 : C_ ("job state", "Queued");
      case NEXUS_JOB_LEASED:
        return C_ ("job state", "Running");
      case NEXUS_JOB_DONE:
        return C_ ("job state", "Done");
      case NEXUS_JOB_DEAD:
        return C_ ("job state", "Dead");
      case NEXUS_JOB_CANCELLED:
        return C_ ("job state", "Cancelled");
      case NEXUS_JOB_PAUSED:
        return C_ ("job state", "Paused");
      default:
        return "";
    }
}

static const char *
kind_label (const char *kind)
{
  if (g_strcmp0 (kind, NEXUS_JOB_KIND_PLACE_SEARCH) == 0)
    return C_ ("job kind", "Place search");
  if (g_strcmp0 (kind, "enrich") == 0)
    return C_ ("job kind", "Enrichment");
  return kind;
}

/**
 * nexus_jobs_page_cell_text:
 * @now: unix seconds, for the lease's relative time
 *
 * Returns: (nullable): the text of @item's cell in @column
 */
char *
nexus_jobs_page_cell_text (NexusJobItem *item, NexusJobsColumn column, gint64 now)
{
  const NexusJobRecord *job = nexus_job_item_get_record (item);

  switch (column)
    {
      case NEXUS_JOBS_COLUMN_ID:
        {
          g_autofree char *id = nexus_format_count (job->id);

          return nexus_isolate_ltr (id);
        }

      case NEXUS_JOBS_COLUMN_SEARCH:
        return g_strdup (nexus_job_item_get_search_name (item));

      case NEXUS_JOBS_COLUMN_KIND:
        return g_strdup (kind_label (job->kind));

      case NEXUS_JOBS_COLUMN_KEYWORD:
        return g_strdup (job->keyword);

      case NEXUS_JOBS_COLUMN_STATE:
        return g_strdup (state_label (job));

      case NEXUS_JOBS_COLUMN_ATTEMPTS:
        {
          g_autofree char *done = nexus_format_count (job->attempts);
          g_autofree char *most = nexus_format_count (job->max_attempts);

          return g_strdup_printf ("\u2066%s / %s\u2069", done, most);
        }

      case NEXUS_JOBS_COLUMN_PRIORITY:
        {
          g_autofree char *priority = nexus_format_count (job->priority);

          return nexus_isolate_ltr (priority);
        }

      case NEXUS_JOBS_COLUMN_WORKER:
        return g_strdup (nexus_job_item_get_worker_name (item));

      case NEXUS_JOBS_COLUMN_LEASE:
        {
          g_autofree char *span = NULL;

          if (job->status != NEXUS_JOB_LEASED || job->lease_expires_at <= 0)
            return NULL;
          if (job->lease_expires_at <= now)
            return nexus_format_relative_time (job->lease_expires_at, now);
          span = nexus_format_duration (job->lease_expires_at - now);
          /* Translators: when a worker's lease on a job runs out; %s is a
           * duration ("2 minutes"). */
          return g_strdup_printf (_ ("in %s"), span);
        }

      case NEXUS_JOBS_COLUMN_ERROR:
        return g_strdup (job->last_error);

      case NEXUS_JOBS_N_COLUMNS:
      default:
        break;
    }
  g_return_val_if_reached (NULL);
}

/* The ids of the selected jobs, in list order. */
static GArray *
selected_ids (NexusJobsPage *self)
{
  g_autoptr (GtkBitset) bits =
      gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  GArray       *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  GtkBitsetIter iter;
  guint         position;

  if (gtk_bitset_iter_init_first (&iter, bits, &position))
    do
      {
        g_autoptr (NexusJobItem) item =
            g_list_model_get_item (G_LIST_MODEL (self->items), position);
        gint64 id;

        if (item == NULL)
          continue;
        id = nexus_job_item_get_id (item);
        g_array_append_val (ids, id);
      }
    while (gtk_bitset_iter_next (&iter, &position));
  return ids;
}

static void
update_selection_state (NexusJobsPage *self)
{
  g_autoptr (GArray) ids = selected_ids (self);
  g_autofree char *count = nexus_format_count (ids->len);
  g_autofree char *isolated = nexus_isolate_ltr (count);
  g_autofree char *text = NULL;

  if (ids->len > 0)
    /* Translators: %s is the number of jobs selected. */
    text = g_strdup_printf (ngettext ("%s job selected", "%s jobs selected", ids->len), isolated);
  gtk_label_set_text (self->selection_label, text != NULL ? text : "");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "jobs.retry", ids->len > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "jobs.cancel", ids->len > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "jobs.bump", ids->len > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "jobs.retry-dead",
                                 nexus_page_get_engine (NEXUS_PAGE (self)) != NULL);
}

static void
update_title (NexusJobsPage *self)
{
  g_autofree char *count = nexus_format_count (MAX (self->count, 0));
  g_autofree char *isolated = nexus_isolate_ltr (count);
  g_autofree char *subtitle = NULL;

  /* Translators: the subtitle of the Jobs page; %s is a count. */
  subtitle = g_strdup_printf (ngettext ("%s job", "%s jobs", (unsigned long)MAX (self->count, 0)),
                              isolated);
  adw_window_title_set_subtitle (self->window_title, self->loaded ? subtitle : NULL);
}

static void
show_state (NexusJobsPage *self)
{
  if (!self->loaded)
    gtk_stack_set_visible_child_name (self->state_stack, "loading");
  else if (g_list_model_get_n_items (G_LIST_MODEL (self->items)) > 0)
    gtk_stack_set_visible_child_name (self->state_stack, "list");
  else
    gtk_stack_set_visible_child_name (self->state_stack, "empty");
}

/* Rebuilds a filter's list of names when its entries changed, keeping the
 * entry selected (or @wanted when it is > 0). */
static void
update_filter_list (NexusJobsPage *self,
                    GtkDropDown   *dropdown,
                    GtkStringList *names,
                    GArray       **ids,
                    GArray        *named,
                    const char    *all_label,
                    gint64         wanted)
{
  guint    selected = gtk_drop_down_get_selected (dropdown);
  gint64   keep = wanted > 0 ? wanted
                  : selected >= 1 && selected <= (*ids)->len
                      ? g_array_index (*ids, gint64, selected - 1)
                      : 0;
  gboolean same = (*ids)->len == named->len && g_list_model_get_n_items (G_LIST_MODEL (names)) > 0;
  guint    n_old = g_list_model_get_n_items (G_LIST_MODEL (names));
  g_autoptr (GPtrArray) strings = g_ptr_array_new ();
  guint select = 0;

  for (guint i = 0; same && i < named->len; i++)
    same = g_array_index (*ids, gint64, i) == g_array_index (named, Named, i).id &&
           g_strcmp0 (gtk_string_list_get_string (names, i + 1),
                      g_array_index (named, Named, i).name) == 0;
  if (same && wanted <= 0)
    return;

  g_array_set_size (*ids, 0);
  g_ptr_array_add (strings, (gpointer)all_label);
  for (guint i = 0; i < named->len; i++)
    {
      Named *entry = &g_array_index (named, Named, i);

      g_array_append_val (*ids, entry->id);
      g_ptr_array_add (strings, entry->name);
      if (entry->id == keep)
        select = i + 1;
    }
  g_ptr_array_add (strings, NULL);

  self->updating = TRUE;
  gtk_string_list_splice (names, 0, n_old, (const char *const *)strings->pdata);
  gtk_drop_down_set_selected (dropdown, select);
  self->updating = FALSE;
}

/* --- reading ------------------------------------------------------------ */

static gpointer
load_func (NexusStore *store, gpointer data, GError **error)
{
  LoadRequest   *request = data;
  NexusJobFilter filter = {
    .search_id = request->search_id,
    .status = request->status,
    .worker_id = request->worker_id,
    .kind = request->kind,
    .after_id = request->after_id,
    .limit = request->limit,
  };
  g_autoptr (LoadResult) result = g_new0 (LoadResult, 1);
  g_autoptr (GPtrArray) searches = NULL;
  g_autoptr (GPtrArray) workers = NULL;
  g_autoptr (GPtrArray) jobs = NULL;

  if (!(searches = nexus_store_search_list (store, error)) ||
      !(workers = nexus_store_worker_list (store, error)) ||
      !(jobs = nexus_store_job_list (store, &filter, error)) ||
      !nexus_store_job_count (store, &filter, &result->count, error))
    return NULL;

  result->searches = named_array_new ();
  for (guint i = 0; i < searches->len; i++)
    {
      NexusSearchRecord *search = g_ptr_array_index (searches, i);
      Named              entry = { search->id, g_strdup (search->name) };

      g_array_append_val (result->searches, entry);
    }
  result->workers = named_array_new ();
  for (guint i = 0; i < workers->len; i++)
    {
      NexusWorkerRecord *worker = g_ptr_array_index (workers, i);
      Named              entry = { worker->id, g_strdup (worker->name) };

      g_array_append_val (result->workers, entry);
    }

  result->items = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < jobs->len; i++)
    {
      NexusJobRecord *job = g_steal_pointer (&jobs->pdata[i]);
      const char     *search = named_lookup (result->searches, job->search_id);
      const char     *worker = named_lookup (result->workers, job->lease_worker_id);

      g_ptr_array_add (result->items, nexus_job_item_new (job, search, worker));
    }
  result->append = request->append;
  result->limit = request->limit;
  return g_steal_pointer (&result);
}

static void
loaded_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  NexusJobsPage *self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (LoadResult) result = NULL;
  g_autoptr (GArray) keep = NULL;
  guint n_old;

  result = nexus_engine_read_finish (NEXUS_ENGINE (source), res, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->cancellable);
  nexus_page_set_loading (NEXUS_PAGE (self), FALSE);

  if (result == NULL)
    {
      g_autofree char *markup = g_markup_escape_text (error->message, -1);

      adw_status_page_set_description (self->error_page, markup);
      gtk_stack_set_visible_child_name (self->state_stack, "error");
      return;
    }

  update_filter_list (self, self->search_dropdown, self->search_names, &self->search_ids,
                      result->searches, C_ ("jobs filter", "All Searches"), self->wanted_search);
  update_filter_list (self, self->worker_dropdown, self->worker_names, &self->worker_ids,
                      result->workers, C_ ("jobs filter", "All Workers"), 0);
  if (self->wanted_search > 0)
    {
      /* The search filter just changed: read again for it. */
      self->wanted_search = 0;
      load (self, FALSE);
      return;
    }

  n_old = g_list_model_get_n_items (G_LIST_MODEL (self->items));
  if (result->append)
    g_list_store_splice (self->items, n_old, 0, result->items->pdata, result->items->len);
  else
    {
      keep = selected_ids (self);
      g_list_store_splice (self->items, 0, n_old, result->items->pdata, result->items->len);
      for (guint i = 0; i < result->items->len && keep->len > 0; i++)
        {
          gint64 id = nexus_job_item_get_id (g_ptr_array_index (result->items, i));

          for (guint k = 0; k < keep->len; k++)
            if (g_array_index (keep, gint64, k) == id)
              gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), i, FALSE);
        }
    }
  self->more = result->items->len == result->limit;
  self->count = result->count;
  self->loaded = TRUE;
  update_title (self);
  show_state (self);
  update_selection_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUNT]);
}

/* Reads the jobs of the filters: a new first page (as long as what is
 * shown, so a refresh keeps the rows scrolled to), or the next page. */
static void
load (NexusJobsPage *self, gboolean append)
{
  NexusEngine *engine = nexus_page_get_engine (NEXUS_PAGE (self));
  LoadRequest *request;
  guint        state = gtk_drop_down_get_selected (self->state_dropdown);
  guint        search = gtk_drop_down_get_selected (self->search_dropdown);
  guint        worker = gtk_drop_down_get_selected (self->worker_dropdown);
  guint        kind = gtk_drop_down_get_selected (self->kind_dropdown);
  guint        n_items = g_list_model_get_n_items (G_LIST_MODEL (self->items));

  if (engine == NULL)
    return;

  request = g_new0 (LoadRequest, 1);
  if (state >= 1 && state <= G_N_ELEMENTS (state_values))
    request->status = g_strdup (state_values[state - 1]);
  if (search >= 1 && search <= self->search_ids->len)
    request->search_id = g_array_index (self->search_ids, gint64, search - 1);
  if (worker >= 1 && worker <= self->worker_ids->len)
    request->worker_id = g_array_index (self->worker_ids, gint64, worker - 1);
  if (kind >= 1 && kind <= G_N_ELEMENTS (kind_values))
    request->kind = g_strdup (kind_values[kind - 1]);
  request->append = append && n_items > 0;
  if (request->append)
    {
      g_autoptr (NexusJobItem) last =
          g_list_model_get_item (G_LIST_MODEL (self->items), n_items - 1);

      request->after_id = nexus_job_item_get_id (last);
      request->limit = PAGE_SIZE;
    }
  else
    request->limit = MAX (PAGE_SIZE, n_items);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  nexus_page_set_loading (NEXUS_PAGE (self), TRUE);
  nexus_engine_read_async (engine, load_func, request, (GDestroyNotify)load_request_free,
                           self->cancellable, loaded_cb, self);
}

/**
 * nexus_jobs_page_refresh:
 *
 * Reads the jobs shown again (a read in flight is replaced).
 */
void
nexus_jobs_page_refresh (NexusJobsPage *self)
{
  g_return_if_fail (NEXUS_IS_JOBS_PAGE (self));

  load (self, FALSE);
}

static void
watch_cb (gpointer user_data)
{
  NexusJobsPage *self = user_data;

  /* A next page being read is not replaced by a refresh. */
  if (!nexus_page_get_loading (NEXUS_PAGE (self)))
    load (self, FALSE);
}

/* --- operations ----------------------------------------------------------- */

static void
refuse (BatchResult *result, GError *error)
{
  result->n_refused++;
  if (result->first_error == NULL)
    result->first_error = g_strdup (error->message);
}

static gpointer
batch_func (NexusStore *store, gpointer data, GError **error)
{
  BatchData     *batch = data;
  NexusJobQueue *queue = nexus_engine_get_queue (batch->engine);
  g_autoptr (BatchResult) result = g_new0 (BatchResult, 1);

  if (batch->op == JOB_RETRY_DEAD)
    {
      if (!nexus_job_queue_retry_dead (queue, batch->search_id, &result->n_changed, error))
        return NULL;
      return g_steal_pointer (&result);
    }

  for (guint i = 0; i < batch->ids->len; i++)
    {
      g_autoptr (GError) local_error = NULL;
      gint64   id = g_array_index (batch->ids, gint64, i);
      gboolean ok = FALSE;

      switch (batch->op)
        {
          case JOB_RETRY:
            ok = nexus_job_queue_retry (queue, id, NULL, &local_error);
            break;
          case JOB_CANCEL:
            ok = nexus_job_queue_cancel_job (queue, id, &local_error);
            break;
          case JOB_BUMP:
            ok = nexus_job_queue_bump_priority (queue, id, PRIORITY_STEP, NULL, &local_error);
            break;
          case JOB_RETRY_DEAD:
          default:
            g_assert_not_reached ();
        }
      if (ok)
        result->n_changed++;
      else if (g_error_matches (local_error, NEXUS_QUEUE_ERROR, NEXUS_QUEUE_ERROR_STATE) ||
               g_error_matches (local_error, NEXUS_QUEUE_ERROR, NEXUS_QUEUE_ERROR_NOT_FOUND))
        refuse (result, local_error);
      else
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }
  return g_steal_pointer (&result);
}

static void
batch_done_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr (NexusJobsPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (BatchResult) result = NULL;
  g_autofree char *count = NULL;
  g_autofree char *text = NULL;

  result = nexus_engine_run_finish (NEXUS_ENGINE (source), res, &error);
  if (result == NULL)
    {
      nexus_window_toast (GTK_WIDGET (self), error->message);
      return;
    }

  count = nexus_format_count (result->n_changed);
  /* Translators: after an action on jobs; %s is a count. */
  text = g_strdup_printf (
      ngettext ("%s job changed", "%s jobs changed", (unsigned long)result->n_changed), count);
  if (result->n_refused > 0)
    {
      g_autofree char *with = NULL;

      /* Translators: %s is the first reason a job was left as it was;
       * the count of such jobs comes before. */
      with = g_strdup_printf (
          ngettext ("%s; %u left as it was: %s", "%s; %u left as they were: %s", result->n_refused),
          text, result->n_refused, result->first_error);
      g_free (text);
      text = g_steal_pointer (&with);
    }
  nexus_window_toast (GTK_WIDGET (self), text);
  if (nexus_page_get_engine (NEXUS_PAGE (self)) != NULL)
    load (self, FALSE);
}

static void
run_batch (NexusJobsPage *self, JobOperation op, GArray *ids, gint64 search_id)
{
  NexusEngine *engine = nexus_page_get_engine (NEXUS_PAGE (self));
  BatchData   *data;

  if (engine == NULL)
    return;

  data = g_new0 (BatchData, 1);
  data->engine = g_object_ref (engine);
  data->ids = ids != NULL ? g_array_ref (ids) : NULL;
  data->op = op;
  data->search_id = search_id;
  nexus_engine_run_async (engine, batch_func, data, (GDestroyNotify)batch_data_free, NULL,
                          batch_done_cb, g_object_ref (self));
}

static gint64
filtered_search (NexusJobsPage *self)
{
  guint search = gtk_drop_down_get_selected (self->search_dropdown);

  if (search >= 1 && search <= self->search_ids->len)
    return g_array_index (self->search_ids, gint64, search - 1);
  return 0;
}

static void
selection_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  NexusJobsPage *self = NEXUS_JOBS_PAGE (widget);
  g_autoptr (GArray) ids = selected_ids (self);

  if (ids->len == 0)
    return;
  if (g_str_equal (action_name, "jobs.retry"))
    run_batch (self, JOB_RETRY, ids, 0);
  else if (g_str_equal (action_name, "jobs.bump"))
    run_batch (self, JOB_BUMP, ids, 0);
}

typedef struct
{
  NexusJobsPage *self; /* owned */
  GArray        *ids;  /* owned */
} CancelData;

static void
cancel_data_free (gpointer data)
{
  CancelData *cancel = data;

  g_object_unref (cancel->self);
  g_array_unref (cancel->ids);
  g_free (cancel);
}

static void
cancel_confirmed (gpointer data)
{
  CancelData *cancel = data;

  run_batch (cancel->self, JOB_CANCEL, cancel->ids, 0);
}

static void
cancel_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  NexusJobsPage   *self = NEXUS_JOBS_PAGE (widget);
  CancelData      *cancel;
  g_autofree char *count = NULL;
  g_autofree char *heading = NULL;
  GArray          *ids = selected_ids (self);

  if (ids->len == 0)
    {
      g_array_unref (ids);
      return;
    }
  cancel = g_new0 (CancelData, 1);
  cancel->self = g_object_ref (self);
  cancel->ids = ids;
  count = nexus_format_count (ids->len);
  /* Translators: %s is the number of jobs to cancel. */
  heading = g_strdup_printf (ngettext ("Cancel %s Job?", "Cancel %s Jobs?", ids->len), count);
  nexus_confirm (widget, heading,
                 _ ("Workers drop the jobs they hold and their cells are not searched in this "
                    "run. Finished jobs stay as they are."),
                 _ ("_Keep Jobs"), _ ("C_ancel Jobs"), cancel_confirmed, cancel, cancel_data_free);
}

static void
retry_dead_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  NexusJobsPage *self = NEXUS_JOBS_PAGE (widget);

  run_batch (self, JOB_RETRY_DEAD, NULL, filtered_search (self));
}

/* --- callbacks ------------------------------------------------------------ */

static void
filter_changed_cb (NexusJobsPage *self, GParamSpec *pspec, GtkDropDown *dropdown)
{
  if (self->updating)
    return;
  gtk_selection_model_unselect_all (GTK_SELECTION_MODEL (self->selection));
  g_list_store_remove_all (self->items);
  load (self, FALSE);
}

static void
edge_reached_cb (NexusJobsPage *self, GtkPositionType position, GtkScrolledWindow *scroller)
{
  if (position == GTK_POS_BOTTOM && self->more && !nexus_page_get_loading (NEXUS_PAGE (self)))
    load (self, TRUE);
}

static void
selection_changed_cb (NexusJobsPage *self, guint position, guint n_items, GtkSelectionModel *model)
{
  update_selection_state (self);
}

static void
cell_setup_cb (GtkSignalListItemFactory *factory, GtkListItem *list_item, gpointer user_data)
{
  NexusJobsColumn column = GPOINTER_TO_UINT (user_data);
  GtkWidget      *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget      *label = gtk_label_new (NULL);

  if (column == NEXUS_JOBS_COLUMN_STATE)
    {
      GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");

      gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      C_ ("job state", "Dead"), -1);
      gtk_box_append (GTK_BOX (box), icon);
    }
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), column == NEXUS_JOBS_COLUMN_ID ||
                                                   column == NEXUS_JOBS_COLUMN_PRIORITY ||
                                                   column == NEXUS_JOBS_COLUMN_ATTEMPTS
                                               ? 1.0f
                                               : 0.0f);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (box), label);
  gtk_list_item_set_child (list_item, box);
}

static void
cell_bind_cb (GtkSignalListItemFactory *factory, GtkListItem *list_item, gpointer user_data)
{
  NexusJobsColumn  column = GPOINTER_TO_UINT (user_data);
  NexusJobItem    *item = gtk_list_item_get_item (list_item);
  GtkWidget       *box = gtk_list_item_get_child (list_item);
  GtkWidget       *label = gtk_widget_get_last_child (box);
  gboolean         dead = nexus_job_item_get_record (item)->status == NEXUS_JOB_DEAD;
  g_autofree char *text =
      nexus_jobs_page_cell_text (item, column, g_get_real_time () / G_USEC_PER_SEC);

  gtk_label_set_text (GTK_LABEL (label), text != NULL ? text : "");
  if (column == NEXUS_JOBS_COLUMN_ERROR || column == NEXUS_JOBS_COLUMN_SEARCH)
    gtk_widget_set_tooltip_text (label, text);
  if (column == NEXUS_JOBS_COLUMN_STATE)
    gtk_widget_set_visible (gtk_widget_get_first_child (box), dead);
  if (dead)
    gtk_widget_add_css_class (box, "dead-job");
  else
    gtk_widget_remove_css_class (box, "dead-job");
}

static void
add_columns (NexusJobsPage *self)
{
  const struct
  {
    const char *title;
    gboolean    expand;
    int         width;
  } specs[NEXUS_JOBS_N_COLUMNS] = {
    [NEXUS_JOBS_COLUMN_ID] = { NC_ ("jobs column", "ID"), FALSE, 60 },
    [NEXUS_JOBS_COLUMN_SEARCH] = { NC_ ("jobs column", "Search"), FALSE, 120 },
    [NEXUS_JOBS_COLUMN_KIND] = { NC_ ("jobs column", "Kind"), FALSE, 100 },
    [NEXUS_JOBS_COLUMN_KEYWORD] = { NC_ ("jobs column", "Keyword"), FALSE, 130 },
    [NEXUS_JOBS_COLUMN_STATE] = { NC_ ("jobs column", "State"), FALSE, 120 },
    [NEXUS_JOBS_COLUMN_ATTEMPTS] = { NC_ ("jobs column", "Attempts"), FALSE, 80 },
    [NEXUS_JOBS_COLUMN_PRIORITY] = { NC_ ("jobs column", "Priority"), FALSE, 70 },
    [NEXUS_JOBS_COLUMN_WORKER] = { NC_ ("jobs column", "Worker"), FALSE, 140 },
    [NEXUS_JOBS_COLUMN_LEASE] = { NC_ ("jobs column", "Lease Ends"), FALSE, 100 },
    [NEXUS_JOBS_COLUMN_ERROR] = { NC_ ("jobs column", "Last Error"), TRUE, -1 },
  };

  for (guint i = 0; i < NEXUS_JOBS_N_COLUMNS; i++)
    {
      g_autoptr (GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
      g_autoptr (GtkColumnViewColumn) column = NULL;

      g_signal_connect (factory, "setup", G_CALLBACK (cell_setup_cb), GUINT_TO_POINTER (i));
      g_signal_connect (factory, "bind", G_CALLBACK (cell_bind_cb), GUINT_TO_POINTER (i));
      column = gtk_column_view_column_new (g_dpgettext2 (NULL, "jobs column", specs[i].title),
                                           g_object_ref (factory));
      gtk_column_view_column_set_expand (column, specs[i].expand);
      gtk_column_view_column_set_resizable (column, TRUE);
      if (specs[i].width > 0)
        gtk_column_view_column_set_fixed_width (column, specs[i].width);
      gtk_column_view_append_column (self->column_view, column);
    }
}

/* --- GObject ------------------------------------------------------------ */

/* Follows a new engine: the old one's events are no longer watched, the
 * filters start over and the jobs are read again. */
static void
nexus_jobs_page_engine_changed (NexusPage *page, NexusEngine *old_engine)
{
  static const char *const prefixes[] = { "job.", "search.", NULL };
  NexusJobsPage           *self = NEXUS_JOBS_PAGE (page);
  NexusEngine             *engine = nexus_page_get_engine (page);

  g_clear_pointer (&self->watch, nexus_event_watch_free);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  nexus_page_set_loading (NEXUS_PAGE (self), FALSE);

  self->updating = TRUE;
  gtk_drop_down_set_selected (self->search_dropdown, 0);
  gtk_drop_down_set_selected (self->worker_dropdown, 0);
  self->updating = FALSE;
  g_list_store_remove_all (self->items);
  self->loaded = FALSE;
  self->count = -1;
  update_title (self);
  show_state (self);
  update_selection_state (self);

  if (engine != NULL)
    {
      self->watch = nexus_event_watch_new_for_widget (
          engine, prefixes, REFRESH_DELAY_MS, REFRESH_PERIOD_S, GTK_WIDGET (self), watch_cb, self);
      load (self, FALSE);
    }
}

static void
nexus_jobs_page_dispose (GObject *object)
{
  NexusJobsPage *self = NEXUS_JOBS_PAGE (object);

  g_clear_pointer (&self->watch, nexus_event_watch_free);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (object), NEXUS_TYPE_JOBS_PAGE);
  g_clear_object (&self->selection);
  g_clear_object (&self->items);
  g_clear_pointer (&self->search_ids, g_array_unref);
  g_clear_pointer (&self->worker_ids, g_array_unref);

  G_OBJECT_CLASS (nexus_jobs_page_parent_class)->dispose (object);
}

static void
nexus_jobs_page_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  NexusJobsPage *self = NEXUS_JOBS_PAGE (object);

  switch (prop_id)
    {
      case PROP_COUNT:
        g_value_set_int64 (value, self->count);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nexus_jobs_page_class_init (NexusJobsPageClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  NexusPageClass *page_class = NEXUS_PAGE_CLASS (klass);

  object_class->dispose = nexus_jobs_page_dispose;
  object_class->get_property = nexus_jobs_page_get_property;
  page_class->engine_changed = nexus_jobs_page_engine_changed;

  properties[PROP_COUNT] =
      g_param_spec_int64 ("count", NULL, NULL, -1, G_MAXINT64, -1,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/nexus/Nexus/ui/nexus-jobs-page.ui");
  gtk_widget_class_bind_template_child (widget_class, NexusJobsPage, window_title);
  gtk_widget_class_bind_template_child (widget_class, NexusJobsPage, state_dropdown);
  gtk_widget_class_bind_template_child (widget_class, NexusJobsPage, search_dropdown);
  gtk_widget_class_bind_template_child (widget_class, NexusJobsPage, worker_dropdown);
  gtk_widget_class_bind_template_child (widget_class, NexusJobsPage, kind_dropdown);
  gtk_widget_class_bind_template_child (widget_class, NexusJobsPage, search_names);
  gtk_widget_class_bind_template_child (widget_class, NexusJobsPage, worker_names);
  gtk_widget_class_bind_template_child (widget_class, NexusJobsPage, state_stack);
  gtk_widget_class_bind_template_child (widget_class, NexusJobsPage, scroller);
  gtk_widget_class_bind_template_child (widget_class, NexusJobsPage, column_view);
  gtk_widget_class_bind_template_child (widget_class, NexusJobsPage, error_page);
  gtk_widget_class_bind_template_child (widget_class, NexusJobsPage, selection_label);
  gtk_widget_class_bind_template_callback (widget_class, filter_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, edge_reached_cb);

  gtk_widget_class_install_action (widget_class, "jobs.retry", NULL, selection_action);
  gtk_widget_class_install_action (widget_class, "jobs.bump", NULL, selection_action);
  gtk_widget_class_install_action (widget_class, "jobs.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "jobs.retry-dead", NULL, retry_dead_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "jobs.cancel", NULL);
}

static void
nexus_jobs_page_init (NexusJobsPage *self)
{
  const char *all_searches[] = { C_ ("jobs filter", "All Searches"), NULL };
  const char *all_workers[] = { C_ ("jobs filter", "All Workers"), NULL };

  gtk_widget_init_template (GTK_WIDGET (self));

  self->count = -1;
  self->search_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->worker_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->updating = TRUE;
  gtk_string_list_splice (self->search_names, 0, 0, all_searches);
  gtk_string_list_splice (self->worker_names, 0, 0, all_workers);
  self->updating = FALSE;

  self->items = g_list_store_new (NEXUS_TYPE_JOB_ITEM);
  self->selection = gtk_multi_selection_new (G_LIST_MODEL (g_object_ref (self->items)));
  g_signal_connect_swapped (self->selection, "selection-changed", G_CALLBACK (selection_changed_cb),
                            self);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
  add_columns (self);
  update_selection_state (self);
  show_state (self);
}

/* --- public API ----------------------------------------------------------- */

GtkWidget *
nexus_jobs_page_new (NexusEngine *engine)
{
  return g_object_new (NEXUS_TYPE_JOBS_PAGE, "engine", engine, NULL);
}

/**
 * nexus_jobs_page_get_count:
 *
 * Returns: the number of jobs of the filters, or -1 before the first read
 */
gint64
nexus_jobs_page_get_count (NexusJobsPage *self)
{
  g_return_val_if_fail (NEXUS_IS_JOBS_PAGE (self), -1);

  return self->count;
}

/**
 * nexus_jobs_page_show_search:
 * @search_id: a search, or 0 for all
 *
 * Shows the jobs of one search (the other filters are kept).
 */
void
nexus_jobs_page_show_search (NexusJobsPage *self, gint64 search_id)
{
  g_return_if_fail (NEXUS_IS_JOBS_PAGE (self));

  for (guint i = 0; i < self->search_ids->len; i++)
    if (g_array_index (self->search_ids, gint64, i) == search_id)
      {
        gtk_drop_down_set_selected (self->search_dropdown, i + 1);
        return;
      }
  if (search_id <= 0)
    {
      gtk_drop_down_set_selected (self->search_dropdown, 0);
      return;
    }
  /* Not known yet (a search just created): select it once read. */
  self->wanted_search = search_id;
  load (self, FALSE);
}

/**
 * nexus_jobs_page_set_state_filter:
 * @state: (nullable): a job state name, "failed", or %NULL for all
 */
void
nexus_jobs_page_set_state_filter (NexusJobsPage *self, const char *state)
{
  guint position = 0;

  g_return_if_fail (NEXUS_IS_JOBS_PAGE (self));

  for (guint i = 0; state != NULL && i < G_N_ELEMENTS (state_values); i++)
    if (g_str_equal (state_values[i], state))
      position = i + 1;
  gtk_drop_down_set_selected (self->state_dropdown, position);
}

/**
 * nexus_jobs_page_get_selection:
 *
 * Returns: (transfer none): the jobs shown (NexusJobItem) and which are
 *   selected
 */
GtkSelectionModel *
nexus_jobs_page_get_selection (NexusJobsPage *self)
{
  g_return_val_if_fail (NEXUS_IS_JOBS_PAGE (self), NULL);

  return GTK_SELECTION_MODEL (self->selection);
}
