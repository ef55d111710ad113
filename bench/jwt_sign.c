/* grantd-bench-jwt: what one JWT access token costs to sign, with grantd's own code
 * (token/jwt.c over a key from token/jwt_key.c), against the bare signature of the same key.
 * The difference is what the token adds around the signature: claims JSON and base64url.
 *
 * Not a test (it asserts nothing but that signing works) and not a load test: one thread,
 * no server. Usage: grantd-bench-jwt [N]  (N ES256 tokens, default 2000; RS256 gets N/20,
 * at least 1, since it costs over ten times more). Prints one line per algorithm:
 *   ES256: 2000 tokens, 24.1 us/token (signature alone 21.9 us) */
#include <stdio.h>
#include <stdlib.h>

#include "core/clock.h"
#include "core/mem.h"
#include "token/jwt_int.h"

/* Signs n tokens and n bare signatures with a fresh key; 0 on success. */
static int measure(enum grantd_jwk_alg alg, int n)
{
    struct grantd_jwk *k = NULL;
    struct grantd_arena *a = grantd_arena_new(16 * 1024);
    struct grantd_jwt_claims c = {.iss = "http://127.0.0.1:8080", .sub = "u-1234567890",
                                  .aud = "http://127.0.0.1:8080", .client_id = "bench-client",
                                  .scope = "openid profile read write",
                                  .jti = "3q2-7wAAAAAAAAAAAAAAAA", .iat = 1700000000,
                                  .exp = 1700003600};
    unsigned char sig[GRANTD_JWK_SIG_MAX];
    size_t sig_len = 0;
    const char *jwt = NULL;
    int rc = 1;
    if (grantd_jwk_generate(alg, &k) != GRANTD_OK)
        goto out;
    int64_t t = grantd_clock_mono_us();
    for (int i = 0; i < n; i++) {
        if (grantd_jwt_sign(k, a, &c, &jwt) != GRANTD_OK)
            goto out;
        grantd_arena_reset(a);
    }
    t = grantd_clock_mono_us() - t;
    int64_t t2 = grantd_clock_mono_us();
    for (int i = 0; i < n; i++)
        if (grantd_jwk_sign(k, "x", 1, sig, &sig_len) != GRANTD_OK)
            goto out;
    t2 = grantd_clock_mono_us() - t2;
    printf("%s: %d tokens, %.1f us/token (signature alone %.1f us)\n", grantd_jwk_alg_name(alg),
           n, (double)t / n, (double)t2 / n);
    rc = 0;
out:
    if (rc != 0)
        fprintf(stderr, "grantd-bench-jwt: %s signing failed\n", grantd_jwk_alg_name(alg));
    grantd_arena_free(a);
    grantd_jwk_free(k);
    return rc;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 2000;
    if (argc > 2 || n < 1) {
        fprintf(stderr, "usage: grantd-bench-jwt [N]   (N >= 1 ES256 tokens; RS256 gets N/20)\n");
        return 2;
    }
    int rs = n / 20 > 0 ? n / 20 : 1;
    return measure(GRANTD_JWK_ES256, n) || measure(GRANTD_JWK_RS256, rs) ? 1 : 0;
}
