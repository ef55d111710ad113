/* RFC 9068 JWT access tokens: the claims as compact JSON, then the JWS compact form
 * header.claims.signature, written straight into the request arena; and reading back a
 * token we signed (introspection of self-contained tokens).
 *
 * Not here: which key signs (keys.c) or how the signature is made (jwt_key.c). The JWS
 * header is pre-encoded per key, so a token costs one JSON render, two base64url encodings
 * and one signature. The JSON is written by hand rather than with jansson: the members are
 * fixed, and two passes (measure, then write) need no allocation besides the arena's. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "core/crypto.h"
#include "token/jwt_int.h"

/* A writer that only counts when buf is NULL (the measuring pass). */
struct jw {
    char *buf;
    size_t len;
    int bad; /* a string was not valid UTF-8 */
};

static void put(struct jw *w, const char *s, size_t n)
{
    if (w->buf)
        memcpy(w->buf + w->len, s, n);
    w->len += n;
}

/* Length of the UTF-8 sequence starting at s (at most left bytes), 0 when invalid
 * (overlong forms, surrogates and code points above U+10FFFF included). */
static size_t utf8_seq(const unsigned char *s, size_t left)
{
    unsigned c = s[0];
    size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
    if (c < 0xc2 || c > 0xf4 || left < n)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f) ||
        (c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] > 0x8f))
        return 0;
    return n;
}

/* A JSON string literal: quotes, backslashes and control characters escaped. */
static void put_str(struct jw *w, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    size_t len = strlen(s);
    put(w, "\"", 1);
    for (size_t i = 0; i < len;) {
        size_t run = i;
        while (run < len && p[run] >= 0x20 && p[run] < 0x80 && p[run] != '"' && p[run] != '\\')
            run++;
        put(w, s + i, run - i);
        i = run;
        if (i == len)
            break;
        if (p[i] >= 0x80) {
            size_t n = utf8_seq(p + i, len - i);
            if (n == 0) {
                w->bad = 1;
                return;
            }
            put(w, s + i, n);
            i += n;
            continue;
        }
        char esc[6] = {'\\', (char)p[i], 0, 0, 0, 0};
        size_t n = 2;
        if (p[i] < 0x20) {
            memcpy(esc, "\\u00", 4);
            esc[4] = hex[p[i] >> 4];
            esc[5] = hex[p[i] & 15];
            n = 6;
        }
        put(w, esc, n);
        i++;
    }
    put(w, "\"", 1);
}

static void member_str(struct jw *w, const char *name, const char *value)
{
    put(w, name, strlen(name));
    put_str(w, value);
}

static void member_int(struct jw *w, const char *name, int64_t value)
{
    char num[32];
    int n = snprintf(num, sizeof(num), "%" PRId64, value);
    put(w, name, strlen(name));
    put(w, num, (size_t)n);
}

/* Members in the order of RFC 9068 §2.2; aud is omitted when NULL, scope when NULL or "". */
static void claims(struct jw *w, const struct grantd_jwt_claims *c)
{
    member_str(w, "{\"iss\":", c->iss);
    member_str(w, ",\"sub\":", c->sub);
    if (c->aud)
        member_str(w, ",\"aud\":", c->aud);
    member_int(w, ",\"exp\":", c->exp);
    member_int(w, ",\"iat\":", c->iat);
    member_str(w, ",\"jti\":", c->jti);
    member_str(w, ",\"client_id\":", c->client_id);
    if (c->scope && *c->scope)
        member_str(w, ",\"scope\":", c->scope);
    put(w, "}", 1);
}

