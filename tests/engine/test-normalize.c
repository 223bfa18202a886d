/* test-normalize.c — normalized forms, name similarity, the LEAD record and
 * the CSV reader
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Arabic names come from tests/data/names/ (extracts of the
 * name-suggestion-index, BSD-3-Clause, and of Natural Earth, public domain;
 * see the README there).
 */

#include "config.h"

#include <locale.h>

#include <math.h>

#include "leads/nexus-csv.h"
#include "leads/nexus-lead.h"
#include "leads/nexus-normalize.h"
#include "leads/nexus-similarity.h"

typedef struct
{
  const char *input;
  const char *expected;
} Case;

static void
check_cases (char *(*func) (const char *), const Case *cases, guint n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *result = func (cases[i].input);
      g_autofree char *again = result != NULL ? func (result) : NULL;

      if (g_strcmp0 (result, cases[i].expected) != 0)
        g_error ("“%s” → “%s”, expected “%s”", cases[i].input, result ? result : "(null)",
                 cases[i].expected ? cases[i].expected : "(null)");
      /* Idempotent: a stored key normalizes to itself. */
      if (result != NULL && g_strcmp0 (again, result) != 0)
        g_error ("not idempotent: “%s” → “%s” → “%s”", cases[i].input, result, again);
    }
}

static void
test_text (void)
{
  static const Case cases[] = {
    { "Café  Riche", "cafe riche" },
    { "ＡＢＣ Ｍａｒｋｅｔ", "abc market" },
    { "ﬁsh & chips", "fish chips" },
    { "STRASSE", "strasse" },
    { "Straße", "strasse" },
    { "Art's Deli!", "arts deli" },
    { "bel-air hotel", "bel air hotel" },
    { "  ", "" },
    /* Arabic: presentation forms, tashkeel, tatweel, letter forms, digits */
    { "ﻣﻄﻌﻢ", "مطعم" },
    { "مَطْعَمُ الْيَاسَمِين", "مطعم الياسمين" },
    { "مطـــعم", "مطعم" },
    { "أحمد إبراهيم آمال ٱلنور", "احمد ابراهيم امال النور" },
    { "مستشفى", "مستشفي" },
    { "صيدلية", "صيدليه" },
    { "مؤسسة", "موسسه" },
    { "هيئة", "هييه" },
    { "شارع ١٢", "شارع 12" },
    { "۱۲ کوچه", "12 كوچه" },
    { "مخبز Bread & Co", "مخبز bread co" },
  };

  check_cases (nexus_normalize_text, cases, G_N_ELEMENTS (cases));
  g_assert_null (nexus_normalize_text (NULL));
}

static void
test_names (void)
{
  static const Case cases[] = {
    { "Acme Trading LLC", "acme trading" },
    { "ACME, Inc.", "acme" },
    { "Nile View Hotel Co. Ltd.", "nile view hotel" },
    { "Gulf Printing L.L.C.", "gulf printing" },
    { "Bread & Co", "bread" },
    { "Emirates Tech FZ-LLC", "emirates tech" },
    { "Zamalek Dental Clinic S.A.E.", "zamalek dental clinic s a e" },
    { "شركة الأمل للتجارة ذ.م.م", "الامل للتجاره" },
    { "مؤسسة النور", "النور" },
    { "مطبعة الخليج ش.م.م", "مطبعه الخليج" },
    { "شركة الاتصالات السعودية", "الاتصالات السعوديه" },
    { "الشركة الوطنية المحدودة", "الشركه الوطنيه" },
    /* never down to nothing */
    { "LLC", "llc" },
    { "Co", "co" },
    { "شركة", "شركه" },
  };

  check_cases (nexus_normalize_name, cases, G_N_ELEMENTS (cases));
}

