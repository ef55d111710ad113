/* Rate limits (oauth/ratelimit.h): the arithmetic of the growing delay and of an instance's
 * share of a rate; client authentication per (client, address), which refuses with 429
 * slow_down and Retry-After once over its failures and lets the right secret in from another
 * address; sign-in tries with their growing delay and the reset by the right password; and
 * the introspection rate per client, which starts over with the next second. In process,
 * against the harness's store and clock (protocol.h). */
#include "protocol.h"

#include "oauth/client_auth.h"
#include "oauth/flow.h"
#include "oauth/ratelimit.h"

/* ---- arithmetic ---- */

static void test_delay_grows_and_is_capped(void **state)
{
    (void)state;
    assert_int_equal(grantd_ratelimit_delay(0, 3, 30), 0);
    assert_int_equal(grantd_ratelimit_delay(2, 3, 30), 0);
    assert_int_equal(grantd_ratelimit_delay(3, 3, 30), 1);
    assert_int_equal(grantd_ratelimit_delay(4, 3, 30), 2);
    assert_int_equal(grantd_ratelimit_delay(5, 3, 30), 4);
    assert_int_equal(grantd_ratelimit_delay(7, 3, 30), 16);
    assert_int_equal(grantd_ratelimit_delay(8, 3, 30), 30);
    assert_int_equal(grantd_ratelimit_delay(1000000, 3, 30), 30);
    assert_int_equal(grantd_ratelimit_delay(1, 0, 5), 2); /* failures 0: from the first */
}

static void test_share_of_a_rate(void **state)
{
    (void)state;
    assert_int_equal(grantd_ratelimit_share(100, 0, 0), 100);      /* nothing counted */
    assert_int_equal(grantd_ratelimit_share(100, 100, 100), 100);  /* alone at the rate */
    assert_int_equal(grantd_ratelimit_share(100, 5000, 5000), 100); /* alone, a scan */
    assert_int_equal(grantd_ratelimit_share(100, 400, 200), 50);    /* two alike */
    assert_int_equal(grantd_ratelimit_share(100, 400, 100), 25);
    assert_int_equal(grantd_ratelimit_share(100, 400, 0), 6);       /* the floor: rate / 16 */
    assert_int_equal(grantd_ratelimit_share(10, 400, 0), 1);
}

/* ---- client authentication ---- */

struct got {
    unsigned status;
    const char *error;
    const char *retry_after;
};

static void auth_endpoint(struct grantd_request *req, struct grantd_response *resp)
{
    struct grantd_client_auth auth;
    struct grantd_refusal no;
    grantd_rc rc = grantd_client_authenticate(req, &auth, &no);
    if (rc == GRANTD_OK)
        grantd_response_json(req, resp, 200, json_pack("{s:s}", "client_id", auth.client.id));
    grantd_oauth_answer(req, resp, rc, &no);
}

/* POST /token with Basic credentials from address ip. */
static struct got authenticate(const char *id, const char *secret, const char *ip)
{
    struct grantd_request *req = form_post("/token", basic(id, secret), "");
    req->remote_ip = ip;
    struct grantd_response resp = {0};
    auth_endpoint(req, &resp);
    struct got g = {.status = resp.status};
    json_t *body = json_loadb(resp.body, resp.body_len, 0, NULL);
    const char *e = json_string_value(json_object_get(body, "error"));
    g.error = e ? grantd_arena_strdup(P.a, e) : NULL;
    const char *ra = response_header(&resp, "Retry-After");
    g.retry_after = ra ? grantd_arena_strdup(P.a, ra) : NULL;
    json_decref(body);
    request_free(req);
    return g;
}

static void test_client_failures_meet_429(void **state)
{
    configure("rate_limits = { client = { failures = 3; window = 60; }; };");
    test_now = T0 + 1000; /* a window of its own */
    for (int i = 0; i < 3; i++) {
        struct got g = authenticate(OTHER, "wrong", "192.0.2.7");
        assert_int_equal(g.status, 401);
        assert_string_equal(g.error, "invalid_client");
    }
    for (int i = 0; i < 5; i++) {
        struct got g = authenticate(OTHER, "wrong", "192.0.2.7");
        assert_int_equal(g.status, 429);
        assert_string_equal(g.error, "slow_down");
        assert_string_equal(g.retry_after, "60");
    }
    /* the right secret: refused from the attacker's address, let in from another */
    assert_int_equal(authenticate(OTHER, SECRET, "192.0.2.7").status, 429);
    assert_int_equal(authenticate(OTHER, SECRET, "198.51.100.1").status, 200);
    assert_int_equal(authenticate(WEB, SECRET, "192.0.2.7").status, 200); /* another client */
    test_now += 30;
    assert_string_equal(authenticate(OTHER, SECRET, "192.0.2.7").retry_after, "30");
    test_now += 30; /* the window ended */
    assert_int_equal(authenticate(OTHER, SECRET, "192.0.2.7").status, 200);
    assert_int_equal(authenticate(OTHER, "wrong", "192.0.2.7").status, 401);
    struct grantd_ratelimit_stats s;
    grantd_ratelimit_stats(&s);
    assert_true(s.client_auth >= 7);
}

