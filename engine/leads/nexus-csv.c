/* nexus-csv.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nexus-leads"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "nexus-csv.h"

#define BUFFER_SIZE 65536

typedef enum
{
  STATE_FIELD_START,
  STATE_UNQUOTED,
  STATE_QUOTED,
  STATE_QUOTE_IN_QUOTED,
} State;

struct _NexusCsvReader
{
  /* The stream read from; owned (a reference). */
  GInputStream *stream;
  /* Bytes read from the stream and not yet consumed: buffer[position…
   * length). */
  guint8 *buffer;
  gsize   length;
  gsize   position;
  /* TRUE once the stream returned 0 bytes. */
  gboolean eof;
  /* TRUE once the start of the stream was checked for a BOM. */
  gboolean started;
  /* Field separator, ',' unless set. */
  char delimiter;
  /* GString per field, reused from record to record; the first n_fields
   * hold the current record. */
  GPtrArray *fields;
  guint      n_fields;
  /* Physical line (1-based) of the next byte, and of the current record's
   * first byte. */
  guint64 line;
  guint64 record_line;
  /* Bytes consumed from the stream so far. */
  guint64 bytes_read;
};

/* clang-format off */
G_DEFINE_QUARK (nexus-csv-error-quark, nexus_csv_error)
/* clang-format on */

static void
string_free (gpointer string)
{
  g_string_free (string, TRUE);
}

/**
 * nexus_csv_reader_new:
 * @stream: where to read from (a reference is taken)
 *
 * Returns: (transfer full): a reader
 */
NexusCsvReader *
nexus_csv_reader_new (GInputStream *stream)
{
  NexusCsvReader *self = g_new0 (NexusCsvReader, 1);

  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);

  self->stream = g_object_ref (stream);
  self->buffer = g_malloc (BUFFER_SIZE);
  self->delimiter = ',';
  self->fields = g_ptr_array_new_with_free_func (string_free);
  self->line = 1;
  return self;
}

/**
 * nexus_csv_reader_new_for_path:
 *
 * Returns: (transfer full) (nullable): a reader of the file at @path, or
 *   %NULL with @error set when it cannot be opened
 */
NexusCsvReader *
nexus_csv_reader_new_for_path (const char *path, GError **error)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GFileInputStream) stream = g_file_read (file, NULL, error);

  if (stream == NULL)
    return NULL;
  return nexus_csv_reader_new (G_INPUT_STREAM (stream));
}

void
nexus_csv_reader_free (NexusCsvReader *self)
{
  if (self == NULL)
    return;
  g_clear_object (&self->stream);
  g_free (self->buffer);
  g_ptr_array_unref (self->fields);
  g_free (self);
}

void
nexus_csv_reader_set_delimiter (NexusCsvReader *self, char delimiter)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (delimiter != '"' && delimiter != '\n' && delimiter != '\r' && delimiter != 0);

  self->delimiter = delimiter;
}

/* Makes at least one unread byte available.  Returns 1, 0 at the end of
 * the stream, -1 on error. */
static int
fill (NexusCsvReader *self, GError **error)
{
  gssize n;

  if (self->position < self->length)
    return 1;
  if (self->eof)
    return 0;

  n = g_input_stream_read (self->stream, self->buffer, BUFFER_SIZE, NULL, error);
  if (n < 0)
    {
      g_prefix_error (error, _ ("Reading the CSV file: "));
      if (error != NULL && *error != NULL)
        {
          (*error)->domain = NEXUS_CSV_ERROR;
          (*error)->code = NEXUS_CSV_ERROR_IO;
        }
      return -1;
    }
  self->length = (gsize)n;
  self->position = 0;
  if (n == 0)
    {
      self->eof = TRUE;
      return 0;
    }
  return 1;
}

/* Reads one byte into *out.  Returns 1, 0 at the end, -1 on error. */
static int
read_byte (NexusCsvReader *self, guint8 *out, GError **error)
{
  int status = fill (self, error);

  if (status <= 0)
    return status;
  *out = self->buffer[self->position++];
  self->bytes_read++;
  return 1;
}

/* Consumes a '\n' after a '\r' (CRLF is one line break). */
static gboolean
after_cr (NexusCsvReader *self, GError **error)
{
  int status = fill (self, error);

  if (status < 0)
    return FALSE;
  if (status > 0 && self->buffer[self->position] == '\n')
    {
      self->position++;
      self->bytes_read++;
    }
  return TRUE;
}

