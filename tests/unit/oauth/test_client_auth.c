/* Client authentication (oauth/client_auth.c) as a client of the token endpoint sees it:
 * every way it fails, with the error, status and challenge it gets (a Basic challenge only
 * when Basic was tried, RFC 6749 §5.2), and the three ways it succeeds. */
#include "protocol.h"

#include "oauth/client_auth.h"

/* Answers what grantd_client_authenticate decided, as the endpoints do: the refusal through
 * grantd_oauth_answer, a success as {"client_id", "method"}. */
static void auth_endpoint(struct grantd_request *req, struct grantd_response *resp)
{
    struct grantd_client_auth auth;
    struct grantd_refusal no;
    grantd_rc rc = grantd_client_authenticate(req, &auth, &no);
    if (rc == GRANTD_OK) {
        json_t *body = json_pack("{s:s,s:i}", "client_id", auth.client.id, "method",
                                 (int)auth.method);
        grantd_response_json(req, resp, 200, body);
        return;
    }
    grantd_oauth_answer(req, resp, rc, &no);
}

#define BASIC_CHALLENGE "Basic realm=\"grantd\", charset=\"UTF-8\""

struct refusal_case {
    const char *name;
    const char *basic_id, *basic_secret; /* Basic credentials; NULL: none */
    const char *header;                  /* a raw Authorization header instead */
    const char *body;
    unsigned status;
    const char *error, *why;
    int challenge;                       /* 1: Basic challenge expected; 0: none */
};

static const struct refusal_case refusals[] = {
    {"no credentials", NULL, NULL, NULL, "grant_type=authorization_code", 401, "invalid_client",
     "client authentication is required", 0},
    {"a Bearer header is no client authentication", NULL, NULL, "Bearer abc",
     "grant_type=authorization_code", 401, "invalid_client", "authentication is required", 0},
    {"Basic and client_secret in the body", WEB, SECRET, NULL, "client_secret=" SECRET, 400,
     "invalid_request", "more than one method", 0},
    {"Basic and client_id + client_secret in the body", WEB, SECRET, NULL,
     "client_id=" WEB "&client_secret=" SECRET, 400, "invalid_request", "more than one method",
     0},
    {"repeated client_id", NULL, NULL, NULL, "client_id=" WEB "&client_id=" WEB
     "&client_secret=" SECRET, 400, "invalid_request", "repeated", 0},
    {"repeated client_secret", NULL, NULL, NULL, "client_id=" WEB "&client_secret=" SECRET
     "&client_secret=" SECRET, 400, "invalid_request", "repeated", 0},
    {"malformed Basic: not base64", NULL, NULL, "Basic !!!", "", 401, "invalid_client",
     "malformed Basic", 1},
    {"malformed Basic: no colon", NULL, NULL, "Basic d2Vi" /* "web" */, "", 401,
     "invalid_client", "malformed Basic", 1},
    {"malformed Basic: empty client id", "", SECRET, NULL, "", 401, "invalid_client",
     "malformed Basic", 1},
    {"body client_id differs from Basic", WEB, SECRET, NULL, "client_id=" OTHER, 400,
     "invalid_request", "differs from the Authorization header", 0},
    {"unknown client, Basic", "nobody", SECRET, NULL, "", 401, "invalid_client",
     "authentication failed", 1},
    {"unknown client, post", NULL, NULL, NULL, "client_id=nobody&client_secret=" SECRET, 401,
     "invalid_client", "authentication failed", 0},
    {"unknown client, none", NULL, NULL, NULL, "client_id=nobody", 401, "invalid_client",
     "authentication failed", 0},
    {"wrong secret, Basic", WEB, "wrong", NULL, "", 401, "invalid_client",
     "authentication failed", 1},
    {"wrong secret, post", NULL, NULL, NULL, "client_id=" WEB "&client_secret=wrong", 401,
     "invalid_client", "authentication failed", 0},
    {"empty secret, Basic", WEB, "", NULL, "", 401, "invalid_client", "authentication failed",
     1},
    {"empty secret, post", NULL, NULL, NULL, "client_id=" WEB "&client_secret=", 401,
     "invalid_client", "authentication failed", 0},
    {"disabled client, Basic", OFF, SECRET, NULL, "", 401, "invalid_client",
     "authentication failed", 1},
    {"disabled client, post", NULL, NULL, NULL, "client_id=" OFF "&client_secret=" SECRET, 401,
     "invalid_client", "authentication failed", 0},
    {"public client with a secret, post", NULL, NULL, NULL, "client_id=" SPA "&client_secret=x",
     401, "invalid_client", "authentication failed", 0},
    {"public client with a secret, Basic", SPA, "x", NULL, "", 401, "invalid_client",
     "authentication failed", 1},
    {"public client with an empty secret, Basic", SPA, "", NULL, "", 401, "invalid_client",
     "authentication failed", 1},
    {"confidential client with none", NULL, NULL, NULL, "client_id=" WEB, 401, "invalid_client",
     "authentication failed", 0},
};

