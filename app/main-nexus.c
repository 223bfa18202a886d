/* main-nexus.c — nexus: the desktop console
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <locale.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "nexus-application.h"
#include "nexus-settings-page.h"

/* The interface language chosen in Nexus wins over the session's.  It must
 * be set before GTK starts: GTK picks the text direction from it. */
static void
apply_language_setting (void)
{
  g_autoptr (GSettings) settings = nexus_settings_try_new (NULL);
  g_autofree char *language = NULL;

  if (settings == NULL)
    return;

  language = g_settings_get_string (settings, "language");
  if (language[0] != '\0')
    g_setenv ("LANGUAGE", language, TRUE);
}

/* NEXUS_LOCALEDIR points an uninstalled build at the catalogs it built
 * (<builddir>/po). */
static void
init_gettext (void)
{
  const char *localedir = g_getenv ("NEXUS_LOCALEDIR");

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE,
                  localedir != NULL && localedir[0] != '\0' ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}

int
main (int argc, char *argv[])
{
  g_autoptr (NexusApplication) app = NULL;
  int status;

  apply_language_setting ();
  init_gettext ();

  app = nexus_application_new ();
  status = g_application_run (G_APPLICATION (app), argc, argv);

  /* app.restart: the same program with the same arguments, once the
   * vault is closed and the application name released. */
  if (nexus_application_get_restart_requested (app))
    {
      g_clear_object (&app);
      execv ("/proc/self/exe", argv);
      g_printerr ("%s: %s\n", PACKAGE_NAME, g_strerror (errno));
      return EXIT_FAILURE;
    }

  return status;
}
