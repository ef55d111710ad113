/* Unit tests of core/mem.c: the aborting allocators and the bump arena (alignment, zeroing,
 * allocations larger than a chunk, reset, the string helpers and printf). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/mem.h"

#define ALIGN _Alignof(max_align_t)

static void test_xalloc(void **state)
{
    char *p = grantd_xmalloc(0);
    assert_non_null(p);
    free(p);
    unsigned *z = grantd_xcalloc(16, sizeof(unsigned));
    for (int i = 0; i < 16; i++)
        assert_int_equal(z[i], 0);
    z = grantd_xrealloc(z, 1024 * sizeof(unsigned));
    z[1023] = 7;
    assert_int_equal(z[0], 0);
    free(z);
    char *d = grantd_xstrdup("grantd");
    assert_string_equal(d, "grantd");
    free(d);
    d = grantd_xstrndup("abcdef", 3);
    assert_string_equal(d, "abc");
    free(d);
}

static void test_alignment_and_zeroing(void **state)
{
    struct grantd_arena *a = grantd_arena_new(256);
    unsigned char *prev = NULL;
    size_t prev_n = 0;
    for (size_t n = 1; n < 300; n += 7) {
        unsigned char *p = grantd_arena_alloc(a, n);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % ALIGN, 0);
        for (size_t i = 0; i < n; i++)
            assert_int_equal(p[i], 0);
        memset(p, 0xAB, n);
        /* the previous allocation was not overwritten by this one */
        if (prev) {
            for (size_t i = 0; i < prev_n; i++)
                assert_int_equal(prev[i], 0xAB);
        }
        prev = p;
        prev_n = n;
    }
    grantd_arena_free(a);
}

static void test_used(void **state)
{
    struct grantd_arena *a = grantd_arena_new(1024);
    assert_int_equal(grantd_arena_used(a), 0);
    (void)grantd_arena_alloc(a, 1);
    assert_int_equal(grantd_arena_used(a), ALIGN);
    (void)grantd_arena_alloc(a, ALIGN + 1);
    assert_int_equal(grantd_arena_used(a), 3 * ALIGN);
    (void)grantd_arena_alloc(a, 0);
    assert_int_equal(grantd_arena_used(a), 3 * ALIGN);
    grantd_arena_free(a);
}

static void test_big_allocations(void **state)
{
    struct grantd_arena *a = grantd_arena_new(256);
    char *small = grantd_arena_alloc(a, 16);
    memset(small, 's', 16);
    size_t big_n = 100000;
    unsigned char *big = grantd_arena_alloc(a, big_n);
    assert_int_equal((uintptr_t)big % ALIGN, 0);
    for (size_t i = 0; i < big_n; i += 997)
        assert_int_equal(big[i], 0);
    memset(big, 0x5A, big_n);
    /* small allocations keep working after a big one, in fresh memory */
    char *after = grantd_arena_alloc(a, 200);
    memset(after, 'x', 200);
    assert_int_equal(big[big_n - 1], 0x5A);
    assert_int_equal(small[15], 's');
    /* several chunks' worth of small allocations */
    for (int i = 0; i < 1000; i++) {
        char *p = grantd_arena_alloc(a, 100);
        assert_int_equal((uintptr_t)p % ALIGN, 0);
        memset(p, i & 0xff, 100);
    }
    assert_true(grantd_arena_used(a) >= big_n + 1000 * 100);
    grantd_arena_free(a);
}

static void test_reset(void **state)
{
    struct grantd_arena *a = grantd_arena_new(512);
    for (int i = 0; i < 100; i++)
        (void)grantd_arena_alloc(a, 300);
    (void)grantd_arena_alloc(a, 50000);
    assert_true(grantd_arena_used(a) > 50000);
    grantd_arena_reset(a);
    assert_int_equal(grantd_arena_used(a), 0);
    /* memory handed out after a reset is zeroed again */
    unsigned char *p = grantd_arena_alloc(a, 400);
    for (int i = 0; i < 400; i++)
        assert_int_equal(p[i], 0);
    assert_int_equal(grantd_arena_used(a), 400 + (ALIGN - 400 % ALIGN) % ALIGN);
    (void)grantd_arena_alloc(a, 5000);
    grantd_arena_reset(a);
    grantd_arena_reset(a);
    assert_int_equal(grantd_arena_used(a), 0);
    grantd_arena_free(a);
    grantd_arena_free(NULL);
}

static void test_strings(void **state)
{
    struct grantd_arena *a = grantd_arena_new(256);
    char *s = grantd_arena_strdup(a, "client_id");
    assert_string_equal(s, "client_id");
    assert_int_equal((uintptr_t)s % ALIGN, 0);
    s = grantd_arena_strndup(a, "authorization_code", 13);
    assert_string_equal(s, "authorization");
    s = grantd_arena_strndup(a, "with\0nul", 8); /* copies n bytes, NUL included */
    assert_memory_equal(s, "with\0nul", 9);
    s = grantd_arena_strdup(a, "");
    assert_string_equal(s, "");
    grantd_arena_free(a);
}

static void test_printf(void **state)
{
    struct grantd_arena *a = grantd_arena_new(256);
    char *s = grantd_arena_printf(a, "%s=%d&%s=%05.1f", "expires_in", 3600, "x", 2.5);
    assert_string_equal(s, "expires_in=3600&x=002.5");
    s = grantd_arena_printf(a, "%s", "");
    assert_string_equal(s, "");
    /* longer than a chunk */
    char *long_arg = malloc(2001);
    memset(long_arg, 'q', 2000);
    long_arg[2000] = '\0';
    s = grantd_arena_printf(a, "[%s]", long_arg);
    assert_int_equal(strlen(s), 2002);
    assert_int_equal(s[0], '[');
    assert_int_equal(s[2001], ']');
    free(long_arg);
    grantd_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xalloc),
        cmocka_unit_test(test_alignment_and_zeroing),
        cmocka_unit_test(test_used),
        cmocka_unit_test(test_big_allocations),
        cmocka_unit_test(test_reset),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_printf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
