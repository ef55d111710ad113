/* Authorization server metadata (RFC 8414): what a client library needs to talk to us. */
#include "oauth/metadata.h"

#include "http/app.h"

static json_t *strings(const char *const *v)
{
    json_t *a = json_array();
    for (size_t i = 0; v[i]; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

static json_t *scopes(const struct grantd_config *cfg)
{
    json_t *a = json_array();
    for (size_t i = 0; i < cfg->scope_count; i++)
        json_array_append_new(a, json_string(cfg->scopes[i].name));
    return a;
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
    const char *iss = req->iss->url;
    struct grantd_arena *a = req->arena;
    json_t *m = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:b}", "issuer", iss,
        "authorization_endpoint", grantd_arena_printf(a, "%s/authorize", iss), "token_endpoint",
        grantd_arena_printf(a, "%s/token", iss), "introspection_endpoint",
        grantd_arena_printf(a, "%s/introspect", iss), "revocation_endpoint",
        grantd_arena_printf(a, "%s/revoke", iss), "jwks_uri",
        grantd_arena_printf(a, "%s/jwks.json", iss), "userinfo_endpoint",
        grantd_arena_printf(a, "%s/userinfo", iss), "grant_types_supported", strings(grants),
        "response_types_supported", strings(code), "response_modes_supported", strings(query),
        "token_endpoint_auth_methods_supported", strings(auth),
        "introspection_endpoint_auth_methods_supported", strings(secret_auth),
        "revocation_endpoint_auth_methods_supported", strings(auth),
        "code_challenge_methods_supported", strings(s256), "scopes_supported",
        scopes(req->iss->cfg), "authorization_response_iss_parameter_supported", 1);
    grantd_response_json(req, resp, 200, m);
}
