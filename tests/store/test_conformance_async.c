/* The store conformance suite, part four: token_put_async, code_consume_async and
 * refresh_rotate_async, the operations that do not block their caller (POST /token defers
 * its answer until they complete). Their contract (store.h): done(arg, rc) is called
 * exactly once with what the blocking operation would have answered (redemptions and
 * rotations: each code redeemed and each token rotated once however many race). For puts:
 * done(arg, rc) is called exactly once with what token_put would have answered, after the
 * tokens are committed; a revoked family, a taken hash or an invalid batch fail alone;
 * and grantd_store_close runs every queued write and its callback before it returns, so a
 * server that stops under load loses no token it has promised (the shutdown drain).
 *
 * A driver may leave token_put_async NULL (callers then use token_put); these tests skip
 * then, except for the SQLite driver, which must have it. The fixture, the modes and the
 * record builders are in conformance.h; tests that reopen the database check the reopened
 * data only where there is a database to reopen (not sqlite::memory:).
 *
 * Not here: the writer's batching and checkpoints (tests/unit/store/test_sqlite.c), what
 * /token does with the answer (tests/integration/test_tokens.py). */
#include "conformance.h"

#define WAIT_US (20 * 1000000LL) /* how long a callback may take before the test fails */

/* token_put_async of f's store, or skip() when the driver has none. */
static void need_async(struct fx *f)
{
    if (grantd_store_puts_async(f->s))
        return;
    assert_true(strncmp(f->url, "sqlite:", 7) != 0); /* the SQLite driver has it */
    skip();
}

/* Polls until *counter reaches want (or WAIT_US passes); returns its last value. */
static int wait_count(atomic_int *counter, int want)
{
    int64_t until = grantd_clock_mono_us() + WAIT_US;
    int n;
    while ((n = atomic_load(counter)) < want && grantd_clock_mono_us() < until)
        usleep(1000);
    return n;
}

/* One asynchronous put: how often its callback ran and with what. */
struct one_put {
    atomic_int calls;
    atomic_int rc;
};

static void one_put_done(void *arg, grantd_rc rc)
{
    struct one_put *p = arg;
    atomic_store(&p->rc, (int)rc);
    atomic_fetch_add(&p->calls, 1);
}

/* Puts tokens asynchronously and waits for the callback; returns its rc. */
static grantd_rc put_async_wait(struct fx *f, struct one_put *p, const struct grantd_token *t,
                                size_t count)
{
    atomic_init(&p->calls, 0);
    atomic_init(&p->rc, GRANTD_RC_COUNT);
    grantd_store_token_put_async(f->s, t, count, one_put_done, p);
    assert_int_equal(wait_count(&p->calls, 1), 1);
    return (grantd_rc)atomic_load(&p->rc);
}

/* Closes the store (which runs whatever is still queued) and opens it again. */
static void reopen(struct fx *f)
{
    grantd_store_close(f->s);
    f->s = NULL;
    f->s = open_url(f->url);
}

/* ---- one write at a time -------------------------------------------------------------- */

static void test_async_put_stores_and_calls_back_once(void **state)
{
    struct fx *f = *state;
    need_async(f);
    struct grantd_code k = make_code(f, f->tenant, NULL);
    struct grantd_token t[2];
    make_tokens(&k, t);
    struct one_put p;
    assert_int_equal(put_async_wait(f, &p, t, 2), GRANTD_OK);
    for (int i = 0; i < 2; i++)
        assert_token_stored(f, &t[i]);
    /* a single token too (client_credentials issues one) */
    struct grantd_token m2m = t[0];
    rand_hash(m2m.hash);
    m2m.user_id = NULL;
    m2m.family = uid(f->a, "family");
    struct one_put q;
    assert_int_equal(put_async_wait(f, &q, &m2m, 1), GRANTD_OK);
    assert_token_stored(f, &m2m);
    /* once the store is closed nothing can call back any more: still exactly once each */
    reopen(f);
    assert_int_equal(atomic_load(&p.calls), 1);
    assert_int_equal(atomic_load(&q.calls), 1);
    if (mode != MODE_MEMORY)
        assert_token_stored(f, &t[1]);
}

