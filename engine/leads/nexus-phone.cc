/* nexus-phone.cc — the extern "C" shim over libphonenumber
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The only C++ file of Nexus.  No C++ exception crosses into C: every entry
 * point catches everything and answers "did not parse".
 */

#include "config.h"

#include <string>

#include <phonenumbers/logger.h>
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include "nexus-phone.h"

using i18n::phonenumbers::NullLogger;
using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

/* A field holds several numbers only when each part has at least this many
 * digits; shorter parts are an area code ("310/456-0488") or an extension
 * ("x508/x1234") and stay glued to their neighbour. */
#define MIN_DIGITS_PER_NUMBER 6

/* Longer texts are not phone numbers; libphonenumber refuses more than 250
 * characters anyway, and this keeps a hostile field cheap. */
#define MAX_FIELD_LENGTH 1024

static const PhoneNumberUtil *
get_util (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      /* Parse failures are expected input here, not something to log on
       * stdout; the util takes ownership of the logger. */
      PhoneNumberUtil::GetInstance ()->SetLogger (new NullLogger ());
      g_once_init_leave (&initialized, 1);
    }
  return PhoneNumberUtil::GetInstance ();
}

static NexusPhoneType
map_type (PhoneNumberUtil::PhoneNumberType type)
{
  switch (type)
    {
      case PhoneNumberUtil::FIXED_LINE:
        return NEXUS_PHONE_TYPE_FIXED_LINE;
      case PhoneNumberUtil::MOBILE:
        return NEXUS_PHONE_TYPE_MOBILE;
      case PhoneNumberUtil::FIXED_LINE_OR_MOBILE:
        return NEXUS_PHONE_TYPE_FIXED_LINE_OR_MOBILE;
      case PhoneNumberUtil::TOLL_FREE:
        return NEXUS_PHONE_TYPE_TOLL_FREE;
      case PhoneNumberUtil::PREMIUM_RATE:
        return NEXUS_PHONE_TYPE_PREMIUM_RATE;
      case PhoneNumberUtil::SHARED_COST:
        return NEXUS_PHONE_TYPE_SHARED_COST;
      case PhoneNumberUtil::VOIP:
        return NEXUS_PHONE_TYPE_VOIP;
      case PhoneNumberUtil::PERSONAL_NUMBER:
        return NEXUS_PHONE_TYPE_PERSONAL_NUMBER;
      case PhoneNumberUtil::PAGER:
        return NEXUS_PHONE_TYPE_PAGER;
      case PhoneNumberUtil::UAN:
        return NEXUS_PHONE_TYPE_UAN;
      case PhoneNumberUtil::VOICEMAIL:
        return NEXUS_PHONE_TYPE_VOICEMAIL;
      case PhoneNumberUtil::UNKNOWN:
      default:
        return NEXUS_PHONE_TYPE_UNKNOWN;
    }
}

static NexusPhoneParseError
map_error (PhoneNumberUtil::ErrorType error)
{
  switch (error)
    {
      case PhoneNumberUtil::NO_PARSING_ERROR:
        return NEXUS_PHONE_PARSE_OK;
      case PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR:
        return NEXUS_PHONE_PARSE_INVALID_COUNTRY_CODE;
      case PhoneNumberUtil::TOO_SHORT_AFTER_IDD:
        return NEXUS_PHONE_PARSE_TOO_SHORT_AFTER_IDD;
      case PhoneNumberUtil::TOO_SHORT_NSN:
        return NEXUS_PHONE_PARSE_TOO_SHORT_NSN;
      case PhoneNumberUtil::TOO_LONG_NSN:
        return NEXUS_PHONE_PARSE_TOO_LONG_NSN;
      case PhoneNumberUtil::NOT_A_NUMBER:
      default:
        return NEXUS_PHONE_PARSE_NOT_A_NUMBER;
    }
}

/* "eg" → "EG"; anything that is not two ASCII letters → "ZZ" (unknown),
 * which makes libphonenumber accept only numbers written with a "+". */
static std::string
canonical_region (const char *region)
{
  if (region == NULL || strlen (region) != 2 || !g_ascii_isalpha (region[0]) ||
      !g_ascii_isalpha (region[1]))
    return "ZZ";
  return std::string (1, g_ascii_toupper (region[0])) + g_ascii_toupper (region[1]);
}

