/* nexus-json-text.h — JSON written straight into a string
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For the fixed, small documents of hot paths (a lease answer, a report
 * answer, a job's payload), where building a json-glib tree only to print
 * it costs more than the rest of the work.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void nexus_json_append_string (GString *out, const char *text);

G_END_DECLS
