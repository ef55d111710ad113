/* Unit tests of core/log.c: one JSON object per line with ts, level and event first, the
 * caller's members after; levels below the minimum write nothing; real numbers (the request
 * line's duration_ms) print as short decimals, not as 17 significant digits of binary
 * noise. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/log.h"

/* Runs grantd_log with one real member "v" into a pipe and returns the line (caller frees). */
static char *log_real(enum grantd_log_level min, enum grantd_log_level level, double v)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    grantd_log_setup(min, fds[1]);
    grantd_log(level, "test", "{s:f}", "v", v);
    grantd_log_setup(GRANTD_LOG_INFO, 2);
    close(fds[1]);
    char *buf = calloc(1, 4096);
    size_t n = 0;
    ssize_t r;
    while (n < 4095 && (r = read(fds[0], buf + n, 4095 - n)) > 0)
        n += (size_t)r;
    close(fds[0]);
    return buf;
}

/* The text of member "v" in line, up to the next ',' or '}'. */
static void assert_real_text(const char *line, const char *want)
{
    const char *p = strstr(line, "\"v\":");
    assert_non_null(p);
    p += 4;
    size_t n = strcspn(p, ",}");
    char got[64];
    snprintf(got, sizeof(got), "%.*s", (int)n, p);
    assert_string_equal(got, want);
}

static void test_line_shape(void **state)
{
    char *line = log_real(GRANTD_LOG_INFO, GRANTD_LOG_WARN, 1.5);
    size_t n = strlen(line);
    assert_true(n > 0 && line[n - 1] == '\n');
    assert_null(memchr(line, '\n', n - 1)); /* one line */
    json_t *o = json_loads(line, 0, NULL);
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(o, "level")), "warn");
    assert_string_equal(json_string_value(json_object_get(o, "event")), "test");
    assert_non_null(json_object_get(o, "ts"));
    json_decref(o);
    assert_int_equal(strncmp(line, "{\"ts\":", 6), 0);
    free(line);
}

static void test_below_minimum_writes_nothing(void **state)
{
    char *line = log_real(GRANTD_LOG_WARN, GRANTD_LOG_INFO, 1.0);
    assert_string_equal(line, "");
    free(line);
}

/* The request line's duration_ms is whole microseconds / 1000.0: it must print as at most
 * three decimals ("0.056", not "0.056000000000000001"). */
static void test_reals_are_short(void **state)
{
    static const struct {
        long long us;
        const char *text;
    } cases[] = {
        {56, "0.056"},         {1, "0.001"},           {999, "0.999"},
        {1000, "1.0"},         {123456, "123.456"},    {2500, "2.5"},
        {3600000123LL, "3600000.123"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *line = log_real(GRANTD_LOG_INFO, GRANTD_LOG_INFO, (double)cases[i].us / 1000.0);
        assert_real_text(line, cases[i].text);
        json_t *o = json_loads(line, 0, NULL);
        assert_non_null(o);
        assert_true(json_real_value(json_object_get(o, "v")) == (double)cases[i].us / 1000.0);
        json_decref(o);
        free(line);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_line_shape),
        cmocka_unit_test(test_below_minimum_writes_nothing),
        cmocka_unit_test(test_reals_are_short),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
