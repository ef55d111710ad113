/* The HTTP server: libmicrohttpd glue with grantd's hard caps.
 *
 * It reads requests (rejecting smuggling-prone and oversized ones itself), builds a
 * struct grantd_request in a per-request arena, dispatches through the router, writes the
 * handler's response and logs one JSON line per request. It knows nothing of OAuth. */
#ifndef GRANTD_HTTP_SERVER_H
#define GRANTD_HTTP_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "http/app.h"

struct grantd_server;

/* Binds and listens on listen_addr ("HOST:PORT", "[V6]:PORT"; port 0 picks a free one).
 * *fd_out is the listening socket, *port_out the port bound. Separate from start so the
 * caller knows the port (and so the issuer URL) before any request can arrive. */
GRANTD_MUST_USE grantd_rc grantd_server_listen(const char *listen_addr, int *fd_out,
                                               unsigned *port_out, char *err, size_t errlen);
/* What a listener serves. The two never share a route: a request on the public listener
 * cannot reach an admin route, whatever its path or headers. */
enum grantd_listener {
    GRANTD_LISTENER_PUBLIC, /* app->routes; the issuer by Host and path prefix */
    GRANTD_LISTENER_ADMIN,  /* app->admin_routes; the issuer whose URL the X-Grantd-Issuer
                               header names, else the default one (400 for an unknown one) */
};

/* Serves on listen_fd (which the server then owns) with an epoll thread pool sized to the
 * cores. app must outlive the server. err gets a one-line reason on failure. */
GRANTD_MUST_USE grantd_rc grantd_server_start(const struct grantd_app *app,
                                              enum grantd_listener which, int listen_fd,
                                              unsigned port, struct grantd_server **out,
                                              char *err, size_t errlen);
/* The port actually bound. */
unsigned grantd_server_port(const struct grantd_server *srv);
/* Stops accepting, finishes in-flight requests, joins the threads and frees the server. */
void grantd_server_stop(struct grantd_server *srv);

/* Counts since the process started, every listener together, for the metrics. */
struct grantd_server_stats {
    uint64_t header_timeouts;     /* request line or headers late (limits.header_timeout;
                                   * a request line: limits.connection_timeout): cut, 408
                                   * written when a request line had come */
    uint64_t body_timeouts;       /* body late (limits.body_timeout): 408 and cut */
    uint64_t connection_refusals; /* refused at accept: limits.connections or
                                   * limits.connections_per_ip */
};
/* Any thread, any time (before a server starts: zeros). */
void grantd_server_stats(struct grantd_server_stats *out);

#endif
