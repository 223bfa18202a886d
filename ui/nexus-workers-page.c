/* nexus-workers-page.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The list is read on a reader thread (nexus_store_worker_statuses) when
 * the engine is set and again, debounced, after worker and job events; a
 * 10 s timer only rewrites the "last seen" texts and the states that follow
 * from the clock.  Rows are kept by worker id, so an open row stays open
 * across reloads.  Writes (add, rotate, revoke, the local worker's
 * credential) run on the engine thread.  A connection string lives only in
 * the dialog that shows it.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <string.h>

#include "api/nexus-workers.h"
#include "nexus-chart.h"
#include "nexus-event-watch.h"
#include "nexus-format.h"
#include "nexus-workers-page-private.h"

#define RELOAD_DEBOUNCE_MS 250
#define CLOCK_S            10
#define HOURS              24
#define N_CHARTS           4
#define MAX_NAME_CHARS     200
/* The setting that remembers which worker is this computer's. */
#define LOCAL_WORKER_SETTING "console.local_worker"

typedef struct
{
  NexusWorkersPage  *page; /* unowned: the row lives inside it */
  AdwExpanderRow    *row;
  GtkLabel          *state_label;
  GtkWidget         *rotate_button;
  GtkWidget         *revoke_button;
  GtkWidget         *charts[N_CHARTS];
  NexusWorkerStatus *status; /* owned */
  gboolean           hours_wanted;
} WorkerRow;

struct _NexusWorkersPage
{
  NexusPage parent_instance;

  GtkListBox   *list;
  GtkLabel     *empty_label;
  AdwActionRow *local_row;
  GtkSwitch    *local_switch;
  GtkLabel     *local_output;

  NexusEventWatch  *watch;
  GCancellable     *cancellable; /* reads and writes for the current engine */
  GHashTable       *rows;        /* worker id → WorkerRow */
  guint             clock_id;
  NexusLocalWorker *local;
  char             *local_public_id; /* the local worker's, once started */
  AdwMessageDialog *dialog;          /* the dialog open, if any (weak) */
};

G_DEFINE_FINAL_TYPE (NexusWorkersPage, nexus_workers_page, NEXUS_TYPE_PAGE)

static const char *const watched_kinds[] = { "worker.", "job.", NULL };

/* What a write on the engine thread is asked and answers. */
typedef struct
{
  char   *name;
  char   *public_id;
  gint64  grace_s;
  guint16 port;
} WorkerCall;

typedef struct
{
  char *connection; /* holds the secret */
  char *fingerprint;
  char *name;
  char *public_id; /* of the local worker */
} Issued;

static void
worker_call_free (gpointer data)
{
  WorkerCall *call = data;

  g_free (call->name);
  g_free (call->public_id);
  g_free (call);
}

static void
issued_free (gpointer data)
{
  Issued *issued = data;

  if (issued->connection != NULL)
    memset (issued->connection, 0, strlen (issued->connection));
  g_free (issued->connection);
  g_free (issued->fingerprint);
  g_free (issued->name);
  g_free (issued->public_id);
  g_free (issued);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Issued, issued_free)

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* ---- engine thread ---------------------------------------------------- */

static char *
engine_address (NexusStore *store, guint16 port)
{
  char *stored = nexus_store_get_setting (store, "api.address", NULL);

  if (stored != NULL)
    return stored;
  return g_strdup_printf ("127.0.0.1:%u", port != 0 ? port : 8787);
}

static Issued *
issued_new (NexusStore *store, char *connection, const char *name)
{
  Issued *issued = g_new0 (Issued, 1);

  issued->connection = connection;
  issued->fingerprint = nexus_store_get_setting (store, "api.tls_fingerprint", NULL);
  issued->name = g_strdup (name);
  return issued;
}

static gpointer
add_worker_func (NexusStore *store, gpointer data, GError **error)
{
  WorkerCall      *call = data;
  g_autofree char *address = engine_address (store, call->port);
  g_autofree char *fingerprint = nexus_store_get_setting (store, "api.tls_fingerprint", NULL);
  char            *connection =
      nexus_workers_add (store, call->name, NEXUS_ROLE_WORKER, address, fingerprint, NULL, error);

  return connection != NULL ? issued_new (store, connection, call->name) : NULL;
}

static gpointer
rotate_worker_func (NexusStore *store, gpointer data, GError **error)
{
  WorkerCall      *call = data;
  g_autofree char *address = engine_address (store, call->port);
  g_autofree char *fingerprint = nexus_store_get_setting (store, "api.tls_fingerprint", NULL);
  char            *connection =
      nexus_workers_rotate (store, call->public_id, call->grace_s, address, fingerprint, error);

  return connection != NULL ? issued_new (store, connection, call->name) : NULL;
}

static gpointer
revoke_worker_func (NexusStore *store, gpointer data, GError **error)
{
  WorkerCall *call = data;

  return nexus_workers_revoke (store, call->public_id, error) ? GINT_TO_POINTER (TRUE) : NULL;
}

