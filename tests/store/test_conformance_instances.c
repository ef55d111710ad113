/* The store conformance suite, part five: what several server instances on one database
 * rely on. Every time comes from the caller: a record is stamped with exactly what it was
 * given, created_at 0 is refused (never "now"), and a revoked family is kept or forgotten by
 * the caller's now, not a clock of the driver's. Signing keys: rotations from several
 * handles at once leave exactly one current key, and so do several first keys created at
 * once. The fixture and the modes are in conformance.h. */
#include "conformance.h"

/* ---- the caller's time -------------------------------------------------------------- */

/* Records whose created_at the caller left 0 are refused: 0 is not "now". */
static void test_created_at_required(void **state)
{
    struct fx *f = *state;
    int64_t id = 0;
    struct grantd_tenant t = {.name = uid(f->a, "tenant")};
    assert_int_equal(grantd_store_tenant_put(f->s, &t, &id), GRANTD_EINVAL);
    struct grantd_client c = make_client(f, uid(f->a, "client"), 1);
    c.created_at = 0;
    assert_int_equal(grantd_store_client_put(f->s, &c), GRANTD_EINVAL);
    c = make_client(f, c.id, 1);
    c.tokens_after = 0;
    assert_int_equal(grantd_store_client_put(f->s, &c), GRANTD_EINVAL);
    struct grantd_user u = make_user(f, uid(f->a, "user"));
    u.created_at = 0;
    assert_int_equal(grantd_store_user_put(f->s, &u), GRANTD_EINVAL);
    struct grantd_session sess = make_session(f, NULL);
    sess.created_at = 0;
    assert_int_equal(grantd_store_session_put(f->s, &sess), GRANTD_EINVAL);
    struct grantd_code k = make_code(f, f->tenant, NULL);
    struct grantd_consent con = {.tenant = f->tenant, .user_id = k.user_id,
                                 .client_id = k.client_id, .scope = "openid"};
    assert_int_equal(grantd_store_consent_put(f->s, &con), GRANTD_EINVAL);
    struct grantd_token tok[2];
    make_tokens(&k, tok);
    k.created_at = 0;
    assert_int_equal(grantd_store_code_put(f->s, &k), GRANTD_EINVAL);
    tok[1].created_at = 0;
    assert_int_equal(grantd_store_token_put(f->s, tok, 2), GRANTD_EINVAL);
    assert_token_absent(f, f->tenant, tok[0].hash); /* nothing of the batch went in */
    struct grantd_client got;
    assert_int_equal(grantd_store_client_get(f->s, f->a, f->tenant, c.id, &got),
                     GRANTD_ENOTFOUND);
}

/* Every stamp is the caller's: created_at as given, updated_at and tokens_after from the
 * now of the update, a family revoked by a replay at the now of the redemption. */
static void test_stamps_are_the_callers(void **state)
{
    struct fx *f = *state;
    struct grantd_tenant t = {.name = uid(f->a, "tenant"), .created_at = 1600000001};
    int64_t id = 0;
    assert_int_equal(grantd_store_tenant_put(f->s, &t, &id), GRANTD_OK);
    struct grantd_tenant tg;
    assert_int_equal(grantd_store_tenant_get(f->s, f->a, id, &tg), GRANTD_OK);
    assert_int_equal(tg.created_at, 1600000001);
    struct grantd_client c = make_client(f, uid(f->a, "client"), 0);
    c.updated_at = 0; /* means created_at */
    assert_int_equal(grantd_store_client_put(f->s, &c), GRANTD_OK);
    struct grantd_client cg;
    assert_int_equal(grantd_store_client_get(f->s, f->a, f->tenant, c.id, &cg), GRANTD_OK);
    assert_int_equal(cg.updated_at, c.created_at);
    assert_int_equal(cg.tokens_after, c.tokens_after);
    assert_int_equal(grantd_store_client_set_secret(f->s, f->tenant, c.id, c.secret_hash,
                                                    1600000002),
                     GRANTD_OK);
    assert_int_equal(grantd_store_client_get(f->s, f->a, f->tenant, c.id, &cg), GRANTD_OK);
    assert_int_equal(cg.updated_at, 1600000002);
    assert_int_equal(cg.tokens_after, c.tokens_after); /* a new secret ends no token */
    struct grantd_user u = make_user(f, uid(f->a, "user"));
    assert_int_equal(grantd_store_user_put(f->s, &u), GRANTD_OK);
    assert_int_equal(grantd_store_user_set_password(f->s, f->tenant, u.username,
                                                    u.password_hash, 1600000003),
                     GRANTD_OK);
    struct grantd_user ug;
    assert_int_equal(grantd_store_user_get(f->s, f->a, f->tenant, u.id, &ug), GRANTD_OK);
    assert_int_equal(ug.updated_at, 1600000003);
    assert_int_equal(ug.created_at, u.created_at);
}

/* A family revoked at some now is still refused a day later; purging with a now two days
 * later forgets it (it had no code left), so the caller's now, not a clock, decides. */
