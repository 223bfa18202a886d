/* test-ingest.c — the leads pipeline: match, merge with provenance,
 * preview-only leads, operator merges and splits
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every test ingests through the public entry points and then reads the
 * file through a connection of its own, as another program would.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <locale.h>
#include <sqlite3.h>

#include "leads/nexus-classifier.h"
#include "leads/nexus-ingest.h"
#include "leads/nexus-similarity.h"
#include "nexus-engine.h"

typedef struct
{
  char        *dir;
  char        *path;
  NexusStore  *store;
  NexusIngest *ingest;
  sqlite3     *db;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("nexus-ingest-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "nexus.db", NULL);
  fixture->store = nexus_store_open (fixture->path, NEXUS_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  fixture->ingest = nexus_ingest_new (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_open_v2 (fixture->path, &fixture->db, SQLITE_OPEN_READONLY, NULL), ==,
                   SQLITE_OK);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  static const char *const suffixes[] = { "", "-wal", "-shm" };

  sqlite3_close (fixture->db);
  g_clear_object (&fixture->ingest);
  g_clear_object (&fixture->store);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (fixture->path, suffixes[i], NULL);
      g_unlink (file);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
}

static gint64
query_int (Fixture *fixture, const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64        value;

  if (sqlite3_prepare_v2 (fixture->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (fixture->db));
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

static char *
query_text (Fixture *fixture, const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char         *value = NULL;

  if (sqlite3_prepare_v2 (fixture->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (fixture->db));
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0) != NULL)
    value = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return value;
}

/* A record: provider, ref, name, then NULL-terminated key/value pairs
 * ("phone" may repeat; "lat"/"lon" are parsed). */
static NexusLeadInput *
record (const char *provider, const char *ref, const char *name, ...)
{
  NexusLeadInput *input = nexus_lead_input_new ();
  g_autoptr (GError) error = NULL;
  const char *key;
  va_list     args;

  input->provider = g_strdup (provider);
  input->ref = g_strdup (ref);
  input->name = g_strdup (name);
  va_start (args, name);
  while ((key = va_arg (args, const char *)) != NULL)
    {
      const char *value = va_arg (args, const char *);

      if (g_str_equal (key, "phone"))
        g_ptr_array_add (input->phones, g_strdup (value));
      else if (g_str_equal (key, "website"))
        input->website = g_strdup (value);
      else if (g_str_equal (key, "email"))
        input->email = g_strdup (value);
      else if (g_str_equal (key, "address"))
        input->address = g_strdup (value);
      else if (g_str_equal (key, "city"))
        input->city = g_strdup (value);
      else if (g_str_equal (key, "country"))
        input->country = g_strdup (value);
      else if (g_str_equal (key, "category"))
        input->category = g_strdup (value);
      else if (g_str_equal (key, "lat"))
        {
          input->lat = g_ascii_strtod (value, NULL);
          input->has_location = TRUE;
        }
      else if (g_str_equal (key, "lon"))
        input->lon = g_ascii_strtod (value, NULL);
      else if (g_str_equal (key, "rating"))
        {
          input->rating = g_ascii_strtod (value, NULL);
          input->has_rating = TRUE;
        }
      else if (g_str_equal (key, "reviews"))
        input->reviews = g_ascii_strtoll (value, NULL, 10);
      else
        g_error ("unknown key %s", key);
    }
  va_end (args);

  g_assert_true (nexus_lead_input_validate (input, &error));
  g_assert_no_error (error);
  return input;
}

static GPtrArray *
batch_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify)nexus_lead_input_free);
}

/* Ingests @records (consumed) in their own transaction; returns the
 * report. */
static NexusIngestReport *
ingest_full (Fixture    *fixture,
             GPtrArray  *records,
             const char *region,
             gint64      job_id,
             gint64      enrich_lead_id)
{
  g_autoptr (GPtrArray) owned = records;
  g_autoptr (GError) error = NULL;
  NexusIngestReport *report = nexus_ingest_report_new ();
  NexusIngestContext context = { 0 };

  context.default_region = region;
  context.job_id = job_id;
  context.enrich_lead_id = enrich_lead_id;
  nexus_ingest_batch (fixture->ingest, &context, records, report, &error);
  g_assert_no_error (error);
  return report;
}

