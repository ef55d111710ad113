/* prompt and max_age (oauth/oidc_params.c, OpenID Connect Core 1.0 §3.1.2.1): the values
 * grantd serves, how they combine, and what is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "oauth/oidc_params.h"

static void test_prompt(void **state)
{
    (void)state;
    struct grantd_arena *a = grantd_arena_new(1024);
    static const struct {
        const char *text;
        unsigned bits;
        const char *why; /* NULL: accepted with bits */
    } cases[] = {
        {NULL, 0, NULL},
        {"", 0, NULL},
        {"none", GRANTD_PROMPT_NONE, NULL},
        {"login", GRANTD_PROMPT_LOGIN, NULL},
        {"consent login", GRANTD_PROMPT_LOGIN | GRANTD_PROMPT_CONSENT, NULL},
        {" consent  consent ", GRANTD_PROMPT_CONSENT, NULL},
        {"none none", GRANTD_PROMPT_NONE, NULL},
        {"none login", 0, "cannot be combined"},
        {"consent none", 0, "cannot be combined"},
        {"select_account", 0, "'select_account' is not supported"},
        {"Login", 0, "is not supported"},
        {"login\tconsent", 0, "is not supported"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        unsigned bits = 99;
        const char *why = grantd_prompt_parse(a, cases[i].text, &bits);
        if (cases[i].why) {
            if (!why || !strstr(why, cases[i].why))
                fail_msg("'%s': %s lacks %s", cases[i].text, why ? why : "(accepted)",
                         cases[i].why);
        } else {
            if (why)
                fail_msg("'%s' refused: %s", cases[i].text, why);
            assert_int_equal(bits, cases[i].bits);
        }
    }
    grantd_arena_free(a);
}

static void test_max_age(void **state)
{
    (void)state;
    assert_int_equal(grantd_max_age_parse("0"), 0);
    assert_int_equal(grantd_max_age_parse("3600"), 3600);
    assert_int_equal(grantd_max_age_parse("000060"), 60);
    assert_int_equal(grantd_max_age_parse("999999999999"), 999999999999LL);
    assert_int_equal(grantd_max_age_parse("9999999999999"), -1); /* 13 digits */
    assert_int_equal(grantd_max_age_parse(""), -1);
    assert_int_equal(grantd_max_age_parse("-1"), -1);
    assert_int_equal(grantd_max_age_parse("+5"), -1);
    assert_int_equal(grantd_max_age_parse("5 "), -1);
    assert_int_equal(grantd_max_age_parse("1e3"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prompt),
        cmocka_unit_test(test_max_age),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
