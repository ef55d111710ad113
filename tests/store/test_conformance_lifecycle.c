/* The store conformance suite, part three: the token lifecycle. Refresh rotation (the
 * compare-and-swap, and 32 threads rotating one token at once: exactly one wins and only its
 * tokens are stored), revoking one token or a family (after which the family takes no new
 * tokens), many writes at once each keeping its own outcome, disabling a client with
 * everything it was granted, purging expired rows (never-expiring tokens stay), signing
 * keys (at most one current key; rotation), and tenant isolation of all of these. The fixture, the modes and the record builders
 * are in conformance.h.
 *
 * Not here: what the token endpoint does with these answers (oauth/ tests), driver-specific
 * behaviour (tests/unit/store/). */
#include "conformance.h"

/* A code of a fresh family and its two tokens, stored. */
static struct grantd_code issued(struct fx *f, struct grantd_token t[2])
{
    struct grantd_code k = make_code(f, f->tenant, NULL);
    make_tokens(&k, t);
    assert_int_equal(grantd_store_token_put(f->s, t, 2), GRANTD_OK);
    return k;
}

static grantd_rc rotate(struct fx *f, const unsigned char *old, int64_t now, int64_t grace,
                        const char *successor, const struct grantd_token *n, size_t count)
{
    return grantd_store_refresh_rotate(f->s, f->tenant, old, now, grace,
                                   (const unsigned char *)successor,
                                   successor ? strlen(successor) : 0, n, count);
}

/* ---- refresh rotation ----------------------------------------------------------------- */

static void test_refresh_rotate(void **state)
{
    struct fx *f = *state;
    struct grantd_token t[2], n[2], m[2];
    struct grantd_code k = issued(f, t);
    make_tokens(&k, n);
    assert_int_equal(rotate(f, t[1].hash, 1700000100, 1700000130, "sealed\x01pair", n, 2),
                     GRANTD_OK);
    struct grantd_token got;
    assert_int_equal(grantd_store_token_get(f->s, f->a, f->tenant, t[1].hash, &got), GRANTD_OK);
    struct grantd_token want = t[1];
    want.rotated_at = 1700000100;
    want.grace_until = 1700000130;
    want.successor = (const unsigned char *)"sealed\x01pair";
    want.successor_len = 11;
    assert_token_equal(&want, &got);
    for (int i = 0; i < 2; i++)
        assert_token_stored(f, &n[i]);
    /* a second rotation of the same token loses: nothing changes, nothing is stored */
    make_tokens(&k, m);
    assert_int_equal(rotate(f, t[1].hash, 1700000200, 0, NULL, m, 2), GRANTD_ECONFLICT);
    assert_token_absent(f, f->tenant, m[0].hash);
    assert_token_absent(f, f->tenant, m[1].hash);
    assert_token_stored(f, &want);
    /* the successor rotates in turn; without a sealed successor nothing is kept */
    assert_int_equal(rotate(f, n[1].hash, 1700000300, 0, NULL, m, 2), GRANTD_OK);
    assert_int_equal(grantd_store_token_get(f->s, f->a, f->tenant, n[1].hash, &got), GRANTD_OK);
    assert_int_equal(got.rotated_at, 1700000300);
    assert_null(got.successor);
    assert_int_equal(got.successor_len, 0);
    assert_false(got.revoked);
}

static void test_refresh_rotate_invalid(void **state)
{
    struct fx *f = *state;
    struct grantd_token t[2], n[2];
    struct grantd_code k = issued(f, t);
    make_tokens(&k, n);
    unsigned char none[GRANTD_SHA256_LEN];
    rand_hash(none);
    assert_int_equal(rotate(f, none, 1700000100, 0, NULL, n, 2), GRANTD_ENOTFOUND);
    assert_int_equal(rotate(f, t[0].hash, 1700000100, 0, NULL, n, 2), GRANTD_EINVAL); /* access */
    assert_int_equal(rotate(f, t[1].hash, 0, 0, NULL, n, 2), GRANTD_EINVAL);
    assert_int_equal(rotate(f, t[1].hash, 1700000100, 0, NULL, n, 0), GRANTD_EINVAL);
    struct grantd_code other = make_code(f, f->tenant, NULL);
    struct grantd_token o[2];
    make_tokens(&other, o); /* new tokens of another family */
    assert_int_equal(rotate(f, t[1].hash, 1700000100, 0, NULL, o, 2), GRANTD_EINVAL);
    assert_token_absent(f, f->tenant, n[0].hash);
    assert_token_absent(f, f->tenant, o[0].hash);
    /* the wrapper's checks (store.h, "Argument checks"): no old hash, a successor length
     * without its bytes, new tokens of another tenant, or a token of no known kind */
    assert_int_equal(rotate(f, NULL, 1700000100, 0, NULL, n, 2), GRANTD_EINVAL);
    assert_int_equal(grantd_store_refresh_rotate(f->s, f->tenant, t[1].hash, 1700000100, 0,
                                                 NULL, 11, n, 2),
                     GRANTD_EINVAL);
    n[0].tenant = n[1].tenant = f->tenant + 1;
    assert_int_equal(rotate(f, t[1].hash, 1700000100, 0, NULL, n, 2), GRANTD_EINVAL);
    n[0].tenant = n[1].tenant = f->tenant;
    n[0].kind = 7;
    assert_int_equal(rotate(f, t[1].hash, 1700000100, 0, NULL, n, 2), GRANTD_EINVAL);
    n[0].kind = GRANTD_TOKEN_ACCESS;
    assert_token_absent(f, f->tenant, n[1].hash);
    assert_token_stored(f, &t[1]); /* still live, untouched */
    assert_int_equal(rotate(f, t[1].hash, 1700000100, 0, NULL, n, 2), GRANTD_OK);
}

