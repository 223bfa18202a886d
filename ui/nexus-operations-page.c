/* nexus-operations-page.c — backups, restore, retention, checks, monitor, webhooks
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The console's side of the operator's housekeeping (engine/ops/).  Each
 * section posts its work to the engine: writes to the engine thread
 * (nexus_engine_run_async()), everything else to a reader thread
 * (nexus_engine_read_async()), with a spinner while it runs and its result
 * in place or as a toast.  The page never blocks the main thread on the
 * vault or the disk.
 *
 * A restore replaces the engine itself: after the archive is verified and
 * the operator confirmed, the page activates app.restore with the archive's
 * path and the application restarts the engine (app/nexus-console-restore.h).
 * The window then gives every page the new engine, this one included.
 *
 * Results that arrive from an engine the page no longer shows are dropped.
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "nexus-format.h"
#include "nexus-operations-page-private.h"
#include "nexus-window.h"
#include "ops/nexus-backup.h"
#include "ops/nexus-maintenance.h"
#include "ops/nexus-monitor.h"
#include "ops/nexus-webhooks.h"
#include "store/nexus-store-ops.h"
#include "store/nexus-store-webhooks.h"

#define DEFAULT_LISTEN   "127.0.0.1:8787"
#define DELIVERIES_SHOWN 200
#define PROBE_POLL_MS    500
#define PROBE_POLL_TIMES 20
#define DEFAULT_KEEP     7
#define DEFAULT_EVERY_H  24
#define THRESHOLD_MIN_MS 10
#define THRESHOLD_MAX_MS 60000

struct _NexusOperationsPage
{
  NexusPage parent_instance;

  /* template children */
  GtkSpinner     *backup_spinner;
  GtkSpinner     *restore_spinner;
  GtkSpinner     *retention_spinner;
  GtkSpinner     *cleanup_spinner;
  GtkSpinner     *preflight_spinner;
  GtkSpinner     *validate_spinner;
  GtkSpinner     *probe_spinner;
  GtkWidget      *backup_button;
  GtkWidget      *backup_cancel_button;
  GtkWidget      *restore_button;
  GtkWidget      *repair_button;
  AdwExpanderRow *schedule_row;
  GtkSpinButton  *schedule_every;
  AdwActionRow   *schedule_every_row;
  GtkSpinButton  *schedule_keep;
  AdwActionRow   *schedule_folder_row;
  AdwActionRow   *last_backup_row;
  AdwActionRow   *monitor_latency_row;
  AdwActionRow   *monitor_alert_row;
  GtkSpinButton  *retention_replay;
  GtkSpinButton  *retention_idempotency;
  GtkSpinButton  *retention_jobs;
  GtkSpinButton  *retention_audit;
  GtkSpinButton  *retention_deliveries;
  GtkSpinButton  *retention_worker_hours;
  GtkSpinButton  *monitor_threshold;
  GtkLabel       *backup_status;
  GtkLabel       *restore_status;
  GtkLabel       *retention_status;
  GtkLabel       *cleanup_status;
  GtkLabel       *webhooks_status;
  GtkListBox     *checks_list;
  GtkListBox     *webhooks_list;

  GCancellable *backup_cancellable; /* the backup running, if any */
  guint         busy;               /* operations posted and not finished */
  gboolean      restoring;          /* app.restore activated, the new engine not here yet */
  gboolean      loading;            /* filling the widgets: edits are not written back */
  char         *schedule_folder;    /* the scheduled backups' folder; NULL: none chosen */
  GPtrArray    *preflight_checks;   /* NexusCheck of the last preflight, or NULL */
  GPtrArray    *validate_checks;    /* NexusCheck of the last validation, or NULL */
  guint         probe_poll_id;      /* re-reads the monitor's figures after a probe */
  guint         probe_polls;
  gint64        probe_started; /* unix seconds */
  gint64        monitor_last_at;

  /* The dialog shown last (weak), and the add-webhook dialog's parts. */
  AdwMessageDialog *dialog;
  GtkEditable      *webhook_url;     /* weak */
  GtkWidget        *webhook_private; /* weak */
  GtkLabel         *webhook_error;   /* weak */
  GPtrArray        *webhook_events;  /* GtkCheckButton, event kind as "kind" data */
};

G_DEFINE_FINAL_TYPE (NexusOperationsPage, nexus_operations_page, NEXUS_TYPE_PAGE)

/* Event kinds an endpoint may choose, as nexus-webhooks.h publishes them. */
static const char *const event_kinds[] = { "monitor.alert",
                                           "backup.failed",
                                           "backup.completed",
                                           "job.dead",
                                           "job.completed",
                                           "job.reported",
                                           NULL };

/* ---- helpers ---------------------------------------------------------- */

static const char *
event_label (const char *kind)
{
  if (g_strcmp0 (kind, "*") == 0)
    return _ ("All alerts");
  if (g_strcmp0 (kind, "monitor.alert") == 0)
    return _ ("Synthetic monitor alert");
  if (g_strcmp0 (kind, "backup.failed") == 0)
    return _ ("Backup failed");
  if (g_strcmp0 (kind, "backup.completed") == 0)
    return _ ("Backup completed");
  if (g_strcmp0 (kind, "job.dead") == 0)
    return _ ("Job dead");
  if (g_strcmp0 (kind, "job.completed") == 0)
    return _ ("Job completed");
  if (g_strcmp0 (kind, "job.reported") == 0)
    return _ ("New leads reported");
  return kind;
}

static const char *
check_title (const char *name)
{
  static const struct
  {
    const char *name;
    const char *title;
  } titles[] = {
    { "clock", N_ ("Clock") },
    { "sqlite", N_ ("SQLite") },
    { "glib", N_ ("GLib") },
    { "libarchive", N_ ("libarchive") },
    { "database-folder", N_ ("Database folder") },
    { "database-file", N_ ("Database file") },
    { "disk-space", N_ ("Free disk space") },
    { "api-port", N_ ("Worker API port") },
    { "integrity", N_ ("Integrity") },
    { "foreign-keys", N_ ("Foreign keys") },
    { "schema", N_ ("Indexes and triggers") },
    { "fts-index", N_ ("Full-text search index") },
    { "geo-index", N_ ("Map index") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (titles); i++)
    if (g_strcmp0 (titles[i].name, name) == 0)
      return _ (titles[i].title);
  return name;
}

/* Shows @text under a section, as an error or not; NULL hides it. */
static void
set_status (GtkLabel *label, const char *text, gboolean is_error)
{
  gtk_label_set_text (label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL);
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (label), "error");
}

static void
show_toast (NexusOperationsPage *self, const char *text)
{
  GtkRoot         *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autofree char *markup = NULL;

  if (!NEXUS_IS_WINDOW (root))
    return;
  /* A toast's title is markup. */
  markup = g_markup_escape_text (text, -1);
  nexus_window_add_toast (NEXUS_WINDOW (root), adw_toast_new (markup));
}

static void
set_row_subtitle (AdwActionRow *row, const char *text)
{
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (row, text);
}

/* A message dialog over the window, remembered for the tests. */
static AdwMessageDialog *
new_plain_dialog (NexusOperationsPage *self, const char *heading, const char *body)
{
  GtkRoot   *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading, body);
  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);
  g_set_weak_pointer (&self->dialog, ADW_MESSAGE_DIALOG (dialog));
  return ADW_MESSAGE_DIALOG (dialog);
}

/* The same with a Cancel response. */
static AdwMessageDialog *
new_dialog (NexusOperationsPage *self, const char *heading, const char *body)
{
  AdwMessageDialog *dialog = new_plain_dialog (self, heading, body);

  adw_message_dialog_add_response (dialog, "cancel", _ ("_Cancel"));
  adw_message_dialog_set_close_response (dialog, "cancel");
  return dialog;
}

static char *
format_unix (gint64 unix_seconds)
{
  g_autofree char *text = nexus_format_date_time (unix_seconds);

  return nexus_isolate_ltr (text);
}

/* ---- running work on the engine --------------------------------------- */

typedef void (*OpDone) (NexusOperationsPage *self, gpointer result, const GError *error);

typedef struct
{
  NexusOperationsPage *self;        /* a reference */
  NexusEngine         *engine;      /* a reference: the engine it was posted to */
  GtkSpinner          *spinner;     /* of the section; may be NULL */
  OpDone               done;        /* takes the result */
  GDestroyNotify       result_free; /* for a result nobody takes */
  gboolean             write;
} OpCall;

static void
op_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  OpCall              *call = user_data;
  NexusOperationsPage *self = call->self;
  g_autoptr (GError) error = NULL;
  gpointer value;

  if (call->write)
    value = nexus_engine_run_finish (call->engine, result, &error);
  else
    value = nexus_engine_read_finish (call->engine, result, &error);

  self->busy--;
  if (call->spinner != NULL)
    gtk_spinner_stop (call->spinner);

  if (call->engine == nexus_page_get_engine (NEXUS_PAGE (self)))
    call->done (self, value, error);
  else if (value != NULL && call->result_free != NULL)
    call->result_free (value);

  g_object_unref (call->engine);
  g_object_unref (call->self);
  g_free (call);
}

/* Posts @func (engine thread when @write, else a reader thread); @done
 * gets its result on the main thread, and owns it. */
