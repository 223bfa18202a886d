/* api-load.c — load benchmarks of the worker API over real HTTP
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * This one file is built twice (tests/bench/meson.build); API_LOAD_MODE
 * picks the benchmark:
 *
 *  api-cycle        N simulated workers (64 by default, -w N), each one
 *                   non-blocking keep-alive connection of a single
 *                   load-generator thread ("bench-worker") running an
 *                   epoll loop, do lease + report cycles until the queue
 *                   is empty: first with final reports without results
 *                   (the protocol's cycle), then with -l N leads per
 *                   report (2 by default).  Baselines: the same number of
 *                   jobs leased and completed directly on a NexusJobQueue
 *                   over its own store (no HTTP, no ingest), and for the
 *                   reports with leads the same jobs with the same leads
 *                   parsed and ingested in-process, each job's report in
 *                   one transaction (no HTTP).  Each round runs a raw
 *                   pass right beside an HTTP pass of the same jobs, and
 *                   the median of the rounds' ratios is the figure (five
 *                   rounds by default, -r N; three with leads), so that
 *                   a burst of other load on a shared machine moves one
 *                   round, not the result.  The workers share the
 *                   machine's cores with the server, so they are kept
 *                   lean (one thread, no blocking reads and their
 *                   wakeups, answers read by a small strict reader,
 *                   buffers reused) and their CPU time is printed beside
 *                   the engine's and the API thread's.
 *  api-connections  10,000 keep-alive connections, each with a long-poll
 *                   lease in flight, and the server's memory with them;
 *                   then 1,000 of them active (heartbeat, lease) while
 *                   9,000 wait, back to back and then paced.  Baseline:
 *                   the same requests over 1 connection with nothing else
 *                   connected.
 *
 * Both run this program's own engine code with the rate limits lifted (a
 * load generator on one address would otherwise measure 429s): api-cycle
 * in this process (its API thread and engine thread); api-connections in a
 * child process forked before any thread exists, so that the server's
 * VmRSS is its own and each side fits 10,000 descriptors under the usual
 * hard limit.  The clients speak HTTP/1.1 over raw sockets and sign every
 * request as PROTOCOL.md says, so each request pays the server's whole
 * guard path (signature, nonce remembered in the database, JSON).  Only
 * 127.0.0.1 is ever connected to.
 *
 * Nothing here asserts a time: figures and ratios are printed.  The exit
 * status is 1 only when something failed functionally (an answer other
 * than 200, a keep-alive connection lost, a job left undone).
 */

#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api/nexus-connection.h"
#include "api/nexus-signature.h"
#include "api/nexus-workers.h"
#include "leads/nexus-ingest.h"
#include "leads/nexus-lead.h"
#include "nexus-engine.h"
#include "queue/nexus-job-queue.h"
#include "store/nexus-store-api.h"

#ifndef API_LOAD_MODE
#define API_LOAD_MODE "cycle"
#endif

/* Largest response head, and body, we accept from the server. */
#define MAX_RESPONSE_HEAD 8192
#define MAX_RESPONSE_BODY (1024 * 1024)
/* A request left unanswered this long (a hung server) fails the run. */
#define IO_TIMEOUT_S 30

/* The temporary directory of the run, removed on every exit. */
static char *bench_dir;
/* api-connections' server process, killed on every exit; 0: none. */
static pid_t server_pid;
/* Closing it asks the server process to shut down. */
static int server_control_fd = -1;

/* ---- helpers ---------------------------------------------------------- */

static void
remove_bench_dir (void)
{
  g_autoptr (GDir) dir = NULL;
  const char *name;

  if (bench_dir == NULL)
    return;
  dir = g_dir_open (bench_dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (bench_dir, name, NULL);
      g_unlink (file);
    }
  g_rmdir (bench_dir);
  g_clear_pointer (&bench_dir, g_free);
}

static void fail (const char *format, ...) G_GNUC_NORETURN G_GNUC_PRINTF (1, 2);

static void
fail (const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list          args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stdout, "FAILED: %s\n", message);
  fflush (stdout);
  fprintf (stderr, "%s: FAILED: %s\n", g_get_prgname (), message);
  if (server_pid > 0)
    {
      kill (server_pid, SIGKILL);
      waitpid (server_pid, NULL, 0);
    }
  remove_bench_dir ();
  exit (1);
}

static double
elapsed_s (gint64 since_us)
{
  return (g_get_monotonic_time () - since_us) / (double)G_USEC_PER_SEC;
}

static int
compare_gint64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *)a;
  gint64 y = *(const gint64 *)b;

  return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of @samples (microseconds), in milliseconds.
 * Sorts @samples. */
static double
percentile_ms (GArray *samples, double p)
{
  gsize rank;

  if (samples->len == 0)
    return 0;
  g_array_sort (samples, compare_gint64);
  rank = (gsize)(p / 100.0 * samples->len + 0.999999);
  rank = CLAMP (rank, 1, samples->len);
  return g_array_index (samples, gint64, rank - 1) / 1000.0;
}

static void
print_latency (const char *label, GArray *samples)
{
  printf ("  %-34s n=%-7u p50 %8.2f ms   p99 %8.2f ms   max %8.2f ms\n", label, samples->len,
          percentile_ms (samples, 50), percentile_ms (samples, 99), percentile_ms (samples, 100));
}

/* VmRSS (or another /proc/PID/status field) of @pid (0: this process) in
 * KiB; 0 when unknown. */
static gint64
read_status_kib (pid_t pid, const char *field)
{
  g_autofree char *path =
      pid > 0 ? g_strdup_printf ("/proc/%d/status", (int)pid) : g_strdup ("/proc/self/status");
  g_autofree char *text = NULL;
  const char      *line;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  line = strstr (text, field);
  if (line == NULL)
    return 0;
  return g_ascii_strtoll (line + strlen (field), NULL, 10);
}

/* User + system CPU seconds @pid has used so far. */
static double
process_cpu_s (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int)pid);
  g_autofree char *text = NULL;
  g_auto (GStrv) fields = NULL;
  const char *rest;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (rest = strrchr (text, ')')) == NULL)
    return 0;
  /* After "pid (comm) ": state is field 3, utime 14, stime 15. */
  fields = g_strsplit (rest + 2, " ", 0);
  if (g_strv_length (fields) < 13)
    return 0;
  return (g_ascii_strtoull (fields[11], NULL, 10) + g_ascii_strtoull (fields[12], NULL, 10)) /
         (double)sysconf (_SC_CLK_TCK);
}

static guint
count_open_fds (pid_t pid)
{
  g_autofree char *path =
      pid > 0 ? g_strdup_printf ("/proc/%d/fd", (int)pid) : g_strdup ("/proc/self/fd");
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  guint count = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    count++;
  return count;
}

/* Makes at least @wanted descriptors available: the soft limit up to the
 * hard one, and the hard one too when we may (root).  Returns the limit in
 * force. */
static rlim_t
raise_fd_limit (rlim_t wanted)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) != 0)
    return 1024;
  if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < wanted)
    {
      struct rlimit raised = { wanted, wanted };
      if (setrlimit (RLIMIT_NOFILE, &raised) == 0)
        return wanted;
    }
  limit.rlim_cur = limit.rlim_max;
  if (setrlimit (RLIMIT_NOFILE, &limit) != 0)
    getrlimit (RLIMIT_NOFILE, &limit);
  return limit.rlim_cur;
}

/* ---- the engine under test -------------------------------------------- */

typedef struct
{
  char        *path;   /* the database file, in bench_dir */
  NexusEngine *engine; /* its own thread; the worker API on 127.0.0.1; or NULL when
                             * the engine runs in server_pid */
  NexusStore  *admin;  /* a second connection, as nexusctl would have */
  guint16      port;
  GPtrArray   *identities; /* NexusConnection*: one per worker added */
} Bench;

static void
make_bench_dir (void)
{
  g_autoptr (GError) error = NULL;

  bench_dir = g_dir_make_tmp ("nexus-bench-XXXXXX", &error);
  if (bench_dir == NULL)
    fail ("cannot make a temporary directory: %s", error->message);
}

/* The worker API's defaults with every rate limit lifted: one load
 * generator on one address is not an abuser. */
static void
make_api_config (NexusApiConfig *config)
{
  nexus_api_config_init_default (config);
  config->address_rate = 1e6;
  config->address_burst = 1000000;
  config->worker_rate = 1e6;
  config->worker_burst = 1000000;
}

/* The server process: an engine on @db_path listening on 127.0.0.1:0; it
 * writes its port (0: failed) to @report_fd and shuts down when
 * @control_fd closes, or dies with its parent. */
static void G_GNUC_NORETURN
server_child_main (const char *db_path, int control_fd, int report_fd)
{
  g_autoptr (GError) error = NULL;
  NexusEngine   *engine;
  NexusApiConfig config;
  guint16        port = 0;
  char           byte;

  prctl (PR_SET_PDEATHSIG, SIGKILL);
  engine = nexus_engine_new (db_path, NEXUS_ENGINE_DEFAULT, &error);
  if (engine != NULL)
    {
      make_api_config (&config);
      nexus_engine_set_api_config (engine, &config);
      if (nexus_engine_listen (engine, "127.0.0.1:0", &error))
        port = nexus_engine_get_port (engine);
    }
  if (port == 0)
    fprintf (stderr, "bench server: %s\n", error != NULL ? error->message : "failed");
  if (write (report_fd, &port, sizeof port) != sizeof port || port == 0)
    _exit (1);
  while (read (control_fd, &byte, 1) < 0 && errno == EINTR)
    ;
  nexus_engine_shutdown (engine);
  g_object_unref (engine);
  _exit (0);
}

/* Forks the server process; must run before this process starts any
 * thread.  Returns its port. */
static guint16
server_process_start (const char *db_path)
{
  g_autoptr (GError) error = NULL;
  int     control[2];
  int     report[2];
  guint16 port = 0;
  ssize_t n;

  if (!g_unix_open_pipe (control, FD_CLOEXEC, &error) ||
      !g_unix_open_pipe (report, FD_CLOEXEC, &error))
    fail ("pipe: %s", error->message);
  fflush (stdout);
  fflush (stderr);
  server_pid = fork ();
  if (server_pid < 0)
    fail ("fork: %s", g_strerror (errno));
  if (server_pid == 0)
    {
      close (control[1]);
      close (report[0]);
      server_child_main (db_path, control[0], report[1]);
    }
  close (control[0]);
  close (report[1]);
  server_control_fd = control[1];
  do
    n = read (report[0], &port, sizeof port);
  while (n < 0 && errno == EINTR);
  close (report[0]);
  if (n != sizeof port || port == 0)
    fail ("the server process did not start");
  return port;
}

/* Asks the server process to shut down and waits for it (30 s at most). */
static void
server_process_stop (void)
{
  gint64 deadline = g_get_monotonic_time () + IO_TIMEOUT_S * G_USEC_PER_SEC;
  int    status = 0;
  pid_t  pid = server_pid;

  if (pid <= 0)
    return;
  close (server_control_fd);
  server_control_fd = -1;
  while (waitpid (pid, &status, WNOHANG) == 0)
    {
      if (g_get_monotonic_time () > deadline)
        fail ("the server process did not shut down within %d s", IO_TIMEOUT_S);
      g_usleep (10000);
    }
  server_pid = 0;
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    fail ("the server process ended badly (status %d)", status);
}

/* An engine listening on 127.0.0.1:0 with every rate limit lifted, in
 * this process or (@separate) in a child process running this program's
 * engine code, and @n_workers worker identities added through an admin
 * connection of this process. */
static void
bench_start (Bench *bench, guint n_workers, gboolean separate)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *address = NULL;
  NexusApiConfig   config;
  gint64           started = g_get_monotonic_time ();

  {
    static guint     n_starts;
    g_autofree char *name = g_strdup_printf ("nexus-%u.db", ++n_starts);

    bench->path = g_build_filename (bench_dir, name, NULL);
  }
  if (separate)
    bench->port = server_process_start (bench->path);
  else
    {
      bench->engine = nexus_engine_new (bench->path, NEXUS_ENGINE_DEFAULT, &error);
      if (bench->engine == NULL)
        fail ("cannot start the engine: %s", error->message);
      make_api_config (&config);
      nexus_engine_set_api_config (bench->engine, &config);
      if (!nexus_engine_listen (bench->engine, "127.0.0.1:0", &error))
        fail ("cannot listen: %s", error->message);
      bench->port = nexus_engine_get_port (bench->engine);
    }

  bench->admin = nexus_store_open (bench->path, NEXUS_STORE_OPEN_NO_CREATE, &error);
  if (bench->admin == NULL)
    fail ("cannot open a second connection: %s", error->message);

  address = g_strdup_printf ("127.0.0.1:%u", bench->port);
  bench->identities = g_ptr_array_new_with_free_func ((GDestroyNotify)nexus_connection_free);
  for (guint i = 0; i < n_workers; i++)
    {
      g_autofree char *name = g_strdup_printf ("bench-%u", i);
      g_autofree char *text =
          nexus_workers_add (bench->admin, name, NEXUS_ROLE_WORKER, address, NULL, NULL, &error);
      NexusConnection *connection;

      if (text == NULL)
        fail ("cannot add worker %s: %s", name, error->message);
      connection = nexus_connection_parse (text, &error);
      if (connection == NULL)
        fail ("cannot parse a connection string: %s", error->message);
      g_ptr_array_add (bench->identities, connection);
    }
  if (separate)
    printf ("engine: in a child process (pid %d) running this program's engine code, "
            "listening on 127.0.0.1:%u, database %s\n",
            (int)server_pid, bench->port, bench->path);
  else
    printf ("engine: in-process on its own thread, listening on 127.0.0.1:%u, database %s\n",
            bench->port, bench->path);
  printf ("        rate limits lifted (address and worker: 1e6/s, burst 1e6); %u worker "
          "identities added in %.2f s\n",
          n_workers, elapsed_s (started));
}

