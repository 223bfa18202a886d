/* nexus-similarity.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The name score works on the words of two normalized names
 * (nexus_normalize_name): words are paired greedily by Jaro-Winkler, every
 * pair from TOKEN_MATCH up counts with its similarity, and generic words
 * ("restaurant", "cafe", "مطعم"…) count for little.  The score is the
 * larger of a weighted Dice coefficient (both names alike) and a weighted
 * overlap (one name inside the other: "four seasons" and "four seasons
 * grill room"), the latter only when a distinctive word is shared.
 */

#define G_LOG_DOMAIN "nexus-leads"

#include "config.h"

#include <math.h>
#include <string.h>

#include "nexus-similarity.h"

/* Word pairs below this Jaro-Winkler similarity do not match at all. */
#define TOKEN_MATCH 0.90
/* A word pair this alike is the same word (typos, "philippes"). */
#define STRONG_MATCH 0.95
/* Weight of a generic word against 1.0 for a distinctive one. */
#define GENERIC_WEIGHT 0.3
/* How much a containment (overlap) counts against a full match. */
#define OVERLAP_FACTOR 0.9
/* Names are compared on at most this many words of this many letters. */
#define MAX_TOKENS      16
#define MAX_TOKEN_CHARS 48

/* Words that carry no identity at all; dropped. */
static const char *const stop_words[] = {
  "the", "and", "of", "a",  "an", "at", "in",  "on", "de", "du",  "des", "la", "le",
  "les", "el",  "al", "il", "di", "da", "del", "y",  "et", "und", "و",   "في", "لل",
};

/* Words that say what a business is rather than which one it is. */
static const char *const generic_words[] = {
  "restaurant",
  "restaurants",
  "restaurante",
  "ristorante",
  "cafe",
  "caffe",
  "coffee",
  "bar",
  "grill",
  "hotel",
  "shop",
  "store",
  "market",
  "supermarket",
  "mart",
  "pharmacy",
  "clinic",
  "center",
  "centre",
  "bakery",
  "salon",
  "kitchen",
  "house",
  "pizzeria",
  "deli",
  "bistro",
  "diner",
  "pub",
  "inn",
  "dining",
  "room",
  "lounge",
  "co",
  "company",
  "group",
  "services",
  "service",
  "trading",
  "est",
  "branch",
  "new",
  /* Arabic, folded (ة → ه) and without the article */
  "مطعم",
  "مطاعم",
  "مقهي",
  "كافيه",
  "كافي",
  "صيدليه",
  "مخبز",
  "مخابز",
  "فندق",
  "محل",
  "محلات",
  "متجر",
  "سوبرماركت",
  "مركز",
  "عياده",
  "مستوصف",
  "صالون",
  "مغسله",
  "ورشه",
  "مكتب",
  "مكتبه",
  "حلويات",
  "فرع",
  "شركه",
  "موسسه",
  "مجموعه",
  "للتجاره",
  "تجاره",
};

/* One word of a name, ready for Jaro-Winkler. */
typedef struct
{
  gunichar chars[MAX_TOKEN_CHARS]; /* the word's characters */
  guint    length;                 /* used in chars */
  double   weight;                 /* 1, or GENERIC_WEIGHT */
  gboolean has_digit;              /* numbers match exactly only */
} Token;

static gboolean
in_list (const char *word, const char *const *list, guint n)
{
  for (guint i = 0; i < n; i++)
    if (strcmp (word, list[i]) == 0)
      return TRUE;
  return FALSE;
}

/* Splits a normalized name into weighted words: stop words dropped, the
 * Arabic article ("ال", "وال") cut from words long enough to keep a root. */
static guint
tokenize (const char *norm, Token *tokens)
{
  g_auto (GStrv) words = g_strsplit (norm != NULL ? norm : "", " ", -1);
  guint n = 0;

  for (guint i = 0; words[i] != NULL && n < MAX_TOKENS; i++)
    {
      const char *word = words[i];
      Token      *token = &tokens[n];

      if (*word == '\0' || in_list (word, stop_words, G_N_ELEMENTS (stop_words)))
        continue;
      if (g_str_has_prefix (word, "وال") && g_utf8_strlen (word, -1) >= 5)
        word += strlen ("وال");
      else if (g_str_has_prefix (word, "ال") && g_utf8_strlen (word, -1) >= 4)
        word += strlen ("ال");

      token->length = 0;
      token->has_digit = FALSE;
      for (const char *p = word; *p != '\0' && token->length < MAX_TOKEN_CHARS;
           p = g_utf8_next_char (p))
        {
          gunichar c = g_utf8_get_char (p);
          token->chars[token->length++] = c;
          if (c < 0x80 && g_ascii_isdigit ((char)c))
            token->has_digit = TRUE;
        }
      token->weight =
          in_list (word, generic_words, G_N_ELEMENTS (generic_words)) ? GENERIC_WEIGHT : 1.0;
      n++;
    }
  return n;
}

