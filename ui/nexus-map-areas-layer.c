/* nexus-map-areas-layer.c — search cells and drawn search areas
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A ShumateLayer with two jobs:
 *
 *  - it draws the cells of one search, filled and outlined in the colour of
 *    their state (queued, leased, done, failed, capped);
 *  - it holds the shape being drawn: a rectangle (set from a drag) or the
 *    corners of a polygon (a corner on the first one closes it).  When the
 *    shape is finished the layer emits "area-drawn" with the shape as
 *    GeoJSON geometry text and leaves the drawing mode.  The map's
 *    overlays cover its layers, so the widget holding the map forwards the
 *    pointer (see nexus-map-page.c).
 *
 * The shape is kept in degrees, so the map may move under it.
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <math.h>

#include "geo/nexus-cluster-index.h"
#include "nexus-map-areas-layer.h"

#define CLOSE_DISTANCE 10.0 /* pixels: a click this near the first corner closes */

struct _NexusMapAreasLayer
{
  ShumateLayer parent_instance;

  GArray          *cells; /* owned; of NexusMapCell; NULL: no search shown */
  NexusMapDrawMode mode;
  GArray          *vertices; /* of double pairs (lat, lon): the shape being drawn */
};

G_DEFINE_FINAL_TYPE (NexusMapAreasLayer, nexus_map_areas_layer, SHUMATE_TYPE_LAYER)

enum
{
  PROP_0,
  PROP_MODE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_AREA_DRAWN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *const cell_colors[NEXUS_MAP_N_CELL_STATES] = {
  [NEXUS_MAP_CELL_QUEUED] = "#9a9996", [NEXUS_MAP_CELL_LEASED] = "#3584e4",
  [NEXUS_MAP_CELL_DONE] = "#2ec27e",   [NEXUS_MAP_CELL_FAILED] = "#e01b24",
  [NEXUS_MAP_CELL_CAPPED] = "#ff7800",
};

void
nexus_map_cell_color (NexusMapCellState state, GdkRGBA *out_color)
{
  gdk_rgba_parse (out_color, cell_colors[MIN (state, NEXUS_MAP_N_CELL_STATES - 1)]);
}

static void
to_widget (NexusMapAreasLayer *self, double lat, double lon, double *x, double *y)
{
  ShumateViewport *viewport = shumate_layer_get_viewport (SHUMATE_LAYER (self));

  shumate_viewport_location_to_widget_coords (viewport, GTK_WIDGET (self), lat, lon, x, y);
}

static void
to_location (NexusMapAreasLayer *self, double x, double y, double *lat, double *lon)
{
  ShumateViewport *viewport = shumate_layer_get_viewport (SHUMATE_LAYER (self));

  shumate_viewport_widget_coords_to_location (viewport, GTK_WIDGET (self), x, y, lat, lon);
}

static void
append_box (GtkSnapshot   *snapshot,
            double         x0,
            double         y0,
            double         x1,
            double         y1,
            const GdkRGBA *color,
            float          fill_alpha)
{
  graphene_rect_t rect =
      GRAPHENE_RECT_INIT (MIN (x0, x1), MIN (y0, y1), fabs (x1 - x0), fabs (y1 - y0));
  GdkRGBA        fill = *color;
  GskRoundedRect outline;
  float          widths[4] = { 1, 1, 1, 1 };
  GdkRGBA        colors[4] = { *color, *color, *color, *color };

  fill.alpha = fill_alpha;
  gtk_snapshot_append_color (snapshot, &fill, &rect);
  gsk_rounded_rect_init_from_rect (&outline, &rect, 0);
  gtk_snapshot_append_border (snapshot, &outline, widths, colors);
}

static void
snapshot_sketch (NexusMapAreasLayer *self, GtkSnapshot *snapshot)
{
  graphene_rect_t bounds = GRAPHENE_RECT_INIT (0, 0, gtk_widget_get_width (GTK_WIDGET (self)),
                                               gtk_widget_get_height (GTK_WIDGET (self)));
  cairo_t        *cr;

  if (self->vertices->len == 0)
    return;

  cr = gtk_snapshot_append_cairo (snapshot, &bounds);
  for (guint i = 0; i < self->vertices->len / 2; i++)
    {
      double x, y;

      to_widget (self, g_array_index (self->vertices, double, 2 * i),
                 g_array_index (self->vertices, double, 2 * i + 1), &x, &y);
      if (i == 0)
        cairo_move_to (cr, x, y);
      else
        cairo_line_to (cr, x, y);
    }
  if (self->mode == NEXUS_MAP_DRAW_RECTANGLE || self->vertices->len >= 6)
    cairo_close_path (cr);
  cairo_set_source_rgba (cr, 0.21, 0.52, 0.89, 0.2);
  cairo_fill_preserve (cr);
  cairo_set_source_rgb (cr, 0.21, 0.52, 0.89);
  cairo_set_line_width (cr, 2);
  cairo_stroke (cr);

  for (guint i = 0; i < self->vertices->len / 2; i++)
    {
      double x, y;

      to_widget (self, g_array_index (self->vertices, double, 2 * i),
                 g_array_index (self->vertices, double, 2 * i + 1), &x, &y);
      cairo_arc (cr, x, y, 4, 0, 2 * G_PI);
      cairo_fill (cr);
    }
  cairo_destroy (cr);
}

static void
nexus_map_areas_layer_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  NexusMapAreasLayer *self = NEXUS_MAP_AREAS_LAYER (widget);

