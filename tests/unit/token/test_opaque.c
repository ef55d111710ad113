/* Unit tests of token/opaque.c: the format of minted credentials and jtis (8 big-endian
 * ordering bytes = issue time in microseconds, strictly increasing, then random bytes) and
 * their storage keys (the 8 ordering bytes, then the first 24 bytes of SHA-256 of the text),
 * for opaque texts, JWTs whose jti is ours, and anything else (8 zero bytes); and that the
 * key a JWT is stored under when issued (grantd_opaque_key_jwt) is the key its presentation
 * is looked up by (grantd_opaque_hash), or introspection and revocation never find it.
 *
 * Everything is checked against independent code: OpenSSL's SHA256(), a base64url decoder
 * written here and clock_gettime(), so that a bug shared by minting and hashing (both use
 * core/crypto.c) cannot hide itself. Why it matters: the ordering bytes are what make new
 * token rows append to the rightmost b-tree leaf (see opaque.h); a key that is merely
 * "some hash" would still pass every end-to-end test while losing that. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <openssl/sha.h>
#include <pthread.h>

#include "core/crypto.h"
#include "core/mem.h"
#include "token/jwt_int.h"
#include "token/opaque.h"

#define ORDER 8
#define US_PER_S 1000000LL

/* ---- independent helpers -------------------------------------------------------------- */

static int b64url_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-')
        return 62;
    if (c == '_')
        return 63;
    return -1;
}

/* Decodes unpadded base64url; the number of bytes, or -1 on a character outside the
 * alphabet. out holds len * 3 / 4 + 1 bytes. */
static long b64url_decode(const char *in, size_t len, unsigned char *out)
{
    uint32_t acc = 0;
    int bits = 0;
    long n = 0;
    for (size_t i = 0; i < len; i++) {
        int v = b64url_value(in[i]);
        if (v < 0)
            return -1;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (unsigned char)(acc >> bits);
        }
    }
    return n;
}

static void b64url_encode(const unsigned char *in, size_t n, char *out)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        acc = (acc << 8) | in[i];
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out[o++] = alphabet[(acc >> bits) & 63];
        }
    }
    if (bits)
        out[o++] = alphabet[(acc << (6 - bits)) & 63];
    out[o] = '\0';
}

static int64_t be64(const unsigned char *b)
{
    uint64_t v = 0;
    for (int i = 0; i < ORDER; i++)
        v = (v << 8) | b[i];
    return (int64_t)v;
}

static int64_t now_us(void)
{
    struct timespec ts;
    assert_int_equal(clock_gettime(CLOCK_REALTIME, &ts), 0);
    return (int64_t)ts.tv_sec * US_PER_S + ts.tv_nsec / 1000;
}

static void assert_within_a_second_of_now(const unsigned char order[ORDER])
{
    int64_t v = be64(order), now = now_us();
    if (llabs(v - now) >= US_PER_S)
        print_error("ordering bytes say %lld us, the clock %lld us\n", (long long)v,
                    (long long)now);
    assert_true(llabs(v - now) < US_PER_S);
}

/* key[8..32) is the first 24 bytes of SHA-256(text) */
static void assert_key_digest(const char *text, const unsigned char key[GRANTD_SHA256_LEN])
{
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)text, strlen(text), digest);
    assert_memory_equal(key + ORDER, digest, GRANTD_SHA256_LEN - ORDER);
}

static void assert_zero_order(const char *text)
{
    static const unsigned char zero[ORDER];
    unsigned char key[GRANTD_SHA256_LEN];
    memset(key, 0xa5, sizeof(key));
    grantd_opaque_hash(text, key);
    if (memcmp(key, zero, ORDER) != 0)
        print_error("text \"%.80s\" got ordering bytes\n", text);
    assert_memory_equal(key, zero, ORDER);
    assert_key_digest(text, key);
}

/* "header.payload.sig" with payload_json base64url-encoded; the caller frees it. */
static char *fake_jwt(const char *payload_json)
{
    static const char header[] = "eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCJ9"; /* ES256, at+jwt */
    size_t n = strlen(payload_json);
    char *payload = malloc(n * 4 / 3 + 4);
    b64url_encode((const unsigned char *)payload_json, n, payload);
    size_t len = sizeof(header) + strlen(payload) + 64;
    char *jwt = malloc(len);
    snprintf(jwt, len, "%s.%s.%s", header, payload,
             "c2lnbmF0dXJlLW5vdC1jaGVja2VkLWhlcmUtYnktdGhlLWtleS1mdW5jdGlvbg");
    free(payload);
    return jwt;
}