static double
jaro_winkler_chars (const gunichar *a, guint la, const gunichar *b, guint lb)
{
  gboolean a_matched[MAX_TOKEN_CHARS * 8] = { FALSE };
  gboolean b_matched[MAX_TOKEN_CHARS * 8] = { FALSE };
  guint    window;
  guint    matches = 0;
  guint    transpositions = 0;
  guint    prefix = 0;
  double   jaro;

  if (la == 0 && lb == 0)
    return 1.0;
  if (la == 0 || lb == 0)
    return 0.0;
  la = MIN (la, G_N_ELEMENTS (a_matched));
  lb = MIN (lb, G_N_ELEMENTS (b_matched));

  window = MAX (la, lb) / 2;
  window = window > 0 ? window - 1 : 0;

  for (guint i = 0; i < la; i++)
    {
      guint from = i > window ? i - window : 0;
      guint to = MIN (i + window + 1, lb);

      for (guint j = from; j < to; j++)
        {
          if (b_matched[j] || a[i] != b[j])
            continue;
          a_matched[i] = b_matched[j] = TRUE;
          matches++;
          break;
        }
    }
  if (matches == 0)
    return 0.0;

  for (guint i = 0, j = 0; i < la; i++)
    {
      if (!a_matched[i])
        continue;
      while (!b_matched[j])
        j++;
      if (a[i] != b[j])
        transpositions++;
      j++;
    }

  jaro =
      ((double)matches / la + (double)matches / lb + (matches - transpositions / 2.0) / matches) /
      3.0;

  while (prefix < 4 && prefix < la && prefix < lb && a[prefix] == b[prefix])
    prefix++;
  return jaro + prefix * 0.1 * (1.0 - jaro);
}

/**
 * nexus_jaro_winkler:
 * @a: UTF-8 text
 * @b: UTF-8 text
 *
 * Jaro-Winkler similarity over Unicode characters (prefix scale 0.1, prefix
 * up to 4), on at most the first 384 characters of each text.
 *
 * Returns: 0 (nothing alike) to 1 (equal)
 */
double
nexus_jaro_winkler (const char *a, const char *b)
{
  g_autofree gunichar *ua = NULL;
  g_autofree gunichar *ub = NULL;
  glong                la = 0;
  glong                lb = 0;

  ua = g_utf8_to_ucs4_fast (a != NULL ? a : "", -1, &la);
  ub = g_utf8_to_ucs4_fast (b != NULL ? b : "", -1, &lb);
  return jaro_winkler_chars (ua, (guint)la, ub, (guint)lb);
}

static double
token_similarity (const Token *a, const Token *b)
{
  double score;
  guint  shorter = MIN (a->length, b->length);

  /* Numbers are names too ("Branch 2", "7 Eleven"): exact or nothing. */
  if (a->has_digit || b->has_digit)
    return a->length == b->length && memcmp (a->chars, b->chars, a->length * sizeof (gunichar)) == 0
               ? 1.0
               : 0.0;

  score = jaro_winkler_chars (a->chars, a->length, b->chars, b->length);

  /* An abbreviation: "deli" for "delicatessen", "intl" is not one. */
  if (score < 0.9 && shorter >= 4 && memcmp (a->chars, b->chars, shorter * sizeof (gunichar)) == 0)
    score = 0.9;
  return score;
}

static gboolean
same_without_spaces (const char *a, const char *b)
{
  while (TRUE)
    {
      while (*a == ' ')
        a++;
      while (*b == ' ')
        b++;
      if (*a != *b)
        return FALSE;
      if (*a == '\0')
        return TRUE;
      a++;
      b++;
    }
}

/**
 * nexus_name_similarity:
 * @a_norm: (nullable): a name as returned by nexus_normalize_name()
 * @b_norm: (nullable): another one
 *
 * See the top of this file.  Symmetric.
 *
 * Returns: 0 (nothing alike) to 1 (the same name)
 */
