/* nexus-format.c — numbers, dates and phones as the console shows them
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "nexus-format.h"

/**
 * nexus_format_count:
 * @value: a count
 *
 * Returns: @value with the digit grouping of the current locale
 */
char *
nexus_format_count (gint64 value)
{
  return g_strdup_printf ("%'" PRId64, value);
}

/**
 * nexus_format_decimal:
 * @value: a number
 * @fraction_digits: the digits after the decimal separator
 *
 * Returns: @value rounded to @fraction_digits
 */
char *
nexus_format_decimal (double value, int fraction_digits)
{
  return g_strdup_printf ("%.*f", CLAMP (fraction_digits, 0, 9), value);
}

static char *
format_local (gint64 unix_seconds, const char *format)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (unix_seconds);
  g_autoptr (GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;

  return local != NULL ? g_date_time_format (local, format) : g_strdup ("");
}

/**
 * nexus_format_date:
 * @unix_seconds: a time
 *
 * Returns: the local date of @unix_seconds
 */
char *
nexus_format_date (gint64 unix_seconds)
{
  return format_local (unix_seconds, "%Y-%m-%d");
}

/**
 * nexus_format_date_time:
 * @unix_seconds: a time
 *
 * Returns: the local date and time of @unix_seconds, to the minute
 */
char *
nexus_format_date_time (gint64 unix_seconds)
{
  return format_local (unix_seconds, "%Y-%m-%d %H:%M");
}

/**
 * nexus_format_relative_time:
 * @unix_seconds: a time
 * @now_unix_seconds: the present
 *
 * Returns: how long ago @unix_seconds was ("3 minutes ago"), or its date
 *   when it is more than a week away
 */
char *
nexus_format_relative_time (gint64 unix_seconds, gint64 now_unix_seconds)
{
  gint64 delta = now_unix_seconds - unix_seconds;

  if (delta < 0 || delta >= 7 * 24 * 3600)
    return nexus_format_date (unix_seconds);
  if (delta < 60)
    return g_strdup (_ ("just now"));
  if (delta < 3600)
    return g_strdup_printf (ngettext ("%d minute ago", "%d minutes ago", delta / 60),
                            (int)(delta / 60));
  if (delta < 24 * 3600)
    return g_strdup_printf (ngettext ("%d hour ago", "%d hours ago", delta / 3600),
                            (int)(delta / 3600));
  return g_strdup_printf (ngettext ("%d day ago", "%d days ago", delta / 86400),
                          (int)(delta / 86400));
}

/**
 * nexus_isolate_ltr:
 * @text: (nullable): text that reads left to right (a phone, a number)
 *
 * Returns: @text inside a left-to-right isolate, or %NULL for %NULL
 */
char *
nexus_isolate_ltr (const char *text)
{
  return text != NULL ? g_strconcat ("\u2066", text, "\u2069", NULL) : NULL;
}

/**
 * nexus_isolate_auto:
 * @text: (nullable): text of either direction (a path, a name)
 *
 * Returns: @text inside a first-strong isolate, or %NULL for %NULL
 */
char *
nexus_isolate_auto (const char *text)
{
  return text != NULL ? g_strconcat ("\u2068", text, "\u2069", NULL) : NULL;
}

/**
 * nexus_fold_digits:
 * @text: UTF-8 text
 *
 * Returns: @text with Arabic-Indic (U+0660–U+0669) and Eastern Arabic-Indic
 *   (U+06F0–U+06F9) digits replaced by ASCII digits
 */
char *
nexus_fold_digits (const char *text)
{
  GString *out;

  g_return_val_if_fail (text != NULL, NULL);

  out = g_string_sized_new (strlen (text));
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c >= 0x0660 && c <= 0x0669)
        g_string_append_c (out, (char)('0' + (c - 0x0660)));
      else if (c >= 0x06F0 && c <= 0x06F9)
        g_string_append_c (out, (char)('0' + (c - 0x06F0)));
      else
        g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

static void
fold_inserted_text_cb (GtkEditable *editable,
                       const char  *text,
                       int          length,
                       int         *position,
                       gpointer     user_data)
{
  g_autofree char *chunk = g_strndup (text, length < 0 ? strlen (text) : (gsize)length);
  g_autofree char *folded = nexus_fold_digits (chunk);

  if (g_str_equal (chunk, folded))
    return;

  g_signal_handlers_block_by_func (editable, fold_inserted_text_cb, user_data);
  gtk_editable_insert_text (editable, folded, -1, position);
  g_signal_handlers_unblock_by_func (editable, fold_inserted_text_cb, user_data);
  g_signal_stop_emission_by_name (editable, "insert-text");
}

/**
 * nexus_editable_fold_digits:
 * @editable: an entry
 *
 * Makes @editable turn Arabic-Indic digits into ASCII digits as they are
 * typed or pasted.
 */
void
nexus_editable_fold_digits (GtkEditable *editable)
{
  GtkEditable *delegate;

  g_return_if_fail (GTK_IS_EDITABLE (editable));

  /* GtkEntry, GtkSearchEntry and GtkSpinButton emit insert-text on their
   * inner GtkText. */
  delegate = gtk_editable_get_delegate (editable);
  if (delegate == NULL)
    delegate = editable;
  g_signal_connect (delegate, "insert-text", G_CALLBACK (fold_inserted_text_cb), NULL);
}

/**
 * nexus_lead_status_label:
 * @status: (nullable): new, contacted, qualified, won or lost
 *
 * Returns: (transfer none): the status as the operator reads it
 */
const char *
nexus_lead_status_label (const char *status)
{
  if (g_strcmp0 (status, "new") == 0)
    return C_ ("lead status", "New");
  if (g_strcmp0 (status, "contacted") == 0)
    return C_ ("lead status", "Contacted");
  if (g_strcmp0 (status, "qualified") == 0)
    return C_ ("lead status", "Qualified");
  if (g_strcmp0 (status, "won") == 0)
    return C_ ("lead status", "Won");
  if (g_strcmp0 (status, "lost") == 0)
    return C_ ("lead status", "Lost");
  return status != NULL ? status : "—";
}
