/* Unit tests of core/clock.c as grantd_lib (and so the grantd binary) has it: the test-clock
 * hook is the weak default, so $GRANTD_TEST_CLOCK naming a file that holds a large offset
 * moves no reading; the seconds and microseconds of the wall clock agree with time() and
 * clock_gettime(); the monotonic clocks do not go backwards. grantd-test's strong hook
 * (tests/support/clock_file.c) is checked by tests/integration/test_clock.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/clock.h"

#define YEAR_US (INT64_C(365) * 24 * 3600 * 1000000)

static int64_t real_us(clockid_t id)
{
    struct timespec ts;
    assert_int_equal(clock_gettime(id, &ts), 0);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* A file as the integration suite writes it, ten years ahead, named by GRANTD_TEST_CLOCK. */
static int offset_file(void **state)
{
    static char path[] = "/tmp/grantd-test-clock-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    int64_t ahead = 10 * YEAR_US;
    assert_int_equal(write(fd, &ahead, sizeof(ahead)), (ssize_t)sizeof(ahead));
    close(fd);
    assert_int_equal(setenv("GRANTD_TEST_CLOCK", path, 1), 0);
    *state = path;
    return 0;
}

static int remove_file(void **state)
{
    unlink(*state);
    unsetenv("GRANTD_TEST_CLOCK");
    return 0;
}

static void test_production_hook_is_zero(void **state)
{
    assert_int_equal(grantd_clock_test_offset_us(), 0);
}

static void test_wall_clock_ignores_the_test_clock(void **state)
{
    int64_t before = real_us(CLOCK_REALTIME);
    int64_t now_us = grantd_clock_now_us();
    int64_t now = grantd_clock_now();
    int64_t after = real_us(CLOCK_REALTIME);
    assert_true(now_us >= before && now_us <= after);
    assert_true(now >= before / 1000000 && now <= after / 1000000);
    assert_true(now - (int64_t)time(NULL) <= 1 && (int64_t)time(NULL) - now <= 1);
}

static void test_monotonic_clocks_ignore_the_test_clock(void **state)
{
    int64_t before = real_us(CLOCK_MONOTONIC);
    int64_t mono = grantd_clock_mono_us();
    int64_t real = grantd_clock_real_mono_us();
    int64_t after = real_us(CLOCK_MONOTONIC);
    assert_true(before <= mono && mono <= real && real <= after);
    assert_true(grantd_clock_mono_us() >= mono);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_production_hook_is_zero),
        cmocka_unit_test(test_wall_clock_ignores_the_test_clock),
        cmocka_unit_test(test_monotonic_clocks_ignore_the_test_clock),
    };
    return cmocka_run_group_tests(tests, offset_file, remove_file);
}
