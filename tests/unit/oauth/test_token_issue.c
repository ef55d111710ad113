/* The token answer (oauth/token_issue.c, RFC 6749 §5.1) and what an issuer's profile adds:
 * the token_type spelling, more members carrying the access token, the account member, the
 * lifetimes that apply (the client's own, else the issuer's). */
#include "protocol.h"

#include "oauth/token_issue.h"

struct shape_case {
    const char *name;
    const char *settings;      /* issuer settings over the defaults; NULL: none */
    int64_t client_access_ttl; /* 0: the issuer's */
    const char *scope;
    int with_refresh;
    const char *account;
    const char *token_type;    /* expected */
    int64_t expires_in;        /* expected */
    const char *alias;         /* a member expected to repeat access_token; NULL: none */
    const char *account_member; /* expected to carry account; NULL: none */
    size_t members;            /* expected member count */
};

static const struct shape_case cases[] = {
    {"standard", NULL, 0, "read write", 1, NULL, "Bearer", 3600, NULL, NULL, 5},
    {"no refresh token", NULL, 0, "read", 0, NULL, "Bearer", 3600, NULL, NULL, 4},
    {"empty scope: no scope member", NULL, 0, "", 1, NULL, "Bearer", 3600, NULL, NULL, 4},
    {"issuer lifetime", "lifetimes = { access_token = 120; };", 0, "read", 0, NULL, "Bearer",
     120, NULL, NULL, 4},
    {"the client's lifetime wins", "lifetimes = { access_token = 120; };", 45, "read", 0, NULL,
     "Bearer", 45, NULL, NULL, 4},
    {"profile token_type spelling", "profile = { token_type = \"bearer\"; };", 0, "read", 0,
     NULL, "bearer", 3600, NULL, NULL, 4},
    {"access_token alias", "profile = { access_token_aliases = [\"token\"]; };", 0, "read", 1,
     NULL, "Bearer", 3600, "token", NULL, 6},
    {"account member", "account_member = \"account\";", 0, "read", 0, "acct-7", "Bearer",
     3600, NULL, "account", 5},
    {"account member, user without account", "account_member = \"account\";", 0, "read", 0,
     NULL, "Bearer", 3600, NULL, NULL, 4},
};

static json_t *prepared_answer(const struct shape_case *c, struct grantd_issued *issued)
{
    struct grantd_client client = {.tenant = GRANTD_DEFAULT_TENANT, .id = WEB, .scope = "read",
                                   .access_ttl = c->client_access_ttl};
    struct grantd_token_grant g = {
        .client = &client, .user_id = ALICE, .account = c->account, .scope = c->scope,
        .family = "fam", .with_refresh = c->with_refresh,
    };
    struct grantd_request *req = request_new("POST");
    assert_int_equal(grantd_token_prepare(req, &g, issued), GRANTD_OK);
    json_error_t err;
    json_t *body = json_loadb(issued->body, issued->body_len, 0, &err);
    if (!body)
        fail_msg("%s: not JSON: %s", c->name, err.text);
    assert_int_equal(issued->count, c->with_refresh ? 2 : 1);
    assert_int_equal(issued->tokens[0].expires_at, test_now + c->expires_in);
    request_free(req);
    return body;
}

static void check_shape(const struct shape_case *c, json_t *body)
{
    const char *access = json_string_value(json_object_get(body, "access_token"));
    assert_non_null(access);
    assert_string_equal(json_string_value(json_object_get(body, "token_type")), c->token_type);
    assert_int_equal(json_integer_value(json_object_get(body, "expires_in")), c->expires_in);
    json_t *scope = json_object_get(body, "scope");
    if (*c->scope)
        assert_string_equal(json_string_value(scope), c->scope);
    else
        assert_null(scope);
    assert_int_equal(json_object_get(body, "refresh_token") != NULL, c->with_refresh);
    if (c->alias)
        assert_string_equal(json_string_value(json_object_get(body, c->alias)), access);
    if (c->account_member)
        assert_string_equal(json_string_value(json_object_get(body, c->account_member)),
                            c->account);
    if (json_object_size(body) != c->members)
        fail_msg("%s: %zu members", c->name, json_object_size(body));
}

static void test_answer_shape(void **state)
{
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct shape_case *c = &cases[i];
        print_message("case: %s\n", c->name);
        grantd_config_free(&P.cfg);
        grantd_config_defaults(&P.cfg);
        if (c->settings)
            configure(c->settings);
        struct grantd_issued issued;
        json_t *body = prepared_answer(c, &issued);
        check_shape(c, body);
        json_decref(body);
    }
}

/* The profile reaches what a client of /token gets, and what is answered is what is stored:
 * the access token in the answer is the one the store knows. */
static void test_profile_reaches_the_token_endpoint(void **state)
{
    configure("profile = { token_type = \"bearer\"; access_token_aliases = [\"token\"]; };");
    struct answer ans = tokens_for(WEB, "read");
    assert_string_equal(member(&ans, "token_type"), "bearer");
    assert_string_equal(member(&ans, "token"), member(&ans, "access_token"));
    assert_int_equal(token_state(member(&ans, "access_token")), TOKEN_LIVE);
    assert_int_equal(token_state(member(&ans, "refresh_token")), TOKEN_LIVE);
    answer_free(&ans);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        PROTO_TEST(test_answer_shape),
        PROTO_TEST(test_profile_reaches_the_token_endpoint),
    };
    return PROTO_RUN(tests);
}
