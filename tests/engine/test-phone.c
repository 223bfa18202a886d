/* test-phone.c — phone numbers to E.164: libphonenumber's own vectors and
 * messy real-world numbers
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The vector files are in tests/data/phone/ (Apache-2.0, see the README
 * there).  Every row with an expected E.164 must agree (100 %), and every
 * row the library calls invalid must come back flagged.
 */

#include "config.h"

#include <locale.h>

#include "leads/nexus-csv.h"
#include "leads/nexus-phone.h"

/* Column name → index of a CSV header. */
static GHashTable *
read_header (NexusCsvReader *reader)
{
  g_autoptr (GError) error = NULL;
  GHashTable *columns = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  g_assert_true (nexus_csv_reader_next (reader, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < nexus_csv_reader_get_n_fields (reader); i++)
    g_hash_table_insert (columns, g_strdup (nexus_csv_reader_get_field (reader, i)),
                         GUINT_TO_POINTER (i + 1));
  return columns;
}

static const char *
field (NexusCsvReader *reader, GHashTable *columns, const char *name)
{
  guint       index = GPOINTER_TO_UINT (g_hash_table_lookup (columns, name));
  const char *value;

  g_assert_cmpuint (index, >, 0);
  value = nexus_csv_reader_get_field (reader, index - 1);
  return value != NULL ? value : "";
}

static NexusCsvReader *
open_vectors (const char *name)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path =
      g_build_filename (g_getenv ("NEXUS_SOURCE_DIR"), "tests", "data", "phone", name, NULL);
  NexusCsvReader *reader = nexus_csv_reader_new_for_path (path, &error);

  g_assert_no_error (error);
  return reader;
}

static void
test_parse_vectors (void)
{
  g_autoptr (NexusCsvReader) reader = open_vectors ("parse-vectors.csv");
  g_autoptr (GHashTable) columns = read_header (reader);
  g_autoptr (GError) error = NULL;
  guint n_rows = 0;
  guint n_expected = 0, n_expected_agree = 0;
  guint n_test_metadata = 0, n_test_metadata_real = 0;
  guint n_invalid = 0, n_invalid_flagged = 0;
  guint n_valid = 0, n_valid_ok = 0;
  guint n_extensions = 0, n_extensions_ok = 0;

  while (nexus_csv_reader_next (reader, &error))
    {
      const char *raw = field (reader, columns, "raw_input");
      const char *region = field (reader, columns, "default_region");
      const char *expected = field (reader, columns, "expected_e164");
      const char *agrees = field (reader, columns, "agrees_with_real_metadata");
      const char *real_e164 = field (reader, columns, "debian_8.12.57_e164");
      const char *real_valid = field (reader, columns, "debian_8.12.57_is_valid");
      const char *extension = field (reader, columns, "expected_extension");
      g_autoptr (NexusPhone) phone = nexus_phone_parse (raw, region);

      n_rows++;

      if (*expected != '\0' && g_strcmp0 (agrees, "1") == 0)
        {
          /* The test suite's expectation also holds with real metadata. */
          n_expected++;
          if (g_strcmp0 (phone->e164, expected) == 0)
            n_expected_agree++;
          else
            g_test_message ("disagrees: %s (%s) → %s, expected %s", raw, region,
                            phone->e164 != NULL ? phone->e164 : "(none)", expected);
        }
      else if (*expected != '\0')
        {
          /* Written against libphonenumber's test metadata (an old Mexican
           * mobile prefix, a made-up Argentine and Belarusian plan): with
           * real metadata the truth is the library's own answer. */
          n_test_metadata++;
          if (g_strcmp0 (phone->e164, real_e164) == 0)
            n_test_metadata_real++;
          else
            g_test_message ("test-metadata row: %s (%s) → %s, library %s", raw, region,
                            phone->e164 != NULL ? phone->e164 : "(none)", real_e164);
        }

      if (g_strcmp0 (real_valid, "1") != 0)
        {
          /* Not a valid number (a parse error, or a number no plan
           * allows): it must come back flagged, raw text kept. */
          g_autofree char *trimmed = g_strstrip (g_strdup (raw));

          n_invalid++;
          if (!phone->valid && g_strcmp0 (phone->raw, trimmed) == 0)
            n_invalid_flagged++;
          else
            g_test_message ("not flagged: %s (%s) → %s", raw, region, phone->e164);
        }
      else
        {
          /* A valid number: accepted, with the library's E.164. */
          n_valid++;
          if (phone->valid && g_strcmp0 (phone->e164, real_e164) == 0)
            n_valid_ok++;
          else
            g_test_message ("valid number refused: %s (%s)", raw, region);
        }

      if (*extension != '\0' && *expected != '\0')
        {
          n_extensions++;
          if (g_strcmp0 (phone->extension, extension) == 0)
            n_extensions_ok++;
          else
            g_test_message ("extension: %s → %s, expected %s", raw,
                            phone->extension != NULL ? phone->extension : "(none)", extension);
        }
    }
  g_assert_no_error (error);

  g_test_message ("parse-vectors.csv: %u rows", n_rows);
  g_test_message ("  expected_e164 (agrees_with_real_metadata=1): %u/%u agree", n_expected_agree,
                  n_expected);
  g_test_message ("  expected_e164 from test metadata only: %u/%u equal the library's real answer",
                  n_test_metadata_real, n_test_metadata);
  g_test_message ("  invalid rows (debian_8.12.57_is_valid=0) flagged: %u/%u", n_invalid_flagged,
                  n_invalid);
  g_test_message ("  valid rows (debian_8.12.57_is_valid=1) accepted as valid: %u/%u", n_valid_ok,
                  n_valid);
  g_test_message ("  extensions: %u/%u", n_extensions_ok, n_extensions);

  g_assert_cmpuint (n_rows, ==, 187);
  g_assert_cmpuint (n_expected, >, 0);
  g_assert_cmpuint (n_expected_agree, ==, n_expected);
  g_assert_cmpuint (n_test_metadata_real, ==, n_test_metadata);
  g_assert_cmpuint (n_invalid_flagged, ==, n_invalid);
  g_assert_cmpuint (n_valid_ok, ==, n_valid);
  g_assert_cmpuint (n_extensions_ok, ==, n_extensions);
}

