/* libgrantd-verify: the verifier object shared by verifier.c (lifecycle, discovery, the
 * JWKS cache) and check.c (verifying one token). */
#ifndef GRANTD_VERIFY_VERIFIER_INT_H
#define GRANTD_VERIFY_VERIFIER_INT_H

#include "verify/verify_int.h"

struct grantd_verifier {
    char *issuer, *audience, *client_id, *client_secret;
    int64_t skew_s, cooldown_s, ttl_s, negative_ttl_s;
    long timeout_ms;
    int64_t (*now)(void *ctx);
    void *now_ctx;

    /* discovery: set once, under fetch_mu; a failed attempt is retried after the cooldown */
    char *jwks_uri, *introspection_endpoint;
    int discovery_tried;
    int64_t last_discovery;

    /* the key set: read under keys_lock; replaced whole by a fetch */
    pthread_rwlock_t keys_lock;
    struct grantd_verify_keyset *keys;
    int fixed_keys; /* configured jwks_json: never fetched */

    /* one fetch at a time; the others wait for its generation to change */
    pthread_mutex_t fetch_mu;
    pthread_cond_t fetch_cv;
    int fetching, fetched_once;
    uint64_t fetch_gen;
    int64_t last_fetch;

    struct grantd_verify_icache *icache;
    struct grantd_verify_vcache *vcache;
    struct grantd_verify_revoked *revoked; /* NULL unless revocation_feed_url is set */

    /* counters, updated with __atomic builtins */
    uint64_t n_fetches, n_fetch_failures, n_introspections, n_icache_hits;
};

int64_t grantd_verifier_now(struct grantd_verifier *v);
/* A verify context for the key named kid (the caller frees it: EVP_PKEY_CTX_free), and
 * the key's alg;
 * an unknown kid fetches the JWKS again when the cooldown allows (one fetch shared by
 * concurrent callers). NULL when no such key is known. */
EVP_PKEY_CTX *grantd_verifier_key(struct grantd_verifier *v, const char *kid,
                                  enum grantd_verify_alg *alg);
/* The introspection endpoint from discovery (fetched on first need); NULL when unknown. */
const char *grantd_verifier_introspection_endpoint(struct grantd_verifier *v);

/* check.c: the token in a bare value or a "Bearer <token>" header value; NULL if none
 * (nothing, or another scheme's "Scheme credentials"). */
const char *grantd_verify_token_of(const char *s);
/* 1 when token has the shape of a JWS (three dot-separated parts). */
int grantd_verify_is_jwt(const char *token);
/* check.c: the verdict on a token (as grantd_verify_token_of gave it), before the scope
 * check; *claims (the caller's reference) is set for OK and for verdicts reached after the
 * signature. */
enum grantd_verify_reason grantd_verify_check(struct grantd_verifier *v, const char *token,
                                              json_t **claims);
/* 1 when every space-separated scope of need (NULL: none) is one of have's. */
int grantd_verify_scopes_granted(const char *have, const char *need);

#endif