/* ---- minted credentials --------------------------------------------------------------- */

static void test_mint_format_and_key(void **state)
{
    char text[GRANTD_OPAQUE_CHARS + 1];
    unsigned char key[GRANTD_SHA256_LEN], raw[GRANTD_OPAQUE_BYTES + 2];
    for (int i = 0; i < 100; i++) {
        assert_int_equal(grantd_opaque_mint(text, key), GRANTD_OK);
        assert_int_equal(strlen(text), GRANTD_OPAQUE_CHARS);
        assert_int_equal(b64url_decode(text, strlen(text), raw), GRANTD_OPAQUE_BYTES);
        /* the key starts with the text's own ordering bytes: the issue time in us */
        assert_memory_equal(key, raw, ORDER);
        assert_within_a_second_of_now(key);
        assert_key_digest(text, key);
        /* the key of the presented text is the key minted with it */
        unsigned char again[GRANTD_SHA256_LEN];
        grantd_opaque_hash(text, again);
        assert_memory_equal(again, key, GRANTD_SHA256_LEN);
    }
}

static void test_mint_twice_orders_keys(void **state)
{
    char t1[GRANTD_OPAQUE_CHARS + 1], t2[GRANTD_OPAQUE_CHARS + 1];
    unsigned char k1[GRANTD_SHA256_LEN], k2[GRANTD_SHA256_LEN];
    assert_int_equal(grantd_opaque_mint(t1, k1), GRANTD_OK);
    assert_int_equal(grantd_opaque_mint(t2, k2), GRANTD_OK);
    assert_true(memcmp(k2, k1, ORDER) > 0);
    assert_true(memcmp(k2, k1, GRANTD_SHA256_LEN) > 0); /* so whole keys sort by issue time */
    assert_string_not_equal(t1, t2);
    /* the random part differs too, not only the time */
    assert_memory_not_equal(k1 + ORDER, k2 + ORDER, GRANTD_SHA256_LEN - ORDER);
}

/* 1000 mints and jtis, interleaved, as fast as possible: many fall in one microsecond, and
 * every ordering value is still strictly greater than the one before (one counter). */
static void test_mint_and_jti_strictly_increasing(void **state)
{
    int64_t prev = 0;
    for (int i = 0; i < 1000; i++) {
        unsigned char order[ORDER];
        if (i % 2) {
            char jti[GRANTD_JTI_CHARS + 1];
            unsigned char raw[GRANTD_JTI_BYTES + 2];
            assert_int_equal(grantd_opaque_jti(jti), GRANTD_OK);
            assert_int_equal(b64url_decode(jti, strlen(jti), raw), GRANTD_JTI_BYTES);
            memcpy(order, raw, ORDER);
        } else {
            char text[GRANTD_OPAQUE_CHARS + 1];
            unsigned char key[GRANTD_SHA256_LEN];
            assert_int_equal(grantd_opaque_mint(text, key), GRANTD_OK);
            memcpy(order, key, ORDER);
        }
        int64_t v = be64(order);
        if (v <= prev)
            print_error("value %d: %lld after %lld\n", i, (long long)v, (long long)prev);
        assert_true(v > prev);
        prev = v;
    }
    /* a thousand calls take far less than a second: the counter did not run away */
    unsigned char last[ORDER];
    for (int i = ORDER - 1; i >= 0; i--, prev >>= 8)
        last[i] = (unsigned char)prev;
    assert_within_a_second_of_now(last);
}

#define MINTERS 4
#define MINTS_EACH 20000

