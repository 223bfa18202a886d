/* nexus-backup.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nexus-ops"

#include "config.h"

#include <inttypes.h>

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <unistd.h>

#include "nexus-backup.h"
#include "store/nexus-store-ops.h"

#define MANIFEST_NAME  "manifest.json"
#define DATABASE_NAME  "nexus.db"
#define FORMAT_NAME    "nexus-backup"
#define FORMAT_VERSION 1
#define CHUNK_SIZE     (64 * 1024)
#define MAX_MANIFEST   (1024 * 1024)
/* How long a restore waits for other connections to let the file go. */
#define LOCK_TIMEOUT_MS 250

struct _NexusRestore
{
  /* The verified database, extracted beside db_path; removed on free
   * unless the commit renamed it. */
  char *extracted;
  /* The database the restore replaces. */
  char *db_path;
  /* What the archive holds. */
  NexusBackupInfo *info;
};

/* clang-format off */
G_DEFINE_QUARK (nexus-backup-error-quark, nexus_backup_error)
/* clang-format on */

/* The same libarchive type, freed two ways. */
typedef struct archive ArchiveWriter;
typedef struct archive ArchiveReader;

static void
archive_writer_free (ArchiveWriter *handle)
{
  archive_write_free (handle);
}

static void
archive_reader_free (ArchiveReader *handle)
{
  archive_read_free (handle);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArchiveWriter, archive_writer_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArchiveReader, archive_reader_free)

void
nexus_backup_info_free (NexusBackupInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->program_version);
  g_free (info->created_at);
  g_strfreev (info->tables);
  g_free (info->counts);
  g_free (info);
}

/* @format describes the step; ": " and the system's reason follow. */
static void G_GNUC_PRINTF (3, 4) set_errno_error (GError **error, int err, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list          args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, NEXUS_BACKUP_ERROR, NEXUS_BACKUP_ERROR_FAILED, "%s: %s", message,
               g_strerror (err));
}

/* Makes a rename in @dir durable. */
static void
sync_folder (const char *dir)
{
  int fd = g_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);

  if (fd >= 0)
    {
      fsync (fd);
      close (fd);
    }
}

static gboolean
file_sha256 (const char *path, char **out_hex, gint64 *out_size, GError **error)
{
  g_autoptr (GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guchar *buffer = g_malloc (CHUNK_SIZE);
  gint64             size = 0;
  ssize_t            n;
  int                fd;

  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      set_errno_error (error, errno, _ ("Cannot read “%s”"), path);
      return FALSE;
    }
  while ((n = read (fd, buffer, CHUNK_SIZE)) > 0)
    {
      g_checksum_update (checksum, buffer, n);
      size += n;
    }
  if (n < 0)
    {
      int err = errno;
      close (fd);
      set_errno_error (error, err, _ ("Cannot read “%s”"), path);
      return FALSE;
    }
  close (fd);
  *out_hex = g_strdup (g_checksum_get_string (checksum));
  *out_size = size;
  return TRUE;
}

static NexusBackupInfo *
info_from_file (const NexusStoreFileInfo *file, const char *created_at, gint64 database_size)
{
  const char *const *tables = nexus_store_get_table_names ();
  NexusBackupInfo   *info = g_new0 (NexusBackupInfo, 1);

  info->program_version = g_strdup (PACKAGE_VERSION);
  info->created_at = g_strdup (created_at);
  info->schema_version = (int)file->schema_version;
  info->database_size = database_size;
  info->tables = g_strdupv ((char **)tables);
  info->counts = g_memdup2 (file->counts, sizeof (gint64) * file->n_counts);
  return info;
}

