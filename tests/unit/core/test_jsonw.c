/* Unit tests of core/jsonw.c: what it writes is valid JSON that jansson reads back to the
 * same strings and numbers; both passes agree on the length; invalid UTF-8 is refused; a
 * space-separated list is a string for one item and an array for several. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/jsonw.h"

static void members(struct grantd_jsonw *w, const char *s, int64_t n)
{
    grantd_jsonw_member_str(w, 1, "s", s);
    grantd_jsonw_member_int(w, 0, "n", n);
    grantd_jsonw_raw(w, "}", 1);
}

/* Writes {"s": s, "n": n} in two passes; NULL when s was refused. Caller frees. */
static char *write_object(const char *s, int64_t n)
{
    struct grantd_jsonw w = {0};
    members(&w, s, n);
    if (w.bad)
        return NULL;
    size_t len = w.len;
    w = (struct grantd_jsonw){.buf = malloc(len + 1)};
    members(&w, s, n);
    assert_int_equal(w.len, len);
    assert_false(w.bad);
    w.buf[len] = '\0';
    return w.buf;
}

static void test_round_trip(void **state)
{
    static const char *const strings[] = {
        "", "plain", "quote \" and backslash \\", "tab\tnewline\ncr\r", "\x01\x1f\x7f",
        "slash / stays", "caf\xc3\xa9", "\xe2\x82\xac euro", "\xf0\x9f\x94\x91 key",
        "\xf4\x8f\xbf\xbf last code point", "</script>",
    };
    static const int64_t numbers[] = {0, -1, 1795446515, INT64_MAX, INT64_MIN};
    for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
        int64_t n = numbers[i % (sizeof(numbers) / sizeof(numbers[0]))];
        char *text = write_object(strings[i], n);
        assert_non_null(text);
        json_error_t err;
        json_t *o = json_loads(text, JSON_REJECT_DUPLICATES, &err);
        if (!o)
            fail_msg("not JSON: %s (%s)", text, err.text);
        assert_string_equal(json_string_value(json_object_get(o, "s")), strings[i]);
        assert_true(json_integer_value(json_object_get(o, "n")) == n);
        assert_int_equal(json_object_size(o), 2);
        json_decref(o);
        /* control characters never appear raw */
        for (const char *p = text; *p; p++)
            assert_true((unsigned char)*p >= 0x20);
        free(text);
    }
    char *t = write_object("\x01", 5);
    assert_string_equal(t, "{\"s\":\"\\u0001\",\"n\":5}");
    free(t);
}

static void test_invalid_utf8_refused(void **state)
{
    static const char *const bad[] = {
        "\xc0\x80",         /* overlong NUL */
        "\xc1\xbf",         /* overlong */
        "\xe0\x80\xaf",     /* overlong '/' */
        "\xed\xa0\x80",     /* a surrogate */
        "\xf4\x90\x80\x80", /* above U+10FFFF */
        "\xf5\x80\x80\x80", "\xff", "\x80", "ok\xc3", "\xe2\x82", "\xc3\x28",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_null(write_object(bad[i], 1));
}

/* {"aud": list} written in two passes. Caller frees. */
static char *write_list(const char *list)
{
    struct grantd_jsonw w = {0};
    for (int pass = 0; pass < 2; pass++) {
        size_t len = w.len;
        w = (struct grantd_jsonw){.buf = pass ? malloc(len + 2) : NULL};
        grantd_jsonw_member_list(&w, 1, "aud", list);
        grantd_jsonw_raw(&w, "}", 1);
        if (pass)
            w.buf[len] = '\0';
    }
    return w.buf;
}

static void test_member_list(void **state)
{
    static const struct {
        const char *list, *json;
    } cases[] = {
        {"https://a.example/api", "{\"aud\":\"https://a.example/api\"}"},
        {"https://a.example/api urn:b", "{\"aud\":[\"https://a.example/api\",\"urn:b\"]}"},
        {"a b c", "{\"aud\":[\"a\",\"b\",\"c\"]}"},
        {"q\"uote x", "{\"aud\":[\"q\\\"uote\",\"x\"]}"}, /* escaped like any string */
        {"", "{\"aud\":\"\"}"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *text = write_list(cases[i].list);
        assert_string_equal(text, cases[i].json);
        free(text);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_invalid_utf8_refused),
        cmocka_unit_test(test_member_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
