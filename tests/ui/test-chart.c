/* test-chart.c — the chart widget's geometry
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Bars of known data in a window of known size: heights (or lengths)
 * proportional to the values, in order along the axis, mirrored in a
 * right-to-left window, and hit-tested where they are drawn.
 */
#include "config.h"

#include <locale.h>
#include <math.h>

#include <adwaita.h>

#include "nexus-chart.h"
#include "nexus-ui-test.h"

#define WIDTH  400
#define HEIGHT 200

static const double values[] = { 1, 2, 4, 0 };
static const char  *labels[] = { "a", "b", "c", "d" };

static GtkWidget *
show_chart (NexusChartKind kind, GtkTextDirection direction, GtkWindow **out_window)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  GtkWidget *chart = nexus_chart_new (kind);

  gtk_widget_set_direction (chart, direction);
  gtk_widget_set_size_request (chart, WIDTH, HEIGHT);
  gtk_widget_set_halign (chart, GTK_ALIGN_START);
  gtk_widget_set_valign (chart, GTK_ALIGN_START);
  nexus_chart_set_data (NEXUS_CHART (chart), values, G_N_ELEMENTS (values), labels);
  gtk_window_set_child (window, chart);
  gtk_window_present (window);
  WAIT_UNTIL (gtk_widget_get_width (chart) == WIDTH && gtk_widget_get_height (chart) == HEIGHT);
  *out_window = window;
  return chart;
}

static void
bar_rects (GtkWidget *chart, graphene_rect_t rects[G_N_ELEMENTS (values)])
{
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    g_assert_true (nexus_chart_get_bar_rect (NEXUS_CHART (chart), i, &rects[i]));
  g_assert_false (nexus_chart_get_bar_rect (NEXUS_CHART (chart), G_N_ELEMENTS (values), &rects[0]));
}

static void
assert_close (double a, double b)
{
  g_assert_cmpfloat (fabs (a - b), <, 0.01);
}

static void
test_vertical_bars (void)
{
  GtkWindow      *ltr_window;
  GtkWindow      *rtl_window;
  GtkWidget      *ltr = show_chart (NEXUS_CHART_BARS, GTK_TEXT_DIR_LTR, &ltr_window);
  GtkWidget      *rtl = show_chart (NEXUS_CHART_BARS, GTK_TEXT_DIR_RTL, &rtl_window);
  graphene_rect_t a[4];
  graphene_rect_t b[4];

  bar_rects (ltr, a);
  bar_rects (rtl, b);

  /* Heights in proportion to the values, on one baseline. */
  g_assert_cmpfloat (a[0].size.height, >, 0);
  assert_close (a[1].size.height, 2 * a[0].size.height);
  assert_close (a[2].size.height, 4 * a[0].size.height);
  assert_close (a[3].size.height, 0);
  for (guint i = 0; i < 4; i++)
    {
      assert_close (a[i].origin.y + a[i].size.height, a[0].origin.y + a[0].size.height);
      assert_close (a[i].size.width, a[0].size.width);
      g_assert_cmpfloat (a[i].origin.x, >=, 0);
      g_assert_cmpfloat (a[i].origin.x + a[i].size.width, <=, WIDTH);
    }
  /* Left to right in order: the first bar is on the left. */
  for (guint i = 1; i < 4; i++)
    g_assert_cmpfloat (a[i].origin.x, >, a[i - 1].origin.x + a[i - 1].size.width);

  /* Right to left: the same bars, mirrored; the first one on the right. */
  for (guint i = 0; i < 4; i++)
    {
      assert_close (b[i].origin.x, WIDTH - a[i].origin.x - a[i].size.width);
      assert_close (b[i].origin.y, a[i].origin.y);
      assert_close (b[i].size.height, a[i].size.height);
    }
  g_assert_cmpfloat (b[0].origin.x, >, b[1].origin.x);

  /* A point inside a bar hits it, in either direction. */
  g_assert_cmpint (nexus_chart_bar_at (NEXUS_CHART (ltr), a[2].origin.x + 1, a[2].origin.y + 1), ==,
                   2);
  g_assert_cmpint (nexus_chart_bar_at (NEXUS_CHART (rtl), b[2].origin.x + 1, b[2].origin.y + 1), ==,
                   2);

  gtk_window_destroy (ltr_window);
  gtk_window_destroy (rtl_window);
}

static void
test_horizontal_bars (void)
{
  GtkWindow      *ltr_window;
  GtkWindow      *rtl_window;
  GtkWidget      *ltr = show_chart (NEXUS_CHART_HBARS, GTK_TEXT_DIR_LTR, &ltr_window);
  GtkWidget      *rtl = show_chart (NEXUS_CHART_HBARS, GTK_TEXT_DIR_RTL, &rtl_window);
  graphene_rect_t a[4];
  graphene_rect_t b[4];

  bar_rects (ltr, a);
  bar_rects (rtl, b);

  /* Lengths in proportion; rows top to bottom; bars grow from the start. */
  assert_close (a[1].size.width, 2 * a[0].size.width);
  assert_close (a[2].size.width, 4 * a[0].size.width);
  for (guint i = 1; i < 4; i++)
    {
      g_assert_cmpfloat (a[i].origin.y, >, a[i - 1].origin.y);
      assert_close (a[i].origin.x, a[0].origin.x);
    }
  /* The labels take the start side: the bars start past it. */
  g_assert_cmpfloat (a[0].origin.x, >, 0);

  for (guint i = 0; i < 4; i++)
    {
      assert_close (b[i].origin.x + b[i].size.width, WIDTH - a[i].origin.x);
      assert_close (b[i].size.width, a[i].size.width);
      assert_close (b[i].origin.y, a[i].origin.y);
    }

  gtk_window_destroy (ltr_window);
  gtk_window_destroy (rtl_window);
}

static void
activated_cb (NexusChart *chart, guint index, gpointer data)
{
  *(int *)data = (int)index;
}

/* Arrow keys choose a bar, Enter activates it; in RTL the arrows follow the
 * mirrored axis. */
static void
test_keyboard (void)
{
  GtkWindow *window;
  GtkWidget *chart = show_chart (NEXUS_CHART_BARS, GTK_TEXT_DIR_RTL, &window);
  g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (chart);
  GtkEventController *keys = NULL;
  int                 activated = -1;
  gboolean            handled = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr (GObject) item = g_list_model_get_item (controllers, i);
      if (GTK_IS_EVENT_CONTROLLER_KEY (item))
        keys = GTK_EVENT_CONTROLLER (item);
    }
  g_assert_nonnull (keys);
  g_signal_connect (chart, "bar-activated", G_CALLBACK (activated_cb), &activated);

  /* First Left in RTL goes forward: bar 0, then bar 1. */
  g_signal_emit_by_name (keys, "key-pressed", GDK_KEY_Left, 0, 0, &handled);
  g_assert_true (handled);
  g_signal_emit_by_name (keys, "key-pressed", GDK_KEY_Left, 0, 0, &handled);
  g_signal_emit_by_name (keys, "key-pressed", GDK_KEY_Return, 0, 0, &handled);
  g_assert_cmpint (activated, ==, 1);

  g_clear_object (&controllers);
  gtk_window_destroy (window);
}

int
main (int argc, char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();

  g_test_add_func ("/nexus/Chart/vertical-bars", test_vertical_bars);
  g_test_add_func ("/nexus/Chart/horizontal-bars", test_horizontal_bars);
  g_test_add_func ("/nexus/Chart/keyboard", test_keyboard);
  return g_test_run ();
}
