/* libgrantd-verify without a network: keys generated here, their JWKS given to the verifier
 * as a fixed jwks_json, tokens signed here with OpenSSL. Checks the claim rules (typ, iss,
 * aud, exp/nbf/iat with the skew, scopes), that the algorithm comes from the key, bad
 * signatures, malformed tokens, the result's members and WWW-Authenticate, and the JWKS
 * parser's refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "core/crypto.h"
#include "grantd/verify.h"
#include "verify/verify_int.h"

#define ISS "https://issuer.example"
#define NOW 1700000000

static EVP_PKEY *ec_key, *rsa_key;
static char *jwks;
static int64_t now_s = NOW;

static int64_t test_now(void *ctx)
{
    (void)ctx;
    return now_s;
}

static char *bn_member(EVP_PKEY *k, const char *name, int pad)
{
    BIGNUM *bn = NULL;
    assert_int_equal(EVP_PKEY_get_bn_param(k, name, &bn), 1);
    unsigned char raw[1024];
    int n = pad ? pad : BN_num_bytes(bn);
    assert_int_equal(BN_bn2binpad(bn, raw, n), n);
    BN_free(bn);
    char *out = malloc(grantd_b64url_len((size_t)n) + 1);
    grantd_b64url_encode(raw, (size_t)n, out);
    return out;
}

static int setup(void **state)
{
    ec_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    rsa_key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    assert_non_null(ec_key);
    assert_non_null(rsa_key);
    char *x = bn_member(ec_key, OSSL_PKEY_PARAM_EC_PUB_X, 32);
    char *y = bn_member(ec_key, OSSL_PKEY_PARAM_EC_PUB_Y, 32);
    char *n = bn_member(rsa_key, OSSL_PKEY_PARAM_RSA_N, 0);
    char *e = bn_member(rsa_key, OSSL_PKEY_PARAM_RSA_E, 0);
    json_t *doc = json_pack("{s:[{s:s,s:s,s:s,s:s,s:s,s:s},{s:s,s:s,s:s,s:s,s:s}]}", "keys",
                            "kty", "EC", "crv", "P-256", "x", x, "y", y, "kid", "ec1", "alg",
                            "ES256", "kty", "RSA", "n", n, "e", e, "kid", "rsa1", "use", "sig");
    jwks = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    free(x);
    free(y);
    free(n);
    free(e);
    return 0;
}

static int teardown(void **state)
{
    EVP_PKEY_free(ec_key);
    EVP_PKEY_free(rsa_key);
    free(jwks);
    return 0;
}

static char *b64(const char *s, size_t n)
{
    char *out = malloc(grantd_b64url_len(n) + 1);
    grantd_b64url_encode(s, n, out);
    return out;
}

/* header.claims.signature signed with k as alg ("ES256" or "RS256"). */
static char *sign(EVP_PKEY *k, int es, const char *header, const char *claims)
{
    char *h = b64(header, strlen(header)), *c = b64(claims, strlen(claims));
    char *input = malloc(strlen(h) + strlen(c) + 2);
    sprintf(input, "%s.%s", h, c);
    unsigned char sig[1024], raw[64];
    size_t sig_len = sizeof(sig);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    assert_int_equal(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k), 1);
    assert_int_equal(EVP_DigestSign(md, sig, &sig_len, (unsigned char *)input, strlen(input)), 1);
    EVP_MD_CTX_free(md);
    const unsigned char *der = sig;
    if (es) { /* DER to r||s */
        ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &der, (long)sig_len);
        BN_bn2binpad(ECDSA_SIG_get0_r(s), raw, 32);
        BN_bn2binpad(ECDSA_SIG_get0_s(s), raw + 32, 32);
        ECDSA_SIG_free(s);
        memcpy(sig, raw, 64);
        sig_len = 64;
    }
    char *sb = b64((const char *)sig, sig_len);
    char *out = malloc(strlen(input) + strlen(sb) + 2);
    sprintf(out, "%s.%s", input, sb);
    free(h);
    free(c);
    free(input);
    free(sb);
    return out;
}