static NexusIngestReport *
ingest (Fixture *fixture, const char *region, ...)
{
  GPtrArray      *records = batch_new ();
  NexusLeadInput *input;
  va_list         args;

  va_start (args, region);
  while ((input = va_arg (args, NexusLeadInput *)) != NULL)
    g_ptr_array_add (records, input);
  va_end (args);
  return ingest_full (fixture, records, region, 0, 0);
}

static gint64
lead_of (NexusIngestReport *report, guint index)
{
  return g_array_index (report->lead_ids, gint64, index);
}

static void
test_new_lead_normalized (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusIngestReport) report = NULL;
  g_autofree char *payload = NULL;
  g_autoptr (GPtrArray) records = batch_new ();

  g_ptr_array_add (records,
                   record ("osm", "node/1", "مَطْعَم الياسمين ش.م.م", "phone",
                           "٠١٠٠ ١٢٣ ٤٥٦٧ / 02 2390 1234", "website",
                           "https://www.Yasmine.example/menu", "email", "Info@Yasmine.EXAMPLE",
                           "address", "ش التحرير ١٢", "city", "القاهرة", "country", "eg",
                           "category", "amenity=restaurant", "lat", "30.0444", "lon", "31.2357",
                           "rating", "4.5", "reviews", "12", NULL));
  /* Default region from the search when the record has no country. */
  g_ptr_array_add (records,
                   record ("osm", "node/2", "Koshary El Tahrir", "phone", "(02) 2390 1111", NULL));
  report = ingest_full (fixture, g_steal_pointer (&records), "EG", 0, 0);

  g_assert_cmpuint (report->accepted, ==, 2);
  g_assert_cmpuint (report->n_new, ==, 2);
  g_assert_cmpuint (report->merged, ==, 0);
  g_assert_cmpuint (report->rejected->len, ==, 0);

  {
    g_autofree char *name_norm = query_text (fixture, "SELECT name_norm FROM leads WHERE id = 1");
    g_autofree char *phone = query_text (fixture, "SELECT phone_e164 FROM leads WHERE id = 1");
    g_autofree char *host = query_text (fixture, "SELECT website_host FROM leads WHERE id = 1");
    g_autofree char *email = query_text (fixture, "SELECT email FROM leads WHERE id = 1");
    g_autofree char *address = query_text (fixture, "SELECT address_norm FROM leads WHERE id = 1");
    g_autofree char *country = query_text (fixture, "SELECT country FROM leads WHERE id = 1");
    g_autofree char *category = query_text (fixture, "SELECT category FROM leads WHERE id = 1");
    g_autofree char *source =
        query_text (fixture, "SELECT category_source FROM leads WHERE id = 1");
    g_autofree char *second = query_text (fixture, "SELECT phone_e164 FROM leads WHERE id = 2");
    g_autofree char *mobile = query_text (fixture, "SELECT type FROM lead_phones"
                                                   " WHERE e164 = '+201001234567'");

    g_assert_cmpstr (name_norm, ==, "مطعم الياسمين");
    g_assert_cmpstr (phone, ==, "+201001234567");
    g_assert_cmpstr (host, ==, "yasmine.example");
    g_assert_cmpstr (email, ==, "info@yasmine.example");
    g_assert_cmpstr (address, ==, "شارع التحرير 12");
    g_assert_cmpstr (country, ==, "EG");
    g_assert_cmpstr (category, ==, "restaurant");
    g_assert_cmpstr (source, ==, "rule");
    g_assert_cmpstr (second, ==, "+20223901111");
    g_assert_cmpstr (mobile, ==, "mobile");
  }
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM lead_phones WHERE lead_id = 1"), ==,
                   2);
  g_assert_cmpint (query_int (fixture, "SELECT preview_only FROM leads WHERE id = 1"), ==, 0);
  /* Provenance. */
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM lead_sources WHERE lead_id = 1"
                                       " AND provider = 'osm' AND ref = 'node/1'"),
                   ==, 1);
  payload = query_text (fixture, "SELECT raw FROM lead_sources WHERE ref = 'node/1'");
  g_assert_nonnull (strstr (payload, "\"provider\":\"osm\""));
  /* Searchable and on the map. */
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM leads_fts WHERE leads_fts MATCH"
                                       " 'koshary'"),
                   ==, 1);
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM leads_geo"), ==, 1);
}

