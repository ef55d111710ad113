/* Signing keys in memory: generation and loading with OpenSSL 3 EVP, the RFC 7638 thumbprint
 * that names a key (kid), its public JWK (RFC 7517/7518), and the raw JWS signature.
 *
 * Not here: sealing and storing keys, choosing the signing key (keys.c), token claims (jwt.c).
 *
 * Signing cost matters (every JWT access token is one signature): each key keeps an
 * EVP_PKEY_CTX initialised for signing once, and a signature duplicates it (no algorithm
 * fetch, no property-query locking) instead of running EVP_DigestSignInit every time. The
 * template is never modified after load, so duplicating it from many threads is safe.
 * Verifying (introspection of self-contained tokens) keeps a second template the same way. */
#include "token/jwt_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "core/crypto.h"

#define ES256_COORD 32
#define RSA_MIN_BITS 2048
#define RSA_MAX_BITS 8192

int grantd_jwk_alg_parse(const char *name)
{
    if (name && strcmp(name, "ES256") == 0)
        return GRANTD_JWK_ES256;
    if (name && strcmp(name, "RS256") == 0)
        return GRANTD_JWK_RS256;
    return 0;
}

const char *grantd_jwk_alg_name(enum grantd_jwk_alg alg)
{
    return alg == GRANTD_JWK_RS256 ? "RS256" : "ES256";
}

void grantd_jwk_free(struct grantd_jwk *k)
{
    if (!k)
        return;
    EVP_PKEY_CTX_free(k->sign_tpl);
    EVP_PKEY_CTX_free(k->verify_tpl);
    EVP_PKEY_free(k->pkey);
    free(k->public_jwk);
    free(k->header_b64);
    free(k);
}

/* base64url of a BIGNUM, big-endian, left-padded to pad bytes (0: minimal length). */
static char *bn_b64(const BIGNUM *bn, int pad)
{
    int n = pad > 0 ? pad : BN_num_bytes(bn);
    if (n <= 0)
        n = 1;
    unsigned char *raw = grantd_xmalloc((size_t)n);
    char *out = NULL;
    if (BN_bn2binpad(bn, raw, n) == n) {
        out = grantd_xmalloc(grantd_b64url_len((size_t)n) + 1);
        grantd_b64url_encode(raw, (size_t)n, out);
    }
    free(raw);
    return out;
}

/* The two public members of the key as base64url: x and y (EC) or n and e (RSA). */
static grantd_rc public_members(const struct grantd_jwk *k, char **a, char **b)
{
    BIGNUM *p = NULL, *q = NULL;
    int ec = k->alg == GRANTD_JWK_ES256;
    *a = *b = NULL;
    const char *pa = ec ? OSSL_PKEY_PARAM_EC_PUB_X : OSSL_PKEY_PARAM_RSA_N;
    const char *pb = ec ? OSSL_PKEY_PARAM_EC_PUB_Y : OSSL_PKEY_PARAM_RSA_E;
    if (EVP_PKEY_get_bn_param(k->pkey, pa, &p) == 1 &&
        EVP_PKEY_get_bn_param(k->pkey, pb, &q) == 1) {
        *a = bn_b64(p, ec ? ES256_COORD : 0);
        *b = bn_b64(q, ec ? ES256_COORD : 0);
    }
    BN_free(p);
    BN_free(q);
    if (*a && *b)
        return GRANTD_OK;
    free(*a);
    free(*b);
    *a = *b = NULL;
    return GRANTD_ECRYPTO;
}

/* kid (RFC 7638: SHA-256 of the required members in lexicographic order, no whitespace),
 * the public JWK text and the JWS header, from the key's public members. */
static grantd_rc describe(struct grantd_jwk *k)
{
    char *a, *b;
    grantd_rc rc = public_members(k, &a, &b);
    if (rc != GRANTD_OK)
        return rc;
    int ec = k->alg == GRANTD_JWK_ES256;
    size_t cap = strlen(a) + strlen(b) + 256;
    char *buf = grantd_xmalloc(cap);
    unsigned char digest[GRANTD_SHA256_LEN];
    int n = ec ? snprintf(buf, cap, "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"%s\",\"y\":\"%s\"}", a, b)
               : snprintf(buf, cap, "{\"e\":\"%s\",\"kty\":\"RSA\",\"n\":\"%s\"}", b, a);
    grantd_sha256(buf, (size_t)n, digest);
    grantd_b64url_encode(digest, sizeof(digest), k->kid);
    const char *alg = grantd_jwk_alg_name(k->alg);
    if (ec)
        snprintf(buf, cap,
                 "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"%s\",\"y\":\"%s\",\"kid\":\"%s\","
                 "\"alg\":\"%s\",\"use\":\"sig\"}", a, b, k->kid, alg);
    else
        snprintf(buf, cap,
                 "{\"kty\":\"RSA\",\"n\":\"%s\",\"e\":\"%s\",\"kid\":\"%s\",\"alg\":\"%s\","
                 "\"use\":\"sig\"}", a, b, k->kid, alg);
    k->public_jwk = buf;
    k->header_b64 = grantd_jwt_header_b64(alg, k->kid, &k->header_b64_len);
    free(a);
    free(b);
    return GRANTD_OK;
}

