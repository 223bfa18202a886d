/* nexus-format.c — numbers, dates and phones as the console shows them
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Numbers, dates and relative times are formatted by ICU for the interface
 * language (not the session's LC_NUMERIC/LC_TIME, which is often C or
 * English under an Arabic interface): Arabic gets Arabic-Indic digits, its
 * own separators, month names and the six plural forms of "3 hours ago".
 */
#include "config.h"

#include <math.h>

#include <glib/gi18n.h>
#include <string.h>

#include <unicode/udat.h>
#include <unicode/udatpg.h>
#include <unicode/unumberformatter.h>
#include <unicode/ustring.h>
#include <unicode/unum.h>
#include <unicode/ureldatefmt.h>

#include <json-glib/json-glib.h>

#include "leads/nexus-category.h"
#include "nexus-format.h"

/* ICU formatters must not be used by two threads at once; the console
 * formats on its GTK thread, the lock keeps any other caller safe. */
static GMutex format_lock;

static struct
{
  char                       *locale;
  UNumberFormat              *count;
  UNumberFormat              *decimal;
  UDateFormat                *date;
  UDateFormat                *date_time;
  UDateFormat                *time;
  UDateFormat                *day;
  URelativeDateTimeFormatter *relative;
} formatters;

/* Every formatted text here is far shorter. */
#define FORMAT_BUFFER 128

/**
 * nexus_format_locale:
 *
 * The locale numbers and dates follow: the interface language, i.e. the
 * first gettext language that is Arabic or English ("C" counts as
 * English).
 *
 * Returns: an ICU locale id, "ar" or "en"
 */
const char *
nexus_format_locale (void)
{
  const char *const *names = g_get_language_names ();

  for (guint i = 0; names[i] != NULL; i++)
    {
      if (g_str_has_prefix (names[i], "ar"))
        return "ar";
      if (g_str_has_prefix (names[i], "en") || g_str_equal (names[i], "C"))
        return "en";
    }
  return "en";
}

static void
formatters_clear (void)
{
  g_clear_pointer (&formatters.count, unum_close);
  g_clear_pointer (&formatters.decimal, unum_close);
  g_clear_pointer (&formatters.date, udat_close);
  g_clear_pointer (&formatters.date_time, udat_close);
  g_clear_pointer (&formatters.time, udat_close);
  g_clear_pointer (&formatters.day, udat_close);
  g_clear_pointer (&formatters.relative, ureldatefmt_close);
  g_clear_pointer (&formatters.locale, g_free);
}

/* With format_lock held.  Made again when the interface language changes
 * (the tests switch it).  A formatter ICU cannot make stays NULL and its
 * callers fall back to plain ASCII. */
static void
formatters_update (void)
{
  const char *locale = nexus_format_locale ();
  UErrorCode  status = U_ZERO_ERROR;

  if (g_strcmp0 (formatters.locale, locale) == 0)
    return;

  formatters_clear ();
  formatters.locale = g_strdup (locale);

  formatters.count = unum_open (UNUM_DECIMAL, NULL, 0, locale, NULL, &status);
  if (U_FAILURE (status))
    g_clear_pointer (&formatters.count, unum_close);

  status = U_ZERO_ERROR;
  formatters.decimal = unum_open (UNUM_DECIMAL, NULL, 0, locale, NULL, &status);
  if (U_FAILURE (status))
    g_clear_pointer (&formatters.decimal, unum_close);

  status = U_ZERO_ERROR;
  formatters.date = udat_open (UDAT_NONE, UDAT_MEDIUM, locale, NULL, -1, NULL, 0, &status);
  if (U_FAILURE (status))
    g_clear_pointer (&formatters.date, udat_close);

  status = U_ZERO_ERROR;
  formatters.date_time = udat_open (UDAT_SHORT, UDAT_MEDIUM, locale, NULL, -1, NULL, 0, &status);
  if (U_FAILURE (status))
    g_clear_pointer (&formatters.date_time, udat_close);

  status = U_ZERO_ERROR;
  formatters.time = udat_open (UDAT_SHORT, UDAT_NONE, locale, NULL, -1, NULL, 0, &status);
  if (U_FAILURE (status))
    g_clear_pointer (&formatters.time, udat_close);

  /* Month and day, in the order and digits of the locale ("11/26", "٢٦/١١"). */
  {
    UChar                      skeleton[8];
    UChar                      pattern[64];
    int32_t                    length;
    UDateTimePatternGenerator *generator;

    status = U_ZERO_ERROR;
    u_uastrcpy (skeleton, "Md");
    generator = udatpg_open (locale, &status);
    length =
        udatpg_getBestPattern (generator, skeleton, -1, pattern, G_N_ELEMENTS (pattern), &status);
    if (U_SUCCESS (status))
      formatters.day =
          udat_open (UDAT_PATTERN, UDAT_PATTERN, locale, NULL, -1, pattern, length, &status);
    if (U_FAILURE (status))
      g_clear_pointer (&formatters.day, udat_close);
    udatpg_close (generator);
  }

  status = U_ZERO_ERROR;
  formatters.relative = ureldatefmt_open (locale, NULL, UDAT_STYLE_LONG,
                                          UDISPCTX_CAPITALIZATION_FOR_STANDALONE, &status);
  if (U_FAILURE (status))
    g_clear_pointer (&formatters.relative, ureldatefmt_close);
}

