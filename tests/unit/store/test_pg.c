/* Unit tests of the PostgreSQL driver's pure parts, no server needed: the URL that open()
 * rebuilds for libpq and masks for messages (pg__url), the SQLSTATE mapping and which
 * failures a transaction retries (pg_query.c), and that opening an unreachable server or a
 * malformed URL fails with a reason and no password in it. The operations themselves are
 * covered by the store conformance suites against a private cluster (ctest -L pg).
 *
 * Run through tests/pg/cluster (ctest's pg/restart), it also stops and starts that server
 * under an open store: operations answer GRANTD_EBUSY (503) while it is down, never
 * GRANTD_ESTORE, and work again once it is back, on new connections, with nothing lost of
 * what committed and nothing of what failed. It also holds a revocation open on a
 * connection of its own while another is made through the store: the feed's cursors come
 * in commit order (no reader sees a cursor while a smaller one is still to commit), and a
 * family's revocation and a token insert of that family never pass each other. Without the
 * cluster those tests skip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/mem.h"
#include "store/pg_int.h"

static void test_url_rebuilt_for_libpq(void **state)
{
    char out[256], shown[256];
    assert_int_equal(pg__url("//grantd@db.example:5433/grantd", out, sizeof(out), shown,
                             sizeof(shown)),
                     GRANTD_OK);
    assert_string_equal(out, "postgresql://grantd@db.example:5433/grantd");
    assert_string_equal(shown, "postgresql://grantd@db.example:5433/grantd");
    /* parameters after the database pass through to libpq */
    assert_int_equal(pg__url("//u@127.0.0.1/d?sslmode=require", out, sizeof(out), shown,
                             sizeof(shown)),
                     GRANTD_OK);
    assert_string_equal(out, "postgresql://u@127.0.0.1/d?sslmode=require");
}

static void test_url_password_masked(void **state)
{
    char out[256], shown[256];
    assert_int_equal(pg__url("//grantd:s3cr@t@db:5432/prod", out, sizeof(out), shown,
                             sizeof(shown)),
                     GRANTD_OK);
    assert_string_equal(out, "postgresql://grantd:s3cr@t@db:5432/prod"); /* libpq's to parse */
    assert_string_equal(shown, "postgresql://grantd:***@db:5432/prod");
    assert_null(strstr(shown, "s3cr"));
}

static void test_url_refused(void **state)
{
    static const char *const bad[] = {
        "",                  /* nothing */
        "grantd.db",         /* a path, not //authority */
        "/tmp/x",            /* one slash */
        "//host",            /* no database */
        "//host/",           /* empty database */
        "//host/?sslmode=x", /* empty database before the parameters */
        "//u@/db",           /* no host */
        "//:5432/db",        /* a port without a host */
        "//u:p@:5432/db",
    };
    char out[256], shown[256];
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (pg__url(bad[i], out, sizeof(out), shown, sizeof(shown)) != GRANTD_EINVAL)
            fail_msg("accepted '%s'", bad[i]);
    }
    assert_int_equal(pg__url(NULL, out, sizeof(out), shown, sizeof(shown)), GRANTD_EINVAL);
    /* too long for the buffer: refused, never cut */
    char small[16];
    assert_int_equal(pg__url("//user@a-long-host-name/db", small, sizeof(small), shown,
                             sizeof(shown)),
                     GRANTD_EINVAL);
}

static void test_sqlstate_mapping(void **state)
{
    assert_int_equal(pg__rc_sqlstate("23505"), GRANTD_EEXIST);    /* unique_violation */
    assert_int_equal(pg__rc_sqlstate("23503"), GRANTD_ENOTFOUND); /* foreign_key_violation */
    assert_int_equal(pg__rc_sqlstate("08006"), GRANTD_EBUSY);     /* connection_failure */
    assert_int_equal(pg__rc_sqlstate("08001"), GRANTD_EBUSY);
    assert_int_equal(pg__rc_sqlstate("40001"), GRANTD_EBUSY); /* retries spent: 503 */
    assert_int_equal(pg__rc_sqlstate("40P01"), GRANTD_EBUSY);
    assert_int_equal(pg__rc_sqlstate("57P01"), GRANTD_EBUSY); /* admin_shutdown */
    assert_int_equal(pg__rc_sqlstate("57P03"), GRANTD_EBUSY); /* cannot_connect_now */
    assert_int_equal(pg__rc_sqlstate("53300"), GRANTD_EBUSY); /* too_many_connections */
    assert_int_equal(pg__rc_sqlstate(PG_FAMILY_REVOKED_STATE), GRANTD_ECONFLICT);
    assert_int_equal(pg__rc_sqlstate("42P01"), GRANTD_ESTORE); /* undefined_table */
    assert_int_equal(pg__rc_sqlstate("23502"), GRANTD_ESTORE); /* not_null_violation */
    assert_int_equal(pg__rc_sqlstate("57014"), GRANTD_ESTORE); /* query_canceled */
    assert_int_equal(pg__rc_sqlstate(NULL), GRANTD_ESTORE);
    assert_int_equal(pg__rc_sqlstate(""), GRANTD_ESTORE);
    assert_int_equal(pg__rc_sqlstate("2350"), GRANTD_ESTORE);
}

