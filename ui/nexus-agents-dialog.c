/* nexus-agents-dialog.c — add, rename and deactivate agents
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A small window over the agents table: an entry to add one, and a row per
 * agent whose name can be edited in place (applied with Enter or the check
 * button) and whose switch deactivates it.  Agents are never deleted: the
 * history of their leads keeps their names.  Writes go through the engine
 * thread (nexus-lead-work.h); the list is read again after each.
 */
#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "leads/nexus-lead-work.h"
#include "nexus-agents-dialog.h"
#include "nexus-format.h"

struct _NexusAgentsDialog
{
  AdwWindow parent_instance;

  /* template children */
  AdwEntryRow *add_row;
  GtkLabel    *error_label;
  GtkListBox  *agents_list;

  NexusEngine  *engine;      /* owned */
  GCancellable *cancellable; /* reads and writes in flight */
  guint         n_agents;    /* rows shown */
  guint         busy;        /* requests in flight */
};

G_DEFINE_FINAL_TYPE (NexusAgentsDialog, nexus_agents_dialog, ADW_TYPE_WINDOW)

static void reload (NexusAgentsDialog *self);

static void
show_error (NexusAgentsDialog *self, const char *message)
{
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static gpointer
list_func (NexusStore *store, gpointer data, GError **error)
{
  return nexus_store_agents_list (store, TRUE, error);
}

static void
work_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (NexusAgentsDialog) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusLeadWorkResult) done =
      nexus_lead_work_run_finish (NEXUS_ENGINE (object), result, &error);

  self->busy--;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (done == NULL)
    /* The store checked the name: say so in place; nothing changed. */
    show_error (self, _ ("An agent’s name must have between 1 and 200 characters."));
  else
    show_error (self, NULL);
  reload (self);
}

static void
run (NexusAgentsDialog *self, NexusLeadWork *work)
{
  self->busy++;
  nexus_lead_work_run_async (self->engine, work, self->cancellable, work_cb, g_object_ref (self));
}

static void
rename_apply_cb (AdwEntryRow *row, NexusAgentsDialog *self)
{
  NexusLeadWork *work = nexus_lead_work_new (NEXUS_LEAD_WORK_AGENT_RENAME);

  work->agent_id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (row), "agent-id"));
  work->name = g_strdup (gtk_editable_get_text (GTK_EDITABLE (row)));
  run (self, work);
}

static void
active_cb (GtkSwitch *toggle, GParamSpec *pspec, NexusAgentsDialog *self)
{
  NexusLeadWork *work = nexus_lead_work_new (NEXUS_LEAD_WORK_AGENT_ACTIVE);

  work->agent_id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (toggle), "agent-id"));
  work->active = gtk_switch_get_active (toggle);
  run (self, work);
}

static void
list_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (NexusAgentsDialog) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) agents = nexus_engine_read_finish (NEXUS_ENGINE (object), result, &error);
  GtkWidget *child;

  self->busy--;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (agents == NULL)
    {
      show_error (self, error->message);
      return;
    }

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->agents_list))) != NULL)
    gtk_list_box_remove (self->agents_list, child);

  self->n_agents = agents->len;
  for (guint i = 0; i < agents->len; i++)
    {
      NexusAgent      *agent = g_ptr_array_index (agents, i);
      GtkWidget       *row = adw_entry_row_new ();
      GtkWidget       *toggle = gtk_switch_new ();
      GtkWidget       *count = gtk_label_new (NULL);
      g_autofree char *number = nexus_format_count (agent->n_leads);
      g_autofree char *isolated = nexus_isolate_ltr (number);
      g_autofree char *text = NULL;

      /* Translators: how many leads an agent has; %s is the number. */
      text = g_strdup_printf (ngettext ("%s lead", "%s leads", (unsigned long)agent->n_leads),
                              isolated);
      gtk_label_set_text (GTK_LABEL (count), text);
      gtk_widget_add_css_class (count, "dim-label");

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _ ("Name"));
      gtk_editable_set_text (GTK_EDITABLE (row), agent->name);
      adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (row), TRUE);
      g_object_set_data (G_OBJECT (row), "agent-id", GSIZE_TO_POINTER (agent->id));
      g_signal_connect (row, "apply", G_CALLBACK (rename_apply_cb), self);

      gtk_switch_set_active (GTK_SWITCH (toggle), agent->active);
      gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (toggle, _ ("Active"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (toggle), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _ ("Active"), -1);
      g_object_set_data (G_OBJECT (toggle), "agent-id", GSIZE_TO_POINTER (agent->id));
      g_signal_connect (toggle, "notify::active", G_CALLBACK (active_cb), self);

      adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), count);
      adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), toggle);
      gtk_list_box_append (self->agents_list, row);
    }
}

