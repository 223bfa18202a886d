/* nexus-job-item.c — one job in the Jobs page's list
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An immutable snapshot of a job as read, with the names of its search
 * and of the worker that leased it last; a refresh makes new items.
 */
#include "config.h"

#include "nexus-job-item.h"

struct _NexusJobItem
{
  GObject parent_instance;

  NexusJobRecord *record;      /* owned */
  char           *search_name; /* NULL: no search */
  char           *worker_name; /* NULL: never leased */
};

G_DEFINE_FINAL_TYPE (NexusJobItem, nexus_job_item, G_TYPE_OBJECT)

static void
nexus_job_item_finalize (GObject *object)
{
  NexusJobItem *self = NEXUS_JOB_ITEM (object);

  g_clear_pointer (&self->record, nexus_job_record_free);
  g_free (self->search_name);
  g_free (self->worker_name);

  G_OBJECT_CLASS (nexus_job_item_parent_class)->finalize (object);
}

static void
nexus_job_item_class_init (NexusJobItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = nexus_job_item_finalize;
}

static void
nexus_job_item_init (NexusJobItem *self)
{
}

/**
 * nexus_job_item_new:
 * @record: (transfer full): the job
 * @search_name: (nullable): its search's name
 * @worker_name: (nullable): the name of the worker of its last lease
 */
NexusJobItem *
nexus_job_item_new (NexusJobRecord *record, const char *search_name, const char *worker_name)
{
  NexusJobItem *self = g_object_new (NEXUS_TYPE_JOB_ITEM, NULL);

  self->record = record;
  self->search_name = g_strdup (search_name);
  self->worker_name = g_strdup (worker_name);
  return self;
}

const NexusJobRecord *
nexus_job_item_get_record (NexusJobItem *self)
{
  g_return_val_if_fail (NEXUS_IS_JOB_ITEM (self), NULL);

  return self->record;
}

gint64
nexus_job_item_get_id (NexusJobItem *self)
{
  g_return_val_if_fail (NEXUS_IS_JOB_ITEM (self), 0);

  return self->record->id;
}

const char *
nexus_job_item_get_search_name (NexusJobItem *self)
{
  g_return_val_if_fail (NEXUS_IS_JOB_ITEM (self), NULL);

  return self->search_name;
}

const char *
nexus_job_item_get_worker_name (NexusJobItem *self)
{
  g_return_val_if_fail (NEXUS_IS_JOB_ITEM (self), NULL);

  return self->worker_name;
}
