/* The store conformance suite, part five: what several server instances on one database
 * rely on. Every time comes from the caller: a record is stamped with exactly what it was
 * given, created_at 0 is refused (never "now"), and a revoked family is kept or forgotten by
 * the caller's now, not a clock of the driver's. Signing keys: rotations from several
 * handles at once leave exactly one current key, and so do several first keys created at
 * once. The change sequence: the writes store.h lists move it (and the store's generation)
 * and the others do not, and a waiter on another handle wakes up soon after a commit that
 * moved it, not for token inserts. The fixture and the modes are in conformance.h. */
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

/* ---- the change sequence ---------------------------------------------------------------- */

static uint64_t seq_now(struct grantd_store *s)
{
    uint64_t v = 0;
    assert_int_equal(grantd_store_change_seq(s, &v), GRANTD_OK);
    return v;
}

/* call (a write) must answer want and move the change sequence and the store's generation
 * on, or (moves 0) leave both where they were. With GRANTD_TEST_STORE_URL other processes
 * may write meanwhile, so there only the moves are checked, and only for the sequence. */
#define CHANGES(f, moves, want, call)                                                          \
    do {                                                                                       \
        uint64_t seq_ = seq_now((f)->s), gen_ = grantd_store_generation((f)->s);               \
        assert_int_equal((call), (want));                                                      \
        uint64_t seq2_ = seq_now((f)->s), gen2_ = grantd_store_generation((f)->s);             \
        if (moves) {                                                                           \
            assert_true(seq2_ > seq_);                                                         \
            assert_true(gen2_ != gen_);                                                        \
        } else if (mode != MODE_URL) {                                                         \
            assert_true(seq2_ == seq_);                                                        \
            assert_true(gen2_ == gen_);                                                        \
        }                                                                                      \
    } while (0)

/* Writes of records someone may have read move the sequence (store.h, "Changes"). */
static void test_changes_move_the_sequence(void **state)
{
    struct fx *f = *state;
    struct grantd_client c = make_client(f, uid(f->a, "client"), 1);
    struct grantd_user u = make_user(f, uid(f->a, "user"));
    struct grantd_tenant t = {.name = uid(f->a, "tenant"), .created_at = NOW};
    int64_t id = 0;
    CHANGES(f, 1, GRANTD_OK, grantd_store_tenant_put(f->s, &t, &id));
    CHANGES(f, 1, GRANTD_OK, grantd_store_client_put(f->s, &c));
    CHANGES(f, 1, GRANTD_OK, grantd_store_client_set_disabled(f->s, f->tenant, c.id, 1, NOW_US));
    CHANGES(f, 1, GRANTD_OK, grantd_store_client_set_disabled(f->s, f->tenant, c.id, 0, NOW_US));
    CHANGES(f, 1, GRANTD_OK,
            grantd_store_client_set_secret(f->s, f->tenant, c.id, c.secret_hash, NOW));
    CHANGES(f, 1, GRANTD_OK, grantd_store_user_put(f->s, &u));
    CHANGES(f, 1, GRANTD_OK,
            grantd_store_user_set_password(f->s, f->tenant, u.username, u.password_hash, NOW));
    CHANGES(f, 1, GRANTD_OK, grantd_store_user_set_disabled(f->s, f->tenant, u.username, 1, NOW));
    struct grantd_consent con = {.tenant = f->tenant, .user_id = u.id, .client_id = c.id,
                                 .scope = "openid", .created_at = NOW};
    CHANGES(f, 1, GRANTD_OK, grantd_store_consent_put(f->s, &con));
    struct grantd_key k = make_key(f, f->tenant, NOW), k2 = make_key(f, f->tenant, NOW + 1);
    CHANGES(f, 1, GRANTD_OK, grantd_store_key_put(f->s, &k));
    CHANGES(f, 1, GRANTD_OK, grantd_store_key_rotate(f->s, f->tenant, &k2, NOW + 3600));
    CHANGES(f, 1, GRANTD_OK, grantd_store_client_delete(f->s, f->tenant, c.id));
    /* a failed write changes nothing */
    CHANGES(f, 0, GRANTD_ENOTFOUND, grantd_store_client_delete(f->s, f->tenant, c.id));
}

