/* grant_type=authorization_code through POST /token (oauth/grant_code.c), with codes put
 * into the store as /authorize would have: each reason a code is refused, replay (refused,
 * and what the first redemption issued revoked), expiry by the test clock, and the members
 * of a successful answer. */
#include "protocol.h"

/* RFC 7636 Appendix B */
#define VERIFIER "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define CHALLENGE "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
#define PLAIN_VERIFIER "plain-verifier-0123456789-0123456789-0123456789"

struct code_case {
    const char *name;
    const char *issued_to;      /* the code's client */
    const char *redeemer;       /* who authenticates at /token (Basic; SPA: none) */
    int unbound;                /* the code has no redirect_uri (/authorize got none) */
    const char *challenge, *method;
    const char *user;           /* NULL: ALICE */
    int64_t later;              /* seconds the clock moves before the redemption */
    const char *params;         /* after grant_type and code */
    unsigned status;            /* 200: tokens */
    const char *error, *why;
};

static const struct code_case cases[] = {
    {"the happy path", WEB, WEB, 0, NULL, NULL, NULL, 0, "&redirect_uri=" WEB_URI, 200, NULL,
     NULL},
    /* told apart from an unknown code by nothing (issue 16) */
    {"wrong client", OTHER, WEB, 0, NULL, NULL, NULL, 0, "&redirect_uri=" WEB_URI, 400,
     "invalid_grant", "the code is not valid"},
    {"a second before expiry", WEB, WEB, 0, NULL, NULL, NULL, 59, "&redirect_uri=" WEB_URI, 200,
     NULL, NULL},
    {"expired", WEB, WEB, 0, NULL, NULL, NULL, 60, "&redirect_uri=" WEB_URI, 400,
     "invalid_grant", "expired"},
    {"redirect_uri differs", WEB, WEB, 0, NULL, NULL, NULL, 0,
     "&redirect_uri=https://app.example/cb2", 400, "invalid_grant", "redirect_uri does not match"},
    {"redirect_uri omitted", WEB, WEB, 0, NULL, NULL, NULL, 0, "", 400, "invalid_grant",
     "redirect_uri does not match"},
    {"unbound code, redirect_uri omitted", WEB, WEB, 1, NULL, NULL, NULL, 0, "", 200, NULL, NULL},
    {"unbound code, the single registered URI", WEB, WEB, 1, NULL, NULL, NULL, 0,
     "&redirect_uri=" WEB_URI, 200, NULL, NULL},
    {"unbound code, another URI", WEB, WEB, 1, NULL, NULL, NULL, 0,
     "&redirect_uri=https://evil.example/cb", 400, "invalid_grant", "redirect_uri does not"},
    {"unbound code, one of two registered URIs", MULTI, MULTI, 1, NULL, NULL, NULL, 0,
     "&redirect_uri=" WEB_URI, 400, "invalid_grant", "redirect_uri does not match"},
    {"PKCE: S256 verifier", WEB, WEB, 0, CHALLENGE, "S256", NULL, 0,
     "&redirect_uri=" WEB_URI "&code_verifier=" VERIFIER, 200, NULL, NULL},
    {"PKCE: verifier missing", WEB, WEB, 0, CHALLENGE, "S256", NULL, 0, "&redirect_uri=" WEB_URI,
     400, "invalid_grant", "code_verifier is required"},
    {"PKCE: wrong verifier", WEB, WEB, 0, CHALLENGE, "S256", NULL, 0,
     "&redirect_uri=" WEB_URI "&code_verifier=" PLAIN_VERIFIER, 400, "invalid_grant",
     "does not match the code_challenge"},
    {"PKCE: the challenge sent as verifier", WEB, WEB, 0, CHALLENGE, "S256", NULL, 0,
     "&redirect_uri=" WEB_URI "&code_verifier=" CHALLENGE, 400, "invalid_grant",
     "does not match the code_challenge"},
    {"PKCE: verifier without challenge", WEB, WEB, 0, NULL, NULL, NULL, 0,
     "&redirect_uri=" WEB_URI "&code_verifier=" VERIFIER, 400, "invalid_grant",
     "had no code_challenge"},
    {"PKCE: plain, allowed", PLAIN, PLAIN, 0, PLAIN_VERIFIER, "plain", NULL, 0,
     "&redirect_uri=" WEB_URI "&code_verifier=" PLAIN_VERIFIER, 200, NULL, NULL},
    {"PKCE: plain, wrong verifier", PLAIN, PLAIN, 0, PLAIN_VERIFIER, "plain", NULL, 0,
     "&redirect_uri=" WEB_URI "&code_verifier=" VERIFIER, 400, "invalid_grant",
     "does not match"},
    {"public client with PKCE", SPA, SPA, 0, CHALLENGE, "S256", NULL, 0,
     "&redirect_uri=" WEB_URI "&client_id=" SPA "&code_verifier=" VERIFIER, 200, NULL, NULL},
    {"public client, verifier missing", SPA, SPA, 0, CHALLENGE, "S256", NULL, 0,
     "&redirect_uri=" WEB_URI "&client_id=" SPA, 400, "invalid_grant", "code_verifier is"},
    {"disabled user", WEB, WEB, 0, NULL, NULL, BOB, 0, "&redirect_uri=" WEB_URI, 400,
     "invalid_grant", "can no longer sign in"},
    {"deleted user", WEB, WEB, 0, NULL, NULL, "sub-gone", 0, "&redirect_uri=" WEB_URI, 400,
     "invalid_grant", "can no longer sign in"},
};