/* 1 when pkey is a key alg can use. */
static int fits(enum grantd_jwk_alg alg, EVP_PKEY *pkey)
{
    if (alg == GRANTD_JWK_RS256) {
        int bits = EVP_PKEY_get_bits(pkey);
        return EVP_PKEY_is_a(pkey, "RSA") && bits >= RSA_MIN_BITS && bits <= RSA_MAX_BITS;
    }
    char group[64];
    size_t len = 0;
    if (!EVP_PKEY_is_a(pkey, "EC") ||
        EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                       &len) != 1)
        return 0;
    return strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0;
}

/* A context for pkey set up to sign (or verify): RS256 signs a DigestInfo with PKCS#1 v1.5
 * padding, ES256 the bare digest. NULL when OpenSSL fails. */
static EVP_PKEY_CTX *template(enum grantd_jwk_alg alg, EVP_PKEY *pkey, int sign)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    if (!ctx || (sign ? EVP_PKEY_sign_init(ctx) : EVP_PKEY_verify_init(ctx)) != 1 ||
        (alg == GRANTD_JWK_RS256 &&
         (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) != 1 ||
          EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) != 1))) {
        EVP_PKEY_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/* Takes ownership of pkey: builds the templates and the descriptions. */
static grantd_rc wrap(enum grantd_jwk_alg alg, EVP_PKEY *pkey, struct grantd_jwk **out)
{
    struct grantd_jwk *k = grantd_xcalloc(1, sizeof(*k));
    k->alg = alg;
    k->pkey = pkey;
    grantd_rc rc = GRANTD_ECRYPTO;
    k->sign_tpl = template(alg, pkey, 1);
    k->verify_tpl = template(alg, pkey, 0);
    if (!k->sign_tpl || !k->verify_tpl)
        goto out;
    rc = describe(k);
out:
    if (rc != GRANTD_OK) {
        grantd_jwk_free(k);
        k = NULL;
    }
    *out = k;
    return rc;
}

grantd_rc grantd_jwk_generate(enum grantd_jwk_alg alg, struct grantd_jwk **out)
{
    *out = NULL;
    EVP_PKEY *pkey = alg == GRANTD_JWK_RS256 ? EVP_RSA_gen(GRANTD_RSA_BITS) : EVP_EC_gen("P-256");
    if (!pkey)
        return GRANTD_ECRYPTO;
    return wrap(alg, pkey, out);
}

grantd_rc grantd_jwk_from_der(enum grantd_jwk_alg alg, const unsigned char *der, size_t n,
                              struct grantd_jwk **out)
{
    *out = NULL;
    const unsigned char *p = der;
    if (n == 0 || n > 16384)
        return GRANTD_EINVAL;
    EVP_PKEY *pkey = d2i_AutoPrivateKey(NULL, &p, (long)n);
    if (!pkey)
        return GRANTD_ECRYPTO;
    if (p != der + n || !fits(alg, pkey)) {
        EVP_PKEY_free(pkey);
        return GRANTD_EINVAL;
    }
    return wrap(alg, pkey, out);
}

grantd_rc grantd_jwk_private_der(const struct grantd_jwk *k, unsigned char **der, size_t *n)
{
    *der = NULL;
    *n = 0;
    PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(k->pkey);
    if (!p8)
        return GRANTD_ECRYPTO;
    unsigned char *buf = NULL;
    int len = i2d_PKCS8_PRIV_KEY_INFO(p8, &buf);
    PKCS8_PRIV_KEY_INFO_free(p8);
    if (len <= 0)
        return GRANTD_ECRYPTO;
    /* hand out malloc memory, so that callers need not know OPENSSL_free */
    *der = grantd_xmalloc((size_t)len);
    memcpy(*der, buf, (size_t)len);
    *n = (size_t)len;
    OPENSSL_clear_free(buf, (size_t)len);
    return GRANTD_OK;
}

/* An ECDSA signature from DER (SEQUENCE of two INTEGERs) to fixed-width R || S. */
static grantd_rc der_to_jose(const unsigned char *der, size_t n, unsigned char *out)
{
    const unsigned char *p = der;
    ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)n);
    if (!s)
        return GRANTD_ECRYPTO;
    const BIGNUM *r = NULL, *sv = NULL;
    ECDSA_SIG_get0(s, &r, &sv);
    int ok = BN_bn2binpad(r, out, ES256_COORD) == ES256_COORD &&
             BN_bn2binpad(sv, out + ES256_COORD, ES256_COORD) == ES256_COORD;
    ECDSA_SIG_free(s);
    return ok ? GRANTD_OK : GRANTD_ECRYPTO;
}

