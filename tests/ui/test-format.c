/* test-format.c — numbers, dates, isolates and digit folding
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The interface language is switched with LANGUAGE, as the console's
 * language setting does; the formatters follow it without a restart.
 */
#include "config.h"

#include <string.h>

#include <gtk/gtk.h>

#include "nexus-format.h"

/* 2026-11-18 10:06:40 UTC */
#define SOME_TIME G_GINT64_CONSTANT (1795000000)

static void
set_language (const char *language)
{
  g_setenv ("LANGUAGE", language, TRUE);
}

static void
assert_formatted (char *text, const char *expected)
{
  g_assert_cmpstr (text, ==, expected);
  g_free (text);
}

static void
test_numbers_english (void)
{
  set_language ("en");
  g_assert_cmpstr (nexus_format_locale (), ==, "en");
  assert_formatted (nexus_format_count (0), "0");
  assert_formatted (nexus_format_count (999), "999");
  assert_formatted (nexus_format_count (1000), "1,000");
  assert_formatted (nexus_format_count (1234567), "1,234,567");
  assert_formatted (nexus_format_count (100000000), "100,000,000");
  assert_formatted (nexus_format_count (-42), "-42");
  assert_formatted (nexus_format_decimal (4.26, 1), "4.3");
  assert_formatted (nexus_format_decimal (4.0, 2), "4.00");
}

static void
test_numbers_arabic (void)
{
  set_language ("ar");
  g_assert_cmpstr (nexus_format_locale (), ==, "ar");
  /* Arabic-Indic digits, the Arabic thousands and decimal separators. */
  assert_formatted (nexus_format_count (1234567), "١٬٢٣٤٬٥٦٧");
  assert_formatted (nexus_format_decimal (4.26, 1), "٤٫٣");
  set_language ("en");
}

static void
test_dates (void)
{
  g_autofree char *en = NULL;
  g_autofree char *ar = NULL;

  set_language ("en");
  en = nexus_format_date (SOME_TIME);
  g_assert_nonnull (strstr (en, "2026"));
  g_assert_nonnull (strstr (en, "Nov"));

  set_language ("ar");
  ar = nexus_format_date (SOME_TIME);
  g_assert_nonnull (strstr (ar, "٢٠٢٦"));
  g_assert_null (strstr (ar, "2026"));
  set_language ("en");
}

static void
test_relative_times (void)
{
  set_language ("en");
  assert_formatted (nexus_format_relative_time (SOME_TIME, SOME_TIME), "now");
  assert_formatted (nexus_format_relative_time (SOME_TIME - 30, SOME_TIME), "now");
  assert_formatted (nexus_format_relative_time (SOME_TIME - 180, SOME_TIME), "3 minutes ago");
  assert_formatted (nexus_format_relative_time (SOME_TIME - 3600, SOME_TIME), "1 hour ago");
  assert_formatted (nexus_format_relative_time (SOME_TIME + 7200, SOME_TIME), "in 2 hours");
  assert_formatted (nexus_format_relative_time (SOME_TIME - 2 * 86400, SOME_TIME), "2 days ago");

  /* Arabic plural categories: few (3–10), two, many (11–99). */
  set_language ("ar");
  assert_formatted (nexus_format_relative_time (SOME_TIME, SOME_TIME), "الآن");
  assert_formatted (nexus_format_relative_time (SOME_TIME - 3 * 3600, SOME_TIME), "قبل ٣ ساعات");
  assert_formatted (nexus_format_relative_time (SOME_TIME - 2 * 86400, SOME_TIME), "قبل يومين");
  assert_formatted (nexus_format_relative_time (SOME_TIME - 11 * 60, SOME_TIME), "قبل ١١ دقيقة");
  set_language ("en");

  /* More than a week away: the date. */
  {
    g_autofree char *far = nexus_format_relative_time (SOME_TIME - 30 * 86400, SOME_TIME);
    g_autofree char *date = nexus_format_date (SOME_TIME - 30 * 86400);

    g_assert_cmpstr (far, ==, date);
  }
}