static char *
to_utf8 (const UChar *text, int32_t length, UErrorCode status)
{
  if (U_FAILURE (status) || length < 0 || length > FORMAT_BUFFER)
    return NULL;
  return g_utf16_to_utf8 ((const gunichar2 *)text, length, NULL, NULL, NULL);
}

/**
 * nexus_format_count:
 * @value: a count
 *
 * Returns: @value with the digits and grouping of the interface language
 *   ("12,345"; "١٢٬٣٤٥" in Arabic)
 */
char *
nexus_format_count (gint64 value)
{
  UChar      buffer[FORMAT_BUFFER];
  UErrorCode status = U_ZERO_ERROR;
  int32_t    length = -1;
  char      *text;

  g_mutex_lock (&format_lock);
  formatters_update ();
  if (formatters.count != NULL)
    length = unum_formatInt64 (formatters.count, value, buffer, FORMAT_BUFFER, NULL, &status);
  text = to_utf8 (buffer, length, status);
  g_mutex_unlock (&format_lock);

  return text != NULL ? text : g_strdup_printf ("%" G_GINT64_FORMAT, value);
}

/**
 * nexus_format_decimal:
 * @value: a number
 * @fraction_digits: the digits after the decimal separator (0 to 9)
 *
 * Returns: @value rounded to @fraction_digits, in the digits and with the
 *   decimal separator of the interface language
 */
char *
nexus_format_decimal (double value, int fraction_digits)
{
  UChar      buffer[FORMAT_BUFFER];
  UErrorCode status = U_ZERO_ERROR;
  int32_t    length = -1;
  char      *text;

  fraction_digits = CLAMP (fraction_digits, 0, 9);

  g_mutex_lock (&format_lock);
  formatters_update ();
  if (formatters.decimal != NULL && isfinite (value))
    {
      unum_setAttribute (formatters.decimal, UNUM_MIN_FRACTION_DIGITS, fraction_digits);
      unum_setAttribute (formatters.decimal, UNUM_MAX_FRACTION_DIGITS, fraction_digits);
      length = unum_formatDouble (formatters.decimal, value, buffer, FORMAT_BUFFER, NULL, &status);
    }
  text = to_utf8 (buffer, length, status);
  g_mutex_unlock (&format_lock);

  return text != NULL ? text : g_strdup_printf ("%.*f", fraction_digits, value);
}

typedef enum
{
  TIME_DATE,
  TIME_DATE_TIME,
  TIME_OF_DAY,
  TIME_DAY,
} TimeFormat;