grantd_rc grantd_jwk_sign(const struct grantd_jwk *k, const void *msg, size_t n,
                          unsigned char *sig, size_t *sig_len)
{
    unsigned char digest[GRANTD_SHA256_LEN], der[GRANTD_JWK_SIG_MAX];
    size_t der_len = sizeof(der);
    grantd_rc rc = GRANTD_ECRYPTO;
    *sig_len = 0;
    grantd_sha256(msg, n, digest);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_dup(k->sign_tpl);
    if (!ctx || EVP_PKEY_sign(ctx, der, &der_len, digest, sizeof(digest)) != 1)
        goto out;
    if (k->alg == GRANTD_JWK_ES256) {
        rc = der_to_jose(der, der_len, sig);
        if (rc == GRANTD_OK)
            *sig_len = 2 * ES256_COORD;
    } else {
        memcpy(sig, der, der_len); /* RSASSA-PKCS1-v1_5 output is the JWS signature as is */
        *sig_len = der_len;
        rc = GRANTD_OK;
    }
out:
    EVP_PKEY_CTX_free(ctx);
    return rc;
}

/* R || S (64 bytes) to the DER an EVP verifier wants; *der_len 0 when it cannot be. */
static void jose_to_der(const unsigned char *sig, unsigned char *der, size_t cap,
                        size_t *der_len)
{
    *der_len = 0;
    ECDSA_SIG *s = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(sig, ES256_COORD, NULL);
    BIGNUM *sv = BN_bin2bn(sig + ES256_COORD, ES256_COORD, NULL);
    if (s && r && sv && ECDSA_SIG_set0(s, r, sv) == 1) {
        r = sv = NULL; /* owned by s now */
        int n = i2d_ECDSA_SIG(s, NULL);
        unsigned char *p = der;
        if (n > 0 && (size_t)n <= cap && i2d_ECDSA_SIG(s, &p) == n)
            *der_len = (size_t)n;
    }
    BN_free(r);
    BN_free(sv);
    ECDSA_SIG_free(s);
}

int grantd_jwk_verify(const struct grantd_jwk *k, const void *msg, size_t n,
                      const unsigned char *sig, size_t sig_len)
{
    unsigned char digest[GRANTD_SHA256_LEN], der[GRANTD_JWK_SIG_MAX];
    const unsigned char *s = sig;
    size_t s_len = sig_len;
    if (k->alg == GRANTD_JWK_ES256) {
        if (sig_len != 2 * ES256_COORD)
            return 0;
        jose_to_der(sig, der, sizeof(der), &s_len);
        s = der;
    } else if (sig_len != (size_t)EVP_PKEY_get_size(k->pkey)) {
        return 0;
    }
    if (s_len == 0)
        return 0;
    grantd_sha256(msg, n, digest);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_dup(k->verify_tpl);
    int ok = ctx && EVP_PKEY_verify(ctx, s, s_len, digest, sizeof(digest)) == 1;
    EVP_PKEY_CTX_free(ctx);
    return ok;
}

char *grantd_jwt_header_b64(const char *alg, const char *kid, size_t *len)
{
    char header[256];
    int n = snprintf(header, sizeof(header), "{\"typ\":\"at+jwt\",\"alg\":\"%s\",\"kid\":\"%s\"}",
                     alg, kid);
    if (n < 0 || (size_t)n >= sizeof(header))
        n = 0; /* a kid this long is none of ours: a header nothing matches */
    char *out = grantd_xmalloc(grantd_b64url_len((size_t)n) + 1);
    *len = grantd_b64url_encode(header, (size_t)n, out);
    return out;
}