static void
test_same_phone_merges (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusIngestReport) first = NULL;
  g_autoptr (NexusIngestReport) second = NULL;
  g_autofree char *website = NULL;
  g_autofree char *address = NULL;

  first = ingest (fixture, "EG",
                  record ("osm", "node/7", "Café Riche", "phone", "+20 2 23929793", "address",
                          "17 Talaat Harb", NULL),
                  NULL);
  /* Another provider, the same number in Arabic-Indic digits with the
   * trunk prefix; a different address spelling and a website. */
  second = ingest (fixture, "EG",
                   record ("google", "ChIJ42", "Cafe Riche", "phone", "٠٢ ٢٣٩٢٩٧٩٣", "address",
                           "17 Talaat Harb Street, Downtown", "website", "caferiche.example", NULL),
                   NULL);

  g_assert_cmpuint (second->merged, ==, 1);
  g_assert_cmpuint (second->n_new, ==, 0);
  g_assert_cmpint (lead_of (first, 0), ==, lead_of (second, 0));
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM leads"), ==, 1);
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM lead_sources"), ==, 2);
  g_assert_cmpint (query_int (fixture, "SELECT sightings FROM leads"), ==, 2);
  /* Empty fields are filled; set ones are kept. */
  website = query_text (fixture, "SELECT website_host FROM leads");
  address = query_text (fixture, "SELECT address FROM leads");
  g_assert_cmpstr (website, ==, "caferiche.example");
  g_assert_cmpstr (address, ==, "17 Talaat Harb");
}

static void
test_re_report_is_idempotent (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusIngestReport) first = NULL;
  g_autoptr (NexusIngestReport) again = NULL;
  g_autoptr (GPtrArray) records = batch_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusIngestReport) later = nexus_ingest_report_new ();
  NexusIngestContext context = { 0 };

  first =
      ingest (fixture, "SA",
              record ("osm", "node/9", "Najd Coffee Roasters", "phone", "0531234509", NULL), NULL);
  /* The same provider and ref again, without a phone and with another
   * name spelling: still the same source. */
  again = ingest (fixture, "SA", record ("osm", "node/9", "Najd Coffee", NULL), NULL);
  g_assert_cmpuint (again->merged, ==, 1);
  g_assert_cmpint (lead_of (first, 0), ==, lead_of (again, 0));

  /* A day later. */
  g_ptr_array_add (records, record ("osm", "node/9", "Najd Coffee Roasters", NULL));
  context.now = g_get_real_time () / G_USEC_PER_SEC + 86400;
  nexus_ingest_batch (fixture->ingest, &context, records, later, &error);
  g_assert_no_error (error);

  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM leads"), ==, 1);
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM lead_sources"), ==, 1);
  g_assert_cmpint (query_int (fixture, "SELECT sightings FROM lead_sources"), ==, 3);
  g_assert_cmpint (query_int (fixture, "SELECT sightings FROM leads"), ==, 3);
  g_assert_cmpint (query_int (fixture, "SELECT last_seen_at - first_seen_at FROM lead_sources"), >=,
                   86400);
  g_assert_cmpint (query_int (fixture, "SELECT last_seen_at - first_seen_at FROM leads"), >=,
                   86400);
}

static void
test_shared_switchboard (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusIngestReport) report = NULL;

  /* Two restaurants of one hotel answer on the hotel's number. */
  report = ingest (fixture, "US",
                   record ("zagat", "140", "palace court", "phone", "702/731-7547", "address",
                           "3570 las vegas blvd. s", "city", "las vegas", NULL),
                   record ("zagat", "545", "cafe roma", "phone", "702/731-7547", "address",
                           "3570 las vegas blvd. s", "city", "las vegas", NULL),
                   record ("fodors", "141", "palace court", "phone", "702-731-7110", "address",
                           "3570 Las Vegas Blvd. S.", "city", "Las Vegas", NULL),
                   NULL);

  g_assert_cmpuint (report->n_new, ==, 2);
  g_assert_cmpuint (report->merged, ==, 1);
  g_assert_cmpint (lead_of (report, 0), !=, lead_of (report, 1));
  /* The second "palace court" has another number: same address, same
   * name → merged. */
  g_assert_cmpint (lead_of (report, 0), ==, lead_of (report, 2));
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM lead_phones WHERE e164 ="
                                       " '+17027317547'"),
                   ==, 2);
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM lead_phones"), ==, 3);
}

