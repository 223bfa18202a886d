/* nexus-map-leads-layer.c — leads on the map, clustered
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A ShumateLayer that draws, in snapshot(), the clusters of a
 * NexusClusterIndex that meet the view: one disc per cluster, sized by its
 * count and coloured by its most frequent status or category, with the
 * count written on it.  A widget per lead would collapse past a few
 * thousand leads; this draws a million as a few hundred discs.
 *
 * The index is built elsewhere (a reader thread) and handed over whole;
 * the layer only reads it.  nexus_map_leads_layer_activate_at() is what a
 * click does: on a cluster it zooms the map to the cluster's bounds; on a
 * single lead (or a cluster that cannot be split, leads at one address) it
 * emits "lead-activated".  The map's own overlays (zoom buttons, scale)
 * cover its layers, so the widget holding the map forwards the clicks.
 *
 * Positions: the layer does its own Web Mercator arithmetic from the
 * viewport's centre and zoom (the same as libshumate's for an unrotated
 * map), so a frame costs one index query and no per-point conversion.
 */
#include "config.h"

#include <math.h>

#include "nexus-format.h"
#include "nexus-map-leads-layer.h"

#define DEFAULT_TILE_SIZE 256.0
#define MAX_RADIUS        26.0

struct _NexusMapLeadsLayer
{
  ShumateLayer parent_instance;

  NexusClusterIndex *index;      /* owned; NULL until the first build */
  GPtrArray         *categories; /* owned; category index → name (or NULL) */
  NexusMapColorBy    color_by;
  GArray            *drawn;       /* of NexusMapDrawnCluster; scratch of snapshot() */
  GHashTable        *labels;      /* count → CountLabel: shaped once, drawn every frame */
  GHashTable        *discs;       /* DiscKey → GdkTexture: drawn once, blitted every frame */
  PangoAttrList     *label_attrs; /* of the counts */
};

/* A count as drawn on a disc.  Shaping text is the dearest part of a
 * frame: each distinct count is shaped once and kept. */
typedef struct
{
  PangoLayout *layout;
  int          width, height;
} CountLabel;

#define MAX_LABELS 4096

/* A disc's look: colour (RGB), radius and scale, packed in 64 bits. */
#define DISC_KEY(rgb, radius, scale) ((gint64)(rgb) << 16 | (gint64)(radius) << 8 | (gint64)(scale))

static GdkTexture *
get_disc (NexusMapLeadsLayer *self, const GdkRGBA *color, int radius)
{
  int     scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));
  guint32 rgb = (guint32)(color->red * 255) << 16 | (guint32)(color->green * 255) << 8 |
                (guint32)(color->blue * 255);
  gint64           key = DISC_KEY (rgb, radius, scale);
  GdkTexture      *texture = g_hash_table_lookup (self->discs, &key);
  cairo_surface_t *surface;
  cairo_t         *cr;
  g_autoptr (GBytes) bytes = NULL;
  int size = 2 * radius * scale;

  if (texture != NULL)
    return texture;

  /* A filled disc in a white ring, as one image: the dearest thing to
   * draw is a clip, and this needs none. */
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, size, size);
  cr = cairo_create (surface);
  cairo_scale (cr, scale, scale);
  cairo_arc (cr, radius, radius, radius - 1, 0, 2 * G_PI);
  gdk_cairo_set_source_rgba (cr, color);
  cairo_fill_preserve (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_set_line_width (cr, 2);
  cairo_stroke (cr);
  cairo_destroy (cr);
  cairo_surface_flush (surface);

  bytes = g_bytes_new (cairo_image_surface_get_data (surface),
                       (gsize)cairo_image_surface_get_stride (surface) * size);
  texture = gdk_memory_texture_new (size, size, GDK_MEMORY_DEFAULT, bytes,
                                    cairo_image_surface_get_stride (surface));
  cairo_surface_destroy (surface);
  g_hash_table_insert (self->discs, g_memdup2 (&key, sizeof key), texture);
  return texture;
}

static void
count_label_free (gpointer data)
{
  CountLabel *label = data;

  g_object_unref (label->layout);
  g_free (label);
}

