/* nexus-map-basemap.c — the offline base map, drawn from Natural Earth
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A ShumateDataSource that draws 256-pixel PNG tiles with cairo from the
 * land and country outlines of data/basemap (compiled by gen-basemap.py
 * into the GResource bundle): sea, land, borders and, from zoom 2, the
 * country names in the UI's language.  libshumate 1.0 reads a data
 * source's tiles from its "received-data" signal, so each tile is emitted
 * there before the request completes.
 *
 * Tiles are drawn in GTask threads: the outlines are parsed once (g_once)
 * and never changed, the cache is guarded by a mutex.  Labels may reach
 * over a tile's edge: each tile draws every label whose anchor lies near
 * it, so both halves of a name are drawn, by the two tiles.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <string.h>

#include "geo/nexus-cluster-index.h"
#include "nexus-map-basemap.h"

#define TILE_SIZE   256
#define CACHE_TILES 256

typedef struct
{
  guint  n_points;
  float  min_x, min_y, max_x, max_y;
  float *xy; /* 2 × n_points */
} Ring;

typedef struct
{
  char   *name_en;
  char   *name_ar;
  float   label_x, label_y;
  float   min_label;
  GArray *rings; /* of Ring */
  NexusMapCountry public;
} Country;

typedef struct
{
  GArray          *land;      /* of Ring */
  GArray          *countries; /* of Country */
  NexusMapCountry *public_countries;
} Basemap;

/* A country name placed at one zoom level, in that level's pixels. */
typedef struct
{
  const char *text;
  double      x, y; /* the centre */
  int         width, height;
} Label;

#define MAX_LABEL_ZOOM 20

struct _NexusMapBasemap
{
  ShumateDataSource parent_instance;

  gboolean arabic_names; /* the labels' language */
  GMutex   labels_lock;
  GArray
      *labels[MAX_LABEL_ZOOM]; /* of Label, per zoom; built on first use; guarded by labels_lock */
  GMutex      cache_lock;
  GHashTable *cache;       /* tile key → GBytes; guarded by cache_lock */
  GQueue      cache_order; /* of tile keys as pointers, oldest first; guarded by cache_lock */
};

G_DEFINE_FINAL_TYPE (NexusMapBasemap, nexus_map_basemap, SHUMATE_TYPE_DATA_SOURCE)

typedef struct
{
  int x, y, zoom;
} TileRequest;

/* A cursor over the compiled data; a read past its end leaves it failed. */
typedef struct
{
  const guint8 *data;
  gsize         size;
  gsize         pos;
  gboolean      failed;
} Reader;

static gboolean
read_bytes (Reader *r, void *out, gsize n)
{
  if (r->failed || r->size - r->pos < n)
    {
      r->failed = TRUE;
      memset (out, 0, n);
      return FALSE;
    }
  memcpy (out, r->data + r->pos, n);
  r->pos += n;
  return TRUE;
}

static guint32
read_u32 (Reader *r)
{
  guint32 v;

  read_bytes (r, &v, sizeof v);
  return GUINT32_FROM_LE (v);
}

static float
read_f32 (Reader *r)
{
  guint32 bits = read_u32 (r);
  float   v;

  memcpy (&v, &bits, sizeof v);
  return v;
}

static char *
read_text (Reader *r)
{
  guint16 len = 0;
  char   *text;

  read_bytes (r, &len, sizeof len);
  len = GUINT16_FROM_LE (len);
  text = g_malloc0 (len + 1u);
  read_bytes (r, text, len);
  return text;
}

static void
read_ring (Reader *r, GArray *rings)
{
  Ring ring;

  ring.n_points = read_u32 (r);
  ring.min_x = read_f32 (r);
  ring.min_y = read_f32 (r);
  ring.max_x = read_f32 (r);
  ring.max_y = read_f32 (r);
  if (r->failed || ring.n_points > (r->size - r->pos) / 8)
    {
      r->failed = TRUE;
      return;
    }
  ring.xy = g_new (float, 2 * (gsize)ring.n_points);
  for (guint i = 0; i < 2 * ring.n_points; i++)
    ring.xy[i] = read_f32 (r);
  g_array_append_val (rings, ring);
}

