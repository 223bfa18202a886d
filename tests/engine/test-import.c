/* test-import.c — imports of CSV, XLSX, GeoJSON, JSON and NDJSON files,
 * hostile ones included
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every file is made by the test (XLSX through libxlsxwriter, broken
 * archives through libarchive).  Each vault starts with one lead; a file
 * that must be refused is checked to leave the vault exactly as it was
 * (a fingerprint of the lead tables read through a connection of our own).
 */

#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <locale.h>
#include <sqlite3.h>
#include <string.h>
#include <xlsxwriter.h>

#include "../nexus-test-util.h"
#include "leads/nexus-csv.h"
#include "leads/nexus-import.h"
#include "leads/nexus-row-reader.h"
#include "leads/nexus-xlsx.h"

typedef struct
{
  char        *dir;
  NexusStore  *store;
  NexusIngest *ingest;
  sqlite3     *reader;
} Vault;

/* A file of the test's folder holding @length bytes of @data. */
static char *
vault_file (Vault *vault, const char *name, const void *data, gssize length)
{
  g_autoptr (GError) error = NULL;
  char *path = g_build_filename (vault->dir, name, NULL);

  g_file_set_contents (path, data, length, &error);
  g_assert_no_error (error);
  return path;
}

static void
vault_open (Vault *vault, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *db = NULL;
  g_autofree char *seed = NULL;
  g_autoptr (NexusImportSummary) summary = nexus_import_summary_new ();
  NexusImportOptions options = { 0 };

  vault->dir = nexus_test_make_dir ("import");
  db = g_build_filename (vault->dir, "vault.db", NULL);
  vault->store = nexus_store_open (db, NEXUS_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  vault->ingest = nexus_ingest_get_for_store (vault->store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_open_v2 (db, &vault->reader, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);

  /* One lead already there, so "unchanged" means something. */
  seed =
      vault_file (vault, "seed.csv", "name,phone,city\nOld Bakery,+33 1 42 00 00 01,Paris\n", -1);
  g_assert_true (
      nexus_import_file (vault->ingest, seed, &options, summary, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary->n_new, ==, 1);
}

static void
vault_close (Vault *vault, gconstpointer data)
{
  sqlite3_close (vault->reader);
  g_object_unref (vault->store);
  nexus_test_remove_dir (vault->dir);
  g_free (vault->dir);
}

static char *
sql_text (Vault *vault, const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char         *text;

  if (sqlite3_prepare_v2 (vault->reader, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (vault->reader));
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  text = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return text;
}

static gint64
n_leads (Vault *vault)
{
  g_autofree char *count = sql_text (vault, "SELECT count(*) FROM leads");

  return g_ascii_strtoll (count, NULL, 10);
}

/* Everything an import may touch, as one string. */
static char *
fingerprint (Vault *vault)
{
  return sql_text (
      vault,
      "SELECT (SELECT count(*) FROM leads) || '/' || (SELECT count(*) FROM lead_sources) || '/' || "
      "(SELECT count(*) FROM lead_phones) || '/' || (SELECT count(*) FROM internal_jobs) || '/' || "
      "(SELECT coalesce(group_concat(name || ':' || sightings, '|'), '') FROM "
      "(SELECT name, sightings FROM leads ORDER BY id))");
}

static NexusImportSummary *
import_path (Vault *vault, const char *path, const NexusImportOptions *options, GError **error)
{
  NexusImportSummary *summary = nexus_import_summary_new ();
  NexusImportOptions  defaults = { 0 };

  if (!nexus_import_file (vault->ingest, path, options != NULL ? options : &defaults, summary, NULL,
                          NULL, NULL, error))
    g_clear_pointer (&summary, nexus_import_summary_free);
  return summary;
}

/* @path must be refused with (@domain, @code) and change nothing. */
static void
assert_refused (Vault *vault, const char *path, GQuark domain, int code, const char *words)
{
  g_autofree char *before = fingerprint (vault);
  g_autofree char *after = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusImportSummary) summary = import_path (vault, path, NULL, &error);

  g_assert_null (summary);
  g_assert_error (error, domain, code);
  g_test_message ("refused: %s", error->message);
  if (words != NULL && strstr (error->message, words) == NULL)
    g_error ("“%s” does not say “%s”", error->message, words);
  after = fingerprint (vault);
  g_assert_cmpstr (after, ==, before);
}

static char *
lead_name_of_phone (Vault *vault, const char *e164)
{
  g_autofree char *sql = g_strdup_printf (
      "SELECT l.name FROM leads l JOIN lead_phones p ON p.lead_id = l.id WHERE p.e164 = '%s'",
      e164);

  return sql_text (vault, sql);
}

static void
test_windows_1256 (Vault *vault, gconstpointer data)
{
  static const char utf8[] = "الاسم;الهاتف;المدينة;العنوان\n"
                             "مطعم الياسمين;0100 123 4567;القاهرة;\"شارع التحرير; 12\"\n"
                             "مقهى النيل;+20 2 2345 6789;الجيزة;كورنيش النيل\n";
  g_autoptr (GError) error = NULL;
  g_autofree char *cp1256 = g_convert (utf8, -1, "WINDOWS-1256", "UTF-8", NULL, NULL, &error);
  g_autofree char *path = NULL;
  g_autofree char *name = NULL;
  g_autofree char *address = NULL;
  g_autoptr (NexusImportSummary) summary = NULL;
  NexusImportOptions options = { .country = "EG" };

  g_assert_no_error (error);
  path = vault_file (vault, "arabic.csv", cp1256, -1);
  summary = import_path (vault, path, &options, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (summary->encoding, ==, "WINDOWS-1256");
  g_assert_cmpint (summary->delimiter, ==, ';');
  g_assert_cmpuint (summary->n_new, ==, 2);
  g_assert_cmpuint (summary->rejected, ==, 0);

  name = lead_name_of_phone (vault, "+201001234567");
  g_assert_cmpstr (name, ==, "مطعم الياسمين");
  address = sql_text (vault, "SELECT address FROM leads WHERE name = 'مقهى النيل'");
  g_assert_cmpstr (address, ==, "كورنيش النيل");
}

static void
test_utf16 (Vault *vault, gconstpointer data)
{
  static const char        text[] = "name\tphone\tcity\nÉpicerie Ünal\t+33 1 42 00 00 02\tLyon\n"
                                    "مخبز\t+33 1 42 00 00 03\tNice\n";
  static const char *const encodings[] = { "UTF-16LE", "UTF-16BE" };
  static const guchar      boms[][2] = { { 0xFF, 0xFE }, { 0xFE, 0xFF } };

  for (guint i = 0; i < G_N_ELEMENTS (encodings); i++)
    {
      g_autoptr (GError) error = NULL;
      gsize            length = 0;
      g_autofree char *converted =
          g_convert (text, -1, encodings[i], "UTF-8", NULL, &length, &error);
      g_autoptr (GByteArray) bytes = g_byte_array_new ();
      g_autofree char *name = g_strdup_printf ("utf16-%u.csv", i);
      g_autofree char *path = NULL;
      g_autofree char *lead = NULL;
      g_autoptr (NexusImportSummary) summary = NULL;

      g_assert_no_error (error);
      g_byte_array_append (bytes, boms[i], 2);
      g_byte_array_append (bytes, (const guint8 *)converted, (guint)length);
      path = vault_file (vault, name, bytes->data, bytes->len);
      summary = import_path (vault, path, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (summary->encoding, ==, encodings[i]);
      g_assert_cmpint (summary->delimiter, ==, '\t');
      g_assert_cmpuint (summary->rows, ==, 2);
      g_assert_cmpuint (summary->n_new + summary->merged, ==, 2);
      lead = lead_name_of_phone (vault, "+33142000002");
      g_assert_cmpstr (lead, ==, "Épicerie Ünal");
    }
  g_assert_cmpint (n_leads (vault), ==, 3);
}

static void
test_utf8_bom_and_guesses (Vault *vault, gconstpointer data)
{
  static const char text[] = "\xEF\xBB\xBF"
                             "Business Name|Phone Number|Town|Latitude|Longitude\n"
                             "\"Pipe | Shop\"|+33 1 42 00 00 04|Paris|48.85|2.35\n";
  g_autofree char  *path = vault_file (vault, "bom.csv", text, -1);
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusImportSummary) summary = import_path (vault, path, NULL, &error);
  g_autofree char *name = NULL;
  g_autofree char *lat = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (summary->encoding, ==, "UTF-8");
  g_assert_cmpint (summary->delimiter, ==, '|');
  name = lead_name_of_phone (vault, "+33142000004");
  g_assert_cmpstr (name, ==, "Pipe | Shop");
  lat = sql_text (vault, "SELECT lat FROM leads WHERE name = 'Pipe | Shop'");
  g_assert_cmpfloat_with_epsilon (g_ascii_strtod (lat, NULL), 48.85, 1e-9);

  g_assert_cmpint (nexus_import_guess_field ("الاسم"), ==, NEXUS_IMPORT_FIELD_NAME);
  g_assert_cmpint (nexus_import_guess_field (" جوال "), ==, NEXUS_IMPORT_FIELD_PHONE);
  g_assert_cmpint (nexus_import_guess_field ("هاتف"), ==, NEXUS_IMPORT_FIELD_PHONE);
  g_assert_cmpint (nexus_import_guess_field ("المدينة"), ==, NEXUS_IMPORT_FIELD_CITY);
  g_assert_cmpint (nexus_import_guess_field ("العنوان"), ==, NEXUS_IMPORT_FIELD_ADDRESS);
  g_assert_cmpint (nexus_import_guess_field ("الفئة"), ==, NEXUS_IMPORT_FIELD_CATEGORY);
  g_assert_cmpint (nexus_import_guess_field ("Web-Site"), ==, -1);
  g_assert_cmpint (nexus_import_guess_field ("WEBSITE"), ==, NEXUS_IMPORT_FIELD_WEBSITE);
  g_assert_cmpint (nexus_import_guess_field ("notes"), ==, -1);
}

static void
test_formula_cells (Vault *vault, gconstpointer data)
{
  static const char text[] = "name,phone,city\n"
                             "\"=cmd|' /C calc'!A0\",+33 1 42 00 00 05,Paris\n"
                             "@SUM(A1:A2),+33 1 42 00 00 06,Paris\n"
                             "\"=HYPERLINK(\"\"http://x\"\")\",,\n"
                             ",+33 1 42 00 00 07,-2+3\n";
  g_autofree char  *path = vault_file (vault, "formula.csv", text, -1);
  g_autofree char  *rejects_path = g_build_filename (vault->dir, "rejects.csv", NULL);
  g_autoptr (GFile) rejects_file = g_file_new_for_path (rejects_path);
  g_autoptr (GFileOutputStream) rejects = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusImportSummary) summary = NULL;
  g_autofree char   *first = NULL;
  g_autofree char   *second = NULL;
  g_autofree char   *third = NULL;
  g_autofree char   *written = NULL;
  NexusImportOptions options = { 0 };

  rejects = g_file_create (rejects_file, G_FILE_CREATE_NONE, NULL, &error);
  g_assert_no_error (error);
  options.rejects = G_OUTPUT_STREAM (rejects);
  summary = import_path (vault, path, &options, &error);
  g_assert_no_error (error);
  g_output_stream_close (G_OUTPUT_STREAM (rejects), NULL, &error);
  g_assert_no_error (error);

  /* Stored as the text it is. */
  first = lead_name_of_phone (vault, "+33142000005");
  g_assert_cmpstr (first, ==, "=cmd|' /C calc'!A0");
  second = lead_name_of_phone (vault, "+33142000006");
  g_assert_cmpstr (second, ==, "@SUM(A1:A2)");
  third = sql_text (vault, "SELECT count(*) FROM leads WHERE name LIKE '=HYPERLINK%'");
  g_assert_cmpstr (third, ==, "1");

  /* The rejects file: the row as read, its line and reason; a cell that
   * would run as a formula is defused. */
  g_assert_cmpuint (summary->rejected, ==, 1);
  g_file_get_contents (rejects_path, &written, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (
      written, ==,
      "name,phone,city,line,reason\r\n,+33 1 42 00 00 07,\"'-2+3\",5,missing name\r\n");
}

static void
test_ragged (Vault *vault, gconstpointer data)
{
  g_autoptr (GString) few = g_string_new ("name,phone,city\n");
  g_autoptr (GString) many = g_string_new ("name,phone,city\n");
  g_autofree char *few_path = NULL;
  g_autofree char *many_path = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusImportSummary) summary = NULL;

  /* Two ragged rows in 300: rejected with a reason, the rest imported. */
  for (guint i = 0; i < 300; i++)
    g_string_append_printf (few, "Shop %u,+33 1 43 00 %02u %02u,Paris%s\n", i, i / 100, i % 100,
                            i == 10 || i == 200 ? ",extra" : "");
  few_path = vault_file (vault, "few.csv", few->str, -1);
  summary = import_path (vault, few_path, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summary->n_new, ==, 298);
  g_assert_cmpuint (summary->rejected, ==, 2);
  g_assert_cmpstr (g_array_index (summary->rejections, NexusImportRejection, 0).reason, ==,
                   "4 fields where the header has 3");
  g_assert_cmpuint (g_array_index (summary->rejections, NexusImportRejection, 0).line, ==, 12);

  /* Thirty in sixty: the file is refused, even the good rows. */
  for (guint i = 0; i < 60; i++)
    g_string_append_printf (many, "Stall %u,+33 1 44 00 00 %02u%s\n", i, i,
                            i % 2 ? ",Paris,more" : ",Paris");
  many_path = vault_file (vault, "many.csv", many->str, -1);
  assert_refused (vault, many_path, NEXUS_IMPORT_ERROR, NEXUS_IMPORT_ERROR_RAGGED,
                  "the first on line 3");
}

static void
test_huge_cell (Vault *vault, gconstpointer data)
{
  g_autoptr (GString) text = g_string_new ("name,phone\nGood Shop,+33 1 42 00 00 08\n\"");
  g_autofree char *path = NULL;

  for (guint i = 0; i < 10 * 1024 * 1024 / 16; i++)
    g_string_append (text, "0123456789abcdef");
  g_string_append (text, "\",+33 1 42 00 00 09\n");
  path = vault_file (vault, "huge.csv", text->str, (gssize)text->len);
  assert_refused (vault, path, NEXUS_CSV_ERROR, NEXUS_CSV_ERROR_RECORD_TOO_LONG, "Line 3");
}

/* @n random bytes, the same for the same @seed. */
static GByteArray *
random_bytes (guint32 seed, guint n)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  GByteArray *bytes = g_byte_array_sized_new (n);

  for (guint i = 0; i < n; i++)
    {
      guint8 byte = (guint8)g_rand_int_range (rand, 0, 256);
      g_byte_array_append (bytes, &byte, 1);
    }
  return bytes;
}

static void
test_empty_and_garbage (Vault *vault, gconstpointer data)
{
  g_autoptr (GByteArray) garbage = random_bytes (42, 20000);
  g_autofree char *empty = vault_file (vault, "empty.csv", "", 0);
  g_autofree char *blank = vault_file (vault, "blank.csv", "\n\r\n\n", -1);
  g_autofree char *garbage_path = NULL;
  g_autofree char *zip_as_csv = NULL;

  assert_refused (vault, empty, NEXUS_IMPORT_ERROR, NEXUS_IMPORT_ERROR_EMPTY, NULL);
  assert_refused (vault, blank, NEXUS_IMPORT_ERROR, NEXUS_IMPORT_ERROR_EMPTY, NULL);

  garbage_path = vault_file (vault, "garbage.csv", garbage->data, garbage->len);
  assert_refused (vault, garbage_path, NEXUS_ROW_READER_ERROR, NEXUS_ROW_READER_ERROR_BINARY, NULL);
  zip_as_csv = vault_file (vault, "book.csv", "PK\003\004\024\000\000\000\010\000", 10);
  assert_refused (vault, zip_as_csv, NEXUS_ROW_READER_ERROR, NEXUS_ROW_READER_ERROR_BINARY, "XLSX");
}

static void
test_undecodable (Vault *vault, gconstpointer data)
{
  g_autoptr (GString) late = g_string_new ("name,phone\n");
  g_autoptr (GByteArray) utf16 = g_byte_array_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *late_path = NULL;
  g_autofree char *utf16_path = NULL;
  g_autofree char *head = NULL;
  gsize            length = 0;

  /* Valid UTF-8 for the first 64 KiB, then a Windows-1256 line: the rows
   * before it must not stay. */
  for (guint i = 0; late->len < 100000; i++)
    g_string_append_printf (late, "Shop %u,+33 1 45 %02u %02u %02u\n", i, i / 10000 % 100,
                            i / 100 % 100, i % 100);
  g_string_append (late, "\xE3\xD8\xDA\xE3,+20 100 123 4567\n");
  late_path = vault_file (vault, "late.csv", late->str, (gssize)late->len);
  assert_refused (vault, late_path, NEXUS_IMPORT_ERROR, NEXUS_IMPORT_ERROR_ENCODING,
                  "Windows-1256");

  /* UTF-16 with a BOM and a lone surrogate further on. */
  head = g_convert ("name,phone\nA Shop,+33 1 42 00 00 10\nB Shop,", -1, "UTF-16LE", "UTF-8", NULL,
                    &length, &error);
  g_assert_no_error (error);
  g_byte_array_append (utf16, (const guint8 *)"\xFF\xFE", 2);
  g_byte_array_append (utf16, (const guint8 *)head, (guint)length);
  g_byte_array_append (utf16, (const guint8 *)"\x00\xDC\x41\x00\n\x00", 6);
  utf16_path = vault_file (vault, "broken16.csv", utf16->data, utf16->len);
  assert_refused (vault, utf16_path, NEXUS_ROW_READER_ERROR, NEXUS_ROW_READER_ERROR_ENCODING,
                  "Line 3");
}

/* A small real workbook: shared strings, or inline strings in constant
 * memory mode; numbers, a phone stored as a number, a boolean. */
static char *
write_xlsx (Vault *vault, const char *name, gboolean constant_memory)
{
  g_autofree char     *path = g_build_filename (vault->dir, name, NULL);
  lxw_workbook_options options = { .constant_memory = constant_memory, .tmpdir = vault->dir };
  lxw_workbook        *workbook = workbook_new_opt (path, &options);
  lxw_worksheet       *sheet = workbook_add_worksheet (workbook, "Leads");
  lxw_worksheet       *other = workbook_add_worksheet (workbook, "Notes");
  static const char *header[] = { "الاسم", "الهاتف", "المدينة", "lat", "lon", "open", "notes" };

  for (guint c = 0; c < G_N_ELEMENTS (header); c++)
    worksheet_write_string (sheet, 0, (lxw_col_t)c, header[c], NULL);
  worksheet_write_string (sheet, 1, 0, "صيدلية الشفاء", NULL);
  worksheet_write_number (sheet, 1, 1, 201001234567.0, NULL);
  worksheet_write_string (sheet, 1, 2, "الإسكندرية", NULL);
  worksheet_write_number (sheet, 1, 3, 31.2001, NULL);
  worksheet_write_number (sheet, 1, 4, 29.9187, NULL);
  worksheet_write_boolean (sheet, 1, 5, 1, NULL);
  /* Row 3 left empty: skipped.  Row 4 without a phone, a sparse row. */
  worksheet_write_string (sheet, 3, 0, "=cmd|' /C calc'!A0", NULL);
  worksheet_write_string (sheet, 3, 6, "no phone", NULL);
  worksheet_write_string (sheet, 4, 0, "Hardware & Co <Ltd>", NULL);
  worksheet_write_string (sheet, 4, 1, "+33 1 42 00 00 11", NULL);
  worksheet_write_string (other, 0, 0, "not this sheet", NULL);
  g_assert_cmpint (workbook_close (workbook), ==, LXW_NO_ERROR);
  return g_steal_pointer (&path);
}

static void
test_xlsx (Vault *vault, gconstpointer data)
{
  for (guint mode = 0; mode < 2; mode++)
    {
      g_autofree char *name = g_strdup_printf ("book-%u.xlsx", mode);
      g_autofree char *path = write_xlsx (vault, name, mode == 1);
      g_autoptr (GError) error = NULL;
      g_autoptr (NexusImportSummary) summary = NULL;
      g_autoptr (NexusImportPreview) preview = NULL;
      NexusImportOptions options = { .country = "EG" };
      g_autofree char   *lead = NULL;
      g_autofree char   *lat = NULL;
      g_autofree char   *raw = NULL;

      preview = nexus_import_preview (path, &options, 10, &error);
      g_assert_no_error (error);
      g_assert_cmpint (preview->format, ==, NEXUS_IMPORT_FORMAT_XLSX);
      g_assert_cmpuint (g_strv_length (preview->header), ==, 7);
      g_assert_cmpint (preview->guesses[0], ==, NEXUS_IMPORT_FIELD_NAME);
      g_assert_cmpint (preview->guesses[1], ==, NEXUS_IMPORT_FIELD_PHONE);
      g_assert_cmpint (preview->guesses[5], ==, -1);
      g_assert_cmpuint (preview->rows->len, ==, 3);
      g_assert_cmpstr (((char **)g_ptr_array_index (preview->rows, 0))[1], ==, "201001234567");
      g_assert_cmpstr (((char **)g_ptr_array_index (preview->rows, 0))[5], ==, "TRUE");

      summary = import_path (vault, path, &options, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (summary->rows, ==, 3);
      g_assert_cmpuint (summary->rejected, ==, 0);
      g_assert_cmpuint (summary->preview, ==, mode == 0 ? 1 : 0);

      lead = lead_name_of_phone (vault, "+201001234567");
      g_assert_cmpstr (lead, ==, "صيدلية الشفاء");
      lat = sql_text (vault, "SELECT lat FROM leads WHERE name = 'صيدلية الشفاء'");
      g_assert_cmpfloat_with_epsilon (g_ascii_strtod (lat, NULL), 31.2001, 1e-9);
      g_clear_pointer (&lead, g_free);
      lead = lead_name_of_phone (vault, "+33142000011");
      g_assert_cmpstr (lead, ==, "Hardware & Co <Ltd>");
      raw = sql_text (vault, "SELECT count(*) FROM leads WHERE name = '=cmd|'' /C calc''!A0'");
      g_assert_cmpstr (raw, ==, "1");
    }
  /* The second workbook only re-reports the same rows. */
  g_assert_cmpint (n_leads (vault), ==, 4);
}

/* A ZIP archive of (name, data) pairs, each @sizes[i] bytes (data repeated). */
static char *
write_zip (Vault *vault, const char *name, const char *const *members, const gsize *sizes)
{
  g_autofree char *path = g_build_filename (vault->dir, name, NULL);
  struct archive  *zip = archive_write_new ();

  archive_write_set_format_zip (zip);
  g_assert_cmpint (archive_write_open_filename (zip, path), ==, ARCHIVE_OK);
  for (guint i = 0; members[i] != NULL; i += 2)
    {
      struct archive_entry *entry = archive_entry_new ();
      const char           *text = members[i + 1];
      gsize                 size = sizes[i / 2] > 0 ? sizes[i / 2] : strlen (text);
      gsize                 chunk = strlen (text);

      archive_entry_set_pathname (entry, members[i]);
      archive_entry_set_filetype (entry, AE_IFREG);
      archive_entry_set_perm (entry, 0644);
      archive_entry_set_size (entry, (la_int64_t)size);
      g_assert_cmpint (archive_write_header (zip, entry), ==, ARCHIVE_OK);
      for (gsize written = 0; written < size; written += chunk)
        archive_write_data (zip, text, MIN (chunk, size - written));
      archive_entry_free (entry);
    }
  archive_write_close (zip);
  archive_write_free (zip);
  return g_steal_pointer (&path);
}

static const char workbook_xml[] =
    "<?xml version=\"1.0\"?><workbook xmlns:r=\"r\"><sheets><sheet name=\"A\" sheetId=\"1\" "
    "r:id=\"rId1\"/></sheets></workbook>";
static const char rels_xml[] = "<?xml version=\"1.0\"?><Relationships><Relationship Id=\"rId1\" "
                               "Target=\"worksheets/sheet1.xml\"/></Relationships>";

static void
test_xlsx_hostile (Vault *vault, gconstpointer data)
{
  g_autofree char *good = write_xlsx (vault, "good.xlsx", FALSE);
  g_autofree char *contents = NULL;
  g_autofree char *truncated = NULL;
  g_autofree char *corrupt = NULL;
  g_autofree char *bomb = NULL;
  g_autofree char *broken_xml = NULL;
  g_autofree char *no_workbook = NULL;
  g_autofree char *bad_string = NULL;
  g_autoptr (GError) error = NULL;
  gsize length = 0;

  g_file_get_contents (good, &contents, &length, &error);
  g_assert_no_error (error);

  truncated = vault_file (vault, "truncated.xlsx", contents, (gssize)(length / 2));
  assert_refused (vault, truncated, NEXUS_XLSX_ERROR, NEXUS_XLSX_ERROR_DAMAGED, "truncated");

  /* Compressed data overwritten in the middle of the archive. */
  memset (contents + length / 3, 0x5A, 200);
  corrupt = vault_file (vault, "corrupt.xlsx", contents, (gssize)length);
  {
    g_autofree char *before = fingerprint (vault);
    g_autofree char *after = NULL;
    g_autoptr (GError) corrupt_error = NULL;
    g_autoptr (NexusImportSummary) summary = import_path (vault, corrupt, NULL, &corrupt_error);

    g_assert_null (summary);
    g_assert_true (corrupt_error->domain == NEXUS_XLSX_ERROR);
    after = fingerprint (vault);
    g_assert_cmpstr (after, ==, before);
  }

  /* 40 MiB of one byte packed into a few dozen KiB. */
  {
    const char *const members[] = { "xl/workbook.xml",
                                    workbook_xml,
                                    "xl/_rels/workbook.xml.rels",
                                    rels_xml,
                                    "xl/worksheets/sheet1.xml",
                                    "                                ",
                                    NULL };
    const gsize       sizes[] = { 0, 0, 40 * 1024 * 1024 };

    bomb = write_zip (vault, "bomb.xlsx", members, sizes);
    assert_refused (vault, bomb, NEXUS_XLSX_ERROR, NEXUS_XLSX_ERROR_TOO_LARGE, "zip bomb");
  }
  {
    const char *const members[] = { "xl/workbook.xml",
                                    workbook_xml,
                                    "xl/_rels/workbook.xml.rels",
                                    rels_xml,
                                    "xl/worksheets/sheet1.xml",
                                    "<worksheet><sheetData><row r=\"1\"><c t=\"inlineStr\"><is><t>"
                                    "name</t></is></c></row><row r=\"2\"><c><v>1</v></row>",
                                    NULL };
    const gsize       sizes[] = { 0, 0, 0 };

    broken_xml = write_zip (vault, "broken.xlsx", members, sizes);
    assert_refused (vault, broken_xml, NEXUS_XLSX_ERROR, NEXUS_XLSX_ERROR_MALFORMED, "sheet1.xml");
  }
  {
    const char *const members[] = { "xl/workbook.xml",
                                    workbook_xml,
                                    "xl/_rels/workbook.xml.rels",
                                    rels_xml,
                                    "xl/worksheets/sheet1.xml",
                                    "<worksheet><sheetData><row r=\"1\"><c t=\"s\"><v>7</v></c>"
                                    "</row></sheetData></worksheet>",
                                    NULL };
    const gsize       sizes[] = { 0, 0, 0 };

    bad_string = write_zip (vault, "badstring.xlsx", members, sizes);
    assert_refused (vault, bad_string, NEXUS_XLSX_ERROR, NEXUS_XLSX_ERROR_MALFORMED,
                    "shared string");
  }
  {
    const char *const members[] = { "docProps/app.xml", "<Properties/>", NULL };
    const gsize       sizes[] = { 0 };

    no_workbook = write_zip (vault, "plain.xlsx", members, sizes);
    assert_refused (vault, no_workbook, NEXUS_XLSX_ERROR, NEXUS_XLSX_ERROR_NOT_XLSX, "workbook");
  }
}

static void
test_geojson (Vault *vault, gconstpointer data)
{
  static const char text[] =
      "{\"type\":\"FeatureCollection\",\"features\":["
      "{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[31.2357,30.0444]},"
      "\"properties\":{\"name\":\"مكتبة المعرفة\",\"phone\":\"+20 2 2345 6780\",\"category\":"
      "\"books\",\"rating\":4.5}},"
      "{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[2.35,48.85]},"
      "\"properties\":{\"name\":\"Le Zinc\",\"phone\":\"+33 1 42 00 00 12\",\"open\":true,"
      "\"id\":77}},"
      "{\"type\":\"Feature\",\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[0,0],[1,1]]},"
      "\"properties\":{\"name\":\"A road\"}}]}";
  g_autofree char *path = vault_file (vault, "places.geojson", text, -1);
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusImportSummary) summary = import_path (vault, path, NULL, &error);
  g_autofree char *lon = NULL;
  g_autofree char *category = NULL;
  g_autofree char *ref = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (summary->format, ==, NEXUS_IMPORT_FORMAT_GEOJSON);
  g_assert_cmpuint (summary->rows, ==, 3);
  g_assert_cmpuint (summary->n_new, ==, 2);
  g_assert_cmpuint (summary->rejected, ==, 1);
  g_assert_cmpuint (g_array_index (summary->rejections, NexusImportRejection, 0).line, ==, 3);
  g_assert_cmpstr (g_array_index (summary->rejections, NexusImportRejection, 0).reason, ==,
                   "not a Point feature");
  lon = sql_text (vault, "SELECT lon FROM leads WHERE name = 'مكتبة المعرفة'");
  g_assert_cmpfloat_with_epsilon (g_ascii_strtod (lon, NULL), 31.2357, 1e-9);
  category = sql_text (vault, "SELECT count(*) FROM lead_sources WHERE ref = '77'");
  g_assert_cmpstr (category, ==, "1");
  ref = sql_text (vault, "SELECT count(*) FROM leads WHERE name = 'A road'");
  g_assert_cmpstr (ref, ==, "0");

  {
    g_autofree char *not_collection =
        vault_file (vault, "point.geojson", "{\"type\":\"Point\",\"coordinates\":[1,2]}", -1);
    g_autofree char *not_json = vault_file (vault, "bad.json", "{\"type\":", -1);

    assert_refused (vault, not_collection, NEXUS_ROW_READER_ERROR, NEXUS_ROW_READER_ERROR_GEOJSON,
                    "FeatureCollection");
    assert_refused (vault, not_json, NEXUS_ROW_READER_ERROR, NEXUS_ROW_READER_ERROR_GEOJSON, NULL);
  }
}

/* The apostrophe the exporter puts before formula-like text is dropped;
 * any other leading apostrophe stays. */
static void
test_formula_escape_dropped (Vault *vault, gconstpointer data)
{
  static const char text[] = "name,phone,city\n"
                             "'=SUM(A1:A2),'+33 1 42 00 00 30,'-Nord\n"
                             "'Tis the Season,+33 1 42 00 00 31,''=x\n"
                             "\"'@Home, Café\",'+33142000032,'Paris\n";
  g_autofree char  *path = vault_file (vault, "escaped.csv", text, -1);
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusImportSummary) summary = import_path (vault, path, NULL, &error);
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *third = NULL;
  g_autofree char *cities = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (summary->n_new, ==, 3);
  /* The phones escaped as text come back as the same E.164. */
  first = lead_name_of_phone (vault, "+33142000030");
  g_assert_cmpstr (first, ==, "=SUM(A1:A2)");
  second = lead_name_of_phone (vault, "+33142000031");
  g_assert_cmpstr (second, ==, "'Tis the Season");
  third = lead_name_of_phone (vault, "+33142000032");
  g_assert_cmpstr (third, ==, "@Home, Café");
  cities = sql_text (vault, "SELECT group_concat (city, '|') FROM (SELECT city FROM leads"
                            " WHERE name <> 'Old Bakery' ORDER BY id)");
  g_assert_cmpstr (cities, ==, "-Nord|''=x|'Paris");
}

static void
test_json (Vault *vault, gconstpointer data)
{
  static const char array[] =
      "[{\"name\":\"مكتبة الشروق\",\"phone_e164\":\"+20 2 2345 6781\",\"other_phones\":"
      "[\"+20 100 123 4568\",\"+20 100 123 4569\"],\"lat\":30.0444,\"lon\":31.2357,"
      "\"rating\":4.5,\"reviews\":12,\"tags\":{\"shop\":\"books\"}},\n"
      " {\"name\":{\"en\":\"Nested\"},\"phone_e164\":\"+33 1 42 00 00 40\"},\n"
      " {\"name\":\"Listed City\",\"phone_e164\":\"+33 1 42 00 00 41\",\"city\":[\"Paris\"]},\n"
      " {\"name\":\"Le Zinc\",\"phone_e164\":\"+33 1 42 00 00 42\",\"open\":true,\"id\":78}]";
  static const char lines[] = "{\"name\":\"Kiosk One\",\"phone\":\"+33 1 42 00 00 43\","
                              "\"rating\":\"★★★★\",\"reviews\":-3}\r\n"
                              "\n"
                              "{\"name\":\"Kiosk Two\",\"phone\":[\"+33 1 42 00 00 44\",[1]]}\n"
                              "{\"name\":\"Kiosk Three\",\"city\":\"Lyon\",\"phone\":null}\n";
  g_autofree char  *array_path = vault_file (vault, "leads.json", array, -1);
  g_autofree char  *lines_path = vault_file (vault, "leads.ndjson", lines, -1);
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusImportSummary) summary = import_path (vault, array_path, NULL, &error);
  g_autoptr (NexusImportSummary) ndjson = NULL;
  g_autofree char *phones = NULL;
  g_autofree char *rating = NULL;
  g_autofree char *lon = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (summary->format, ==, NEXUS_IMPORT_FORMAT_JSON);
  g_assert_cmpuint (summary->rows, ==, 4);
  g_assert_cmpuint (summary->n_new, ==, 2);
  g_assert_cmpuint (summary->rejected, ==, 2);
  g_assert_cmpuint (g_array_index (summary->rejections, NexusImportRejection, 0).line, ==, 2);
  g_assert_cmpstr (g_array_index (summary->rejections, NexusImportRejection, 0).reason, ==,
                   "name: an object where one value is expected");
  g_assert_cmpuint (g_array_index (summary->rejections, NexusImportRejection, 1).line, ==, 3);
  g_assert_cmpstr (g_array_index (summary->rejections, NexusImportRejection, 1).reason, ==,
                   "city: a list where one value is expected");
  /* A list of phones is several phones; a column of no field may hold
   * anything. */
  phones = sql_text (vault, "SELECT group_concat (e164, ' ') FROM (SELECT p.e164 FROM lead_phones"
                            " p JOIN leads l ON l.id = p.lead_id WHERE l.name = 'مكتبة الشروق'"
                            " ORDER BY p.e164)");
  g_assert_cmpstr (phones, ==, "+201001234568 +201001234569 +20223456781");
  rating =
      sql_text (vault, "SELECT rating || '/' || reviews FROM leads WHERE name = 'مكتبة الشروق'");
  g_assert_cmpstr (rating, ==, "4.5/12");
  lon = sql_text (vault, "SELECT lon FROM leads WHERE name = 'مكتبة الشروق'");
  g_assert_cmpfloat_with_epsilon (g_ascii_strtod (lon, NULL), 31.2357, 1e-9);

  ndjson = import_path (vault, lines_path, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ndjson->format, ==, NEXUS_IMPORT_FORMAT_NDJSON);
  g_assert_cmpuint (ndjson->rows, ==, 3);
  g_assert_cmpuint (ndjson->n_new, ==, 1);
  g_assert_cmpuint (ndjson->preview, ==, 1);
  /* Lines of the file, blank ones counted. */
  g_assert_cmpuint (g_array_index (ndjson->rejections, NexusImportRejection, 0).line, ==, 3);
  g_assert_cmpstr (g_array_index (ndjson->rejections, NexusImportRejection, 0).reason, ==,
                   "phone: a list holding lists or objects");
  /* A rating that is not a number is left out, not a reason to refuse. */
  g_clear_pointer (&rating, g_free);
  rating = sql_text (vault, "SELECT quote (rating) || '/' || quote (reviews) FROM leads"
                            " WHERE name = 'Kiosk One'");
  g_assert_cmpstr (rating, ==, "NULL/NULL");
}

