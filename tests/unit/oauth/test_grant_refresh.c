/* grant_type=refresh_token through POST /token (oauth/grant_refresh.c): each refusal,
 * rotation (a new pair, the old refresh token dead), reuse of a rotated token (the whole
 * family revoked), scope narrowing and widening, and the grace window in which a replay gets
 * the first answer byte for byte. Every token comes from a real code redemption. */
#include "protocol.h"

/* What happens to the refresh token before it is presented. */
enum before { AS_ISSUED, REVOKED, ACCESS_INSTEAD, UNKNOWN, USER_DISABLED };

struct refusal_case {
    const char *name;
    const char *presenter;
    enum before before;
    int64_t later;        /* seconds the clock moves (refresh tokens live 3600 s here) */
    const char *params;   /* after grant_type and refresh_token */
    unsigned status;      /* 200: tokens */
    const char *error, *why;
};

static const struct refusal_case cases[] = {
    {"as issued", WEB, AS_ISSUED, 0, "", 200, NULL, NULL},
    /* told apart from an unknown token by nothing (issue 16) */
    {"another client's token", OTHER, AS_ISSUED, 0, "", 400, "invalid_grant",
     "the refresh token is not valid"},
    {"a second before expiry", WEB, AS_ISSUED, 3599, "", 200, NULL, NULL},
    {"expired", WEB, AS_ISSUED, 3600, "", 400, "invalid_grant", "expired"},
    {"revoked", WEB, REVOKED, 0, "", 400, "invalid_grant", "revoked"},
    {"an access token", WEB, ACCESS_INSTEAD, 0, "", 400, "invalid_grant", "not valid"},
    {"unknown", WEB, UNKNOWN, 0, "", 400, "invalid_grant", "not valid"},
    {"the user was disabled", WEB, USER_DISABLED, 0, "", 400, "invalid_grant",
     "can no longer sign in"},
    {"narrower scope", WEB, AS_ISSUED, 0, "&scope=read", 200, NULL, NULL},
    {"same scope, reordered", WEB, AS_ISSUED, 0, "&scope=write%20read", 200, NULL, NULL},
    {"wider scope", WEB, AS_ISSUED, 0, "&scope=read%20admin", 400, "invalid_scope",
     "'admin'"},
    {"malformed scope", WEB, AS_ISSUED, 0, "&scope=read%22", 400, "invalid_scope",
     "malformed"},
    {"repeated refresh_token", WEB, AS_ISSUED, 0, "&refresh_token=x", 400, "invalid_request",
     "repeated"},
};

static const char *refresh_body(const char *token, const char *params)
{
    return grantd_arena_printf(P.a, "grant_type=refresh_token&refresh_token=%s%s", token,
                               params);
}

/* The refresh token of a fresh grant to WEB (scope "read write"), or with before == ... */
static const char *token_to_present(enum before before)
{
    struct answer ans = tokens_of(WEB, before == USER_DISABLED ? CAROL : ALICE, "read write");
    const char *refresh = grantd_arena_strdup(P.a, member(&ans, "refresh_token"));
    const char *access = grantd_arena_strdup(P.a, member(&ans, "access_token"));
    answer_free(&ans);
    if (before == REVOKED)
        revoke_token(refresh);
    if (before == USER_DISABLED)
        disable_user("carol");
    return before == ACCESS_INSTEAD ? access : before == UNKNOWN ? "nonesuch" : refresh;
}

static void test_cases(void **state)
{
    configure("lifetimes = { refresh_token = 3600; };");
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct refusal_case *c = &cases[i];
        print_message("case: %s\n", c->name);
        test_now = T0;
        const char *token = token_to_present(c->before);
        test_now += c->later;
        struct answer ans = token_post(basic(c->presenter, SECRET),
                                       refresh_body(token, c->params));
        if (c->status == 200)
            ans = assert_tokens(ans);
        else
            assert_refused(&ans, c->status, c->error, c->why);
        answer_free(&ans);
    }
}

static void test_refresh_token_required(void **state)
{
    struct answer ans = token_post(basic(WEB, SECRET), "grant_type=refresh_token");
    assert_refused(&ans, 400, "invalid_request", "refresh_token is required");
    answer_free(&ans);
}