static char *
build_manifest (const NexusBackupInfo *info, const NexusStoreFileInfo *file, const char *sha256)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "format");
  json_builder_add_string_value (builder, FORMAT_NAME);
  json_builder_set_member_name (builder, "format_version");
  json_builder_add_int_value (builder, FORMAT_VERSION);
  json_builder_set_member_name (builder, "program");
  json_builder_add_string_value (builder, "nexus");
  json_builder_set_member_name (builder, "program_version");
  json_builder_add_string_value (builder, info->program_version);
  json_builder_set_member_name (builder, "schema_version");
  json_builder_add_int_value (builder, info->schema_version);
  json_builder_set_member_name (builder, "application_id");
  json_builder_add_int_value (builder, file->application_id);
  json_builder_set_member_name (builder, "created_at");
  json_builder_add_string_value (builder, info->created_at);
  json_builder_set_member_name (builder, "tables");
  json_builder_begin_object (builder);
  for (guint i = 0; info->tables[i] != NULL; i++)
    {
      json_builder_set_member_name (builder, info->tables[i]);
      json_builder_add_int_value (builder, info->counts[i]);
    }
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "members");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, DATABASE_NAME);
  json_builder_set_member_name (builder, "size");
  json_builder_add_int_value (builder, info->database_size);
  json_builder_set_member_name (builder, "sha256");
  json_builder_add_string_value (builder, sha256);
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  return json_generator_to_data (generator, NULL);
}

static gboolean
archive_failed (struct archive *handle, const char *zip_path, GError **error)
{
  g_set_error (error, NEXUS_BACKUP_ERROR, NEXUS_BACKUP_ERROR_FAILED,
               _ ("Cannot write the backup “%s”: %s"), zip_path,
               archive_error_string (handle) != NULL ? archive_error_string (handle)
                                                     : g_strerror (archive_errno (handle)));
  return FALSE;
}

static gboolean
write_header (struct archive *handle, const char *zip_path, const char *name, gint64 size)
{
  struct archive_entry *entry = archive_entry_new ();
  int                   rc;

  archive_entry_set_pathname (entry, name);
  archive_entry_set_size (entry, size);
  archive_entry_set_filetype (entry, AE_IFREG);
  archive_entry_set_perm (entry, 0600);
  archive_entry_set_mtime (entry, g_get_real_time () / G_USEC_PER_SEC, 0);
  rc = archive_write_header (handle, entry);
  archive_entry_free (entry);
  return rc == ARCHIVE_OK;
}

static gboolean
write_archive (int           fd,
               const char   *zip_path,
               const char   *manifest,
               const char   *db_path,
               gint64        db_size,
               GCancellable *cancellable,
               GError      **error)
{
  g_autoptr (ArchiveWriter) handle = archive_write_new ();
  g_autofree guchar *buffer = g_malloc (CHUNK_SIZE);
  gsize              manifest_length = strlen (manifest);
  ssize_t            n;
  int                db_fd;

  if (archive_write_set_format_zip (handle) != ARCHIVE_OK ||
      archive_write_zip_set_compression_deflate (handle) != ARCHIVE_OK ||
      archive_write_open_fd (handle, fd) != ARCHIVE_OK)
    return archive_failed (handle, zip_path, error);

  if (!write_header (handle, zip_path, MANIFEST_NAME, manifest_length) ||
      archive_write_data (handle, manifest, manifest_length) != (la_ssize_t)manifest_length ||
      archive_write_finish_entry (handle) != ARCHIVE_OK)
    return archive_failed (handle, zip_path, error);

  if (!write_header (handle, zip_path, DATABASE_NAME, db_size))
    return archive_failed (handle, zip_path, error);
  db_fd = g_open (db_path, O_RDONLY | O_CLOEXEC, 0);
  if (db_fd < 0)
    {
      set_errno_error (error, errno, _ ("Cannot read “%s”"), db_path);
      return FALSE;
    }
  while ((n = read (db_fd, buffer, CHUNK_SIZE)) > 0)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          close (db_fd);
          return FALSE;
        }
      if (archive_write_data (handle, buffer, n) != n)
        {
          close (db_fd);
          return archive_failed (handle, zip_path, error);
        }
    }
  close (db_fd);
  if (n < 0)
    {
      set_errno_error (error, errno, _ ("Cannot read “%s”"), db_path);
      return FALSE;
    }
  if (archive_write_finish_entry (handle) != ARCHIVE_OK ||
      archive_write_close (handle) != ARCHIVE_OK)
    return archive_failed (handle, zip_path, error);
  return TRUE;
}

/* Puts @tmp_path in place as @zip_path: link() refuses to replace an
 * existing file, rename() replaces it atomically. */
