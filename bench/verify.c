/* grantd-bench-verify: what libgrantd-verify costs a resource server per request, against
 * the machine's own ECDSA P-256 verify rate measured in the same run.
 *
 * Tokens are signed by grantd's own code (token/jwt.c, ES256, a fresh key) and verified
 * through the public API of the shared library with the key given as jwks_json (no
 * network). Uncached: N distinct tokens, each verified once (each a signature check).
 * Cached: the same 64 tokens again and again (a hit: hash, compare, copy the result).
 * Then `openssl speed -seconds 3 ecdsap256`, whose verify/s is the ceiling for uncached.
 * One thread. Not a test: it asserts only that every verification succeeds.
 * Usage: grantd-bench-verify [N]  (default 20000) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <grantd/verify.h>

#include "core/mem.h"
#include "token/jwt_int.h"

#define ISS "http://127.0.0.1:8080"
#define HOT 64

static int64_t fixed_now(void *ctx)
{
    (void)ctx;
    return 1700000010;
}

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* n tokens with distinct jti, signed by k; NULL on failure. */
static char **sign_tokens(struct grantd_jwk *k, int n)
{
    struct grantd_arena *a = grantd_arena_new(16 * 1024);
    char **out = calloc((size_t)n, sizeof(*out)), jti[32];
    struct grantd_jwt_claims c = {.iss = ISS, .sub = "u-1234567890", .aud = ISS,
                                  .client_id = "bench-client", .scope = "openid read write",
                                  .jti = jti, .iat = 1700000000, .exp = 1700003600};
    for (int i = 0; out && i < n; i++) {
        const char *t = NULL;
        snprintf(jti, sizeof(jti), "jti-%d", i);
        if (grantd_jwt_sign(k, a, &c, &t) != GRANTD_OK)
            abort();
        out[i] = strdup(t);
        grantd_arena_reset(a);
    }
    grantd_arena_free(a);
    return out;
}

/* Verifications per second over tokens[i % modulo] for count rounds; -1 if one fails. */
static double rate(struct grantd_verifier *v, char **tokens, int modulo, long count)
{
    struct grantd_verify_result r;
    double t = seconds();
    for (long i = 0; i < count; i++) {
        if (grantd_verify(v, tokens[i % modulo], "read", &r) != GRANTD_VERIFY_OK)
            return -1;
        grantd_verify_result_clear(&r);
    }
    return (double)count / (seconds() - t);
}

/* The verify/s column of `openssl speed ecdsap256`; 0 when it cannot be read. */
static double openssl_verify_rate(void)
{
    FILE *p = popen("openssl speed -seconds 3 ecdsap256 2>/dev/null", "r");
    char line[512];
    double sign = 0, verify = 0, a, b;
    while (p && fgets(line, sizeof(line), p))
        if (strstr(line, "ecdsa (nistp256)") &&
            sscanf(strstr(line, ")") + 1, "%lfs %lfs %lf %lf", &a, &b, &sign, &verify) != 4)
            verify = 0;
    if (p)
        pclose(p);
    return verify;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 20000;
    struct grantd_jwk *k = NULL;
    if (n < HOT || grantd_jwk_generate(GRANTD_JWK_ES256, &k) != GRANTD_OK)
        return 1;
    char jwks[1024];
    snprintf(jwks, sizeof(jwks), "{\"keys\":[%s]}", k->public_jwk);
    char **tokens = sign_tokens(k, n);
    struct grantd_verifier_config c = {.struct_size = sizeof(c), .issuer = ISS,
                                       .jwks_json = jwks, .now = fixed_now,
                                       .jwt_cache_size = 1024};
    struct grantd_verifier *v = grantd_verifier_new(&c);
    if (!v || !tokens)
        return 1;
    /* a cache of 1024 slots and n distinct tokens in order: each is a miss */
    double uncached = rate(v, tokens, n, n);
    double cached = rate(v, tokens, HOT, 5000000);
    double ceiling = openssl_verify_rate();
    printf("uncached ES256: %.0f verifications/s (openssl speed ecdsap256 verify: %.0f/s, "
           "%.0f %%)\n", uncached, ceiling, ceiling > 0 ? 100 * uncached / ceiling : 0);
    printf("cached: %.0f verifications/s\n", cached);
    grantd_verifier_free(v);
    for (int i = 0; i < n; i++)
        free(tokens[i]);
    free(tokens);
    grantd_jwk_free(k);
    return uncached > 0 && cached > 0 ? 0 : 1;
}
