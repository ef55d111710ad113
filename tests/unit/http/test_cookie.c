/* Unit tests of grantd_cookies_parse: RFC 6265 Cookie headers, whitespace, skipped pairs,
 * opaque values, repeats seen at lookup, and the caps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http/params.h"

static int setup(void **state)
{
    *state = grantd_arena_new(4096);
    return 0;
}

static int teardown(void **state)
{
    grantd_arena_free(*state);
    return 0;
}

static grantd_rc parse_lim(void **state, const char *h, const struct grantd_parse_limits *lim,
                           struct grantd_params *p)
{
    p->items = (void *)1; /* must be reset by the parser */
    p->count = 99;
    return grantd_cookies_parse(*state, h, lim, p);
}

static grantd_rc parse(void **state, const char *h, struct grantd_params *p)
{
    struct grantd_parse_limits lim;
    grantd_parse_limits_default(&lim);
    return parse_lim(state, h, &lim, p);
}

static void test_simple(void **state)
{
    struct grantd_params p;
    const char *v;
    assert_int_equal(parse(state, "grantd_session=AbC-123_x; grantd_csrf=q9Z", &p), GRANTD_OK);
    assert_int_equal(p.count, 2);
    assert_string_equal(p.items[0].name, "grantd_session");
    assert_string_equal(p.items[0].value, "AbC-123_x");
    assert_int_equal(grantd_params_get(&p, "grantd_csrf", &v), GRANTD_OK);
    assert_string_equal(v, "q9Z");
}

static void test_whitespace(void **state)
{
    struct grantd_params p;
    assert_int_equal(parse(state, "  a = 1 ;\tb=2\t;c=3;d =  x y  ", &p), GRANTD_OK);
    assert_int_equal(p.count, 4);
    assert_string_equal(p.items[0].name, "a");
    assert_string_equal(p.items[0].value, "1");
    assert_string_equal(p.items[1].name, "b");
    assert_string_equal(p.items[1].value, "2");
    assert_string_equal(p.items[2].value, "3");
    assert_string_equal(p.items[3].name, "d");
    assert_string_equal(p.items[3].value, "x y"); /* inner space is kept */
}

static void test_opaque_values(void **state)
{
    struct grantd_params p;
    assert_int_equal(parse(state, "q=\"quoted value\"; pct=%41%00; eq=a=b==; plus=a+b; e=", &p),
                     GRANTD_OK);
    assert_int_equal(p.count, 5);
    assert_string_equal(p.items[0].value, "\"quoted value\"");
    assert_string_equal(p.items[1].value, "%41%00");
    assert_string_equal(p.items[2].value, "a=b==");
    assert_string_equal(p.items[3].value, "a+b");
    assert_string_equal(p.items[4].name, "e");
    assert_string_equal(p.items[4].value, "");
    const char *v;
    assert_int_equal(grantd_params_get(&p, "e", &v), GRANTD_ENOTFOUND);
}

static void test_skipped_pairs(void **state)
{
    struct grantd_params p;
    assert_int_equal(parse(state, ";; flag; =nameless; = ; a=1;;b=2; ;", &p), GRANTD_OK);
    assert_int_equal(p.count, 2);
    assert_string_equal(p.items[0].name, "a");
    assert_string_equal(p.items[1].name, "b");
    assert_string_equal(p.items[1].value, "2");
}

static void test_empty(void **state)
{
    struct grantd_params p;
    assert_int_equal(parse(state, NULL, &p), GRANTD_OK);
    assert_null(p.items);
    assert_int_equal(p.count, 0);
    assert_int_equal(parse(state, "", &p), GRANTD_OK);
    assert_int_equal(p.count, 0);
    assert_int_equal(parse(state, " ; ;flag", &p), GRANTD_OK);
    assert_int_equal(p.count, 0);
    assert_null(p.items);
}

static void test_repeated(void **state)
{
    struct grantd_params p;
    const char *v = "x";
    /* e.g. a cookie set for two paths: the parser keeps both, lookup refuses */
    assert_int_equal(parse(state, "sid=1; other=2; sid=2", &p), GRANTD_OK);
    assert_int_equal(p.count, 3);
    assert_int_equal(grantd_params_get(&p, "sid", &v), GRANTD_EREPEATED);
    assert_null(v);
    assert_string_equal(grantd_params_first_repeated(&p), "sid");
    /* names are case-sensitive */
    assert_int_equal(parse(state, "SID=1; sid=2", &p), GRANTD_OK);
    assert_int_equal(grantd_params_get(&p, "sid", &v), GRANTD_OK);
    assert_string_equal(v, "2");
}

static char *cookies(size_t count)
{
    char *s = malloc(count * 16 + 1);
    size_t o = 0;
    s[0] = '\0';
    for (size_t i = 0; i < count; i++)
        o += (size_t)sprintf(s + o, "%sc%zu=v", i ? "; " : "", i);
    return s;
}

static void expect_toobig(void **state, const char *h, const struct grantd_parse_limits *lim)
{
    struct grantd_params p;
    assert_int_equal(parse_lim(state, h, lim, &p), GRANTD_ETOOBIG);
    assert_null(p.items);
    assert_int_equal(p.count, 0);
}

static void test_cap_count(void **state)
{
    struct grantd_parse_limits lim;
    grantd_parse_limits_default(&lim);
    struct grantd_params p;
    char *s = cookies(64);
    assert_int_equal(parse(state, s, &p), GRANTD_OK);
    assert_int_equal(p.count, 64);
    free(s);
    s = cookies(65);
    expect_toobig(state, s, &lim);
    free(s);
    /* skipped pairs do not count */
    lim.max_params = 2;
    assert_int_equal(parse_lim(state, "x; y; =z; a=1; b=2; ;", &lim, &p), GRANTD_OK);
    assert_int_equal(p.count, 2);
    expect_toobig(state, "a=1; b=2; c=3", &lim);
}

static void test_cap_lengths(void **state)
{
    struct grantd_parse_limits lim;
    grantd_parse_limits_default(&lim);
    struct grantd_params p;
    char *s = malloc(129 + 4097 + 16);
    memset(s, 'n', 128);
    strcpy(s + 128, "=v");
    assert_int_equal(parse(state, s, &p), GRANTD_OK);
    assert_int_equal(strlen(p.items[0].name), 128);
    memset(s, 'n', 129);
    strcpy(s + 129, "=v");
    expect_toobig(state, s, &lim);
    strcpy(s, "v=");
    memset(s + 2, 'x', 4096);
    strcpy(s + 2 + 4096, "  ; a=1"); /* trailing whitespace does not count */
    assert_int_equal(parse(state, s, &p), GRANTD_OK);
    assert_int_equal(strlen(p.items[0].value), 4096);
    memset(s + 2, 'x', 4097);
    s[2 + 4097] = '\0';
    expect_toobig(state, s, &lim);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_simple, setup, teardown),
        cmocka_unit_test_setup_teardown(test_whitespace, setup, teardown),
        cmocka_unit_test_setup_teardown(test_opaque_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_skipped_pairs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_repeated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cap_count, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cap_lengths, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