static void
bench_stop (Bench *bench)
{
  if (bench->engine != NULL)
    nexus_engine_shutdown (bench->engine);
  g_clear_object (&bench->engine);
  server_process_stop ();
  g_clear_object (&bench->admin);
  g_clear_pointer (&bench->identities, g_ptr_array_unref);
  g_clear_pointer (&bench->path, g_free);
}

/* The payload of a place search job in Paris; the country makes numbers
 * without +33 French. */
static const char job_payload_format[] =
    "{\"search_id\":0,\"keyword\":\"%s\",\"provider\":\"overpass\",\"cell\":{\"south\":48.85,"
    "\"west\":2.25,\"north\":48.94,\"east\":2.34},\"depth\":0,\"country\":\"FR\","
    "\"language\":\"fr\"}";

static const char *const keywords[] = { "restaurant", "cafe", "bakery", "pharmacy", "hotel" };

/* Queues @n_jobs place-search jobs through @queue in one transaction. */
static void
enqueue_jobs (NexusJobQueue *queue, guint n_jobs)
{
  NexusStore *store = nexus_job_queue_get_store (queue);
  g_autoptr (GError) error = NULL;

  if (!nexus_store_begin (store, &error))
    fail ("cannot begin: %s", error->message);
  for (guint i = 0; i < n_jobs; i++)
    {
      const char      *keyword = keywords[i % G_N_ELEMENTS (keywords)];
      g_autofree char *payload = g_strdup_printf (job_payload_format, keyword);
      NexusJobSpec     spec = { 0 };

      spec.run = 1;
      spec.kind = NEXUS_JOB_KIND_PLACE_SEARCH;
      spec.status = NEXUS_JOB_QUEUED;
      spec.provider = "overpass";
      spec.keyword = keyword;
      spec.payload = payload;
      spec.max_attempts = 5;
      if (!nexus_job_queue_enqueue (queue, &spec, NULL, &error))
        fail ("cannot enqueue: %s", error->message);
    }
  if (!nexus_store_commit (store, &error))
    fail ("cannot commit the jobs: %s", error->message);
}

/* ---- HTTP/1.1 --------------------------------------------------------- */

/* Appends @format's text to @out through a stack buffer: no heap
 * allocation for the short pieces requests are made of (the GString
 * itself is reused). */
static void append_printf (GString *out, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
append_printf (GString *out, const char *format, ...)
{
  char    buffer[512];
  va_list args;
  int     n;

  va_start (args, format);
  n = g_vsnprintf (buffer, sizeof buffer, format, args);
  va_end (args);
  if (n >= 0 && (gsize)n < sizeof buffer)
    {
      g_string_append_len (out, buffer, n);
      return;
    }
  va_start (args, format);
  g_string_append_vprintf (out, format, args);
  va_end (args);
}

/* @n_bytes (at most 48) random bytes as unpadded base64url into @out
 * (@out_size bytes): what nexus_random_token() returns, without the
 * heap. */
static void
random_token_into (char *out, gsize out_size, gsize n_bytes)
{
  guint8 bytes[48];
  int    state = 0;
  int    save = 0;
  gsize  length;

  g_assert (n_bytes <= sizeof bytes && out_size >= (n_bytes / 3 + 2) * 4 + 1);
  nexus_random_bytes (bytes, n_bytes);
  length = g_base64_encode_step (bytes, n_bytes, FALSE, out, &state, &save);
  length += g_base64_encode_close (FALSE, out + length, &state, &save);
  while (length > 0 && out[length - 1] == '=')
    length--;
  out[length] = '\0';
  for (gsize i = 0; i < length; i++)
    out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
}

/* Builds a signed POST of @body to @path (PROTOCOL.md, "Signing"): a
 * fresh 32-character nonce, the signature by nexus_signature_compute(). */
static void
build_request (GString               *out,
               const NexusConnection *identity,
               guint16                port,
               const char            *path,
               const char            *body,
               const char            *idempotency_key)
{
  gsize            length = strlen (body);
  char             timestamp[24];
  char             nonce[72];
  g_autofree char *signature = NULL;

  g_snprintf (timestamp, sizeof timestamp, "%" G_GINT64_FORMAT,
              g_get_real_time () / G_USEC_PER_SEC);
  random_token_into (nonce, sizeof nonce, 24);
  signature = nexus_signature_compute (identity->secret, "POST", path, timestamp, nonce,
                                       (const guint8 *)body, length);

  g_string_truncate (out, 0);
  append_printf (out,
                 "POST %s HTTP/1.1\r\n"
                 "Host: 127.0.0.1:%u\r\n"
                 "Content-Type: application/json\r\n"
                 "Content-Length: %zu\r\n"
                 "X-Nexus-Worker: %s\r\n"
                 "X-Nexus-Timestamp: %s\r\n"
                 "X-Nexus-Nonce: %s\r\n"
                 "X-Nexus-Signature: %s\r\n",
                 path, port, length, identity->worker_id, timestamp, nonce, signature);
  if (idempotency_key != NULL)
    append_printf (out, "Idempotency-Key: %s\r\n", idempotency_key);
  g_string_append (out, "\r\n");
  g_string_append_len (out, body, length);
}

typedef struct
{
  guint    status;
  gsize    head_length; /* through the blank line */
  gsize    body_length;
  gboolean close; /* the server said Connection: close */
} Response;

typedef enum
{
  PARSE_MORE,
  PARSE_DONE,
  PARSE_BAD,
} ParseResult;

/* Parses the response at the start of @data (NUL-terminated after
 * @length).  Only Content-Length bodies: libsoup answers every endpoint we
 * call that way. */
static ParseResult
parse_response (const char *data, gsize length, Response *response)
{
  const char *end = strstr (data, "\r\n\r\n");
  const char *line;
  gboolean    has_length = FALSE;

  memset (response, 0, sizeof *response);
  if (end == NULL)
    return length > MAX_RESPONSE_HEAD ? PARSE_BAD : PARSE_MORE;
  response->head_length = end - data + 4;

  if (!g_str_has_prefix (data, "HTTP/1.1 ") || !g_ascii_isdigit (data[9]))
    return PARSE_BAD;
  response->status = (guint)g_ascii_strtoull (data + 9, NULL, 10);

  for (line = strstr (data, "\r\n") + 2; line < end; line = strstr (line, "\r\n") + 2)
    {
      if (g_ascii_strncasecmp (line, "Content-Length:", 15) == 0)
        {
          response->body_length = (gsize)g_ascii_strtoull (line + 15, NULL, 10);
          has_length = TRUE;
        }
      else if (g_ascii_strncasecmp (line, "Transfer-Encoding:", 18) == 0)
        return PARSE_BAD;
      else if (g_ascii_strncasecmp (line, "Connection:", 11) == 0)
        {
          const char *line_end = strstr (line, "\r\n");

          for (const char *at = line + 11; at + 5 <= line_end && !response->close; at++)
            response->close = g_ascii_strncasecmp (at, "close", 5) == 0;
        }
    }
  if (!has_length && response->status != 204 && response->status != 304)
    return PARSE_BAD;
  return length >= response->head_length + response->body_length ? PARSE_DONE : PARSE_MORE;
}

/* A non-blocking socket connecting to 127.0.0.1:@port (the handshake may
 * still be under way). */
/* Sends what the socket takes of @out from *@offset on, advancing it.
 * FALSE with errno set when the connection failed. */
static gboolean
send_some (int fd, const GString *out, gsize *offset)
{
  while (*offset < out->len)
    {
      ssize_t n = send (fd, out->str + *offset, out->len - *offset, MSG_NOSIGNAL);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return TRUE;
      if (n <= 0)
        {
          if (n == 0)
            errno = EPIPE;
          return FALSE;
        }
      *offset += (gsize)n;
    }
  return TRUE;
}

/* recv() again after a signal: the bytes read, 0 at the end, or -1 with
 * errno (EAGAIN: nothing for now). */
static ssize_t
recv_some (int fd, char *buffer, gsize size)
{
  ssize_t n;

  do
    n = recv (fd, buffer, size, 0);
  while (n < 0 && errno == EINTR);
  return n;
}

/* How a non-blocking connect() on @fd ended: 0, or the errno. */
static int
connect_result (int fd)
{
  int       error = 0;
  socklen_t length = sizeof error;

  if (getsockopt (fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0)
    return errno;
  return error;
}

static int
connect_loopback (guint16 port, GError **error)
{
  struct sockaddr_in address = { 0 };
  int                fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  int                one = 1;

  if (fd < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "socket: %s",
                   g_strerror (errno));
      return -1;
    }
  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  address.sin_family = AF_INET;
  address.sin_port = htons (port);
  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (connect (fd, (struct sockaddr *)&address, sizeof address) != 0 && errno != EINPROGRESS)
    {
      int saved = errno;
      close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "connect: %s",
                   g_strerror (saved));
      return -1;
    }
  return fd;
}

/* ---- api-cycle -------------------------------------------------------- */

static guint cycle_workers = 64;
static guint cycle_jobs = 4000;
static guint cycle_leads = 2;
static guint cycle_rounds = 5;
static guint cycle_time_limit_s = 150;

static const GOptionEntry cycle_entries[] = {
  { "workers", 'w', 0, G_OPTION_ARG_INT, &cycle_workers,
    "Simulated workers (keep-alive connections)", "N" },
  { "jobs", 'j', 0, G_OPTION_ARG_INT, &cycle_jobs, "Jobs queued and worked through", "N" },
  { "leads", 'l', 0, G_OPTION_ARG_INT, &cycle_leads, "Leads per report (0-50)", "N" },
  { "rounds", 'r', 0, G_OPTION_ARG_INT, &cycle_rounds,
    "Rounds of a raw pass beside an HTTP pass; the median ratio is the figure", "N" },
  { "time-limit", 't', 0, G_OPTION_ARG_INT, &cycle_time_limit_s,
    "Stop taking jobs after this many seconds", "S" },
  { NULL }
};

/* ---- a strict reader of the two answers the cycle loop reads ----------
 *
 * The simulated workers read only a few fields, and share the machine's
 * cores with the server: a general JSON parser building a tree for every
 * answer would take CPU from the server under test.  This reader walks the
 * text once, validates its whole structure (strings, escapes, numbers,
 * nesting, nothing after the value) and picks out the fields; anything else
 * is an answer it cannot read, and fails the run. */

typedef struct
{
  const char *at;
  const char *end;
  guint       depth;
} JsonCursor;

/* Nesting deeper than this is not an answer of ours. */
#define JSON_MAX_DEPTH 32

static void
json_skip_space (JsonCursor *c)
{
  while (c->at < c->end && (*c->at == ' ' || *c->at == '\t' || *c->at == '\n' || *c->at == '\r'))
    c->at++;
}

/* Consumes @ch (after any white space) when it comes next. */
static gboolean
json_take (JsonCursor *c, char ch)
{
  json_skip_space (c);
  if (c->at >= c->end || *c->at != ch)
    return FALSE;
  c->at++;
  return TRUE;
}

/* A string: its raw text between the quotes (escapes not decoded) at
 * *@out_text, @out_length bytes; escapes and control characters
 * validated. */
static gboolean
json_string (JsonCursor *c, const char **out_text, gsize *out_length)
{
  const char *start;

  if (!json_take (c, '"'))
    return FALSE;
  start = c->at;
  while (c->at < c->end && *c->at != '"')
    {
      guchar ch = (guchar)*c->at++;

      if (ch < 0x20)
        return FALSE;
      if (ch != '\\')
        continue;
      if (c->at >= c->end)
        return FALSE;
      ch = (guchar)*c->at++;
      if (ch == 'u')
        {
          for (guint i = 0; i < 4; i++, c->at++)
            if (c->at >= c->end || !g_ascii_isxdigit (*c->at))
              return FALSE;
        }
      else if (strchr ("\"\\/bfnrt", ch) == NULL || ch == '\0')
        return FALSE;
    }
  if (c->at >= c->end)
    return FALSE;
  if (out_text != NULL)
    *out_text = start;
  if (out_length != NULL)
    *out_length = c->at - start;
  c->at++;
  return TRUE;
}

