/* grant_type=authorization_code (RFC 6749 §4.1.3, RFC 7636 §4.6).
 *
 * The code is consumed first, in one atomic store operation, and only then checked: a code
 * presented with the wrong client, redirect URI or verifier is burnt. A code presented again
 * with the parameters that would have redeemed it revokes every token its redemption issued
 * (token_revoke_family; tokens stored after that are refused by their family's revocation);
 * one presented again with wrong parameters revokes nothing (replayed below). */
#include <string.h>

#include "core/log.h"
#include "http/app.h"
#include "oauth/event.h"
#include "oauth/grant.h"
#include "oauth/pkce.h"
#include "oauth/redirect_uri.h"
#include "oauth/resource.h"
#include "oauth/token_issue.h"
#include "token/opaque.h"

/* redirect_uri at /token must repeat what /authorize got (RFC 6749 §4.1.3). When /authorize
 * got none or the out-of-band value, it may be absent or the out-of-band value (or, when
 * none was sent, the client's single registered URI). */
static int redirect_matches(const struct grantd_code *code, const struct grantd_client *c,
                            const char *sent)
{
    int oob = code->redirect_uri && strcmp(code->redirect_uri, GRANTD_REDIRECT_URI_OOB) == 0;
    if (code->redirect_uri && !oob)
        return sent && strcmp(sent, code->redirect_uri) == 0;
    if (oob) /* the out-of-band page: the client may repeat the value or leave it out */
        return !sent || strcmp(sent, GRANTD_REDIRECT_URI_OOB) == 0;
    if (!sent)
        return 1;
    if (c->redirect_uri_count == 0)
        return strcmp(sent, GRANTD_REDIRECT_URI_OOB) == 0;
    return c->redirect_uri_count == 1 && strcmp(sent, c->redirect_uris[0]) == 0;
}

/* Why this request does not match the code it presents (client, redirect URI, verifier),
 * or NULL. */
static const char *binding_problem(const struct grantd_request *req,
                                   const struct grantd_code *code,
                                   const struct grantd_client *c)
{
    const char *verifier = grantd_params_value(&req->form, "code_verifier");
    if (strcmp(code->client_id, c->id) != 0)
        return "the code is not valid"; /* as for an unknown code: nothing confirms it exists */
    if (!redirect_matches(code, c, grantd_params_value(&req->form, "redirect_uri")))
        return "redirect_uri does not match the authorization request";
    if (code->code_challenge) {
        if (!verifier)
            return "code_verifier is required";
        if (!grantd_pkce_verify(code->code_challenge_method, code->code_challenge, verifier))
            return "code_verifier does not match the code_challenge";
    } else if (verifier) {
        return "code_verifier sent but the authorization request had no code_challenge";
    }
    return NULL;
}

/* Why the consumed code cannot be exchanged by this request, or NULL. */
static const char *code_problem(const struct grantd_request *req, const struct grantd_code *code,
                                const struct grantd_client *c)
{
    const char *why = binding_problem(req, code, c);
    if (why)
        return why;
    /* revoked before its first redemption: the user withdrew the authorization on the
     * account page (consent_revoke), or the client was disabled */
    if (code->revoked)
        return "the authorization this code came from was revoked";
    if (code->expires_at <= req->app->now())
        return "the code has expired";
    return NULL;
}

static grantd_rc user_usable(struct grantd_request *req, const char *user_id,
                             struct grantd_user *u, int *ok)
{
    struct grantd_store *st = req->app->store;
    grantd_rc rc = grantd_store_user_get(st, req->arena, req->iss->tenant, user_id, u);
    *ok = rc == GRANTD_OK && !u->disabled;
    return rc == GRANTD_ENOTFOUND ? GRANTD_OK : rc;
}

/* A code presented again after its redemption. Only a replay with the parameters that
 * redeemed it (the code's client, redirect URI and verifier; expired or not: whoever has
 * them has what the redemption had) revokes what the redemption issued (RFC 6749 §4.1.2);
 * one with wrong parameters is refused like any wrong code and revokes nothing, so that
 * whoever holds a leaked code of a public client without its verifier cannot log its user
 * out (OAuth 2.1 §7.5.2). */
static grantd_rc replayed(struct grantd_request *req, const struct grantd_client_auth *auth,
                          const struct grantd_code *code, struct grantd_refusal *no)
{
    const char *why = binding_problem(req, code, &auth->client);
    grantd_event(req, "code_replayed", code->user_id, auth->client.id,
                 json_pack("{s:b}", "revoked", !why));
    if (why) {
        grantd_log(GRANTD_LOG_WARN, "code_replay_refused", "{s:s,s:s}", "request_id",
                   req->request_id, "client_id", auth->client.id);
        return grantd_refuse(no, GRANTD_OAUTH_INVALID_GRANT, why);
    }
    grantd_rc rc = grantd_store_token_revoke_family(req->app->store, req->iss->tenant,
                                                    code->family, req->app->now());
    if (rc != GRANTD_OK)
        return rc;
    grantd_log(GRANTD_LOG_WARN, "code_replay", "{s:s,s:s}", "request_id", req->request_id,
               "client_id", auth->client.id);
    return grantd_refuse(no, GRANTD_OAUTH_INVALID_GRANT,
                         "the code was already used; the tokens issued for it are revoked");
}

/* Checks the code_consume result rc (and the code it returned) for this request: GRANTD_OK
 * with *user when the code may be exchanged, GRANTD_EREFUSED with invalid_grant otherwise. */
