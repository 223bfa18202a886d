/* nexus-chart.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Geometry is computed in left-to-right coordinates by compute_layout() and
 * mirrored for right-to-left at the end, so drawing, hit-testing and
 * nexus_chart_get_bar_rect() always agree.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "nexus-chart.h"
#include "nexus-format.h"

#define PAD         4.0
#define GAP         6.0
#define MAX_ROW     26.0
#define LABEL_SHARE 0.4
#define BAR_SHARE   0.7

struct _NexusChart
{
  GtkWidget parent_instance;

  NexusChartKind kind;
  GArray        *values; /* double */
  GPtrArray     *labels; /* char*, one per value, may be NULL */
  int            fraction_digits;
  char          *unit;     /* appended to values, or NULL */
  int            hovered;  /* bar under the pointer, -1 none */
  int            selected; /* bar chosen with the keyboard, -1 none */
};

enum
{
  PROP_0,
  PROP_KIND,
  N_PROPS
};

enum
{
  SIGNAL_BAR_ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint       signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (NexusChart, nexus_chart, GTK_TYPE_WIDGET)

/* Where everything goes, in left-to-right coordinates. */
typedef struct
{
  double width;
  double height;
  double max;     /* the value at the top (or end) of the axis */
  double plot_x0; /* the plot area */
  double plot_x1;
  double plot_y0;
  double plot_y1;
  double label_w; /* HBARS: the label column */
  double text_h;  /* height of a line of axis text */
} Layout;

static char *
format_value (NexusChart *self, double value)
{
  g_autofree char *number = self->fraction_digits > 0
                                ? nexus_format_decimal (value, self->fraction_digits)
                                : nexus_format_count ((gint64)llround (value));

  if (self->unit == NULL)
    return g_steal_pointer (&number);
  /* Translators: a value and its unit on a chart, e.g. "12 ms" or "5 %". */
  return g_strdup_printf (C_ ("chart value", "%s %s"), number, self->unit);
}

static double
text_width (NexusChart *self, const char *text, double *out_height)
{
  g_autoptr (PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  int width = 0;
  int height = 0;

  pango_layout_get_pixel_size (layout, &width, &height);
  if (out_height != NULL)
    *out_height = height;
  return width;
}

/* 1, 2 or 4 times a power of ten, at least @value; at least 2 for whole
 * numbers: the middle line of the axis, at half of it, stays a whole
 * number. */
static double
nice_ceiling (double value, int fraction_digits)
{
  double power;

  if (fraction_digits == 0 && value <= 2)
    return 2;
  if (value <= 0)
    return 1;
  power = pow (10, floor (log10 (value)));
  if (value <= power)
    return power;
  if (value <= 2 * power)
    return 2 * power;
  if (value <= 4 * power)
    return 4 * power;
  return 10 * power;
}

static void
compute_layout (NexusChart *self, double width, double height, Layout *layout)
{
  double max = 0;

  memset (layout, 0, sizeof *layout);
  layout->width = width;
  layout->height = height;
  for (guint i = 0; i < self->values->len; i++)
    max = MAX (max, g_array_index (self->values, double, i));

  if (self->kind == NEXUS_CHART_HBARS)
    {
      double widest_label = 0;
      double widest_value = 0;

      layout->max = max > 0 ? max : 1;
      for (guint i = 0; i < self->values->len; i++)
        {
          const char      *label = g_ptr_array_index (self->labels, i);
          g_autofree char *value = format_value (self, g_array_index (self->values, double, i));

          widest_label = MAX (widest_label, text_width (self, label != NULL ? label : "", NULL));
          widest_value = MAX (widest_value, text_width (self, value, &layout->text_h));
        }
      layout->label_w = MIN (widest_label, width * LABEL_SHARE) + GAP;
      layout->plot_x0 = layout->label_w;
      layout->plot_x1 = MAX (layout->plot_x0, width - widest_value - GAP - PAD);
      layout->plot_y0 = PAD;
      layout->plot_y1 = MIN (height - PAD, PAD + MAX_ROW * self->values->len);
      return;
    }

  {
    g_autofree char *top = NULL;
    double           axis_w;

    layout->max = nice_ceiling (max, self->fraction_digits);
    top = format_value (self, layout->max);
    axis_w = text_width (self, top, &layout->text_h) + GAP;
    layout->plot_x0 = axis_w;
    layout->plot_x1 = MAX (axis_w, width - PAD);
    layout->plot_y0 = PAD + layout->text_h / 2;
    layout->plot_y1 = MAX (layout->plot_y0, height - layout->text_h - PAD);
  }
}

static gboolean
is_rtl (NexusChart *self)
{
  return gtk_widget_get_direction (GTK_WIDGET (self)) == GTK_TEXT_DIR_RTL;
}

/* @rect mirrored for right-to-left when needed. */
static void
orient (NexusChart *self, const Layout *layout, graphene_rect_t *rect)
{
  if (is_rtl (self))
    rect->origin.x = layout->width - rect->origin.x - rect->size.width;
}

static void
bar_rect (NexusChart *self, const Layout *layout, guint index, graphene_rect_t *rect)
{
  double value = MAX (0, g_array_index (self->values, double, index));
  guint  n = self->values->len;

  if (self->kind == NEXUS_CHART_HBARS)
    {
      double row = (layout->plot_y1 - layout->plot_y0) / n;
      double length = value / layout->max * (layout->plot_x1 - layout->plot_x0);

      graphene_rect_init (rect, layout->plot_x0, layout->plot_y0 + row * index + row * 0.15, length,
                          row * BAR_SHARE);
    }
  else
    {
      double slot = (layout->plot_x1 - layout->plot_x0) / n;
      double length = value / layout->max * (layout->plot_y1 - layout->plot_y0);

      graphene_rect_init (rect, layout->plot_x0 + slot * index + slot * (1 - BAR_SHARE) / 2,
                          layout->plot_y1 - length, slot * BAR_SHARE, length);
    }
  orient (self, layout, rect);
}

/* The whole slot of a bar (what a click or the pointer hits). */
static void
slot_rect (NexusChart *self, const Layout *layout, guint index, graphene_rect_t *rect)
{
  guint n = self->values->len;

  if (self->kind == NEXUS_CHART_HBARS)
    {
      double row = (layout->plot_y1 - layout->plot_y0) / n;
      graphene_rect_init (rect, 0, layout->plot_y0 + row * index, layout->width, row);
    }
  else
    {
      double slot = (layout->plot_x1 - layout->plot_x0) / n;
      graphene_rect_init (rect, layout->plot_x0 + slot * index, 0, slot, layout->height);
    }
  orient (self, layout, rect);
}

static void
current_layout (NexusChart *self, Layout *layout)
{
  compute_layout (self, gtk_widget_get_width (GTK_WIDGET (self)),
                  gtk_widget_get_height (GTK_WIDGET (self)), layout);
}

static void
get_colors (NexusChart *self, GdkRGBA *fg, GdkRGBA *accent, GdkRGBA *faint)
{
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (self)), fg);
  gdk_rgba_parse (accent, "#3584e4");
  *faint = *fg;
  faint->alpha = 0.15f;
}