static void
reload (NexusAgentsDialog *self)
{
  self->busy++;
  nexus_engine_read_async (self->engine, list_func, NULL, NULL, self->cancellable, list_cb,
                           g_object_ref (self));
}

static void
add_apply_cb (NexusAgentsDialog *self)
{
  nexus_agents_dialog_add (self, gtk_editable_get_text (GTK_EDITABLE (self->add_row)));
}

static void
nexus_agents_dialog_dispose (GObject *object)
{
  NexusAgentsDialog *self = NEXUS_AGENTS_DIALOG (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->engine);

  gtk_widget_dispose_template (GTK_WIDGET (object), NEXUS_TYPE_AGENTS_DIALOG);

  G_OBJECT_CLASS (nexus_agents_dialog_parent_class)->dispose (object);
}

static void
nexus_agents_dialog_class_init (NexusAgentsDialogClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = nexus_agents_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/nexus/Nexus/ui/nexus-agents-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, NexusAgentsDialog, add_row);
  gtk_widget_class_bind_template_child (widget_class, NexusAgentsDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, NexusAgentsDialog, agents_list);
  gtk_widget_class_bind_template_callback (widget_class, add_apply_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
nexus_agents_dialog_init (NexusAgentsDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

/**
 * nexus_agents_dialog_new:
 * @parent: (nullable): the window it belongs to
 * @engine: the engine whose agents to edit
 *
 * Returns: (transfer none): the dialog, to present
 */
GtkWidget *
nexus_agents_dialog_new (GtkWindow *parent, NexusEngine *engine)
{
  NexusAgentsDialog *self;

  g_return_val_if_fail (NEXUS_IS_ENGINE (engine), NULL);

  self = g_object_new (NEXUS_TYPE_AGENTS_DIALOG, "transient-for", parent, NULL);
  self->engine = g_object_ref (engine);
  reload (self);
  return GTK_WIDGET (self);
}

guint
nexus_agents_dialog_get_n_agents (NexusAgentsDialog *self)
{
  g_return_val_if_fail (NEXUS_IS_AGENTS_DIALOG (self), 0);

  return self->n_agents;
}

gboolean
nexus_agents_dialog_get_busy (NexusAgentsDialog *self)
{
  g_return_val_if_fail (NEXUS_IS_AGENTS_DIALOG (self), FALSE);

  return self->busy > 0;
}

/**
 * nexus_agents_dialog_add:
 * @name: the new agent's name
 *
 * Adds an agent (what the entry does).  A blank name is refused in place.
 */
void
nexus_agents_dialog_add (NexusAgentsDialog *self, const char *name)
{
  g_autofree char *clean = g_strstrip (g_strdup (name != NULL ? name : ""));
  NexusLeadWork   *work;

  g_return_if_fail (NEXUS_IS_AGENTS_DIALOG (self));

  if (clean[0] == '\0')
    {
      show_error (self, _ ("Type the agent’s name first."));
      return;
    }
  work = nexus_lead_work_new (NEXUS_LEAD_WORK_AGENT_ADD);
  work->name = g_steal_pointer (&clean);
  gtk_editable_set_text (GTK_EDITABLE (self->add_row), "");
  run (self, work);
}