/* Whether the raw member name @text (@length bytes) is @name. */
static gboolean
json_member_is (const char *text, gsize length, const char *name)
{
  return length == strlen (name) && memcmp (text, name, length) == 0;
}

static gboolean
json_digits (JsonCursor *c)
{
  const char *start = c->at;

  while (c->at < c->end && g_ascii_isdigit (*c->at))
    c->at++;
  return c->at > start;
}

/* A number of any JSON form. */
static gboolean
json_skip_number (JsonCursor *c)
{
  json_skip_space (c);
  if (c->at < c->end && *c->at == '-')
    c->at++;
  if (c->at < c->end && *c->at == '0')
    c->at++;
  else if (!json_digits (c))
    return FALSE;
  if (c->at < c->end && *c->at == '.')
    {
      c->at++;
      if (!json_digits (c))
        return FALSE;
    }
  if (c->at < c->end && (*c->at == 'e' || *c->at == 'E'))
    {
      c->at++;
      if (c->at < c->end && (*c->at == '+' || *c->at == '-'))
        c->at++;
      if (!json_digits (c))
        return FALSE;
    }
  return TRUE;
}

/* An integer (no fraction, no exponent) that fits in a gint64. */
static gboolean
json_int (JsonCursor *c, gint64 *out_value)
{
  gboolean negative = FALSE;
  guint64  value = 0;
  guint    n_digits = 0;

  json_skip_space (c);
  if (c->at < c->end && *c->at == '-')
    {
      negative = TRUE;
      c->at++;
    }
  for (; c->at < c->end && g_ascii_isdigit (*c->at); c->at++, n_digits++)
    {
      if (value > (G_MAXUINT64 - 9) / 10)
        return FALSE;
      value = value * 10 + (guint64)(*c->at - '0');
    }
  if (n_digits == 0 || (n_digits > 1 && c->at[-(gssize)n_digits] == '0') ||
      value > (guint64)G_MAXINT64)
    return FALSE;
  if (c->at < c->end && (*c->at == '.' || *c->at == 'e' || *c->at == 'E'))
    return FALSE;
  *out_value = negative ? -(gint64)value : (gint64)value;
  return TRUE;
}

static gboolean
json_literal (JsonCursor *c, const char *word)
{
  gsize length = strlen (word);

  if ((gsize)(c->end - c->at) < length || memcmp (c->at, word, length) != 0)
    return FALSE;
  c->at += length;
  return TRUE;
}

/* Any value, validated and passed over. */
static gboolean
json_skip_value (JsonCursor *c)
{
  gboolean ok = TRUE;

  json_skip_space (c);
  if (c->at >= c->end)
    return FALSE;
  switch (*c->at)
    {
      case '"':
        return json_string (c, NULL, NULL);
      case 't':
        return json_literal (c, "true");
      case 'f':
        return json_literal (c, "false");
      case 'n':
        return json_literal (c, "null");
      case '{':
      case '[':
        {
          gboolean object = *c->at == '{';
          char     close = object ? '}' : ']';

          if (++c->depth > JSON_MAX_DEPTH)
            return FALSE;
          c->at++;
          if (!json_take (c, close))
            {
              do
                ok = (!object || (json_string (c, NULL, NULL) && json_take (c, ':'))) &&
                     json_skip_value (c);
              while (ok && json_take (c, ','));
              ok = ok && json_take (c, close);
            }
          c->depth--;
          return ok;
        }
      default:
        return json_skip_number (c);
    }
}

/* Nothing but white space after the value. */
static gboolean
json_at_end (JsonCursor *c)
{
  json_skip_space (c);
  return c->at == c->end;
}

/* One job of a lease answer: {"id":N,"lease_token":"…",…}; the token must
 * need no unescaping (the server's are base64url) and fit @token_size. */
static gboolean
read_leased_job (JsonCursor *c, gint64 *out_id, char *token, gsize token_size)
{
  gboolean has_id = FALSE;
  gboolean has_token = FALSE;

  if (!json_take (c, '{'))
    return FALSE;
  if (json_take (c, '}'))
    return FALSE;
  do
    {
      const char *name, *text;
      gsize       name_length, length;

      if (!json_string (c, &name, &name_length) || !json_take (c, ':'))
        return FALSE;
      if (json_member_is (name, name_length, "id"))
        {
          if (!json_int (c, out_id) || *out_id <= 0)
            return FALSE;
          has_id = TRUE;
        }
      else if (json_member_is (name, name_length, "lease_token"))
        {
          if (!json_string (c, &text, &length) || length == 0 || length >= token_size ||
              memchr (text, '\\', length) != NULL)
            return FALSE;
          memcpy (token, text, length);
          token[length] = '\0';
          has_token = TRUE;
        }
      else if (!json_skip_value (c))
        return FALSE;
    }
  while (json_take (c, ','));
  return json_take (c, '}') && has_id && has_token;
}

/* The answer to a lease (engine/api jobs_text()):
 * {"jobs":[{"id","lease_token","lease_expires_at","attempt","kind","payload"}…]}.
 * *@out_n_jobs: the jobs in the list; the first one's id and token. */
static gboolean
read_lease_answer (const char *text,
                   gsize       length,
                   guint      *out_n_jobs,
                   gint64     *out_id,
                   char       *token,
                   gsize       token_size)
{
  JsonCursor c = { text, text + length, 0 };
  gboolean   has_jobs = FALSE;

  *out_n_jobs = 0;
  if (!json_take (&c, '{') || json_take (&c, '}'))
    return FALSE;
  do
    {
      const char *name;
      gsize       name_length;

      if (!json_string (&c, &name, &name_length) || !json_take (&c, ':'))
        return FALSE;
      if (!json_member_is (name, name_length, "jobs"))
        {
          if (!json_skip_value (&c))
            return FALSE;
          continue;
        }
      if (has_jobs || !json_take (&c, '['))
        return FALSE;
      has_jobs = TRUE;
      if (json_take (&c, ']'))
        continue;
      do
        {
          gint64 id = 0;
          char   other[256];

          if (*out_n_jobs == 0 ? !read_leased_job (&c, out_id, token, token_size)
                               : !read_leased_job (&c, &id, other, sizeof other))
            return FALSE;
          (*out_n_jobs)++;
        }
      while (json_take (&c, ','));
      if (!json_take (&c, ']'))
        return FALSE;
    }
  while (json_take (&c, ','));
  return json_take (&c, '}') && json_at_end (&c) && has_jobs;
}

typedef struct
{
  gint64 accepted;
  gint64 n_new;
  gint64 merged;
  gint64 preview;
} ReportCounts;

/* The answer to a report (nexus_ingest_report_to_text()):
 * {"accepted","new","merged","preview","rejected":[{"index","reason"}…]};
 * the four counts are required. */
static gboolean
read_report_answer (const char *text, gsize length, ReportCounts *counts)
{
  JsonCursor c = { text, text + length, 0 };
  guint      seen = 0;

  if (!json_take (&c, '{') || json_take (&c, '}'))
    return FALSE;
  do
    {
      const char *name;
      gsize       name_length;
      gint64     *count = NULL;
      guint       bit = 0;

      if (!json_string (&c, &name, &name_length) || !json_take (&c, ':'))
        return FALSE;
      if (json_member_is (name, name_length, "accepted"))
        count = &counts->accepted, bit = 1;
      else if (json_member_is (name, name_length, "new"))
        count = &counts->n_new, bit = 2;
      else if (json_member_is (name, name_length, "merged"))
        count = &counts->merged, bit = 4;
      else if (json_member_is (name, name_length, "preview"))
        count = &counts->preview, bit = 8;
      if (count != NULL ? !json_int (&c, count) || *count < 0 : !json_skip_value (&c))
        return FALSE;
      seen |= bit;
    }
  while (json_take (&c, ','));
  return json_take (&c, '}') && json_at_end (&c) && seen == 15;
}

/* Appends a name unlike its neighbours' to @out, so leads next to each
 * other are new leads rather than fuzzy duplicates. */
static void
append_lead_name (GString *out, guint64 k)
{
  static const char *const syllables[] = { "ba", "lu", "mi",  "to",  "ker", "sa", "vo",  "ne",
                                           "ri", "pa", "dou", "gal", "fen", "zo", "cha", "lim" };
  guint64                  h = (k + 1) * G_GUINT64_CONSTANT (0x9E3779B97F4A7C15);
  gsize                    start = out->len;

  for (guint word = 0; word < 2; word++)
    {
      for (guint s = 0; s < 3; s++, h >>= 4)
        g_string_append (out, syllables[h & 15]);
      out->str[out->len - 6] = g_ascii_toupper (out->str[out->len - 6]);
      g_string_append_c (out, ' ');
    }
  out->str[start] = g_ascii_toupper (out->str[start]);
  append_printf (out, "%" G_GUINT64_FORMAT, k);
}

/* {"lease_token","final":true,"saturated":false,"stats","results":[LEAD…]}
 * with leads of distinct provider refs, phones and positions, into @body
 * (reused). */
static void
build_report_body (GString *body, const char *token, gint64 job_id, guint n_leads)
{
  g_string_truncate (body, 0);
  append_printf (body,
                 "{\"lease_token\":\"%s\",\"final\":true,\"saturated\":false,"
                 "\"stats\":{\"elapsed_ms\":%u,\"provider_calls\":1},\"results\":[",
                 token, (guint)(job_id % 900) + 100);
  for (guint i = 0; i < n_leads; i++)
    {
      guint64 k = (guint64)job_id * 64 + i;
      guint64 digits = 42612000 + k;

      append_printf (
          body, "%s{\"provider\":\"overpass\",\"ref\":\"node/%" G_GUINT64_FORMAT "\",\"name\":\"",
          i > 0 ? "," : "", k);
      append_lead_name (body, k);
      append_printf (body,
                     "\",\"phones\":[\"+33 1 %02u %02u %02u %02u\"],\"lat\":48.%06u,"
                     "\"lon\":2.%06u,\"city\":\"Paris\",\"country\":\"FR\","
                     "\"category\":\"restaurant\",\"tags\":{\"amenity\":\"restaurant\"}}",
                     (guint)(digits / 1000000 % 100), (guint)(digits / 10000 % 100),
                     (guint)(digits / 100 % 100), (guint)(digits % 100),
                     850000 + (guint)(k % 900) * 100, 250000 + (guint)(k / 900 % 900) * 100);
    }
  g_string_append (body, "]}");
}

/* One simulated worker: one non-blocking keep-alive connection of the
 * load generator's event loop, going lease → report → lease… on its own
 * until its lease answers an empty list. */
typedef enum
{
  CYCLE_CONNECTING, /* the handshake under way; a request may wait for it */
  CYCLE_IDLE,       /* connected, nothing in flight (before the start) */
  CYCLE_BUSY,       /* a request being written, or its answer being read */
  CYCLE_DONE,       /* the queue is empty or the time is up; closed */
} CycleState;

typedef struct
{
  guint                  index;
  const NexusConnection *identity;
  guint16                port;
  guint                  n_leads; /* per report */
  int                    fd;
  CycleState             state;
  gboolean               queued;   /* the request waits for the connection */
  gboolean               leasing;  /* the request is a lease; else a report */
  gboolean               want_out; /* EPOLLOUT registered */
  gint64                 job_id;   /* of the report in flight */
  GString               *request;
  gsize                  request_offset; /* bytes of it sent */
  GString               *body;           /* of the report being sent */
  GString               *in;             /* bytes received, NUL-terminated */
  gint64                 sent_us;        /* the request's first byte (or the connect) went then */
  GArray                *lease_us;       /* latency of each lease */
  GArray                *report_us;      /* latency of each report */
  guint                  cycles;         /* jobs leased and reported */
  guint                  reconnects;     /* the server said Connection: close */
  gint64                 accepted;
  gint64                 n_new;
  gint64                 merged;
  gint64                 preview;
} CycleClient;

/* The load generator: one thread ("bench-worker") and its epoll set over
 * every simulated worker's connection. */
typedef struct
{
  int        epoll_fd;
  GPtrArray *clients;   /* CycleClient* */
  guint      n_running; /* clients not CYCLE_DONE */
  gint64     deadline_us;
  gint64     checked_us; /* the last look for answers overdue */
  char      *failure;    /* the first failure; the loop stops */
} CycleLoop;

typedef struct
{
  GMutex   mutex;
  GCond    cond;
  gboolean ready; /* the connections are open; the loop waits for the start */
  gboolean go;
  gint64   deadline_us;
  gboolean finished; /* the loop is done, its thread waits for its CPU time to be read */
  gboolean measured;
} CycleStart;

static CycleStart cycle_start;

static void cycle_fail (CycleLoop *loop, CycleClient *client, const char *format, ...)
    G_GNUC_PRINTF (3, 4);

/* Records the run's first failure; the loop stops at its next turn. */
static void
cycle_fail (CycleLoop *loop, CycleClient *client, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list          args;

  if (loop->failure != NULL)
    return;
  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  loop->failure = g_strdup_printf ("worker %u: %s", client->index, message);
}

