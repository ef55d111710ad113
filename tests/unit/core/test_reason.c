/* Unit tests of core/reason.c: the refusal reasons of a bearer token, their names (what
 * X-Grantd-Reason and /check/error/REASON say), and the RFC 6750 status and error each
 * maps to. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/reason.h"

static void test_names_round_trip(void **state)
{
    static const char *const names[] = {"missing", "invalid", "expired", "revoked",
                                        "insufficient_scope"};
    (void)state;
    for (int i = 0; i < GRANTD_CHECK_REASON_COUNT; i++) {
        assert_string_equal(grantd_check_reason_name((enum grantd_check_reason)i), names[i]);
        assert_int_equal(grantd_check_reason_parse(names[i]), i);
    }
    assert_int_equal(grantd_check_reason_parse("Invalid"), -1);
    assert_int_equal(grantd_check_reason_parse(""), -1);
    assert_int_equal(grantd_check_reason_parse("insufficient"), -1);
}

/* RFC 6750 §3.1: 401 without an error for no token, 401 invalid_token for a bad one, 403
 * insufficient_scope. */
static void test_statuses_and_errors(void **state)
{
    (void)state;
    assert_int_equal(grantd_check_reason_status(GRANTD_CHECK_MISSING), 401);
    assert_null(grantd_check_reason_error(GRANTD_CHECK_MISSING));
    for (int r = GRANTD_CHECK_INVALID; r <= GRANTD_CHECK_REVOKED; r++) {
        assert_int_equal(grantd_check_reason_status((enum grantd_check_reason)r), 401);
        assert_string_equal(grantd_check_reason_error((enum grantd_check_reason)r),
                            "invalid_token");
    }
    assert_int_equal(grantd_check_reason_status(GRANTD_CHECK_INSUFFICIENT_SCOPE), 403);
    assert_string_equal(grantd_check_reason_error(GRANTD_CHECK_INSUFFICIENT_SCOPE),
                        "insufficient_scope");
    for (int r = 0; r < GRANTD_CHECK_REASON_COUNT; r++)
        assert_non_null(grantd_check_reason_description((enum grantd_check_reason)r));
}

static void test_out_of_range_is_invalid(void **state)
{
    (void)state;
    assert_string_equal(grantd_check_reason_name(GRANTD_CHECK_REASON_COUNT), "invalid");
    assert_int_equal(grantd_check_reason_status((enum grantd_check_reason)99), 401);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_round_trip),
        cmocka_unit_test(test_statuses_and_errors),
        cmocka_unit_test(test_out_of_range_is_invalid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
