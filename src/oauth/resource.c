/* Resource indicators (see resource.h). */
#include "oauth/resource.h"

#include <string.h>

#include "oauth/scope.h"

static int alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ); its length, 0 when
 * uri does not start with one followed by ':'. */
static size_t scheme_len(const char *uri)
{
    size_t i = 0;
    if (!alpha((unsigned char)uri[0]))
        return 0;
    while (alpha((unsigned char)uri[i]) || (uri[i] >= '0' && uri[i] <= '9') || uri[i] == '+' ||
           uri[i] == '-' || uri[i] == '.')
        i++;
    return uri[i] == ':' ? i : 0;
}

const char *grantd_resource_problem(const char *uri)
{
    size_t len = strlen(uri);
    if (len == 0 || len > GRANTD_RESOURCE_MAX_LEN)
        return "a resource must be 1 to 2048 characters";
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)uri[i];
        if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>')
            return "a resource must be a URI: no spaces, quotes or other characters outside "
                   "a URI";
    }
    size_t s = scheme_len(uri);
    if (s == 0 || uri[s + 1] == '\0')
        return "a resource must be an absolute URI (scheme:...)";
    if (strchr(uri, '#'))
        return "a resource must not contain a fragment";
    return NULL;
}

int grantd_resource_in(const char *want, const char *list)
{
    const char *one[1] = {want};
    return grantd_scope_covered(one, 1, list);
}

/* Adds r to the n distinct ones in got (capacity GRANTD_RESOURCE_MAX) unless it is there. 0
 * when there is no room. */
static int add_distinct(const char **got, size_t *n, const char *r)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp(got[i], r) == 0)
            return 1;
    if (*n == GRANTD_RESOURCE_MAX)
        return 0;
    got[(*n)++] = r;
    return 1;
}

const char *grantd_resource_select(struct grantd_arena *a, const struct grantd_params *p,
                                   const char *allowed, const char **out)
{
    const char *asked[GRANTD_SCOPE_MAX_TOKENS], *got[GRANTD_RESOURCE_MAX];
    size_t count = grantd_params_all(p, "resource", asked, GRANTD_SCOPE_MAX_TOKENS), n = 0;
    *out = "";
    if (count > GRANTD_SCOPE_MAX_TOKENS)
        return "too many resource parameters";
    for (size_t i = 0; i < count; i++) {
        const char *why = grantd_resource_problem(asked[i]);
        if (why)
            return why;
        if (!grantd_resource_in(asked[i], allowed))
            return grantd_arena_printf(a, "the resource '%.256s' may not be asked for",
                                       asked[i]);
        if (!add_distinct(got, &n, asked[i]))
            return "too many resources (at most 16)";
    }
    *out = grantd_scope_join(a, got, n);
    return NULL;
}