static void
cycle_watch (CycleLoop *loop, CycleClient *client, gboolean want_out, int op)
{
  struct epoll_event event = { 0 };

  event.events = EPOLLIN | EPOLLRDHUP | (want_out ? EPOLLOUT : 0);
  event.data.ptr = client;
  if (epoll_ctl (loop->epoll_fd, op, client->fd, &event) != 0)
    cycle_fail (loop, client, "epoll_ctl: %s", g_strerror (errno));
  client->want_out = want_out;
}

static void
cycle_close (CycleClient *client)
{
  if (client->fd >= 0)
    close (client->fd); /* also leaves the epoll set */
  client->fd = -1;
}

/* Starts a connection; the loop sees it through (cycle_event()). */
static void
cycle_open (CycleLoop *loop, CycleClient *client)
{
  g_autoptr (GError) error = NULL;

  client->fd = connect_loopback (client->port, &error);
  if (client->fd < 0)
    {
      cycle_fail (loop, client, "%s", error->message);
      return;
    }
  client->state = CYCLE_CONNECTING;
  client->sent_us = g_get_monotonic_time ();
  cycle_watch (loop, client, TRUE, EPOLL_CTL_ADD);
}

/* Writes what the socket takes of the request; EPOLLOUT is watched while
 * some of it is left. */
static void
cycle_flush (CycleLoop *loop, CycleClient *client)
{
  if (!send_some (client->fd, client->request, &client->request_offset))
    {
      cycle_fail (loop, client, "send: %s", g_strerror (errno));
      return;
    }
  if ((client->request_offset < client->request->len) != client->want_out)
    cycle_watch (loop, client, client->request_offset < client->request->len, EPOLL_CTL_MOD);
}

/* Sends client->request, on a new connection when the server closed the
 * last one; its latency runs from its first byte. */
static void
cycle_send (CycleLoop *loop, CycleClient *client)
{
  client->request_offset = 0;
  g_string_truncate (client->in, 0);
  if (client->fd < 0)
    {
      client->queued = TRUE;
      cycle_open (loop, client);
      return;
    }
  client->queued = FALSE;
  client->state = CYCLE_BUSY;
  client->sent_us = g_get_monotonic_time ();
  cycle_flush (loop, client);
}

static void
cycle_done (CycleLoop *loop, CycleClient *client)
{
  cycle_close (client);
  client->state = CYCLE_DONE;
  loop->n_running--;
}

/* The next lease, or the end of this worker once the time is up. */
static void
cycle_lease (CycleLoop *loop, CycleClient *client)
{
  if (g_get_monotonic_time () >= loop->deadline_us)
    {
      cycle_done (loop, client);
      return;
    }
  build_request (client->request, client->identity, client->port, "/api/v1/jobs/lease",
                 "{\"max\":1,\"wait_s\":0}", NULL);
  client->leasing = TRUE;
  cycle_send (loop, client);
}

/* The final report of the leased job @job_id, with client->n_leads leads. */
static void
cycle_report (CycleLoop *loop, CycleClient *client, gint64 job_id, const char *token)
{
  char path[64];
  char key[32];

  g_snprintf (path, sizeof path, "/api/v1/jobs/%" G_GINT64_FORMAT "/report", job_id);
  build_report_body (client->body, token, job_id, client->n_leads);
  random_token_into (key, sizeof key, 16);
  build_request (client->request, client->identity, client->port, path, client->body->str, key);
  client->leasing = FALSE;
  client->job_id = job_id;
  cycle_send (loop, client);
}

/* A whole answer is in client->in: checks it, reads it with the strict
 * readers and sends the next request. */
static void
cycle_answered (CycleLoop *loop, CycleClient *client, const Response *response)
{
  const char  *answer = client->in->str + response->head_length;
  gint64       latency_us = g_get_monotonic_time () - client->sent_us;
  char         token[256];
  guint        n_jobs = 0;
  gint64       job_id = 0;
  ReportCounts counts = { 0 };

  if (response->close)
    {
      cycle_close (client);
      client->reconnects++;
    }
  client->state = CYCLE_IDLE;

  if (client->leasing)
    {
      g_array_append_val (client->lease_us, latency_us);
      if (response->status != 200 ||
          !read_lease_answer (answer, response->body_length, &n_jobs, &job_id, token, sizeof token))
        cycle_fail (loop, client, "lease answered %u: %.200s", response->status, answer);
      else if (n_jobs == 0)
        cycle_done (loop, client); /* the queue is empty */
      else if (n_jobs != 1)
        cycle_fail (loop, client, "asked for 1 job, got %u", n_jobs);
      else
        cycle_report (loop, client, job_id, token);
      return;
    }

  g_array_append_val (client->report_us, latency_us);
  if (response->status != 200 || !read_report_answer (answer, response->body_length, &counts))
    {
      cycle_fail (loop, client, "report of job %" G_GINT64_FORMAT " answered %u: %.200s",
                  client->job_id, response->status, answer);
      return;
    }
  if (counts.accepted != client->n_leads)
    {
      cycle_fail (loop, client,
                  "job %" G_GINT64_FORMAT " accepted %" G_GINT64_FORMAT " of %u leads: %.300s",
                  client->job_id, counts.accepted, client->n_leads, answer);
      return;
    }
  client->accepted += counts.accepted;
  client->n_new += counts.n_new;
  client->merged += counts.merged;
  client->preview += counts.preview;
  client->cycles++;
  cycle_lease (loop, client);
}

/* Reads what the socket holds, up to the end of the answer in flight. */
static void
cycle_readable (CycleLoop *loop, CycleClient *client)
{
  for (;;)
    {
      GString    *in = client->in;
      gsize       length = in->len;
      Response    response;
      ParseResult parsed;
      ssize_t     n;

      if (in->allocated_len - length < 2048)
        {
          g_string_set_size (in, length + 4096);
          g_string_truncate (in, length);
        }
      n = recv_some (client->fd, in->str + length, in->allocated_len - length - 1);
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return;
      if (n <= 0)
        {
          cycle_fail (loop, client, "the server %s a keep-alive connection %s",
                      n == 0 ? "closed" : "reset",
                      client->state == CYCLE_BUSY ? "before answering" : "with nothing in flight");
          return;
        }
      g_string_set_size (in, length + (gsize)n);
      if (client->state != CYCLE_BUSY)
        {
          cycle_fail (loop, client, "%zd bytes nobody asked for", n);
          return;
        }
      parsed = parse_response (in->str, in->len, &response);
      if (parsed == PARSE_MORE && response.head_length > 0 &&
          response.body_length > MAX_RESPONSE_BODY)
        parsed = PARSE_BAD;
      if (parsed == PARSE_BAD)
        {
          cycle_fail (loop, client, "malformed HTTP answer");
          return;
        }
      if (parsed == PARSE_MORE)
        continue;
      if (in->len != response.head_length + response.body_length)
        cycle_fail (loop, client, "bytes after the answer");
      else if (client->request_offset < client->request->len)
        cycle_fail (loop, client, "answered before the whole request was sent");
      else
        cycle_answered (loop, client, &response);
      return;
    }
}

