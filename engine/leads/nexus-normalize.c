/* nexus-normalize.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nexus-leads"

#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "nexus-normalize.h"

/* Legal forms dropped from the end of a name, as normalized word
 * sequences; tried again after each removal ("… co ltd"). */
static const char *const legal_suffixes[] = {
  /* Arabic (after folding: ة → ه, ؤ → و) */
  "شركه ذات مسووليه محدوده",
  "ذات مسووليه محدوده",
  "ش ذ م م",
  "ش م ع ع",
  "ش م ع",
  "ش م م",
  "ش م ل",
  "ش م ك",
  "ش م ق",
  "ش م ب",
  "ذ م م",
  "ش ش و",
  "المحدوده",
  "محدوده",
  "شركه مساهمه",
  /* English and European */
  "pty ltd",
  "pvt ltd",
  "private limited",
  "fz llc",
  "l l c",
  "s a r l",
  "s a",
  "w l l",
  "llc",
  "inc",
  "incorporated",
  "ltd",
  "limited",
  "corp",
  "corporation",
  "co",
  "company",
  "plc",
  "llp",
  "lp",
  "gmbh",
  "ag",
  "sarl",
  "sas",
  "srl",
  "spa",
  "bv",
  "nv",
  "pty",
  "pvt",
  "fze",
  "fzco",
  "fzc",
  "wll",
};

/* Legal forms dropped from the start of a name ("شركة الأمل" and "الأمل"
 * are the same business). */
static const char *const legal_prefixes[] = {
  "شركه",
  "موسسه",
};

/* Street words in one spelling, so "3rd Street" and "third st." agree. */
static const char *const address_words[][2] = {
  { "street", "st" },
  { "str", "st" },
  { "sts", "st" },
  { "avenue", "ave" },
  { "av", "ave" },
  { "boulevard", "blvd" },
  { "bd", "blvd" },
  { "bld", "blvd" },
  { "road", "rd" },
  { "drive", "dr" },
  { "lane", "ln" },
  { "place", "pl" },
  { "square", "sq" },
  { "court", "ct" },
  { "highway", "hwy" },
  { "parkway", "pkwy" },
  { "terrace", "ter" },
  { "suite", "ste" },
  { "floor", "fl" },
  { "building", "bldg" },
  { "north", "n" },
  { "south", "s" },
  { "east", "e" },
  { "west", "w" },
  { "northeast", "ne" },
  { "northwest", "nw" },
  { "southeast", "se" },
  { "southwest", "sw" },
  { "first", "1st" },
  { "second", "2nd" },
  { "third", "3rd" },
  { "fourth", "4th" },
  { "fifth", "5th" },
  { "sixth", "6th" },
  { "seventh", "7th" },
  { "eighth", "8th" },
  { "ninth", "9th" },
  { "tenth", "10th" },
  { "saint", "st" },
  /* Arabic: "ش" is the usual abbreviation of شارع (street). */
  { "ش", "شارع" },
};

static gboolean
is_apostrophe (gunichar c)
{
  return c == '\'' || c == '`' || c == 0x2018 || c == 0x2019 || c == 0x02BC || c == 0x00B4 ||
         c == 0x02B9;
}

/* Folds one character of a decomposed, case-folded text.  Returns 0 to drop
 * it, ' ' for a word boundary, or the character to keep. */
