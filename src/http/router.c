/* Routing over a table handed in by the protocol layer; paths match exactly, except a row
 * flagged GRANTD_ROUTE_PREFIX, which also serves every path below its own.
 *
 * A profile (core/config.h) adds paths for some endpoints: each extra path is served exactly
 * as its endpoint's standard path is, which keeps serving too. */
#include "http/router.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http/app.h"

char *const *grantd_router_profile_paths(const struct grantd_profile *p,
                                         const struct grantd_route *r)
{
    if (!p)
        return NULL;
    switch (r->profile_paths) {
    case GRANTD_ROUTE_PATHS_AUTHORIZE:
        return p->paths.authorize;
    case GRANTD_ROUTE_PATHS_TOKEN:
        return p->paths.token;
    case GRANTD_ROUTE_PATHS_INTROSPECT:
        return p->paths.introspect;
    case GRANTD_ROUTE_PATHS_REVOKE:
        return p->paths.revoke;
    case GRANTD_ROUTE_PATHS_ACCOUNT:
        return p->paths.account;
    case GRANTD_ROUTE_PATHS_CONSOLE:
        return p->paths.console;
    case GRANTD_ROUTE_NO_PROFILE_PATHS:
        break;
    }
    return NULL;
}

int grantd_router_route_on(const struct grantd_routes *t, const struct grantd_config *cfg,
                           const struct grantd_route *r)
{
    if (!(r->flags & GRANTD_ROUTE_OPTIONAL))
        return 1;
    return t->on && t->on(cfg, r);
}

/* 1 when route r serves path. */
static int serves(const struct grantd_profile *p, const struct grantd_route *r, const char *path)
{
    if (strcmp(r->path, path) == 0)
        return 1;
    size_t n = strlen(r->path);
    if ((r->flags & GRANTD_ROUTE_PREFIX) && strncmp(r->path, path, n) == 0 && path[n] == '/')
        return 1;
    for (char *const *x = grantd_router_profile_paths(p, r); x && *x; x++)
        if (strcmp(*x, path) == 0)
            return 1;
    return 0;
}

const struct grantd_route *grantd_router_find(const struct grantd_routes *t,
                                              const struct grantd_profile *p, const char *method,
                                              const char *path, const char **allow)
{
    *allow = NULL;
    const char *other = NULL;
    for (size_t i = 0; i < t->count; i++) {
        const struct grantd_route *r = &t->v[i];
        if (!serves(p, r, path))
            continue;
        if (strcmp(r->method, method) == 0 || strcmp(r->method, "*") == 0)
            return r;
        /* HEAD is served by the GET handler; the server drops the body */
        if (strcmp(method, "HEAD") == 0 && strcmp(r->method, "GET") == 0)
            return r;
        other = r->method;
    }
    if (other)
        *allow = strcmp(other, "GET") == 0 ? "GET, HEAD" : other;
    return NULL;
}

grantd_rc grantd_router_check_profile(const struct grantd_routes *t,
                                      const struct grantd_profile *p, char *err, size_t errlen)
{
    for (size_t i = 0; i < t->count; i++)
        for (char *const *x = grantd_router_profile_paths(p, &t->v[i]); x && *x; x++)
            for (size_t j = 0; j < t->count; j++) {
                /* rows of one path (GET and POST /account) are one endpoint: its path
                 * may be given once and serves both */
                int same = strcmp(t->v[j].path, t->v[i].path) == 0;
                if (strcmp(t->v[j].path, *x) == 0 || (!same && serves(p, &t->v[j], *x))) {
                    snprintf(err, errlen, "profile path %s of %s is already %s", *x,
                             t->v[i].path, t->v[j].path);
                    return GRANTD_ECONFIG;
                }
            }
    return GRANTD_OK;
}

/* 1 when issuer is answers host at all (a NULL host matches an issuer for any host only). */
static int host_ok(const struct grantd_issuer *is, const char *host)
{
    return !is->host || (host && strcasecmp(is->host, host) == 0);
}