static void
cycle_event (CycleLoop *loop, CycleClient *client, guint32 events)
{
  if (client->state == CYCLE_CONNECTING)
    {
      int error;

      if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
        return;
      error = connect_result (client->fd);
      if (error != 0)
        {
          cycle_fail (loop, client, "connect: %s", g_strerror (error));
          return;
        }
      client->state = CYCLE_IDLE;
      if (client->queued)
        cycle_send (loop, client); /* EPOLLOUT dropped once it is all sent */
      else
        cycle_watch (loop, client, FALSE, EPOLL_CTL_MOD);
      return;
    }
  if ((events & EPOLLOUT) && client->state == CYCLE_BUSY)
    cycle_flush (loop, client);
  if (loop->failure == NULL && client->fd >= 0 &&
      (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
    cycle_readable (loop, client);
}

/* One round of the load generator's loop; a request or a connection left
 * unanswered for IO_TIMEOUT_S fails the run. */
static void
cycle_iterate (CycleLoop *loop)
{
  struct epoll_event events[256];
  int                n = epoll_wait (loop->epoll_fd, events, G_N_ELEMENTS (events), 1000);
  gint64             now;

  if (n < 0 && errno != EINTR)
    {
      loop->failure = g_strdup_printf ("epoll_wait: %s", g_strerror (errno));
      return;
    }
  for (int i = 0; i < n && loop->failure == NULL; i++)
    cycle_event (loop, events[i].data.ptr, events[i].events);

  now = g_get_monotonic_time ();
  if (now - loop->checked_us < G_USEC_PER_SEC)
    return;
  loop->checked_us = now;
  for (guint i = 0; i < loop->clients->len && loop->failure == NULL; i++)
    {
      CycleClient *client = g_ptr_array_index (loop->clients, i);

      if ((client->state == CYCLE_BUSY || client->state == CYCLE_CONNECTING) &&
          now - client->sent_us > IO_TIMEOUT_S * G_USEC_PER_SEC)
        cycle_fail (loop, client, "no %s within %d s",
                    client->state == CYCLE_CONNECTING ? "connection" : "answer", IO_TIMEOUT_S);
    }
}

/* The load generator's thread: opens every simulated worker's connection,
 * waits for the start, then runs their cycles until each is done. */
static gpointer
cycle_loop_thread (gpointer data)
{
  CycleLoop *loop = data;
  gint64     deadline = g_get_monotonic_time () + IO_TIMEOUT_S * G_USEC_PER_SEC;
  guint      connecting = loop->clients->len;

  loop->n_running = loop->clients->len;
  loop->checked_us = g_get_monotonic_time ();
  for (guint i = 0; i < loop->clients->len && loop->failure == NULL; i++)
    cycle_open (loop, g_ptr_array_index (loop->clients, i));
  while (connecting > 0 && loop->failure == NULL)
    {
      if (g_get_monotonic_time () > deadline)
        loop->failure = g_strdup_printf ("%u of %u connections not made within %d s", connecting,
                                         loop->clients->len, IO_TIMEOUT_S);
      else
        cycle_iterate (loop);
      connecting = 0;
      for (guint i = 0; i < loop->clients->len; i++)
        connecting +=
            ((CycleClient *)g_ptr_array_index (loop->clients, i))->state == CYCLE_CONNECTING;
    }

  g_mutex_lock (&cycle_start.mutex);
  cycle_start.ready = TRUE;
  g_cond_broadcast (&cycle_start.cond);
  while (!cycle_start.go)
    g_cond_wait (&cycle_start.cond, &cycle_start.mutex);
  loop->deadline_us = cycle_start.deadline_us;
  g_mutex_unlock (&cycle_start.mutex);

  for (guint i = 0; i < loop->clients->len && loop->failure == NULL; i++)
    cycle_lease (loop, g_ptr_array_index (loop->clients, i));
  while (loop->n_running > 0 && loop->failure == NULL)
    cycle_iterate (loop);
  for (guint i = 0; i < loop->clients->len; i++)
    cycle_close (g_ptr_array_index (loop->clients, i));

  /* Stays until the main thread has read its CPU time: a thread's figures
   * go with it. */
  g_mutex_lock (&cycle_start.mutex);
  cycle_start.finished = TRUE;
  g_cond_broadcast (&cycle_start.cond);
  while (!cycle_start.measured)
    g_cond_wait (&cycle_start.cond, &cycle_start.mutex);
  g_mutex_unlock (&cycle_start.mutex);
  return NULL;
}

/* The baseline: lease + complete straight on a queue over its own store.
 * Returns jobs per second. */
static double
run_raw_baseline (guint n_jobs)
{
  static guint     n_runs;
  g_autofree char *name = g_strdup_printf ("raw-%u.db", ++n_runs);
  g_autofree char *path = g_build_filename (bench_dir, name, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (NexusJobQueue) queue = NULL;
  g_autoptr (NexusWorkerRecord) worker = NULL;
  g_autofree char *connection = NULL;
  guint            done = 0;
  gint64           started;
  double           seconds;

  store = nexus_store_open (path, NEXUS_STORE_OPEN_DEFAULT, &error);
  if (store == NULL)
    fail ("cannot open the baseline store: %s", error->message);
  connection =
      nexus_workers_add (store, "raw", NEXUS_ROLE_WORKER, "127.0.0.1:1", NULL, &worker, &error);
  if (connection == NULL)
    fail ("cannot add the baseline worker: %s", error->message);
  queue = nexus_job_queue_new (store);
  enqueue_jobs (queue, n_jobs);

  started = g_get_monotonic_time ();
  for (;;)
    {
      g_autoptr (GPtrArray) jobs = nexus_job_queue_lease (queue, worker->id, 1, NULL, &error);
      NexusLeasedJob *job;

      if (jobs == NULL)
        fail ("baseline lease: %s", error->message);
      if (jobs->len == 0)
        break;
      job = g_ptr_array_index (jobs, 0);
      if (!nexus_job_queue_complete (queue, job->id, job->lease_token, FALSE, cycle_leads, NULL,
                                     &error))
        fail ("baseline complete: %s", error->message);
      done++;
    }
  seconds = elapsed_s (started);
  if (done != n_jobs)
    fail ("baseline: %u of %u jobs leased", done, n_jobs);
  printf ("baseline (raw queue, no HTTP, no ingest): %u jobs leased + completed in %.2f s = "
          "%.0f jobs/s\n",
          done, seconds, done / seconds);
  return done / seconds;
}

/* The second baseline: the same, plus the report's leads parsed from the
 * same JSON body the workers send (nexus_lead_input_from_json(), as the
 * report path does) and ingested with the completion in one transaction;
 * no HTTP, no signatures, no threads.  Returns jobs per second. */
static double
run_raw_ingest_baseline (guint n_jobs, guint n_leads)
{
  static guint     n_runs;
  g_autofree char *name = g_strdup_printf ("raw-ingest-%u.db", ++n_runs);
  g_autofree char *path = g_build_filename (bench_dir, name, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusStore) store = NULL;
  g_autoptr (NexusJobQueue) queue = NULL;
  g_autoptr (NexusWorkerRecord) worker = NULL;
  g_autoptr (GString) body = g_string_sized_new (4096);
  g_autofree char *connection = NULL;
  NexusIngest     *ingest;
  guint            done = 0;
  gint64           accepted = 0;
  gint64           started;
  double           seconds;

  store = nexus_store_open (path, NEXUS_STORE_OPEN_DEFAULT, &error);
  if (store == NULL)
    fail ("cannot open the baseline store: %s", error->message);
  connection =
      nexus_workers_add (store, "raw", NEXUS_ROLE_WORKER, "127.0.0.1:1", NULL, &worker, &error);
  if (connection == NULL)
    fail ("cannot add the baseline worker: %s", error->message);
  ingest = nexus_ingest_get_for_store (store, &error);
  if (ingest == NULL)
    fail ("cannot start the baseline's ingest: %s", error->message);
  queue = nexus_job_queue_new (store);
  enqueue_jobs (queue, n_jobs);

  started = g_get_monotonic_time ();
  for (;;)
    {
      g_autoptr (GPtrArray) jobs = nexus_job_queue_lease (queue, worker->id, 1, NULL, &error);
      g_autoptr (GPtrArray) records =
          g_ptr_array_new_with_free_func ((GDestroyNotify)nexus_lead_input_free);
      g_autoptr (NexusIngestReport) report = nexus_ingest_report_new ();
      g_autoptr (JsonNode) root = NULL;
      NexusIngestContext context = { 0 };
      NexusLeasedJob    *job;
      JsonArray         *results;

      if (jobs == NULL)
        fail ("baseline lease: %s", error->message);
      if (jobs->len == 0)
        break;
      job = g_ptr_array_index (jobs, 0);

      build_report_body (body, job->lease_token, job->id, n_leads);
      root = json_from_string (body->str, &error);
      if (root == NULL)
        fail ("baseline report body: %s", error->message);
      results = json_object_get_array_member (json_node_get_object (root), "results");
      for (guint i = 0; i < json_array_get_length (results); i++)
        {
          NexusLeadInput *input =
              nexus_lead_input_from_json (json_array_get_object_element (results, i), &error);

          if (input == NULL)
            fail ("baseline lead: %s", error->message);
          g_ptr_array_add (records, input);
        }

      context.job_id = job->id;
      context.worker_id = worker->id;
      context.default_region = "FR";
      if (!nexus_store_begin (store, &error) ||
          !nexus_ingest_batch_in_transaction (ingest, &context, records, report, &error) ||
          !nexus_job_queue_complete_in_transaction (queue, job->id, job->lease_token, FALSE,
                                                    report->accepted, NULL, &error) ||
          !nexus_store_commit (store, &error))
        fail ("baseline report: %s", error->message);
      accepted += report->accepted;
      done++;
    }
  seconds = elapsed_s (started);
  if (done != n_jobs)
    fail ("baseline: %u of %u jobs leased", done, n_jobs);
  printf ("baseline (raw queue + ingest of %u leads per job, no HTTP): %u jobs leased + "
          "reported in %.2f s = %.0f jobs/s (%" G_GINT64_FORMAT " leads accepted)\n",
          n_leads, done, seconds, done / seconds, accepted);
  return done / seconds;
}

/* CPU seconds used so far by this process's threads named @name, summed
 * (the engine thread is "nexus-engine", the worker API's "nexus-api", the
 * load generator's, which runs every simulated worker, "bench-worker"); 0
 * when none is found.  Threads
 * that have ended are not counted.  Each thread's time on a CPU comes from
 * /proc/self/task/TID/schedstat (nanoseconds, exact); the user + system
 * clock ticks of its stat file only when schedstat is missing: ticks are
 * sampled, and threads that run in bursts of a few microseconds are
 * rarely on a CPU when a tick comes. */
static double
thread_cpu_s (const char *name)
{
  g_autoptr (GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  const char *tid;
  double      seconds = 0;

  while (dir != NULL && (tid = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *comm_path = g_build_filename ("/proc/self/task", tid, "comm", NULL);
      g_autofree char *schedstat_path =
          g_build_filename ("/proc/self/task", tid, "schedstat", NULL);
      g_autofree char *stat_path = g_build_filename ("/proc/self/task", tid, "stat", NULL);
      g_autofree char *comm = NULL;
      g_autofree char *text = NULL;
      g_auto (GStrv) fields = NULL;
      const char *rest;

      if (!g_file_get_contents (comm_path, &comm, NULL, NULL) ||
          !g_str_equal (g_strstrip (comm), name))
        continue;
      if (g_file_get_contents (schedstat_path, &text, NULL, NULL) && g_ascii_isdigit (text[0]))
        {
          seconds += g_ascii_strtoull (text, NULL, 10) / 1e9;
          continue;
        }
      g_clear_pointer (&text, g_free);
      if (!g_file_get_contents (stat_path, &text, NULL, NULL) ||
          (rest = strrchr (text, ')')) == NULL)
        continue;
      fields = g_strsplit (rest + 2, " ", 0);
      if (g_strv_length (fields) < 13)
        continue;
      seconds +=
          (g_ascii_strtoull (fields[11], NULL, 10) + g_ascii_strtoull (fields[12], NULL, 10)) /
          (double)sysconf (_SC_CLK_TCK);
    }
  return seconds;
}

/* Queues @n_jobs jobs and has cycle_workers simulated workers lease and
 * report them with @n_leads leads each over HTTP.  Returns jobs per
 * second. */
static double
run_http_pass (Bench *bench, guint n_jobs, guint n_leads)
{
  g_autoptr (GPtrArray) clients = g_ptr_array_new ();
  g_autoptr (GArray) lease_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GArray) report_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GHashTable) counts = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (NexusJobQueue) admin_queue = nexus_job_queue_new (bench->admin);
  gint64    accepted = 0, n_new = 0, merged = 0, preview = 0;
  gint64   *done;
  gint64    done_before;
  guint     cycles = 0;
  guint     reconnects = 0;
  CycleLoop loop = { 0 };
  GThread  *thread;
  double    engine_cpu;
  double    api_cpu;
  double    workers_cpu;
  double    seconds;
  gint64    started;

  counts = nexus_store_job_counts_by_status (bench->admin, &error);
  if (counts == NULL)
    fail ("cannot count jobs: %s", error->message);
  done = g_hash_table_lookup (counts, "done");
  done_before = done != NULL ? *done : 0;
  g_clear_pointer (&counts, g_hash_table_unref);
  enqueue_jobs (admin_queue, n_jobs);

  memset (&cycle_start, 0, sizeof cycle_start);
  g_mutex_init (&cycle_start.mutex);
  g_cond_init (&cycle_start.cond);
  for (guint i = 0; i < cycle_workers; i++)
    {
      CycleClient *client = g_new0 (CycleClient, 1);

      client->index = i;
      client->identity = g_ptr_array_index (bench->identities, i);
      client->port = bench->port;
      client->n_leads = n_leads;
      client->fd = -1;
      client->state = CYCLE_IDLE;
      client->request = g_string_sized_new (4096);
      client->body = g_string_sized_new (4096);
      client->in = g_string_sized_new (4096);
      client->lease_us =
          g_array_sized_new (FALSE, FALSE, sizeof (gint64), n_jobs / cycle_workers + 64);
      client->report_us =
          g_array_sized_new (FALSE, FALSE, sizeof (gint64), n_jobs / cycle_workers + 64);
      g_ptr_array_add (clients, client);
    }
  loop.clients = clients;
  loop.epoll_fd = epoll_create1 (EPOLL_CLOEXEC);
  if (loop.epoll_fd < 0)
    fail ("epoll_create1: %s", g_strerror (errno));
  thread = g_thread_new ("bench-worker", cycle_loop_thread, &loop);
  g_mutex_lock (&cycle_start.mutex);
  while (!cycle_start.ready)
    g_cond_wait (&cycle_start.cond, &cycle_start.mutex);
  engine_cpu = thread_cpu_s ("nexus-engine");
  api_cpu = thread_cpu_s ("nexus-api");
  workers_cpu = thread_cpu_s ("bench-worker");
  started = g_get_monotonic_time ();
  cycle_start.deadline_us = started + (gint64)cycle_time_limit_s * G_USEC_PER_SEC;
  cycle_start.go = TRUE;
  g_cond_broadcast (&cycle_start.cond);
  while (!cycle_start.finished)
    g_cond_wait (&cycle_start.cond, &cycle_start.mutex);
  seconds = elapsed_s (started);
  engine_cpu = thread_cpu_s ("nexus-engine") - engine_cpu;
  api_cpu = thread_cpu_s ("nexus-api") - api_cpu;
  workers_cpu = thread_cpu_s ("bench-worker") - workers_cpu;
  cycle_start.measured = TRUE;
  g_cond_broadcast (&cycle_start.cond);
  g_mutex_unlock (&cycle_start.mutex);
  g_thread_join (thread);
  g_mutex_clear (&cycle_start.mutex);
  g_cond_clear (&cycle_start.cond);
  close (loop.epoll_fd);
  if (loop.failure != NULL)
    fail ("%s", loop.failure);

  for (guint i = 0; i < clients->len; i++)
    {
      CycleClient *client = g_ptr_array_index (clients, i);

      cycles += client->cycles;
      reconnects += client->reconnects;
      accepted += client->accepted;
      n_new += client->n_new;
      merged += client->merged;
      preview += client->preview;
      g_array_append_vals (lease_us, client->lease_us->data, client->lease_us->len);
      g_array_append_vals (report_us, client->report_us->data, client->report_us->len);
    }

  printf ("HTTP, %u leads per report (%u workers, keep-alive, every request signed):\n"
          "  %u jobs leased + reported in %.2f s = %.0f jobs/s (%.0f requests/s)\n",
          n_leads, cycle_workers, cycles, seconds, cycles / seconds,
          (lease_us->len + report_us->len) / seconds);
  print_latency ("lease {max:1, wait_s:0}", lease_us);
  print_latency (n_leads > 0 ? "report (final, with leads)" : "report (final, no results)",
                 report_us);
  printf ("  engine thread CPU: %.2f s in %.2f s = %.0f%% busy, %.0f µs per job\n", engine_cpu,
          seconds, 100 * engine_cpu / seconds, engine_cpu * G_USEC_PER_SEC / MAX (cycles, 1));
  printf ("  API thread CPU:    %.2f s in %.2f s = %.0f%% busy, %.0f µs per job (HTTP, signatures, "
          "JSON)\n",
          api_cpu, seconds, 100 * api_cpu / seconds, api_cpu * G_USEC_PER_SEC / MAX (cycles, 1));
  printf ("  simulated workers' CPU: %.2f s in %.2f s = %.0f%% of one core, %.0f µs per job "
          "(the load generator: one thread, an epoll loop over %u keep-alive connections; "
          "requests built and signed, answers read; taken from the same cores as the "
          "server's)\n",
          workers_cpu, seconds, 100 * workers_cpu / seconds,
          workers_cpu * G_USEC_PER_SEC / MAX (cycles, 1), cycle_workers);
  printf ("  leads: %" G_GINT64_FORMAT " accepted, %" G_GINT64_FORMAT " new, %" G_GINT64_FORMAT
          " merged, %" G_GINT64_FORMAT " preview-only; %u reconnects (Connection: close)\n",
          accepted, n_new, merged, preview, reconnects);

  counts = nexus_store_job_counts_by_status (bench->admin, &error);
  if (counts == NULL)
    fail ("cannot count jobs: %s", error->message);
  done = g_hash_table_lookup (counts, "done");
  if (cycles < n_jobs)
    printf ("NOTE: stopped at the %u s time limit with %u of %u jobs done\n", cycle_time_limit_s,
            cycles, n_jobs);
  if (done == NULL || *done - done_before != cycles)
    fail ("%u reports answered 200 but %" G_GINT64_FORMAT " more jobs are done", cycles,
          done != NULL ? *done - done_before : 0);

  for (guint i = 0; i < clients->len; i++)
    {
      CycleClient *client = g_ptr_array_index (clients, i);

      g_string_free (client->request, TRUE);
      g_string_free (client->body, TRUE);
      g_string_free (client->in, TRUE);
      g_array_unref (client->lease_us);
      g_array_unref (client->report_us);
      g_free (client);
    }
  return cycles / seconds;
}

static int
compare_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *)a;
  double y = *(const double *)b;

  return x < y ? -1 : x > y;
}

/* Prints the median of @ratios (sorted here) with its range. */
static void
print_ratio (const char *label, GArray *ratios, const char *note)
{
  double median;

  g_array_sort (ratios, compare_double);
  median = ratios->len % 2 == 1 ? g_array_index (ratios, double, ratios->len / 2)
                                : (g_array_index (ratios, double, ratios->len / 2 - 1) +
                                   g_array_index (ratios, double, ratios->len / 2)) /
                                      2;
  printf ("%s = %.3f, the median of %u rounds [%.3f–%.3f] (%s)\n", label, median, ratios->len,
          g_array_index (ratios, double, 0), g_array_index (ratios, double, ratios->len - 1), note);
}

/* Rounds of a raw pass and an HTTP pass of the same jobs, one right after
 * the other, so that each ratio compares passes that saw the same machine;
 * the median of the rounds is the figure. */
static int
run_cycle (void)
{
  g_autoptr (GArray) ratios = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) leads_ratios = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) leads_raw_ratios = g_array_new (FALSE, FALSE, sizeof (double));
  guint leads_rounds = MIN (cycle_rounds, 3);
  guint leads_jobs = MAX (cycle_jobs / 2, 1);

  if (cycle_workers < 1 || cycle_workers > 256 || cycle_jobs < 1 || cycle_jobs > 1000000 ||
      cycle_leads > 50 || cycle_rounds < 1 || cycle_rounds > 20 || cycle_time_limit_s < 1 ||
      cycle_time_limit_s > 170)
    fail ("--workers 1..256, --jobs 1..1000000, --leads 0..50, --rounds 1..20, "
          "--time-limit 1..170");

  printf ("api-cycle: %u simulated workers, %u rounds of %u jobs with reports without results",
          cycle_workers, cycle_rounds, cycle_jobs);
  if (cycle_leads > 0)
    printf (", then %u rounds of %u jobs with %u leads per report", leads_rounds, leads_jobs,
            cycle_leads);
  printf ("\n");

  /* Each round's raw pass runs with no engine in the process (one would
   * checkpoint and tick in the background), then an engine starts on a
   * file of its own for the HTTP pass and stops after it. */
  for (guint round = 1; round <= cycle_rounds; round++)
    {
      Bench  bench = { 0 };
      double raw_rate;
      double http_rate;
      double ratio;

      printf ("\n-- round %u of %u\n", round, cycle_rounds);
      raw_rate = run_raw_baseline (cycle_jobs);
      bench_start (&bench, cycle_workers, FALSE);
      /* The protocol's cycle: lease, then the final report (no results). */
      http_rate = run_http_pass (&bench, cycle_jobs, 0);
      bench_stop (&bench);
      ratio = http_rate / raw_rate;
      g_array_append_val (ratios, ratio);
      printf ("  round ratio HTTP/raw = %.0f / %.0f = %.3f\n", http_rate, raw_rate, ratio);
    }

  for (guint round = 1; cycle_leads > 0 && round <= leads_rounds; round++)
    {
      Bench  bench = { 0 };
      double raw_rate;
      double raw_ingest_rate;
      double http_rate;
      double ratio;

      printf ("\n-- round %u of %u with %u leads per report\n", round, leads_rounds, cycle_leads);
      raw_rate = run_raw_baseline (leads_jobs);
      raw_ingest_rate = run_raw_ingest_baseline (leads_jobs, cycle_leads);
      bench_start (&bench, cycle_workers, FALSE);
      http_rate = run_http_pass (&bench, leads_jobs, cycle_leads);
      bench_stop (&bench);
      ratio = http_rate / raw_ingest_rate;
      g_array_append_val (leads_ratios, ratio);
      ratio = http_rate / raw_rate;
      g_array_append_val (leads_raw_ratios, ratio);
      printf ("  round ratio HTTP/raw + ingest = %.0f / %.0f = %.3f\n", http_rate, raw_ingest_rate,
              http_rate / raw_ingest_rate);
    }

  printf ("\n");
  print_ratio ("RATIO HTTP/raw", ratios,
               "issue target ≥ 0.5: lease + final report over HTTP against the raw queue's "
               "lease + complete");
  if (cycle_leads > 0)
    {
      g_autofree char *label =
          g_strdup_printf ("RATIO HTTP/raw with %u leads per report", cycle_leads);
      g_autofree char *raw_label =
          g_strdup_printf ("  (reports with %u leads against the raw queue alone", cycle_leads);

      print_ratio (label, leads_ratios,
                   "both ingest the leads: what HTTP, signatures and the API thread add to the "
                   "report path");
      print_ratio (raw_label, leads_raw_ratios, "the raw queue ingests nothing)");
    }
  return 0;
}

