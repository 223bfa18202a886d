/* nexus-confirm.c — asking before a destructive action
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "nexus-confirm.h"

typedef struct
{
  NexusConfirmFunc func;
  gpointer         data;
  GDestroyNotify   data_destroy;
} Confirmation;

static void
confirmation_free (gpointer pointer)
{
  Confirmation *confirmation = pointer;

  if (confirmation->data_destroy != NULL)
    confirmation->data_destroy (confirmation->data);
  g_free (confirmation);
}

static void
response_cb (AdwMessageDialog *dialog, const char *response, Confirmation *confirmation)
{
  if (g_strcmp0 (response, "confirm") == 0)
    confirmation->func (confirmation->data);
}

/**
 * nexus_confirm:
 * @widget: a widget in the window the dialog belongs to
 * @data: (transfer full): for @func; freed with @data_destroy when the
 *   dialog goes
 *
 * Returns: (transfer none): the dialog, already shown
 */
AdwMessageDialog *
nexus_confirm (GtkWidget       *widget,
               const char      *heading,
               const char      *body,
               const char      *keep_label,
               const char      *confirm_label,
               NexusConfirmFunc func,
               gpointer         data,
               GDestroyNotify   data_destroy)
{
  GtkRoot      *root = gtk_widget_get_root (widget);
  Confirmation *confirmation = g_new0 (Confirmation, 1);
  GtkWidget    *dialog;

  confirmation->func = func;
  confirmation->data = data;
  confirmation->data_destroy = data_destroy;

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading, body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "keep", keep_label, "confirm",
                                    confirm_label, NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "confirm",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  g_object_set_data_full (G_OBJECT (dialog), "nexus-confirmation", confirmation, confirmation_free);
  g_signal_connect (dialog, "response", G_CALLBACK (response_cb), confirmation);
  gtk_window_present (GTK_WINDOW (dialog));
  return ADW_MESSAGE_DIALOG (dialog);
}
