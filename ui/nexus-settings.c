/* nexus-settings.c — the console's GSettings, when installed
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "nexus-settings.h"

/**
 * nexus_settings_try_new:
 * @key: (nullable): a key the caller needs
 *
 * An uninstalled build run without GSETTINGS_SCHEMA_DIR has no schema:
 * then the console works and only forgets.
 *
 * Returns: (transfer full) (nullable): the console's settings, or NULL
 *   when the schema (or @key in it) is not installed
 */
GSettings *
nexus_settings_try_new (const char *key)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr (GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, NEXUS_SETTINGS_SCHEMA_ID, TRUE);
  if (schema == NULL || (key != NULL && !g_settings_schema_has_key (schema, key)))
    return NULL;
  return g_settings_new_full (schema, NULL, NULL);
}
