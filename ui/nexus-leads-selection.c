/* nexus-leads-selection.c — which leads of the grid are selected, by id
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A GtkSelectionModel over a NexusLeadsModel that remembers lead ids, not
 * positions: a re-sort, a new filter or a live refresh moves rows, and the
 * same leads stay selected wherever they land.  GtkMultiSelection keeps
 * positions and drops every selected row an items-changed touches.
 *
 * "Select all" (Ctrl+A) is a flag, not a million ids: every lead of the
 * current query is selected except the ids in the set, which then lists
 * exclusions.  A bulk action on it asks the store for the query's ids.
 * Positions whose page is not loaded yet (placeholders) have no id: they
 * are selected only under "all".
 *
 * No method asks the model for a row it has not read (GTK asks for the
 * selection of the whole list after every change, and asking would read
 * the whole vault): positions not read yet have no id.
 */
#include "config.h"

#include "nexus-leads-selection.h"

struct _NexusLeadsSelection
{
  GObject parent_instance;

  NexusLeadsModel *model; /* owned */
  GHashTable      *ids;   /* gint64 * → itself: selected ids, or exclusions when all */
  gboolean         all;   /* every lead of the query, less ids */
};

static void nexus_leads_selection_list_model_init (GListModelInterface *iface);
static void nexus_leads_selection_selection_model_init (GtkSelectionModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (
    NexusLeadsSelection,
    nexus_leads_selection,
    G_TYPE_OBJECT,
    G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, nexus_leads_selection_list_model_init)
        G_IMPLEMENT_INTERFACE (GTK_TYPE_SELECTION_MODEL,
                               nexus_leads_selection_selection_model_init))

static guint
n_items (NexusLeadsSelection *self)
{
  return g_list_model_get_n_items (G_LIST_MODEL (self->model));
}

/* The lead id at @position, or 0 while its page is not read.  Never
 * makes the model read: GTK asks for the selection of the whole list. */
static gint64
id_at (NexusLeadsSelection *self, guint position)
{
  NexusLeadRow *row = nexus_leads_model_peek_row (self->model, position);

  if (row == NULL || nexus_lead_row_get_placeholder (row))
    return 0;
  return nexus_lead_row_get_id (row);
}

static void
set_id (NexusLeadsSelection *self, gint64 id, gboolean selected)
{
  /* In the set means selected, or excluded under "all". */
  if (selected != self->all)
    {
      gint64 *key = g_memdup2 (&id, sizeof id);

      g_hash_table_add (self->ids, key);
    }
  else
    g_hash_table_remove (self->ids, &id);
}

static void
changed_all (NexusLeadsSelection *self)
{
  guint n = n_items (self);

  if (n > 0)
    gtk_selection_model_selection_changed (GTK_SELECTION_MODEL (self), 0, n);
}

static int
compare_ids (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

  return x < y ? -1 : x > y;
}

static GType
get_item_type (GListModel *model)
{
  return NEXUS_TYPE_LEAD_ROW;
}

static guint
get_n_items (GListModel *model)
{
  return n_items (NEXUS_LEADS_SELECTION (model));
}

static gpointer
get_item (GListModel *model, guint position)
{
  return g_list_model_get_item (G_LIST_MODEL (NEXUS_LEADS_SELECTION (model)->model), position);
}

static void
nexus_leads_selection_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static gboolean
is_selected (GtkSelectionModel *model, guint position)
{
  NexusLeadsSelection *self = NEXUS_LEADS_SELECTION (model);
  gint64               id = id_at (self, position);

  if (id == 0)
    return self->all;
  return nexus_leads_selection_is_id_selected (self, id);
}

static GtkBitset *
get_selection_in_range (GtkSelectionModel *model, guint position, guint n_wanted)
{
  NexusLeadsSelection *self = NEXUS_LEADS_SELECTION (model);
  GtkBitset           *selected = gtk_bitset_new_empty ();
  guint                end = MIN (position + n_wanted, n_items (self));

  if (!self->all && g_hash_table_size (self->ids) == 0)
    return selected;
  for (guint i = position; i < end; i++)
    if (is_selected (model, i))
      gtk_bitset_add (selected, i);
  return selected;
}

