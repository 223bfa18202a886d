/* nexus-phone.h — phone numbers to E.164, through libphonenumber
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * This module owns the only C++ file of Nexus (nexus-phone.cc): a thin
 * extern "C" wrapper over libphonenumber's PhoneNumberUtil (Parse,
 * IsValidNumber, GetNumberType, Format E164).  Nothing else in Nexus
 * includes a libphonenumber header.
 *
 * Threads: every function here is pure and may be called from any thread,
 * at the same time from several (PhoneNumberUtil is a process-wide
 * singleton whose const methods are thread-safe).  No function touches the
 * store.
 *
 * Rules the leads engine relies on:
 *
 *  - A number is *valid* only when libphonenumber's IsValidNumber() says so.
 *    Only valid numbers take part in matching (same E.164 → same lead).
 *  - A number that does not parse, or parses but is not valid, is never
 *    dropped: the caller gets it back with its raw text and valid = FALSE,
 *    and keeps it flagged (leads.phone_raw / phone_invalid).
 *  - Arabic-Indic (U+0660–U+0669) and Persian (U+06F0–U+06F9) digits are
 *    read as ASCII digits before parsing.
 *  - "tel:" URIs (RFC 3966, with ;ext= and ;phone-context=) and extensions
 *    ("ext.", "x", "#", ",,") are understood; the extension is returned
 *    apart and is not part of the E.164 string.
 *  - An international prefix written as "00" or "011" is understood in the
 *    default region's own convention by libphonenumber; when that reading is
 *    not a valid number, the prefix is also tried as "+" (a "00 44 …" number
 *    found on a US page is still a UK number).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What kind of line a valid number is (libphonenumber's PhoneNumberType). */
typedef enum
{
  NEXUS_PHONE_TYPE_UNKNOWN,
  NEXUS_PHONE_TYPE_FIXED_LINE,
  NEXUS_PHONE_TYPE_MOBILE,
  NEXUS_PHONE_TYPE_FIXED_LINE_OR_MOBILE,
  NEXUS_PHONE_TYPE_TOLL_FREE,
  NEXUS_PHONE_TYPE_PREMIUM_RATE,
  NEXUS_PHONE_TYPE_SHARED_COST,
  NEXUS_PHONE_TYPE_VOIP,
  NEXUS_PHONE_TYPE_PERSONAL_NUMBER,
  NEXUS_PHONE_TYPE_PAGER,
  NEXUS_PHONE_TYPE_UAN,
  NEXUS_PHONE_TYPE_VOICEMAIL,
} NexusPhoneType;

/* Why a text did not parse (libphonenumber's ErrorType). */
typedef enum
{
  NEXUS_PHONE_PARSE_OK,
  NEXUS_PHONE_PARSE_INVALID_COUNTRY_CODE,
  NEXUS_PHONE_PARSE_NOT_A_NUMBER,
  NEXUS_PHONE_PARSE_TOO_SHORT_AFTER_IDD,
  NEXUS_PHONE_PARSE_TOO_SHORT_NSN,
  NEXUS_PHONE_PARSE_TOO_LONG_NSN,
} NexusPhoneParseError;

/* One number read from a text.  Always has raw; has e164 whenever the text
 * parsed, even when the number is not valid (so an operator can see what it
 * would have been). */
typedef struct
{
  /* The text this number was read from, trimmed, digits as given. */
  char *raw;
  /* "+CCNNN…" when the text parsed (valid or not); NULL on a parse error. */
  char *e164;
  /* Extension digits without a label ("123"), or NULL. */
  char *extension;
  /* ISO 3166-1 alpha-2 region of a valid number ("" when unknown or when
   * the number is not valid; "001" non-geographic entities are "").  */
  char region[3];
  /* NEXUS_PHONE_PARSE_OK when e164 is set. */
  NexusPhoneParseError error;
  /* The kind of line; UNKNOWN for a number that is not valid. */
  NexusPhoneType type;
  /* IsValidNumber(): the only numbers used to match leads. */
  gboolean valid;
} NexusPhone;

NexusPhone *nexus_phone_parse (const char *text, const char *default_region);
GPtrArray  *nexus_phone_parse_field (const char *field, const char *default_region);
void        nexus_phone_free (NexusPhone *phone);

gboolean    nexus_phone_region_is_known (const char *region);
const char *nexus_phone_type_to_string (NexusPhoneType type);
const char *nexus_phone_parse_error_to_string (NexusPhoneParseError error);
char       *nexus_phone_ascii_digits (const char *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NexusPhone, nexus_phone_free)

G_END_DECLS
