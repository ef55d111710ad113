/* The token response: mint, store, answer. */
#include "oauth/token_issue.h"

#include <string.h>

#include "core/log.h"
#include "core/jsonw.h"
#include "core/metrics.h"
#include "http/app.h"
#include "oauth/errors.h"
#include "oauth/id_token.h"
#include "token/keys.h"
#include "token/opaque.h"

#define FAMILY_BYTES 16

int64_t grantd_client_access_ttl(const struct grantd_request *req, const struct grantd_client *c)
{
    return c->access_ttl > 0 ? c->access_ttl : req->iss->cfg->lifetimes.access_token;
}

int64_t grantd_client_refresh_ttl(const struct grantd_request *req,
                                  const struct grantd_client *c)
{
    if (c->refresh_ttl == GRANTD_TTL_NEVER)
        return 0;
    return c->refresh_ttl > 0 ? c->refresh_ttl : req->iss->cfg->lifetimes.refresh_token;
}

int64_t grantd_client_code_ttl(const struct grantd_request *req, const struct grantd_client *c)
{
    return c->code_ttl > 0 ? c->code_ttl : req->iss->cfg->lifetimes.code;
}

grantd_rc grantd_family_new(struct grantd_request *req, const char **out)
{
    char *family = grantd_arena_alloc(req->arena, grantd_b64url_len(FAMILY_BYTES) + 1);
    grantd_rc rc = grantd_random_token(FAMILY_BYTES, family);
    *out = family;
    return rc;
}

static int jwt_access(const struct grantd_request *req, const struct grantd_token_grant *g)
{
    const char *all = req->iss->cfg->profile.access_token_format;
    return ((g->client->flags & GRANTD_CLIENT_JWT_ACCESS) || (all && strcmp(all, "jwt") == 0)) &&
           req->iss->keyring;
}

/* A client-credentials JWT: stored nowhere (token_issue.h). */
static int self_contained(const struct grantd_request *req, const struct grantd_token_grant *g)
{
    return jwt_access(req, g) && !g->user_id && !g->with_refresh;
}

/* The access token's text and storage key: opaque, or a signed JWT for JWT clients. */
static grantd_rc access_text(struct grantd_request *req, const struct grantd_token_grant *g,
                             int64_t now, int64_t ttl, const char **out,
                             unsigned char key[GRANTD_SHA256_LEN])
{
    if (!jwt_access(req, g)) {
        char *text = grantd_arena_alloc(req->arena, GRANTD_OPAQUE_CHARS + 1);
        *out = text;
        return grantd_opaque_mint(text, key);
    }
    char *jti = grantd_arena_alloc(req->arena, GRANTD_JTI_SELF_CHARS + 1);
    grantd_rc rc = self_contained(req, g) ? grantd_opaque_jti_self(jti) : grantd_opaque_jti(jti);
    if (rc != GRANTD_OK)
        return rc;
    struct grantd_jwt_claims c = {
        .iss = req->iss->url,
        .sub = g->user_id ? g->user_id : g->client->id,
        .aud = g->audience && *g->audience ? g->audience : req->iss->url,
        .client_id = g->client->id,
        .scope = g->scope,
        .jti = jti,
        .iat = now,
        .exp = now + ttl,
    };
    rc = grantd_keyring_sign(req->iss->keyring, req->arena, now, &c, out);
    if (rc == GRANTD_OK)
        grantd_opaque_key_jwt(*out, jti, key);
    return rc;
}

static void fill(struct grantd_token *t, const struct grantd_token_grant *g, int64_t now)
{
    t->tenant = g->client->tenant;
    t->client_id = g->client->id;
    t->user_id = g->user_id;
    t->scope = g->scope;
    t->family = g->family;
    t->family_is_new = g->new_family;
    t->audience = g->audience;
    t->created_at = now;
}

/* RFC 6749 §5.1, with what the profile adds: the token_type spelling and more members
 * carrying the access token. Written without a JSON tree (core/jsonw.h): this is every token
 * answer, and the tree cost several µs of a JWT answer. */
