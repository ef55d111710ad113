/* The request and response a handler sees. Everything in them lives in the request arena,
 * which http/server.c frees when the response has been queued. Handlers never see
 * libmicrohttpd or sockets. */
#ifndef GRANTD_HTTP_REQUEST_H
#define GRANTD_HTTP_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/error.h"
#include "core/mem.h"
#include "http/params.h"

struct grantd_app;
struct grantd_issuer;

enum grantd_body_kind { GRANTD_BODY_NONE, GRANTD_BODY_FORM, GRANTD_BODY_JSON, GRANTD_BODY_OTHER };

struct grantd_request {
    struct grantd_arena *arena;
    const struct grantd_app *app;
    const struct grantd_issuer *iss; /* the issuer the request is answered for */
    const char *method;
    const char *path;           /* without the query string */
    const char *request_id;
    const char *remote_ip;
    const char *route;          /* the route row's path pattern once routed (metrics); NULL */
    struct grantd_params headers; /* names lower-cased */

    const char *raw_query;      /* the query string as received, without '?'; "" when none */
    struct grantd_params query;
    grantd_rc query_rc;         /* GRANTD_OK, or why the query string did not parse */
    const char *query_why;

    const char *body;           /* NUL-terminated copy, body_len bytes */
    size_t body_len;
    enum grantd_body_kind body_kind;
    struct grantd_params form;  /* the body as parameters, for form and JSON bodies */
    grantd_rc form_rc;
    const char *form_why;

    /* Cross-origin reads (oauth/cors.h): the route's GRANTD_ROUTE_CORS_* flags, and the
     * Access-Control-Allow-Origin the answer carries ("*", the request's Origin, or NULL:
     * none), set by the server for CORS_ANY routes and by grantd_cors_allow_client. */
    unsigned cors;
    const char *cors_allow;
};

#define GRANTD_MAX_RESPONSE_HEADERS 16

/* Deferred answers: a handler whose answer waits on work finished by another thread (the
 * store's group commit) must not hold its I/O thread meanwhile. It calls
 * grantd_response_defer and returns without an answer. The server then suspends the
 * connection and calls start(arg, wake, token) on the I/O thread; start hands the work to the
 * other thread, which calls wake(token) exactly once when it is done (from any thread, even
 * before start returns). The connection resumes and cont(req, resp, arg) writes the answer
 * on an I/O thread; cont may itself call grantd_response_defer, and the next wait follows
 * the same way. req, resp and everything in the request arena stay valid throughout.
 * If the connection closes before cont could run (the server stops meanwhile), drop(arg) runs
 * instead, once the work is done, to release what cont would have (may be NULL). */
typedef void (*grantd_wake_fn)(void *token);
typedef void (*grantd_defer_start_fn)(void *arg, grantd_wake_fn wake, void *token);
struct grantd_response;
typedef void (*grantd_defer_cont_fn)(struct grantd_request *req, struct grantd_response *resp,
                                     void *arg);
typedef void (*grantd_defer_drop_fn)(void *arg);

struct grantd_response {
    unsigned status;
    const char *content_type;
    const char *body;
    size_t body_len;
    struct { const char *name, *value; } headers[GRANTD_MAX_RESPONSE_HEADERS];
    size_t header_count;
    struct {
        grantd_defer_start_fn start; /* set by grantd_response_defer; NULL = answered */
        grantd_defer_cont_fn cont;
        grantd_defer_drop_fn drop;
        void *arg;
    } defer;
};

/* A request header by name, case-insensitive; NULL when absent. */
const char *grantd_request_header(const struct grantd_request *req, const char *name);

/* 1 when the Accept value accept (NULL: absent) names text/html or application/xhtml+xml
 * with a weight above 0; a wildcard alone does not count (http/accept.c). */
int grantd_accept_html(const char *accept);
/* grantd_accept_html of the request's Accept header: a browser asking for a page. */
int grantd_request_accepts_html(const struct grantd_request *req);

/* Adds a header (strings must outlive the response: literals or arena memory). */
void grantd_response_header(struct grantd_response *resp, const char *name, const char *value);
/* status, content type and body (len bytes that outlive the response: static or arena),
 * with Cache-Control: no-store and Pragma: no-cache: every answer of an authorization
 * server that carries anything about a user or a token. */
void grantd_response_body(struct grantd_response *resp, unsigned status,
                          const char *content_type, const char *body, size_t len);
/* A JSON response; takes ownership of body. Adds Cache-Control: no-store and
 * Pragma: no-cache, as every JSON answer of an authorization server must. */
void grantd_response_json(struct grantd_request *req, struct grantd_response *resp,
                          unsigned status, json_t *body);
/* The same for JSON text already written (len bytes in memory that outlives the response:
 * the request arena). */
void grantd_response_json_text(struct grantd_request *req, struct grantd_response *resp,
                               unsigned status, const char *text, size_t len);
/* {"error": error, "error_description": description} with the given status. description
 * may be NULL. */
void grantd_response_error(struct grantd_request *req, struct grantd_response *resp,
                           unsigned status, const char *error, const char *description);
/* The answer for an internal failure: 503 temporarily_unavailable for GRANTD_EBUSY, 500
 * server_error otherwise. The failure is logged with the request id; no detail goes to the
 * client. */
void grantd_response_internal(struct grantd_request *req, struct grantd_response *resp,
                              grantd_rc rc);
/* The answer for parameters that did not parse (rc and why from the parser): 400
 * invalid_request with why as the description (repeated, malformed or too many alike). */
void grantd_response_bad_params(struct grantd_request *req, struct grantd_response *resp,
                                grantd_rc rc, const char *why);

/* Asks for a deferred answer (see above); the handler returns right after. */
void grantd_response_defer(struct grantd_response *resp, grantd_defer_start_fn start,
                           grantd_defer_cont_fn cont, grantd_defer_drop_fn drop, void *arg);

typedef void (*grantd_handler_fn)(struct grantd_request *req, struct grantd_response *resp);

#endif