static const CountLabel *
get_count_label (NexusMapLeadsLayer *self, guint32 count)
{
  CountLabel      *label = g_hash_table_lookup (self->labels, GUINT_TO_POINTER (count));
  g_autofree char *text = NULL;

  if (label != NULL)
    return label;

  if (g_hash_table_size (self->labels) >= MAX_LABELS)
    g_hash_table_remove_all (self->labels);
  text = nexus_format_count (count);
  label = g_new0 (CountLabel, 1);
  label->layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  pango_layout_set_attributes (label->layout, self->label_attrs);
  pango_layout_get_pixel_size (label->layout, &label->width, &label->height);
  g_hash_table_insert (self->labels, GUINT_TO_POINTER (count), label);
  return label;
}

G_DEFINE_FINAL_TYPE (NexusMapLeadsLayer, nexus_map_leads_layer, SHUMATE_TYPE_LAYER)

enum
{
  PROP_0,
  PROP_POINT_COUNT,
  PROP_COLOR_BY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_LEAD_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Statuses in the store's order: new, contacted, qualified, won, lost. */
static const char *const status_colors[] = { "#3584e4", "#e5a50a", "#9141ac", "#2ec27e",
                                             "#77767b", "#77767b", "#77767b", "#77767b" };
static const char *const category_colors[NEXUS_MAP_N_PALETTE] = {
  "#e01b24", "#3584e4", "#33d17a", "#ff7800", "#9141ac", "#f6d32d", "#986a44", "#5e5c64",
};

/**
 * nexus_map_color_for:
 * @color_by: status or category colours
 * @index: a status (0 … 4) or the palette slot of a category
 * @out_color: (out): the colour
 */
void
nexus_map_color_for (NexusMapColorBy color_by, guint index, GdkRGBA *out_color)
{
  if (color_by == NEXUS_MAP_COLOR_BY_STATUS)
    gdk_rgba_parse (out_color, status_colors[MIN (index, G_N_ELEMENTS (status_colors) - 1)]);
  else
    gdk_rgba_parse (out_color, category_colors[index % NEXUS_MAP_N_PALETTE]);
}

static double
tile_size (ShumateViewport *viewport)
{
  ShumateMapSource *source = shumate_viewport_get_reference_map_source (viewport);

  return source != NULL ? shumate_map_source_get_tile_size (source) : DEFAULT_TILE_SIZE;
}

typedef struct
{
  double cx, cy; /* the view's centre, normalized */
  double scale;  /* pixels per normalized unit */
  double width, height;
  double zoom;
} View;

static void
get_view (ShumateViewport *viewport, GtkWidget *widget, View *view)
{
  view->zoom = shumate_viewport_get_zoom_level (viewport);
  view->scale = tile_size (viewport) * exp2 (view->zoom);
  view->width = gtk_widget_get_width (widget);
  view->height = gtk_widget_get_height (widget);
  nexus_geo_project (shumate_location_get_latitude (SHUMATE_LOCATION (viewport)),
                     shumate_location_get_longitude (SHUMATE_LOCATION (viewport)), &view->cx,
                     &view->cy);
}

static int
compare_count_desc (gconstpointer a, gconstpointer b)
{
  const NexusCluster *ca = *(const NexusCluster *const *)a;
  const NexusCluster *cb = *(const NexusCluster *const *)b;

  if (ca->count != cb->count)
    return ca->count > cb->count ? -1 : 1;
  return ca->first < cb->first ? -1 : ca->first > cb->first;
}

static double
radius_for (guint32 count)
{
  /* Whole pixels: one disc image per size. */
  return count == 1 ? 6.0 : round (MIN (11.0 + 3.5 * log10 (count), MAX_RADIUS));
}

/**
 * nexus_map_leads_layer_collect:
 * @self: a leads layer
 * @out_drawn: (element-type NexusMapDrawnCluster): receives the clusters
 *
 * The clusters the layer draws in its current view, where it draws them.
 */
void
nexus_map_leads_layer_collect (NexusMapLeadsLayer *self, GArray *out_drawn)
{
  ShumateViewport *viewport = shumate_layer_get_viewport (SHUMATE_LAYER (self));
  g_autoptr (GPtrArray) clusters = NULL;
  View   view;
  double margin;
  guint  first;

  g_return_if_fail (NEXUS_IS_MAP_LEADS_LAYER (self));

  if (self->index == NULL || viewport == NULL)
    return;

  get_view (viewport, GTK_WIDGET (self), &view);
  margin = MAX_RADIUS / view.scale;
  clusters = g_ptr_array_new ();
  nexus_cluster_index_query (self->index, nexus_cluster_level_for_zoom (view.zoom),
                             view.cx - view.width / 2 / view.scale - margin,
                             view.cy - view.height / 2 / view.scale - margin,
                             view.cx + view.width / 2 / view.scale + margin,
                             view.cy + view.height / 2 / view.scale + margin, clusters);

  /* The biggest first: a smaller disc that would overlap one already
   * placed joins it (grid cells cut dense places at arbitrary lines). */
  g_ptr_array_sort (clusters, compare_count_desc);
  first = out_drawn->len;
  for (guint i = 0; i < clusters->len; i++)
    {
      const NexusCluster  *c = g_ptr_array_index (clusters, i);
      NexusMapDrawnCluster drawn = { 0 };
      gboolean             merged = FALSE;

      drawn.x = (c->x - view.cx) * view.scale + view.width / 2;
      drawn.y = (c->y - view.cy) * view.scale + view.height / 2;
      drawn.radius = radius_for (c->count);

      for (guint k = first; k < out_drawn->len && !merged && c->count > 1; k++)
        {
          NexusMapDrawnCluster *other = &g_array_index (out_drawn, NexusMapDrawnCluster, k);

          if (other->count > 1 &&
              hypot (other->x - drawn.x, other->y - drawn.y) < 0.8 * (other->radius + drawn.radius))
            {
              other->count += c->count;
              other->n_merged++;
              other->radius = radius_for (other->count);
              other->min_x = MIN (other->min_x, c->min_x);
              other->min_y = MIN (other->min_y, c->min_y);
              other->max_x = MAX (other->max_x, c->max_x);
              other->max_y = MAX (other->max_y, c->max_y);
              merged = TRUE;
            }
        }
      if (merged)
        continue;

      drawn.cluster = c;
      drawn.count = c->count;
      drawn.min_x = c->min_x;
      drawn.min_y = c->min_y;
      drawn.max_x = c->max_x;
      drawn.max_y = c->max_y;
      g_array_append_val (out_drawn, drawn);
    }
}

static void
nexus_map_leads_layer_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  NexusMapLeadsLayer *self = NEXUS_MAP_LEADS_LAYER (widget);
  GdkRGBA             white = { 1, 1, 1, 1 };

