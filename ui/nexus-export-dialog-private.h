/* nexus-export-dialog-private.h — what the tests may call
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "leads/nexus-export.h"
#include "nexus-export-dialog.h"

G_BEGIN_DECLS

typedef enum
{
  NEXUS_EXPORT_SCOPE_FILTER,
  NEXUS_EXPORT_SCOPE_SELECTION,
  NEXUS_EXPORT_SCOPE_ALL,
} NexusExportScope;

GtkCheckButton *_nexus_export_dialog_get_scope_button (NexusExportDialog *self,
                                                       NexusExportScope   scope);
AdwActionRow *_nexus_export_dialog_get_scope_row (NexusExportDialog *self, NexusExportScope scope);
AdwComboRow  *_nexus_export_dialog_get_format_row (NexusExportDialog *self);
GtkWidget    *_nexus_export_dialog_get_export_button (NexusExportDialog *self);
GtkLabel     *_nexus_export_dialog_get_error_label (NexusExportDialog *self);
GtkCheckButton *_nexus_export_dialog_get_column_check (NexusExportDialog *self,
                                                       NexusExportColumn  column);
void
_nexus_export_dialog_move_column (NexusExportDialog *self, NexusExportColumn column, int delta);
gboolean _nexus_export_dialog_counted (NexusExportDialog *self);
void     _nexus_export_dialog_export_to (NexusExportDialog *self, GFile *file, gboolean overwrite);

G_END_DECLS