static void test_refresh_rotate_refused_when_revoked(void **state)
{
    struct fx *f = *state;
    struct grantd_token t[2], n[2], u[2], v[2];
    struct grantd_code k = issued(f, t);
    make_tokens(&k, n);
    assert_int_equal(grantd_store_token_revoke(f->s, f->tenant, t[1].hash, 1000), GRANTD_OK);
    assert_int_equal(rotate(f, t[1].hash, 1700000100, 0, NULL, n, 2), GRANTD_ECONFLICT);
    assert_token_absent(f, f->tenant, n[1].hash);

    struct grantd_code k2 = issued(f, u);
    make_tokens(&k2, v);
    assert_int_equal(grantd_store_token_revoke_family(f->s, f->tenant, k2.family, NOW), GRANTD_OK);
    assert_int_equal(rotate(f, u[1].hash, 1700000100, 0, NULL, v, 2), GRANTD_ECONFLICT);
    assert_token_absent(f, f->tenant, v[0].hash);
    struct grantd_token got;
    assert_int_equal(grantd_store_token_get(f->s, f->a, f->tenant, u[1].hash, &got), GRANTD_OK);
    assert_true(got.revoked);
    assert_int_equal(got.rotated_at, 0);
}

#define ROTATORS 32
#define ROTATE_ROUNDS 3

struct rotator {
    struct fx *f;
    const unsigned char *old;
    pthread_barrier_t *go;
    struct grantd_token tokens[2];
    grantd_rc rc;
};

static void *rotate_thread(void *p)
{
    struct rotator *r = p;
    struct grantd_store *s = r->f->s;
    pthread_barrier_wait(r->go);
    r->rc = grantd_store_refresh_rotate(s, r->f->tenant, r->old, 1700000100, 0, NULL, 0, r->tokens,
                                 2);
    return NULL;
}

/* ROTATORS threads rotate one refresh token at once: one GRANTD_OK, the rest
 * GRANTD_ECONFLICT, and exactly the winner's two tokens stored. */
static void rotate_round(struct fx *f)
{
    struct grantd_token t[2];
    struct grantd_code k = issued(f, t);
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, ROTATORS);
    pthread_t tid[ROTATORS];
    struct rotator r[ROTATORS];
    for (int i = 0; i < ROTATORS; i++) {
        r[i] = (struct rotator){.f = f, .old = t[1].hash, .go = &go, .rc = GRANTD_RC_COUNT};
        make_tokens(&k, r[i].tokens);
        assert_int_equal(pthread_create(&tid[i], NULL, rotate_thread, &r[i]), 0);
    }
    int ok = 0, conflict = 0, stored = 0;
    for (int i = 0; i < ROTATORS; i++) {
        pthread_join(tid[i], NULL);
        ok += r[i].rc == GRANTD_OK;
        conflict += r[i].rc == GRANTD_ECONFLICT;
        if (r[i].rc != GRANTD_OK && r[i].rc != GRANTD_ECONFLICT)
            print_error("rotator %d: %s\n", i, grantd_strerror(r[i].rc));
    }
    pthread_barrier_destroy(&go);
    assert_int_equal(ok, 1);
    assert_int_equal(conflict, ROTATORS - 1);
    for (int i = 0; i < ROTATORS; i++) {
        for (int j = 0; j < 2; j++) {
            struct grantd_token got;
            grantd_rc rc = grantd_store_token_get(f->s, f->a, f->tenant, r[i].tokens[j].hash, &got);
            assert_int_equal(rc, r[i].rc == GRANTD_OK ? GRANTD_OK : GRANTD_ENOTFOUND);
            stored += rc == GRANTD_OK;
        }
    }
    assert_int_equal(stored, 2);
    struct grantd_token old;
    assert_int_equal(grantd_store_token_get(f->s, f->a, f->tenant, t[1].hash, &old), GRANTD_OK);
    assert_int_equal(old.rotated_at, 1700000100);
}

