/* nexus-test-geo.h — random leads in realistic clusters, for the map's
 * tests and benchmark
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Leads are not spread evenly: most sit in a few big cities, many in
 * smaller ones, a few anywhere.  The generator draws city centres, gives
 * them Zipf-like weights and scatters points around each with a normal
 * spread of a few kilometres; 5 % of the points are uniform noise.
 * Deterministic for a given GRand seed.  Header-only.
 */
#pragma once

#include <math.h>

#include "geo/nexus-cluster-index.h"

G_BEGIN_DECLS

#define NEXUS_TEST_GEO_CATEGORIES 40
#define NEXUS_TEST_GEO_STATUSES   5

static inline double
nexus_test_geo_normal (GRand *rand)
{
  double u = g_rand_double_range (rand, 1e-12, 1.0);
  double v = g_rand_double (rand);

  return sqrt (-2.0 * log (u)) * cos (2.0 * G_PI * v);
}

/* How many leads a benchmark uses: its first argument, else
 * NEXUS_BENCH_LEADS, else a million. */
static inline gsize
nexus_test_geo_bench_size (int argc, char *argv[])
{
  const char *env = g_getenv ("NEXUS_BENCH_LEADS");

  if (argc > 1)
    return g_ascii_strtoull (argv[1], NULL, 10);
  return env != NULL ? g_ascii_strtoull (env, NULL, 10) : 1000000;
}

/* @n_points leads around @n_cities cities; g_free() the result. */
static inline NexusGeoPoint *
nexus_test_geo_points (GRand *rand, gsize n_points, guint n_cities)
{
  NexusGeoPoint *points = g_new (NexusGeoPoint, MAX (n_points, 1));
  double        *city_lat = g_new (double, n_cities);
  double        *city_lon = g_new (double, n_cities);
  double        *city_spread = g_new (double, n_cities);
  double        *cumulative = g_new (double, n_cities);
  double         total = 0;

  for (guint c = 0; c < n_cities; c++)
    {
      city_lat[c] = g_rand_double_range (rand, -45.0, 60.0);
      city_lon[c] = g_rand_double_range (rand, -170.0, 170.0);
      city_spread[c] = g_rand_double_range (rand, 0.01, 0.15); /* degrees: 1 to 15 km */
      total += 1.0 / (c + 1);
      cumulative[c] = total;
    }

  for (gsize i = 0; i < n_points; i++)
    {
      NexusGeoPoint *p = &points[i];

      p->id = (gint64)i + 1;
      if (n_cities == 0 || g_rand_int_range (rand, 0, 100) < 5)
        {
          p->lat = g_rand_double_range (rand, -60.0, 70.0);
          p->lon = g_rand_double_range (rand, -180.0, 180.0);
        }
      else
        {
          double pick = g_rand_double_range (rand, 0, total);
          guint  lo = 0, hi = n_cities - 1;

          while (lo < hi)
            {
              guint mid = (lo + hi) / 2;

              if (cumulative[mid] < pick)
                lo = mid + 1;
              else
                hi = mid;
            }
          p->lat = CLAMP (city_lat[lo] + nexus_test_geo_normal (rand) * city_spread[lo], -80, 80);
          p->lon = CLAMP (city_lon[lo] + nexus_test_geo_normal (rand) * city_spread[lo], -180, 180);
        }
      /* Few categories are common, most are rare. */
      p->category = (guint16)(g_rand_int_range (rand, 0, NEXUS_TEST_GEO_CATEGORIES) *
                              g_rand_int_range (rand, 0, NEXUS_TEST_GEO_CATEGORIES) /
                              NEXUS_TEST_GEO_CATEGORIES);
      p->status = (guint8)g_rand_int_range (rand, 0, NEXUS_TEST_GEO_STATUSES);
    }

  g_free (city_lat);
  g_free (city_lon);
  g_free (city_spread);
  g_free (cumulative);
  return points;
}

G_END_DECLS
