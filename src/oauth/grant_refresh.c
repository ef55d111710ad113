/* grant_type=refresh_token (RFC 6749 §6, RFC 9700 §4.14, OAuth 2.1 §4.3).
 *
 * Every use rotates: a new access token and a new refresh token, the old refresh token dead.
 * The rotation is one compare-and-swap in the store, so of concurrent uses exactly one
 * rotates. A rotated token presented again is reuse: its whole family is revoked — unless it
 * comes within the grace window (lifetimes.refresh_grace), when it gets exactly the answer
 * the first use got. That answer is kept on the old token's row, sealed (AES-256-GCM) under a
 * key derived from the old refresh token itself, so it can be opened only by someone who
 * presents that token, never from the database alone, and is useless after the window. */
#include <string.h>

#include "core/log.h"
#include "core/seal.h"
#include "http/app.h"
#include "oauth/event.h"
#include "oauth/grant.h"
#include "oauth/resource.h"
#include "oauth/scope.h"
#include "oauth/token_issue.h"
#include "token/opaque.h"

#define REUSED "the refresh token was already used; its grant is revoked"

/* The sealing key of a refresh token's successor: HMAC(token, label), distinct from the
 * SHA-256 the store keys the token by. */
static void successor_key(const char *token, unsigned char key[GRANTD_SEAL_KEY_LEN])
{
    static const char label[] = "grantd refresh successor v1";
    grantd_hmac_sha256(token, strlen(token), label, sizeof(label) - 1, key);
}

/* Answers a replay inside the grace window with the sealed first answer. 1 when answered. */
static int replay_in_grace(struct grantd_request *req, struct grantd_response *resp,
                           const struct grantd_token *old, const char *text)
{
    if (!old->successor || req->app->now() >= old->grace_until)
        return 0;
    unsigned char key[GRANTD_SEAL_KEY_LEN], *plain = NULL;
    size_t n = 0;
    successor_key(text, key);
    if (grantd_unseal(key, old->hash, GRANTD_SHA256_LEN, old->successor, old->successor_len,
                      &plain, &n) != GRANTD_OK)
        return 0;
    /* byte for byte the first answer (it is the request's own answer now: arena memory) */
    const char *body = grantd_arena_strndup(req->arena, (const char *)plain, n);
    explicit_bzero(plain, n);
    free(plain);
    grantd_response_json_text(req, resp, 200, body, n);
    return 1;
}

/* A rotated token came back: the same answer inside the grace window, else family revoked. */
static grantd_rc reused(struct grantd_request *req, struct grantd_response *resp,
                        const struct grantd_token *old, const char *text,
                        struct grantd_refusal *no)
{
    if (replay_in_grace(req, resp, old, text))
        return GRANTD_OK;
    struct grantd_store *st = req->app->store;
    grantd_rc rc = grantd_store_token_revoke_family(st, req->iss->tenant, old->family,
                                                    req->app->now());
    if (rc != GRANTD_OK)
        return rc;
    grantd_log(GRANTD_LOG_WARN, "refresh_reuse", "{s:s,s:s}", "request_id", req->request_id,
               "client_id", old->client_id);
    grantd_event(req, "refresh_reuse_detected", old->user_id, old->client_id,
                 json_pack("{s:s}", "family", old->family));
    return grantd_refuse(no, GRANTD_OAUTH_INVALID_GRANT, REUSED);
}

/* Why old cannot be used by client at all (not reuse), or NULL. */
static const char *unusable(const struct grantd_request *req, const struct grantd_token *old,
                            const struct grantd_client *c)
{
    /* another client's token is told apart from no token at all by nothing: saying whose it
     * is would confirm that it exists */
    if (old->kind != GRANTD_TOKEN_REFRESH || strcmp(old->client_id, c->id) != 0)
        return "the refresh token is not valid";
    if (old->revoked)
        return "the refresh token was revoked";
    if (old->expires_at && old->expires_at <= req->app->now())
        return "the refresh token has expired";
    return NULL;
}