/* Each use gives a new pair; the old refresh token is then rotated, and the new one works. */
static void test_rotation(void **state)
{
    struct answer first = tokens_for(WEB, "read write");
    const char *r1 = grantd_arena_strdup(P.a, member(&first, "refresh_token"));
    const char *a1 = grantd_arena_strdup(P.a, member(&first, "access_token"));
    answer_free(&first);
    test_now += 10;
    struct answer second = assert_tokens(token_post(basic(WEB, SECRET), refresh_body(r1, "")));
    const char *r2 = grantd_arena_strdup(P.a, member(&second, "refresh_token"));
    assert_non_null(r2);
    assert_string_not_equal(r2, r1);
    assert_string_not_equal(member(&second, "access_token"), a1);
    assert_string_equal(member(&second, "scope"), "read write");
    answer_free(&second);
    assert_int_equal(token_state(r1), TOKEN_ROTATED);
    assert_int_equal(token_state(r2), TOKEN_LIVE);
    assert_int_equal(token_state(a1), TOKEN_LIVE); /* rotation leaves the access token be */
    struct answer third = assert_tokens(token_post(basic(WEB, SECRET), refresh_body(r2, "")));
    answer_free(&third);
}

/* A rotated token presented again (no grace window): refused, and the family revoked, so
 * the successor the thief or the client holds is dead too. */
static void test_reuse_revokes_the_family(void **state)
{
    struct answer first = tokens_for(WEB, "read write");
    const char *r1 = grantd_arena_strdup(P.a, member(&first, "refresh_token"));
    answer_free(&first);
    struct answer second = assert_tokens(token_post(basic(WEB, SECRET), refresh_body(r1, "")));
    const char *r2 = grantd_arena_strdup(P.a, member(&second, "refresh_token"));
    const char *a2 = grantd_arena_strdup(P.a, member(&second, "access_token"));
    answer_free(&second);
    test_now += 1;
    struct answer reuse = token_post(basic(WEB, SECRET), refresh_body(r1, ""));
    assert_refused(&reuse, 400, "invalid_grant", "already used");
    answer_free(&reuse);
    assert_int_equal(token_state(r2), TOKEN_REVOKED);
    assert_int_equal(token_state(a2), TOKEN_REVOKED);
    struct answer late = token_post(basic(WEB, SECRET), refresh_body(r2, ""));
    assert_refused(&late, 400, "invalid_grant", "revoked");
    answer_free(&late);
}

/* A narrowed access token; the new refresh token keeps the whole grant (RFC 6749 §6). */
static void test_narrowing_keeps_the_grant(void **state)
{
    struct answer first = tokens_for(WEB, "read write");
    const char *r1 = grantd_arena_strdup(P.a, member(&first, "refresh_token"));
    answer_free(&first);
    struct answer narrow =
        assert_tokens(token_post(basic(WEB, SECRET), refresh_body(r1, "&scope=read")));
    assert_string_equal(member(&narrow, "scope"), "read");
    const char *r2 = grantd_arena_strdup(P.a, member(&narrow, "refresh_token"));
    answer_free(&narrow);
    struct answer back =
        assert_tokens(token_post(basic(WEB, SECRET), refresh_body(r2, "&scope=write")));
    assert_string_equal(member(&back, "scope"), "write");
    answer_free(&back);
}

/* Inside lifetimes.refresh_grace a replay gets the first answer byte for byte; from its end
 * on it is reuse. */
static void test_grace_window(void **state)
{
    configure("lifetimes = { refresh_grace = 30; };");
    struct answer first = tokens_for(WEB, "read write");
    const char *r1 = grantd_arena_strdup(P.a, member(&first, "refresh_token"));
    answer_free(&first);
    struct answer second = assert_tokens(token_post(basic(WEB, SECRET), refresh_body(r1, "")));
    const char *body = second.body;
    const char *r2 = grantd_arena_strdup(P.a, member(&second, "refresh_token"));
    answer_free(&second);

    test_now += 29;
    struct answer replay = assert_tokens(token_post(basic(WEB, SECRET), refresh_body(r1, "")));
    assert_string_equal(replay.body, body);
    answer_free(&replay);
    assert_int_equal(token_state(r2), TOKEN_LIVE);
    /* the grace answer is for the token's holder only: another client gets nothing */
    struct answer other = token_post(basic(OTHER, SECRET), refresh_body(r1, ""));
    assert_refused(&other, 400, "invalid_grant", "the refresh token is not valid");
    answer_free(&other);

    test_now += 1; /* T0 + 30: the window has closed */
    struct answer reuse = token_post(basic(WEB, SECRET), refresh_body(r1, ""));
    assert_refused(&reuse, 400, "invalid_grant", "already used");
    answer_free(&reuse);
    assert_int_equal(token_state(r2), TOKEN_REVOKED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        PROTO_TEST(test_cases),
        PROTO_TEST(test_refresh_token_required),
        PROTO_TEST(test_rotation),
        PROTO_TEST(test_reuse_revokes_the_family),
        PROTO_TEST(test_narrowing_keeps_the_grant),
        PROTO_TEST(test_grace_window),
    };
    return PROTO_RUN(tests);
}
