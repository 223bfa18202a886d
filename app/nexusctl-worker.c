/* nexusctl-worker.c — nexusctl worker …
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "nexus-cli.h"
#include "nexusctl.h"

int
nexusctl_worker (NexusCtl  *ctl,
                 char     **args)
{
  return nexus_cli_fail (PROGRAM, _("“worker” is not available in this version yet"));
}
