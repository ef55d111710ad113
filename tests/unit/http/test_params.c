/* Unit tests of http/params.c: the form-urlencoded parser (bodies and query strings), lookup
 * with repeated-is-an-error and empty-is-absent, and every error path and cap. */
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

/* Parses a NUL-terminated string with the default limits. */
static grantd_rc parse(void **state, const char *s, struct grantd_params *p, const char **why)
{
    struct grantd_parse_limits lim;
    grantd_parse_limits_default(&lim);
    return grantd_form_parse(*state, s, strlen(s), &lim, p, why);
}

/* "n=v&n=v..." with count pairs named p0, p1, ... */
static char *many_pairs(size_t count)
{
    char *s = calloc(count * 16 + 1, 1);
    size_t o = 0;
    for (size_t i = 0; i < count; i++)
        o += (size_t)sprintf(s + o, "%sp%zu=v", i ? "&" : "", i);
    return s;
}

/* name (repeated 'n' x nlen) '=' value (repeated 'v' x vlen) */
static char *pair_of(size_t nlen, size_t vlen)
{
    char *s = malloc(nlen + vlen + 2);
    memset(s, 'n', nlen);
    s[nlen] = '=';
    memset(s + nlen + 1, 'v', vlen);
    s[nlen + 1 + vlen] = '\0';
    return s;
}

static void test_defaults(void **state)
{
    struct grantd_parse_limits lim;
    grantd_parse_limits_default(&lim);
    assert_int_equal(lim.max_params, 64);
    assert_int_equal(lim.max_name_len, 128);
    assert_int_equal(lim.max_value_len, 4096);
    assert_null(lim.carrier_name);
}

/* The carrier (the pages' hidden request field) may be longer than max_value_len, up to
 * carrier_len; every other parameter keeps the cap, and so does the carrier without one. */
static void test_carrier_may_be_longer(void **state)
{
    struct grantd_parse_limits lim;
    grantd_parse_limits_default(&lim);
    lim.carrier_name = "request";
    lim.carrier_len = 16384;
    struct grantd_params p;
    const char *why;
    char *s = malloc(20000);
    memcpy(s, "request=", 8);
    memset(s + 8, 'q', 16384);
    s[8 + 16384] = '\0';
    assert_int_equal(grantd_form_parse(*state, s, strlen(s), &lim, &p, &why), GRANTD_OK);
    assert_int_equal(strlen(grantd_params_value(&p, "request")), 16384);
    strcpy(s + 8 + 16384, "q");
    assert_int_equal(grantd_form_parse(*state, s, strlen(s), &lim, &p, &why), GRANTD_ETOOBIG);
    assert_string_equal(why, "parameter value too long");
    memcpy(s, "requesT=", 8);
    s[8 + 4097] = '\0';
    assert_int_equal(grantd_form_parse(*state, s, strlen(s), &lim, &p, &why), GRANTD_ETOOBIG);
    lim.carrier_len = 100; /* never below max_value_len */
    memcpy(s, "request=", 8);
    s[8 + 4096] = '\0';
    assert_int_equal(grantd_form_parse(*state, s, strlen(s), &lim, &p, &why), GRANTD_OK);
    free(s);
}

static void test_token_request(void **state)
{
    struct grantd_params p;
    const char *why = "unset", *v;
    assert_int_equal(parse(state,
                           "grant_type=authorization_code&code=SplxlOBeZQQYbYS6WxSbIA"
                           "&redirect_uri=https%3A%2F%2Fclient%2Eexample%2Ecom%2Fcb",
                           &p, &why),
                     GRANTD_OK);
    assert_null(why);
    assert_int_equal(p.count, 3);
    assert_string_equal(p.items[0].name, "grant_type");
    assert_string_equal(p.items[0].value, "authorization_code");
    assert_string_equal(p.items[1].name, "code");
    assert_int_equal(grantd_params_get(&p, "redirect_uri", &v), GRANTD_OK);
    assert_string_equal(v, "https://client.example.com/cb");
    assert_null(grantd_params_first_repeated(&p));
}

