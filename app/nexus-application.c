/* nexus-application.c — the console's GApplication
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One console per session: a second `nexus` hands its command line to the
 * running one, which presents its window (on --page, if given) and answers
 * with an exit status.  The first command line the primary instance handles
 * opens the vault, starts the worker API and opens the window.
 *
 * Exit status: 0 success, 1 failure (the vault cannot be opened, another
 * vault is already open), 2 usage error.  GApplication itself answers 1 to
 * options it cannot parse, so the command line is checked here first.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "nexus-application.h"
#include "nexus-console-restore.h"
#include "nexus-settings-page.h"
#include "nexus-notifier.h"
#include "nexus-window.h"

#define EXIT_USAGE 2

#define DEFAULT_LISTEN_ADDRESS "127.0.0.1:8787"

struct _NexusApplication
{
  AdwApplication parent_instance;

  NexusEngine   *engine;   /* opened by the first command line; NULL before */
  NexusNotifier *notifier; /* desktop notifications from the engine's events */
  char          *listen;   /* the worker API's ADDR:PORT, also after a restore */
  gboolean       tls;      /* whether it serves HTTPS */
  gboolean       restart_requested;
};

G_DEFINE_FINAL_TYPE (NexusApplication, nexus_application, ADW_TYPE_APPLICATION)

/* GApplication parses these in the invoking process and hands them to the
 * primary instance as a dictionary. */
static const GOptionEntry option_entries[] = {
  { "db", 0, 0, G_OPTION_ARG_FILENAME, NULL, N_ ("Open the lead vault in the database file PATH"),
    N_ ("PATH") },
  { "demo", 0, 0, G_OPTION_ARG_NONE, NULL, N_ ("Add demo leads when --db creates the file"), NULL },
  { "page", 0, 0, G_OPTION_ARG_STRING, NULL, N_ ("Open the window on the page NAME"), N_ ("NAME") },
  { "listen", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_ ("Serve the worker API on ADDR:PORT (default: 127.0.0.1:8787)"), N_ ("ADDR:PORT") },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_ ("Print the version and exit"), NULL },
  G_OPTION_ENTRY_NULL
};

static gboolean
asks_for_help (char **arguments)
{
  for (guint i = 1; arguments[i] != NULL; i++)
    {
      if (g_str_equal (arguments[i], "--"))
        break;
      if (g_str_equal (arguments[i], "-h") || g_str_equal (arguments[i], "-?") ||
          g_str_has_prefix (arguments[i], "--help"))
        return TRUE;
    }

  return FALSE;
}

/* Parses a copy of @arguments with the same options as GApplication will,
 * only to tell a usage error from a good command line. */
static gboolean
check_usage (char **arguments, GError **error)
{
  const gsize n_entries = G_N_ELEMENTS (option_entries) - 1;
  g_autoptr (GOptionContext) context = NULL;
  g_autofree GOptionEntry *entries = NULL;
  g_autofree gpointer     *values = NULL;
  g_auto (GStrv) args = g_strdupv (arguments);
  gboolean ok;

  values = g_new0 (gpointer, n_entries + 1);
  entries = g_new0 (GOptionEntry, n_entries + 2);
  for (gsize i = 0; i < n_entries; i++)
    {
      entries[i] = option_entries[i];
      entries[i].arg_data = &values[i];
    }

  /* Added by GApplication for D-Bus activation. */
  entries[n_entries] = (GOptionEntry){ "gapplication-service",
                                       0,
                                       G_OPTION_FLAG_HIDDEN,
                                       G_OPTION_ARG_NONE,
                                       &values[n_entries],
                                       NULL,
                                       NULL };

  context = g_option_context_new (NULL);
  g_option_context_set_help_enabled (context, FALSE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  ok = g_option_context_parse_strv (context, &args, error);

  /* The console takes no file or other argument besides its options. */
  if (ok && args[0] != NULL && args[1] != NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _ ("Unexpected argument “%s”"),
                   args[1]);
      ok = FALSE;
    }

  for (gsize i = 0; i < n_entries; i++)
    {
      if (entries[i].arg == G_OPTION_ARG_STRING || entries[i].arg == G_OPTION_ARG_FILENAME)
        g_free (values[i]);
    }

  return ok;
}