static gpointer
load_basemap (gpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;
  Basemap *map = g_new0 (Basemap, 1);
  Reader   r = { 0 };
  char     magic[4];
  guint32  n_land, n_countries;

  map->land = g_array_new (FALSE, FALSE, sizeof (Ring));
  map->countries = g_array_new (FALSE, FALSE, sizeof (Country));

  bytes = g_resources_lookup_data ("/io/nexus/Nexus/basemap/nexus-basemap.bin", 0, &error);
  if (bytes == NULL)
    {
      g_warning ("The base map is missing from the program: %s", error->message);
      return map;
    }
  r.data = g_bytes_get_data (bytes, &r.size);

  read_bytes (&r, magic, sizeof magic);
  if (memcmp (magic, "NXBM", 4) != 0 || read_u32 (&r) != 1)
    {
      g_warning ("The bundled base map has an unknown format");
      return map;
    }
  n_land = read_u32 (&r);
  n_countries = read_u32 (&r);
  for (guint32 i = 0; i < n_land && !r.failed; i++)
    read_ring (&r, map->land);

  for (guint32 i = 0; i < n_countries && !r.failed; i++)
    {
      Country country = { 0 };
      guint32 n_rings;

      country.name_en = read_text (&r);
      country.name_ar = read_text (&r);
      country.label_x = read_f32 (&r);
      country.label_y = read_f32 (&r);
      country.min_label = read_f32 (&r);
      n_rings = read_u32 (&r);
      country.rings = g_array_new (FALSE, FALSE, sizeof (Ring));
      for (guint32 k = 0; k < n_rings && !r.failed; k++)
        read_ring (&r, country.rings);
      g_array_append_val (map->countries, country);
    }
  if (r.failed)
    g_warning ("The bundled base map is truncated");

  map->public_countries = g_new0 (NexusMapCountry, MAX (map->countries->len, 1));
  for (guint i = 0; i < map->countries->len; i++)
    {
      Country         *c = &g_array_index (map->countries, Country, i);
      NexusMapCountry *p = &map->public_countries[i];
      double           min_x = 1, min_y = 1, max_x = 0, max_y = 0;

      for (guint k = 0; k < c->rings->len; k++)
        {
          Ring *ring = &g_array_index (c->rings, Ring, k);

          min_x = MIN (min_x, ring->min_x);
          min_y = MIN (min_y, ring->min_y);
          max_x = MAX (max_x, ring->max_x);
          max_y = MAX (max_y, ring->max_y);
        }
      p->name_en = c->name_en;
      p->name_ar = c->name_ar;
      nexus_geo_unproject (min_x, max_y, &p->min_lat, &p->min_lon);
      nexus_geo_unproject (max_x, min_y, &p->max_lat, &p->max_lon);
    }
  return map;
}

static const Basemap *
get_basemap (void)
{
  static GOnce once = G_ONCE_INIT;

  return g_once (&once, load_basemap, NULL);
}

/**
 * nexus_map_basemap_get_countries:
 * @n_countries: (out): how many
 *
 * Returns: (transfer none) (array length=n_countries): the countries of
 *   the bundled base map, with their names in English and Arabic
 */
const NexusMapCountry *
nexus_map_basemap_get_countries (guint *n_countries)
{
  const Basemap *map = get_basemap ();

  *n_countries = map->countries->len;
  return map->public_countries;
}

static void
set_rgb (cairo_t *cr, guint32 rgb)
{
  cairo_set_source_rgb (cr, ((rgb >> 16) & 0xff) / 255.0, ((rgb >> 8) & 0xff) / 255.0,
                        (rgb & 0xff) / 255.0);
}

