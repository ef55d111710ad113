/* The PostgreSQL driver's group commit (pg_writer.c) against a private cluster (ctest's
 * pg/writer runs it through tests/pg/cluster; without the cluster every test skips).
 *
 * To make a batch of a known size, a raw connection holds one family's lock (the lock the
 * schema's trigger takes for every token insert) while a put of that family is queued: the
 * writer thread waits inside that put, and the puts queued meanwhile are the next batch.
 * Covered: those puts are one batch and one commit; in a batch that also holds a put into
 * a revoked family and a put of a taken hash, those two fail alone and the others are
 * stored; when the server goes down under a batch every put of it is told GRANTD_EBUSY
 * and none is stored, and puts work again once it is back. Code redemptions queued behind
 * a blocked put are one statement that redeems each code once (the others of the same code
 * are replays), and a batch naming a code another instance is redeeming waits for it and
 * then finds it used.
 *
 * Not here: the contract every driver meets (tests/store/test_conformance_async.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/mem.h"
#include "store/pg_int.h"

#define PUTS 10
#define WAIT_US (20 * 1000000LL)

/* One queued put: its token, its family's name, and its callback's count and answer. */
struct put {
    struct grantd_token t;
    char family[32];
    atomic_int calls;
    atomic_int rc;
};

static void put_done(void *arg, grantd_rc rc)
{
    struct put *p = arg;
    atomic_store(&p->rc, (int)rc);
    atomic_fetch_add(&p->calls, 1);
}

/* Waits until every one of n puts was answered; fails the test after WAIT_US. */
static void wait_all(struct put *p, size_t n)
{
    int64_t until = grantd_clock_mono_us() + WAIT_US;
    for (size_t i = 0; i < n; i++) {
        while (atomic_load(&p[i].calls) == 0 && grantd_clock_mono_us() < until)
            usleep(1000);
        assert_int_equal(atomic_load(&p[i].calls), 1);
    }
}

static void put_async(struct grantd_store *s, struct put *p, int64_t tenant, const char *family,
                      unsigned char hash_byte)
{
    snprintf(p->family, sizeof(p->family), "%s", family);
    p->t = (struct grantd_token){.tenant = tenant, .kind = GRANTD_TOKEN_ACCESS, .client_id = "c",
                                 .family = p->family, .created_at = 1700000060,
                                 .expires_at = 1700003600};
    memset(p->t.hash, hash_byte, sizeof(p->t.hash));
    atomic_init(&p->calls, 0);
    atomic_init(&p->rc, GRANTD_RC_COUNT);
    grantd_store_token_put_async(s, &p->t, 1, put_done, p);
}

static int stored(struct grantd_store *s, int64_t tenant, const unsigned char *hash)
{
    struct grantd_arena *a = grantd_arena_new(4096);
    struct grantd_token got;
    grantd_rc rc = grantd_store_token_get(s, a, tenant, hash, &got);
    grantd_arena_free(a);
    assert_true(rc == GRANTD_OK || rc == GRANTD_ENOTFOUND);
    return rc == GRANTD_OK;
}

/* The cluster's store, migrated, with a tenant named name, and a raw connection holding
 * the lock of that tenant's family "held" in an open transaction. */
struct fx {
    struct grantd_store *s;
    int64_t tenant;
    PGconn *raw;
};

static int fx_open(struct fx *x, const char *name)
{
    const char *url = getenv("GRANTD_PG_URL");
    if (!url)
        return 0;
    char err[512] = "";
    assert_int_equal(grantd_store_open(url, &x->s, err, sizeof(err)), GRANTD_OK);
    int from, to;
    assert_int_equal(grantd_store_migrate(x->s, 1700000000, &from, &to), GRANTD_OK);
    struct grantd_tenant t = {.name = name, .created_at = 1700000000};
    assert_int_equal(grantd_store_tenant_put(x->s, &t, &x->tenant), GRANTD_OK);
    x->raw = PQconnectdb(url);
    assert_int_equal(PQstatus(x->raw), CONNECTION_OK);
    char q[256];
    snprintf(q, sizeof(q),
             "BEGIN; SELECT pg_advisory_xact_lock(hashtextextended('held', %lld))",
             (long long)x->tenant);
    PGresult *res = PQexec(x->raw, q);
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        fail_msg("%s", PQresultErrorMessage(res));
    PQclear(res);
    return 1;
}