static char *
describe_pages (void)
{
  g_autofree char *names = g_strjoinv (", ", (char **)nexus_window_get_page_names ());

  /* Translators: %s is the list of page names, which stay in English. */
  return g_strdup_printf (_ ("Pages: %s"), names);
}

static gboolean
is_same_file (const char *path_a, const char *path_b)
{
  g_autoptr (GFile) file_a = g_file_new_for_path (path_a);
  g_autoptr (GFile) file_b = g_file_new_for_path (path_b);
  g_autoptr (GFileInfo) info_a = NULL;
  g_autoptr (GFileInfo) info_b = NULL;

  if (g_file_equal (file_a, file_b))
    return TRUE;

  /* Different names may still be one file (links, bind mounts). */
  info_a = g_file_query_info (file_a, G_FILE_ATTRIBUTE_ID_FILE, G_FILE_QUERY_INFO_NONE, NULL, NULL);
  info_b = g_file_query_info (file_b, G_FILE_ATTRIBUTE_ID_FILE, G_FILE_QUERY_INFO_NONE, NULL, NULL);
  if (info_a == NULL || info_b == NULL)
    return FALSE;

  return g_strcmp0 (g_file_info_get_attribute_string (info_a, G_FILE_ATTRIBUTE_ID_FILE),
                    g_file_info_get_attribute_string (info_b, G_FILE_ATTRIBUTE_ID_FILE)) == 0;
}

/* Opens the vault.  The default one gets demo leads when it is created, so
 * that a first start shows something; a file named with --db stays empty
 * unless --demo asks for them. */
static gboolean
open_engine (NexusApplication *self, const char *db_path, gboolean demo, GError **error)
{
  g_autofree char *default_path = NULL;
  NexusEngineFlags flags = NEXUS_ENGINE_DEFAULT;

  if (db_path == NULL)
    {
      default_path = nexus_engine_default_db_path ();
      db_path = default_path;
      flags |= NEXUS_ENGINE_SEED_DEMO;
    }
  else if (demo)
    {
      flags |= NEXUS_ENGINE_SEED_DEMO;
    }

  self->engine = nexus_engine_new (db_path, flags, error);
  if (self->engine != NULL)
    nexus_notifier_set_engine (self->notifier, self->engine);

  return self->engine != NULL;
}

/* The worker API's address: --listen when given, else the Settings page's
 * (when it is a valid one), else the loopback default. */
static const char *
choose_listen_address (GVariantDict *options, GSettings *settings, char **out_setting)
{
  const char *listen = NULL;

  if (options != NULL && g_variant_dict_lookup (options, "listen", "&s", &listen))
    return listen;

  if (settings != NULL)
    {
      g_autoptr (GSocketAddress) parsed = NULL;

      *out_setting = g_settings_get_string (settings, "api-listen");
      parsed = nexus_api_parse_address (*out_setting, NULL);
      if (parsed != NULL)
        return *out_setting;
    }
  return DEFAULT_LISTEN_ADDRESS;
}

/* Starts the worker API on @listen, over TLS when the Settings page asks
 * for it.  Without it the console still shows the vault. */
static void
start_api (NexusApplication *self, GSettings *settings, const char *listen, GError **error)
{
  g_free (self->listen);
  self->listen = g_strdup (listen);
  self->tls = settings != NULL && g_settings_get_boolean (settings, "api-tls");
  nexus_console_start_api (self->engine, self->listen, self->tls, error);
}

static NexusWindow *
find_window (NexusApplication *self)
{
  GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (NEXUS_IS_WINDOW (active))
    return NEXUS_WINDOW (active);

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    {
      if (NEXUS_IS_WINDOW (l->data))
        return NEXUS_WINDOW (l->data);
    }

  return NULL;
}

/* Presents the window, creating it if needed; @listen_error is the reason
 * the worker API did not start, shown over the window. */