/**
 * nexus_phone_ascii_digits:
 * @text: UTF-8 text
 *
 * Replaces Arabic-Indic (U+0660–U+0669), Persian (U+06F0–U+06F9) and
 * full-width (U+FF10–U+FF19) digits with ASCII digits; everything else is
 * copied unchanged.  Invalid UTF-8 is repaired first.
 *
 * Returns: (transfer full): the new text
 */
char *
nexus_phone_ascii_digits (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text != NULL ? text : "", -1);
  GString         *out = g_string_sized_new (strlen (valid));

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c >= 0x0660 && c <= 0x0669)
        g_string_append_c (out, (char)('0' + (c - 0x0660)));
      else if (c >= 0x06F0 && c <= 0x06F9)
        g_string_append_c (out, (char)('0' + (c - 0x06F0)));
      else if (c >= 0xFF10 && c <= 0xFF19)
        g_string_append_c (out, (char)('0' + (c - 0xFF10)));
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
    }
  return g_string_free (out, FALSE);
}

/* When @text starts (after punctuation and spaces) with the international
 * prefix "00" or "011" and has no "+", returns the text with that prefix
 * replaced by "+"; otherwise the empty string. */
static std::string
idd_as_plus (const std::string &text)
{
  size_t      i = 0;
  std::string digits;

  if (text.find ('+') != std::string::npos)
    return "";

  /* Skip leading punctuation, collect the first three digits. */
  for (i = 0; i < text.size () && digits.size () < 3; i++)
    {
      char c = text[i];

      if (g_ascii_isdigit (c))
        digits += c;
      else if (g_ascii_isalpha (c))
        return "";
    }

  if (digits.size () >= 3 && digits.compare (0, 3, "011") == 0)
    ; /* the whole of "011" is consumed */
  else if (digits.size () >= 2 && digits.compare (0, 2, "00") == 0)
    {
      /* Only two digits belong to the prefix: step back over the third. */
      if (digits.size () == 3)
        {
          do
            i--;
          while (i > 0 && !g_ascii_isdigit (text[i]));
        }
    }
  else
    return "";

  return "+" + text.substr (i);
}

static gboolean
parse_into (const PhoneNumberUtil *util,
            const std::string     &text,
            const std::string     &region,
            PhoneNumber           *number,
            NexusPhoneParseError  *out_error)
{
  PhoneNumberUtil::ErrorType error = util->Parse (text, region, number);

  *out_error = map_error (error);
  return error == PhoneNumberUtil::NO_PARSING_ERROR;
}

static void
fill_phone (NexusPhone *phone, const PhoneNumberUtil *util, const PhoneNumber &number)
{
  std::string e164;
  std::string region;

  util->Format (number, PhoneNumberUtil::E164, &e164);
  phone->e164 = g_strdup (e164.c_str ());
  phone->error = NEXUS_PHONE_PARSE_OK;
  if (number.has_extension () && !number.extension ().empty ())
    phone->extension = g_strdup (number.extension ().c_str ());
  /* IsValidNumber() is GetRegionCodeForNumber() + IsValidNumberForRegion();
   * the region lookup tries every region of a shared calling code (+1 has
   * 25), so it is done once here and kept. */
  util->GetRegionCodeForNumber (number, &region);
  phone->valid = util->IsValidNumberForRegion (number, region);
  phone->type = phone->valid ? map_type (util->GetNumberType (number)) : NEXUS_PHONE_TYPE_UNKNOWN;
  if (phone->valid && region.size () == 2 && region != "ZZ")
    memcpy (phone->region, region.c_str (), 3);
}

/**
 * nexus_phone_parse:
 * @text: one phone number as written (any digits, punctuation, "tel:", an
 *   extension)
 * @default_region: (nullable): ISO 3166-1 alpha-2 region for numbers written
 *   without a country code, e.g. the search's or the row's country; %NULL or
 *   anything unknown means "only numbers written with +CC parse"
 *
 * Reads one number.  Never fails: a text that is not a valid number comes
 * back with valid = %FALSE and its raw text, so the caller can keep it
 * flagged.
 *
 * Returns: (transfer full): the number; free with nexus_phone_free()
 */