/* This computer's worker: the one remembered, with a fresh secret (the old
 * one was never kept), or a new one. */
static gpointer
local_worker_func (NexusStore *store, gpointer data, GError **error)
{
  WorkerCall      *call = data;
  g_autofree char *address = g_strdup_printf ("127.0.0.1:%u", call->port);
  g_autofree char *fingerprint = nexus_store_get_setting (store, "api.tls_fingerprint", NULL);
  g_autofree char *remembered = nexus_store_get_setting (store, LOCAL_WORKER_SETTING, NULL);
  g_autoptr (NexusWorkerRecord) worker = NULL;
  char   *connection = NULL;
  Issued *issued;

  if (remembered != NULL)
    worker = nexus_store_worker_lookup (store, remembered, NULL);
  if (worker != NULL && g_strcmp0 (worker->state, "active") == 0)
    connection = nexus_workers_rotate (store, worker->public_id, 0, address, fingerprint, error);
  else
    {
      g_clear_pointer (&worker, nexus_worker_record_free);
      connection = nexus_workers_add (store, call->name, NEXUS_ROLE_WORKER, address, fingerprint,
                                      &worker, error);
      if (connection != NULL &&
          !nexus_store_set_setting (store, LOCAL_WORKER_SETTING, worker->public_id, error))
        g_clear_pointer (&connection, g_free);
    }
  if (connection == NULL)
    return NULL;
  issued = issued_new (store, connection, call->name);
  issued->public_id = g_strdup (worker->public_id);
  return issued;
}

static gpointer
read_statuses_func (NexusStore *store, gpointer data, GError **error)
{
  return nexus_store_worker_statuses (store, error);
}

static gpointer
read_hours_func (NexusStore *store, gpointer data, GError **error)
{
  gint64 worker_id = *(gint64 *)data;
  gint64 now = now_seconds ();

  return nexus_store_worker_hours_list (store, worker_id, now - now % 3600 - (HOURS - 1) * 3600,
                                        error);
}

/* ---- helpers ---------------------------------------------------------- */

/* A failure the operator should read: a toast over the window. */
static void
show_error (NexusWorkersPage *self, const char *message)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  AdwToast  *toast;

  if (overlay == NULL)
    {
      g_message ("%s", message);
      return;
    }
  toast = adw_toast_new (message);
  adw_toast_set_timeout (toast, 8);
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
}

static const char *
state_text (NexusWorkerState state)
{
  switch (state)
    {
      case NEXUS_WORKER_STATE_BUSY:
        return C_ ("worker state", "Busy");
      case NEXUS_WORKER_STATE_IDLE:
        return C_ ("worker state", "Idle");
      case NEXUS_WORKER_STATE_OFFLINE:
        return C_ ("worker state", "Offline");
      case NEXUS_WORKER_STATE_REVOKED:
        return C_ ("worker state", "Revoked");
      case NEXUS_WORKER_STATE_NEVER:
      default:
        return C_ ("worker state", "Not connected yet");
    }
}

static char *
row_subtitle (const NexusWorkerStatus *status, NexusWorkerState state, gint64 now)
{
  const NexusWorkerRecord *record = status->record;
  g_autoptr (GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  if (state == NEXUS_WORKER_STATE_BUSY || state == NEXUS_WORKER_STATE_IDLE)
    {
      g_autofree char *count = nexus_format_count (status->jobs_held);

      g_ptr_array_add (parts, g_strdup_printf (ngettext ("Online, %s job", "Online, %s jobs",
                                                         (gulong)status->jobs_held),
                                               count));
    }
  if (record->version != NULL)
    {
      g_autofree char *version = nexus_isolate_ltr (record->version);
      /* Translators: the version of the worker program. */
      g_ptr_array_add (parts, g_strdup_printf (_ ("version %s"), version));
    }
  if (record->address != NULL)
    g_ptr_array_add (parts, nexus_isolate_ltr (record->address));
  if (record->last_seen_at > 0)
    {
      g_autofree char *seen = nexus_format_relative_time (record->last_seen_at, now);
      /* Translators: %s is a relative time such as "3 minutes ago". */
      g_ptr_array_add (parts, g_strdup_printf (_ ("seen %s"), seen));
    }
  {
    g_autofree char *done = nexus_format_count (record->jobs_done);
    g_ptr_array_add (
        parts, g_strdup_printf (ngettext ("%s job done", "%s jobs done", (gulong)record->jobs_done),
                                done));
  }
  g_ptr_array_add (parts, NULL);
  /* Translators: the separator between the facts about a worker. */
  return g_strjoinv (C_ ("list separator", " · "), (char **)parts->pdata);
}

static void
update_row (WorkerRow *row, gint64 now)
{
  NexusWorkerState         state = nexus_fleet_worker_state (row->status, now);
  g_autofree char         *subtitle = row_subtitle (row->status, state, now);
  gboolean                 active = state != NEXUS_WORKER_STATE_REVOKED;
  static const char *const classes[] = { "never", "offline", "idle", "busy", "revoked" };

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->row), row->status->record->name);
  adw_expander_row_set_subtitle (row->row, subtitle);
  gtk_label_set_text (row->state_label, state_text (state));
  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (row->state_label), classes[i]);
  gtk_widget_add_css_class (GTK_WIDGET (row->state_label), nexus_worker_state_to_string (state));
  gtk_widget_set_visible (row->rotate_button, active);
  gtk_widget_set_visible (row->revoke_button, active);
}