static void test_refresh_rotate_race(void **state)
{
    struct fx *f = *state;
    for (int i = 0; i < ROTATE_ROUNDS; i++)
        rotate_round(f);
    assert_int_equal(grantd_store_ping(f->s), GRANTD_OK);
}

/* ---- revocation ----------------------------------------------------------------------- */

static void test_token_put_after_revoke_family(void **state)
{
    struct fx *f = *state;
    struct grantd_token t[2], n[2], u[2];
    struct grantd_code k = issued(f, t);
    struct grantd_code other = issued(f, u);
    assert_int_equal(grantd_store_token_revoke_family(f->s, f->tenant, k.family, NOW), GRANTD_OK);
    make_tokens(&k, n);
    assert_int_equal(grantd_store_token_put(f->s, n, 2), GRANTD_ECONFLICT);
    assert_int_equal(grantd_store_token_put(f->s, &n[0], 1), GRANTD_ECONFLICT);
    assert_token_absent(f, f->tenant, n[0].hash);
    assert_token_absent(f, f->tenant, n[1].hash);
    assert_true(token_revoked(f, f->tenant, t[0].hash));
    assert_false(token_revoked(f, f->tenant, u[0].hash));
    make_tokens(&other, n); /* the other family still takes tokens */
    assert_int_equal(grantd_store_token_put(f->s, n, 2), GRANTD_OK);
    /* a family revoked before it has any token never gets one */
    const char *early = uid(f->a, "family");
    assert_int_equal(grantd_store_token_revoke_family(f->s, f->tenant, early, NOW), GRANTD_OK);
    struct grantd_code e = make_code(f, f->tenant, early);
    make_tokens(&e, n);
    assert_int_equal(grantd_store_token_put(f->s, n, 2), GRANTD_ECONFLICT);
}

static void test_token_revoke(void **state)
{
    struct fx *f = *state;
    struct grantd_token t[2];
    issued(f, t);
    assert_int_equal(grantd_store_token_revoke(f->s, f->tenant, t[0].hash, 1000), GRANTD_OK);
    assert_true(token_revoked(f, f->tenant, t[0].hash));
    assert_false(token_revoked(f, f->tenant, t[1].hash)); /* only that one */
    assert_int_equal(grantd_store_token_revoke(f->s, f->tenant, t[0].hash, 1000), GRANTD_OK);
    unsigned char none[GRANTD_SHA256_LEN];
    rand_hash(none);
    assert_int_equal(grantd_store_token_revoke(f->s, f->tenant, none, 1000), GRANTD_ENOTFOUND);
    assert_int_equal(grantd_store_token_revoke(f->s, GRANTD_DEFAULT_TENANT, t[1].hash, 1000),
                     GRANTD_ENOTFOUND);
    assert_false(token_revoked(f, f->tenant, t[1].hash));
    struct grantd_token got;
    assert_int_equal(grantd_store_token_get(f->s, f->a, f->tenant, t[0].hash, &got), GRANTD_OK);
    struct grantd_token want = t[0];
    want.revoked = 1;
    assert_token_equal(&want, &got);
}

/* ---- many writes at once ---------------------------------------------------------------- */

#define WRITERS 32

struct writer {
    struct fx *f;
    pthread_barrier_t *go;
    struct grantd_token tokens[2];
    grantd_rc want, rc;
};

static void *write_thread(void *p)
{
    struct writer *w = p;
    pthread_barrier_wait(w->go);
    w->rc = grantd_store_token_put(w->f->s, w->tokens, 2);
    return NULL;
}

/* Writes that arrive together (a driver may commit them together) each get their own
 * answer: a refused or failing one neither fails nor undoes the others. */
static void test_concurrent_writes_keep_their_outcome(void **state)
{
    struct fx *f = *state;
    struct grantd_token taken[2];
    issued(f, taken);
    const char *revoked = uid(f->a, "family");
    assert_int_equal(grantd_store_token_revoke_family(f->s, f->tenant, revoked, NOW), GRANTD_OK);
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, WRITERS);
    pthread_t tid[WRITERS];
    struct writer w[WRITERS];
    for (int i = 0; i < WRITERS; i++) {
        w[i] = (struct writer){.f = f, .go = &go, .want = GRANTD_OK};
        struct grantd_code k = make_code(f, f->tenant, i % 4 == 0 ? revoked : NULL);
        make_tokens(&k, w[i].tokens);
        if (i % 4 == 0)
            w[i].want = GRANTD_ECONFLICT;
        if (i % 4 == 1) { /* the second token's hash is taken: neither goes in */
            memcpy(w[i].tokens[1].hash, taken[1].hash, GRANTD_SHA256_LEN);
            w[i].want = GRANTD_EEXIST;
        }
        assert_int_equal(pthread_create(&tid[i], NULL, write_thread, &w[i]), 0);
    }
    for (int i = 0; i < WRITERS; i++)
        pthread_join(tid[i], NULL);
    pthread_barrier_destroy(&go);
    for (int i = 0; i < WRITERS; i++) {
        if (w[i].rc != w[i].want)
            print_error("writer %d: %s, want %s\n", i, grantd_strerror(w[i].rc),
                        grantd_strerror(w[i].want));
        assert_int_equal(w[i].rc, w[i].want);
        struct grantd_token got;
        grantd_rc rc = grantd_store_token_get(f->s, f->a, f->tenant, w[i].tokens[0].hash, &got);
        assert_int_equal(rc, w[i].want == GRANTD_OK ? GRANTD_OK : GRANTD_ENOTFOUND);
    }
    assert_false(token_revoked(f, f->tenant, taken[1].hash));
}