/* The scope of the new access token: the asked one if it narrows the grant, else *why. */
static const char *narrowed(struct grantd_request *req, const struct grantd_token *old,
                            const char **why)
{
    const char *asked = grantd_params_value(&req->form, "scope");
    *why = NULL;
    if (!asked)
        return old->scope;
    const char **tokens;
    size_t n;
    *why = grantd_scope_refusal(req->arena, asked, old->scope, &tokens, &n);
    return *why ? NULL : grantd_scope_join(req->arena, tokens, n);
}

static grantd_rc user_of(struct grantd_request *req, const struct grantd_token *old,
                         struct grantd_user *u, int *ok)
{
    *ok = 1;
    if (!old->user_id)
        return GRANTD_OK;
    struct grantd_store *st = req->app->store;
    grantd_rc rc = grantd_store_user_get(st, req->arena, req->iss->tenant, old->user_id, u);
    *ok = rc == GRANTD_OK && !u->disabled;
    return rc == GRANTD_ENOTFOUND ? GRANTD_OK : rc;
}

/* A rotation under way, in the request arena: the old token, the answer it will give, the
 * sealed successor (for the grace window) and, once the store answered, its result. */
struct rotation {
    struct grantd_token old;
    const char *text;
    struct grantd_issued issued;
    const unsigned char *sealed;
    size_t sealed_len;
    int64_t now, grace_until;
    struct grantd_store *store;
    int64_t tenant;
    grantd_rc rc;
    grantd_wake_fn wake;
    void *token;
};

/* Seals the answer for the grace window (when on) into the arena. */
static grantd_rc seal_successor(struct grantd_request *req, struct rotation *r)
{
    int64_t grace = req->iss->cfg->lifetimes.refresh_grace;
    r->now = req->app->now();
    r->grace_until = grace > 0 ? r->now + grace : 0;
    if (grace <= 0)
        return GRANTD_OK;
    unsigned char *sealed = NULL, key[GRANTD_SEAL_KEY_LEN];
    size_t n = 0;
    successor_key(r->text, key);
    grantd_rc rc = grantd_seal(key, r->old.hash, GRANTD_SHA256_LEN, r->issued.body,
                               r->issued.body_len, &sealed, &n);
    explicit_bzero(key, sizeof(key)); /* derived from the refresh token */
    if (rc != GRANTD_OK)
        return rc;
    unsigned char *copy = grantd_arena_alloc(req->arena, n);
    memcpy(copy, sealed, n);
    free(sealed);
    r->sealed = copy;
    r->sealed_len = n;
    return GRANTD_OK;
}

static void rotated(void *arg, grantd_rc rc)
{
    struct rotation *r = arg;
    r->rc = rc;
    r->wake(r->token);
}

static void rotate_start(void *arg, grantd_wake_fn wake, void *token)
{
    struct rotation *r = arg;
    r->wake = wake;
    r->token = token;
    grantd_store_refresh_rotate_async(r->store, r->tenant, r->old.hash, r->now, r->grace_until,
                                      r->sealed, r->sealed_len, r->issued.tokens,
                                      r->issued.count, rotated, r);
}

/* Someone rotated old first (or revoked it): read what they left and treat this as reuse. */
static grantd_rc lost_rotation(struct grantd_request *req, struct grantd_response *resp,
                               const struct grantd_token *old, const char *text,
                               struct grantd_refusal *no)
{
    struct grantd_token now_old;
    struct grantd_store *st = req->app->store;
    grantd_rc rc = grantd_store_token_get(st, req->arena, req->iss->tenant, old->hash, &now_old);
    if (rc == GRANTD_OK && now_old.rotated_at)
        return reused(req, resp, &now_old, text, no);
    if (rc == GRANTD_OK || rc == GRANTD_ENOTFOUND)
        return grantd_refuse(no, GRANTD_OAUTH_INVALID_GRANT, "the refresh token was revoked");
    return rc;
}

/* The answer once the store rotated (or did not). */
static grantd_rc after_rotation(struct grantd_request *req, struct grantd_response *resp,
                                struct rotation *r, struct grantd_refusal *no)
{
    if (r->rc == GRANTD_OK)
        grantd_issued_respond(req, resp, &r->issued);
    return r->rc == GRANTD_ECONFLICT ? lost_rotation(req, resp, &r->old, r->text, no) : r->rc;
}