static void
worker_row_free (gpointer data)
{
  WorkerRow *row = data;

  nexus_worker_status_free (row->status);
  g_free (row);
}

/* ---- charts ----------------------------------------------------------- */

/* Whose hours a read brings: the page is alive unless the read was
 * cancelled (the page cancels its reads when it goes). */
typedef struct
{
  NexusWorkersPage *page;
  gint64            worker_id;
} HoursRead;

static void
hours_read_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autofree HoursRead *request = user_data;
  NexusWorkersPage     *self = request->page;
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) hours = nexus_engine_read_finish (NEXUS_ENGINE (object), result, &error);
  WorkerRow  *row;
  double      values[N_CHARTS][HOURS] = { { 0 } };
  char       *labels_text[HOURS];
  const char *labels[HOURS];
  gint64      now = now_seconds ();
  gint64      first = now - now % 3600 - (HOURS - 1) * 3600;

  if (hours == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error (self, error->message);
      return;
    }
  row = g_hash_table_lookup (self->rows, &request->worker_id);
  if (row == NULL)
    return;

  for (guint i = 0; i < hours->len; i++)
    {
      NexusWorkerHour *hour = &g_array_index (hours, NexusWorkerHour, i);
      gint64           index = (hour->hour - first) / 3600;

      if (index < 0 || index >= HOURS)
        continue;
      values[0][index] = hour->jobs;
      values[1][index] = hour->leads;
      values[2][index] =
          hour->jobs + hour->errors > 0 ? 100.0 * hour->errors / (hour->jobs + hour->errors) : 0;
      values[3][index] = hour->latency_n > 0 ? hour->latency_ms_sum / hour->latency_n : 0;
    }
  for (guint i = 0; i < HOURS; i++)
    {
      labels_text[i] = nexus_format_time (first + (gint64)i * 3600);
      labels[i] = labels_text[i];
    }
  for (guint c = 0; c < N_CHARTS; c++)
    nexus_chart_set_data (NEXUS_CHART (row->charts[c]), values[c], HOURS, labels);
  for (guint i = 0; i < HOURS; i++)
    g_free (labels_text[i]);
}

static void
load_hours (NexusWorkersPage *self, WorkerRow *row)
{
  NexusEngine *engine = nexus_page_get_engine (NEXUS_PAGE (self));
  HoursRead   *request;

  if (engine == NULL || !row->hours_wanted)
    return;
  request = g_new (HoursRead, 1);
  request->page = self;
  request->worker_id = row->status->record->id;
  nexus_engine_read_async (engine, read_hours_func,
                           g_memdup2 (&row->status->record->id, sizeof (gint64)), g_free,
                           self->cancellable, hours_read_cb, request);
}

static void
expanded_cb (AdwExpanderRow *expander, GParamSpec *pspec, WorkerRow *row)
{
  if (!adw_expander_row_get_expanded (expander) || row->hours_wanted)
    return;
  row->hours_wanted = TRUE;
  load_hours (row->page, row);
}

static GtkWidget *
chart_card (const char *title, NexusChartKind kind, const char *unit, GtkWidget **out_chart)
{
  GtkWidget *chart = nexus_chart_new (kind);

  nexus_chart_set_unit (NEXUS_CHART (chart), unit);
  *out_chart = chart;
  return nexus_chart_card_new (title, chart);
}