static void
test_example_vectors (void)
{
  g_autoptr (NexusCsvReader) reader = open_vectors ("example-vectors-dev.csv");
  g_autoptr (GHashTable) columns = read_header (reader);
  g_autoptr (GError) error = NULL;
  guint n_rows = 0;
  guint n_expected = 0, n_agree = 0;
  guint n_invalid = 0, n_flagged = 0;
  guint n_arabic = 0, n_arabic_agree = 0;
  guint n_no_truth = 0, n_no_truth_same = 0;

  while (nexus_csv_reader_next (reader, &error))
    {
      const char *raw = field (reader, columns, "raw_input");
      const char *region = field (reader, columns, "default_region");
      const char *expected = field (reader, columns, "expected_e164");
      const char *variant = field (reader, columns, "variant");
      const char *library_valid = field (reader, columns, "library_valid");
      const char *library_e164 = field (reader, columns, "library_e164");
      g_autoptr (NexusPhone) phone = nexus_phone_parse (raw, region);

      n_rows++;
      if (*expected != '\0')
        {
          gboolean ok = phone->valid && g_strcmp0 (phone->e164, expected) == 0;

          n_expected++;
          n_agree += ok;
          if (strstr (variant, "arabic") != NULL)
            {
              n_arabic++;
              n_arabic_agree += ok;
            }
          if (!ok)
            g_test_message ("disagrees: %s (%s, %s) → %s%s, expected %s", raw, region, variant,
                            phone->e164 != NULL ? phone->e164 : "(none)",
                            phone->valid ? "" : " flagged", expected);
        }
      else
        {
          n_no_truth++;
          if (g_strcmp0 (phone->e164, library_e164) == 0 &&
              phone->valid == (g_strcmp0 (library_valid, "1") == 0))
            n_no_truth_same++;
        }

      if (g_strcmp0 (library_valid, "0") == 0)
        {
          n_invalid++;
          if (!phone->valid)
            n_flagged++;
          else
            g_test_message ("not flagged: %s (%s, %s) → %s", raw, region, variant, phone->e164);
        }
    }
  g_assert_no_error (error);

  g_test_message ("example-vectors-dev.csv: %u rows", n_rows);
  g_test_message ("  expected_e164: %u/%u agree (valid and equal)", n_agree, n_expected);
  g_test_message ("  of them Arabic-Indic/Persian digits: %u/%u", n_arabic_agree, n_arabic);
  g_test_message ("  invalid rows (library_valid=0) flagged: %u/%u", n_flagged, n_invalid);
  g_test_message ("  rows without truth, same verdict as the library: %u/%u", n_no_truth_same,
                  n_no_truth);

  g_assert_cmpuint (n_rows, ==, 728);
  g_assert_cmpuint (n_agree, ==, n_expected);
  g_assert_cmpuint (n_arabic, >, 0);
  g_assert_cmpuint (n_flagged, ==, n_invalid);
}