static gboolean
select_item (GtkSelectionModel *model, guint position, gboolean unselect_rest)
{
  NexusLeadsSelection *self = NEXUS_LEADS_SELECTION (model);
  gint64               id = id_at (self, position);

  if (unselect_rest)
    {
      g_hash_table_remove_all (self->ids);
      self->all = FALSE;
    }
  if (id != 0)
    set_id (self, id, TRUE);

  if (unselect_rest)
    changed_all (self);
  else
    gtk_selection_model_selection_changed (model, position, 1);
  return TRUE;
}

static gboolean
unselect_item (GtkSelectionModel *model, guint position)
{
  NexusLeadsSelection *self = NEXUS_LEADS_SELECTION (model);
  gint64               id = id_at (self, position);

  if (id != 0)
    set_id (self, id, FALSE);
  gtk_selection_model_selection_changed (model, position, 1);
  return TRUE;
}

static void
set_range (NexusLeadsSelection *self, guint position, guint n, gboolean selected)
{
  for (guint i = position; i < position + n && i < n_items (self); i++)
    {
      gint64 id = id_at (self, i);

      if (id != 0)
        set_id (self, id, selected);
    }
}

static gboolean
select_range (GtkSelectionModel *model, guint position, guint n, gboolean unselect_rest)
{
  NexusLeadsSelection *self = NEXUS_LEADS_SELECTION (model);

  if (unselect_rest)
    {
      g_hash_table_remove_all (self->ids);
      self->all = FALSE;
    }
  set_range (self, position, n, TRUE);
  if (unselect_rest)
    changed_all (self);
  else
    gtk_selection_model_selection_changed (model, position, n);
  return TRUE;
}

static gboolean
unselect_range (GtkSelectionModel *model, guint position, guint n)
{
  set_range (NEXUS_LEADS_SELECTION (model), position, n, FALSE);
  gtk_selection_model_selection_changed (model, position, n);
  return TRUE;
}

static gboolean
select_all (GtkSelectionModel *model)
{
  NexusLeadsSelection *self = NEXUS_LEADS_SELECTION (model);

  g_hash_table_remove_all (self->ids);
  self->all = TRUE;
  changed_all (self);
  return TRUE;
}

static gboolean
unselect_all (GtkSelectionModel *model)
{
  nexus_leads_selection_clear (NEXUS_LEADS_SELECTION (model));
  return TRUE;
}

/* The general form: only the positions in @mask, each as @selected says.
 * A mask over the whole list is select/unselect all. */
static gboolean
set_selection (GtkSelectionModel *model, GtkBitset *selected, GtkBitset *mask)
{
  NexusLeadsSelection *self = NEXUS_LEADS_SELECTION (model);
  guint                n = n_items (self);
  GtkBitsetIter        iter;
  guint                position;

  if (n > 0 && gtk_bitset_get_size (mask) >= n)
    {
      if (gtk_bitset_get_size (selected) >= n)
        return select_all (model);
      if (gtk_bitset_is_empty (selected))
        return unselect_all (model);
    }

  for (gboolean more = gtk_bitset_iter_init_first (&iter, mask, &position); more;
       more = gtk_bitset_iter_next (&iter, &position))
    {
      gint64 id = position < n ? id_at (self, position) : 0;

      if (id != 0)
        set_id (self, id, gtk_bitset_contains (selected, position));
    }
  if (!gtk_bitset_is_empty (mask))
    {
      guint first = gtk_bitset_get_minimum (mask);

      gtk_selection_model_selection_changed (model, first,
                                             gtk_bitset_get_maximum (mask) - first + 1);
    }
  return TRUE;
}

static void
nexus_leads_selection_selection_model_init (GtkSelectionModelInterface *iface)
{
  iface->is_selected = is_selected;
  iface->get_selection_in_range = get_selection_in_range;
  iface->select_item = select_item;
  iface->unselect_item = unselect_item;
  iface->select_range = select_range;
  iface->unselect_range = unselect_range;
  iface->select_all = select_all;
  iface->unselect_all = unselect_all;
  iface->set_selection = set_selection;
}

static void
items_changed_cb (NexusLeadsSelection *self,
                  guint                position,
                  guint                removed,
                  guint                added,
                  GListModel          *model)
{
  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
}

