/* libFuzzer target for the parsers of /authorize parameters that are not plain form
 * values: scope strings (oauth/scope.c) and PKCE challenges and verifiers (oauth/pkce.c).
 * Invariants: split tokens are distinct, non-empty and space-free; joining and splitting
 * again gives the same tokens; a split scope is covered by its own join; a challenge that
 * passes the syntax check for plain verifies against itself and against nothing shorter. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "fuzz_check.h"
#include "oauth/pkce.h"
#include "oauth/scope.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_scope(struct grantd_arena *a, const char *s)
{
    const char **tokens, **again;
    size_t n, m;
    if (grantd_scope_split(a, s, &tokens, &n) != GRANTD_OK)
        return;
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(tokens[i][0] != '\0' && !strchr(tokens[i], ' '));
        for (size_t j = 0; j < i; j++)
            FUZZ_CHECK(strcmp(tokens[i], tokens[j]) != 0);
    }
    const char *joined = grantd_scope_join(a, tokens, n);
    FUZZ_CHECK(grantd_scope_split(a, joined, &again, &m) == GRANTD_OK && m == n);
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK(strcmp(tokens[i], again[i]) == 0);
    FUZZ_CHECK(grantd_scope_covered(tokens, n, joined));
}

static void check_pkce(const char *s)
{
    (void)grantd_pkce_challenge_problem("S256", s);
    if (grantd_pkce_challenge_problem("plain", s))
        return;
    FUZZ_CHECK(grantd_pkce_verify("plain", s, s));
    size_t len = strlen(s);
    char *shorter = strdup(s);
    shorter[len - 1] = '\0';
    FUZZ_CHECK(!grantd_pkce_verify("plain", s, shorter));
    free(shorter);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 8192)
        return 0;
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    struct grantd_arena *a = grantd_arena_new(4096);
    check_scope(a, s);
    check_pkce(s);
    grantd_arena_free(a);
    free(s);
    return 0;
}
