/* nexusctl-search.c — nexusctl search … and nexusctl jobs …
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "nexus-cli.h"
#include "nexusctl.h"

int
nexusctl_search (NexusCtl  *ctl,
                 char     **args)
{
  return nexus_cli_fail (PROGRAM, _("“search” is not available in this version yet"));
}

int
nexusctl_jobs (NexusCtl  *ctl,
               char     **args)
{
  return nexus_cli_fail (PROGRAM, _("“jobs” is not available in this version yet"));
}
