/* nexus-search.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nexus-search"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>
#include <math.h>

#include "nexus-search.h"

/* Providers a worker can run.  A provider added to nexus-worker is added
 * here too, or searches for it are refused as a typo. */
static const char *const providers[] = {
  "overpass",
  "google",
  NULL,
};

/* ISO 3166-1 alpha-2, plus XK (Kosovo), which phone numbering uses. */
static const char country_codes[] =
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ "
    "BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM "
    "DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS "
    "GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN "
    "KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ "
    "MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM "
    "PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV "
    "SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI "
    "VN VU WF WS XK YE YT ZA ZM ZW";

/* clang-format off */
G_DEFINE_QUARK (nexus-search-error-quark, nexus_search_error)
/* clang-format on */

NexusSearchSpec *
nexus_search_spec_new (void)
{
  NexusSearchSpec *spec = g_new0 (NexusSearchSpec, 1);

  spec->provider = g_strdup (NEXUS_SEARCH_DEFAULT_PROVIDER);
  spec->cell_km = NEXUS_SEARCH_DEFAULT_CELL_KM;
  spec->max_depth = NEXUS_SEARCH_DEFAULT_MAX_DEPTH;
  return spec;
}

void
nexus_search_spec_free (NexusSearchSpec *spec)
{
  if (spec == NULL)
    return;
  g_free (spec->name);
  g_strfreev (spec->keywords);
  nexus_region_free (spec->region);
  g_free (spec->region_kind);
  g_free (spec->place_name);
  g_free (spec->place_display);
  nexus_place_record_free (spec->place_cache);
  g_free (spec->provider);
  g_free (spec->country);
  g_free (spec->language);
  g_free (spec);
}

static gboolean
is_separator (gunichar c)
{
  /* ASCII, Arabic, ideographic and full-width commas. */
  return c == ',' || c == 0x060C || c == 0x3001 || c == 0xFF0C;
}

/* Trims Unicode white space (not only ASCII) from both ends. */
static char *
utf8_strip (const char *start, const char *end)
{
  while (start < end && g_unichar_isspace (g_utf8_get_char (start)))
    start = g_utf8_next_char (start);
  while (end > start)
    {
      const char *prev = g_utf8_prev_char (end);

      if (!g_unichar_isspace (g_utf8_get_char (prev)))
        break;
      end = prev;
    }
  return g_strndup (start, end - start);
}

static gboolean
has_control (const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      return TRUE;
  return FALSE;
}

/**
 * nexus_search_normalize_name:
 *
 * Returns: (transfer full): @text in NFKC, casefolded, with runs of white
 *   space made one space and the ends trimmed: the key under which keywords
 *   are compared and place names cached
 */
char *
nexus_search_normalize_name (const char *text)
{
  g_autofree char *nfkc = NULL;
  g_autofree char *folded = NULL;
  GString         *out;
  gboolean         space = FALSE;

  g_return_val_if_fail (text != NULL, NULL);

  nfkc = g_utf8_normalize (text, -1, G_NORMALIZE_ALL_COMPOSE);
  if (nfkc == NULL)
    return g_strdup ("");
  folded = g_utf8_casefold (nfkc, -1);

  out = g_string_new (NULL);
  for (const char *p = folded; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c))
        {
          space = out->len > 0;
          continue;
        }
      if (space)
        g_string_append_c (out, ' ');
      space = FALSE;
      g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

/**
 * nexus_search_parse_keywords:
 * @text: keywords separated by commas (ASCII "," or Arabic "،" among
 *   others), in any script
 *
 * Trims each keyword, drops empty ones and repeats (compared in NFKC,
 * casefolded), and keeps the first spelling of each in NFC.
 *
 * Returns: (transfer full): at least one keyword, or %NULL with @error set
 */