/* Adds the rings of @rings that meet the tile to the path. */
static void
add_rings (cairo_t *cr, GArray *rings, double scale, double ox, double oy, double margin)
{
  double tile_min_x = (ox - margin) / scale, tile_max_x = (ox + TILE_SIZE + margin) / scale;
  double tile_min_y = (oy - margin) / scale, tile_max_y = (oy + TILE_SIZE + margin) / scale;

  for (guint i = 0; i < rings->len; i++)
    {
      const Ring *ring = &g_array_index (rings, Ring, i);

      if (ring->max_x < tile_min_x || ring->min_x > tile_max_x || ring->max_y < tile_min_y ||
          ring->min_y > tile_max_y || ring->n_points < 3)
        continue;

      cairo_move_to (cr, ring->xy[0] * scale - ox, ring->xy[1] * scale - oy);
      for (guint p = 1; p < ring->n_points; p++)
        cairo_line_to (cr, ring->xy[2 * p] * scale - ox, ring->xy[2 * p + 1] * scale - oy);
      cairo_close_path (cr);
    }
}

static int
compare_min_label (gconstpointer a, gconstpointer b)
{
  const Country *ca = *(const Country *const *)a, *cb = *(const Country *const *)b;

  return ca->min_label < cb->min_label ? -1 : ca->min_label > cb->min_label;
}

/* The names shown at @zoom: the most important first (Natural Earth's
 * MIN_LABEL), each only where it overlaps none placed before.  Placed in
 * world pixels, so every tile of the zoom agrees on them. */
static GArray *
place_labels (const Basemap *map, gboolean arabic, int zoom, PangoLayout *layout)
{
  g_autoptr (GPtrArray) candidates = g_ptr_array_new ();
  GArray *labels = g_array_new (FALSE, FALSE, sizeof (Label));
  double  scale = (double)TILE_SIZE * (1u << zoom);

  for (guint i = 0; i < map->countries->len; i++)
    {
      Country *c = &g_array_index (map->countries, Country, i);

      if (c->min_label <= zoom + 0.7)
        g_ptr_array_add (candidates, c);
    }
  g_ptr_array_sort (candidates, compare_min_label);

  for (guint i = 0; i < candidates->len; i++)
    {
      const Country *c = g_ptr_array_index (candidates, i);
      Label          label;
      gboolean       free_place = TRUE;

      label.text = arabic ? c->name_ar : c->name_en;
      pango_layout_set_text (layout, label.text, -1);
      pango_layout_get_pixel_size (layout, &label.width, &label.height);
      label.x = c->label_x * scale;
      label.y = c->label_y * scale;

      for (guint k = 0; k < labels->len && free_place; k++)
        {
          const Label *other = &g_array_index (labels, Label, k);

          free_place = fabs (other->x - label.x) * 2 > other->width + label.width + 8 ||
                       fabs (other->y - label.y) * 2 > other->height + label.height + 4;
        }
      if (free_place)
        g_array_append_val (labels, label);
    }
  return labels;
}

static void
draw_labels (NexusMapBasemap *self, cairo_t *cr, int zoom, double ox, double oy)
{
  g_autoptr (PangoLayout) layout = pango_cairo_create_layout (cr);
  g_autoptr (PangoFontDescription) font = pango_font_description_from_string ("Sans 9");
  GArray *labels;

  pango_layout_set_font_description (layout, font);
  g_mutex_lock (&self->labels_lock);
  if (self->labels[zoom] == NULL)
    self->labels[zoom] = place_labels (get_basemap (), self->arabic_names, zoom, layout);
  labels = g_array_ref (self->labels[zoom]);
  g_mutex_unlock (&self->labels_lock);

  for (guint i = 0; i < labels->len; i++)
    {
      const Label *label = &g_array_index (labels, Label, i);
      double       left = label->x - ox - label->width / 2.0;
      double       top = label->y - oy - label->height / 2.0;

      if (left > TILE_SIZE || top > TILE_SIZE || left + label->width < 0 || top + label->height < 0)
        continue;

      pango_layout_set_text (layout, label->text, -1);
      cairo_move_to (cr, left, top);
      pango_cairo_layout_path (cr, layout);
      cairo_set_source_rgba (cr, 1, 1, 1, 0.8);
      cairo_set_line_width (cr, 3);
      cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
      cairo_stroke (cr);
      cairo_move_to (cr, left, top);
      cairo_set_source_rgb (cr, 0.33, 0.30, 0.30);
      pango_cairo_show_layout (cr, layout);
    }
  g_array_unref (labels);
}

