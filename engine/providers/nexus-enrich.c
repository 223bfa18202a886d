/* nexus-enrich.c
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nexus-enrich"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>
#include <libsoup/soup.h>
#include <string.h>

#include "nexus-enrich.h"
#include "nexus-overpass.h"

/* clang-format off */
G_DEFINE_QUARK (nexus-enrich-error-quark, nexus_enrich_error)
/* clang-format on */

/* ---- which addresses may be fetched ------------------------------- */

static gboolean
ipv4_is_public (const guint8 *b)
{
  return !(b[0] == 0 ||                                  /* 0.0.0.0/8 */
           b[0] == 10 ||                                 /* RFC 1918 */
           b[0] == 127 ||                                /* loopback */
           (b[0] == 100 && (b[1] & 0xc0) == 64) ||       /* 100.64.0.0/10 CGNAT */
           (b[0] == 169 && b[1] == 254) ||               /* link-local */
           (b[0] == 172 && (b[1] & 0xf0) == 16) ||       /* RFC 1918 */
           (b[0] == 192 && b[1] == 0 && b[2] == 0) ||    /* IETF protocol assignments */
           (b[0] == 192 && b[1] == 0 && b[2] == 2) ||    /* TEST-NET-1 */
           (b[0] == 192 && b[1] == 168) ||               /* RFC 1918 */
           (b[0] == 198 && (b[1] & 0xfe) == 18) ||       /* benchmarking */
           (b[0] == 198 && b[1] == 51 && b[2] == 100) || /* TEST-NET-2 */
           (b[0] == 203 && b[1] == 0 && b[2] == 113) ||  /* TEST-NET-3 */
           b[0] >= 224);                                 /* multicast, reserved, broadcast */
}

/**
 * nexus_enrich_address_is_public:
 * @allow_loopback: count loopback addresses as public (tests only)
 *
 * Returns: whether @address is on the public internet
 */
gboolean
nexus_enrich_address_is_public (GInetAddress *address, gboolean allow_loopback)
{
  const guint8       *b = g_inet_address_to_bytes (address);
  static const guint8 mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
  static const guint8 nat64[12] = { 0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0 };

  if (g_inet_address_get_is_loopback (address))
    return allow_loopback;
  if (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV4)
    return ipv4_is_public (b);

  /* IPv4 inside IPv6 follows the IPv4 rules. */
  if (memcmp (b, mapped, 12) == 0 || memcmp (b, nat64, 12) == 0)
    return (allow_loopback && b[12] == 127) || ipv4_is_public (b + 12);
  if (g_inet_address_get_is_any (address) || g_inet_address_get_is_multicast (address) ||
      g_inet_address_get_is_link_local (address) || g_inet_address_get_is_site_local (address))
    return FALSE;
  if ((b[0] & 0xfe) == 0xfc) /* fc00::/7 unique local */
    return FALSE;
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) /* 2001:db8::/32 */
    return FALSE;
  /* Only 2000::/3 is global unicast; ::/8 holds the IPv4-compatible and
   * other special forms. */
  return (b[0] & 0xe0) == 0x20;
}

/**
 * nexus_enrich_check_host:
 *
 * Resolves @host (or reads it as an address literal) and accepts it only
 * when every address it has is public.
 */
