/* nexus-leads-model.c — the lead vault as a list, a page at a time
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A GListModel of NexusLeadRow over one NexusLeadsQuery.  It knows how many
 * leads the query holds and reads them in pages of
 * NEXUS_LEADS_MODEL_PAGE_SIZE rows, on the engine's reader threads, when
 * the list asks for an item of a page it does not hold.  Until the page
 * lands the list gets placeholder rows; when it lands the model replaces
 * them and emits items-changed for that page.  The vault is never loaded
 * whole and the GTK main thread never waits for SQLite.
 *
 * Invariants:
 *
 *  - self->generation identifies the current query.  Every request carries
 *    the generation it was made for; an answer for another generation is
 *    dropped, so pages of an old query never show under a new one.
 *  - While a count is in flight (loading) the model keeps showing the old
 *    rows and requests no page: a page must be cut from the new count.
 *  - self->pages maps a page index to a Page whose rows array always holds
 *    exactly the rows of the model in that page (placeholders or real).
 *  - At most MAX_PAGES pages are held: the least recently used goes first,
 *    so scrolling through a million leads keeps memory flat.
 *  - nexus_leads_model_refresh() (the vault changed under the same query)
 *    keeps every row shown: it counts again, changes only the tail when
 *    the count moved, reads the held pages again and replaces only the
 *    rows that differ, so the scroll position and the selection stay.
 */
#include "config.h"

#include "nexus-leads-model.h"

/* Pages held at most (of NEXUS_LEADS_MODEL_PAGE_SIZE rows). */
#define MAX_PAGES 48
/* Pages not held that are read when the list asked for them last. */
#define MAX_WANTED 4

typedef struct
{
  GPtrArray *rows;      /* NexusLeadRow, owned; the page's slice of the model */
  gboolean   requested; /* a read is in flight or done */
  gboolean   loaded;    /* the rows are real */
  guint64    used;      /* self->clock when the list last asked for a row of it */
} Page;

struct _NexusLeadsModel
{
  GObject parent_instance;

  NexusEngine     *engine;        /* owned; NULL: empty model */
  NexusLeadsQuery *query;         /* owned; never NULL */
  guint            generation;    /* bumped by every new query or reload */
  GCancellable    *cancellable;   /* the current generation's requests */
  gboolean         loading;       /* a count is in flight */
  gint64           count;         /* the last count; -1 before the first or after an error */
  guint            n_items;       /* what the list shows: count, or 0 */
  char            *error_message; /* the last failure, NULL when the last answer was good */
  GHashTable      *pages;         /* page index → Page, owned */
  guint            pending_pages; /* page reads in flight for this generation */
  guint64          clock;         /* counts get_item calls, for Page.used */
  gboolean         prefetching;   /* page 0 is read beside the count */
  GArray          *wanted;        /* guint: pages asked for but not held, in order */
  guint            wanted_source; /* the idle that holds and reads them */
  GPtrArray       *first_rows;    /* NexusLeadsViewRow: page 0, read before the list asked */
  gboolean         refreshing;    /* the count in flight is a refresh's */
};

static void nexus_leads_model_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (NexusLeadsModel,
                               nexus_leads_model,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      nexus_leads_model_list_model_init))