static const char *header_of(const char *id, const char *secret, const char *raw)
{
    return id ? basic(id, secret) : raw;
}

static void test_refusals(void **state)
{
    for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
        const struct refusal_case *c = &refusals[i];
        print_message("case: %s\n", c->name);
        struct answer ans = run_handler(
            auth_endpoint,
            form_post("/token", header_of(c->basic_id, c->basic_secret, c->header), c->body));
        assert_refused(&ans, c->status, c->error, c->why);
        if (c->challenge && (!ans.challenge || strcmp(ans.challenge, BASIC_CHALLENGE) != 0))
            fail_msg("%s: challenge '%s'", c->name, ans.challenge ? ans.challenge : "(none)");
        if (!c->challenge && ans.challenge)
            fail_msg("%s: unexpected challenge '%s'", c->name, ans.challenge);
        answer_free(&ans);
    }
}

struct success_case {
    const char *name;
    const char *basic_id, *basic_secret;
    const char *body;
    const char *client_id;
    enum grantd_client_auth_method method;
};

static const struct success_case successes[] = {
    {"client_secret_basic", WEB, SECRET, "grant_type=x", WEB, GRANTD_AUTH_CLIENT_SECRET_BASIC},
    {"client_secret_basic, body repeats the client_id", WEB, SECRET, "client_id=" WEB, WEB,
     GRANTD_AUTH_CLIENT_SECRET_BASIC},
    {"client_secret_post", NULL, NULL, "client_id=" WEB "&client_secret=" SECRET, WEB,
     GRANTD_AUTH_CLIENT_SECRET_POST},
    {"none, public client", NULL, NULL, "client_id=" SPA, SPA, GRANTD_AUTH_NONE},
};

static void test_successes(void **state)
{
    for (size_t i = 0; i < sizeof(successes) / sizeof(successes[0]); i++) {
        const struct success_case *c = &successes[i];
        print_message("case: %s\n", c->name);
        const char *h = c->basic_id ? basic(c->basic_id, c->basic_secret) : NULL;
        struct answer ans = run_handler(auth_endpoint, form_post("/token", h, c->body));
        if (ans.status != 200)
            fail_msg("%s: %u %s", c->name, ans.status, ans.body);
        assert_string_equal(member(&ans, "client_id"), c->client_id);
        assert_int_equal(json_integer_value(json_object_get(ans.json, "method")), c->method);
        answer_free(&ans);
    }
}

/* Basic credentials are form-urlencoded before base64 (RFC 6749 §2.3.1): a secret with
 * reserved characters is sent encoded and matched decoded. */
static void test_basic_credentials_are_urldecoded(void **state)
{
    struct answer ans = run_handler(auth_endpoint, form_post("/token", basic("w%65b", SECRET),
                                                             ""));
    assert_int_equal(ans.status, 200);
    assert_string_equal(member(&ans, "client_id"), WEB);
    answer_free(&ans);
}

/* The token endpoint refuses before it looks at the grant: what a client actually gets. */
static void test_token_endpoint_authenticates_first(void **state)
{
    struct answer ans = token_post(basic(WEB, "wrong"), "grant_type=authorization_code&code=x");
    assert_refused(&ans, 401, "invalid_client", "authentication failed");
    assert_string_equal(ans.challenge, BASIC_CHALLENGE);
    answer_free(&ans);
    ans = token_post(NULL, "grant_type=authorization_code&code=x&client_id=" WEB);
    assert_refused(&ans, 401, "invalid_client", NULL);
    assert_null(ans.challenge);
    answer_free(&ans);
    /* an authenticated client without the grant: unauthorized_client, not invalid_client */
    ans = token_post(basic(M2M, SECRET), "grant_type=authorization_code&code=x");
    assert_refused(&ans, 400, "unauthorized_client", NULL);
    answer_free(&ans);
    ans = token_post(basic(WEB, SECRET), "grant_type=password&username=a&password=b");
    assert_refused(&ans, 400, "unsupported_grant_type", NULL);
    answer_free(&ans);
    ans = token_post(basic(WEB, SECRET), "code=x");
    assert_refused(&ans, 400, "invalid_request", "grant_type is required");
    answer_free(&ans);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        PROTO_TEST(test_refusals),
        PROTO_TEST(test_successes),
        PROTO_TEST(test_basic_credentials_are_urldecoded),
        PROTO_TEST(test_token_endpoint_authenticates_first),
    };
    return PROTO_RUN(tests);
}
