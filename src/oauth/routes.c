/* The route table. Adding an endpoint is adding a row here (and its file); a row with a
 * metadata member is published in discovery at once. */
#include "oauth/routes.h"

#include "admin/api.h"
#include "oauth/endpoints.h"

static const struct grantd_route routes[] = {
    {"GET", "/health/live", grantd_health_live, 0, NULL, GRANTD_ROUTE_NO_PROFILE_PATHS},
    {"GET", "/health/ready", grantd_health_ready, 0, NULL, GRANTD_ROUTE_NO_PROFILE_PATHS},
    {"GET", "/authorize", grantd_authorize_endpoint, 0, "authorization_endpoint",
     GRANTD_ROUTE_PATHS_AUTHORIZE},
    {"POST", "/login", grantd_login_endpoint, GRANTD_ROUTE_SLOW, NULL, /* argon2id */
     GRANTD_ROUTE_NO_PROFILE_PATHS},
    {"POST", "/consent", grantd_consent_endpoint, 0, NULL, GRANTD_ROUTE_NO_PROFILE_PATHS},
    /* the end user's account page (issue 13 item 4); its POST signs in too (argon2id) */
    {"GET", "/account", grantd_account_endpoint, 0, NULL, GRANTD_ROUTE_PATHS_ACCOUNT},
    {"POST", "/account", grantd_account_post_endpoint, GRANTD_ROUTE_SLOW, NULL,
     GRANTD_ROUTE_PATHS_ACCOUNT},
    /* the developer console (issue 13 item 2); its POST signs in too (argon2id) */
    {"GET", "/console", grantd_console_endpoint, 0, NULL, GRANTD_ROUTE_PATHS_CONSOLE},
    {"POST", "/console", grantd_console_post_endpoint, GRANTD_ROUTE_SLOW, NULL,
     GRANTD_ROUTE_PATHS_CONSOLE},
    /* OpenID Connect RP-Initiated Logout 1.0; one member, both methods */
    {"GET", "/logout", grantd_logout_endpoint, 0, "end_session_endpoint",
     GRANTD_ROUTE_NO_PROFILE_PATHS},
    {"POST", "/logout", grantd_logout_endpoint, 0, "end_session_endpoint",
     GRANTD_ROUTE_NO_PROFILE_PATHS},
    /* the endpoints a browser-based application calls: its page may read their answers
     * (oauth/cors.h) */
    {"POST", "/token", grantd_token_endpoint, GRANTD_ROUTE_CORS_CLIENT, "token_endpoint",
     GRANTD_ROUTE_PATHS_TOKEN},
    /* OpenID Connect Core 1.0 §5.3: the UserInfo Endpoint MUST support GET and POST (the
     * token in the Authorization header either way) */
    {"GET", "/userinfo", grantd_userinfo_endpoint, GRANTD_ROUTE_CORS_CLIENT, "userinfo_endpoint",
     GRANTD_ROUTE_NO_PROFILE_PATHS},
    {"POST", "/userinfo", grantd_userinfo_endpoint, GRANTD_ROUTE_CORS_CLIENT,
     "userinfo_endpoint", GRANTD_ROUTE_NO_PROFILE_PATHS},
    {"POST", "/introspect", grantd_introspect_endpoint, 0, "introspection_endpoint",
     GRANTD_ROUTE_PATHS_INTROSPECT},
    {"POST", "/revoke", grantd_revoke_endpoint, GRANTD_ROUTE_CORS_CLIENT, "revocation_endpoint",
     GRANTD_ROUTE_PATHS_REVOKE},
    /* public documents: any page may read them */
    {"GET", "/.well-known/oauth-authorization-server", grantd_metadata_endpoint,
     GRANTD_ROUTE_CORS_ANY, NULL, GRANTD_ROUTE_NO_PROFILE_PATHS},
    {"GET", "/.well-known/openid-configuration", grantd_openid_configuration_endpoint,
     GRANTD_ROUTE_CORS_ANY, NULL, GRANTD_ROUTE_NO_PROFILE_PATHS},
    {"GET", "/jwks.json", grantd_jwks_endpoint, GRANTD_ROUTE_CORS_ANY, "jwks_uri",
     GRANTD_ROUTE_NO_PROFILE_PATHS},
    /* dynamic client registration (RFC 7591 at /register, RFC 7592 at /register/ID), only
     * for an issuer whose registration.mode is not off; the handler routes the rest */
    {"*", "/register", grantd_register_endpoint,
     GRANTD_ROUTE_PREFIX | GRANTD_ROUTE_SLOW | GRANTD_ROUTE_OPTIONAL, "registration_endpoint",
     GRANTD_ROUTE_NO_PROFILE_PATHS},
};

/* The optional rows' switch: /register follows registration.mode. */
static int route_on(const struct grantd_config *cfg, const struct grantd_route *r)
{
    return r->handler == grantd_register_endpoint && grantd_config_registration(cfg) != 0;
}

/* a path no row serves: a page for a browser (the issuer's root: a landing page), else the
 * JSON 404 */
const struct grantd_routes grantd_oauth_routes = {routes, sizeof(routes) / sizeof(routes[0]),
                                                  route_on, grantd_not_found_endpoint};

/* The admin listener's table (http/server.h): internal endpoints that the public listener
 * never routes to; the health endpoints are on both. The issuer is the one X-Grantd-Issuer
 * names, else the default. */
static const struct grantd_route admin_routes[] = {
    {"GET", "/health/live", grantd_health_live, 0, NULL, GRANTD_ROUTE_NO_PROFILE_PATHS},
    {"GET", "/health/ready", grantd_health_ready, 0, NULL, GRANTD_ROUTE_NO_PROFILE_PATHS},
    /* Prometheus metrics (oauth/metrics.c): on this listener only */
    {"GET", "/metrics", grantd_metrics_endpoint, 0, NULL, GRANTD_ROUTE_NO_PROFILE_PATHS},
    {"*", "/check", grantd_check_endpoint, 0, NULL, GRANTD_ROUTE_NO_PROFILE_PATHS},
    {"GET", "/v1/revocations", grantd_revocations_endpoint, 0, NULL,
     GRANTD_ROUTE_NO_PROFILE_PATHS},
    /* the admin API (src/admin/): every method of every path under /v1/tenants; on the
     * slow workers (argon2id for passwords, store writes that wait for their commit) */
    {"*", "/v1/tenants", grantd_admin_api_endpoint, GRANTD_ROUTE_PREFIX | GRANTD_ROUTE_SLOW,
     NULL, GRANTD_ROUTE_NO_PROFILE_PATHS},
    /* one row per reason of core/reason.h */
    {"GET", "/check/error/missing", grantd_check_error_endpoint, 0, NULL,
     GRANTD_ROUTE_NO_PROFILE_PATHS},
    {"GET", "/check/error/invalid", grantd_check_error_endpoint, 0, NULL,
     GRANTD_ROUTE_NO_PROFILE_PATHS},
    {"GET", "/check/error/expired", grantd_check_error_endpoint, 0, NULL,
     GRANTD_ROUTE_NO_PROFILE_PATHS},
    {"GET", "/check/error/revoked", grantd_check_error_endpoint, 0, NULL,
     GRANTD_ROUTE_NO_PROFILE_PATHS},
    {"GET", "/check/error/insufficient_scope", grantd_check_error_endpoint, 0, NULL,
     GRANTD_ROUTE_NO_PROFILE_PATHS},
};

const struct grantd_routes grantd_oauth_admin_routes = {
    admin_routes, sizeof(admin_routes) / sizeof(admin_routes[0]), NULL, NULL};