static void test_decoding(void **state)
{
    struct grantd_params p;
    const char *why, *v;
    assert_int_equal(parse(state, "scope=openid+profile%20email&plus=%2B&lc=%2f%2F&n%61me=x"
                                  "&utf=caf%C3%A9&raw=caf\xc3\xa9&eq=a=b=c",
                           &p, &why),
                     GRANTD_OK);
    assert_int_equal(grantd_params_get(&p, "scope", &v), GRANTD_OK);
    assert_string_equal(v, "openid profile email");
    assert_int_equal(grantd_params_get(&p, "plus", &v), GRANTD_OK);
    assert_string_equal(v, "+");
    assert_int_equal(grantd_params_get(&p, "lc", &v), GRANTD_OK);
    assert_string_equal(v, "//");
    assert_int_equal(grantd_params_get(&p, "name", &v), GRANTD_OK);
    assert_string_equal(v, "x");
    assert_int_equal(grantd_params_get(&p, "utf", &v), GRANTD_OK);
    assert_string_equal(v, "caf\xc3\xa9");
    assert_int_equal(grantd_params_get(&p, "raw", &v), GRANTD_OK);
    assert_string_equal(v, "caf\xc3\xa9");
    assert_int_equal(grantd_params_get(&p, "eq", &v), GRANTD_OK);
    assert_string_equal(v, "a=b=c");
}

static void test_empty_pairs_and_no_equals(void **state)
{
    struct grantd_params p;
    const char *why, *v = "x";
    assert_int_equal(parse(state, "&&a=1&&flag&b=&", &p, &why), GRANTD_OK);
    assert_int_equal(p.count, 3);
    assert_string_equal(p.items[1].name, "flag");
    assert_string_equal(p.items[1].value, "");
    assert_string_equal(p.items[2].name, "b");
    assert_string_equal(p.items[2].value, "");
    /* an empty value reads as absent, with or without '=' */
    assert_int_equal(grantd_params_get(&p, "flag", &v), GRANTD_ENOTFOUND);
    assert_null(v);
    assert_int_equal(grantd_params_get(&p, "b", &v), GRANTD_ENOTFOUND);
    assert_int_equal(grantd_params_get(&p, "missing", &v), GRANTD_ENOTFOUND);
    assert_int_equal(grantd_params_get(&p, "a", &v), GRANTD_OK);
    assert_string_equal(v, "1");
}

static void test_empty_input(void **state)
{
    struct grantd_parse_limits lim;
    grantd_parse_limits_default(&lim);
    struct grantd_params p = {(void *)1, 99};
    const char *why;
    assert_int_equal(grantd_form_parse(*state, NULL, 0, &lim, &p, &why), GRANTD_OK);
    assert_int_equal(p.count, 0);
    assert_int_equal(parse(state, "", &p, &why), GRANTD_OK);
    assert_int_equal(p.count, 0);
    assert_int_equal(parse(state, "&&&", &p, &why), GRANTD_OK);
    assert_int_equal(p.count, 0);
    assert_null(grantd_params_first_repeated(&p));
}

static void test_length_is_respected(void **state)
{
    struct grantd_parse_limits lim;
    grantd_parse_limits_default(&lim);
    struct grantd_params p;
    const char *why;
    /* not NUL-terminated where len ends: "a=1&b" must not be read past */
    assert_int_equal(grantd_form_parse(*state, "a=1&bc=2", 5, &lim, &p, &why), GRANTD_OK);
    assert_int_equal(p.count, 2);
    assert_string_equal(p.items[1].name, "b");
    assert_string_equal(p.items[1].value, "");
    /* a '%' cut by len is malformed even if the bytes after it are hex */
    assert_int_equal(grantd_form_parse(*state, "a=%41", 4, &lim, &p, &why), GRANTD_EINVAL);
}

static void test_lookup_case_sensitive(void **state)
{
    struct grantd_params p;
    const char *why, *v;
    assert_int_equal(parse(state, "State=A&state=b", &p, &why), GRANTD_OK);
    assert_int_equal(grantd_params_get(&p, "state", &v), GRANTD_OK);
    assert_string_equal(v, "b");
    assert_int_equal(grantd_params_get(&p, "STATE", &v), GRANTD_ENOTFOUND);
    assert_null(grantd_params_first_repeated(&p));
}

