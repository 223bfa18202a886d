/* nexus-export-dialog.h — the dialog that exports leads to a file
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "nexus-engine.h"
#include "store/nexus-store-leads-view.h"

G_BEGIN_DECLS

#define NEXUS_TYPE_EXPORT_DIALOG (nexus_export_dialog_get_type ())
G_DECLARE_FINAL_TYPE (NexusExportDialog, nexus_export_dialog, NEXUS, EXPORT_DIALOG, AdwWindow)

NexusExportDialog *nexus_export_dialog_new (GtkWindow             *parent,
                                            NexusEngine           *engine,
                                            const NexusLeadsQuery *query,
                                            const gint64          *ids,
                                            gsize                  n_ids);
NexusEngine       *nexus_export_dialog_get_engine (NexusExportDialog *self);
void               nexus_export_dialog_set_engine (NexusExportDialog *self, NexusEngine *engine);
gboolean           nexus_export_dialog_get_busy (NexusExportDialog *self);

G_END_DECLS
