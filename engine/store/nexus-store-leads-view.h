/* nexus-store-leads-view.h — the leads as the console's grid reads them
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A NexusLeadsQuery describes one view of the vault: a sort column and
 * direction, a search text and filters.  The store answers it with a count
 * and with pages (offset + limit) of NexusLeadsViewRow.
 *
 * Rules this module relies on:
 *
 *  - Same thread rules as NexusStore: the thread that uses the store (the
 *    console calls it from reader threads through nexus_engine_read_async()).
 *    A query is plain data: copy it to hand it to another thread.
 *  - The SQL is assembled only from fixed fragments chosen by the enums
 *    below; the search text and the status are always bound as parameters,
 *    never written into the SQL.  The set of statement texts is therefore
 *    finite and each is prepared once per connection.
 *  - Every order ends with the lead id, in the same direction as the sort
 *    column, so a page boundary is stable and pages never overlap.
 *  - The search text is normalized with nexus_normalize_text() (the rules
 *    that made name_norm and address_norm) and becomes an FTS5 expression
 *    of quoted prefix tokens, all required.
 *  - append_where() in the .c file is the one place that turns a query's
 *    filters into SQL; the count, the pages, the ids of a view and the
 *    export's row iterator all use it.
 */
#pragma once

#include "nexus-store.h"

/* sqlite3.h's statement, for the query builder shared with the export. */
struct sqlite3_stmt;

G_BEGIN_DECLS

/* The columns the grid sorts by.  "name" sorts by the normalized name, so
 * case, diacritics and Arabic letter forms do not split the order. */
typedef enum
{
  NEXUS_LEADS_SORT_NAME,
  NEXUS_LEADS_SORT_CATEGORY,
  NEXUS_LEADS_SORT_PHONE,
  NEXUS_LEADS_SORT_CITY,
  NEXUS_LEADS_SORT_STATUS,
  NEXUS_LEADS_SORT_RATING,
  NEXUS_LEADS_SORT_FIRST_SEEN,
  NEXUS_LEADS_SORT_LAST_SEEN,
  NEXUS_LEADS_SORT_SIGHTINGS,
  NEXUS_LEADS_SORT_ADDRESS,
  NEXUS_LEADS_SORT_WEBSITE,
  NEXUS_LEADS_SORT_AGENT,
  NEXUS_LEADS_N_SORTS,
} NexusLeadsSort;

/* Which side of preview_only the view shows. */
typedef enum
{
  NEXUS_LEADS_PREVIEW_EXCLUDE, /* the vault: leads with a valid phone (default) */
  NEXUS_LEADS_PREVIEW_ONLY,    /* only preview-only leads */
  NEXUS_LEADS_PREVIEW_INCLUDE, /* both */
} NexusLeadsPreview;

/* The agent filter's value for leads assigned to nobody. */
#define NEXUS_LEADS_AGENT_NONE ((gint64)-1)

typedef struct
{
  NexusLeadsSort    sort;        /* the sort column */
  gboolean          descending;  /* the direction of the sort column and the id */
  char             *search;      /* owned; NULL or blank: no search */
  char             *status;      /* owned; NULL: every status; else one of the five */
  NexusLeadsPreview preview;     /* NEXUS_LEADS_PREVIEW_EXCLUDE unless asked */
  char             *category;    /* owned; NULL: every category; else exactly this one */
  char             *city;        /* owned; NULL: every city; else exactly this one */
  gboolean          has_phone;   /* only leads with a valid phone */
  gboolean          has_website; /* only leads with a website */
  gint64            agent_id;    /* 0: any; NEXUS_LEADS_AGENT_NONE: unassigned; else that agent */
  gint64            since;       /* 0: no bound; else first seen at or after (Unix seconds) */
  gint64            until;       /* 0: no bound; else first seen before (Unix seconds) */
  gboolean          has_area;    /* only leads inside the box below (leads_geo) */
  double            min_lat, min_lon, max_lat, max_lon; /* the box, when has_area */
} NexusLeadsQuery;

/* One row of the grid.  Texts are owned (g_free) and NULL when the column
 * is NULL; rating is NaN when the lead has none. */
typedef struct
{
  gint64   id;
  char    *name;
  char    *category;
  char    *phone_e164;
  char    *city;
  char    *address;
  char    *website;
  double   rating;        /* NaN: no rating */
  char    *status;        /* new, contacted, qualified, won or lost */
  gint64   first_seen_at; /* Unix seconds */
  gint64   last_seen_at;  /* Unix seconds */
  gint64   sightings;
  gboolean preview_only;
  gint64   agent_id;   /* 0: unassigned */
  char    *agent_name; /* NULL: unassigned */
  char    *email;
  char    *country;
  double   lat, lon; /* NaN: no position */
  gint64   reviews;  /* -1: unknown */
  char    *notes;    /* the last note written on the lead */
} NexusLeadsViewRow;

/* One lead of a view as the map places it.  The texts are interned
 * (g_intern_string()): never freed, shared by every point. */
