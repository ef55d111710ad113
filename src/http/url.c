/* Percent-encoding for redirect URLs. */
#include "http/url.h"

#include <string.h>

static int unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '.' || c == '_' || c == '~';
}

const char *grantd_url_encode(struct grantd_arena *a, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    char *out = grantd_arena_alloc(a, strlen(s) * 3 + 1), *w = out;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (unreserved(*p)) {
            *w++ = (char)*p;
        } else {
            *w++ = '%';
            *w++ = hex[*p >> 4];
            *w++ = hex[*p & 15];
        }
    }
    *w = '\0';
    return out;
}
