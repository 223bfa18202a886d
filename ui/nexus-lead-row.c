/* nexus-lead-row.c — one lead as a row of the leads grid
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An immutable snapshot of one row of a NexusLeadsModel page.  Until its
 * page arrives the model hands out placeholders (placeholder = TRUE, every
 * text NULL); the model replaces them with real rows and says so with
 * items-changed, so a row's properties never change after construction and
 * none of them notifies.
 */
#include "config.h"

#include <math.h>

#include "nexus-lead-row.h"

struct _NexusLeadRow
{
  GObject parent_instance;

  gboolean placeholder; /* the page is not loaded yet; everything else is empty */
  gint64   id;
  char    *name;
  char    *category;
  char    *phone; /* E.164 */
  char    *city;
  char    *address;
  char    *website;
  double   rating; /* NaN: none */
  char    *status;
  gint64   first_seen; /* Unix seconds */
  gint64   last_seen;  /* Unix seconds */
  gint64   sightings;
  gboolean preview_only;
  gint64   agent_id;   /* 0: unassigned */
  char    *agent_name; /* NULL: unassigned */
};

G_DEFINE_FINAL_TYPE (NexusLeadRow, nexus_lead_row, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_PLACEHOLDER,
  PROP_ID,
  PROP_NAME,
  PROP_CATEGORY,
  PROP_PHONE,
  PROP_CITY,
  PROP_ADDRESS,
  PROP_WEBSITE,
  PROP_RATING,
  PROP_STATUS,
  PROP_FIRST_SEEN,
  PROP_LAST_SEEN,
  PROP_SIGHTINGS,
  PROP_PREVIEW_ONLY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
nexus_lead_row_finalize (GObject *object)
{
  NexusLeadRow *self = NEXUS_LEAD_ROW (object);

  g_free (self->name);
  g_free (self->category);
  g_free (self->phone);
  g_free (self->city);
  g_free (self->address);
  g_free (self->website);
  g_free (self->status);
  g_free (self->agent_name);

  G_OBJECT_CLASS (nexus_lead_row_parent_class)->finalize (object);
}

static void
nexus_lead_row_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  NexusLeadRow *self = NEXUS_LEAD_ROW (object);

  switch (prop_id)
    {
      case PROP_PLACEHOLDER:
        g_value_set_boolean (value, self->placeholder);
        break;
      case PROP_ID:
        g_value_set_int64 (value, self->id);
        break;
      case PROP_NAME:
        g_value_set_string (value, self->name);
        break;
      case PROP_CATEGORY:
        g_value_set_string (value, self->category);
        break;
      case PROP_PHONE:
        g_value_set_string (value, self->phone);
        break;
      case PROP_CITY:
        g_value_set_string (value, self->city);
        break;
      case PROP_ADDRESS:
        g_value_set_string (value, self->address);
        break;
      case PROP_WEBSITE:
        g_value_set_string (value, self->website);
        break;
      case PROP_RATING:
        g_value_set_double (value, self->rating);
        break;
      case PROP_STATUS:
        g_value_set_string (value, self->status);
        break;
      case PROP_FIRST_SEEN:
        g_value_set_int64 (value, self->first_seen);
        break;
      case PROP_LAST_SEEN:
        g_value_set_int64 (value, self->last_seen);
        break;
      case PROP_SIGHTINGS:
        g_value_set_int64 (value, self->sightings);
        break;
      case PROP_PREVIEW_ONLY:
        g_value_set_boolean (value, self->preview_only);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nexus_lead_row_class_init (NexusLeadRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags   flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = nexus_lead_row_finalize;
  object_class->get_property = nexus_lead_row_get_property;

  properties[PROP_PLACEHOLDER] = g_param_spec_boolean ("placeholder", NULL, NULL, TRUE, flags);
  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_CATEGORY] = g_param_spec_string ("category", NULL, NULL, NULL, flags);
  properties[PROP_PHONE] = g_param_spec_string ("phone", NULL, NULL, NULL, flags);
  properties[PROP_CITY] = g_param_spec_string ("city", NULL, NULL, NULL, flags);
  properties[PROP_ADDRESS] = g_param_spec_string ("address", NULL, NULL, NULL, flags);
  properties[PROP_WEBSITE] = g_param_spec_string ("website", NULL, NULL, NULL, flags);
  properties[PROP_RATING] =
      g_param_spec_double ("rating", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, flags);
  properties[PROP_STATUS] = g_param_spec_string ("status", NULL, NULL, NULL, flags);
  properties[PROP_FIRST_SEEN] =
      g_param_spec_int64 ("first-seen", NULL, NULL, G_MININT64, G_MAXINT64, 0, flags);
  properties[PROP_LAST_SEEN] =
      g_param_spec_int64 ("last-seen", NULL, NULL, G_MININT64, G_MAXINT64, 0, flags);
  properties[PROP_SIGHTINGS] =
      g_param_spec_int64 ("sightings", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_PREVIEW_ONLY] = g_param_spec_boolean ("preview-only", NULL, NULL, FALSE, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
nexus_lead_row_init (NexusLeadRow *self)
{
  self->placeholder = TRUE;
  self->rating = NAN;
}

/**
 * nexus_lead_row_new_placeholder:
 *
 * Returns: (transfer full): a row that stands for one not loaded yet
 */
NexusLeadRow *
nexus_lead_row_new_placeholder (void)
{
  return g_object_new (NEXUS_TYPE_LEAD_ROW, NULL);
}

/**
 * nexus_lead_row_new:
 * @row: a row read by nexus_store_leads_view_page()
 *
 * Returns: (transfer full): a copy of @row as an object
 */
NexusLeadRow *
nexus_lead_row_new (const NexusLeadsViewRow *row)
{
  NexusLeadRow *self;

  g_return_val_if_fail (row != NULL, NULL);

  self = g_object_new (NEXUS_TYPE_LEAD_ROW, NULL);
  self->placeholder = FALSE;
  self->id = row->id;
  self->name = g_strdup (row->name);
  self->category = g_strdup (row->category);
  self->phone = g_strdup (row->phone_e164);
  self->city = g_strdup (row->city);
  self->address = g_strdup (row->address);
  self->website = g_strdup (row->website);
  self->rating = row->rating;
  self->status = g_strdup (row->status);
  self->first_seen = row->first_seen_at;
  self->last_seen = row->last_seen_at;
  self->sightings = row->sightings;
  self->preview_only = row->preview_only;
  self->agent_id = row->agent_id;
  self->agent_name = g_strdup (row->agent_name);
  return self;
}

#define GETTER(type, field, fallback)                          \
  type nexus_lead_row_get_##field (NexusLeadRow *self)         \
  {                                                            \
    g_return_val_if_fail (NEXUS_IS_LEAD_ROW (self), fallback); \
    return self->field;                                        \
  }

GETTER (gboolean, placeholder, TRUE)
GETTER (gint64, id, 0)
GETTER (const char *, name, NULL)
GETTER (const char *, category, NULL)
GETTER (const char *, phone, NULL)
GETTER (const char *, city, NULL)
GETTER (const char *, address, NULL)
GETTER (const char *, website, NULL)
GETTER (double, rating, NAN)
GETTER (const char *, status, NULL)
GETTER (gint64, first_seen, 0)
GETTER (gint64, last_seen, 0)
GETTER (gint64, sightings, 0)
GETTER (gboolean, preview_only, FALSE)
GETTER (gint64, agent_id, 0)
GETTER (const char *, agent_name, NULL)

#undef GETTER

/**
 * nexus_lead_row_same:
 *
 * Returns: whether @a and @b show the same thing in every column (a live
 *   refresh leaves such rows alone)
 */
gboolean
nexus_lead_row_same (NexusLeadRow *a, NexusLeadRow *b)
{
  g_return_val_if_fail (NEXUS_IS_LEAD_ROW (a) && NEXUS_IS_LEAD_ROW (b), FALSE);

  return a->placeholder == b->placeholder && a->id == b->id && g_strcmp0 (a->name, b->name) == 0 &&
         g_strcmp0 (a->category, b->category) == 0 && g_strcmp0 (a->phone, b->phone) == 0 &&
         g_strcmp0 (a->city, b->city) == 0 && g_strcmp0 (a->address, b->address) == 0 &&
         g_strcmp0 (a->website, b->website) == 0 &&
         (a->rating == b->rating || (isnan (a->rating) && isnan (b->rating))) &&
         g_strcmp0 (a->status, b->status) == 0 && a->first_seen == b->first_seen &&
         a->last_seen == b->last_seen && a->sightings == b->sightings &&
         a->preview_only == b->preview_only && a->agent_id == b->agent_id &&
         g_strcmp0 (a->agent_name, b->agent_name) == 0;
}
