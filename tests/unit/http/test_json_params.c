/* Unit tests of grantd_json_params_parse: flat JSON objects of strings as parameters, nulls as
 * absent, duplicates as EREPEATED, nesting refused before jansson, and the caps. */
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

static grantd_rc parse_lim(void **state, const char *s, size_t len,
                           const struct grantd_parse_limits *lim, struct grantd_params *p,
                           const char **why)
{
    p->items = (void *)1; /* must be reset by the parser */
    p->count = 99;
    *why = "unset";
    return grantd_json_params_parse(*state, s, len, lim, p, why);
}

static grantd_rc parse(void **state, const char *s, struct grantd_params *p, const char **why)
{
    struct grantd_parse_limits lim;
    grantd_parse_limits_default(&lim);
    return parse_lim(state, s, strlen(s), &lim, p, why);
}

static void expect_fail(void **state, const char *s, grantd_rc rc, const char *why_expected)
{
    struct grantd_params p;
    const char *why;
    assert_int_equal(parse(state, s, &p, &why), rc);
    assert_null(p.items);
    assert_int_equal(p.count, 0);
    assert_non_null(why);
    if (why_expected)
        assert_string_equal(why, why_expected);
}

static void test_token_request(void **state)
{
    /* the body shape Billit's and OroCommerce's guides send to the token endpoint */
    struct grantd_params p;
    const char *why, *v;
    assert_int_equal(parse(state,
                           "{\"grant_type\": \"authorization_code\",\n"
                           " \"client_id\": \"2f1c0e2a\", \"client_secret\": \"s3cr3t\",\n"
                           " \"code\": \"def50200ab\", \"redirect_uri\": "
                           "\"https:\\/\\/app.example.com\\/callback\"}",
                           &p, &why),
                     GRANTD_OK);
    assert_null(why);
    assert_int_equal(p.count, 5);
    assert_string_equal(p.items[0].name, "grant_type"); /* member order is kept */
    assert_string_equal(p.items[4].name, "redirect_uri");
    assert_int_equal(grantd_params_get(&p, "redirect_uri", &v), GRANTD_OK);
    assert_string_equal(v, "https://app.example.com/callback");
    assert_int_equal(grantd_params_get(&p, "client_secret", &v), GRANTD_OK);
    assert_string_equal(v, "s3cr3t");
    assert_null(grantd_params_first_repeated(&p));
}

static void test_escapes_and_utf8(void **state)
{
    struct grantd_params p;
    const char *why, *v;
    assert_int_equal(parse(state, "{\"a\":\"caf\\u00e9\",\"b\":\"l1\\nl2\\t\\\"q\\\"\","
                                  "\"c\":\"caf\xc3\xa9\",\"d\":\"\\ud83d\\ude00\"}",
                           &p, &why),
                     GRANTD_OK);
    assert_int_equal(grantd_params_get(&p, "a", &v), GRANTD_OK);
    assert_string_equal(v, "caf\xc3\xa9");
    assert_int_equal(grantd_params_get(&p, "b", &v), GRANTD_OK);
    assert_string_equal(v, "l1\nl2\t\"q\"");
    assert_int_equal(grantd_params_get(&p, "c", &v), GRANTD_OK);
    assert_string_equal(v, "caf\xc3\xa9");
    assert_int_equal(grantd_params_get(&p, "d", &v), GRANTD_OK);
    assert_string_equal(v, "\xf0\x9f\x98\x80");
}

static void test_null_and_empty(void **state)
{
    struct grantd_params p;
    const char *why, *v;
    assert_int_equal(parse(state, "{\"scope\": null, \"state\": \"\", \"code\": \"x\"}", &p, &why),
                     GRANTD_OK);
    assert_int_equal(p.count, 2); /* null is not added */
    assert_string_equal(p.items[0].name, "state");
    assert_string_equal(p.items[0].value, "");
    assert_int_equal(grantd_params_get(&p, "scope", &v), GRANTD_ENOTFOUND);
    assert_int_equal(grantd_params_get(&p, "state", &v), GRANTD_ENOTFOUND);
    assert_int_equal(grantd_params_get(&p, "code", &v), GRANTD_OK);
    assert_int_equal(parse(state, " { } ", &p, &why), GRANTD_OK);
    assert_int_equal(p.count, 0);
    assert_int_equal(parse(state, "{\"a\":null}", &p, &why), GRANTD_OK);
    assert_int_equal(p.count, 0);
}