/* ---- api-connections -------------------------------------------------- */

static guint conn_waiting = 10000;
static guint conn_active = 1000;
static guint conn_identities = 100;
static guint conn_seconds = 10;
static guint conn_baseline_seconds = 5;
static guint conn_paced_ms = 500;

static const GOptionEntry connections_entries[] = {
  { "connections", 'c', 0, G_OPTION_ARG_INT, &conn_waiting,
    "Keep-alive connections holding a long-poll lease", "N" },
  { "active", 'a', 0, G_OPTION_ARG_INT, &conn_active,
    "Of those, connections made active for the loaded phase", "N" },
  { "identities", 'i', 0, G_OPTION_ARG_INT, &conn_identities,
    "Worker identities the connections are spread over", "N" },
  { "seconds", 's', 0, G_OPTION_ARG_INT, &conn_seconds, "Length of the loaded phase", "S" },
  { "baseline-seconds", 'b', 0, G_OPTION_ARG_INT, &conn_baseline_seconds,
    "Length of the one-connection baseline", "S" },
  { "paced-ms", 'p', 0, G_OPTION_ARG_INT, &conn_paced_ms,
    "Second loaded phase: each active connection sends a request every MS (0: skip it)", "MS" },
  { NULL }
};

#define CONN_IN_CAPACITY    2048
#define CONN_OUT_CAPACITY   1024
#define METRICS_IN_CAPACITY (256 * 1024)
/* Connections being opened at once (TCP handshake not yet done). */
#define MAX_CONNECTING 512
/* Waiting connections opened per step before checking they are parked. */
#define OPEN_BATCH 1000

typedef enum
{
  CONN_CLOSED,
  CONN_CONNECTING,
  CONN_BUSY, /* a request written or being written, its answer not read */
  CONN_IDLE, /* connected, nothing in flight */
} ConnState;

typedef enum
{
  ROLE_WAITING, /* one long poll after another */
  ROLE_ACTIVE,  /* heartbeat, lease, heartbeat… while the phase runs */
  ROLE_METRICS, /* GET /metrics when asked */
} ConnRole;

typedef enum
{
  REQUEST_LONG_POLL,
  REQUEST_HEARTBEAT,
  REQUEST_LEASE,
  REQUEST_METRICS,
} RequestKind;

typedef struct
{
  int                    fd;
  guint                  index;
  ConnState              state;
  ConnRole               role;
  RequestKind            kind;
  const NexusConnection *identity;
  GString               *out; /* the request; preallocated */
  gsize                  out_offset;
  char                  *in; /* preallocated, in_capacity bytes */
  gsize                  in_capacity;
  gsize                  in_length;
  gint64                 sent_us; /* when the request's first byte went */
  gint64                 next_us; /* an idle active connection sends again then */
  guint                  answers;
  gboolean               want_out; /* EPOLLOUT registered */
} Conn;

typedef struct
{
  int      epoll_fd;
  guint16  port;
  Conn    *waiting;        /* conn_waiting of them */
  Conn    *active;         /* conn_active of them */
  Conn     metrics;        /* GET /metrics, on its own keep-alive connection */
  guint    connecting;     /* handshakes in progress */
  gboolean active_running; /* active connections keep sending */
  gint64   pace_us;        /* 0: back to back; else one request per this */
  gboolean recording;
  GArray  *heartbeat_us;
  GArray  *lease_us;
  GArray  *first_us;           /* first request of each active connection */
  guint64  requests;           /* answered while recording */
  guint64  long_polls_renewed; /* long polls answered (empty) and sent again */
  char    *metrics_text;       /* the last /metrics body, when asked */
} Loop;

static void
conn_watch (Loop *loop, Conn *conn, gboolean want_out, gboolean add)
{
  struct epoll_event event = { 0 };

  event.events = EPOLLIN | EPOLLRDHUP | (want_out ? EPOLLOUT : 0);
  event.data.ptr = conn;
  if (epoll_ctl (loop->epoll_fd, add ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, conn->fd, &event) != 0)
    fail ("epoll_ctl: %s", g_strerror (errno));
  conn->want_out = want_out;
}

static void
conn_close (Loop *loop, Conn *conn)
{
  if (conn->fd >= 0)
    {
      if (conn->state == CONN_CONNECTING)
        loop->connecting--;
      close (conn->fd); /* also leaves the epoll set */
    }
  conn->fd = -1;
  conn->state = CONN_CLOSED;
  conn->in_length = 0;
}

static void
conn_open (Loop *loop, Conn *conn)
{
  g_autoptr (GError) error = NULL;

  conn->fd = connect_loopback (loop->port, &error);
  if (conn->fd < 0)
    fail ("connection %u: %s (open descriptors: %u)", conn->index, error->message,
          count_open_fds (0));
  conn->state = CONN_CONNECTING;
  conn->in_length = 0;
  conn->answers = 0;
  loop->connecting++;
  conn_watch (loop, conn, TRUE, TRUE);
}

static void
conn_flush (Loop *loop, Conn *conn)
{
  if (!send_some (conn->fd, conn->out, &conn->out_offset))
    fail ("connection %u: send: %s", conn->index, g_strerror (errno));
  if ((conn->out_offset < conn->out->len) != conn->want_out)
    conn_watch (loop, conn, conn->out_offset < conn->out->len, FALSE);
}

static void
conn_send (Loop *loop, Conn *conn, RequestKind kind)
{
  g_autofree char *heartbeat = NULL;

  conn->kind = kind;
  switch (kind)
    {
      case REQUEST_LONG_POLL:
        build_request (conn->out, conn->identity, loop->port, "/api/v1/jobs/lease",
                       "{\"max\":1,\"wait_s\":30}", NULL);
        break;
      case REQUEST_LEASE:
        build_request (conn->out, conn->identity, loop->port, "/api/v1/jobs/lease",
                       "{\"max\":1,\"wait_s\":0}", NULL);
        break;
      case REQUEST_HEARTBEAT:
        heartbeat = g_strdup_printf ("{\"version\":\"bench\",\"hostname\":\"bench-%u\","
                                     "\"capabilities\":[\"overpass\"],\"running\":[],"
                                     "\"load\":{\"jobs\":0}}",
                                     conn->index);
        build_request (conn->out, conn->identity, loop->port, "/api/v1/heartbeat", heartbeat, NULL);
        break;
      case REQUEST_METRICS:
      default:
        g_string_printf (conn->out, "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n\r\n",
                         loop->port);
        break;
    }
  conn->out_offset = 0;
  conn->state = CONN_BUSY;
  conn->sent_us = g_get_monotonic_time ();
  conn_flush (loop, conn);
}

/* What a connection does once it is free. */
static void
conn_next (Loop *loop, Conn *conn)
{
  gint64 now = g_get_monotonic_time ();

  conn->state = CONN_IDLE;
  switch (conn->role)
    {
      case ROLE_WAITING:
        conn_send (loop, conn, REQUEST_LONG_POLL);
        break;
      case ROLE_ACTIVE:
        /* A fresh connection always says hello first; its answer also
       * tells that the server has accepted the connection. */
        if (conn->answers > 0 && !loop->active_running)
          break;
        if (conn->answers > 0 && conn->next_us > now)
          break; /* the timer check in loop_iterate sends it */
        conn_send (loop, conn, conn->answers % 2 == 0 ? REQUEST_HEARTBEAT : REQUEST_LEASE);
        break;
      case ROLE_METRICS:
      default:
        break;
    }
}

static const char *
request_name (RequestKind kind)
{
  switch (kind)
    {
      case REQUEST_LONG_POLL:
        return "long-poll lease";
      case REQUEST_HEARTBEAT:
        return "heartbeat";
      case REQUEST_LEASE:
        return "lease";
      case REQUEST_METRICS:
      default:
        return "metrics";
    }
}

