/* What the SQLite driver promises beyond the conformance suite (tests/store/): file mode
 * 0600, WAL, open errors that name the path, GRANTD_ESCHEMA for a newer database,
 * concurrent migration from several handles, busy → GRANTD_EBUSY, unmigrated → ESTORE,
 * connections of exited threads reused, private in-memory stores. Looks inside the driver
 * (sqlite_int.h) and at the database with libsqlite3 directly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mem.h"
#include "store/sqlite_int.h"
#include "store/store.h"

struct fx {
    char dir[512];
    char path[600];
    char url[700];
};

static int setup(void **state)
{
    struct fx *f = grantd_xcalloc(1, sizeof(*f));
    const char *tmp = getenv("TMPDIR");
    snprintf(f->dir, sizeof(f->dir), "%s/grantd-sqlite-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof(f->path), "%s/grantd.db", f->dir);
    snprintf(f->url, sizeof(f->url), "sqlite:%s", f->path);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    char p[700];
    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        snprintf(p, sizeof(p), "%s%s", f->path, suffixes[i]);
        unlink(p);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

static struct grantd_store *open_ok(const char *url)
{
    struct grantd_store *s = NULL;
    char err[512] = "";
    grantd_rc rc = grantd_store_open(url, &s, err, sizeof(err));
    if (rc != GRANTD_OK)
        print_error("%s: %s\n", url, err);
    assert_int_equal(rc, GRANTD_OK);
    return s;
}

static struct grantd_store *open_migrated(const char *url)
{
    struct grantd_store *s = open_ok(url);
    int from, to;
    assert_int_equal(s->driver->migrate(s, &from, &to), GRANTD_OK);
    return s;
}

/* Runs sql on the file with a separate libsqlite3 connection. */
static void raw_exec(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static void test_file_mode_and_wal(void **state)
{
    struct fx *f = *state;
    mode_t old = umask(022);
    struct grantd_store *s = open_migrated(f->url);
    umask(old);
    struct stat st;
    assert_int_equal(stat(f->path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    char wal[700];
    snprintf(wal, sizeof(wal), "%s-wal", f->path);
    assert_int_equal(stat(wal, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);

    sqlite3 *db = NULL;
    sqlite3_stmt *q = NULL;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(q, 0), "wal");
    sqlite3_finalize(q);
    sqlite3_close(db);
    grantd_store_close(s);
}

static void test_open_errors_name_the_path(void **state)
{
    struct fx *f = *state;
    struct grantd_store *s = NULL;
    char err[512] = "";
    char url[800];
    snprintf(url, sizeof(url), "sqlite:%s/no/such/dir/x.db", f->dir);
    assert_int_not_equal(grantd_store_open(url, &s, err, sizeof(err)), GRANTD_OK);
    assert_non_null(strstr(err, "/no/such/dir/x.db"));

    FILE *fp = fopen(f->path, "wb");
    assert_non_null(fp);
    for (int i = 0; i < 200; i++)
        fputs("this is not a database. ", fp);
    fclose(fp);
    err[0] = '\0';
    assert_int_equal(grantd_store_open(f->url, &s, err, sizeof(err)), GRANTD_ESTORE);
    assert_non_null(strstr(err, f->path));
    assert_non_null(strstr(err, "not a database"));

    assert_int_equal(grantd_store_open("sqlite:", &s, err, sizeof(err)), GRANTD_EINVAL);
}

static void test_newer_schema(void **state)
{
    struct fx *f = *state;
    struct grantd_store *s = open_migrated(f->url);
    grantd_store_close(s);
    raw_exec(f->path, "PRAGMA user_version = 999");
    s = open_ok(f->url);
    int from = -1, to = -1;
    assert_int_equal(s->driver->migrate(s, &from, &to), GRANTD_ESCHEMA);
    assert_int_equal(from, 999);
    assert_int_equal(s->driver->ping(s), GRANTD_ESCHEMA);
    grantd_store_close(s);
}

static void test_unmigrated(void **state)
{
    struct fx *f = *state;
    struct grantd_store *s = open_ok(f->url);
    struct grantd_arena *a = grantd_arena_new(1024);
    unsigned char key[GRANTD_SHA256_LEN];
    struct grantd_client c;
    assert_int_equal(s->driver->ping(s), GRANTD_ESTORE);
    assert_int_equal(s->driver->hash_key(s, key), GRANTD_ESTORE);
    assert_int_equal(s->driver->client_get(s, a, 1, "x", &c), GRANTD_ESTORE);
    int from, to;
    assert_int_equal(s->driver->migrate(s, &from, &to), GRANTD_OK);
    assert_int_equal(from, 0);
    /* statements that failed to prepare before are prepared again now */
    assert_int_equal(s->driver->client_get(s, a, 1, "x", &c), GRANTD_ENOTFOUND);
    assert_int_equal(s->driver->hash_key(s, key), GRANTD_OK);
    grantd_arena_free(a);
    grantd_store_close(s);
}

#define MIGRATORS 6

struct migrator {
    const char *url;
    pthread_barrier_t *go;
    grantd_rc rc;
    int from, to;
};

static void *migrate_thread(void *p)
{
    struct migrator *m = p;
    struct grantd_store *s = NULL;
    char err[256];
    m->rc = grantd_store_open(m->url, &s, err, sizeof(err));
    pthread_barrier_wait(m->go);
    if (m->rc == GRANTD_OK)
        m->rc = s->driver->migrate(s, &m->from, &m->to);
    grantd_store_close(s);
    return NULL;
}

/* Separate handles stand in for separate processes: each has its own connections. */
static void test_concurrent_migration(void **state)
{
    struct fx *f = *state;
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, MIGRATORS);
    pthread_t tid[MIGRATORS];
    struct migrator m[MIGRATORS];
    for (int i = 0; i < MIGRATORS; i++) {
        m[i] = (struct migrator){.url = f->url, .go = &go};
        assert_int_equal(pthread_create(&tid[i], NULL, migrate_thread, &m[i]), 0);
    }
    int fresh = 0;
    for (int i = 0; i < MIGRATORS; i++) {
        pthread_join(tid[i], NULL);
        assert_int_equal(m[i].rc, GRANTD_OK);
        assert_int_equal(m[i].to, grantd_sqlite_schema_newest());
        fresh += m[i].from == 0;
    }
    pthread_barrier_destroy(&go);
    assert_true(fresh >= 1);
    struct grantd_store *s = open_ok(f->url);
    assert_int_equal(s->driver->ping(s), GRANTD_OK);
    struct grantd_arena *a = grantd_arena_new(1024);
    struct grantd_tenant t;
    assert_int_equal(s->driver->tenant_get(s, a, 1, &t), GRANTD_OK);
    grantd_arena_free(a);
    grantd_store_close(s);
}

static void test_busy(void **state)
{
    struct fx *f = *state;
    struct grantd_store *s = open_migrated(f->url);
    struct grantd_client c = {.tenant = 1, .id = "c1", .name = "n", .is_public = 1};
    assert_int_equal(s->driver->client_put(s, &c), GRANTD_OK);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    /* readers go on in WAL mode; a writer waits out the busy timeout, then EBUSY */
    struct grantd_arena *a = grantd_arena_new(1024);
    struct grantd_client got;
    assert_int_equal(s->driver->client_get(s, a, 1, "c1", &got), GRANTD_OK);
    assert_int_equal(s->driver->client_set_disabled(s, 1, "c1", 1), GRANTD_EBUSY);
    struct grantd_client c2 = {.tenant = 1, .id = "c2", .name = "n", .is_public = 1};
    assert_int_equal(s->driver->client_put(s, &c2), GRANTD_EBUSY);
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(db);
    assert_int_equal(s->driver->client_put(s, &c2), GRANTD_OK);
    assert_int_equal(s->driver->client_get(s, a, 1, "c1", &got), GRANTD_OK);
    assert_false(got.disabled);
    grantd_arena_free(a);
    grantd_store_close(s);
}

static void *ping_thread(void *p)
{
    struct grantd_store *s = p;
    return (void *)(intptr_t)s->driver->ping(s);
}

static void test_exited_threads_connections_reused(void **state)
{
    (void)state;
    struct grantd_store *s = open_migrated("sqlite::memory:");
    for (int i = 0; i < 20; i++) {
        pthread_t t;
        void *rc;
        assert_int_equal(pthread_create(&t, NULL, ping_thread, s), 0);
        pthread_join(t, &rc);
        assert_int_equal((intptr_t)rc, GRANTD_OK);
    }
    size_t n = 0;
    for (struct sq_conn *c = ((struct sq_store *)s)->conns; c; c = c->next)
        n++;
    assert_true(n <= 2); /* this thread's and one passed from thread to thread */
    grantd_store_close(s);
}

static void test_memory_stores_are_private(void **state)
{
    (void)state;
    struct grantd_store *s1 = open_migrated("sqlite::memory:");
    struct grantd_store *s2 = open_migrated("sqlite::memory:");
    struct grantd_client c = {.tenant = 1, .id = "only-in-s1", .name = "n", .is_public = 1};
    assert_int_equal(s1->driver->client_put(s1, &c), GRANTD_OK);
    struct grantd_arena *a = grantd_arena_new(1024);
    struct grantd_client got;
    assert_int_equal(s1->driver->client_get(s1, a, 1, c.id, &got), GRANTD_OK);
    assert_int_equal(s2->driver->client_get(s2, a, 1, c.id, &got), GRANTD_ENOTFOUND);
    grantd_arena_free(a);
    grantd_store_close(s1);
    grantd_store_close(s2);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_file_mode_and_wal),
        T(test_open_errors_name_the_path),
        T(test_newer_schema),
        T(test_unmigrated),
        T(test_concurrent_migration),
        T(test_busy),
        cmocka_unit_test(test_exited_threads_connections_reused),
        cmocka_unit_test(test_memory_stores_are_private),
    };
    return cmocka_run_group_tests_name("sqlite driver", tests, NULL, NULL);
}