static void test_repeated(void **state)
{
    struct grantd_params p;
    const char *why, *v = "x";
    assert_int_equal(parse(state, "client_id=a&scope=x&client_id=a", &p, &why), GRANTD_OK);
    assert_int_equal(p.count, 3); /* the view keeps every occurrence */
    assert_int_equal(grantd_params_get(&p, "client_id", &v), GRANTD_EREPEATED);
    assert_null(v);
    assert_int_equal(grantd_params_get(&p, "scope", &v), GRANTD_OK);
    assert_string_equal(grantd_params_first_repeated(&p), "client_id");
    /* empty occurrences count */
    assert_int_equal(parse(state, "scope=&scope=openid", &p, &why), GRANTD_OK);
    assert_int_equal(grantd_params_get(&p, "scope", &v), GRANTD_EREPEATED);
    assert_int_equal(parse(state, "state&state", &p, &why), GRANTD_OK);
    assert_int_equal(grantd_params_get(&p, "state", &v), GRANTD_EREPEATED);
    assert_string_equal(grantd_params_first_repeated(&p), "state");
    /* a name that only decodes to the same bytes is the same parameter */
    assert_int_equal(parse(state, "code=1&c%6Fde=2", &p, &why), GRANTD_OK);
    assert_int_equal(grantd_params_get(&p, "code", &v), GRANTD_EREPEATED);
}

static void test_first_repeated_order(void **state)
{
    struct grantd_params p;
    const char *why;
    /* the first parameter (in order of appearance) that occurs more than once */
    assert_int_equal(parse(state, "a=1&b=1&b=2&a=3", &p, &why), GRANTD_OK);
    assert_string_equal(grantd_params_first_repeated(&p), "a");
    assert_int_equal(parse(state, "x=1&b=1&y=2&b=2", &p, &why), GRANTD_OK);
    assert_string_equal(grantd_params_first_repeated(&p), "b");
    assert_int_equal(parse(state, "x=1&y=1&z=1", &p, &why), GRANTD_OK);
    assert_null(grantd_params_first_repeated(&p));
}

/* RFC 8707's resource may repeat; every other parameter still may not; all its non-empty
 * values in order, counted beyond the room given. */
static void test_repeatable_parameter(void **state)
{
    struct grantd_params p;
    const char *why, *v[2];
    assert_int_equal(parse(state, "resource=a&x=1&resource=&resource=b&resource=c", &p, &why),
                     GRANTD_OK);
    assert_string_equal(grantd_params_first_repeated(&p), "resource");
    assert_null(grantd_params_first_repeated_but(&p, "resource"));
    assert_int_equal(grantd_params_all(&p, "resource", v, 2), 3);
    assert_string_equal(v[0], "a");
    assert_string_equal(v[1], "b");
    assert_int_equal(grantd_params_all(&p, "x", v, 2), 1);
    assert_int_equal(grantd_params_all(&p, "none", v, 2), 0);
    assert_int_equal(parse(state, "resource=a&x=1&resource=b&x=2", &p, &why), GRANTD_OK);
    assert_string_equal(grantd_params_first_repeated_but(&p, "resource"), "x");
}

static void expect_einval(void **state, const char *s, const char *why_expected)
{
    struct grantd_params p = {(void *)1, 99};
    const char *why = NULL;
    assert_int_equal(parse(state, s, &p, &why), GRANTD_EINVAL);
    assert_null(p.items);
    assert_int_equal(p.count, 0);
    assert_non_null(why);
    assert_string_equal(why, why_expected);
}

static void test_malformed_percent(void **state)
{
    const char *m = "malformed percent-encoding";
    expect_einval(state, "%", m);
    expect_einval(state, "a=%", m);
    expect_einval(state, "a=%4", m);
    expect_einval(state, "a=%G1", m);
    expect_einval(state, "a=%4g", m);
    expect_einval(state, "a=%%41", m);
    expect_einval(state, "%zz=1", m);
    expect_einval(state, "a=1&b=ok%2", m);
    expect_einval(state, "a=% 1", m);
}

static void test_nul_refused(void **state)
{
    expect_einval(state, "a=%00", "parameters must not contain a NUL byte");
    expect_einval(state, "x%00y=1", "parameters must not contain a NUL byte");
    struct grantd_parse_limits lim;
    grantd_parse_limits_default(&lim);
    struct grantd_params p;
    const char *why;
    assert_int_equal(grantd_form_parse(*state, "a=b\0c", 5, &lim, &p, &why), GRANTD_EINVAL);
    assert_string_equal(why, "parameters must not contain a NUL byte");
    assert_int_equal(p.count, 0);
    /* %01 and %0a are bytes like any other */
    assert_int_equal(parse(state, "a=%01%0a", &p, &why), GRANTD_OK);
    assert_string_equal(p.items[0].value, "\x01\n");
}

