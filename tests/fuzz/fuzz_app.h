/* The in-process app of the endpoint fuzz targets (fuzz_authorize.c, fuzz_token.c,
 * fuzz_introspect_revoke.c): one migrated sqlite::memory: store holding a few clients and a
 * user, one default issuer, a fixed clock, and the real request handlers run without sockets
 * (the way tests/unit/oauth/protocol.h runs them, without cmocka). Built once per process and
 * reused by every input, so an exec costs a request, not a store. Every FA_PURGE_EVERY
 * inputs the clock jumps FA_PURGE_JUMP ahead and what expired is purged, as the janitor
 * would: a 10-minute run would otherwise hold millions of codes and tokens in memory
 * (refresh tokens live FA_REFRESH_TTL here, not forever, so that they go too).
 *
 * The issuer has real signing keys (so ID tokens are minted and signed), and alice has a
 * browser session whose cookie and CSRF token a target may send (fa_signed_in, FA.csrf);
 * it is started again after every jump of the clock, which ends it.
 *
 * Not here: HTTP parsing (libmicrohttpd), routing.
 * Header-only so each target stays one .c file; each target includes it once. */
#ifndef GRANTD_FUZZ_APP_H
#define GRANTD_FUZZ_APP_H

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "core/config.h"
#include "core/crypto.h"
#include "core/mem.h"
#include "fuzz_assert.h"
#include "http/app.h"
#include "http/request_build.h"
#include "oauth/endpoints.h"
#include "oauth/session.h"
#include "store/store.h"
#include "token/keys.h"
#include "token/opaque.h"

#include "../support/handler_run.h"

#define FA_NOW INT64_C(1750000000)
#define FA_SECRET "s3cret"
#define FA_WEB "web"   /* confidential: code + refresh, redirect FA_WEB_URI */
#define FA_SPA "spa"   /* public: code + refresh, redirect FA_SPA_URI */
#define FA_M2M "m2m"   /* confidential: client_credentials, scope "read" */
#define FA_WEB_URI "https://app.example/cb"
#define FA_SPA_URI "https://spa.example/cb"
#define FA_ALICE "sub-alice"
#define FA_PURGE_EVERY 20000
#define FA_PURGE_JUMP INT64_C(400 * 86400)
#define FA_REFRESH_TTL INT64_C(30 * 86400)
/* RFC 7636 appendix B's verifier and its S256 challenge: the PKCE code of fa_put_code_oidc */
#define FA_VERIFIER "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define FA_CHALLENGE "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
#define FA_NONCE "n-0S6_WzA2Mj"
#define FA_MASTER_KEY "ZnV6ei1tYXN0ZXIta2V5LTMyLWJ5dGVzLWxvbmchISE="

static struct {
    struct grantd_store *store;
    struct grantd_config cfg;
    struct grantd_issuer iss;
    struct grantd_issuer_set issuers;
    struct grantd_app app;
    struct grantd_keyring *keyring;
    char cookie[256];  /* "name=value" of alice's session */
    char csrf[128];    /* its CSRF token */
    int64_t shift;     /* the clock's jumps so far */
    uint64_t inputs;
} FA;

static inline int64_t fa_clock(void)
{
    return FA_NOW + FA.shift;
}

static inline void fa_client(const char *id, int is_public, unsigned grants, const char *scope,
                      const char *uri)
{
    static const char *uris[1];
    struct grantd_client c = {0};
    uris[0] = uri;
    c.tenant = GRANTD_DEFAULT_TENANT;
    c.id = id;
    c.name = id;
    c.is_public = is_public;
    c.redirect_uris = uri ? uris : NULL;
    c.redirect_uri_count = uri ? 1 : 0;
    c.scope = scope;
    c.grants = grants;
    c.created_at = FA_NOW - 100;
    c.updated_at = FA_NOW - 100;
    c.tokens_after = (FA_NOW - 100) * 1000000;
    if (!is_public)
        FUZZ_CHECK(grantd_store_hash_secret(FA.store, FA_SECRET, c.secret_hash) == GRANTD_OK);
    FUZZ_CHECK(grantd_store_client_put(FA.store, &c) == GRANTD_OK);
}

static inline void fa_user(void)
{
    struct grantd_user u = {0};
    u.tenant = GRANTD_DEFAULT_TENANT;
    u.id = FA_ALICE;
    u.username = "alice";
    u.password_hash = "$argon2id$v=19$m=65536,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo";
    u.created_at = FA_NOW - 100;
    u.updated_at = FA_NOW - 100;
    FUZZ_CHECK(grantd_store_user_put(FA.store, &u) == GRANTD_OK);
}

