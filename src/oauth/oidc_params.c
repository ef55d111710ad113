/* prompt and max_age, parsed. */
#include "oauth/oidc_params.h"

#include <string.h>

#define MAX_AGE_DIGITS 12

static unsigned prompt_bit(const char *p, size_t n)
{
    static const struct {
        const char *name;
        unsigned bit;
    } known[] = {{"none", GRANTD_PROMPT_NONE},
                 {"login", GRANTD_PROMPT_LOGIN},
                 {"consent", GRANTD_PROMPT_CONSENT}};
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (strlen(known[i].name) == n && memcmp(p, known[i].name, n) == 0)
            return known[i].bit;
    return 0;
}

const char *grantd_prompt_parse(struct grantd_arena *a, const char *prompt, unsigned *bits)
{
    *bits = 0;
    for (const char *p = prompt; p && *p;) {
        size_t n = strcspn(p, " ");
        unsigned bit = n ? prompt_bit(p, n) : 0;
        if (n && !bit)
            return grantd_arena_printf(a, "prompt value '%.*s' is not supported (none, login, "
                                          "consent)",
                                       (int)(n > 64 ? 64 : n), p);
        *bits |= bit;
        p += n;
        p += *p == ' ';
    }
    if ((*bits & GRANTD_PROMPT_NONE) && *bits != GRANTD_PROMPT_NONE)
        return "prompt=none cannot be combined with another prompt value";
    return NULL;
}

int64_t grantd_max_age_parse(const char *max_age)
{
    size_t n = strlen(max_age);
    if (n == 0 || n > MAX_AGE_DIGITS || strspn(max_age, "0123456789") != n)
        return -1;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (max_age[i] - '0');
    return v;
}