static void test_async_put_into_revoked_family_conflicts(void **state)
{
    struct fx *f = *state;
    need_async(f);
    struct grantd_code k = make_code(f, f->tenant, NULL);
    struct grantd_token t[2];
    make_tokens(&k, t);
    assert_int_equal(grantd_store_token_revoke_family(f->s, f->tenant, k.family, NOW), GRANTD_OK);
    struct one_put p;
    assert_int_equal(put_async_wait(f, &p, t, 2), GRANTD_ECONFLICT);
    assert_int_equal(put_async_wait(f, &p, &t[0], 1), GRANTD_ECONFLICT);
    assert_token_absent(f, f->tenant, t[0].hash);
    assert_token_absent(f, f->tenant, t[1].hash);
    /* a taken hash: neither token goes in, and the one already there is untouched */
    struct grantd_code k2 = make_code(f, f->tenant, NULL);
    struct grantd_token u[2], v[2];
    make_tokens(&k2, u);
    assert_int_equal(grantd_store_token_put(f->s, u, 2), GRANTD_OK);
    make_tokens(&k2, v);
    memcpy(v[1].hash, u[0].hash, GRANTD_SHA256_LEN);
    assert_int_equal(put_async_wait(f, &p, v, 2), GRANTD_EEXIST);
    assert_token_absent(f, f->tenant, v[0].hash);
    assert_token_stored(f, &u[0]);
    reopen(f);
    assert_int_equal(atomic_load(&p.calls), 1);
}

static void test_async_put_invalid_batch(void **state)
{
    struct fx *f = *state;
    need_async(f);
    struct grantd_code k = make_code(f, f->tenant, NULL), other = make_code(f, f->tenant, NULL);
    struct grantd_token t[2], u[2];
    make_tokens(&k, t);
    make_tokens(&other, u);
    struct one_put p;
    assert_int_equal(put_async_wait(f, &p, t, 0), GRANTD_EINVAL);
    assert_int_equal(put_async_wait(f, &p, NULL, 0), GRANTD_EINVAL);
    /* two families in one batch */
    struct grantd_token mixed[2] = {t[0], u[1]};
    assert_int_equal(put_async_wait(f, &p, mixed, 2), GRANTD_EINVAL);
    /* two tenants in one batch */
    mixed[1] = t[1];
    mixed[1].tenant = GRANTD_DEFAULT_TENANT;
    assert_int_equal(put_async_wait(f, &p, mixed, 2), GRANTD_EINVAL);
    /* no kind, no client */
    mixed[1] = t[1];
    mixed[1].kind = 0;
    assert_int_equal(put_async_wait(f, &p, mixed, 2), GRANTD_EINVAL);
    mixed[1] = t[1];
    mixed[1].client_id = NULL;
    assert_int_equal(put_async_wait(f, &p, mixed, 2), GRANTD_EINVAL);
    assert_token_absent(f, f->tenant, t[0].hash);
    assert_token_absent(f, f->tenant, u[1].hash);
    reopen(f);
    assert_int_equal(atomic_load(&p.calls), 1);
}

/* ---- many writers, and close while writes are queued ---------------------------------- */

#define DRAIN_PUTS 500
#define DRAIN_THREADS 4

struct drain {
    struct grantd_store *s;
    struct grantd_token *tokens;  /* DRAIN_PUTS of them, one per put */
    atomic_int calls, ok, first_waiting;
    atomic_int per_put[DRAIN_PUTS];
    atomic_int submitted;         /* the main thread is about to close the store */
    pthread_barrier_t go;
};

struct drain_arg {
    struct drain *d;
    int index;
};

static void drain_done(void *arg, grantd_rc rc)
{
    struct drain_arg *a = arg;
    struct drain *d = a->d;
    atomic_fetch_add(&d->per_put[a->index], 1);
    if (rc == GRANTD_OK)
        atomic_fetch_add(&d->ok, 1);
    else
        print_error("put %d: %s\n", a->index, grantd_strerror(rc));
    /* The first callback holds the driver's thread until every put is queued and close is
     * about to run: so close really finds writes queued, whatever the machine's speed. */
    if (atomic_fetch_add(&d->calls, 1) == 0) {
        atomic_store(&d->first_waiting, 1);
        int64_t until = grantd_clock_mono_us() + 5000000;
        while (!atomic_load(&d->submitted) && grantd_clock_mono_us() < until)
            usleep(1000);
        usleep(20000);
    }
}