  g_array_set_size (self->drawn, 0);
  nexus_map_leads_layer_collect (self, self->drawn);

  for (guint i = 0; i < self->drawn->len; i++)
    {
      const NexusMapDrawnCluster *d = &g_array_index (self->drawn, NexusMapDrawnCluster, i);
      const NexusCluster         *c = d->cluster;
      GdkRGBA                     color;

      nexus_map_color_for (
          self->color_by,
          self->color_by == NEXUS_MAP_COLOR_BY_STATUS ? c->top_status : c->top_category, &color);
      gtk_snapshot_append_texture (snapshot, get_disc (self, &color, (int)d->radius),
                                   &GRAPHENE_RECT_INIT (round (d->x - d->radius),
                                                        round (d->y - d->radius), 2 * d->radius,
                                                        2 * d->radius));

      if (d->count > 1)
        {
          const CountLabel *label = get_count_label (self, d->count);

          gtk_snapshot_save (snapshot);
          gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (d->x - label->width / 2.0,
                                                                  d->y - label->height / 2.0));
          gtk_snapshot_append_layout (snapshot, label->layout, &white);
          gtk_snapshot_restore (snapshot);
        }
    }
}

/**
 * nexus_map_leads_layer_fit_bounds:
 * @viewport: the map's viewport
 * @widget: a widget as large as the map
 * @min_x: the box to show, normalized Web Mercator
 * @min_y:
 * @max_x:
 * @max_y:
 *
 * Centres the map on the box and zooms so that it fills most of the view.
 */