NexusPhone *
nexus_phone_parse (const char *text, const char *default_region)
{
  NexusPhone      *phone = g_new0 (NexusPhone, 1);
  g_autofree char *valid_utf8 = g_utf8_make_valid (text != NULL ? text : "", -1);
  g_autofree char *ascii = NULL;

  phone->raw = g_strdup (g_strstrip (valid_utf8));
  phone->error = NEXUS_PHONE_PARSE_NOT_A_NUMBER;
  phone->type = NEXUS_PHONE_TYPE_UNKNOWN;

  if (strlen (phone->raw) > MAX_FIELD_LENGTH)
    return phone;

  ascii = nexus_phone_ascii_digits (phone->raw);

  try
    {
      const PhoneNumberUtil *util = get_util ();
      std::string            input (ascii);
      std::string            region = canonical_region (default_region);
      std::string            alternative;
      PhoneNumber            number;
      NexusPhoneParseError   error;

      if (parse_into (util, input, region, &number, &error))
        fill_phone (phone, util, number);
      else
        phone->error = error;

      if (phone->valid)
        return phone;

      /* "00 44 20 …" on a page of a country whose prefix is 011, or with no
       * default region at all. */
      alternative = idd_as_plus (input);
      if (!alternative.empty ())
        {
          PhoneNumber other;

          if (parse_into (util, alternative, "ZZ", &other, &error) && util->IsValidNumber (other))
            {
              g_clear_pointer (&phone->e164, g_free);
              g_clear_pointer (&phone->extension, g_free);
              fill_phone (phone, util, other);
            }
        }
    }
  catch (...)
    {
      g_clear_pointer (&phone->e164, g_free);
      g_clear_pointer (&phone->extension, g_free);
      phone->valid = FALSE;
      phone->type = NEXUS_PHONE_TYPE_UNKNOWN;
      phone->error = NEXUS_PHONE_PARSE_NOT_A_NUMBER;
      phone->region[0] = '\0';
    }

  return phone;
}

void
nexus_phone_free (NexusPhone *phone)
{
  if (phone == NULL)
    return;
  g_free (phone->raw);
  g_free (phone->e164);
  g_free (phone->extension);
  g_free (phone);
}

static void
phone_free_cb (gpointer phone)
{
  nexus_phone_free ((NexusPhone *)phone);
}

static gboolean
is_separator (gunichar c)
{
  return c == ';' || c == ',' || c == '/' || c == '|' || c == '\n' || c == '\r' ||
         c == 0x060C /* Arabic comma */ || c == 0x061B /* Arabic semicolon */;
}

static gboolean
is_digit (gunichar c)
{
  return (c >= '0' && c <= '9') || (c >= 0x0660 && c <= 0x0669) || (c >= 0x06F0 && c <= 0x06F9) ||
         (c >= 0xFF10 && c <= 0xFF19);
}

typedef struct
{
  /* Byte offsets of the part in the field. */
  gsize start;
  gsize end;
  /* ASCII digits in the part. */
  guint n_digits;
  /* The part is a tel: URI parameter ("ext=12", "phone-context=…"). */
  gboolean is_parameter;
} Part;

static gboolean
starts_with_parameter (const char *text, gsize length)
{
  static const char *const names[] = { "ext=", "isub=", "phone-context=", "postd=" };
  gsize                    skip = 0;

  while (skip < length && g_ascii_isspace (text[skip]))
    skip++;
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      gsize n = strlen (names[i]);
      if (length - skip >= n && g_ascii_strncasecmp (text + skip, names[i], n) == 0)
        return TRUE;
    }
  return FALSE;
}

static GArray *
split_parts (const char *field, gboolean glue)
{
  GArray     *parts = g_array_new (FALSE, TRUE, sizeof (Part));
  Part        current = { 0, 0, 0, FALSE };
  const char *p = field;

  while (TRUE)
    {
      gunichar c = g_utf8_get_char (p);
      gboolean boundary = (c == 0) || is_separator (c);

      /* ",," is a dialling pause before an extension, not a list. */
      if (c == ',' && (p[1] == ',' || (p > field && p[-1] == ',')))
        boundary = FALSE;

      if (boundary)
        {
          current.end = (gsize)(p - field);
          current.is_parameter =
              starts_with_parameter (field + current.start, current.end - current.start);
          if (current.n_digits > 0 || current.is_parameter)
            g_array_append_val (parts, current);
          if (c == 0)
            break;
          p = g_utf8_next_char (p);
          current.start = (gsize)(p - field);
          current.n_digits = 0;
          continue;
        }

      if (is_digit (c))
        current.n_digits++;
      p = g_utf8_next_char (p);
    }

  /* Glue parameters and short parts to a neighbour.  A short first part is
   * an area code and joins the next part; any other short part (an
   * extension) or a parameter joins the previous one. */
  for (guint i = 0; glue && i < parts->len && parts->len > 1;)
    {
      Part *part = &g_array_index (parts, Part, i);

      if (!part->is_parameter && part->n_digits >= MIN_DIGITS_PER_NUMBER)
        {
          i++;
          continue;
        }
      if (i == 0 && !part->is_parameter)
        {
          Part *next = &g_array_index (parts, Part, 1);
          next->start = part->start;
          next->n_digits += part->n_digits;
          g_array_remove_index (parts, 0);
        }
      else if (i > 0)
        {
          Part *previous = &g_array_index (parts, Part, i - 1);
          previous->end = part->end;
          previous->n_digits += part->n_digits;
          g_array_remove_index (parts, i);
          /* The merged part may itself now be long enough; re-check it. */
          i = i - 1;
        }
      else
        i++;
    }

  return parts;
}