static gunichar
fold_char (gunichar c)
{
  GUnicodeType type;

  /* Digits first: Arabic-Indic and Persian to ASCII. */
  if (c >= 0x0660 && c <= 0x0669)
    return '0' + (c - 0x0660);
  if (c >= 0x06F0 && c <= 0x06F9)
    return '0' + (c - 0x06F0);

  switch (c)
    {
      case 0x0640: /* tatweel */
        return 0;
      case 0x0671: /* alef wasla */
      case 0x0672:
      case 0x0673:
        return 0x0627;
      case 0x0649: /* alef maksura */
      case 0x06CC: /* Farsi yeh */
      case 0x06D2: /* yeh barree */
        return 0x064A;
      case 0x0629: /* ta marbuta */
      case 0x06C0:
        return 0x0647;
      case 0x06A9: /* keheh */
        return 0x0643;
      default:
        break;
    }

  if (is_apostrophe (c))
    return 0;

  type = g_unichar_type (c);
  /* Tashkeel, Latin accents (after NFD) and other non-spacing marks. */
  if (type == G_UNICODE_NON_SPACING_MARK || type == G_UNICODE_ENCLOSING_MARK ||
      type == G_UNICODE_FORMAT)
    return 0;
  if (g_unichar_isalnum (c) || type == G_UNICODE_SPACING_MARK)
    return c;
  return ' ';
}

static gboolean
is_ascii (const char *text)
{
  for (const guchar *p = (const guchar *)text; *p != '\0'; p++)
    if (*p >= 0x80)
      return FALSE;
  return TRUE;
}

/* nexus_normalize_text() of an ASCII text, without the Unicode passes. */
static char *
fold_ascii (const char *text)
{
  GString *out = g_string_sized_new (strlen (text));
  gboolean space = FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      char c = *p;

      if (c == '\'' || c == '`')
        continue;
      if (!g_ascii_isalnum (c))
        {
          space = out->len > 0;
          continue;
        }
      if (space)
        g_string_append_c (out, ' ');
      space = FALSE;
      g_string_append_c (out, g_ascii_tolower (c));
    }
  return g_string_free (out, FALSE);
}

/**
 * nexus_normalize_text:
 * @text: (nullable): UTF-8 text (invalid sequences are repaired)
 *
 * The common form of every normalized field; see the header.
 *
 * Returns: (transfer full) (nullable): the normalized text, "" for a text
 *   without letters or digits, %NULL for %NULL
 */
char *
nexus_normalize_text (const char *text)
{
  g_autofree char *valid = NULL;
  g_autofree char *nfkc = NULL;
  g_autofree char *folded = NULL;
  g_autofree char *decomposed = NULL;
  GString         *out;
  gboolean         space = FALSE;

  if (text == NULL)
    return NULL;

  /* Most Latin names are plain ASCII: NFKC, NFD and NFC change nothing
   * there and case folding is lower-casing. */
  if (is_ascii (text))
    return fold_ascii (text);

  valid = g_utf8_make_valid (text, -1);
  nfkc = g_utf8_normalize (valid, -1, G_NORMALIZE_NFKC);
  folded = g_utf8_casefold (nfkc, -1);
  decomposed = g_utf8_normalize (folded, -1, G_NORMALIZE_NFD);

  out = g_string_sized_new (strlen (decomposed));
  for (const char *p = decomposed; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = fold_char (g_utf8_get_char (p));

      if (c == 0)
        continue;
      if (c == ' ')
        {
          space = out->len > 0;
          continue;
        }
      if (space)
        g_string_append_c (out, ' ');
      space = FALSE;
      g_string_append_unichar (out, c);
    }

  {
    g_autofree char *decomposed_out = g_string_free (out, FALSE);
    return g_utf8_normalize (decomposed_out, -1, G_NORMALIZE_NFC);
  }
}

/**
 * nexus_normalize_name:
 * @name: (nullable): a business name as written
 *
 * Returns: (transfer full) (nullable): nexus_normalize_text() without legal
 *   forms; %NULL for %NULL
 */
char *
nexus_normalize_name (const char *name)
{
  g_autofree char *text = nexus_normalize_text (name);
  gsize            length;
  const char      *start;
  gboolean         changed = TRUE;

  if (text == NULL || *text == '\0')
    return g_steal_pointer (&text);

  /* Drop whole-word suffixes while a word remains before them. */
  length = strlen (text);
  while (changed)
    {
      changed = FALSE;
      for (guint i = 0; i < G_N_ELEMENTS (legal_suffixes); i++)
        {
          gsize n = strlen (legal_suffixes[i]);

          if (length > n + 1 && text[length - n - 1] == ' ' &&
              memcmp (text + length - n, legal_suffixes[i], n) == 0)
            {
              length -= n + 1;
              text[length] = '\0';
              changed = TRUE;
              break;
            }
        }
    }

  start = text;
  for (guint i = 0; i < G_N_ELEMENTS (legal_prefixes); i++)
    {
      gsize n = strlen (legal_prefixes[i]);

      if (strncmp (start, legal_prefixes[i], n) == 0 && start[n] == ' ' && start[n + 1] != '\0')
        start += n + 1;
    }

  return start == text ? g_steal_pointer (&text) : g_strdup (start);
}