static void *jti_thread(void *arg)
{
    int64_t *values = arg;
    for (int i = 0; i < MINTS_EACH; i++) {
        char jti[GRANTD_JTI_CHARS + 1];
        unsigned char raw[GRANTD_JTI_BYTES + 2];
        if (grantd_opaque_jti(jti) != GRANTD_OK || b64url_decode(jti, strlen(jti), raw) < ORDER)
            return NULL; /* leaves zeros: the checks below fail */
        values[i] = be64(raw);
    }
    return NULL;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Threads minting at once (several per microsecond): each thread sees its values strictly
 * increase, and no value is handed out twice in the process. */
static void test_ordering_unique_across_threads(void **state)
{
    int64_t *values = calloc((size_t)MINTERS * MINTS_EACH, sizeof(*values));
    pthread_t tid[MINTERS];
    for (int t = 0; t < MINTERS; t++)
        assert_int_equal(pthread_create(&tid[t], NULL, jti_thread, values + t * MINTS_EACH), 0);
    for (int t = 0; t < MINTERS; t++)
        pthread_join(tid[t], NULL);
    for (int t = 0; t < MINTERS; t++) {
        const int64_t *v = values + t * MINTS_EACH;
        for (int i = 1; i < MINTS_EACH; i++) {
            if (v[i] <= v[i - 1])
                print_error("thread %d value %d: %lld after %lld\n", t, i, (long long)v[i],
                            (long long)v[i - 1]);
            assert_true(v[i] > v[i - 1]);
        }
    }
    qsort(values, (size_t)MINTERS * MINTS_EACH, sizeof(*values), cmp_i64);
    for (size_t i = 1; i < (size_t)MINTERS * MINTS_EACH; i++)
        assert_true(values[i] != values[i - 1]);
    free(values);
}

static void test_one_changed_character_changes_the_key(void **state)
{
    char text[GRANTD_OPAQUE_CHARS + 1];
    unsigned char key[GRANTD_SHA256_LEN];
    assert_int_equal(grantd_opaque_mint(text, key), GRANTD_OK);
    for (size_t i = 0; i < GRANTD_OPAQUE_CHARS; i++) {
        char changed[GRANTD_OPAQUE_CHARS + 1];
        memcpy(changed, text, sizeof(changed));
        changed[i] = text[i] == 'A' ? 'B' : 'A';
        unsigned char other[GRANTD_SHA256_LEN];
        grantd_opaque_hash(changed, other);
        assert_memory_not_equal(other, key, GRANTD_SHA256_LEN);
        /* the hashed part alone differs: the ordering bytes are no part of the secret */
        assert_memory_not_equal(other + ORDER, key + ORDER, GRANTD_SHA256_LEN - ORDER);
        assert_key_digest(changed, other);
    }
}

/* ---- JWTs ----------------------------------------------------------------------------- */

static void test_jti_format(void **state)
{
    char jti[GRANTD_JTI_CHARS + 1], other[GRANTD_JTI_CHARS + 1];
    unsigned char raw[GRANTD_JTI_BYTES + 2], raw2[GRANTD_JTI_BYTES + 2];
    assert_int_equal(grantd_opaque_jti(jti), GRANTD_OK);
    assert_int_equal(grantd_opaque_jti(other), GRANTD_OK);
    assert_int_equal(strlen(jti), GRANTD_JTI_CHARS);
    assert_int_equal(b64url_decode(jti, strlen(jti), raw), GRANTD_JTI_BYTES);
    assert_int_equal(b64url_decode(other, strlen(other), raw2), GRANTD_JTI_BYTES);
    assert_within_a_second_of_now(raw);
    assert_true(memcmp(raw2, raw, ORDER) > 0);
    assert_memory_not_equal(raw + ORDER, raw2 + ORDER, GRANTD_JTI_BYTES - ORDER);
}

/* A self-contained token's jti: "sc." and a minted jti, whose ordering bytes are its issuing
 * time; its revocation key is those bytes and the SHA-256 of the jti alone. Other jtis have
 * no issuing time, so introspection never treats a stored kind of JWT as self-contained. */
static void test_self_contained_jti(void **state)
{
    char jti[GRANTD_JTI_SELF_CHARS + 1], plain[GRANTD_JTI_CHARS + 1];
    unsigned char raw[GRANTD_JTI_BYTES + 2], key[GRANTD_SHA256_LEN];
    assert_int_equal(grantd_opaque_jti_self(jti), GRANTD_OK);
    assert_int_equal(strlen(jti), GRANTD_JTI_SELF_CHARS);
    assert_memory_equal(jti, "sc.", 3);
    assert_int_equal(b64url_decode(jti + 3, strlen(jti + 3), raw), GRANTD_JTI_BYTES);
    int64_t t = grantd_opaque_jti_self_time(jti);
    assert_int_equal(t, be64(raw));
    assert_within_a_second_of_now(raw); /* strictly increasing: may run ahead of the clock */
    grantd_opaque_key_jti(jti, key);
    assert_memory_equal(key, raw, ORDER);
    assert_key_digest(jti, key);

    assert_int_equal(grantd_opaque_jti(plain), GRANTD_OK);
    char bad[GRANTD_JTI_SELF_CHARS + 2];
    snprintf(bad, sizeof(bad), "sc.%s", jti + 4); /* one character short */
    const char *not_self[] = {plain, "sc.", "sc", "", bad, "xc.AAAAAAAAAAAAAAAAAAAAAA"};
    for (size_t i = 0; i < sizeof(not_self) / sizeof(not_self[0]); i++)
        assert_int_equal(grantd_opaque_jti_self_time(not_self[i]), 0);
    assert_int_equal(grantd_opaque_jti_self_time(NULL), 0);
}

static void test_jwt_key_takes_the_jti_ordering_bytes(void **state)
{
    char jti[GRANTD_JTI_CHARS + 1];
    unsigned char raw[GRANTD_JTI_BYTES + 2];
    assert_int_equal(grantd_opaque_jti(jti), GRANTD_OK);
    assert_int_equal(b64url_decode(jti, strlen(jti), raw), GRANTD_JTI_BYTES);
    /* jti first, last, or among other claims: only the claim matters, not its place */
    static const char *const shapes[] = {
        "{\"jti\":\"%s\"}",
        "{\"iss\":\"https://as.example\",\"sub\":\"alice\",\"client_id\":\"c\","
        "\"iat\":1700000000,\"exp\":1700003600,\"jti\":\"%s\"}",
        "{\"jti\":\"%s\",\"scope\":\"a b\",\"aud\":[\"x\",\"y\"]}",
    };
    for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
        char payload[512];
        snprintf(payload, sizeof(payload), shapes[i], jti);
        char *jwt = fake_jwt(payload);
        unsigned char key[GRANTD_SHA256_LEN];
        grantd_opaque_hash(jwt, key);
        assert_memory_equal(key, raw, ORDER);
        assert_key_digest(jwt, key);
        /* one changed character of the signature: same ordering bytes, another key */
        size_t n = strlen(jwt);
        jwt[n - 1] = jwt[n - 1] == 'A' ? 'B' : 'A';
        unsigned char changed[GRANTD_SHA256_LEN];
        grantd_opaque_hash(jwt, changed);
        assert_memory_equal(changed, raw, ORDER);
        assert_memory_not_equal(changed + ORDER, key + ORDER, GRANTD_SHA256_LEN - ORDER);
        free(jwt);
    }
}

