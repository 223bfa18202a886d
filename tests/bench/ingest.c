/* ingest.c — the leads pipeline against a raw batched INSERT
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   ingest [N_LEADS]        (default 1000000; or $NEXUS_BENCH_LEADS)
 *
 * Generates N leads (≈30 % sightings of a business already generated, under
 * another provider or the same one again, with another phone format, name
 * spelling and a few metres of GPS noise; mixed phone formats — national,
 * +CC, 00CC, tel:, Arabic-Indic digits, two numbers in a field, invalid
 * ones, none; Arabic and Latin names; coordinates in eight cities) and
 * stores them twice, in batches of 500, each batch one transaction:
 *
 *  - pipeline: nexus_ingest_batch () — normalize, parse phones, match
 *    (phone, R*Tree, address), merge or insert, classify, provenance;
 *  - raw:      the same rows INSERTed as they are into the same tables
 *    (leads with its FTS and R*Tree triggers, lead_phones, lead_sources),
 *    through statements prepared once, in BEGIN IMMEDIATE … COMMIT, the
 *    new leads indexed for search before the COMMIT as a store's commit
 *    does.
 *
 * Both files have the same schema and connection settings.  The two runs
 * alternate every CHUNK batches so that both see the same machine, and the
 * records are a pure function of their index (nothing is kept between
 * batches but counters), so memory stays flat: the resident set is printed
 * at intervals.  Generation is not timed.  Prints leads/s of both and the
 * ratio; asserts no time.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "leads/nexus-ingest.h"
#include "nexus-engine.h"
#include "store/nexus-store-private.h"

#define DEFAULT_LEADS 1000000
#define BATCH         500
#define CHUNK         20     /* batches of one run before the other runs */
#define REPORT_EVERY  100000 /* leads between two memory samples */
#define DUPLICATES    30     /* percent of records that are sightings */

typedef struct
{
  const char *name;
  const char *country;
  double      lat;
  double      lon;
  gboolean    arabic; /* names mostly in Arabic */
} City;

static const City cities[] = {
  { "Cairo", "EG", 30.0444, 31.2357, TRUE },
  { "Alexandria", "EG", 31.2001, 29.9187, TRUE },
  { "Riyadh", "SA", 24.7136, 46.6753, TRUE },
  { "Jeddah", "SA", 21.4858, 39.1925, TRUE },
  { "Dubai", "AE", 25.2048, 55.2708, TRUE },
  { "Paris", "FR", 48.8566, 2.3522, FALSE },
  { "New York", "US", 40.7128, -74.0060, FALSE },
  { "Los Angeles", "US", 34.0522, -118.2437, FALSE },
};

static const char *const latin_kinds[] = {
  "Cafe",    "Pharmacy", "Restaurant", "Bakery", "Dental Clinic", "Hotel", "Electronics", "Tailors",
  "Fitness", "Books",    "Car Repair", "Salon",  "Market",        "Grill", "Bistro",      "Laundry",
};
static const char *const arabic_kinds[] = {
  "مطعم",  "صيدلية", "مخبز",   "مقهى",  "عيادة",     "فندق", "مكتبة",
  "صالون", "ورشة",   "حلويات", "مغسلة", "سوبرماركت", "محل",  "مستوصف",
};
static const char *const arabic_words[] = {
  "النور",   "الأمل",   "الياسمين", "النخيل", "السلام",  "الرحمة",  "الفجر",
  "البدر",   "الهدى",   "الشروق",   "الريان", "الواحة",  "الزهراء", "الخليج",
  "الأندلس", "الفردوس", "الربيع",   "القمر",  "السعادة", "الوفاء",  "الإيمان",
  "البركة",  "الصفا",   "المروة",   "الرضا",  "الكرم",   "النجمة",  "الدوحة",
};
static const char *const syllables[] = {
  "ka", "ra", "mo", "li", "zu", "ne", "ta", "vo", "si", "la", "be", "do", "fi", "go", "ha",
  "ju", "ko", "ma", "nu", "pe", "ri", "sa", "to", "vi", "ya", "ze", "lo", "mi", "no", "ba",
};
static const char *const streets[] = {
  "Main Street",   "Tahrir St",   "King Fahd Road", "Sheikh Zayed Rd",
  "rue de Rivoli", "Broadway",    "شارع التحرير",   "طريق الملك فهد",
  "Corniche",      "Sunset Blvd", "Olaya St",       "Harb Street",
};
static const char *const categories[] = {
  "restaurant", "pharmacy", "cafe", "amenity=dentist", "shop=bakery", "hotel", NULL, NULL,
};