static void
test_addresses (void)
{
  static const char *const same[][2] = {
    { "12224 Ventura Boulevard", "12224 ventura blvd." },
    { "570 Fourth Street", "570 4th st." },
    { "1110 3rd Ave.", "1110 Third Avenue" },
    { "3570 las vegas blvd. s", "3570 Las Vegas Blvd. South" },
    { "129 N. La Cienega Blvd.", "129 North La Cienega Boulevard" },
    { "ش التحرير ١٢", "شارع التحرير 12" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (same); i++)
    {
      g_autofree char *a = nexus_normalize_address (same[i][0]);
      g_autofree char *b = nexus_normalize_address (same[i][1]);

      g_assert_cmpstr (a, ==, b);
    }
  g_assert_null (nexus_normalize_address ("  --  "));
  g_assert_null (nexus_normalize_address (NULL));

  {
    g_autofree char *a = nexus_normalize_city ("New York City");
    g_autofree char *b = nexus_normalize_city ("new york");
    g_autofree char *c = nexus_normalize_city ("City");

    g_assert_cmpstr (a, ==, b);
    g_assert_cmpstr (c, ==, "city");
  }
}

static void
test_websites (void)
{
  static const Case cases[] = {
    { "https://www.Example.com/menu?x=1", "example.com" },
    { "Example.com.", "example.com" },
    { "www.example.com", "example.com" },
    { "http://shop.example.co.uk:8080/", "shop.example.co.uk" },
    { "HTTP://WWW.KOSHARY-TAHRIR.EXAMPLE", "koshary-tahrir.example" },
    { "www.مثال.مصر", "xn--mgbh0fb.xn--wgbh1c" },
    { "https://www.com", "www.com" },
    { "not a url", NULL },
    { "http://192.168.1.1/", NULL },
    { "localhost", NULL },
    { "", NULL },
  };

  check_cases (nexus_normalize_website_host, cases, G_N_ELEMENTS (cases));
}

static void
test_emails (void)
{
  static const Case cases[] = {
    { "Info@Example.COM", "info@example.com" },
    { " mailto:sales@shop.example?subject=hi ", "sales@shop.example" },
    { "first.last+tag@sub.example.org", "first.last+tag@sub.example.org" },
    { "info@مثال.مصر", "info@xn--mgbh0fb.xn--wgbh1c" },
    { "foo", NULL },
    { "a@b", NULL },
    { "a@@b.com", NULL },
    { "a@b@c.com", NULL },
    { ".a@b.com", NULL },
    { "a.@b.com", NULL },
    { "a..b@c.com", NULL },
    { "a b@c.com", NULL },
    { "a@-b.com", NULL },
    { "a@b..com", NULL },
    { "@example.com", NULL },
  };

  check_cases (nexus_normalize_email, cases, G_N_ELEMENTS (cases));
}

static void
test_country (void)
{
  g_autofree char *eg = nexus_normalize_country (" eg ");
  g_autofree char *bad = nexus_normalize_country ("Egypt");

  g_assert_cmpstr (eg, ==, "EG");
  g_assert_null (bad);
}

static void
test_jaro_winkler (void)
{
  /* Winkler's published examples. */
  g_assert_cmpfloat_with_epsilon (nexus_jaro_winkler ("martha", "marhta"), 0.9611, 0.0005);
  g_assert_cmpfloat_with_epsilon (nexus_jaro_winkler ("dwayne", "duane"), 0.84, 0.0005);
  g_assert_cmpfloat_with_epsilon (nexus_jaro_winkler ("dixon", "dicksonx"), 0.8133, 0.0005);
  g_assert_cmpfloat (nexus_jaro_winkler ("abc", "abc"), ==, 1.0);
  g_assert_cmpfloat (nexus_jaro_winkler ("abc", "xyz"), ==, 0.0);
  /* Characters, not bytes. */
  g_assert_cmpfloat (nexus_jaro_winkler ("مطعم", "مطعم"), ==, 1.0);
  g_assert_cmpfloat (nexus_jaro_winkler ("مطعم", "مطبخ"), <, 0.9);
}

static double
name_score (const char *a, const char *b)
{
  g_autofree char *na = nexus_normalize_name (a);
  g_autofree char *nb = nexus_normalize_name (b);
  double           ab = nexus_name_similarity (na, nb);

  /* Symmetric. */
  g_assert_cmpfloat_with_epsilon (ab, nexus_name_similarity (nb, na), 1e-9);
  return ab;
}

static void
test_name_similarity (void)
{
  /* The same business, as different sources write it. */
  static const char *const same[][2] = {
    { "art's delicatessen", "art's deli" },
    { "hotel bel-air", "bel-air hotel" },
    { "four seasons grill room", "four seasons" },
    { "philippe's the original", "philippe the original" },
    { "pano's and paul's", "pano's & paul's" },
    { "Coyote Cafe", "coyote cafe (las vegas)" },
    { "Ciboulette", "Ciboulette Restaurant" },
    { "Koshary El Tahrir", "Koshary Tahrir" },
    { "Le Petit Bistrot", "Petit Bistrot" },
    { "مطعم الياسمين", "مطعم ياسمين" },
    { "صيدلية النور", "صيدليه النور" },
    { "Najd Coffee Roasters LLC", "NAJD COFFEE ROASTERS" },
  };
  /* Different businesses that look alike at first sight. */
  static const char *const different[][2] = {
    { "cafe roma", "cafe bizou" },      { "Starbucks", "Star Kebab" },
    { "مطعم الياسمين", "مطعم النخيل" }, { "صيدلية النور", "صيدلية الدواء" },
    { "Pizza 21", "Pizza 12" },         { "Le Petit Bistrot", "Le Grand Bistrot" },
    { "Branch 2", "Branch 3" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (same); i++)
    if (name_score (same[i][0], same[i][1]) < NEXUS_MATCH_NAME_THRESHOLD)
      g_error ("“%s” / “%s”: %.3f, below the threshold", same[i][0], same[i][1],
               name_score (same[i][0], same[i][1]));
  for (guint i = 0; i < G_N_ELEMENTS (different); i++)
    if (name_score (different[i][0], different[i][1]) >= NEXUS_MATCH_NAME_THRESHOLD)
      g_error ("“%s” / “%s”: %.3f, above the threshold", different[i][0], different[i][1],
               name_score (different[i][0], different[i][1]));

  /* A shared switchboard: the names have nothing in common. */
  g_assert_cmpfloat (name_score ("palace court", "cafe roma"), <, NEXUS_MATCH_PHONE_NAME_MIN);
  g_assert_cmpfloat (name_score ("binion's coffee shop", "steakhouse  the"), <,
                     NEXUS_MATCH_PHONE_NAME_MIN);
  /* …but a shortened name on the same number is not one. */
  g_assert_cmpfloat (name_score ("grill on the alley", "grill  the"), >=,
                     NEXUS_MATCH_PHONE_NAME_MIN);
  g_assert_cmpfloat (name_score ("restaurant katsu", "katsu"), >=, NEXUS_MATCH_PHONE_NAME_MIN);

  g_assert_cmpfloat (nexus_name_similarity ("", "x"), ==, 0.0);
  g_assert_cmpfloat (nexus_name_similarity (NULL, "x"), ==, 0.0);
}

static void
test_scripts_and_distance (void)
{
  g_assert_cmpint (nexus_text_script ("ستاربكس"), ==, NEXUS_SCRIPT_ARABIC);
  g_assert_cmpint (nexus_text_script ("starbucks 2"), ==, NEXUS_SCRIPT_LATIN);
  g_assert_cmpint (nexus_text_script ("مخبز bread"), ==, NEXUS_SCRIPT_MIXED);
  g_assert_cmpint (nexus_text_script ("123"), ==, NEXUS_SCRIPT_NONE);
  g_assert_false (nexus_scripts_comparable ("ستاربكس", "starbucks"));
  g_assert_true (nexus_scripts_comparable ("مخبز bread", "bread"));

  /* One degree of latitude ≈ 111.2 km; 150 m apart in Cairo. */
  g_assert_cmpfloat_with_epsilon (nexus_geo_distance_m (0, 0, 1, 0), 111195, 50);
  g_assert_cmpfloat_with_epsilon (nexus_geo_distance_m (30.0444, 31.2357, 30.045749, 31.2357), 150,
                                  1);
}

static GPtrArray *
read_csv_rows (const char *name, guint n_columns)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path =
      g_build_filename (g_getenv ("NEXUS_SOURCE_DIR"), "tests", "data", "names", name, NULL);
  g_autoptr (NexusCsvReader) reader = nexus_csv_reader_new_for_path (path, &error);
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify)g_strfreev);

  g_assert_no_error (error);
  g_assert_true (nexus_csv_reader_next (reader, &error)); /* header */
  while (nexus_csv_reader_next (reader, &error))
    {
      char **row = g_new0 (char *, n_columns + 1);

      g_assert_cmpuint (nexus_csv_reader_get_n_fields (reader), ==, n_columns);
      for (guint i = 0; i < n_columns; i++)
        row[i] = g_strdup (nexus_csv_reader_get_field (reader, i));
      g_ptr_array_add (rows, row);
    }
  g_assert_no_error (error);
  return rows;
}