static void
present_window (NexusApplication *self, const char *page, const GError *listen_error)
{
  NexusWindow *window = find_window (self);

  if (window == NULL)
    window = nexus_window_new (GTK_APPLICATION (self), self->engine);

  nexus_console_show_listen_error (window, listen_error);

  if (page != NULL)
    nexus_window_set_page (window, page);

  gtk_window_present (GTK_WINDOW (window));
}

static void
about_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);

  adw_show_about_window (
      gtk_application_get_active_window (app), "application-name", C_ ("application name", "Nexus"),
      "application-icon", APP_ID, "version", PACKAGE_VERSION, "comments",
      _ ("Find local businesses, work the leads and watch your "
         "workers."),
      "developer-name", _ ("The Nexus authors"), "copyright", _ ("© 2026 The Nexus authors"),
      "license-type", GTK_LICENSE_GPL_3_0, "website", "https://github.com/nexus-leads/nexus",
      "issue-url", "https://github.com/nexus-leads/nexus/issues",
      /* Translators: your names, one per line, credited in
                          * the About window. */
      "translator-credits", _ ("translator-credits"), NULL);
}

static gpointer
ref_window (gconstpointer window, gpointer user_data)
{
  return g_object_ref ((gpointer)window);
}

/* Closes rather than destroys the windows: each keeps its size and page
 * when it is closed. */
static void
quit_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  g_autolist (GtkWindow) windows = NULL;

  windows = g_list_copy_deep (gtk_application_get_windows (app), ref_window, NULL);
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (l->data);
}

static void
restore_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  NexusApplication *self = user_data;
  NexusWindow      *window = NEXUS_WINDOW (object);
  g_autoptr (NexusEngine) engine = NULL;
  g_autoptr (GError) error = NULL;

  /* The outcome is shown over the window; whatever it was, the console's
   * engine is the one the window has now. */
  engine = nexus_console_restore_finish (window, result, &error);
  if (error != NULL)
    g_message ("Restore failed: %s", error->message);
  g_set_object (&self->engine, nexus_window_get_engine (window));
  nexus_notifier_set_engine (self->notifier, self->engine);

  g_application_release (G_APPLICATION (self));
}

/* app.restore (s: the path of a backup archive, verified and confirmed by
 * the Operations page): restarts the engine on the restored vault. */
static void
restore_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  NexusApplication *self = NEXUS_APPLICATION (user_data);
  NexusWindow      *window = find_window (self);

  if (window == NULL || nexus_window_get_engine (window) == NULL)
    return;

  g_application_hold (G_APPLICATION (self));
  nexus_console_restore_async (window, g_variant_get_string (parameter, NULL),
                               self->listen != NULL ? self->listen : DEFAULT_LISTEN_ADDRESS,
                               self->tls, restore_done_cb, self);
}

/* app.restart: quits, and main() starts Nexus again (for the settings
 * read at start: the language, the worker API). */
static void
restart_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  NexusApplication *self = NEXUS_APPLICATION (user_data);

  self->restart_requested = TRUE;
  quit_activated (action, parameter, user_data);
}

/* A notification's default action: the window, on the page it is about. */
static void
show_page_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  NexusApplication *self = NEXUS_APPLICATION (user_data);
  const char       *page = g_variant_get_string (parameter, NULL);

  if (self->engine == NULL || !nexus_window_is_page_name (page))
    return;
  present_window (self, page, NULL);
}

/* A worker the operator stopped (the Workers page's local worker): its
 * going offline is no news. */
static void
expect_offline_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  NexusApplication *self = NEXUS_APPLICATION (user_data);

  nexus_notifier_expect_offline (self->notifier, g_variant_get_string (parameter, NULL));
}

static const GActionEntry app_entries[] = {
  { .name = "about", .activate = about_activated },
  { .name = "show-page", .activate = show_page_activated, .parameter_type = "s" },
  { .name = "expect-offline", .activate = expect_offline_activated, .parameter_type = "s" },
  { .name = "quit", .activate = quit_activated },
  { .name = "restart", .activate = restart_activated },
  { .name = "restore", .activate = restore_activated, .parameter_type = "s" },
};

