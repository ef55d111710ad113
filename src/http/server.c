/* libmicrohttpd glue. This module owns sockets, threads and the wire-level caps; it is not
 * an HTTP framework and knows nothing of OAuth.
 *
 * Per request: the URI-log callback allocates the request state (arena, body buffer) and
 * keeps the raw URI, so that our strict parser, not MHD's lenient one, reads the query. The
 * first access-handler call vets the headers (smuggling, NULs, Host, declared body size);
 * later calls collect the body under its cap; the last call builds the grantd_request, runs
 * the handler and queues the answer. Answering on a later call than the first keeps the
 * connection alive (docs/architecture.md, libmicrohttpd: the keep-alive trap).
 *
 * Every connection is watched from its accept to its close (http/deadline.h): the request
 * line, headers and body each have a total deadline, not only libmicrohttpd's idle timer. */
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/log.h"
#include "core/metrics.h"
#include "http/client_addr.h"
#include "http/deadline.h"
#include "http/request_build.h"
#include "http/router.h"
#include "http/workers.h"

/* Worker threads for slow handlers; few, since they only serve logins. */
#define GRANTD_SLOW_WORKERS 2
/* Room in a connection's memory for its answer's headers besides the Location's
 * percent-encoded state (connection_memory): redirect URI, code, issuer, cookies. With the
 * default limits the pool is then 32 KiB, the most libmicrohttpd takes from malloc rather
 * than mapping pages for every connection. */
#define GRANTD_ANSWER_HEADER_ROOM 4096

static atomic_ulong connection_refusals;

struct grantd_server {
    struct MHD_Daemon *daemon;
    struct grantd_workers *workers;
    struct grantd_deadlines *deadlines;
    /* deferred answers (grantd_response_defer) whose connection is suspended; stop waits
     * for them, and once `stopping` is set new ones wait on their I/O thread instead */
    atomic_int deferred;
    atomic_int stopping;
    /* deferred answers woken but not yet written: stop gives them a moment (long-polls of
     * the revocation feed, all woken at once by the stop, answer rather than be cut off) */
    atomic_int unanswered;
    const struct grantd_app *app;
    const struct grantd_routes *routes; /* the listener's table */
    int admin;                          /* the issuer by X-Grantd-Issuer (server.h) */
    unsigned port;
    char id_prefix[9];
    atomic_ulong next_id;
};

struct conn_state {
    struct grantd_watch *watch; /* the connection's deadlines; NULL once it closed */
    struct grantd_arena *arena;
    const char *raw_uri;
    struct grantd_buf body;
    struct grantd_params headers;
    int64_t start_us;
    int started;
    size_t drained;         /* body bytes discarded after the cap was passed */
    /* a slow handler runs on a worker while the connection is suspended; the request and
     * response live here meanwhile, and `done` tells the resumed connection to answer */
    struct grantd_request req;
    struct grantd_response resp;
    grantd_handler_fn slow_handler;
    struct MHD_Connection *conn;
    struct grantd_server *srv;
    atomic_int done;
    int deferred;           /* suspended for a deferred answer: call its cont on resume */
    int woken;              /* a deferred answer was woken: counted in unanswered */
    unsigned reject_status; /* set when the request is refused before its handler */
    const char *reject_error;
    const char *reject_why;
};

/* The connection's watch (on_connection), NULL once it closed. */
static struct grantd_watch *watch_of(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    struct grantd_server *srv = cls;
    struct conn_state *cs = grantd_xcalloc(1, sizeof(*cs));
    cs->watch = watch_of(c);
    grantd_watch_request_line(cs->watch);
    cs->arena = grantd_arena_new(4096);
    cs->raw_uri = grantd_arena_strdup(cs->arena, uri);
    grantd_buf_init(&cs->body, srv->app->cfg->limits.body_bytes);
    cs->start_us = grantd_clock_real_mono_us();
    cs->srv = srv; /* the listener, for the request's metrics */
    return cs;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct grantd_server *srv = cls;
    struct conn_state *cs = *con_cls;
    if (!cs)
        return;
    if (cs->woken)
        atomic_fetch_sub(&srv->unanswered, 1);
    grantd_watch_answered(watch_of(c));
    /* a deferred answer whose connection closed before it was written (the server stopped
     * between the work's end and the answer): only completed work gets here, since stop
     * waits for every deferred answer's wake before libmicrohttpd closes connections */
    if (cs->deferred && cs->resp.defer.drop)
        cs->resp.defer.drop(cs->resp.defer.arg);
    grantd_buf_free(&cs->body);
    grantd_arena_free(cs->arena);
    free(cs);
    *con_cls = NULL;
}