static void
conn_answered (Loop *loop, Conn *conn, Response *response)
{
  const char *body = conn->in + response->head_length;
  gint64      latency = g_get_monotonic_time () - conn->sent_us;

  if (response->status != 200)
    fail ("connection %u: %s answered %u: %.200s", conn->index, request_name (conn->kind),
          response->status, body);
  if (response->close)
    fail ("connection %u: the server closed a keep-alive connection after a %s", conn->index,
          request_name (conn->kind));

  switch (conn->kind)
    {
      case REQUEST_LONG_POLL:
      case REQUEST_LEASE:
        if (strstr (body, "\"jobs\":[]") == NULL)
          fail ("connection %u: a lease with no job queued answered %.200s", conn->index, body);
        if (conn->kind == REQUEST_LONG_POLL)
          loop->long_polls_renewed++;
        else if (loop->recording)
          g_array_append_val (loop->lease_us, latency);
        break;
      case REQUEST_HEARTBEAT:
        if (strstr (body, "\"server_time\"") == NULL)
          fail ("connection %u: heartbeat answered %.200s", conn->index, body);
        if (conn->answers == 0)
          g_array_append_val (loop->first_us, latency);
        else if (loop->recording)
          g_array_append_val (loop->heartbeat_us, latency);
        break;
      case REQUEST_METRICS:
      default:
        g_free (loop->metrics_text);
        loop->metrics_text = g_strndup (body, response->body_length);
        break;
    }
  if (loop->recording && conn->answers > 0 && conn->kind != REQUEST_METRICS &&
      conn->kind != REQUEST_LONG_POLL)
    loop->requests++;

  conn->answers++;
  memmove (conn->in, conn->in + response->head_length + response->body_length,
           conn->in_length - response->head_length - response->body_length);
  conn->in_length -= response->head_length + response->body_length;
  if (conn->in_length != 0)
    fail ("connection %u: bytes after the answer", conn->index);
  conn->next_us = loop->pace_us > 0 ? conn->sent_us + loop->pace_us : 0;
  conn_next (loop, conn);
}

static void
conn_readable (Loop *loop, Conn *conn)
{
  for (;;)
    {
      ssize_t n =
          recv_some (conn->fd, conn->in + conn->in_length, conn->in_capacity - 1 - conn->in_length);
      Response    response;
      ParseResult parsed;

      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return;
      if (n <= 0)
        fail ("connection %u: the server %s the connection (%s in flight, %u answers before)",
              conn->index, n == 0 ? "closed" : "reset",
              conn->state == CONN_BUSY ? request_name (conn->kind) : "nothing", conn->answers);
      conn->in_length += (gsize)n;
      conn->in[conn->in_length] = '\0';
      if (conn->state != CONN_BUSY)
        fail ("connection %u: %zd bytes nobody asked for", conn->index, n);
      parsed = parse_response (conn->in, conn->in_length, &response);
      if (parsed == PARSE_BAD)
        fail ("connection %u: malformed HTTP answer", conn->index);
      if (parsed == PARSE_DONE)
        {
          conn_answered (loop, conn, &response);
          if (conn->fd < 0)
            return;
        }
      else if (conn->in_length + 1 >= conn->in_capacity)
        fail ("connection %u: answer larger than %zu bytes", conn->index, conn->in_capacity);
    }
}

static void
conn_event (Loop *loop, Conn *conn, guint32 events)
{
  if (conn->state == CONN_CONNECTING)
    {
      int error;

      if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
        return;
      error = connect_result (conn->fd);
      if (error != 0)
        fail ("connection %u: connect: %s", conn->index, g_strerror (error));
      loop->connecting--;
      conn->state = CONN_IDLE;
      conn_watch (loop, conn, FALSE, FALSE);
      conn_next (loop, conn);
      return;
    }
  if ((events & EPOLLOUT) && conn->state == CONN_BUSY)
    conn_flush (loop, conn);
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
    conn_readable (loop, conn);
}

/* One round of the event loop: at most @timeout_ms of waiting. */
static void
loop_iterate (Loop *loop, int timeout_ms)
{
  struct epoll_event events[256];
  int                n = epoll_wait (loop->epoll_fd, events, G_N_ELEMENTS (events), timeout_ms);

  if (n < 0 && errno != EINTR)
    fail ("epoll_wait: %s", g_strerror (errno));
  for (int i = 0; i < n; i++)
    conn_event (loop, events[i].data.ptr, events[i].events);

  /* Paced active connections whose time has come. */
  if (loop->pace_us > 0 && loop->active_running)
    {
      gint64 now = g_get_monotonic_time ();

      for (guint i = 0; i < conn_active; i++)
        if (loop->active[i].state == CONN_IDLE && loop->active[i].next_us <= now)
          conn_next (loop, &loop->active[i]);
    }
}

static void
loop_run_for (Loop *loop, double seconds)
{
  gint64 until = g_get_monotonic_time () + (gint64)(seconds * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < until)
    loop_iterate (loop, loop->pace_us > 0 ? 1 : 20);
}

/* Asks /metrics over the loop's own metrics connection, serving every
 * other connection meanwhile, and returns the value of @name. */
static double
loop_fetch_metric (Loop *loop, const char *name, double *out_second, const char *second_name)
{
  gint64           deadline = g_get_monotonic_time () + IO_TIMEOUT_S * G_USEC_PER_SEC;
  g_autofree char *needle = g_strconcat ("\n", name, " ", NULL);
  const char      *found;

  g_clear_pointer (&loop->metrics_text, g_free);
  if (loop->metrics.state == CONN_CLOSED)
    conn_open (loop, &loop->metrics);
  while (loop->metrics.state == CONN_CONNECTING)
    loop_iterate (loop, 20);
  conn_send (loop, &loop->metrics, REQUEST_METRICS);
  while (loop->metrics_text == NULL)
    {
      if (g_get_monotonic_time () > deadline)
        fail ("no answer to GET /metrics within %d s", IO_TIMEOUT_S);
      loop_iterate (loop, 20);
    }
  if (out_second != NULL)
    {
      g_autofree char *second = g_strconcat ("\n", second_name, " ", NULL);
      found = strstr (loop->metrics_text, second);
      *out_second = found != NULL ? g_ascii_strtod (found + strlen (second), NULL) : -1;
    }
  found = strstr (loop->metrics_text, needle);
  if (found == NULL)
    fail ("/metrics has no %s", name);
  return g_ascii_strtod (found + strlen (needle), NULL);
}

/* Lets active connections finish what is in flight and stops them. */
static void
loop_stop_active (Loop *loop)
{
  gint64   deadline = g_get_monotonic_time () + IO_TIMEOUT_S * G_USEC_PER_SEC;
  gboolean busy = TRUE;

  loop->active_running = FALSE;
  while (busy)
    {
      busy = FALSE;
      for (guint i = 0; i < conn_active && !busy; i++)
        busy = loop->active[i].state == CONN_BUSY || loop->active[i].state == CONN_CONNECTING;
      if (!busy)
        break;
      if (g_get_monotonic_time () > deadline)
        fail ("active connections still waiting for answers after %d s", IO_TIMEOUT_S);
      loop_iterate (loop, 20);
    }
  loop->recording = FALSE;
}

static void
conn_init (Conn                  *conn,
           guint                  index,
           ConnRole               role,
           const NexusConnection *identity,
           gsize                  in_capacity)
{
  conn->fd = -1;
  conn->index = index;
  conn->state = CONN_CLOSED;
  conn->role = role;
  conn->identity = identity;
  conn->out = g_string_sized_new (CONN_OUT_CAPACITY);
  conn->in_capacity = in_capacity;
  conn->in = g_malloc (in_capacity);
  /* Touched now, so the client's buffers are in the RSS measured before
   * any connection: what grows afterwards is the server's. */
  memset (conn->in, 0, in_capacity);
  memset (conn->out->str, ' ', CONN_OUT_CAPACITY - 1);
}

static void
conn_clear (Conn *conn)
{
  g_string_free (conn->out, TRUE);
  g_free (conn->in);
}

static double
mib (gint64 kib)
{
  return kib / 1024.0;
}

/* Prints the server's CPU use since @cpu_before over @seconds of wall
 * time and @requests requests. */
static void
print_server_cpu (double cpu_before, double seconds, guint64 requests)
{
  double cpu = process_cpu_s (server_pid) - cpu_before;

  printf ("  server process CPU: %.2f s in %.1f s = %.0f%% of one core", cpu, seconds,
          100 * cpu / seconds);
  if (requests > 0)
    printf (", %.0f µs per request", cpu * G_USEC_PER_SEC / requests);
  printf ("\n");
}

/* Runs the active connections for @seconds (back to back when @pace_us is
 * 0) and prints their latencies against the baseline's.  The active
 * connections are open and idle. */
static void
run_active_phase (Loop       *loop,
                  const char *label,
                  gint64      pace_us,
                  guint       seconds,
                  GArray     *base_heartbeat,
                  GArray     *base_lease)
{
  gint64  started = g_get_monotonic_time ();
  guint64 renewed = loop->long_polls_renewed;
  double  cpu_before = process_cpu_s (server_pid);
  double  waiters;
  double  phase_seconds;
  double  base_p99 = percentile_ms (base_heartbeat, 99);
  double  base_lease_p99 = percentile_ms (base_lease, 99);

  g_array_set_size (loop->heartbeat_us, 0);
  g_array_set_size (loop->lease_us, 0);
  loop->requests = 0;
  loop->pace_us = pace_us;
  for (guint i = 0; i < conn_active; i++)
    loop->active[i].next_us = pace_us > 0 ? started + g_random_int_range (0, (gint32)pace_us) : 0;
  loop->recording = TRUE;
  loop->active_running = TRUE;
  for (guint i = 0; i < conn_active; i++)
    if (loop->active[i].state == CONN_IDLE)
      conn_next (loop, &loop->active[i]);

  loop_run_for (loop, seconds / 2.0);
  waiters = loop_fetch_metric (loop, "nexus_lease_waiters", NULL, NULL);
  loop_run_for (loop, seconds - elapsed_s (started));
  loop_stop_active (loop);
  phase_seconds = elapsed_s (started);

  printf ("\n%s: %u active connections + %u waiting, %.1f s, %" G_GUINT64_FORMAT
          " requests = %.0f requests/s\n",
          label, conn_active, conn_waiting - conn_active, phase_seconds, loop->requests,
          loop->requests / phase_seconds);
  if (pace_us > 0)
    printf ("  each active connection sends one request every %.0f ms (offered: %.0f "
            "requests/s)\n",
            pace_us / 1000.0, conn_active * (double)G_USEC_PER_SEC / pace_us);
  else
    printf ("  each active connection sends its next request as soon as it has the answer "
            "(a saturation test: latency ≈ %u in flight / throughput)\n",
            conn_active);
  print_latency ("heartbeat", loop->heartbeat_us);
  print_latency ("lease {max:1, wait_s:0}", loop->lease_us);
  print_server_cpu (cpu_before, phase_seconds, loop->requests);
  printf ("  server's lease waiters at mid-phase: %.0f (live long polls: %u)\n", waiters,
          conn_waiting - conn_active);
  if (loop->long_polls_renewed > renewed)
    printf ("  %" G_GUINT64_FORMAT " long polls ran out (empty answer) and were sent again\n",
            loop->long_polls_renewed - renewed);
  printf ("  RATIO heartbeat p99 loaded/baseline = %.2f / %.2f ms = %.1f "
          "(issue target: p99 < 50 ms)\n",
          percentile_ms (loop->heartbeat_us, 99), base_p99,
          percentile_ms (loop->heartbeat_us, 99) / MAX (base_p99, 0.001));
  printf ("  RATIO lease p99 loaded/baseline     = %.2f / %.2f ms = %.1f "
          "(issue target: p99 < 50 ms)\n",
          percentile_ms (loop->lease_us, 99), base_lease_p99,
          percentile_ms (loop->lease_us, 99) / MAX (base_lease_p99, 0.001));
}

/* Opens the active connections; each sends one heartbeat at once (not
 * counted in the phases: it also waits for the server's accept). */
static void
open_active (Loop *loop)
{
  gint64 started = g_get_monotonic_time ();
  gint64 deadline = started + 60 * G_USEC_PER_SEC;
  guint  answered = 0;

  g_array_set_size (loop->first_us, 0);
  loop->active_running = FALSE;
  for (guint i = 0; i < conn_active; i++)
    {
      while (loop->connecting >= MAX_CONNECTING)
        loop_iterate (loop, 20);
      conn_open (loop, &loop->active[i]);
    }
  while (answered < conn_active)
    {
      if (g_get_monotonic_time () > deadline)
        fail ("only %u of %u new connections answered within 60 s", answered, conn_active);
      loop_iterate (loop, 20);
      answered = 0;
      for (guint i = 0; i < conn_active; i++)
        answered += loop->active[i].answers > 0;
    }
  printf ("%u active connections opened and answered in %.2f s; their first request "
          "(includes waiting for the server's accept):\n",
          conn_active, elapsed_s (started));
  print_latency ("first heartbeat on a new connection", loop->first_us);
}