enum
{
  PROP_0,
  PROP_ENGINE,
  PROP_LOADING,
  PROP_COUNT,
  PROP_ERROR_MESSAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* One request (count or page): keeps the model alive until it answers. */
typedef struct
{
  NexusLeadsModel *self;
  guint            generation;
  guint            page; /* page requests only */
} Request;

/* What a page read needs on the reader thread: its own copy of the query. */
typedef struct
{
  NexusLeadsQuery *query;
  gint64           offset;
  guint            limit;
} PageJob;

static void
page_free (Page *page)
{
  g_ptr_array_unref (page->rows);
  g_free (page);
}

static void
request_free (Request *request)
{
  g_clear_object (&request->self);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Request, request_free)

static void
page_job_free (PageJob *job)
{
  nexus_leads_query_free (job->query);
  g_free (job);
}

static Request *
request_new (NexusLeadsModel *self, guint page)
{
  Request *request = g_new0 (Request, 1);

  request->self = g_object_ref (self);
  request->generation = self->generation;
  request->page = page;
  return request;
}

/* Reader thread. */
static gpointer
count_func (NexusStore *store, gpointer data, GError **error)
{
  gint64 count;

  if (!nexus_store_leads_view_count (store, data, &count, error))
    return NULL;
  return g_memdup2 (&count, sizeof count);
}

/* Reader thread. */
static gpointer
page_func (NexusStore *store, gpointer data, GError **error)
{
  PageJob *job = data;

  return nexus_store_leads_view_page (store, job->query, job->offset, job->limit, error);
}

static void
set_loading (NexusLeadsModel *self, gboolean loading)
{
  if (self->loading == loading)
    return;
  self->loading = loading;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
set_error_message (NexusLeadsModel *self, const char *message)
{
  if (g_strcmp0 (self->error_message, message) == 0)
    return;
  g_free (self->error_message);
  self->error_message = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_MESSAGE]);
}

/* Shows @n_items rows of a new count: every page held is dropped. */
static void
replace_items (NexusLeadsModel *self, gint64 count)
{
  guint old_n_items = self->n_items;

  g_hash_table_remove_all (self->pages);
  self->n_items = (guint)CLAMP (count, 0, G_MAXUINT);

  if (self->count != count)
    {
      self->count = count;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUNT]);
    }

  if (old_n_items != 0 || self->n_items != 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, old_n_items, self->n_items);
}

static void refresh_items (NexusLeadsModel *self, gint64 count);

static void
count_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (Request) request = user_data;
  NexusLeadsModel *self = request->self;
  g_autoptr (GError) error = NULL;
  g_autofree gint64 *count = NULL;

  count = nexus_engine_read_finish (NEXUS_ENGINE (object), result, &error);

  /* A newer query or reload answers instead. */
  if (request->generation != self->generation)
    return;

  if (self->refreshing && count != NULL)
    {
      self->refreshing = FALSE;
      set_error_message (self, NULL);
      refresh_items (self, *count);
      return;
    }
  self->refreshing = FALSE;

  /* Not loading first: the items-changed below makes the list ask for the
   * rows it shows, and their pages may only be requested once the count
   * is known. */
  set_loading (self, FALSE);
  if (count == NULL)
    {
      set_error_message (self, error->message);
      replace_items (self, -1);
    }
  else
    {
      set_error_message (self, NULL);
      replace_items (self, *count);
    }
}

/* Puts the rows read for page @index in place and tells the list. */
static void
fill_page (NexusLeadsModel *self, guint index, Page *page, GPtrArray *rows)
{
  guint n;

  /* The vault may have changed since the count: fill what both agree on.
   * A page read again for a refresh changes only the rows that differ, in
   * runs, so the list rebinds no more than that. */
  n = MIN (rows->len, page->rows->len);
  if (!page->loaded)
    {
      for (guint i = 0; i < n; i++)
        {
          g_object_unref (g_ptr_array_index (page->rows, i));
          g_ptr_array_index (page->rows, i) = nexus_lead_row_new (g_ptr_array_index (rows, i));
        }
      page->loaded = TRUE;
      g_list_model_items_changed (G_LIST_MODEL (self), index * NEXUS_LEADS_MODEL_PAGE_SIZE,
                                  page->rows->len, page->rows->len);
      return;
    }

  for (guint i = 0; i < n;)
    {
      guint start = i;

      while (i < n)
        {
          g_autoptr (NexusLeadRow) fresh = nexus_lead_row_new (g_ptr_array_index (rows, i));

          if (nexus_lead_row_same (g_ptr_array_index (page->rows, i), fresh))
            break;
          g_object_unref (g_ptr_array_index (page->rows, i));
          g_ptr_array_index (page->rows, i) = g_steal_pointer (&fresh);
          i++;
        }
      if (i > start)
        g_list_model_items_changed (
            G_LIST_MODEL (self), index * NEXUS_LEADS_MODEL_PAGE_SIZE + start, i - start, i - start);
      else
        i++;
    }
}