/* Queues a put of family "held" (the writer thread then waits for the raw connection's
 * lock) and gives the thread time to take it into a batch of its own. */
static void block_writer(struct fx *x, struct put *blocker)
{
    put_async(x->s, blocker, x->tenant, "held", 0xb0);
    usleep(200 * 1000);
    assert_int_equal(atomic_load(&blocker->calls), 0);
}

/* Ten puts queued behind the blocked one make one batch and one commit; a put into a
 * revoked family and a put of a hash already stored, in that batch, fail alone. */
static void test_queued_puts_are_one_batch(void **state)
{
    struct fx x;
    if (!fx_open(&x, "writer-batch"))
        skip(); /* needs tests/pg/cluster */
    struct put taken;
    put_async(x.s, &taken, x.tenant, "before", 0x01);
    wait_all(&taken, 1);
    assert_int_equal(atomic_load(&taken.rc), GRANTD_OK);
    assert_int_equal(grantd_store_token_revoke_family(x.s, x.tenant, "revoked", 1700000050),
                     GRANTD_OK);

    struct put blocker, puts[PUTS];
    block_writer(&x, &blocker);
    struct pg_writer *w = ((struct pg_store *)x.s)->writer;
    struct pg_writer_stats st0 = pg__writer_stats(w, PG_WRITER_PUTS);
    for (int i = 0; i < PUTS; i++) {
        char family[32];
        snprintf(family, sizeof(family), "f%d", i);
        put_async(x.s, &puts[i], x.tenant, i == 3 ? "revoked" : family,
                  i == 6 ? 0x01 : (unsigned char)(0x10 + i));
    }
    PGresult *res = PQexec(x.raw, "COMMIT");
    assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
    PQclear(res);
    wait_all(&blocker, 1);
    wait_all(puts, PUTS);
    assert_int_equal(atomic_load(&blocker.rc), GRANTD_OK);
    struct pg_writer_stats st = pg__writer_stats(w, PG_WRITER_PUTS);
    assert_int_equal(st.batches - st0.batches, 2); /* the blocker's, then the ten together */
    assert_int_equal(st.jobs - st0.jobs, PUTS + 1);
    assert_int_equal(st.max_batch, PUTS);
    for (int i = 0; i < PUTS; i++) {
        grantd_rc want = i == 3 ? GRANTD_ECONFLICT : i == 6 ? GRANTD_EEXIST : GRANTD_OK;
        assert_int_equal(atomic_load(&puts[i].rc), want);
        if (i != 6)
            assert_int_equal(stored(x.s, x.tenant, puts[i].t.hash), want == GRANTD_OK);
    }
    PQfinish(x.raw);
    grantd_store_close(x.s);
}

/* The server stops under a batch: every put of it is told GRANTD_EBUSY, none is stored,
 * and once the server is back the next put goes through on a new connection. */
static void test_server_down_fails_every_put_of_the_batch(void **state)
{
    const char *stop = getenv("GRANTD_PG_STOP"), *start = getenv("GRANTD_PG_START");
    struct fx x;
    if (!stop || !start || !fx_open(&x, "writer-down"))
        skip(); /* needs tests/pg/cluster */
    struct put blocker, puts[PUTS];
    block_writer(&x, &blocker);
    for (int i = 0; i < PUTS; i++)
        put_async(x.s, &puts[i], x.tenant, "down", (unsigned char)(0x40 + i));
    assert_int_equal(system(stop), 0);
    wait_all(&blocker, 1);
    wait_all(puts, PUTS);
    assert_int_equal(atomic_load(&blocker.rc), GRANTD_EBUSY);
    for (int i = 0; i < PUTS; i++)
        assert_int_equal(atomic_load(&puts[i].rc), GRANTD_EBUSY);
    PQfinish(x.raw);

    assert_int_equal(system(start), 0);
    struct put after;
    put_async(x.s, &after, x.tenant, "after", 0x7f);
    wait_all(&after, 1);
    assert_int_equal(atomic_load(&after.rc), GRANTD_OK);
    assert_true(stored(x.s, x.tenant, after.t.hash));
    assert_false(stored(x.s, x.tenant, blocker.t.hash));
    for (int i = 0; i < PUTS; i++)
        assert_false(stored(x.s, x.tenant, puts[i].t.hash));
    grantd_store_close(x.s);
}