/* Writes @name as sources do: with tashkeel, tatweel, other alef/ya/ta
 * marbuta forms and presentation-form spacing. */
static char *
arabic_variant (const char *name)
{
  GString *out = g_string_new (NULL);
  guint    letter = 0;

  for (const char *p = name; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      gboolean word_start = p == name || p[-1] == ' ';
      gboolean word_end = p[g_utf8_next_char (p) - p] == '\0' || *g_utf8_next_char (p) == ' ';

      if (c == 0x0627 && word_start)
        c = 0x0623; /* ا → أ */
      else if (c == 0x064A && word_end)
        c = 0x0649; /* ي → ى */
      else if (c == 0x0647 && word_end)
        c = 0x0629; /* ه → ة */
      g_string_append_unichar (out, c);
      if (g_unichar_get_script (c) == G_UNICODE_SCRIPT_ARABIC && g_unichar_isalpha (c))
        {
          letter++;
          if (letter % 2 == 0)
            g_string_append_unichar (out, 0x064E); /* fatha */
          if (letter % 5 == 0 && !word_end)
            g_string_append_unichar (out, 0x0640); /* tatweel */
        }
    }
  return g_string_free (out, FALSE);
}

static void
test_arabic_brand_names (void)
{
  g_autoptr (GPtrArray) rows = read_csv_rows ("nsi-arabic-latin-extract.csv", 4);
  guint n_pairs = 0;
  guint n_confused = 0;

  g_assert_cmpuint (rows->len, >=, 100);

  for (guint i = 0; i < rows->len; i++)
    {
      char           **row = g_ptr_array_index (rows, i);
      g_autofree char *norm = nexus_normalize_name (row[2]);
      g_autofree char *variant = arabic_variant (row[2]);
      g_autofree char *variant_norm = nexus_normalize_name (variant);
      g_autofree char *latin_norm = nexus_normalize_name (row[3]);

      g_assert_true (norm != NULL && *norm != '\0');
      /* The variant spelling is the same key, hence the same lead. */
      if (g_strcmp0 (norm, variant_norm) != 0)
        g_error ("“%s” and its variant “%s” normalize to “%s” and “%s”", row[2], variant, norm,
                 variant_norm);
      g_assert_cmpfloat (nexus_name_similarity (norm, variant_norm), ==, 1.0);
      /* Arabic and Latin names are not compared by their letters. */
      if (nexus_text_script (latin_norm) == NEXUS_SCRIPT_LATIN &&
          nexus_text_script (norm) == NEXUS_SCRIPT_ARABIC)
        g_assert_false (nexus_scripts_comparable (norm, latin_norm));
    }

  /* Different brands must not look like one: count pairs above the
   * threshold among brands whose Latin names share no word. */
  for (guint i = 0; i < rows->len; i++)
    for (guint j = i + 1; j < rows->len; j++)
      {
        char           **a = g_ptr_array_index (rows, i);
        char           **b = g_ptr_array_index (rows, j);
        g_autofree char *na = nexus_normalize_name (a[2]);
        g_autofree char *nb = nexus_normalize_name (b[2]);
        g_autofree char *la = nexus_normalize_name (a[3]);
        g_autofree char *lb = nexus_normalize_name (b[3]);

        if (nexus_name_similarity (la, lb) > 0)
          continue; /* related brands ("Petromin", "Petromin Express") */
        n_pairs++;
        if (nexus_name_similarity (na, nb) >= NEXUS_MATCH_NAME_THRESHOLD)
          {
            n_confused++;
            g_test_message ("confused: %s / %s", a[2], b[2]);
          }
      }
  g_test_message ("%u brand pairs, %u above the threshold", n_pairs, n_confused);
  g_assert_cmpuint (n_pairs, >, 4000);
  g_assert_cmpuint (n_confused, ==, 0);
}

