/* POST /introspect (RFC 7662). The caller authenticates like at the token endpoint and
 * needs to be confidential (a public client_id proves nothing). The token is looked up by
 * its text whatever its type (token_type_hint is accepted and ignored: every type is
 * searched, RFC 7662 §2.1), and the answer is exactly {"active":false} for anything that is
 * not a live token the caller may see: unknown, malformed, expired, revoked, a rotated
 * refresh token, a token of a disabled user or of a client deleted or disabled since, or
 * another client's token unless the caller was created with --introspect-any.
 * Self-contained tokens (client-credentials JWTs, stored nowhere: token_issue.h) are found by
 * their signature (token_find.h). Each caller has a request rate (rate_limits.introspect,
 * oauth/ratelimit.h): over it, 429 slow_down. */
#include <string.h>

#include "http/app.h"
#include "oauth/client_cache.h"
#include "oauth/endpoints.h"
#include "oauth/ratelimit.h"
#include "oauth/scope.h"
#include "oauth/token_find.h"

static int visible(const struct grantd_client *caller, const struct grantd_token *t)
{
    return strcmp(caller->id, t->client_id) == 0 || (caller->flags & GRANTD_CLIENT_INTROSPECT_ANY);
}

static int live(const struct grantd_request *req, const struct grantd_token *t)
{
    return !t->revoked && !t->rotated_at && (!t->expires_at || t->expires_at > req->app->now());
}

/* *alive = 1 when t's client still exists and is enabled: nothing a deleted client issued is
 * active, even a token whose revocation a store of an older grantd never wrote (its delete
 * did not revoke) or one the token cache still holds. */
static grantd_rc client_alive(struct grantd_request *req, const struct grantd_token *t,
                              int *alive)
{
    struct grantd_client c;
    grantd_rc rc = grantd_client_cache_get(req, t->client_id, &c);
    *alive = rc == GRANTD_OK && !c.disabled;
    return rc == GRANTD_ENOTFOUND ? GRANTD_OK : rc;
}

/* The aud member (RFC 7662 §2.2): the resources an access token was issued for (RFC 8707), a
 * string for one and an array for several; for one issued for none, a JWT's aud, the
 * issuer (token_issue.c); an opaque one has none then. NULL for no member. */
static json_t *aud_member(struct grantd_request *req, const struct grantd_token *t, int is_jwt)
{
    if (t->kind != GRANTD_TOKEN_ACCESS)
        return NULL;
    if (!t->audience || !*t->audience)
        return is_jwt ? json_string(req->iss->url) : NULL;
    const char **list;
    size_t n;
    if (grantd_scope_split(req->arena, t->audience, &list, &n) != GRANTD_OK || n == 0)
        return NULL;
    if (n == 1)
        return json_string(list[0]);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_string(list[i]));
    return arr;
}

/* The active answer; NULL when the token's user can no longer sign in. */
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
    json_t *aud = aud_member(req, t, is_jwt);
    if (aud)
        json_object_set_new(b, "aud", aud);
    return b;
}

static grantd_rc introspect(struct grantd_request *req, struct grantd_response *resp,
                            struct grantd_refusal *no)
{
    struct grantd_token_request t;
    grantd_rc rc = grantd_token_find_requested(req, 1, &t, no);
    if (rc != GRANTD_OK)
        return rc;
    /* a public client_id is no secret: it would let anyone read a public client's tokens
     * (username, sub); introspection is for confidential callers */
    if (t.auth.method == GRANTD_AUTH_NONE)
        return grantd_refuse_client(no, 0, "introspection needs a confidential client");
    rc = grantd_ratelimit_introspect(req, t.auth.client.id, no); /* a scan meets a 429 */
    if (rc != GRANTD_OK)
        return rc;
    json_t *body = NULL;
    int alive = 0;
    if (t.found != GRANTD_TOKEN_ABSENT && visible(&t.auth.client, &t.f.token) &&
        live(req, &t.f.token))
        rc = client_alive(req, &t.f.token, &alive);
    if (rc != GRANTD_OK)
        return rc;
    if (alive)
        body = active_body(req, &t.f, t.is_jwt);
    grantd_response_json(req, resp, 200, body ? body : json_pack("{s:b}", "active", 0));
    return GRANTD_OK;
}

void grantd_introspect_endpoint(struct grantd_request *req, struct grantd_response *resp)
{
    struct grantd_refusal no;
    grantd_rc rc = grantd_refusal_challenge_basic(&no, introspect(req, resp, &no));
    grantd_oauth_answer(req, resp, rc, &no);
}