static void reject(struct conn_state *cs, unsigned status, const char *error, const char *why)
{
    if (cs->reject_status)
        return;
    cs->reject_status = status;
    cs->reject_error = error;
    cs->reject_why = why;
}

struct header_scan {
    struct conn_state *cs;
    size_t content_lengths, transfer_encodings, hosts, copied, capacity;
    const char *content_length, *transfer_encoding;
    /* libmicrohttpd 0.9.x only: where the previous line ended (see cut_at_nul) */
    const char *prev_end;
    ptrdiff_t eol;            /* bytes of the request line's end: 2 (CR LF) or 1 (LF) */
    int checking, cut;        /* cut: a value was cut short, or a line was folded */
};

/* libmicrohttpd 0.9.75 ends a header value at a NUL byte and reports only what came before
 * it: "X-A: a\0b" reaches us as "a", while a proxy in front may have read all of it. Its
 * request lines stay in the connection's read buffer, in order, each line end overwritten
 * with NULs, so the end of one line and the start of the next must lie exactly one line end
 * apart (as many bytes as the request line's end), all NUL; and after the last value comes
 * the empty line, two line ends in all. Anything else there is the rest of a value cut at a
 * NUL, or a folded line (RFC 9112 §5.2: refuse). libmicrohttpd 1.0 refuses such requests
 * itself and is not checked. */
static int cut_at_nul(const char *end, const char *next, ptrdiff_t eol)
{
    if (next - end != eol)
        return 1;
    for (const char *p = end; p < next; p++)
        if (*p != '\0' && *p != '\r' && *p != '\n')
            return 1;
    return 0;
}

static enum MHD_Result scan_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                   size_t key_size, const char *value, size_t value_size)
{
    struct header_scan *hs = cls;
    const char *in_buffer = value; /* NULL: no value at all, nothing to check after it */
    if (!value)
        value = "";
    if (strlen(key) != key_size || strlen(value) != value_size)
        reject(hs->cs, 400, "invalid_request", "NUL byte in a request header");
    if (hs->checking) {
        if (hs->prev_end && !hs->eol)
            hs->eol = key - hs->prev_end;
        hs->cut |= !hs->prev_end || (hs->eol != 1 && hs->eol != 2) ||
                   cut_at_nul(hs->prev_end, key, hs->eol);
        hs->prev_end = in_buffer ? in_buffer + value_size : NULL;
    }
    if (strcasecmp(key, "content-length") == 0) {
        hs->content_lengths++;
        hs->content_length = value;
    } else if (strcasecmp(key, "transfer-encoding") == 0) {
        hs->transfer_encodings++;
        hs->transfer_encoding = value;
    } else if (strcasecmp(key, "host") == 0) {
        hs->hosts++;
    }
    if (hs->copied < hs->capacity) {
        char *name = grantd_arena_strndup(hs->cs->arena, key, key_size);
        for (char *p = name; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p - 'A' + 'a');
        hs->cs->headers.items[hs->copied].name = name;
        hs->cs->headers.items[hs->copied].value =
            grantd_arena_strndup(hs->cs->arena, value, value_size);
        hs->copied++;
    }
    return MHD_YES;
}

/* Parses a Content-Length value: digits only, no sign, no overflow. -1 when malformed. */
static long long parse_content_length(const char *s)
{
    long long v = 0;
    if (!*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (1LL << 50))
            return -1;
        v = v * 10 + (*s - '0');
    }
    return v;
}

/* limits.header_bytes is checked here, not by libmicrohttpd, whose connection memory must
 * also hold the answer's headers (connection_memory): requests over it are answered here. */
static void vet_header_size(const struct grantd_server *srv, struct MHD_Connection *c,
                            struct conn_state *cs)
{
    size_t cap = srv->app->cfg->limits.header_bytes;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
    if (strlen(cs->raw_uri) > cap)
        reject(cs, 414, "invalid_request",
               "the address (request target) is too long for this server");
    else if (ci && ci->header_size > cap)
        reject(cs, 431, "invalid_request", "the request headers are too long for this server");
}

/* The first callback: request smuggling vectors that MHD 0.9.75 lets through, and bodies
 * whose declared size is over the cap, are refused before any body byte is read. */
