/* Schema compatibility on the PostgreSQL driver (src/store/schema.h), against the private
 * cluster tests/pg/cluster makes (ctest's pg/compat; without the cluster the tests skip):
 *
 * - a database migrated by this grantd stores its compatible-back-to number beside the
 *   version;
 * - after a newer grantd's additive step (a new table, defaulted columns, version newest + 1
 *   compatible back to newest) a store that was open before it keeps working on the
 *   statements it had prepared, a store opened after it opens the database without
 *   migrating it, and clients, codes and tokens go in and come out;
 * - with a number above this grantd's version (or none) it is refused with both versions;
 * - while another instance holds the migration lock and runs such a step, a running store
 *   keeps answering without a failure (waiting, on the tables the step alters, for its
 *   commit).
 *
 * Each test makes a database of its own in the cluster, so the steps it plays do not reach
 * the other tests. */
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

#include "core/mem.h"
#include "store/pg_int.h"
#include "store/schema.h"

#define T0 1700000000LL
/* pg_schema.c's MIGRATE_LOCK: what a newer grantd's migration holds while it runs. */
#define MIGRATE_LOCK "113740958561380"

struct fx {
    char url[512];
    PGconn *raw; /* a connection of the test's own to its database */
};

static void raw_ok(PGconn *raw, const char *sql)
{
    PGresult *res = PQexec(raw, sql);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQresultErrorMessage(res));
    PQclear(res);
}

static long long raw_int(PGconn *raw, const char *sql)
{
    PGresult *res = PQexec(raw, sql);
    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
        fail_msg("%s: %s", sql, PQresultErrorMessage(res));
    long long v = PQgetisnull(res, 0, 0) ? -1 : atoll(PQgetvalue(res, 0, 0));
    PQclear(res);
    return v;
}

/* A new database named name in the cluster (GRANTD_PG_URL's, with its last path segment
 * replaced), empty; 0 without the cluster. */
static int fresh_db(struct fx *f, const char *name)
{
    const char *url = getenv("GRANTD_PG_URL");
    if (!url)
        return 0;
    PGconn *admin = PQconnectdb(url);
    assert_int_equal(PQstatus(admin), CONNECTION_OK);
    char sql[160];
    snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", name);
    raw_ok(admin, sql);
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
    raw_ok(admin, sql);
    PQfinish(admin);
    const char *slash = strrchr(url, '/');
    assert_non_null(slash);
    snprintf(f->url, sizeof(f->url), "%.*s/%s", (int)(slash - url), url, name);
    f->raw = PQconnectdb(f->url);
    assert_int_equal(PQstatus(f->raw), CONNECTION_OK);
    return 1;
}

static struct grantd_store *open_store(const struct fx *f)
{
    struct grantd_store *s = NULL;
    char err[512] = "";
    assert_int_equal(grantd_store_open(f->url, &s, err, sizeof(err)), GRANTD_OK);
    return s;
}

static struct grantd_store *open_migrated(const struct fx *f)
{
    struct grantd_store *s = open_store(f);
    int from = -1, to = -1;
    assert_int_equal(grantd_store_migrate(s, T0, &from, &to), GRANTD_OK);
    assert_int_equal(to, GRANTD_SCHEMA_VERSION);
    return s;
}

/* The next release's additive step, as its migration would run it (under the lock), in a
 * transaction left open: the caller commits. */
static void future_step_begin(PGconn *raw, int compat)
{
    char sql[768];
    snprintf(sql, sizeof(sql),
             "BEGIN; SELECT pg_advisory_xact_lock(" MIGRATE_LOCK ");"
             "CREATE TABLE grants_ledger (tenant_id bigint NOT NULL, note text);"
             "ALTER TABLE clients ADD COLUMN tier bigint NOT NULL DEFAULT 3;"
             "ALTER TABLE codes ADD COLUMN origin text NOT NULL DEFAULT 'web';"
             "ALTER TABLE tokens ADD COLUMN origin text NOT NULL DEFAULT 'web';"
             "INSERT INTO grants_ledger (tenant_id, note) VALUES (1, 'kept');"
             "DELETE FROM grantd_schema;"
             "INSERT INTO grantd_schema (version, compat) VALUES (%d, %d);",
             GRANTD_SCHEMA_VERSION + 1, compat);
    raw_ok(raw, sql);
}

static void future_step(PGconn *raw, int compat)
{
    future_step_begin(raw, compat);
    raw_ok(raw, "COMMIT");
}

/* One client, one code redeemed once, one token: each written and read back. n makes the
 * keys unique. */