static void
run_op (NexusOperationsPage *self,
        gboolean             write,
        NexusEngineFunc      func,
        gpointer             data,
        GDestroyNotify       data_free,
        GCancellable        *cancellable,
        GtkSpinner          *spinner,
        OpDone               done,
        GDestroyNotify       result_free)
{
  NexusEngine *engine = nexus_page_get_engine (NEXUS_PAGE (self));
  OpCall      *call;

  if (engine == NULL)
    {
      if (data_free != NULL)
        data_free (data);
      return;
    }

  call = g_new0 (OpCall, 1);
  call->self = g_object_ref (self);
  call->engine = g_object_ref (engine);
  call->spinner = spinner;
  call->done = done;
  call->result_free = result_free;
  call->write = write;

  self->busy++;
  if (spinner != NULL)
    gtk_spinner_start (spinner);

  if (write)
    nexus_engine_run_async (engine, func, data, data_free, cancellable, op_done_cb, call);
  else
    nexus_engine_read_async (engine, func, data, data_free, cancellable, op_done_cb, call);
}

/* ---- what the page shows: settings and webhooks ----------------------- */

typedef struct
{
  gint64     backup_every_s;
  char      *backup_folder;
  gint64     backup_keep;
  gint64     backup_last_at;
  char      *backup_last_error;
  char      *monitor_p50;
  char      *monitor_p95;
  gint64     monitor_last_at;
  char      *monitor_last_error;
  gint64     monitor_threshold;
  gint64     monitor_last_alert_at;
  char      *monitor_last_alert;
  gint64     retention[NEXUS_RETENTION_N_POLICIES];
  GPtrArray *endpoints;  /* NexusWebhookEndpoint */
  GPtrArray *deliveries; /* NexusWebhookDelivery, newest first */
} State;

static void
state_free (gpointer data)
{
  State *state = data;

  g_free (state->backup_folder);
  g_free (state->backup_last_error);
  g_free (state->monitor_p50);
  g_free (state->monitor_p95);
  g_free (state->monitor_last_error);
  g_free (state->monitor_last_alert);
  g_clear_pointer (&state->endpoints, g_ptr_array_unref);
  g_clear_pointer (&state->deliveries, g_ptr_array_unref);
  g_free (state);
}

static gint64
setting_int (NexusStore *store, const char *key, gint64 fallback)
{
  g_autofree char *value = nexus_store_get_setting (store, key, NULL);

  return value != NULL ? g_ascii_strtoll (value, NULL, 10) : fallback;
}

static gpointer
read_state_func (NexusStore *store, gpointer data, GError **error)
{
  State *state = g_new0 (State, 1);

  state->backup_every_s = setting_int (store, "backup.every_s", 0);
  state->backup_folder = nexus_store_get_setting (store, "backup.folder", NULL);
  state->backup_keep = setting_int (store, "backup.keep", DEFAULT_KEEP);
  state->backup_last_at = setting_int (store, "backup.last_at", 0);
  state->backup_last_error = nexus_store_get_setting (store, "backup.last_error", NULL);
  state->monitor_p50 = nexus_store_get_setting (store, "monitor.p50_ms", NULL);
  state->monitor_p95 = nexus_store_get_setting (store, "monitor.p95_ms", NULL);
  state->monitor_last_at = setting_int (store, "monitor.last_at", 0);
  state->monitor_last_error = nexus_store_get_setting (store, "monitor.last_error", NULL);
  state->monitor_threshold =
      setting_int (store, "monitor.threshold_ms", NEXUS_MONITOR_DEFAULT_THRESHOLD_MS);
  state->monitor_last_alert_at = setting_int (store, "monitor.last_alert_at", 0);
  state->monitor_last_alert = nexus_store_get_setting (store, "monitor.last_alert", NULL);
  for (guint i = 0; i < NEXUS_RETENTION_N_POLICIES; i++)
    state->retention[i] = nexus_retention_get_age (store, i);

  state->endpoints = nexus_store_webhook_list (store, FALSE, error);
  if (state->endpoints != NULL)
    state->deliveries = nexus_store_webhook_deliveries (store, DELIVERIES_SHOWN, error);
  if (state->deliveries == NULL)
    {
      state_free (state);
      return NULL;
    }
  return state;
}

/* Seconds per unit of each retention spin button. */
static const gint64 retention_units[NEXUS_RETENTION_N_POLICIES] = {
  [NEXUS_RETENTION_REPLAY] = 60,        [NEXUS_RETENTION_IDEMPOTENCY] = 3600,
  [NEXUS_RETENTION_JOBS] = 86400,       [NEXUS_RETENTION_AUDIT] = 86400,
  [NEXUS_RETENTION_DELIVERIES] = 86400, [NEXUS_RETENTION_WORKER_HOURS] = 86400,
};

static GtkSpinButton *
retention_spin (NexusOperationsPage *self, NexusRetentionPolicy policy)
{
  GtkSpinButton *spins[NEXUS_RETENTION_N_POLICIES] = {
    [NEXUS_RETENTION_REPLAY] = self->retention_replay,
    [NEXUS_RETENTION_IDEMPOTENCY] = self->retention_idempotency,
    [NEXUS_RETENTION_JOBS] = self->retention_jobs,
    [NEXUS_RETENTION_AUDIT] = self->retention_audit,
    [NEXUS_RETENTION_DELIVERIES] = self->retention_deliveries,
    [NEXUS_RETENTION_WORKER_HOURS] = self->retention_worker_hours,
  };

  return spins[policy];
}

static char *
describe_events (const char *events_json)
{
  g_autoptr (JsonNode) node = json_from_string (events_json, NULL);
  g_autoptr (GPtrArray) labels = g_ptr_array_new ();
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return g_strdup (events_json);
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    g_ptr_array_add (labels, (gpointer)event_label (json_array_get_string_element (array, i)));
  g_ptr_array_add (labels, NULL);
  /* Translators: the separator between event names in a list. */
  return g_strjoinv (C_ ("list separator", ", "), (char **)labels->pdata);
}

static const char *
delivery_status_label (const char *status)
{
  if (g_strcmp0 (status, "pending") == 0)
    return C_ ("delivery", "Pending");
  if (g_strcmp0 (status, "delivered") == 0)
    return C_ ("delivery", "Delivered");
  if (g_strcmp0 (status, "failed") == 0)
    return C_ ("delivery", "Failed");
  if (g_strcmp0 (status, "gave_up") == 0)
    return C_ ("delivery", "Gave up");
  return status;
}

static GtkWidget *
new_delivery_row (NexusWebhookDelivery *delivery)
{
  GtkWidget       *row = adw_action_row_new ();
  GtkWidget       *button;
  g_autofree char *when = format_unix (delivery->updated_at);
  g_autofree char *subtitle = NULL;

  subtitle = g_strdup_printf (
      /* Translators: a webhook delivery: its state, the attempts made and
       * when it last changed. */
      ngettext ("%s · %" PRId64 " attempt · %s", "%s · %" PRId64 " attempts · %s",
                (gulong)MIN (delivery->attempt, G_MAXLONG)),
      delivery_status_label (delivery->status), delivery->attempt, when);
  if (delivery->last_error != NULL)
    {
      char *longer = g_strconcat (subtitle, "\n", delivery->last_error, NULL);
      g_free (subtitle);
      subtitle = longer;
    }
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), event_label (delivery->kind));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

  button = gtk_button_new_with_mnemonic (_ ("_Redeliver"));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "ops.redeliver");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "x", delivery->id);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  return row;
}

static GtkWidget *
new_endpoint_row (NexusWebhookEndpoint *endpoint, GPtrArray *deliveries)
{
  GtkWidget       *row = adw_expander_row_new ();
  GtkWidget       *remove_button;
  g_autofree char *events = describe_events (endpoint->events);
  g_autofree char *subtitle = NULL;
  g_autofree char *url = nexus_isolate_ltr (endpoint->url);
  guint            shown = 0;

  if (endpoint->enabled)
    subtitle = g_strdup_printf (_ ("Enabled · %s"), events);
  else
    subtitle = g_strdup_printf (_ ("Disabled (%s) · %s"),
                                endpoint->disabled_reason != NULL ? endpoint->disabled_reason : "",
                                events);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), url);
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), subtitle);

  remove_button = gtk_button_new_from_icon_name ("user-trash-symbolic");
  gtk_widget_set_valign (remove_button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (remove_button, _ ("Remove Webhook"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (remove_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _ ("Remove Webhook"), -1);
  gtk_widget_add_css_class (remove_button, "flat");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (remove_button), "ops.remove-webhook");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (remove_button), "x", endpoint->id);
  adw_expander_row_add_action (ADW_EXPANDER_ROW (row), remove_button);

  for (guint i = 0; i < deliveries->len; i++)
    {
      NexusWebhookDelivery *delivery = g_ptr_array_index (deliveries, i);

      if (delivery->endpoint_id != endpoint->id)
        continue;
      adw_expander_row_add_row (ADW_EXPANDER_ROW (row), new_delivery_row (delivery));
      shown++;
    }
  if (shown == 0)
    {
      GtkWidget *empty = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (empty), _ ("No deliveries yet"));
      adw_expander_row_add_row (ADW_EXPANDER_ROW (row), empty);
    }
  return row;
}

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

static void
show_webhooks (NexusOperationsPage *self, State *state)
{
  clear_list (self->webhooks_list);
  for (guint i = 0; i < state->endpoints->len; i++)
    gtk_list_box_append (
        self->webhooks_list,
        new_endpoint_row (g_ptr_array_index (state->endpoints, i), state->deliveries));
  if (state->endpoints->len == 0)
    {
      GtkWidget *empty = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (empty), _ ("No webhooks"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (empty),
                                   _ ("Add one to send alerts to another service."));
      gtk_list_box_append (self->webhooks_list, empty);
    }
}