static void test_family_revocation_uses_the_callers_now(void **state)
{
    struct fx *f = *state;
    struct grantd_code k = make_code(f, f->tenant, NULL);
    struct grantd_token t[2];
    make_tokens(&k, t);
    t[0].expires_at = t[1].expires_at = 0;
    const int64_t at = 100000; /* far in the past for any clock */
    assert_int_equal(grantd_store_token_revoke_family(f->s, f->tenant, k.family, at),
                     GRANTD_OK);
    size_t n = 0;
    assert_int_equal(grantd_store_purge_expired(f->s, 1, at + 3600, &n), GRANTD_OK);
    assert_int_equal(grantd_store_token_put(f->s, t, 2), GRANTD_ECONFLICT);
    assert_int_equal(grantd_store_purge_expired(f->s, 1, at + 2 * 86400, &n), GRANTD_OK);
    assert_int_equal(grantd_store_token_put(f->s, t, 2), GRANTD_OK);
}

/* ---- signing keys: one current key whatever runs at once -------------------------------- */

#define ROTATORS 8
#define ROTATIONS 6

struct rotator {
    struct fx *f;
    struct grantd_store *s;    /* its own handle on the same database, where there can be one */
    pthread_barrier_t *go;
    struct grantd_key k;       /* what it stores, under kids of its own */
    const char *prefix;        /* of its kids */
    int index, first_key;      /* first_key: one key_put of a current key, no rotations */
    grantd_rc rcs[ROTATIONS];
};

static void *rotate_keys(void *p)
{
    struct rotator *r = p;
    struct grantd_key k = r->k;
    char kid[96];
    pthread_barrier_wait(r->go);
    for (int i = 0; i < (r->first_key ? 1 : ROTATIONS); i++) {
        snprintf(kid, sizeof(kid), "%s-%d-%d", r->prefix, r->index, i);
        k.kid = kid;
        k.created_at = 1700000000 + i;
        r->rcs[i] = r->first_key ? grantd_store_key_put(r->s, &k)
                                 : grantd_store_key_rotate(r->s, r->f->tenant, &k,
                                                           1700003600 + i);
    }
    return NULL;
}

/* Runs ROTATORS threads, each with a handle of its own (one shared handle for an in-memory
 * store, which has no second handle); returns the number of GRANTD_OK and checks that every
 * other answer is GRANTD_EEXIST. */
static int race(struct fx *f, int first_key, struct rotator *r)
{
    pthread_t tid[ROTATORS];
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, ROTATORS);
    const char *prefix = uid(f->a, "kid");
    for (int i = 0; i < ROTATORS; i++) {
        r[i] = (struct rotator){.f = f, .go = &go, .k = make_key(f, f->tenant, 1700000000),
                                .prefix = prefix, .index = i, .first_key = first_key};
        r[i].s = mode == MODE_MEMORY ? f->s : open_url(f->url);
        assert_int_equal(pthread_create(&tid[i], NULL, rotate_keys, &r[i]), 0);
    }
    int ok = 0;
    for (int i = 0; i < ROTATORS; i++) {
        pthread_join(tid[i], NULL);
        for (int j = 0; j < (first_key ? 1 : ROTATIONS); j++) {
            if (r[i].rcs[j] != GRANTD_OK && r[i].rcs[j] != GRANTD_EEXIST)
                print_error("thread %d, call %d: %s\n", i, j, grantd_strerror(r[i].rcs[j]));
            assert_true(r[i].rcs[j] == GRANTD_OK || r[i].rcs[j] == GRANTD_EEXIST);
            ok += r[i].rcs[j] == GRANTD_OK;
        }
        if (r[i].s != f->s)
            grantd_store_close(r[i].s);
    }
    pthread_barrier_destroy(&go);
    return ok;
}

/* The number of current keys (retire_at 0) of f's tenant; *total gets all its keys. */
static size_t current_keys(struct fx *f, size_t *total)
{
    struct grantd_key *list = NULL;
    assert_int_equal(grantd_store_key_list(f->s, f->a, f->tenant, &list, total), GRANTD_OK);
    size_t current = 0;
    for (size_t i = 0; i < *total; i++)
        current += list[i].retire_at == 0;
    return current;
}

/* Servers starting at once on a fresh database each try to create the tenant's first key:
 * one does, the others are told a current key exists (and read it). */
static void test_first_key_race(void **state)
{
    struct fx *f = *state;
    struct rotator r[ROTATORS];
    assert_int_equal(race(f, 1, r), 1);
    size_t total = 0;
    assert_int_equal(current_keys(f, &total), 1);
    assert_int_equal(total, 1);
}

/* Rotations from several processes at once: every one succeeds and the tenant is left with
 * exactly one current key. */
static void test_concurrent_rotations(void **state)
{
    struct fx *f = *state;
    struct grantd_key first = make_key(f, f->tenant, 1690000000);
    assert_int_equal(grantd_store_key_put(f->s, &first), GRANTD_OK);
    struct rotator r[ROTATORS];
    assert_int_equal(race(f, 0, r), ROTATORS * ROTATIONS);
    size_t total = 0;
    assert_int_equal(current_keys(f, &total), 1);
    assert_int_equal(total, 1 + ROTATORS * ROTATIONS);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_created_at_required),
        T(test_stamps_are_the_callers),
        T(test_family_revocation_uses_the_callers_now),
        T(test_first_key_race),
        T(test_concurrent_rotations),
    };
    CONFORMANCE_RUN("store conformance: several instances", tests);
}