static void test_client_limit_off(void **state)
{
    configure("rate_limits = { client = { failures = 0; }; };");
    test_now = T0 + 2000;
    for (int i = 0; i < 30; i++)
        assert_int_equal(authenticate(MULTI, "wrong", "192.0.2.8").status, 401);
}

/* ---- sign-in tries ---- */

static int64_t try_password(const char *username, const char *password, int *ok)
{
    struct grantd_request *req = form_post("/login", NULL, "");
    req->remote_ip = "203.0.113.5";
    struct grantd_user u;
    int64_t wait = -1;
    assert_int_equal(grantd_flow_check_password(req, username, password, &u, ok, &wait),
                     GRANTD_OK);
    request_free(req);
    return wait;
}

static void test_sign_in_delay_grows_and_resets(void **state)
{
    configure("rate_limits = { login = { failures = 3; window = 900; max_delay = 8; }; };");
    test_now = T0 + 3000;
    make_user_password("sub-dave", "dave", "dave-password");
    int ok = 1;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(try_password("dave", "wrong", &ok), 0);
        assert_false(ok);
    }
    /* the fourth try must come a second after the third */
    assert_int_equal(try_password("dave", "wrong", &ok), 2); /* too early: counted */
    test_now += 2;
    assert_int_equal(try_password("dave", "wrong", &ok), 0); /* checked, wrong */
    assert_int_equal(try_password("dave", "dave-password", &ok), 8); /* too early */
    assert_false(ok);
    /* another account from the same address is not delayed */
    assert_int_equal(try_password("nobody", "wrong", &ok), 0);
    test_now += 8;
    assert_int_equal(try_password("dave", "dave-password", &ok), 0);
    assert_true(ok);
    /* the right password forgot the counter */
    assert_int_equal(try_password("dave", "wrong", &ok), 0);
    assert_int_equal(try_password("dave", "wrong", &ok), 0);
}

static void test_sign_in_per_address(void **state)
{
    configure("rate_limits = { login = { failures = 0; }; "
              "address = { failures = 4; window = 120; }; };");
    test_now = T0 + 4000;
    make_user_password("sub-erin", "erin", "erin-password");
    int ok;
    for (int i = 0; i < 4; i++)
        assert_int_equal(try_password(grantd_arena_printf(P.a, "user%d", i), "x", &ok), 0);
    assert_int_equal(try_password("user9", "x", &ok), 120);
    assert_int_equal(try_password("erin", "erin-password", &ok), 120);
    test_now += 120;
    assert_int_equal(try_password("erin", "erin-password", &ok), 0);
    assert_true(ok);
}

/* ---- introspection rate ---- */

static unsigned introspect_status(void)
{
    struct got g = {0};
    struct grantd_request *req = form_post("/introspect", basic(API, SECRET), "token=nothing");
    struct grantd_response resp = {0};
    grantd_introspect_endpoint(req, &resp);
    g.status = resp.status;
    request_free(req);
    return g.status;
}

static void test_introspection_rate(void **state)
{
    configure("rate_limits = { introspect = { rate = 5; }; };");
    test_now = T0 + 5000;
    for (int i = 0; i < 5; i++)
        assert_int_equal(introspect_status(), 200);
    assert_int_equal(introspect_status(), 429);
    assert_int_equal(introspect_status(), 429);
    test_now += 1; /* alone on the store: the whole rate again */
    for (int i = 0; i < 5; i++)
        assert_int_equal(introspect_status(), 200);
    assert_int_equal(introspect_status(), 429);
    test_now += 1;
    assert_int_equal(introspect_status(), 200);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_delay_grows_and_is_capped),
        cmocka_unit_test(test_share_of_a_rate),
        PROTO_TEST(test_client_failures_meet_429),
        PROTO_TEST(test_client_limit_off),
        PROTO_TEST(test_sign_in_delay_grows_and_resets),
        PROTO_TEST(test_sign_in_per_address),
        PROTO_TEST(test_introspection_rate),
    };
    return PROTO_RUN(tests);
}