typedef struct
{
  const char *field;
  const char *region;
  /* Expected numbers, "+E164" valid, "!raw" flagged; NULL-terminated. */
  const char *numbers[4];
} FieldCase;

static void
test_messy_fields (void)
{
  static const FieldCase cases[] = {
    /* US forms of the restaurant benchmark */
    { "310/456-0488", "US", { "+13104560488" } },
    { "310-456-0488", "US", { "+13104560488" } },
    { "212/ 319-1660", "US", { "+12123191660" } },
    { "(310) 456-0488", "us", { "+13104560488" } },
    /* Arabic-Indic and Persian digits */
    { "٠١٠٠١٢٣٤٥٦٧", "EG", { "+201001234567" } },
    { "+٢٠ ١٠ ٠١٢٣ ٤٥٦٧", NULL, { "+201001234567" } },
    { "۰۵۰۱۲۳۴۵۶۷", "SA", { "+966501234567" } },
    /* tel: URIs and international prefixes */
    { "tel:+20-2-2390-1234", NULL, { "+20223901234" } },
    { "TEL:+971-4-232-1234", NULL, { "+97142321234" } },
    { "00 44 20 7946 0958", "US", { "+442079460958" } },
    { "011 44 20 7946 0958", "US", { "+442079460958" } },
    { "0044 20 7946 0958", NULL, { "+442079460958" } },
    { "00966501234567", "EG", { "+966501234567" } },
    /* several numbers in one field */
    { "0501234567, 0551234567", "SA", { "+966501234567", "+966551234567" } },
    { "02 2390 1234 / 010 0123 4567", "EG", { "+20223901234", "+201001234567" } },
    { "+33 1 42 60 12 34; +33 6 12 34 56 16", "FR", { "+33142601234", "+33612345616" } },
    { "٠٥٠١٢٣٤٥٦٧ ، ٠٥٥١٢٣٤٥٦٧", "SA", { "+966501234567", "+966551234567" } },
    { "0501234567 / 0501234567", "SA", { "+966501234567" } },
    { "415/775-7036 or 415-775-7037", "US", { "+14157757036", "+14157757037" } },
    { "0501234567 أو 0551234567", "SA", { "+966501234567", "+966551234567" } },
    /* extensions stay with their number */
    { "(212) 319-1660 x508/x1234", "US", { "+12123191660" } },
    { "+1 212 555 0100 ext. 12", "US", { "+12125550100" } },
    { "+442034000000,,123456789#", "GB", { "+442034000000" } },
    /* invalid numbers are kept and flagged, never dropped */
    { "12345", "US", { "!12345" } },
    { "call us", "US", { "!call us" } },
    { "0501234567, 123", "SA", { "+966501234567" } },
    { "", "US", { NULL } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GPtrArray) phones = nexus_phone_parse_field (cases[i].field, cases[i].region);
      guint n_expected = 0;

      while (n_expected < G_N_ELEMENTS (cases[i].numbers) && cases[i].numbers[n_expected] != NULL)
        n_expected++;
      if (phones->len != n_expected)
        g_error ("“%s”: %u numbers, expected %u", cases[i].field, phones->len, n_expected);

      for (guint j = 0; j < n_expected; j++)
        {
          NexusPhone *phone = g_ptr_array_index (phones, j);
          const char *want = cases[i].numbers[j];

          if (want[0] == '!')
            {
              g_assert_false (phone->valid);
              g_assert_cmpstr (phone->raw, ==, want + 1);
            }
          else
            {
              if (!phone->valid || g_strcmp0 (phone->e164, want) != 0)
                g_error ("“%s”: number %u is %s%s, expected %s", cases[i].field, j,
                         phone->e164 != NULL ? phone->e164 : "(none)",
                         phone->valid ? "" : " (flagged)", want);
            }
        }
    }
}

