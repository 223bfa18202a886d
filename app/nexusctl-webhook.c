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

static int
parse_options (WebhookOptions *options,
               const char     *command,
               const char     *parameter,
               const char     *summary,
               gboolean        with_add,
               char         ***args)
{
  g_autoptr (GOptionContext) context = g_option_context_new (parameter);
  g_autofree char   *program = g_strdup_printf ("%s webhook %s", PROGRAM, command);
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

  g_option_context_set_summary (context, summary);
  g_option_context_add_main_entries (context, common, GETTEXT_PACKAGE);
  if (with_add)
    g_option_context_add_main_entries (context, add, GETTEXT_PACKAGE);
  return nexus_cli_parse (context, program, args);
}

static gboolean
parse_id (const char *text, gint64 *out_id)
{
  guint64 id;

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, &id, NULL))
    return FALSE;
  *out_id = (gint64)id;
  return TRUE;
}

static int
webhook_add (WebhookOptions *options, char **args)
{
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *events = NULL;
  g_autofree char *secret = NULL;
  gint64           id;
  int              status;

  if ((status = parse_options (options, "add", _ ("URL"),
                               _ ("Adds a webhook and prints its signing secret."), TRUE, &args)) >=
      0)
    return status;
  if (g_strv_length (args) != 2)
    return nexus_cli_usage_error (PROGRAM, _ ("webhook add needs exactly one URL"));
  if (!nexus_webhooks_check_url (args[1], &error) ||
      !(events = nexus_webhooks_parse_events (options->events, &error)))
    return nexus_cli_usage_error (PROGRAM, "%s", error->message);

  store = nexusctl_open_store (options->ctl, &error);
  if (store == NULL)
    return nexus_cli_fail (PROGRAM, "%s", error->message);
  id = nexus_webhooks_add_endpoint (store, args[1], events, options->allow_private,
                                    g_get_real_time () / G_USEC_PER_SEC, &secret, &error);
  if (id == 0)
    return nexus_cli_fail (PROGRAM, "%s", error->message);

  if (options->as_json)
    {
      g_autoptr (JsonBuilder) builder = json_builder_new ();
      g_autoptr (JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, id);
      json_builder_set_member_name (builder, "secret");
      json_builder_add_string_value (builder, secret);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      nexusctl_print_json (root);
      return NEXUS_EXIT_OK;
    }
  g_print (_ ("Webhook %" PRId64 " added for %s\n"), id, events);
  g_print (_ ("Signing secret — shown only now; give it to the receiver:\n"));
  g_print ("%s\n", secret);
  return NEXUS_EXIT_OK;
}