static void
append_text (NexusChart    *self,
             GtkSnapshot   *snapshot,
             const char    *text,
             double         x,
             double         y,
             double         max_width,
             PangoAlignment alignment,
             const GdkRGBA *color)
{
  g_autoptr (PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);

  if (max_width > 0)
    {
      pango_layout_set_width (layout, (int)(max_width * PANGO_SCALE));
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
      pango_layout_set_alignment (layout, alignment);
    }
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT ((float)x, (float)y));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static void
append_rect (GtkSnapshot *snapshot, const GdkRGBA *color, double x, double y, double w, double h)
{
  gtk_snapshot_append_color (snapshot, color,
                             &GRAPHENE_RECT_INIT ((float)x, (float)y, (float)w, (float)h));
}

/* The value axis: a baseline, a middle and a top line with their values. */
static void
snapshot_axes (NexusChart    *self,
               GtkSnapshot   *snapshot,
               const Layout  *layout,
               const GdkRGBA *fg,
               const GdkRGBA *faint)
{
  gboolean rtl = is_rtl (self);

  for (int step = 0; step <= 2; step++)
    {
      double           y = layout->plot_y1 - (layout->plot_y1 - layout->plot_y0) * step / 2;
      g_autofree char *text = format_value (self, layout->max * step / 2);
      double           w = text_width (self, text, NULL);
      graphene_rect_t  line;
      double           x = layout->plot_x0 - GAP - w;

      graphene_rect_init (&line, layout->plot_x0, y, layout->plot_x1 - layout->plot_x0, 1);
      orient (self, layout, &line);
      append_rect (snapshot, step == 0 ? fg : faint, line.origin.x, line.origin.y, line.size.width,
                   1);
      if (rtl)
        x = layout->width - layout->plot_x0 + GAP;
      append_text (self, snapshot, text, MAX (0, x), y - layout->text_h / 2, 0, PANGO_ALIGN_LEFT,
                   fg);
    }
}

