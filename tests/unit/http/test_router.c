/* Unit tests for http/router.c: issuer resolution (prefix, host, the RFC 8414 well-known
 * form) and route lookup over a table the test hands in, as the protocol layer does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "http/app.h"
#include "http/router.h"

static void h_get(struct grantd_request *req, struct grantd_response *resp) {}
static void h_post(struct grantd_request *req, struct grantd_response *resp) {}
static void h_wk(struct grantd_request *req, struct grantd_response *resp) {}

static const struct grantd_route rows[] = {
    {"GET", "/a", h_get, 0, "a_endpoint", GRANTD_ROUTE_PATHS_AUTHORIZE},
    {"POST", "/t", h_post, GRANTD_ROUTE_SLOW, "t_endpoint", GRANTD_ROUTE_PATHS_TOKEN},
    {"GET", "/.well-known/x", h_wk, 0, NULL, GRANTD_ROUTE_NO_PROFILE_PATHS},
};
static const struct grantd_routes table = {rows, 3, NULL, NULL};

static const struct grantd_issuer issuers[] = {
    {.tenant = 1, .url = "http://h:8080", .prefix = ""},
    {.tenant = 2, .url = "http://h:8080/t1", .prefix = "/t1"},
    {.tenant = 3, .url = "https://shop.example", .prefix = "", .host = "shop.example"},
    {.tenant = 4, .url = "https://shop.example/eu", .prefix = "/eu", .host = "shop.example"},
};
static const struct grantd_issuer_set set = {issuers, 4};
static const struct grantd_app app = {.issuer_set = &set, .routes = &table};

static int64_t tenant_of(const char *host, const char *path, const char *want_rest)
{
    struct grantd_arena *a = grantd_arena_new(256);
    const char *rest = NULL;
    const struct grantd_issuer *is = grantd_router_issuer(&app, a, host, path, &rest);
    int64_t t = is ? is->tenant : 0;
    if (is && want_rest)
        assert_string_equal(rest, want_rest);
    grantd_arena_free(a);
    return t;
}

static void test_issuer_by_prefix_and_host(void **state)
{
    assert_int_equal(tenant_of("h:8080", "/token", "/token"), 1);
    assert_int_equal(tenant_of("h:8080", "/t1/token", "/token"), 2);
    assert_int_equal(tenant_of("h:8080", "/t1", "/"), 2);
    assert_int_equal(tenant_of("h:8080", "/t10/token", "/t10/token"), 1); /* '/' boundary */
    assert_int_equal(tenant_of("SHOP.example", "/token", "/token"), 3);   /* host beats any */
    assert_int_equal(tenant_of("shop.example", "/eu/token", "/token"), 4);
    assert_int_equal(tenant_of(NULL, "/eu/token", "/eu/token"), 1);       /* no Host */
}

static void test_issuer_rfc8414_well_known(void **state)
{
    /* /.well-known/NAME + the issuer's path is that issuer's /.well-known/NAME */
    assert_int_equal(tenant_of("h:8080", "/.well-known/oauth-authorization-server/t1",
                               "/.well-known/oauth-authorization-server"), 2);
    assert_int_equal(tenant_of("shop.example", "/.well-known/x/eu", "/.well-known/x"), 4);
    /* the other host's issuer with that path is not it */
    assert_int_equal(tenant_of("h:8080", "/.well-known/x/eu", "/.well-known/x/eu"), 1);
    /* an unknown path stays a path of the default issuer (and 404s there) */
    assert_int_equal(tenant_of("h:8080", "/.well-known/x/nope", "/.well-known/x/nope"), 1);
    assert_int_equal(tenant_of("h:8080", "/.well-known/x/", "/.well-known/x/"), 1);
}

static void test_route_find(void **state)
{
    const char *allow;
    const struct grantd_route *r = grantd_router_find(&table, NULL, "GET", "/a", &allow);
    assert_non_null(r);
    assert_ptr_equal(r->handler, h_get);
    r = grantd_router_find(&table, NULL, "HEAD", "/a", &allow);
    assert_non_null(r); /* HEAD is served by GET */
    r = grantd_router_find(&table, NULL, "POST", "/a", &allow);
    assert_null(r);
    assert_string_equal(allow, "GET, HEAD");
    r = grantd_router_find(&table, NULL, "GET", "/t", &allow);
    assert_null(r);
    assert_string_equal(allow, "POST");
    r = grantd_router_find(&table, NULL, "POST", "/t", &allow);
    assert_true(r && (r->flags & GRANTD_ROUTE_SLOW));
    assert_null(grantd_router_find(&table, NULL, "GET", "/nope", &allow));
    assert_null(allow);
}

/* A prefix row serves its path and what lies below it at a '/', nothing else. */
static void test_prefix_rows(void **state)
{
    static const struct grantd_route prefix_rows[] = {
        {"*", "/v1/tenants", h_get, GRANTD_ROUTE_PREFIX, NULL, GRANTD_ROUTE_NO_PROFILE_PATHS},
        {"GET", "/v1/revocations", h_post, 0, NULL, GRANTD_ROUTE_NO_PROFILE_PATHS},
    };
    static const struct grantd_routes t = {prefix_rows, 2, NULL, NULL};
    const char *allow = NULL;
    assert_ptr_equal(grantd_router_find(&t, NULL, "GET", "/v1/tenants", &allow), &prefix_rows[0]);
    assert_ptr_equal(grantd_router_find(&t, NULL, "PATCH", "/v1/tenants/default/clients/x",
                                        &allow), &prefix_rows[0]);
    assert_null(grantd_router_find(&t, NULL, "GET", "/v1/tenantsx", &allow));
    assert_null(grantd_router_find(&t, NULL, "GET", "/v1/revocations/x", &allow));
    assert_null(allow);
}