/* Parses each part of @field into @out when there are at least two parts;
 * returns how many are valid. */
static guint
parse_parts (const char *field, const char *default_region, gboolean glue, GPtrArray *out)
{
  GArray *parts = split_parts (field, glue);
  guint   n_valid = 0;

  for (guint i = 0; parts->len >= 2 && i < parts->len; i++)
    {
      Part            *part = &g_array_index (parts, Part, i);
      g_autofree char *text = g_strndup (field + part->start, part->end - part->start);
      NexusPhone      *phone = nexus_phone_parse (text, default_region);

      n_valid += phone->valid;
      g_ptr_array_add (out, phone);
    }
  g_array_unref (parts);
  return n_valid;
}

/**
 * nexus_phone_parse_field:
 * @field: a text that may hold several numbers ("02 2390 1234 / 010 0123
 *   4567", "…; …", "…, …", "… or …", also with Arabic commas and "أو")
 * @default_region: (nullable): as for nexus_phone_parse()
 *
 * Reads every number of a field.  The field is split on ";", ",", "/", "|",
 * new lines and the Arabic comma and semicolon — but only into parts that
 * each hold a number of their own: "310/456-0488" is one number,
 * "(212) 123-1234 x508/x1234" one number with an extension, and a tel: URI
 * keeps its parameters.  When the parts do not read as at least two valid
 * numbers and the whole field is one valid number, the whole field wins.
 * When neither reading finds a valid number, every separator splits, so a
 * valid number beside a scrap ("212 319 1660 / 12345") is still found.
 * Numbers with the same E.164 are returned once; numbers that are not valid
 * are returned too (flagged), never dropped.
 *
 * Returns: (transfer full) (element-type NexusPhone): the numbers, in the
 *   order written; empty when the field holds no digits at all
 */
GPtrArray *
nexus_phone_parse_field (const char *field, const char *default_region)
{
  GPtrArray       *result = g_ptr_array_new_with_free_func (phone_free_cb);
  g_autofree char *valid_utf8 = g_utf8_make_valid (field != NULL ? field : "", -1);
  g_autoptr (GPtrArray) pieces = g_ptr_array_new_with_free_func (phone_free_cb);
  g_autoptr (NexusPhone) whole = NULL;
  g_autofree char *listed = NULL;
  guint            n_valid = 0;
  gboolean         has_digit = FALSE;

  g_strstrip (valid_utf8);
  for (const char *p = valid_utf8; *p != '\0'; p = g_utf8_next_char (p))
    if (is_digit (g_utf8_get_char (p)))
      {
        has_digit = TRUE;
        break;
      }
  if (!has_digit)
    {
      /* No digits: still kept, as text, when there is any. */
      if (*valid_utf8 != '\0')
        g_ptr_array_add (result, nexus_phone_parse (valid_utf8, default_region));
      return result;
    }

  /* "… or …" lists numbers too. */
  {
    static const char *const words[] = { " or ", " OR ", " Or ", " ou ", " او ", " أو " };
    g_autoptr (GString) text = g_string_new (valid_utf8);

    for (guint i = 0; i < G_N_ELEMENTS (words); i++)
      g_string_replace (text, words[i], " ; ", 0);
    listed = g_string_free (g_steal_pointer (&text), FALSE);
  }

  /* 1. Parts that each hold a number; two valid ones win. */
  n_valid = parse_parts (listed, default_region, TRUE, pieces);
  if (n_valid < 2)
    {
      /* 2. The whole field as one number. */
      whole = nexus_phone_parse (valid_utf8, default_region);
      if (whole->valid)
        {
          g_ptr_array_add (result, g_steal_pointer (&whole));
          return result;
        }
      /* 3. No valid number either way: every separator splits ("212 319
       * 1660 / 12345" is a number and a flagged scrap). */
      if (n_valid == 0)
        {
          g_ptr_array_set_size (pieces, 0);
          n_valid = parse_parts (listed, default_region, FALSE, pieces);
        }
      /* 4. Nothing valid at all: the field, kept raw and flagged. */
      if (n_valid == 0)
        {
          g_ptr_array_add (result, g_steal_pointer (&whole));
          return result;
        }
    }

  for (guint i = 0; i < pieces->len; i++)
    {
      NexusPhone *phone = (NexusPhone *)g_ptr_array_index (pieces, i);
      gboolean    duplicate = FALSE;

      for (guint j = 0; j < result->len && phone->e164 != NULL; j++)
        {
          NexusPhone *kept = (NexusPhone *)g_ptr_array_index (result, j);
          if (g_strcmp0 (kept->e164, phone->e164) == 0)
            duplicate = TRUE;
        }
      if (!duplicate)
        g_ptr_array_add (result, g_steal_pointer (&pieces->pdata[i]));
    }
  return result;
}