static int
run_connections (void)
{
  Bench bench = { 0 };
  Loop  loop = { 0 };
  g_autoptr (GArray) base_heartbeat = NULL;
  g_autoptr (GArray) base_lease = NULL;
  g_autoptr (NexusJobQueue) admin_queue = NULL;
  g_autoptr (GHashTable) counts = NULL;
  g_autoptr (GError) error = NULL;
  rlim_t  wanted;
  rlim_t  limit;
  gint64  rss_start, rss_before, rss_waiting, rss_after;
  gint64  client_rss_before;
  gint64  started;
  gint64 *leased = NULL;
  guint64 base_requests;
  double  base_seconds;
  double  cpu_before;
  double  waiters;
  double  open_requests = 0;
  double  open_seconds;

  if (conn_waiting < 1 || conn_waiting > 60000 || conn_active < 1 || conn_active > conn_waiting ||
      conn_identities < 1 || conn_identities > 10000 || conn_seconds < 1 || conn_seconds > 60 ||
      conn_baseline_seconds < 1 || conn_baseline_seconds > 30 || conn_paced_ms > 10000)
    fail ("--connections 1..60000, 1 ≤ --active ≤ --connections, --identities 1..10000, "
          "--seconds 1..60, --baseline-seconds 1..30, --paced-ms 0..10000");

  /* This process holds the client's side of every connection; the
   * server process raises its own limit when it listens. */
  wanted = (rlim_t)conn_waiting + conn_active + 256;
  limit = raise_fd_limit (wanted);
  if (limit < wanted)
    {
      guint fit = (guint)((limit > 256 ? limit - 256 : 0) * 10 / 11);
      printf ("NOTE: the open-file limit is %lu, %lu are needed for %u connections; scaled "
              "down to %u connections\n",
              (unsigned long)limit, (unsigned long)wanted, conn_waiting, fit);
      conn_waiting = fit;
      conn_active = MAX (MIN (conn_active, fit / 10), 1);
      if (conn_waiting < conn_active)
        fail ("the open-file limit (%lu) is too low", (unsigned long)limit);
    }

  printf ("api-connections: %u keep-alive connections, each holding a long-poll lease "
          "(wait_s 30, nothing queued); then %u of them active (heartbeat and lease wait_s 0 "
          "alternately) for %u s back to back%s, the other %u still waiting\n",
          conn_waiting, conn_active, conn_seconds, conn_paced_ms > 0 ? " and again paced" : "",
          conn_waiting - conn_active);
  printf ("client: this process, one epoll thread, raw HTTP/1.1, every request signed; "
          "open-file limit %lu\n",
          (unsigned long)limit);

  /* Before any thread exists: the server process is forked here. */
  bench_start (&bench, conn_identities, TRUE);
  rss_start = read_status_kib (server_pid, "VmRSS:");

  loop.epoll_fd = epoll_create1 (EPOLL_CLOEXEC);
  if (loop.epoll_fd < 0)
    fail ("epoll_create1: %s", g_strerror (errno));
  loop.port = bench.port;
  loop.heartbeat_us = g_array_sized_new (FALSE, FALSE, sizeof (gint64), 1 << 18);
  loop.lease_us = g_array_sized_new (FALSE, FALSE, sizeof (gint64), 1 << 18);
  loop.first_us = g_array_sized_new (FALSE, FALSE, sizeof (gint64), conn_active);
  loop.waiting = g_new0 (Conn, conn_waiting);
  loop.active = g_new0 (Conn, conn_active);
  for (guint i = 0; i < conn_waiting; i++)
    conn_init (&loop.waiting[i], i, ROLE_WAITING,
               g_ptr_array_index (bench.identities, i % bench.identities->len), CONN_IN_CAPACITY);
  for (guint i = 0; i < conn_active; i++)
    conn_init (&loop.active[i], conn_waiting + i, ROLE_ACTIVE,
               g_ptr_array_index (bench.identities, i % bench.identities->len), CONN_IN_CAPACITY);
  conn_init (&loop.metrics, G_MAXUINT, ROLE_METRICS, NULL, METRICS_IN_CAPACITY);

  /* 1. Baseline: one active connection, nothing else connected. */
  loop.recording = TRUE;
  loop.active_running = TRUE;
  cpu_before = process_cpu_s (server_pid);
  conn_open (&loop, &loop.active[0]);
  started = g_get_monotonic_time ();
  loop_run_for (&loop, conn_baseline_seconds);
  loop_stop_active (&loop);
  base_seconds = elapsed_s (started);
  base_requests = loop.requests;
  conn_close (&loop, &loop.active[0]);
  base_heartbeat = g_array_copy (loop.heartbeat_us);
  base_lease = g_array_copy (loop.lease_us);
  printf ("\nbaseline: 1 active connection (back to back), no idle ones, %.1f s, "
          "%" G_GUINT64_FORMAT " requests = %.0f requests/s\n",
          base_seconds, base_requests, base_requests / base_seconds);
  print_latency ("heartbeat", base_heartbeat);
  print_latency ("lease {max:1, wait_s:0}", base_lease);
  print_server_cpu (cpu_before, base_seconds, base_requests);

  loop_run_for (&loop, 0.5);
  waiters = loop_fetch_metric (&loop, "nexus_lease_waiters", NULL, NULL);
  rss_before = read_status_kib (server_pid, "VmRSS:");
  client_rss_before = read_status_kib (0, "VmRSS:");
  printf ("\nserver RSS: %.1f MiB at start, %.1f MiB after the baseline, before the waiting "
          "connections (client process: %.1f MiB)\n",
          mib (rss_start), mib (rss_before), mib (client_rss_before));

  /* 2. conn_waiting connections, each with a long poll in flight. */
  started = g_get_monotonic_time ();
  cpu_before = process_cpu_s (server_pid);
  for (guint opened = 0; opened < conn_waiting;)
    {
      guint  batch_end = MIN (opened + OPEN_BATCH, conn_waiting);
      gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

      while (opened < batch_end)
        {
          if (loop.connecting >= MAX_CONNECTING)
            {
              loop_iterate (&loop, 20);
              continue;
            }
          conn_open (&loop, &loop.waiting[opened++]);
        }
      for (;;)
        {
          waiters = loop_fetch_metric (&loop, "nexus_lease_waiters", NULL, NULL);
          if (waiters >= opened)
            break;
          if (g_get_monotonic_time () > deadline)
            fail ("only %.0f of %u long polls parked after 60 s", waiters, opened);
          loop_run_for (&loop, 0.05);
        }
    }
  open_seconds = elapsed_s (started);
  printf ("%u connections opened, each with its long poll parked, in %.2f s (%.0f/s)\n",
          conn_waiting, open_seconds, conn_waiting / open_seconds);
  print_server_cpu (cpu_before, open_seconds, conn_waiting);
  cpu_before = process_cpu_s (server_pid);
  started = g_get_monotonic_time ();
  loop_run_for (&loop, 2.0);
  printf ("then 2 s with all %u waiting and nothing else to do:\n", conn_waiting);
  print_server_cpu (cpu_before, elapsed_s (started), 0);
  waiters =
      loop_fetch_metric (&loop, "nexus_lease_waiters", &open_requests, "nexus_api_open_requests");
  rss_waiting = read_status_kib (server_pid, "VmRSS:");
  printf ("server reports %.0f lease waiters, %.0f open requests; server holds %u "
          "descriptors\n",
          waiters, open_requests, count_open_fds (server_pid));
  printf ("SERVER RSS with %u waiting: %.1f MiB (issue target: < 200 MB = %.1f MiB); growth "
          "%.1f MiB = %.1f KiB per waiting connection\n",
          conn_waiting, mib (rss_waiting), 200e6 / 1048576.0, mib (rss_waiting - rss_before),
          (rss_waiting - rss_before) / (double)conn_waiting);
  printf ("  (VmRSS of the server process alone; the client is another process: %.1f MiB)\n",
          mib (read_status_kib (0, "VmRSS:")));

  /* 3. The baseline's single connection again, now beside the waiting
   * ones: what they cost every other request. */
  g_array_set_size (loop.heartbeat_us, 0);
  g_array_set_size (loop.lease_us, 0);
  loop.requests = 0;
  loop.recording = TRUE;
  loop.active_running = TRUE;
  conn_open (&loop, &loop.active[0]);
  cpu_before = process_cpu_s (server_pid);
  started = g_get_monotonic_time ();
  loop_run_for (&loop, MIN (conn_baseline_seconds, 3));
  loop_stop_active (&loop);
  conn_close (&loop, &loop.active[0]);
  printf ("\n1 active connection (back to back) beside the %u waiting ones, %.1f s, "
          "%" G_GUINT64_FORMAT " requests = %.0f requests/s\n",
          conn_waiting, elapsed_s (started), loop.requests, loop.requests / elapsed_s (started));
  print_latency ("heartbeat", loop.heartbeat_us);
  print_latency ("lease {max:1, wait_s:0}", loop.lease_us);
  print_server_cpu (cpu_before, elapsed_s (started), loop.requests);
  printf ("  RATIO heartbeat p50 with %u waiting/baseline = %.2f / %.2f ms = %.1f\n", conn_waiting,
          percentile_ms (loop.heartbeat_us, 50), percentile_ms (base_heartbeat, 50),
          percentile_ms (loop.heartbeat_us, 50) / MAX (percentile_ms (base_heartbeat, 50), 0.001));

  /* 4. conn_active of the waiting connections become active: closed, and
   * reconnected as active ones, so conn_waiting stay open. */
  printf ("\n");
  for (guint i = 0; i < conn_active; i++)
    conn_close (&loop, &loop.waiting[i]);
  open_active (&loop);
  run_active_phase (&loop, "loaded", 0, conn_seconds, base_heartbeat, base_lease);
  if (conn_paced_ms > 0)
    run_active_phase (&loop, "loaded, paced", (gint64)conn_paced_ms * 1000, conn_seconds,
                      base_heartbeat, base_lease);
  printf ("\nserver RSS after the loaded phases: %.1f MiB\n",
          mib (read_status_kib (server_pid, "VmRSS:")));

  /* 5. Everything closed: does the server let go, and does a job still
   * go to a live worker only? */
  for (guint i = 0; i < conn_waiting; i++)
    conn_close (&loop, &loop.waiting[i]);
  for (guint i = 0; i < conn_active; i++)
    conn_close (&loop, &loop.active[i]);
  loop_run_for (&loop, 1.5);
  waiters =
      loop_fetch_metric (&loop, "nexus_lease_waiters", &open_requests, "nexus_api_open_requests");
  rss_after = read_status_kib (server_pid, "VmRSS:");
  printf ("all %u client connections closed, 1.5 s later: server reports %.0f lease waiters, "
          "%.0f open requests, holds %u descriptors; RSS %.1f MiB (peak %.1f MiB)\n",
          conn_waiting, waiters, open_requests, count_open_fds (server_pid), mib (rss_after),
          mib (read_status_kib (server_pid, "VmHWM:")));

  admin_queue = nexus_job_queue_new (bench.admin);
  enqueue_jobs (admin_queue, 1);
  loop_run_for (&loop, 1.5);
  counts = nexus_store_job_counts_by_status (bench.admin, &error);
  if (counts == NULL)
    fail ("cannot count jobs: %s", error->message);
  leased = g_hash_table_lookup (counts, "leased");
  printf ("a job queued (by another connection) with no client connected: %s\n",
          leased != NULL && *leased > 0
              ? "LEASED within 1.5 s, i.e. handed to a long poll whose client is gone "
                "(ENGINE ISSUE: the job stays leased until its lease runs out)"
              : "still queued (no live worker took it)");
  conn_close (&loop, &loop.metrics);

  for (guint i = 0; i < conn_waiting; i++)
    conn_clear (&loop.waiting[i]);
  for (guint i = 0; i < conn_active; i++)
    conn_clear (&loop.active[i]);
  conn_clear (&loop.metrics);
  g_free (loop.waiting);
  g_free (loop.active);
  g_array_unref (loop.heartbeat_us);
  g_array_unref (loop.lease_us);
  g_array_unref (loop.first_us);
  g_free (loop.metrics_text);
  close (loop.epoll_fd);
  g_clear_object (&admin_queue);
  bench_stop (&bench);
  return 0;
}

int
main (int argc, char *argv[])
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  gboolean cycle = g_str_equal (API_LOAD_MODE, "cycle");
  int      status;

  setvbuf (stdout, NULL, _IOLBF, 0);
  context = g_option_context_new (NULL);
  g_option_context_set_summary (
      context, cycle
                   ? "Lease + report cycles of simulated workers over HTTP, against the raw queue."
                   : "Thousands of long-poll connections: server memory and latency under load.");
  g_option_context_add_main_entries (context, cycle ? cycle_entries : connections_entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }

  make_bench_dir ();
  status = cycle ? run_cycle () : run_connections ();
  remove_bench_dir ();
  printf ("OK\n");
  return status;
}