/* ---- disabling a client --------------------------------------------------------------- */

struct granted {
    struct grantd_code code, unused;
    struct grantd_token tokens[2], m2m;
    struct grantd_consent consent;
};

/* A client (stored) with a redeemed code and its tokens, a client_credentials token, an
 * unused code and a consent. */
static struct granted grant_all(struct fx *f, const char *client_id)
{
    struct granted g;
    struct grantd_client c = make_client(f, client_id, 1);
    assert_int_equal(grantd_store_client_put(f->s, &c), GRANTD_OK);
    g.code = make_code(f, f->tenant, NULL);
    g.code.client_id = client_id;
    assert_int_equal(grantd_store_code_put(f->s, &g.code), GRANTD_OK);
    struct grantd_code got;
    assert_int_equal(grantd_store_code_consume(f->s, f->a, f->tenant, g.code.hash, NOW, &got),
                     GRANTD_OK);
    make_tokens(&g.code, g.tokens);
    assert_int_equal(grantd_store_token_put(f->s, g.tokens, 2), GRANTD_OK);
    g.m2m = g.tokens[0];
    rand_hash(g.m2m.hash);
    g.m2m.user_id = NULL;
    g.m2m.family = uid(f->a, "family");
    assert_int_equal(grantd_store_token_put(f->s, &g.m2m, 1), GRANTD_OK);
    g.unused = make_code(f, f->tenant, NULL);
    g.unused.client_id = client_id;
    assert_int_equal(grantd_store_code_put(f->s, &g.unused), GRANTD_OK);
    g.consent = (struct grantd_consent){.tenant = f->tenant,
                                        .user_id = g.code.user_id,
                                        .client_id = client_id,
                                        .scope = "openid",
                                        .created_at = NOW};
    assert_int_equal(grantd_store_consent_put(f->s, &g.consent), GRANTD_OK);
    return g;
}

static void assert_granted_live(struct fx *f, const struct granted *g)
{
    assert_false(token_revoked(f, f->tenant, g->tokens[0].hash));
    assert_false(token_revoked(f, f->tenant, g->tokens[1].hash));
    assert_false(token_revoked(f, f->tenant, g->m2m.hash));
    struct grantd_consent cg;
    assert_int_equal(grantd_store_consent_get(f->s, f->a, f->tenant, g->consent.user_id,
                                          g->consent.client_id, &cg),
                     GRANTD_OK);
}

static void test_client_disable_revokes_grants(void **state)
{
    struct fx *f = *state;
    const char *id = uid(f->a, "client"), *other = uid(f->a, "client");
    struct granted g = grant_all(f, id), h = grant_all(f, other);
    assert_int_equal(grantd_store_client_set_disabled(f->s, f->tenant, id, 1, NOW_US), GRANTD_OK);
    struct grantd_client c;
    assert_int_equal(grantd_store_client_get(f->s, f->a, f->tenant, id, &c), GRANTD_OK);
    assert_true(c.disabled);
    assert_int_equal(c.tokens_after, NOW_US);
    assert_true(token_revoked(f, f->tenant, g.tokens[0].hash));
    assert_true(token_revoked(f, f->tenant, g.tokens[1].hash));
    assert_true(token_revoked(f, f->tenant, g.m2m.hash));
    struct grantd_consent cg;
    assert_int_equal(grantd_store_consent_get(f->s, f->a, f->tenant, g.consent.user_id, id, &cg),
                     GRANTD_ENOTFOUND);
    /* its families take no tokens: neither a rotation nor an exchange still in flight */
    struct grantd_token n[2];
    make_tokens(&g.code, n);
    assert_int_equal(rotate(f, g.tokens[1].hash, 1700000100, 0, NULL, n, 2), GRANTD_ECONFLICT);
    assert_int_equal(grantd_store_token_put(f->s, n, 2), GRANTD_ECONFLICT);
    struct grantd_code kg;
    assert_int_equal(grantd_store_code_consume(f->s, f->a, f->tenant, g.unused.hash, NOW, &kg),
                     GRANTD_OK);
    assert_true(kg.revoked); /* the unused code was revoked */
    make_tokens(&g.unused, n);
    assert_int_equal(grantd_store_token_put(f->s, n, 2), GRANTD_ECONFLICT);
    assert_granted_live(f, &h); /* the other client keeps everything */

    /* enabled again, it starts with no live grant but can get new ones */
    assert_int_equal(grantd_store_client_set_disabled(f->s, f->tenant, id, 0, NOW_US + 1),
                     GRANTD_OK);
    assert_true(token_revoked(f, f->tenant, g.tokens[1].hash));
    struct grantd_code fresh = make_code(f, f->tenant, NULL);
    fresh.client_id = id;
    make_tokens(&fresh, n);
    assert_int_equal(grantd_store_token_put(f->s, n, 2), GRANTD_OK);
    assert_false(token_revoked(f, f->tenant, n[0].hash));
    assert_int_equal(grantd_store_client_set_disabled(f->s, f->tenant, uid(f->a, "ghost"), 1,
                                                      NOW_US),
                     GRANTD_ENOTFOUND);
    assert_int_equal(grantd_store_client_set_disabled(f->s, GRANTD_DEFAULT_TENANT, other, 1,
                                                      NOW_US),
                     GRANTD_ENOTFOUND);
    assert_granted_live(f, &h);
}