static void
show_backup_state (NexusOperationsPage *self, State *state)
{
  g_autofree char *last = NULL;

  adw_expander_row_set_enable_expansion (self->schedule_row, state->backup_every_s > 0);
  if (state->backup_every_s > 0)
    gtk_spin_button_set_value (self->schedule_every,
                               MAX (1, (double)state->backup_every_s / 3600.0));
  else
    gtk_spin_button_set_value (self->schedule_every, DEFAULT_EVERY_H);
  gtk_spin_button_set_value (self->schedule_keep,
                             state->backup_keep > 0 ? state->backup_keep : DEFAULT_KEEP);

  /* nexusctl backup --every takes minutes too; say so rather than round. */
  if (state->backup_every_s > 0 && state->backup_every_s % 3600 != 0)
    {
      g_autofree char *minutes = nexus_format_count (state->backup_every_s / 60);
      g_autofree char *text =
          g_strdup_printf (ngettext ("Now every %s minute", "Now every %s minutes",
                                     (gulong)MIN (state->backup_every_s / 60, G_MAXLONG)),
                           minutes);
      set_row_subtitle (self->schedule_every_row, text);
    }
  else
    set_row_subtitle (self->schedule_every_row, NULL);
  g_free (self->schedule_folder);
  self->schedule_folder = g_strdup (state->backup_folder);
  if (self->schedule_folder != NULL && *self->schedule_folder != '\0')
    {
      g_autofree char *folder = nexus_isolate_ltr (self->schedule_folder);
      set_row_subtitle (self->schedule_folder_row, folder);
    }
  else
    set_row_subtitle (self->schedule_folder_row, _ ("No folder chosen"));

  if (state->backup_last_at <= 0)
    last = g_strdup (_ ("None yet"));
  else
    {
      g_autofree char *when = format_unix (state->backup_last_at);

      if (state->backup_last_error != NULL)
        last = g_strdup_printf (_ ("%s — failed: %s"), when, state->backup_last_error);
      else
        last = g_strdup_printf (_ ("%s — succeeded"), when);
    }
  set_row_subtitle (self->last_backup_row, last);
}

static void
show_monitor_state (NexusOperationsPage *self, State *state)
{
  g_autofree char *latency = NULL;
  g_autofree char *alert = NULL;

  self->monitor_last_at = state->monitor_last_at;
  gtk_spin_button_set_value (self->monitor_threshold, (double)state->monitor_threshold);

  if (state->monitor_last_at <= 0)
    latency = g_strdup (_ ("No probe yet"));
  else
    {
      g_autofree char *when = format_unix (state->monitor_last_at);

      if (state->monitor_last_error != NULL)
        latency = g_strdup_printf (_ ("The API did not answer at %s: %s"), when,
                                   state->monitor_last_error);
      else
        {
          g_autofree char *p50 = nexus_format_decimal (
              state->monitor_p50 != NULL ? g_ascii_strtod (state->monitor_p50, NULL) : 0.0, 1);
          g_autofree char *p95 = nexus_format_decimal (
              state->monitor_p95 != NULL ? g_ascii_strtod (state->monitor_p95, NULL) : 0.0, 1);

          /* Translators: latencies of the worker API, in milliseconds,
           * then when they were measured last. */
          latency = g_strdup_printf (_ ("p50 %s ms · p95 %s ms · probed %s"), p50, p95, when);
        }
    }
  set_row_subtitle (self->monitor_latency_row, latency);

  if (state->monitor_last_alert_at <= 0)
    alert = g_strdup (C_ ("alert", "None"));
  else
    {
      g_autofree char *when = format_unix (state->monitor_last_alert_at);

      alert = g_strdup_printf ("%s — %s", when,
                               state->monitor_last_alert != NULL ? state->monitor_last_alert : "");
    }
  set_row_subtitle (self->monitor_alert_row, alert);
}

static void
state_read_cb (NexusOperationsPage *self, gpointer result, const GError *error)
{
  g_autoptr (GError) own_error = NULL;
  State *state = result;

  if (state == NULL)
    {
      set_status (self->webhooks_status, error->message, TRUE);
      return;
    }

  self->loading = TRUE;
  show_backup_state (self, state);
  show_monitor_state (self, state);
  for (guint i = 0; i < NEXUS_RETENTION_N_POLICIES; i++)
    gtk_spin_button_set_value (retention_spin (self, i),
                               (double)state->retention[i] / (double)retention_units[i]);
  show_webhooks (self, state);
  self->loading = FALSE;

  state_free (state);
}

static void
reload (NexusOperationsPage *self)
{
  run_op (self, FALSE, read_state_func, NULL, NULL, NULL, NULL, state_read_cb, state_free);
}

/* ---- settings written back -------------------------------------------- */

typedef struct
{
  char *keys[3];
  char *values[3]; /* NULL: delete the key */
} SettingsWrite;

static void
settings_write_free (gpointer data)
{
  SettingsWrite *write = data;

  for (guint i = 0; i < G_N_ELEMENTS (write->keys); i++)
    {
      g_free (write->keys[i]);
      g_free (write->values[i]);
    }
  g_free (write);
}