static void rotate_cont(struct grantd_request *req, struct grantd_response *resp, void *arg)
{
    struct grantd_refusal no;
    grantd_oauth_answer(req, resp, after_rotation(req, resp, arg, &no), &no);
}

static grantd_rc refresh(struct grantd_request *req, struct grantd_response *resp,
                         const struct grantd_client_auth *auth, const struct grantd_token *old,
                         const char *text, struct grantd_refusal *no)
{
    const char *why;
    const char *scope = narrowed(req, old, &why);
    if (!scope)
        return grantd_refuse(no, GRANTD_OAUTH_INVALID_SCOPE, why);
    /* RFC 8707 §2.2: a resource selects among the granted ones; none: all of them */
    const char *audience = NULL;
    why = grantd_resource_select(req->arena, &req->form, old->audience, &audience);
    if (why)
        return grantd_refuse(no, GRANTD_OAUTH_INVALID_TARGET, why);
    struct grantd_user u = {0};
    int user_ok;
    grantd_rc rc = user_of(req, old, &u, &user_ok);
    if (rc == GRANTD_OK && !user_ok)
        return grantd_refuse(no, GRANTD_OAUTH_INVALID_GRANT,
                             "the user of this grant can no longer sign in");
    struct grantd_token_grant g = {
        .client = &auth->client,
        .user_id = old->user_id,
        .account = u.account,
        .scope = scope,
        .refresh_scope = old->scope, /* RFC 6749 §6: the new refresh token keeps the grant */
        .audience = *audience ? audience : old->audience,
        .refresh_audience = old->audience ? old->audience : "",
        .family = old->family,
        .with_refresh = 1,
        /* Core 1.0 §12.2: the new ID token names the original sign-in and no nonce */
        .auth_time = old->auth_time,
    };
    struct rotation *r = grantd_arena_alloc(req->arena, sizeof(*r));
    memset(r, 0, sizeof(*r));
    r->old = *old;
    r->text = text;
    r->store = req->app->store;
    r->tenant = req->iss->tenant;
    if (rc == GRANTD_OK)
        rc = grantd_token_prepare(req, &g, &r->issued);
    if (rc == GRANTD_OK)
        rc = seal_successor(req, r);
    if (rc != GRANTD_OK)
        return rc;
    if (grantd_store_rotates_async(r->store)) { /* no I/O thread waits for the commit */
        grantd_response_defer(resp, rotate_start, rotate_cont, NULL, r); /* all in the arena */
        return GRANTD_OK;
    }
    r->rc = grantd_store_refresh_rotate(r->store, r->tenant, old->hash, r->now, r->grace_until,
                                        r->sealed, r->sealed_len, r->issued.tokens,
                                        r->issued.count);
    return after_rotation(req, resp, r, no);
}

static grantd_rc run(struct grantd_request *req, struct grantd_response *resp,
                     const struct grantd_client_auth *auth, struct grantd_refusal *no)
{
    const char *text = grantd_params_value(&req->form, "refresh_token");
    if (!text)
        return grantd_refuse(no, GRANTD_OAUTH_INVALID_REQUEST, "refresh_token is required");
    struct grantd_token old;
    unsigned char hash[GRANTD_SHA256_LEN];
    grantd_opaque_hash(text, hash);
    struct grantd_store *st = req->app->store;
    grantd_rc rc = grantd_store_token_get(st, req->arena, req->iss->tenant, hash, &old);
    if (rc != GRANTD_OK && rc != GRANTD_ENOTFOUND)
        return rc;
    const char *why = rc == GRANTD_ENOTFOUND ? "the refresh token is not valid"
                                             : unusable(req, &old, &auth->client);
    if (why)
        return grantd_refuse(no, GRANTD_OAUTH_INVALID_GRANT, why);
    if (old.rotated_at)
        return reused(req, resp, &old, text, no);
    return refresh(req, resp, auth, &old, text, no);
}

const struct grantd_grant_type grantd_grant_refresh_token = {
    .name = "refresh_token",
    .client_bit = GRANTD_GRANT_REFRESH_TOKEN,
    .run = run,
};
