/* nexus-category.c — the names of lead categories
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "nexus-category-names.h"
#include "nexus-category.h"

static int
compare_category (const void *key, const void *entry)
{
  return strcmp (key, *(const char *const *)entry);
}

/**
 * nexus_category_display_name:
 * @category: (nullable): a category key
 * @language: "ar" for Arabic; anything else gives English
 *
 * Returns: (nullable): the category's name in @language ("مطعم",
 *   "Restaurant"), or %NULL for a category without a preset (one an
 *   operator made up)
 */
const char *
nexus_category_display_name (const char *category, const char *language)
{
  const char *found;
  gsize       index;

  if (category == NULL)
    return NULL;

  found = bsearch (category, nexus_category_names, G_N_ELEMENTS (nexus_category_names),
                   sizeof nexus_category_names[0], compare_category);
  if (found == NULL)
    return NULL;

  index = (gsize)(found - (const char *)nexus_category_names) / sizeof nexus_category_names[0];
  return g_strcmp0 (language, "ar") == 0 ? nexus_category_names[index].ar
                                         : nexus_category_names[index].en;
}

/**
 * nexus_category_n_names:
 *
 * Returns: how many categories have display names
 */
guint
nexus_category_n_names (void)
{
  return G_N_ELEMENTS (nexus_category_names);
}