static void
nexus_leads_selection_dispose (GObject *object)
{
  NexusLeadsSelection *self = NEXUS_LEADS_SELECTION (object);

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  g_clear_object (&self->model);
  g_clear_pointer (&self->ids, g_hash_table_unref);

  G_OBJECT_CLASS (nexus_leads_selection_parent_class)->dispose (object);
}

static void
nexus_leads_selection_class_init (NexusLeadsSelectionClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = nexus_leads_selection_dispose;
}

static void
nexus_leads_selection_init (NexusLeadsSelection *self)
{
  self->ids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
}

/**
 * nexus_leads_selection_new:
 * @model: the grid's rows
 *
 * Returns: (transfer full): an empty selection over @model
 */
NexusLeadsSelection *
nexus_leads_selection_new (NexusLeadsModel *model)
{
  NexusLeadsSelection *self;

  g_return_val_if_fail (NEXUS_IS_LEADS_MODEL (model), NULL);

  self = g_object_new (NEXUS_TYPE_LEADS_SELECTION, NULL);
  self->model = g_object_ref (model);
  g_signal_connect_swapped (model, "items-changed", G_CALLBACK (items_changed_cb), self);
  return self;
}

/**
 * nexus_leads_selection_get_all:
 *
 * Returns: whether every lead of the query is selected, less the ids of
 *   nexus_leads_selection_get_ids()
 */
gboolean
nexus_leads_selection_get_all (NexusLeadsSelection *self)
{
  g_return_val_if_fail (NEXUS_IS_LEADS_SELECTION (self), FALSE);

  return self->all;
}

/**
 * nexus_leads_selection_get_n_selected:
 *
 * Returns: how many leads are selected (under "all", from the model's
 *   count)
 */
gint64
nexus_leads_selection_get_n_selected (NexusLeadsSelection *self)
{
  g_return_val_if_fail (NEXUS_IS_LEADS_SELECTION (self), 0);

  if (self->all)
    return MAX (0,
                nexus_leads_model_get_count (self->model) - (gint64)g_hash_table_size (self->ids));
  return g_hash_table_size (self->ids);
}

/**
 * nexus_leads_selection_get_ids:
 *
 * Returns: (transfer full) (element-type gint64): the selected ids, or
 *   under "all" the excluded ones; in ascending order
 */
GArray *
nexus_leads_selection_get_ids (NexusLeadsSelection *self)
{
  GArray        *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  GHashTableIter iter;
  gpointer       key;

  g_return_val_if_fail (NEXUS_IS_LEADS_SELECTION (self), ids);

  g_hash_table_iter_init (&iter, self->ids);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_array_append_val (ids, *(gint64 *)key);
  g_array_sort (ids, compare_ids);
  return ids;
}

gboolean
nexus_leads_selection_is_id_selected (NexusLeadsSelection *self, gint64 lead_id)
{
  g_return_val_if_fail (NEXUS_IS_LEADS_SELECTION (self), FALSE);

  return g_hash_table_contains (self->ids, &lead_id) != self->all;
}

/**
 * nexus_leads_selection_set_ids:
 *
 * Selects exactly these leads.
 */
void
nexus_leads_selection_set_ids (NexusLeadsSelection *self, const gint64 *ids, guint n_ids)
{
  g_return_if_fail (NEXUS_IS_LEADS_SELECTION (self));

  g_hash_table_remove_all (self->ids);
  self->all = FALSE;
  for (guint i = 0; i < n_ids; i++)
    set_id (self, ids[i], TRUE);
  changed_all (self);
}

void
nexus_leads_selection_clear (NexusLeadsSelection *self)
{
  g_return_if_fail (NEXUS_IS_LEADS_SELECTION (self));

  g_hash_table_remove_all (self->ids);
  self->all = FALSE;
  changed_all (self);
}

/**
 * nexus_leads_selection_forget_all:
 *
 * The query changed: "all" meant the old one's leads, so it ends (with its
 * exclusions); single ids stay selected.
 */
void
nexus_leads_selection_forget_all (NexusLeadsSelection *self)
{
  g_return_if_fail (NEXUS_IS_LEADS_SELECTION (self));

  if (!self->all)
    return;
  nexus_leads_selection_clear (self);
}