struct submitter {
    struct drain *d;
    struct drain_arg *args;
    int from, to;
};

static void *submit_thread(void *p)
{
    struct submitter *s = p;
    pthread_barrier_wait(&s->d->go);
    for (int i = s->from; i < s->to; i++)
        grantd_store_token_put_async(s->d->s, &s->d->tokens[i], 1, drain_done, &s->args[i]);
    return NULL;
}

static void test_close_runs_every_queued_async_put(void **state)
{
    struct fx *f = *state;
    need_async(f);
    struct drain *d = grantd_xcalloc(1, sizeof(*d));
    struct drain_arg *args = grantd_xcalloc(DRAIN_PUTS, sizeof(*args));
    d->s = f->s;
    d->tokens = grantd_xcalloc(DRAIN_PUTS, sizeof(*d->tokens));
    for (int i = 0; i < DRAIN_PUTS; i++) {
        struct grantd_code k = make_code(f, f->tenant, NULL);
        struct grantd_token t[2];
        make_tokens(&k, t);
        d->tokens[i] = t[0];
        args[i] = (struct drain_arg){d, i};
    }
    pthread_barrier_init(&d->go, NULL, DRAIN_THREADS);
    pthread_t tid[DRAIN_THREADS];
    struct submitter sub[DRAIN_THREADS];
    for (int t = 0; t < DRAIN_THREADS; t++) {
        sub[t] = (struct submitter){d, args, t * DRAIN_PUTS / DRAIN_THREADS,
                                    (t + 1) * DRAIN_PUTS / DRAIN_THREADS};
        assert_int_equal(pthread_create(&tid[t], NULL, submit_thread, &sub[t]), 0);
    }
    for (int t = 0; t < DRAIN_THREADS; t++)
        pthread_join(tid[t], NULL);
    int before_close = atomic_load(&d->calls);
    atomic_store(&d->submitted, 1);
    grantd_store_close(f->s); /* no waiting for the callbacks: close must run them */
    f->s = NULL;
    int after_close = atomic_load(&d->calls);
    pthread_barrier_destroy(&d->go);
    print_message("async puts: %d of %d called back before close, %d when it returned\n",
                  before_close, DRAIN_PUTS, after_close);
    assert_true(before_close < DRAIN_PUTS); /* the test did exercise the drain */
    assert_int_equal(after_close, DRAIN_PUTS);
    assert_int_equal(atomic_load(&d->ok), DRAIN_PUTS);
    for (int i = 0; i < DRAIN_PUTS; i++)
        assert_int_equal(atomic_load(&d->per_put[i]), 1);
    f->s = open_url(f->url);
    if (mode != MODE_MEMORY) { /* a memory database died with its store */
        for (int i = 0; i < DRAIN_PUTS; i++) {
            struct grantd_token got;
            grantd_rc rc = grantd_store_token_get(f->s, f->a, f->tenant, d->tokens[i].hash, &got);
            if (rc != GRANTD_OK)
                print_error("put %d not stored after reopening: %s\n", i, grantd_strerror(rc));
            assert_int_equal(rc, GRANTD_OK);
            assert_token_equal(&d->tokens[i], &got);
        }
    }
    /* after the callbacks ran, close freed whatever the driver held: nothing calls back */
    usleep(20000);
    assert_int_equal(atomic_load(&d->calls), DRAIN_PUTS);
    free(d->tokens);
    free(args);
    free(d);
}

/* ---- asynchronous and synchronous writes mixed ------------------------------------------ */

#define MIX_THREADS 6
#define MIX_ROUNDS 60 /* per thread: sync put, async put, async put into a revoked family */

struct mix {
    struct fx *f;
    pthread_barrier_t go;
    atomic_int calls, wrong;
};

struct mix_put {
    struct mix *m;
    struct grantd_token tokens[2];
    grantd_rc want;
    atomic_int calls;
};

