/* libgrantd-verify: token verification for resource servers that check grantd's access
 * tokens themselves (C/C++ services, and any language through its FFI).
 *
 * A verifier is configured with the issuer URL; discovery (ISSUER/.well-known/
 * oauth-authorization-server) gives the jwks_uri and the introspection endpoint, fetched
 * lazily on first need, so creating a verifier never touches the network.
 * - RFC 9068 JWTs (typ at+jwt) are verified locally: the algorithm comes from the key (kid),
 *   never from the token header, within the allow-list ES256, RS256; then iss, aud (when
 *   configured), exp/nbf/iat with the clock skew, and the required scopes. An unknown kid
 *   fetches the JWKS again at most once per cooldown, one fetch shared by concurrent callers;
 *   a failed fetch keeps the last good keys.
 * - Opaque tokens are verified by RFC 7662 introspection (when client credentials are
 *   configured; otherwise they are `invalid`), with a bounded cache of answers.
 * - With revocation_feed_url, a thread follows grantd's revocation feed (long-polls), and
 *   a token revoked at the server (or of a disabled client or user, or signed by a retired
 *   key) is REVOKED within a second of the revocation, whatever the caches above remember.
 *
 * Threads: a verifier may be used by any number of threads at once; _new and _free are not
 * concurrent with anything else on the same verifier. Call curl_global_init() yourself
 * before starting threads if your program uses libcurl elsewhere; grantd_verifier_new calls
 * it once otherwise.
 *
 * ABI: configuration structs start with struct_size (set it to sizeof); members are only
 * ever appended, and a library reads no further than the caller's struct_size. */
#ifndef GRANTD_VERIFY_H
#define GRANTD_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The library is built with hidden symbols; only what this header declares is exported. */
#if defined(__GNUC__)
#define GRANTD_VERIFY_API __attribute__((visibility("default")))
#else
#define GRANTD_VERIFY_API
#endif

/* The outcome of a verification: the same vocabulary as the server's /check. */
enum grantd_verify_reason {
    GRANTD_VERIFY_OK = 0,
    GRANTD_VERIFY_MISSING,            /* no token given */
    GRANTD_VERIFY_INVALID,            /* malformed, bad signature, wrong iss/aud/typ, unknown */
    GRANTD_VERIFY_EXPIRED,            /* exp passed (beyond the skew) */
    GRANTD_VERIFY_REVOKED,            /* revoked (revocation_feed_url); an inactive
                                         introspection answer is INVALID: RFC 7662 says not why */
    GRANTD_VERIFY_INSUFFICIENT_SCOPE  /* valid, but a required scope is not granted */
};

/* "ok", "missing", "invalid", "expired", "revoked", "insufficient_scope"; static storage;
 * "invalid" for a value outside the enum. */
GRANTD_VERIFY_API const char *grantd_verify_reason_name(enum grantd_verify_reason r);

struct grantd_verifier_config {
    size_t struct_size;       /* sizeof(struct grantd_verifier_config) */
    const char *issuer;       /* required: the iss every token must carry (no trailing '/') */
    const char *audience;     /* optional: when set, aud must be (or contain) it */
    const char *jwks_json;    /* optional: a fixed JWKS document; no JWKS fetch when set */
    const char *introspection_client_id;     /* optional: enables opaque tokens */
    const char *introspection_client_secret;
    int64_t clock_skew_s;     /* leeway for exp/nbf/iat; default 0 */
    int64_t jwks_cooldown_s;  /* least time between two fetches on unknown kids; default 60 */
    unsigned introspection_cache_size;   /* entries; 0: default 1024; bounded */
    int64_t introspection_ttl_s;         /* positive answers, capped by exp; default 60 */
    int64_t introspection_negative_ttl_s; /* negative answers; default 10 */
    long http_timeout_ms;     /* each HTTP request; default 5000 */
    /* optional clock (unix seconds) for tests; NULL: time(). Called from any thread. */
    int64_t (*now)(void *ctx);
    void *now_ctx;
    /* verified JWTs remembered (whole token compared; a hit costs no signature check, exp
     * and nbf still apply); 0: default 4096; bounded */
    unsigned jwt_cache_size;
    /* optional: grantd's revocation feed, the URL of GET /v1/revocations on its admin
     * listener (e.g. "http://127.0.0.1:9001/v1/revocations"). When set, a thread of the
     * verifier follows it and grantd_verify answers REVOKED for a token revoked at /revoke,
     * by refresh-token reuse, by a replayed code, whose client or user was disabled, or
     * signed by a key retired (grantd key retire), within a second, cached verdicts
     * included. The X-Grantd-Issuer header sent is the
     * issuer. */
    const char *revocation_feed_url;
    long revocation_poll_ms;  /* the feed's long-poll wait, rounded up to whole seconds;
                               * default 20000, at most 30000 (the server's cap) */
};

/* A new verifier; the configuration's strings are copied. NULL when the configuration is
 * unusable (no issuer, a jwks_json that does not parse, unknown struct_size). */
GRANTD_VERIFY_API struct grantd_verifier *
grantd_verifier_new(const struct grantd_verifier_config *cfg);
GRANTD_VERIFY_API void grantd_verifier_free(struct grantd_verifier *v);

struct grantd_verify_result {
    enum grantd_verify_reason reason;
    char *subject;            /* sub; NULL unless reason is OK or INSUFFICIENT_SCOPE */
    char *client_id;
    char *scope;              /* granted scopes, space-separated */
    char *claims_json;        /* the JWT claims or the introspection answer, JSON text */
    char *www_authenticate;   /* RFC 6750 §3 value for a 401/403; NULL when OK */
    void *reserved[4];        /* room for members to come without changing the size */
};

/* Verifies a token given bare or as an "Authorization: Bearer" header value (the text after
 * the colon). required_scope: space-separated scopes that must all be granted, or NULL.
 * Fills *out (the caller releases it with grantd_verify_result_clear) and returns its reason.
 * The network is used only for a JWKS refresh, discovery, or an uncached introspection. */
GRANTD_VERIFY_API enum grantd_verify_reason
grantd_verify(struct grantd_verifier *v, const char *token, const char *required_scope,
              struct grantd_verify_result *out);
GRANTD_VERIFY_API void grantd_verify_result_clear(struct grantd_verify_result *r);

struct grantd_verifier_stats {
    size_t struct_size;       /* sizeof(struct grantd_verifier_stats) */
    uint64_t jwks_fetches;    /* JWKS requests made (successful or not) */
    uint64_t jwks_fetch_failures;
    uint64_t jwks_keys;       /* keys held now */
    uint64_t introspections;  /* introspection requests made */
    uint64_t introspection_cache_hits;
};
/* Copies the counters into *out, no further than out->struct_size (set it first: with 0,
 * nothing is written). */
GRANTD_VERIFY_API void grantd_verifier_stats(struct grantd_verifier *v,
                                             struct grantd_verifier_stats *out);

#ifdef __cplusplus
}
#endif
#endif
