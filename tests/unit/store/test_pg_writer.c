/* The PostgreSQL driver's group commit (pg_writer.c) against a private cluster (ctest's
 * pg/writer runs it through tests/pg/cluster; without the cluster every test skips).
 *
 * To make a batch of a known size, a raw connection holds one family's lock (the lock the
 * schema's trigger takes for every token insert) while a put of that family is queued: the
 * writer thread waits inside that put, and the puts queued meanwhile are the next batch.
 * Covered: those puts are one batch and one commit; in a batch that also holds a put into
 * a revoked family and a put of a taken hash, those two fail alone and the others are
 * stored; when the server goes down under a batch every put of it is told GRANTD_EBUSY
 * and none is stored, and puts work again once it is back.
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
    long long batches0, jobs0, max0;
    pg__writer_stats(((struct pg_store *)x.s)->writer, &batches0, &jobs0, &max0);
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
    long long batches, jobs, max;
    pg__writer_stats(((struct pg_store *)x.s)->writer, &batches, &jobs, &max);
    assert_int_equal(batches - batches0, 2); /* the blocker's, then the ten together */
    assert_int_equal(jobs - jobs0, PUTS + 1);
    assert_int_equal(max, PUTS);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_queued_puts_are_one_batch),
        cmocka_unit_test(test_server_down_fails_every_put_of_the_batch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
