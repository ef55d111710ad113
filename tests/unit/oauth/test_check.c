/* Unit tests of oauth/check.c's API error bodies (grantd_check_api_error): a profile's
 * api_errors member by member, and the RFC 6750 defaults for what it leaves unset. The
 * verdicts themselves need a store and tokens: tests/integration/test_check.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/mem.h"
#include "oauth/check.h"

struct answer {
    unsigned status;
    const char *type, *body;
};

static struct answer api_error(const struct grantd_profile *p, struct grantd_arena *a,
                               enum grantd_check_reason r)
{
    struct answer x;
    grantd_check_api_error(p, a, r, &x.status, &x.type, &x.body);
    return x;
}

static void test_defaults(void **state)
{
    (void)state;
    struct grantd_profile p;
    memset(&p, 0, sizeof(p));
    struct grantd_arena *a = grantd_arena_new(1024);
    struct answer x = api_error(&p, a, GRANTD_CHECK_EXPIRED);
    assert_int_equal(x.status, 401);
    assert_string_equal(x.type, "application/json");
    assert_string_equal(x.body, "{\"error\":\"invalid_token\",\"error_description\":"
                                "\"the access token has expired\"}");
    x = api_error(&p, a, GRANTD_CHECK_MISSING);
    assert_int_equal(x.status, 401);
    assert_string_equal(x.body, "{\"error_description\":"
                                "\"an access token is required in the Authorization header\"}");
    x = api_error(&p, a, GRANTD_CHECK_INSUFFICIENT_SCOPE);
    assert_int_equal(x.status, 403);
    assert_non_null(strstr(x.body, "\"error\":\"insufficient_scope\""));
    grantd_arena_free(a);
}

static void test_profile_members_each_override(void **state)
{
    (void)state;
    struct grantd_profile p;
    memset(&p, 0, sizeof(p));
    char body[] = "{\"errors\":[{\"Code\":\"AccessTokenRevoked\"}]}";
    char type[] = "application/problem+json";
    p.api_errors[GRANTD_CHECK_REVOKED].body = body;
    p.api_errors[GRANTD_CHECK_INVALID].status = 400;
    p.api_errors[GRANTD_CHECK_EXPIRED].content_type = type;
    struct grantd_arena *a = grantd_arena_new(1024);
    struct answer x = api_error(&p, a, GRANTD_CHECK_REVOKED);
    assert_int_equal(x.status, 401);
    assert_string_equal(x.type, "application/json");
    assert_ptr_equal(x.body, body);
    x = api_error(&p, a, GRANTD_CHECK_INVALID);
    assert_int_equal(x.status, 400);
    assert_non_null(strstr(x.body, "invalid_token"));
    x = api_error(&p, a, GRANTD_CHECK_EXPIRED);
    assert_string_equal(x.type, type);
    grantd_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_profile_members_each_override),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