static inline void fa_session(void);

/* Opens the store and the app once; later calls return at once. */
static inline void fa_init(void)
{
    if (FA.store)
        return;
    char err[256] = "";
    int from, to;
    const unsigned code = GRANTD_GRANT_AUTHORIZATION_CODE, refresh = GRANTD_GRANT_REFRESH_TOKEN;
    FUZZ_CHECK(grantd_store_open("sqlite::memory:", &FA.store, err, sizeof(err)) == GRANTD_OK);
    FUZZ_CHECK(grantd_store_migrate(FA.store, FA_NOW, &from, &to) == GRANTD_OK);
    fa_client(FA_WEB, 0, code | refresh, "openid read write", FA_WEB_URI);
    fa_client(FA_SPA, 1, code | refresh, "read write", FA_SPA_URI);
    fa_client(FA_M2M, 0, GRANTD_GRANT_CLIENT_CREDENTIALS, "read", NULL);
    fa_user();
    grantd_config_defaults(&FA.cfg);
    FA.cfg.lifetimes.refresh_token = FA_REFRESH_TTL;
    FA.iss = (struct grantd_issuer){
        .tenant = GRANTD_DEFAULT_TENANT, .url = "https://as.example", .prefix = "",
        .cfg = &FA.cfg,
    };
    FA.issuers = (struct grantd_issuer_set){&FA.iss, 1};
    FA.app = (struct grantd_app){
        .cfg = &FA.cfg, .store = FA.store, .now = fa_clock, .issuer_set = &FA.issuers,
    };
    grantd_app_parse_limits(&FA.app.limits, &FA.cfg);
    FA.cfg.keys.master_key = strdup(FA_MASTER_KEY);
    FUZZ_CHECK(grantd_keyring_open(FA.store, &FA.cfg, GRANTD_DEFAULT_TENANT, FA_NOW,
                                   &FA.keyring, err, sizeof(err)) == GRANTD_OK);
    FA.iss.keyring = FA.keyring;
    fa_session();
}

/* Called first by every input: the app, and now and then the jump and the purge. */
static inline void fa_begin(void)
{
    size_t deleted;
    fa_init();
    if (++FA.inputs % FA_PURGE_EVERY != 0)
        return;
    FA.shift += FA_PURGE_JUMP;
    FUZZ_CHECK(grantd_store_purge_expired(FA.store, fa_clock(), fa_clock(), &deleted) ==
               GRANTD_OK);
    FUZZ_CHECK(grantd_store_revocations_purge(FA.store, fa_clock(), &deleted) == GRANTD_OK);
    fa_session();
}