/* ---- code redemptions ------------------------------------------------------------------ */

/* One queued redemption: its arena, its result, and its callback's count and answer. */
struct redeem {
    struct grantd_arena *a;
    struct grantd_code out;
    atomic_int calls;
    atomic_int rc;
};

static void redeem_done(void *arg, grantd_rc rc)
{
    struct redeem *r = arg;
    atomic_store(&r->rc, (int)rc);
    atomic_fetch_add(&r->calls, 1);
}

static void redeem_async(struct grantd_store *s, struct redeem *r, int64_t tenant,
                         const unsigned char *hash)
{
    r->a = grantd_arena_new(4096);
    atomic_init(&r->calls, 0);
    atomic_init(&r->rc, GRANTD_RC_COUNT);
    grantd_store_code_consume_async(s, r->a, tenant, hash, 1700000070, &r->out, redeem_done, r);
}

static void wait_redeems(struct redeem *r, size_t n)
{
    int64_t until = grantd_clock_mono_us() + WAIT_US;
    for (size_t i = 0; i < n; i++) {
        while (atomic_load(&r[i].calls) == 0 && grantd_clock_mono_us() < until)
            usleep(1000);
        assert_int_equal(atomic_load(&r[i].calls), 1);
    }
}

/* A code of tenant whose hash is hash_byte repeated, stored. */
static void put_code(struct grantd_store *s, int64_t tenant, unsigned char hash_byte,
                     const char *family)
{
    struct grantd_code k = {.tenant = tenant, .client_id = "c", .user_id = "u",
                            .family = family, .created_at = 1700000060,
                            .expires_at = 1700000660};
    memset(k.hash, hash_byte, sizeof(k.hash));
    assert_int_equal(grantd_store_code_put(s, &k), GRANTD_OK);
}

#define REDEEMS 10

/* Ten redemptions queued behind a blocked put are ONE statement: of three codes named
 * twice each, each is redeemed once and its second attempt is a replay; a code used
 * before is a replay, an unknown one is not found. */
static void test_queued_redemptions_are_one_batch(void **state)
{
    struct fx x;
    if (!fx_open(&x, "writer-codes"))
        skip(); /* needs tests/pg/cluster */
    for (unsigned char b = 0x21; b <= 0x24; b++)
        put_code(x.s, x.tenant, b, b == 0x24 ? "used-before" : "codes");
    unsigned char used[GRANTD_SHA256_LEN], unknown[GRANTD_SHA256_LEN];
    memset(used, 0x24, sizeof(used));
    memset(unknown, 0x2f, sizeof(unknown));
    struct redeem first;
    redeem_async(x.s, &first, x.tenant, used);
    wait_redeems(&first, 1);
    assert_int_equal(atomic_load(&first.rc), GRANTD_OK);

    struct put blocker;
    block_writer(&x, &blocker);
    struct pg_writer *w = ((struct pg_store *)x.s)->writer;
    struct pg_writer_stats st0 = pg__writer_stats(w, PG_WRITER_CODES);
    struct redeem r[REDEEMS];
    unsigned char hash[REDEEMS][GRANTD_SHA256_LEN];
    for (int i = 0; i < REDEEMS; i++) {
        unsigned char b = (unsigned char)(0x21 + i % 3); /* 0x21..0x23, each at least twice */
        memset(hash[i], b, GRANTD_SHA256_LEN);
        if (i == 8)
            memcpy(hash[i], used, GRANTD_SHA256_LEN);
        if (i == 9)
            memcpy(hash[i], unknown, GRANTD_SHA256_LEN);
        redeem_async(x.s, &r[i], x.tenant, hash[i]);
    }
    PGresult *res = PQexec(x.raw, "COMMIT");
    assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
    PQclear(res);
    wait_all(&blocker, 1);
    wait_redeems(r, REDEEMS);
    struct pg_writer_stats st = pg__writer_stats(w, PG_WRITER_CODES);
    assert_int_equal(st.batches - st0.batches, 1);
    assert_int_equal(st.jobs - st0.jobs, REDEEMS);
    int won[3] = {0};
    for (int i = 0; i < 8; i++) {
        grantd_rc rc = (grantd_rc)atomic_load(&r[i].rc);
        assert_true(rc == GRANTD_OK || rc == GRANTD_EREPLAYED);
        assert_memory_equal(r[i].out.hash, hash[i], GRANTD_SHA256_LEN);
        assert_string_equal(r[i].out.family, "codes");
        won[i % 3] += rc == GRANTD_OK;
    }
    for (int k = 0; k < 3; k++)
        assert_int_equal(won[k], 1);
    assert_int_equal(atomic_load(&r[8].rc), GRANTD_EREPLAYED);
    assert_int_equal(atomic_load(&r[9].rc), GRANTD_ENOTFOUND);
    for (int i = 0; i < REDEEMS; i++)
        grantd_arena_free(r[i].a);
    grantd_arena_free(first.a);
    PQfinish(x.raw);
    grantd_store_close(x.s);
}

