/* Routing: which issuer a request is for, and which handler of a route table answers it.
 *
 * The router knows no endpoint. The protocol layer owns the table (oauth/routes.c) and the
 * server is handed it at start (struct grantd_app.routes); the same table gives discovery
 * its endpoint URLs, so an endpoint cannot be routed and forgotten there, or the reverse. */
#ifndef GRANTD_HTTP_ROUTER_H
#define GRANTD_HTTP_ROUTER_H

#include <stddef.h>

#include "core/config.h"
#include "http/request.h"

enum grantd_route_flag {
    GRANTD_ROUTE_SLOW = 1u << 0, /* runs on a worker thread, off the I/O threads (argon2id) */
    /* the row serves its path and every path under it (path + "/..."): the handler routes
     * the rest itself (the admin API's /v1/tenants/{tenant}/...) */
    GRANTD_ROUTE_PREFIX = 1u << 1,
    /* the row is served (and published in discovery) for an issuer only when the table's
     * `on` says so for that issuer's settings (/register: registration.mode) */
    GRANTD_ROUTE_OPTIONAL = 1u << 2,
    /* a browser script of any origin may read the answer (a public document: discovery,
     * JWKS): Access-Control-Allow-Origin: * (oauth/cors.h) */
    GRANTD_ROUTE_CORS_ANY = 1u << 3,
    /* a script at the origin of one of the calling client's redirect URIs may read the
     * answer, once the handler has found the client (grantd_cors_allow_client) */
    GRANTD_ROUTE_CORS_CLIENT = 1u << 4,
};

/* Where a profile may add paths for an endpoint (struct grantd_profile.paths). */
enum grantd_route_profile_paths {
    GRANTD_ROUTE_NO_PROFILE_PATHS,
    GRANTD_ROUTE_PATHS_AUTHORIZE,
    GRANTD_ROUTE_PATHS_TOKEN,
    GRANTD_ROUTE_PATHS_INTROSPECT,
    GRANTD_ROUTE_PATHS_REVOKE,
    GRANTD_ROUTE_PATHS_ACCOUNT,
    GRANTD_ROUTE_PATHS_CONSOLE,
};

struct grantd_route {
    const char *method;          /* "GET" also serves HEAD; "*" serves every method */
    const char *path;            /* the standard path under the issuer; matched exactly, or
                                    as a prefix at a '/' with GRANTD_ROUTE_PREFIX */
    grantd_handler_fn handler;
    unsigned flags;              /* enum grantd_route_flag bits */
    const char *metadata;        /* the discovery member that names this endpoint's URL
                                    ("token_endpoint"), or NULL */
    enum grantd_route_profile_paths profile_paths;
};

struct grantd_routes {
    const struct grantd_route *v;
    size_t count;
    /* for rows flagged GRANTD_ROUTE_OPTIONAL: 1 when route r is on for an issuer with
     * settings cfg; NULL: such rows are never served */
    int (*on)(const struct grantd_config *cfg, const struct grantd_route *r);
    /* answers a path no row serves (and no other method of it): the protocol layer's page
     * for a browser, its JSON 404 otherwise; NULL: the server's JSON 404 */
    grantd_handler_fn not_found;
};

/* 1 when route r of t is served for an issuer with settings cfg: always, unless the row is
 * flagged GRANTD_ROUTE_OPTIONAL and t->on says no. */
int grantd_router_route_on(const struct grantd_routes *t, const struct grantd_config *cfg,
                           const struct grantd_route *r);

/* The route for method and path (a standard path, or one profile p adds; p may be NULL), or
 * NULL. When the path exists for other methods only, *allow is set to their list
 * ("GET, HEAD") so the caller can answer 405; else NULL. */
const struct grantd_route *grantd_router_find(const struct grantd_routes *t,
                                              const struct grantd_profile *p, const char *method,
                                              const char *path, const char **allow);

/* The extra paths profile p gives route r (NULL-terminated), or NULL. */
char *const *grantd_router_profile_paths(const struct grantd_profile *p,
                                         const struct grantd_route *r);

/* The issuer a request to host (the Host header, may be NULL) and path is for: among those
 * whose prefix starts path at a '/' boundary and whose host is NULL or host (case aside),
 * the longest prefix, a host-specific one before one for any host; NULL when none. *rest
 * is path without the prefix ("/" when nothing is left).
 *
 * RFC 8414 §3.1 (and RFC 8615): a well-known document of an issuer whose URL has a path is
 * also asked for with that path after the well-known name: /.well-known/NAME/t1 is the
 * issuer http://host/t1's /.well-known/NAME (*rest, in arena a). */
const struct grantd_issuer *grantd_router_issuer(const struct grantd_app *app,
                                                 struct grantd_arena *a, const char *host,
                                                 const char *path, const char **rest);

/* GRANTD_ECONFIG (err says which) when a profile path is a standard path of t or is given to
 * two endpoints. */
GRANTD_MUST_USE grantd_rc grantd_router_check_profile(const struct grantd_routes *t,
                                                      const struct grantd_profile *p, char *err,
                                                      size_t errlen);

/* A CORS preflight (OPTIONS with Origin and Access-Control-Request-Method) of a path whose
 * route for that method lets browser scripts read its answers (oauth/cors.h): 204 naming
 * the method and the request headers a client sends. Answered for any origin: it carries no
 * data, and the answer to the actual request decides. 0 when req is not such a
 * preflight. req->iss must be set; rest is the path under the issuer. */
int grantd_router_preflight(const struct grantd_routes *t, struct grantd_request *req,
                            struct grantd_response *resp, const char *rest);

#endif
