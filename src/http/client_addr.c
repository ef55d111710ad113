/* The client's address behind trusted proxies (client_addr.h): the X-Forwarded-For and
 * Forwarded (RFC 7239 §4, §6) parsers and the right-to-left walk. Keeps no state. */
#include "http/client_addr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http/app.h"

#define HOPS_MAX 32 /* addresses read from the right; further left is never reached */

size_t grantd_trusted_proxies(const struct grantd_config *cfg, struct grantd_cidr *blocks,
                              size_t max)
{
    size_t n = 0;
    for (char **p = cfg->trusted_proxies; p && *p && n < max; p++)
        if (grantd_cidr_parse(*p, &blocks[n]) == NULL)
            n++;
    return n;
}

static int trusted(const struct grantd_cidr *blocks, size_t n, const unsigned char addr[16])
{
    for (size_t i = 0; i < n; i++)
        if (grantd_cidr_match(&blocks[i], addr))
            return 1;
    return 0;
}

static int ows(char c)
{
    return c == ' ' || c == '\t';
}

/* s[0..len) without surrounding spaces and tabs. */
static void trim(const char **s, size_t *len)
{
    while (*len && ows(**s)) {
        (*s)++;
        (*len)--;
    }
    while (*len && ows((*s)[*len - 1]))
        (*len)--;
}

/* 1 when s[0..len) is a port: digits only, at least one, at most 65535. */
static int digits(const char *s, size_t len)
{
    unsigned long v = 0;
    if (len == 0 || len > 5)
        return 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (unsigned long)(s[i] - '0');
    }
    return v <= 65535;
}

/* A node: "192.0.2.1", "192.0.2.1:80", "2001:db8::1", "[2001:db8::1]", "[2001:db8::1]:80".
 * 0 when it is none of these. */
static int parse_node(const char *s, size_t len, unsigned char addr[16])
{
    trim(&s, &len);
    if (len && s[0] == '[') {
        const char *close = memchr(s, ']', len);
        if (!close || close == s + 1)
            return 0;
        size_t in = (size_t)(close - s - 1), after = len - in - 2;
        if (after && (close[1] != ':' || !digits(close + 2, after - 1)))
            return 0;
        return memchr(s + 1, ':', in) && grantd_ip_parse(s + 1, in, addr);
    }
    const char *colon = memchr(s, ':', len);
    if (colon && !memchr(colon + 1, ':', len - (size_t)(colon - s) - 1)) {
        size_t host = (size_t)(colon - s);
        return digits(colon + 1, len - host - 1) && !memchr(s, ':', host) &&
               grantd_ip_parse(s, host, addr);
    }
    return grantd_ip_parse(s, len, addr);
}

/* One element's for= value of a Forwarded header (pairs split by ';', a value a token or a
 * quoted-string), unquoted into buf. 0 when the element has none or is malformed. */
static int forwarded_for(const char *s, size_t len, char *buf, size_t buflen, size_t *outlen)
{
    size_t i = 0;
    while (i < len) {
        size_t start = i;
        while (i < len && s[i] != '=' && s[i] != ';')
            i++;
        const char *name = s + start;
        size_t nlen = i - start;
        trim(&name, &nlen);
        if (i == len || s[i] != '=')
            return 0;
        i++;
        size_t o = 0;
        if (i < len && s[i] == '"') {
            for (i++; i < len && s[i] != '"'; i++) {
                if (s[i] == '\\' && i + 1 < len)
                    i++;
                if (o + 1 >= buflen)
                    return 0;
                buf[o++] = s[i];
            }
            if (i == len)
                return 0;
            i++;
        } else {
            for (; i < len && s[i] != ';' && !ows(s[i]); i++) {
                if (o + 1 >= buflen)
                    return 0;
                buf[o++] = s[i];
            }
        }
        while (i < len && ows(s[i]))
            i++;
        if (i < len && s[i] != ';')
            return 0;
        if (nlen == 3 && strncasecmp(name, "for", 3) == 0) {
            *outlen = o;
            return 1;
        }
        i++;
    }
    return 0;
}