static char *claims(int64_t exp, const char *extra)
{
    static char buf[1024];
    snprintf(buf, sizeof(buf),
             "{\"iss\":\"" ISS "\",\"sub\":\"alice\",\"aud\":\"" ISS "\",\"exp\":%lld,"
             "\"iat\":%lld,\"jti\":\"j1\",\"client_id\":\"app\",\"scope\":\"read write\"%s}",
             (long long)exp, (long long)NOW - 10, extra ? extra : "");
    return buf;
}

#define EC_HDR "{\"alg\":\"ES256\",\"typ\":\"at+jwt\",\"kid\":\"ec1\"}"
#define RSA_HDR "{\"alg\":\"RS256\",\"typ\":\"at+jwt\",\"kid\":\"rsa1\"}"

static struct grantd_verifier *verifier(const char *audience, int64_t skew)
{
    struct grantd_verifier_config c = {.struct_size = sizeof(c), .issuer = ISS,
                                       .audience = audience, .jwks_json = jwks,
                                       .clock_skew_s = skew, .now = test_now};
    struct grantd_verifier *v = grantd_verifier_new(&c);
    assert_non_null(v);
    return v;
}

/* The reason for token (freed here) under v with scope. */
static enum grantd_verify_reason check(struct grantd_verifier *v, char *token, const char *scope)
{
    struct grantd_verify_result r;
    enum grantd_verify_reason reason = grantd_verify(v, token, scope, &r);
    assert_int_equal(r.reason, reason);
    grantd_verify_result_clear(&r);
    free(token);
    return reason;
}

static void test_good_tokens_and_result(void **state)
{
    struct grantd_verifier *v = verifier(NULL, 0);
    char *t = sign(ec_key, 1, EC_HDR, claims(NOW + 60, NULL));
    struct grantd_verify_result r;
    char header[4096];
    snprintf(header, sizeof(header), "Bearer %s", t);
    assert_int_equal(grantd_verify(v, header, "read", &r), GRANTD_VERIFY_OK);
    assert_string_equal(r.subject, "alice");
    assert_string_equal(r.client_id, "app");
    assert_string_equal(r.scope, "read write");
    assert_non_null(strstr(r.claims_json, "\"jti\":\"j1\""));
    assert_null(r.www_authenticate);
    grantd_verify_result_clear(&r);
    free(t);
    assert_int_equal(check(v, sign(rsa_key, 0, RSA_HDR, claims(NOW + 60, NULL)), "write read"),
                     GRANTD_VERIFY_OK);
    struct grantd_verifier_stats s = {.struct_size = sizeof(s)};
    grantd_verifier_stats(v, &s);
    assert_int_equal(s.jwks_keys, 2);
    assert_int_equal(s.jwks_fetches, 0);
    struct grantd_verifier_stats unset = {0}; /* no struct_size: nothing written */
    grantd_verifier_stats(v, &unset);
    assert_int_equal(unset.jwks_keys, 0);
    grantd_verifier_free(v);
}

/* ES256's r and s are re-encoded as DER by hand: 300 signatures (600 integers) cover a set high
 * bit (half of them) and, very likely, a leading zero byte (1 in 256 each). */
static void test_many_es256_signatures(void **state)
{
    struct grantd_verifier_config c = {.struct_size = sizeof(c), .issuer = ISS,
                                       .jwks_json = jwks, .now = test_now, .jwt_cache_size = 1};
    struct grantd_verifier *v = grantd_verifier_new(&c);
    for (int i = 0; i < 300; i++)
        assert_int_equal(check(v, sign(ec_key, 1, EC_HDR, claims(NOW + 60, NULL)), NULL),
                         GRANTD_VERIFY_OK);
    grantd_verifier_free(v);
}