/* Revocations move it; issuing (tokens, codes, sessions), redeeming a code (a replay changes
 * nothing: its caller revokes), rotating a refresh token (nothing caches refresh tokens) and
 * purging do not. */
static void test_grants_and_the_sequence(void **state)
{
    struct fx *f = *state;
    struct grantd_code k = make_code(f, f->tenant, NULL), got;
    struct grantd_token t[2], n[2];
    make_tokens(&k, t);
    make_tokens(&k, n);
    struct grantd_session sess = make_session(f, NULL);
    CHANGES(f, 0, GRANTD_OK, grantd_store_code_put(f->s, &k));
    CHANGES(f, 0, GRANTD_OK, grantd_store_code_consume(f->s, f->a, f->tenant, k.hash, NOW, &got));
    CHANGES(f, 0, GRANTD_OK, grantd_store_token_put(f->s, t, 2));
    CHANGES(f, 0, GRANTD_OK, grantd_store_session_put(f->s, &sess));
    CHANGES(f, 0, GRANTD_OK, grantd_store_session_delete(f->s, f->tenant, sess.id_hash));
    size_t purged = 0;
    CHANGES(f, 0, GRANTD_OK, grantd_store_purge_expired(f->s, 1, NOW, &purged));
    CHANGES(f, 0, GRANTD_OK, grantd_store_refresh_rotate(f->s, f->tenant, t[1].hash, NOW, 0,
                                                         NULL, 0, n, 2));
    CHANGES(f, 1, GRANTD_OK, grantd_store_token_revoke(f->s, f->tenant, n[0].hash, 1000));
    CHANGES(f, 0, GRANTD_EREPLAYED,
            grantd_store_code_consume(f->s, f->a, f->tenant, k.hash, NOW, &got));
    CHANGES(f, 1, GRANTD_OK, grantd_store_token_revoke_family(f->s, f->tenant, "other", NOW));
}

struct put_result {
    grantd_rc rc;
    int calls;
};

static void put_done(void *arg, grantd_rc rc)
{
    struct put_result *r = arg;
    r->rc = rc;
    r->calls++;
}

/* A token revoked at insert (a self-contained token's revocation row, oauth/revoke.c) moves
 * the sequence and the generation, through token_put and token_put_async alike; the same
 * row live (a token issued) moves neither (store.h, "Changes"). */
static void test_revoked_row_moves_the_sequence(void **state)
{
    struct fx *f = *state;
    struct grantd_client c = make_client(f, uid(f->a, "client"), 1);
    assert_int_equal(grantd_store_client_put(f->s, &c), GRANTD_OK);
    struct grantd_token t[3];
    for (int i = 0; i < 3; i++) {
        t[i] = (struct grantd_token){.tenant = f->tenant, .kind = GRANTD_TOKEN_ACCESS,
                                     .client_id = c.id, .scope = "a",
                                     .family = uid(f->a, "jti"), .family_is_new = 1,
                                     .created_at = NOW, .expires_at = NOW + 3600};
        rand_hash(t[i].hash);
    }
    CHANGES(f, 0, GRANTD_OK, grantd_store_token_put(f->s, &t[0], 1));
    t[1].revoked = 1;
    CHANGES(f, 1, GRANTD_OK, grantd_store_token_put(f->s, &t[1], 1));
    struct grantd_token got;
    assert_int_equal(grantd_store_token_get(f->s, f->a, f->tenant, t[1].hash, &got), GRANTD_OK);
    assert_true(got.revoked);
    /* a second revocation of the same token is refused and moves nothing */
    CHANGES(f, 0, GRANTD_EEXIST, grantd_store_token_put(f->s, &t[1], 1));
    t[2].revoked = 1;
    struct put_result r = {0};
    uint64_t seq = seq_now(f->s), gen = grantd_store_generation(f->s);
    grantd_store_token_put_async(f->s, &t[2], 1, put_done, &r);
    /* a revoked row is written before the call returns, so the caller sees it at once */
    assert_int_equal(r.calls, 1);
    assert_int_equal(r.rc, GRANTD_OK);
    assert_true(seq_now(f->s) > seq);
    assert_true(grantd_store_generation(f->s) != gen);
}