/* The start of the element before end in h (elements split by commas outside quotes, for
 * Forwarded; X-Forwarded-For has no quotes). Scans from the left once per call: hops are
 * few and headers short (the request's header limit). */
static const char *element_start(const char *h, const char *end)
{
    const char *start = h;
    int quoted = 0;
    for (const char *p = h; p < end; p++) {
        if (quoted && *p == '\\' && p + 1 < end)
            p++;
        else if (*p == '"')
            quoted = !quoted;
        else if (*p == ',' && !quoted)
            start = p + 1;
    }
    return start;
}

static void format_addr(const unsigned char addr[16], char out[GRANTD_CLIENT_ADDR_LEN])
{
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(addr, mapped, 12) == 0)
        inet_ntop(AF_INET, addr + 12, out, GRANTD_CLIENT_ADDR_LEN);
    else
        inet_ntop(AF_INET6, addr, out, GRANTD_CLIENT_ADDR_LEN);
}

/* 1 when the quotes of h are balanced (an unterminated quoted-string makes the element
 * boundaries unknowable: the header is not used). */
static int quotes_balanced(const char *h)
{
    int quoted = 0;
    for (const char *p = h; *p; p++) {
        if (quoted && *p == '\\' && p[1])
            p++;
        else if (*p == '"')
            quoted = !quoted;
    }
    return !quoted;
}

void grantd_client_addr_pick(const struct grantd_cidr *blocks, size_t n, const char *peer,
                             const char *header, int forwarded,
                             char out[GRANTD_CLIENT_ADDR_LEN])
{
    unsigned char addr[16];
    snprintf(out, GRANTD_CLIENT_ADDR_LEN, "%s", peer && *peer ? peer : "-");
    if (!peer || !grantd_ip_parse(peer, strlen(peer), addr) || !trusted(blocks, n, addr) ||
        !header || (forwarded && !quotes_balanced(header)))
        return;
    const char *end = header + strlen(header);
    for (int hop = 0; hop < HOPS_MAX && end > header; hop++) {
        const char *start = forwarded ? element_start(header, end) : end;
        if (!forwarded)
            while (start > header && start[-1] != ',')
                start--;
        char buf[GRANTD_CLIENT_ADDR_LEN + 16];
        const char *node = start;
        size_t len = (size_t)(end - start);
        if (forwarded) {
            if (!forwarded_for(start, len, buf, sizeof(buf), &len))
                return;
            node = buf;
        }
        if (!parse_node(node, len, addr))
            return; /* unknown or obfuscated: the proxy that forwarded it stays the answer */
        format_addr(addr, out);
        if (!trusted(blocks, n, addr))
            return;
        end = start > header ? start - 1 : header;
    }
}

/* The values of every header line called name, joined with commas; NULL when none. */
static const char *joined(const struct grantd_request *req, const char *name)
{
    const char *all = NULL;
    for (size_t i = 0; i < req->headers.count; i++) {
        if (strcasecmp(req->headers.items[i].name, name) != 0)
            continue;
        all = all ? grantd_arena_printf(req->arena, "%s,%s", all, req->headers.items[i].value)
                  : req->headers.items[i].value;
    }
    return all;
}

const char *grantd_client_addr(const struct grantd_request *req)
{
    const struct grantd_config *cfg = req->app->cfg;
    struct grantd_cidr blocks[GRANTD_TRUSTED_PROXIES_MAX];
    char out[GRANTD_CLIENT_ADDR_LEN];
    if (!cfg || !cfg->trusted_proxies || !cfg->trusted_proxies[0])
        return req->remote_ip;
    size_t n = grantd_trusted_proxies(cfg, blocks, GRANTD_TRUSTED_PROXIES_MAX);
    int fwd = cfg->forwarded_header && strcmp(cfg->forwarded_header, "forwarded") == 0;
    grantd_client_addr_pick(blocks, n, req->remote_ip,
                            joined(req, fwd ? "forwarded" : "x-forwarded-for"), fwd, out);
    return grantd_arena_strdup(req->arena, out);
}