/* A small, fast, reproducible generator (splitmix64). */
static guint64
mix (guint64 x)
{
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

typedef struct
{
  guint64 state;
} Rng;

static guint32
rng_int (Rng *rng, guint32 n)
{
  rng->state = mix (rng->state);
  return (guint32)(rng->state % n);
}

static double
rng_double (Rng *rng)
{
  rng->state = mix (rng->state);
  return (rng->state >> 11) * (1.0 / 9007199254740992.0);
}

/* Business @b: everything about it follows from its number. */
typedef struct
{
  guint64     id;
  const City *city;
  char       *name;
  char       *phone_digits; /* national significant number */
  gboolean    has_phone;
  gboolean    invalid_phone;
  gboolean    two_phones;
  char       *address;
  double      lat;
  double      lon;
  const char *category;
  gboolean    website;
} Business;

static void
business_clear (Business *b)
{
  g_free (b->name);
  g_free (b->phone_digits);
  g_free (b->address);
}

/* A national number that libphonenumber accepts as valid and that no other
 * business has. */
static char *
phone_for (const City *city, guint64 id, guint line)
{
  guint64 n = id * 2 + line;

  if (g_str_equal (city->country, "EG"))
    return g_strdup_printf ("10%08" G_GUINT64_FORMAT, n % 100000000);
  if (g_str_equal (city->country, "SA"))
    return g_strdup_printf ("5%c%07" G_GUINT64_FORMAT, "0345689"[n / 10000000 % 7], n % 10000000);
  if (g_str_equal (city->country, "AE"))
    return g_strdup_printf ("5%c%07" G_GUINT64_FORMAT, "024568"[n / 10000000 % 6], n % 10000000);
  if (g_str_equal (city->country, "FR"))
    return g_strdup_printf ("6%08" G_GUINT64_FORMAT, n % 100000000);
  /* US: area code, an exchange 2xx–9xx that is not N11, a line. */
  {
    static const char *const areas[] = { "212", "646", "718", "917", "310", "213", "323", "818" };
    guint                    exchange = 200 + (guint)(n / 10000 % 800);

    if (exchange % 100 == 11)
      exchange++;
    return g_strdup_printf ("%s%03u%04u", areas[n / 8000000 % G_N_ELEMENTS (areas)], exchange,
                            (guint)(n % 10000));
  }
}

static void
business_make (Business *b, guint64 id)
{
  Rng      rng = { mix (id * 7919 + 17) };
  GString *name = g_string_new (NULL);
  guint    kind;

  b->id = id;
  b->city = &cities[rng_int (&rng, G_N_ELEMENTS (cities))];
  kind = rng_int (&rng, 100);
  if (b->city->arabic && kind < 70)
    {
      g_string_append (name, arabic_kinds[rng_int (&rng, G_N_ELEMENTS (arabic_kinds))]);
      g_string_append_c (name, ' ');
      g_string_append (name, arabic_words[rng_int (&rng, G_N_ELEMENTS (arabic_words))]);
      if (rng_int (&rng, 2))
        {
          g_string_append_c (name, ' ');
          g_string_append (name, arabic_words[rng_int (&rng, G_N_ELEMENTS (arabic_words))]);
        }
    }
  else
    {
      for (guint w = 0; w < 1 + rng_int (&rng, 2); w++)
        {
          if (w > 0)
            g_string_append_c (name, ' ');
          for (guint s = 0; s < 2 + rng_int (&rng, 2); s++)
            g_string_append (name, syllables[rng_int (&rng, G_N_ELEMENTS (syllables))]);
        }
      name->str[0] = g_ascii_toupper (name->str[0]);
      g_string_append_c (name, ' ');
      g_string_append (name, latin_kinds[rng_int (&rng, G_N_ELEMENTS (latin_kinds))]);
    }
  b->name = g_string_free (name, FALSE);

  kind = rng_int (&rng, 100);
  b->has_phone = kind >= 10; /* 10 % without a phone: preview-only */
  b->invalid_phone = kind < 13 && kind >= 10;
  b->two_phones = kind >= 95;
  b->phone_digits = phone_for (b->city, id, 0);
  b->address = g_strdup_printf ("%u %s", 1 + rng_int (&rng, 2000),
                                streets[rng_int (&rng, G_N_ELEMENTS (streets))]);
  /* Within ~15 km of the centre. */
  b->lat = b->city->lat + (rng_double (&rng) - 0.5) * 0.27;
  b->lon = b->city->lon + (rng_double (&rng) - 0.5) * 0.27;
  b->category = categories[rng_int (&rng, G_N_ELEMENTS (categories))];
  b->website = rng_int (&rng, 100) < 30;
}

static const char *
country_code (const City *city)
{
  if (g_str_equal (city->country, "EG"))
    return "20";
  if (g_str_equal (city->country, "SA"))
    return "966";
  if (g_str_equal (city->country, "AE"))
    return "971";
  if (g_str_equal (city->country, "FR"))
    return "33";
  return "1";
}

static char *
arabic_digits (const char *ascii)
{
  static const char *const digits[] = { "٠", "١", "٢", "٣", "٤", "٥", "٦", "٧", "٨", "٩" };
  GString                 *out = g_string_new (NULL);

  for (const char *p = ascii; *p != '\0'; p++)
    if (g_ascii_isdigit (*p))
      g_string_append (out, digits[*p - '0']);
    else
      g_string_append_c (out, *p);
  return g_string_free (out, FALSE);
}

/* The number written one of several ways. */
static char *
format_phone (const City *city, const char *digits, guint style)
{
  gboolean         nanp = g_str_equal (city->country, "US");
  const char      *trunk = nanp ? "" : "0";
  const char      *idd = nanp ? "011" : "00";
  g_autofree char *national = g_strconcat (trunk, digits, NULL);

  switch (style % 6)
    {
      case 0:
        return g_strdup_printf ("+%s %.*s %s", country_code (city), 3, digits, digits + 3);
      case 1:
        return g_strdup_printf ("%.*s-%.*s-%s", 4, national, 3, national + 4, national + 7);
      case 2:
        return g_strdup_printf ("%s%s%s", idd, country_code (city), digits);
      case 3:
        return g_strdup_printf ("tel:+%s-%s", country_code (city), digits);
      case 4:
        return arabic_digits (national);
      default:
        return g_strdup_printf ("(%.*s) %s", 3, national, national + 3);
    }
}

/* Another source's spelling of a name. */
static char *
name_variant (const char *name, guint style)
{
  switch (style % 4)
    {
      case 0:
        return g_utf8_strup (name, -1);
      case 1:
        return g_strconcat (name, g_utf8_get_char (name) > 0x600 ? " ش.م.م" : " LLC", NULL);
      case 2:
        {
          /* A fatha after the first letter, a tatweel after the second. */
          const char      *second = g_utf8_next_char (name);
          const char      *third = *second ? g_utf8_next_char (second) : second;
          g_autofree char *head = g_strndup (name, second - name);
          g_autofree char *middle = g_strndup (second, third - second);
          return g_utf8_get_char (name) > 0x600 ? g_strconcat (head, "َ", middle, "ـ", third, NULL)
                                                : g_strdup (name);
        }
      default:
        return g_strdup (name);
    }
}

static char *
json_escape (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

/* Record @k of the benchmark. */
static NexusLeadInput *
make_record (guint64 k, guint64 *n_businesses)
{
  Rng              rng = { mix (k * 104729 + 3) };
  NexusLeadInput  *input = nexus_lead_input_new ();
  Business         b = { 0 };
  gboolean         sighting = *n_businesses > 0 && rng_int (&rng, 100) < DUPLICATES;
  guint            style = rng_int (&rng, 1000);
  g_autofree char *name_json = NULL;
  g_autofree char *phones_json = NULL;

  if (sighting)
    business_make (&b, rng_int (&rng, (guint32)MIN (*n_businesses, G_MAXUINT32)));
  else
    business_make (&b, (*n_businesses)++);

  if (!sighting)
    {
      input->provider = g_strdup ("osm");
      input->ref = g_strdup_printf ("node/%" G_GUINT64_FORMAT, b.id);
      input->name = g_strdup (b.name);
    }
  else if (style % 3 == 0)
    {
      /* The same source again. */
      input->provider = g_strdup ("osm");
      input->ref = g_strdup_printf ("node/%" G_GUINT64_FORMAT, b.id);
      input->name = g_strdup (b.name);
    }
  else
    {
      input->provider = g_strdup (style % 3 == 1 ? "google" : "yelp");
      input->ref = g_strdup_printf ("%c%" G_GUINT64_FORMAT, input->provider[0], b.id);
      input->name = name_variant (b.name, style / 3);
    }

  if (b.has_phone)
    {
      if (b.invalid_phone)
        g_ptr_array_add (input->phones, g_strdup_printf ("%.5s", b.phone_digits));
      else if (b.two_phones)
        {
          g_autofree char *other = phone_for (b.city, b.id, 1);
          g_autofree char *first = format_phone (b.city, b.phone_digits, style);
          g_autofree char *second = format_phone (b.city, other, style + 1);
          g_ptr_array_add (input->phones, g_strdup_printf ("%s / %s", first, second));
        }
      else
        g_ptr_array_add (input->phones, format_phone (b.city, b.phone_digits, style + sighting));
    }
  input->address = g_strdup (b.address);
  input->city = g_strdup (b.city->name);
  input->country = g_strdup (b.city->country);
  input->has_location = TRUE;
  /* GPS noise of a few metres between sources. */
  input->lat = b.lat + (sighting ? (rng_double (&rng) - 0.5) * 0.0003 : 0);
  input->lon = b.lon + (sighting ? (rng_double (&rng) - 0.5) * 0.0003 : 0);
  input->category = g_strdup (b.category);
  if (b.website)
    input->website = g_strdup_printf ("https://www.biz%" G_GUINT64_FORMAT ".example/", b.id);

  /* The payload a worker would have sent (same bytes for both runs). */
  name_json = json_escape (input->name);
  phones_json =
      input->phones->len > 0 ? json_escape (g_ptr_array_index (input->phones, 0)) : g_strdup ("");
  input->payload = g_strdup_printf ("{\"provider\":\"%s\",\"ref\":\"%s\",\"name\":\"%s\","
                                    "\"phones\":[\"%s\"],\"address\":\"%s\",\"city\":\"%s\","
                                    "\"country\":\"%s\",\"lat\":%.6f,\"lon\":%.6f,"
                                    "\"raw\":{\"tags\":{\"amenity\":\"%s\"}}}",
                                    input->provider, input->ref, name_json, phones_json,
                                    input->address, input->city, input->country, input->lat,
                                    input->lon, input->category ? input->category : "");
  business_clear (&b);
  return input;
}

static GPtrArray *
make_batch (guint64 first, guint n, guint64 *n_businesses)
{
  GPtrArray *batch = g_ptr_array_new_with_free_func ((GDestroyNotify)nexus_lead_input_free);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (batch, make_record (first + i, n_businesses));
  return batch;
}

/* The raw run: the same tables, no pipeline. */
typedef struct
{
  sqlite3      *db;
  sqlite3_stmt *begin;
  sqlite3_stmt *commit;
  sqlite3_stmt *index; /* the leads waiting for the FTS index, as a commit */
  sqlite3_stmt *clear;
  sqlite3_stmt *lead;
  sqlite3_stmt *phone;
  sqlite3_stmt *source;
} Raw;

static sqlite3_stmt *
prepare (sqlite3 *db, const char *sql)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v3 (db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  return stmt;
}

static void
step (Raw *raw, sqlite3_stmt *stmt)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE)
    g_error ("raw insert: %s", sqlite3_errmsg (raw->db));
  sqlite3_reset (stmt);
}

