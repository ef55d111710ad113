/* Unit tests for http/request.c: request-target split, Content-Type classification and the
 * parameter views a handler receives. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "http/app.h"
#include "http/request_build.h"

static struct grantd_app app;

static void init_req(struct grantd_request *req, struct grantd_param *headers, size_t n)
{
    memset(req, 0, sizeof(*req));
    req->arena = grantd_arena_new(1024);
    req->app = &app;
    req->headers.items = headers;
    req->headers.count = n;
}

static void test_body_kind(void **state)
{
    assert_int_equal(grantd_body_kind_of(NULL), GRANTD_BODY_NONE);
    assert_int_equal(grantd_body_kind_of("application/x-www-form-urlencoded"), GRANTD_BODY_FORM);
    assert_int_equal(grantd_body_kind_of("Application/X-WWW-Form-URLEncoded; charset=UTF-8"),
                     GRANTD_BODY_FORM);
    assert_int_equal(grantd_body_kind_of("application/json"), GRANTD_BODY_JSON);
    assert_int_equal(grantd_body_kind_of("  application/json;charset=utf-8"), GRANTD_BODY_JSON);
    assert_int_equal(grantd_body_kind_of("application/jsonx"), GRANTD_BODY_OTHER);
    assert_int_equal(grantd_body_kind_of("application/json-patch+json"), GRANTD_BODY_OTHER);
    assert_int_equal(grantd_body_kind_of("text/plain"), GRANTD_BODY_OTHER);
    assert_int_equal(grantd_body_kind_of(""), GRANTD_BODY_OTHER);
}

static void test_target_split_and_query(void **state)
{
    struct grantd_request req;
    init_req(&req, NULL, 0);
    grantd_request_fill(&req, "/authorize?response_type=code&scope=a+b&state=x%2Fy", NULL, 0);
    assert_string_equal(req.path, "/authorize");
    assert_int_equal(req.query_rc, GRANTD_OK);
    const char *v;
    assert_int_equal(grantd_params_get(&req.query, "scope", &v), GRANTD_OK);
    assert_string_equal(v, "a b");
    assert_int_equal(grantd_params_get(&req.query, "state", &v), GRANTD_OK);
    assert_string_equal(v, "x/y");
    assert_int_equal(req.body_kind, GRANTD_BODY_NONE);
    grantd_arena_free(req.arena);
}

static void test_malformed_query_is_recorded_not_fatal(void **state)
{
    struct grantd_request req;
    init_req(&req, NULL, 0);
    grantd_request_fill(&req, "/authorize?state=%zz", NULL, 0);
    assert_string_equal(req.path, "/authorize");
    assert_int_equal(req.query_rc, GRANTD_EINVAL);
    assert_non_null(req.query_why);
    grantd_arena_free(req.arena);
}

static void test_form_body(void **state)
{
    struct grantd_param h[] = {{"content-type", "application/x-www-form-urlencoded"}};
    struct grantd_request req;
    init_req(&req, h, 1);
    const char body[] = "grant_type=client_credentials&scope=a%20b";
    grantd_request_fill(&req, "/token", body, strlen(body));
    assert_int_equal(req.body_kind, GRANTD_BODY_FORM);
    assert_int_equal(req.form_rc, GRANTD_OK);
    const char *v;
    assert_int_equal(grantd_params_get(&req.form, "scope", &v), GRANTD_OK);
    assert_string_equal(v, "a b");
    assert_int_equal(req.body_len, strlen(body));
    grantd_arena_free(req.arena);
}

static void test_json_body_and_repeats(void **state)
{
    struct grantd_param h[] = {{"content-type", "application/json"}};
    struct grantd_request req;
    init_req(&req, h, 1);
    const char body[] = "{\"grant_type\":\"authorization_code\",\"code\":\"x\",\"code\":\"y\"}";
    grantd_request_fill(&req, "/token", body, strlen(body));
    assert_int_equal(req.body_kind, GRANTD_BODY_JSON);
    assert_int_equal(req.form_rc, GRANTD_EREPEATED);
    grantd_arena_free(req.arena);
}

static void test_body_without_content_type_is_other(void **state)
{
    struct grantd_request req;
    init_req(&req, NULL, 0);
    grantd_request_fill(&req, "/token", "a=b", 3);
    assert_int_equal(req.body_kind, GRANTD_BODY_OTHER);
    assert_int_equal(req.form.count, 0);
    grantd_arena_free(req.arena);
}

int main(void)
{
    grantd_parse_limits_default(&app.limits);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_body_kind),
        cmocka_unit_test(test_target_split_and_query),
        cmocka_unit_test(test_malformed_query_is_recorded_not_fatal),
        cmocka_unit_test(test_form_body),
        cmocka_unit_test(test_json_body_and_repeats),
        cmocka_unit_test(test_body_without_content_type_is_other),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
