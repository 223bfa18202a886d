/* nexus-import-dialog.h — importing a file of leads
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "nexus-engine.h"

G_BEGIN_DECLS

#define NEXUS_TYPE_IMPORT_DIALOG (nexus_import_dialog_get_type ())
G_DECLARE_FINAL_TYPE (NexusImportDialog, nexus_import_dialog, NEXUS, IMPORT_DIALOG, AdwWindow)

NexusImportDialog *nexus_import_dialog_new (NexusEngine *engine);
NexusEngine       *nexus_import_dialog_get_engine (NexusImportDialog *self);
GFile             *nexus_import_dialog_get_file (NexusImportDialog *self);
void               nexus_import_dialog_set_file (NexusImportDialog *self, GFile *file);
void               nexus_import_dialog_choose_file (NexusImportDialog *self);

G_END_DECLS