/* Deleting a client first revokes what disabling does, in the same transaction (issue 16):
 * none of its tokens outlives it, and a client put again under its id gets none back. */
static void test_client_delete_revokes_grants(void **state)
{
    struct fx *f = *state;
    const char *id = uid(f->a, "client"), *other = uid(f->a, "client");
    struct granted g = grant_all(f, id), h = grant_all(f, other);
    assert_int_equal(grantd_store_client_delete(f->s, f->tenant, id), GRANTD_OK);
    struct grantd_client c = make_client(f, id, 1);
    assert_int_equal(grantd_store_client_get(f->s, f->a, f->tenant, id, &c), GRANTD_ENOTFOUND);
    assert_true(token_revoked(f, f->tenant, g.tokens[0].hash));
    assert_true(token_revoked(f, f->tenant, g.tokens[1].hash));
    assert_true(token_revoked(f, f->tenant, g.m2m.hash));
    struct grantd_consent cg;
    assert_int_equal(grantd_store_consent_get(f->s, f->a, f->tenant, g.consent.user_id, id, &cg),
                     GRANTD_ENOTFOUND);
    struct grantd_code kg;
    grantd_rc rc = grantd_store_code_consume(f->s, f->a, f->tenant, g.unused.hash, NOW, &kg);
    assert_true(rc == GRANTD_ENOTFOUND || (rc == GRANTD_OK && kg.revoked));
    assert_granted_live(f, &h); /* the other client keeps everything */
    c = make_client(f, id, 1);
    assert_int_equal(grantd_store_client_put(f->s, &c), GRANTD_OK);
    assert_true(token_revoked(f, f->tenant, g.tokens[1].hash));
    assert_true(token_revoked(f, f->tenant, g.m2m.hash));
    assert_int_equal(grantd_store_client_delete(f->s, f->tenant, uid(f->a, "ghost")),
                     GRANTD_ENOTFOUND);
    assert_granted_live(f, &h);
}

/* ---- purging -------------------------------------------------------------------------- */

/* Timestamps far below any other test's, so a shared database (GRANTD_TEST_STORE_URL) holds
 * no other row this purge removes. */
#define LONG_AGO 50
#define PURGE_BEFORE 100

static void test_purge_expired(void **state)
{
    struct fx *f = *state;
    struct grantd_code k = make_code(f, f->tenant, NULL);
    struct grantd_token t[4];
    make_tokens(&k, t);
    t[0].expires_at = LONG_AGO;          /* expired */
    t[1].expires_at = 0;                 /* never expires: stays */
    t[2] = t[0];
    rand_hash(t[2].hash);
    t[2].expires_at = PURGE_BEFORE;      /* not before `before`: stays */
    t[3] = t[0];
    rand_hash(t[3].hash);
    t[3].expires_at = 4000000000;        /* live */
    assert_int_equal(grantd_store_token_put(f->s, t, 4), GRANTD_OK);
    struct grantd_code old = make_code(f, f->tenant, NULL), live = make_code(f, f->tenant, NULL);
    old.expires_at = LONG_AGO;
    assert_int_equal(grantd_store_code_put(f->s, &old), GRANTD_OK);
    assert_int_equal(grantd_store_code_put(f->s, &live), GRANTD_OK);
    struct grantd_session so = make_session(f, NULL), sl = make_session(f, NULL);
    so.expires_at = LONG_AGO;
    assert_int_equal(grantd_store_session_put(f->s, &so), GRANTD_OK);
    assert_int_equal(grantd_store_session_put(f->s, &sl), GRANTD_OK);

    size_t deleted = 99;
    assert_int_equal(grantd_store_purge_expired(f->s, PURGE_BEFORE, NOW, &deleted), GRANTD_OK);
    assert_int_equal(deleted, 3);
    assert_token_absent(f, f->tenant, t[0].hash);
    for (int i = 1; i < 4; i++)
        assert_false(token_revoked(f, f->tenant, t[i].hash));
    struct grantd_code kg;
    assert_int_equal(grantd_store_code_consume(f->s, f->a, f->tenant, old.hash, NOW, &kg),
                     GRANTD_ENOTFOUND);
    assert_int_equal(grantd_store_code_consume(f->s, f->a, f->tenant, live.hash, NOW, &kg),
                     GRANTD_OK);
    struct grantd_session sg;
    assert_int_equal(grantd_store_session_get(f->s, f->a, f->tenant, so.id_hash, 0, &sg),
                     GRANTD_ENOTFOUND);
    assert_int_equal(grantd_store_session_get(f->s, f->a, f->tenant, sl.id_hash, 0, &sg), GRANTD_OK);
    assert_int_equal(grantd_store_purge_expired(f->s, PURGE_BEFORE, NOW, &deleted), GRANTD_OK);
    assert_int_equal(deleted, 0);
}