static void
page_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (Request) request = user_data;
  NexusLeadsModel *self = request->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  Page *page;

  rows = nexus_engine_read_finish (NEXUS_ENGINE (object), result, &error);

  if (request->generation != self->generation)
    return;

  self->pending_pages--;
  page = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (request->page));
  if (page == NULL)
    return;

  if (rows == NULL)
    {
      /* The page stays in placeholders; the error is shown and a reload
       * (Ctrl+R) asks again. */
      g_debug ("Could not read page %u of the leads: %s", request->page, error->message);
      set_error_message (self, error->message);
      return;
    }

  fill_page (self, request->page, page, rows);
}

/* Page 0 read beside the count: kept until the list asks for it, or put
 * in place when it already did. */
static void
prefetch_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (Request) request = user_data;
  NexusLeadsModel *self = request->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) rows = nexus_engine_read_finish (NEXUS_ENGINE (object), result, &error);
  Page *page;

  if (request->generation != self->generation)
    return;

  self->pending_pages--;
  self->prefetching = FALSE;
  page = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (0));
  if (rows == NULL)
    {
      g_debug ("Could not read the first page of the leads: %s", error->message);
      /* The list asks again. */
      if (page != NULL && !page->loaded)
        page->requested = FALSE;
      return;
    }
  /* While the count is in flight the pages held are cut from the old
   * count: keep the rows for the page the new count makes. */
  if (page != NULL && !page->loaded && !self->loading)
    fill_page (self, 0, page, rows);
  else if (page == NULL || self->loading)
    {
      g_clear_pointer (&self->first_rows, g_ptr_array_unref);
      self->first_rows = g_steal_pointer (&rows);
    }
}

static void
request_page (NexusLeadsModel *self, guint index, Page *page)
{
  PageJob *job;

  page->requested = TRUE;
  self->pending_pages++;

  job = g_new0 (PageJob, 1);
  job->query = nexus_leads_query_copy (self->query);
  job->offset = (gint64)index * NEXUS_LEADS_MODEL_PAGE_SIZE;
  job->limit = NEXUS_LEADS_MODEL_PAGE_SIZE;

  nexus_engine_read_async (self->engine, page_func, job, (GDestroyNotify)page_job_free,
                           self->cancellable, page_cb, request_new (self, index));
}

/* Drops the least recently used pages until at most @keep are held. */
static void
evict_pages (NexusLeadsModel *self, guint keep)
{
  while (g_hash_table_size (self->pages) > keep)
    {
      GHashTableIter iter;
      gpointer       key, value;
      gpointer       oldest_key = NULL;
      guint64        oldest = G_MAXUINT64;

      g_hash_table_iter_init (&iter, self->pages);
      while (g_hash_table_iter_next (&iter, &key, &value))
        if (((Page *)value)->used < oldest)
          {
            oldest = ((Page *)value)->used;
            oldest_key = key;
          }
      g_hash_table_remove (self->pages, oldest_key);
    }
}

/* The refresh's count arrived: the pages from the one where the old and
 * new counts part are cut anew (the list is told, so it asks for those
 * rows again); every other page held is read again. */
static void
refresh_items (NexusLeadsModel *self, gint64 count)
{
  guint          old_n_items = self->n_items;
  guint          new_n_items = (guint)CLAMP (count, 0, G_MAXUINT);
  guint          first_page = MIN (old_n_items, new_n_items) / NEXUS_LEADS_MODEL_PAGE_SIZE;
  guint          cut = first_page * NEXUS_LEADS_MODEL_PAGE_SIZE;
  GHashTableIter iter;
  gpointer       key, value;

  if (old_n_items != new_n_items)
    {
      g_hash_table_iter_init (&iter, self->pages);
      while (g_hash_table_iter_next (&iter, &key, &value))
        if (GPOINTER_TO_UINT (key) >= first_page)
          g_hash_table_iter_remove (&iter);
    }

  self->n_items = new_n_items;
  if (self->count != count)
    {
      self->count = count;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUNT]);
    }

  g_hash_table_iter_init (&iter, self->pages);
  while (g_hash_table_iter_next (&iter, &key, &value))
    request_page (self, GPOINTER_TO_UINT (key), value);

  if (old_n_items != new_n_items)
    g_list_model_items_changed (G_LIST_MODEL (self), cut, old_n_items - cut, new_n_items - cut);
}