static cairo_status_t
append_png_cb (void *closure, const unsigned char *data, unsigned int length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

static GBytes *
draw_tile (NexusMapBasemap *self, int x, int y, int zoom)
{
  const Basemap   *map = get_basemap ();
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, TILE_SIZE, TILE_SIZE);
  cairo_t         *cr = cairo_create (surface);
  GByteArray      *png = g_byte_array_new ();
  double           scale = (double)TILE_SIZE * (1u << zoom);
  double           ox = (double)x * TILE_SIZE, oy = (double)y * TILE_SIZE;

  set_rgb (cr, NEXUS_MAP_BASEMAP_SEA_RGB);
  cairo_paint (cr);

  cairo_set_fill_rule (cr, CAIRO_FILL_RULE_EVEN_ODD);
  add_rings (cr, map->land, scale, ox, oy, 2);
  set_rgb (cr, NEXUS_MAP_BASEMAP_LAND_RGB);
  cairo_fill (cr);

  for (guint i = 0; i < map->countries->len; i++)
    add_rings (cr, g_array_index (map->countries, Country, i).rings, scale, ox, oy, 2);
  cairo_set_line_width (cr, zoom < 3 ? 0.6 : 1.0);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_source_rgb (cr, 0.70, 0.63, 0.66);
  cairo_stroke (cr);

  if (zoom >= 2 && zoom < MAX_LABEL_ZOOM)
    draw_labels (self, cr, zoom, ox, oy);

  cairo_destroy (cr);
  cairo_surface_flush (surface);
  cairo_surface_write_to_png_stream (surface, append_png_cb, png);
  cairo_surface_destroy (surface);
  return g_byte_array_free_to_bytes (png);
}

static guint64
tile_key (int x, int y, int zoom)
{
  return ((guint64)zoom << 56) | ((guint64)(guint32)x << 28) | (guint64)(guint32)y;
}

/**
 * nexus_map_basemap_render_tile:
 * @self: a base map
 * @x: the tile's column
 * @y: the tile's row
 * @zoom: its zoom level
 *
 * Draws a tile, or takes it from the cache.  Any thread.
 *
 * Returns: (transfer full): the tile as PNG data
 */
GBytes *
nexus_map_basemap_render_tile (NexusMapBasemap *self, int x, int y, int zoom)
{
  guint64 key = tile_key (x, y, zoom);
  GBytes *bytes;

  g_return_val_if_fail (NEXUS_IS_MAP_BASEMAP (self), NULL);
  g_return_val_if_fail (zoom >= 0 && zoom < 28, NULL);

  g_mutex_lock (&self->cache_lock);
  bytes = g_hash_table_lookup (self->cache, &key);
  if (bytes != NULL)
    bytes = g_bytes_ref (bytes);
  g_mutex_unlock (&self->cache_lock);
  if (bytes != NULL)
    return bytes;

  bytes = draw_tile (self, x, y, zoom);

  g_mutex_lock (&self->cache_lock);
  if (!g_hash_table_contains (self->cache, &key))
    {
      guint64 *stored = g_memdup2 (&key, sizeof key);

      g_hash_table_insert (self->cache, stored, g_bytes_ref (bytes));
      g_queue_push_tail (&self->cache_order, stored);
      while (g_queue_get_length (&self->cache_order) > CACHE_TILES)
        g_hash_table_remove (self->cache, g_queue_pop_head (&self->cache_order));
    }
  g_mutex_unlock (&self->cache_lock);
  return bytes;
}

static void
render_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  TileRequest *request = task_data;

  if (g_task_return_error_if_cancelled (task))
    return;
  g_task_return_pointer (
      task, nexus_map_basemap_render_tile (source, request->x, request->y, request->zoom),
      (GDestroyNotify)g_bytes_unref);
}