#define MANY 2601 /* a multiple of 3: a third of them expired */

/* More rows than a driver may handle per step, and revoked families: their never-expiring
 * tokens stay, and stay revoked. */
static void test_purge_many_and_revoked(void **state)
{
    struct fx *f = *state;
    struct grantd_code k = make_code(f, f->tenant, NULL);
    struct grantd_token *t = grantd_xcalloc(MANY, sizeof(*t));
    struct grantd_token pair[2];
    make_tokens(&k, pair);
    for (size_t i = 0; i < MANY; i++) {
        t[i] = pair[i % 2];
        rand_hash(t[i].hash);
        t[i].expires_at = i % 3 == 0 ? 0 : i % 3 == 1 ? LONG_AGO : 4000000000;
    }
    assert_int_equal(grantd_store_token_put(f->s, t, MANY), GRANTD_OK);
    assert_int_equal(grantd_store_token_revoke_family(f->s, f->tenant, k.family, NOW), GRANTD_OK);
    size_t deleted = 0;
    assert_int_equal(grantd_store_purge_expired(f->s, PURGE_BEFORE, NOW, &deleted), GRANTD_OK);
    assert_int_equal(deleted, MANY / 3);
    struct grantd_token got;
    for (size_t i = 0; i < MANY; i++) {
        grantd_rc rc = grantd_store_token_get(f->s, f->a, f->tenant, t[i].hash, &got);
        assert_int_equal(rc, i % 3 == 1 ? GRANTD_ENOTFOUND : GRANTD_OK);
        if (rc == GRANTD_OK)
            assert_true(got.revoked);
    }
    make_tokens(&k, pair);
    assert_int_equal(grantd_store_token_put(f->s, pair, 2), GRANTD_ECONFLICT);
    free(t);
}

#define SWEPT 4800 /* a multiple of 4: half of them expired, more than a driver's chunk */
#define DAY 86400

/* Revoked families outlive a day; the pass that forgets one (a later one, at most two days
 * after its revocation) first copies the revocation onto the family's surviving tokens.
 * Family a is revoked at `at`, b a day and an hour later; a pass a day and a half after `at`
 * deletes what expired and keeps both rows, one two days after `at` forgets a only: its
 * tokens stay revoked, b's too, and a takes tokens again, b not. */
static void test_purge_sweeps_old_families(void **state)
{
    struct fx *f = *state;
    const int64_t at = 200000; /* far in the past for any clock */
    struct grantd_code ka = make_code(f, f->tenant, NULL), kb = make_code(f, f->tenant, NULL);
    struct grantd_token *t = grantd_xcalloc(SWEPT, sizeof(*t));
    struct grantd_token pa[2], pb[2];
    make_tokens(&ka, pa);
    make_tokens(&kb, pb);
    for (size_t i = 0; i < SWEPT; i++) {
        t[i] = i < SWEPT / 2 ? pa[i % 2] : pb[i % 2]; /* a batch is one family */
        rand_hash(t[i].hash);
        t[i].expires_at = i % 4 < 2 ? LONG_AGO : i % 4 == 2 ? 0 : 4000000000;
    }
    assert_int_equal(grantd_store_token_put(f->s, t, SWEPT / 2), GRANTD_OK);
    assert_int_equal(grantd_store_token_put(f->s, t + SWEPT / 2, SWEPT / 2), GRANTD_OK);
    assert_int_equal(grantd_store_token_revoke_family(f->s, f->tenant, ka.family, at),
                     GRANTD_OK);
    assert_int_equal(grantd_store_token_revoke_family(f->s, f->tenant, kb.family,
                                                      at + DAY + 3600),
                     GRANTD_OK);
    size_t deleted = 0;
    assert_int_equal(grantd_store_purge_expired(f->s, PURGE_BEFORE, at + DAY + DAY / 2,
                                                &deleted),
                     GRANTD_OK);
    assert_int_equal(deleted, SWEPT / 2);
    make_tokens(&ka, pa);
    assert_int_equal(grantd_store_token_put(f->s, pa, 2), GRANTD_ECONFLICT);
    assert_int_equal(grantd_store_purge_expired(f->s, PURGE_BEFORE, at + 2 * DAY, &deleted),
                     GRANTD_OK);
    assert_int_equal(deleted, 0);
    struct grantd_token got;
    for (size_t i = 0; i < SWEPT; i++) {
        grantd_rc rc = grantd_store_token_get(f->s, f->a, f->tenant, t[i].hash, &got);
        assert_int_equal(rc, i % 4 < 2 ? GRANTD_ENOTFOUND : GRANTD_OK);
        if (rc == GRANTD_OK)
            assert_true(got.revoked);
    }
    assert_int_equal(grantd_store_token_put(f->s, pa, 2), GRANTD_OK);
    make_tokens(&kb, pb);
    assert_int_equal(grantd_store_token_put(f->s, pb, 2), GRANTD_ECONFLICT);
    free(t);
}