static void answer_members(struct grantd_request *req, struct grantd_jsonw *w,
                           const struct grantd_token_grant *g, const char *access,
                           const char *refresh, const char *id_token, int64_t ttl)
{
    const struct grantd_profile *p = &req->iss->cfg->profile;
    grantd_jsonw_member_str(w, 1, "access_token", access);
    grantd_jsonw_member_str(w, 0, "token_type", p->token_type ? p->token_type : "Bearer");
    grantd_jsonw_member_int(w, 0, "expires_in", ttl);
    if (g->scope && *g->scope) /* RFC 6749 §5.1: no member for an empty grant */
        grantd_jsonw_member_str(w, 0, "scope", g->scope);
    for (char *const *alias = p->access_token_aliases; alias && *alias; alias++)
        grantd_jsonw_member_str(w, 0, *alias, access);
    if (refresh)
        grantd_jsonw_member_str(w, 0, "refresh_token", refresh);
    if (id_token)
        grantd_jsonw_member_str(w, 0, "id_token", id_token);
    const char *member = req->iss->cfg->account_member;
    if (member && g->account)
        grantd_jsonw_member_str(w, 0, member, g->account);
    grantd_jsonw_raw(w, "}", 1);
}

/* The answer's text into the arena; GRANTD_EINVAL when a string is not UTF-8 (an account
 * or scope the store handed back broken). */
static grantd_rc answer(struct grantd_request *req, const struct grantd_token_grant *g,
                        const char *access, const char *refresh, int64_t ttl,
                        struct grantd_issued *out)
{
    struct grantd_jsonw w = {0};
    answer_members(req, &w, g, access, refresh, out->id_token, ttl);
    if (w.bad)
        return GRANTD_EINVAL;
    size_t len = w.len;
    w = (struct grantd_jsonw){.buf = grantd_arena_alloc(req->arena, len + 1)};
    answer_members(req, &w, g, access, refresh, out->id_token, ttl);
    w.buf[len] = '\0';
    out->body = w.buf;
    out->body_len = len;
    return GRANTD_OK;
}

grantd_rc grantd_token_prepare(struct grantd_request *req, const struct grantd_token_grant *g,
                               struct grantd_issued *out)
{
    int64_t now = req->app->now();
    int64_t ttl = grantd_client_access_ttl(req, g->client);
    int64_t rttl = grantd_client_refresh_ttl(req, g->client);
    const char *access = NULL;
    char refresh[GRANTD_OPAQUE_CHARS + 1];
    memset(out, 0, sizeof(*out));
    fill(&out->tokens[0], g, now);
    fill(&out->tokens[1], g, now);
    out->tokens[0].kind = GRANTD_TOKEN_ACCESS;
    out->tokens[0].expires_at = now + ttl;
    out->tokens[1].kind = GRANTD_TOKEN_REFRESH;
    out->tokens[1].scope = g->refresh_scope ? g->refresh_scope : g->scope;
    if (g->refresh_audience)
        out->tokens[1].audience = g->refresh_audience;
    out->tokens[1].expires_at = rttl ? now + rttl : 0;
    out->tokens[1].auth_time = g->auth_time;
    grantd_rc rc = access_text(req, g, now, ttl, &access, out->tokens[0].hash);
    if (rc == GRANTD_OK && g->user_id && grantd_scope_openid(g->scope)) {
        struct grantd_id_token t = {
            .client = g->client,
            .sub = g->user_id,
            .auth_time = g->auth_time,
            .nonce = g->nonce,
            .access_token = access,
        };
        rc = grantd_id_token_mint(req, &t, now, ttl, &out->id_token);
    }
    if (rc != GRANTD_OK)
        return rc;
    if (g->with_refresh) {
        rc = grantd_opaque_mint(refresh, out->tokens[1].hash);
        if (rc != GRANTD_OK)
            return rc;
    }
    out->count = g->with_refresh ? 2 : 1;
    return answer(req, g, access, g->with_refresh ? refresh : NULL, ttl, out);
}