static int
webhook_list (WebhookOptions *options, char **args)
{
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) endpoints = NULL;
  int status;

  if ((status = parse_options (options, "list", NULL, _ ("Lists the webhooks."), FALSE, &args)) >=
      0)
    return status;
  if (g_strv_length (args) != 1)
    return nexus_cli_usage_error (PROGRAM, _ ("Unexpected argument “%s”"), args[1]);

  store = nexusctl_open_store (options->ctl, &error);
  if (store == NULL)
    return nexus_cli_fail (PROGRAM, "%s", error->message);
  endpoints = nexus_store_webhook_list (store, FALSE, &error);
  if (endpoints == NULL)
    return nexus_cli_fail (PROGRAM, "%s", error->message);

  if (options->as_json)
    {
      g_autoptr (JsonBuilder) builder = json_builder_new ();
      g_autoptr (JsonNode) root = NULL;

      json_builder_begin_array (builder);
      for (guint i = 0; i < endpoints->len; i++)
        {
          NexusWebhookEndpoint *endpoint = g_ptr_array_index (endpoints, i);
          g_autoptr (JsonNode) events = json_from_string (endpoint->events, NULL);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "id");
          json_builder_add_int_value (builder, endpoint->id);
          json_builder_set_member_name (builder, "url");
          json_builder_add_string_value (builder, endpoint->url);
          json_builder_set_member_name (builder, "events");
          if (events != NULL)
            json_builder_add_value (builder, g_steal_pointer (&events));
          else
            json_builder_add_null_value (builder);
          json_builder_set_member_name (builder, "enabled");
          json_builder_add_boolean_value (builder, endpoint->enabled);
          json_builder_set_member_name (builder, "allow_private");
          json_builder_add_boolean_value (builder, endpoint->allow_private);
          json_builder_set_member_name (builder, "created_at");
          json_builder_add_int_value (builder, endpoint->created_at);
          json_builder_set_member_name (builder, "disabled_reason");
          json_builder_add_string_value (builder, endpoint->disabled_reason);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      root = json_builder_get_root (builder);
      nexusctl_print_json (root);
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
webhook_remove (WebhookOptions *options, char **args)
{
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (GError) error = NULL;
  gint64 id;
  int    status;

  if ((status = parse_options (options, "remove", _ ("ID"),
                               _ ("Removes a webhook and its deliveries."), FALSE, &args)) >= 0)
    return status;
  if (g_strv_length (args) != 2 || !parse_id (args[1], &id))
    return nexus_cli_usage_error (PROGRAM, _ ("webhook remove needs exactly one webhook ID"));

  store = nexusctl_open_store (options->ctl, &error);
  if (store == NULL)
    return nexus_cli_fail (PROGRAM, "%s", error->message);
  if (!nexus_store_webhook_remove (store, id, &error))
    return nexus_cli_fail (PROGRAM, "%s", error->message);
  g_print (_ ("Webhook %" PRId64 " removed\n"), id);
  return NEXUS_EXIT_OK;
}

static int
webhook_deliveries (WebhookOptions *options, char **args)
{
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) deliveries = NULL;
  int status;

  if ((status = parse_options (options, "deliveries", NULL,
                               _ ("Lists the newest webhook deliveries."), FALSE, &args)) >= 0)
    return status;
  if (g_strv_length (args) != 1)
    return nexus_cli_usage_error (PROGRAM, _ ("Unexpected argument “%s”"), args[1]);

  store = nexusctl_open_store (options->ctl, &error);
  if (store == NULL)
    return nexus_cli_fail (PROGRAM, "%s", error->message);
  deliveries = nexus_store_webhook_deliveries (store, DELIVERIES_SHOWN, &error);
  if (deliveries == NULL)
    return nexus_cli_fail (PROGRAM, "%s", error->message);

  if (options->as_json)
    {
      g_autoptr (JsonBuilder) builder = json_builder_new ();
      g_autoptr (JsonNode) root = NULL;

      json_builder_begin_array (builder);
      for (guint i = 0; i < deliveries->len; i++)
        {
          NexusWebhookDelivery *delivery = g_ptr_array_index (deliveries, i);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "id");
          json_builder_add_int_value (builder, delivery->id);
          json_builder_set_member_name (builder, "endpoint_id");
          json_builder_add_int_value (builder, delivery->endpoint_id);
          json_builder_set_member_name (builder, "event_id");
          json_builder_add_int_value (builder, delivery->event_id);
          json_builder_set_member_name (builder, "message_id");
          json_builder_add_string_value (builder, delivery->message_id);
          json_builder_set_member_name (builder, "kind");
          json_builder_add_string_value (builder, delivery->kind);
          json_builder_set_member_name (builder, "status");
          json_builder_add_string_value (builder, delivery->status);
          json_builder_set_member_name (builder, "attempt");
          json_builder_add_int_value (builder, delivery->attempt);
          json_builder_set_member_name (builder, "next_at_ms");
          json_builder_add_int_value (builder, delivery->next_at);
          json_builder_set_member_name (builder, "last_status");
          if (delivery->last_status > 0)
            json_builder_add_int_value (builder, delivery->last_status);
          else
            json_builder_add_null_value (builder);
          json_builder_set_member_name (builder, "last_error");
          json_builder_add_string_value (builder, delivery->last_error);
          json_builder_set_member_name (builder, "created_at");
          json_builder_add_int_value (builder, delivery->created_at);
          json_builder_set_member_name (builder, "updated_at");
          json_builder_add_int_value (builder, delivery->updated_at);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      root = json_builder_get_root (builder);
      nexusctl_print_json (root);
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
webhook_redeliver (WebhookOptions *options, char **args)
{
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (GError) error = NULL;
  gint64 id;
  int    status;

  if ((status = parse_options (options, "redeliver", _ ("DELIVERY_ID"),
                               _ ("Sends a delivery again, with the same webhook-id."), FALSE,
                               &args)) >= 0)
    return status;
  if (g_strv_length (args) != 2 || !parse_id (args[1], &id))
    return nexus_cli_usage_error (PROGRAM, _ ("webhook redeliver needs exactly one delivery ID"));

  store = nexusctl_open_store (options->ctl, &error);
  if (store == NULL)
    return nexus_cli_fail (PROGRAM, "%s", error->message);
  if (!nexus_store_webhook_redeliver (store, id, g_get_real_time () / 1000, &error))
    return nexus_cli_fail (PROGRAM, "%s", error->message);
  g_print (_ ("Delivery %" PRId64 " will be sent again by the running engine\n"), id);
  return NEXUS_EXIT_OK;
}

int
nexusctl_webhook (NexusCtl *ctl, char **args)
{
  WebhookOptions options = { ctl };
  const char    *sub = args[1];
  int            status;

  if (sub == NULL || g_str_equal (sub, "--help") || g_str_equal (sub, "-h"))
    {
      g_print (_ ("Usage: nexusctl webhook add URL [--events KIND,…] [--allow-private] [--json]\n"
                  "       nexusctl webhook list [--json]\n"
                  "       nexusctl webhook remove ID\n"
                  "       nexusctl webhook deliveries [--json]\n"
                  "       nexusctl webhook redeliver DELIVERY_ID\n"));
      return sub == NULL ? NEXUS_EXIT_USAGE : NEXUS_EXIT_OK;
    }

  if (g_str_equal (sub, "add"))
    status = webhook_add (&options, args + 1);
  else if (g_str_equal (sub, "list"))
    status = webhook_list (&options, args + 1);
  else if (g_str_equal (sub, "remove"))
    status = webhook_remove (&options, args + 1);
  else if (g_str_equal (sub, "deliveries"))
    status = webhook_deliveries (&options, args + 1);
  else if (g_str_equal (sub, "redeliver"))
    status = webhook_redeliver (&options, args + 1);
  else
    status = nexus_cli_usage_error (PROGRAM, _ ("Unknown webhook command “%s”"), sub);

  g_free (options.events);
  return status;
}