double
nexus_name_similarity (const char *a_norm, const char *b_norm)
{
  Token    ta[MAX_TOKENS];
  Token    tb[MAX_TOKENS];
  gboolean used_a[MAX_TOKENS] = { FALSE };
  gboolean used_b[MAX_TOKENS] = { FALSE };
  guint    na;
  guint    nb;
  double   weight_a = 0;
  double   weight_b = 0;
  double   credit = 0;
  double   distinctive = 0;
  double   dice;
  double   overlap;

  if (a_norm == NULL || b_norm == NULL || *a_norm == '\0' || *b_norm == '\0')
    return 0.0;
  if (same_without_spaces (a_norm, b_norm))
    return 1.0;

  na = tokenize (a_norm, ta);
  nb = tokenize (b_norm, tb);
  if (na == 0 || nb == 0)
    return nexus_jaro_winkler (a_norm, b_norm) >= 0.95 ? 0.95 : 0.0;

  for (guint i = 0; i < na; i++)
    weight_a += ta[i].weight;
  for (guint j = 0; j < nb; j++)
    weight_b += tb[j].weight;

  /* Greedy pairing, best pair first. */
  while (TRUE)
    {
      double best = 0;
      guint  bi = 0;
      guint  bj = 0;

      for (guint i = 0; i < na; i++)
        {
          if (used_a[i])
            continue;
          for (guint j = 0; j < nb; j++)
            {
              double score;

              if (used_b[j])
                continue;
              score = token_similarity (&ta[i], &tb[j]);
              if (score > best)
                {
                  best = score;
                  bi = i;
                  bj = j;
                }
            }
        }
      if (best < TOKEN_MATCH)
        break;

      used_a[bi] = used_b[bj] = TRUE;
      credit += best * (ta[bi].weight + tb[bj].weight) / 2.0;
      /* Containment counts only on a distinctive word spelled (almost)
       * alike: "starbucks" is not inside "star kebab". */
      if (ta[bi].weight >= 1.0 && tb[bj].weight >= 1.0 && best >= STRONG_MATCH)
        distinctive += best;
    }

  dice = 2.0 * credit / (weight_a + weight_b);
  overlap = distinctive > 0 ? credit / MIN (weight_a, weight_b) : 0.0;
  return CLAMP (MAX (dice, OVERLAP_FACTOR * overlap), 0.0, 1.0);
}

/**
 * nexus_text_script:
 * @text: (nullable): UTF-8 text
 *
 * Returns: which of the scripts Nexus compares the letters of @text are in
 */
NexusScript
nexus_text_script (const char *text)
{
  gboolean latin = FALSE;
  gboolean arabic = FALSE;
  gboolean other = FALSE;

  for (const char *p = text != NULL ? text : ""; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar       c = g_utf8_get_char (p);
      GUnicodeScript script;

      if (!g_unichar_isalpha (c))
        continue;
      script = g_unichar_get_script (c);
      if (script == G_UNICODE_SCRIPT_LATIN)
        latin = TRUE;
      else if (script == G_UNICODE_SCRIPT_ARABIC)
        arabic = TRUE;
      else
        other = TRUE;
    }

  if (latin && arabic)
    return NEXUS_SCRIPT_MIXED;
  if (latin && !other)
    return NEXUS_SCRIPT_LATIN;
  if (arabic && !other)
    return NEXUS_SCRIPT_ARABIC;
  if (latin || arabic || other)
    return NEXUS_SCRIPT_OTHER;
  return NEXUS_SCRIPT_NONE;
}

/**
 * nexus_scripts_comparable:
 *
 * Returns: %FALSE when one name is only Arabic and the other only Latin
 *   (their letters say nothing about each other), %TRUE otherwise
 */
gboolean
nexus_scripts_comparable (const char *a_norm, const char *b_norm)
{
  NexusScript a = nexus_text_script (a_norm);
  NexusScript b = nexus_text_script (b_norm);

  return !((a == NEXUS_SCRIPT_ARABIC && b == NEXUS_SCRIPT_LATIN) ||
           (a == NEXUS_SCRIPT_LATIN && b == NEXUS_SCRIPT_ARABIC));
}

/**
 * nexus_geo_distance_m:
 *
 * Great-circle distance (haversine, mean Earth radius).
 *
 * Returns: metres between two WGS 84 points
 */
double
nexus_geo_distance_m (double lat1, double lon1, double lat2, double lon2)
{
  const double radius = 6371008.8;
  double       p1 = lat1 * G_PI / 180.0;
  double       p2 = lat2 * G_PI / 180.0;
  double       dp = (lat2 - lat1) * G_PI / 180.0;
  double       dl = (lon2 - lon1) * G_PI / 180.0;
  double       h = sin (dp / 2) * sin (dp / 2) + cos (p1) * cos (p2) * sin (dl / 2) * sin (dl / 2);

  return 2.0 * radius * asin (MIN (1.0, sqrt (h)));
}
