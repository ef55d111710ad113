/* libFuzzer target for libgrantd-verify's parsers of what comes from elsewhere: each input
 * is read as a presented token (the JWS splitter and its header-only kid reader, then a
 * whole verification under a fixed key set and clock, without a network) and as a JWKS
 * document (the JWK → EVP_PKEY path).
 *
 * The key is fuzz_jwt.c's test key, published with its RFC 7638 kid, so the corpus token
 * copied from corpus/jwt/valid_token verifies and the claim checks behind the signature are
 * reached. Invariants: nothing crashes or leaks; a parsed JWS has object claims and a
 * signing input inside the token; a parsed key set holds 1 to 64 keys, each with a kid and
 * a key; a result has a WWW-Authenticate value exactly when it is not OK. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_assert.h"
#include "grantd/verify.h"
#include "verify/verify_int.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char jwks[] =
    "{\"keys\":[{\"crv\":\"P-256\",\"kty\":\"EC\","
    "\"x\":\"GpRz4iLj53z5tDKH_vah8XzGZUczYKmdXc6tWAy-6Xw\","
    "\"y\":\"Vd3Tl3DKQvPd8Tj1lzMcNwQfckXZhh6s84WzfI-tiuM\","
    "\"kid\":\"Uep8N8u0_cjIiHUTF57kmPMkieCVZnhEfj6tQibFqfQ\",\"alg\":\"ES256\",\"use\":\"sig\"}]}";

static int64_t fixed_now(void *ctx)
{
    (void)ctx;
    return 1795446500; /* inside the corpus token's lifetime */
}

static struct grantd_verifier *verifier(void)
{
    static struct grantd_verifier *v;
    if (!v) {
        struct grantd_verifier_config c = {.struct_size = sizeof(c),
                                           .issuer = "http://127.0.0.1:8080",
                                           .jwks_json = jwks, .now = fixed_now};
        v = grantd_verifier_new(&c);
        FUZZ_CHECK(v != NULL);
    }
    return v;
}

static void as_token(const char *text, size_t len)
{
    struct grantd_verify_jws j;
    char kid[GRANTD_VERIFY_KID_MAX + 1];
    int has_kid = grantd_verify_jws_kid(text, kid, sizeof(kid)); /* the feed's key check */
    FUZZ_CHECK(!has_kid || strlen(kid) <= GRANTD_VERIFY_KID_MAX);
    if (grantd_verify_jws_parse(text, &j) == GRANTD_OK) {
        FUZZ_CHECK(json_is_object(j.claims));
        FUZZ_CHECK(j.signing_input == text && j.signing_input_len < len);
        FUZZ_CHECK(!j.kid[0] || (has_kid && strcmp(kid, j.kid) == 0));
        grantd_verify_jws_clear(&j);
    }
    struct grantd_verify_result r;
    enum grantd_verify_reason reason = grantd_verify(verifier(), text, "read", &r);
    FUZZ_CHECK(reason == r.reason && reason <= GRANTD_VERIFY_INSUFFICIENT_SCOPE);
    FUZZ_CHECK((reason == GRANTD_VERIFY_OK) == (r.www_authenticate == NULL));
    FUZZ_CHECK(reason != GRANTD_VERIFY_OK || r.subject != NULL);
    grantd_verify_result_clear(&r);
}

static void as_jwks(const char *text, size_t len)
{
    struct grantd_verify_keyset *ks = NULL;
    if (grantd_verify_jwks_parse(text, len, &ks) != GRANTD_OK) {
        FUZZ_CHECK(ks == NULL);
        return;
    }
    FUZZ_CHECK(ks->n >= 1 && ks->n <= GRANTD_VERIFY_KEYS_MAX);
    for (size_t i = 0; i < ks->n; i++)
        FUZZ_CHECK(ks->keys[i].kid[0] && ks->keys[i].pkey &&
                   grantd_verify_keyset_find(ks, ks->keys[i].kid) == &ks->keys[i]);
    grantd_verify_keyset_free(ks);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        abort();
    memcpy(text, data, size);
    text[size] = '\0';
    as_token(text, strlen(text));
    as_jwks(text, size);
    free(text);
    return 0;
}