/* A file of @length bytes of @data, refused as a whole. */
static void
assert_file_refused (Vault      *vault,
                     const char *name,
                     const char *data,
                     gssize      length,
                     GQuark      domain,
                     int         code,
                     const char *words)
{
  g_autofree char *path = vault_file (vault, name, data, length);

  assert_refused (vault, path, domain, code, words);
}

static void
test_json_hostile (Vault *vault, gconstpointer data)
{
  g_autoptr (GString) huge = g_string_new ("[{\"name\":\"Fine\",\"phone\":\"+33 1 42 00 00 50\"},\n"
                                           "{\"name\":\"");
  g_autoptr (GString) late = g_string_new (NULL);
  g_autoptr (GByteArray) garbage = random_bytes (7, 20000);

  /* Malformed JSON, or not leads: nothing imported, whatever came first. */
  assert_file_refused (vault, "cut.json", "[{\"name\":\"A\",\"phone\":\"+33 1 42 00 00 51\"},{\"na",
                       -1, NEXUS_ROW_READER_ERROR, NEXUS_ROW_READER_ERROR_JSON, "JSON");
  assert_file_refused (vault, "text.json", "\"just text\"", -1, NEXUS_ROW_READER_ERROR,
                       NEXUS_ROW_READER_ERROR_JSON, "not an array");
  assert_file_refused (vault, "numbers.json", "[{\"name\":\"A\"}, 2, 3]", -1,
                       NEXUS_ROW_READER_ERROR, NEXUS_ROW_READER_ERROR_JSON, "Item 2");
  for (guint i = 0; i < 2000; i++)
    g_string_append_printf (late, "{\"name\":\"Stall %u\",\"phone\":\"+33 1 47 00 %02u %02u\"}\n",
                            i, i / 100, i % 100);
  g_string_append (late, "{\"name\":\"Broken\",\n");
  assert_file_refused (vault, "late.ndjson", late->str, -1, NEXUS_ROW_READER_ERROR,
                       NEXUS_ROW_READER_ERROR_JSON, "Line 2001");
  assert_file_refused (vault, "array-line.ndjson", "{\"name\":\"A\"}\n[1]\n", -1,
                       NEXUS_ROW_READER_ERROR, NEXUS_ROW_READER_ERROR_JSON, "Line 2");

  /* A 10 MB value. */
  for (guint i = 0; i < 10 * 1024 * 1024 / 16; i++)
    g_string_append (huge, "0123456789abcdef");
  g_string_append (huge, "\"}]");
  assert_file_refused (vault, "huge.json", huge->str, (gssize)huge->len, NEXUS_ROW_READER_ERROR,
                       NEXUS_ROW_READER_ERROR_TOO_LARGE, "Item 2");
  g_string_erase (huge, 0, 1);
  g_string_truncate (huge, huge->len - 1);
  g_strdelimit (huge->str, "\n", ' ');
  g_string_insert_c (huge, strstr (huge->str, "}, ") - huge->str + 1, '\n');
  assert_file_refused (vault, "huge.ndjson", huge->str, (gssize)huge->len, NEXUS_ROW_READER_ERROR,
                       NEXUS_ROW_READER_ERROR_TOO_LARGE, "Line 2");

  /* Empty, wrong encoding, binary garbage. */
  assert_file_refused (vault, "empty.json", "", 0, NEXUS_IMPORT_ERROR, NEXUS_IMPORT_ERROR_EMPTY,
                       NULL);
  assert_file_refused (vault, "none.json", " [ ] ", -1, NEXUS_IMPORT_ERROR,
                       NEXUS_IMPORT_ERROR_EMPTY, NULL);
  assert_file_refused (vault, "blank.ndjson", "\n \r\n", -1, NEXUS_IMPORT_ERROR,
                       NEXUS_IMPORT_ERROR_EMPTY, NULL);
  assert_file_refused (
      vault, "cp1256.ndjson",
      "{\"name\":\"A\",\"phone\":\"+33 1 42 00 00 52\"}\n{\"name\":\"\xE3\xD8\"}\n", -1,
      NEXUS_ROW_READER_ERROR, NEXUS_ROW_READER_ERROR_ENCODING, "Line 2");
  garbage->data[0] = '[';
  assert_file_refused (vault, "garbage.json", (const char *)garbage->data, garbage->len,
                       NEXUS_ROW_READER_ERROR, NEXUS_ROW_READER_ERROR_BINARY, NULL);
  g_assert_cmpint (n_leads (vault), ==, 1);
}