static WorkerRow *
create_row (NexusWorkersPage *self, NexusWorkerStatus *status)
{
  WorkerRow *row = g_new0 (WorkerRow, 1);
  GtkWidget *grid = gtk_grid_new ();
  GtkWidget *grid_row;
  GtkWidget *box;
  g_autoptr (GVariant) target =
      g_variant_ref_sink (g_variant_new_string (status->record->public_id));

  row->page = self;
  row->status = status;
  row->row = ADW_EXPANDER_ROW (adw_expander_row_new ());
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row->row), FALSE);

  row->state_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_set_valign (GTK_WIDGET (row->state_label), GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (GTK_WIDGET (row->state_label), "worker-state");
  adw_expander_row_add_prefix (row->row, GTK_WIDGET (row->state_label));

  row->rotate_button = gtk_button_new_from_icon_name ("view-refresh-symbolic");
  gtk_widget_set_tooltip_text (row->rotate_button, _ ("Rotate the secret"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (row->rotate_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _ ("Rotate the secret"), -1);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (row->rotate_button), "workers.rotate");
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (row->rotate_button), target);
  row->revoke_button = gtk_button_new_from_icon_name ("action-unavailable-symbolic");
  gtk_widget_set_tooltip_text (row->revoke_button, _ ("Revoke"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (row->revoke_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _ ("Revoke"), -1);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (row->revoke_button), "workers.revoke");
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (row->revoke_button), target);
  for (GtkWidget *button = row->rotate_button; button != NULL;
       button = button == row->rotate_button ? row->revoke_button : NULL)
    {
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (button, "flat");
      adw_expander_row_add_action (row->row, button);
    }

  gtk_grid_set_column_homogeneous (GTK_GRID (grid), TRUE);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 6);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 6);
  gtk_widget_set_margin_top (grid, 6);
  gtk_widget_set_margin_bottom (grid, 6);
  box = chart_card (_ ("Jobs per hour"), NEXUS_CHART_BARS, NULL, &row->charts[0]);
  gtk_grid_attach (GTK_GRID (grid), box, 0, 0, 1, 1);
  box = chart_card (_ ("Leads per hour"), NEXUS_CHART_BARS, NULL, &row->charts[1]);
  gtk_grid_attach (GTK_GRID (grid), box, 1, 0, 1, 1);
  /* Translators: the unit of a percentage on a chart. */
  box = chart_card (_ ("Error rate"), NEXUS_CHART_LINE, C_ ("unit", "%"), &row->charts[2]);
  gtk_grid_attach (GTK_GRID (grid), box, 0, 1, 1, 1);
  /* Translators: milliseconds, the unit of the report latency chart. */
  box = chart_card (_ ("Report latency"), NEXUS_CHART_LINE, C_ ("unit", "ms"), &row->charts[3]);
  gtk_grid_attach (GTK_GRID (grid), box, 1, 1, 1, 1);
  grid_row = gtk_list_box_row_new ();
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (grid_row), FALSE);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (grid_row), grid);
  adw_expander_row_add_row (row->row, grid_row);

  g_signal_connect (row->row, "notify::expanded", G_CALLBACK (expanded_cb), row);
  return row;
}

static void
update_empty (NexusWorkersPage *self)
{
  gboolean empty = g_hash_table_size (self->rows) == 0;

  gtk_widget_set_visible (GTK_WIDGET (self->list), !empty);
  gtk_widget_set_visible (GTK_WIDGET (self->empty_label), empty);
}

static gboolean
is_shown (GPtrArray *statuses, gint64 id)
{
  for (guint i = 0; i < statuses->len; i++)
    {
      NexusWorkerStatus *status = g_ptr_array_index (statuses, i);
      if (status->record->id == id && nexus_fleet_worker_watched (status->record))
        return TRUE;
    }
  return FALSE;
}

static void
statuses_read_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  NexusWorkersPage *self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) statuses = nexus_engine_read_finish (NEXUS_ENGINE (object), result, &error);
  GHashTableIter iter;
  gpointer       key;
  gpointer       value;
  gint64         now = now_seconds ();

  if (statuses == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        gtk_label_set_text (self->empty_label, error->message);
      return;
    }

  /* Rows of workers gone from the vault go. */
  g_hash_table_iter_init (&iter, self->rows);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!is_shown (statuses, *(gint64 *)key))
      {
        gtk_list_box_remove (self->list, GTK_WIDGET (((WorkerRow *)value)->row));
        g_hash_table_iter_remove (&iter);
      }

  for (guint i = 0; i < statuses->len; i++)
    {
      NexusWorkerStatus *status = g_ptr_array_index (statuses, i);
      WorkerRow         *row;

      if (!nexus_fleet_worker_watched (status->record))
        continue;
      statuses->pdata[i] = NULL; /* taken */
      row = g_hash_table_lookup (self->rows, &status->record->id);
      if (row == NULL)
        {
          row = create_row (self, status);
          gtk_list_box_append (self->list, GTK_WIDGET (row->row));
          g_hash_table_insert (self->rows, &status->record->id, row);
        }
      else
        {
          /* The key points into the status: re-key with the new one. */
          g_hash_table_steal (self->rows, &row->status->record->id);
          nexus_worker_status_free (row->status);
          row->status = status;
          g_hash_table_insert (self->rows, &status->record->id, row);
          load_hours (self, row);
        }
      update_row (row, now);
    }
  update_empty (self);
}

static void
reload (gpointer user_data)
{
  NexusWorkersPage *self = user_data;
  NexusEngine      *engine = nexus_page_get_engine (NEXUS_PAGE (self));

  if (engine == NULL)
    return;
  nexus_engine_read_async (engine, read_statuses_func, NULL, NULL, self->cancellable,
                           statuses_read_cb, self);
}

static gboolean
clock_cb (gpointer user_data)
{
  NexusWorkersPage *self = user_data;
  GHashTableIter    iter;
  gpointer          value;
  gint64            now = now_seconds ();

  g_hash_table_iter_init (&iter, self->rows);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    update_row (value, now);
  return G_SOURCE_CONTINUE;
}