/* The key a JWT is issued under is the key it is looked up by: real ES256 and RS256 tokens
 * with the largest claims a client can have (1024-byte scope, 128-byte client_id), and a
 * jti that is not ours (both sides then use 8 zero bytes). */
static void test_issue_key_of_a_jwt_is_its_lookup_key(void **state)
{
    struct grantd_arena *a = grantd_arena_new(4096);
    char scope[1025], client_id[129], iss[300], long_iss[3400];
    for (size_t i = 0; i < sizeof(scope) - 1; i++)
        scope[i] = i % 8 == 7 ? ' ' : (char)('a' + i % 26);
    scope[sizeof(scope) - 1] = '\0';
    memset(client_id, 'c', sizeof(client_id) - 1);
    client_id[sizeof(client_id) - 1] = '\0';
    snprintf(iss, sizeof(iss), "https://auth.example.com/tenants/%0200d", 7);
    /* a payload past 8 KiB of base64: a size cap on one path only once broke this */
    snprintf(long_iss, sizeof(long_iss), "http://127.0.0.1/%03300d", 7);
    const char *issuers[] = {iss, long_iss};
    for (int n = 0; n < 4; n++) {
        int alg = GRANTD_JWK_ES256 + n % 2;
        const char *issuer = issuers[n / 2];
        struct grantd_jwk *k = NULL;
        assert_int_equal(grantd_jwk_generate((enum grantd_jwk_alg)alg, &k), GRANTD_OK);
        for (int ours = 0; ours < 2; ours++) {
            char jti[GRANTD_JTI_CHARS + 1];
            if (ours)
                assert_int_equal(grantd_opaque_jti(jti), GRANTD_OK);
            else
                snprintf(jti, sizeof(jti), "%s", "not-one-of-ours");
            struct grantd_jwt_claims c = {.iss = issuer, .sub = "user-1", .aud = issuer,
                                          .client_id = client_id, .scope = scope, .jti = jti,
                                          .iat = 1700000000, .exp = 1700003600};
            const char *jwt = NULL;
            assert_int_equal(grantd_jwt_sign(k, a, &c, &jwt), GRANTD_OK);
            unsigned char issued[GRANTD_SHA256_LEN], presented[GRANTD_SHA256_LEN];
            grantd_opaque_key_jwt(jwt, jti, issued);
            grantd_opaque_hash(jwt, presented);
            assert_memory_equal(issued, presented, GRANTD_SHA256_LEN);
            assert_key_digest(jwt, issued);
            unsigned char raw[GRANTD_JTI_BYTES + 2];
            static const unsigned char zero[ORDER];
            if (ours) {
                assert_int_equal(b64url_decode(jti, strlen(jti), raw), GRANTD_JTI_BYTES);
                assert_memory_equal(issued, raw, ORDER);
            } else {
                assert_memory_equal(issued, zero, ORDER);
            }
        }
        grantd_jwk_free(k);
    }
    grantd_arena_free(a);
}