/* "Basic base64(id:secret)" in arena a. */
static inline const char *fa_basic(struct grantd_arena *a, const char *id, const char *secret)
{
    const char *pair = grantd_arena_printf(a, "%s:%s", id, secret);
    size_t n = strlen(pair);
    char *b64 = grantd_arena_alloc(a, 4 * ((n + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)pair, (int)n);
    return grantd_arena_printf(a, "Basic %s", b64);
}

/* The Authorization header a target's mode bits 0-1 pick: none, Basic web, Basic m2m, or
 * Basic web with a wrong secret. */
static inline const char *fa_authorization(struct grantd_arena *a, unsigned mode)
{
    switch (mode & 3) {
    case 1:
        return fa_basic(a, FA_WEB, FA_SECRET);
    case 2:
        return fa_basic(a, FA_M2M, FA_SECRET);
    case 3:
        return fa_basic(a, FA_WEB, "wrong");
    default:
        return NULL;
    }
}

/* A request of the default issuer with its own arena; content_type and authorization may be
 * NULL (no such header). body may hold any bytes (body_len of them). */
static inline struct grantd_request *fa_request(const char *method, const char *uri,
                                         const char *content_type, const char *authorization,
                                         const char *body, size_t body_len)
{
    struct grantd_arena *a = grantd_arena_new(4096);
    struct grantd_request *req = grantd_arena_alloc(a, sizeof(*req));
    memset(req, 0, sizeof(*req));
    req->arena = a;
    req->app = &FA.app;
    req->iss = &FA.iss;
    req->method = method;
    req->request_id = "fuzz";
    req->remote_ip = "127.0.0.1";
    struct grantd_param *h = grantd_arena_alloc(a, 3 * sizeof(*h));
    size_t n = 0;
    if (content_type)
        h[n++] = (struct grantd_param){"content-type", content_type};
    if (authorization)
        h[n++] = (struct grantd_param){"authorization", grantd_arena_strdup(a, authorization)};
    req->headers.items = h;
    req->headers.count = n;
    grantd_request_fill(req, uri, body ? body : "", body ? body_len : 0);
    return req;
}

/* Makes req carry alice's session cookie (after fa_request, which leaves room for it). */
static inline void fa_signed_in(struct grantd_request *req)
{
    struct grantd_param *h = (struct grantd_param *)req->headers.items;
    h[req->headers.count++] = (struct grantd_param){"cookie", FA.cookie};
}

/* Starts alice's session (signed in now) and keeps its cookie and CSRF token in FA. */
static inline void fa_session(void)
{
    struct grantd_request *req = fa_request("GET", "/authorize", NULL, NULL, NULL, 0);
    struct grantd_response resp = {0};
    struct grantd_web_session s;
    FUZZ_CHECK(grantd_web_session_start(req, &resp, NULL, FA_ALICE, &s) == GRANTD_OK);
    const char *set = grantd_test_response_header(&resp, "Set-Cookie");
    FUZZ_CHECK(set && strchr(set, ';'));
    size_t n = (size_t)(strchr(set, ';') - set);
    FUZZ_CHECK(n < sizeof(FA.cookie) && strlen(s.csrf) < sizeof(FA.csrf));
    memcpy(FA.cookie, set, n);
    FA.cookie[n] = '\0';
    strcpy(FA.csrf, s.csrf);
    grantd_arena_free(req->arena);
}

/* What the server does with a deferred answer (tests/support/handler_run.h); a wake that
 * never comes is a bug, reported as a crash. */
static inline void fa_run_deferral(struct grantd_request *req, struct grantd_response *resp)
{
    FUZZ_CHECK(grantd_test_run_deferral(req, resp));
}

static inline const char *fa_header(const struct grantd_response *resp, const char *name)
{
    return grantd_test_response_header(resp, name);
}

/* What the client sees: copied into the caller's arena, the request freed. */
struct fa_answer {
    unsigned status;
    const char *body;
    json_t *json;              /* NULL when the body is not JSON; json_decref it */
    const char *location, *cache_control;
};

static inline struct fa_answer fa_run(struct grantd_arena *a, grantd_handler_fn handler,
                               struct grantd_request *req)
{
    struct grantd_response resp = {0};
    handler(req, &resp);
    while (resp.defer.start)
        fa_run_deferral(req, &resp);
    struct fa_answer ans = {.status = resp.status};
    FUZZ_CHECK(resp.status >= 200 && resp.status <= 599);
    ans.body = grantd_arena_strndup(a, resp.body ? resp.body : "", resp.body_len);
    ans.json = json_loadb(ans.body, resp.body_len, 0, NULL);
    const char *loc = fa_header(&resp, "Location");
    const char *cc = fa_header(&resp, "Cache-Control");
    ans.location = loc ? grantd_arena_strdup(a, loc) : NULL;
    ans.cache_control = cc ? grantd_arena_strdup(a, cc) : NULL;
    grantd_arena_free(req->arena);
    return ans;
}

static inline const char *fa_member(const struct fa_answer *ans, const char *name)
{
    return ans->json ? json_string_value(json_object_get(ans->json, name)) : NULL;
}

/* A JSON refusal of the token-style endpoints: an error code, never cached. */
static inline void fa_check_refusal(const struct fa_answer *ans)
{
    FUZZ_CHECK(ans->status >= 400 && ans->status < 600);
    if (ans->status >= 500)
        return;
    const char *error = fa_member(ans, "error");
    FUZZ_CHECK(error && error[0]);
    FUZZ_CHECK(ans->cache_control && strcmp(ans->cache_control, "no-store") == 0);
}

/* A stored authorization code for FA_WEB and FA_ALICE (redirect FA_WEB_URI, living 60 s)
 * with scope, and with FA_CHALLENGE (S256) and FA_NONCE when oidc: its text into text;
 * returns its family (arena a). */
static inline const char *fa_put_code_as(struct grantd_arena *a,
                                         char text[GRANTD_OPAQUE_CHARS + 1], const char *scope,
                                         int oidc)
{
    char *family = grantd_arena_alloc(a, grantd_b64url_len(16) + 1);
    FUZZ_CHECK(grantd_random_token(16, family) == GRANTD_OK);
    struct grantd_code k = {0};
    k.tenant = GRANTD_DEFAULT_TENANT;
    k.client_id = FA_WEB;
    k.user_id = FA_ALICE;
    k.redirect_uri = FA_WEB_URI;
    k.scope = scope;
    if (oidc) {
        k.code_challenge = FA_CHALLENGE;
        k.code_challenge_method = "S256";
        k.nonce = FA_NONCE;
    }
    k.family = family;
    k.auth_time = fa_clock() - 5;
    k.created_at = fa_clock();
    k.expires_at = fa_clock() + 60;
    FUZZ_CHECK(grantd_opaque_mint(text, k.hash) == GRANTD_OK);
    FUZZ_CHECK(grantd_store_code_put(FA.store, &k) == GRANTD_OK);
    return family;
}

/* The same with scope "read write", without PKCE or nonce. */
static inline const char *fa_put_code(struct grantd_arena *a,
                                      char text[GRANTD_OPAQUE_CHARS + 1])
{
    return fa_put_code_as(a, text, "read write", 0);
}

/* POST /token with a form body as FA_WEB (Basic). */
static inline struct fa_answer fa_token_post(struct grantd_arena *a, const char *body)
{
    return fa_run(a, grantd_token_endpoint,
                  fa_request("POST", "/token", "application/x-www-form-urlencoded",
                             fa_basic(a, FA_WEB, FA_SECRET), body, strlen(body)));
}

/* Redeems a fresh code of FA_WEB: its access and refresh tokens into the two buffers. */
static inline void fa_tokens(struct grantd_arena *a, char access[GRANTD_OPAQUE_CHARS + 1],
                      char refresh[GRANTD_OPAQUE_CHARS + 1])
{
    char code[GRANTD_OPAQUE_CHARS + 1];
    (void)fa_put_code(a, code);
    struct fa_answer ans = fa_token_post(
        a, grantd_arena_printf(a, "grant_type=authorization_code&code=%s&redirect_uri=%s",
                               code, FA_WEB_URI));
    const char *at = fa_member(&ans, "access_token"), *rt = fa_member(&ans, "refresh_token");
    FUZZ_CHECK(ans.status == 200 && at && rt);
    FUZZ_CHECK(strlen(at) <= GRANTD_OPAQUE_CHARS && strlen(rt) <= GRANTD_OPAQUE_CHARS);
    strcpy(access, at);
    strcpy(refresh, rt);
    json_decref(ans.json);
}

/* The family the store holds for a token text; NULL when it holds none. */
static inline const char *fa_token_family(struct grantd_arena *a, const char *text)
{
    unsigned char hash[GRANTD_SHA256_LEN];
    struct grantd_token t;
    grantd_opaque_hash(text, hash);
    if (grantd_store_token_get(FA.store, a, GRANTD_DEFAULT_TENANT, hash, &t) != GRANTD_OK)
        return NULL;
    return t.family;
}

/* The store's state of a token text: 1 live, 0 absent, revoked, rotated or expired. */
static inline int fa_token_live(struct grantd_arena *a, const char *text)
{
    unsigned char hash[GRANTD_SHA256_LEN];
    struct grantd_token t;
    grantd_opaque_hash(text, hash);
    if (grantd_store_token_get(FA.store, a, GRANTD_DEFAULT_TENANT, hash, &t) != GRANTD_OK)
        return 0;
    return !t.revoked && !t.rotated_at && (!t.expires_at || t.expires_at > fa_clock());
}

/* data with every "@X" of the pairs (X, text) replaced: the fuzzer writes "@C" and meets
 * the real code, refresh or access token of this run. NUL-terminated, *len its length. */
static inline char *fa_expand(struct grantd_arena *a, const uint8_t *data, size_t size,
                       const char *const *pairs, size_t npairs, size_t *len)
{
    size_t cap = size + 1;
    for (size_t i = 0; i < size; i++)
        if (data[i] == '@')
            cap += GRANTD_OPAQUE_CHARS;
    char *out = grantd_arena_alloc(a, cap);
    size_t n = 0;
    for (size_t i = 0; i < size; i++) {
        size_t k = npairs;
        if (data[i] == '@' && i + 1 < size)
            for (k = 0; k < npairs && pairs[2 * k][0] != (char)data[i + 1]; k++)
                ;
        if (k < npairs) {
            size_t m = strlen(pairs[2 * k + 1]);
            memcpy(out + n, pairs[2 * k + 1], m);
            n += m;
            i++;
        } else {
            out[n++] = (char)data[i];
        }
    }
    out[n] = '\0';
    *len = n;
    return out;
}

#endif
