/* nexus-json-text.c — JSON written straight into a string
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nexus-json-text.h"

/**
 * nexus_json_append_string:
 * @text: UTF-8 text
 *
 * Appends @text to @out as a JSON string: quotes, backslashes and control
 * characters escaped, everything else as it is.
 */
void
nexus_json_append_string (GString *out, const char *text)
{
  const char *run = text;
  const char *p;

  g_string_append_c (out, '"');
  for (p = text; *p != '\0'; p++)
    {
      guchar      c = (guchar)*p;
      const char *escape;

      switch (c)
        {
          case '"':
            escape = "\\\"";
            break;
          case '\\':
            escape = "\\\\";
            break;
          case '\n':
            escape = "\\n";
            break;
          case '\r':
            escape = "\\r";
            break;
          case '\t':
            escape = "\\t";
            break;
          default:
            if (c >= 0x20)
              continue;
            escape = NULL;
        }
      g_string_append_len (out, run, p - run);
      if (escape != NULL)
        g_string_append (out, escape);
      else
        g_string_append_printf (out, "\\u%04x", c);
      run = p + 1;
    }
  g_string_append_len (out, run, p - run);
  g_string_append_c (out, '"');
}