/* Labels under the slots, as many as fit without overlapping. */
static void
snapshot_axis_labels (NexusChart    *self,
                      GtkSnapshot   *snapshot,
                      const Layout  *layout,
                      const GdkRGBA *fg)
{
  guint  n = self->values->len;
  double slot = (layout->plot_x1 - layout->plot_x0) / n;
  double widest = 1;
  guint  every;

  for (guint i = 0; i < n; i++)
    {
      const char *label = g_ptr_array_index (self->labels, i);
      if (label != NULL)
        widest = MAX (widest, text_width (self, label, NULL));
    }
  every = MAX (1, (guint)ceil ((widest + GAP) / MAX (slot, 1)));
  for (guint i = 0; i < n; i++)
    {
      const char     *label = g_ptr_array_index (self->labels, i);
      graphene_rect_t rect;
      double          w;

      /* The last label is always shown: it is "now" on a time axis. */
      if (label == NULL || ((n - 1 - i) % every) != 0)
        continue;
      slot_rect (self, layout, i, &rect);
      w = text_width (self, label, NULL);
      append_text (self, snapshot, label,
                   CLAMP (rect.origin.x + rect.size.width / 2 - w / 2, 0, layout->width - w),
                   layout->plot_y1 + 2, 0, PANGO_ALIGN_LEFT, fg);
    }
}

static void
snapshot_line (NexusChart *self, GtkSnapshot *snapshot, const Layout *layout, const GdkRGBA *accent)
{
  cairo_t *cr = gtk_snapshot_append_cairo (
      snapshot, &GRAPHENE_RECT_INIT (0, 0, (float)layout->width, (float)layout->height));

  gdk_cairo_set_source_rgba (cr, accent);
  cairo_set_line_width (cr, 2);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint i = 0; i < self->values->len; i++)
    {
      graphene_rect_t rect;
      double          x;
      double          y;

      bar_rect (self, layout, i, &rect);
      x = rect.origin.x + rect.size.width / 2;
      y = rect.origin.y;
      if (i == 0)
        cairo_move_to (cr, x, y);
      else
        cairo_line_to (cr, x, y);
    }
  cairo_stroke (cr);
  cairo_destroy (cr);
}