static GType
nexus_leads_model_get_item_type (GListModel *model)
{
  return NEXUS_TYPE_LEAD_ROW;
}

static guint
nexus_leads_model_get_n_items (GListModel *model)
{
  return NEXUS_LEADS_MODEL (model)->n_items;
}

/* A page held for @index: placeholders, or the first page read beside
 * the count. */
static Page *
hold_page (NexusLeadsModel *self, guint index)
{
  guint start = index * NEXUS_LEADS_MODEL_PAGE_SIZE;
  guint len = MIN (NEXUS_LEADS_MODEL_PAGE_SIZE, self->n_items - start);
  Page *page = g_new0 (Page, 1);

  page->rows = g_ptr_array_new_full (len, g_object_unref);
  for (guint i = 0; i < len; i++)
    g_ptr_array_add (page->rows, index == 0 && self->first_rows != NULL && i < self->first_rows->len
                                     ? nexus_lead_row_new (g_ptr_array_index (self->first_rows, i))
                                     : nexus_lead_row_new_placeholder ());
  if (index == 0 && self->first_rows != NULL)
    {
      /* Read beside the count: no request, no placeholder. */
      page->requested = page->loaded = len <= self->first_rows->len;
      g_clear_pointer (&self->first_rows, g_ptr_array_unref);
    }
  else if (index == 0 && self->prefetching)
    page->requested = TRUE;
  evict_pages (self, MAX_PAGES - 1);
  g_hash_table_insert (self->pages, GUINT_TO_POINTER (index), page);
  page->used = ++self->clock;
  return page;
}

/* Holds and reads the pages the list asked for last: the rows it shows.
 *
 * When a list changes as a whole GTK asks for every row in order (to
 * reuse the widgets of rows that stay), then for the rows it shows.  The
 * pages asked for are recorded in order; the last place where the order
 * goes back is where GTK started on the rows it shows, and only the pages
 * from there are read: reading the others (deep offsets of a million
 * rows) would keep the reader threads busy for nothing. */
static gboolean
read_wanted_cb (gpointer user_data)
{
  NexusLeadsModel *self = user_data;
  guint n_pages = (self->n_items + NEXUS_LEADS_MODEL_PAGE_SIZE - 1) / NEXUS_LEADS_MODEL_PAGE_SIZE;
  g_autoptr (GArray) asked = g_steal_pointer (&self->wanted);
  guint first = 0;

  self->wanted_source = 0;
  if (asked == NULL)
    return G_SOURCE_REMOVE;

  for (guint i = 1; i < asked->len; i++)
    if (g_array_index (asked, guint, i) < g_array_index (asked, guint, i - 1))
      first = i;
  first = MAX (first, asked->len > MAX_WANTED ? asked->len - MAX_WANTED : 0);

  for (guint i = first; i < asked->len; i++)
    {
      guint index = g_array_index (asked, guint, i);
      Page *page;

      if (index >= n_pages)
        continue;
      page = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (index));
      if (page == NULL)
        {
          guint start = index * NEXUS_LEADS_MODEL_PAGE_SIZE;
          guint len = MIN (NEXUS_LEADS_MODEL_PAGE_SIZE, self->n_items - start);

          page = hold_page (self, index);
          /* Its rows were handed out as loose placeholders: say they are
           * these now, so the list binds them and sees them land. */
          g_list_model_items_changed (G_LIST_MODEL (self), start, len, len);
        }
      if (!page->requested && !self->loading && self->engine != NULL)
        request_page (self, index, page);
    }
  return G_SOURCE_REMOVE;
}