static void
test_arabic_country_names (void)
{
  g_autoptr (GPtrArray) rows = read_csv_rows ("naturalearth-country-names-extract.csv", 3);

  g_assert_cmpuint (rows->len, >=, 20);
  for (guint i = 0; i < rows->len; i++)
    {
      char           **row = g_ptr_array_index (rows, i);
      g_autofree char *norm = nexus_normalize_text (row[2]);
      g_autofree char *variant = arabic_variant (row[2]);
      g_autofree char *variant_norm = nexus_normalize_text (variant);

      g_assert_cmpint (nexus_text_script (norm), ==, NEXUS_SCRIPT_ARABIC);
      g_assert_cmpstr (norm, ==, variant_norm);
      /* No hamza, ta marbuta or alef maksura survives. */
      g_assert_null (g_utf8_strchr (norm, -1, 0x0629));
      g_assert_null (g_utf8_strchr (norm, -1, 0x0623));
      g_assert_null (g_utf8_strchr (norm, -1, 0x0625));
      g_assert_null (g_utf8_strchr (norm, -1, 0x0649));
    }
}

static NexusLeadInput *
lead_from_json (const char *text, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();

  g_assert_true (json_parser_load_from_data (parser, text, -1, NULL));
  return nexus_lead_input_from_json (json_node_get_object (json_parser_get_root (parser)), error);
}

