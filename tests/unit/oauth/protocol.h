/* The in-process harness of the protocol tests (tests/unit/oauth/test_*.c): the protocol
 * modules run without HTTP and without sleeping, against a migrated sqlite::memory: store,
 * one default issuer and a clock the test sets (test_now).
 *
 * Layout: each test executable opens one store for all its tests (proto_group_setup), with
 * the fixed clients and users below created once; each test gets a fresh issuer configuration
 * and the clock at T0 (proto_setup). One store per executable, not per test, because the
 * client cache (oauth/client_cache.c) is keyed by the store's address for a second: a store
 * opened at the address of a closed one would meet the closed one's clients.
 *
 * Every store call of the protocol tests is in this file (the store API is changing: callers
 * will pass the time themselves), and every time given to the store is test_now-based.
 *
 * Each test executable includes this header once, hence the static inline functions. */
#ifndef GRANTD_TESTS_UNIT_OAUTH_PROTOCOL_H
#define GRANTD_TESTS_UNIT_OAUTH_PROTOCOL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "core/config.h"
#include "core/crypto.h"
#include "core/mem.h"
#include "core/password.h"
#include "http/app.h"
#include "http/request_build.h"
#include "oauth/endpoints.h"
#include "store/store.h"
#include "token/opaque.h"

#include "../../support/handler_run.h"

#define T0 INT64_C(1750000000) /* the clock at the start of every test */

/* The fixed clients (tenant 1) and their secret. */
#define SECRET "s3cret"
#define WEB "web"       /* confidential: code + refresh, redirect https://app.example/cb */
#define NOREFRESH "nr"  /* confidential: code only */
#define SPA "spa"       /* public: code + refresh, redirect https://spa.example/cb */
#define PLAIN "plain"   /* confidential, plain PKCE allowed */
#define OFF "off"       /* confidential, disabled */
#define OTHER "other"   /* confidential: code + refresh, another client of the same tenant */
#define M2M "m2m"       /* confidential: client_credentials only */
#define MULTI "multi"   /* confidential, two redirect URIs */
#define API "api"       /* confidential: code + refresh + client_credentials, redirect
                         * WEB_URI, may ask for the resources API_A and API_B */
#define API_A "https://a.example/api"
#define API_B "https://b.example/api"
#define WEB_URI "https://app.example/cb"

/* The fixed users: alice can sign in; bob is disabled; carol is there to be disabled. */
#define ALICE "sub-alice"
#define BOB "sub-bob"
#define CAROL "sub-carol"

static int64_t test_now = T0;
static int64_t test_clock(void)
{
    return test_now;
}

struct proto {
    struct grantd_store *store;
    struct grantd_arena *a;         /* the test's strings; freed by proto_teardown */
    struct grantd_config cfg;       /* the issuer's settings; fresh per test */
    struct grantd_issuer iss;
    struct grantd_issuer_set issuers; /* iss alone */
    struct grantd_app app;
};

static struct proto P;

/* ---- store: every call the protocol tests make ------------------------------------------ */

struct client_spec {
    const char *id;
    int is_public;
    unsigned grants, flags;
    const char *scope;
    const char *uri1, *uri2;       /* registered redirect URIs (NULL: fewer) */
    int disabled;
    const char *resources;         /* RFC 8707, space-separated; NULL: none */
};

static inline void make_client(const struct client_spec *spec)
{
    static const char *uris[2];
    struct grantd_client c = {0};
    size_t n = 0;
    if (spec->uri1)
        uris[n++] = spec->uri1;
    if (spec->uri2)
        uris[n++] = spec->uri2;
    c.tenant = GRANTD_DEFAULT_TENANT;
    c.id = spec->id;
    c.name = spec->id;
    c.is_public = spec->is_public;
    c.redirect_uris = n ? uris : NULL;
    c.redirect_uri_count = n;
    c.scope = spec->scope ? spec->scope : "read write admin";
    c.grants = spec->grants;
    c.flags = spec->flags;
    c.disabled = spec->disabled;
    c.resources = spec->resources;
    c.created_at = test_now - 100;
    c.updated_at = test_now - 100;
    c.tokens_after = (test_now - 100) * 1000000;
    if (!spec->is_public)
        assert_int_equal(grantd_store_hash_secret(P.store, SECRET, c.secret_hash), GRANTD_OK);
    assert_int_equal(grantd_store_client_put(P.store, &c), GRANTD_OK);
}

