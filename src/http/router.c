/* The route table. Adding an endpoint is adding a row here; paths match exactly. */
#include "http/router.h"

#include <string.h>

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

grantd_handler_fn grantd_router_find(const char *method, const char *path, const char **allow,
                                     int *slow)
{
    *allow = NULL;
    *slow = 0;
    const char *other = NULL;
    for (size_t i = 0; i < ROUTE_COUNT; i++) {
        if (strcmp(routes[i].path, path) != 0)
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
