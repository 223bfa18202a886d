/* nexus-normalize.h — the normalized forms leads are matched and searched on
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * This module owns the text forms stored in leads.name_norm, address_norm,
 * city_norm, website_host and email, and the rules that make them:
 *
 *  - text: Unicode NFKC, case folding (GLib), diacritics and Arabic tashkeel
 *    removed, tatweel removed, Arabic letter forms folded (أ إ آ ٱ → ا,
 *    ى ی → ي, ة → ه, ؤ → و, ئ → ي, ک → ك), Arabic-Indic and Persian digits
 *    to ASCII, apostrophes dropped ("art's" → "arts"), every other
 *    punctuation or symbol a space, spaces collapsed;
 *  - names: text, then common legal forms dropped (English: llc, inc, ltd,
 *    corp, plc, gmbh…; Arabic: ش.م.م, ذ.م.م, المحدودة, a leading شركة or
 *    مؤسسة…), never down to nothing;
 *  - addresses: text, then street words abbreviated (street → st, avenue →
 *    ave, north → n, third → 3rd…);
 *  - websites: the canonical host — lower case, ASCII (IDNA), no "www.", no
 *    port, no trailing dot;
 *  - emails: validated (one "@", a sane local part, a domain with a dot),
 *    "mailto:" dropped, lower case.
 *
 * The forms are deterministic and idempotent (normalizing a normalized text
 * changes nothing), so a value computed today matches one stored last year.
 * Changing a rule changes stored keys: do it with a migration that
 * recomputes them.
 *
 * Threads: pure functions, callable from any thread.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *nexus_normalize_text (const char *text);
char *nexus_normalize_name (const char *name);
char *nexus_normalize_address (const char *address);
char *nexus_normalize_city (const char *city);
char *nexus_normalize_website_host (const char *website);
char *nexus_normalize_email (const char *email);
char *nexus_normalize_country (const char *country);

G_END_DECLS
