/* Unit tests of core/buf.c: the capped growable buffer. Reaching the cap exactly succeeds;
 * one byte over is GRANTD_ETOOBIG and leaves the buffer as it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"

static void test_init(void **state)
{
    struct grantd_buf b;
    grantd_buf_init(&b, 100);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.max, 100);
    grantd_buf_free(&b);
    grantd_buf_free(&b); /* freeing twice is harmless: free resets */
}

static void test_append(void **state)
{
    struct grantd_buf b;
    grantd_buf_init(&b, 1000);
    assert_int_equal(grantd_buf_append(&b, "abc", 3), GRANTD_OK);
    assert_int_equal(grantd_buf_append(&b, "", 0), GRANTD_OK);
    assert_int_equal(grantd_buf_append(&b, "de\0f", 4), GRANTD_OK);
    assert_int_equal(b.len, 7);
    assert_memory_equal(b.data, "abcde\0f", 8); /* NUL-terminated after the bytes */
    grantd_buf_free(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
}

static void test_cap_exactly(void **state)
{
    struct grantd_buf b;
    grantd_buf_init(&b, 10);
    assert_int_equal(grantd_buf_append(&b, "01234", 5), GRANTD_OK);
    assert_int_equal(grantd_buf_append(&b, "56789", 5), GRANTD_OK);
    assert_int_equal(b.len, 10);
    assert_string_equal(b.data, "0123456789");
    /* at the cap: nothing more, not even one byte; empty appends still succeed */
    assert_int_equal(grantd_buf_append(&b, "x", 1), GRANTD_ETOOBIG);
    assert_int_equal(grantd_buf_append(&b, "", 0), GRANTD_OK);
    assert_int_equal(b.len, 10);
    assert_string_equal(b.data, "0123456789");
    grantd_buf_free(&b);
}

static void test_one_over(void **state)
{
    struct grantd_buf b;
    grantd_buf_init(&b, 10);
    assert_int_equal(grantd_buf_append(&b, "0123", 4), GRANTD_OK);
    assert_int_equal(grantd_buf_append(&b, "4567890", 7), GRANTD_ETOOBIG);
    assert_int_equal(b.len, 4);
    assert_string_equal(b.data, "0123");
    assert_int_equal(grantd_buf_append(&b, "456789", 6), GRANTD_OK);
    grantd_buf_free(&b);
    /* a single append over the cap on an empty buffer */
    grantd_buf_init(&b, 10);
    assert_int_equal(grantd_buf_append(&b, "0123456789A", 11), GRANTD_ETOOBIG);
    assert_int_equal(b.len, 0);
    grantd_buf_free(&b);
}

static void test_zero_cap(void **state)
{
    struct grantd_buf b;
    grantd_buf_init(&b, 0);
    assert_int_equal(grantd_buf_append(&b, "", 0), GRANTD_OK);
    assert_int_equal(grantd_buf_append(&b, "a", 1), GRANTD_ETOOBIG);
    assert_int_equal(b.len, 0);
    grantd_buf_free(&b);
}

static void test_huge_length_no_overflow(void **state)
{
    struct grantd_buf b;
    grantd_buf_init(&b, 64);
    assert_int_equal(grantd_buf_append(&b, "ab", 2), GRANTD_OK);
    /* len + n would wrap around: must be refused, not "fit" */
    assert_int_equal(grantd_buf_append(&b, "x", SIZE_MAX), GRANTD_ETOOBIG);
    assert_int_equal(grantd_buf_append(&b, "x", SIZE_MAX - 1), GRANTD_ETOOBIG);
    assert_int_equal(b.len, 2);
    grantd_buf_free(&b);
}

static void test_growth(void **state)
{
    /* many small appends across several reallocations, up to a large cap exactly */
    struct grantd_buf b;
    size_t cap = 100000;
    grantd_buf_init(&b, cap);
    char chunk[100];
    for (size_t i = 0; i < cap / sizeof(chunk); i++) {
        memset(chunk, 'a' + (int)(i % 26), sizeof(chunk));
        assert_int_equal(grantd_buf_append(&b, chunk, sizeof(chunk)), GRANTD_OK);
    }
    assert_int_equal(b.len, cap);
    assert_true(b.alloc >= cap + 1);
    assert_int_equal(b.data[cap], '\0');
    for (size_t i = 0; i < cap; i += 100)
        assert_int_equal(b.data[i], 'a' + (int)((i / 100) % 26));
    assert_int_equal(grantd_buf_append(&b, "z", 1), GRANTD_ETOOBIG);
    grantd_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init),
        cmocka_unit_test(test_append),
        cmocka_unit_test(test_cap_exactly),
        cmocka_unit_test(test_one_over),
        cmocka_unit_test(test_zero_cap),
        cmocka_unit_test(test_huge_length_no_overflow),
        cmocka_unit_test(test_growth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
