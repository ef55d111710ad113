/* Discovery documents: authorization server metadata (RFC 8414) and OpenID Provider
 * metadata (OpenID Connect Discovery 1.0 §3), one builder for both: the OpenID document is
 * the RFC 8414 one plus the members only OpenID Connect defines, and with scopes_supported
 * naming the OpenID scopes.
 *
 * Endpoint URLs come from the route table (oauth/routes.c): a routed endpoint with a
 * metadata member is published, and nothing is published that is not routed; a row an
 * issuer turns off (GRANTD_ROUTE_OPTIONAL: /register unless registration.mode is on) is
 * neither routed nor published for it. The documents are served at
 * ISSUER/.well-known/oauth-authorization-server and ISSUER/.well-known/openid-configuration
 * and, for an issuer with a path, also at /.well-known/NAME/PATH (RFC 8414 §3.1, which
 * http/router.c resolves for any NAME).
 *
 * Not here: the JWKS (jwks.c), which algorithms the keyring can sign with (token/keys.c). */
#include <string.h>

#include "admin/claims.h"
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

/* Appends s to the string array a unless it holds it already. */
static void add_once(json_t *a, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v) if (strcmp(json_string_value(v), s) == 0) return;
    json_array_append_new(a, json_string(s));
}

/* The issuer's configured scopes (the `scopes` list), after the OpenID Connect ones for the
 * OpenID document (Discovery §3: scopes_supported has openid); for RFC 8414, NULL when
 * none is configured, so the member is left out rather than claiming an empty set. */
static json_t *scopes(const struct grantd_config *cfg, int oidc)
{
    static const char *const standard[] = {"openid", "profile", "email", "phone", "address",
                                           NULL};
    if (!oidc && cfg->scope_count == 0)
        return NULL;
    json_t *a = oidc ? strings(standard) : json_array();
    for (size_t i = 0; i < cfg->scope_count; i++)
        add_once(a, cfg->scopes[i].name);
    return a;
}

/* The claims an ID token or /userinfo may carry: the ID token's own (Core §2, §3.1.3.6),
 * then the user's (admin/claims.h's catalog, and email). */
static json_t *claims(void)
{
    static const char *const token[] = {"sub", "iss", "aud", "exp", "iat", "auth_time",
                                        "nonce", "at_hash", "azp", "amr", "email", NULL};
    json_t *a = strings(token);
    const char *name;
    for (size_t i = 0; (name = grantd_claim_name(i, NULL)) != NULL; i++)
        add_once(a, name);
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

/* The members only OpenID Connect defines (Discovery §3). request_uri_parameter_supported
 * defaults to true, so it is said false; so are the others, for clarity. */
static void openid_members(json_t *m)
{
    static const char *const public_[] = {"public", NULL};
    static const char *const algs[] = {"RS256", "ES256", NULL};
    static const char *const prompts[] = {"none", "login", "consent", NULL};
    json_t *o = json_pack("{s:o,s:o,s:o,s:b,s:b,s:b,s:o}", "subject_types_supported",
                          strings(public_), "id_token_signing_alg_values_supported",
                          strings(algs), "claims_supported", claims(),
                          "claims_parameter_supported", 0, "request_parameter_supported", 0,
                          "request_uri_parameter_supported", 0, "prompt_values_supported",
                          strings(prompts));
    json_object_update(m, o);
    json_decref(o);
}

/* The document of req's issuer; oidc: the OpenID Provider's. */
static json_t *document(struct grantd_request *req, int oidc)
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
        scopes(req->iss->cfg, oidc), "ui_locales_supported", ui_locales(req->iss->cfg),
        "authorization_response_iss_parameter_supported", 1);
    json_object_update(m, rest);
    json_decref(rest);
    if (oidc)
        openid_members(m);
    return m;
}

void grantd_metadata_endpoint(struct grantd_request *req, struct grantd_response *resp)
{
    grantd_response_json(req, resp, 200, document(req, 0));
}

void grantd_openid_configuration_endpoint(struct grantd_request *req,
                                          struct grantd_response *resp)
{
    grantd_response_json(req, resp, 200, document(req, 1));
}