static void test_not_a_string(void **state)
{
    expect_fail(state, "{\"client_id\": 12345}", GRANTD_EINVAL,
                "parameter 'client_id' must be a string");
    expect_fail(state, "{\"a\":\"x\",\"expires_in\": 3.5}", GRANTD_EINVAL,
                "parameter 'expires_in' must be a string");
    expect_fail(state, "{\"pkce\": true}", GRANTD_EINVAL, "parameter 'pkce' must be a string");
    expect_fail(state, "{\"pkce\": false}", GRANTD_EINVAL, "parameter 'pkce' must be a string");
    expect_fail(state, "{\"scope\": [\"openid\", \"email\"]}", GRANTD_EINVAL,
                "parameter 'scope' must be a string");
    expect_fail(state, "{\"claims\": {\"userinfo\": \"x\"}}", GRANTD_EINVAL,
                "parameter 'claims' must be a string");
    /* a name unfit for an error_description is not echoed */
    expect_fail(state, "{\"a\\\"b\": 1}", GRANTD_EINVAL, "JSON body members must be strings");
    expect_fail(state, "{\"caf\xc3\xa9\": 1}", GRANTD_EINVAL,
                "JSON body members must be strings");
}

static void test_nul_refused(void **state)
{
    expect_fail(state, "{\"a\":\"x\\u0000y\"}", GRANTD_EINVAL,
                "parameters must not contain a NUL byte");
    expect_fail(state, "{\"a\\u0000\":\"x\"}", GRANTD_EINVAL,
                "parameters must not contain a NUL byte");
    /* a raw NUL byte inside the body is not JSON at all */
    struct grantd_parse_limits lim;
    grantd_parse_limits_default(&lim);
    struct grantd_params p;
    const char *why;
    assert_int_equal(parse_lim(state, "{\"a\":\"x\0y\"}", 11, &lim, &p, &why), GRANTD_EINVAL);
    assert_int_equal(p.count, 0);
}

static void test_duplicates(void **state)
{
    expect_fail(state, "{\"client_id\":\"a\",\"client_id\":\"b\"}", GRANTD_EREPEATED, NULL);
    expect_fail(state, "{\"code\":\"a\",\"x\":\"1\",\"code\":\"a\"}", GRANTD_EREPEATED, NULL);
    expect_fail(state, "{\"state\":null,\"state\":\"b\"}", GRANTD_EREPEATED, NULL);
    /* same name after unescaping */
    expect_fail(state, "{\"code\":\"a\",\"c\\u006fde\":\"b\"}", GRANTD_EREPEATED, NULL);
}

static void test_malformed(void **state)
{
    const char *m = "malformed JSON body";
    expect_fail(state, "", GRANTD_EINVAL, m);
    expect_fail(state, "   ", GRANTD_EINVAL, m);
    expect_fail(state, "{", GRANTD_EINVAL, m);
    expect_fail(state, "{\"a\":\"b\"", GRANTD_EINVAL, m);
    expect_fail(state, "{\"a\" \"b\"}", GRANTD_EINVAL, m);
    expect_fail(state, "{\"a\":\"b\",}", GRANTD_EINVAL, m);
    expect_fail(state, "{a:\"b\"}", GRANTD_EINVAL, m);
    expect_fail(state, "{'a':'b'}", GRANTD_EINVAL, m);
    expect_fail(state, "{\"a\":\"b\"} x", GRANTD_EINVAL, m); /* trailing garbage */
    expect_fail(state, "{}{}", GRANTD_EINVAL, m);
    expect_fail(state, "\"just a string\"", GRANTD_EINVAL, NULL);
    expect_fail(state, "42", GRANTD_EINVAL, NULL);
    expect_fail(state, "null", GRANTD_EINVAL, NULL);
    expect_fail(state, "{\"a\":\"\xff\"}", GRANTD_EINVAL, m); /* invalid UTF-8 */
    expect_fail(state, "{\"a\":\"x\ny\"}", GRANTD_EINVAL, m); /* raw control character */
    expect_fail(state, "grant_type=client_credentials", GRANTD_EINVAL, m);
}

static void test_not_an_object(void **state)
{
    expect_fail(state, "[]", GRANTD_EINVAL, "JSON body must be an object");
    expect_fail(state, "[\"a\", \"b\"]", GRANTD_EINVAL, "JSON body must be an object");
}

