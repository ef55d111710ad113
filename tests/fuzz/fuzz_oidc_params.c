/* libFuzzer target for the OpenID Connect authorization parameters with a syntax of their
 * own (oauth/oidc_params.c): prompt and max_age. Invariants: a prompt that parses has only
 * known bits, and none alone when none is there; the bits do not depend on how the values
 * are spaced or repeated; a max_age that parses is the decimal number of its text. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "oauth/oidc_params.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_prompt(struct grantd_arena *a, const char *s)
{
    unsigned bits = 0, again = 0;
    const char *why = grantd_prompt_parse(a, s, &bits);
    if (why) {
        FUZZ_CHECK(*why != '\0');
        return;
    }
    FUZZ_CHECK((bits & ~7u) == 0);
    FUZZ_CHECK(!(bits & GRANTD_PROMPT_NONE) || bits == GRANTD_PROMPT_NONE);
    /* the same values written twice, double-spaced: the same bits */
    const char *twice = grantd_arena_printf(a, "%s  %s", s, s);
    FUZZ_CHECK(grantd_prompt_parse(a, twice, &again) == NULL && again == bits);
}

static void check_max_age(const char *s)
{
    int64_t v = grantd_max_age_parse(s);
    if (v < 0)
        return;
    char back[32];
    snprintf(back, sizeof(back), "%lld", (long long)v);
    /* leading zeros aside, the text is the number */
    const char *digits = s + strspn(s, "0");
    FUZZ_CHECK(strcmp(*digits ? digits : "0", back) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    struct grantd_arena *a = grantd_arena_new(4096);
    check_prompt(a, s);
    check_max_age(s);
    grantd_arena_free(a);
    free(s);
    return 0;
}
