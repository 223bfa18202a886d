/* nexus-search-editor.h — a new search, checked field by field
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "nexus-engine.h"

G_BEGIN_DECLS

#define NEXUS_TYPE_SEARCH_EDITOR (nexus_search_editor_get_type ())
G_DECLARE_FINAL_TYPE (NexusSearchEditor, nexus_search_editor, NEXUS, SEARCH_EDITOR, AdwWindow)

/* The fields of the editor, for the tests and for messages in place. */
typedef enum
{
  NEXUS_SEARCH_FIELD_NAME,
  NEXUS_SEARCH_FIELD_KEYWORDS,
  NEXUS_SEARCH_FIELD_PLACE,
  NEXUS_SEARCH_FIELD_SOUTH,
  NEXUS_SEARCH_FIELD_WEST,
  NEXUS_SEARCH_FIELD_NORTH,
  NEXUS_SEARCH_FIELD_EAST,
  NEXUS_SEARCH_FIELD_BOX, /* the four edges together; no entry of its own */
  NEXUS_SEARCH_FIELD_COUNTRY,
  NEXUS_SEARCH_FIELD_CADENCE,
  NEXUS_SEARCH_FIELD_CELL_KM,
  NEXUS_SEARCH_FIELD_DEPTH,
  NEXUS_SEARCH_FIELD_PRIORITY,
  NEXUS_SEARCH_N_FIELDS
} NexusSearchField;

NexusSearchEditor *nexus_search_editor_new (GtkWindow *parent, NexusEngine *engine);
void nexus_search_editor_set_shape (NexusSearchEditor *self, const char *geojson, GError **error);
void nexus_search_editor_set_search (NexusSearchEditor *self, const NexusSearchRecord *search);
void nexus_search_editor_set_region_kind (NexusSearchEditor *self, const char *kind);
const char *nexus_search_editor_get_region_kind (NexusSearchEditor *self);
gboolean    nexus_search_editor_get_can_create (NexusSearchEditor *self);

GtkEditable *nexus_search_editor_get_entry (NexusSearchEditor *self, NexusSearchField field);
const char  *nexus_search_editor_get_field_error (NexusSearchEditor *self, NexusSearchField field);
void         nexus_search_editor_set_provider (NexusSearchEditor *self, const char *provider);
void         nexus_search_editor_create (NexusSearchEditor *self);
void         nexus_search_editor_find_place (NexusSearchEditor *self);

const char *nexus_search_editor_provider_label (const char *provider);

G_END_DECLS
