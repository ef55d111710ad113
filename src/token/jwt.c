/* RFC 9068 JWT access tokens: the claims as compact JSON, then the JWS compact form
 * header.claims.signature, written straight into the request arena; and reading back a
 * token we signed (introspection of self-contained tokens).
 *
 * Not here: which key signs (keys.c) or how the signature is made (jwt_key.c). The JWS
 * header is pre-encoded per key, so a token costs one JSON render, two base64url encodings
 * and one signature. The JSON is written with core/jsonw.h rather than jansson: the members
 * are fixed, and two passes (measure, then write) need no allocation besides the arena's. */
#include <string.h>

#include <jansson.h>

#include "core/crypto.h"
#include "core/jsonw.h"
#include "token/jwt_int.h"

/* Members in the order of RFC 9068 §2.2; aud is omitted when NULL, a string for one audience
 * and an array for several (c->aud space-separated), scope omitted when NULL or "". */
static void claims(struct grantd_jsonw *w, const struct grantd_jwt_claims *c)
{
    grantd_jsonw_member_str(w, 1, "iss", c->iss);
    grantd_jsonw_member_str(w, 0, "sub", c->sub);
    if (c->aud)
        grantd_jsonw_member_list(w, 0, "aud", c->aud);
    grantd_jsonw_member_int(w, 0, "exp", c->exp);
    grantd_jsonw_member_int(w, 0, "iat", c->iat);
    grantd_jsonw_member_str(w, 0, "jti", c->jti);
    grantd_jsonw_member_str(w, 0, "client_id", c->client_id);
    if (c->scope && *c->scope)
        grantd_jsonw_member_str(w, 0, "scope", c->scope);
    grantd_jsonw_raw(w, "}", 1);
}

grantd_rc grantd_jwt_sign(const struct grantd_jwk *k, struct grantd_arena *a,
                          const struct grantd_jwt_claims *c, const char **out)
{
    *out = NULL;
    if (!c->iss || !c->sub || !c->client_id || !c->jti)
        return GRANTD_EINVAL;
    struct grantd_jsonw w = {0};
    claims(&w, c);
    if (w.bad)
        return GRANTD_EINVAL;
    size_t json_len = w.len;
    w = (struct grantd_jsonw){.buf = grantd_arena_alloc(a, json_len)};
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

/* The aud claim as a space-separated list in the arena (an array's strings joined); NULL
 * when absent or of another type. */
static const char *claim_aud(struct grantd_arena *a, json_t *o)
{
    json_t *v = json_object_get(o, "aud"), *item;
    if (json_is_string(v))
        return grantd_arena_strndup(a, json_string_value(v), json_string_length(v));
    if (!json_is_array(v))
        return NULL;
    size_t len = 0, i;
    json_array_foreach(v, i, item) len += json_is_string(item) ? json_string_length(item) + 1 : 0;
    char *out = grantd_arena_alloc(a, len + 1), *p = out;
    json_array_foreach(v, i, item)
    {
        if (!json_is_string(item))
            continue;
        if (p != out)
            *p++ = ' ';
        memcpy(p, json_string_value(item), json_string_length(item));
        p += json_string_length(item);
    }
    *p = '\0';
    return out;
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
        .aud = claim_aud(a, o),
        .client_id = claim_str(a, o, "client_id"),
        .scope = claim_str(a, o, "scope"),
        .jti = claim_str(a, o, "jti"),
    };
    int ok = json_is_object(o) && c.iss && c.sub && c.client_id && c.jti &&
             claim_int(o, "iat", &c.iat) && claim_int(o, "exp", &c.exp) &&
             (!json_object_get(o, "nbf") || claim_int(o, "nbf", &c.nbf));
    json_decref(o);
    if (!ok)
        return GRANTD_EINVAL;
    *out = c;
    return GRANTD_OK;
}
