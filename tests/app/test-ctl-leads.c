/* test-ctl-leads.c — nexusctl leads import, sources, export, classify, label
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs the built nexusctl as a script would, on a vault made with the
 * engine.  Bad input must exit with 2 and exactly one line on stderr.
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <locale.h>

#include "leads/nexus-csv.h"
#include "nexus-engine.h"
#include "../nexus-test-sql.h"
#include "../nexus-test-util.h"

typedef struct
{
  char *dir;
  char *db;
} Fixture;

/* Messy rows: phones in several forms, Arabic digits and names, a row
 * without a name, a quoted field over two lines, a duplicate with another
 * phone format, a row with bad coordinates. */
static const char sample_csv[] =
    "id,title,tel,addr,town,kind,lat,lng,cc\n"
    "1,Art's Delicatessen,818/762-1221,12224 Ventura Blvd.,Studio City,deli,,,US\n"
    "2,art's deli,818-762-1221,12224 ventura blvd.,studio city,delis,,,\n"
    "3,مطعم الياسمين,٠١٠٠١٢٣٤٥٦٧,\"شارع التحرير ١٢\n(الدور "
    "الأول)\",القاهرة,restaurant,30.0444,31.2357,EG\n"
    "4,,212-319-1660,,,,,,US\n"
    "5,Chez Michel,415/775-7036 or 415-775-7037,804 Northpoint,San Francisco,french,,,US\n"
    "6,Bad Place,310-456-0488,,,,north,west,US\n"
    "7,Preview Only Café,,1 rue X,Paris,cafe,48.85,2.35,FR\n";

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusStore) store = NULL;

  fixture->dir = nexus_test_make_dir ("ctl-leads");
  fixture->db = g_build_filename (fixture->dir, "vault.db", NULL);
  store = nexus_store_open (fixture->db, NEXUS_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  nexus_test_remove_dir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->db);
}

static char *
write_file (Fixture *fixture, const char *name, const char *contents)
{
  g_autoptr (GError) error = NULL;
  char *path = g_build_filename (fixture->dir, name, NULL);

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return path;
}

/* Runs nexusctl --db DB ARGS… */
static int
ctl (Fixture *fixture, char **out_stdout, char **out_stderr, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  NexusTestRun options = { .xdg_data_home = fixture->dir };
  va_list      args;

  g_ptr_array_add (argv, g_strdup ("nexusctl"));
  g_ptr_array_add (argv, g_strdup ("--db"));
  g_ptr_array_add (argv, g_strdup (fixture->db));
  va_start (args, out_stderr);
  nexus_test_collect_args (argv, args);
  va_end (args);
  return nexus_test_runv (&options, out_stdout, out_stderr, argv);
}

static guint
count_lines (const char *text)
{
  guint n = 0;

  for (const char *p = text; *p != '\0'; p++)
    n += *p == '\n';
  return n;
}

/* Parses CSV text into rows of fields. */
static GPtrArray *
parse_csv (const char *text)
{
  g_autoptr (GInputStream) stream =
      g_memory_input_stream_new_from_data (g_strdup (text), strlen (text), g_free);
  g_autoptr (NexusCsvReader) reader = nexus_csv_reader_new (stream);
  g_autoptr (GError) error = NULL;
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify)g_strfreev);

  while (nexus_csv_reader_next (reader, &error))
    {
      guint  n = nexus_csv_reader_get_n_fields (reader);
      char **row = g_new0 (char *, n + 1);

      for (guint i = 0; i < n; i++)
        row[i] = g_strdup (nexus_csv_reader_get_field (reader, i));
      g_ptr_array_add (rows, row);
    }
  g_assert_no_error (error);
  return rows;
}

static const char map[] = "name=title,phone=tel,address=addr,city=town,category=kind,ref=id,"
                          "lat=lat,lon=lng,country=cc";

