/* nexus-confirm.h — asking before a destructive action
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A modal AdwMessageDialog with a safe default ("keep", also Escape) and
 * one destructive response, "confirm".  @func runs only when the operator
 * picks "confirm".
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

typedef void (*NexusConfirmFunc) (gpointer data);

AdwMessageDialog *nexus_confirm (GtkWidget       *widget,
                                 const char      *heading,
                                 const char      *body,
                                 const char      *keep_label,
                                 const char      *confirm_label,
                                 NexusConfirmFunc func,
                                 gpointer         data,
                                 GDestroyNotify   data_destroy);

G_END_DECLS
