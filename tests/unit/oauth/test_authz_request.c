/* Validation of the authorization request (oauth/authz_request.c), table-driven: while the
 * client or the redirect URI is in doubt the outcome is an error page, never a redirect;
 * after that each bad parameter is an error sent back to the redirect URI; a valid request
 * resolves its redirect URI and scopes. */
#include "protocol.h"

#include "oauth/authz_request.h"

#define CB "&redirect_uri=https%3A%2F%2Fapp.example%2Fcb"
#define S256_CHALLENGE "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
#define PLAIN_CHALLENGE "plain-challenge-0123456789-0123456789-0123456789"

struct authz_case {
    const char *name;
    const char *query;
    enum grantd_authz_outcome outcome;
    enum grantd_oauth_error error;   /* for REDIRECT */
    const char *why;                 /* substring of why; NULL: not checked */
    const char *redirect;            /* for VALID: where the answer goes (NULL: out of band) */
    const char *scope_text;          /* for VALID */
};

#define PAGE(name, q, why) {name, q, GRANTD_AUTHZ_PAGE, 0, why, NULL, NULL}
#define REDIRECT(name, q, e, why) {name, q, GRANTD_AUTHZ_REDIRECT, e, why, NULL, NULL}
#define VALID(name, q, redirect, scope) {name, q, GRANTD_AUTHZ_VALID, 0, NULL, redirect, scope}

static const struct authz_case cases[] = {
    PAGE("no client_id", "response_type=code" CB, "no client_id"),
    PAGE("empty query", "", "no client_id"),
    PAGE("repeated client_id", "client_id=web&client_id=web&response_type=code" CB,
         "client_id parameter is repeated"),
    PAGE("unknown client", "client_id=nobody&response_type=code" CB, "not known"),
    PAGE("disabled client", "client_id=off&response_type=code" CB, "not known"),
    PAGE("unregistered redirect_uri",
         "client_id=web&response_type=code&redirect_uri=https%3A%2F%2Fevil.example%2Fcb", NULL),
    PAGE("redirect_uri differing in case",
         "client_id=web&response_type=code&redirect_uri=https%3A%2F%2Fapp.example%2FCB", NULL),
    PAGE("repeated redirect_uri", "client_id=web&response_type=code" CB CB, "repeated"),
    PAGE("no redirect_uri, two registered", "client_id=multi&response_type=code", NULL),
    PAGE("malformed query", "client_id=web&response_type=code&state=%zz" CB, "malformed"),
    REDIRECT("no response_type", "client_id=web" CB, GRANTD_OAUTH_INVALID_REQUEST,
             "response_type is required"),
    REDIRECT("response_type=token", "client_id=web&response_type=token" CB,
             GRANTD_OAUTH_UNSUPPORTED_RESPONSE_TYPE, "only response_type=code"),
    REDIRECT("response_type=code id_token", "client_id=web&response_type=code+id_token" CB,
             GRANTD_OAUTH_UNSUPPORTED_RESPONSE_TYPE, NULL),
    REDIRECT("repeated state", "client_id=web&response_type=code&state=a&state=b" CB,
             GRANTD_OAUTH_INVALID_REQUEST, "'state' is repeated"),
    REDIRECT("client without the code grant", "client_id=m2m&response_type=code",
             GRANTD_OAUTH_UNAUTHORIZED_CLIENT, "authorization code grant"),
    REDIRECT("scope not allowed", "client_id=web&response_type=code&scope=read+delete" CB,
             GRANTD_OAUTH_INVALID_SCOPE, "'delete'"),
    REDIRECT("scope with a bad character", "client_id=web&response_type=code&scope=re%5Cad" CB,
             GRANTD_OAUTH_INVALID_SCOPE, "malformed"),
    REDIRECT("public client without PKCE", "client_id=spa&response_type=code",
             GRANTD_OAUTH_INVALID_REQUEST, "public clients must use PKCE"),
    REDIRECT("plain PKCE not allowed",
             "client_id=web&response_type=code&code_challenge_method=plain&code_challenge="
             PLAIN_CHALLENGE CB, GRANTD_OAUTH_INVALID_REQUEST, "plain is not allowed"),
    REDIRECT("no method means plain",
             "client_id=web&response_type=code&code_challenge=" PLAIN_CHALLENGE CB,
             GRANTD_OAUTH_INVALID_REQUEST, "plain is not allowed"),
    REDIRECT("method without challenge", "client_id=web&response_type=code"
             "&code_challenge_method=S256" CB, GRANTD_OAUTH_INVALID_REQUEST,
             "without code_challenge"),
    REDIRECT("unknown method", "client_id=web&response_type=code&code_challenge_method=S512"
             "&code_challenge=" S256_CHALLENGE CB, GRANTD_OAUTH_INVALID_REQUEST, "must be S256"),
    REDIRECT("S256 challenge too short", "client_id=web&response_type=code"
             "&code_challenge_method=S256&code_challenge=abc" CB, GRANTD_OAUTH_INVALID_REQUEST,
             "43 base64url characters"),
    REDIRECT("S256 challenge with a bad character", "client_id=web&response_type=code"
             "&code_challenge_method=S256&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuG"
             "JSstw.cM" CB, GRANTD_OAUTH_INVALID_REQUEST, "43 base64url characters"),
    REDIRECT("plain challenge too short", "client_id=plain&response_type=code"
             "&code_challenge_method=plain&code_challenge=short" CB,
             GRANTD_OAUTH_INVALID_REQUEST, "43 to 128"),
    VALID("scope asked", "client_id=web&response_type=code&scope=write+read" CB, WEB_URI,
          "write read"),
    VALID("no scope: everything registered", "client_id=web&response_type=code" CB, WEB_URI,
          "read write admin"),
    VALID("repeated scope tokens collapse", "client_id=web&response_type=code"
          "&scope=read++read%20write" CB, WEB_URI, "read write"),
    VALID("no redirect_uri, one registered", "client_id=web&response_type=code&scope=read",
          WEB_URI, "read"),
    VALID("public client with S256", "client_id=spa&response_type=code&code_challenge_method="
          "S256&code_challenge=" S256_CHALLENGE, "https://spa.example/cb", "read write admin"),
    VALID("plain allowed for this client", "client_id=plain&response_type=code&scope=read"
          "&code_challenge_method=plain&code_challenge=" PLAIN_CHALLENGE CB, WEB_URI, "read"),
};