static gboolean
install_archive (const char *tmp_path, const char *zip_path, gboolean force, GError **error)
{
  if (force)
    {
      if (g_rename (tmp_path, zip_path) != 0)
        {
          set_errno_error (error, errno, _ ("Cannot write the backup “%s”"), zip_path);
          return FALSE;
        }
      return TRUE;
    }

  if (link (tmp_path, zip_path) != 0)
    {
      int err = errno;

      if (err == EEXIST)
        g_set_error (error, NEXUS_BACKUP_ERROR, NEXUS_BACKUP_ERROR_EXISTS,
                     _ ("“%s” already exists; use --force to replace it"), zip_path);
      else
        set_errno_error (error, err, _ ("Cannot write the backup “%s”"), zip_path);
      return FALSE;
    }
  g_unlink (tmp_path);
  return TRUE;
}

/**
 * nexus_backup_pack_file:
 * @db_path: a complete database file (no WAL), e.g. a snapshot
 *
 * Packs @db_path as it is, with its manifest, into @zip_path.  The file's
 * own schema version and row counts go into the manifest.
 *
 * Returns: (transfer full): what the archive holds, or %NULL with @error
 */
NexusBackupInfo *
nexus_backup_pack_file (const char      *db_path,
                        const char      *zip_path,
                        NexusBackupFlags flags,
                        GCancellable    *cancellable,
                        GError         **error)
{
  g_auto (NexusStoreFileInfo) file = { 0 };
  g_autoptr (NexusBackupInfo) info = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *created_at = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
  g_autofree char *zip_dir = g_path_get_dirname (zip_path);
  g_autofree char *tmp_path = NULL;
  g_autofree char *sha256 = NULL;
  g_autofree char *manifest = NULL;
  gboolean         force = (flags & NEXUS_BACKUP_FORCE) != 0;
  GStatBuf         st;
  gint64           db_size = 0;
  int              fd;

  g_return_val_if_fail (db_path != NULL && zip_path != NULL, NULL);

  if (!force && g_file_test (zip_path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, NEXUS_BACKUP_ERROR, NEXUS_BACKUP_ERROR_EXISTS,
                   _ ("“%s” already exists; use --force to replace it"), zip_path);
      return NULL;
    }

  if (!nexus_store_ops_inspect_file (db_path, FALSE, &file, error) ||
      !file_sha256 (db_path, &sha256, &db_size, error))
    return NULL;

  info = info_from_file (&file, created_at, db_size);
  manifest = build_manifest (info, &file, sha256);

  tmp_path = g_strconcat (zip_path, ".tmp-XXXXXX", NULL);
  fd = g_mkstemp_full (tmp_path, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      set_errno_error (error, errno, _ ("Cannot write in the folder of “%s”"), zip_path);
      return NULL;
    }

  if (!write_archive (fd, zip_path, manifest, db_path, db_size, cancellable, error))
    goto fail;
  if (fsync (fd) != 0)
    {
      set_errno_error (error, errno, _ ("Cannot write the backup “%s”"), zip_path);
      goto fail;
    }
  close (fd);
  fd = -1;

  if (!install_archive (tmp_path, zip_path, force, error))
    goto fail;
  sync_folder (zip_dir);

  if (g_stat (zip_path, &st) == 0)
    info->archive_size = st.st_size;
  return g_steal_pointer (&info);

fail:
  if (fd >= 0)
    close (fd);
  g_unlink (tmp_path);
  return NULL;
}

/**
 * nexus_backup_create:
 * @store: a store of the database, read-only is enough; not in a
 *   transaction
 * @zip_path: the archive to write
 *
 * Writes a snapshot of @store's database into a temporary folder beside
 * @zip_path, checks it, packs it and removes the snapshot.
 *
 * Returns: (transfer full): what the archive holds, or %NULL with @error
 */