gboolean
nexus_enrich_check_host (const char   *host,
                         gboolean      allow_loopback,
                         GCancellable *cancellable,
                         GError      **error)
{
  g_autoptr (GInetAddress) literal = NULL;
  g_autoptr (GResolver) resolver = NULL;
  g_autoptr (GError) local_error = NULL;
  GList *addresses;

  if (host == NULL || *host == '\0')
    {
      g_set_error_literal (error, NEXUS_ENRICH_ERROR, NEXUS_ENRICH_ERROR_INVALID,
                           _ ("The website has no host"));
      return FALSE;
    }
  literal = g_inet_address_new_from_string (host);
  if (literal != NULL)
    {
      if (nexus_enrich_address_is_public (literal, allow_loopback))
        return TRUE;
      g_set_error (error, NEXUS_ENRICH_ERROR, NEXUS_ENRICH_ERROR_REFUSED,
                   _ ("The website’s address %.64s is not a public one"), host);
      return FALSE;
    }

  resolver = g_resolver_get_default ();
  addresses = g_resolver_lookup_by_name (resolver, host, cancellable, &local_error);
  if (addresses == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, NEXUS_ENRICH_ERROR, NEXUS_ENRICH_ERROR_NETWORK,
                     _ ("Cannot resolve %.64s: %s"), host, local_error->message);
      return FALSE;
    }
  for (GList *l = addresses; l != NULL; l = l->next)
    if (!nexus_enrich_address_is_public (l->data, allow_loopback))
      {
        g_autofree char *text = g_inet_address_to_string (l->data);

        g_set_error (error, NEXUS_ENRICH_ERROR, NEXUS_ENRICH_ERROR_REFUSED,
                     _ ("The website’s host %.64s resolves to %s, which is not a public address"),
                     host, text);
        g_resolver_free_addresses (addresses);
        return FALSE;
      }
  g_resolver_free_addresses (addresses);
  return TRUE;
}

/* ---- the fetch ---------------------------------------------------- */

/* Cancels @cancellable at @deadline_us from a thread of its own, so every
 * blocking step (resolve, connect, TLS, read) is bounded together. */
typedef struct
{
  GMutex        lock;
  GCond         cond;
  gboolean      done;        /* the fetch is over: the timer may go */
  gboolean      fired;       /* the deadline cancelled the fetch */
  gint64        deadline_us; /* monotonic */
  GCancellable *cancellable; /* owned */
  GThread      *thread;
} Deadline;

static gpointer
deadline_thread (gpointer data)
{
  Deadline *deadline = data;

  g_mutex_lock (&deadline->lock);
  while (!deadline->done &&
         g_cond_wait_until (&deadline->cond, &deadline->lock, deadline->deadline_us))
    ;
  if (!deadline->done)
    {
      deadline->fired = TRUE;
      g_cancellable_cancel (deadline->cancellable);
    }
  g_mutex_unlock (&deadline->lock);
  return NULL;
}

static void
deadline_start (Deadline *deadline, guint timeout_ms)
{
  g_mutex_init (&deadline->lock);
  g_cond_init (&deadline->cond);
  deadline->deadline_us = g_get_monotonic_time () + (gint64)timeout_ms * 1000;
  deadline->cancellable = g_cancellable_new ();
  deadline->thread = g_thread_new ("nexus-deadline", deadline_thread, deadline);
}

static gboolean
deadline_stop (Deadline *deadline)
{
  gboolean fired;

  g_mutex_lock (&deadline->lock);
  deadline->done = TRUE;
  g_cond_signal (&deadline->cond);
  g_mutex_unlock (&deadline->lock);
  g_thread_join (deadline->thread);
  fired = deadline->fired;
  g_object_unref (deadline->cancellable);
  g_mutex_clear (&deadline->lock);
  g_cond_clear (&deadline->cond);
  return fired;
}

static void
parent_cancelled_cb (GCancellable *parent, gpointer data)
{
  g_cancellable_cancel (data);
}

typedef struct
{
  gboolean      allow_loopback;
  GCancellable *cancellable; /* the fetch's */
  char         *refused;     /* the connected address that was refused */
} PeerCheck;

/* The address the connection reached, checked before the request goes. */
static void
network_event_cb (SoupMessage *msg, GSocketClientEvent event, GIOStream *connection, gpointer data)
{
  PeerCheck *check = data;
  g_autoptr (GSocketAddress) remote = NULL;
  GInetAddress *address;

  if (event != G_SOCKET_CLIENT_CONNECTED || !G_IS_SOCKET_CONNECTION (connection))
    return;
  remote = g_socket_connection_get_remote_address (G_SOCKET_CONNECTION (connection), NULL);
  address = G_IS_INET_SOCKET_ADDRESS (remote)
                ? g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote))
                : NULL;
  if (address != NULL && nexus_enrich_address_is_public (address, check->allow_loopback))
    return;
  g_free (check->refused);
  check->refused = address != NULL ? g_inet_address_to_string (address) : g_strdup ("?");
  g_cancellable_cancel (check->cancellable);
}