typedef struct
{
  gint64      id;
  double      lat;
  double      lon;
  const char *category; /* NULL when the lead has none */
  const char *status;   /* new, contacted, qualified, won or lost */
} NexusLeadsViewPoint;

#define NEXUS_TYPE_LEADS_QUERY (nexus_leads_query_get_type ())

GType            nexus_leads_query_get_type (void) G_GNUC_CONST;
NexusLeadsQuery *nexus_leads_query_new (void);
NexusLeadsQuery *nexus_leads_query_copy (const NexusLeadsQuery *query);
void             nexus_leads_query_free (NexusLeadsQuery *query);
gboolean         nexus_leads_query_equal (const NexusLeadsQuery *a, const NexusLeadsQuery *b);
char            *nexus_leads_query_fts_expression (const char *search);

const char *nexus_leads_sort_to_string (NexusLeadsSort sort);
gboolean    nexus_leads_sort_from_string (const char *name, NexusLeadsSort *out_sort);

void nexus_leads_view_row_free (NexusLeadsViewRow *row);

gboolean   nexus_store_leads_view_count (NexusStore            *self,
                                         const NexusLeadsQuery *query,
                                         gint64                *out_count,
                                         GError               **error);
GPtrArray *nexus_store_leads_view_page (NexusStore            *self,
                                        const NexusLeadsQuery *query,
                                        gint64                 offset,
                                        guint                  limit,
                                        GError               **error);
GArray    *nexus_store_leads_view_points (NexusStore            *self,
                                          const NexusLeadsQuery *query,
                                          gint64                 after_id,
                                          GError               **error);
char *nexus_store_leads_view_plan (NexusStore *self, const NexusLeadsQuery *query, GError **error);
GArray            *nexus_store_leads_view_ids (NexusStore            *self,
                                               const NexusLeadsQuery *query,
                                               guint                  max_ids,
                                               GError               **error);
gboolean           nexus_store_leads_view_position (NexusStore            *self,
                                                    const NexusLeadsQuery *query,
                                                    gint64                 lead_id,
                                                    gint64                *out_position,
                                                    GError               **error);
NexusLeadsViewRow *nexus_store_leads_view_get (NexusStore *self, gint64 lead_id, GError **error);
GPtrArray *
nexus_store_leads_view_values (NexusStore *self, const char *column, guint limit, GError **error);

/* Shared with the export's row iterator: the WHERE clause of @query (with
 * :parameters) and their binding.  @match is the query's FTS5 expression
 * (nexus_leads_query_fts_expression()) or NULL. */
gboolean nexus_leads_query_check (const NexusLeadsQuery *query, GError **error);
void nexus_leads_query_append_where (GString *sql, const NexusLeadsQuery *query, const char *match);
void
nexus_leads_query_bind (struct sqlite3_stmt *stmt, const NexusLeadsQuery *query, const char *match);

/* One lead as an export writes it: every column an export can choose.
 * Texts are NULL when the column is; they belong to the page that holds
 * the row (see nexus_leads_cursor_next_page()). */
typedef struct
{
  gint64      id;
  const char *name;
  const char *category;
  const char *phone_e164;
  const char *other_phones; /* the lead's other valid numbers, "; "-separated */
  const char *phone_raw;    /* numbers that did not parse, "; "-separated */
  const char *city;
  const char *address;
  const char *country; /* ISO 3166-1 alpha-2 */
  const char *website;
  const char *email;
  double      lat; /* NaN: no coordinates (lat and lon are NULL together) */
  double      lon;
  double      rating;  /* NaN: no rating */
  gint64      reviews; /* -1: unknown */
  const char *status;
  const char *agent; /* the assigned agent's name */
  gint64      first_seen_at;
  gint64      last_seen_at;
  gint64      sightings;
  gboolean    preview_only;
  const char *sources; /* the distinct providers of its sources, "; "-separated */
  const char *notes;
} NexusLeadsExportRow;

/* A read of many leads in one snapshot of the file, handed over one page at
 * a time; memory is one page whatever the number of leads.  It keeps a read
 * transaction open on its store until it is freed: use it on a reader
 * connection (or a store nothing else uses meanwhile). */
typedef struct _NexusLeadsCursor NexusLeadsCursor;

NexusLeadsCursor *nexus_store_leads_cursor_open (NexusStore            *self,
                                                 const NexusLeadsQuery *query,
                                                 const gint64          *ids,
                                                 gsize                  n_ids,
                                                 gint64                *out_total,
                                                 GError               **error);
gboolean          nexus_leads_cursor_next_page (NexusLeadsCursor *cursor,
                                                guint             max_rows,
                                                GArray           *rows,
                                                GError          **error);
void              nexus_leads_cursor_free (NexusLeadsCursor *cursor);
gboolean          nexus_store_leads_count_ids (NexusStore   *self,
                                               const gint64 *ids,
                                               gsize         n_ids,
                                               gint64       *out_count,
                                               GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusLeadsQuery, nexus_leads_query_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusLeadsViewRow, nexus_leads_view_row_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusLeadsCursor, nexus_leads_cursor_free)

G_END_DECLS