NexusBackupInfo *
nexus_backup_create (NexusStore      *store,
                     const char      *zip_path,
                     NexusBackupFlags flags,
                     GCancellable    *cancellable,
                     GError         **error)
{
  g_auto (NexusStoreFileInfo) file = { 0 };
  g_autofree char *zip_dir = NULL;
  g_autofree char *work_dir = NULL;
  g_autofree char *snapshot = NULL;
  NexusBackupInfo *info = NULL;

  g_return_val_if_fail (NEXUS_IS_STORE (store), NULL);
  g_return_val_if_fail (zip_path != NULL, NULL);

  if ((flags & NEXUS_BACKUP_FORCE) == 0 && g_file_test (zip_path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, NEXUS_BACKUP_ERROR, NEXUS_BACKUP_ERROR_EXISTS,
                   _ ("“%s” already exists; use --force to replace it"), zip_path);
      return NULL;
    }

  /* The snapshot sits on the archive's file system: it needs the room
   * there anyway, and /tmp may be small. */
  zip_dir = g_path_get_dirname (zip_path);
  work_dir = g_build_filename (zip_dir, ".nexus-backup-XXXXXX", NULL);
  if (g_mkdtemp_full (work_dir, 0700) == NULL)
    {
      set_errno_error (error, errno, _ ("Cannot write in the folder of “%s”"), zip_path);
      return NULL;
    }
  snapshot = g_build_filename (work_dir, DATABASE_NAME, NULL);

  if (!nexus_store_ops_vacuum_into (store, snapshot, error))
    goto out;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    goto out;

  /* A backup that cannot be restored is worse than none. */
  if (!nexus_store_ops_inspect_file (snapshot, TRUE, &file, error))
    goto out;
  if (g_strcmp0 (file.integrity, "ok") != 0)
    {
      g_set_error (error, NEXUS_BACKUP_ERROR, NEXUS_BACKUP_ERROR_FAILED,
                   _ ("The snapshot of “%s” fails its integrity check (%s); run nexusctl "
                      "validate"),
                   nexus_store_get_path (store), file.integrity);
      goto out;
    }

  info = nexus_backup_pack_file (snapshot, zip_path, flags, cancellable, error);

out:
  g_unlink (snapshot);
  g_rmdir (work_dir);
  return info;
}

static gboolean
invalid (GError **error, const char *zip_path, const char *why)
{
  g_set_error (error, NEXUS_BACKUP_ERROR, NEXUS_BACKUP_ERROR_INVALID,
               _ ("“%s” is not a usable Nexus backup: %s. Nothing was changed."), zip_path, why);
  return FALSE;
}

static gboolean
archive_read_failed (struct archive *handle, const char *zip_path, GError **error)
{
  g_autofree char *detail =
      g_strdup (archive_error_string (handle) != NULL ? archive_error_string (handle) : "?");
  g_autofree char *why =
      g_strdup_printf (_ ("the archive is truncated or damaged (%s)"), g_strstrip (detail));

  return invalid (error, zip_path, why);
}

/* Extracts the members: the manifest into memory, the database into
 * @extracted while hashing it. */