/* The grant of a token request for the metrics: one of the token table's names (the only
 * grants that get here), with the profile alias "code" counted as authorization_code. */
static const char *grant_label(const struct grantd_request *req)
{
    const char *g = grantd_params_value(&req->form, "grant_type");
    if (!g || strcmp(g, "code") == 0)
        return "authorization_code";
    return g;
}

void grantd_issued_respond(struct grantd_request *req, struct grantd_response *resp,
                           struct grantd_issued *out)
{
    grantd_metrics_count(GRANTD_METRIC_TOKENS_ISSUED, grant_label(req));
    grantd_response_json_text(req, resp, 200, out->body, out->body_len);
}

/* The answer once the tokens are stored (or not). */
static void issue_answer(struct grantd_request *req, struct grantd_response *resp,
                         struct grantd_issued *issued, grantd_rc rc, const char *conflict_why)
{
    if (rc == GRANTD_OK) {
        grantd_issued_respond(req, resp, issued);
        return;
    }
    if (rc == GRANTD_ECONFLICT && !conflict_why) {
        /* the grant was won and then revoked before its tokens were stored: they were
         * issued and revoked, in that order; nothing was stored, so every check refuses them
         * as it would refuse them revoked */
        grantd_log(GRANTD_LOG_WARN, "tokens_revoked_at_issue", "{s:s}", "request_id",
                   req->request_id);
        grantd_issued_respond(req, resp, issued);
        return;
    }
    struct grantd_refusal no;
    if (rc == GRANTD_ECONFLICT)
        rc = grantd_refuse(&no, GRANTD_OAUTH_INVALID_GRANT, conflict_why);
    grantd_oauth_answer(req, resp, rc, &no);
}

/* A deferred issue: the tokens, the store's result and what to say on a conflict, in the
 * request arena until the answer is written. */
struct pending_issue {
    struct grantd_issued issued;
    const char *conflict_why;
    const struct grantd_store *store;
    grantd_rc rc;
    grantd_wake_fn wake;
    void *token;
};

static void issue_stored(void *arg, grantd_rc rc)
{
    struct pending_issue *p = arg;
    p->rc = rc;
    p->wake(p->token);
}

static void issue_start(void *arg, grantd_wake_fn wake, void *token)
{
    struct pending_issue *p = arg;
    p->wake = wake;
    p->token = token;
    struct grantd_store *s = (struct grantd_store *)p->store;
    grantd_store_token_put_async(s, p->issued.tokens, p->issued.count, issue_stored, p);
}

static void issue_cont(struct grantd_request *req, struct grantd_response *resp, void *arg)
{
    struct pending_issue *p = arg;
    issue_answer(req, resp, &p->issued, p->rc, p->conflict_why);
}

void grantd_token_issue(struct grantd_request *req, struct grantd_response *resp,
                        const struct grantd_token_grant *g, const char *conflict_why)
{
    struct grantd_store *s = req->app->store;
    if (self_contained(req, g)) {
        struct grantd_issued issued;
        issue_answer(req, resp, &issued, grantd_token_prepare(req, g, &issued), conflict_why);
        return;
    }
    if (grantd_store_puts_async(s)) {
        struct pending_issue *p = grantd_arena_alloc(req->arena, sizeof(*p));
        memset(p, 0, sizeof(*p));
        grantd_rc rc = grantd_token_prepare(req, g, &p->issued);
        if (rc != GRANTD_OK) {
            issue_answer(req, resp, &p->issued, rc, conflict_why);
            return;
        }
        p->conflict_why = conflict_why;
        p->store = s;
        grantd_response_defer(resp, issue_start, issue_cont, NULL, p); /* all in the arena */
        return;
    }
    struct grantd_issued issued;
    grantd_rc rc = grantd_token_prepare(req, g, &issued);
    if (rc == GRANTD_OK)
        rc = grantd_store_token_put(s, issued.tokens, issued.count);
    issue_answer(req, resp, &issued, rc, conflict_why);
}