/* Reads up to @max bytes and stops there: what lies beyond is not fetched. */
static GBytes *
read_prefix (GInputStream *stream, gsize max, GCancellable *cancellable, GError **error)
{
  g_autoptr (GByteArray) data = g_byte_array_new ();
  guint8 buffer[16384];

  while (data->len < max)
    {
      gssize n = g_input_stream_read (stream, buffer, MIN (sizeof buffer, max - data->len),
                                      cancellable, error);

      if (n < 0)
        return NULL;
      if (n == 0)
        break;
      g_byte_array_append (data, buffer, n);
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&data));
}

static GBytes *
fetch_checked (const NexusEnrichOptions *options,
               const char               *url,
               guint                    *out_status,
               GCancellable             *cancellable,
               GError                  **error)
{
  g_autoptr (GUri) uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  g_autoptr (SoupSession) session = NULL;
  gsize max = options->max_bytes > 0 ? options->max_bytes : NEXUS_ENRICH_MAX_BYTES;

  *out_status = 0;
  session = soup_session_new_with_options ("user-agent", nexus_overpass_get_user_agent (),
                                           "proxy-resolver", NULL, "max-conns-per-host", 1, NULL);
  for (guint hop = 0;; hop++)
    {
      g_autoptr (SoupMessage) msg = NULL;
      g_autoptr (GInputStream) stream = NULL;
      g_autoptr (GError) local_error = NULL;
      PeerCheck   check = { options->allow_loopback, cancellable, NULL };
      const char *scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
      const char *location;
      guint       status;

      if (scheme == NULL ||
          (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0))
        {
          g_set_error_literal (error, NEXUS_ENRICH_ERROR, NEXUS_ENRICH_ERROR_INVALID,
                               _ ("The website is not an http(s) URL"));
          return NULL;
        }
      if (!nexus_enrich_check_host (g_uri_get_host (uri), options->allow_loopback, cancellable,
                                    error))
        return NULL;

      msg = soup_message_new_from_uri ("GET", uri);
      soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Accept",
                                    "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1");
      g_signal_connect (msg, "network-event", G_CALLBACK (network_event_cb), &check);
      stream = soup_session_send (session, msg, cancellable, &local_error);
      g_signal_handlers_disconnect_by_data (msg, &check);
      if (check.refused != NULL)
        {
          g_set_error (error, NEXUS_ENRICH_ERROR, NEXUS_ENRICH_ERROR_REFUSED,
                       _ ("The website’s host %.64s connected to %s, which is not a public "
                          "address"),
                       g_uri_get_host (uri), check.refused);
          g_free (check.refused);
          return NULL;
        }
      if (stream == NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }

      status = soup_message_get_status (msg);
      location = soup_message_headers_get_one (soup_message_get_response_headers (msg), "Location");
      if (SOUP_STATUS_IS_REDIRECTION (status) && location != NULL)
        {
          GUri *next;

          g_input_stream_close (stream, NULL, NULL);
          if (hop >= NEXUS_ENRICH_MAX_REDIRECTS)
            {
              g_set_error (error, NEXUS_ENRICH_ERROR, NEXUS_ENRICH_ERROR_REFUSED,
                           _ ("The website redirects more than %d times"),
                           NEXUS_ENRICH_MAX_REDIRECTS);
              return NULL;
            }
          next = g_uri_parse_relative (uri, location, SOUP_HTTP_URI_FLAGS, NULL);
          g_clear_pointer (&uri, g_uri_unref);
          uri = next;
          continue;
        }
      *out_status = status;
      if (!SOUP_STATUS_IS_SUCCESSFUL (status))
        {
          g_input_stream_close (stream, NULL, NULL);
          return g_bytes_new (NULL, 0);
        }
      return read_prefix (stream, max, cancellable, error);
    }
}

/**
 * nexus_enrich_fetch:
 * @out_status: (out): the final HTTP status
 *
 * Fetches @url under the rules of this module.
 *
 * Returns: (transfer full): at most max_bytes of the body (empty for an
 *   answer that is not 2xx), or %NULL with @error set
 */
