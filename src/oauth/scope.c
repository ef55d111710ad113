/* Scope strings: splitting, subset checks, joining. */
#include "oauth/scope.h"

#include <string.h>

static int scope_char_ok(unsigned char c)
{
    return c >= 0x21 && c <= 0x7e && c != '"' && c != '\\';
}

static int seen(const char *const *tokens, size_t n, const char *t, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(tokens[i]) == len && memcmp(tokens[i], t, len) == 0)
            return 1;
    return 0;
}

grantd_rc grantd_scope_split(struct grantd_arena *a, const char *s, const char ***tokens,
                             size_t *count)
{
    const char **out = grantd_arena_alloc(a, GRANTD_SCOPE_MAX_TOKENS * sizeof(*out));
    size_t n = 0;
    *tokens = out;
    *count = 0;
    for (const char *p = s ? s : ""; *p;) {
        if (*p == ' ') {
            p++;
            continue;
        }
        size_t len = strcspn(p, " ");
        for (size_t i = 0; i < len; i++)
            if (!scope_char_ok((unsigned char)p[i]))
                return GRANTD_EINVAL;
        if (!seen(out, n, p, len)) {
            if (n == GRANTD_SCOPE_MAX_TOKENS)
                return GRANTD_ETOOBIG;
            out[n++] = grantd_arena_strndup(a, p, len);
        }
        p += len;
    }
    *count = n;
    return GRANTD_OK;
}

static int token_in(const char *token, const char *list)
{
    size_t len = strlen(token);
    for (const char *p = list ? list : ""; *p;) {
        if (*p == ' ') {
            p++;
            continue;
        }
        size_t n = strcspn(p, " ");
        if (n == len && memcmp(p, token, len) == 0)
            return 1;
        p += n;
    }
    return 0;
}

int grantd_scope_covered(const char *const *requested, size_t count, const char *allowed)
{
    for (size_t i = 0; i < count; i++)
        if (!token_in(requested[i], allowed))
            return 0;
    return 1;
}

const char *grantd_scope_refusal(struct grantd_arena *a, const char *asked, const char *allowed,
                                 const char ***tokens, size_t *count)
{
    if (grantd_scope_split(a, asked, tokens, count) != GRANTD_OK)
        return "the scope parameter is malformed";
    for (size_t i = 0; i < *count; i++)
        if (!token_in((*tokens)[i], allowed))
            return grantd_arena_printf(a, "the scope '%s' is unknown or not allowed here",
                                       (*tokens)[i]);
    return NULL;
}

const char *grantd_scope_join(struct grantd_arena *a, const char *const *tokens, size_t count)
{
    size_t len = 1;
    for (size_t i = 0; i < count; i++)
        len += strlen(tokens[i]) + 1;
    char *out = grantd_arena_alloc(a, len), *w = out;
    for (size_t i = 0; i < count; i++) {
        if (i)
            *w++ = ' ';
        size_t n = strlen(tokens[i]);
        memcpy(w, tokens[i], n);
        w += n;
    }
    *w = '\0';
    return out;
}