/* ---- signing keys --------------------------------------------------------------------- */

static void assert_key_equal(const struct grantd_key *want, const struct grantd_key *got)
{
    assert_int_equal(got->tenant, want->tenant);
    assert_string_equal(got->kid, want->kid);
    assert_string_equal(got->alg, want->alg);
    assert_string_equal(got->public_jwk, want->public_jwk);
    assert_int_equal(got->private_sealed_len, want->private_sealed_len);
    assert_memory_equal(got->private_sealed, want->private_sealed, want->private_sealed_len);
    assert_int_equal(got->created_at, want->created_at);
    assert_int_equal(got->active_from, want->active_from);
    assert_int_equal(got->retire_at, want->retire_at);
}

/* The tenant's keys, which must be n, oldest first. */
static struct grantd_key *keys_of(struct fx *f, int64_t tenant, size_t n)
{
    struct grantd_key *list = NULL;
    size_t count = 99;
    assert_int_equal(grantd_store_key_list(f->s, f->a, tenant, &list, &count), GRANTD_OK);
    assert_int_equal(count, n);
    return list;
}

static void test_keys(void **state)
{
    struct fx *f = *state;
    keys_of(f, f->tenant, 0);
    struct grantd_key newer = make_key(f, f->tenant, 1700000200);
    struct grantd_key older = make_key(f, f->tenant, 1700000100);
    newer.alg = "RS256";
    older.retire_at = 1700086400; /* a retiring key next to the current one */
    assert_int_equal(grantd_store_key_put(f->s, &newer), GRANTD_OK);
    assert_int_equal(grantd_store_key_put(f->s, &older), GRANTD_OK);
    struct grantd_key elsewhere = make_key(f, GRANTD_DEFAULT_TENANT, 1700000150);
    elsewhere.kid = newer.kid; /* kids are per tenant */
    elsewhere.retire_at = 1700000151;
    assert_int_equal(grantd_store_key_put(f->s, &elsewhere), GRANTD_OK);
    struct grantd_key dup = make_key(f, f->tenant, 1700000300);
    dup.kid = older.kid;
    dup.retire_at = 1700000301;
    assert_int_equal(grantd_store_key_put(f->s, &dup), GRANTD_EEXIST);
    dup.private_sealed_len = 0;
    assert_int_equal(grantd_store_key_put(f->s, &dup), GRANTD_EINVAL);
    /* a second current key of an alg: refused, so two first keys created at once make one */
    struct grantd_key second = make_key(f, f->tenant, 1700000400);
    second.alg = "RS256";
    assert_int_equal(grantd_store_key_put(f->s, &second), GRANTD_EEXIST);
    /* a current key of the other alg is a chain of its own */
    struct grantd_key es = make_key(f, f->tenant, 1700000500);
    es.alg = "ES256";
    assert_int_equal(grantd_store_key_put(f->s, &es), GRANTD_OK);
    struct grantd_key *list = keys_of(f, f->tenant, 3);
    assert_key_equal(&older, &list[0]);
    assert_key_equal(&newer, &list[1]);
    assert_key_equal(&es, &list[2]);
}

/* Rotation retires every current key of the next one's alg at the given time and adds the
 * next one, in one step; keys already retiring, other algs' and other tenants' keys stay as
 * they are. */
