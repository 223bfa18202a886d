/* test-ctl-search.c — nexusctl search … and nexusctl jobs …
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs the built nexusctl as a script would.  Bad input must exit with 2
 * and one line on stderr and leave the database file byte for byte as it
 * was.  --place talks to a local fake Nominatim (tests/engine/
 * fake-nominatim.h); nothing reaches the internet.
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "../engine/fake-nominatim.h"
#include "../nexus-test-util.h"
#include "queue/nexus-job-queue.h"

typedef struct
{
  char *dir;
  char *db;
} Fixture;

static FakeNominatim *fake_server;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusStore) store = NULL;

  fixture->dir = nexus_test_make_dir ("ctl-search");
  fixture->db = g_build_filename (fixture->dir, "vault.db", NULL);
  store = nexus_store_open (fixture->db, NEXUS_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  fake_nominatim_reset (fake_server);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  nexus_test_remove_dir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->db);
}

/* Runs nexusctl --db DB ARGS… with its own XDG_DATA_HOME and the fake
 * Nominatim. */
static int
ctl (Fixture *fixture, char **out_stdout, char **out_stderr, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *url = fake_nominatim_get_url (fake_server);
  NexusTestRun     options = { .xdg_data_home = fixture->dir,
                               .env_name = "NEXUS_NOMINATIM_URL",
                               .env_value = url };
  va_list          args;

  g_ptr_array_add (argv, g_strdup ("nexusctl"));
  g_ptr_array_add (argv, g_strdup ("--db"));
  g_ptr_array_add (argv, g_strdup (fixture->db));
  va_start (args, out_stderr);
  nexus_test_collect_args (argv, args);
  va_end (args);
  return nexus_test_runv (&options, out_stdout, out_stderr, argv);
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

static char *
file_checksum (const char *path)
{
  g_autofree char *contents = NULL;
  gsize            length = 0;

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return g_strdup ("missing");
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *)contents, length);
}

static gint64
count_rows (Fixture *fixture, const char *table)
{
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) rows = NULL;

  store = nexus_store_open (fixture->db, NEXUS_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  if (g_str_equal (table, "searches"))
    rows = nexus_store_search_list (store, &error);
  else
    rows = nexus_store_job_list (store, NULL, &error);
  g_assert_no_error (error);
  return rows->len;
}

/* Adds a search and returns its JSON answer. */
static JsonObject *
add_search (Fixture *fixture, const char *keywords, const char *region_option, const char *region)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr (JsonNode) root = NULL;
  int status;

  status = ctl (fixture, &out, &err, "search", "add", "--name", "Cafés of Cairo", "--keywords",
                keywords, region_option, region, "--json", NULL);
  if (status != 0)
    g_error ("search add exited with %d: %s", status, err);
  root = parse_json (out);
  return json_object_ref (json_node_get_object (root));
}