static void
test_durations (void)
{
  set_language ("en");
  assert_formatted (nexus_format_duration (40), "40 seconds");
  assert_formatted (nexus_format_duration (60), "1 minute");
  assert_formatted (nexus_format_duration (3 * 3600 + 59), "3 hours");
  assert_formatted (nexus_format_duration (3 * 86400), "3 days");
  assert_formatted (nexus_format_duration (-5), "0 seconds");

  set_language ("ar");
  assert_formatted (nexus_format_duration (3 * 3600), "٣ ساعات");
  assert_formatted (nexus_format_duration (11 * 60), "١١ دقيقة");
  set_language ("en");
}

static void
test_categories (void)
{
  set_language ("en");
  assert_formatted (nexus_format_category ("restaurant"), "Restaurant");
  assert_formatted (nexus_format_category ("car_rental"), "Car Rental");
  /* A category an operator made up: its key, readable. */
  assert_formatted (nexus_format_category ("rooftop_bar"), "rooftop bar");
  g_assert_null (nexus_format_category (NULL));

  set_language ("ar");
  assert_formatted (nexus_format_category ("restaurant"), "مطعم");
  assert_formatted (nexus_format_category ("cafe"), "مقهى");
  assert_formatted (nexus_format_category ("rooftop_bar"), "rooftop bar");
  set_language ("en");
}

static void
test_json (void)
{
  /* Tokens as written: no float noise, escapes kept. */
  assert_formatted (nexus_format_json ("{\"lat\":48.8683074,\"name\":\"a \\\"b\\\" {c}\","
                                       "\"tags\":[1, 2],\"empty\":{ }}"),
                    "{\n  \"lat\": 48.8683074,\n  \"name\": \"a \\\"b\\\" {c}\",\n"
                    "  \"tags\": [\n    1,\n    2\n  ],\n  \"empty\": {}\n}");
  /* Not JSON: as it is. */
  assert_formatted (nexus_format_json ("node/123 <raw>"), "node/123 <raw>");
  assert_formatted (nexus_format_json (NULL), "");
}

static void
test_isolates (void)
{
  assert_formatted (nexus_isolate_ltr ("+966 11 234 5678"), "\u2066+966 11 234 5678\u2069");
  assert_formatted (nexus_isolate_auto ("/home/مستخدم"), "\u2068/home/مستخدم\u2069");
  g_assert_null (nexus_isolate_ltr (NULL));
}

static void
test_fold_digits (void)
{
  assert_formatted (nexus_fold_digits ("٠١٢٣٤٥٦٧٨٩"), "0123456789");
  assert_formatted (nexus_fold_digits ("۰۱۲۳۴۵۶۷۸۹"), "0123456789");
  assert_formatted (nexus_fold_digits ("مطعم ١٢ Café 7"), "مطعم 12 Café 7");
  assert_formatted (nexus_fold_digits (""), "");
}

/* Typed or pasted Arabic-Indic digits land in the entry as ASCII digits,
 * at the cursor, and other text is left alone. */
static void
test_editable_folds_input (void)
{
  GtkWidget *entry = gtk_entry_new ();
  int        position = 0;

  g_object_ref_sink (entry);
  nexus_editable_fold_digits (GTK_EDITABLE (entry));

  gtk_editable_insert_text (GTK_EDITABLE (entry), "٥٠", -1, &position);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "50");
  g_assert_cmpint (position, ==, 2);

  gtk_editable_insert_text (GTK_EDITABLE (entry), " كم", -1, &position);
  gtk_editable_insert_text (GTK_EDITABLE (entry), "۳", -1, &position);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "50 كم3");

  position = 0;
  gtk_editable_insert_text (GTK_EDITABLE (entry), "١", -1, &position);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "150 كم3");

  g_object_unref (entry);
}

int
main (int argc, char **argv)
{
  g_setenv ("TZ", "UTC", TRUE);
  gtk_test_init (&argc, &argv, NULL);

  g_test_add_func ("/format/numbers/english", test_numbers_english);
  g_test_add_func ("/format/numbers/arabic", test_numbers_arabic);
  g_test_add_func ("/format/dates", test_dates);
  g_test_add_func ("/format/relative-times", test_relative_times);
  g_test_add_func ("/format/durations", test_durations);
  g_test_add_func ("/format/categories", test_categories);
  g_test_add_func ("/format/json", test_json);
  g_test_add_func ("/format/isolates", test_isolates);
  g_test_add_func ("/format/fold-digits", test_fold_digits);
  g_test_add_func ("/format/editable-folds-input", test_editable_folds_input);

  return g_test_run ();
}