/* Notes that the list asked for a row of page @index it does not hold. */
static void
want_page (NexusLeadsModel *self, guint index)
{
  if (self->wanted == NULL)
    self->wanted = g_array_new (FALSE, FALSE, sizeof (guint));
  if (self->wanted->len == 0 || g_array_index (self->wanted, guint, self->wanted->len - 1) != index)
    g_array_append_val (self->wanted, index);
  if (self->wanted_source == 0)
    self->wanted_source = g_idle_add_full (G_PRIORITY_HIGH_IDLE + 30, read_wanted_cb, self, NULL);
}

static gpointer
nexus_leads_model_get_item (GListModel *model, guint position)
{
  NexusLeadsModel *self = NEXUS_LEADS_MODEL (model);
  guint            index = position / NEXUS_LEADS_MODEL_PAGE_SIZE;
  Page            *page;

  if (position >= self->n_items)
    return NULL;

  page = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (index));
  if (page == NULL && index == 0 && self->first_rows != NULL)
    page = hold_page (self, 0);
  if (page == NULL)
    {
      /* Nothing is held or read here: the page is read if it is still
       * among the last asked for when the main loop is idle. */
      want_page (self, index);
      /* A new one each time: the list tells rows apart by their items. */
      return nexus_lead_row_new_placeholder ();
    }
  page->used = ++self->clock;

  /* Not while a count is in flight: the page would be cut from the old one. */
  if (!page->requested && !self->loading && self->engine != NULL)
    request_page (self, index, page);

  return g_object_ref (g_ptr_array_index (page->rows, position % NEXUS_LEADS_MODEL_PAGE_SIZE));
}

static void
nexus_leads_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = nexus_leads_model_get_item_type;
  iface->get_n_items = nexus_leads_model_get_n_items;
  iface->get_item = nexus_leads_model_get_item;
}

static void
nexus_leads_model_dispose (GObject *object)
{
  NexusLeadsModel *self = NEXUS_LEADS_MODEL (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->engine);
  g_clear_handle_id (&self->wanted_source, g_source_remove);

  G_OBJECT_CLASS (nexus_leads_model_parent_class)->dispose (object);
}

static void
nexus_leads_model_finalize (GObject *object)
{
  NexusLeadsModel *self = NEXUS_LEADS_MODEL (object);

  g_clear_pointer (&self->pages, g_hash_table_unref);
  g_clear_pointer (&self->first_rows, g_ptr_array_unref);
  g_clear_pointer (&self->wanted, g_array_unref);
  g_clear_pointer (&self->query, nexus_leads_query_free);
  g_free (self->error_message);

  G_OBJECT_CLASS (nexus_leads_model_parent_class)->finalize (object);
}