static gboolean
nexus_application_local_command_line (GApplication *app, char ***arguments, int *exit_status)
{
  g_autoptr (GError) error = NULL;

  if (!asks_for_help (*arguments) && !check_usage (*arguments, &error))
    {
      g_printerr ("%s: %s\n", PACKAGE_NAME, error->message);
      g_printerr (_ ("Run “%s --help” to see the options.\n"), PACKAGE_NAME);
      *exit_status = EXIT_USAGE;
      return TRUE;
    }

  return G_APPLICATION_CLASS (nexus_application_parent_class)
      ->local_command_line (app, arguments, exit_status);
}

static int
nexus_application_handle_local_options (GApplication *app, GVariantDict *options)
{
  const char *page = NULL;
  const char *db = NULL;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
      return EXIT_SUCCESS;
    }

  if (g_variant_dict_lookup (options, "db", "^&ay", &db) && db[0] == '\0')
    {
      g_printerr (_ ("%s: --db needs the path of a database file.\n"), PACKAGE_NAME);
      return EXIT_USAGE;
    }

  if (g_variant_dict_lookup (options, "page", "&s", &page) && !nexus_window_is_page_name (page))
    {
      g_autofree char *pages = describe_pages ();

      g_printerr (_ ("%s: there is no page “%s”.\n"), PACKAGE_NAME, page);
      g_printerr ("%s\n", pages);
      return EXIT_USAGE;
    }

  return -1;
}

static int
nexus_application_command_line (GApplication *app, GApplicationCommandLine *cmdline)
{
  NexusApplication *self = NEXUS_APPLICATION (app);
  GVariantDict     *options = g_application_command_line_get_options_dict (cmdline);
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) listen_error = NULL;
  g_autofree char *db_path = NULL;
  const char      *db_arg = NULL;
  const char      *page = NULL;
  g_autoptr (GSettings) settings = nexus_settings_try_new (NULL);
  g_autofree char *listen_setting = NULL;
  const char      *listen = choose_listen_address (options, settings, &listen_setting);
  gboolean         demo;

  g_variant_dict_lookup (options, "db", "^&ay", &db_arg);
  g_variant_dict_lookup (options, "page", "&s", &page);
  demo = g_variant_dict_contains (options, "demo");

  /* Also checked by the invoking process; a remote one may be older. */
  if (page != NULL && !nexus_window_is_page_name (page))
    {
      g_autofree char *pages = describe_pages ();

      g_application_command_line_printerr (cmdline, _ ("%s: there is no page “%s”.\n"),
                                           PACKAGE_NAME, page);
      g_application_command_line_printerr (cmdline, "%s\n", pages);
      return EXIT_USAGE;
    }

  /* A malformed address is a usage error; one that cannot be bound (port
   * taken) is not, and the console then runs without the worker API. */
  {
    g_autoptr (GSocketAddress) parsed = nexus_api_parse_address (listen, &error);
    if (parsed == NULL)
      {
        g_application_command_line_printerr (cmdline, "%s: %s\n", PACKAGE_NAME, error->message);
        return EXIT_USAGE;
      }
  }

  /* Relative to the directory of the invoking process. */
  if (db_arg != NULL)
    {
      g_autoptr (GFile) file = g_application_command_line_create_file_for_arg (cmdline, db_arg);

      db_path = g_file_get_path (file);
    }

  if (self->engine == NULL)
    {
      if (!open_engine (self, db_path, demo, &error))
        {
          g_application_command_line_printerr (cmdline, "%s: %s\n", PACKAGE_NAME, error->message);
          return EXIT_FAILURE;
        }

      start_api (self, settings, listen, &listen_error);
    }
  else
    {
      const char *open_path = nexus_engine_get_db_path (self->engine);

      if (db_path != NULL && !is_same_file (db_path, open_path))
        {
          g_application_command_line_printerr (cmdline,
                                               _ ("%s: Nexus is already running with the "
                                                  "database %s; quit it to open %s.\n"),
                                               PACKAGE_NAME, open_path, db_path);
          return EXIT_FAILURE;
        }

      if (demo || g_variant_dict_contains (options, "listen"))
        g_application_command_line_printerr (cmdline,
                                             _ ("%s: Nexus is already running; --demo and "
                                                "--listen apply only when it starts.\n"),
                                             PACKAGE_NAME);
    }

  present_window (self, page, listen_error);

  return EXIT_SUCCESS;
}

