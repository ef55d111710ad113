/* The route table. Adding an endpoint is adding a row here; paths match exactly. */
#include "http/router.h"

#include <string.h>

#include "http/health.h"
#include "oauth/authorize.h"
#include "oauth/token.h"
#include "oauth/userinfo.h"

struct route {
    const char *method;
    const char *path;
    grantd_handler_fn handler;
};

static const struct route routes[] = {
    {"GET", "/health/live", grantd_health_live},
    {"GET", "/health/ready", grantd_health_ready},
    {"GET", "/authorize", grantd_authorize_endpoint},
    {"POST", "/login", grantd_login_endpoint},
    {"POST", "/consent", grantd_consent_endpoint},
    {"POST", "/token", grantd_token_endpoint},
    {"GET", "/userinfo", grantd_userinfo_endpoint},
};

#define ROUTE_COUNT (sizeof(routes) / sizeof(routes[0]))

grantd_handler_fn grantd_router_find(const char *method, const char *path, const char **allow)
{
    *allow = NULL;
    const char *other = NULL;
    for (size_t i = 0; i < ROUTE_COUNT; i++) {
        if (strcmp(routes[i].path, path) != 0)
            continue;
        if (strcmp(routes[i].method, method) == 0)
            return routes[i].handler;
        /* HEAD is served by the GET handler; the server drops the body */
        if (strcmp(method, "HEAD") == 0 && strcmp(routes[i].method, "GET") == 0)
            return routes[i].handler;
        other = routes[i].method;
    }
    if (other)
        *allow = strcmp(other, "GET") == 0 ? "GET, HEAD" : other;
    return NULL;
}
