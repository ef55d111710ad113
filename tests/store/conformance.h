/* The fixture of the store conformance suite (test_conformance*.c): what every storage
 * driver must do, written against store.h only (stores are opened by URL through
 * grantd_store_open), so each new driver runs the same tests.
 *
 * With GRANTD_TEST_STORE_URL set, every test runs against that URL (which may hold data
 * already: tests work in a tenant of their own with unique names). Otherwise each suite runs
 * twice: against a fresh temporary SQLite file (sqlite:PATH in a mkdtemp directory, new for
 * each test) and against sqlite::memory:. Tests that need to reopen the same database or
 * read its file skip where that is impossible.
 *
 * Each suite file is its own test executable and includes this header once, hence the
 * static inline functions (no warning for the ones a suite does not use).
 *
 * Not here: driver-specific behaviour (file modes, pragmas, busy mapping): see
 * tests/unit/store/test_<driver>.c. */
#ifndef GRANTD_TESTS_STORE_CONFORMANCE_H
#define GRANTD_TESTS_STORE_CONFORMANCE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/crypto.h"
#include "core/mem.h"
#include "store/store.h"

/* The time the tests give operations that take one (unix microseconds): records are stamped
 * with what the caller says, never with a clock of the driver's. */
#define NOW_US 1700000900000000LL
#define NOW (NOW_US / 1000000)

enum mode { MODE_URL, MODE_FILE, MODE_MEMORY };
static enum mode mode;
static const char *env_url;

struct fx {
    char dir[512];
    char path[600];
    char url[700];
    struct grantd_store *s;
    struct grantd_arena *a;
    int64_t tenant; /* a tenant of this test's own */
};


/* ---- fixture ------------------------------------------------------------------------ */

static inline struct grantd_store *open_url(const char *url)
{
    struct grantd_store *s = NULL;
    char err[512] = "";
    grantd_rc rc = grantd_store_open(url, &s, err, sizeof(err));
    if (rc != GRANTD_OK)
        print_error("grantd_store_open(%s): %s: %s\n", url, grantd_strerror(rc), err);
    assert_int_equal(rc, GRANTD_OK);
    assert_non_null(s);
    return s;
}

/* "prefix-<16 hex>", unique enough to share a database with other runs. */
static inline const char *uid(struct grantd_arena *a, const char *prefix)
{
    unsigned char r[8];
    char hex[17];
    assert_int_equal(grantd_random_bytes(r, sizeof(r)), GRANTD_OK);
    grantd_hex_encode(r, sizeof(r), hex);
    return grantd_arena_printf(a, "%s-%s", prefix, hex);
}

static inline int setup_raw(void **state)
{
    struct fx *f = grantd_xcalloc(1, sizeof(*f));
    f->a = grantd_arena_new(4096);
    if (mode == MODE_URL) {
        snprintf(f->url, sizeof(f->url), "%s", env_url);
    } else if (mode == MODE_MEMORY) {
        snprintf(f->url, sizeof(f->url), "sqlite::memory:");
    } else {
        const char *tmp = getenv("TMPDIR");
        snprintf(f->dir, sizeof(f->dir), "%s/grantd-conf-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        assert_non_null(mkdtemp(f->dir));
        snprintf(f->path, sizeof(f->path), "%s/grantd.db", f->dir);
        snprintf(f->url, sizeof(f->url), "sqlite:%s", f->path);
    }
    f->s = open_url(f->url);
    *state = f;
    return 0;
}

static inline int setup(void **state)
{
    setup_raw(state);
    struct fx *f = *state;
    int from = -1, to = -1;
    assert_int_equal(grantd_store_migrate(f->s, NOW, &from, &to), GRANTD_OK);
    struct grantd_tenant t = {.name = uid(f->a, "tenant"), .created_at = NOW};
    assert_int_equal(grantd_store_tenant_put(f->s, &t, &f->tenant), GRANTD_OK);
    assert_true(f->tenant != GRANTD_DEFAULT_TENANT);
    return 0;
}

static inline void remove_db_files(const char *path)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    char p[700];
    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        snprintf(p, sizeof(p), "%s%s", path, suffixes[i]);
        unlink(p);
    }
}