void
nexus_map_leads_layer_fit_bounds (ShumateViewport *viewport,
                                  GtkWidget       *widget,
                                  double           min_x,
                                  double           min_y,
                                  double           max_x,
                                  double           max_y)
{
  double width = MAX (gtk_widget_get_width (widget), 64);
  double height = MAX (gtk_widget_get_height (widget), 64);
  double size = tile_size (viewport);
  double span_x = MAX (max_x - min_x, 1e-9), span_y = MAX (max_y - min_y, 1e-9);
  double zoom, lat, lon;

  /* 80 % of the view, so the discs at the edges stay whole. */
  zoom = log2 (MIN (0.8 * width / (span_x * size), 0.8 * height / (span_y * size)));
  zoom = CLAMP (zoom, shumate_viewport_get_min_zoom_level (viewport),
                shumate_viewport_get_max_zoom_level (viewport));
  nexus_geo_unproject ((min_x + max_x) / 2, (min_y + max_y) / 2, &lat, &lon);
  shumate_viewport_set_zoom_level (viewport, zoom);
  shumate_location_set_location (SHUMATE_LOCATION (viewport), lat, lon);
}

/**
 * nexus_map_leads_layer_activate_at:
 * @self: a leads layer
 * @x: widget coordinates
 * @y:
 *
 * What a click at (@x, @y) does: zoom into the cluster there, or emit
 * "lead-activated" for the lead there.
 *
 * Returns: whether a cluster or lead was there
 */
/**
 * nexus_map_leads_layer_pick_at:
 * @self: a leads layer
 * @x: widget coordinates
 * @y:
 * @out_drawn: (out): the disc there, the topmost of the nearest
 *
 * Returns: whether a disc is drawn at (@x, @y)
 */
gboolean
nexus_map_leads_layer_pick_at (NexusMapLeadsLayer   *self,
                               double                x,
                               double                y,
                               NexusMapDrawnCluster *out_drawn)
{
  g_autoptr (GArray) drawn = g_array_new (FALSE, FALSE, sizeof (NexusMapDrawnCluster));
  const NexusMapDrawnCluster *best = NULL;
  double                      best_distance = G_MAXDOUBLE;

  nexus_map_leads_layer_collect (self, drawn);
  for (guint i = 0; i < drawn->len; i++)
    {
      const NexusMapDrawnCluster *d = &g_array_index (drawn, NexusMapDrawnCluster, i);
      double                      distance = hypot (d->x - x, d->y - y);

      if (distance <= d->radius + 2 && distance <= best_distance)
        {
          best = d;
          best_distance = distance;
        }
    }
  if (best == NULL)
    return FALSE;
  *out_drawn = *best;
  return TRUE;
}

gboolean
nexus_map_leads_layer_activate_at (NexusMapLeadsLayer *self, double x, double y)
{
  ShumateViewport            *viewport = shumate_layer_get_viewport (SHUMATE_LAYER (self));
  NexusMapDrawnCluster        picked;
  const NexusMapDrawnCluster *best = &picked;

  g_return_val_if_fail (NEXUS_IS_MAP_LEADS_LAYER (self), FALSE);

  if (!nexus_map_leads_layer_pick_at (self, x, y, &picked))
    return FALSE;

  if (best->count > 1 && (best->n_merged > 0 || best->cluster->n_children > 0))
    {
      nexus_map_leads_layer_fit_bounds (viewport, GTK_WIDGET (self), best->min_x, best->min_y,
                                        best->max_x, best->max_y);
      return TRUE;
    }

  g_signal_emit (self, signals[SIGNAL_LEAD_ACTIVATED], 0,
                 nexus_cluster_index_get_point_id (self->index, best->cluster->first),
                 (guint)best->count, best->x, best->y);
  return TRUE;
}