struct mix_thread {
    struct mix *m;
    struct mix_put *sync, *async, *refused; /* MIX_ROUNDS each */
    grantd_rc sync_rc[MIX_ROUNDS];
};

static void mix_done(void *arg, grantd_rc rc)
{
    struct mix_put *p = arg;
    if (rc != p->want) {
        print_error("async put: %s, want %s\n", grantd_strerror(rc), grantd_strerror(p->want));
        atomic_fetch_add(&p->m->wrong, 1);
    }
    atomic_fetch_add(&p->calls, 1);
    atomic_fetch_add(&p->m->calls, 1);
}

static void *mix_thread(void *arg)
{
    struct mix_thread *t = arg;
    struct grantd_store *s = t->m->f->s;
    pthread_barrier_wait(&t->m->go);
    for (int i = 0; i < MIX_ROUNDS; i++) {
        grantd_store_token_put_async(s, t->async[i].tokens, 2, mix_done, &t->async[i]);
        t->sync_rc[i] = grantd_store_token_put(s, t->sync[i].tokens, 2);
        grantd_store_token_put_async(s, t->refused[i].tokens, 2, mix_done, &t->refused[i]);
    }
    return NULL;
}

static void fill_put(struct fx *f, struct mix *m, struct mix_put *p, const char *family,
                     grantd_rc want)
{
    struct grantd_code k = make_code(f, f->tenant, family);
    p->m = m;
    make_tokens(&k, p->tokens);
    p->want = want;
    atomic_init(&p->calls, 0);
}

static void test_async_and_sync_writes_mixed(void **state)
{
    struct fx *f = *state;
    need_async(f);
    const char *revoked = uid(f->a, "family");
    assert_int_equal(grantd_store_token_revoke_family(f->s, f->tenant, revoked, NOW), GRANTD_OK);
    struct mix m = {.f = f};
    atomic_init(&m.calls, 0);
    atomic_init(&m.wrong, 0);
    pthread_barrier_init(&m.go, NULL, MIX_THREADS);
    struct mix_thread t[MIX_THREADS];
    pthread_t tid[MIX_THREADS];
    for (int i = 0; i < MIX_THREADS; i++) {
        t[i] = (struct mix_thread){.m = &m};
        t[i].sync = grantd_xcalloc(MIX_ROUNDS, sizeof(struct mix_put));
        t[i].async = grantd_xcalloc(MIX_ROUNDS, sizeof(struct mix_put));
        t[i].refused = grantd_xcalloc(MIX_ROUNDS, sizeof(struct mix_put));
        for (int r = 0; r < MIX_ROUNDS; r++) {
            fill_put(f, &m, &t[i].sync[r], NULL, GRANTD_OK);
            fill_put(f, &m, &t[i].async[r], NULL, GRANTD_OK);
            fill_put(f, &m, &t[i].refused[r], revoked, GRANTD_ECONFLICT);
        }
    }
    for (int i = 0; i < MIX_THREADS; i++)
        assert_int_equal(pthread_create(&tid[i], NULL, mix_thread, &t[i]), 0);
    for (int i = 0; i < MIX_THREADS; i++)
        pthread_join(tid[i], NULL);
    int want = MIX_THREADS * MIX_ROUNDS * 2;
    assert_int_equal(wait_count(&m.calls, want), want);
    assert_int_equal(atomic_load(&m.wrong), 0);
    for (int i = 0; i < MIX_THREADS; i++) {
        for (int r = 0; r < MIX_ROUNDS; r++) {
            assert_int_equal(t[i].sync_rc[r], GRANTD_OK);
            assert_int_equal(atomic_load(&t[i].async[r].calls), 1);
            assert_int_equal(atomic_load(&t[i].refused[r].calls), 1);
            for (int j = 0; j < 2; j++) {
                struct grantd_token got;
                assert_int_equal(grantd_store_token_get(f->s, f->a, f->tenant,
                                                     t[i].sync[r].tokens[j].hash, &got),
                                 GRANTD_OK);
                assert_token_stored(f, &t[i].async[r].tokens[j]);
                assert_token_absent(f, f->tenant, t[i].refused[r].tokens[j].hash);
            }
        }
    }
    pthread_barrier_destroy(&m.go);
    /* closing: no callback runs twice */
    reopen(f);
    assert_int_equal(atomic_load(&m.calls), want);
    for (int i = 0; i < MIX_THREADS; i++) {
        free(t[i].sync);
        free(t[i].async);
        free(t[i].refused);
    }
}