char **
nexus_search_parse_keywords (const char *text, GError **error)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *start;
  const char *p;
  guint       n = 0;

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    {
      g_set_error_literal (error, NEXUS_SEARCH_ERROR, NEXUS_SEARCH_ERROR_INVALID,
                           _ ("keywords are not valid UTF-8 text"));
      return NULL;
    }

  start = text;
  for (p = text;; p = g_utf8_next_char (p))
    {
      gunichar         c = g_utf8_get_char (p);
      g_autofree char *keyword = NULL;
      g_autofree char *nfc = NULL;
      char            *key;

      if (c != 0 && !is_separator (c))
        continue;

      keyword = utf8_strip (start, p);
      start = g_utf8_next_char (p);
      if (*keyword != '\0')
        {
          if (has_control (keyword))
            {
              g_set_error_literal (error, NEXUS_SEARCH_ERROR, NEXUS_SEARCH_ERROR_INVALID,
                                   _ ("a keyword contains a control character"));
              return NULL;
            }
          if (g_utf8_strlen (keyword, -1) > NEXUS_SEARCH_MAX_KEYWORD_CHARS)
            {
              g_set_error (error, NEXUS_SEARCH_ERROR, NEXUS_SEARCH_ERROR_INVALID,
                           _ ("a keyword is longer than %d characters"),
                           NEXUS_SEARCH_MAX_KEYWORD_CHARS);
              return NULL;
            }
          key = nexus_search_normalize_name (keyword);
          if (!g_hash_table_add (seen, key))
            goto next;
          if (++n > NEXUS_SEARCH_MAX_KEYWORDS)
            {
              g_set_error (error, NEXUS_SEARCH_ERROR, NEXUS_SEARCH_ERROR_INVALID,
                           _ ("more than %d keywords"), NEXUS_SEARCH_MAX_KEYWORDS);
              return NULL;
            }
          nfc = g_utf8_normalize (keyword, -1, G_NORMALIZE_DEFAULT_COMPOSE);
          g_strv_builder_add (builder, nfc);
        }
    next:
      if (c == 0)
        break;
    }

  if (n == 0)
    {
      g_set_error_literal (error, NEXUS_SEARCH_ERROR, NEXUS_SEARCH_ERROR_INVALID,
                           _ ("no keywords given: list at least one, separated by commas"));
      return NULL;
    }
  return g_strv_builder_end (builder);
}

/**
 * nexus_search_parse_cadence:
 * @text: "once", or a positive whole number followed by "h" (hours) or
 *   "d" (days): "6h", "1d"
 * @out_seconds: (out): 0 for once, else the interval
 */
gboolean
nexus_search_parse_cadence (const char *text, gint64 *out_seconds, GError **error)
{
  guint64     count = 0;
  gint64      unit;
  const char *p;
  gsize       len;

  g_return_val_if_fail (out_seconds != NULL, FALSE);

  if (text != NULL && g_ascii_strcasecmp (text, "once") == 0)
    {
      *out_seconds = 0;
      return TRUE;
    }

  len = text != NULL ? strlen (text) : 0;
  if (len < 2)
    goto bad;
  switch (g_ascii_tolower (text[len - 1]))
    {
      case 'h':
        unit = 3600;
        break;
      case 'd':
        unit = 24 * 3600;
        break;
      default:
        goto bad;
    }
  for (p = text; p < text + len - 1; p++)
    {
      if (!g_ascii_isdigit (*p) || count > 1000000)
        goto bad;
      count = count * 10 + (guint64)(*p - '0');
    }
  if (count == 0)
    goto bad;
  if (count * (guint64)unit > NEXUS_SEARCH_MAX_CADENCE_S)
    {
      g_set_error (error, NEXUS_SEARCH_ERROR, NEXUS_SEARCH_ERROR_INVALID,
                   _ ("cadence “%.20s” is longer than a year"), text);
      return FALSE;
    }
  *out_seconds = (gint64)count * unit;
  return TRUE;

bad:
  g_set_error (error, NEXUS_SEARCH_ERROR, NEXUS_SEARCH_ERROR_INVALID,
               _ ("cadence “%.20s” is not “once”, N hours (“6h”) or N days (“1d”)"),
               text != NULL ? text : "");
  return FALSE;
}

/**
 * nexus_search_format_cadence:
 *
 * Returns: (transfer full): "once", "6h", "1d": what
 *   nexus_search_parse_cadence() reads back
 */
char *
nexus_search_format_cadence (gint64 seconds)
{
  if (seconds <= 0)
    return g_strdup ("once");
  if (seconds % (24 * 3600) == 0)
    return g_strdup_printf ("%" PRId64 "d", seconds / (24 * 3600));
  if (seconds % 3600 == 0)
    return g_strdup_printf ("%" PRId64 "h", seconds / 3600);
  return g_strdup_printf ("%" PRId64 "s", seconds);
}

/**
 * nexus_search_parse_country:
 *
 * Returns: (transfer full): the ISO 3166-1 alpha-2 code in upper case, or
 *   %NULL with @error set
 */
char *
nexus_search_parse_country (const char *text, GError **error)
{
  char code[3];

  if (text == NULL || strlen (text) != 2 || !g_ascii_isalpha (text[0]) ||
      !g_ascii_isalpha (text[1]))
    goto bad;

  code[0] = g_ascii_toupper (text[0]);
  code[1] = g_ascii_toupper (text[1]);
  code[2] = '\0';
  for (const char *p = country_codes; *p != '\0'; p += (p[2] == ' ') ? 3 : 2)
    if (p[0] == code[0] && p[1] == code[1])
      return g_strdup (code);

bad:
  g_set_error (error, NEXUS_SEARCH_ERROR, NEXUS_SEARCH_ERROR_INVALID,
               _ ("country “%.20s” is not an ISO 3166 two-letter code such as EG or SA"),
               text != NULL ? text : "");
  return NULL;
}