static void
test_dry_run (Vault *vault, gconstpointer data)
{
  static const char text[] = "name,phone,city\n"
                             "Old Bakery,+33 1 42 00 00 01,Paris\n"
                             "New Florist,+33 1 42 00 00 13,Paris\n"
                             "New Florist (2),+33 1 42 00 00 13,Paris\n"
                             "No Phone Cafe,,Paris\n"
                             ",+33 1 42 00 00 14,Paris\n";
  g_autofree char  *path = vault_file (vault, "dry.csv", text, -1);
  g_autofree char  *before = fingerprint (vault);
  g_autofree char  *after = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusImportSummary) checked = NULL;
  g_autoptr (NexusImportSummary) imported = NULL;
  NexusImportOptions options = { .dry_run = TRUE };

  checked = import_path (vault, path, &options, &error);
  g_assert_no_error (error);
  g_assert_true (checked->dry_run);
  g_assert_cmpuint (checked->n_new, ==, 1);
  g_assert_cmpuint (checked->merged, ==, 2);
  g_assert_cmpuint (checked->preview, ==, 1);
  g_assert_cmpuint (checked->rejected, ==, 1);
  after = fingerprint (vault);
  g_assert_cmpstr (after, ==, before);

  /* The real import does what the dry run said. */
  options.dry_run = FALSE;
  imported = import_path (vault, path, &options, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (imported->n_new, ==, checked->n_new);
  g_assert_cmpuint (imported->merged, ==, checked->merged);
  g_assert_cmpuint (imported->preview, ==, checked->preview);
  g_assert_cmpuint (imported->rejected, ==, checked->rejected);
  g_assert_cmpint (n_leads (vault), ==, 3);
}