static void
raw_open (Raw *raw, const char *path)
{
  if (sqlite3_open_v2 (path, &raw->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
      SQLITE_OK)
    g_error ("%s: %s", path, sqlite3_errmsg (raw->db));
  /* The store's connection settings. */
  sqlite3_busy_timeout (raw->db, 5000);
  sqlite3_exec (raw->db,
                "PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -16000;"
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;",
                NULL, NULL, NULL);
  raw->begin = prepare (raw->db, "BEGIN IMMEDIATE");
  raw->commit = prepare (raw->db, "COMMIT");
  raw->index = prepare (raw->db, NEXUS_STORE_INDEX_PENDING_SQL);
  raw->clear = prepare (raw->db, NEXUS_STORE_CLEAR_PENDING_SQL);
  raw->lead =
      prepare (raw->db, "INSERT INTO leads (name, name_norm, phone_e164, website, address, city,"
                        " country, lat, lon, provider_category, preview_only, first_seen_at,"
                        " last_seen_at, updated_at)"
                        " VALUES (?1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, ?11)");
  raw->phone = prepare (raw->db, "INSERT OR IGNORE INTO lead_phones (e164, lead_id) VALUES (?, ?)");
  raw->source = prepare (raw->db, "INSERT OR IGNORE INTO lead_sources (lead_id, provider, ref, raw,"
                                  " first_seen_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)");
}

static void
raw_close (Raw *raw)
{
  sqlite3_finalize (raw->begin);
  sqlite3_finalize (raw->commit);
  sqlite3_finalize (raw->index);
  sqlite3_finalize (raw->clear);
  sqlite3_finalize (raw->lead);
  sqlite3_finalize (raw->phone);
  sqlite3_finalize (raw->source);
  sqlite3_close (raw->db);
}

static void
raw_batch (Raw *raw, GPtrArray *batch, gint64 now)
{
  step (raw, raw->begin);
  for (guint i = 0; i < batch->len; i++)
    {
      NexusLeadInput *input = g_ptr_array_index (batch, i);
      const char     *phone = input->phones->len > 0 ? g_ptr_array_index (input->phones, 0) : NULL;
      gint64          lead_id;

      sqlite3_bind_text (raw->lead, 1, input->name, -1, SQLITE_STATIC);
      sqlite3_bind_text (raw->lead, 2, phone, -1, SQLITE_STATIC);
      sqlite3_bind_text (raw->lead, 3, input->website, -1, SQLITE_STATIC);
      sqlite3_bind_text (raw->lead, 4, input->address, -1, SQLITE_STATIC);
      sqlite3_bind_text (raw->lead, 5, input->city, -1, SQLITE_STATIC);
      sqlite3_bind_text (raw->lead, 6, input->country, -1, SQLITE_STATIC);
      sqlite3_bind_double (raw->lead, 7, input->lat);
      sqlite3_bind_double (raw->lead, 8, input->lon);
      sqlite3_bind_text (raw->lead, 9, input->category, -1, SQLITE_STATIC);
      sqlite3_bind_int (raw->lead, 10, phone == NULL);
      sqlite3_bind_int64 (raw->lead, 11, now);
      step (raw, raw->lead);
      lead_id = sqlite3_last_insert_rowid (raw->db);

      if (phone != NULL)
        {
          sqlite3_bind_text (raw->phone, 1, phone, -1, SQLITE_STATIC);
          sqlite3_bind_int64 (raw->phone, 2, lead_id);
          step (raw, raw->phone);
        }
      sqlite3_bind_int64 (raw->source, 1, lead_id);
      sqlite3_bind_text (raw->source, 2, input->provider, -1, SQLITE_STATIC);
      sqlite3_bind_text (raw->source, 3, input->ref, -1, SQLITE_STATIC);
      sqlite3_bind_text (raw->source, 4, input->payload, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (raw->source, 5, now);
      sqlite3_bind_int64 (raw->source, 6, now);
      step (raw, raw->source);
    }
  step (raw, raw->index);
  step (raw, raw->clear);
  step (raw, raw->commit);
}

/* Resident and peak resident set, in MiB. */
static void
memory_mib (double *rss, double *peak)
{
  g_autofree char *status = NULL;

  *rss = *peak = 0;
  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return;
  for (char *line = status; line != NULL && *line != '\0';)
    {
      char *next = strchr (line, '\n');

      if (g_str_has_prefix (line, "VmRSS:"))
        *rss = g_ascii_strtod (line + 6, NULL) / 1024.0;
      else if (g_str_has_prefix (line, "VmHWM:"))
        *peak = g_ascii_strtod (line + 6, NULL) / 1024.0;
      line = next != NULL ? next + 1 : NULL;
    }
}

static void
remove_database (const char *path)
{
  static const char *const suffixes[] = { "", "-wal", "-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
      g_unlink (file);
    }
}

int
main (int argc, char *argv[])
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *pipeline_path = NULL;
  g_autofree char *raw_path = NULL;
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (NexusIngest) ingest = NULL;
  g_autoptr (NexusIngestReport) totals = nexus_ingest_report_new ();
  const char *env = g_getenv ("NEXUS_BENCH_LEADS");
  guint64     n = DEFAULT_LEADS;
  guint64     done = 0;
  guint64     businesses_pipeline = 0;
  guint64     businesses_raw = 0;
  guint64     next_report = REPORT_EVERY;
  gint64      pipeline_us = 0;
  gint64      raw_us = 0;
  gint64      now = g_get_real_time () / G_USEC_PER_SEC;
  double      rss, peak, pipeline_rate, raw_rate;
  Raw         raw = { 0 };

  if (argc > 1)
    n = g_ascii_strtoull (argv[1], NULL, 10);
  else if (env != NULL)
    n = g_ascii_strtoull (env, NULL, 10);
  if (n == 0)
    n = DEFAULT_LEADS;

  dir = g_dir_make_tmp ("nexus-bench-ingest-XXXXXX", &error);
  g_assert_no_error (error);
  pipeline_path = g_build_filename (dir, "pipeline.db", NULL);
  raw_path = g_build_filename (dir, "raw.db", NULL);

  /* The same schema in both files. */
  {
    g_autoptr (NexusStore) raw_store =
        nexus_store_open (raw_path, NEXUS_STORE_OPEN_DEFAULT, &error);
    g_assert_no_error (error);
  }
  raw_open (&raw, raw_path);
  store = nexus_store_open (pipeline_path, NEXUS_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  ingest = nexus_ingest_new (store, &error);
  g_assert_no_error (error);

  g_print ("ingest benchmark: %" G_GUINT64_FORMAT " leads, batches of %d, ~%d %% sightings\n", n,
           BATCH, DUPLICATES);
  g_print ("%12s %14s %14s %10s %10s\n", "leads", "pipeline/s", "raw/s", "RSS MiB", "peak MiB");

  while (done < n)
    {
      guint64 chunk_end = MIN (n, done + (guint64)CHUNK * BATCH);
      guint64 k;

      /* The pipeline's chunk… */
      for (k = done; k < chunk_end; k += BATCH)
        {
          guint size = (guint)MIN ((guint64)BATCH, chunk_end - k);
          g_autoptr (GPtrArray) batch = make_batch (k, size, &businesses_pipeline);
          NexusIngestContext context = { 0 };
          gint64             start = g_get_monotonic_time ();

          context.now = now;
          if (!nexus_ingest_batch (ingest, &context, batch, totals, &error))
            g_error ("pipeline: %s", error->message);
          pipeline_us += g_get_monotonic_time () - start;
          /* Per-record results are not needed here: keep memory flat. */
          g_array_set_size (totals->lead_ids, 0);
          g_array_set_size (totals->outcomes, 0);
        }

      /* …then the same records, raw. */
      for (k = done; k < chunk_end; k += BATCH)
        {
          guint size = (guint)MIN ((guint64)BATCH, chunk_end - k);
          g_autoptr (GPtrArray) batch = make_batch (k, size, &businesses_raw);
          gint64 start = g_get_monotonic_time ();

          raw_batch (&raw, batch, now);
          raw_us += g_get_monotonic_time () - start;
        }

      done = chunk_end;
      if (done >= next_report || done == n)
        {
          memory_mib (&rss, &peak);
          g_print ("%12" G_GUINT64_FORMAT " %14.0f %14.0f %10.1f %10.1f\n", done,
                   done / (pipeline_us / 1e6), done / (raw_us / 1e6), rss, peak);
          next_report += REPORT_EVERY;
        }
    }

  pipeline_rate = n / (pipeline_us / 1e6);
  raw_rate = n / (raw_us / 1e6);
  memory_mib (&rss, &peak);
  g_print ("\npipeline: %" G_GUINT64_FORMAT " leads in %.1f s = %.0f leads/s"
           " (new %u, merged %u, preview-only %u, rejected %u)\n",
           n, pipeline_us / 1e6, pipeline_rate, totals->n_new, totals->merged, totals->preview,
           totals->rejected->len);
  g_print ("raw:      %" G_GUINT64_FORMAT " leads in %.1f s = %.0f leads/s\n", n, raw_us / 1e6,
           raw_rate);
  g_print ("ratio:    %.2f (pipeline / raw)\n", pipeline_rate / raw_rate);
  g_print ("memory:   RSS %.1f MiB at the end, peak %.1f MiB\n", rss, peak);

  raw_close (&raw);
  g_clear_object (&ingest);
  g_clear_object (&store);
  remove_database (pipeline_path);
  remove_database (raw_path);
  g_rmdir (dir);
  return 0;
}