/**
 * nexus_normalize_address:
 * @address: (nullable): a street address as written
 *
 * Returns: (transfer full) (nullable): nexus_normalize_text() with street
 *   words in one spelling; %NULL for %NULL or an address without letters
 *   or digits
 */
char *
nexus_normalize_address (const char *address)
{
  g_autofree char *text = nexus_normalize_text (address);
  g_auto (GStrv) words = NULL;
  GString *out;

  if (text == NULL || *text == '\0')
    return NULL;

  words = g_strsplit (text, " ", -1);
  out = g_string_new (NULL);
  for (guint i = 0; words[i] != NULL; i++)
    {
      const char *word = words[i];

      for (guint j = 0; j < G_N_ELEMENTS (address_words); j++)
        if (strcmp (word, address_words[j][0]) == 0)
          {
            word = address_words[j][1];
            break;
          }
      if (out->len > 0)
        g_string_append_c (out, ' ');
      g_string_append (out, word);
    }
  return g_string_free (out, FALSE);
}

/**
 * nexus_normalize_city:
 * @city: (nullable): a city name as written
 *
 * Returns: (transfer full) (nullable): nexus_normalize_text() without a
 *   trailing "city" ("New York City" and "new york" agree); %NULL for %NULL
 *   or a name without letters
 */
char *
nexus_normalize_city (const char *city)
{
  g_autofree char *text = nexus_normalize_text (city);
  gsize            length;

  if (text == NULL || *text == '\0')
    return NULL;

  length = strlen (text);
  if (length > 5 && g_str_has_suffix (text, " city"))
    text[length - 5] = '\0';
  return g_steal_pointer (&text);
}