static void test_retryable(void **state)
{
    assert_true(pg__retryable("40001"));  /* serialization_failure */
    assert_true(pg__retryable("40P01"));  /* deadlock_detected */
    assert_false(pg__retryable("40002")); /* integrity constraint at commit: not again */
    assert_false(pg__retryable("23505"));
    assert_false(pg__retryable("08006")); /* a broken connection is pg__tx's other path */
    assert_false(pg__retryable(NULL));
}

/* Nothing listens on port 1 of the loopback: open fails at once, says why, and its message
 * names the database without the password. */
static void test_open_unreachable(void **state)
{
    struct grantd_store *s = NULL;
    char err[512] = "";
    grantd_rc rc = grantd_store_open("postgres://grantd:hunter2@127.0.0.1:1/grantd", &s, err,
                                     sizeof(err));
    assert_int_equal(rc, GRANTD_EBUSY);
    assert_null(s);
    assert_non_null(strstr(err, "postgresql://grantd:***@127.0.0.1:1/grantd"));
    assert_null(strstr(err, "hunter2"));
    rc = grantd_store_open("postgresql:grantd.db", &s, err, sizeof(err));
    assert_int_equal(rc, GRANTD_EINVAL);
    assert_non_null(strstr(err, "postgres://"));
}

static struct grantd_client client(const char *id)
{
    return (struct grantd_client){.tenant = GRANTD_DEFAULT_TENANT, .id = id, .name = id,
                                  .is_public = 1, .created_at = 1700000000,
                                  .tokens_after = 1700000000000000};
}

static void test_server_restart(void **state)
{
    const char *url = getenv("GRANTD_PG_URL");
    const char *stop = getenv("GRANTD_PG_STOP"), *start = getenv("GRANTD_PG_START");
    if (!url || !stop || !start)
        skip(); /* needs tests/pg/cluster */
    struct grantd_store *s = NULL;
    char err[512] = "";
    assert_int_equal(grantd_store_open(url, &s, err, sizeof(err)), GRANTD_OK);
    int from, to;
    assert_int_equal(grantd_store_migrate(s, 1700000000, &from, &to), GRANTD_OK);
    struct grantd_client before = client("before-restart");
    assert_int_equal(grantd_store_client_put(s, &before), GRANTD_OK);
    uint64_t seq = 0;
    assert_int_equal(grantd_store_change_seq(s, &seq), GRANTD_OK);

    assert_int_equal(system(stop), 0);
    struct grantd_arena *a = grantd_arena_new(4096);
    struct grantd_client got;
    struct grantd_client during = client("during-outage");
    assert_int_equal(grantd_store_ping(s), GRANTD_EBUSY);
    assert_int_equal(grantd_store_client_get(s, a, GRANTD_DEFAULT_TENANT, before.id, &got),
                     GRANTD_EBUSY);
    assert_int_equal(grantd_store_client_put(s, &during), GRANTD_EBUSY);
    uint64_t waited = 0;
    assert_int_equal(grantd_store_change_wait(s, seq, 50, &waited), GRANTD_EBUSY);

    assert_int_equal(system(start), 0);
    /* back by itself: the next operation makes its connection again */
    assert_int_equal(grantd_store_ping(s), GRANTD_OK);
    assert_int_equal(grantd_store_client_get(s, a, GRANTD_DEFAULT_TENANT, before.id, &got),
                     GRANTD_OK);
    assert_string_equal(got.name, before.name);
    /* the put that failed stored nothing, and now it goes through */
    assert_int_equal(grantd_store_client_get(s, a, GRANTD_DEFAULT_TENANT, during.id, &got),
                     GRANTD_ENOTFOUND);
    assert_int_equal(grantd_store_client_put(s, &during), GRANTD_OK);
    assert_int_equal(grantd_store_change_wait(s, seq, 1000, &waited), GRANTD_OK);
    assert_true(waited > seq);
    grantd_arena_free(a);
    grantd_store_close(s);
}

