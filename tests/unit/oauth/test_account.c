/* Unit tests of oauth/account.c's answers that the integration tests cannot provoke: a store
 * failure on a page is a page for a browser (500, or 503 with Retry-After when the store is
 * busy, in plain words with the code in the details line) and JSON for everyone else; and
 * the not-found answer is a page or the JSON 404 by the Accept header alone.
 *
 * Not here: revoking, signing in and out (tests/integration/test_account.py). */
#include "protocol.h"

static grantd_rc fail_with;

static grantd_rc fault(struct grantd_store *s, const char *op)
{
    (void)s;
    (void)op;
    return fail_with;
}

/* GET path with this Accept header (NULL: none). */
static struct grantd_request *get(const char *path, const char *accept)
{
    struct grantd_request *req = request_new("GET");
    struct grantd_param *h = grantd_arena_alloc(req->arena, sizeof(*h));
    h[0] = (struct grantd_param){"accept", accept};
    req->headers.items = h;
    req->headers.count = accept ? 1 : 0;
    req->path = path;
    return req;
}

static struct answer account_with_store_failing(grantd_rc rc, const char *accept)
{
    fail_with = rc;
    P.store->fault = fault; /* the page's first store call is its session's */
    struct answer ans = run_handler(grantd_account_endpoint, get("/account", accept));
    P.store->fault = NULL;
    return ans;
}

static void test_a_failure_is_a_page_for_a_browser(void **state)
{
    (void)state;
    struct answer ans = account_with_store_failing(GRANTD_ESTORE, "text/html,*/*;q=0.8");
    assert_int_equal(ans.status, 500);
    assert_null(ans.json);
    assert_non_null(strstr(ans.body, "<h1>Something went wrong on our side</h1>"));
    assert_non_null(strstr(ans.body, "Wait a moment, then go back and try again."));
    assert_non_null(strstr(ans.body, "Details for support: <code>500 server_error</code>"));
    assert_string_equal(ans.cache_control, "no-store");
    answer_free(&ans);
    ans = account_with_store_failing(GRANTD_EBUSY, "text/html");
    assert_int_equal(ans.status, 503);
    assert_non_null(strstr(ans.body, "<h1>We are busy right now</h1>"));
    answer_free(&ans);
}

static void test_a_failure_is_json_for_an_api_client(void **state)
{
    (void)state;
    struct answer ans = account_with_store_failing(GRANTD_ESTORE, "*/*");
    assert_refused(&ans, 500, "server_error", NULL);
    answer_free(&ans);
    ans = account_with_store_failing(GRANTD_EBUSY, NULL);
    assert_refused(&ans, 503, "temporarily_unavailable", NULL);
    answer_free(&ans);
}

static void test_not_found_by_accept(void **state)
{
    (void)state;
    struct answer ans = run_handler(grantd_not_found_endpoint, get("/nope", "text/html"));
    assert_int_equal(ans.status, 404);
    assert_non_null(strstr(ans.body, "<h1>Page not found</h1>"));
    assert_non_null(strstr(ans.body, "href=\"https://as.example/account\""));
    answer_free(&ans);
    ans = run_handler(grantd_not_found_endpoint, get("/", "text/html"));
    assert_int_equal(ans.status, 200);
    assert_non_null(strstr(ans.body, "<h1>Sign-in service</h1>"));
    answer_free(&ans);
    ans = run_handler(grantd_not_found_endpoint, get("/", "application/json"));
    assert_refused(&ans, 404, "not_found", NULL);
    answer_free(&ans);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        PROTO_TEST(test_a_failure_is_a_page_for_a_browser),
        PROTO_TEST(test_a_failure_is_json_for_an_api_client),
        PROTO_TEST(test_not_found_by_accept),
    };
    return PROTO_RUN(tests);
}