static inline int teardown(void **state)
{
    struct fx *f = *state;
    grantd_store_close(f->s);
    if (f->path[0])
        remove_db_files(f->path);
    if (f->dir[0])
        rmdir(f->dir);
    grantd_arena_free(f->a);
    free(f);
    return 0;
}

/* ---- record builders and comparisons -------------------------------------------------- */

static inline struct grantd_client make_client(struct fx *f, const char *id, size_t nuris)
{
    static const char *const uris[] = {"https://app.example/cb", "http://127.0.0.1/cb",
                                       "com.example.app:/oauth2redirect"};
    struct grantd_client c = {0};
    c.tenant = f->tenant;
    c.id = id;
    c.name = "Example App";
    c.redirect_uris = nuris ? uris : NULL;
    c.redirect_uri_count = nuris;
    c.scope = "openid profile email";
    c.grants = GRANTD_GRANT_AUTHORIZATION_CODE | GRANTD_GRANT_REFRESH_TOKEN;
    c.created_at = 1700000000;
    c.updated_at = 1700000100;
    c.tokens_after = 1700000000000001;
    assert_int_equal(grantd_store_hash_secret(f->s, "s3cret", c.secret_hash), GRANTD_OK);
    return c;
}

static inline void assert_client_equal(const struct grantd_client *want,
                                       const struct grantd_client *got)
{
    assert_int_equal(got->tenant, want->tenant);
    assert_string_equal(got->id, want->id);
    assert_string_equal(got->name, want->name);
    assert_int_equal(!!got->is_public, !!want->is_public);
    assert_memory_equal(got->secret_hash, want->secret_hash, GRANTD_SHA256_LEN);
    assert_int_equal(got->redirect_uri_count, want->redirect_uri_count);
    for (size_t i = 0; i < want->redirect_uri_count; i++)
        assert_string_equal(got->redirect_uris[i], want->redirect_uris[i]);
    assert_string_equal(got->scope, want->scope ? want->scope : "");
    assert_int_equal(got->grants, want->grants);
    assert_int_equal(got->flags, want->flags);
    assert_int_equal(got->code_ttl, want->code_ttl);
    assert_int_equal(got->access_ttl, want->access_ttl);
    assert_int_equal(got->refresh_ttl, want->refresh_ttl);
    assert_int_equal(!!got->disabled, !!want->disabled);
    assert_int_equal(got->created_at, want->created_at);
    assert_int_equal(got->updated_at, want->updated_at);
    assert_int_equal(got->tokens_after, want->tokens_after);
    assert_string_equal(got->resources, want->resources ? want->resources : "");
    /* OpenID Connect (schema step 16): "" for no post-logout URI, NULL for the default alg */
    assert_string_equal(got->post_logout_redirect_uris,
                        want->post_logout_redirect_uris ? want->post_logout_redirect_uris : "");
    if (want->id_token_alg && *want->id_token_alg)
        assert_string_equal(got->id_token_alg, want->id_token_alg);
    else
        assert_null(got->id_token_alg);
    if (want->owner)
        assert_string_equal(got->owner, want->owner);
    else
        assert_null(got->owner);
}

static inline void assert_optional_string(const char *got, const char *want)
{
    if (want)
        assert_string_equal(got, want);
    else
        assert_null(got);
}

static inline void assert_user_equal(const struct grantd_user *want,
                                     const struct grantd_user *got)
{
    assert_int_equal(got->tenant, want->tenant);
    assert_string_equal(got->id, want->id);
    assert_string_equal(got->username, want->username);
    assert_optional_string(got->account, want->account);
    assert_optional_string(got->email, want->email);
    assert_string_equal(got->password_hash, want->password_hash);
    assert_int_equal(!!got->disabled, !!want->disabled);
    assert_int_equal(!!got->developer, !!want->developer);
    assert_int_equal(got->created_at, want->created_at);
    assert_int_equal(got->updated_at, want->updated_at);
}