static inline void make_user(const char *id, const char *username, int disabled)
{
    struct grantd_user u = {0};
    u.tenant = GRANTD_DEFAULT_TENANT;
    u.id = id;
    u.username = username;
    u.account = NULL;
    u.password_hash = "$argon2id$v=19$m=65536,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo";
    u.disabled = disabled;
    u.created_at = test_now - 100;
    u.updated_at = test_now - 100;
    assert_int_equal(grantd_store_user_put(P.store, &u), GRANTD_OK);
}

/* A user who signs in with password (hashed for real: argon2id's work, once per call). */
static inline void make_user_password(const char *id, const char *username,
                                      const char *password)
{
    char hash[GRANTD_PASSWORD_HASH_LEN];
    assert_int_equal(grantd_password_hash(password, hash), GRANTD_OK);
    struct grantd_user u = {0};
    u.tenant = GRANTD_DEFAULT_TENANT;
    u.id = id;
    u.username = username;
    u.password_hash = hash;
    u.created_at = test_now - 100;
    u.updated_at = test_now - 100;
    assert_int_equal(grantd_store_user_put(P.store, &u), GRANTD_OK);
}

/* Disables a client (revoking its tokens and codes) at the test clock's now. The write
 * moves the store's generation, so the client cache drops what it read at once. */
static inline void disable_client(const char *id)
{
    assert_int_equal(grantd_store_client_set_disabled(P.store, GRANTD_DEFAULT_TENANT, id, 1,
                                                      test_now * 1000000),
                     GRANTD_OK);
}

/* Disables a user by username (not by id). */
static inline void disable_user(const char *username)
{
    assert_int_equal(
        grantd_store_user_set_disabled(P.store, GRANTD_DEFAULT_TENANT, username, 1, test_now),
        GRANTD_OK);
}

/* An authorization code as /authorize would have stored it: for WEB and ALICE, redirect
 * WEB_URI, scope "read write", no PKCE, issued now, living 60 s, in a new family. The test
 * changes what it needs and puts it with put_code. */
static inline struct grantd_code code_for(const char *client_id)
{
    char *family = grantd_arena_alloc(P.a, grantd_b64url_len(16) + 1);
    assert_int_equal(grantd_random_token(16, family), GRANTD_OK);
    struct grantd_code k = {0};
    k.tenant = GRANTD_DEFAULT_TENANT;
    k.client_id = client_id;
    k.user_id = ALICE;
    k.redirect_uri = WEB_URI;
    k.scope = "read write";
    k.family = family;
    k.auth_time = test_now - 5;
    k.created_at = test_now;
    k.expires_at = test_now + 60;
    return k;
}

/* Stores k under the code text (what the client will send as code=). */
static inline void put_code(struct grantd_code *k, const char *text)
{
    grantd_opaque_hash(text, k->hash);
    assert_int_equal(grantd_store_code_put(P.store, k), GRANTD_OK);
}

/* What the store holds about a token text. */
enum token_state { TOKEN_ABSENT, TOKEN_LIVE, TOKEN_REVOKED, TOKEN_ROTATED };

static inline enum token_state token_state(const char *text)
{
    unsigned char hash[GRANTD_SHA256_LEN];
    struct grantd_token t;
    grantd_opaque_hash(text, hash);
    grantd_rc rc = grantd_store_token_get(P.store, P.a, GRANTD_DEFAULT_TENANT, hash, &t);
    if (rc == GRANTD_ENOTFOUND)
        return TOKEN_ABSENT;
    assert_int_equal(rc, GRANTD_OK);
    if (t.revoked)
        return TOKEN_REVOKED;
    return t.rotated_at ? TOKEN_ROTATED : TOKEN_LIVE;
}

/* The audience (RFC 8707 resources, space-separated) the store holds for a token text. */
static inline const char *stored_audience(const char *text)
{
    unsigned char hash[GRANTD_SHA256_LEN];
    struct grantd_token t;
    grantd_opaque_hash(text, hash);
    assert_int_equal(grantd_store_token_get(P.store, P.a, GRANTD_DEFAULT_TENANT, hash, &t),
                     GRANTD_OK);
    return t.audience;
}

/* Revokes one token, as POST /revoke would. */
static inline void revoke_token(const char *text)
{
    unsigned char hash[GRANTD_SHA256_LEN];
    grantd_opaque_hash(text, hash);
    assert_int_equal(grantd_store_token_revoke(P.store, GRANTD_DEFAULT_TENANT, hash, 1000), GRANTD_OK);
}

/* ---- fixture ------------------------------------------------------------------------------ */

