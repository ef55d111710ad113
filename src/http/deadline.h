/* Total deadlines for reading a request: a watcher thread that cuts connections whose
 * request line, headers or body are late, however steadily they drip.
 *
 * libmicrohttpd's own timer (limits.connection_timeout) is an idle timer: every byte
 * restarts it, so a request sent a byte a second is never cut off. Here each connection
 * has a phase and the time it entered it; the watcher looks every GRANTD_DEADLINE_TICK_MS
 * and, past a phase's deadline, writes a 408 (headers or body late) or nothing (not even a
 * request line yet: it cannot be told from an idle keep-alive connection) and shuts the
 * socket down, which libmicrohttpd then closes as a client abort. Phases change only on the
 * connection's I/O thread, with compare-and-swap against the watcher, so a connection is
 * either cut or answered, never both. Not here: libmicrohttpd (server.c owns it), the
 * per-address connection cap (libmicrohttpd's), what is late inside a handler. */
#ifndef GRANTD_HTTP_DEADLINE_H
#define GRANTD_HTTP_DEADLINE_H

#include <stdint.h>

#define GRANTD_DEADLINE_TICK_MS 200

struct grantd_deadlines;
struct grantd_watch;

/* Starts the watcher. idle_s: how long a connection may take to send a request line (from
 * its accept or its previous answer; one second more than libmicrohttpd's idle timer, which
 * closes idle connections first); header_s: the rest of the headers, from the request line;
 * body_s: the body, from the end of the headers. */
struct grantd_deadlines *grantd_deadlines_new(unsigned idle_s, unsigned header_s,
                                              unsigned body_s);
/* Stops and joins the watcher and frees the watches left. NULL is a no-op. */
void grantd_deadlines_free(struct grantd_deadlines *d);

/* A new connection on socket fd from remote (an address, for the log line). */
struct grantd_watch *grantd_watch_add(struct grantd_deadlines *d, int fd, const char *remote);
/* The connection closed: before its socket is. */
void grantd_watch_remove(struct grantd_deadlines *d, struct grantd_watch *w);

/* The request line arrived: its headers' deadline starts. */
void grantd_watch_request_line(struct grantd_watch *w);
/* The headers (then the body) are complete. 0 when the watcher has cut the connection
 * already: the caller must give up on it (return MHD_NO). */
int grantd_watch_headers_done(struct grantd_watch *w);
int grantd_watch_body_done(struct grantd_watch *w);
/* Whether the watcher has cut the connection. */
int grantd_watch_was_cut(const struct grantd_watch *w);
/* The answer was written (or the request ended): the next request line's wait starts. */
void grantd_watch_answered(struct grantd_watch *w);

/* Process-wide counts since the start, for grantd_server_stats (server.h). */
void grantd_deadlines_counts(uint64_t *header_cuts, uint64_t *body_cuts);

#endif
