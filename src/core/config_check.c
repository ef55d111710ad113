/* What each string setting may be (core/config_int.h): shared by loading and validation of
 * the configuration, and by the CLI (issuer URLs and paths of tenants). */
#include "core/config_int.h"
#include "core/cidr.h"
#include "core/ui_texts.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/config.h"
#include "core/crypto.h"
#include "core/log.h"

/* 0..65535; 0 asks the kernel for a free port (grantd serve logs the one it got), which
 * tests and throw-away instances use. */
static int valid_port(const char *p)
{
    size_t n = strlen(p);
    if (n < 1 || n > 5 || strspn(p, "0123456789") != n)
        return 0;
    return strtol(p, NULL, 10) <= 65535;
}

grantd_rc grantd_config_listen_parse(const char *listen, char *host, size_t hostlen,
                                     unsigned *port)
{
    const char *h, *p;
    size_t hl;
    if (!listen)
        return GRANTD_EINVAL;
    if (listen[0] == '[') {
        const char *end = strchr(listen, ']');
        if (!end || end[1] != ':')
            return GRANTD_EINVAL;
        h = listen + 1;
        hl = (size_t)(end - h);
        p = end + 2;
        if (hl == 0 || strspn(h, "0123456789abcdefABCDEF:.") != hl || !memchr(h, ':', hl))
            return GRANTD_EINVAL;
    } else {
        const char *colon = strrchr(listen, ':');
        if (!colon)
            return GRANTD_EINVAL;
        h = listen;
        hl = (size_t)(colon - listen);
        p = colon + 1;
        if (hl == 0 || strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                 "0123456789-._") != hl)
            return GRANTD_EINVAL;
    }
    if (!valid_port(p) || hl + 1 > hostlen)
        return GRANTD_EINVAL;
    memcpy(host, h, hl);
    host[hl] = '\0';
    *port = (unsigned)strtoul(p, NULL, 10);
    return GRANTD_OK;
}

const char *grantd_cfgchk_listen(const char *v)
{
    char host[256];
    unsigned port;
    if (grantd_config_listen_parse(v, host, sizeof(host), &port) != GRANTD_OK)
        return "must be HOST:PORT or [IPV6]:PORT with a port from 0 to 65535";
    return NULL;
}

static int has_bad_char(const char *v)
{
    for (const unsigned char *c = (const unsigned char *)v; *c; c++)
        if (*c <= 0x20 || *c >= 0x7f)
            return 1;
    return 0;
}

const char *grantd_config_check_issuer(const char *v)
{
    const char *rest;
    if (strncmp(v, "https://", 8) == 0)
        rest = v + 8;
    else if (strncmp(v, "http://", 7) == 0)
        rest = v + 7;
    else
        return "must be an absolute http:// or https:// URL";
    if (has_bad_char(v))
        return "must not contain whitespace, control or non-ASCII characters";
    if (strpbrk(v, "?#"))
        return "must not have a query or a fragment";
    size_t authority = strcspn(rest, "/");
    if (authority == 0)
        return "must have a host";
    if (memchr(rest, '@', authority))
        return "must not contain userinfo";
    if (v[strlen(v) - 1] == '/')
        return "must not end with a slash";
    return NULL;
}

/* A file name: not empty (whether it can be opened is told when it is, naming it). */
const char *grantd_cfgchk_path(const char *v)
{
    return *v ? NULL : "must not be empty";
}

const char *grantd_cfgchk_db(const char *v)
{
    const char *c = v;
    if (!isalpha((unsigned char)*c))
        return "must start with a scheme (e.g. sqlite:grantd.db)";
    while (isalnum((unsigned char)*c) || *c == '+' || *c == '-' || *c == '.')
        c++;
    if (*c != ':')
        return "must start with a scheme (e.g. sqlite:grantd.db)";
    if (c[1] == '\0')
        return "has nothing after its scheme";
    return NULL;
}

const char *grantd_cfgchk_log_level(const char *v)
{
    if (grantd_log_level_parse(v) < 0)
        return "must be one of debug, info, warn, error";
    return NULL;
}