static void test_key_rotate(void **state)
{
    struct fx *f = *state;
    int64_t other = 0;
    struct grantd_tenant ot = {.name = uid(f->a, "other"), .created_at = NOW};
    assert_int_equal(grantd_store_tenant_put(f->s, &ot, &other), GRANTD_OK);
    struct grantd_key theirs = make_key(f, other, 1700000000);
    assert_int_equal(grantd_store_key_put(f->s, &theirs), GRANTD_OK);
    struct grantd_key k[3] = {make_key(f, f->tenant, 1700000000),
                              make_key(f, f->tenant, 1700001000),
                              make_key(f, f->tenant, 1700002000)};
    assert_int_equal(grantd_store_key_put(f->s, &k[0]), GRANTD_OK);
    assert_int_equal(grantd_store_key_rotate(f->s, f->tenant, &k[1], 1700004600), GRANTD_OK);
    assert_int_equal(grantd_store_key_rotate(f->s, f->tenant, &k[2], 1700005600), GRANTD_OK);
    k[0].retire_at = 1700004600;
    k[1].retire_at = 1700005600;
    struct grantd_key *list = keys_of(f, f->tenant, 3);
    for (int i = 0; i < 3; i++)
        assert_key_equal(&k[i], &list[i]);
    /* refused rotations change nothing */
    struct grantd_key bad = make_key(f, f->tenant, 1700003000);
    bad.kid = k[0].kid;
    assert_int_equal(grantd_store_key_rotate(f->s, f->tenant, &bad, 1700009999), GRANTD_EEXIST);
    bad = make_key(f, f->tenant, 1700003000);
    bad.retire_at = 1700003001; /* not a current key */
    assert_int_equal(grantd_store_key_rotate(f->s, f->tenant, &bad, 1700009999), GRANTD_EINVAL);
    bad.retire_at = 0;
    assert_int_equal(grantd_store_key_rotate(f->s, other, &bad, 1700009999), GRANTD_EINVAL);
    list = keys_of(f, f->tenant, 3);
    for (int i = 0; i < 3; i++)
        assert_key_equal(&k[i], &list[i]);
    assert_key_equal(&theirs, &keys_of(f, other, 1)[0]);
    /* a rotation of the other alg retires none of these */
    struct grantd_key rs = make_key(f, f->tenant, 1700006000);
    rs.alg = strcmp(k[2].alg, "RS256") == 0 ? "ES256" : "RS256";
    assert_int_equal(grantd_store_key_rotate(f->s, f->tenant, &rs, 1700009000), GRANTD_OK);
    list = keys_of(f, f->tenant, 4);
    for (int i = 0; i < 3; i++)
        assert_key_equal(&k[i], &list[i]);
    assert_key_equal(&rs, &list[3]);
}

/* ---- tenants -------------------------------------------------------------------------- */

static void test_lifecycle_tenant_isolation(void **state)
{
    struct fx *f = *state;
    struct grantd_token t[2], d[2], n[2];
    struct grantd_code k = issued(f, t);
    struct grantd_code dk = k;
    dk.tenant = GRANTD_DEFAULT_TENANT; /* the same family name in the default tenant */
    make_tokens(&dk, d);
    assert_int_equal(grantd_store_token_put(f->s, d, 2), GRANTD_OK);
    assert_int_equal(grantd_store_token_revoke_family(f->s, f->tenant, k.family, NOW), GRANTD_OK);
    assert_false(token_revoked(f, GRANTD_DEFAULT_TENANT, d[0].hash));
    make_tokens(&dk, n);
    assert_int_equal(grantd_store_refresh_rotate(f->s, GRANTD_DEFAULT_TENANT, d[1].hash, 1700000100,
                                             0, NULL, 0, n, 2),
                     GRANTD_OK);
    /* the wrong tenant finds nothing to rotate or revoke */
    struct grantd_token m[2];
    make_tokens(&dk, m);
    assert_int_equal(grantd_store_refresh_rotate(f->s, GRANTD_DEFAULT_TENANT, t[1].hash, 1700000100,
                                             0, NULL, 0, m, 2),
                     GRANTD_ENOTFOUND);
    assert_int_equal(grantd_store_token_revoke(f->s, GRANTD_DEFAULT_TENANT, t[0].hash, 1000),
                     GRANTD_ENOTFOUND);
    assert_int_equal(grantd_store_token_revoke_family(f->s, INT64_MAX - 3, k.family, NOW),
                     GRANTD_OK);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_refresh_rotate),
        T(test_refresh_rotate_invalid),
        T(test_refresh_rotate_refused_when_revoked),
        T(test_refresh_rotate_race),
        T(test_token_put_after_revoke_family),
        T(test_token_revoke),
        T(test_concurrent_writes_keep_their_outcome),
        T(test_client_disable_revokes_grants),
        T(test_client_delete_revokes_grants),
        T(test_purge_expired),
        T(test_purge_many_and_revoked),
        T(test_purge_sweeps_old_families),
        T(test_keys),
        T(test_key_rotate),
        T(test_lifecycle_tenant_isolation),
    };
    CONFORMANCE_RUN("store conformance: token lifecycle", tests);
}