static gpointer
write_settings_func (NexusStore *store, gpointer data, GError **error)
{
  SettingsWrite *write = data;

  if (!nexus_store_begin (store, error))
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (write->keys) && write->keys[i] != NULL; i++)
    {
      gboolean ok = write->values[i] != NULL
                        ? nexus_store_set_setting (store, write->keys[i], write->values[i], error)
                        : nexus_store_delete_setting (store, write->keys[i], error);
      if (!ok)
        {
          nexus_store_rollback (store);
          return NULL;
        }
    }
  if (!nexus_store_commit (store, error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

static void
schedule_written_cb (NexusOperationsPage *self, gpointer result, const GError *error)
{
  if (result == NULL)
    {
      set_status (self->backup_status, error->message, TRUE);
      return;
    }
  if (adw_expander_row_get_enable_expansion (self->schedule_row))
    set_status (self->backup_status, _ ("The engine backs up on this schedule from now on."),
                FALSE);
  else
    set_status (self->backup_status, _ ("Scheduled backups are off."), FALSE);
  reload (self);
}

static void
schedule_switched_cb (NexusOperationsPage *self, GParamSpec *pspec, AdwExpanderRow *row)
{
  SettingsWrite *write;

  if (self->loading || nexus_page_get_engine (NEXUS_PAGE (self)) == NULL)
    return;

  if (adw_expander_row_get_enable_expansion (row))
    {
      adw_expander_row_set_expanded (row, TRUE);
      set_status (self->backup_status,
                  _ ("Choose how often and where to back up, then save the schedule."), FALSE);
      return;
    }

  write = g_new0 (SettingsWrite, 1);
  write->keys[0] = g_strdup ("backup.every_s");
  run_op (self, TRUE, write_settings_func, write, settings_write_free, NULL, NULL,
          schedule_written_cb, NULL);
}

static void
save_schedule_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  NexusOperationsPage *self = NEXUS_OPERATIONS_PAGE (widget);
  SettingsWrite       *write;
  gint64               every_s;

  if (self->schedule_folder == NULL || *self->schedule_folder == '\0')
    {
      set_status (self->backup_status, _ ("Choose a folder for the scheduled backups first."),
                  TRUE);
      return;
    }

  every_s = (gint64)gtk_spin_button_get_value_as_int (self->schedule_every) * 3600;
  write = g_new0 (SettingsWrite, 1);
  write->keys[0] = g_strdup ("backup.every_s");
  write->values[0] = g_strdup_printf ("%" G_GINT64_FORMAT, every_s);
  write->keys[1] = g_strdup ("backup.folder");
  write->values[1] = g_strdup (self->schedule_folder);
  write->keys[2] = g_strdup ("backup.keep");
  write->values[2] = g_strdup_printf ("%d", gtk_spin_button_get_value_as_int (self->schedule_keep));
  adw_expander_row_set_enable_expansion (self->schedule_row, TRUE);
  run_op (self, TRUE, write_settings_func, write, settings_write_free, NULL, NULL,
          schedule_written_cb, NULL);
}

/* The path the operator accepted in @chooser, or NULL. */
static char *
chosen_path (GtkNativeDialog *chooser, int response)
{
  g_autoptr (GFile) file = NULL;

  if (response != GTK_RESPONSE_ACCEPT)
    return NULL;
  file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  return file != NULL ? g_file_get_path (file) : NULL;
}

static void
folder_chosen_cb (GtkNativeDialog *chooser, int response, gpointer user_data)
{
  NexusOperationsPage *self = NEXUS_OPERATIONS_PAGE (user_data);
  g_autofree char     *path = chosen_path (chooser, response);

  if (path != NULL)
    {
      g_autofree char *shown = nexus_isolate_ltr (path);

      g_free (self->schedule_folder);
      self->schedule_folder = g_steal_pointer (&path);
      set_row_subtitle (self->schedule_folder_row, shown);
    }
  g_object_unref (chooser);
  g_object_unref (self);
}

static GtkWindow *
parent_window (NexusOperationsPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static void
choose_folder_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  NexusOperationsPage  *self = NEXUS_OPERATIONS_PAGE (widget);
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (
      _ ("Folder of the Scheduled Backups"), parent_window (self),
      GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _ ("_Select"), _ ("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (folder_chosen_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* ---- backup ----------------------------------------------------------- */

typedef struct
{
  char            *path;
  NexusBackupFlags flags;
  GCancellable    *cancellable;
} BackupJob;

static void
backup_job_free (gpointer data)
{
  BackupJob *job = data;

  g_free (job->path);
  g_clear_object (&job->cancellable);
  g_free (job);
}

static gpointer
backup_func (NexusStore *store, gpointer data, GError **error)
{
  BackupJob *job = data;

  return nexus_backup_create (store, job->path, job->flags, job->cancellable, error);
}

static void
backup_done_cb (NexusOperationsPage *self, gpointer result, const GError *error)
{
  g_autoptr (NexusBackupInfo) info = result;
  g_autofree char *size = NULL;
  g_autofree char *rows = NULL;
  g_autofree char *text = NULL;
  gint64           total = 0;

  gtk_widget_set_visible (self->backup_cancel_button, FALSE);
  gtk_widget_set_sensitive (self->backup_button, TRUE);
  g_clear_object (&self->backup_cancellable);

  if (info == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        set_status (self->backup_status, _ ("Backup cancelled; no file was written."), FALSE);
      else
        set_status (self->backup_status, error->message, TRUE);
      return;
    }

  for (guint i = 0; info->tables[i] != NULL; i++)
    total += MAX (info->counts[i], 0);
  size = g_format_size ((guint64)info->archive_size);
  rows = nexus_format_count (total);
  text = g_strdup_printf (ngettext ("Backup saved: %s, %s row", "Backup saved: %s, %s rows",
                                    (gulong)MIN (total, G_MAXLONG)),
                          size, rows);
  set_status (self->backup_status, text, FALSE);
  show_toast (self, text);
}

static void
start_backup (NexusOperationsPage *self, const char *path, NexusBackupFlags flags)
{
  BackupJob *job = g_new0 (BackupJob, 1);

  g_clear_object (&self->backup_cancellable);
  self->backup_cancellable = g_cancellable_new ();
  job->path = g_strdup (path);
  job->flags = flags;
  job->cancellable = g_object_ref (self->backup_cancellable);

  set_status (self->backup_status, _ ("Backing up…"), FALSE);
  gtk_widget_set_visible (self->backup_cancel_button, TRUE);
  gtk_widget_set_sensitive (self->backup_button, FALSE);
  run_op (self, FALSE, backup_func, job, backup_job_free, NULL, self->backup_spinner,
          backup_done_cb, (GDestroyNotify)nexus_backup_info_free);
}

static void
replace_response_cb (AdwMessageDialog *dialog, const char *response, gpointer user_data)
{
  NexusOperationsPage *self = NEXUS_OPERATIONS_PAGE (user_data);

  if (g_strcmp0 (response, "replace") == 0)
    start_backup (self, g_object_get_data (G_OBJECT (dialog), "path"), NEXUS_BACKUP_FORCE);
}

static void
backup_to (NexusOperationsPage *self, const char *path)
{
  AdwMessageDialog *dialog;
  g_autofree char  *name = NULL;
  g_autofree char  *heading = NULL;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      start_backup (self, path, NEXUS_BACKUP_DEFAULT);
      return;
    }

  name = g_path_get_basename (path);
  heading = g_strdup_printf (_ ("Replace “%s”?"), name);
  dialog = new_dialog (self, heading, _ ("A file with this name exists; the backup replaces it."));
  adw_message_dialog_add_response (dialog, "replace", _ ("_Replace"));
  adw_message_dialog_set_response_appearance (dialog, "replace", ADW_RESPONSE_DESTRUCTIVE);
  g_object_set_data_full (G_OBJECT (dialog), "path", g_strdup (path), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (replace_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
backup_to_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  backup_to (NEXUS_OPERATIONS_PAGE (widget), g_variant_get_string (parameter, NULL));
}

static void
backup_chosen_cb (GtkNativeDialog *chooser, int response, gpointer user_data)
{
  NexusOperationsPage *self = NEXUS_OPERATIONS_PAGE (user_data);
  g_autofree char     *path = chosen_path (chooser, response);

  if (path != NULL && !g_str_has_suffix (path, ".zip"))
    {
      char *with_suffix = g_strconcat (path, ".zip", NULL);
      g_free (path);
      path = with_suffix;
    }
  if (path != NULL)
    backup_to (self, path);
  g_object_unref (chooser);
  g_object_unref (self);
}

static GtkFileFilter *
new_zip_filter (void)
{
  GtkFileFilter *filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _ ("Nexus backups (.zip)"));
  gtk_file_filter_add_pattern (filter, "*.zip");
  return filter;
}

static void
backup_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  NexusOperationsPage  *self = NEXUS_OPERATIONS_PAGE (widget);
  GtkFileChooserNative *chooser;
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_autofree char *name = g_strdup_printf ("nexus-backup-%s.zip", stamp);
  g_autoptr (GtkFileFilter) filter = new_zip_filter ();

  chooser =
      gtk_file_chooser_native_new (_ ("Back Up the Vault"), parent_window (self),
                                   GTK_FILE_CHOOSER_ACTION_SAVE, _ ("_Back Up"), _ ("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  g_signal_connect (chooser, "response", G_CALLBACK (backup_chosen_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
cancel_backup_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  NexusOperationsPage *self = NEXUS_OPERATIONS_PAGE (widget);

  if (self->backup_cancellable != NULL)
    g_cancellable_cancel (self->backup_cancellable);
}

/* ---- restore ---------------------------------------------------------- */

typedef struct
{
  char *zip_path;
  char *db_path;
} RestoreCheck;

static void
restore_check_free (gpointer data)
{
  RestoreCheck *check = data;

  g_free (check->zip_path);
  g_free (check->db_path);
  g_free (check);
}

/* On a reader thread: verifies the archive without touching the vault. */
static gpointer
verify_func (NexusStore *store, gpointer data, GError **error)
{
  RestoreCheck *check = data;

  return nexus_restore_prepare (check->zip_path, check->db_path, NULL, error);
}

/* What the operator knows a vault by; the other tables are details. */
static const char *
table_label (const char *table)
{
  static const struct
  {
    const char *table;
    const char *label;
  } labels[] = {
    { "leads", N_ ("Leads") },
    { "lead_sources", N_ ("Lead sources") },
    { "searches", N_ ("Searches") },
    { "internal_jobs", N_ ("Jobs") },
    { "workers", N_ ("Workers") },
    { "agents", N_ ("Agents") },
    { "assignments", N_ ("Assignments") },
    { "webhook_endpoints", N_ ("Webhooks") },
    { "audit_log", N_ ("Audit log entries") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_str_equal (labels[i].table, table))
      return _ (labels[i].label);
  return NULL;
}

static char *
describe_backup (const NexusBackupInfo *info)
{
  g_autoptr (GString) text = g_string_new (NULL);
  g_autoptr (GDateTime) taken = g_date_time_new_from_iso8601 (info->created_at, NULL);
  g_autofree char *when = NULL;
  g_autofree char *version = nexus_isolate_ltr (info->program_version);
  g_autofree char *size = g_format_size ((guint64)info->database_size);
  const char      *separator = "\n";

  when = taken != NULL ? format_unix (g_date_time_to_unix (taken)) : g_strdup (info->created_at);
  /* Translators: what a backup holds: the program version that wrote it,
   * its schema version, when it was taken and the database's size. */
  g_string_append_printf (text, _ ("Written by Nexus %s, schema version %d, on %s (%s)."), version,
                          info->schema_version, when, size);
  for (guint i = 0; info->tables[i] != NULL; i++)
    {
      const char      *label = table_label (info->tables[i]);
      g_autofree char *count = NULL;

      if (label == NULL || info->counts[i] < 0)
        continue;
      count = nexus_format_count (info->counts[i]);
      g_string_append (text, separator);
      /* Translators: a table of a backup and its rows, e.g. "Leads: 32". */
      g_string_append_printf (text, C_ ("backup contents", "%s: %s"), label, count);
      separator = " · ";
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
restore_response_cb (AdwMessageDialog *dialog, const char *response, gpointer user_data)
{
  NexusOperationsPage *self = NEXUS_OPERATIONS_PAGE (user_data);
  const char          *path = g_object_get_data (G_OBJECT (dialog), "path");

  if (g_strcmp0 (response, "restore") != 0)
    {
      set_status (self->restore_status, _ ("Nothing was changed."), FALSE);
      return;
    }

  self->restoring = TRUE;
  gtk_spinner_start (self->restore_spinner);
  gtk_widget_set_sensitive (self->restore_button, FALSE);
  set_status (self->restore_status, _ ("Restarting the engine on the restored vault…"), FALSE);
  if (!gtk_widget_activate_action (GTK_WIDGET (self), "app.restore", "s", path))
    {
      self->restoring = FALSE;
      gtk_spinner_stop (self->restore_spinner);
      gtk_widget_set_sensitive (self->restore_button, TRUE);
      set_status (self->restore_status,
                  _ ("This window cannot restart its engine; nothing was changed."), TRUE);
    }
}

static void
verified_cb (NexusOperationsPage *self, gpointer result, const GError *error)
{
  g_autoptr (NexusRestore) restore = result;
  AdwMessageDialog *dialog;
  g_autofree char  *summary = NULL;
  g_autofree char  *path = NULL;

  gtk_widget_set_sensitive (self->restore_button, TRUE);
  if (restore == NULL)
    {
      g_autofree char *text = g_strdup_printf (
          _ ("This backup cannot be restored: %s Nothing was changed."), error->message);
      set_status (self->restore_status, text, TRUE);
      return;
    }

  summary = describe_backup (nexus_restore_get_info (restore));
  set_status (self->restore_status, summary, FALSE);
  path = g_strdup (g_object_get_data (G_OBJECT (self), "restore-path"));

  dialog = new_dialog (self, _ ("Restore This Backup?"), NULL);
  adw_message_dialog_format_body (
      dialog, "%s\n\n%s", summary,
      _ ("The current database is kept aside as a safety copy, the backup takes its place and the "
         "engine restarts. Workers reconnect by themselves."));
  adw_message_dialog_add_response (dialog, "restore", _ ("_Restore"));
  adw_message_dialog_set_response_appearance (dialog, "restore", ADW_RESPONSE_DESTRUCTIVE);
  g_object_set_data_full (G_OBJECT (dialog), "path", g_steal_pointer (&path), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (restore_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
restore_from (NexusOperationsPage *self, const char *zip_path)
{
  NexusEngine  *engine = nexus_page_get_engine (NEXUS_PAGE (self));
  RestoreCheck *check;

  if (engine == NULL || self->restoring)
    return;

  check = g_new0 (RestoreCheck, 1);
  check->zip_path = g_strdup (zip_path);
  check->db_path = g_strdup (nexus_engine_get_db_path (engine));
  g_object_set_data_full (G_OBJECT (self), "restore-path", g_strdup (zip_path), g_free);

  gtk_widget_set_sensitive (self->restore_button, FALSE);
  set_status (self->restore_status, _ ("Checking the backup…"), FALSE);
  run_op (self, FALSE, verify_func, check, restore_check_free, NULL, self->restore_spinner,
          verified_cb, (GDestroyNotify)nexus_restore_free);
}

static void
restore_from_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  restore_from (NEXUS_OPERATIONS_PAGE (widget), g_variant_get_string (parameter, NULL));
}

static void
restore_chosen_cb (GtkNativeDialog *chooser, int response, gpointer user_data)
{
  NexusOperationsPage *self = NEXUS_OPERATIONS_PAGE (user_data);
  g_autofree char     *path = chosen_path (chooser, response);

  if (path != NULL)
    restore_from (self, path);
  g_object_unref (chooser);
  g_object_unref (self);
}

static void
restore_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  NexusOperationsPage  *self = NEXUS_OPERATIONS_PAGE (widget);
  GtkFileChooserNative *chooser;
  g_autoptr (GtkFileFilter) filter = new_zip_filter ();

  chooser = gtk_file_chooser_native_new (_ ("Restore a Backup"), parent_window (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _ ("_Open"), _ ("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  g_signal_connect (chooser, "response", G_CALLBACK (restore_chosen_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* ---- retention and cleanup -------------------------------------------- */

typedef struct
{
  NexusRetentionPolicy policy;
  gint64               age_s;
} RetentionWrite;

static gpointer
set_retention_func (NexusStore *store, gpointer data, GError **error)
{
  RetentionWrite *write = data;

  if (!nexus_retention_set_age (store, write->policy, write->age_s, error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

static void
retention_written_cb (NexusOperationsPage *self, gpointer result, const GError *error)
{
  if (result == NULL)
    set_status (self->retention_status, error->message, TRUE);
  else
    set_status (self->retention_status, _ ("Saved; the next pass uses the new ages."), FALSE);
}

static void
retention_changed_cb (NexusOperationsPage *self, GtkSpinButton *spin)
{
  for (guint i = 0; i < NEXUS_RETENTION_N_POLICIES; i++)
    {
      RetentionWrite *write;

      if (retention_spin (self, i) != spin || self->loading)
        continue;
      write = g_new0 (RetentionWrite, 1);
      write->policy = i;
      write->age_s = (gint64)gtk_spin_button_get_value_as_int (spin) * retention_units[i];
      run_op (self, TRUE, set_retention_func, write, g_free, NULL, NULL, retention_written_cb,
              NULL);
    }
}

static gpointer
cleanup_func (NexusStore *store, gpointer data, GError **error)
{
  NexusCleanupFlags   flags = GPOINTER_TO_UINT (data);
  NexusCleanupReport *report = g_new0 (NexusCleanupReport, 1);

  if (!nexus_maintenance_cleanup (store, g_get_real_time () / G_USEC_PER_SEC, flags, report, error))
    {
      g_free (report);
      return NULL;
    }
  return report;
}

static void
retention_applied_cb (NexusOperationsPage *self, gpointer result, const GError *error)
{
  g_autofree NexusCleanupReport *report = result;
  g_autofree char               *replay = NULL;
  g_autofree char               *keys = NULL;
  g_autofree char               *jobs = NULL;
  g_autofree char               *audit = NULL;
  g_autofree char               *deliveries = NULL;
  g_autofree char               *hours = NULL;
  g_autofree char               *text = NULL;

  if (report == NULL)
    {
      set_status (self->retention_status, error->message, TRUE);
      return;
    }
  replay = nexus_format_count (report->replay_removed);
  keys = nexus_format_count (report->idempotency_removed);
  jobs = nexus_format_count (report->jobs_removed);
  audit = nexus_format_count (report->audit_removed);
  deliveries = nexus_format_count (report->deliveries_removed);
  hours = nexus_format_count (report->worker_hours_removed);
  text =
      g_strdup_printf (_ ("Removed: request nonces %s, idempotency keys %s, finished jobs %s, "
                          "audit entries %s, webhook deliveries %s, workers’ hourly figures %s."),
                       replay, keys, jobs, audit, deliveries, hours);
  set_status (self->retention_status, text, FALSE);
  show_toast (self, _ ("Retention applied"));
}

static void
apply_retention_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  NexusOperationsPage *self = NEXUS_OPERATIONS_PAGE (widget);

  set_status (self->retention_status, _ ("Removing what the policies let go…"), FALSE);
  run_op (self, TRUE, cleanup_func, GUINT_TO_POINTER (NEXUS_CLEANUP_DEFAULT), NULL, NULL,
          self->retention_spinner, retention_applied_cb, g_free);
}

static gpointer
optimize_func (NexusStore *store, gpointer data, GError **error)
{
  gboolean *complete = g_new0 (gboolean, 1);

  if (!nexus_store_ops_optimize (store, error) ||
      !nexus_store_ops_checkpoint_truncate (store, complete, error))
    {
      g_free (complete);
      return NULL;
    }
  return complete;
}

static void
optimized_cb (NexusOperationsPage *self, gpointer result, const GError *error)
{
  g_autofree gboolean *complete = result;

  if (complete == NULL)
    set_status (self->cleanup_status, error->message, TRUE);
  else if (*complete)
    set_status (self->cleanup_status,
                _ ("Statistics refreshed; the write-ahead log is folded into the file."), FALSE);
  else
    set_status (self->cleanup_status,
                _ ("Statistics refreshed; part of the write-ahead log is still in use by a "
                   "reader and will be folded in later."),
                FALSE);
}

static void
optimize_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  NexusOperationsPage *self = NEXUS_OPERATIONS_PAGE (widget);

  run_op (self, TRUE, optimize_func, NULL, NULL, NULL, self->cleanup_spinner, optimized_cb, g_free);
}

static void
compacted_cb (NexusOperationsPage *self, gpointer result, const GError *error)
{
  g_autofree NexusCleanupReport *report = result;
  g_autofree char               *before = NULL;
  g_autofree char               *after = NULL;
  g_autofree char               *text = NULL;

  if (report == NULL)
    {
      set_status (self->cleanup_status, error->message, TRUE);
      return;
    }
  before = g_format_size ((guint64)report->size_before);
  after = g_format_size ((guint64)report->size_after);
  text = g_strdup_printf (_ ("Compacted: %s before, %s after."), before, after);
  set_status (self->cleanup_status, text, FALSE);
  show_toast (self, text);
}

static void
compact_response_cb (AdwMessageDialog *dialog, const char *response, gpointer user_data)
{
  NexusOperationsPage *self = NEXUS_OPERATIONS_PAGE (user_data);

  if (g_strcmp0 (response, "compact") != 0)
    return;
  set_status (self->cleanup_status, _ ("Compacting…"), FALSE);
  run_op (self, TRUE, cleanup_func, GUINT_TO_POINTER (NEXUS_CLEANUP_VACUUM), NULL, NULL,
          self->cleanup_spinner, compacted_cb, g_free);
}

static void
compact_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  NexusOperationsPage *self = NEXUS_OPERATIONS_PAGE (widget);
  AdwMessageDialog    *dialog;

  dialog = new_dialog (self, _ ("Compact the Database?"),
                       _ ("The whole file is rewritten. Workers wait until it is done, which "
                          "can take minutes on a large vault, and the disk needs as much free "
                          "space as the file takes."));
  adw_message_dialog_add_response (dialog, "compact", _ ("Co_mpact"));
  adw_message_dialog_set_response_appearance (dialog, "compact", ADW_RESPONSE_DESTRUCTIVE);
  g_signal_connect_object (dialog, "response", G_CALLBACK (compact_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- preflight and validate ------------------------------------------- */

static GtkWidget *
new_check_row (NexusCheck *check)
{
  GtkWidget       *row = adw_action_row_new ();
  GtkWidget       *icon;
  const char      *icon_name = "emblem-ok-symbolic";
  const char      *css = "success";
  const char      *label = _ ("Passed");
  g_autofree char *subtitle = NULL;

  if (check->status == NEXUS_CHECK_WARN)
    {
      icon_name = "dialog-warning-symbolic";
      css = "warning";
      label = _ ("Warning");
    }
  else if (check->status == NEXUS_CHECK_FAIL)
    {
      icon_name = "dialog-error-symbolic";
      css = "error";
      label = _ ("Failed");
    }

  icon = gtk_image_new_from_icon_name (icon_name);
  gtk_widget_add_css_class (icon, css);
  gtk_widget_set_tooltip_text (icon, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);

  if (check->remedy != NULL)
    subtitle = g_strdup_printf (_ ("%s\nRemedy: %s"), check->detail, check->remedy);
  else
    subtitle = g_strdup (check->detail);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), check_title (check->name));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  g_object_set_data_full (G_OBJECT (row), "check-name", g_strdup (check->name), g_free);
  g_object_set_data (G_OBJECT (row), "check-status", GINT_TO_POINTER (check->status));
  return row;
}

static void
append_checks (NexusOperationsPage *self, const char *heading, GPtrArray *checks)
{
  GtkWidget *title;

  if (checks == NULL)
    return;
  title = gtk_label_new (heading);
  gtk_label_set_xalign (GTK_LABEL (title), 0.0f);
  gtk_widget_add_css_class (title, "heading");
  gtk_widget_set_margin_top (title, 12);
  gtk_widget_set_margin_bottom (title, 6);
  gtk_widget_set_margin_start (title, 12);
  gtk_widget_set_margin_end (title, 12);
  gtk_list_box_append (self->checks_list, title);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (gtk_widget_get_parent (title)), FALSE);
  for (guint i = 0; i < checks->len; i++)
    gtk_list_box_append (self->checks_list, new_check_row (g_ptr_array_index (checks, i)));
}

static gboolean
derived_indexes_wrong (GPtrArray *checks)
{
  for (guint i = 0; checks != NULL && i < checks->len; i++)
    {
      NexusCheck *check = g_ptr_array_index (checks, i);

      if (check->status != NEXUS_CHECK_PASS &&
          (g_str_equal (check->name, "fts-index") || g_str_equal (check->name, "geo-index")))
        return TRUE;
    }
  return FALSE;
}

static void
show_checks (NexusOperationsPage *self)
{
  clear_list (self->checks_list);
  append_checks (self, _ ("Preflight"), self->preflight_checks);
  append_checks (self, _ ("Validate"), self->validate_checks);
  gtk_widget_set_visible (GTK_WIDGET (self->checks_list),
                          self->preflight_checks != NULL || self->validate_checks != NULL);
  gtk_widget_set_visible (self->repair_button, derived_indexes_wrong (self->validate_checks));
}

typedef struct
{
  char   *db_path;
  char   *listen;
  guint16 port; /* of this console's worker API; 0 when it does not listen */
} PreflightJob;

static void
preflight_job_free (gpointer data)
{
  PreflightJob *job = data;

  g_free (job->db_path);
  g_free (job->listen);
  g_free (job);
}

static gpointer
preflight_func (NexusStore *store, gpointer data, GError **error)
{
  PreflightJob         *job = data;
  NexusPreflightOptions options = { 0 };
  GPtrArray            *checks;

  options.db_path = job->db_path;
  options.listen = job->listen;
  checks = nexus_maintenance_preflight (&options);

  /* The port is taken by this console's own worker API: that is no fault. */
  for (guint i = 0; job->port != 0 && i < checks->len; i++)
    {
      NexusCheck *check = g_ptr_array_index (checks, i);

      if (!g_str_equal (check->name, "api-port"))
        continue;
      check->status = NEXUS_CHECK_PASS;
      g_clear_pointer (&check->remedy, g_free);
      g_free (check->detail);
      check->detail =
          g_strdup_printf (_ ("This console’s worker API listens on port %u"), (guint)job->port);
    }
  return checks;
}

static void
preflight_done_cb (NexusOperationsPage *self, gpointer result, const GError *error)
{
  g_clear_pointer (&self->preflight_checks, g_ptr_array_unref);
  self->preflight_checks = result;
  show_checks (self);
}

static void
preflight_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  NexusOperationsPage *self = NEXUS_OPERATIONS_PAGE (widget);
  NexusEngine         *engine = nexus_page_get_engine (NEXUS_PAGE (self));
  PreflightJob        *job;

  if (engine == NULL)
    return;
  job = g_new0 (PreflightJob, 1);
  job->db_path = g_strdup (nexus_engine_get_db_path (engine));
  job->port = nexus_engine_get_port (engine);
  job->listen = job->port != 0 ? g_strdup_printf ("127.0.0.1:%u", (guint)job->port)
                               : g_strdup (DEFAULT_LISTEN);
  run_op (self, FALSE, preflight_func, job, preflight_job_free, NULL, self->preflight_spinner,
          preflight_done_cb, (GDestroyNotify)g_ptr_array_unref);
}

static gpointer
validate_func (NexusStore *store, gpointer data, GError **error)
{
  return nexus_maintenance_validate (store, GPOINTER_TO_UINT (data), error);
}

static void
validate_done_cb (NexusOperationsPage *self, gpointer result, const GError *error)
{
  g_clear_pointer (&self->validate_checks, g_ptr_array_unref);
  if (result == NULL)
    {
      NexusCheck *check = g_new0 (NexusCheck, 1);

      check->name = g_strdup ("integrity");
      check->status = NEXUS_CHECK_FAIL;
      check->detail = g_strdup (error->message);
      check->remedy = g_strdup (_ ("Restore the last good backup."));
      self->validate_checks = g_ptr_array_new_with_free_func ((GDestroyNotify)nexus_check_free);
      g_ptr_array_add (self->validate_checks, check);
    }
  else
    self->validate_checks = result;
  show_checks (self);
}

static void
validate_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  NexusOperationsPage *self = NEXUS_OPERATIONS_PAGE (widget);

  run_op (self, FALSE, validate_func, GUINT_TO_POINTER (NEXUS_VALIDATE_DEFAULT), NULL, NULL,
          self->validate_spinner, validate_done_cb, (GDestroyNotify)g_ptr_array_unref);
}

static void
repair_done_cb (NexusOperationsPage *self, gpointer result, const GError *error)
{
  validate_done_cb (self, result, error);
  if (result != NULL)
    show_toast (self, _ ("Derived indexes rebuilt"));
}

static void
repair_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  NexusOperationsPage *self = NEXUS_OPERATIONS_PAGE (widget);

  run_op (self, TRUE, validate_func, GUINT_TO_POINTER (NEXUS_VALIDATE_REPAIR), NULL, NULL,
          self->validate_spinner, repair_done_cb, (GDestroyNotify)g_ptr_array_unref);
}

/* ---- synthetic monitor ------------------------------------------------ */

static gpointer
write_threshold_func (NexusStore *store, gpointer data, GError **error)
{
  g_autofree char *text = g_strdup_printf ("%d", GPOINTER_TO_INT (data));

  if (!nexus_store_set_setting (store, "monitor.threshold_ms", text, error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

static void
threshold_written_cb (NexusOperationsPage *self, gpointer result, const GError *error)
{
  if (result == NULL)
    show_toast (self, error->message);
}

static void
threshold_changed_cb (NexusOperationsPage *self, GtkSpinButton *spin)
{
  if (self->loading)
    return;
  run_op (self, TRUE, write_threshold_func,
          GINT_TO_POINTER (gtk_spin_button_get_value_as_int (spin)), NULL, NULL, NULL,
          threshold_written_cb, NULL);
}

static gboolean
probe_poll_cb (gpointer user_data)
{
  NexusOperationsPage *self = NEXUS_OPERATIONS_PAGE (user_data);

  if (self->monitor_last_at >= self->probe_started || ++self->probe_polls > PROBE_POLL_TIMES)
    {
      gtk_spinner_stop (self->probe_spinner);
      self->probe_poll_id = 0;
      return G_SOURCE_REMOVE;
    }
  reload (self);
  return G_SOURCE_CONTINUE;
}

static gpointer
probe_func (NexusStore *store, gpointer data, GError **error)
{
  nexus_engine_probe_api (NEXUS_ENGINE (data));
  return GINT_TO_POINTER (TRUE);
}

static void
probed_cb (NexusOperationsPage *self, gpointer result, const GError *error)
{
  /* The probe runs on the monitor's own thread: its figures arrive soon. */
  gtk_spinner_start (self->probe_spinner);
  self->probe_polls = 0;
  g_clear_handle_id (&self->probe_poll_id, g_source_remove);
  self->probe_poll_id = g_timeout_add (PROBE_POLL_MS, probe_poll_cb, self);
}

static void
probe_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  NexusOperationsPage *self = NEXUS_OPERATIONS_PAGE (widget);
  NexusEngine         *engine = nexus_page_get_engine (NEXUS_PAGE (self));

  if (engine == NULL)
    return;
  self->probe_started = g_get_real_time () / G_USEC_PER_SEC;
  run_op (self, FALSE, probe_func, g_object_ref (engine), g_object_unref, NULL, self->probe_spinner,
          probed_cb, NULL);
}

/* ---- webhooks --------------------------------------------------------- */

typedef struct
{
  char    *url;
  char    *events; /* JSON */
  gboolean allow_private;
} WebhookAdd;

typedef struct
{
  gint64 id;
  char  *secret;
} WebhookAdded;

static void
webhook_add_free (gpointer data)
{
  WebhookAdd *add = data;

  g_free (add->url);
  g_free (add->events);
  g_free (add);
}

static void
webhook_added_free (gpointer data)
{
  WebhookAdded *added = data;

  if (added->secret != NULL)
    memset (added->secret, 0, strlen (added->secret));
  g_free (added->secret);
  g_free (added);
}

static gpointer
add_webhook_func (NexusStore *store, gpointer data, GError **error)
{
  WebhookAdd   *add = data;
  WebhookAdded *added = g_new0 (WebhookAdded, 1);

  added->id =
      nexus_webhooks_add_endpoint (store, add->url, add->events, add->allow_private,
                                   g_get_real_time () / G_USEC_PER_SEC, &added->secret, error);
  if (added->id == 0)
    {
      webhook_added_free (added);
      return NULL;
    }
  return added;
}

static void
copy_secret_cb (GtkButton *button, gpointer user_data)
{
  GtkLabel *label = GTK_LABEL (user_data);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (button)),
                          gtk_label_get_text (label));
  gtk_button_set_label (button, _ ("Copied"));
}

static void
secret_closed_cb (AdwMessageDialog *dialog, const char *response, gpointer user_data)
{
  /* The secret is not kept anywhere in the console. */
  gtk_label_set_text (GTK_LABEL (user_data), "");
}

static void
webhook_added_cb (NexusOperationsPage *self, gpointer result, const GError *error)
{
  WebhookAdded     *added = result;
  AdwMessageDialog *dialog;
  GtkWidget        *box;
  GtkWidget        *label;
  GtkWidget        *copy;

  if (added == NULL)
    {
      set_status (self->webhooks_status, error->message, TRUE);
      return;
    }

  set_status (self->webhooks_status, NULL, FALSE);
  reload (self);

  label = gtk_label_new (added->secret);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_CHAR);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_add_css_class (label, "monospace");
  gtk_widget_set_direction (label, GTK_TEXT_DIR_LTR);
  copy = gtk_button_new_with_mnemonic (_ ("_Copy"));
  gtk_widget_set_valign (copy, GTK_ALIGN_CENTER);
  g_signal_connect (copy, "clicked", G_CALLBACK (copy_secret_cb), label);
  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), copy);

  dialog =
      new_plain_dialog (self, _ ("Signing Secret"),
                        _ ("Give this secret to the receiver so it can verify every delivery. It "
                           "is shown only now."));
  adw_message_dialog_set_extra_child (dialog, box);
  adw_message_dialog_add_response (dialog, "done", _ ("_Done"));
  adw_message_dialog_set_close_response (dialog, "done");
  g_signal_connect (dialog, "response", G_CALLBACK (secret_closed_cb), label);
  gtk_window_present (GTK_WINDOW (dialog));
  show_toast (self, _ ("Webhook added"));

  webhook_added_free (added);
}

/* The kinds checked in the add dialog, as "a,b"; NULL when none is. */
static char *
chosen_events (NexusOperationsPage *self)
{
  g_autoptr (GPtrArray) kinds = g_ptr_array_new ();

  for (guint i = 0; self->webhook_events != NULL && i < self->webhook_events->len; i++)
    {
      GtkCheckButton *check = g_ptr_array_index (self->webhook_events, i);

      if (gtk_check_button_get_active (check))
        g_ptr_array_add (kinds, g_object_get_data (G_OBJECT (check), "kind"));
    }
  if (kinds->len == 0)
    return NULL;
  g_ptr_array_add (kinds, NULL);
  return g_strjoinv (",", (char **)kinds->pdata);
}

/* Says in place what is wrong with the dialog's input; TRUE when nothing. */
static gboolean
check_webhook_input (NexusOperationsPage *self)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *events = chosen_events (self);
  const char      *url = gtk_editable_get_text (self->webhook_url);
  const char      *problem = NULL;

  if (*url != '\0' && !nexus_webhooks_check_url (url, &error))
    problem = error->message;
  else if (events == NULL)
    problem = _ ("Choose at least one event.");

  gtk_label_set_text (self->webhook_error, problem != NULL ? problem : "");
  gtk_widget_set_visible (GTK_WIDGET (self->webhook_error), problem != NULL);
  adw_message_dialog_set_response_enabled (self->dialog, "add", problem == NULL && *url != '\0');
  return problem == NULL && *url != '\0';
}

static void
webhook_input_changed_cb (NexusOperationsPage *self)
{
  if (self->dialog != NULL && self->webhook_url != NULL)
    check_webhook_input (self);
}

static void
add_response_cb (AdwMessageDialog *dialog, const char *response, gpointer user_data)
{
  NexusOperationsPage *self = NEXUS_OPERATIONS_PAGE (user_data);
  g_autoptr (GError) error = NULL;
  g_autofree char *events = NULL;
  WebhookAdd      *add;

  if (g_strcmp0 (response, "add") != 0 || !check_webhook_input (self))
    goto out;

  events = chosen_events (self);
  add = g_new0 (WebhookAdd, 1);
  add->events = nexus_webhooks_parse_events (events, &error);
  if (add->events == NULL)
    {
      set_status (self->webhooks_status, error->message, TRUE);
      webhook_add_free (add);
      goto out;
    }
  add->url = g_strdup (gtk_editable_get_text (self->webhook_url));
  add->allow_private = gtk_check_button_get_active (GTK_CHECK_BUTTON (self->webhook_private));
  run_op (self, TRUE, add_webhook_func, add, webhook_add_free, NULL, NULL, webhook_added_cb,
          webhook_added_free);

out:
  g_clear_pointer (&self->webhook_events, g_ptr_array_unref);
}

static void
add_webhook_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  NexusOperationsPage *self = NEXUS_OPERATIONS_PAGE (widget);
  AdwMessageDialog    *dialog;
  GtkWidget           *box;
  GtkWidget           *entry;
  GtkWidget           *error_label;
  GtkWidget           *events_label;
  GtkWidget           *allow;

  dialog = new_dialog (self, _ ("Add Webhook"),
                       _ ("Nexus posts the chosen events to this address, signed with a secret "
                          "shown once."));
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);

  entry = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), "https://example.com/hooks/nexus");
  gtk_entry_set_input_purpose (GTK_ENTRY (entry), GTK_INPUT_PURPOSE_URL);
  gtk_widget_set_direction (entry, GTK_TEXT_DIR_LTR);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _ ("Address"), -1);
  g_signal_connect_swapped (entry, "changed", G_CALLBACK (webhook_input_changed_cb), self);
  gtk_box_append (GTK_BOX (box), entry);

  error_label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (error_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (error_label), 0.0f);
  gtk_widget_add_css_class (error_label, "error");
  gtk_widget_set_visible (error_label, FALSE);
  gtk_box_append (GTK_BOX (box), error_label);

  events_label = gtk_label_new (_ ("Events"));
  gtk_label_set_xalign (GTK_LABEL (events_label), 0.0f);
  gtk_widget_add_css_class (events_label, "heading");
  gtk_widget_set_margin_top (events_label, 6);
  gtk_box_append (GTK_BOX (box), events_label);

  g_clear_pointer (&self->webhook_events, g_ptr_array_unref);
  self->webhook_events = g_ptr_array_new ();
  for (guint i = 0; event_kinds[i] != NULL; i++)
    {
      GtkWidget *check = gtk_check_button_new_with_label (event_label (event_kinds[i]));

      /* The alerts are what "*" stands for: checked by default. */
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check),
                                   g_strv_contains (NEXUS_WEBHOOKS_ALERT_KINDS, event_kinds[i]));
      g_object_set_data (G_OBJECT (check), "kind", (gpointer)event_kinds[i]);
      g_signal_connect_swapped (check, "toggled", G_CALLBACK (webhook_input_changed_cb), self);
      g_ptr_array_add (self->webhook_events, check);
      gtk_box_append (GTK_BOX (box), check);
    }

  allow = gtk_check_button_new_with_label (_ ("Allow private and loopback addresses"));
  gtk_widget_set_margin_top (allow, 6);
  gtk_box_append (GTK_BOX (box), allow);

  adw_message_dialog_set_extra_child (dialog, box);
  adw_message_dialog_add_response (dialog, "add", _ ("_Add"));
  adw_message_dialog_set_response_appearance (dialog, "add", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_response_enabled (dialog, "add", FALSE);
  adw_message_dialog_set_default_response (dialog, "add");

  g_set_weak_pointer (&self->webhook_url, GTK_EDITABLE (entry));
  g_set_weak_pointer (&self->webhook_private, allow);
  g_set_weak_pointer (&self->webhook_error, GTK_LABEL (error_label));
  g_signal_connect_object (dialog, "response", G_CALLBACK (add_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

static gpointer
remove_webhook_func (NexusStore *store, gpointer data, GError **error)
{
  gint64 *id = data;

  if (!nexus_store_webhook_remove (store, *id, error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

static void
webhook_removed_cb (NexusOperationsPage *self, gpointer result, const GError *error)
{
  if (result == NULL)
    {
      set_status (self->webhooks_status, error->message, TRUE);
      return;
    }
  show_toast (self, _ ("Webhook removed"));
  reload (self);
}

static void
remove_response_cb (AdwMessageDialog *dialog, const char *response, gpointer user_data)
{
  NexusOperationsPage *self = NEXUS_OPERATIONS_PAGE (user_data);
  gint64              *id;

  if (g_strcmp0 (response, "remove") != 0)
    return;
  id = g_memdup2 (g_object_get_data (G_OBJECT (dialog), "id"), sizeof (gint64));
  run_op (self, TRUE, remove_webhook_func, id, g_free, NULL, NULL, webhook_removed_cb, NULL);
}

static void
remove_webhook_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  NexusOperationsPage *self = NEXUS_OPERATIONS_PAGE (widget);
  AdwMessageDialog    *dialog;
  gint64               id = g_variant_get_int64 (parameter);

  dialog = new_dialog (self, _ ("Remove This Webhook?"),
                       _ ("No more events are sent to it, and its delivery log is removed "
                          "with it."));
  adw_message_dialog_add_response (dialog, "remove", _ ("_Remove"));
  adw_message_dialog_set_response_appearance (dialog, "remove", ADW_RESPONSE_DESTRUCTIVE);
  g_object_set_data_full (G_OBJECT (dialog), "id", g_memdup2 (&id, sizeof id), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (remove_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static gpointer
redeliver_func (NexusStore *store, gpointer data, GError **error)
{
  gint64 *id = data;

  if (!nexus_store_webhook_redeliver (store, *id, g_get_real_time () / 1000, error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

static void
redelivered_cb (NexusOperationsPage *self, gpointer result, const GError *error)
{
  if (result == NULL)
    {
      set_status (self->webhooks_status, error->message, TRUE);
      return;
    }
  show_toast (self, _ ("Delivery queued again"));
  reload (self);
}

static void
redeliver_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  NexusOperationsPage *self = NEXUS_OPERATIONS_PAGE (widget);
  gint64               id = g_variant_get_int64 (parameter);

  run_op (self, TRUE, redeliver_func, g_memdup2 (&id, sizeof id), g_free, NULL, NULL,
          redelivered_cb, NULL);
}

static void
refresh_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  reload (NEXUS_OPERATIONS_PAGE (widget));
}

/* What the engine did meanwhile (the monitor's probes, scheduled backups)
 * shows as soon as the page is opened again. */
static void
mapped_cb (NexusOperationsPage *self)
{
  reload (self);
}

/* ---- GObject ---------------------------------------------------------- */

/* Reads the settings and webhooks of the new engine's vault.  Results
 * still due from the previous engine are dropped. */
static void
nexus_operations_page_engine_changed (NexusPage *page, NexusEngine *old_engine)
{
  NexusOperationsPage *self = NEXUS_OPERATIONS_PAGE (page);
  NexusEngine         *engine = nexus_page_get_engine (page);

  if (self->backup_cancellable != NULL)
    g_cancellable_cancel (self->backup_cancellable);
  g_clear_handle_id (&self->probe_poll_id, g_source_remove);
  gtk_spinner_stop (self->probe_spinner);

  if (engine != NULL && self->restoring)
    {
      self->restoring = FALSE;
      gtk_spinner_stop (self->restore_spinner);
      gtk_widget_set_sensitive (self->restore_button, TRUE);
      set_status (self->restore_status, _ ("The engine has restarted."), FALSE);
    }

  /* Checks of the previous vault say nothing about this one. */
  g_clear_pointer (&self->preflight_checks, g_ptr_array_unref);
  g_clear_pointer (&self->validate_checks, g_ptr_array_unref);
  show_checks (self);

  if (engine != NULL)
    reload (self);
}

static void
nexus_operations_page_dispose (GObject *object)
{
  NexusOperationsPage *self = NEXUS_OPERATIONS_PAGE (object);

  g_clear_handle_id (&self->probe_poll_id, g_source_remove);
  if (self->backup_cancellable != NULL)
    g_cancellable_cancel (self->backup_cancellable);
  g_clear_object (&self->backup_cancellable);
  g_clear_weak_pointer (&self->dialog);
  g_clear_weak_pointer (&self->webhook_url);
  g_clear_weak_pointer (&self->webhook_private);
  g_clear_weak_pointer (&self->webhook_error);
  g_clear_pointer (&self->webhook_events, g_ptr_array_unref);

  gtk_widget_dispose_template (GTK_WIDGET (object), NEXUS_TYPE_OPERATIONS_PAGE);

  G_OBJECT_CLASS (nexus_operations_page_parent_class)->dispose (object);
}

static void
nexus_operations_page_finalize (GObject *object)
{
  NexusOperationsPage *self = NEXUS_OPERATIONS_PAGE (object);

  g_free (self->schedule_folder);
  g_clear_pointer (&self->preflight_checks, g_ptr_array_unref);
  g_clear_pointer (&self->validate_checks, g_ptr_array_unref);

  G_OBJECT_CLASS (nexus_operations_page_parent_class)->finalize (object);
}

static void
nexus_operations_page_class_init (NexusOperationsPageClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  NexusPageClass *page_class = NEXUS_PAGE_CLASS (klass);

  object_class->dispose = nexus_operations_page_dispose;
  object_class->finalize = nexus_operations_page_finalize;
  page_class->engine_changed = nexus_operations_page_engine_changed;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/nexus/Nexus/ui/nexus-operations-page.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, NexusOperationsPage, name)
  BIND (backup_spinner);
  BIND (restore_spinner);
  BIND (retention_spinner);
  BIND (cleanup_spinner);
  BIND (preflight_spinner);
  BIND (validate_spinner);
  BIND (probe_spinner);
  BIND (backup_button);
  BIND (backup_cancel_button);
  BIND (restore_button);
  BIND (repair_button);
  BIND (schedule_row);
  BIND (schedule_every);
  BIND (schedule_every_row);
  BIND (schedule_keep);
  BIND (schedule_folder_row);
  BIND (last_backup_row);
  BIND (monitor_latency_row);
  BIND (monitor_alert_row);
  BIND (retention_replay);
  BIND (retention_idempotency);
  BIND (retention_jobs);
  BIND (retention_audit);
  BIND (retention_deliveries);
  BIND (retention_worker_hours);
  BIND (monitor_threshold);
  BIND (backup_status);
  BIND (restore_status);
  BIND (retention_status);
  BIND (cleanup_status);
  BIND (webhooks_status);
  BIND (checks_list);
  BIND (webhooks_list);
#undef BIND
  gtk_widget_class_bind_template_callback (widget_class, schedule_switched_cb);

  gtk_widget_class_install_action (widget_class, "ops.refresh", NULL, refresh_action);
  gtk_widget_class_install_action (widget_class, "ops.backup", NULL, backup_action);
  gtk_widget_class_install_action (widget_class, "ops.backup-to", "s", backup_to_action);
  gtk_widget_class_install_action (widget_class, "ops.cancel-backup", NULL, cancel_backup_action);
  gtk_widget_class_install_action (widget_class, "ops.choose-folder", NULL, choose_folder_action);
  gtk_widget_class_install_action (widget_class, "ops.save-schedule", NULL, save_schedule_action);
  gtk_widget_class_install_action (widget_class, "ops.restore", NULL, restore_action);
  gtk_widget_class_install_action (widget_class, "ops.restore-from", "s", restore_from_action);
  gtk_widget_class_install_action (widget_class, "ops.apply-retention", NULL,
                                   apply_retention_action);
  gtk_widget_class_install_action (widget_class, "ops.optimize", NULL, optimize_action);
  gtk_widget_class_install_action (widget_class, "ops.compact", NULL, compact_action);
  gtk_widget_class_install_action (widget_class, "ops.preflight", NULL, preflight_action);
  gtk_widget_class_install_action (widget_class, "ops.validate", NULL, validate_action);
  gtk_widget_class_install_action (widget_class, "ops.repair", NULL, repair_action);
  gtk_widget_class_install_action (widget_class, "ops.probe", NULL, probe_action);
  gtk_widget_class_install_action (widget_class, "ops.add-webhook", NULL, add_webhook_action);
  gtk_widget_class_install_action (widget_class, "ops.remove-webhook", "x", remove_webhook_action);
  gtk_widget_class_install_action (widget_class, "ops.redeliver", "x", redeliver_action);
}

static void
setup_spin (GtkSpinButton *spin, double lower, double upper)
{
  GtkAdjustment *adjustment = gtk_spin_button_get_adjustment (spin);

  gtk_adjustment_set_lower (adjustment, lower);
  gtk_adjustment_set_upper (adjustment, upper);
  nexus_editable_fold_digits (GTK_EDITABLE (spin));
}

static void
nexus_operations_page_init (NexusOperationsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect (self, "map", G_CALLBACK (mapped_cb), NULL);

  self->loading = TRUE;
  setup_spin (self->schedule_every, 1, 24 * 30);
  setup_spin (self->schedule_keep, 1, 10000);
  setup_spin (self->monitor_threshold, THRESHOLD_MIN_MS, THRESHOLD_MAX_MS);
  for (guint i = 0; i < NEXUS_RETENTION_N_POLICIES; i++)
    {
      const NexusRetentionRule *rule = nexus_retention_rule (i);
      GtkSpinButton            *spin = retention_spin (self, i);

      setup_spin (spin, (double)((rule->min_s + retention_units[i] - 1) / retention_units[i]),
                  (double)(rule->max_s / retention_units[i]));
      gtk_spin_button_set_value (spin, (double)rule->default_s / (double)retention_units[i]);
      g_signal_connect_swapped (spin, "value-changed", G_CALLBACK (retention_changed_cb), self);
    }
  gtk_spin_button_set_value (self->monitor_threshold, NEXUS_MONITOR_DEFAULT_THRESHOLD_MS);
  g_signal_connect_swapped (self->monitor_threshold, "value-changed",
                            G_CALLBACK (threshold_changed_cb), self);
  gtk_spin_button_set_value (self->schedule_every, DEFAULT_EVERY_H);
  gtk_spin_button_set_value (self->schedule_keep, DEFAULT_KEEP);
  self->loading = FALSE;
}

/* ---- for the tests ---------------------------------------------------- */

guint
_nexus_operations_page_get_busy (NexusOperationsPage *self)
{
  return self->busy;
}

gboolean
_nexus_operations_page_get_restoring (NexusOperationsPage *self)
{
  return self->restoring;
}

AdwMessageDialog *
_nexus_operations_page_get_dialog (NexusOperationsPage *self)
{
  return self->dialog;
}

GtkEditable *
_nexus_operations_page_get_webhook_url (NexusOperationsPage *self)
{
  return self->webhook_url;
}

/* The status line of @section: "backup", "restore", "retention", "cleanup"
 * or "webhooks"; NULL while it is hidden. */
const char *
_nexus_operations_page_get_status (NexusOperationsPage *self, const char *section)
{
  GtkLabel *label = NULL;

  if (g_str_equal (section, "backup"))
    label = self->backup_status;
  else if (g_str_equal (section, "restore"))
    label = self->restore_status;
  else if (g_str_equal (section, "retention"))
    label = self->retention_status;
  else if (g_str_equal (section, "cleanup"))
    label = self->cleanup_status;
  else if (g_str_equal (section, "webhooks"))
    label = self->webhooks_status;
  g_return_val_if_fail (label != NULL, NULL);

  return gtk_widget_get_visible (GTK_WIDGET (label)) ? gtk_label_get_text (label) : NULL;
}

GtkListBox *
_nexus_operations_page_get_checks (NexusOperationsPage *self)
{
  return self->checks_list;
}

GtkListBox *
_nexus_operations_page_get_webhooks (NexusOperationsPage *self)
{
  return self->webhooks_list;
}
