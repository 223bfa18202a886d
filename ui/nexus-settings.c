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

/**
 * nexus_settings_set_if_changed:
 * @settings: settings
 * @key: one of its keys
 * @value: (transfer floating): the new value
 *
 * Writes @value only when it differs from the stored one, so that a
 * window closing or a page being built does not rewrite the settings store
 * (and cannot overwrite a change made meanwhile by another program).
 */
void
nexus_settings_set_if_changed (GSettings *settings, const char *key, GVariant *value)
{
  g_autoptr (GVariant) stored = g_settings_get_value (settings, key);
  g_autoptr (GVariant) wanted = g_variant_ref_sink (value);

  if (!g_variant_equal (stored, wanted))
    g_settings_set_value (settings, key, wanted);
}
