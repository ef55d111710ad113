/* Whether a request's Accept header (RFC 9110 §12.5.1) asks for an HTML page: the one
 * question grantd asks of it, to answer a browser with a page where an API client gets JSON
 * (an unknown path, an internal failure of a page's form).
 *
 * Only an explicit text/html (or application/xhtml+xml) media range with a weight above 0
 * counts; a wildcard does not, so curl, client libraries and every test that sends
 * `Accept: * / *` or nothing keep the JSON answers they rely on. Parameters other than q are
 * ignored; a malformed element is skipped, never an error.
 *
 * Not here: content negotiation in general (grantd serves one representation per answer). */
#include <string.h>
#include <strings.h>

#include "http/request.h"

static int ows(char c)
{
    return c == ' ' || c == '\t';
}

/* [s, e) without surrounding whitespace; returns its length and moves *s. */
static size_t trim(const char **s, const char *e)
{
    while (*s < e && ows(**s))
        (*s)++;
    while (e > *s && ows(e[-1]))
        e--;
    return (size_t)(e - *s);
}

static int is_range(const char *s, size_t n, const char *want)
{
    return n == strlen(want) && strncasecmp(s, want, n) == 0;
}

/* 1 when the parameter [s, e) is q=0 (0, 0., 0.0, 0.00, 0.000). */
static int weight_zero(const char *s, const char *e)
{
    size_t n = trim(&s, e);
    if (n < 3 || (s[0] != 'q' && s[0] != 'Q') || s[1] != '=')
        return 0;
    s += 2;
    n -= 2;
    if (n > 5 || s[0] != '0')
        return 0;
    for (size_t i = 1; i < n; i++)
        if (!(i == 1 ? s[i] == '.' : s[i] == '0'))
            return 0;
    return 1;
}

/* 1 when the element [s, e) ("type/sub;p=v;q=0.5") is an HTML range of weight above 0. */
static int element_html(const char *s, const char *e)
{
    const char *semi = memchr(s, ';', (size_t)(e - s));
    const char *range = s;
    size_t n = trim(&range, semi ? semi : e);
    if (!is_range(range, n, "text/html") && !is_range(range, n, "application/xhtml+xml"))
        return 0;
    while (semi) {
        const char *p = semi + 1;
        semi = memchr(p, ';', (size_t)(e - p));
        if (weight_zero(p, semi ? semi : e))
            return 0;
    }
    return 1;
}

int grantd_accept_html(const char *accept)
{
    if (!accept)
        return 0;
    const char *s = accept;
    for (;;) {
        const char *comma = strchr(s, ',');
        const char *e = comma ? comma : s + strlen(s);
        if (element_html(s, e))
            return 1;
        if (!comma)
            return 0;
        s = comma + 1;
    }
}

int grantd_request_accepts_html(const struct grantd_request *req)
{
    return grantd_accept_html(grantd_request_header(req, "accept"));
}