/* ---- code_consume_async ---------------------------------------------------------------- */

/* One asynchronous redemption: its own arena and result (the store fills them on its
 * thread), and how often its callback ran with what. */
struct one_consume {
    struct grantd_arena *a;
    struct grantd_code out;
    atomic_int calls;
    atomic_int rc;
};

static void one_consume_done(void *arg, grantd_rc rc)
{
    struct one_consume *c = arg;
    atomic_store(&c->rc, (int)rc);
    atomic_fetch_add(&c->calls, 1);
}

static void consume_async(struct fx *f, struct one_consume *c, int64_t tenant,
                          const unsigned char *hash)
{
    c->a = grantd_arena_new(4096);
    memset(&c->out, 0, sizeof(c->out));
    atomic_init(&c->calls, 0);
    atomic_init(&c->rc, GRANTD_RC_COUNT);
    grantd_store_code_consume_async(f->s, c->a, tenant, hash, NOW, &c->out, one_consume_done, c);
}

static grantd_rc consume_async_wait(struct fx *f, struct one_consume *c, int64_t tenant,
                                    const unsigned char *hash)
{
    consume_async(f, c, tenant, hash);
    assert_int_equal(wait_count(&c->calls, 1), 1);
    return (grantd_rc)atomic_load(&c->rc);
}

/* What code_consume answers, without blocking (drivers without the operation: on the
 * caller's thread, through the wrapper). */
static void test_async_consume_redeems_once(void **state)
{
    struct fx *f = *state;
    struct grantd_code k = make_code(f, f->tenant, NULL);
    assert_int_equal(grantd_store_code_put(f->s, &k), GRANTD_OK);
    struct one_consume first, again, unknown;
    assert_int_equal(consume_async_wait(f, &first, f->tenant, k.hash), GRANTD_OK);
    assert_code_equal(&k, &first.out);
    assert_true(first.out.used);
    assert_false(first.out.revoked);
    /* its tokens go in; a replay is reported with the code and changes nothing */
    struct grantd_token t[2];
    make_tokens(&k, t);
    assert_int_equal(grantd_store_token_put(f->s, t, 2), GRANTD_OK);
    assert_int_equal(consume_async_wait(f, &again, f->tenant, k.hash), GRANTD_EREPLAYED);
    assert_code_equal(&k, &again.out);
    assert_true(again.out.used);
    struct grantd_token got;
    assert_int_equal(grantd_store_token_get(f->s, f->a, f->tenant, t[0].hash, &got), GRANTD_OK);
    assert_false(got.revoked);
    unsigned char none[GRANTD_SHA256_LEN];
    rand_hash(none);
    assert_int_equal(consume_async_wait(f, &unknown, f->tenant, none), GRANTD_ENOTFOUND);
    /* another tenant's code is not this one's */
    struct one_consume other;
    assert_int_equal(consume_async_wait(f, &other, f->tenant + 1000000, k.hash),
                     GRANTD_ENOTFOUND);
    struct one_consume *all[] = {&first, &again, &unknown, &other};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        assert_int_equal(atomic_load(&all[i]->calls), 1);
        grantd_arena_free(all[i]->a);
    }
}

#define RACE_CODES 8
#define RACE_EACH 12

struct race {
    struct fx *f;
    struct grantd_code codes[RACE_CODES];
    struct one_consume c[RACE_CODES * RACE_EACH];
};

struct racer {
    struct race *r;
    int first; /* this thread's attempts: first, first + 2, ... */
};

static void *race_thread(void *arg)
{
    struct racer *t = arg;
    for (int i = t->first; i < RACE_CODES * RACE_EACH; i += 2)
        consume_async(t->r->f, &t->r->c[i], t->r->f->tenant, t->r->codes[i % RACE_CODES].hash);
    return NULL;
}

/* Many redemptions of a few codes queued at once from two threads, so that the driver's
 * batches hold several of one code: each code is redeemed exactly once, every other
 * attempt is a replay, and every callback runs once. */
