/* Authorization server metadata (RFC 8414): what a client library needs to talk to us.
 *
 * Endpoint URLs come from the route table (oauth/routes.c): a routed endpoint with a
 * metadata member is published, and nothing is published that is not routed; a row an
 * issuer turns off (GRANTD_ROUTE_OPTIONAL: /register unless registration.mode is on) is
 * neither routed nor published for it. The document
 * is served at ISSUER/.well-known/oauth-authorization-server and, for an issuer with a path,
 * also at /.well-known/oauth-authorization-server/PATH (RFC 8414 §3.1; http/router.c). */
#include <string.h>

#include "http/app.h"
#include "oauth/endpoints.h"
#include "oauth/routes.h"

static json_t *strings(const char *const *v)
{
    json_t *a = json_array();
    for (size_t i = 0; v[i]; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

/* The issuer's configured scopes (the `scopes` list); NULL when none is configured, so the
 * member is left out rather than claiming an empty set. */
static json_t *scopes(const struct grantd_config *cfg)
{
    if (cfg->scope_count == 0)
        return NULL;
    json_t *a = json_array();
    for (size_t i = 0; i < cfg->scope_count; i++)
        json_array_append_new(a, json_string(cfg->scopes[i].name));
    return a;
}

/* The languages the issuer's pages are offered in (profile.branding.languages; English
 * alone when unset): RFC 8414's ui_locales_supported, which /authorize's ui_locales picks
 * from (ui/i18n.h). */
static json_t *ui_locales(const struct grantd_config *cfg)
{
    static const char *const english[] = {"en", NULL};
    char *const *l = cfg->profile.branding.languages;
    return l ? strings((const char *const *)l) : strings(english);
}

/* Every routed endpoint's URL under its metadata member. */
static void endpoints(struct grantd_request *req, json_t *m)
{
    const struct grantd_routes *t = req->app->routes;
    for (size_t i = 0; i < t->count; i++)
        if (t->v[i].metadata && grantd_router_route_on(t, req->iss->cfg, &t->v[i]))
            json_object_set_new(m, t->v[i].metadata,
                                json_string(grantd_arena_printf(req->arena, "%s%s",
                                                                req->iss->url, t->v[i].path)));
}

void grantd_metadata_endpoint(struct grantd_request *req, struct grantd_response *resp)
{
    static const char *const grants[] = {"authorization_code", "refresh_token",
                                         "client_credentials", NULL};
    static const char *const auth[] = {"client_secret_basic", "client_secret_post", "none", NULL};
    static const char *const secret_auth[] = {"client_secret_basic", "client_secret_post",
                                              NULL};
    static const char *const code[] = {"code", NULL};
    static const char *const query[] = {"query", NULL};
    static const char *const s256[] = {"S256", NULL};
    json_t *m = json_pack("{s:s}", "issuer", req->iss->url);
    endpoints(req, m);
    json_t *rest = json_pack(
        "{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o*,s:o,s:b}", "grant_types_supported", strings(grants),
        "response_types_supported", strings(code), "response_modes_supported", strings(query),
        "token_endpoint_auth_methods_supported", strings(auth),
        "introspection_endpoint_auth_methods_supported", strings(secret_auth),
        "revocation_endpoint_auth_methods_supported", strings(auth),
        "code_challenge_methods_supported", strings(s256), "scopes_supported",
        scopes(req->iss->cfg), "ui_locales_supported", ui_locales(req->iss->cfg),
        "authorization_response_iss_parameter_supported", 1);
    json_object_update(m, rest);
    json_decref(rest);
    grantd_response_json(req, resp, 200, m);
}