/**
 * nexus_search_parse_language:
 * @text: a language tag: "ar", "en", "ar-EG"
 *
 * Returns: (transfer full): the tag with its language in lower case, or
 *   %NULL with @error set
 */
char *
nexus_search_parse_language (const char *text, GError **error)
{
  g_auto (GStrv) parts = NULL;
  guint n_parts;
  gsize first;

  if (text == NULL || *text == '\0' || strlen (text) > 35)
    goto bad;

  parts = g_strsplit (text, "-", -1);
  n_parts = g_strv_length (parts);
  first = strlen (parts[0]);
  if (first < 2 || first > 3)
    goto bad;
  for (guint i = 0; i < n_parts; i++)
    {
      gsize len = strlen (parts[i]);

      if (i > 0 && (len < 1 || len > 8))
        goto bad;
      for (gsize j = 0; j < len; j++)
        if (i == 0 ? !g_ascii_isalpha (parts[i][j]) : !g_ascii_isalnum (parts[i][j]))
          goto bad;
    }
  {
    g_autofree char *lower = g_ascii_strdown (parts[0], -1);
    g_free (parts[0]);
    parts[0] = g_steal_pointer (&lower);
  }
  return g_strjoinv ("-", parts);

bad:
  g_set_error (error, NEXUS_SEARCH_ERROR, NEXUS_SEARCH_ERROR_INVALID,
               _ ("language “%.20s” is not a language tag such as ar or en"),
               text != NULL ? text : "");
  return NULL;
}

/**
 * nexus_search_get_providers:
 *
 * Returns: (transfer none): the known provider names, %NULL-terminated
 */
const char *const *
nexus_search_get_providers (void)
{
  return providers;
}

gboolean
nexus_search_is_provider (const char *name)
{
  return name != NULL && g_strv_contains (providers, name);
}

/**
 * nexus_search_spec_validate:
 *
 * Checks everything about @spec that does not need the database.  Parsers
 * above already refused what they could; this catches what a program may
 * fill in directly.
 */
gboolean
nexus_search_spec_validate (const NexusSearchSpec *spec, GError **error)
{
  g_autofree char *providers_list = NULL;

  g_return_val_if_fail (spec != NULL, FALSE);

  if (spec->name == NULL || !g_utf8_validate (spec->name, -1, NULL) || *spec->name == '\0' ||
      has_control (spec->name))
    {
      g_set_error_literal (error, NEXUS_SEARCH_ERROR, NEXUS_SEARCH_ERROR_INVALID,
                           _ ("the search needs a name (text without control characters)"));
      return FALSE;
    }
  if (g_utf8_strlen (spec->name, -1) > NEXUS_SEARCH_MAX_NAME_CHARS)
    {
      g_set_error (error, NEXUS_SEARCH_ERROR, NEXUS_SEARCH_ERROR_INVALID,
                   _ ("the name is longer than %d characters"), NEXUS_SEARCH_MAX_NAME_CHARS);
      return FALSE;
    }
  if (spec->keywords == NULL || spec->keywords[0] == NULL)
    {
      g_set_error_literal (error, NEXUS_SEARCH_ERROR, NEXUS_SEARCH_ERROR_INVALID,
                           _ ("no keywords given: list at least one, separated by commas"));
      return FALSE;
    }
  for (guint i = 0; spec->keywords[i] != NULL; i++)
    {
      if (!g_utf8_validate (spec->keywords[i], -1, NULL) || *spec->keywords[i] == '\0' ||
          g_utf8_strlen (spec->keywords[i], -1) > NEXUS_SEARCH_MAX_KEYWORD_CHARS)
        {
          g_set_error_literal (error, NEXUS_SEARCH_ERROR, NEXUS_SEARCH_ERROR_INVALID,
                               _ ("a keyword is empty, too long or not valid text"));
          return FALSE;
        }
    }
  if (g_strv_length (spec->keywords) > NEXUS_SEARCH_MAX_KEYWORDS)
    {
      g_set_error (error, NEXUS_SEARCH_ERROR, NEXUS_SEARCH_ERROR_INVALID,
                   _ ("more than %d keywords"), NEXUS_SEARCH_MAX_KEYWORDS);
      return FALSE;
    }
  if (spec->region == NULL)
    {
      g_set_error_literal (error, NEXUS_SEARCH_ERROR, NEXUS_SEARCH_ERROR_INVALID,
                           _ ("the search needs a region: a box, a polygon or a place"));
      return FALSE;
    }
  if (!nexus_bbox_validate (&spec->region->bbox, error))
    return FALSE;
  if (spec->region_kind == NULL ||
      !(g_str_equal (spec->region_kind, "bbox") || g_str_equal (spec->region_kind, "polygon") ||
        g_str_equal (spec->region_kind, "place")))
    {
      g_set_error_literal (error, NEXUS_SEARCH_ERROR, NEXUS_SEARCH_ERROR_INVALID,
                           _ ("the region kind is not bbox, polygon or place"));
      return FALSE;
    }
  if (!nexus_search_is_provider (spec->provider))
    {
      providers_list = g_strjoinv (", ", (char **)providers);
      g_set_error (error, NEXUS_SEARCH_ERROR, NEXUS_SEARCH_ERROR_INVALID,
                   _ ("unknown provider “%.40s” (known: %s)"),
                   spec->provider != NULL ? spec->provider : "", providers_list);
      return FALSE;
    }
  if (spec->cadence_s < 0 || spec->cadence_s > NEXUS_SEARCH_MAX_CADENCE_S ||
      (spec->cadence_s > 0 && spec->cadence_s < 3600))
    {
      g_set_error_literal (error, NEXUS_SEARCH_ERROR, NEXUS_SEARCH_ERROR_INVALID,
                           _ ("the cadence must be once, or between one hour and a year"));
      return FALSE;
    }
  if (!isfinite (spec->cell_km) || spec->cell_km < NEXUS_SEARCH_MIN_CELL_KM ||
      spec->cell_km > NEXUS_SEARCH_MAX_CELL_KM)
    {
      g_set_error (error, NEXUS_SEARCH_ERROR, NEXUS_SEARCH_ERROR_INVALID,
                   _ ("the cell size must lie between %g and %g km"), NEXUS_SEARCH_MIN_CELL_KM,
                   NEXUS_SEARCH_MAX_CELL_KM);
      return FALSE;
    }
  if (spec->max_depth < 0 || spec->max_depth > NEXUS_SEARCH_MAX_DEPTH)
    {
      g_set_error (error, NEXUS_SEARCH_ERROR, NEXUS_SEARCH_ERROR_INVALID,
                   _ ("the maximum split depth must lie between 0 and %d"), NEXUS_SEARCH_MAX_DEPTH);
      return FALSE;
    }
  if (spec->priority < -NEXUS_SEARCH_MAX_PRIORITY || spec->priority > NEXUS_SEARCH_MAX_PRIORITY)
    {
      g_set_error (error, NEXUS_SEARCH_ERROR, NEXUS_SEARCH_ERROR_INVALID,
                   _ ("the priority must lie between %d and %d"), -NEXUS_SEARCH_MAX_PRIORITY,
                   NEXUS_SEARCH_MAX_PRIORITY);
      return FALSE;
    }
  return TRUE;
}

