/* The admin API's records as JSON: clients with RFC 7591's member names plus grantd's own,
 * users, tenants. Never a secret's hash, a password hash or private key material; a client
 * secret only when the caller hands it (shown once). */
#include <string.h>

#include "admin/api.h"
#include "admin/api_int.h"
#include "admin/claims.h"
#include "admin/rules.h"

json_t *grantd_api_words_json(const char *list)
{
    json_t *arr = json_array();
    for (const char *p = list ? list : ""; *p;) {
        size_t len = strcspn(p, " ");
        if (len)
            json_array_append_new(arr, json_stringn(p, len));
        p += len + (p[len] == ' ');
    }
    return arr;
}

/* A lifetime: null for the server's default, "never", or seconds. */
static json_t *ttl_json(int64_t ttl)
{
    if (ttl == 0)
        return json_null();
    return ttl == GRANTD_TTL_NEVER ? json_string("never") : json_integer(ttl);
}

json_t *grantd_api_grants_json(unsigned grants)
{
    json_t *arr = json_array();
    unsigned bit;
    const char *name;
    for (size_t i = 0; (name = grantd_rules_grant_at(i, &bit)) != NULL; i++)
        if (grants & bit)
            json_array_append_new(arr, json_string(name));
    return arr;
}

static const char *auth_method(const struct grantd_client *c)
{
    if (c->is_public)
        return "none";
    return c->flags & GRANTD_CLIENT_SECRET_POST ? "client_secret_post" : "client_secret_basic";
}

/* The RFC 7591 members. */
static void rfc7591_members(json_t *o, const struct grantd_client *c)
{
    json_t *uris = json_array();
    for (size_t i = 0; i < c->redirect_uri_count; i++)
        json_array_append_new(uris, json_string(c->redirect_uris[i]));
    json_object_set_new(o, "client_id", json_string(c->id));
    json_object_set_new(o, "client_name", json_string(c->name));
    json_object_set_new(o, "redirect_uris", uris);
    json_object_set_new(o, "grant_types", grantd_api_grants_json(c->grants));
    json_t *types = json_array();
    if (c->grants & GRANTD_GRANT_AUTHORIZATION_CODE)
        json_array_append_new(types, json_string("code"));
    json_object_set_new(o, "response_types", types);
    json_object_set_new(o, "scope", json_string(c->scope ? c->scope : ""));
    json_object_set_new(o, "resources", grantd_api_words_json(c->resources));
    json_object_set_new(o, "token_endpoint_auth_method", json_string(auth_method(c)));
    /* OpenID Connect (RP-Initiated Logout 1.0 §3.1, Dynamic Client Registration 1.0 §2):
     * the algorithm is answered as it applies, RS256 when none was chosen */
    json_object_set_new(o, "post_logout_redirect_uris",
                        grantd_api_words_json(c->post_logout_redirect_uris));
    json_object_set_new(o, "id_token_signed_response_alg",
                        json_string(grantd_rules_client_id_token_alg(c)));
    json_object_set_new(o, "client_id_issued_at", json_integer(c->created_at));
    if (!c->is_public) /* RFC 7591 §3.2.1: 0, the secret does not expire */
        json_object_set_new(o, "client_secret_expires_at", json_integer(0));
}

json_t *grantd_api_client_json(const struct grantd_client *c, const char *secret, int64_t now)
{
    json_t *o = json_object();
    rfc7591_members(o, c);
    if (secret)
        json_object_set_new(o, "client_secret", json_string(secret));
    if (!c->is_public && c->prev_secret_until > now)
        json_object_set_new(o, "previous_secret_expires_at",
                            json_integer(c->prev_secret_until));
    static const struct {
        const char *name;
        unsigned bit;
    } flags[] = {
        {"redirect_uri_wildcard", GRANTD_CLIENT_REDIRECT_WILDCARD},
        {"allow_plain_pkce", GRANTD_CLIENT_ALLOW_PLAIN_PKCE},
        {"always_consent", GRANTD_CLIENT_ALWAYS_CONSENT},
        {"introspect_any", GRANTD_CLIENT_INTROSPECT_ANY},
    };
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
        json_object_set_new(o, flags[i].name, json_boolean(c->flags & flags[i].bit));
    json_object_set_new(o, "access_token_format",
                        json_string(c->flags & GRANTD_CLIENT_JWT_ACCESS ? "jwt" : "opaque"));
    json_object_set_new(o, "code_ttl", ttl_json(c->code_ttl));
    json_object_set_new(o, "access_ttl", ttl_json(c->access_ttl));
    json_object_set_new(o, "refresh_ttl", ttl_json(c->refresh_ttl));
    json_object_set_new(o, "disabled", json_boolean(c->disabled));
    json_object_set_new(o, "created_at", json_integer(c->created_at));
    json_object_set_new(o, "updated_at", json_integer(c->updated_at ? c->updated_at
                                                                    : c->created_at));
    return o;
}

json_t *grantd_api_registration_json(const struct grantd_client *c, const char *secret,
                                     const char *metadata)
{
    json_t *o = json_object();
    rfc7591_members(o, c);
    json_object_del(o, "resources"); /* grantd's own: not registration metadata */
    if (secret)
        json_object_set_new(o, "client_secret", json_string(secret));
    json_t *info = metadata ? json_loads(metadata, 0, NULL) : NULL;
    if (json_is_object(info))
        json_object_update_missing(o, info);
    json_decref(info);
    return o;
}

static json_t *string_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

json_t *grantd_api_user_json(const struct grantd_user *u)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(u->id));
    json_object_set_new(o, "username", json_string(u->username));
    json_object_set_new(o, "account", string_or_null(u->account));
    json_object_set_new(o, "email", string_or_null(u->email));
    json_object_set_new(o, "disabled", json_boolean(u->disabled));
    json_object_set_new(o, "developer", json_boolean(u->developer));
    grantd_claims_to_json(u, o);
    json_object_set_new(o, "created_at", json_integer(u->created_at));
    json_object_set_new(o, "updated_at", json_integer(u->updated_at ? u->updated_at
                                                                    : u->created_at));
    return o;
}

json_t *grantd_api_tenant_json(struct api_ctx *x, const struct grantd_tenant *t)
{
    const struct grantd_issuer *iss = NULL;
    size_t count;
    const struct grantd_issuer *all = grantd_app_issuers(x->req->app, &count);
    for (size_t i = 0; i < count; i++)
        if (all[i].tenant == t->id)
            iss = &all[i];
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(t->name));
    /* the URL the server answers it at; a tenant not served (not yet read, or skipped): as
     * stored */
    json_object_set_new(o, "issuer", string_or_null(iss ? iss->url : t->issuer));
    json_object_set_new(o, "served", json_boolean(iss != NULL));
    /* as `grantd tenant show --json`: the profile's name, and its text */
    json_object_set_new(o, "profile", string_or_null(iss ? iss->cfg->profile.name : NULL));
    json_object_set_new(o, "profile_text", string_or_null(t->profile));
    json_object_set_new(o, "created_at", json_integer(t->created_at));
    return o;
}
