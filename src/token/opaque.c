/* Minting opaque credentials and computing storage keys (see opaque.h). */
#include "token/opaque.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/clock.h"

#define ORDER_BYTES 8

static atomic_uint_least64_t last_order;

/* Microseconds since the epoch, strictly increasing within the process (a clock that
 * steps back, or two calls in one microsecond, take the previous value + 1). */
static void next_order(unsigned char out[ORDER_BYTES])
{
    uint64_t now = (uint64_t)grantd_clock_now_us();
    uint64_t prev = atomic_load(&last_order), v;
    do {
        v = now > prev ? now : prev + 1;
    } while (!atomic_compare_exchange_weak(&last_order, &prev, v));
    for (int i = ORDER_BYTES - 1; i >= 0; i--, v >>= 8)
        out[i] = (unsigned char)v;
}

static grantd_rc mint(unsigned char *raw, size_t n, char *text)
{
    next_order(raw);
    grantd_rc rc = grantd_random_bytes(raw + ORDER_BYTES, n - ORDER_BYTES);
    if (rc == GRANTD_OK)
        grantd_b64url_encode(raw, n, text);
    return rc;
}

grantd_rc grantd_opaque_mint(char text[GRANTD_OPAQUE_CHARS + 1],
                             unsigned char key[GRANTD_SHA256_LEN])
{
    unsigned char raw[GRANTD_OPAQUE_BYTES];
    grantd_rc rc = mint(raw, sizeof(raw), text);
    if (rc == GRANTD_OK)
        grantd_opaque_hash(text, key);
    return rc;
}

grantd_rc grantd_opaque_jti(char out[GRANTD_JTI_CHARS + 1])
{
    unsigned char raw[GRANTD_JTI_BYTES];
    return mint(raw, sizeof(raw), out);
}

/* key = order || SHA-256(text)[0..24) */
static void make_key(const char *text, const unsigned char order[ORDER_BYTES],
                     unsigned char key[GRANTD_SHA256_LEN])
{
    unsigned char digest[GRANTD_SHA256_LEN];
    grantd_sha256(text, strlen(text), digest);
    memcpy(key, order, ORDER_BYTES);
    memcpy(key + ORDER_BYTES, digest, GRANTD_SHA256_LEN - ORDER_BYTES);
}

grantd_rc grantd_opaque_jti_self(char out[GRANTD_JTI_SELF_CHARS + 1])
{
    memcpy(out, GRANTD_JTI_SELF_PREFIX, 3);
    return grantd_opaque_jti(out + 3);
}

/* The ordering bytes of a jti we minted (self-contained or not); 0 when it is not one. */
static int jti_order(const char *jti, unsigned char out[ORDER_BYTES])
{
    unsigned char raw[GRANTD_JTI_BYTES + 3];
    size_t rlen;
    if (jti && strncmp(jti, GRANTD_JTI_SELF_PREFIX, 3) == 0)
        jti += 3;
    if (!jti || strlen(jti) != GRANTD_JTI_CHARS ||
        grantd_b64_decode(jti, GRANTD_JTI_CHARS, 0, raw, &rlen) != GRANTD_OK ||
        rlen != GRANTD_JTI_BYTES)
        return 0;
    memcpy(out, raw, ORDER_BYTES);
    return 1;
}

int64_t grantd_opaque_jti_self_time(const char *jti)
{
    unsigned char order[ORDER_BYTES];
    if (!jti || strncmp(jti, GRANTD_JTI_SELF_PREFIX, 3) != 0 || !jti_order(jti, order))
        return 0;
    uint64_t v = 0;
    for (int i = 0; i < ORDER_BYTES; i++)
        v = v << 8 | order[i];
    return v > INT64_MAX ? 0 : (int64_t)v;
}

void grantd_opaque_key_jti(const char *jti, unsigned char key[GRANTD_SHA256_LEN])
{
    unsigned char order[ORDER_BYTES] = {0};
    if (!jti_order(jti, order))
        memset(order, 0, sizeof(order));
    make_key(jti, order, key);
}

void grantd_opaque_key_jwt(const char *jwt, const char *jti, unsigned char key[GRANTD_SHA256_LEN])
{
    unsigned char order[ORDER_BYTES] = {0};
    if (!jti_order(jti, order))
        memset(order, 0, sizeof(order));
    make_key(jwt, order, key);
}

/* The ordering bytes of a JWT's jti; 0 when it has none of ours. */
static int jwt_order(const char *text, size_t n, unsigned char out[ORDER_BYTES])
{
    const char *dot1 = memchr(text, '.', n);
    const char *dot2 = dot1 ? memchr(dot1 + 1, '.', n - (size_t)(dot1 + 1 - text)) : NULL;
    if (!dot2) /* no cap on the payload's size: the request limits bound it, and a cap here
                * would give a long JWT we issued another key than the one it was stored by */
        return 0;
    size_t len = (size_t)(dot2 - dot1 - 1), plen;
    unsigned char *payload = malloc(len * 3 / 4 + 3);
    int found = 0;
    if (payload && grantd_b64_decode(dot1 + 1, len, 0, payload, &plen) == GRANTD_OK) {
        json_t *claims = json_loadb((const char *)payload, plen, JSON_REJECT_DUPLICATES, NULL);
        found = jti_order(json_string_value(json_object_get(claims, "jti")), out);
        json_decref(claims);
    }
    free(payload);
    return found;
}

void grantd_opaque_hash_unordered(const char *text, unsigned char key[GRANTD_SHA256_LEN])
{
    static const unsigned char none[ORDER_BYTES];
    make_key(text, none, key);
}

void grantd_opaque_hash(const char *text, unsigned char key[GRANTD_SHA256_LEN])
{
    size_t n = strlen(text);
    unsigned char order[ORDER_BYTES] = {0};
    unsigned char raw[GRANTD_OPAQUE_BYTES + 3];
    size_t rlen;
    if (n == GRANTD_OPAQUE_CHARS) {
        if (grantd_b64_decode(text, n, 0, raw, &rlen) == GRANTD_OK && rlen == GRANTD_OPAQUE_BYTES)
            memcpy(order, raw, ORDER_BYTES);
    } else if (!jwt_order(text, n, order)) {
        memset(order, 0, sizeof(order));
    }
    make_key(text, order, key);
}
