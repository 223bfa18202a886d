/* nexusctl-webhook.c — nexusctl webhook add|list|remove|deliveries|redeliver
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The signing secret printed by add goes to standard output once; list
 * never shows it.  A running engine sees changes within
 * NEXUS_WEBHOOKS_POLL_S.
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "nexus-cli.h"
#include "nexusctl.h"
#include "ops/nexus-webhooks.h"
#include "store/nexus-store-webhooks.h"

/* Deliveries listed at most, newest first. */
#define DELIVERIES_SHOWN 50

typedef struct
{
  NexusCtl *ctl;
  gboolean  as_json;
  char     *events;        /* --events */
  gboolean  allow_private; /* --allow-private */
} WebhookOptions;

static void
webhook_options_clear (WebhookOptions *options)
{
  g_free (options->events);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (WebhookOptions, webhook_options_clear)

static int
parse_options (WebhookOptions *options,
               const char     *command,
               const char     *parameter,
               const char     *summary,
               gboolean        with_add,
               char         ***args)
{
  g_autoptr (GOptionContext) context = g_option_context_new (parameter);
  g_autofree char   *program = g_strdup_printf ("webhook %s", command);
  const GOptionEntry common[] = { { "json", 0, 0, G_OPTION_ARG_NONE, &options->as_json,
                                    N_ ("Print JSON"), NULL },
                                  { "db", 0, 0, G_OPTION_ARG_FILENAME, &options->ctl->db_path,
                                    N_ ("Database file"), N_ ("PATH") },
                                  { NULL } };
  const GOptionEntry add[] = {
    { "events", 0, 0, G_OPTION_ARG_STRING, &options->events,
      N_ ("Event kinds to send, separated by commas (default: the alerts)"), N_ ("KINDS") },
    { "allow-private", 0, 0, G_OPTION_ARG_NONE, &options->allow_private,
      N_ ("Allow a loopback or private address"), NULL },
    { NULL }
  };

  g_option_context_add_main_entries (context, common, GETTEXT_PACKAGE);
  return nexusctl_parse (context, program, summary, with_add ? add : NULL, args);
}

static int
webhook_add (NexusCtl *ctl, char **args)
{
  g_auto (WebhookOptions) options = { ctl };
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *events = NULL;
  g_autofree char *secret = NULL;
  gint64           id;
  int              status;

  if ((status = parse_options (&options, "add", _ ("URL"),
                               _ ("Adds a webhook and prints its signing secret."), TRUE, &args)) >=
      0)
    return status;
  if (g_strv_length (args) != 2)
    return nexus_cli_usage_error (PROGRAM, _ ("webhook add needs exactly one URL"));
  if (!nexus_webhooks_check_url (args[1], &error) ||
      !(events = nexus_webhooks_parse_events (options.events, &error)))
    return nexus_cli_usage_error (PROGRAM, "%s", error->message);

  if (!(store = nexusctl_open_store_or_fail (ctl, &status)))
    return status;
  id = nexus_webhooks_add_endpoint (store, args[1], events, options.allow_private,
                                    g_get_real_time () / G_USEC_PER_SEC, &secret, &error);
  if (id == 0)
    return nexusctl_fail (error);

  if (options.as_json)
    {
      g_autoptr (JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      nexusctl_json_int (builder, "id", id);
      nexusctl_json_string (builder, "secret", secret);
      json_builder_end_object (builder);
      nexusctl_print_builder (builder);
      return NEXUS_EXIT_OK;
    }
  g_print (_ ("Webhook %" PRId64 " added for %s\n"), id, events);
  g_print (_ ("Signing secret — shown only now; give it to the receiver:\n"));
  g_print ("%s\n", secret);
  return NEXUS_EXIT_OK;
}

/* Parses the options of a sub-command that takes no argument and opens the
 * store; NULL after reporting what went wrong in @out_status. */
static NexusStore *
open_for_listing (WebhookOptions *options,
                  const char     *command,
                  const char     *summary,
                  char          **args,
                  int            *out_status)
{
  if ((*out_status = parse_options (options, command, NULL, summary, FALSE, &args)) >= 0)
    return NULL;
  if (g_strv_length (args) != 1)
    {
      *out_status = nexus_cli_usage_error (PROGRAM, _ ("Unexpected argument “%s”"), args[1]);
      return NULL;
    }
  return nexusctl_open_store_or_fail (options->ctl, out_status);
}

/* Parses the options of a sub-command that takes one ID and opens the
 * store; NULL after reporting what went wrong in @out_status. */
static NexusStore *
open_for_id (WebhookOptions *options,
             const char     *command,
             const char     *parameter,
             const char     *summary,
             const char     *usage_error,
             char          **args,
             gint64         *out_id,
             int            *out_status)
{
  if ((*out_status = parse_options (options, command, parameter, summary, FALSE, &args)) >= 0)
    return NULL;
  if (g_strv_length (args) != 2 || (*out_id = nexusctl_parse_id (args[1])) == 0)
    {
      *out_status = nexus_cli_usage_error (PROGRAM, "%s", usage_error);
      return NULL;
    }
  return nexusctl_open_store_or_fail (options->ctl, out_status);
}

static void
add_endpoint_json (JsonBuilder *builder, gconstpointer item)
{
  const NexusWebhookEndpoint *endpoint = item;
  g_autoptr (JsonNode) events = json_from_string (endpoint->events, NULL);

  json_builder_begin_object (builder);
  nexusctl_json_int (builder, "id", endpoint->id);
  nexusctl_json_string (builder, "url", endpoint->url);
  json_builder_set_member_name (builder, "events");
  if (events != NULL)
    json_builder_add_value (builder, g_steal_pointer (&events));
  else
    json_builder_add_null_value (builder);
  nexusctl_json_boolean (builder, "enabled", endpoint->enabled);
  nexusctl_json_boolean (builder, "allow_private", endpoint->allow_private);
  nexusctl_json_int (builder, "created_at", endpoint->created_at);
  nexusctl_json_string (builder, "disabled_reason", endpoint->disabled_reason);
  json_builder_end_object (builder);
}

static int
webhook_list (NexusCtl *ctl, char **args)
{
  g_auto (WebhookOptions) options = { ctl };
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) endpoints = NULL;
  int status;

  if (!(store = open_for_listing (&options, "list", _ ("Lists the webhooks."), args, &status)))
    return status;
  endpoints = nexus_store_webhook_list (store, FALSE, &error);
  if (endpoints == NULL)
    return nexusctl_fail (error);

  if (options.as_json)
    {
      nexusctl_print_json_array (endpoints, add_endpoint_json);
      return NEXUS_EXIT_OK;
    }

  g_print ("%-5s %-9s %-40s %s\n", _ ("ID"), _ ("STATE"), _ ("URL"), _ ("EVENTS"));
  for (guint i = 0; i < endpoints->len; i++)
    {
      NexusWebhookEndpoint *endpoint = g_ptr_array_index (endpoints, i);

      g_print ("%-5" PRId64 " %-9s %-40s %s\n", endpoint->id,
               endpoint->enabled ? _ ("enabled") : _ ("disabled"), endpoint->url, endpoint->events);
      if (endpoint->disabled_reason != NULL)
        g_print ("      %s\n", endpoint->disabled_reason);
    }
  if (endpoints->len == 0)
    g_print (_ ("No webhooks yet. Add one with “nexusctl webhook add URL”.\n"));
  return NEXUS_EXIT_OK;
}

static int
webhook_remove (NexusCtl *ctl, char **args)
{
  g_auto (WebhookOptions) options = { ctl };
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (GError) error = NULL;
  gint64 id = 0;
  int    status;

  if (!(store =
            open_for_id (&options, "remove", _ ("ID"), _ ("Removes a webhook and its deliveries."),
                         _ ("webhook remove needs exactly one webhook ID"), args, &id, &status)))
    return status;
  if (!nexus_store_webhook_remove (store, id, &error))
    return nexusctl_fail (error);
  g_print (_ ("Webhook %" PRId64 " removed\n"), id);
  return NEXUS_EXIT_OK;
}

static void
add_delivery_json (JsonBuilder *builder, gconstpointer item)
{
  const NexusWebhookDelivery *delivery = item;

  json_builder_begin_object (builder);
  nexusctl_json_int (builder, "id", delivery->id);
  nexusctl_json_int (builder, "endpoint_id", delivery->endpoint_id);
  nexusctl_json_int (builder, "event_id", delivery->event_id);
  nexusctl_json_string (builder, "message_id", delivery->message_id);
  nexusctl_json_string (builder, "kind", delivery->kind);
  nexusctl_json_string (builder, "status", delivery->status);
  nexusctl_json_int (builder, "attempt", delivery->attempt);
  nexusctl_json_int (builder, "next_at_ms", delivery->next_at);
  nexusctl_json_positive_or_null (builder, "last_status", delivery->last_status);
  nexusctl_json_string (builder, "last_error", delivery->last_error);
  nexusctl_json_int (builder, "created_at", delivery->created_at);
  nexusctl_json_int (builder, "updated_at", delivery->updated_at);
  json_builder_end_object (builder);
}

static int
webhook_deliveries (NexusCtl *ctl, char **args)
{
  g_auto (WebhookOptions) options = { ctl };
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) deliveries = NULL;
  int status;

  if (!(store = open_for_listing (&options, "deliveries",
                                  _ ("Lists the newest webhook deliveries."), args, &status)))
    return status;
  deliveries = nexus_store_webhook_deliveries (store, DELIVERIES_SHOWN, &error);
  if (deliveries == NULL)
    return nexusctl_fail (error);

  if (options.as_json)
    {
      nexusctl_print_json_array (deliveries, add_delivery_json);
      return NEXUS_EXIT_OK;
    }

  g_print ("%-6s %-7s %-18s %-9s %7s %6s  %s\n", _ ("ID"), _ ("WEBHOOK"), _ ("KIND"), _ ("STATUS"),
           _ ("ATTEMPT"), _ ("HTTP"), _ ("ERROR"));
  for (guint i = 0; i < deliveries->len; i++)
    {
      NexusWebhookDelivery *delivery = g_ptr_array_index (deliveries, i);
      g_autofree char      *http = delivery->last_status > 0
                                       ? g_strdup_printf ("%" PRId64, delivery->last_status)
                                       : g_strdup ("-");

      g_print ("%-6" PRId64 " %-7" PRId64 " %-18s %-9s %7" PRId64 " %6s  %s\n", delivery->id,
               delivery->endpoint_id, delivery->kind, delivery->status, delivery->attempt, http,
               delivery->last_error != NULL ? delivery->last_error : "");
    }
  if (deliveries->len == 0)
    g_print (_ ("No webhook deliveries yet.\n"));
  return NEXUS_EXIT_OK;
}