/* Another instance's redemption of a code, not yet committed, when a batch names it: the
 * batch waits for it, then finds the code used (a replay) and still redeems the other
 * code of the batch. */
static void test_batch_waits_for_another_instances_redemption(void **state)
{
    struct fx x;
    if (!fx_open(&x, "writer-race"))
        skip(); /* needs tests/pg/cluster */
    PGresult *res = PQexec(x.raw, "COMMIT");
    PQclear(res);
    put_code(x.s, x.tenant, 0x31, "race");
    put_code(x.s, x.tenant, 0x32, "race-other");
    char q[256];
    snprintf(q, sizeof(q),
             "BEGIN; UPDATE codes SET used = 1 WHERE tenant_id = %lld AND hash = '\\x%s'",
             (long long)x.tenant,
             "3131313131313131313131313131313131313131313131313131313131313131");
    res = PQexec(x.raw, q);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        fail_msg("%s", PQresultErrorMessage(res));
    assert_string_equal(PQcmdTuples(res), "1");
    PQclear(res);
    unsigned char taken[GRANTD_SHA256_LEN], other[GRANTD_SHA256_LEN];
    memset(taken, 0x31, sizeof(taken));
    memset(other, 0x32, sizeof(other));
    struct redeem r[2];
    redeem_async(x.s, &r[0], x.tenant, taken);
    redeem_async(x.s, &r[1], x.tenant, other);
    usleep(200 * 1000);
    assert_int_equal(atomic_load(&r[0].calls), 0); /* waiting for the other instance */
    res = PQexec(x.raw, "COMMIT");
    assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
    PQclear(res);
    wait_redeems(r, 2);
    assert_int_equal(atomic_load(&r[0].rc), GRANTD_EREPLAYED);
    assert_int_equal(atomic_load(&r[1].rc), GRANTD_OK);
    assert_string_equal(r[1].out.family, "race-other");
    for (int i = 0; i < 2; i++)
        grantd_arena_free(r[i].a);
    PQfinish(x.raw);
    grantd_store_close(x.s);
}

/* ---- refresh rotations -------------------------------------------------------------------- */

struct rotation {
    struct grantd_token n[2];
    char family[32];
    atomic_int calls;
    atomic_int rc;
};

static void rotation_done(void *arg, grantd_rc rc)
{
    struct rotation *r = arg;
    atomic_store(&r->rc, (int)rc);
    atomic_fetch_add(&r->calls, 1);
}

/* Rotates the refresh token whose hash is old_byte repeated (family fam) into two new tokens
 * whose hashes start with new_byte. */