static GString *
start_field (NexusCsvReader *self, GError **error)
{
  GString *field;

  if (self->n_fields >= NEXUS_CSV_MAX_FIELDS)
    {
      g_set_error (error, NEXUS_CSV_ERROR, NEXUS_CSV_ERROR_TOO_MANY_FIELDS,
                   _ ("Line %" PRIu64 ": more than %d fields"), self->record_line,
                   NEXUS_CSV_MAX_FIELDS);
      return NULL;
    }
  if (self->n_fields == self->fields->len)
    g_ptr_array_add (self->fields, g_string_sized_new (64));
  field = g_ptr_array_index (self->fields, self->n_fields++);
  g_string_truncate (field, 0);
  return field;
}

/**
 * nexus_csv_reader_next:
 *
 * Reads the next record.
 *
 * Returns: %TRUE when a record was read; %FALSE at the end of the input
 *   (@error unset) or on error
 */
gboolean
nexus_csv_reader_next (NexusCsvReader *self, GError **error)
{
  State    state = STATE_FIELD_START;
  gsize    record_bytes = 0;
  GString *field = NULL;
  guint8   c;
  int      status;

  g_return_val_if_fail (self != NULL, FALSE);

  self->n_fields = 0;

  if (!self->started)
    {
      self->started = TRUE;
      /* A UTF-8 byte-order mark is not part of the first field. */
      if ((status = fill (self, error)) < 0)
        return FALSE;
      if (self->length - self->position >= 3 && self->buffer[self->position] == 0xEF &&
          self->buffer[self->position + 1] == 0xBB && self->buffer[self->position + 2] == 0xBF)
        {
          self->position += 3;
          self->bytes_read += 3;
        }
    }

  /* Skip empty lines. */
  while (TRUE)
    {
      if ((status = fill (self, error)) < 0)
        return FALSE;
      if (status == 0)
        return FALSE;
      c = self->buffer[self->position];
      if (c != '\n' && c != '\r')
        break;
      self->position++;
      self->bytes_read++;
      if (c == '\r' && !after_cr (self, error))
        return FALSE;
      self->line++;
    }

  self->record_line = self->line;
  if (!(field = start_field (self, error)))
    return FALSE;

  while (TRUE)
    {
      status = read_byte (self, &c, error);
      if (status < 0)
        return FALSE;

      if (status == 0)
        {
          if (state == STATE_QUOTED)
            {
              g_set_error (error, NEXUS_CSV_ERROR, NEXUS_CSV_ERROR_UNTERMINATED_QUOTE,
                           _ ("Line %" PRIu64 ": a quoted field is not closed"), self->record_line);
              return FALSE;
            }
          return TRUE;
        }

      if (++record_bytes > NEXUS_CSV_MAX_RECORD)
        {
          g_set_error (error, NEXUS_CSV_ERROR, NEXUS_CSV_ERROR_RECORD_TOO_LONG,
                       _ ("Line %" PRIu64 ": a record longer than %d bytes"), self->record_line,
                       NEXUS_CSV_MAX_RECORD);
          return FALSE;
        }

      if (state == STATE_QUOTED)
        {
          if (c == '"')
            state = STATE_QUOTE_IN_QUOTED;
          else
            {
              if (c == '\n')
                self->line++;
              else if (c == '\r')
                {
                  /* A lone CR is a line break too; CRLF counts once (at LF). */
                  if ((status = fill (self, error)) < 0)
                    return FALSE;
                  if (status == 0 || self->buffer[self->position] != '\n')
                    self->line++;
                }
              g_string_append_c (field, (char)c);
            }
          continue;
        }

      if (state == STATE_QUOTE_IN_QUOTED && c == '"')
        {
          g_string_append_c (field, '"');
          state = STATE_QUOTED;
          continue;
        }

      if (c == (guint8)self->delimiter)
        {
          if (!(field = start_field (self, error)))
            return FALSE;
          state = STATE_FIELD_START;
          continue;
        }

      if (c == '\n' || c == '\r')
        {
          if (c == '\r' && !after_cr (self, error))
            return FALSE;
          self->line++;
          return TRUE;
        }

      if (state == STATE_FIELD_START && c == '"')
        {
          state = STATE_QUOTED;
          continue;
        }

      g_string_append_c (field, (char)c);
      state = STATE_UNQUOTED;
    }
}

guint
nexus_csv_reader_get_n_fields (NexusCsvReader *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_fields;
}

/**
 * nexus_csv_reader_get_field:
 *
 * Returns: (transfer none) (nullable): field @index of the current record,
 *   or %NULL when the record has fewer fields
 */
const char *
nexus_csv_reader_get_field (NexusCsvReader *self, guint index)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (index >= self->n_fields)
    return NULL;
  return ((GString *)g_ptr_array_index (self->fields, index))->str;
}

/**
 * nexus_csv_reader_get_line:
 *
 * Returns: the physical line (1-based) on which the current record starts
 */
guint64
nexus_csv_reader_get_line (NexusCsvReader *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->record_line;
}

guint64
nexus_csv_reader_get_bytes_read (NexusCsvReader *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->bytes_read;
}