static gboolean
is_host_label (const char *label)
{
  gsize length = strlen (label);

  if (length == 0 || length > 63 || label[0] == '-' || label[length - 1] == '-')
    return FALSE;
  for (const char *p = label; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-')
      return FALSE;
  return TRUE;
}

/* A DNS name with at least two labels, in lower-case ASCII. */
static gboolean
is_host_name (const char *host)
{
  g_auto (GStrv) labels = NULL;
  guint n;

  if (host == NULL || strlen (host) > 253 || strchr (host, '.') == NULL)
    return FALSE;
  labels = g_strsplit (host, ".", -1);
  n = g_strv_length (labels);
  for (guint i = 0; i < n; i++)
    if (!is_host_label (labels[i]))
      return FALSE;
  /* The top-level domain is never all digits (that is an IPv4 address). */
  for (const char *p = labels[n - 1]; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return TRUE;
  return FALSE;
}

/* Lower-case ASCII (IDNA) form of a host, without a trailing dot; NULL when
 * it is not a DNS name. */
static char *
canonical_host (const char *host)
{
  g_autofree char *trimmed = NULL;
  g_autofree char *ascii = NULL;
  g_autofree char *lower = NULL;
  gsize            length;

  if (host == NULL)
    return NULL;
  trimmed = g_strdup (host);
  length = strlen (trimmed);
  while (length > 0 && trimmed[length - 1] == '.')
    trimmed[--length] = '\0';
  if (length == 0)
    return NULL;

  ascii = g_hostname_to_ascii (trimmed);
  if (ascii == NULL)
    return NULL;
  lower = g_ascii_strdown (ascii, -1);
  if (!is_host_name (lower))
    return NULL;
  return g_steal_pointer (&lower);
}

/**
 * nexus_normalize_website_host:
 * @website: (nullable): a URL or a bare host ("www.Example.com/menu",
 *   "https://مثال.مصر")
 *
 * Returns: (transfer full) (nullable): the canonical host ("example.com",
 *   "xn--mgbh0fb.xn--wgbh1c"), or %NULL when @website names no DNS host
 */
char *
nexus_normalize_website_host (const char *website)
{
  g_autofree char *valid = NULL;
  g_autofree char *url = NULL;
  g_autofree char *host = NULL;
  g_autoptr (GUri) uri = NULL;
  char *text;

  if (website == NULL)
    return NULL;
  valid = g_utf8_make_valid (website, -1);
  text = g_strstrip (valid);
  if (*text == '\0' || strlen (text) > 2048)
    return NULL;

  if (strstr (text, "://") == NULL)
    url = g_strconcat ("http://", text, NULL);
  else
    url = g_strdup (text);

  uri = g_uri_parse (url, G_URI_FLAGS_PARSE_RELAXED, NULL);
  if (uri == NULL)
    return NULL;
  host = canonical_host (g_uri_get_host (uri));
  if (host == NULL)
    return NULL;
  if (g_str_has_prefix (host, "www.") && strchr (host + 4, '.') != NULL)
    return g_strdup (host + 4);
  return g_steal_pointer (&host);
}

static gboolean
is_local_part (const char *local)
{
  static const char allowed[] = "!#$%&'*+/=?^_`{|}~.-";
  gsize             length = strlen (local);

  if (length == 0 || length > 64 || local[0] == '.' || local[length - 1] == '.' ||
      strstr (local, "..") != NULL)
    return FALSE;
  for (const char *p = local; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr (allowed, *p) == NULL)
      return FALSE;
  return TRUE;
}

/**
 * nexus_normalize_email:
 * @email: (nullable): an e-mail address, possibly "mailto:…" or with spaces
 *
 * Checks the address the way a sender would before writing to it: one "@",
 * a local part of the characters RFC 5322 allows unquoted, a DNS domain with
 * a top-level part (IDNA allowed).  Quoted local parts and IP literals are
 * refused: businesses do not publish them.
 *
 * Returns: (transfer full) (nullable): the address in lower case with an
 *   ASCII domain, or %NULL when it is not a usable address
 */
char *
nexus_normalize_email (const char *email)
{
  g_autofree char *valid = NULL;
  g_autofree char *local = NULL;
  g_autofree char *domain = NULL;
  const char      *at;
  char            *text;

  if (email == NULL)
    return NULL;
  valid = g_utf8_make_valid (email, -1);
  text = g_strstrip (valid);
  if (g_ascii_strncasecmp (text, "mailto:", 7) == 0)
    text += 7;
  if (strlen (text) > 254)
    return NULL;
  /* A query (mailto:a@b.c?subject=…) is not part of the address. */
  if (strchr (text, '?') != NULL)
    *strchr (text, '?') = '\0';

  at = strchr (text, '@');
  if (at == NULL || strchr (at + 1, '@') != NULL)
    return NULL;

  local = g_ascii_strdown (text, at - text);
  if (!is_local_part (local))
    return NULL;
  domain = canonical_host (at + 1);
  if (domain == NULL)
    return NULL;
  return g_strconcat (local, "@", domain, NULL);
}

/**
 * nexus_normalize_country:
 * @country: (nullable): an ISO 3166-1 alpha-2 code in any case, with spaces
 *
 * Returns: (transfer full) (nullable): the code in upper case, or %NULL
 *   when @country is not two ASCII letters
 */
char *
nexus_normalize_country (const char *country)
{
  g_autofree char *copy = NULL;
  char            *text;

  if (country == NULL)
    return NULL;
  copy = g_strdup (country);
  text = g_strstrip (copy);
  if (strlen (text) != 2 || !g_ascii_isalpha (text[0]) || !g_ascii_isalpha (text[1]))
    return NULL;
  return g_ascii_strup (text, 2);
}