static void
rendered_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;
  TileRequest *request = g_task_get_task_data (task);

  bytes = g_task_propagate_pointer (G_TASK (result), &error);
  if (bytes == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* libshumate 1.0 takes the tile from the signal, not from the result. */
  g_signal_emit_by_name (source, "received-data", request->x, request->y, request->zoom, bytes);
  g_task_return_pointer (task, g_steal_pointer (&bytes), (GDestroyNotify)g_bytes_unref);
}

static void
nexus_map_basemap_get_tile_data_async (ShumateDataSource  *source,
                                       int                 x,
                                       int                 y,
                                       int                 zoom_level,
                                       GCancellable       *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer            user_data)
{
  g_autoptr (GTask) task = g_task_new (source, cancellable, callback, user_data);
  g_autoptr (GTask) render = NULL;
  TileRequest *request = g_new (TileRequest, 1);

  g_task_set_source_tag (task, nexus_map_basemap_get_tile_data_async);
  request->x = x;
  request->y = y;
  request->zoom = zoom_level;
  g_task_set_task_data (task, request, g_free);

  if (zoom_level < 0 || zoom_level >= 28 || x < 0 || y < 0 || x >= (1 << zoom_level) ||
      y >= (1 << zoom_level))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "No tile %d/%d/%d",
                               zoom_level, x, y);
      return;
    }

  render = g_task_new (source, cancellable, rendered_cb, g_steal_pointer (&task));
  g_task_set_task_data (render, g_memdup2 (request, sizeof *request), g_free);
  g_task_run_in_thread (render, render_thread);
}

static GBytes *
nexus_map_basemap_get_tile_data_finish (ShumateDataSource *source,
                                        GAsyncResult      *result,
                                        GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, source), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
nexus_map_basemap_finalize (GObject *object)
{
  NexusMapBasemap *self = NEXUS_MAP_BASEMAP (object);

  g_queue_clear (&self->cache_order);
  g_clear_pointer (&self->cache, g_hash_table_unref);
  g_mutex_clear (&self->cache_lock);
  for (guint i = 0; i < MAX_LABEL_ZOOM; i++)
    g_clear_pointer (&self->labels[i], g_array_unref);
  g_mutex_clear (&self->labels_lock);

  G_OBJECT_CLASS (nexus_map_basemap_parent_class)->finalize (object);
}

static void
nexus_map_basemap_class_init (NexusMapBasemapClass *klass)
{
  GObjectClass           *object_class = G_OBJECT_CLASS (klass);
  ShumateDataSourceClass *source_class = SHUMATE_DATA_SOURCE_CLASS (klass);

  object_class->finalize = nexus_map_basemap_finalize;
  source_class->get_tile_data_async = nexus_map_basemap_get_tile_data_async;
  source_class->get_tile_data_finish = nexus_map_basemap_get_tile_data_finish;
}

static void
nexus_map_basemap_init (NexusMapBasemap *self)
{
  g_mutex_init (&self->cache_lock);
  g_mutex_init (&self->labels_lock);
  self->cache =
      g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, (GDestroyNotify)g_bytes_unref);
  g_queue_init (&self->cache_order);
}

/**
 * nexus_map_basemap_new:
 * @arabic_names: whether country names are drawn in Arabic
 *
 * Returns: (transfer full): a new base map
 */
NexusMapBasemap *
nexus_map_basemap_new (gboolean arabic_names)
{
  NexusMapBasemap *self = g_object_new (NEXUS_TYPE_MAP_BASEMAP, NULL);

  self->arabic_names = arabic_names;
  return self;
}

/**
 * nexus_map_basemap_create_map_source:
 * @self: a base map
 *
 * Returns: (transfer full): a map source showing @self's tiles
 */
ShumateMapSource *
nexus_map_basemap_create_map_source (NexusMapBasemap *self)
{
  g_return_val_if_fail (NEXUS_IS_MAP_BASEMAP (self), NULL);

  return SHUMATE_MAP_SOURCE (shumate_raster_renderer_new_full (
      "nexus-offline", _ ("Offline Map"), _ ("Natural Earth (public domain)"),
      "https://www.naturalearthdata.com/", 0, 19, TILE_SIZE, SHUMATE_MAP_PROJECTION_MERCATOR,
      SHUMATE_DATA_SOURCE (self)));
}