static void
test_geo_match (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusIngestReport) report = NULL;

  report =
      ingest (fixture, "FR",
              record ("osm", "a", "Le Petit Bistrot", "lat", "48.8566", "lon", "2.3522", NULL),
              /* 60 m north, the same name written otherwise: merged */
              record ("yelp", "b", "Petit Bistrot (Le)", "lat", "48.85714", "lon", "2.3522", NULL),
              /* 400 m away: another place */
              record ("yelp", "c", "Le Petit Bistrot", "lat", "48.8602", "lon", "2.3522", NULL),
              /* next door, another name: another place */
              record ("yelp", "d", "Le Grand Bistrot", "lat", "48.8567", "lon", "2.3522", NULL),
              /* Arabic name next door: not compared by letters */
              record ("yelp", "e", "مطعم البستان", "lat", "48.85665", "lon", "2.3522", NULL), NULL);

  g_assert_cmpint (lead_of (report, 0), ==, lead_of (report, 1));
  g_assert_cmpint (lead_of (report, 0), !=, lead_of (report, 2));
  g_assert_cmpint (lead_of (report, 0), !=, lead_of (report, 3));
  g_assert_cmpint (lead_of (report, 0), !=, lead_of (report, 4));
  g_assert_cmpuint (report->merged, ==, 1);
  /* All without phones: preview-only. */
  g_assert_cmpuint (report->preview, ==, 4);
}

static void
test_geo_match_with_phones (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusIngestReport) report = NULL;

  report = ingest (fixture, "AE",
                   record ("osm", "1", "Starbucks", "phone", "04 232 1234", "lat", "25.2048", "lon",
                           "55.2708", NULL),
                   /* Another branch across the square (100 m), another number. */
                   record ("osm", "2", "Starbucks", "phone", "04 232 9876", "lat", "25.2057", "lon",
                           "55.2708", NULL),
                   /* The first one's second number, 20 m off. */
                   record ("google", "3", "Starbucks Coffee", "phone", "050 123 4512", "lat",
                           "25.20498", "lon", "55.2708", NULL),
                   NULL);

  g_assert_cmpint (lead_of (report, 0), !=, lead_of (report, 1));
  g_assert_cmpint (lead_of (report, 0), ==, lead_of (report, 2));
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM lead_phones WHERE lead_id = 1"), ==,
                   2);
}

static void
test_address_match (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusIngestReport) report = NULL;

  report = ingest (fixture, "US",
                   record ("a", "1", "Chez Michel", "address", "804 North Point Street", "city",
                           "San Francisco", NULL),
                   record ("b", "1", "chez michel", "address", "804 north point st.", "city",
                           "san francisco", NULL),
                   record ("c", "1", "Chez Michel", "address", "804 North Point Street", "city",
                           "Oakland", NULL),
                   record ("d", "1", "Fringale", "address", "804 North Point Street", "city",
                           "San Francisco", NULL),
                   NULL);

  g_assert_cmpint (lead_of (report, 0), ==, lead_of (report, 1));
  g_assert_cmpint (lead_of (report, 0), !=, lead_of (report, 2));
  g_assert_cmpint (lead_of (report, 0), !=, lead_of (report, 3));
}

static void
test_cross_script_phone (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusIngestReport) report = NULL;

  report = ingest (fixture, "SA", record ("osm", "1", "ستاربكس", "phone", "0112345607", NULL),
                   record ("google", "1", "Starbucks", "phone", "+966 11 234 5607", NULL), NULL);

  g_assert_cmpint (lead_of (report, 0), ==, lead_of (report, 1));
}