/* ---- dialogs ---------------------------------------------------------- */

static AdwMessageDialog *
new_dialog (NexusWorkersPage *self, const char *heading, const char *body)
{
  GtkRoot          *root = gtk_widget_get_root (GTK_WIDGET (self));
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (
      adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading, body));

  g_set_weak_pointer (&self->dialog, dialog);
  return dialog;
}

static void
copy_clicked_cb (GtkButton *button, GtkLabel *label)
{
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (button)),
                          gtk_label_get_text (label));
  gtk_button_set_label (button, _ ("Copied"));
}

/* Shows a connection string, once: it exists only in this dialog. */
static void
show_connection (NexusWorkersPage *self, const char *heading, Issued *issued)
{
  AdwMessageDialog *dialog = new_dialog (
      self, heading,
      _ ("Give this connection string to the worker (nexus-worker --connect, or NEXUS_CONNECT). "
         "It holds the worker's secret and is shown only now."));
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *label = gtk_label_new (issued->connection);
  GtkWidget *copy = gtk_button_new_with_mnemonic (_ ("_Copy"));

  gtk_widget_set_name (label, "connection-string");
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_direction (label, GTK_TEXT_DIR_LTR);
  gtk_widget_add_css_class (label, "monospace");
  gtk_widget_add_css_class (label, "card");
  gtk_widget_add_css_class (label, "connection-string");
  gtk_box_append (GTK_BOX (box), label);
  gtk_widget_set_halign (copy, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (copy, "pill");
  g_signal_connect (copy, "clicked", G_CALLBACK (copy_clicked_cb), label);
  gtk_box_append (GTK_BOX (box), copy);
  if (issued->fingerprint != NULL)
    {
      g_autofree char *isolated = nexus_isolate_ltr (issued->fingerprint);
      /* Translators: %s is the SHA-256 fingerprint of the console's TLS certificate. */
      g_autofree char *text =
          g_strdup_printf (_ ("TLS certificate fingerprint (SHA-256): %s"), isolated);
      GtkWidget *fingerprint = gtk_label_new (text);

      gtk_widget_set_name (fingerprint, "tls-fingerprint");
      gtk_label_set_selectable (GTK_LABEL (fingerprint), TRUE);
      gtk_label_set_wrap (GTK_LABEL (fingerprint), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (fingerprint), PANGO_WRAP_CHAR);
      gtk_widget_add_css_class (fingerprint, "dim-label");
      gtk_box_append (GTK_BOX (box), fingerprint);
    }
  adw_message_dialog_set_extra_child (dialog, box);
  adw_message_dialog_add_response (dialog, "done", _ ("_Done"));
  adw_message_dialog_set_default_response (dialog, "done");
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Shows the connection string a write issued, under @heading. */
static void
handle_issued (NexusWorkersPage *self, GObject *object, GAsyncResult *result, const char *heading)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (Issued) issued = nexus_engine_run_finish (NEXUS_ENGINE (object), result, &error);

  if (issued == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error (self, error->message);
      return;
    }
  show_connection (self, heading, issued);
  reload (self);
}

static void
run_call (NexusWorkersPage   *self,
          NexusEngineFunc     func,
          WorkerCall         *call,
          GAsyncReadyCallback callback)
{
  NexusEngine *engine = nexus_page_get_engine (NEXUS_PAGE (self));

  call->port = nexus_engine_get_port (engine);
  nexus_engine_run_async (engine, func, call, worker_call_free, self->cancellable, callback, self);
}

static gboolean
name_valid (const char *text)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text));

  return *trimmed != '\0' && g_utf8_strlen (trimmed, -1) <= MAX_NAME_CHARS;
}

static void
name_changed_cb (GtkEditable *entry, AdwMessageDialog *dialog)
{
  const char *text = gtk_editable_get_text (entry);
  GtkLabel   *message = g_object_get_data (G_OBJECT (dialog), "message");
  gboolean    valid = name_valid (text);

  adw_message_dialog_set_response_enabled (dialog, "add", valid);
  gtk_label_set_text (
      message, valid || *text == '\0' ? "" : _ ("A worker needs a name of 1 to 200 characters"));
  gtk_widget_set_visible (GTK_WIDGET (message), !valid && *text != '\0');
}

static void
name_activate_cb (GtkEntry *entry, AdwMessageDialog *dialog)
{
  /* A response emitted by hand does not close the dialog. */
  if (name_valid (gtk_editable_get_text (GTK_EDITABLE (entry))))
    {
      adw_message_dialog_response (dialog, "add");
      gtk_window_close (GTK_WINDOW (dialog));
    }
}

static void
added_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  handle_issued (user_data, object, result, _ ("Worker Added"));
}