static char *
format_time (TimeFormat which, gint64 unix_seconds)
{
  static const char *const fallbacks[] = { "%Y-%m-%d", "%Y-%m-%d %H:%M", "%H:%M", "%m-%d" };
  UChar                    buffer[FORMAT_BUFFER];
  UErrorCode               status = U_ZERO_ERROR;
  int32_t                  length = -1;
  UDateFormat             *format;
  char                    *text;

  g_mutex_lock (&format_lock);
  formatters_update ();
  format = which == TIME_DATE        ? formatters.date
           : which == TIME_DATE_TIME ? formatters.date_time
           : which == TIME_OF_DAY    ? formatters.time
                                     : formatters.day;
  if (format != NULL)
    length =
        udat_format (format, (UDate)unix_seconds * 1000.0, buffer, FORMAT_BUFFER, NULL, &status);
  text = to_utf8 (buffer, length, status);
  g_mutex_unlock (&format_lock);

  if (text == NULL)
    {
      g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (unix_seconds);
      g_autoptr (GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;

      text = local != NULL ? g_date_time_format (local, fallbacks[which]) : g_strdup ("");
    }
  return text;
}

/**
 * nexus_format_date:
 * @unix_seconds: a time
 *
 * Returns: the local date of @unix_seconds in the interface language
 *   ("Nov 26, 2026"; "٢٦‏/١١‏/٢٠٢٦")
 */
char *
nexus_format_date (gint64 unix_seconds)
{
  return format_time (TIME_DATE, unix_seconds);
}

/**
 * nexus_format_date_time:
 * @unix_seconds: a time
 *
 * Returns: the local date and time of @unix_seconds, to the minute
 */
char *
nexus_format_date_time (gint64 unix_seconds)
{
  return format_time (TIME_DATE_TIME, unix_seconds);
}

/**
 * nexus_format_time:
 * @unix_seconds: a time
 *
 * Returns: the local time of day of @unix_seconds, to the minute
 */
char *
nexus_format_time (gint64 unix_seconds)
{
  return format_time (TIME_OF_DAY, unix_seconds);
}

/**
 * nexus_format_day:
 * @unix_seconds: a time
 *
 * Returns: the local month and day of @unix_seconds, short ("11/26",
 *   "٢٦/١١"), for chart axes
 */
char *
nexus_format_day (gint64 unix_seconds)
{
  return format_time (TIME_DAY, unix_seconds);
}

/**
 * nexus_format_relative_time:
 * @unix_seconds: a time
 * @now_unix_seconds: the present
 *
 * Returns: how far @unix_seconds is from now in the largest whole unit
 *   ("now", "3 minutes ago", "in 2 hours", "قبل ٣ ساعات"), or its date
 *   when it is more than a week away
 */
char *
nexus_format_relative_time (gint64 unix_seconds, gint64 now_unix_seconds)
{
  UChar                 buffer[FORMAT_BUFFER];
  UErrorCode            status = U_ZERO_ERROR;
  int32_t               length = -1;
  gint64                delta = unix_seconds - now_unix_seconds;
  gint64                magnitude = ABS (delta);
  double                amount;
  URelativeDateTimeUnit unit;
  char                 *text;

  if (magnitude >= 7 * 24 * 3600)
    return nexus_format_date (unix_seconds);

  if (magnitude < 60)
    amount = 0, unit = UDAT_REL_UNIT_SECOND;
  else if (magnitude < 3600)
    amount = (double)(delta / 60), unit = UDAT_REL_UNIT_MINUTE;
  else if (magnitude < 24 * 3600)
    amount = (double)(delta / 3600), unit = UDAT_REL_UNIT_HOUR;
  else
    amount = (double)(delta / 86400), unit = UDAT_REL_UNIT_DAY;

  g_mutex_lock (&format_lock);
  formatters_update ();
  if (formatters.relative != NULL)
    length = unit == UDAT_REL_UNIT_SECOND
                 ? ureldatefmt_format (formatters.relative, 0.0, UDAT_REL_UNIT_SECOND, buffer,
                                       FORMAT_BUFFER, &status)
                 : ureldatefmt_formatNumeric (formatters.relative, amount, unit, buffer,
                                              FORMAT_BUFFER, &status);
  text = to_utf8 (buffer, length, status);
  g_mutex_unlock (&format_lock);

  return text != NULL ? text : nexus_format_date_time (unix_seconds);
}

/**
 * nexus_format_category:
 * @category: (nullable): a category key ("car_rental")
 *
 * Returns: (nullable): the category's name in the interface language
 *   ("Car Rental", "محل إيجار سيارات"), or the key made readable ("car
 *   rental") for a category without a known name; %NULL for %NULL
 */
char *
nexus_format_category (const char *category)
{
  const char *name = nexus_category_display_name (category, nexus_format_locale ());

  if (category == NULL)
    return NULL;
  return name != NULL ? g_strdup (name) : g_strdelimit (g_strdup (category), "_", ' ');
}

static void
newline_indent (GString *out, int depth)
{
  g_string_append_c (out, '\n');
  for (int i = 0; i < depth; i++)
    g_string_append (out, "  ");
}

/**
 * nexus_format_json:
 * @text: (nullable): a JSON document as stored
 *
 * Lays @text out one member a line, indented, keeping every token exactly
 * as written: numbers are not read back as doubles (48.8683074 stays
 * 48.8683074) and strings keep their escapes.  Text that is not JSON is
 * given back as it is.
 *
 * Returns: the laid-out text
 */
char *
nexus_format_json (const char *text)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  GString *out;
  int      depth = 0;
  gboolean in_string = FALSE;

  if (text == NULL)
    return g_strdup ("");
  if (!json_parser_load_from_data (parser, text, -1, NULL))
    return g_strdup (text);

  out = g_string_sized_new (strlen (text) * 2);
  for (const char *p = text; *p != '\0'; p++)
    {
      char c = *p;

      if (in_string)
        {
          g_string_append_c (out, c);
          if (c == '\\' && p[1] != '\0')
            g_string_append_c (out, *++p);
          else if (c == '"')
            in_string = FALSE;
          continue;
        }

      switch (c)
        {
          case '"':
            in_string = TRUE;
            g_string_append_c (out, c);
            break;

          case '{':
          case '[':
            {
              const char *next = p + 1;

              while (g_ascii_isspace (*next))
                next++;
              g_string_append_c (out, c);
              if (*next == (c == '{' ? '}' : ']'))
                {
                  g_string_append_c (out, *next);
                  p = next;
                }
              else
                newline_indent (out, ++depth);
            }
            break;

          case '}':
          case ']':
            newline_indent (out, --depth);
            g_string_append_c (out, c);
            break;

          case ',':
            g_string_append_c (out, c);
            newline_indent (out, depth);
            break;

          case ':':
            g_string_append (out, ": ");
            break;

          default:
            if (!g_ascii_isspace (c))
              g_string_append_c (out, c);
        }
    }
  return g_string_free (out, FALSE);
}