static void test_reasons_and_www_authenticate(void **state)
{
    struct grantd_verifier *v = verifier(NULL, 0);
    struct grantd_verify_result r;
    assert_int_equal(grantd_verify(v, NULL, NULL, &r), GRANTD_VERIFY_MISSING);
    assert_string_equal(r.www_authenticate, "Bearer realm=\"" ISS "\"");
    grantd_verify_result_clear(&r);
    assert_int_equal(grantd_verify(v, "Bearer  ", NULL, &r), GRANTD_VERIFY_MISSING);
    grantd_verify_result_clear(&r);
    /* another scheme is no bearer token at all: RFC 6750 §3.1, no error attribute */
    assert_int_equal(grantd_verify(v, "Basic dXNlcjpwYXNz", NULL, &r), GRANTD_VERIFY_MISSING);
    assert_string_equal(r.www_authenticate, "Bearer realm=\"" ISS "\"");
    grantd_verify_result_clear(&r);
    assert_int_equal(grantd_verify(v, "abc\x01", NULL, &r), GRANTD_VERIFY_INVALID);
    grantd_verify_result_clear(&r);
    assert_int_equal(grantd_verify(v, "Bearer a b", NULL, &r), GRANTD_VERIFY_INVALID);
    grantd_verify_result_clear(&r);
    assert_int_equal(grantd_verify(v, "x.y.z", NULL, &r), GRANTD_VERIFY_INVALID);
    assert_string_equal(r.www_authenticate, "Bearer realm=\"" ISS "\", error=\"invalid_token\"");
    grantd_verify_result_clear(&r);
    char *t = sign(ec_key, 1, EC_HDR, claims(NOW + 60, NULL));
    assert_int_equal(grantd_verify(v, t, "read admin", &r), GRANTD_VERIFY_INSUFFICIENT_SCOPE);
    assert_string_equal(r.www_authenticate,
                        "Bearer realm=\"" ISS "\", error=\"insufficient_scope\", "
                        "scope=\"read admin\"");
    assert_string_equal(r.subject, "alice");
    grantd_verify_result_clear(&r);
    free(t);
    assert_string_equal(grantd_verify_reason_name(GRANTD_VERIFY_OK), "ok");
    assert_string_equal(grantd_verify_reason_name(GRANTD_VERIFY_MISSING), "missing");
    assert_string_equal(grantd_verify_reason_name(GRANTD_VERIFY_INVALID), "invalid");
    assert_string_equal(grantd_verify_reason_name(GRANTD_VERIFY_EXPIRED), "expired");
    assert_string_equal(grantd_verify_reason_name(GRANTD_VERIFY_REVOKED), "revoked");
    assert_string_equal(grantd_verify_reason_name(GRANTD_VERIFY_INSUFFICIENT_SCOPE),
                        "insufficient_scope");
    grantd_verifier_free(v);
}

static void test_time_claims_with_skew(void **state)
{
    struct grantd_verifier *v = verifier(NULL, 0), *lax = verifier(NULL, 30);
    assert_int_equal(check(v, sign(ec_key, 1, EC_HDR, claims(NOW, NULL)), NULL),
                     GRANTD_VERIFY_EXPIRED);
    assert_int_equal(check(lax, sign(ec_key, 1, EC_HDR, claims(NOW - 20, NULL)), NULL),
                     GRANTD_VERIFY_OK);
    assert_int_equal(check(lax, sign(ec_key, 1, EC_HDR, claims(NOW - 30, NULL)), NULL),
                     GRANTD_VERIFY_EXPIRED);
    const char *nbf = ",\"nbf\":1700000020";
    assert_int_equal(check(v, sign(ec_key, 1, EC_HDR, claims(NOW + 60, nbf)), NULL),
                     GRANTD_VERIFY_INVALID);
    assert_int_equal(check(lax, sign(ec_key, 1, EC_HDR, claims(NOW + 60, nbf)), NULL),
                     GRANTD_VERIFY_OK);
    /* iat in the future; then a duplicated iat (refused as JSON); then no exp */
    char buf[1024];
    const char *fmt = "{\"iss\":\"" ISS "\",\"sub\":\"a\",\"exp\":%d,\"iat\":%d,\"jti\":\"j\","
                      "\"client_id\":\"c\"}";
    snprintf(buf, sizeof(buf), fmt, NOW + 600, NOW);
    assert_int_equal(check(v, sign(ec_key, 1, EC_HDR, buf), NULL), GRANTD_VERIFY_OK);
    snprintf(buf, sizeof(buf), fmt, NOW + 600, NOW + 100);
    assert_int_equal(check(v, sign(ec_key, 1, EC_HDR, buf), NULL), GRANTD_VERIFY_INVALID);
    /* RFC 9068 §2.2: iat, jti and client_id are required */
    const char *partial[] = {
        "{\"iss\":\"" ISS "\",\"sub\":\"a\",\"exp\":1800000000,\"jti\":\"j\",\"client_id\":\"c\"}",
        "{\"iss\":\"" ISS "\",\"sub\":\"a\",\"exp\":1800000000,\"iat\":1,\"client_id\":\"c\"}",
        "{\"iss\":\"" ISS "\",\"sub\":\"a\",\"exp\":1800000000,\"iat\":1,\"jti\":\"j\"}"};
    for (size_t i = 0; i < sizeof(partial) / sizeof(partial[0]); i++)
        assert_int_equal(check(v, sign(ec_key, 1, EC_HDR, partial[i]), NULL),
                         GRANTD_VERIFY_INVALID);
    assert_int_equal(check(v, sign(ec_key, 1, EC_HDR, claims(NOW + 60, ",\"iat\":1")), NULL),
                     GRANTD_VERIFY_INVALID);
    snprintf(buf, sizeof(buf), "{\"iss\":\"" ISS "\",\"sub\":\"a\"}");
    assert_int_equal(check(v, sign(ec_key, 1, EC_HDR, buf), NULL), GRANTD_VERIFY_INVALID);
    grantd_verifier_free(v);
    grantd_verifier_free(lax);
}