static void vet_headers(const struct grantd_server *srv, struct MHD_Connection *c,
                        const char *method, const char *version, struct conn_state *cs)
{
    struct header_scan hs = {.cs = cs};
    hs.checking = strncmp(MHD_get_version(), "0.9.", 4) == 0;
    hs.prev_end = version + strlen(version);
    int n = MHD_get_connection_values_n(c, MHD_HEADER_KIND, NULL, NULL);
    hs.capacity = n > 0 ? (size_t)n : 0;
    cs->headers.items =
        grantd_arena_alloc(cs->arena, (hs.capacity + 1) * sizeof(struct grantd_param));
    MHD_get_connection_values_n(c, MHD_HEADER_KIND, scan_header, &hs);
    cs->headers.count = hs.copied;
    if (hs.checking && hs.eol) { /* after the last value: the empty line, then the body */
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
        hs.cut |= !hs.prev_end || !ci ||
                  cut_at_nul(hs.prev_end, method + ci->header_size, 2 * hs.eol);
    }
    if (hs.cut)
        reject(cs, 400, "invalid_request", "NUL byte in a request header, or a folded line");

    if (hs.content_lengths > 1)
        reject(cs, 400, "invalid_request", "more than one Content-Length header");
    if (hs.content_lengths && hs.transfer_encodings)
        reject(cs, 400, "invalid_request", "both Content-Length and Transfer-Encoding");
    if (hs.transfer_encodings > 1 ||
        (hs.transfer_encodings && strcasecmp(hs.transfer_encoding, "chunked") != 0))
        reject(cs, 400, "invalid_request", "unsupported Transfer-Encoding");
    if (strcmp(version, MHD_HTTP_VERSION_1_1) == 0 && hs.hosts != 1)
        reject(cs, 400, "invalid_request", "HTTP/1.1 request without exactly one Host header");
    if (hs.content_lengths == 1) {
        long long len = parse_content_length(hs.content_length);
        if (len < 0)
            reject(cs, 400, "invalid_request", "malformed Content-Length");
        else if ((unsigned long long)len > srv->app->cfg->limits.body_bytes)
            reject(cs, 413, "invalid_request", "request body is too large");
    }
    vet_header_size(srv, c, cs);
}

static void remote_ip(struct MHD_Connection *c, char *out, size_t len)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, len, "-");
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
                  (socklen_t)len);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
                  (socklen_t)len);
}

static enum MHD_Result send_response(struct MHD_Connection *c, const struct grantd_request *req,
                                     const struct grantd_response *resp)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(resp->body_len, (void *)resp->body,
                                                             MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    if (resp->content_type)
        MHD_add_response_header(r, "Content-Type", resp->content_type);
    for (size_t i = 0; i < resp->header_count; i++)
        MHD_add_response_header(r, resp->headers[i].name, resp->headers[i].value);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Request-Id", req->request_id);
    if (req->cors_allow) { /* oauth/cors.h */
        MHD_add_response_header(r, "Access-Control-Allow-Origin", req->cors_allow);
        MHD_add_response_header(r, "Access-Control-Expose-Headers",
                                "WWW-Authenticate, Retry-After, X-Request-Id");
    }
    if (req->cors & GRANTD_ROUTE_CORS_CLIENT) /* the answer differs by Origin */
        MHD_add_response_header(r, "Vary", "Origin");
    enum MHD_Result ok = MHD_queue_response(c, resp->status, r);
    MHD_destroy_response(r);
    return ok;
}

static void log_request(const struct grantd_request *req, const struct grantd_response *resp,
                        const struct conn_state *cs)
{
    if (!grantd_log_enabled(GRANTD_LOG_INFO))
        return;
    /* the path only: query strings carry codes and state, which never reach logs */
    double ms = (double)(grantd_clock_real_mono_us() - cs->start_us) / 1000.0;
    grantd_log(GRANTD_LOG_INFO, "request", "{s:s,s:s,s:s,s:i,s:f,s:I,s:s,s:I}", "request_id",
               req->request_id, "method", req->method, "path", req->path, "status",
               (int)resp->status, "duration_ms", ms, "body_bytes", (json_int_t)req->body_len,
               "remote", req->remote_ip, "tenant", (json_int_t)req->iss->tenant);
}

/* The issuer of an admin request: the one X-Grantd-Issuer names, else the default. NULL
 * for a name no issuer has. */
