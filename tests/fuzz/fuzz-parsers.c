/* fuzz-parsers.c — hostile input for the parsers that face the network
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One entry point, LLVMFuzzerTestOneInput(), feeds the same bytes to every
 * parser that reads input from outside: connection strings, bounding boxes,
 * GeoJSON regions, LEAD records from worker reports, and imports (CSV
 * with its encoding and delimiter detection, GeoJSON, JSON and NDJSON
 * files).  A
 * parser may refuse the input; it must never crash, hang or leak.
 *
 * Built as a plain test, main() below replays the seed corpus and then a
 * bounded number of seeded random mutations of it, under the sanitizers
 * when the build has them.  With clang and libFuzzer:
 *
 *   clang -fsanitize=fuzzer,address -DNEXUS_LIBFUZZER …
 */

#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "api/nexus-connection.h"
#include "leads/nexus-csv.h"
#include "leads/nexus-lead.h"
#include "leads/nexus-row-reader.h"
#include "planner/nexus-geo.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
fuzz_text_parsers (const char *text, gsize length)
{
  g_autoptr (GError) error = NULL;
  NexusBBox bbox;

  {
    g_autoptr (NexusConnection) connection = nexus_connection_parse (text, &error);
    g_clear_error (&error);
  }
  nexus_bbox_parse (text, &bbox, &error);
  g_clear_error (&error);
  {
    NexusGeometry *geometry = nexus_geometry_new_from_text (text, (gssize)length, &error);
    if (geometry != NULL)
      nexus_geometry_unref (geometry);
    g_clear_error (&error);
  }
}

static void
fuzz_lead (const char *text, gsize length)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (!json_parser_load_from_data (parser, text, (gssize)length, NULL))
    return;
  root = json_parser_get_root (parser);
  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (NexusLeadInput) input =
          nexus_lead_input_from_json (json_node_get_object (root), &error);
    }
}

static void
fuzz_csv (const guint8 *data, gsize size)
{
  g_autoptr (GInputStream) stream =
      g_memory_input_stream_new_from_data (g_memdup2 (data, size), (gssize)size, g_free);
  NexusCsvReader *reader = nexus_csv_reader_new (stream);
  g_autoptr (GError) error = NULL;
  guint rows = 0;

  while (rows++ < 10000 && nexus_csv_reader_next (reader, &error))
    for (guint i = 0; i < nexus_csv_reader_get_n_fields (reader); i++)
      (void)nexus_csv_reader_get_field (reader, i);
  nexus_csv_reader_free (reader);
}

/* The row reader of @format on @stream. */
static NexusRowReader *
open_rows (NexusImportFormat format, GInputStream *stream, GError **error)
{
  switch (format)
    {
      case NEXUS_IMPORT_FORMAT_CSV:
        return nexus_row_reader_new_csv (stream, NULL, 0, error);
      case NEXUS_IMPORT_FORMAT_GEOJSON:
        return nexus_row_reader_new_geojson (stream, error);
      case NEXUS_IMPORT_FORMAT_JSON:
      case NEXUS_IMPORT_FORMAT_NDJSON:
        return nexus_row_reader_new_json (stream, format, error);
      case NEXUS_IMPORT_FORMAT_AUTO:
      case NEXUS_IMPORT_FORMAT_XLSX:
      default:
        return NULL;
    }
}

/* Every record of the row reader: CSV (detected encoding and delimiter),
 * GeoJSON, JSON and NDJSON. */