static void
add_response_cb (AdwMessageDialog *dialog, const char *response, NexusWorkersPage *self)
{
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "entry");
  WorkerCall  *call;

  if (g_strcmp0 (response, "add") != 0 || nexus_page_get_engine (NEXUS_PAGE (self)) == NULL)
    return;
  call = g_new0 (WorkerCall, 1);
  call->name = g_strstrip (g_strdup (gtk_editable_get_text (entry)));
  run_call (self, add_worker_func, call, added_cb);
}

static void
add_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  NexusWorkersPage *self = NEXUS_WORKERS_PAGE (widget);
  AdwMessageDialog *dialog;
  GtkWidget        *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget        *entry = gtk_entry_new ();
  GtkWidget        *message = gtk_label_new (NULL);

  if (nexus_page_get_engine (NEXUS_PAGE (self)) == NULL)
    return;
  dialog = new_dialog (self, _ ("Add a Worker"),
                       _ ("Name the machine that will take jobs, e.g. “office laptop”."));
  gtk_entry_set_activates_default (GTK_ENTRY (entry), FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _ ("Worker name"), -1);
  gtk_widget_add_css_class (message, "error");
  gtk_label_set_wrap (GTK_LABEL (message), TRUE);
  gtk_widget_set_visible (message, FALSE);
  gtk_box_append (GTK_BOX (box), entry);
  gtk_box_append (GTK_BOX (box), message);
  adw_message_dialog_set_extra_child (dialog, box);
  adw_message_dialog_add_responses (dialog, "cancel", _ ("_Cancel"), "add", _ ("_Add"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "add", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_response_enabled (dialog, "add", FALSE);
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data (G_OBJECT (dialog), "entry", entry);
  g_object_set_data (G_OBJECT (dialog), "message", message);
  g_signal_connect (entry, "changed", G_CALLBACK (name_changed_cb), dialog);
  g_signal_connect (entry, "activate", G_CALLBACK (name_activate_cb), dialog);
  g_signal_connect (dialog, "response", G_CALLBACK (add_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

static WorkerRow *
row_for_public_id (NexusWorkersPage *self, const char *public_id)
{
  GHashTableIter iter;
  gpointer       value;

  g_hash_table_iter_init (&iter, self->rows);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (g_strcmp0 (((WorkerRow *)value)->status->record->public_id, public_id) == 0)
      return value;
  return NULL;
}

/* Grace periods offered when rotating, in the order of the drop-down. */
static const gint64 grace_choices[] = { 0, 3600, 24 * 3600, 7 * 24 * 3600 };

static void
rotated_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  handle_issued (user_data, object, result, _ ("New Connection String"));
}

static void
rotate_response_cb (AdwMessageDialog *dialog, const char *response, NexusWorkersPage *self)
{
  GtkDropDown *grace = g_object_get_data (G_OBJECT (dialog), "grace");
  WorkerCall  *call;
  guint        choice = gtk_drop_down_get_selected (grace);

  if (g_strcmp0 (response, "rotate") != 0 || nexus_page_get_engine (NEXUS_PAGE (self)) == NULL)
    return;
  call = g_new0 (WorkerCall, 1);
  call->public_id = g_strdup (g_object_get_data (G_OBJECT (dialog), "public-id"));
  call->grace_s = grace_choices[MIN (choice, G_N_ELEMENTS (grace_choices) - 1)];
  run_call (self, rotate_worker_func, call, rotated_cb);
}

static void
rotate_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  NexusWorkersPage *self = NEXUS_WORKERS_PAGE (widget);
  const char       *public_id = g_variant_get_string (parameter, NULL);
  WorkerRow        *row = row_for_public_id (self, public_id);
  const char *const choices[] = { C_ ("grace period", "Stop it now"),
                                  C_ ("grace period", "Keep it 1 hour"),
                                  C_ ("grace period", "Keep it 24 hours"),
                                  C_ ("grace period", "Keep it 7 days"), NULL };
  g_autofree char  *heading = NULL;
  AdwMessageDialog *dialog;
  GtkWidget        *grace;

  if (row == NULL || nexus_page_get_engine (NEXUS_PAGE (self)) == NULL)
    return;
  heading = g_strdup_printf (_ ("Rotate the Secret of “%s”?"), row->status->record->name);
  dialog = new_dialog (self, heading,
                       _ ("The worker gets a new connection string. Choose how long the current "
                          "one keeps working, so you can update the worker first."));
  grace = gtk_drop_down_new_from_strings (choices);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (grace), 2);
  gtk_accessible_update_property (GTK_ACCESSIBLE (grace), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _ ("Current connection string"), -1);
  adw_message_dialog_set_extra_child (dialog, grace);
  adw_message_dialog_add_responses (dialog, "cancel", _ ("_Cancel"), "rotate", _ ("_Rotate"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "rotate", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data (G_OBJECT (dialog), "grace", grace);
  g_object_set_data_full (G_OBJECT (dialog), "public-id", g_strdup (public_id), g_free);
  g_signal_connect (dialog, "response", G_CALLBACK (rotate_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
revoked_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  NexusWorkersPage *self = user_data;
  g_autoptr (GError) error = NULL;

  if (nexus_engine_run_finish (NEXUS_ENGINE (object), result, &error) == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error (self, error->message);
      return;
    }
  reload (self);
}

static void
revoke_response_cb (AdwMessageDialog *dialog, const char *response, NexusWorkersPage *self)
{
  WorkerCall *call;

  if (g_strcmp0 (response, "revoke") != 0 || nexus_page_get_engine (NEXUS_PAGE (self)) == NULL)
    return;
  call = g_new0 (WorkerCall, 1);
  call->public_id = g_strdup (g_object_get_data (G_OBJECT (dialog), "public-id"));
  run_call (self, revoke_worker_func, call, revoked_cb);
}

static void
revoke_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  NexusWorkersPage *self = NEXUS_WORKERS_PAGE (widget);
  const char       *public_id = g_variant_get_string (parameter, NULL);
  WorkerRow        *row = row_for_public_id (self, public_id);
  g_autofree char  *heading = NULL;
  AdwMessageDialog *dialog;

  if (row == NULL || nexus_page_get_engine (NEXUS_PAGE (self)) == NULL)
    return;
  heading = g_strdup_printf (_ ("Revoke “%s”?"), row->status->record->name);
  dialog = new_dialog (self, heading,
                       _ ("The worker can no longer take jobs or report. This cannot be undone: "
                          "to use the machine again, add a new worker."));
  adw_message_dialog_add_responses (dialog, "cancel", _ ("_Cancel"), "revoke", _ ("_Revoke"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "revoke", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "public-id", g_strdup (public_id), g_free);
  g_signal_connect (dialog, "response", G_CALLBACK (revoke_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- the local worker ------------------------------------------------- */

static void
local_changed_cb (NexusLocalWorker *local, GParamSpec *pspec, NexusWorkersPage *self)
{
  g_autofree char *output = nexus_local_worker_get_output (local, 8);

  adw_action_row_set_subtitle (self->local_row, nexus_local_worker_get_status (local));
  gtk_label_set_text (self->local_output, output);
  gtk_widget_set_visible (GTK_WIDGET (self->local_output), *output != '\0');
}

/* The process ended (asked to, or by itself): the switch follows.  Only
 * on this change: lines it wrote last may arrive after a new start was
 * asked for. */
static void
local_running_cb (NexusLocalWorker *local, GParamSpec *pspec, NexusWorkersPage *self)
{
  if (!nexus_local_worker_get_running (local))
    gtk_switch_set_active (self->local_switch, FALSE);
}

static void
local_credential_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  NexusWorkersPage *self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (Issued) issued = nexus_engine_run_finish (NEXUS_ENGINE (object), result, &error);

  if (issued == NULL || !gtk_switch_get_active (self->local_switch) ||
      !nexus_local_worker_start (self->local, issued->connection, &error))
    {
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          adw_action_row_set_subtitle (self->local_row, error->message);
          gtk_switch_set_active (self->local_switch, FALSE);
        }
      return;
    }
  g_free (self->local_public_id);
  self->local_public_id = g_strdup (issued->public_id);
  reload (self);
}

static void
local_switch_cb (NexusWorkersPage *self, GParamSpec *pspec, GtkSwitch *local_switch)
{
  NexusEngine *engine = nexus_page_get_engine (NEXUS_PAGE (self));
  WorkerCall  *call;

  if (!gtk_switch_get_active (local_switch))
    {
      /* Stopped on purpose: its going offline is no news (the
       * application's notifier, when there is one, hears it). */
      if (nexus_local_worker_get_running (self->local) && self->local_public_id != NULL)
        gtk_widget_activate_action (GTK_WIDGET (self), "app.expect-offline", "s",
                                    self->local_public_id);
      nexus_local_worker_stop (self->local);
      return;
    }
  if (engine == NULL || nexus_local_worker_get_running (self->local))
    return;
  if (nexus_engine_get_port (engine) == 0)
    {
      adw_action_row_set_subtitle (self->local_row,
                                   _ ("The console does not serve the worker API, so no worker "
                                      "can connect"));
      gtk_switch_set_active (local_switch, FALSE);
      return;
    }
  adw_action_row_set_subtitle (self->local_row, _ ("Starting…"));
  call = g_new0 (WorkerCall, 1);
  call->name = g_strdup (g_get_host_name ());
  run_call (self, local_worker_func, call, local_credential_cb);
}

/* ---- GObject ---------------------------------------------------------- */

/* Drops what the page showed of the previous engine (its rows, its event
 * watch, its reads in flight) and reads the workers of the new one.  A
 * local worker started for the previous engine is stopped. */
static void
nexus_workers_page_engine_changed (NexusPage *page, NexusEngine *old_engine)
{
  NexusWorkersPage *self = NEXUS_WORKERS_PAGE (page);
  NexusEngine      *engine = nexus_page_get_engine (page);
  GHashTableIter    iter;
  gpointer          value;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  gtk_switch_set_active (self->local_switch, FALSE);
  g_hash_table_iter_init (&iter, self->rows);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    gtk_list_box_remove (self->list, GTK_WIDGET (((WorkerRow *)value)->row));
  g_hash_table_remove_all (self->rows);
  update_empty (self);
  nexus_event_watch_set_engine (self->watch, engine);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "workers.add", engine != NULL);
  reload (self);
}

static void
nexus_workers_page_dispose (GObject *object)
{
  NexusWorkersPage *self = (NexusWorkersPage *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->watch, nexus_event_watch_free);
  g_clear_handle_id (&self->clock_id, g_source_remove);
  if (self->local != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->local, self);
      nexus_local_worker_stop (self->local);
    }
  g_clear_object (&self->local);
  g_clear_pointer (&self->local_public_id, g_free);
  g_clear_weak_pointer (&self->dialog);
  gtk_widget_dispose_template (GTK_WIDGET (self), NEXUS_TYPE_WORKERS_PAGE);
  g_clear_pointer (&self->rows, g_hash_table_unref);

  G_OBJECT_CLASS (nexus_workers_page_parent_class)->dispose (object);
}

static void
nexus_workers_page_class_init (NexusWorkersPageClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  NexusPageClass *page_class = NEXUS_PAGE_CLASS (klass);

  object_class->dispose = nexus_workers_page_dispose;
  page_class->engine_changed = nexus_workers_page_engine_changed;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/nexus/Nexus/ui/nexus-workers-page.ui");
  gtk_widget_class_bind_template_child (widget_class, NexusWorkersPage, list);
  gtk_widget_class_bind_template_child (widget_class, NexusWorkersPage, empty_label);
  gtk_widget_class_bind_template_child (widget_class, NexusWorkersPage, local_row);
  gtk_widget_class_bind_template_child (widget_class, NexusWorkersPage, local_switch);
  gtk_widget_class_bind_template_child (widget_class, NexusWorkersPage, local_output);
  gtk_widget_class_bind_template_callback (widget_class, local_switch_cb);

  gtk_widget_class_install_action (widget_class, "workers.add", NULL, add_action);
  gtk_widget_class_install_action (widget_class, "workers.rotate", "s", rotate_action);
  gtk_widget_class_install_action (widget_class, "workers.revoke", "s", revoke_action);
}

static void
nexus_workers_page_init (NexusWorkersPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->rows = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, worker_row_free);
  self->cancellable = g_cancellable_new ();
  self->watch = nexus_event_watch_new (watched_kinds, RELOAD_DEBOUNCE_MS, NULL, reload, self);
  self->local = nexus_local_worker_new ();
  g_signal_connect (self->local, "notify::status", G_CALLBACK (local_changed_cb), self);
  g_signal_connect (self->local, "notify::output", G_CALLBACK (local_changed_cb), self);
  g_signal_connect (self->local, "notify::running", G_CALLBACK (local_running_cb), self);
  adw_action_row_set_subtitle (self->local_row, nexus_local_worker_get_status (self->local));
  self->clock_id = g_timeout_add_seconds (CLOCK_S, clock_cb, self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "workers.add", FALSE);
}

/* ---- public API ------------------------------------------------------- */

GtkWidget *
nexus_workers_page_new (NexusEngine *engine)
{
  g_return_val_if_fail (engine == NULL || NEXUS_IS_ENGINE (engine), NULL);

  return g_object_new (NEXUS_TYPE_WORKERS_PAGE, "engine", engine, NULL);
}

AdwMessageDialog *
_nexus_workers_page_get_dialog (NexusWorkersPage *self)
{
  return self->dialog;
}

guint
_nexus_workers_page_get_n_rows (NexusWorkersPage *self)
{
  return g_hash_table_size (self->rows);
}

/* The state the row shows, or -1 without a row. */
int
_nexus_workers_page_get_row_state (NexusWorkersPage *self, gint64 worker_id)
{
  WorkerRow *row = g_hash_table_lookup (self->rows, &worker_id);

  return row != NULL ? (int)nexus_fleet_worker_state (row->status, now_seconds ()) : -1;
}

AdwExpanderRow *
_nexus_workers_page_get_row (NexusWorkersPage *self, gint64 worker_id)
{
  WorkerRow *row = g_hash_table_lookup (self->rows, &worker_id);

  return row != NULL ? row->row : NULL;
}

GtkWidget *
_nexus_workers_page_get_chart (NexusWorkersPage *self, gint64 worker_id, guint i)
{
  WorkerRow *row = g_hash_table_lookup (self->rows, &worker_id);

  return row != NULL && i < N_CHARTS ? row->charts[i] : NULL;
}

NexusLocalWorker *
_nexus_workers_page_get_local_worker (NexusWorkersPage *self)
{
  return self->local;
}