static void test_issuer_audience_typ(void **state)
{
    struct grantd_verifier *v = verifier(NULL, 0), *aud = verifier("api", 0);
    char buf[1024];
    snprintf(buf, sizeof(buf), "{\"iss\":\"https://evil.example\",\"sub\":\"a\",\"exp\":%d,"
             "\"iat\":%d,\"jti\":\"j\",\"client_id\":\"c\"}", NOW + 60, NOW);
    assert_int_equal(check(v, sign(ec_key, 1, EC_HDR, buf), NULL), GRANTD_VERIFY_INVALID);
    assert_int_equal(check(aud, sign(ec_key, 1, EC_HDR, claims(NOW + 60, NULL)), NULL),
                     GRANTD_VERIFY_INVALID);
    snprintf(buf, sizeof(buf), "{\"iss\":\"" ISS "\",\"sub\":\"a\",\"exp\":%d,\"iat\":%d,"
             "\"jti\":\"j\",\"client_id\":\"c\",\"aud\":[\"other\",\"api\"]}", NOW + 60, NOW);
    assert_int_equal(check(aud, sign(ec_key, 1, EC_HDR, buf), NULL), GRANTD_VERIFY_OK);
    const char *jwt_typ = "{\"alg\":\"ES256\",\"typ\":\"JWT\",\"kid\":\"ec1\"}";
    const char *no_typ = "{\"alg\":\"ES256\",\"kid\":\"ec1\"}";
    const char *long_typ = "{\"alg\":\"ES256\",\"typ\":\"application/at+jwt\",\"kid\":\"ec1\"}";
    assert_int_equal(check(v, sign(ec_key, 1, jwt_typ, claims(NOW + 60, NULL)), NULL),
                     GRANTD_VERIFY_INVALID);
    assert_int_equal(check(v, sign(ec_key, 1, no_typ, claims(NOW + 60, NULL)), NULL),
                     GRANTD_VERIFY_INVALID);
    assert_int_equal(check(v, sign(ec_key, 1, long_typ, claims(NOW + 60, NULL)), NULL),
                     GRANTD_VERIFY_OK);
    grantd_verifier_free(v);
    grantd_verifier_free(aud);
}