static void
test_types_and_extensions (void)
{
  g_autoptr (NexusPhone) mobile = nexus_phone_parse ("010 0123 4567", "EG");
  g_autoptr (NexusPhone) fixed = nexus_phone_parse ("02 2390 1234", "EG");
  g_autoptr (NexusPhone) toll_free = nexus_phone_parse ("1-800-234-5678", "US");
  g_autoptr (NexusPhone) extension = nexus_phone_parse ("+1 (645) 123 1234 ext. 910", "US");
  g_autoptr (NexusPhone) uri = nexus_phone_parse ("tel:+64-3-331-6005;ext=1234", NULL);
  g_autoptr (NexusPhone) garbage = nexus_phone_parse ("not a phone", "EG");

  g_assert_true (mobile->valid);
  g_assert_cmpstr (nexus_phone_type_to_string (mobile->type), ==, "mobile");
  g_assert_cmpstr (mobile->region, ==, "EG");
  g_assert_true (fixed->valid);
  g_assert_cmpstr (nexus_phone_type_to_string (fixed->type), ==, "fixed_line");
  g_assert_cmpstr (nexus_phone_type_to_string (toll_free->type), ==, "toll_free");
  g_assert_cmpstr (extension->e164, ==, "+16451231234");
  g_assert_cmpstr (extension->extension, ==, "910");
  g_assert_cmpstr (uri->e164, ==, "+6433316005");
  g_assert_cmpstr (uri->extension, ==, "1234");
  g_assert_false (garbage->valid);
  g_assert_null (garbage->e164);
  g_assert_cmpstr (garbage->raw, ==, "not a phone");
  g_assert_cmpint (garbage->error, ==, NEXUS_PHONE_PARSE_NOT_A_NUMBER);

  g_assert_true (nexus_phone_region_is_known ("eg"));
  g_assert_false (nexus_phone_region_is_known ("XX"));
  g_assert_false (nexus_phone_region_is_known (NULL));
}

static void
test_ascii_digits (void)
{
  g_autofree char *arabic = nexus_phone_ascii_digits ("٠١٢٣٤٥٦٧٨٩");
  g_autofree char *persian = nexus_phone_ascii_digits ("۰۱۲۳۴۵۶۷۸۹");
  g_autofree char *mixed = nexus_phone_ascii_digits ("هاتف: ٠١٠-123");

  g_assert_cmpstr (arabic, ==, "0123456789");
  g_assert_cmpstr (persian, ==, "0123456789");
  g_assert_cmpstr (mixed, ==, "هاتف: 010-123");
}

int
main (int argc, char *argv[])
{
  /* Messages with Arabic stay readable. */
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/nexus/Phone/parse-vectors", test_parse_vectors);
  g_test_add_func ("/nexus/Phone/example-vectors", test_example_vectors);
  g_test_add_func ("/nexus/Phone/messy-fields", test_messy_fields);
  g_test_add_func ("/nexus/Phone/types-and-extensions", test_types_and_extensions);
  g_test_add_func ("/nexus/Phone/ascii-digits", test_ascii_digits);

  return g_test_run ();
}