static void
test_invalid_phone_kept (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusIngestReport) report = NULL;
  g_autofree char *raw = NULL;

  report = ingest (
      fixture, "US", record ("zagat", "352", "indian delights", "phone", "100-813-8212", NULL),
      record ("zagat", "353", "two numbers", "phone", "212-319-1660 / 12345", NULL), NULL);

  raw = query_text (fixture, "SELECT phone_raw FROM leads WHERE id = 1");
  g_assert_cmpstr (raw, ==, "100-813-8212");
  g_assert_cmpint (query_int (fixture, "SELECT phone_invalid FROM leads WHERE id = 1"), ==, 1);
  g_assert_cmpint (query_int (fixture, "SELECT preview_only FROM leads WHERE id = 1"), ==, 1);
  g_assert_cmpuint (report->preview, ==, 1);
  /* A valid number and a bad one: the lead is in the vault, the bad one
   * flagged beside it. */
  g_assert_cmpint (query_int (fixture, "SELECT preview_only FROM leads WHERE id = 2"), ==, 0);
  g_assert_cmpint (query_int (fixture, "SELECT phone_invalid FROM leads WHERE id = 2"), ==, 1);
  g_clear_pointer (&raw, g_free);
  raw = query_text (fixture, "SELECT phone_raw FROM leads WHERE id = 2");
  g_assert_cmpstr (raw, ==, "12345");
}

static void
test_preview_only (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusIngestReport) vault = NULL;
  g_autoptr (NexusIngestReport) preview = NULL;
  g_autoptr (NexusIngestReport) promoted = NULL;
  g_autoptr (NexusIngestReport) joined = NULL;
  g_autofree char *payload = NULL;
  gint64           preview_id;

  vault =
      ingest (fixture, "EG",
              record ("osm", "1", "Zamalek Dental Clinic", "phone", "02 2735 1234", NULL), NULL);
  preview = ingest (fixture, "EG",
                    record ("osm", "2", "Heliopolis Fitness", "website", "heliofit.example",
                            "country", "EG", NULL),
                    record ("osm", "3", "Zamalek Dental", "address", "26 July St", NULL), NULL);
  g_assert_cmpuint (preview->preview, ==, 2);
  preview_id = lead_of (preview, 0);
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM leads WHERE preview_only = 1"), ==, 2);

  /* Each preview lead is queued for enrichment. */
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM internal_jobs WHERE kind = 'enrich'"
                                       " AND status = 'queued'"),
                   ==, 2);
  payload = query_text (fixture, "SELECT payload FROM internal_jobs ORDER BY id LIMIT 1");
  g_assert_cmpstr (payload, ==,
                   "{\"lead_id\":2,\"website\":\"heliofit.example\","
                   "\"name\":\"Heliopolis Fitness\",\"country\":\"EG\"}");

  /* An enrichment result brings a phone: the lead joins the vault. */
  {
    GPtrArray *records = batch_new ();

    g_ptr_array_add (records, record ("website", "https://heliofit.example/contact",
                                      "Heliopolis Fitness", "phone", "010 6123 4505", NULL));
    promoted = ingest_full (fixture, records, "EG", 0, preview_id);
  }
  g_assert_cmpuint (promoted->merged, ==, 1);
  g_assert_cmpint (lead_of (promoted, 0), ==, preview_id);
  g_assert_cmpint (query_int (fixture, "SELECT preview_only FROM leads WHERE id = 2"), ==, 0);
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM lead_sources WHERE lead_id = 2"), ==,
                   2);

  /* The other preview lead is re-reported with the vault lead's number:
   * it joins that lead through the phone match. */
  joined = ingest (fixture, "EG",
                   record ("osm", "3", "Zamalek Dental", "phone", "+20 2 2735 1234", NULL), NULL);
  g_assert_cmpint (lead_of (joined, 0), ==, lead_of (vault, 0));
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM leads"), ==, 2);
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM lead_sources WHERE lead_id = 1"), ==,
                   2);
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM lead_merges WHERE kind = 'promote'"
                                       " AND lead_id = 1"),
                   ==, 1);
  {
    g_autofree char *address = query_text (fixture, "SELECT address FROM leads WHERE id = 1");
    g_assert_cmpstr (address, ==, "26 July St");
  }
}