struct revoker {
    struct grantd_store *s;
    int64_t tenant;
    grantd_rc rc;
    atomic_int done;
};

static void *revoke_family_b(void *arg)
{
    struct revoker *r = arg;
    r->rc = grantd_store_token_revoke_family(r->s, r->tenant, "family-b", 1700000100);
    atomic_store(&r->done, 1);
    return NULL;
}

static void *revoke_family_g(void *arg)
{
    struct revoker *r = arg;
    r->rc = grantd_store_token_revoke_family(r->s, r->tenant, "family-g", 1700000100);
    atomic_store(&r->done, 1);
    return NULL;
}

/* Family a is revoked in a transaction left open on a raw connection; family b through the
 * store meanwhile. Until a commits, b's revocation waits, so no reader sees b's event (a
 * cursor past a's, which is still to come); after, the feed holds a then b, a's cursor
 * first. */
static void test_feed_cursors_in_commit_order(void **state)
{
    const char *url = getenv("GRANTD_PG_URL");
    if (!url)
        skip(); /* needs tests/pg/cluster */
    struct grantd_store *s = NULL;
    char err[512] = "";
    assert_int_equal(grantd_store_open(url, &s, err, sizeof(err)), GRANTD_OK);
    int from, to;
    assert_int_equal(grantd_store_migrate(s, 1700000000, &from, &to), GRANTD_OK);
    int64_t tenant = 0;
    struct grantd_tenant t = {.name = "feed-order", .created_at = 1700000000};
    assert_int_equal(grantd_store_tenant_put(s, &t, &tenant), GRANTD_OK);

    PGconn *raw = PQconnectdb(url);
    assert_int_equal(PQstatus(raw), CONNECTION_OK);
    char sql[256];
    snprintf(sql, sizeof(sql),
             "BEGIN; INSERT INTO revoked_families (tenant_id, family, revoked_at) "
             "VALUES (%lld, 'family-a', 1700000050)",
             (long long)tenant);
    PGresult *res = PQexec(raw, sql);
    assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
    PQclear(res);

    struct revoker r = {.s = s, .tenant = tenant};
    atomic_init(&r.done, 0);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, revoke_family_b, &r), 0);
    usleep(300 * 1000); /* time for b to commit, were it not held back */
    assert_false(atomic_load(&r.done));
    struct grantd_arena *a = grantd_arena_new(4096);
    struct grantd_revocation *ev = NULL;
    size_t n = 0;
    int64_t next = 0;
    assert_int_equal(grantd_store_revocations_since(s, a, tenant, 0, 10, &ev, &n, &next),
                     GRANTD_OK);
    assert_int_equal(n, 0);

    res = PQexec(raw, "COMMIT");
    assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
    PQclear(res);
    pthread_join(th, NULL);
    assert_int_equal(r.rc, GRANTD_OK);
    assert_int_equal(grantd_store_revocations_since(s, a, tenant, 0, 10, &ev, &n, &next),
                     GRANTD_OK);
    assert_int_equal(n, 2);
    assert_string_equal(ev[0].subject, "family-a");
    assert_string_equal(ev[1].subject, "family-b");
    assert_true(ev[0].cursor < ev[1].cursor);
    PQfinish(raw);
    grantd_arena_free(a);
    grantd_store_close(s);
}

/* The cluster's store, migrated, with a tenant of its own named name, and a raw connection
 * with a transaction open that ran sql (a %lld for the tenant's id). */
struct raw_fx {
    struct grantd_store *s;
    int64_t tenant;
    PGconn *raw;
};

static int raw_open(struct raw_fx *x, const char *name, const char *sql)
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
    char q[512];
    snprintf(q, sizeof(q), sql, (long long)x->tenant);
    PGresult *res = PQexec(x->raw, q);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        fail_msg("%s", PQresultErrorMessage(res));
    PQclear(res);
    return 1;
}