static gboolean
extract (const char   *zip_path,
         const char   *extracted,
         GString     **out_manifest,
         char        **out_sha256,
         gint64       *out_size,
         GCancellable *cancellable,
         GError      **error)
{
  g_autoptr (ArchiveReader) handle = archive_read_new ();
  g_autoptr (GString) manifest = NULL;
  g_autoptr (GChecksum) checksum = NULL;
  g_autofree guchar    *buffer = g_malloc (CHUNK_SIZE);
  struct archive_entry *entry;
  gint64                size = 0;
  int                   rc;

  archive_read_support_format_zip (handle);
  if (archive_read_open_filename (handle, zip_path, CHUNK_SIZE) != ARCHIVE_OK)
    return archive_read_failed (handle, zip_path, error);

  while ((rc = archive_read_next_header (handle, &entry)) == ARCHIVE_OK)
    {
      const char *name = archive_entry_pathname (entry);
      la_ssize_t  n;

      if (g_strcmp0 (name, MANIFEST_NAME) == 0 && manifest == NULL)
        {
          manifest = g_string_new (NULL);
          while ((n = archive_read_data (handle, buffer, CHUNK_SIZE)) > 0)
            {
              if (manifest->len + n > MAX_MANIFEST)
                return invalid (error, zip_path, _ ("its manifest is too large"));
              g_string_append_len (manifest, (const char *)buffer, n);
            }
        }
      else if (g_strcmp0 (name, DATABASE_NAME) == 0 && checksum == NULL)
        {
          int fd = g_open (extracted, O_WRONLY | O_TRUNC | O_CLOEXEC, 0600);

          if (fd < 0)
            {
              set_errno_error (error, errno, _ ("Cannot write “%s”"), extracted);
              return FALSE;
            }
          checksum = g_checksum_new (G_CHECKSUM_SHA256);
          while ((n = archive_read_data (handle, buffer, CHUNK_SIZE)) > 0)
            {
              if (g_cancellable_is_cancelled (cancellable) || write (fd, buffer, n) != n)
                {
                  int err = errno;
                  close (fd);
                  if (!g_cancellable_set_error_if_cancelled (cancellable, error))
                    set_errno_error (error, err, _ ("Cannot write “%s”"), extracted);
                  return FALSE;
                }
              g_checksum_update (checksum, buffer, n);
              size += n;
            }
          if (n == 0 && fsync (fd) != 0)
            {
              set_errno_error (error, errno, _ ("Cannot write “%s”"), extracted);
              close (fd);
              return FALSE;
            }
          close (fd);
        }
      else
        {
          g_autofree char *why =
              g_strdup_printf (_ ("it holds an unexpected member “%s”"), name != NULL ? name : "");
          return invalid (error, zip_path, why);
        }
      if (n < 0)
        return archive_read_failed (handle, zip_path, error);
    }
  if (rc != ARCHIVE_EOF)
    return archive_read_failed (handle, zip_path, error);

  if (manifest == NULL)
    return invalid (error, zip_path, _ ("it has no manifest.json"));
  if (checksum == NULL)
    return invalid (error, zip_path, _ ("it has no nexus.db"));

  *out_manifest = g_steal_pointer (&manifest);
  *out_sha256 = g_strdup (g_checksum_get_string (checksum));
  *out_size = size;
  return TRUE;
}

/* Reads the manifest; fills @info's program version and creation time and
 * returns the database member's expected size and hash. */
