/* nexus-leads-page-private.h — what the tests may call
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "nexus-leads-page.h"

G_BEGIN_DECLS

char *_nexus_leads_page_format_count (gint64 count);

G_END_DECLS