static void test_nesting(void **state)
{
    const char *deep = "JSON body nested too deeply";
    expect_fail(state, "{\"a\":{\"b\":{\"c\":\"d\"}}}", GRANTD_EINVAL, deep);
    expect_fail(state, "[[[\"x\"]]]", GRANTD_EINVAL, deep);
    /* deep enough to overflow a recursive parser's stack; refused in linear time */
    size_t n = 1000000;
    char *s = malloc(n + 1);
    memset(s, '[', n);
    s[n] = '\0';
    expect_fail(state, s, GRANTD_EINVAL, deep);
    memset(s, '{', n);
    expect_fail(state, s, GRANTD_EINVAL, deep);
    free(s);
    /* brackets, braces, quotes and colons inside strings are content, not structure */
    struct grantd_params p;
    const char *why, *v;
    assert_int_equal(parse(state, "{\"a\":\"[[[[{{{{::::\",\"b\":\"\\\"[[[{{\\\\\",\"c\":\"]]}}\"}",
                           &p, &why),
                     GRANTD_OK);
    assert_int_equal(p.count, 3);
    assert_int_equal(grantd_params_get(&p, "b", &v), GRANTD_OK);
    assert_string_equal(v, "\"[[[{{\\");
}

static char *members(size_t count)
{
    char *s = malloc(count * 24 + 3);
    size_t o = (size_t)sprintf(s, "{");
    for (size_t i = 0; i < count; i++)
        o += (size_t)sprintf(s + o, "%s\"p%zu\":\"v\"", i ? "," : "", i);
    strcpy(s + o, "}");
    return s;
}

static void test_cap_params(void **state)
{
    struct grantd_params p;
    const char *why;
    char *s = members(64);
    assert_int_equal(parse(state, s, &p, &why), GRANTD_OK);
    assert_int_equal(p.count, 64);
    free(s);
    s = members(65);
    expect_fail(state, s, GRANTD_ETOOBIG, "too many parameters");
    free(s);
    /* null members are occurrences too */
    struct grantd_parse_limits lim;
    grantd_parse_limits_default(&lim);
    lim.max_params = 2;
    const char *three = "{\"a\":\"1\",\"b\":null,\"c\":\"3\"}";
    assert_int_equal(parse_lim(state, three, strlen(three), &lim, &p, &why), GRANTD_ETOOBIG);
    assert_string_equal(why, "too many parameters");
    const char *two = "{\"a\":\"1:2:3\",\"b\":\"x\"}";
    assert_int_equal(parse_lim(state, two, strlen(two), &lim, &p, &why), GRANTD_OK);
    assert_int_equal(p.count, 2);
}

static char *member_of(size_t nlen, size_t vlen)
{
    char *s = malloc(nlen + vlen + 8);
    size_t o = 0;
    s[o++] = '{';
    s[o++] = '"';
    memset(s + o, 'n', nlen);
    o += nlen;
    memcpy(s + o, "\":\"", 3);
    o += 3;
    memset(s + o, 'v', vlen);
    o += vlen;
    strcpy(s + o, "\"}");
    return s;
}

static void test_cap_lengths(void **state)
{
    struct grantd_params p;
    const char *why;
    char *s = member_of(128, 4096);
    assert_int_equal(parse(state, s, &p, &why), GRANTD_OK);
    assert_int_equal(strlen(p.items[0].name), 128);
    assert_int_equal(strlen(p.items[0].value), 4096);
    free(s);
    s = member_of(129, 1);
    expect_fail(state, s, GRANTD_ETOOBIG, "parameter name too long");
    free(s);
    s = member_of(1, 4097);
    expect_fail(state, s, GRANTD_ETOOBIG, "parameter value too long");
    free(s);
    /* caps are on decoded bytes: "\u00e9" is two bytes, "\n" one */
    struct grantd_parse_limits lim;
    grantd_parse_limits_default(&lim);
    lim.max_value_len = 3;
    const char *ok = "{\"a\":\"\\u00e9\\n\"}", *over = "{\"a\":\"\\u00e9\\u00e9\"}";
    assert_int_equal(parse_lim(state, ok, strlen(ok), &lim, &p, &why), GRANTD_OK);
    assert_int_equal(parse_lim(state, over, strlen(over), &lim, &p, &why), GRANTD_ETOOBIG);
    assert_string_equal(why, "parameter value too long");
}

static void test_empty_name(void **state)
{
    expect_fail(state, "{\"\":\"x\"}", GRANTD_EINVAL, "empty parameter name");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_token_request, setup, teardown),
        cmocka_unit_test_setup_teardown(test_escapes_and_utf8, setup, teardown),
        cmocka_unit_test_setup_teardown(test_null_and_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_a_string, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nul_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_an_object, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nesting, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cap_params, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cap_lengths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_name, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