/**
 * nexus_phone_region_is_known:
 * @region: (nullable): an ISO 3166-1 alpha-2 code, any case
 *
 * Returns: %TRUE when libphonenumber has numbering metadata for @region
 */
gboolean
nexus_phone_region_is_known (const char *region)
{
  std::string canonical = canonical_region (region);

  if (canonical == "ZZ")
    return FALSE;
  try
    {
      return get_util ()->GetCountryCodeForRegion (canonical) != 0;
    }
  catch (...)
    {
      return FALSE;
    }
}

/**
 * nexus_phone_type_to_string:
 *
 * Returns: the name stored in lead_phones.type, e.g. "mobile", "fixed_line"
 */
const char *
nexus_phone_type_to_string (NexusPhoneType type)
{
  switch (type)
    {
      case NEXUS_PHONE_TYPE_FIXED_LINE:
        return "fixed_line";
      case NEXUS_PHONE_TYPE_MOBILE:
        return "mobile";
      case NEXUS_PHONE_TYPE_FIXED_LINE_OR_MOBILE:
        return "fixed_line_or_mobile";
      case NEXUS_PHONE_TYPE_TOLL_FREE:
        return "toll_free";
      case NEXUS_PHONE_TYPE_PREMIUM_RATE:
        return "premium_rate";
      case NEXUS_PHONE_TYPE_SHARED_COST:
        return "shared_cost";
      case NEXUS_PHONE_TYPE_VOIP:
        return "voip";
      case NEXUS_PHONE_TYPE_PERSONAL_NUMBER:
        return "personal_number";
      case NEXUS_PHONE_TYPE_PAGER:
        return "pager";
      case NEXUS_PHONE_TYPE_UAN:
        return "uan";
      case NEXUS_PHONE_TYPE_VOICEMAIL:
        return "voicemail";
      case NEXUS_PHONE_TYPE_UNKNOWN:
      default:
        return "unknown";
    }
}

/**
 * nexus_phone_parse_error_to_string:
 *
 * Returns: libphonenumber's name of the error, e.g. "NOT_A_NUMBER"
 */
const char *
nexus_phone_parse_error_to_string (NexusPhoneParseError error)
{
  switch (error)
    {
      case NEXUS_PHONE_PARSE_OK:
        return "NO_PARSING_ERROR";
      case NEXUS_PHONE_PARSE_INVALID_COUNTRY_CODE:
        return "INVALID_COUNTRY_CODE_ERROR";
      case NEXUS_PHONE_PARSE_TOO_SHORT_AFTER_IDD:
        return "TOO_SHORT_AFTER_IDD";
      case NEXUS_PHONE_PARSE_TOO_SHORT_NSN:
        return "TOO_SHORT_NSN";
      case NEXUS_PHONE_PARSE_TOO_LONG_NSN:
        return "TOO_LONG_NSN";
      case NEXUS_PHONE_PARSE_NOT_A_NUMBER:
      default:
        return "NOT_A_NUMBER";
    }
}