static gboolean
read_manifest (const char      *zip_path,
               GString         *text,
               NexusBackupInfo *info,
               gint64          *out_schema,
               gint64          *out_size,
               const char     **out_sha256,
               JsonParser      *parser,
               GError         **error)
{
  JsonObject *root;
  JsonArray  *members;
  JsonNode   *node;

  if (!json_parser_load_from_data (parser, text->str, text->len, NULL) ||
      (node = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return invalid (error, zip_path, _ ("its manifest.json is not valid JSON"));
  root = json_node_get_object (node);

  if (g_strcmp0 (json_object_get_string_member_with_default (root, "format", ""), FORMAT_NAME) != 0)
    return invalid (error, zip_path, _ ("its manifest is not a Nexus backup manifest"));
  if (json_object_get_int_member_with_default (root, "format_version", 0) > FORMAT_VERSION)
    {
      g_set_error (error, NEXUS_BACKUP_ERROR, NEXUS_BACKUP_ERROR_NEWER_SCHEMA,
                   _ ("“%s” was written by a newer version of Nexus (backup format %" PRId64
                      "). Update Nexus to restore it. Nothing was changed."),
                   zip_path, json_object_get_int_member_with_default (root, "format_version", 0));
      return FALSE;
    }

  info->program_version =
      g_strdup (json_object_get_string_member_with_default (root, "program_version", "?"));
  info->created_at =
      g_strdup (json_object_get_string_member_with_default (root, "created_at", "?"));
  *out_schema = json_object_get_int_member_with_default (root, "schema_version", -1);

  members = json_object_has_member (root, "members")
                ? json_object_get_array_member (root, "members")
                : NULL;
  if (members == NULL || json_array_get_length (members) != 1 ||
      !JSON_NODE_HOLDS_OBJECT (json_array_get_element (members, 0)))
    return invalid (error, zip_path, _ ("its manifest does not list its members"));
  {
    JsonObject *member = json_array_get_object_element (members, 0);

    if (g_strcmp0 (json_object_get_string_member_with_default (member, "name", ""),
                   DATABASE_NAME) != 0 ||
        !json_object_has_member (member, "sha256"))
      return invalid (error, zip_path, _ ("its manifest does not list nexus.db"));
    *out_size = json_object_get_int_member_with_default (member, "size", -1);
    *out_sha256 = json_object_get_string_member_with_default (member, "sha256", "");
  }
  return TRUE;
}

/**
 * nexus_restore_prepare:
 * @zip_path: the backup
 * @db_path: the database it will replace (need not exist)
 *
 * Extracts the archive beside @db_path and verifies it.  @db_path is not
 * touched; nexus_restore_commit() swaps.
 *
 * Returns: (transfer full): the verified restore, or %NULL with @error
 */
NexusRestore *
nexus_restore_prepare (const char   *zip_path,
                       const char   *db_path,
                       GCancellable *cancellable,
                       GError      **error)
{
  g_autoptr (NexusRestore) restore = NULL;
  g_autoptr (GString) manifest = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_auto (NexusStoreFileInfo) file = { 0 };
  g_autofree char *sha256 = NULL;
  const char      *expected_sha256 = NULL;
  gint64           manifest_schema = -1;
  gint64           expected_size = -1;
  gint64           size = 0;
  int              fd;

  g_return_val_if_fail (zip_path != NULL && db_path != NULL, NULL);

  if (!g_file_test (zip_path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, NEXUS_BACKUP_ERROR, NEXUS_BACKUP_ERROR_FAILED,
                   _ ("There is no backup at “%s”"), zip_path);
      return NULL;
    }

  restore = g_new0 (NexusRestore, 1);
  restore->db_path = g_strdup (db_path);
  restore->info = g_new0 (NexusBackupInfo, 1);

  /* Beside the database, so the final rename stays on one file system. */
  restore->extracted = g_strconcat (db_path, ".restore-XXXXXX", NULL);
  fd = g_mkstemp_full (restore->extracted, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      set_errno_error (error, errno, _ ("Cannot write in the folder of “%s”"), db_path);
      g_clear_pointer (&restore->extracted, g_free);
      return NULL;
    }
  close (fd);

  if (!extract (zip_path, restore->extracted, &manifest, &sha256, &size, cancellable, error) ||
      !read_manifest (zip_path, manifest, restore->info, &manifest_schema, &expected_size,
                      &expected_sha256, parser, error))
    return NULL;

  if (size != expected_size || g_ascii_strcasecmp (sha256, expected_sha256) != 0)
    {
      g_set_error (error, NEXUS_BACKUP_ERROR, NEXUS_BACKUP_ERROR_CHECKSUM,
                   _ ("“%s” is damaged or was altered: nexus.db does not match the SHA-256 in "
                      "its manifest. Nothing was changed."),
                   zip_path);
      return NULL;
    }

  if (!nexus_store_ops_inspect_file (restore->extracted, TRUE, &file, NULL))
    {
      invalid (error, zip_path, _ ("its nexus.db is not an SQLite database"));
      return NULL;
    }
  if (file.application_id != NEXUS_STORE_APPLICATION_ID)
    {
      invalid (error, zip_path, _ ("its nexus.db is the database of another program"));
      return NULL;
    }
  if (file.schema_version > NEXUS_SCHEMA_VERSION || manifest_schema > NEXUS_SCHEMA_VERSION)
    {
      g_set_error (error, NEXUS_BACKUP_ERROR, NEXUS_BACKUP_ERROR_NEWER_SCHEMA,
                   _ ("“%s” holds a database of schema %" PRId64
                      ", written by a newer version of Nexus (this program knows schema %d or "
                      "older). Update Nexus to restore it. Nothing was changed."),
                   zip_path, MAX (file.schema_version, manifest_schema), NEXUS_SCHEMA_VERSION);
      return NULL;
    }
  if (file.schema_version != manifest_schema)
    {
      invalid (error, zip_path, _ ("its manifest and its database disagree on the schema"));
      return NULL;
    }
  if (g_strcmp0 (file.integrity, "ok") != 0)
    {
      g_autofree char *why =
          g_strdup_printf (_ ("its database fails the integrity check (%s)"), file.integrity);
      invalid (error, zip_path, why);
      return NULL;
    }

  restore->info->schema_version = (int)file.schema_version;
  restore->info->database_size = size;
  restore->info->tables = g_strdupv ((char **)nexus_store_get_table_names ());
  restore->info->counts = g_memdup2 (file.counts, sizeof (gint64) * file.n_counts);
  {
    GStatBuf st;
    if (g_stat (zip_path, &st) == 0)
      restore->info->archive_size = st.st_size;
  }
  return g_steal_pointer (&restore);
}

const NexusBackupInfo *
nexus_restore_get_info (NexusRestore *restore)
{
  g_return_val_if_fail (restore != NULL, NULL);

  return restore->info;
}

/* DB.before-restore-YYYYmmddTHHMMSSZ, with a counter if that exists. */
static char *
safety_path (const char *db_path)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%dT%H%M%SZ");
  char            *path = g_strdup_printf ("%s.before-restore-%s", db_path, stamp);

  for (guint i = 2; g_file_test (path, G_FILE_TEST_EXISTS); i++)
    {
      g_free (path);
      path = g_strdup_printf ("%s.before-restore-%s-%u", db_path, stamp, i);
    }
  return path;
}

static gboolean
copy_file (const char *from, const char *to, GError **error)
{
  g_autoptr (GFile) source = g_file_new_for_path (from);
  g_autoptr (GFile) target = g_file_new_for_path (to);

  return g_file_copy (source, target, G_FILE_COPY_NOFOLLOW_SYMLINKS | G_FILE_COPY_ALL_METADATA,
                      NULL, NULL, NULL, error);
}

/**
 * nexus_restore_commit:
 * @out_safety_path: (out) (optional) (transfer full): where the database
 *   that was replaced is kept; %NULL when there was none
 *
 * Takes the current database for this process alone (refused with
 * %NEXUS_BACKUP_ERROR_BUSY while another connection has it open),
 * checkpoints it, keeps it aside as DB.before-restore-TIMESTAMP and renames
 * the verified file over it.
 */
gboolean
nexus_restore_commit (NexusRestore *restore, char **out_safety_path, GError **error)
{
  g_autoptr (NexusStoreLock) lock = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autofree char *safety = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *wal = NULL;

  g_return_val_if_fail (restore != NULL && restore->extracted != NULL, FALSE);

  dir = g_path_get_dirname (restore->db_path);
  wal = g_strconcat (restore->db_path, "-wal", NULL);

  if (g_file_test (restore->db_path, G_FILE_TEST_EXISTS))
    {
      /* Held until the new file is in place: no connection can open the
       * old one in between and leave a WAL the new file would inherit. */
      lock = nexus_store_ops_lock (restore->db_path, LOCK_TIMEOUT_MS, &local_error);
      if (lock == NULL)
        {
          if (g_error_matches (local_error, NEXUS_STORE_ERROR, NEXUS_STORE_ERROR_BUSY))
            g_set_error (error, NEXUS_BACKUP_ERROR, NEXUS_BACKUP_ERROR_BUSY,
                         _ ("“%s” is open in another program (a running nexus-server or "
                            "console?). Stop it and run the restore again. Nothing was "
                            "changed."),
                         restore->db_path);
          else
            g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (g_file_test (wal, G_FILE_TEST_EXISTS))
        {
          g_set_error (error, NEXUS_BACKUP_ERROR, NEXUS_BACKUP_ERROR_BUSY,
                       _ ("“%s” still has a write-ahead log; stop every program using it and "
                          "run the restore again. Nothing was changed."),
                       restore->db_path);
          return FALSE;
        }

      safety = safety_path (restore->db_path);
      /* A hard link keeps the old file as it is at no cost; a copy where
       * the file system has none. */
      if (link (restore->db_path, safety) != 0 && !copy_file (restore->db_path, safety, error))
        return FALSE;
    }

  if (g_rename (restore->extracted, restore->db_path) != 0)
    {
      set_errno_error (error, errno, _ ("Cannot put the restored database in place at “%s”"),
                       restore->db_path);
      if (safety != NULL)
        g_unlink (safety);
      return FALSE;
    }
  g_clear_pointer (&restore->extracted, g_free);
  sync_folder (dir);

  if (out_safety_path != NULL)
    *out_safety_path = g_steal_pointer (&safety);
  return TRUE;
}

void
nexus_restore_free (NexusRestore *restore)
{
  if (restore == NULL)
    return;
  if (restore->extracted != NULL)
    g_unlink (restore->extracted);
  g_free (restore->extracted);
  g_free (restore->db_path);
  nexus_backup_info_free (restore->info);
  g_free (restore);
}
