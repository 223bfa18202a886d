/* nexus-import-dialog-private.h — what the UI tests look at
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "leads/nexus-import.h"
#include "nexus-import-dialog.h"

G_BEGIN_DECLS

/* The preview on show, NULL while none is. */
const NexusImportPreview *_nexus_import_dialog_get_preview (NexusImportDialog *self);
/* The dropdown of column @column, NULL past the last column. */
AdwComboRow *_nexus_import_dialog_get_column_row (NexusImportDialog *self, guint column);
/* The entry of the default country. */
GtkEditable *_nexus_import_dialog_get_country_entry (NexusImportDialog *self);
/* A check or an import is running. */
gboolean _nexus_import_dialog_get_busy (NexusImportDialog *self);
/* What the last check or import did, NULL when it failed or none ran. */
const NexusImportSummary *_nexus_import_dialog_get_summary (NexusImportDialog *self);
/* The text shown under "Result". */
const char *_nexus_import_dialog_get_result_text (NexusImportDialog *self);

G_END_DECLS
