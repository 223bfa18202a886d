/* nexus-category.h — the names of lead categories
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A lead's category is a key ("car_rental", "restaurant"), the second part
 * of an iD preset id.  Its display names in English and Arabic come from
 * the same presets (data/categories/), compiled into a sorted table.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

const char *nexus_category_display_name (const char *category, const char *language);
guint       nexus_category_n_names (void);

G_END_DECLS
