/* Unit tests of ui/html.c: the context-escaping writer. Text and attribute contexts escape
 * their own sets, NULL is empty, non-ASCII passes through, and going over the cap is a sticky
 * GRANTD_ETOOBIG rather than a truncated page. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ui/html.h"

/* Finishes h into a fresh arena and compares with want. */
static void assert_page(struct grantd_html *h, const char *want)
{
    struct grantd_arena *a = grantd_arena_new(256);
    const char *out;
    size_t len;
    assert_int_equal(grantd_html_finish(h, a, &out, &len), GRANTD_OK);
    assert_string_equal(out, want);
    assert_int_equal(len, strlen(want));
    grantd_html_free(h);
    grantd_arena_free(a);
}

static void test_text_escapes(void **state)
{
    struct grantd_html h;
    grantd_html_init(&h, 1024);
    grantd_html_text(&h, "<script>a&b \"q\" 'x'</script> `tick`\r\n");
    assert_page(&h, "&lt;script&gt;a&amp;b &quot;q&quot; &#39;x&#39;&lt;/script&gt; `tick`\r\n");
}

static void test_attr_escapes(void **state)
{
    struct grantd_html h;
    grantd_html_init(&h, 1024);
    grantd_html_attr(&h, "value", "\"><img src=x onerror=alert(1)> 'a' `b` &amp;\r\n");
    assert_page(&h, " value=\"&quot;&gt;&lt;img src=x onerror=alert(1)&gt; &#39;a&#39; &#96;b&#96; "
                    "&amp;amp;&#13;&#10;\"");
}

static void test_null_and_empty(void **state)
{
    struct grantd_html h;
    grantd_html_init(&h, 1024);
    grantd_html_lit(&h, "<p>");
    grantd_html_text(&h, NULL);
    grantd_html_text(&h, "");
    grantd_html_attr(&h, "a", NULL);
    grantd_html_attr(&h, "b", "");
    grantd_html_lit(&h, "</p>");
    assert_page(&h, "<p> a=\"\" b=\"\"</p>");
}

static void test_utf8_passes_through(void **state)
{
    const char *s = "Zo\xc3\xab \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x94\x91"; /* Zoë 日本 🔑 */
    struct grantd_html h;
    grantd_html_init(&h, 1024);
    grantd_html_text(&h, s);
    grantd_html_attr(&h, "v", s);
    char want[128];
    snprintf(want, sizeof(want), "%s v=\"%s\"", s, s);
    assert_page(&h, want);
}

static void test_invalid_utf8_keeps_escaping(void **state)
{
    /* a truncated 3-byte lead right before a quote: the quote is still escaped */
    struct grantd_html h;
    grantd_html_init(&h, 1024);
    grantd_html_attr(&h, "v", "\xe2\"><b>");
    assert_page(&h, " v=\"\xe2&quot;&gt;&lt;b&gt;\"");
}

static void test_int(void **state)
{
    struct grantd_html h;
    grantd_html_init(&h, 1024);
    grantd_html_int(&h, 0);
    grantd_html_lit(&h, " ");
    grantd_html_int(&h, -42);
    grantd_html_lit(&h, " ");
    grantd_html_int(&h, INT64_MAX);
    assert_page(&h, "0 -42 9223372036854775807");
}

static void test_cap_exact_fits(void **state)
{
    struct grantd_html h;
    grantd_html_init(&h, 10);
    grantd_html_text(&h, "a&b"); /* 7 bytes */
    grantd_html_lit(&h, "xyz");  /* 10 */
    assert_page(&h, "a&amp;bxyz");
}

static void test_cap_overflow_is_sticky(void **state)
{
    struct grantd_html h;
    grantd_html_init(&h, 10);
    grantd_html_lit(&h, "12345678");
    grantd_html_text(&h, "<");  /* 4 more: over */
    grantd_html_lit(&h, "9");   /* would fit, but the page is already broken */
    assert_int_equal(h.rc, GRANTD_ETOOBIG);
    struct grantd_arena *a = grantd_arena_new(256);
    const char *out = "x";
    size_t len = 1;
    assert_int_equal(grantd_html_finish(&h, a, &out, &len), GRANTD_ETOOBIG);
    assert_null(out);
    assert_int_equal(len, 0);
    grantd_html_free(&h);
    grantd_arena_free(a);
}

static void test_empty_page(void **state)
{
    struct grantd_html h;
    grantd_html_init(&h, 10);
    assert_page(&h, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_escapes),
        cmocka_unit_test(test_attr_escapes),
        cmocka_unit_test(test_null_and_empty),
        cmocka_unit_test(test_utf8_passes_through),
        cmocka_unit_test(test_invalid_utf8_keeps_escaping),
        cmocka_unit_test(test_int),
        cmocka_unit_test(test_cap_exact_fits),
        cmocka_unit_test(test_cap_overflow_is_sticky),
        cmocka_unit_test(test_empty_page),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
