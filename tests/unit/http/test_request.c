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

/* A body labelled with a charset other than UTF-8 is not read as if it were (issue 16). */
static void test_charset_other_than_utf8_is_refused(void **state)
{
    static const char *const utf8[] = {
        NULL, "application/x-www-form-urlencoded", "application/json;charset=utf-8",
        "application/x-www-form-urlencoded; Charset=\"UTF-8\"", "a/b; junk; charset=Utf-8",
        "a/b; q=\"x;charset=latin1\"; charset=utf-8", "a/b;"};
    static const char *const other[] = {
        "application/x-www-form-urlencoded; charset=ISO-8859-1", "a/b;charset=utf8",
        "a/b; charset=utf-8; charset=latin1", "a/b; junk; charset=\"latin1\"",
        "a/b; charset=", "a/b; charset=utf-16"};
    for (size_t i = 0; i < sizeof(utf8) / sizeof(utf8[0]); i++)
        assert_int_equal(grantd_content_type_utf8(utf8[i]), 1);
    for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++)
        assert_int_equal(grantd_content_type_utf8(other[i]), 0);
    struct grantd_param h[] = {{"content-type", other[0]}};
    struct grantd_request req;
    init_req(&req, h, 1);
    grantd_request_fill(&req, "/token", "password=caf\xe9", 13);
    assert_int_equal(req.body_kind, GRANTD_BODY_FORM);
    assert_int_equal(req.form_rc, GRANTD_EINVAL);
    assert_non_null(strstr(req.form_why, "UTF-8"));
    assert_int_equal(req.form.count, 0);
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
        cmocka_unit_test(test_charset_other_than_utf8_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
