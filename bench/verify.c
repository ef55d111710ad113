/* grantd-bench-verify: what libgrantd-verify costs a resource server per request, against
 * the machine's own ECDSA P-256 verify rate measured in the same run.
 *
 * Tokens are signed by grantd's own code (token/jwt.c, ES256, a fresh key) and verified
 * through the public API of the shared library with the key given as jwks_json (no
 * network). Uncached: N distinct tokens, each verified once (each a signature check).
 * Cached: the same 64 tokens again and again (a hit: hash, compare, copy the result).
 * Then `openssl speed -seconds S ecdsap256`, whose verify/s is the ceiling for uncached.
 * R repeats, the order of library and openssl alternating between them, then the medians
 * and the median of the repeats' uncached/openssl ratios against issue 12's targets.
 * One thread: every figure is per core. Not a test: it asserts only that every
 * verification succeeds. bench/run --workload verify_lib runs it and parses its lines.
 * Usage: grantd-bench-verify [N [R [S]]]  (defaults 20000 tokens, 1 repeat, 3 seconds) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <grantd/verify.h>

#include "core/mem.h"
#include "token/jwt_int.h"

#define ISS "http://127.0.0.1:8080"
#define HOT 64
#define CACHED_ROUNDS 5000000
#define MAX_REPEATS 100
#define CACHED_TARGET 1000000.0   /* issue 12: cached verifications per second per core */
#define UNCACHED_TARGET 0.80      /* issue 12: uncached ES256 against openssl's verify rate */

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

/* The verify/s column of `openssl speed -seconds S ecdsap256`; 0 when it cannot be read. */
static double openssl_verify_rate(int secs)
{
    char cmd[96], line[512];
    snprintf(cmd, sizeof(cmd), "openssl speed -seconds %d ecdsap256 2>/dev/null", secs);
    FILE *p = popen(cmd, "r");
    double sign = 0, verify = 0, a, b;
    while (p && fgets(line, sizeof(line), p))
        if (strstr(line, "ecdsa (nistp256)") &&
            sscanf(strstr(line, ")") + 1, "%lfs %lfs %lf %lf", &a, &b, &sign, &verify) != 4)
            verify = 0;
    if (p)
        pclose(p);
    return verify;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of n values (sorted in place); the mean of the middle two for even n. */
static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* One repeat: a fresh verifier (its cache of 1024 slots empty, so each of the n distinct
 * tokens in order is a miss), then the 64 hot tokens over and over. 0 on success. */
static int library_rates(const char *jwks, char **tokens, int n, double *uncached,
                         double *cached)
{
    struct grantd_verifier_config c = {.struct_size = sizeof(c), .issuer = ISS,
                                       .jwks_json = jwks, .now = fixed_now,
                                       .jwt_cache_size = 1024};
    struct grantd_verifier *v = grantd_verifier_new(&c);
    if (!v)
        return -1;
    *uncached = rate(v, tokens, n, n);
    *cached = rate(v, tokens, HOT, CACHED_ROUNDS);
    grantd_verifier_free(v);
    return *uncached > 0 && *cached > 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 20000;
    int repeats = argc > 2 ? atoi(argv[2]) : 1, secs = argc > 3 ? atoi(argv[3]) : 3;
    double unc[MAX_REPEATS], hit[MAX_REPEATS], ssl[MAX_REPEATS], ratio[MAX_REPEATS];
    struct grantd_jwk *k = NULL;
    int rc = 1;
    if (n < HOT || repeats < 1 || repeats > MAX_REPEATS || secs < 1) {
        fprintf(stderr, "usage: grantd-bench-verify [TOKENS>=%d [REPEATS 1..%d [SECONDS>=1]]]\n",
                HOT, MAX_REPEATS);
        return 2;
    }
    if (grantd_jwk_generate(GRANTD_JWK_ES256, &k) != GRANTD_OK)
        return 1;
    char jwks[1024];
    snprintf(jwks, sizeof(jwks), "{\"keys\":[%s]}", k->public_jwk);
    char **tokens = sign_tokens(k, n);
    if (!tokens)
        goto out;
    for (int r = 0; r < repeats; r++) {
        /* alternating order: the box's drift lands on both sides alike */
        if (r % 2)
            ssl[r] = openssl_verify_rate(secs);
        if (library_rates(jwks, tokens, n, &unc[r], &hit[r]) != 0)
            goto out;
        if (r % 2 == 0)
            ssl[r] = openssl_verify_rate(secs);
        ratio[r] = ssl[r] > 0 ? unc[r] / ssl[r] : 0;
        printf("uncached ES256: %.0f verifications/s (openssl speed ecdsap256 verify: %.0f/s, "
               "%.0f %%)\n", unc[r], ssl[r], 100 * ratio[r]);
        printf("cached: %.0f verifications/s\n", hit[r]);
        fflush(stdout);
    }
    double mu = median(unc, repeats), mh = median(hit, repeats), ms = median(ssl, repeats);
    double mr = median(ratio, repeats);
    printf("median of %d: uncached %.0f/s, cached %.0f/s, openssl verify %.0f/s; "
           "uncached/openssl %.0f %% (target %.0f %%: %s); cached target %.0f/s: %s\n",
           repeats, mu, mh, ms, 100 * mr, 100 * UNCACHED_TARGET,
           mr >= UNCACHED_TARGET ? "met" : "missed", CACHED_TARGET,
           mh >= CACHED_TARGET ? "met" : "missed");
    rc = ms > 0 ? 0 : 1;   /* no openssl figure: the run has no ceiling */
out:
    for (int i = 0; tokens && i < n; i++)
        free(tokens[i]);
    free(tokens);
    grantd_jwk_free(k);
    return rc;
}