static void
test_rejections (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GPtrArray) records = batch_new ();
  g_autoptr (NexusIngestReport) report = nexus_ingest_report_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char   *text = NULL;
  NexusIngestContext context = { 0 };

  /* As the report path does: parse failures are NULL with a reason. */
  g_ptr_array_add (records, record ("osm", "1", "Good One", "phone", "+33 1 42 60 12 34", NULL));
  g_ptr_array_add (records, NULL);
  nexus_ingest_report_reject (report, 1, "missing name");
  g_ptr_array_add (records, record ("osm", "3", "!!!", NULL));
  g_ptr_array_add (records, record ("osm", "1", "Good One", NULL));

  nexus_ingest_batch (fixture->ingest, &context, records, report, &error);
  g_assert_no_error (error);

  text = nexus_ingest_report_to_text (report);
  g_assert_cmpstr (text, ==,
                   "{\"accepted\":2,\"new\":1,\"merged\":1,\"preview\":0,\"rejected\":"
                   "[{\"index\":1,\"reason\":\"missing name\"},{\"index\":2,\"reason\":"
                   "\"name has no letters or digits\"}]}");
  g_assert_cmpuint (report->lead_ids->len, ==, 4);
  g_assert_cmpint (lead_of (report, 1), ==, 0);
  g_assert_cmpint (g_array_index (report->outcomes, NexusIngestOutcome, 2), ==,
                   NEXUS_INGEST_OUTCOME_REJECTED);
}

static void
test_in_caller_transaction (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GPtrArray) records = batch_new ();
  g_autoptr (NexusIngestReport) report = nexus_ingest_report_new ();
  g_autoptr (GError) error = NULL;
  NexusIngestContext context = { 0 };

  g_ptr_array_add (records, record ("osm", "1", "Rolled Back", "phone", "+33 1 42 60 12 34", NULL));

  g_assert_true (nexus_store_begin (fixture->store, &error));
  g_assert_true (
      nexus_ingest_batch_in_transaction (fixture->ingest, &context, records, report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report->n_new, ==, 1);
  /* Still the caller's transaction: nothing committed yet… */
  g_assert_true (nexus_store_in_transaction (fixture->store));
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM leads"), ==, 0);
  /* …and the caller may roll it back. */
  nexus_store_rollback (fixture->store);
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM leads"), ==, 0);
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM lead_sources"), ==, 0);
}

static void
test_merge_keeps_sources (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusIngestReport) report = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *website = NULL;
  g_autofree char *category = NULL;

  report = ingest (fixture, "FR",
                   record ("osm", "1", "Le Cèdre", "phone", "06 12 34 56 16", "website",
                           "lecedre.example", "rating", "4.0", "reviews", "10", NULL),
                   record ("google", "abc", "Le Cedre", "phone", "+33612345616", "website",
                           "other.example", "email", "hello@lecedre.example", "rating", "4.8",
                           "reviews", "300", "lat", "48.8650", "lon", "2.3700", NULL),
                   record ("yelp", "x", "Le Cèdre Paris", "phone", "0612345616", "rating", "3.0",
                           "reviews", "2", NULL),
                   NULL);

  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM leads"), ==, 1);
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM lead_sources WHERE lead_id = 1"), ==,
                   3);
  g_assert_cmpint (query_int (fixture, "SELECT sightings FROM leads"), ==, 3);
  website = query_text (fixture, "SELECT website FROM leads");
  g_assert_cmpstr (website, ==, "lecedre.example");
  g_assert_cmpint (query_int (fixture, "SELECT email IS NOT NULL AND lat IS NOT NULL FROM leads"),
                   ==, 1);
  /* The rating backed by more reviews. */
  g_assert_cmpint (query_int (fixture, "SELECT reviews FROM leads"), ==, 300);
  /* Every source keeps its own raw record. */
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM lead_sources WHERE raw LIKE"
                                       " '%\"website\":\"other.example\"%'"),
                   ==, 1);

  /* An operator's category survives later merges. */
  g_assert_true (
      nexus_classifier_set_label (fixture->store, 1, "lebanese_restaurant", "test", &error));
  g_assert_no_error (error);
  g_clear_pointer (&report, nexus_ingest_report_free);
  report = ingest (fixture, "FR",
                   record ("osm", "2", "Le Cedre", "phone", "0612345616", "category", "cafe", NULL),
                   NULL);
  category = query_text (fixture, "SELECT category || '/' || category_source FROM leads");
  g_assert_cmpstr (category, ==, "lebanese_restaurant/operator");
}

static void
test_within_batch_duplicates (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusIngestReport) report = NULL;

  report =
      ingest (fixture, "US",
              record ("zagat", "2", "art's delicatessen", "phone", "818/762-1221", "address",
                      "12224 ventura blvd.", "city", "studio city", NULL),
              record ("fodors", "3", "art's deli", "phone", "818-762-1221", "address",
                      "12224 ventura blvd.", "city", "studio city", NULL),
              record ("zagat", "2", "art's delicatessen", "phone", "818/762-1221", NULL), NULL);

  g_assert_cmpuint (report->n_new, ==, 1);
  g_assert_cmpuint (report->merged, ==, 2);
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM lead_sources"), ==, 2);
}