static int
webhook_redeliver (NexusCtl *ctl, char **args)
{
  g_auto (WebhookOptions) options = { ctl };
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (GError) error = NULL;
  gint64 id = 0;
  int    status;

  if (!(store = open_for_id (&options, "redeliver", _ ("DELIVERY_ID"),
                             _ ("Sends a delivery again, with the same webhook-id."),
                             _ ("webhook redeliver needs exactly one delivery ID"), args, &id,
                             &status)))
    return status;
  if (!nexus_store_webhook_redeliver (store, id, g_get_real_time () / 1000, &error))
    return nexusctl_fail (error);
  g_print (_ ("Delivery %" PRId64 " will be sent again by the running engine\n"), id);
  return NEXUS_EXIT_OK;
}

static void
print_help (const NexusCtlGroup *group)
{
  g_print (_ ("Usage: nexusctl webhook add URL [--events KIND,…] [--allow-private] [--json]\n"
              "       nexusctl webhook list [--json]\n"
              "       nexusctl webhook remove ID\n"
              "       nexusctl webhook deliveries [--json]\n"
              "       nexusctl webhook redeliver DELIVERY_ID\n"));
}

static int
unknown_command (const NexusCtlGroup *group, const char *name)
{
  return nexus_cli_usage_error (PROGRAM, _ ("Unknown webhook command “%s”"), name);
}

static const NexusCtlSubcommand commands[] = {
  { "add", NULL, webhook_add },
  { "list", NULL, webhook_list },
  { "remove", NULL, webhook_remove },
  { "deliveries", NULL, webhook_deliveries },
  { "redeliver", NULL, webhook_redeliver },
};

static const NexusCtlGroup group = {
  "webhook", commands, G_N_ELEMENTS (commands), print_help, NULL, unknown_command,
};

int
nexusctl_webhook (NexusCtl *ctl, char **args)
{
  return nexusctl_dispatch (&group, ctl, args);
}