static void
test_import (Fixture *fixture, gconstpointer data)
{
  g_autofree char *csv = write_file (fixture, "sample.csv", sample_csv);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) sources = NULL;
  g_autoptr (GPtrArray) leads = NULL;
  JsonObject *summary;
  JsonArray  *rejections;

  g_assert_cmpint (ctl (fixture, &out, &err, "leads", "import", csv, "--format", "csv", "--map",
                        map, "--country", "US", "--source", "sample", "--json", NULL),
                   ==, 0);
  g_assert_cmpstr (err, ==, "");
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  summary = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpint (json_object_get_int_member (summary, "rows"), ==, 7);
  g_assert_cmpint (json_object_get_int_member (summary, "new"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (summary, "merged"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (summary, "preview"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (summary, "rejected"), ==, 2);
  rejections = json_object_get_array_member (summary, "rejections");
  g_assert_cmpuint (json_array_get_length (rejections), ==, 2);
  /* Line numbers of the file (row 4 starts on line 6: row 3 has two). */
  g_assert_cmpint (
      json_object_get_int_member (json_array_get_object_element (rejections, 0), "line"), ==, 6);
  g_assert_cmpstr (
      json_object_get_string_member (json_array_get_object_element (rejections, 0), "reason"), ==,
      "missing name");
  g_assert_cmpint (
      json_object_get_int_member (json_array_get_object_element (rejections, 1), "line"), ==, 8);
  g_assert_cmpstr (
      json_object_get_string_member (json_array_get_object_element (rejections, 1), "reason"), ==,
      "lat: not a number");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Importing again is a re-report: nothing new. */
  g_assert_cmpint (ctl (fixture, &out, &err, "leads", "import", csv, "--format", "csv", "--map",
                        map, "--country", "US", "--source", "sample", NULL),
                   ==, 0);
  g_assert_nonnull (strstr (out, "7 rows — 0 new, 5 merged, 0 preview-only, 2 rejected"));
  g_assert_nonnull (strstr (out, "line 6: missing name"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* sources: lead_id,provider,ref for every source record. */
  g_assert_cmpint (ctl (fixture, &out, &err, "leads", "sources", "--format", "csv", NULL), ==, 0);
  sources = parse_csv (out);
  g_assert_cmpuint (sources->len, ==, 6);
  g_assert_cmpstrv ((const char *const *)g_ptr_array_index (sources, 0),
                    ((const char *const[]){ "lead_id", "provider", "ref", NULL }));
  g_assert_cmpstrv ((const char *const *)g_ptr_array_index (sources, 1),
                    ((const char *const[]){ "1", "sample", "1", NULL }));
  g_assert_cmpstrv ((const char *const *)g_ptr_array_index (sources, 2),
                    ((const char *const[]){ "1", "sample", "2", NULL }));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* export: every lead, quoted where needed, normalized phones. */
  g_assert_cmpint (ctl (fixture, &out, &err, "leads", "export", "--format", "csv", NULL), ==, 0);
  leads = parse_csv (out);
  g_assert_cmpuint (leads->len, ==, 5);
  g_assert_cmpstr (((char **)g_ptr_array_index (leads, 0))[0], ==, "id");
  g_assert_cmpstr (((char **)g_ptr_array_index (leads, 0))[2], ==, "phone_e164");
  g_assert_cmpstr (((char **)g_ptr_array_index (leads, 1))[2], ==, "+18187621221");
  g_assert_cmpstr (((char **)g_ptr_array_index (leads, 2))[1], ==, "مطعم الياسمين");
  g_assert_cmpstr (((char **)g_ptr_array_index (leads, 2))[2], ==, "+201001234567");
  g_assert_cmpstr (((char **)g_ptr_array_index (leads, 2))[8], ==,
                   "شارع التحرير ١٢\n(الدور الأول)");
  /* "415/775-7036 or 415-775-7037": two numbers, one lead. */
  g_assert_cmpstr (((char **)g_ptr_array_index (leads, 3))[2], ==, "+14157757036");
}

static void
test_import_streams (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GString) csv_text = g_string_new ("id,name,phone,city\n");
  g_autofree char *csv = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  /* More rows than one batch: several transactions, one summary. */
  for (guint i = 0; i < 1234; i++)
    g_string_append_printf (csv_text, "%u,Shop number %u,+33 1 42 %02u %02u %02u,Paris\n", i, i,
                            (i / 10000) % 100, (i / 100) % 100, i % 100);
  csv = write_file (fixture, "many.csv", csv_text->str);

  g_assert_cmpint (ctl (fixture, &out, &err, "leads", "import", csv, "--format", "csv", NULL), ==,
                   0);
  g_assert_nonnull (strstr (out, "1234 rows — 1234 new, 0 merged, 0 preview-only, 0 rejected"));
}

/* --format ndjson reads a file whose name says nothing of it; one object
 * a line, lists of phones included. */
static void
test_import_ndjson (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = write_file (
      fixture, "leads.txt",
      "{\"name\":\"Kiosk Est\",\"phone\":[\"+33 1 42 00 00 70\",\"+33 1 42 00 00 71\"]}\n"
      "{\"name\":\"Kiosk Ouest\",\"phone\":\"+33 1 42 00 00 72\",\"city\":\"Paris\"}\n");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr (GArray) phones = NULL;

  g_assert_cmpint (ctl (fixture, &out, &err, "leads", "import", path, "--format", "ndjson", NULL),
                   ==, 0);
  g_assert_nonnull (strstr (out, "2 rows — 2 new, 0 merged, 0 preview-only, 0 rejected"));
  phones = nexus_test_sql_ids (fixture->db, "SELECT p.lead_id FROM lead_phones p JOIN leads l"
                                            " ON l.id = p.lead_id WHERE l.name = 'Kiosk Est'");
  g_assert_cmpuint (phones->len, ==, 2);
}

/* --dry-run writes nothing, --rejects writes the rejected rows once and
 * never replaces a file, --format/--encoding/--delimiter force the reading;
 * a file that fails leaves nothing behind. */
static void
test_import_dry_run_and_rejects (Fixture *fixture, gconstpointer data)
{
  g_autofree char *csv = write_file (fixture, "sample.csv", sample_csv);
  g_autofree char *rejects = g_build_filename (fixture->dir, "rejected.csv", NULL);
  g_autofree char *semicolons =
      write_file (fixture, "semi.txt", "name;phone\nKiosk;+33 1 42 00 00 20\n");
  g_autofree char *ragged = NULL;
  g_autofree char *written = NULL;
  g_autofree char *before = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr (GString) ragged_text = g_string_new ("name,phone\n");
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (ctl (fixture, &out, &err, "leads", "import", csv, "--map", map, "--country",
                        "US", "--dry-run", "--rejects", rejects, NULL),
                   ==, 0);
  g_assert_nonnull (strstr (out, "nothing was written"));
  g_assert_nonnull (strstr (out, "7 rows — 3 would be new, 1 merged, 1 preview-only, 2 rejected"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (ctl (fixture, &out, &err, "leads", "export", "--format", "csv", NULL), ==, 0);
  g_assert_cmpuint (count_lines (out), ==, 1);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_file_get_contents (rejects, &written, NULL, &error);
  g_assert_no_error (error);
  rows = parse_csv (written);
  g_assert_cmpuint (rows->len, ==, 3);
  g_assert_cmpstr (((char **)g_ptr_array_index (rows, 0))[9], ==, "line");
  g_assert_cmpstr (((char **)g_ptr_array_index (rows, 0))[10], ==, "reason");
  g_assert_cmpstr (((char **)g_ptr_array_index (rows, 1))[0], ==, "4");
  g_assert_cmpstr (((char **)g_ptr_array_index (rows, 1))[9], ==, "6");
  g_assert_cmpstr (((char **)g_ptr_array_index (rows, 1))[10], ==, "missing name");

  /* The rejects file is there now: not replaced. */
  g_assert_cmpint (
      ctl (fixture, &out, &err, "leads", "import", csv, "--map", map, "--rejects", rejects, NULL),
      ==, 2);
  g_assert_nonnull (strstr (err, "exists already"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* A .txt file read as CSV with its semicolons found. */
  g_assert_cmpint (ctl (fixture, &out, &err, "leads", "import", semicolons, "--json", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "\"delimiter\" : \";\""));
  g_assert_nonnull (strstr (out, "\"new\" : 1"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Ragged rows: refused whole, the vault as it was. */
  for (guint i = 0; i < 50; i++)
    g_string_append_printf (ragged_text, "Stand %u,+33 1 47 00 00 %02u%s\n", i, i,
                            i % 2 ? ",x" : "");
  ragged = write_file (fixture, "ragged.csv", ragged_text->str);
  g_assert_cmpint (ctl (fixture, &out, &err, "leads", "export", "--format", "csv", NULL), ==, 0);
  before = g_steal_pointer (&out);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (ctl (fixture, &out, &err, "leads", "import", ragged, "--format", "csv", NULL),
                   ==, 2);
  g_assert_nonnull (strstr (err, "nothing was imported"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (ctl (fixture, &out, &err, "leads", "export", "--format", "csv", NULL), ==, 0);
  g_assert_cmpstr (out, ==, before);
}

static int
compare_lines_cb (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(char *const *)a, *(char *const *)b);
}

/* The columns of `leads export` that an import reads back, rows sorted. */
static char *
comparable_export (Fixture *fixture)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  static const guint columns[] = { 1, 2, 5, 7, 8, 9, 10, 11, 12, 17 };

  g_assert_cmpint (ctl (fixture, &out, &err, "leads", "export", "--format", "csv", NULL), ==, 0);
  rows = parse_csv (out);
  for (guint r = 0; r < rows->len; r++)
    {
      char   **row = g_ptr_array_index (rows, r);
      GString *line = g_string_new (NULL);

      for (guint c = 0; c < G_N_ELEMENTS (columns); c++)
        g_string_append_printf (line, "%s|", row[columns[c]]);
      g_ptr_array_add (lines, g_string_free (line, FALSE));
    }
  g_ptr_array_sort (lines, compare_lines_cb);
  g_ptr_array_add (lines, NULL);
  return g_strjoinv ("\n", (char **)lines->pdata);
}

/* Export → import into an empty vault: the same leads. */
static void
test_export_import_round_trip (Fixture *fixture, gconstpointer data)
{
  g_autofree char *csv = write_file (fixture, "sample.csv", sample_csv);
  g_autofree char *first_db = g_strdup (fixture->db);
  g_autofree char *second_db = g_build_filename (fixture->dir, "second.db", NULL);
  g_autofree char *exported = NULL;
  g_autofree char *exported_path = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (ctl (fixture, &out, &err, "leads", "import", csv, "--map", map, NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (ctl (fixture, &exported, &err, "leads", "export", "--format", "csv", NULL), ==,
                   0);
  g_clear_pointer (&err, g_free);
  exported_path = write_file (fixture, "exported.csv", exported);
  first = comparable_export (fixture);

  store = nexus_store_open (second_db, NEXUS_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_clear_object (&store);
  g_free (fixture->db);
  fixture->db = g_strdup (second_db);
  g_assert_cmpint (ctl (fixture, &out, &err, "leads", "import", exported_path, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "0 rejected"));
  second = comparable_export (fixture);
  g_free (fixture->db);
  fixture->db = g_steal_pointer (&first_db);

  g_assert_cmpstr (second, ==, first);
}

static void
test_bad_input (Fixture *fixture, gconstpointer data)
{
  static const char *const cases[][8] = {
    { "import", "@CSV@", "--format", "xlsx", NULL },
    { "import", "@CSV@", "--format", "ods", NULL },
    { "import", "@CSV@", "--format", "json", NULL },
    { "import", "@CSV@", "--format", "ndjson", NULL },
    { "import", "@CSV@", "--delimiter", "::", NULL },
    { "import", "@CSV@", "--encoding", "NO-SUCH-CHARSET", NULL },
    { "import", "@CSV@", "--map", "nom=title", NULL },
    { "import", "@CSV@", "--map", "name", NULL },
    { "import", "@CSV@", "--map", "name=no_such_column", NULL },
    { "import", "@CSV@", "--country", "XX", NULL },
    { "import", "@DIR@/missing.csv", NULL },
    { "import", "@BROKEN@", NULL },
    { "import", "@NONAME@", NULL },
    { "import", "@EMPTY@", NULL },
    { "sources", "--format", "json", NULL },
    { "label", "abc", "restaurant", NULL },
  };
  g_autofree char *csv = write_file (fixture, "sample.csv", sample_csv);
  g_autofree char *broken = write_file (fixture, "broken.csv", "name,phone\nA,1\n\"B,2\n");
  g_autofree char *noname = write_file (fixture, "noname.csv", "phone,city\n1,Cairo\n");
  g_autofree char *empty = write_file (fixture, "empty.csv", "");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      int              status;

      for (guint j = 0; cases[i][j] != NULL; j++)
        {
          g_autoptr (GString) arg = g_string_new (cases[i][j]);

          g_string_replace (arg, "@CSV@", csv, 0);
          g_string_replace (arg, "@DIR@", fixture->dir, 0);
          g_string_replace (arg, "@BROKEN@", broken, 0);
          g_string_replace (arg, "@NONAME@", noname, 0);
          g_string_replace (arg, "@EMPTY@", empty, 0);
          g_ptr_array_add (args, g_string_free (g_steal_pointer (&arg), FALSE));
        }
      while (args->len < 6)
        g_ptr_array_add (args, NULL);

      status = ctl (fixture, &out, &err, "leads", args->pdata[0], args->pdata[1], args->pdata[2],
                    args->pdata[3], args->pdata[4], args->pdata[5], NULL);
      if (status != 2 || count_lines (err) != 1)
        g_error ("leads %s …: exit %d, stderr “%s”", cases[i][0], status, err);
      g_assert_true (g_str_has_prefix (err, "nexusctl: "));
    }
}

static void
test_classify_and_label (Fixture *fixture, gconstpointer data)
{
  g_autofree char *csv = write_file (fixture, "sample.csv", sample_csv);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonObject *result;

  g_assert_cmpint (ctl (fixture, &out, &err, "leads", "import", csv, "--map", map, NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* No labels yet: retraining fails plainly. */
  g_assert_cmpint (ctl (fixture, &out, &err, "leads", "classify", "--retrain", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "Training needs"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (ctl (fixture, &out, &err, "leads", "label", "1", "delicatessen", NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (ctl (fixture, &out, &err, "leads", "label", "999", "x", NULL), ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (ctl (fixture, &out, &err, "leads", "classify", "--json", NULL), ==, 0);
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  result = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpint (json_object_get_int_member (result, "leads"), ==, 4);
  g_assert_cmpint (
      json_object_get_int_member (json_object_get_object_member (result, "by_source"), "operator"),
      ==, 1);
  g_assert_cmpint (
      json_object_get_int_member (json_object_get_object_member (result, "by_source"), "rule"), >=,
      2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (ctl (fixture, &out, &err, "leads", "classify", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Classified 4 leads (0 changed)"));
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

  add_test ("/nexus/Ctl/leads-import", test_import);
  add_test ("/nexus/Ctl/leads-import-streams", test_import_streams);
  add_test ("/nexus/Ctl/leads-import-ndjson", test_import_ndjson);
  add_test ("/nexus/Ctl/leads-import-dry-run-and-rejects", test_import_dry_run_and_rejects);
  add_test ("/nexus/Ctl/leads-export-import-round-trip", test_export_import_round_trip);
  add_test ("/nexus/Ctl/leads-bad-input", test_bad_input);
  add_test ("/nexus/Ctl/leads-classify-and-label", test_classify_and_label);

  return g_test_run ();
}