GBytes *
nexus_enrich_fetch (const NexusEnrichOptions *options,
                    const char               *url,
                    guint                    *out_status,
                    GCancellable             *cancellable,
                    GError                  **error)
{
  g_autoptr (GError) local_error = NULL;
  Deadline deadline = { 0 };
  GBytes  *body;
  gulong   handler = 0;
  gboolean timed_out;
  guint    timeout_ms = options->timeout_ms > 0 ? options->timeout_ms : NEXUS_ENRICH_TIMEOUT_MS;

  deadline_start (&deadline, timeout_ms);
  if (cancellable != NULL)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (parent_cancelled_cb),
                                     deadline.cancellable, NULL);
  body = fetch_checked (options, url, out_status, deadline.cancellable, &local_error);
  if (cancellable != NULL)
    g_cancellable_disconnect (cancellable, handler);
  timed_out = deadline_stop (&deadline);

  if (body != NULL)
    return body;
  if (g_cancellable_is_cancelled (cancellable))
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _ ("Cancelled"));
  else if (timed_out)
    g_set_error (error, NEXUS_ENRICH_ERROR, NEXUS_ENRICH_ERROR_NETWORK,
                 _ ("The website did not answer within %u s"), (timeout_ms + 999) / 1000);
  else if (local_error->domain == NEXUS_ENRICH_ERROR)
    g_propagate_error (error, g_steal_pointer (&local_error));
  else
    g_set_error (error, NEXUS_ENRICH_ERROR, NEXUS_ENRICH_ERROR_NETWORK,
                 _ ("The website cannot be fetched: %s"), local_error->message);
  return NULL;
}

/* ---- what a page says --------------------------------------------- */

/* A copy of @text with Arabic-Indic (U+0660…) and Eastern Arabic-Indic
 * (U+06F0…) digits as ASCII ones. */
static char *
ascii_digits (const char *text)
{
  GString *out = g_string_sized_new (strlen (text));

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c >= 0x0660 && c <= 0x0669)
        g_string_append_c (out, (char)('0' + (c - 0x0660)));
      else if (c >= 0x06f0 && c <= 0x06f9)
        g_string_append_c (out, (char)('0' + (c - 0x06f0)));
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
    }
  return g_string_free (out, FALSE);
}

static guint
count_digits (const char *text)
{
  guint n = 0;

  for (const char *p = text; *p != '\0'; p++)
    n += g_ascii_isdigit (*p) ? 1 : 0;
  return n;
}

/* Adds @phone unless a number with the same digits is there already. */
static void
add_phone (GPtrArray *phones, GHashTable *seen, const char *phone)
{
  g_autoptr (GString) key = g_string_new (NULL);
  g_autofree char *clean = g_strstrip (g_strdup (phone));

  for (const char *p = clean; *p != '\0'; p++)
    if (g_ascii_isdigit (*p))
      g_string_append_c (key, *p);
  if (key->len < 6 || key->len > 15 || phones->len >= NEXUS_ENRICH_MAX_PHONES ||
      !g_hash_table_add (seen, g_strdup (key->str)))
    return;
  g_ptr_array_add (phones, g_steal_pointer (&clean));
}

/* The patterns of nexus_enrich_extract(), compiled once and then only
 * read (GRegex matching is thread-safe). */
enum
{
  RE_LINK,      /* href="tel:…" and href="mailto:…" */
  RE_DROP,      /* script and style elements, comments */
  RE_TAG,       /* any other tag */
  RE_PHONE,     /* a phone-like run of digits */
  RE_NOT_PHONE, /* dates and IPv4 addresses that look like one */
  N_RE
};

static GRegex *regexes[N_RE];