static const struct grantd_issuer *admin_issuer(const struct grantd_request *req)
{
    const char *name = grantd_request_header(req, "x-grantd-issuer");
    size_t count;
    const struct grantd_issuer *all = grantd_app_issuers(req->app, &count);
    if (!name)
        return &all[0];
    for (size_t i = 0; i < count; i++)
        if (strcmp(all[i].url, name) == 0)
            return &all[i];
    return NULL;
}

/* A request refused before its handler: the JSON error, or for a browser that followed a
 * link too long to read a short page that says so. The connection is closed after it when
 * a body may be left unread. */
static void refuse(struct grantd_request *req, struct grantd_response *resp,
                   const struct conn_state *cs)
{
    unsigned st = cs->reject_status;
    if ((st == 414 || st == 431) && grantd_request_accepts_html(req)) {
        const char *page = grantd_arena_printf(
            req->arena,
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>Request too long</title></head><body><h1>Request too long</h1>"
            "<p>The server could not read this request: %s. If a link or an application "
            "sent you here, go back and try again with a shorter address.</p></body></html>\n",
            cs->reject_why);
        grantd_response_body(resp, st, "text/html; charset=utf-8", page, strlen(page));
    } else {
        grantd_response_error(req, resp, st, cs->reject_error, cs->reject_why);
    }
    if (st == 413 || st == 414 || st == 431)
        grantd_response_header(resp, "Connection", "close");
}

/* Runs the handler (or writes the refusal) unless it is slow: then *slow_out is set and
 * nothing is written yet. */
static void dispatch(const struct grantd_server *srv, struct grantd_request *req,
                     struct grantd_response *resp, const struct conn_state *cs,
                     grantd_handler_fn *slow_out)
{
    *slow_out = NULL;
    if (cs->reject_status) {
        refuse(req, resp, cs);
        return;
    }
    const char *allow = NULL, *rest = req->path;
    /* the issuer by Host and path prefix; unmatched requests get the default's 404 */
    const struct grantd_issuer *iss =
        srv->admin ? admin_issuer(req)
                   : grantd_router_issuer(req->app, req->arena,
                                          grantd_request_header(req, "host"), req->path, &rest);
    const struct grantd_route *r = NULL;
    if (!iss && srv->admin) {
        grantd_response_error(req, resp, 400, "invalid_request",
                              "X-Grantd-Issuer names no issuer of this server");
        return;
    }
    if (iss) {
        req->iss = iss;
        r = grantd_router_find(srv->routes, &iss->cfg->profile, req->method, rest, &allow);
        if (r && !grantd_router_route_on(srv->routes, iss->cfg, r))
            r = NULL; /* an endpoint this issuer has turned off: as if absent (404) */
        req->route = r ? r->path : NULL;
        if (r) {
            req->cors = r->flags & (GRANTD_ROUTE_CORS_ANY | GRANTD_ROUTE_CORS_CLIENT);
            req->cors_allow = r->flags & GRANTD_ROUTE_CORS_ANY ? "*" : NULL;
        }
    }
    if (r && (r->flags & GRANTD_ROUTE_SLOW)) {
        *slow_out = r->handler;
        return;
    }
    if (r) {
        r->handler(req, resp);
        return;
    }
    if (allow && grantd_router_preflight(srv->routes, req, resp, rest))
        return;
    if (allow) {
        grantd_response_error(req, resp, 405, "invalid_request", "method not allowed on this path");
        grantd_response_header(resp, "Allow", allow);
        return;
    }
    if (srv->routes->not_found) { /* req->iss is the default's when no issuer matched */
        srv->routes->not_found(req, resp);
        return;
    }
    grantd_response_error(req, resp, 404, "not_found", "no endpoint at this path");
}

static enum MHD_Result answer(struct MHD_Connection *c, struct conn_state *cs)
{
    /* per-request metrics (core/metrics.h): the route pattern, never the raw path */
    grantd_metrics_request(cs->req.route ? cs->req.route
                                         : cs->reject_status ? "refused" : "unmatched",
                           cs->srv->admin, cs->resp.status,
                           grantd_clock_real_mono_us() - cs->start_us);
    log_request(&cs->req, &cs->resp, cs);
    return send_response(c, &cs->req, &cs->resp);
}

/* A deferred answer waited for on the calling thread: for slow handlers (already off the
 * I/O threads) and while the server stops. */