static void
nexus_map_leads_layer_css_changed (GtkWidget *widget, GtkCssStyleChange *change)
{
  NexusMapLeadsLayer *self = NEXUS_MAP_LEADS_LAYER (widget);

  GTK_WIDGET_CLASS (nexus_map_leads_layer_parent_class)->css_changed (widget, change);
  /* The font may have changed: shape the counts again. */
  if (self->labels != NULL)
    g_hash_table_remove_all (self->labels);
}

static void
viewport_notify_cb (NexusMapLeadsLayer *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
nexus_map_leads_layer_constructed (GObject *object)
{
  NexusMapLeadsLayer *self = NEXUS_MAP_LEADS_LAYER (object);
  ShumateViewport    *viewport = shumate_layer_get_viewport (SHUMATE_LAYER (self));

  G_OBJECT_CLASS (nexus_map_leads_layer_parent_class)->constructed (object);

  /* libshumate 1.0 has no "changed" signal: redraw on any property. */
  g_signal_connect_object (viewport, "notify", G_CALLBACK (viewport_notify_cb), self,
                           G_CONNECT_SWAPPED);
}

static void
nexus_map_leads_layer_dispose (GObject *object)
{
  NexusMapLeadsLayer *self = NEXUS_MAP_LEADS_LAYER (object);

  g_clear_pointer (&self->index, nexus_cluster_index_unref);
  g_clear_pointer (&self->categories, g_ptr_array_unref);
  g_clear_pointer (&self->drawn, g_array_unref);
  g_clear_pointer (&self->labels, g_hash_table_unref);
  g_clear_pointer (&self->discs, g_hash_table_unref);
  g_clear_pointer (&self->label_attrs, pango_attr_list_unref);

  G_OBJECT_CLASS (nexus_map_leads_layer_parent_class)->dispose (object);
}

static void
nexus_map_leads_layer_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  NexusMapLeadsLayer *self = NEXUS_MAP_LEADS_LAYER (object);

  switch (prop_id)
    {
      case PROP_POINT_COUNT:
        g_value_set_int64 (value, nexus_map_leads_layer_get_point_count (self));
        break;

      case PROP_COLOR_BY:
        g_value_set_int (value, self->color_by);
        break;

      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nexus_map_leads_layer_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  NexusMapLeadsLayer *self = NEXUS_MAP_LEADS_LAYER (object);

  switch (prop_id)
    {
      case PROP_COLOR_BY:
        nexus_map_leads_layer_set_color_by (self, g_value_get_int (value));
        break;

      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nexus_map_leads_layer_class_init (NexusMapLeadsLayerClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = nexus_map_leads_layer_constructed;
  object_class->dispose = nexus_map_leads_layer_dispose;
  object_class->get_property = nexus_map_leads_layer_get_property;
  object_class->set_property = nexus_map_leads_layer_set_property;
  widget_class->snapshot = nexus_map_leads_layer_snapshot;
  widget_class->css_changed = nexus_map_leads_layer_css_changed;

  /* How many leads the layer holds (all of them, not only those in view). */
  properties[PROP_POINT_COUNT] =
      g_param_spec_int64 ("point-count", NULL, NULL, 0, G_MAXINT64, 0,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_COLOR_BY] =
      g_param_spec_int ("color-by", NULL, NULL, NEXUS_MAP_COLOR_BY_STATUS,
                        NEXUS_MAP_COLOR_BY_CATEGORY, NEXUS_MAP_COLOR_BY_STATUS,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * NexusMapLeadsLayer::lead-activated:
   * @id: the lead (the first of a cluster that cannot be split)
   * @count: how many leads are at that place
   * @x: where, in widget coordinates
   * @y:
   */
  signals[SIGNAL_LEAD_ACTIVATED] =
      g_signal_new ("lead-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 4, G_TYPE_INT64, G_TYPE_UINT, G_TYPE_DOUBLE, G_TYPE_DOUBLE);
}

static void
nexus_map_leads_layer_init (NexusMapLeadsLayer *self)
{
  self->drawn = g_array_new (FALSE, FALSE, sizeof (NexusMapDrawnCluster));
  self->labels = g_hash_table_new_full (NULL, NULL, NULL, count_label_free);
  self->discs = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
  self->label_attrs = pango_attr_list_new ();
  pango_attr_list_insert (self->label_attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
  pango_attr_list_insert (self->label_attrs, pango_attr_scale_new (0.8));
}

NexusMapLeadsLayer *
nexus_map_leads_layer_new (ShumateViewport *viewport)
{
  return g_object_new (NEXUS_TYPE_MAP_LEADS_LAYER, "viewport", viewport, NULL);
}

/**
 * nexus_map_leads_layer_set_index:
 * @self: a leads layer
 * @index: (nullable): the leads to draw
 * @categories: (nullable) (element-type utf8): the names of the index's
 *   category numbers
 */
void
nexus_map_leads_layer_set_index (NexusMapLeadsLayer *self,
                                 NexusClusterIndex  *index,
                                 GPtrArray          *categories)
{
  g_return_if_fail (NEXUS_IS_MAP_LEADS_LAYER (self));

  if (index != NULL)
    nexus_cluster_index_ref (index);
  g_clear_pointer (&self->index, nexus_cluster_index_unref);
  self->index = index;
  if (categories != NULL)
    g_ptr_array_ref (categories);
  g_clear_pointer (&self->categories, g_ptr_array_unref);
  self->categories = categories;

  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POINT_COUNT]);
}

NexusClusterIndex *
nexus_map_leads_layer_get_index (NexusMapLeadsLayer *self)
{
  g_return_val_if_fail (NEXUS_IS_MAP_LEADS_LAYER (self), NULL);

  return self->index;
}

/* Returns: (nullable): the name of category number @category */
const char *
nexus_map_leads_layer_get_category_name (NexusMapLeadsLayer *self, guint16 category)
{
  g_return_val_if_fail (NEXUS_IS_MAP_LEADS_LAYER (self), NULL);

  if (self->categories == NULL || category >= self->categories->len)
    return NULL;
  return g_ptr_array_index (self->categories, category);
}

gint64
nexus_map_leads_layer_get_point_count (NexusMapLeadsLayer *self)
{
  g_return_val_if_fail (NEXUS_IS_MAP_LEADS_LAYER (self), 0);

  return self->index != NULL ? (gint64)nexus_cluster_index_get_n_points (self->index) : 0;
}

void
nexus_map_leads_layer_set_color_by (NexusMapLeadsLayer *self, NexusMapColorBy color_by)
{
  g_return_if_fail (NEXUS_IS_MAP_LEADS_LAYER (self));

  if (self->color_by == color_by)
    return;
  self->color_by = color_by;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COLOR_BY]);
}

NexusMapColorBy
nexus_map_leads_layer_get_color_by (NexusMapLeadsLayer *self)
{
  g_return_val_if_fail (NEXUS_IS_MAP_LEADS_LAYER (self), NEXUS_MAP_COLOR_BY_STATUS);

  return self->color_by;
}

/**
 * nexus_map_leads_layer_get_view_bounds:
 * @self: a leads layer
 * @min_lat: (out): the box the layer shows, degrees
 * @min_lon: (out):
 * @max_lat: (out):
 * @max_lon: (out):
 */
void
nexus_map_leads_layer_get_view_bounds (NexusMapLeadsLayer *self,
                                       double             *min_lat,
                                       double             *min_lon,
                                       double             *max_lat,
                                       double             *max_lon)
{
  ShumateViewport *viewport = shumate_layer_get_viewport (SHUMATE_LAYER (self));
  View             view;

  g_return_if_fail (NEXUS_IS_MAP_LEADS_LAYER (self));

  get_view (viewport, GTK_WIDGET (self), &view);
  nexus_geo_unproject (CLAMP (view.cx - view.width / 2 / view.scale, 0, 1),
                       CLAMP (view.cy + view.height / 2 / view.scale, 0, 1), min_lat, min_lon);
  nexus_geo_unproject (CLAMP (view.cx + view.width / 2 / view.scale, 0, 1),
                       CLAMP (view.cy - view.height / 2 / view.scale, 0, 1), max_lat, max_lon);
}
