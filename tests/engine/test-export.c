/* test-export.c — exports of leads, read back and compared with the vault
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every test runs on a fresh demo vault with a few hostile leads added by
 * plain SQL (a formula-like name, quotes and a line break in a cell, a
 * lead without coordinates).  Each file is parsed back by a reader that is
 * not the writer (the RFC 4180 reader, libarchive + the sheet's XML,
 * json-glib) and compared with what plain SQL says.  Export → import round
 * trips of every format are in test-roundtrip.c.
 */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <sqlite3.h>
#include <unistd.h>

#include "leads/nexus-export.h"
#include "../nexus-test-sql.h"
#include "../nexus-test-util.h"
#include "store/nexus-store.h"

#define FORMULA_NAME   "=cmd|' /C calc'!A0"
#define QUOTED_ADDRESS "12 \"Old\" Souk,\tfloor 2\x01\nشارع الأزهر"
#define PLUS_NOTE      "+1 call after 5"

typedef struct
{
  char       *dir;
  char       *path;
  NexusStore *store;
  sqlite3    *db; /* the same file, for the expected answers */
  gint64      formula_id;
  gint64      nowhere_id; /* a lead without coordinates */
} Fixture;

static void
exec_sql (Fixture *fixture, const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (fixture->db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fixture->dir = nexus_test_make_dir ("export");
  fixture->path = g_build_filename (fixture->dir, "vault.db", NULL);
  fixture->store = nexus_store_open (fixture->path, NEXUS_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_true (nexus_store_seed_demo (fixture->store, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_open (fixture->path, &fixture->db), ==, SQLITE_OK);
  sqlite3_busy_timeout (fixture->db, 5000);

  exec_sql (fixture, "INSERT INTO leads (name, name_norm, phone_e164, address, city, lat, lon,"
                     " notes, first_seen_at, last_seen_at, updated_at)"
                     " VALUES ('=cmd|'' /C calc''!A0', 'cmd', '+201001239999', '" QUOTED_ADDRESS
                     "', 'Cairo', 30.05, 31.25, '" PLUS_NOTE "', 1700000000, 1750000000, 0)");
  fixture->formula_id = sqlite3_last_insert_rowid (fixture->db);
  exec_sql (fixture, "INSERT INTO lead_phones (e164, lead_id) VALUES ('+201001239999', "
                     "last_insert_rowid ()), ('+201001238888', last_insert_rowid ())");
  exec_sql (fixture, "INSERT INTO leads (name, name_norm, phone_e164, city, status,"
                     " first_seen_at, last_seen_at, updated_at)"
                     " VALUES ('مطعم بلا عنوان', 'مطعم بلا عنوان', '+201001237777', 'Cairo',"
                     " 'contacted', 1700000000, 1700000000, 0)");
  fixture->nowhere_id = sqlite3_last_insert_rowid (fixture->db);
  /* Written past the store: indexed for search as a program would. */
  g_assert_true (nexus_store_index_new_leads (fixture->store, &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  sqlite3_close (fixture->db);
  g_clear_object (&fixture->store);
  nexus_test_remove_dir (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->dir);
}

static char *
sql_text (Fixture *fixture, const char *sql, gint64 id)
{
  sqlite3_stmt *stmt = NULL;
  char         *text = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (fixture->db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, id);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    text = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return text;
}

static GArray *
sql_ids (Fixture *fixture, const char *sql)
{
  return nexus_test_sql_ids (fixture->path, sql);
}

static char *
export_to (Fixture *fixture, const char *name, const NexusExportOptions *options, gint64 *out_rows)
{
  g_autoptr (GError) error = NULL;
  char *file = g_build_filename (fixture->dir, name, NULL);

  g_assert_true (
      nexus_export_leads (fixture->store, file, options, NULL, NULL, NULL, out_rows, &error));
  g_assert_no_error (error);
  return file;
}

/* The names in @dir besides the vault's own files. */
static char *
other_files (Fixture *fixture)
{
  g_autoptr (GDir) dir = g_dir_open (fixture->dir, 0, NULL);
  GString    *names = g_string_new (NULL);
  const char *name;

  while ((name = g_dir_read_name (dir)) != NULL)
    if (!g_str_has_prefix (name, "vault.db"))
      g_string_append_printf (names, "%s;", name);
  return g_string_free (names, FALSE);
}

static guint
column_index (GStrv header, const char *name)
{
  for (guint i = 0; header[i] != NULL; i++)
    if (g_str_equal (header[i], name))
      return i;
  g_error ("no column %s", name);
}

static void
test_csv (Fixture *fixture, gconstpointer data)
{
  NexusExportOptions options = { .format = NEXUS_EXPORT_CSV, .bom = TRUE, .delimiter = ';' };
  g_autoptr (GArray) ids = sql_ids (fixture, "SELECT id FROM leads ORDER BY id");
  g_autoptr (GPtrArray) records = NULL;
  g_autofree char *file = NULL;
  g_autofree char *contents = NULL;
  gint64           rows = 0;
  GStrv            header;
  guint            name, phone, address, lat, preview, other;

  file = export_to (fixture, "leads.csv", &options, &rows);
  g_assert_cmpint (rows, ==, ids->len);

  /* A byte-order mark for Excel, CRLF line ends. */
  g_assert_true (g_file_get_contents (file, &contents, NULL, NULL));
  g_assert_true (g_str_has_prefix (contents, "\xEF\xBB\xBFid;name;"));
  g_assert_nonnull (strstr (contents, "\r\n"));

  records = nexus_test_read_csv (file, ';');
  g_assert_cmpuint (records->len, ==, ids->len + 1);
  header = g_ptr_array_index (records, 0);
  name = column_index (header, "name");
  phone = column_index (header, "phone_e164");
  address = column_index (header, "address");
  lat = column_index (header, "lat");
  preview = column_index (header, "preview_only");
  other = column_index (header, "other_phones");

  for (guint i = 0; i < ids->len; i++)
    {
      GStrv            record = g_ptr_array_index (records, i + 1);
      gint64           id = g_array_index (ids, gint64, i);
      g_autofree char *sql_name = sql_text (fixture, "SELECT name FROM leads WHERE id = ?", id);
      g_autofree char *sql_phone =
          sql_text (fixture, "SELECT phone_e164 FROM leads WHERE id = ?", id);
      g_autofree char *sql_address =
          sql_text (fixture, "SELECT address FROM leads WHERE id = ?", id);
      g_autofree char *sql_lat = sql_text (fixture, "SELECT lat FROM leads WHERE id = ?", id);
      g_autofree char *sql_preview = sql_text (
          fixture, "SELECT iif (preview_only, 'true', 'false') FROM leads WHERE id = ?", id);
      g_autofree char *expected_phone = NULL;

      g_assert_cmpint (g_ascii_strtoll (record[0], NULL, 10), ==, id);
      if (id == fixture->formula_id)
        {
          /* Never a formula: a leading apostrophe. */
          g_assert_cmpstr (record[name], ==, "'" FORMULA_NAME);
          g_assert_cmpstr (record[address], ==, QUOTED_ADDRESS);
          g_assert_cmpstr (record[other], ==, "'+201001238888");
        }
      else
        g_assert_cmpstr (record[name], ==, sql_name);
      /* E.164 phones start with "+": escaped like every such text. */
      expected_phone = sql_phone != NULL ? g_strconcat ("'", sql_phone, NULL) : g_strdup ("");
      g_assert_cmpstr (record[phone], ==, expected_phone);
      if (id != fixture->formula_id)
        g_assert_cmpstr (record[address], ==, sql_address != NULL ? sql_address : "");
      if (sql_lat != NULL)
        g_assert_cmpfloat_with_epsilon (g_ascii_strtod (record[lat], NULL),
                                        g_ascii_strtod (sql_lat, NULL), 1e-9);
      else
        g_assert_cmpstr (record[lat], ==, "");
      g_assert_cmpstr (record[preview], ==, sql_preview);
    }
}

static void
test_csv_columns (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) columns = nexus_export_parse_columns ("city, name,first_seen", &error);
  NexusExportOptions options = { .format = NEXUS_EXPORT_CSV, .delimiter = '\t' };
  g_autoptr (GPtrArray) records = NULL;
  g_autofree char *file = NULL;
  GStrv            record;

  g_assert_no_error (error);
  options.columns = (const NexusExportColumn *)columns->data;
  options.n_columns = columns->len;
  options.ids = &fixture->formula_id;
  options.n_ids = 1;
  file = export_to (fixture, "three.tsv", &options, NULL);
  records = nexus_test_read_csv (file, '\t');
  g_assert_cmpuint (records->len, ==, 2);
  g_assert_cmpstrv ((GStrv)g_ptr_array_index (records, 0),
                    ((const char *const[]){ "city", "name", "first_seen", NULL }));
  record = g_ptr_array_index (records, 1);
  g_assert_cmpstrv (
      record, ((const char *const[]){ "Cairo", "'" FORMULA_NAME, "2023-11-14T22:13:20Z", NULL }));

  /* Bad lists change nothing. */
  g_assert_null (nexus_export_parse_columns ("name,nope", &error));
  g_assert_error (error, NEXUS_EXPORT_ERROR, NEXUS_EXPORT_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (nexus_export_parse_columns ("name,name", &error));
  g_assert_error (error, NEXUS_EXPORT_ERROR, NEXUS_EXPORT_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (nexus_export_parse_columns (" , ", &error));
  g_assert_error (error, NEXUS_EXPORT_ERROR, NEXUS_EXPORT_ERROR_INVALID);
}

/* The bytes of @member in the ZIP archive @file (libarchive). */
static char *
unzip_member (const char *file, const char *member)
{
  struct archive       *archive = archive_read_new ();
  struct archive_entry *entry;
  char                 *contents = NULL;

  archive_read_support_format_zip (archive);
  g_assert_cmpint (archive_read_open_filename (archive, file, 65536), ==, ARCHIVE_OK);
  while (archive_read_next_header (archive, &entry) == ARCHIVE_OK)
    {
      if (g_str_equal (archive_entry_pathname (entry), member))
        {
          GString   *text = g_string_new (NULL);
          char       buffer[65536];
          la_ssize_t n;

          while ((n = archive_read_data (archive, buffer, sizeof buffer)) > 0)
            g_string_append_len (text, buffer, n);
          g_assert_cmpint (n, ==, 0);
          contents = g_string_free (text, FALSE);
          break;
        }
      archive_read_data_skip (archive);
    }
  archive_read_free (archive);
  g_assert_nonnull (contents);
  return contents;
}

static guint
count_occurrences (const char *haystack, const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (haystack, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

static void
test_xlsx (Fixture *fixture, gconstpointer data)
{
  NexusExportOptions options = { .format = NEXUS_EXPORT_XLSX, .rtl = TRUE };
  g_autoptr (GArray) ids = sql_ids (fixture, "SELECT id FROM leads ORDER BY id");
  g_autofree char *file = NULL;
  g_autofree char *sheet = NULL;
  g_autofree char *first_row = NULL;
  g_autofree char *formula_cell = NULL;
  g_autofree char *formula_row = NULL;
  gint64           rows = 0;
  const char      *row;

  file = export_to (fixture, "leads.xlsx", &options, &rows);
  g_assert_cmpint (rows, ==, ids->len);
  sheet = unzip_member (file, "xl/worksheets/sheet1.xml");

  /* One row per lead and the header; no formula anywhere. */
  g_assert_cmpuint (count_occurrences (sheet, "<row "), ==, ids->len + 1);
  g_assert_null (strstr (sheet, "<f>"));
  g_assert_null (strstr (sheet, "<f "));
  /* The header row frozen, an autofilter over every row, right to left. */
  g_assert_nonnull (strstr (sheet, "rightToLeft=\"1\""));
  g_assert_nonnull (strstr (sheet, "<pane ySplit=\"1\" topLeftCell=\"A2\""));
  g_assert_nonnull (strstr (sheet, "state=\"frozen\""));
  {
    g_autofree char *filter = g_strdup_printf ("<autoFilter ref=\"A1:S%u\"/>", ids->len + 1);

    g_assert_nonnull (strstr (sheet, filter));
  }

  /* The first lead: the id a number cell (no type), the name a string. */
  first_row = g_strdup_printf ("<c r=\"A2\"><v>%" G_GINT64_FORMAT "</v></c>",
                               g_array_index (ids, gint64, 0));
  g_assert_nonnull (strstr (sheet, first_row));

  /* The formula-like name is a string cell holding the text itself. */
  formula_row = g_strdup_printf ("<row r=\"%u\"", ids->len); /* second to last */
  row = strstr (sheet, formula_row);
  g_assert_nonnull (row);
  formula_cell = g_strdup_printf ("<c r=\"B%u\" t=\"inlineStr\"><is><t>=cmd|'"
                                  " /C calc'!A0</t></is></c>",
                                  ids->len);
  if (strstr (row, formula_cell) == NULL)
    {
      g_autofree char *escaped = g_strdup_printf ("<c r=\"B%u\" t=\"inlineStr\"><is><t>=cmd|&apos;"
                                                  " /C calc&apos;!A0</t></is></c>",
                                                  ids->len);

      g_assert_nonnull (strstr (row, escaped));
    }
  /* A control character cannot stand in XML: written as Excel's escape. */
  g_assert_nonnull (strstr (row, "floor 2_x0001_"));
  /* Dates are numbers with a date style; lat is a number. */
  {
    g_autofree char *lat_cell = g_strdup_printf ("<c r=\"J%u\"><v>30.05</v></c>", ids->len);
    g_autofree char *date_cell = g_strdup_printf ("<c r=\"O%u\" s=\"2\"><v>45244.9259", ids->len);

    g_assert_nonnull (strstr (row, lat_cell));
    g_assert_nonnull (strstr (row, date_cell));
  }

  /* Without rtl, no right-to-left flag. */
  options.rtl = FALSE;
  options.overwrite = TRUE;
  g_clear_pointer (&file, g_free);
  g_clear_pointer (&sheet, g_free);
  file = export_to (fixture, "leads.xlsx", &options, NULL);
  sheet = unzip_member (file, "xl/worksheets/sheet1.xml");
  g_assert_null (strstr (sheet, "rightToLeft"));
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

/* Compares one exported object with the vault. */
static void
check_object (Fixture *fixture, JsonObject *object, gint64 id)
{
  g_autofree char *sql_name = sql_text (fixture, "SELECT name FROM leads WHERE id = ?", id);
  g_autofree char *sql_lat = sql_text (fixture, "SELECT lat FROM leads WHERE id = ?", id);
  g_autofree char *sql_preview =
      sql_text (fixture, "SELECT preview_only FROM leads WHERE id = ?", id);

  g_assert_cmpint (json_object_get_int_member (object, "id"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, sql_name);
  if (sql_lat != NULL)
    g_assert_cmpfloat_with_epsilon (json_object_get_double_member (object, "lat"),
                                    g_ascii_strtod (sql_lat, NULL), 1e-9);
  else
    g_assert_true (json_object_get_null_member (object, "lat"));
  g_assert_cmpint (json_object_get_boolean_member (object, "preview_only"), ==,
                   g_str_equal (sql_preview, "1"));
  g_assert_true (JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "sources")));
  if (id == fixture->formula_id)
    {
      JsonArray *other = json_object_get_array_member (object, "other_phones");

      g_assert_cmpuint (json_array_get_length (other), ==, 1);
      g_assert_cmpstr (json_array_get_string_element (other, 0), ==, "+201001238888");
      g_assert_cmpstr (json_object_get_string_member (object, "address"), ==, QUOTED_ADDRESS);
      g_assert_cmpstr (json_object_get_string_member (object, "first_seen"), ==,
                       "2023-11-14T22:13:20Z");
    }
}

static void
test_json (Fixture *fixture, gconstpointer data)
{
  NexusExportOptions options = { .format = NEXUS_EXPORT_JSON };
  g_autoptr (GArray) ids = sql_ids (fixture, "SELECT id FROM leads ORDER BY id");
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *file = NULL;
  g_autofree char *contents = NULL;
  JsonArray       *array;

  file = export_to (fixture, "leads.json", &options, NULL);
  g_assert_true (g_file_get_contents (file, &contents, NULL, NULL));
  root = parse_json (contents);
  array = json_node_get_array (root);
  g_assert_cmpuint (json_array_get_length (array), ==, ids->len);
  for (guint i = 0; i < ids->len; i++)
    check_object (fixture, json_array_get_object_element (array, i),
                  g_array_index (ids, gint64, i));

  /* An empty selection is an empty array, still valid JSON. */
  options.ids = (const gint64[]){ 0 };
  options.n_ids = 0;
  g_clear_pointer (&file, g_free);
  g_clear_pointer (&contents, g_free);
  file = export_to (fixture, "empty.json", &options, NULL);
  g_assert_true (g_file_get_contents (file, &contents, NULL, NULL));
  g_clear_pointer (&root, json_node_unref);
  root = parse_json (contents);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (root)), ==, 0);
}

static void
test_ndjson (Fixture *fixture, gconstpointer data)
{
  NexusExportOptions options = { .format = NEXUS_EXPORT_NDJSON };
  g_autoptr (GArray) ids = sql_ids (fixture, "SELECT id FROM leads ORDER BY id");
  g_autofree char *file = NULL;
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;

  file = export_to (fixture, "leads.ndjson", &options, NULL);
  g_assert_true (g_file_get_contents (file, &contents, NULL, NULL));
  g_assert_true (g_str_has_suffix (contents, "}\n"));
  lines = g_strsplit (contents, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, ids->len + 1); /* the last is empty */
  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr (JsonNode) node = parse_json (lines[i]);

      check_object (fixture, json_node_get_object (node), g_array_index (ids, gint64, i));
    }
}

static void
test_geojson (Fixture *fixture, gconstpointer data)
{
  NexusExportOptions options = { .format = NEXUS_EXPORT_GEOJSON };
  g_autoptr (GArray) ids = sql_ids (fixture, "SELECT id FROM leads ORDER BY id");
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *file = NULL;
  g_autofree char *contents = NULL;
  JsonObject      *collection;
  JsonArray       *features;
  gboolean         saw_null = FALSE;

  file = export_to (fixture, "leads.geojson", &options, NULL);
  g_assert_true (g_file_get_contents (file, &contents, NULL, NULL));
  root = parse_json (contents);
  collection = json_node_get_object (root);
  g_assert_cmpstr (json_object_get_string_member (collection, "type"), ==, "FeatureCollection");
  features = json_object_get_array_member (collection, "features");
  g_assert_cmpuint (json_array_get_length (features), ==, ids->len);
  for (guint i = 0; i < ids->len; i++)
    {
      JsonObject      *feature = json_array_get_object_element (features, i);
      gint64           id = g_array_index (ids, gint64, i);
      g_autofree char *sql_lat = sql_text (fixture, "SELECT lat FROM leads WHERE id = ?", id);
      g_autofree char *sql_lon = sql_text (fixture, "SELECT lon FROM leads WHERE id = ?", id);

      g_assert_cmpstr (json_object_get_string_member (feature, "type"), ==, "Feature");
      check_object (fixture, json_object_get_object_member (feature, "properties"), id);
      if (sql_lat == NULL)
        {
          g_assert_true (json_object_get_null_member (feature, "geometry"));
          saw_null = TRUE;
        }
      else
        {
          JsonObject *geometry = json_object_get_object_member (feature, "geometry");
          JsonArray  *point = json_object_get_array_member (geometry, "coordinates");

          g_assert_cmpstr (json_object_get_string_member (geometry, "type"), ==, "Point");
          g_assert_cmpfloat_with_epsilon (json_array_get_double_element (point, 0),
                                          g_ascii_strtod (sql_lon, NULL), 1e-9);
          g_assert_cmpfloat_with_epsilon (json_array_get_double_element (point, 1),
                                          g_ascii_strtod (sql_lat, NULL), 1e-9);
        }
    }
  g_assert_true (saw_null);
}

static GArray *
ndjson_ids (Fixture *fixture, const NexusExportOptions *options)
{
  g_autofree char *file = NULL;
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  GArray            *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  NexusExportOptions copy = *options;

  copy.format = NEXUS_EXPORT_NDJSON;
  copy.overwrite = TRUE;
  file = export_to (fixture, "scope.ndjson", &copy, NULL);
  g_assert_true (g_file_get_contents (file, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      g_autoptr (JsonNode) node = parse_json (lines[i]);
      gint64 id = json_object_get_int_member (json_node_get_object (node), "id");

      g_array_append_val (ids, id);
    }
  return ids;
}

static void
assert_same_ids (GArray *a, GArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    g_assert_cmpint (g_array_index (a, gint64, i), ==, g_array_index (b, gint64, i));
}

static void
test_scope (Fixture *fixture, gconstpointer data)
{
  g_autoptr (NexusLeadsQuery) query = nexus_leads_query_new ();
  NexusExportOptions options = { 0 };
  gint64             chosen[] = { fixture->nowhere_id, 1, 999999, 3 };
  gint64             count = -1;
  g_autoptr (GError) error = NULL;

  /* The grid's view: its filters and its order. */
  query->status = g_strdup ("contacted");
  query->sort = NEXUS_LEADS_SORT_NAME;
  query->descending = TRUE;
  options.query = query;
  {
    g_autoptr (GArray) got = ndjson_ids (fixture, &options);
    g_autoptr (GArray) expected =
        sql_ids (fixture, "SELECT id FROM leads WHERE preview_only = 0 AND status = 'contacted'"
                          " ORDER BY name_norm DESC, id DESC");

    g_assert_cmpuint (expected->len, >=, 3);
    assert_same_ids (got, expected);
    g_assert_true (nexus_export_count (fixture->store, &options, &count, &error));
    g_assert_cmpint (count, ==, expected->len);
  }

  /* A search of the grid. */
  g_clear_pointer (&query->status, g_free);
  query->search = g_strdup ("cmd");
  query->preview = NEXUS_LEADS_PREVIEW_INCLUDE;
  {
    g_autoptr (GArray) got = ndjson_ids (fixture, &options);

    g_assert_cmpuint (got->len, ==, 1);
    g_assert_cmpint (g_array_index (got, gint64, 0), ==, fixture->formula_id);
  }

  /* A selection: by id, unknown ids skipped; the query is ignored. */
  options.ids = chosen;
  options.n_ids = G_N_ELEMENTS (chosen);
  {
    g_autoptr (GArray) got = ndjson_ids (fixture, &options);
    g_autoptr (GArray) expected = g_array_new (FALSE, FALSE, sizeof (gint64));
    gint64 want[] = { 1, 3, fixture->nowhere_id };

    g_array_append_vals (expected, want, G_N_ELEMENTS (want));
    assert_same_ids (got, expected);
    g_assert_true (nexus_export_count (fixture->store, &options, &count, &error));
    g_assert_cmpint (count, ==, 3);
  }

  /* Every lead, preview-only ones too. */
  options.ids = NULL;
  options.query = NULL;
  {
    g_autoptr (GArray) got = ndjson_ids (fixture, &options);
    g_autoptr (GArray) expected = sql_ids (fixture, "SELECT id FROM leads ORDER BY id");

    assert_same_ids (got, expected);
  }
}

typedef struct
{
  GCancellable *cancellable;
  gint64        last_done;
  gint64        total;
  guint         calls;
} Progress;

static void
progress_cb (gint64 done, gint64 total, gpointer user_data)
{
  Progress *progress = user_data;

  g_assert_cmpint (done, >=, progress->last_done);
  progress->last_done = done;
  progress->total = total;
  progress->calls++;
  if (progress->cancellable != NULL && done > 0)
    g_cancellable_cancel (progress->cancellable);
}

/* Adds @n copies of the first lead, so an export has several pages. */
static void
add_many (Fixture *fixture, guint n)
{
  g_autofree char *sql = g_strdup_printf (
      "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %u)"
      " INSERT INTO leads (name, name_norm, city, first_seen_at, last_seen_at, updated_at)"
      " SELECT 'Copy ' || i, 'copy ' || i, 'Cairo', 1700000000, 1700000000, 0 FROM n",
      n);

  exec_sql (fixture, sql);
}

static void
test_progress_and_cancel (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char   *file = g_build_filename (fixture->dir, "big.csv", NULL);
  g_autofree char   *left = NULL;
  NexusExportOptions options = { .format = NEXUS_EXPORT_CSV };
  Progress           progress = { 0 };
  gint64             rows = 0;

  add_many (fixture, 3 * NEXUS_EXPORT_PAGE_ROWS);

  /* Progress: page by page up to the total. */
  g_assert_true (nexus_export_leads (fixture->store, file, &options, progress_cb, &progress, NULL,
                                     &rows, &error));
  g_assert_no_error (error);
  g_assert_cmpint (progress.last_done, ==, rows);
  g_assert_cmpint (progress.total, ==, rows);
  g_assert_cmpuint (progress.calls, >=, 4);
  g_assert_cmpint (g_unlink (file), ==, 0);

  /* Cancelled after the first page, in every format: no file at all. */
  for (NexusExportFormat format = 0; format < NEXUS_EXPORT_N_FORMATS; format++)
    {
      Progress cancelling = { .cancellable = cancellable };

      g_cancellable_reset (cancellable);
      options.format = format;
      g_assert_false (nexus_export_leads (fixture->store, file, &options, progress_cb, &cancelling,
                                          cancellable, NULL, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_clear_error (&error);
      g_assert_cmpint (cancelling.last_done, ==, NEXUS_EXPORT_PAGE_ROWS);
      left = other_files (fixture);
      g_assert_cmpstr (left, ==, "");
      g_clear_pointer (&left, g_free);
    }
}

static void
test_no_overwrite (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char   *file = g_build_filename (fixture->dir, "mine.csv", NULL);
  g_autofree char   *before = NULL;
  g_autofree char   *after = NULL;
  g_autofree char   *left = NULL;
  NexusExportOptions options = { .format = NEXUS_EXPORT_CSV };

  g_assert_true (g_file_set_contents (file, "precious\n", -1, NULL));
  before = nexus_test_file_sha256 (file);
  for (NexusExportFormat format = 0; format < NEXUS_EXPORT_N_FORMATS; format++)
    {
      options.format = format;
      g_assert_false (
          nexus_export_leads (fixture->store, file, &options, NULL, NULL, NULL, NULL, &error));
      g_assert_error (error, NEXUS_EXPORT_ERROR, NEXUS_EXPORT_ERROR_EXISTS);
      g_clear_error (&error);
    }
  after = nexus_test_file_sha256 (file);
  g_assert_cmpstr (before, ==, after);
  left = other_files (fixture);
  g_assert_cmpstr (left, ==, "mine.csv;");

  /* Told to: replaced, and nothing else left behind. */
  options.format = NEXUS_EXPORT_CSV;
  options.overwrite = TRUE;
  g_assert_true (
      nexus_export_leads (fixture->store, file, &options, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_clear_pointer (&after, g_free);
  after = nexus_test_file_sha256 (file);
  g_assert_cmpstr (before, !=, after);
  g_clear_pointer (&left, g_free);
  left = other_files (fixture);
  g_assert_cmpstr (left, ==, "mine.csv;");
}

/* Every format refused with the folder named, and nothing left in it. */
static void
write_to_locked_folder_child (gpointer data)
{
  Fixture           *fixture = data;
  g_autofree char   *folder = NULL;
  g_autofree char   *file = NULL;
  NexusExportOptions options = { .format = NEXUS_EXPORT_CSV };
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) dir = NULL;

  nexus_test_drop_privileges ();
  folder = g_dir_make_tmp ("nexus-export-locked-XXXXXX", &error);
  g_assert_no_error (error);
  file = g_build_filename (folder, "leads.csv", NULL);
  g_assert_cmpint (g_chmod (folder, 0555), ==, 0);

  for (NexusExportFormat format = 0; format < NEXUS_EXPORT_N_FORMATS; format++)
    {
      options.format = format;
      g_assert_false (
          nexus_export_leads (fixture->store, file, &options, NULL, NULL, NULL, NULL, &error));
      g_assert_error (error, NEXUS_EXPORT_ERROR, NEXUS_EXPORT_ERROR_WRITE);
      g_assert_nonnull (strstr (error->message, folder));
      g_clear_error (&error);
    }
  dir = g_dir_open (folder, 0, NULL);
  g_assert_nonnull (dir);
  g_assert_null (g_dir_read_name (dir));

  g_chmod (folder, 0755);
  g_rmdir (folder);
}

static void
test_write_failure (Fixture *fixture, gconstpointer data)
{
  g_autofree char   *missing = g_build_filename (fixture->dir, "no", "such", "leads.csv", NULL);
  NexusExportOptions options = { .format = NEXUS_EXPORT_CSV };
  g_autoptr (GError) error = NULL;

  /* A folder that does not exist. */
  g_assert_false (
      nexus_export_leads (fixture->store, missing, &options, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, NEXUS_EXPORT_ERROR, NEXUS_EXPORT_ERROR_WRITE);
  g_clear_error (&error);

  /* A folder nobody may create files in, root included. */
  g_assert_false (nexus_export_leads (fixture->store, "/proc/nexus-leads.csv", &options, NULL, NULL,
                                      NULL, NULL, &error));
  g_assert_error (error, NEXUS_EXPORT_ERROR, NEXUS_EXPORT_ERROR_WRITE);
  g_clear_error (&error);

  /* A folder without write permission: in a child that is not root (root
   * would write there anyway), in a folder of its own. */
  nexus_test_run_in_child (write_to_locked_folder_child, fixture);
}

static void
test_bad_options (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char   *file = g_build_filename (fixture->dir, "bad.csv", NULL);
  g_autofree char   *left = NULL;
  NexusExportOptions options = { .format = NEXUS_EXPORT_CSV, .delimiter = '|' };
  g_autoptr (NexusLeadsQuery) query = nexus_leads_query_new ();

  g_assert_false (
      nexus_export_leads (fixture->store, file, &options, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, NEXUS_EXPORT_ERROR, NEXUS_EXPORT_ERROR_INVALID);
  g_clear_error (&error);

  options.delimiter = ',';
  query->status = g_strdup ("nonsense");
  options.query = query;
  g_assert_false (
      nexus_export_leads (fixture->store, file, &options, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_INVALID);
  left = other_files (fixture);
  g_assert_cmpstr (left, ==, "");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/nexus/Export/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("csv", test_csv);
  ADD ("csv-columns", test_csv_columns);
  ADD ("xlsx", test_xlsx);
  ADD ("json", test_json);
  ADD ("ndjson", test_ndjson);
  ADD ("geojson", test_geojson);
  ADD ("scope", test_scope);
  ADD ("progress-and-cancel", test_progress_and_cancel);
  ADD ("no-overwrite", test_no_overwrite);
  ADD ("write-failure", test_write_failure);
  ADD ("bad-options", test_bad_options);
#undef ADD

  return g_test_run ();
}