static void flow(struct grantd_store *s, int n)
{
    struct grantd_arena *a = grantd_arena_new(2048);
    char id[32], fam[32];
    snprintf(id, sizeof(id), "app-%d", n);
    snprintf(fam, sizeof(fam), "fam-%d", n);
    struct grantd_client c, nc = {.created_at = T0, .tokens_after = T0 * 1000000,
                                  .tenant = GRANTD_DEFAULT_TENANT, .id = id, .name = id,
                                  .is_public = 1, .grants = GRANTD_GRANT_AUTHORIZATION_CODE};
    assert_int_equal(grantd_store_client_put(s, &nc), GRANTD_OK);
    assert_int_equal(grantd_store_client_get(s, a, GRANTD_DEFAULT_TENANT, id, &c), GRANTD_OK);
    assert_string_equal(c.name, id);
    struct grantd_code k, code = {.tenant = GRANTD_DEFAULT_TENANT, .client_id = id,
                                  .user_id = "u", .scope = "openid", .family = fam,
                                  .auth_time = T0, .created_at = T0, .expires_at = T0 + 60};
    memset(code.hash, n, sizeof(code.hash));
    assert_int_equal(grantd_store_code_put(s, &code), GRANTD_OK);
    assert_int_equal(grantd_store_code_consume(s, a, GRANTD_DEFAULT_TENANT, code.hash, T0 + 1,
                                               &k),
                     GRANTD_OK);
    assert_string_equal(k.client_id, id);
    assert_int_equal(grantd_store_code_consume(s, a, GRANTD_DEFAULT_TENANT, code.hash, T0 + 2,
                                               &k),
                     GRANTD_EREPLAYED);
    struct grantd_token t, tok = {.tenant = GRANTD_DEFAULT_TENANT,
                                  .kind = GRANTD_TOKEN_ACCESS, .client_id = id,
                                  .user_id = "u", .family = id, .created_at = T0,
                                  .expires_at = T0 + 3600};
    memset(tok.hash, n, sizeof(tok.hash));
    assert_int_equal(grantd_store_token_put(s, &tok, 1), GRANTD_OK);
    assert_int_equal(grantd_store_token_get(s, a, GRANTD_DEFAULT_TENANT, tok.hash, &t),
                     GRANTD_OK);
    assert_string_equal(t.client_id, id);
    grantd_arena_free(a);
}

static void test_compat_stored(void **state)
{
    struct fx f;
    if (!fresh_db(&f, "grantd_compat_stored"))
        skip(); /* needs tests/pg/cluster */
    assert_int_equal(pg__schema_newest(), GRANTD_SCHEMA_VERSION);
    grantd_store_close(open_migrated(&f));
    assert_int_equal(raw_int(f.raw, "SELECT version FROM grantd_schema"),
                     GRANTD_SCHEMA_VERSION);
    assert_int_equal(raw_int(f.raw, "SELECT compat FROM grantd_schema"),
                     GRANTD_SCHEMA_VERSION - 1);
    assert_int_equal(raw_int(f.raw, "SELECT count(*) FROM grantd_schema"), 1);
    PQfinish(f.raw);
}

static void test_newer_compatible_schema(void **state)
{
    struct fx f;
    if (!fresh_db(&f, "grantd_compat_newer"))
        skip(); /* needs tests/pg/cluster */
    struct grantd_store *running = open_migrated(&f);
    flow(running, 1); /* its statements are prepared on its connection */
    future_step(f.raw, GRANTD_SCHEMA_VERSION);

    /* the instance that was running keeps working, on the statements it prepared */
    assert_int_equal(grantd_store_ping(running), GRANTD_OK);
    flow(running, 2);
    /* one started now opens the database as it is */
    struct grantd_store *s = open_store(&f);
    int from = -1, to = -1;
    assert_int_equal(grantd_store_migrate(s, T0, &from, &to), GRANTD_OK);
    assert_int_equal(from, GRANTD_SCHEMA_VERSION + 1);
    assert_int_equal(to, GRANTD_SCHEMA_VERSION + 1);
    assert_int_equal(grantd_store_ping(s), GRANTD_OK);
    flow(s, 3);
    grantd_store_close(s);
    grantd_store_close(running);

    /* nothing was migrated: the version, the number and the newer step's work are as left */
    assert_int_equal(raw_int(f.raw, "SELECT version FROM grantd_schema"),
                     GRANTD_SCHEMA_VERSION + 1);
    assert_int_equal(raw_int(f.raw, "SELECT compat FROM grantd_schema"), GRANTD_SCHEMA_VERSION);
    assert_int_equal(raw_int(f.raw, "SELECT count(*) FROM grants_ledger"), 1);
    assert_int_equal(raw_int(f.raw, "SELECT min(tier) FROM clients"), 3);
    assert_int_equal(raw_int(f.raw, "SELECT count(*) FROM tokens WHERE origin = 'web'"), 3);
    PQfinish(f.raw);
}

