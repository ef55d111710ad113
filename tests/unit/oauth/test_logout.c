/* The end-session endpoint's return address (oauth/logout.c): a post_logout_redirect_uri
 * counts only when registered byte for byte, and state joins its query with the right
 * separator, encoded, before any fragment. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "oauth/logout.h"

static void test_registered_exactly(void **state)
{
    (void)state;
    const char *reg = "https://rp.example/bye http://127.0.0.1:9/out?x=1";
    assert_true(grantd_logout_uri_registered(reg, "https://rp.example/bye"));
    assert_true(grantd_logout_uri_registered(reg, "http://127.0.0.1:9/out?x=1"));
    assert_false(grantd_logout_uri_registered(reg, "https://rp.example/bye/"));
    assert_false(grantd_logout_uri_registered(reg, "https://rp.example/by"));
    assert_false(grantd_logout_uri_registered(reg, "HTTPS://rp.example/bye"));
    assert_false(grantd_logout_uri_registered(reg, "http://127.0.0.1:9/out"));
    assert_false(grantd_logout_uri_registered(reg, "https://rp.example/bye http://127.0.0.1:9/out?x=1"));
    assert_false(grantd_logout_uri_registered(reg, ""));
    assert_false(grantd_logout_uri_registered(NULL, "https://rp.example/bye"));
    assert_false(grantd_logout_uri_registered("", "https://rp.example/bye"));
}

struct join_case {
    const char *uri, *state, *want;
};

static const struct join_case joins[] = {
    {"https://rp.example/bye", NULL, "https://rp.example/bye"},
    {"https://rp.example/bye", "", "https://rp.example/bye"},
    {"https://rp.example/bye", "abc", "https://rp.example/bye?state=abc"},
    {"https://rp.example/bye?a=1", "abc", "https://rp.example/bye?a=1&state=abc"},
    {"https://rp.example/bye?", "abc", "https://rp.example/bye?state=abc"},
    {"https://rp.example/bye?a=1&", "abc", "https://rp.example/bye?a=1&state=abc"},
    {"https://rp.example/bye", "a b&c=d/é", "https://rp.example/bye?state=a%20b%26c%3Dd%2F%C3%A9"},
    {"https://rp.example/bye#top", "s", "https://rp.example/bye?state=s#top"},
    {"https://rp.example/bye?a=1#t?x", "s", "https://rp.example/bye?a=1&state=s#t?x"},
};

static void test_state_joined(void **state)
{
    (void)state;
    struct grantd_arena *a = grantd_arena_new(1024);
    for (size_t i = 0; i < sizeof(joins) / sizeof(joins[0]); i++) {
        const char *got = grantd_logout_location(a, joins[i].uri, joins[i].state);
        if (strcmp(got, joins[i].want) != 0)
            fail_msg("%s + %s: %s, want %s", joins[i].uri,
                     joins[i].state ? joins[i].state : "(none)", got, joins[i].want);
    }
    grantd_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registered_exactly),
        cmocka_unit_test(test_state_joined),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