static void
cancel_cb (const NexusImportSummary *summary, double fraction, gpointer user_data)
{
  g_assert_cmpfloat (fraction, >, 0);
  g_cancellable_cancel (user_data);
}

static void
test_cancel (Vault *vault, gconstpointer data)
{
  g_autoptr (GString) text = g_string_new ("name,phone\n");
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (NexusImportSummary) summary = nexus_import_summary_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char   *path = NULL;
  g_autofree char   *before = fingerprint (vault);
  g_autofree char   *after = NULL;
  NexusImportOptions options = { .batch_size = 10 };

  for (guint i = 0; i < 100; i++)
    g_string_append_printf (text, "Kiosk %u,+33 1 46 00 00 %02u\n", i, i);
  path = vault_file (vault, "cancel.csv", text->str, -1);
  g_assert_false (nexus_import_file (vault->ingest, path, &options, summary, cancel_cb, cancellable,
                                     cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* The first batch went through the pipeline, and was rolled back. */
  g_assert_cmpuint (summary->n_new, ==, 10);
  after = fingerprint (vault);
  g_assert_cmpstr (after, ==, before);
}

static void
add_test (const char *path, void (*func) (Vault *, gconstpointer))
{
  g_test_add (path, Vault, NULL, vault_open, func, vault_close);
}

int
main (int argc, char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  add_test ("/nexus/Import/csv-windows-1256", test_windows_1256);
  add_test ("/nexus/Import/csv-utf16", test_utf16);
  add_test ("/nexus/Import/csv-utf8-bom-and-guesses", test_utf8_bom_and_guesses);
  add_test ("/nexus/Import/formula-cells-are-text", test_formula_cells);
  add_test ("/nexus/Import/ragged-rows", test_ragged);
  add_test ("/nexus/Import/huge-cell", test_huge_cell);
  add_test ("/nexus/Import/empty-and-garbage", test_empty_and_garbage);
  add_test ("/nexus/Import/undecodable", test_undecodable);
  add_test ("/nexus/Import/xlsx", test_xlsx);
  add_test ("/nexus/Import/xlsx-hostile", test_xlsx_hostile);
  add_test ("/nexus/Import/geojson", test_geojson);
  add_test ("/nexus/Import/csv-formula-escape-dropped", test_formula_escape_dropped);
  add_test ("/nexus/Import/json-and-ndjson", test_json);
  add_test ("/nexus/Import/json-hostile", test_json_hostile);
  add_test ("/nexus/Import/dry-run-writes-nothing", test_dry_run);
  add_test ("/nexus/Import/cancel-rolls-back", test_cancel);
  return g_test_run ();
}
