/* nexus-page.h — what every page of the main window has in common
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A page shows part of one engine's vault and sits in the window's
 * leaflet.  The window gives every page its engine ("engine", also when
 * the engine is replaced after a restore) and binds "folded" to the
 * leaflet's (the page's header bar then shows a back button and the
 * window buttons).  A page that holds anything of its engine (event
 * watches, reads in flight, rows) implements engine_changed() to drop it
 * and start on the new engine.  "loading" says a read of what the page
 * shows is in flight; the page sets it.  The properties notify only on
 * change.
 */
#pragma once

#include <adwaita.h>

#include "nexus-engine.h"

G_BEGIN_DECLS

#define NEXUS_TYPE_PAGE (nexus_page_get_type ())
G_DECLARE_DERIVABLE_TYPE (NexusPage, nexus_page, NEXUS, PAGE, AdwBin)

struct _NexusPageClass
{
  AdwBinClass parent_class;

  /* Called after "engine" changed, before it is notified: nexus_page_get_engine()
   * returns the new engine (or NULL), @old_engine (or NULL) is still alive. */
  void (*engine_changed) (NexusPage *self, NexusEngine *old_engine);

  gpointer padding[8];
};

NexusEngine *nexus_page_get_engine (NexusPage *self);
void         nexus_page_set_engine (NexusPage *self, NexusEngine *engine);
gboolean     nexus_page_get_folded (NexusPage *self);
void         nexus_page_set_folded (NexusPage *self, gboolean folded);
gboolean     nexus_page_get_loading (NexusPage *self);
gboolean     nexus_page_set_loading (NexusPage *self, gboolean loading);

G_END_DECLS
