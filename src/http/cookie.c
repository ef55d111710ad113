/* The Cookie request header (RFC 6265 §4.2) as a parameter view: "a=1; b=2" into
 * struct grantd_params in the request arena, so the login and consent pages read their
 * session and CSRF cookies with grantd_params_get (a cookie sent twice is then refused).
 *
 * This module only parses. Values are opaque: no percent-decoding, quotes kept. It does not
 * build Set-Cookie headers, check cookie signatures or know cookie names. Malformed pairs are
 * skipped rather than refused because browsers send every cookie of the site, including
 * other applications' ones; only the caps are hard errors. */
#include "http/params.h"

#include <string.h>

struct span {
    const char *s;
    size_t n;
};

static int is_ows(char c)
{
    return c == ' ' || c == '\t';
}

static void trim_ows(struct span *sp)
{
    while (sp->n > 0 && is_ows(sp->s[0])) {
        sp->s++;
        sp->n--;
    }
    while (sp->n > 0 && is_ows(sp->s[sp->n - 1]))
        sp->n--;
}

/* The next "name=value" at or after *cur with a non-empty name; 0 at the end. */
static int next_cookie(const char **cur, struct span *name, struct span *value)
{
    while (**cur) {
        const char *start = *cur;
        size_t n = strcspn(start, ";");
        *cur = start[n] ? start + n + 1 : start + n;
        const char *eq = memchr(start, '=', n);
        if (!eq)
            continue;
        name->s = start;
        name->n = (size_t)(eq - start);
        value->s = eq + 1;
        value->n = n - name->n - 1;
        trim_ows(name);
        trim_ows(value);
        if (name->n > 0)
            return 1;
    }
    return 0;
}

/* Counts the cookies in header, checking every cap before anything is allocated. */
static grantd_rc count_cookies(const char *header, const struct grantd_parse_limits *lim,
                               size_t *count)
{
    struct span name, value;
    size_t n = 0;
    while (next_cookie(&header, &name, &value)) {
        if (++n > lim->max_params || name.n > lim->max_name_len ||
            value.n > lim->max_value_len)
            return GRANTD_ETOOBIG;
    }
    *count = n;
    return GRANTD_OK;
}

grantd_rc grantd_cookies_parse(struct grantd_arena *a, const char *header,
                               const struct grantd_parse_limits *lim, struct grantd_params *out)
{
    out->items = NULL;
    out->count = 0;
    if (!header)
        return GRANTD_OK;
    size_t count;
    grantd_rc rc = count_cookies(header, lim, &count);
    if (rc != GRANTD_OK || count == 0)
        return rc;
    struct grantd_param *items = grantd_arena_alloc(a, count * sizeof(*items));
    struct span name, value;
    const char *cur = header;
    for (size_t i = 0; i < count && next_cookie(&cur, &name, &value); i++) {
        items[i].name = grantd_arena_strndup(a, name.s, name.n);
        items[i].value = grantd_arena_strndup(a, value.s, value.n);
    }
    out->items = items;
    out->count = count;
    return GRANTD_OK;
}