struct wait_here {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int woken;
};

static void wake_here(void *token)
{
    struct wait_here *w = token;
    pthread_mutex_lock(&w->mu);
    w->woken = 1;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

static void defer_here(struct grantd_request *req, struct grantd_response *resp)
{
    while (resp->defer.start) { /* a cont may defer again */
        struct wait_here w = {.woken = 0};
        pthread_mutex_init(&w.mu, NULL);
        pthread_cond_init(&w.cv, NULL);
        resp->defer.start(resp->defer.arg, wake_here, &w);
        pthread_mutex_lock(&w.mu);
        while (!w.woken)
            pthread_cond_wait(&w.cv, &w.mu);
        pthread_mutex_unlock(&w.mu);
        pthread_cond_destroy(&w.cv);
        pthread_mutex_destroy(&w.mu);
        resp->defer.start = NULL;
        resp->defer.cont(req, resp, resp->defer.arg);
    }
}

/* On a worker: the slow handler, then wake the connection up to send its answer. */
static void run_slow(void *arg)
{
    struct conn_state *cs = arg;
    cs->slow_handler(&cs->req, &cs->resp);
    if (cs->resp.defer.start)
        defer_here(&cs->req, &cs->resp);
    atomic_store(&cs->done, 1);
    MHD_resume_connection(cs->conn);
}

/* Called by whichever thread finished a deferred answer's work. */
static void wake_conn(void *token)
{
    struct conn_state *cs = token;
    struct grantd_server *srv = cs->srv;
    atomic_store(&cs->done, 1);
    cs->woken = 1;
    atomic_fetch_add(&srv->unanswered, 1);
    MHD_resume_connection(cs->conn);
    atomic_fetch_sub(&srv->deferred, 1);
}

/* The handler asked for a deferred answer: suspend until its work is done. Returns 1 when
 * suspended, 0 when the answer is ready (the server is stopping: waited for here). */
static int suspend_for(struct grantd_server *srv, struct MHD_Connection *c, struct conn_state *cs)
{
    atomic_fetch_add(&srv->deferred, 1);
    if (atomic_load(&srv->stopping)) {
        atomic_fetch_sub(&srv->deferred, 1);
        defer_here(&cs->req, &cs->resp);
        return 0;
    }
    cs->conn = c;
    cs->srv = srv;
    cs->deferred = 1;
    MHD_suspend_connection(c); /* before start: the work may finish at once */
    cs->resp.defer.start(cs->resp.defer.arg, wake_conn, cs);
    return 1;
}

static enum MHD_Result finish(struct grantd_server *srv, struct MHD_Connection *c,
                              const char *method, struct conn_state *cs)
{
    if (atomic_load(&cs->done)) { /* called again after a slow or deferred answer resumed us */
        if (cs->deferred) {
            cs->deferred = 0;
            cs->resp.defer.start = NULL;
            cs->resp.defer.cont(&cs->req, &cs->resp, cs->resp.defer.arg);
            if (cs->resp.defer.start) { /* the cont deferred again: one more wait */
                atomic_store(&cs->done, 0);
                if (cs->woken) {
                    cs->woken = 0;
                    atomic_fetch_sub(&srv->unanswered, 1);
                }
                if (suspend_for(srv, c, cs))
                    return MHD_YES;
            }
        }
        return answer(c, cs);
    }
    char ip[INET6_ADDRSTRLEN + 1];
    remote_ip(c, ip, sizeof(ip));
    cs->req = (struct grantd_request){
        .arena = cs->arena,
        .app = srv->app,
        .iss = grantd_app_issuers(srv->app, &(size_t){0}), /* the default one */
        .method = grantd_arena_strdup(cs->arena, method),
        .request_id = grantd_arena_printf(cs->arena, "%s-%lu", srv->id_prefix,
                                          atomic_fetch_add(&srv->next_id, 1)),
        .remote_ip = grantd_arena_strdup(cs->arena, ip),
        .headers = cs->headers,
    };
    grantd_request_fill(&cs->req, cs->raw_uri, cs->body.data, cs->body.len);
    cs->req.remote_ip = grantd_client_addr(&cs->req); /* behind trusted_proxies */
    dispatch(srv, &cs->req, &cs->resp, cs, &cs->slow_handler);
    if (cs->slow_handler) {
        cs->conn = c;
        MHD_suspend_connection(c); /* before submitting: the worker may resume at once */
        if (grantd_workers_submit(srv->workers, run_slow, cs))
            return MHD_YES;
        MHD_resume_connection(c); /* shutting down: run it here */
        cs->slow_handler(&cs->req, &cs->resp);
        if (cs->resp.defer.start)
            defer_here(&cs->req, &cs->resp);
    } else if (cs->resp.defer.start && suspend_for(srv, c, cs)) {
        return MHD_YES;
    }
    return answer(c, cs);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_size, void **con_cls)
{
    struct grantd_server *srv = cls;
    struct conn_state *cs = *con_cls;
    if (!cs->started) {
        cs->started = 1;
        if (!grantd_watch_headers_done(cs->watch))
            return MHD_NO; /* the headers came too late: cut, its 408 written */
        vet_headers(srv, c, method, version, cs);
        /* refusing before the body is read closes the connection, which is what we want
         * for smuggling attempts and oversized bodies */
        if (cs->reject_status)
            return grantd_watch_body_done(cs->watch) ? finish(srv, c, method, cs) : MHD_NO;
        return MHD_YES;
    }
    if (*upload_size) {
        if (grantd_watch_was_cut(cs->watch))
            return MHD_NO; /* the body came too late: cut, its 408 written */
        /* libmicrohttpd cannot queue a response in the middle of an upload, so a chunked
         * body that passes the cap is read and discarded to its end, then answered 413.
         * Past GRANTD_BODY_DRAIN_MAX we stop reading and drop the connection instead. */
        if (cs->reject_status) {
            cs->drained += *upload_size;
            *upload_size = 0;
            return cs->drained > GRANTD_BODY_DRAIN_MAX ? MHD_NO : MHD_YES;
        }
        if (grantd_buf_append(&cs->body, upload_data, *upload_size) != GRANTD_OK)
            reject(cs, 413, "invalid_request", "request body is too large");
        *upload_size = 0;
        return MHD_YES;
    }
    if (!atomic_load(&cs->done) && !grantd_watch_body_done(cs->watch))
        return MHD_NO;
    return finish(srv, c, method, cs);
}

/* Every connection is watched from its accept to its close (http/deadline.h). */
static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    struct grantd_server *srv = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        char ip[INET6_ADDRSTRLEN + 1];
        remote_ip(c, ip, sizeof(ip));
        *socket_context = ci ? grantd_watch_add(srv->deadlines, ci->connect_fd, ip) : NULL;
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        grantd_watch_remove(srv->deadlines, *socket_context);
        *socket_context = NULL;
    }
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[256];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        msg[--n] = '\0';
    /* libmicrohttpd's one word on a connection refused at limits.connections or
     * limits.connections_per_ip */
    if (strstr(msg, "reached connection limit"))
        atomic_fetch_add(&connection_refusals, 1);
    grantd_log(GRANTD_LOG_WARN, "http", "{s:s}", "message", msg);
}