static void
compile_regexes (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      /* A quoted value may hold spaces ("tel:+20 2 …"); (?| keeps the
       * groups numbered 1 and 2 in every branch. */
      regexes[RE_LINK] =
          g_regex_new ("href\\s*=\\s*(?|\"\\s*(tel|mailto):([^\"<>]+)\"|'\\s*(tel|mailto):"
                       "([^'<>]+)'|(tel|mailto):([^\\s\"'<>]+))",
                       G_REGEX_CASELESS | G_REGEX_OPTIMIZE, 0, NULL);
      regexes[RE_DROP] =
          g_regex_new ("<(script|style)\\b.*?</\\1\\s*>|<!--.*?-->",
                       G_REGEX_CASELESS | G_REGEX_DOTALL | G_REGEX_OPTIMIZE, 0, NULL);
      regexes[RE_TAG] = g_regex_new ("<[^>]*>", G_REGEX_OPTIMIZE, 0, NULL);
      regexes[RE_PHONE] = g_regex_new ("(?<![\\w+(])[+(]?\\d[\\d \\t().\\-]{5,22}\\d(?!\\w)",
                                       G_REGEX_OPTIMIZE, 0, NULL);
      regexes[RE_NOT_PHONE] = g_regex_new (
          "^(\\d{1,4}[-./]\\d{1,2}[-./]\\d{1,4}|\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3})$", 0, 0,
          NULL);
      for (guint i = 0; i < N_RE; i++)
        g_assert (regexes[i] != NULL);
      g_once_init_leave (&done, 1);
    }
}

/**
 * nexus_enrich_extract:
 * @out_email: (out) (transfer full) (nullable): the first mailto: address
 *
 * Finds the phones of a page: its tel: links first, then runs of 8 to 15
 * digits in its text (spaces, dots, dashes and brackets between them, an
 * optional + in front; dates and IPv4 addresses are not phones).
 *
 * Returns: (transfer full) (element-type utf8): the phones, as written
 */
GPtrArray *
nexus_enrich_extract (const char *html, gsize length, char **out_email)
{
  GRegex *link;
  GRegex *drop;
  GRegex *tag;
  GRegex *phone;
  GRegex *not_phone;
  g_autoptr (GPtrArray) phones = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *valid = g_utf8_make_valid (html != NULL ? html : "", html != NULL ? length : 0);
  g_autofree char *digits = ascii_digits (valid);
  g_autofree char *no_code = NULL;
  g_autofree char *text = NULL;
  g_autoptr (GMatchInfo) match = NULL;

  compile_regexes ();
  link = regexes[RE_LINK];
  drop = regexes[RE_DROP];
  tag = regexes[RE_TAG];
  phone = regexes[RE_PHONE];
  not_phone = regexes[RE_NOT_PHONE];
  *out_email = NULL;
  g_regex_match (link, digits, 0, &match);
  while (g_match_info_matches (match))
    {
      g_autofree char *scheme = g_match_info_fetch (match, 1);
      g_autofree char *raw = g_match_info_fetch (match, 2);
      g_autofree char *value = g_uri_unescape_string (raw, NULL);
      const char      *target = value != NULL ? value : raw;

      if (g_ascii_strcasecmp (scheme, "tel") == 0)
        add_phone (phones, seen, target);
      else if (*out_email == NULL)
        {
          g_autofree char *address = g_strndup (target, strcspn (target, "?"));

          g_strstrip (address);
          if (strchr (address, '@') != NULL && strchr (address, '@') != address &&
              strlen (address) <= 254 && g_utf8_validate (address, -1, NULL))
            *out_email = g_steal_pointer (&address);
        }
      g_match_info_next (match, NULL);
    }
  g_clear_pointer (&match, g_match_info_unref);

  no_code = g_regex_replace_literal (drop, digits, -1, 0, " ", 0, NULL);
  text = no_code != NULL ? g_regex_replace_literal (tag, no_code, -1, 0, " ", 0, NULL) : NULL;
  if (text == NULL)
    return g_steal_pointer (&phones);
  /* The entities a phone is written with; the others do not matter. */
  {
    g_autoptr (GString) decoded = g_string_new (text);

    g_string_replace (decoded, "&nbsp;", " ", 0);
    g_string_replace (decoded, "&#160;", " ", 0);
    g_string_replace (decoded, "&#43;", "+", 0);
    g_string_replace (decoded, "&plus;", "+", 0);
    g_free (text);
    text = g_string_free (g_steal_pointer (&decoded), FALSE);
  }

  g_regex_match (phone, text, 0, &match);
  while (g_match_info_matches (match))
    {
      g_autofree char *run = g_match_info_fetch (match, 0);
      guint            n = count_digits (run);

      g_strstrip (run);
      if (n >= 8 && n <= 15 && !g_regex_match (not_phone, run, 0, NULL))
        add_phone (phones, seen, run);
      g_match_info_next (match, NULL);
    }
  return g_steal_pointer (&phones);
}