static inline void make_fixed_records(void)
{
    const unsigned code = GRANTD_GRANT_AUTHORIZATION_CODE, refresh = GRANTD_GRANT_REFRESH_TOKEN;
    const struct client_spec clients[] = {
        {.id = WEB, .grants = code | refresh, .uri1 = WEB_URI},
        {.id = NOREFRESH, .grants = code, .uri1 = WEB_URI},
        {.id = SPA, .is_public = 1, .grants = code | refresh, .uri1 = "https://spa.example/cb"},
        {.id = PLAIN, .grants = code, .flags = GRANTD_CLIENT_ALLOW_PLAIN_PKCE, .uri1 = WEB_URI},
        {.id = OFF, .grants = code | refresh, .uri1 = WEB_URI, .disabled = 1},
        {.id = OTHER, .grants = code | refresh, .uri1 = WEB_URI},
        {.id = M2M, .grants = GRANTD_GRANT_CLIENT_CREDENTIALS, .scope = "read"},
        {.id = MULTI, .grants = code, .uri1 = WEB_URI, .uri2 = "https://app.example/other"},
        {.id = API, .grants = code | refresh | GRANTD_GRANT_CLIENT_CREDENTIALS, .uri1 = WEB_URI,
         .resources = API_A " " API_B},
    };
    for (size_t i = 0; i < sizeof(clients) / sizeof(clients[0]); i++)
        make_client(&clients[i]);
    make_user(ALICE, "alice", 0);
    make_user(BOB, "bob", 1);
    make_user(CAROL, "carol", 0);
}

static inline int proto_group_setup(void **state)
{
    char err[256] = "";
    test_now = T0;
    grantd_rc rc = grantd_store_open("sqlite::memory:", &P.store, err, sizeof(err));
    if (rc != GRANTD_OK)
        fail_msg("grantd_store_open: %s", err);
    int from, to;
    assert_int_equal(grantd_store_migrate(P.store, test_now, &from, &to), GRANTD_OK);
    make_fixed_records();
    return 0;
}

static inline int proto_group_teardown(void **state)
{
    grantd_store_close(P.store);
    P.store = NULL;
    return 0;
}

static inline int proto_setup(void **state)
{
    test_now = T0;
    P.a = grantd_arena_new(4096);
    grantd_config_defaults(&P.cfg);
    P.iss = (struct grantd_issuer){
        .tenant = GRANTD_DEFAULT_TENANT, .url = "https://as.example", .prefix = "",
        .cfg = &P.cfg,
    };
    P.issuers = (struct grantd_issuer_set){&P.iss, 1};
    P.app = (struct grantd_app){
        .cfg = &P.cfg, .store = P.store, .now = test_clock, .issuer_set = &P.issuers,
    };
    grantd_app_parse_limits(&P.app.limits, &P.cfg);
    return 0;
}

static inline int proto_teardown(void **state)
{
    grantd_config_free(&P.cfg);
    grantd_arena_free(P.a);
    P.a = NULL;
    return 0;
}

/* Loads issuer settings (a profile file's text: "lifetimes = { refresh_grace = 30; };"). */
static inline void configure(const char *text)
{
    char err[256] = "";
    if (grantd_config_load_issuer(&P.cfg, text, "test", err, sizeof(err)) != GRANTD_OK)
        fail_msg("issuer settings refused: %s", err);
}

#define PROTO_TEST(f) cmocka_unit_test_setup_teardown(f, proto_setup, proto_teardown)
#define PROTO_RUN(tests) \
    cmocka_run_group_tests(tests, proto_group_setup, proto_group_teardown)

/* ---- requests ----------------------------------------------------------------------------- */

/* A request of the default issuer with its own arena (free with request_free). */
static inline struct grantd_request *request_new(const char *method)
{
    struct grantd_arena *a = grantd_arena_new(4096);
    struct grantd_request *req = grantd_arena_alloc(a, sizeof(*req));
    memset(req, 0, sizeof(*req));
    req->arena = a;
    req->app = &P.app;
    req->iss = &P.iss;
    req->method = method;
    req->request_id = "test";
    req->remote_ip = "127.0.0.1";
    return req;
}

static inline void request_free(struct grantd_request *req)
{
    grantd_arena_free(req->arena);
}

/* "Basic base64(id:secret)" in the test's arena (id and secret used as they are: callers
 * that need form-encoding write it themselves). */