/**
 * nexus_search_progress_eta:
 *
 * Estimates the seconds left from the pace of the current run: jobs
 * finished since it started, against jobs still to do.
 *
 * Returns: seconds, 0 when nothing is left, or -1 when there is no pace
 *   yet (nothing finished) or the search's jobs are paused
 */
gint64
nexus_search_progress_eta (const NexusSearchProgress *progress, gint64 now)
{
  gint64 remaining;
  gint64 finished;
  gint64 elapsed;

  g_return_val_if_fail (progress != NULL, -1);

  remaining = progress->queued + progress->failed + progress->leased;
  if (remaining == 0 && progress->paused == 0)
    return 0;
  if (progress->paused > 0)
    return -1;

  finished = progress->done + progress->dead;
  elapsed = now - progress->run_started_at;
  if (finished == 0 || progress->run_started_at == 0 || elapsed <= 0)
    return -1;
  return (gint64)ceil ((double)remaining * (double)elapsed / (double)finished);
}

/**
 * nexus_search_progress_eta_recent:
 * @finished_recently: jobs of the search that finished in the last
 *   @window_s seconds
 *
 * Estimates the seconds left from the recent pace: @finished_recently jobs
 * in @window_s seconds, against the jobs still to do.  With fewer than
 * %NEXUS_SEARCH_ETA_MIN_SAMPLE recent jobs the pace of the whole run is
 * used instead (nexus_search_progress_eta()), so that one job does not make
 * an estimate.
 *
 * Returns: seconds, 0 when nothing is left, or -1 when there is no pace
 *   yet or the search's jobs are paused
 */
gint64
nexus_search_progress_eta_recent (const NexusSearchProgress *progress,
                                  gint64                     finished_recently,
                                  gint64                     window_s,
                                  gint64                     now)
{
  gint64 remaining;

  g_return_val_if_fail (progress != NULL, -1);

  remaining = progress->queued + progress->failed + progress->leased;
  if (remaining == 0 && progress->paused == 0)
    return 0;
  if (progress->paused > 0)
    return -1;
  if (finished_recently < NEXUS_SEARCH_ETA_MIN_SAMPLE || window_s <= 0)
    return nexus_search_progress_eta (progress, now);
  return (gint64)ceil ((double)remaining * (double)window_s / (double)finished_recently);
}
