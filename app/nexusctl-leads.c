/* nexusctl-leads.c — nexusctl leads …
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "nexus-cli.h"
#include "nexusctl.h"

int
nexusctl_leads (NexusCtl  *ctl,
                char     **args)
{
  return nexus_cli_fail (PROGRAM, _("“leads” is not available in this version yet"));
}