/* ---- anything else: 8 zero bytes ------------------------------------------------------ */

static void test_other_texts_get_zero_ordering_bytes(void **state)
{
    char jti[GRANTD_JTI_CHARS + 1];
    assert_int_equal(grantd_opaque_jti(jti), GRANTD_OK);
    char opaque[GRANTD_OPAQUE_CHARS + 1];
    unsigned char key[GRANTD_SHA256_LEN];
    assert_int_equal(grantd_opaque_mint(opaque, key), GRANTD_OK);

    assert_zero_order("");
    assert_zero_order("x");
    assert_zero_order("not-a-token");
    /* 43 characters outside the base64url alphabet */
    assert_zero_order("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
    /* a minted token with one character of standard base64 ('+', '/') or padding */
    static const char bad[] = {'+', '/', '=', '.', ' '};
    for (size_t i = 0; i < sizeof(bad); i++) {
        char t[GRANTD_OPAQUE_CHARS + 1];
        memcpy(t, opaque, sizeof(t));
        t[5] = bad[i];
        assert_int_equal(strlen(t), GRANTD_OPAQUE_CHARS);
        assert_zero_order(t);
    }
    /* one character more or less than an opaque credential */
    char longer[GRANTD_OPAQUE_CHARS + 2];
    snprintf(longer, sizeof(longer), "%sA", opaque);
    assert_zero_order(longer);
    char shorter[GRANTD_OPAQUE_CHARS];
    memcpy(shorter, opaque, GRANTD_OPAQUE_CHARS - 1);
    shorter[GRANTD_OPAQUE_CHARS - 1] = '\0';
    assert_zero_order(shorter);

    /* JWT-shaped texts whose payload has no jti of ours */
    static const char *const payloads[] = {
        "{\"sub\":\"alice\",\"iat\":1700000000}", /* no jti */
        "{\"jti\":12345}",                        /* not a string */
        "{\"jti\":null}",
        "{\"jti\":\"short\"}",                    /* not 22 characters */
        "{\"jti\":\"!!!!!!!!!!!!!!!!!!!!!!\"}",   /* 22, not base64url */
        "{\"jti\":{\"a\":1}}",
        "[\"jti\"]",                              /* not an object */
        "not json at all",
    };
    for (size_t i = 0; i < sizeof(payloads) / sizeof(payloads[0]); i++) {
        char *jwt = fake_jwt(payloads[i]);
        assert_zero_order(jwt);
        free(jwt);
    }
    /* a payload that is not base64url, and texts with too few dots */
    assert_zero_order("eyJhbGciOiJFUzI1NiJ9.!!!!.sig");
    char one_dot[64];
    snprintf(one_dot, sizeof(one_dot), "header.%s", jti);
    assert_zero_order(one_dot);
    assert_zero_order("..");
    /* a duplicated jti is refused (two parsers could read different ones) */
    char dup[128];
    snprintf(dup, sizeof(dup), "{\"jti\":\"%s\",\"jti\":\"%s\"}", jti, jti);
    char *jwt = fake_jwt(dup);
    assert_zero_order(jwt);
    free(jwt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mint_format_and_key),
        cmocka_unit_test(test_mint_twice_orders_keys),
        cmocka_unit_test(test_mint_and_jti_strictly_increasing),
        cmocka_unit_test(test_ordering_unique_across_threads),
        cmocka_unit_test(test_one_changed_character_changes_the_key),
        cmocka_unit_test(test_jti_format),
        cmocka_unit_test(test_self_contained_jti),
        cmocka_unit_test(test_jwt_key_takes_the_jti_ordering_bytes),
        cmocka_unit_test(test_issue_key_of_a_jwt_is_its_lookup_key),
        cmocka_unit_test(test_other_texts_get_zero_ordering_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