static inline struct grantd_user make_user(struct fx *f, const char *username)
{
    struct grantd_user u = {0};
    u.tenant = f->tenant;
    u.id = uid(f->a, "sub");
    u.username = username;
    u.account = "acct-42";
    u.email = "alice@example.com";
    u.password_hash = "$argon2id$v=19$m=65536,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo";
    u.created_at = 1700000000;
    u.updated_at = 1700000000;
    return u;
}

/* ---- records of the code flow (test_conformance_flow.c, test_conformance_lifecycle.c) --- */

static inline void rand_hash(unsigned char out[GRANTD_SHA256_LEN])
{
    assert_int_equal(grantd_random_bytes(out, GRANTD_SHA256_LEN), GRANTD_OK);
}

static inline struct grantd_session make_session(struct fx *f, const char *user_id)
{
    struct grantd_session s = {0};
    s.tenant = f->tenant;
    rand_hash(s.id_hash);
    s.user_id = user_id;
    s.auth_time = user_id ? 1700000050 : 0;
    s.created_at = 1700000000;
    s.expires_at = 1700086400;
    return s;
}

static inline void assert_session_equal(const struct grantd_session *want,
                                        const struct grantd_session *got)
{
    assert_int_equal(got->tenant, want->tenant);
    assert_memory_equal(got->id_hash, want->id_hash, GRANTD_SHA256_LEN);
    assert_optional_string(got->user_id, want->user_id);
    assert_int_equal(got->auth_time, want->auth_time);
    assert_int_equal(got->created_at, want->created_at);
    assert_int_equal(got->expires_at, want->expires_at);
}

/* A code with every optional field set; family is a fresh one when NULL. */
static inline struct grantd_code make_code(struct fx *f, int64_t tenant, const char *family)
{
    struct grantd_code k = {0};
    k.tenant = tenant;
    rand_hash(k.hash);
    k.client_id = uid(f->a, "client");
    k.user_id = uid(f->a, "sub");
    k.redirect_uri = "https://app.example/cb?x=1";
    k.scope = "openid profile";
    k.code_challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    k.code_challenge_method = "S256";
    k.family = family ? family : uid(f->a, "family");
    k.auth_time = 1700000010;
    k.created_at = 1700000020;
    k.expires_at = 1700000080;
    k.resources = "https://api.example/orders https://b.example/v1";
    return k;
}

/* Compares everything but used and revoked, which the caller checks. */
static inline void assert_code_equal(const struct grantd_code *want,
                                     const struct grantd_code *got)
{
    assert_int_equal(got->tenant, want->tenant);
    assert_memory_equal(got->hash, want->hash, GRANTD_SHA256_LEN);
    assert_string_equal(got->client_id, want->client_id);
    assert_string_equal(got->user_id, want->user_id);
    assert_optional_string(got->redirect_uri, want->redirect_uri);
    assert_string_equal(got->scope, want->scope ? want->scope : "");
    assert_optional_string(got->code_challenge, want->code_challenge);
    assert_optional_string(got->code_challenge_method, want->code_challenge_method);
    assert_string_equal(got->family, want->family);
    assert_int_equal(got->auth_time, want->auth_time);
    assert_int_equal(got->created_at, want->created_at);
    assert_int_equal(got->expires_at, want->expires_at);
    assert_string_equal(got->resources, want->resources ? want->resources : "");
}

/* The access and refresh token a redemption of k issues. */
static inline void make_tokens(const struct grantd_code *k, struct grantd_token out[2])
{
    for (int i = 0; i < 2; i++) {
        out[i] = (struct grantd_token){0};
        out[i].tenant = k->tenant;
        rand_hash(out[i].hash);
        out[i].kind = i == 0 ? GRANTD_TOKEN_ACCESS : GRANTD_TOKEN_REFRESH;
        out[i].client_id = k->client_id;
        out[i].user_id = k->user_id;
        out[i].scope = k->scope;
        out[i].family = k->family;
        out[i].created_at = 1700000030;
        out[i].expires_at = i == 0 ? 1700003630 : 0;
        out[i].audience = i == 0 ? "https://api.example/orders" : k->resources;
    }
}