static void
fuzz_rows (const guint8 *data, gsize size)
{
  static const NexusImportFormat formats[] = {
    NEXUS_IMPORT_FORMAT_CSV,
    NEXUS_IMPORT_FORMAT_GEOJSON,
    NEXUS_IMPORT_FORMAT_JSON,
    NEXUS_IMPORT_FORMAT_NDJSON,
  };

  for (guint f = 0; f < G_N_ELEMENTS (formats); f++)
    {
      g_autoptr (GInputStream) stream =
          g_memory_input_stream_new_from_data (g_memdup2 (data, size), (gssize)size, g_free);
      g_autoptr (GError) error = NULL;
      g_autoptr (NexusRowReader) reader = open_rows (formats[f], stream, &error);
      guint rows = 0;

      while (reader != NULL && rows++ < 10000 && nexus_row_reader_next (reader, &error))
        {
          for (guint i = 0; i < nexus_row_reader_get_n_fields (reader); i++)
            (void)nexus_row_reader_get_field (reader, i);
          (void)nexus_row_reader_get_problem (reader);
          (void)nexus_row_reader_get_line (reader);
        }
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autofree char *text = g_strndup ((const char *)data, size);

  /* The text parsers see what a NUL-terminated C string would be. */
  fuzz_text_parsers (text, strlen (text));
  if (g_utf8_validate (text, -1, NULL))
    fuzz_lead (text, strlen (text));
  fuzz_csv (data, size);
  fuzz_rows (data, size);
  return 0;
}

#ifndef NEXUS_LIBFUZZER

#define N_MUTATIONS 50000

static GBytes *
mutate (GBytes *seed, GRand *rand)
{
  gsize         size = 0;
  const guint8 *data = g_bytes_get_data (seed, &size);
  g_autoptr (GByteArray) out = g_byte_array_new ();
  guint edits = g_rand_int_range (rand, 1, 8);

  g_byte_array_append (out, data, size);
  for (guint i = 0; i < edits; i++)
    {
      guint                    choice = g_rand_int_range (rand, 0, 5);
      guint                    at = out->len > 0 ? g_rand_int_range (rand, 0, out->len) : 0;
      guint8                   byte = (guint8)g_rand_int_range (rand, 0, 256);
      static const char *const tokens[] = { "{",    "}",     "[",  "]",        "\"",
                                            ",",    ":",     "\\", "\n",       "\r\n",
                                            "null", "1e308", "-1", "\xd9\xa0", "\xff",
                                            "&",    "=",     "%",  "nexus://" };

      /* Random numbers are drawn once each: MIN() evaluates twice. */
      guint       span = (guint)g_rand_int_range (rand, 1, 64);
      const char *token = tokens[g_rand_int_range (rand, 0, G_N_ELEMENTS (tokens))];

      switch (choice)
        {
          case 0: /* flip a byte */
            if (out->len > 0)
              out->data[at] = byte;
            break;
          case 1: /* drop a run */
            if (out->len > 0)
              g_byte_array_remove_range (out, at, MIN (out->len - at, span));
            break;
          case 2: /* insert a token */
            {
              g_autoptr (GByteArray) rebuilt = g_byte_array_sized_new (out->len + strlen (token));

              g_byte_array_append (rebuilt, out->data, at);
              g_byte_array_append (rebuilt, (const guint8 *)token, strlen (token));
              g_byte_array_append (rebuilt, out->data + at, out->len - at);
              g_byte_array_set_size (out, 0);
              g_byte_array_append (out, rebuilt->data, rebuilt->len);
            }
            break;
          case 3: /* duplicate a slice */
            if (out->len > 0)
              {
                g_autofree guint8 *slice = g_memdup2 (out->data + at, MIN (out->len - at, span));
                g_byte_array_append (out, slice, MIN (out->len - at, span));
              }
            break;
          default: /* truncate */
            g_byte_array_set_size (out, at);
            break;
        }
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static GPtrArray *
load_corpus (void)
{
  g_autofree char *dir =
      g_build_filename (g_getenv ("NEXUS_SOURCE_DIR"), "tests", "fuzz", "corpus", NULL);
  g_autoptr (GDir) handle = g_dir_open (dir, 0, NULL);
  GPtrArray  *seeds = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  const char *name;

  g_assert_nonnull (handle);
  while ((name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      char            *contents = NULL;
      gsize            length = 0;

      g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
      g_ptr_array_add (seeds, g_bytes_new_take (contents, length));
    }
  return seeds;
}

static void
test_fuzz_corpus (void)
{
  g_autoptr (GPtrArray) seeds = load_corpus ();

  g_assert_cmpuint (seeds->len, >=, 5);
  for (guint i = 0; i < seeds->len; i++)
    {
      gsize         size = 0;
      const guint8 *data = g_bytes_get_data (g_ptr_array_index (seeds, i), &size);
      LLVMFuzzerTestOneInput (data, size);
    }
}

static void
test_fuzz_mutations (void)
{
  g_autoptr (GPtrArray) seeds = load_corpus ();
  g_autoptr (GRand) rand = g_rand_new_with_seed (20261126);

  for (guint i = 0; i < N_MUTATIONS; i++)
    {
      g_autoptr (GBytes) input = mutate (g_ptr_array_index (seeds, i % seeds->len), rand);
      gsize         size = 0;
      const guint8 *data = g_bytes_get_data (input, &size);

      LLVMFuzzerTestOneInput (data, size);
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/nexus/Fuzz/seed-corpus", test_fuzz_corpus);
  g_test_add_func ("/nexus/Fuzz/seeded-mutations", test_fuzz_mutations);

  return g_test_run ();
}

#endif