const char *grantd_cfgchk_key_alg(const char *v)
{
    return strcmp(v, "ES256") == 0 || strcmp(v, "RS256") == 0 ? NULL : "must be ES256 or RS256";
}

/* base64 (standard, padded or not) of exactly 32 bytes. The value is never echoed. */
const char *grantd_cfgchk_master_key(const char *v)
{
    unsigned char raw[64];
    size_t n = 0;
    size_t len = strlen(v);
    if (len > 64 || grantd_b64_decode(v, len, 1, raw, &n) != GRANTD_OK || n != 32)
        return "must be the base64 of 32 random bytes (e.g. `openssl rand -base64 32`)";
    return NULL;
}

/* A JSON member name for the token response: 1..64 of [A-Za-z0-9_], not a standard one. */
const char *grantd_cfgchk_member_name(const char *v)
{
    static const char *const taken[] = {"access_token", "token_type", "expires_in",
                                        "refresh_token", "scope", "id_token", NULL};
    size_t n = strlen(v);
    if (n < 1 || n > 64 || strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                     "0123456789_") != n)
        return "must be 1 to 64 letters, digits or underscores";
    for (size_t i = 0; taken[i]; i++)
        if (strcmp(v, taken[i]) == 0)
            return "is a standard token-response member";
    return NULL;
}

/* An extra endpoint path: absolute, 2..128 bytes of unreserved characters and '/' (case
 * and a trailing slash are kept: /OAuth2/token and /oauth/token/ are the guides' own). */
const char *grantd_config_check_path(const char *v)
{
    size_t n = strlen(v);
    if (n < 2 || n > 128 || v[0] != '/' || strstr(v, "//") ||
        strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/") != n)
        return "must be a path like /oauth2/token: '/' then letters, digits, '-', '.', '_', "
               "'~' or '/', at most 128 bytes";
    return NULL;
}

const char *grantd_cfgchk_token_body(const char *v)
{
    return strcmp(v, "form") == 0 || strcmp(v, "json") == 0 || strcmp(v, "both") == 0
               ? NULL
               : "must be form, json or both";
}

/* RFC 6749 §7.1: token types compare case-insensitively; only Bearer is issued. */
const char *grantd_cfgchk_token_type(const char *v)
{
    return strcasecmp(v, "Bearer") == 0 ? NULL : "must be a spelling of Bearer (e.g. bearer)";
}

const char *grantd_cfgchk_token_format(const char *v)
{
    return strcmp(v, "opaque") == 0 || strcmp(v, "jwt") == 0 ? NULL : "must be opaque or jwt";
}

const char *grantd_cfgchk_profile_name(const char *v)
{
    size_t n = strlen(v);
    if (n < 1 || n > 64 || strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                     "0123456789_.-") != n)
        return "must be 1 to 64 letters, digits, '_', '.' or '-'";
    return NULL;
}

const char *grantd_cfgchk_header_value(const char *v)
{
    for (const unsigned char *c = (const unsigned char *)v; *c; c++)
        if (*c < 0x20 || *c >= 0x7f)
            return "must be printable ASCII on one line";
    return *v && strlen(v) <= 256 ? NULL : "must be 1 to 256 characters";
}

const char *grantd_cfgchk_api_body(const char *v)
{
    return strlen(v) <= 4096 ? NULL : "must be at most 4096 bytes";
}

const char *grantd_cfgchk_registration_mode(const char *v)
{
    return strcmp(v, GRANTD_REGISTRATION_OFF) == 0 || strcmp(v, GRANTD_REGISTRATION_TOKEN) == 0 ||
                   strcmp(v, GRANTD_REGISTRATION_OPEN) == 0
               ? NULL
               : "must be off, token or open";
}

const char *grantd_cfgchk_registration_member(const char *v)
{
    static const char *const members[] = GRANTD_REGISTRATION_MEMBERS;
    for (size_t i = 0; members[i]; i++)
        if (strcmp(members[i], v) == 0)
            return NULL;
    return "is not a member /register can accept (client_name, redirect_uris, grant_types, "
           "response_types, scope, token_endpoint_auth_method, client_uri, logo_uri, "
           "contacts, tos_uri, policy_uri, post_logout_redirect_uris, "
           "id_token_signed_response_alg)";
}

