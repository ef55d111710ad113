/* libgrantd-verify: the compact JWS of an access token split and decoded (header members,
 * claims, signature), and the signature checked with a key's EVP_PKEY.
 *
 * Not here: which key (jwks.c, verifier.c) or what the claims must say (verifier.c). The
 * header's alg is only copied out; the caller compares it with the key's own alg. */
#include <string.h>

#include "core/crypto.h"
#include "verify/verify_int.h"

#define ES256_SIG_LEN 64

/* Decodes base64url [in, in+len) into a malloc'd NUL-terminated buffer; NULL if bad. */
static char *b64_dup(const char *in, size_t len, size_t *out_len)
{
    unsigned char *buf = malloc(len * 3 / 4 + 4);
    if (!buf)
        abort();
    if (grantd_b64_decode(in, len, 0, buf, out_len) != GRANTD_OK) {
        free(buf);
        return NULL;
    }
    buf[*out_len] = '\0';
    return (char *)buf;
}

static json_t *b64_json(const char *in, size_t len)
{
    size_t n = 0;
    char *s = b64_dup(in, len, &n);
    if (!s)
        return NULL;
    json_t *o = json_loadb(s, n, JSON_REJECT_DUPLICATES, NULL);
    free(s);
    if (o && !json_is_object(o)) {
        json_decref(o);
        o = NULL;
    }
    return o;
}

/* Copies the string member name of o into dst (cap bytes); 1 when present and it fits. */
static int member_copy(json_t *o, const char *name, char *dst, size_t cap)
{
    json_t *v = json_object_get(o, name);
    if (!json_is_string(v) || json_string_length(v) >= cap ||
        strlen(json_string_value(v)) != json_string_length(v))
        return 0;
    memcpy(dst, json_string_value(v), json_string_length(v) + 1);
    return 1;
}

grantd_rc grantd_verify_jws_parse(const char *token, struct grantd_verify_jws *out)
{
    grantd_rc rc = GRANTD_EINVAL;
    json_t *hdr = NULL;
    memset(out, 0, sizeof(*out));
    size_t len = strnlen(token, GRANTD_VERIFY_TOKEN_MAX + 1);
    const char *d1 = memchr(token, '.', len);
    const char *d2 = d1 ? memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - token)) : NULL;
    if (len > GRANTD_VERIFY_TOKEN_MAX || !d2 || memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - token)))
        goto out;
    size_t sig_chars = len - (size_t)(d2 + 1 - token);
    if (sig_chars > grantd_b64url_len(sizeof(out->sig) - 3) ||
        grantd_b64_decode(d2 + 1, sig_chars, 0, out->sig, &out->sig_len) != GRANTD_OK)
        goto out;
    hdr = b64_json(token, (size_t)(d1 - token));
    if (!hdr || !member_copy(hdr, "alg", out->alg, sizeof(out->alg)))
        goto out;
    /* typ and kid are optional here; the caller decides what their absence means */
    member_copy(hdr, "typ", out->typ, sizeof(out->typ));
    member_copy(hdr, "kid", out->kid, sizeof(out->kid));
    if (json_object_get(hdr, "crit"))
        goto out; /* no extension is understood (RFC 7515 §4.1.11) */
    out->claims = b64_json(d1 + 1, (size_t)(d2 - d1 - 1));
    if (!out->claims)
        goto out;
    out->signing_input = token;
    out->signing_input_len = (size_t)(d2 - token);
    rc = GRANTD_OK;
out:
    json_decref(hdr);
    if (rc != GRANTD_OK)
        grantd_verify_jws_clear(out);
    return rc;
}

int grantd_verify_jws_kid(const char *token, char *kid, size_t cap)
{
    const char *dot = strchr(token, '.');
    if (!dot)
        return 0;
    json_t *hdr = b64_json(token, (size_t)(dot - token));
    int ok = hdr && member_copy(hdr, "kid", kid, cap);
    json_decref(hdr);
    return ok;
}

void grantd_verify_jws_clear(struct grantd_verify_jws *j)
{
    json_decref(j->claims);
    memset(j, 0, sizeof(*j));
}

/* One 32-byte big-endian integer as a DER INTEGER at out: leading zeros dropped (one
 * kept), a zero prepended when the high bit is set. Returns the bytes written. */
static size_t der_integer(const unsigned char *v, unsigned char *out)
{
    size_t skip = 0;
    while (skip < 31 && v[skip] == 0)
        skip++;
    size_t n = 32 - skip, pad = (v[skip] & 0x80) != 0;
    out[0] = 0x02;
    out[1] = (unsigned char)(n + pad);
    out[2] = 0;
    memcpy(out + 2 + pad, v + skip, n);
    return 2 + pad + n;
}

/* JWS ES256 signatures are r||s (RFC 7518 §3.4); EVP wants the DER ECDSA-Sig-Value. Written
 * by hand (at most 72 bytes, short-form lengths only): ECDSA_SIG and two BIGNUMs cost a
 * measurable share of an uncached verification. 0 on a bad length. */
static int es256_der(const unsigned char *raw, size_t len, unsigned char *der, size_t *der_len)
{
    if (len != ES256_SIG_LEN)
        return 0;
    size_t n = der_integer(raw, der + 2);
    n += der_integer(raw + 32, der + 2 + n);
    der[0] = 0x30;
    der[1] = (unsigned char)n;
    *der_len = n + 2;
    return 1;
}

int grantd_verify_jws_signature(const struct grantd_verify_jws *j, EVP_PKEY_CTX *ctx,
                                enum grantd_verify_alg alg)
{
    unsigned char der[80], digest[GRANTD_SHA256_LEN];
    const unsigned char *sig = j->sig;
    size_t sig_len = j->sig_len;
    if (alg == GRANTD_VERIFY_ES256) {
        if (!es256_der(j->sig, j->sig_len, der, &sig_len))
            return 0;
        sig = der;
    } else if (sig_len != (size_t)EVP_PKEY_get_size(EVP_PKEY_CTX_get0_pkey(ctx))) {
        return 0;
    }
    grantd_sha256(j->signing_input, j->signing_input_len, digest);
    return EVP_PKEY_verify(ctx, sig, sig_len, digest, sizeof(digest)) == 1;
}
