/* The route table. Adding an endpoint is adding a row here; paths match exactly.
 *
 * A profile (core/config.h) adds paths for some endpoints: each extra path is served exactly
 * as its endpoint's standard path is, which keeps serving too. */
#include "http/router.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http/app.h"

#include "http/health.h"
#include "oauth/authorize.h"
#include "oauth/introspect.h"
#include "oauth/jwks.h"
#include "oauth/metadata.h"
#include "oauth/token.h"
#include "oauth/userinfo.h"

struct route {
    const char *method;
    const char *path;
    grantd_handler_fn handler;
    int slow; /* runs on a worker thread, off the I/O threads */
};

static const struct route routes[] = {
    {"GET", "/health/live", grantd_health_live, 0},
    {"GET", "/health/ready", grantd_health_ready, 0},
    {"GET", "/authorize", grantd_authorize_endpoint, 0},
    {"POST", "/login", grantd_login_endpoint, 1}, /* argon2id */
    {"POST", "/consent", grantd_consent_endpoint, 0},
    {"POST", "/token", grantd_token_endpoint, 0},
    {"GET", "/userinfo", grantd_userinfo_endpoint, 0},
    {"POST", "/introspect", grantd_introspect_endpoint, 0},
    {"POST", "/revoke", grantd_revoke_endpoint, 0},
    {"GET", "/.well-known/oauth-authorization-server", grantd_metadata_endpoint, 0},
    {"GET", "/jwks.json", grantd_jwks_endpoint, 0},
};

#define ROUTE_COUNT (sizeof(routes) / sizeof(routes[0]))

/* The profile's extra paths of each endpoint that may have some, by standard path. */
static char *const *extra_paths(const struct grantd_profile *p, const char *standard)
{
    if (!p)
        return NULL;
    if (strcmp(standard, "/authorize") == 0)
        return p->paths.authorize;
    if (strcmp(standard, "/token") == 0)
        return p->paths.token;
    if (strcmp(standard, "/introspect") == 0)
        return p->paths.introspect;
    if (strcmp(standard, "/revoke") == 0)
        return p->paths.revoke;
    return NULL;
}

/* 1 when route r serves path. */
static int serves(const struct grantd_profile *p, const struct route *r, const char *path)
{
    if (strcmp(r->path, path) == 0)
        return 1;
    for (char *const *x = extra_paths(p, r->path); x && *x; x++)
        if (strcmp(*x, path) == 0)
            return 1;
    return 0;
}

grantd_handler_fn grantd_router_find(const struct grantd_profile *p, const char *method,
                                     const char *path, const char **allow, int *slow)
{
    *allow = NULL;
    *slow = 0;
    const char *other = NULL;
    for (size_t i = 0; i < ROUTE_COUNT; i++) {
        if (!serves(p, &routes[i], path))
            continue;
        if (strcmp(routes[i].method, method) == 0) {
            *slow = routes[i].slow;
            return routes[i].handler;
        }
        /* HEAD is served by the GET handler; the server drops the body */
        if (strcmp(method, "HEAD") == 0 && strcmp(routes[i].method, "GET") == 0)
            return routes[i].handler;
        other = routes[i].method;
    }
    if (other)
        *allow = strcmp(other, "GET") == 0 ? "GET, HEAD" : other;
    return NULL;
}

grantd_rc grantd_router_check_profile(const struct grantd_profile *p, char *err, size_t errlen)
{
    for (size_t i = 0; i < ROUTE_COUNT; i++)
        for (char *const *x = extra_paths(p, routes[i].path); x && *x; x++)
            for (size_t j = 0; j < ROUTE_COUNT; j++) {
                int same = j == i;
                if (strcmp(routes[j].path, *x) == 0 ||
                    (!same && serves(p, &routes[j], *x))) {
                    snprintf(err, errlen, "profile path %s of %s is already %s", *x,
                             routes[i].path, routes[j].path);
                    return GRANTD_ECONFIG;
                }
            }
    return GRANTD_OK;
}

const struct grantd_issuer *grantd_router_issuer(const struct grantd_app *app, const char *host,
                                                 const char *path, const char **rest)
{
    const struct grantd_issuer *best = NULL;
    size_t best_len = 0;
    for (size_t i = 0; i < app->issuer_count; i++) {
        const struct grantd_issuer *is = &app->issuers[i];
        size_t n = strlen(is->prefix);
        if (strncmp(path, is->prefix, n) != 0 || (path[n] != '/' && path[n] != '\0'))
            continue;
        if (is->host && (!host || strcasecmp(is->host, host) != 0))
            continue;
        if (!best || n > best_len || (n == best_len && is->host && !best->host)) {
            best = is;
            best_len = n;
        }
    }
    *rest = best && path[best_len] ? path + best_len : "/";
    return best;
}