static void
test_lead_from_json (void)
{
  static const struct
  {
    const char *json;
    const char *reason;
  } rejected[] = {
    { "{\"ref\":\"1\",\"name\":\"x\"}", "missing provider" },
    { "{\"provider\":\"osm\",\"name\":\"x\"}", "missing ref" },
    { "{\"provider\":\"osm\",\"ref\":\"1\"}", "missing name" },
    { "{\"provider\":\"osm\",\"ref\":\"1\",\"name\":\"  \"}", "missing name" },
    { "{\"provider\":\"osm\",\"ref\":1,\"name\":\"x\"}", "ref: not a string" },
    { "{\"provider\":\"osm\",\"ref\":\"1\",\"name\":\"x\",\"lat\":\"30\",\"lon\":31}",
      "lat: not a number" },
    { "{\"provider\":\"osm\",\"ref\":\"1\",\"name\":\"x\",\"lat\":91,\"lon\":31}",
      "coordinates out of range" },
    { "{\"provider\":\"osm\",\"ref\":\"1\",\"name\":\"x\",\"lat\":30,\"lon\":-181}",
      "coordinates out of range" },
    { "{\"provider\":\"osm\",\"ref\":\"1\",\"name\":\"x\",\"lat\":30}", "lat without lon" },
    { "{\"provider\":\"osm\",\"ref\":\"1\",\"name\":\"x\",\"phones\":\"0100\"}",
      "phones: not a list of strings" },
    { "{\"provider\":\"osm\",\"ref\":\"1\",\"name\":\"x\",\"phones\":[1]}",
      "phones: not a list of strings" },
    { "{\"provider\":\"osm\",\"ref\":\"1\",\"name\":\"x\",\"tags\":[]}", "tags: not an object" },
    { "{\"provider\":\"osm\",\"ref\":\"1\",\"name\":\"x\",\"reviews\":-3}",
      "reviews: not a count" },
    { "{\"provider\":\"osm\",\"ref\":\"1\",\"name\":\"x\",\"rating\":1e9}", "rating out of range" },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusLeadInput) input = NULL;
  g_autoptr (NexusLeadInput) zero = NULL;
  g_autofree char *long_name = g_strnfill (NEXUS_LEAD_MAX_NAME + 1, 'a');
  g_autofree char *long_json = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (rejected); i++)
    {
      g_autoptr (NexusLeadInput) bad = lead_from_json (rejected[i].json, &error);

      g_assert_null (bad);
      g_assert_error (error, NEXUS_LEAD_ERROR, NEXUS_LEAD_ERROR_INVALID);
      g_assert_cmpstr (error->message, ==, rejected[i].reason);
      g_clear_error (&error);
    }

  long_json = g_strdup_printf ("{\"provider\":\"osm\",\"ref\":\"1\",\"name\":\"%s\"}", long_name);
  g_assert_null (lead_from_json (long_json, &error));
  g_assert_cmpstr (error->message, ==, "name too long (over 512 bytes)");
  g_clear_error (&error);

  input = lead_from_json ("{\"provider\":\"osm\",\"ref\":\"node/1\",\"name\":\" Café Riche \","
                          "\"phones\":[\"+20 2 23929793\",\"\"],\"website\":null,"
                          "\"lat\":30.0493,\"lon\":31,\"rating\":4.4,\"reviews\":120,"
                          "\"tags\":{\"amenity\":\"cafe\"},\"raw\":{\"id\":1},\"extra\":true}",
                          &error);
  g_assert_no_error (error);
  g_assert_cmpstr (input->name, ==, "Café Riche");
  g_assert_cmpuint (input->phones->len, ==, 1);
  g_assert_null (input->website);
  g_assert_true (input->has_location);
  g_assert_cmpfloat (input->lon, ==, 31.0);
  g_assert_cmpint (input->reviews, ==, 120);
  /* The payload keeps everything the worker sent. */
  g_assert_nonnull (strstr (input->payload, "\"extra\":true"));
  g_assert_nonnull (strstr (input->payload, "\"raw\":{\"id\":1}"));

  /* (0, 0) is "unknown", not a place. */
  zero = lead_from_json ("{\"provider\":\"osm\",\"ref\":\"2\",\"name\":\"x\",\"lat\":0,\"lon\":0}",
                         &error);
  g_assert_no_error (error);
  g_assert_false (zero->has_location);
}