struct waiter {
    struct grantd_store *s;
    uint64_t after, seq;
    int timeout_ms;
    grantd_rc rc;
    int64_t returned_us;
};

static void *wait_thread(void *p)
{
    struct waiter *w = p;
    w->rc = grantd_store_change_wait(w->s, w->after, w->timeout_ms, &w->seq);
    w->returned_us = grantd_clock_mono_us();
    return NULL;
}

/* A waiter on another handle of the database (another process) wakes up soon after a
 * commit that moved the sequence; its answer is the new sequence. */
static void test_change_wait_sees_another_handle(void **state)
{
    struct fx *f = *state;
    if (mode == MODE_MEMORY)
        skip(); /* each sqlite::memory: store is its own database */
    struct grantd_client c = make_client(f, uid(f->a, "client"), 1);
    assert_int_equal(grantd_store_client_put(f->s, &c), GRANTD_OK);
    struct waiter w = {.s = open_url(f->url), .timeout_ms = 10000};
    w.after = seq_now(w.s);
    pthread_t tid;
    assert_int_equal(pthread_create(&tid, NULL, wait_thread, &w), 0);
    usleep(50 * 1000); /* the waiter is waiting */
    assert_int_equal(grantd_store_client_set_disabled(f->s, f->tenant, c.id, 1, NOW_US),
                     GRANTD_OK);
    int64_t committed_us = grantd_clock_mono_us();
    pthread_join(tid, NULL);
    assert_int_equal(w.rc, GRANTD_OK);
    assert_true(w.seq > w.after);
    int64_t ms = (w.returned_us - committed_us) / 1000;
    print_message("change_wait returned %lld ms after the commit\n", (long long)ms);
    assert_true(ms < 1000); /* GRANTD_STORE_CHANGE_POLL_MS, with room for a loaded machine */
    grantd_store_close(w.s);
}

/* Without a change the wait ends at its timeout with the sequence it started from, and
 * token inserts (however many) do not end it. */
static void test_change_wait_ignores_token_puts(void **state)
{
    struct fx *f = *state;
    if (mode == MODE_URL)
        skip(); /* other processes may write to a shared database meanwhile */
    struct waiter w = {.s = mode == MODE_MEMORY ? f->s : open_url(f->url), .timeout_ms = 300};
    w.after = seq_now(w.s);
    pthread_t tid;
    int64_t start_us = grantd_clock_mono_us();
    assert_int_equal(pthread_create(&tid, NULL, wait_thread, &w), 0);
    for (int i = 0; i < 10; i++) {
        struct grantd_code k = make_code(f, f->tenant, NULL);
        struct grantd_token t[2];
        make_tokens(&k, t);
        assert_int_equal(grantd_store_token_put(f->s, t, 2), GRANTD_OK);
        usleep(10 * 1000);
    }
    pthread_join(tid, NULL);
    assert_int_equal(w.rc, GRANTD_OK);
    assert_true(w.seq == w.after);
    assert_true(w.returned_us - start_us >= 250 * 1000);
    if (w.s != f->s)
        grantd_store_close(w.s);
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
        T(test_changes_move_the_sequence),
        T(test_grants_and_the_sequence),
        T(test_revoked_row_moves_the_sequence),
        T(test_change_wait_sees_another_handle),
        T(test_change_wait_ignores_token_puts),
    };
    CONFORMANCE_RUN("store conformance: several instances", tests);
}