  if (self->cells != NULL)
    for (guint i = 0; i < self->cells->len; i++)
      {
        const NexusMapCell *cell = &g_array_index (self->cells, NexusMapCell, i);
        GdkRGBA             color;
        double              x0, y0, x1, y1;

        to_widget (self, cell->north, cell->west, &x0, &y0);
        to_widget (self, cell->south, cell->east, &x1, &y1);
        if (MAX (x0, x1) < 0 || MIN (x0, x1) > gtk_widget_get_width (widget) || MAX (y0, y1) < 0 ||
            MIN (y0, y1) > gtk_widget_get_height (widget))
          continue;
        nexus_map_cell_color (cell->state, &color);
        append_box (snapshot, x0, y0, x1, y1, &color, 0.3f);
      }

  snapshot_sketch (self, snapshot);
}

static void
leave_mode (NexusMapAreasLayer *self)
{
  g_array_set_size (self->vertices, 0);
  nexus_map_areas_layer_set_mode (self, NEXUS_MAP_DRAW_NONE);
}

/* The shape as a GeoJSON Polygon: [lon, lat] positions, the ring closed. */
static char *
shape_to_geojson (NexusMapAreasLayer *self)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  guint n = self->vertices->len / 2;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "Polygon");
  json_builder_set_member_name (builder, "coordinates");
  json_builder_begin_array (builder);
  json_builder_begin_array (builder);
  for (guint i = 0; i <= n; i++)
    {
      guint k = i % n;

      json_builder_begin_array (builder);
      json_builder_add_double_value (
          builder, round (g_array_index (self->vertices, double, 2 * k + 1) * 1e6) / 1e6);
      json_builder_add_double_value (
          builder, round (g_array_index (self->vertices, double, 2 * k) * 1e6) / 1e6);
      json_builder_end_array (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

/**
 * nexus_map_areas_layer_finish:
 * @self: an areas layer
 *
 * Ends the shape being drawn: emits "area-drawn" when it has an area
 * (a rectangle, or a polygon of three corners or more) and leaves the
 * drawing mode.
 *
 * Returns: whether "area-drawn" was emitted
 */
gboolean
nexus_map_areas_layer_finish (NexusMapAreasLayer *self)
{
  g_autofree char *geojson = NULL;
  guint            n;

  g_return_val_if_fail (NEXUS_IS_MAP_AREAS_LAYER (self), FALSE);

  n = self->vertices->len / 2;
  if (n < 3)
    return FALSE;

  geojson = shape_to_geojson (self);
  leave_mode (self);
  g_signal_emit (self, signals[SIGNAL_AREA_DRAWN], 0, geojson);
  return TRUE;
}

/**
 * nexus_map_areas_layer_add_vertex:
 * @self: an areas layer in polygon mode
 * @x: widget coordinates of the new corner
 * @y:
 *
 * A corner on the first one closes the polygon.
 */
void
nexus_map_areas_layer_add_vertex (NexusMapAreasLayer *self, double x, double y)
{
  double lat, lon;

  g_return_if_fail (NEXUS_IS_MAP_AREAS_LAYER (self));

  if (self->vertices->len >= 6)
    {
      double fx, fy;

      to_widget (self, g_array_index (self->vertices, double, 0),
                 g_array_index (self->vertices, double, 1), &fx, &fy);
      if (hypot (fx - x, fy - y) <= CLOSE_DISTANCE)
        {
          nexus_map_areas_layer_finish (self);
          return;
        }
    }

  to_location (self, x, y, &lat, &lon);
  g_array_append_val (self->vertices, lat);
  g_array_append_val (self->vertices, lon);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Drops the shape being drawn, staying in the drawing mode. */
void
nexus_map_areas_layer_clear_shape (NexusMapAreasLayer *self)
{
  g_return_if_fail (NEXUS_IS_MAP_AREAS_LAYER (self));

  g_array_set_size (self->vertices, 0);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
nexus_map_areas_layer_undo_vertex (NexusMapAreasLayer *self)
{
  g_return_if_fail (NEXUS_IS_MAP_AREAS_LAYER (self));

  if (self->vertices->len >= 2)
    g_array_set_size (self->vertices, self->vertices->len - 2);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * nexus_map_areas_layer_set_rectangle:
 * @self: an areas layer in rectangle mode
 * @x0: one corner, widget coordinates
 * @y0:
 * @x1: the opposite corner
 * @y1:
 */
void
nexus_map_areas_layer_set_rectangle (NexusMapAreasLayer *self,
                                     double              x0,
                                     double              y0,
                                     double              x1,
                                     double              y1)
{
  double corners[4][2] = { { x0, y0 }, { x1, y0 }, { x1, y1 }, { x0, y1 } };

  g_return_if_fail (NEXUS_IS_MAP_AREAS_LAYER (self));

  g_array_set_size (self->vertices, 0);
  for (guint i = 0; i < 4; i++)
    {
      double lat, lon;

      to_location (self, corners[i][0], corners[i][1], &lat, &lon);
      g_array_append_val (self->vertices, lat);
      g_array_append_val (self->vertices, lon);
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
viewport_notify_cb (NexusMapAreasLayer *self)
{
  if (self->cells != NULL || self->vertices->len > 0)
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
nexus_map_areas_layer_constructed (GObject *object)
{
  NexusMapAreasLayer *self = NEXUS_MAP_AREAS_LAYER (object);

  G_OBJECT_CLASS (nexus_map_areas_layer_parent_class)->constructed (object);

  g_signal_connect_object (shumate_layer_get_viewport (SHUMATE_LAYER (self)), "notify",
                           G_CALLBACK (viewport_notify_cb), self, G_CONNECT_SWAPPED);
}

static void
nexus_map_areas_layer_dispose (GObject *object)
{
  NexusMapAreasLayer *self = NEXUS_MAP_AREAS_LAYER (object);

  g_clear_pointer (&self->cells, g_array_unref);
  g_clear_pointer (&self->vertices, g_array_unref);

  G_OBJECT_CLASS (nexus_map_areas_layer_parent_class)->dispose (object);
}

static void
nexus_map_areas_layer_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  NexusMapAreasLayer *self = NEXUS_MAP_AREAS_LAYER (object);

  switch (prop_id)
    {
      case PROP_MODE:
        g_value_set_int (value, self->mode);
        break;

      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nexus_map_areas_layer_class_init (NexusMapAreasLayerClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = nexus_map_areas_layer_constructed;
  object_class->dispose = nexus_map_areas_layer_dispose;
  object_class->get_property = nexus_map_areas_layer_get_property;
  widget_class->snapshot = nexus_map_areas_layer_snapshot;

  properties[PROP_MODE] = g_param_spec_int (
      "mode", NULL, NULL, NEXUS_MAP_DRAW_NONE, NEXUS_MAP_DRAW_POLYGON, NEXUS_MAP_DRAW_NONE,
      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * NexusMapAreasLayer::area-drawn:
   * @geojson: the shape, a GeoJSON Polygon geometry
   */
  signals[SIGNAL_AREA_DRAWN] =
      g_signal_new ("area-drawn", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                    G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
nexus_map_areas_layer_init (NexusMapAreasLayer *self)
{
  self->vertices = g_array_new (FALSE, FALSE, sizeof (double));
  gtk_widget_set_can_target (GTK_WIDGET (self), FALSE);
}

NexusMapAreasLayer *
nexus_map_areas_layer_new (ShumateViewport *viewport)
{
  return g_object_new (NEXUS_TYPE_MAP_AREAS_LAYER, "viewport", viewport, NULL);
}

/**
 * nexus_map_areas_layer_set_cells:
 * @self: an areas layer
 * @cells: (nullable) (element-type NexusMapCell): the cells to show
 */
void
nexus_map_areas_layer_set_cells (NexusMapAreasLayer *self, GArray *cells)
{
  g_return_if_fail (NEXUS_IS_MAP_AREAS_LAYER (self));

  if (cells != NULL)
    g_array_ref (cells);
  g_clear_pointer (&self->cells, g_array_unref);
  self->cells = cells;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Returns: (transfer none) (nullable): the cells shown */
GArray *
nexus_map_areas_layer_get_cells (NexusMapAreasLayer *self)
{
  g_return_val_if_fail (NEXUS_IS_MAP_AREAS_LAYER (self), NULL);

  return self->cells;
}

/**
 * nexus_map_areas_layer_set_mode:
 * @self: an areas layer
 * @mode: the shape being drawn; a change drops an unfinished shape
 */
void
nexus_map_areas_layer_set_mode (NexusMapAreasLayer *self, NexusMapDrawMode mode)
{
  g_return_if_fail (NEXUS_IS_MAP_AREAS_LAYER (self));

  if (self->mode == mode)
    return;
  self->mode = mode;
  g_array_set_size (self->vertices, 0);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODE]);
}

NexusMapDrawMode
nexus_map_areas_layer_get_mode (NexusMapAreasLayer *self)
{
  g_return_val_if_fail (NEXUS_IS_MAP_AREAS_LAYER (self), NEXUS_MAP_DRAW_NONE);

  return self->mode;
}
