/* Redirect URI rules (RFC 6749 §3.1.2, RFC 8252 §7, RFC 9700 §4.1): the check applied when a
 * client registers a redirect URI, and the match of a request's redirect_uri against the
 * registered ones. docs/redirect-uris.md states the same rules for people.
 *
 * The check is deliberately stricter than RFC 3986: a registered URI is later compared
 * byte-for-byte and used as a redirect target, so anything a browser or a proxy might
 * normalise or read differently (whitespace, backslashes, non-ASCII, stray brackets) or
 * that could run code (javascript:, data:, vbscript:) or read local files (file:) is refused
 * here, before it reaches the database.
 *
 * Matching is byte-for-byte with two relaxations: the port of a loopback http://127.0.0.1 or
 * http://[::1] URI (RFC 8252 §7.3), and, for clients that opted in, one '*' standing for the
 * whole leftmost host label or for a path suffix. A requested URI must pass the registration
 * check (without wildcards) before it is compared with anything, so whatever matches could
 * itself have been registered. This module does not know clients or the store. */
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

/* ---- wildcards (docs/redirect-uris.md) ---- */

#define HTTPS_PREFIX "https://"
#define HTTPS_PREFIX_LEN 8
#define LABEL_MAX 63

enum wildcard_kind { WILDCARD_NONE, WILDCARD_HOST, WILDCARD_PATH };

/* The bytes a wildcard host label may be made of: lowercase LDH. */
static int is_label_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

/* RFC 3986 unreserved: the only bytes a wildcard path may hold besides '/'. */
static int is_unreserved(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '.' || c == '_' || c == '~';
}

/* The host after "*." (len bytes): at least two labels of 1 to 63 bytes of [a-z0-9-], the
 * last one holding a letter (a DNS name, not an IPv4 address). NULL when fine. */
static const char *check_wildcard_suffix(const char *host, size_t len)
{
    size_t labels = 0, n = 0;
    int letter = 0;
    if (len == 0 || host[len - 1] == '.')
        return "a wildcard host label must be followed by at least two labels "
               "(https://*.example.com, not https://*.com)";
    for (size_t i = 0; i < len; i += n + 1, labels++) {
        letter = 0;
        for (n = 0; i + n < len && host[i + n] != '.'; n++) {
            if (!is_label_char(host[i + n]))
                return "the host after '*.' may hold only lowercase letters, digits, '-' and '.'";
            letter |= host[i + n] >= 'a' && host[i + n] <= 'z';
        }
        if (n == 0 || n > LABEL_MAX)
            return "the host after '*.' has an empty label or one longer than 63 bytes";
    }
    if (labels < 2)
        return "a wildcard host label must be followed by at least two labels "
               "(https://*.example.com, not https://*.com)";
    if (!letter)
        return "a wildcard host must be a DNS name, not an IP address";
    return NULL;
}

/* 1 when s (len bytes: a path after one of its '/') holds only unreserved bytes and '/',
 * no "." or ".." segment, and no empty segment except the last one (no "//"). */
static int safe_path(const char *s, size_t len)
{
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && s[i] != '/') {
            if (!is_unreserved(s[i]))
                return 0;
            continue;
        }
        size_t seg = i - start;
        if (seg == 0 && i < len)
            return 0;
        if ((seg == 1 || seg == 2) && s[start] == '.' && s[i - 1] == '.')
            return 0; /* "." or ".." */
        start = i + 1;
    }
    return 1;
}

/* uri starts with https:// and then '*': the '*' must be the whole leftmost host label. */
static const char *check_host_wildcard(const char *uri)
{
    const char *auth = uri + HTTPS_PREFIX_LEN;
    size_t host_len = strcspn(auth, ":/?");
    if (host_len > 1 && auth[1] != '.')
        return "a '*' in the host must be the whole leftmost label (https://*.example.com/cb)";
    return check_wildcard_suffix(auth + 2, host_len > 2 ? host_len - 2 : 0);
}

/* uri starts with "https://" and holds one '*' after the host: it must be the last byte,
 * right after a '/' of the path, and the path before it must be a safe_path. */
static const char *check_path_wildcard(const char *uri, const char *star)
{
    const char *auth = uri + HTTPS_PREFIX_LEN;
    const char *path = auth + strcspn(auth, "/?");
    if (star < path)
        return "a '*' in the host must be the whole leftmost label (https://*.example.com/cb)";
    if (star[1] != '\0' || star[-1] != '/' || *path != '/' || memchr(path, '?', (size_t)(star - path)))
        return "a '*' in the path must be the last character, right after a '/' and before "
               "any query (https://app.example.com/cb/*)";
    if (!safe_path(path + 1, (size_t)(star - path - 1)))
        return "the path before a '*' may hold only letters, digits, '-', '.', '_', '~' and "
               "'/', with no '.', '..' or empty segments";
    return NULL;
}

/* The kind of wildcard uri holds; NULL when it is a well-placed one (or none). */
static const char *classify_wildcard(const char *uri, enum wildcard_kind *kind)
{
    const char *star = strchr(uri, '*');
    *kind = WILDCARD_NONE;
    if (!star)
        return NULL;
    if (strchr(star + 1, '*'))
        return "redirect URI may contain at most one '*'";
    if (strncmp(uri, HTTPS_PREFIX, HTTPS_PREFIX_LEN) != 0)
        return "a wildcard redirect URI must start with https:// (in lowercase)";
    if (star == uri + HTTPS_PREFIX_LEN) {
        *kind = WILDCARD_HOST;
        return check_host_wildcard(uri);
    }
    *kind = WILDCARD_PATH;
    return check_path_wildcard(uri, star);
}