static void test_algorithm_comes_from_the_key(void **state)
{
    struct grantd_verifier *v = verifier(NULL, 0);
    /* RSA key, header says ES256 / an EC kid with a header saying RS256, none, HS256 */
    const char *h1 = "{\"alg\":\"ES256\",\"typ\":\"at+jwt\",\"kid\":\"rsa1\"}";
    const char *h2 = "{\"alg\":\"RS256\",\"typ\":\"at+jwt\",\"kid\":\"ec1\"}";
    const char *h3 = "{\"alg\":\"none\",\"typ\":\"at+jwt\",\"kid\":\"ec1\"}";
    const char *h4 = "{\"alg\":\"RS256\",\"typ\":\"at+jwt\",\"kid\":\"unknown\"}";
    const char *h5 = "{\"alg\":\"ES256\",\"typ\":\"at+jwt\",\"kid\":\"ec1\",\"crit\":[\"x\"]}";
    assert_int_equal(check(v, sign(rsa_key, 0, h1, claims(NOW + 60, NULL)), NULL),
                     GRANTD_VERIFY_INVALID);
    assert_int_equal(check(v, sign(rsa_key, 0, h2, claims(NOW + 60, NULL)), NULL),
                     GRANTD_VERIFY_INVALID);
    assert_int_equal(check(v, sign(ec_key, 1, h3, claims(NOW + 60, NULL)), NULL),
                     GRANTD_VERIFY_INVALID);
    assert_int_equal(check(v, sign(rsa_key, 0, h4, claims(NOW + 60, NULL)), NULL),
                     GRANTD_VERIFY_INVALID);
    assert_int_equal(check(v, sign(ec_key, 1, h5, claims(NOW + 60, NULL)), NULL),
                     GRANTD_VERIFY_INVALID);
    struct grantd_verifier_stats s = {.struct_size = sizeof(s)};
    grantd_verifier_stats(v, &s);
    assert_int_equal(s.jwks_fetches, 0); /* fixed keys: an unknown kid fetches nothing */
    grantd_verifier_free(v);
}

static void test_bad_signatures_and_malformed(void **state)
{
    struct grantd_verifier *v = verifier(NULL, 0);
    char *t = sign(ec_key, 1, EC_HDR, claims(NOW + 60, NULL));
    char *dot = strrchr(t, '.');
    dot[3] = dot[3] == 'A' ? 'B' : 'A';
    assert_int_equal(check(v, t, NULL), GRANTD_VERIFY_INVALID);
    t = sign(ec_key, 1, EC_HDR, claims(NOW + 60, NULL));
    strrchr(t, '.')[10] = '\0'; /* a truncated signature */
    assert_int_equal(check(v, t, NULL), GRANTD_VERIFY_INVALID);
    /* the claims of one token under the signature of another */
    char *a = sign(ec_key, 1, EC_HDR, claims(NOW + 60, NULL));
    char *b = sign(ec_key, 1, EC_HDR, claims(NOW + 61, NULL));
    memcpy(strrchr(a, '.'), strrchr(b, '.'), strlen(strrchr(b, '.')) + 1);
    free(b);
    assert_int_equal(check(v, a, NULL), GRANTD_VERIFY_INVALID);
    const char *bad[] = {"a.b", "a.b.c.d", "..", "e30.e30.", "bm90IGpzb24.e30.AAAA",
                         "e30.e30.AAAA", "opaque-without-credentials"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(check(v, strdup(bad[i]), NULL), GRANTD_VERIFY_INVALID);
    grantd_verifier_free(v);
}

/* A token verified once is answered from the cache, and still expires there. */
static void test_cached_token_still_expires(void **state)
{
    struct grantd_verifier *v = verifier(NULL, 0);
    char *t = sign(ec_key, 1, EC_HDR, claims(NOW + 60, NULL));
    struct grantd_verify_result r;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(grantd_verify(v, t, "read", &r), GRANTD_VERIFY_OK);
        assert_string_equal(r.subject, "alice");
        assert_string_equal(r.scope, "read write");
        assert_non_null(strstr(r.claims_json, "\"client_id\":\"app\""));
        grantd_verify_result_clear(&r);
    }
    assert_int_equal(grantd_verify(v, t, "admin", &r), GRANTD_VERIFY_INSUFFICIENT_SCOPE);
    grantd_verify_result_clear(&r);
    now_s = NOW + 60;
    assert_int_equal(grantd_verify(v, t, "read", &r), GRANTD_VERIFY_EXPIRED);
    grantd_verify_result_clear(&r);
    now_s = NOW;
    /* the same bytes but one: a different token, checked in full */
    t[strlen(t) - 2] = t[strlen(t) - 2] == 'A' ? 'B' : 'A';
    assert_int_equal(check(v, t, NULL), GRANTD_VERIFY_INVALID);
    grantd_verifier_free(v);
}