static void test_async_consume_race_redeems_each_code_once(void **state)
{
    struct fx *f = *state;
    struct race *r = calloc(1, sizeof(*r));
    r->f = f;
    for (int i = 0; i < RACE_CODES; i++) {
        r->codes[i] = make_code(f, f->tenant, NULL);
        assert_int_equal(grantd_store_code_put(f->s, &r->codes[i]), GRANTD_OK);
    }
    pthread_t th[2];
    struct racer racers[2] = {{r, 0}, {r, 1}};
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&th[i], NULL, race_thread, &racers[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    int won[RACE_CODES] = {0}, replays = 0;
    for (int i = 0; i < RACE_CODES * RACE_EACH; i++) {
        struct one_consume *c = &r->c[i];
        assert_int_equal(wait_count(&c->calls, 1), 1);
        grantd_rc rc = (grantd_rc)atomic_load(&c->rc);
        assert_true(rc == GRANTD_OK || rc == GRANTD_EREPLAYED);
        for (int k = 0; k < RACE_CODES; k++)
            if (memcmp(c->out.hash, r->codes[k].hash, GRANTD_SHA256_LEN) == 0) {
                won[k] += rc == GRANTD_OK;
                if (rc == GRANTD_OK)
                    assert_code_equal(&r->codes[k], &c->out);
            }
        replays += rc == GRANTD_EREPLAYED;
    }
    for (int k = 0; k < RACE_CODES; k++)
        assert_int_equal(won[k], 1);
    assert_int_equal(replays, RACE_CODES * (RACE_EACH - 1));
    reopen(f); /* and nothing calls back after the close */
    for (int i = 0; i < RACE_CODES * RACE_EACH; i++) {
        assert_int_equal(atomic_load(&r->c[i].calls), 1);
        grantd_arena_free(r->c[i].a);
    }
    free(r);
}

/* ---- refresh_rotate_async -------------------------------------------------------------- */

/* One asynchronous rotation: its new tokens and its callback's count and answer. */
struct one_rotation {
    struct grantd_token n[2];
    atomic_int calls;
    atomic_int rc;
};

static void one_rotation_done(void *arg, grantd_rc rc)
{
    struct one_rotation *r = arg;
    atomic_store(&r->rc, (int)rc);
    atomic_fetch_add(&r->calls, 1);
}

/* Rotates old into r's new tokens (made from k) with a sealed successor; returns at once. */
static void rotate_async(struct fx *f, struct one_rotation *r, const struct grantd_code *k,
                         const unsigned char *old)
{
    make_tokens(k, r->n);
    atomic_init(&r->calls, 0);
    atomic_init(&r->rc, GRANTD_RC_COUNT);
    static const unsigned char sealed[] = "sealed\x01pair";
    grantd_store_refresh_rotate_async(f->s, f->tenant, old, NOW, NOW + 30, sealed,
                                      sizeof(sealed) - 1, r->n, 2, one_rotation_done, r);
}

static grantd_rc rotate_async_wait(struct fx *f, struct one_rotation *r,
                                   const struct grantd_code *k, const unsigned char *old)
{
    rotate_async(f, r, k, old);
    assert_int_equal(wait_count(&r->calls, 1), 1);
    return (grantd_rc)atomic_load(&r->rc);
}

/* What refresh_rotate answers, without blocking: the first rotation stores the new tokens
 * and the successor, a second one of the same token conflicts and stores nothing, an
 * unknown token is not found, an invalid batch is refused. */
static void test_async_rotate_once(void **state)
{
    struct fx *f = *state;
    struct grantd_code k = make_code(f, f->tenant, NULL);
    struct grantd_token t[2];
    make_tokens(&k, t);
    assert_int_equal(grantd_store_token_put(f->s, t, 2), GRANTD_OK);
    struct one_rotation first, again, unknown;
    assert_int_equal(rotate_async_wait(f, &first, &k, t[1].hash), GRANTD_OK);
    for (int i = 0; i < 2; i++)
        assert_token_stored(f, &first.n[i]);
    struct grantd_token got;
    assert_int_equal(grantd_store_token_get(f->s, f->a, f->tenant, t[1].hash, &got), GRANTD_OK);
    assert_int_equal(got.rotated_at, NOW);
    assert_int_equal(got.grace_until, NOW + 30);
    assert_int_equal(got.successor_len, 11);
    assert_int_equal(rotate_async_wait(f, &again, &k, t[1].hash), GRANTD_ECONFLICT);
    assert_token_absent(f, f->tenant, again.n[0].hash);
    assert_token_absent(f, f->tenant, again.n[1].hash);
    unsigned char none[GRANTD_SHA256_LEN];
    rand_hash(none);
    assert_int_equal(rotate_async_wait(f, &unknown, &k, none), GRANTD_ENOTFOUND);
    /* new tokens of another family than the old token's: refused, nothing changes */
    struct grantd_code other = make_code(f, f->tenant, NULL);
    struct one_rotation wrong;
    assert_int_equal(rotate_async_wait(f, &wrong, &other, first.n[1].hash), GRANTD_EINVAL);
    assert_token_absent(f, f->tenant, wrong.n[1].hash);
    assert_int_equal(grantd_store_token_get(f->s, f->a, f->tenant, first.n[1].hash, &got),
                     GRANTD_OK);
    assert_int_equal(got.rotated_at, 0);
}

#define ROT_TOKENS 6
#define ROT_EACH 8

struct rot_race {
    struct fx *f;
    struct grantd_code codes[ROT_TOKENS];
    struct grantd_token old[ROT_TOKENS][2];
    struct one_rotation r[ROT_TOKENS * ROT_EACH];
};

struct rot_racer {
    struct rot_race *race;
    int first;
};

static void *rot_race_thread(void *arg)
{
    struct rot_racer *t = arg;
    struct rot_race *x = t->race;
    for (int i = t->first; i < ROT_TOKENS * ROT_EACH; i += 2)
        rotate_async(x->f, &x->r[i], &x->codes[i % ROT_TOKENS], x->old[i % ROT_TOKENS][1].hash);
    return NULL;
}

/* Many rotations of a few refresh tokens queued at once from two threads (the driver's
 * batches then hold several of one token): each token rotates exactly once, every other
 * attempt conflicts and stores nothing, and every callback runs once. */
static void test_async_rotate_race_rotates_each_token_once(void **state)
{
    struct fx *f = *state;
    struct rot_race *x = calloc(1, sizeof(*x));
    x->f = f;
    for (int i = 0; i < ROT_TOKENS; i++) {
        x->codes[i] = make_code(f, f->tenant, NULL);
        make_tokens(&x->codes[i], x->old[i]);
        assert_int_equal(grantd_store_token_put(f->s, x->old[i], 2), GRANTD_OK);
    }
    pthread_t th[2];
    struct rot_racer racers[2] = {{x, 0}, {x, 1}};
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&th[i], NULL, rot_race_thread, &racers[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    int won[ROT_TOKENS] = {0};
    for (int i = 0; i < ROT_TOKENS * ROT_EACH; i++) {
        assert_int_equal(wait_count(&x->r[i].calls, 1), 1);
        grantd_rc rc = (grantd_rc)atomic_load(&x->r[i].rc);
        assert_true(rc == GRANTD_OK || rc == GRANTD_ECONFLICT);
        won[i % ROT_TOKENS] += rc == GRANTD_OK;
        if (rc == GRANTD_OK)
            assert_token_stored(f, &x->r[i].n[1]);
        else
            assert_token_absent(f, f->tenant, x->r[i].n[1].hash);
    }
    for (int k = 0; k < ROT_TOKENS; k++)
        assert_int_equal(won[k], 1);
    free(x);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_async_put_stores_and_calls_back_once),
        T(test_async_put_into_revoked_family_conflicts),
        T(test_async_put_invalid_batch),
        T(test_close_runs_every_queued_async_put),
        T(test_async_and_sync_writes_mixed),
        T(test_async_consume_redeems_once),
        T(test_async_consume_race_redeems_each_code_once),
        T(test_async_rotate_once),
        T(test_async_rotate_race_rotates_each_token_once),
    };
    CONFORMANCE_RUN("store conformance: asynchronous token writes", tests);
}
