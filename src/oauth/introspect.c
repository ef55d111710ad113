/* Introspection and revocation. Both authenticate the caller like the token endpoint and
 * look a token up by the SHA-256 of its text, whatever its type (token_type_hint is
 * accepted and ignored: every type is searched, RFC 7662 §2.1).
 *
 * Introspection needs a confidential caller (a public client_id proves nothing) and answers
 * exactly {"active":false} for anything that is not a live token the
 * caller may see: unknown, malformed, expired, revoked, a rotated refresh token, a token of
 * a disabled user, or another client's token unless the caller was created with
 * --introspect-any. Revocation answers 200 for unknown tokens and for other clients' tokens
 * (which it leaves alone: telling them apart would let a client probe for tokens). */
#include "oauth/introspect.h"

#include <string.h>

#include "http/app.h"
#include "oauth/client_auth.h"
#include "oauth/token.h"
#include "oauth/token_cache.h"
#include "token/opaque.h"

/* The token named by the request, from the token cache (introspection) or the store
 * (revocation: it acts on what the store holds now); *found 0 when absent from the store.
 * Writes the error and returns GRANTD_EINVAL for a request without one (or
 * unauthenticated). */
static grantd_rc lookup(struct grantd_request *req, struct grantd_response *resp,
                        struct grantd_client_auth *auth, int cache, struct grantd_token_facts *f,
                        int *found, int *is_jwt)
{
    *found = 0;
    *is_jwt = 0;
    if (!grantd_oauth_body_ok(req, resp))
        return GRANTD_EINVAL;
    grantd_rc rc = grantd_client_authenticate(req, resp, auth);
    if (rc != GRANTD_OK)
        return rc;
    const char *text = NULL;
    if (grantd_params_get(&req->form, "token", &text) != GRANTD_OK) {
        grantd_oauth_error_respond(req, resp, GRANTD_OAUTH_INVALID_REQUEST, "token is required");
        return GRANTD_EINVAL;
    }
    unsigned char key[GRANTD_SHA256_LEN];
    grantd_opaque_hash(text, key);
    const char *dot = strchr(text, '.');
    *is_jwt = dot && strchr(dot + 1, '.') != NULL; /* found by key: a JWT we signed */
    if (cache) {
        rc = grantd_token_cache_get(req, key, f);
    } else {
        struct grantd_store *st = req->app->store;
        memset(f, 0, sizeof(*f));
        rc = st->driver->token_get(st, req->arena, GRANTD_DEFAULT_TENANT, key, &f->token);
    }
    *found = rc == GRANTD_OK;
    return rc == GRANTD_ENOTFOUND ? GRANTD_OK : rc;
}

static int visible(const struct grantd_client *caller, const struct grantd_token *t)
{
    return strcmp(caller->id, t->client_id) == 0 || (caller->flags & GRANTD_CLIENT_INTROSPECT_ANY);
}

static int live(const struct grantd_request *req, const struct grantd_token *t)
{
    return !t->revoked && !t->rotated_at && (!t->expires_at || t->expires_at > req->app->now());
}

/* The active answer; NULL when the token's user can no longer sign in. A JWT access token
 * has an audience (token_issue.c signs aud = the issuer); an opaque one has none. */
static json_t *active_body(struct grantd_request *req, const struct grantd_token_facts *f,
                           int is_jwt)
{
    const struct grantd_token *t = &f->token;
    if (!f->user_ok)
        return NULL;
    json_t *b = json_pack("{s:b,s:s,s:s,s:s,s:s,s:I,s:s}", "active", 1, "scope", t->scope,
                          "client_id", t->client_id, "sub", t->user_id ? t->user_id : t->client_id,
                          "token_type", t->kind == GRANTD_TOKEN_ACCESS ? "Bearer" : "refresh_token",
                          "iat", (json_int_t)t->created_at, "iss", req->app->issuer);
    if (t->expires_at)
        json_object_set_new(b, "exp", json_integer(t->expires_at));
    if (t->user_id)
        json_object_set_new(b, "username", json_string(f->username));
    if (is_jwt && t->kind == GRANTD_TOKEN_ACCESS)
        json_object_set_new(b, "aud", json_string(req->app->issuer));
    return b;
}

void grantd_introspect_endpoint(struct grantd_request *req, struct grantd_response *resp)
{
    struct grantd_client_auth auth;
    struct grantd_token_facts f;
    int found, is_jwt;
    grantd_rc rc = lookup(req, resp, &auth, 1, &f, &found, &is_jwt);
    if (rc == GRANTD_EINVAL)
        return;
    if (rc == GRANTD_OK && auth.method == GRANTD_AUTH_NONE) {
        /* a public client_id is no secret: it would let anyone read a public client's
         * tokens (username, sub); introspection is for confidential callers */
        grantd_oauth_error_respond(req, resp, GRANTD_OAUTH_INVALID_CLIENT,
                                   "introspection needs a confidential client");
        return;
    }
    json_t *body = NULL;
    if (rc == GRANTD_OK && found && visible(&auth.client, &f.token) && live(req, &f.token))
        body = active_body(req, &f, is_jwt);
    if (rc != GRANTD_OK) {
        grantd_response_internal(req, resp, rc);
        return;
    }
    grantd_response_json(req, resp, 200, body ? body : json_pack("{s:b}", "active", 0));
}

void grantd_revoke_endpoint(struct grantd_request *req, struct grantd_response *resp)
{
    struct grantd_client_auth auth;
    struct grantd_token_facts f;
    int found, is_jwt;
    grantd_rc rc = lookup(req, resp, &auth, 0, &f, &found, &is_jwt);
    if (rc == GRANTD_EINVAL)
        return;
    const struct grantd_token *t = &f.token;
    struct grantd_store *st = req->app->store;
    if (rc == GRANTD_OK && found && strcmp(t->client_id, auth.client.id) == 0) {
        /* a refresh token takes its whole family (and so its access tokens) with it */
        rc = t->kind == GRANTD_TOKEN_REFRESH
                 ? st->driver->token_revoke_family(st, GRANTD_DEFAULT_TENANT, t->family)
                 : st->driver->token_revoke(st, GRANTD_DEFAULT_TENANT, t->hash);
    }
    if (rc != GRANTD_OK && rc != GRANTD_ENOTFOUND) {
        grantd_response_internal(req, resp, rc);
        return;
    }
    resp->status = 200;
    grantd_response_header(resp, "Cache-Control", "no-store");
}
