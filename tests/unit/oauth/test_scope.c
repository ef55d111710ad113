/* Scope strings (oauth/scope.c, RFC 6749 §3.3): splitting (separators, repeats, the
 * scope-token alphabet, the token cap), joining, and the refusal that names the first scope
 * not allowed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "oauth/scope.h"

struct split_case {
    const char *name, *in;
    grantd_rc rc;
    const char *joined; /* the tokens joined again, for GRANTD_OK */
};

static const struct split_case split_cases[] = {
    {"NULL", NULL, GRANTD_OK, ""},
    {"empty", "", GRANTD_OK, ""},
    {"only spaces", "   ", GRANTD_OK, ""},
    {"one", "read", GRANTD_OK, "read"},
    {"order kept", "write read", GRANTD_OK, "write read"},
    {"repeated spaces, leading and trailing", "  read   write ", GRANTD_OK, "read write"},
    {"repeats collapse", "read write read read", GRANTD_OK, "read write"},
    {"case matters", "read READ", GRANTD_OK, "read READ"},
    {"punctuation allowed", "read:orders https://api.example/x!", GRANTD_OK,
     "read:orders https://api.example/x!"},
    {"double quote", "re\"ad", GRANTD_EINVAL, NULL},
    {"backslash", "re\\ad", GRANTD_EINVAL, NULL},
    {"tab is no separator", "read\twrite", GRANTD_EINVAL, NULL},
    {"newline", "read\n", GRANTD_EINVAL, NULL},
    {"DEL", "read\x7f", GRANTD_EINVAL, NULL},
    {"non-ASCII", "r\xc3\xa9" "ad", GRANTD_EINVAL, NULL},
};

static void test_split(void **state)
{
    struct grantd_arena *a = grantd_arena_new(1024);
    for (size_t i = 0; i < sizeof(split_cases) / sizeof(split_cases[0]); i++) {
        const struct split_case *c = &split_cases[i];
        const char **tokens;
        size_t n;
        grantd_rc rc = grantd_scope_split(a, c->in, &tokens, &n);
        if (rc != c->rc)
            fail_msg("%s: %s, want %s", c->name, grantd_strerror(rc), grantd_strerror(c->rc));
        if (rc == GRANTD_OK && strcmp(grantd_scope_join(a, tokens, n), c->joined) != 0)
            fail_msg("%s: joined '%s'", c->name, grantd_scope_join(a, tokens, n));
    }
    grantd_arena_free(a);
}

/* At most GRANTD_SCOPE_MAX_TOKENS distinct tokens; repeats do not count. */
static void test_too_many_tokens(void **state)
{
    struct grantd_arena *a = grantd_arena_new(1024);
    char buf[1024] = "", word[16];
    for (int i = 0; i < GRANTD_SCOPE_MAX_TOKENS; i++) {
        snprintf(word, sizeof(word), "s%d ", i);
        strcat(buf, word);
    }
    const char **tokens;
    size_t n;
    assert_int_equal(grantd_scope_split(a, buf, &tokens, &n), GRANTD_OK);
    assert_int_equal(n, GRANTD_SCOPE_MAX_TOKENS);
    strcat(buf, "s0 s1");
    assert_int_equal(grantd_scope_split(a, buf, &tokens, &n), GRANTD_OK);
    strcat(buf, " one-more");
    assert_int_equal(grantd_scope_split(a, buf, &tokens, &n), GRANTD_ETOOBIG);
    grantd_arena_free(a);
}

struct refusal_case {
    const char *name, *asked, *allowed;
    const char *why; /* NULL: allowed */
};

static const struct refusal_case refusal_cases[] = {
    {"subset", "read", "read write", NULL},
    {"equal, reordered", "write read", "read write", NULL},
    {"nothing asked", "", "read", NULL},
    {"nothing allowed, nothing asked", "", "", NULL},
    {"one too many", "read admin", "read write", "the scope 'admin' is unknown"},
    {"the first refused is named", "read x y", "read", "'x'"},
    {"prefix of an allowed scope", "rea", "read", "'rea'"},
    {"allowed scope as prefix", "read:all", "read", "'read:all'"},
    {"nothing allowed", "read", "", "'read'"},
    {"malformed", "re\"ad", "read", "malformed"},
};

static void test_refusal(void **state)
{
    struct grantd_arena *a = grantd_arena_new(1024);
    for (size_t i = 0; i < sizeof(refusal_cases) / sizeof(refusal_cases[0]); i++) {
        const struct refusal_case *c = &refusal_cases[i];
        const char **tokens;
        size_t n;
        const char *why = grantd_scope_refusal(a, c->asked, c->allowed, &tokens, &n);
        if (!c->why && why)
            fail_msg("%s: refused: %s", c->name, why);
        if (c->why && (!why || !strstr(why, c->why)))
            fail_msg("%s: '%s' lacks '%s'", c->name, why ? why : "(allowed)", c->why);
        if (!why && !grantd_scope_covered(tokens, n, c->allowed))
            fail_msg("%s: allowed but not covered", c->name);
    }
    grantd_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_too_many_tokens),
        cmocka_unit_test(test_refusal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