static void raw_commit(struct raw_fx *x)
{
    PGresult *res = PQexec(x->raw, "COMMIT");
    assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
    PQclear(res);
    PQfinish(x->raw);
}

struct inserter {
    struct grantd_store *s;
    struct grantd_token t;
    grantd_rc rc;
    atomic_int done;
};

static void *put_token(void *arg)
{
    struct inserter *in = arg;
    in->rc = grantd_store_token_put(in->s, &in->t, 1);
    atomic_store(&in->done, 1);
    return NULL;
}

/* A revocation of family f is under way (uncommitted) when a token of f is put: the put
 * waits for it and is refused, and nothing of it is stored. */
static void test_token_put_waits_for_a_revocation(void **state)
{
    struct raw_fx x;
    if (!raw_open(&x, "family-revoking",
                  "BEGIN; INSERT INTO revoked_families (tenant_id, family, revoked_at) "
                  "VALUES (%lld, 'family-f', 1700000050)"))
        skip(); /* needs tests/pg/cluster */
    struct inserter in = {.s = x.s};
    in.t = (struct grantd_token){.tenant = x.tenant, .kind = GRANTD_TOKEN_ACCESS,
                                 .client_id = "c", .family = "family-f",
                                 .created_at = 1700000060, .expires_at = 1700003600};
    memset(in.t.hash, 0x5a, sizeof(in.t.hash));
    atomic_init(&in.done, 0);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, put_token, &in), 0);
    usleep(300 * 1000); /* time for the put to commit, were it not held back */
    assert_false(atomic_load(&in.done));
    raw_commit(&x);
    pthread_join(th, NULL);
    assert_int_equal(in.rc, GRANTD_ECONFLICT);
    struct grantd_arena *a = grantd_arena_new(4096);
    struct grantd_token got;
    assert_int_equal(grantd_store_token_get(x.s, a, x.tenant, in.t.hash, &got),
                     GRANTD_ENOTFOUND);
    grantd_arena_free(a);
    grantd_store_close(x.s);
}

/* A token of family g is being inserted (uncommitted) when g is revoked: the revocation
 * waits for it, and its feed names that access token after the family. */
static void test_revocation_waits_for_a_token_insert(void **state)
{
    struct raw_fx x;
    if (!raw_open(&x, "family-inserting",
                  "BEGIN; INSERT INTO tokens (tenant_id, hash, kind, client_id, family, "
                  "created_at, expires_at) VALUES (%lld, "
                  "'\\x00000000000000010123456789abcdef0123456789abcdef0123456789abcdef'"
                  "::bytea, 1, 'c', 'family-g', 1700000060, 1700003600)"))
        skip(); /* needs tests/pg/cluster */
    struct revoker r = {.s = x.s, .tenant = x.tenant};
    atomic_init(&r.done, 0);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, revoke_family_g, &r), 0);
    usleep(300 * 1000); /* time for the revocation to commit, were it not held back */
    assert_false(atomic_load(&r.done));
    raw_commit(&x);
    pthread_join(th, NULL);
    assert_int_equal(r.rc, GRANTD_OK);
    struct grantd_arena *a = grantd_arena_new(4096);
    struct grantd_revocation *ev = NULL;
    size_t n = 0;
    int64_t next = 0;
    assert_int_equal(grantd_store_revocations_since(x.s, a, x.tenant, 0, 10, &ev, &n, &next),
                     GRANTD_OK);
    assert_int_equal(n, 2);
    assert_string_equal(ev[0].kind, "family");
    assert_string_equal(ev[1].kind, "token");
    assert_string_equal(ev[1].subject, "0123456789abcdef0123456789abcdef0123456789abcdef");
    grantd_arena_free(a);
    grantd_store_close(x.s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_rebuilt_for_libpq),
        cmocka_unit_test(test_url_password_masked),
        cmocka_unit_test(test_url_refused),
        cmocka_unit_test(test_sqlstate_mapping),
        cmocka_unit_test(test_retryable),
        cmocka_unit_test(test_open_unreachable),
        cmocka_unit_test(test_server_restart),
        cmocka_unit_test(test_feed_cursors_in_commit_order),
        cmocka_unit_test(test_token_put_waits_for_a_revocation),
        cmocka_unit_test(test_revocation_waits_for_a_token_insert),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