static grantd_rc redeemed(struct grantd_request *req, const struct grantd_client_auth *auth,
                          grantd_rc rc, const struct grantd_code *code, struct grantd_user *user,
                          struct grantd_refusal *no)
{
    if (rc == GRANTD_ENOTFOUND)
        return grantd_refuse(no, GRANTD_OAUTH_INVALID_GRANT, "the code is not valid");
    if (rc == GRANTD_EREPLAYED)
        return replayed(req, auth, code, no);
    if (rc != GRANTD_OK)
        return rc;
    const char *why = code_problem(req, code, &auth->client);
    if (why)
        return grantd_refuse(no, GRANTD_OAUTH_INVALID_GRANT, why);
    int user_ok = 0;
    rc = user_usable(req, code->user_id, user, &user_ok);
    if (rc == GRANTD_OK && !user_ok)
        return grantd_refuse(no, GRANTD_OAUTH_INVALID_GRANT,
                             "the user who authorized the code can no longer sign in");
    return rc;
}

/* The tokens of a code this request redeemed and checked. */
static grantd_rc issue(struct grantd_request *req, struct grantd_response *resp,
                       const struct grantd_client_auth *auth, const struct grantd_code *code,
                       const struct grantd_user *user, struct grantd_refusal *no)
{
    /* RFC 8707 §2.2: resource here selects the access token's audience among the resources
     * the authorization request named (all of them when none is sent); the refresh token
     * keeps them all */
    const char *audience = NULL;
    const char *why = grantd_resource_select(req->arena, &req->form, code->resources, &audience);
    if (why)
        return grantd_refuse(no, GRANTD_OAUTH_INVALID_TARGET, why);
    struct grantd_token_grant g = {
        .client = &auth->client,
        .user_id = code->user_id,
        .account = user->account,
        .scope = code->scope,
        .audience = *audience ? audience : code->resources,
        .refresh_audience = code->resources,
        .family = code->family,
        .with_refresh = !!(auth->client.grants & GRANTD_GRANT_REFRESH_TOKEN),
        .auth_time = code->auth_time,
        .nonce = code->nonce,
    };
    /* this request redeemed the code: it gets its tokens even if a replay of the code
     * revokes them before they are stored (RFC 6749 §4.1.2: the replay is refused and what
     * the code issued is revoked; the redemption itself was valid) */
    grantd_token_issue(req, resp, &g, NULL);
    return GRANTD_OK;
}

/* A redemption waiting for the store's group commit (code_consume_async), in the request
 * arena: what the rest of the grant needs, and the store's answer. */
struct pending {
    struct grantd_client_auth auth;
    struct grantd_store *store;
    struct grantd_arena *arena;
    int64_t tenant, now;
    unsigned char hash[GRANTD_SHA256_LEN];
    struct grantd_code code;
    grantd_rc rc;
    grantd_wake_fn wake;
    void *token;
};

static void consumed(void *arg, grantd_rc rc)
{
    struct pending *p = arg;
    p->rc = rc;
    p->wake(p->token);
}

static void consume_start(void *arg, grantd_wake_fn wake, void *token)
{
    struct pending *p = arg;
    p->wake = wake;
    p->token = token;
    grantd_store_code_consume_async(p->store, p->arena, p->tenant, p->hash, p->now, &p->code,
                                    consumed, p);
}

static void consume_cont(struct grantd_request *req, struct grantd_response *resp, void *arg)
{
    struct pending *p = arg;
    struct grantd_user user = {0};
    struct grantd_refusal no;
    grantd_rc rc = redeemed(req, &p->auth, p->rc, &p->code, &user, &no);
    if (rc == GRANTD_OK)
        rc = issue(req, resp, &p->auth, &p->code, &user, &no);
    grantd_oauth_answer(req, resp, rc, &no);
}

/* Consumes the code first (without holding the I/O thread when the store commits
 * redemptions together), then checks it and issues the tokens. */
static grantd_rc run(struct grantd_request *req, struct grantd_response *resp,
                     const struct grantd_client_auth *auth, struct grantd_refusal *no)
{
    const char *text = grantd_params_value(&req->form, "code");
    if (!text)
        return grantd_refuse(no, GRANTD_OAUTH_INVALID_REQUEST, "code is required");
    struct grantd_store *st = req->app->store;
    struct pending *p = grantd_arena_alloc(req->arena, sizeof(*p));
    memset(p, 0, sizeof(*p));
    p->auth = *auth;
    p->store = st;
    p->arena = req->arena;
    p->tenant = req->iss->tenant;
    p->now = req->app->now();
    grantd_opaque_hash(text, p->hash);
    if (grantd_store_consumes_async(st)) {
        grantd_response_defer(resp, consume_start, consume_cont, NULL, p); /* all in the arena */
        return GRANTD_OK;
    }
    struct grantd_user user = {0};
    grantd_rc rc = grantd_store_code_consume(st, req->arena, p->tenant, p->hash, p->now,
                                             &p->code);
    rc = redeemed(req, auth, rc, &p->code, &user, no);
    return rc == GRANTD_OK ? issue(req, resp, auth, &p->code, &user, no) : rc;
}

const struct grantd_grant_type grantd_grant_authorization_code = {
    .name = "authorization_code",
    .client_bit = GRANTD_GRANT_AUTHORIZATION_CODE,
    .run = run,
};