static void test_empty_name(void **state)
{
    expect_einval(state, "=x", "empty parameter name");
    expect_einval(state, "=", "empty parameter name");
    expect_einval(state, "a=1&=2", "empty parameter name");
    expect_einval(state, "a=1&&=", "empty parameter name");
}

static void expect_toobig(void **state, const struct grantd_parse_limits *lim, const char *s,
                          const char *why_expected)
{
    struct grantd_params p = {(void *)1, 99};
    const char *why = NULL;
    assert_int_equal(grantd_form_parse(*state, s, strlen(s), lim, &p, &why), GRANTD_ETOOBIG);
    assert_null(p.items);
    assert_int_equal(p.count, 0);
    assert_string_equal(why, why_expected);
}

static void test_cap_params(void **state)
{
    struct grantd_parse_limits lim;
    grantd_parse_limits_default(&lim);
    struct grantd_params p;
    const char *why;
    char *s = many_pairs(64);
    assert_int_equal(parse(state, s, &p, &why), GRANTD_OK);
    assert_int_equal(p.count, 64);
    free(s);
    s = many_pairs(65);
    expect_toobig(state, &lim, s, "too many parameters");
    free(s);
    /* repeated occurrences count; empty pairs do not */
    assert_int_equal(parse(state, "a&&&&&&&&&a", &p, &why), GRANTD_OK);
    lim.max_params = 2;
    expect_toobig(state, &lim, "a&a&a", "too many parameters");
    assert_int_equal(grantd_form_parse(*state, "a&&&&a&&", 8, &lim, &p, &why), GRANTD_OK);
    assert_int_equal(p.count, 2);
}

static void test_cap_name(void **state)
{
    struct grantd_parse_limits lim;
    grantd_parse_limits_default(&lim);
    struct grantd_params p;
    const char *why;
    char *s = pair_of(128, 1);
    assert_int_equal(parse(state, s, &p, &why), GRANTD_OK);
    assert_int_equal(strlen(p.items[0].name), 128);
    free(s);
    s = pair_of(129, 1);
    expect_toobig(state, &lim, s, "parameter name too long");
    free(s);
    /* the cap is on decoded bytes: "%6E" is one byte */
    lim.max_name_len = 2;
    assert_int_equal(grantd_form_parse(*state, "%6E%6E=1", 8, &lim, &p, &why), GRANTD_OK);
    expect_toobig(state, &lim, "%6E%6E%6E=1", "parameter name too long");
    expect_toobig(state, &lim, "abc", "parameter name too long");
}

static void test_cap_value(void **state)
{
    struct grantd_parse_limits lim;
    grantd_parse_limits_default(&lim);
    struct grantd_params p;
    const char *why;
    char *s = pair_of(1, 4096);
    assert_int_equal(parse(state, s, &p, &why), GRANTD_OK);
    assert_int_equal(strlen(p.items[0].value), 4096);
    free(s);
    s = pair_of(1, 4097);
    expect_toobig(state, &lim, s, "parameter value too long");
    free(s);
    /* 4096 bytes written as %41 each: 12288 raw bytes, exactly at the cap decoded */
    s = malloc(2 + 3 * 4097 + 1);
    strcpy(s, "v=");
    for (size_t i = 0; i < 4096; i++)
        memcpy(s + 2 + 3 * i, "%41", 4);
    assert_int_equal(parse(state, s, &p, &why), GRANTD_OK);
    assert_int_equal(strlen(p.items[0].value), 4096);
    assert_int_equal(p.items[0].value[4095], 'A');
    strcat(s, "+");
    expect_toobig(state, &lim, s, "parameter value too long");
    free(s);
}

static void test_error_precedence(void **state)
{
    struct grantd_parse_limits lim;
    grantd_parse_limits_default(&lim);
    lim.max_params = 1;
    /* the count is checked before anything is decoded */
    expect_toobig(state, &lim, "%zz&a", "too many parameters");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test_setup_teardown(test_carrier_may_be_longer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_token_request, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decoding, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_pairs_and_no_equals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_length_is_respected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lookup_case_sensitive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_repeated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_first_repeated_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_repeatable_parameter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_percent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nul_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cap_params, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cap_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cap_value, setup, teardown),
        cmocka_unit_test_setup_teardown(test_error_precedence, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