static inline const char *basic(const char *id, const char *secret)
{
    const char *pair = grantd_arena_printf(P.a, "%s:%s", id, secret);
    size_t n = strlen(pair);
    char *b64 = grantd_arena_alloc(P.a, 4 * ((n + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)pair, (int)n);
    return grantd_arena_printf(P.a, "Basic %s", b64);
}

/* A POST with a form body and, when authorization is not NULL, that header. */
static inline struct grantd_request *form_post(const char *path, const char *authorization,
                                               const char *body)
{
    struct grantd_request *req = request_new("POST");
    struct grantd_param *h = grantd_arena_alloc(req->arena, 2 * sizeof(*h));
    h[0] = (struct grantd_param){"content-type", "application/x-www-form-urlencoded"};
    h[1] = (struct grantd_param){"authorization", authorization};
    req->headers.items = h;
    req->headers.count = authorization ? 2 : 1;
    grantd_request_fill(req, path, body, strlen(body));
    return req;
}

/* ---- running a handler -------------------------------------------------------------------- */

/* What the client sees. */
struct answer {
    unsigned status;
    const char *body;              /* the answer's text (test arena) */
    json_t *json;                  /* parsed body; NULL when not JSON */
    const char *challenge;         /* WWW-Authenticate; NULL when none */
    const char *cache_control;
};

/* Does what the server does with a deferred answer (tests/support/handler_run.h). */
static inline void run_deferral(struct grantd_request *req, struct grantd_response *resp)
{
    if (!grantd_test_run_deferral(req, resp))
        fail_msg("a deferred answer was never woken");
}

static inline const char *response_header(const struct grantd_response *resp, const char *name)
{
    return grantd_test_response_header(resp, name);
}

/* Runs handler on req (and any deferral), frees req, returns what the client would get. */
static inline struct answer run_handler(grantd_handler_fn handler, struct grantd_request *req)
{
    struct grantd_response resp = {0};
    handler(req, &resp);
    if (resp.defer.start)
        run_deferral(req, &resp);
    assert_null(resp.defer.start);
    struct answer ans = {.status = resp.status};
    ans.body = grantd_arena_strndup(P.a, resp.body ? resp.body : "", resp.body_len);
    ans.json = json_loadb(resp.body ? resp.body : "", resp.body_len, 0, NULL);
    const char *ch = response_header(&resp, "WWW-Authenticate");
    const char *cc = response_header(&resp, "Cache-Control");
    ans.challenge = ch ? grantd_arena_strdup(P.a, ch) : NULL;
    ans.cache_control = cc ? grantd_arena_strdup(P.a, cc) : NULL;
    request_free(req);
    return ans;
}

static inline void answer_free(struct answer *ans)
{
    json_decref(ans->json);
    ans->json = NULL;
}

/* POST /token with this Authorization header (NULL: none) and form body. */
static inline struct answer token_post(const char *authorization, const char *body)
{
    return run_handler(grantd_token_endpoint, form_post("/token", authorization, body));
}

/* A string member of the answer, NULL when absent (or not a string). */
static inline const char *member(const struct answer *ans, const char *name)
{
    return ans->json ? json_string_value(json_object_get(ans->json, name)) : NULL;
}

/* The answer is the refusal `error` with this status, a description containing `why` (when
 * not NULL) and, when basic_challenge, a Basic challenge (else none). */
static inline void assert_refused(const struct answer *ans, unsigned status, const char *error,
                                  const char *why)
{
    if (ans->status != status || !member(ans, "error") || strcmp(member(ans, "error"), error))
        fail_msg("want %u %s, got %u %s", status, error, ans->status, ans->body);
    const char *desc = member(ans, "error_description");
    if (why && (!desc || !strstr(desc, why)))
        fail_msg("description of %s lacks '%s'", ans->body, why);
    if (!ans->cache_control || strcmp(ans->cache_control, "no-store") != 0)
        fail_msg("a refusal without Cache-Control: no-store");
}

/* A 200 token answer: returns it (the caller frees it). */
static inline struct answer assert_tokens(struct answer ans)
{
    if (ans.status != 200 || !member(&ans, "access_token"))
        fail_msg("want tokens, got %u %s", ans.status, ans.body);
    return ans;
}

/* Redeems a fresh code of client for user (WEB_URI, scope) and returns the 200 answer. */
static inline struct answer tokens_of(const char *client_id, const char *user_id,
                                      const char *scope)
{
    struct grantd_code k = code_for(client_id);
    k.user_id = user_id;
    k.scope = scope;
    char text[GRANTD_OPAQUE_CHARS + 1];
    unsigned char ignored[GRANTD_SHA256_LEN];
    assert_int_equal(grantd_opaque_mint(text, ignored), GRANTD_OK);
    put_code(&k, text);
    const char *body = grantd_arena_printf(
        P.a, "grant_type=authorization_code&code=%s&redirect_uri=%s", text, WEB_URI);
    return assert_tokens(token_post(basic(client_id, SECRET), body));
}

static inline struct answer tokens_for(const char *client_id, const char *scope)
{
    return tokens_of(client_id, ALICE, scope);
}

#endif
