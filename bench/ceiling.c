/* grantd-ceiling: the `return 200` server that bench/run measures grantd against.
 *
 * It is libmicrohttpd configured exactly like grantd's http/server.c (epoll internal thread,
 * a thread pool of one thread per online core, 1024 connections, 30 s idle timeout, 16 KiB
 * connection memory) answering every request with the bytes grantd's GET /health/live sends:
 * 200, Content-Type: application/json, Cache-Control: no-store, body {"status":"ok"}.
 * The ratio grantd/ceiling therefore measures grantd's own overhead on this machine, not the
 * machine's or libmicrohttpd's.
 *
 * It is not a test server: no routing, no limits beyond MHD's, no body handling (request
 * bodies are read and dropped). Usage: grantd-ceiling PORT  (binds 127.0.0.1 only; exits 0 on
 * SIGINT/SIGTERM). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <microhttpd.h>

#if MHD_VERSION < 0x00097002
#define MHD_RESULT int
#else
#define MHD_RESULT enum MHD_Result
#endif

static const char BODY[] = "{\"status\":\"ok\"}";

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* Keep-alive trap (src/http/server.c): queueing the response on the first callback, before MHD has
 * seen the end of the request, makes it close the connection afterwards. So the first call
 * only marks the connection and returns MHD_YES; later calls drop any upload data; the call
 * with no upload data left queues the shared response. */
static MHD_RESULT on_request(void *cls, struct MHD_Connection *conn, const char *url,
                             const char *method, const char *version, const char *upload_data,
                             size_t *upload_data_size, void **req_cls)
{
    static int seen_marker;
    struct MHD_Response *resp = cls;

    (void)url;
    (void)method;
    (void)version;
    (void)upload_data;
    if (*req_cls == NULL) {
        *req_cls = &seen_marker;
        return MHD_YES;
    }
    if (*upload_data_size != 0) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    return MHD_queue_response(conn, MHD_HTTP_OK, resp);
}

static unsigned online_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1u;
}

static int parse_port(const char *s, unsigned short *out)
{
    char *end = NULL;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < 1 || v > 65535)
        return -1;
    *out = (unsigned short)v;
    return 0;
}

int main(int argc, char **argv)
{
    struct sockaddr_in addr;
    struct MHD_Response *resp = NULL;
    struct MHD_Daemon *d = NULL;
    struct sigaction sa;
    sigset_t stop_set, wait_set;
    unsigned short port;
    int rc = 1;

    if (argc != 2 || parse_port(argv[1], &port) != 0) {
        fprintf(stderr, "usage: grantd-ceiling PORT\n");
        return 2;
    }
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* Block the stop signals before MHD starts its threads (they inherit the mask), so only
     * this thread takes them, and only inside sigsuspend: no lost-wakeup race. */
    sigemptyset(&stop_set);
    sigaddset(&stop_set, SIGINT);
    sigaddset(&stop_set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_set, &wait_set);
    sigdelset(&wait_set, SIGINT);
    sigdelset(&wait_set, SIGTERM);

    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

    resp = MHD_create_response_from_buffer(sizeof BODY - 1, (void *)BODY,
                                           MHD_RESPMEM_PERSISTENT);
    if (resp == NULL ||
        MHD_add_response_header(resp, "Content-Type", "application/json") != MHD_YES ||
        MHD_add_response_header(resp, "Cache-Control", "no-store") != MHD_YES) {
        fprintf(stderr, "grantd-ceiling: cannot build the response\n");
        goto out;
    }
    d = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG, port, NULL, NULL,
                         on_request, resp,
                         MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                         MHD_OPTION_THREAD_POOL_SIZE, online_cores(),
                         MHD_OPTION_CONNECTION_LIMIT, 1024u,
                         MHD_OPTION_CONNECTION_TIMEOUT, 30u,
                         MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16 * 1024,
                         MHD_OPTION_END);
    if (d == NULL) {
        fprintf(stderr, "grantd-ceiling: cannot listen on 127.0.0.1:%u\n", port);
        goto out;
    }
    fprintf(stderr, "grantd-ceiling: listening on 127.0.0.1:%u (%u threads)\n", port,
            online_cores());
    /* The MHD threads do the work; this one just waits for a stop signal. */
    while (!stop_requested)
        sigsuspend(&wait_set);
    rc = 0;
out:
    if (d != NULL)
        MHD_stop_daemon(d);
    if (resp != NULL)
        MHD_destroy_response(resp);
    return rc;
}