static void
nexus_chart_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  NexusChart *self = NEXUS_CHART (widget);
  Layout      layout;
  GdkRGBA     fg;
  GdkRGBA     accent;
  GdkRGBA     faint;

  get_colors (self, &fg, &accent, &faint);
  current_layout (self, &layout);
  if (self->values->len == 0)
    {
      const char *text = _ ("No data yet");
      double      w = text_width (self, text, NULL);

      fg.alpha = 0.55f;
      append_text (self, snapshot, text, (layout.width - w) / 2, layout.height / 2 - 8, 0,
                   PANGO_ALIGN_LEFT, &fg);
      return;
    }

  if (self->kind != NEXUS_CHART_HBARS)
    {
      snapshot_axes (self, snapshot, &layout, &fg, &faint);
      snapshot_axis_labels (self, snapshot, &layout, &fg);
    }

  if (self->kind == NEXUS_CHART_LINE)
    snapshot_line (self, snapshot, &layout, &accent);

  for (guint i = 0; i < self->values->len; i++)
    {
      graphene_rect_t rect;
      GdkRGBA         color = accent;

      if (self->kind == NEXUS_CHART_LINE && (int)i != self->selected && (int)i != self->hovered)
        continue;
      if ((int)i == self->hovered || (int)i == self->selected)
        {
          graphene_rect_t slot;

          slot_rect (self, &layout, i, &slot);
          append_rect (snapshot, &faint, slot.origin.x, slot.origin.y, slot.size.width,
                       slot.size.height);
          color.red *= 0.8f;
          color.green *= 0.8f;
          color.blue *= 0.8f;
        }
      bar_rect (self, &layout, i, &rect);
      if (self->kind == NEXUS_CHART_LINE)
        append_rect (snapshot, &color, rect.origin.x + rect.size.width / 2 - 3, rect.origin.y - 3,
                     6, 6);
      else
        append_rect (snapshot, &color, rect.origin.x, rect.origin.y, MAX (rect.size.width, 1),
                     rect.size.height);

      if (self->kind == NEXUS_CHART_HBARS)
        {
          const char      *label = g_ptr_array_index (self->labels, i);
          g_autofree char *value = format_value (self, g_array_index (self->values, double, i));
          double           y = rect.origin.y + rect.size.height / 2 - layout.text_h / 2;
          double           vw = text_width (self, value, NULL);
          gboolean         rtl = is_rtl (self);
          double           label_x = rtl ? layout.width - layout.label_w + GAP : 0;
          double           value_x =
              rtl ? rect.origin.x - GAP - vw : rect.origin.x + MAX (rect.size.width, 1) + GAP;

          append_text (self, snapshot, label != NULL ? label : "", label_x, y, layout.label_w - GAP,
                       rtl ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT, &fg);
          append_text (self, snapshot, value, value_x, y, 0, PANGO_ALIGN_LEFT, &fg);
        }
    }
}

static void
nexus_chart_measure (GtkWidget     *widget,
                     GtkOrientation orientation,
                     int            for_size,
                     int           *minimum,
                     int           *natural,
                     int           *minimum_baseline,
                     int           *natural_baseline)
{
  NexusChart *self = NEXUS_CHART (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 160;
      *natural = 320;
    }
  else if (self->kind == NEXUS_CHART_HBARS)
    {
      *minimum = *natural = (int)(2 * PAD + MAX_ROW * MAX (self->values->len, 3));
    }
  else
    {
      *minimum = 100;
      *natural = 160;
    }
}

