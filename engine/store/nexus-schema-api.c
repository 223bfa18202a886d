/* nexus-schema-api.c — the api area's part of the schema
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Tables, indexes and triggers that only the api area uses.  Appended to
 * schema version 1 by nexus-schema.c; later changes are new migrations.
 */

#include "config.h"

#include "nexus-store-private.h"

const char _nexus_schema_v1_api[] =
    /* Nothing yet: the core schema holds this area's tables so far. */
    "";
