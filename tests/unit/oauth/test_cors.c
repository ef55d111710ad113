/* Cross-origin reads (oauth/cors.c): the serialized origins of redirect URIs and Origin
 * header values, and which Origin a client's answer may name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "http/router.h"
#include "oauth/cors.h"

struct origin_case {
    const char *in;
    int header;          /* an Origin header value (else a redirect URI) */
    const char *origin;  /* NULL: none */
};

static const struct origin_case cases[] = {
    {"https://app.example/cb", 0, "https://app.example"},
    {"https://App.Example:443/cb?x=1#f", 0, "https://app.example"},
    {"HTTP://127.0.0.1:80/cb", 0, "http://127.0.0.1"},
    {"http://127.0.0.1:5173/cb", 0, "http://127.0.0.1:5173"},
    {"http://localhost:08080/", 0, "http://localhost:8080"},
    {"https://app.example:8443", 0, "https://app.example:8443"},
    {"http://[::1]:9000/cb", 0, "http://[::1]:9000"},
    {"http://[::1]/cb", 0, "http://[::1]"},
    {"https://app.example?q", 0, "https://app.example"},
    /* no web origin */
    {"com.example.app:/cb", 0, NULL},
    {"ftp://app.example/", 0, NULL},
    {"https://*.example.com/cb", 0, NULL},
    {"https://user@app.example/cb", 0, NULL},
    {"https:///cb", 0, NULL},
    {"https://app.example:/cb", 0, NULL},
    {"https://app.example:65536/cb", 0, NULL},
    {"https://app.example:123456/cb", 0, NULL},
    {"https://app.example:8x/cb", 0, NULL},
    {"http://[::1/cb", 0, NULL},
    {"http://a[b]/cb", 0, NULL},
    {"http://[::1]x/cb", 0, NULL},
    {"https://app example/cb", 0, NULL},
    {"https://app.example,evil.example/", 0, NULL},
    {"https://a.example:80:443/cb", 0, NULL}, /* a host of colons: the fuzzer's find */
    /* Origin values: nothing after the authority */
    {"https://app.example", 1, "https://app.example"},
    {"http://127.0.0.1:5173", 1, "http://127.0.0.1:5173"},
    {"https://app.example/", 1, NULL},
    {"https://app.example/cb", 1, NULL},
    {"null", 1, NULL},
    {"", 1, NULL},
    {NULL, 1, NULL},
};

static void test_origins(void **state)
{
    (void)state;
    struct grantd_arena *a = grantd_arena_new(1024);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *got = grantd_cors_origin(a, cases[i].in, cases[i].header);
        if (!cases[i].origin && got)
            fail_msg("'%s': '%s', want none", cases[i].in, got);
        if (cases[i].origin && (!got || strcmp(got, cases[i].origin) != 0))
            fail_msg("'%s': '%s', want '%s'", cases[i].in ? cases[i].in : "(null)",
                     got ? got : "(none)", cases[i].origin);
    }
    grantd_arena_free(a);
}

/* The answer names the Origin only for a CORS_CLIENT route, and only the origin of one of
 * the client's redirect URIs, written as the browser sent it. */
static void test_allow_client(void **state)
{
    (void)state;
    static const char *uris[] = {"com.example.app:/cb", "https://spa.example/cb",
                                 "http://127.0.0.1:5173/callback"};
    struct grantd_client c = {.id = "spa", .redirect_uris = uris, .redirect_uri_count = 3};
    struct grantd_param h[1];
    struct grantd_request req = {.arena = grantd_arena_new(1024)};
    req.headers.items = h;
    req.headers.count = 1;
    static const struct {
        unsigned cors;
        const char *origin;
        int allowed;
    } cases2[] = {
        {GRANTD_ROUTE_CORS_CLIENT, "https://spa.example", 1},
        {GRANTD_ROUTE_CORS_CLIENT, "http://127.0.0.1:5173", 1},
        {GRANTD_ROUTE_CORS_CLIENT, "http://127.0.0.1:5174", 0},
        {GRANTD_ROUTE_CORS_CLIENT, "http://spa.example", 0},
        {GRANTD_ROUTE_CORS_CLIENT, "https://spa.example.evil.example", 0},
        {GRANTD_ROUTE_CORS_CLIENT, "https://evil.example", 0},
        {GRANTD_ROUTE_CORS_CLIENT, "null", 0},
        {0, "https://spa.example", 0}, /* a route that does not take part */
    };
    for (size_t i = 0; i < sizeof(cases2) / sizeof(cases2[0]); i++) {
        h[0] = (struct grantd_param){"origin", cases2[i].origin};
        req.cors = cases2[i].cors;
        req.cors_allow = NULL;
        grantd_cors_allow_client(&req, &c);
        if (cases2[i].allowed)
            assert_ptr_equal(req.cors_allow, cases2[i].origin);
        else
            assert_null(req.cors_allow);
    }
    req.cors = GRANTD_ROUTE_CORS_CLIENT;
    req.headers.count = 0; /* no Origin: a server, not a browser */
    grantd_cors_allow_client(&req, &c);
    assert_null(req.cors_allow);
    grantd_arena_free(req.arena);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_origins),
        cmocka_unit_test(test_allow_client),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