static void
set_hovered (NexusChart *self, int index)
{
  if (self->hovered == index)
    return;
  self->hovered = index;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
motion_cb (GtkEventControllerMotion *controller, double x, double y, NexusChart *self)
{
  set_hovered (self, nexus_chart_bar_at (self, x, y));
}

static void
leave_cb (GtkEventControllerMotion *controller, NexusChart *self)
{
  set_hovered (self, -1);
}

static void
released_cb (GtkGestureClick *gesture, int n_press, double x, double y, NexusChart *self)
{
  int index = nexus_chart_bar_at (self, x, y);

  if (index >= 0)
    {
      self->selected = index;
      gtk_widget_queue_draw (GTK_WIDGET (self));
      g_signal_emit (self, signals[SIGNAL_BAR_ACTIVATED], 0, (guint)index);
    }
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                NexusChart            *self)
{
  int      n = (int)self->values->len;
  int      step = 0;
  gboolean vertical_keys = self->kind == NEXUS_CHART_HBARS;

  if (n == 0)
    return FALSE;
  switch (keyval)
    {
      case GDK_KEY_Right:
      case GDK_KEY_KP_Right:
        step = vertical_keys ? 0 : (is_rtl (self) ? -1 : 1);
        break;
      case GDK_KEY_Left:
      case GDK_KEY_KP_Left:
        step = vertical_keys ? 0 : (is_rtl (self) ? 1 : -1);
        break;
      case GDK_KEY_Down:
      case GDK_KEY_KP_Down:
        step = vertical_keys ? 1 : 0;
        break;
      case GDK_KEY_Up:
      case GDK_KEY_KP_Up:
        step = vertical_keys ? -1 : 0;
        break;
      case GDK_KEY_Return:
      case GDK_KEY_KP_Enter:
      case GDK_KEY_space:
        if (self->selected >= 0 && self->selected < n)
          g_signal_emit (self, signals[SIGNAL_BAR_ACTIVATED], 0, (guint)self->selected);
        return self->selected >= 0;
      default:
        return FALSE;
    }
  if (step == 0)
    return FALSE;
  self->selected =
      self->selected < 0 ? (step > 0 ? 0 : n - 1) : CLAMP (self->selected + step, 0, n - 1);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return TRUE;
}

static gboolean
query_tooltip_cb (GtkWidget  *widget,
                  int         x,
                  int         y,
                  gboolean    keyboard,
                  GtkTooltip *tooltip,
                  gpointer    user_data)
{
  NexusChart      *self = NEXUS_CHART (widget);
  int              index = keyboard ? self->selected : nexus_chart_bar_at (self, x, y);
  const char      *label;
  g_autofree char *value = NULL;
  g_autofree char *text = NULL;

  if (index < 0)
    return FALSE;
  label = g_ptr_array_index (self->labels, index);
  value = format_value (self, g_array_index (self->values, double, index));
  /* Translators: a chart's tooltip: the bar's label, then its value. */
  text = label != NULL ? g_strdup_printf (C_ ("chart tooltip", "%s: %s"), label, value)
                       : g_steal_pointer (&value);
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
nexus_chart_finalize (GObject *object)
{
  NexusChart *self = (NexusChart *)object;

  g_clear_pointer (&self->values, g_array_unref);
  g_clear_pointer (&self->labels, g_ptr_array_unref);
  g_clear_pointer (&self->unit, g_free);

  G_OBJECT_CLASS (nexus_chart_parent_class)->finalize (object);
}

static void
nexus_chart_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  NexusChart *self = NEXUS_CHART (object);

  switch (prop_id)
    {
      case PROP_KIND:
        g_value_set_int (value, self->kind);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nexus_chart_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  NexusChart *self = NEXUS_CHART (object);

  switch (prop_id)
    {
      case PROP_KIND:
        nexus_chart_set_kind (self, g_value_get_int (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nexus_chart_class_init (NexusChartClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = nexus_chart_finalize;
  object_class->get_property = nexus_chart_get_property;
  object_class->set_property = nexus_chart_set_property;
  widget_class->snapshot = nexus_chart_snapshot;
  widget_class->measure = nexus_chart_measure;

  /* A NexusChartKind. */
  properties[PROP_KIND] =
      g_param_spec_int ("kind", NULL, NULL, NEXUS_CHART_BARS, NEXUS_CHART_HBARS, NEXUS_CHART_BARS,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * NexusChart::bar-activated:
   * @index: the bar's index in the data
   */
  signals[SIGNAL_BAR_ACTIVATED] =
      g_signal_new ("bar-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 1, G_TYPE_UINT);

  gtk_widget_class_set_css_name (widget_class, "chart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
nexus_chart_init (NexusChart *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkGesture         *click = gtk_gesture_click_new ();
  GtkEventController *keys = gtk_event_controller_key_new ();

  self->values = g_array_new (FALSE, TRUE, sizeof (double));
  self->labels = g_ptr_array_new_with_free_func (g_free);
  self->hovered = -1;
  self->selected = -1;

  g_signal_connect (motion, "motion", G_CALLBACK (motion_cb), self);
  g_signal_connect (motion, "leave", G_CALLBACK (leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  g_signal_connect (click, "released", G_CALLBACK (released_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  g_signal_connect (keys, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (query_tooltip_cb), NULL);
}

GtkWidget *
nexus_chart_new (NexusChartKind kind)
{
  return g_object_new (NEXUS_TYPE_CHART, "kind", kind, NULL);
}

NexusChartKind
nexus_chart_get_kind (NexusChart *self)
{
  g_return_val_if_fail (NEXUS_IS_CHART (self), NEXUS_CHART_BARS);

  return self->kind;
}

void
nexus_chart_set_kind (NexusChart *self, NexusChartKind kind)
{
  g_return_if_fail (NEXUS_IS_CHART (self));

  if (self->kind == kind)
    return;
  self->kind = kind;
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KIND]);
}

/**
 * nexus_chart_set_data:
 * @values: (array length=n_values): the series; negative values draw as 0
 * @labels: (nullable) (array length=n_values): a label per value (NULL
 *   entries allowed): the axis labels, or the rows' labels for HBARS
 */
void
nexus_chart_set_data (NexusChart        *self,
                      const double      *values,
                      guint              n_values,
                      const char *const *labels)
{
  g_autoptr (GString) description = g_string_new (NULL);

  g_return_if_fail (NEXUS_IS_CHART (self));

  g_array_set_size (self->values, 0);
  g_ptr_array_set_size (self->labels, 0);
  g_array_append_vals (self->values, values, n_values);
  for (guint i = 0; i < n_values; i++)
    {
      g_autofree char *value = format_value (self, values[i]);
      const char      *label = labels != NULL ? labels[i] : NULL;

      g_ptr_array_add (self->labels, g_strdup (label));
      if (label != NULL)
        g_string_append_printf (description, "%s%s: %s", i > 0 ? ", " : "", label, value);
    }
  if (self->selected >= (int)n_values)
    self->selected = -1;
  self->hovered = -1;
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  description->str, -1);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

guint
nexus_chart_get_n_values (NexusChart *self)
{
  g_return_val_if_fail (NEXUS_IS_CHART (self), 0);

  return self->values->len;
}

double
nexus_chart_get_value (NexusChart *self, guint index)
{
  g_return_val_if_fail (NEXUS_IS_CHART (self), 0);
  g_return_val_if_fail (index < self->values->len, 0);

  return g_array_index (self->values, double, index);
}

/**
 * nexus_chart_get_label:
 *
 * Returns: (nullable): the label of value @index
 */
const char *
nexus_chart_get_label (NexusChart *self, guint index)
{
  g_return_val_if_fail (NEXUS_IS_CHART (self), NULL);
  g_return_val_if_fail (index < self->labels->len, NULL);

  return g_ptr_array_index (self->labels, index);
}

void
nexus_chart_set_fraction_digits (NexusChart *self, int fraction_digits)
{
  g_return_if_fail (NEXUS_IS_CHART (self));

  self->fraction_digits = CLAMP (fraction_digits, 0, 6);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * nexus_chart_set_unit:
 * @unit: (nullable): shown after each value, e.g. "ms"
 */
void
nexus_chart_set_unit (NexusChart *self, const char *unit)
{
  g_return_if_fail (NEXUS_IS_CHART (self));

  g_free (self->unit);
  self->unit = g_strdup (unit);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * nexus_chart_get_bar_rect:
 * @out_rect: (out): where bar @index is drawn, in widget coordinates
 *
 * Returns: FALSE when there is no such bar
 */
gboolean
nexus_chart_get_bar_rect (NexusChart *self, guint index, graphene_rect_t *out_rect)
{
  Layout layout;

  g_return_val_if_fail (NEXUS_IS_CHART (self), FALSE);

  if (index >= self->values->len)
    return FALSE;
  current_layout (self, &layout);
  bar_rect (self, &layout, index, out_rect);
  return TRUE;
}

/**
 * nexus_chart_bar_at:
 *
 * Returns: the index of the bar whose slot holds the point, or -1
 */
int
nexus_chart_bar_at (NexusChart *self, double x, double y)
{
  Layout layout;

  g_return_val_if_fail (NEXUS_IS_CHART (self), -1);

  current_layout (self, &layout);
  for (guint i = 0; i < self->values->len; i++)
    {
      graphene_rect_t rect;

      slot_rect (self, &layout, i, &rect);
      if (graphene_rect_contains_point (&rect, &GRAPHENE_POINT_INIT ((float)x, (float)y)))
        return (int)i;
    }
  return -1;
}

/**
 * nexus_chart_card_new:
 * @title: what the chart shows
 * @chart: (transfer floating): a #NexusChart
 *
 * Returns: (transfer floating): a box with @title above @chart, styled as
 *   the pages show charts; @title is also the chart's accessible label
 */
GtkWidget *
nexus_chart_card_new (const char *title, GtkWidget *chart)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *label = gtk_label_new (title);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "chart-title");
  gtk_widget_add_css_class (box, "chart-card");
  gtk_widget_add_css_class (box, "card");
  gtk_widget_set_hexpand (box, TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (chart), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), chart);
  return box;
}