static void test_newer_incompatible_schema(void **state)
{
    struct fx f;
    if (!fresh_db(&f, "grantd_compat_refused"))
        skip(); /* needs tests/pg/cluster */
    grantd_store_close(open_migrated(&f));
    future_step(f.raw, GRANTD_SCHEMA_VERSION + 1);
    struct grantd_store *s = open_store(&f);
    int from = -1, to = -1;
    assert_int_equal(grantd_store_migrate(s, T0, &from, &to), GRANTD_ESCHEMA);
    assert_int_equal(from, GRANTD_SCHEMA_VERSION + 1);
    assert_int_equal(to, GRANTD_SCHEMA_VERSION + 1);
    assert_int_equal(grantd_store_ping(s), GRANTD_ESCHEMA);
    /* no number (a hand edit): compatible back to its own version only */
    raw_ok(f.raw, "UPDATE grantd_schema SET compat = NULL");
    assert_int_equal(grantd_store_migrate(s, T0, &from, &to), GRANTD_ESCHEMA);
    assert_int_equal(to, GRANTD_SCHEMA_VERSION + 1);
    grantd_store_close(s);
    assert_int_equal(raw_int(f.raw, "SELECT version FROM grantd_schema"),
                     GRANTD_SCHEMA_VERSION + 1);
    PQfinish(f.raw);
}

struct worker {
    struct grantd_store *s;
    atomic_int stop, rounds, failures;
};

/* A running instance's reads and writes of tokens and clients, in a loop. */
static void *serve(void *arg)
{
    struct worker *w = arg;
    struct grantd_arena *a = grantd_arena_new(2048);
    for (int i = 0; !atomic_load(&w->stop); i++) {
        struct grantd_token t, tok = {.tenant = GRANTD_DEFAULT_TENANT,
                                      .kind = GRANTD_TOKEN_ACCESS, .client_id = "app-1",
                                      .family = "live", .created_at = T0,
                                      .expires_at = T0 + 3600};
        memcpy(tok.hash, &i, sizeof(i));
        tok.hash[31] = 0xee;
        struct grantd_client c;
        if (grantd_store_token_put(w->s, &tok, 1) != GRANTD_OK ||
            grantd_store_token_get(w->s, a, GRANTD_DEFAULT_TENANT, tok.hash, &t) != GRANTD_OK ||
            grantd_store_client_get(w->s, a, GRANTD_DEFAULT_TENANT, "app-1", &c) != GRANTD_OK)
            atomic_fetch_add(&w->failures, 1);
        atomic_fetch_add(&w->rounds, 1);
        grantd_arena_reset(a);
    }
    grantd_arena_free(a);
    return NULL;
}

/* Another instance migrates (holds the lock, its step under way) while this one serves:
 * every answer is a success (a statement on a table the step alters waits for its commit,
 * as PostgreSQL's DDL locks make it), and it serves on after the commit. A migration of this
 * grantd's own meanwhile finds nothing to do and does not wait. */
static void test_serving_while_another_migrates(void **state)
{
    struct fx f;
    if (!fresh_db(&f, "grantd_compat_rolling"))
        skip(); /* needs tests/pg/cluster */
    struct worker w = {.s = open_migrated(&f)};
    flow(w.s, 1);
    atomic_init(&w.stop, 0);
    atomic_init(&w.rounds, 0);
    atomic_init(&w.failures, 0);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, serve, &w), 0);
    while (atomic_load(&w.rounds) < 20)
        usleep(1000);
    future_step_begin(f.raw, GRANTD_SCHEMA_VERSION);
    struct grantd_store *other = open_store(&f);
    int from = -1, to = -1;
    assert_int_equal(grantd_store_migrate(other, T0, &from, &to), GRANTD_OK);
    assert_int_equal(to, GRANTD_SCHEMA_VERSION); /* the step is not committed yet */
    usleep(200 * 1000); /* the step stays under way a while, as a real one would */
    raw_ok(f.raw, "COMMIT");
    int after = atomic_load(&w.rounds);
    while (atomic_load(&w.rounds) < after + 20)
        usleep(1000);
    atomic_store(&w.stop, 1);
    pthread_join(th, NULL);
    assert_int_equal(atomic_load(&w.failures), 0);
    assert_int_equal(grantd_store_ping(w.s), GRANTD_OK);
    assert_int_equal(grantd_store_migrate(other, T0, &from, &to), GRANTD_OK);
    assert_int_equal(to, GRANTD_SCHEMA_VERSION + 1);
    grantd_store_close(other);
    grantd_store_close(w.s);
    PQfinish(f.raw);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compat_stored),
        cmocka_unit_test(test_newer_compatible_schema),
        cmocka_unit_test(test_newer_incompatible_schema),
        cmocka_unit_test(test_serving_while_another_migrates),
    };
    return cmocka_run_group_tests_name("pg schema compatibility", tests, NULL, NULL);
}
