/* Unit tests of the PostgreSQL driver's pure parts, no server needed: the URL that open()
 * rebuilds for libpq and masks for messages (pg__url), the SQLSTATE mapping and which
 * failures a transaction retries (pg_query.c), and that opening an unreachable server or a
 * malformed URL fails with a reason and no password in it. The operations themselves are
 * covered by the store conformance suites against a private cluster (ctest -L pg). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_rebuilt_for_libpq),
        cmocka_unit_test(test_url_password_masked),
        cmocka_unit_test(test_url_refused),
        cmocka_unit_test(test_sqlstate_mapping),
        cmocka_unit_test(test_retryable),
        cmocka_unit_test(test_open_unreachable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
