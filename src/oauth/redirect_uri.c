/* Redirect URI registration rules (RFC 6749 §3.1.2, RFC 8252 §7, RFC 9700 §4.1).
 *
 * The check is deliberately stricter than RFC 3986: a registered URI is later compared
 * byte-for-byte and used as a redirect target, so anything a browser or a proxy might
 * normalise or read differently (whitespace, backslashes, non-ASCII, stray brackets) or
 * that could run code (javascript:, data:, vbscript:) or read local files (file:) is refused
 * here, before it reaches the database. This module does not match requests against
 * registered URIs. */
#include "oauth/redirect_uri.h"

#include <ctype.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

/* RFC 3986 unreserved, gen-delims except '#', sub-delims and '%'. */
static const char uri_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                "0123456789-._~:/?[]@!$&'()*+,;=%";

static const char *const dangerous_schemes[] = {"javascript", "data", "vbscript", "file"};

static const char *const loopback_hosts[] = {"127.0.0.1", "[::1]", "localhost"};

static const char *check_chars(const char *uri)
{
    for (const unsigned char *p = (const unsigned char *)uri; *p; p++) {
        if (*p == '\\')
            return "redirect URI must not contain a backslash";
        if (*p <= 0x20 || *p == 0x7f)
            return "redirect URI must not contain whitespace or control characters";
        if (*p >= 0x80)
            return "redirect URI must be ASCII (percent-encode other characters)";
        if (*p == '#')
            return "redirect URI must not contain a fragment ('#')";
        if (*p == '%' && !(isxdigit(p[1]) && isxdigit(p[2])))
            return "redirect URI has a malformed percent-escape";
        if (!strchr(uri_chars, *p))
            return "redirect URI contains a character not allowed in URIs";
    }
    return NULL;
}

/* Length of the RFC 3986 scheme before the ':', or 0 when there is none. */
static size_t scheme_length(const char *uri)
{
    size_t n = 0;
    if (!isalpha((unsigned char)uri[0]))
        return 0;
    while (isalnum((unsigned char)uri[n]) || uri[n] == '+' || uri[n] == '-' || uri[n] == '.')
        n++;
    return uri[n] == ':' ? n : 0;
}

static int scheme_is(const char *uri, size_t len, const char *name)
{
    return strlen(name) == len && strncasecmp(uri, name, len) == 0;
}

static int valid_port(const char *p, size_t len)
{
    unsigned long v = 0;
    if (len < 1 || len > 5)
        return 0;
    for (size_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char)p[i]))
            return 0;
        v = v * 10 + (unsigned long)(p[i] - '0');
    }
    return v >= 1 && v <= 65535;
}

/* Splits an authority (userinfo already refused) into host and port; NULL when fine. */
static const char *check_host_port(const char *auth, size_t len, size_t *host_len)
{
    size_t h;
    if (len > 0 && auth[0] == '[') {
        const char *close = memchr(auth, ']', len);
        if (!close)
            return "redirect URI has an unterminated IPv6 host ('[' without ']')";
        h = (size_t)(close - auth) + 1;
    } else {
        const char *colon = memchr(auth, ':', len);
        h = colon ? (size_t)(colon - auth) : len;
    }
    if (h == 0 || (h == 2 && auth[0] == '['))
        return "redirect URI must have a host";
    if (memchr(auth + 1, '[', h - 1) || (auth[0] != '[' && memchr(auth, ']', h)))
        return "redirect URI has brackets outside an IPv6 host";
    if (h < len && (auth[h] != ':' || !valid_port(auth + h + 1, len - h - 1)))
        return "redirect URI has an invalid port (expected 1 to 65535)";
    *host_len = h;
    return NULL;
}

static int is_loopback(const char *host, size_t len)
{
    for (size_t i = 0; i < sizeof(loopback_hosts) / sizeof(loopback_hosts[0]); i++)
        if (strlen(loopback_hosts[i]) == len && memcmp(host, loopback_hosts[i], len) == 0)
            return 1;
    return 0;
}

/* Rules for what follows "scheme:"; web says whether the scheme is http or https. */
static const char *check_rest(const char *rest, int web, int insecure_http,
                              int allow_insecure_http)
{
    size_t auth_len = 0, host_len = 0;
    const char *auth = NULL, *why;
    if (rest[0] == '/' && rest[1] == '/') {
        auth = rest + 2;
        auth_len = strcspn(auth, "/?");
        if (memchr(auth, '@', auth_len))
            return "redirect URI must not contain userinfo ('@' before the host)";
    }
    const char *after = auth ? auth + auth_len : rest;
    if (strpbrk(after, "[]"))
        return "redirect URI has brackets outside an IPv6 host";
    if (!web)
        return NULL;
    if (!auth)
        return "http(s) redirect URI must have a host (scheme://host/path)";
    why = check_host_port(auth, auth_len, &host_len);
    if (why)
        return why;
    if (insecure_http && !allow_insecure_http && !is_loopback(auth, host_len))
        return "http redirect URI allowed only for 127.0.0.1, [::1] and localhost; use https";
    return NULL;
}

grantd_rc grantd_redirect_uri_check_registration(const char *uri, int allow_insecure_http,
                                                 const char **why)
{
    const char *msg = NULL;
    grantd_rc rc = GRANTD_EINVAL;
    size_t slen;
    if (!uri || !*uri) {
        msg = "redirect URI is empty";
    } else if (strlen(uri) > GRANTD_REDIRECT_URI_MAX) {
        msg = "redirect URI is longer than 2048 bytes";
        rc = GRANTD_ETOOBIG;
    } else if ((msg = check_chars(uri)) != NULL) {
        /* msg set */
    } else if ((slen = scheme_length(uri)) == 0) {
        msg = "redirect URI must be absolute (start with a scheme such as https:)";
    } else {
        for (size_t i = 0; i < sizeof(dangerous_schemes) / sizeof(dangerous_schemes[0]); i++)
            if (scheme_is(uri, slen, dangerous_schemes[i]))
                msg = "redirect URI uses a forbidden scheme (javascript, data, vbscript, file)";
        if (!msg && uri[slen + 1] == '\0')
            msg = "redirect URI has nothing after its scheme";
        if (!msg) {
            int http = scheme_is(uri, slen, "http");
            int web = http || scheme_is(uri, slen, "https");
            msg = check_rest(uri + slen + 1, web, http, allow_insecure_http);
        }
    }
    if (!msg)
        return GRANTD_OK;
    if (why)
        *why = msg;
    return rc;
}
