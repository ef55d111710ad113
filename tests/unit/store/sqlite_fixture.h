/* Shared by the SQLite driver's unit tests (test_sqlite.c, test_sqlite_schema.c): a fresh
 * database file in a temporary directory per test, opening and migrating it, and reading
 * or writing it with libsqlite3 behind the driver's back. */
#ifndef GRANTD_TESTS_SQLITE_FIXTURE_H
#define GRANTD_TESTS_SQLITE_FIXTURE_H

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

#include "core/crypto.h"
#include "core/mem.h"
#include "store/sqlite_int.h"
#include "store/store.h"

/* The time the tests stamp records with (operations take the caller's time). */
#define T0 1700000000LL

struct fx {
    char dir[512];
    char path[600];
    char url[700];
};

static inline int setup(void **state)
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

static inline int teardown(void **state)
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

static inline struct grantd_store *open_ok(const char *url)
{
    struct grantd_store *s = NULL;
    char err[512] = "";
    grantd_rc rc = grantd_store_open(url, &s, err, sizeof(err));
    if (rc != GRANTD_OK)
        print_error("%s: %s\n", url, err);
    assert_int_equal(rc, GRANTD_OK);
    return s;
}

static inline struct grantd_store *open_migrated(const char *url)
{
    struct grantd_store *s = open_ok(url);
    int from, to;
    assert_int_equal(grantd_store_migrate(s, T0, &from, &to), GRANTD_OK);
    return s;
}

/* Runs sql on the file with a separate libsqlite3 connection. */
static inline void raw_exec(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

/* Runs a one-row integer query on db. */
static inline int64_t raw_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *q = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return v;
}

/* Migrates the database at url to version target only, as an older grantd would have. */
static inline void migrate_to(const char *url, int target)
{
    struct grantd_store *s = open_ok(url);
    struct sq_conn *c;
    assert_int_equal(sqlite__conn(s, &c), GRANTD_OK);
    int from = -1, to = -1;
    assert_int_equal(sqlite__schema_migrate_to(c, target, T0, &from, &to), GRANTD_OK);
    assert_int_equal(to, target);
    grantd_store_close(s);
}

#endif
