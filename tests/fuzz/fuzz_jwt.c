/* libFuzzer target for the JWTs presented to introspection, revocation and /userinfo:
 * storage keys of any text (token/opaque.c reads a JWT's jti from its unverified payload)
 * and signature checks with claim reading (token/jwt.c).
 *
 * Each input is used twice: as presented token text, and as the claims part of a token that
 * the fixed test key below signs, so that the claim reader behind the signature check sees
 * arbitrary JSON too. Invariants: nothing crashes or leaks; a token that verifies has every
 * required claim; its claims signed again verify to the same claims. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto.h"
#include "core/mem.h"
#include "fuzz_check.h"
#include "token/jwt_int.h"
#include "token/opaque.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A P-256 key for this target only (PKCS#8 DER), so that corpus files made with it stay
 * valid from run to run. */
static const unsigned char test_key[] = {
    0x30, 0x81, 0x87, 0x02, 0x01, 0x00, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d,
    0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x04, 0x6d, 0x30,
    0x6b, 0x02, 0x01, 0x01, 0x04, 0x20, 0xc7, 0xd5, 0x1c, 0x36, 0x6e, 0x79, 0xe0, 0xeb, 0x50,
    0x93, 0x3b, 0x30, 0xae, 0xfe, 0xbf, 0x73, 0x5b, 0xd4, 0xc5, 0xc3, 0x21, 0x22, 0x61, 0x0b,
    0x65, 0x81, 0x72, 0xdc, 0xdc, 0xf0, 0xeb, 0x21, 0xa1, 0x44, 0x03, 0x42, 0x00, 0x04, 0x1a,
    0x94, 0x73, 0xe2, 0x22, 0xe3, 0xe7, 0x7c, 0xf9, 0xb4, 0x32, 0x87, 0xfe, 0xf6, 0xa1, 0xf1,
    0x7c, 0xc6, 0x65, 0x47, 0x33, 0x60, 0xa9, 0x9d, 0x5d, 0xce, 0xad, 0x58, 0x0c, 0xbe, 0xe9,
    0x7c, 0x55, 0xdd, 0xd3, 0x97, 0x70, 0xca, 0x42, 0xf3, 0xdd, 0xf1, 0x38, 0xf5, 0x97, 0x33,
    0x1c, 0x37, 0x04, 0x1f, 0x72, 0x45, 0xd9, 0x86, 0x1e, 0xac, 0xf3, 0x85, 0xb3, 0x7c, 0x8f,
    0xad, 0x8a, 0xe3};

static struct grantd_jwk *key(void)
{
    static struct grantd_jwk *k;
    if (!k)
        FUZZ_CHECK(grantd_jwk_from_der(GRANTD_JWK_ES256, test_key, sizeof(test_key), &k) ==
                   GRANTD_OK);
    return k;
}

static int same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* A verified token has its required claims, and signing them again gives the same ones. */
static void check_claims(struct grantd_arena *a, const struct grantd_jwt_claims *c)
{
    FUZZ_CHECK(c->iss && c->sub && c->client_id && c->jti);
    const char *again = NULL;
    struct grantd_jwt_claims back;
    if (grantd_jwt_sign(key(), a, c, &again) != GRANTD_OK)
        return; /* a claim with bytes the signer refuses (not UTF-8 after a \u0000) */
    FUZZ_CHECK(grantd_jwt_verify(key(), a, again, &back) == GRANTD_OK);
    FUZZ_CHECK(same(c->iss, back.iss) && same(c->sub, back.sub) &&
               same(c->client_id, back.client_id) && same(c->jti, back.jti) &&
               c->iat == back.iat && c->exp == back.exp);
    /* scope "" is left out when signing */
    FUZZ_CHECK(same(c->scope && *c->scope ? c->scope : NULL, back.scope));
}

/* The input as the claims part of a token the test key signs. */
static void signed_payload(struct grantd_arena *a, const uint8_t *data, size_t size)
{
    const struct grantd_jwk *k = key();
    size_t signed_len = k->header_b64_len + 1 + grantd_b64url_len(size);
    char *jws = grantd_arena_alloc(a, signed_len + 1 + grantd_b64url_len(GRANTD_JWK_SIG_MAX) + 1);
    memcpy(jws, k->header_b64, k->header_b64_len);
    jws[k->header_b64_len] = '.';
    grantd_b64url_encode(data, size, jws + k->header_b64_len + 1);
    unsigned char sig[GRANTD_JWK_SIG_MAX];
    size_t sig_len = 0;
    FUZZ_CHECK(grantd_jwk_sign(k, jws, signed_len, sig, &sig_len) == GRANTD_OK);
    jws[signed_len] = '.';
    grantd_b64url_encode(sig, sig_len, jws + signed_len + 1);
    struct grantd_jwt_claims c;
    if (grantd_jwt_verify(k, a, jws, &c) == GRANTD_OK)
        check_claims(a, &c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 8192)
        return 0;
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    struct grantd_arena *a = grantd_arena_new(4096);
    unsigned char k1[GRANTD_SHA256_LEN], k2[GRANTD_SHA256_LEN];
    grantd_opaque_hash(text, k1);
    grantd_opaque_hash(text, k2);
    FUZZ_CHECK(memcmp(k1, k2, sizeof(k1)) == 0);
    struct grantd_jwt_claims c;
    if (grantd_jwt_verify(key(), a, text, &c) == GRANTD_OK)
        check_claims(a, &c);
    (void)grantd_opaque_jti_self_time(text);
    signed_payload(a, data, size);
    grantd_arena_free(a);
    free(text);
    return 0;
}