/* Whether candidate beats best for a match of n prefix bytes. */
static int better(const struct grantd_issuer *best, size_t best_len,
                  const struct grantd_issuer *candidate, size_t n)
{
    return !best || n > best_len || (n == best_len && candidate->host && !best->host);
}

/* The path of an issuer's URL ("" for none): after "scheme://authority". */
static const char *url_path(const char *url)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    p += strcspn(p, "/");
    return p;
}

/* RFC 8414 §3.1: /.well-known/NAME/SUFFIX asked of the issuer whose URL path is /SUFFIX. */
static const struct grantd_issuer *well_known(const struct grantd_app *app,
                                              struct grantd_arena *a, const char *host,
                                              const char *path, const char **rest)
{
    static const char wk[] = "/.well-known/";
    if (strncmp(path, wk, sizeof(wk) - 1) != 0)
        return NULL;
    const char *suffix = strchr(path + sizeof(wk) - 1, '/');
    if (!suffix || suffix[1] == '\0')
        return NULL;
    const struct grantd_issuer *best = NULL;
    size_t count;
    const struct grantd_issuer *all = grantd_app_issuers(app, &count);
    for (size_t i = 0; i < count; i++) {
        const struct grantd_issuer *is = &all[i];
        if (host_ok(is, host) && strcmp(url_path(is->url), suffix) == 0 &&
            better(best, 0, is, 0))
            best = is;
    }
    if (best)
        *rest = grantd_arena_strndup(a, path, (size_t)(suffix - path));
    return best;
}

const struct grantd_issuer *grantd_router_issuer(const struct grantd_app *app,
                                                 struct grantd_arena *a, const char *host,
                                                 const char *path, const char **rest)
{
    const struct grantd_issuer *best = well_known(app, a, host, path, rest);
    if (best)
        return best;
    size_t best_len = 0, count;
    const struct grantd_issuer *all = grantd_app_issuers(app, &count);
    for (size_t i = 0; i < count; i++) {
        const struct grantd_issuer *is = &all[i];
        size_t n = strlen(is->prefix);
        if (strncmp(path, is->prefix, n) != 0 || (path[n] != '/' && path[n] != '\0'))
            continue;
        if (host_ok(is, host) && better(best, best_len, is, n)) {
            best = is;
            best_len = n;
        }
    }
    *rest = best && path[best_len] ? path + best_len : "/";
    return best;
}

/* CORS preflights (router.h). */
int grantd_router_preflight(const struct grantd_routes *t, struct grantd_request *req,
                            struct grantd_response *resp, const char *rest)
{
    const char *origin = grantd_request_header(req, "origin");
    const char *method = grantd_request_header(req, "access-control-request-method");
    const char *allow = NULL;
    if (strcmp(req->method, "OPTIONS") != 0 || !origin || !method ||
        (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0))
        return 0;
    const struct grantd_route *r =
        grantd_router_find(t, &req->iss->cfg->profile, method, rest, &allow);
    if (!r || !grantd_router_route_on(t, req->iss->cfg, r) ||
        !(r->flags & (GRANTD_ROUTE_CORS_ANY | GRANTD_ROUTE_CORS_CLIENT)))
        return 0;
    req->route = r->path;
    req->cors = r->flags & (GRANTD_ROUTE_CORS_ANY | GRANTD_ROUTE_CORS_CLIENT);
    req->cors_allow = r->flags & GRANTD_ROUTE_CORS_ANY ? "*" : origin;
    resp->status = 204;
    grantd_response_header(resp, "Access-Control-Allow-Methods",
                           strcmp(method, "GET") == 0 ? "GET" : "POST");
    grantd_response_header(resp, "Access-Control-Allow-Headers",
                           "Authorization, Content-Type");
    grantd_response_header(resp, "Access-Control-Max-Age", "600");
    return 1;
}