static void
test_add_and_list (Fixture *fixture, gconstpointer data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (JsonObject) added = NULL;
  JsonArray  *array;
  JsonObject *search;
  JsonObject *progress;
  gint64      planned;

  g_assert_cmpint (ctl (fixture, &out, &err, "search", "add", "--name", "Cafés of Cairo",
                        "--keywords", "café, مقهى", "--bbox", "30.00,31.20,30.05,31.25",
                        "--country", "eg", "--language", "ar", "--cell-km", "1", "--cadence", "6h",
                        "--json", NULL),
                   ==, 0);
  root = parse_json (out);
  added = json_object_ref (json_node_get_object (root));
  g_clear_pointer (&root, json_node_unref);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (json_object_get_int_member (added, "id"), ==, 1);
  planned = json_object_get_int_member (added, "jobs_planned");
  g_assert_cmpint (planned, ==, 2 * json_object_get_int_member (added, "cells"));
  g_assert_cmpint (planned, >, 20);

  /* Every planned job is listed. */
  g_assert_cmpint (
      ctl (fixture, &out, &err, "jobs", "list", "--search", "1", "--limit", "0", "--json", NULL),
      ==, 0);
  root = parse_json (out);
  g_assert_cmpint (json_array_get_length (json_node_get_array (root)), ==, planned);
  g_assert_cmpstr (json_object_get_string_member (
                       json_array_get_object_element (json_node_get_array (root), 0), "status"),
                   ==, "queued");
  g_clear_pointer (&root, json_node_unref);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (ctl (fixture, &out, &err, "search", "list", "--json", NULL), ==, 0);
  root = parse_json (out);
  array = json_node_get_array (root);
  g_assert_cmpuint (json_array_get_length (array), ==, 1);
  search = json_array_get_object_element (array, 0);
  g_assert_cmpstr (json_object_get_string_member (search, "name"), ==, "Cafés of Cairo");
  g_assert_cmpstr (json_object_get_string_member (search, "cadence"), ==, "6h");
  g_assert_cmpstr (json_object_get_string_member (search, "country"), ==, "EG");
  g_assert_cmpstr (json_object_get_string_member (search, "state"), ==, "active");
  g_assert_cmpstr (
      json_array_get_string_element (json_object_get_array_member (search, "keywords"), 1), ==,
      "مقهى");
  progress = json_object_get_object_member (search, "progress");
  g_assert_cmpint (json_object_get_int_member (progress, "planned"), ==, planned);
  g_assert_cmpint (json_object_get_int_member (progress, "done"), ==, 0);
  g_clear_pointer (&root, json_node_unref);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Text: aligned columns. */
  g_assert_cmpint (ctl (fixture, &out, &err, "search", "list", NULL), ==, 0);
  {
    g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
    const char *header_state = strstr (lines[0], "STATE");
    const char *row_state = strstr (lines[1], "active");

    g_assert_nonnull (header_state);
    g_assert_nonnull (row_state);
    /* Same column, counted in characters (the name has an "é"). */
    g_assert_cmpint (g_utf8_pointer_to_offset (lines[0], header_state), ==,
                     g_utf8_pointer_to_offset (lines[1], row_state));
    g_assert_cmpstr (lines[2], ==, "");
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (ctl (fixture, &out, &err, "search", "show", "1", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Cafés of Cairo"));
  g_assert_nonnull (strstr (out, "planned"));
  g_assert_nonnull (strstr (out, "capped"));
  g_assert_nonnull (strstr (out, "ETA"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (ctl (fixture, &out, &err, "search", "show", "1", "--json", NULL), ==, 0);
  root = parse_json (out);
  search = json_node_get_object (root);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (search, "region")), ==, 4);
  g_assert_true (
      json_object_has_member (json_object_get_object_member (search, "progress"), "eta_s"));
  g_clear_pointer (&root, json_node_unref);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Text answer of add: the id and the number of jobs. */
  g_assert_cmpint (ctl (fixture, &out, &err, "search", "add", "--name", "second", "--keywords", "a",
                        "--bbox", "30.00,31.20,30.01,31.21", NULL),
                   ==, 0);
  g_assert_true (g_str_has_prefix (out, "Added search 2: 1 job planned"));
}

static void
test_bad_input (Fixture *fixture, gconstpointer data)
{
  static const char bad_json[] = "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0]";
  static const char open_ring[] =
      "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,1]]]}";
  static const char point[] = "{\"type\":\"Point\",\"coordinates\":[31,30]}";
  g_autofree char  *bad_json_file = g_build_filename (fixture->dir, "bad.geojson", NULL);
  g_autofree char  *open_ring_file = g_build_filename (fixture->dir, "open.geojson", NULL);
  g_autofree char  *point_file = g_build_filename (fixture->dir, "point.geojson", NULL);
  g_autofree char  *missing_file = g_build_filename (fixture->dir, "missing.geojson", NULL);
  g_autoptr (JsonObject) added = NULL;
  g_autofree char *before = NULL;
  gint64           searches, jobs;
  const struct
  {
    const char *option;
    const char *value;
    const char *extra;
    const char *extra_value;
    const char *reason;
  } cases[] = {
    { "--bbox", "30.05,31.2,30.0,31.25", NULL, NULL, "inverted" },
    { "--bbox", "30.0,31.25,30.05,31.2", NULL, NULL, "inverted" },
    { "--bbox", "91,31.2,92,31.25", NULL, NULL, "latitude" },
    { "--bbox", "30,31.2,30.05", NULL, NULL, "four" },
    { "--bbox", "30.0,31.2,30.05,31.25", "--keywords", " , ، ", "keywords" },
    { "--polygon", missing_file, NULL, NULL, "read" },
    { "--polygon", bad_json_file, NULL, NULL, "JSON" },
    { "--polygon", open_ring_file, NULL, NULL, "closed" },
    { "--polygon", point_file, NULL, NULL, "Point" },
    { "--bbox", "30.0,31.2,30.05,31.25", "--provider", "gogle", "provider" },
    { "--bbox", "30.0,31.2,30.05,31.25", "--cadence", "6x", "cadence" },
    { "--bbox", "30.0,31.2,30.05,31.25", "--cadence", "0d", "cadence" },
    { "--bbox", "30.0,31.2,30.05,31.25", "--country", "XX", "country" },
    { "--bbox", "30.0,31.2,30.05,31.25", "--cell-km", "abc", "cell-km" },
    { "--bbox", "30.0,31.2,30.05,31.25", "--cell-km", "0", "cell-km" },
    { "--bbox", "30.0,31.2,30.05,31.25", "--max-depth", "99", "max-depth" },
    { "--bbox", "30.0,31.2,30.05,31.25", "--place", "Cairo", "only one" },
    { "--bbox", "-60,-170,60,170", "--cell-km", "0.1", "cells" },
    { "--place", "nowhere", NULL, NULL, "nowhere" },
    { "--keywords", "a", NULL, NULL, "region" },
  };

  g_file_set_contents (bad_json_file, bad_json, -1, NULL);
  g_file_set_contents (open_ring_file, open_ring, -1, NULL);
  g_file_set_contents (point_file, point, -1, NULL);

  /* Something in the file to keep. */
  added = add_search (fixture, "a,b", "--bbox", "30.0,31.2,30.02,31.22");
  searches = count_rows (fixture, "searches");
  jobs = count_rows (fixture, "jobs");
  before = file_checksum (fixture->db);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      g_autofree char *after = NULL;
      int              status;

      if (cases[i].extra != NULL && g_str_equal (cases[i].extra, "--keywords"))
        status = ctl (fixture, &out, &err, "search", "add", "--name", "bad", cases[i].option,
                      cases[i].value, cases[i].extra, cases[i].extra_value, NULL);
      else if (cases[i].extra != NULL)
        status = ctl (fixture, &out, &err, "search", "add", "--name", "bad", "--keywords", "a",
                      cases[i].option, cases[i].value, cases[i].extra, cases[i].extra_value, NULL);
      else
        status = ctl (fixture, &out, &err, "search", "add", "--name", "bad", "--keywords", "a",
                      cases[i].option, cases[i].value, NULL);

      if (status != 2 || strstr (err, cases[i].reason) == NULL)
        g_error ("case %u (%s %s): exit %d, stderr “%s”, expected 2 and “%s”", i, cases[i].option,
                 cases[i].value, status, err, cases[i].reason);
      /* One line, nothing on stdout. */
      g_assert_cmpint (strchr (err, '\n') - err, ==, (int)strlen (err) - 1);
      g_assert_cmpstr (out, ==, "");

      /* Nothing written. */
      after = file_checksum (fixture->db);
      g_assert_cmpstr (after, ==, before);
    }

  g_assert_cmpint (count_rows (fixture, "searches"), ==, searches);
  g_assert_cmpint (count_rows (fixture, "jobs"), ==, jobs);
  /* "nowhere" was asked, found nothing, and nothing was cached. */
  g_assert_cmpuint (fake_nominatim_count (fake_server), ==, 1);
}

static void
test_add_polygon (Fixture *fixture, gconstpointer data)
{
  /* A triangle over half of a box: about half of the box's cells. */
  static const char triangle[] =
      "{\"type\":\"Feature\",\"properties\":{\"name\":\"half\"},\"geometry\":{\"type\":"
      "\"Polygon\",\"coordinates\":[[[31.2,30.0],[31.3,30.0],[31.2,30.1],[31.2,30.0]]]}}";
  g_autofree char *file = g_build_filename (fixture->dir, "triangle.geojson", NULL);
  g_autoptr (JsonObject) box = NULL;
  g_autoptr (JsonObject) polygon = NULL;
  gint64 box_cells, polygon_cells;

  g_file_set_contents (file, triangle, -1, NULL);
  box = add_search (fixture, "a", "--bbox", "30.0,31.2,30.1,31.3");
  polygon = add_search (fixture, "a", "--polygon", file);
  box_cells = json_object_get_int_member (box, "cells");
  polygon_cells = json_object_get_int_member (polygon, "cells");
  g_assert_cmpint (polygon_cells, <, box_cells * 3 / 4);
  g_assert_cmpint (polygon_cells, >, box_cells / 2);
}

static void
test_add_place (Fixture *fixture, gconstpointer data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr (JsonObject) first = NULL;
  g_autoptr (JsonObject) second = NULL;
  g_autoptr (JsonNode) root = NULL;
  JsonObject *search;

  first = add_search (fixture, "a", "--place", "Cairo");
  g_assert_cmpuint (fake_nominatim_count (fake_server), ==, 1);
  g_assert_cmpint (json_object_get_int_member (first, "jobs_planned"), >, 0);

  /* Asked again, differently spelled: answered from the database. */
  second = add_search (fixture, "b", "--place", "  cairo ");
  g_assert_cmpuint (fake_nominatim_count (fake_server), ==, 1);
  g_assert_cmpint (json_object_get_int_member (second, "cells"), ==,
                   json_object_get_int_member (first, "cells"));

  g_assert_cmpint (ctl (fixture, &out, &err, "search", "show", "2", "--json", NULL), ==, 0);
  root = parse_json (out);
  search = json_node_get_object (root);
  g_assert_cmpstr (json_object_get_string_member (search, "region_kind"), ==, "place");
  g_assert_cmpstr (json_object_get_string_member (search, "place_name"), ==, "  cairo ");
  g_assert_cmpstr (json_object_get_string_member (search, "place_display"), ==, "Cairo, Egypt");
  g_assert_cmpstr (
      json_object_get_string_member (json_object_get_object_member (search, "region"), "type"), ==,
      "Polygon");
}

static void
test_control (Fixture *fixture, gconstpointer data)
{
  g_autoptr (JsonObject) added = add_search (fixture, "a,b", "--bbox", "30.0,31.2,30.02,31.22");
  gint64 planned = json_object_get_int_member (added, "jobs_planned");
  static const struct
  {
    const char *command;
    const char *id;
    int         status;
    const char *output; /* on stdout for 0, stderr otherwise */
  } steps[] = {
    { "pause", "1", 0, "paused" },        { "pause", "1", 1, "only an active search" },
    { "resume", "1", 0, "resumed" },      { "resume", "1", 1, "only a paused search" },
    { "pause", "99", 1, "no search 99" }, { "pause", "abc", 2, "not an ID" },
    { "cancel", "1", 0, "cancelled" },    { "cancel", "1", 1, "already cancelled" },
    { "rerun", "1", 0, "run 2 started" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      int status = ctl (fixture, &out, &err, "search", steps[i].command, steps[i].id, NULL);

      if (status != steps[i].status || strstr (status == 0 ? out : err, steps[i].output) == NULL)
        g_error ("search %s %s: exit %d, “%s%s”; expected %d and “%s”", steps[i].command,
                 steps[i].id, status, out, err, steps[i].status, steps[i].output);
    }

  {
    g_autofree char *out = NULL;
    g_autoptr (JsonNode) root = NULL;

    g_assert_cmpint (
        ctl (fixture, &out, NULL, "jobs", "list", "--status", "cancelled", "--json", NULL), ==, 0);
    root = parse_json (out);
    g_assert_cmpint (json_array_get_length (json_node_get_array (root)), ==, planned);
    g_clear_pointer (&root, json_node_unref);
    g_clear_pointer (&out, g_free);
    g_assert_cmpint (
        ctl (fixture, &out, NULL, "jobs", "list", "--status", "queued", "--json", NULL), ==, 0);
    root = parse_json (out);
    g_assert_cmpint (json_array_get_length (json_node_get_array (root)), ==, planned);
  }
}

static void
test_jobs (Fixture *fixture, gconstpointer data)
{
  g_autoptr (JsonObject) added = add_search (fixture, "a", "--bbox", "30.0,31.2,30.01,31.21");
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (NexusJobQueue) queue = NULL;
  g_autoptr (GPtrArray) jobs = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *id = NULL;
  JsonObject      *job;

  /* A job that died with an error, as a worker would leave it. */
  store = nexus_store_open (fixture->db, NEXUS_STORE_OPEN_NO_CREATE, &error);
  g_assert_no_error (error);
  queue = nexus_job_queue_new (store);
  jobs = nexus_job_queue_lease (queue, 0, 1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jobs->len, ==, 1);
  nexus_job_queue_fail (queue, ((NexusLeasedJob *)g_ptr_array_index (jobs, 0))->id,
                        ((NexusLeasedJob *)g_ptr_array_index (jobs, 0))->lease_token,
                        "Overpass said: bad request", FALSE, NULL, &error);
  g_assert_no_error (error);
  id = g_strdup_printf ("%" G_GINT64_FORMAT, ((NexusLeasedJob *)g_ptr_array_index (jobs, 0))->id);
  g_clear_object (&queue);
  g_clear_object (&store);

  g_assert_cmpint (ctl (fixture, &out, &err, "jobs", "list", "--status", "dead", "--json", NULL),
                   ==, 0);
  root = parse_json (out);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (root)), ==, 1);
  job = json_array_get_object_element (json_node_get_array (root), 0);
  g_assert_cmpstr (json_object_get_string_member (job, "last_error"), ==,
                   "Overpass said: bad request");
  g_assert_cmpint (json_object_get_int_member (job, "attempts"), ==, 1);
  g_assert_false (json_object_has_member (job, "lease_token"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (ctl (fixture, &out, &err, "jobs", "list", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "STATUS"));
  g_assert_nonnull (strstr (out, "dead"));
  g_assert_nonnull (strstr (out, "Overpass said"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (ctl (fixture, &out, &err, "jobs", "retry", id, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "queued"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (ctl (fixture, &out, &err, "jobs", "retry", id, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "queued"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (ctl (fixture, &out, &err, "jobs", "retry", "99999", NULL), ==, 1);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (ctl (fixture, &out, &err, "jobs", "retry", "x1", NULL), ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (ctl (fixture, &out, &err, "jobs", "list", "--status", "bogus", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "bogus"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (ctl (fixture, &out, &err, "jobs", "list", "--status", "dead", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "No jobs"));
}

static void
test_usage (Fixture *fixture, gconstpointer data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (ctl (fixture, &out, &err, "search", "--help", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "rerun"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (ctl (fixture, &out, &err, "search", "add", "--help", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "--polygon"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (ctl (fixture, &out, &err, "search", NULL), ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (ctl (fixture, &out, &err, "jobs", "frob", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "frob"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (ctl (fixture, &out, &err, "search", "list", "--no-such", NULL), ==, 2);
}

int
main (int argc, char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  fake_server = fake_nominatim_start ();

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/nexus/Ctl/search-add-and-list", test_add_and_list);
  ADD ("/nexus/Ctl/search-add-bad-input", test_bad_input);
  ADD ("/nexus/Ctl/search-add-polygon", test_add_polygon);
  ADD ("/nexus/Ctl/search-add-place-cached", test_add_place);
  ADD ("/nexus/Ctl/search-control", test_control);
  ADD ("/nexus/Ctl/jobs-list-and-retry", test_jobs);
  ADD ("/nexus/Ctl/usage", test_usage);

#undef ADD

  status = g_test_run ();
  fake_nominatim_stop (fake_server);
  return status;
}