/**
 * nexus_isolate_ltr:
 * @text: (nullable): text that reads left to right (a phone, a number)
 *
 * Returns: @text inside a left-to-right isolate, or %NULL for %NULL
 */
char *
nexus_isolate_ltr (const char *text)
{
  return text != NULL ? g_strconcat ("\u2066", text, "\u2069", NULL) : NULL;
}

/**
 * nexus_isolate_auto:
 * @text: (nullable): text of either direction (a path, a name)
 *
 * Returns: @text inside a first-strong isolate, or %NULL for %NULL
 */
char *
nexus_isolate_auto (const char *text)
{
  return text != NULL ? g_strconcat ("\u2068", text, "\u2069", NULL) : NULL;
}

/**
 * nexus_fold_digits:
 * @text: UTF-8 text
 *
 * Returns: @text with Arabic-Indic (U+0660–U+0669) and Eastern Arabic-Indic
 *   (U+06F0–U+06F9) digits replaced by ASCII digits
 */
char *
nexus_fold_digits (const char *text)
{
  GString *out;

  g_return_val_if_fail (text != NULL, NULL);

  out = g_string_sized_new (strlen (text));
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c >= 0x0660 && c <= 0x0669)
        g_string_append_c (out, (char)('0' + (c - 0x0660)));
      else if (c >= 0x06F0 && c <= 0x06F9)
        g_string_append_c (out, (char)('0' + (c - 0x06F0)));
      else
        g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

static void
fold_inserted_text_cb (GtkEditable *editable,
                       const char  *text,
                       int          length,
                       int         *position,
                       gpointer     user_data)
{
  g_autofree char *chunk = g_strndup (text, length < 0 ? strlen (text) : (gsize)length);
  g_autofree char *folded = nexus_fold_digits (chunk);

  if (g_str_equal (chunk, folded))
    return;

  g_signal_handlers_block_by_func (editable, fold_inserted_text_cb, user_data);
  gtk_editable_insert_text (editable, folded, -1, position);
  g_signal_handlers_unblock_by_func (editable, fold_inserted_text_cb, user_data);
  g_signal_stop_emission_by_name (editable, "insert-text");
}

/**
 * nexus_editable_fold_digits:
 * @editable: an entry
 *
 * Makes @editable turn Arabic-Indic digits into ASCII digits as they are
 * typed or pasted.
 */