grantd_rc grantd_server_listen(const char *listen_addr, int *fd_out, unsigned *port_out,
                              char *err, size_t errlen)
{
    char host[256], service[16];
    unsigned port;
    if (grantd_config_listen_parse(listen_addr, host, sizeof(host), &port) != GRANTD_OK) {
        snprintf(err, errlen, "listen address '%s' is not HOST:PORT", listen_addr);
        return GRANTD_ECONFIG;
    }
    snprintf(service, sizeof(service), "%u", port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_NUMERICSERV | AI_PASSIVE};
    struct addrinfo *res = NULL;
    int gai = getaddrinfo(host, service, &hints, &res);
    if (gai != 0 || !res) {
        snprintf(err, errlen, "cannot resolve listen host '%s': %s", host, gai_strerror(gai));
        return GRANTD_ECONFIG;
    }
    grantd_rc rc = GRANTD_EIO;
    int one = 1;
    int fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, 1024) != 0) {
        snprintf(err, errlen, "cannot listen on %s: %s", listen_addr, strerror(errno));
        goto out;
    }
    struct sockaddr_storage ss;
    socklen_t sslen = sizeof(ss);
    if (getsockname(fd, (struct sockaddr *)&ss, &sslen) != 0) {
        snprintf(err, errlen, "getsockname: %s", strerror(errno));
        goto out;
    }
    *port_out = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                               : ((struct sockaddr_in *)&ss)->sin_port);
    *fd_out = fd;
    fd = -1;
    rc = GRANTD_OK;