grantd_rc grantd_jwt_sign(const struct grantd_jwk *k, struct grantd_arena *a,
                          const struct grantd_jwt_claims *c, const char **out)
{
    *out = NULL;
    if (!c->iss || !c->sub || !c->client_id || !c->jti)
        return GRANTD_EINVAL;
    struct jw w = {0};
    claims(&w, c);
    if (w.bad)
        return GRANTD_EINVAL;
    size_t json_len = w.len;
    w = (struct jw){.buf = grantd_arena_alloc(a, json_len)};
    claims(&w, c);

    size_t body_len = grantd_b64url_len(json_len);
    size_t signed_len = k->header_b64_len + 1 + body_len;
    char *jws = grantd_arena_alloc(a, signed_len + 1 + grantd_b64url_len(GRANTD_JWK_SIG_MAX) + 1);
    memcpy(jws, k->header_b64, k->header_b64_len);
    jws[k->header_b64_len] = '.';
    grantd_b64url_encode(w.buf, json_len, jws + k->header_b64_len + 1);

    unsigned char sig[GRANTD_JWK_SIG_MAX];
    size_t sig_len = 0;
    grantd_rc rc = grantd_jwk_sign(k, jws, signed_len, sig, &sig_len);
    if (rc != GRANTD_OK)
        return rc;
    jws[signed_len] = '.';
    grantd_b64url_encode(sig, sig_len, jws + signed_len + 1);
    *out = jws;
    return GRANTD_OK;
}

/* The string member name of o copied into the arena; NULL when absent or not a string. */
static const char *claim_str(struct grantd_arena *a, json_t *o, const char *name)
{
    json_t *v = json_object_get(o, name);
    return json_is_string(v) ? grantd_arena_strndup(a, json_string_value(v), json_string_length(v))
                             : NULL;
}

static int claim_int(json_t *o, const char *name, int64_t *out)
{
    json_t *v = json_object_get(o, name);
    if (!json_is_integer(v))
        return 0;
    *out = (int64_t)json_integer_value(v);
    return 1;
}

grantd_rc grantd_jwt_verify(const struct grantd_jwk *k, struct grantd_arena *a,
                            const char *jws, struct grantd_jwt_claims *out)
{
    memset(out, 0, sizeof(*out));
    size_t h = k->header_b64_len;
    if (strncmp(jws, k->header_b64, h) != 0 || jws[h] != '.')
        return GRANTD_EINVAL;
    const char *body = jws + h + 1;
    const char *dot = strchr(body, '.');
    if (!dot)
        return GRANTD_EINVAL;
    const char *sig_b64 = dot + 1;
    size_t sig_chars = strlen(sig_b64);
    unsigned char sig[GRANTD_JWK_SIG_MAX + 3];
    size_t sig_len = 0;
    if (sig_chars > grantd_b64url_len(GRANTD_JWK_SIG_MAX) ||
        grantd_b64_decode(sig_b64, sig_chars, 0, sig, &sig_len) != GRANTD_OK ||
        !grantd_jwk_verify(k, jws, (size_t)(dot - jws), sig, sig_len))
        return GRANTD_EINVAL;
    /* from here on the claims are ours: we signed them */
    size_t body_chars = (size_t)(dot - body);
    unsigned char *json = grantd_arena_alloc(a, body_chars * 3 / 4 + 3);
    size_t json_len = 0;
    if (grantd_b64_decode(body, body_chars, 0, json, &json_len) != GRANTD_OK)
        return GRANTD_EINVAL;
    json_t *o = json_loadb((const char *)json, json_len, JSON_REJECT_DUPLICATES, NULL);
    struct grantd_jwt_claims c = {
        .iss = claim_str(a, o, "iss"),
        .sub = claim_str(a, o, "sub"),
        .aud = claim_str(a, o, "aud"),
        .client_id = claim_str(a, o, "client_id"),
        .scope = claim_str(a, o, "scope"),
        .jti = claim_str(a, o, "jti"),
    };
    int ok = json_is_object(o) && c.iss && c.sub && c.client_id && c.jti &&
             claim_int(o, "iat", &c.iat) && claim_int(o, "exp", &c.exp);
    json_decref(o);
    if (!ok)
        return GRANTD_EINVAL;
    *out = c;
    return GRANTD_OK;
}