void
nexus_editable_fold_digits (GtkEditable *editable)
{
  GtkEditable *delegate;

  g_return_if_fail (GTK_IS_EDITABLE (editable));

  /* GtkEntry, GtkSearchEntry and GtkSpinButton emit insert-text on their
   * inner GtkText. */
  delegate = gtk_editable_get_delegate (editable);
  if (delegate == NULL)
    delegate = editable;
  g_signal_connect (delegate, "insert-text", G_CALLBACK (fold_inserted_text_cb), NULL);
}

/**
 * nexus_format_duration:
 * @seconds: a length of time, not negative
 *
 * Returns: @seconds in its largest whole unit ("40 seconds", "5 minutes",
 *   "3 hours", "2 days"), for "in …" and "… left"
 */
char *
nexus_format_duration (gint64 seconds)
{
  static const char *const skeletons[] = {
    "measure-unit/duration-second unit-width-full-name",
    "measure-unit/duration-minute unit-width-full-name",
    "measure-unit/duration-hour unit-width-full-name",
    "measure-unit/duration-day unit-width-full-name",
  };
  UChar             skeleton[64];
  UChar             buffer[FORMAT_BUFFER];
  UErrorCode        status = U_ZERO_ERROR;
  UNumberFormatter *formatter;
  UFormattedNumber *result;
  int32_t           length = -1;
  guint             unit;
  gint64            amount;
  char             *text;

  seconds = MAX (seconds, 0);
  if (seconds < 60)
    unit = 0, amount = seconds;
  else if (seconds < 3600)
    unit = 1, amount = seconds / 60;
  else if (seconds < 48 * 3600)
    unit = 2, amount = seconds / 3600;
  else
    unit = 3, amount = seconds / 86400;

  u_uastrcpy (skeleton, skeletons[unit]);
  formatter = unumf_openForSkeletonAndLocale (skeleton, -1, nexus_format_locale (), &status);
  result = unumf_openResult (&status);
  unumf_formatInt (formatter, amount, result, &status);
  length = unumf_resultToString (result, buffer, FORMAT_BUFFER, &status);
  text = to_utf8 (buffer, length, status);
  unumf_closeResult (result);
  unumf_close (formatter);

  return text != NULL ? text : g_strdup_printf ("%" G_GINT64_FORMAT, amount);
}

/**
 * nexus_format_bbox:
 * @south: latitude of the lower edge, degrees
 * @west: longitude of the left edge, degrees
 * @north: latitude of the upper edge, degrees
 * @east: longitude of the right edge, degrees
 *
 * Returns: the box in a sentence of the interface language ("30.0000,
 *   31.2000 to 30.1000, 31.3000"), each coordinate pair left to right
 */
char *
nexus_format_bbox (double south, double west, double north, double east)
{
  g_autofree char *south_text = nexus_format_decimal (south, 4);
  g_autofree char *west_text = nexus_format_decimal (west, 4);
  g_autofree char *north_text = nexus_format_decimal (north, 4);
  g_autofree char *east_text = nexus_format_decimal (east, 4);
  g_autofree char *from = g_strdup_printf ("\u2066%s, %s\u2069", south_text, west_text);
  g_autofree char *to = g_strdup_printf ("\u2066%s, %s\u2069", north_text, east_text);

  /* Translators: a box on the map: its south-west corner, then its
   * north-east corner, each as "latitude, longitude" in degrees. */
  return g_strdup_printf (_ ("%s to %s"), from, to);
}

/**
 * nexus_lead_status_label:
 * @status: (nullable): new, contacted, qualified, won or lost
 *
 * Returns: (transfer none): the status as the operator reads it
 */
const char *
nexus_lead_status_label (const char *status)
{
  if (g_strcmp0 (status, "new") == 0)
    return C_ ("lead status", "New");
  if (g_strcmp0 (status, "contacted") == 0)
    return C_ ("lead status", "Contacted");
  if (g_strcmp0 (status, "qualified") == 0)
    return C_ ("lead status", "Qualified");
  if (g_strcmp0 (status, "won") == 0)
    return C_ ("lead status", "Won");
  if (g_strcmp0 (status, "lost") == 0)
    return C_ ("lead status", "Lost");
  return status != NULL ? status : "—";
}