/* Activation without a command line (D-Bus activation): the default vault. */
static void
nexus_application_activate (GApplication *app)
{
  NexusApplication *self = NEXUS_APPLICATION (app);
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) listen_error = NULL;

  if (self->engine == NULL)
    {
      if (!open_engine (self, NULL, FALSE, &error))
        {
          g_printerr ("%s: %s\n", PACKAGE_NAME, error->message);
          return;
        }
      g_autoptr (GSettings) settings = nexus_settings_try_new (NULL);
      g_autofree char *listen_setting = NULL;

      start_api (self, settings, choose_listen_address (NULL, settings, &listen_setting),
                 &listen_error);
    }

  present_window (self, NULL, listen_error);
}

static void
nexus_application_startup (GApplication *app)
{
  G_APPLICATION_CLASS (nexus_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_entries, G_N_ELEMENTS (app_entries),
                                   app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit",
                                         (const char *[]){ "<Control>q", NULL });
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "window.close",
                                         (const char *[]){ "<Control>w", NULL });

  gtk_window_set_default_icon_name (APP_ID);
}

static void
nexus_application_shutdown (GApplication *app)
{
  NexusApplication *self = NEXUS_APPLICATION (app);

  /* Lets the work already posted finish and checkpoints the vault. */
  if (self->engine != NULL)
    nexus_engine_shutdown (self->engine);

  G_APPLICATION_CLASS (nexus_application_parent_class)->shutdown (app);
}

static void
nexus_application_dispose (GObject *object)
{
  NexusApplication *self = NEXUS_APPLICATION (object);

  g_clear_object (&self->notifier);
  g_clear_object (&self->engine);
  g_clear_pointer (&self->listen, g_free);

  G_OBJECT_CLASS (nexus_application_parent_class)->dispose (object);
}

static void
nexus_application_class_init (NexusApplicationClass *klass)
{
  GObjectClass      *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = nexus_application_dispose;

  app_class->local_command_line = nexus_application_local_command_line;
  app_class->handle_local_options = nexus_application_handle_local_options;
  app_class->command_line = nexus_application_command_line;
  app_class->activate = nexus_application_activate;
  app_class->startup = nexus_application_startup;
  app_class->shutdown = nexus_application_shutdown;
}

static void
nexus_application_init (NexusApplication *self)
{
  g_autofree char *pages = describe_pages ();

  self->notifier = nexus_notifier_new (G_APPLICATION (self));

  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _ ("The Nexus console: find local businesses, "
                                               "work the leads and watch the workers."));
  g_application_set_option_context_description (G_APPLICATION (self), pages);
}

/**
 * nexus_application_new:
 *
 * Returns: (transfer full): the console application
 */
NexusApplication *
nexus_application_new (void)
{
  /* The resources keep the base id's path in every profile. */
  return g_object_new (NEXUS_TYPE_APPLICATION, "application-id", APP_ID, "flags",
                       G_APPLICATION_HANDLES_COMMAND_LINE, "resource-base-path", "/io/nexus/Nexus",
                       NULL);
}

/**
 * nexus_application_get_engine:
 * @self: a #NexusApplication
 *
 * Returns: (transfer none) (nullable): the engine, once the first command
 *   line opened the vault
 */
/**
 * nexus_application_get_restart_requested:
 * @self: a #NexusApplication
 *
 * Returns: whether the application quit to be started again (app.restart)
 */
gboolean
nexus_application_get_restart_requested (NexusApplication *self)
{
  g_return_val_if_fail (NEXUS_IS_APPLICATION (self), FALSE);

  return self->restart_requested;
}

NexusEngine *
nexus_application_get_engine (NexusApplication *self)
{
  g_return_val_if_fail (NEXUS_IS_APPLICATION (self), NULL);

  return self->engine;
}