/* An issuer nobody answers for (a closed loopback port): an unknown kid costs one failed
 * fetch, and the next one within the cooldown none; opaque tokens are invalid. */
static void test_unreachable_issuer_is_asked_once_per_cooldown(void **state)
{
    struct grantd_verifier_config c = {.struct_size = sizeof(c), .issuer = "http://127.0.0.1:1",
                                       .introspection_client_id = "rs",
                                       .introspection_client_secret = "secret",
                                       .jwks_cooldown_s = 60, .http_timeout_ms = 2000,
                                       .now = test_now};
    struct grantd_verifier *v = grantd_verifier_new(&c);
    assert_non_null(v);
    assert_int_equal(check(v, sign(ec_key, 1, EC_HDR, claims(NOW + 60, NULL)), NULL),
                     GRANTD_VERIFY_INVALID);
    assert_int_equal(check(v, sign(ec_key, 1, EC_HDR, claims(NOW + 60, NULL)), NULL),
                     GRANTD_VERIFY_INVALID);
    assert_int_equal(check(v, strdup("opaque-token"), NULL), GRANTD_VERIFY_INVALID);
    struct grantd_verifier_stats s = {.struct_size = sizeof(s)};
    grantd_verifier_stats(v, &s);
    assert_int_equal(s.jwks_fetches, 1);
    assert_int_equal(s.jwks_fetch_failures, 1);
    assert_int_equal(s.jwks_keys, 0);
    assert_int_equal(s.introspections, 0); /* no endpoint known */
    now_s = NOW + 61;
    assert_int_equal(check(v, sign(ec_key, 1, EC_HDR, claims(NOW + 600, NULL)), NULL),
                     GRANTD_VERIFY_INVALID);
    grantd_verifier_stats(v, &s);
    assert_int_equal(s.jwks_fetches, 2);
    now_s = NOW;
    grantd_verifier_free(v);
}

static void test_jwks_parser_refusals(void **state)
{
    struct grantd_verify_keyset *ks = NULL;
    const char *bad[] = {
        "", "[]", "{\"keys\":{}}", "{\"keys\":[]}",
        /* not on the curve */
        "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"k\","
        "\"x\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE\","
        "\"y\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE\"}]}",
        /* RSA below 2048 bits, a symmetric key, an encryption key, no kid */
        "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"k\",\"n\":\"AQAB\",\"e\":\"AQAB\"}]}",
        "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"k\",\"k\":\"AQAB\"}]}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_not_equal(grantd_verify_jwks_parse(bad[i], strlen(bad[i]), &ks), GRANTD_OK);
        assert_null(ks);
    }
    assert_int_equal(grantd_verify_jwks_parse(jwks, strlen(jwks), &ks), GRANTD_OK);
    assert_int_equal(ks->n, 2);
    assert_non_null(grantd_verify_keyset_find(ks, "ec1"));
    assert_int_equal(grantd_verify_keyset_find(ks, "rsa1")->alg, GRANTD_VERIFY_RS256);
    grantd_verify_keyset_free(ks);
    struct grantd_verifier_config c = {.struct_size = sizeof(c), .issuer = ISS,
                                       .jwks_json = "{\"keys\":[]}"};
    assert_null(grantd_verifier_new(&c));
    c.jwks_json = NULL;
    c.issuer = NULL;
    assert_null(grantd_verifier_new(&c));
    c.issuer = ISS;
    c.struct_size = sizeof(c) + 8;
    assert_null(grantd_verifier_new(&c));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_tokens_and_result),
        cmocka_unit_test(test_many_es256_signatures),
        cmocka_unit_test(test_reasons_and_www_authenticate),
        cmocka_unit_test(test_time_claims_with_skew),
        cmocka_unit_test(test_issuer_audience_typ),
        cmocka_unit_test(test_algorithm_comes_from_the_key),
        cmocka_unit_test(test_bad_signatures_and_malformed),
        cmocka_unit_test(test_cached_token_still_expires),
        cmocka_unit_test(test_unreachable_issuer_is_asked_once_per_cooldown),
        cmocka_unit_test(test_jwks_parser_refusals),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