/* ---- the job ------------------------------------------------------ */

static const char *
payload_string (JsonObject *payload, const char *name)
{
  JsonNode *node = json_object_get_member (payload, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/**
 * nexus_enrich_run:
 * @payload: an enrich job's payload
 *
 * Returns: (transfer full) (element-type JsonNode): one LEAD with what the
 *   website gave, or none when it gave nothing (or the lead has no
 *   website); %NULL with @error set when the job failed
 */
GPtrArray *
nexus_enrich_run (const NexusEnrichOptions *options,
                  JsonObject               *payload,
                  GCancellable             *cancellable,
                  GError                  **error)
{
  g_autoptr (GPtrArray) results = g_ptr_array_new_with_free_func ((GDestroyNotify)json_node_unref);
  g_autoptr (GPtrArray) phones = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autoptr (JsonObject) lead = NULL;
  g_autofree char *url = NULL;
  g_autofree char *email = NULL;
  g_autofree char *ref = NULL;
  JsonNode        *id_node = json_object_get_member (payload, "lead_id");
  const char      *website = payload_string (payload, "website");
  const char      *name = payload_string (payload, "name");
  const char      *country = payload_string (payload, "country");
  guint            status = 0;

  if (id_node == NULL || !JSON_NODE_HOLDS_VALUE (id_node) ||
      json_node_get_value_type (id_node) != G_TYPE_INT64)
    {
      g_set_error_literal (error, NEXUS_ENRICH_ERROR, NEXUS_ENRICH_ERROR_INVALID,
                           _ ("The enrich job has no lead_id"));
      return NULL;
    }
  if (website == NULL || *website == '\0')
    return g_steal_pointer (&results);
  /* Websites are often written without their scheme. */
  url =
      strstr (website, "://") != NULL ? g_strdup (website) : g_strconcat ("http://", website, NULL);

  body = nexus_enrich_fetch (options, url, &status, cancellable, error);
  if (body == NULL)
    return NULL;
  if (SOUP_STATUS_IS_SERVER_ERROR (status))
    {
      g_set_error (error, NEXUS_ENRICH_ERROR, NEXUS_ENRICH_ERROR_NETWORK,
                   _ ("The website answered HTTP %u"), status);
      return NULL;
    }
  phones = nexus_enrich_extract (g_bytes_get_data (body, NULL), g_bytes_get_size (body), &email);
  if (phones->len == 0 && email == NULL)
    return g_steal_pointer (&results);

  lead = json_object_new ();
  ref = g_strdup_printf ("enrich/%" PRId64, json_node_get_int (id_node));
  json_object_set_string_member (lead, "provider", "enrich");
  json_object_set_string_member (lead, "ref", ref);
  json_object_set_string_member (lead, "name", name != NULL && *name != '\0' ? name : website);
  if (phones->len > 0)
    {
      JsonArray *array = json_array_new ();

      for (guint i = 0; i < phones->len; i++)
        json_array_add_string_element (array, g_ptr_array_index (phones, i));
      json_object_set_array_member (lead, "phones", array);
    }
  if (email != NULL)
    json_object_set_string_member (lead, "email", email);
  if (country != NULL && *country != '\0')
    json_object_set_string_member (lead, "country", country);
  g_ptr_array_add (results, json_node_init_object (json_node_alloc (), lead));
  return g_steal_pointer (&results);
}

/* Whether a job that failed with @error may succeed on another try. */
gboolean
nexus_enrich_error_is_retryable (const GError *error)
{
  if (error == NULL || error->domain != NEXUS_ENRICH_ERROR)
    return TRUE;
  return error->code == NEXUS_ENRICH_ERROR_NETWORK;
}