static void rotate_async(struct grantd_store *s, struct rotation *r, int64_t tenant,
                         const unsigned char *old, const char *fam, unsigned char new_byte)
{
    snprintf(r->family, sizeof(r->family), "%s", fam);
    for (int i = 0; i < 2; i++) {
        r->n[i] = (struct grantd_token){.tenant = tenant, .client_id = "c", .family = r->family,
                                        .kind = i ? GRANTD_TOKEN_REFRESH : GRANTD_TOKEN_ACCESS,
                                        .created_at = 1700000080, .expires_at = 1700003600};
        memset(r->n[i].hash, new_byte + i, sizeof(r->n[i].hash));
    }
    atomic_init(&r->calls, 0);
    atomic_init(&r->rc, GRANTD_RC_COUNT);
    grantd_store_refresh_rotate_async(s, tenant, old, 1700000080, 0, NULL, 0, r->n, 2,
                                      rotation_done, r);
}

static void wait_rotations(struct rotation *r, size_t n)
{
    int64_t until = grantd_clock_mono_us() + WAIT_US;
    for (size_t i = 0; i < n; i++) {
        while (atomic_load(&r[i].calls) == 0 && grantd_clock_mono_us() < until)
            usleep(1000);
        assert_int_equal(atomic_load(&r[i].calls), 1);
    }
}

#define ROTATIONS 8

/* Eight rotations queued behind a blocked put are ONE transaction: of four refresh tokens
 * named twice each, each rotates once and its second attempt conflicts and stores
 * nothing. */
static void test_queued_rotations_are_one_batch(void **state)
{
    struct fx x;
    if (!fx_open(&x, "writer-rotations"))
        skip(); /* needs tests/pg/cluster */
    char fam[4][8];
    unsigned char old[4][GRANTD_SHA256_LEN];
    for (int k = 0; k < 4; k++) {
        snprintf(fam[k], sizeof(fam[k]), "r%d", k);
        struct grantd_token t = {.tenant = x.tenant, .kind = GRANTD_TOKEN_REFRESH,
                                 .client_id = "c", .family = fam[k], .created_at = 1700000060};
        memset(t.hash, 0x50 + k, sizeof(t.hash));
        memcpy(old[k], t.hash, sizeof(t.hash));
        assert_int_equal(grantd_store_token_put(x.s, &t, 1), GRANTD_OK);
    }
    struct put blocker;
    block_writer(&x, &blocker);
    struct pg_writer *w = ((struct pg_store *)x.s)->writer;
    struct pg_writer_stats st0 = pg__writer_stats(w, PG_WRITER_ROTATIONS);
    struct rotation r[ROTATIONS];
    for (int i = 0; i < ROTATIONS; i++)
        rotate_async(x.s, &r[i], x.tenant, old[i % 4], fam[i % 4],
                     (unsigned char)(0x60 + 2 * i));
    PGresult *res = PQexec(x.raw, "COMMIT");
    assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
    PQclear(res);
    wait_all(&blocker, 1);
    wait_rotations(r, ROTATIONS);
    struct pg_writer_stats st = pg__writer_stats(w, PG_WRITER_ROTATIONS);
    assert_int_equal(st.batches - st0.batches, 1);
    assert_int_equal(st.jobs - st0.jobs, ROTATIONS);
    int won[4] = {0};
    for (int i = 0; i < ROTATIONS; i++) {
        grantd_rc rc = (grantd_rc)atomic_load(&r[i].rc);
        assert_true(rc == GRANTD_OK || rc == GRANTD_ECONFLICT);
        won[i % 4] += rc == GRANTD_OK;
        assert_int_equal(stored(x.s, x.tenant, r[i].n[1].hash), rc == GRANTD_OK);
    }
    for (int k = 0; k < 4; k++)
        assert_int_equal(won[k], 1);
    PQfinish(x.raw);
    grantd_store_close(x.s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_queued_rotations_are_one_batch),
        cmocka_unit_test(test_queued_redemptions_are_one_batch),
        cmocka_unit_test(test_batch_waits_for_another_instances_redemption),
        cmocka_unit_test(test_queued_puts_are_one_batch),
        cmocka_unit_test(test_server_down_fails_every_put_of_the_batch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