static void
test_manual_merge (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusIngestReport) report = NULL;
  g_autoptr (GError) error = NULL;
  gint64 keep, other;

  report =
      ingest (fixture, "AE", record ("osm", "1", "Deira Electronics", "phone", "04 225 1234", NULL),
              record ("osm", "2", "Al Rigga Electronics Trading", "phone", "050 123 4599",
                      "website", "rigga.example", NULL),
              NULL);
  keep = lead_of (report, 0);
  other = lead_of (report, 1);
  g_assert_cmpint (keep, !=, other);

  g_assert_false (nexus_ingest_merge_leads (fixture->ingest, keep, keep, "op", &error));
  g_assert_error (error, NEXUS_INGEST_ERROR, NEXUS_INGEST_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_true (nexus_ingest_merge_leads (fixture->ingest, keep, other, "mona", &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM leads"), ==, 1);
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM lead_sources WHERE lead_id = 1"), ==,
                   2);
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM lead_phones WHERE lead_id = 1"), ==,
                   2);
  g_assert_cmpint (query_int (fixture, "SELECT sightings FROM leads"), ==, 2);
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM lead_merges WHERE kind = 'merge'"
                                       " AND actor = 'mona'"),
                   ==, 1);
  {
    g_autofree char *website = query_text (fixture, "SELECT website FROM leads");
    g_assert_cmpstr (website, ==, "rigga.example");
  }

  g_assert_false (nexus_ingest_merge_leads (fixture->ingest, keep, other, "mona", &error));
  g_assert_error (error, NEXUS_INGEST_ERROR, NEXUS_INGEST_ERROR_NOT_FOUND);
}

static void
test_split (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusIngestReport) report = NULL;
  g_autoptr (NexusIngestReport) again = NULL;
  g_autoptr (GError) error = NULL;
  gint64 lead, source, new_lead = 0;

  /* A wrong merge: two businesses behind one number with names alike
   * enough. */
  report = ingest (fixture, "EG",
                   record ("osm", "1", "Nile View Hotel", "phone", "02 2578 1234", "address",
                           "Corniche El Nil", NULL),
                   record ("osm", "2", "Nile View Hotel Cafe", "phone", "02 2578 1234", "website",
                           "nileviewcafe.example", "lat", "30.049", "lon", "31.229", NULL),
                   NULL);
  lead = lead_of (report, 0);
  g_assert_cmpint (lead, ==, lead_of (report, 1));
  source = query_int (fixture, "SELECT id FROM lead_sources WHERE ref = '2'");

  g_assert_false (
      nexus_ingest_split_lead (fixture->ingest, lead, (gint64[]){ 999 }, 1, "op", NULL, &error));
  g_assert_error (error, NEXUS_INGEST_ERROR, NEXUS_INGEST_ERROR_NOT_FOUND);
  g_clear_error (&error);
  {
    gint64 all[] = { source, query_int (fixture, "SELECT id FROM lead_sources WHERE ref = '1'") };
    g_assert_false (nexus_ingest_split_lead (fixture->ingest, lead, all, 2, "op", NULL, &error));
    g_assert_error (error, NEXUS_INGEST_ERROR, NEXUS_INGEST_ERROR_INVALID);
    g_clear_error (&error);
  }

  g_assert_true (
      nexus_ingest_split_lead (fixture->ingest, lead, &source, 1, "mona", &new_lead, &error));
  g_assert_no_error (error);
  g_assert_cmpint (new_lead, >, lead);
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM leads"), ==, 2);
  /* Each lead is rebuilt from its own sources. */
  {
    g_autofree char *old_name = query_text (fixture, "SELECT name FROM leads WHERE id = 1");
    g_autofree char *new_site = query_text (fixture, "SELECT website FROM leads WHERE id = 2");
    g_autofree char *old_site = query_text (fixture, "SELECT website FROM leads WHERE id = 1");

    g_assert_cmpstr (old_name, ==, "Nile View Hotel");
    g_assert_cmpstr (new_site, ==, "nileviewcafe.example");
    g_assert_null (old_site);
  }
  g_assert_cmpint (query_int (fixture, "SELECT lat IS NULL FROM leads WHERE id = 1"), ==, 1);
  g_assert_cmpint (query_int (fixture, "SELECT sightings FROM leads WHERE id = 1"), ==, 1);
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM lead_phones WHERE e164 ="
                                       " '+20225781234'"),
                   ==, 2);
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM lead_distinct"), ==, 1);
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM lead_merges WHERE kind = 'split'"), ==,
                   1);

  /* Re-reporting the moved source goes to the new lead. */
  again = ingest (fixture, "EG",
                  record ("osm", "2", "Nile View Hotel Cafe", "phone", "02 2578 1234", NULL), NULL);
  g_assert_cmpint (lead_of (again, 0), ==, new_lead);
}