static inline void assert_token_equal(const struct grantd_token *want,
                                      const struct grantd_token *got)
{
    assert_int_equal(got->tenant, want->tenant);
    assert_memory_equal(got->hash, want->hash, GRANTD_SHA256_LEN);
    assert_int_equal(got->kind, want->kind);
    assert_string_equal(got->client_id, want->client_id);
    assert_optional_string(got->user_id, want->user_id);
    assert_string_equal(got->scope, want->scope ? want->scope : "");
    assert_string_equal(got->family, want->family);
    assert_int_equal(got->created_at, want->created_at);
    assert_int_equal(got->expires_at, want->expires_at);
    assert_int_equal(!!got->revoked, !!want->revoked);
    assert_int_equal(got->rotated_at, want->rotated_at);
    assert_int_equal(got->grace_until, want->grace_until);
    assert_string_equal(got->audience, want->audience ? want->audience : "");
    assert_int_equal(got->successor_len, want->successor_len);
    if (want->successor_len)
        assert_memory_equal(got->successor, want->successor, want->successor_len);
    else
        assert_null(got->successor);
}

/* Token want (looked up in f's tenant by its hash) is stored and reads back as want. */
static inline void assert_token_stored(struct fx *f, const struct grantd_token *want)
{
    struct grantd_token got;
    assert_int_equal(grantd_store_token_get(f->s, f->a, f->tenant, want->hash, &got), GRANTD_OK);
    assert_token_equal(want, &got);
}

/* No token (tenant, hash) is stored. */
static inline void assert_token_absent(struct fx *f, int64_t tenant, const unsigned char *hash)
{
    struct grantd_token got;
    assert_int_equal(grantd_store_token_get(f->s, f->a, tenant, hash, &got), GRANTD_ENOTFOUND);
}

/* The revoked flag of token (tenant, hash), which must exist. */
static inline int token_revoked(struct fx *f, int64_t tenant, const unsigned char *hash)
{
    struct grantd_token got;
    assert_int_equal(grantd_store_token_get(f->s, f->a, tenant, hash, &got), GRANTD_OK);
    return got.revoked;
}

/* A signing key of tenant created at created, current (retire_at 0), with a fresh kid. */
static inline struct grantd_key make_key(struct fx *f, int64_t tenant, int64_t created)
{
    static const unsigned char sealed[] = {0x00, 0x01, 0xfe, 0xff, 0x00, 0x42};
    struct grantd_key k = {0};
    k.tenant = tenant;
    k.kid = uid(f->a, "kid");
    k.alg = "ES256";
    k.public_jwk = "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AA\",\"y\":\"BB\"}";
    k.private_sealed = sealed;
    k.private_sealed_len = sizeof(sealed);
    k.created_at = created;
    k.active_from = created + 60;
    return k;
}

/* The body of a suite's main(): runs tests (an array) in every mode described at the top
 * and returns the number of failures. title is a string literal. */
#define CONFORMANCE_RUN(title, tests)                                                          \
    do {                                                                                       \
        env_url = getenv("GRANTD_TEST_STORE_URL");                                             \
        if (env_url && *env_url) {                                                             \
            mode = MODE_URL;                                                                   \
            return cmocka_run_group_tests_name(title " (GRANTD_TEST_STORE_URL)", tests, NULL,  \
                                               NULL);                                          \
        }                                                                                      \
        int failed_ = 0;                                                                       \
        mode = MODE_FILE;                                                                      \
        failed_ += cmocka_run_group_tests_name(title ": sqlite file", tests, NULL, NULL);      \
        mode = MODE_MEMORY;                                                                    \
        failed_ += cmocka_run_group_tests_name(title ": sqlite::memory:", tests, NULL, NULL);  \
        return failed_;                                                                        \
    } while (0)

#endif
