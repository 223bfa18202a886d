/* nexus-operations-page-private.h — what the UI tests look at
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The page's work runs on engine and reader threads; tests wait until none
 * is running, then read what the operator would see.
 */
#pragma once

#include "nexus-operations-page.h"

G_BEGIN_DECLS

guint             _nexus_operations_page_get_busy (NexusOperationsPage *self);
gboolean          _nexus_operations_page_get_restoring (NexusOperationsPage *self);
AdwMessageDialog *_nexus_operations_page_get_dialog (NexusOperationsPage *self);
GtkEditable      *_nexus_operations_page_get_webhook_url (NexusOperationsPage *self);
const char *_nexus_operations_page_get_status (NexusOperationsPage *self, const char *section);
GtkListBox *_nexus_operations_page_get_checks (NexusOperationsPage *self);
GtkListBox *_nexus_operations_page_get_webhooks (NexusOperationsPage *self);

G_END_DECLS