/* ---- profile.branding (issue 13 item 5) ---- */

const char *grantd_cfgchk_product_name(const char *v)
{
    size_t n = strlen(v);
    if (n < 1 || n > 64)
        return "must be 1 to 64 bytes";
    for (const unsigned char *c = (const unsigned char *)v; *c; c++)
        if (*c < 0x20 || *c == 0x7f)
            return "must not hold control characters";
    return NULL;
}

/* Exactly #rrggbb: the value goes into the pages' stylesheet, so nothing else may pass
 * (no names, no ';', no '}', no url()). */
const char *grantd_cfgchk_color(const char *v)
{
    if (strlen(v) != 7 || v[0] != '#' || strspn(v + 1, "0123456789abcdefABCDEF") != 6)
        return "must be a colour written #rrggbb (six hex digits)";
    return NULL;
}

const char *grantd_cfgchk_language(const char *v)
{
    static const char *const shipped[] = GRANTD_UI_LANGUAGES;
    for (size_t i = 0; shipped[i]; i++)
        if (strcmp(shipped[i], v) == 0)
            return NULL;
    return "is not a language grantd ships page texts in (en, de, nl)";
}

/* The logo's URL goes into the CSP as a source expression (img-src URL), where it matches
 * exactly that URL, and into the page as an attribute. So: scheme, a host of letters,
 * digits, '.' and '-', an optional port, and a path of unreserved characters, '/' and
 * percent escapes; no query (CSP ignores it, so it could not be pinned), no ';' or ','
 * (they end a CSP directive or policy), no quotes or spaces. */
const char *grantd_config_check_logo_url(const char *v)
{
    static const char *const why =
        "must be https://HOST[:PORT]/PATH (http:// only for 127.0.0.1 or localhost) with "
        "letters, digits and -._~/% in the path, no query or fragment, at most 512 bytes";
    size_t n = strlen(v);
    const char *host;
    if (n > 512)
        return why;
    if (strncmp(v, "https://", 8) == 0)
        host = v + 8;
    else if (strncmp(v, "http://127.0.0.1", 16) == 0 || strncmp(v, "http://localhost", 16) == 0)
        host = v + 7;
    else
        return why;
    size_t h = strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-");
    if (h == 0)
        return why;
    const char *p = host + h;
    if (*p == ':') {
        size_t digits = strspn(p + 1, "0123456789");
        if (digits < 1 || digits > 5)
            return why;
        p += 1 + digits;
    }
    if (*p != '/' || p[1] == '\0')
        return why; /* a path names the one image */
    if (strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/%") !=
        strlen(p))
        return why;
    if (host == v + 7 && h != 9) /* exactly "127.0.0.1" or "localhost" (9 bytes each) */
        return why;
    return NULL;
}

/* profile.console.reenable: what Enable gives a revoked application (oauth/console.c). */
const char *grantd_cfgchk_console_reenable(const char *v)
{
    return strcmp(v, GRANTD_CONSOLE_NEW_SECRET) == 0 || strcmp(v, GRANTD_CONSOLE_NEW_CLIENT_ID) == 0
               ? NULL
               : "must be new_secret or new_client_id";
}

/* profile.console's button labels: 1..40 bytes, no control characters (the pages escape
 * them like any text). */
const char *grantd_cfgchk_console_label(const char *v)
{
    size_t n = strlen(v);
    if (n == 0 || n > 40)
        return "must be 1 to 40 bytes";
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
            return "must not contain control characters";
    return NULL;
}

const char *grantd_cfgchk_cidr(const char *v)
{
    struct grantd_cidr block;
    return grantd_cidr_parse(v, &block);
}

const char *grantd_cfgchk_forwarded_header(const char *v)
{
    return strcmp(v, "x-forwarded-for") == 0 || strcmp(v, "forwarded") == 0
               ? NULL
               : "must be \"x-forwarded-for\" or \"forwarded\"";
}