static void
test_lead_validate (void)
{
  g_autoptr (NexusLeadInput) input = nexus_lead_input_new ();
  g_autoptr (NexusLeadInput) bad = nexus_lead_input_new ();
  g_autoptr (GError) error = NULL;

  input->provider = g_strdup ("import");
  input->ref = g_strdup ("42");
  input->name = g_strdup ("  Koshary  ");
  input->city = g_strdup ("");
  g_ptr_array_add (input->phones, g_strdup (" "));
  g_ptr_array_add (input->phones, g_strdup ("0100 123 4567"));
  g_assert_true (nexus_lead_input_validate (input, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (input->name, ==, "Koshary");
  g_assert_null (input->city);
  g_assert_cmpuint (input->phones->len, ==, 1);
  g_assert_nonnull (strstr (input->payload, "\"name\":\"Koshary\""));

  bad->provider = g_strdup ("import");
  bad->ref = g_strdup ("1");
  bad->name = g_strdup ("\xff\xfe");
  g_assert_false (nexus_lead_input_validate (bad, &error));
  g_assert_cmpstr (error->message, ==, "name: not UTF-8");
}

static NexusCsvReader *
reader_for (const char *text)
{
  g_autoptr (GInputStream) stream =
      g_memory_input_stream_new_from_data (g_strdup (text), strlen (text), g_free);

  return nexus_csv_reader_new (stream);
}

static void
test_csv_reader (void)
{
  g_autoptr (NexusCsvReader) reader = reader_for ("\xEF\xBB\xBFname,phone,note\r\n"
                                                  "\"Art's, Deli\",818/762-1221,\"two\nlines\"\r\n"
                                                  "\r\n"
                                                  "plain,\"say \"\"hi\"\"\",\n"
                                                  "last,x,y");
  g_autoptr (NexusCsvReader) open_quote = reader_for ("a,\"never closed\nb,c\n");
  g_autoptr (GError) error = NULL;

  g_assert_true (nexus_csv_reader_next (reader, &error));
  g_assert_cmpuint (nexus_csv_reader_get_n_fields (reader), ==, 3);
  g_assert_cmpstr (nexus_csv_reader_get_field (reader, 0), ==, "name");
  g_assert_cmpuint (nexus_csv_reader_get_line (reader), ==, 1);

  g_assert_true (nexus_csv_reader_next (reader, &error));
  g_assert_cmpstr (nexus_csv_reader_get_field (reader, 0), ==, "Art's, Deli");
  g_assert_cmpstr (nexus_csv_reader_get_field (reader, 1), ==, "818/762-1221");
  g_assert_cmpstr (nexus_csv_reader_get_field (reader, 2), ==, "two\nlines");
  g_assert_cmpuint (nexus_csv_reader_get_line (reader), ==, 2);

  /* The empty line is skipped; line numbers count physical lines. */
  g_assert_true (nexus_csv_reader_next (reader, &error));
  g_assert_cmpuint (nexus_csv_reader_get_line (reader), ==, 5);
  g_assert_cmpstr (nexus_csv_reader_get_field (reader, 1), ==, "say \"hi\"");
  g_assert_cmpstr (nexus_csv_reader_get_field (reader, 2), ==, "");
  g_assert_null (nexus_csv_reader_get_field (reader, 3));

  g_assert_true (nexus_csv_reader_next (reader, &error));
  g_assert_cmpstr (nexus_csv_reader_get_field (reader, 2), ==, "y");
  g_assert_cmpuint (nexus_csv_reader_get_line (reader), ==, 6);
  g_assert_false (nexus_csv_reader_next (reader, &error));
  g_assert_no_error (error);

  g_assert_true (nexus_csv_reader_next (open_quote, &error) == FALSE);
  g_assert_error (error, NEXUS_CSV_ERROR, NEXUS_CSV_ERROR_UNTERMINATED_QUOTE);
}

static void
test_csv_limits (void)
{
  g_autofree char *huge_field = g_strnfill (NEXUS_CSV_MAX_RECORD + 10, 'x');
  g_autofree char *huge = g_strconcat ("a,", huge_field, "\nb\n", NULL);
  g_autoptr (NexusCsvReader) reader = reader_for (huge);
  g_autoptr (GError) error = NULL;

  g_assert_false (nexus_csv_reader_next (reader, &error));
  g_assert_error (error, NEXUS_CSV_ERROR, NEXUS_CSV_ERROR_RECORD_TOO_LONG);
}

int
main (int argc, char *argv[])
{
  /* Messages with Arabic stay readable. */
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/nexus/Normalize/text", test_text);
  g_test_add_func ("/nexus/Normalize/names-legal-forms", test_names);
  g_test_add_func ("/nexus/Normalize/addresses", test_addresses);
  g_test_add_func ("/nexus/Normalize/websites", test_websites);
  g_test_add_func ("/nexus/Normalize/emails", test_emails);
  g_test_add_func ("/nexus/Normalize/country", test_country);
  g_test_add_func ("/nexus/Similarity/jaro-winkler", test_jaro_winkler);
  g_test_add_func ("/nexus/Similarity/names", test_name_similarity);
  g_test_add_func ("/nexus/Similarity/scripts-and-distance", test_scripts_and_distance);
  g_test_add_func ("/nexus/Names/arabic-brands", test_arabic_brand_names);
  g_test_add_func ("/nexus/Names/arabic-countries", test_arabic_country_names);
  g_test_add_func ("/nexus/Lead/from-json", test_lead_from_json);
  g_test_add_func ("/nexus/Lead/validate", test_lead_validate);
  g_test_add_func ("/nexus/Csv/reader", test_csv_reader);
  g_test_add_func ("/nexus/Csv/limits", test_csv_limits);

  return g_test_run ();
}
