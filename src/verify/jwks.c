/* libgrantd-verify: a JWKS document (RFC 7517) parsed into signature keys. The members are
 * decoded from base64url and handed to OpenSSL 3's EVP_PKEY_fromdata (EC P-256 from x/y,
 * RSA from n/e), which builds and checks the key: no key parser of our own.
 *
 * Not here: fetching the document or caching the set (verifier.c). */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include "core/crypto.h"
#include "verify/verify_int.h"

#define EC_COORD 32
#define RSA_MIN_BITS 2048
#define RSA_MAX_BITS 8192
#define MEMBER_MAX 1100 /* decoded bytes of one member: an 8192-bit modulus and some */

/* The base64url string member name of o decoded into buf; its length, or 0 if bad. */
static size_t member_raw(json_t *o, const char *name, unsigned char *buf)
{
    json_t *v = json_object_get(o, name);
    size_t n = 0;
    if (!json_is_string(v) || json_string_length(v) > grantd_b64url_len(MEMBER_MAX) ||
        grantd_b64_decode(json_string_value(v), json_string_length(v), 0, buf, &n) != GRANTD_OK)
        return 0;
    return n;
}

static EVP_PKEY *from_params(const char *type, OSSL_PARAM_BLD *b)
{
    EVP_PKEY *pkey = NULL;
    OSSL_PARAM *p = OSSL_PARAM_BLD_to_param(b);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
    if (p && ctx && EVP_PKEY_fromdata_init(ctx) == 1)
        if (EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, p) != 1)
            pkey = NULL;
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(p);
    return pkey;
}

/* An EC P-256 public key from x and y, checked to be on the curve. */
static EVP_PKEY *ec_key(json_t *jwk)
{
    unsigned char x[MEMBER_MAX + 3], y[MEMBER_MAX + 3], pt[1 + 2 * EC_COORD];
    const char *crv = json_string_value(json_object_get(jwk, "crv"));
    if (!crv || strcmp(crv, "P-256") != 0 || member_raw(jwk, "x", x) != EC_COORD ||
        member_raw(jwk, "y", y) != EC_COORD)
        return NULL;
    pt[0] = 0x04; /* uncompressed point */
    memcpy(pt + 1, x, EC_COORD);
    memcpy(pt + 1 + EC_COORD, y, EC_COORD);
    OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
    EVP_PKEY *pkey = NULL;
    if (b && OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) &&
        OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof(pt)))
        pkey = from_params("EC", b);
    OSSL_PARAM_BLD_free(b);
    EVP_PKEY_CTX *chk = pkey ? EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL) : NULL;
    if (pkey && (!chk || EVP_PKEY_public_check(chk) != 1)) {
        EVP_PKEY_free(pkey);
        pkey = NULL;
    }
    EVP_PKEY_CTX_free(chk);
    return pkey;
}

/* An RSA public key from n and e, 2048 to 8192 bits. */
static EVP_PKEY *rsa_key(json_t *jwk)
{
    unsigned char n[MEMBER_MAX + 3], e[MEMBER_MAX + 3];
    size_t nl = member_raw(jwk, "n", n), el = member_raw(jwk, "e", e);
    if (!nl || !el || el > 8)
        return NULL;
    BIGNUM *bn = BN_bin2bn(n, (int)nl, NULL), *be = BN_bin2bn(e, (int)el, NULL);
    OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
    EVP_PKEY *pkey = NULL;
    if (bn && be && b && BN_num_bits(bn) >= RSA_MIN_BITS && BN_num_bits(bn) <= RSA_MAX_BITS &&
        BN_is_odd(be) && OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_N, bn) &&
        OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_E, be))
        pkey = from_params("RSA", b);
    OSSL_PARAM_BLD_free(b);
    BN_free(bn);
    BN_free(be);
    return pkey;
}

static EVP_PKEY_CTX *verify_template(enum grantd_verify_alg alg, EVP_PKEY *pkey)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    if (!ctx || EVP_PKEY_verify_init(ctx) != 1 ||
        (alg == GRANTD_VERIFY_RS256 &&
         (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) != 1 ||
          EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) != 1))) {
        EVP_PKEY_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/* One JWK into *k; 0 when it is not a usable signature key (skipped, not an error). */
static int key_from_jwk(json_t *jwk, struct grantd_verify_key *k)
{
    const char *kty = json_string_value(json_object_get(jwk, "kty"));
    const char *alg = json_string_value(json_object_get(jwk, "alg"));
    const char *use = json_string_value(json_object_get(jwk, "use"));
    json_t *kid = json_object_get(jwk, "kid");
    if (!kty || (use && strcmp(use, "sig") != 0) || !json_is_string(kid) ||
        json_string_length(kid) > GRANTD_VERIFY_KID_MAX || json_string_length(kid) == 0 ||
        strlen(json_string_value(kid)) != json_string_length(kid))
        return 0;
    if (strcmp(kty, "EC") == 0 && (!alg || strcmp(alg, "ES256") == 0)) {
        k->alg = GRANTD_VERIFY_ES256;
        k->pkey = ec_key(jwk);
    } else if (strcmp(kty, "RSA") == 0 && (!alg || strcmp(alg, "RS256") == 0)) {
        k->alg = GRANTD_VERIFY_RS256;
        k->pkey = rsa_key(jwk);
    }
    k->verify_tpl = k->pkey ? verify_template(k->alg, k->pkey) : NULL;
    if (!k->verify_tpl) {
        EVP_PKEY_free(k->pkey);
        k->pkey = NULL;
        return 0;
    }
    memcpy(k->kid, json_string_value(kid), json_string_length(kid) + 1);
    return 1;
}

grantd_rc grantd_verify_jwks_parse(const char *json, size_t len,
                                   struct grantd_verify_keyset **out)
{
    *out = NULL;
    if (len > GRANTD_VERIFY_DOC_MAX)
        return GRANTD_ETOOBIG;
    json_t *doc = json_loadb(json, len, JSON_REJECT_DUPLICATES, NULL);
    json_t *keys = json_object_get(doc, "keys");
    struct grantd_verify_keyset *ks = calloc(1, sizeof(*ks));
    if (!ks)
        abort();
    size_t i;
    json_t *jwk;
    json_array_foreach(keys, i, jwk) {
        if (ks->n == GRANTD_VERIFY_KEYS_MAX)
            break;
        if (json_is_object(jwk) && !grantd_verify_keyset_find(ks, json_string_value(
                                           json_object_get(jwk, "kid"))) &&
            key_from_jwk(jwk, &ks->keys[ks->n]))
            ks->n++;
    }
    json_decref(doc);
    if (ks->n == 0) {
        grantd_verify_keyset_free(ks);
        return GRANTD_EINVAL;
    }
    *out = ks;
    return GRANTD_OK;
}

void grantd_verify_keyset_free(struct grantd_verify_keyset *ks)
{
    if (!ks)
        return;
    for (size_t i = 0; i < ks->n; i++) {
        EVP_PKEY_CTX_free(ks->keys[i].verify_tpl);
        EVP_PKEY_free(ks->keys[i].pkey);
    }
    free(ks);
}

const struct grantd_verify_key *grantd_verify_keyset_find(const struct grantd_verify_keyset *ks,
                                                          const char *kid)
{
    if (!ks || !kid)
        return NULL;
    for (size_t i = 0; i < ks->n; i++)
        if (strcmp(ks->keys[i].kid, kid) == 0)
            return &ks->keys[i];
    return NULL;
}
