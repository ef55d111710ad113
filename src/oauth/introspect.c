/* Introspection and revocation. Both authenticate the caller like the token endpoint and
 * look a token up by the SHA-256 of its text, whatever its type (token_type_hint is
 * accepted and ignored: every type is searched, RFC 7662 §2.1).
 *
 * Introspection needs a confidential caller (a public client_id proves nothing) and answers
 * exactly {"active":false} for anything that is not a live token the
 * caller may see: unknown, malformed, expired, revoked, a rotated refresh token, a token of
 * a disabled user, or another client's token unless the caller was created with
 * --introspect-any. Revocation answers 200 for unknown tokens and for other clients' tokens
 * (which it leaves alone: telling them apart would let a client probe for tokens).
 *
 * Self-contained tokens (client-credentials JWTs, stored nowhere: token_issue.h) are found
 * by their signature (token_find.h); revoking one stores a revoked row under its jti's key,
 * which token_find looks for first. */
#include "oauth/introspect.h"

#include <string.h>

#include "http/app.h"
#include "oauth/client_auth.h"
#include "oauth/token.h"
#include "oauth/token_find.h"

/* The token named by the request: its facts and where they were found. Writes the error and
 * returns GRANTD_EINVAL for a request without one (or unauthenticated). */
static grantd_rc lookup(struct grantd_request *req, struct grantd_response *resp,
                        struct grantd_client_auth *auth, int cache, struct grantd_token_facts *f,
                        enum grantd_token_where *found, int *is_jwt)
{
    *found = GRANTD_TOKEN_ABSENT;
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
    return grantd_token_find(req, text, cache, f, found, is_jwt);
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
                          "iat", (json_int_t)t->created_at, "iss", req->iss->url);
    if (t->expires_at)
        json_object_set_new(b, "exp", json_integer(t->expires_at));
    if (t->user_id)
        json_object_set_new(b, "username", json_string(f->username));
    if (is_jwt && t->kind == GRANTD_TOKEN_ACCESS)
        json_object_set_new(b, "aud", json_string(req->iss->url));
    return b;
}

void grantd_introspect_endpoint(struct grantd_request *req, struct grantd_response *resp)
{
    struct grantd_client_auth auth;
    struct grantd_token_facts f;
    enum grantd_token_where found;
    int is_jwt;
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
    if (rc == GRANTD_OK && found != GRANTD_TOKEN_ABSENT && visible(&auth.client, &f.token) &&
        live(req, &f.token))
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
    enum grantd_token_where found;
    int is_jwt;
    grantd_rc rc = lookup(req, resp, &auth, 0, &f, &found, &is_jwt);
    if (rc == GRANTD_EINVAL)
        return;
    struct grantd_token *t = &f.token;
    struct grantd_store *st = req->app->store;
    if (rc == GRANTD_OK && found != GRANTD_TOKEN_ABSENT &&
        strcmp(t->client_id, auth.client.id) == 0) {
        if (found == GRANTD_TOKEN_SELF_CONTAINED) {
            /* its revocation row, kept until it would have expired anyway; a concurrent
             * revocation that stored it first (EEXIST) did the same */
            t->revoked = 1;
            rc = grantd_store_token_put(st, t, 1);
            if (rc == GRANTD_EEXIST)
                rc = GRANTD_OK;
        } else {
            /* a refresh token takes its whole family (and so its access tokens) with it */
            rc = t->kind == GRANTD_TOKEN_REFRESH
                     ? grantd_store_token_revoke_family(st, req->iss->tenant, t->family,
                                                        req->app->now())
                     : grantd_store_token_revoke(st, req->iss->tenant, t->hash);
        }
    }
    if (rc != GRANTD_OK && rc != GRANTD_ENOTFOUND) {
        grantd_response_internal(req, resp, rc);
        return;
    }
    resp->status = 200;
    grantd_response_header(resp, "Cache-Control", "no-store");
}