static void test_profile_paths(void **state)
{
    char *authorize[] = {"/oauth/authorize/", NULL};
    char *token[] = {"/oauth/token", NULL};
    struct grantd_profile p = {0};
    p.paths.authorize = authorize;
    p.paths.token = token;
    const char *allow;
    const struct grantd_route *r =
        grantd_router_find(&table, &p, "GET", "/oauth/authorize/", &allow);
    assert_true(r && r->handler == h_get);
    assert_non_null(grantd_router_find(&table, &p, "GET", "/a", &allow)); /* still served */
    assert_null(grantd_router_find(&table, &p, "GET", "/oauth/authorize", &allow)); /* exact */
    r = grantd_router_find(&table, &p, "POST", "/oauth/token", &allow);
    assert_true(r && r->handler == h_post);
    char err[160];
    assert_int_equal(grantd_router_check_profile(&table, &p, err, sizeof(err)), GRANTD_OK);
    char *clash[] = {"/a", NULL}; /* a token path that is the authorize endpoint */
    p.paths.token = clash;
    assert_int_equal(grantd_router_check_profile(&table, &p, err, sizeof(err)), GRANTD_ECONFIG);
    assert_non_null(strstr(err, "/a"));
    p.paths.token = authorize; /* one path given to two endpoints */
    assert_int_equal(grantd_router_check_profile(&table, &p, err, sizeof(err)), GRANTD_ECONFIG);
}

/* A row flagged GRANTD_ROUTE_OPTIONAL is on only where the table's switch says so for the
 * issuer's settings; without a switch, never; other rows always. */
static int on_when_listen_set(const struct grantd_config *cfg, const struct grantd_route *r)
{
    return cfg->listen != NULL;
}

static void test_optional_rows(void **state)
{
    static const struct grantd_route opt_rows[] = {
        {"*", "/register", h_post, GRANTD_ROUTE_PREFIX | GRANTD_ROUTE_OPTIONAL,
         "registration_endpoint", GRANTD_ROUTE_NO_PROFILE_PATHS},
        {"GET", "/a", h_get, 0, "a_endpoint", GRANTD_ROUTE_NO_PROFILE_PATHS},
    };
    static const struct grantd_routes with = {opt_rows, 2, on_when_listen_set, NULL};
    static const struct grantd_routes without = {opt_rows, 2, NULL, NULL};
    struct grantd_config on = {.listen = "x"}, off = {0};
    assert_true(grantd_router_route_on(&with, &on, &opt_rows[0]));
    assert_false(grantd_router_route_on(&with, &off, &opt_rows[0]));
    assert_false(grantd_router_route_on(&without, &on, &opt_rows[0]));
    assert_true(grantd_router_route_on(&with, &off, &opt_rows[1]));
    assert_true(grantd_router_route_on(&without, &off, &opt_rows[1]));
}

/* A path given to an endpoint of two rows (GET and POST /account) serves both methods, and
 * the check does not take the second row for another endpoint. */
static void test_profile_path_of_a_two_method_endpoint(void **state)
{
    static const struct grantd_route acct[] = {
        {"GET", "/account", h_get, 0, NULL, GRANTD_ROUTE_PATHS_ACCOUNT},
        {"POST", "/account", h_post, GRANTD_ROUTE_SLOW, NULL, GRANTD_ROUTE_PATHS_ACCOUNT},
        {"POST", "/token", h_post, 0, NULL, GRANTD_ROUTE_PATHS_TOKEN},
    };
    static const struct grantd_routes t = {acct, 3, NULL, NULL};
    char *mine[] = {"/my/apps", NULL}, *taken[] = {"/account", NULL};
    struct grantd_profile p = {0};
    char err[128];
    const char *allow = NULL;
    p.paths.account = mine;
    assert_int_equal(grantd_router_check_profile(&t, &p, err, sizeof(err)), GRANTD_OK);
    assert_ptr_equal(grantd_router_find(&t, &p, "GET", "/my/apps", &allow), &acct[0]);
    assert_ptr_equal(grantd_router_find(&t, &p, "POST", "/my/apps", &allow), &acct[1]);
    assert_ptr_equal(grantd_router_find(&t, &p, "POST", "/account", &allow), &acct[1]);
    p.paths.token = mine; /* one path for two endpoints */
    assert_int_equal(grantd_router_check_profile(&t, &p, err, sizeof(err)), GRANTD_ECONFIG);
    p.paths.token = NULL;
    p.paths.account = taken; /* the standard path itself */
    assert_int_equal(grantd_router_check_profile(&t, &p, err, sizeof(err)), GRANTD_ECONFIG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_issuer_by_prefix_and_host),
        cmocka_unit_test(test_issuer_rfc8414_well_known),
        cmocka_unit_test(test_route_find),
        cmocka_unit_test(test_profile_paths),
        cmocka_unit_test(test_prefix_rows),
        cmocka_unit_test(test_optional_rows),
        cmocka_unit_test(test_profile_path_of_a_two_method_endpoint),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
