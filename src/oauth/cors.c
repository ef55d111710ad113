/* Cross-origin reads for browser-based applications (see cors.h). */
#include "oauth/cors.h"

#include <string.h>
#include <strings.h>

#include "http/router.h"

/* The authority's end: the first '/', '?' or '#' (URI), or the string's end. */
static size_t authority_len(const char *s)
{
    return strcspn(s, "/?#");
}

const char *grantd_cors_origin(struct grantd_arena *a, const char *uri, int is_origin_header)
{
    if (!uri)
        return NULL;
    size_t scheme_len;
    const char *default_port;
    if (strncasecmp(uri, "https://", 8) == 0) {
        scheme_len = 5;
        default_port = "443";
    } else if (strncasecmp(uri, "http://", 7) == 0) {
        scheme_len = 4;
        default_port = "80";
    } else {
        return NULL;
    }
    const char *auth = uri + scheme_len + 3;
    size_t n = authority_len(auth);
    if (n == 0 || n > 300 || (is_origin_header && auth[n] != '\0'))
        return NULL;
    if (memchr(auth, '@', n) || memchr(auth, '*', n))
        return NULL;
    /* the port: after the last ':' that is not inside an IPv6 literal's brackets */
    const char *close = memchr(auth, ']', n);
    if (auth[0] == '[' && !close)
        return NULL;
    const char *host_end = auth + n, *colon = NULL;
    for (const char *p = close ? close + 1 : auth; p < auth + n; p++)
        if (*p == ':')
            colon = p;
    if (auth[0] != '[' && memchr(auth, '[', n))
        return NULL;
    if (colon) {
        host_end = colon;
        size_t plen = (size_t)(auth + n - colon - 1);
        if (plen == 0 || plen > 5 || strspn(colon + 1, "0123456789") < plen)
            return NULL;
        long port = 0;
        for (size_t i = 0; i < plen; i++)
            port = port * 10 + (colon[1 + i] - '0');
        if (port > 65535)
            return NULL;
    }
    if (host_end == auth || (close && host_end != close + 1))
        return NULL;
    for (const char *p = auth; p < host_end; p++) /* no controls, spaces or separators */
        if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f ||
            strchr("\"<>\\^`{|},;", *p) || (*p == ':' && auth[0] != '['))
            return NULL;
    char *out = grantd_arena_printf(a, "%.*s://%.*s", (int)scheme_len, uri,
                                    (int)(host_end - auth), auth);
    for (char *p = out; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    if (colon) {
        const char *port = colon + 1;
        size_t plen = (size_t)(auth + n - port);
        while (plen > 1 && *port == '0') { /* "08080" is port 8080 */
            port++;
            plen--;
        }
        if (!(plen == strlen(default_port) && strncmp(port, default_port, plen) == 0))
            out = grantd_arena_printf(a, "%s:%.*s", out, (int)plen, port);
    }
    return out;
}

void grantd_cors_allow_client(struct grantd_request *req, const struct grantd_client *c)
{
    if (!(req->cors & GRANTD_ROUTE_CORS_CLIENT) || !c)
        return;
    const char *presented = grantd_request_header(req, "origin");
    const char *origin = grantd_cors_origin(req->arena, presented, 1);
    if (!origin)
        return;
    for (size_t i = 0; i < c->redirect_uri_count; i++) {
        const char *registered = grantd_cors_origin(req->arena, c->redirect_uris[i], 0);
        if (registered && strcmp(registered, origin) == 0) {
            req->cors_allow = presented;
            return;
        }
    }
}