static const char *mint_text(void)
{
    char *text = grantd_arena_alloc(P.a, GRANTD_OPAQUE_CHARS + 1);
    unsigned char ignored[GRANTD_SHA256_LEN];
    assert_int_equal(grantd_opaque_mint(text, ignored), GRANTD_OK);
    return text;
}

static struct answer redeem_as(const char *client, const char *body)
{
    return token_post(strcmp(client, SPA) == 0 ? NULL : basic(client, SECRET), body);
}

static void run_case(const struct code_case *c)
{
    struct grantd_code k = code_for(c->issued_to);
    k.redirect_uri = c->unbound ? NULL : WEB_URI;
    k.code_challenge = c->challenge;
    k.code_challenge_method = c->method;
    if (c->user)
        k.user_id = c->user;
    const char *text = mint_text();
    put_code(&k, text);
    test_now += c->later;
    struct answer ans = redeem_as(c->redeemer, grantd_arena_printf(
        P.a, "grant_type=authorization_code&code=%s%s", text, c->params));
    if (c->status == 200)
        ans = assert_tokens(ans);
    else
        assert_refused(&ans, c->status, c->error, c->why);
    answer_free(&ans);
}

static void test_cases(void **state)
{
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        print_message("case: %s\n", cases[i].name);
        test_now = T0;
        run_case(&cases[i]);
    }
}

static void test_code_missing_or_unknown(void **state)
{
    struct answer ans = token_post(basic(WEB, SECRET), "grant_type=authorization_code");
    assert_refused(&ans, 400, "invalid_request", "code is required");
    answer_free(&ans);
    ans = token_post(basic(WEB, SECRET),
                     "grant_type=authorization_code&code=nonesuch&redirect_uri=" WEB_URI);
    assert_refused(&ans, 400, "invalid_grant", "not valid");
    answer_free(&ans);
}

/* A second redemption is refused, and every token the first one issued is revoked. */
static void test_replay_revokes_the_first_tokens(void **state)
{
    struct grantd_code k = code_for(WEB);
    const char *text = mint_text();
    put_code(&k, text);
    const char *body = grantd_arena_printf(
        P.a, "grant_type=authorization_code&code=%s&redirect_uri=" WEB_URI, text);
    struct answer first = assert_tokens(token_post(basic(WEB, SECRET), body));
    const char *access = grantd_arena_strdup(P.a, member(&first, "access_token"));
    const char *refresh = grantd_arena_strdup(P.a, member(&first, "refresh_token"));
    answer_free(&first);
    assert_int_equal(token_state(access), TOKEN_LIVE);
    assert_int_equal(token_state(refresh), TOKEN_LIVE);

    test_now += 5;
    struct answer again = token_post(basic(WEB, SECRET), body);
    assert_refused(&again, 400, "invalid_grant", "already used");
    answer_free(&again);
    assert_int_equal(token_state(access), TOKEN_REVOKED);
    assert_int_equal(token_state(refresh), TOKEN_REVOKED);
    /* what the client notices: the first refresh token no longer works */
    struct answer r = token_post(basic(WEB, SECRET), grantd_arena_printf(
        P.a, "grant_type=refresh_token&refresh_token=%s", refresh));
    assert_refused(&r, 400, "invalid_grant", "revoked");
    answer_free(&r);
}

/* A code is consumed before it is checked: a failed attempt burns it. */
static void test_failed_attempt_burns_the_code(void **state)
{
    struct grantd_code k = code_for(WEB);
    k.code_challenge = CHALLENGE;
    k.code_challenge_method = "S256";
    const char *text = mint_text();
    put_code(&k, text);
    const char *base = grantd_arena_printf(
        P.a, "grant_type=authorization_code&code=%s&redirect_uri=" WEB_URI, text);
    struct answer ans = token_post(basic(WEB, SECRET), grantd_arena_printf(
        P.a, "%s&code_verifier=" PLAIN_VERIFIER, base));
    assert_refused(&ans, 400, "invalid_grant", "does not match");
    answer_free(&ans);
    ans = token_post(basic(WEB, SECRET), grantd_arena_printf(
        P.a, "%s&code_verifier=" VERIFIER, base));
    assert_refused(&ans, 400, "invalid_grant", "already used");
    answer_free(&ans);
}

/* RFC 6749 §5.1: the members of a token answer, and expires_in is the configured lifetime. */
static void test_answer_members(void **state)
{
    configure("lifetimes = { access_token = 600; };");
    struct answer ans = tokens_for(WEB, "read write");
    assert_string_equal(member(&ans, "token_type"), "Bearer");
    assert_int_equal(json_integer_value(json_object_get(ans.json, "expires_in")), 600);
    assert_string_equal(member(&ans, "scope"), "read write");
    assert_non_null(member(&ans, "refresh_token"));
    assert_string_not_equal(member(&ans, "refresh_token"), member(&ans, "access_token"));
    assert_string_equal(ans.cache_control, "no-store");
    assert_int_equal(json_object_size(ans.json), 5);
    answer_free(&ans);

    ans = tokens_for(NOREFRESH, "read");
    assert_null(json_object_get(ans.json, "refresh_token")); /* no refresh grant, no token */
    assert_string_equal(member(&ans, "scope"), "read");
    answer_free(&ans);

    ans = tokens_for(WEB, "");
    assert_null(json_object_get(ans.json, "scope")); /* an empty grant has no scope member */
    answer_free(&ans);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        PROTO_TEST(test_cases),
        PROTO_TEST(test_code_missing_or_unknown),
        PROTO_TEST(test_replay_revokes_the_first_tokens),
        PROTO_TEST(test_failed_attempt_burns_the_code),
        PROTO_TEST(test_answer_members),
    };
    return PROTO_RUN(tests);
}