out:
    if (fd >= 0)
        close(fd);
    freeaddrinfo(res);
    return rc;
}

static unsigned thread_count(const struct grantd_config *cfg)
{
    if (cfg->limits.threads)
        return cfg->limits.threads;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

/* libmicrohttpd keeps a request's headers and its answer's headers in one memory pool per
 * connection. The request may take limits.header_bytes (vet_header_size); the answer's
 * headers need room too: a redirect's Location carries the client's state, up to
 * max_param_value bytes, percent-encoded (3 bytes each), besides the redirect URI, code and
 * issuer. Without that room, libmicrohttpd drops the connection with no answer. */
static size_t connection_memory(const struct grantd_config *cfg)
{
    return cfg->limits.header_bytes + 3 * cfg->limits.max_param_value +
           GRANTD_ANSWER_HEADER_ROOM;
}

grantd_rc grantd_server_start(const struct grantd_app *app, enum grantd_listener which,
                              int listen_fd, unsigned port, struct grantd_server **out,
                              char *err, size_t errlen)
{
    struct grantd_server *srv = grantd_xcalloc(1, sizeof(*srv));
    srv->app = app;
    srv->admin = which == GRANTD_LISTENER_ADMIN;
    srv->routes = srv->admin ? app->admin_routes : app->routes;
    srv->port = port;
    unsigned char rnd[4];
    if (grantd_random_bytes(rnd, sizeof(rnd)) != GRANTD_OK)
        memset(rnd, 0, sizeof(rnd));
    grantd_hex_encode(rnd, sizeof(rnd), srv->id_prefix);
    const struct grantd_config *cfg = app->cfg;
    srv->deadlines = grantd_deadlines_new(cfg->limits.connection_timeout,
                                          cfg->limits.header_timeout, cfg->limits.body_timeout);
    srv->daemon = MHD_start_daemon(
        MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME, 0, NULL,
        NULL, on_request, srv,
        MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, srv, /* first, or MHD logs the rest itself */
        MHD_OPTION_LISTEN_SOCKET, listen_fd,
        MHD_OPTION_THREAD_POOL_SIZE, thread_count(cfg),
        MHD_OPTION_CONNECTION_LIMIT, cfg->limits.connections,
        /* the admin listener's callers are proxies and resource servers, many requests
         * from one address: the cap is for the public listener only */
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, srv->admin ? 0u : cfg->limits.connections_per_ip,
        MHD_OPTION_CONNECTION_TIMEOUT, cfg->limits.connection_timeout,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, connection_memory(cfg),
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
        MHD_OPTION_END);
    if (!srv->daemon) {
        snprintf(err, errlen, "cannot start the HTTP server on %s",
                 srv->admin ? cfg->admin_listen : cfg->listen);
        grantd_deadlines_free(srv->deadlines);
        free(srv);
        return GRANTD_EIO;
    }
    srv->workers = grantd_workers_new(GRANTD_SLOW_WORKERS);
    *out = srv;
    return GRANTD_OK;
}

unsigned grantd_server_port(const struct grantd_server *srv)
{
    return srv->port;
}

void grantd_server_stop(struct grantd_server *srv)
{
    if (!srv)
        return;
    /* every suspended connection must be resumed before MHD stops: the workers finish
     * what is queued (each job resumes its connection); later slow requests run inline.
     * Deferred answers finish on the store's threads, which outlive the server; from now
     * on new ones are waited for on their I/O thread. */
    grantd_workers_free(srv->workers);
    atomic_store(&srv->stopping, 1);
    while (atomic_load(&srv->deferred) > 0)
        usleep(200);
    /* woken answers are written by the I/O threads; a client that does not read its answer
     * cannot hold the stop longer than this */
    for (int waited_ms = 0; atomic_load(&srv->unanswered) > 0 && waited_ms < 2000; waited_ms++)
        usleep(1000);
    MHD_stop_daemon(srv->daemon);
    grantd_deadlines_free(srv->deadlines); /* after the daemon: every watch is removed */
    free(srv);
}

void grantd_server_stats(struct grantd_server_stats *out)
{
    uint64_t header_cuts, body_cuts;
    grantd_deadlines_counts(&header_cuts, &body_cuts);
    out->header_timeouts = header_cuts;
    out->body_timeouts = body_cuts;
    out->connection_refusals = atomic_load(&connection_refusals);
}