static const char *outcome_name(enum grantd_authz_outcome o)
{
    return o == GRANTD_AUTHZ_VALID ? "VALID" : o == GRANTD_AUTHZ_PAGE ? "PAGE" : "REDIRECT";
}

static void check(const struct authz_case *c, const struct grantd_authz *a)
{
    if (a->outcome != c->outcome)
        fail_msg("%s: %s (%s), want %s", c->name, outcome_name(a->outcome),
                 a->why ? a->why : "", outcome_name(c->outcome));
    if (c->outcome == GRANTD_AUTHZ_REDIRECT && a->error != c->error)
        fail_msg("%s: error %s, want %s", c->name, grantd_oauth_error_name(a->error),
                 grantd_oauth_error_name(c->error));
    if (c->outcome != GRANTD_AUTHZ_VALID && !a->why)
        fail_msg("%s: a refusal without a reason", c->name);
    if (c->why && !strstr(a->why, c->why))
        fail_msg("%s: '%s' lacks '%s'", c->name, a->why, c->why);
    if (c->outcome != GRANTD_AUTHZ_VALID)
        return;
    if (!c->redirect != !a->redirect || (c->redirect && strcmp(c->redirect, a->redirect)))
        fail_msg("%s: redirect %s", c->name, a->redirect ? a->redirect : "(none)");
    assert_string_equal(a->scope_text, c->scope_text);
}

static void test_cases(void **state)
{
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        print_message("case: %s\n", cases[i].name);
        struct grantd_request *req = request_new("GET");
        struct grantd_authz a;
        assert_int_equal(grantd_authz_validate(req, cases[i].query, &a), GRANTD_OK);
        check(&cases[i], &a);
        request_free(req);
    }
}

/* The resolved request keeps what the code will be bound to: state, PKCE and the scope
 * tokens one by one. */
static void test_valid_request_resolves(void **state)
{
    struct grantd_request *req = request_new("GET");
    struct grantd_authz a;
    const char *q = "client_id=spa&response_type=code&scope=write+read+write&state=xyz"
                    "&code_challenge_method=S256&code_challenge=" S256_CHALLENGE;
    assert_int_equal(grantd_authz_validate(req, q, &a), GRANTD_OK);
    assert_int_equal(a.outcome, GRANTD_AUTHZ_VALID);
    assert_string_equal(a.client.id, SPA);
    assert_string_equal(a.state, "xyz");
    assert_string_equal(a.code_challenge, S256_CHALLENGE);
    assert_string_equal(a.code_challenge_method, "S256");
    assert_int_equal(a.scope_count, 2);
    assert_string_equal(a.scopes[0], "write");
    assert_string_equal(a.scopes[1], "read");
    assert_null(a.redirect_uri); /* none sent: the code is bound to none */
    assert_string_equal(a.redirect, "https://spa.example/cb");
    request_free(req);
}

/* With out_of_band off, a client without a redirect URI gets a page, not the code page. */
static void test_out_of_band_off(void **state)
{
    configure("profile = { out_of_band = false; };");
    struct grantd_request *req = request_new("GET");
    struct grantd_authz a;
    assert_int_equal(grantd_authz_validate(req, "client_id=m2m&response_type=code", &a),
                     GRANTD_OK);
    assert_int_equal(a.outcome, GRANTD_AUTHZ_PAGE);
    assert_non_null(strstr(a.why, "no redirect URI"));
    request_free(req);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        PROTO_TEST(test_cases),
        PROTO_TEST(test_valid_request_resolves),
        PROTO_TEST(test_out_of_band_off),
    };
    return PROTO_RUN(tests);
}
