/* nexus-agents-dialog.h — add, rename and deactivate agents
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "nexus-engine.h"

G_BEGIN_DECLS

#define NEXUS_TYPE_AGENTS_DIALOG (nexus_agents_dialog_get_type ())
G_DECLARE_FINAL_TYPE (NexusAgentsDialog, nexus_agents_dialog, NEXUS, AGENTS_DIALOG, AdwWindow)

GtkWidget *nexus_agents_dialog_new (GtkWindow *parent, NexusEngine *engine);
guint      nexus_agents_dialog_get_n_agents (NexusAgentsDialog *self);
gboolean   nexus_agents_dialog_get_busy (NexusAgentsDialog *self);
void       nexus_agents_dialog_add (NexusAgentsDialog *self, const char *name);

G_END_DECLS
