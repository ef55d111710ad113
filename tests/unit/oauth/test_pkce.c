/* PKCE (oauth/pkce.c, RFC 7636): the challenge syntax /authorize accepts and the verifier
 * check /token makes, against the RFC's own vector and the length and alphabet limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "oauth/pkce.h"

/* RFC 7636 Appendix B */
#define VERIFIER "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define CHALLENGE "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

#define A43 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define A42 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define A128 A43 A43 A42
#define A129 A43 A43 A43

struct verify_case {
    const char *name, *method, *challenge, *verifier;
    int ok;
};

static const struct verify_case verify_cases[] = {
    {"RFC 7636 Appendix B", "S256", CHALLENGE, VERIFIER, 1},
    {"S256, another verifier", "S256", CHALLENGE, A43, 0},
    {"S256, the challenge as verifier", "S256", CHALLENGE, CHALLENGE, 0},
    {"S256, verifier one character short", "S256", CHALLENGE,
     "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjX", 0},
    {"S256, verifier with one more character", "S256", CHALLENGE, VERIFIER "k", 0},
    {"S256, challenge differs in case", "S256",
     "e9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", VERIFIER, 0},
    {"plain, equal", "plain", A43, A43, 1},
    {"plain, 128 characters", "plain", A128, A128, 1},
    {"plain, 129 characters", "plain", A129, A129, 0},
    {"plain, 42 characters", "plain", A42, A42, 0},
    {"plain, unreserved punctuation", "plain", A42 "~", A42 "~", 1},
    {"plain, a reserved character", "plain", A42 "+", A42 "+", 0},
    {"plain, a prefix of the challenge", "plain", A43 "b", A43, 0},
    {"plain, empty", "plain", "", "", 0},
};

static void test_verify(void **state)
{
    for (size_t i = 0; i < sizeof(verify_cases) / sizeof(verify_cases[0]); i++) {
        const struct verify_case *c = &verify_cases[i];
        if (grantd_pkce_verify(c->method, c->challenge, c->verifier) != c->ok)
            fail_msg("%s: want %d", c->name, c->ok);
    }
}

struct challenge_case {
    const char *name, *method, *challenge;
    const char *why; /* NULL: well-formed; else a substring of the reason */
};

static const struct challenge_case challenge_cases[] = {
    {"S256 from the RFC", "S256", CHALLENGE, NULL},
    {"S256, 42 characters", "S256", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c", "43 base64url"},
    {"S256, 44 characters", "S256", CHALLENGE "A", "43 base64url"},
    {"S256, padded", "S256", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c=", "43 base64url"},
    {"S256, standard base64 alphabet", "S256", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM",
     "43 base64url"},
    {"plain, 43", "plain", A43, NULL},
    {"plain, 128", "plain", A128, NULL},
    {"plain, 129", "plain", A129, "43 to 128"},
    {"plain, 42", "plain", A42, "43 to 128"},
    {"plain, a space", "plain", A42 " ", "unreserved"},
};

static void test_challenge_syntax(void **state)
{
    for (size_t i = 0; i < sizeof(challenge_cases) / sizeof(challenge_cases[0]); i++) {
        const struct challenge_case *c = &challenge_cases[i];
        const char *why = grantd_pkce_challenge_problem(c->method, c->challenge);
        if (!c->why && why)
            fail_msg("%s: refused: %s", c->name, why);
        if (c->why && (!why || !strstr(why, c->why)))
            fail_msg("%s: '%s' lacks '%s'", c->name, why ? why : "(accepted)", c->why);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verify),
        cmocka_unit_test(test_challenge_syntax),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