static void
test_demo_seed (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *norm = NULL;

  g_assert_true (nexus_store_seed_demo (fixture->store, &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM leads"), ==, 32);
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM lead_sources WHERE provider ="
                                       " 'demo'"),
                   ==, 32);
  /* Four demo leads have no phone; every demo number is a valid one. */
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM leads WHERE preview_only = 1"), ==, 4);
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM leads WHERE phone_invalid = 1"), ==,
                   0);
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM lead_phones"), ==, 28);
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM leads WHERE status <> 'new'"), >, 5);
  norm = query_text (fixture, "SELECT name_norm FROM leads WHERE name = 'عيادة الابتسامة لطب"
                              " الأسنان'");
  g_assert_cmpstr (norm, ==, "عياده الابتسامه لطب الاسنان");
  /* Demo rows carry LEAD payloads, so they can be split like any lead. */
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM lead_sources WHERE raw LIKE"
                                       " '{\"provider\":\"demo\"%'"),
                   ==, 32);
}

/* The report's answer is written as text: a reason with quotes,
 * backslashes, control characters and Arabic reads back as it was. */
static void
test_answer_escapes (void)
{
  g_autoptr (NexusIngestReport) report = nexus_ingest_report_new ();
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  const char      *reason = "a \"quoted\" C:\\path\nline\ttab\x01\x1f لا اسم";
  JsonObject      *root;
  JsonObject      *rejection;

  nexus_ingest_report_reject (report, 3, reason);
  text = nexus_ingest_report_to_text (report);
  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpint (json_object_get_int_member (root, "accepted"), ==, 0);
  rejection = json_array_get_object_element (json_object_get_array_member (root, "rejected"), 0);
  g_assert_cmpint (json_object_get_int_member (rejection, "index"), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (rejection, "reason"), ==, reason);
}

static void
add_test (const char *path, void (*func) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down);
}

int
main (int argc, char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  add_test ("/nexus/Leads/new-lead-normalized", test_new_lead_normalized);
  add_test ("/nexus/Leads/same-phone-merges", test_same_phone_merges);
  add_test ("/nexus/Leads/re-report-is-idempotent", test_re_report_is_idempotent);
  add_test ("/nexus/Leads/shared-switchboard", test_shared_switchboard);
  add_test ("/nexus/Leads/geo-match", test_geo_match);
  add_test ("/nexus/Leads/geo-match-with-phones", test_geo_match_with_phones);
  add_test ("/nexus/Leads/address-match", test_address_match);
  add_test ("/nexus/Leads/cross-script-phone", test_cross_script_phone);
  add_test ("/nexus/Leads/invalid-phone-kept", test_invalid_phone_kept);
  add_test ("/nexus/Leads/preview-only", test_preview_only);
  add_test ("/nexus/Leads/rejections", test_rejections);
  add_test ("/nexus/Leads/in-caller-transaction", test_in_caller_transaction);
  add_test ("/nexus/Leads/merge-keeps-sources", test_merge_keeps_sources);
  add_test ("/nexus/Leads/within-batch-duplicates", test_within_batch_duplicates);
  add_test ("/nexus/Leads/manual-merge", test_manual_merge);
  add_test ("/nexus/Leads/split", test_split);
  add_test ("/nexus/Leads/demo-seed", test_demo_seed);
  g_test_add_func ("/nexus/Leads/answer-escapes", test_answer_escapes);

  return g_test_run ();
}