static void
nexus_leads_model_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  NexusLeadsModel *self = NEXUS_LEADS_MODEL (object);

  switch (prop_id)
    {
      case PROP_ENGINE:
        g_value_set_object (value, self->engine);
        break;
      case PROP_LOADING:
        g_value_set_boolean (value, self->loading);
        break;
      case PROP_COUNT:
        g_value_set_int64 (value, self->count);
        break;
      case PROP_ERROR_MESSAGE:
        g_value_set_string (value, self->error_message);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nexus_leads_model_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  NexusLeadsModel *self = NEXUS_LEADS_MODEL (object);

  switch (prop_id)
    {
      case PROP_ENGINE:
        nexus_leads_model_set_engine (self, g_value_get_object (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nexus_leads_model_class_init (NexusLeadsModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = nexus_leads_model_dispose;
  object_class->finalize = nexus_leads_model_finalize;
  object_class->get_property = nexus_leads_model_get_property;
  object_class->set_property = nexus_leads_model_set_property;

  properties[PROP_ENGINE] =
      g_param_spec_object ("engine", NULL, NULL, NEXUS_TYPE_ENGINE,
                           G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_LOADING] =
      g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                            G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_COUNT] =
      g_param_spec_int64 ("count", NULL, NULL, -1, G_MAXINT64, -1,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ERROR_MESSAGE] =
      g_param_spec_string ("error-message", NULL, NULL, NULL,
                           G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
nexus_leads_model_init (NexusLeadsModel *self)
{
  self->query = nexus_leads_query_new ();
  self->count = -1;
  self->pages = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify)page_free);
}

/**
 * nexus_leads_model_new:
 * @engine: (nullable): the engine whose vault to read
 *
 * Returns: (transfer full): a model of the vault in name order
 */
NexusLeadsModel *
nexus_leads_model_new (NexusEngine *engine)
{
  g_return_val_if_fail (engine == NULL || NEXUS_IS_ENGINE (engine), NULL);

  return g_object_new (NEXUS_TYPE_LEADS_MODEL, "engine", engine, NULL);
}

NexusEngine *
nexus_leads_model_get_engine (NexusLeadsModel *self)
{
  g_return_val_if_fail (NEXUS_IS_LEADS_MODEL (self), NULL);

  return self->engine;
}

void
nexus_leads_model_set_engine (NexusLeadsModel *self, NexusEngine *engine)
{
  g_return_if_fail (NEXUS_IS_LEADS_MODEL (self));
  g_return_if_fail (engine == NULL || NEXUS_IS_ENGINE (engine));

  if (!g_set_object (&self->engine, engine))
    return;

  nexus_leads_model_reload (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENGINE]);
}

const NexusLeadsQuery *
nexus_leads_model_get_query (NexusLeadsModel *self)
{
  g_return_val_if_fail (NEXUS_IS_LEADS_MODEL (self), NULL);

  return self->query;
}

/**
 * nexus_leads_model_set_query:
 * @self: a #NexusLeadsModel
 * @query: the view to show; copied
 *
 * Counts and reads @query instead.  Nothing happens when it is the query
 * shown already; use nexus_leads_model_reload() to read it again.
 */
void
nexus_leads_model_set_query (NexusLeadsModel *self, const NexusLeadsQuery *query)
{
  g_return_if_fail (NEXUS_IS_LEADS_MODEL (self));
  g_return_if_fail (query != NULL);

  if (nexus_leads_query_equal (self->query, query))
    return;

  nexus_leads_query_free (self->query);
  self->query = nexus_leads_query_copy (query);
  nexus_leads_model_reload (self);
}

/**
 * nexus_leads_model_reload:
 * @self: a #NexusLeadsModel
 *
 * Counts the query again and drops every page held; requests of the
 * previous generation are cancelled and their answers ignored.
 */
void
nexus_leads_model_reload (NexusLeadsModel *self)
{
  g_return_if_fail (NEXUS_IS_LEADS_MODEL (self));

  self->generation++;
  self->pending_pages = 0;
  self->refreshing = FALSE;
  self->prefetching = FALSE;
  g_clear_pointer (&self->first_rows, g_ptr_array_unref);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  if (self->engine == NULL)
    {
      set_loading (self, FALSE);
      replace_items (self, -1);
      return;
    }

  self->cancellable = g_cancellable_new ();
  set_loading (self, TRUE);
  nexus_engine_read_async (self->engine, count_func, nexus_leads_query_copy (self->query),
                           (GDestroyNotify)nexus_leads_query_free, self->cancellable, count_cb,
                           request_new (self, 0));

  /* The first page does not depend on the count: read it at the same
   * time, so the first rows show after the slower of the two, not both. */
  {
    PageJob *job = g_new0 (PageJob, 1);

    job->query = nexus_leads_query_copy (self->query);
    job->limit = NEXUS_LEADS_MODEL_PAGE_SIZE;
    self->prefetching = TRUE;
    self->pending_pages++;
    nexus_engine_read_async (self->engine, page_func, job, (GDestroyNotify)page_job_free,
                             self->cancellable, prefetch_cb, request_new (self, 0));
  }
}

/**
 * nexus_leads_model_refresh:
 * @self: a #NexusLeadsModel
 *
 * The vault changed under the same query (a worker reported, a lead was
 * edited): counts again and reads the pages held again, changing only the
 * rows that differ.  Unlike nexus_leads_model_reload() nothing shown is
 * dropped meanwhile.
 */
void
nexus_leads_model_refresh (NexusLeadsModel *self)
{
  g_return_if_fail (NEXUS_IS_LEADS_MODEL (self));

  /* Before the first count, or while one is in flight, that count will do. */
  if (self->engine == NULL || self->count < 0 || self->loading)
    return;

  self->generation++;
  self->pending_pages = 0;
  self->prefetching = FALSE;
  g_clear_pointer (&self->first_rows, g_ptr_array_unref);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  /* Pages far from what was looked at lately are read when asked again. */
  evict_pages (self, 8);
  self->refreshing = TRUE;
  nexus_engine_read_async (self->engine, count_func, nexus_leads_query_copy (self->query),
                           (GDestroyNotify)nexus_leads_query_free, self->cancellable, count_cb,
                           request_new (self, 0));
}

gboolean
nexus_leads_model_get_loading (NexusLeadsModel *self)
{
  g_return_val_if_fail (NEXUS_IS_LEADS_MODEL (self), FALSE);

  return self->loading;
}

/**
 * nexus_leads_model_get_count:
 * @self: a #NexusLeadsModel
 *
 * Returns: the number of leads of the query, or -1 before the first count
 *   or after a failed one
 */
gint64
nexus_leads_model_get_count (NexusLeadsModel *self)
{
  g_return_val_if_fail (NEXUS_IS_LEADS_MODEL (self), -1);

  return self->count;
}

const char *
nexus_leads_model_get_error_message (NexusLeadsModel *self)
{
  g_return_val_if_fail (NEXUS_IS_LEADS_MODEL (self), NULL);

  return self->error_message;
}

guint
nexus_leads_model_get_generation (NexusLeadsModel *self)
{
  g_return_val_if_fail (NEXUS_IS_LEADS_MODEL (self), 0);

  return self->generation;
}

/**
 * nexus_leads_model_get_pending_pages:
 * @self: a #NexusLeadsModel
 *
 * Returns: how many page reads of the current query are in flight
 */
guint
nexus_leads_model_get_pending_pages (NexusLeadsModel *self)
{
  g_return_val_if_fail (NEXUS_IS_LEADS_MODEL (self), 0);

  return self->pending_pages;
}

/**
 * nexus_leads_model_has_row:
 * @self: a #NexusLeadsModel
 * @position: a row
 *
 * Returns: whether the row at @position is read (asking for it reads
 *   nothing)
 */
gboolean
nexus_leads_model_has_row (NexusLeadsModel *self, guint position)
{
  Page *page;

  g_return_val_if_fail (NEXUS_IS_LEADS_MODEL (self), FALSE);

  if (position >= self->n_items)
    return FALSE;
  page =
      g_hash_table_lookup (self->pages, GUINT_TO_POINTER (position / NEXUS_LEADS_MODEL_PAGE_SIZE));
  return page != NULL && page->loaded;
}

/**
 * nexus_leads_model_peek_row:
 * @self: a #NexusLeadsModel
 * @position: a row
 *
 * The row at @position when its page is read, without reading anything:
 * for code that looks at many positions (a selection over the whole list)
 * and must not make the model read the vault.
 *
 * Returns: (transfer none) (nullable): the row, or NULL when not read
 */
NexusLeadRow *
nexus_leads_model_peek_row (NexusLeadsModel *self, guint position)
{
  Page *page;

  g_return_val_if_fail (NEXUS_IS_LEADS_MODEL (self), NULL);

  if (position >= self->n_items)
    return NULL;
  page =
      g_hash_table_lookup (self->pages, GUINT_TO_POINTER (position / NEXUS_LEADS_MODEL_PAGE_SIZE));
  if (page == NULL || !page->loaded)
    return NULL;
  return g_ptr_array_index (page->rows, position % NEXUS_LEADS_MODEL_PAGE_SIZE);
}

/**
 * nexus_leads_model_get_n_pages_held:
 * @self: a #NexusLeadsModel
 *
 * Returns: how many pages of rows the model holds (read or in flight)
 */
guint
nexus_leads_model_get_n_pages_held (NexusLeadsModel *self)
{
  g_return_val_if_fail (NEXUS_IS_LEADS_MODEL (self), 0);

  return g_hash_table_size (self->pages);
}
