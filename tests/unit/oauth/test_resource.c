/* Resource indicators (RFC 8707; oauth/resource.c and the grants that use it): which URIs
 * are resource indicators, /authorize's check against the client's registered resources,
 * /token's selection among what the code or refresh token was granted (narrowing), client
 * credentials against the client's resources, the audience stored with each token, and the
 * judge's audience rule for opaque tokens (check.c). Each bad input and its invalid_target. */
#include "protocol.h"

#include "oauth/authz_request.h"
#include "oauth/check.h"
#include "oauth/resource.h"

/* ---- what a resource indicator is ----------------------------------------------------- */

static void test_problem(void **state)
{
    static const struct {
        const char *uri;
        const char *why; /* NULL: a resource indicator */
    } cases[] = {
        {"https://api.example/orders", NULL},
        {"https://api.example", NULL},
        {"urn:example:billing", NULL},
        {"https://api.example/v1?tenant=7", NULL}, /* RFC 8707 §2: SHOULD NOT, not MUST NOT */
        {"/orders", "absolute URI"},
        {"api.example/orders", "absolute URI"},
        {"https:", "absolute URI"},
        {"1https://api.example/", "absolute URI"},
        {"https://api.example/#top", "fragment"},
        {"https://api.example/a b", "no spaces"},
        {"https://api.example/\"x\"", "no spaces"},
        {"https://api.example/\\x", "no spaces"},
        {"https://api.example/\xc3\xa9", "no spaces"},
        {"", "1 to 2048"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *why = grantd_resource_problem(cases[i].uri);
        if (!cases[i].why != !why || (why && !strstr(why, cases[i].why)))
            fail_msg("%s: want %s, got %s", cases[i].uri, cases[i].why ? cases[i].why : "ok",
                     why ? why : "ok");
    }
    char big[GRANTD_RESOURCE_MAX_LEN + 2];
    memset(big, 'a', sizeof(big) - 1);
    memcpy(big, "https://", 8);
    big[sizeof(big) - 1] = '\0';
    assert_non_null(grantd_resource_problem(big));
    big[sizeof(big) - 2] = '\0';
    assert_null(grantd_resource_problem(big));
}

/* ---- /authorize -------------------------------------------------------------------------- */

#define AUTHZ(client) "response_type=code&redirect_uri=" WEB_URI "&client_id=" client
#define A_ENC "https%3A%2F%2Fa.example%2Fapi"
#define B_ENC "https%3A%2F%2Fb.example%2Fapi"

static void test_authorize(void **state)
{
    static const struct {
        const char *name, *query;
        const char *resources; /* valid: what the code will remember; NULL: refused */
        const char *why;
    } cases[] = {
        {"none", AUTHZ(API), "", NULL},
        {"one", AUTHZ(API) "&resource=" A_ENC, API_A, NULL},
        {"two, repeated parameter", AUTHZ(API) "&resource=" B_ENC "&resource=" A_ENC,
         API_B " " API_A, NULL},
        {"the same twice", AUTHZ(API) "&resource=" A_ENC "&resource=" A_ENC, API_A, NULL},
        {"an empty one is absent", AUTHZ(API) "&resource=", "", NULL},
        {"not registered", AUTHZ(API) "&resource=https%3A%2F%2Fc.example%2Fapi", NULL,
         "may not be asked for"},
        {"a prefix of a registered one", AUTHZ(API) "&resource=https%3A%2F%2Fa.example", NULL,
         "may not be asked for"},
        {"relative", AUTHZ(API) "&resource=%2Fapi", NULL, "absolute URI"},
        {"fragment", AUTHZ(API) "&resource=" A_ENC "%23x", NULL, "fragment"},
        {"a client with no resources", AUTHZ(WEB) "&resource=" A_ENC, NULL,
         "may not be asked for"},
        {"other parameters still may not repeat",
         AUTHZ(API) "&resource=" A_ENC "&resource=" B_ENC "&state=1&state=2", NULL, "repeated"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        print_message("case: %s\n", cases[i].name);
        struct grantd_request *req = request_new("GET");
        struct grantd_authz a;
        assert_int_equal(grantd_authz_validate(req, cases[i].query, &a), GRANTD_OK);
        if (cases[i].resources) {
            assert_int_equal(a.outcome, GRANTD_AUTHZ_VALID);
            assert_string_equal(a.resources, cases[i].resources);
        } else {
            assert_int_equal(a.outcome, GRANTD_AUTHZ_REDIRECT); /* to the client, with state */
            assert_int_equal(a.error, strstr(cases[i].why, "repeated")
                                          ? GRANTD_OAUTH_INVALID_REQUEST
                                          : GRANTD_OAUTH_INVALID_TARGET);
            assert_non_null(strstr(a.why, cases[i].why));
        }
        request_free(req);
    }
}

/* ---- /token: the code's resources, narrowed -------------------------------------------- */

/* A fresh code of API for ALICE that named the resources (space-separated). */
static const char *api_code(const char *resources)
{
    struct grantd_code k = code_for(API);
    k.resources = resources;
    char *text = grantd_arena_alloc(P.a, GRANTD_OPAQUE_CHARS + 1);
    unsigned char ignored[GRANTD_SHA256_LEN];
    assert_int_equal(grantd_opaque_mint(text, ignored), GRANTD_OK);
    put_code(&k, text);
    return text;
}

static struct answer redeem(const char *code, const char *extra)
{
    return token_post(basic(API, SECRET),
                      grantd_arena_printf(P.a,
                                          "grant_type=authorization_code&code=%s"
                                          "&redirect_uri=%s%s",
                                          code, WEB_URI, extra));
}

static void test_code_selects(void **state)
{
    static const struct {
        const char *name, *granted, *extra;
        const char *access, *refresh; /* stored audiences; NULL: invalid_target */
        const char *why;
    } cases[] = {
        {"none named, none asked: for the issuer", "", "", "", "", NULL},
        {"none asked: all named", API_A " " API_B, "", API_A " " API_B, API_A " " API_B, NULL},
        {"one of them", API_A " " API_B, "&resource=" B_ENC, API_B, API_A " " API_B, NULL},
        {"both, in the request's order", API_A " " API_B, "&resource=" B_ENC "&resource=" A_ENC,
         API_B " " API_A, API_A " " API_B, NULL},
        {"one the code did not name", API_A, "&resource=" B_ENC, NULL, NULL,
         "may not be asked for"},
        {"the client may, but /authorize named none", "", "&resource=" A_ENC, NULL, NULL,
         "may not be asked for"},
        {"malformed", API_A, "&resource=a.example", NULL, NULL, "absolute URI"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        print_message("case: %s\n", cases[i].name);
        struct answer ans = redeem(api_code(cases[i].granted), cases[i].extra);
        if (!cases[i].access) {
            assert_refused(&ans, 400, "invalid_target", cases[i].why);
        } else {
            assert_tokens(ans);
            assert_string_equal(stored_audience(member(&ans, "access_token")), cases[i].access);
            assert_string_equal(stored_audience(member(&ans, "refresh_token")),
                                cases[i].refresh);
        }
        answer_free(&ans);
    }
}

static struct answer refresh(const char *rt, const char *extra)
{
    return token_post(basic(API, SECRET),
                      grantd_arena_printf(P.a, "grant_type=refresh_token&refresh_token=%s%s",
                                          rt, extra));
}

/* Each refresh may select among the granted resources; the refresh token keeps them all. */
static void test_refresh_narrows(void **state)
{
    struct answer first = assert_tokens(redeem(api_code(API_A " " API_B), "&resource=" A_ENC));
    const char *rt = grantd_arena_strdup(P.a, member(&first, "refresh_token"));
    answer_free(&first);
    struct answer bad = refresh(rt, "&resource=https%3A%2F%2Fc.example%2Fapi");
    assert_refused(&bad, 400, "invalid_target", "may not be asked for");
    answer_free(&bad);
    struct answer b = assert_tokens(refresh(rt, "&resource=" B_ENC));
    assert_string_equal(stored_audience(member(&b, "access_token")), API_B);
    const char *rt2 = grantd_arena_strdup(P.a, member(&b, "refresh_token"));
    assert_string_equal(stored_audience(rt2), API_A " " API_B);
    answer_free(&b);
    struct answer all = assert_tokens(refresh(rt2, ""));
    assert_string_equal(stored_audience(member(&all, "access_token")), API_A " " API_B);
    answer_free(&all);
}

/* A grant with no resources stays one: a refresh cannot add one. */
static void test_refresh_without_resources(void **state)
{
    struct answer first = assert_tokens(redeem(api_code(""), ""));
    const char *rt = grantd_arena_strdup(P.a, member(&first, "refresh_token"));
    answer_free(&first);
    struct answer bad = refresh(rt, "&resource=" A_ENC);
    assert_refused(&bad, 400, "invalid_target", NULL);
    answer_free(&bad);
    struct answer ok = assert_tokens(refresh(rt, ""));
    assert_string_equal(stored_audience(member(&ok, "access_token")), "");
    answer_free(&ok);
}

/* ---- client credentials ------------------------------------------------------------------ */

static void test_client_credentials(void **state)
{
    static const struct {
        const char *client, *extra;
        const char *audience; /* NULL: invalid_target */
    } cases[] = {
        {API, "", ""},
        {API, "&resource=" A_ENC, API_A},
        {API, "&resource=" A_ENC "&resource=" B_ENC, API_A " " API_B},
        {API, "&resource=https%3A%2F%2Fc.example%2Fapi", NULL},
        {API, "&resource=" A_ENC "%23frag", NULL},
        {M2M, "&resource=" A_ENC, NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        print_message("case: %s %s\n", cases[i].client, cases[i].extra);
        struct answer ans = token_post(
            basic(cases[i].client, SECRET),
            grantd_arena_printf(P.a, "grant_type=client_credentials%s", cases[i].extra));
        if (!cases[i].audience) {
            assert_refused(&ans, 400, "invalid_target", NULL);
        } else {
            assert_tokens(ans);
            assert_string_equal(stored_audience(member(&ans, "access_token")),
                                cases[i].audience);
        }
        answer_free(&ans);
    }
}

/* ---- the judge's audience (check.c), opaque tokens --------------------------------------- */

static struct grantd_check judge(const char *token, const char *audience)
{
    struct grantd_request *req = request_new("GET");
    struct grantd_check_need need = {NULL, 0, audience};
    struct grantd_check v;
    assert_int_equal(grantd_check_token(req, token, &need, &v), GRANTD_OK);
    request_free(req);
    return v;
}

static void test_check_audience(void **state)
{
    struct answer for_a = assert_tokens(token_post(basic(API, SECRET),
                                                   "grant_type=client_credentials&resource="
                                                   A_ENC));
    struct answer plain = assert_tokens(token_post(basic(API, SECRET),
                                                   "grant_type=client_credentials"));
    const char *a = member(&for_a, "access_token"), *none = member(&plain, "access_token");
    assert_true(judge(a, NULL).ok);
    assert_true(judge(a, API_A).ok);
    struct grantd_check v = judge(a, API_B);
    assert_false(v.ok);
    assert_int_equal(v.reason, GRANTD_CHECK_INVALID);
    assert_false(judge(a, "https://a.example").ok);     /* whole URIs, not prefixes */
    assert_false(judge(a, P.iss.url).ok);               /* not for the issuer any more */
    assert_true(judge(none, NULL).ok);
    assert_false(judge(none, API_A).ok);                /* opaque, for none: meets none */
    assert_false(judge(none, P.iss.url).ok);
    test_now += 3600;                                   /* dead is dead, whatever it is for */
    assert_int_equal(judge(a, API_A).reason, GRANTD_CHECK_EXPIRED);
    answer_free(&for_a);
    answer_free(&plain);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        PROTO_TEST(test_problem),
        PROTO_TEST(test_authorize),
        PROTO_TEST(test_code_selects),
        PROTO_TEST(test_refresh_narrows),
        PROTO_TEST(test_refresh_without_resources),
        PROTO_TEST(test_client_credentials),
        PROTO_TEST(test_check_audience),
    };
    return PROTO_RUN(tests);
}