static const char *check_wildcard(const char *uri, int allow_wildcard)
{
    enum wildcard_kind kind;
    if (!strchr(uri, '*'))
        return NULL;
    if (!allow_wildcard)
        return "redirect URI must not contain '*' unless the client allows wildcard "
               "redirect URIs";
    return classify_wildcard(uri, &kind);
}

grantd_rc grantd_redirect_uri_check_registration(const char *uri, int allow_insecure_http,
                                                 int allow_wildcard, const char **why)
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
        if (!msg)
            msg = check_wildcard(uri, allow_wildcard);
    }
    if (!msg)
        return GRANTD_OK;
    if (why)
        *why = msg;
    return rc;
}

/* ---- matching ---- */

static const char *const loopback_prefixes[] = {"http://127.0.0.1", "http://[::1]"};

/* For a URI starting "http://127.0.0.1" or "http://[::1]" right before an optional valid
 * ":port" and then nothing, '/' or '?': the index of its prefix, with *rest after the port.
 * -1 for any other URI (http://127.0.0.1.evil.example, http://localhost, https, ...). */
static int loopback_split(const char *uri, const char **rest)
{
    for (int i = 0; i < (int)(sizeof(loopback_prefixes) / sizeof(loopback_prefixes[0])); i++) {
        size_t n = strlen(loopback_prefixes[i]);
        if (strncmp(uri, loopback_prefixes[i], n) != 0)
            continue;
        const char *p = uri + n;
        if (*p == ':') {
            size_t digits = strspn(p + 1, "0123456789");
            if (!valid_port(p + 1, digits))
                return -1;
            p += 1 + digits;
        }
        if (*p != '\0' && *p != '/' && *p != '?')
            return -1;
        *rest = p;
        return i;
    }
    return -1;
}

/* RFC 8252 §7.3: same loopback IP literal, any port or none, byte-equal after the port. */
static int loopback_match(const char *registered, const char *requested)
{
    const char *reg_rest = NULL, *req_rest = NULL;
    int host = loopback_split(registered, &reg_rest);
    return host >= 0 && loopback_split(requested, &req_rest) == host &&
           strcmp(reg_rest, req_rest) == 0;
}

/* registered is https:// then '*' then REST: requested must be "https://" LABEL REST with one label of
 * 1 to 63 bytes of [a-z0-9-]. A label cannot hold '.', so the rest (".example.com/cb") must
 * follow it exactly: no extra labels, no other port, path or query. */
static int host_wildcard_match(const char *registered, const char *requested)
{
    size_t n = 0;
    if (strncmp(requested, HTTPS_PREFIX, HTTPS_PREFIX_LEN) != 0)
        return 0;
    const char *label = requested + HTTPS_PREFIX_LEN;
    while (is_label_char(label[n]))
        n++;
    return n >= 1 && n <= LABEL_MAX && strcmp(label + n, registered + HTTPS_PREFIX_LEN + 1) == 0;
}

/* registered is PREFIX "*" with PREFIX ending in '/' inside the path: requested must start
 * with PREFIX and go on with a safe_path (no query, no escapes, no dot or empty segments). */
static int path_wildcard_match(const char *registered, const char *requested)
{
    size_t prefix = strlen(registered) - 1;
    if (strncmp(requested, registered, prefix) != 0)
        return 0;
    return safe_path(requested + prefix, strlen(requested + prefix));
}

int grantd_redirect_uri_matches(const char *registered, const char *requested, int wildcard)
{
    enum wildcard_kind kind;
    if (!registered || !requested)
        return 0;
    /* The requested URI gets the registration checks first. Without wildcards: a '*' in it
     * is never a match, so a pattern cannot be redirected to. Insecure http is let through
     * here because only a byte-equal registered URI (checked with its own rules) can match. */
    if (grantd_redirect_uri_check_registration(requested, 1, 0, NULL) != GRANTD_OK)
        return 0;
    if (!strchr(registered, '*'))
        return strcmp(registered, requested) == 0 || loopback_match(registered, requested);
    if (!wildcard || grantd_redirect_uri_check_registration(registered, 0, 1, NULL) != GRANTD_OK ||
        classify_wildcard(registered, &kind) != NULL)
        return 0;
    if (kind == WILDCARD_HOST)
        return host_wildcard_match(registered, requested);
    return path_wildcard_match(registered, requested);
}

grantd_rc grantd_redirect_uri_resolve(const char *const *registered, size_t count,
                                      const char *requested, int wildcard,
                                      const char **effective, const char **why)
{
    const char *msg = NULL, *eff = NULL;
    if (!registered)
        count = 0;
    if (requested && !*requested)
        requested = NULL; /* an empty parameter is an absent one */
    if (count == 0) {
        if (requested && strcmp(requested, GRANTD_REDIRECT_URI_OOB) != 0)
            msg = "redirect_uri was given but the client has no registered redirect URI";
    } else if (requested) {
        msg = "redirect_uri does not match a redirect URI registered for this client";
        for (size_t i = 0; i < count && msg; i++)
            if (grantd_redirect_uri_matches(registered[i], requested, wildcard))
                msg = NULL;
        eff = requested;
    } else if (count > 1) {
        msg = "redirect_uri is required: the client has several registered redirect URIs";
    } else if (registered[0] && strchr(registered[0], '*')) {
        msg = "redirect_uri is required: the client's registered redirect URI is a pattern";
    } else if (grantd_redirect_uri_check_registration(registered[0], 1, 0, NULL) != GRANTD_OK) {
        msg = "the client's registered redirect URI is not valid"; /* never registered so */
    } else {
        eff = registered[0];
    }
    if (effective)
        *effective = msg ? NULL : eff;
    if (msg && why)
        *why = msg;
    return msg ? GRANTD_EINVAL : GRANTD_OK;
}
